"""Many rows of typed columns written into a sheet in one pass (the Customers sheet's 200,000 rows).

:meth:`Package.write_region` encodes each cell from a Python value and parses the sheet around
it, which is right for a block of cells and far too slow for a table of a million cells. Here the
caller gives whole columns (NumPy arrays: numbers, dates, text, formulas with cached values), each
column's cells are encoded at once (one string operation per cell, no parse), and the rows are
spliced below the sheet's last row, found by byte search (:func:`.append.tail_of`); the new sheet
goes through expat with no Python handler (a well-formedness check in C). What is written is what
``write_region`` would write for the same values: numbers as ``repr`` (integers without ".0"), text
inline with Excel's escapes, blanks (NaN) as no cell, formulas with their cached value.

:func:`truncate` drops a sheet's rows below its first (a sheet kpi-xl owns and rewrites whole).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ...excel import EPOCH_1900, column_letter
from ...i18n import Message, N_
from .append import _grown, tail_of
from .encode import _serial, _xml_text
from .records import WorkbookError
from .sheetxml import require_utf8
from .xmlread import well_formed

if TYPE_CHECKING:
    from .spreadsheetml import Package


#: Text that needs no escape in a <t> (no &, <, >, control characters or Excel's _xHHHH_ escapes).
_PLAIN = re.compile(r"(?:[^&<>_\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|_(?!x[0-9A-Fa-f]{4}_))*", re.S)


@dataclass
class Column:
    """One column's values (one per row) and how they are written.

    ``kind``: "number" (float or int; NaN is a blank), "date" (datetime64[D]), "text" (str), or
    "formula" (``values`` the cached numbers, ``formula(rows)`` each row's formula text, or None for a
    blank cell; rows 1-based, the sheet's row numbers: asked for a part of the rows at a time);
    ``style``: the cell format index (None: none)."""

    values: np.ndarray | Sequence
    kind: str = "number"
    style: int | None = None
    formula: Callable[[np.ndarray], Sequence[str]] | None = None


def _numbers(values: np.ndarray) -> list[str | None]:
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return list(map(str, arr.astype(np.int64).tolist()))
    arr = arr.astype(np.float64)
    out: list[str | None] = list(map(repr, arr.tolist()))
    whole = np.isfinite(arr) & (arr == np.round(arr)) & (np.abs(arr) < 2**53)
    for i in np.flatnonzero(whole):
        out[i] = str(int(arr[i]))
    for i in np.flatnonzero(~np.isfinite(arr)):
        out[i] = None if np.isnan(arr[i]) else "#NUM!"
    return out


def _dates(values: np.ndarray, epoch: dt.datetime) -> list[str | None]:
    days = np.asarray(values).astype("datetime64[D]")
    ok = ~np.isnat(days)
    if not ok.any():
        return [None] * len(days)
    first = days[ok].min()
    base = _serial(first.astype(dt.date), epoch)
    if base is None or (epoch == EPOCH_1900 and base < 61):
        raise WorkbookError("dates before 1900-03-01 cannot be written in one pass")
    serial = base + (days - first).astype(np.int64)
    return [str(int(s)) if k else None for s, k in zip(serial.tolist(), ok.tolist())]


def _cells(col: Column, letter: str, rows: np.ndarray, p: str, epoch: dt.datetime) -> list[str]:
    """Each row's cell XML of ``col`` ("" for a blank)."""
    s = f' s="{col.style}"' if col.style else ""
    refs = [f"{letter}{r}" for r in rows.tolist()]
    if col.kind == "text":
        texts = [None if v is None or v == "" else str(v) for v in col.values]
        present = [t for t in texts if t is not None]
        if _PLAIN.fullmatch("".join(set(present))) is None:  # something to escape: each text through the encoder
            texts = [None if t is None else _xml_text(t) for t in texts]
        return ["" if t is None else f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{t}'
                f"</{p}t></{p}is></{p}c>" for ref, t in zip(refs, texts)]
    texts = _dates(col.values, epoch) if col.kind == "date" else _numbers(col.values)
    if col.kind == "formula":
        forms = [None if f is None else f.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                 for f in col.formula(rows)]
        return ["" if f is None else f'<{p}c r="{ref}"{s}><{p}f>{f}</{p}f>'
                + ("" if t is None else f"<{p}v>{t}</{p}v>") + f"</{p}c>" for ref, f, t in zip(refs, forms, texts)]
    return ["" if t is None else (f'<{p}c r="{ref}"{s} t="e"><{p}v>{t}</{p}v></{p}c>' if t == "#NUM!" else
                                  f'<{p}c r="{ref}"{s}><{p}v>{t}</{p}v></{p}c>')
            for ref, t in zip(refs, texts)]


def append_columns(pkg: "Package", sheet_name: str, top_row: int, first_col: int, columns: Sequence[Column]) -> None:
    """Write ``columns`` (equal lengths) from ``(top_row, first_col)`` down, below the sheet's last row."""
    sheet = pkg._worksheet(sheet_name)
    where = pkg.where(sheet.part)
    data = pkg.read_part(sheet.part)
    require_utf8(data, where)
    tail = tail_of(data, where, pkg.shared_strings)
    if tail is None:
        raise WorkbookError(Message(N_("{where}: unusual sheet XML (comments, CDATA or a DTD); cannot append rows in one "
                                       "pass"), where=where))
    n = len(columns[0].values) if columns else 0
    if any(len(c.values) != n for c in columns):
        raise WorkbookError(f"{where}: columns of different lengths")
    if not n:
        return
    if top_row <= tail.last_row:
        raise WorkbookError(Message(N_("{where}: row {row} is not below the sheet's last row ({last})"), where=where,
                                    row=top_row, last=tail.last_row))
    p = tail.prefix.decode()
    letters = [column_letter(first_col + j) for j in range(len(columns))]
    # the rows CHUNK at a time: only one chunk's cells are Python strings at once (a million cells
    # as strings, their joined text and its bytes side by side were most of predict's peak memory)
    parts = [tail.head.with_dimension(tail.data[:tail.close],  # the dimension sits before the rows
                                      _grown(tail.head, top_row + n - 1, first_col + len(columns) - 1))]
    for start in range(0, n, CHUNK):
        stop = min(start + CHUNK, n)
        rows = np.arange(top_row + start, top_row + stop)
        cells = [_cells(_part(c, start, stop), letter, rows, p, pkg.epoch) for c, letter in zip(columns, letters)]
        parts.append("".join(f'<{p}row r="{r}">' + "".join(row) + f"</{p}row>"
                             for r, *row in zip(rows.tolist(), *cells)).encode("utf-8"))
        del cells
    parts.append(tail.data[tail.close:])
    new = b"".join(parts)
    del parts
    well_formed(new, where)
    pkg.replace_part(sheet.part, new)


#: Rows encoded at a time by :func:`append_columns`.
CHUNK = 16384


def _part(col: Column, start: int, stop: int) -> Column:
    """Rows ``start:stop`` (0-based) of a column (its formulas are asked for by row number, as before)."""
    return Column(col.values[start:stop], col.kind, col.style, col.formula)


def truncate(pkg: "Package", sheet_name: str) -> bool:
    """Drop every row of ``sheet_name`` below its first (its header row); False (nothing done) when its
    XML is unusual or its first row is not row 1."""
    sheet = pkg._worksheet(sheet_name)
    where = pkg.where(sheet.part)
    data = pkg.read_part(sheet.part)
    tail = tail_of(data, where, pkg.shared_strings)
    if tail is None or tail.last_row <= 1:
        return tail is not None
    p = tail.prefix
    start = data.find(b"<" + p + b"sheetData>")
    first = data.find(b"<" + p + b"row", start)
    if start < 0 or first < 0 or not data.startswith(b'<' + p + b'row r="1"', first):
        return False
    end = data.find(b"</" + p + b"row>", first)
    if end < 0 or end > tail.close:
        return False
    end += len(b"</" + p + b"row>")
    new = data[:end] + data[tail.close:]
    d = tail.head.dimension
    ref = d.attrs.get("ref", "") if d is not None else ""
    if ":" in ref:  # the same columns, one row
        a, b = ref.split(":", 1)
        new = tail.head.with_dimension(new, f"{a}:{b.rstrip('0123456789')}1")
    pkg.replace_part(sheet.part, new)
    return True


__all__ = ["Column", "append_columns", "truncate"]
