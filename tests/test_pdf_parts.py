"""The PDF made in parts is the PDF the whole document would be."""

from __future__ import annotations

import io
import os
import re

import docx
import numpy as np
import pikepdf
import pypdf
import pypdfium2
import pytest

from reportgen.commands.build import build
from reportgen.errors import ReportgenError
from reportgen.reader import read_workbooks
from reportgen.round import Round
from reportgen.writers import RenderOptions, pdf
from reportgen.writers.pdf import engine, html_to_pdf, pdf_html
from reportgen.writers.pdf import parts as pdf_parts
from reportgen.writers.pdf.engine import render_part
from reportgen.writers.pdf.parts import SECTION, split
from reportgen.writers.pdf.tags import mend_tags

from .helpers import elements, outloud_errors, pdf_goal_rows, workbooks

HEAD = "<!DOCTYPE html><html><head><style>p {}</style></head><body class='x'>"
TAIL = "</body></html>"


@pytest.fixture(scope="module", autouse=True)
def in_parts_however_small(multi_theme):
    """The tests here make parts of small HTML, which a build would lay out whole (the
    shared four-theme build, made as a build makes it, before)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf_parts, "WHOLE_SHARE", 0)
        yield


def section(name: str, size: int = 10) -> str:
    return f'{SECTION}><h2>{name}</h2><p>{"x" * size}</p></section>\n'


def test_split_joins_the_front_matter_to_the_first_theme_and_balances_the_rest():
    front = "<h1>Titel</h1><table class='legend'></table>\n"
    sections = [section("A", 100), section("B", 100), section("C", 100), section("D", 100)]
    html = HEAD + front + "".join(sections) + "<section class='gaps'></section>" + TAIL
    pieces = split(html)
    assert pieces.head == HEAD and pieces.tail == TAIL
    assert "".join(pieces.bodies) == html[len(HEAD):-len(TAIL)]  # nothing lost or doubled
    assert pieces.bodies == [front + sections[0] + sections[1],
                             sections[2] + sections[3] + "<section class='gaps'></section>"]
    assert pieces.part(1) == HEAD + pieces.bodies[1] + TAIL


def test_with_a_contents_the_first_part_is_the_front_matter_and_first_theme_alone():
    """The first part is laid out again for the contents' page numbers: kept short, the
    rest shared by the others (the same cuts: each begins a page either way)."""
    front = ('<h1>Titel</h1><nav class="contents"><span class="page" data-target="#tema-3">'
             '</span></nav>\n')
    sections = [section(name, 100) for name in "ABCD"]
    pieces = split(HEAD + front + "".join(sections) + TAIL)
    assert pieces.bodies == [front + sections[0], sections[1] + sections[2], sections[3]]


def test_split_makes_parts_small_enough(monkeypatch):
    monkeypatch.setattr(pdf_parts, "PART_CHARS", 160)
    sections = [section(name, 100) for name in "ABCDEF"]
    assert all(len(s) < 160 < 2 * len(s) for s in sections)
    pieces = split(HEAD + "".join(sections) + TAIL)
    assert pieces.bodies == sections  # one theme a part


@pytest.mark.parametrize("body", [
    "<h1>Uden temaer</h1>",
    section("Kun ét"),
    # a theme inside another: not a place to split
    f'{SECTION}><h2>A</h2>{SECTION}><h2>B</h2></section></section>{SECTION}></section>',
])
def test_a_body_that_cannot_be_split_is_one_part(body):
    pieces = split(HEAD + body + TAIL)
    assert pieces.bodies == [body] and pieces.head == HEAD


def test_without_a_body_element_there_is_no_margin_pass():
    pieces = split("<p>Kun et afsnit</p>")
    assert pieces.head is None and pieces.bodies == ["<p>Kun et afsnit</p>"]


@pytest.fixture(scope="module")
def four_themes(tmp_path_factory):
    """The 48-goal, four-theme report: its HTML, as parts and as one document."""
    path = workbooks.write(48, tmp_path_factory.mktemp("parts") / "multi.xlsx")
    options = RenderOptions()
    html = pdf_html(read_workbooks([path]).report, options)
    assert len(split(html).bodies) == 3  # the front matter and first theme, two of the rest
    whole = mend_tags(render_part(html, options.templates, options.pdf_variant,
                                  margins=True).pdf)
    return html, options, whole, html_to_pdf(html, options.templates, options.pdf_variant)


def words_per_page(data: bytes) -> list[list[str]]:
    return [sorted(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_parts_have_the_pages_and_words_of_the_whole_document(four_themes):
    _, _, whole, parts = four_themes
    expected = words_per_page(whole)
    assert len(expected) > 4  # the themes run over pages of their own
    assert words_per_page(parts) == expected  # footers ("Side 5 af 9") included


def test_parts_look_as_the_whole_document(four_themes):
    _, _, whole, parts = four_themes
    a, b = pypdfium2.PdfDocument(whole), pypdfium2.PdfDocument(parts)
    for number in range(len(a)):
        one = np.asarray(a[number].render(scale=0.75).to_pil().convert("L"), dtype=np.int16)
        two = np.asarray(b[number].render(scale=0.75).to_pil().convert("L"), dtype=np.int16)
        assert float((np.abs(one - two) > 64).mean()) <= 0.001, f"page {number + 1}"


def outline(data: bytes) -> list[tuple[int, str, int]]:
    with pikepdf.open(io.BytesIO(data)) as pdf, pdf.open_outline() as tree:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        found = []

        def walk(items, depth):
            for item in items:
                found.append((depth, item.title, pages[item.destination[0].objgen]))
                walk(item.children, depth + 1)

        walk(tree.root, 0)
        return found


def test_the_outline_is_the_whole_documents(four_themes):
    _, _, whole, parts = four_themes
    expected = outline(whole)
    assert [title for depth, title, _ in expected if depth == 1] == [
        "Indhold", "Tema 1: Mærk Næstved", "Tema 2: Vækst og erhverv", "Tema 3: Børn og læring",
        "Tema 4: Sundhed og trivsel"]
    assert outline(parts) == expected


def test_header_ids_stay_unique_across_parts(four_themes):
    with pikepdf.open(io.BytesIO(four_themes[3])) as pdf:
        names = pdf.Root.StructTreeRoot.IDTree.Names
        keys = [bytes(names[i]) for i in range(0, len(names), 2)]
    assert len(keys) == len(set(keys)) and any(k.startswith(b"p1-") for k in keys)


def test_parts_in_two_processes_give_the_same_bytes(four_themes):
    html, options, _, serial = four_themes
    assert html_to_pdf(html, options.templates, options.pdf_variant, processes=2) == serial


def test_every_theme_after_the_first_begins_a_page_in_both_documents(multi_theme):
    themes = ["Tema 1: Mærk Næstved", "Tema 2: Vækst og erhverv", "Tema 3: Børn og læring",
              "Tema 4: Sundhed og trivsel"]
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(multi_theme["pdf"])).pages]
    # the page each begins: its first line (the contents and the overview name every
    # theme before the first theme's table)
    firsts = [0] + [next(i for i, text in enumerate(pages) if text.splitlines()[0] == theme)
                    for theme in themes[1:]]
    assert firsts == sorted(set(firsts))
    document = docx.Document(io.BytesIO(multi_theme["docx"]))
    headings = [(p.text, p.paragraph_format.page_break_before)
                for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == [(themes[0], None)] + [(theme, True) for theme in themes[1:]]


def test_a_part_whose_process_dies_is_an_error_not_a_wait(four_themes, monkeypatch):
    html, options, _, _ = four_themes

    def dies(*args):
        os._exit(3)  # as the system's out-of-memory killer would end it

    monkeypatch.setattr(pdf, "render_part", dies)
    with pytest.raises(RuntimeError, match="exit code 3"):
        html_to_pdf(html, options.templates, options.pdf_variant, processes=2)


def test_a_build_whose_pdf_process_dies_fails_and_writes_nothing(tmp_path, monkeypatch):
    def dies(*args, **kwargs):
        os._exit(3)

    monkeypatch.setattr(pdf, "html_to_pdf", dies)
    path = workbooks.write(20, tmp_path / "in" / "b.xlsx")
    with pytest.raises(ReportgenError, match="RG900 .*\n.*ended without a result"):
        build(Round([path]), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_links_in_every_part_keep_their_own_structure_keys(four_themes):
    """A template may add links; each link annotation has a ParentTree key of its own,
    which the parts' joining must keep apart from every other part's."""
    html, options, _, _ = four_themes
    html = re.sub(r'(<h2 id="tema-\d+">)', r'\1<a href="https://example.org/plan">Plan</a> ', html)
    data = html_to_pdf(html, options.templates, options.pdf_variant)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        keys, links = [], []
        for page in pdf.pages:
            keys.append(int(page.obj.StructParents))
            for annot in page.obj.get("/Annots", []):
                keys.append(int(annot.StructParent))
                links.append(tree[int(annot.StructParent)])
    # one a theme's heading, and the table of contents' four
    assert len(links) == 4 + 4 and len(keys) == len(set(keys)) == len(tree)
    assert all(link.S == "/Link" for link in links)


def test_a_renderer_that_cannot_load_is_an_error_naming_why(tmp_path, monkeypatch):
    def cannot_load():
        raise ImportError("libpango-1.0.so.0: cannot open shared object file")

    monkeypatch.setattr(engine, "load_weasyprint", cannot_load)
    path = workbooks.write(20, tmp_path / "in" / "b.xlsx")
    with pytest.raises(ReportgenError, match="RG900 .*\n.*libpango-1.0.so.0: cannot open"):
        build(Round([path]), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_joined_pdf_is_about_as_small_as_the_whole_document(four_themes):
    _, _, whole, parts = four_themes
    # fonts are embedded once a part, and the margins are forms of their own
    assert len(parts) < 1.5 * len(whole), (len(parts), len(whole))


def test_a_theme_longer_than_a_part_is_cut_between_focus_areas(four_themes, monkeypatch,
                                                               tmp_path):
    html, options, whole, _ = four_themes
    monkeypatch.setattr(pdf_parts, "PART_CHARS", 4000)
    pieces = split(html)
    assert len(pieces.bodies) > 4  # more parts than themes
    joined = "".join(pieces.bodies)
    # each cut opens the theme's table again (its header row), without the theme's heading
    assert (joined.count("<thead>") - joined.count("<h2")
            > html.count("<thead>") - html.count("<h2"))
    data = html_to_pdf(html, options.templates, options.pdf_variant)
    # the same goal rows in the same order, still one table per theme
    assert pdf_goal_rows(data) == pdf_goal_rows(whole)
    assert tags(data).count("/Table") == tags(whole).count("/Table")
    assert [entry[:2] for entry in outline(data)] == [entry[:2] for entry in outline(whole)]
    path = tmp_path / "cut.pdf"
    path.write_bytes(data)
    errors, _ = outloud_errors(path)
    assert errors == []


def tags(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [str(element.S) for element in elements(pdf)]


def test_a_small_report_is_laid_out_whole(monkeypatch, tmp_path):
    """Under a third of a part, the document is one part, laid out in this process (no
    process forked for it, nor for its margins), its table of contents counted by CSS."""
    monkeypatch.setattr(pdf_parts, "WHOLE_SHARE", 1 / 3)
    html = pdf_html(read_workbooks([workbooks.write(20, tmp_path / "a.xlsx")]).report,
                    RenderOptions())
    assert len(split(html).bodies) == 1

    def forked(*args, **kwargs):
        raise AssertionError("a process forked")

    monkeypatch.setattr(pdf, "in_processes", forked)
    monkeypatch.setattr(pdf, "Forked", forked)
    data = html_to_pdf(html, RenderOptions().templates, RenderOptions().pdf_variant, processes=2)
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]
    assert all(f"Side {n} af {len(pages)}" in text for n, text in enumerate(pages, 1))
    assert "Indhold" in pages[0]
