"""The form and its files: each saved under a name of our own in a private folder per
request, a .zip unpacked by the reader's rules, and the Round they make."""

from __future__ import annotations

import errno
import re
import shutil
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..errors import quote
from ..files import NAME_BYTES  # a saved file's name, in bytes, as an output's
from ..model import META_TEXTS
from ..reader.files import (
    LOCK_FILE_PREFIX,
    MAX_COMPRESSION_RATIO,
    MAX_UNPACKED_BYTES,
    WORKBOOK_SUFFIXES,
)
from ..round import Round
from .errors import WebError, megabytes
from .settings import Settings

SERVER = "serveren"  # a folder of the request's that the user did not name, as it is said


def _literally(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _: text


@dataclass
class Upload:
    """A request's files, saved in its own folder under names of our own, and how the
    user knows each (`names`: a path saved -> its name as a message says it)."""

    folder: Path
    inputs: list[Path] = field(default_factory=list)
    plan: list[Path] = field(default_factory=list)
    previous: list[Path] = field(default_factory=list)  # at most one: a workbook or a JSON
    fields: dict[str, str] = field(default_factory=dict)
    names: dict[Path, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.names.setdefault(self.folder, SERVER)

    @property
    def previous_path(self) -> Path | None:
        return self.previous[0] if self.previous else None

    def plain(self, text: str) -> str:
        """`text` with every path of the request's folder in it as the user knows it.

        The library names the paths it was given, as the command line's user gave them;
        here they are the server's (its temporary folder), which the page never shows: a
        file, a zip or a lock file is named as it was uploaded, a file in a zip's folder
        by its own name, and a folder of ours as the server's."""
        if str(self.folder) not in text:
            return text
        for path, name in sorted(self.names.items(), key=lambda item: -len(str(item[0]))):
            at = re.escape(str(path))
            text = re.sub(f"{at}/", "", text)  # a file in it: by its own name
            # the path alone, quoted or not, and not the start of a longer name
            # a function, not the name itself: re.sub would read backslashes in it
            text = re.sub(rf"»{at}«|{at}(?![^\s.,;:()»«])", _literally(name), text)
        return text

    def plain_findings(self, summary: dict) -> dict:
        """A check's summary (jobs.py) with its findings' messages and files plain."""
        for finding in summary.get("findings", ()):
            finding["message"] = self.plain(finding["message"])
            if finding["file"] and str(self.folder) in finding["file"]:
                finding["file"] = Path(finding["file"]).name
        return summary


def saved_name(name: str) -> str:
    """A file name of the upload, as it is saved: its own name only. A name that holds a
    path, a NUL or any other control character is refused (a browser sends none); a
    very long one is shortened, keeping its extension."""
    name = unicodedata.normalize("NFC", name)
    if (not name or name in (".", "..") or any(c in name for c in "/\\")
            or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name)):
        raise WebError(400, "RG704", f"Filnavnet {name[:80]!r} kan ikke bruges: det må ikke "
                       "indeholde en sti (/ eller \\) eller kontroltegn. Omdøb filen.")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = f".{suffix}" if dot else ""
    while len((stem + suffix).encode()) > NAME_BYTES:
        stem = stem[:-1]
    return (stem or "fil") + suffix


async def read_upload(request: Request, folder: Path, settings: Settings) -> Upload:
    """The form's `files` (workbooks, or one .zip of them), `plan` files and `previous`
    file (the previous follow-up: a workbook or its JSON export) saved in `folder`, each
    `<n>/<its own name>`; the other fields as text."""
    try:
        form = await request.form(max_files=settings.files * 2 + 1, max_fields=20)
    except HTTPException as exc:
        if "files" in str(exc.detail).lower():
            raise _too_many(settings) from exc
        raise WebError(400, "RG700", "Forespørgslen kunne ikke læses som en formular med "
                       "filer (multipart/form-data).") from exc
    try:
        upload = Upload(folder)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        plan = [f for f in form.getlist("plan") if isinstance(f, UploadFile)]
        previous = [f for f in form.getlist("previous") if isinstance(f, UploadFile)]
        upload.fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        if not files:
            raise WebError(400, "RG700", "Vælg mindst én arbejdsbog (feltet »files«).")
        if len(files) > settings.files or len(plan) > settings.files:
            raise _too_many(settings)
        if len(previous) > 1:
            raise WebError(400, "RG700", "Vælg højst én fil som den forrige opfølgning "
                           "(feltet »previous«): en arbejdsbog eller dens JSON-eksport.")
        count = 0
        for kind, uploads, into in (("files", files, upload.inputs),
                                    ("plan", plan, upload.plan),
                                    ("previous", previous, upload.previous)):
            # Two files of one name are read as one round: the reader would tell them
            # apart by their paths, which are ours. By `name (2)`, as in a zip.
            taken: set[str] = set()
            for item in uploads:
                count += 1
                name = _unique(saved_name(item.filename or ""), taken)
                suffix = Path(name).suffix.lower()
                if item.size is not None and item.size > settings.file_bytes:
                    raise WebError(413, "RG701", f"Filen {name!r} er for stor: højst "
                                   f"{megabytes(settings.file_bytes)} pr. fil.")
                if suffix == ".zip" and kind == "files" and len(files) == 1:
                    unpacked = await run_in_threadpool(
                        _unpack, item, folder / str(count), name, settings)
                    upload.names[unpacked] = quote(name)
                    into.append(unpacked)
                elif suffix in WORKBOOK_SUFFIXES or (kind == "previous" and suffix == ".json"):
                    saved = await run_in_threadpool(_save, item, folder / str(count), name)
                    # Excel's lock file, chosen with the workbooks: handed as the folder it
                    # is saved in, alone, which the reader passes over with its notice
                    # (RG010), as it does a zip's or a folder's. A previous follow-up is
                    # one file: a lock file there is what it is, read and refused.
                    lock = name.startswith(LOCK_FILE_PREFIX) and kind != "previous"
                    upload.names[saved] = upload.names[saved.parent] = quote(name)
                    into.append(saved.parent if lock else saved)
                else:
                    raise WebError(415, "RG703", f"Filen {name!r} er ikke en arbejdsbog (.xlsx, "
                                   ".xls eller .ods): vælg arbejdsbøgerne, eller én .zip med "
                                   "dem.")
        return upload
    finally:
        await form.close()


def _too_many(settings: Settings) -> WebError:
    return WebError(413, "RG702", f"For mange filer: højst {settings.files} arbejdsbøger ad "
                    "gangen.")


def _save(item: UploadFile, folder: Path, name: str) -> Path:
    folder.mkdir()
    path = folder / name
    item.file.seek(0)
    with path.open("xb") as out:
        shutil.copyfileobj(item.file, out, 2**20)
    return path


# What a zip may be packed with and still be unpacked here: Python's zipfile reads these.
UNPACKED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                    zipfile.ZIP_LZMA}
# The others a zip program may choose, named as the user's program names them.
OTHER_METHODS = {6: "Implode", 9: "Deflate64", 93: "Zstandard", 95: "XZ", 98: "PPMd"}
# What zipfile and zlib raise for an archive that is damaged: a CRC that does not match, a
# broken compressed stream, a header that disagrees with the directory, a cut-off file, an
# offset before the start, a version or flag it does not read.
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
           RuntimeError)


def _unpack(item: UploadFile, folder: Path, name: str, settings: Settings) -> Path:
    """A .zip of workbooks unpacked into a folder named after it, by the reader's zip-bomb
    rules: the declared sizes bound what is unpacked (Python's zipfile never returns more
    than an entry declares). Each workbook is checked again by the reader. The folder is
    the input: the reader names what it passes over (hidden files, lock files, others).
    A zip that cannot be unpacked (damaged, encrypted, packed by a method zipfile does not
    read) is the user's to fix, and refused naming it (RG703): nothing of it is read."""
    stem = Path(name).stem
    if not stem.strip("."):
        # The folder is named after the zip, and the report after the folder: `...zip`
        # would be `..`, the request's own folder. Like `.zip`, a name with no name.
        raise WebError(415, "RG703", f"Zip-filen {quote(name)} har intet navn foran .zip. "
                       "Omdøb den (fx runde.zip), og vælg den igen.")
    item.file.seek(0)
    try:
        archive = zipfile.ZipFile(item.file)
    except (*DAMAGED, OSError) as exc:  # an offset before the start: EINVAL
        if isinstance(exc, OSError) and exc.errno != errno.EINVAL:
            raise
        raise WebError(415, "RG703", f"Filen {quote(name)} er ikke en gyldig .zip-fil.") \
            from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > settings.files:
            raise _too_many(settings)
        unpacked = sum(m.file_size for m in members)
        ratio = max((m.file_size / max(m.compress_size, 1) for m in members
                     if m.file_size > 10 * 2**20), default=0)
        if (unpacked > MAX_UNPACKED_BYTES or ratio > MAX_COMPRESSION_RATIO
                or any(m.file_size > settings.file_bytes for m in members)):
            raise WebError(413, "RG701", f"Zip-filen {quote(name)} pakker sig ud til for meget "
                           f"(højst {megabytes(settings.file_bytes)} pr. fil og "
                           f"{megabytes(MAX_UNPACKED_BYTES)} i alt) eller er unormalt tæt pakket.")
        for member in members:  # before anything is unpacked: what no retry would change
            _unpackable(member, name)
        target = folder / stem
        target.mkdir(parents=True)
        taken: set[str] = set()
        for member in members:
            own = re.split(r"[/\\]", member.filename)[-1]
            if not own or member.filename.startswith("__MACOSX/"):
                continue
            try:
                own = saved_name(own)
            except WebError:
                own = "fil" + Path(own).suffix[:10]
            own = _unique(own, taken)
            with (target / own).open("xb") as out:
                # Read and written apart: a member that cannot be read is the zip's fault,
                # a file that cannot be written the server's (an OSError, as it was).
                try:
                    source = archive.open(member)
                    with source:
                        while chunk := source.read(2**20):
                            out.write(chunk)
                except DAMAGED as exc:
                    raise WebError(415, "RG703", f"Zip-filen {quote(name)} er beskadiget: "
                                   f"{quote(member.filename)} i den kan ikke pakkes ud. Pak "
                                   "arbejdsbøgerne igen, eller vælg dem enkeltvis.") from exc
    return target


def _unpackable(member: zipfile.ZipInfo, name: str) -> None:
    """Refuse a member encrypted, or packed by a method Python's zipfile does not read."""
    if member.flag_bits & 0x1:
        raise WebError(415, "RG703", f"Zip-filen {quote(name)} er beskyttet med adgangskode "
                       f"({quote(member.filename)}). Pak arbejdsbøgerne igen uden "
                       "adgangskode, eller vælg dem enkeltvis.")
    if member.compress_type not in UNPACKED_METHODS:
        method = OTHER_METHODS.get(member.compress_type, f"metode {member.compress_type}")
        raise WebError(415, "RG703", f"Zip-filen {quote(name)} er pakket med {method} "
                       f"({quote(member.filename)}), som reportgen ikke kan pakke ud. Pak "
                       "arbejdsbøgerne igen som almindelig zip (Deflate), eller vælg dem "
                       "enkeltvis.")


def _unique(own: str, taken: set[str]) -> str:
    """`own`, or `own (2)` and so on where the name is taken (in any case): two files of
    one name are told apart as the user would tell them."""
    stem, suffix, n = Path(own).stem, Path(own).suffix, 1
    while own.casefold() in taken:
        n += 1
        own = f"{stem} ({n}){suffix}"
    taken.add(own.casefold())
    return own


def flag(fields: dict[str, str], name: str) -> bool:
    return fields.get(name, "").strip().lower() in ("1", "true", "on", "ja", "yes")


# The report's details the page shows and may change: field of model.Meta, as the form
# names them (the command line's --title and its kin).


def details_given(fields: dict[str, str]) -> dict[str, str]:
    """The details the form gives (an empty field leaves the detail out); a date in
    figures that is no date is refused here, before any work."""
    from ..dates import figures_date

    given = {name: fields[name] for name in META_TEXTS if name in fields}
    if any(len(text) > 1000 or not text.isprintable() for text in given.values()):
        raise WebError(400, "RG700", "En rapportoplysning er for lang eller har kontroltegn.")
    try:
        figures_date(given.get("date") or "")
    except ValueError:
        raise WebError(400, "RG700", "Datoen findes ikke. Skriv den som 2019-01-15 eller "
                       "15.01.2019, eller med ord.") from None
    return given


def formats_asked(fields: dict[str, str]) -> list[str]:
    from ..writers import PAGE_FORMATS, format_list, format_names

    try:
        return format_list(fields.get("formats") or ",".join(PAGE_FORMATS))
    except ValueError as exc:
        raise WebError(400, "RG700", f"Ukendt format: {str(exc)[:80]!r}; vælg blandt "
                       f"{format_names()}.") from exc


def round_of(upload: Upload) -> Round:
    """The round the page is asked of: the workbooks, the plan and the previous follow-up
    uploaded, and the report's details typed in."""
    return Round(upload.inputs, upload.plan, upload.previous_path, details_given(upload.fields))
