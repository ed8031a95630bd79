"""The layout that holds on page 37: column labels on every page, header rows that repeat in
Word, a draft's mark on every page, a long title beside the page number; and one look, one
edit: colours and labels from templates/ reach both documents."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import docx
import numpy as np
import pdfplumber
import pypdfium2
import pytest
from docx.oxml.ns import qn
from PIL import Image

from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.design.look import load_look
from reportgen.errors import ReportgenError
from reportgen.round import Round
from reportgen.writers import RenderOptions

from .helpers import docx_pictures, goal_row, squash, workbooks, write_workbook

COLUMNS = ("Måles hvordan/opnås gennem", "Resultater", "Tidsplan", "Center/Centerchef")
LONG_TITLE = ("Opfølgning på strategiplanen for Næstved Kommune, med en titel så lang som "
              "nogen har skrevet den " * 4)[:300].strip()


@pytest.fixture(scope="module")
def large_draft(tmp_path_factory) -> dict[str, bytes]:
    """200 goals, as a draft, under a 300-character title."""
    folder = tmp_path_factory.mktemp("large")
    path = workbooks.write(200, folder / "in" / "large.xlsx")
    outcome = build(Round([path], details={"title": LONG_TITLE}), folder / "out", ("pdf", "docx"),
                    RenderOptions(draft=True))
    assert not outcome.errors, outcome.errors
    return {p.suffix[1:]: p.read_bytes() for p in outcome.written}


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_every_page_with_goal_rows_holds_the_column_labels(large_draft):
    texts = page_texts(large_draft["pdf"])
    assert len(texts) > 30
    # A goal row's centre code (C00/AB …) marks a page that holds goal rows.
    with_goals = [i for i, text in enumerate(texts) if re.search(r"\bC\d\d/[A-Z]{2}\b", text)]
    assert len(with_goals) > 30
    for index in with_goals:
        # a label may wrap in its cell, and the text runs row by row: word by word
        words = set(re.split(r"\s+|(?<=/)", texts[index]))
        for label in COLUMNS:
            missing = [w for w in re.split(r"\s+|(?<=/)", label) if w and w not in words]
            assert not missing, f"page {index + 1} lacks {label!r}"


def test_each_goal_tables_two_first_rows_carry_tbl_header(large_draft):
    document = docx.Document(io.BytesIO(large_draft["docx"]))
    goal_tables = [t for t in document.tables if len(t.columns) == 5]
    assert len(goal_tables) == 4
    for table in goal_tables:
        flags = [row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
                 for row in table.rows]
        assert flags[:2] == [True, True]
        assert not any(flags[2:])  # only the table's first rows repeat
        labels = [c.text for c in table.rows[1].cells[1:]]
        assert labels == list(COLUMNS)
        # the focus area's rows stay with its first goal
        area = next(row for row in table.rows if row.cells[0].text.startswith("Indsatsområde:"))
        assert all(p.paragraph_format.keep_with_next for p in area.cells[0].paragraphs)


def test_a_drafts_every_page_says_kladde(large_draft):
    texts = page_texts(large_draft["pdf"])
    assert all("KLADDE" in text for text in texts)
    with zipfile.ZipFile(io.BytesIO(large_draft["docx"])) as archive:
        headers = [archive.read(n).decode() for n in archive.namelist()
                   if re.fullmatch(r"word/header\d*\.xml", n)]
    assert any("KLADDE" in header for header in headers)


def test_a_final_reports_pages_do_not_say_kladde(multi_theme):
    assert not any("KLADDE" in text for text in page_texts(multi_theme["pdf"]))
    with zipfile.ZipFile(io.BytesIO(multi_theme["docx"])) as archive:
        assert not any("KLADDE" in archive.read(n).decode() for n in archive.namelist()
                       if n.startswith("word/header"))


def test_a_long_title_in_the_footer_stays_clear_of_the_page_number(large_draft):
    with pdfplumber.open(io.BytesIO(large_draft["pdf"])) as pdf:
        for page in pdf.pages[:3]:
            foot = [w for w in page.extract_words() if w["top"] > page.height - 22 * 72 / 25.4]
            number = [w for w in foot if w["text"] in ("Side", "af") or w["text"].isdigit()]
            title = [w for w in foot if w not in number]
            assert len(number) >= 4 and len(title) > 20
            assert squash(" ".join(w["text"] for w in title)) == squash(LONG_TITLE)
            for a in title:
                for b in number:
                    assert (a["x1"] <= b["x0"] or b["x1"] <= a["x0"] or a["bottom"] <= b["top"]
                            or b["bottom"] <= a["top"]), (a["text"], b["text"])
    # Word: the title and the page number in two cells of the footer's table
    with zipfile.ZipFile(io.BytesIO(large_draft["docx"])) as archive:
        footer = next(archive.read(n).decode() for n in archive.namelist()
                      if re.fullmatch(r"word/footer\d*\.xml", n))
    cells = re.findall(r"<w:tc>.*?</w:tc>", footer, re.S)
    assert len(cells) == 2
    assert LONG_TITLE.split()[0] in cells[0] and "NUMPAGES" in cells[1]
    assert "NUMPAGES" not in cells[0]


def test_a_double_status_stays_on_one_line_in_word(large_draft):
    document = docx.Document(io.BytesIO(large_draft["docx"]))
    # the goal tables' status cells (the overview's note writes "gul / grøn" in words)
    goal_tables = [table for table in document.tables
                   if "mål og status" in table._tbl.tblPr.xml]
    cells = [cell for table in goal_tables for row in table.rows for cell in row.cells[2:4]]
    xml = "".join(cell._tc.xml for cell in cells)
    assert "\u00a0/\u00a0" in xml and " / " not in xml
    for inline in document.element.body.iter(qn("wp:inline")):
        assert [inline.get(s) for s in ("distL", "distR")] == ["0", "0"]


# --- one look, one edit ---------------------------------------------------------------

ACCENT, GREEN = "#0055AA", "#00C8FF"


@pytest.fixture(scope="module")
def edited_look(tmp_path_factory) -> dict[str, bytes]:
    """A copy of templates/ whose accent, green smiley and a column label are changed,
    and a draft with a gap built through it."""
    folder = tmp_path_factory.mktemp("look")
    templates = folder / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    look = templates / "look.toml"
    text = look.read_text(encoding="utf-8")
    text = text.replace('accent = "#8B1A1A"', f'accent = "{ACCENT}"')
    text = text.replace('fill = "#5CB85C"', f'fill = "{GREEN}"')
    look.write_text(text, encoding="utf-8")
    wording = templates / "wording.toml"
    wording.write_text(wording.read_text(encoding="utf-8").replace(
        'column_result = "Resultater"', 'column_result = "Udfaldet"'), encoding="utf-8")
    path = write_workbook(folder / "in" / "look.xlsx", [
        goal_row("Et mål der er nået"), goal_row("Et mål uden status", result=None,
                                                 timeline=None)])
    outcome = build(Round([path]), folder / "out", ("pdf", "docx"),
                    RenderOptions(templates=templates, draft=True))
    assert not outcome.errors, outcome.errors
    return {p.suffix[1:]: p.read_bytes() for p in outcome.written}


def rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def near(image: Image.Image, colour: str) -> int:
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return int((np.abs(pixels - np.array(rgb(colour))).sum(axis=2) < 30).sum())


def test_a_changed_label_reaches_both_documents(edited_look):
    text = "".join(page_texts(edited_look["pdf"]))
    assert "Udfaldet" in text and "Resultater" not in text
    document = docx.Document(io.BytesIO(edited_look["docx"]))
    labels = [c.text for t in document.tables for row in t.rows[1:2] for c in row.cells]
    assert "Udfaldet" in labels and "Resultater" not in labels


def test_a_changed_accent_reaches_both_documents(edited_look):
    with pdfplumber.open(io.BytesIO(edited_look["pdf"])) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    gap = "".join(c["text"] for c in chars
                  if tuple(round(v * 255) for v in c["non_stroking_color"] or ())
                  == rgb(ACCENT))
    assert "Ikkeindberettet" in squash(gap) and "KLADDE" in gap
    assert not any(tuple(round(v * 255) for v in c["non_stroking_color"] or ())
                   == rgb("#8B1A1A") for c in chars)
    document = docx.Document(io.BytesIO(edited_look["docx"]))
    gap_style = document.styles["Mangel"]
    assert str(gap_style.font.color.rgb) == ACCENT[1:]
    goal_tables = [t._tbl for t in document.tables if "mål og status" in t._tbl.tblPr.xml]
    runs = [r for table in goal_tables for r in table.iter(qn("w:r"))
            if "".join(t.text or "" for t in r.iter(qn("w:t"))) == "Ikke indberettet"]
    assert runs and all(r.find(qn("w:rPr") + "/" + qn("w:rStyle")).get(qn("w:val"))
                        == gap_style.style_id for r in runs)
    assert "8B1A1A" not in document.styles.element.xml


def test_a_changed_smiley_colour_reaches_both_documents(edited_look):
    page = pypdfium2.PdfDocument(edited_look["pdf"])[0].render(scale=2).to_pil()
    assert near(page, GREEN) > 100 and near(page, "#5CB85C") == 0
    pictures = [Image.open(io.BytesIO(data)) for alt, data in docx_pictures(
        edited_look["docx"]) if alt.startswith("Grøn")]
    assert pictures and all(near(p, GREEN) > 100 and near(p, "#5CB85C") == 0
                            for p in pictures)


def test_the_shipped_colours_are_not_written_in_the_stylesheet():
    css = (DEFAULT_TEMPLATES / "report.css").read_text(encoding="utf-8")
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b", css)


@pytest.mark.parametrize(("old", "new", "says"), [
    ('accent = "#8B1A1A"', 'accent = "rød"', "accent"),
    ('fill = "#5CB85C"', 'fill = "#5CB85"', "[green] fill"),
    ('regular = "DejaVuSans.ttf"', 'regular = "Ingen.ttf"', "Ingen.ttf"),
    ('font = "DejaVu Sans"', 'font = "Dé; }"', "font"),
    ('text = "#1A1A1A"', 'text = "#1A1A1A', "linje"),
])
def test_a_mistake_in_the_look_is_named(tmp_path, old, new, says):
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    look = templates / "look.toml"
    text = look.read_text(encoding="utf-8")
    assert old in text
    look.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ReportgenError) as caught:
        load_look(templates)
    assert caught.value.code == "RG920"
    assert says in str(caught.value) and "look.toml" in str(caught.value)
