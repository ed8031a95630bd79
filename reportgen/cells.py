"""Cell values as a person sees them: text as shown by the number format, fill colours.

Part of the workbook reader (only the reader uses it). Theme and indexed colours are
resolved through the workbook's own theme and openpyxl's colour index, never guessed
from the raw value.
"""

from __future__ import annotations

import colorsys
import datetime as dt
import re
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from defusedxml import ElementTree
from openpyxl.styles.colors import COLOR_INDEX

from .model import Status

LOCALE = "da_DK"
_DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Excel numbers theme colours lt1, dk1, lt2, dk2, accent1..6, hlink, folHlink; the theme
# part lists them dk1, lt1, dk2, lt2, ...
_THEME_ORDER = (1, 0, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11)
_DATE_TOKENS = re.compile(r"yyyy|yy|mmmm|mmm|mm|m|dddd|ddd|dd|d|[^ymd]+", re.IGNORECASE)
_DATE_PATTERN = {"yyyy": "yyyy", "yy": "yy", "mmmm": "MMMM", "mmm": "MMM", "mm": "MM",
                 "m": "M", "dddd": "EEEE", "ddd": "EEE", "dd": "dd", "d": "d"}


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
    try:
        if fmt.endswith("%"):
            return format_percent(value, fmt, locale=LOCALE)
        if fmt and fmt not in ("General", "@") and re.fullmatch(r"[#0,.]+", fmt):
            return format_decimal(value, fmt, locale=LOCALE)
    except (ValueError, KeyError):
        pass
    return format_decimal(value, "0.##########", locale=LOCALE)  # General: no grouping


def theme_colours(theme_xml: bytes | None) -> list[str]:
    """The workbook theme's colours as RRGGBB, in Excel's theme index order."""
    if not theme_xml:
        return []
    root = ElementTree.fromstring(theme_xml)
    scheme = root.find(f".//{_DRAWINGML}clrScheme")
    if scheme is None:
        return []
    listed = []
    for slot in scheme:
        colour = slot.find(f"{_DRAWINGML}srgbClr")
        system = slot.find(f"{_DRAWINGML}sysClr")
        if colour is not None:
            listed.append(colour.get("val", "000000"))
        elif system is not None:
            listed.append(system.get("lastClr", "000000"))
        else:
            listed.append("000000")
    return [listed[i] for i in _THEME_ORDER if i < len(listed)]


def fill_rgb(cell, theme: list[str]) -> str | None:
    """A solid fill's colour as RRGGBB, whatever way the file states it; else None."""
    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid":
        return None
    colour = fill.fgColor
    if colour.type == "rgb" and isinstance(colour.rgb, str):
        return colour.rgb[-6:].upper()
    if colour.type == "indexed" and isinstance(colour.indexed, int):
        if colour.indexed < len(COLOR_INDEX):
            return COLOR_INDEX[colour.indexed][-6:].upper()
        return None
    if colour.type == "theme" and isinstance(colour.theme, int) and colour.theme < len(theme):
        return _tinted(theme[colour.theme], colour.tint or 0.0)
    return None


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) in HLS luminance."""
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, lum, s = colorsys.rgb_to_hls(r, g, b)
    lum = lum * (1 + tint) if tint < 0 else lum * (1 - tint) + tint
    return "".join(f"{round(c * 255):02X}" for c in colorsys.hls_to_rgb(h, lum, s))


def colour_status(rgb: str) -> Status | None | bool:
    """Status of a clearly green, yellow or red colour; False for a colour that is
    clearly a colour but none of those; None for white, grey or black."""
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
