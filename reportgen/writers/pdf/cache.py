"""Laid-out parts of the PDF, kept between builds: a rebuild after one centre's corrected
workbook lays out again only the parts whose HTML changed.

A part is kept under a key made of everything that decides its bytes: its HTML, the PDF
variant, whether its page margins are drawn, every file of the templates folder (the
stylesheet, the fonts, the pictures), reportgen's own code, and the versions of the
libraries that lay it out and write it (WeasyPrint, pydyf, fontTools, uharfbuzz, Pango).
One file an entry, in the user's cache folder (XDG), written to a temporary file and
renamed into place, so two builds at once never see half an entry; each entry carries its
key and the SHA-256 of both, and one that does not match (cut short, changed, from another
version of this format, or another key's entry copied to this one's name, which would put
one report's text in another's PDF) is removed and laid out again, never used.

The folder is not trusted to hold only what this code wrote there: an entry is opened
without following a link and without waiting for a writer (a FIFO would hang every build
of its report), used only if it is a regular file, and read no further than an entry may
be long (a link to /dev/zero would be read until memory ran out); anything else at its
place is a miss, removed for a new entry to take its place. The folders the cache makes
are the user's alone (0700): the entries hold the reports' text. The folder is kept under
a size, the entries least recently used removed first.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import stat
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parts import Part

# The format of an entry: this line, the SHA-256 of the rest, the entry's key (64 hex
# digits), the length of the metadata, the metadata (JSON), the PDF. (Format 1 had no key:
# its entries are misses.)
MAGIC = b"reportgen-pdf-part 2\n"
_DIGEST = 32
_KEY = 64
_LENGTH = 8
# The folder is kept under this size; a 2,000-goal report's parts take some 6 MB.
LIMIT_BYTES = 256 * 2**20
# No entry is read beyond this (nor kept, if longer): a part of some 400 goals is a few MB,
# so only a template with very large pictures makes a part that is laid out every time.
ENTRY_BYTES = 64 * 2**20
# Opened so that neither a link nor a FIFO is followed or waited on (fstat then decides).
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_FOLDER_MODE = 0o700
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "uharfbuzz", "tinycss2", "cssselect2")
_PACKAGE = Path(__file__).resolve().parents[2]  # reportgen/


def default_folder() -> Path | None:
    """$XDG_CACHE_HOME/reportgen/pdf-parts, else ~/.cache/reportgen/pdf-parts; None for a
    user without a home folder (no cache, then)."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    try:
        root = Path(base) if Path(base).is_absolute() else Path.home() / ".cache"
    except RuntimeError:  # no home folder to be found
        return None
    return root / "reportgen" / "pdf-parts"


def _files_digest(folder: Path, pattern: str) -> bytes:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def _versions() -> str:
    from weasyprint.text.ffi import pango

    found = {name: metadata.version(name) for name in LIBRARIES}
    found["pango"] = pango.pango_version()
    found["python"] = platform.python_version()
    return json.dumps(found, sort_keys=True)


@dataclass
class PartCache:
    """The cache for one PDF: `get(html, variant, margins, part)`, `put(…, laid)`."""
    folder: Path
    context: bytes  # what every key of this PDF shares (templates, code, versions)
    limit: int = LIMIT_BYTES

    @classmethod
    def open(cls, folder: Path, templates: Path, limit: int = LIMIT_BYTES) -> PartCache:
        context = hashlib.sha256()
        for piece in (MAGIC, _files_digest(templates, "*"), _files_digest(_PACKAGE, "*.py"),
                      _versions().encode()):
            context.update(piece)
        return cls(folder, context.digest(), limit)

    def key(self, html: str, variant: str | None, margins: bool,
            part: int | None = None) -> str:
        digest = hashlib.sha256(self.context)
        digest.update(json.dumps([variant, margins, part]).encode() + b"\0")
        digest.update(html.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.part"

    def _entry_bytes(self) -> int:
        return min(ENTRY_BYTES, self.limit)

    def get(self, html: str, variant: str | None, margins: bool = False,
            part: int | None = None) -> Part | None:
        key = self.key(html, variant, margins, part)
        path = self._path(key)
        data = _read_entry(path, self._entry_bytes())
        if data is None:
            return None
        found = decode_part(data, key)
        if found is None:  # damaged, or another key's: never used, laid out again
            _discard(path)
            return None
        try:
            os.utime(path, follow_symlinks=False)  # recently used: kept longest
        except OSError:
            pass
        return found

    def put(self, html: str, variant: str | None, margins: bool, part: int | None,
            laid: Part) -> None:
        """Kept, if the folder can be written to (a cache that cannot be is no cache)
        and the entry is no longer than one is read. `part`: the number of the part, as
        pdf.render_part."""
        key = self.key(html, variant, margins, part)
        path, data = self._path(key), encode_part(laid, key)
        if len(data) > self._entry_bytes():
            return
        try:
            _make_folders(path.parent)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                os.replace(temporary, path)  # in place of whatever was there
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        """The entries least recently used removed until the folder is under its limit.
        Only regular files in the folder's own subfolders are counted and removed: a
        link is never followed, to remove what it points at."""
        entries = []
        for path in _entries(self.folder):
            try:
                found = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(found.st_mode):
                entries.append((found.st_mtime_ns, found.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit:
                break
            path.unlink(missing_ok=True)
            total -= size


def _read_entry(path: Path, limit: int) -> bytes | None:
    """The entry at `path` if it is a regular file of at most `limit` bytes, read at most
    one byte further (a file that grows meanwhile is not read on). None if there is
    none; None too for anything else there (a link, a FIFO, a device, a folder, a file
    too long or unreadable), which is removed where it can be, for a new entry to take
    its place."""
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        return None
    except OSError:  # a link (ELOOP), or a file that may not be read
        _discard(path)
        return None
    try:
        found = os.fstat(handle)
        if not stat.S_ISREG(found.st_mode) or found.st_size > limit:
            _discard(path)
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(handle, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(handle)
    if size > limit:
        _discard(path)
        return None
    return b"".join(chunks)


def _discard(path: Path) -> None:
    """What is at an entry's place removed (a link itself, not what it points at); a
    folder there stays, and the entry is then never kept."""
    try:
        path.unlink()
    except OSError:
        pass


def _make_folders(folder: Path) -> None:
    """`folder`, and each folder above it that is missing, made the user's alone."""
    missing = []
    while not folder.is_dir():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for made in reversed(missing):
        made.mkdir(mode=_FOLDER_MODE, exist_ok=True)


def _entries(folder: Path):
    """The paths of the entries in `folder`'s own subfolders (none through a link)."""
    try:
        subfolders = [entry.path for entry in os.scandir(folder)
                      if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for subfolder in subfolders:
        try:
            names = [entry.name for entry in os.scandir(subfolder)]
        except OSError:
            continue
        for name in names:
            if name.endswith(".part"):
                yield Path(subfolder, name)


def encode_part(part: Part, key: str) -> bytes:
    meta = json.dumps({"pages": part.pages, "bookmarks": part.bookmarks,
                       "anchors": part.anchors}, ensure_ascii=False).encode()
    body = (_key_bytes(key) + len(meta).to_bytes(_LENGTH, "big") + meta + part.pdf)
    return MAGIC + hashlib.sha256(body).digest() + body


def _key_bytes(key: str) -> bytes:
    data = key.encode("ascii")
    if len(data) != _KEY:
        raise ValueError(f"not a key: {key[:80]!r}")
    return data


def decode_part(data: bytes, key: str) -> Part | None:
    """The part an entry holds; None for anything but an intact entry of this format
    kept under `key` (an entry copied from another key's place is another report's)."""
    from .parts import Part

    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + _DIGEST + _KEY + _LENGTH:
        return None
    digest, body = data[head:head + _DIGEST], data[head + _DIGEST:]
    if hashlib.sha256(body).digest() != digest or body[:_KEY] != _key_bytes(key):
        return None
    body = body[_KEY:]
    length = int.from_bytes(body[:_LENGTH], "big")
    try:
        meta = json.loads(body[_LENGTH:_LENGTH + length])
        pdf = body[_LENGTH + length:]
        pages, anchors = meta["pages"], meta["anchors"]
        bookmarks = [(int(page), int(level), str(label), float(x), float(y), bool(closed))
                     for page, level, label, x, y, closed in meta["bookmarks"]]
    except (ValueError, KeyError, TypeError):
        return None
    if (not pdf.startswith(b"%PDF-") or not isinstance(pages, int)
            or not isinstance(anchors, dict)
            or not all(isinstance(v, int) for v in anchors.values())):
        return None
    return Part(pdf, pages, bookmarks, {str(k): v for k, v in anchors.items()})
