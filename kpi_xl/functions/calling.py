"""Calling a KPI function the way a worksheet cell does: a value or an Excel error, never a traceback.

Used by the xlwings worksheet functions (:mod:`kpi_xl.udfs`) and by the formula
evaluator of headless refresh (:mod:`kpi_xl.workbook.evaluate`), so both give the
same result for the same formula. Nothing here imports xlwings.
"""

from __future__ import annotations

import functools
import logging
import math
from typing import Any, Callable, Sequence

import numpy as np

from .. import metrics
from ..errors import VALUE, XlError
from . import registry

__all__ = ["to_excel", "excel_function", "call", "with_workbook_values"]

log = logging.getLogger(__name__)


def to_excel(value: Any) -> Any:
    """A core result as Excel takes it: blanks (NaN) become empty cells (None).

    One value stays one value (a Python number, text or :class:`XlError`); a 1-D
    result becomes one column; a float array with blanks becomes an object array
    with None in them.
    """
    if isinstance(value, XlError):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (np.floating, np.integer)):
        return to_excel(value.item())
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return to_excel(value.item())
        if value.ndim == 1:
            value = value.reshape(-1, 1)
        if value.dtype.kind == "f":
            if not value.size or metrics.proven_clean(value) or not np.isnan(value.min()):  # no blank
                return value
            blank = np.isnan(value)
            out = value.astype(object)
            out[blank] = None
            return out
    return value  # an object array: the core marks blank rows of mixed results with None already


def excel_function(core: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    """``core`` as a worksheet function: its result through :func:`to_excel`, and
    ``#VALUE!`` instead of an exception.

    A bug or an input nobody foresaw gives ``#VALUE!`` in the cell instead of a
    Python traceback; what was caught is logged (logger ``kpi_xl.functions.calling``,
    with the function's name and the traceback) and kept on the error as its reason.
    """
    label = name or core.__name__

    def worksheet_function(*args: Any, **kwargs: Any) -> Any:
        try:
            return to_excel(core(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
            log.exception("%s: %s caught, the cell shows #VALUE!", label, type(exc).__name__)
            return VALUE.because(f"{label}: {type(exc).__name__}: {exc}")

    worksheet_function.__name__ = worksheet_function.__qualname__ = label
    worksheet_function.__doc__ = core.__doc__
    return worksheet_function


@functools.lru_cache(maxsize=None)
def _wrapped(kpi: registry.KPI) -> Callable[..., Any]:
    return excel_function(kpi.core, kpi.name)


def call(name: str, *args: Any) -> Any:
    """Call the registered KPI function ``name`` (e.g. ``"CHURN"``) as a cell would.

    Raises KeyError for a name that is not registered.
    """
    return _wrapped(registry.get(name))(*args)


def with_workbook_values(kpi: registry.KPI, args: Sequence[Any], lookup: Callable[[str], Any]) -> list[Any]:
    """``args`` (as a cell passes them, trailing ones possibly left out) with each argument the KPI
    reads from the workbook (:attr:`~kpi_xl.functions.registry.KPI.from_workbook`) that was left out
    or blank replaced by ``lookup(defined_name)``: the value of the cell that name points at, None
    where the workbook has no such name. The arguments left out after the last one given or filled
    in are not passed, so the core's defaults apply as before.

    Shared by the xlwings worksheet functions (``lookup`` reads the caller's workbook) and the
    formula evaluator of headless refresh (``lookup`` evaluates the workbook's defined name), so
    ``=P_ALIVE(E2, F2, G2)`` gives the same result in Excel and in a refreshed file.
    """
    out = list(args)
    if not kpi.from_workbook:
        return out
    position = {a.name: i for i, a in enumerate(kpi.arguments)}
    for argument, name in kpi.from_workbook:
        i = position[argument]
        if i < len(out) and not metrics.omitted(out[i]):
            continue
        value = lookup(name)
        if value is None:
            continue  # no fitted model: the core says #N/A
        if i >= len(out):
            out += [kpi.arguments[j].default for j in range(len(out), i + 1)]
        out[i] = value
    return out
