"""Compute the formulas people typed, without Excel, so viewers see their results.

A workbook written or refreshed by a Python library carries no computed results,
so Excel without the add-in, LibreOffice and phone viewers show #NAME? in every
KPI formula. At refresh kpi-xl evaluates those formulas itself and stores each
result as the cell's cached value.

The evaluator parses with openpyxl's formula tokenizer and covers what KPI
sheets use: numbers, text, booleans, errors, arrays ``{1;2}``; cell and range
references on any sheet (``A1``, ``'Sheet'!$B$2:$B$9``, whole columns), Excel
Table column references (``Orders[Amount]``), defined names; operators
``+ - * / ^ & % = <> < > <= >=`` with arrays element by element; every kpi-xl
worksheet function; and these native functions: SUM, COUNT, COUNTA, AVERAGE,
MIN, MAX, SUMIFS, COUNTIFS, AVERAGEIFS, MAXIFS, MINIFS, COUNTIF, SUMIF, IF,
IFERROR, INDEX, MATCH, DATE, YEAR, MONTH, DAY, EOMONTH, TODAY, ABS, ROUND, AND, OR,
NOT, RRI.

Speed: each range (a table column, ``A2:A100000``) is read once per evaluation
and kept; the ``...IFS`` criteria run as NumPy masks over its classified cells
(:mod:`kpi_xl.workbook.criteria`), so many formulas over a big table cost little.
Anything else (FILTER, XLOOKUP, LET, INDIRECT, other sheets' dynamic arrays...)
is reported as not evaluated and its cell keeps the value it had.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import DIV0, NA, NUM, VALUE, ERROR_CODES, XlError
from ..excel import EPOCH_1900, column_index, column_letter, split_ref, to_serial
from ..i18n import Message, MessageError, N_
from ..functions import calling, registry
from . import criteria
from .package import with_errors



@functools.lru_cache(maxsize=1)
def _tokenizer():
    """openpyxl's formula ``Tokenizer`` class. Its module needs only :mod:`re`, but importing it the
    usual way runs openpyxl's ``__init__`` (the whole library: 0.1 s of every refresh); so it is
    loaded from its file on its own, and the usual way if openpyxl has it elsewhere or is loaded."""
    import importlib.util
    import sys

    loaded = sys.modules.get("openpyxl.formula.tokenizer")
    if loaded is not None:
        return loaded.Tokenizer
    try:
        spec = importlib.util.find_spec("openpyxl")  # finds the package without running its __init__
        path = Path(spec.origin).parent / "formula" / "tokenizer.py"
        alone = importlib.util.spec_from_file_location("kpi_xl._openpyxl_formula_tokenizer", path)
        module = importlib.util.module_from_spec(alone)
        alone.loader.exec_module(module)
        return module.Tokenizer
    except Exception:  # noqa: BLE001 - another layout of openpyxl: the ordinary import
        from openpyxl.formula.tokenizer import Tokenizer

        return Tokenizer


@functools.lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple:
    """The tokens of formula ``text`` (with its "="), white space left out: read once per formula
    (the check for a constant formula and its evaluation both read them). Raises the tokenizer's
    own errors."""
    return tuple(t for t in _tokenizer()(text).items if t.type != "WHITE-SPACE")


def _constant(formula: str) -> bool:
    """Whether ``formula`` references nothing and calls only kpi-xl functions (:func:`kpi_xl.workbook.memo.constant`)."""
    from .memo import constant

    try:
        return constant(_tokens(formula if formula.startswith("=") else "=" + formula))
    except Exception:  # noqa: BLE001 - the tokenizer's own errors: evaluated (and reported) as usual
        return False


class Unsupported(MessageError):
    """A construct or function the evaluator does not know (the cell keeps its value); its
    message says which, in no language yet."""


_m = Message


def serial(v: Any, epoch: dt.datetime = EPOCH_1900) -> Any:
    """A date as a serial number of the workbook's date system (1900 or 1904)."""
    return to_serial(v, epoch) if isinstance(v, dt.date) else v


_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_COLS = re.compile(r"^\$?([A-Za-z]{1,3})$")


@dataclass(frozen=True)
class TableRange:
    """Where an Excel Table's data rows are, as the evaluator reads ``Table[Column]``."""

    sheet: str
    first_row: int  # the first data row (below the header), 1-based
    first_col: int
    last_row: int  # the last data row (above a totals row)
    columns: list[str]


@dataclass
class FormulaContext:
    """What the evaluator reads: sheet values (1-based (row, col) → value), formulas, tables, names."""

    values: Callable[[str], list[list[Any]]]  # sheet → rows of values (cached results for formulas)
    formulas: dict[tuple[str, int, int], str]  # cells to evaluate: (sheet, row, col) → "=..."
    tables: dict[str, TableRange]  # lower-case table name → its data rows
    names: dict[str, str] = field(default_factory=dict)  # defined name → what it refers to (a range or a formula)
    overlay: dict[tuple[str, int, int], Any] = field(default_factory=dict)  # values written in this refresh
    today: dt.date = field(default_factory=dt.date.today)
    epoch: dt.datetime = EPOCH_1900  # day 0 of the workbook's serial numbers (1904 system: 1904-01-01)
    lang: str | None = None  # the workbook's language: a function's words (STATUS) when no language is given
    memo: Any = None  # a :class:`~kpi_xl.workbook.memo.FormulaMemo`: constant formulas' results kept between runs


class Evaluator:
    def __init__(self, context: FormulaContext):
        self.context = context
        self.done: dict[tuple[str, int, int], Any] = {}
        self.busy: set[tuple[str, int, int]] = set()
        self._last: dict[str, int] = {}
        self._blocks: dict[tuple[str, int, int, int, int], np.ndarray] = {}  # ranges read, each once
        self._columns: dict[int, tuple[np.ndarray, criteria.Column]] = {}  # id of a range read → its cells classified
        self._block_ids: set[int] = set()
        self._special: dict[str, dict[int, list[int]]] | None = None  # sheet → column → rows written or computed
        self._spilled: dict[tuple, Any] = {}  # (sheet, row or None, function, call text) → a spilling function's result

    # ------------------------------------------------------------ cells
    def cell(self, sheet: str, row: int, col: int) -> Any:
        if row < 1 or col < 1:  # A0 (a crafted file): no such cell, never a negative index
            raise Unsupported(_m(N_("invalid reference to row {row} of {sheet}"), row=row, sheet=sheet))
        key = (sheet, row, col)
        if key in self.context.overlay:
            return serial(self.context.overlay[key], self.context.epoch)
        if key in self.context.formulas:
            return self.formula_cell(key)
        rows = self.context.values(sheet)
        if row - 1 < len(rows) and col - 1 < len(rows[row - 1]):
            v = rows[row - 1][col - 1]
            return None if v == "" else serial(v, self.context.epoch)
        return None

    def formula_cell(self, key: tuple[str, int, int]) -> Any:
        if key in self.done:
            return self.done[key]
        if key in self.busy:
            raise Unsupported(_m(N_("circular reference at {cell}"), cell=f"{key[0]}!{column_letter(key[2])}{key[1]}"))
        self.busy.add(key)
        try:
            formula, kept = self.context.formulas[key], None
            if self.context.memo is not None and _constant(formula):
                kept = self.context.memo.key(formula, self.context.lang, self.context.epoch)
                found, value = self.context.memo.get(kept)
                if found:
                    self.done[key] = value
                    return value
            value = self.evaluate(formula, key[0], key[1])
            if isinstance(value, np.ndarray):  # a spill: the cell shows its first value
                value = value.reshape(-1)[0] if value.size else None
            elif kept is not None:
                self.context.memo.put(kept, value)
            self.done[key] = value
            return value
        finally:
            self.busy.discard(key)

    def last_row(self, sheet: str) -> int:
        """The last row with a value: in the file, or written by this refresh."""
        if sheet not in self._last:
            written = [r for (s, r, _c) in self.context.overlay if s == sheet]
            self._last[sheet] = max([len(self.context.values(sheet)), *written])
        return self._last[sheet]

    def block(self, sheet: str, r1: int, c1: int, r2: int, c2: int) -> np.ndarray:
        """The values of a range (read-only; read once per evaluation, then reused)."""
        if min(r1, c1, r2, c2) < 1:
            raise Unsupported(_m(N_("invalid reference to row {row} of {sheet}"), row=min(r1, r2), sheet=sheet))
        r2 = min(r2, max(self.last_row(sheet), r1))
        key = (sheet, r1, c1, r2, c2)
        if key in self._blocks:
            return self._blocks[key]
        epoch, height = self.context.epoch, r2 - r1 + 1
        body = self.context.values(sheet)[r1 - 1:r2]
        out = np.empty((height, c2 - c1 + 1), dtype=object)
        full = min(map(len, body), default=0)  # rows as python-calamine gives them are all this long
        for j in range(c2 - c1 + 1):
            i = c1 - 1 + j
            column = (list(map(operator.itemgetter(i), body)) if i < full else
                      [row[i] if i < len(row) else None for row in body])
            if any(issubclass(t, (str, dt.date)) for t in set(map(type, column))):  # blanks as None, dates as serials
                try:  # each distinct date converted once (a date column repeats its days)
                    memo = {v: to_serial(v, epoch) for v in set(column) if isinstance(v, dt.date)}
                    memo[""] = None
                    column = [memo.get(v, v) for v in column]
                except TypeError:  # a value that cannot be a key (not one a sheet holds)
                    column = [None if v == "" else to_serial(v, epoch) if isinstance(v, dt.date) else v
                              for v in column]
            out[:len(column), j] = column
            out[len(column):, j] = None
        for c, rows in self.special_cells(sheet).items():  # written by this refresh, or formulas
            if c1 <= c <= c2:
                for r in rows:
                    if r1 <= r <= r2:
                        out[r - r1, c - c1] = self.cell(sheet, r, c)
        out.flags.writeable = False
        self._blocks[key] = out
        self._block_ids.add(id(out))
        return out

    def special_cells(self, sheet: str) -> dict[int, list[int]]:
        """The cells of ``sheet`` whose value is not the file's: written in this refresh or formulas."""
        if self._special is None:
            self._special = {}
            for s, r, c in [*self.context.overlay, *self.context.formulas]:
                self._special.setdefault(s, {}).setdefault(c, []).append(r)
        return self._special.get(sheet, {})

    def column(self, values: Any) -> criteria.Column:
        """A range's cells classified for criteria and aggregates; kept for a range read by :meth:`block`."""
        if isinstance(values, np.ndarray):
            found = self._columns.get(id(values))
            if found is not None and found[0] is values:
                return found[1]
            col = criteria.Column(values, self.context.epoch)
            if id(values) in self._block_ids:  # a range read (kept alive by the cache, so its id is its own)
                self._columns[id(values)] = (values, col)
            return col
        return criteria.Column(np.array([values], dtype=object), self.context.epoch)

    # ---------------------------------------------------------- parsing
    def evaluate(self, formula: str, sheet: str, row: int | None = None) -> Any:
        """The value of ``formula`` written on ``sheet`` (in ``row``: what ``Table[@Column]`` reads)."""
        text = formula if formula.startswith("=") else "=" + formula
        try:
            tokens = _tokens(text)
        except Exception as exc:  # noqa: BLE001 - the tokenizer's own errors
            raise Unsupported(_m(N_("cannot read the formula '{formula}' ({error})"), formula=formula, error=exc)) from None
        saved = (getattr(self, "tokens", None), getattr(self, "pos", 0), getattr(self, "sheet", sheet),
                 getattr(self, "row", None))
        if row is None:  # a named formula is evaluated in the row of the cell that uses it
            row = getattr(self, "row", None)
        self.tokens, self.pos, self.sheet, self.row = tokens, 0, sheet, row
        try:
            value = self.expr(0)
            if self.pos != len(self.tokens):
                raise Unsupported(_m(N_("unexpected '{token}' in the formula '{formula}'"),
                                     token=self.tokens[self.pos].value, formula=formula))
            return value
        finally:  # a referenced formula cell is evaluated in the middle of another
            self.tokens, self.pos, self.sheet, self.row = saved

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    _INFIX = {"=": 1, "<>": 1, "<": 1, ">": 1, "<=": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}

    def expr(self, min_prec: int) -> Any:
        left = self.unary()
        while True:
            t = self.peek()
            if t is None or t.type != "OPERATOR-INFIX" or self._INFIX.get(t.value, -1) < min_prec:
                return left
            prec = self._INFIX[t.value]
            self.pos += 1
            right = self.expr(prec + (0 if t.value == "^" else 1))
            left = binary(t.value, left, right)

    def unary(self) -> Any:
        t = self.peek()
        if t is not None and t.type == "OPERATOR-PREFIX":
            self.pos += 1
            v = self.unary()
            return lift(lambda x: x if t.value == "+" else _neg(x), v)
        v = self.postfix()
        return v

    def postfix(self) -> Any:
        v = self.primary()
        while (t := self.peek()) is not None and t.type == "OPERATOR-POSTFIX" and t.value == "%":
            self.pos += 1
            v = lift(lambda x: _num(x) / 100 if not isinstance(_num(x), XlError) else _num(x), v)
        return v

    def primary(self) -> Any:
        t = self.peek()
        if t is None:
            raise Unsupported(_m(N_("the formula ends too early")))
        self.pos += 1
        if t.type == "OPERAND":
            return self.operand(t)
        if t.type == "FUNC" and t.subtype == "OPEN":
            return self.call(t.value[:-1].upper())
        if t.type == "PAREN" and t.subtype == "OPEN":
            v = self.expr(0)
            self.expect("PAREN", "CLOSE")
            return v
        if t.type == "ARRAY" and t.subtype == "OPEN":
            return self.array()
        raise Unsupported(_m(N_("unexpected '{token}'"), token=t.value))

    def expect(self, type_: str, subtype: str) -> None:
        t = self.peek()
        if t is None or t.type != type_ or t.subtype != subtype:
            raise Unsupported(_m(N_("the formula's parentheses do not pair up")))
        self.pos += 1

    def array(self) -> np.ndarray:
        rows, row = [], []
        while True:
            t = self.peek()
            if t is None:
                raise Unsupported(_m(N_("an array constant without its closing brace")))
            if t.type == "ARRAY" and t.subtype == "CLOSE":
                self.pos += 1
                rows.append(row)
                break
            if t.type == "SEP":
                self.pos += 1
                if t.subtype == "ROW":
                    rows.append(row)
                    row = []
                continue
            row.append(self.unary())
        out = np.empty((len(rows), len(rows[0])), dtype=object)
        for i, r in enumerate(rows):
            out[i, :] = r
        return out

    def args(self) -> list[Any]:
        out = []
        t = self.peek()
        if t is not None and t.type == "FUNC" and t.subtype == "CLOSE":
            self.pos += 1
            return out
        while True:
            t = self.peek()
            if t is not None and (t.type == "SEP" and t.subtype == "ARG" or t.type == "FUNC" and t.subtype == "CLOSE"):
                out.append(None)  # an omitted argument
            else:
                out.append(self.expr(0))
            t = self.peek()
            if t is None:
                raise Unsupported(_m(N_("a function without its closing parenthesis")))
            self.pos += 1
            if t.type == "FUNC" and t.subtype == "CLOSE":
                return out

    def call(self, name: str) -> Any:
        start = self.pos
        args = self.args()
        name = name.removeprefix("_XLFN.").removeprefix("_XLWS.")
        fn = NATIVE.get(name)
        if fn is not None:
            return fn(self, *args)
        kpi = registry.find(name)
        if kpi is not None:
            params = list(inspect.signature(kpi.core).parameters)
            if self.context.lang and "language" in params and len(args) <= params.index("language"):
                defaults = [p.default for p in inspect.signature(kpi.core).parameters.values()]
                args = [*args, *defaults[len(args):params.index("language")], self.context.lang]

            def computed():
                values = [self.udf_arg(a) for a in args]
                if kpi.reads_workbook:  # P_ALIVE(E2, F2, G2): the parameters from the fitted model's names
                    values = calling.with_workbook_values(kpi, values, self.defined_name_value)
                return calling.call(kpi.name, *values)

            if kpi.spills == "no":
                return computed()
            # a result that spills is read cell by cell (=INDEX(F(...),n,m) in each): computed once
            span = self.tokens[start:self.pos]
            text = "".join(str(t.value) for t in span)
            # what the row of the cell changes: this-row references, ROW(), COLUMN(), a defined name (it may hold them)
            by_row = re.search(r"\[@|this row|\bROW\(|\bCOLUMN\(", text, re.I) or any(
                t.type == "OPERAND" and t.subtype == "RANGE" and self.name(t.value) is not None for t in span)
            key = (self.sheet, self.row if by_row else None, name, text)
            if key not in self._spilled:
                self._spilled[key] = computed()
            return self._spilled[key]
        raise Unsupported(_m(N_("function {name} is computed by Excel only, not by kpi-xl"), name=name))

    def udf_arg(self, a: Any) -> Any:
        """What xlwings hands a worksheet function: a 2-D array for a range (float64 with NaN
        blanks when it holds only numbers and blanks, as xlwings' NumPy converter does), else the value."""
        if isinstance(a, np.ndarray) and id(a) in self._block_ids:
            col = self.column(a)
            if np.all((col.kinds == criteria.NUMBER) | (col.kinds == criteria.BLANK)):
                return np.where(col.kinds == criteria.BLANK, np.nan, col.num).reshape(a.shape)
        return _as_udf_arg(a)

    def operand(self, t) -> Any:
        v = t.value
        if t.subtype == "NUMBER":
            return float(v)
        if t.subtype == "TEXT":
            return v[1:-1].replace('""', '"')
        if t.subtype == "LOGICAL":
            return v.upper() == "TRUE"
        if t.subtype == "ERROR":
            return XlError(v) if v in ERROR_CODES else VALUE
        return self.reference(v)

    def reference(self, ref: str) -> Any:
        sheet = self.sheet
        m = re.match(r"^([A-Za-z_][\w.]*)\[(.*)\]$", ref)
        if m:
            return self.table_ref(m.group(1), m.group(2))
        if "!" in ref:
            sheet, ref = ref.rsplit("!", 1)
            sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        named = self.name(ref)
        if named is not None:  # a named range or a named formula: evaluated where it is used
            return self.evaluate(named, sheet)
        parts = ref.split(":")
        if len(parts) == 1:
            m = _CELL.match(parts[0])
            if not m:
                raise Unsupported(_m(N_("a reference kpi-xl cannot read: {ref}"), ref=ref))
            return self.cell(sheet, int(m.group(2)), column_index(m.group(1)))
        a, b = parts
        ma, mb = _CELL.match(a), _CELL.match(b)
        if ma and mb:
            return self.block(sheet, int(ma.group(2)), column_index(ma.group(1)),
                              int(mb.group(2)), column_index(mb.group(1)))
        ca, cb = _COLS.match(a), _COLS.match(b)
        if ca and cb:
            return self.block(sheet, 1, column_index(ca.group(1)), max(self.last_row(sheet), 1), column_index(cb.group(1)))
        raise Unsupported(_m(N_("a reference kpi-xl cannot read: {ref}"), ref=ref))

    def defined_name_value(self, name: str) -> Any:
        """The value of the one cell (or constant) the defined name ``name`` stands for, as a
        worksheet function reads it from its workbook; None when there is no such name or it
        cannot be read as one value (the function then answers as if it were left out)."""
        ref = self.name(name)
        if ref is None:
            return None
        try:
            value = self.evaluate(ref, self.sheet)
        except Unsupported:
            return None
        if isinstance(value, np.ndarray):
            return value.reshape(-1)[0] if value.size == 1 else None
        return value

    def name(self, ref: str) -> str | None:
        """What a defined name refers to (names are case-insensitive), or None."""
        names = self.context.names
        if ref in names:
            return names[ref]
        if not names:
            return None
        if not hasattr(self, "_names_folded"):
            self._names_folded = {k.casefold(): v for k, v in names.items()}
        return self._names_folded.get(ref.casefold())

    def table_ref(self, table: str, inner: str) -> np.ndarray:
        info = self.context.tables.get(table.lower())
        if info is None:
            raise Unsupported(_m(N_("no table named {table}"), table=table))
        sheet, r1, c1, r2, columns = info.sheet, info.first_row, info.first_col, info.last_row, info.columns
        col, this_row = _table_column(inner)
        lookup = {c.lower(): i for i, c in enumerate(columns)}
        if col.lower() not in lookup:
            raise Unsupported(_m(N_("table {table} has no column {column}"), table=table, column=col))
        c = c1 + lookup[col.lower()]
        if this_row:  # Table[@Column]: the cell of this formula's row (Excel: #VALUE! outside the table's rows)
            row = getattr(self, "row", None)
            if row is None or self.sheet != sheet or not r1 <= row <= r2:
                return VALUE
            return self.cell(sheet, row, c)
        return self.block(sheet, r1, c, r2, c)


def _table_column(inner: str) -> tuple[str, bool]:
    """The column a structured reference names and whether it is this row's cell:
    ``Amount``, ``[Amount]``, ``@Amount``, ``@[Amount]``, ``[#This Row],[Amount]``, ``[#Data],[Amount]``.
    Other specifiers (``#All``, ``#Headers``, ``#Totals``, column spans) are not computed."""
    text = inner.strip()
    this_row = text.startswith("@")
    if this_row:
        text = text[1:].strip()
    parts = re.findall(r"\[([^\[\]]*)\]", text) if text.startswith("[") else [text]
    if text.startswith("[") and "".join(f"[{p}]" for p in parts) != re.sub(r"\]\s*,\s*\[", "][", text):
        raise Unsupported(_m(N_("a structured reference kpi-xl cannot read: [{specifier}]"), specifier=inner))
    specials = [p.strip().lower() for p in parts if p.strip().startswith("#")]
    names = [p.strip() for p in parts if not p.strip().startswith("#")]
    if any(p not in ("#this row", "#data") for p in specials) or len(names) != 1:
        raise Unsupported(_m(N_("a structured reference kpi-xl cannot read: [{specifier}]"), specifier=inner))
    return names[0], this_row or "#this row" in specials


# ------------------------------------------------------------------ values


def _num(x: Any) -> Any:
    if isinstance(x, XlError):
        return x
    if x is None:
        return 0.0
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            return VALUE
    return VALUE


def _neg(x: Any) -> Any:
    n = _num(x)
    return n if isinstance(n, XlError) else -n


def lift(fn: Callable[..., Any], *args: Any) -> Any:
    """Apply a scalar function element by element when an argument is an array."""
    arrays = [a for a in args if isinstance(a, np.ndarray)]
    if not arrays:
        return fn(*args)
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    out = np.empty(shape, dtype=object)
    expanded = [np.broadcast_to(a, shape) if isinstance(a, np.ndarray) else a for a in args]
    for idx in np.ndindex(shape):
        out[idx] = fn(*[e[idx] if isinstance(e, np.ndarray) else e for e in expanded])
    return out


def _text(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _compare(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, XlError):
        return a
    if isinstance(b, XlError):
        return b
    a = "" if a is None and isinstance(b, str) else (0.0 if a is None else a)
    b = "" if b is None and isinstance(a, str) else (0.0 if b is None else b)
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    elif isinstance(a, str) != isinstance(b, str):
        return op in ("<>",) if op in ("=", "<>") else (op in (">", ">=")) == isinstance(a, str)
    return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def binary(op: str, left: Any, right: Any) -> Any:
    def scalar(a: Any, b: Any) -> Any:
        if op == "&":
            if isinstance(a, XlError):
                return a
            if isinstance(b, XlError):
                return b
            return _text(a) + _text(b)
        if op in ("=", "<>", "<", ">", "<=", ">="):
            return _compare(op, a, b)
        x, y = _num(a), _num(b)
        if isinstance(x, XlError):
            return x
        if isinstance(y, XlError):
            return y
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "/":
            return DIV0 if y == 0 else x / y
        try:
            r = x ** y
        except (OverflowError, ZeroDivisionError):
            return NUM
        return NUM if isinstance(r, complex) or not math.isfinite(r) else r

    return lift(scalar, left, right)


def _as_udf_arg(a: Any) -> Any:
    """What xlwings hands a worksheet function: a 2-D array for a range, else the value."""
    if isinstance(a, np.ndarray):
        return np.where(np.vectorize(lambda v: v is None, otypes=[bool])(a), np.nan, a)
    return a


def _flat(*args: Any) -> list[Any]:
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.extend(a.reshape(-1).tolist())
        else:
            out.append(a)
    return out


def _numbers(ev: Evaluator, *args: Any) -> np.ndarray | XlError:
    """The numbers in the arguments (text, booleans, blanks skipped), or the first error."""
    parts = []
    for a in args:
        if isinstance(a, np.ndarray) and id(a) in ev._block_ids:  # a range read: classified once
            nums = ev.column(a).numbers(np.ones(a.size, dtype=bool))
            if isinstance(nums, XlError):
                return nums
            parts.append(nums)
            continue
        out = []
        for v in _flat(a):
            if isinstance(v, XlError):
                return v
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append(float(v))
        parts.append(np.array(out, dtype=float))
    return np.concatenate(parts) if parts else np.array([], dtype=float)


def _shape(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, np.ndarray) else (1, 1)


def _ifs(ev, agg: str, target: Any, pairs: list[Any]) -> Any:
    """SUMIFS, COUNTIFS, AVERAGEIFS, MAXIFS, MINIFS (and the one-criterion forms) with
    Excel's criteria rules (:mod:`kpi_xl.workbook.criteria`): one mask per range and criterion,
    kept for the next formula that asks the same."""
    ranges, crits = pairs[0::2], pairs[1::2]
    if not ranges or len(ranges) != len(crits):
        return VALUE
    if any(isinstance(c, np.ndarray) for c in crits):
        return lift(lambda *cs: _ifs(ev, agg, target, [x for pair in zip(ranges, cs) for x in pair]), *crits)
    shape = _shape(ranges[0])
    if any(_shape(r) != shape for r in ranges) or (target is not None and _shape(target) != shape):
        return VALUE
    masks = [ev.column(r).mask(criteria.parse(c, ev.context.epoch)) for r, c in zip(ranges, crits)]
    return criteria.aggregate(agg, ev.column(target) if target is not None else None, masks)


def _sumif(ev, rng: Any, crit: Any, target: Any = None) -> Any:
    """SUMIF: a sum range of another size is read from its top-left cell in the criteria
    range's shape, as Excel does (here only when it is at least that big)."""
    if target is None:
        target = rng
    shape, have = _shape(rng), _shape(target)
    if have != shape:
        if not isinstance(target, np.ndarray) or have[0] < shape[0] or have[1] < shape[1]:
            raise Unsupported(_m(N_("SUMIF with a sum range smaller than its criteria range")))
        target = target[:shape[0], :shape[1]]
    return _ifs(ev, "sum", target, [rng, crit])


def _index(ev, arr: Any, row: Any = None, col: Any = None) -> Any:
    if not isinstance(arr, np.ndarray):
        arr = np.array([[arr]], dtype=object)
    if isinstance(row, np.ndarray) or isinstance(col, np.ndarray):
        return lift(lambda r, c: _index(ev, arr, r, c), row, col)
    r = int(_num(row)) if row is not None else 1
    c = int(_num(col)) if col is not None else 1
    if arr.shape[0] == 1 and col is None and row is not None:
        r, c = 1, r
    if not (1 <= r <= arr.shape[0] and 1 <= c <= arr.shape[1]):
        return XlError("#REF!")
    return arr[r - 1, c - 1]


def _match(ev, value: Any, arr: Any, kind: Any = 1.0) -> Any:
    flat = np.asarray(arr, dtype=object).reshape(-1)
    k = _num(kind) if kind is not None else 1.0
    if k == 0:
        for i, v in enumerate(flat):
            if _compare("=", v, value) is True:
                return float(i + 1)
        return NA
    raise Unsupported(_m(N_("MATCH with approximate match (only exact match, 0, is computed)")))


def _date(ev, y, m, d) -> Any:
    def one(y, m, d):
        y, m, d = int(_num(y)), int(_num(m)), int(_num(d))
        base = dt.date(y + (m - 1) // 12, (m - 1) % 12 + 1, 1)
        return float((base - ev.context.epoch.date()).days + d - 1)
    return lift(one, y, m, d)


def _part(kind: str) -> Callable:
    def fn(ev, x):
        def one(v):
            n = _num(v)
            if isinstance(n, XlError):
                return n
            d = ev.context.epoch + dt.timedelta(days=n)
            return float(getattr(d, kind))
        return lift(one, x)
    return fn


def _eomonth(ev, start, months):
    def one(s, k):
        d = (ev.context.epoch + dt.timedelta(days=_num(s))).date()
        m = d.month - 1 + int(_num(k)) + 1
        first_next = dt.date(d.year + m // 12, m % 12 + 1, 1)
        return float((first_next - dt.timedelta(days=1) - ev.context.epoch.date()).days)
    return lift(one, start, months)


def _iferror(ev, value, fallback):
    return lift(lambda v, f: f if isinstance(v, XlError) else v, value, fallback)


def _if(ev, cond, yes=True, no=False):
    return lift(lambda c, a, b: c if isinstance(c, XlError) else (a if _truthy(c) else b), cond, yes, no)


def _truthy(v: Any) -> bool:
    return bool(_num(v)) if not isinstance(v, str) else v.upper() == "TRUE"


def _agg(fn: Callable[[np.ndarray], Any], empty: Any = 0.0) -> Callable:
    def call(ev, *args):
        nums = _numbers(ev, *args)
        if isinstance(nums, XlError):
            return nums
        return float(fn(nums)) if nums.size else empty
    return call


def _count(ev: Evaluator, a: Any) -> int:
    """How many numbers COUNT finds in one argument: an error value (a cell's #N/A) is not one and
    is no error for COUNT, as in Excel (SUM over it is the error, COUNT skips it)."""
    if isinstance(a, np.ndarray) and id(a) in ev._block_ids:  # a range read: classified once
        return int(np.count_nonzero(ev.column(a).is_(criteria.NUMBER)))
    return sum(1 for v in _flat(a) if isinstance(v, (int, float)) and not isinstance(v, bool))


def _logical(test: Callable[[Any], bool], args: tuple) -> Any:
    """AND / OR over their arguments; an error among them (a cell's #N/A) is the result, as in Excel."""
    values = [v for v in _flat(*args) if v is not None]
    error = next((v for v in values if isinstance(v, XlError)), None)
    return error if error is not None else test(_truthy(v) for v in values)


def _round(ev, x, digits=0.0):
    return lift(lambda v, d: round(_num(v), int(_num(d))) if not isinstance(_num(v), XlError) else _num(v), x, digits)


NATIVE: dict[str, Callable[..., Any]] = {
    "SUM": _agg(np.sum),
    "COUNT": lambda ev, *a: float(sum(_count(ev, x) for x in a)),
    "COUNTA": lambda ev, *a: float(sum(1 for v in _flat(*a) if v not in (None, ""))),
    "AVERAGE": _agg(lambda n: n.sum() / n.size, DIV0),
    "MIN": _agg(np.min),
    "MAX": _agg(np.max),
    "SUMIFS": lambda ev, target, *pairs: _ifs(ev, "sum", target, list(pairs)),
    "COUNTIFS": lambda ev, *pairs: _ifs(ev, "count", None, list(pairs)),
    "AVERAGEIFS": lambda ev, target, *pairs: _ifs(ev, "avg", target, list(pairs)),
    "MAXIFS": lambda ev, target, *pairs: _ifs(ev, "max", target, list(pairs)),
    "MINIFS": lambda ev, target, *pairs: _ifs(ev, "min", target, list(pairs)),
    "SUMIF": _sumif,
    "COUNTIF": lambda ev, rng, crit: _ifs(ev, "count", None, [rng, crit]),
    "IF": _if,
    "IFERROR": _iferror,
    "INDEX": _index,
    "MATCH": _match,
    "DATE": _date,
    "YEAR": _part("year"),
    "MONTH": _part("month"),
    "DAY": _part("day"),
    "EOMONTH": _eomonth,
    "TODAY": lambda ev: float((ev.context.today - ev.context.epoch.date()).days),
    "ABS": lambda ev, x: lift(lambda v: abs(_num(v)) if not isinstance(_num(v), XlError) else _num(v), x),
    "ROUND": _round,
    "AND": lambda ev, *a: _logical(all, a),
    "OR": lambda ev, *a: _logical(any, a),
    "NOT": lambda ev, x: lift(lambda v: not _truthy(v), x),
    "RRI": lambda ev, n, pv, fv: lift(lambda a, b, c: (_num(c) / _num(b)) ** (1 / _num(a)) - 1, n, pv, fv),
}


@dataclass
class Outcome:
    values: dict[tuple[str, int, int], Any]
    skipped: dict[tuple[str, int, int], Message]  # why each was not computed, in no language yet
    evaluator: Evaluator | None = None  # the one that computed them (its ranges read, to evaluate more)


def evaluate_all(context: FormulaContext) -> Outcome:
    """Evaluate every formula of ``context.formulas``; unsupported ones are listed with why."""
    ev = Evaluator(context)
    values, skipped = {}, {}
    for key, formula in context.formulas.items():
        try:
            values[key] = ev.formula_cell(key)
        except Unsupported as exc:
            skipped[key] = exc.message
        except Exception as exc:  # noqa: BLE001 - a cell we cannot compute keeps its value
            skipped[key] = _m(N_("an unexpected error ({error})"), error=f"{type(exc).__name__}: {exc}")
    return Outcome(values, skipped, ev)


def table_ranges(infos) -> dict[str, TableRange]:
    """Excel Tables (:class:`~kpi_xl.workbook.package.TableInfo`) as :attr:`FormulaContext.tables`
    wants them, by lower-case name."""
    out = {}
    for info in infos:
        first, _, last = info.ref.replace("$", "").partition(":")
        r1, c1 = split_ref(first)
        r2, _c2 = split_ref(last or first)
        out[info.display_name.lower()] = TableRange(info.sheet, r1 + info.header_row_count, c1,
                                                    r2 - info.totals_row_count, list(info.columns))
    return out


def defined_names(names) -> dict[str, str]:
    """Defined names (:class:`~kpi_xl.workbook.package.DefinedName`) as :attr:`FormulaContext.names`:
    workbook-scoped ones first, Excel's own (``_xlnm.``) left out."""
    out: dict[str, str] = {}
    for n in sorted(names, key=lambda n: n.sheet is not None):
        if not n.name.startswith("_xlnm.") and n.value:
            out.setdefault(n.name, n.value)
    return out


def name_values(pkg, path, wanted: list[str]) -> dict[str, Any]:
    """The values of the defined names ``wanted``, computed from the workbook's saved
    cell values (raises :class:`Unsupported` for one that cannot be computed)."""
    from python_calamine import CalamineWorkbook

    cal = CalamineWorkbook.from_path(str(path))
    cache: dict[str, list[list[Any]]] = {}

    def values(sheet: str) -> list[list[Any]]:
        if sheet not in cache:
            try:
                rows = cal.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception:  # noqa: BLE001 - calamine's own errors: no such sheet
                raise Unsupported(_m(N_("no sheet named {sheet}"), sheet=sheet)) from None
            cache[sheet] = with_errors(rows, pkg.error_cells(sheet))  # an error cell is no blank
        return cache[sheet]

    first = next((s.name for s in pkg.sheets() if s.kind == "worksheet"), "")
    context = FormulaContext(values, {}, table_ranges(pkg.tables()), names=defined_names(pkg.defined_names()), epoch=pkg.epoch)
    ev = Evaluator(context)
    out = {}
    for name in wanted:
        value = ev.evaluate(context.names[name], first)
        if isinstance(value, np.ndarray):
            if value.size != 1:
                raise Unsupported(_m(N_("the name {name} is a range or an array, not one value"), name=name))
            value = value.reshape(-1)[0]
        out[name] = value
    return out
