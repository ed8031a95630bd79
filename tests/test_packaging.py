"""The project as it is installed: a wheel carries the layout, and builds from anywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from .helpers import DEFAULT_INPUT, ROOT, docx_text, pdf_text, squash

pytestmark = pytest.mark.packaging


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of the sources alone, so that no earlier build's leftovers (a
    build/ folder) can stand in for what the configuration ships."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in ("reportgen", "templates"):
        shutil.copytree(ROOT / part, source / part, ignore=ignore)
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(out), str(source)], check=True, capture_output=True)
    return next(out.glob("reportgen-*.whl"))


def test_the_wheel_holds_the_templates(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("report.html.j2", "report.css", "report.docx", "wording.toml",
                 "fonts/DejaVuSans.ttf", "fonts/NotoColorEmoji.ttf"):
        assert f"reportgen/templates/{part}" in names, part


def test_installed_outside_the_checkout_it_builds_the_default_input(wheel, tmp_path):
    """A fresh environment with the wheel alone: the dependencies come from this one's
    site-packages, read as a plain folder (its .pth files, this checkout's editable
    install among them, are not run)."""
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path("
                                "'purelib'))"], check=True, capture_output=True,
                               text=True).stdout.strip())
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    work = tmp_path / "elsewhere"
    shutil.copytree(DEFAULT_INPUT, work / "input")
    code = ("import reportgen.writers as w, sys; print(w.DEFAULT_TEMPLATES); "
            "from reportgen.cli import main; sys.argv = ['reportgen', 'build']; main()")
    result = subprocess.run([python, "-c", code], cwd=work, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    templates = Path(result.stdout.splitlines()[0])
    assert templates == site / "reportgen" / "templates"
    stem = "tema-1-vision-og-bosaetning"
    pdf = (work / "output" / f"{stem}.pdf").read_bytes()
    docx = (work / "output" / f"{stem}.docx").read_bytes()
    assert squash("Tema 1: Mærk Næstved") in squash(pdf_text(pdf))
    assert squash("Tema 1: Mærk Næstved") in squash(docx_text(docx))


def test_the_command_does_not_import_numpy_through_openpyxl():
    """openpyxl imports numpy where it is installed (the tests install it); the reader
    keeps it out of a build's start, and numpy importable afterwards."""
    code = ("import sys; import reportgen.commands.build, reportgen.cli; "
            "assert 'numpy' not in sys.modules; import numpy; print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "ok", done.stderr
