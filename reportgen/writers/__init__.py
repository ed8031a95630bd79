"""The writers: one module per output format, each `render(report, options) -> bytes`.

Heavy libraries are imported inside the writers, so `reportgen check` and `--help`
start quickly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from ..model import Report

DEFAULT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


# Tagged variants only. PDF/UA-1 is the default: accessibility is what the law asks of
# published documents. For the archive, PDF/A-2a: tagged ("a"), and PDF/A-2 rather than
# A-3, which also admits arbitrary embedded files that archives may refuse.
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-2a", "pdf/a-3a")


@dataclass(frozen=True)
class RenderOptions:
    templates: Path = DEFAULT_TEMPLATES
    draft: bool = False
    pdf_variant: str = PDF_VARIANTS[0]


FORMATS = ("pdf", "docx", "html", "json")  # each a module of this package


def writer(fmt: str) -> Callable[[Report, RenderOptions], bytes]:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    return import_module(f".{fmt}", __name__).render
