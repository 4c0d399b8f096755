"""Data tables (transactions, deals, tickets...) prepared once for many goals.

Reading a million-row table costs far more than any goal's arithmetic, so every
conversion here happens once per table and column and is cached: dates become
day numbers, labels become integer codes, amounts become float arrays. A goal
then reads per-day totals from a small matrix (key × day) instead of scanning
the table again.

A sheet table's per-day totals (:meth:`DataTables.daily`) are added up here, with NumPy, not
by the grouped DuckDB query a source's are (:mod:`kpi_xl.goals.pushdown`): the columns are
already in memory as arrays, and handing them to DuckDB made every refresh slower (importing
DuckDB and a query per table and date column: +3 % to +8 % CPU and +47 to +79 MiB, measured in
docs/sources.md). The reading of the cells (dates, numbers, labels) is the same for both.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import is_error
from ..excel import EPOCH_1900, serials_of
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
    ``table``, ``column`` and ``row`` (1-based data row: 1 is the first row under the header)
    say where, when one cell is wrong, and ``problem`` what is wrong with that cell, in words
    that do not repeat where (refresh puts the sheet's cell in front of it)."""

    def __init__(self, message: Message | str, *, table: str | None = None, column: str | None = None,
                 row: int | None = None, problem: Message | None = None) -> None:
        super().__init__(message)
        self.table, self.column, self.row, self.problem = table, column, row, problem


def _row_label(s: pd.Series, i: int) -> int:
    """The 1-based table row of position ``i`` (blank rows dropped keep their labels)."""
    label = s.index[i]
    return int(label) + 1 if isinstance(label, (int, np.integer)) else i + 1


# ------------------------------------------------------------------ labels
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9]\d*)(?:\.\d+)?|[-+]?\.\d+")


def label_key(value: Any) -> str:
    """What a filter compares: a cell's value or a filter's value as one text, so that
    equal things match. Numbers compare as numbers (0, 0.0 and the text "0" are all "0";
    1.0 in a column pandas made float by a blank cell matches 1); text compares without
    regard to case, surrounding spaces or full-width forms (NFKC); a blank is "".
    Text with a leading zero ("007", a code) stays text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).casefold()
    if isinstance(value, (int, float, np.integer, np.floating)):
        f = float(value)
        if f != f:
            return ""
        # 15 significant digits, as Excel shows a number: 0.1 + 0.2 is 0.3
        return str(int(f)) if f.is_integer() and abs(f) < 2**53 else format(f, ".15g")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _PLAIN_NUMBER.fullmatch(text):
        return label_key(float(text))
    return text.casefold()


# ------------------------------------------------------------------- dates
#: Excel's last date, 9999-12-31, as a serial of the 1900 date system (the 1904 one is smaller).
MAX_SERIAL = 2_958_465
_ISO = (r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
        r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
        r"\s*(?:Z|[+-]\d{2}:?\d{2})?)?$")
_NUMBER = r"^[-+]?\d+(?:\.\d*)?$"


#: Minguo (ROC) calendar dates as Taiwan writes them: a 3-digit year 100-199 (2011-2110), then month and day.
_ROC = r"^(1\d\d)[/.\-](\d{1,2})[/.\-](\d{1,2})$"
#: Excel's first day (1900 date system); earlier dates cannot be in a workbook.
EXCEL_FIRST_DAY = pd.Timestamp(1900, 1, 1)


def read_dates(s: pd.Series, epoch: dt.datetime = EPOCH_1900, *, table: str = "", column: str = "") -> pd.Series:
    """A date column as datetime64 (blank cells NaT), by one rule for the whole column.

    A cell is read as a date when it holds

    * a date or date-time;
    * ISO text, ``2026-01-15`` or ``2026/01/15`` (``2026/1/5`` too; a time after it is kept);
    * Minguo (ROC) text as Taiwan writes it, ``115/01/15`` (year + 1911: 2026-01-15);
    * a number, or text of digits: an **Excel serial number** (days since the workbook's
      ``epoch``, 1899-12-30 in the 1900 date system; a fraction is the time of day) or an
      **8-digit YYYYMMDD** number (20260115 is 2026-01-15).

    Whether the numbers are serials or YYYYMMDD is decided **for the column, not per cell**:
    the reading most of its numbers fit (a serial is at most 2,958,465, 9999-12-31; a
    YYYYMMDD number has 8 digits). A column mixing the two is refused at its first number
    that does not fit the column's reading, never read half one way and half the other.
    Anything else (other text, a negative number, true/false, a time of day alone) is
    refused: :class:`DataError` names the table, the column and the first bad cell's row.
    Full-width digits and separators read as ASCII. No pandas warnings: every format is
    given explicitly.
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")  # years 1 to 9999, as Excel
    if len(s) == 0:
        return out
    obj = s.astype(object)
    present = s.notna().to_numpy(dtype=bool, copy=True)
    none = np.zeros(len(s), dtype=bool)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):  # a million numbers: no loop
        is_text, is_num, is_when = none.copy(), present.copy(), none.copy()
    elif pd.api.types.is_string_dtype(s) and s.dtype != object:
        is_text, is_num, is_when = present.copy(), none.copy(), none.copy()
    else:
        # one pass for the cells' types, then each distinct type classified once
        codes, types = pd.factorize(obj.map(type).to_numpy(dtype=object))
        kind = np.array([0 if issubclass(t, str) else
                         1 if issubclass(t, (int, float, np.integer, np.floating)) and not issubclass(t, (bool, np.bool_))
                         else 2 if issubclass(t, (dt.date, np.datetime64)) else 3 for t in types] + [3])
        k = kind[codes]
        is_text, is_num, is_when = k == 0, k == 1, k == 2
    blank = ~present & ~is_when
    bad = ~(is_text | is_num | is_when | blank)
    numbers = np.full(len(s), np.nan)
    reading = ""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        numbers = s.to_numpy(dtype=np.float64, na_value=np.nan).copy()
    elif is_num.any():
        numbers[is_num] = obj[is_num].astype(np.float64).to_numpy()
    if is_num.any():
        blank |= is_num & np.isnan(numbers)
        is_num &= ~np.isnan(numbers)
    if is_when.any():
        out[is_when] = pd.to_datetime(obj[is_when].map(_timestamp), errors="coerce")
        bad |= is_when & out.isna().to_numpy()
    if is_text.any():
        text = obj[is_text].astype(str)
        wide = ~text.map(str.isascii).astype(bool)  # Series.str.isascii needs pandas 3
        if wide.any():  # full-width digits and separators as ASCII
            text[wide] = text[wide].str.normalize("NFKC")
        text = text.str.strip()
        roc = text.str.match(_ROC).to_numpy(dtype=bool)
        if roc.any():  # Taiwan's Minguo years (115/03/05 is 2026-03-05): the calendar year is year + 1911
            text[roc] = text[roc].str.replace(_ROC, lambda m: f"{int(m.group(1)) + 1911}/{m.group(2)}/{m.group(3)}",
                                              regex=True)
        where = np.flatnonzero(is_text)
        empty = (text == "").to_numpy()
        blank[where[empty]] = True
        # vectorised first: digits (20260115, 46023), then plain dates (2026-01-15, 2026/1/5);
        # what is left (46023.5, a time after the date, ...) one pattern at a time
        digits = text.str.isdigit().to_numpy(dtype=bool, copy=True) & ~empty
        numbers[where[digits]] = text[digits].astype(np.float64).to_numpy()
        is_num[where[digits]] = True
        rest = ~empty & ~digits
        if rest.any():
            first = text[rest].iloc[0]
            formats = ("%Y/%m/%d", "%Y-%m-%d") if first[4:5] == "/" else ("%Y-%m-%d", "%Y/%m/%d")  # Taiwan: slashes
            when = pd.to_datetime(text[rest], format=formats[0], errors="coerce").astype("datetime64[us]")
            slow = when.isna().to_numpy()
            if slow.any():
                when[slow] = pd.to_datetime(text[rest][slow], format=formats[1], errors="coerce").to_numpy(
                    dtype="datetime64[us]")
                slow = when.isna().to_numpy()
            if slow.any():
                left = text[rest][slow]
                number = left.str.match(_NUMBER).to_numpy(dtype=bool)
                at = where[np.flatnonzero(rest)[np.flatnonzero(slow)]]
                numbers[at[number]] = left[number].astype(np.float64).to_numpy()
                is_num[at[number]] = True
                parts = left.str.extract(_ISO)
                parts = parts.apply(pd.to_numeric, errors="coerce").fillna({"hour": 0, "minute": 0, "second": 0})
                when[slow] = pd.to_datetime(parts, errors="coerce").to_numpy(dtype="datetime64[us]")
                keep = np.ones(len(when), dtype=bool)
                keep[np.flatnonzero(slow)[number]] = False  # numbers are read below
                rest[np.flatnonzero(rest)[~keep]] = False
                when = when[keep]
            out.iloc[where[rest]] = when.to_numpy(dtype="datetime64[us]")
            bad[where[rest]] = when.isna().to_numpy()
    if is_num.any():
        v = numbers[is_num]
        ymd = (v >= 10_000_101) & (v <= 99_991_231) & (v == np.floor(v))
        serial = (v >= 0) & (v <= MAX_SERIAL)
        reading = "ymd" if ymd.sum() > serial.sum() else "serial"
        if reading == "ymd":  # the column's numbers are YYYYMMDD: year, month and day by arithmetic
            n = np.where(ymd, v, 19700101).astype(np.int64)
            year, month, day = n // 10000, n // 100 % 100, n % 100
            ok = ymd & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
            months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
            days = months.astype("datetime64[D]") + np.where(ok, day - 1, 0)
            ok &= days.astype("datetime64[M]") == months  # no 31 April
            when = pd.Series(days.astype("datetime64[us]"))
            when[~ok] = pd.NaT
        else:
            ok = np.where(serial, v, 0.0)
            when = pd.Series(pd.Timestamp(epoch) + pd.to_timedelta(np.round(ok * 86400.0), unit="s"))
            when[~serial] = pd.NaT
        where = np.flatnonzero(is_num)
        out.iloc[where] = when.to_numpy(dtype="datetime64[us]")
        bad[where] = when.isna().to_numpy()
    bad |= (out < EXCEL_FIRST_DAY).to_numpy(dtype=bool)  # year 115 (a Minguo date read as ISO): no Excel date
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _at_cell(s, i, table, column, _not_a_date(s.iloc[i], numbers[i] if is_num[i] else None, reading))
    return out


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

    def __init__(self, tables: dict[str, pd.DataFrame], epoch: dt.datetime = EPOCH_1900):
        self.epoch = epoch  # the date system of serial numbers in date columns
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

    def plan(self, build_all: Callable[[], Any]) -> None:
        """Ask each source (:class:`kpi_xl.goals.pushdown.SourceTable`) every goal's questions
        in one go: ``build_all`` builds the goals on the sources against empty answers while
        they record what is asked, then each source runs its queries (one grouped query per
        date column). Nothing built while planning is kept."""
        sources = list({id(t): t for t in self.tables.values() if hasattr(t, "grouped_daily")}.values())
        if not sources:
            return
        for s in sources:
            s.planning = True
        try:
            build_all()
        finally:
            for s in sources:
                s.planning = False
            self._cache.clear()
        for s in sources:
            s.fetch()

    # ----------------------------------------------------------- conversions
    def days(self, table: str, column: str) -> np.ndarray:
        """Day numbers of a date column (read by :func:`read_dates`); blanks are :data:`NO_DAY`."""
        key = ("days", table.lower(), column.lower())
        if key not in self._cache:
            s = self._col(table, column)
            values = read_dates(s, self.epoch, table=self.table_name(table) or table,
                                column=self.column_name(table, column) or column)
            missing = values.isna().to_numpy()
            arr = values.to_numpy().astype("datetime64[D]").astype(np.int64)  # a copy
            arr[missing] = NO_DAY
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
                    _refuse_errors(s, table, column, np.flatnonzero(bad.to_numpy()))  # before reading them as dates
                    # date-times (e.g. ticket timestamps typed as text) are numbers of days for the KPI functions
                    try:
                        return self._cache.setdefault(key, _serials(read_dates(s, self.epoch)))
                    except DataError:
                        pass
                    i = int(np.flatnonzero(bad.to_numpy())[0])  # no error value: refused above
                    raise _at_cell(s, i, table, column, Message(N_("'{value}' is not a number"), value=s.iloc[i]))
                arr = conv.to_numpy(dtype=np.float64, na_value=np.nan)
            self._cache[key] = arr
        return self._cache[key]

    def labels(self, table: str, column: str) -> tuple[np.ndarray, dict[str, int]]:
        """Integer codes of a label column (blank = -1) and the code of each label (its :func:`label_key`)."""
        key = ("codes", table.lower(), column.lower())
        if key not in self._cache:
            s = self._col(table, column)
            # a plain object array factorizes ~2.5× faster than pandas' python-backed strings
            raw_codes, uniques = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
            errors = [i for i, u in enumerate(uniques) if is_error(u)]
            if errors:  # an error value is no label: read as one it would count as a customer, a region...
                _refuse_errors(s, table, column, np.flatnonzero(np.isin(raw_codes, errors)))
            mapping: dict[str, int] = {}
            remap = np.full(len(uniques) + 1, -1, dtype=np.int64)  # last slot: blank (code -1)
            for i, u in enumerate(uniques):
                label = label_key(u)
                if label:
                    remap[i] = mapping.setdefault(label, len(mapping))
            self._cache[key] = (remap[raw_codes], mapping)
        return self._cache[key]

    def raw(self, table: str, column: str) -> np.ndarray:
        """A column's cells as they are (what a record-by-record KPI reads: FRT, CSAT); one holding an
        error value (#N/A) is refused at its cell, as :meth:`numbers` refuses it: the KPI would read
        it as a blank or give the error, and the goal would silently show no data."""
        s = self._col(table, column)
        key = ("checked", table.lower(), column.lower())
        if key not in self._cache and s.dtype == object:
            _refuse_errors(s, table, column, np.arange(len(s)))
            self._cache[key] = True
        return s.to_numpy()

    # ------------------------------------------------------------ aggregates
    def is_source(self, table: str) -> bool:
        """Whether ``table`` is a source answering by queries (:mod:`kpi_xl.goals.pushdown`)."""
        return hasattr(self.tables.get(self.table_name(table) or ""), "grouped_daily")

    def daily(self, table: str, date_column: str, filter_columns: tuple[str, ...], value: str | None,
              stat: str = "sum") -> Daily:
        """Per-day totals of ``value`` (row counts when None) for every combination
        of the filter columns' labels, in one pass over the table. ``stat`` "count" gives the
        day's count of rows with a number in ``value`` (a Refund column of zeros has data, a
        column of blanks none); a source also answers "min" and "max" (the day's smallest
        and largest value)."""
        key = ("daily", table.lower(), date_column.lower(), tuple(c.lower() for c in filter_columns),
               None if value is None else value.lower(), stat)
        if key in self._cache:
            return self._cache[key]
        source = self.tables.get(self.table_name(table) or "")
        if hasattr(source, "grouped_daily"):  # a source: answered by a grouped query where its data is
            daily = source.grouped_daily(date_column, tuple(filter_columns), value, self.epoch, stat)
            self._cache[key] = daily
            return daily
        if stat not in ("sum", "count"):
            raise ValueError(f"a sheet table's daily {stat!r}: only sources answer it")
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
            # blank cells are a label of their own (""), for a filter asking for blanks
            mapping = {"": 0, **{k: v + 1 for k, v in mapping.items()}}
            combo += (codes + 1) * radix
            decoders.append((radix, len(mapping), mapping))
            radix *= len(mapping)
        # the distinct filter keys, without sorting a million rows: the codes are small
        present = np.bincount(combo[ok], minlength=radix) > 0
        uniq = np.flatnonzero(present)
        lookup = np.full(radix, -1, dtype=np.int64)
        lookup[uniq] = np.arange(len(uniq))
        inverse = lookup[combo[ok]]
        flat = inverse.astype(np.int64) * n_days + (days[ok] - day0)
        weights = None if value is None or stat == "count" else vals[ok]
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

    def distinct(self, table: str, date_column: str, conditions: tuple[tuple[str, str], ...],
                 value: str) -> tuple[np.ndarray, np.ndarray]:
        """A source's distinct (day, value) pairs of the rows matching ``conditions``, sorted by day."""
        source = self.tables[self.table_name(table)]
        return source.distinct_rows(date_column, tuple(c for c, _ in conditions),
                                    tuple(label_key(v) for _, v in conditions), value, self.epoch)

    def rows(self, table: str, date_column: str, conditions: tuple[tuple[str, str], ...]) -> tuple[np.ndarray, np.ndarray]:
        """Row indices matching every ``column=value`` condition, sorted by date, and their day numbers."""
        key = ("rows", table.lower(), date_column.lower(), tuple((c.lower(), label_key(v)) for c, v in conditions))
        if key not in self._cache:
            days = self.days(table, date_column)
            ok = days != NO_DAY
            for col, val in conditions:
                codes, mapping = self.labels(table, col)
                want = label_key(val)
                ok &= codes == (mapping.get(want, -2) if want else -1)
            idx = np.flatnonzero(ok)
            order = np.argsort(days[idx], kind="stable")
            idx = idx[order]
            self._cache[key] = (idx, days[idx])
        return self._cache[key]


def _refuse_errors(s: pd.Series, table: str, column: str, where: np.ndarray) -> None:
    """Raise :class:`DataError` at the first cell among positions ``where`` of ``s`` holding an error value."""
    values = s.to_numpy(dtype=object)[where]
    found = np.fromiter(map(is_error, values), dtype=bool, count=len(values))
    if found.any():
        i = int(where[int(np.argmax(found))])
        raise _at_cell(s, i, table, column, _error_value(s.iloc[i]))


def _at_cell(s: pd.Series, i: int, table: str, column: str, problem: Message) -> DataError:
    """The refusal of the cell at position ``i`` of column ``s``: ``problem``, at its table, column and row."""
    row = _row_label(s, i)
    return DataError(Message(N_("table '{table}', column '{column}', data row {row}: {problem}"), table=table,
                             column=column, row=row, problem=problem), table=table, column=column, row=row,
                     problem=problem)


def _error_value(value: Any) -> Message:
    """Why a cell holding an Excel error value (``#N/A`` from a lookup that found nothing, ``#DIV/0!``)
    cannot be counted: it is neither a number, a date nor a label, and read as a blank it would
    silently count as nothing."""
    return Message(N_("holds the error value {value} (a formula's error, or one pasted in); correct it or clear "
                      "the cell"), value=str(value))


def _not_a_date(value: Any, number: float | None, reading: str) -> Message:
    """Why one cell of a date column is no date, in words (:func:`read_dates`)."""
    if is_error(value):
        return _error_value(value)
    if isinstance(value, dt.time) or (number is not None and number < 0):
        return Message(N_("a negative number or a time of day is not a date"))
    if number is not None:
        shown = f"{number:.15g}"
        if reading == "ymd":
            return Message(N_("{value} is not a date: the column's other numbers are 8-digit dates like 20260115 "
                              "(one kind of number for the whole column)"), value=shown)
        if 10_000_101 <= number <= 99_991_231:
            return Message(N_("{value} is not a date: the column's other numbers are Excel serial numbers (one kind "
                              "of number for the whole column)"), value=shown)
        return Message(N_("{value} is not a date (Excel's dates run from 1900-01-01 to 9999-12-31)"), value=shown)
    return Message(N_("'{value}' is not a date (a date column holds dates, 2026-01-15 or 2026/01/15 text, Excel "
                      "serial numbers or 8-digit numbers like 20260115, one kind for the whole column)"), value=value)


def _timestamp(v: Any) -> Any:
    try:
        return pd.Timestamp(v).tz_localize(None)
    except (ValueError, OverflowError, TypeError):  # past 2262 or before 1677: pandas has no such day
        return pd.NaT


def _serials(values: pd.Series) -> np.ndarray:
    return serials_of(values.to_numpy(dtype="datetime64[us]"))
