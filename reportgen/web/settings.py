"""What the server allows: its host names, the sizes and counts of uploads, how long a
job's files are kept; the defaults are the reader's own limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..reader.files import (
    MAX_FILE_BYTES,
)


@dataclass(frozen=True)
class Settings:
    """What the server allows; the defaults are the reader's own limits."""

    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    file_bytes: int = MAX_FILE_BYTES        # one workbook, as the reader takes it
    files: int = 40                         # workbooks in one request (a zip's too)
    request_bytes: int = 2 * MAX_FILE_BYTES + 2**20
    keep_seconds: float = 30 * 60           # a job's files, if not all fetched before
    retry_after: int = 10                   # seconds, when the queue is full
    # The folder the PDF's laid-out parts are kept in between builds (pdf/cache.py); by
    # default none: the page keeps nothing of what it is given.
    cache: Path | None = None
