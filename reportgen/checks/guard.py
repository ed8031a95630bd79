"""The last look before a document is published: a CPR number in a finished document that
no cell of the workbooks held (a template's own text, or any path but the cells) stops
the build (RG604)."""

from __future__ import annotations

from pathlib import Path

from ..errors import ReportgenError
from ..model import Report
from ..personal_data import cpr_numbers, new_cpr_number


def guard_cpr_numbers(report: Report, documents: dict[str, str], templates: Path) -> None:
    """Stop (RG604) when a document holds a CPR number that no text of the report holds
    (those were checked, and any left accepted): one a template's own text, or any path
    but the cells, put there. `documents`: {format: the text a reader of it sees, one
    paragraph a line (writers.published_text)}."""
    known = cpr_numbers(text for _, text, _ in report.texts())
    for fmt, text in documents.items():
        # paragraph by paragraph: the end of one table cell and the beginning of the next
        # are no number to a reader (a line break inside a paragraph is U+2028, read on)
        hit = next((hit for paragraph in text.split("\n")
                    if (hit := new_cpr_number(paragraph, known)) is not None), None)
        if hit is not None:
            raise ReportgenError(
                "RG604", f"Den færdige {fmt.upper()} indeholder et CPR-nummer ({hit.masked}), "
                "som ingen celle i arbejdsbøgerne har: det kommer fra skabelonerne "
                f"({templates}). Ret skabelonen. Intet er skrevet.")
