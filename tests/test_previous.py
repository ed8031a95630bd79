"""Change since the previous follow-up (`--previous`): a previous and a current follow-up
built here, in which statuses go up, down and stay, a double status changes by its least
favourable status, a goal is new and two are gone (one of two sharing a wording, told apart
by centre), once with Ids and once without."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from reportgen.build import build, check
from reportgen.compare import Change, direction, least_favourable
from reportgen.model import Status

from .helpers import (
    HEADERS,
    docx_pictures,
    docx_text,
    goal_row,
    outloud_errors,
    pdf_figures,
    pdf_text,
    squash,
    write_workbook,
)

LABEL = "Opfølgning marts 2018"
IMPROVED, WORSE = f"forbedret siden {LABEL}", f"forværret siden {LABEL}"
AREA_2 = "Uddannelse"

# (Id, text, result, timeline, centre, area) then and now; None: not in that follow-up.
# A: result down, timeline up. B: result up, timeline stays. C: a double status down by its
# least favourable (gul / grøn -> grøn / rød), and a double timeline that stays by it
# (gul / grøn -> grøn / gul). E: one wording for two centres; CKU's goes down (against its
# own grøn, not CBU's rød), CBU's is gone. D gone. N new.
THEN = [
    ("1.1", "Flere borgere flytter til", "grøn", "gul", "CPU/BGE", "Vision"),
    ("1.2", "Bedre skoler", "rød", "rød", "CBU/BLI", "Vision"),
    ("1.3", "Mere kultur", "gul / grøn", "gul / grøn", "CKF/ABC", "Vision"),
    ("1.4", "Gammelt mål om veje", "grøn", "grøn", "CTM/XYZ", "Vision"),
    ("2.1", "Fælles mål for to centre", "rød", "grøn", "CBU/BLI", AREA_2),
    ("2.2", "Fælles mål for to centre", "grøn", "grøn", "CKU/ABC", AREA_2),
]
NOW = [
    ("1.1", "Flere borgere flytter til", "gul", "grøn", "CPU/BGE", "Vision"),
    ("1.2", "Bedre skoler", "grøn", "rød", "CBU/BLI", "Vision"),
    ("1.3", "Mere kultur", "grøn / rød", "grøn / gul", "CKF/ABC", "Vision"),
    ("1.5", "Nyt mål om cykelstier", "grøn", "grøn", "CTM/XYZ", "Vision"),
    ("2.2", "Fælles mål for to centre", "rød", "grøn", "CKU/ABC", AREA_2),
]
NEW = "Nyt mål om cykelstier"
GONE = [("Gammelt mål om veje", "Vision", "CTM/XYZ"),
        ("Fælles mål for to centre", AREA_2, "CBU/BLI")]
THEME = "Tema 1: Mærk Næstved"
# Marks per goal text, in document order: (result, timeline), None where none.
MARKS = {
    "Flere borgere flytter til": (WORSE, IMPROVED),
    "Bedre skoler": (IMPROVED, None),
    "Mere kultur": (WORSE, None),
    NEW: (None, None),
    "Fælles mål for to centre": (WORSE, None),
}


def write_follow_up(path: Path, goals, follow_up: str, ids: bool,
                    renamed: dict[str, str] | None = None) -> Path:
    rows = []
    for goal_id, text, result, timeline, centre, area in goals:
        text = (renamed or {}).get(text, text)
        row = goal_row(text, result, timeline, comment=f"Kommentar til {text}", centre=centre,
                       theme=THEME, area=area)
        rows.append([goal_id, *row] if ids else row)
    headers = ("Id", *HEADERS) if ids else HEADERS
    return write_workbook(path, rows, headers=headers,
                          meta=[("Titel", "Strategiplan"), ("Opfølgning", follow_up)])


@pytest.fixture(scope="module", params=["ids", "no-ids"])
def pair(request, tmp_path_factory) -> dict:
    """The previous follow-up (a workbook, and its JSON export), the current one, and the
    current built against the previous workbook: format -> bytes."""
    ids = request.param == "ids"
    folder = tmp_path_factory.mktemp(request.param)
    # With Ids, a goal's text may be reworded and still be the goal.
    renamed = {"Bedre skoler": "Bedre skoler i hele kommunen"} if ids else None
    previous = write_follow_up(folder / "forrige" / "marts.xlsx", THEN, LABEL, ids)
    current = write_follow_up(folder / "nu" / "august.xlsx", NOW, "Opfølgning august 2018",
                              ids, renamed)
    exported = build([previous], folder / "export", ("json",))
    assert not exported.errors, exported.errors
    outcome = build([current], folder / "out", ("pdf", "docx", "json"), previous=previous)
    assert not outcome.errors, outcome.errors
    return {"folder": folder, "current": current, "previous": previous,
            "previous_json": exported.written[0], "renamed": renamed or {},
            **{p.suffix[1:]: p.read_bytes() for p in outcome.written},
            "paths": {p.suffix[1:]: p for p in outcome.written}}
