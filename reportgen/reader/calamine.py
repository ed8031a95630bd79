"""The .xls and .ods stage of the reader: a checked workbook loaded by python-calamine, its
sheets handed on as rows of cells (`rows.Sheet`), values only.

calamine gives what a cell holds, not how it looks: no number formats, fill colours or
hidden columns (and merged ranges for some formats only, not read here). So a value is
shown as Excel shows it in the General format (cells.py), a status is read from its text
alone, and a notice (RG906) says so for each such file. A whole number is marked as one
whose leading zero may not show: nine digits may be a CPR number typed as a number. Each
sheet's reach is found first (sheet_extent.py), so that what calamine is asked to build
is bounded by what the file holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from ..model import Severity
from . import sheet_extent, sheet_xml
from .cells import cell_text, id_text, whole_number
from .files import password_message
from .rows import HEADER_SEARCH_ROWS, Cell, FileFindings, Row
from .sheet_extent import Encrypted, Extent, TooManyRecords, ods_extents, xls_extents


@contextmanager
def calamine_sheets(path: Path,
                    findings: FileFindings) -> Iterator[list[ValuesSheet] | None]:
    """The workbook's sheets in workbook order; None, with a finding, for a workbook that
    cannot be loaded or is over the cell limit."""
    yield _load(path, findings)


def _load(path: Path, findings: FileFindings) -> list[ValuesSheet] | None:
    suffix = path.suffix.lower()
    limit = sheet_xml.MAX_CELLS
    try:
        scan = ods_extents if suffix == ".ods" else xls_extents
        if _over_limit(scan(path, limit), limit, findings):
            return None
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            loaded = [(meta, workbook.get_sheet_by_index(index))
                      for index, meta in enumerate(workbook.sheets_metadata)
                      if meta.typ == SheetTypeEnum.WorkSheet]
            # What calamine built, before a Python object is made of it: the same bound,
            # should it reach further than the scan found.
            if _over_limit([Extent(sheet.name, *_reach(sheet)) for _, sheet in loaded],
                           limit, findings):
                return None
            sheets = [ValuesSheet(meta.name, meta.visible == SheetVisibleEnum.Visible,
                                  sheet.to_python(skip_empty_area=False))
                      for meta, sheet in loaded]
        finally:
            workbook.close()
    except (Encrypted, PasswordError):
        findings.add("RG102", Severity.ERROR, password_message(suffix))
        return None
    except TooManyRecords:
        findings.add("RG106", Severity.ERROR,
                     f"Arbejdsbogen har flere end {sheet_xml.number_text(sheet_extent.MAX_RECORDS)}"
                     f" poster (celler, formater og andet), som er grænsen for en {suffix}-fil. "
                     "Kopiér målene til en ny arbejdsbog, og gem den som .xlsx.")
        return None
    except DefusedXmlException:
        findings.add("RG105", Severity.ERROR,
                     "Filen indeholder XML-konstruktioner, som af sikkerhedshensyn ikke læses "
                     "(fx entiteter). Kopiér indholdet til en ny arbejdsbog, og gem den som .xlsx.")
        return None
    except Exception as exc:  # calamine, expat and olefile raise many kinds for a broken file
        findings.add("RG101", Severity.ERROR,
                     f"Filen kan ikke læses som et regneark ({type(exc).__name__}); den er "
                     "måske beskadiget. Åbn den i Excel eller LibreOffice, og gem den som .xlsx.")
        return None
    findings.add("RG906", Severity.NOTICE,
                 f"Filen er gemt som {suffix}, så kun cellernes værdier læses, ikke "
                 "fyldfarver og flettede celler. Gem den som .xlsx (Excel-projektmappe), så "
                 "kommer det hele med.")
    return sheets


def _reach(sheet) -> tuple[int, int]:
    """The last row and column of calamine's sheet (1-based; 0 for an empty sheet)."""
    end = sheet.end
    return (end[0] + 1, end[1] + 1) if end is not None else (0, 0)


def _over_limit(extents: list[Extent], limit: int, findings: FileFindings) -> bool:
    if sum(extent.cells for extent in extents) <= limit:
        return False
    largest = max(extents, key=lambda extent: extent.cells)
    findings.add("RG106", Severity.ERROR,
                 f"Arbejdsbogen fylder flere end {sheet_xml.number_text(limit)} celler, som er "
                 f"grænsen: arkene regnes fra A1 til den sidste celle med indhold, og dette ark "
                 f"har indhold helt ud til {_cell_name(largest)}. Slet det, der står uden for "
                 "målene (markér rækkerne og kolonnerne, og vælg Slet), og gem igen.",
                 sheet=largest.title)
    return True


def _cell_name(extent: Extent) -> str:
    if extent.columns <= 16_384:  # Excel's last column, XFD
        return f"{get_column_letter(extent.columns)}{extent.rows}"
    return f"række {extent.rows}, kolonne {extent.columns}"


class ValuesSheet:
    """A sheet's values, as calamine read them (from A1; "" for an empty cell, which
    cell_text shows as None), as a `rows.Sheet`."""

    hidden_columns: frozenset[int] = frozenset()  # not known: calamine reads no columns

    def __init__(self, title: str, visible: bool, values: list[list[Any]]):
        self.title = title
        self.visible = visible
        self._values = values
        self.last_row = next((number for number in range(len(values), 0, -1)
                              if any(value != "" for value in values[number - 1])), 0)

    def head(self) -> list[list[str | None]]:
        return [[cell_text(value) for value in values]
                for values in self._values[:HEADER_SEARCH_ROWS]]

    def rows(self, first: int, columns: dict[str, int]) -> list[Row]:
        letters = {name: get_column_letter(index) for name, index in columns.items()}
        rows: list[Row] = []
        for number in range(first, self.last_row + 1):
            values = self._values[number - 1]
            row = Row(number, {})
            for name, index in columns.items():
                value = values[index - 1] if index <= len(values) else None
                shown = id_text if name == "id" else cell_text
                row.cells[name] = Cell(ref=f"{letters[name]}{number}", text=shown(value),
                                       padded=whole_number(value))
            if any(cell.text for cell in row.cells.values()):
                rows.append(row)
        return rows
