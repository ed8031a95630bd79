"""The report's date as it is printed: a date in figures in Danish words, through Babel.

`--date 2019-01-15`, and a `Dato` cell that a spreadsheet shows in figures (a date cell
formatted `15-01-2019` or `2019-01-15`), are printed `15. januar 2019`; a date in words
(`August 2018`, `3. august 2018`) stays as written.
"""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date

LOCALE = "da_DK"
PATTERN = "d. MMMM y"
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DANISH = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")  # day first, as Danes write it


def figures_date(text: str) -> dt.date | None:
    """The date a text writes in figures (`2019-01-15`, `15-01-2019`, `15.1.2019`), or
    None for a text that is not one; ValueError for figures that are no date (`2019-02-30`)."""
    text = text.strip()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DANISH.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        return None
    return dt.date(year, month, day)


def date_text(text: str) -> str:
    """The date as the report prints it: figures in Danish words, any other text as it is."""
    try:
        date = figures_date(text)
    except ValueError:
        return text
    return text if date is None else format_date(date, PATTERN, locale=LOCALE)
