"""Many builds at once against a real `reportgen serve` on loopback: 20 clients, each with a
workbook of its own, at the same moment, on a server that lets 2 build and 6 wait. Some
are told 503 with Retry-After and come back; every one gets its own report in the end,
none lost, and the server's whole process tree stays bounded. Bounded in time: each
client gives up after a deadline."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

pytest.importorskip("starlette")
httpx = pytest.importorskip("httpx2")

from .helpers import ARTIFACTS, goal_row, pdf_text, squash, write_workbook  # noqa: E402
from .web_server import running_server, tree_rss  # noqa: E402

pytestmark = pytest.mark.load
CLIENTS = 20
DEADLINE = 240.0  # seconds for all of it


def _goals(n: int) -> list[str]:
    return [f"Mål {n}.{k} for center nummer {n}" for k in range(1, 4)]


def test_twenty_builds_at_once(tmp_path):
    books = [write_workbook(tmp_path / f"center-{n:02d}.xlsx",
                            [goal_row(text, centre=f"C{n:02d}/XX") for text in _goals(n)])
             for n in range(CLIENTS)]
    refused = []
    start = threading.Barrier(CLIENTS)
    with running_server("--workers", "2", "--queue", "6") as (base, server):
        peak, sampling = [0], threading.Event()

        def sample():
            while not sampling.is_set():
                peak[0] = max(peak[0], tree_rss(server.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stop_at = time.monotonic() + DEADLINE

        def client(n: int) -> bytes:
            with httpx.Client(base_url=base, timeout=60) as http:
                data = books[n].read_bytes()
                start.wait(30)
                while True:
                    answer = http.post("/api/build", files=[("files", (books[n].name, data))],
                                       data={"formats": "pdf"})
                    if answer.status_code != 503:
                        break
                    assert answer.json()["error"]["code"] == "RG706"
                    refused.append(int(answer.headers["retry-after"]))
                    assert time.monotonic() < stop_at, "the queue never took this build"
                    time.sleep(0.3)  # the server says 10 s; a test need not wait so long
                assert answer.status_code == 202, answer.text
                job = answer.json()["job"]
                while True:
                    state = http.get(f"/api/jobs/{job}").json()
                    if state["state"] in ("done", "failed"):
                        break
                    assert time.monotonic() < stop_at, f"build {n} never finished"
                    time.sleep(0.05)
                assert state["state"] == "done", state
                [pdf] = [f for f in state["files"] if f["name"].endswith(".pdf")]
                assert pdf["name"] == f"center-{n:02d}.pdf"
                return http.get(pdf["url"]).content

        began = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as clients:
            pdfs = list(clients.map(client, range(CLIENTS)))
        took = time.monotonic() - began
        sampling.set()
        sampler.join()
    for n, pdf in enumerate(pdfs):
        text = squash(pdf_text(pdf))
        assert all(squash(goal) in text for goal in _goals(n)), n
        others = [m for m in range(CLIENTS) if m != n and squash(f"C{m:02d}/XX") in text]
        assert others == [], (n, others)
    assert refused and all(seconds > 0 for seconds in refused)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "web-load.json").write_text(json.dumps(
        {"builds": CLIENTS, "seconds": round(took, 1), "refused_503": len(refused),
         "peak_tree_rss_mib": round(peak[0] / 2**20)}))
