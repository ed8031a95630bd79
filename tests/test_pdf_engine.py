"""WeasyPrint's repairs (writers/pdf/engine.py): each takes effect, and each refuses a
release it was not written against.

That the fonts are subset by uharfbuzz, not by fontTools, is test_fonts.py's
`test_fonts_are_subset_by_harfbuzz_not_by_fonttools`; here only its guard."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import defaultdict

import pikepdf
import pydyf
import pytest

from reportgen.design import DEFAULT_TEMPLATES
from reportgen.writers.pdf import engine

from .helpers import ROOT, elements, pdf_figures

SMILEY = " smiley"  # in every smiley's alternative text ("Grøn smiley: …"), in no other's


def drawn_figures(data: bytes) -> list[tuple[int, str, tuple[float, float], tuple]]:
    """(page, alternative text, size, form) for each form a page draws (`Do`) inside a
    Figure's marked content: the form as its object number and generation."""
    drawn = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        alts = {}
        for element in elements(pdf):
            if element.get("/S") != "/Figure" or "/Alt" not in element:
                continue
            kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
            for kid in kids:
                if isinstance(kid, int):
                    alts[element.Pg.objgen, int(kid)] = str(element.Alt)
        for number, page in enumerate(pdf.pages):
            marked: list[int | None] = []  # the marked content we are in, innermost last
            for operands, operator in pikepdf.parse_content_stream(page):
                if operator == pikepdf.Operator("BDC"):
                    properties = operands[1]
                    marked.append(int(properties.MCID) if isinstance(
                        properties, pikepdf.Dictionary) and "/MCID" in properties else None)
                elif operator == pikepdf.Operator("BMC"):
                    marked.append(None)
                elif operator == pikepdf.Operator("EMC"):
                    marked.pop()
                elif operator == pikepdf.Operator("Do"):
                    mcid = next((m for m in reversed(marked) if m is not None), None)
                    alt = alts.get((page.obj.objgen, mcid))
                    form = page.Resources.XObject[operands[0]]
                    if alt is not None:
                        box = [float(v) for v in form.BBox]
                        drawn.append((number, alt, (box[2] - box[0], box[3] - box[1]),
                                      form.objgen))
    return drawn


def smiley_forms(data: bytes) -> tuple[int, dict[tuple[str, tuple], set[tuple]]]:
    """(how many smileys are drawn as forms, {(face, size): the forms drawing it}); every
    smiley Figure of the PDF must be one of those drawn."""
    uses = [(alt.split(":")[0], size, form) for _, alt, size, form in drawn_figures(data)
            if SMILEY in alt]
    assert len(uses) == sum(SMILEY in (alt or "") for alt in pdf_figures(data))
    forms: dict[tuple[str, tuple], set[tuple]] = defaultdict(set)
    for face, size, form in uses:
        forms[face, size].add(form)
    return len(uses), forms


def test_each_smiley_face_is_one_form_per_size_however_often_it_is_drawn(default_build):
    uses, forms = smiley_forms(default_build["pdf"])
    # the default report: three faces in the legend and in the goal table, at two sizes
    assert {face for face, _ in forms} == {"Grøn smiley", "Gul smiley", "Rød smiley"}
    assert len({size for _, size in forms}) == 2
    assert all(len(drawn) == 1 for drawn in forms.values()), forms
    # unrepaired, WeasyPrint draws the face anew at each use: as many drawings as uses
    assert uses > len(forms)


def test_one_smiley_form_serves_many_pages(multi_theme):
    uses, forms = smiley_forms(multi_theme["pdf"])
    assert all(len(drawn) == 1 for drawn in forms.values()), forms
    pages = defaultdict(set)
    for page, alt, _, form in drawn_figures(multi_theme["pdf"]):
        if SMILEY in alt:
            pages[form].add(page)
    assert max(len(found) for found in pages.values()) > 3
    assert uses > 10 * len(forms)


def test_the_page_references_are_built_once_not_once_per_element(monkeypatch):
    engine.load_weasyprint()
    cached = pydyf.PDF.page_references
    pdf = pydyf.PDF()
    for _ in range(2):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references is pdf.page_references  # pydyf's own builds one a read
    two = pdf.page_references
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert len(pdf.page_references) == 3 and len(two) == 2  # a page more: built again

    # a tagged document written: every structure element reads them, one tuple serves
    read: list[tuple] = []

    def counted(self):
        references = cached.fget(self)
        read.append(references)  # kept: a tuple's id is not reused while it lives
        return references

    monkeypatch.setattr(pydyf.PDF, "page_references", property(counted))
    html = "".join(f'<h2>Tema {n}</h2>{"<p>Et mål</p>" * 20}<p style="break-after: page">'
                   "Slut</p>" for n in range(5))
    part = engine.render_part(f'<html lang="da"><title>Test</title><body>{html}</body></html>',
                              DEFAULT_TEMPLATES, "pdf/ua-1")
    assert part.pages == 5
    assert len(read) > 10 * part.pages
    assert len({id(references) for references in read}) == 1


def test_loading_again_leaves_the_repairs_as_they_are():
    weasyprint = engine.load_weasyprint()
    repaired = (weasyprint.images.SVGImage.draw, pydyf.PDF.__dict__["page_references"],
                weasyprint.pdf.fonts.Font.subset)
    weasyprint = engine.load_weasyprint()
    again = (weasyprint.images.SVGImage.draw, pydyf.PDF.__dict__["page_references"],
             weasyprint.pdf.fonts.Font.subset)
    assert all(a is b for a, b in zip(repaired, again, strict=True))


# In a process of its own, WeasyPrint imported and not yet repaired: each function a
# repair checks replaced in turn by another (whose source can be read, or not), and the
# library's version by another, and the repair made; then put back, and all loaded.
# {name: (the code, the message, whether the other function was left)} for each refusal,
# and "loaded": each repair's flag once the library, as it came, was loaded.
GUARDS = """
import json

import pydyf

from reportgen.errors import ReportgenError
from reportgen.util.native import sonames_only
from reportgen.writers.pdf import engine

with sonames_only():
    import weasyprint

fonts, images, stream = weasyprint.pdf.fonts, weasyprint.images, weasyprint.pdf.stream
svg, pages = (lambda: engine._share_svg_drawings(weasyprint)), engine._cache_page_references
subset = lambda: engine._subset_with_harfbuzz(weasyprint)
GUARDED = {  # name: (its class, its attribute, its library, the repair that checks it)
    "SVGImage.draw": (images.SVGImage, "draw", weasyprint, svg),
    "Stream.add_group": (stream.Stream, "add_group", weasyprint, svg),
    "PDF.page_references": (pydyf.PDF, "page_references", pydyf, pages),
    "Font.subset": (fonts.Font, "subset", weasyprint, subset),
    "Font._harfbuzz_subset": (fonts.Font, "_harfbuzz_subset", weasyprint, subset),
}

scope = {}  # a function whose source cannot be read, as it was compiled from a string
exec(compile("def other(self, *args):\\n    pass\\n", "<another release>", "exec"), scope)
refused = {}
for name, (owner, attribute, library, repair) in GUARDED.items():
    # json.dumps: any other function whose source can be read
    for readable, function in (("changed", json.dumps), ("unreadable", scope["other"])):
        original, version = owner.__dict__[attribute], library.__version__
        replacement = property(function) if isinstance(original, property) else function
        setattr(owner, attribute, replacement)
        library.__version__ += "-other"
        try:
            repair()
        except ReportgenError as error:
            refused[f"{name}-{readable}"] = (error.code, error.message,
                                             owner.__dict__[attribute] is replacement)
        finally:
            setattr(owner, attribute, original)
            library.__version__ = version
engine.load_weasyprint()  # raises if a repair refuses the library as it came
refused["loaded"] = [images.SVGImage._shared_drawings, pydyf.PDF._cached_page_references,
                     fonts.Font._subset_with_uharfbuzz]
print(json.dumps(refused))
"""


@pytest.fixture(scope="module")
def refusals() -> dict:
    done = subprocess.run([sys.executable, "-c", GUARDS], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout)


def test_the_repairs_load_on_the_releases_they_were_written_for(refusals):
    assert refusals["loaded"] == [True, True, True]


@pytest.mark.parametrize("readable", ["changed", "unreadable"])
@pytest.mark.parametrize("name, library, tested", [
    ("SVGImage.draw", "WeasyPrint", "70.0"),
    ("Stream.add_group", "WeasyPrint", "70.0"),
    ("PDF.page_references", "pydyf", "0.13.0"),
    ("Font.subset", "WeasyPrint", "70.0"),
    ("Font._harfbuzz_subset", "WeasyPrint", "70.0"),
])
def test_a_repair_refuses_a_release_it_was_not_written_for(refusals, name, library, tested,
                                                           readable):
    assert f"{name}-{readable}" in refusals, "patched without a word"
    code, message, left = refusals[f"{name}-{readable}"]
    assert code == "RG930"
    # the installed version named, and the one the repair was written for
    assert message.startswith(f"{library} {tested}-other passer ikke til reportgen")
    assert f"{name} i {library} {tested}" in message
    assert ("den er ændret" if readable == "changed" else "kildeteksten kan ikke læses") \
        in message
    assert f"pip install '{library.lower()}=={tested}'" in message
    assert "\n" not in message  # what a forked process's failure shows is its last line
    assert left  # nothing patched: the other release's function left in place
