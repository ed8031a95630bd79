"""A reportgen JSON export (writers/json.py) read back as a Report: the earlier follow-up
a report is compared with may be given as its export (round/previous.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..model import FocusArea, Goal, Meta, Report, Source, Status, Theme
from . import clean_text, file_label

MAX_JSON_BYTES = 50 * 1024 * 1024


def from_json(path: Path) -> Report:
    """The report a JSON export (writers/json.py) holds; ValueError in Danish, naming the
    place in the file, for a file that is not one."""
    try:
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ValueError(f"JSON-filen er større end {MAX_JSON_BYTES // 2**20} MB.")
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ValueError(f"JSON-filen kan ikke læses ({exc.strerror or type(exc).__name__})."
                         ) from None
    except UnicodeDecodeError:
        raise ValueError("JSON-filen er ikke UTF-8-tekst.") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"Filen er ikke gyldig JSON (linje {exc.lineno}, kolonne "
                         f"{exc.colno}). Brug JSON-eksporten fra den forrige opfølgning "
                         "(reportgen build --format json).") from None
    return _report(data, file_label(path.name))


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


def _report(data: Any, file: str) -> Report:
    top = _object(data, "filen", ("meta", "themes"))
    meta = _object(top["meta"], "meta")
    details = {name: _optional_text(meta.get(name), f"meta.{name}")
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
            effect = tuple(_text(e, f"{at_area}.effect_goals[{i}]") for i, e in
                           enumerate(_list(area.get("effect_goals", []),
                                           f"{at_area}.effect_goals")))
            goals = tuple(_goal(goal, f"{at_area}.goals[{g}]", file) for g, goal in
                          enumerate(_list(area["goals"], f"{at_area}.goals")))
            areas.append(FocusArea(_text(area["name"], f"{at_area}.name"), effect, goals))
        themes.append(Theme(_text(theme["name"], f"{at}.name"), tuple(areas)))
    # mypy holds the dict's one value type against every field of Meta, the intro's too
    return Report(Meta(**details), tuple(themes))  # type: ignore[arg-type]


def _goal(value: Any, where: str, file: str) -> Goal:
    goal = _object(value, where, ("text", "centre", "result", "timeline"))
    source = goal.get("source")
    if source is None:
        place = Source(file, "", 0)
    else:
        source = _object(source, f"{where}.source", ("file", "sheet", "row"))
        if not isinstance(source["row"], int) or isinstance(source["row"], bool):
            raise _wrong(f"{where}.source.row", "skal være et heltal")
        place = Source(_text(source["file"], f"{where}.source.file"),
                       _optional_text(source["sheet"], f"{where}.source.sheet") or "",
                       source["row"])
    return Goal(id=_optional_text(goal.get("id"), f"{where}.id"),
                text=_text(goal["text"], f"{where}.text"),
                measure=_optional_text(goal.get("measure"), f"{where}.measure"),
                centre=_text(goal["centre"], f"{where}.centre"),
                result=_statuses(goal["result"], f"{where}.result"),
                timeline=_statuses(goal["timeline"], f"{where}.timeline"),
                comment=_optional_text(goal.get("comment"), f"{where}.comment"),
                source=place)
