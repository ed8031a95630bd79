"""How far each sheet of an .ods or .xls file reaches, found from the file itself before
calamine is asked to load it.

Part of the workbook reader, as sheet_xml.py is for .xlsx. calamine builds every sheet as
one dense block of cells from its first to its last cell holding a value, and does so for
every sheet when the file is opened: an .ods row of a few bytes may repeat a value a
million times, an .xls of 8 KB may put one value in A1 and another in IV65536. So the
file is read first, as a stream (.ods: content.xml with expat, in fixed-size chunks;
.xls: the workbook stream's records), for the last row and column holding a value in
each sheet. What calamine is then asked to build is bounded by that.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .sheet_xml import feed_chunks, guarded_parser

# Records of an .xls workbook stream, elements of an .ods file's content.xml: one to four
# a cell, so five times the cell limit is more than any workbook the reader takes holds
# (one of 5,000 goals has 40,000 records, or 90,000 elements). Reading that many takes
# about a second; a file of tiny records or elements, up to the size limits, holds thirty
# times more.
MAX_RECORDS = 400_000


@dataclass
class Extent:
    """A sheet's reach: the last row and the last column holding a value (0: none)."""

    title: str | None
    rows: int = 0
    columns: int = 0

    @property
    def cells(self) -> int:
        """The cells from A1 to the last row and column: what is built to read the sheet."""
        return self.rows * self.columns


class Encrypted(Exception):
    """The .xls file is protected with a password (a FILEPASS record)."""


class TooManyRecords(Exception):
    """The file has more records (.xls) or elements (.ods) than MAX_RECORDS: reading them
    would take too long."""


class _Stop(Exception):
    """Raised inside a scan once the sheets reach past the limit: reading on is wasted."""


# ---- .ods: content.xml -----------------------------------------------------------------

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0 "
_TABLE, _ROW = _TABLE_NS + "table", _TABLE_NS + "table-row"
_CELLS = frozenset({_TABLE_NS + "table-cell", _TABLE_NS + "covered-table-cell"})
_NAME = _TABLE_NS + "name"
_ROWS_REPEATED = _TABLE_NS + "number-rows-repeated"
_COLUMNS_REPEATED = _TABLE_NS + "number-columns-repeated"
_VALUED = (_OFFICE_NS + "value-type", _TABLE_NS + "formula")


def ods_extents(path: Path, limit: int) -> list[Extent]:
    """Each table of content.xml in document order; read no further than past `limit`
    cells in all. Raises TooManyRecords past MAX_RECORDS elements, expat's error for
    broken XML and defusedxml's refusal of entities and external references."""
    extents: list[Extent] = []
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as stream:
        try:
            feed_chunks(_OdsParser(extents, limit).parser, stream)
        except _Stop:
            pass
    return extents


def _repeated(attrs: dict[str, str], name: str) -> int:
    try:
        return max(int(attrs.get(name, 1)), 1)
    except ValueError:
        return 1


class _OdsParser:
    """expat handlers that follow the rows and cells of each table, repeats counted.

    A cell holds a value when it has a value type, a formula or text; an empty cell,
    however often repeated, reaches nowhere (calamine skips it too). A table inside a
    cell (a rare construct) is not a sheet and is passed over.
    """

    def __init__(self, extents: list[Extent], limit: int):
        self.extents = extents
        self.limit = limit
        self.parser = guarded_parser(self._start, self._end)
        self.depth = 0
        self.skip_below = 0             # inside a table in a cell: its depth, else 0
        self.extent: Extent | None = None
        self.row = 0                    # rows of the current table before this row
        self.row_repeat = 1
        self.column = 0                 # columns of the current row before this cell
        self.row_reach = 0              # the last column holding a value in this row
        self.cell_depth = 0             # the open cell's depth, else 0
        self.cell_repeat = 1
        self.cell_valued = False
        self.done = 0                   # the cells of the tables before this one
        self.elements = 0

    def _start(self, name, attrs):
        self.depth += 1
        self.elements += 1
        if self.elements > MAX_RECORDS:
            raise TooManyRecords
        if self.skip_below:
            return
        if self.cell_depth:
            if name == _TABLE:
                self.skip_below = self.depth
            elif self.depth == self.cell_depth + 1 and name.startswith(_TEXT_NS):
                self.cell_valued = True
        elif name in _CELLS:
            self.cell_depth = self.depth
            self.cell_repeat = _repeated(attrs, _COLUMNS_REPEATED)
            self.cell_valued = any(key in attrs for key in _VALUED)
        elif name == _ROW:
            self.row_repeat = _repeated(attrs, _ROWS_REPEATED)
            self.column = self.row_reach = 0
        elif name == _TABLE:
            self.extent = Extent(attrs.get(_NAME))
            self.extents.append(self.extent)
            self.row = 0

    def _end(self, name):
        depth, self.depth = self.depth, self.depth - 1
        if self.skip_below:
            if depth == self.skip_below:
                self.skip_below = 0
            return
        if depth == self.cell_depth:
            self.cell_depth = 0
            self.column += self.cell_repeat
            if self.cell_valued:
                self.row_reach = self.column
        elif name == _ROW and self.extent is not None:
            self.row += self.row_repeat
            if self.row_reach:
                extent = self.extent
                extent.rows = self.row
                extent.columns = max(extent.columns, self.row_reach)
                if self.done + extent.cells > self.limit:
                    raise _Stop
        elif name == _TABLE and self.extent is not None:
            self.done += self.extent.cells
            self.extent = None


# ---- .xls: the workbook stream's records -----------------------------------------------

_BOFS = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_EOF, _BOUNDSHEET, _FILEPASS, _MULRK = 0x000A, 0x0085, 0x002F, 0x00BD
# Records of cells with a value, each starting with its row and column: FORMULA,
# LABELSST, NUMBER, LABEL, BOOLERR, RK, RSTRING, and MULRK (several cells of a row, the
# last one's column at its end). Blank cells (BLANK, MULBLANK) hold nothing and reach
# nowhere, as calamine reads them.
_CELL_RECORDS = frozenset({0x0006, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, _MULRK})
_GLOBALS = 0x0005
_HEAD = struct.Struct("<HH")


def xls_extents(path: Path, limit: int) -> list[Extent]:
    """Each sheet substream of the workbook stream in stream order; read no further than
    past `limit` cells in all. Raises Encrypted for a password-protected workbook,
    TooManyRecords past MAX_RECORDS, and olefile's error for a damaged compound file."""
    import olefile

    with olefile.OleFileIO(path) as ole:
        name = "Workbook" if ole.exists("Workbook") else "Book"
        data = ole.openstream(name).read()
    extents: list[Extent] = []
    try:
        _scan_biff(data, extents, limit)
    except _Stop:
        pass
    return extents


def _scan_biff(data: bytes, extents: list[Extent], limit: int) -> None:
    """Written for speed, one pass with locals: the records of a 50 MB file are read in
    about a second."""
    titles: dict[int, str] = {}   # a sheet's BOF offset -> its name
    biff8 = True
    depth = 0
    extent: Extent | None = None  # the sheet substream being read, at depth 1
    rows = columns = 0            # its reach so far
    done = 0                      # the cells of the sheets before it
    unpack = _HEAD.unpack_from
    cell_records = _CELL_RECORDS
    position, end = 0, len(data) - 4
    for _ in range(MAX_RECORDS):
        if position > end:
            break
        kind, size = unpack(data, position)
        body = position + 4
        position = body + size
        if kind in cell_records:
            if depth != 1 or extent is None or size < 4:
                continue
            row, column = unpack(data, body)
            if kind == _MULRK and size >= 6:
                column = unpack(data, position - 4)[1]
            if row >= rows or column >= columns:
                rows, columns = max(rows, row + 1), max(columns, column + 1)
                if done + rows * columns > limit:
                    extent.rows, extent.columns = rows, columns
                    raise _Stop
            continue
        if kind in _BOFS:
            depth += 1
            if depth == 1:
                version, sheet_type = unpack(data, body) if size >= 4 else (0, 0)
                if sheet_type == _GLOBALS:
                    biff8 = version == 0x0600
                else:
                    extent = Extent(titles.get(body - 4))
                    extents.append(extent)
                    rows = columns = 0
        elif kind == _EOF:
            depth = max(depth - 1, 0)
            if depth == 0 and extent is not None:
                extent.rows, extent.columns = rows, columns
                done += rows * columns
                extent = None
        elif kind == _FILEPASS and extent is None:
            raise Encrypted
        elif kind == _BOUNDSHEET and size >= 8:
            offset = struct.unpack_from("<I", data, body)[0]
            titles[offset] = _sheet_name(data[body + 6:position], biff8)
    else:
        if position <= end:
            raise TooManyRecords
    if extent is not None:  # a stream that ends inside a sheet
        extent.rows, extent.columns = rows, columns


def _sheet_name(raw: bytes, biff8: bool) -> str:
    """A BOUNDSHEET record's name: a length, then (BIFF8) a flag for two bytes a
    character; BIFF5 names are in the workbook's code page, taken as Windows-1252."""
    if not raw:
        return ""
    length = raw[0]
    if not biff8:
        return raw[1:1 + length].decode("cp1252", "replace")
    if len(raw) >= 2 and raw[1] & 1:
        return raw[2:2 + 2 * length].decode("utf-16-le", "replace")
    return raw[2:2 + length].decode("latin-1")
