"""The text a reader of the finished PDF sees, read from its bytes, for the CPR guard
(checks/guard.py): what its pages draw, their page margins and pictures included (form
XObjects), its metadata (the document information and the XMP), its bookmarks, the
alternative and replacement texts of its structure tree and its marked content, and its
links. Its parts may come from the cache of laid-out parts (cache.py), so what it holds
is known only from it.

Each text run's glyphs are decoded by its font's ToUnicode map. Runs a line is drawn in
(a bold word, a font change) are joined where one ends and the next begins, as a reader
reads them; a line broken at a number's dash (report.css lets a long word break anywhere)
is joined to the next line when that begins under it. Anything else — another line,
another table cell on the same baseline — begins a new line, so that no two texts become
one number.

Nothing is laid out or rendered. The operators that place and show text are found in
the content's bytes as WeasyPrint writes them (strings in hex), which takes a tenth of a
second for a report of 200 goals; content in any other form (literal strings, inline
images) is read by pikepdf's (qpdf's) parser instead, the same operators filtered.
"""

from __future__ import annotations

import io
import re
import sys
from array import array
from dataclasses import dataclass, field
from html import unescape

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

# The operators read: text objects, their position, font and spacing, what they show,
# forms drawn, and the marked content that may carry a replacement text.
_OPERATORS = "BT ET Tf Tm Td TD T* TL Tc Tw Tz TJ Tj ' \" Do BDC"
# The same, found in the content's bytes (the common case: what WeasyPrint writes, strings
# in hex), as a token between delimiters (the one before it checked after: a regular
# expression that begins with a character is found fastest); BI (an inline image) sends
# the stream to the parser.
_OPERATOR = re.compile(rb"(T[JjmfdDLcwz*]|Do|B(?:T|DC|I))(?![^\s\[<(/%])")
_BEFORE = frozenset(b" \t\r\n\f\0])>")
_ARITY = {"Tm": 6, "Td": 2, "TD": 2, "Tf": 2, "TL": 1, "Tc": 1, "Tw": 1, "Tz": 1, "Do": 1,
          "BT": 0, "T*": 0}
_PARSER_ONLY = re.compile(rb"[()'\"]")  # literal strings, the ' and " operators
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_PROPERTY = re.compile(rb"/(ActualText|Alt|E)\s*<([0-9A-Fa-f\s]*)>")
# The dashes a CPR number may be written with (personal_data), where a long word may
# be broken across lines.
_HYPHENS = ("-", "‐", "‑", "–", "—")
# Runs this close (of the font size) are one text (one line's runs meet to a hundredth of
# a point; table cells stand some points apart); lines this far apart are next lines.
_ADJACENT = 0.1
_NEXT_LINE = (0.5, 2.5)
_CMAP_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_CMAP_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])")
_CMAP_BLOCK = re.compile(rb"begin(bfchar|bfrange|codespacerange)(.*?)end\1", re.DOTALL)
_TEXT_KEYS = {"/Alt", "/ActualText", "/E", "/T"}
_ANNOTATION_KEYS = ("/Contents", "/TU", "/T")
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def pdf_text(data: str | bytes) -> str:
    """The text a reader of the PDF sees, and its metadata, one line a line."""
    raw = data.encode("latin-1") if isinstance(data, str) else data
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        reader = _Reader()
        texts = [reader.content(page.obj, page.obj.get("/Resources")) for page in pdf.pages]
        texts += _metadata(pdf)
        texts += _outline(pdf.Root.get("/Outlines"))
        texts += _structure(pdf.Root.get("/StructTreeRoot"))
        texts += [text for page in pdf.pages for text in _annotations(page.obj)]
    return "\n".join(text for text in texts if text)


class _Font:
    """A font's codes as text and as advances (at font size 1), as tables by code."""

    def __init__(self, unicode: dict[int, str], width: dict[int, float], default: float,
                 code_bytes: int) -> None:
        self.code_bytes = code_bytes
        codes = 1 << (8 * code_bytes) if code_bytes <= 2 else 0
        self._text = [""] * codes
        self._width = [default] * codes
        for code, text in unicode.items():
            if code < codes:
                self._text[code] = text
        for code, advance in width.items():
            if 0 <= code < codes:
                self._width[code] = advance

    def decode(self, data: bytes) -> tuple[str, float, int]:
        """The string's text, its advance (font size 1) and how many spaces (code 32 of a
        one-byte font, which word spacing widens) it holds."""
        if self.code_bytes == 2:
            codes = array("H", data[:len(data) - len(data) % 2])
            if sys.byteorder == "little":
                codes.byteswap()
        elif self.code_bytes == 1:
            codes = array("B", data)
        else:
            return "", 0.0, 0
        text = "".join(map(self._text.__getitem__, codes))
        advance = sum(map(self._width.__getitem__, codes))
        return text, advance, codes.count(32) if self.code_bytes == 1 else 0


_NO_FONT = _Font({}, {}, 0.0, 1)


@dataclass
class _Run:
    text: str
    x: float
    y: float
    end: float
    size: float


@dataclass
class _State:
    font: _Font = _NO_FONT
    size: float = 0.0
    matrix: list[float] = field(default_factory=lambda: list(_IDENTITY))
    line: list[float] = field(default_factory=lambda: list(_IDENTITY))
    leading: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0


class _Reader:
    """Reads content streams; fonts and forms are read once however often they are used."""

    def __init__(self) -> None:
        self._fonts: dict[tuple[int, int], _Font] = {}
        self._forms: dict[tuple[int, int], str] = {}

    def content(self, holder: Dictionary | Stream, resources) -> str:
        """A page's or a form's text; its forms' texts after it."""
        runs: list[_Run] = []
        extra: list[str] = []
        state = _State()
        fonts = resources.get("/Font") if isinstance(resources, Dictionary) else None
        forms = resources.get("/XObject") if isinstance(resources, Dictionary) else None
        for op, operands in _operations(holder):
            self._apply(state, op, operands, fonts, runs)
            if op == "Do" and operands and isinstance(forms, Dictionary):
                extra.append(self._form(forms.get(str(operands[-1])), resources))
            elif op == "BDC" and operands:
                extra += operands
        return "\n".join([_joined(runs), *extra])

    def _apply(self, state: _State, op: str, operands: list, fonts, runs: list[_Run]) -> None:
        if op == "BT":
            state.matrix, state.line = list(_IDENTITY), list(_IDENTITY)
        elif op == "Tf" and len(operands) >= 2:
            state.font = self._font(fonts, str(operands[-2]))
            state.size = float(operands[-1])
        elif op == "Tm" and len(operands) >= 6:
            state.matrix = [float(value) for value in operands[-6:]]
            state.line = list(state.matrix)
        elif op in ("Td", "TD") and len(operands) >= 2:
            tx, ty = float(operands[-2]), float(operands[-1])
            if op == "TD":
                state.leading = -ty
            _move(state, tx, ty)
        elif op == "T*":
            _move(state, 0.0, -state.leading)
        elif op in ("TL", "Tc", "Tw", "Tz") and operands:
            value = float(operands[-1])
            if op == "TL":
                state.leading = value
            elif op == "Tc":
                state.char_spacing = value
            elif op == "Tw":
                state.word_spacing = value
            else:
                state.scale = value / 100
        elif op in ("Tj", "TJ", "'", '"') and operands:
            if op == '"' and len(operands) >= 3:
                state.word_spacing, state.char_spacing = map(float, operands[-3:-1])
            if op in ("'", '"'):
                _move(state, 0.0, -state.leading)
            shown = operands[-1]
            _show(state, shown if isinstance(shown, list) else [shown], runs)

    def _form(self, form, resources) -> str:
        if not isinstance(form, Stream) or form.get("/Subtype") != "/Form":
            return ""
        key = form.objgen
        if key not in self._forms:
            self._forms[key] = ""  # a form that draws itself draws nothing more
            own = form.get("/Resources")
            self._forms[key] = self.content(form, own if own is not None else resources)
        return self._forms[key]

    def _font(self, fonts, name: str) -> _Font:
        font = fonts.get(name) if isinstance(fonts, Dictionary) else None
        if not isinstance(font, Dictionary):
            return _NO_FONT
        key = font.objgen
        if key == (0, 0):  # a direct object: read each time
            return _read_font(font)
        if key not in self._fonts:
            self._fonts[key] = _read_font(font)
        return self._fonts[key]


def _operations(holder: Dictionary | Stream):
    """(operator, operands) of the text operators, operands as Python values: a number as
    a number or its text, a name as its text (`/Name`), a string as bytes, TJ's array as
    a list of strings and numbers, BDC's as the texts of its properties."""
    if isinstance(holder, Stream):
        data = holder.read_bytes()
    else:
        contents = holder.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else [contents]
        data = b"\n".join(s.read_bytes() for s in streams if isinstance(s, Stream))
    if not _PARSER_ONLY.search(data):
        try:
            return _scanned(data)
        except (ValueError, IndexError):  # not as WeasyPrint writes it: the parser reads it
            pass
    return list(_parsed(holder))


def _scanned(data: bytes) -> list[tuple[str, list]]:
    """The operators found in the bytes, their operands taken from the text before them.
    ValueError for what the scan does not read (an inline image)."""
    found: list[tuple[str, list]] = []
    last = 0
    for match in _OPERATOR.finditer(data):
        start = match.start()
        if start and data[start - 1] not in _BEFORE:
            continue  # the end of a longer token
        op = match[1].decode()
        if op == "BI":
            raise ValueError("an inline image")
        if op == "TJ":
            opening = data.rindex(b"[", last, start) + 1
            shown = data[opening:data.rindex(b"]", opening, start)]
            # its glyphs, and its adjustments summed: where each stands does not matter
            adjust = sum(map(float, _HEX.sub(b" ", shown).split()))
            glyphs = bytes.fromhex(b"".join(_HEX.findall(shown)).decode())
            operands: list = [[glyphs, adjust]]
        elif op == "Tj":
            operands = [bytes.fromhex(_HEX.findall(data, last, start)[-1].decode())]
        elif op == "BDC":
            properties = data[data.rfind(b"<<", last, start):start]
            operands = [_pdf_string(bytes.fromhex(text.decode()))
                        for _, text in _PROPERTY.findall(properties)]
        else:  # the last tokens before it: its numbers, a font's or a form's name
            count = _ARITY[op]
            tokens = data[max(last, start - 160):start].split()[-count:] if count else []
            if len(tokens) < count:
                raise ValueError(f"{op} without its operands")
            operands = [token.decode("latin-1") if token.startswith(b"/") else float(token)
                        for token in tokens]
        last = match.end()
        found.append((op, operands))
    return found


def _parsed(holder: Dictionary | Stream):
    """The operators as pikepdf's parser reads them: any content (literal strings, the '
    and " operators, inline images)."""
    for instruction in pikepdf.parse_content_stream(holder, _OPERATORS):
        operands, operator = instruction.operands, instruction.operator
        op = str(operator)
        if op == "BDC":
            properties = operands[-1] if operands else None
            yield op, ([str(properties[key]) for key in ("/ActualText", "/Alt", "/E")
                        if isinstance(properties.get(key), pikepdf.String)]
                       if isinstance(properties, Dictionary) else [])
        else:
            yield op, [_value(operand) for operand in operands]


def _value(operand):
    if isinstance(operand, pikepdf.String):
        return bytes(operand)
    if isinstance(operand, Array):
        return [_value(item) for item in operand]
    return str(operand)


def _pdf_string(data: bytes) -> str:
    """A text string: UTF-16 with its byte-order mark, else PDFDocEncoding (as Latin-1)."""
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", "replace")
    return data.decode("latin-1")


def _move(state: _State, tx: float, ty: float) -> None:
    a, b, c, d, e, f = state.line
    state.line = [a, b, c, d, e + tx * a + ty * c, f + tx * b + ty * d]
    state.matrix = list(state.line)


def _show(state: _State, items: list, runs: list[_Run]) -> None:
    """A TJ array's (or a Tj string's) text as a run at the current position, the
    position moved past it."""
    a, b = state.matrix[0], state.matrix[1]
    x, y = state.matrix[4], state.matrix[5]
    font = state.font
    shown = b"".join(item for item in items if isinstance(item, bytes))
    text, advance, spaces = font.decode(shown)
    count = len(shown) // font.code_bytes if font.code_bytes else 0
    adjust = sum(float(item) for item in items if not isinstance(item, (bytes, list)))
    moved = (advance * state.size - adjust / 1000 * state.size + count * state.char_spacing
             + spaces * state.word_spacing) * state.scale
    state.matrix[4], state.matrix[5] = x + moved * a, y + moved * b
    runs.append(_Run(text, x, y, x + moved * a, abs(state.size * a) or 1.0))


def _joined(runs: list[_Run]) -> str:
    """The runs as lines: a run that begins where the one before ended (on its baseline)
    joins it; a line broken at a number's dash joins the next when that begins under it."""
    out: list[str] = []
    start: _Run | None = None   # the first run of the line being read
    last: _Run | None = None
    for run in runs:
        if last is not None and start is not None:
            same_line = abs(run.y - last.y) < 0.1 * last.size
            if same_line and abs(run.x - last.end) < _ADJACENT * last.size:
                out.append(run.text)
                last = run
                continue
            low, high = _NEXT_LINE
            if (_broken_number(last.text, run.text)
                    and low * last.size <= abs(run.y - last.y) <= high * last.size
                    and abs(run.x - start.x) < last.size):
                out.append(run.text)
                start = last = run
                continue
            out.append("\n")
        out.append(run.text)
        start = last = run
    return "".join(out)


def _broken_number(before: str, after: str) -> bool:
    """A line broken at a number's dash: `010180-` then `1234`, or `010180` then `-1234`
    (a long word breaks anywhere: report.css)."""
    return ((before.endswith(_HYPHENS) and after[:1].isdigit())
            or (before[-1:].isdigit() and after[:1] in _HYPHENS and after[1:2].isdigit()))


def _read_font(font: Dictionary) -> _Font:
    unicode, code_bytes = _to_unicode(font.get("/ToUnicode"))
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        cid = descendants[0] if isinstance(descendants, Array) and len(descendants) else None
        width, default = _cid_widths(cid if isinstance(cid, Dictionary) else Dictionary())
        return _Font(unicode, width, default, code_bytes or 2)
    scale = 0.001
    matrix = font.get("/FontMatrix")
    if font.get("/Subtype") == "/Type3" and isinstance(matrix, Array) and len(matrix) == 6:
        scale = float(matrix[0])
    first = int(font.get("/FirstChar", 0))
    widths = font.get("/Widths")
    width = {first + i: float(w) * scale
             for i, w in enumerate(widths)} if isinstance(widths, Array) else {}
    descriptor = font.get("/FontDescriptor")
    missing = float(descriptor.get("/MissingWidth", 0)) * scale \
        if isinstance(descriptor, Dictionary) else 0.0
    if not unicode and font.get("/Subtype") != "/Type3":  # no map: its codes as Latin-1
        unicode = {code: chr(code) for code in range(32, 256)}
    return _Font(unicode, width, missing, code_bytes or 1)


def _cid_widths(cid: Dictionary) -> tuple[dict[int, float], float]:
    width: dict[int, float] = {}
    entries = list(cid.get("/W", Array()))
    index = 0
    while index + 1 < len(entries):
        first, second = entries[index], entries[index + 1]
        if isinstance(second, Array):
            width.update({int(first) + i: float(w) / 1000 for i, w in enumerate(second)})
            index += 2
        elif index + 2 < len(entries):
            for code in range(int(first), min(int(second), 0xFFFF) + 1):
                width[code] = float(entries[index + 2]) / 1000
            index += 3
        else:
            break
    return width, float(cid.get("/DW", 1000)) / 1000


def _to_unicode(stream) -> tuple[dict[int, str], int]:
    """The ToUnicode CMap's codes and texts, and its codes' length in bytes (0: unsaid)."""
    if not isinstance(stream, Stream):
        return {}, 0
    try:
        data = stream.read_bytes()
    except pikepdf.PdfError:
        return {}, 0
    unicode: dict[int, str] = {}
    code_bytes = 0
    for kind, body in _CMAP_BLOCK.findall(data):
        if kind == b"codespacerange":
            pair = _CMAP_PAIR.search(body)
            code_bytes = len(pair[1]) // 2 if pair else code_bytes
        elif kind == b"bfchar":
            for code, text in _CMAP_PAIR.findall(body):
                unicode[int(code, 16)] = _utf16(text)
        else:
            for low, high, target in _CMAP_RANGE.findall(body):
                first, last = int(low, 16), min(int(high, 16), int(low, 16) + 0xFFFF)
                if target.startswith(b"["):
                    texts = re.findall(rb"<([0-9A-Fa-f]+)>", target)
                    unicode.update({first + i: _utf16(t) for i, t in enumerate(texts)})
                    continue
                base = bytes.fromhex(target[1:-1].decode())
                for offset in range(last - first + 1):
                    end = (int.from_bytes(base[-2:], "big") + offset) & 0xFFFF
                    unicode[first + offset] = (base[:-2] + end.to_bytes(2, "big")).decode(
                        "utf-16-be", "replace")
    return unicode, code_bytes


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", "replace")


def _metadata(pdf: pikepdf.Pdf) -> list[str]:
    texts = [str(value) for _, value in pdf.docinfo.items()
             if isinstance(value, pikepdf.String)]
    metadata = pdf.Root.get("/Metadata")
    if isinstance(metadata, Stream):
        xml = metadata.read_bytes().decode("utf-8", "replace")
        texts.append(unescape(re.sub(r"<[^>]+>", "\n", xml)))
    return texts


def _outline(outlines) -> list[str]:
    texts: list[str] = []
    stack = [outlines.get("/First")] if isinstance(outlines, Dictionary) else []
    seen: set[tuple[int, int]] = set()
    while stack:
        item = stack.pop()
        if not isinstance(item, Dictionary) or item.objgen in seen:
            continue
        seen.add(item.objgen)
        if isinstance(item.get("/Title"), pikepdf.String):
            texts.append(str(item.Title))
        stack += [item.get("/Next"), item.get("/First")]
    return texts


def _structure(root) -> list[str]:
    """The alternative, replacement, expansion and title texts of the structure tree."""
    texts: list[str] = []
    stack: list[pikepdf.Object] = [root] if isinstance(root, Dictionary) else []
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, Array):
            stack += list(node)
            continue
        if not isinstance(node, Dictionary):
            continue
        if node.objgen != (0, 0):
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        keys = node.keys()
        texts += [str(node[key]) for key in _TEXT_KEYS & keys
                  if isinstance(node[key], pikepdf.String)]
        kids = node.get("/K") if "/K" in keys else None
        if kids is not None and node.get("/Type") != Name.MCR:
            stack.append(kids)
    return texts


def _annotations(page: Dictionary) -> list[str]:
    texts: list[str] = []
    annotations = page.get("/Annots")
    for annotation in annotations if isinstance(annotations, Array) else ():
        if not isinstance(annotation, Dictionary):
            continue
        texts += [str(annotation[key]) for key in _ANNOTATION_KEYS
                  if isinstance(annotation.get(key), pikepdf.String)]
        action = annotation.get("/A")
        if isinstance(action, Dictionary) and isinstance(action.get("/URI"), pikepdf.String):
            texts.append(str(action.URI))
    return texts
