"""The writers: one module per output format, each `render(report, options) -> bytes`, and
`WRITERS`, the one table of formats: the command line's choices, the page's formats and
downloads, the progress lines and the CPR guard all read it. A new format is a module here
and a line in the table.

Heavy libraries are imported inside the writers, so `reportgen check` and `--help`
start quickly.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape  # not `import html`: the package's html module takes that name
from importlib import import_module
from pathlib import Path

from ..design import DEFAULT_TEMPLATES
from ..model import Report

# Tagged variants only. PDF/UA-1 is the default: accessibility is what the law asks of
# published documents. For the archive, PDF/A-2a: tagged ("a"), and PDF/A-2 rather than
# A-3, which also admits arbitrary embedded files that archives may refuse.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a")


@dataclass(frozen=True)
class RenderOptions:
    templates: Path = DEFAULT_TEMPLATES
    draft: bool = False
    pdf_variant: str = PDF_VARIANTS[0]
    overview: bool = True  # the overview (table and chart) before the themes
    cache: Path | None = None  # the folder the PDF's laid-out parts are kept in (pdf/cache.py)


# The published text is one paragraph a line, and a line break inside a paragraph (a
# cell's Alt+Enter, a <br>) is U+2028, LINE SEPARATOR: the CPR guard reads each line on
# its own, so that what ends one table cell and what begins the next are not read as one
# number, while a number broken over two lines of one cell still is.
_LINE_BREAK = "\u2028"
# The HTML elements whose edges end a paragraph; any other tag (a span, a link, a picture)
# runs on, as the text around it does on the page.
_HTML_BLOCKS = re.compile(
    r"</?(?:address|article|aside|blockquote|body|caption|col|colgroup|dd|div|dl|dt|"
    r"figcaption|figure|footer|h[1-6]|head|header|hr|html|li|main|meta|nav|ol|p|section|"
    r"style|table|tbody|td|tfoot|th|thead|title|tr|ul)\b[^>]*>", re.IGNORECASE)


def _markup_text(data: str | bytes) -> str:
    """HTML's text, one paragraph (a heading, a table cell, ...) a line (the PDF's HTML too:
    checked before the PDF is made, to fail early). A line break in a text, shown as one
    (white-space: pre-line), or as a space, is a line break inside its paragraph, as a
    <br> is."""
    text = data if isinstance(data, str) else data.decode("utf-8")
    text = re.sub(r"\r\n?|\n|<br\b[^>]*>", _LINE_BREAK, text, flags=re.IGNORECASE)
    return unescape(re.sub(r"<[^>]+>", "", _HTML_BLOCKS.sub("\n", text)))


def _pdf_text(data: str | bytes) -> str:
    """The finished PDF's text and metadata, read from its bytes (pdf/text.py): its parts
    may come from the cache, and CSS and pictures draw text its HTML does not hold. Bound
    late, as a writer's `render` is: the PDF's package imports this one."""
    return import_module(".pdf.text", __name__).pdf_text(data)


def _docx_text(data: str | bytes) -> str:
    """A Word document's text and metadata, one paragraph a line."""
    with zipfile.ZipFile(io.BytesIO(data if isinstance(data, bytes) else data.encode())) as docx:
        parts = [docx.read(name).decode("utf-8") for name in docx.namelist()
                 if name.endswith(".xml") and name.startswith(("word/", "docProps/"))]
    return "\n".join(unescape(re.sub(r"<[^>]+>", "", re.sub(
        r"</w:p>|<w:br [^>]*>|</(?:dc|cp|dcterms):\w+>", "\n", re.sub(  # a page break too
            r"<w:br/>|<w:cr/>", _LINE_BREAK, re.sub(
                r"<w:tab/>", "\t", re.sub(r"[\r\n]", " ", part))))))
        for part in parts)


def _plain_text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode("utf-8")


@dataclass(frozen=True)
class Writer:
    """One output format: its name (the module's, and the file's suffix), its media type,
    what the progress calls a finished file of it, whether the page offers it unasked,
    and the text a reader of it sees, read from its bytes (for the CPR guard)."""

    name: str
    media_type: str
    label: str
    on_page: bool
    published_text: Callable[[str | bytes], str]

    @property
    def render(self) -> Callable[[Report, RenderOptions], bytes]:
        return import_module(f".{self.name}", __name__).render


WRITERS = {writer.name: writer for writer in (
    Writer("pdf", "application/pdf", "PDF-filen", True, _pdf_text),
    Writer("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "Word-dokumentet", True, _docx_text),
    Writer("html", "text/html; charset=utf-8", "HTML-filen", False, _markup_text),
    Writer("json", "application/json", "JSON-filen", True, _plain_text),
)}
FORMATS = tuple(WRITERS)
DEFAULT_FORMATS = ("pdf", "docx")
PAGE_FORMATS = tuple(name for name, writer in WRITERS.items() if writer.on_page)


def format_names(last: str = "og") -> str:
    """The formats as a Danish list: `pdf, docx, html og json`."""
    return f"{', '.join(FORMATS[:-1])} {last} {FORMATS[-1]}"


def published_text(fmt: str, data: str | bytes) -> str:
    """The text a reader of the document sees, and its metadata, one paragraph a line."""
    return WRITERS[fmt].published_text(data)


def format_list(value: str) -> list[str]:
    """`pdf,docx` -> ["pdf", "docx"]; ValueError naming what is not a format."""
    formats = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise ValueError(", ".join(unknown) or value)
    return list(dict.fromkeys(formats))


def writer(fmt: str) -> Callable[[Report, RenderOptions], bytes]:
    if fmt not in WRITERS:
        raise ValueError(fmt)
    return WRITERS[fmt].render


