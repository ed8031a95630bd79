"""Shared fixtures: the default report and a multi-theme report, each built once."""

from __future__ import annotations

import pytest

from reportgen.commands.build import build
from reportgen.round import Round

from .helpers import DEFAULT_INPUT, workbooks


@pytest.fixture(scope="session", autouse=True)
def own_cache_folder(tmp_path_factory):
    """The command's cache of PDF parts (writers/pdf/cache.py) in a folder of the tests'
    own, never the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> dict[str, bytes]:
    """The default input built once in every format: format -> bytes."""
    out = tmp_path_factory.mktemp("default")
    outcome = build(Round([DEFAULT_INPUT]), out, ("pdf", "docx", "html", "json"))
    assert not outcome.errors, outcome.errors
    return {path.suffix[1:]: path.read_bytes() for path in outcome.written}


@pytest.fixture(scope="session")
def multi_theme(tmp_path_factory) -> dict[str, bytes]:
    """Four themes over several pages: tables that cross page breaks."""
    folder = tmp_path_factory.mktemp("multi")
    path = workbooks.write(48, folder / "in" / "multi.xlsx")
    outcome = build(Round([path]), folder / "out", ("pdf", "docx", "json"))
    assert not outcome.errors
    return {p.suffix[1:]: p.read_bytes() for p in outcome.written}
