"""Data that stays where it lives: a source (a file, a database table or query) that goals
name exactly as they name a data table, its measures pushed down as grouped queries.

The engine asks a data table two kinds of question (:class:`~kpi_xl.goals.data.DataTables`):
per-day totals by filter values (:meth:`DataTables.daily`, for additive and ratio-of-totals
measures and for why a period is empty), and a column's values (for the measures that need
the rows). A :class:`SourceTable` answers the first with **one grouped query per source and
date column** (its grain: days), for every goal on it at once, so ten million rows are summed
where they live and only (days × filter values) rows come back; it answers the second by
reading just the columns the goals use, in one query.

Batching needs to know every goal's question before asking the first: :meth:`DataTables.plan`
builds the goals once against empty answers (:attr:`SourceTable.planning`), recording what
each asks; :meth:`SourceTable.fetch` then runs the queries. Filter values and dates are read
after grouping, by the engine's own rules (:func:`~kpi_xl.goals.data.label_key`,
:func:`~kpi_xl.goals.data.read_dates`), over the few distinct values that come back, so a
source gives the same numbers as the same rows typed into a sheet.

How a query is written and run (DuckDB for files, SQLAlchemy for databases) is the
:class:`Backend`'s business (:mod:`kpi_xl.workbook.connect`); this module speaks no SQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..i18n import Message, MessageError, N_
from .data import NO_DAY, DataError, Daily, label_key, read_dates

#: What a column holds, as the backend reports it.
DATE, TIMESTAMP, NUMBER, BOOLEAN, TEXT, OTHER = "date", "timestamp", "number", "boolean", "text", "other"


class SourceError(MessageError):
    """A source that cannot answer (unreachable, refused, a query error), in words."""


class Backend(Protocol):
    """Runs a source's queries where its data is."""

    def schema(self) -> dict[str, str]:
        """Column name → kind (:data:`DATE`, :data:`NUMBER`...), in the source's order."""

    def grouped(self, date: str, date_kind: str, filters: list[str], aggregates: list[tuple[str, str]]) -> pd.DataFrame:
        """One grouped query: rows with a date, grouped by day (``date`` cast to a date when it is a
        :data:`TIMESTAMP`, as stored otherwise) and the ``filters`` columns' values. Columns, in order:
        the day, each filter, ``n`` (rows), then each of ``aggregates``: (``"sum"``, ``"count"``,
        ``"min"`` or ``"max"``, a column), of the column as floating-point numbers."""

    def distinct(self, date: str, date_kind: str, filters: list[str], value: str) -> pd.DataFrame:
        """The distinct (day, filters..., value) of the rows with a date and a ``value``."""

    def select(self, columns: list[str]) -> pd.DataFrame:
        """The ``columns`` of every row."""


class SourceTable:
    """A source standing in for a data table's DataFrame: ``columns``, ``table[column]``, plus
    per-day totals answered by grouped queries (:meth:`grouped_daily`)."""

    def __init__(self, name: str, backend: Backend, where: str = ""):
        self.name, self.backend = name, backend
        self.where = where  # e.g. "Sources!C3", for messages
        self.planning = False
        self.queries: Counter = Counter()  # kind of query ("schema", "grouped", "select") → how many
        self._schema: dict[str, str] | None = None
        self._failed: SourceError | None = None
        self._needs: dict[str, set[tuple[tuple[str, ...], str | None, str]]] = {}  # date → (filters, value, stat)
        self._wanted: set[str] = set()
        self._grouped: dict[str, pd.DataFrame] = {}  # date column → the grouped query's rows
        self._layout: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}  # date → (filters, aggregates) asked
        self._frame: pd.DataFrame | None = None
        self._keys: dict[tuple, Any] = {}  # day numbers and label codes of the grouped rows, read once
        self._dailies: dict[tuple, Daily] = {}
        self._distinct_needs: set[tuple] = set()
        self._distinct: dict[tuple, pd.DataFrame] = {}  # ("distinct", date, filters, value) → its rows

    # ----------------------------------------------------------- errors
    def _fail(self, exc: Exception) -> DataError:
        if not isinstance(exc, SourceError):
            exc = SourceError(Message(N_("the query failed: {error}"), error=_first_line(exc)))
        self._failed = exc
        return self._error()

    def _error(self) -> DataError:
        assert self._failed is not None
        if self.where:
            return DataError(Message(N_("source '{source}' ({where}): {problem}"), source=self.name, where=self.where,
                                     problem=self._failed.message), table=self.name)
        return DataError(Message(N_("source '{source}': {problem}"), source=self.name, problem=self._failed.message),
                         table=self.name)

    # ----------------------------------------------------------- schema
    def schema(self) -> dict[str, str]:
        if self._failed is not None:
            raise self._error()
        if self._schema is None:
            self.queries["schema"] += 1
            try:
                self._schema = dict(self.backend.schema())
            except Exception as exc:  # noqa: BLE001 - a driver's own error types: said in words
                raise self._fail(exc) from None
        return self._schema

    @property
    def columns(self) -> list[str]:
        return list(self.schema())

    def __len__(self) -> int:
        return 0 if self._frame is None else len(self._frame)

    def __getitem__(self, column: str) -> pd.Series:
        kinds = self.schema()
        if column not in kinds:
            raise KeyError(column)
        if self.planning:
            self._wanted.add(column)
            return pd.Series([], dtype=_dtype(kinds[column]), name=column)
        if self._frame is None or column not in self._frame.columns:
            self._wanted.add(column)
            self._select()
        return self._frame[column]

    # ------------------------------------------------------------ totals
    def _numbers(self, value: str | None) -> None:
        kinds = self.schema()
        if value is not None and kinds.get(value) not in (NUMBER, BOOLEAN):
            problem = Message(N_("column '{column}' holds {kind}, not numbers"), column=value,
                              kind=Message(_KIND_WORDS.get(kinds.get(value), N_("other values"))))
            raise DataError(Message(N_("source '{source}': {problem}"), source=self.name, problem=problem),
                            table=self.name, column=value)

    def grouped_daily(self, date: str, filters: tuple[str, ...], value: str | None, epoch: dt.datetime,
                      stat: str = "sum") -> Daily:
        """Per-day totals of ``value`` (rows when None) for every combination of the ``filters``
        columns' labels: what :meth:`DataTables.daily` answers for a sheet table. ``stat`` "count",
        "min" or "max" gives the day's count of values, smallest or largest instead (NaN where none)."""
        self._numbers(value)
        need = (tuple(filters), value, stat)
        if self.planning:
            self._needs.setdefault(date, set()).add(need)
            return Daily(0, {}, np.zeros((0, 1)))
        if date not in self._grouped or not set(filters) <= set(self._layout[date][0]) or \
                (value is not None and not set(_aggregates(value, stat)) <= set(self._layout[date][1])):
            self._needs.setdefault(date, set()).add(need)  # not planned: asked now
            self._group(date)
        if self._failed is not None:
            raise self._error()
        return self._daily(date, filters, value, epoch, stat)

    def distinct_rows(self, date: str, filters: tuple[str, ...], key: tuple, value: str,
                      epoch: dt.datetime) -> tuple[np.ndarray, np.ndarray]:
        """The distinct (day, value) pairs of the rows whose ``filters`` labels are ``key``, sorted
        by day: what a distinct count over any span needs, from one grouped query per column."""
        need = ("distinct", date, tuple(filters), value)
        if self.planning:
            self._needs.setdefault(date, set()).add((tuple(filters), None, "sum"))
            self._distinct_needs.add(need)
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object)
        if need not in self._distinct:
            self._distinct_needs.add(need)
            self._run_distinct(need)
        if self._failed is not None:
            raise self._error()
        rows = self._distinct[need]
        days = _day_numbers(rows["d"], epoch, self.name, date)
        ok = days != NO_DAY
        for j, want in enumerate(key):
            ok &= _label_keys(rows[f"f{j}"]) == want
        order = np.argsort(days[ok], kind="stable")
        return days[ok][order], rows["v"].to_numpy(dtype=object)[ok][order]

    def fetch(self) -> None:
        """Run the planned queries: one grouped query per date column (and one per column a
        distinct count asks for), one read of the columns the other record measures use. A
        failure is kept and said by every goal on this source."""
        if self._failed is not None:
            return
        try:
            for date in list(self._needs):
                self._group(date)
            for need in sorted(self._distinct_needs):
                self._run_distinct(need)
            if self._wanted:
                self._select()
        except DataError:
            pass

    def _group(self, date: str) -> None:
        filters: list[str] = []
        aggregates: list[tuple[str, str]] = []
        for fs, v, stat in sorted(self._needs.get(date, ()), key=lambda n: (n[0], n[1] or "", n[2])):
            filters += [f for f in fs if f not in filters]
            if v is not None:
                aggregates += [a for a in _aggregates(v, stat) if a not in aggregates]
        self.queries["grouped"] += 1
        try:
            rows = self.backend.grouped(date, self.schema()[date], filters, aggregates)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None
        rows.columns = ["d", *[f"f{i}" for i in range(len(filters))], "n", *[f"a{i}" for i in range(len(aggregates))]]
        self._grouped[date], self._layout[date] = rows, (filters, aggregates)
        # a date column asked again (a question not planned): what was read of its old rows goes
        for key in [k for k in self._keys if k[1] == date]:
            del self._keys[key]
        for key in [k for k in self._dailies if k[0] == date]:
            del self._dailies[key]

    def _run_distinct(self, need: tuple) -> None:
        if need in self._distinct:
            return
        _, date, filters, value = need
        self.queries["distinct"] += 1
        try:
            rows = self.backend.distinct(date, self.schema()[date], list(filters), value)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None
        rows.columns = ["d", *[f"f{i}" for i in range(len(filters))], "v"]
        self._distinct[need] = rows

    def _select(self) -> None:
        self.queries["select"] += 1
        columns = [c for c in self.schema() if c in self._wanted]
        try:
            self._frame = self.backend.select(columns)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None

    def _daily(self, date: str, filters: tuple[str, ...], value: str | None, epoch: dt.datetime,
               stat: str = "sum") -> Daily:
        key = (date, tuple(filters), value, stat)
        if key in self._dailies:  # a second DataTables over the same source (the SMART check) asks again
            return self._dailies[key]
        rows = self._grouped[date]
        layout_filters, layout_aggregates = self._layout[date]
        if ("days", date) not in self._keys:
            self._keys["days", date] = _day_numbers(rows["d"], epoch, self.name, date)
        days = self._keys["days", date]
        if value is None:
            weights = rows["n"].to_numpy(dtype=np.float64)
            ok = days != NO_DAY
        else:
            got = rows[f"a{layout_aggregates.index((stat, value))}"]
            weights = pd.to_numeric(got, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            count = rows[f"a{layout_aggregates.index(('count', value))}"]
            ok = (days != NO_DAY) & (pd.to_numeric(count).to_numpy(dtype=np.float64, na_value=0.0) > 0)
        if not ok.any():
            return self._dailies.setdefault(key, Daily(0, {}, np.zeros((0, 1))))
        # each filter column's label keys as small integer codes, combined into one code per group row
        combo = np.zeros(len(rows), dtype=np.int64)
        radix, names = 1, []
        for f in filters:
            if ("labels", date, f) not in self._keys:
                self._keys["labels", date, f] = pd.factorize(_label_keys(rows[f"f{layout_filters.index(f)}"]))
            codes, uniques = self._keys["labels", date, f]
            combo += codes.astype(np.int64) * radix
            names.append((radix, len(uniques), uniques))
            radix *= max(len(uniques), 1)
        day = days[ok]
        day0 = int(day.min())
        n_days = int(day.max()) - day0 + 1
        present, inverse = np.unique(combo[ok], return_inverse=True)
        cell = inverse.reshape(-1) * n_days + (day - day0)
        if stat in ("min", "max"):  # several group rows may share a day and label ("online " and "Online")
            matrix = np.full(len(present) * n_days, np.nan)
            (np.fmin if stat == "min" else np.fmax).at(matrix, cell, weights[ok])
        else:
            matrix = np.bincount(cell, weights=np.nan_to_num(weights[ok]), minlength=len(present) * n_days)
        matrix = matrix.reshape(len(present), n_days)
        index = {tuple(str(u[(c // r) % n]) for r, n, u in names): i for i, c in enumerate(present.tolist())}
        return self._dailies.setdefault(key, Daily(day0, index, matrix))


def _aggregates(value: str, stat: str) -> list[tuple[str, str]]:
    """What the grouped query computes of ``value`` for ``stat``: the day's count always (which
    days have a value), and the stat itself."""
    return [("count", value)] if stat == "count" else [(stat, value), ("count", value)]


#: A column kind in words, for "holds text, not numbers".
_KIND_WORDS = {DATE: N_("dates"), TIMESTAMP: N_("dates"), TEXT: N_("text")}


def _dtype(kind: str) -> str:
    return {NUMBER: "float64", BOOLEAN: "bool", DATE: "datetime64[us]", TIMESTAMP: "datetime64[us]"}.get(kind, "object")


def _label_keys(values: pd.Series) -> np.ndarray:
    """Each value's :func:`label_key`, computed once per distinct value."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    keys = np.array([label_key(u) for u in uniques] + [""], dtype=object)
    return keys[codes]


def _day_numbers(values: pd.Series, epoch: dt.datetime, table: str, column: str) -> np.ndarray:
    """The grouped query's day column as day numbers (:data:`NO_DAY` where blank): dates as they
    are, anything else read by the engine's date rule once per distinct value."""
    if pd.api.types.is_datetime64_any_dtype(values):
        missing = values.isna().to_numpy()
        days = values.to_numpy().astype("datetime64[D]").astype(np.int64)
        days[missing] = NO_DAY
        return days
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    read = read_dates(pd.Series(list(uniques), dtype=object), epoch, table=table, column=column)
    missing = read.isna().to_numpy()
    days = read.to_numpy().astype("datetime64[D]").astype(np.int64)
    days[missing] = NO_DAY
    return np.append(days, NO_DAY)[codes]


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
