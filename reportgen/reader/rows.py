"""The format-neutral stage of the reader: a workbook's sheets as rows of cells, into goals.

A format module (xlsx.py, calamine.py) hands over each sheet as a `Sheet`: its title,
whether it is visible, its hidden columns, its first rows as text, and on request the rows
below a header, each cell with its reference, its text as shown and its fill's status.
Here the goal sheets and their header rows are found (`find_goal_sheets`), the rows are
normalised into goal rows with a finding for each gap (`normalise_rows`: aliases, status
words, same-as-above) and the `Rapport` sheet is read (`read_meta`). Nothing here knows
how a file stores its cells.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from openpyxl.utils import get_column_letter

from ..contract import (
    ACCEPTED_WORDS,
    COLOUR_WORDS,
    GOAL_SHEET_NAMES,
    HEADER_NAMES,
    HEADERS,
    LAST_ROUND_HEADERS,
    META_KEYS,
    META_NAMES,
    NUMBER_HEADERS,
    PRINTED,
    REPORT_SHEET,
    REQUIRED,
    STATUS_WORDS,
)
from ..dates import date_text
from ..model import Finding, Goal, PlacedGoal, Severity, Source, Status, place
from ..personal_data import CPR, EMAIL, PHONE, Hit, in_number
from ..personal_data import find as find_personal_data

HEADER_SEARCH_ROWS = 20
# Rows under a header: 5,000 goals are read in a few seconds (the plan has a few hundred).
# The contract said 100,000, which openpyxl takes over a minute to load.
MAX_ROWS = 5_000
STATUS_FIELDS = frozenset({"result", "timeline"})
_FIELD_OF_HEADER = {alias: name for name, aliases in HEADERS.items() for alias in aliases}

_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BULLET = re.compile(r"^[•·\-*–]\s+")


def clean_text(value: str) -> str:
    """Text as every writer can take it: one kind of line break, no control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _ILLEGAL_CHARS.sub("", value)


# Text with nothing to fold, trim or remove: most cells, returned as they are.
_PLAIN = re.compile("[^\x00-\x1f\x7f\u00a0\ufffe\uffff\ud800-\udfff]*").fullmatch


def normalise_lines(value: str) -> str:
    """Spaces folded and trimmed on each line; empty lines at the ends dropped."""
    if _PLAIN(value) and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value
    lines = [_SPACES.sub(" ", line).strip() for line in clean_text(value).split("\n")]
    return "\n".join(lines).strip("\n")


def single_line(value: str) -> str:
    return " ".join(normalise_lines(value).split())


_HINT = re.compile(r"\s*\([^()]*\)$")


def header_key(value: Any) -> str:
    """A header as compared: case, spaces, a trailing `:` or `.` and a trailing hint in
    brackets ("Kommentar (udfyldes ved gul og rød)") do not count."""
    text = single_line(str(value)).casefold() if value is not None else ""
    return _HINT.sub("", text.rstrip(":.").strip()).rstrip(":.").strip()


def parse_status(value: str | None) -> tuple[Status, ...] | None:
    """Statuses written in a cell, in order; () when empty; None when not understood."""
    if value is None or not value.strip():
        return ()
    parts = [part.strip().casefold().replace("\ufe0f", "") for part in value.split("/")]
    if len(parts) > 2 or any(part not in STATUS_WORDS for part in parts):
        return None
    return tuple(STATUS_WORDS[part] for part in parts)


@dataclass
class Cell:
    """One cell as read: where it is, what it shows, and its fill."""

    ref: str                           # "H12"; for a merged cell, its own, not the range's
    text: str | None = None            # as shown, normalised (normalise_lines); None if empty
    fill: Status | None | bool = None  # see cells.colour_status; only for status columns
    unreadable: bool = False           # a formula without a cached value
    merged_from: str | None = None     # inside a merged range: the range's first cell
    # A whole number whose leading zero may not show in `text`: read for its value only
    # (.xls, .ods), or of nine digits in a format that pads it to ten. A CPR number typed
    # as a number is one (personal_data.in_number).
    padded: bool = False


@dataclass
class Row:
    number: int
    cells: dict[str, Cell]  # field -> its cell in this row

    def text(self, name: str) -> str | None:
        cell = self.cells.get(name)
        return cell.text if cell else None

    def ref(self, name: str) -> str:
        return self.cells[name].ref

    def unreadable(self, name: str) -> bool:
        cell = self.cells.get(name)
        return bool(cell and cell.unreadable)

    @property
    def is_goal(self) -> bool:
        """A row that says anything about a goal; rows naming only a theme, focus area
        or effect goal are headings for the rows below."""
        return any(cell.text or cell.unreadable for name, cell in self.cells.items()
                   if name not in ("theme", "focus_area", "effect_goal"))


class Sheet(Protocol):
    """One sheet of a workbook, as a format module hands it over."""

    title: str
    visible: bool
    hidden_columns: frozenset[int]  # 1-based
    last_row: int                   # the last row holding a value (0: none)

    def head(self) -> list[list[str | None]]:
        """The first HEADER_SEARCH_ROWS rows, each cell's text as shown (None: empty)."""

    def rows(self, first: int, columns: dict[str, int]) -> list[Row]:
        """The rows from `first` to `last_row` that hold a value, each with the cell of
        every field in `columns` (field -> 1-based column); status fields with their fill."""


@dataclass
class Header:
    """A goal sheet's header row: the column each field is read from."""

    row: int
    columns: dict[str, int]  # field -> column (1-based); "centre_head": a Centerchef column
    missing: list[str]       # required fields with no column
    labels: dict[int, str] = field(default_factory=dict)  # column -> header as written
    unused: list[tuple[str, int, int]] = field(default_factory=list)  # field, column, read
    hidden: frozenset[int] = frozenset()
    numbered: bool = False   # the Id column is headed Nr.
    texts: list[str | None] = field(default_factory=list)  # the header row as shown


@dataclass
class GoalRow:
    """One goal row after normalisation, before workbooks are merged (merge.py)."""

    placed: PlacedGoal
    cell: str               # the goal text's cell, which findings about the goal name
    numbered: bool = False  # its Id came from a Nr. column: see merge.local_numbers

    @property
    def goal(self) -> Goal:
        return self.placed.goal

    @property
    def place(self) -> str:
        return place(self.goal.source.file, self.goal.source.sheet, self.cell)


class FileFindings(list):
    """Findings of one file, so that each call names the place and not the file."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file
        self.sheets: list[str] = []  # the sheets whose cells were checked for personal data

    def add(self, code: str, severity: Severity, message: str, sheet: str | None = None,
            cell: str | None = None, centre: str | None = None, row: Row | None = None) -> None:
        """`row`: the goal row the finding is about (its Id and text go with it)."""
        goal_id, goal_text = (row.text("id"), row.text("goal")) if row else (None, None)
        self.append(Finding(code, severity, message, self.file, sheet, cell, centre,
                            goal_id and single_line(goal_id), goal_text and short(goal_text)))


# RG209: a workbook of the report's details alone (round/plan.with_plan says it otherwise).
DETAILS_ONLY = ("Arbejdsbogen har ingen mål, kun rapportens oplysninger "
                f"(arket »{REPORT_SHEET}«), som rapporten får herfra.")


def read_sheets(sheets: Sequence[Sheet],
                findings: FileFindings) -> tuple[list[GoalRow], int, dict[str, Any]]:
    """A workbook's goal rows, how many goal rows it has, and its report metadata."""
    meta = read_meta(sheets, findings)
    goal_rows: list[GoalRow] = []
    count = 0
    chosen = find_goal_sheets(sheets, findings)
    for sheet, _ in chosen:
        personal_data_in_name(sheet.title, "sheet", findings)
    for sheet, header in chosen:
        if not within_limit(sheet, header.row, findings):
            continue
        rows = sheet.rows(header.row + 1, header.columns)
        personal_data(rows, sheet.title, findings)
        count += sum(1 for row in rows if row.is_goal)
        goal_rows.extend(normalise_rows(rows, sheet.title, findings.file, header, findings))
    if chosen and not count and not any(f.code == "RG107" for f in findings):
        if any(meta.values()):
            # The secretariat's workbook of details, put beside the centres': a `Rapport`
            # sheet that gives the report something, and a goal sheet of its header alone.
            findings.add("RG209", Severity.NOTICE, DETAILS_ONLY)
        else:
            # A centre's empty workbook: an error, or its goals would be missed unsaid.
            sheet, header = chosen[0]
            findings.add("RG208", Severity.ERROR,
                         "Arbejdsbogen har ingen mål: der står intet under overskriftsrækken. "
                         "Skriv målene, ét pr. række, under overskrifterne.",
                         sheet=sheet.title, cell=f"A{header.row + 1}")
    return goal_rows, count, meta


_PERSONAL = {
    CPR: ("RG601", Severity.ERROR, "et CPR-nummer ({masked}), som ikke må offentliggøres. "
          "Slet nummeret."),
    EMAIL: ("RG602", Severity.WARNING, "en e-mailadresse ({masked}); kommunen offentliggør "
            "ikke e-mailadresser. Slet den, eller skriv en funktion (fx »centrets sekretariat«)."),
    PHONE: ("RG603", Severity.WARNING, "et telefonnummer ({masked}); kommunen offentliggør "
            "ikke telefonnumre. Slet det, eller skriv en funktion (fx »centrets sekretariat«)."),
}


# Why a number of nine digits is taken for a CPR number (personal_data.in_number).
NINE_DIGITS = (" Cellen er et tal på ni cifre; et CPR-nummer, der er skrevet som et tal, "
               "mister sit første nul.")


def personal_data_text(hit: Hit) -> tuple[str, Severity, str]:
    """A hit's code, severity and what a text holds, for »… indeholder {what}«: »et
    CPR-nummer (0101XX-XXXX), som ikke må offentliggøres. Slet nummeret.«"""
    code, severity, what = _PERSONAL[hit.kind]
    likely = "noget, der ligner " if hit.kind == CPR and not hit.certain else ""
    return code, severity, likely + what.format(masked=hit.masked)


def personal_data(rows: list[Row], sheet: str, findings: FileFindings,
                  fields: tuple[str, ...] = (*PRINTED, "id")) -> None:
    """A finding for each CPR number (an error), e-mail address and phone number in a
    printed cell, naming the cell and its goal and showing the number only masked. A
    text repeated down a column (a theme on every row) is printed once: said once. How to
    accept one that is not personal data is added once every input is read
    (checks/acceptance.py `suggest`), as it depends on the other inputs' sheets."""
    findings.sheets.append(sheet)
    seen: set[tuple[str, str]] = set()
    for row in rows:
        goal = row.text("goal")
        for name, cell in row.cells.items():
            if name not in fields or not cell.text or cell.merged_from \
                    or (name, cell.text) in seen:
                continue
            seen.add((name, cell.text))
            hits = [(hit, "") for hit in find_personal_data(cell.text)]
            number = in_number(cell.text) if cell.padded else None
            if number and not any(hit.kind == CPR for hit, _ in hits):
                hits.append((number, NINE_DIGITS))
            for hit, why in hits:
                code, severity, what = personal_data_text(hit)
                of_goal = f" (målet »{short(goal, 40)}«)" if goal and name != "goal" else ""
                findings.add(code, severity, f"Cellen{of_goal} indeholder {what}{why}",
                             sheet=sheet, cell=cell.ref, centre=row.text("centre"),
                             row=row if "goal" in row.cells else None)


# A name that holds a CPR number: what it is, where else it goes, how to mend it.
_NAMES = {
    "file": ("Filnavnet", " og kan blive rapportens eget filnavn", "Omdøb filen"),
    "path": ("Stien til filen", " og kan blive rapportens eget filnavn",
             "Omdøb filen eller mappen"),
    "sheet": ("Arkets navn", "", "Omdøb arket (højreklik på fanen, og vælg Omdøb)"),
}


def personal_data_in_name(name: str, kind: str, findings: FileFindings) -> None:
    """An error (RG601) for each CPR number in the name of a file or of a goal sheet (kind
    "file", "path" where two inputs share a name, or "sheet"): the JSON says where each
    goal was read, and a file's name may become the report's. Said here, by the reader, so
    that `check` finds it, and a build stops before its documents are made (not at the
    guard, RG604, which would blame the templates). Only CPR numbers: a date in a name,
    `20190115`, would be taken for a phone number. Not to be accepted: --accept names a
    cell, and a name is mended by renaming."""
    what, also, mend = _NAMES[kind]
    for hit in find_personal_data(name):
        if hit.kind != CPR:
            continue
        likely = "noget, der ligner " if not hit.certain else ""
        findings.add("RG601", Severity.ERROR,
                     f"{what} indeholder {likely}et CPR-nummer ({hit.masked}), som ikke må "
                     f"offentliggøres: det står i rapportens JSON-fil{also}. {mend}, så "
                     "nummeret ikke står i navnet; et navn kan ikke godkendes med --accept.",
                     sheet=name if kind == "sheet" else None)


def short(text: str, limit: int = 60) -> str:
    """A text quoted in a message: one line, cut with … past `limit` characters."""
    text = single_line(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def within_limit(sheet: Sheet, header_row: int, findings: FileFindings) -> bool:
    if sheet.last_row - header_row <= MAX_ROWS:
        return True
    findings.add("RG107", Severity.ERROR,
                 f"Arket har indhold helt ned til række {sheet.last_row}; grænsen er "
                 f"{MAX_ROWS} rækker under overskriften. Slet de tomme rækker nederst "
                 "(markér dem og vælg Slet), og gem igen.", sheet=sheet.title)
    return False


def find_goal_sheets(sheets: Sequence[Sheet],
                     findings: FileFindings) -> list[tuple[Sheet, Header]]:
    """Every visible sheet whose header row holds the required headers, in workbook order;
    hidden sheets only when no visible sheet holds goals. Which sheets are read, and which
    are not, is said whenever there is a choice."""
    found: list[tuple[Sheet, Header]] = []
    closest: tuple[str, list[str]] | None = None
    for sheet in sheets:
        name = sheet.title.strip().casefold()
        if name == REPORT_SHEET.casefold():
            continue
        header = find_header(sheet)
        if not header.missing:
            found.append((sheet, header))
            continue
        named = name in GOAL_SHEET_NAMES
        if closest is None or named or (len(header.missing) < len(closest[1])
                                        and closest[0].casefold() not in GOAL_SHEET_NAMES):
            closest = (sheet.title, header.missing)
    visible = [(sheet, header) for sheet, header in found if sheet.visible]
    hidden = [(sheet, header) for sheet, header in found if not sheet.visible]
    if visible:
        for sheet, _ in hidden:
            findings.add("RG905", Severity.NOTICE,
                         f"Det skjulte ark »{sheet.title}« har også mål, men læses ikke: "
                         "skjulte ark læses kun, når intet synligt ark har mål. Slet arket, "
                         "hvis det er gammelt, eller vis det, hvis det skal med.",
                         sheet=sheet.title)
    chosen = visible or hidden
    if hidden and not visible:
        findings.add("RG905", Severity.NOTICE,
                     "Målene står kun på skjulte ark, som derfor læses. Vis arket, så "
                     "centret kan se, hvad der indberettes.", sheet=hidden[0][0].title)
    if len(chosen) > 1:
        names = ", ".join(f"»{sheet.title}«" for sheet, _ in chosen)
        findings.add("RG905", Severity.NOTICE,
                     f"Arbejdsbogen har mål på flere ark ({names}), og alle læses. Står det "
                     "samme mål på to ark, skal status og kommentar være ens.")
    for sheet, header in chosen:
        _note_columns(sheet.title, header, findings)
    if chosen:
        return chosen
    if closest and len(closest[1]) < len(REQUIRED):
        names = ", ".join(f"»{HEADER_NAMES[m]}«" for m in closest[1])
        findings.add("RG104", Severity.ERROR,
                     f"Mangler kolonnen {names} i overskriftsrækken (en af de første "
                     f"{HEADER_SEARCH_ROWS} rækker). Tilføj kolonnen.", sheet=closest[0])
    else:
        findings.add("RG103", Severity.ERROR,
                     "Arbejdsbogen har intet ark med mål: et ark med en overskriftsrække, i en "
                     f"af de første {HEADER_SEARCH_ROWS} rækker, med kolonnerne Tema, "
                     "Indsatsområde, Resultatmål, Center/Centerchef, Resultat og Tidsplan.")
    return []


def find_header(sheet: Sheet) -> Header:
    """The first row holding every required header; else the row that comes closest.

    Where two columns could give a field, the one a person would read wins: a visible
    column before a hidden one, the contract's own header before another it accepts, the
    left before the right. A Centerchef column beside a Center column is read with it."""
    hidden = sheet.hidden_columns
    best = Header(0, {}, list(REQUIRED))
    for number, texts in enumerate(sheet.head(), start=1):
        candidates: dict[str, list[tuple[bool, int, int]]] = {}
        labels: dict[int, str] = {}
        for index, text in enumerate(texts, start=1):
            key = header_key(text)
            name = _FIELD_OF_HEADER.get(key)
            if name and text is not None:  # an empty cell's key is "", no field's header
                rank = HEADERS[name].index(key)
                candidates.setdefault(name, []).append((index in hidden, rank, index))
                labels[index] = single_line(text)
        missing = [name for name in REQUIRED if name not in candidates]
        if missing:
            if len(missing) < len(best.missing):
                best = Header(number, {}, missing)
            continue
        header = Header(number, {}, [], labels, hidden=hidden, texts=texts)
        for name, found in candidates.items():
            first, *others = sorted(found)
            header.columns[name] = first[2]
            if name == "centre" and HEADERS[name][first[1]] == "center":
                head = next((c for c in others if HEADERS[name][c[1]] == "centerchef"
                             and c[0] <= first[0]), None)
                if head is not None:
                    header.columns["centre_head"] = head[2]
                    others.remove(head)
            header.unused.extend((name, other[2], first[2]) for other in others)
        header.numbered = header_key(texts[header.columns["id"] - 1]) in NUMBER_HEADERS \
            if "id" in header.columns else False
        return header
    return best


def _note_columns(sheet: str, header: Header, findings: FileFindings) -> None:
    """Columns not read, each said: unknown headers, a second column for a field, and
    printed text that comes from a hidden column."""
    row = header.row
    for name, column, read in header.unused:
        kind = "Den skjulte kolonne" if column in header.hidden else "Kolonnen"
        findings.add("RG902", Severity.WARNING,
                     f"{kind} »{header.labels[column]}« er også en kolonne for "
                     f"{HEADER_NAMES[name]}, men kun »{header.labels[read]}« "
                     f"({get_column_letter(read)}{row}) læses. Flyt indholdet, og slet den "
                     "ene kolonne.", sheet=sheet, cell=f"{get_column_letter(column)}{row}")
    for name, column in header.columns.items():
        if column in header.hidden and name in PRINTED:
            findings.add("RG903", Severity.WARNING,
                         f"Kolonnen »{header.labels[column]}« er skjult, men er arkets eneste "
                         f"kolonne for {HEADER_NAMES[name]}, så den læses og kommer med i "
                         "rapporten. Vis kolonnen, og tjek, at indholdet må offentliggøres.",
                         sheet=sheet, cell=f"{get_column_letter(column)}{row}")
    known = set(header.columns.values()) | {column for _, column, _ in header.unused}
    # The last round's columns of a centre's workbook (centre_workbooks.py): not read, and
    # no news to anyone, in every workbook of a second round.
    written = {header_key(text) for text in LAST_ROUND_HEADERS.values()}
    for index, text in enumerate(header.texts, start=1):
        if index not in known and text and text.strip() and header_key(text) not in written:
            findings.add("RG901", Severity.NOTICE,
                         f"Kolonnen »{single_line(text)}« kendes ikke og læses ikke.",
                         sheet=sheet, cell=f"{get_column_letter(index)}{row}")


def normalise_rows(rows: list[Row], sheet: str, file: str, header: Header,
                   findings: FileFindings) -> list[GoalRow]:
    """Rows into goals: same-as-above filled in, statuses parsed, each gap a finding."""
    goal_rows: list[GoalRow] = []
    theme = focus_area = None
    effect_goals: tuple[str, ...] = ()
    for row in rows:
        new_theme = row.text("theme")
        if new_theme and single_line(new_theme) != theme:
            theme, focus_area, effect_goals = single_line(new_theme), None, ()
        new_area = row.text("focus_area")
        if new_area and single_line(new_area) != focus_area:
            focus_area, effect_goals = single_line(new_area), ()
        effect_goal = row.text("effect_goal")
        if effect_goal:
            effect_goals = _bullets(effect_goal)
        if not row.is_goal:
            continue
        centre = "/".join(single_line(part) for part in
                          (row.text("centre"), row.text("centre_head")) if part) or None

        def error(code: str, message: str, name: str, *, centre=centre, row=row) -> None:
            findings.add(code, Severity.ERROR, message, sheet=sheet, cell=row.ref(name),
                         centre=centre, row=row)

        for name, cell in row.cells.items():
            if cell.unreadable:
                error("RG206", "Cellen har en formel uden gemt resultat. Åbn filen i Excel, "
                      "og gem den (eller skriv værdien i stedet for formlen).", name)
        for name, value in (("theme", theme), ("focus_area", focus_area)):
            if value is None and not row.unreadable(name):
                error("RG207", f"Rækken har intet {HEADER_NAMES[name].lower()}, og der er "
                      f"intet ovenfor. Skriv det i kolonnen {HEADER_NAMES[name]}.", name)
        text = row.text("goal")
        if not text and not row.unreadable("goal"):
            error("RG203", "Rækken har ingen målformulering (Resultatmål). Skriv målet, "
                  "eller slet rækken.", "goal")
        if not centre and not row.unreadable("centre"):
            error("RG204", "Målet har intet ansvarligt center. Skriv centret "
                  "(fx »CPU/BGE«) i kolonnen Center/Centerchef.", "centre")
        read = {name: _status(row, name, sheet, centre, findings)
                for name in ("result", "timeline")}
        empty = [name for name, found in read.items() if found is None]
        if empty:  # one finding for the goal, naming each empty cell
            cells = " og ".join(f"{_STATUS_LABEL[name]} ({row.ref(name)})" for name in empty)
            error("RG205", f"Målet mangler status for {cells} og er ikke indberettet. "
                  "Vælg grøn, gul eller rød.", empty[0])
        statuses = {name: () if found is None else found for name, found in read.items()}
        if not (text and centre and theme and focus_area):
            continue
        goal = Goal(
            id=single_line(row.text("id") or "") or None,
            text=text,  # line breaks kept: a goal may be a numbered list over several lines
            measure=row.text("measure"),
            centre=centre,
            result=statuses["result"],
            timeline=statuses["timeline"],
            comment=row.text("comment"),
            source=Source(file, sheet, row.number),
        )
        goal_rows.append(GoalRow(PlacedGoal(theme, focus_area, effect_goals, goal),
                                 row.ref("goal"), header.numbered))
        if goal.lacks_comment:
            name = "comment" if "comment" in row.cells else "goal"
            error("RG202", "Gul eller rød status kræver en kort kommentar: hvorfor holder "
                  "resultatet/tidsplanen ikke, hvad er konsekvensen, og hvordan når vi "
                  "i mål?", name)
    return goal_rows


_STATUS_LABEL = {"result": "resultatet", "timeline": "tidsplanen"}


def _status(row: Row, name: str, sheet: str, centre: str | None,
            findings: FileFindings) -> tuple[Status, ...] | None:
    """The statuses of a status cell: its text, else its fill colour; None when it holds
    neither (the goal is not reported)."""
    cell = row.cells[name]

    def add(code: str, severity: Severity, message: str) -> None:
        findings.add(code, severity, message, sheet=sheet, cell=cell.ref, centre=centre,
                     row=row)

    if cell.unreadable:
        return ()
    parsed = parse_status(cell.text)
    if parsed is None:
        add("RG201", Severity.ERROR, f"»{cell.text}« er ikke en kendt status. "
            f"Skriv {ACCEPTED_WORDS}.")
        return ()
    if parsed and isinstance(cell.fill, Status) and cell.fill not in parsed:
        add("RG211", Severity.WARNING,
            f"Cellen siger »{cell.text}«, men er farvet {COLOUR_WORDS[cell.fill]}; teksten "
            "bruges. Ret farven eller teksten, så de passer sammen.")
    if parsed:
        return parsed
    if isinstance(cell.fill, Status):
        return (cell.fill,)
    if cell.fill is False:
        add("RG212", Severity.WARNING, "Cellen er farvet, men farven er hverken tydeligt grøn, "
            "gul eller rød. Skriv status som ord: grøn, gul eller rød.")
    return None


def _bullets(text: str) -> tuple[str, ...]:
    return tuple(_BULLET.sub("", line) for line in text.split("\n") if line.strip())


def read_meta(sheets: Sequence[Sheet], findings: FileFindings) -> dict[str, Any]:
    """The `Rapport` sheet, all of it: key/value rows; rows with no key continue the key
    above. A key given twice with two values is an error naming both cells."""
    sheet = next((s for s in sheets if s.title.strip().casefold() == REPORT_SHEET.casefold()),
                 None)
    if sheet is None or not within_limit(sheet, 0, findings):
        return {}
    entries: list[tuple[str, int, list[str]]] = []  # key, row, its values
    key = None
    rows = sheet.rows(1, {"key": 1, "value": 2})
    personal_data(rows, sheet.title, findings, fields=("value",))
    for row in rows:
        # a merged key or value stands once, in the range's first row
        raw_key, text = (None if row.cells[name].merged_from else row.text(name)
                         for name in ("key", "value"))
        if raw_key is not None:
            key = META_KEYS.get(header_key(raw_key))
            if key is None:
                findings.add("RG301", Severity.WARNING,
                             f"Nøglen »{single_line(raw_key)}« kendes ikke og bruges "
                             f"ikke. Kendte nøgler: {', '.join(META_NAMES.values())}.",
                             sheet=sheet.title, cell=row.ref("key"))
                continue
            entries.append((key, row.number, []))
        if key and text:
            entries[-1][2].append(text)
    meta: dict[str, Any] = {}
    first_row: dict[str, int] = {}
    for key, number, texts in entries:
        if key == "intro":
            meta[key] = meta.get(key, ()) + tuple(p for t in texts for p in _paragraphs(t))
            continue
        value = single_line(" ".join(texts)) if texts else None
        if key == "date" and value:  # a date cell as shown, 15-01-2019: in words
            value = date_text(value)
        if key in first_row and value and meta.get(key) and value != meta[key]:
            findings.add("RG303", Severity.ERROR,
                         f"»{META_NAMES[key]}« står to gange med hver sin værdi (række "
                         f"{first_row[key]} og {number}). Slet den ene række.",
                         sheet=sheet.title, cell=f"A{number}")
            continue
        if value or key not in meta:
            meta[key] = meta.get(key) or value
        first_row.setdefault(key, number)
    return meta


def _paragraphs(text: str) -> list[str]:
    return [single_line(p) for p in re.split(r"\n\s*\n", text) if p.strip()]
