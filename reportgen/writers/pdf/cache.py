"""Laid-out parts of the PDF, kept between builds: a rebuild after one centre's corrected
workbook lays out again only the parts whose HTML changed.

A part is kept under a key made of everything that decides its bytes: its HTML, the PDF
variant, whether its page margins are drawn, every file of the templates folder (the
stylesheet, the fonts, the pictures), reportgen's own code, and the versions of the
libraries that lay it out and write it (WeasyPrint, pydyf, fontTools, uharfbuzz, Pango).
One file an entry, in the user's cache folder (XDG), written to a temporary file and
renamed into place, so two builds at once never see half an entry; each entry carries the
SHA-256 of its content, and one that does not match (cut short, changed, from another
version of this format) is removed and laid out again, never used. The folder is kept
under a size, the entries least recently used removed first.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parts import Part

# The format of an entry: this line, the SHA-256 of the rest, the length of the
# metadata, the metadata (JSON), the PDF.
MAGIC = b"reportgen-pdf-part 1\n"
_DIGEST = 32
_LENGTH = 8
# The folder is kept under this size; a 2,000-goal report's parts take some 6 MB.
LIMIT_BYTES = 256 * 2**20
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

    def get(self, html: str, variant: str | None, margins: bool = False,
            part: int | None = None) -> Part | None:
        path = self._path(self.key(html, variant, margins, part))
        try:
            data = path.read_bytes()
        except OSError:
            return None
        laid = decode_part(data)
        if laid is None:  # damaged: never used, laid out again and replaced
            path.unlink(missing_ok=True)
            return None
        try:
            os.utime(path)  # recently used: kept longest
        except OSError:
            pass
        return laid

    def put(self, html: str, variant: str | None, margins: bool, part: int | None,
            laid: Part) -> None:
        """Kept, if the folder can be written to (a cache that cannot be is no cache).
        `part`: the number of the part, as pdf.render_part."""
        path = self._path(self.key(html, variant, margins, part))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(encode_part(laid))
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._prune()
        except OSError:
            return

    def _prune(self) -> None:
        """The entries least recently used removed until the folder is under its limit."""
        entries = []
        for path in self.folder.glob("*/*.part"):
            try:
                stat = path.stat()
            except OSError:
                continue
            entries.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit:
                break
            path.unlink(missing_ok=True)
            total -= size


def encode_part(part: Part) -> bytes:
    meta = json.dumps({"pages": part.pages, "bookmarks": part.bookmarks,
                       "anchors": part.anchors}, ensure_ascii=False).encode()
    body = len(meta).to_bytes(_LENGTH, "big") + meta + part.pdf
    return MAGIC + hashlib.sha256(body).digest() + body


def decode_part(data: bytes) -> Part | None:
    """The part an entry holds; None for anything but an intact entry of this format."""
    from .parts import Part

    head = len(MAGIC)
    if not data.startswith(MAGIC) or len(data) < head + _DIGEST + _LENGTH:
        return None
    digest, body = data[head:head + _DIGEST], data[head + _DIGEST:]
    if hashlib.sha256(body).digest() != digest:
        return None
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
