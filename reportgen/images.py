"""Pictures with alternative text: one way to place one in both documents.

A picture is named by a key, `kind:name` (`smiley:green`). Each kind draws its names as
SVG, and `DRAWINGS` is the one table of kinds: a chart or a change mark is a drawing
function and a line there, with no change to a writer. The HTML template places a
picture with `image(key, alt)`, an `<img>` whose class is its kind (the stylesheet sizes
it) and whose alternative text WeasyPrint gives the PDF's Figure.

The key is also the picture's URL in the HTML the PDF is made from: the PDF's fetcher
draws any kind in the table, and thousands of pictures cost no megabytes of data URIs.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from . import smileys

# kind -> the function that draws one of its names as SVG, raising ValueError for a name
# it does not draw. A kind is also a URL scheme: never `data`, `file` or `http`.
DRAWINGS: dict[str, Callable[[str], str]] = {
    "smiley": smileys.draw,
}


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
