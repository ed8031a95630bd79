"""The overview: how many goals are green, yellow, red or not reported, per theme and in
all, for the result and for the timeline.

Pure and without wording: the templates name the columns. Each goal is counted once per
column, by its own statuses:
- a double status (`gul / grøn`) counts by its least favourable status, red before
  yellow before green;
- a goal without a status in a column counts as not reported in that column (a goal
  with a result but no timeline is counted by its result, and not reported in the
  timeline), so each column's numbers add up to the number of goals.

`counts(report)` can be called on any report: on an earlier follow-up's as well, whose
total can then stand beside this one's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ..model import Goal, Report, Status, least_favourable

COLUMNS = ("result", "timeline")


@dataclass(frozen=True)
class Counts:
    """The goals of one column by status. Field order is the JSON's and the tables'."""

    green: int = 0
    yellow: int = 0
    red: int = 0
    not_reported: int = 0

    @classmethod
    def of(cls, column: Iterable[tuple[Status, ...]]) -> Counts:
        """The counts of a column: each item one goal's statuses in it."""
        tally = dict.fromkeys([*(s.value for s in Status), "not_reported"], 0)
        for statuses in column:
            status = least_favourable(statuses)
            tally[status.value if status else "not_reported"] += 1
        return cls(**tally)

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[int, int, int, int]:
        return (self.green, self.yellow, self.red, self.not_reported)

    @property
    def goals(self) -> int:
        return sum(self.values())


@dataclass(frozen=True)
class Tally:
    """A theme's (or the report's) counts for the result and for the timeline."""

    result: Counts = Counts()
    timeline: Counts = Counts()

    @classmethod
    def of(cls, goals: Iterable[Goal]) -> Tally:
        goals = tuple(goals)
        return cls(Counts.of(goal.result for goal in goals),
                   Counts.of(goal.timeline for goal in goals))

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.result + other.result, self.timeline + other.timeline)


@dataclass(frozen=True)
class ThemeTally:
    name: str
    tally: Tally

    @property
    def result(self) -> Counts:
        return self.tally.result

    @property
    def timeline(self) -> Counts:
        return self.tally.timeline


@dataclass(frozen=True)
class Overview:
    themes: tuple[ThemeTally, ...]
    total: Tally
    previous_total: Tally | None = None  # the earlier follow-up's, compared with one

    def records(self) -> dict:
        """The JSON export's `overview` (with `previous_total` when compared)."""
        records = {"themes": [{"name": theme.name, **asdict(theme.tally)}
                              for theme in self.themes],
                   "total": asdict(self.total)}
        if self.previous_total is not None:
            records["previous_total"] = asdict(self.previous_total)
        return records


def counts(report: Report) -> Overview:
    """The report's overview: one tally per theme, in report order, and the total."""
    themes = tuple(
        ThemeTally(theme.name, Tally.of(goal for area in theme.focus_areas for goal in area.goals))
        for theme in report.themes)
    total = sum((theme.tally for theme in themes), Tally())
    earlier = report.comparison
    return Overview(themes, total, None if earlier is None else
                    Tally.of(placed.goal for placed in earlier.earlier))
