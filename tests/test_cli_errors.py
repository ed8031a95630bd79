"""What the user sees at the command line when something is wrong: a Danish message with a
code and an exit status, for every usage error click knows and for every refusal of the
disk; file names shown safely; never click's English, a traceback or a Python warning."""

from __future__ import annotations

import csv
import errno
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen import files
from reportgen.cli import main
from reportgen.commands import check as check_module

from .helpers import HEADERS, goal_row, write_workbook

ENGLISH = ("Usage:", "Error:", "Try ", "Options:", "Commands:", "Show this message",
           "Aborted", "Invalid value", "Missing", "No such", "does not exist", "is a file",
           "is a directory", "[required]", "[default", "Did you mean", "Traceback",
           "requires an argument", "does not take a value", "Warning")

# Every kind of wrong usage, of every command: (arguments, what the message must name).
USAGE_ERRORS = {
    "no command": ([], "Angiv en kommando"),
    "unknown command": (["nope"], "Kommandoen »nope« findes ikke"),
    "misspelt command": (["buld"], "mente du »build«"),
    "unknown option of the program": (["--fromat"], "Tilvalget »--fromat« findes ikke"),
    "unknown option of build": (["build", "--fromat", "pdf"], "mente du »--format«"),
    "unknown option of check": (["check", "--name", "x"], "Tilvalget »--name« findes ikke"),
    "unknown option of template": (["template", "-o", "x", "--draft"],
                                   "Tilvalget »--draft« findes ikke"),
    "template without -o": (["template"], "Tilvalget »-o/--output« skal angives"),
    "bad --format": (["build", "--format", "pdf,odt"], "ukendt format »odt«"),
    "empty --format": (["build", "--format", ""], "angiv mindst ét"),
    "bad --pdf-variant": (["build", "--pdf-variant", "pdf/x"],
                          "»pdf/x« kendes ikke; vælg »pdf/ua-1«"),
    "bad --findings suffix of build": (["build", "--findings", "fund.txt"],
                                       "skal ende på .xlsx eller .csv"),
    "bad --findings suffix of check": (["check", "--findings", "fund"],
                                       "skal ende på .xlsx eller .csv"),
    "missing value of --name": (["build", "--name"], "»--name« skal have en værdi"),
    "missing value of -o": (["build", "-o"], "»-o« skal have en værdi"),
    "missing value of --findings": (["check", "--findings"], "»--findings« skal have en værdi"),
    "missing value of --deadline": (["template", "-o", "x", "--deadline"],
                                    "»--deadline« skal have en værdi"),
    "a value for a flag": (["build", "--draft=ja"], "»--draft« tager ingen værdi"),
    "--templates a file": (["build", "--templates", "fil.txt"], "»fil.txt« er ikke en mappe"),
    "--templates missing": (["template", "-o", "x", "--templates", "ingen"],
                            "mappen »ingen« findes ikke"),
    "nonexistent input of build": (["build", "findes-ikke.xlsx"], "»findes-ikke.xlsx«"),
    "nonexistent input of check": (["check", "a.xlsx", "b"], "Stierne findes ikke"),
    "nonexistent input of template": (["template", "-o", "x", "ingen"], "»ingen«"),
    "empty input path": (["check", ""], "stien må ikke være tom"),
    "--name a relative path": (["build", "--name", "../../x"], "er en sti"),
    "--name an absolute path": (["build", "--name", "/findes-ikke/x"], "er en sti"),
    "--name a Windows path": (["build", "--name", "..\\x"], "er en sti"),
    "--name .": (["build", "--name", "."], "begynder med punktum"),
    "--name ..": (["build", "--name", ".."], "begynder med punktum"),
    "--name empty": (["build", "--name", ""], "navnet må ikke være tomt"),
    "--name a control character": (["build", "--name", "a\x1bb"], "kontroltegn"),
    "--name too long": (["build", "--name", "ø" * 120], "for langt til filsystemet"),
    "control character in --deadline": (["template", "-o", "x", "--deadline", "15.\x01 jan"],
                                        "et tegn, som et regneark ikke kan rumme: \\x01"),
    "control character in --follow-up": (["template", "-o", "x", "--follow-up", "\x07"],
                                         "regneark ikke kan rumme"),
}


def assert_danish_usage_error(exit_code: int, stdout: str, stderr: str, expected: str) -> None:
    everything = stdout + stderr
    for english in ENGLISH:
        assert english not in everything, f"{english!r} in {everything!r}"
    assert exit_code == 2, everything
    first = stderr.splitlines()[0]
    assert re.match(r"RG00[13] fejl: \S", first), first
    assert expected in first, first
    assert "\x1b" not in everything and "\x01" not in everything and "\x07" not in everything


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder with a good input/ and a plain file, nothing else."""
    monkeypatch.chdir(tmp_path)
    write_workbook(tmp_path / "input" / "plan.xlsx", [goal_row("Et mål")])
    (tmp_path / "fil.txt").write_text("ikke en mappe")
    return tmp_path


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.parametrize("case", USAGE_ERRORS, ids=list(USAGE_ERRORS))
def test_every_usage_error_in_process_is_danish_with_a_code_and_exit_2(place, case):
    args, expected = USAGE_ERRORS[case]
    before = files_under(place)
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert_danish_usage_error(result.exit_code, result.stdout, result.stderr, expected)
    assert files_under(place) == before  # nothing written, no folder made
    assert "\nBrug: reportgen" in result.stderr  # the usage line, in Danish
    assert "--help« for hjælp." in result.stderr


def reportgen_command() -> list[str]:
    script = Path(sys.executable).with_name("reportgen")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c",
            "import sys; sys.argv[0] = 'reportgen'; from reportgen.cli import main; main()"]


def test_every_usage_error_from_the_shell_is_danish_with_a_code_and_exit_2(place):
    """The installed command, as a user runs it: click's own printing is what is replaced."""
    running = {case: subprocess.Popen(reportgen_command() + args, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, cwd=place)
               for case, (args, _) in USAGE_ERRORS.items()}
    for case, process in running.items():
        stdout, stderr = process.communicate(timeout=120)
        assert_danish_usage_error(process.returncode, stdout.decode(), stderr.decode(),
                                  USAGE_ERRORS[case][1])


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["build", "--help"],
                                  ["check", "--help"], ["template", "-h"]])
def test_help_is_danish(args):
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    for english in ENGLISH + ("[OPTIONS]", "COMMAND", "PATH", "TEXT", "INPUTS"):
        assert english not in result.output, english
    assert result.output.startswith("Brug: reportgen")
    assert "Tilvalg:" in result.output
    assert "Vis denne hjælp og afslut." in result.output
    if args[0].startswith("-"):
        assert "Kommandoer:" in result.output and "--version" in result.output


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"reportgen version \d+\.\d+\.\d+\n", result.output)


# -- --name is a name -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../../x", "ABSOLUTE", ".", "..", "", ".skjult"])
def test_name_never_writes_outside_the_output_folder(place, name):
    name = str(place / "x") if name == "ABSOLUTE" else name
    before = files_under(place)
    result = CliRunner().invoke(main, ["build", "-o", "a/b/out", "--format", "json",
                                       "--name", name], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith("RG003 fejl: Ugyldig værdi for »--name«")
    assert files_under(place) == before


def test_a_name_with_spaces_and_danish_letters_is_a_name(place):
    result = CliRunner().invoke(main, ["build", "-o", "out", "--format", "json", "--name",
                                       "Tema 1 – Børn og unge"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [p.name for p in (place / "out").iterdir()] == ["Tema 1 – Børn og unge.json"]


# -- File names printed safely --------------------------------------------------------------

LATIN1 = os.fsdecode(b"B\xf8rn og Unge.xlsx")
NASTY = {"ny\nlinje.xlsx": "ny\\nlinje.xlsx",
         "farve\x1b[31mrød.xlsx": "farve\\x1b[31mrød.xlsx",
         "vendt\u202exslx.xlsx": "vendt\\u202exslx.xlsx",
         LATIN1: "B\\xf8rn og Unge.xlsx"}
# The reader may decode a Latin-1 name as Windows wrote it; either way, no raw byte.
SHOWN = {LATIN1: ("B\\xf8rn og Unge.xlsx", "Børn og Unge.xlsx")}


@pytest.fixture
def nasty(tmp_path, monkeypatch):
    """Workbooks named with a newline, an escape sequence, a right-to-left override and
    Latin-1 bytes, each with one unknown status."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "indsendt"
    for index, name in enumerate(NASTY):
        write_workbook(folder / name, [goal_row(f"Mål {index}", result="blå",
                                                centre=f"C{index}")])
    return folder


def assert_safe(text: str) -> None:
    assert not any(c in text for c in "\x1b\u202e\r"), text
    assert not re.search("[\ud800-\udfff]", text), text


def test_file_names_reach_the_terminal_escaped(nasty):
    result = CliRunner().invoke(main, ["check", str(nasty)], catch_exceptions=False)
    assert result.exit_code == 1
    assert_safe(result.output)
    behind = result.output.split("Ikke indberettet:\n")[1].splitlines()[:4]
    assert all(line.startswith("  C") for line in behind)  # the goals with no status
    lines = [line for line in result.output.splitlines()
             if line not in behind and line != "Ikke indberettet:"]
    findings = [line for line in lines if line.startswith("RG201 fejl: ")]
    assert len(findings) == 4  # the newline did not split a finding over two lines
    assert len(lines) == 5  # and the summary is one line too
    for name, escaped in NASTY.items():
        shown = SHOWN.get(name, (escaped,))
        assert any(f"RG201 fejl: {s} › Mål › F2: »blå«" in result.output for s in shown), name
        assert any(f"{s}: 1" in lines[-1] for s in shown), lines[-1]
    assert lines[-1].startswith("Læst 4 mål fra 4 arbejdsbøger (")


def test_file_names_in_the_findings_sheets_are_escaped(nasty):
    result = CliRunner().invoke(main, ["check", str(nasty), "--findings", "fund.xlsx"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    sheet = openpyxl.load_workbook(Path("fund.xlsx"))["Fund"]
    files = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(files) == 4
    for name, escaped in NASTY.items():
        assert files & set(SHOWN.get(name, (escaped,))), (name, files)

    result = CliRunner().invoke(main, ["check", str(nasty), "--findings", "fund.csv"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    with open("fund.csv", encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    assert {row[5] for row in rows[1:]} == files
    assert_safe(Path("fund.csv").read_text("utf-8"))


def test_the_written_to_line_shows_the_output_folder_escaped(place):
    result = CliRunner().invoke(main, ["build", "-o", "ud\x1b[2J", "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 mål skrevet til ud\\x1b[2J/plan.json." in result.output
    assert_safe(result.output)


# -- --findings that cannot be written ------------------------------------------------------

def refuse_writing(monkeypatch, folder: Path, code=errno.EACCES):
    """A file made in `folder` fails, as in a read-only folder: also for root, whom chmod
    does not stop."""
    real_mkstemp = files.tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if Path(dir).resolve() == folder.resolve():
            raise OSError(code, os.strerror(code), str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)
    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)


def test_findings_into_a_folder_stops_the_build_before_the_report(place):
    (place / "fund.csv").mkdir()
    result = CliRunner().invoke(main, ["build", "-o", "out", "--format", "json",
                                       "--findings", "fund.csv"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ("RG910 fejl: Fundene kan ikke skrives: »fund.csv« er en mappe. "
                             "Intet er skrevet.\n")
    assert not (place / "out").exists()


def test_findings_into_a_read_only_folder_stops_the_build_before_the_report(place,
                                                                            monkeypatch):
    (place / "låst").mkdir()
    refuse_writing(monkeypatch, place / "låst")
    result = CliRunner().invoke(main, ["build", "-o", "out", "--format", "json",
                                       "--findings", "låst/fund.xlsx"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("RG910 fejl: ")
    assert "adgang nægtet" in result.stderr and "»låst/fund.xlsx«" in result.stderr
    assert not (place / "out").exists() and not list((place / "låst").iterdir())


def test_findings_under_a_file_stop_check(place):
    result = CliRunner().invoke(main, ["check", "--findings", "fil.txt/fund.csv"],
                                catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ("RG910 fejl: Fundene kan ikke skrives til »fil.txt/fund.csv«: "
                             "»fil.txt« er en fil, ikke en mappe. Intet er skrevet.\n")
    assert result.stdout == ""  # refused before reading


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes in a read-only folder; Windows has no chmod for it")
def test_findings_into_a_folder_made_read_only(place):
    locked = place / "låst"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = CliRunner().invoke(main, ["check", "--findings", "låst/fund.csv"],
                                    catch_exceptions=False)
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 1
    assert "RG910 fejl: " in result.stderr and "adgang nægtet" in result.stderr


def test_a_disk_that_fails_the_findings_after_the_report_says_what_is_on_disk(place,
                                                                               monkeypatch):
    def write_atomically(path, data):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(files, "write_atomically", write_atomically)
    result = CliRunner().invoke(main, ["build", "-o", "out", "--format", "json", "-q",
                                       "--findings", "fund.csv"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ("RG910 fejl: Fundene kunne ikke skrives til »fund.csv«: "
                             "disken er fuld. Rapporten er skrevet til out/plan.json.\n")
    assert (place / "out" / "plan.json").exists()


# -- template: every target checked before a file is written -------------------------------

def test_template_into_a_file(place):
    result = CliRunner().invoke(main, ["template", "-o", "fil.txt"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ("RG910 fejl: Arbejdsbøgerne kan ikke skrives: »fil.txt« er en "
                             "fil, ikke en mappe. Intet er skrevet.\n")
    assert (place / "fil.txt").read_text() == "ikke en mappe"


def test_template_into_a_read_only_folder(place, monkeypatch):
    (place / "ud").mkdir()
    refuse_writing(monkeypatch, place / "ud", errno.EROFS)
    result = CliRunner().invoke(main, ["template", "-o", "ud/runde"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ("RG910 fejl: Arbejdsbøgerne kan ikke skrives: der kan ikke "
                             "oprettes filer i »ud« (drevet er skrivebeskyttet). Intet er "
                             "skrevet.\n")
    assert list((place / "ud").iterdir()) == []


def test_template_with_a_centre_name_of_four_byte_letters_fits_the_file_system(place):
    """Letters of 4 bytes each, such as the "bold" letters pasted from a social network:
    80 of them are too many for a file name, so a name is cut at 200 bytes."""
    centres = ["CPU/BGE", "Center for Børn, Unge og Familier – Økonomi, Administration og "
               "Sekretariatet for Ældre- og Sundhedsområdet", "𝐂𝐞𝐧𝐭𝐞𝐫 " * 16]
    write_workbook(place / "input" / "plan.xlsx",
                   [goal_row(f"Mål {i}", centre=c) for i, c in enumerate(centres)])
    result = CliRunner().invoke(main, ["template", "-o", "ud"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (place / "ud").iterdir())
    assert len(names) == 3 and all(len(n.encode()) <= 205 for n in names)
    assert any(n.startswith("𝐂𝐞𝐧𝐭𝐞𝐫-𝐂𝐞𝐧𝐭𝐞𝐫") for n in names)


def test_template_says_one_workbook_in_the_singular(place):
    result = CliRunner().invoke(main, ["template", "-o", "ud"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output == "1 arbejdsbog skrevet til ud: CPU-BGE.xlsx.\n"


def test_check_says_one_other_finding_in_the_singular(place):
    write_workbook(place / "input" / "plan.xlsx", [goal_row("Et mål") + ["ekstra"]],
                   headers=(*HEADERS, "Noter"))
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("; 0 fejl, 1 anden bemærkning.")


# -- The general edge: the system, an interrupt, a warning ----------------------------------

def test_an_unforeseen_os_error_is_rg900_without_a_traceback(place, monkeypatch):
    def check(round, draft=False, templates=None):
        raise PermissionError(errno.EACCES, "Permission denied", "input/plan.xlsx")
    monkeypatch.setattr(check_module, "check", check)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr == ("RG900 fejl: »input/plan.xlsx«: adgang nægtet. Send denne "
                             "besked til den, der driver reportgen.\n")


def test_an_os_error_the_table_does_not_know_is_named_by_its_symbol(place, monkeypatch):
    def check(round, draft=False, templates=None):
        raise OSError(errno.EXDEV, "Invalid cross-device link")
    monkeypatch.setattr(check_module, "check", check)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stderr.startswith("RG900 fejl: styresystemet svarede EXDEV. ")


def test_ctrl_c_is_afbrudt_and_exit_130(place, monkeypatch):
    def check(round, draft=False, templates=None):
        raise KeyboardInterrupt
    monkeypatch.setattr(check_module, "check", check)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 130
    assert result.stderr.strip() == "RG004 fejl: Afbrudt."


def test_ctrl_c_from_the_shell(place):
    code = ("import os, signal, sys\n"
            "sys.argv[0] = 'reportgen'\n"
            "import reportgen.commands.check\n"
            "def check(round, draft=False, templates=None):\n"
            "    os.kill(os.getpid(), signal.SIGINT)\n"
            "reportgen.commands.check.check = check\n"
            "from reportgen.cli import main\n"
            "main(['check'])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=place, timeout=120)
    assert result.returncode == 130
    assert result.stderr.strip() == "RG004 fejl: Afbrudt."
    assert result.stdout == ""


def with_dropdown_extension(source: Path, target: Path) -> Path:
    """A copy whose sheet holds a dropdown as Excel writes one that lists another sheet's
    cells (the x14 extension openpyxl warns it drops)."""
    ext = ('<extLst><ext uri="{CCE6A557-97BC-4B89-ADB6-D9C93CAAB3DF}" xmlns:x14='
           '"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
           '<x14:dataValidations count="0" xmlns:xm='
           '"http://schemas.microsoft.com/office/excel/2006/main"/></ext></extLst>')
    name = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == name:
                data = data.replace(b"</worksheet>", ext.encode() + b"</worksheet>")
            new.writestr(info, data)
    return target


def test_no_python_warning_reaches_the_user(tmp_path):
    good = write_workbook(tmp_path / "god.xlsx", [goal_row("Et mål")])
    folder = tmp_path / "indsendt"
    folder.mkdir()
    workbook = with_dropdown_extension(good, folder / "med-liste.xlsx")
    with pytest.warns(UserWarning, match="Data Validation extension"):  # the case is real
        openpyxl.load_workbook(workbook)
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    for args in (["check", str(folder)],
                 ["build", str(folder), "-o", str(tmp_path / "ud"), "--format", "json",
                  "--quiet"]):  # no progress lines on stderr
        result = subprocess.run(reportgen_command() + args, capture_output=True, text=True,
                                cwd=tmp_path, env=environment, timeout=120)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert "Warning" not in result.stdout and "site-packages" not in result.stdout


@pytest.mark.skipif(bool(sys.warnoptions), reason="python -W asks to see every warning")
def test_a_warning_inside_a_command_is_kept_from_the_user(place, monkeypatch):
    """Under pytest every warning is an error: this passes only because the command's own
    filter holds it back."""
    import warnings

    real_check = check_module.check

    def check(round, draft=False, templates=None):
        warnings.warn("Data Validation extension is not supported and will be removed",
                      UserWarning, stacklevel=1)
        return real_check(round, draft=draft)
    monkeypatch.setattr(check_module, "check", check)
    result = CliRunner().invoke(main, ["check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output


def test_the_commands_are_documented_with_every_code(place):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for code in ("RG003", "RG004", "RG900", "RG910", "RG911"):
        assert f"| {code}" in readme or f"/ {code}" in readme, code
    assert "`130`" in readme
