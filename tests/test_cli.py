"""The command line, in-process: exit codes, messages, atomic and reproducible outputs."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.errors import ReportgenError
from reportgen.round import Round

from .helpers import DEFAULT_INPUT, goal_row, write_workbook


@pytest.fixture
def run(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def good(tmp_path):
    folder = tmp_path / "input"
    shutil.copytree(DEFAULT_INPUT, folder)
    return folder


def test_build_writes_pdf_and_docx_and_says_how_many_goals(run, good, tmp_path):
    result = run("build")
    assert result.exit_code == 0, result.output
    stem = "tema-1-vision-og-bosaetning"
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [
        f"{stem}.docx", f"{stem}.pdf"]
    assert "Læst 7 mål fra 1 arbejdsbog" in result.output
    assert "7 mål skrevet til" in result.output


def test_same_input_gives_the_same_bytes(run, good, tmp_path):
    first = {}
    for attempt in range(2):
        out = tmp_path / f"out{attempt}"
        assert run("build", str(good), "-o", str(out)).exit_code == 0
        first[attempt] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert first[0] == first[1]


def test_check_lists_every_error_with_its_cell_and_exits_1(run, tmp_path):
    write_workbook(tmp_path / "input" / "c.xlsx",
                   [goal_row("A", result="blå"), goal_row("B", timeline="rød")])
    result = run("check")
    assert result.exit_code == 1
    assert "RG201 fejl: c.xlsx › Mål › F2: »blå« er ikke en kendt status" in result.output
    assert "RG202 fejl: c.xlsx › Mål › H3" in result.output
    assert "2 fejl" in result.output


def test_check_of_a_good_workbook_exits_0(run, good):
    result = run("check", str(good))
    assert result.exit_code == 0
    assert "0 fejl" in result.output


def test_a_failed_build_leaves_earlier_outputs_untouched(run, good, tmp_path):
    assert run("build", str(good), "-o", "out", "--name", "rapport").exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    bad = write_workbook(tmp_path / "bad" / "x.xlsx", [goal_row("A", result="lilla")])
    result = run("build", str(bad), "-o", "out", "--name", "rapport")
    assert result.exit_code == 1
    assert "rapporten er ikke skrevet" in result.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


def test_draft_renders_gaps_visibly(run, tmp_path):
    write_workbook(tmp_path / "input" / "d.xlsx",
                   [goal_row("Uden status", result=None), goal_row("Uden kommentar", "gul")])
    assert run("build", "--format", "html").exit_code == 1
    result = run("build", "--draft", "--format", "html")
    assert result.exit_code == 0, result.output
    html = (tmp_path / "output" / "d-kladde.html").read_text()
    assert "Ikke indberettet" in html and "Kommentar mangler" in html


@pytest.mark.parametrize("args", [("build", "--format", "pdf,odt"), ("build", "findes-ikke"),
                                  ("nope",)])
def test_wrong_usage_exits_2(run, good, args):
    assert run(*args).exit_code == 2


def test_folder_without_workbooks(run, tmp_path):
    (tmp_path / "tom").mkdir()
    result = run("build", "tom")
    assert result.exit_code == 1
    assert "RG002" in result.output


@pytest.mark.parametrize("args", [["check", "input"], ["--help"], ["build", "--help"]])
def test_check_and_help_do_not_load_the_renderers(args):
    heavy = "{'weasyprint', 'pikepdf', 'docxtpl', 'docx', 'cairosvg'}"
    code = (f"import sys\nfrom reportgen.cli import main\ntry:\n    main({args!r})\n"
            "except SystemExit:\n    pass\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=DEFAULT_INPUT.parent, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_disk_full_while_writing_leaves_every_earlier_output_as_it_was(tmp_path,
                                                                         monkeypatch):
    from reportgen import files
    from reportgen.commands import build as build_module

    first = build_module.build(Round([DEFAULT_INPUT]), tmp_path, ("json", "html"), name="r")
    before = {p.name: p.read_bytes() for p in first.written}
    opened = []
    real_fdopen = files.os.fdopen

    def fdopen_filling_up(handle, mode):
        stream = real_fdopen(handle, mode)
        opened.append(stream)
        if len(opened) == 2:  # the second output does not fit
            def write(data):
                raise OSError(28, "No space left on device")
            stream.write = write
        return stream

    monkeypatch.setattr(files.os, "fdopen", fdopen_filling_up)
    monkeypatch.setattr(build_module, "writer", lambda fmt: lambda report, options: b"new")
    with pytest.raises(ReportgenError, match="disken er fuld") as failure:
        build_module.build(Round([DEFAULT_INPUT]), tmp_path, ("json", "html"), name="r")
    assert failure.value.code == "RG900"
    assert len(opened) == 2
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_the_renderers_load_their_libraries_without_starting_a_process():
    """find_library runs ldconfig, gcc and ld for each name it is asked: a quarter of a
    second of every build, when WeasyPrint and CairoSVG each ask it several times."""
    code = ("import subprocess, sys\n"
            "started = []\n"
            "class Refused(subprocess.Popen):\n"
            "    def __init__(self, args, *rest, **options):\n"
            "        started.append(args)\n"
            "        super().__init__(args, *rest, **options)\n"
            "subprocess.Popen = Refused\n"
            "from reportgen.pictures import png\n"
            "from reportgen.writers.pdf.engine import load_weasyprint\n"
            "load_weasyprint()\n"
            "assert png('smiley:green,5CB85C,1E5E20').startswith(b'\\x89PNG')\n"
            "print(started)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
