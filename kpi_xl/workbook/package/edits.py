"""The new bytes of a sheet after an edit: one region's cells replaced
(:class:`RegionEdit`) or formula cells' cached values replaced
(:class:`CachedValueEdit`). Every byte outside the touched ``<row>``/``<c>``
elements is copied as it was.
"""

from __future__ import annotations

from typing import Any, Mapping

import datetime as dt

from ...excel import EPOCH_1900, cell_ref
from ...i18n import Message, N_
from .encode import cell_xml, encode_value
from .records import WorkbookError
from .sheetxml import Elem, Layout, Row, row_cells, start_tag


def _with_r(data: bytes, elem: Elem, ref: str) -> bytes:
    """An element's bytes with an ``r`` attribute first."""
    return start_tag(elem, {"r": ref, **elem.attrs}, empty=elem.self_closing) + data[elem.open_end:elem.end]


def _open_row_tag(row: Row) -> bytes:
    """A touched row's start tag: no ``spans``, not self-closing, with ``r``."""
    attrs = {k: v for k, v in row.elem.attrs.items() if k != "spans"}
    return start_tag(row.elem, attrs if row.has_r else {"r": str(row.number), **attrs})


def _plain_row(row: Row) -> bool:
    """A row without formatting of its own (only r, spans, dyDescent): dropped when empty."""
    return all(k in ("r", "spans") or k.endswith("dyDescent") for k in row.elem.attrs)


def formula_of(cell: Elem) -> Elem | None:
    return cell.child(b"f")


class RegionEdit:
    """The new bytes of a sheet with one region's cells replaced."""

    def __init__(self, data: bytes, layout: Layout, top_row: int, first_col: int, last_col: int,
                 new_cells: dict[int, list[tuple[int, bytes]]]) -> None:
        self.data, self.layout = data, layout
        self.top_row, self.first_col, self.last_col = top_row, first_col, last_col
        self.new_cells = new_cells
        self.removed_formula = False
        self.cut_masters: dict[int, str] = {}  # shared-formula si -> its master cell, deleted

    def apply(self) -> bytes:
        data, sd = self.data, self.layout.data
        rows = self.layout.rows
        k = next((i for i, r in enumerate(rows) if r.number >= self.top_row), len(rows))
        if k < len(rows):
            head_end, tail_start = rows[k].elem.start, rows[-1].elem.end
        else:
            head_end = tail_start = rows[-1].elem.end if rows else sd.open_end
        middle = self._rows(rows[k:])
        if sd.self_closing:
            open_tag = start_tag(sd)
            return data[:sd.start] + open_tag + middle + b"</" + sd.prefix + b"sheetData>" + data[sd.end:]
        return data[:head_end] + middle + data[tail_start:]

    def _rows(self, existing: list[Row]) -> bytes:
        by_number = {r.number: r for r in existing}
        numbers = sorted(set(by_number) | set(self.new_cells))
        out = []
        for n in numbers:
            row = by_number.get(n)
            out.append(self._row(row) if row else self._new_row(n))
        return b"".join(out)

    def _new_row(self, n: int) -> bytes:
        p = self.layout.prefix
        cells = b"".join(xml for _col, xml in self.new_cells[n])
        return b"<" + p + b'row r="' + str(n).encode() + b'">' + cells + b"</" + p + b"row>"

    def _row(self, row: Row) -> bytes:
        data = self.data
        cells = row_cells(data, row, self.layout.where)
        new = self.new_cells.get(row.number, [])
        inside = [(col, e) for col, e, _ in cells if self.first_col <= col <= self.last_col]
        if not inside and not new:
            return data[row.elem.start:row.elem.end]
        for col, cell in inside:
            self._note_removed(cell, row.number, col)
        kept = [(col, _cell_bytes(data, e, has_r, row.number, col)) for col, e, has_r in cells
                if not self.first_col <= col <= self.last_col]
        merged = b"".join(xml for _col, xml in sorted(kept + new, key=lambda t: t[0]))
        e = row.elem
        if e.self_closing:
            head, tail, close = b"", b"", b"</" + e.prefix + b"row>"
        else:
            head = data[e.open_end:cells[0][1].start] if cells else b""
            tail = data[cells[-1][1].end:e.close_start] if cells else data[e.open_end:e.close_start]
            close = data[e.close_start:e.end]
        if not merged and not (head + tail).strip() and _plain_row(row):
            return b""
        return _open_row_tag(row) + head + merged + tail + close

    def _note_removed(self, cell: Elem, row: int, col: int) -> None:
        f = formula_of(cell)
        if f is None:
            return
        self.removed_formula = True
        a = f.attrs
        if a.get("t") == "shared" and a.get("ref") and a.get("si", "").isdigit():
            self.cut_masters[int(a["si"])] = cell_ref(row, col)


def _cell_bytes(data: bytes, cell: Elem, has_r: bool, row: int, col: int) -> bytes:
    return data[cell.start:cell.end] if has_r else _with_r(data, cell, cell_ref(row, col))


class CachedValueEdit:
    """The new bytes of a sheet with cached values of formula cells replaced."""

    def __init__(self, data: bytes, layout: Layout, values: Mapping[tuple[int, int], Any], where: str,
                 epoch: dt.datetime = EPOCH_1900) -> None:
        self.data, self.layout, self.where = data, layout, where
        self.values = values
        self.epoch = epoch  # the workbook's date system, for dates among the values

    def apply(self) -> bytes:
        wanted: dict[int, dict[int, Any]] = {}
        for (row, col), value in self.values.items():
            wanted.setdefault(row, {})[col] = value
        edits = []  # (start, end, new bytes)
        rows = {r.number: r for r in self.layout.rows if r.number in wanted}
        for n, cols in sorted(wanted.items()):
            if n not in rows:
                raise WorkbookError(Message(N_("{where}: {cell} is not a formula cell (row {row} is empty)"),
                                            where=self.where, cell=cell_ref(n, min(cols)), row=n))
            cells = {col: e for col, e, _ in row_cells(self.data, rows[n], self.where)}
            for col, value in sorted(cols.items()):
                cell = cells.get(col)
                if cell is None or formula_of(cell) is None:
                    raise WorkbookError(Message(N_("{where}: {cell} is not a formula cell"), where=self.where,
                                                cell=cell_ref(n, col)))
                edits.append((cell.start, cell.end, self._cell(cell, value, cell_ref(n, col))))
        out, pos = [], 0
        for start, end, xml in edits:
            out += [self.data[pos:start], xml]
            pos = end
        return b"".join(out) + self.data[pos:]

    def _cell(self, cell: Elem, value: Any, ref: str) -> bytes:
        data = self.data
        encoded = encode_value(value, formula=True, where=f"{self.where}: {ref}", epoch=self.epoch)
        t, text = encoded if encoded else (None, None)
        attrs = {k: v for k, v in cell.attrs.items() if k != "t"}
        tag = start_tag(cell, {**attrs, "t": t} if t else attrs)
        f, v = cell.child(b"f"), cell.child(b"v")
        new_v = b"" if encoded is None else (b"<" + f.prefix + b"v>" + text.encode() + b"</" + f.prefix + b"v>")
        if v is not None:
            content = data[cell.open_end:v.start] + new_v + data[v.end:cell.close_start]
        else:
            content = data[cell.open_end:f.end] + new_v + data[f.end:cell.close_start]
        return tag + content + data[cell.close_start:cell.end]



class FrozenEdit(CachedValueEdit):
    """The new bytes of a sheet with formula cells replaced by their values (style kept)."""

    def _cell(self, cell: Elem, value: Any, ref: str) -> bytes:
        style = cell.attrs.get("s", "")
        style = int(style) if style.isdigit() else None
        p = cell.prefix.decode()
        xml = cell_xml(ref, value, style, p, f"{self.where}: {ref}", self.epoch)
        if xml is None:  # a blank: the empty cell keeps its format
            xml = f'<{p}c r="{ref}"' + (f' s="{style}"' if style else "") + "/>"
        return xml.encode("utf-8")
