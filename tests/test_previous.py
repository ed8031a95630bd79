"""Change since the previous follow-up (`--previous`): a previous and a current follow-up
built here, in which statuses go up, down and stay, a double status changes by its least
favourable status, a goal is new and two are gone (one of two sharing a wording, told apart
by centre), once with Ids and once without."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from reportgen.cli import main
from reportgen.commands.build import build
from reportgen.commands.check import check
from reportgen.model import Change, Status, direction, least_favourable
from reportgen.round import Round

from .helpers import (
    HEADERS,
    docx_pictures,
    docx_text,
    goal_row,
    outloud_errors,
    pdf_figures,
    pdf_text,
    squash,
    write_workbook,
)

LABEL = "Opfølgning marts 2018"
IMPROVED, WORSE = f"forbedret siden {LABEL}", f"forværret siden {LABEL}"
AREA_2 = "Uddannelse"

# (Id, text, result, timeline, centre, area) then and now; None: not in that follow-up.
# A: result down, timeline up. B: result up, timeline stays. C: a double status down by its
# least favourable (gul / grøn -> grøn / rød), and a double timeline that stays by it
# (gul / grøn -> grøn / gul). E: one wording for two centres; CKU's goes down (against its
# own grøn, not CBU's rød), CBU's is gone. D gone. N new.
THEN = [
    ("1.1", "Flere borgere flytter til", "grøn", "gul", "CPU/BGE", "Vision"),
    ("1.2", "Bedre skoler", "rød", "rød", "CBU/BLI", "Vision"),
    ("1.3", "Mere kultur", "gul / grøn", "gul / grøn", "CKF/ABC", "Vision"),
    ("1.4", "Gammelt mål om veje", "grøn", "grøn", "CTM/XYZ", "Vision"),
    ("2.1", "Fælles mål for to centre", "rød", "grøn", "CBU/BLI", AREA_2),
    ("2.2", "Fælles mål for to centre", "grøn", "grøn", "CKU/ABC", AREA_2),
]
NOW = [
    ("1.1", "Flere borgere flytter til", "gul", "grøn", "CPU/BGE", "Vision"),
    ("1.2", "Bedre skoler", "grøn", "rød", "CBU/BLI", "Vision"),
    ("1.3", "Mere kultur", "grøn / rød", "grøn / gul", "CKF/ABC", "Vision"),
    ("1.5", "Nyt mål om cykelstier", "grøn", "grøn", "CTM/XYZ", "Vision"),
    ("2.2", "Fælles mål for to centre", "rød", "grøn", "CKU/ABC", AREA_2),
]
NEW = "Nyt mål om cykelstier"
GONE = [("Gammelt mål om veje", "Vision", "CTM/XYZ"),
        ("Fælles mål for to centre", AREA_2, "CBU/BLI")]
THEME = "Tema 1: Mærk Næstved"
# Marks per goal text, in document order: (result, timeline), None where none.
MARKS = {
    "Flere borgere flytter til": (WORSE, IMPROVED),
    "Bedre skoler": (IMPROVED, None),
    "Mere kultur": (WORSE, None),
    NEW: (None, None),
    "Fælles mål for to centre": (WORSE, None),
}


def write_follow_up(path: Path, goals, follow_up: str, ids: bool,
                    renamed: dict[str, str] | None = None) -> Path:
    rows = []
    for goal_id, text, result, timeline, centre, area in goals:
        text = (renamed or {}).get(text, text)
        row = goal_row(text, result, timeline, comment=f"Kommentar til {text}", centre=centre,
                       theme=THEME, area=area)
        rows.append([goal_id, *row] if ids else row)
    headers = ("Id", *HEADERS) if ids else HEADERS
    return write_workbook(path, rows, headers=headers,
                          meta=[("Titel", "Strategiplan"), ("Opfølgning", follow_up)])


@pytest.fixture(scope="module", params=["ids", "no-ids"])
def pair(request, tmp_path_factory) -> dict:
    """The previous follow-up (a workbook, and its JSON export), the current one, and the
    current built against the previous workbook: format -> bytes."""
    ids = request.param == "ids"
    folder = tmp_path_factory.mktemp(request.param)
    # With Ids, a goal's text may be reworded and still be the goal.
    renamed = {"Bedre skoler": "Bedre skoler i hele kommunen"} if ids else None
    previous = write_follow_up(folder / "forrige" / "marts.xlsx", THEN, LABEL, ids)
    current = write_follow_up(folder / "nu" / "august.xlsx", NOW, "Opfølgning august 2018",
                              ids, renamed)
    exported = build(Round([previous]), folder / "export", ("json",))
    assert not exported.errors, exported.errors
    outcome = build(Round([current], previous=previous), folder / "out", ("pdf", "docx", "json"))
    assert not outcome.errors, outcome.errors
    return {"folder": folder, "current": current, "previous": previous,
            "previous_json": exported.written[0], "renamed": renamed or {},
            **{p.suffix[1:]: p.read_bytes() for p in outcome.written},
            "paths": {p.suffix[1:]: p for p in outcome.written}}


def goals_of(records: dict) -> list[dict]:
    return [goal for theme in records["themes"] for area in theme["focus_areas"]
            for goal in area["goals"]]


def now_text(pair: dict, text: str) -> str:
    return pair["renamed"].get(text, text)


STATUS_WORDS = {"grøn": "green", "gul": "yellow", "rød": "red"}


def statuses(cell: str) -> list[str]:
    return [STATUS_WORDS[word.strip()] for word in cell.split("/")]


def is_mark(alt: str | None) -> bool:
    return bool(alt) and alt.startswith(("forbedret siden", "forværret siden"))


# -- The comparison itself --------------------------------------------------------------

def test_a_double_status_compares_by_its_least_favourable():
    g, y, r = Status.GREEN, Status.YELLOW, Status.RED
    assert least_favourable((g, r)) is r and least_favourable((y, g)) is y
    assert least_favourable(()) is None
    assert direction((y, g), (g, r)) is Change.WORSE
    assert direction((y, g), (g, y)) is Change.UNCHANGED
    assert direction((r,), (y, g)) is Change.IMPROVED
    assert direction((g,), (r,)) is Change.WORSE
    assert direction((), (g,)) is Change.NO_PREVIOUS
    assert direction((g,), ()) is Change.NO_PREVIOUS


def test_json_gives_each_goal_its_previous_statuses_or_null_and_the_goals_gone(pair):
    records = json.loads(pair["json"])
    then = {(text, centre): (result, timeline) for _, text, result, timeline, centre, _ in THEN}
    goals = goals_of(records)
    assert [g["text"] for g in goals] == [now_text(pair, n[1]) for n in NOW]
    for goal, (_, text, *_rest, centre, _area) in zip(goals, NOW, strict=True):
        if text == NEW:
            assert goal["previous"] is None
        else:
            result, timeline = then[text, centre]
            assert goal["previous"] == {"result": statuses(result),
                                        "timeline": statuses(timeline)}, text
    assert [(g["text"], g["focus_area"], g["centre"]) for g in records["removed"]] == GONE
    assert all(g["theme"] == THEME for g in records["removed"])
    gone = {g["centre"]: g for g in records["removed"]}
    assert gone["CBU/BLI"]["result"] == ["red"] and gone["CTM/XYZ"]["timeline"] == ["green"]
    assert gone["CBU/BLI"]["source"]["file"] == "marts.xlsx"


def test_without_previous_the_json_has_neither_field(pair, tmp_path):
    outcome = build(Round([pair["current"]]), tmp_path, ("json",))
    records = json.loads(outcome.written[0].read_bytes())
    assert "removed" not in records and "comparison" not in records
    assert all("previous" not in goal for goal in goals_of(records))


def test_the_pdf_marks_each_changed_status_with_its_direction_in_the_structure_tree(pair):
    from .helpers import pdf_goal_rows

    rows = pdf_goal_rows(pair["pdf"])
    assert len(rows) == len(NOW)
    for (goal, _notes, result, timeline, _centre), (_, text, *_rest) in zip(rows, NOW,
                                                                             strict=True):
        want_result, want_timeline = MARKS[text]
        assert [a for a in result if is_mark(a)] == ([want_result] if want_result else []), text
        assert [a for a in timeline if is_mark(a)] == (
            [want_timeline] if want_timeline else []), text
        # `ny` beside the new goal's text, and beside no other
        assert goal.endswith("ny") == (text == NEW), goal
    marks = [alt for alt in pdf_figures(pair["pdf"]) if is_mark(alt)]
    assert sorted(marks) == sorted([IMPROVED] * 2 + [WORSE] * 3)


def docx_goal_rows(data: bytes) -> list[tuple[str, list[str], list[str]]]:
    """(goal text, result pictures' alts, timeline pictures' alts) per goal row."""
    document = docx.Document(io.BytesIO(data))
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells = row.cells
            if len(cells) != 5:
                continue
            alts = [[p.get("descr") for p in c._tc.iter(qn("wp:docPr"))] for c in cells[2:4]]
            if any(alts) and cells[0].text.strip():
                rows.append((cells[0].text, *alts))
    return rows


def test_the_docx_marks_each_changed_status_with_its_direction_as_picture_alts(pair):
    rows = docx_goal_rows(pair["docx"])
    assert len(rows) == len(NOW)
    for (goal, result, timeline), (_, text, *_rest) in zip(rows, NOW, strict=True):
        want_result, want_timeline = MARKS[text]
        assert [a for a in result if is_mark(a)] == ([want_result] if want_result else []), text
        assert [a for a in timeline if is_mark(a)] == (
            [want_timeline] if want_timeline else []), text
        assert goal == (f"{text} ny" if text == NEW else now_text(pair, text))
    marks = [alt for alt, _ in docx_pictures(pair["docx"]) if is_mark(alt)]
    assert sorted(marks) == sorted([IMPROVED] * 2 + [WORSE] * 3)
    # one drawing each way, told apart by shape as well as colour
    pictures = {alt: image for alt, image in docx_pictures(pair["docx"]) if is_mark(alt)}
    assert pictures[IMPROVED] != pictures[WORSE]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_goals_gone_are_listed_after_the_last_theme(pair, fmt):
    text = pdf_text(pair["pdf"]) if fmt == "pdf" else docx_text(pair["docx"])
    heading = "Mål fra sidste opfølgning, som ikke længere er med"
    flat = squash(text)
    assert flat.count(squash(heading)) == 1
    after = flat[flat.index(squash(heading)):]
    assert squash(now_text(pair, NOW[-1][1])) in flat[:flat.index(squash(heading))]
    for goal, area, centre in GONE:
        assert squash(f"{goal} ({THEME} › {area}; {centre})") in after, goal
    assert squash("Resultater:") in after and squash("Tidsplan:") in after


def test_the_goals_gone_show_their_statuses_then_as_smileys_with_alt(pair):
    alts = [alt for alt, _ in docx_pictures(pair["docx"])]
    # the last four pictures: the two goals gone, result and timeline each
    assert alts[-4:] == ["Grøn smiley: resultatet forventes nået",
                         "Grøn smiley: tidsplanen forventes holdt",
                         "Rød smiley: resultatet forventes ikke nået",
                         "Grøn smiley: tidsplanen forventes holdt"]
    assert pdf_figures(pair["pdf"])[-4:] == alts[-4:]


def test_the_json_export_as_previous_gives_the_same_report_as_its_workbooks(pair, tmp_path):
    outcome = build(Round([pair["current"]], previous=pair["previous_json"]), tmp_path,
                    ("pdf", "docx", "json"))
    assert not outcome.errors, outcome.errors
    made = {p.suffix[1:]: p.read_bytes() for p in outcome.written}
    assert made["json"] == pair["json"]
    assert made["docx"] == pair["docx"]
    assert pdf_figures(made["pdf"]) == pdf_figures(pair["pdf"])


def test_same_input_same_bytes(pair, tmp_path):
    outcome = build(Round([pair["current"]], previous=pair["previous"]), tmp_path,
                    ("pdf", "docx", "json"))
    for path in outcome.written:
        assert path.read_bytes() == pair[path.suffix[1:]], path.name


def test_outloud_finds_no_errors_with_marks(pair):
    errors, _ = outloud_errors(pair["paths"]["pdf"])
    assert errors == []


# -- What goes wrong ----------------------------------------------------------------------

def broken(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def good_export(pair) -> dict:
    return json.loads(pair["previous_json"].read_bytes())


BROKEN = {
    "not JSON": ('{"meta": {}, "themes": [', "ikke gyldig JSON (linje 1"),
    "not UTF-8": (b'{"meta": {"title": "\xf8"}}', "ikke UTF-8"),
    "a list": ("[]", "filen skal være et objekt"),
    "no themes": ('{"meta": {}}', "filen mangler »themes«"),
    "no goal text": (None, "themes[0].focus_areas[0].goals[1] mangler »text«"),
    "an unknown status": (None, "themes[0].focus_areas[0].goals[0].result må kun holde"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_previous_json_is_rg110_naming_the_file_and_the_place(pair, tmp_path, case):
    content, expected = BROKEN[case]
    if content is None:
        records = good_export(pair)
        goals = records["themes"][0]["focus_areas"][0]["goals"]
        if case == "no goal text":
            del goals[1]["text"]
        else:
            goals[0]["result"] = ["blue"]
        content = json.dumps(records)
    path = broken(tmp_path, "forrige.json", content)
    result, findings = check(Round([pair["current"]], previous=path))
    found = [f for f in findings if f.code == "RG110"]
    assert len(found) == 1 and found[0].severity.value == "fejl"
    assert found[0].file == "forrige.json (forrige opfølgning)"
    assert expected in found[0].message, found[0].message
    # the command says it in Danish, with its code, and writes nothing
    cli = CliRunner().invoke(main, ["build", str(pair["current"]), "-o", str(tmp_path / "o"),
                                    "--previous", str(path)], catch_exceptions=False)
    assert cli.exit_code == 1
    assert "RG110 fejl: forrige.json (forrige opfølgning): " in cli.stdout
    assert "Traceback" not in cli.stdout + cli.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_previous_that_does_not_exist_is_rg001(pair, tmp_path):
    for command in (["build", "-o", str(tmp_path / "o")], ["check"]):
        cli = CliRunner().invoke(main, [*command, str(pair["current"]), "--previous",
                                        str(tmp_path / "ingen")], catch_exceptions=False)
        assert cli.exit_code == 2
        assert cli.stderr.startswith("RG001 fejl: Den forrige opfølgning findes ikke: »")


def test_check_compares_too_and_says_what_the_previous_workbook_holds(pair, tmp_path):
    cli = CliRunner().invoke(main, ["check", str(pair["current"]), "--previous",
                                    str(pair["previous"].parent)], catch_exceptions=False)
    assert cli.exit_code == 0, cli.stdout
    result, findings = check(Round([pair["current"]], previous=pair["previous"].parent))
    assert result.report.comparison.label == LABEL
    assert len(result.report.comparison.removed) == len(GONE)


def test_personal_data_in_the_previous_stops_nothing_and_is_shown_masked(tmp_path):
    cpr = "010190-1234"  # noqa: S105 (a test's made-up number)
    goals = [("1", f"Mål for borger {cpr}", "grøn", "grøn", "CPU/BGE", "Vision"),
             ("2", "Et mål", "grøn", "gul", "CPU/BGE", "Vision")]
    previous = write_follow_up(tmp_path / "forrige.xlsx", goals, LABEL, ids=False)
    current = write_follow_up(tmp_path / "nu.xlsx", goals[1:], "Nu", ids=False)
    outcome = build(Round([current], previous=previous), tmp_path / "out", ("json", "docx"))
    assert not outcome.errors, outcome.errors
    found = [f for f in outcome.findings if f.code == "RG601"]
    assert found and all(f.severity.value == "advarsel" for f in found)
    assert all(f.file == "forrige.xlsx (forrige opfølgning)" for f in found)
    made = {p.suffix[1:]: p.read_bytes() for p in outcome.written}
    assert cpr not in made["json"].decode() and "0101XX-XXXX" in made["json"].decode()
    assert cpr not in docx_text(made["docx"]) and "0101XX-XXXX" in docx_text(made["docx"])


def test_the_label_falls_back_to_the_date_and_then_to_words(tmp_path):
    now = [("1", "Et mål", "grøn", "gul", "CPU/BGE", "Vision")]
    current = write_follow_up(tmp_path / "nu.xlsx", now, "Nu", ids=False)
    dated = write_workbook(tmp_path / "a" / "dated.xlsx", [goal_row(
        "Et mål", "gul", "gul", "Kommentar")], meta=[("Dato", "Marts 2018")])
    bare = write_workbook(tmp_path / "b" / "bare.xlsx", [goal_row(
        "Et mål", "gul", "gul", "Kommentar")])
    for previous, label in ((dated, "Marts 2018"), (bare, "sidste opfølgning")):
        outcome = build(Round([current], previous=previous), tmp_path / "out", ("docx",))
        alts = [alt for alt, _ in docx_pictures(outcome.written[0].read_bytes())]
        assert [a for a in alts if is_mark(a)] == [f"forbedret siden {label}"]


def test_the_texts_of_the_goals_gone_and_the_label_are_the_reports_texts(pair):
    result, _ = check(Round([pair["current"]], previous=pair["previous"]))
    report = result.report
    texts = [text for _, text, _ in report.texts()]
    assert LABEL in texts and "Gammelt mål om veje" in texts
    changed = report.with_texts(lambda text: text.upper())
    assert changed.comparison.label == LABEL.upper()
    assert [p.goal.text for p in changed.comparison.removed] == [g[0].upper() for g in GONE]
    assert changed.comparison.removed[0].theme == THEME.upper()
    assert all(text.isupper() or not any(c.isalpha() for c in text)
               for _, text, _ in changed.texts())


def test_the_command_builds_with_previous(pair, tmp_path):
    cli = CliRunner().invoke(main, ["build", str(pair["current"]), "-o", str(tmp_path),
                                    "--format", "json", "--previous",
                                    str(pair["previous_json"])], catch_exceptions=False)
    assert cli.exit_code == 0, cli.stdout + cli.stderr
    assert (tmp_path / "august.json").read_bytes() == pair["json"]


# -- The overview beside the earlier follow-up's numbers -----------------------------------

ORDER = ("red", "yellow", "green")


def counted(goals, column: int) -> dict[str, int]:
    """The earlier follow-up's numbers, counted here from THEN: each goal once, by its
    least favourable status."""
    numbers = dict.fromkeys(("green", "yellow", "red", "not_reported"), 0)
    for goal in goals:
        words = statuses(goal[column])
        numbers[next(status for status in ORDER if status in words)] += 1
    return numbers


def test_the_overview_holds_the_earlier_total_beside_the_current(pair):
    expected = {"result": counted(THEN, 2), "timeline": counted(THEN, 3)}
    records = json.loads(pair["json"])
    assert records["overview"]["previous_total"] == expected
    row = [str(n) for column in ("result", "timeline") for n in expected[column].values()]
    assert squash(f"I alt, {LABEL} {' '.join(row)}") in squash(pdf_text(pair["pdf"]))
    document = docx.Document(io.BytesIO(pair["docx"]))
    rows = [[cell.text for cell in table.rows[index].cells] for table in document.tables
            for index in range(len(table.rows)) if table.rows[index].cells[0].text
            == f"I alt, {LABEL}"]
    assert rows == [[f"I alt, {LABEL}", *row]]


def test_without_previous_the_overview_has_no_earlier_total(pair, tmp_path):
    outcome = build(Round([pair["current"]]), tmp_path, ("json", "pdf"))
    assert "previous_total" not in json.loads(outcome.written[0].read_bytes())["overview"]
    assert "I alt," not in pdf_text(outcome.written[1].read_bytes())


def test_a_centres_extract_lists_and_counts_only_its_own_goals_then(pair, tmp_path):
    outcome = build(Round([pair["current"]], previous=pair["previous"], centres=["ctm/xyz"]),
                    tmp_path, ("json",))
    assert not outcome.errors, outcome.errors
    records = json.loads(outcome.written[0].read_bytes())
    assert [goal["text"] for goal in records["removed"]] == ["Gammelt mål om veje"]
    ctm = [goal for goal in THEN if goal[4] == "CTM/XYZ"]
    assert records["overview"]["previous_total"] == {"result": counted(ctm, 2),
                                                     "timeline": counted(ctm, 3)}


# -- A previous JSON export: its personal data, and its bounds ------------------------------

PERSONAL = [("1", "Mål for borger 010190-1234", "grøn", "grøn", "CPU/BGE", "Vision"),
            ("2", "Et mål", "grøn", "gul", "CPU/BGE", "Vision"),
            ("3", "Et gammelt mål", "grøn", "grøn", "CTM/XYZ", "Vision")]


def _personal_previous(folder: Path) -> tuple[Path, Path, Path]:
    """The previous follow-up with a CPR number in a goal's text and an e-mail address and
    a phone number in a goal's comment, as a workbook and as its JSON export (the export
    made of a clean workbook, the texts then written into it), and the current one."""
    previous = write_follow_up(folder / "forrige" / "forrige.xlsx", PERSONAL, LABEL, ids=False)
    clean = write_follow_up(folder / "ren" / "forrige.xlsx", PERSONAL[1:], LABEL, ids=False)
    exported = build(Round([clean]), folder / "eksport", ("json",)).written[0]
    records = json.loads(exported.read_bytes())
    goals = records["themes"][0]["focus_areas"][0]["goals"]
    goals.insert(0, {**goals[0], "text": PERSONAL[0][1], "result": ["green"],
                     "timeline": ["green"], "comment": f"Kommentar til {PERSONAL[0][1]}"})
    goals[2]["comment"] = "Skriv til lotte.f@naestved.dk eller ring 22 33 44 55"
    exported.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    wb = openpyxl_comment(previous, "Skriv til lotte.f@naestved.dk eller ring 22 33 44 55")
    current = write_follow_up(folder / "nu" / "nu.xlsx", PERSONAL[1:2], "Nu", ids=False)
    return wb, exported, current


def openpyxl_comment(path: Path, comment: str) -> Path:
    """The workbook with the last goal's comment (column I) replaced."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Mål"]
    sheet.cell(sheet.max_row, 8).value = comment
    workbook.save(path)
    return path


def test_personal_data_in_a_previous_json_is_said_as_in_a_previous_workbook(tmp_path):
    """The goals gone are republished from the JSON as from the workbook: its e-mail
    addresses and phone numbers are warnings, its CPR numbers warnings saying they are
    masked, each naming the JSON and where in it, shown masked."""
    workbook, exported, current = _personal_previous(tmp_path)
    said = {}
    for previous in (workbook, exported):
        _, findings = check(Round([current], previous=previous))
        said[previous.suffix] = sorted((f.code, f.severity.value, f.centre) for f in findings
                                       if f.code in ("RG601", "RG602", "RG603"))
        assert all(f.file == f"{previous.name} (forrige opfølgning)" for f in findings
                   if f.code.startswith("RG60"))
    assert said[".xlsx"] == [
        ("RG601", "advarsel", "CPU/BGE"), ("RG601", "advarsel", "CPU/BGE"),
        ("RG602", "advarsel", "CTM/XYZ"), ("RG603", "advarsel", "CTM/XYZ")]
    assert said[".json"] == [
        ("RG601", "advarsel", "CPU/BGE"), ("RG601", "advarsel", "CPU/BGE"),
        ("RG602", "advarsel", "CTM/XYZ"),
        ("RG603", "advarsel", "CTM/XYZ")]
    cli = CliRunner().invoke(main, ["check", str(current), "--previous", str(exported)],
                             catch_exceptions=False)
    assert cli.exit_code == 0, cli.output
    lines = [line for line in cli.output.splitlines() if line.startswith("RG60")]
    assert len(lines) == 4
    assert ("RG602 advarsel: forrige.json (forrige opfølgning): "
            "themes[0].focus_areas[0].goals[2].comment (målet »Et gammelt mål«) indeholder en "
            "e-mailadresse (l…@…dk)") in cli.output
    assert "et telefonnummer (22 XX XX XX)" in cli.output
    assert "CPR-nummer (0101XX-XXXX)" in cli.output and "Det stopper ikke rapporten" in cli.output
    for secret in ("010190", "lotte.f", "22 33 44 55"):
        assert secret not in cli.output
    assert "--accept" not in cli.output  # the previous follow-up's findings are not accepted


def _export_of(goals: int) -> str:
    goal = {"id": None, "text": "Et mål, der ikke længere er med", "measure": None,
            "centre": "CPU/BGE", "result": ["green"], "timeline": ["yellow"],
            "comment": "En kommentar", "source": {"file": "a.xlsx", "sheet": "Mål", "row": 2}}
    return json.dumps({"meta": {"follow_up": LABEL}, "themes": [{"name": THEME, "focus_areas": [
        {"name": "Vision", "goals": [{**goal, "text": f"Mål nr. {n}"} for n in range(goals)]}
    ]}]})


@pytest.fixture
def current(tmp_path) -> Path:
    return write_follow_up(tmp_path / "nu" / "august.xlsx", NOW, "Opfølgning august 2018", False)


def test_a_previous_json_beyond_the_bounds_is_refused_in_seconds(current, tmp_path):
    """20,000 goals gone (2.4 MB) took minutes and gigabytes to build: a previous JSON is
    bounded as a workbook is, by its goals and its size, and refused (RG111) at once,
    before anything is laid out."""
    import time

    from reportgen.reader.json import MAX_JSON_BYTES
    from reportgen.reader.rows import MAX_ROWS

    many = broken(tmp_path, "mange.json", _export_of(20_000))
    large = broken(tmp_path, "stor.json", '{"meta": {}, "themes": []}'
                   + " " * MAX_JSON_BYTES)
    for path, said in ((many, f"mere end {MAX_ROWS} mål"),
                       (large, f"større end {MAX_JSON_BYTES // 2**20} MB")):
        start = time.monotonic()
        cli = CliRunner().invoke(main, ["build", str(current), "-o",
                                        str(tmp_path / "o"), "--previous", str(path)],
                                 catch_exceptions=False)
        assert time.monotonic() - start < 10
        assert cli.exit_code == 1, cli.output
        (line,) = [line for line in cli.stdout.splitlines() if line.startswith("RG111")]
        assert line.startswith(f"RG111 fejl: {path.name} (forrige opfølgning): "), line
        assert said in line, line
        assert not (tmp_path / "o").exists()
    # at the bound, it is read
    _, findings = check(Round([current], previous=broken(
        tmp_path, "nok.json", _export_of(MAX_ROWS))))
    assert not [f for f in findings if f.code in ("RG110", "RG111")]


def test_a_previous_json_nested_too_deep_is_rg110(current, tmp_path):
    """Nested 100,000 deep, the JSON is no export (one is nested 8 deep): RG110, not a
    Python error, and nothing written; nested where a text may stand it is too."""
    deep = broken(tmp_path, "dyb.json", '{"meta": {}, "themes": ' + "[" * 100_000
                  + "]" * 100_000 + "}")
    text = _export_of(1).replace('"meta": {', '"meta": {"title": ' + "[" * 30 + "]" * 30 + ", ")
    inside = broken(tmp_path, "dyb-tekst.json", text)
    for path in (deep, inside):
        cli = CliRunner().invoke(main, ["build", str(current), "-o",
                                        str(tmp_path / "o"), "--previous", str(path)],
                                 catch_exceptions=False)
        assert cli.exit_code == 1, cli.output
        assert (f"RG110 fejl: {path.name} (forrige opfølgning): Filen er ikke en JSON-eksport "
                "fra reportgen: den er indlejret mere end") in cli.stdout, cli.output
        assert "Traceback" not in cli.output and not (tmp_path / "o").exists()


# -- An Id given to another goal (case: a reused Id) ---------------------------------------

def test_a_reused_id_is_a_new_goal_and_the_old_goal_is_gone_with_a_notice(tmp_path):
    then = [("1.1.1", "Gammelt mål om havnen", "rød", "rød", "CPU/BGE", "Vision"),
            ("1.1.2", "Flere borgere flytter til", "gul", "gul", "CPU/BGE", "Vision")]
    # 1.1.1 now names another goal; 1.1.2's text is only edited: still the goal
    now = [("1.1.1", "Nyt mål om skovene", "grøn", "grøn", "CPU/BGE", "Vision"),
           ("1.1.2", "Flere borgere flytter til kommunen", "grøn", "gul", "CPU/BGE", "Vision")]
    previous = write_follow_up(tmp_path / "forrige" / "marts.xlsx", then, LABEL, ids=True)
    current = write_follow_up(tmp_path / "nu" / "august.xlsx", now, "August", ids=True)
    outcome = build(Round([current], previous=previous), tmp_path / "out",
                    ("pdf", "docx", "json"))
    assert not outcome.errors, outcome.errors
    made = {p.suffix[1:]: p.read_bytes() for p in outcome.written}
    records = json.loads(made["json"])
    goals = goals_of(records)
    assert goals[0]["previous"] is None
    assert goals[1]["previous"] == {"result": ["yellow"], "timeline": ["yellow"]}
    assert [g["text"] for g in records["removed"]] == ["Gammelt mål om havnen"]
    assert records["overview"]["previous_total"]["result"]["red"] == 1
    notices = [f for f in outcome.findings if f.code == "RG420"]
    assert len(notices) == 1 and notices[0].severity.value == "bemærkning"
    for said in ("1.1.1", "Gammelt mål om havnen", "Nyt mål om skovene"):
        assert said in notices[0].message, notices[0].message
    # the new goal is marked new, the only mark is the edited goal's, and the old goal
    # is listed as gone
    assert [a for a, _ in docx_pictures(made["docx"]) if is_mark(a)] == [IMPROVED]
    assert [a for a in pdf_figures(made["pdf"]) if is_mark(a)] == [IMPROVED]
    heading = squash("Mål fra sidste opfølgning, som ikke længere er med")
    for text in (pdf_text(made["pdf"]), docx_text(made["docx"])):
        flat = squash(text)
        assert squash("Nyt mål om skovene ny") in flat
        assert squash("Gammelt mål om havnen") in flat[flat.index(heading):]


def test_ids_given_to_each_others_goals_follow_the_texts(tmp_path):
    then = [("1", "Bedre skoler", "rød", "rød", "CPU/BGE", "Vision"),
            ("2", "Mere kultur", "grøn", "grøn", "CPU/BGE", "Vision")]
    now = [("1", "Mere kultur", "grøn", "grøn", "CPU/BGE", "Vision"),
           ("2", "Bedre skoler", "gul", "gul", "CPU/BGE", "Vision")]
    previous = write_follow_up(tmp_path / "forrige.xlsx", then, LABEL, ids=True)
    current = write_follow_up(tmp_path / "nu.xlsx", now, "August", ids=True)
    result, findings = check(Round([current], previous=previous))
    goals = list(result.report.goals())
    assert [g.previous.result for g in goals] == [(Status.GREEN,), (Status.RED,)]
    assert result.report.comparison.removed == ()
    assert [f.code for f in findings if f.code == "RG420"] == ["RG420", "RG420"]


# -- A theme or a centre renamed, with --split theme and --centre ---------------------------

RENAMED_THEME = "Tema 1: Vision og Bosætning"


def write_renamed(path: Path, goals, follow_up: str) -> Path:
    rows = [[goal_id, *goal_row(text, result, timeline, comment=f"Kommentar til {text}",
                                centre=centre, theme=theme, area="Vision")]
            for goal_id, text, result, timeline, centre, theme in goals]
    return write_workbook(path, rows, headers=("Id", *HEADERS),
                          meta=[("Titel", "Strategiplan"), ("Opfølgning", follow_up)])


@pytest.fixture()
def renamed(tmp_path) -> dict:
    """Last time theme 1 had another name and its centre other initials; one goal of it
    is gone. Theme 2 and its centre are as they were, and one of its goals is gone too."""
    then = [("1.1", "Flere borgere flytter til", "rød", "rød", "CPU/BGE", THEME),
            ("1.2", "Gammelt mål om veje", "rød", "gul", "CPU/BGE", THEME),
            ("2.1", "Bedre skoler", "gul", "gul", "CBU/BLI", "Tema 2: Læring"),
            ("2.2", "Gammelt mål om klasser", "grøn", "grøn", "CBU/BLI", "Tema 2: Læring")]
    now = [("1.1", "Flere borgere flytter til", "grøn", "grøn", "CPU/KLM", RENAMED_THEME),
           ("2.1", "Bedre skoler", "grøn", "gul", "CBU/BLI", "Tema 2: Læring")]
    previous = write_renamed(tmp_path / "forrige" / "marts.xlsx", then, LABEL)
    current = write_renamed(tmp_path / "nu" / "august.xlsx", now, "August")
    return {"previous": previous, "current": current, "folder": tmp_path}


def made_documents(outcome) -> dict[str, dict[str, bytes]]:
    """stem -> format -> bytes."""
    documents: dict[str, dict[str, bytes]] = {}
    for path in outcome.written:
        documents.setdefault(path.stem, {})[path.suffix[1:]] = path.read_bytes()
    return documents


def assert_gone_and_total(document: dict[str, bytes], gone: list[str], total: list[int]):
    records = json.loads(document["json"])
    assert [g["text"] for g in records["removed"]] == gone
    previous_total = records["overview"]["previous_total"]
    assert [n for column in ("result", "timeline")
            for n in previous_total[column].values()] == total
    row = squash(f"I alt, {LABEL} {' '.join(map(str, total))}")
    assert row in squash(pdf_text(document["pdf"]))
    assert row in squash(docx_text(document["docx"]))
    for text in (pdf_text(document["pdf"]), docx_text(document["docx"])):
        for goal in gone:
            assert squash(goal) in squash(text)


def test_a_renamed_themes_document_lists_and_counts_its_goals_gone(renamed):
    outcome = build(Round([renamed["current"]], previous=renamed["previous"], split="theme"),
                    renamed["folder"] / "out", ("pdf", "docx", "json"))
    assert not outcome.errors, outcome.errors
    documents = made_documents(outcome)
    first = documents["Tema-1-Vision-og-Bosætning"]
    second = documents["Tema-2-Læring"]
    # theme 1 then: red/red and red/yellow; theme 2 then: yellow/yellow and green/green
    assert_gone_and_total(first, ["Gammelt mål om veje"], [0, 0, 2, 0, 0, 1, 1, 0])
    assert_gone_and_total(second, ["Gammelt mål om klasser"], [1, 1, 0, 0, 1, 1, 0, 0])


def test_a_renamed_centres_extract_lists_and_counts_its_goals_gone(renamed):
    outcome = build(Round([renamed["current"]], previous=renamed["previous"],
                          centres=["CPU/KLM"]), renamed["folder"] / "out",
                    ("pdf", "docx", "json"))
    assert not outcome.errors, outcome.errors
    (document,) = made_documents(outcome).values()
    assert_gone_and_total(document, ["Gammelt mål om veje"], [0, 0, 2, 0, 0, 1, 1, 0])


def test_a_goal_gone_whose_theme_maps_to_nothing_is_in_the_whole_report_only(tmp_path):
    then = [("1.1", "Flere borgere flytter til", "grøn", "grøn", "CPU/BGE", THEME),
            ("9.1", "Mål om et nedlagt tema", "rød", "rød", "CXX/OLD", "Tema 9: Nedlagt")]
    now = [("1.1", "Flere borgere flytter til", "grøn", "grøn", "CPU/BGE", THEME)]
    previous = write_renamed(tmp_path / "forrige" / "marts.xlsx", then, LABEL)
    current = write_renamed(tmp_path / "nu" / "august.xlsx", now, "August")
    whole = build(Round([current], previous=previous), tmp_path / "whole", ("json",))
    assert [g["text"] for g in json.loads(whole.written[0].read_bytes())["removed"]] == [
        "Mål om et nedlagt tema"]
    for asked in ({"split": "theme"}, {"centres": ["CPU/BGE"]}):
        outcome = build(Round([current], previous=previous, **asked), tmp_path / "out",
                        ("json",))
        assert not outcome.errors, outcome.errors
        records = json.loads(outcome.written[0].read_bytes())
        assert records["removed"] == []
        assert records["overview"]["previous_total"]["result"] == {
            "green": 1, "yellow": 0, "red": 0, "not_reported": 0}
        notices = [f for f in outcome.findings if f.code == "RG421"]
        assert len(notices) == 1, outcome.findings
        assert "Mål om et nedlagt tema" in notices[0].message
        assert "samlede rapport" in notices[0].message
