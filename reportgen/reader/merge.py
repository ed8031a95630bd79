"""Several files' goal rows as one report: a goal in two places is one goal only when it is
the same goal (`assemble`), and report details may come from any file (`merge_meta`).

Part of the reader's format-neutral stage: it sees goal rows (rows.py), never a file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..contract import META_NAMES
from ..model import Finding, FocusArea, Goal, Meta, PlacedGoal, Severity, Theme
from .rows import GoalRow, short


def local_numbers(rows: list[GoalRow], findings: list[Finding]) -> None:
    """A Nr. column is an Id only while no number stands for two different goals. Numbers
    that start again for each centre, file or theme are the sheet's own numbering, not an
    Id: those goals are then known, like goals without an Id, by what they say."""
    numbered = [row for row in rows if row.numbered and row.goal.id]
    first: dict[str, PlacedGoal] = {}
    if all(first.setdefault(row.goal.id or "", row.placed).identity == row.placed.identity
           for row in numbered):
        return
    for file, sheet in dict.fromkeys((r.goal.source.file, r.goal.source.sheet) for r in numbered):
        findings.append(Finding(
            "RG904", Severity.NOTICE,
            "Kolonnen »Nr.« bruges ikke som Id: det samme nummer står ved forskellige mål, "
            "så det er en nummerering for sig (fx pr. center eller tema). Målene kendes i "
            "stedet på tema, indsatsområde, tekst og center.", file, sheet))
    for row in numbered:
        row.placed = replace(row.placed, goal=replace(row.goal, id=None))


def assemble(rows: list[GoalRow], findings: list[Finding]) -> tuple[Theme, ...]:
    """Themes, focus areas and goals in the order they first appear.

    Two rows are one goal only when they are the same goal: the same theme, focus area,
    text, measure and centre, and no two different Ids. Its statuses and comment must then
    agree (RG401). Two different goals with the same Id are an error naming both (RG403),
    never merged."""
    areas: dict[str, dict[str, tuple[list[str], list[Goal]]]] = {}
    same_text: dict[tuple, list[GoalRow]] = {}
    with_id: dict[str, GoalRow] = {}
    for row in rows:
        goal = row.goal
        owner = with_id.get(goal.id) if goal.id else None
        if owner is not None and owner.placed.identity != row.placed.identity:
            findings.append(_same_id(owner, row))
        earlier = next((other for other in same_text.get(row.placed.identity, ())
                        if not (goal.id and other.goal.id and goal.id != other.goal.id)), None)
        if earlier is not None:
            findings.append(_conflict(earlier, row) if _differs(earlier.goal, goal)
                            else _merged(earlier, row))
            continue
        same_text.setdefault(row.placed.identity, []).append(row)
        if goal.id:
            with_id.setdefault(goal.id, row)
        placed = row.placed
        effect_goals, goals = areas.setdefault(placed.theme, {}).setdefault(
            placed.focus_area, ([], []))
        effect_goals.extend(e for e in placed.effect_goals if e not in effect_goals)
        goals.append(goal)
    themes = tuple(
        Theme(theme, tuple(FocusArea(name, tuple(effect), tuple(goals))
                           for name, (effect, goals) in focus_areas.items()))
        for theme, focus_areas in areas.items()
    )
    return in_id_order(themes) if all(row.goal.id for row in rows) else themes


def id_key(goal_id: str) -> tuple:
    """An Id's natural order: 1.2.10 after 1.2.9, 2 after 1.10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.findall(r"\d+|[^\d.]+", goal_id))


def in_id_order(themes: tuple[Theme, ...]) -> tuple[Theme, ...]:
    """Goals in Id order within their focus area; focus areas and themes in the order of
    their first goal's Id (files may come back in any order)."""
    areas = [(theme, tuple(replace(area, goals=tuple(sorted(area.goals, key=_goal_id_key)))
                           for area in theme.focus_areas)) for theme in themes]

    def first(area: FocusArea) -> tuple:
        return _goal_id_key(area.goals[0])

    return tuple(replace(theme, focus_areas=tuple(sorted(focus_areas, key=first)))
                 for theme, focus_areas in sorted(areas, key=lambda t: min(map(first, t[1]))))


def _goal_id_key(goal: Goal) -> tuple:
    assert goal.id is not None  # in_id_order is asked only of goals that all have an Id
    return id_key(goal.id)


def _differs(a: Goal, b: Goal) -> bool:
    return (a.result, a.timeline, a.comment) != (b.result, b.timeline, b.comment)


def _at(row: GoalRow, code: str, severity: Severity, message: str) -> Finding:
    source = row.goal.source
    return Finding(code, severity, message, source.file, source.sheet, row.cell,
                   row.goal.centre, row.goal.id, short(row.goal.text))


def _conflict(a: GoalRow, b: GoalRow) -> Finding:
    return _at(a, "RG401", Severity.ERROR,
               f"Målet »{short(a.goal.text)}« står også i {b.place} med en anden status "
               "eller kommentar. Ret det ene sted, så de er ens.")


def _merged(a: GoalRow, b: GoalRow) -> Finding:
    return _at(b, "RG402", Severity.NOTICE,
               f"Samme mål som i {a.place} (samme tema, indsatsområde, tekst, center, status "
               "og kommentar): det står én gang i rapporten.")


_NUMBER = re.compile(r"\d+\.\d+")


def _same_id(a: GoalRow, b: GoalRow) -> Finding:
    hint = (" Et Id, der skrives som et tal (fx 1.10), gemmer Excel som tallet 1.1: "
            "formatér kolonnen som tekst, og skriv Id'erne igen."
            if _NUMBER.fullmatch(a.goal.id or "") else "")
    return _at(a, "RG403", Severity.ERROR,
               f"To forskellige mål har samme Id »{a.goal.id}«: »{short(a.goal.text)}« her "
               f"og »{short(b.goal.text)}« ({b.goal.centre}) i {b.place}. Giv hvert mål sit "
               f"eget Id.{hint}")




def merge_meta(metas: list[tuple[str, dict[str, Any]]], findings: list[Finding]) -> Meta:
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for file, meta in metas:
        for key, value in meta.items():
            if not value:
                continue
            if key in merged and merged[key] != value:
                findings.append(Finding(
                    "RG302", Severity.ERROR,
                    f"Rapportoplysningen »{META_NAMES[key]}« er forskellig i {origin[key]} "
                    f"og {file}. "
                    "Ret den, så den er ens, eller udfyld den kun ét sted.",
                    file, "Rapport"))
                continue
            merged.setdefault(key, value)
            origin.setdefault(key, file)
    return replace(Meta(), **merged)
