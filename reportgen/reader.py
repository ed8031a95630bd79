"""The workbook reader: centre workbooks (.xlsx) in, the normalised report and findings out.

Two stages, as in the workbook contract: first every goal row is taken from the sheet
with the cell reference of each value (`_read_goal_rows`, with cells.py for values as
shown and fill colours), then the rows are normalised (aliases, status words,
same-as-above: `_normalise_rows`) and merged into the model (`_assemble`). Nothing else
reads workbooks; all Danish input vocabulary lives here.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter

from .cells import colour_status, fill_rgb, shown_text, theme_colours
from .model import Finding, FocusArea, Goal, Meta, Report, Severity, Source, Status, Theme
from .sheet_xml import SheetScan, check_workbook

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 100_000
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # 100,000 real goal rows unpack to ~50 MB
MAX_COMPRESSION_RATIO = 200  # sheets compress 5-30x; a bomb, thousands of times
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
COLOUR_WORDS = {Status.GREEN: "grøn", Status.YELLOW: "gul", Status.RED: "rød"}
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


def _display(value: Any, number_format: str = "General") -> str | None:
    """A cell's value as text, the way a reader of the sheet sees it."""
    text = shown_text(value, number_format)
    return (_normalise_lines(text) or None) if text is not None else None


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
    ref: str
    text: str | None = None           # as shown, normalised; None when empty
    fill: Status | None | bool = None  # see cells.colour_status
    unreadable: bool = False           # a formula without a cached value


@dataclass
class _Row:
    number: int
    cells: dict[str, _Cell]

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

    def add(self, code: str, severity: Severity, message: str, sheet: str | None = None,
            cell: str | None = None, centre: str | None = None) -> None:
        self.append(Finding(code, severity, message, self.file, sheet, cell, centre))


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
    names = [path.name for path in paths]
    for path in paths:
        # A file is named by its name, or by its path where two inputs share a name.
        label = path.name if names.count(path.name) == 1 else str(path)
        file_findings = _Findings(label)
        rows, count, meta = _read_workbook(path, label, file_findings)
        findings.extend(file_findings)
        rows_read[label] = count
        goal_rows.extend(rows)
        if meta:
            metas.append((label, meta))
    meta = _merge_meta(metas, findings)
    report = Report(meta=meta, themes=_assemble(goal_rows, findings))
    return ReadResult(report, findings, rows_read)


def read_workbook(path: Path) -> ReadResult:
    return read_workbooks([path])


def _read_workbook(path: Path, label: str,
                   findings: _Findings) -> tuple[list[_GoalRow], int, dict[str, Any]]:
    """The file's goal rows, how many goal rows it has, and its report metadata."""
    if not _check_file(path, findings):
        return [], 0, {}
    try:
        # The sheets' XML first: what openpyxl will be asked to build is bounded by what
        # the file holds, not by what it declares (sheet_xml.py). It raises as openpyxl
        # does for broken or unsafe XML, hence inside this try.
        checked = check_workbook(path, findings)
        if checked is None:
            return [], 0, {}
        # Normal (not read-only) mode: merged ranges, fills and number formats are only
        # there. The archive was checked first, and rows are bounded before iterating.
        workbook = openpyxl.load_workbook(checked.source, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        _loading_failed(exc, findings)
        return [], 0, {}
    try:
        meta = _read_meta(workbook, findings)
        found = _find_goal_sheet(workbook, findings)
        if found is None:
            return [], 0, meta
        worksheet, header_row, columns = found
        scan = checked.sheets[workbook.worksheets.index(worksheet)]
        rows = _read_goal_rows(scan, workbook, worksheet, header_row, columns, findings)
        goal_rows = sum(1 for row in rows if row.is_goal)
        return _normalise_rows(rows, worksheet.title, label, findings), goal_rows, meta
    finally:
        workbook.close()


def _loading_failed(exc: Exception, findings: _Findings) -> None:
    """Sheets are parsed with defusedxml, workbook parts with lxml (entities unresolved,
    amplification capped): either refusal is reported as unsafe XML."""
    cause: BaseException | None = exc
    while cause is not None and not (isinstance(cause, DefusedXmlException)
                                     or "entity" in str(cause).lower()):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        findings.add("RG105", Severity.ERROR,
                     "Filen indeholder XML-konstruktioner, som af sikkerhedshensyn ikke læses "
                     "(fx entiteter). Kopiér indholdet til en ny arbejdsbog, og gem den som .xlsx.")
    else:
        findings.add("RG101", Severity.ERROR,
                     f"Filen kan ikke læses som en Excel-arbejdsbog ({type(exc).__name__}). "
                     "Åbn den i Excel, og gem den som .xlsx.")


def _check_file(path: Path, findings: _Findings) -> bool:
    """Refuse what openpyxl must not be handed: the wrong kind of file, or one too big.

    The archive's declared sizes bound what it can inflate to: Python's zipfile never
    returns more than an entry declares, so a zip bomb is refused here, unread.
    """
    if not path.is_file():
        findings.add("RG100", Severity.ERROR, "Filen findes ikke.")
        return False
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        findings.add("RG106", Severity.ERROR,
                     f"Filen er {size // 2**20} MB; grænsen er {MAX_FILE_BYTES // 2**20} MB. "
                     "Fjern billeder og unødvendige ark, og gem igen.")
        return False
    with path.open("rb") as stream:
        magic = stream.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        findings.add("RG102", Severity.ERROR, _ole2_message(path))
        return False
    if not magic.startswith(b"PK\x03\x04"):
        kind = "en tekst- eller CSV-fil" if _looks_like_text(magic) else "ikke en Excel-arbejdsbog"
        findings.add("RG101", Severity.ERROR,
                     f"Filen er {kind}, ikke en .xlsx-arbejdsbog. Åbn den i Excel, og gem den "
                     "som .xlsx (Excel-projektmappe).")
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        findings.add("RG101", Severity.ERROR,
                     "Filen er beskadiget og kan ikke åbnes. Gem den igen som .xlsx.")
        return False
    unpacked = sum(entry.file_size for entry in entries)
    ratio = max((e.file_size / max(e.compress_size, 1) for e in entries
                 if e.file_size > 10 * 2**20), default=0)
    if unpacked > MAX_UNPACKED_BYTES or ratio > MAX_COMPRESSION_RATIO:
        findings.add("RG106", Severity.ERROR,
                     f"Filen pakker sig ud til {unpacked // 2**20} MB (grænsen er "
                     f"{MAX_UNPACKED_BYTES // 2**20} MB) eller er unormalt tæt pakket. "
                     "Kopiér målene til en ny arbejdsbog, og gem den som .xlsx.")
        return False
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        findings.add("RG101", Severity.ERROR,
                     "Filen er en zip-fil, men ikke en Excel-arbejdsbog. Gem den som .xlsx.")
        return False
    return True


def _ole2_message(path: Path) -> str:
    """An OLE2 file is either an encrypted workbook or the old binary format."""
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            encrypted = ole.exists("EncryptionInfo")
    except Exception:  # a damaged OLE2 file: say what the header says
        encrypted = False
    if encrypted:
        return ("Arbejdsbogen er beskyttet med adgangskode og kan ikke læses. Åbn den i Excel, "
                "fjern adgangskoden (Filer › Oplysninger › Beskyt projektmappe), og gem igen.")
    return ("Filen er i det gamle Excel-format (.xls). Åbn den i Excel, og gem den som .xlsx "
            "(Excel-projektmappe).")


def _looks_like_text(head: bytes) -> bool:
    return all(32 <= byte < 127 or byte in (9, 10, 13) or byte >= 0xC0 for byte in head[:8])


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


def _read_goal_rows(scan: SheetScan, workbook, worksheet, header_row: int,
                    columns: dict[str, int], findings: _Findings) -> list[_Row]:
    """Every goal row below the header, each value as shown with its cell reference."""
    last_row = scan.last_row  # the last row holding a value, not openpyxl's max_row
    if last_row - header_row > MAX_ROWS:
        findings.add("RG107", Severity.ERROR,
                     f"Arket har indhold helt ned til række {last_row}; grænsen er "
                     f"{MAX_ROWS} rækker under overskriften. Slet de tomme rækker nederst "
                     "(markér dem og vælg Slet), og gem igen.", sheet=worksheet.title)
        return []
    last_column = max(columns.values())
    origins = _merged_origins(worksheet, header_row + 1, last_row, last_column)
    formulas = scan.formulas_without_value
    theme = theme_colours(workbook.loaded_theme)
    status_fields = {"result", "timeline"}
    rows: list[_Row] = []
    # Only the rows that hold a value or a merged range, and only the header's columns:
    # an empty row, or a header far to the right, costs nothing.
    for number in scan.rows_to_read(header_row + 1, last_row):
        row = _Row(number, {})
        for name, index in columns.items():
            read = worksheet.cell(number, index)
            cell = origins.get(read.coordinate, read)
            ref = read.coordinate
            row.cells[name] = _Cell(
                ref=ref,
                text=_display(cell.value, cell.number_format),
                fill=_fill_status(cell, theme) if name in status_fields else None,
                unreadable=cell.value is None and cell.coordinate in formulas,
            )
        if any(cell.text or cell.unreadable for cell in row.cells.values()):
            rows.append(row)  # a goal row, or a heading row naming a theme or focus area
    return rows


def _fill_status(cell, theme: list[str]) -> Status | None | bool:
    rgb = fill_rgb(cell, theme)
    return colour_status(rgb) if rgb else None


def _merged_origins(worksheet, first_row: int, last_row: int, last_column: int):
    """Each merged cell in the rows and columns read -> the cell holding the range's value."""
    origins = {}
    for merged in worksheet.merged_cells.ranges:
        origin = worksheet.cell(merged.min_row, merged.min_col)
        for row in range(max(merged.min_row, first_row), min(merged.max_row, last_row) + 1):
            for column in range(merged.min_col, min(merged.max_col, last_column) + 1):
                if (row, column) != (merged.min_row, merged.min_col):
                    origins[f"{get_column_letter(column)}{row}"] = origin
    return origins


def _normalise_rows(rows: list[_Row], sheet: str, file: str,
                    findings: _Findings) -> list[_GoalRow]:
    """Rows into goals: same-as-above filled in, statuses parsed, each gap a finding."""
    goal_rows: list[_GoalRow] = []
    theme = focus_area = None
    effect_goals: tuple[str, ...] = ()
    for row in rows:
        new_theme = row.text("theme")
        if new_theme and _single_line(new_theme) != theme:
            theme, focus_area, effect_goals = _single_line(new_theme), None, ()
        new_area = row.text("focus_area")
        if new_area and _single_line(new_area) != focus_area:
            focus_area, effect_goals = _single_line(new_area), ()
        if row.text("effect_goal"):
            effect_goals = _bullets(row.text("effect_goal"))
        if not row.is_goal:
            continue
        centre = row.text("centre")

        def error(code: str, message: str, name: str, *, centre=centre, row=row) -> None:
            findings.add(code, Severity.ERROR, message, sheet=sheet, cell=row.ref(name),
                         centre=centre)

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
        statuses = {name: _status(row, name, sheet, centre, findings)
                    for name in ("result", "timeline")}
        if not (text and centre and theme and focus_area):
            continue
        goal = Goal(
            id=_single_line(row.text("id") or "") or None,
            text=_single_line(text),
            measure=row.text("measure"),
            centre=_single_line(centre),
            result=statuses["result"],
            timeline=statuses["timeline"],
            comment=row.text("comment"),
            source=Source(file, sheet, row.number),
        )
        goal_rows.append(_GoalRow(theme, focus_area, effect_goals, goal))
        if goal.lacks_comment:
            name = "comment" if "comment" in row.cells else "goal"
            error("RG202", "Gul eller rød status kræver en kort kommentar: hvorfor holder "
                  "resultatet/tidsplanen ikke, hvad er konsekvensen, og hvordan når vi "
                  "i mål?", name)
    return goal_rows


def _status(row: _Row, name: str, sheet: str, centre: str | None,
            findings: _Findings) -> tuple[Status, ...]:
    """The statuses of a status cell: its text, else its fill colour."""
    cell = row.cells[name]
    label = "resultatet" if name == "result" else "tidsplanen"

    def add(code: str, severity: Severity, message: str) -> None:
        findings.add(code, severity, message, sheet=sheet, cell=cell.ref, centre=centre)

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
    add("RG205", Severity.ERROR, f"Målet mangler status for {label} og er ikke indberettet. "
        "Vælg grøn, gul eller rød.")
    return ()


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
