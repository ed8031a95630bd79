"""Pictures with alternative text: one way to place one in both documents.

A picture is named by a key, `kind:name` (`smiley:green`). Each kind draws its names as
SVG, and `DRAWINGS` is the one table of kinds: a chart or a change mark is a drawing
function and a line there, with no change to a writer. The HTML template places a
picture with `image(key, alt)`, an `<img>` whose class is its kind (the stylesheet sizes
it) and whose alternative text WeasyPrint gives the PDF's Figure; the Word template with
`image(key, alt, width_mm=…)`, an inline picture with the same alternative text.

The key is also the picture's URL in the HTML the PDF is made from: the PDF's fetcher
draws any kind in the table, and thousands of pictures cost no megabytes of data URIs.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from markupsafe import Markup

from ..util.native import sonames_only
from . import chart, marks, smileys

# kind -> the function that draws one of its names as SVG, raising ValueError for a name
# it does not draw. A kind is also a URL scheme: never `data`, `file` or `http`.
DRAWINGS: dict[str, Callable[[str], str]] = {
    "smiley": smileys.draw,
    "chart": chart.draw,
    "mark": marks.draw,
}

# Word takes no SVG: pictures go in as PNG, large enough to stay crisp at the sizes used.
PNG_SIZE = 192


@cache
def svg(key: str) -> str:
    """The picture's drawing; a ValueError in Danish for a key no kind draws."""
    kind, _, name = key.partition(":")
    if kind in DRAWINGS:
        try:
            return DRAWINGS[kind](name)
        except ValueError:
            pass
    known = ", ".join(f"{kind}:…" for kind in DRAWINGS)
    raise ValueError(f"ukendt billede {key!r} (billederne hedder {known})")


@cache
def png(key: str, size: int = PNG_SIZE) -> bytes:
    """The same drawing as a PNG `size` pixels wide (and as high as its shape makes it)."""
    with sonames_only():
        import cairosvg  # only Word and the centres' workbooks need it

    return cairosvg.svg2png(bytestring=svg(key).encode(), output_width=size)


@cache
def data_uri(key: str) -> str:
    """The drawing inside the URL, for an HTML file that stands alone."""
    return f"data:image/svg+xml;base64,{base64.b64encode(svg(key).encode()).decode()}"


@dataclass(frozen=True)
class Image:
    """A picture and its alternative text, as a template places it."""

    key: str
    alt: str

    def __post_init__(self) -> None:
        svg(self.key)  # a key no kind draws is the template's mistake, named here

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]

    def html(self, src: Callable[[str], str] = data_uri) -> Markup:
        """`<img class="kind" src=… alt=…>`, the URL as `src` makes it from the key."""
        return Markup('<img class="{}" src="{}" alt="{}">').format(
            self.kind, src(self.key), self.alt)

    def docx(self, template: Any, width_mm: float) -> Any:
        """The picture for a run of the Word template (docxtpl's DocxTemplate): a PNG
        `width_mm` wide, its alternative text on the drawing's docPr."""
        from docx.shared import Mm

        return _word_picture()(template, self, Mm(width_mm))


@cache
def _word_picture() -> type:
    """docxtpl's InlineImage, with alternative text (docxtpl has no API for it) and the
    picture read anew wherever it is placed (docxtpl reads a stream once)."""
    from docxtpl import InlineImage

    class WordPicture(InlineImage):
        def __init__(self, template, image: Image, width):
            super().__init__(template, None, width=width)
            self.image = image

        def _insert_image(self) -> str:
            # at least PNG_SIZE pixels, and some 300 per inch for a wide picture (a chart)
            size = max(PNG_SIZE, round(self.width.mm * 12))
            part = self.tpl.current_rendering_part
            # Made once per picture, size and part of the document, and the same XML
            # placed wherever it recurs (docxtpl numbers the drawings afterwards):
            # python-docx reads the PNG and searches the part for a free id each time,
            # which at 2,000 goals took most of the DOCX's time.
            made = self.tpl.__dict__.setdefault("_placed_pictures", {})
            key = (id(part), self.image, size, self.width, self.height)
            if key not in made:
                inline = part.new_pic_inline(io.BytesIO(png(self.image.key, size)),
                                             self.width, self.height)
                inline.docPr.set("descr", self.image.alt)
                # No distance to the text beside it: LibreOffice reads a missing one as
                # 3 mm each side, and two smileys with " / " between no longer fit a line.
                for side in ("distT", "distB", "distL", "distR"):
                    inline.set(side, "0")
                made[key] = inline.xml
            return (f"</w:t></w:r><w:r><w:drawing>{made[key]}</w:drawing></w:r><w:r>"
                    '<w:t xml:space="preserve">')

    return WordPicture
