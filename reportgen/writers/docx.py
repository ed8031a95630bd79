"""The DOCX writer: the Word template `report.docx` rendered with docxtpl.

docxtpl leaves escaping off by default and then silently drops broken markup, so we
render with autoescape on; the template places pictures with `image(key, alt, width_mm=…)`
(pictures/), each carrying its Danish alternative text; the zip is rewritten with fixed
timestamps so that the same report gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from ..errors import ReportgenError, template_error
from ..model import Report
from ..pictures import Image
from . import RenderOptions
from .context import document_title, template_context

EPOCH = dt.datetime(2000, 1, 1)

# The Word template's styles the look colours (look.toml; the template's own colours are
# only what Word shows while it is edited): name -> ("shade", colour) shades each table
# cell whose first paragraph has the style; ("colour", colour) colours the style's text.
STYLES: dict[str, tuple[str, str]] = {
    "Temarække": ("shade", "theme_row"),
    "Indsatsområderække": ("shade", "area_row"),
    "Signaturforklaring, hoved": ("shade", "legend_head"),
    "Mangel": ("colour", "accent"),
    "Etiket": ("colour", "muted"),
}
# Word's own styles, coloured as the look says.
TEXT_STYLES = {"Normal": "text", "Title": "text", "Subtitle": "text", "Heading 1": "text",
               "Heading 2": "text", "Heading 3": "text", "Footer": "muted"}
# The tables the template draws with lines.
GRID_STYLES = ("Table Grid",)


# A text run holding a character docxtpl's listing turns into Word's own element: a tab,
# a line break, a paragraph break (\a) or a page break (\f).
_LISTING = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")


@cache
def _template_class() -> type:
    """docxtpl's DocxTemplate, its listing pass made only where a text needs it: its
    three regular expressions over every paragraph and run took a quarter of the
    writer's time at 2,000 goals, to change nothing in most documents."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):
        def resolve_listing(self, xml: str) -> str:
            return super().resolve_listing(xml) if _LISTING.search(xml) else xml

    return Template


def render(report: Report, options: RenderOptions) -> bytes:
    path = options.templates / "report.docx"
    try:
        template = _template_class()(path)
        template.init_docx()  # docxtpl opens the file only when first asked
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ReportgenError("RG920", "Word-skabelonen kan ikke åbnes som et Word-dokument "
                             f"({type(exc).__name__}). Gem den igen som .docx i Word.",
                             path.name) from exc
    context = template_context(report, options)
    look = context["look"]
    context["image"] = lambda key, alt, width_mm: Image(look.picture(key), alt).docx(
        template, width_mm)
    # Sandboxed as the HTML templates are (html.render_html): docxtpl renders the body,
    # headers, footers and document properties all through this environment.
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined,
                                        finalize=_as_typed)
    try:
        template.render(context, jinja_env=env, autoescape=True)
    except (TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
        raise template_error(exc, options.templates, path.name) from exc

    _apply_look(template.docx, context["look"])
    if context["contents"]:
        _update_fields_on_opening(template.docx)

    properties = template.docx.core_properties
    properties.title = _property(document_title(report))
    properties.subject = _property(report.meta.subtitle or "")
    properties.author = _property(report.meta.case_handler or "")
    properties.last_modified_by = _property(report.meta.case_handler or "")
    properties.keywords = _property("; ".join(theme.name for theme in report.themes))
    properties.comments = ""
    properties.language = "da-DK"
    properties.revision = 1
    properties.created = properties.modified = _core_date(context["report_date"])

    raw = io.BytesIO()
    template.save(raw)
    return _fixed_zip(raw.getvalue())


def _apply_look(document, look) -> None:
    """The look's font and colours on the rendered document: the font on every style and
    the defaults; the colours on the styles named above and on the cells they mark."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import RGBColor

    styles = document.styles
    root = styles.element
    defaults = root.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None and rpr.find(qn("w:rFonts")) is None:
            rpr.insert(0, OxmlElement("w:rFonts"))
    for fonts in root.iter(qn("w:rFonts")):
        for name in list(fonts.attrib):
            if name.endswith("Theme}") or name.endswith("Theme"):
                del fonts.attrib[name]
        for side in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{side}"), look.font)
    names = {style.name: style for style in styles}
    colours = {**TEXT_STYLES, **{name: role for name, (kind, role) in STYLES.items()
                                  if kind == "colour"}}
    for name, role in colours.items():
        if name in names:
            names[name].font.color.rgb = RGBColor.from_string(look.word(getattr(look, role)))
    for name in GRID_STYLES:
        borders = names[name].element.find(qn("w:tblPr") + "/" + qn("w:tblBorders")) \
            if name in names else None
        for border in borders if borders is not None else ():
            border.set(qn("w:color"), look.word(look.rule))
    shades = {names[name].style_id: look.word(getattr(look, role))
              for name, (kind, role) in STYLES.items() if kind == "shade" and name in names}
    for cell in document.element.body.iter(qn("w:tc")):
        paragraph = cell.find(qn("w:p"))
        style = paragraph.find(qn("w:pPr") + "/" + qn("w:pStyle")) \
            if paragraph is not None else None
        fill = shades.get(style.get(qn("w:val"))) if style is not None else None
        if fill is not None:
            _shading(cell).set(qn("w:fill"), fill)


# What follows w:shd in a cell's properties (the schema fixes the order).
_AFTER_SHADING = ("noWrap", "tcMar", "textDirection", "tcFitText", "vAlign", "hideMark")


def _shading(cell):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = cell.get_or_add_tcPr()
    shading = properties.find(qn("w:shd"))
    if shading is None:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        after = [child for child in properties
                 if child.tag in {qn(f"w:{name}") for name in _AFTER_SHADING}]
        if after:
            after[0].addprevious(shading)
        else:
            properties.append(shading)
    return shading


# What follows updateFields in the settings (their order is the schema's).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars",
                        "rsids", "mathPr", "attachedSchema", "themeFontLang",
                        "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions",
                        "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator")


def _update_fields_on_opening(document) -> None:
    """Word asks, on opening, to update the fields: the table of contents (a TOC field,
    make_docx_template._contents) is then filled in with the pages Word lays out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = document.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        later = next((child for child in settings
                      if child.tag in {qn(f"w:{name}") for name in _AFTER_UPDATE_FIELDS}),
                     None)
        if later is None:
            settings.append(update)
        else:
            later.addprevious(update)
    update.set(qn("w:val"), "true")


# The document properties hold at most 255 characters (python-docx refuses more); the
# whole text stands in the document itself.
PROPERTY_LIMIT = 255


def _property(text: str) -> str:
    return text if len(text) <= PROPERTY_LIMIT else text[:PROPERTY_LIMIT - 1] + "…"


def _core_date(date: dt.datetime | None) -> dt.datetime:
    """The report's date as the properties take it: in UTC, without a zone (python-docx
    writes it as UTC, dropping any zone given), and in the years a W3C date can be
    written with four digits; else a fixed date, never the clock."""
    if date is None or not 1000 <= date.year <= 9998:
        return EPOCH
    if date.tzinfo is not None:
        date = date.astimezone(dt.UTC).replace(tzinfo=None)
    return date


# docxtpl turns {_{ }_} {_% %_} in its output into Jinja's delimiters once rendering is
# done; an underscore beside a brace or % in a value is written as a character reference,
# which that replacement does not see and Word reads as the underscore typed.
_DELIMITER_UNDERSCORE = re.compile(r"(?<=[{%])_|_(?=[}%])")


def _as_typed(value):
    """A value from the report, escaped, shown as typed."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return Markup(_DELIMITER_UNDERSCORE.sub("&#95;", str(escape(value))))


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry stamped 1980-01-01, in the original order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info))
    return out.getvalue()
