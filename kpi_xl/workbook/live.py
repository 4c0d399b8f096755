"""The "Refresh scorecard" button: the same refresh, in the open workbook, through xlwings.

The button's VBA runs ``RunPython "import kpi_xl.workbook.live as live;
live.refresh_scorecard()"``. This reads the open workbook's tables and sheets
through xlwings, runs the same engine as ``kpi-xl refresh`` and writes the same
owned regions as plain values (Excel keeps each cell's format). Excel itself
recalculates the native formulas that show them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from .. import i18n
from ..errors import KpiXlError, error_value
from . import layout
from .content import localized, old_trend_region, owned_regions
from .package import TableInfo, WorkbookError
from .language import sheet_language
from .refresh import (REQUIRED_TABLES, Report, WorkbookReader, compute_workbook, frame, no_scorecard, no_table,
                      not_ours)
from .summary import changed, got_worse
from .summary import refreshed


class LiveWorkbook(WorkbookReader):
    """The workbook open in Excel, read through xlwings (``book`` is an xlwings Book)."""

    def __init__(self, book: Any):
        self.book = book
        self.path = getattr(book, "fullname", getattr(book, "name", "workbook"))
        self.tables: dict[str, TableInfo] = {}
        self._objects: dict[str, Any] = {}
        names = {s.name for s in book.sheets}
        # what it says is in the workbook's language, from its sheets' names
        self.lang = sheet_language(names) or i18n.language()
        for sheet in book.sheets:
            for table in sheet.tables:
                rng = table.range
                values = rng.value
                header = [str(h) for h in (values[0] if values else [])]
                ref = rng.address.replace("$", "")
                info = TableInfo(table.name, table.name, sheet.name, ref, 1, tuple(header), "")
                self.tables[table.name.lower()] = info
                self._objects[table.name.lower()] = table
        missing = [t for t in REQUIRED_TABLES if t.lower() not in self.tables]
        if missing:
            raise WorkbookError(not_ours(self.path, missing).text(self.lang))
        if sheet_language(names, ("scorecard",)) is None:
            raise WorkbookError(no_scorecard(self.path).text(self.lang))
        self._values: dict[str, list[list[Any]]] = {}

    def sheet_values(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._values:
            ws = self.book.sheets[sheet]
            last = ws.used_range.last_cell
            values = ws.range((1, 1), (last.row, last.column)).options(err_to_str=True).value
            if not isinstance(values, list):
                values = [[values]]
            elif values and not isinstance(values[0], list):
                values = [values]
            self._values[sheet] = [["" if v is None else _error(v) for v in row] for row in values]
        return self._values[sheet]

    def table(self, name: str) -> tuple[TableInfo, pd.DataFrame]:
        info = self.tables.get(name.lower())
        if info is None:
            raise WorkbookError(no_table(self.path, name).text(self.lang))
        values = self._objects[name.lower()].range.options(err_to_str=True).value
        rows = [[_error(v) for v in r] for r in values[1:]] if values and len(values) > 1 else []
        return info, frame(rows, 1, len(info.columns), list(info.columns))


def _error(value: Any) -> Any:
    """A cell's value as xlwings reads it with ``err_to_str`` (an error value as its code, "#N/A"),
    an error as :class:`XlError`: without that option xlwings reads an error as a blank, and a
    #N/A in a data table would silently count as nothing (the file's refresh reads it the same way)."""
    return error_value(value) if isinstance(value, str) else value


def _write(book: Any, sheet: str, top: int, first_col: int, last_col: int, rows: list[list[Any]]) -> None:
    """Clear the region from ``top`` down, then write ``rows`` as values."""
    ws = book.sheets[sheet]
    last_row = max(ws.used_range.last_cell.row, top)
    ws.range((top, first_col), (last_row, last_col)).clear_contents()
    if rows:
        width = last_col - first_col + 1
        ws.range((top, first_col)).value = [[None if v == "" else v for v in r] + [None] * (width - len(r))
                                            for r in rows]


def _old_trend(workbook: LiveWorkbook) -> bool:
    """Whether the workbook's trend chart is an earlier kpi-xl's, reading 'Chart data'!E:K (F1 holds a goal)."""
    rows = workbook.sheet_values(layout.sheet("chartdata", workbook.lang))
    col = layout.OLD_TREND_COLS[0]  # F, 0-based
    return bool(rows) and len(rows[0]) > col and rows[0][col] not in ("", None)


def refresh_scorecard(book: Any = None, as_of: dt.date | None = None) -> Report | None:
    """Refresh the calling workbook (the button), or ``book`` (an xlwings Book).

    Excel's status bar shows each step and then what was done, in the workbook's language.
    From the button (no ``book``), a refusal is a message box in that language, never a
    traceback, and None is returned; given a ``book``, it is raised (a WorkbookError)."""
    button = book is None
    if button:
        import xlwings as xw

        book = xw.Book.caller()
    try:
        report = _refresh(book, as_of)
    except KpiXlError as exc:
        if not button:
            raise
        _alert(book, i18n.text(exc, _language(book)))  # a refusal raised before the language was known too
        return None
    said = [refreshed(report), changed(report), got_worse(report)]
    _status(book, i18n.Join([m for m in said if m is not None], sep="; ").text(report.lang))
    if report.worse:  # the status bar is easily missed: a goal that got worse is said in a box too
        _alert(book, got_worse(report).text(report.lang), keep_status=True)
    return report


def _refresh(book: Any, as_of: dt.date | None) -> Report:
    workbook = LiveWorkbook(book)
    computed = compute_workbook(workbook, as_of, lambda step: _status(book, step))
    owned, result = computed.owned, computed.result
    _status(book, i18n.gettext(i18n.N_("writing the sheets kpi-xl fills in"), workbook.lang))
    regions = owned_regions(owned, workbook.lang)
    if _old_trend(workbook):
        regions.append(old_trend_region(owned, workbook.lang))
    for reg in regions:
        _write(book, reg.sheet, reg.top, reg.first, reg.last, reg.rows)
    card = localized(result.scorecard, workbook.lang)
    return Report(workbook.path, None, result.as_of, workbook.lang, len(card), card["status_label"].value_counts().to_dict(),
                  owned.warnings, card, problems=computed.problems, changes=owned.changes or [], worse=owned.worse)


def _language(book: Any) -> str:
    """The language of the workbook open in Excel, from its sheets' names (else $KPI_XL_LANG)."""
    try:
        return sheet_language({s.name for s in book.sheets}) or i18n.language()
    except Exception:  # noqa: BLE001 - Excel gone away: the reader's own language
        return i18n.language()


def _status(book: Any, text: str) -> None:
    """Show ``text`` on Excel's status bar (a book without an Excel, as in tests, keeps it as
    ``book.app.status_bar`` when it has an ``app``)."""
    app = getattr(book, "app", None)
    if app is not None:
        app.status_bar = text


def _alert(book: Any, text: str, keep_status: bool = False) -> None:
    """Tell the person who pressed the button why nothing was refreshed, or which goals got
    worse (a message box); ``keep_status``: the status bar keeps what was done."""
    app = getattr(book, "app", None)
    if app is not None:
        if not keep_status:
            app.status_bar = False  # Excel's own status text again
        app.alert(text, title="kpi-xl")
