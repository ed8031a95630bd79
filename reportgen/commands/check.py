"""`check`: every workbook of a round read and checked, and every finding, errors first.

The one check both front ends make: the command's `check` and `build`, and the page's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..checks.acceptance import apply as apply_acceptances
from ..checks.acceptance import suggest
from ..checks.details import DETAIL_OPTIONS, given_details, personal_data_in_details
from ..checks.drafts import DRAFT_GAPS
from ..checks.glyphs import missing_glyphs
from ..design import DEFAULT_TEMPLATES
from ..model import Finding, Severity
from ..personal_data import masked
from ..reader import ReadResult, find_workbooks, read_workbooks
from ..round import Round
from ..round.compare import compare
from ..round.plan import no_workbooks, not_the_plan, with_plan
from ..round.previous import masked_earlier, read_previous


def check(round: Round, draft: bool = False, templates: Path = DEFAULT_TEMPLATES,
          ) -> tuple[ReadResult | None, list[Finding]]:
    """Read every workbook of the round and return the report with every finding, errors
    first (the report None where no workbook could be read); texts the templates' fonts
    cannot draw are warnings. With a plan (the workbooks the round went out from), the
    plan gives the goals and their order, the inputs their statuses (round/plan.py). The
    round's details stand over the `Rapport` sheets' values and are checked as they are.
    With a previous follow-up (its workbooks, or its JSON export), each goal carries its
    statuses there and the report the goals gone (round/compare.py; what reading it found
    is weighed as round/previous.py says, and is not subject to `accept`). Accepted
    findings stop nothing; in a draft, the gaps it may show do not either, and CPR numbers
    are shown masked."""
    inputs, plan, previous = round.inputs, round.plan, round.previous
    details = given_details(dict(round.details))
    paths, passed_over = find_workbooks(inputs)
    if not paths:
        return None, [*passed_over, no_workbooks(inputs)]
    if plan:
        plan_paths, plan_passed_over = find_workbooks(plan)
        if not plan_paths:
            return None, [*plan_passed_over, no_workbooks(plan)]
        paths, plan_left_out = not_the_plan(paths, plan_paths)
        passed_over += plan_left_out
        if not paths:  # the plan was all there was
            return None, [*plan_passed_over, *passed_over, no_workbooks(inputs)]
    result = read_workbooks(paths)
    findings = [*passed_over, *result.findings]
    if plan:
        result, findings = with_plan(read_workbooks(plan_paths), result,
                                      [*plan_passed_over, *passed_over])
    if details:
        # mypy holds the dict's one value type against every field of Meta, the intro's too
        meta = replace(result.report.meta, **details)  # type: ignore[arg-type]
        result.report = replace(result.report, meta=meta)
    earlier_findings: list[Finding] = []
    if previous is not None:
        earlier, earlier_findings = read_previous(previous)
        if earlier is not None:
            compared, reused = compare(result.report, earlier)
            result.report = masked_earlier(compared)
            earlier_findings += reused
    options = {name: DETAIL_OPTIONS[name] for name in details}
    findings = apply_acceptances(suggest([
        *findings, *personal_data_in_details(details),
        *missing_glyphs(result.report, templates / "fonts", options)], result.sheets),
        round.accept)
    if draft:
        findings = [replace(f, severity=Severity.WARNING)
                    if f.code in DRAFT_GAPS and f.severity is Severity.ERROR else f
                    for f in findings]
        if any(f.code == "RG601" for f in findings):  # in a cell, a detail or a name
            result.report = result.report.with_texts(masked).with_places(masked)
    findings += earlier_findings
    order = list(Severity)
    return result, sorted(findings, key=lambda f: order.index(f.severity))
