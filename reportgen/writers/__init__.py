"""The writers: one module per output format, each `render(report, options) -> bytes`.

Heavy libraries are imported inside the writers, so `reportgen check` and `--help`
start quickly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from ..design import DEFAULT_TEMPLATES
from ..model import Report

# Tagged variants only. PDF/UA-1 is the default: accessibility is what the law asks of
# published documents. For the archive, PDF/A-2a: tagged ("a"), and PDF/A-2 rather than
# A-3, which also admits arbitrary embedded files that archives may refuse.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a")


@dataclass(frozen=True)
class RenderOptions:
    templates: Path = DEFAULT_TEMPLATES
    draft: bool = False
    pdf_variant: str = PDF_VARIANTS[0]
    overview: bool = True  # the overview (table and chart) before the themes
    cache: Path | None = None  # the folder the PDF's laid-out parts are kept in (pdf_cache)


FORMATS = ("pdf", "docx", "html", "json")  # each a module of this package
DEFAULT_FORMATS = ("pdf", "docx")


def format_list(value: str) -> list[str]:
    """`pdf,docx` -> ["pdf", "docx"]; ValueError naming what is not a format."""
    formats = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [fmt for fmt in formats if fmt not in FORMATS]
    if unknown or not formats:
        raise ValueError(", ".join(unknown) or value)
    return list(dict.fromkeys(formats))


def writer(fmt: str) -> Callable[[Report, RenderOptions], bytes]:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return import_module(f".{fmt}", __name__).render


