"""Publication quality: the tagged PDF and the DOCX, checked through their structure."""

from __future__ import annotations

import io
import json
import zipfile

import docx
import numpy as np
import pikepdf
import pypdf
import pytest
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from PIL import Image

from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.design.look import load_look
from reportgen.model import Status
from reportgen.round import Round
from reportgen.writers import RenderOptions

from .helpers import (
    DEFAULT_INPUT,
    ROOT,
    docx_pictures,
    elements,
    goal_row,
    outloud_errors,
    pdf_figures,
    pdf_text,
    squash,
    workbooks,
    write_workbook,
)

THEMES = 4  # in the synthetic multi-theme report


@pytest.fixture(scope="session", params=["default", "multi"])
def report(request, default_build, multi_theme) -> dict[str, bytes]:
    return default_build if request.param == "default" else multi_theme


def table_attr(element, key):
    attributes = element.get("/A")
    for candidate in (list(attributes) if isinstance(attributes, pikepdf.Array)
                      else [attributes]):
        if isinstance(candidate, pikepdf.Dictionary) and key in candidate:
            return candidate[key]
    return None


def test_pdf_is_marked_danish_titled_and_identified_as_pdf_ua(report):
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.Lang == "da-DK"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta["pdfuaid:part"] == "1"
        assert str(pdf.docinfo.Title) == meta["dc:title"] and meta["dc:title"]
        assert str(pdf.docinfo.Subject) and str(pdf.docinfo.Keywords).startswith("Tema 1")


def test_structure_has_tables_headers_cells_and_figures_with_alt(report):
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        tags = [str(e.S) for e in elements(pdf)]
        for tag in ("/Table", "/THead", "/TH", "/TD", "/Figure", "/H1", "/H2"):
            assert tag in tags, tag
        figures = [e for e in elements(pdf) if e.S == "/Figure"]
        assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)


def test_one_table_per_theme_however_many_pages_it_spans(multi_theme):
    with pikepdf.open(io.BytesIO(multi_theme["pdf"])) as pdf:
        assert len(pdf.pages) >= 4
        tables = [e for e in elements(pdf) if e.S == "/Table"]
        # the header block, the legend, the overview, and one goal table per theme
        assert len(tables) == 3 + THEMES
        for table in tables[2:]:
            heads = [k for k in table.K if k.get("/S") == "/THead"]
            assert len(heads) == 1


def test_every_header_cell_has_a_scope_and_every_header_reference_resolves(report):
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        everything = elements(pdf)
        names = pdf.Root.StructTreeRoot.IDTree.Names
        id_tree = {bytes(names[i]): names[i + 1] for i in range(0, len(names), 2)}
        for element in everything:
            if element.S == "/TH":
                assert table_attr(element, "/Scope") in ("/Row", "/Column")
            headers = table_attr(element, "/Headers") if element.S == "/TD" else None
            for ref in headers or []:
                assert id_tree[bytes(ref)].S == "/TH"
        goal_headers = [e for e in everything if e.S == "/TH"
                        and table_attr(e, "/Scope") == "/Row"]
        assert goal_headers


def _shown_text(page) -> list[tuple[tuple, bool]]:
    """Each text shown on a page, directly or through a form: (the marked content it is
    inside, innermost last, as (tag, MCID or artifact type)), and whether it came from a form."""
    shown = []

    def walk(operations, resources, inside, in_form):
        stack = list(inside)
        for operands, operator in operations:
            op = str(operator)
            if op in ("BDC", "BMC"):
                properties = operands[1] if op == "BDC" else {}
                tag = str(operands[0])
                mark = (properties.get("/MCID") if tag != "/Artifact"
                        else str(properties.get("/Type", "")))
                stack.append((tag, int(mark) if isinstance(mark, int) else mark))
            elif op == "EMC":
                stack.pop()
            elif op in ("TJ", "Tj", "'", '"'):
                shown.append((tuple(stack), in_form))
            elif op == "Do":
                form = resources.XObject[operands[0]]
                if form.get("/Subtype") == "/Form":
                    walk(pikepdf.parse_content_stream(form), form.get("/Resources", resources),
                         stack, True)

    walk(pikepdf.parse_content_stream(page), page.Resources, (), False)
    return shown


def test_page_furniture_is_artifact_and_all_content_is_in_the_tree(report):
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        reachable = {e.objgen for e in elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for number, page in enumerate(pdf.pages, start=1):
            marks = parents[int(page.obj.StructParents)]
            pagination = 0
            for stack, _ in _shown_text(page):
                # every text is tagged content in the tree, or an artifact, never both
                artifacts = [mark for tag, mark in stack if tag == "/Artifact"]
                tagged = [mark for tag, mark in stack if isinstance(mark, int)]
                assert bool(artifacts) != bool(tagged), (number, stack)
                for mcid in tagged:
                    assert marks[mcid].objgen in reachable, (number, mcid)
                pagination += "/Pagination" in artifacts
            # the page margins: "Side x af y" and the running title, pagination artifacts
            assert pagination >= 2, number
    reader = pypdf.PdfReader(io.BytesIO(report["pdf"]))
    for number, page in enumerate(reader.pages, start=1):
        assert f"Side {number} af {len(reader.pages)}" in page.extract_text()


def test_fonts_are_embedded(report):
    with pikepdf.open(io.BytesIO(report["pdf"])) as pdf:
        fonts = {}
        for page in pdf.pages:
            for name, font in page.Resources.get("/Font", {}).items():
                fonts[str(font.get("/BaseFont", name))] = font
        assert fonts
        for name, font in fonts.items():
            descriptor = font.get("/FontDescriptor") or font.DescendantFonts[0].FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_outline_has_title_themes_and_focus_areas(default_build):
    with pikepdf.open(io.BytesIO(default_build["pdf"])) as pdf, pdf.open_outline() as outline:
        def titles(items):
            return [(i.title, titles(i.children)) for i in items]
        assert titles(outline.root) == [("Tema 1: Vision og Bosætning.", [
            ("Tema 1: Mærk Næstved", [("Indsatsområde: Vision", []),
                                      ("Indsatsområde: Bosætning", [])])])]


def test_emoji_and_danish_letters_render_with_an_embedded_font(tmp_path):
    """The emoji font's program is embedded and its text shown (so the emoji can be
    copied), and each emoji's own colour picture from the font is drawn on the page.
    WeasyPrint does this whether it subsets with HarfBuzz or with fontTools; the font's
    name in the PDF is WeasyPrint's choice, so the font is known here by what it holds."""
    emoji = "😞👍🟢"
    path = write_workbook(tmp_path / "e.xlsx", [goal_row("Mål æøå", "gul",
                                                         comment="Forsinket 😞 men 👍 🟢")])
    outcome = build(Round([path]), tmp_path / "out", ("pdf",),
                    RenderOptions(overview=False))  # 1 page
    data = outcome.written[0].read_bytes()
    assert squash("Forsinket 😞 men 👍 🟢") in squash(pdf_text(data))
    noto = TTFont(ROOT / "templates" / "fonts" / "NotoColorEmoji.ttf")
    glyphs = {noto.getBestCmap()[ord(char)]: char for char in emoji}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        embedded = {}
        for key, font in page.Resources.Font.items():
            descriptor = font.DescendantFonts[0].FontDescriptor
            program = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
            embedded[key] = (program["name"].getDebugName(1), program.getBestCmap())
        emoji_fonts = [key for key, (family, cmap) in embedded.items()
                       if family == "Noto Color Emoji"]
        assert len(emoji_fonts) == 1, embedded
        cmap = embedded[emoji_fonts[0]][1]
        assert {cmap.get(ord(char)) for char in emoji} == set(glyphs)
        shown = [operands[0] for operands, op in pikepdf.parse_content_stream(page)
                 if str(op) == "Tf"]
        assert pikepdf.Name(emoji_fonts[0]) in shown
        done = {str(operands[0]) for operands, op in pikepdf.parse_content_stream(page)
                if str(op) == "Do"}
        pictures = [_rgba(xobject) for key, xobject in page.Resources.XObject.items()
                    if xobject.Subtype == "/Image" and key in done]
    strike = noto["CBDT"].strikeData[0]
    for name, char in glyphs.items():
        expected = np.asarray(Image.open(io.BytesIO(strike[name].imageData)).convert("RGBA"))
        assert any(_same_picture(picture, expected) for picture in pictures), char


def _rgba(xobject) -> np.ndarray:
    colour = np.asarray(pikepdf.PdfImage(xobject).as_pil_image().convert("RGB"))
    alpha = np.asarray(pikepdf.PdfImage(xobject.SMask).as_pil_image().convert("L"))
    return np.dstack([colour, alpha])


def _same_picture(actual: np.ndarray, expected: np.ndarray) -> bool:
    """The same pixels where they show (a colour under full transparency is no matter)."""
    if actual.shape != expected.shape or not np.array_equal(actual[..., 3], expected[..., 3]):
        return False
    visible = expected[..., 3] > 0
    return np.array_equal(actual[..., :3][visible], expected[..., :3][visible])


def relative_luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(int(hex_colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("status", list(Status))
def test_smiley_outline_contrast_against_white_is_at_least_3_to_1(status):
    outline = load_look(DEFAULT_TEMPLATES).smiley(status)[1]
    assert 1.05 / (relative_luminance(outline) + 0.05) >= 3


def test_docx_language_properties_headings_and_table_semantics(report):
    document = docx.Document(io.BytesIO(report["docx"]))
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == "da-DK"
    props = document.core_properties
    assert props.title and props.subject and props.author and props.language == "da-DK"
    themes = json.loads(report["json"])["themes"]
    styles = [p.style.name for p in document.paragraphs if p.text.strip()]
    assert styles[0] == "Heading 1"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 2"] == [
        t["name"] for t in themes]
    for table in document.tables[1:]:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    goal_rows = [row for table in document.tables[2:] for row in table.rows
                 if row._tr.trPr is not None
                 and row._tr.trPr.find(qn("w:cantSplit")) is not None]
    assert len(goal_rows) >= sum(len(a["goals"]) for t in themes for a in t["focus_areas"])
    assert all(alt for alt, _ in docx_pictures(report["docx"]))
    footer = zipfile.ZipFile(io.BytesIO(report["docx"])).read("word/footer1.xml").decode()
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer


@pytest.mark.parametrize("goals", [None, 48])  # the default input; four themes in two parts
def test_archival_variant_is_pdf_a_2a_tagged_and_still_pdf_ua(tmp_path, goals):
    source = DEFAULT_INPUT if goals is None else workbooks.write(goals, tmp_path / "in.xlsx")
    outcome = build(Round([source]), tmp_path / "out", ("pdf",),
                    RenderOptions(pdf_variant="pdf/a-2a"))
    with pikepdf.open(outcome.written[0]) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"]) == (
            "2", "A", "1")
        assert pdf.Root.MarkInfo.Marked is True and "/OutputIntents" in pdf.Root
        assert meta.pdfa_status == "2A"
    errors, warnings = outloud_errors(outcome.written[0])
    assert errors == [] and warnings <= {"TBL-014"}


def test_outloud_finds_no_error_and_only_the_known_warning(report, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(report["pdf"])
    errors, warnings = outloud_errors(path)
    assert errors == []
    # TBL-014: outloud places a table on the page of its /Pg only, so a table that runs
    # over several pages leaves the rest of its grid "uncovered" (see README).
    assert warnings <= {"TBL-014"}


def test_figures_in_pdf_and_pictures_in_docx_say_the_same(report):
    assert pdf_figures(report["pdf"]) == [alt for alt, _ in docx_pictures(report["docx"])]


@pytest.mark.parametrize("overview", [True, False])
def test_outloud_finds_no_error_in_a_report_of_one_goal(tmp_path, overview):
    """A centre's extract may hold one goal in a theme: its table's headers (theme, column
    labels, focus area, the goal) must not outnumber its data cells."""
    from .helpers import write_workbook

    path = write_workbook(tmp_path / "in" / "one.xlsx",
                          [goal_row("Et eneste mål", "gul", "grøn", comment="Lidt forsinket")])
    outcome = build(Round([path]), tmp_path / "out", ("pdf",), RenderOptions(overview=overview))
    errors, warnings = outloud_errors(outcome.written[0])
    assert errors == [] and warnings <= {"TBL-014"}
