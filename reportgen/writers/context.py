"""What every template sees: the report, its wording, and the titles derived from it."""

from __future__ import annotations

from typing import Any

from ..model import Report
from ..wording import load_wording
from . import RenderOptions

FALLBACK_TITLE = "Opfølgning på strategiplan"


def document_title(report: Report) -> str:
    meta = report.meta
    parts = [part.rstrip(". ") for part in (meta.title, meta.subtitle) if part]
    return ". ".join(parts) or FALLBACK_TITLE


def template_context(report: Report, options: RenderOptions) -> dict[str, Any]:
    wording = load_wording(options.templates)
    return {
        "report": report,
        "meta": report.meta,
        "wording": wording,
        "document_title": document_title(report),
        "follow_up": report.meta.follow_up or wording.legend_heading,
        "draft": options.draft,
    }
