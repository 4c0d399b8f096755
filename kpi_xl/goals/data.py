"""Data tables (transactions, deals, tickets...) prepared once for many goals.

Reading a million-row table costs far more than any goal's arithmetic, so every
conversion here happens once per table and column and is cached: dates become
day numbers, labels become integer codes, amounts become float arrays. A goal
then reads per-day totals from a small matrix (key × day) instead of scanning
the table again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..excel import serials_of
from ..i18n import Join, Message, MessageError, N_, readings

EPOCH = dt.date(1970, 1, 1)
NO_DAY = np.iinfo(np.int64).min


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def from_day(n: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(n))


class DataError(MessageError):
    """A data table or column a goal needs is missing or holds the wrong kind of value;
    ``table``, ``column`` and ``row`` (1-based data row) say where, when one cell is wrong."""

    def __init__(self, message: Message | str, *, table: str | None = None, column: str | None = None,
                 row: int | None = None) -> None:
        super().__init__(message)
        self.table, self.column, self.row = table, column, row


def _row_label(s: pd.Series, i: int) -> int:
    """The 1-based table row of position ``i`` (blank rows dropped keep their labels)."""
    label = s.index[i]
    return int(label) + 1 if isinstance(label, (int, np.integer)) else i + 1


@dataclass
class Daily:
    """Per-day totals of one value column for each filter key: ``matrix[key, day - day0]``."""

    day0: int
    keys: dict[tuple, int]
    matrix: np.ndarray  # float64, shape (n_keys, n_days)

    def row(self, key: tuple) -> np.ndarray | None:
        i = self.keys.get(key)
        return None if i is None else self.matrix[i]


class DataTables:
    """A set of named tables with cached conversions. Table and column names are
    matched without regard to case and surrounding spaces."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self.tables = {str(k).strip(): v for k, v in tables.items()}
        self._lookup = {k.lower(): k for k in self.tables}
        # a table may be named in any language there is a catalog for ("Deals" or its sheet's
        # name in a Chinese workbook); the table's own name wins
        for word, name in readings("sheet", tuple(self.tables)).items():
            self._lookup.setdefault(word.lower(), name)
        self._cache: dict[tuple, Any] = {}

    # ----------------------------------------------------------------- names
    def table_name(self, name: str) -> str | None:
        return self._lookup.get(str(name).strip().lower())

    def column_name(self, table: str, column: str) -> str | None:
        t = self.table_name(table)
        if t is None:
            return None
        cols = {str(c).strip().lower(): c for c in self.tables[t].columns}
        return cols.get(str(column).strip().lower())

    def _col(self, table: str, column: str) -> pd.Series:
        t = self.table_name(table)
        if t is None:
            raise DataError(Message(N_("no data table named '{table}'"), table=table))
        c = self.column_name(t, column)
        if c is None:
            raise DataError(Message(N_("table '{table}' has no column '{column}' (columns: {columns})"), table=t,
                                    column=column, columns=Join(map(str, self.tables[t].columns))))
        return self.tables[t][c]

    def __len__(self) -> int:
        return len(self.tables)

    # ----------------------------------------------------------- conversions
    def days(self, table: str, column: str) -> np.ndarray:
        """Day numbers of a date column; blanks are :data:`NO_DAY`."""
        key = ("days", table.lower(), column.lower())
        if key not in self._cache:
            s = self._col(table, column)
            values = s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, errors="coerce")
            missing = values.isna()
            if missing.any() and not pd.api.types.is_datetime64_any_dtype(s):
                bad = missing & s.notna() & (s.astype(str).str.strip() != "")
                if bad.any():
                    i = int(np.flatnonzero(bad.to_numpy())[0])
                    raise DataError(Message(N_("table '{table}', column '{column}', row {row}: '{value}' is not a date"),
                                            table=table, column=column, row=i + 1, value=s.iloc[i]),
                                    table=table, column=column, row=_row_label(s, i))
            arr = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
            arr[missing.to_numpy()] = NO_DAY
            self._cache[key] = arr
        return self._cache[key]

    def numbers(self, table: str, column: str) -> np.ndarray:
        """A numeric column as float64; blanks are NaN."""
        key = ("num", table.lower(), column.lower())
        if key not in self._cache:
            s = self._col(table, column)
            if pd.api.types.is_bool_dtype(s):
                arr = s.astype(float).to_numpy()
            elif pd.api.types.is_numeric_dtype(s):
                arr = s.to_numpy(dtype=np.float64, na_value=np.nan)
            elif pd.api.types.is_datetime64_any_dtype(s):
                arr = _serials(s)  # date-times as Excel serial days, time of day kept
            else:
                conv = pd.to_numeric(s, errors="coerce")
                bad = conv.isna() & s.notna() & (s.astype(str).str.strip() != "")
                if bad.any():
                    # date-times (e.g. ticket timestamps) are numbers of days for the KPI functions
                    as_dates = pd.to_datetime(s, errors="coerce")
                    if not (as_dates.isna() & s.notna()).any():
                        return self._cache.setdefault(key, _serials(as_dates))
                    i = int(np.flatnonzero(bad.to_numpy())[0])
                    raise DataError(Message(N_("table '{table}', column '{column}', row {row}: '{value}' is not a number"),
                                            table=table, column=column, row=i + 1, value=s.iloc[i]),
                                    table=table, column=column, row=_row_label(s, i))
                arr = conv.to_numpy(dtype=np.float64, na_value=np.nan)
            self._cache[key] = arr
        return self._cache[key]

    def labels(self, table: str, column: str) -> tuple[np.ndarray, dict[str, int]]:
        """Integer codes of a label column (blank = -1) and the code of each label (case-folded)."""
        key = ("codes", table.lower(), column.lower())
        if key not in self._cache:
            s = self._col(table, column)
            # a plain object array factorizes ~2.5× faster than pandas' python-backed strings
            raw_codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
            mapping: dict[str, int] = {}
            remap = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot: blank (code -1)
            for i, u in enumerate(uniques):
                label = str(u).strip().casefold()
                if label:
                    remap[i] = mapping.setdefault(label, len(mapping))
            self._cache[key] = (remap[raw_codes], mapping)
        return self._cache[key]

    def raw(self, table: str, column: str) -> np.ndarray:
        return self._col(table, column).to_numpy()

    # ------------------------------------------------------------ aggregates
    def daily(self, table: str, date_column: str, filter_columns: tuple[str, ...], value: str | None) -> Daily:
        """Per-day totals of ``value`` (row counts when None) for every combination
        of the filter columns' labels, in one pass over the table."""
        key = ("daily", table.lower(), date_column.lower(), tuple(c.lower() for c in filter_columns),
               None if value is None else value.lower())
        if key in self._cache:
            return self._cache[key]
        days = self.days(table, date_column)
        ok = days != NO_DAY
        if value is not None:
            vals = self.numbers(table, value)
            ok &= ~np.isnan(vals)
        if not ok.any():
            daily = Daily(0, {}, np.zeros((0, 1)))
            self._cache[key] = daily
            return daily
        day0 = int(days[ok].min())
        n_days = int(days[ok].max()) - day0 + 1
        combo = np.zeros(len(days), dtype=np.int64)
        radix = 1
        decoders = []
        for col in filter_columns:
            codes, mapping = self.labels(table, col)
            ok &= codes >= 0
            combo += codes * radix
            decoders.append((radix, len(mapping), mapping))
            radix *= max(len(mapping), 1)
        # the distinct filter keys, without sorting a million rows: the codes are small
        present = np.bincount(combo[ok], minlength=radix) > 0
        uniq = np.flatnonzero(present)
        lookup = np.full(radix, -1, dtype=np.int64)
        lookup[uniq] = np.arange(len(uniq))
        inverse = lookup[combo[ok]]
        flat = inverse.astype(np.int64) * n_days + (days[ok] - day0)
        weights = None if value is None else vals[ok]
        matrix = np.bincount(flat, weights=weights, minlength=len(uniq) * n_days).astype(np.float64)
        matrix = matrix.reshape(len(uniq), n_days)
        keys: dict[tuple, int] = {}
        inverse_maps = [{v: k for k, v in mapping.items()} for _, _, mapping in decoders]
        for i, code in enumerate(uniq.tolist()):
            parts = []
            for (r, n, _), inv in zip(decoders, inverse_maps):
                parts.append(inv[(code // r) % max(n, 1)])
            keys[tuple(parts)] = i
        daily = Daily(day0, keys, matrix)
        self._cache[key] = daily
        return daily

    def rows(self, table: str, date_column: str, conditions: tuple[tuple[str, str], ...]) -> tuple[np.ndarray, np.ndarray]:
        """Row indices matching every ``column=value`` condition, sorted by date, and their day numbers."""
        key = ("rows", table.lower(), date_column.lower(), tuple((c.lower(), v.casefold()) for c, v in conditions))
        if key not in self._cache:
            days = self.days(table, date_column)
            ok = days != NO_DAY
            for col, val in conditions:
                codes, mapping = self.labels(table, col)
                ok &= codes == mapping.get(val.strip().casefold(), -2)
            idx = np.flatnonzero(ok)
            order = np.argsort(days[idx], kind="stable")
            idx = idx[order]
            self._cache[key] = (idx, days[idx])
        return self._cache[key]


def _serials(values: pd.Series) -> np.ndarray:
    return serials_of(values.to_numpy(dtype="datetime64[ns]"))
