"""The earlier follow-up a report is compared with (`--previous`): its workbooks, read as
the current input is read, or the JSON export a build of it wrote. compare.py compares.

What it found is said with its own file (`… (forrige opfølgning)`) and weighed for what the
earlier follow-up is here, a source of statuses and of the goals gone:
- the gaps of that round (a goal not reported, yellow or red without a comment) are not
  this round's, and are left out;
- personal data in it stops nothing: every text of it that the new documents show (the
  goals gone, its label) is shown with CPR numbers masked, so an RG601 there is a warning;
- anything else (a file that cannot be read, a status word not understood) is as it was,
  for a comparison made from a half-read follow-up would mislead.
A JSON export that is not one is RG110, naming the file and the place in it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from .model import Finding, FocusArea, Goal, Meta, Report, Severity, Source, Status, Theme
from .personal_data import masked
from .reader import clean_text, file_label, find_workbooks, read_workbooks

NOT_THIS_ROUND = {"RG202", "RG205"}
PERSONAL_DATA = {"RG601", "RG602", "RG603"}
BROKEN_JSON = "RG110"
MAX_JSON_BYTES = 50 * 1024 * 1024
OF_PREVIOUS = " (forrige opfølgning)"


def read_previous(path: Path) -> tuple[Report | None, list[Finding]]:
    """The earlier follow-up's report and what reading it found (None if it could not be
    read at all). `path`: its JSON export, a workbook, or a folder of workbooks."""
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            return from_json(path), []
        except ValueError as exc:
            return None, [Finding(BROKEN_JSON, Severity.ERROR, str(exc),
                                  file_label(path.name) + OF_PREVIOUS)]
    paths, passed_over = find_workbooks([path])
    if not paths:
        return None, [*map(_weighed, passed_over), Finding(
            "RG002", Severity.ERROR, f"Der er ingen arbejdsbøger (.xlsx, .xls eller .ods) og "
            f"ingen JSON-eksport i {path} (--previous).")]
    result = read_workbooks(paths)
    findings = [_weighed(f) for f in (*passed_over, *result.findings)
                if f.code not in NOT_THIS_ROUND]
    return result.report, findings


def shown(report: Report) -> Report:
    """The compared report with every text taken from the earlier follow-up (the goals
    gone, its label) CPR-masked: they were not checked as this round's texts are."""
    comparison = report.comparison
    if comparison is None:
        return report
    only_earlier = Report(comparison=comparison).with_texts(masked).comparison
    return replace(report, comparison=only_earlier)


def _weighed(finding: Finding) -> Finding:
    file = (finding.file or "").strip() + OF_PREVIOUS
    if finding.code in PERSONAL_DATA and finding.severity is Severity.ERROR:
        return replace(finding, file=file.strip(), severity=Severity.WARNING,
                       message=finding.message + " Det stopper ikke rapporten: teksterne "
                       "fra den forrige opfølgning vises med CPR-numre maskeret.")
    return replace(finding, file=file.strip())


# -- The JSON export ------------------------------------------------------------------------

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


def _text(value: Any, where: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not (optional or value.strip()):
        raise _wrong(where, "skal være en tekst" + ("" if optional else ", ikke tom"))
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
    details = {name: _text(meta.get(name), f"meta.{name}", optional=True)
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
    return Report(Meta(**details), tuple(themes))


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
                       _text(source["sheet"], f"{where}.source.sheet", optional=True) or "",
                       source["row"])
    return Goal(id=_text(goal.get("id"), f"{where}.id", optional=True),
                text=_text(goal["text"], f"{where}.text"),
                measure=_text(goal.get("measure"), f"{where}.measure", optional=True),
                centre=_text(goal["centre"], f"{where}.centre"),
                result=_statuses(goal["result"], f"{where}.result"),
                timeline=_statuses(goal["timeline"], f"{where}.timeline"),
                comment=_text(goal.get("comment"), f"{where}.comment", optional=True),
                source=place)
