"""The same input gives the same PDF bytes whatever the caller's environment holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.commands.check import check
from reportgen.round import Round
from reportgen.writers import RenderOptions, writer

from .helpers import goal_row, write_workbook

EPOCH = "SOURCE_DATE_EPOCH"
REPORTGEN = (sys.executable, "-c", "import sys; from reportgen.cli import main; sys.exit(main())")
# An emoji makes WeasyPrint write the emoji font anew with fontTools (its pictures taken
# out), which stamps the font with SOURCE_DATE_EPOCH.
COMMENT = "Forsinket 😞 men 👍 🟢"


@pytest.fixture(scope="module")
def emoji_workbook(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("emoji") / "e.xlsx",
                          [goal_row("Mål æøå", "gul", comment=COMMENT)])


def _built_by_the_command(workbook: Path, out: Path, epoch: str | None) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != EPOCH}
    if epoch is not None:
        env[EPOCH] = epoch
    subprocess.run([*REPORTGEN, "build", str(workbook), "-o", str(out), "--format", "pdf",
                    "--no-cache"],
                   env=env, check=True, capture_output=True, timeout=300)
    return (out / "e.pdf").read_bytes()


def test_same_bytes_whatever_source_date_epoch(emoji_workbook, tmp_path):
    built = {epoch: _built_by_the_command(emoji_workbook, tmp_path / str(epoch), epoch)
             for epoch in (None, "0", "1700000000")}
    assert len(built[None]) > 10_000
    assert built["0"] == built[None]
    assert built["1700000000"] == built[None]


def test_same_bytes_in_process_and_the_callers_environment_kept(emoji_workbook, tmp_path,
                                                               monkeypatch):
    """A PDF made in the caller's own process: the epoch pinned only meanwhile."""
    reference = _built_by_the_command(emoji_workbook, tmp_path / "reference", None)
    for epoch in (None, "1700000000"):
        if epoch is None:
            monkeypatch.delenv(EPOCH, raising=False)
        else:
            monkeypatch.setenv(EPOCH, epoch)
        result, _ = check(Round([emoji_workbook]))
        assert writer("pdf")(result.report, RenderOptions()) == reference  # pdf.render
        assert os.environ.get(EPOCH) == epoch
