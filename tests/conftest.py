"""Shared fixtures: workbooks the tests build themselves, and the default report built once."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from openpyxl import Workbook

from reportgen.build import build

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import workbooks  # noqa: E402  (the benchmark's synthetic workbooks)

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.fixture(scope="session")
def default_build(tmp_path_factory) -> dict[str, bytes]:
    """The default input built once in every format: format -> bytes."""
    out = tmp_path_factory.mktemp("default")
    outcome = build([DEFAULT_INPUT], out, ("pdf", "docx", "html", "json"))
    assert not outcome.errors, outcome.errors
    return {path.suffix[1:]: path.read_bytes() for path in outcome.written}


@pytest.fixture(scope="session")
def multi_theme(tmp_path_factory) -> dict[str, bytes]:
    """Four themes over several pages: tables that cross page breaks."""
    folder = tmp_path_factory.mktemp("multi")
    path = workbooks.write(48, folder / "in" / "multi.xlsx")
    outcome = build([path], folder / "out", ("pdf", "docx", "json"))
    assert not outcome.errors
    return {p.suffix[1:]: p.read_bytes() for p in outcome.written}
