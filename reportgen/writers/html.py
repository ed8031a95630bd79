"""The HTML writer: the report through the Jinja2 template `report.html.j2`."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..model import Report, Status
from ..smileys import smiley_data_uri
from . import RenderOptions
from .context import template_context


def render_html(report: Report, options: RenderOptions) -> str:
    env = Environment(
        loader=FileSystemLoader(options.templates),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    context = template_context(report, options)
    context["smiley_src"] = {status: smiley_data_uri(status) for status in Status}
    return env.get_template("report.html.j2").render(context)


def render(report: Report, options: RenderOptions) -> bytes:
    return render_html(report, options).encode("utf-8")
