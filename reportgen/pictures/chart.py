"""The overview's chart (`chart:…`, see pictures/): per theme and in all, a stacked bar
for the result and one for the timeline, each as wide as the goals it counts.

The picture's name holds all it shows: the labels (from the wording and the themes'
names) and the numbers, as JSON in URL-safe base64, so one name draws one chart in both
documents, and nothing else is fetched. The statuses stand in one order (green, yellow,
red, not reported), in the smileys' colours, and differ by more than colour: green is
plain, yellow hatched one way, red cross-hatched, not reported white with a dashed edge;
a legend names them, and each part of a bar wide enough for it carries its number, so
the chart reads in a grey print and for a colour-blind reader. Every text is escaped.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from functools import cache
from xml.sax.saxutils import escape, quoteattr

from ..model import Status

# The statuses of a bar, in order: green, yellow, red, then not reported.
NOT_REPORTED = ("#FFFFFF", "#595959")
STATUSES = len(Status) + 1  # green, yellow, red, not reported
TEXT = "#1A1A1A"
FONT = "Report Sans, DejaVu Sans, sans-serif"
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")

WIDTH = 640
LABEL_WIDTH = 180          # a row's label, in up to two lines
COLUMN_X = 188             # "Resultater" / "Tidsplan"
BAR_X, BAR_END = 268, WIDTH - 8
BAR_HEIGHT, BAR_GAP, ROW_GAP = 17, 4, 12
LEGEND_HEIGHT = 32
FONT_SIZE, SMALL = 12.5, 11.5
CHAR_WIDTH = 0.62          # of the font size: a wide estimate for DejaVu Sans
HATCH = 5                  # distance between hatch lines


def name(columns: Sequence[str], statuses: Sequence[str],
         rows: Sequence[tuple[str, Sequence[int], Sequence[int]]],
         colours: Sequence[tuple[str, str]]) -> str:
    """The picture's name: the two columns' labels, the four statuses' labels, per row
    (the last is the total, drawn bold) its label and its two columns' numbers, and the
    fill and outline of green, yellow and red (the look's smileys')."""
    data = {"columns": list(columns), "statuses": list(statuses),
            "colours": [list(pair) for pair in colours],
            "rows": [[label, list(result), list(timeline)] for label, result, timeline in rows]}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _read(name: str) -> dict:
    """The name's contents, checked; ValueError for a name this module did not make."""
    try:
        padded = name + "=" * (-len(name) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (UnicodeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValueError(name) from exc

    def texts(value, count):
        return isinstance(value, list) and len(value) == count and all(
            isinstance(item, str) for item in value)

    def numbers(value):
        return isinstance(value, list) and len(value) == STATUSES and all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value)

    def colours(value):
        return isinstance(value, list) and len(value) == STATUSES - 1 and all(
            isinstance(pair, list) and len(pair) == 2
            and all(isinstance(c, str) and COLOUR.fullmatch(c) for c in pair) for pair in value)

    if not (isinstance(data, dict) and texts(data.get("columns"), 2)
            and colours(data.get("colours"))
            and texts(data.get("statuses"), STATUSES) and isinstance(data.get("rows"), list)
            and data["rows"] and all(
                isinstance(row, list) and len(row) == 3 and isinstance(row[0], str)
                and numbers(row[1]) and numbers(row[2]) for row in data["rows"])):
        raise ValueError(name)
    return data


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _hatch(x0: float, y0: float, x1: float, y1: float, rising: bool) -> list[tuple]:
    """Diagonal lines across the box, on one grid for every box."""
    lines = []
    if rising:  # x + y = c
        c = (int((x0 + y0) // HATCH) + 1) * HATCH
        while c < x1 + y1:
            lo, hi = max(x0, c - y1), min(x1, c - y0)
            if hi - lo > 0.1:
                lines.append((lo, c - lo, hi, c - hi))
            c += HATCH
    else:  # x - y = c
        c = (int((x0 - y1) // HATCH) + 1) * HATCH
        while c < x1 - y0:
            lo, hi = max(x0, c + y0), min(x1, c + y1)
            if hi - lo > 0.1:
                lines.append((lo, lo - c, hi, hi - c))
            c += HATCH
    return lines


def _box(fills: Sequence[Sequence[str]], index: int, x: float, y: float, width: float,
         height: float) -> list[str]:
    """One status's part of a bar (or of the legend), filled and patterned."""
    fill, line = fills[index]
    parts = [f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
             f'fill="{fill}"/>']
    directions = {1: (True,), 2: (True, False)}.get(index, ())
    strokes = [line for rising in directions
               for line in _hatch(x, y, x + width, y + height, rising)]
    if strokes:
        path = "".join(f"M{_n(a)} {_n(b)}L{_n(c)} {_n(d)}" for a, b, c, d in strokes)
        parts.append(f'<path d="{path}" stroke="{line}" stroke-width="1" fill="none"/>')
    dash = ' stroke-dasharray="3 2"' if index == 3 else ""
    parts.append(f'<rect x="{_n(x + 0.5)}" y="{_n(y + 0.5)}" width="{_n(max(width - 1, 0))}" '
                 f'height="{_n(height - 1)}" fill="none" stroke="{line}" stroke-width="1"{dash}/>')
    return parts


def _text(x: float, y: float, text: str, size: float = FONT_SIZE, bold: bool = False,
          anchor: str = "start") -> str:
    weight = ' font-weight="bold"' if bold else ""
    end = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}"{weight}{end} '
            f'fill="{TEXT}">{escape(text)}</text>')


def _fits(text: str, size: float, width: float) -> bool:
    return len(text) * size * CHAR_WIDTH <= width


def _lines(text: str, size: float, width: float, most: int = 2) -> list[str]:
    """The label in at most `most` lines of `width`, the last cut with an ellipsis."""
    words = text.split()
    lines: list[str] = []
    while words and len(lines) < most:
        line = words.pop(0)
        while words and _fits(f"{line} {words[0]}", size, width):
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words or (lines and not _fits(lines[-1], size, width)):
        last = lines[-1] if lines else ""
        while last and not _fits(last + "…", size, width):
            last = last[:-1]
        lines[-1:] = [last.rstrip() + "…"]
    return lines


def _bar(fills: Sequence[Sequence[str]], y: float, numbers: Sequence[int]) -> list[str]:
    parts = []
    total, x, width = sum(numbers), float(BAR_X), BAR_END - BAR_X
    if not total:
        return _box(fills, 3, x, y, width, BAR_HEIGHT)
    for index, number in enumerate(numbers):
        if not number:
            continue
        part = width * number / total
        parts += _box(fills, index, x, y, part, BAR_HEIGHT)
        label = str(number)
        label_width = len(label) * SMALL * CHAR_WIDTH + 4
        if part >= label_width + 2:
            middle = x + part / 2
            parts.append(f'<rect x="{_n(middle - label_width / 2)}" y="{_n(y + 2)}" '
                         f'width="{_n(label_width)}" height="{_n(BAR_HEIGHT - 4)}" '
                         'fill="#FFFFFF" rx="2"/>')
            parts.append(_text(middle, y + BAR_HEIGHT - 4, label, SMALL, anchor="middle"))
        x += part
    return parts


@cache
def draw(name: str) -> str:
    """The chart its name describes (see `name`); ValueError for another name."""
    data = _read(name)
    rows, fills = data["rows"], [*data["colours"], NOT_REPORTED]
    row_height = 2 * BAR_HEIGHT + BAR_GAP
    parts = []
    x = 0.0
    for index, label in enumerate(data["statuses"]):  # the legend
        parts += _box(fills, index, x, 4, 24, 16)
        parts.append(_text(x + 30, 16.5, label, SMALL))
        x += 28 + len(label) * SMALL * CHAR_WIDTH + 18
    y = float(LEGEND_HEIGHT)
    for number, (label, result, timeline) in enumerate(rows):
        total = number == len(rows) - 1
        lines = _lines(label, FONT_SIZE, LABEL_WIDTH)
        top = y + row_height / 2 - (len(lines) - 1) * FONT_SIZE * 0.6 + FONT_SIZE * 0.35
        for line_number, line in enumerate(lines):
            parts.append(_text(2, top + line_number * FONT_SIZE * 1.2, line, bold=total))
        for offset, (column, numbers) in enumerate(zip(data["columns"], (result, timeline),
                                                       strict=True)):
            bar_y = y + offset * (BAR_HEIGHT + BAR_GAP)
            parts.append(_text(COLUMN_X, bar_y + BAR_HEIGHT - 4, column, SMALL))
            parts += _bar(fills, bar_y, numbers)
        y += row_height + ROW_GAP
    height = y - ROW_GAP + 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_n(height)}" '
            f'width="{WIDTH}" height="{_n(height)}" font-family={quoteattr(FONT)}>'
            + "".join(parts) + "</svg>")
