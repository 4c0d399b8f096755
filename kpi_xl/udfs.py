"""kpi-xl's worksheet functions: type =ACV(...), =CLTV(...), =ACHIEVEMENT(...) in a cell.

Every KPI in :mod:`kpi_xl.functions.registry` becomes an xlwings user-defined
function here, in the Excel category "KPI", under its Excel name (``kpi_xl.udfs.ACV``,
``kpi_xl.udfs.CLTV``...). Nothing is written per function: the description Excel's
function wizard shows is the registry entry's, and each argument's conversion and
help line come from the ``typing.Annotated`` kind of the core function's argument
(:mod:`kpi_xl.metrics.kinds`), handed to xlwings as the annotation xlwings reads::

    contract_values: Annotated[np.ndarray, {"ndim": 2, "err_to_str": True, "doc": "..."}]

The math lives in :mod:`kpi_xl.metrics`; :func:`kpi_xl.functions.calling.excel_function`
makes sure a cell always gets a value or an Excel error, never a traceback.

P_ALIVE and CLV_PREDICT read the parameters a formula leaves out from the workbook (the
defined names ``kpi-xl predict`` writes, declared in the registry): they take xlwings'
reserved ``caller`` argument last, which xlwings hides from Excel (the VBA wrapper passes
``Nothing`` in its place and ``call_udf`` puts the calling cell there), and read the names
of the caller's workbook. Called from Python without a caller, the parameters must be given.

Use from Excel (Windows, classic xlwings): set the add-in's "UDF Modules" to
``kpi_xl.udfs`` and click "Import Functions" (see docs/install.md). Use from
Python: call the functions directly with numbers, lists, arrays or Series.

This is the only module besides the live-Excel adapter that imports xlwings.
"""

from __future__ import annotations

import inspect
import logging
from typing import Annotated, Any, Callable

import numpy as np
import xlwings

from .functions import registry
from .functions.calling import excel_function, with_workbook_values

CATEGORY = "KPI"
#: xlwings' reserved argument name: the calling cell (an xlwings Range), hidden from Excel.
CALLER = "caller"

log = logging.getLogger(__name__)

#: How xlwings hands each kind of argument over (kpi_xl.metrics.kinds):
#: "range": a 2-D NumPy array (blanks as NaN); Excel errors inside it arrive as their
#: text so they can be passed on. "labels": a 2-D list of texts. "cell": one cell as it is.
CONVERSIONS: dict[str, tuple[Any, dict[str, Any]]] = {
    "range": (np.ndarray, {"ndim": 2, "err_to_str": True}),
    "labels": (list, {"ndim": 2, "err_to_str": True}),
    "cell": (Any, {"err_to_str": True}),
}
#: Results with dates in them: the date format xlwings Lite writes them with
#: (classic xlwings on Windows hands Excel real dates).
DATES_OUT = {"date_format": "yyyy-mm-dd"}


def worksheet_function(kpi: registry.KPI) -> Callable[..., Any]:
    """The xlwings worksheet function of one registry entry.

    Its signature (names, defaults), docstring and annotations are what xlwings'
    ``func`` decorator reads (``inspect.signature``, ``__doc__``,
    ``typing.get_type_hints(include_extras=True)``); ``__kpi_xl__`` is the entry.
    ``xlwings.func`` is applied last, so the category stays "KPI".
    """
    f = excel_function(kpi.core, kpi.name)
    signature = kpi.signature
    if kpi.reads_workbook:
        signature = signature.replace(parameters=[
            *signature.parameters.values(),
            inspect.Parameter(CALLER, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None)])
        f = _reading_the_workbook(kpi, f, signature)
    f.__module__ = __name__
    f.__doc__ = kpi.description
    f.__signature__ = signature  # type: ignore[attr-defined]
    annotations: dict[str, Any] = {}
    for a in kpi.arguments:
        convert, options = CONVERSIONS[a.kind]
        annotations[a.name] = Annotated[convert, {**options, "doc": a.doc}]
    if kpi.spills == "period_table":
        annotations["return"] = Annotated[Any, DATES_OUT]
    f.__annotations__ = annotations
    f.__kpi_xl__ = kpi  # type: ignore[attr-defined]
    return xlwings.func(category=CATEGORY)(f)


def _reading_the_workbook(kpi: registry.KPI, f: Callable[..., Any], signature: inspect.Signature
                          ) -> Callable[..., Any]:
    """``f`` taking ``caller`` last (``signature``): the arguments left out that the registry says
    come from the workbook are read from the defined names of the caller's workbook first."""
    arguments = kpi.arguments

    def worksheet_function(*args: Any, **kwargs: Any) -> Any:
        given = signature.bind(*args, **kwargs).arguments  # xlwings passes the caller in its place
        caller = given.pop(CALLER, None)
        last = max((i for i, a in enumerate(arguments) if a.name in given), default=-1)
        values = [given.get(a.name, a.default) for a in arguments[:last + 1]]
        return f(*with_workbook_values(kpi, values, lambda name: defined_name_value(caller, name)))

    worksheet_function.__name__ = worksheet_function.__qualname__ = kpi.name
    return worksheet_function


def defined_name_value(caller: Any, name: str) -> Any:
    """The value of the cell the workbook-scoped defined name ``name`` points at, in the workbook of
    ``caller`` (the calling cell, an xlwings Range); None without a caller or such a name."""
    if caller is None:
        return None
    try:
        book_names = caller.sheet.book.names
        if name not in book_names:
            return None
        return book_names[name].refers_to_range.value
    except Exception:  # noqa: BLE001 - a name that is not one cell, Excel busy: as if there were none
        log.debug("%s: not read from the workbook", name, exc_info=True)
        return None


for _kpi in registry.kpis():
    globals()[_kpi.name] = worksheet_function(_kpi)
del _kpi

__all__ = ["CATEGORY", "worksheet_function", *registry.names()]
