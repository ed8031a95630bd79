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


def _serve(jobs) -> bytes:
    """The PDF process: WeasyPrint imported while the parent reads the workbooks, then
    the one job. A failure to import is raised only once the job has come, as the
    parent sends it before it listens."""
    failure = None
    try:
        from . import pdf

        pdf.prepare()
    except BaseException as exc:
        failure = exc
    html, base_dir, variant = jobs.recv()
    if failure is not None:
        raise failure
    return pdf.html_to_pdf(html, base_dir, variant, cores())


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


def _run(connection, function: Callable, args: tuple) -> None:
    connection.send(_outcome(function, *args))
    connection.close()


class Forked:
    """`function(*args)` in a process forked from this one (so it starts with all this
    one has imported). `result()` waits for it, and raises if the process failed or
    died; `stop()` ends it early. A daemon may not fork processes of its own."""

    def __init__(self, function: Callable, *args, daemon: bool = True) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(child, function, args),
                                        daemon=daemon)
        self._process.start()
        child.close()  # only the process holds its end: if it dies, we hear of it

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


class PdfProcess:
    """The PDF process, started early: `send(html, base_dir, variant)`, then `receive()`
    the PDF; `stop()` always (it ends the process if no job came)."""

    def start(self) -> PdfProcess:
        theirs, self._jobs = multiprocessing.get_context("fork").Pipe(duplex=False)
        # Not a daemon: it forks the processes that lay out the PDF's parts.
        self._forked = Forked(_serve, theirs, daemon=False)
        theirs.close()
        return self

    def send(self, html: str, base_dir: Path, variant: str | None) -> None:
        self._jobs.send((html, base_dir, variant))

    def receive(self) -> bytes:
        return self._forked.result()

    def stop(self) -> None:
        self._forked.stop()
        self._jobs.close()
