"""Spilled results, written as Excel 365 saves them: the anchor cell holds the formula
(``<f t="array" ref="C5:D9">``) and its first value, every other cell of the range a
plain value. :func:`write_spill` moves the range to the new result's size, rewrites
the values (dates in a date format) and clears what the old range covered beyond it;
every other byte of the sheet is copied as it was.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from ...excel import cell_ref, split_ref
from ...i18n import Message, N_
from .edits import RegionEdit
from .encode import encode_rows
from .records import WorkbookError
from .sheetxml import Layout, require_utf8, row_cells, start_tag
from .verify import SheetScan
from .xmlread import local_name

_ANCHOR = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Z]+\d+)"[^>]*>\s*<(?:[\w.-]+:)?f\s([^>]*)>', re.S)


def array_ranges(data: bytes) -> dict[tuple[int, int], tuple[int, int, int, int]]:
    """The array formulas of a sheet: anchor (row, col) → (r1, c1, r2, c2) of its range."""
    out = {}
    for m in _ANCHOR.finditer(data):
        attrs = m.group(2)
        if not re.search(rb'\bt="array"', attrs):
            continue
        ref = re.search(rb'\bref="([^"]+)"', attrs)
        if not ref:
            continue
        first, _, last = ref.group(1).decode().replace("$", "").partition(":")
        r1, c1 = split_ref(first)
        r2, c2 = split_ref(last or first)
        out[split_ref(m.group(1).decode())] = (r1, c1, r2, c2)
    return out


class _BlockEdit(RegionEdit):
    """A region edit that stops at ``bottom``: rows below it are copied as they are."""

    def __init__(self, *args, bottom: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bottom = bottom

    def _row(self, row):  # noqa: ANN001
        if row.number > self.bottom:
            return self.data[row.elem.start:row.elem.end]
        return super()._row(row)


def date_style(pkg) -> int | None:  # noqa: ANN001 - a Package
    """A cell format of the workbook that shows a date without a time (None when it has none)."""
    rel = pkg.workbook_rel("styles")
    part = pkg.find_part(rel.target) if rel else None
    if part is None:
        return None
    root = pkg.xml(part)
    codes = {}
    for el in root.iter():
        if local_name(el.tag) == "numFmt":
            codes[el.get("numFmtId")] = el.get("formatCode", "").lower()
    xfs = next((el for el in root.iter() if local_name(el.tag) == "cellXfs"), None)
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = xf.get("numFmtId", "0")
        code = codes.get(fid, "")
        if fid == "14" or ("y" in code and "d" in code and "h" not in code):
            return i
    return None


def write_spill(pkg, sheet: str, anchor: tuple[int, int], values: Sequence[Sequence[Any]],  # noqa: ANN001
                date_columns: Sequence[int] = (), make_array: bool = False) -> str | None:
    """Give the array formula at ``anchor`` the range of ``values`` (2-D, its first value
    already stored as the cell's result) and write the other values into that range.
    ``date_columns`` (0-based within the result) are shown as dates. ``make_array``
    turns a one-cell formula into an array formula. Returns the first cell the user
    filled that is in the way (nothing written: Excel shows #SPILL! there), else None."""
    info = pkg._worksheet(sheet)
    where = pkg.where(info.part)
    data = pkg.read_part(info.part)
    require_utf8(data, where)
    r0, c0 = anchor
    old = array_ranges(data).get(anchor)
    if old is None and not make_array:
        return None
    height, width = len(values), max((len(r) for r in values), default=1)
    height, width = max(height, 1), max(width, 1)
    r2, c2 = r0 + height - 1, c0 + width - 1
    old = old or (r0, c0, r0, c0)
    bottom, last = max(r2, old[2]), max(c2, old[3])
    cells = pkg.read_cells(sheet, r0, bottom)
    blocked = [(r, c) for (r, c), cell in cells.items()
               if r0 <= r <= r2 and c0 <= c <= c2 and (r, c) != anchor
               and not (old[0] <= r <= old[2] and old[1] <= c <= old[3])
               and (cell.formula is not None or cell.value not in (None, ""))]
    if blocked:
        return f"{sheet}!{cell_ref(*blocked[0])}"
    if old == (r0, c0, r2, c2) and not make_array and _same(cells, anchor, values, pkg.epoch):
        return None  # the spill already shows this result: the sheet stays byte for byte
    layout = Layout.scan(data, where)
    dates = date_style(pkg) if date_columns else None
    styles = []
    for j in range(last - c0 + 1):
        below = cells.get((r0 + 1, c0 + j)) or cells.get((r0, c0 + j))
        style = below.style if below is not None and below.style else layout.col_style(c0 + j)
        styles.append(dates if j in date_columns and dates is not None else style)
    rows = [[None if (i, j) == (0, 0) else (values[i][j] if i < height and j < len(values[i]) else None)
             for j in range(last - c0 + 1)] for i in range(bottom - r0 + 1)]
    new_cells = encode_rows(rows, r0, c0, styles, layout.prefix, where, None, pkg.epoch)
    new_cells.setdefault(r0, []).insert(0, (c0, _anchor_xml(data, layout, anchor, where, (r0, c0, r2, c2),
                                                           styles[0] if 0 in date_columns else None)))
    edit = _BlockEdit(data, layout, r0, c0, last, new_cells, bottom=bottom)
    new = edit.apply()
    scan = SheetScan(new, where, (r0, c0, last))
    found = {(r, c) for r, c in scan.in_region if r <= bottom}
    if found != {(r, c) for r, xs in new_cells.items() for c, _ in xs}:
        raise WorkbookError(Message(N_("{where}: unusual sheet XML: the spilled result could not be verified, the sheet "
                                       "is left as it was"), where=where))
    pkg._modified[info.part] = layout.with_dimension(new, scan.dimension())
    return None


def write_cell(pkg, sheet: str, at: tuple[int, int], value: Any) -> None:  # noqa: ANN001
    """Write one cell (a value, or a :class:`KeptCell` with a formula), the others untouched."""
    write_block(pkg, sheet, at, [[value]])


def write_block(pkg, sheet: str, at: tuple[int, int], rows: Sequence[Sequence[Any]],  # noqa: ANN001
                row_styles: Sequence[Sequence[int | None] | None] | None = None) -> None:
    """Write ``rows`` (values, or :class:`KeptCell` with a formula) from the cell ``at``: the cells of
    their columns in their rows are replaced, every other cell is untouched (unlike
    ``write_region``, which empties its columns down to the sheet's end). ``row_styles`` as there."""
    info = pkg._worksheet(sheet)
    where = pkg.where(info.part)
    data = pkg.read_part(info.part)
    require_utf8(data, where)
    layout = Layout.scan(data, where)
    r, c = at
    last, bottom = c + max(len(row) for row in rows) - 1, r + len(rows) - 1
    styles = [layout.col_style(col) for col in range(c, last + 1)]
    new_cells = encode_rows(rows, r, c, styles, layout.prefix, where, row_styles, pkg.epoch)
    new = _BlockEdit(data, layout, r, c, last, new_cells, bottom=bottom).apply()
    scan = SheetScan(new, where, (r, c, last))
    if {(x, y) for x, y in scan.in_region if x <= bottom} != {(x, y) for x, xs in new_cells.items() for y, _ in xs}:
        raise WorkbookError(Message(N_("{where}: unusual sheet XML: {cell} could not be written"), where=where,
                                    cell=cell_ref(r, c)))
    pkg._modified[info.part] = layout.with_dimension(new, scan.dimension())


def _same(cells, anchor, values, epoch) -> bool:  # noqa: ANN001
    """Whether the spill range's cells (besides the anchor) hold ``values`` already."""
    import datetime as dt

    from ...excel import to_serial

    for i, row in enumerate(values):
        for j, v in enumerate(row):
            if (i, j) == (0, 0):
                continue
            cell = cells.get((anchor[0] + i, anchor[1] + j))
            have = None if cell is None or cell.value in (None, "") else cell.value
            if isinstance(v, (dt.date, dt.datetime)):
                v = to_serial(v if isinstance(v, dt.datetime) else dt.datetime.combine(v, dt.time()), epoch)
            if isinstance(v, (int, float)) and isinstance(have, (int, float)) and not isinstance(v, bool):
                if abs(float(v) - float(have)) > 1e-9 * max(1.0, abs(float(v))):
                    return False
            elif have != v:
                return False
    return True


def _anchor_xml(data: bytes, layout: Layout, anchor: tuple[int, int], where: str,
                ref: tuple[int, int, int, int], style: int | None) -> bytes:
    """The anchor cell's bytes with its formula's range set to ``ref`` (and ``style``)."""
    row = next(r for r in layout.rows if r.number == anchor[0])
    cell = next(e for col, e, _ in row_cells(data, row, where) if col == anchor[1])
    f = cell.child(b"f")
    r1, c1, r2, c2 = ref
    span = cell_ref(r1, c1) + (f":{cell_ref(r2, c2)}" if (r2, c2) != (r1, c1) else "")
    f_tag = start_tag(f, {**f.attrs, "t": "array", "ref": span}, empty=f.self_closing)
    attrs = dict(cell.attrs)
    attrs.setdefault("r", cell_ref(*anchor))
    if style is not None:
        attrs["s"] = str(style)
    body = data[cell.open_end:f.start] + f_tag + data[f.open_end:cell.close_start]
    return start_tag(cell, attrs) + body + data[cell.close_start:cell.end]


__all__ = ["array_ranges", "write_spill", "write_cell", "date_style"]
