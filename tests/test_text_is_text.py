"""Text from a workbook is only ever text: no markup, template code or file access."""

from __future__ import annotations

import io
import json

import pikepdf
import pytest

from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.round import Round
from reportgen.writers import RenderOptions
from reportgen.writers.pdf import html_to_pdf
from reportgen.writers.pdf.engine import FetchRefused, url_fetcher

from .helpers import docx_text, goal_row, pdf_text, squash, write_workbook

HOSTILE = ["<b>x</b>", "{{ 7*7 }}", "{% raw %}", "R&D <x>"]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    secret = folder / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    img = f'<img src="file://{secret}">'
    link = f'<link rel="attachment" href="file://{secret}">'
    rows = [
        goal_row("<b>x</b> {{ 7*7 }}", "gul", comment=f"{img} {link} R&D <x>",
                 measure="{% raw %}", theme="Tema <i>1</i> {{ 7*7 }}", area="<img src=x>",
                 centre="=1+1"),
        goal_row('<img src="file:///etc/passwd">', effect="{{ config }}"),
    ]
    meta = [("Titel", "{{ 7*7 }} <b>x</b>"), ("Sagsbehandler", "R&D <x>"),
            ("Indledning", f"{img}")]
    path = write_workbook(folder / "in" / "h.xlsx", rows, meta=meta)
    outcome = build(Round([path]), folder / "out", ("pdf", "docx", "html", "json"))
    assert not outcome.errors, outcome.errors
    return {p.suffix[1:]: p.read_bytes() for p in outcome.written}, secret


def test_markup_and_template_syntax_are_shown_literally(hostile_build):
    outputs, secret = hostile_build
    texts = {"pdf": pdf_text(outputs["pdf"]), "docx": docx_text(outputs["docx"])}
    for name, text in texts.items():
        flat = squash(text)
        for literal in ("<b>x</b>{{7*7}}", "{%raw%}", "R&D<x>", "Tema<i>1</i>{{7*7}}",
                        "<imgsrc=x>", "=1+1", '<imgsrc="file:///etc/passwd">', "{{config}}",
                        f'<imgsrc="file://{secret}">'):
            assert literal in flat, (name, literal)
        assert "49" not in flat, name


def test_nothing_is_read_from_disk(hostile_build):
    outputs, _ = hostile_build
    for name, data in outputs.items():
        assert b"TOPSECRET" not in data, name
        assert b"root:x:0:0" not in data, name
    with pikepdf.open(io.BytesIO(outputs["pdf"])) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        images = [image for page in pdf.pages for image in page.get_images()]
        assert images == []  # the smileys are vector drawings, nothing else is an image


def test_html_escapes_every_value(hostile_build):
    html = hostile_build[0]["html"].decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "file:///etc/passwd" in html and '<img src="file:///etc/passwd">' not in html


def test_json_keeps_the_text_as_written(hostile_build):
    records = json.loads(hostile_build[0]["json"])
    goal = records["themes"][0]["focus_areas"][0]["goals"][0]
    assert goal["text"] == "<b>x</b> {{ 7*7 }}" and goal["centre"] == "=1+1"


def test_the_pdf_fetcher_serves_only_template_files_and_data(tmp_path):
    fetcher = url_fetcher(DEFAULT_TEMPLATES.resolve())
    assert fetcher.fetch((DEFAULT_TEMPLATES / "fonts" / "DejaVuSans.ttf").resolve().as_uri())
    picture = fetcher.fetch("smiley:green,5CB85C,1E5E20")  # a picture by its key (pictures/)
    assert picture.content_type == "image/svg+xml" and picture.read().startswith(b"<svg ")
    for url in ("file:///etc/passwd", f"{DEFAULT_TEMPLATES.resolve().as_uri()}/../README.md",
                "http://127.0.0.1:9/x.png", "ftp://example.invalid/x"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_even_raw_markup_cannot_reach_a_file(tmp_path):
    """Defence in depth: were a template to pass markup through, the fetcher still refuses."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-4711")
    html = (f'<html lang="da"><title>t</title><img src="file://{secret}" alt="x">'
            f'<link rel="attachment" href="file://{secret}"><p>tekst</p></html>')
    assert b"TOPSECRET" not in html_to_pdf(html, DEFAULT_TEMPLATES, variant=None)


def test_the_title_in_the_page_footer_stays_text(tmp_path):
    """The footer's title is a CSS string: quotes, braces and a closing style tag in it
    must neither end the string nor the style element."""
    title = 'Plan "A" \\ }; @page { margin: 0 } </style><p>x</p> æøå'
    path = write_workbook(tmp_path / "in" / "t.xlsx", [goal_row("Et mål")],
                          meta=[("Titel", title)])
    outcome = build(Round([path]), tmp_path / "out", ("pdf", "html"),
                    RenderOptions(overview=False))  # one page
    assert not outcome.errors, outcome.errors
    outputs = {p.suffix[1:]: p.read_bytes() for p in outcome.written}
    assert "</style><p>" not in outputs["html"].decode()
    lines = pdf_text(outputs["pdf"]).splitlines()
    footer = next(line for line in lines if "Side 1 af 1" in line)
    assert footer.replace("Side 1 af 1", "").strip() == title
