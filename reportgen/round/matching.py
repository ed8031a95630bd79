"""The rules by which a goal is found again in other workbooks: the plan's goals among
the returned ones (plan.py, `match_goals`), this follow-up's among the previous one's
(compare.py, `match_earlier`, which asks the text to agree as well as the Id)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import PlacedGoal


def match_goals(targets: Sequence[PlacedGoal],
                candidates: Sequence[PlacedGoal]) -> list[int | None]:
    """The rule by which a plan's goal is found again among the returned ones (where a text
    that differs under one Id is the plan's goal, told as RG405): for each target,
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


def match_earlier(goals: Sequence[PlacedGoal],
                  earlier: Sequence[PlacedGoal]) -> list[int | None]:
    """This follow-up's goals found again among an earlier follow-up's: for each goal, the
    index of the earlier goal it is, or None (a new goal). An Id can be given to another
    goal between two follow-ups, so an Id alone is not the goal; in this order:
    - the same Id and the same text;
    - else the same theme, focus area and text (and centre where a wording is shared),
      whatever the Ids: a goal renumbered, or two goals' Ids swapped;
    - else the same Id with an edited text: only where the earlier goal sits in the same
      theme and focus area, more than half of the words of its text (of four letters or
      more) are still in the new text, and no other earlier goal has the new text.
    Anything else under an Id is another goal: new, and the earlier one gone. A status is
    never carried onto a goal it was not written about. Each earlier goal is matched
    once, in the goals' order."""
    by_id: dict[str, list[int]] = {}
    texts: dict[str, int] = {}
    for position, placed in enumerate(earlier):
        if placed.goal.id:
            by_id.setdefault(placed.goal.id, []).append(position)
        texts[placed.goal.text] = texts.get(placed.goal.text, 0) + 1
    matches: list[int | None] = [None] * len(goals)
    used: set[int] = set()

    def take(position: int, index: int | None) -> None:
        if index is not None:
            used.add(index)
            matches[position] = index

    for position, placed in enumerate(goals):  # the same Id and the same text
        take(position, next((i for i in by_id.get(placed.goal.id or "", ())
                             if i not in used and earlier[i].goal.text == placed.goal.text),
                            None))
    by_wording: dict[tuple[str, str, str], list[int]] = {}
    for position, placed in enumerate(earlier):
        by_wording.setdefault(_wording(placed), []).append(position)
    shared = _shared_wordings(goals) | _shared_wordings(earlier)
    for position, placed in enumerate(goals):  # the same wording, whatever the Ids
        wording = _wording(placed)
        if matches[position] is None:
            take(position, next((i for i in by_wording.get(wording, ()) if i not in used and (
                wording not in shared or earlier[i].goal.centre == placed.goal.centre)), None))
    for position, placed in enumerate(goals):  # the same Id, the text edited
        if matches[position] is None and not texts.get(placed.goal.text):
            take(position, next((i for i in by_id.get(placed.goal.id or "", ())
                                 if i not in used and _edited(earlier[i], placed)), None))
    return matches


def _edited(then: PlacedGoal, now: PlacedGoal) -> bool:
    """The earlier goal's text edited into the new one, in the same theme and focus area."""
    if (then.theme, then.focus_area) != (now.theme, now.focus_area):
        return False
    before, after = _words(then.goal.text), set(_words(now.goal.text))
    return bool(before) and 2 * sum(word in after for word in before) > len(before)


def _words(text: str) -> list[str]:
    """A text's words of four letters or more: those that carry what it says."""
    return [word for word in re.findall(r"\w+", text.casefold()) if len(word) >= 4]
