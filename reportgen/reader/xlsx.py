"""The .xlsx stage of the reader: a checked workbook loaded by openpyxl, its sheets handed
on as rows of cells (`rows.Sheet`).

The sheets' XML is scanned first (sheet_xml.py), so that what openpyxl is asked to build
is bounded by what the file holds; then openpyxl loads it in normal (not read-only) mode,
where merged ranges, fills and number formats are. A cell is read as shown (cells.py),
a merged cell as the range's value, a status cell with its fill colour, and a formula
without a stored result as unreadable.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter

from ..model import Severity
from .cells import cell_text, colour_status, fill_rgb, id_text, pads_to_ten, theme_colours
from .rows import HEADER_SEARCH_ROWS, STATUS_FIELDS, Cell, FileFindings, Row
from .sheet_xml import SheetScan, check_workbook

MAX_COLUMNS = 16_384  # Excel's: XFD


@contextmanager
def xlsx_sheets(path: Path, findings: FileFindings) -> Iterator[list[XlsxSheet] | None]:
    """The workbook's sheets in workbook order; None, with a finding, for a workbook that
    cannot be loaded or is over a limit."""
    workbook = _load(path, findings)
    if workbook is None:
        yield None
        return
    workbook, scans = workbook
    try:
        theme = theme_colours(workbook.loaded_theme)
        yield [XlsxSheet(worksheet, scan, theme)  # titles may repeat: matched by position
               for worksheet, scan in zip(workbook.worksheets, scans, strict=True)]
    finally:
        workbook.close()


def _load(path: Path, findings: FileFindings):
    """(openpyxl's workbook, each sheet's scan), or None with a finding."""
    try:
        # The sheets' XML first. It raises as openpyxl does for broken or unsafe XML,
        # hence inside this try.
        checked = check_workbook(path, findings)
        if checked is None:
            return None
        with warnings.catch_warnings():
            # openpyxl warns of what it leaves out (a dropdown's extension, say); the reader
            # says itself what it does not read
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(checked.source, data_only=True), checked.sheets
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        _loading_failed(exc, findings)
        return None


class XlsxSheet:
    """An openpyxl worksheet as a `rows.Sheet`."""

    def __init__(self, worksheet, scan: SheetScan, theme: list[str | None]):
        self._worksheet = worksheet
        self._scan = scan
        self._theme = theme
        self.title: str = worksheet.title
        self.visible = worksheet.sheet_state == "visible"
        self.hidden_columns = _hidden_columns(worksheet)
        self.last_row = scan.last_row  # the last row holding a value, not openpyxl's max_row

    def head(self) -> list[list[str | None]]:
        return [[cell_text(value) for value in values] for values in
                self._worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]

    def rows(self, first: int, columns: dict[str, int]) -> list[Row]:
        worksheet, last_row = self._worksheet, self.last_row
        origins = _merged_origins(worksheet, first, last_row, max(columns.values()))
        formulas = self._scan.formulas_without_value
        rows: list[Row] = []
        # Only the rows that hold a value or a merged range, and only the asked columns:
        # an empty row, or a header far to the right, costs nothing.
        letters = {name: get_column_letter(index) for name, index in columns.items()}
        for number in self._scan.rows_to_read(first, last_row):
            row = Row(number, {})
            for name, index in columns.items():
                read = worksheet.cell(number, index)
                ref = f"{letters[name]}{number}"
                cell = origins.get(ref, read)
                shown = id_text if name == "id" else cell_text
                row.cells[name] = Cell(
                    ref=ref,
                    text=shown(cell.value, cell.number_format),
                    fill=self._fill_status(cell) if name in STATUS_FIELDS else None,
                    unreadable=cell.value is None and cell.coordinate in formulas,
                    merged_from=cell.coordinate if cell is not read else None,
                    padded=pads_to_ten(cell.value, cell.number_format),
                )
            if any(cell.text or cell.unreadable for cell in row.cells.values()):
                rows.append(row)
        return rows

    def _fill_status(self, cell):
        rgb = fill_rgb(cell, self._theme)
        return colour_status(rgb) if rgb else None


def _hidden_columns(worksheet) -> frozenset[int]:
    hidden: set[int] = set()
    for dimension in worksheet.column_dimensions.values():
        if dimension.hidden and dimension.min:
            hidden.update(range(dimension.min, min(dimension.max or dimension.min,
                                                   MAX_COLUMNS) + 1))
    return frozenset(hidden)


def _merged_origins(worksheet, first_row: int, last_row: int, last_column: int):
    """Each merged cell in the rows and columns read -> the cell holding the range's value."""
    origins = {}
    for merged in worksheet.merged_cells.ranges:
        origin = worksheet.cell(merged.min_row, merged.min_col)
        for row in range(max(merged.min_row, first_row), min(merged.max_row, last_row) + 1):
            for column in range(merged.min_col, min(merged.max_col, last_column) + 1):
                if (row, column) != (merged.min_row, merged.min_col):
                    origins[f"{get_column_letter(column)}{row}"] = origin
    return origins


def _loading_failed(exc: Exception, findings: FileFindings) -> None:
    """Sheets are parsed with defusedxml, workbook parts with lxml (entities unresolved,
    amplification capped): either refusal is reported as unsafe XML."""
    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, DefusedXmlException)
                                     or "entity" in str(cause).lower()):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        findings.add("RG105", Severity.ERROR,
                     "Filen indeholder XML-konstruktioner, som af sikkerhedshensyn ikke læses "
                     "(fx entiteter). Kopiér indholdet til en ny arbejdsbog, og gem den som .xlsx.")
    else:
        findings.add("RG101", Severity.ERROR,
                     f"Filen kan ikke læses som en Excel-arbejdsbog ({type(exc).__name__}). "
                     "Åbn den i Excel, og gem den som .xlsx.")
