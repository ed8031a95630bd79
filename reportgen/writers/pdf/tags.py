"""Mending the gaps in WeasyPrint's tagging, after the fact, with pikepdf.

WeasyPrint 70 writes a tagged PDF with four known gaps (upstream issues in brackets):
- a section and its table that run over several pages become one `Sect` and one `Table`
  per page, each with the header row tagged again (#2903): the fragments are merged
  back into one table, and the repeated header rows become pagination artifacts;
- header cells get IDs and data cells `/Headers`, but no `/Scope` (#2508), and the IDs
  are not in an `/IDTree`: both are added;
- page-margin content (running footer, "Side x af y") is marked as `Span` content that
  hangs under an element outside the tree (#1836): it becomes pagination artifacts;
- link annotations (the table of contents') lack the Print flag, so that a checker takes
  them as hidden from readers: it is set.
Only the structure tree, the ParentTree and the marked-content operators change; what is
drawn stays byte for byte the same.

A PDF/A file made this way is tagged to the same standard, but WeasyPrint writes the
identification of one standard only; the PDF/UA-1 identification is added to its XMP,
with the extension schema PDF/A requires for a namespace it does not predefine.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

_MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact\n<</Type /Pagination>>\nBDC"
_HEADINGS = {f"/H{n}" for n in range(1, 7)} | {"/H"}
_GROUPS = {"/Document", "/Part", "/Art", "/Sect", "/Div", "/NonStruct"}  # may hold fragments


def mend_tags(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return save(mend(pdf))


def mend(pdf: pikepdf.Pdf) -> pikepdf.Pdf:
    """The gaps mended in place; an untagged PDF is left as it is."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return pdf
    _merge_continued(root, [])
    elements = list(descendants(root))
    reachable = {e.objgen for e in elements}
    _mark_as_artifacts(pdf, root, lambda element: element.objgen not in reachable)
    _add_scopes(elements)
    _set_id_tree(pdf, root, [(bytes(e.ID), e) for e in elements if "/ID" in e])
    _print_links(pdf)
    _claim_pdfua(pdf)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    return pdf


def mend_joined(pdf: pikepdf.Pdf, ids: list[tuple[bytes, pikepdf.Object]]) -> pikepdf.Pdf:
    """A PDF joined from parts, each mended already (`mend`, its header IDs made its
    own): the section and table fragments that meet where two parts meet merged, the
    later fragment's header row made an artifact, and one ID tree of the parts' `ids`
    (name, element) but those of the header rows dropped."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return pdf
    dropped: list = []
    _merge_continued(root, dropped)
    gone = {element.objgen for head in dropped for element in [head, *descendants(head)]}
    if gone:
        _mark_as_artifacts(pdf, root, lambda element: element.objgen in gone)
    _set_id_tree(pdf, root, [(key, element) for key, element in ids
                             if element.objgen not in gone])
    return pdf


def id_tree(root) -> list[tuple[bytes, pikepdf.Object]]:
    """The (name, element) pairs of a structure tree's /IDTree as `mend` writes it."""
    names = root.get("/IDTree", {}).get("/Names", [])
    return [(bytes(names[i]), names[i + 1]) for i in range(0, len(names), 2)]


def prefix_ids(root, prefix: str) -> None:
    """Every element's /ID, and every /Headers reference to one, prefixed: the IDs of
    parts laid out apart made unique before they are joined."""
    for element in descendants(root):
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
        attributes = element.get("/A")
        for attribute in (attributes if isinstance(attributes, Array) else [attributes]):
            if isinstance(attribute, Dictionary) and "/Headers" in attribute:
                attribute.Headers = Array([pikepdf.String(prefix + str(h))
                                           for h in attribute.Headers])


def save(pdf: pikepdf.Pdf) -> bytes:
    """The PDF's bytes, its objects packed into compressed object streams (the structure
    tree is tens of thousands of small objects)."""
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _kids(element) -> list:
    """An element's children that are structure elements (not marked-content ids)."""
    kids = element.get("/K")
    if kids is None:
        return []
    kids = list(kids) if isinstance(kids, Array) else [kids]
    return [k for k in kids if isinstance(k, Dictionary) and "/S" in k]


def _all_kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def descendants(element) -> Iterator[Dictionary]:
    """Every structure element below this one, in document order."""
    for kid in _kids(element):
        yield kid
        yield from descendants(kid)


def _is(element, tag: str) -> bool:
    return isinstance(element, Dictionary) and element.get("/S") == tag


def _merge_continued(parent, dropped: list) -> None:
    """Join the per-page fragments of one section or table back into one element; the
    header rows left out of the tree are added to `dropped`."""
    kids = _all_kids(parent)
    merged: list = []
    for kid in kids:
        previous = merged[-1] if merged else None
        if _is(kid, "/Sect") and _is(previous, "/Sect") and not _starts_with_heading(kid):
            _adopt(previous, _all_kids(kid))
        elif _is(kid, "/Table") and _is(previous, "/Table"):
            dropped += _absorb_table(previous, kid)
        else:
            merged.append(kid)
    if len(merged) != len(kids):
        parent.K = Array(merged)
    for kid in merged:
        if isinstance(kid, Dictionary) and str(kid.get("/S")) in _GROUPS:
            _merge_continued(kid, dropped)


def _starts_with_heading(section) -> bool:
    kids = _kids(section)
    return bool(kids) and str(kids[0].get("/S")) in _HEADINGS


def _adopt(parent, children: list) -> None:
    for child in children:
        if isinstance(child, Dictionary) and "/S" in child:
            child.P = parent
    parent.K = Array(_all_kids(parent) + children)


def _absorb_table(first, later) -> list:
    """Move a continued table's body rows into the first fragment; its repeated header
    row is dropped from the tree (its content becomes an artifact): returned."""
    first_heads = [th for part in _kids(first) if _is(part, "/THead")
                   for th in descendants(part) if _is(th, "/TH")]
    later_heads = [th for part in _kids(later) if _is(part, "/THead")
                   for th in descendants(part) if _is(th, "/TH")]
    renamed = {bytes(b.ID): a.ID for a, b in zip(first_heads, later_heads, strict=False)
               if "/ID" in a and "/ID" in b}
    bodies = [part for part in _kids(later) if not _is(part, "/THead")]
    if renamed:
        for body in bodies:
            for cell in _cells(body):
                _rename_headers(cell, renamed)
    _adopt(first, bodies)
    return [part for part in _kids(later) if _is(part, "/THead")]


_ROWS = {"/TR", "/TBody", "/THead", "/TFoot"}


def _cells(element) -> Iterator[Dictionary]:
    """The cells of a row or group of rows (not what is inside them)."""
    if element.get("/S") in ("/TD", "/TH"):
        yield element
    elif str(element.get("/S")) in _ROWS:
        for kid in _kids(element):
            yield from _cells(kid)


def _table_attributes(element) -> Dictionary:
    """The element's attribute dictionary owned by /Table, created when missing."""
    attributes = element.get("/A")
    candidates = list(attributes) if isinstance(attributes, Array) else [attributes]
    for candidate in candidates:
        if isinstance(candidate, Dictionary) and candidate.get("/O") == "/Table":
            return candidate
    table = Dictionary(O=Name.Table)
    if attributes is None:
        element.A = table
    elif isinstance(attributes, Array):
        attributes.append(table)
    else:
        element.A = Array([attributes, table])
    return table


def _rename_headers(element, renamed: dict) -> None:
    if not renamed or not _is(element, "/TD") or "/A" not in element:
        return
    attributes = _table_attributes(element)
    if "/Headers" in attributes:
        attributes.Headers = Array([renamed.get(bytes(h), h) for h in attributes.Headers])


def _mark_as_artifacts(pdf, root, stray: Callable[[Dictionary], bool]) -> None:
    """Marked content whose element is `stray` made a pagination artifact. Content whose
    element is not in the tree is, by construction here, page furniture: the running
    footer and repeated header rows."""
    nums = root.ParentTree.get("/Nums", Array())
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        marks = parents.get(int(key)) if key is not None else None
        if not isinstance(marks, Array):
            continue
        found = {mcid for mcid, element in enumerate(marks)
                 if isinstance(element, Dictionary) and stray(element)}
        if not found:
            continue
        for mcid in found:
            marks[mcid] = pikepdf.Object.parse(b"null")
        _rewrite_marks(page, found)


def _rewrite_marks(page, stray: set[int]) -> None:
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, Array) else [contents]
    for stream in streams:
        data = stream.read_bytes()
        new = _MARKED.sub(lambda m: _ARTIFACT if int(m[1]) in stray else m[0], data)
        if new != data:
            stream.write(new)  # compressed again when saved


def _add_scopes(elements: list) -> None:
    """Scope as the HTML meant it: a header cell first in a row with data beside it
    heads that row; every other header cell heads its column."""
    for row in (e for e in elements if e.S == "/TR"):
        cells = _kids(row)
        for index, cell in enumerate(cells):
            if not _is(cell, "/TH"):
                continue
            heads_row = index == 0 and any(_is(c, "/TD") and _all_kids(c) for c in cells[1:])
            _table_attributes(cell).Scope = Name.Row if heads_row else Name.Column


_PRINT = 4  # annotation flag bit 3


def _print_links(pdf) -> None:
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link":
                annotation.F = int(annotation.get("/F", 0)) | _PRINT


def _set_id_tree(pdf, root, ids: list[tuple[bytes, pikepdf.Object]]) -> None:
    """The /IDTree through which a reader resolves the /Headers of data cells."""
    ids = sorted(ids, key=lambda pair: pair[0])
    if not ids:
        if "/IDTree" in root:
            del root.IDTree
        return
    names = Array()
    for key, element in ids:
        names.append(pikepdf.String(key))
        names.append(element)
    root.IDTree = pdf.make_indirect(Dictionary(Names=names))


_PDFUA_IN_PDFA = b"""<rdf:Description rdf:about="" \
xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" \
xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#"><pdfaExtension:schemas><rdf:Bag>\
<rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>\
<rdf:li rdf:parseType="Resource"><pdfaProperty:name>part</pdfaProperty:name>\
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas>\
</rdf:Description><rdf:Description rdf:about="" \
xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/></rdf:RDF>"""


def _claim_pdfua(pdf) -> None:
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return
    xmp = metadata.read_bytes()
    if b"pdfaid:part" in xmp and b"pdfuaid:part" not in xmp:
        metadata.write(xmp.replace(b"</rdf:RDF>", _PDFUA_IN_PDFA, 1))
