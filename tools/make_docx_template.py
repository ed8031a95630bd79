"""Write templates/report.docx: the Word template the DOCX is rendered from (docxtpl).

The checked-in report.docx is the template to edit (in Word: styles, logo, widths,
wording). This script is how it was first made, and remakes it from scratch:

    .venv/bin/python tools/make_docx_template.py templates/report.docx

Jinja2 tags in the document: `{{ ... }}` inside a run, `{%p ... %}` alone in a paragraph,
`{%tr ... %}` alone in a table row (docxtpl's syntax). A picture is placed inside a run with
`{{ image(key, alt, width_mm=…) }}` (reportgen/pictures/).

The colours and the font are look.toml's: the DOCX writer sets them on the rendered
document, on the styles and on the cells it knows by their paragraph's style (STYLES
below), so the colours written here are only what Word shows while the template is edited.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reportgen.design.look import load_look  # noqa: E402
from reportgen.writers.docx import STYLES  # noqa: E402

LOOK = load_look(Path(__file__).resolve().parents[1] / "templates")
FONT = LOOK.font
GOAL_COLUMNS_MM = (48, 42, 25, 25, 34)  # goal, measure/comment, result, timeline, centre


def _set(parent, tag: str, **attrs: str):
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    for key, value in attrs.items():
        element.set(qn(key), value)
    return element


def _shade(cell, fill: str) -> None:
    _set(cell._tc.get_or_add_tcPr(), "w:shd", **{"w:val": "clear", "w:color": "auto",
                                                  "w:fill": fill})


def _row_flag(row, tag: str) -> None:
    _set(row._tr.get_or_add_trPr(), tag, **{"w:val": "true"})


def _widths(table, widths_mm) -> None:
    """Widths on the grid (LibreOffice reads it) and on every cell (Word reads those)."""
    table.autofit = False
    for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths_mm, strict=True):
        grid_col.w = Mm(width)
    _set(table._tbl.tblPr, "w:tblW", **{"w:w": str(int(sum(widths_mm) * 56.7)),
                                         "w:type": "dxa"})
    _set(table._tbl.tblPr, "w:tblLayout", **{"w:type": "fixed"})
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _no_borders(table) -> None:
    borders = _set(table._tbl.tblPr, "w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{side}", **{"w:val": "nil"})


def _caption(table, caption: str) -> None:
    _set(table._tbl.tblPr, "w:tblCaption", **{"w:val": caption})


def _text(cell, text: str, bold: bool = False, italic: bool = False, style: str | None = None):
    paragraph = cell.paragraphs[0]
    if style:
        paragraph.style = style
    run = paragraph.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    return paragraph


def _paragraphs(cell, *texts: str, style: str | None = None) -> None:
    """Fill a cell with one paragraph per text (the cell's own first paragraph included)."""
    first, *rest = texts
    _text(cell, first, style=style)
    for text in rest:
        cell.add_paragraph(text, style=style)


def _field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _styles(document) -> None:
    """The styles, and those the DOCX writer colours from the look (STYLES): a cell whose
    first paragraph has a shading style is shaded in its colour."""
    styles = document.styles
    for name, (kind, role) in STYLES.items():
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH if kind == "shade"
                                 else WD_STYLE_TYPE.CHARACTER)
        if kind == "shade":
            style.base_style = styles["Normal"]
            style.font.bold = True
        elif role == "accent":
            style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(LOOK.word(LOOK.text if kind == "shade"
                                                              else getattr(LOOK, role)))
        style.quick_style = True
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(9)
    normal.paragraph_format.space_after = Pt(3)
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(
        qn("w:rPrDefault")).find(qn("w:rPr"))
    _set(rpr_default, "w:lang", **{"w:val": "da-DK", "w:eastAsia": "da-DK", "w:bidi": "ar-SA"})
    _set(rpr_default, "w:rFonts", **{"w:ascii": FONT, "w:hAnsi": FONT, "w:cs": FONT,
                                     "w:eastAsia": FONT})
    # Heading 1 is the report's title, Heading 2 a theme, Heading 3 a part of the draft's
    # gap list: Word's navigation pane then shows what the PDF's bookmarks show.
    for name, size, colour in (("Heading 1", 18, "1A1A1A"), ("Subtitle", 12, "1A1A1A"),
                               ("Heading 2", 13, "1A1A1A"), ("Heading 3", 10, "1A1A1A")):
        style = styles[name]
        style.font.name, style.font.size = FONT, Pt(size)
        style.font.color.rgb = RGBColor.from_string(colour)
        style.font.italic = False
        pPr = style.element.get_or_add_pPr()
        for border in pPr.findall(qn("w:pBdr")):  # the default Title has a rule under it
            pPr.remove(border)
    styles["Heading 1"].font.bold = True
    _set(styles["Subtitle"].element.get_or_add_rPr(), "w:spacing", **{"w:val": "0"})
    styles["Heading 2"].paragraph_format.space_before = Pt(14)
    styles["Heading 2"].paragraph_format.keep_with_next = True


def build(path: Path) -> None:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(22)
    _styles(document)
    body = document.element.body
    body.remove(body[0]) if body[0].tag == qn("w:p") else None

    document.add_paragraph("{%p if draft %}")
    mark = document.add_paragraph().add_run("{{ wording.draft_mark }}", style="Mangel")
    mark.font.size = Pt(11)
    document.add_paragraph("{%p endif %}")

    header = document.add_table(rows=4, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.RIGHT
    _no_borders(header)
    _caption(header, "Sagsoplysninger")
    for row, (label, value) in zip(header.rows, (
            ("case_number", "meta.case_number"), ("case_handler", "meta.case_handler"),
            ("date", "meta.date"), ("revised", "meta.revised")), strict=True):
        row.cells[0].paragraphs[0].add_run(f"{{{{ wording.header_{label} }}}}",
                                           style="Etiket")
        _text(row.cells[1], f'{{{{ {value} or "" }}}}')
    _widths(header, (28, 52))

    document.add_paragraph("{{ meta.title or document_title }}", style="Heading 1")
    document.add_paragraph("{%p if meta.subtitle %}")
    document.add_paragraph("{{ meta.subtitle }}", style="Subtitle")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p for paragraph in meta.intro %}")
    document.add_paragraph("{{ paragraph }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph().add_run("{{ wording.legend_intro }}").bold = True

    legend = document.add_table(rows=4, cols=2, style="Table Grid")
    _caption(legend, "Smiley-skala")
    top = legend.rows[0].cells[0].merge(legend.rows[0].cells[1])
    _text(top, "{{ follow_up }}", style="Signaturforklaring, hoved")
    _shade(top, LOOK.word(LOOK.legend_head))
    _row_flag(legend.rows[0], "w:tblHeader")
    _text(legend.rows[1].cells[0], "{%tr for row in wording.legend %}")
    _text(legend.rows[2].cells[0],
          '{{ image("smiley:" ~ row.status.value, wording.alt(row.status), width_mm=8) }}')
    _paragraphs(legend.rows[2].cells[1], "{{ row.result }}", "{{ row.timeline }}",
                style="List Bullet")
    _text(legend.rows[3].cells[0], "{%tr endfor %}")
    _widths(legend, (14, 116))

    document.add_paragraph().add_run("{{ wording.comment_rule }}").italic = True
    _contents(document)
    _overview(document)

    document.add_paragraph("{%p for theme in report.themes %}")
    # Every theme after the first begins a page, as in the PDF.
    document.add_paragraph("{%p if loop.first %}")
    document.add_paragraph("{{ theme.name }}", style="Heading 2")
    document.add_paragraph("{%p else %}")
    document.add_paragraph("{{ theme.name }}", style="Heading 2"
                           ).paragraph_format.page_break_before = True
    document.add_paragraph("{%p endif %}")
    _goal_table(document)
    document.add_paragraph("{%p endfor %}")
    _removed_list(document)
    _gap_list(document)

    _header_and_footer(section)

    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


def _smileys(statuses: str, column: str, width_mm: float = 6) -> str:
    """The tags of a status's smileys: one each, " / " between two, or the words for none."""
    return (f'{{% for status in {statuses} %}}{{% if not loop.first %}}\u00a0/\u00a0{{% endif %}}'
            f'{{{{ image("smiley:" ~ status.value, wording.alt(status, "{column}"), '
            f'width_mm={width_mm}) }}}}{{% else %}}{{{{ wording.not_reported }}}}{{% endfor %}}')


def _removed_list(document) -> None:
    """After the last theme, with --previous: the earlier follow-up's goals that are gone,
    each with its theme › focus area, centre and statuses then (as the HTML's
    removed.html.j2)."""
    document.add_paragraph("{%p if comparison and comparison.removed %}")
    document.add_paragraph("{{ wording.removed_heading }}", style="Heading 2")
    document.add_paragraph("{%p for gone in comparison.removed %}")
    item = document.add_paragraph(style="List Bullet")
    item.add_run("{{ gone.goal.text }} ")
    item.add_run("({{ gone.theme }} › {{ gone.focus_area }}; {{ gone.goal.centre }})",
                 style="Etiket")
    item.add_run(" {{ wording.removed_result }} " + _smileys("gone.goal.result", "result", 4)
                 + "; {{ wording.removed_timeline }} "
                 + _smileys("gone.goal.timeline", "timeline", 4))
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endif %}")


def _header_and_footer(section) -> None:
    """A draft's mark at the top of every page; the title and the page number at the foot,
    in two cells of a borderless table, so that a long title wraps in its own cell."""
    header = section.header.paragraphs[0]
    header.alignment = 2  # right
    header.add_run('{{ wording.draft_mark if draft else "" }}', style="Mangel")

    footer = section.footer
    footer.paragraphs[0].style.font.size = Pt(7.5)
    table = footer.add_table(rows=1, cols=2, width=Mm(174))
    _no_borders(table)
    _caption(table, "Sidefod")
    title, number = table.rows[0].cells
    _text(title, "{{ document_title }}", style="Footer")
    paragraph = _text(number, "Side ", style="Footer")
    paragraph.alignment = 2  # right
    _field(paragraph, "PAGE")
    paragraph.add_run(" af ")
    _field(paragraph, "NUMPAGES")
    _widths(table, (140, 34))
    # A footer ends with a paragraph, as a cell does: the footer's own first one, moved
    # below the table, empty and small.
    first = footer.paragraphs[0]
    first.paragraph_format.space_after = Pt(0)
    first.paragraph_format.line_spacing = Pt(1)
    footer._element.remove(first._p)
    footer._element.append(first._p)


def _keep_with_next(row) -> None:
    """Every paragraph of the row kept with the next: Word keeps the row with the next."""
    for paragraph in row._tr.iter(qn("w:p")):
        Paragraph(paragraph, None).paragraph_format.keep_with_next = True


def _contents(document) -> None:
    """The table of contents, when the report holds more than one theme: a heading and a
    TOC field of the headings (levels 1-2: the title and the themes, as links), which Word
    fills in when the document is opened (the writer sets `updateFields`, reportgen's
    docx.py); until then the field shows the placeholder. The heading's style, TOC
    Heading, is one the field itself leaves out."""
    document.add_paragraph("{%p if contents %}")
    # TOC Heading as it is (Heading 1's look, outside the outline), sized as a theme's
    # heading here: a report of one theme keeps the styles, and its bytes, it had.
    heading = document.add_paragraph(style="TOC Heading")
    heading.paragraph_format.space_before = Pt(14)
    heading.add_run("{{ wording.contents_heading }}").font.size = Pt(13)
    paragraph = document.add_paragraph()

    def run(tag: str, text: str | None = None, **attrs: str) -> None:
        r = OxmlElement("w:r")
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text is not None:
            element.text = text
            element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(element)
        paragraph._p.append(r)

    run("w:fldChar", **{"w:fldCharType": "begin", "w:dirty": "true"})
    run("w:instrText", ' TOC \\o "1-2" \\h \\z \\u ')
    run("w:fldChar", **{"w:fldCharType": "separate"})
    run("w:t", "{{ wording.contents_placeholder }}")
    run("w:fldChar", **{"w:fldCharType": "end"})
    document.add_paragraph("{%p endif %}")


def _gap_list(document) -> None:
    """A draft's last section: the goals not reported and yellow/red goals without comment."""
    lines = [
        ("{%p if draft and (gaps.not_reported or gaps.missing_comment) %}", None),
        ("{{ wording.gaps_heading }}", "Heading 2"),
        ('{%p for key, heading in (("not_reported", wording.gaps_not_reported), '
         '("missing_comment", wording.gaps_missing_comment)) %}', None),
        ("{%p if gaps[key] %}", None),
        ("{{ heading }} ({{ gaps[key]|length }})", "Heading 3"),
        ("{%p for gap in gaps[key] %}", None),
        ("{{ gap.goal.centre }}: {{ gap.goal.text }} ({{ gap.theme }} › {{ gap.focus_area }}; "
         "{{ gap.place }})", "List Bullet"),
        ("{%p endfor %}", None), ("{%p endif %}", None), ("{%p endfor %}", None),
        ("{%p endif %}", None),
    ]
    for text, style in lines:
        document.add_paragraph(text, style=style)


OVERVIEW_COLUMNS_MM = (50, 13, 13, 13, 23, 13, 13, 13, 23)  # theme, then 4 per column
# The smileys' colours over their columns (as the template is made from look.toml); not
# reported dashed.
STATUS_RULES = (*((LOOK.word(LOOK.fill(status)), "single")
                  for status in ("green", "yellow", "red")),
                (LOOK.word(LOOK.muted), "dashed"))


def _overview(document) -> None:
    """The overview before the themes (`overview` is none with --no-overview): a table of
    the goals per status, per theme and in all, its note, and the chart as a picture."""
    document.add_paragraph("{%p if overview %}")
    # A heading of its own style, at Heading 2's level (Word's navigation pane shows it),
    # so that "Heading 2" remains the themes'.
    heading = document.styles.add_style("Overview Heading", WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style, heading.next_paragraph_style = document.styles["Heading 2"], None
    _set(heading.element.get_or_add_pPr(), "w:outlineLvl", **{"w:val": "1"})
    document.add_paragraph("{{ wording.overview_heading }}", style=heading)
    caption = document.add_paragraph("{{ wording.overview_caption }}", style="Caption")
    caption.paragraph_format.keep_with_next = True
    caption.runs[0].bold = False
    caption.runs[0].style = "Etiket"
    table = document.add_table(rows=9, cols=9, style="Table Grid")
    _caption(table, "{{ wording.overview_caption }}")
    head, labels, loop, row, end, total, if_previous, previous, end_previous = table.rows
    theme = head.cells[0].merge(labels.cells[0])
    _text(theme, "{{ wording.overview_theme }}", style="Signaturforklaring, hoved")
    for first, column in ((1, "result"), (5, "timeline")):
        group = head.cells[first].merge(head.cells[first + 3])
        _text(group, f"{{{{ wording.column_{column} }}}}",
              style="Signaturforklaring, hoved").alignment = 1
        for offset, status in enumerate(("green", "yellow", "red", "not_reported")):
            cell = labels.cells[first + offset]
            _text(cell, f"{{{{ wording.overview_{status} }}}}", style="Signaturforklaring, hoved")
            colour, line = STATUS_RULES[offset]
            borders = _set(cell._tc.get_or_add_tcPr(), "w:tcBorders")
            _set(borders, "w:top", **{"w:val": line, "w:sz": "18", "w:color": colour})
    for cell in (theme, *head.cells[1:], *labels.cells[1:]):
        _shade(cell, LOOK.word(LOOK.legend_head))
    for header in (head, labels):
        _row_flag(header, "w:tblHeader")
        _row_flag(header, "w:cantSplit")
    _text(loop.cells[0], "{%tr for theme in overview.themes %}")
    _text(end.cells[0], "{%tr endfor %}")
    _text(if_previous.cells[0], "{%tr if overview.previous_total %}")
    _text(end_previous.cells[0], "{%tr endif %}")
    for cells, name, tally, bold in ((row.cells, "{{ theme.name }}", "theme", False),
                                     (total.cells, "{{ wording.overview_total }}",
                                      "overview.total", True),
                                     (previous.cells, "{{ wording.overview_previous_total }} "
                                      "{{ comparison.label }}", "overview.previous_total",
                                      False)):
        _text(cells[0], name, bold=bold)
        numbers = [f"{{{{ {tally}.{column}.{status} }}}}" for column in ("result", "timeline")
                   for status in ("green", "yellow", "red", "not_reported")]
        for cell, number in zip(cells[1:], numbers, strict=True):
            _text(cell, number, bold=bold).alignment = 2  # right
    for cell in previous.cells:
        cell.paragraphs[0].runs[0].style = "Etiket"
    for flagged in (row, total, previous):
        _row_flag(flagged, "w:cantSplit")
    _widths(table, OVERVIEW_COLUMNS_MM)
    document.add_paragraph("{{ wording.overview_note }}").runs[0].font.size = Pt(8)
    document.add_paragraph("{{ image(overview.chart, overview.alt, width_mm=150) }}")
    document.add_paragraph("{%p endif %}")


def _goal_table(document) -> None:
    rows = [
        "theme", "columns", "for area", "area", "if effect", "effect", "endif effect",
        "for goal", "goal", "endfor goal", "endfor area",
    ]
    table = document.add_table(rows=len(rows), cols=5, style="Table Grid")
    _caption(table, "{{ theme.name }}: mål og status")
    r = {name: table.rows[i] for i, name in enumerate(rows)}

    theme = r["theme"].cells[0].merge(r["theme"].cells[4])
    _text(theme, "{{ theme.name }}", style="Temarække")
    _shade(theme, LOOK.word(LOOK.theme_row))
    # Both header rows repeat on every page the table runs onto (Word repeats the
    # table's first rows, those that carry tblHeader).
    for name in ("theme", "columns"):
        _row_flag(r[name], "w:tblHeader")

    for name, tag in (("for area", "{%tr for area in theme.focus_areas %}"),
                      ("if effect", "{%tr if area.effect_goals %}"),
                      ("endif effect", "{%tr endif %}"),
                      ("for goal", "{%tr for goal in area.goals %}"),
                      ("endfor goal", "{%tr endfor %}"),
                      ("endfor area", "{%tr endfor %}")):
        _text(r[name].cells[0], tag)

    cells = r["area"].cells
    area = cells[0].merge(cells[1])
    _text(area, "{{ wording.area_label }} {{ area.name }}", style="Indsatsområderække")
    status = cells[2].merge(cells[3])
    _text(status, "{{ wording.status_label }}", style="Indsatsområderække")
    for cell in (area, status):
        _shade(cell, LOOK.word(LOOK.area_row))
    _row_flag(r["area"], "w:cantSplit")

    for cell, label in zip(r["columns"].cells[1:], ("measure", "result", "timeline", "centre"),
                           strict=True):
        _text(cell, f"{{{{ wording.column_{label} }}}}", bold=True)
    _row_flag(r["columns"], "w:cantSplit")

    cells = r["effect"].cells
    _text(cells[0], "{{ wording.goal_label }}", bold=True)
    effect = cells[1].merge(cells[4])
    _text(effect, "{{ wording.effect_label }}")
    effect.add_paragraph("{%p for effect_goal in area.effect_goals %}")
    effect.add_paragraph("{{ effect_goal }}", style="List Bullet")
    effect.add_paragraph("{%p endfor %}")
    _row_flag(r["effect"], "w:cantSplit")
    # A focus area's heading rows stay on the page of its first goal.
    _keep_with_next(r["area"])
    _keep_with_next(r["effect"])

    cells = r["goal"].cells
    _text(cells[0], "{{ goal.text }}")
    # A goal the earlier follow-up did not hold (--previous): `ny`, bold, after its text.
    cells[0].paragraphs[0].add_run('{{ " " if is_new(goal) else "" }}')
    cells[0].paragraphs[0].add_run('{{ wording.new_goal if is_new(goal) else "" }}').bold = True
    # One run per look; each run's text is empty when it does not apply.
    measure = cells[1].paragraphs[0]
    measure.add_run('{{ goal.measure or "" }}{{ "\\n" if goal.measure and goal.comment else "" }}')
    label = measure.add_run('{{ (wording.comment_label ~ " ") if goal.comment else "" }}')
    label.bold = label.italic = True
    measure.add_run('{{ goal.comment or "" }}').italic = True
    measure.add_run('{{ wording.missing_comment if goal.lacks_comment else "" }}',
                    style="Mangel")
    # A status's smiley each, " / " between two (no-break spaces: one line), or the words
    # for none, red, and the change since the earlier follow-up's mark (as the HTML's
    # `smileys` macro).
    for cell, column in ((cells[2], "result"), (cells[3], "timeline")):
        paragraph = _text(cell, (
            f'{{% for status in goal.{column} %}}{{% if not loop.first %}}\u00a0/\u00a0'
            f'{{% endif %}}{{{{ image("smiley:" ~ status.value, '
            f'wording.alt(status, "{column}"), width_mm=6) }}}}{{% endfor %}}'))
        paragraph.add_run(f'{{{{ wording.not_reported if not goal.{column} else "" }}}}',
                          style="Mangel")
        paragraph.add_run(
            f'{{% set mark = change_mark(goal, "{column}") %}}{{% if mark %}}\u00a0'
            '{{ image(mark.key, mark.alt, width_mm=3) }}{% endif %}')
        paragraph.alignment = 1  # centred
    _text(cells[4], "{{ goal.centre }}")
    _row_flag(r["goal"], "w:cantSplit")

    _widths(table, GOAL_COLUMNS_MM)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/report.docx"))
