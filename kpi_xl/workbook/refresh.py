"""Refresh a kpi-xl workbook on disk, with no Excel: `kpi-xl refresh PATH`.

Reads the Goals, Settings, OKR and Rewards input tables and the data tables,
runs the scorecard engine, and writes the regions kpi-xl owns (Scorecard,
History, the OKR and Rewards result columns, the hidden chart data) plus the
cached results of the formulas that show them. Every other part of the file
comes out byte for byte (see :mod:`kpi_xl.workbook.package`). The file is replaced
atomically and the previous version kept as a backup; a workbook that cannot be
understood is refused with the sheet, cell and what was expected, untouched.
"""

from __future__ import annotations

import abc
import contextlib
import gc
import math
import operator
import os
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import i18n
from ..errors import KpiXlError
from ..excel import EPOCH_1900, column_letter, from_serial, to_serial
from ..goals import GoalsError, Result, compute, read_rules
from ..goals.data import DataError, DataTables, read_dates
from .connect import read_sources
from ..goals.model import CHOICE_WORDS, as_date, canonical
from .. import labels
from . import layout
from .language import sheet_language
from .readahead import ReadAhead, Sheet
from .precision import stable
from .content import (Owned, build_owned, count_rows, localized, money_rows, name_widths, owned_regions,
                      percent_rows)
from .package import (KeptCell, Package, TableInfo, WorkbookError, backup_path, open_package, with_errors,
                      workbook_lock)
from .package.atomic import check_writable
from .package.spills import write_spill
from .package.records import MAX_TEXT
from .package.styles import whole_number_style
from .package.tables import builtin_number_style, table_bounds, widen_columns

REQUIRED_TABLES = ("Goals", "KeyResults", "RewardPlans", "StatusRules")


@dataclass
class Report:
    """What a refresh did, for the CLI and the macro."""

    path: Path
    backup: Path | None
    as_of: dt.date
    lang: str
    goals: int
    statuses: dict[str, int]
    warnings: list[str]
    scorecard: pd.DataFrame
    unwritten: dict[str, str] = field(default_factory=dict)  # "Sheet!B3" → why its computed result was not stored
    problems: int = 0  # goal rows that could not be measured: "No data", the problem in Why and in warnings
    changes: list[list[Any]] = field(default_factory=list)  # the Changes region's rows (header first)
    worse: tuple[str, ...] = ()  # goals whose status got worse since the previous review period


@dataclass(frozen=True)
class RefreshInputs:
    """Everything refresh reads from a workbook, checked (:func:`read_inputs`). The goals,
    key results, plans and rules carry kpi-xl's column keys, whatever the workbook's language."""

    goals: pd.DataFrame  # the Goals table (SMART column dropped; ids as text, dates as dates)
    goals_info: TableInfo  # where the Goals table is, to name a problem's cell
    data: dict[str, pd.DataFrame]  # the data tables some goal reads, by table name and by sheet name
    key_results: pd.DataFrame
    plans: pd.DataFrame  # the Rewards table's plans
    rules: pd.DataFrame  # the status rules as typed (read by :func:`kpi_xl.goals.read_rules`)
    settings: dict[str, Any]  # the Settings sheet, by :data:`layout.SETTING_KEYS` key (None when blank)
    notes: dict[str, str]  # goal id → the check-in note on the Scorecard
    history: pd.DataFrame | None  # the History sheet's rows, None when it has none


@dataclass(frozen=True)
class ComputedWorkbook:
    """What :func:`compute_workbook` found: the owned regions to write, the engine's result
    and the inputs they were computed from."""

    owned: Owned
    result: Result
    inputs: RefreshInputs
    problems: int = 0  # goal rows shown "No data" with their problem (the first warnings)


@dataclass(frozen=True)
class FormulaResults:
    """The formulas on the user's sheets, computed (:func:`compute_formulas`)."""

    changed: dict[str, dict[tuple[int, int], Any]]  # sheet → (row, col) → new cached value
    skipped: dict[tuple[str, int, int], i18n.Message]  # (sheet, row, col) → why it was not computed
    # sheet → anchor (row, col) → (the whole result, its date columns, whether it becomes an array formula)
    spills: dict[str, dict[tuple[int, int], tuple[list[list[Any]], tuple[int, ...], bool]]] = field(default_factory=dict)


class WorkbookReader(abc.ABC):
    """A kpi-xl workbook as refresh reads it: its tables, sheet values, settings and
    language. :class:`FileWorkbook` reads a file (through its :class:`Package`);
    :class:`kpi_xl.workbook.live.LiveWorkbook` reads the workbook open in Excel."""

    path: Any
    lang: str
    tables: dict[str, TableInfo]  # lower-case table name → where the table is
    epoch: dt.datetime = EPOCH_1900  # the workbook's date system (1904-01-01 for a 1904 workbook)

    @abc.abstractmethod
    def sheet_values(self, sheet: str) -> list[list[Any]]:
        """Every row of ``sheet`` from A1, blanks as ""."""

    @abc.abstractmethod
    def table(self, name: str) -> tuple[TableInfo, pd.DataFrame]:
        """The Excel Table ``name`` (any case) and its data rows as a typed DataFrame."""

    def settings(self) -> dict[str, Any]:
        values = self.sheet_values(layout.sheet("settings", self.lang))
        out = {}
        for i, (key, *_) in enumerate(layout.SETTING_KEYS, start=1):
            row = values[i] if i < len(values) else []
            out[key] = row[1] if len(row) > 1 and row[1] != "" else None
        return out

    def column_values(self, sheet: str, col: int, first_row: int = 2) -> list[Any]:
        values = self.sheet_values(sheet)
        return [r[col - 1] if len(r) >= col else "" for r in values[first_row - 1:]]


class FileWorkbook(WorkbookReader):
    """A kpi-xl workbook file, read through its package (values via python-calamine)."""

    def __init__(self, path: Path, package: Package, ahead: ReadAhead | None = None):
        from python_calamine import CalamineWorkbook

        self.path = path
        self.package = package
        # the sheets a read-ahead read are taken from it when it read this very file (opened, locked)
        if ahead is not None and not ahead.same_file(path):
            ahead.close()  # it read another file (saved since): nothing more of it is read
            ahead = None
        self._ahead = ahead
        try:
            self._cal = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # noqa: BLE001 - calamine raises its own types
            raise WorkbookError(i18n.Message(i18n.N_("{file}: cannot read the cell values ({reason})"), file=str(path),
                                             reason=str(exc))) from None
        self._values: dict[str, list[list[Any]]] = {}
        self.tables = {t.display_name.lower(): t for t in package.tables()}
        missing = [t for t in REQUIRED_TABLES if t.lower() not in self.tables]
        if missing:
            lang = sheet_language({s.name for s in package.sheets()}) or i18n.language()
            raise WorkbookError(not_ours(path, missing).text(lang) + i18n.gettext(i18n.N_(
                "; make one with: kpi-xl new BOOK.xlsx"), lang))
        self.lang = self._language()
        self.epoch = package.epoch  # dates typed as plain numbers count from it

    # ---------------------------------------------------------------- values
    def sheet_values(self, sheet: str) -> list[list[Any]]:
        """A sheet's values from A1, blanks as "", error values as errors (:func:`with_errors`:
        python-calamine reads an error cell as a blank; the sheet's XML says which are errors,
        one search over it, ~0.03 s for 100,000 rows); a sheet read ahead is taken as read."""
        if sheet not in self._values:
            read = self._ahead.take(sheet) if self._ahead is not None else None
            if read is None:
                try:
                    values = self._cal.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                except Exception as exc:  # noqa: BLE001
                    raise WorkbookError(i18n.Message(i18n.N_("{file}: cannot read sheet '{sheet}' ({reason})"),
                                                     file=str(self.path), sheet=sheet, reason=str(exc))) from None
                read = Sheet(values, self.package.error_cells(sheet))
            self._values[sheet] = with_errors(read.rows, read.errors)
        return self._values[sheet]

    def table(self, name: str) -> tuple[TableInfo, pd.DataFrame]:
        info = self.tables.get(name.lower())
        if info is None:
            raise WorkbookError(no_table(self.path, name).text(self.lang))
        r1, c1, r2, c2 = table_bounds(info.ref)
        values = self.sheet_values(info.sheet)
        body = values[r1 - 1 + info.header_row_count:r2]
        return info, frame(body, c1, c2, list(info.columns))

    def _language(self) -> str:
        lang = sheet_language({s.name for s in self.package.sheets()}, ("scorecard",))
        if lang is not None:
            return lang
        raise WorkbookError(no_scorecard(self.path).text(sheet_language({s.name for s in self.package.sheets()})
                                                         or i18n.language()))


def not_ours(path: Any, missing: list[str]) -> i18n.Message:
    """The refusal of a workbook without kpi-xl's tables (``missing``), in no language yet."""
    return i18n.Message(i18n.N_("{book}: this is not a kpi-xl workbook (no table named {tables})"), book=str(path),
                        tables=i18n.Join(missing))


def no_table(path: Any, name: str) -> i18n.Message:
    return i18n.Message(i18n.N_("{book}: no table named '{table}'"), book=str(path), table=name)


def no_scorecard(path: Any) -> i18n.Message:
    """The refusal of a workbook with kpi-xl's tables but no Scorecard sheet in any language."""
    sheets = i18n.Join((f"'{layout.sheet('scorecard', lang)}'" for lang in layout.LANGS), sep=" or ")
    return i18n.Message(i18n.N_("{book}: no Scorecard sheet ({sheets}); is this a kpi-xl workbook?"), book=str(path),
                        sheets=sheets)


def frame(rows: list[list[Any]], c1: int, c2: int, columns: list[str]) -> pd.DataFrame:
    """A table's cells (as python-calamine or xlwings give them) as a typed DataFrame:
    blank cells None, all-date columns datetime64, all-number columns numeric."""
    width = c2 - c1 + 1
    cols = _columns(rows, c1, c2)
    data = {}
    for j, name in enumerate(columns):
        s = pd.Series(cols[j] if j < len(cols) else np.empty(0, dtype=object), dtype=object)
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind in ("datetime", "date", "datetime64"):
            try:
                s = pd.to_datetime(s)
            except (pd.errors.OutOfBoundsDatetime, OverflowError):
                pass  # a date past 2262 (pandas < 2.1 keeps nanoseconds): the dates stay as typed, checked later
        elif kind in ("floating", "integer", "mixed-integer-float"):
            s = pd.to_numeric(s)
        data[name] = s
    df = pd.DataFrame(data, columns=columns) if width else pd.DataFrame()
    if all(df.iloc[:, j].isna().any() for j in range(df.shape[1])):  # else no row is all blank: no dropna (a copy of every column)
        df = df.dropna(how="all")
    return df


def _columns(rows: list[list[Any]], c1: int, c2: int) -> list[np.ndarray]:
    """Columns c1..c2 (1-based) of ``rows`` as object arrays, blank cells ("") as None. Rows
    as python-calamine gives them (one length) are read column by column in C (``itemgetter``
    into ``np.fromiter``: 3-4× faster than filling a 2-D object array); ragged rows (a sheet
    read another way) are padded with None first."""
    width = c2 - c1 + 1
    if not rows:
        return [np.empty(0, dtype=object) for _ in range(width)]
    if len(set(map(len, rows))) == 1 and len(rows[0]) >= c2:
        out = []
        for i in range(c1 - 1, c2):  # cell by cell, never a nested sequence unpacked
            col = np.fromiter(map(operator.itemgetter(i), rows), dtype=object, count=len(rows))
            col[col == ""] = None
            out.append(col)
        return out
    grid = np.empty((len(rows), width), dtype=object)
    grid[:] = [list(r[c1 - 1:c2]) + [None] * (width - len(r[c1 - 1:c2])) for r in rows]
    out = []
    for j in range(width):
        col = grid[:, j].copy()
        col[col == ""] = None
        out.append(col)
    return out


def _cell_of(info: TableInfo, df_columns: list[str], row: int, column: str) -> str:
    """The cell of a table's data row (1-based within the table) and canonical column."""
    r1, c1, _, _ = table_bounds(info.ref)
    index = None
    for j, c in enumerate(df_columns):
        if canonical(c) == column:
            index = j
    col = c1 + (index if index is not None else 0)
    return f"{info.sheet}!{column_letter(col)}{r1 + info.header_row_count + row - 1}"


def _as_text(v: Any) -> Any:
    """An id typed as a number as the text people see: 101, not 101.0."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
        return str(v)
    return v


def _goals_column(goals: pd.DataFrame, key: str) -> str | None:
    return next((c for c in goals.columns if canonical(c) == key), None)


def _check_headers(info: TableInfo, workbook: WorkbookReader) -> None:
    """A renamed Goals column is refused (not silently ignored), naming its cell. The
    header cells are read as people see them (Excel keeps the table's names in step)."""
    from ..goals.model import COLUMNS

    r1, c1, _, c2 = table_bounds(info.ref)
    row = workbook.sheet_values(info.sheet)[r1 - 1] if len(workbook.sheet_values(info.sheet)) >= r1 else []
    headers = [row[c - 1] if c - 1 < len(row) else "" for c in range(c1, c2 + 1)]
    known = set(COLUMNS)
    smart = {canonical(h) for h in layout.SMART_HEADER}
    for j, header in enumerate(headers):
        key = canonical(header)
        if key not in known and key not in smart:
            expected = i18n.Join(layout.goal_header(k, workbook.lang) for k in layout.GOAL_HEADERS)
            raise WorkbookError(i18n.at(f"{info.sheet}!{column_letter(c1 + j)}{r1}", i18n.Message(i18n.N_(
                "unknown column '{header}' in the Goals table (expected: {expected})"), header=header,
                expected=expected), workbook.lang))


def read_inputs(workbook: WorkbookReader) -> RefreshInputs:
    """Everything refresh needs from the workbook, checked."""
    goals_info, goals = workbook.table("Goals")
    _check_text(goals_info, goals, workbook.lang)
    smart_header = layout.smart_header(workbook.lang)
    _check_headers(goals_info, workbook)
    goals = goals.drop(columns=[c for c in goals.columns if c == smart_header])
    for col in goals.columns:  # a date typed as a plain number is a serial of the workbook's date system
        if canonical(col) in ("id", "parent"):
            goals[col] = goals[col].astype(object).map(_as_text)
        if canonical(col) in ("start", "end"):
            goals[col] = goals[col].map(lambda v: _serial_date(v, workbook.epoch))
    # only the data tables some goal names (by table or sheet name): a refresh reads no more
    table_col = _goals_column(goals, "table")
    wanted = {str(t).strip().lower() for t in (goals[table_col] if table_col else []) if t}
    data = {}
    for key, info in workbook.tables.items():
        if info.display_name in REQUIRED_TABLES:
            continue
        if key in wanted or info.sheet.lower() in wanted:
            df = workbook.table(info.display_name)[1]
            data[info.display_name] = df
            if info.sheet != info.display_name:
                data[info.sheet] = df  # goals may name the sheet instead of the table
    _data_dates(workbook, data, goals)
    # the sources goals name (the Sources table): read where they live when a goal asks
    data.update(read_sources(workbook, wanted))
    kr_info, kr = workbook.table("KeyResults")
    _check_text(kr_info, kr, workbook.lang)
    kr = kr.rename(columns=dict(zip(layout.header(layout.KR_COLUMNS, workbook.lang), [c[0] for c in layout.KR_COLUMNS])))
    if "goal" in kr.columns:  # the goal a key result follows, by id: 101 as typed
        kr["goal"] = kr["goal"].astype(object).map(_as_text)
    plans_info, plans = workbook.table("RewardPlans")
    _check_text(plans_info, plans, workbook.lang)
    plans = plans.rename(columns=dict(zip(layout.header(layout.PLAN_COLUMNS, workbook.lang),
                                          [c[0] for c in layout.PLAN_COLUMNS])))
    _check_review(goals_info, goals, kr_info, kr, plans, workbook.lang)
    _, rules = workbook.table("StatusRules")
    rules = rules.rename(columns=dict(zip(layout.header(layout.RULE_COLUMNS, workbook.lang),
                                          [c[0] for c in layout.RULE_COLUMNS])))
    settings = workbook.settings()
    sc_sheet = layout.sheet("scorecard", workbook.lang)
    ids = workbook.column_values(sc_sheet, 1)
    note_col = [c[0] for c in layout.SCORECARD_COLUMNS].index("note") + 1
    note_vals = workbook.column_values(sc_sheet, note_col)
    notes = {str(i): str(n) for i, n in zip(ids, note_vals) if i not in ("", None) and n not in ("", None)}
    hist_rows = workbook.sheet_values(layout.sheet("history", workbook.lang))[1:]
    hist = pd.DataFrame([r[:len(layout.HISTORY_COLUMNS)] for r in hist_rows if any(v != "" for v in r)],
                        columns=[c[0] for c in layout.HISTORY_COLUMNS]) if hist_rows else None
    if hist is not None:
        hist = hist.replace({"": None})
        hist["period"] = hist["period"].astype(str)
    return RefreshInputs(goals=goals, goals_info=goals_info, data=data, key_results=kr, plans=plans, rules=rules,
                         settings=settings, notes=notes, history=hist)


def _serial_date(v: Any, epoch: dt.datetime) -> Any:
    """A number in a date cell as the date it stands for in the workbook's date system;
    anything else as it is (the engine says what it cannot read)."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v:
        try:
            return from_serial(v, epoch).date()
        except (OverflowError, ValueError):
            return v
    return v


def _check_review(goals_info: TableInfo, goals: pd.DataFrame, kr_info: TableInfo, kr: pd.DataFrame,
                  plans: pd.DataFrame, lang: str = "en") -> None:
    """What the OKR grading and the payouts would refuse, refused at the cell typed into."""
    reward_col, plan_col = _goals_column(goals, "reward"), "plan" if "plan" in plans.columns else None
    if reward_col is not None and plan_col is not None:
        known = {str(p).strip().casefold() for p in plans[plan_col] if p is not None}
        for label, plan in goals[reward_col].items():
            if plan is not None and str(plan).strip() and str(plan).strip().casefold() not in known:
                cell = _cell_of(goals_info, list(goals.columns), int(label) + 1, "reward")
                raise WorkbookError(i18n.at(cell, i18n.Message(i18n.N_(
                    "reward plan '{plan}' is not in the {sheet} table"), plan=str(plan).strip(),
                    sheet=layout.sheet("rewards", lang)), lang))
    if not {"start_value", "target_value", "current_value", "score"} <= set(kr.columns):
        return
    r1, c1, _, _ = table_bounds(kr_info.ref)
    target_at = list(kr.columns).index("target_value")
    for label, r in kr.iterrows():
        start, target, now, score = (_float(r[k]) for k in ("start_value", "target_value", "current_value", "score"))
        if score != score and now == now and target == (0.0 if start != start else start):
            cell = f"{kr_info.sheet}!{column_letter(c1 + target_at)}{r1 + kr_info.header_row_count + int(label)}"
            raise WorkbookError(i18n.at(cell, i18n.Message(i18n.N_(
                "the target equals the start value (a key result needs somewhere to go)")), lang))


def _float(v: Any) -> float:
    try:
        return float(v) if v is not None and v != "" else math.nan
    except (TypeError, ValueError):
        return math.nan


def _data_dates(workbook: WorkbookReader, data: dict[str, pd.DataFrame], goals: pd.DataFrame) -> None:
    """The date columns goals read, as dates by the engine's one rule
    (:func:`kpi_xl.goals.data.read_dates`: dates, ISO text, serial numbers of the workbook's
    date system in any number format, or 8-digit YYYYMMDD numbers); a cell that is no
    date is refused at its sheet cell."""
    table_col, date_col = _goals_column(goals, "table"), _goals_column(goals, "date_column")
    if table_col is None or date_col is None:
        return
    wanted = {(str(t).strip().lower(), str(d).strip().lower()) for t, d in zip(goals[table_col], goals[date_col])
              if t and d and isinstance(d, str)}
    for name, df in data.items():
        if not isinstance(df, pd.DataFrame):  # a source: its dates are read where it is
            continue
        for col in df.columns:
            if (name.lower(), str(col).strip().lower()) not in wanted:
                continue
            try:
                df[col] = read_dates(df[col], workbook.epoch, table=name, column=str(col))
            except DataError:
                pass  # left as typed: the engine refuses it for the goals that read it, at its cell


def _as_of(settings: dict[str, Any], override: dt.date | None, epoch: dt.datetime = EPOCH_1900,
           lang: str = "en") -> dt.date:
    if override:
        return override
    v = _serial_date(settings.get("as_of"), epoch)
    if v is None or (isinstance(v, str) and not v.strip()):
        return dt.date.today()
    day = as_date(v)  # the goals table's reading of a date: datetime, serial number or ISO text
    if day is None:
        raise WorkbookError(i18n.at(f"{layout.sheet('settings', lang)}!B3", i18n.Message(i18n.N_(
            "'{value}' is not a date (expected e.g. 2026-06-30, or blank for today)"), value=v), lang))
    return day


def settings_as_of(path: Path) -> dt.date:
    """The as-of date a refresh of the workbook at ``path`` measures at: its Settings sheet's (blank:
    today). ``kpi-xl predict`` and the refresh's re-prediction fit at this date too, so the fit the
    Customers and Settings sheets show is the scorecard's, not the day the command ran."""
    with open_package(path) as pkg:
        book = FileWorkbook(path, pkg)
        return _as_of(book.settings(), None, book.epoch, book.lang)


def _period(settings: dict[str, Any], lang: str = "en") -> str:
    v = str(settings.get("review_period") or "month").strip().lower()
    words = CHOICE_WORDS["period"]
    if v not in words or words[v] == "year":
        allowed = i18n.Join((i18n.Message(w, context="period") for w in ("month", "quarter")), sep=" or ")
        raise WorkbookError(i18n.at(f"{layout.sheet('settings', lang)}!B5", i18n.Message(i18n.N_(
            "review period '{value}' is not {allowed}"), value=v, allowed=allowed), lang))
    return words[v]


def compute_workbook(workbook: WorkbookReader, as_of: dt.date | None = None,
                     progress: Callable[[str], None] = lambda s: None) -> ComputedWorkbook:
    lang = workbook.lang
    progress(i18n.gettext(i18n.N_("reading goals and data tables"), lang))
    inputs = read_inputs(workbook)
    when = _as_of(inputs.settings, as_of, workbook.epoch, workbook.lang)
    try:
        rules = read_rules(inputs.rules)
    except KpiXlError as exc:
        raise WorkbookError(i18n.at(layout.sheet('settings', lang), exc, lang)) from None
    progress(i18n.Message(i18n.N_("computing the scorecard as of {date}"), date=when).text(lang))
    # one DataTables for the scorecard and the SMART check, so each table's typed columns and daily
    # totals are made once, not twice (with a source among the tables, each keeps its own as before)
    tables = inputs.data if any(not isinstance(t, pd.DataFrame) for t in inputs.data.values()) else DataTables(inputs.data)
    try:
        result = compute(inputs.goals, tables, when, rules=rules)
    except GoalsError as exc:
        raise WorkbookError(_goals_error(inputs, exc, lang)) from None
    except DataError as exc:
        raise WorkbookError(_data_error(workbook, exc, lang)) from None
    problems = _row_problems(workbook, inputs, result)
    progress(i18n.gettext(i18n.N_("building the scorecard, history, OKR and rewards"), lang))
    try:
        owned = build_owned(result, tables, inputs.key_results, inputs.plans, inputs.history,
                            inputs.notes, lang, _period(inputs.settings, lang))
    except GoalsError as exc:
        raise WorkbookError(_goals_error(inputs, exc, lang)) from None
    owned.warnings[:0] = problems
    owned.trend_before = _trend_width(workbook)
    _changes_room(workbook, owned)
    return ComputedWorkbook(owned, result, inputs, len(problems))


def _trend_width(workbook: WorkbookReader) -> int:
    """How many goal columns the chart sheet's trend has now (right of its periods' column)."""
    try:
        values = workbook.sheet_values(layout.sheet("chartdata", workbook.lang))
    except (WorkbookError, KeyError):
        return 0
    return max(0, max((len(r) for r in values), default=0) - layout.TREND_COL)


def _changes_room(workbook: WorkbookReader, owned: Owned) -> None:
    """The Changes region is written where it was, or where nothing is yet: a Scorecard whose
    cell W1 holds something else (the user's) keeps it, and a warning says so."""
    sheet = layout.sheet("scorecard", workbook.lang)
    top = (workbook.sheet_values(sheet) or [[]])[0]
    here = top[layout.CHANGES_COL - 1] if len(top) >= layout.CHANGES_COL else None
    ours = {canonical(h) for lang in i18n.languages() for h in layout.header(layout.CHANGES_COLUMNS, lang)[:1]}
    if here in (None, "") or canonical(str(here)) in ours:
        _keep_first_seen(workbook.sheet_values(sheet), owned)
        return
    owned.changes = None
    owned.warnings.append(i18n.at(f"{sheet}!{column_letter(layout.CHANGES_COL)}1", i18n.Message(i18n.N_(
        "not empty, so the Changes region (goals whose status changed) was not written there; "
        "empty the cells from there to the right to see it")), workbook.lang))


def _row_problems(workbook: WorkbookReader, inputs: RefreshInputs, result: Result) -> list[str]:
    """Each goal row the engine could not measure: its scorecard "Why" becomes the problem at
    the cell to fix ("Goals!F4: ..." or "Orders!E274: ..."), and the same line is a warning."""
    if not result.problems:
        return []
    lang, card = workbook.lang, result.scorecard
    out = []
    for gid, p in result.problems.items():
        if isinstance(p, DataError):
            line = _data_error(workbook, p, lang)
        else:
            line = i18n.at(_cell_of(inputs.goals_info, list(inputs.goals.columns), p.row, p.column), p.message, lang)
        out.append(line)
        card.loc[card["id"] == gid, "rule"] = line
    return out


def _goals_error(inputs: RefreshInputs, exc: GoalsError, lang: str) -> str:
    """The goals table's problems, each at the cell the user typed into, in the workbook's language."""
    info, cols = inputs.goals_info, list(inputs.goals.columns)
    lines = [i18n.at(_cell_of(info, cols, p.row, p.column), p.message, lang) if p.row else
             i18n.at(info.sheet, i18n.Message(i18n.N_("column '{column}' {problem}"), column=layout.goal_header(
                 p.column, lang) if p.column in layout.GOAL_HEADERS else p.column, problem=p.message), lang)
             for p in exc.problems]
    return i18n.gettext(i18n.N_("the goals table has problems:"), lang) + "\n" + "\n".join(lines)


def _data_error(workbook: WorkbookReader, exc: DataError, lang: str) -> str:
    """A data table's bad value at its sheet and cell (the engine knows the table's row):
    "Orders!A2: ..." for the first row under a header on row 1, never the engine's "row 1"."""
    table, column, row = getattr(exc, "table", None), getattr(exc, "column", None), getattr(exc, "row", None)
    tables = workbook.tables
    key = str(table).strip().lower()
    info = tables.get(key) or next((t for t in tables.values() if t.sheet.lower() == key), None)
    if info is None or row is None or column is None:
        return exc.text(lang)
    names = [str(c).strip().lower() for c in info.columns]
    if str(column).strip().lower() not in names:
        return exc.text(lang)
    r1, c1, _, _ = table_bounds(info.ref)
    col = c1 + names.index(str(column).strip().lower())
    problem = exc.problem if getattr(exc, "problem", None) is not None else exc.message
    return i18n.at(f"{info.sheet}!{column_letter(col)}{r1 + info.header_row_count + row - 1}", problem, lang)


def _check_text(info: TableInfo, df: pd.DataFrame, lang: str = "en") -> None:
    """Text longer than a cell holds (a crafted or generated file) is refused at the cell
    it was typed into, before it is copied anywhere."""
    r1, c1, _, _ = table_bounds(info.ref)
    for j, col in enumerate(df.columns):
        s = df[col]
        if s.dtype != object:
            continue
        lengths = s.map(lambda v: len(v) if isinstance(v, str) else 0)
        if len(lengths) and lengths.max() > MAX_TEXT:
            label = lengths.idxmax()
            row = r1 + info.header_row_count + (int(label) if isinstance(label, int) else 0)
            raise WorkbookError(_too_long(f"{info.sheet}!{column_letter(c1 + j)}{row}", lengths.max(), lang))


def _too_long(cell: str, n: int, lang: str) -> str:
    return i18n.Message(i18n.N_("{where}: {n:,} characters; an Excel cell holds at most {limit:,}"), where=cell,
                        n=int(n), limit=MAX_TEXT).text(lang)


NOTE_COLUMN = [c[0] for c in layout.SCORECARD_COLUMNS].index("note") + 1


def kept_notes(pkg: Package, workbook: WorkbookReader) -> dict[str, KeptCell]:
    """The Scorecard's check-in note cells as the user left them (goal id -> cell): a
    formula keeps its formula (a shared one as its own), a number stays a number."""
    sheet = layout.sheet("scorecard", workbook.lang)
    ids = workbook.column_values(sheet, 1)
    cells = {r: c for (r, col), c in pkg.read_cells(sheet, min_row=2).items() if col == NOTE_COLUMN}
    masters = {c.shared_index: (r, c.formula) for r, c in cells.items() if c.shared_index is not None and c.formula}
    out = {}
    for r, cell in cells.items():
        goal = ids[r - 2] if r - 2 < len(ids) else ""
        if goal in ("", None) or (cell.formula is None and cell.value in (None, "")):
            continue
        formula = cell.formula
        if formula == "" and cell.shared_index in masters:  # a filled-down formula: its own text
            from openpyxl.formula.translate import Translator  # only then: importing openpyxl takes 0.1 s

            mr, text = masters[cell.shared_index]
            formula = Translator("=" + text, f"{column_letter(NOTE_COLUMN)}{mr}").translate_formula(
                f"{column_letter(NOTE_COLUMN)}{r}")[1:]
        if isinstance(cell.value, str) and len(cell.value) > MAX_TEXT:
            raise WorkbookError(_too_long(f"{sheet}!{column_letter(NOTE_COLUMN)}{r}", len(cell.value), workbook.lang))
        out[str(goal)] = KeptCell(cell.value, formula or None, cell.style or None)
    return out


def keep_notes(owned: Owned, kept: dict[str, KeptCell]) -> None:
    """Put the user's note cells back beside their goals (the engine saw only their text)."""
    for row in owned.scorecard:
        cell = kept.get(str(row[0]))
        if cell is not None:
            row[NOTE_COLUMN - 1] = cell


def explain_uncomputed_data(pkg: Package, workbook: WorkbookReader, owned: Owned, goals: pd.DataFrame) -> None:
    """Goals without data whose table holds formulas with no saved value (a file saved by
    a program that computes nothing) say so in their row, with the fix, not "No data"."""
    table_col, id_col = _goals_column(goals, "table"), _goals_column(goals, "id")
    status_at = [c[0] for c in layout.SCORECARD_COLUMNS].index("status_label")
    rule_at = [c[0] for c in layout.SCORECARD_COLUMNS].index("rule")
    no_data = labels.STATUS[workbook.lang]["no_data"]
    if table_col is None or id_col is None:
        return
    table_of = {str(i): str(t).strip().lower() for i, t in zip(goals[id_col], goals[table_col]) if t}
    found: dict[str, str | None] = {}
    for row in owned.scorecard:
        name = table_of.get(str(row[0]))
        if row[status_at] != no_data or not name:
            continue
        if name not in found:
            info = workbook.tables.get(name) or next((t for t in workbook.tables.values() if t.sheet.lower() == name), None)
            found[name] = _formulas_without_values(pkg, info) if info else None
        if found[name]:
            row[rule_at] = found[name]
    for text in {t for t in found.values() if t}:
        owned.warnings.append(text)


def _formulas_without_values(pkg: Package, info: TableInfo) -> str | None:
    r1, c1, r2, c2 = table_bounds(info.ref)
    first = r1 + info.header_row_count
    cells = [(r, c) for (r, c), cell in pkg.read_formulas(info.sheet, first, r2).items()
             if c1 <= c <= c2 and cell.value is None]
    if not cells:
        return None
    r, c = min(cells)
    return (f"{len(cells)} cells of {info.sheet} (first {info.sheet}!{column_letter(c)}{r}) hold formulas with no "
            "saved value (the file was saved by a program that does not compute them): open and save the "
            "workbook in Excel or LibreOffice, then refresh again")


def _keep_first_seen(values: list[list[Any]], owned: Owned) -> None:
    """A change already in the Changes region (same goal, same statuses) keeps the date it was
    first seen, so "As of" says since when, however often the scorecard is refreshed."""
    if not owned.changes:
        return
    first, width = layout.CHANGES_COL - 1, len(layout.CHANGES_COLUMNS)
    seen = {}
    for row in values[1:]:
        r = (list(row[first:first + width]) + [None] * width)[:width]
        when = r[4].date() if isinstance(r[4], dt.datetime) else r[4]
        if r[0] not in ("", None) and isinstance(when, dt.date):
            seen[(str(r[0]), str(r[2]), str(r[3]))] = when
    for row in owned.changes[1:]:
        when = seen.get((str(row[0]), str(row[2]), str(row[3])))
        if when is not None and when <= owned.as_of:
            row[4] = when


#: What Excel adds to a width in characters for a column's margins (a width of 44 is stored as 44.71).
COLUMN_PADDING = 0.71


def write_owned(pkg: Package, workbook: WorkbookReader, owned: Owned) -> None:
    """Write every owned region (the formulas that show them are computed afterwards,
    by :func:`compute_formulas`)."""
    percent_columns = {"scorecard": layout.SCORECARD_COLUMNS, "history": layout.HISTORY_COLUMNS}
    regions = owned_regions(owned, workbook.lang)
    money = _whole_money_style(pkg, regions, workbook.lang)
    for reg in regions:
        row_styles = None
        if reg.key in percent_columns:  # goals measured in % show their values as percentages
            columns = percent_columns[reg.key]
            pct = pkg.column_style(reg.sheet, [c[0] for c in columns].index("achievement") + 1)
            marks = percent_rows(reg.rows, columns, owned.unit_by_id)
            cash = money_rows(reg.rows, columns, owned.unit_by_id) if money is not None else [[]] * len(reg.rows)
            counted = count_rows(reg.rows, columns, owned.counts)
            whole = whole_number_style(pkg) if any(counted) else None
            row_styles = [[pct if j in m else money if j in c else whole if j in n else None
                           for j in range(len(columns))] if m or c or n else None
                          for m, c, n in zip(marks, cash, counted)]
        elif reg.key == "changes":  # its dates look like dates, also on a Scorecard made before it existed
            at = [c[0] for c in layout.CHANGES_COLUMNS].index("as_of")
            date = pkg.column_style(reg.sheet, reg.first + at)
            date = date if date is not None else builtin_number_style(pkg, 14)
            head = pkg.read_cells(reg.sheet, 1, 1).get((1, 1))  # its header looks like the scorecard's
            head = [head.style if head is not None and head.style else None] * len(layout.CHANGES_COLUMNS)
            row_styles = [head] + [[date if j == at else None for j in range(len(row))] for row in reg.rows[1:]]
        pkg.write_region(reg.sheet, reg.top, reg.first, reg.last, reg.rows, row_styles=row_styles)
    # a goal's name longer than its column is shown whole (it was cut at the Owner column)
    widths: dict[str, dict[int, float]] = {}
    for (sheet, col), w in name_widths(owned, workbook.lang).items():
        widths.setdefault(sheet, {})[col] = w + COLUMN_PADDING
    for sheet, cols in widths.items():
        widen_columns(pkg, sheet, cols)


def fill_smart_cells(pkg: Package, workbook: WorkbookReader, owned: Owned) -> None:
    """Goals rows added without Excel (a script, an import) get the SMART check formula
    Excel fills into a new row of the table; a cell the user typed into is left alone."""
    from .package.spills import write_cell

    info = workbook.tables.get("goals")
    if info is None:
        return
    smart = {canonical(h) for h in layout.SMART_HEADER}
    col = next((j for j, c in enumerate(info.columns) if canonical(c) in smart), None)
    if col is None:
        return
    r1, c1, r2, _ = table_bounds(info.ref)
    col += c1
    cells = pkg.read_cells(info.sheet, r1 + info.header_row_count, r2)
    ids = {r: cell.value for (r, c), cell in cells.items() if c == c1}
    sc_col = column_letter([c[0] for c in layout.SCORECARD_COLUMNS].index("smart") + 1)
    for r in range(r1 + info.header_row_count, r2 + 1):
        cell = cells.get((r, col))
        if ids.get(r) in (None, "") or (cell is not None and (cell.formula is not None or
                                                              cell.value not in (None, ""))):
            continue  # a row without a goal yet, or a cell the user filled
        formula = layout.smart_formula(layout.sheet("scorecard", workbook.lang), sc_col, r)[1:]
        write_cell(pkg, info.sheet, (r, col), KeptCell(owned.smart_by_id.get(str(_as_text(ids.get(r))), ""),
                                                        formula, None))


def write_lists(pkg: Package, workbook: WorkbookReader, goals: pd.DataFrame) -> None:
    """The Goals sheet's drop-down lists as the workbook has them now: its tables and their
    columns, and the owners (the Settings sheet's Owner list and every owner the goals name,
    :func:`owner_list`), on the hidden chart sheet (the Settings sheet stays as the user keeps it)."""
    names, columns = layout.table_lists(workbook.tables.values(), workbook.lang)
    sheet = layout.sheet("chartdata", workbook.lang)
    pkg.write_region(sheet, 2, layout.LIST_TABLES_COL, layout.LIST_TABLES_COL, [[n] for n in names])
    pkg.write_region(sheet, 2, layout.LIST_COLUMNS_COL, layout.LIST_COLUMNS_COL, [[c] for c in columns])
    settings = layout.sheet("settings", workbook.lang)
    listed = workbook.column_values(settings, layout.OWNER_LIST_COL, layout.OWNER_LIST_ROW)
    col = _goals_column(goals, "owner")
    wanted = owner_list(listed, list(goals[col]) if col else [])
    pkg.write_region(sheet, 2, layout.LIST_OWNERS_COL, layout.LIST_OWNERS_COL, [[o] for o in wanted])


def owner_list(listed: list[Any], owners: list[Any]) -> list[str]:
    """The owners the Goals sheet's Owner drop-down offers: the names of the Settings sheet's
    Owner list (``listed``), in their order (a user may keep colleagues there before they own a
    goal), then each owner a goal names that is not there yet (case aside), alphabetically."""
    out = [t for t in map(_name, listed) if t]
    seen = {t.casefold() for t in out}
    new: dict[str, str] = {}
    for t in map(_name, owners):
        if t and t.casefold() not in seen:
            new.setdefault(t.casefold(), t)
    return out + sorted(new.values(), key=str.casefold)


def _name(v: Any) -> str:
    """A name cell's text ("" for a blank)."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(_as_text(v)).strip()


#: Where the chart data sits on the hidden chart sheet (1-based columns): the goal chart's ids
#: and values, the owner chart's names and values (the trend's: from layout.TREND_COL on).
GOAL_CHART_COLS, OWNER_CHART_COLS = (1, 2, 3), (13, 14)
#: The marker every line of the trend chart had in a workbook made by an earlier kpi-xl.
OLD_TREND_MARKER = b'<c:marker><c:symbol val="circle"/><c:size val="4"/></c:marker>'


def write_charts(pkg: Package, workbook: WorkbookReader, owned: Owned) -> None:
    """Point the Dashboard's charts at every goal, period and owner there is now, with their
    cached values (shown before any recalculation) and a value axis that fits the data. Charts
    that plot something else (the user's own) are left as they are."""
    from .package.chartrefs import Series, fit_value_axis, series_refs, set_series

    sheet = layout.sheet("chartdata", workbook.lang)
    old_trend = range(layout.OLD_TREND_COLS[0] + 1, layout.OLD_TREND_COLS[1] + 1)
    for part in pkg.part_names():
        if not (part.startswith("xl/charts/chart") and part.endswith(".xml")):
            continue
        xml = plain = pkg.read_part(part)
        cols = [_chart_column(r.get("val", ""), sheet) for r in series_refs(xml)]
        if not cols or None in cols:
            continue
        if all(c in GOAL_CHART_COLS[1:] for c in cols):
            rows = owned.goal_chart
            series = [Series(sheet, None, None, GOAL_CHART_COLS[0], c, 2, [r[0] for r in rows],
                             [r[c - 1] for r in rows]) for c in cols]
        elif all(c in OWNER_CHART_COLS[1:] for c in cols):
            rows = owned.owner_chart
            series = [Series(sheet, None, None, OWNER_CHART_COLS[0], c, 2, [r[0] for r in rows],
                             [r[c - OWNER_CHART_COLS[0]] for r in rows]) for c in cols]
        elif all(c > layout.TREND_COL for c in cols) or all(c in old_trend for c in cols):
            if cols[0] in old_trend:  # made by an earlier kpi-xl: its trend moves to the growing columns
                pkg.write_region(sheet, 1, layout.OLD_TREND_COLS[0], layout.OLD_TREND_COLS[1], [])
                # and its lines get markers of automatic shapes, as a new workbook's (the template's
                # small circles, exactly as it wrote them; a marker the user chose stays)
                plain = xml.replace(OLD_TREND_MARKER, b"")
            t, head, body = layout.TREND_COL, owned.trend_chart[0], owned.trend_chart[1:]
            series = [Series(sheet, (1, t + j), str(head[j]), t, t + j, 2,
                             [r[0] for r in body], [r[j] for r in body]) for j in range(1, len(head))]
            series = series or [Series(sheet, (1, t + 1), "", t, t + 1, 2, [], [])]
        else:
            continue
        new = set_series(plain, series, pkg.where(part))
        new = fit_value_axis(new, [v for s in series for v in s.values])
        if new != xml:
            pkg.replace_part(part, new)


def _chart_column(ref: str, sheet: str) -> int | None:
    """The column a series' values come from when they are on ``sheet``, else None."""
    if "!" not in ref:
        return None
    where, cells = ref.rsplit("!", 1)
    if where.strip("'").replace("''", "'") != sheet:
        return None
    try:
        return table_bounds(cells.split(":")[0])[1]
    except WorkbookError:
        return None


def _whole_money_style(pkg: Package, regions: list, lang: str) -> int | None:
    """Where the language writes money without decimals (Taiwan: NT$ 16,596,912), the style of the
    Rewards payout column (#,##0), for money goals' values as the template shows them; else None."""
    if i18n.pgettext("money format", "#,##0.##", lang) != "#,##0":
        return None
    pay = next((r for r in regions if r.key == "payouts"), None)
    if pay is None:
        return None
    return pkg.column_style(pay.sheet, pay.first + [c[0] for c in layout.PAYOUT_COLUMNS].index("payout"))


def owned_overlay(workbook: WorkbookReader, owned: Owned) -> dict[tuple[str, int, int], Any]:
    """The values this refresh writes in the owned regions (None where it clears a cell),
    so formulas that read them are computed from the new values."""
    out: dict[tuple[str, int, int], Any] = {}
    for reg in owned_regions(owned, workbook.lang):
        sheet, top, first, last, rows = reg.sheet, reg.top, reg.first, reg.last, reg.rows
        old = len(workbook.sheet_values(sheet))
        for r in range(top, max(old, top + len(rows) - 1) + 1):
            row = rows[r - top] if r - top < len(rows) else []
            for c in range(first, last + 1):
                v = row[c - first] if c - first < len(row) else None
                v = v.value if isinstance(v, KeptCell) else v
                out[(sheet, r, c)] = None if v == "" else v
    return out


def compute_formulas(pkg: Package, workbook: WorkbookReader, overlay: dict[tuple[str, int, int], Any],
                     as_of: dt.date, progress: Callable[[str], None] = lambda s: None) -> FormulaResults:
    """Evaluate the formulas on the user's sheets (not the data tables, not the owned
    sheets): the cached values that change, and the cells not computed with why."""
    from .evaluate import FormulaContext, defined_names, evaluate_all, table_ranges
    from .memo import FormulaMemo

    lang = workbook.lang
    skip = {layout.sheet(k, lang) for k in ("scorecard", "history", "chartdata")}
    skip |= {info.sheet for info in workbook.tables.values() if info.display_name in layout.DATA}
    formulas, cached = {}, {}
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet" or sheet.name in skip:
            continue
        for (r, c), cell in pkg.read_formulas(sheet.name).items():
            if cell.formula:  # shared-formula dependents ("") keep their value
                formulas[(sheet.name, r, c)] = "=" + cell.formula
                cached[(sheet.name, r, c)] = cell.value
    tables = table_ranges(workbook.tables.values())
    progress(i18n.Message(i18n.N_("computing {n:,} formula(s) on your sheets"), n=len(formulas)).text(lang))
    context = FormulaContext(workbook.sheet_values, formulas, tables, names=defined_names(pkg.defined_names()),
                             overlay=overlay, today=as_of, epoch=pkg.epoch, lang=lang, memo=FormulaMemo())
    outcome = evaluate_all(context)
    context.memo.save()
    changed: dict[str, dict[tuple[int, int], Any]] = {}
    for (sheet, r, c), value in outcome.values.items():
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value) if not isinstance(cached[(sheet, r, c)], float) else value
        if isinstance(value, dt.datetime) and isinstance(cached[(sheet, r, c)], (int, float)):
            value = to_serial(value, pkg.epoch)  # a spill's first period start: its serial, as stored
        if not _same(value, cached[(sheet, r, c)]):
            changed.setdefault(sheet, {})[(r, c)] = "" if value is None else value
    return FormulaResults(changed, outcome.skipped, _spills(pkg, context, outcome.values, outcome.evaluator))


def _spills(pkg: Package, context, computed: dict, ev=None) -> dict:
    """The whole results of the formulas that spill: array formulas (as Excel 365 saves a
    spilling formula) and one-cell formulas of a worksheet function that spills. ``ev``: the
    evaluator that computed them (its ranges are read already: a 100,000-row column is not read again)."""
    import re

    import numpy as np

    from ..functions import registry
    from .evaluate import Evaluator
    from .package.spills import array_ranges

    spilling = {k.name: k.spills for k in registry.kpis() if k.spills != "no"}
    anchors: dict[str, dict] = {}
    out: dict[str, dict] = {}
    for (sheet, r, c), formula in context.formulas.items():
        if (sheet, r, c) not in computed:
            continue
        if sheet not in anchors:
            anchors[sheet] = array_ranges(pkg.read_part(pkg.sheet(sheet).part))
        name = re.match(r"=\s*(?:_xludf\.|_xlfn\.|_xlws\.)*([A-Za-z_][\w.]*)\s*\(", formula)
        kind = spilling.get(name.group(1).upper()) if name else None
        is_array = (r, c) in anchors[sheet]
        if not is_array and kind is None:
            continue
        ev = ev or Evaluator(context)
        try:
            whole = ev.evaluate(formula, sheet)
        except Exception:  # noqa: BLE001 - computed once already; a spill that fails keeps its values
            continue
        if not isinstance(whole, np.ndarray):
            if not is_array:
                continue
            whole = np.array([[whole]], dtype=object)
        whole = whole.reshape(-1, 1) if whole.ndim < 2 else whole
        rows = [[None if v is None or (isinstance(v, float) and math.isnan(v)) else
                 (v.item() if isinstance(v, np.generic) else v) for v in row] for row in whole.tolist()]
        out.setdefault(sheet, {})[(r, c)] = (rows, (0,) if kind == "period_table" else (), not is_array)
    return out


def _same(a: Any, b: Any) -> bool:
    """Whether a computed result is what the cell already holds. Numbers agree when they agree
    to the precision kpi-xl writes (:data:`precision.DIGITS`): a cached value that Excel or the
    template wrote is kept, never replaced by a copy that differs in its last digits."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return stable(float(a)) == stable(float(b)) or abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))
    return str(a) == str(b) if a is not None and b is not None else a == b or (a in (None, "") and b in (None, ""))


def _set_formula_results(pkg: Package, sheet: str, values: dict[tuple[int, int], Any],
                         lang: str = "en") -> dict[str, str]:
    """Store the computed results of a sheet's formula cells; returns the cells whose result
    could not be stored ("Sheet!B3" → why), which keep their last value. When the sheet
    refuses the whole batch, each cell is tried on its own so one cell cannot cost the others."""
    try:
        pkg.set_cached_values(sheet, values)
        return {}
    except WorkbookError:
        pass
    refused = {}
    for (r, c), value in values.items():
        try:
            pkg.set_cached_values(sheet, {(r, c): value})
        except WorkbookError as exc:
            refused[f"{sheet}!{column_letter(c)}{r}"] = exc.text(lang)
    return refused


def _repredict(path: Path, as_of: dt.date | None, backup: bool, progress,
               ahead: ReadAhead | None = None) -> tuple[bool, Any]:
    """A Customers sheet made by ``kpi-xl predict`` is predicted again first (its recorded inputs, this
    refresh's as-of date), so goals on the Customers table count the new predictions. (whether it was,
    the warning when it could not be). The prediction saves the workbook: a read-ahead of it is
    closed first (what it read is of the file replaced; Windows cannot replace a file it holds open)."""
    try:
        if not _customers_sheet(path):
            return False, None
        if ahead is not None:
            ahead.close(wait=True)
        from .customers import repredict

        return repredict(path, as_of, backup, progress) is not None, None
    except i18n.MessageError as exc:
        return False, exc  # said in the workbook's language where it is shown
    except WorkbookError as exc:
        return False, str(exc)


def _customers_sheet(path: Path) -> bool:
    """Whether the workbook has a sheet named Customers in some language (the one ``kpi-xl predict``
    makes; :data:`kpi_xl.workbook.customers.SHEET`): only then is the prediction's module loaded
    (with the importer it writes through: ~0.01 s of a refresh with no prediction)."""
    names = {i18n.pgettext("sheet", "Customers", lang) for lang in i18n.languages()}
    with open_package(path) as pkg:
        return any(s.name in names for s in pkg.sheets())


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector paused (as it was after). A refresh holds every cell it read
    as a Python object (100,000 rows: half a million), and each automatic full collection walks them
    all: 0.1-0.2 s of a 1.3 s refresh, for the few reference cycles a refresh makes (freed after)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def refresh(path: str | Path, as_of: dt.date | None = None, backup: bool = True,
            progress: Callable[[str], None] = lambda s: None, ahead: ReadAhead | None = None) -> Report:
    """Refresh the workbook at ``path`` in place; returns what was done. A symbolic link
    is followed: the workbook it points to is refreshed and the link kept. ``ahead``: a
    :class:`~.readahead.ReadAhead` of ``path`` started before this module loaded (the command
    line's); what it read is used only if the file is still the one it read."""
    try:
        with gc_paused():
            return _refresh(path, as_of, backup, progress, ahead)
    finally:
        if ahead is not None:
            ahead.close()


def _refresh(path: str | Path, as_of: dt.date | None, backup: bool, progress: Callable[[str], None],
             ahead: ReadAhead | None = None) -> Report:
    path = Path(path)
    if not path.exists():
        raise WorkbookError(i18n.Message(i18n.N_("{file}: no such file"), file=str(path)).text(i18n.language()))
    path = Path(os.path.realpath(path))
    check_writable(path)  # before any work: a read-only workbook is never replaced
    predicted, predict_problem = _repredict(path, as_of, backup, progress, ahead)
    with workbook_lock(path), open_package(path) as pkg:  # one writer from reading to saving
        lang = sheet_language({s.name for s in pkg.sheets()}) or i18n.language()
        progress(i18n.Message(i18n.N_("opening {file}"), file=path.name).text(lang))
        workbook = FileWorkbook(path, pkg, ahead)
        computed = compute_workbook(workbook, as_of, progress)
        owned, result = computed.owned, computed.result
        keep_notes(owned, kept_notes(pkg, workbook))
        explain_uncomputed_data(pkg, workbook, owned, computed.inputs.goals)
        progress(i18n.gettext(i18n.N_("writing the sheets kpi-xl fills in"), workbook.lang))
        write_owned(pkg, workbook, owned)
        fill_smart_cells(pkg, workbook, owned)
        write_lists(pkg, workbook, computed.inputs.goals)
        write_charts(pkg, workbook, owned)
        formulas = compute_formulas(pkg, workbook, owned_overlay(workbook, owned), result.as_of, progress)
        skipped = formulas.skipped
        unwritten: dict[str, str] = {}
        for sheet, values in formulas.changed.items():
            unwritten.update(_set_formula_results(pkg, sheet, values, workbook.lang))
        for sheet, spills in formulas.spills.items():
            for (r, c), (values, dates, make_array) in spills.items():
                if f"{sheet}!{column_letter(c)}{r}" in unwritten:
                    continue
                blocked = write_spill(pkg, sheet, (r, c), values, dates, make_array)
                if blocked:
                    owned.warnings.append(i18n.at(f"{sheet}!{column_letter(c)}{r}", i18n.Message(i18n.N_(
                        "its result spills over {rows} rows and {columns} columns, but {cell} is not empty; "
                        "empty the cells in the way to see it whole"), rows=len(values),
                        columns=len(values[0]) if values else 1, cell=blocked), workbook.lang))
        for cell, why in unwritten.items():
            owned.warnings.append(i18n.at(cell, i18n.Message(i18n.N_(
                "its computed result could not be stored ({why}); the cell keeps its last value"),
                why=why), workbook.lang))
        if skipped:
            (sheet, r, c), why = next(iter(skipped.items()))
            owned.warnings.append(i18n.Message(i18n.N_(
                "{n} formula(s) not computed (they keep their last value); first {cell}: {why}"), n=len(skipped),
                cell=f"{sheet}!{column_letter(c)}{r}", why=why).text(workbook.lang))
        if predict_problem:
            owned.warnings.append(i18n.text(predict_problem, workbook.lang))
        progress(i18n.gettext(i18n.N_("saving (the previous version is kept as a backup)") if backup else
                              i18n.N_("saving"), workbook.lang))
        if ahead is not None:
            ahead.close(wait=True)  # the thread's handles on the file closed before it is replaced
        pkg.save(path, backup=backup and not predicted)  # after a new prediction, the backup is its
    card = localized(result.scorecard, workbook.lang)
    return Report(path, backup_path(path) if backup else None, result.as_of, workbook.lang, len(card),
                  card["status_label"].value_counts().to_dict(), owned.warnings, card, unwritten,
                  computed.problems, owned.changes or [], owned.worse)


__all__ = ["refresh", "Report", "WorkbookReader", "FileWorkbook", "RefreshInputs", "read_inputs", "ComputedWorkbook",
           "compute_workbook", "FormulaResults", "compute_formulas", "write_owned", "write_charts", "WorkbookError"]
