"""Write templates/fonts/*-core.ttf: the report's fonts cut to the scripts its texts use.

WeasyPrint subsets every font it embeds, once per PDF part; without HarfBuzz's subsetter
(a fresh Debian machine has none) fontTools does it, and its cost grows with the font, not
with the text: the whole DejaVu Sans (6,000 glyphs) costs about 0.3 s a face and a part.
The core fonts hold Latin (Danish and the other European languages written with it),
punctuation, currency, arrows, mathematical signs and shapes, without hinting (the PDF
drops it anyway); the stylesheet names the whole fonts after them, so a Greek, Cyrillic or
other letter in a comment is still drawn, from the whole font, which is then embedded too.

    .venv/bin/python tools/make_core_fonts.py templates/fonts
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FACES = ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique")
UNICODES = (
    (0x0000, 0x024F),  # Basic Latin to Latin Extended-B
    (0x0300, 0x036F),  # combining diacritical marks
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20CF),  # currency symbols
    (0x2100, 0x214F),  # letterlike symbols
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2500, 0x25FF),  # box drawing, block elements, geometric shapes
    (0xFB00, 0xFB06),  # Latin ligatures
)


def core_font(source: Path, target: Path) -> None:
    options = subset.Options(hinting=False, layout_features=["*"], name_IDs=["*"],
                             name_languages=["*"], notdef_outline=True, glyph_names=False)
    options.drop_tables += ["FFTM"]  # FontForge's timestamps
    font = TTFont(source, recalcTimestamp=False)  # the same bytes on every run
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[code for low, high in UNICODES
                                 for code in range(low, high + 1)])
    subsetter.subset(font)
    font.save(target)


def main(folder: Path) -> None:
    for face in FACES:
        core_font(folder / f"{face}.ttf", folder / f"{face}-core.ttf")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/fonts"))
