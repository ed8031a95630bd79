"""The overview before the themes: the goals per status, per theme and in all, in the
JSON, in the PDF's table and in the DOCX's, and the chart's alternative text; each number
checked against a count the test makes from the JSON's goals."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import docx
import pikepdf
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from reportgen import pictures as images
from reportgen.cli import main
from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.design.wording import load_wording
from reportgen.model import FocusArea, Goal, Report, Source, Status, Theme
from reportgen.pictures import chart
from reportgen.round import Round
from reportgen.writers import RenderOptions
from reportgen.writers.overview import Counts, counts, least_favourable

from .helpers import (
    docx_pictures,
    docx_text,
    goal_row,
    outloud_errors,
    pdf_figures,
    pdf_table_rows,
    pdf_text,
    squash,
    write_workbook,
)

WORDING = load_wording(DEFAULT_TEMPLATES)
COLUMN_STATUSES = ("green", "yellow", "red", "not_reported")
LONG = "Tema 2: Vækst & erhverv <med> et langt navn, der ombrydes i diagrammet"
# Three themes, each with more than one goal; double statuses, goals reported in one
# column only, and a goal reported in neither (a draft).
ROWS = [
    goal_row("A1", "grøn", "gul / grøn", "k", theme="Tema 1: Vision", area="Bosætning"),
    goal_row("A2", "gul / grøn", "rød", "k", theme="Tema 1: Vision", area="Bosætning"),
    goal_row("A3", None, "grøn", theme="Tema 1: Vision", area="Erhverv"),
    goal_row("A4", "rød / grøn", "grøn / gul", "k", theme="Tema 1: Vision", area="Erhverv"),
    goal_row("B1", "rød / gul", None, "k", theme=LONG, area="Erhverv"),
    goal_row("B2", None, None, theme=LONG, area="Erhverv"),
    goal_row("B3", "gul", "gul", "k", theme=LONG, area="Erhverv"),
    goal_row("C1", "grøn", "grøn", theme="Tema 3: Børn", area="Dagtilbud"),
    goal_row("C2", "grøn / grøn", "grøn", theme="Tema 3: Børn", area="Dagtilbud"),
]


def _build(folder: Path, overview: bool) -> dict[str, bytes]:
    path = write_workbook(folder / "in" / "overblik.xlsx", ROWS)
    outcome = build(Round([path]), folder / "out", ("pdf", "docx", "json"),
                    RenderOptions(draft=True, overview=overview))
    assert not outcome.errors, outcome.errors
    return {p.suffix[1:]: p.read_bytes() for p in outcome.written}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, bytes]:
    return _build(tmp_path_factory.mktemp("overview"), overview=True)


@pytest.fixture(scope="module")
def without(tmp_path_factory) -> dict[str, bytes]:
    return _build(tmp_path_factory.mktemp("no-overview"), overview=False)


def expected_from_goals(records: dict) -> list[tuple[str, list[int]]]:
    """(theme or "I alt", the 8 numbers: result then timeline, green to not reported),
    counted here from the JSON's goals: the worst of a column's statuses, none is not
    reported."""
    worst = {"red": 0, "yellow": 1, "green": 2}
    rows, total = [], [0] * 8
    for theme in records["themes"]:
        numbers = [0] * 8
        for area in theme["focus_areas"]:
            for goal in area["goals"]:
                for offset, column in ((0, "result"), (4, "timeline")):
                    statuses = sorted(goal[column], key=worst.__getitem__)
                    name = statuses[0] if statuses else "not_reported"
                    numbers[offset + COLUMN_STATUSES.index(name)] += 1
        rows.append((theme["name"], numbers))
        total = [a + b for a, b in zip(total, numbers, strict=True)]
    return [*rows, (WORDING.overview_total, total)]


@pytest.fixture(scope="module")
def expected(built) -> list[tuple[str, list[int]]]:
    return expected_from_goals(json.loads(built["json"]))


def test_the_fixture_has_what_the_overview_must_count(expected):
    assert [name for name, _ in expected] == ["Tema 1: Vision", LONG, "Tema 3: Børn", "I alt"]
    assert expected[0][1] == [1, 1, 1, 1, 1, 2, 1, 0]
    assert expected[1][1] == [0, 1, 1, 1, 0, 1, 0, 2]
    assert expected[-1][1] == [3, 2, 2, 2, 3, 3, 1, 2]


def test_least_favourable_status_counts_once_and_none_is_not_reported():
    assert least_favourable((Status.YELLOW, Status.GREEN)) is Status.YELLOW
    assert least_favourable((Status.GREEN, Status.RED)) is Status.RED
    assert least_favourable((Status.GREEN, Status.GREEN)) is Status.GREEN
    assert least_favourable(()) is None
    column = [(Status.YELLOW, Status.GREEN), (Status.RED, Status.YELLOW), (Status.GREEN,), ()]
    assert Counts.of(column) == Counts(green=1, yellow=1, red=1, not_reported=1)
    source = Source("f.xlsx", "Mål", 2)
    goals = [Goal(text=t, centre="C", result=r, timeline=tl, source=source) for t, r, tl in (
        ("a", (Status.GREEN, Status.RED), ()), ("b", (), (Status.YELLOW,)))]
    report = Report(themes=(Theme("T", (FocusArea("F", goals=tuple(goals)),)),))
    overview = counts(report)
    assert overview.total.result == Counts(red=1, not_reported=1)
    assert overview.total.timeline == Counts(yellow=1, not_reported=1)
    assert overview.themes[0].tally == overview.total  # one theme: its total is the total
    assert (counts(report).total + overview.total).result.goals == 4  # totals can be added


def test_json_overview_equals_the_count_from_its_goals(built, expected):
    records = json.loads(built["json"])
    rows = [(t["name"], t) for t in records["overview"]["themes"]]
    rows.append((WORDING.overview_total, records["overview"]["total"]))
    assert [(name, [row[c][s] for c in ("result", "timeline") for s in COLUMN_STATUSES])
            for name, row in rows] == expected
    assert list(records["overview"]["total"]["result"]) == list(COLUMN_STATUSES)


def _pdf_rows(data: bytes) -> list[tuple[str, list[str]]]:
    """Every table row of the structure tree, as (its first cell's tag, each cell's text)."""
    return [(cells[0][0], [text.strip() for _, text, _ in cells])
            for cells in pdf_table_rows(data) if cells]


def _overview_rows(rows: list[tuple[str, list[str]]]) -> list[tuple[str, list[int]]]:
    """The rows of nine cells, a header and eight numbers: the overview's body rows."""
    return [(squash(cells[0]), [int(n) for n in cells[1:]]) for tag, cells in rows
            if tag == "/TH" and len(cells) == 9 and all(n.isdigit() for n in cells[1:])]


def test_pdf_table_holds_the_numbers_counted_from_the_json(built, expected):
    rows = _pdf_rows(built["pdf"])
    assert _overview_rows(rows) == [(squash(name), numbers) for name, numbers in expected]
    heads = [list(map(squash, cells)) for tag, cells in rows
             if tag == "/TH" and len(cells) in (3, 8)]
    assert heads[:2] == [list(map(squash, labels)) for labels in (
        [WORDING.overview_theme, WORDING.column_result, WORDING.column_timeline],
        [WORDING.overview_green, WORDING.overview_yellow, WORDING.overview_red,
         WORDING.overview_not_reported] * 2)]
    text = squash(pdf_text(built["pdf"]))
    for label in (WORDING.overview_heading, WORDING.overview_caption, WORDING.overview_note):
        assert squash(label) in text
    # after the legend's comment rule, before the first theme's table
    assert text.index(squash(WORDING.comment_rule)) < text.index(
        squash(WORDING.overview_note)) < text.index(squash("Indsatsområde: Bosætning"))


def test_pdf_table_is_one_tagged_table_with_two_header_rows(built):
    with pikepdf.open(io.BytesIO(built["pdf"])) as pdf:
        tables = []

        def walk(node):
            kids = node.get("/K")
            for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [kids]):
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    if kid.S == "/Table":
                        tables.append(kid)
                    walk(kid)
        walk(pdf.Root.StructTreeRoot)
        overview = tables[2]  # after the header block and the legend
        parts = {str(k.S): k for k in overview.K if isinstance(k, pikepdf.Dictionary)}
        assert {"/Caption", "/THead", "/TBody"} <= set(parts)
        head_rows = [k for k in parts["/THead"].K if k.get("/S") == "/TR"]
        assert len(head_rows) == 2


def _docx_overview(data: bytes):
    document = docx.Document(io.BytesIO(data))
    return [table for table in document.tables
            if (caption := table._tbl.tblPr.find(qn("w:tblCaption"))) is not None
            and caption.get(qn("w:val")) == WORDING.overview_caption]


def test_docx_table_holds_the_numbers_counted_from_the_json(built, expected):
    tables = _docx_overview(built["docx"])
    assert len(tables) == 1
    table = tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0][1:] == [WORDING.column_result] * 4 + [WORDING.column_timeline] * 4
    assert rows[1][1:] == [WORDING.overview_green, WORDING.overview_yellow,
                           WORDING.overview_red, WORDING.overview_not_reported] * 2
    assert [(row[0], [int(n) for n in row[1:]]) for row in rows[2:]] == expected
    flags = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
             for row in table.rows]
    assert flags == [True, True] + [False] * len(expected)
    total = table.rows[-1].cells[1].paragraphs[0].runs[0]
    assert total.bold
    text = squash(docx_text(built["docx"]))
    assert squash(WORDING.overview_note) in text
    assert text.index(squash(WORDING.overview_note)) < text.index(
        squash("Indsatsområde: Bosætning"))


def _said(numbers: list[int]) -> str:
    return WORDING.overview_chart_counts.format(**dict(zip(COLUMN_STATUSES, numbers,
                                                           strict=True)))


def expected_alt(expected) -> str:
    return WORDING.overview_chart_alt.format(rows=" ".join(
        WORDING.overview_chart_row.format(name=name, result=_said(numbers[:4]),
                                          timeline=_said(numbers[4:]))
        for name, numbers in expected))


def test_chart_alt_text_states_the_numbers_in_the_pdf_and_the_docx(built, expected):
    alt = expected_alt(expected)
    assert "Tema 1: Vision: resultater grøn 1, gul 1, rød 1, ikke indberettet 1; " \
           "tidsplan grøn 1, gul 2, rød 1, ikke indberettet 0." in alt
    figures = pdf_figures(built["pdf"])
    assert figures.count(alt) == 1
    assert figures.index(alt) == 3  # after the legend's three smileys
    pictures = docx_pictures(built["docx"])
    charts = [(index, image) for index, (text, image) in enumerate(pictures) if text == alt]
    assert [index for index, _ in charts] == [3]
    image = charts[0][1]
    assert image.startswith(b"\x89PNG")
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    assert width >= 1500 and width > 2 * height  # a wide, sharp picture, not a square


def test_chart_draws_the_names_numbers_and_escapes_them():
    colours = [("#5CB85C", "#1E5E20")] * 3
    key = "chart:" + chart.name(("R", "T"), ("g", "y", "r", "n"),
                                [(LONG, (1, 2, 3, 0), (0, 0, 0, 6)), ("I alt", (1, 2, 3, 0),
                                                                       (0, 0, 0, 6))], colours)
    svg = images.svg(key)
    assert "&lt;med&gt;" in svg and "<med>" not in svg and "&amp;" in svg
    numbers = re.findall(r">(\d+)</text>", svg)
    assert numbers == ["1", "2", "3", "6", "1", "2", "3", "6"]
    cut = "chart:" + chart.name(("R", "T"), ("g",), [], colours)[:-2]
    for bad in ("chart:!!", cut, "chart:e30"):
        with pytest.raises(ValueError, match="ukendt billede"):
            images.svg(bad)


def test_no_overview_leaves_out_table_and_chart_in_both(built, without, expected):
    alt = expected_alt(expected)
    assert alt in pdf_figures(built["pdf"]) and alt not in pdf_figures(without["pdf"])
    assert not _overview_rows(_pdf_rows(without["pdf"]))
    text = squash(pdf_text(without["pdf"]))
    assert squash(WORDING.overview_note) not in text
    assert squash(WORDING.overview_caption) not in text
    assert not _docx_overview(without["docx"])
    assert alt not in [text for text, _ in docx_pictures(without["docx"])]
    assert squash(WORDING.overview_note) not in squash(docx_text(without["docx"]))
    # the rest is the same: every smiley, and the goals' numbers still in the JSON
    assert pdf_figures(without["pdf"]) == [f for f in pdf_figures(built["pdf"]) if f != alt]
    assert json.loads(without["json"]) == json.loads(built["json"])


def test_the_command_takes_no_overview(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_workbook(tmp_path / "input" / "a.xlsx", ROWS[7:])
    for args, out in (([], "med"), (["--no-overview"], "uden")):
        result = CliRunner().invoke(main, ["build", "input", "-o", out, "--format", "docx",
                                           *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert _docx_overview((tmp_path / "med" / "a.docx").read_bytes())
    assert not _docx_overview((tmp_path / "uden" / "a.docx").read_bytes())


def test_a_wording_without_the_overview_keys_is_rg920(tmp_path, monkeypatch):
    templates = tmp_path / "skabeloner"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    wording = templates / "wording.toml"
    wording.write_text(re.sub(r"(?m)^overview_total = .*\n", "", wording.read_text()))
    monkeypatch.chdir(tmp_path)
    write_workbook(tmp_path / "input" / "a.xlsx", ROWS[7:])
    result = CliRunner().invoke(main, ["build", "-q", "input", "--templates", str(templates),
                                       "--format", "html"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("RG920 fejl: wording.toml: "), result.stderr
    assert "overview_total" in result.stderr and "--no-overview" in result.stderr
    result = CliRunner().invoke(main, ["build", "-q", "input", "--templates", str(templates),
                                       "--format", "html", "--no-overview"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_outloud_finds_no_error_with_the_overview_table_and_chart(built, tmp_path):
    path = tmp_path / "overblik.pdf"
    path.write_bytes(built["pdf"])
    errors, warnings = outloud_errors(path)
    assert errors == []
    assert warnings <= {"TBL-014"}


def test_same_input_same_bytes_with_the_overview(built, tmp_path):
    again = _build(tmp_path, overview=True)
    assert again == built
