"""The documents a build writes of a report: the whole, a centre's extract (`--centre`),
or one document per theme (`--split theme`), each a whole report of its own.

A centre is matched as the workbooks write it, whatever its case and the spaces around
it. A theme's document is titled by its theme, as the municipality publishes its
follow-ups ("Tema 1: Vision og Bosætning", one document a theme); the report's own title
then becomes its subtitle, where it has none. A centre's extract names the centre after
the title.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..contract import centre_key
from ..files import NAME_BYTES, safe_name
from ..model import Comparison, Finding, Meta, PlacedGoal, Report, Severity, Theme
from ..personal_data import masked
from ..reader.rows import short
from ..writers.context import FALLBACK_TITLE

SPLITS = ("theme",)
UNKNOWN_CENTRE = "RG501"
UNPLACED = "RG421"


@dataclass(frozen=True)
class Extract:
    """One document's report, and what names it beside the build's name: its theme (for
    `--split theme`), its centres (for `--centre`)."""

    report: Report
    theme: str | None = None
    centres: str | None = None


def known_centres(report: Report) -> list[str]:
    """The centres with goals, as the workbooks write them (the first spelling of each)."""
    seen: dict[str, str] = {}
    for goal in report.goals():
        seen.setdefault(centre_key(goal.centre), goal.centre.strip())
    return sorted(seen.values(), key=str.casefold)


def unknown_centres(report: Report, centres: Sequence[str]) -> list[Finding]:
    """An error for each centre asked for that has no goal, naming those that have."""
    known = known_centres(report)
    keys = {centre_key(centre) for centre in known}
    return [Finding(UNKNOWN_CENTRE, Severity.ERROR,
                    f"Centret »{centre.strip()}« (--centre) har ingen mål i input. Kendte "
                    f"centre: {', '.join(known) or 'ingen'}.")
            for centre in dict.fromkeys(centres) if centre_key(centre) not in keys]


def of_centres(findings: Sequence[Finding], centres: Sequence[str]) -> list[Finding]:
    """The findings an extract of these centres is about: those of its own goals, and
    those of no goal. (Another centre's gaps do not stop its extract.)"""
    keys = {centre_key(centre) for centre in centres}
    return [f for f in findings if f.centre is None or centre_key(f.centre) in keys]


def extracts(report: Report, centres: Sequence[str] = (),
             split: str | None = None) -> list[Extract]:
    """The documents to write, in report order; centres must have goals (see
    `unknown_centres`). Focus areas and themes left without goals are left out."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"not a split: {split}")
    meta, named = report.meta, None
    if centres:
        keys = {centre_key(centre) for centre in centres}
        named = ", ".join(name for name in known_centres(report) if centre_key(name) in keys)
        title = f"{(meta.title or FALLBACK_TITLE).rstrip('. ')} – {named}"
        themes = _only(report.themes, keys)
        report = Report(replace(meta, title=title), themes,
                        _removed(report.comparison, themes, _of_centres(report, keys)))
    if split is None:
        return [Extract(report, centres=named)]
    return [Extract(Report(_theme_meta(meta, theme, named), (theme,),
                           _removed(report.comparison, (theme,),
                                    _in_theme(report, theme.name))),
                    theme=theme.name, centres=named)
            for theme in report.themes]


def unplaced(report: Report, centres: Sequence[str] = (),
             split: str | None = None) -> list[Finding]:
    """A notice naming the goals gone that belong in none of the documents of a split or
    an extract: their theme (or centre) then is no theme (centre) now, by name or by where
    its goals went. They are in the whole report only, and the secretariat is told so."""
    comparison = report.comparison
    if comparison is None or (not centres and split is None):
        return []
    themes_now, centres_now = dict(comparison.themes_now), dict(comparison.centres_now)
    keys = {centre_key(centre) for centre in centres}
    left = []
    for gone in comparison.removed:
        centre = centres_now.get(gone.goal.centre)
        if centres and centre is not None and centre_key(centre) not in keys:
            continue  # another centre's goal gone, in its own extract
        if (centres and centre is None) or (split and gone.theme not in themes_now):
            left.append(gone)
    if not left:
        return []
    of = "et tema" if not centres else "et center" if split is None else "et tema eller center"
    goals = ", ".join(f"»{short(gone.goal.text, 40)}« ({gone.theme}; {gone.goal.centre})"
                      for gone in left)
    return [Finding(UNPLACED, Severity.NOTICE,
                    f"{len(left)} mål fra {comparison.label}, som ikke længere er med, hører "
                    f"ikke til {of} i denne opfølgning (hverken ved navn eller ved de mål, der "
                    f"er fundet igen derfra): {goals}. {'Det' if len(left) == 1 else 'De'} "
                    "står kun i den samlede rapport (uden --split og --centre) og tælles ikke "
                    "med i disse dokumenters tal fra sidste opfølgning.")]


def _of_centres(report: Report, keys: set[str]) -> Callable[[PlacedGoal], bool]:
    """A goal gone belongs to a centre's extract where its centre then is the centre now."""
    comparison = report.comparison
    now = dict(comparison.centres_now) if comparison else {}
    return lambda gone: gone.goal.centre in now and centre_key(now[gone.goal.centre]) in keys


def _in_theme(report: Report, name: str) -> Callable[[PlacedGoal], bool]:
    """A goal gone belongs to a theme's document where its theme then is that theme now."""
    comparison = report.comparison
    now = dict(comparison.themes_now) if comparison else {}
    return lambda gone: now.get(gone.theme) == name


def _removed(comparison: Comparison | None, themes: Sequence[Theme],
             keep: Callable[[PlacedGoal], bool]) -> Comparison | None:
    """The comparison with an earlier follow-up for a document of these themes: the goals
    gone `keep` keeps, and as the earlier goals (the numbers beside the overview) those
    and the earlier goals its own goals were found again as, whatever their theme and
    centre were called then."""
    if comparison is None:
        return None
    removed = tuple(filter(keep, comparison.removed))
    found = tuple(PlacedGoal(theme.name, area.name, area.effect_goals, replace(
                      goal, result=goal.previous.result, timeline=goal.previous.timeline,
                      previous=None))
                  for theme in themes for area in theme.focus_areas for goal in area.goals
                  if goal.previous is not None)
    return replace(comparison, removed=removed, earlier=found + removed)


def _only(themes: Sequence[Theme], keys: set[str]) -> tuple[Theme, ...]:
    """The themes with only the goals of these centres, each theme and focus area left
    without goals left out."""
    kept_themes = []
    for theme in themes:
        areas = tuple(replace(area, goals=kept) for area in theme.focus_areas
                      if (kept := tuple(g for g in area.goals if centre_key(g.centre) in keys)))
        if areas:
            kept_themes.append(replace(theme, focus_areas=areas))
    return tuple(kept_themes)


def _theme_meta(meta: Meta, theme: Theme, centres: str | None) -> Meta:
    """A theme's document is titled by the theme (and the centres of an extract); the
    report's title becomes its subtitle where it has none."""
    title = theme.name if centres is None else f"{theme.name} – {centres}"
    return replace(meta, title=title, subtitle=meta.subtitle or meta.title)


DRAFT_SUFFIX = "-kladde"  # a draft's file name ends so: it never replaces the report


def draft_stem(stem: str, draft: bool) -> str:
    """A draft's name: `<name>-kladde`, so that it never takes the final report's place."""
    return f"{stem}{DRAFT_SUFFIX}" if draft else stem


def document_stems(documents: Sequence[Extract], base: str, given: bool,
                   draft: bool) -> list[str]:
    """Each document's file name without extension. The whole report: `base` (the name
    given, else `output_name`'s), or a centre's extract the centres' names; a theme's
    document: its theme's name, after the name given or the centres' names. A draft's
    end in `-kladde`; names that would be the same are numbered (`-2`)."""
    stems: list[str] = []
    for document in documents:
        if document.theme is None:
            stem = base if given or document.centres is None else safe_name(document.centres)
        elif given:  # the theme's name shortened where the name given is long
            room = max(NAME_BYTES, len(base.encode()))
            stem = f"{base}-{safe_name(document.theme)}"
            while len(stem.encode()) > room:
                stem = stem[:-1]
            stem = stem.rstrip("-_.")
        else:
            stem = safe_name("-".join(filter(None, (document.centres, document.theme))))
        numbered, number = stem, 1
        while numbered.casefold() in (s.casefold() for s in stems):
            number += 1
            numbered = f"{stem}-{number}"
        stems.append(numbered)
    return [draft_stem(stem, draft) for stem in stems]


def output_name(inputs: Sequence[Path], files: Sequence[str], report: Report) -> str:
    """The one workbook's name, else the one folder's, else the report's title; a CPR
    number in it masked (a draft's, or a folder's name, which nothing else checks)."""
    if len(files) == 1:
        return safe_name(masked(Path(files[0]).stem))
    if len(inputs) == 1 and inputs[0].is_dir():
        return safe_name(masked(inputs[0].resolve().name))
    return safe_name(masked(report.meta.title or "rapport"))
