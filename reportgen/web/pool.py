"""The web page's build processes: a bounded pool of warm workers, kept by a manager.

The web server is threaded (uvicorn's event loop, Starlette's threads), and a threaded
process must not fork: reportgen forks the PDF's processes from the one that renders. So
the server forks one process while it is still single-threaded, the manager, which imports
WeasyPrint and the writers and forks the workers from itself; each worker takes one job at
a time and forks its PDF processes as the command line does. A worker that dies or
overruns its time is killed (its PDF processes die with it, see forks.py) and replaced by
a new fork of the manager, as warm as the first. The server only sends jobs and reads
answers over one pipe, so the event loop never renders.

Every process here dies with the one that forked it.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from ..errors import ReportgenError, os_reason
from ..util.forks import STOP_SECONDS, hold, let_go, orphan_proof

# How long a worker may take for one job (a 2,000-goal build takes some 20 s on 2 cores).
DEFAULT_TIMEOUT = 300.0


class QueueFull(Exception):
    """Every worker is busy and the queue holds as many jobs as it may."""


class JobFailed(Exception):
    """A job that raised in its worker, overran its time, or whose worker died: `reason`
    is "error", "timeout" or "died"; the message is the worker's last line. A failure
    reportgen foresaw (a ReportgenError, the disk) keeps its code and Danish message."""

    def __init__(self, reason: str, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.reason, self.code = reason, code


class BuildPool:
    """`workers` processes, a queue of at most `queue` jobs waiting; `submit(function,
    *args)` runs `function(report_progress, *args)` in a worker and gives a Future of its
    result. `function` must be importable by name from the worker (a module-level
    function); `report_progress(value, note)` sends a progress note back to the Future's
    `progress` callback while the job runs.

    `start()` forks the manager: call it while the process has no other thread."""

    def __init__(self, workers: int = 2, queue: int = 8, timeout: float = DEFAULT_TIMEOUT,
                 prepare: Callable[[], Any] | None = None) -> None:
        self.workers, self.queue, self.timeout = workers, queue, timeout
        self._prepare = prepare
        self._lock = threading.Lock()
        self._futures: dict[int, tuple[Future, Callable | None]] = {}
        self._ids = itertools.count(1)
        self._process: BaseProcess | None = None  # a fork context's process
        self._connection: Connection | None = None
        self._reader: threading.Thread | None = None

    # -- the server's side -------------------------------------------------------------

    def start(self) -> BuildPool:
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe(duplex=True)
        hold(ours)  # closed in every process forked from here on, the manager first
        # Not a daemon: it forks the workers.
        self._process = context.Process(
            target=_manage, daemon=False,
            args=(os.getpid(), theirs, self.workers, self.timeout, self._prepare))
        self._process.start()
        theirs.close()
        self._connection = ours
        self._reader = threading.Thread(target=self._read, name="build-pool", daemon=True)
        self._reader.start()
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def outstanding(self) -> int:
        with self._lock:
            return len(self._futures)

    def submit(self, function: Callable, *args, progress: Callable | None = None) -> Future:
        """Queue a job; QueueFull when as many jobs are waiting or running as allowed."""
        future: Future = Future()
        with self._lock:
            if self._connection is None:
                raise RuntimeError("the build pool is not started")
            if len(self._futures) >= self.workers + self.queue:
                raise QueueFull()
            job = next(self._ids)
            self._futures[job] = (future, progress)
            self._connection.send(("job", job, function, args))
        return future

    def _read(self) -> None:
        """The one thread that reads the manager's answers, and settles each Future."""
        assert self._connection is not None
        while True:
            try:
                kind, job, value = self._connection.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                entry = self._futures.get(job) if kind == "progress" else \
                    self._futures.pop(job, None)
            if entry is None:
                continue
            future, progress = entry
            # A caller's callback that fails (its event loop closed, say) must not end
            # this thread: every later job would wait for ever.
            with contextlib.suppress(Exception):
                if kind == "progress":
                    if progress is not None:
                        progress(*value)
                elif kind == "done":
                    future.set_result(value)
                else:
                    future.set_exception(JobFailed(*value))
        with self._lock:  # the manager is gone: nothing waiting will be answered
            left, self._futures = list(self._futures.values()), {}
        for future, _ in left:
            if not future.done():
                future.set_exception(JobFailed("died", "byggeprocesserne er stoppet"))

    def close(self) -> None:
        """Stop the manager and its workers, and wait until they have ended."""
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.send(("stop", 0, None, None))
            except OSError:
                pass
        if self._process is not None:
            self._process.join(STOP_SECONDS * 2)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        if connection is not None:
            let_go(connection)
        if self._reader is not None:
            self._reader.join(STOP_SECONDS)

    def __enter__(self) -> BuildPool:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()


# -- the manager, in its own process ------------------------------------------------------

class _Worker:
    def __init__(self, manager: int) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe(duplex=True)
        hold(self.connection)  # the other workers, forked later, let go of it
        # Not a daemon: it forks the PDF's processes.
        self.process = context.Process(target=_work, args=(manager, theirs), daemon=False)
        self.process.start()
        theirs.close()
        self.job: int | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        self.process.kill()  # its PDF processes die with it (their parent-death signal)
        self.process.join()
        let_go(self.connection)


def _manage(server: int, connection: Connection, workers: int, timeout: float,
            prepare: Callable | None) -> None:
    orphan_proof(server)
    hold(connection)
    if prepare is not None:
        prepare()  # once, so that every worker forked from here starts warm
    me = os.getpid()
    pool = [_Worker(me) for _ in range(workers)]
    waiting: deque = deque()

    def answer(*message) -> None:
        try:
            connection.send(message)
        except OSError:
            pass

    def replace(worker: _Worker, reason: str, message: str) -> None:
        worker.kill()
        if worker.job is not None:
            answer("failed", worker.job, (reason, message))
        pool[pool.index(worker)] = _Worker(me)

    try:
        while True:
            for worker in pool:
                if worker.job is None and waiting:
                    job, function, args = waiting.popleft()
                    worker.job, worker.deadline = job, time.monotonic() + timeout
                    worker.connection.send((job, function, args))
            busy = [w for w in pool if w.job is not None]
            nearest = min((w.deadline for w in busy), default=None)
            ready = wait([connection, *(w.connection for w in busy),
                          *(w.process.sentinel for w in busy)],
                         None if nearest is None else max(nearest - time.monotonic(), 0))
            if connection in ready:
                try:
                    kind, job, function, args = connection.recv()
                except (EOFError, OSError):
                    return
                if kind == "stop":
                    return
                waiting.append((job, function, args))
            for worker in busy:
                if worker.connection in ready:
                    try:
                        kind, job, value = worker.connection.recv()
                    except (EOFError, OSError):
                        replace(worker, "died", "byggeprocessen stoppede uventet")
                        continue
                    answer(kind, job, value)
                    if kind != "progress":
                        worker.job = None
                elif worker.process.sentinel in ready:
                    replace(worker, "died", "byggeprocessen stoppede uventet")
                elif time.monotonic() >= worker.deadline:
                    replace(worker, "timeout", f"byggeriet tog mere end {timeout:g} sekunder")
    finally:
        for worker in pool:
            worker.kill()


def _work(manager: int, connection: Connection) -> None:
    orphan_proof(manager)
    hold(connection)  # the PDF's processes let go of it
    while True:
        try:
            job, function, args = connection.recv()
        except (EOFError, OSError):
            return

        def progress(*value, job: int = job) -> None:
            connection.send(("progress", job, value))

        try:
            connection.send(("done", job, function(progress, *args)))
        except ReportgenError as exc:
            connection.send(("failed", job, ("error", f"{exc.where}: {exc.message}"
                                             if exc.where else exc.message, exc.code)))
        except OSError as exc:  # the disk or the system, in Danish as the command says it
            connection.send(("failed", job, ("error", os_reason(exc), "RG900")))
        except Exception as exc:
            connection.send(("failed", job, ("error", f"{type(exc).__name__}: {exc}")))
