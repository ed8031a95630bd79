"""The reader's seam: any format that hands over rows of cells (`rows.Sheet`) is read
exactly as an .xlsx file with the same cells."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from reportgen.reader import read_workbook
from reportgen.reader.merge import assemble
from reportgen.reader.rows import Cell, FileFindings, Row, read_sheets

from .helpers import HEADERS, goal_row, write_workbook


class ListSheet:
    """A sheet given as lists of texts: what a second format module would hand over."""

    def __init__(self, title: str, values: list[list[str | None]], visible: bool = True):
        self.title, self.visible, self._values = title, visible, values
        self.hidden_columns: frozenset[int] = frozenset()
        self.last_row = len(values)

    def head(self) -> list[list[str | None]]:
        return self._values[:20]

    def rows(self, first: int, columns: dict[str, int]) -> list[Row]:
        rows = []
        for number in range(first, self.last_row + 1):
            values = self._values[number - 1]
            cells = {name: Cell(f"{get_column_letter(index)}{number}",
                                values[index - 1] if index <= len(values) else None)
                     for name, index in columns.items()}
            if any(cell.text for cell in cells.values()):
                rows.append(Row(number, cells))
        return rows


GOALS = [goal_row("Første mål", "gul", comment="Forsinket"),
         goal_row("Andet mål", area="Bosætning"), [None] * 9,
         goal_row("Tredje mål", "rød / gul", "rød", comment="Se note", theme="Tema 2")]


def test_rows_from_another_format_give_the_goals_an_xlsx_file_gives(tmp_path):
    from_xlsx = read_workbook(write_workbook(tmp_path / "mål.xlsx", GOALS))
    findings = FileFindings("mål.xlsx")
    goal_rows, count, meta = read_sheets([ListSheet("Mål", [list(HEADERS), *GOALS])], findings)
    report = assemble(goal_rows, findings)
    assert count == 3 and not findings and not meta
    assert report == from_xlsx.report.themes
    assert [g.source.row for t in report for a in t.focus_areas for g in a.goals] == [2, 3, 5]


def test_a_finding_from_another_format_names_its_cell(tmp_path):
    findings = FileFindings("mål.ods")
    rows = [list(HEADERS), goal_row("Et mål", "blå")]
    read_sheets([ListSheet("Mål", rows)], findings)
    assert [(f.code, f.file, f.sheet, f.cell) for f in findings] == [
        ("RG201", "mål.ods", "Mål", "F2")]
