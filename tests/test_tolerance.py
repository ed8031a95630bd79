"""What people do to workbooks, read as they meant it; and the checks that send it back."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color

from reportgen.cli import main
from reportgen.commands.build import build
from reportgen.reader import read_workbook
from reportgen.round import Round
from reportgen.writers import RenderOptions, writer

from .helpers import HEADERS, docx_text, goal_row, pdf_text, squash, write_workbook


def goals_of(result) -> list[dict]:
    records = json.loads(writer("json")(result.report, RenderOptions()))
    return [g for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]]


def edit(path, change):
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    workbook.save(path)
    return path


def test_status_given_only_as_fill_colour_rgb_indexed_and_theme(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row(f"M{i}", None, None) for i in range(4)])

    def paint(workbook):
        sheet = workbook["Mål"]
        sheet["F2"].fill = PatternFill("solid", fgColor="00B050")            # rgb green
        sheet["G2"].fill = PatternFill("solid", fgColor=Color(indexed=13))   # indexed yellow
        # accent3 of the workbook's own theme (green in the theme openpyxl writes)
        sheet["F3"].fill = PatternFill("solid", fgColor=Color(theme=6, tint=0.4))
        sheet["G3"].fill = PatternFill("solid", fgColor="FFC7CE")            # Excel's "Bad"
        sheet["F4"].fill = PatternFill("solid", fgColor="5B9BD5")            # blue: unclear
        sheet["G4"].fill = PatternFill("solid", fgColor="D9D9D9")            # grey: no status
        sheet["F5"] = "gul"
        sheet["F5"].fill = PatternFill("solid", fgColor="FF0000")            # text wins
        sheet["G5"] = "grøn"
    result = read_workbook(edit(path, paint))
    assert [(g["result"], g["timeline"]) for g in goals_of(result)] == [
        (["green"], ["yellow"]), (["green"], ["red"]), ([], []), (["yellow"], ["green"])]
    found = [(f.code, f.cell) for f in result.findings]
    assert ("RG212", "F4") in found and ("RG205", "F4") in found
    (not_reported,) = [f for f in result.findings if f.code == "RG205"]  # one for the goal
    assert "resultatet (F4) og tidsplanen (G4)" in not_reported.message
    assert ("RG211", "F5") in found
    disagree = next(f for f in result.findings if f.code == "RG211")
    assert "»gul«" in disagree.message and "rød" in disagree.message
    assert ("RG202", "H5") in found  # the text's yellow still needs its comment


def test_hidden_rows_columns_are_read_and_hidden_sheets_ignored(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("Synlig"), goal_row("Skjult række")])

    def hide(workbook):
        sheet = workbook["Mål"]
        sheet.row_dimensions[3].hidden = True
        sheet.column_dimensions["I"].hidden = True
        decoy = workbook.create_sheet("Gammel", 0)
        decoy.sheet_state = "hidden"
        for row in (HEADERS, goal_row("Fra skjult ark")):
            decoy.append(list(row))
        workbook["Mål"].title = "Opfølgning"  # not a goal-sheet name: found by its headers
    result = read_workbook(edit(path, hide))
    assert [(g["text"], g["centre"]) for g in goals_of(result)] == [
        ("Synlig", "CPU/BGE"), ("Skjult række", "CPU/BGE")]


def test_merged_cells_in_any_column_mean_the_value_of_the_range(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A"), goal_row("B", centre=None),
                                                goal_row("C", area=None, centre=None)])
    result = read_workbook(edit(path, lambda wb: (wb["Mål"].merge_cells("I2:I4"),
                                                  wb["Mål"].merge_cells("B2:B4"))))
    assert result.findings == []
    assert [g["centre"] for g in goals_of(result)] == ["CPU/BGE"] * 3


def test_heading_rows_set_theme_area_and_effect_goal_for_the_rows_below(tmp_path):
    rows = [["Tema 2", None, None, None, None, None, None, None, None],
            [None, "Vision", "Effekt A\nEffekt B", None, None, None, None, None, None],
            [None, None, None, "Mål 1", None, "grøn", "grøn", None, "BGE"]]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", rows))
    assert result.findings == [] and result.rows_read == {"a.xlsx": 1}
    records = json.loads(writer("json")(result.report, RenderOptions()))
    area = records["themes"][0]["focus_areas"][0]
    assert (records["themes"][0]["name"], area["name"], area["effect_goals"]) == (
        "Tema 2", "Vision", ["Effekt A", "Effekt B"])


def test_formula_without_cached_value_is_an_error_naming_its_cell(tmp_path):
    # openpyxl writes formulas without results, as a file never opened in Excel has them
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A"), goal_row("B")])
    result = read_workbook(edit(path, lambda wb: wb["Mål"].__setitem__("F3", '=IF(1,"gul")')))
    assert [(f.code, f.cell) for f in result.findings] == [("RG206", "F3")]
    assert "åbn filen i excel" in result.findings[0].message.lower()


def test_every_finding_at_once_with_the_centre(tmp_path):
    rows = [goal_row("A", "blå", centre="CSS"), goal_row("B", "rød", centre="CPU"),
            goal_row("C", None, centre="CPU")]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", rows))
    assert [(f.code, f.cell, f.centre) for f in result.findings] == [
        ("RG201", "F2", "CSS"), ("RG202", "H3", "CPU"), ("RG205", "F4", "CPU")]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_findings_sheet_to_send_back(tmp_path, monkeypatch, suffix):
    monkeypatch.chdir(tmp_path)
    write_workbook(tmp_path / "input" / "c.xlsx",
                   [goal_row("A", "blå", centre="=CSS"), goal_row("B", "rød", centre="CPU")])
    result = CliRunner().invoke(main, ["check", "--findings", f"fund{suffix}"])
    assert result.exit_code == 1
    data = (tmp_path / f"fund{suffix}").read_bytes()
    if suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Fund"]
        assert sheet.auto_filter.ref == "A1:I3"
        rows = [[c.value or "" for c in row] for row in sheet.iter_rows()]
        assert sheet["C2"].data_type == "s"
    assert rows[0] == ["Alvor", "Kode", "Center", "Id", "Mål", "Fil", "Ark", "Celle", "Besked"]
    centre = "'=CSS" if suffix == ".csv" else "=CSS"
    assert [r[:8] for r in rows[1:]] == [
        ["fejl", "RG201", centre, "", "A", "c.xlsx", "Mål", "F2"],
        ["fejl", "RG202", "CPU", "", "B", "c.xlsx", "Mål", "H3"]]


def test_draft_marks_every_gap_and_lists_them_at_the_end(tmp_path):
    path = write_workbook(tmp_path / "d.xlsx", [goal_row("Uden status", result=None),
                                                goal_row("Uden kommentar", "gul"),
                                                goal_row("Klar")])
    assert [f.code for f in build(Round([path]), tmp_path / "final", ("json",)).errors] == [
        "RG205", "RG202"]
    outcome = build(Round([path]), tmp_path / "out", ("pdf", "docx"), RenderOptions(draft=True))
    assert outcome.errors == [] and outcome.goals_rendered == 3
    for text in (pdf_text(outcome.written[0].read_bytes()),
                 docx_text(outcome.written[1].read_bytes())):
        flat = squash(text)
        assert flat.startswith(squash("KLADDE – ikke til offentliggørelse"))
        tail = flat[flat.index(squash("Mangler i kladden")):]
        assert squash("Mål, der ikke er indberettet (1) CPU/BGE: Uden status") in tail
        assert squash("Gule og røde mål uden kommentar (1) CPU/BGE: Uden kommentar") in tail
        assert squash("d.xlsx › Mål › række 3") in tail
        assert "Klar" not in tail


FIXTURES = {
    "one": lambda d: [write_workbook(d / "a.xlsx", [goal_row("A"), goal_row("B")])],
    "blank rows": lambda d: [write_workbook(d / "a.xlsx", [goal_row("A"), [None] * 9,
                                                           goal_row("B", theme="T2")])],
    "two workbooks": lambda d: [write_workbook(d / "a.xlsx", [goal_row("A")]),
                                write_workbook(d / "b.xlsx", [goal_row("B", area="X")])],
    "headings": lambda d: [write_workbook(d / "a.xlsx", [["T"] + [None] * 8,
                                                         goal_row("A", theme=None)])],
    "default": lambda d: [__import__("tests.conftest").conftest.DEFAULT_INPUT],
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_nothing_lost_every_goal_row_read_is_rendered(tmp_path, name):
    inputs = FIXTURES[name](tmp_path)
    outcome = build(Round(inputs), tmp_path / "out", ("json", "pdf", "docx"))
    assert outcome.errors == []
    records = json.loads((tmp_path / "out").joinpath(outcome.written[0].name).read_text())
    goals = [g for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]]
    assert sum(outcome.rows_read.values()) == outcome.goals_rendered == len(goals)
    pdf = squash(pdf_text(outcome.written[1].read_bytes()))
    docx = squash(docx_text(outcome.written[2].read_bytes()))
    for goal in goals:
        assert squash(goal["text"]) in pdf and squash(goal["text"]) in docx
