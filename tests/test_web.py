"""The web page's API through Starlette's test client: the happy path with the default
input, each bad upload its own answer, the guard (Host, Origin, sizes), the build pool
(a full queue, a timeout, a worker that dies), and nothing left behind."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest

pytest.importorskip("starlette")

from click.testing import CliRunner  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from reportgen.cli import main  # noqa: E402
from reportgen.reader import find_workbooks  # noqa: E402
from reportgen.reader.files import MAX_FILE_BYTES, WORKBOOK_SUFFIXES  # noqa: E402
from reportgen.web.app import create_app
from reportgen.web.jobs import prepare_worker
from reportgen.web.pool import BuildPool, JobFailed, QueueFull  # noqa: E402
from reportgen.web.settings import Settings
from reportgen.web.uploads import saved_name  # noqa: E402

from .helpers import (  # noqa: E402
    DEFAULT_INPUT,
    FIXTURES,
    docx_text,
    goal_row,
    pdf_figures,
    pdf_text,
    write_workbook,
)
from .web_server import descendants, free_port  # noqa: E402

BASE = "http://127.0.0.1:8000"
DEFAULT = sorted(DEFAULT_INPUT.glob("*.xlsx"))[0]
SETTINGS = Settings(files=4, file_bytes=2 * 2**20, request_bytes=6 * 2**20)


@pytest.fixture(scope="module")
def pool():
    with BuildPool(2, 2, timeout=120, prepare=prepare_worker) as pool:
        yield pool


@pytest.fixture(scope="module")
def client(pool):
    with TestClient(create_app(pool, SETTINGS), base_url=BASE) as client:
        yield client


def upload(path: Path, name: str | None = None, field: str = "files") -> tuple:
    return (field, (name or path.name, path.read_bytes()))


def wait_for(client, job: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = client.get(f"/api/jobs/{job}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.02)
    raise AssertionError(f"job {job} not done in {seconds} s")


def refusal(state: dict) -> dict:
    """A build's job refused by its check: failed, with the refusal a 422 would give (its
    code, message and the findings), and its message said as every failure's is."""
    assert state["state"] == "failed" and state["files"] == [], state
    assert state["error"]["code"] == "RG709", state
    assert state["message"] == f"RG709 fejl: {state['error']['message']}"
    assert isinstance(state["goals"], int) and state["findings"] and \
        isinstance(state["centres"], list)
    return state


def error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["code"] == code, body
    assert "Traceback" not in response.text
    return body["error"]["message"]


# -- the happy path --------------------------------------------------------------------

def test_check_the_default_input(client):
    response = client.post("/api/check", files=[upload(DEFAULT)])
    assert response.status_code == 200
    body = response.json()
    assert body["goals"] == 7
    assert [f for f in body["findings"] if f["severity"] == "fejl"] == []
    assert body["centres"] == [{"centre": "CPU/BGE", "goals": 7, "reported": 7, "missing": [],
                                "received": True, "line": "CPU/BGE: 7 af 7 mål indberettet"}]


def test_build_the_default_input_and_download_it(client, pool):
    response = client.post("/api/build", files=[upload(DEFAULT)])
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    state = wait_for(client, job)
    assert state["state"] == "done" and state["progress"] == 1.0, state
    names = [f["name"] for f in state["files"]]
    stem = DEFAULT.stem
    assert names == [f"{stem}.pdf", f"{stem}.docx", f"{stem}.json", f"{stem}-fund.xlsx"]
    preview = client.get(state["preview"])
    assert preview.status_code == 200 and preview.content.startswith(b"\x89PNG")
    fetched = {}
    for entry in state["files"]:
        got = client.get(entry["url"])
        assert got.status_code == 200
        assert got.headers["content-disposition"].startswith("attachment;")
        assert got.headers["x-content-type-options"] == "nosniff"
        fetched[entry["name"]] = got.content
    text = pdf_text(fetched[f"{stem}.pdf"])
    assert "Tema 1: Vision og Bosætning" in text
    assert "Opfølgning på Strategiplan 2018" in text
    assert "CPU/BGE" in text
    assert "Tema 1: Vision og Bosætning" in docx_text(fetched[f"{stem}.docx"])
    # every file fetched: the job's folder is gone, and so is the job
    assert client.get(f"/api/jobs/{job}").status_code == 404
    error(client.get(state["files"][0]["url"]), 404, "RG707")


def test_the_details_are_shown_and_the_ones_given_stand(client):
    checked = client.post("/api/check", files=[upload(DEFAULT)]).json()
    assert checked["details"]["title"] == "Tema 1: Vision og Bosætning."
    assert checked["details"]["date"] == "August 2018"
    response = client.post("/api/build", files=[upload(DEFAULT)],
                           data={"date": "2019-01-15", "follow_up": "Opfølgning januar 2019",
                                 "formats": "pdf"})
    assert response.status_code == 202, response.text
    state = wait_for(client, response.json()["job"])
    (pdf,) = [f for f in state["files"] if f["name"].endswith(".pdf")]
    text = pdf_text(client.get(pdf["url"]).content)
    assert "15. januar 2019" in text and "Opfølgning januar 2019" in text
    assert "August 2018" not in text
    for entry in state["files"]:  # fetched: the job's folder goes
        client.get(entry["url"])
    error(client.post("/api/check", files=[upload(DEFAULT)], data={"date": "2019-02-30"}),
          400, "RG700")


def test_a_draft_of_a_workbook_with_gaps(client, tmp_path):
    path = write_workbook(tmp_path / "huller.xlsx", [goal_row("Et mål", result=None),
                                                      goal_row("Et andet mål", result="gul")])
    final = client.post("/api/build", files=[upload(path)])
    assert final.status_code == 202, final.text  # answered at once, checked in its turn
    job = final.json()["job"]
    folder = client.app.state.web.jobs[job].folder
    refused = refusal(wait_for(client, job))
    assert "eller byg en kladde" in refused["error"]["message"]
    assert refused["goals"] == 2 and refused["centres"][0]["reported"] == 1
    assert {f["code"] for f in refused["findings"]} >= {"RG202", "RG205"}
    deadline = time.monotonic() + 10  # nothing to fetch: the uploads go at once
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not folder.exists()
    draft = client.post("/api/build", files=[upload(path)], data={"draft": "1",
                                                                   "formats": "pdf"})
    assert draft.status_code == 202, draft.text
    state = wait_for(client, draft.json()["job"])
    assert state["error"] is None and state["centres"][0]["missing"]
    assert [f["name"] for f in state["files"]] == ["huller-kladde.pdf", "huller-fund.xlsx"]
    text = pdf_text(client.get(state["files"][0]["url"]).content)
    assert "Et andet mål" in text


def test_the_goals_not_reported_are_named_masked(client, tmp_path):
    """A goal without an Id is named by its text among the goals not reported: on the page
    (the check's `centres`, and the body of a build refused) with its personal data
    masked, as every finding is."""
    path = write_workbook(tmp_path / "huller.xlsx", [
        goal_row("Borgeren 010180-1234 har klaget", result=None),
        goal_row("Ring 22 33 44 55 eller skriv til l.f@x.dk", timeline=None)])
    checked = client.post("/api/check", files=[upload(path)])
    started = client.post("/api/build", files=[upload(path)])
    assert started.status_code == 202, started.text
    refused = refusal(wait_for(client, started.json()["job"]))
    for answer in (checked.json(), refused):
        (centre,) = answer["centres"]
        assert centre["missing"] == ["»Borgeren 0101XX-XXXX har klag…«",
                                     "»Ring 22 XX XX XX eller skriv …«"]
        assert centre["line"].endswith("(mangler »Borgeren 0101XX-XXXX har klag…«, "
                                       "»Ring 22 XX XX XX eller skriv …«)")
        for secret in ("010180", "1234", "22 33 44 55", "l.f@x"):
            assert secret not in json.dumps(answer, ensure_ascii=False)


def test_the_findings_workbook_says_who_has_reported_as_the_commands_does(client, tmp_path):
    """The page's findings workbook is the one `--findings` writes: the findings on `Fund`,
    and beside them on `Indberetning` each centre behind, from the same statuses."""
    path = write_workbook(tmp_path / "huller.xlsx", [
        goal_row("Et mål", result=None), goal_row("Et andet mål", result="gul"),
        goal_row("Et tredje mål", centre="CSA/XYZ")])
    response = client.post("/api/build", files=[upload(path)], data={"draft": "1",
                                                                   "formats": "json"})
    assert response.status_code == 202, response.text
    state = wait_for(client, response.json()["job"])
    fetched = {f["name"]: client.get(f["url"]).content for f in state["files"]}
    page = openpyxl.load_workbook(io.BytesIO(fetched["huller-fund.xlsx"]))
    assert page.sheetnames == ["Fund", "Indberetning"]
    table = list(page["Indberetning"].iter_rows(values_only=True))
    assert table == [("Center", "Mål", "Indberettet", "Mangler", "Arbejdsbog modtaget"),
                     ("CPU/BGE", "2", "1", "»Et mål«", "ja")]
    sheet = tmp_path / "fund.xlsx"
    result = CliRunner().invoke(main, ["check", "--draft", "--findings", str(sheet),
                                       str(path)])
    assert "fund.xlsx" in result.output, result.output
    command = openpyxl.load_workbook(sheet)
    assert command.sheetnames == page.sheetnames
    for name in command.sheetnames:
        assert list(page[name].iter_rows(values_only=True)) == \
            list(command[name].iter_rows(values_only=True))


def test_a_zip_of_workbooks(client, tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.write(DEFAULT, f"runde/{DEFAULT.name}")
        out.writestr("runde/~$lås.xlsx", b"x")
        out.writestr("runde/noter.txt", b"x")
    response = client.post("/api/check", files=[("files", ("runde.zip", archive.getvalue()))])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["goals"] == 7
    assert sorted(f["code"] for f in body["findings"]) == ["RG010", "RG010"]


def test_xls_and_ods_are_taken_as_the_reader_takes_them(client):
    """The page takes what the command reads: an .xls or .ods workbook, for its values
    (RG906), as a workbook, as the plan, as the previous follow-up, and in the form's
    file choosers."""
    xls, ods = FIXTURES / "centre.xls", FIXTURES / "centre.ods"
    for path in (xls, ods):
        response = client.post("/api/check", files=[upload(path)])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["goals"] == 4
        assert [(f["code"], f["file"]) for f in body["findings"]] == [
            ("RG906", path.name), ("RG905", path.name)]
        assert f"gemt som {path.suffix}" in body["findings"][0]["message"]
    response = client.post("/api/check", files=[upload(xls), upload(ods, field="plan"),
                                                upload(ods, field="previous")])
    assert response.status_code == 200, response.text
    assert response.json()["centres"][0]["reported"] == 4
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.write(ods, f"runde/{ods.name}")
    response = client.post("/api/check", files=[("files", ("runde.zip", archive.getvalue()))])
    assert response.status_code == 200 and response.json()["goals"] == 4, response.text
    chooser = dict(re.findall(r'<input id="(\w+)"[^>]* accept="([^"]*)"', client.get("/").text))
    assert chooser == {"files": ".xlsx,.xlsm,.xls,.ods,.zip", "plan": ".xlsx,.xlsm,.xls,.ods",
                       "previous": ".xlsx,.xlsm,.xls,.ods,.json"}
    assert chooser["plan"].split(",") == list(WORKBOOK_SUFFIXES)  # the reader's one list


def test_an_excel_lock_file_chosen_with_the_workbooks_is_passed_over(client, tmp_path):
    """Excel's lock file (`~$…`, beside a workbook open on another pc), chosen with the
    workbooks, is passed over with the reader's own notice, as in a zip or a folder: not
    refused, not an error, and not counted as a workbook read."""
    owner = b"\x0aKarin Holm" + b" " * 44 + "Karin Holm".encode("utf-16-le") + b"\0" * 90
    lock = ("files", ("~$opfoelgning.xlsx", owner))
    (tmp_path / "~$opfoelgning.xlsx").write_bytes(owner)
    [in_a_folder] = find_workbooks([tmp_path])[1]
    response = client.post("/api/check", files=[upload(DEFAULT), lock])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["goals"] == 7
    assert [(f["code"], f["severity"], f["file"], f["message"]) for f in body["findings"]] == [
        ("RG010", "bemærkning", "~$opfoelgning.xlsx",
         "Excels låsefil (arbejdsbogen er åben på en anden pc) springes over.")]
    assert body["findings"][0]["message"] == in_a_folder.message
    plan = client.post("/api/check", files=[upload(DEFAULT), upload(DEFAULT, field="plan"),
                                            ("plan", ("~$plan.xlsx", owner))])
    assert plan.status_code == 200, plan.text
    assert [(f["code"], f["file"]) for f in plan.json()["findings"]
            if f["code"] == "RG010"] == [("RG010", "~$plan.xlsx")]
    built = client.post("/api/build", files=[upload(DEFAULT), lock], data={"formats": "json"})
    assert built.status_code == 202, built.text
    state = wait_for(client, built.json()["job"])
    assert state["state"] == "done", state
    # named after the one workbook read, the lock file no workbook
    assert [f["name"] for f in state["files"]] == [f"{DEFAULT.stem}.json",
                                                   f"{DEFAULT.stem}-fund.xlsx"]
    for entry in state["files"]:
        client.get(entry["url"])


def test_the_plan_gives_who_is_missing(client, tmp_path):
    plan = write_workbook(tmp_path / "plan.xlsx", [goal_row("Mål A", centre="A/AA"),
                                                    goal_row("Mål B", centre="B/BB")])
    back = write_workbook(tmp_path / "a.xlsx", [goal_row("Mål A", centre="A/AA")])
    response = client.post("/api/check", files=[upload(back), upload(plan, field="plan")])
    assert response.status_code == 200, response.text
    centres = {c["centre"]: c for c in response.json()["centres"]}
    assert centres["A/AA"]["reported"] == 1
    assert centres["B/BB"]["received"] is False
    assert centres["B/BB"]["line"] == "B/BB: 0 af 1 mål indberettet — ingen arbejdsbog modtaget"



def test_the_previous_follow_up_as_a_workbook_or_as_its_json(client, tmp_path):
    before = write_workbook(tmp_path / "marts.xlsx", [
        goal_row("Mål A", result="rød", timeline="grøn", comment="Forsinket"),
        goal_row("Mål gået", timeline="grøn")],
        meta=[("Opfølgning", "Opfølgning marts 2018")])
    now = write_workbook(tmp_path / "august.xlsx", [goal_row("Mål A", timeline="grøn")])
    exported = client.post("/api/build", files=[upload(before)], data={"formats": "json"})
    state = wait_for(client, exported.json()["job"])
    (entry,) = [f for f in state["files"] if f["name"].endswith(".json")]
    export = tmp_path / "marts.json"
    export.write_bytes(client.get(entry["url"]).content)
    for entry in state["files"]:
        client.get(entry["url"])
    for previous in (before, export):
        response = client.post("/api/build", data={"formats": "pdf,json"}, files=[
            upload(now), upload(previous, field="previous")])
        assert response.status_code == 202, response.text
        state = wait_for(client, response.json()["job"])
        fetched = {f["name"]: client.get(f["url"]).content for f in state["files"]}
        records = json.loads(fetched["august.json"])
        assert [goal["text"] for goal in records["removed"]] == ["Mål gået"]
        (goal,) = [g for t in records["themes"] for a in t["focus_areas"] for g in a["goals"]]
        assert goal["previous"] == {"result": ["red"], "timeline": ["green"]}
        assert "forbedret siden Opfølgning marts 2018" in pdf_figures(fetched["august.pdf"])
    two = client.post("/api/check", files=[upload(now), upload(before, field="previous"),
                                           upload(export, field="previous")])
    error(two, 400, "RG700")

def test_a_previous_json_nested_too_deep_or_too_large_is_a_finding(client, tmp_path):
    """The page says what the command says of a previous JSON nested 100,000 deep (RG110)
    or of one with more goals than a workbook may have (RG111): a finding naming the file,
    and a final build refused; not a Python error."""
    now = write_workbook(tmp_path / "august.xlsx", [goal_row("Mål A", timeline="grøn")])
    deep = tmp_path / "dyb.json"
    deep.write_text('{"meta": {}, "themes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    goal = {"text": "Mål", "centre": "CPU/BGE", "result": [], "timeline": []}
    many = tmp_path / "mange.json"
    many.write_text(json.dumps({"meta": {}, "themes": [{"name": "Tema", "focus_areas": [
        {"name": "Vision", "goals": [goal] * 20_000}]}]}))
    for path, code in ((deep, "RG110"), (many, "RG111")):
        files = [upload(now), upload(path, field="previous")]
        checked = client.post("/api/check", files=files)
        assert checked.status_code == 200, checked.text
        (found,) = [f for f in checked.json()["findings"] if f["code"] == code]
        assert found["file"] == f"{path.name} (forrige opfølgning)"
        assert found["severity"] == "fejl"
        started = client.post("/api/build", files=files)
        assert started.status_code == 202, started.text
        refused = refusal(wait_for(client, started.json()["job"]))
        assert code in [f["code"] for f in refused["findings"]]


def test_the_page(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="da"' in page.text and "Byg rapport" in page.text
    assert "<script>" not in page.text  # the one script is a file: the CSP admits no other
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    script = client.get("/static/app.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript")
    error(client.get("/static/../web.py"), 404, "RG707")
    error(client.get("/static/index.html.j2"), 404, "RG707")


# -- bad uploads, each its own answer --------------------------------------------------

def _not_a_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "centre.xlsx"
    path.write_text("Tema;Resultat\n1;2\n")
    return path


def _encrypted(tmp_path: Path) -> Path:
    good = write_workbook(tmp_path / "god.xlsx", [goal_row("Et mål")])
    with good.open("rb") as source, (tmp_path / "centre.xlsx").open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("hemmelig", out)
    return tmp_path / "centre.xlsx"


def _zip_bomb(tmp_path: Path) -> Path:
    good = write_workbook(tmp_path / "god.xlsx", [goal_row("Et mål")])
    path = tmp_path / "centre.xlsx"
    with zipfile.ZipFile(good) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                new.writestr(info, old.read(info))
                continue
            with new.open(info.filename, "w", force_zip64=True) as stream:
                chunk = b" " * (8 << 20)
                for _ in range(14):  # 112 MiB of white space, over the reader's 100 MB
                    stream.write(chunk)
    return path


@pytest.mark.parametrize("make, code, words", [
    (_not_a_workbook, "RG101", "tekst- eller CSV-fil"),
    (_encrypted, "RG102", "adgangskode"),
    (_zip_bomb, "RG106", "pakker sig ud"),
], ids=["not-a-workbook", "encrypted", "zip-bomb"])
def test_a_bad_workbook_is_a_finding_and_stops_a_build(client, tmp_path, make, code, words):
    path = make(tmp_path)
    checked = client.post("/api/check", files=[upload(path)])
    assert checked.status_code == 200, checked.text
    [finding] = checked.json()["findings"]
    assert (finding["code"], finding["file"]) == (code, "centre.xlsx")
    assert words in finding["message"]
    built = client.post("/api/build", files=[upload(path)], data={"draft": "1"})
    assert built.status_code == 202, built.text
    refused = refusal(wait_for(client, built.json()["job"]))
    assert "kladde" not in refused["error"]["message"]
    assert [f["code"] for f in refused["findings"]] == [code]


def test_a_zip_bomb_as_the_upload(client):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        with out.open("stor.xlsx", "w", force_zip64=True) as stream:
            for _ in range(16):
                stream.write(b"\0" * (8 << 20))
    assert len(archive.getvalue()) < 1 << 20
    message = error(client.post("/api/check", files=[("files", ("bombe.zip",
                                                                archive.getvalue()))]),
                    413, "RG701")
    assert "pakker sig ud" in message


def _zip_of_the_default(compression: int = zipfile.ZIP_STORED) -> bytearray:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression) as out:
        out.write(DEFAULT, f"runde/{DEFAULT.name}")
    return bytearray(archive.getvalue())


def _headers(data: bytearray) -> tuple[int, int]:
    """Where the first member's local header and its central directory entry begin (the
    end record says where the directory is: a workbook is a zip too, and has its own)."""
    end = data.rindex(b"PK\x05\x06")
    return 0, int.from_bytes(data[end + 16:end + 20], "little")


def _crc_damaged() -> bytes:
    data = _zip_of_the_default()
    local, central = _headers(data)
    middle = (local + central) // 2  # in the member's stored bytes
    data[middle:middle + 4] = bytes(b ^ 0xFF for b in data[middle:middle + 4])
    return bytes(data)


def _deflate_damaged() -> bytes:
    """A member whose compressed stream is broken: zlib, not the CRC, says so."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr(f"runde/{DEFAULT.name}", "".join(f"række {n};" for n in range(20000)))
    data = bytearray(archive.getvalue())
    start = 30 + len(f"runde/{DEFAULT.name}")  # the stream, after the local header
    data[start + 20:start + 84] = bytes(64)  # early, in its block's code tables
    return bytes(data)


def _encrypted_member() -> bytes:
    data = _zip_of_the_default()
    local, central = _headers(data)
    data[local + 6] |= 0x01  # general purpose flag: encrypted
    data[central + 8] |= 0x01
    return bytes(data)


def _deflate64() -> bytes:
    data = _zip_of_the_default()
    local, central = _headers(data)
    data[local + 8:local + 10] = (9).to_bytes(2, "little")  # compression method 9: Deflate64
    data[central + 10:central + 12] = (9).to_bytes(2, "little")
    return bytes(data)


@pytest.mark.parametrize("name, make, words", [
    ("runde.zip", _crc_damaged, "beskadiget"),
    ("runde.zip", _deflate_damaged, "beskadiget"),
    ("runde.zip", _encrypted_member, "adgangskode"),
    ("runde.zip", _deflate64, "Deflate64"),
    ("...zip", lambda: bytes(_zip_of_the_default()), "navn"),
], ids=["crc", "deflate-stream", "encrypted", "deflate64", "dots-for-a-name"])
def test_a_damaged_or_odd_zip_is_refused_naming_it(client, name, make, words):
    """A zip the page cannot unpack is the user's to fix, not the server's failure: 415
    naming the upload, and what is wrong with it, for a check and for a build."""
    data = make()
    for route in ("/api/check", "/api/build"):
        message = error(client.post(route, files=[("files", (name, data))]), 415, "RG703")
        assert f"»{name}«" in message and words in message, message
        if name == "runde.zip":
            assert f"runde/{DEFAULT.name}" in message  # the member it is about


def test_too_many_files(client, tmp_path):
    files = [upload(DEFAULT, f"{n}.xlsx") for n in range(SETTINGS.files + 1)]
    message = error(client.post("/api/check", files=files), 413, "RG702")
    assert f"højst {SETTINGS.files}" in message
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for n in range(SETTINGS.files + 1):
            out.write(DEFAULT, f"{n}.xlsx")
    error(client.post("/api/check", files=[("files", ("mange.zip", archive.getvalue()))]),
          413, "RG702")


def test_a_file_too_large(client):
    big = b"PK\x03\x04" + b"\0" * SETTINGS.file_bytes
    message = error(client.post("/api/check", files=[("files", ("stor.xlsx", big))]),
                    413, "RG701")
    assert "pr. fil" in message


def test_a_request_too_large_by_its_length_is_refused_unread(client):
    body = b"x" * (SETTINGS.request_bytes + 1)
    response = client.post("/api/check", content=body,
                           headers={"content-type": "multipart/form-data; boundary=x"})
    error(response, 413, "RG701")


def test_a_request_too_large_is_refused_before_its_body_is_all_read(client):
    """Without a Content-Length (chunked), the body is counted as it streams in."""
    chunk = b"x" * 2**20
    chunks = SETTINGS.request_bytes // len(chunk) + 20
    pulled = 0
    boundary = b"boundary"

    async def receive():
        nonlocal pulled
        pulled += 1
        if pulled == 1:
            return {"type": "http.request", "more_body": True, "body":
                    b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; '
                    b'filename="a.xlsx"\r\nContent-Type: application/octet-stream\r\n\r\n'}
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/check", "raw_path": b"/api/check",
             "query_string": b"", "root_path": "", "scheme": "http", "http_version": "1.1",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
             "headers": [(b"host", b"127.0.0.1:8000"),
                         (b"content-type", b"multipart/form-data; boundary=" + boundary)]}
    asyncio.run(client.app(scope, receive, send))
    assert sent[0]["status"] == 413
    assert b"RG701" in sent[1]["body"]
    assert pulled < chunks / 2


def raw_upload(client, name: bytes, data: bytes):
    """A multipart body written by hand: a client library escapes what a name may not hold."""
    body = (b'--b\r\nContent-Disposition: form-data; name="files"; filename="' + name +
            b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n--b--\r\n")
    return client.post("/api/check", content=body,
                       headers={"content-type": "multipart/form-data; boundary=b"})


@pytest.mark.parametrize("name", [b"../../x.xlsx", b"/etc/x.xlsx", b"mappe\\x.xlsx",
                                  b"x\x00.xlsx", b"x\x1b.xlsx",
                                  b"..", "x\u202e.xlsx".encode()])
def test_a_path_in_the_file_name_is_refused(client, name):
    message = error(raw_upload(client, name, DEFAULT.read_bytes()), 400, "RG704")
    assert "sti" in message


def test_a_windows_path_is_cut_to_its_name_by_the_form_parser(client, tmp_path):
    """Old browsers sent the whole path; the parser keeps the name alone (the label)."""
    path = write_workbook(tmp_path / "x.xlsx", [goal_row("Et mål", result="blå")])
    response = raw_upload(client, b"C:\\Users\\x.xlsx", path.read_bytes())
    assert response.status_code == 200
    assert [f["file"] for f in response.json()["findings"]] == ["x.xlsx"]


def test_a_long_file_name_is_shortened_and_kept_as_the_label(client):
    name = "æ" * 200 + ".xlsx"
    assert len(saved_name(name).encode()) <= 200 and saved_name(name).endswith(".xlsx")
    response = client.post("/api/check", files=[("files", (name, DEFAULT.read_bytes()))])
    assert response.status_code == 200 and response.json()["goals"] == 7


def test_a_file_that_is_no_workbook_by_its_name(client):
    message = error(client.post("/api/check", files=[("files", ("noter.txt", b"hej"))]),
                    415, "RG703")
    assert "(.xlsx, .xls eller .ods)" in message
    error(client.post("/api/check", files=[("files", ("runde.zip", b"ikke en zip"))]),
          415, "RG703")


LOCK_OWNER = b"\x0aKarin Holm" + b" " * 44 + "Karin Holm".encode("utf-16-le") + b"\0" * 90


def _zip(**members: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    return archive.getvalue()


def test_no_answer_names_the_servers_folder(client, tmp_path):
    """Every message the page answers with, for a check, a build and its job, names what
    was uploaded as the user chose it, never the folder the server keeps it in: a zip
    without workbooks, a lock file alone, a plan of a lock file alone, two workbooks of
    one name (told apart as the zip's are)."""
    root = str(client.app.state.web.root)
    broken = write_workbook(tmp_path / "x.xlsx", [goal_row("Et mål", result="blå")])
    asks = {
        "zip without workbooks": [("files", ("noter.zip", _zip(**{"noter/a.txt": b"x"})))],
        "empty zip": [("files", ("tom.zip", _zip()))],
        "lock file alone": [("files", ("~$opfoelgning.xlsx", LOCK_OWNER))],
        "plan a lock file": [upload(DEFAULT), ("plan", ("~$plan.xlsx", LOCK_OWNER))],
        "one name twice": [upload(broken), upload(broken)],
    }
    said: dict[str, list[dict]] = {}
    for ask, files in asks.items():
        answers = [client.post("/api/check", files=files),
                   client.post("/api/build", files=files, data={"formats": "json"})]
        bodies = [answer.json() for answer in answers]
        if answers[1].status_code == 202:  # the job's own state: its message and findings
            state = wait_for(client, bodies[1]["job"])
            bodies.append(state)
            for entry in state["files"]:
                client.get(entry["url"])
        for body in bodies:
            text = json.dumps(body, ensure_ascii=False)
            assert root not in text and "reportgen-web-" not in text, (ask, text)
        said[ask] = bodies

    def rg002(ask: str) -> str:
        [message] = {f["message"] for body in said[ask] for f in body.get("findings") or []
                     if f["code"] == "RG002"}
        return message

    assert rg002("zip without workbooks").endswith(" i »noter.zip«.")
    assert rg002("empty zip").endswith(" i »tom.zip«.")
    assert rg002("lock file alone").endswith(" i »~$opfoelgning.xlsx«.")
    assert rg002("plan a lock file").endswith(" i »~$plan.xlsx«.")
    checked = said["one name twice"][0]
    assert sorted({f["file"] for f in checked["findings"] if f["code"] == "RG201"}) == [
        "x (2).xlsx", "x.xlsx"]


def test_a_request_without_workbooks(client):
    error(client.post("/api/check", data={"draft": "1"}), 400, "RG700")
    error(client.post("/api/check", json={"files": []}), 400, "RG700")
    error(client.post("/api/build", files=[upload(DEFAULT)], data={"formats": "exe"}),
          400, "RG700")


def test_a_foreign_origin_is_refused(client):
    files = [upload(DEFAULT)]
    message = error(client.post("/api/check", files=files,
                                headers={"origin": "https://evil.example"}), 403, "RG705")
    assert "anden hjemmeside" in message
    error(client.post("/api/build", files=files, headers={"origin": "null"}), 403, "RG705")
    error(client.post("/api/check", files=files, headers={"sec-fetch-site": "cross-site"}),
          403, "RG705")
    same = client.post("/api/check", files=files, headers={"origin": BASE})
    assert same.status_code == 200


def test_a_wrong_host_is_refused(client):
    message = error(client.get("/", headers={"host": "evil.example"}), 400, "RG705")
    assert "--allow-host" in message
    error(client.post("/api/check", files=[upload(DEFAULT)],
                      headers={"host": "rebind.example:8000"}), 400, "RG705")
    assert client.get("/", headers={"host": "localhost:8000"}).status_code == 200


def test_an_unknown_job(client):
    error(client.get("/api/jobs/nothing"), 404, "RG707")
    error(client.get("/api/jobs/nothing/files/x.pdf"), 404, "RG707")
    error(client.get("/no/such/page"), 404, "RG707")


def test_the_default_limits_are_the_readers():
    assert Settings().file_bytes == MAX_FILE_BYTES
    assert Settings().keep_seconds == 30 * 60


# -- the build pool --------------------------------------------------------------------

def _sleep(progress, seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def _die(progress) -> None:
    os._exit(3)


def _fail(progress) -> None:
    raise ValueError("sådan")


def test_the_pool_bounds_its_queue_and_replaces_a_worker_that_dies_or_overruns():
    with BuildPool(1, 1, timeout=1.0) as pool:
        first = pool.submit(_sleep, 0.3)
        second = pool.submit(_sleep, 0.0)
        with pytest.raises(QueueFull):
            pool.submit(_sleep, 0.0)
        assert first.result(10) == 0.3 and second.result(10) == 0.0
        with pytest.raises(JobFailed) as died:
            pool.submit(_die).result(10)
        assert died.value.reason == "died"
        with pytest.raises(JobFailed) as late:
            pool.submit(_sleep, 30).result(10)
        assert late.value.reason == "timeout"
        with pytest.raises(JobFailed) as failed:
            pool.submit(_fail).result(10)
        assert failed.value.reason == "error" and "sådan" in str(failed.value)
        assert pool.submit(_sleep, 0.0).result(10) == 0.0  # replaced, and working


def test_a_full_queue_is_503_with_retry_after(tmp_path):
    with BuildPool(1, 0, timeout=30) as pool, \
            TestClient(create_app(pool), base_url=BASE) as client:
        pool.submit(_sleep, 2.0)  # the one worker busy, no room to wait
        response = client.post("/api/check", files=[upload(DEFAULT)])
        error(response, 503, "RG706")
        assert int(response.headers["retry-after"]) > 0


def test_a_build_is_answered_at_once_and_queued_until_a_worker_takes_it():
    """A build behind a busy worker is answered at once (202, its job `queued`), not when
    a worker is free: a request at the back of the queue never outwaits a proxy. It is
    checked and built when its turn comes."""
    with BuildPool(1, 2, timeout=60, prepare=prepare_worker) as pool, \
            TestClient(create_app(pool), base_url=BASE) as client:
        busy = pool.submit(_sleep, 4.0)  # the one worker, for a while
        response = client.post("/api/build", files=[upload(DEFAULT)], data={"formats": "json"})
        assert not busy.done()
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["state"] == "queued" and body["findings"] is None
        assert response.headers["location"] == f"/api/jobs/{body['job']}"
        assert client.get(f"/api/jobs/{body['job']}").json()["state"] == "queued"
        state = wait_for(client, body["job"])
        assert busy.done()
        assert state["state"] == "done" and state["error"] is None, state
        assert state["goals"] == 7 and state["centres"][0]["centre"] == "CPU/BGE"
        assert [f["name"] for f in state["files"]] == [f"{DEFAULT.stem}.json",
                                                       f"{DEFAULT.stem}-fund.xlsx"]


def test_a_build_that_overruns_is_a_failed_job(tmp_path):
    with BuildPool(1, 1, timeout=0.3, prepare=prepare_worker) as pool, \
            TestClient(create_app(pool), base_url=BASE) as client:
        response = client.post("/api/build", files=[upload(DEFAULT)])
        assert response.status_code == 202  # answered at once; the build overruns
        state = wait_for(client, response.json()["job"])
        assert state["state"] == "failed" and state["files"] == []
        assert state["error"]["code"] == "RG708"
        assert state["message"].startswith("RG708 fejl:") and "0.3 sekunder" in state["message"]
        again = client.post("/api/check", files=[upload(DEFAULT)])  # a new worker
        assert again.status_code == 200


def test_a_disk_that_fails_the_build_is_said_in_danish_with_its_code(tmp_path, monkeypatch):
    """The page's build writes its files as the command does (files.write_all): a full
    disk is RG900 in Danish there too, not Python's English, and its code said once."""
    import errno

    from reportgen import files

    real_mkstemp = files.tempfile.mkstemp

    def full_disk(*args, dir=None, **kwargs):
        if Path(dir).name == "rapport":  # the job's own folder; forked workers inherit it
            raise OSError(errno.ENOSPC, "No space left on device", dir)
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", full_disk)
    with BuildPool(1, 1, timeout=120, prepare=prepare_worker) as pool, \
            TestClient(create_app(pool), base_url=BASE) as client:
        response = client.post("/api/build", files=[upload(DEFAULT)],
                               data={"formats": "json"})
        state = wait_for(client, response.json()["job"])
    assert state["state"] == "failed" and state["files"] == []
    assert state["message"].startswith("RG900 fejl: Rapporten kunne ikke skrives")
    assert "disken er fuld" in state["message"]
    # the job's folder is the server's: said as such, not as its path
    assert "skrives til serveren (disken er fuld)" in state["message"], state["message"]
    assert "reportgen-web-" not in state["message"] and "»/" not in state["message"]
    assert "No space" not in state["message"] and "Error" not in state["message"]


def _render_fails(*args, **kwargs):
    from reportgen.errors import ReportgenError

    raise ReportgenError("RG900", "Rapporten kunne ikke laves; intet er skrevet.")


def test_a_build_whose_rendering_fails_says_its_code_once_and_keeps_its_findings(
        monkeypatch):
    """A failure the library raises after the check (here the rendering's RG900) fails
    the job with that code, said once, beside the check's findings."""
    from reportgen.commands import build

    monkeypatch.setattr(build, "render_all", _render_fails)  # forked workers inherit it
    with BuildPool(1, 1, timeout=120, prepare=prepare_worker) as pool, \
            TestClient(create_app(pool), base_url=BASE) as client:
        response = client.post("/api/build", files=[upload(DEFAULT)], data={"formats": "json"})
        state = wait_for(client, response.json()["job"])
    assert state["state"] == "failed" and state["files"] == []
    assert state["error"] == {"code": "RG900",
                              "message": "Rapporten kunne ikke laves; intet er skrevet."}
    assert state["message"] == "RG900 fejl: Rapporten kunne ikke laves; intet er skrevet."
    assert state["goals"] == 7 and state["centres"][0]["centre"] == "CPU/BGE"


def test_a_refusal_says_its_code_once():
    from reportgen.web.errors import WebError, error_body

    refusal = WebError(500, "RG708", "Rapporten kunne ikke bygges.")
    assert error_body(refusal.code, refusal.message) == {
        "error": {"code": "RG708", "message": "Rapporten kunne ikke bygges."}}
    assert str(refusal) == "RG708 fejl: Rapporten kunne ikke bygges."


def test_old_jobs_are_forgotten_with_their_files(client):
    response = client.post("/api/build", files=[upload(DEFAULT)], data={"formats": "json"})
    job = response.json()["job"]
    wait_for(client, job)
    web = client.app.state.web
    folder = web.jobs[job].folder
    assert folder.is_dir()
    web.sweep(now=time.monotonic() + 29 * 60)
    assert folder.is_dir()
    web.sweep(now=time.monotonic() + 31 * 60)
    assert not folder.exists()
    error(client.get(f"/api/jobs/{job}"), 404, "RG707")


# -- the command, and nothing left behind ----------------------------------------------

def test_serve_usage_errors_are_danish():
    runner = CliRunner()
    result = runner.invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 2 and "RG003" in result.output and "65535" in result.output
    result = runner.invoke(main, ["serve", "--allow-host", "a/b"])
    assert result.exit_code == 2 and "værtsnavn" in result.output
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--allow-host" in result.output


def test_serve_stops_on_sigterm_with_its_processes_and_says_so(tmp_path):
    """`reportgen serve` stopped as systemd stops it (SIGTERM): it stops its build
    processes and waits for them, so that none is left behind, not even for a moment as
    a zombie; removes its temporary folder; says it has stopped; and exits 0."""
    port = free_port()
    (tmp_path / "tmp").mkdir()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "reportgen"), "serve", "--port", str(port),
         "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "TMPDIR": str(tmp_path / "tmp")})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, \
                    server.stderr.read().decode(errors="replace")
                time.sleep(0.1)
        # the manager, and its worker once WeasyPrint is imported
        while len(children := descendants(server.pid)) < 2:
            assert time.monotonic() < deadline, children
            time.sleep(0.05)
        assert [p.name[:14] for p in (tmp_path / "tmp").iterdir()] == ["reportgen-web-"]
        server.send_signal(signal.SIGTERM)
        status = server.wait(20)
        stopped_with = {pid for pid in children if Path(f"/proc/{pid}").exists()}
        stderr = server.stderr.read().decode(errors="replace")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stderr.close()
    assert status == 0, stderr
    assert stopped_with == set(), stopped_with  # reaped by the server: not even zombies
    assert list((tmp_path / "tmp").iterdir()) == []
    assert stderr.splitlines()[-1] == \
        f"reportgen serve er stoppet (SIGTERM) på port {port}: byggeprocesserne er lukket, " \
        "og serverens midlertidige filer er slettet.", stderr


def test_nothing_is_left_behind(tmp_path, monkeypatch):
    # a temporary folder of this test's own: another run's pages make theirs meanwhile
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    before_children = descendants(os.getpid())
    before_temps = set(Path(tempfile.gettempdir()).glob("reportgen-web-*"))
    with BuildPool(2, 2, prepare=prepare_worker) as pool:
        with TestClient(create_app(pool), base_url=BASE) as client:
            root = client.app.state.web.root
            response = client.post("/api/build", files=[upload(DEFAULT)])
            wait_for(client, response.json()["job"])
            client.post("/api/check", files=[upload(DEFAULT)])
            assert descendants(os.getpid()) - before_children  # the manager
            assert any(root.iterdir())  # the job's folder, its files not fetched
        assert not root.exists()
    assert descendants(os.getpid()) == before_children
    assert set(Path(tempfile.gettempdir()).glob("reportgen-web-*")) == before_temps
