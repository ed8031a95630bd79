"""The benchmark: every step of a build, timed in fresh processes, at several sizes.

    .venv/bin/python bench/run.py                      # 20, 200 and 2,000 goals, 3 runs
    .venv/bin/python bench/run.py --sizes 20 --runs 1  # quick

For each size it writes a synthetic workbook (bench/workbooks.py), then runs, each in a
fresh Python process: reading, HTML, PDF (the default tagged variant, from HTML),
DOCX, and the whole `reportgen build` (PDF + DOCX, as a first build: its cache empty).
Each step reports its own time; the whole build is timed from outside. Memory: the
largest process's maximum resident set, and the whole process tree's at its peak
(proportional set sizes, summed) in one more run of each step, not timed: reading them
slows the processes read.
At the largest size, the rebuild: the cache warmed by one build, then each run a build
of the workbook with its last comment changed (a new text each time), as after a
centre's corrected workbook.
When LibreOffice is installed, its conversion of the same DOCX to PDF
(`soffice --headless --convert-to pdf`, its profile made before anything is timed) runs
paired with the whole build, and with the rebuild (A B A B …), and the ratio of each pair
is given. Results: a table, and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workbooks  # noqa: E402

PYTHON = sys.executable
REPORTGEN = [str(Path(PYTHON).with_name("reportgen"))]

# Each step runs in a fresh process, does what it needs untimed, then times itself.
STEP = r"""
import json, sys, time
from pathlib import Path
start = time.perf_counter()
from reportgen.reader import find_workbooks, read_workbooks
from reportgen.writers import RenderOptions
step, folder = sys.argv[1], Path(sys.argv[2])
if step == "read":
    result = read_workbooks(find_workbooks([folder])[0])
    elapsed = time.perf_counter() - start
else:
    report = read_workbooks(find_workbooks([folder])[0]).report
    options = RenderOptions()
    if step == "html":
        from reportgen.writers.html import render_html
        start = time.perf_counter()
        render_html(report, options)
    elif step == "pdf":
        from reportgen.util.forks import cores
        from reportgen.writers.pdf import html_to_pdf, pdf_html
        html = pdf_html(report, options)
        start = time.perf_counter()  # from HTML, with WeasyPrint's import
        html_to_pdf(html, options.templates, options.pdf_variant, cores())
    elif step == "docx":
        from reportgen.writers import writer
        start = time.perf_counter()
        writer("docx")(report, options)
    elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed}))
"""


def run(command: list[str], cwd: Path | None = None, sample: bool = False,
        env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """Wall seconds; peak resident MiB of the largest process (the command or one of
    its children); with `sample`, the peak MiB of the whole process tree at once, as the
    sum of its processes' proportional set sizes (shared pages counted once), read every
    20 ms (else 0: reading them slows the processes read, so timed runs are not sampled);
    and stdout."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE,
                               env={**os.environ, "PYTHONHASHSEED": "0", **(env or {})})
    tree = 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG if sample else 0)
        if pid:
            break
        tree = max(tree, tree_mib(process.pid))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:4]} failed:\n{err[-2000:]}")
    return wall, usage.ru_maxrss / 1024, tree, out


def tree_mib(pid: int) -> float:
    """The proportional set size of a process and all its descendants, in MiB; 0 when a
    process began or ended while it was read (a fork in between would count its shared
    pages twice)."""
    processes = _tree(pid)
    total = 0
    for current in processes:
        try:
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration):
            return 0.0
    return total / 1024 if _tree(pid) == processes else 0.0


def _tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += map(int, children.read().split())
        except OSError:  # ended meanwhile
            continue
    return sorted(found)


def cold_cache(work: Path) -> dict[str, str]:
    """An environment whose cache folder is new and empty: a build as a first build, the
    cache of laid-out PDF parts (reportgen/writers/pdf/cache.py) empty."""
    return {"XDG_CACHE_HOME": tempfile.mkdtemp(prefix="cold-cache-", dir=work)}


def summary(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3),
            "max": round(max(values), 3)}


def bench_size(goals: int, runs: int, work: Path, soffice: list[str] | None,
               rebuild: bool) -> dict:
    folder = work / f"in-{goals}"
    workbook = workbooks.write(goals, folder / f"bench-{goals}.xlsx")
    out = work / f"out-{goals}"
    results: dict[str, dict] = {}
    samples: dict[str, list] = {name: [] for name in ("read", "html", "pdf", "docx", "build")}
    memory: dict[str, list] = {name: [] for name in samples}
    tree: dict[str, list] = {name: [] for name in samples}
    commands = {step: [PYTHON, "-c", STEP, step, str(folder)]
                for step in ("read", "html", "pdf", "docx")}
    commands["build"] = [*REPORTGEN, "build", str(folder), "-o", str(out), "-q"]
    for step, command in commands.items():  # memory: one sampled run each, not timed
        tree[step].append(run(command, sample=True, env=cold_cache(work))[2])
    for _ in range(runs):
        for step, command in commands.items():
            wall, peak, _, printed = run(command, env=cold_cache(work))
            samples[step].append(wall if step == "build" else json.loads(printed)["seconds"])
            memory[step].append(peak)
    for name, values in samples.items():
        results[name] = {**summary(values), "peak_mib": round(max(memory[name]), 1),
                         "tree_mib": round(max(tree[name]), 1)}
    convert = soffice and [*soffice, "--convert-to", "pdf", "--outdir", str(work / "peer"),
                           str(out / f"bench-{goals}.docx")]
    if convert:  # the DOCX the builds above wrote
        results.update(paired("build", commands["build"], "peer_conversion", convert, runs,
                              env=lambda: cold_cache(work)))
    if rebuild:
        cache = {"XDG_CACHE_HOME": str(work / f"cache-{goals}")}
        again = [*REPORTGEN, "build", str(folder), "-o", str(work / f"rebuilt-{goals}"), "-q"]
        run(again, env=cache)  # the cache warmed

        def one_comment_changed(number: int) -> None:
            workbooks.write(goals, workbook, f"Rettet af centret, {number}. gang: tidsplanen "
                            "er rykket en måned, og resultatet følges op i næste kvartal.")

        results.update(paired("rebuild", again, "peer_conversion_rebuild", convert, runs,
                              before=one_comment_changed, env=lambda: cache))
    return results


def paired(name: str, ours: list[str], peer_name: str, peer: list[str] | None, runs: int,
           env: Callable[[], dict[str, str]], before=None) -> dict[str, dict]:
    """`ours` timed, paired with `peer` (A B A B …) if given, and the ratio of each pair;
    `env()` ours's environment, `before(run)`, untimed, before each of ours."""
    times: dict[str, list] = {name: [], peer_name: [], f"ratio_{name}_to_peer": []}
    for number in range(runs):
        if before is not None:
            before(number)
        times[name].append(run(ours, env=env())[0])
        if peer:
            times[peer_name].append(run(peer)[0])
            times[f"ratio_{name}_to_peer"].append(times[name][-1] / times[peer_name][-1])
    return {key: summary(values) for key, values in times.items() if values}


def table(results: dict) -> str:
    sizes = list(results["sizes"])
    rows = [("step", *[f"{n} goals" for n in sizes])]
    for step in ("read", "html", "pdf", "docx", "build", "peer_conversion",
                 "ratio_build_to_peer", "rebuild", "peer_conversion_rebuild",
                 "ratio_rebuild_to_peer"):
        if not any(step in results["sizes"][n] for n in sizes):
            continue
        cells = []
        for n in sizes:
            r = results["sizes"][n].get(step)
            if r is None:
                cells.append("")
                continue
            unit = "" if step.startswith("ratio") else " s"
            cell = f"{r['median']:.2f}{unit} ({r['min']:.2f}–{r['max']:.2f})"
            if "peak_mib" in r:
                cell += f", {r['peak_mib']:.0f} / {r['tree_mib']:.0f} MiB"
            cells.append(cell)
        rows.append((step, *cells))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="20,200,2000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "bench.json")
    parser.add_argument("--no-peer", action="store_true", help="skip LibreOffice")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild")
    args = parser.parse_args()
    found = None if args.no_peer else shutil.which("soffice")
    results = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "runs": args.runs,
        "peer": found,
        "sizes": {},
    }
    with tempfile.TemporaryDirectory() as work:
        soffice = None
        if found:  # its own profile, made once before anything is timed
            profile = Path(work, "lo-profile").as_uri()
            soffice = [found, "--headless", f"-env:UserInstallation={profile}"]
            run([*soffice, "--terminate_after_init"])
        sizes = [int(size) for size in args.sizes.split(",")]
        for goals in sizes:
            results["sizes"][goals] = bench_size(goals, args.runs, Path(work), soffice,
                                                 not args.no_rebuild and goals == max(sizes))
            print(f"{goals} goals done", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\n(median (min–max) of {args.runs} runs; memory: largest process / whole "
          f"process tree at once, at peak; JSON: {args.out})")


if __name__ == "__main__":
    main()
