"""The PDF rendered in a second process, so that it runs beside everything else.

The process starts before the workbooks are read and imports WeasyPrint meanwhile
(the import alone takes about half a second); it then takes the HTML, and the parent
writes the DOCX (and any other format) while the PDF is made. The process lays out the
PDF's parts in processes of its own, forked from it with WeasyPrint already imported,
one per core.

No process outlives the one that forked it: a child dies with its parent (Linux's
parent-death signal), holds neither the caller's stdout and stderr nor any other
process's pipe, and a process that is stopped, by an exception or by SIGTERM, stops its
own children first.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait
from pathlib import Path

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# How long a process asked to stop may take to stop its own children, before it is killed.
STOP_SECONDS = 2.0
# The pipe ends this process holds (its children's results, its own): each child closes
# them all, so that a pipe's end is held only by the process that reads or writes it. A
# child writing to a reader that is gone then fails at once instead of waiting for ever,
# and a parent hears of a child's death at once, not when the child's children end.
_held: set = set()


def _serve(jobs) -> bytes:
    """The PDF process: WeasyPrint imported while the parent reads the workbooks, then
    the one job. A failure to import is raised only once the job has come, as the
    parent sends it before it listens. SIGTERM (the parent's stop()) raises, so that the
    part processes are stopped on the way out."""
    signal.signal(signal.SIGTERM, _raise_on_terminate)
    failure = None
    try:
        from . import pdf

        pdf.prepare()
    except Exception as exc:
        failure = exc
    html, base_dir, variant = jobs.recv()
    jobs.close()
    if failure is not None:
        raise failure
    return pdf.html_to_pdf(html, base_dir, variant, cores())


def _raise_on_terminate(signum, frame):
    raise SystemExit(128 + signum)


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


def _run(parent: int, connection, function: Callable, args: tuple) -> None:
    _orphan_proof(parent)
    _held.add(connection)  # closed in this one's children: its death is heard of at once
    connection.send(_outcome(function, *args))
    _held.discard(connection)
    connection.close()


def _orphan_proof(parent: int) -> None:
    """First in a forked child: die with the parent, and let go of what is not ours.

    The parent-death signal is sent when the thread that forked this process ends; all
    forking here is done by the thread that then waits for the child. A parent that died
    before the signal was asked for has left this process to another parent already:
    hence the pid. The results and tracebacks travel over the pipe, so the caller's
    stdout and stderr are not needed, and holding them would keep a reader of the
    caller's output (`reportgen build | tail`) waiting until this process ends."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    for connection in list(_held):
        connection.close()
    _held.clear()


class Forked:
    """`function(*args)` in a process forked from this one (so it starts with all this
    one has imported). `result()` waits for it, and raises if the process failed or
    died; `stop()` ends it early, and waits until it has ended. A daemon may not fork
    processes of its own."""

    def __init__(self, function: Callable, *args, daemon: bool = True) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=False)
        _held.add(self.connection)
        self._process = context.Process(target=_run, daemon=daemon,
                                        args=(os.getpid(), child, function, args))
        try:
            self._process.start()
        except BaseException:
            self._close()
            raise
        finally:
            child.close()  # only the process holds its end: if it dies, we hear of it

    def result(self):
        try:
            ok, value = self.connection.recv()
        except (EOFError, OSError):
            ok, value = False, None
        self._process.join()
        self._close()
        if not ok:
            raise RuntimeError(f"a PDF process failed:\n{value}" if value else
                               "a PDF process ended without a result (exit code "
                               f"{self._process.exitcode})")
        return value

    def stop(self) -> None:
        """SIGTERM, which a process that has children of its own turns into an exception
        that stops them (`_serve`); SIGKILL if it has not ended in STOP_SECONDS (its
        children then die with it)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
            if self._process.is_alive():
                self._process.kill()
        self._process.join()
        self._close()

    def _close(self) -> None:
        _held.discard(self.connection)
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
    the PDF; `stop()` always (it ends the process if no job came).

    Meanwhile SIGTERM to this process, where it would end it at once and leave the PDF
    process behind, raises SystemExit instead, so that the caller's `finally` calls
    `stop()` (only in the main thread, and only where SIGTERM has no handler of the
    program's own); `stop()` puts the default back."""

    _terminate_handler = None

    def start(self) -> PdfProcess:
        theirs, self._jobs = multiprocessing.get_context("fork").Pipe(duplex=False)
        _held.add(self._jobs)
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL):
            self._terminate_handler = signal.signal(signal.SIGTERM, _raise_on_terminate)
        try:
            # Not a daemon: it forks the processes that lay out the PDF's parts.
            self._forked = Forked(_serve, theirs, daemon=False)
        except BaseException:
            self._close()
            raise
        finally:
            theirs.close()
        return self

    def send(self, html: str, base_dir: Path, variant: str | None) -> None:
        self._jobs.send((html, base_dir, variant))

    def receive(self) -> bytes:
        return self._forked.result()

    def stop(self) -> None:
        try:
            self._forked.stop()
        finally:
            self._close()

    def _close(self) -> None:
        _held.discard(self._jobs)
        self._jobs.close()
        if self._terminate_handler is not None:
            signal.signal(signal.SIGTERM, self._terminate_handler)
            self._terminate_handler = None
