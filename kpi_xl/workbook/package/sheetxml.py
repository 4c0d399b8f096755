"""Where things sit in a sheet's XML bytes, so an edit can splice them.

The positions come from expat (the standard library's XML parser): each event's
``CurrentByteIndex`` is where its bytes start, so a start tag ends where the next
event starts, and an element ends where the event after its end tag starts.
Names are kept as written (``x:row``): no namespace processing, so a row's
bytes parse on their own. A DTD is refused (so no entity can be declared).

:class:`Layout` finds the ``<dimension>``, the column styles, ``<sheetData>`` and
its rows; :func:`row_cells` the ``<c>`` elements of one row, with their children.
Only UTF-8 sheet XML can be edited (Excel never writes anything else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple
from xml.parsers import expat

from ...excel import split_ref
from ...i18n import Message, N_
from .records import WorkbookError, int_of
from .xmlescape import quoteattr, unescape
from .xmlread import malformed_xml, unsafe_xml

#: A sheet part's root start tag, found without parsing the rows; group 1 is its prefix (``x:``) or None.
WORKSHEET_TAG = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")


def splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``data`` with each (start, end, new bytes) edit made, positions in ``data``, in one copy (a
    sheet of a million rows is hundreds of megabytes: slicing it for each edit held several copies)."""
    view, out, at = memoryview(data), [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out += [view[at:start], new]
        at = end
    out.append(view[at:])
    return b"".join(out)


@dataclass(slots=True)
class Elem:
    """Where one element sits in a byte string, with its attributes (in order) and,
    down to the depth asked for, its child elements."""

    name: bytes  # the local name
    prefix: bytes  # b"x:" or b""
    attrs: dict[str, str]
    start: int
    open_end: int = -1  # end of the start tag
    close_start: int = -1  # start of the end tag (== end when self-closing)
    end: int = -1
    children: list["Elem"] = field(default_factory=list)

    @property
    def self_closing(self) -> bool:
        return self.open_end == self.end

    def child(self, name: bytes) -> "Elem | None":
        return next((e for e in self.children if e.name == name), None)


class _Scanner:
    """Element positions in ``data[offset:]`` (a document or one element's bytes)."""

    def __init__(self, where: str, max_depth: int, offset: int) -> None:
        self.where, self.max_depth, self.offset = where, max_depth, offset
        self.top: list[Elem] = []
        self._stack: list[Elem] = []
        self._depth = 0
        self._pending: list[tuple[Elem, bool]] = []  # (element, its end tag rather than its start tag)
        p = self._parser = expat.ParserCreate()
        p.ordered_attributes = True
        p.StartElementHandler, p.EndElementHandler = self._start, self._end
        p.DefaultHandler = self._other  # text, comments, PIs: every byte belongs to some event
        p.XmlDeclHandler = self._decl
        p.StartDoctypeDeclHandler = self._doctype
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def run(self, data: bytes) -> list[Elem]:
        try:
            self._parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise malformed_xml(self.where, exc) from None
        self._flush(self.offset + len(data))
        return self.top

    def _flush(self, at: int) -> None:
        for elem, closing in self._pending:
            if not closing:
                elem.open_end = at
            else:
                elem.end = at
        self._pending.clear()

    def _start(self, name: str, attrs: list[str]) -> None:
        at = self._parser.CurrentByteIndex + self.offset
        self._flush(at)
        self._depth += 1
        if self._depth > self.max_depth:
            return
        prefix, _, local = name.rpartition(":")
        elem = Elem(local.encode(), (prefix + ":").encode() if prefix else b"",
                    dict(zip(attrs[::2], attrs[1::2])), at)
        (self._stack[-1].children if self._stack else self.top).append(elem)
        self._stack.append(elem)
        self._pending.append((elem, False))

    def _end(self, name: str) -> None:
        at = self._parser.CurrentByteIndex + self.offset  # a self-closing tag's end: where it ends
        self._flush(at)
        if self._depth <= self.max_depth:
            elem = self._stack.pop()
            elem.close_start = at
            self._pending.append((elem, True))
        self._depth -= 1

    def _other(self, _text: str) -> None:
        self._flush(self._parser.CurrentByteIndex + self.offset)

    def _decl(self, _version: str | None, encoding: str | None, _standalone: int) -> None:
        if encoding and encoding.lower().replace("-", "") != "utf8":
            raise WorkbookError(Message(N_("{where}: {encoding} sheet XML cannot be edited (only UTF-8)"),
                                        where=self.where, encoding=encoding))
        self._other("")

    def _doctype(self, *_args: object) -> None:
        raise unsafe_xml(self.where)


def elements(data: bytes, where: str, max_depth: int, start: int = 0, end: int | None = None) -> list[Elem]:
    """The top elements of ``data[start:end]`` with their descendants down to ``max_depth``."""
    chunk = data if start == 0 and end is None else data[start:end]
    return _Scanner(where, max_depth, start).run(chunk)


def require_utf8(data: bytes, where: str) -> None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise WorkbookError(Message(N_("{where}: {encoding} sheet XML cannot be edited (only UTF-8)"), where=where,
                                encoding="UTF-16"))


def start_tag(elem: Elem, attrs: dict[str, str] | None = None, *, empty: bool = False) -> bytes:
    """A start tag for ``elem`` with ``attrs`` (default: its own), in their order."""
    attrs = elem.attrs if attrs is None else attrs
    text = "".join(f" {k}={quoteattr(v, {chr(9): '&#9;', chr(10): '&#10;', chr(13): '&#13;'})}"
                   for k, v in attrs.items())
    return b"<" + elem.prefix + elem.name + text.encode("utf-8") + (b"/>" if empty else b">")


def remove_children(data: bytes, name: bytes, match) -> bytes:
    """``data`` without the root's children called ``name`` whose attributes ``match``."""
    roots = elements(data, "XML part", 2)
    if not roots:
        return data
    out, pos = [], 0
    for child in roots[0].children:
        if child.name == name and match(child.attrs):
            out.append(data[pos:child.start])
            pos = child.end
    return b"".join(out) + data[pos:]


class Row(NamedTuple):
    number: int
    elem: Elem
    has_r: bool


class Layout:
    """Where the dimension, column styles, sheetData and rows sit in a sheet's bytes."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.dimension: Elem | None = None
        self.cols: list[tuple[int, int, int | None]] = []
        self.data: Elem | None = None
        self.rows: list[Row] = []

    @property
    def prefix(self) -> bytes:
        return self.data.prefix

    @classmethod
    def scan(cls, data: bytes, where: str) -> "Layout":
        """Root (1), its children (2) and theirs (3): rows and column entries."""
        layout = cls(where)
        roots = elements(data, where, 3)
        for elem in roots[0].children if roots else ():
            if elem.name == b"sheetData" and layout.data is None:
                layout.data = elem
            elif elem.name == b"dimension" and layout.dimension is None:
                layout.dimension = elem
            elif elem.name == b"cols" and layout.data is None:
                for col in elem.children:
                    if col.name == b"col":
                        layout._add_col(col)
        if layout.data is None:
            raise WorkbookError(Message(N_("{where}: no <{element}>"), where=where, element="sheetData"))
        for elem in layout.data.children:
            if elem.name == b"row":
                layout._add_row(elem)
        return layout

    def _add_col(self, elem: Elem) -> None:
        a = elem.attrs
        style = a.get("style")
        self.cols.append((int_of(a.get("min"), self.where), int_of(a.get("max"), self.where),
                          int_of(style, self.where) if style else None))

    def _add_row(self, elem: Elem) -> None:
        r = elem.attrs.get("r")
        number = int_of(r, self.where) if r else (self.rows[-1].number + 1 if self.rows else 1)
        if self.rows and number <= self.rows[-1].number:
            raise WorkbookError(Message(N_("{where}: rows out of order (row {row} after row {previous})"),
                                        where=self.where, row=number, previous=self.rows[-1].number))
        self.rows.append(Row(number, elem, r is not None))

    def col_style(self, col: int) -> int | None:
        return next((style for lo, hi, style in self.cols if lo <= col <= hi), None)

    def with_dimension(self, data: bytes, ref: str) -> bytes:
        """``data`` (edited after the dimension tag only) with ``<dimension ref>`` set to ``ref``."""
        d = self.dimension
        if d is None or "ref" not in d.attrs:
            return data
        tag = start_tag(d, {**d.attrs, "ref": ref}, empty=d.self_closing)
        return data[:d.start] + tag + data[d.open_end:]


def row_cells(data: bytes, row: Row, where: str) -> list[tuple[int, Elem, bool]]:
    """The ``<c>`` elements of a row, with their children, as ``(column, element, has_r)``."""
    out = []
    col = 0
    for child in elements(data, where, 3, row.elem.start, row.elem.end)[0].children:
        if child.name != b"c":
            continue
        r = child.attrs.get("r")
        try:
            col = split_ref(r)[1] if r else col + 1
        except ValueError:
            raise WorkbookError(Message(N_("{where}: bad cell reference '{ref}' in row {row}"), where=where, ref=r,
                                        row=row.number)) from None
        out.append((col, child, r is not None))
    return out


#: A cell marked as holding an error value (``t="e"``), quoted either way; a first, cheap look
#: (one pattern: half the time of two substring searches over a sheet of 't's).
_ERROR_TYPE = re.compile(rb"""t=["']e["']""")
#: The same mark as an attribute of a start tag already cut out (after a space).
_ERROR_ATTR = re.compile(rb"""\st=["']e["']""")
#: The start of a cell element (``<c ``, ``<x:c>``, ``<c/>``); group 1 is its prefix.
_CELL_START = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)c(?=[\s/>])")
#: A cell's own reference in its start tag (``r="D57"``): its column letters and row.
_CELL_REF = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([A-Za-z]{1,3})(\d{1,7})"|'([A-Za-z]{1,3})(\d{1,7})')""")
#: A row's own number in its start tag (``r="57"``).
_ROW_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d{1,7})["']""")
#: The value of a cell (``<v>#N/A</v>``, any prefix; empty or ``<v/>``: none).
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?v\s*>)", re.S)


def may_hold_errors(chunks: Iterable[bytes]) -> bool:
    """Whether a sheet's bytes, given in pieces as they are inflated, mark some cell as an error
    value (``t="e"``): one search per piece (and across each seam), nothing kept. python-calamine
    reads an error cell as a blank, so a sheet that says so is read again where it does."""
    tail, look = b"", _ERROR_TYPE.search
    for chunk in chunks:
        if look(chunk) or look(tail + chunk[:8]):
            return True
        tail = chunk[-8:]
    return False


def error_cells(data: bytes, where: str) -> dict[tuple[int, int], str]:
    """The cells of a sheet's XML holding an error value, as ``{(row, column): code}`` (1-based; the
    code as stored, ``#N/A``; ``#VALUE!`` when none is). Each is found by its cheap ``t="e"`` mark
    (one literal-led search, ~1 ns a byte) and read from its own bytes, no parse: a cell that says
    where it is (``r="D57"``, as Excel writes every cell) at once; in a row whose cells do not
    (some generators), the row's cells are counted from its start and its number is its own ``r``
    or counted over the sheet's rows, once."""
    root = WORKSHEET_TAG.search(data)
    prefix = (root.group(1) or b"") if root else b""
    row_open, row_close = b"<" + prefix + b"row", b"</" + prefix + b"row>"
    reader = _CellReader(data, where)
    out: dict[tuple[int, int], str] = {}
    numbers: dict[int, int] | None = None  # where a row starts -> its number, for rows without r=""
    pos = 0
    while (mark := _ERROR_TYPE.search(data, pos)) is not None:
        pos = mark.end()
        lt = data.rfind(b"<", 0, mark.start())
        m = _CELL_START.match(data, lt) if lt >= 0 else None
        if m is None or data[mark.start() - 1:mark.start()] not in b" \t\r\n" or data.find(b">", lt, mark.start()) >= 0:
            continue  # t="e" in a text, or in another element's tag
        tag_end = data.find(b">", mark.end())
        ref = _CELL_REF.search(data, lt, tag_end) if tag_end >= 0 else None
        if ref is not None:
            r, c = reader.ref(ref)
            out[(r, c)], pos = reader.value(m, tag_end)
            continue
        # a cell without its reference: its row's cells are counted from the row's start
        start, end = data.rfind(row_open, 0, lt), data.find(row_close, mark.end())
        if start < 0 or end < 0:
            raise WorkbookError(Message(N_("{where}: a cell outside a <{element}>"), where=where, element="row"))
        own = _ROW_REF.search(data, start + len(row_open), data.find(b">", start))
        if own is not None:
            number = int(own.group(1))
        else:
            if numbers is None:
                numbers = _row_numbers(data, prefix)
            number = numbers[start]
        col, at = 0, start
        while (cell := _CELL_START.search(data, at, end)) is not None:
            tag_end = data.find(b">", cell.end())
            tag = data[cell.start():tag_end]
            ref = _CELL_REF.search(tag)
            if ref is not None:
                number_here, col = reader.ref(ref)
            else:
                number_here, col = number, col + 1
            if _ERROR_ATTR.search(tag):
                out[(number_here, col)], at = reader.value(cell, tag_end)
            else:
                at = tag_end + 1
        pos = end
    return out


class _CellReader:
    """Reads one cell of a sheet's bytes from its start tag (:func:`error_cells`)."""

    def __init__(self, data: bytes, where: str) -> None:
        self.data, self.where = data, where
        self.columns: dict[bytes, int] = {}  # a reference's letters -> its column
        self.closing: dict[bytes, re.Pattern] = {}  # a cell prefix -> its end tag

    def ref(self, ref: re.Match) -> tuple[int, int]:
        """A reference found by :data:`_CELL_REF` as (row, column)."""
        letters, digits = ref.group(1) or ref.group(3), ref.group(2) or ref.group(4)
        c = self.columns.get(letters)
        if c is None:
            try:
                c = self.columns[letters] = split_ref(letters.decode("ascii") + "1")[1]
            except ValueError:
                raise WorkbookError(Message(N_("{where}: bad cell reference '{ref}'"), where=self.where,
                                            ref=(letters + digits).decode("ascii"))) from None
        return int(digits), c

    def value(self, start: re.Match, tag_end: int) -> tuple[str, int]:
        """The error code of the cell whose start tag ``start`` (:data:`_CELL_START`) ends at
        ``tag_end`` (``#VALUE!`` when it holds none), and where the cell ends."""
        data = self.data
        if data[tag_end - 1:tag_end] == b"/":  # <c r="C2" t="e"/>: no value
            return "#VALUE!", tag_end + 1
        cell_prefix = start.group(1)
        close = self.closing.get(cell_prefix)
        if close is None:
            close = self.closing[cell_prefix] = re.compile(b"</" + re.escape(cell_prefix) + rb"c\s*>")
        done = close.search(data, tag_end)
        if done is None:
            raise WorkbookError(Message(N_("{where}: a cell outside a <{element}>"), where=self.where, element="row"))
        v = _VALUE.search(data, tag_end + 1, done.start())
        text = v.group(1).decode("utf-8", "replace").strip() if v is not None and v.group(1) is not None else ""
        return (unescape(text) if "&" in text else text) or "#VALUE!", done.end()


def _row_numbers(data: bytes, prefix: bytes) -> dict[int, int]:
    """Where each row of a sheet starts -> its number (its ``r``, else the row before it + 1), from
    the rows' start tags alone: one search over the sheet, no parse (a parse of every element of a
    sheet of 100,000 rows took seconds)."""
    out, number = {}, 0
    for m in re.finditer(b"<" + re.escape(prefix) + rb"row(?=[\s/>])([^>]*)>", data):
        r = _ROW_REF.search(m.group(1))
        number = int(r.group(1)) if r else number + 1
        out[m.start()] = number
    return out
