"""The report's fixed wording (legend, labels), read from the templates' `wording.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .model import Status

_PARENTHESES = re.compile(r"\s*\([^)]*\)\.?")


@dataclass(frozen=True)
class LegendRow:
    status: Status
    name: str
    result: str
    timeline: str


@dataclass(frozen=True)
class Wording:
    legend_intro: str
    legend_heading: str
    comment_rule: str
    comment_label: str
    not_reported: str
    missing_comment: str
    draft_mark: str
    gaps_heading: str
    gaps_not_reported: str
    gaps_missing_comment: str
    legend: tuple[LegendRow, ...]

    def row(self, status: Status) -> LegendRow:
        return next(row for row in self.legend if row.status is status)

    def alt(self, status: Status, column: str | None = None) -> str:
        """Danish alternative text: the colour, and for a table cell what it means."""
        row = self.row(status)
        if column is None:
            return row.name
        sentence = _PARENTHESES.sub("", getattr(row, column)).rstrip(". ")
        return f"{row.name}: {sentence[:1].lower()}{sentence[1:]}"


def load_wording(templates: Path) -> Wording:
    data = tomllib.loads((templates / "wording.toml").read_text(encoding="utf-8"))
    legend = tuple(LegendRow(status, **data.pop(status.value)) for status in Status)
    return Wording(legend=legend, **data)
