"""`template`: the centres' workbooks for the next round, one per centre, each holding the
centre's goals of the plan (or of the last follow-up) ready to be filled in.

Every check is made before a file is written, and the workbooks are written all or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..design import DEFAULT_TEMPLATES
from ..design.look import load_look
from ..design.wording import load_wording
from ..files import check_folder_target, check_names, check_not_there, write_all
from ..model import Finding, Severity
from ..round import Round
from ..round.centre_workbooks import centre_workbooks
from ..round.plan import STATUS_CODES
from .check import check
from .documents import unknown_centres

WHAT = "Arbejdsbøgerne"


@dataclass
class Templated:
    findings: list[Finding]
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> workbook

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def template(round: Round, deadline: str | None = None, return_to: str | None = None,
             templates: Path = DEFAULT_TEMPLATES) -> Templated:
    """The round's goals (its inputs: the plan, or the last follow-up) checked, and unless
    that finds an error, a workbook for each centre (the round's `centres`, else all) in
    the templates' wording and look. The statuses and comments the inputs hold are
    blanked, so what they say of them stops nothing."""
    result, findings = check(round, templates=templates)
    findings = [f for f in findings if f.code not in STATUS_CODES]
    if result is not None:
        findings += unknown_centres(result.report, round.centres)
    outcome = Templated(findings)
    if result is not None and not outcome.errors:
        outcome.files = centre_workbooks(
            result.report, load_wording(templates), load_look(templates),
            centres=round.centres, deadline=deadline, return_to=return_to)
    return outcome


def write_workbooks(files: dict[str, bytes], out_dir: Path, force: bool = False) -> list[Path]:
    """The workbooks written into `out_dir`, all or none; one there already is not
    replaced unless `force` (RG912), and nothing is written where one cannot be (RG910,
    RG911)."""
    check_folder_target(out_dir, WHAT)
    check_names(out_dir, list(files), WHAT)
    check_not_there(out_dir, list(files), force)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_all({out_dir / name: data for name, data in files.items()}, WHAT)
