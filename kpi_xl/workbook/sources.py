"""Reading what a user imports: a CSV/text, Excel or Parquet file, or a pandas DataFrame,
as columns of cell values (:class:`Source`).

CSV and Parquet are read by DuckDB (types sniffed over the whole file), Excel files by
python-calamine (the first sheet; its first row is the header). A CSV or text file may be
UTF-8 (with or without a byte order mark), UTF-16 (Excel's "Unicode text") or Big5
(cp950, as Taiwanese Excel and POS systems save it): :mod:`.textfile` tells which, and
the :class:`Source` says (``encoding``). Values come out as a cell would hold them:
numbers (8-digit YYYYMMDD dates stay numbers, as the file has them), text, True/False,
and real dates and times as ``datetime``; blanks as None. In a CSV column that mixes
numbers and words, each number is a number and each word text.

A file's export habits are read as its user means them (:mod:`.tidy`): numbers written
as text ("NT$1,234", "(500)", "12%", full-width digits) in a column of numbers are
numbers, a trailing totals row is left out, and a repeated header is renamed as Excel
renames it ("Note", "Note2"); each is said in the Source's ``notes``.

What cannot be read is refused with a :class:`ImportError_` naming the file, and the row
and column when there is one; its words are an :class:`~kpi_xl.i18n.Message`, shown in the
workbook's language by :func:`kpi_xl.workbook.importing.import_table`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import i18n
from ..errors import is_error
from ..goals.model import typed
from ..i18n import N_, Message
from . import textfile, tidy
from .package import WorkbookError, open_package, with_errors
from .package.records import MAX_ROWS, MAX_TEXT

MAX_FILE_BYTES = 2 << 30  # 2 GiB: beyond what one sheet of 1,048,576 rows holds in practice
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_WIDE_DIGIT = re.compile("[\uff10-\uff19]")
_SLASHED = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")  # Taiwan's 2026/01/05


class ImportError_(i18n.MessageError):
    """A file that cannot be imported; the message names the file (row and column when known)."""


def _m(msgid: str, **params: Any) -> Message:
    return Message(msgid, **params)


@dataclass
class Source:
    """The columns of an imported file: header names and, per column, one value per row."""

    label: str | Message  # the file's name (or "the DataFrame", a Message) for messages
    columns: list[str]
    values: list[list[Any]]  # values[j][i]: column j, row i
    first_row: int  # the file's row number of the first data row (for messages)
    encoding: str | None = None  # a text file's encoding, as a user knows it ("Big5 (cp950)")
    notes: list[Message] = field(default_factory=list)  # what reading it changed, to say in the report
    left_out: list[int] = field(default_factory=list)  # the file's rows left out (a totals row)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # repeated headers: (as written, as imported)
    number_columns: list[str] = field(default_factory=list)  # columns of numbers written as text, read as numbers

    @property
    def rows(self) -> int:
        return len(self.values[0]) if self.values else 0

    def where(self, i: int, j: int) -> Message:
        return Message(N_("{file}, row {row}, column '{column}'"), file=self.label, row=self.first_row + i,
                       column=self.columns[j])


def read_source(source: Any) -> Source:
    """The columns of ``source``: a path (.csv/.txt, .xlsx/.xlsm/.xls, .parquet) or a DataFrame."""
    if isinstance(source, pd.DataFrame):
        data = _from_frame(source, Message(N_("the DataFrame")), 0, parse_text=False)
        _rename_repeats(data, [_header(c, j) for j, c in enumerate(source.columns)])
        return _say_errors(data, data.label)
    path = Path(source)
    label = path.name
    if not path.exists():
        raise ImportError_(_m(N_("{file}: no such file"), file=str(path)))
    if path.is_dir():
        raise ImportError_(_m(N_("{file}: is a folder, not a file"), file=str(path)))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ImportError_(_m(N_("{file}: {size:.1f} GiB is over the {limit} GiB an import reads; split the file"),
                              file=label, size=size / (1 << 30), limit=MAX_FILE_BYTES >> 30))
    suffix = path.suffix.lower()
    if size == 0:
        raise ImportError_(_m(N_("{file}: the file is empty (its first row must hold the column names)"), file=label))
    if suffix in CSV_SUFFIXES:
        return _say_errors(_csv(path), label)
    if suffix == ".parquet":
        return _say_errors(_from_frame(_duckdb(path, "parquet"), label, 1, parse_text=False), label)
    if suffix in EXCEL_SUFFIXES:
        return _say_errors(_tidy(_excel(path)), label)
    if suffix:
        raise ImportError_(_m(N_("{file}: cannot import a {suffix} file; use .csv, .txt, .xlsx, .xlsm, .xls or .parquet"),
                              file=label, suffix=suffix))
    raise ImportError_(_m(N_("{file}: cannot import a file without an extension; use .csv, .txt, .xlsx, .xlsm, "
                             ".xls or .parquet"), file=label))


def _csv(path: Path) -> Source:
    """A CSV or text file, in whichever encoding :func:`.textfile.detect` finds (read by
    DuckDB from a UTF-8 copy when it is not UTF-8)."""
    try:
        enc = textfile.detect(path, path.name)
    except textfile.Undecodable as exc:
        raise ImportError_(exc.message) from None
    if enc.utf8:
        frame = _duckdb(path, "csv", path.name)
        header = textfile.first_rows(path)
    else:
        with tempfile.TemporaryDirectory(prefix="kpi-xl-import-") as tmp:
            copy = Path(tmp) / "utf8.csv"
            textfile.utf8_copy(path, enc, copy)
            frame = _duckdb(copy, "csv", path.name)
            header = textfile.first_rows(copy)
    data = _from_frame(frame, path.name, 2, parse_text=True)
    data.encoding = enc.name
    if not enc.utf8:
        data.notes.append(_m(N_("{file}: read as {encoding} text"), file=path.name, encoding=enc.name))
    rows = [[_header(v, j) for j, v in enumerate(row)] for row in header]
    _rename_repeats(data, next((r for r in rows if _same_names(data.columns, r)), data.columns))
    return _tidy(data)


def _same_names(read: list[str], written: list[str]) -> bool:
    """True when ``written`` is the header row DuckDB read as ``read`` (a repeat "Note" as "Note_1")."""
    return len(read) == len(written) and all(c == w or re.fullmatch(re.escape(w) + r"_\d+", c)
                                             for c, w in zip(read, written))


def _rename_repeats(data: Source, written: list[str]) -> None:
    """Repeated header names (``written``: as the file has them) renamed as Excel renames a
    repeated table header: "Note", "Note2"."""
    data.columns, data.renamed = tidy.excel_names(written if len(written) == len(data.columns) else data.columns)
    for old, new in data.renamed:
        data.notes.append(_m(N_("{file}: a second column named '{name}' is imported as '{new}', as Excel names "
                                "a repeated table header"), file=data.label, name=old, new=new))


def _tidy(data: Source) -> Source:
    """A file's totals row left out and its numbers written as text read as numbers (:mod:`.tidy`)."""
    rows = tidy.totals_rows(data.values)
    for i in rows:  # a subtotal and a total; the blank rows after them go too, unsaid
        label = next((col[i] for col in data.values if col[i] is not None), None)
        if label is not None:
            data.left_out.append(data.first_row + i)
            data.notes.append(_m(N_("{file}, row {row} ('{label}') left out: a totals row, not data (the workbook "
                                    "sums the rows itself)"), file=data.label, row=data.first_row + i, label=label))
    if rows:
        data.values = [col[:rows[0]] for col in data.values]  # the totals are the last rows
    changed, mistake = tidy.read_amounts(data.values)
    if mistake:
        j, rows, example = mistake
        if len(rows) == 1:
            i = rows[0]
            raise ImportError_(_m(N_("{where}: '{value}' is not a number, yet the column holds numbers written as "
                                     "text (such as '{example}' on row {row}); correct the cell or leave it blank, "
                                     "then import again"), where=data.where(i, j), value=data.values[j][i],
                                  example=data.values[j][example], row=data.first_row + example))
        first = i18n.Join([_m(N_("row {row} '{value}'"), row=data.first_row + i, value=data.values[j][i])
                           for i in rows[:5]])
        raise ImportError_(_m(N_("{file}: {n:,} cells of column '{column}' are not numbers, yet the column holds "
                                 "numbers written as text (such as '{example}' on row {row}); first: {cells}; "
                                 "correct them or leave them blank, then import again"),
                              file=data.label, n=len(rows), column=data.columns[j], cells=first,
                              example=data.values[j][example], row=data.first_row + example))
    data.number_columns = [data.columns[j] for j in changed]
    if changed:
        data.notes.append(_m(N_("{file}: numbers written as text read as numbers in column(s) {columns}"),
                             file=data.label, columns=i18n.Join(data.number_columns)))
    for j, n, i in tidy.words_among_numbers(data.values):
        data.notes.append(_m(N_("{file}: column '{column}' holds {n:,} word(s) among its numbers, imported as text "
                                "(first: row {row}, '{value}'); goals that read the column show No data until they "
                                "are corrected or cleared"), file=data.label, column=data.columns[j], n=n,
                             row=data.first_row + i, value=data.values[j][i]))
    return data


def _duckdb(path: Path, kind: str, label: str | None = None) -> pd.DataFrame:
    import duckdb

    label = label or path.name
    con = duckdb.connect()
    try:
        if kind == "csv":
            frame = con.read_csv(str(path), header=True, sample_size=-1).df()
            one = str(frame.columns[0]) if frame.shape[1] == 1 else ""
            if any(c in one for c in (",", ";", "\t", "|")):  # the sniffer gave up on a ragged file
                raise ImportError_(_csv_fault(path, label) or _m(N_("{file}: cannot be read as a CSV file"),
                                                                 file=label))
            if any(pd.api.types.is_datetime64_any_dtype(frame[c]) and (frame[c] < pd.Timestamp(1900, 1, 1)).any()
                   for c in frame.columns):
                # e.g. Taiwan's Minguo dates (115/03/05) taken for year 115: keep the cells as written,
                # each read as the number or date it spells (kpi-xl reads Minguo dates itself)
                frame = con.read_csv(str(path), header=True, sample_size=-1, all_varchar=True).df()
            return frame
        else:
            rel = con.read_parquet(str(path))
        return rel.df()
    except duckdb.Error as exc:
        raise ImportError_(_duckdb_message(path, kind, exc, label)) from None
    finally:
        con.close()


def _csv_fault(path: Path, label: str) -> Message | None:
    """What is wrong with a CSV file (UTF-8 by now) DuckDB cannot read, in words: the first
    row with another number of fields than the header (None when there is none)."""
    import csv

    with open(path, encoding="utf-8-sig", newline="", errors="replace") as fh:
        head = fh.readline()
        sep = textfile.separator(head)
        fh.seek(0)
        reader = csv.reader(fh, delimiter=sep)
        try:
            width = len(next(reader))
            for row in reader:
                if row and len(row) != width:
                    return _m(N_("{file}, row {row}: {n} fields where the header row has {width}; fix that row "
                                 "(a '{sep}' inside a value needs quotes) and import again"),
                              file=label, row=reader.line_num, n=len(row), width=width,
                              sep="\\t" if sep == "\t" else sep)
        except csv.Error as exc:
            return _m(N_("{file}, row {row}: cannot be read as CSV ({reason})"), file=label, row=reader.line_num,
                      reason=str(exc))
    return None


def _duckdb_message(path: Path, kind: str, exc: Exception, label: str) -> Message:
    text = str(exc)
    fault = _csv_fault(path, label) if kind == "csv" else None
    if fault:
        return fault
    line = re.search(r"[Ll]ine:? (\d+)", text)
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "unreadable")
    first = re.sub(r"^[A-Za-z ]*Error: ", "", first)
    if line and kind == "csv":
        return _m(N_("{file}, line {line}: cannot be read as a CSV file ({reason})"), file=label,
                  line=int(line.group(1)), reason=first[:200])
    if line:
        return _m(N_("{file}, line {line}: cannot be read as a Parquet file ({reason})"), file=label,
                  line=int(line.group(1)), reason=first[:200])
    if kind == "csv":
        return _m(N_("{file}: cannot be read as a CSV file ({reason})"), file=label, reason=first[:200])
    return _m(N_("{file}: cannot be read as a Parquet file ({reason})"), file=label, reason=first[:200])


def _excel(path: Path) -> Source:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        sheet = book.get_sheet_by_name(names[0]) if names else None
        rows = sheet.to_python(skip_empty_area=True) if sheet is not None else []
        origin = (sheet.start or (0, 0)) if sheet is not None else (0, 0)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types
        raise ImportError_(_m(N_("{file}: cannot be read as an Excel workbook ({reason})"), file=path.name,
                              reason=(str(exc).splitlines() or [""])[0][:200])) from None
    errors = _error_cells(path, names[0]) if rows else {}
    with_errors(rows, errors, origin)
    if not rows:
        raise ImportError_(_m(N_("{file}: its first sheet is empty (the first row must hold the column names)"),
                              file=path.name))
    width = max(len(r) for r in rows)
    header = [_header(v, j) for j, v in enumerate(rows[0] + [""] * (width - len(rows[0])))]
    body = [list(r) + [""] * (width - len(r)) for r in rows[1:]]
    values = [[_blank(r[j]) for r in body] for j in range(width)]
    _check_rows(path.name, len(body))
    source = Source(_m(N_("{file} (sheet {sheet})"), file=path.name, sheet=names[0]), header, values, origin[0] + 2)
    _check_text(source)
    _rename_repeats(source, header)
    return source


def _say_errors(data: Source, label: str | Message) -> Source:
    """``data`` with a note when some of its cells hold an Excel error value (``#N/A`` in an .xlsx, or
    written as text in a CSV, as Excel writes one there): they are imported as error cells, never
    as blanks that would count as nothing, and the goals reading them say so until corrected."""
    first, n = None, 0
    for j, column in enumerate(data.values):
        found = [i for i, v in enumerate(column) if is_error(v)]
        if found:
            n += len(found)
            first = min(first or (found[0], j), (found[0], j))
    if n:
        i, j = first
        data.notes.append(_m(N_("{file}: {n:,} cell(s) hold an error value, imported as they are (first: row {row}, "
                                "column '{column}': {value}); goals that read them show No data until they are "
                                "corrected"), file=label, n=n, row=data.first_row + i, column=data.columns[j],
                             value=str(data.values[j][i])))
    return data


def _error_cells(path: Path, sheet: str) -> dict[tuple[int, int], str]:
    """The error cells (#N/A...) of an .xlsx/.xlsm file's ``sheet``, which python-calamine reads as
    blanks: imported as blanks they would silently count as nothing. An .xls file's are not found
    (its cells are not XML): they stay blanks, as before."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    try:
        with open_package(path) as pkg:
            return pkg.error_cells(sheet)
    except WorkbookError as exc:
        raise ImportError_(_m(N_("{file}: cannot be read as an Excel workbook ({reason})"), file=path.name,
                              reason=str(exc)[:200])) from None


def _header(v: Any, j: int) -> str:
    text = "" if v is None else str(v).strip()
    if isinstance(v, float) and v.is_integer():
        text = str(int(v))
    return text or f"Column{j + 1}"


def _blank(v: Any) -> Any:
    if v is None or (isinstance(v, str) and v == ""):
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _check_rows(label: str | Message, n: int) -> None:
    if n > MAX_ROWS - 1:
        raise ImportError_(_m(N_("{file}: {n:,} rows; an Excel sheet holds {limit:,} below its header row"),
                              file=label, n=n, limit=MAX_ROWS - 1))


def _from_frame(frame: pd.DataFrame, label: str | Message, first_row: int, *, parse_text: bool) -> Source:
    _check_rows(label, len(frame))
    columns = [_header(c, j) for j, c in enumerate(frame.columns)]
    values = [_column(frame.iloc[:, j], parse_text) for j in range(frame.shape[1])]
    source = Source(label, columns, values, first_row)
    _check_text(source)
    return source


def _column(s: pd.Series, parse_text: bool) -> list[Any]:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s):
        return [None if v is pd.NaT or v != v else v.to_pydatetime() for v in s]
    if pd.api.types.is_bool_dtype(s):
        return [None if v is pd.NA else bool(v) for v in s.astype(object)]
    if pd.api.types.is_integer_dtype(s) or pd.api.types.is_float_dtype(s):
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        if pd.api.types.is_integer_dtype(s):
            return [None if v != v else int(v) for v in arr]
        return [None if v != v else float(v) for v in arr]
    out = []
    for v in s.astype(object):
        v = _blank(v)
        if v is pd.NA or v is pd.NaT:
            v = None
        elif isinstance(v, str) and parse_text:
            v = _typed(v)
        elif isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        elif isinstance(v, np.generic):
            v = v.item()
        out.append(v)
    return out


def _typed(text: str) -> Any:
    """A CSV cell's text as the number or date it spells, else the text itself."""
    if _NUMBER.match(text) and not re.match(r"^\s*[-+]?0\d", text):  # 00123 is a code: kept as text
        x = float(text)
        return int(x) if x.is_integer() and "." not in text and "e" not in text.lower() and abs(x) < 2 ** 53 else x
    wide = not text.isascii() and _WIDE_DIGIT.search(text)
    plain = typed(text).strip() if wide else text.strip()  # full-width digits read as ASCII ones
    if _ISO.match(plain):
        try:
            return dt.datetime.fromisoformat(plain)
        except ValueError:
            return text
    slashed = _SLASHED.match(plain)
    if slashed:
        try:
            return dt.datetime(*(int(g) for g in slashed.groups()))
        except ValueError:
            return text
    return text


def _check_text(source: Source) -> None:
    for j, col in enumerate(source.values):
        for i, v in enumerate(col):
            if isinstance(v, str) and len(v) > MAX_TEXT:
                raise ImportError_(_m(N_("{where}: {n:,} characters; an Excel cell holds at most {limit:,}"),
                                      where=source.where(i, j), n=len(v), limit=MAX_TEXT))
