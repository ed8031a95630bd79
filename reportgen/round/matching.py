"""The rules by which a goal is found again in other workbooks: the plan's goals among
the returned ones (plan.py, `match_goals`), this follow-up's among the previous one's
(compare.py, `match_earlier`, which asks the text to agree as well as the Id)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..contract import centre_key
from ..model import Goal, PlacedGoal


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


@dataclass(frozen=True)
class Disagreement:
    """A returned row that points to two plan goals, or to another centre's: `row`, its
    index among the returned; `by_id`, the plan goal its Id (or, without one the plan
    holds, its wording) names; `by_text`, the other plan goal its text is, None where the
    row's centre is not the plan goal's."""

    row: int
    by_id: int
    by_text: int | None = None


def match_returned(plan: Sequence[PlacedGoal], returned: Sequence[PlacedGoal],
                   ) -> tuple[list[int | None], list[Disagreement], set[int]]:
    """The plan's goals among the returned rows. A row is its plan goal only where its Id
    and its text agree, and only for the plan goal's own centre: a row whose Id names one
    plan goal and whose text is another's (a column sorted alone, an Id retyped), or whose
    centre is not its plan goal's (another centre's rows copied in), would carry a status
    to a goal it was not written about, so it is matched to none and is a disagreement.
    A text merely edited under its Id (no other plan goal says it) is still its goal.
    The rest are matched as match_goals says, a row whose text agrees with its Id first.
    Returns, for each plan goal, the index of its row or None; the disagreements; and the
    plan goals some row holds as their own centre's (who has sent a workbook)."""
    by_id: dict[str, int] = {}
    by_text: dict[str, list[int]] = {}
    by_wording: dict[tuple[str, str, str], list[int]] = {}
    for position, placed in enumerate(plan):
        if placed.goal.id:
            by_id.setdefault(placed.goal.id, position)
        by_text.setdefault(placed.goal.text, []).append(position)
        by_wording.setdefault(_wording(placed), []).append(position)
    disagreements: list[Disagreement] = []
    held: set[int] = set()
    kept: list[int] = []
    for row, placed in enumerate(returned):
        goal = placed.goal
        named = by_id.get(goal.id) if goal.id else None
        texts = by_text.get(goal.text, [])
        pointed = ([] if named is None else [named]) + texts
        held.update(i for i in pointed if _same_centre(plan[i].goal, goal))
        if named is not None and plan[named].goal.text != goal.text and texts:
            other = next((i for i in texts if _same_centre(plan[i].goal, goal)), texts[0])
            disagreements.append(Disagreement(row, named, other))
            continue
        alike = [named] if named is not None else by_wording.get(_wording(placed), [])
        if goal.centre.strip() and alike and not any(
                _same_centre(plan[i].goal, goal) for i in alike):
            disagreements.append(Disagreement(row, alike[0]))
            continue
        kept.append(row)
    # Where two rows carry one Id, the one whose text is the plan goal's is that goal.
    kept.sort(key=lambda row: returned[row].goal.id not in by_id
              or plan[by_id[returned[row].goal.id or ""]].goal.text != returned[row].goal.text)
    matches = match_goals(plan, [returned[row] for row in kept])
    return [None if i is None else kept[i] for i in matches], disagreements, held


def _same_centre(planned: Goal, returned: Goal) -> bool:
    return centre_key(planned.centre) == centre_key(returned.centre)


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
