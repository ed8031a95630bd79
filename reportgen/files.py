"""Files out: names any file system takes, and every output written all or nothing.

Outputs are written to a temporary file beside the target and moved into place only when
every one is written, so a failed build leaves earlier outputs untouched; where an output
cannot be written at all (a file where a folder should be, a name too long, a workbook
there already), that is found before anything is written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .errors import ReportgenError, quote, reason

# A file name's stem in bytes: file systems take 255, and a suffix and a temporary
# file's affixes go on it.
NAME_BYTES = 200
# A name is written as `.<name>.<ext>.XXXXXXXX.tmp` first (write_all): 14 bytes more
# than the file itself. 255 bytes is the longest name ext4, XFS, Btrfs and NTFS take.
NAME_MAX = 255
TEMP_EXTRA = len("." + "." + "XXXXXXXX" + ".tmp")
# The names Windows keeps for its devices, in any case and whatever follows a dot (or
# spaces before it): `CON.pdf` or `nul.xlsx` on a share cannot be opened there. COM and
# LPT with a superscript digit too, as Windows reads them.
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                             *(f"{port}{digit}" for port in ("COM", "LPT")
                               for digit in "0123456789¹²³")})


def windows_device(name: str) -> bool:
    """Whether Windows takes the file name `name` for a device (`nul`, `CON.pdf`)."""
    return name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_DEVICES


def safe_name(text: str) -> str:
    """A file name any file system takes: letters, digits, - and _ (æ ø å kept); never
    ending in a dot or a space, which Windows drops, and never a name Windows keeps for
    a device (`CON`, `nul`), which gets an underscore (`CON_`)."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-_.")[:80]
    while len(text.encode()) > NAME_BYTES:  # letters of four bytes each: 80 are too many
        text = text[:-1]
    # No dot or space is left at the end by the pattern above; kept, should it change.
    text = text.rstrip(". ") or "rapport"
    return f"{text}_" if windows_device(text) else text


def write_all(files: dict[Path, bytes], what: str = "Rapporten") -> list[Path]:
    """All or nothing: every file is written in full beside its target first, then all are
    moved into place. If one cannot be (a full disk, a file open on a share, a folder of
    that name), those already moved are put back as they were, and RG900 says so, and
    what is on disk now (`what`: the files' name in the message)."""
    for path in files:
        if path.exists() and not path.is_file():
            raise ReportgenError("RG900", f"{what} kunne ikke skrives. {path} findes og er "
                                 "ikke en almindelig fil (fx en mappe), så den kan ikke "
                                 "skrives dér. Intet er ændret.")
    mode = 0o666 & ~_umask()
    temps: dict[Path, Path] = {}
    kept: dict[Path, Path] = {}  # target -> the earlier output, kept until all are in place
    moved: list[Path] = []
    try:
        for path, data in files.items():
            try:
                handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                                dir=path.parent)
                temps[path] = Path(name)
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.chmod(name, mode)
                if path.exists():
                    kept[path] = _keep(path)
            except OSError as exc:
                raise ReportgenError("RG900", f"{what} kunne ikke skrives til "
                                     f"{quote(path.parent)} ({reason(exc)}). Intet er "
                                     "ændret.") from exc
        for path, temp in temps.items():
            try:
                os.replace(temp, path)
            except OSError as exc:
                raise ReportgenError("RG900", f"{what} kunne ikke skrives. "
                                     + _put_back(path, exc, moved, kept)) from exc
            moved.append(path)
    finally:
        for temp in (*temps.values(), *kept.values()):
            temp.unlink(missing_ok=True)
    return list(files)


def _keep(path: Path) -> Path:
    """A second name for the earlier output (a copy where the file system links none)."""
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent)
    os.close(handle)
    kept = Path(name)
    try:
        kept.unlink()
        os.link(path, kept)
    except OSError:
        shutil.copy2(path, kept)
    return kept


def _put_back(failed: Path, exc: OSError, moved: list[Path], kept: dict[Path, Path]) -> str:
    """Undo the moves made before `failed`; the Danish account of what is on disk."""
    left: list[Path] = []
    for path in moved:
        try:
            if path in kept:
                os.replace(kept[path], path)
            else:
                path.unlink()
        except OSError:
            left.append(path)
    text = f"{failed} kunne ikke erstattes ({reason(exc)}; er filen åben i et andet program?). "
    if not left:
        return text + "Intet er ændret: de tidligere filer ligger, som de lå."
    return text + ("Disse filer er nye og kunne ikke sættes tilbage: "
                   f"{', '.join(str(p) for p in left)}; de øvrige er, som de var.")


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomically(path: Path, data: bytes, what: str = "Filen") -> Path:
    return write_all({path: data}, what)[0]


# -- Output places, checked before anything is written ------------------------------------

def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def probe_folder(folder: Path) -> str | None:
    """Why no file can be written in `folder` (which need not exist yet), or None."""
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        return f"{quote(existing)} er en fil, ikke en mappe"
    try:  # the same kind of file write_all makes, and gone at once
        handle, temp = tempfile.mkstemp(prefix=".reportgen-", suffix=".tmp", dir=existing)
        os.close(handle)
        os.unlink(temp)
    except OSError as exc:
        return f"der kan ikke oprettes filer i {quote(existing)} ({reason(exc)})"
    return None


def check_file_target(path: Path, what: str) -> None:
    """RG910 where the file `path` cannot be written (`what`: its name in the message)."""
    if path.is_dir():
        raise ReportgenError("RG910", f"{what} kan ikke skrives: {quote(path)} er en "
                             "mappe. Intet er skrevet.")
    problem = probe_folder(path.parent)
    if problem:
        raise ReportgenError("RG910", f"{what} kan ikke skrives til {quote(path)}: "
                             f"{problem}. Intet er skrevet.")


def check_folder_target(folder: Path, what: str) -> None:
    """RG910 where no file can be written in `folder`."""
    problem = probe_folder(folder)
    if problem:
        raise ReportgenError("RG910", f"{what} kan ikke skrives: {problem}. Intet er skrevet.")


def check_names(folder: Path, names: Sequence[str], what: str) -> None:
    """RG911 for a name longer than the file system of `folder` takes."""
    existing = _nearest_existing(folder)
    try:
        limit = os.pathconf(existing, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        limit = NAME_MAX
    for name in names:
        size = len(os.fsencode(name))
        if size + TEMP_EXTRA > limit:
            raise ReportgenError("RG911", f"Filnavnet {quote(name)} er for langt til "
                                 f"filsystemet ({size} byte; højst {limit - TEMP_EXTRA}). "
                                 f"{what} er ikke skrevet.")


def check_not_there(folder: Path, names: Sequence[str], force: bool) -> None:
    """All or nothing: no workbook is written while one would replace a file there already
    (unless --force), nor where a folder has its name."""
    there = [folder / name for name in names if (folder / name).exists()]
    folders = [path for path in there if not path.is_file()]
    if folders:
        raise ReportgenError("RG910", f"{quote(folders[0])} er en mappe, så arbejdsbogen "
                             "kan ikke skrives dér. Intet er skrevet.")
    if not there or force:
        return
    shown = ", ".join(quote(path) for path in there[:3])
    others = len(there) - 3
    more = f" og {others} {'anden' if others == 1 else 'andre'}" if others > 0 else ""
    if len(there) == 1:
        said, them = f"Arbejdsbogen {shown} findes allerede", "den"
    else:
        said, them = f"{len(there)} af arbejdsbøgerne findes allerede: {shown}{more}", "dem"
    raise ReportgenError("RG912", f"{said}. Intet er skrevet: brug --force for at "
                         f"overskrive {them}, eller vælg en anden mappe med -o.")
