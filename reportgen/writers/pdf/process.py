"""The PDF process: the PDF rendered in a second process, so that it runs beside
everything else.

The process starts before the workbooks are read and imports WeasyPrint meanwhile
(the import alone takes about half a second); it then takes the HTML, and the parent
writes the DOCX (and any other format) while the PDF is made. The process lays out the
PDF's parts in processes of its own, forked from it with WeasyPrint already imported,
one per core. The forking, and what keeps any of these processes from outliving the
build, is `reportgen.util.forks`; the parts' fonts are in a folder the PDF process removes
(engine.font_folders), or this one, should the PDF process be killed.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager, nullcontext
from multiprocessing.connection import wait
from pathlib import Path
from types import FrameType
from typing import Any

from ...util.forks import Forked, cores, hold, let_go, raise_on_terminate
from .engine import remove_font_folders


def _serve(jobs) -> bytes:
    """The PDF process: WeasyPrint imported while the parent reads the workbooks, then
    the one job, each part's end told back over the job's pipe. A failure to import is
    raised only once the job has come, as the parent sends it before it listens. SIGTERM
    (the parent leaving its `with` early) raises, so that the part processes are stopped
    on the way out."""
    signal.signal(signal.SIGTERM, raise_on_terminate)
    failure = None
    try:
        from . import engine, html_to_pdf

        engine.load_weasyprint()
    except Exception as exc:
        failure = exc
    html, base_dir, variant, cache = jobs.recv()
    if failure is not None:
        raise failure
    hold(jobs)  # the parts' processes let go of it

    def progress(done: int, parts: int) -> None:  # back to the parent, which reports it
        jobs.send((done, parts))

    try:
        return html_to_pdf(html, base_dir, variant, cores(), progress, cache)
    finally:
        let_go(jobs)


class PdfProcess:
    """The PDF process, a context manager: started on entering, `send(html, base_dir,
    variant, cache)` and then `receive(progress)` the PDF inside, stopped on leaving
    however the block ends (which ends the process if no job came). Started once and stopped once: a
    second `with` is an error.

    Meanwhile SIGTERM to this process, where it would end it at once and leave the PDF
    process behind, raises SystemExit instead, so that the `with` is left and the
    process stopped (only in the main thread, and only where SIGTERM has no handler of
    the program's own); leaving puts the default back."""

    # SIGTERM's handler before ours, as signal.signal gives it
    _terminate_handler: Callable[[int, FrameType | None], Any] | int | None = None
    _started = False

    def __enter__(self) -> PdfProcess:
        if self._started:
            raise RuntimeError("a PDF process is started only once")
        self._started = True
        # Both ways: the job there, each part's end back.
        theirs, self._jobs = multiprocessing.get_context("fork").Pipe(duplex=True)
        hold(self._jobs)
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL):
            self._terminate_handler = signal.signal(signal.SIGTERM, raise_on_terminate)
        try:
            # Not a daemon: it forks the processes that lay out the PDF's parts.
            self._forked = Forked(_serve, theirs, daemon=False)
        except BaseException:
            self._close()
            raise
        finally:
            theirs.close()
        return self

    def send(self, html: str, base_dir: Path, variant: str | None,
             cache: Path | None = None) -> None:
        self._jobs.send((html, base_dir, variant, cache))

    def receive(self, progress: Callable[[int, int], None] | None = None) -> bytes:
        """The PDF; meanwhile `progress(done, parts)` as each of its parts is laid out
        (each told before the PDF is sent, so all are heard of before it)."""
        result, listening = self._forked.connection, True
        while listening and self._jobs in wait([self._jobs, result]):
            try:
                done, parts = self._jobs.recv()
            except (EOFError, OSError):  # the process let go of it: its result says why
                listening = False
                continue
            if progress is not None:
                progress(done, parts)
        return self._forked.result()

    def __exit__(self, *exc_info) -> None:
        try:
            self._forked.stop()
            # Killed (the out-of-memory killer, say), it has left its parts' fonts.
            remove_font_folders(self._forked.pid)
        finally:
            self._close()

    def _close(self) -> None:
        let_go(self._jobs)
        if self._terminate_handler is not None:
            signal.signal(signal.SIGTERM, self._terminate_handler)
            self._terminate_handler = None


def pdf_process_for(formats: Collection[str]) -> AbstractContextManager[PdfProcess | None]:
    """A PDF process if the formats include the PDF; else a `with` that gives None."""
    return PdfProcess() if "pdf" in formats else nullcontext()
