"""Turning what people pass in (cells, ranges, lists, arrays, Series) into float arrays.

Conventions shared by every KPI function:

* A blank cell (``None``, ``""``, ``NaN``) is *skipped*: it is left out of an
  aggregate and gives a blank result in a per-row function.
* Text that is not a number, and dates where a number is expected, give
  ``#VALUE!``. An Excel error inside an input range is passed on unchanged, as
  Excel's own functions do.
* ``TRUE``/``FALSE`` count as 1/0, as in Excel arithmetic.
* Ranges given together must be the same size; a single cell goes with every row.

Nothing here imports xlwings or openpyxl.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import excel
from ..errors import NUM, VALUE, ERROR_CODES, KpiInputError, XlError

#: Excel's day 0 (serial 1 is 1900-01-01, with Excel's fictitious 1900-02-29).
EXCEL_EPOCH = excel.EPOCH_1900

Rule = tuple[Callable[..., np.ndarray], XlError]


def _fail(error: XlError, name: str, why: str) -> KpiInputError:
    return KpiInputError(error, f"{name}: {why}")


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "") or (
        isinstance(v, float) and math.isnan(v)
    )


def _series_parts(x: Any) -> tuple[Any, Any]:
    """(values, index) for a pandas Series, without importing pandas."""
    if type(x).__name__ == "Series" and hasattr(x, "index") and hasattr(x, "to_numpy"):
        return x.to_numpy(), x.index
    if type(x).__name__ == "DataFrame" and hasattr(x, "to_numpy"):
        return x.to_numpy(), None
    return x, None


def _number(v: Any, name: str, *, dates: bool) -> float:
    """One cell → float (NaN for blank); raises KpiInputError with the argument's name."""
    if _is_blank(v):
        return math.nan
    if isinstance(v, (bool, np.bool_)):
        return float(v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        if v in ERROR_CODES:
            raise KpiInputError(XlError(v), f"{name}: contains {v}")
        if v.strip().lower() in ("true", "false"):
            # xlwings' NumPy conversion turns TRUE into the text "True" when the
            # range also holds text or an error; Excel arithmetic counts TRUE as 1
            return 1.0 if v.strip().lower() == "true" else 0.0
        try:
            return float(v.replace(",", ""))
        except ValueError:
            raise _fail(VALUE, name, f"{v!r} is text, not a number") from None
    if isinstance(v, (dt.date, np.datetime64)) or type(v).__name__ == "Timestamp":
        if not dates:
            raise _fail(VALUE, name, f"{v!r} is a date, not a number")
        return to_serial(v)
    if type(v).__name__ == "NaTType":
        return math.nan
    raise _fail(VALUE, name, f"{type(v).__name__} is not a number")


def to_serial(v: Any) -> float:
    """A date or datetime as an Excel serial number (days since 1899-12-30)."""
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return math.nan
        v = v.astype("datetime64[us]").item()
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, dt.date):
        return excel.to_serial(v, EXCEL_EPOCH)
    raise TypeError(v)


def from_serial(serial: float) -> dt.datetime:
    """An Excel serial number as a datetime (to the second)."""
    return excel.from_serial(serial, EXCEL_EPOCH)


def floats(x: Any, name: str, *, dates: bool = False) -> np.ndarray:
    """Any cell, range or array-like as a float64 array (NaN = blank), shape kept.

    A scalar gives a 0-d array. Nested lists must be rectangular.
    """
    x, _ = _series_parts(x)
    if isinstance(x, np.ndarray):
        if x.dtype.kind == "f":
            return x.astype(np.float64, copy=False)
        if x.dtype.kind in "iub":
            return x.astype(np.float64)
        if x.dtype.kind == "M":
            if not dates:
                raise _fail(VALUE, name, "dates where numbers are expected")
            return excel.serials_of(x, EXCEL_EPOCH)
        flat = [_number(v, name, dates=dates) for v in x.ravel().tolist()]
        return np.array(flat, dtype=np.float64).reshape(x.shape)
    if isinstance(x, (list, tuple)):
        try:
            arr = np.array(x, dtype=np.float64)
        except (ValueError, TypeError):
            try:
                arr = np.array(x, dtype=object)
            except ValueError:
                raise _fail(VALUE, name, "rows of different lengths") from None
            if arr.dtype == object and arr.ndim and any(
                isinstance(v, (list, tuple)) for v in arr.ravel().tolist()
            ):
                raise _fail(VALUE, name, "rows of different lengths")
            return floats(arr, name, dates=dates)
        return arr
    return np.array(_number(x, name, dates=dates), dtype=np.float64)


class Rows:
    """Per-row inputs of a row-wise KPI, checked for size and converted to floats.

    >>> r = Rows(won=[3, 4], closed=[10, 0])
    >>> won, closed = r.arrays
    """

    def __init__(self, *, dates: Sequence[str] = (), **named: Any):
        self.names = list(named)
        self.arrays: list[np.ndarray] = []
        self.index = None
        shape = None
        first = None
        for name, value in named.items():
            raw, index = _series_parts(value)
            arr = floats(raw, name, dates=name in dates)
            if arr.size == 1:
                arr = arr.reshape(())
            elif shape is None:
                shape, first, self.index = arr.shape, name, index
            elif arr.shape != shape:
                if arr.size == int(np.prod(shape)) and _is_vector(arr.shape) and _is_vector(shape):
                    arr = arr.reshape(shape)  # a row and a column of the same length pair up
                else:
                    raise _fail(
                        VALUE,
                        name,
                        f"has {arr.size} cells ({_dims(arr.shape)}) but {first} has "
                        f"{int(np.prod(shape))} ({_dims(shape)}); ranges must match",
                    )
            if arr.size == 0:
                raise _fail(VALUE, name, "is empty")
            self.arrays.append(arr)
        self.shape = shape if shape is not None else ()

    def result(
        self,
        out: np.ndarray,
        domain: Sequence[Rule] = (),
        errors: Sequence[Rule] = (),
        blank_if: Callable[..., np.ndarray] | None = None,
        quick: Callable[[], bool] | None = None,
    ) -> Any:
        """Finish a row-wise computation.

        ``out`` is the float result computed with NumPy (errors ignored). Rows
        with a blank input are blank. ``domain`` rules are checked on every row
        (for inputs that give a finite but meaningless number, e.g. a negative
        count); ``errors`` rules only explain rows whose result is not finite
        (e.g. a zero denominator). A bad row gets the code of the first rule
        that matches it, ``errors`` before ``domain``; a non-finite row nothing
        explains is ``#NUM!``.

        ``quick`` is an optional shortcut for the usual case of a clean range: a
        few reductions (min, max, sum: no temporary arrays) that, when they all
        hold, prove no row is blank, infinite or breaks a rule, so the per-row
        masks are skipped. It must never say "clean" when a row is not; when it
        says "maybe not", the exact per-row check runs.

        Returns a Python float or :class:`XlError` for scalar input, else a float
        array with NaN for blank rows, or, when some rows are errors, an object
        array with None for blank rows; a Series when the first range came as one.
        """
        out = np.asarray(out, dtype=np.float64)
        if out.shape != self.shape:
            size = int(np.prod(self.shape)) if self.shape else 1
            out = out.reshape(self.shape) if out.size == size else np.broadcast_to(out, self.shape).copy()
        if quick is not None and out.ndim and quick():
            _PROVEN_CLEAN.set(weakref.ref(out))
            return self._wrap(out)
        arrays = self.arrays
        bad = ~np.isfinite(out)
        for a in arrays:  # an infinite input is #NUM! even where the formula hides it
            if np.isinf(a).any():
                bad |= np.isinf(a)
        for rule, _ in domain:
            with np.errstate(all="ignore"):
                bad |= rule(*arrays)
        if not bad.any():
            return self._wrap(out)
        idx = np.flatnonzero(bad)
        sub = [a.reshape(-1)[idx] if a.ndim else np.full(idx.size, a.item()) for a in arrays]
        codes = np.full(idx.size, None, dtype=object)
        pending = np.ones(idx.size, dtype=bool)
        blank = np.zeros(idx.size, dtype=bool)
        for a in sub:
            blank |= np.isnan(a)
        if blank_if is not None:
            blank |= blank_if(*sub)
        pending &= ~blank
        infinite = np.zeros(idx.size, dtype=bool)
        for a in sub:
            infinite |= np.isinf(a)
        codes[pending & infinite] = NUM
        pending &= ~infinite
        with np.errstate(all="ignore"):
            for rule, code in list(errors) + list(domain):
                hit = pending & np.asarray(rule(*sub), dtype=bool)
                codes[hit] = code
                pending &= ~hit
        codes[pending] = NUM
        if not (~blank).any():
            flat = out.reshape(-1).copy()
            flat[idx[blank]] = np.nan
            return self._wrap(flat.reshape(self.shape))
        obj = out.reshape(-1).astype(object)  # a new array already: no float copy first
        err_rows = ~blank
        obj[idx[err_rows]] = codes[err_rows]
        obj[idx[blank]] = None  # in a mixed result a blank row is None (pandas reads it as missing)
        return self._wrap(obj.reshape(self.shape))

    def _wrap(self, out: np.ndarray) -> Any:
        if out.ndim == 0:
            v = out.item()
            return v
        if self.index is not None:
            import pandas as pd

            return pd.Series(out, index=self.index)
        return out


# Quick checks for Rows.result: each is ONE reduction over an array, no temporary.
# Non-negative IEEE doubles sort like their bit patterns read as unsigned integers,
# and every negative double (its sign bit set), NaN and +inf reads as larger than
# any finite non-negative one. So one unsigned max answers "is every value a
# finite number ≥ 0?" and "is every value in [0, 1]?" (−0.0 counts as negative:
# it only sends the range to the exact check, which treats it as 0).
_INF_BITS = int(np.array(np.inf).view(np.uint64))
_ONE_BITS = int(np.array(1.0).view(np.uint64))


def _distinct(a: np.ndarray) -> np.ndarray:
    """``a`` without its repeats when it is one value broadcast along an axis (stride 0),
    so a check reads it once, not once per row."""
    if a.ndim == 1 and a.strides == (0,) and a.size:
        return a[:1]
    return a


def one_value(a: np.ndarray) -> float | None:
    """The value of a column that is one value for every row (a single cell given
    for a range), else None."""
    if a.size == 1 or (a.ndim == 1 and a.strides == (0,) and a.size):
        return float(a.reshape(-1)[0])
    return None


def nonneg(a: np.ndarray) -> bool:
    """Every value is a finite number ≥ 0 (no NaN, no inf, no negative)."""
    a = _distinct(a)
    return bool(a.view(np.uint64).max() < _INF_BITS) if a.size else True


def positive(a: np.ndarray) -> bool:
    """Every value is a finite number > 0 (no NaN, no inf, no zero, no negative)."""
    a = _distinct(a)
    if not a.size:
        return True
    bits = a.view(np.uint64)
    return bool(bits.max() < _INF_BITS and bits.min() > 0)


def unit(a: np.ndarray) -> bool:
    """Every value is in [0, 1] (no NaN)."""
    a = _distinct(a)
    return bool(a.view(np.uint64).max() <= _ONE_BITS) if a.size else True


def at_most(a: np.ndarray, bound: float) -> bool:
    """Every value is in [0, bound] for a finite bound ≥ 0 (no NaN, no negative)."""
    a = _distinct(a)
    return bool(a.view(np.uint64).max() <= int(np.array(float(bound)).view(np.uint64))) if a.size else True


def above(a: np.ndarray, bound: float) -> bool:
    """Every value is > bound (False with NaN: NaN compares false)."""
    a = _distinct(a)
    return bool(a.min() > bound) if a.size else True


def finite(a: np.ndarray) -> bool:
    """No NaN or infinity (a sum that overflows also says no: the exact check decides)."""
    a = _distinct(a)
    if not a.size:
        return True
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.isfinite(a.sum()))


_PROVEN_CLEAN: contextvars.ContextVar = contextvars.ContextVar("kpi_xl_proven_clean", default=None)


def proven_clean(a: Any) -> bool:
    """True when ``a`` is the array the last quick check in this thread proved free
    of blanks and errors (so the worksheet layer need not scan it again)."""
    ref = _PROVEN_CLEAN.get()
    return ref is not None and ref() is a


def _is_vector(shape: tuple[int, ...]) -> bool:
    return sum(1 for s in shape if s > 1) <= 1


def _dims(shape: tuple[int, ...]) -> str:
    if len(shape) == 2:
        return f"{shape[0]}×{shape[1]}"
    return "×".join(str(s) for s in shape) or "1 cell"


def column(x: Any, name: str, *, dates: bool = False) -> np.ndarray:
    """A range as a flat float array with blanks (NaN) still in place."""
    return floats(x, name, dates=dates).reshape(-1)


def values(x: Any, name: str, *, dates: bool = False) -> np.ndarray:
    """A range as a flat float array with blanks dropped (for aggregates)."""
    a = column(x, name, dates=dates)
    if finite(a):  # the usual case: nothing blank or infinite, no copy
        return a
    a = a[~np.isnan(a)]
    if np.isinf(a).any():
        raise _fail(NUM, name, "contains an infinite number")
    return a


def aligned(primary: tuple[str, Any], *others: tuple[str, Any, float | None],
            quick: Callable[..., bool] | None = None) -> list[np.ndarray]:
    """Flat, equal-length columns for an aggregate over records.

    Rows whose ``primary`` cell is blank are dropped. A blank in another column
    takes that column's default (``None`` default: the row is dropped). A single
    cell or scalar applies to every row (as a read-only broadcast view: no copy).
    An infinite number anywhere is ``#NUM!``. The columns are views of the input
    when nothing is blank: never write into them.
    """
    pname, pval = primary
    p = column(pval, pname)
    n = p.size
    cols = []
    for name, value, default in others:
        c = column(value, name)
        if c.size == 1 and n != 1:
            c = np.broadcast_to(c, (n,))
        elif c.size != n:
            raise _fail(VALUE, name, f"has {c.size} cells but {pname} has {n}; ranges must match")
        cols.append((c, default))
    if quick is not None and quick(p, *(c for c, _ in cols)):
        return [p] + [c for c, _ in cols]
    if finite(p) and all(finite(c) for c, _ in cols):  # the usual case: nothing blank or infinite
        return [p] + [c for c, _ in cols]
    keep = ~np.isnan(p)
    out_cols = []
    for c, default in cols:
        if default is None:
            keep &= ~np.isnan(c)
        else:
            c = np.where(np.isnan(c), default, c)
        out_cols.append(c)
    result = [p[keep]] + [c[keep] for c in out_cols]
    for (name, _), arr in zip([primary] + [(o[0], None) for o in others], result):
        if np.isinf(arr).any():
            raise _fail(NUM, name, "contains an infinite number")
    return result


def number(x: Any, name: str, default: float | None = None) -> float:
    """A single number (one cell). Blank gives ``default`` (``#VALUE!`` without one)."""
    a = floats(x, name)
    if a.size != 1:
        raise _fail(VALUE, name, f"expects one cell, got {a.size}")
    v = float(a.reshape(-1)[0])
    if math.isnan(v):
        if default is None:
            raise _fail(VALUE, name, "is blank")
        return default
    if math.isinf(v):
        raise _fail(NUM, name, "is infinite")
    return v


def choice(x: Any, name: str, options: Sequence[str], default: str) -> str:
    """A text option such as ``"higher"``; case-insensitive; unknown gives ``#VALUE!``."""
    if isinstance(x, np.ndarray) and x.size == 1:
        x = x.reshape(-1)[0]
    if isinstance(x, (list, tuple)):
        flat = np.array(x, dtype=object).reshape(-1)
        if flat.size != 1:
            raise _fail(VALUE, name, "expects one cell")
        x = flat[0]
    if _is_blank(x):
        return default
    if isinstance(x, str) and x in ERROR_CODES:
        raise KpiInputError(XlError(x), f"{name}: contains {x}")
    if not isinstance(x, str):
        raise _fail(VALUE, name, f"expects one of {', '.join(options)}; got {x!r}")
    key = x.strip().lower()
    if key not in options:
        raise _fail(VALUE, name, f"expects one of {', '.join(options)}; got {x!r}")
    return key


def texts(x: Any, name: str) -> list[str | None]:
    """A range of labels as a flat list of trimmed strings (None = blank)."""
    x, _ = _series_parts(x)
    if isinstance(x, np.ndarray):
        flat = x.ravel().tolist()
    elif isinstance(x, (list, tuple)):
        try:
            flat = np.array(x, dtype=object).ravel().tolist()
        except ValueError:
            raise _fail(VALUE, name, "rows of different lengths") from None
        if any(isinstance(v, (list, tuple)) for v in flat):
            raise _fail(VALUE, name, "rows of different lengths")
    else:
        flat = [x]
    out: list[str | None] = []
    for v in flat:
        if _is_blank(v):
            out.append(None)
        elif isinstance(v, str) and v in ERROR_CODES:
            raise KpiInputError(XlError(v), f"{name}: contains {v}")
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip())
    return out


def excel_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Let a KPI function answer bad input with its Excel error instead of raising.

    A single-number result that overflowed (inf) becomes ``#NUM!``, as in Excel.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            out = fn(*args, **kwargs)
        except KpiInputError as exc:
            return exc.error
        if isinstance(out, float) and math.isinf(out):  # NaN is a blank row, inf an overflow
            return NUM.because(f"{fn.__name__}: the result is too large")
        return out

    return wrapper


def omitted(x: Any) -> bool:
    """An optional argument left out: None, or a single blank cell (Excel hands a
    blank reference over as NaN)."""
    if x is None:
        return True
    try:
        a = floats(x, "argument")
    except KpiInputError:
        return False
    return a.size == 1 and bool(np.isnan(a.reshape(-1)[0]))
