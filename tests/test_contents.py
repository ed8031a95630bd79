"""The table of contents (`Indhold`): in the PDF with the page each theme begins on, also
when the PDF is made in parts; in the DOCX a TOC field Word fills in; none for one theme."""

from __future__ import annotations

import io
import re
import zipfile

import docx
import pdfplumber
import pikepdf
import pytest
from docx.oxml.ns import qn

from reportgen.commands.build import build
from reportgen.reader import read_workbooks
from reportgen.round import Round
from reportgen.writers import RenderOptions
from reportgen.writers.pdf import html_to_pdf, pdf_html
from reportgen.writers.pdf import parts as pdf_parts
from reportgen.writers.pdf.engine import render_part
from reportgen.writers.pdf.parts import split
from reportgen.writers.pdf.tags import mend_tags

from .helpers import docx_text, elements, outloud_errors, workbooks

THEMES = list(workbooks.THEMES)
_ENTRY = re.compile(r"^(Tema \d+: .+?) (\d+)$")


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def contents_entries(data: bytes) -> list[tuple[str, int]]:
    """The table of contents' lines on page 1, after its heading: (theme, page number)."""
    lines = page_texts(data)[0].splitlines()
    start = lines.index("Indhold") + 1
    entries = []
    for line in lines[start:]:
        match = _ENTRY.match(line)
        if not match:
            break
        entries.append((match[1], int(match[2])))
    return entries


def heading_pages(data: bytes) -> dict[str, int]:
    """The page (from 1) on which each theme's heading stands: the first page, after the
    table of contents, with a line that is the theme's name and nothing else (the heading;
    the overview's rows and its chart's labels hold numbers or other words beside it)."""
    pages = page_texts(data)
    found = {}
    for theme in THEMES:
        for number, text in enumerate(pages, start=1):
            lines = text.splitlines()
            if number == 1:
                lines = lines[lines.index("Indhold") + 1 + len(THEMES):]
            if theme in lines:
                found[theme] = number
                break
    return found


def assert_right_numbers(data: bytes) -> None:
    entries = contents_entries(data)
    assert [name for name, _ in entries] == THEMES
    assert dict(entries) == heading_pages(data)


def link_targets(data: bytes) -> list[tuple[str, int]]:
    """Each link on page 1: (its named destination, the page it leads to, from 1)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        return [(str(a.Dest), pages[names[str(a.Dest)][0].objgen])
                for a in pdf.pages[0].obj.get("/Annots", []) if a.Subtype == "/Link"]


def test_the_contents_list_each_theme_with_the_page_it_begins_on(multi_theme):
    assert_right_numbers(multi_theme["pdf"])
    numbers = [page for _, page in contents_entries(multi_theme["pdf"])]
    assert numbers[0] <= 2 and numbers == sorted(set(numbers)) and numbers[-1] > 4


def test_each_entry_is_a_link_to_its_theme(multi_theme):
    data = multi_theme["pdf"]
    expected = [page for _, page in contents_entries(data)]
    assert link_targets(data) == [(f"tema-{n}", page) for n, page in enumerate(expected, 1)]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        tags = elements(pdf)
        links = [e for e in tags if e.S == "/Link"]
        assert len(links) == len(THEMES)
        assert all(any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                       for k in link.K) for link in links)
        for annotation in pdf.pages[0].obj.Annots:
            assert int(annotation.F) & 4  # printed, not hidden from readers


def test_the_contents_heading_is_a_heading_and_a_bookmark(multi_theme):
    with pikepdf.open(io.BytesIO(multi_theme["pdf"])) as pdf:
        headings = [e for e in elements(pdf) if e.S == "/H2"]
        assert len(headings) == 2 + len(THEMES)  # the contents, the overview, the themes
        with pdf.open_outline() as outline:
            top = [item.title for item in outline.root[0].children]
    assert top == ["Indhold", *THEMES]


def test_one_theme_has_no_contents(default_build):
    assert "Indhold" not in "".join(page_texts(default_build["pdf"]))
    assert "Indhold" not in docx_text(default_build["docx"])
    with zipfile.ZipFile(io.BytesIO(default_build["docx"])) as archive:
        assert b"instrText" not in archive.read("word/document.xml")
        assert b"updateFields" not in archive.read("word/settings.xml")
    with pikepdf.open(io.BytesIO(default_build["pdf"])) as pdf:
        assert not any(e.S == "/Link" for e in elements(pdf))


def test_the_docx_holds_a_toc_field_word_fills_in(multi_theme):
    document = docx.Document(io.BytesIO(multi_theme["docx"]))
    body = document.element.body
    heading = next(p for p in document.paragraphs if p.text == "Indhold")
    assert heading.style.name == "TOC Heading"  # outline level 9: not in the field itself
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    assert len(instructions) == 1
    toc = instructions[0].split()
    assert toc[0] == "TOC" and toc[toc.index("\\o") + 1] == '"1-2"' and "\\h" in toc
    field = next(p for p in body.iter(qn("w:p")) if p.find(".//" + qn("w:instrText")) is not None)
    kinds = [c.get(qn("w:fldCharType")) for c in field.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    placeholder = "".join(t.text for t in field.iter(qn("w:t")))
    assert placeholder.startswith("Indholdsfortegnelsen udfyldes")
    settings = document.settings.element.find(qn("w:updateFields"))
    assert settings is not None and settings.get(qn("w:val")) == "true"
    # the field follows the comment rule and comes before the first theme
    texts = [p.text for p in document.paragraphs]
    assert texts.index("Indhold") < texts.index(THEMES[0])


def test_outloud_finds_no_error_in_the_contents(multi_theme, tmp_path):
    path = tmp_path / "multi.pdf"
    path.write_bytes(multi_theme["pdf"])
    errors, warnings = outloud_errors(path)
    assert errors == []
    assert warnings <= {"TBL-014"}  # the known one (README), no link warning


def test_the_same_report_gives_the_same_bytes(multi_theme, tmp_path):
    path = workbooks.write(48, tmp_path / "in" / "multi.xlsx")
    outcome = build(Round([path]), tmp_path / "out", ("pdf", "docx"))
    again = {p.suffix[1:]: p.read_bytes() for p in outcome.written}
    assert again["pdf"] == multi_theme["pdf"] and again["docx"] == multi_theme["docx"]


@pytest.fixture(scope="module")
def larger(tmp_path_factory):
    """60 goals made in many parts (themes cut between focus areas, the later themes
    beginning far from the first part): the HTML, the options, and the PDF."""
    path = workbooks.write(60, tmp_path_factory.mktemp("contents") / "larger.xlsx")
    options = RenderOptions()
    html = pdf_html(read_workbooks([path]).report, options)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "PART_CHARS", 10_000)
        assert len(split(html).bodies) > len(THEMES)  # more parts than themes
        data = html_to_pdf(html, options.templates, options.pdf_variant, processes=1)
    return html, options, data


def test_many_parts_give_the_right_numbers_and_links(larger, tmp_path):
    _, _, data = larger
    assert_right_numbers(data)
    assert min(page for _, page in contents_entries(data)[1:]) > 4
    expected = [page for _, page in contents_entries(data)]
    assert link_targets(data) == [(f"tema-{n}", page) for n, page in enumerate(expected, 1)]
    path = tmp_path / "larger.pdf"
    path.write_bytes(data)
    errors, _ = outloud_errors(path)
    assert errors == []


def test_many_parts_in_two_processes_give_the_same_bytes(larger, monkeypatch):
    html, options, data = larger
    monkeypatch.setattr(pdf_parts, "PART_CHARS", 10_000)
    assert html_to_pdf(html, options.templates, options.pdf_variant, processes=2) == data


def test_a_document_laid_out_whole_counts_the_pages_itself(larger):
    """Where the HTML is one part, CSS target-counter() fills in the numbers. (The parts
    cut here begin pages of their own, so their numbers differ; test_pdf_parts compares
    the words of each page, these numbers among them, made whole and in parts.)"""
    html, options, _ = larger
    whole = mend_tags(render_part(html, options.templates, options.pdf_variant,
                                  margins=True).pdf)
    assert_right_numbers(whole)
