"""The benchmark script runs, and writes what it measured."""

from __future__ import annotations

import json
import subprocess
import sys

from .helpers import ROOT


def test_benchmark_runs_on_20_goals_and_writes_its_json(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "20", "--runs", "1",
         "--no-peer", "--out", str(out)], capture_output=True, text=True, check=True)
    data = json.loads(out.read_text())
    steps = data["sizes"]["20"]
    assert set(steps) == {"read", "html", "pdf", "docx", "build", "rebuild"}
    for name, step in steps.items():
        assert 0 < step["min"] <= step["median"] <= step["max"]
        if name != "rebuild":
            assert step["peak_mib"] > 10 and step["tree_mib"] > 10
    assert "| build" in result.stdout and "| rebuild" in result.stdout
    assert "20 goals" in result.stdout
