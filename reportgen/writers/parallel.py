"""The PDF rendered in a second process, so that it runs beside everything else.

The process starts before the workbooks are read and imports WeasyPrint meanwhile
(the import alone takes about half a second); it then takes the HTML, and the parent
writes the DOCX (and any other format) while the PDF is made. The process lays out the
PDF's parts in processes of its own, forked from it with WeasyPrint already imported,
one per core.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait
from pathlib import Path


def _serve(connection) -> None:
    prepared = _outcome(_prepare)  # a failure is reported when the job comes
    try:
        job = connection.recv()
    except EOFError:  # the build ended without a PDF
        return
    ok, pdf = prepared
    connection.send(_outcome(pdf.html_to_pdf, *job, cores()) if ok else prepared)


def _prepare():
    from . import pdf

    pdf.prepare()
    return pdf


def _outcome(function: Callable, *args) -> tuple[bool, object]:
    """(True, the result), or (False, the traceback) for the parent to raise."""
    try:
        return True, function(*args)
    except BaseException:
        return False, traceback.format_exc()


def cores() -> int:
    """The cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class PdfProcess:
    """`start()` early; `send(html, base_dir, variant)`, then `receive()` the PDF;
    `stop()` always (it ends the process if no job came)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, self._child = context.Pipe()
        # Not a daemon, which may not have processes of its own; it ends when the pipe
        # closes, and stop() ends it otherwise.
        self._process = context.Process(target=_serve, args=(self._child,))

    def start(self) -> PdfProcess:
        self._process.start()
        self._child.close()  # only the process holds its end: if it dies, we hear of it
        return self

    def send(self, html: str, base_dir: Path, variant: str | None) -> None:
        self._connection.send((html, base_dir, variant))

    def receive(self) -> bytes:
        try:
            ok, result = self._connection.recv()
        except (EOFError, OSError):
            raise RuntimeError("the PDF process ended without a result") from None
        finally:
            self._process.join()
        if not ok:
            raise RuntimeError(f"the PDF process failed:\n{result}")
        return result

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._connection.close()


def _run(connection, function: Callable, args: tuple) -> None:
    connection.send(_outcome(function, *args))
    connection.close()


class Forked:
    """`function(*args)` in a process forked from this one (so it starts with all this
    one has imported). `result()` waits for it, and raises if the process failed or
    died; `stop()` ends it early."""

    def __init__(self, function: Callable, *args) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(child, function, args), daemon=True)
        self._process.start()
        child.close()

    def result(self):
        try:
            ok, value = self.connection.recv()
        except (EOFError, OSError):
            ok, value = False, None
        self._process.join()
        self.connection.close()
        if not ok:
            raise RuntimeError(f"a PDF process failed:\n{value}" if value else
                               "a PDF process ended without a result (exit code "
                               f"{self._process.exitcode})")
        return value

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self.connection.close()


def in_processes(function: Callable, jobs: list[tuple], processes: int) -> list:
    """`function(*job)` for every job, each in a fresh process, `processes` at a time;
    the results in the jobs' order. A fresh process per job gives all of a job's memory
    back when it is done (multiprocessing.Pool would do that too, but waits forever for a
    worker that died)."""
    results: dict[int, object] = {}
    running: dict = {}
    waiting = list(enumerate(jobs))
    try:
        while waiting or running:
            while waiting and len(running) < processes:
                index, job = waiting.pop(0)
                forked = Forked(function, *job)
                running[forked.connection] = (index, forked)
            for connection in wait(list(running)):
                index, forked = running.pop(connection)
                results[index] = forked.result()
    finally:
        for _, forked in running.values():
            forked.stop()
    return [results[index] for index in range(len(jobs))]
