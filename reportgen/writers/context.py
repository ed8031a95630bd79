"""What every template sees: the report, its wording, and the titles derived from it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from babel.dates import get_month_names

from ..model import PlacedGoal, Report
from ..wording import load_wording
from . import RenderOptions

FALLBACK_TITLE = "Opfølgning på strategiplan"


def document_title(report: Report) -> str:
    meta = report.meta
    parts = [part.rstrip(". ") for part in (meta.title, meta.subtitle) if part]
    return ". ".join(parts) or FALLBACK_TITLE


def draft_gaps(report: Report) -> dict[str, list[PlacedGoal]]:
    """The goals a draft shows although they are not ready."""
    gaps: dict[str, list[PlacedGoal]] = {"not_reported": [], "missing_comment": []}
    for placed in report.placed_goals():
        if not placed.goal.is_reported:
            gaps["not_reported"].append(placed)
        if placed.goal.lacks_comment:
            gaps["missing_comment"].append(placed)
    return gaps


def contents(report: Report) -> list[dict[str, str]]:
    """The table of contents: each theme's name and the anchor of its section (`tema-N`,
    as report.html.j2 numbers them), when the report holds more than one theme."""
    if len(report.themes) < 2:
        return []
    return [{"anchor": f"tema-{number}", "name": theme.name}
            for number, theme in enumerate(report.themes, start=1)]


def report_texts(report: Report) -> Iterator[str]:
    """Every text the report holds that came from a workbook."""
    return (text for _, text, _ in report.texts())


def template_context(report: Report, options: RenderOptions) -> dict[str, Any]:
    wording = load_wording(options.templates)
    return {
        "report": report,
        "meta": report.meta,
        "wording": wording,
        "document_title": document_title(report),
        "follow_up": report.meta.follow_up or wording.legend_heading,
        "draft": options.draft,
        "gaps": draft_gaps(report),
        "contents": contents(report),
        "report_date": report_date(report.meta),
    }


def report_date(meta) -> dt.datetime | None:
    """The report's date (`Dato`, e.g. "August 2018" or "3. august 2018") as a datetime."""
    if not meta.date:
        return None
    months = {name.casefold(): number
              for number, name in get_month_names("wide", locale="da_DK").items()}
    match = re.fullmatch(r"(?:(\d{1,2})\.?\s+)?([^\W\d]+)\s+(\d{4})", meta.date.strip())
    if match and match[2].casefold() in months:
        try:
            return dt.datetime(int(match[3]), months[match[2].casefold()], int(match[1] or 1))
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(meta.date.strip())
    except ValueError:
        return None
