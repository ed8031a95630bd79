"""The round's details from the command line (`--title`, `--date` …): over the `Rapport`
sheets, checked as a cell is, and a date in figures printed in Danish words."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.checks.details import DETAIL_OPTIONS
from reportgen.cli import main
from reportgen.cli import options as cli_options
from reportgen.commands.check import check
from reportgen.dates import date_text, figures_date
from reportgen.model import META_TEXTS
from reportgen.reader import read_workbook
from reportgen.round import Round

from .helpers import docx_text, goal_row, pdf_text, squash, write_workbook

META = [("Titel", "Tema 1: Vision og Bosætning."), ("Dato", "August 2018"),
        ("Opfølgning", "Opfølgning august 2018")]


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    return lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def plan(tmp_path):
    return write_workbook(tmp_path / "in" / "a.xlsx", [goal_row("Flere borgere")], meta=META)


def test_the_date_and_title_given_stand_in_both_documents(run, plan, tmp_path):
    result = run("build", str(plan), "-o", "out", "--format", "pdf,docx,json", "--date",
                 "2019-01-15", "--title", "Tema 1: Januar", "--follow-up",
                 "Opfølgning januar 2019")
    assert result.exit_code == 0, result.output
    pdf, word, records = (tmp_path / "out" / f"a.{fmt}" for fmt in ("pdf", "docx", "json"))
    for text in (pdf_text(pdf.read_bytes()), docx_text(word.read_bytes())):
        assert "15. januar 2019" in text
        assert squash("Tema 1: Januar") in squash(text)
        assert squash("Opfølgning januar 2019") in squash(text)
        assert "August 2018" not in text and "august 2018" not in text
    properties = docx.Document(io.BytesIO(word.read_bytes())).core_properties
    assert properties.created.date() == dt.date(2019, 1, 15)
    assert properties.title.startswith("Tema 1: Januar")
    meta = json.loads(records.read_text())["meta"]
    assert (meta["date"], meta["follow_up"]) == ("15. januar 2019", "Opfølgning januar 2019")


@pytest.mark.parametrize(("value", "number_format"), [
    (dt.date(2019, 1, 15), "yyyy-mm-dd"),
    (dt.datetime(2019, 1, 15, 0, 0), "yyyy-mm-dd h:mm:ss"),  # openpyxl's own
    (dt.date(2019, 1, 15), "dd-mm-yyyy"),  # a Danish Excel's short date
    (dt.date(2019, 1, 15), "d. mmmm yyyy"),
])
def test_a_date_cell_in_the_rapport_sheet_is_printed_in_words(tmp_path, value,
                                                              number_format):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A")], meta=[("Dato", value)])
    workbook = openpyxl.load_workbook(path)
    workbook["Rapport"]["B1"].number_format = number_format
    workbook.save(path)
    assert read_workbook(path).report.meta.date == "15. januar 2019"


def test_a_date_in_words_stays_as_written(tmp_path):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A")],
                          meta=[("Dato", dt.date(2019, 1, 15))])
    workbook = openpyxl.load_workbook(path)
    workbook["Rapport"]["B1"].number_format = "mmmm yyyy"
    workbook.save(path)
    assert read_workbook(path).report.meta.date == "januar 2019"


@pytest.mark.parametrize(("text", "printed"), [
    ("2019-01-15", "15. januar 2019"),
    ("15-01-2019", "15. januar 2019"),
    ("15.1.2019", "15. januar 2019"),
    ("3/8/2018", "3. august 2018"),
    ("August 2018", "August 2018"),
    ("2019-02-30", "2019-02-30"),  # no date: as written
    ("2018-08-03T10:00:00+02:00", "2018-08-03T10:00:00+02:00"),
])
def test_date_text(text, printed):
    assert date_text(text) == printed


def test_figures_that_are_no_date():
    assert figures_date("Januar 2019") is None
    with pytest.raises(ValueError):
        figures_date("2019-13-01")


def test_a_date_in_figures_that_is_no_date_is_wrong_usage(run, plan):
    result = run("build", str(plan), "--date", "2019-02-30")
    assert result.exit_code == 2
    assert "RG003 fejl: Ugyldig værdi for »--date«: »2019-02-30« er ikke en dato" in \
        result.output


def test_a_control_character_in_a_detail_is_wrong_usage(run, plan):
    result = run("build", str(plan), "--title", "Tema\x1b[31m")
    assert result.exit_code == 2 and "»--title«" in result.output


def test_every_detail_has_its_option():
    assert list(cli_options.DETAILS) == list(DETAIL_OPTIONS) == list(META_TEXTS)
    options = {opt for param in main.commands["build"].params for opt in param.opts}
    template = {opt for param in main.commands["template"].params for opt in param.opts}
    assert set(DETAIL_OPTIONS.values()) <= options & template


def test_a_cpr_number_given_on_the_command_line_stops_the_build(run, plan, tmp_path):
    result = run("build", str(plan), "-o", "out", "--title", "Klage fra 010180-1234",
                 "--case-handler", "lotte@naestved.dk")
    assert result.exit_code == 1
    assert "RG601 fejl: --title indeholder noget, der ligner et CPR-nummer (0101XX-XXXX), " \
        "som ikke må offentliggøres." in result.output
    assert "RG602 advarsel: --case-handler indeholder en e-mailadresse (l…@…dk)" in \
        result.output
    assert "010180-1234" not in result.output and "lotte@" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_draft_shows_a_cpr_number_given_masked(run, plan, tmp_path):
    result = run("build", str(plan), "-o", "out", "--format", "json", "--draft",
                 "--subtitle", "Klage fra 010180-1234")
    assert result.exit_code == 0, result.output
    meta = json.loads((tmp_path / "out" / "a-kladde.json").read_text())["meta"]
    assert meta["subtitle"] == "Klage fra 0101XX-XXXX"


def test_the_checks_see_the_details_and_name_the_option(plan):
    details = {"title": "Tema 1 漢字", "revised": "ring 22 33 44 55"}
    _, findings = check(Round([plan], details=details))
    by_code = {f.code: f for f in findings}
    glyphs, phone = by_code["RG213"], by_code["RG603"]
    assert glyphs.message.startswith("--title indeholder tegn")
    assert (glyphs.file, glyphs.sheet, glyphs.cell) == (None, None, None)
    assert phone.message.startswith("--revised indeholder et telefonnummer (22 XX XX XX)")
    assert (phone.file, phone.sheet, phone.cell) == (None, None, None)


def test_details_on_one_line_and_an_empty_one_none(plan):
    result, _ = check(Round([plan], details={"title": " Tema\n 1 ", "follow_up": ""}))
    assert (result.report.meta.title, result.report.meta.follow_up) == ("Tema 1", None)
    with pytest.raises(ValueError):
        check(Round([plan], details={"intro": "Indledning"}))


def test_no_message_names_a_detail_by_its_field(tmp_path):
    """A message names a detail by the sheet's word (»Opfølgning«) or its option
    (--follow-up), never by the model's field (follow_up)."""
    odd = "Tekst 漢字 a@b.dk"
    keys = ("Titel", "Undertitel", "Sagsnr.", "Sagsbehandler", "Dato", "Revideret",
            "Opfølgning", "Indledning")
    one = write_workbook(tmp_path / "a.xlsx", [goal_row("A")], meta=[(k, odd) for k in keys])
    two = write_workbook(tmp_path / "b.xlsx", [goal_row("B")],
                         meta=[(k, f"{odd} 2") for k in keys])
    _, from_sheets = check(Round([one, two]))
    _, from_options = check(Round([one], details=dict.fromkeys(META_TEXTS, odd)))
    fields = re.compile(r"(?<![\w-])(" + "|".join(META_TEXTS) + r"|intro)\b")  # not --title
    assert {"RG213", "RG302", "RG602"} <= {f.code for f in from_sheets}
    assert {"RG213", "RG602"} <= {f.code for f in from_options}
    for finding in (*from_sheets, *from_options):
        assert not fields.search(finding.message), finding
    assert any(f.message.startswith("--follow-up indeholder") for f in from_options)
    assert any("»Opfølgning«" in f.message for f in from_sheets if f.code == "RG302")


def test_a_workbook_of_details_beside_the_centres_gives_the_report_its_details(run,
                                                                               tmp_path):
    """The secretariat's workbook of details in the folder with the centres' workbooks:
    its `Rapport` sheet and a `Mål` sheet with only its header row. It gives the report
    its details and no goals, with a notice naming it; every centre's goal is there."""
    folder = tmp_path / "modtaget"
    write_workbook(folder / "oplysninger.xlsx", [], meta=META)
    write_workbook(folder / "CPU-BGE.xlsx", [goal_row("Flere borgere"), goal_row("Flere job")])
    write_workbook(folder / "CSO-LHJ.xlsx", [goal_row("Flere boliger", centre="CSO/LHJ")])
    notice = ("RG209 bemærkning: oplysninger.xlsx: Arbejdsbogen har ingen mål, kun "
              "rapportens oplysninger (arket »Rapport«), som rapporten får herfra.")
    checked = run("check", "modtaget")
    assert checked.exit_code == 0, checked.output
    assert notice in checked.output and "RG208" not in checked.output
    assert "Læst 3 mål fra 3 arbejdsbøger" in checked.output
    built = run("build", "modtaget", "-o", "out", "--format", "pdf,docx,json")
    assert built.exit_code == 0, built.output
    assert notice in built.output
    pdf, word, records = (tmp_path / "out" / f"modtaget.{fmt}" for fmt in ("pdf", "docx", "json"))
    for text in (pdf_text(pdf.read_bytes()), docx_text(word.read_bytes())):
        for detail in ("Tema 1: Vision og Bosætning.", "August 2018", "Opfølgning august 2018"):
            assert squash(detail) in squash(text), detail
        for goal in ("Flere borgere", "Flere job", "Flere boliger"):
            assert goal in text, goal
    exported = json.loads(records.read_text())
    assert (exported["meta"]["title"], exported["meta"]["date"], exported["meta"]["follow_up"]) \
        == ("Tema 1: Vision og Bosætning.", "August 2018", "Opfølgning august 2018")
    goals = [g for t in exported["themes"] for a in t["focus_areas"] for g in a["goals"]]
    assert sorted((g["text"], g["centre"]) for g in goals) == [
        ("Flere boliger", "CSO/LHJ"), ("Flere borgere", "CPU/BGE"), ("Flere job", "CPU/BGE")]
