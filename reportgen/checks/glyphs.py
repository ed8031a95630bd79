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
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ..contract import HEADER_NAMES, META_NAMES, REPORT_SHEET
from ..model import Finding, Report, Severity

# The goal's fields where the contract names its columns otherwise.
FIELDS = {"text": "goal"}
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


def missing_glyphs(report: Report, fonts: Path,
                   given: Mapping[str, str] | None = None) -> list[Finding]:
    """A warning for each text holding characters that no font in `fonts` can draw.
    `given`: the report's details given elsewhere than in a `Rapport` sheet (on the command
    line), field -> the name a message gives it (its option)."""
    given = given or {}
    findings = []
    for name, text, goal in report.texts():
        if not _BEYOND_ANY_TEXT_FONT.search(text):
            continue
        unusual = [c for c in _BEYOND_ANY_TEXT_FONT.findall(text) if _needs_glyph(c)]
        covered = font_characters(fonts) if unusual else frozenset()
        missing = dict.fromkeys(c for c in unusual if ord(c) not in covered)
        if not missing:
            continue
        shown = ", ".join(f"»{c}« (U+{ord(c):04X})" for c in list(missing)[:5])
        more = f" og {len(missing) - 5} andre" if len(missing) > 5 else ""
        label = given.get(name) or META_NAMES.get(name) or HEADER_NAMES[FIELDS.get(name, name)]
        place = (goal.source.file, goal.source.sheet, f"række {goal.source.row}",
                 goal.centre) if goal else (None, None if name in given else REPORT_SHEET,
                                            None, None)
        findings.append(Finding(
            "RG213", Severity.WARNING,
            f"{label} indeholder tegn, som rapportens skrifttyper ikke har: {shown}{more}. "
            "De vises som tomme firkanter i PDF'en. Skriv dem med latinske bogstaver, eller "
            "læg en skrifttype med tegnene i skabelonmappens fonts/.", *place))
    return findings
