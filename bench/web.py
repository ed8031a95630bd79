"""The web page's server-side time for one build, upload to files ready, with warm build
processes: each size several times, the median.

    .venv/bin/python bench/web.py /tmp/x/20.xlsx /tmp/x/200.xlsx --runs 7 --formats pdf
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from pathlib import Path

from starlette.testclient import TestClient

from reportgen.web.app import create_app
from reportgen.web.jobs import prepare_worker
from reportgen.web.pool import BuildPool


def timed_build(client: TestClient, path: Path, formats: str) -> float:
    began = time.perf_counter()
    answer = client.post("/api/build", files=[("files", (path.name, path.read_bytes()))],
                         data={"formats": formats})
    assert answer.status_code == 202, answer.text
    job = answer.json()["job"]
    while (state := client.get(f"/api/jobs/{job}").json())["state"] not in ("done", "failed"):
        time.sleep(0.005)
    took = time.perf_counter() - began
    assert state["state"] == "done", state
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workbooks", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--formats", default="pdf,docx,json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with BuildPool(2, 8, prepare=prepare_worker) as pool, \
            TestClient(create_app(pool), base_url="http://127.0.0.1") as client:
        for path in args.workbooks:
            timed_build(client, path, args.formats)  # each worker's first is not counted
            timed_build(client, path, args.formats)
            times = [timed_build(client, path, args.formats) for _ in range(args.runs)]
            print(f"{path.name}: median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs, "
                  f"{args.formats})")


if __name__ == "__main__":
    main()
