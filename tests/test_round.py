"""The round: the plan goes out as one workbook per centre, some come back, and the report
holds every plan goal in the plan's order, saying who has not reported."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.commands.check import check
from reportgen.round import Round

from .helpers import (
    FIXTURES,
    assert_in_order,
    docx_text,
    goal_row,
    pdf_goal_rows,
    script_module,
    squash,
    write_workbook,
)

PLAN_HEADERS = ("Id", "Tema", "Indsatsområde", "Effektmål", "Resultatmål",
                "Måles hvordan/opnås gennem", "Resultat", "Tidsplan", "Kommentar",
                "Center/Centerchef")
CENTRES = ("CPU/BGE", "CSO/LHJ", "CBU/MKN", "CKF/MNO", "CTM/ABC", "CSA/XYZ")
THEMES = ("Tema 1: Mærk Næstved", "Tema 2: Vækst og erhverv", "Tema 3: Børn og læring")


def plan_rows() -> list[list]:
    """3 themes, 2 focus areas each, 18 goals over 6 centres; Ids in plan order."""
    rows = []
    for t, theme in enumerate(THEMES, start=1):
        for a, area in enumerate(("Vision", "Bosætning"), start=1):
            for g in range(1, 4):
                centre = CENTRES[(t * 2 + a + g) % len(CENTRES)]
                rows.append([f"{t}.{a}.{g}", theme, area, None, f"Mål {t}.{a}.{g} for {centre}",
                             None, None, None, None, centre])
    return rows


@pytest.fixture
def round_trip(tmp_path, monkeypatch):
    """The plan, `template` out to every centre, and 4 of 6 workbooks back, named so that
    their order is not the plan's."""
    monkeypatch.chdir(tmp_path)
    plan = write_workbook(tmp_path / "plan.xlsx", plan_rows(), headers=PLAN_HEADERS)
    sent = CliRunner().invoke(main, ["template", str(plan), "-o", "udsendt"],
                              catch_exceptions=False)
    assert sent.exit_code == 0, sent.output
    back = tmp_path / "modtaget"
    back.mkdir()
    names = {"CPU-BGE.xlsx": "zz-CPU-BGE.xlsx", "CSO-LHJ.xlsx": "CSO-LHJ.xlsx",
             "CBU-MKN.xlsx": "Kopi af CBU-MKN.xlsx", "CTM-ABC.xlsx": "a-CTM-ABC.xlsx"}
    for sent_name, back_name in names.items():
        shutil.copy(tmp_path / "udsendt" / sent_name, back / back_name)
        _fill(back / back_name)
    return plan, back


def _fill(path) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Mål"]
    column = {cell.value: cell.column_letter for cell in sheet[3] if cell.value}
    for row in range(4, sheet.max_row + 1):
        if sheet[f"{column['Id']}{row}"].value:
            sheet[f"{column['Resultat']}{row}"] = "gul"
            sheet[f"{column['Tidsplan']}{row}"] = "grøn"
            sheet[f"{column['Kommentar']}{row}"] = f"Kommentar {row}"
    workbook.save(path)


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_plan_goal_in_plan_order_and_who_has_not_reported(round_trip, tmp_path):
    plan, back = round_trip
    draft = _run("build", str(back), "--plan", str(plan), "--draft", "--format", "json",
                 "-o", "ud")
    assert draft.exit_code == 0, draft.output
    (written,) = (tmp_path / "ud").glob("*.json")
    records = json.loads(written.read_text(encoding="utf-8"))
    goals = [g for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]]
    assert [g["id"] for g in goals] == [row[0] for row in plan_rows()]
    returned = {"CPU/BGE", "CSO/LHJ", "CBU/MKN", "CTM/ABC"}
    for goal in goals:
        reported = (goal["result"], goal["timeline"]) == (["yellow"], ["green"])
        assert reported == (goal["centre"] in returned), goal
        assert (goal["comment"] is not None) == reported
    missing = {c: [r[0] for r in plan_rows() if r[9] == c] for c in ("CKF/MNO", "CSA/XYZ")}
    for centre, ids in missing.items():
        assert f"{centre}: 0 af {len(ids)} mål indberettet — ingen arbejdsbog modtaget" \
            in draft.output
    not_reported = [line for line in draft.output.splitlines() if line.startswith("RG205")]
    assert len(not_reported) == sum(map(len, missing.values()))  # one a goal
    assert all("plan.xlsx › Mål › " in line for line in not_reported)
    final = _run("build", str(back), "--plan", str(plan), "-o", "ud2")
    assert final.exit_code == 1 and not (tmp_path / "ud2").exists()
    assert "CKF/MNO: 0 af" in final.output and "CSA/XYZ: 0 af" in final.output


def test_a_centre_behind_with_some_goals_and_a_goal_not_in_the_plan(round_trip):
    plan, back = round_trip
    workbook = openpyxl.load_workbook(back / "CSO-LHJ.xlsx")
    sheet = workbook["Mål"]
    column = {cell.value: cell.column_letter for cell in sheet[3] if cell.value}
    first = 4
    blanked = sheet[f"{column['Id']}{first}"].value
    sheet[f"{column['Resultat']}{first}"] = None
    sheet[f"{column['Tidsplan']}{first}"] = None
    sheet.protection.sheet = False
    extra = sheet.max_row + 1
    for name, value in (("Id", "9.9.9"), ("Tema", THEMES[0]), ("Indsatsområde", "Vision"),
                        ("Resultatmål", "Et mål, planen ikke har"), ("Center", "CSO/LHJ"),
                        ("Resultat", "grøn"), ("Tidsplan", "grøn")):
        sheet[f"{column.get(name, column.get('Center/Centerchef'))}{extra}"] = value
    workbook.save(back / "CSO-LHJ.xlsx")
    result, findings = check(Round([back], plan=[plan]))
    errors = [(f.code, f.file, f.cell) for f in findings if f.code in ("RG404", "RG205")]
    assert ("RG404", "CSO-LHJ.xlsx", f"{column['Resultatmål']}{extra}") in errors
    assert ("RG205", "CSO-LHJ.xlsx", f"{column['Resultat']}{first}") in errors
    from reportgen.round.progress import centres_behind

    lines = [status.line for status in centres_behind(result.report, result.received)]
    total = sum(1 for row in plan_rows() if row[9] == "CSO/LHJ")
    assert f"CSO/LHJ: {total - 1} af {total} mål indberettet (mangler {blanked})" in lines


def test_without_a_plan_goals_come_in_id_order_whatever_the_files_order(tmp_path):
    rows = plan_rows()
    for row in rows:
        row[6:9] = ["grøn", "grøn", None]
    folder = tmp_path / "ind"
    # the first file by name holds Tema 3's goals, in reverse
    write_workbook(folder / "a.xlsx", reversed(rows[12:]), headers=PLAN_HEADERS)
    write_workbook(folder / "b.xlsx", rows[:12][::-2], headers=PLAN_HEADERS)
    write_workbook(folder / "c.xlsx", rows[:12][-2::-2], headers=PLAN_HEADERS)
    result, findings = check(Round([folder]))
    assert not [f for f in findings if f.severity.value == "fejl"]
    assert [g.id for g in result.report.goals()] == [row[0] for row in rows]
    assert [t.name for t in result.report.themes] == list(THEMES)


def test_natural_id_order():
    from reportgen.reader.merge import id_key

    assert sorted(["1.2.10", "1.2.9", "1.10", "2", "1.1"], key=id_key) \
        == ["1.1", "1.2.9", "1.2.10", "1.10", "2"]


def test_a_returned_text_that_differs_under_its_id_is_a_warning_and_the_plan_wins(tmp_path):
    plan = write_workbook(tmp_path / "plan.xlsx", plan_rows()[:2], headers=PLAN_HEADERS)
    changed = plan_rows()[:2]
    changed[0][4] = "Mål 1.1.1, skrevet om af centret"
    for row in changed:
        row[6:8] = ["grøn", "grøn"]
    back = write_workbook(tmp_path / "ind" / "x.xlsx", changed, headers=PLAN_HEADERS)
    result, findings = check(Round([back], plan=[plan]))
    assert [(f.code, f.cell) for f in findings if f.code == "RG405"] == [("RG405", "E2")]
    assert [g.text for g in result.report.goals()] == [r[4] for r in plan_rows()[:2]]
    assert all(g.is_reported for g in result.report.goals())


def test_the_findings_sheet_says_who_has_reported_and_names_each_goal(round_trip, tmp_path):
    plan, back = round_trip
    for name in ("fund.xlsx", "fund.csv"):
        _run("check", str(back), "--plan", str(plan), "--findings", str(tmp_path / name))
    workbook = openpyxl.load_workbook(tmp_path / "fund.xlsx")
    found = list(workbook["Fund"].iter_rows(values_only=True))
    assert found[0][:5] == ("Alvor", "Kode", "Center", "Id", "Mål")
    not_reported = [row for row in found if row[1] == "RG205"]
    assert {row[3] for row in not_reported} == {
        r[0] for r in plan_rows() if r[9] in ("CKF/MNO", "CSA/XYZ")}
    assert all(row[4].startswith("Mål ") for row in not_reported)
    table = list(workbook["Indberetning"].iter_rows(values_only=True))
    assert table[0] == ("Center", "Mål", "Indberettet", "Mangler", "Arbejdsbog modtaget")
    assert sorted(row[0] for row in table[1:]) == ["CKF/MNO", "CSA/XYZ"]
    assert all(row[2] == "0" and row[4] == "nej" for row in table[1:])
    beside = (tmp_path / "fund-indberetning.csv").read_text(encoding="utf-8-sig")
    assert beside.splitlines()[0] == "Center;Mål;Indberettet;Mangler;Arbejdsbog modtaget"
    assert "CKF/MNO;3;0;" in beside


def test_the_details_given_stand_over_the_plans(tmp_path):
    plan = write_workbook(tmp_path / "plan.xlsx", plan_rows()[:1], headers=PLAN_HEADERS,
                          meta=[("Titel", "Planens titel"), ("Opfølgning", "August 2018")])
    back = write_workbook(tmp_path / "ind" / "x.xlsx", plan_rows()[:1], headers=PLAN_HEADERS,
                          meta=[("Titel", "En centers titel")])
    result, findings = check(Round([back], plan=[plan], details={"follow_up": "Januar 2019"}))
    assert (result.report.meta.title, result.report.meta.follow_up) \
        == ("Planens titel", "Januar 2019")
    assert "RG907" in [f.code for f in findings]


def test_a_workbook_of_details_among_the_returned_is_not_used_and_says_how_it_is(
        round_trip, tmp_path):
    """The secretariat's workbook of details (a `Rapport` sheet, a `Mål` sheet of its
    header row alone) put with the returned workbooks: with a plan it is not read (RG907),
    and the notice naming it says so and how to give it; given with the plan, it gives the
    report its details."""
    plan, back = round_trip
    details = write_workbook(back / "oplysninger.xlsx", [],
                             meta=[("Titel", "Sekretariatets titel")])
    checked = _run("check", str(back), "--plan", str(plan), "--draft")
    assert checked.exit_code == 0, checked.output
    assert "RG208" not in checked.output
    assert ("RG209 bemærkning: oplysninger.xlsx: Arbejdsbogen har ingen mål, kun rapportens "
            "oplysninger (arket »Rapport«), og de bruges ikke blandt de modtagne "
            "arbejdsbøger: med en plan (--plan) kommer oplysningerne fra planen og "
            "kommandolinjen. Giv arbejdsbogen som en plan mere (--plan kan gentages), eller "
            "giv oplysningerne på kommandolinjen (--title …).") in checked.output
    assert "som rapporten får herfra" not in checked.output
    result, _ = check(Round([back], plan=[plan]), draft=True)
    assert result.report.meta.title is None
    assert sum(1 for _ in result.report.goals()) == len(plan_rows())
    details.rename(tmp_path / details.name)
    built = _run("build", str(back), "--plan", str(plan), "--plan", details.name,
                 "--draft", "--format", "json", "-o", "ud")
    assert built.exit_code == 0, built.output
    assert "som rapporten får herfra" in built.output and "RG907" not in built.output
    (written,) = (tmp_path / "ud").glob("*.json")
    records = json.loads(written.read_text(encoding="utf-8"))
    assert records["meta"]["title"] == "Sekretariatets titel"
    goals = [g for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]]
    assert [g["id"] for g in goals] == [row[0] for row in plan_rows()]


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_a_workbook_returned_as_ods_or_xls_reports_its_goals(round_trip, tmp_path, suffix):
    """The plan holds CBU/BLI's goals too (the fixture workbook's, whose .xlsx is the
    plan's second file); that centre returns its workbook as LibreOffice saved it."""
    plan, back = round_trip
    centre_plan = script_module("tools", "make_format_fixtures").write_centre_workbook(
        tmp_path / "plan-cbu.xlsx")
    shutil.copy(FIXTURES / f"centre{suffix}", back / f"CBU-BLI{suffix}")
    result, findings = check(Round([back], plan=[plan, centre_plan]))
    theirs = [g for g in result.report.goals() if g.centre == "CBU/BLI"]
    assert len(theirs) == 4 and all(g.is_reported for g in theirs)
    assert all(g.source.file == f"CBU-BLI{suffix}" for g in theirs)
    assert ("RG906", f"CBU-BLI{suffix}") in [(f.code, f.file) for f in findings]
    assert not [f for f in findings if f.code in ("RG404", "RG405")]


def test_a_plan_that_does_not_exist_is_wrong_usage(tmp_path):
    result = _run("check", str(write_workbook(tmp_path / "a.xlsx", plan_rows()[:1],
                                              headers=PLAN_HEADERS)),
                  "--plan", str(tmp_path / "ingen.xlsx"))
    assert result.exit_code == 2 and "RG001" in result.output
    assert f"Planen findes ikke: »{tmp_path / 'ingen.xlsx'}«." in result.output


# Returned workbooks a real centre sends: every status stays on the goal it was written
# about, and a centre counts as having reported only for a workbook of its own.

VISION = ("Flere borgere kender visionen", "Visionen formidles på alle møder",
          "Et årshjul for visionen")
CSK_GOALS = ("Bosætning i yderområderne", "Flere tilflyttere", "En velkomstpakke")


def _planned(tmp_path, name="plan.xlsx", statuses=(None, None)):
    """CPU/BGE's three goals under Vision (1.1.1–1.1.3), CSK/MHO's under Bosætning
    (1.2.1–1.2.3), CKF/LHA's one (1.3.1)."""
    rows = [[f"1.1.{n}", *goal_row(text, *statuses, centre="CPU/BGE")]
            for n, text in enumerate(VISION, start=1)]
    rows += [[f"1.2.{n}", *goal_row(text, *statuses, area="Bosætning", centre="CSK/MHO")]
             for n, text in enumerate(CSK_GOALS, start=1)]
    rows += [["1.3.1", *goal_row("Et stærkt kulturliv", *statuses, area="Kultur",
                                  centre="CKF/LHA")]]
    return write_workbook(tmp_path / name, rows, headers=PLAN_HEADERS)


def _documents(tmp_path, *args: str):
    """A draft built as JSON, PDF and DOCX: its goals by Id (result, timeline, comment),
    the PDF's goal rows and the DOCX's text; None where nothing was written."""
    out = tmp_path / f"ud{len(list(tmp_path.glob('ud*')))}"
    built = _run("build", *args, "--draft", "--format", "json,pdf,docx", "-o", str(out))
    if built.exit_code != 0:
        assert not out.exists() or not any(out.iterdir())
        return built, None, None, None
    data = {path.suffix: path.read_bytes() for path in out.iterdir()}
    records = json.loads(data[".json"])
    goals = {g["id"]: (g["result"], g["timeline"], g["comment"])
             for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]}
    return built, goals, pdf_goal_rows(data[".pdf"]), docx_text(data[".docx"])


def test_ids_swapped_against_their_texts_move_no_status_to_another_goal(tmp_path):
    """CPU/BGE sorted its text column alone: each text is a plan goal's, under another's
    Id. The red status and its comment are written about »Flere borgere kender visionen«
    (1.1.1), but stand under 1.1.2's Id."""
    plan = _planned(tmp_path)
    rows = [["1.1.1", *goal_row(VISION[1])],
            ["1.1.2", *goal_row(VISION[0], "rød", "rød", "VISION ER FORSINKET")],
            ["1.1.3", *goal_row(VISION[2])]]
    back = write_workbook(tmp_path / "modtaget" / "CPU-BGE.xlsx", rows, headers=PLAN_HEADERS)
    built, goals, pdf_rows, docx = _documents(tmp_path, str(back.parent), "--plan",
                                              str(plan))
    if goals is not None:  # whatever is written, no status on a goal it is not about
        assert goals["1.1.2"] != (["red"], ["red"], "VISION ER FORSINKET")
        assert not [row for row in pdf_rows if "VISIONERFORSINKET" in row[1]
                    and not row[0].startswith(squash(VISION[0]))]
        assert_in_order(docx, [VISION[0], "VISION ER FORSINKET", VISION[1]])
    assert built.exit_code == 1 and goals is None, built.output
    assert ("RG406 fejl: CPU-BGE.xlsx › Mål › E2: Id'et 1.1.1 hører til »Flere borgere "
            "kender visionen«, men teksten er »Visionen formidles på alle møder« (1.1.2). "
            "Ret Id'et eller teksten, så de hører til samme mål.") in built.output
    assert "CPU-BGE.xlsx › Mål › E3: Id'et 1.1.2 hører til »Visionen formidles" \
        in built.output
    assert "RG405" not in built.output
    assert not [line for line in built.output.splitlines()
                if line.startswith("RG205") and "1.1." in line]  # the rows say what to do
    # Done as told: the Ids retyped to the texts' goals, the statuses land where written.
    rows[0][0], rows[1][0] = "1.1.2", "1.1.1"
    write_workbook(back, rows, headers=PLAN_HEADERS)
    built, goals, pdf_rows, docx = _documents(tmp_path, str(back.parent), "--plan",
                                              str(plan))
    assert built.exit_code == 0, built.output
    assert goals["1.1.1"] == (["red"], ["red"], "VISION ER FORSINKET")
    assert goals["1.1.2"] == (["green"], ["green"], None)
    (first,) = [row for row in pdf_rows if row[0].startswith(squash(VISION[0]))]
    assert "VISIONERFORSINKET" in first[1]
    assert ["VISIONERFORSINKET" in row[1] for row in pdf_rows].count(True) == 1
    assert_in_order(docx, [VISION[0], "VISION ER FORSINKET", VISION[1]])


def test_a_text_edited_under_its_id_is_still_its_goal(tmp_path):
    plan = _planned(tmp_path)
    rows = [["1.1.1", *goal_row(VISION[0] + ", i hele kommunen", "rød", "rød", "Forsinket")],
            ["1.1.2", *goal_row(VISION[1])], ["1.1.3", *goal_row(VISION[2])]]
    back = write_workbook(tmp_path / "modtaget" / "CPU-BGE.xlsx", rows, headers=PLAN_HEADERS)
    result, findings = check(Round([back], plan=[plan]), draft=True)
    assert [(f.code, f.cell) for f in findings if f.code in ("RG405", "RG406")] \
        == [("RG405", "E2")]
    assert next(result.report.goals()).comment == "Forsinket"


@pytest.mark.parametrize("copy", [False, True], ids=["the plan itself", "a copy"])
def test_the_plan_among_the_returned_workbooks_is_no_return(tmp_path, copy):
    """The plan, last round's follow-up with its statuses, lies in modtaget/ (or a copy of
    it does): CSK/MHO and CKF/LHA sent nothing, and are neither printed with last round's
    statuses nor counted as reported."""
    back = tmp_path / "modtaget"
    plan = _planned(back, "opfoelgning-august-2018.xlsx", statuses=("gul", "grøn"))
    if copy:
        shutil.copy(plan, tmp_path / plan.name)
        plan = tmp_path / plan.name
    # CPU/BGE's assessment is last round's: its rows are the plan's very goals
    write_workbook(back / "CPU-BGE.xlsx", [[f"1.1.{n}", *goal_row(text, "gul", "grøn")]
                                           for n, text in enumerate(VISION, start=1)],
                   headers=PLAN_HEADERS)
    built, goals, pdf_rows, docx = _documents(tmp_path, str(back), "--plan", str(plan))
    assert built.exit_code == 0, built.output
    assert {i: g for i, g in goals.items() if not i.startswith("1.1.")} == {
        i: ([], [], None) for i in ("1.2.1", "1.2.2", "1.2.3", "1.3.1")}
    said = ("en kopi af planen (--plan opfoelgning-august-2018.xlsx, samme indhold)" if copy
            else "planen (--plan)")
    assert (f"RG408 bemærkning: opfoelgning-august-2018.xlsx: Filen er {said} og læses ikke "
            "som en modtaget arbejdsbog.") in built.output
    assert "CSK/MHO: 0 af 3 mål indberettet — ingen arbejdsbog modtaget" in built.output
    assert "CKF/LHA: 0 af 1 mål indberettet — ingen arbejdsbog modtaget" in built.output
    assert all(g == (["yellow"], ["green"], None)
               for i, g in goals.items() if i.startswith("1.1."))
    assert [row[4] for row in pdf_rows] == ["CPU/BGE"] * 3
    assert_in_order(docx, [VISION[2], CSK_GOALS[0], "Et stærkt kulturliv"])


def test_rows_naming_another_centre_are_not_taken_for_the_plans(tmp_path):
    """CKF/LHA's workbook holds CPU/BGE's goals (same Ids and texts) with CKF/LHA in the
    centre cell and CKF's own assessment."""
    plan = _planned(tmp_path)
    back = write_workbook(tmp_path / "modtaget" / "CKF-LHA.xlsx", [
        [f"1.1.{n}", *goal_row(text, "rød", "gul", "CKF's vurdering", centre="CKF/LHA")]
        for n, text in enumerate(VISION, start=1)], headers=PLAN_HEADERS)
    built, goals, pdf_rows, _ = _documents(tmp_path, str(back.parent), "--plan", str(plan))
    if goals is not None:  # whatever is written, CKF/LHA's assessment is not CPU/BGE's
        assert all(goals[f"1.1.{n}"] == ([], [], None) for n in (1, 2, 3)), goals
        assert not [row for row in pdf_rows if row[4] == "CPU/BGE"]
    assert built.exit_code == 1 and goals is None
    checked = _run("check", str(back.parent), "--plan", str(plan))
    assert checked.exit_code == 1, checked.output
    assert ("RG407 fejl: CKF-LHA.xlsx › Mål › E2: Rækken har centret »CKF/LHA«, men målet "
            "(Id 1.1.1, »Flere borgere kender visionen«) er CPU/BGE's i planen. Et center "
            "indberetter kun sine egne mål: slet rækken her (målet indberettes i CPU/BGE's "
            "egen arbejdsbog), eller ret Id'et og teksten til CKF/LHA's eget mål i planen.") \
        in checked.output
    assert checked.output.count("RG407 fejl: CKF-LHA.xlsx") == 3
    assert "CPU/BGE: 0 af 3 mål indberettet — ingen arbejdsbog modtaget" in checked.output
    assert "CKF/LHA: 0 af 1 mål indberettet — ingen arbejdsbog modtaget" in checked.output
    # CKF/LHA's own goal, and CPU/BGE's rows deleted as told: nothing of CKF's under CPU/BGE
    write_workbook(back, [["1.3.1", *goal_row("Et stærkt kulturliv", "rød", "gul",
                                               "CKF's vurdering", area="Kultur",
                                               centre="CKF/LHA")]], headers=PLAN_HEADERS)
    built, goals, pdf_rows, docx = _documents(tmp_path, str(back.parent), "--plan", str(plan))
    assert built.exit_code == 0, built.output
    assert goals["1.3.1"] == (["red"], ["yellow"], "CKF's vurdering")
    assert all(goals[f"1.1.{n}"] == ([], [], None) for n in (1, 2, 3))
    assert [row[4] for row in pdf_rows] == ["CKF/LHA"]
    assert "CPU/BGE: 0 af 3 mål indberettet — ingen arbejdsbog modtaget" in built.output


def test_the_plan_given_as_the_only_return_leaves_no_workbooks(tmp_path):
    plan = _planned(tmp_path, statuses=("grøn", "grøn"))
    result, findings = check(Round([plan], plan=[plan]))
    assert result is None
    assert [f.code for f in findings] == ["RG408", "RG002"]


def test_a_centres_numbering_on_plan_ids_blames_that_centre(tmp_path):
    """CSK/MHO numbered its goals 1.1.1–1.1.3, CPU/BGE's Ids; CPU/BGE's workbook is right."""
    plan = _planned(tmp_path)
    back = tmp_path / "modtaget"
    write_workbook(back / "CPU-BGE.xlsx", [[f"1.1.{n}", *goal_row(text)]
                                           for n, text in enumerate(VISION, start=1)],
                   headers=PLAN_HEADERS)
    csk = [[f"1.1.{n}", *goal_row(text, "rød", "rød", f"CSK {n}", area="Bosætning",
                                  centre="CSK/MHO")] for n, text in enumerate(CSK_GOALS, 1)]
    write_workbook(back / "CSK-MHO.xlsx", csk, headers=PLAN_HEADERS)
    built, goals, _, _ = _documents(tmp_path, str(back), "--plan", str(plan))
    if goals is not None:  # whatever is written, CSK/MHO's statuses are not CPU/BGE's
        assert all(goals[f"1.1.{n}"] == (["green"], ["green"], None) for n in (1, 2, 3))
    assert built.exit_code == 1 and goals is None
    assert "CSK-MHO.xlsx" in built.output and "RG404" not in built.output
    checked = _run("check", str(back), "--plan", str(plan))
    assert checked.exit_code == 1, checked.output
    errors = [line for line in checked.output.splitlines() if " fejl: " in line
              and "(Id 1.3.1)" not in line]  # CKF/LHA sent nothing
    assert not [line for line in errors if "CPU-BGE.xlsx" in line or "CPU/BGE" in line
                and "RG406" not in line], errors
    assert ("RG406 fejl: CSK-MHO.xlsx › Mål › E2: Id'et 1.1.1 hører til »Flere borgere "
            "kender visionen« (CPU/BGE), men teksten er »Bosætning i yderområderne« "
            "(1.2.1). Ret Id'et eller teksten, så de hører til samme mål.") \
        in checked.output
    assert [line.split(":")[0] for line in errors] == ["RG406 fejl"] * 3
    assert "CSK/MHO: 0 af 3 mål indberettet (mangler 1.2.1, 1.2.2, 1.2.3)" in checked.output
    assert "ingen arbejdsbog modtaget" not in checked.output.replace(
        "CKF/LHA: 0 af 1 mål indberettet — ingen arbejdsbog modtaget", "")
    # Done as told in CSK/MHO's workbook: its own Ids.
    for row in csk:
        row[0] = row[0].replace("1.1.", "1.2.")
    write_workbook(back / "CSK-MHO.xlsx", csk, headers=PLAN_HEADERS)
    built, goals, _, docx = _documents(tmp_path, str(back), "--plan", str(plan))
    assert built.exit_code == 0, built.output
    assert all(goals[f"1.1.{n}"] == (["green"], ["green"], None) for n in (1, 2, 3))
    assert all(goals[f"1.2.{n}"] == (["red"], ["red"], f"CSK {n}") for n in (1, 2, 3))
    assert_in_order(docx, [CSK_GOALS[0], "CSK 1", CSK_GOALS[1], "CSK 2"])
