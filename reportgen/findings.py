"""The findings as a sheet the secretariat can filter by centre and send back (.xlsx, .csv)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from .model import Finding, printable

COLUMNS = ("Alvor", "Kode", "Center", "Fil", "Ark", "Celle", "Besked")
WIDTHS = (11, 8, 14, 32, 14, 10, 100)


def _rows(findings: Sequence[Finding]) -> list[tuple[str, ...]]:
    """Every value as it is printed: a file name that is not UTF-8, or one with a control
    character, is escaped as on the terminal (openpyxl refuses both, and UTF-8 cannot hold
    the first)."""
    return [tuple(printable(value) for value in (
        f.severity.value, f.code, f.centre or "", f.file or "", f.sheet or "", f.cell or "",
        f.message)) for f in findings]


def findings_csv(findings: Sequence[Finding]) -> bytes:
    """Semicolon-separated with a byte-order mark, as Danish Excel opens it; a value that
    would start a formula is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _rows(findings):
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def findings_xlsx(findings: Sequence[Finding]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Fund"
    sheet.append(COLUMNS)
    for row in _rows(findings):
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text stays text, even when it starts with "="
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(sheet.max_row, 2)}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_findings(findings: Sequence[Finding], path: Path) -> bytes:
    if path.suffix.lower() == ".csv":
        return findings_csv(findings)
    return findings_xlsx(findings)
