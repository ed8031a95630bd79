"""The PDF writer: the HTML writer's output through WeasyPrint, tagged (PDF/UA-1).

WeasyPrint's own URL fetcher reads local files and the network; ours serves only the
pictures by their keys (`smiley:green`, see images.py), `data:` URLs and files inside the
templates folder, so nothing in a workbook can make the renderer read a file or reach a
host.
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from .. import pictures as images
from ..forks import Forked, in_processes
from ..model import Report
from ..native import sonames_only
from . import PDF_VARIANTS, RenderOptions
from .html import render_html

if TYPE_CHECKING:
    from .pdf_cache import PartCache
    from .pdf_parts import Part

EPOCH = "SOURCE_DATE_EPOCH"
# Called as each part of the PDF is laid out: (parts done, parts in all).
PartsDone = Callable[[int, int], None]


class FetchRefused(ValueError):
    pass


def url_fetcher(root: Path):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class TemplateFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme in images.DRAWINGS:
                svg = images.svg(f"{parts.scheme}:{unquote(parts.path)}").encode()
                return URLFetcherResponse(url, body=svg,
                                          headers={"Content-Type": "image/svg+xml"})
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return URLFetcherResponse(url, body=path.read_bytes())
            raise FetchRefused(f"not fetched: {url[:80]}")

    return TemplateFetcher(allowed_protocols=("data", "file", *images.DRAWINGS),
                           allow_redirects=False)


def _share_svg_drawings(weasyprint) -> None:
    """Draw each SVG image once per size, as a form XObject every use refers to.

    WeasyPrint 70 draws an SVG image anew, element by element, wherever it appears: a
    report with thousands of smileys spends a quarter of its writing time redrawing
    three faces. All pages share one resources dictionary, so one form per face and size
    serves every page; each use stays a tagged Figure with its own alternative text.
    """
    svg_image = weasyprint.images.SVGImage
    if getattr(svg_image, "_shared_drawings", False):
        return
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
    pages (at 2,000 goals, 50,000 elements × 320 pages). Cached here, by page count."""
    import pydyf

    if getattr(pydyf.PDF, "_cached_page_references", False):
        return

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
    subsetter, the PDF's bytes no longer depend on what the machine has installed."""
    import uharfbuzz as hb

    font = weasyprint.pdf.fonts.Font
    if getattr(font, "_subset_with_uharfbuzz", False):
        return
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


def prepare():
    """Import WeasyPrint, with this module's repairs to it, and what joins the parts;
    returns WeasyPrint."""
    with sonames_only():
        import weasyprint

    from . import pdf_parts  # noqa: F401  (imported once, before the parts' processes fork)

    _share_svg_drawings(weasyprint)
    _cache_page_references()
    _subset_with_harfbuzz(weasyprint)
    return weasyprint


@contextmanager
def _font_clock() -> Iterator[None]:
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


def html_to_pdf(html: str, base_dir: Path, variant: str | None = PDF_VARIANTS[0],
                processes: int = 1, progress: PartsDone | None = None,
                cache: Path | None = None) -> bytes:
    """The PDF, made in parts (pdf_parts) by up to `processes` processes at once; the
    page margins are drawn while the parts are joined. `progress(done, parts)` is called
    in this process as each part is laid out. With a `cache` folder, parts laid out by
    an earlier build are taken from it, and those laid out now kept in it (pdf_cache)."""
    from .pdf_cache import PartCache

    with _font_clock():
        kept = PartCache.open(cache, base_dir) if cache is not None else None
        return _html_to_pdf(html, _Layout(base_dir, variant, kept), processes,
                            progress or _no_progress)


def _no_progress(done: int, parts: int) -> None:
    pass


@dataclass(frozen=True)
class _Layout:
    """How a part is laid out (render_part): its templates, its variant, and the cache
    its parts are taken from and kept in, if any. `margins`, `part`: as render_part."""
    base_dir: Path
    variant: str | None
    cache: PartCache | None = None

    def kept(self, html: str, margins: bool = False, part: int | None = None) -> Part | None:
        return self.cache.get(html, self.variant, margins, part) if self.cache else None

    def keep(self, html: str, margins: bool, part: int | None, laid: Part) -> Part:
        if self.cache:
            self.cache.put(html, self.variant, margins, part, laid)
        return laid

    def job(self, html: str, margins: bool = False, part: int | None = None) -> tuple:
        return html, self.base_dir, self.variant, margins, part

    def here(self, html: str, margins: bool = False, part: int | None = None) -> Part:
        """The part, laid out in this process unless it is kept."""
        return self.kept(html, margins, part) or self.keep(
            html, margins, part, render_part(*self.job(html, margins, part)))

    def beside(self, html: str, margins: bool = False, part: int | None = None) -> _Beside:
        """The part, laid out in a process forked now unless it is kept."""
        return _Beside(self, self.job(html, margins, part))

    def apart(self, html: str, part: int | None = None) -> Part:
        """The part, laid out in a process of its own (its memory given back after)."""
        beside = self.beside(html, part=part)
        try:
            return beside.result()
        finally:
            beside.stop()


class _Beside:
    """A part being laid out in another process, or found in the cache: `result()`
    waits for it, `stop()` ends the process if it is still running."""

    def __init__(self, layout: _Layout, job: tuple) -> None:
        self._layout, (self._html, _, _, self._margins, self._part) = layout, job
        self._laid = layout.kept(self._html, self._margins, self._part)
        self._forked = Forked(render_part, *job) if self._laid is None else None

    def result(self) -> Part:
        if self._laid is None:
            self._laid = self._layout.keep(self._html, self._margins, self._part,
                                           self._forked.result())
        return self._laid

    def stop(self) -> None:
        if self._forked is not None:
            self._forked.stop()


def _html_to_pdf(html: str, layout: _Layout, processes: int, progress: PartsDone) -> bytes:
    from .pdf_parts import contents_stand_ins, fill_contents, join, split
    from .pdf_tags import mend_tags

    pieces = split(html)
    if len(pieces.bodies) == 1:  # one document, its page margins drawn with it
        pdf = mend_tags(layout.here(html, margins=True).pdf)
        progress(1, 1)
        return pdf
    stand_ins, front = contents_stand_ins(pieces), pieces.bodies[0]
    if stand_ins:  # the table of contents' numbers, not known yet: placeholders
        pieces = replace(pieces, bodies=[fill_contents(front, stand_ins, {}),
                                         *pieces.bodies[1:]])
    htmls = [pieces.part(index) for index in range(len(pieces.bodies))]
    parts = [layout.kept(html, part=index) for index, html in enumerate(htmls)]
    finished = itertools.count(1)

    def done(index: int) -> None:
        progress(next(finished), len(htmls))

    for index in (index for index, part in enumerate(parts) if part is not None):
        done(index)
    missing = [index for index, part in enumerate(parts) if part is None]
    # Each part in a fresh process, forked with WeasyPrint imported already, so that all
    # of a part's memory is given back when it is done.
    if min(processes, len(missing)) > 1:
        laid = in_processes(render_part, [layout.job(htmls[i], part=i) for i in missing],
                            processes, lambda index: done(missing[index]))
    else:
        laid = []
        for index in missing:
            laid.append(render_part(*layout.job(htmls[index], part=index)))
            done(index)
    for index, part in zip(missing, laid, strict=True):
        parts[index] = layout.keep(htmls[index], False, index, part)

    margin_layout = replace(layout, variant=None)  # the margin pass: no tags to write

    def margin_html(parts) -> str:
        return pieces.margins(_pages(parts))

    if processes == 1:
        parts = _with_contents(parts, pieces, front, stand_ins,
                               lambda html: layout.here(html, part=0))
        return join(parts, lambda: margin_layout.here(margin_html(parts), True).pdf,
                    stand_ins)
    # forked before the join grows this process
    margins = margin_layout.beside(margin_html(parts), True)
    try:
        if stand_ins:  # the first part again, beside the margin pass
            before = _pages(parts)
            parts = _with_contents(parts, pieces, front, stand_ins,
                                   lambda html: layout.apart(html, part=0))
            if _pages(parts) != before:
                margins.stop()
                margins = margin_layout.beside(margin_html(parts), True)
        return join(parts, lambda: margins.result().pdf, stand_ins)
    finally:
        margins.stop()


def _pages(parts) -> int:
    return sum(part.pages for part in parts)


# Filling in the table of contents' numbers may change the first part's pages (a wider
# number, a line more): it is laid out again until its numbers are its own, this often.
CONTENTS_ROUNDS = 3


def _with_contents(parts, pieces, front: str, stand_ins, lay_out):
    """The parts, the first laid out again (`lay_out(html)`) from its body as split
    (`front`), with the page numbers of the table of contents' targets in later parts
    written in (pdf_parts.fill_contents)."""
    from .pdf_parts import contents_pages, fill_contents

    used = None
    for _ in range(CONTENTS_ROUNDS + 1):
        numbers = contents_pages(parts, stand_ins)
        if not stand_ins or numbers == used:
            return parts
        body = fill_contents(front, stand_ins, numbers)
        parts = [lay_out(replace(pieces, bodies=[body]).part(0)), *parts[1:]]
        used = numbers
    raise RuntimeError(f"table of contents: its page numbers did not settle: {used}")


def render_part(html: str, base_dir: Path, variant: str | None, margins: bool = False,
                part: int | None = None):
    """One document laid out and written; without page margins unless asked for. As
    the `part`-th of several (from 0), its tags mended (pdf_tags.mend) and its header IDs
    prefixed with its number, ready to be joined (pdf_parts.join)."""
    import pikepdf

    from .pdf_parts import NO_MARGINS, Part
    from .pdf_tags import mend, prefix_ids, save

    weasyprint = prepare()
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


@contextmanager
def _font_folder() -> Iterator[None]:
    """A temporary folder for the fonts WeasyPrint copies out of the templates, removed
    when the part is done. WeasyPrint removes its own only when its font configuration is
    collected, which a part's process, ending at once, never does: each build left some
    14 MB in the system's temporary folder."""
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="reportgen-fonts-") as folder:
        tempfile.tempdir = folder
        try:
            yield
        finally:
            tempfile.tempdir = previous


def pdf_html(report: Report, options: RenderOptions) -> str:
    """The HTML the PDF is made from: each picture's key as its URL, which the fetcher
    draws, rather than a data URI, as thousands of pictures would otherwise make
    megabytes of HTML to parse."""
    return render_html(report, options, image_src=lambda key: key)


def render(report: Report, options: RenderOptions) -> bytes:
    return html_to_pdf(pdf_html(report, options), options.templates, options.pdf_variant,
                       cache=options.cache)
