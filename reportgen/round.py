"""The round: the plan that went out, the workbooks that came back, and who has reported.

With a plan, the plan decides which goals the report holds and in which order (themes,
focus areas, goals, their texts, centres and Ids); the returned workbooks give the
statuses and comments. A returned goal is the plan's goal with its Id, else the one with
its theme, focus area and text (and centre, where two goals share a wording). A plan
goal no workbook reports is not reported (RG205); a returned goal the plan does not hold
is an error (RG404); a returned text that differs from the plan's under one Id is a
warning (RG405), and the plan's is printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .model import Finding, FocusArea, Goal, PlacedGoal, Report, Severity, Theme
from .reader import ReadResult
from .reader.rows import short


@dataclass(frozen=True)
class CentreStatus:
    """How far one centre has reported."""

    centre: str
    goals: int
    reported: int
    missing: tuple[str, ...]  # the Ids (else the texts) of its goals not reported
    received: bool = True     # a workbook of the centre's came back (always, without a plan)

    @property
    def line(self) -> str:
        """`CPU/BGE: 3 af 5 mål indberettet (mangler 1.2.3, 1.2.4)`."""
        head = f"{self.centre}: {self.reported} af {self.goals} mål indberettet"
        if not self.received:
            return f"{head} — ingen arbejdsbog modtaget"
        if not self.missing:
            return head
        shown = ", ".join(self.missing[:10]) + (" …" if len(self.missing) > 10 else "")
        return f"{head} (mangler {shown})"


def centres_behind(report: Report, received: set[str] | None = None) -> list[CentreStatus]:
    """Each centre with a goal not reported, in the report's order; `received`: the
    centres a returned workbook reported for (None: every centre, as without a plan)."""
    return [status for status in centre_statuses(report, received) if status.missing]


def centre_statuses(report: Report, received: set[str] | None = None) -> list[CentreStatus]:
    """Every centre of the report, in its order, and how far it has reported."""
    statuses: dict[str, list[Goal]] = {}
    for goal in report.goals():
        statuses.setdefault(goal.centre, []).append(goal)
    return [CentreStatus(centre, len(goals), sum(g.is_reported for g in goals),
                         tuple(g.id or f"»{short(g.text, 30)}«" for g in goals
                               if not g.is_reported),
                         received is None or centre in received)
            for centre, goals in statuses.items()]


def apply_plan(plan: ReadResult, returned: ReadResult) -> tuple[Report, list[Finding], set[str]]:
    """The plan's report with the returned statuses and comments; the findings of the
    matching; the centres a returned workbook reported for."""
    back = list(returned.report.placed_goals())
    findings: list[Finding] = []
    received: set[str] = set()
    plan_goals = list(plan.report.placed_goals())
    matches = match_goals(plan_goals, back)
    used = {index for index in matches if index is not None}
    themes: dict[str, dict[str, tuple[tuple[str, ...], list[Goal]]]] = {}
    for placed, index in zip(plan_goals, matches, strict=True):
        goal = placed.goal
        match = None if index is None else back[index]
        if match is None:
            new = replace(goal, result=(), timeline=(), comment=None)
            findings.append(_at(plan, goal, "RG205", Severity.ERROR,
                                "Målet er ikke indberettet: ingen af de modtagne arbejdsbøger "
                                f"har det ({_named(goal)}). Bed centret om at sende sin "
                                "arbejdsbog."))
        else:
            received.add(goal.centre)
            new = replace(goal, result=match.goal.result, timeline=match.goal.timeline,
                          comment=match.goal.comment, source=match.goal.source)
            if match.goal.text != goal.text:
                findings.append(_at(returned, match.goal, "RG405", Severity.WARNING,
                                    f"Målet med Id »{goal.id}« har en anden "
                                    f"tekst end i planen (»{short(goal.text)}«); planens "
                                    "tekst bruges."))
        effect_goals, goals = themes.setdefault(placed.theme, {}).setdefault(
            placed.focus_area, (placed.effect_goals, []))
        goals.append(new)
    for placed in (p for i, p in enumerate(back) if i not in used):
        findings.append(_at(returned, placed.goal, "RG404", Severity.ERROR,
                            f"Målet »{short(placed.goal.text)}« står ikke i planen (hverken "
                            "med dets Id eller dets tema, indsatsområde og tekst). Ret det, så "
                            "det svarer til planen, eller slet rækken."))
    report = Report(plan.report.meta, tuple(
        Theme(theme, tuple(FocusArea(area, effect, tuple(goals))
                           for area, (effect, goals) in areas.items()))
        for theme, areas in themes.items()))
    return report, findings, received


def match_goals(targets: Sequence[PlacedGoal],
                candidates: Sequence[PlacedGoal]) -> list[int | None]:
    """The one rule by which a goal is found again in other workbooks (a plan's goal among
    the returned ones, a goal of this follow-up among the previous one's): for each target,
    the index of the candidate with its Id, else of the one with its theme, focus area and
    text, and its centre too where two targets or two candidates share that wording; None
    where there is none. Each candidate is matched once, in the targets' order."""
    by_id: dict[str, list[int]] = {}
    by_wording: dict[tuple[str, str, str], list[int]] = {}
    for index, placed in enumerate(candidates):
        if placed.goal.id:
            by_id.setdefault(placed.goal.id, []).append(index)
        by_wording.setdefault(_wording(placed), []).append(index)
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
    shared = set()
    for placed in goals:
        (shared if _wording(placed) in seen else seen).add(_wording(placed))
    return shared


def _named(goal: Goal) -> str:
    return f"Id {goal.id}" if goal.id else f"»{short(goal.text, 40)}«"


def _at(result: ReadResult, goal: Goal, code: str, severity: Severity,
        message: str) -> Finding:
    """A finding about a goal, at the cell of its text in the workbook it was read from."""
    source = goal.source
    return Finding(code, severity, message, source.file, source.sheet,
                   result.cells.get(source), goal.centre, goal.id, short(goal.text))
