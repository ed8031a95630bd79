"""A mistake in a template is a Danish message naming the file and line, never a traceback;
and every code the project gives is in one table, the README's."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.errors import CODES

from .helpers import DEFAULT_INPUT, ROOT, patched


@pytest.fixture
def templates(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(DEFAULT_INPUT, tmp_path / "input")
    folder = tmp_path / "mine"
    shutil.copytree(DEFAULT_TEMPLATES, folder)
    return folder


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, needle) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), start=1)
                if needle in line)


def build(templates, *formats):
    args = ["build", "--templates", str(templates), "-o", "ud", "-q"]  # stderr: the error
    if formats:
        args += ["--format", ",".join(formats)]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def assert_said(result, *parts):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.startswith("RG920 fejl: "), result.stderr
    for part in parts:
        assert part in result.stderr, (part, result.stderr)


def test_an_unknown_name_in_the_html_template(templates):
    page = templates / "report.html.j2"
    edit(page, "{{ meta.title or document_title }}", "{{ meta.titel }}")
    result = build(templates, "html")
    assert_said(result, f"report.html.j2, linje {line_of(page, 'meta.titel')}", "titel")


def test_an_unclosed_tag_in_the_html_template(templates):
    page = templates / "report.html.j2"
    edit(page, "{%- endif %}\n<table class=\"header-block\">", "<table class=\"header-block\">")
    result = build(templates, "pdf")
    assert_said(result, "report.html.j2, linje", "TemplateSyntaxError")


def test_a_mistake_in_the_css_names_the_css(templates):
    css = templates / "report.css"
    edit(css, "@page {", "{{ no_such_value }}\n@page {")
    result = build(templates, "pdf")
    assert_said(result, f"report.css, linje {line_of(css, 'no_such_value')}")


def test_an_unknown_picture_in_the_html_template(templates):
    page = templates / "report.html.j2"
    edit(page, 'image("smiley:" ~ row.status.value', 'image("smily:" ~ row.status.value')
    result = build(templates, "html")
    assert_said(result, f"report.html.j2, linje {line_of(page, 'smily:')}", "smily:green",
                "smiley:")


@pytest.mark.parametrize(("old", "new", "says"), [
    ('not_reported = "Ikke indberettet"', 'not_reported = "Ikke indberettet', "linje 8, kolonne"),
    ('not_reported = "Ikke indberettet"\n', "", "not_reported"),
    ('draft_mark = "KLADDE', 'draft_mark = 3\n# "KLADDE', "draft_mark"),
])
def test_a_mistake_in_the_wording(templates, old, new, says):
    edit(templates / "wording.toml", old, new)
    assert_said(build(templates, "docx"), "wording.toml", says)


def test_a_new_label_in_the_wording_needs_no_python(templates):
    edit(templates / "wording.toml", 'legend_intro = ', 'new_label = "Ny etiket"\nlegend_intro = ')
    edit(templates / "report.html.j2", "<p class=\"legend-intro\">",
         "<p>{{ wording.new_label }}</p>\n<p class=\"legend-intro\">")
    result = build(templates, "html")
    assert result.exit_code == 0, result.output
    assert "<p>Ny etiket</p>" in next((templates.parent / "ud").glob("*.html")).read_text()


def test_a_word_template_that_is_no_word_document(templates):
    (templates / "report.docx").write_bytes(b"not a zip")
    assert_said(build(templates, "docx"), "report.docx", "Gem den igen som .docx")


def edit_word(templates, old: bytes, new: bytes) -> None:
    def edit(xml: bytes) -> bytes:
        assert old in xml, old
        return xml.replace(old, new)

    patched(DEFAULT_TEMPLATES / "report.docx", templates / "report.docx", "word/document.xml",
            edit)


def test_an_unknown_name_in_the_word_template(templates):
    edit_word(templates, b"{{ wording.legend_intro }}", b"{{ wording.no_such }}")
    assert_said(build(templates, "docx"), "report.docx", "no_such")


def test_an_unknown_picture_in_the_word_template(templates):
    edit_word(templates, b'image("smiley:" ~ row.status.value',
              b'image("smiley:x" ~ row.status.value')
    assert_said(build(templates, "docx"), "report.docx", "smiley:xgreen")


# Two ways out of a template into Python, through a function's globals and through
# object's subclasses: without the sandbox each runs `touch ran` in the build's folder.
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('touch ran').read() }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() if c.__name__ == '_wrap_close' %}"
    "{{ c.__init__.__globals__.system('touch ran') }}{% endfor %}",
]


def assert_refused(result, templates, *parts):
    assert_said(result, *parts, "SecurityError", "som en skabelon ikke må")
    assert not (templates.parent / "ran").exists()
    assert not (templates.parent / "ud").exists()


@pytest.mark.parametrize("escape", ESCAPES, ids=["globals", "subclasses"])
@pytest.mark.parametrize(("name", "anchor", "fmt"), [
    ("report.html.j2", '<p class="legend-intro">', "html"),
    ("report.css", "@page {", "pdf"),
], ids=["html", "css"])
def test_a_template_cannot_reach_python(templates, escape, name, anchor, fmt):
    path = templates / name
    edit(path, anchor, f"{escape}\n{anchor}")
    result = build(templates, fmt)
    assert_refused(result, templates, f"{name}, linje {line_of(path, 'touch ran')}")


@pytest.mark.parametrize("escape", ESCAPES, ids=["globals", "subclasses"])
def test_the_word_template_cannot_reach_python(templates, escape):
    edit_word(templates, b"{{ wording.legend_intro }}", escape.encode())
    assert_refused(build(templates, "docx"), templates, "report.docx")


def test_a_template_cannot_change_the_values_it_is_given(templates):
    page = templates / "report.html.j2"
    edit(page, '<p class="legend-intro">', '{{ contents.clear() }}<p class="legend-intro">')
    result = build(templates, "html")
    assert_refused(result, templates, f"report.html.j2, linje {line_of(page, 'clear()')}",
                   "clear")


def test_a_template_folder_given_relative_names_the_line(templates):
    page = templates / "report.html.j2"
    edit(page, "{{ meta.title or document_title }}", "{{ meta.titel }}")
    result = CliRunner().invoke(main, ["build", "--templates", templates.name, "-o", "ud",
                                       "-q", "--format", "html"], catch_exceptions=False)
    assert_said(result, f"report.html.j2, linje {line_of(page, 'meta.titel')}", "titel")


def test_the_readmes_code_table_and_the_codes_agree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| code | means |"):]
    table = table[:table.index("\n\n")]
    listed: set[str] = set()
    for first, last in re.findall(r"RG(\d{3})(?:–RG(\d{3}))?", table):
        listed.update(f"RG{n:03d}" for n in range(int(first), int(last or first) + 1))
    assert listed == set(CODES)
