"""Where things sit in a sheet's XML bytes, so an edit can splice them.

:class:`Layout` finds the ``<dimension>``, the column styles, ``<sheetData>`` and
its rows; :func:`row_cells` the ``<c>`` elements of one row; :func:`child_elems`
the children of any element. Only UTF-8 sheet XML can be edited (Excel never
writes anything else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from xml.sax.saxutils import unescape as _sax_unescape

from ...excel import split_ref
from .records import WorkbookError, int_of


_ATTRS = rb"(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_NOT_TAGS = rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"


def _scanner(*names: str) -> re.Pattern[bytes]:
    """Comments, CDATA, PIs and the start/end tags of the given local names (any prefix)."""
    alt = b"|".join(re.escape(n.encode()) for n in names)
    return re.compile(_NOT_TAGS + rb"|<(?P<end>/?)(?P<prefix>[A-Za-z_][\w.\-]*:)?(?P<name>" + alt
                      + rb")(?=[\s/>])" + _ATTRS + rb">", re.S)


_ANY_TAG = re.compile(_NOT_TAGS + rb"|<(?P<end>/?)(?P<prefix>[^\s/>:!?]+:)?(?P<name>[^\s/>:!?][^\s/>:]*)"
                      + _ATTRS + rb">", re.S)
_DATA_TAGS = _scanner("sheetData", "row")
_ATTR = re.compile(rb"([^\s=/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)")


def attrs_of(raw: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1).decode()] = _sax_unescape(value.decode(), {"&quot;": '"', "&apos;": "'"})
    return out


def r_attr(raw: bytes) -> str | None:
    """The ``r`` attribute of a start tag (fast when it comes first, as Excel writes it)."""
    if raw.startswith(b' r="'):
        return raw[4:raw.find(b'"', 4)].decode()
    return attrs_of(raw).get("r")


def require_utf8(data: bytes, where: str) -> None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise WorkbookError(f"{where}: UTF-16 sheet XML cannot be edited (only UTF-8)")
    m = _XML_DECL_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    if m and m.group(1).lower().replace(b"-", b"") != b"utf8":
        raise WorkbookError(f"{where}: {m.group(1).decode(errors='replace')} sheet XML cannot be edited (only UTF-8)")


@dataclass(slots=True)
class Elem:
    """Where one element sits in a byte string."""

    name: bytes
    prefix: bytes
    attrs: bytes
    start: int
    open_end: int  # end of the start tag
    close_start: int = -1  # start of the end tag (== end when self-closing)
    end: int = -1

    @property
    def self_closing(self) -> bool:
        return self.open_end == self.end


def child_elems(data: bytes, start: int, end: int) -> list[Elem]:
    """The elements directly inside ``data[start:end]``, in order."""
    out: list[Elem] = []
    depth = 0
    current = None
    for m in _ANY_TAG.finditer(data, start, end):
        if m.group("name") is None:
            continue
        if m.group("end"):
            depth -= 1
            if depth == 0:
                current.close_start, current.end = m.start(), m.end()
                out.append(current)
        elif m.group("attrs").endswith(b"/"):
            if depth == 0:
                out.append(Elem(m.group("name"), m.group("prefix") or b"", m.group("attrs"),
                                 m.start(), m.end(), m.end(), m.end()))
        else:
            if depth == 0:
                current = Elem(m.group("name"), m.group("prefix") or b"", m.group("attrs"), m.start(), m.end())
            depth += 1
    return out


def remove_children(data: bytes, name: bytes, match) -> bytes:
    """``data`` without the root's children called ``name`` whose attributes ``match``."""
    root = next(iter(child_elems(data, 0, len(data))), None)
    if root is None or root.self_closing:
        return data
    out, pos = [], 0
    for child in child_elems(data, root.open_end, root.close_start):
        if child.name == name and match(attrs_of(child.attrs)):
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
        layout = cls(where)
        layout._scan(data)
        if layout.data is None or layout.data.end < 0:
            raise WorkbookError(f"{where}: no <sheetData> in the sheet")
        return layout

    def _scan(self, data: bytes) -> None:
        pos = self._scan_head(data)
        if self.data is not None and not self.data.self_closing:
            self._scan_rows(data, pos)

    def _scan_head(self, data: bytes) -> int:
        """Tags up to <sheetData> (a child of the root), with their nesting; returns where it ends."""
        path: list[bytes] = []
        for m in _ANY_TAG.finditer(data):
            name = m.group("name")
            if name is None:
                continue
            if m.group("end"):
                path = path[:-1]
                continue
            elem = Elem(name, m.group("prefix") or b"", m.group("attrs"), m.start(), m.end())
            self_closing = elem.attrs.endswith(b"/")
            if len(path) == 1 and name == b"sheetData":
                self.data = elem
                if self_closing:
                    elem.close_start = elem.end = elem.open_end
                return m.end()
            if len(path) == 1 and name == b"dimension":
                self.dimension = elem
            elif len(path) == 2 and path[1] == b"cols" and name == b"col":
                self._add_col(elem)
            if not self_closing:
                path.append(name)
        return len(data)

    def _add_col(self, elem: Elem) -> None:
        a = attrs_of(elem.attrs)
        style = a.get("style")
        self.cols.append((int_of(a.get("min"), self.where), int_of(a.get("max"), self.where),
                          int_of(style, self.where) if style else None))

    def _scan_rows(self, data: bytes, pos: int) -> None:
        """The rows of <sheetData> (its direct children) and its end tag."""
        nested, depth, row = 0, 0, None
        for m in _DATA_TAGS.finditer(data, pos):
            name = m.group("name")
            if name is None:
                continue
            closing, self_closing = bool(m.group("end")), m.group("attrs").endswith(b"/")
            elem = Elem(name, m.group("prefix") or b"", m.group("attrs"), m.start(), m.end())
            if name == b"sheetData" and not self_closing:
                if not closing:
                    nested += 1
                elif nested:
                    nested -= 1
                elif depth == 0:
                    self.data.close_start, self.data.end = m.start(), m.end()
                    return
            elif name == b"row" and not nested:
                depth, row = self._row_tag(elem, closing, self_closing, depth, row)

    def _row_tag(self, elem: Elem, closing: bool, self_closing: bool, depth: int, row: Elem | None):
        if closing:
            depth -= 1
            if depth == 0:
                row.close_start, row.end = elem.start, elem.open_end
                self._add_row(row)
            return depth, row
        if depth == 0 and self_closing:
            elem.close_start = elem.end = elem.open_end
            self._add_row(elem)
            return depth, row
        if not self_closing:
            depth += 1
        return depth, (elem if depth == 1 else row)

    def _add_row(self, elem: Elem) -> None:
        r = r_attr(elem.attrs)
        number = int_of(r, self.where) if r else (self.rows[-1].number + 1 if self.rows else 1)
        if self.rows and number <= self.rows[-1].number:
            raise WorkbookError(f"{self.where}: rows out of order (row {number} after row {self.rows[-1].number})")
        self.rows.append(Row(number, elem, r is not None))

    def col_style(self, col: int) -> int | None:
        return next((style for lo, hi, style in self.cols if lo <= col <= hi), None)

    def with_dimension(self, data: bytes, ref: str) -> bytes:
        """``data`` (edited after the dimension tag only) with ``<dimension ref>`` set to ``ref``."""
        d = self.dimension
        if d is None:
            return data
        tag = data[d.start:d.open_end]
        new_tag, n = re.subn(rb"(\sref\s*=\s*)(\"[^\"]*\"|'[^']*')", b'\\1"' + ref.encode() + b'"', tag, count=1)
        if n == 0:
            return data
        return data[:d.start] + new_tag + data[d.open_end:]


def row_cells(data: bytes, row: Row, where: str) -> list[tuple[int, Elem, bool]]:
    """The ``<c>`` elements of a row as ``(column, element, has_r)``."""
    out = []
    col = 0
    for child in child_elems(data, row.elem.open_end, row.elem.close_start):
        if child.name != b"c":
            continue
        r = attrs_of(child.attrs).get("r")
        try:
            col = split_ref(r)[1] if r else col + 1
        except ValueError:
            raise WorkbookError(f"{where}: bad cell reference {r!r} in row {row.number}") from None
        out.append((col, child, r is not None))
    return out
