"""Functions run in processes forked from this one: one at a time (`Forked`), or many,
a few at once (`in_processes`).

A forked process starts with all this one has imported, so work that needs a slow import
can be forked after the import is done, as many times as needed.

No process outlives the one that forked it: a child dies with its parent (Linux's
parent-death signal), holds neither the caller's stdout and stderr nor any other
process's pipe, and a process that is stopped, by an exception or by SIGTERM, stops its
own children first. A child with children of its own is sent SIGTERM when its parent
dies, not SIGKILL, so that it stops them and removes what they leave (its `finally`
blocks run), as when it is stopped; it is given EXIT_SECONDS to, then SIGALRM ends it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import wait

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# How long a process asked to stop may take to stop its own children, before it is killed.
STOP_SECONDS = 2.0
# How long a forked process that SIGTERM has asked to stop may take on its way out: its
# parent kills it after STOP_SECONDS, but a parent that has died (the SIGTERM was its
# death signal) kills nothing, and the process ends itself by SIGALRM instead.
EXIT_SECONDS = 3 * int(STOP_SECONDS)
# The pipe ends this process holds (its children's results, its own): each child closes
# them all, so that a pipe's end is held only by the process that reads or writes it. A
# child writing to a reader that is gone then fails at once instead of waiting for ever,
# and a parent hears of a child's death at once, not when the child's children end.
_held: set = set()
# Whether this process was forked here (orphan_proof), and no one may be left to kill it.
_forked = False


def hold(connection) -> None:
    """A pipe end of this process's own, for its children to close when they are forked."""
    _held.add(connection)


def let_go(connection) -> None:
    """Close a pipe end `hold` was given."""
    _held.discard(connection)
    connection.close()


def raise_on_terminate(signum, frame):
    """A SIGTERM handler: SystemExit, so that `finally` blocks run (and stop children).
    In a forked process, SIGALRM's default action ends it EXIT_SECONDS later, should its
    way out hang with no parent left to kill it."""
    if _forked:
        signal.alarm(EXIT_SECONDS)
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


def _run(parent: int, death_signal: int, connection, function: Callable,
         args: tuple) -> None:
    orphan_proof(parent, death_signal)
    hold(connection)  # closed in this one's children: its death is heard of at once
    connection.send(_outcome(function, *args))
    let_go(connection)


def orphan_proof(parent: int, death_signal: int = signal.SIGKILL) -> None:
    """First in a forked child: die with the parent, and let go of what is not ours.

    The parent-death signal (`death_signal`: SIGTERM for a process that will stop its
    own children on the way out, see raise_on_terminate) is sent when the thread that
    forked this process ends; all forking here is done by the thread that then waits for
    the child. A parent that died before the signal was asked for has left this process
    to another parent already: hence the pid. The results and tracebacks travel over the
    pipe, so the caller's stdout and stderr are not needed, and holding them would keep a
    reader of the caller's output (`reportgen build | tail`) waiting until this process
    ends."""
    global _forked
    _forked = True
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, death_signal, 0, 0, 0)
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
    processes of its own; one that is no daemon gets SIGTERM when this one dies, to stop
    them (a daemon, SIGKILL)."""

    def __init__(self, function: Callable, *args, daemon: bool = True) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe(duplex=False)
        hold(self.connection)
        death_signal = signal.SIGKILL if daemon else signal.SIGTERM
        self._process = context.Process(
            target=_run, daemon=daemon,
            args=(os.getpid(), death_signal, child, function, args))
        try:
            self._process.start()
        except BaseException:
            let_go(self.connection)
            raise
        finally:
            child.close()  # only the process holds its end: if it dies, we hear of it

    @property
    def pid(self) -> int:
        assert self._process.pid is not None  # started in __init__
        return self._process.pid

    def result(self):
        try:
            ok, value = self.connection.recv()
        except (EOFError, OSError):
            ok, value = False, None
        self._process.join()
        let_go(self.connection)
        if not ok:
            raise RuntimeError(f"a forked process failed:\n{value}" if value else
                               "a forked process ended without a result (exit code "
                               f"{self._process.exitcode})")
        return value

    def stop(self) -> None:
        """SIGTERM, which a process that has children of its own turns into an exception
        that stops them (`raise_on_terminate`); SIGKILL if it has not ended in
        STOP_SECONDS (its children then die with it)."""
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_SECONDS)
            if self._process.is_alive():
                self._process.kill()
        self._process.join()
        let_go(self.connection)


def in_processes(function: Callable, jobs: list[tuple], processes: int,
                 done: Callable[[int], None] | None = None) -> list:
    """`function(*job)` for every job, each in a fresh process, `processes` at a time;
    the results in the jobs' order; `done(index)` is called as each job's result comes.
    A fresh process per job gives all of a job's memory back when it is done
    (multiprocessing.Pool would do that too, but waits forever for a worker that died)."""
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
                if done is not None:
                    done(index)
    finally:
        for _, forked in running.values():
            forked.stop()
    return [results[index] for index in range(len(jobs))]
