"""The plan that went out and the workbooks that came back: one report.

With a plan, the plan decides which goals the report holds and in which order (themes,
focus areas, goals, their texts, centres and Ids); the returned workbooks give the
statuses and comments. A returned row is the plan's goal its Id and text agree on, for
that goal's own centre (matching.match_returned): a row whose Id and text name two plan
goals is an error (RG406), so is one whose centre is not its plan goal's (RG407), and
neither carries its status anywhere. A plan goal no workbook reports is not reported
(RG205); a returned goal the plan does not hold is an error (RG404); a returned text that
differs from the plan's under one Id, no other plan goal's, is a warning (RG405), and
the plan's is printed. The plan among the returned workbooks is no return (RG408).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..contract import REPORT_SHEET, centre_key
from ..model import Finding, FocusArea, Goal, Meta, PlacedGoal, Report, Severity, Theme
from ..reader import ReadResult
from ..reader.files import file_label, workbook_kinds
from ..reader.rows import short
from .matching import Disagreement, match_returned


def apply_plan(plan: ReadResult, returned: ReadResult) -> tuple[Report, list[Finding], set[str]]:
    """The plan's report with the returned statuses and comments; the findings of the
    matching; the centres a returned workbook reported for: those whose goals a row holds
    under the centre's own name (a row with a wrong Id still says its centre sent its
    workbook; a row holding another centre's goal counts for neither centre)."""
    back = list(returned.report.placed_goals())
    findings: list[Finding] = []
    plan_goals = list(plan.report.placed_goals())
    matches, disagreements, held = match_returned(plan_goals, back)
    received = {plan_goals[i].goal.centre for i in held}
    # A plan goal whose text a disagreeing row holds has been sent: the row says what to do.
    told = {d.by_text for d in disagreements if d.by_text is not None}
    for disagreement in disagreements:
        findings.append(_disagreement(returned, back[disagreement.row].goal,
                                      plan_goals, disagreement))
    used = {index for index in matches if index is not None}
    themes: dict[str, dict[str, tuple[tuple[str, ...], list[Goal]]]] = {}
    for position, (placed, index) in enumerate(zip(plan_goals, matches, strict=True)):
        goal = placed.goal
        match = None if index is None else back[index]
        if match is None:
            new = replace(goal, result=(), timeline=(), comment=None)
            if position not in told:
                findings.append(_at(plan, goal, "RG205", Severity.ERROR,
                                    "Målet er ikke indberettet: ingen af de modtagne "
                                    f"arbejdsbøger har det ({_named(goal)}). Bed centret om "
                                    "at sende sin arbejdsbog."))
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
    disagreeing = {d.row for d in disagreements}
    for placed in (p for i, p in enumerate(back) if i not in used | disagreeing):
        findings.append(_at(returned, placed.goal, "RG404", Severity.ERROR,
                            f"Målet »{short(placed.goal.text)}« står ikke i planen (hverken "
                            "med dets Id eller dets tema, indsatsområde og tekst). Ret det, så "
                            "det svarer til planen, eller slet rækken."))
    report = Report(plan.report.meta, tuple(
        Theme(theme, tuple(FocusArea(area, effect, tuple(goals))
                           for area, (effect, goals) in areas.items()))
        for theme, areas in themes.items()))
    return report, findings, received


def _disagreement(returned: ReadResult, goal: Goal, plan_goals: list[PlacedGoal],
                  disagreement: Disagreement) -> Finding:
    """A returned row matched to no plan goal, in the workbook that holds it, saying what
    to change there: its Id and text name two plan goals (RG406), or its centre is not
    its plan goal's (RG407)."""
    named = plan_goals[disagreement.by_id].goal
    if disagreement.by_text is not None:
        said = plan_goals[disagreement.by_text].goal
        return _at(returned, goal, "RG406", Severity.ERROR,
                   f"Id'et {named.id} hører til »{short(named.text)}«{_of(named, goal)}, men "
                   f"teksten er »{short(said.text)}« ({_named_as(said, goal)}). Ret Id'et "
                   "eller teksten, så de hører til samme mål. Rækkens status og kommentar "
                   "bruges ikke, før de gør.")
    return _at(returned, goal, "RG407", Severity.ERROR,
               f"Rækken har centret »{goal.centre.strip()}«, men målet ({_named(named)}, "
               f"»{short(named.text, 40)}«) er {named.centre}'s i planen. Et center "
               "indberetter kun sine egne mål: slet rækken her (målet indberettes i "
               f"{named.centre}'s egen arbejdsbog), eller ret Id'et og teksten til "
               f"{goal.centre.strip()}'s eget mål i planen. Rækkens status og kommentar "
               "bruges ikke.")


def _of(planned: Goal, returned: Goal) -> str:
    """A plan goal's centre, named where it is not the row's."""
    return "" if centre_key(planned.centre) == centre_key(returned.centre) \
        else f" ({planned.centre})"


def _named_as(planned: Goal, returned: Goal) -> str:
    centre = _of(planned, returned).strip(" ()")
    return ", ".join(part for part in (planned.id or "uden Id", centre) if part)


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

    # Two returned goals under one Id (RG403) blame both workbooks; with a plan, the plan
    # says whose the Id is, and each row under it is judged against that (apply_plan).
    plan_ids = {goal.id for goal in planned.report.goals() if goal.id}

    def judged(finding: Finding) -> bool:
        return finding.code == "RG403" and finding.goal_id in plan_ids

    findings = [*passed_over, *(f for f in planned.findings if f.code not in STATUS_CODES),
                *(_not_used(f) if f.code == "RG209" else f
                  for f in returned.findings if not of_details(f) and not judged(f)),
                *matched]
    if returned.report.meta != Meta() or any(map(of_details, returned.findings)):
        findings.append(Finding("RG907", Severity.NOTICE,
                                "Rapport-arkene i de modtagne arbejdsbøger bruges ikke, når "
                                "planen er givet (--plan): rapportens oplysninger kommer fra "
                                "planen og kommandolinjen."))
    sheets = {file: [*planned.sheets.get(file, ()), *names]
              for file, names in returned.sheets.items()}
    return ReadResult(report, findings, returned.rows_read, returned.cells, received,
                      {**planned.sheets, **sheets}), findings


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
