"""Change since an earlier follow-up: this report's goals found again in the earlier one,
and the direction each status went. Pure: reports in, a report out, no I/O (previous.py
reads the earlier follow-up).

A goal is found again by the rule merging and the plan go by (round.match_goals: its Id,
else its theme, focus area and text, and centre where a wording is shared). A double
status (`gul / grøn`) compares by its least favourable status, red before yellow before
green.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from enum import Enum

from .model import Comparison, FocusArea, PlacedGoal, Previous, Report, Status
from .round import match_goals

DEFAULT_LABEL = "sidste opfølgning"
# Least favourable first.
ORDER = (Status.RED, Status.YELLOW, Status.GREEN)


class Change(Enum):
    IMPROVED = "improved"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    NO_PREVIOUS = "no_previous"  # no status then, or none now: nothing to compare


def least_favourable(statuses: Sequence[Status]) -> Status | None:
    """The status a double status counts as; None for none."""
    return min(statuses, key=ORDER.index, default=None)


def direction(previous: Sequence[Status], current: Sequence[Status]) -> Change:
    """How one column's status went from the earlier follow-up to this one."""
    before, now = least_favourable(previous), least_favourable(current)
    if before is None or now is None:
        return Change.NO_PREVIOUS
    if now is before:
        return Change.UNCHANGED
    return Change.IMPROVED if ORDER.index(now) > ORDER.index(before) else Change.WORSE


def label(previous: Report) -> str:
    """What the marks call the earlier follow-up: its `Opfølgning`, else its date."""
    meta = previous.meta
    return meta.follow_up or meta.date or DEFAULT_LABEL


def compare(current: Report, previous: Report) -> Report:
    """The current report with each goal's earlier statuses (None: a new goal) and the
    comparison: the earlier follow-up's label and its goals that are gone."""
    goals = list(current.placed_goals())
    earlier = list(previous.placed_goals())
    matches = iter(match_goals(goals, earlier))
    used: set[int] = set()

    def with_previous(area: FocusArea) -> FocusArea:
        found = []
        for goal in area.goals:
            index = next(matches)
            if index is None:
                found.append(replace(goal, previous=None))
            else:
                used.add(index)
                then = earlier[index].goal
                found.append(replace(goal, previous=Previous(then.result, then.timeline)))
        return replace(area, goals=tuple(found))

    themes = tuple(replace(theme, focus_areas=tuple(map(with_previous, theme.focus_areas)))
                   for theme in current.themes)
    removed = tuple(PlacedGoal(placed.theme, placed.focus_area, (),
                               replace(placed.goal, previous=None))
                    for index, placed in enumerate(earlier) if index not in used)
    return replace(current, themes=themes, comparison=Comparison(label(previous), removed,
                                                                  tuple(earlier)))
