"""The earlier follow-up a report is compared with (`--previous`): its workbooks, read as
the current input is read, or the JSON export a build of it wrote. compare.py compares.

What it found is said with its own file (`… (forrige opfølgning)`) and weighed for what the
earlier follow-up is here, a source of statuses and of the goals gone:
- the gaps of that round (a goal not reported, yellow or red without a comment) are not
  this round's, and are left out;
- personal data in it stops nothing: every text of it that the new documents show (the
  goals gone, its label) is shown with CPR numbers masked, so an RG601 there is a warning;
- anything else (a file that cannot be read, a status word not understood) is as it was,
  for a comparison made from a half-read follow-up would mislead.
A JSON export that is not one is RG110, naming the file and the place in it; one beyond
the bounds a previous follow-up is read at (its size, its goals) is RG111. Its texts'
personal data is said and weighed as a previous workbook's cells'.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..model import Finding, Report, Severity
from ..personal_data import masked
from ..reader import file_label, find_workbooks, read_workbooks
from ..reader.files import workbook_kinds
from ..reader.json import BeyondBounds, from_json

NOT_THIS_ROUND = {"RG202", "RG205"}
PERSONAL_DATA = {"RG601", "RG602", "RG603"}
BROKEN_JSON = "RG110"
JSON_BEYOND_BOUNDS = "RG111"
OF_PREVIOUS = " (forrige opfølgning)"


def read_previous(path: Path) -> tuple[Report | None, list[Finding]]:
    """The earlier follow-up's report and what reading it found (None if it could not be
    read at all). `path`: its JSON export, a workbook, or a folder of workbooks."""
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            report, found = from_json(path)
        except ValueError as exc:
            code = JSON_BEYOND_BOUNDS if isinstance(exc, BeyondBounds) else BROKEN_JSON
            return None, [Finding(code, Severity.ERROR, str(exc),
                                  file_label(path.name) + OF_PREVIOUS)]
        return report, [_weighed(f) for f in found]
    paths, passed_over = find_workbooks([path])
    if not paths:
        return None, [*map(_weighed, passed_over), Finding(
            "RG002", Severity.ERROR, f"Der er ingen arbejdsbøger ({workbook_kinds()}) og "
            f"ingen JSON-eksport i {path} (--previous).")]
    result = read_workbooks(paths)
    findings = [_weighed(f) for f in (*passed_over, *result.findings)
                if f.code not in NOT_THIS_ROUND]
    return result.report, findings


def masked_earlier(report: Report) -> Report:
    """The compared report with every text taken from the earlier follow-up (the goals
    gone, its label, and the names of the files and sheets the goals gone were read from)
    CPR-masked: they were not checked as this round's texts are."""
    comparison = report.comparison
    if comparison is None:
        return report
    only_earlier = Report(comparison=comparison).with_texts(masked).with_places(
        masked).comparison
    assert only_earlier is not None
    # where the goals gone belong now is named by this round's themes and centres, as
    # this report has them: only the earlier names are masked
    return replace(report, comparison=replace(
        only_earlier,
        themes_now=tuple((masked(then), now) for then, now in comparison.themes_now),
        centres_now=tuple((masked(then), now) for then, now in comparison.centres_now)))


def _weighed(finding: Finding) -> Finding:
    file = (finding.file or "").strip() + OF_PREVIOUS
    if finding.code in PERSONAL_DATA and finding.severity is Severity.ERROR:
        return replace(finding, file=file.strip(), severity=Severity.WARNING,
                       message=finding.message + " Det stopper ikke rapporten: teksterne "
                       "fra den forrige opfølgning vises med CPR-numre maskeret.")
    return replace(finding, file=file.strip())


# -- The JSON export ------------------------------------------------------------------------


