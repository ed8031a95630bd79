"""The HTML writer: the report through the Jinja2 template `report.html.j2`."""

from __future__ import annotations

import re
from collections.abc import Callable

from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import template_error
from ..model import Report
from ..pictures import Image, data_uri
from . import RenderOptions
from .context import report_texts, template_context

_EMOJI = re.compile("[\u2190-\u21ff\u2300-\u27bf\u2b00-\u2bff\ufe0f\U0001f000-\U0001faff]")


def css_string(text: str) -> Markup:
    """A quoted CSS string that shows `text` as text: every character but letters, digits
    and spaces is escaped, so nothing in it can end the string or the style element (and
    nothing is left for HTML escaping, which a style element would not undo)."""
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def render_html(report: Report, options: RenderOptions,
                image_src: Callable[[str], str] = data_uri) -> str:
    """The report as HTML; each picture's URL made from its key by `image_src`, the
    drawing inside a data URI unless told otherwise. The templates are the municipality's
    to edit (--templates), so they run sandboxed: no way from a tag into Python."""
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader(options.templates),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    context = template_context(report, options)
    look = context["look"]
    context["image"] = lambda key, alt: Image(look.picture(key), alt).html(image_src)
    context["uses_emoji"] = any(_EMOJI.search(text) for text in report_texts(report))
    try:
        return env.get_template("report.html.j2").render(context)
    except (TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
        raise template_error(exc, options.templates, "report.html.j2") from exc


def render(report: Report, options: RenderOptions) -> bytes:
    return render_html(report, options).encode("utf-8")
