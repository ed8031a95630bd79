"""The default input reproduces the municipality's document, in PDF, DOCX, HTML and JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from docx.oxml.ns import qn

from reportgen.design import DEFAULT_TEMPLATES
from reportgen.design.look import load_look
from reportgen.design.wording import load_wording
from reportgen.model import Status
from reportgen.pictures import png

from . import source_texts
from .helpers import ARTIFACTS, assert_in_order, docx_pictures, docx_text, pdf_figures, pdf_text

EXPECTED_JSON = Path(__file__).parent / "expected" / "default.json"
WORDING = load_wording(DEFAULT_TEMPLATES)
LOOK = load_look(DEFAULT_TEMPLATES)


def chart_alt(records: dict) -> str:
    """The overview's chart's alternative text, from the JSON's overview."""
    def said(numbers: dict) -> str:
        return WORDING.overview_chart_counts.format(**numbers)

    rows = [(t["name"], t) for t in records["overview"]["themes"]]
    rows.append((WORDING.overview_total, records["overview"]["total"]))
    return WORDING.overview_chart_alt.format(rows=" ".join(
        WORDING.overview_chart_row.format(name=name, result=said(row["result"]),
                                          timeline=said(row["timeline"]))
        for name, row in rows))


def expected_alts(records: dict) -> list[str]:
    """The legend's three smileys, the overview's chart, then each goal's result and
    timeline statuses."""
    alts = [WORDING.alt(status) for status in Status] + [chart_alt(records)]
    for theme in records["themes"]:
        for area in theme["focus_areas"]:
            for goal in area["goals"]:
                for column in ("result", "timeline"):
                    alts += [WORDING.alt(Status(s), column) for s in goal[column]]
    return alts


@pytest.fixture(scope="module")
def records(default_build) -> dict:
    return json.loads(default_build["json"])


def test_pdf_holds_every_text_of_the_source_in_order(default_build):
    assert_in_order(pdf_text(default_build["pdf"]), source_texts.ALL)


def test_docx_holds_every_text_of_the_source_in_order(default_build):
    assert_in_order(docx_text(default_build["docx"]), source_texts.ALL)


def test_json_equals_the_checked_in_records(records):
    assert records == json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))


def test_default_input_has_the_source_statuses_and_a_double_timeline(records):
    goals = [g for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]]
    assert len(goals) == 7
    assert [g["timeline"] for g in goals if len(g["timeline"]) == 2] == [["green", "green"]]
    commented = [g for g in goals if g["comment"]]
    assert [g["text"] for g in commented] == ["Ny bosætningsstrategi for 2018 - 2021"]
    assert {"yellow", "red"} & set(commented[0]["result"] + commented[0]["timeline"])


def test_every_smiley_in_the_pdf_is_a_figure_with_its_danish_alt_text(default_build, records):
    alts = expected_alts(records)
    assert len(alts) == 3 + 1 + sum(len(g["result"]) + len(g["timeline"])
                                for t in records["themes"] for a in t["focus_areas"]
                                for g in a["goals"])
    assert pdf_figures(default_build["pdf"]) == alts
    assert "Gul smiley: resultatet forventes i overvejende grad nået" in alts
    assert "Rød smiley: tidsplanen forventes ikke holdt" in alts


def test_every_smiley_in_the_docx_is_the_right_picture_with_its_alt_text(default_build, records):
    pictures = docx_pictures(default_build["docx"])
    assert [alt for alt, _ in pictures] == expected_alts(records)
    by_name = {WORDING.row(status).name: status for status in Status}
    assert pictures.pop(3)[0] == chart_alt(records)  # the chart (tests/test_overview.py)
    for alt, image in pictures:
        status = by_name[alt.split(":")[0]]
        assert image == png(LOOK.picture(f"smiley:{status.value}")), alt


def test_pdf_is_tagged_danish_and_titled(default_build):
    with pikepdf.open(io.BytesIO(default_build["pdf"])) as pdf:
        assert pdf.Root.Lang == "da-DK"
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.open_metadata()["dc:title"] == (
            "Tema 1: Vision og Bosætning. Opfølgning på Strategiplan 2018")


def test_docx_has_danish_language_repeating_header_rows_and_unsplit_goal_rows(default_build):
    import docx

    document = docx.Document(io.BytesIO(default_build["docx"]))
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "da-DK"
    assert document.core_properties.title.startswith("Tema 1: Vision og Bosætning")
    goal_table = document.tables[-1]
    assert goal_table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    goal_rows = [row for row in goal_table.rows if row.cells[-1].text == "CPU/BGE"]
    assert len(goal_rows) == 7
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in goal_rows)


def test_html_is_the_escaped_source_of_the_pdf(default_build):
    html = default_build["html"].decode()
    assert '<html lang="da-DK">' in html
    assert "Styrkelse af &#34; Mærk Næstved" in html
    assert html.count('<img class="smiley"') + html.count('<img class="chart"') == len(
        pdf_figures(default_build["pdf"]))


def test_page_one_rendered_to_png_shows_text_and_all_three_smileys(default_build):
    pdf = pypdfium2.PdfDocument(default_build["pdf"])
    image = pdf[0].render(scale=2).to_pil().convert("RGB")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / "page1.png")
    colours = image.getcolors(maxcolors=1 << 20)
    counts = {rgb: n for n, rgb in colours}

    def near(hex_colour: str) -> int:
        target = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
        return sum(n for rgb, n in counts.items()
                   if all(abs(a - b) <= 12 for a, b in zip(rgb, target, strict=True)))

    for status in Status:
        assert near(LOOK.smiley(status)[0]) > 200, f"no {status.value} smiley on page 1"
    dark = sum(n for rgb, n in counts.items() if max(rgb) < 80)
    assert dark > 5000, "page 1 shows almost no text"
