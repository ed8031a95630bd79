"""The PDF's fonts: the core fonts (Latin, punctuation, signs) draw most texts, and a letter
they lack is drawn from the whole font, never as a box."""

from __future__ import annotations

import io

import pikepdf
from fontTools.ttLib import TTFont

from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.design.look import load_look
from reportgen.round import Round

from .helpers import goal_row, pdf_text, squash, write_workbook

GREEK, CYRILLIC = "Ωμέγα", "Привет"


def fonts_of(data: bytes) -> dict[str, set[int]]:
    """Each embedded font's name (without its subset tag) -> the characters it maps."""
    found: dict[str, set[int]] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                file = descendant.FontDescriptor.FontFile2.read_bytes()
                cmap = TTFont(io.BytesIO(file)).getBestCmap() or {}
                name = str(font.BaseFont).split("+", 1)[-1]
                found.setdefault(name, set()).update(cmap)
    return found


def test_the_shipped_core_fonts_hold_danish_and_lack_greek():
    look = load_look(DEFAULT_TEMPLATES)
    assert look.core_font_files is not None
    font = TTFont(DEFAULT_TEMPLATES / "fonts" / look.core_font_files.regular)
    cmap = font.getBestCmap()
    assert all(ord(char) in cmap for char in "æøåÆØÅéü–…€§½")
    assert not any(ord(char) in cmap for char in GREEK + CYRILLIC)


def test_a_letter_the_core_fonts_lack_is_drawn_from_the_whole_font(tmp_path):
    comment = f"Samarbejde med {GREEK} og {CYRILLIC} – æøå"
    path = write_workbook(tmp_path / "in" / "fonts.xlsx", [
        goal_row("Et mål på dansk", "gul", "grøn", comment=comment)])
    outcome = build(Round([path]), tmp_path / "out", ("pdf",))
    assert not outcome.errors, outcome.errors
    data = outcome.written[0].read_bytes()
    assert squash(comment) in squash(pdf_text(data))
    fonts = fonts_of(data)
    full = {name for name, chars in fonts.items() if ord(GREEK[0]) in chars}
    assert full and all(name.startswith("Report-Sans-Full") for name in full)
    # the Danish text is the core font's
    assert any(ord("ø") in chars for name, chars in fonts.items()
               if not name.startswith("Report-Sans-Full"))


def test_a_report_in_latin_embeds_only_the_core_fonts(default_build):
    assert not any(name.startswith("Report-Sans-Full") for name in fonts_of(default_build["pdf"]))


def test_each_font_is_cut_to_the_glyphs_it_draws_and_no_more(default_build):
    drawn_chars = set(squash(pdf_text(default_build["pdf"])))
    with pikepdf.open(io.BytesIO(default_build["pdf"])) as pdf:
        fonts = {font.objgen: font for page in pdf.pages
                 for font in page.Resources.get("/Font", {}).values()}
        for font in fonts.values():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            program = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
            glyphs = program["glyf"]
            outlined = [name for name in program.getGlyphOrder()
                        if glyphs[name].numberOfContours != 0]
            assert 0 < len(outlined) <= 2 * len(drawn_chars), str(font.BaseFont)
            assert not {"GSUB", "GPOS"} & set(program.keys()), str(font.BaseFont)


def test_fonts_are_subset_by_harfbuzz_not_by_fonttools(caplog):
    from reportgen.writers.pdf import html_to_pdf

    html = ('<html lang="da"><head><style>@font-face { font-family: R; src: url('
            '"fonts/DejaVuSans-core.ttf"); } body { font-family: R; }</style></head>'
            '<body><p>Bosætning og erhverv</p></body></html>')
    with caplog.at_level("WARNING", logger="weasyprint"):
        data = html_to_pdf(html, DEFAULT_TEMPLATES, None)
    assert "Bosætning og erhverv" in pdf_text(data)
    assert not [r for r in caplog.records if "fontTools" in r.getMessage()]
