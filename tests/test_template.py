"""`reportgen template`: a workbook per centre that reportgen reads back exactly."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.reader import read_workbook

from .helpers import goal_row, workbooks, write_workbook

STATUSES = ("grøn", "gul", "rød", "gul / grøn")


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


def fill_in(path, seed: int) -> dict[str, tuple]:
    """Fill a centre's workbook as the centre would; returns Id -> what was filled in."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Mål"]
    headers = {c.value: c.column_letter for c in sheet[3]}
    filled = {}
    for row in range(4, sheet.max_row + 1):
        n = seed + row
        result, timeline = STATUSES[n % 4], STATUSES[(n // 4) % 4]
        comment = None if result == timeline == "grøn" else f"Kommentar {n}\nanden linje"
        sheet[f"{headers['Resultat']}{row}"] = result
        sheet[f"{headers['Tidsplan']}{row}"] = timeline
        sheet[f"{headers['Kommentar']}{row}"] = comment
        filled[sheet[f"{headers['Id']}{row}"].value] = (result, timeline, comment)
    workbook.save(path)
    return filled


def as_words(statuses: list[str]) -> str:
    return " / ".join({"green": "grøn", "yellow": "gul", "red": "rød"}[s] for s in statuses)


def test_round_trip_every_goal_of_every_centre(run, tmp_path):
    plan = workbooks.write(48, tmp_path / "plan" / "plan.xlsx")
    planned = {g.id: g for g in read_workbook(plan).report.goals()}
    result = run("template", str(plan), "-o", "centres", "--follow-up",
                 "Opfølgning januar 2027")
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "centres").glob("*.xlsx"))
    assert len(files) == len({g.centre for g in planned.values()})
    filled = {}
    for seed, path in enumerate(files):
        filled |= fill_in(path, seed)
    assert filled.keys() == planned.keys()

    assert run("build", "centres", "--format", "json", "-o", "out").exit_code == 0
    records = json.loads(next((tmp_path / "out").glob("*.json")).read_text())
    goals = {g["id"]: g for t in records["themes"] for a in t["focus_areas"]
             for g in a["goals"]}
    assert goals.keys() == planned.keys()
    for goal_id, (result_word, timeline_word, comment) in filled.items():
        goal, plan_goal = goals[goal_id], planned[goal_id]
        assert (as_words(goal["result"]), as_words(goal["timeline"]), goal["comment"]) == (
            result_word, timeline_word, comment)
        assert (goal["text"], goal["centre"], goal["measure"]) == (
            plan_goal.text, plan_goal.centre, plan_goal.measure)
    assert records["meta"]["follow_up"] == "Opfølgning januar 2027"
    assert records["meta"]["title"] == "Opfølgning på Strategiplan – 48 mål"


@pytest.fixture
def generated(run, tmp_path):
    rows = [goal_row("=SUM(A1:A2) skal stå som tekst", None, None, centre="CPU/BGE"),
            goal_row("+45 nye borgere", None, None, centre="CPU/BGE"),
            goal_row("-10 % ventetid", None, None, centre="CSS: Sundhed", area="Sundhed"),
            goal_row("@alle centre", None, None, centre="CSS: Sundhed", area="Sundhed")]
    write_workbook(tmp_path / "plan" / "plan.xlsx", rows, meta=[("Titel", "Plan")])
    result = run("template", "plan", "-o", "out", "--deadline", "15. januar 2027",
                 "--return-to", "Sekretariatet")
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def test_one_safely_named_workbook_per_centre(generated):
    assert sorted(p.name for p in generated.iterdir()) == ["CPU-BGE.xlsx", "CSS-Sundhed.xlsx"]


def test_formula_like_goal_texts_stay_text(generated):
    sheet = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Mål"]
    cells = [sheet["E4"], sheet["E5"]]
    assert [c.value for c in cells] == ["=SUM(A1:A2) skal stå som tekst", "+45 nye borgere"]
    assert [c.data_type for c in cells] == ["s", "s"]
    texts = [g.text for g in read_workbook(generated / "CSS-Sundhed.xlsx").report.goals()]
    assert texts == ["-10 % ventetid", "@alle centre"]


def test_dropdowns_colours_and_the_comment_mark(generated):
    sheet = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Mål"]
    (validation,) = sheet.data_validations.dataValidation
    assert str(validation.sqref) == "H4:I5" and validation.formula1 == '"grøn,gul,rød"'
    assert validation.showErrorMessage and validation.showInputMessage
    assert "grøn, gul eller rød" in validation.prompt and "gul / grøn" in validation.error
    rules = {str(r.sqref): r.rules for r in sheet.conditional_formatting}
    colours = [(rule.formula[0], rule.dxf.fill.bgColor.rgb) for rule in rules["H4:I5"]]
    assert colours == [('LOWER(LEFT(TRIM(H4),4))="grøn"', "005CB85C"),
                       ('LOWER(LEFT(TRIM(H4),3))="gul"', "00FFD23F"),
                       ('LOWER(LEFT(TRIM(H4),3))="rød"', "00E5534B")]
    (mark,) = rules["J4:J5"]
    assert "LEN(TRIM(J4))=0" in mark.formula[0] and '"rød",$H4&$I4' in mark.formula[0]


def test_only_status_and_comment_cells_are_editable(generated):
    sheet = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Mål"]
    assert sheet.protection.sheet and not sheet.protection.password
    for row in (4, 5):
        open_cells = [c.column_letter for c in sheet[row] if not c.protection.locked]
        assert open_cells == ["H", "I", "J"]
    assert [c.value for c in sheet[3]] == [
        "Id", "Tema", "Indsatsområde", "Effektmål", "Resultatmål",
        "Måles hvordan/opnås gennem", "Center/Centerchef", "Resultat", "Tidsplan", "Kommentar"]
    assert [sheet[f"A{r}"].value for r in (4, 5)] == ["1.1.1", "1.1.2"]


def test_guide_report_sheet_and_print_settings(generated):
    workbook = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")
    guide = workbook["Vejledning"]
    texts = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for wording in ("Status: Der anvendes følgende smiley-skala ved opfølgningen:",
                    "• Resultatet forventes i overvejende grad nået. (80%).",
                    "• Tidsplanen forventes ikke holdt.", "Kommentarer: Hvis der anvendes røde",
                    "Frist: 15. januar 2027", "Returneres til: Sekretariatet"):
        assert wording in texts
    assert len(guide._images) == 3
    assert workbook["Rapport"]["A1"].value == "Titel" and workbook["Rapport"]["B1"].value == "Plan"
    sheet = workbook["Mål"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"


def test_unknown_centre_is_an_error(run, generated):
    result = run("template", "plan", "-o", "x", "--centre", "CXX")
    assert result.exit_code == 1 and "RG501" in result.output and "CPU/BGE" in result.output


def test_only_the_centres_asked_for(run, generated, tmp_path):
    assert run("template", "plan", "-o", "one", "--centre", "CSS: Sundhed").exit_code == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["CSS-Sundhed.xlsx"]
