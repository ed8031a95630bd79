"""One document per theme (`--split theme`), a centre's extract (`--centre`), a draft's
names (`-kladde`) and the build's progress: what each file holds, read back from the
PDF (its structure tree and text), the DOCX and the JSON."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner

from reportgen import files
from reportgen.cli import main
from reportgen.commands import build as build_module
from reportgen.files import safe_name
from reportgen.round import Round

from .helpers import docx_text, goal_row, pdf_goal_rows, squash, workbooks, write_workbook

GOALS = 48
ALL = ("pdf", "docx", "json")


def run(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    """Four themes of twelve goals; centre i % 40 writes goal i, so C00/AB and C01/BC
    have goals in the first and the last theme, and C10/KL one in the first only."""
    return workbooks.write(GOALS, tmp_path_factory.mktemp("in") / "multi.xlsx")


def goals_by_theme(centres: set[str] | None = None) -> dict[str, list[str]]:
    """theme -> the goal texts (squashed) the workbook gives it, of these centres."""
    themes: dict[str, list[str]] = defaultdict(list)
    for row in workbooks.goal_rows(GOALS):
        if centres is None or row[9].casefold() in centres:
            themes[row[1]].append(squash(row[4]))
    return themes


def contents(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def json_goals(data: bytes) -> dict[str, list[str]]:
    records = json.loads(data)
    return {theme["name"]: [squash(goal["text"]) for area in theme["focus_areas"]
                            for goal in area["goals"]]
            for theme in records["themes"]}


def assert_holds_only(files: dict[str, bytes], stem: str, expected: dict[str, list[str]],
                      every_goal: list[str]) -> None:
    """The three files of `stem` hold the expected themes' goals, and no other goal."""
    assert json_goals(files[f"{stem}.json"]) == expected
    wanted = [text for texts in expected.values() for text in texts]
    assert [row[0] for row in pdf_goal_rows(files[f"{stem}.pdf"])] == wanted
    docx = squash(docx_text(files[f"{stem}.docx"]))
    others = [text for text in every_goal if text not in wanted]
    assert all(text in docx for text in wanted)
    assert not [text for text in others if text in docx]


@pytest.fixture(scope="module")
def split(workbook, tmp_path_factory):
    out = tmp_path_factory.mktemp("split")
    result = run("build", workbook, "-o", out, "--split", "theme", "--format", ",".join(ALL))
    assert result.exit_code == 0, result.output
    return result, contents(out)


def test_a_split_writes_one_document_of_each_format_per_theme(split):
    result, files = split
    themes = goals_by_theme()
    assert sorted(files) == sorted(f"{safe_name(theme)}.{fmt}"
                                   for theme in workbooks.THEMES for fmt in ALL)
    assert "Tema-1-Mærk-Næstved.pdf" in files
    every_goal = [text for texts in themes.values() for text in texts]
    for theme in workbooks.THEMES:
        assert_holds_only(files, safe_name(theme), {theme: themes[theme]}, every_goal)
    assert f"{GOALS} mål skrevet til" in result.stdout


def test_a_themes_document_is_titled_by_its_theme_on_every_page(split):
    _, files = split
    for theme in workbooks.THEMES:
        stem = safe_name(theme)
        reader = pypdf.PdfReader(io.BytesIO(files[f"{stem}.pdf"]))
        # the report's title becomes the subtitle where there is none; the synthetic
        # workbook has both, so its subtitle stays
        assert reader.metadata.title == f"{theme}. Syntetisk testrapport"
        assert all(theme in page.extract_text() for page in reader.pages)  # the footer
        meta = json.loads(files[f"{stem}.json"])["meta"]
        assert (meta["title"], meta["subtitle"]) == (theme, "Syntetisk testrapport")
        properties = docx.Document(io.BytesIO(files[f"{stem}.docx"])).core_properties
        assert properties.title == f"{theme}. Syntetisk testrapport"


def test_a_split_tells_each_part_of_each_pdf_as_it_is_done(split):
    result, _ = split
    lines = result.stderr.splitlines()
    assert lines[0] == "  0 % Læser arbejdsbøgerne"
    assert lines[-1] == "100 % Filerne er skrevet"
    for theme in workbooks.THEMES:
        assert any(line.endswith(f"{theme} – PDF-del 1 af 1 er lavet") for line in lines)
        assert any(line.endswith(f"{theme} – Word-dokumentet er lavet") for line in lines)
    percents = [int(line[:3]) for line in lines]
    assert percents == sorted(percents)
    assert not [line for line in result.stdout.splitlines() if "%" in line]


def test_a_centres_extract_holds_only_its_goals_and_is_named_after_it(workbook, tmp_path):
    # as the workbook writes it, but in another case and with spaces around
    result = run("build", workbook, "-o", tmp_path, "--centre", " c10/kl ", "--format",
                 ",".join(ALL), "-q")
    assert result.exit_code == 0, result.output
    files = contents(tmp_path)
    assert sorted(files) == ["C10-KL.docx", "C10-KL.json", "C10-KL.pdf"]
    every_goal = [text for texts in goals_by_theme().values() for text in texts]
    only = dict(goals_by_theme({"c10/kl"}))
    assert list(only) == [workbooks.THEMES[0]]  # the themes without its goals are left out
    assert_holds_only(files, "C10-KL", only, every_goal)
    assert json.loads(files["C10-KL.json"])["meta"]["title"] == \
        "Opfølgning på Strategiplan – 48 mål – C10/KL"
    assert "Læst 48 mål" in result.stdout and "; 1 mål skrevet til" in result.stdout
    assert "slået sammen" not in result.stdout
    assert result.stderr == ""  # --quiet


def test_an_unknown_centre_is_an_error_naming_the_known_ones(workbook, tmp_path):
    result = run("build", workbook, "-o", tmp_path / "out", "--centre", "C02/CD",
                 "--centre", "XYZ/QQ", "--format", "json")
    assert result.exit_code == 1
    assert "RG501 fejl: Centret »XYZ/QQ« (--centre) har ingen mål i input. Kendte centre: " \
        "C00/AB, C01/BC, C02/CD" in result.output
    assert "»C02/CD«" not in result.output
    assert "1 fejl: rapporten er ikke skrevet. Ret fejlene." in result.output
    assert not (tmp_path / "out").exists()


def test_a_centres_extract_split_by_theme_reproducibly(workbook, tmp_path):
    written = []
    for attempt in range(2):
        out = tmp_path / str(attempt)
        result = run("build", workbook, "-o", out, "--centre", "C00/AB", "--centre", "c01/bc",
                     "--split", "theme", "--format", ",".join(ALL), "-q")
        assert result.exit_code == 0, result.output
        written.append(contents(out))
    assert written[0] == written[1]
    files = written[0]
    first, last = workbooks.THEMES[0], workbooks.THEMES[-1]
    stems = [f"C00-AB-C01-BC-{safe_name(theme)}" for theme in (first, last)]
    assert sorted(files) == sorted(f"{stem}.{fmt}" for stem in stems for fmt in ALL)
    themes = goals_by_theme({"c00/ab", "c01/bc"})
    assert list(themes) == [first, last]
    every_goal = [text for texts in goals_by_theme().values() for text in texts]
    for theme, stem in zip((first, last), stems, strict=True):
        assert_holds_only(files, stem, {theme: themes[theme]}, every_goal)
        meta = json.loads(files[f"{stem}.json"])["meta"]
        assert meta["title"] == f"{theme} – C00/AB, C01/BC"


def test_a_draft_is_named_kladde_and_a_final_build_leaves_it(workbook, tmp_path):
    result = run("build", workbook, "-o", tmp_path, "--draft", "--format", "json,html", "-q")
    assert result.exit_code == 0, result.output
    assert sorted(contents(tmp_path)) == ["multi-kladde.html", "multi-kladde.json"]
    draft = contents(tmp_path)
    assert run("build", workbook, "-o", tmp_path, "--format", "json,html", "-q").exit_code == 0
    assert sorted(contents(tmp_path)) == ["multi-kladde.html", "multi-kladde.json",
                                          "multi.html", "multi.json"]
    assert {name: data for name, data in contents(tmp_path).items() if "kladde" in name} \
        == draft
    named = run("build", workbook, "-o", tmp_path / "n", "--draft", "--name", "runde",
                "--split", "theme", "--format", "json", "-q")
    assert named.exit_code == 0, named.output
    assert sorted(contents(tmp_path / "n")) == sorted(
        f"runde-{safe_name(theme)}-kladde.json" for theme in workbooks.THEMES)


def test_progress_lines_on_stderr_unless_quiet(workbook, tmp_path):
    told = run("build", workbook, "-o", tmp_path / "a", "--format", "json")
    assert told.exit_code == 0, told.output
    assert told.stderr.splitlines() == [
        "  0 % Læser arbejdsbøgerne", " 10 % Arbejdsbøgerne er læst",
        " 95 % JSON-filen er lavet", " 95 % Skriver filerne", "100 % Filerne er skrevet"]
    assert told.stdout.startswith("Læst 48 mål fra 1 arbejdsbog")
    for flag in ("-q", "--quiet"):
        quiet = run("build", workbook, "-o", tmp_path / flag, "--format", "json", flag)
        assert quiet.exit_code == 0 and quiet.stderr == ""
        assert quiet.stdout == told.stdout.replace(str(tmp_path / "a"), str(tmp_path / flag))


def test_the_build_calls_back_with_each_step(workbook, tmp_path):
    steps: list[tuple[str, float]] = []
    build_module.build(Round([workbook], split="theme"), tmp_path, ("json", "pdf"),
                       progress=lambda step, fraction: steps.append((step, fraction)))
    assert [fraction for _, fraction in steps] == sorted(fraction for _, fraction in steps)
    assert steps[0] == ("Læser arbejdsbøgerne", 0.0) and steps[-1][1] == 1.0
    parts = [step for step, _ in steps if "PDF-del" in step]
    assert parts == [f"{theme} – PDF-del 1 af 1 er lavet" for theme in workbooks.THEMES]


def test_a_split_that_cannot_be_written_whole_leaves_every_earlier_file(workbook, tmp_path,
                                                                        monkeypatch):
    assert run("build", workbook, "-o", tmp_path, "--split", "theme", "--format", "json",
               "-q").exit_code == 0
    before = contents(tmp_path)
    real, moved = files.os.replace, []

    def third_refused(source, target):
        if str(target).endswith(".json"):
            moved.append(target)
            if len(moved) == 3:
                raise PermissionError(13, "Permission denied")
        return real(source, target)

    monkeypatch.setattr(files.os, "replace", third_refused)
    result = run("build", workbook, "-o", tmp_path, "--split", "theme", "--format", "json",
                 "--subtitle", "En anden undertitel", "-q")
    assert result.exit_code == 1
    assert "Intet er ændret" in result.output
    assert len(moved) >= 3
    assert contents(tmp_path) == before


def test_names_that_would_be_the_same_are_numbered_and_long_ones_fit():
    from reportgen.commands.documents import Extract, document_stems
    from reportgen.files import NAME_BYTES
    from reportgen.model import Report

    same = [Extract(Report(), theme="Tema 1: Bo/sætning"),
            Extract(Report(), theme="tema 1 bo sætning")]
    assert document_stems(same, "x", False, False) == ["Tema-1-Bo-sætning", "tema-1-bo-sætning-2"]
    assert document_stems(same, "x", False, True) == ["Tema-1-Bo-sætning-kladde",
                                                      "tema-1-bo-sætning-2-kladde"]
    long = [Extract(Report(), theme="Tema 1: " + "ø" * 70)]
    [stem] = document_stems(long, "å" * 90, True, False)
    assert stem.startswith("å" * 90 + "-Tema-1-ø") and len(stem.encode()) <= NAME_BYTES


def test_a_theme_named_as_a_windows_device_gets_a_file_windows_opens(tmp_path):
    """`CON.json` or `aux.pdf` on a share cannot be opened in Windows (a device's name,
    whatever follows the dot): such a theme's file gets an underscore."""
    themes = {"CON": "Borgerne i centrum", "aux:": "Flere hænder i plejen",
              "Tema 3. ": "Grøn omstilling"}
    rows = [goal_row(goal, theme=theme, area="Vision") for theme, goal in themes.items()]
    workbook = write_workbook(tmp_path / "in" / "plan.xlsx", rows)
    result = run("build", workbook, "-o", tmp_path / "out", "--split", "theme", "--format",
                 "json", "-q")
    assert result.exit_code == 0, result.output
    written = contents(tmp_path / "out")
    assert sorted(written) == ["CON_.json", "Tema-3.json", "aux_.json"]
    assert json_goals(written["CON_.json"]) == {"CON": [squash("Borgerne i centrum")]}
    assert json_goals(written["aux_.json"]) == {"aux:": [squash("Flere hænder i plejen")]}


@pytest.mark.parametrize(("name", "safe"), [
    ("CON", "CON_"), ("con", "con_"), ("Nul", "Nul_"), ("aux:", "aux_"), ("PRN ", "PRN_"),
    ("COM1", "COM1_"), ("lpt9", "lpt9_"), ("COM¹", "COM¹_"), ("LPT0", "LPT0_"),
    ("nul.txt", "nul-txt"), ("CONSOL", "CONSOL"), ("COM10", "COM10"), ("Tema 1.", "Tema-1"),
    ("Tema 1 ", "Tema-1"), ("...", "rapport")])
def test_a_safe_name_is_no_windows_device_and_ends_in_no_dot_or_space(name, safe):
    assert safe_name(name) == safe
    assert not safe_name(name).endswith((".", " "))
    assert not files.windows_device(safe_name(name))


@pytest.mark.parametrize("name", ["CON", "con.txt", "NUL .tar.gz", "aux", "COM9", "lpt³.pdf",
                                  "CONIN$", "conout$.log"])
def test_windows_devices_are_known_whatever_follows_the_dot(name):
    assert files.windows_device(name)
