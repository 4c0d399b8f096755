"""DuckDB, embedded: the grouped queries of a file source and of a sheet table, written once.

:class:`DuckDB` answers a :class:`~kpi_xl.goals.pushdown.Backend`'s questions over any DuckDB
relation: a CSV, Parquet or Excel file, a DuckDB database (:mod:`kpi_xl.workbook.connect`), or
a sheet table's columns in memory (:class:`Frame`). Its :meth:`DuckDB.grouped` is the one
definition of the engine's per-day totals: a sheet table and a source are added up by the same
query, then read into a :class:`~kpi_xl.goals.data.Daily` by the same code
(:class:`~kpi_xl.goals.pushdown.SourceTable`).

A sheet table is registered with DuckDB as the pandas DataFrame it already is (no copy to
disk): not its cells as typed, but the columns the engine has read by its cell rules
(:class:`~kpi_xl.goals.data.DataTables`: dates as days, numbers as numbers, filter labels as
their :func:`~kpi_xl.goals.data.label_key`), so messy cells read as they always did and a cell
that cannot be read is named (sheet, column, row) before any query runs.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from ..i18n import Message, N_
from .pushdown import BOOLEAN, DATE, NUMBER, OTHER, TEXT, TIMESTAMP, SourceError


def quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def kind_of(t: str) -> str:
    """A DuckDB column type as a :mod:`~kpi_xl.goals.pushdown` kind."""
    t = t.upper()
    if t == "DATE":
        return DATE
    if t.startswith("TIMESTAMP"):
        return TIMESTAMP
    if t == "BOOLEAN":
        return BOOLEAN
    if t.startswith(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                     "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return NUMBER
    if t.startswith("VARCHAR"):
        return TEXT
    return OTHER


def first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class DuckDB:
    """A DuckDB relation (``relation(con)`` names it, registering what it needs), queried by
    embedded DuckDB. ``threads``: DuckDB's worker threads (None: its default)."""

    def __init__(self, relation: Callable[[Any], str], label: str, threads: int | None = None):
        self._relation, self.label, self.threads = relation, label, threads
        self._con = None
        self._from = ""

    def _connect(self) -> tuple[Any, str]:
        if self._con is None:
            import duckdb

            con = duckdb.connect(config={"threads": self.threads} if self.threads else {})
            try:
                self._from = self._relation(con)
            except duckdb.Error as exc:
                con.close()
                raise SourceError(Message(N_("cannot be read: {error}"), error=first_line(exc))) from None
            self._con = con
        return self._con, self._from

    def schema(self) -> dict[str, str]:
        con, rel = self._connect()
        r = con.sql(f"SELECT * FROM {rel} LIMIT 0")
        return {c: kind_of(str(t)) for c, t in zip(r.columns, r.types)}

    def grouped(self, date: str, date_kind: str, filters: list[str], aggregates: list[tuple[str, str]]) -> pd.DataFrame:
        con, rel = self._connect()
        d = quote(date)
        day = f"CAST({d} AS DATE)" if date_kind == TIMESTAMP else d
        keys = [day, *(quote(f) for f in filters)]
        aggs = ["COUNT(*)"] + [f"{fn.upper()}(CAST({quote(v)} AS DOUBLE))" for fn, v in aggregates]
        sql = f"SELECT {', '.join(keys + aggs)} FROM {rel} WHERE {d} IS NOT NULL GROUP BY {', '.join(keys)}"
        return con.sql(sql).df()

    def distinct(self, date: str, date_kind: str, filters: list[str], value: str) -> pd.DataFrame:
        con, rel = self._connect()
        d = quote(date)
        keys = [f"CAST({d} AS DATE)" if date_kind == TIMESTAMP else d, *(quote(f) for f in filters), quote(value)]
        sql = (f"SELECT {', '.join(keys)} FROM {rel} WHERE {d} IS NOT NULL AND {quote(value)} IS NOT NULL "
               f"GROUP BY {', '.join(keys)}")
        return con.sql(sql).df()

    def select(self, columns: list[str]) -> pd.DataFrame:
        con, rel = self._connect()
        return con.sql(f"SELECT {', '.join(quote(c) for c in columns)} FROM {rel}").df()


#: How a sheet table's column is asked for: as its days, its filter labels, or its numbers.
DAYS, LABELS, NUMBERS = "days", "labels", "numbers"


class Frame(DuckDB):
    """A sheet table as a DuckDB relation over an in-memory DataFrame of the columns the engine
    read from it: ``column(role, name)`` gives a column's day numbers (:data:`DAYS`, int64,
    :data:`~kpi_xl.goals.data.NO_DAY` where blank), its label codes and labels (:data:`LABELS`,
    codes -1 where blank) or its numbers (:data:`NUMBERS`, float64, NaN where blank).

    One DuckDB thread: each day's total is then added up in the rows' order, as the sheet's
    engine always did, so a total is the same to the last bit from one refresh to the next."""

    def __init__(self, columns: list[str], column: Callable[[str, str], Any], label: str = ""):
        super().__init__(lambda con: "kpi_xl_sheet", label, threads=1)
        self._columns, self._column = list(columns), column  # the table's own column names

    def schema(self) -> dict[str, str]:
        # every column as the engine reads it (DataTables has refused a cell it cannot read)
        return {c: NUMBER for c in self._columns}

    def _register(self, date: str, filters: list[str], values: list[str]) -> None:
        con, _ = self._connect()
        days = self._column(DAYS, date)
        frame: dict[str, Any] = {"d": _timestamps(days)}
        for f in filters:
            codes, labels = self._column(LABELS, f)
            frame[f"f:{f}"] = pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object),
                                                        validate=False)
        for v in values:
            frame[f"v:{v}"] = self._column(NUMBERS, v)
        con.register("kpi_xl_sheet", pd.DataFrame(frame, copy=False))

    def grouped(self, date: str, date_kind: str, filters: list[str], aggregates: list[tuple[str, str]]) -> pd.DataFrame:
        values = list(dict.fromkeys(v for _, v in aggregates))
        self._register(date, filters, values)
        return super().grouped("d", TIMESTAMP, [f"f:{f}" for f in filters], [(fn, f"v:{v}") for fn, v in aggregates])

    def distinct(self, date: str, date_kind: str, filters: list[str], value: str) -> pd.DataFrame:
        raise NotImplementedError("a sheet table's distinct values are read from its rows")

    def select(self, columns: list[str]) -> pd.DataFrame:
        raise NotImplementedError("a sheet table's columns are read from its DataFrame")


def _timestamps(days: np.ndarray) -> np.ndarray:
    """Day numbers as datetime64[s] (NaT where :data:`~kpi_xl.goals.data.NO_DAY`: the same int64)."""
    missing = days == np.iinfo(np.int64).min
    return np.where(missing, days, days * 86400).view("datetime64[s]")
