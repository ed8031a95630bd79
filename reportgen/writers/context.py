"""What every template sees: the report, its wording, and the titles derived from it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from babel.dates import get_month_names

from ..design.look import Look, load_look
from ..design.wording import Wording, load_wording
from ..errors import ReportgenError
from ..model import Change, Goal, PlacedGoal, Report, Status, direction
from ..pictures import chart
from . import RenderOptions
from .overview import Counts, counts

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
    look = load_look(options.templates)
    return {
        "report": report,
        "meta": report.meta,
        "wording": wording,
        "look": look,
        "document_title": document_title(report),
        "follow_up": report.meta.follow_up or wording.legend_heading,
        "draft": options.draft,
        "gaps": draft_gaps(report),
        "contents": contents(report),
        "report_date": report_date(report.meta),
        # Change since the earlier follow-up (--previous): None without one.
        "comparison": report.comparison,
        "change_mark": lambda goal, column: change_mark(report, goal, column, wording),
        "is_new": lambda goal: report.comparison is not None and goal.previous is None,
        "overview": overview_context(report, wording, look) if options.overview else None,
    }


@dataclass(frozen=True)
class Mark:
    """A change mark as a template places it: `image(mark.key, mark.alt)`."""

    key: str
    alt: str


def change_mark(report: Report, goal: Goal, column: str, wording: Wording) -> Mark | None:
    """The mark beside a goal's status in `column` ("result" or "timeline") that changed
    since the earlier follow-up; None where it did not, or there is nothing to compare."""
    if report.comparison is None or goal.previous is None:
        return None
    change = direction(getattr(goal.previous, column), getattr(goal, column))
    if change is Change.IMPROVED:
        return Mark("mark:improved", f"{wording.improved_since} {report.comparison.label}")
    if change is Change.WORSE:
        return Mark("mark:worse", f"{wording.worse_since} {report.comparison.label}")
    return None


def overview_context(report: Report, wording: Wording, look: Look) -> dict[str, Any]:
    """The overview as the templates place it: `themes` (each with `name`, `result` and
    `timeline`, and those with `green`, `yellow`, `red`, `not_reported`), `total`, and
    the chart's picture key and alternative text, both made from the same numbers."""
    overview = counts(report)
    try:
        rows = [(theme.name, theme.tally) for theme in overview.themes]
        rows.append((wording.overview_total, overview.total))
        key = "chart:" + chart.name(
            (wording.column_result, wording.column_timeline),
            (wording.overview_green, wording.overview_yellow, wording.overview_red,
             wording.overview_not_reported),
            [(name, tally.result.values(), tally.timeline.values()) for name, tally in rows],
            [look.smiley(status) for status in Status])

        def said(numbers: Counts) -> str:
            return wording.overview_chart_counts.format(**numbers.__dict__)

        alt = wording.overview_chart_alt.format(rows=" ".join(
            wording.overview_chart_row.format(name=name, result=said(tally.result),
                                              timeline=said(tally.timeline))
            for name, tally in rows))
    except AttributeError as exc:  # a wording.toml older than the overview
        raise ReportgenError("RG920", f"Ordlyden mangler teksten {exc} til oversigten. Tilføj "
                             "den (se programmets egen wording.toml), eller byg uden "
                             "oversigt med --no-overview.", "wording.toml") from exc
    except (KeyError, IndexError, ValueError) as exc:
        raise ReportgenError("RG920", "Diagrammets alternative tekst (overview_chart_alt, "
                             "overview_chart_row, overview_chart_counts) bruger et felt i "
                             f"{{…}}, der ikke findes: {exc}.", "wording.toml") from exc
    return {"themes": overview.themes, "total": overview.total,
            "previous_total": overview.previous_total, "chart": key, "alt": alt}


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
