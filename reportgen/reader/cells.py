"""Cell values as a person sees them: text as shown by the number format, fill colours.

Part of the workbook reader (only the reader uses it). Theme and indexed colours are
resolved through the workbook's own theme and openpyxl's colour index, never guessed
from the raw value. Whatever a file holds, a value is shown and a colour is found or
not: nothing here raises for a cell's content.
"""

from __future__ import annotations

import colorsys
import datetime as dt
import decimal
import math
import re
from typing import Any
from xml.etree.ElementTree import ParseError

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent, format_scientific
from defusedxml import DefusedXmlException, ElementTree
from openpyxl.styles.colors import COLOR_INDEX

from ..model import Status
from .rows import normalise_lines

LOCALE = "da_DK"
_DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Excel numbers theme colours lt1, dk1, lt2, dk2, accent1..6, hlink, folHlink; the theme
# part lists them dk1, lt1, dk2, lt2, ...
_THEME_ORDER = (1, 0, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11)
_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|[^ymd]+", re.IGNORECASE)
# Excel keeps 15 significant digits; from 10^15 its General format shows 1E+15.
_GENERAL_LIMIT = 1e15
# Decimal digits Babel may need: a double's 309 integer digits and Excel's 30 decimals
# (the default context's 28 digits make it raise for 10^18 shown with decimals).
_PRECISION = 400
_MAX_PATTERN = 64  # a longer number format is shown as General
_HEX6 = re.compile(r"[0-9A-Fa-f]{6}")
_DATE_PATTERN = {"yyyy": "yyyy", "yy": "yy", "mmmm": "MMMM", "mmm": "MMM", "mm": "MM",
                 "m": "M", "dddd": "EEEE", "ddd": "EEE", "dd": "dd", "d": "d"}
# A number format of digit placeholders and literal text (`000000-0000`, `000000\-0000`,
# `"Sag "0000`): a CPR number typed as a number is shown so, 010190-1234, and must be
# printed, and checked, as it is shown. Its parts: a placeholder, an escaped character, a
# quoted text, a hyphen or a space.
_LITERAL_PARTS = re.compile(r'[0#]|\\.|"[^"]*"|[- ]')
# What pads a number: a format's zeros before any decimal point, quoted and escaped text
# and [colours] left out.
_NOT_PLACEHOLDERS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|[_*].')


def cell_text(value: Any, number_format: str = "General") -> str | None:
    """A cell's value as the reader keeps it: as shown, normalised; None when empty."""
    text = shown_text(value, number_format)
    return (normalise_lines(text) or None) if text is not None else None


def id_text(value: Any, number_format: str = "General") -> str | None:
    """An Id as the cell shows it, with a point between its parts whatever the locale: a
    number shown with two decimals, 1.10, stays 1.10."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return cell_text(value, number_format)
    placed = _placeholders(value, number_format.split(";")[0].strip())
    if placed is not None:
        return placed
    decimals = re.fullmatch(r"0\.(0+)", number_format.split(";")[0].strip())
    if decimals:
        return f"{value:.{len(decimals[1])}f}"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def shown_text(value: Any, number_format: str = "General") -> str | None:
    """The value as Excel (in Danish) shows it; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "SAND" if value else "FALSK"
    if isinstance(value, (dt.date, dt.datetime)):
        return _shown_date(value, number_format)
    if isinstance(value, (int, float)):
        return _shown_number(value, number_format)
    return str(value)


def _shown_date(value: dt.date, number_format: str) -> str:
    date = value.date() if isinstance(value, dt.datetime) else value
    fmt = number_format.split(";")[0]
    fmt = re.sub(r"\[[^\]]*\]|\\|\"", "", fmt)
    fmt = re.sub(r"\s*[hH].*$", "", fmt).strip(" .-/")  # the time of day is not shown
    if fmt and fmt.lower() != "general" and re.search(r"[dmy]", fmt, re.IGNORECASE):
        pattern = "".join(
            _DATE_PATTERN.get(token.lower(), f"'{token}'" if token.strip() else token)
            for token in _DATE_TOKENS.findall(fmt))
        try:
            return format_date(date, pattern, locale=LOCALE)
        except (ValueError, KeyError):
            pass
    return format_date(date, "d. MMMM y", locale=LOCALE)


def _shown_number(value: float, number_format: str) -> str:
    fmt = number_format.split(";")[0].strip()
    placed = _placeholders(value, fmt)
    if placed is not None:
        return placed
    with decimal.localcontext() as context:
        context.prec = _PRECISION
        try:
            if len(fmt) <= _MAX_PATTERN and math.isfinite(value):
                if fmt.endswith("%"):
                    return format_percent(value, fmt, locale=LOCALE)
                if fmt and fmt not in ("General", "@") and re.fullmatch(r"[#0,.]+", fmt):
                    return format_decimal(value, fmt, locale=LOCALE)
        except (ValueError, KeyError, ArithmeticError):
            pass
        if math.isfinite(value) and abs(value) >= _GENERAL_LIMIT:
            return format_scientific(value, "0.#####E+00", locale=LOCALE)  # 1,5E+18
        return format_decimal(value, "0.##########", locale=LOCALE)  # General: no grouping


def _placeholders(value: float, fmt: str) -> str | None:
    """The number as a format of digit placeholders and literal text shows it, as Excel
    does: rounded to a whole number, its digits filled into the placeholders from the
    right, a `0` with no digit left showing 0 and a `#` nothing, the first placeholder
    taking every digit left over, the literal text as written. None for any other format
    (one of placeholders alone is Babel's, see _shown_number) and past Excel's 15 digits."""
    parts = _LITERAL_PARTS.findall(fmt)
    places = sum(1 for part in parts if part in ("0", "#"))
    if "".join(parts) != fmt or not places or places == len(parts) \
            or not math.isfinite(value) or abs(value) >= _GENERAL_LIMIT:
        return None
    number = int(decimal.Decimal(value).to_integral_value(decimal.ROUND_HALF_UP))
    left = str(abs(number)).lstrip("0")  # 0 has no digits: a `#` shows nothing for it
    shown: list[str] = []
    for part in reversed(parts):
        if part in ("0", "#"):
            places -= 1
            digits, left = (left, "") if not places else (left[-1:], left[:-1])
            shown.append(digits or ("0" if part == "0" else ""))
        else:
            shown.append(part[1:-1] if part.startswith('"') else part[-1])
    return ("-" if number < 0 else "") + "".join(reversed(shown))


def pads_to_ten(value: Any, number_format: str) -> bool:
    """A whole number of nine digits whose number format shows at least ten, with a zero
    before it: how a CPR number typed as a number looks, whether or not the format is one
    `shown_text` follows (`0000000000_)` is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not 10**8 <= value < 10**9 or not float(value).is_integer():
        return False
    fmt = _NOT_PLACEHOLDERS.sub("", number_format.split(";")[0])
    return fmt.split(".")[0].count("0") >= 10


def whole_number(value: Any) -> bool:
    """A number with no decimals, as a cell of a file read for its values only holds it:
    its number format, which might show a leading zero, is not known."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) \
        and math.isfinite(value) and float(value).is_integer()


def _hex6(value: Any) -> str | None:
    """RRGGBB in capitals, or None for anything that is not six hex digits."""
    return value.upper() if isinstance(value, str) and _HEX6.fullmatch(value) else None


def theme_colours(theme_xml: bytes | None) -> list[str | None]:
    """The workbook theme's colours as RRGGBB, in Excel's theme index order; None for a
    slot whose colour is not six hex digits. A theme part that is not well-formed, or
    declares entities, gives no colours: openpyxl keeps the part unread, so the workbook
    loads, and its theme-coloured cells count as not coloured."""
    if not theme_xml:
        return []
    try:
        root = ElementTree.fromstring(theme_xml)
    except (ParseError, DefusedXmlException, ValueError):
        return []
    scheme = root.find(f".//{_DRAWINGML}clrScheme")
    if scheme is None:
        return []
    listed: list[str | None] = []
    for slot in scheme:
        colour = slot.find(f"{_DRAWINGML}srgbClr")
        system = slot.find(f"{_DRAWINGML}sysClr")
        if colour is not None:
            listed.append(_hex6(colour.get("val")))
        elif system is not None:
            listed.append(_hex6(system.get("lastClr")))
        else:
            listed.append(None)
    return [listed[i] for i in _THEME_ORDER if i < len(listed)]


def fill_rgb(cell, theme: list[str | None]) -> str | None:
    """A solid fill's colour as RRGGBB, whatever way the file states it; else None."""
    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid":
        return None
    colour = fill.fgColor
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        return _hex6(colour.rgb[-6:])
    if colour.type == "indexed" and isinstance(colour.indexed, int):
        if 0 <= colour.indexed < len(COLOR_INDEX):
            return _hex6(COLOR_INDEX[colour.indexed][-6:])
        return None
    if colour.type == "theme" and isinstance(colour.theme, int) \
            and 0 <= colour.theme < len(theme) and (base := theme[colour.theme]) is not None:
        tint = colour.tint if isinstance(colour.tint, (int, float)) else 0.0
        return _tinted(base, tint)
    return None


def _tinted(rgb: str, tint: float) -> str | None:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) in HLS luminance."""
    if _hex6(rgb) is None or not math.isfinite(tint):
        return None
    tint = max(-1.0, min(1.0, tint))
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(h, lum, s))


def colour_status(rgb: str) -> Status | None | bool:
    """Status of a clearly green, yellow or red colour; False for a colour that is
    clearly a colour but none of those; None for white, grey or black, and for anything
    that is not RRGGBB."""
    if _hex6(rgb) is None:
        return None
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    if saturation < 0.3 or not 0.15 <= lightness <= 0.93:
        return None
    degrees = hue * 360
    if degrees < 15 or degrees >= 340:
        return Status.RED
    if 42 <= degrees < 68:
        return Status.YELLOW
    if 72 <= degrees < 170:  # the Office 2007 theme's green accent sits at 80°
        return Status.GREEN
    return False
