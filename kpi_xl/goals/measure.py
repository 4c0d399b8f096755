"""A goal's KPI measured over any span of days, from its data table.

Three kinds of measure:

* additive (SUM, COUNT, TICKETS_RESOLVED): the value over a span is the total of
  its days, so a target is a total to reach by the end date;
* ratio of totals (CONVERSION, CHURN, ROI... every per-row KPI function): each
  argument column is totalled over the span, then the KPI is taken of the totals
  (conversion over a month = its conversions / its sessions);
* records (ACV, NPS, CSAT, FRT, AVERAGE...): the KPI function gets the span's rows.

Which KPI is measured which way is its registry entry's ``measure``
(:mod:`kpi_xl.functions.registry`); SUM, COUNT, AVERAGE, MIN, MAX and DISTINCT are
the engine's own column measures.

Only additive measures have per-day values (for seasonal pacing and the chance of
meeting a target).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import XlError
from ..functions import registry
from ..i18n import Message, MessageError, N_
from .data import DataTables
from .model import ADDITIVE, FilterError, is_literal, parse_columns, parse_filter


class _ByMeasure(Mapping):
    """KPI name → function, for the registered KPIs a goal measures one way, plus
    measures only the engine has. Read from the registry at each use, so a KPI
    registered later is trackable too."""

    def __init__(self, measure: str, engine: Mapping[str, Callable[..., Any]] | None = None):
        self.measure = measure
        self.engine = dict(engine or {})
        self._cache: tuple[int, dict[str, Callable[..., Any]]] = (-1, {})

    def _registered(self) -> dict[str, Callable[..., Any]]:
        # rebuilt only when the registry changed (a scorecard asks thousands of times)
        if self._cache[0] != registry.version():
            self._cache = (registry.version(), {k.name: k.core for k in registry.kpis() if k.measure == self.measure})
        return self._cache[1]

    def __getitem__(self, name: str) -> Callable[..., Any]:
        found = self._registered().get(name) or self.engine.get(name)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter({**self._registered(), **self.engine})

    def __len__(self) -> int:
        return len({**self._registered(), **self.engine})


class _Union(Set):
    """The names in any of some collections, read at each use."""

    def __init__(self, *parts: Any):
        self.parts = parts

    def __contains__(self, name: object) -> bool:
        return any(name in p for p in self.parts)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(n for p in self.parts for n in p))

    def __len__(self) -> int:
        return sum(1 for _ in self)


#: KPIs measured as a ratio of totals (registry measure "ratio_of_totals"), name → core function.
RATIO_OF_TOTALS: Mapping[str, Callable[..., Any]] = _ByMeasure("ratio_of_totals")
#: KPIs measured on a span's rows (registry measure "records"), plus the engine's own
#: column measures AVERAGE, MIN, MAX and DISTINCT.
RECORDS: Mapping[str, Callable[..., Any]] = _ByMeasure("records", {
    "AVERAGE": lambda x: _agg(np.mean, x), "MIN": lambda x: _agg(np.min, x), "MAX": lambda x: _agg(np.max, x),
    "DISTINCT": lambda x: float(len(pd.unique(pd.Series(x).dropna()))),
})
#: Additive measures: SUM of a column, COUNT of rows, and the registry's "additive"
#: KPIs (e.g. TICKETS_RESOLVED), which count the rows dated in a span.
ADDITIVE_KPIS: Set = _Union(ADDITIVE, _ByMeasure("additive"))
TRACKABLE: Set = _Union(RATIO_OF_TOTALS, RECORDS, ADDITIVE_KPIS)


def _agg(fn: Callable[[np.ndarray], Any], x: Any) -> Any:
    a = np.asarray(x, dtype=np.float64)
    a = a[~np.isnan(a)]
    return float(fn(a)) if a.size else XlError("#DIV/0!")


class MeasureError(MessageError, ValueError):
    """Why a goal's measure cannot be built: ``column`` is the goals-table column at
    fault, ``message`` what is wrong (``str()``: "column: message", in English)."""

    def __init__(self, column: str, message: Message):
        super().__init__(message)
        self.column = column
        self.args = (f"{column}: {message}",)

    def __str__(self) -> str:
        return self.args[0]


@dataclass
class Measure:
    """A goal's KPI over spans of days ``[a, b]`` (day numbers, both included)."""

    kpi: str
    additive: bool
    value: Callable[[int, int], Any]
    daily: Callable[[int, int], np.ndarray] | None
    first_day: int | None  # earliest day with data for this goal (None: no data)
    spans: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None

    def values(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The KPI over many spans at once (NaN where it is an error)."""
        if self.spans is not None:
            return self.spans(a, b)
        out = np.empty(len(a))
        for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            v = self.value(x, y)
            out[i] = np.nan if isinstance(v, str) or v is None else float(v)
        return out


def build(goal: dict[str, Any], data: DataTables) -> Measure:
    """The measure of one goal row (as returned by :func:`read_goals`)."""
    kpi = goal["kpi"]
    if kpi not in TRACKABLE:
        raise MeasureError("kpi", Message(N_("'{kpi}' is not a KPI a goal can track"), kpi=kpi))
    table = data.table_name(goal["table"] or "")
    if table is None:
        raise MeasureError("table", Message(N_("no data table named '{table}'"), table=goal["table"]))
    date_col = data.column_name(table, goal["date_column"])
    if date_col is None:
        raise MeasureError("date_column", _no_column(table, goal["date_column"]))
    try:
        conditions = tuple(parse_filter(goal["filter"]))
    except FilterError as exc:
        raise MeasureError("filter", exc.message) from None
    fixed = []
    for col, val in conditions:
        real = data.column_name(table, col)
        if real is None:
            raise MeasureError("filter", _no_column(table, col))
        fixed.append((real, val))
    conditions = tuple(sorted(fixed, key=lambda cv: str(cv[0]).lower()))
    args = []
    for a in parse_columns(goal["columns"]):
        if is_literal(a):
            args.append(a)
            continue
        real = data.column_name(table, a)
        if real is None:
            raise MeasureError("columns", _no_column(table, a))
        args.append(real)
    if kpi in ("SUM",) and len([a for a in args if not is_literal(a)]) != 1:
        raise MeasureError("columns", Message(N_("SUM needs exactly one column to add up")))
    if kpi in ("AVERAGE", "MIN", "MAX", "DISTINCT") and len(args) != 1:
        raise MeasureError("columns", Message(N_("{kpi} needs exactly one column"), kpi=kpi))
    if kpi in RATIO_OF_TOTALS or kpi in RECORDS and kpi not in ("AVERAGE", "MIN", "MAX", "DISTINCT"):
        if not args:
            raise MeasureError("columns", Message(N_("{kpi} needs its argument columns, e.g. {example}"), kpi=kpi,
                                                  example=_hint(kpi)))
    if kpi in ADDITIVE_KPIS or kpi in RATIO_OF_TOTALS:
        return _totals(kpi, table, date_col, conditions, args, data)
    return _records(kpi, table, date_col, conditions, args, data)


def _no_column(table: str, column: str) -> Message:
    return Message(N_("table '{table}' has no column '{column}'"), table=table, column=column)


def _hint(kpi: str) -> str:
    """The argument names of a registered KPI, e.g. "churned, customers_at_start"."""
    found = registry.find(kpi)
    return ", ".join(a.name for a in found.arguments) if found else "Amount"


def _totals(kpi: str, table: str, date_col: str, conditions: tuple, args: list, data: DataTables) -> Measure:
    filter_cols = tuple(c for c, _ in conditions)
    key = tuple(v.strip().casefold() for _, v in conditions)
    columns = [a for a in args if not is_literal(a)]
    if kpi in ADDITIVE_KPIS and kpi != "SUM":  # COUNT and additive KPIs count rows
        columns = [None]
    cumulative = []
    first = None
    for col in columns:
        daily = data.daily(table, date_col, filter_cols, col)
        row = daily.row(key)
        if row is None:
            row = np.zeros(1)
        nz = np.flatnonzero(row)
        if nz.size:
            f = daily.day0 + int(nz[0])
            first = f if first is None else min(first, f)
        cumulative.append((daily.day0, np.concatenate(([0.0], np.cumsum(row)))))

    def total(i: int, a: int, b: int) -> float:
        d0, cs = cumulative[i]
        lo = min(max(a - d0, 0), len(cs) - 1)
        hi = min(max(b - d0 + 1, 0), len(cs) - 1)
        return float(cs[hi] - cs[lo]) if hi > lo else 0.0

    additive = kpi in ADDITIVE_KPIS
    fn = RATIO_OF_TOTALS.get(kpi)

    def value(a: int, b: int) -> Any:
        if additive:
            return total(0, a, b)
        sums = iter(total(i, a, b) for i in range(len(columns)))
        call = [a_ if is_literal(a_) else next(sums) for a_ in args]
        return fn(*call)

    def totals(i: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        d0, cs = cumulative[i]
        lo = np.clip(a - d0, 0, len(cs) - 1)
        hi = np.clip(b - d0 + 1, 0, len(cs) - 1)
        return np.where(hi > lo, cs[hi] - cs[np.minimum(lo, hi)], 0.0)

    def spans(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if additive:
            return totals(0, a, b)
        sums = iter([totals(i, a, b) for i in range(len(columns))])
        call = [a_ if is_literal(a_) else next(sums) for a_ in args]
        out = fn(*call)
        if isinstance(out, str):
            return np.full(len(a), np.nan)
        out = np.asarray(out, dtype=object).reshape(-1)
        return np.array([np.nan if isinstance(v, str) or v is None else float(v) for v in out])

    def per_day(a: int, b: int) -> np.ndarray:
        d0, cs = cumulative[0]
        out = np.zeros(max(b - a + 1, 0))
        lo, hi = max(a, d0), min(b, d0 + len(cs) - 2)
        if hi >= lo:
            out[lo - a: hi - a + 1] = np.diff(cs[lo - d0: hi - d0 + 2])
        return out

    return Measure(kpi, additive, value, per_day if additive else None, first, spans)


def _records(kpi: str, table: str, date_col: str, conditions: tuple, args: list, data: DataTables) -> Measure:
    idx, days = data.rows(table, date_col, conditions)
    tbl = data.tables[table]
    columns = {}
    for a in args:
        if is_literal(a):
            continue
        s = tbl[a]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            columns[a] = data.numbers(table, a)[idx]
        else:
            columns[a] = data.raw(table, a)[idx]
    fn = RECORDS[kpi]

    def value(a: int, b: int) -> Any:
        lo = int(np.searchsorted(days, a, side="left"))
        hi = int(np.searchsorted(days, b, side="right"))
        call = [a_ if is_literal(a_) else columns[a_][lo:hi] for a_ in args]
        return fn(*call)

    first = int(days[0]) if len(days) else None
    return Measure(kpi, False, value, None, first)
