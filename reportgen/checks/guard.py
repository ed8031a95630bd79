"""The last look before a document is published: a CPR number in a finished document that
no cell of the workbooks held (a template's own text, or any path but the cells) stops
the build (RG604). The PDF is looked at twice: its HTML while it is made, to stop early,
and the finished PDF's own text (writers.published_text), which is what is published: its
parts may come from the cache, and a stylesheet or a picture may draw text its HTML does
not hold as text."""

from __future__ import annotations

from pathlib import Path

from ..errors import ReportgenError
from ..model import Report
from ..personal_data import cpr_numbers, new_cpr_number

FROM_TEMPLATES = ": det kommer fra skabelonerne ({templates}). Ret skabelonen."
# The finished PDF holds a number its HTML did not (that was looked at first).
FROM_THE_PDF = (", og den HTML, PDF'en er lavet af, har det ikke som tekst: det kommer fra de "
                "PDF-dele, som tidligere byggerier har gemt, eller fra skabelonerne "
                "({templates}: et stylesheet, et billede). Byg igen uden de gemte dele "
                "(--no-cache), og ret skabelonen, hvis det står der.")


def guard_cpr_numbers(report: Report, documents: dict[str, str], templates: Path,
                      source: str = FROM_TEMPLATES) -> None:
    """Stop (RG604) when a document holds a CPR number that no text of the report holds
    (those were checked, and any left accepted): one a template's own text, or any path
    but the cells, put there. `documents`: {format: the text a reader of it sees, one
    paragraph a line (writers.published_text)}; `source`: where such a number comes from,
    said in the message."""
    known = cpr_numbers(text for _, text, _ in report.texts())
    for fmt, text in documents.items():
        # paragraph by paragraph: the end of one table cell and the beginning of the next
        # are no number to a reader (a line break inside a paragraph is U+2028, read on)
        hit = next((hit for paragraph in text.split("\n")
                    if (hit := new_cpr_number(paragraph, known)) is not None), None)
        if hit is not None:
            where = source.format(templates=templates)
            raise ReportgenError(
                "RG604", f"Den færdige {fmt.upper()} indeholder et CPR-nummer ({hit.masked}), "
                f"som ingen celle i arbejdsbøgerne har{where} Intet er skrevet.")
