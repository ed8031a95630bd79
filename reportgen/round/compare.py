"""Change since an earlier follow-up: this report's goals found again in the earlier one,
and the direction each status went. Pure: reports in, a report out, no I/O (previous.py
reads the earlier follow-up).

A goal is found again as matching.match_earlier says: its Id and its text, else its theme,
focus area and text (and centre where a wording is shared), else its Id with its text only
edited. An Id that now names another goal is told (RG420): the new goal is new, the earlier
one gone. A double status (`gul / grøn`) compares by its least favourable status, red
before yellow before green.

A goal gone is placed in a theme's document and a centre's extract by where its theme and
centre went: the theme or centre of the same name, else the one most of the goals matched
from it are in now (`Comparison.themes_now`, `centres_now`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

from ..contract import centre_key
from ..model import Comparison, Finding, FocusArea, PlacedGoal, Previous, Report, Severity
from ..reader.rows import short
from .matching import match_earlier

REUSED_ID = "RG420"

DEFAULT_LABEL = "sidste opfølgning"


def label(previous: Report) -> str:
    """What the marks call the earlier follow-up: its `Opfølgning`, else its date."""
    meta = previous.meta
    return meta.follow_up or meta.date or DEFAULT_LABEL


def compare(current: Report, previous: Report) -> tuple[Report, list[Finding]]:
    """The current report with each goal's earlier statuses (None: a new goal) and the
    comparison: the earlier follow-up's label, its goals that are gone and where they
    belong now; and a notice for each Id that names another goal than it did then
    (RG420)."""
    goals = list(current.placed_goals())
    earlier = list(previous.placed_goals())
    found = match_earlier(goals, earlier)
    matches = iter(found)
    used = {index for index in found if index is not None}

    def with_previous(area: FocusArea) -> FocusArea:
        found = []
        for goal in area.goals:
            index = next(matches)
            if index is None:
                found.append(replace(goal, previous=None))
            else:
                then = earlier[index].goal
                found.append(replace(goal, previous=Previous(then.result, then.timeline)))
        return replace(area, goals=tuple(found))

    themes = tuple(replace(theme, focus_areas=tuple(map(with_previous, theme.focus_areas)))
                   for theme in current.themes)
    removed = tuple(PlacedGoal(placed.theme, placed.focus_area, (),
                               replace(placed.goal, previous=None))
                    for index, placed in enumerate(earlier) if index not in used)
    pairs = [(earlier[index], goals[position]) for position, index in enumerate(found)
             if index is not None]
    comparison = Comparison(
        label(previous), removed, tuple(earlier),
        _went(removed, goals, pairs, lambda placed: placed.theme, str),
        _went(removed, goals, pairs, lambda placed: placed.goal.centre, centre_key))
    return (replace(current, themes=themes, comparison=comparison),
            _reused_ids(goals, earlier, found, comparison.label))


def _went(removed: Sequence[PlacedGoal], goals: Sequence[PlacedGoal],
          pairs: Sequence[tuple[PlacedGoal, PlacedGoal]], name: Callable[[PlacedGoal], str],
          key: Callable[[str], str]) -> tuple[tuple[str, str], ...]:
    """Each theme (or centre) of a goal gone -> the one it is now: the one of the same name
    (as `key` compares names), else the one most of its matched goals went to, the first
    in report order where two are as many; none where none went anywhere."""
    now: dict[str, str] = {}
    for placed in goals:
        now.setdefault(key(name(placed)), name(placed))
    went: dict[str, Counter[str]] = {}
    for then, placed in pairs:
        went.setdefault(key(name(then)), Counter())[name(placed)] += 1
    mapped: dict[str, str] = {}
    for placed in removed:
        old = name(placed)
        if key(old) in now:
            mapped[old] = now[key(old)]
        elif key(old) in went:
            mapped[old] = went[key(old)].most_common(1)[0][0]
    return tuple(mapped.items())


def _reused_ids(goals: Sequence[PlacedGoal], earlier: Sequence[PlacedGoal],
                found: Sequence[int | None], then: str) -> list[Finding]:
    """A notice for each goal whose Id named another goal at the earlier follow-up."""
    used = {index for index in found if index is not None}
    by_id = {placed.goal.id: index for index, placed in enumerate(earlier) if placed.goal.id}
    notices = []
    for placed, index in zip(goals, found, strict=True):
        goal = placed.goal
        old = by_id.get(goal.id) if goal.id else None
        if old is None or old == index:
            continue
        before = earlier[old].goal
        now = ("Det nye mål er markeret som nyt" if index is None else
               "Det nye mål er sammenlignet med målet med samme tekst ved " + then)
        gone = (", og det gamle står blandt målene, som ikke længere er med." if old not in used
                else ", og det gamle er fundet igen under et andet Id.")
        source = goal.source
        notices.append(Finding(
            REUSED_ID, Severity.NOTICE,
            f"Ved {then} hørte Id »{goal.id}« til et andet mål, »{short(before.text)}«; nu "
            f"står det ved »{short(goal.text)}«. De to mål sammenlignes ikke. {now}{gone}",
            source.file, source.sheet, None, goal.centre, goal.id, short(goal.text)))
    return notices
