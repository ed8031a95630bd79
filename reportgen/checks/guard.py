"""The last look before a document is published: a CPR number in a finished document that
no cell of the workbooks held (a template's own text, or any path but the cells) stops
the build (RG604)."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

from ..errors import ReportgenError
from ..model import Report
from ..personal_data import cpr_numbers, new_cpr_number


def guard_cpr_numbers(report: Report, documents: dict[str, str | bytes],
                      templates: Path) -> None:
    """Stop (RG604) when a document holds a CPR number that no text of the report holds
    (those were checked, and any left accepted): one a template's own text, or any path
    but the cells, put there. `documents`: {format: its bytes}, the PDF as its HTML."""
    known = cpr_numbers(text for _, text, _ in report.texts())
    for fmt, data in documents.items():
        hit = new_cpr_number(published_text(fmt, data), known)
        if hit is not None:
            raise ReportgenError(
                "RG604", f"Den færdige {fmt.upper()} indeholder et CPR-nummer ({hit.masked}), "
                "som ingen celle i arbejdsbøgerne har: det kommer fra skabelonerne "
                f"({templates}). Ret skabelonen. Intet er skrevet.")


def published_text(fmt: str, data: str | bytes) -> str:
    """The text a reader of the document sees, and its metadata, one paragraph a line."""
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [archive.read(name).decode("utf-8") for name in archive.namelist()
                     if name.endswith(".xml") and name.startswith(("word/", "docProps/"))]
        return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", re.sub(
            r"</w:p>|<w:br/>|<w:tab/>|</(?:dc|cp|dcterms):\w+>", "\n", part))) for part in parts)
    text = data if isinstance(data, str) else data.decode("utf-8")
    if fmt == "json":
        return text
    return html.unescape(re.sub(r"<[^>]+>", "\n", text))
