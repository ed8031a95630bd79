"""The workbook reader: centre workbooks (.xlsx) in, the normalised report and findings out.

Two stages, as in the workbook contract: first every goal row is taken from the sheet
with the cell reference of each value (`_read_sheet`), then the rows are normalised
(aliases, status words, same-as-above) and merged into the model (`_assemble`).
Only this module imports openpyxl; all Danish input vocabulary lives here.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
from babel.dates import format_date
from openpyxl.utils import get_column_letter

from .model import Finding, FocusArea, Goal, Meta, Report, Severity, Source, Status, Theme

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
GOAL_SHEET_NAMES = ("mål", "maal", "goals")
REPORT_SHEET_NAME = "rapport"

# Column headers of the goal sheet, after `_header_key`: field -> accepted headers.
HEADERS: dict[str, tuple[str, ...]] = {
    "theme": ("tema", "theme"),
    "focus_area": ("indsatsområde", "indsatsomraade", "focus area"),
    "effect_goal": ("effektmål", "effektmaal", "effect goal"),
    "goal": ("resultatmål", "mål", "resultatmaal", "goal"),
    "measure": ("måles hvordan/opnås gennem", "måles hvordan", "opnås gennem", "measure"),
    "centre": ("center/centerchef", "center", "centerchef", "ansvarlig", "responsible"),
    "result": ("resultat", "resultater", "status resultat", "result"),
    "timeline": ("tidsplan", "status tidsplan", "timeline"),
    "comment": ("kommentar", "kommentarer", "bemærkning", "comment"),
    "id": ("id", "nr"),
}
REQUIRED = ("theme", "focus_area", "goal", "centre", "result", "timeline")
HEADER_NAMES = {  # the Danish header a message names
    "theme": "Tema",
    "focus_area": "Indsatsområde",
    "goal": "Resultatmål",
    "centre": "Center/Centerchef",
    "result": "Resultat",
    "timeline": "Tidsplan",
}
_FIELD_OF_HEADER = {alias: name for name, aliases in HEADERS.items() for alias in aliases}

STATUS_WORDS: dict[str, Status] = {
    **dict.fromkeys(("grøn", "groen", "green", "🟢", "😊", "🙂", "☺"), Status.GREEN),
    **dict.fromkeys(("gul", "yellow", "🟡", "😐"), Status.YELLOW),
    **dict.fromkeys(("rød", "roed", "red", "🔴", "☹", "🙁", "😞"), Status.RED),
}
ACCEPTED_WORDS = "grøn, gul, rød (eller green, yellow, red; to med / imellem, fx »gul / grøn«)"

# Keys of the `Rapport` sheet, after `_header_key`.
META_KEYS = {
    "titel": "title",
    "undertitel": "subtitle",
    "sagsnr": "case_number",
    "sagsbehandler": "case_handler",
    "dato": "date",
    "revideret": "revised",
    "opfølgning": "follow_up",
    "indledning": "intro",
}

_ILLEGAL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BULLET = re.compile(r"^[•·\-*–]\s+")


def clean_text(value: str) -> str:
    """Text as every writer can take it: one kind of line break, no control characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    return _ILLEGAL_CHARS.sub("", value)


def _normalise_lines(value: str) -> str:
    """Spaces folded and trimmed on each line; empty lines at the ends dropped."""
    lines = [_SPACES.sub(" ", line).strip() for line in clean_text(value).split("\n")]
    return "\n".join(lines).strip("\n")


def _single_line(value: str) -> str:
    return " ".join(_normalise_lines(value).split())


def _header_key(value: Any) -> str:
    text = _single_line(str(value)).casefold() if value is not None else ""
    return text.rstrip(":.").strip()


def _display(value: Any) -> str | None:
    """A cell's value as text, the way a reader of the sheet sees it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_date(value, "d. MMMM y", locale="da_DK")
    if isinstance(value, dt.datetime):
        return format_date(value, "d. MMMM y", locale="da_DK") + value.strftime(" %H:%M")
    text = _normalise_lines(str(value))
    return text or None


def parse_status(value: str | None) -> tuple[Status, ...] | None:
    """Statuses written in a cell, in order; () when empty; None when not understood."""
    if value is None or not value.strip():
        return ()
    parts = [part.strip().casefold().replace("\ufe0f", "") for part in value.split("/")]
    if len(parts) > 2 or any(part not in STATUS_WORDS for part in parts):
        return None
    return tuple(STATUS_WORDS[part] for part in parts)


@dataclass
class _Cell:
    value: Any
    ref: str


@dataclass
class _Row:
    number: int
    cells: dict[str, _Cell]

    def text(self, name: str) -> str | None:
        cell = self.cells.get(name)
        return _display(cell.value) if cell else None

    def ref(self, name: str) -> str:
        return self.cells[name].ref


@dataclass
class _GoalRow:
    """One goal row after normalisation, before workbooks are merged."""

    theme: str
    focus_area: str
    effect_goals: tuple[str, ...]
    goal: Goal


@dataclass
class ReadResult:
    report: Report
    findings: list[Finding]
    rows_read: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


class _Findings(list):
    """Findings of one file, so that each call names the place and not the file."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def add(self, code: str, severity: Severity, message: str,
            sheet: str | None = None, cell: str | None = None) -> None:
        self.append(Finding(code, severity, message, self.file, sheet, cell))


def find_workbooks(inputs: Iterable[Path]) -> list[Path]:
    """Files as given; a folder's .xlsx/.xlsm files in name order, skipping Excel's lock files."""
    paths: list[Path] = []
    for path in inputs:
        if path.is_dir():
            paths.extend(sorted(
                p for p in path.iterdir()
                if p.suffix.lower() in (".xlsx", ".xlsm") and not p.name.startswith("~$")
            ))
        else:
            paths.append(path)
    return paths


def read_workbooks(paths: Sequence[Path]) -> ReadResult:
    """Read several workbooks as one report; goals merged by Id or by their place and text."""
    findings: list[Finding] = []
    rows_read: dict[str, int] = {}
    metas: list[tuple[str, dict[str, Any]]] = []
    goal_rows: list[_GoalRow] = []
    for path in paths:
        file_findings = _Findings(path.name)
        rows, count, meta = _read_workbook(path, file_findings)
        findings.extend(file_findings)
        rows_read[path.name] = count
        goal_rows.extend(rows)
        if meta:
            metas.append((path.name, meta))
    meta = _merge_meta(metas, findings)
    report = Report(meta=meta, themes=_assemble(goal_rows, findings))
    return ReadResult(report, findings, rows_read)


def read_workbook(path: Path) -> ReadResult:
    return read_workbooks([path])


def _read_workbook(path: Path,
                   findings: _Findings) -> tuple[list[_GoalRow], int, dict[str, Any]]:
    """The file's goal rows, how many non-empty rows it has, and its report metadata."""
    if not _check_file(path, findings):
        return [], 0, {}
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        findings.add("RG101", Severity.ERROR,
                     f"Filen kan ikke læses som en Excel-arbejdsbog ({type(exc).__name__}). "
                     "Åbn den i Excel og gem den som .xlsx.")
        return [], 0, {}
    try:
        meta = _read_meta(workbook, findings)
        sheet = _find_goal_sheet(workbook, findings)
        if sheet is None:
            return [], 0, meta
        worksheet, header_row, columns = sheet
        rows = _read_goal_rows(worksheet, header_row, columns, findings)
        return _normalise_rows(rows, worksheet.title, path.name, findings), len(rows), meta
    finally:
        workbook.close()


def _check_file(path: Path, findings: _Findings) -> bool:
    """Refuse what openpyxl must not be handed: the wrong kind of file, or one too big."""
    if not path.is_file():
        findings.add("RG100", Severity.ERROR, "Filen findes ikke.")
        return False
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        findings.add("RG106", Severity.ERROR,
                     f"Filen er {size // 2**20} MB; grænsen er {MAX_FILE_BYTES // 2**20} MB.")
        return False
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        findings.add("RG102", Severity.ERROR,
                     "Filen er i det gamle Excel-format (.xls) eller er beskyttet med "
                     "adgangskode. Fjern en evt. adgangskode, og gem den som .xlsx.")
        return False
    if not magic.startswith(b"PK\x03\x04"):
        findings.add("RG101", Severity.ERROR,
                     "Filen er ikke en Excel-arbejdsbog (.xlsx). Gem den som .xlsx i Excel.")
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        findings.add("RG101", Severity.ERROR,
                     "Filen er beskadiget og kan ikke åbnes. Gem den igen som .xlsx.")
        return False
    if unpacked > MAX_UNPACKED_BYTES:
        findings.add("RG106", Severity.ERROR,
                     f"Filen fylder {unpacked // 2**20} MB udpakket; grænsen er "
                     f"{MAX_UNPACKED_BYTES // 2**20} MB. Fjern unødvendige data, og gem igen.")
        return False
    if "xl/workbook.xml" not in names:
        findings.add("RG101", Severity.ERROR,
                     "Filen er en zip-fil, men ikke en Excel-arbejdsbog. Gem den som .xlsx.")
        return False
    return True


def _find_goal_sheet(workbook, findings: _Findings):
    """The goal sheet by name, else the first visible sheet with the required headers."""
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    named = [ws for ws in workbook.worksheets if ws.title.strip().casefold() in GOAL_SHEET_NAMES]
    candidates = named or [ws for ws in visible if ws.title.strip().casefold() != REPORT_SHEET_NAME]
    best_missing: tuple[str, list[str]] | None = None
    for worksheet in candidates:
        header_row, columns, missing = _find_header(worksheet)
        if not missing:
            _note_unknown_columns(worksheet, header_row, columns, findings)
            return worksheet, header_row, columns
        if named or best_missing is None or len(missing) < len(best_missing[1]):
            best_missing = (worksheet.title, missing)
        if named:
            break
    if best_missing and len(best_missing[1]) < len(REQUIRED):
        names = ", ".join(f"»{HEADER_NAMES[m]}«" for m in best_missing[1])
        findings.add("RG104", Severity.ERROR,
                     f"Mangler kolonnen {names} i overskriftsrækken (en af de første "
                     f"{HEADER_SEARCH_ROWS} rækker). Tilføj kolonnen.", sheet=best_missing[0])
    else:
        findings.add("RG103", Severity.ERROR,
                     "Arbejdsbogen har intet ark med mål (et ark »Mål« med kolonnerne Tema, "
                     "Indsatsområde, Resultatmål, Center/Centerchef, Resultat og Tidsplan).")
    return None


def _find_header(worksheet) -> tuple[int, dict[str, int], list[str]]:
    """The first row holding every required header; else the row that comes closest."""
    best: tuple[int, dict[str, int], list[str]] = (0, {}, list(REQUIRED))
    for number, values in enumerate(
            worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        columns: dict[str, int] = {}
        for index, value in enumerate(values, start=1):
            name = _FIELD_OF_HEADER.get(_header_key(value))
            if name and name not in columns:
                columns[name] = index
        missing = [name for name in REQUIRED if name not in columns]
        if not missing:
            return number, columns, []
        if len(missing) < len(best[2]):
            best = (number, columns, missing)
    return best


def _note_unknown_columns(worksheet, header_row: int, columns: dict[str, int],
                          findings: _Findings) -> None:
    known = set(columns.values())
    row = next(worksheet.iter_rows(min_row=header_row, max_row=header_row, values_only=True))
    for index, value in enumerate(row, start=1):
        if index not in known and value is not None and str(value).strip():
            findings.add("RG901", Severity.NOTICE,
                         f"Kolonnen »{_single_line(str(value))}« kendes ikke og læses ikke.",
                         sheet=worksheet.title, cell=f"{get_column_letter(index)}{header_row}")


def _read_goal_rows(worksheet, header_row: int, columns: dict[str, int],
                    findings: _Findings) -> list[_Row]:
    """Every non-empty row below the header, each value with its cell reference."""
    rows: list[_Row] = []
    last_column = max(columns.values())
    for number, cells in enumerate(
            worksheet.iter_rows(min_row=header_row + 1, max_col=last_column),
            start=header_row + 1):
        if number - header_row > MAX_ROWS:
            findings.add("RG107", Severity.ERROR,
                         f"Arket har over {MAX_ROWS:,} rækker; det er grænsen.".replace(",", "."),
                         sheet=worksheet.title)
            return []
        row = _Row(number, {
            name: _Cell(cells[index - 1].value if index <= len(cells) else None,
                        f"{get_column_letter(index)}{number}")
            for name, index in columns.items()
        })
        if any(row.text(name) for name in columns):
            rows.append(row)
    return rows


def _normalise_rows(rows: list[_Row], sheet: str, file: str,
                    findings: _Findings) -> list[_GoalRow]:
    """Rows into goals: same-as-above filled in, statuses parsed, each gap a finding."""
    goal_rows: list[_GoalRow] = []
    theme = focus_area = None
    effect_goals: tuple[str, ...] = ()

    def error(code: str, message: str, cell: str) -> None:
        findings.add(code, Severity.ERROR, message, sheet=sheet, cell=cell)

    for row in rows:
        new_theme = row.text("theme")
        if new_theme and new_theme != theme:
            theme, focus_area, effect_goals = _single_line(new_theme), None, ()
        new_area = row.text("focus_area")
        if new_area and _single_line(new_area) != focus_area:
            focus_area, effect_goals = _single_line(new_area), ()
        if "effect_goal" in row.cells and row.text("effect_goal"):
            effect_goals = _bullets(row.text("effect_goal"))
        if theme is None:
            error("RG207", "Rækken har intet tema, og der er intet tema ovenfor. "
                  "Skriv temaet i kolonnen Tema.", row.ref("theme"))
            continue
        if focus_area is None:
            error("RG207", "Rækken har intet indsatsområde, og der er intet ovenfor i samme "
                  "tema. Skriv indsatsområdet.", row.ref("focus_area"))
            continue
        text, centre = row.text("goal"), row.text("centre")
        if not text:
            error("RG203", "Rækken har ingen målformulering (Resultatmål). Skriv målet, "
                  "eller slet rækken.", row.ref("goal"))
        if not centre:
            error("RG204", "Målet har intet ansvarligt center. Skriv centret "
                  "(fx »CPU/BGE«) i kolonnen Center/Centerchef.", row.ref("centre"))
        statuses = {}
        for name in ("result", "timeline"):
            parsed = parse_status(row.text(name))
            if parsed is None:
                error("RG201", f"»{row.text(name)}« er ikke en kendt status. "
                      f"Skriv {ACCEPTED_WORDS}.", row.ref(name))
                parsed = ()
            statuses[name] = parsed
        if not text or not centre:
            continue
        goal = Goal(
            text=_single_line(text),
            centre=_single_line(centre),
            result=statuses["result"],
            timeline=statuses["timeline"],
            measure=row.text("measure") if "measure" in row.cells else None,
            comment=row.text("comment") if "comment" in row.cells else None,
            id=_single_line(row.text("id") or "") or None if "id" in row.cells else None,
            source=Source(file, sheet, row.number),
        )
        goal_rows.append(_GoalRow(theme, focus_area, effect_goals, goal))
        _check_goal(goal, row, sheet, findings)
    return goal_rows


def _check_goal(goal: Goal, row: _Row, sheet: str, findings: _Findings) -> None:
    for name, statuses, label in (("result", goal.result, "resultatet"),
                                  ("timeline", goal.timeline, "tidsplanen")):
        if not statuses and row.text(name) is None:
            findings.add("RG205", Severity.ERROR,
                         f"Målet mangler status for {label} og er ikke indberettet. "
                         "Vælg grøn, gul eller rød.", sheet=sheet, cell=row.ref(name))
    if goal.lacks_comment:
        cell = row.ref("comment") if "comment" in row.cells else row.ref("goal")
        findings.add("RG202", Severity.ERROR,
                     "Gul eller rød status kræver en kort kommentar: hvorfor holder "
                     "resultatet/tidsplanen ikke, hvad er konsekvensen, og hvordan når vi "
                     "i mål?", sheet=sheet, cell=cell)


def _bullets(text: str) -> tuple[str, ...]:
    return tuple(_BULLET.sub("", line) for line in text.split("\n") if line.strip())


def _assemble(rows: list[_GoalRow], findings: list[Finding]) -> tuple[Theme, ...]:
    """Themes, focus areas and goals in the order they first appear; duplicates merged."""
    areas: dict[str, dict[str, tuple[list[str], list[Goal]]]] = {}
    seen: dict[Any, Goal] = {}
    for row in rows:
        goal = row.goal
        key = ("id", goal.id) if goal.id else ("text", row.theme, row.focus_area, goal.text)
        earlier = seen.get(key)
        if earlier is not None:
            if _differs(earlier, goal):
                findings.append(_conflict(earlier, goal))
            continue
        seen[key] = goal
        effect_goals, goals = areas.setdefault(row.theme, {}).setdefault(
            row.focus_area, ([], []))
        effect_goals.extend(e for e in row.effect_goals if e not in effect_goals)
        goals.append(goal)
    return tuple(
        Theme(theme, tuple(FocusArea(name, tuple(effect), tuple(goals))
                           for name, (effect, goals) in focus_areas.items()))
        for theme, focus_areas in areas.items()
    )


def _differs(a: Goal, b: Goal) -> bool:
    return (a.result, a.timeline, a.comment) != (b.result, b.timeline, b.comment)


def _conflict(a: Goal, b: Goal) -> Finding:
    place = f"{b.source.file} › {b.source.sheet} › række {b.source.row}"
    return Finding("RG401", Severity.ERROR,
                   f"Målet »{_short(a.text)}« står også i {place} med en anden status eller "
                   "kommentar. Ret det ene sted, så de er ens.",
                   a.source.file, a.source.sheet, f"række {a.source.row}")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_meta(workbook, findings: _Findings) -> dict[str, Any]:
    """The `Rapport` sheet: key/value rows; rows with no key continue the key above."""
    sheet = next((ws for ws in workbook.worksheets
                  if ws.title.strip().casefold() == REPORT_SHEET_NAME), None)
    if sheet is None:
        return {}
    values: dict[str, list[str]] = {}
    key = None
    for number, row in enumerate(sheet.iter_rows(max_col=2, max_row=200, values_only=True),
                                 start=1):
        raw_key, raw_value = (tuple(row) + (None, None))[:2]
        if raw_key is not None and str(raw_key).strip():
            key = META_KEYS.get(_header_key(raw_key))
            if key is None:
                findings.add("RG301", Severity.WARNING,
                             f"Nøglen »{_single_line(str(raw_key))}« kendes ikke og bruges "
                             f"ikke. Kendte nøgler: Titel, Undertitel, Sagsnr., Sagsbehandler, "
                             "Dato, Revideret, Opfølgning, Indledning.",
                             sheet=sheet.title, cell=f"A{number}")
                continue
            values.setdefault(key, [])
        text = _display(raw_value)
        if key and text:
            values[key].append(text)
    meta: dict[str, Any] = {}
    for key, texts in values.items():
        if key == "intro":
            meta[key] = tuple(p for t in texts for p in _paragraphs(t))
        else:
            meta[key] = _single_line(" ".join(texts)) if texts else None
    return meta


def _paragraphs(text: str) -> list[str]:
    return [_single_line(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _merge_meta(metas: list[tuple[str, dict[str, Any]]], findings: list[Finding]) -> Meta:
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for file, meta in metas:
        for key, value in meta.items():
            if not value:
                continue
            if key in merged and merged[key] != value:
                findings.append(Finding(
                    "RG302", Severity.ERROR,
                    f"Rapportoplysningen »{key}« er forskellig i {origin[key]} og {file}. "
                    "Ret den, så den er ens, eller udfyld den kun ét sted.",
                    file, "Rapport"))
                continue
            merged.setdefault(key, value)
            origin.setdefault(key, file)
    return replace(Meta(), **merged)
