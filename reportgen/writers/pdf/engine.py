"""WeasyPrint, loaded and repaired, and one document laid out with it (render_part).

The fetcher serves only the pictures by their keys, `data:` URLs and files inside the
templates folder. Three repairs to WeasyPrint and pydyf are made once, when WeasyPrint is
loaded (load_weasyprint); each names the upstream issue it stands in for (in brackets):
- an SVG image is drawn once per size, as a form XObject every use refers to (#1978);
- pydyf's page references are cached by page count (no issue filed yet);
- fonts are subset by uharfbuzz, whatever the machine has installed (#2713, #2885).
Each replaces code of one release, and first checks that the installed library still has
that code, as its source's SHA-256 (`source_digest`): another release fails the load with
RG930 naming the library and its version, rather than being patched blind. pyproject.toml
pins the libraries to the releases checked.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ... import pictures
from ...errors import ReportgenError
from ...util.native import sonames_only

EPOCH = "SOURCE_DATE_EPOCH"


class FetchRefused(ValueError):
    pass


def url_fetcher(root: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme in pictures.DRAWINGS:
                svg = pictures.svg(f"{parts.scheme}:{unquote(parts.path)}").encode()
                return URLFetcherResponse(url, body=svg,
                                          headers={"Content-Type": "image/svg+xml"})
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return URLFetcherResponse(url, body=path.read_bytes())
            raise FetchRefused(f"not fetched: {url[:80]}")

    return TemplateFetcher(allowed_protocols=("data", "file", *pictures.DRAWINGS),
                           allow_redirects=False)


def source_digest(function: Callable) -> str | None:
    """The SHA-256 of a function's source, None where its source cannot be read. To
    update a repair's digests for a new release: `source_digest(weasyprint.images
    .SVGImage.draw)` and so on, in a process that has not loaded WeasyPrint here."""
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()


def _written_against(library: str, module, tested: str, repair: str,
                     sources: dict[str, tuple[Callable, str]]) -> None:
    """RG930 unless each of `sources`, {name: (function, digest)} (what `repair` replaces,
    or mirrors, or relies on), has the source the repair was written against, in
    `library` `tested`. Checked by the source, not the version alone: a release that
    leaves these functions as they were needs no new repair."""
    installed = getattr(module, "__version__", "?")
    for name, (function, digest) in sources.items():
        found = source_digest(function)
        if found == digest:
            continue
        # One line: a forked process's failure reaches the user as its last line (RG900).
        said = "kildeteksten kan ikke læses" if found is None else "den er ændret"
        raise ReportgenError(
            "RG930", f"{library} {installed} passer ikke til reportgen: rettelsen "
            f"{repair} er skrevet til {name} i {library} {tested}, og {said}. Installér "
            f"{library} {tested} (pip install '{library.lower()}=={tested}'), som reportgen "
            "er afprøvet med.")


def _share_svg_drawings(weasyprint) -> None:
    """Draw each SVG image once per size, as a form XObject every use refers to.

    WeasyPrint 70 draws an SVG image anew, element by element, wherever it appears: a
    report with thousands of smileys spends a quarter of its writing time redrawing
    three faces. All pages share one resources dictionary, so one form per face and size
    serves every page; each use stays a tagged Figure with its own alternative text.

    Upstream this is WeasyPrint #1978 ("SVG Image used as Logo is duplicated in PDF for
    every page"), open: the maintainer invites a fix that stores the drawing once, and a
    form XObject is the one suggested there. Written against SVGImage.draw, which it wraps,
    and Stream.add_group, whose form it takes without the transparency group.
    """
    svg_image = weasyprint.images.SVGImage
    if getattr(svg_image, "_shared_drawings", False):
        return
    _written_against("WeasyPrint", weasyprint, "70.0", "_share_svg_drawings", {
        "SVGImage.draw": (
            svg_image.draw,
            "bf38036046fc040b8a29e6770c976d912eb4dd76f5f9b5448d2ace2f69f45e27"),
        "Stream.add_group": (
            weasyprint.pdf.stream.Stream.add_group,
            "6022122164739805626abacc28a9931e8c724da5a5420e604d33471336fb4973"),
    })
    draw_anew = svg_image.draw

    def draw(self, stream, width, height, style):
        forms = self.__dict__.setdefault("_forms", {})
        key = (id(stream._resources), width, height)
        if key not in forms:
            form = stream.add_group(0, 0, width, height)
            del form.extra["Group"]  # a plain form: no transparency group is needed
            draw_anew(self, form, width, height, style)
            forms[key] = form.id
        stream.draw_x_object(forms[key])

    svg_image.draw = draw
    svg_image._shared_drawings = True


def _cache_page_references() -> None:
    """pydyf rebuilds the tuple of every page's reference each time it is asked for one,
    and WeasyPrint's tagging asks once per structure element: quadratic in the number of
    pages (at 2,000 goals, 50,000 elements × 320 pages). Cached here, by page count.

    No upstream issue is filed yet. The fix upstream would be a small one in WeasyPrint's
    pdf/tags.py, which reads `pdf.page_references[...]` once per element (in six places of
    _build_box_tree) where reading the tuple once per document would do, or a cache in
    pydyf itself, renewed as pages are added; until then pydyf is pinned to the release
    whose getter this replaces (pyproject.toml).
    """
    import pydyf

    if getattr(pydyf.PDF, "_cached_page_references", False):
        return
    _written_against("pydyf", pydyf, "0.13.0", "_cache_page_references", {
        "PDF.page_references": (
            pydyf.PDF.page_references.fget,
            "060bf90aad55931bc24c3575a52af9478a89916aa307e5323142663841cb7798"),
    })

    def page_references(self):
        kids = self.pages["Kids"]
        cached = self.__dict__.get("_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), tuple(f"{n} 0 R".encode("ascii") for n in kids[::3]))
            self.__dict__["_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    pydyf.PDF._cached_page_references = True


# The tables HarfBuzz leaves out of a subset font, as WeasyPrint asks of it.
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF",
                   b"LTSH", b"PCLT", b"SVG ")


def _subset_with_harfbuzz(weasyprint) -> None:
    """Each font cut to the glyphs the PDF uses by HarfBuzz's subsetter (uharfbuzz, a
    wheel with HarfBuzz inside), in the two passes WeasyPrint's own HarfBuzz path makes.

    WeasyPrint subsets with the system's libharfbuzz-subset where it finds one, else with
    fontTools, which takes 0.1–0.3 s a face and a part (at 20 goals most of the time the
    PDF takes to write) and which WeasyPrint means to stop supporting. Always the same
    subsetter, the PDF's bytes no longer depend on what the machine has installed.

    Upstream: WeasyPrint #2713 ("Remove fontTools subsetter", closed: the maintainer keeps
    the fontTools fallback while distributions still lack HarfBuzz-Subset) and #2885, the
    same removal, open until then. The public route is the system's libharfbuzz-subset0,
    which WeasyPrint prefers; a fresh machine lacks it, so the patch keeps the bytes the
    same everywhere. Written against Font.subset, which it replaces, and
    Font._harfbuzz_subset, whose passes, flags and dropped tables it repeats."""
    import uharfbuzz as hb

    font = weasyprint.pdf.fonts.Font
    if getattr(font, "_subset_with_uharfbuzz", False):
        return
    _written_against("WeasyPrint", weasyprint, "70.0", "_subset_with_harfbuzz", {
        "Font.subset": (
            font.subset,
            "61ed6bc2e9a7e43a7ad4c50e4bd61a0c5b6db06069754e66c6e328f4a97a6311"),
        "Font._harfbuzz_subset": (
            font._harfbuzz_subset,
            "f80805663ede8080a3e1ffff831e20c74bd25fa3b8e4410334ba807158dc685f"),
    })
    flags = hb.SubsetFlags
    dropped = [int.from_bytes(tag, "big") for tag in _DROPPED_TABLES]

    def subset_input(glyphs, kept: int) -> hb.SubsetInput:
        wanted = hb.SubsetInput()
        wanted.glyph_set.update(glyphs)
        wanted.drop_table_tag_set.update(dropped)
        wanted.flags = kept
        return wanted

    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return
        outline = flags.NOTDEF_OUTLINE if self.missing else 0
        kept = flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE | outline
        face = hb.subset(hb.Face(self.file_content, self.index),
                         subset_input(to_unicode, kept | flags.RETAIN_GIDS))
        # then the empty glyphs after the last one used dropped
        if face is not None:
            hinted = 0 if hinting else flags.NO_HINTING
            face = hb.subset(face, subset_input(range(max(to_unicode) + 1), kept | hinted))
        if face is not None:  # else the font embedded whole, as WeasyPrint does
            self.file_content = face.blob.data

    font.subset = subset
    font._subset_with_uharfbuzz = True


def load_weasyprint():
    """Import WeasyPrint, with this module's repairs to it, and what joins the parts;
    returns WeasyPrint."""
    with sonames_only():
        import weasyprint

    from . import parts  # noqa: F401  (imported once, before the parts' processes fork)

    _share_svg_drawings(weasyprint)
    _cache_page_references()
    _subset_with_harfbuzz(weasyprint)
    return weasyprint


@contextmanager
def font_clock() -> Iterator[None]:
    """SOURCE_DATE_EPOCH at 0 while the PDF is made, and as it was afterwards.

    fontTools stamps a font it writes (WeasyPrint's subsetting without HarfBuzz's
    subsetter, and the emoji font's pictures removed either way) with SOURCE_DATE_EPOCH,
    else the clock: pinned, the PDF is the same bytes whatever the caller's environment.
    The parts' processes, forked meanwhile, inherit it. (Set in the process's
    environment, which its threads share: a thread that reads SOURCE_DATE_EPOCH while a
    PDF is made in-process sees 0.)"""
    before = os.environ.get(EPOCH)
    os.environ[EPOCH] = "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(EPOCH, None)
        else:
            os.environ[EPOCH] = before


def render_part(html: str, base_dir: Path, variant: str | None, margins: bool = False,
                part: int | None = None):
    """One document laid out and written; without page margins unless asked for. As
    the `part`-th of several (from 0), its tags mended (tags.mend) and its header IDs
    prefixed with its number, ready to be joined (parts.join)."""
    import pikepdf

    from .parts import NO_MARGINS, Part
    from .tags import mend, prefix_ids, save

    weasyprint = load_weasyprint()
    root = base_dir.resolve()
    options = {"pdf_variant": variant, "uncompressed_pdf": False}
    sheets = [] if margins else [weasyprint.CSS(string=NO_MARGINS)]
    with _font_folder():
        document = weasyprint.HTML(
            string=html, base_url=f"{root}/", url_fetcher=url_fetcher(root)
        ).render(font_config=weasyprint.text.fonts.FontConfiguration(), stylesheets=sheets,
                 **options)
        bookmarks = [(number, level, label, x * 0.75, (page.height - y) * 0.75,
                      state == "closed")
                     for number, page in enumerate(document.pages)
                     for level, label, (x, y), state in page.bookmarks]
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, number)
        data = document.write_pdf(**options)
    if part is not None:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if part and "/StructTreeRoot" in pdf.Root:
                prefix_ids(pdf.Root.StructTreeRoot, f"p{part}-")
            data = save(mend(pdf))
    return Part(data, len(document.pages), bookmarks, anchors)


# The fonts' folders in the system's temporary folder: FONT_FOLDER, the pid of the process
# that made it and removes it, then letters of tempfile's own.
FONT_FOLDER = "reportgen-fonts-"
# The folder the parts make their font folders in while a PDF is made (font_folders); the
# parts' processes, forked meanwhile, inherit it.
_font_parent: str | None = None


@contextmanager
def font_folders() -> Iterator[None]:
    """While one PDF is made: a folder for every part's fonts (`_font_folder`), removed on
    leaving with all that is in it. A part's process that is stopped or killed cannot
    remove its own (SIGKILL runs no `finally`), so the process that forks the parts makes
    it and removes it, once they have ended however they ended. Named with that process's
    pid, for its parent to remove it should that process be killed as well
    (`remove_font_folders`). Within another: the other's."""
    global _font_parent
    if _font_parent is not None:
        yield
        return
    _font_parent = tempfile.mkdtemp(prefix=f"{FONT_FOLDER}{os.getpid()}-")
    try:
        yield
    finally:
        made, _font_parent = _font_parent, None
        shutil.rmtree(made, ignore_errors=True)


def remove_font_folders(pid: int) -> None:
    """The font folders the process `pid` made and did not remove (it was killed):
    called by its parent once it has ended."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FONT_FOLDER}{pid}-*"):
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _font_folder() -> Iterator[None]:
    """A temporary folder for the fonts WeasyPrint copies out of the templates, removed
    when the part is done. WeasyPrint removes its own only when its font configuration is
    collected, which a part's process, ending at once, never does: each build left some
    14 MB in the system's temporary folder. Made in the PDF's folder for fonts
    (font_folders), which removes what a part stopped midway leaves; without one (a part
    laid out on its own), in the system's temporary folder."""
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix=FONT_FOLDER, dir=_font_parent,
                                     ignore_cleanup_errors=True) as folder:
        tempfile.tempdir = folder
        try:
            yield
        finally:
            tempfile.tempdir = previous
