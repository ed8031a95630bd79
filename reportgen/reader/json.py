"""A reportgen JSON export (writers/json.py) read back as a Report: the earlier follow-up
a report is compared with may be given as its export (round/previous.py).

Bounded as a workbook is: its size, its goals (as many as a goal sheet may hold) and how
deep it is nested, each known before the work it would cost (`BeyondBounds`; a file
nested deeper than an export is not one). Its texts are checked for personal data as a
workbook's cells are (RG601–RG603), each finding naming the place in the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..model import Finding, FocusArea, Goal, Meta, Report, Source, Status, Theme
from ..personal_data import find as find_personal_data
from ..personal_data import quoted
from . import clean_text, file_label
from .rows import MAX_ROWS, personal_data_text, short

# A JSON export of MAX_GOALS goals, with their statuses then and the goals gone, takes a
# few megabytes; parsing a file of this size takes well under a second and some hundred MB.
MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_GOALS = MAX_ROWS  # as many as one goal sheet may hold (rows.py, RG107)
# An export is nested 8 deep (a goal's statuses then); Python's parser fails at some 1,000.
MAX_DEPTH = 20
# Objects and lists: an export has a few per goal; this many bound the parser's memory
# whatever the file holds between them.
MAX_CONTAINERS = 32 * MAX_GOALS

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


class BeyondBounds(ValueError):
    """A JSON file beyond what a previous follow-up is read at (RG111), in Danish."""


def from_json(path: Path) -> tuple[Report, list[Finding]]:
    """The report a JSON export (writers/json.py) holds, and the personal data its texts
    hold (findings of the file); ValueError in Danish, naming the place in the file, for
    a file that is not one, BeyondBounds for one beyond the bounds."""
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise BeyondBounds(f"JSON-filen er større end {MAX_JSON_BYTES // 2**20} MB, "
                               "grænsen for en forrige opfølgning.")
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise ValueError(f"JSON-filen kan ikke læses ({exc.strerror or type(exc).__name__})."
                         ) from None
    except UnicodeDecodeError:
        raise ValueError("JSON-filen er ikke UTF-8-tekst.") from None
    _check_nesting(raw)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Filen er ikke gyldig JSON (linje {exc.lineno}, kolonne "
                         f"{exc.colno}). Brug JSON-eksporten fra den forrige opfølgning "
                         "(reportgen build --format json).") from None
    reading = _Reading(file_label(path.name))
    return reading.report(data), reading.findings


def _check_nesting(raw: bytes) -> None:
    """Its objects and lists counted, and how deep they nest, before it is parsed: the
    strings taken out, the brackets left (both at C speed), then walked."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    containers = brackets.count(b"[") + brackets.count(b"{")
    if containers > MAX_CONTAINERS:
        raise BeyondBounds(f"JSON-filen har {containers} objekter og lister; grænsen for en "
                           f"forrige opfølgning er {MAX_CONTAINERS} (en eksport af "
                           f"{MAX_GOALS} mål har langt færre).")
    depth = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > MAX_DEPTH:
            raise _wrong("den", f"er indlejret mere end {MAX_DEPTH} niveauer (en JSON-eksport "
                         "har 8)")


def _wrong(where: str, what: str) -> ValueError:
    return ValueError(f"Filen er ikke en JSON-eksport fra reportgen: {where} {what}. Brug "
                      "JSON-eksporten fra den forrige opfølgning (reportgen build --format "
                      "json).")


def _object(value: Any, where: str, required: tuple[str, ...] = ()) -> dict:
    if not isinstance(value, dict):
        raise _wrong(where, "skal være et objekt ({…})")
    for key in required:
        if key not in value:
            raise _wrong(where, f"mangler »{key}«")
    return value


def _list(value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _wrong(where, "skal være en liste ([…])")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _wrong(where, "skal være en tekst, ikke tom")
    return clean_text(value)


def _optional_text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong(where, "skal være en tekst")
    return clean_text(value) if value else None


def _statuses(value: Any, where: str) -> tuple[Status, ...]:
    words = _list(value, where)
    if len(words) > 2:
        raise _wrong(where, "har mere end to statusser")
    known = {status.value: status for status in Status}
    if any(word not in known for word in words):
        raise _wrong(where, "må kun holde »green«, »yellow« og »red«")
    return tuple(known[word] for word in words)


class _Reading:
    """One file read: its report, and a finding for each piece of personal data in a
    text of it that a report may print (as rows.personal_data finds them in a cell; a
    text said once, however often it stands)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str]] = set()
        self._goals = 0

    def text(self, value: Any, where: str, goal: dict | None = None) -> str:
        """`_text`, its personal data said; `goal`: the goal (as read) it belongs to."""
        return self._said(_text(value, where), where, goal)

    def optional_text(self, value: Any, where: str, goal: dict | None = None) -> str | None:
        """`_optional_text`, its personal data said."""
        text = _optional_text(value, where)
        return None if text is None else self._said(text, where, goal)

    def _said(self, text: str, where: str, goal: dict | None) -> str:
        field = where.rsplit(".", 1)[-1].split("[")[0]
        if not text or (field, text) in self._seen:
            return text
        self._seen.add((field, text))
        for hit in find_personal_data(text):
            code, severity, what = personal_data_text(hit)
            goal_text = goal.get("text") if goal else None
            goal_text = goal_text if isinstance(goal_text, str) else None
            of_goal = (f" (målet »{short(quoted(goal_text), 40)}«)"
                       if goal_text and field != "text" else "")
            centre = goal.get("centre") if goal else None
            goal_id = goal.get("id") if goal else None
            self.findings.append(Finding(
                code, severity, f"{where}{of_goal} indeholder {what}", self.file,
                centre=centre if isinstance(centre, str) else None,
                goal_id=goal_id if isinstance(goal_id, str) else None,
                goal_text=goal_text and short(quoted(goal_text))))
        return text

    def report(self, data: Any) -> Report:
        top = _object(data, "filen", ("meta", "themes"))
        meta = _object(top["meta"], "meta")
        details = {name: self.optional_text(meta.get(name), f"meta.{name}")
                   for name in ("title", "subtitle", "case_number", "case_handler", "date",
                                "revised", "follow_up")}
        themes = []
        for t, theme in enumerate(_list(top["themes"], "themes")):
            at = f"themes[{t}]"
            theme = _object(theme, at, ("name", "focus_areas"))
            areas = []
            for a, area in enumerate(_list(theme["focus_areas"], f"{at}.focus_areas")):
                at_area = f"{at}.focus_areas[{a}]"
                area = _object(area, at_area, ("name", "goals"))
                goals = _list(area["goals"], f"{at_area}.goals")
                self._goals += len(goals)
                if self._goals > MAX_GOALS:
                    raise BeyondBounds(f"JSON-filen har mere end {MAX_GOALS} mål, grænsen for "
                                       "en forrige opfølgning (som for et ark med mål).")
                effect = tuple(self.text(e, f"{at_area}.effect_goals[{i}]") for i, e in
                               enumerate(_list(area.get("effect_goals", []),
                                               f"{at_area}.effect_goals")))
                areas.append(FocusArea(
                    self.text(area["name"], f"{at_area}.name"), effect,
                    tuple(self.goal(goal, f"{at_area}.goals[{g}]")
                          for g, goal in enumerate(goals))))
            themes.append(Theme(self.text(theme["name"], f"{at}.name"), tuple(areas)))
        # mypy holds the dict's one value type against every field of Meta, the intro's too
        return Report(Meta(**details), tuple(themes))  # type: ignore[arg-type]

    def goal(self, value: Any, where: str) -> Goal:
        goal = _object(value, where, ("text", "centre", "result", "timeline"))
        source = goal.get("source")
        if source is None:
            place = Source(self.file, "", 0)
        else:
            source = _object(source, f"{where}.source", ("file", "sheet", "row"))
            if not isinstance(source["row"], int) or isinstance(source["row"], bool):
                raise _wrong(f"{where}.source.row", "skal være et heltal")
            place = Source(_text(source["file"], f"{where}.source.file"),
                           _optional_text(source["sheet"], f"{where}.source.sheet") or "",
                           source["row"])
        return Goal(id=self.optional_text(goal.get("id"), f"{where}.id", goal=goal),
                    text=self.text(goal["text"], f"{where}.text", goal=goal),
                    measure=self.optional_text(goal.get("measure"), f"{where}.measure",
                                      goal=goal),
                    centre=self.text(goal["centre"], f"{where}.centre", goal=goal),
                    result=_statuses(goal["result"], f"{where}.result"),
                    timeline=_statuses(goal["timeline"], f"{where}.timeline"),
                    comment=self.optional_text(goal.get("comment"), f"{where}.comment",
                                      goal=goal),
                    source=place)
