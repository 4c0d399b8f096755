"""Cells of a sheet as :class:`Cell` tuples, formulas included: a hand-written loop
over the C parser's elements. python-calamine reads values faster (kpi-xl reads
its inputs with it) but gives no formulas, styles or shared-formula indexes, and
reads error results as blanks: formula cells and their cached results come from
here, and only them when ``formulas_only`` (no value cell is made, no shared
string loaded unless a formula's result is one).

Speed: 100k rows x 10 columns in about 8 s on a busy 2-vCPU machine (openpyxl's
read-only mode: 12 s, python-calamine: 1.3 s), about half of it the C parser.
"""

from __future__ import annotations

import contextlib
import gc
from typing import Any, Iterator
from xml.etree import ElementTree as ET

from ...errors import error_value
from ...excel import cell_ref, split_ref
from ...i18n import Message, N_
from .records import Cell, WorkbookError
from .xmlread import Tags, rich_text, unescape_x

_COLS: dict[str, int] = {}  # "AB" -> 28, filled as references are met


def _number(text: str) -> int | float:
    if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
        return int(text)
    return float(text)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while a million cells are made (it would walk them again and again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class RowReader:
    """Turns ``<row>`` elements into :class:`Cell` values (the hot loop of read_cells)."""

    def __init__(self, tags: Tags, shared_strings, where: str, formulas_only: bool = False) -> None:
        self.row_tag = tags.row_
        self.formulas_only = formulas_only
        self.tags = tags
        self._shared_strings = shared_strings
        self._sst: list[str] | None = None
        self.where = where

    def read(self, row: ET.Element, row_no: int, out: dict) -> None:
        c_tag, v_tag = self.tags.c_, self.tags.v_
        suffix = str(row_no)
        n = len(suffix)
        cols, new, value_of, formulas_only = _COLS, tuple.__new__, self.value, self.formulas_only
        col = 0
        ref = None
        try:
            for c in row:
                if c.tag != c_tag:
                    continue
                get = c.get
                ref = get("r")
                if ref is None:
                    col += 1
                elif not (ref.endswith(suffix) and (col := cols.get(ref[:-n], 0))):
                    col = self._column(ref, row_no)
                if len(c) == 1 and (first := c[0]).tag == v_tag:  # the common case: just a value
                    if formulas_only:
                        continue
                    v, formula, si, inline = first.text, None, None, None
                else:
                    v, formula, si, inline = self._children(c)
                    if formulas_only and formula is None:
                        continue
                t = get("t")
                if t is None or t == "n":
                    t, value = "n", None if not v else (int(v) if v.isdigit() else _number(v))
                else:
                    value = value_of(t, v, inline)
                s = get("s")
                out[(row_no, col)] = new(Cell, (value, formula, int(s) if s else 0, t, si))
        except (ValueError, IndexError) as exc:
            raise WorkbookError(Message(N_("{where}: bad cell {cell} ({reason})"), where=self.where,
                                            cell=ref or cell_ref(row_no, col), reason=str(exc))) from None

    def _children(self, c: ET.Element) -> tuple[str | None, str | None, int | None, ET.Element | None]:
        """``(<v> text, <f> text, shared formula index, <is> element)`` of a cell."""
        v = formula = si = inline = None
        for child in c:
            tag = child.tag
            if tag == self.tags.v_:
                v = child.text or ""  # <v></v>: an empty text result, not a missing one
            elif tag == self.tags.f_:
                formula = child.text or ""
                if child.get("t") == "shared" and child.get("si") is not None:
                    si = int(child.get("si"))
            elif tag == self.tags.is_:
                inline = child
        return v, formula, si, inline

    def _column(self, ref: str, row_no: int) -> int:
        row, col = split_ref(ref)
        if row != row_no:
            raise ValueError(f"cell reference {ref} in row {row_no}")
        _COLS[ref[:len(ref) - len(str(row))]] = col
        return col

    def value(self, t: str, v: str | None, inline: ET.Element | None) -> Any:
        if t == "s":
            if not v:
                return None
            if self._sst is None:
                self._sst = self._shared_strings()
            return self._sst[int(v)]
        if t == "inlineStr":
            return rich_text(inline, self.tags) if inline is not None else unescape_x(v or "")
        if t == "str":  # a formula's text result; None when the formula has none saved
            return None if v is None else unescape_x(v)
        if t == "b":
            return None if not v else v.strip() in ("1", "true")
        if t == "e":
            return error_value(v)
        return v  # "d": an ISO 8601 date as text


def with_errors(values: list[list[Any]], errors: dict[tuple[int, int], str],
                origin: tuple[int, int] = (0, 0)) -> list[list[Any]]:
    """A sheet's values (as python-calamine gives them: an error value as a blank, "") with each
    error cell (``{(row, col): "#N/A"}``, 1-based, as :meth:`Package.error_cells` finds them) holding
    its error again: an :class:`XlError`, or the code as text for one kpi-xl does not know
    (``#SPILL!``). ``values[0][0]`` is the cell ``origin`` (0-based row and column) below and right
    of A1. So a goal that reads it says which cell holds what, and a formula over it gives the
    error, as in Excel, never a silent blank."""
    top, left = origin
    for (r, c), code in errors.items():
        i, j = r - 1 - top, c - 1 - left
        if 0 <= i < len(values) and 0 <= j < len(values[i]) and values[i][j] == "":
            values[i][j] = error_value(code)
    return values
