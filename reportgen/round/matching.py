"""The one rule by which a goal is found again in other workbooks: the plan's goals among
the returned ones (plan.py), this follow-up's among the previous one's (compare.py)."""

from __future__ import annotations

from collections.abc import Sequence

from ..model import PlacedGoal


def match_goals(targets: Sequence[PlacedGoal],
                candidates: Sequence[PlacedGoal]) -> list[int | None]:
    """The one rule by which a goal is found again in other workbooks (a plan's goal among
    the returned ones, a goal of this follow-up among the previous one's): for each target,
    the index of the candidate with its Id, else of the one with its theme, focus area and
    text, and its centre too where two targets or two candidates share that wording; None
    where there is none. Each candidate is matched once, in the targets' order."""
    by_id: dict[str, list[int]] = {}
    by_wording: dict[tuple[str, str, str], list[int]] = {}
    for position, placed in enumerate(candidates):
        if placed.goal.id:
            by_id.setdefault(placed.goal.id, []).append(position)
        by_wording.setdefault(_wording(placed), []).append(position)
    shared = _shared_wordings(targets) | _shared_wordings(candidates)
    used: set[int] = set()
    matches: list[int | None] = []
    for placed in targets:
        goal = placed.goal
        wording = _wording(placed)
        index = next((i for i in by_id.get(goal.id or "", ()) if i not in used), None)
        if index is None:
            index = next((i for i in by_wording.get(wording, ()) if i not in used and (
                wording not in shared or candidates[i].goal.centre == goal.centre)), None)
        if index is not None:
            used.add(index)
        matches.append(index)
    return matches


def _wording(placed: PlacedGoal) -> tuple[str, str, str]:
    return placed.theme, placed.focus_area, placed.goal.text


def _shared_wordings(goals: Sequence[PlacedGoal]) -> set[tuple[str, str, str]]:
    """Theme, focus area and text that two goals share: matched by centre too."""
    seen: set[tuple[str, str, str]] = set()
    shared: set[tuple[str, str, str]] = set()
    for placed in goals:
        (shared if _wording(placed) in seen else seen).add(_wording(placed))
    return shared
