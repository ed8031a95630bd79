"""Characters the report's fonts cannot draw, found before rendering.

The PDF embeds the fonts in the template folder's `fonts/` and no others, so that it
looks the same on every machine; a character none of them holds (Chinese, Korean, Thai,
Devanagari …) would print as an empty box. Each such text is a warning naming its place.

Latin letters, digits and the usual punctuation are taken to be in any text font, so a
report written in Danish never opens a font file here; the fonts are read only for a text
with other characters (emoji, other scripts), in 0.3 s.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from .model import Finding, Report, Severity

# Characters that need no glyph of their own: spaces, line breaks, joiners, variation
# selectors (the emoji font draws 🟢 with or without U+FE0F).
_UNDRAWN = {"Cc", "Cf", "Zs", "Zl", "Zp"}
_BEYOND_ANY_TEXT_FONT = re.compile("[^\\s\x20-\x7e\xa0-\u017f\u2010-\u2027\u20ac]")


@lru_cache(maxsize=4)
def font_characters(folder: Path) -> frozenset[int]:
    """Every character some font in `folder` holds."""
    from fontTools.ttLib import TTFont

    characters: set[int] = set()
    for path in sorted(folder.glob("*")):
        if path.suffix.lower() in (".ttf", ".otf"):
            with TTFont(path, lazy=True) as font:
                characters.update(font.getBestCmap() or {})
    return frozenset(characters)


def _needs_glyph(character: str) -> bool:
    """A character that must be drawn (not a space, a joiner or a variation selector)."""
    return (unicodedata.category(character) not in _UNDRAWN
            and not 0xFE00 <= ord(character) <= 0xFE0F)


def _texts(report: Report) -> Iterator[tuple[str, str, Finding]]:
    """(column, text, a finding with the place) for every text from a workbook."""
    meta = report.meta
    for label, text in (("Titel", meta.title), ("Undertitel", meta.subtitle),
                        ("Sagsnr.", meta.case_number), ("Sagsbehandler", meta.case_handler),
                        ("Dato", meta.date), ("Revideret", meta.revised),
                        ("Opfølgning", meta.follow_up), *(("Indledning", p) for p in meta.intro)):
        if text:
            yield label, text, Finding("RG213", Severity.WARNING, "", sheet="Rapport")
    for theme in report.themes:
        for area in theme.focus_areas:
            for index, goal in enumerate(area.goals):
                source = goal.source
                place = Finding("RG213", Severity.WARNING, "", source.file, source.sheet,
                                f"række {source.row}", goal.centre)
                headings = (("Tema", theme.name), ("Indsatsområde", area.name),
                            *(("Effektmål", e) for e in area.effect_goals)) if not index else ()
                for label, text in (*headings, ("Resultatmål", goal.text),
                                    ("Måles hvordan/opnås gennem", goal.measure),
                                    ("Center/Centerchef", goal.centre),
                                    ("Kommentar", goal.comment)):
                    if text:
                        yield label, text, place


def missing_glyphs(report: Report, fonts: Path) -> list[Finding]:
    """A warning for each text holding characters that no font in `fonts` can draw."""
    findings = []
    for label, text, place in _texts(report):
        if not _BEYOND_ANY_TEXT_FONT.search(text):
            continue
        unusual = [c for c in _BEYOND_ANY_TEXT_FONT.findall(text) if _needs_glyph(c)]
        covered = font_characters(fonts) if unusual else frozenset()
        missing = dict.fromkeys(c for c in unusual if ord(c) not in covered)
        if not missing:
            continue
        shown = ", ".join(f"»{c}« (U+{ord(c):04X})" for c in list(missing)[:5])
        more = f" og {len(missing) - 5} andre" if len(missing) > 5 else ""
        findings.append(Finding(
            place.code, place.severity,
            f"{label} indeholder tegn, som rapportens skrifttyper ikke har: {shown}{more}. "
            "De vises som tomme firkanter i PDF'en. Skriv dem med latinske bogstaver, eller "
            "læg en skrifttype med tegnene i skabelonmappens fonts/.",
            place.file, place.sheet, place.cell, place.centre))
    return findings
