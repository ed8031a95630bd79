"""The workbook reader: centre workbooks in, the normalised report and findings out.

Three stages, each a module, handing over in one direction:

- files.py: what a file is before it is parsed (missing, too big, a zip bomb, encrypted,
  not a workbook), and the inputs a folder holds;
- xlsx.py (with sheet_xml.py, which bounds the work, and cells.py, values as shown): an
  .xlsx file's sheets as rows of cells, each with its reference (`rows.Sheet`, `rows.Row`);
  calamine.py (with sheet_extent.py, which bounds the work): an .xls or .ods file's
  sheets as the same rows, values only; the file's name chooses the module;
- rows.py: format-neutral, rows into goal rows (goal sheets and headers found, aliases,
  status words, same-as-above, each gap a finding), and merge.py: several files as one
  report, by the one identity rule.

Another input format is one more module beside these two handing over the same rows.
Nothing else reads workbooks; the words they are read by are contract.py's.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _openpyxl_without_numpy() -> None:
    """openpyxl imported, without the numpy it imports where installed (to write numpy's
    numbers into cells, which nothing here does): a sixth of the time a small build takes
    to start. numpy stays importable for whatever needs it."""
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        return
    # None: an ImportError for openpyxl's `import numpy` (the import system's own way,
    # which typeshed's sys.modules, modules only, leaves out)
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import openpyxl  # noqa: F401
    finally:
        del sys.modules["numpy"]


_openpyxl_without_numpy()

from ..model import Finding, Report, Severity, Source  # noqa: E402
from .calamine import calamine_sheets  # noqa: E402
from .files import READERS, check_file, file_label, find_workbooks  # noqa: E402
from .merge import assemble, local_numbers, merge_meta  # noqa: E402
from .rows import (  # noqa: E402
    FileFindings,
    GoalRow,
    clean_text,
    parse_status,
    personal_data_in_name,
    read_sheets,
)
from .xlsx import xlsx_sheets  # noqa: E402

__all__ = ["ReadResult", "clean_text", "file_label", "find_workbooks", "parse_status",
           "read_workbook", "read_workbooks"]


# The stages a file is loaded by, each handing over its sheets as rows (rows.Sheet).
LOADERS = {"xlsx": xlsx_sheets, "calamine": calamine_sheets}


@dataclass
class ReadResult:
    report: Report
    findings: list[Finding]
    rows_read: dict[str, int] = field(default_factory=dict)
    cells: dict[Source, str] = field(default_factory=dict)  # a goal's row -> its text's cell
    received: set[str] | None = None  # with a plan: the centres a returned workbook reported
    # file -> the sheets whose cells were checked for personal data (an --accept names them)
    sheets: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def read_workbooks(paths: Sequence[Path]) -> ReadResult:
    """Read several workbooks as one report; a goal in two places is one goal only when it
    is the same goal (merge.assemble)."""
    findings: list[Finding] = []
    rows_read: dict[str, int] = {}
    metas: list[tuple[str, dict[str, Any]]] = []
    goal_rows: list[GoalRow] = []
    sheets: dict[str, list[str]] = {}
    names = [file_label(path.name) for path in paths]
    for path, name in zip(paths, names, strict=True):
        # A file is named by its name, or by its path where two inputs share a name.
        label = name if names.count(name) == 1 else file_label(str(path))
        file_findings = FileFindings(label)
        personal_data_in_name(label, "file" if label == name else "path", file_findings)
        rows, count, meta = _read_file(path, file_findings)
        findings.extend(file_findings)
        sheets[label] = file_findings.sheets
        rows_read[label] = count
        goal_rows.extend(rows)
        if meta:
            metas.append((label, meta))
    local_numbers(goal_rows, findings)
    report_meta = merge_meta(metas, findings)
    report = Report(meta=report_meta, themes=assemble(goal_rows, findings))
    return ReadResult(report, findings, rows_read,
                      {row.goal.source: row.cell for row in goal_rows}, sheets=sheets)


def read_workbook(path: Path) -> ReadResult:
    return read_workbooks([path])


def _read_file(path: Path,
               findings: FileFindings) -> tuple[list[GoalRow], int, dict[str, Any]]:
    """The file's goal rows, how many goal rows it has, and its report metadata."""
    if not check_file(path, findings):
        return [], 0, {}
    load = LOADERS[READERS.get(path.suffix.lower(), "xlsx")]  # any other name: as .xlsx
    with load(path, findings) as sheets:
        if sheets is None:
            return [], 0, {}
        return read_sheets(sheets, findings)
