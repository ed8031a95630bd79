"""No process of a build outlives it: the build's main process killed, or failing, while
the PDF's parts are being laid out and a reader waits on the build's output pipe.

Each build runs as the command does, its stdout and stderr one pipe. The test waits
until the PDF process (a child of the main process) has forked the part processes (its
children), ends the main process, then asserts that the pipe reaches end-of-file and
that no process of the build is left. Any process of the build is known by the output
folder in its command line (forked processes keep their parent's), so a process forked
after the last look is found as well.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .helpers import workbooks

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc; the parent-death signal is Linux's")

GOALS = 800  # parts laid out for some 15 s on one free core: time to see them and strike
START_SECONDS = 240  # for the parts to begin, on a loaded machine
EOF_SECONDS = 10  # measured: well under a second after the main process ends
GONE_SECONDS = 10
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
REPORTGEN = (sys.executable, "-c", "import sys; from reportgen.cli import main; sys.exit(main())")
# The main process fails (as python-docx did on a long title) once the parts have begun.
FAIL_IN_MAIN = """
import os, sys, time
import reportgen.writers.docx

def children(pids):
    found = set()
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) in pids:
                    found.add(int(name))
        except (OSError, ValueError):
            pass
    return found

def fails(report, options):
    deadline = time.monotonic() + START_SECONDS
    while not children(children({os.getpid()})) and time.monotonic() < deadline:
        time.sleep(0.05)
    raise ValueError("the DOCX failed")

reportgen.writers.docx.render = fails
from reportgen.cli import main
sys.exit(main())
""".replace("START_SECONDS", str(START_SECONDS))


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    return workbooks.write(GOALS, tmp_path_factory.mktemp("big") / "big.xlsx")


def _processes() -> dict[int, tuple[int, str, bytes]]:
    """Every process: pid -> (parent pid, state, command line)."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                table[int(name)] = (int(fields[1]), fields[0], cmdline.read())
        except (OSError, ValueError, IndexError):
            continue  # ended meanwhile
    return table


def _of_build(marker: bytes) -> set[int]:
    """The living processes of the build (a zombie has ended: only its exit status is
    left, for its parent to collect)."""
    return {pid for pid, (_, state, cmdline) in _processes().items()
            if marker in cmdline and state not in "ZX" and pid != os.getpid()}


def _descendants(root: int, table) -> tuple[set[int], set[int]]:
    children = {pid for pid, (parent, _, _) in table.items() if parent == root}
    grandchildren = {pid for pid, (parent, _, _) in table.items() if parent in children}
    return children, grandchildren


@contextmanager
def _orphans_come_here() -> Iterator[None]:
    """Orphans of the build are reparented to this process rather than to PID 1 (which
    in a container may never collect their exit status), so that they can be reaped."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    try:
        yield
    finally:
        libc.prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _reap(pids) -> None:
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass  # not ours to reap, or reaped already


def _seconds_to_eof(stream, limit: float) -> float | None:
    """Read the pipe until end-of-file: the seconds it took, or None after `limit`."""
    started = time.monotonic()
    fd = stream.fileno()
    while (left := started + limit - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0] and not os.read(fd, 65536):
            return time.monotonic() - started
    return None


def _end_mid_build(command: list[str], marker: str, strike=None) -> dict:
    """Run the build, wait for its parts, `strike(main pid)` (if any), then measure.
    Without the cache: parts an earlier test laid out would be taken from it, and no
    process would lay them out."""
    with _orphans_come_here():
        process = subprocess.Popen([*command, "--no-cache"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        seen: set[int] = set()
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                children, grandchildren = _descendants(process.pid, _processes())
                seen |= children | grandchildren
                if grandchildren:
                    break
                assert process.poll() is None, "the build ended before the parts began"
                assert time.monotonic() < deadline, "the parts did not begin"
                time.sleep(0.05)
            if strike is not None:
                strike(process.pid)
            eof = _seconds_to_eof(process.stdout, EOF_SECONDS)
            returncode = process.wait(timeout=GONE_SECONDS)
            gone_by = time.monotonic() + GONE_SECONDS
            while (left := _of_build(marker.encode())) and time.monotonic() < gone_by:
                _reap(seen | left)
                time.sleep(0.05)
            return {"eof": eof, "left": left, "returncode": returncode, "children": children,
                    "grandchildren": grandchildren}
        finally:
            for pid in _of_build(marker.encode()) | ({process.pid} if process.poll() is None
                                                     else set()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait()
            process.stdout.close()
            time.sleep(0.1)
            _reap(seen | _of_build(marker.encode()))


def _killed(big: Path, out: Path, signum: int) -> dict:
    return _end_mid_build([*REPORTGEN, "build", str(big), "-o", str(out)], str(out),
                          lambda pid: os.kill(pid, signum))


def _assert_nothing_left(ended: dict) -> None:
    assert len(ended["children"]) == 1 and ended["grandchildren"]  # the PDF and its parts
    assert ended["eof"] is not None, f"the pipe stayed open {EOF_SECONDS} s after the end"
    assert not ended["left"], f"left running: {ended['left']}"


def test_sigkill_to_the_main_process_leaves_nothing(big, tmp_path):
    ended = _killed(big, tmp_path / "out", signal.SIGKILL)
    _assert_nothing_left(ended)
    assert ended["returncode"] == -signal.SIGKILL


def test_sigterm_to_the_main_process_leaves_nothing(big, tmp_path):
    ended = _killed(big, tmp_path / "out", signal.SIGTERM)
    _assert_nothing_left(ended)
    # ended by the exception it raises there, its `finally` blocks run, not by the signal
    assert ended["returncode"] == 128 + signal.SIGTERM
    assert not (tmp_path / "out").exists()


def test_sigint_to_the_main_process_alone_leaves_nothing(big, tmp_path):
    ended = _killed(big, tmp_path / "out", signal.SIGINT)
    _assert_nothing_left(ended)
    assert ended["returncode"] not in (0, -signal.SIGINT)


def test_a_build_failing_in_the_main_process_leaves_nothing(big, tmp_path):
    out = tmp_path / "out"
    ended = _end_mid_build([sys.executable, "-c", FAIL_IN_MAIN, "build", str(big), "-o",
                            str(out)], str(out))
    _assert_nothing_left(ended)
    assert ended["returncode"] == 1
    assert not out.exists()


def test_sigkill_to_the_pdf_process_ends_its_parts_and_fails_the_build(big, tmp_path):
    """As the out-of-memory killer would end it: its parts die with it."""
    out = tmp_path / "out"

    def kill_the_pdf_process(main: int) -> None:
        children, _ = _descendants(main, _processes())
        for pid in children:
            os.kill(pid, signal.SIGKILL)

    # the PDF alone: the main process waits for nothing else, it hears of the death at once
    ended = _end_mid_build([*REPORTGEN, "build", str(big), "-o", str(out), "--format", "pdf"],
                           str(out), kill_the_pdf_process)
    _assert_nothing_left(ended)
    assert ended["returncode"] == 1
    assert not out.exists()


def test_a_child_whose_parent_died_before_it_could_ask_to_die_with_it_ends():
    """The parent-death signal, asked for after fork, comes too late for a parent that
    died in between: the child then has another parent already, and ends at once."""
    from reportgen.util import forks

    pid = os.fork()
    if pid == 0:  # the child: 0 if orphan_proof returns
        try:
            forks.orphan_proof(os.getppid() + 1)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 1


def test_sigterm_raises_while_a_pdf_process_runs_and_is_the_default_again_after():
    from reportgen.writers.pdf.process import PdfProcess

    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    pdf_process = PdfProcess()
    with pdf_process:
        with pytest.raises(SystemExit) as raised:
            signal.raise_signal(signal.SIGTERM)
        assert raised.value.code == 128 + signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert not pdf_process._forked._process.is_alive()
    with pytest.raises(RuntimeError, match="only once"), pdf_process:
        pass
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_without_the_pdf_there_is_no_pdf_process():
    from reportgen.writers.pdf.process import PdfProcess, pdf_process_for

    with pdf_process_for(["docx", "json"]) as pdf_process:
        assert pdf_process is None
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert isinstance(pdf_process_for(["docx", "pdf"]), PdfProcess)
