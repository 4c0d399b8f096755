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
from ..i18n import Join, Message, MessageError, N_, readings
from .data import DataTables, from_day, label_key
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
    #: Why the span ``[a, b]`` has no value to show (no row of the goal's table and filter
    #: is dated in it), in words; None when some row is (see :func:`_why_empty`).
    why_empty: Callable[[int, int], Message | None] | None = None
    #: The goal's table and date column, the latest day any of the table's rows is dated
    #: (whatever the filter) and the usual number of days between its dates (the median
    #: step between its distinct dates: 1 for a daily log, about 30 for a monthly table).
    table: str = ""
    date_column: str = ""
    last_day: int | None = None
    spacing: float = float("nan")

    def values(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The KPI over many spans at once (NaN where it is an error)."""
        if self.spans is not None:
            return self.spans(a, b)
        out = np.empty(len(a))
        for i, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            v = self.value(x, y)
            out[i] = np.nan if isinstance(v, str) or v is None else float(v)
        return out


#: The engine's own measures of one column.
ONE_COLUMN = ("SUM", "AVERAGE", "MIN", "MAX", "DISTINCT")


def arity(kpi: str) -> tuple[int, int]:
    """How many entries a goal's Columns cell takes for ``kpi``: (fewest, most).

    SUM, AVERAGE, MIN, MAX and DISTINCT take one column; COUNT and the registry's
    "additive" KPIs (TICKETS_RESOLVED) none, since they count the rows dated in each
    period by the goal's Date column. Every other KPI takes its core function's
    arguments, in order: the required ones and any of the optional ones (read from the
    registry's argument metadata, :func:`kpi_xl.functions.registry.arguments_of`)."""
    if kpi in ONE_COLUMN:
        return 1, 1
    if kpi in ADDITIVE_KPIS:
        return 0, 0
    found = registry.find(kpi)
    if found is None:
        return 1, 1
    return sum(1 for a in found.arguments if not a.optional), len(found.arguments)


def build(goal: dict[str, Any], data: DataTables) -> Measure:
    """The measure of one goal row (as returned by :func:`read_goals`).

    Refuses, with a :class:`MeasureError` in words naming the goals column at fault: an
    unknown table or column, a column name two of the table's columns answer to, a
    filter that is not ``Column=Value`` conditions or asks one column for two values,
    a Columns cell with too few or too many entries for the KPI (:func:`arity`), a
    blank entry between commas, and a value (a number or "quoted" text) where the KPI
    documents a column (a required Range or Labels argument: ``AOV(Amount, 1)`` would
    silently be the total revenue). A value is taken where the KPI documents one value
    (a Cell argument, e.g. ``SOURCE_SHARE(Source, "Organic", Sessions)``) or an optional
    argument with a default (``NRR(Start MRR, 0, 0, Churned MRR)``)."""
    kpi = goal["kpi"]
    if kpi not in TRACKABLE:
        raise MeasureError("kpi", Message(N_("'{kpi}' is not a KPI a goal can track"), kpi=kpi))
    table = data.table_name(goal["table"] or "")
    if table is None:
        raise MeasureError("table", Message(N_("no data table named '{table}'"), table=goal["table"]))
    date_col = _column(data, table, goal["date_column"], "date_column")
    try:
        conditions = tuple(parse_filter(goal["filter"]))
    except FilterError as exc:
        raise MeasureError("filter", exc.message) from None
    fixed: dict[str, str] = {}
    for col, val in conditions:
        real = _column(data, table, col, "filter")
        if real in fixed and label_key(fixed[real]) != label_key(val):
            raise MeasureError("filter", Message(N_(
                "the filter asks column '{column}' to be both '{first}' and '{second}': every condition must hold, "
                "so no row could match (one goal per value, or a column that marks both)"),
                column=real, first=fixed[real], second=val))
        fixed.setdefault(real, val)
    conditions = tuple(sorted(fixed.items(), key=lambda cv: str(cv[0]).lower()))
    args = _arguments(kpi, parse_columns(goal["columns"]), table, date_col, data)
    if kpi in ADDITIVE_KPIS or kpi in RATIO_OF_TOTALS:
        m = _totals(kpi, table, date_col, conditions, args, data)
    elif kpi in PUSHED and data.is_source(table):
        m = _pushed(kpi, table, date_col, conditions, args[0], data)
    else:
        m = _records(kpi, table, date_col, conditions, args, data)
    m.why_empty = _why_empty(table, date_col, conditions, data)
    m.table, m.date_column = table, date_col
    m.last_day, m.spacing = _latest(data.daily(table, date_col, tuple(c for c, _ in conditions), None))
    return m


def _latest(counts: Any) -> tuple[int | None, float]:
    """(the latest dated day, the median step between dated days) of a table's per-day row
    counts, over every filter key (the cached counts a goal's filter already asked for)."""
    if not counts.matrix.size:
        return None, float("nan")
    days = np.flatnonzero(counts.matrix.any(axis=0))
    if not days.size:
        return None, float("nan")
    step = float(np.median(np.diff(days))) if days.size > 1 else float("nan")
    return counts.day0 + int(days[-1]), step


def _why_empty(table: str, date_col: str, conditions: tuple, data: DataTables) -> Callable[[int, int], Message | None]:
    """For a span of days, why no row counts in it: the table has no dated row, no row
    matches the filter at all, or rows match but none is dated in the span (and when
    the matching rows run from and to). None when some row is dated in the span."""
    filter_cols = tuple(c for c, _ in conditions)
    counts = data.daily(table, date_col, filter_cols, None)  # rows per day per filter key (cached)
    row = counts.row(tuple(label_key(v) for _, v in conditions))
    nz = np.flatnonzero(row) if row is not None else np.zeros(0, dtype=np.int64)
    cs = np.concatenate(([0.0], np.cumsum(row))) if row is not None else np.zeros(1)
    d0 = counts.day0

    def why(a: int, b: int) -> Message | None:
        if nz.size:
            lo = min(max(a - d0, 0), len(cs) - 1)
            hi = min(max(b - d0 + 1, 0), len(cs) - 1)
            if hi > lo and cs[hi] - cs[lo] > 0:
                return None
            return Message(N_("table '{table}' has {n} row(s) matching this goal, none dated from {start} to {end} "
                              "(they run from {first} to {last}, column '{date_column}')"),
                           n=int(cs[-1]), table=table, start=from_day(a), end=from_day(b),
                           first=from_day(d0 + int(nz[0])), last=from_day(d0 + int(nz[-1])), date_column=date_col)
        if conditions and counts.matrix.size and counts.matrix.any():
            return Message(N_("no row of table '{table}' matches the filter {filter} (the table has {n} dated rows)"),
                           table=table, filter="; ".join(f"{c}={v}" for c, v in conditions),
                           n=int(counts.matrix.sum()))
        return Message(N_("table '{table}' has no rows with a date in column '{date_column}'"), table=table,
                       date_column=date_col)

    return why


def _column(data: DataTables, table: str, name: str, field: str) -> str:
    """The table's column ``name`` (any case, spaces around), or a MeasureError for ``field``."""
    wanted = str(name).strip().lower()
    like = [c for c in data.tables[table].columns if str(c).strip().lower() == wanted]
    if not like and field == "date_column":
        like = _date_word(data.tables[table].columns, name)
    if len(like) > 1:
        raise MeasureError(field, Message(N_("table '{table}' has {n} columns named '{column}' ({columns}): rename "
                                             "all but one"), table=table, n=len(like), column=name,
                                          columns=Join(f"'{c}'" for c in like)))
    if not like:
        raise MeasureError(field, Message(N_("table '{table}' has no column '{column}' (columns: {columns})"),
                                          table=table, column=name, columns=Join(map(str, data.tables[table].columns))))
    return like[0]


def _date_word(columns, name: str) -> list:
    """The table's date column when the goal's Date column is the word "Date" in any language
    kpi-xl has a catalog for (its default when blank is the English "Date"): a blank Date
    column finds a zh-TW table's date column, headed with the catalog's word for Date, and
    that word finds an English table's Date."""
    words = readings("column", ("Date",))
    if str(name).strip().casefold() not in words:
        return []
    return [c for c in columns if str(c).strip().casefold() in words]


def _arguments(kpi: str, given: list, table: str, date_col: str, data: DataTables) -> list:
    """The Columns cell's entries checked against the KPI's arguments: column names made the
    table's own, values kept as literals."""
    low, high = arity(kpi)
    while given and given[-1] is None:
        given.pop()
    if kpi in ADDITIVE_KPIS and kpi not in ONE_COLUMN:
        if given and not (len(given) == 1 and not is_literal(given[0]) and given[0] is not None
                          and str(given[0]).strip().lower() == str(date_col).strip().lower()):
            raise MeasureError("columns", Message(N_(
                "{kpi} counts the rows dated in each period by the Date column ('{date_column}'): leave Columns "
                "blank (it has: {given})"), kpi=kpi, date_column=date_col, given=_shown(given)))
        return []
    found = registry.find(kpi)
    names = [a.name for a in found.arguments] if found else ["column"]
    if len(given) < low or len(given) > high:
        if kpi == "SUM":
            raise MeasureError("columns", Message(N_("SUM needs exactly one column to add up")))
        if kpi in ONE_COLUMN:
            raise MeasureError("columns", Message(N_("{kpi} needs exactly one column"), kpi=kpi))
        if not given:
            raise MeasureError("columns", Message(N_("{kpi} needs its argument columns, e.g. {example}"), kpi=kpi,
                                                  example=_hint(kpi)))
        message = N_("{kpi} needs at least {low} entries in Columns ({arguments}); it has {n}: {given}") \
            if len(given) < low else N_("{kpi} takes at most {high} entries in Columns ({arguments}); it has {n}: {given}")
        raise MeasureError("columns", Message(message, kpi=kpi, low=low, high=high, arguments=", ".join(names),
                                              n=len(given), given=_shown(given)))
    kinds = [(a.name, a.kind, a.optional) for a in found.arguments] if found else [("column", "range", False)]
    out = []
    for i, (a, (name, kind, optional)) in enumerate(zip(given, kinds), start=1):
        if a is None:
            raise MeasureError("columns", Message(N_(
                "{kpi}: entry {i} of Columns ({argument}) is blank; name a column there, or write a value where "
                "the argument takes one"), kpi=kpi, i=i, argument=name))
        if kind == "cell":
            if not is_literal(a):
                raise MeasureError("columns", Message(N_(
                    "{kpi}: {argument} is one value, not a column: write it in double quotes (\"{value}\") or as "
                    "a number"), kpi=kpi, argument=name, value=a))
            out.append(a)
        elif is_literal(a):
            if not optional or not isinstance(a, float):
                raise MeasureError("columns", Message(N_(
                    "{kpi}: {argument} needs a column of table '{table}', not the value {value} (a value there "
                    "would be the same for every period; for the mean of a column per row use AVERAGE)"),
                    kpi=kpi, argument=name, table=table, value=_shown([a])))
            out.append(a)
        else:
            out.append(_column(data, table, a, "columns"))
    return out


def _shown(given: list) -> str:
    """The Columns cell's entries as the user wrote them (literals quoted, blanks empty)."""
    return ", ".join("" if a is None else f'"{a}"' if isinstance(a, str) and is_literal(a) else
                     f"{a:g}" if isinstance(a, float) else str(a) for a in given)


def _hint(kpi: str) -> str:
    """The argument names of a registered KPI, e.g. "churned, customers_at_start"."""
    found = registry.find(kpi)
    return ", ".join(a.name for a in found.arguments) if found else "Amount"


def _totals(kpi: str, table: str, date_col: str, conditions: tuple, args: list, data: DataTables) -> Measure:
    filter_cols = tuple(c for c, _ in conditions)
    key = tuple(label_key(v) for _, v in conditions)
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
        cumulative.append((daily.day0, np.concatenate(([0.0], np.cumsum(row)))))
        # the first day a row of the goal has a number in the column, whatever the number: a
        # Refund column of zeros is data (0 refunds), a column of blanks is none
        counts = daily if col is None else data.daily(table, date_col, filter_cols, col, "count")
        had = counts.row(key)
        nz = np.flatnonzero(had) if had is not None else np.zeros(0, dtype=np.int64)
        if nz.size:
            f = counts.day0 + int(nz[0])
            first = f if first is None else min(first, f)

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
        # AVERAGE, MIN and MAX read numbers: a word among them ('n/a') is refused at its cell
        # by DataTables.numbers, as for SUM, not handed to NumPy as text
        if (kpi in ("AVERAGE", "MIN", "MAX") or pd.api.types.is_numeric_dtype(s)
                or pd.api.types.is_datetime64_any_dtype(s)):
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


#: The engine's column measures a source answers with grouped queries (the others read the rows).
PUSHED = ("AVERAGE", "MIN", "MAX", "DISTINCT")


def _pushed(kpi: str, table: str, date_col: str, conditions: tuple, column: str, data: DataTables) -> Measure:
    """AVERAGE, MIN, MAX or DISTINCT of a source's column from per-day aggregates, as
    :func:`_records` measures them on a sheet table's rows: AVERAGE is the span's total over
    its count, MIN and MAX the extremes of the days' extremes, DISTINCT the distinct values of
    the span's distinct (day, value) pairs; #DIV/0! where the span has no value (0 distinct)."""
    filter_cols = tuple(c for c, _ in conditions)
    key = tuple(label_key(v) for _, v in conditions)
    counts = data.daily(table, date_col, filter_cols, None).row(key)
    first = None
    if counts is not None and np.flatnonzero(counts).size:
        first = data.daily(table, date_col, filter_cols, None).day0 + int(np.flatnonzero(counts)[0])
    if kpi == "DISTINCT":
        days, values = data.distinct(table, date_col, conditions, column)

        def distinct(a: int, b: int) -> Any:
            lo, hi = int(np.searchsorted(days, a, side="left")), int(np.searchsorted(days, b, side="right"))
            return float(len(pd.unique(values[lo:hi])))

        return Measure(kpi, False, distinct, None, first)
    stats = ("sum", "count") if kpi == "AVERAGE" else (kpi.lower(),)
    rows = []
    for stat in stats:
        daily = data.daily(table, date_col, filter_cols, column, stat)
        rows.append((daily.day0, daily.row(key)))

    def span(i: int, a: int, b: int) -> np.ndarray:
        d0, row = rows[i]
        if row is None:
            return np.zeros(0)
        return row[max(a - d0, 0): max(b - d0 + 1, 0)]

    def value(a: int, b: int) -> Any:
        if kpi == "AVERAGE":
            n = float(span(1, a, b).sum())
            return float(span(0, a, b).sum()) / n if n else XlError("#DIV/0!")
        got = span(0, a, b)
        got = got[~np.isnan(got)]
        if not got.size:
            return XlError("#DIV/0!")
        return float(got.min() if kpi == "MIN" else got.max())

    return Measure(kpi, False, value, None, first)
