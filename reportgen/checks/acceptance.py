"""Accepting a personal-data finding that is not personal data, one cell at a time.

`--accept RG601@Mål!J7` (or `RG601@centre.xlsx:Mål!J7` where several files have a sheet
`Mål`), given on the command line or as lines of a file, accepts that code's finding in
that cell and in no other: the finding stays in the list, marked as accepted, and stops
nothing. Only the personal-data codes can be accepted, and an acceptance that matches no
finding is said, so that a mistyped cell is not taken for a checked one. One without a
file that fits findings in two files is refused (RG005), never applied to both: it was
checked for one cell, and the other may hold a citizen's number. Each finding suggests
the acceptance that fits it alone (`suggest`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ReportgenError, quote
from ..model import Finding, Severity, printable

ACCEPTABLE = ("RG601", "RG602", "RG603")
ACCEPTED = "Godkendt med --accept: "
_FORM = re.compile(r"(RG\d{3})@(?:(.+):)?([^:!]+)!\$?([A-Za-z]{1,3})\$?([1-9]\d*)")


@dataclass(frozen=True)
class Acceptance:
    code: str
    file: str | None  # None: the cell in every file
    sheet: str
    cell: str

    def matches(self, finding: Finding) -> bool:
        return (finding.code == self.code and finding.cell == self.cell
                and (finding.sheet or "").casefold() == self.sheet.casefold()
                and self.file in (None, finding.file))

    def __str__(self) -> str:
        file = f"{self.file}:" if self.file else ""
        return f"{self.code}@{file}{self.sheet}!{self.cell}"


def parse(text: str) -> Acceptance:
    """`KODE@[FIL:]ARK!CELLE`; a ReportgenError (RG005) for anything else."""
    match = _FORM.fullmatch(text.strip())
    if match is None:
        raise ReportgenError("RG005", f"»{printable(text.strip())}« er ikke en godkendelse. "
                             "Skriv koden, arket og cellen, fx »RG601@Mål!J7« (eller "
                             "»RG601@fil.xlsx:Mål!J7«).")
    code, file, sheet, column, row = match.groups()
    if code not in ACCEPTABLE:
        raise ReportgenError("RG005", f"Kun fund af personoplysninger ({', '.join(ACCEPTABLE)}) "
                             f"kan godkendes, ikke {code}.")
    return Acceptance(code, file, sheet.strip(), f"{column.upper()}{row}")


def read_file(path: Path) -> list[Acceptance]:
    """One acceptance a line; blank lines and lines starting with # are skipped."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportgenError("RG005", f"Filen med godkendelser kan ikke læses ({exc}).",
                             str(path)) from exc
    return [parse(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


SUGGESTION = " Er det ikke personoplysninger, så godkend fundet med --accept {}."


def suggest(findings: Sequence[Finding],
            sheets: Mapping[str, Sequence[str]]) -> list[Finding]:
    """The findings, each personal-data finding in a cell told the acceptance that fits it:
    with its file wherever another input has a sheet of that name (`sheets`: file -> the
    sheets whose cells were checked), as one without would fit that input's cell too."""
    shared = Counter(name for names in sheets.values()
                     for name in {name.strip().casefold() for name in names})
    out = []
    for finding in findings:
        if finding.code in ACCEPTABLE and finding.sheet and finding.cell:
            named = shared[finding.sheet.strip().casefold()] > 1
            acceptance = Acceptance(finding.code, finding.file if named else None,
                                    finding.sheet, finding.cell)
            finding = replace(finding, message=finding.message + SUGGESTION.format(acceptance))
        out.append(finding)
    return out


def apply(findings: Sequence[Finding], acceptances: Iterable[Acceptance]) -> list[Finding]:
    """The findings with each accepted one marked and made a notice, and a warning (RG605)
    for each acceptance that matched no finding. An acceptance without a file that fits
    findings in more than one file is refused (RG005, naming the files): nothing is
    accepted then."""
    acceptances = list(dict.fromkeys(acceptances))
    for acceptance in acceptances:
        files = list(dict.fromkeys(f.file or "" for f in findings if acceptance.matches(f)))
        if acceptance.file is None and len(files) > 1:
            raise ReportgenError("RG005", _in_several_files(acceptance, files))
    used: set[Acceptance] = set()
    out = []
    for finding in findings:
        accepted = next((a for a in acceptances if a.matches(finding)), None)
        if accepted is None:
            out.append(finding)
            continue
        used.add(accepted)
        out.append(replace(finding, severity=Severity.NOTICE,
                           message=ACCEPTED + finding.message))
    out += [Finding("RG605", Severity.WARNING,
                    f"Godkendelsen »{acceptance}« passer ikke på noget fund og bruges ikke. "
                    "Tjek kode, ark og celle.") for acceptance in acceptances
            if acceptance not in used]
    return out


def _in_several_files(acceptance: Acceptance, files: list[str]) -> str:
    named = [quote(file) for file in files]
    example = replace(acceptance, file=files[0])
    return (f"Godkendelsen »{acceptance}« passer på fund i flere filer: "
            f"{', '.join(named[:-1])} og {named[-1]}. Skriv filen med, fx »{example}«, så "
            "godkendelsen kun gælder den celle, der er kontrolleret; en anden fils celle kan "
            "rumme et rigtigt CPR-nummer. Intet er godkendt, og intet er skrevet.")


def accepted(findings: Iterable[Finding]) -> int:
    return sum(1 for f in findings if f.message.startswith(ACCEPTED))
