"""The normalised report: what every reader produces and every writer consumes.

Standard library only, no I/O. The model speaks English; Danish words live in the
reader (input vocabulary) and in the templates (output wording).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from .personal_data import masked, quoted


class Status(Enum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def needs_comment(self) -> bool:
        return self is not Status.GREEN


def place(*parts: str | None) -> str:
    """A place as every message writes it: file › sheet › cell."""
    return " › ".join(part for part in parts if part)


@dataclass(frozen=True)
class Source:
    """Where a goal was read: file name, sheet name and 1-based row number."""

    file: str
    sheet: str
    row: int

    @property
    def place(self) -> str:
        return place(self.file, self.sheet, f"række {self.row}")


@dataclass(frozen=True)
class Previous:
    """A goal's statuses at the earlier follow-up it is compared with."""

    result: tuple[Status, ...] = ()
    timeline: tuple[Status, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Goal:
    # Field order is the JSON export's key order.
    id: str | None = None
    text: str
    measure: str | None = None
    centre: str
    result: tuple[Status, ...]
    timeline: tuple[Status, ...]
    comment: str | None = None
    source: Source
    # Compared with an earlier follow-up (Report.comparison): its statuses there, None for
    # a goal it did not hold (new). Without a comparison, None and not in the JSON.
    previous: Previous | None = None

    @property
    def statuses(self) -> tuple[Status, ...]:
        return self.result + self.timeline

    @property
    def is_reported(self) -> bool:
        """A goal is reported when both its result and its timeline have a status."""
        return bool(self.result) and bool(self.timeline)

    @property
    def lacks_comment(self) -> bool:
        """Yellow or red without a comment: the legend's rule is broken."""
        return not self.comment and any(s.needs_comment for s in self.statuses)


@dataclass(frozen=True)
class FocusArea:
    name: str
    effect_goals: tuple[str, ...] = ()
    goals: tuple[Goal, ...] = ()


@dataclass(frozen=True)
class Theme:
    name: str
    focus_areas: tuple[FocusArea, ...] = ()


@dataclass(frozen=True)
class PlacedGoal:
    """A goal with the theme and focus area it sits under."""

    theme: str
    focus_area: str
    effect_goals: tuple[str, ...]
    goal: Goal

    @property
    def place(self) -> str:
        """Where the goal was read."""
        return self.goal.source.place

    @property
    def identity(self) -> tuple:
        """What makes a goal this goal: everything the report prints of it but its
        statuses and comment. Two rows are one goal only when this is the same (and they
        have no two different Ids); merging, the centres' workbooks and a comparison with
        an earlier follow-up all go by it."""
        goal = self.goal
        return (self.theme, self.focus_area, goal.text, goal.measure, goal.centre)


@dataclass(frozen=True)
class Meta:
    title: str | None = None
    subtitle: str | None = None
    case_number: str | None = None
    case_handler: str | None = None
    date: str | None = None
    revised: str | None = None
    follow_up: str | None = None
    intro: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """The earlier follow-up a report is compared with: its label (as the change marks'
    alternative texts name it) and its goals this report no longer holds, in its order.
    Those goals' texts are published too (the list of goals gone, the JSON)."""

    label: str
    removed: tuple[PlacedGoal, ...] = ()
    # Every goal of the earlier follow-up, for its numbers beside the overview's; only
    # their statuses are printed.
    earlier: tuple[PlacedGoal, ...] = ()
    # Where the goals gone belong in this report, for a theme's document and a centre's
    # extract: a theme then -> its theme now, a centre then -> its centre now (by name,
    # else where the goals matched went; a theme or a centre renamed keeps its goals
    # gone). One missing: the goal gone belongs to no theme or centre of this report.
    themes_now: tuple[tuple[str, str], ...] = ()
    centres_now: tuple[tuple[str, str], ...] = ()


META_TEXTS = ("title", "subtitle", "case_number", "case_handler", "date", "revised",
              "follow_up")
GOAL_TEXTS = ("text", "measure", "centre", "comment")


@dataclass(frozen=True)
class Report:
    meta: Meta = field(default_factory=Meta)
    themes: tuple[Theme, ...] = ()
    comparison: Comparison | None = None

    def goals(self) -> Iterator[Goal]:
        for placed in self.placed_goals():
            yield placed.goal

    def texts(self) -> Iterator[tuple[str, str, Goal | None]]:
        """Every text from a workbook that goes into the documents, as (field, text, the
        goal it was read with): a theme's and a focus area's names and effect goals with
        the area's first goal; None for the report's details."""
        meta = self.meta
        for name in META_TEXTS:
            if getattr(meta, name):
                yield name, getattr(meta, name), None
        for paragraph in meta.intro:
            yield "intro", paragraph, None
        for theme in self.themes:
            for area in theme.focus_areas:
                for index, goal in enumerate(area.goals):
                    yield from _goal_texts(PlacedGoal(theme.name, area.name, area.effect_goals,
                                                      goal), placed_too=not index)
        if self.comparison is not None:
            yield "previous_label", self.comparison.label, None
            for placed in self.comparison.removed:
                yield from _goal_texts(placed, placed_too=True)

    def with_texts(self, change: Callable[[str], str]) -> Report:
        """The same report with `change` applied to every text `texts()` yields."""
        def changed(text: str | None) -> str | None:
            return None if text is None else change(text)

        def goal_changed(goal: Goal) -> Goal:
            # mypy holds the dict's one value type against every field of Goal, not only
            # the texts it names
            return replace(goal, **{name: changed(getattr(goal, name))  # type: ignore[arg-type]
                                    for name in GOAL_TEXTS})

        meta = replace(self.meta, intro=tuple(map(change, self.meta.intro)),
                       **{name: changed(getattr(self.meta, name)) for name in META_TEXTS})
        comparison = self.comparison
        if comparison is not None:
            comparison = replace(comparison, label=change(comparison.label), removed=tuple(
                PlacedGoal(change(placed.theme), change(placed.focus_area),
                           tuple(map(change, placed.effect_goals)), goal_changed(placed.goal))
                for placed in comparison.removed),
                # the names the goals gone are placed by, changed as their names are
                themes_now=tuple((change(then), change(now))
                                 for then, now in comparison.themes_now),
                centres_now=tuple((change(then), change(now))
                                  for then, now in comparison.centres_now))
        return replace(self, meta=meta, comparison=comparison, themes=tuple(
            replace(theme, name=change(theme.name), focus_areas=tuple(
                replace(area, name=change(area.name),
                        effect_goals=tuple(map(change, area.effect_goals)),
                        goals=tuple(map(goal_changed, area.goals)))
                for area in theme.focus_areas))
            for theme in self.themes))

    def with_places(self, change: Callable[[str], str]) -> Report:
        """The same report with `change` applied to the names of the file and the sheet
        each goal was read from (the JSON prints them), the goals gone's too."""
        def goal_changed(goal: Goal) -> Goal:
            source = goal.source
            return replace(goal, source=replace(source, file=change(source.file),
                                                sheet=change(source.sheet)))

        comparison = self.comparison
        if comparison is not None:
            comparison = replace(comparison, removed=tuple(
                replace(placed, goal=goal_changed(placed.goal)) for placed in comparison.removed))
        return replace(self, comparison=comparison, themes=tuple(
            replace(theme, focus_areas=tuple(
                replace(area, goals=tuple(map(goal_changed, area.goals)))
                for area in theme.focus_areas))
            for theme in self.themes))

    def placed_goals(self) -> Iterator[PlacedGoal]:
        """Every goal in report order, with its theme and focus area."""
        for theme in self.themes:
            for area in theme.focus_areas:
                for goal in area.goals:
                    yield PlacedGoal(theme.name, area.name, area.effect_goals, goal)


def _goal_texts(placed: PlacedGoal, placed_too: bool) -> Iterator[tuple[str, str, Goal]]:
    """A goal's texts, and with `placed_too` its theme's, focus area's and effect goals'."""
    goal = placed.goal
    if placed_too:
        yield "theme", placed.theme, goal
        yield "focus_area", placed.focus_area, goal
        for effect_goal in placed.effect_goals:
            yield "effect_goal", effect_goal, goal
    for name in GOAL_TEXTS:
        if getattr(goal, name):
            yield name, getattr(goal, name), goal


class Severity(Enum):
    ERROR = "fejl"
    WARNING = "advarsel"
    NOTICE = "bemærkning"


# Characters that reorder or hide the text around them on a terminal or in a sheet: the
# bidirectional embeddings, overrides and isolates, and the marks that steer them.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """Text safe to show as one line: control characters, line separators and bidi controls
    escaped (`\\n`, `\\x1b`, `\\u202e`), and the bytes of a file name that is not UTF-8
    (the surrogate escapes of `os.fsdecode`) shown as the bytes they were (`\\xf8`)."""
    if text.isprintable():  # the common case; isprintable is false for all we escape
        return text
    out = []
    for char in text:
        code = ord(char)
        category = unicodedata.category(char)
        if char in _SHORT:
            out.append(_SHORT[char])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif category in ("Cc", "Cs", "Zl", "Zp") or char in _BIDI:
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Finding:
    """One thing a check found, with the place it was found: file › sheet › cell."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    centre: str | None = None  # the goal's centre, so findings can go back to who wrote it
    goal_id: str | None = None    # the goal a finding is about, where it is about one
    goal_text: str | None = None

    def __post_init__(self) -> None:
        # A message may quote a cell; what it quotes is never a CPR number, an e-mail
        # address or a phone number (the findings are copied into e-mails). A file's or a
        # sheet's name is shown with its CPR numbers masked (RG601 names it): only those,
        # as a date in a name (`20190115`) would be taken for a phone number.
        object.__setattr__(self, "message", quoted(self.message))
        for name in ("file", "sheet"):
            if getattr(self, name):
                object.__setattr__(self, name, masked(getattr(self, name)))
        if self.goal_text:
            object.__setattr__(self, "goal_text", quoted(self.goal_text))

    @property
    def where(self) -> str:
        return place(self.file, self.sheet, self.cell)

    def __str__(self) -> str:
        """One line, whatever a file name or a cell holds (see `printable`)."""
        place = f"{self.where}: " if self.where else ""
        return printable(f"{self.code} {self.severity.value}: {place}{self.message}")


# Least favourable first.
ORDER = (Status.RED, Status.YELLOW, Status.GREEN)


class Change(Enum):
    IMPROVED = "improved"
    WORSE = "worse"
    UNCHANGED = "unchanged"
    NO_PREVIOUS = "no_previous"  # no status then, or none now: nothing to compare


def least_favourable(statuses: Sequence[Status]) -> Status | None:
    """The status a double status counts as; None for none."""
    return min(statuses, key=ORDER.index, default=None)


def direction(previous: Sequence[Status], current: Sequence[Status]) -> Change:
    """How one column's status went from the earlier follow-up to this one."""
    before, now = least_favourable(previous), least_favourable(current)
    if before is None or now is None:
        return Change.NO_PREVIOUS
    if now is before:
        return Change.UNCHANGED
    return Change.IMPROVED if ORDER.index(now) > ORDER.index(before) else Change.WORSE
