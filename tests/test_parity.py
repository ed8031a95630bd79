"""The DOCX and the PDF tell the same thing, and the PDF still looks as it did."""

from __future__ import annotations

import io
import os

import docx
import numpy as np
import pypdfium2
import pytest
from docx.oxml.ns import qn
from PIL import Image

from .helpers import ARTIFACTS, ROOT, pdf_goal_rows, squash

PAGES = ROOT / "tests" / "expected" / "pages"


def docx_goal_rows(data: bytes) -> list[tuple]:
    document = docx.Document(io.BytesIO(data))
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells = row._tr.findall(qn("w:tc"))
            if len(cells) != 5:
                continue
            alts = [[p.get("descr") for p in cell.iter(qn("wp:docPr"))] for cell in cells]
            if not (alts[2] or alts[3]):
                continue
            texts = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in cells]
            rows.append((squash(texts[0]), squash(texts[1]), alts[2], alts[3],
                         squash(texts[4])))
    return rows


@pytest.mark.parametrize("which", ["default", "multi"])
def test_docx_and_pdf_hold_the_same_goals_statuses_and_comments(which, default_build,
                                                                 multi_theme):
    outputs = default_build if which == "default" else multi_theme
    from_pdf, from_docx = pdf_goal_rows(outputs["pdf"]), docx_goal_rows(outputs["docx"])
    assert len(from_pdf) >= 7
    assert from_pdf == from_docx


def test_pages_look_as_the_reviewed_references(default_build):
    """A layout change shows here: regenerate with REPORTGEN_ACCEPT_PAGES=1, then look at
    tests/expected/pages/*.png before committing them."""
    pdf = pypdfium2.PdfDocument(default_build["pdf"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number in range(len(pdf)):
        actual = pdf[number].render(scale=1).to_pil().convert("L")
        reference = PAGES / f"default-{number + 1}.png"
        if os.environ.get("REPORTGEN_ACCEPT_PAGES"):
            PAGES.mkdir(parents=True, exist_ok=True)
            actual.save(reference)
        expected = Image.open(reference).convert("L")
        assert actual.size == expected.size, number + 1
        diff = np.abs(np.asarray(actual, dtype=np.int16) - np.asarray(expected, dtype=np.int16))
        changed = float((diff > 64).mean())
        if changed > 0.002 or diff.mean() > 1.0:
            actual.save(ARTIFACTS / f"default-{number + 1}.actual.png")
            Image.fromarray((255 - np.clip(diff * 4, 0, 255)).astype(np.uint8)).save(
                ARTIFACTS / f"default-{number + 1}.diff.png")
        assert changed <= 0.002, f"page {number + 1}: {changed:.2%} of pixels changed"
        assert diff.mean() <= 1.0, f"page {number + 1}: mean difference {diff.mean():.2f}"
    assert len(pdf) == len(list(PAGES.glob("default-*.png")))
