"""What a file is, before it is parsed: the inputs found (`find_workbooks`), and each file
refused, with a finding, unless it is a workbook the format stage may be handed
(`check_file`: missing, empty, too big, a zip bomb, encrypted, the old binary format,
text, Strict Open XML). File names are shown by `file_label`.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..model import Finding, Severity
from .rows import FileFindings

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # 100,000 real goal rows unpack to ~50 MB
MAX_COMPRESSION_RATIO = 200  # sheets compress 5-30x; a bomb, thousands of times

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


def check_file(path: Path, findings: FileFindings) -> bool:
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


