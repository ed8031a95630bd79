"""No process of a build outlives it, nor any folder of WeasyPrint's fonts: the build's
main process killed, or failing, while the PDF's parts are being laid out and a reader
waits on the build's output pipe; or a build of the page's timed out.

Each build runs as the command does, its stdout and stderr one pipe, with a temporary
folder of the test's own (TMPDIR), so that other runs on the machine do not count. The
test waits until the PDF process (a child of the main process) has forked the part
processes (its children) and a part has written its fonts, ends the main process, then
asserts that the pipe reaches end-of-file, that no process of the build is left, and that
no `reportgen-fonts-*` folder is. Any process of the build is known by the output folder
in its command line (forked processes keep their parent's), so a process forked after the
last look is found as well.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .helpers import DEFAULT_INPUT, workbooks

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


def _font_files(tmp: Path) -> list[Path]:
    """The fonts WeasyPrint has written for a part, in reportgen's folders for them."""
    try:
        return [path for path in tmp.glob("reportgen-fonts-*/**/*") if path.is_file()]
    except OSError:  # removed while looked at
        return []


def _end_mid_build(command: list[str], marker: str, tmp: Path, strike=None) -> dict:
    """Run the build with `tmp` as its temporary folder, wait for its parts (and, to
    strike, for a part's fonts on disk), `strike(main pid)` (if any), then measure.
    Without the cache: parts an earlier test laid out would be taken from it, and no
    process would lay them out."""
    tmp.mkdir()
    with _orphans_come_here():
        process = subprocess.Popen([*command, "--no-cache"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env={**os.environ, "TMPDIR": str(tmp)})
        seen: set[int] = set()
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                children, grandchildren = _descendants(process.pid, _processes())
                seen |= children | grandchildren
                if grandchildren and (strike is None or _font_files(tmp)):
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
                    "grandchildren": grandchildren,
                    "fonts": sorted(tmp.glob("reportgen-fonts-*"))}
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
                          out.parent / "tmp", lambda pid: os.kill(pid, signum))


def _assert_nothing_left(ended: dict) -> None:
    assert len(ended["children"]) == 1 and ended["grandchildren"]  # the PDF and its parts
    assert ended["eof"] is not None, f"the pipe stayed open {EOF_SECONDS} s after the end"
    assert not ended["left"], f"left running: {ended['left']}"
    assert not ended["fonts"], f"left in the temporary folder: {ended['fonts']}"


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
                            str(out)], str(out), tmp_path / "tmp")
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
                           str(out), tmp_path / "tmp", kill_the_pdf_process)
    _assert_nothing_left(ended)
    assert ended["returncode"] == 1
    assert not out.exists()


# The page's time-out: long enough for a warm build process to begin the default input's
# layout (well under a second), short for the test.
PAGE_TIMEOUT = 10.0


def _hang_in_layout(progress, reached: Path, out: Path) -> dict:
    """The default input's PDF built as the page builds it, its layout hanging once its
    fonts have a folder (said in `reached`): the page's time-out ends it."""
    from reportgen.round import Round
    from reportgen.web.jobs import build_job
    from reportgen.writers.pdf import engine

    def hang(root):
        reached.write_text(tempfile.gettempdir())
        time.sleep(600)

    engine.url_fetcher = hang  # the PDF's processes are forked from here: theirs too
    return build_job(progress, Round([DEFAULT_INPUT]), False, ["pdf"], out)


def test_a_build_of_the_page_that_times_out_leaves_no_font_folder(tmp_path, monkeypatch):
    """The build process is killed at its time-out (SIGKILL), the PDF's process with it."""
    from reportgen.web.jobs import prepare_worker
    from reportgen.web.pool import BuildPool, JobFailed

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))  # the build processes inherit it
    reached = tmp_path / "reached"
    with BuildPool(1, 0, timeout=PAGE_TIMEOUT, prepare=prepare_worker) as pool:
        job = pool.submit(_hang_in_layout, reached, tmp_path / "out")
        with pytest.raises(JobFailed) as failed:
            job.result(PAGE_TIMEOUT + START_SECONDS)
    assert failed.value.reason == "timeout"
    assert reached.exists(), "timed out before the layout began"
    assert reached.read_text().startswith(str(tmp / "reportgen-fonts-"))
    gone_by = time.monotonic() + GONE_SECONDS
    while (left := sorted(tmp.glob("reportgen-fonts-*"))) and time.monotonic() < gone_by:
        time.sleep(0.05)
    assert not left, f"left in the temporary folder: {left}"


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


# A process whose parent forks, with children of its own (as the PDF process), its way
# out hanging; the parent then waits to be killed.
HANGS_ON_THE_WAY_OUT = """
import os, signal, sys, time
from pathlib import Path
from reportgen.util import forks

said = Path(sys.argv[1])

def lays_out():
    signal.signal(signal.SIGTERM, forks.raise_on_terminate)
    said.write_text(str(os.getpid()))
    try:
        time.sleep(600)
    finally:
        said.write_text("stopped")
        time.sleep(600)

forks.Forked(lays_out, daemon=False)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in "ZX"
    except OSError:
        return False


def test_a_process_with_children_whose_parent_dies_runs_its_way_out_and_then_ends(tmp_path):
    """Its parent-death signal is SIGTERM, so that it stops its children and removes
    their folders; should that hang, it ends by itself after EXIT_SECONDS."""
    from reportgen.util.forks import EXIT_SECONDS

    said, children = tmp_path / "said", []
    with _orphans_come_here():
        parent = subprocess.Popen([sys.executable, "-c", HANGS_ON_THE_WAY_OUT, str(said)])
        try:
            deadline = time.monotonic() + START_SECONDS
            while not (said.exists() and said.read_text().isdigit()):
                assert time.monotonic() < deadline and parent.poll() is None
                time.sleep(0.05)
            children.append(int(said.read_text()))
            parent.kill()
            parent.wait()
            gone_by = time.monotonic() + EXIT_SECONDS + GONE_SECONDS
            while _alive(children[0]) and time.monotonic() < gone_by:
                time.sleep(0.05)
            assert said.read_text() == "stopped"  # its `finally` ran
            assert not _alive(children[0]), f"left running: {children}"
        finally:
            parent.kill()
            parent.wait()
            for pid in children:
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
            _reap(children)


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
