"""The JSON writer: the normalised records, for BI tools and for tests, and the
overview's numbers (overview.py) under `overview`, whatever the options."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum
from typing import Any

from ..model import Report
from . import RenderOptions
from .overview import counts


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def report_records(report: Report) -> dict[str, Any]:
    """The report as JSON's records. Compared with an earlier follow-up, each goal has
    `previous` (its statuses there: {"result": [...], "timeline": [...]}, or null for a
    new goal) and the report `removed` (the goals gone, as that follow-up had them, with
    their theme and focus area); without a comparison, neither."""
    records = _plain(asdict(report))
    comparison = records.pop("comparison")
    for theme in records["themes"]:
        for area in theme["focus_areas"]:
            for goal in area["goals"]:
                if comparison is None:
                    del goal["previous"]
    records["overview"] = counts(report).records()
    if comparison is not None:
        records["removed"] = [
            {"theme": gone["theme"], "focus_area": gone["focus_area"],
             **{key: value for key, value in gone["goal"].items() if key != "previous"}}
            for gone in comparison["removed"]]
    return records


def render(report: Report, options: RenderOptions) -> bytes:
    text = json.dumps(report_records(report), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
