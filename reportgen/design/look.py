"""The report's look (colours, the body font), read from the templates' `look.toml`.

Both documents take it from here: report.css through the template context, the Word
document through the DOCX writer, which sets the colours and the font on the rendered
document; the smileys are drawn in its colours, which their picture keys name
(`smiley:green,5CB85C,1E5E20`), so that a picture cached under a key is always of the
colours asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import ReportgenError
from ..model import Status
from .wording import read_toml

COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# A font's name as Word and a style sheet both take it.
FONT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]{0,62}")
FONT_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}\.(?:ttf|otf|TTF|OTF)")
FONT_FACES = ("regular", "bold", "italic", "bold_italic")


@dataclass(frozen=True)
class FontFiles:
    regular: str
    bold: str
    italic: str
    bold_italic: str


@dataclass(frozen=True)
class Look:
    font: str
    text: str
    muted: str
    rule: str
    accent: str
    theme_row: str
    area_row: str
    legend_head: str
    font_files: FontFiles
    # status -> (fill, outline) of its smiley
    smileys: tuple[tuple[Status, tuple[str, str]], ...]
    # The same faces cut to the scripts most texts use (tools/make_core_fonts.py), tried
    # first in the PDF, where a smaller font is quicker to subset; None: the whole fonts.
    core_font_files: FontFiles | None = None

    def smiley(self, status: Status) -> tuple[str, str]:
        return dict(self.smileys)[status]

    def fill(self, status: str) -> str:
        """The fill of a status's smiley, by the status's name (`green`)."""
        return self.smiley(Status(status))[0]

    def picture(self, key: str) -> str:
        """A template's picture key with the colours it is drawn in: `smiley:green` ->
        `smiley:green,5CB85C,1E5E20`; other keys as they are."""
        kind, _, name = key.partition(":")
        if kind != "smiley" or "," in name:
            return key
        try:
            fill, outline = self.smiley(Status(name))
        except ValueError:
            return key  # not a status: pictures/ names the mistake
        return f"{key},{fill[1:]},{outline[1:]}"

    @staticmethod
    def word(colour: str) -> str:
        """`#1a1a1a` as Word writes it: `1A1A1A`."""
        return colour[1:].upper()


COLOURS = tuple(f.name for f in fields(Look)
                if f.name not in ("font", "font_files", "core_font_files", "smileys"))


def load_look(templates: Path) -> Look:
    """The look file read and checked: a mistake in it is RG920 naming the file, the key
    and, for TOML's own errors, the line."""
    path = templates / "look.toml"
    data = read_toml(path, "Udseendet")
    wrong: list[str] = []

    def colour(table: dict, key: str, name: str) -> str:
        value = table.get(key)
        if not (isinstance(value, str) and COLOUR.fullmatch(value)):
            wrong.append(name)
            return "#000000"
        return value.upper()

    def smiley(status: Status) -> tuple[str, str]:
        table, name = data.get(status.value, {}), status.value
        return (colour(table, "fill", f"[{name}] fill"),
                colour(table, "outline", f"[{name}] outline"))

    colours = {key: colour(data, key, key) for key in COLOURS}
    smileys = tuple((status, smiley(status)) for status in Status)
    if wrong:
        raise ReportgenError("RG920", "Udseendet mangler en farve, eller den er ikke skrevet "
                             f"#RRGGBB (fx \"#8B1A1A\"): {', '.join(wrong)}.", path.name)
    font = data.get("font")
    if not (isinstance(font, str) and FONT_NAME.fullmatch(font)):
        raise ReportgenError("RG920", "Udseendet mangler skriftens navn (font), eller navnet "
                             "holder andet end bogstaver, tal, mellemrum og bindestreger.",
                             path.name)
    core = data.get("core_font_files")
    return Look(font=font, font_files=_font_files(templates, data.get("font_files", {}),
                                                  "font_files", path.name),
                core_font_files=None if core is None else _font_files(
                    templates, core, "core_font_files", path.name),
                smileys=smileys, **colours)


def _font_files(templates: Path, files: object, table: str, where: str) -> FontFiles:
    """A table of the four faces' files, each a file in the templates' fonts/."""
    names: dict[str, str] = {}
    for face in FONT_FACES:
        name = files.get(face) if isinstance(files, dict) else None
        if not (isinstance(name, str) and FONT_FILE.fullmatch(name)):
            raise ReportgenError("RG920", f"Udseendet mangler skriftfilen [{table}] {face} "
                                 "(et filnavn i fonts/, fx \"DejaVuSans.ttf\").", where)
        if not (templates / "fonts" / name).is_file():
            raise ReportgenError("RG920", f"Skriftfilen {name} ([{table}] {face}) findes "
                                 "ikke i skabelonernes fonts/.", where)
        names[face] = name
    return FontFiles(**names)
