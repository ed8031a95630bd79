"""`reportgen template`: a workbook per centre that reportgen reads back exactly."""

from __future__ import annotations

import json
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.reader import read_workbook

from .helpers import goal_row, pdf_text, squash, workbooks, write_workbook

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

    # the centres' workbooks carry no report details: the secretariat gives them
    assert all("Rapport" not in openpyxl.load_workbook(path).sheetnames for path in files)
    result = run("build", "centres", "--format", "json", "-o", "out", "--title",
                 "Opfølgning på Strategiplan – 48 mål", "--follow-up", "Opfølgning januar 2027")
    assert result.exit_code == 0, result.output
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


def test_a_centre_named_as_a_windows_device_gets_a_workbook_windows_opens(run, tmp_path):
    """`nul.xlsx` cannot be opened in Windows (NUL is a device, whatever follows the
    dot): the workbook of a centre named so gets an underscore, and holds its goals."""
    rows = [goal_row("Flere borgere i job", None, None, centre="nul"),
            goal_row("Kortere ventetid", None, None, centre="COM1")]
    write_workbook(tmp_path / "plan" / "plan.xlsx", rows, meta=[("Titel", "Plan")])
    result = run("template", "plan", "-o", "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["COM1_.xlsx", "nul_.xlsx"]
    goals = list(read_workbook(tmp_path / "out" / "nul_.xlsx").report.goals())
    assert [(goal.text, goal.centre) for goal in goals] == [("Flere borgere i job", "nul")]


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


def test_guide_sheet_and_print_settings(generated):
    workbook = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")
    guide = workbook["Vejledning"]
    texts = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for wording in ("Status: Der anvendes følgende smiley-skala ved opfølgningen:",
                    "• Resultatet forventes i overvejende grad nået. (80%).",
                    "• Tidsplanen forventes ikke holdt.", "Kommentarer: Hvis der anvendes røde",
                    "Frist: 15. januar 2027", "Returneres til: Sekretariatet"):
        assert wording in texts
    assert len(guide._images) == 3
    assert workbook.sheetnames == ["Mål", "Vejledning"]  # no Rapport sheet
    sheet = workbook["Mål"]
    assert sheet["A1"].value == "Plan – CPU/BGE"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"


def test_unknown_centre_is_an_error(run, generated):
    result = run("template", "plan", "-o", "x", "--centre", "CXX")
    assert result.exit_code == 1 and "RG501" in result.output and "CPU/BGE" in result.output


def test_only_the_centres_asked_for(run, generated, tmp_path):
    assert run("template", "plan", "-o", "one", "--centre", "CSS: Sundhed").exit_code == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["CSS-Sundhed.xlsx"]


def test_a_centre_is_matched_as_build_matches_it(run, generated, tmp_path):
    """`--centre cpu/bge` names CPU/BGE for `template` as for `build`: case and spaces
    around it do not matter."""
    assert run("template", "plan", "-o", "lower", "--centre", " cpu/bge ").exit_code == 0
    assert [p.name for p in (tmp_path / "lower").iterdir()] == ["CPU-BGE.xlsx"]
    built = run("build", "plan", "-o", "built", "--centre", " cpu/bge ", "--format", "json",
                "--draft", "-q")
    assert built.exit_code == 0, built.output
    assert [p.name for p in (tmp_path / "built").iterdir()] == ["CPU-BGE-kladde.json"]


def test_the_workbooks_take_the_look_of_the_templates_given(run, generated, tmp_path):
    """The third document the municipality sends out is coloured as its templates say:
    the status cells' fills and the guide's smileys."""
    from reportgen.design import DEFAULT_TEMPLATES

    templates = tmp_path / "skabeloner"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    look = templates / "look.toml"
    look.write_text(look.read_text().replace('fill = "#5CB85C"', 'fill = "#0000FF"'))
    assert run("template", "plan", "-o", "blue", "--templates", str(templates)).exit_code == 0
    workbook = openpyxl.load_workbook(tmp_path / "blue" / "CPU-BGE.xlsx")
    rules = {str(r.sqref): r.rules for r in workbook["Mål"].conditional_formatting}
    assert [rule.dxf.fill.bgColor.rgb for rule in rules["H4:I5"]][0] == "000000FF"
    blue_smileys = [image._data() for image in workbook["Vejledning"]._images]
    shipped = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Vejledning"]._images
    assert blue_smileys[0] != shipped[0]._data()  # the green face, drawn blue
    assert blue_smileys[1:] == [image._data() for image in shipped[1:]]


# -- The second round: a workbook made from the last follow-up ------------------------------

LAST_COMMENT = ("Udbuddet blev annulleret i foråret og skal gentages, fordi ingen bydende "
                "opfyldte kravene til energiklassen. Konsekvensen er, at byggeriet først kan "
                "begynde efter sommerferien, og at den samlede tidsplan skrider med omkring "
                "to måneder. Vi bringer os i mål ved at samle de to faser i én entreprise med "
                "en fast tidsplan og ugentlig opfølgning i styregruppen. Slutord sidste runde.")
NEW_COMMENT = ("Det nye udbud er afsluttet, og kontrakten er underskrevet med en entreprenør, "
               "der kan begynde i august. Forsinkelsen er dermed indhentet delvis, men "
               "indflytningen flyttes fra januar til marts, fordi leverancen af elementer er "
               "lang. Vi følger tidsplanen hver uge og melder straks tilbage, hvis den skrider "
               "igen; budgettet holder indtil videre. Slutord denne runde.")


@pytest.fixture
def last_round(run, tmp_path):
    """Workbooks made from a follow-up: statuses and comments, one goal not reported."""
    rows = [goal_row("Nyt plejecenter", "gul", "rød", LAST_COMMENT),
            goal_row("Flere borgere", "grøn", "gul / grøn", "Lidt forsinket."),
            goal_row("Ny vision", None, None),
            goal_row("Sundhed for alle", "grøn", "grøn", centre="CSS", area="Sundhed")]
    write_workbook(tmp_path / "august" / "august.xlsx", rows,
                   meta=[("Titel", "Strategiplan"), ("Opfølgning", "Opfølgning august 2018")])
    result = run("template", "august", "-o", "januar", "--follow-up", "Opfølgning januar 2019")
    assert result.exit_code == 0, result.output
    return tmp_path / "januar"


def test_a_second_round_shows_the_last_round_grey_and_locked(last_round):
    sheet = openpyxl.load_workbook(last_round / "CPU-BGE.xlsx")["Mål"]
    assert [c.value for c in sheet[3]][7:] == [
        "Resultat", "Tidsplan", "Kommentar", "Sidste resultat", "Sidste tidsplan",
        "Sidste kommentar"]
    assert [[c.value for c in row] for row in sheet["K4:M6"]] == [
        ["gul", "rød", LAST_COMMENT], ["grøn", "gul / grøn", "Lidt forsinket."],
        [None, None, None]]
    assert [c.value for c in sheet["H4:J4"][0]] == [None, None, None]
    for row in (4, 5, 6):
        assert [c.column_letter for c in sheet[row] if not c.protection.locked] == ["H", "I", "J"]
        for cell in sheet[f"K{row}:M{row}"][0]:
            assert cell.fill.fgColor.rgb.endswith("F2F2F2")
            assert cell.font.color.rgb.endswith("595959")
    assert sheet.auto_filter.ref == "A3:M6"
    assert "De grå kolonner til højre" in sheet["A2"].value
    # the other centre's workbook has them too, and the first round's have none
    assert openpyxl.load_workbook(last_round / "CSS.xlsx")["Mål"]["K3"].value == \
        "Sidste resultat"


def test_the_first_round_has_no_last_round_columns(generated):
    sheet = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Mål"]
    assert sheet.max_column == 10 and "grå kolonner" not in sheet["A2"].value


def test_the_last_rounds_headers_are_not_read_as_the_real_columns():
    from reportgen.contract import HEADERS, LAST_ROUND_HEADERS
    from reportgen.reader.rows import header_key

    aliases = {alias for names in HEADERS.values() for alias in names}
    assert not {header_key(text) for text in LAST_ROUND_HEADERS.values()} & aliases


def test_a_returned_second_round_workbook_reads_back_only_the_new_statuses(last_round):
    path = last_round / "CPU-BGE.xlsx"
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Mål"]
    sheet["H4"], sheet["I4"], sheet["J4"] = "grøn", "gul", NEW_COMMENT
    sheet["H5"], sheet["I5"] = "grøn", "grøn"  # row 6 left as it was: not reported
    workbook.save(path)
    result = read_workbook(path)
    goals = {g.text: g for g in result.report.goals()}
    assert ([s.value for s in goals["Nyt plejecenter"].result],
        [s.value for s in goals["Nyt plejecenter"].timeline],
        goals["Nyt plejecenter"].comment) == (["green"], ["yellow"], NEW_COMMENT)
    assert ([s.value for s in goals["Flere borgere"].timeline], goals["Flere borgere"].comment) \
        == (["green"], None)
    assert not goals["Ny vision"].is_reported
    codes = [f.code for f in result.findings]
    assert "RG902" not in codes and "RG901" not in codes, result.findings
    (not_reported,) = [f for f in result.findings if f.code == "RG205"]  # one for the goal
    assert not_reported.cell == "H6" and "(H6) og tidsplanen (I6)" in not_reported.message


def test_rows_are_tall_enough_for_the_text_they_hold(last_round, generated):
    sheet = openpyxl.load_workbook(last_round / "CPU-BGE.xlsx")["Mål"]
    # 400 characters in a column 48 wide: eight lines of about 52, and one to spare
    assert sheet.row_dimensions[4].height >= 9 * 13
    # room for a comment as long in every row of the first round, where the cell is empty
    first = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Mål"]
    assert first.row_dimensions[4].height >= 9 * 13


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_long_comment_is_not_cut_off_when_printed_from_libreoffice(last_round, tmp_path):
    path = last_round / "CPU-BGE.xlsx"
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"]["H4"], workbook["Mål"]["J4"] = "gul", NEW_COMMENT
    workbook.save(path)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), str(path)],
                   check=True, capture_output=True, timeout=180)
    text = squash(pdf_text((tmp_path / "pdf" / "CPU-BGE.pdf").read_bytes()))
    for comment in (NEW_COMMENT, LAST_COMMENT):
        assert squash(comment.split(". ")[-1]) in text  # the last sentence: "Slutord …"


# -- Never over an earlier round's workbooks unasked ------------------------------------------

def test_template_does_not_overwrite_without_force(run, generated):
    before = {p.name: p.read_bytes() for p in generated.iterdir()}
    result = run("template", "plan", "-o", "out")
    assert result.exit_code == 1
    assert "RG912 fejl: 2 af arbejdsbøgerne findes allerede: »out/CPU-BGE.xlsx«, " \
        "»out/CSS-Sundhed.xlsx«. Intet er skrevet: brug --force" in result.output
    assert {p.name: p.read_bytes() for p in generated.iterdir()} == before
    assert run("template", "plan", "-o", "out", "--force", "--deadline", "1. marts").exit_code == 0
    guide = openpyxl.load_workbook(generated / "CPU-BGE.xlsx")["Vejledning"]
    assert "Frist: 1. marts" in [c.value for row in guide.iter_rows() for c in row]


def test_one_workbook_there_and_nothing_is_written(run, generated, tmp_path):
    (generated / "CPU-BGE.xlsx").unlink()
    result = run("template", "plan", "-o", "out")
    assert result.exit_code == 1
    assert "RG912 fejl: Arbejdsbogen »out/CSS-Sundhed.xlsx« findes allerede." in result.output
    assert "overskrive den" in result.output
    assert not (generated / "CPU-BGE.xlsx").exists()
