"""The change marks beside a status that changed since the earlier follow-up: a kind of
picture (`mark:improved`, `mark:worse`, see pictures/).

The two differ in shape, not only in colour: an upward triangle for better, a downward
one for worse, so the change reads in a grey print and for a colour-blind reader. Each
is dark enough to stand at least 3:1 against white.
"""

from __future__ import annotations

from functools import cache

# name -> (fill, the triangle's points in a 100 × 100 box)
MARKS: dict[str, tuple[str, str]] = {
    "improved": ("#1E5E20", "50,10 92,86 8,86"),
    "worse": ("#8B1A1A", "8,14 92,14 50,90"),
}


@cache
def draw(name: str) -> str:
    """The mark named by its direction (`improved`, `worse`); ValueError for another."""
    if name not in MARKS:
        raise ValueError(name)
    fill, points = MARKS[name]
    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" '
            f'height="100"><polygon points="{points}" fill="{fill}" stroke="{fill}" '
            'stroke-width="6" stroke-linejoin="round"/></svg>')
