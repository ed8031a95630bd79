"""The JSON writer: the normalised records, for BI tools and for tests, and the
overview's numbers (overview.py) under `overview`, whatever the options."""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum
from typing import Any

from ..model import Report
from ..overview import counts
from . import RenderOptions


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def report_records(report: Report) -> dict[str, Any]:
    return _plain(asdict(report)) | {"overview": counts(report).records()}


def render(report: Report, options: RenderOptions) -> bytes:
    text = json.dumps(report_records(report), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")
