"""Personal data in a text that goes into the published documents: CPR numbers, e-mail
addresses and Danish phone numbers, found and shown only masked.

A CPR number is ten digits, DDMMYY-SSSS, with nothing, one `/` or `.`, or any run of
what a reader passes over between the two parts: white space (line breaks too: a narrow
column, Alt+Enter), hyphens, dashes and minus signs, and invisible format characters (a
zero-width space pasted from a web page, a soft hyphen); `010190 -` on one line and `1234`
on the next is read as the number. A candidate counts when its date is a real date, not
in the future, in the century the seventh digit gives (the CPR office's table), a
substitute number's day plus 60 included. Modulus 11 is not required: since 1 October
2007 the CPR office issues numbers that fail it. It, and a word such as `cpr` or
`personnummer` just before, only make the finding certain rather than likely. Longer digit
runs (account numbers, EAN numbers), case numbers, amounts, dates and Ids are not
candidates.

Nothing here returns the number found: only where it is in the text and a masked form
(`0101XX-XXXX`, `a…@…dk`, `12 XX XX XX`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

CPR, EMAIL, PHONE = "cpr", "email", "phone"

# Not inside a longer number: no digit, and no digit with a point or comma, either side.
_BEFORE = r"(?<!\d)(?<!\d[.,])"
_AFTER = r"(?!\d)(?![.,]\d)"
# Hyphens, dashes and the minus sign: -, U+2010–U+2015, U+2212.
_DASHES = "\\-\u2010-\u2015\u2212"
# Unicode's format characters (category Cf: zero-width spaces and joiners, the soft hyphen,
# direction marks, ...), invisible in print; listed here, as `re` has no \p{Cf} and to find
# them at import would take a scan of every code point. As of Unicode 15; a test checks
# them against the running Python's.
_FORMAT = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
           "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
           "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
           "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
# Between the two parts: nothing, one `/` or `.`, or any run of white space, dashes and
# format characters.
_GAP = rf"(?:[/.]|[\s{_DASHES}{_FORMAT}]*)"
_CPR = re.compile(_BEFORE + r"(\d{2})(\d{2})(\d{2})" + _GAP + r"(\d{4})" + _AFTER)
_CPR_WORDS = re.compile(r"(cpr|personn(umme)?r|erstatningsn(umme)?r|person-?nr|p-?nr)"
                        r"\W{0,5}(nr|nummer)?\W{0,5}$", re.IGNORECASE)
_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@([\w-]+(?:\.[\w-]+)*\.([a-z]{2,}))(?![\w-])",
                    re.IGNORECASE)
# Eight digits as Danes group them: 12345678, 12 34 56 78, 1234 5678,
# 12-34-56-78; with or without +45 or 0045. Not 1234-5678, which is a span of years.
_PHONE = re.compile(
    _BEFORE + r"(?<![+\w])((?:\+|00)45[ -]?)?(\d{2}(?:\d{6}|(?: \d{2}){3}|(?:-\d{2}){3})"
    r"|\d{4} \d{4})" + _AFTER)
_YEARS = re.compile(r"(19|20)\d\d (19|20)\d\d").fullmatch  # "2018 2022": years, not a phone
# A file name after an @ is no address: no top-level domain is a workbook's suffix (or the
# JSON export's). `--accept RG601@centret.xlsx:Mål!J7`, which a message suggests, stays.
_FILE_SUFFIXES = frozenset(("xlsx", "xlsm", "xls", "ods", "json"))


@dataclass(frozen=True)
class Hit:
    """One piece of personal data in a text: what kind, where, and how it may be shown."""

    kind: str          # CPR, EMAIL or PHONE
    start: int
    end: int
    masked: str
    certain: bool = True  # a CPR number: modulus 11 holds, or a word names it


# What every CPR number and phone number holds: eight digits or more, with separators.
_NUMBERS = re.compile(rf"\d[\d./\s{_DASHES}{_FORMAT}]{{6,}}\d").search


def find(text: str, today: dt.date | None = None) -> list[Hit]:
    """Every CPR number, e-mail address and phone number in the text, in order."""
    if "@" not in text and not _NUMBERS(text):  # most texts: none of them
        return []
    today = today or dt.date.today()
    hits = [hit for match in _CPR.finditer(text) if (hit := _cpr(match, text, today))]
    taken = [(hit.start, hit.end) for hit in hits]
    for match in _EMAIL.finditer(text):
        local, tld = match[1], match[3]
        if tld.lower() in _FILE_SUFFIXES:
            continue
        hits.append(Hit(EMAIL, match.start(), match.end(), f"{local[0]}…@…{tld.lower()}"))
    for match in _PHONE.finditer(text):
        if any(start < match.end() and match.start() < end for start, end in taken) \
                or _YEARS(match[2]):
            continue
        digits = re.sub(r"\D", "", match[2])
        hits.append(Hit(PHONE, match.start(), match.end(), f"{digits[:2]} XX XX XX"))
    return sorted(hits, key=lambda hit: hit.start)


def _cpr(match: re.Match, text: str, today: dt.date) -> Hit | None:
    day, month, year = (int(match[i]) for i in range(1, 4))
    born = _birth_date(day - 60 if day > 60 else day, month, year, int(match[4][0]))
    if born is None or born > today:
        return None
    digits = match[1] + match[2] + match[3] + match[4]
    modulus = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0
    named = bool(_CPR_WORDS.search(text[max(0, match.start() - 20):match.start()]))
    return Hit(CPR, match.start(), match.end(), f"{match[1]}{match[2]}XX-XXXX",
               certain=modulus or named)


def in_number(text: str, today: dt.date | None = None) -> Hit | None:
    """A whole number of nine digits, as a cell shows it, that is a CPR number with a zero
    before it: a CPR number typed as a number loses its first zero (0101901234 is kept as
    101901234). Only for a number whose leading zero may not show (a file read for its
    values, a number format that pads it to ten digits): likely, never certain, as nine
    digits alone say nothing. A mask of ten digits, as for any CPR number."""
    if len(text) != 9 or not text.isdigit():
        return None
    match = _CPR.fullmatch("0" + text)
    hit = _cpr(match, "", today or dt.date.today()) if match else None
    return Hit(CPR, 0, len(text), hit.masked, certain=False) if hit else None


def _birth_date(day: int, month: int, year: int, seventh: int) -> dt.date | None:
    """The date of birth by the CPR office's century table; None if it is no date."""
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if year <= 36 else 1900
    else:
        century = 2000 if year <= 57 else 1800
    try:
        return dt.date(century + year, month, day)
    except ValueError:
        return None


def masked(text: str, today: dt.date | None = None, kinds: tuple[str, ...] = (CPR,)) -> str:
    """The text with every CPR number in it masked (what a draft shows), or every hit of
    the given kinds (what a message quoting a cell shows). A text that is a number of nine
    digits alone, a CPR number with its first zero lost (`in_number`), is masked too:
    which cell it came from is not known here, and a draft masks rather more than less."""
    if CPR in kinds and (number := in_number(text, today)):
        return number.masked
    out, done = [], 0
    for hit in find(text, today):
        if hit.kind in kinds:
            out += [text[done:hit.start], hit.masked]
            done = hit.end
    return "".join(out) + text[done:]


def quoted(text: str) -> str:
    """A message that may quote a cell, with any personal data in it masked."""
    if not any(char.isdigit() or char == "@" for char in text):
        return text
    return masked(text, kinds=(CPR, EMAIL, PHONE))


def cpr_numbers(texts: Iterable[str], today: dt.date | None = None) -> set[str]:
    """The CPR numbers in the texts, as their ten digits: for comparing two sets of texts
    inside a check, never for showing."""
    return {_digits(text, hit) for text in texts for hit in find(text, today) if hit.kind == CPR}


def new_cpr_number(text: str, known: set[str], today: dt.date | None = None) -> Hit | None:
    """The first CPR number in `text` that is not one of `known` (see cpr_numbers)."""
    return next((hit for hit in find(text, today) if hit.kind == CPR
                 and _digits(text, hit) not in known), None)


def _digits(text: str, hit: Hit) -> str:
    return re.sub(r"\D", "", text[hit.start:hit.end])
