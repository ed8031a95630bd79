"""The smiley: one drawing in three faces, the first kind of picture (`smiley:green`,
see pictures/).

The faces differ in the mouth (smile, straight, frown) as well as in colour, so the
status reads in a grey print and for a colour-blind reader. Each outline is dark enough
to stand at least 3:1 against white. The colours are the look's (templates/look.toml,
design/look.py), named in the picture's key.
"""

from __future__ import annotations

import re
from functools import cache

from ..model import Status

MOUTHS: dict[Status, str] = {
    Status.GREEN: "M29 58 Q50 80 71 58",
    Status.YELLOW: "M30 66 L70 66",
    Status.RED: "M29 73 Q50 52 71 73",
}


_NAME = re.compile(r"(green|yellow|red),([0-9A-Fa-f]{6}),([0-9A-Fa-f]{6})")


@cache
def smiley_svg(status: Status, fill: str, line: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">'
        f'<circle cx="50" cy="50" r="45" fill="{fill}" stroke="{line}" stroke-width="6"/>'
        f'<circle cx="35" cy="38" r="6.5" fill="{line}"/>'
        f'<circle cx="65" cy="38" r="6.5" fill="{line}"/>'
        f'<path d="{MOUTHS[status]}" fill="none" stroke="{line}" stroke-width="7" '
        'stroke-linecap="round"/>'
        "</svg>"
    )


def draw(name: str) -> str:
    """The face named by its status (`green`, `yellow`, `red`) and its fill and outline
    (`green,5CB85C,1E5E20`: the look's, as Look.picture names them); ValueError for
    another name."""
    match = _NAME.fullmatch(name)
    if match is None:
        raise ValueError(name)
    return smiley_svg(Status(match[1]), f"#{match[2].upper()}", f"#{match[3].upper()}")
