"""The cache of the PDF's laid-out parts (writers/pdf/cache.py): a build from it is the
same bytes as one without it; anything that decides a part's bytes is in its key; a
damaged entry, one copied from another key, or anything at an entry's place that is no
file is never used; builds at once share one folder, the user's alone; the page keeps
nothing."""

from __future__ import annotations

import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.design import DEFAULT_TEMPLATES
from reportgen.reader import read_workbooks
from reportgen.writers import RenderOptions
from reportgen.writers import pdf as pdf_writer
from reportgen.writers.pdf import cache as pdf_cache
from reportgen.writers.pdf import html_to_pdf, pdf_html
from reportgen.writers.pdf import parts as pdf_parts
from reportgen.writers.pdf.cache import PartCache, decode_part
from reportgen.writers.pdf.parts import Part, split

from .helpers import DEFAULT_INPUT, pdf_text, squash, workbooks

REPORTGEN = (sys.executable, "-c", "import sys; from reportgen.cli import main; sys.exit(main())")
PART_CHARS = 10_000  # parts of a few goals each, for a small report in many parts


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The HTML of a 16-goal report in four themes, and of the same with one comment
    changed in its last theme; the options."""
    folder = tmp_path_factory.mktemp("cache-input")
    options = RenderOptions()
    report = read_workbooks([workbooks.write(16, folder / "in.xlsx")]).report
    html = pdf_html(report, options)
    comment = [goal.comment for area in report.themes[-1].focus_areas
               for goal in area.goals if goal.comment][-1]
    at = html.rindex(comment)
    changed = (html[:at] + "Udsat til foråret efter aftale med centret."
               + html[at + len(comment):])
    return html, changed, options


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(pdf_parts, "PART_CHARS", PART_CHARS)


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*.part"))


def pdf(html: str, options: RenderOptions, cache: Path | None = None,
        processes: int = 2) -> bytes:
    return html_to_pdf(html, options.templates, options.pdf_variant, processes, cache=cache)


@pytest.fixture
def counted(monkeypatch):
    """The parts laid out in this process (processes=1), counted."""
    laid = []
    lay_out = pdf_writer.render_part

    def counting(*args, **kwargs):
        laid.append(args[0])
        return lay_out(*args, **kwargs)

    monkeypatch.setattr(pdf_writer, "render_part", counting)
    return laid


@pytest.mark.parametrize("in_parts", [False, True], ids=["whole", "in parts"])
def test_a_pdf_from_the_cache_is_the_pdf_without_it_byte_for_byte(reports, tmp_path,
                                                                   monkeypatch, in_parts):
    html, _, options = reports
    if in_parts:
        monkeypatch.setattr(pdf_parts, "PART_CHARS", PART_CHARS)
        assert len(split(html).bodies) > 2
    uncached = pdf(html, options)
    assert pdf(html, options, tmp_path) == uncached  # laid out, and kept
    kept = entries(tmp_path)
    # in parts: each part, the margin pass, and the first part with the contents' numbers
    assert len(kept) == (len(split(html).bodies) + 2 if in_parts else 1)

    def refused(*args, **kwargs):
        raise AssertionError("laid out again")

    monkeypatch.setattr(pdf_writer, "render_part", refused)  # forked processes inherit it
    assert pdf(html, options, tmp_path) == uncached
    assert pdf(html, options, tmp_path, processes=1) == uncached
    assert entries(tmp_path) == kept


def test_one_changed_comment_lays_out_only_its_part_again(reports, tmp_path, small_parts,
                                                          counted):
    html, changed, options = reports
    pdf(html, options, tmp_path, processes=1)
    counted.clear()
    rebuilt = pdf(changed, options, tmp_path, processes=1)
    assert len(counted) == 1 and "Udsat til foråret" in counted[0]
    assert rebuilt == pdf(changed, options)
    assert squash("Udsat til foråret efter aftale med centret.") in squash(pdf_text(rebuilt))


def test_a_changed_template_font_code_or_version_makes_other_keys(tmp_path, monkeypatch):
    html = "<html><body><p>Mål</p></body></html>"
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)

    def key() -> str:
        return PartCache.open(tmp_path / "cache", templates).key(html, "pdf/ua-1", False)

    keys = [key()]
    assert key() == keys[0]  # the same things, the same key
    with (templates / "report.css").open("a") as css:
        css.write("\np { color: #123456; }\n")
    keys.append(key())
    font = next(templates.glob("fonts/*-core.ttf"))
    font.write_bytes(font.read_bytes()[:-4] + b"\0\0\0\1")
    keys.append(key())
    package = tmp_path / "reportgen"
    shutil.copytree(Path(pdf_cache.__file__).parents[2], package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(pdf_cache, "_PACKAGE", package)
    keys.append(key())  # the same code elsewhere: the same key
    assert keys[-1] == keys[-2]
    with (package / "writers" / "pdf" / "__init__.py").open("a") as code:
        code.write("\n# changed\n")
    keys.append(key())
    version = pdf_cache.metadata.version
    monkeypatch.setattr(pdf_cache.metadata, "version",
                        lambda name: "999" if name == "weasyprint" else version(name))
    keys.append(key())
    cache = PartCache.open(tmp_path / "cache", templates)
    keys += [cache.key(html, "pdf/a-2a", False), cache.key(html, "pdf/ua-1", True),
             cache.key(html + " ", "pdf/ua-1", False)]
    del keys[3]  # the copy of the package, equal to the one before it
    assert len(set(keys)) == len(keys)


def test_a_changed_font_reaches_a_pdf_built_with_the_cache(reports, tmp_path):
    """The fonts are fetched from the templates folder, not written in the HTML: the
    HTML the same, the PDF is made anew with the font as it is now."""
    html, _, options = reports
    templates = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    before = html_to_pdf(html, templates, options.pdf_variant, 2, cache=tmp_path / "cache")
    fonts = templates / "fonts"
    shutil.copyfile(fonts / "DejaVuSans-Bold-core.ttf", fonts / "DejaVuSans-core.ttf")
    after = html_to_pdf(html, templates, options.pdf_variant, 2, cache=tmp_path / "cache")
    assert after != before
    assert after == html_to_pdf(html, templates, options.pdf_variant, 2)


def test_a_damaged_entry_is_never_used_and_is_replaced(reports, tmp_path, small_parts):
    html, _, options = reports
    uncached = pdf(html, options)
    pdf(html, options, tmp_path)
    kept = entries(tmp_path)
    damages = [lambda data: data[: len(data) // 2],           # cut short
               lambda data: data[:-10] + b"0123456789",       # the PDF changed
               lambda data: b"reportgen-pdf-part 0\n" + data[21:],  # another format
               lambda data: b""]
    for number, path in enumerate(kept):
        path.write_bytes(damages[number % len(damages)](path.read_bytes()))
        assert decode_part(path.read_bytes(), path.stem) is None
    assert pdf(html, options, tmp_path) == uncached
    assert entries(tmp_path) == kept
    assert all(decode_part(path.read_bytes(), path.stem) is not None for path in kept)


def test_the_folder_is_kept_under_its_limit_the_least_recently_used_going_first(tmp_path):
    cache = PartCache(tmp_path, b"context")
    part = Part(b"%PDF-1.7\n" + bytes(20_000), 1, [(0, 1, "Tema", 10.0, 20.0, False)],
                {"tema-1": 0})

    def entry(number: int) -> Path:
        return cache._path(cache.key(f"<p>{number}</p>", "pdf/ua-1", False))

    for number in range(3):
        cache.put(f"<p>{number}</p>", "pdf/ua-1", False, None, part)
        os.utime(entry(number), ns=(number * 10**9,) * 2)  # put in this order
    cache.limit = 3 * entry(0).stat().st_size
    assert cache.get("<p>0</p>", "pdf/ua-1") == part  # used: now the most recent
    cache.put("<p>3</p>", "pdf/ua-1", False, None, part)
    assert sum(path.stat().st_size for path in entries(tmp_path)) <= cache.limit
    assert [n for n in range(4) if entry(n).exists()] == [0, 2, 3]


def _command(*args: str, cache_home: Path) -> subprocess.Popen:
    return subprocess.Popen([*REPORTGEN, "build", *args, "-q"],
                            env={**os.environ, "XDG_CACHE_HOME": str(cache_home)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_builds_at_once_with_one_cache_folder_both_succeed(tmp_path):
    home = tmp_path / "xdg"
    runs = [_command(str(DEFAULT_INPUT), "-o", str(tmp_path / name), "--format", "pdf",
                     cache_home=home) for name in ("a", "b")]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode()
    reference = _command(str(DEFAULT_INPUT), "-o", str(tmp_path / "c"), "--format", "pdf",
                         "--no-cache", cache_home=tmp_path / "unused")
    assert reference.communicate(timeout=300) and reference.returncode == 0
    built = [next((tmp_path / name).glob("*.pdf")).read_bytes() for name in "abc"]
    assert built[0] == built[1] == built[2]
    kept = entries(home / "reportgen" / "pdf-parts")
    assert kept and all(decode_part(path.read_bytes(), path.stem) for path in kept)
    assert not list((home / "reportgen").rglob("*.tmp"))
    assert not (tmp_path / "unused").exists()  # --no-cache: nothing kept


def test_the_page_keeps_no_parts_unless_its_operator_asks(tmp_path, monkeypatch):
    from reportgen.round import Round
    from reportgen.web.jobs import build_job

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    inputs = sorted(DEFAULT_INPUT.glob("*.xlsx"))
    outcome = build_job(lambda *args: None, Round(inputs), False, ["pdf"], tmp_path / "out")
    assert "files" in outcome
    assert not (tmp_path / "xdg").exists()
    outcome = build_job(lambda *args: None, Round(inputs), False, ["pdf"], tmp_path / "again",
                        tmp_path / "kept")
    assert "files" in outcome and entries(tmp_path / "kept")


def test_a_cache_folder_that_cannot_be_written_is_no_cache(reports, tmp_path):
    html, _, options = reports
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert pdf(html, options, blocked / "pdf-parts") == pdf(html, options)
    assert blocked.read_text() == "not a folder"


def test_an_entry_copied_onto_another_reports_key_is_never_used(reports, tmp_path):
    """The SHA-256 of an entry's content says it is whole, not whose it is: an entry
    of one report copied to the name of another's is the other's key with the first
    one's text."""
    html, changed, options = reports
    pdf(html, options, tmp_path, processes=1)
    [theirs] = entries(tmp_path)  # the whole report, one entry
    cache = PartCache.open(tmp_path, options.templates)
    ours = cache._path(cache.key(changed, options.pdf_variant, True))
    ours.parent.mkdir(exist_ok=True)
    shutil.copyfile(theirs, ours)
    built = pdf(changed, options, tmp_path, processes=1)
    assert squash("Udsat til foråret efter aftale med centret.") in squash(pdf_text(built))
    assert built == pdf(changed, options)
    assert decode_part(ours.read_bytes(), ours.stem) is not None  # replaced by its own


def test_an_entry_larger_than_an_entry_may_be_is_never_used(reports, tmp_path, monkeypatch):
    html, _, options = reports
    uncached = pdf(html, options, tmp_path, processes=1)
    [entry] = entries(tmp_path)
    size = entry.stat().st_size
    monkeypatch.setattr(pdf_cache, "ENTRY_BYTES", size - 1)
    cache = PartCache.open(tmp_path, options.templates)
    assert cache.get(html, options.pdf_variant, True) is None
    monkeypatch.setattr(pdf_cache, "ENTRY_BYTES", size)
    assert pdf(html, options, tmp_path, processes=1) == uncached


def _build_in(out: Path, cache_home: Path, tmp: Path) -> subprocess.CompletedProcess:
    """The default input's PDF by the command, in at most 60 s and 4 GB of address
    space: an entry read without end fails the build rather than the machine."""
    def bounded() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    return subprocess.run([*REPORTGEN, "build", str(DEFAULT_INPUT), "-o", str(out),
                           "--format", "pdf", "-q"],
                          env={**os.environ, "XDG_CACHE_HOME": str(cache_home),
                               "TMPDIR": str(tmp)},
                          capture_output=True, timeout=60, preexec_fn=bounded)


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_what_is_no_file_at_an_entrys_place_is_a_miss_at_once(tmp_path, kind):
    """A FIFO would hang every build of the report on opening it, /dev/zero would be read
    until memory ran out: neither is read, and a new entry takes its place."""
    home, tmp = tmp_path / "xdg", tmp_path / "tmp"
    tmp.mkdir()
    first = _build_in(tmp_path / "a", home, tmp)
    assert first.returncode == 0, first.stderr.decode()
    [entry] = entries(home / "reportgen" / "pdf-parts")
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        entry.symlink_to("/dev/zero")
    second = _build_in(tmp_path / "b", home, tmp)  # TimeoutExpired: it hung
    assert second.returncode == 0, second.stderr.decode()
    built = [next((tmp_path / name).glob("*.pdf")).read_bytes() for name in "ab"]
    assert built[0] == built[1]
    assert stat.S_ISREG(entry.lstat().st_mode)
    assert decode_part(entry.read_bytes(), entry.stem) is not None


def test_the_cache_folders_are_the_users_alone(reports, tmp_path):
    """Entries hold the reports' text: every folder the cache makes is 0700."""
    html, _, options = reports
    folder = tmp_path / "xdg" / "reportgen" / "pdf-parts"
    pdf(html, options, folder, processes=1)
    made = [tmp_path / "xdg", folder.parent, folder, *{p.parent for p in entries(folder)}]
    assert len(made) == 4
    assert {oct(stat.S_IMODE(path.stat().st_mode)) for path in made} == {oct(0o700)}
