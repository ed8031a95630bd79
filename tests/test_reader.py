"""The workbook reader: the contract of `workbook.md`, asserted on records and findings."""

from __future__ import annotations

import json

import openpyxl
import pytest

from reportgen.model import Status
from reportgen.reader import clean_text, parse_status, read_workbook, read_workbooks
from reportgen.writers import RenderOptions, writer

from .helpers import HEADERS, goal_row, write_workbook

G, Y, R = Status.GREEN, Status.YELLOW, Status.RED


def records(result) -> dict:
    return json.loads(writer("json")(result.report, RenderOptions()))


def codes(result) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in result.findings]


def test_defusedxml_guards_openpyxl():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(("cell", "expected"), [
    ("grøn", (G,)), ("  GRØN ", (G,)), ("Groen", (G,)), ("green", (G,)), ("🟢", (G,)),
    ("😊", (G,)), ("☺️", (G,)), ("gul", (Y,)), ("Yellow", (Y,)), ("😐", (Y,)),
    ("rød", (R,)), ("ROED", (R,)), ("🔴", (R,)), ("🙁", (R,)),
    ("gul / grøn", (Y, G)), ("rød/gul", (R, Y)), ("", ()), (None, ()), ("   ", ()),
    ("G", None), ("blå", None), ("gul / grøn / rød", None), ("gul /", None),
])
def test_status_words(cell, expected):
    assert parse_status(cell) == expected


def test_clean_text_removes_what_no_writer_takes():
    assert clean_text("a\r\nb\rc\x0bd\x00e\x1b\ufffff\ud800") == "a\nb\nc\nde" + "f"


def test_header_row_below_title_rows_with_columns_in_any_order(tmp_path):
    headers = ("Center", "Status tidsplan", "Goal", "Theme ", "Indsatsomraade:", "Status resultat",
               "Noter")
    path = write_workbook(
        tmp_path / "a.xlsx", [("BGE", "gul", "Mål A", "T1", "Vision", "grøn")],
        headers=headers, above=[("Opfølgning 2026",), ("Udfyld de grønne felter",), ()])
    result = read_workbook(path)
    goal = records(result)["themes"][0]["focus_areas"][0]["goals"][0]
    assert (goal["text"], goal["centre"], goal["result"], goal["timeline"]) == (
        "Mål A", "BGE", ["green"], ["yellow"])
    assert goal["source"] == {"file": "a.xlsx", "sheet": "Mål", "row": 5}
    # yellow without comment, and the unknown column named as a notice
    assert codes(result) == [("RG901", "G4"), ("RG202", "C5")]


def test_same_as_above_and_effect_goals_as_bullets(tmp_path):
    rows = [
        goal_row("A1", effect="• Første effekt\n• Anden effekt"),
        ["", "", None, "A2", None, "grøn", "grøn", None, "BGE"],
        [None, "Bosætning", "Tilvækst", "B1", "Måles i CPR", "grøn", "grøn", None, "BGE"],
        [None, None, None, "B2", None, "grøn", "grøn", None, "BGE"],
        ["Tema 2", "Vision", None, "C1", None, "grøn", "grøn", None, "BGE"],
    ]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", rows))
    assert result.findings == []
    themes = records(result)["themes"]
    assert [t["name"] for t in themes] == ["Tema 1: Mærk Næstved", "Tema 2"]
    vision, settlement = themes[0]["focus_areas"]
    assert vision["effect_goals"] == ["Første effekt", "Anden effekt"]
    assert [g["text"] for g in vision["goals"]] == ["A1", "A2"]
    assert settlement["effect_goals"] == ["Tilvækst"]
    assert settlement["goals"][0]["measure"] == "Måles i CPR"
    # a new theme does not inherit the effect goals of the area above
    assert themes[1]["focus_areas"][0]["effect_goals"] == []


def test_merged_theme_cells_mean_same_as_above(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A1"), goal_row("A2", theme=None)])
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"].merge_cells("A2:A3")
    workbook.save(path)
    goals = records(read_workbook(path))["themes"][0]["focus_areas"][0]["goals"]
    assert [g["text"] for g in goals] == ["A1", "A2"]


def test_empty_and_blank_rows_are_skipped_and_comments_keep_line_breaks(tmp_path):
    rows = [goal_row("A1", "gul", comment="Linje 1\r\nLinje 2"), [None] * 9, ["  "] * 9,
            goal_row("A2")]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", rows))
    goals = records(result)["themes"][0]["focus_areas"][0]["goals"]
    assert [(g["text"], g["comment"], g["source"]["row"]) for g in goals] == [
        ("A1", "Linje 1\nLinje 2", 2), ("A2", None, 5)]
    assert result.rows_read == {"a.xlsx": 2}


def test_numbers_and_dates_in_text_cells_read_as_shown(tmp_path):
    import datetime as dt

    rows = [goal_row(2026, measure=dt.datetime(2026, 3, 1), comment=None),
            goal_row(1.5, measure=dt.date(2026, 3, 1)),
            goal_row(0.25, measure=1234567.891)]
    path = write_workbook(tmp_path / "a.xlsx", rows)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Mål"]
    sheet["E3"].number_format = "d. mmmm yyyy"
    sheet["D3"].number_format = "0.00"
    sheet["D4"].number_format = "0%"
    sheet["E4"].number_format = "#,##0.00"
    workbook.save(path)
    goals = records(read_workbook(path))["themes"][0]["focus_areas"][0]["goals"]
    assert [(g["text"], g["measure"]) for g in goals] == [
        ("2026", "2026-03-01"), ("1,50", "1. marts 2026"), ("25%", "1.234.567,89")]


def test_every_finding_names_its_cell(tmp_path):
    rows = [
        goal_row("A1", result="blå"),
        goal_row("A2", result="rød"),
        goal_row(None),
        goal_row("A4", centre=None),
        goal_row("A5", timeline=None),
    ]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", rows))
    assert codes(result) == [("RG201", "F2"), ("RG202", "H3"), ("RG203", "D4"),
                             ("RG204", "I5"), ("RG205", "G6")]
    unknown = result.findings[0]
    assert "»blå«" in unknown.message and "grøn, gul, rød" in unknown.message
    assert unknown.where == "a.xlsx › Mål › F2"
    # the goals that can be read are still read
    goals = records(result)["themes"][0]["focus_areas"][0]["goals"]
    assert [(g["text"], g["result"], g["timeline"]) for g in goals] == [
        ("A1", [], ["green"]), ("A2", ["red"], ["green"]), ("A5", ["green"], [])]


def test_missing_required_column_is_named(tmp_path):
    headers = [h for h in HEADERS if h != "Tidsplan"]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", [["T", "V", None, "A", None, "grøn",
                                                                 None, "C"]], headers=headers))
    assert [(f.code, f.sheet) for f in result.findings] == [("RG104", "Mål")]
    assert "»Tidsplan«" in result.findings[0].message


def test_goal_sheet_found_by_its_headers_when_not_named(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A1")], sheet="Ark1")
    assert records(read_workbook(path))["themes"][0]["focus_areas"][0]["goals"][0]["text"] == "A1"


def test_workbook_without_goal_sheet(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [], headers=("Navn", "Adresse"))
    assert [f.code for f in read_workbook(path).findings] == ["RG103"]


@pytest.mark.parametrize(("content", "code"), [
    (b"Tema;Mal\nx;y\n", "RG101"),                       # a CSV renamed .xlsx
    (b"PK\x03\x04 broken zip", "RG101"),                 # corrupt
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "RG102"),  # .xls or encrypted (OLE2)
])
def test_files_that_are_not_workbooks(tmp_path, content, code):
    path = tmp_path / "centre.xlsx"
    path.write_bytes(content)
    result = read_workbook(path)
    assert [(f.code, f.file) for f in result.findings] == [(code, "centre.xlsx")]
    assert "xlsx" in result.findings[0].message


def test_report_sheet(tmp_path):
    meta = [("Titel:", "Tema 2"), ("SAGSNR.", "01-02"), ("Indledning", "Første.\n\nAnden."),
            (None, "Tredje."), ("Farve", "blå"), ("Revideret", None)]
    result = read_workbook(write_workbook(tmp_path / "a.xlsx", [goal_row("A")], meta=meta))
    assert records(result)["meta"] == {
        "title": "Tema 2", "subtitle": None, "case_number": "01-02", "case_handler": None,
        "date": None, "revised": None, "follow_up": None,
        "intro": ["Første.", "Anden.", "Tredje."]}
    assert codes(result) == [("RG301", "A5")]


def test_several_workbooks_are_one_report_and_only_the_same_goal_is_merged(tmp_path):
    headers = (*HEADERS, "Id")
    a = write_workbook(tmp_path / "a.xlsx", [goal_row("A1") + ["1"], goal_row("A2") + [None]],
                       headers=headers, meta=[("Titel", "T")])
    b = write_workbook(tmp_path / "b.xlsx", [goal_row("A1") + ["1"],
                                             goal_row("A2") + [None],
                                             goal_row("B1", area="Bosætning") + [None]],
                       headers=headers, meta=[("Titel", "T")])
    result = read_workbooks([a, b])
    assert codes(result) == [("RG402", "D2"), ("RG402", "D3")]
    assert "a.xlsx › Mål › D2" in result.findings[0].message
    areas = records(result)["themes"][0]["focus_areas"]
    assert [[g["text"] for g in a["goals"]] for a in areas] == [["A1", "A2"], ["B1"]]
    assert result.rows_read == {"a.xlsx": 2, "b.xlsx": 3}


def test_the_same_goal_with_different_statuses_or_metadata_is_an_error(tmp_path):
    a = write_workbook(tmp_path / "a.xlsx", [goal_row("A1")], meta=[("Titel", "T1")])
    b = write_workbook(tmp_path / "b.xlsx", [goal_row("A1", "rød", comment="Forsinket")],
                       meta=[("Titel", "T2")])
    result = read_workbooks([a, b])
    found = {f.code: f for f in result.findings}
    assert set(found) == {"RG401", "RG302"}
    assert found["RG401"].where == "a.xlsx › Mål › D2"
    assert "b.xlsx › Mål › D2" in found["RG401"].message
    assert "a.xlsx" in found["RG302"].message and "b.xlsx" in found["RG302"].message
    assert "»Titel«" in found["RG302"].message


def test_two_inputs_with_the_same_name_are_told_apart(tmp_path):
    a = write_workbook(tmp_path / "a" / "centre.xlsx", [goal_row("A1"), goal_row("A2")])
    b = write_workbook(tmp_path / "b" / "centre.xlsx", [goal_row("B1", "blå", area="X")])
    result = read_workbooks([a, b])
    assert result.rows_read == {str(a): 2, str(b): 1}
    assert [f.file for f in result.findings] == [str(b)]
    assert [g["source"]["file"] for t in records(result)["themes"]
            for area in t["focus_areas"] for g in area["goals"]] == [str(a), str(a), str(b)]
