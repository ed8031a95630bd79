"""The workbook reader: centre workbooks (.xlsx) in, the normalised report and findings out.

The file is checked before parsing (`_check_file`, and sheet_xml.py's scan of each
sheet's XML); then, for every goal sheet (`_find_goal_sheets`), each goal row is taken with
the cell reference of each value (`_read_goal_rows`, with cells.py for values as shown and
fill colours), normalised (aliases, status words, same-as-above: `_normalise_rows`) and
merged into the model by the one identity rule (`_assemble`). Nothing else reads
workbooks; the words they are read by are contract.py's.
"""

from __future__ import annotations

import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter

from .cells import colour_status, fill_rgb, shown_text, theme_colours
from .contract import (
    ACCEPTED_WORDS,
    COLOUR_WORDS,
    GOAL_SHEET_NAMES,
    HEADER_NAMES,
    HEADERS,
    META_KEYS,
    META_NAMES,
    NUMBER_HEADERS,
    PRINTED,
    REPORT_SHEET,
    REQUIRED,
    STATUS_WORDS,
)
from .model import (
    Finding,
    FocusArea,
    Goal,
    Meta,
    PlacedGoal,
    Report,
    Severity,
    Source,
    Status,
    Theme,
    place,
)
from .sheet_xml import SheetScan, check_workbook

HEADER_SEARCH_ROWS = 20
MAX_ROWS = 100_000
MAX_COLUMNS = 16_384  # Excel's: XFD
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # 100,000 real goal rows unpack to ~50 MB
MAX_COMPRESSION_RATIO = 200  # sheets compress 5-30x; a bomb, thousands of times
_FIELD_OF_HEADER = {alias: name for name, aliases in HEADERS.items() for alias in aliases}

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


_HINT = re.compile(r"\s*\([^()]*\)$")


def _header_key(value: Any) -> str:
    """A header as compared: case, spaces, a trailing `:` or `.` and a trailing hint in
    brackets ("Kommentar (udfyldes ved gul og rød)") do not count."""
    text = _single_line(str(value)).casefold() if value is not None else ""
    return _HINT.sub("", text.rstrip(":.").strip()).rstrip(":.").strip()


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

    placed: PlacedGoal
    cell: str               # the goal text's cell, which findings about the goal name
    numbered: bool = False  # its Id came from a Nr. column: see `_local_numbers`

    @property
    def goal(self) -> Goal:
        return self.placed.goal

    @property
    def place(self) -> str:
        return place(self.goal.source.file, self.goal.source.sheet, self.cell)


@dataclass
class _Header:
    """A goal sheet's header row: the column each field is read from."""

    row: int
    columns: dict[str, int]  # field -> column (1-based); "centre_head": a Centerchef column
    missing: list[str]       # required fields with no column
    labels: dict[int, str] = field(default_factory=dict)  # column -> header as written
    unused: list[tuple[str, int, int]] = field(default_factory=list)  # field, column, read
    hidden: set[int] = field(default_factory=set)
    numbered: bool = False   # the Id column is headed Nr.


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


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OTHER_SPREADSHEETS = (".xls", ".ods", ".csv", ".numbers")


def find_workbooks(inputs: Iterable[Path]) -> tuple[list[Path], list[Finding]]:
    """Files as given; a folder's .xlsx/.xlsm files in name order. Every other entry of a
    folder is passed over with a word (RG010): nothing in it is skipped silently."""
    paths: list[Path] = []
    findings: list[Finding] = []
    for path in inputs:
        if not path.is_dir():
            paths.append(path)
            continue
        for entry in sorted(path.iterdir()):
            why = _passed_over(entry)
            if why is None:
                paths.append(entry)
            else:
                severity, message = why
                findings.append(Finding("RG010", severity, message, file_label(entry.name)))
    return paths, findings


def _passed_over(entry: Path) -> tuple[Severity, str] | None:
    """Why a folder's entry is not read, or None for a workbook to read."""
    name = entry.name
    if name.startswith("~$"):
        return Severity.NOTICE, ("Excels låsefil (arbejdsbogen er åben på en anden pc) "
                                 "springes over.")
    if name.startswith("."):
        return Severity.NOTICE, "En skjult fil (fx fra en Mac) springes over."
    if entry.is_dir():
        return Severity.NOTICE, "Mappen læses ikke; kun filerne direkte i den valgte mappe."
    suffix = entry.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return None
    if suffix in OTHER_SPREADSHEETS:
        return Severity.WARNING, ("Regnearket er ikke gemt som .xlsx og læses ikke. Åbn det "
                                  "i Excel, og gem det som .xlsx (Excel-projektmappe).")
    return Severity.NOTICE, "Filen er ikke en Excel-arbejdsbog (.xlsx) og springes over."


def read_workbooks(paths: Sequence[Path]) -> ReadResult:
    """Read several workbooks as one report; a goal in two places is one goal only when it
    is the same goal (`_assemble`)."""
    findings: list[Finding] = []
    rows_read: dict[str, int] = {}
    metas: list[tuple[str, dict[str, Any]]] = []
    goal_rows: list[_GoalRow] = []
    names = [file_label(path.name) for path in paths]
    for path, name in zip(paths, names, strict=True):
        # A file is named by its name, or by its path where two inputs share a name.
        label = name if names.count(name) == 1 else file_label(str(path))
        file_findings = _Findings(label)
        rows, count, meta = _read_workbook(path, label, file_findings)
        findings.extend(file_findings)
        rows_read[label] = count
        goal_rows.extend(rows)
        if meta:
            metas.append((label, meta))
    _local_numbers(goal_rows, findings)
    meta = _merge_meta(metas, findings)
    report = Report(meta=meta, themes=_assemble(goal_rows, findings))
    return ReadResult(report, findings, rows_read)


def read_workbook(path: Path) -> ReadResult:
    return read_workbooks([path])


def file_label(name: str) -> str:
    """A file name as text: a name that is not UTF-8 (a Windows share's Latin-1, which
    Python keeps as surrogate escapes) decoded the way Windows wrote it."""
    raw = os.fsencode(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


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
        with warnings.catch_warnings():
            # openpyxl warns of what it leaves out (a dropdown's extension, say); the reader
            # says itself what it does not read
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(checked.source, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        _loading_failed(exc, findings)
        return [], 0, {}
    try:
        meta = _read_meta(workbook, findings)
        goal_rows: list[_GoalRow] = []
        count = 0
        sheets = _find_goal_sheets(workbook, findings)
        for worksheet, header in sheets:
            scan = checked.sheets[workbook.worksheets.index(worksheet)]  # titles may repeat
            rows = _read_goal_rows(scan, workbook, worksheet, header, findings)
            count += sum(1 for row in rows if row.is_goal)
            goal_rows.extend(_normalise_rows(rows, worksheet.title, label, header, findings))
        if sheets and not count and not any(f.code == "RG107" for f in findings):
            findings.add("RG208", Severity.ERROR,
                         "Arbejdsbogen har ingen mål: der står intet under overskriftsrækken. "
                         "Skriv målene, ét pr. række, under overskrifterne.",
                         sheet=sheets[0][0].title, cell=f"A{sheets[0][1].row + 1}")
        return goal_rows, count, meta
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
    if not path.exists():
        findings.add("RG100", Severity.ERROR, "Filen findes ikke.")
        return False
    if not path.is_file():
        findings.add("RG100", Severity.ERROR, "Det er ikke en fil, men fx en mappe. Vælg "
                     "selve arbejdsbogen.")
        return False
    size = path.stat().st_size
    if size == 0:
        findings.add("RG101", Severity.ERROR, "Filen er tom (0 byte). Gem arbejdsbogen igen "
                     "som .xlsx, og send den igen.")
        return False
    if size > MAX_FILE_BYTES:
        findings.add("RG106", Severity.ERROR,
                     f"Filen er {size // 2**20} MB; grænsen er {MAX_FILE_BYTES // 2**20} MB. "
                     "Fjern billeder og unødvendige ark, og gem igen.")
        return False
    try:
        with path.open("rb") as stream:
            magic = stream.read(8)
    except OSError as exc:
        findings.add("RG109", Severity.ERROR,
                     f"Filen kan ikke åbnes ({exc.strerror or type(exc).__name__}). Giv "
                     "adgang til filen, eller kopiér den til en mappe, du kan læse.")
        return False
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        findings.add("RG102", Severity.ERROR, _ole2_message(path))
        return False
    if not magic.startswith(b"PK\x03\x04"):
        kind = ("en PDF-fil" if magic.startswith(b"%PDF") else
                "en tekst- eller CSV-fil" if _looks_like_text(magic) else
                "ikke en Excel-arbejdsbog")
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
    if _is_strict(path):
        findings.add("RG101", Severity.ERROR,
                     "Filen er gemt som »Strict Open XML-regneark«, som ikke kan læses. Åbn "
                     "den i Excel, og gem den som »Excel-projektmappe (.xlsx)«.")
        return False
    return True


_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _is_strict(path: Path) -> bool:
    """Saved as Strict Open XML, whose namespaces openpyxl does not know: it would find no
    sheet at all, and the centre would be told of a missing goal sheet."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as stream:
        return _STRICT_NAMESPACE in stream.read(4096)


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


def _find_goal_sheets(workbook, findings: _Findings) -> list[tuple[Any, _Header]]:
    """Every visible sheet whose header row holds the required headers, in workbook order;
    hidden sheets only when no visible sheet holds goals. Which sheets are read, and which
    are not, is said whenever there is a choice."""
    found: list[tuple[Any, _Header]] = []
    closest: tuple[str, list[str]] | None = None
    for worksheet in workbook.worksheets:
        name = worksheet.title.strip().casefold()
        if name == REPORT_SHEET.casefold():
            continue
        header = _find_header(worksheet)
        if not header.missing:
            found.append((worksheet, header))
            continue
        named = name in GOAL_SHEET_NAMES
        if closest is None or named or (len(header.missing) < len(closest[1])
                                        and closest[0].casefold() not in GOAL_SHEET_NAMES):
            closest = (worksheet.title, header.missing)
    visible = [(ws, header) for ws, header in found if ws.sheet_state == "visible"]
    hidden = [(ws, header) for ws, header in found if ws.sheet_state != "visible"]
    if visible:
        for worksheet, _ in hidden:
            findings.add("RG905", Severity.NOTICE,
                         f"Det skjulte ark »{worksheet.title}« har også mål, men læses ikke: "
                         "skjulte ark læses kun, når intet synligt ark har mål. Slet arket, "
                         "hvis det er gammelt, eller vis det, hvis det skal med.",
                         sheet=worksheet.title)
    chosen = visible or hidden
    if hidden and not visible:
        findings.add("RG905", Severity.NOTICE,
                     "Målene står kun på skjulte ark, som derfor læses. Vis arket, så "
                     "centret kan se, hvad der indberettes.", sheet=hidden[0][0].title)
    if len(chosen) > 1:
        names = ", ".join(f"»{ws.title}«" for ws, _ in chosen)
        findings.add("RG905", Severity.NOTICE,
                     f"Arbejdsbogen har mål på flere ark ({names}), og alle læses. Står det "
                     "samme mål på to ark, skal status og kommentar være ens.")
    for worksheet, header in chosen:
        _note_columns(worksheet, header, findings)
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


def _find_header(worksheet) -> _Header:
    """The first row holding every required header; else the row that comes closest.

    Where two columns could give a field, the one a person would read wins: a visible
    column before a hidden one, the contract's own header before another it accepts, the
    left before the right. A Centerchef column beside a Center column is read with it."""
    hidden = _hidden_columns(worksheet)
    best = _Header(0, {}, list(REQUIRED))
    for number, values in enumerate(
            worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), start=1):
        candidates: dict[str, list[tuple[bool, int, int]]] = {}
        labels: dict[int, str] = {}
        for index, value in enumerate(values, start=1):
            key = _header_key(value)
            name = _FIELD_OF_HEADER.get(key)
            if name:
                rank = HEADERS[name].index(key)
                candidates.setdefault(name, []).append((index in hidden, rank, index))
                labels[index] = _single_line(str(value))
        missing = [name for name in REQUIRED if name not in candidates]
        if missing:
            if len(missing) < len(best.missing):
                best = _Header(number, {}, missing)
            continue
        header = _Header(number, {}, [], labels, hidden=hidden)
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
        header.numbered = _header_key(values[header.columns["id"] - 1]) in NUMBER_HEADERS \
            if "id" in header.columns else False
        return header
    return best


def _hidden_columns(worksheet) -> set[int]:
    hidden: set[int] = set()
    for dimension in worksheet.column_dimensions.values():
        if dimension.hidden and dimension.min:
            hidden.update(range(dimension.min, min(dimension.max or dimension.min,
                                                   MAX_COLUMNS) + 1))
    return hidden


def _note_columns(worksheet, header: _Header, findings: _Findings) -> None:
    """Columns not read, each said: unknown headers, a second column for a field, and
    printed text that comes from a hidden column."""
    row = header.row
    for name, column, read in header.unused:
        kind = "Den skjulte kolonne" if column in header.hidden else "Kolonnen"
        findings.add("RG902", Severity.WARNING,
                     f"{kind} »{header.labels[column]}« er også en kolonne for "
                     f"{HEADER_NAMES[name]}, men kun »{header.labels[read]}« "
                     f"({get_column_letter(read)}{row}) læses. Flyt indholdet, og slet den "
                     "ene kolonne.", sheet=worksheet.title,
                     cell=f"{get_column_letter(column)}{row}")
    for name, column in header.columns.items():
        if column in header.hidden and name in PRINTED:
            findings.add("RG903", Severity.WARNING,
                         f"Kolonnen »{header.labels[column]}« er skjult, men er arkets eneste "
                         f"kolonne for {HEADER_NAMES[name]}, så den læses og kommer med i "
                         "rapporten. Vis kolonnen, og tjek, at indholdet må offentliggøres.",
                         sheet=worksheet.title, cell=f"{get_column_letter(column)}{row}")
    known = set(header.columns.values()) | {column for _, column, _ in header.unused}
    values = next(worksheet.iter_rows(min_row=row, max_row=row, values_only=True))
    for index, value in enumerate(values, start=1):
        if index not in known and value is not None and str(value).strip():
            findings.add("RG901", Severity.NOTICE,
                         f"Kolonnen »{_single_line(str(value))}« kendes ikke og læses ikke.",
                         sheet=worksheet.title, cell=f"{get_column_letter(index)}{row}")


def _read_goal_rows(scan: SheetScan, workbook, worksheet, header: _Header,
                    findings: _Findings) -> list[_Row]:
    """Every goal row below the header, each value as shown with its cell reference."""
    header_row, columns = header.row, header.columns
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
            shown = _id_text if name == "id" else _display
            row.cells[name] = _Cell(
                ref=ref,
                text=shown(cell.value, cell.number_format),
                fill=_fill_status(cell, theme) if name in status_fields else None,
                unreadable=cell.value is None and cell.coordinate in formulas,
            )
        if any(cell.text or cell.unreadable for cell in row.cells.values()):
            rows.append(row)  # a goal row, or a heading row naming a theme or focus area
    return rows


def _id_text(value: Any, number_format: str = "General") -> str | None:
    """An Id as the cell shows it, with a point between its parts whatever the locale: a
    number shown with two decimals, 1.10, stays 1.10."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _display(value, number_format)
    decimals = re.fullmatch(r"0\.(0+)", number_format.split(";")[0].strip())
    if decimals:
        return f"{value:.{len(decimals[1])}f}"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


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


def _normalise_rows(rows: list[_Row], sheet: str, file: str, header: _Header,
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
        centre = "/".join(_single_line(part) for part in
                          (row.text("centre"), row.text("centre_head")) if part) or None

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
            text=text,  # line breaks kept: a goal may be a numbered list over several lines
            measure=row.text("measure"),
            centre=centre,
            result=statuses["result"],
            timeline=statuses["timeline"],
            comment=row.text("comment"),
            source=Source(file, sheet, row.number),
        )
        goal_rows.append(_GoalRow(PlacedGoal(theme, focus_area, effect_goals, goal),
                                  row.ref("goal"), header.numbered))
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


def _local_numbers(rows: list[_GoalRow], findings: list[Finding]) -> None:
    """A Nr. column is an Id only while no number stands for two different goals. Numbers
    that start again for each centre, file or theme are the sheet's own numbering, not an
    Id: those goals are then known, like goals without an Id, by what they say."""
    numbered = [row for row in rows if row.numbered and row.goal.id]
    first: dict[str, PlacedGoal] = {}
    if all(first.setdefault(row.goal.id, row.placed).identity == row.placed.identity
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


def _assemble(rows: list[_GoalRow], findings: list[Finding]) -> tuple[Theme, ...]:
    """Themes, focus areas and goals in the order they first appear.

    Two rows are one goal only when they are the same goal: the same theme, focus area,
    text, measure and centre, and no two different Ids. Its statuses and comment must then
    agree (RG401). Two different goals with the same Id are an error naming both (RG403),
    never merged."""
    areas: dict[str, dict[str, tuple[list[str], list[Goal]]]] = {}
    same_text: dict[tuple, list[_GoalRow]] = {}
    with_id: dict[str, _GoalRow] = {}
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
    return tuple(
        Theme(theme, tuple(FocusArea(name, tuple(effect), tuple(goals))
                           for name, (effect, goals) in focus_areas.items()))
        for theme, focus_areas in areas.items()
    )


def _differs(a: Goal, b: Goal) -> bool:
    return (a.result, a.timeline, a.comment) != (b.result, b.timeline, b.comment)


def _at(row: _GoalRow, code: str, severity: Severity, message: str) -> Finding:
    source = row.goal.source
    return Finding(code, severity, message, source.file, source.sheet, row.cell,
                   row.goal.centre)


def _conflict(a: _GoalRow, b: _GoalRow) -> Finding:
    return _at(a, "RG401", Severity.ERROR,
               f"Målet »{_short(a.goal.text)}« står også i {b.place} med en anden status "
               "eller kommentar. Ret det ene sted, så de er ens.")


def _merged(a: _GoalRow, b: _GoalRow) -> Finding:
    return _at(b, "RG402", Severity.NOTICE,
               f"Samme mål som i {a.place} (samme tema, indsatsområde, tekst, center, status "
               "og kommentar): det står én gang i rapporten.")


_NUMBER = re.compile(r"\d+\.\d+")


def _same_id(a: _GoalRow, b: _GoalRow) -> Finding:
    hint = (" Et Id, der skrives som et tal (fx 1.10), gemmer Excel som tallet 1.1: "
            "formatér kolonnen som tekst, og skriv Id'erne igen."
            if _NUMBER.fullmatch(a.goal.id or "") else "")
    return _at(a, "RG403", Severity.ERROR,
               f"To forskellige mål har samme Id »{a.goal.id}«: »{_short(a.goal.text)}« her "
               f"og »{_short(b.goal.text)}« ({b.goal.centre}) i {b.place}. Giv hvert mål sit "
               f"eget Id.{hint}")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_meta(workbook, findings: _Findings) -> dict[str, Any]:
    """The `Rapport` sheet, all of it: key/value rows; rows with no key continue the key
    above. A key given twice with two values is an error naming both cells."""
    sheet = next((ws for ws in workbook.worksheets
                  if ws.title.strip().casefold() == REPORT_SHEET.casefold()), None)
    if sheet is None:
        return {}
    entries: list[tuple[str, int, list[str]]] = []  # key, row, its values
    key = None
    for number, row in enumerate(sheet.iter_rows(max_col=2, max_row=min(sheet.max_row,
                                                                         MAX_ROWS),
                                                 values_only=True), start=1):
        raw_key, raw_value = (tuple(row) + (None, None))[:2]
        if raw_key is not None and str(raw_key).strip():
            key = META_KEYS.get(_header_key(raw_key))
            if key is None:
                findings.add("RG301", Severity.WARNING,
                             f"Nøglen »{_single_line(str(raw_key))}« kendes ikke og bruges "
                             f"ikke. Kendte nøgler: {', '.join(META_NAMES.values())}.",
                             sheet=sheet.title, cell=f"A{number}")
                continue
            entries.append((key, number, []))
        text = _display(raw_value)
        if key and text:
            entries[-1][2].append(text)
    meta: dict[str, Any] = {}
    first_row: dict[str, int] = {}
    for key, number, texts in entries:
        if key == "intro":
            meta[key] = meta.get(key, ()) + tuple(p for t in texts for p in _paragraphs(t))
            continue
        value = _single_line(" ".join(texts)) if texts else None
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
                    f"Rapportoplysningen »{META_NAMES[key]}« er forskellig i {origin[key]} "
                    f"og {file}. "
                    "Ret den, så den er ens, eller udfyld den kun ét sted.",
                    file, "Rapport"))
                continue
            merged.setdefault(key, value)
            origin.setdefault(key, file)
    return replace(Meta(), **merged)
