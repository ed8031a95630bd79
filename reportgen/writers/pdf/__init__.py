"""The PDF writer: the HTML writer's output through WeasyPrint, tagged (PDF/UA-1).

WeasyPrint's own URL fetcher reads local files and the network; ours serves only the
pictures by their keys (`smiley:green`, see pictures/), `data:` URLs and files inside the
templates folder, so nothing in a workbook can make the renderer read a file or reach a
host.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ...model import Report
from ...util.forks import Forked, in_processes
from .. import PDF_VARIANTS, RenderOptions
from ..html import render_html
from .engine import font_clock, font_folders, render_part

if TYPE_CHECKING:
    from .cache import PartCache
    from .parts import Part

# Called as each part of the PDF is laid out: (parts done, parts in all).
PartsDone = Callable[[int, int], None]


def html_to_pdf(html: str, base_dir: Path, variant: str | None = PDF_VARIANTS[0],
                processes: int = 1, progress: PartsDone | None = None,
                cache: Path | None = None) -> bytes:
    """The PDF, made in parts (parts.py) by up to `processes` processes at once; the
    page margins are drawn while the parts are joined. `progress(done, parts)` is called
    in this process as each part is laid out. With a `cache` folder, parts laid out by
    an earlier build are taken from it, and those laid out now kept in it (pdf/cache.py).
    The parts' fonts go into one folder, removed when every part's process has ended."""
    from .cache import PartCache

    with font_clock(), font_folders():
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
            assert self._forked is not None  # forked where it was not kept
            self._laid = self._layout.keep(self._html, self._margins, self._part,
                                           self._forked.result())
        return self._laid

    def stop(self) -> None:
        if self._forked is not None:
            self._forked.stop()


def _html_to_pdf(html: str, layout: _Layout, processes: int, progress: PartsDone) -> bytes:
    from .parts import contents_stand_ins, fill_contents, join, split
    from .tags import mend_tags

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
    kept = [layout.kept(html, part=index) for index, html in enumerate(htmls)]
    finished = itertools.count(1)

    def done(index: int) -> None:
        progress(next(finished), len(htmls))

    for index in (index for index, part in enumerate(kept) if part is not None):
        done(index)
    missing = [index for index, part in enumerate(kept) if part is None]
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
    fresh = dict(zip(missing, laid, strict=True))
    parts = [layout.keep(htmls[index], False, index, fresh[index]) if part is None else part
             for index, part in enumerate(kept)]

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
    written in (parts.fill_contents)."""
    from .parts import contents_pages, fill_contents

    used = None
    for _ in range(CONTENTS_ROUNDS + 1):
        numbers = contents_pages(parts, stand_ins)
        if not stand_ins or numbers == used:
            return parts
        body = fill_contents(front, stand_ins, numbers)
        parts = [lay_out(replace(pieces, bodies=[body]).part(0)), *parts[1:]]
        used = numbers
    raise RuntimeError(f"table of contents: its page numbers did not settle: {used}")


def pdf_html(report: Report, options: RenderOptions) -> str:
    """The HTML the PDF is made from: each picture's key as its URL, which the fetcher
    draws, rather than a data URI, as thousands of pictures would otherwise make
    megabytes of HTML to parse."""
    return render_html(report, options, image_src=lambda key: key)


def render(report: Report, options: RenderOptions) -> bytes:
    return html_to_pdf(pdf_html(report, options), options.templates, options.pdf_variant,
                       cache=options.cache)
