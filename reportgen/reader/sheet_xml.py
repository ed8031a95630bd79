"""The worksheet parts read as a stream before openpyxl sees them, and the checks that
bound what openpyxl is then asked to build.

Part of the workbook reader. openpyxl's normal mode makes an object for every cell it
is told about: each stored cell, and each cell of a merged range, however far the range
reaches. A few kilobytes can claim billions of cells that way, so each sheet is first
scanned with expat in fixed-size chunks for what it *holds* (cells with a value, merged
ranges, formulas without a stored result) as opposed to what it *declares* (its
dimension). Work after the scan is bounded by what the file holds.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.parsers.expat
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import EntitiesForbidden, ExternalReferenceForbidden
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_to_tuple,
    get_column_letter,
    range_boundaries,
)

from ..model import Severity

# The limits keep a workbook's reading within 10 s and 1 GB, whatever it holds. openpyxl
# spends 40-100 µs (an inline string) and ~0.5 KB on each stored cell and ~30 µs on each
# merged cell; the reader ~30 µs more on each cell it reads (bench/limits.py).
# Merged cells openpyxl may build in a workbook, after merges are cut back to the last
# value (and so merged ranges, too): ten columns merged down through the reader's 5,000
# rows. Real workbooks merge a few hundred.
MAX_MERGED_CELLS = 50_000
# Stored cells (`<c>`, with or without a value) per workbook: the largest goal sheet the
# reader takes (5,000 rows of 10 columns), and half as many again for the other sheets.
MAX_CELLS = 75_000

_EXCEL_ROWS = 1_048_576
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main "
_CHUNK = 1 << 20


def number_text(count: int) -> str:
    return f"{count:,}".replace(",", ".")


@dataclass(frozen=True)
class Merge:
    """A merged range as declared, and where its element sits in the part."""

    min_col: int
    min_row: int
    max_col: int
    max_row: int
    start: int  # byte offsets of the `mergeCell` element in the part
    end: int

    @property
    def ref(self) -> str:
        return (f"{get_column_letter(self.min_col)}{self.min_row}:"
                f"{get_column_letter(self.max_col)}{self.max_row}")

    @property
    def cells(self) -> int:
        return (self.max_col - self.min_col + 1) * (self.max_row - self.min_row + 1)

    def clipped(self, last_row: int, last_column: int) -> Merge | None:
        """The part of the range up to the last row and column that hold a value."""
        if self.min_row > last_row or self.min_col > last_column:
            return None
        return Merge(self.min_col, self.min_row, min(self.max_col, last_column),
                     min(self.max_row, last_row), self.start, self.end)


@dataclass
class SheetScan:
    """What one worksheet part holds, as openpyxl will read it."""

    title: str
    part: str
    dimension: str | None = None  # as declared; never trusted
    last_row: int = 0             # the last row holding a value (0: none)
    last_column: int = 0          # the last column holding a value
    cells: int = 0                # `<c>` elements, with or without a value
    merges: list[Merge] = field(default_factory=list)
    merge_elements: int = 0
    # Coordinates ("H2") of formula cells without a stored result: what openpyxl's
    # data_only mode reads as empty although the cell is not.
    formulas_without_value: set[str] = field(default_factory=set)
    _value_rows: array = field(default_factory=lambda: array("L"))

    @property
    def clipped_merges(self) -> list[Merge]:
        """The merged ranges cut back to the last row and column holding a value; a
        range that starts past them is dropped. Nothing read changes: the reader reads
        no further than that."""
        return [c for m in self.merges
                if (c := m.clipped(self.last_row, self.last_column)) is not None]

    def rows_to_read(self, first: int, last: int) -> list[int]:
        """The rows from `first` to `last` that hold a value or lie in a merged range:
        every other row is empty to the reader, so it need not ask openpyxl for it."""
        rows = {row for row in self._value_rows if first <= row <= last}
        for merge in self.clipped_merges:
            rows.update(range(max(merge.min_row, first), min(merge.max_row, last) + 1))
        return sorted(rows)


@dataclass
class CheckedWorkbook:
    """A workbook that may be handed to openpyxl: `source` is the file, or an in-memory
    copy whose far-reaching merged ranges are cut back."""

    source: Path | io.BytesIO
    sheets: list[SheetScan]  # in the order of openpyxl's `workbook.worksheets`


class _Stop(Exception):
    """Raised inside the parser when the sheet is over a limit: reading on is wasted."""


# "B12": what Excel writes; anything else goes through openpyxl's own parse.
_PLAIN_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})").fullmatch
_COLUMNS: dict[str, int] = {}
_C, _ROW, _V, _F, _IS = (_MAIN + name for name in ("c", "row", "v", "f", "is"))
_MERGE, _DIMENSION = _MAIN + "mergeCell", _MAIN + "dimension"


def guarded_parser(start, end):
    """An expat parser, namespaces split from names by a space, with these element
    handlers; it raises what defusedxml forbids for openpyxl's own parse: entities and
    external references."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _entity
    parser.UnparsedEntityDeclHandler = _unparsed_entity
    parser.ExternalEntityRefHandler = _external
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    return parser


def feed_chunks(parser, stream) -> None:
    """The stream through the parser in fixed-size chunks, to its end."""
    while chunk := stream.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _entity(name, is_parameter, value, base, sysid, pubid, notation):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _unparsed_entity(name, base, sysid, pubid, notation):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _external(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


class _SheetParser:
    """expat handlers that fill one SheetScan; only the elements openpyxl reads count.

    Written for speed (one handler call per element, a cell's reference parsed only when
    the cell holds a value): the scan must stay small next to openpyxl's own load.
    """

    def __init__(self, scan: SheetScan, cell_limit: int, merge_limit: int):
        self.scan = scan
        self.cell_limit = cell_limit
        self.merge_limit = merge_limit
        self.parser = guarded_parser(self._start, self._end)
        self.parser.buffer_text = True
        self.row = 0
        self.ref: str | None = None    # the cell's `r`, parsed only if it holds a value
        self.column = 0                # the cell's column when it has no `r`
        self.in_cell = False
        self.inline = False
        self.has_formula = self.has_inline = self.has_v_text = False
        self.merge_start = 0
        self.merge_ref: str | None = None

    def feed(self, stream) -> None:
        feed_chunks(self.parser, stream)

    def _start(self, name, attrs):
        if name == _C:
            scan = self.scan
            scan.cells += 1
            if scan.cells > self.cell_limit:
                raise _Stop
            ref = attrs.get("r")
            if ref:
                self.ref = ref
            else:  # as openpyxl: the column after the cell before
                self.column = self._position()[1] + 1
                self.ref = None
            self.in_cell = True
            self.inline = attrs.get("t") == "inlineStr"
            self.has_formula = self.has_inline = self.has_v_text = False
        elif name == _V:
            if self.in_cell:
                self.parser.CharacterDataHandler = self._v_text
        elif name == _ROW:
            # As openpyxl's WorksheetReader.parse_row: a row without `r` follows the one above.
            number = attrs.get("r")
            self.row = int(float(number)) if number is not None else self.row + 1
            self.ref = None
            self.column = 0
        elif name == _F:
            self.has_formula = self.in_cell
        elif name == _IS:
            self.has_inline = self.in_cell
        elif name == _MERGE:
            self.merge_start = self.parser.CurrentByteIndex
            self.merge_ref = attrs.get("ref")
        elif name == _DIMENSION:
            self.scan.dimension = attrs.get("ref")

    def _end(self, name):
        if name == _C:
            self.in_cell = False
            # openpyxl (data_only) takes an inline string's text, else `<v>`'s; a formula
            # cell without either still holds something the reader must name.
            stored = self.has_inline if self.inline else self.has_v_text
            if stored or self.has_formula:
                self._holds_value(formula_only=not stored)
        elif name == _V:
            self.parser.CharacterDataHandler = None
        elif name == _MERGE:
            self._merge()

    def _v_text(self, data):
        if data:
            self.has_v_text = True

    def _position(self) -> tuple[int, int]:
        ref = self.ref
        if ref is None:
            return self.row, self.column
        match = _PLAIN_REF(ref)
        if match is None:
            return coordinate_to_tuple(ref)  # what openpyxl calls; it raises alike
        letters, digits = match.groups()
        column = _COLUMNS.get(letters)
        if column is None:
            column = _COLUMNS[letters] = column_index_from_string(letters)
        return int(digits), column

    def _holds_value(self, formula_only: bool) -> None:
        row, column = self._position()
        scan = self.scan
        if row > scan.last_row:
            scan.last_row = row
        if column > scan.last_column:
            scan.last_column = column
        rows = scan._value_rows
        if row <= _EXCEL_ROWS and (not rows or rows[-1] != row):
            rows.append(row)  # a row past Excel's last is refused for the rows anyway
        if formula_only:
            scan.formulas_without_value.add(f"{get_column_letter(column)}{row}")

    def _merge(self) -> None:
        scan = self.scan
        scan.merge_elements += 1
        if scan.merge_elements > self.merge_limit:  # each merges at least one cell
            raise _Stop
        try:
            bounds = range_boundaries(self.merge_ref or "")
        except ValueError:
            return  # openpyxl refuses the range when it loads the sheet
        if None in bounds or bounds[0] > bounds[2] or bounds[1] > bounds[3]:
            return  # a whole row or column, or reversed: openpyxl raises on it too
        min_col, min_row, max_col, max_row = bounds
        scan.merges.append(Merge(min_col, min_row, max_col, max_row, self.merge_start,
                                 self.parser.CurrentByteIndex))


def scan_sheet(stream, title: str, part: str, cell_limit: int = MAX_CELLS,
               merge_limit: int = MAX_MERGED_CELLS) -> SheetScan:
    """One worksheet part, read in fixed-size chunks; read no further than past
    `cell_limit` cells or `merge_limit` merged ranges. Raises what openpyxl would raise for
    a broken or unsafe part (expat's error, defusedxml's refusal of entities)."""
    scan = SheetScan(title, part)
    try:
        _SheetParser(scan, cell_limit, merge_limit).feed(stream)
    except _Stop:
        pass
    return scan


def _sheet_parts(source) -> Iterator[tuple[str, str]]:
    """(title, part) of each worksheet openpyxl will load, found by openpyxl's own
    reading of the content types, the workbook part and its relationships."""
    reader = ExcelReader(source, data_only=True)
    try:
        reader.read_manifest()
        with warnings.catch_warnings():  # openpyxl warns again when it loads
            warnings.simplefilter("ignore")
            reader.read_workbook()
            sheets = list(reader.parser.find_sheets())
        for sheet, rel in sheets:
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                yield sheet.name, rel.target
    finally:
        reader.archive.close()


def scan_workbook(path: Path) -> list[SheetScan]:
    """Every worksheet of the workbook, in openpyxl's order of `workbook.worksheets`. The
    limits hold for the workbook, as openpyxl loads every sheet: once one is passed, the
    scan stops (the workbook is refused)."""
    scans: list[SheetScan] = []
    cells = merges = 0
    with zipfile.ZipFile(path) as archive:
        for title, part in _sheet_parts(path):
            if cells > MAX_CELLS or merges > MAX_MERGED_CELLS:
                break
            with archive.open(part) as stream:
                scan = scan_sheet(stream, title, part, MAX_CELLS - cells,
                                  MAX_MERGED_CELLS - merges)
            scans.append(scan)
            cells += scan.cells
            merges += scan.merge_elements
    return scans


def check_workbook(path: Path, findings) -> CheckedWorkbook | None:
    """Scan the workbook's sheets and refuse, with a finding, what openpyxl must not be
    asked to build; else what to hand openpyxl. `findings.add` as the reader's.

    Merged ranges past the last row and column holding a value are harmless to what is
    read, so they are cut back in a copy rather than refused; a workbook is refused when
    its merged cells, cut back, are still too many for openpyxl to build in bounded time.
    Raises, like openpyxl, for a part that is not well-formed XML or holds entities: call
    it where the load's exceptions are turned into findings.
    """
    scans = scan_workbook(path)
    if sum(scan.cells for scan in scans) > MAX_CELLS:
        largest = max(scans, key=lambda scan: scan.cells)
        findings.add("RG106", Severity.ERROR,
                     f"Arbejdsbogen har flere end {number_text(MAX_CELLS)} celler (tomme, "
                     "formaterede celler medregnet), som er grænsen. Slet de tomme rækker og "
                     "kolonner uden for målene (markér dem, og vælg Slet), og gem igen.",
                     sheet=largest.title)
        return None
    if sum(scan.merge_elements for scan in scans) > MAX_MERGED_CELLS:
        largest = max(scans, key=lambda scan: scan.merge_elements)
        findings.add("RG108", Severity.ERROR,
                     f"Arbejdsbogen har flere end {number_text(MAX_MERGED_CELLS)} fletninger, som "
                     "er grænsen. Ophæv fletningerne (markér arket, og vælg Flet og centrer › "
                     "Ophæv fletning af celler), og gem igen.", sheet=largest.title)
        return None
    if sum(merge.cells for scan in scans for merge in scan.merges) <= MAX_MERGED_CELLS:
        return CheckedWorkbook(path, scans)
    clipped = [(scan, merge, cut) for scan in scans for merge in scan.merges
               if (cut := merge.clipped(scan.last_row, scan.last_column)) is not None]
    source = None
    if sum(cut.cells for _, _, cut in clipped) <= MAX_MERGED_CELLS:
        source = _with_merges_clipped(path, scans)
    if source is None:  # too many even when cut back, or a sheet that cannot be cut
        scan, merge, _ = max(clipped or [(scan, merge, merge) for scan in scans
                                         for merge in scan.merges],
                             key=lambda found: found[2].cells)
        findings.add("RG108", Severity.ERROR,
                     f"Cellerne {merge.ref} er flettet sammen, og arbejdsbogen har dermed "
                     f"flere flettede celler end grænsen på {number_text(MAX_MERGED_CELLS)}. "
                     f"Fjern fletningen af {merge.ref} (markér cellerne, og vælg Flet og "
                     "centrer › Ophæv fletning af celler), og gem igen.",
                     sheet=scan.title, cell=merge.ref)
        return None
    return CheckedWorkbook(source, scans)


def _with_merges_clipped(path: Path, scans: list[SheetScan]) -> io.BytesIO | None:
    """An in-memory copy of the workbook whose merged ranges end at the last row and
    column holding a value; None if a sheet cannot be rewritten. A copy of at most the
    unpacked limit (the archive was checked), stored uncompressed: openpyxl reads it
    at once."""
    edits = {scan.part: scan for scan in scans if scan.clipped_merges != scan.merges}
    copy = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in edits:
                if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    return None  # UTF-16: the offsets do not point at ASCII tags
                data = _clip_merges(data, edits[info.filename])
            new.writestr(info.filename, data)
    copy.seek(0)
    return copy


def _clip_merges(data: bytes, scan: SheetScan) -> bytes:
    """The part with each merged range that reaches past the last value cut back, and each
    that starts past it removed."""
    out = bytearray()
    done = 0
    for merge in scan.merges:
        clipped = merge.clipped(scan.last_row, scan.last_column)
        if clipped == merge:
            continue
        end = _element_end(data, merge.start, merge.end)
        out += data[done:merge.start]
        if clipped is not None:
            name = data[merge.start + 1:_name_end(data, merge.start + 1)]
            out += b"<" + name + b' ref="' + clipped.ref.encode() + b'"/>'
        done = end
    out += data[done:]
    return bytes(out)


def _name_end(data: bytes, i: int) -> int:
    while data[i:i + 1] not in b" \t\r\n/>":
        i += 1
    return i


def _tag_end(data: bytes, i: int) -> int:
    """The offset just past the tag starting at `i`, quoted `>` skipped."""
    quote = None
    while True:
        byte = data[i:i + 1]
        if not byte:
            raise ValueError("unterminated tag")
        if quote:
            if byte == quote:
                quote = None
        elif byte in (b'"', b"'"):
            quote = byte
        elif byte == b">":
            return i + 1
        i += 1


def _element_end(data: bytes, start: int, end_event: int) -> int:
    """Just past the element whose start tag is at `start`: expat's end event points past
    an empty-element tag, or at the start of the end tag."""
    tag_end = _tag_end(data, start)
    if data[tag_end - 2:tag_end] == b"/>":
        return tag_end
    return _tag_end(data, end_event)
