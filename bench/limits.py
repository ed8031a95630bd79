"""The largest workbooks the reader takes, each read in a fresh process: seconds and peak MB.

The reader's limits (reader/rows.py MAX_ROWS, reader/sheet_xml.py MAX_CELLS and
MAX_MERGED_CELLS) promise that any workbook is read or refused within 10 s and 1 GB;
this measures the workbooks at the limits, and one just past each.

    .venv/bin/python bench/limits.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workbooks import write  # noqa: E402

from reportgen.reader.rows import MAX_ROWS  # noqa: E402
from reportgen.reader.sheet_xml import MAX_CELLS, MAX_MERGED_CELLS  # noqa: E402

CHILD = """
import json, resource, sys, time
from pathlib import Path
start = time.monotonic()
from reportgen.reader import read_workbook
result = read_workbook(Path(sys.argv[1]))
print(json.dumps({"seconds": time.monotonic() - start,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "goals": len(list(result.report.goals())),
                  "errors": sorted({f.code for f in result.errors})}))
"""


def stored_cells(path: Path) -> int:
    workbook = load_workbook(path)
    return sum(len(sheet._cells) for sheet in workbook.worksheets)


def goals_at_the_row_limit(folder: Path, extra: int = 0) -> Path:
    return write(MAX_ROWS + extra, folder / f"rows-{MAX_ROWS + extra}.xlsx")


def filled_to_the_cell_limit(folder: Path, extra: int = 0) -> Path:
    """The row limit's goals, and a second sheet of text up to the cell limit."""
    path = goals_at_the_row_limit(folder)
    have = stored_cells(path)
    workbook = load_workbook(path)
    data = workbook.create_sheet("Data")
    for index in range(MAX_CELLS - have + extra):
        data.cell(index // 20 + 1, index % 20 + 1, f"opslag {index}")
    target = folder / f"cells-{MAX_CELLS + extra}.xlsx"
    workbook.save(target)
    return target


def merged_to_the_limit(folder: Path, extra: int = 0) -> Path:
    """The row limit's goals, and a sheet of merged blocks of 2 x 10 cells up to the limit
    of merged cells (a value below and right of them all, so that none is cut back)."""
    workbook = load_workbook(goals_at_the_row_limit(folder))
    sheet = workbook.create_sheet("Pynt")
    blocks = (MAX_MERGED_CELLS + extra) // 20 + (1 if extra else 0)
    for block in range(blocks):
        row = block * 2 + 1
        sheet.cell(row, 1, f"blok {block}")
        sheet.merge_cells(start_row=row, start_column=1, end_row=row + 1, end_column=10)
    sheet.cell(blocks * 2 + 1, 10, "slut")
    target = folder / f"merged-{blocks * 20}.xlsx"
    workbook.save(target)
    return target


def measure(path: Path, runs: int) -> dict:
    results = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                                         capture_output=True, text=True).stdout)
               for _ in range(runs)]
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "mb": max(r["mb"] for r in results), "goals": results[0]["goals"],
            "errors": results[0]["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        cases = [
            (f"{MAX_ROWS:,} goals", goals_at_the_row_limit(folder)),
            (f"{MAX_ROWS + 1:,} goals", goals_at_the_row_limit(folder, 1)),
            (f"{MAX_CELLS:,} cells", filled_to_the_cell_limit(folder)),
            (f"{MAX_CELLS + 1:,} cells", filled_to_the_cell_limit(folder, 1)),
            (f"{MAX_MERGED_CELLS:,} merged cells", merged_to_the_limit(folder)),
            (f"{MAX_MERGED_CELLS + 20:,} merged cells", merged_to_the_limit(folder, 1)),
        ]
        print(f"{'workbook':<22} {'MB on disk':>10} {'seconds':>8} {'peak MB':>8}  outcome")
        for name, path in cases:
            result = measure(path, args.runs)
            outcome = ", ".join(result["errors"]) or f"{result['goals']} goals read"
            print(f"{name:<22} {path.stat().st_size / 2**20:>10.1f} {result['seconds']:>8.2f} "
                  f"{result['mb']:>8.0f}  {outcome}")


if __name__ == "__main__":
    main()
