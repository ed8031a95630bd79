"""The report's details given over the `Rapport` sheets' (`--title`, the page's fields):
as the report holds them, and checked for personal data as a cell is."""

from __future__ import annotations

from ..dates import date_text
from ..model import META_TEXTS, Finding
from ..personal_data import find as find_personal_data
from ..reader.rows import personal_data_text

# The round's details that the command line may give, over the `Rapport` sheets': field of
# model.Meta -> its option (`--case-number`).
DETAIL_OPTIONS = {name: "--" + name.replace("_", "-") for name in META_TEXTS}


def given_details(details: dict[str, str]) -> dict[str, str | None]:
    """The details as the report holds them: on one line, an empty one none, a date in
    figures in words (dates.date_text). A field that is no detail is a caller's mistake."""
    unknown = set(details) - set(DETAIL_OPTIONS)
    if unknown:
        raise ValueError(f"not a detail of the report: {', '.join(sorted(unknown))}")
    given = {name: " ".join(text.split()) or None for name, text in details.items()}
    date = given.get("date")
    if date:
        given["date"] = date_text(date)
    return given


def personal_data_in_details(details: dict[str, str | None]) -> list[Finding]:
    """The reader's findings for personal data (RG601–RG603), for details given on the
    command line: the option named where a cell would be."""
    findings = []
    for name, text in details.items():
        for hit in find_personal_data(text or ""):
            code, severity, what = personal_data_text(hit)
            findings.append(Finding(code, severity, f"{DETAIL_OPTIONS[name]} indeholder {what}"))
    return findings
