"""Nothing lost, nothing altered, nothing published that was not meant.

Each test makes the workbook a centre really sends (its own numbering, merged cells,
hidden columns and sheets, a copy of a sheet) and asserts on the JSON records and on the
text of both documents: every goal row read is in every output, as written.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import docx
import openpyxl
import pdfplumber
import pytest
from docx.oxml.ns import qn

from reportgen import files
from reportgen.commands import build as build_module
from reportgen.commands.build import build
from reportgen.commands.check import check
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.design.look import load_look
from reportgen.design.wording import load_wording
from reportgen.errors import ReportgenError
from reportgen.reader import read_workbooks
from reportgen.round import Round
from reportgen.round.centre_workbooks import centre_workbooks

from .helpers import HEADERS, docx_text, goal_row, pdf_text, squash, write_workbook

WITH_NR = (*HEADERS, "Nr.")
WITH_ID = (*HEADERS, "Id")


def built(tmp_path: Path, *inputs: Path, formats=("pdf", "docx", "json"), **options):
    """The outputs of a build that must succeed: format -> bytes."""
    outcome = build(Round(list(inputs)), tmp_path / "out", formats, **options)
    assert not outcome.errors, [str(f) for f in outcome.errors]
    return outcome, {path.suffix[1:]: path.read_bytes() for path in outcome.written}


def json_goals(data: bytes) -> list[dict]:
    records = json.loads(data)
    return [goal for theme in records["themes"] for area in theme["focus_areas"]
            for goal in area["goals"]]


def assert_everywhere(outputs: dict[str, bytes], texts: list[str]) -> None:
    """Each text in the JSON, the PDF and the DOCX, in that order."""
    records = json.dumps(json.loads(outputs["json"]), ensure_ascii=False)
    pdf, docx_ = squash(pdf_text(outputs["pdf"])), squash(docx_text(outputs["docx"]))
    for text in texts:
        assert text in records, text
        assert squash(text) in pdf, text
        assert squash(text) in docx_, text


def codes(findings) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in findings]


# 1. Different goals are never merged into one


def test_each_centre_numbering_its_own_goals_keeps_every_goal(tmp_path):
    a = write_workbook(tmp_path / "CPU.xlsx", [goal_row("Mål A", centre="CPU") + ["1"],
                                                goal_row("Mål B", centre="CPU") + ["2"]],
                       headers=WITH_NR)
    b = write_workbook(tmp_path / "CSO.xlsx", [goal_row("Mål C", centre="CSO") + ["1"],
                                                goal_row("Mål D", centre="CSO") + ["2"]],
                       headers=WITH_NR)
    outcome, outputs = built(tmp_path, a, b)
    goals = json_goals(outputs["json"])
    assert [(g["text"], g["centre"], g["id"]) for g in goals] == [
        ("Mål A", "CPU", None), ("Mål B", "CPU", None), ("Mål C", "CSO", None),
        ("Mål D", "CSO", None)]
    assert outcome.goals_rendered == sum(outcome.rows_read.values()) == 4
    assert_everywhere(outputs, ["Mål A", "Mål B", "Mål C", "Mål D"])
    notices = [f for f in outcome.findings if f.code == "RG904"]
    assert {f.file for f in notices} == {"CPU.xlsx", "CSO.xlsx"}
    assert "Nr." in notices[0].message


def test_numbering_that_restarts_in_each_theme_keeps_every_theme(tmp_path):
    rows = [goal_row("Vision 1") + ["1"], goal_row("Vision 2") + ["2"],
            goal_row("Bolig 1", theme="Tema 2: Bosætning", area="Bolig") + ["1"],
            goal_row("Bolig 2", theme="Tema 2: Bosætning", area="Bolig") + ["2"]]
    outcome, outputs = built(tmp_path, write_workbook(tmp_path / "a.xlsx", rows,
                                                      headers=WITH_NR))
    records = json.loads(outputs["json"])
    assert [t["name"] for t in records["themes"]] == ["Tema 1: Mærk Næstved",
                                                       "Tema 2: Bosætning"]
    assert [g["text"] for g in json_goals(outputs["json"])] == [
        "Vision 1", "Vision 2", "Bolig 1", "Bolig 2"]
    assert_everywhere(outputs, ["Tema 2: Bosætning", "Bolig 1", "Bolig 2"])


def test_a_numbering_that_is_unique_is_kept_as_the_id(tmp_path):
    rows = [goal_row("A") + ["1.1"], goal_row("B") + ["1.2"]]
    result = read_workbooks([write_workbook(tmp_path / "a.xlsx", rows, headers=WITH_NR)])
    assert [g.id for g in result.report.goals()] == ["1.1", "1.2"]
    assert not result.findings


def test_ids_typed_as_numbers_that_excel_made_equal_are_an_error_naming_both_cells(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("Mål 1.1") + [1.1],
                                                 goal_row("Mål 1.10") + [1.10]],
                          headers=WITH_ID)
    result, findings = check(Round([path]))
    same = [f for f in findings if f.code == "RG403"]
    assert len(same) == 1 and same[0].cell == "D2" and "a.xlsx › Mål › D3" in same[0].message
    assert "»1.1«" in same[0].message and "formatér kolonnen som tekst" in same[0].message
    # both goals are in the model, neither swallowed; and a build stops
    assert [g.text for g in result.report.goals()] == ["Mål 1.1", "Mål 1.10"]
    assert build(Round([path]), tmp_path / "out").errors


def test_ids_are_read_as_shown(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A") + ["1.10"], goal_row("B") + [1.5],
                                                 goal_row("C") + [3], goal_row("D") + [1.2]],
                          headers=WITH_ID)
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"]["J5"].number_format = "0.00"
    workbook.save(path)
    result = read_workbooks([path])
    assert {g.text: g.id for g in result.report.goals()} == {
        "A": "1.10", "B": "1.5", "C": "3", "D": "1.20"}
    assert [g.text for g in result.report.goals()] == ["B", "A", "D", "C"]  # in Id order
    assert not result.findings


def test_the_same_wording_for_two_centres_is_two_goals(tmp_path):
    a = write_workbook(tmp_path / "a.xlsx", [
        goal_row("Udarbejde en handleplan", centre="CPU/BGE", measure="Plan for erhverv")])
    b = write_workbook(tmp_path / "b.xlsx", [
        goal_row("Udarbejde en handleplan", centre="CSO/LHJ", measure="Plan for skoler")])
    outcome, outputs = built(tmp_path, a, b)
    goals = json_goals(outputs["json"])
    assert [(g["centre"], g["measure"]) for g in goals] == [
        ("CPU/BGE", "Plan for erhverv"), ("CSO/LHJ", "Plan for skoler")]
    assert_everywhere(outputs, ["CPU/BGE", "Plan for erhverv", "CSO/LHJ", "Plan for skoler"])
    assert not [f for f in outcome.findings if f.code.startswith("RG4")]


def test_a_goal_cell_merged_over_two_rows_is_a_goal_for_each_centre(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [
        goal_row("Fælles mål for to centre", centre="CPU/BGE", result="grøn"),
        goal_row(None, centre="CSO/LHJ", result="gul", comment="Forsinket af udbud")])
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"].merge_cells("D2:D3")
    workbook.save(path)
    outcome, outputs = built(tmp_path, path)
    goals = json_goals(outputs["json"])
    assert [(g["text"], g["centre"], g["result"]) for g in goals] == [
        ("Fælles mål for to centre", "CPU/BGE", ["green"]),
        ("Fælles mål for to centre", "CSO/LHJ", ["yellow"])]
    assert_everywhere(outputs, ["CPU/BGE", "CSO/LHJ", "Forsinket af udbud"])
    assert squash(pdf_text(outputs["pdf"])).count(squash("Fælles mål for to centre")) == 2


def test_the_same_id_for_another_goal_in_a_second_workbook_is_an_error(tmp_path):
    a = write_workbook(tmp_path / "a.xlsx", [goal_row("Flere borgere", centre="CPU") + ["1.2"]],
                       headers=WITH_ID)
    b = write_workbook(tmp_path / "b.xlsx", [goal_row("Færre ledige", centre="CJB") + ["1.2"]],
                       headers=WITH_ID)
    result, findings = check(Round([a, b]))
    same = next(f for f in findings if f.code == "RG403")
    assert (same.file, same.cell) == ("a.xlsx", "D2")
    assert "»Færre ledige« (CJB) i b.xlsx › Mål › D2" in same.message
    assert [g.text for g in result.report.goals()] == ["Flere borgere", "Færre ledige"]
    assert not [f for f in findings if f.code == "RG401"]  # not "the same goal"


def test_different_goals_with_different_statuses_are_no_conflict(tmp_path):
    a = write_workbook(tmp_path / "a.xlsx", [goal_row("Mål", centre="CPU", result="grøn")])
    b = write_workbook(tmp_path / "b.xlsx", [goal_row("Mål", centre="CSO", result="rød",
                                                      comment="Bag efter")])
    result, findings = check(Round([a, b]))
    assert not findings
    assert len(list(result.report.goals())) == 2


def test_the_same_goal_twice_is_one_goal_and_said(tmp_path):
    row = goal_row("Samme mål", measure="Samme måling")
    result, findings = check(Round([write_workbook(tmp_path / "a.xlsx", [row]),
                              write_workbook(tmp_path / "b.xlsx", [row])]))
    assert len(list(result.report.goals())) == 1
    assert codes(findings) == [("RG402", "D2")]
    assert findings[0].file == "b.xlsx" and "a.xlsx › Mål › D2" in findings[0].message


def test_template_never_hands_out_an_id_another_goal_has(tmp_path):
    plan = write_workbook(tmp_path / "plan.xlsx", [goal_row("Første", centre="CPU") + ["1.1.2"],
                                                    goal_row("Anden", centre="CPU") + [None]],
                          headers=WITH_ID)
    result, _ = check(Round([plan]))
    files = centre_workbooks(result.report, load_wording(DEFAULT_TEMPLATES),
                             load_look(DEFAULT_TEMPLATES))
    out = tmp_path / "round"
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)
    returned, findings = check(Round([out]))
    assert [(g.id, g.text) for g in returned.report.goals()] == [
        ("1.1.2", "Første"), ("1.1.2-2", "Anden")]
    assert not [f for f in findings if f.code.startswith("RG4")]


# 2. Columns chosen the way a person would


def hide(path: Path, columns: str, sheet: str = "Mål") -> Path:
    workbook = openpyxl.load_workbook(path)
    for column in columns:
        workbook[sheet].column_dimensions[column].hidden = True
    workbook.save(path)
    return path


def test_a_hidden_column_is_never_printed_while_a_visible_one_exists(tmp_path):
    headers = (*HEADERS[:7], "Bemærkning", "Center/Centerchef", "Kommentar")
    row = goal_row("Mål A", result="gul")
    row = [*row[:7], "INTERNT: chefen er sygemeldt", row[8], "Forsinket af vejret"]
    path = hide(write_workbook(tmp_path / "a.xlsx", [row], headers=headers), "H")
    outcome, outputs = built(tmp_path, path)
    assert [g["comment"] for g in json_goals(outputs["json"])] == ["Forsinket af vejret"]
    assert_everywhere(outputs, ["Forsinket af vejret"])
    for fmt in ("json", "pdf", "docx"):
        text = outputs[fmt].decode() if fmt == "json" else (
            pdf_text(outputs[fmt]) if fmt == "pdf" else docx_text(outputs[fmt]))
        assert "INTERNT" not in text, fmt
    second = [f for f in outcome.findings if f.code == "RG902"]
    assert [(f.cell, f.severity.value) for f in second] == [("H1", "advarsel")]
    assert "»Bemærkning«" in second[0].message and "»Kommentar« (J1)" in second[0].message
    assert not [f for f in outcome.findings if f.code == "RG901"]


def test_the_only_comment_column_hidden_is_read_with_a_warning(tmp_path):
    path = hide(write_workbook(tmp_path / "a.xlsx", [goal_row("A", "gul", comment="Sent")]),
                "H")
    result, findings = check(Round([path]))
    assert [g.comment for g in result.report.goals()] == ["Sent"]
    assert codes(findings) == [("RG903", "H1")]


def test_an_exact_header_wins_over_an_alias_and_the_second_is_named(tmp_path):
    headers = (*HEADERS[:7], "Kommentarer", "Center/Centerchef", "Kommentar")
    row = goal_row("A", "gul")
    path = write_workbook(tmp_path / "a.xlsx", [[*row[:7], "Gammel", row[8], "Ny"]],
                          headers=headers)
    result, findings = check(Round([path]))
    assert [g.comment for g in result.report.goals()] == ["Ny"]
    assert codes(findings) == [("RG902", "H1")]


def test_center_and_centerchef_columns_are_read_together(tmp_path):
    headers = (*HEADERS[:8], "Center", "Centerchef")
    row = goal_row("A")
    path = write_workbook(tmp_path / "a.xlsx", [[*row[:8], "CPU", "BGE"]], headers=headers)
    result, findings = check(Round([path]))
    assert [g.centre for g in result.report.goals()] == ["CPU/BGE"]
    assert not findings


def test_a_header_with_a_hint_in_brackets_is_recognised(tmp_path):
    headers = (*HEADERS[:7], "Kommentar (udfyldes ved gul og rød)", HEADERS[8])
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A", "gul", comment="Sent")],
                          headers=headers)
    result, findings = check(Round([path]))
    assert [g.comment for g in result.report.goals()] == ["Sent"]
    assert not findings


# 3. Sheets


def sheets(path: Path, *names_and_rows, hidden=()) -> Path:
    """A workbook of several goal sheets: (name, rows) pairs; `hidden` names hidden ones."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in names_and_rows:
        sheet = workbook.create_sheet(name)
        sheet.append(list(HEADERS))
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def test_last_rounds_hidden_sheet_gives_way_to_this_rounds_visible_copy(tmp_path):
    path = sheets(tmp_path / "a.xlsx",
                  ("Mål", [goal_row("A", "rød", comment="Sidste runde")]),
                  ("Mål (2)", [goal_row("A", "grøn")]), hidden=("Mål",))
    outcome, outputs = built(tmp_path, path)
    goals = json_goals(outputs["json"])
    assert [(g["result"], g["source"]["sheet"]) for g in goals] == [(["green"], "Mål (2)")]
    assert "Sidste runde" not in pdf_text(outputs["pdf"])
    notice = next(f for f in outcome.findings if f.code == "RG905")
    assert notice.sheet == "Mål" and "skjulte ark" in notice.message


def test_a_hidden_goals_sheet_gives_way_to_a_visible_one(tmp_path):
    path = sheets(tmp_path / "a.xlsx", ("Goals", [goal_row("Gammel")]),
                  ("Mål", [goal_row("Ny")]), hidden=("Goals",))
    result, findings = check(Round([path]))
    assert [g.text for g in result.report.goals()] == ["Ny"]
    assert [(f.code, f.sheet) for f in findings] == [("RG905", "Goals")]


def test_goals_on_two_sheets_are_both_read(tmp_path):
    path = sheets(tmp_path / "a.xlsx", ("Tema 1", [goal_row("Et")]),
                  ("Tema 2", [goal_row("To", theme="Tema 2")]))
    outcome, outputs = built(tmp_path, path)
    assert [g["text"] for g in json_goals(outputs["json"])] == ["Et", "To"]
    assert outcome.rows_read == {"a.xlsx": 2}
    assert any(f.code == "RG905" and "»Tema 1«, »Tema 2«" in f.message
               for f in outcome.findings)


def test_a_copy_of_a_sheet_with_other_statuses_names_both(tmp_path):
    path = sheets(tmp_path / "a.xlsx", ("Mål", [goal_row("A", "grøn")]),
                  ("Mål (2)", [goal_row("A", "rød", comment="Ændret")]))
    _, findings = check(Round([path]))
    conflict = next(f for f in findings if f.code == "RG401")
    assert conflict.where == "a.xlsx › Mål › D2" and "a.xlsx › Mål (2) › D2" in conflict.message


# 4. Every character kept


def test_the_whole_rapport_sheet_is_read(tmp_path):
    meta = [("Titel", "T"), ("Indledning", "Første afsnit.")]
    meta += [(None, None)] * 250 + [(None, "Sidste afsnit, langt nede.")]
    outcome, outputs = built(tmp_path, write_workbook(tmp_path / "a.xlsx", [goal_row("A")],
                                                      meta=meta))
    assert json.loads(outputs["json"])["meta"]["intro"] == ["Første afsnit.",
                                                            "Sidste afsnit, langt nede."]
    assert_everywhere(outputs, ["Sidste afsnit, langt nede."])


def test_two_values_for_one_rapport_key_is_an_error_naming_both_rows(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A")],
                          meta=[("Titel", "Tema 1"), ("Dato", "August 2018"), ("Titel", "Tema 2")])
    _, findings = check(Round([path]))
    assert codes(findings) == [("RG303", "A3")]
    assert "»Titel«" in findings[0].message and "række 1 og 3" in findings[0].message


def test_a_goal_written_as_a_list_over_several_lines_keeps_its_lines(tmp_path):
    text = "Vi vil:\n1. bygge boliger\n2. skabe job"
    outcome, outputs = built(tmp_path, write_workbook(tmp_path / "a.xlsx", [goal_row(text)]))
    assert [g["text"] for g in json_goals(outputs["json"])] == [text]
    assert "1. bygge boliger\n2. skabe job" in pdf_text(outputs["pdf"])
    document = docx.Document(io.BytesIO(outputs["docx"]))
    cell = next(p for p in document.element.body.iter(qn("w:p"))
                if "bygge boliger" in "".join(t.text or "" for t in p.iter(qn("w:t"))))
    assert len(list(cell.iter(qn("w:br")))) == 2


def test_docxtpl_delimiter_escapes_are_shown_as_typed(tmp_path):
    typed = "Skabelon {_{ navn }_} og {_% if %_}"
    outcome, outputs = built(tmp_path, write_workbook(
        tmp_path / "a.xlsx", [goal_row(typed, "gul", comment="Se {_{ x }_}")]))
    text = docx_text(outputs["docx"])
    assert typed in text and "Se {_{ x }_}" in text


@pytest.mark.parametrize("meta", [None, [], [("Ukendt nøgle", "Tekst")], [("Titel", None)]],
                         ids=["no Rapport sheet", "empty", "unknown key", "key alone"])
def test_a_workbook_without_goal_rows_is_an_error(tmp_path, meta):
    """A centre's empty workbook is an error, not a report short of its goals; a `Rapport`
    sheet that gives no details does not make it the secretariat's workbook of details."""
    path = write_workbook(tmp_path / "a.xlsx", [], meta=meta)
    outcome = build(Round([path]), tmp_path / "out")
    assert codes(outcome.errors) == [("RG208", "A2")]
    assert "RG209" not in [f.code for f in outcome.findings]
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_an_empty_workbook_beside_a_workbook_of_details_is_still_an_error(tmp_path):
    details = write_workbook(tmp_path / "ind" / "oplysninger.xlsx", [],
                             meta=[("Titel", "Opfølgning")])
    empty = write_workbook(tmp_path / "ind" / "CPU-BGE.xlsx", [])
    write_workbook(tmp_path / "ind" / "CSO-LHJ.xlsx", [goal_row("A", centre="CSO/LHJ")])
    outcome = build(Round([tmp_path / "ind"]), tmp_path / "out")
    assert [(f.code, f.file) for f in outcome.errors] == [("RG208", empty.name)]
    assert [(f.code, f.file) for f in outcome.findings if f.code == "RG209"] \
        == [("RG209", details.name)]


# 5. Nothing off the page


def test_long_words_and_addresses_stay_inside_their_cell(tmp_path):
    word = "Bygningsrenoveringsprojektledelses" + "ansvarsfordelingsmodellen" + "x"
    assert len(word) == 60
    url = "https://www.naestved.dk/" + "/".join(["strategiplan-opfoelgning"] * 4) + "/" + "a" * 20
    url = url[:120]
    centre = "center.for.politik.og.udvikling@naestved.dk"
    outcome, outputs = built(tmp_path, write_workbook(tmp_path / "a.xlsx", [
        goal_row(f"{word} {url}", measure=url, centre=centre)]), formats=("pdf",))
    with pdfplumber.open(io.BytesIO(outputs["pdf"])) as pdf:
        checked = 0
        for page in pdf.pages:
            cells = [cell for table in page.find_tables() for cell in table.cells]
            text = "".join(c["text"] for c in page.chars)
            for needle in (word, url, centre):
                start = text.find(needle[:30])
                while start >= 0:
                    chars = [c for c in page.chars[start:] if not c["text"].isspace()]
                    chars = chars[:len(needle)]
                    assert "".join(c["text"] for c in chars).replace("-", "") == needle \
                        or "".join(c["text"] for c in chars) == needle
                    home = next(cell for cell in cells if _inside(chars[0], cell))
                    for char in chars:
                        assert 0 <= char["x0"] and char["x1"] <= page.width, char
                        assert _inside(char, home), (needle, char["text"], char["x1"], home)
                    checked += 1
                    start = text.find(needle[:30], start + 1)
        assert checked == 4  # the word, the URL twice (goal, measure), the centre


def _inside(char, cell, slack: float = 0.5) -> bool:
    x0, top, x1, bottom = cell
    return (char["x0"] >= x0 - slack and char["x1"] <= x1 + slack
            and char["top"] >= top - slack and char["bottom"] <= bottom + slack)


def test_characters_no_font_holds_are_a_warning_naming_the_row(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A", centre="王小明"),
                                                 goal_row("B", comment="สวัสดี 🟢")])
    _, findings = check(Round([path]))
    missing = [f for f in findings if f.code == "RG213"]
    assert [(f.cell, f.severity.value) for f in missing] == [("række 2", "advarsel"),
                                                            ("række 3", "advarsel")]
    assert "Center/Centerchef" in missing[0].message and "U+738B" in missing[0].message
    assert "Kommentar" in missing[1].message and "U+0E2A" in missing[1].message
    assert "1F7E2" not in missing[1].message  # the emoji font has the green circle


def test_danish_text_needs_no_warning(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("Æbler, øl og ål – “godt” … € 5")])
    assert check(Round([path]))[1] == []


# 6. All or nothing on disk


@pytest.fixture
def earlier(tmp_path):
    """A folder with the outputs of an earlier build, and the workbook of the next one."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.pdf").write_bytes(b"old pdf")
    (out / "a.docx").write_bytes(b"old docx")
    return out, write_workbook(tmp_path / "a.xlsx", [goal_row("Ny")])


def refuse_to_replace_the_docx(monkeypatch) -> None:
    """The DOCX cannot be put in place, as when the old one is open in Word on a share."""
    real = os.replace

    def refuse_docx(source, target):
        if str(target).endswith(".docx"):
            raise PermissionError(13, "Permission denied")
        return real(source, target)

    monkeypatch.setattr(files.os, "replace", refuse_docx)


def test_an_output_that_cannot_be_moved_into_place_leaves_both_old_files(earlier,
                                                                         monkeypatch):
    out, workbook = earlier
    refuse_to_replace_the_docx(monkeypatch)
    with pytest.raises(ReportgenError) as failure:
        build(Round([workbook]), out)
    assert failure.value.code == "RG900"
    assert (out / "a.pdf").read_bytes() == b"old pdf"
    assert (out / "a.docx").read_bytes() == b"old docx"
    assert sorted(p.name for p in out.iterdir()) == ["a.docx", "a.pdf"]
    assert "a.docx kunne ikke erstattes" in str(failure.value)
    assert "Intet er ændret" in str(failure.value)


def test_a_folder_with_the_outputs_name_is_refused_before_anything_moves(earlier):
    out, workbook = earlier
    (out / "a.docx").unlink()
    (out / "a.docx").mkdir()
    with pytest.raises(ReportgenError, match="er ikke en almindelig fil"):
        build(Round([workbook]), out)
    assert (out / "a.pdf").read_bytes() == b"old pdf"
    assert sorted(p.name for p in out.iterdir()) == ["a.docx", "a.pdf"]


def test_outputs_honour_the_umask(earlier):
    out, workbook = earlier
    old = os.umask(0o077)
    try:
        build(Round([workbook]), out, ("json",))
    finally:
        os.umask(old)
    assert (out / "a.json").stat().st_mode & 0o777 == 0o600


def test_the_command_says_what_is_on_disk_when_a_move_fails(earlier, monkeypatch):
    from click.testing import CliRunner

    from reportgen.cli import main

    out, workbook = earlier
    refuse_to_replace_the_docx(monkeypatch)
    result = CliRunner().invoke(main, ["build", str(workbook), "-o", str(out)])
    assert result.exit_code == 1
    assert "RG900 fejl: Rapporten kunne ikke skrives." in result.stderr
    assert "Intet er ændret: de tidligere filer ligger, som de lå." in result.stderr
    assert "Traceback" not in result.output
    assert (out / "a.pdf").read_bytes() == b"old pdf"


def test_render_makes_every_format_in_memory_and_writes_nothing(tmp_path):
    from reportgen.commands.build import render

    result, _ = check(Round([write_workbook(tmp_path / "a.xlsx", [goal_row("I hukommelsen")])]))
    before = set(tmp_path.iterdir())
    outputs = render(result.report, build_module.RenderOptions(), ("json", "pdf", "docx"))
    assert list(outputs) == ["json", "pdf", "docx"]
    assert_everywhere(outputs, ["I hukommelsen"])
    assert set(tmp_path.iterdir()) == before


def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    import subprocess
    import sys

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    workbook = write_workbook(tmp_path / "a.xlsx", [goal_row("A", "gul", comment="Sen 🟢")])
    code = "import sys; from reportgen.cli import main; sys.argv[0] = 'reportgen'; main()"
    result = subprocess.run([sys.executable, "-c", code, "build", str(workbook), "-o",
                             str(tmp_path / "out")], capture_output=True, text=True,
                            env={**os.environ, "TMPDIR": str(temporary)}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert list(temporary.iterdir()) == []
