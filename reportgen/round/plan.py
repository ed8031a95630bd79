"""The plan that went out and the workbooks that came back: one report.

With a plan, the plan decides which goals the report holds and in which order (themes,
focus areas, goals, their texts, centres and Ids); the returned workbooks give the
statuses and comments. A returned goal is the plan's goal with its Id, else the one with
its theme, focus area and text (and centre, where two goals share a wording). A plan
goal no workbook reports is not reported (RG205); a returned goal the plan does not hold
is an error (RG404); a returned text that differs from the plan's under one Id is a
warning (RG405), and the plan's is printed. The plan among the returned workbooks is no
return (RG408).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..contract import REPORT_SHEET
from ..model import Finding, FocusArea, Goal, Meta, Report, Severity, Theme
from ..reader import ReadResult
from ..reader.files import file_label, workbook_kinds
from ..reader.rows import short
from .matching import match_goals


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


def _named(goal: Goal) -> str:
    return f"Id {goal.id}" if goal.id else f"»{short(goal.text, 40)}«"


def _at(result: ReadResult, goal: Goal, code: str, severity: Severity,
        message: str) -> Finding:
    """A finding about a goal, at the cell of its text in the workbook it was read from."""
    source = goal.source
    return Finding(code, severity, message, source.file, source.sheet,
                   result.cells.get(source), goal.centre, goal.id, short(goal.text))


# What a plan's own cells say of statuses: the returned workbooks say it.
STATUS_CODES = {"RG201", "RG202", "RG205", "RG211", "RG212"}


def with_plan(planned: ReadResult, returned: ReadResult,
               passed_over: list[Finding]) -> tuple[ReadResult, list[Finding]]:
    """The plan's goals with the returned statuses; the returned workbooks' `Rapport`
    sheets are not read (the plan and the command line give the details)."""
    report, matched, received = apply_plan(planned, returned)

    def of_details(finding: Finding) -> bool:
        return (finding.sheet or "").strip().casefold() == REPORT_SHEET.casefold()

    findings = [*passed_over, *(f for f in planned.findings if f.code not in STATUS_CODES),
                *(_not_used(f) if f.code == "RG209" else f
                  for f in returned.findings if not of_details(f)), *matched]
    if returned.report.meta != Meta() or any(map(of_details, returned.findings)):
        findings.append(Finding("RG907", Severity.NOTICE,
                                "Rapport-arkene i de modtagne arbejdsbøger bruges ikke, når "
                                "planen er givet (--plan): rapportens oplysninger kommer fra "
                                "planen og kommandolinjen."))
    return ReadResult(report, findings, returned.rows_read, returned.cells, received), findings


def _not_used(finding: Finding) -> Finding:
    """A workbook of details among the returned ones (RG209): its details are not the
    report's, and the secretariat is told where they would be."""
    return replace(finding, message=(
        "Arbejdsbogen har ingen mål, kun rapportens oplysninger (arket "
        f"»{REPORT_SHEET}«), og de bruges ikke blandt de modtagne arbejdsbøger: med en "
        "plan (--plan) kommer oplysningerne fra planen og kommandolinjen. Giv arbejdsbogen "
        "som en plan mere (--plan kan gentages), eller giv oplysningerne på kommandolinjen "
        "(--title …)."))


def not_the_plan(paths: Sequence[Path], plan: Sequence[Path]) -> tuple[list[Path], list[Finding]]:
    """The returned workbooks without the plan: a plan put among them (or a copy of it,
    the same bytes) would be read as a return, and a centre that sent nothing reported
    with the plan's statuses, last round's. Each left out is named (RG408)."""
    resolved = {path.resolve(): path for path in plan}
    digests: dict[tuple[int, str], Path] = {}
    for path in plan:
        if (digest := _digest(path)) is not None:
            digests.setdefault(digest, path)
    kept: list[Path] = []
    findings: list[Finding] = []
    for path in paths:
        if path.resolve() in resolved:
            said = "planen (--plan)"
        elif (original := digests.get(_digest(path, {size for size, _ in digests})
                                      or (-1, ""))) is not None:
            said = f"en kopi af planen (--plan {file_label(original.name)}, samme indhold)"
        else:
            kept.append(path)
            continue
        findings.append(Finding("RG408", Severity.NOTICE,
                                f"Filen er {said} og læses ikke som en modtaget arbejdsbog.",
                                file_label(path.name)))
    return kept, findings


def _digest(path: Path, sizes: set[int] | None = None) -> tuple[int, str] | None:
    """A file's size and SHA-256 (read only where its size is one of `sizes`: no other
    can be the plan); None where it is not read, or cannot be (the reader says why)."""
    try:
        size = path.stat().st_size
        if sizes is not None and size not in sizes:
            return None
        return size, hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def no_workbooks(inputs: Sequence[Path]) -> Finding:
    where = ", ".join(str(p) for p in inputs)
    return Finding("RG002", Severity.ERROR,
                   f"Der er ingen arbejdsbøger ({workbook_kinds()}) i {where}.")
