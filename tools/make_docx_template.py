"""Write templates/report.docx: the Word template the DOCX is rendered from (docxtpl).

The checked-in report.docx is the template to edit (in Word: styles, logo, widths,
wording). This script is how it was first made, and remakes it from scratch:

    .venv/bin/python tools/make_docx_template.py templates/report.docx

Jinja2 tags in the document: `{{ ... }}` inside a run, `{%p ... %}` alone in a paragraph,
`{%tr ... %}` alone in a table row (docxtpl's syntax). A picture is placed inside a run with
`{{ image(key, alt, width_mm=…) }}` (reportgen/images.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FONT = "Arial"
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
    styles = document.styles
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
    mark = document.add_paragraph().add_run("{{ wording.draft_mark }}")
    mark.bold, mark.font.size, mark.font.color.rgb = True, Pt(11), RGBColor(0x8B, 0x1A, 0x1A)
    document.add_paragraph("{%p endif %}")

    header = document.add_table(rows=4, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.RIGHT
    _no_borders(header)
    _caption(header, "Sagsoplysninger")
    for row, (label, value) in zip(header.rows, (
            ("Sagsnr.", "meta.case_number"), ("Sagsbehandler", "meta.case_handler"),
            ("Dato", "meta.date"), ("Revideret", "meta.revised")), strict=True):
        _text(row.cells[0], label)
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
    _text(top, "{{ follow_up }}", bold=True)
    _shade(top, "E6E6E6")
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
    _gap_list(document)

    footer = section.footer.paragraphs[0]
    footer.paragraph_format.tab_stops.add_tab_stop(Mm(174), WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run("{{ document_title }}\tSide ")
    _field(footer, "PAGE")
    footer.add_run(" af ")
    _field(footer, "NUMPAGES")
    footer.style.font.size = Pt(7.5)

    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)


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


def _goal_table(document) -> None:
    rows = [
        "theme", "for area", "area", "columns", "if effect", "effect", "endif effect",
        "for goal", "goal", "endfor goal", "endfor area",
    ]
    table = document.add_table(rows=len(rows), cols=5, style="Table Grid")
    _caption(table, "{{ theme.name }}: mål og status")
    r = {name: table.rows[i] for i, name in enumerate(rows)}

    theme = r["theme"].cells[0].merge(r["theme"].cells[4])
    _text(theme, "{{ theme.name }}", bold=True)
    _shade(theme, "D9D9D9")
    _row_flag(r["theme"], "w:tblHeader")

    for name, tag in (("for area", "{%tr for area in theme.focus_areas %}"),
                      ("if effect", "{%tr if area.effect_goals %}"),
                      ("endif effect", "{%tr endif %}"),
                      ("for goal", "{%tr for goal in area.goals %}"),
                      ("endfor goal", "{%tr endfor %}"),
                      ("endfor area", "{%tr endfor %}")):
        _text(r[name].cells[0], tag)

    cells = r["area"].cells
    area = cells[0].merge(cells[1])
    _text(area, "Indsatsområde: {{ area.name }}", bold=True)
    status = cells[2].merge(cells[3])
    _text(status, "Status", bold=True)
    for cell in (area, status):
        _shade(cell, "EEEEEE")
    _row_flag(r["area"], "w:cantSplit")

    for cell, label in zip(r["columns"].cells[1:], ("Måles hvordan/opnås gennem", "Resultater",
                                                     "Tidsplan", "Center/Centerchef"),
                           strict=True):
        _text(cell, label, bold=True)
    _row_flag(r["columns"], "w:cantSplit")

    cells = r["effect"].cells
    _text(cells[0], "Resultatmål:", bold=True)
    effect = cells[1].merge(cells[4])
    _text(effect, "Effektmål:")
    effect.add_paragraph("{%p for effect_goal in area.effect_goals %}")
    effect.add_paragraph("{{ effect_goal }}", style="List Bullet")
    effect.add_paragraph("{%p endfor %}")
    _row_flag(r["effect"], "w:cantSplit")

    cells = r["goal"].cells
    _text(cells[0], "{{ goal.text }}")
    # One run per look; each run's text is empty when it does not apply.
    measure = cells[1].paragraphs[0]
    measure.add_run('{{ goal.measure or "" }}{{ "\\n" if goal.measure and goal.comment else "" }}')
    label = measure.add_run('{{ (wording.comment_label ~ " ") if goal.comment else "" }}')
    label.bold = label.italic = True
    measure.add_run('{{ goal.comment or "" }}').italic = True
    gap = measure.add_run('{{ wording.missing_comment if goal.lacks_comment else "" }}')
    gap.bold, gap.font.color.rgb = True, RGBColor(0x8B, 0x1A, 0x1A)
    # A status's smiley each, " / " between two, or the words for none (as the HTML's
    # `smileys` macro).
    for cell, column in ((cells[2], "result"), (cells[3], "timeline")):
        paragraph = _text(cell, (
            f'{{% for status in goal.{column} %}}{{% if not loop.first %}} / {{% endif %}}'
            f'{{{{ image("smiley:" ~ status.value, wording.alt(status, "{column}"), '
            'width_mm=6) }}{% else %}{{ wording.not_reported }}{% endfor %}'))
        paragraph.alignment = 1  # centred
    _text(cells[4], "{{ goal.centre }}")
    _row_flag(r["goal"], "w:cantSplit")

    _widths(table, GOAL_COLUMNS_MM)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/report.docx"))
