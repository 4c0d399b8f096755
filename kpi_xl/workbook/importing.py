"""Import a file into an Excel Table of a workbook: `kpi-xl import BOOK TABLE FILE`.

The rows of a CSV, Excel or Parquet file (or a pandas DataFrame: see
:mod:`.sources`) go into the table surgically, as refresh writes: only the cells of
the table's columns from the first written row down, the table's range (and its
filter's) and, when asked, new columns change; other sheets, formats, conditional
formats, charts and data validations come out byte for byte. The file is replaced
atomically under the workbook's lock, the previous version kept as ``NAME.bak.xlsx``.

Headers match the table's columns whatever their case and order, and in any language
of kpi-xl (an English Goals CSV goes into a zh-TW workbook's Goals table). Table
columns the file lacks stay blank, or get their calculated column's formula. A table
that does not exist becomes a new Excel Table on a new sheet of that name.

What reading the file changed is said in the report's ``notes`` (and by the command): a
text file's encoding when it is not UTF-8, a totals row left out, numbers written as text
read as numbers ("12%" goes into a percent-formatted cell), a repeated header renamed.

What it says (refusals and progress) is in the workbook's language: the language whose
Scorecard (or Goals) sheet the workbook has, else $KPI_XL_LANG, else English.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import i18n
from ..excel import MAX_COLS, cell_ref, column_letter, split_ref
from ..i18n import N_, Message
from . import layout
from .language import workbook_language
from .package import KeptCell, Package, TableInfo, WorkbookError, backup_path, open_package, workbook_lock
from .package.append import append_rows, sheet_tail
from .package.atomic import check_writable
from .package.records import MAX_ROWS
from .package.styles import date_style, is_date_style, is_percent_style, number_style, percent_style
from .package.tables import TableError, add_table_sheet, resize_table, table_columns, table_name
from .sources import ImportError_, Source, read_source
from .tidy import Percent

MODES = ("append", "replace")


@dataclass(frozen=True)
class ImportReport:
    """What an import did."""

    path: Path
    table: str
    sheet: str
    rows: int
    columns_added: list[str] = field(default_factory=list)
    created: bool = False
    backup: Path | None = None
    lang: str = "en"  # the workbook's language: what the import said was in it
    encoding: str | None = None  # a CSV or text file's encoding, as a user knows it ("UTF-8", "Big5 (cp950)")
    left_out: list[int] = field(default_factory=list)  # the file's rows left out (a totals row)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # repeated headers: (as written, as imported)
    number_columns: list[str] = field(default_factory=list)  # columns of numbers written as text, read as numbers
    notes: list[str] = field(default_factory=list)  # each of the above in words, in the workbook's language


def import_table(book: str | os.PathLike, table: str, source: Any, *, mode: str = "append",
                 add_columns: bool = False, backup: bool = True,
                 progress: Callable[[str], None] | None = None) -> ImportReport:
    """Put the rows of ``source`` (a path or a DataFrame) into table ``table`` of ``book``.

    ``mode="append"`` adds them after the table's last row, ``"replace"`` replaces its rows.
    A file column the table lacks is refused unless ``add_columns``. ``progress`` is told
    each step. Raises a :class:`~kpi_xl.errors.KpiXlError` (never anything else for bad input)
    naming the file, row and column of what cannot be imported; the workbook is then untouched.
    """
    lang = i18n.language()
    if mode not in MODES:
        raise ImportError_(Message(N_("mode '{mode}': use 'append' or 'replace'"), mode=mode).text(lang))
    path = Path(book)
    if not path.exists():
        raise WorkbookError(Message(N_("{file}: no such file"), file=str(path)).text(lang))
    path = Path(os.path.realpath(path))
    check_writable(path)
    lang = workbook_language(path)

    def say(msg: Message) -> None:
        if progress is not None:
            progress(msg.text(lang))

    try:
        label = Message(N_("the DataFrame")) if not isinstance(source, (str, os.PathLike)) else Path(source).name
        say(Message(N_("reading {file}"), file=label))
        data = read_source(source)
        say(Message(N_("read {rows:,} rows of {columns} columns from {file}"), rows=data.rows,
                    columns=len(data.columns), file=label))
        with workbook_lock(path), open_package(path) as pkg:
            info, added, created = write_table(pkg, table, data, mode, add_columns, say)
            say(Message(N_("saving (the previous version is kept as a backup)")) if backup else Message(N_("saving")))
            pkg.save(path, backup=backup)
    except i18n.MessageError as exc:  # said in the workbook's language
        raise type(exc)(exc.text(lang)) from None
    return ImportReport(path, info.display_name, info.sheet, data.rows, added, created,
                        backup_path(path) if backup else None, lang, data.encoding, data.left_out, data.renamed,
                        data.number_columns, [n.text(lang) for n in data.notes])


def write_table(pkg: Package, table: str, data: Source, mode: str = "replace", add_columns: bool = False,
                say: Callable[[Message], None] = lambda _m: None) -> tuple[TableInfo, list[str], bool]:
    """Put ``data`` into table ``table`` of the open package ``pkg`` (a new sheet and table when
    there is none): what :func:`import_table` does between taking the lock and saving, for a
    caller that writes more in the same save (``kpi-xl predict``). Returns (the table, the
    columns added, whether it was made)."""
    info = _find_table(pkg, table)
    created = info is None
    if created:
        say(Message(N_("making the table {table} on a new sheet"), table=table))
        info = _create(pkg, table, data)
    added = _write(pkg, info, data, mode, add_columns, say)
    return _find_table(pkg, info.display_name) or info, added, created


def _find_table(pkg: Package, name: str) -> TableInfo | None:
    tables = pkg.tables()
    found = next((t for t in tables if t.display_name.casefold() == name.casefold()), None)
    if found is None:  # a sheet's name (e.g. a zh-TW workbook's) for the one table on it
        on_sheet = [t for t in tables if t.sheet.casefold() == name.casefold()]
        found = on_sheet[0] if len(on_sheet) == 1 else None
    return found


# ---------------------------------------------------------------- a new table

def _create(pkg: Package, name: str, data: Source) -> TableInfo:
    if not data.columns:
        raise ImportError_(Message(N_("{file}: no columns to make a table of"), file=data.label))
    if len(data.columns) > MAX_COLS:
        raise ImportError_(Message(N_("{file}: {n:,} columns; a sheet holds {limit:,}"), file=data.label,
                                   n=len(data.columns), limit=MAX_COLS))
    taken = {t.display_name for t in pkg.tables()} | {n.name for n in pkg.defined_names()}
    tname = table_name(name, taken)
    dates = [_has_dates(col) for col in data.values]
    style = date_style(pkg) if any(dates) else None
    widths = [min(max(len(h) + 3, 10, *(len(str(v)) + 2 for v in col[:200] if v is not None)), 40)
              for h, col in zip(data.columns, data.values)]
    styles = [style if d else _percents(pkg, col) if _all_percents(col) else None
              for d, col in zip(dates, data.values)]
    add_table_sheet(pkg, name, tname, data.columns, styles, widths)
    return _find_table(pkg, tname)


def _has_dates(col: list[Any]) -> bool:
    import datetime as dt

    return any(isinstance(v, (dt.date, dt.datetime)) for v in col)


def _all_percents(col: list[Any]) -> bool:
    """True when every number of ``col`` was typed with a percent sign (and there is one)."""
    numbers = [v for v in col if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return bool(numbers) and all(isinstance(v, Percent) for v in numbers)


def _percents(pkg: Package, col: list[Any], like: int | None = None) -> int:
    """The percent format for the percents of ``col``: 0.00% when one has decimals (12.5%), else 0%."""
    decimals = any(isinstance(v, Percent) and round(v * 100, 9) != round(v * 100) for v in col)
    return percent_style(pkg, decimals, like)


# ---------------------------------------------------------------- writing rows

def _aliases(name: str) -> set[str]:
    """Names a table column answers to: its own, and the same header in every language
    (Goals columns, SMART check, the template's data columns)."""
    key = name.casefold()
    out = {key}
    groups = [[layout.goal_header(k, lang) for lang in layout.LANGS] for k in layout.GOAL_HEADERS]
    groups.append(list(layout.SMART_HEADER))
    groups += [[layout.data_header(c, lang) for lang in layout.LANGS] for c in layout.DATA_COLUMNS]
    for group in groups:
        folded = {g.casefold() for g in group}
        if key in folded:
            out |= folded
    return out


def _match(info: TableInfo, data: Source) -> tuple[dict[int, int], list[str]]:
    """File column -> table column (0-based), and the file's columns the table lacks."""
    exact = {c.casefold(): k for k, c in enumerate(info.columns)}
    alias: dict[str, int] = {}
    for k, c in enumerate(info.columns):
        for a in _aliases(c):
            alias.setdefault(a, k)
    mapping, unknown, used = {}, [], {}
    for j, name in enumerate(data.columns):
        k = exact.get(name.casefold(), alias.get(name.casefold()))
        if k is None:
            unknown.append(name)
            continue
        if k in used:
            raise ImportError_(Message(N_("{file}: columns '{first}' and '{second}' both go into {table}[{column}]; "
                                          "drop one"), file=data.label, first=used[k], second=name,
                                       table=info.display_name, column=info.columns[k]))
        used[k] = name
        mapping[j] = k
    return mapping, unknown


def _write(pkg: Package, info: TableInfo, data: Source, mode: str, add_columns: bool,
           say: Callable[[Message], None]) -> list[str]:
    where = f"{info.sheet}!"
    if info.totals_row_count:
        raise TableError(Message(N_("{book}: table {table} has a totals row; turn it off in Excel "
                                    "(Table Design > Total Row), import, then turn it on again"),
                                 book=str(pkg.path), table=info.display_name))
    if info.header_row_count != 1:
        raise TableError(Message(N_("{book}: table {table} has no header row; import needs one"),
                                 book=str(pkg.path), table=info.display_name))
    (r1, c1), (r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    mapping, unknown = _match(info, data)
    if unknown and not add_columns:
        raise ImportError_(Message(N_("{file}: column(s) {unknown} are not in table {table} (its columns: "
                                      "{columns}); rename them, drop them, or add them to the table with "
                                      "--add-columns"), file=data.label,
                                   unknown=i18n.Join(_quoted(u) for u in unknown), table=info.display_name,
                                   columns=i18n.Join(info.columns)))
    for j, name in enumerate(data.columns):
        if name in unknown:
            mapping[j] = len(info.columns) + unknown.index(name)
    last = c2 + len(unknown)
    if last > MAX_COLS:
        raise ImportError_(Message(N_("{file}: {n} new columns go past the sheet's last column"), file=data.label,
                                   n=len(unknown)))
    # the table's last row and what is below it: when the sheet's rows end with the table, found
    # by byte search (an append then costs its own rows), else one read of the sheet
    quick = sheet_tail(pkg, info.sheet) if mode == "append" and not unknown else None
    quick = quick if quick is not None and quick.last_row <= r2 else None
    tail = (quick.last_cells if quick.last_row == r2 else {}) if quick else pkg.read_cells(info.sheet, r2)
    existing = {rc: c for rc, c in tail.items() if rc[0] == r2} if r2 > r1 else {}
    blank = r2 == r1 + 1 and not any(c.value not in (None, "") or c.formula for (_r, col), c in existing.items()
                                     if c1 <= col <= c2)
    top = r1 + 1 if mode == "replace" or blank else r2 + 1
    end = max(top + data.rows - 1, r1 + 1)
    below = _check_room(pkg, info, tail, r1, r2, c1, c2, last, end)
    if end > MAX_ROWS:
        raise ImportError_(Message(N_("{file}: {n:,} rows from {cell} go past Excel's last row ({limit:,}); "
                                      "import fewer rows or replace the table's"), file=data.label, n=data.rows,
                                   cell=f"{where}{cell_ref(top, c1)}", limit=MAX_ROWS))
    width = last - c1 + 1
    # each column's format: its last row's cell's, else its <cols> entry's (write_region's default)
    styles = [existing[(r2, c1 + k)].style if (r2, c1 + k) in existing else None for k in range(width)]
    if unknown:
        head = pkg.read_cells(info.sheet, r1, r1).get((r1, c2))
        pkg.write_region(info.sheet, r1, c2 + 1, last, [unknown], [head.style if head else None] * len(unknown))
    formulas = {k: c.formula for k, c in enumerate(table_columns(pkg, info.part)) if c.formula}
    columns: list[list[Any] | None] = [None] * width
    for j, k in mapping.items():
        columns[k] = data.values[j]
    row_styles = _cell_styles(pkg, info.sheet, c1, columns, styles, quick.col_style if quick else None)
    for k, formula in formulas.items():
        if columns[k] is None:
            columns[k] = [KeptCell(None, formula)] * data.rows
    smart = _smart_column(pkg, info)
    if smart is not None and columns[smart] is None:  # the Goals sheet's SMART check, row by row
        columns[smart] = [KeptCell(None, f) for f in _smart_formulas(pkg, top, data.rows)]
    say(Message(N_("writing {rows:,} rows into {table} (sheet {sheet})"), rows=data.rows, table=info.display_name,
                sheet=info.sheet))
    if mode == "replace" or data.rows:
        filler = [None] * data.rows
        rows = [list(r) for r in zip(*(c if c is not None else filler for c in columns))] if data.rows else []
        if below:  # what the user has below the table is written back where it was
            rows += [[None] * width for _ in range(max(r for r, _c in below) - top + 1 - len(rows))]
            for (r, c), cell in below.items():
                rows[r - top][c - c1] = KeptCell(cell.value, cell.formula, cell.style)
        if quick is not None and not below and top > quick.last_row:
            append_rows(pkg, info.sheet, quick, top, c1, last, rows, styles, row_styles)
        else:
            pkg.write_region(info.sheet, top, c1, last, rows, styles, row_styles)
    resize_table(pkg, info.part, f"{column_letter(c1)}{r1}:{column_letter(last)}{end}", unknown)
    return unknown


def _check_room(pkg: Package, info: TableInfo, tail: dict, r1: int, r2: int, c1: int, c2: int, last: int,
                end: int) -> dict:
    """Nothing the user wrote below the table (or where new columns go) is overwritten: refused
    when the new rows (or columns) would cover it; returns the cells further below, to keep."""
    cells = dict(tail)
    if last > c2:
        cells.update(pkg.read_cells(info.sheet, r1, r2))
    keep = {}
    for (r, c), cell in cells.items():
        if not (r1 <= r and c1 <= c <= last) or (r <= r2 and c <= c2):
            continue
        used = cell.value not in (None, "") or cell.formula is not None
        if r > max(end, r2) and cell.formula != "":  # below the grown table: kept as it is
            keep[(r, c)] = cell
        elif used:
            what = (N_("{cell}: holds {value} where the new columns of {table} go; move it, then import again "
                       "(nothing was changed)") if r <= r2 else
                    N_("{cell}: holds {value} below the table {table}; move it, then import again "
                       "(nothing was changed)"))
            at = f"{info.sheet}!{cell_ref(r, c)}"
            raise TableError(Message(what, cell=at, value=_quoted(cell.value), table=info.display_name))
    return keep


def _quoted(value: Any) -> Any:
    """A value as a message quotes it: text in quotes (as the reader's language quotes), a number as it is."""
    return Message(N_("'{value}'"), value=value) if isinstance(value, str) else value


def _smart_column(pkg: Package, info: TableInfo) -> int | None:
    """The Goals table's SMART check column (0-based), when this is a kpi-xl Goals table."""
    if info.display_name.casefold() != "goals":
        return None
    headers = {h.casefold() for h in layout.SMART_HEADER}
    return next((k for k, c in enumerate(info.columns) if c.casefold() in headers), None)


def _smart_formulas(pkg: Package, top: int, n: int) -> list[str]:
    from .layout import smart_formula

    names = {s.name for s in pkg.sheets()}
    scorecard = next((layout.sheet("scorecard", lang) for lang in layout.LANGS
                      if layout.sheet("scorecard", lang) in names), layout.sheet("scorecard", "en"))
    smart_col = column_letter([c[0] for c in layout.SCORECARD_COLUMNS].index("smart") + 1)
    return [smart_formula(scorecard, smart_col, top + i).lstrip("=") for i in range(n)]


LAST_DATE = 2_958_465  # 9999-12-31: a bigger number in a date-formatted cell shows as ####


def _cell_styles(pkg: Package, sheet: str, c1: int, columns: list[list[Any] | None],
                 styles: list[int | None], col_style: Callable[[int], int | None] | None = None) -> list | None:
    """Dates go into date-formatted cells, other numbers into number-formatted ones: a column
    of dates gets a date format when its own is not one; in a column mixing dates and other
    values only the date cells get it; a YYYYMMDD number (kept a number, as the file has it)
    in a date-formatted column gets a General format. Numbers typed as percents ("12%") go
    into percent-formatted cells the same way: the column's format when all its numbers are
    percents, else the percent cells'."""
    import datetime as dt

    special: dict[int, Callable[[Any], int | None]] = {}
    for k, col in enumerate(columns):
        if col is None:
            continue
        dates = _has_dates(col)
        percents = any(isinstance(v, Percent) for v in col)
        if styles[k] is None and (dates or percents or any(isinstance(v, (int, float)) for v in col[:1000])):
            styles[k] = col_style(c1 + k) if col_style else pkg.column_style(sheet, c1 + k)
        if percents and not is_percent_style(pkg, styles[k]):
            if _all_percents(col):
                styles[k] = _percents(pkg, col, styles[k])
            else:
                style = _percents(pkg, col, styles[k])
                special[k] = lambda v, s=style: s if isinstance(v, Percent) else None
            continue
        if is_date_style(pkg, styles[k]):
            if any(isinstance(v, (int, float)) and not isinstance(v, bool) and v > LAST_DATE for v in col):
                plain = number_style(pkg, styles[k])
                special[k] = lambda v, s=plain: s if isinstance(v, (int, float)) and v > LAST_DATE else None
        elif dates:
            kinds = {type(v).__name__ for v in col if v is not None}
            if kinds <= {"datetime", "date"}:
                styles[k] = date_style(pkg, styles[k])
            else:
                style = date_style(pkg)
                special[k] = lambda v, s=style: s if isinstance(v, (dt.date, dt.datetime)) else None
    if not special:
        return None
    n = len(next(c for c in columns if c is not None))
    out: list[list[int | None] | None] = []
    for i in range(n):
        marks = [special[k](columns[k][i]) if k in special else None for k in range(len(columns))]
        out.append(marks if any(m is not None for m in marks) else None)
    return out
