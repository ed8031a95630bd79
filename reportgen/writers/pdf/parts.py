"""The PDF in parts: the report's HTML split between its themes, each part laid out on
its own (on another core, and freed when written), then joined into one tagged PDF.

Every theme after the first begins a page (report.css), so a part's pages are the very
pages the whole document would have. A theme longer than a part is cut between two focus
areas, and there the second begins a page. Only what spans the parts is made afterwards:
- page margins ("Side x af y", the running title): drawn by WeasyPrint in a pass of their
  own over as many empty pages as the parts have, from the same @page rules, and laid
  over the parts' pages as pagination artifacts;
- the structure tree: one Document, the parts' elements in order (each part's tags
  mended, its table header IDs made unique, where it was laid out), the ParentTree keys
  made unique, and the fragments that meet where two parts meet merged;
- the outline: rebuilt from every part's bookmarks, by level;
- the named destinations internal links point to: one tree, from every part's;
- the table of contents' page numbers (templates/toc.html.j2), which CSS target-counter()
  finds only for the themes in the first part: the first part is laid out again with
  the numbers written in, once the other parts have been laid out (`contents_stand_ins`,
  `fill_contents`, `contents_pages`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Collection
from contextlib import ExitStack
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, PageLocation

from .tags import id_tree, mend_joined, save

SECTION = '<section class="theme"'
# Parts are kept to about this much HTML (some 400 goals), bounding the memory a part's
# layout takes; and there are at least two, for two cores to share. (Not the number of
# cores of this machine: the same input gives the same file everywhere.)
PART_CHARS = 250_000
MIN_PARTS = 2
# A report of less HTML than this share of a part (some 60 goals: the common report, one
# theme of tens of goals) is laid out whole, in one process: the parts' fixed costs — a
# process each, a margin pass, the join, and the first part laid out again for a table of
# contents' page numbers — weigh more than a second core saves. Measured at 20 goals:
# 2.7 s whole against 3.9 s in parts.
WHOLE_SHARE = 1 / 3
# The parts draw no page margins: the margin pass does.
_MARGIN_BOXES = (
    "top-left-corner", "top-left", "top-center", "top-right", "top-right-corner",
    "right-top", "right-middle", "right-bottom", "bottom-right-corner", "bottom-right",
    "bottom-center", "bottom-left", "bottom-left-corner", "left-bottom", "left-middle",
    "left-top")
NO_MARGINS = "@page { " + " ".join(f"@{box} {{ content: none !important; }}"
                                   for box in _MARGIN_BOXES) + " }"
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_HEADING = re.compile(r"<h2\b.*?</h2>\s*", re.DOTALL)
_DRAW_MARGINS = b"\nQ\n/Artifact <</Type /Pagination>> BDC\nq\n%s Do\nQ\nEMC\n"
# A table of contents' page number, left empty by the template for CSS to fill in.
_CONTENTS_PAGE = re.compile(r'<span class="page" data-target="#([^"<>]+)"></span>')


@dataclass(frozen=True)
class Split:
    """The HTML as the text before the body's content, the parts' content, and the rest."""
    head: str | None
    bodies: list[str]
    tail: str

    def part(self, index: int) -> str:
        return self._head() + self.bodies[index] + self.tail

    def margins(self, pages: int) -> str:
        """A document of `pages` empty pages: only its page margins are drawn."""
        blank = '<div style="break-before: page"></div>'
        return self._head() + "<div></div>" + blank * (pages - 1) + self.tail

    def _head(self) -> str:
        assert self.head is not None  # no body: split() gives one part, laid out whole
        return self.head


@dataclass(frozen=True)
class Part:
    pdf: bytes
    pages: int
    # (page index, level, label, x, y, closed), in PDF coordinates
    bookmarks: list[tuple[int, int, str, float, float, bool]]
    # the index of the first page each anchor (an element's id) is on
    anchors: dict[str, int] = field(default_factory=dict)


def split(html: str) -> Split:
    """The HTML split before theme sections (and inside those longer than a part) into
    parts of balanced length. Only sections at the top of the body, each closed before
    the next begins, are split at; any other shape of template is one part. Without a
    body element there is nothing to lay the page margins on: `head` is None."""
    body = _BODY.search(html)
    end = html.rfind("</body>")
    if body is None or end < body.end():
        return Split(None, [html], "")
    head, content, tail = html[:body.end()], html[body.end():end], html[end:]
    starts = [m.start() for m in re.finditer(re.escape(SECTION), content)]
    between = [content[a:b] for a, b in zip(starts, starts[1:], strict=False)]
    if not starts or not all(_closed(piece) for piece in between):
        return Split(head, [content], tail)
    # the front matter goes with the first theme, what follows the themes with the last
    bounds = [0, *starts[1:], len(content)]
    pieces = [cut for a, b in zip(bounds, bounds[1:], strict=False)
              for cut in _cut(content[a:b])]
    if len(content) <= PART_CHARS * WHOLE_SHARE:
        return Split(head, [content], tail)
    count = min(len(pieces), max(MIN_PARTS, -(-len(content) // PART_CHARS)))
    if _CONTENTS_PAGE.search(pieces[0]) and count < len(pieces):
        # The first part is laid out again once the others' pages are known, with the
        # contents' page numbers written in: kept to the front matter and the first
        # theme, that second layout is short, and the others share the rest.
        return Split(head, [pieces[0], *_balanced(pieces[1:], count)], tail)
    return Split(head, _balanced(pieces, count), tail)


def _cut(piece: str) -> list[str]:
    """A theme longer than a part, cut between its table's row groups (one a focus
    area): each cut begins a page, and opens the theme's table again, without the
    theme's heading; the tags are joined back into one table (tags.py)."""
    start = piece.find(SECTION)
    close = piece.find("</section>", start)
    first, last = piece.find("<tbody", start, close), piece.rfind("</tbody>", start, close)
    if (len(piece) <= PART_CHARS or start < 0 or close < 0 or first < 0 or last < first
            or "<section" in piece[start + 1:close]):
        return [piece]
    end, close = last + len("</tbody>"), close + len("</section>")
    closing, rest = piece[end:close], piece[close:]
    again = _HEADING.sub("", piece[start:first], count=1)
    cuts, current, groups = [], piece[:first], 0
    for group in re.split(r"(?=<tbody\b)", piece[first:end]):
        if groups and len(current) + len(group) > PART_CHARS:
            cuts.append(current + closing)
            current, groups = again, 0
        current += group
        groups += bool(group)
    return [*cuts, current + closing + rest]


def contents_stand_ins(pieces: Split) -> dict[str, int]:
    """The table of contents' targets outside the first part: anchor -> the part that
    holds it first. The first part is laid out with a stand-in for each (`fill_contents`)."""
    held: dict[str, int] = {}
    for anchor in _CONTENTS_PAGE.findall(pieces.bodies[0]):
        mark = f'id="{anchor}"'
        holder = next((i for i, body in enumerate(pieces.bodies) if mark in body), None)
        if holder:  # neither the first part nor missing
            held[anchor] = holder
    return held


def fill_contents(body: str, stand_ins: dict[str, int], numbers: dict[str, int]) -> str:
    """The first part's body with the page number of each target outside it written in
    (a placeholder while the numbers are not known), and the anchor it links to standing
    in for the target, for the link to be made: its destination is the target's once the
    parts are joined (`join`)."""
    def number(match: re.Match) -> str:
        anchor = match[1]
        if anchor not in stand_ins:
            return match[0]  # in this part: CSS counts it
        return (f'<span class="page" data-target="#{anchor}" id="{anchor}">'
                f'{numbers.get(anchor, 0)}</span>')
    return _CONTENTS_PAGE.sub(number, body)


def contents_pages(parts: list[Part], stand_ins: dict[str, int]) -> dict[str, int]:
    """The page number (from 1) the target of each stand-in begins on."""
    firsts = [0]
    for part in parts:
        firsts.append(firsts[-1] + part.pages)
    return {anchor: firsts[holder] + parts[holder].anchors[anchor] + 1
            for anchor, holder in stand_ins.items() if anchor in parts[holder].anchors}


def _closed(piece: str) -> bool:
    text = piece.rstrip()
    return text.endswith("</section>") and text.count("<section") == text.count("</section>")


def _balanced(pieces: list[str], count: int) -> list[str]:
    """Consecutive pieces joined into `count` parts of about equal length."""
    total = sum(map(len, pieces))
    parts: list[str] = []
    current, done = "", 0
    for index, piece in enumerate(pieces):
        current += piece
        done += len(piece)
        left = len(pieces) - index - 1
        wanted = count - len(parts) - 1  # parts still to start after this one
        if wanted and (done >= total * (len(parts) + 1) / count or left == wanted):
            parts.append(current)
            current = ""
    parts.append(current)
    return parts


def join(parts: list[Part], margins: Callable[[], bytes],
         stand_ins: Collection[str] = ()) -> bytes:
    """One PDF: the parts' pages, one structure tree (each part's tags mended, and its
    header IDs made its own, where it was laid out: pdf.render_part; what spans the parts
    mended here: tags.mend_joined), one outline, one tree of named destinations (the
    first part's `stand_ins` left out: their targets are in later parts), and the margin
    pass laid over the pages. `margins()` is asked for last, so the margin pass can be
    drawn elsewhere meanwhile."""
    with ExitStack() as stack:  # copied objects are read from their files until saved
        opened = [stack.enter_context(pikepdf.open(io.BytesIO(part.pdf))) for part in parts]
        pdf, others = opened[0], opened[1:]
        root = pdf.Root.get("/StructTreeRoot")
        ids = id_tree(root) if root is not None else []
        destinations = _destinations(pdf, 0, set(stand_ins))
        for other in others:
            first = len(pdf.pages)
            pdf.pages.extend(other.pages)
            if root is not None:
                _adopt_tree(pdf, root, other, first)
                ids += [(name, pdf.copy_foreign(element))
                        for name, element in id_tree(other.Root.StructTreeRoot)]
            for name, where in _destinations(other, first).items():
                destinations.setdefault(name, where)
        if others:
            _name_destinations(pdf, destinations)
        _outline(pdf, parts)
        mend_joined(pdf, ids)
        _lay_margins(pdf, stack.enter_context(pikepdf.open(io.BytesIO(margins()))))
        return save(pdf)


def _adopt_tree(pdf, root, other, first_page: int) -> None:
    """The other part's elements appended to this Document, its ParentTree keys (pages'
    and annotations') renumbered after this one's."""
    source = other.Root.StructTreeRoot
    kids = source.K[0].K
    for kid in kids:
        if isinstance(kid, Dictionary) and "/P" in kid:
            del kid.P  # copy the elements, not the other part's root
    copied = _copy(pdf, kids)
    target = root.K[0]
    for kid in copied:
        if isinstance(kid, Dictionary):
            kid.P = target
        target.K.append(kid)
    nums, other_nums = root.ParentTree.Nums, source.ParentTree.Nums
    offset = max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
    for index in range(0, len(other_nums), 2):
        value = other_nums[index + 1]
        nums.append(int(other_nums[index]) + offset)
        nums.append(_copy(pdf, value) if isinstance(value, Array) else pdf.copy_foreign(value))
    for page in pdf.pages[first_page:]:
        holders = [page.obj, *page.obj.get("/Annots", [])]
        for holder, key in ((h, k) for h in holders for k in ("/StructParents", "/StructParent")):
            if key in holder:
                holder[key] = int(holder[key]) + offset
    root.ParentTreeNextKey = offset + max(
        (int(other_nums[i]) for i in range(0, len(other_nums), 2)), default=-1) + 1


def _destinations(source, first_page: int, leave_out: Collection[str] = ()) -> dict:
    """The named destinations of a part, each as (page index in the joined PDF, the rest
    of its destination array); read before its pages are joined."""
    names = source.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    pages = {page.objgen: index for index, page in enumerate(source.pages)}
    found = {}
    for name, destination in pikepdf.NameTree(names.Dests).items():
        if name in leave_out:
            continue
        array = destination.D if isinstance(destination, Dictionary) else destination
        index = pages.get(array[0].objgen)
        if index is not None:
            found[name] = (first_page + index, list(array)[1:])  # /XYZ x y zoom: direct
    return found


def _name_destinations(pdf, destinations: dict) -> None:
    """One tree of named destinations for the joined PDF, each on its page there."""
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pdf.make_indirect(Dictionary())
    tree = pikepdf.NameTree.new(pdf)
    for name in sorted(destinations):
        index, rest = destinations[name]
        tree[name] = Array([pdf.pages[index].obj, *rest])
    pdf.Root.Names.Dests = tree.obj


def _copy(pdf, array) -> Array:
    """An array from another PDF: its indirect objects copied (once each: the copies
    are remembered per source), its direct values as they are."""
    return Array([pdf.copy_foreign(item) if isinstance(item, pikepdf.Object) and item.is_indirect
                  else item for item in array])


def _lay_margins(pdf, source) -> None:
    """Each page of the margin pass, as a form, drawn over its page as an artifact."""
    if len(source.pages) != len(pdf.pages):
        raise RuntimeError(f"margin pass: {len(source.pages)} pages for {len(pdf.pages)}")
    for index, (page, margin) in enumerate(zip(pdf.pages, source.pages, strict=True)):
        form = pdf.copy_foreign(margin.as_form_xobject())
        name = page.add_resource(form, Name.XObject, Name(f"/RgMargin{index}"))
        page.contents_add(b"q\n", prepend=True)
        page.contents_add(pdf.make_stream(_DRAW_MARGINS % str(name).encode("ascii")))


def _outline(pdf, parts: list[Part]) -> None:
    """The outline from the parts' bookmarks: each under the nearest one before it with
    a lower level."""
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    first = 0
    marks: list[tuple[int, int, str, float, float, bool]] = []
    for part in parts:
        marks += [(first + page, level, label, x, y, closed)
                  for page, level, label, x, y, closed in part.bookmarks]
        first += part.pages
    if not marks:
        return
    with pdf.open_outline() as outline:
        stack: list[tuple[int, list]] = [(0, outline.root)]
        for page, level, label, x, y, closed in marks:
            item = OutlineItem(label, page, PageLocation.XYZ, left=x, top=y, zoom=0)
            item.is_closed = closed
            while stack[-1][0] >= level:
                stack.pop()
            stack[-1][1].append(item)
            stack.append((level, item.children))
