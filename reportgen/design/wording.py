"""The report's fixed wording (legend, labels), read from the templates' `wording.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from ..errors import ReportgenError
from ..model import Status

_PARENTHESES = re.compile(r"\s*\([^)]*\)\.?")


@dataclass(frozen=True)
class LegendRow:
    status: Status
    name: str
    result: str
    timeline: str


@dataclass(frozen=True)
class Wording:
    legend_intro: str
    legend_heading: str
    comment_rule: str
    comment_label: str
    not_reported: str
    missing_comment: str
    draft_mark: str
    gaps_heading: str
    gaps_not_reported: str
    gaps_missing_comment: str
    # The labels of the tables, in both documents.
    header_case_number: str
    header_case_handler: str
    header_date: str
    header_revised: str
    area_label: str
    status_label: str
    goal_label: str
    effect_label: str
    column_measure: str
    column_result: str
    column_timeline: str
    column_centre: str
    legend: tuple[LegendRow, ...]
    # Further texts a template editor adds to wording.toml, used as `wording.<key>`: a new
    # label needs no change here.
    extra: tuple[tuple[str, str], ...] = ()

    def __getattr__(self, name: str) -> str:  # only where no field has the name
        for key, text in self.__dict__.get("extra", ()):
            if key == name:
                return text
        raise AttributeError(name)

    def row(self, status: Status) -> LegendRow:
        return next(row for row in self.legend if row.status is status)

    def alt(self, status: Status, column: str | None = None) -> str:
        """Danish alternative text: the colour, and for a table cell what it means."""
        row = self.row(status)
        if column is None:
            return row.name
        sentence = _PARENTHESES.sub("", getattr(row, column)).rstrip(". ")
        return f"{row.name}: {sentence[:1].lower()}{sentence[1:]}"


def read_toml(path: Path, what: str) -> dict:
    """A TOML file of the templates read: a mistake in it is RG920 naming the file and, for
    TOML's own errors, the line (`what` names the file's content in a message)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportgenError("RG920", f"{what} kan ikke læses ({type(exc).__name__}).",
                             path.name) from exc
    except tomllib.TOMLDecodeError as exc:  # "… (at line 3, column 5)"
        at = re.search(r"at line (\d+), column (\d+)", str(exc))
        where = f"{path.name}, linje {at[1]}, kolonne {at[2]}" if at else path.name
        raise ReportgenError("RG920", f"{what} er ikke gyldig TOML (tjek anførselstegn, "
                             f"lighedstegn og [afsnit]): {exc}.", where) from exc


def load_wording(templates: Path) -> Wording:
    """The wording file read and checked: a mistake in it is RG920 naming the file and, for
    TOML's own errors, the line."""
    path = templates / "wording.toml"
    data = read_toml(path, "Ordlyden")
    texts = {f.name for f in fields(Wording)} - {"legend", "extra"}
    rows = {f.name for f in fields(LegendRow)} - {"status"}
    missing = [key for key in sorted(texts) if not isinstance(data.get(key), str)]
    missing += [f"[{status.value}] {key}" for status in Status for key in sorted(rows)
                if not isinstance(data.get(status.value, {}).get(key), str)]
    if missing:
        raise ReportgenError("RG920", "Ordlyden mangler teksten (eller den er ikke en tekst "
                             f"i anførselstegn): {', '.join(missing)}.", path.name)
    legend = tuple(LegendRow(status, **{k: data[status.value][k] for k in rows})
                   for status in Status)
    extra = tuple((key, value) for key, value in sorted(data.items())
                  if key not in texts and isinstance(value, str))
    return Wording(legend=legend, extra=extra, **{key: data[key] for key in texts})
