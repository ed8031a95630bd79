"""Loading the C libraries behind WeasyPrint and CairoSVG without a detour."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sonames_only() -> Iterator[None]:
    """While WeasyPrint or CairoSVG is imported, `ctypes.util.find_library` answers "not
    found" at once.

    Both try each C library under several names (`libpango-1.0-0`, `pango-1.0`, …,
    `libpango-1.0.so.0`); for every name that is not a file name, cffi and cairocffi ask
    find_library, which on Linux runs ldconfig, gcc and ld to look: five processes a
    name, a quarter of a second for WeasyPrint's import. Each list also holds the
    library's soname, which the dynamic loader finds by itself, so nothing is lost.
    """
    if not sys.platform.startswith("linux"):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


def release_memory() -> None:
    """Garbage collected, and the freed heap handed back to the system (glibc keeps it
    otherwise): a build's processes live on after their largest step, and the steps of
    the other processes need the memory."""
    gc.collect()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc's; absent elsewhere
    if trim is not None:
        trim(0)
