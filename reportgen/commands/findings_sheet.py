"""The findings as a sheet the secretariat can filter by centre and send back (.xlsx, .csv),
with who has reported beside them (a second sheet, or a second .csv)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Finding, printable

if TYPE_CHECKING:
    from ..round.progress import CentreStatus

COLUMNS = ("Alvor", "Kode", "Center", "Id", "Mål", "Fil", "Ark", "Celle", "Besked")
WIDTHS = (11, 8, 14, 8, 30, 28, 14, 10, 90)
CENTRE_COLUMNS = ("Center", "Mål", "Indberettet", "Mangler", "Arbejdsbog modtaget")
CENTRE_WIDTHS = (14, 8, 12, 50, 20)


def _rows(findings: Sequence[Finding]) -> list[tuple[str, ...]]:
    """Every value as it is printed: a file name that is not UTF-8, or one with a control
    character, is escaped as on the terminal (openpyxl refuses both, and UTF-8 cannot hold
    the first)."""
    return [tuple(printable(value) for value in (
        f.severity.value, f.code, f.centre or "", f.goal_id or "", f.goal_text or "",
        f.file or "", f.sheet or "", f.cell or "", f.message)) for f in findings]


def _centre_rows(centres: Sequence[CentreStatus]) -> list[tuple[str, ...]]:
    return [(printable(c.centre), str(c.goals), str(c.reported), printable(", ".join(c.missing)),
             "ja" if c.received else "nej") for c in centres]


def _csv(columns: Sequence[str], rows: list[tuple[str, ...]]) -> bytes:
    """Semicolon-separated with a byte-order mark, as Danish Excel opens it; a value that
    would start a formula is prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def findings_csv(findings: Sequence[Finding]) -> bytes:
    return _csv(COLUMNS, _rows(findings))


def centres_csv(centres: Sequence[CentreStatus]) -> bytes:
    return _csv(CENTRE_COLUMNS, _centre_rows(centres))


def findings_xlsx(findings: Sequence[Finding], centres: Sequence[CentreStatus] = ()) -> bytes:
    """The findings on the sheet `Fund`; the centres behind, if any, on `Indberetning`."""
    from openpyxl import Workbook

    workbook = Workbook()
    _sheet(workbook.active, "Fund", COLUMNS, WIDTHS, _rows(findings))
    if centres:
        _sheet(workbook.create_sheet(), "Indberetning", CENTRE_COLUMNS, CENTRE_WIDTHS,
               _centre_rows(centres))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet(sheet, title: str, columns: Sequence[str], widths: Sequence[int],
           rows: list[tuple[str, ...]]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.title = title
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text stays text, even when it starts with "="
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 2)}"


def centres_path(path: Path) -> Path:
    """Where a .csv's second table goes: `fund.csv` -> `fund-indberetning.csv`."""
    return path.with_name(f"{path.stem}-indberetning{path.suffix}")


def render_findings(findings: Sequence[Finding], path: Path,
                    centres: Sequence[CentreStatus] = ()) -> dict[Path, bytes]:
    """{path: bytes} to write: one workbook, or one .csv and (with centres behind) a
    second beside it."""
    if path.suffix.lower() != ".csv":
        return {path: findings_xlsx(findings, centres)}
    files = {path: findings_csv(findings)}
    if centres:
        files[centres_path(path)] = centres_csv(centres)
    return files
