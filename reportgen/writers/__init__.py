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


@dataclass(frozen=True)
class RenderOptions:
    templates: Path = DEFAULT_TEMPLATES
    draft: bool = False


FORMATS: dict[str, str] = {  # format -> module of this package
    "pdf": "pdf",
    "docx": "docx",
    "html": "html",
    "json": "json",
}


def writer(fmt: str) -> Callable[[Report, RenderOptions], bytes]:
    return import_module(f".{FORMATS[fmt]}", __name__).render
