"""Rows added below a sheet's last row without parsing the whole sheet.

An import that appends 5,000 rows to a 100,000-row table should cost what the 5,000
rows cost, not three full parses of the sheet with a Python call per element. Here
the places an append needs are found by byte search: the ``<sheetData>`` start tag,
its last ``<row>`` and its end tag. That is exact only in XML without comments,
CDATA sections, processing instructions or a DTD (then every ``<`` starts a tag and
no attribute value holds one); a sheet with any of them is left to the full path
(:meth:`Package.write_region`), as is anything else unusual (:func:`sheet_tail`
returns None).

What is written is checked as the full path checks it: the new rows through the
guarded parser (:class:`.verify.SheetScan`, on the new rows' bytes only), and the
whole new sheet through expat with no Python handler per element (a well-formedness
check in C, about 0.1 s for 10 MB).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from ...excel import cell_ref, split_ref
from ...i18n import Message, N_
from .cellreader import RowReader
from .encode import check_region, encode_rows
from .records import Cell, WorkbookError
from .sheetxml import Layout, require_utf8
from .verify import SheetScan
from .xmlread import PrologGuard, Tags, stream_ends, well_formed

if TYPE_CHECKING:
    from .spreadsheetml import Package

_NAME = rb"[A-Za-z_][\w.\-]*"
_ROOT = re.compile(rb"<(" + _NAME + rb":)?(" + _NAME + rb")[\s/>]")
_SHEET_DATA = re.compile(rb"<(" + _NAME + rb":)?sheetData[\s/>]")
_UNUSUAL = (b"<!--", b"<![CDATA[", b"<!DOCTYPE", b"<!ENTITY")


@dataclass(frozen=True)
class SheetTail:
    """Where an append goes in a sheet's bytes, and what is there now."""

    data: bytes
    prefix: bytes  # b"x:" or b""
    root: bytes  # the root's start tag, as written (its namespace declarations)
    root_name: bytes  # the root's name as written (b"worksheet", b"x:worksheet")
    head: Layout  # the dimension and the column styles (offsets into ``data``)
    close: int  # where </sheetData> starts
    last_row: int  # the last <row>'s number (0: no rows)
    last_cells: dict[tuple[int, int], Cell]  # that row's cells

    def col_style(self, col: int) -> int | None:
        return self.head.col_style(col)

    def wrap(self, rows: bytes) -> bytes:
        """``rows`` as a sheet of their own (for the guarded parser)."""
        p = self.prefix
        return (self.root + b"<" + p + b"sheetData>" + rows + b"</" + p + b"sheetData></" + self.root_name + b">")


def sheet_tail(pkg: "Package", sheet_name: str) -> SheetTail | None:
    """The end of a sheet's rows, found without parsing them; None when the sheet is unusual."""
    sheet = pkg._worksheet(sheet_name)
    where = pkg.where(sheet.part)
    data = pkg.read_part(sheet.part)
    require_utf8(data, where)
    return tail_of(data, where, pkg.shared_strings)


def tail_of(data: bytes, where: str, shared_strings=lambda: []) -> SheetTail | None:
    if any(marker in data for marker in _UNUSUAL):
        return None  # a comment, CDATA or a DTD: bytes may lie
    pi = data.find(b"<?")
    if pi not in (-1, 0, 3) or (pi == 3 and data[:3] != b"\xef\xbb\xbf") or (pi >= 0 and data.find(b"<?", pi + 2) >= 0):
        return None  # a processing instruction other than the <?xml ...?> declaration
    start = 0
    while True:  # the root: the first tag that is no <?xml ...?> declaration
        m = _ROOT.search(data, start)
        if m is None:
            return None
        if data[m.start() + 1:m.start() + 2] not in (b"?", b"!"):
            break
        start = m.end()
    root_name = (m.group(1) or b"") + m.group(2)
    sd = _SHEET_DATA.search(data, m.end())
    if sd is None:
        return None
    prefix = sd.group(1) or b""
    root = data[m.start():data.find(b">", m.start()) + 1]
    try:  # the whole start tag (a '>' inside an attribute value would cut it short)
        Layout.scan(root + b"<" + prefix + b"sheetData/></" + root_name + b">", where)
    except WorkbookError:
        return None
    try:
        head = Layout.scan(data[:sd.start()] + b"<" + prefix + b"sheetData/></" + root_name + b">", where)
    except WorkbookError:
        return None
    open_end = data.find(b">", sd.start())
    if data[open_end - 1:open_end] == b"/":
        return None  # <sheetData/>: no rows at all (a table has its header row)
    close = data.rfind(b"</" + prefix + b"sheetData>")
    if close < open_end or data.count(b"<" + prefix + b"sheetData", sd.end()) or \
            data.count(b"</" + prefix + b"sheetData>", 0, close):
        return None
    row_tag = b"<" + prefix + b"row"
    at = close
    while True:  # the last <row ...> (not <rowBreaks>, which is outside sheetData anyway)
        at = data.rfind(row_tag, open_end, at)
        if at < 0 or data[at + len(row_tag):at + len(row_tag) + 1] in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
            break
    last_row, cells = 0, {}
    if at >= 0:
        doc = root + b"<" + prefix + b"sheetData>" + data[at:close] + b"</" + prefix + b"sheetData></" + root_name + b">"
        try:
            found = Layout.scan(doc, where)
        except WorkbookError:
            return None
        if len(found.rows) != 1 or found.rows[0].elem.attrs.get("r") is None:
            return None  # the last row without its number: count them the slow way
        last_row = found.rows[0].number
        cells = _cells(doc, where, shared_strings)
    elif data.find(b"<", open_end + 1) != close:
        return None  # something in sheetData that is no row
    return SheetTail(data, prefix, root, root_name, head, close, last_row, cells)


def _cells(doc: bytes, where: str, shared_strings) -> dict[tuple[int, int], Cell]:
    out: dict[tuple[int, int], Cell] = {}
    guard = PrologGuard()
    reader = None
    row_no = 0
    for elem in stream_ends(io.BytesIO(doc), where, guard):
        if reader is None:
            reader = RowReader(Tags.of(guard.root), shared_strings, where)
        if elem.tag == reader.row_tag:
            r = elem.get("r")
            row_no = int(r) if r and r.isdigit() else row_no + 1
            reader.read(elem, row_no, out)
    return out


def append_rows(pkg: "Package", sheet_name: str, tail: SheetTail, top_row: int, first_col: int,
                last_col: int, rows: Sequence[Sequence[Any]], styles: Sequence[int | None] | None = None,
                row_styles: Sequence[Sequence[int | None] | None] | None = None) -> None:
    """Write ``rows`` from ``(top_row, first_col)`` below the sheet's last row, as
    :meth:`Package.write_region` writes them there (same cells, styles and checks)."""
    sheet = pkg._worksheet(sheet_name)
    where = pkg.where(sheet.part)
    if top_row <= tail.last_row:
        raise WorkbookError(Message(N_("{where}: row {row} is not below the sheet's last row ({last})"), where=where,
                                    row=top_row, last=tail.last_row))
    check_region(where, top_row, first_col, last_col, rows, styles)
    col_styles = pkg._region_styles(tail.head, first_col, last_col, styles, where)
    pkg.check_row_styles(row_styles, where)
    cells = encode_rows(rows, top_row, first_col, col_styles, tail.prefix, where, row_styles, pkg.epoch)
    p = tail.prefix
    new_rows = b"".join(b"<" + p + b'row r="' + str(n).encode() + b'">' + b"".join(x for _c, x in row)
                        + b"</" + p + b"row>" for n, row in sorted(cells.items()))
    scan = SheetScan(tail.wrap(new_rows), where, (top_row, first_col, last_col))
    if scan.in_region != {(r, c) for r, row in cells.items() for c, _x in row}:
        raise WorkbookError(Message(N_("{where}: unusual sheet XML: the edit could not be verified, the sheet is left as "
                                       "it was"), where=where))
    new = tail.data[:tail.close] + new_rows + tail.data[tail.close:]
    if cells:
        new = tail.head.with_dimension(new, _grown(tail.head, max(cells), last_col))
    well_formed(new, where)
    pkg._modified[sheet.part] = new


def _grown(head: Layout, bottom: int, right: int) -> str:
    """The ``<dimension>`` after rows down to ``bottom`` and out to column ``right`` are added."""
    d = head.dimension
    ref = d.attrs.get("ref", "") if d is not None else ""
    try:
        first, _, last = ref.partition(":")
        r1, c1 = split_ref(first)
        r2, c2 = split_ref(last) if last else (r1, c1)
    except ValueError:
        return ref  # not a range Excel wrote: left as it is
    return f"{cell_ref(r1, c1)}:{cell_ref(max(r2, bottom), max(c2, right))}"


__all__ = ["SheetTail", "sheet_tail", "tail_of", "append_rows"]
