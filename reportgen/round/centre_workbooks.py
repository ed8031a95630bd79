"""The workbooks the centres fill in: one per centre, pre-filled with that centre's goals.

Each follows the workbook contract (reportgen reads it back exactly): the goals with
Tema, Indsatsområde, Effektmål, Resultatmål, Måles hvordan, Center and a stable Id filled
in and locked; the status and comment cells empty, open, with dropdowns, colours that
follow the choice, and a mark on a comment that yellow or red requires. Made from a
follow-up, the workbook shows beside them, grey and locked, what the centre reported last
time, under headers the reader does not read. A `Vejledning` sheet holds the smiley legend,
the rules, the deadline and whom to send it to; the report's details (case handler,
introduction) stay with the secretariat.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..contract import (
    COLOUR_WORDS,
    GOAL_SHEET,
    GUIDE_SHEET,
    HEADER_NAMES,
    LAST_ROUND_HEADERS,
    centre_key,
)
from ..design.look import Look
from ..design.wording import Wording
from ..files import safe_name
from ..model import Goal, PlacedGoal, Report, Status
from ..pictures import png

HEADER_ROW = 3
# (field, width, filled in by the secretariat), headed as the contract names them
COLUMNS = (
    ("id", 8, True),
    ("theme", 20, True),
    ("focus_area", 18, True),
    ("effect_goal", 30, True),
    ("goal", 44, True),
    ("measure", 26, True),
    ("centre", 14, True),
    ("result", 11, False),
    ("timeline", 11, False),
    ("comment", 48, False),
)
# Beside them in a workbook made from a follow-up: what the centre reported last time.
LAST_COLUMNS = (
    ("last_result", 11, True),
    ("last_timeline", 11, True),
    ("last_comment", 48, True),
)
COLUMN = {name: get_column_letter(i)
          for i, (name, _, _) in enumerate(COLUMNS + LAST_COLUMNS, start=1)}
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
LAST_FONT_COLOUR = "595959"  # grey, and still readable in print
HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
MISSING_COMMENT_FILL = PatternFill("solid", bgColor="FFE699")
THIN = Side(style="thin", color="A6A6A6")
FONT = "Arial"
LINE_POINTS = 13  # one line of 10-point text
MAX_HEIGHT = 409  # points: the tallest row Excel takes
# Room left in every goal row for the comment the centre writes: three sentences. A row's
# height is fixed (see _fit_height), so a longer comment would be cut off in print.
COMMENT_ROOM = 400


def _font(size: float = 10, **style) -> Font:
    return Font(name=FONT, size=size, **style)


def _lines(text: str, width: float) -> int:
    """Lines a text takes wrapped at words in a column `width` characters wide (10-point
    Arial fits about 1.1 characters a width unit)."""
    per_line = max(1, int(width * 1.1))
    return sum(len(textwrap.wrap(part, per_line)) or 1 for part in text.split("\n"))


def _fit_height(sheet, row: int, room: dict[str, int] | None = None) -> None:
    """A height for the row's wrapped text, and for `room` (column letter -> characters
    still to be written there): spreadsheets do not re-fit rows on opening, and do not
    grow a row whose height a file sets when text is typed into it."""
    lines = 1
    for cell in sheet[row]:
        if isinstance(cell.value, str):
            width = sheet.column_dimensions[cell.column_letter].width or 10
            lines = max(lines, _lines(cell.value, width))
    for letter, characters in (room or {}).items():
        width = sheet.column_dimensions[letter].width or 10
        lines = max(lines, math.ceil(characters / max(1, int(width * 1.1))) + 1)
    sheet.row_dimensions[row].height = min(lines * LINE_POINTS + 4, MAX_HEIGHT)


def place_goals(report: Report) -> list[PlacedGoal]:
    """Every goal of the report in order; a goal without an Id gets its place in the plan
    (theme.area.goal) as one, so that the same plan gives the same Ids — never an Id that
    another goal has: a place taken by another goal's Id is told apart by a suffix."""
    taken = {goal.id for goal in report.goals() if goal.id}
    placed = []
    for t, theme in enumerate(report.themes, start=1):
        for a, area in enumerate(theme.focus_areas, start=1):
            for g, goal in enumerate(area.goals, start=1):
                if not goal.id:
                    place = candidate = f"{t}.{a}.{g}"
                    suffix = 1
                    while candidate in taken:
                        suffix += 1
                        candidate = f"{place}-{suffix}"
                    taken.add(candidate)
                    goal = replace(goal, id=candidate)
                placed.append(PlacedGoal(theme.name, area.name, area.effect_goals, goal))
    return placed


def centre_workbooks(report: Report, wording: Wording, look: Look,
                     follow_up: str | None = None, centres: Sequence[str] = (),
                     deadline: str | None = None, return_to: str | None = None,
                     ) -> dict[str, bytes]:
    """File name -> workbook, one per centre (all centres, or those named, matched as
    contract.centre_key says), in the templates' wording and look."""
    by_centre: dict[str, list[PlacedGoal]] = {}
    for placed in place_goals(report):
        by_centre.setdefault(placed.goal.centre, []).append(placed)
    keys = {centre_key(centre) for centre in centres}
    wanted = [c for c in by_centre if not keys or centre_key(c) in keys]
    meta = replace(report.meta, follow_up=follow_up or report.meta.follow_up)
    # A follow-up (not the plan) has statuses: every centre's workbook then shows its own.
    last_round = any(goal.result or goal.timeline or goal.comment for goal in report.goals())
    files: dict[str, bytes] = {}
    for centre in wanted:
        name = safe_name(centre)
        while f"{name}.xlsx" in files:  # two codes that make the same file name
            name += "_"
        files[f"{name}.xlsx"] = _workbook(centre, by_centre[centre], meta, wording, look,
                                          deadline, return_to, last_round)
    return files


def _text(cell, value) -> None:
    """A value as text: a goal that starts with = + - @ must never become a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _words(statuses: tuple[Status, ...]) -> str | None:
    return " / ".join(COLOUR_WORDS[status] for status in statuses) or None


def _last_values(goal: Goal) -> tuple[str | None, ...]:
    return _words(goal.result), _words(goal.timeline), goal.comment


def _workbook(centre: str, goals: list[PlacedGoal], meta, wording: Wording, look: Look,
              deadline: str | None, return_to: str | None, last_round: bool) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = GOAL_SHEET
    _goal_sheet(sheet, centre, goals, meta, look, last_round)
    _guide_sheet(workbook.create_sheet(GUIDE_SHEET), centre, meta, wording, look, deadline,
                 return_to)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _goal_sheet(sheet, centre: str, goals: list[PlacedGoal], meta, look: Look,
                last_round: bool) -> None:
    title = " – ".join(p for p in (meta.title, meta.follow_up, centre) if p)
    _text(sheet["A1"], title)
    sheet["A1"].font = _font(14, bold=True)
    grey = (" De grå kolonner til højre viser, hvad I indberettede sidst." if last_round
            else "")
    _text(sheet["A2"], "Vælg status for resultat og tidsplan i de hvide felter (grøn, gul "
          f"eller rød). Gul og rød kræver en kort kommentar. Se fanen Vejledning.{grey}")
    sheet["A2"].font = _font(italic=True)
    columns = COLUMNS + (LAST_COLUMNS if last_round else ())
    headers = {**HEADER_NAMES, **LAST_ROUND_HEADERS}
    for index, (name, width, _) in enumerate(columns, start=1):
        cell = sheet.cell(HEADER_ROW, index)
        _text(cell, headers[name])
        cell.font = _font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = Border(bottom=THIN)
        sheet.column_dimensions[get_column_letter(index)].width = width
    _fit_height(sheet, HEADER_ROW)
    previous_area = None
    for row, placed in enumerate(goals, start=HEADER_ROW + 1):
        goal = placed.goal
        area = (placed.theme, placed.focus_area)
        values = (goal.id, placed.theme, placed.focus_area,
                  "\n".join(placed.effect_goals) if area != previous_area else None,
                  goal.text, goal.measure, goal.centre, None, None, None,
                  *(_last_values(goal) if last_round else ()))
        previous_area = area
        for index, ((name, _, locked), value) in enumerate(zip(columns, values, strict=True),
                                                            start=1):
            cell = sheet.cell(row, index)
            _text(cell, value)
            cell.font = _font(color=LAST_FONT_COLOUR) if name.startswith("last_") else _font()
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.border = Border(bottom=THIN, right=THIN)
            if locked:
                cell.fill = LOCKED_FILL
            else:
                cell.protection = Protection(locked=False)
        _fit_height(sheet, row, {COLUMN["comment"]: COMMENT_ROOM})
    last = HEADER_ROW + len(goals)
    _status_rules(sheet, last, look)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(columns))}{last}"
    sheet.protection.sheet = True  # no password: a lock against slips, not against people
    sheet.protection.autoFilter = False  # False: allowed while protected
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    _print_setup(sheet, f"{HEADER_ROW}:{HEADER_ROW}")


def _status_rules(sheet, last: int, look: Look) -> None:
    first = HEADER_ROW + 1
    result, timeline, comment = COLUMN["result"], COLUMN["timeline"], COLUMN["comment"]
    statuses = f"{result}{first}:{timeline}{max(last, first)}"
    validation = DataValidation(
        type="list", formula1=f'"{",".join(COLOUR_WORDS.values())}"', allow_blank=True,
        showInputMessage=True, promptTitle="Status",
        prompt="Vælg grøn, gul eller rød. Gul og rød kræver en kommentar.",
        showErrorMessage=True, errorStyle="warning", errorTitle="Ukendt status",
        error="Vælg grøn, gul eller rød. To statusser skrives »gul / grøn«.")
    validation.add(statuses)
    sheet.add_data_validation(validation)
    for status, word in COLOUR_WORDS.items():
        fill = PatternFill("solid", bgColor=look.smiley(status)[0].lstrip("#"))
        test = f'LOWER(LEFT(TRIM({result}{first}),{len(word)}))="{word}"'
        sheet.conditional_formatting.add(statuses, FormulaRule(formula=[test], fill=fill,
                                                               stopIfTrue=True))
    needs = (f'AND(LEN(TRIM({comment}{first}))=0,'
             f'OR(ISNUMBER(SEARCH("gul",${result}{first}&${timeline}{first})),'
             f'ISNUMBER(SEARCH("rød",${result}{first}&${timeline}{first}))))')
    sheet.conditional_formatting.add(f"{comment}{first}:{comment}{max(last, first)}",
                                     FormulaRule(formula=[needs], fill=MISSING_COMMENT_FILL))


def _guide_sheet(sheet, centre: str, meta, wording: Wording, look: Look,
                 deadline: str | None, return_to: str | None) -> None:
    sheet.column_dimensions["A"].width = 9
    sheet.column_dimensions["B"].width = 90
    _text(sheet["A1"], f"Vejledning – {centre}")
    sheet["A1"].font = _font(14, bold=True)
    _text(sheet["B2"], wording.legend_intro)
    sheet["B2"].font = _font(bold=True)
    _text(sheet["B3"], meta.follow_up or wording.legend_heading)
    sheet["B3"].font = _font(bold=True)
    for row, legend in enumerate(wording.legend, start=4):
        picture = Image(io.BytesIO(png(look.picture(f"smiley:{legend.status.value}"), 96)))
        picture.width = picture.height = 40
        sheet.add_image(picture, f"A{row}")
        _text(sheet[f"B{row}"], f"• {legend.result}\n• {legend.timeline}")
        sheet[f"B{row}"].font = _font()
        sheet[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="center")
        sheet.row_dimensions[row].height = 36
    lines = [
        ("", None),
        (wording.comment_rule, _font(italic=True)),
        ("", None),
        ("Sådan udfylder I: vælg i kolonnerne Resultat og Tidsplan grøn, gul eller rød i "
         "listen. Feltet bliver farvet efter valget. Et kommentarfelt, der bliver gult, "
         "mangler den kommentar, som gul eller rød kræver. De grå felter er låst.", None),
    ]
    if deadline:
        lines.append((f"Frist: {deadline}", _font(bold=True)))
    if return_to:
        lines.append((f"Returneres til: {return_to}", _font(bold=True)))
    for row, (text, font) in enumerate(lines, start=7):
        _text(sheet[f"B{row}"], text or None)
        sheet[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        sheet[f"B{row}"].font = font or _font()
        _fit_height(sheet, row)
    sheet.protection.sheet = True
    _print_setup(sheet)


def _print_setup(sheet, title_rows: str | None = None) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows
