"""A picture of any kind is placed the same way in both documents, with its alternative
text: a new kind is a drawing and a line in images.DRAWINGS, and no change to a writer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from reportgen import pictures as images
from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.round import Round
from reportgen.writers import RenderOptions

from .helpers import DEFAULT_INPUT, docx_pictures, patched, pdf_figures

MARK = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="10" height="10">'
        '<rect width="10" height="10" fill="#1F4E79"/></svg>')
ALT = "Ændret siden sidste opfølgning"


def draw_mark(name: str) -> str:
    if name != "changed":
        raise ValueError(name)
    return MARK


@pytest.fixture
def marked(tmp_path, monkeypatch) -> Iterator[dict[str, bytes]]:
    """The default report with a change mark of a kind registered here, before its title."""
    monkeypatch.setitem(images.DRAWINGS, "mark", draw_mark)
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    page = templates / "report.html.j2"
    heading = "<h1>{{ meta.title or document_title }}</h1>"
    assert heading in page.read_text(encoding="utf-8")
    page.write_text(page.read_text(encoding="utf-8").replace(
        heading, f'<p>{{{{ image("mark:changed", "{ALT}") }}}}</p>\n{heading}'), encoding="utf-8")
    title = b"{{ meta.title or document_title }}"
    mark = f'{{{{ image("mark:changed", "{ALT}", width_mm=4) }}}}'.encode()
    patched(DEFAULT_TEMPLATES / "report.docx", templates / "report.docx", "word/document.xml",
            lambda xml: xml.replace(title, mark + title, 1))
    outcome = build(Round([DEFAULT_INPUT]), tmp_path / "out", ("pdf", "docx", "html"),
                    RenderOptions(templates=templates))
    assert not outcome.errors, outcome.errors
    yield {path.suffix[1:]: path.read_bytes() for path in outcome.written}
    for cached in (images.svg, images.png, images.data_uri):  # the kind goes, its drawings too
        cached.cache_clear()


def test_a_new_kind_of_picture_is_placed_in_both_documents_with_its_alt_text(marked):
    html = marked["html"].decode()
    assert f'<p><img class="mark" src="{images.data_uri("mark:changed")}" alt="{ALT}"></p>' \
        in html
    figures = pdf_figures(marked["pdf"])
    # the mark, the legend, the overview's chart, the goals
    assert figures[0] == ALT and len(figures) == 1 + 3 + 1 + 15
    pictures = docx_pictures(marked["docx"])
    assert pictures[0] == (ALT, images.png("mark:changed"))
    assert [alt for alt, _ in pictures] == figures


def test_a_key_no_kind_draws_is_refused_in_danish():
    with pytest.raises(ValueError, match="ukendt billede 'smiley:purple'.*smiley:…"):
        images.Image("smiley:purple", "Lilla smiley")
    with pytest.raises(ValueError, match="ukendt billede 'chart:1'"):
        images.svg("chart:1")
