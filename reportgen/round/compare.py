"""Change since an earlier follow-up: this report's goals found again in the earlier one,
and the direction each status went. Pure: reports in, a report out, no I/O (previous.py
reads the earlier follow-up).

A goal is found again by the rule merging and the plan go by (matching.match_goals: its Id,
else its theme, focus area and text, and centre where a wording is shared). A double
status (`gul / grøn`) compares by its least favourable status, red before yellow before
green.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import Comparison, FocusArea, PlacedGoal, Previous, Report
from .matching import match_goals

DEFAULT_LABEL = "sidste opfølgning"


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
