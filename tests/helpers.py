"""What the tests share: workbooks they build themselves, and the readers of what the
build writes (text of the PDF and the DOCX, pictures, figures, the structure tree)."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import docx
import pdfplumber
import pikepdf
import pypdf
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]


def script_module(folder: str, name: str):
    """A module of bench/ or tools/ (not packages), loaded by its path."""
    spec = importlib.util.spec_from_file_location(name, ROOT / folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


workbooks = script_module("bench", "workbooks")  # the benchmark's synthetic workbooks
DEFAULT_INPUT = ROOT / "input"
ARTIFACTS = ROOT / "tests" / "artifacts"

HEADERS = ("Tema", "Indsatsområde", "Effektmål", "Resultatmål", "Måles hvordan/opnås gennem",
           "Resultat", "Tidsplan", "Kommentar", "Center/Centerchef")


def write_workbook(path: Path, rows: Iterable[Sequence], headers: Sequence[str] = HEADERS,
                   above: Sequence[Sequence] = (), meta: Sequence[Sequence] | None = None,
                   sheet: str = "Mål") -> Path:
    """A workbook as a centre sends it: optional rows above the header, then goal rows."""
    workbook = Workbook()
    goals = workbook.active
    goals.title = sheet
    for row in above:
        goals.append(list(row))
    goals.append(list(headers))
    for row in rows:
        goals.append(list(row))
        for cell in goals[goals.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed text, as in a cell formatted as text
    if meta is not None:
        report = workbook.create_sheet("Rapport")
        for row in meta:
            report.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def goal_row(text: str, result="grøn", timeline="grøn", comment=None, centre="CPU/BGE",
             theme="Tema 1: Mærk Næstved", area="Vision", effect=None, measure=None) -> list:
    return [theme, area, effect, text, measure, result, timeline, comment, centre]


def squash(text: str) -> str:
    """Text without any white space: line wrapping in a PDF cannot break a comparison."""
    return re.sub(r"\s+", "", text)


def assert_in_order(haystack: str, needles: Sequence[str]) -> None:
    position = 0
    flat = squash(haystack)
    for needle in needles:
        found = flat.find(squash(needle), position)
        assert found >= 0, f"not found in order after position {position}: {needle!r}"
        position = found + len(squash(needle))


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(data: bytes) -> str:
    """Every paragraph of the body in document order, table cells included, once each."""
    document = docx.Document(io.BytesIO(data))
    return "\n".join(Paragraph(p, document).text
                     for p in document.element.body.iter(qn("w:p")))


def docx_pictures(data: bytes) -> list[tuple[str, bytes]]:
    """(alternative text, image bytes) of every picture, in document order."""
    document = docx.Document(io.BytesIO(data))
    part = document.part
    pictures = []
    for inline in document.element.body.iter(qn("wp:inline")):
        blip = inline.find(".//" + qn("a:blip"))
        image = part.related_parts[blip.get(qn("r:embed"))].blob
        pictures.append((inline.docPr.get("descr"), image))
    return pictures


def pdf_figures(data: bytes) -> list[str | None]:
    """The /Alt of every Figure in the structure tree, in tree order."""
    figures: list[str | None] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        def walk(node):
            if isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)
            elif isinstance(node, pikepdf.Dictionary):
                if node.get("/S") == "/Figure":
                    alt = node.get("/Alt")
                    figures.append(str(alt) if alt is not None else None)
                kids = node.get("/K")
                if kids is not None:
                    walk(kids)
        walk(pdf.Root.StructTreeRoot)
    return figures


def elements(pdf) -> list:
    found = []

    def walk(node):
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                walk(kid)
    walk(pdf.Root.StructTreeRoot)
    return found


def outloud_errors(path: Path) -> tuple[list, set]:
    outloud = Path(sys.executable).with_name("outloud")
    result = subprocess.run([str(outloud), "--json", "-", "--fail-on", "never", str(path)],
                            capture_output=True, text=True, check=True)
    findings = json.loads(result.stdout)["results"][0]["findings"]
    errors = [(f["rule"], f["message"]) for f in findings if f["severity"] == "error"]
    return errors, {f["rule"] for f in findings if f["severity"] == "warning"}


def pdf_table_rows(data: bytes) -> list[list[tuple[str, str, list[str]]]]:
    """Every table row of the structure tree, in tree order: per cell its tag (`/TH`,
    `/TD`), its text joined from its marked content, and its Figures' alternative texts."""
    text: dict[tuple[int, int], str] = defaultdict(str)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for index, page in enumerate(pdf.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    text[index, char["mcid"]] += char["text"]
    rows = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page_index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}

        def kids(element):
            k = element.get("/K")
            return list(k) if isinstance(k, pikepdf.Array) else [] if k is None else [k]

        def content(element, page=None):
            page = page_index.get(element.Pg.objgen, page) if "/Pg" in element else page
            parts, alts = [], []
            if element.get("/S") == "/Figure":
                alts.append(str(element.Alt))
            for kid in kids(element):
                if isinstance(kid, int):
                    parts.append(text[page, int(kid)])
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    more, more_alts = content(kid, page)
                    parts.append(more)
                    alts += more_alts
            return "".join(parts), alts

        def walk(element):
            if element.get("/S") == "/TR":
                cells = [k for k in kids(element) if isinstance(k, pikepdf.Dictionary)]
                rows.append([(str(cell.S), *content(cell)) for cell in cells])
                return
            for kid in kids(element):
                if isinstance(kid, pikepdf.Dictionary):
                    walk(kid)
        walk(pdf.Root.StructTreeRoot)
    return rows


def pdf_goal_rows(data: bytes) -> list[tuple]:
    """(goal, measure and comment, result alts, timeline alts, centre) per goal row, read
    from the structure tree, each cell's text joined from its marked content."""
    rows = []
    for cells in pdf_table_rows(data):
        if len(cells) == 5 and cells[0][0] == "/TH" and all(c[0] == "/TD" for c in cells[1:]):
            (_, goal, _), (_, notes, _), (_, _, result), (_, _, timeline), (_, centre, _) = cells
            if result or timeline:
                rows.append((squash(goal), squash(notes), result, timeline, squash(centre)))
    return rows


FIXTURES = ROOT / "tests" / "fixtures"  # centre.ods and centre.xls: see test_formats.py


def ods_content(rows: str) -> bytes:
    """An .ods file's content.xml: one sheet, Mål, of these rows (`table:table-row`s)."""
    return ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
            'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
            'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
            f'<office:spreadsheet><table:table table:name="Mål">{rows}</table:table>'
            "</office:spreadsheet></office:body></office:document-content>").encode()


def xls_records(data: bytes | bytearray) -> Iterable[tuple[int, int, int]]:
    """(offset, type, size) of each record of an .xls workbook stream."""
    position = 0
    while position + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, position)
        yield position, kind, size
        position += 4 + size


def xls_patched(target: Path, edit) -> Path:
    """A copy of tests/fixtures/centre.xls whose workbook stream `edit(bytearray)` changed
    in place (its length kept)."""
    import olefile

    shutil.copy(FIXTURES / "centre.xls", target)
    with olefile.OleFileIO(target, write_mode=True) as ole:
        data = bytearray(ole.openstream("Workbook").read())
        edit(data)
        ole.write_stream("Workbook", bytes(data))
    return target


def patched(source: Path, target: Path, name: str, edit) -> Path:
    """A copy of a workbook (or a Word document) whose zip entry `name` is `edit(bytes)`:
    what a test cannot make with openpyxl (a theme part, a sheet's raw XML), or a Word
    template's tags changed."""
    with zipfile.ZipFile(source) as old, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        assert name in old.namelist()
        for info in old.infolist():
            data = old.read(info)
            new.writestr(info, edit(data) if info.filename == name else data)
    return target
