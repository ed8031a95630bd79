"""What a file is, before it is parsed: the inputs found (`find_workbooks`), and each file
refused, with a finding, unless it is a workbook the format stage its name chooses may be
handed (`check_file`: missing, empty, too big, a zip bomb, encrypted, another kind of file
than its name says, text, Strict Open XML). File names are shown by `file_label`.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from ..model import Finding, Severity
from .rows import FileFindings

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # 100,000 real goal rows unpack to ~50 MB
MAX_COMPRESSION_RATIO = 200  # sheets compress 5-30x; a bomb, thousands of times

# Each input format: its suffix, and the stage that loads it (reader/__init__.py's LOADERS):
# .xls and .ods are read for their values only (calamine.py), the rest in full (xlsx.py).
# The one list: a folder's scan keeps these, the page takes these, the loader is chosen by
# it. Another format is a line here and a stage handing over the same rows.
READERS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "calamine", ".ods": "calamine"}
WORKBOOK_SUFFIXES = tuple(READERS)


def workbook_kinds() -> str:
    """The formats read, as a message names them: `.xlsx, .xls eller .ods` (an .xlsm is an
    .xlsx with macros, and goes without saying)."""
    named = [suffix for suffix in READERS if suffix != ".xlsm"]
    return f"{', '.join(named[:-1])} eller {named[-1]}"
OTHER_SPREADSHEETS = (".csv", ".numbers")
LOCK_FILE_PREFIX = "~$"  # Excel's owner file, beside a workbook open on another pc
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"


def find_workbooks(inputs: Iterable[Path]) -> tuple[list[Path], list[Finding]]:
    """Files as given; a folder's workbooks (.xlsx, .xlsm, .xls, .ods) in name order.
    Every other entry of a folder is passed over with a word (RG010): nothing in it is
    skipped silently."""
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
    if name.startswith(LOCK_FILE_PREFIX):
        return Severity.NOTICE, ("Excels låsefil (arbejdsbogen er åben på en anden pc) "
                                 "springes over.")
    if name.startswith("."):
        return Severity.NOTICE, "En skjult fil (fx fra en Mac) springes over."
    if entry.is_dir():
        return Severity.NOTICE, "Mappen læses ikke; kun filerne direkte i den valgte mappe."
    suffix = entry.suffix.lower()
    if suffix in READERS:
        return None
    if suffix in OTHER_SPREADSHEETS:
        return Severity.WARNING, ("Regnearket er ikke gemt som .xlsx og læses ikke. Åbn det "
                                  "i Excel, og gem det som .xlsx (Excel-projektmappe).")
    return Severity.NOTICE, f"Filen er ikke et regneark ({workbook_kinds()}) og springes over."


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
    """Refuse what the format stage must not be handed: another kind of file than its name
    says (.xls: the old binary format; .ods: OpenDocument; any other name: .xlsx), or
    one too big.

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
    suffix = path.suffix.lower()
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return _check_ole2(path, suffix, findings)
    if not magic.startswith(b"PK\x03\x04"):
        what = ("en PDF-fil" if magic.startswith(b"%PDF") else
                "en tekst- eller CSV-fil" if _looks_like_text(magic) else
                "ikke en Excel-arbejdsbog")
        findings.add("RG101", Severity.ERROR,
                     f"Filen er {what}, ikke en .xlsx-arbejdsbog. Åbn den i Excel, og gem den "
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
    names = {entry.filename for entry in entries}
    try:
        kind = _zip_kind(path, names)
        encrypted = kind == "ods" and _ods_encrypted(path, names)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError,
            NotImplementedError):  # an entry damaged, encrypted or packed in an unknown way
        findings.add("RG101", Severity.ERROR,
                     "Filen er beskadiget og kan ikke åbnes. Gem den igen som .xlsx.")
        return False
    if kind is None:
        findings.add("RG101", Severity.ERROR,
                     "Filen er en zip-fil, men ikke en Excel-arbejdsbog. Gem den som .xlsx.")
        return False
    if kind != _EXPECTED.get(suffix, "xlsx"):
        findings.add("RG101", Severity.ERROR, _misnamed(kind, suffix))
        return False
    if encrypted:
        findings.add("RG102", Severity.ERROR, password_message(".ods"))
        return False
    if kind == "xlsx" and _is_strict(path):
        findings.add("RG101", Severity.ERROR,
                     "Filen er gemt som »Strict Open XML-regneark«, som ikke kan læses. Åbn "
                     "den i Excel, og gem den som »Excel-projektmappe (.xlsx)«.")
        return False
    return True


# The kind of file a name promises: the format stage it is handed to (reader._read_file).
_EXPECTED = {".xls": "xls", ".ods": "ods"}
_KINDS = {"xlsx": ("en Excel-arbejdsbog", ".xlsx"),
          "ods": ("et OpenDocument-regneark (fra fx LibreOffice)", ".ods"),
          "xls": ("en arbejdsbog i det gamle Excel-format", ".xls")}


def _misnamed(kind: str, suffix: str) -> str:
    what, right = _KINDS[kind]
    named = f"navnet ender på »{suffix}«" if suffix else "navnet har ingen endelse"
    return f"Filen er {what}, men {named}. Ret navnet, så det ender på {right}."


def _zip_kind(path: Path, names: set[str]) -> str | None:
    """The kind of workbook a zip file is: "xlsx", "ods" (an OpenDocument spreadsheet says
    so in its entry `mimetype`), or None."""
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names:
        with zipfile.ZipFile(path) as archive, archive.open("mimetype") as stream:
            if stream.read(len(ODS_MIMETYPE) + 2).strip() == ODS_MIMETYPE:
                return "ods"
    return None


def _ods_encrypted(path: Path, names: set[str]) -> bool:
    """An .ods saved with a password lists how each part is encrypted in its manifest."""
    if "META-INF/manifest.xml" not in names:
        return False
    with zipfile.ZipFile(path) as archive:
        return b"encryption-data" in archive.read("META-INF/manifest.xml")


_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def _is_strict(path: Path) -> bool:
    """Saved as Strict Open XML, whose namespaces openpyxl does not know: it would find no
    sheet at all, and the centre would be told of a missing goal sheet."""
    with zipfile.ZipFile(path) as archive, archive.open("xl/workbook.xml") as stream:
        return _STRICT_NAMESPACE in stream.read(4096)


def _check_ole2(path: Path, suffix: str, findings: FileFindings) -> bool:
    """An OLE2 compound file is an encrypted workbook (.xlsx inside), an old binary
    workbook (.xls, read when so named), or something else (an old Word document)."""
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            encrypted = ole.exists("EncryptionInfo")
            workbook = ole.exists("Workbook") or ole.exists("Book")
    except Exception:  # a damaged OLE2 file: say what the header says
        encrypted = workbook = None
    if encrypted:
        findings.add("RG102", Severity.ERROR, password_message(".xlsx"))
        return False
    if suffix != ".xls":
        findings.add("RG102", Severity.ERROR, _misnamed("xls", suffix) if workbook else
                     "Filen er i det gamle Excel-format (.xls). Åbn den i Excel, og gem den "
                     "som .xlsx (Excel-projektmappe).")
        return False
    if workbook is None:
        findings.add("RG101", Severity.ERROR,
                     "Filen er beskadiget og kan ikke åbnes. Gem den igen som .xlsx.")
        return False
    if not workbook:
        findings.add("RG101", Severity.ERROR,
                     "Filen hedder .xls, men er ikke en Excel-arbejdsbog (måske et gammelt "
                     "Word-dokument). Åbn arbejdsbogen i Excel, og gem den som .xlsx.")
        return False
    return True


def password_message(suffix: str) -> str:
    """What to do with a password-protected workbook, in the program it was saved from."""
    if suffix == ".ods":
        return ("Regnearket er beskyttet med adgangskode og kan ikke læses. Åbn det i "
                "LibreOffice, vælg Filer › Gem som, fjern fluebenet ved »Gem med "
                "adgangskode«, og gem igen.")
    return ("Arbejdsbogen er beskyttet med adgangskode og kan ikke læses. Åbn den i Excel, "
            "fjern adgangskoden (Filer › Oplysninger › Beskyt projektmappe), og gem igen.")


def _looks_like_text(head: bytes) -> bool:
    return all(32 <= byte < 127 or byte in (9, 10, 13) or byte >= 0xC0 for byte in head[:8])


