"""The Customers sheet: predicted customer value from an order table (`kpi-xl predict`, issue 11).

:func:`predict` reads an order table of a kpi-xl workbook (one row per order: customer,
date, amount) with refresh's readers, summarises each customer (:func:`kpi_xl.metrics.clv.rfm_summary`,
in days), fits BG/NBD and Gamma-Gamma, and writes the sheet "Customers" (its name in the
workbook's language), owned by kpi-xl:

* an Excel Table ``Customers`` from A1, one row per customer: orders, first and last
  purchase, frequency, recency, T, mean repeat spend, P(active), expected purchases in the
  next months, predicted CLV with its 90 % interval, and a segment in words;
* to the right of the table (two columns after it) the fitted parameters, the fit date,
  the as-of date, the CLV options and the inputs used (order table and its three columns);
* three columns further right the holdout check (BG/NBD fitted on the first two thirds of
  the history, predicted vs actual purchases in the last third per frequency bucket, with
  the error and bias figures) and the CLV by segment; below both, their two native charts
  side by side, and under the charts the notes (what the data could not tell, no sign of
  customers leaving, the Gamma-Gamma independence warning, customers left out of the spend
  model), wrapped onto rows so that they read and print whole;
* a print area: that block, the checks, charts and notes on one landscape page, then the
  table's first :data:`PRINTED_CUSTOMERS` rows.

The table's first :data:`HEAD_ROWS` rows are written cell by cell with the blocks beside them; the
others in one pass (:mod:`kpi_xl.workbook.package.bulk`), after the sheet is cut to its header row.

The P(active) and CLV cells are formulas, ``=P_ALIVE(...)`` and ``=CLV_PREDICT(...)`` on the
row's cells and the parameter cells (all arguments written out, so that Excel recomputes them
when any of those cells changes), with their values cached: change the margin or the discount
rate beside the table and Excel (with the add-in) or ``kpi-xl refresh`` recomputes them.

The parameter cells beside the table are the fitted models: predict points the workbook-scoped
defined names :data:`kpi_xl.functions.registry.CLV_MODEL_NAMES` (``CLV_r`` ... ``CLV_v``) at
them, so a formula anywhere in the workbook may leave the parameters out (``=P_ALIVE(E2, F2,
G2)``) and use this fit; and the Settings sheet (when the workbook has one) shows them with the
fit date and the as-of date, as formulas on those cells (:func:`_write_settings`). ``kpi-xl refresh`` predicts again
first (:func:`repredict`, with the inputs recorded in the block and the refresh's as-of date), and a
new predict replaces the table's rows, the block, the tables and the charts beside it.

The sheet is written as an import writes a table (:func:`kpi_xl.workbook.importing.write_table`):
under the workbook's lock, saved atomically, the previous version kept as ``NAME.bak.xlsx``. The
sheet is kpi-xl's: a new predict rewrites everything below its header row.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import i18n
from ..excel import cell_ref, column_letter, split_ref
from ..goals.data import DataError, read_dates
from ..i18n import N_, NC_, Message
from .importing import write_table
from .language import workbook_language
from .package import KeptCell, WorkbookError, backup_path, open_package, workbook_lock
from .package.atomic import check_writable
from .package.tables import add_widths, builtin_number_style
from .refresh import FileWorkbook
from .sources import read_source

SHEET = NC_("sheet", "Customers")
MONTHS = 12
DISCOUNT_RATE = 0.01
MARGIN = 1.0
LOW_P_ALIVE = 0.5  # "at risk": a high-value customer less likely than this to be active
LOST_P_ALIVE = 0.1  # "lost": less likely than this to be active
CORRELATION_WARNING = 0.3
LABEL_ROOM = 1.4  # the CLV chart's axis runs this much past its longest bar, whose label goes there
HOLDOUT_SHARE = 1 / 3  # the holdout check keeps the last third of the history aside
MIN_HOLDOUT_DAYS = 28
MONEY_FORMAT, PERCENT_FORMAT = 4, 10  # Excel's built-in #,##0.00 and 0.00 %
PARAMETER_FORMAT = "#,##0.0000"  # the fitted parameters: four decimals, not the eleven of General

#: The Customers table's columns, in order: key → header (translated).
COLUMNS = {
    "customer": N_("Customer"), "orders": N_("Orders"), "first": N_("First purchase"),
    "last": N_("Last purchase"), "frequency": N_("Frequency"), "recency": N_("Recency (days)"),
    "T": N_("Age T (days)"), "monetary": N_("Mean repeat spend"), "p_alive": N_("P(active)"),
    "expected": N_("Expected purchases"), "clv": N_("Predicted CLV"), "clv_low": N_("CLV low"),
    "clv_high": N_("CLV high"), "segment": N_("Segment"),
}
SEGMENTS = {"top": N_("Top 20 % by CLV"), "at_risk": N_("At risk: high value, low P(active)"),
            "lost": N_("Lost"), "other": N_("Other")}
#: Headers a column is guessed from (any case, spaces, _ and - ignored), in every language.
GUESSES = {
    "customer": (N_("Customer"), N_("Customer ID"), N_("Customer name"), N_("Client"), N_("Client ID"),
                 N_("Member ID"), N_("Buyer")),
    "date": (N_("Date"), N_("Order date"), N_("Purchase date"), N_("Transaction date"), N_("Invoice date")),
    "value": (N_("Amount"), N_("Order value"), N_("Revenue"), N_("Sales"), N_("Total"), N_("Spend"), N_("Value")),
}
WHAT = {"customer": N_("the customer"), "date": N_("the order date"), "value": N_("the amount")}
OPTION = {"customer": "--customer", "date": "--date", "value": "--value"}
#: The block beside the table: label → key in the parameters.
PARAMETERS = (("r", "r"), ("alpha", "alpha"), ("a", "a"), ("b", "b"), ("p", "p"), ("q", "q"), ("v", "v"))


class PredictError(WorkbookError):  # a MessageError
    """An order table predict cannot use; the words name the table, column or cell."""


@dataclass(frozen=True)
class PredictReport:
    """What a predict did."""

    path: Path
    sheet: str
    table: str  # the order table read
    columns: tuple[str, str, str]  # the customer, date and amount columns used
    customers: int
    orders: int
    as_of: dt.date
    params: dict[str, float] = field(default_factory=dict)  # empty when the models could not be fitted
    notes: list[str] = field(default_factory=list)  # in the workbook's language
    backup: Path | None = None
    lang: str = "en"


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(header)).casefold()


def guess_column(columns: list[str], what: str, table: str, given: str | None = None) -> str:
    """The table column holding ``what`` ("customer", "date" or "value"): ``given`` (any case), else
    the one column whose header is a usual name for it in any language; refused in words when
    none or several are."""
    names = [str(c) for c in columns]
    if given is not None:
        found = [c for c in names if _key(c) == _key(given)]
        if not found:
            raise PredictError(Message(N_("table {table} has no column '{column}' (its columns: {columns})"),
                                       table=table, column=given, columns=i18n.Join(names)))
        return found[0]
    wanted = {_key(i18n.gettext(g, lang)) for g in GUESSES[what] for lang in i18n.languages()}
    found = [c for c in names if _key(c) in wanted]
    if len(found) == 1:
        return found[0]
    why = (N_("which column of table {table} holds {what}? Its columns: {columns}; name it with {option}")
           if not found else
           N_("columns {found} of table {table} could each hold {what}; name one with {option}"))
    raise PredictError(Message(why, table=table, what=Message(WHAT[what]), columns=i18n.Join(names),
                               found=i18n.Join(found), option=OPTION[what]))


@dataclass
class _Orders:
    customer: np.ndarray
    date: np.ndarray  # datetime64[D]
    value: np.ndarray


def _read_orders(workbook: FileWorkbook, table: str, customer: str | None, date: str | None,
                 value: str | None) -> tuple[_Orders, str, tuple[str, str, str]]:
    info = workbook.tables.get(table.lower()) or next(
        (t for t in workbook.tables.values() if t.sheet.casefold() == table.casefold()), None)
    if info is None:
        raise PredictError(Message(N_("{book}: no table named {table} (its tables: {tables}); name the order "
                                      "table with --table"), book=str(workbook.path), table=table,
                                   tables=i18n.Join(t.display_name for t in workbook.tables.values())))
    _info, df = workbook.table(info.display_name)
    name = info.display_name
    cols = [guess_column(list(df.columns), w, name, g)
            for w, g in (("customer", customer), ("date", date), ("value", value))]
    r1 = split_ref(info.ref.split(":")[0])[0] + info.header_row_count
    c1 = split_ref(info.ref.split(":")[0])[1]
    where = lambda i, col: f"{info.sheet}!{cell_ref(r1 + i, c1 + list(df.columns).index(col))}"  # noqa: E731

    ids = df[cols[0]]
    text = ids.astype(str).str.strip() if ids.dtype == object else None  # once: 1,000,000 ids take seconds
    blank = ids.isna() | ((text == "") if text is not None else False)
    df = df[~blank]  # rows without a customer (totals, blank rows) are not orders
    if df.empty:
        raise PredictError(Message(N_("table {table} has no orders with a customer in column {column}"),
                                   table=name, column=cols[0]))
    try:
        dates = read_dates(df[cols[1]], workbook.epoch, table=name, column=cols[1])
    except DataError as exc:
        if exc.row is not None and exc.problem is not None:
            raise PredictError(Message(N_("{cell}: {problem}"), cell=where(exc.row - 1, cols[1]),
                                       problem=exc.problem)) from None
        raise
    if dates.isna().any():
        i = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise PredictError(Message(N_("{cell}: an order without a date"), cell=where(int(df.index[i]), cols[1])))
    amounts = pd.to_numeric(df[cols[2]], errors="coerce")
    if amounts.isna().any():
        i = int(np.flatnonzero(amounts.isna().to_numpy())[0])
        raise PredictError(Message(N_("{cell}: '{value}' is not an amount"), cell=where(int(df.index[i]), cols[2]),
                                   value=df[cols[2]].iloc[i]))
    ids = df[cols[0]]
    if text is not None:  # text ids, or a column of numbers and text (23569 and "00004"): all as text,
        # whole numbers without ".0" (as the cell shows them)
        whole = ids.map(lambda v: isinstance(v, float) and v.is_integer())
        ids = text[~blank]
        if whole.any():
            ids[whole] = ids[whole].str.removesuffix(".0")
    orders = _Orders(ids.to_numpy(), dates.to_numpy().astype("datetime64[D]"), amounts.to_numpy(dtype=np.float64))
    return orders, name, tuple(cols)


@dataclass
class Prediction:
    """Each customer's row (by :data:`COLUMNS` key), the fitted parameters and the notes."""

    columns: dict[str, np.ndarray]
    params: dict[str, float]
    notes: list[Message]
    orders: int
    holdout: Any = None  # a kpi_xl.metrics.clv.HoldoutCheck, None when there was none
    holdout_from: dt.date | None = None  # the first day of the holdout period


def compute(orders: _Orders, as_of: dt.date, months: int = MONTHS, discount_rate: float = DISCOUNT_RATE,
            margin: float = MARGIN) -> Prediction:
    """The Customers table's columns from the orders up to ``as_of`` (the models fitted in days)."""
    from ..metrics import clv as cl

    keep = orders.date <= np.datetime64(as_of, "D")
    if not keep.any():
        raise PredictError(Message(N_("no orders on or before {date}"), date=as_of))
    # the customers numbered once (one sort of their ids); the summaries then work on those numbers
    names, codes = np.unique(orders.customer[keep], return_inverse=True)
    codes = codes.reshape(-1).astype(np.int64)
    coded = _Orders(codes, orders.date[keep], orders.value[keep])
    rfm = cl.rfm_summary(coded.customer, coded.date, coded.value, as_of=np.datetime64(as_of, "D"))
    counts = np.bincount(codes, minlength=len(names))
    n = len(rfm)
    blank = np.full(n, np.nan)
    cols: dict[str, Any] = {
        "customer": names[rfm.customer], "orders": counts[rfm.customer],
        "first": rfm.first, "last": rfm.last, "frequency": rfm.frequency, "recency": rfm.recency, "T": rfm.T,
        "monetary": rfm.monetary, "p_alive": blank, "expected": blank, "clv": blank, "clv_low": blank,
        "clv_high": blank,
    }
    notes: list[Message] = []
    params: dict[str, float] = {}
    try:
        bg = cl.BetaGeo().fit(rfm)
    except cl.NotIdentifiedError as exc:
        notes.append(Message(N_("No predictions: the purchase model cannot be fitted to these orders ({why})."),
                             why=exc))
        bg = None
    if bg is not None:
        params.update(bg.params_)
        if not bg.shows_dropout_:
            notes.append(Message(N_("The orders show no sign of customers leaving: a model in which nobody ever "
                                    "leaves fits them as well, so P(active) is close to 100 % for everyone and "
                                    "the parameters a and b mean nothing on their own. Trust P(active) only "
                                    "with a longer history.")))
        cols["p_alive"] = bg.p_alive(rfm.frequency, rfm.recency, rfm.T)
        cols["expected"] = bg.expected_purchases(months * cl.value.DAYS_PER_MONTH, rfm.frequency, rfm.recency,
                                                 rfm.T).reshape(-1)
    try:  # the spend model and its checks, also when the purchase model could not be fitted
        gg = cl.GammaGamma().fit(rfm)
        gg.expected_spend(rfm.frequency[:1], rfm.monetary[:1])  # q <= 1 is refused here
    except cl.NotIdentifiedError as exc:
        if bg is not None:
            notes.append(Message(N_("No CLV: the spend model cannot be fitted to these orders ({why})."),
                                 why=exc))
        gg = None
    if gg is not None:
        params.update(gg.params_)
        left = gg.left_out_["zero or negative spend"]
        if left:
            notes.append(Message(N_("{n} customers with repeat purchases of zero or negative total spend are "
                                    "left out of the spend model; their CLV is blank."), n=left))
        if abs(gg.correlation_) > CORRELATION_WARNING:
            notes.append(Message(N_("Spend per purchase and number of purchases are correlated ({corr:.2f}); "
                                    "the spend model assumes they are independent, so treat the CLV figures "
                                    "with caution."), corr=gg.correlation_))
    if bg is not None and gg is not None:
        used = (rfm.frequency == 0) | (rfm.monetary > 0)
        args = (rfm.frequency[used], rfm.recency[used], rfm.T[used], rfm.monetary[used])
        options = dict(months=months, discount_rate=discount_rate, margin=margin)
        value = np.full(n, np.nan)
        value[used] = cl.clv(bg, gg, *args, **options)
        low, high = np.full(n, np.nan), np.full(n, np.nan)
        low[used], high[used] = cl.clv_interval(bg, gg, *args, **options)
        cols.update(clv=value, clv_low=low, clv_high=high)
    unknown = int((~np.isfinite(np.asarray(cols["expected"], dtype=float))).sum()) if bg is not None else 0
    if unknown:
        notes.append(Message(N_("The expected purchases of {n} customers could not be computed from the fitted "
                                "parameters; their predictions are blank."), n=unknown))
    cols["segment"] = _segments(cols["clv"], cols["p_alive"], rfm.monetary * rfm.frequency)
    check, start = _holdout(cl, coded, np.ones(len(codes), dtype=bool), as_of, notes) if bg is not None else (None, None)
    return Prediction(cols, params, notes, int(keep.sum()), check, start)


def _holdout(cl, orders: _Orders, keep: np.ndarray, as_of: dt.date, notes: list[Message]):
    """The holdout check (FHL 2005 Figure 4): BG/NBD fitted on the orders before the last
    :data:`HOLDOUT_SHARE` of the history, its predictions over that last part against the purchases
    made in it, per number of repeat purchases before it. (None, None), with a note, when the
    history is too short or the earlier orders cannot identify the model."""
    first = orders.date[keep].min().astype(dt.date)
    days = (as_of - first).days
    length = int(days * HOLDOUT_SHARE)
    if length < MIN_HOLDOUT_DAYS:
        notes.append(Message(N_("No holdout check: the history ({days} days) is too short to keep its last "
                                "third aside."), days=days))
        return None, None
    start = as_of - dt.timedelta(days=length)
    split = cl.holdout_split(orders.customer[keep], orders.date[keep], None,
                             calibration_end=np.datetime64(start - dt.timedelta(days=1), "D"),
                             observation_end=np.datetime64(as_of, "D"))
    try:
        model = cl.BetaGeo().fit(split.calibration)
    except cl.NotIdentifiedError as exc:
        notes.append(Message(N_("No holdout check: the orders before {date} cannot identify the purchase "
                                "model ({why})."), date=start, why=exc))
        return None, None
    return cl.holdout_check(model, split), start


def segment_totals(prediction: Prediction) -> list[tuple[str, int, float]]:
    """Each segment (in :data:`SEGMENTS` order): its customers and their total predicted CLV."""
    seg = np.asarray(prediction.columns["segment"])
    value = np.nan_to_num(np.asarray(prediction.columns["clv"], dtype=float))
    return [(key, int((seg == key).sum()), float(value[seg == key].sum())) for key in SEGMENTS]


def _segments(clv: np.ndarray, p_alive: np.ndarray, past_value: np.ndarray) -> np.ndarray:
    """Top 20 % by predicted CLV; at risk (past repeat spend in the top 20 %, P(active) below 0.5);
    lost (P(active) below 0.1); other."""
    out = np.full(len(clv), "other", dtype=object)
    if np.isnan(p_alive).all():
        return out
    lost = p_alive < LOST_P_ALIVE
    out[lost] = "lost"
    high = past_value >= np.quantile(past_value, 0.8) if len(past_value) else past_value
    out[(past_value > 0) & high & (p_alive < LOW_P_ALIVE)] = "at_risk"
    if not np.isnan(clv).all():
        cut = np.nanquantile(clv, 0.8)
        out[np.nan_to_num(clv, nan=-np.inf) >= cut] = "top"
    return out


def predict(book: str | os.PathLike, table: str = "Orders", *, customer: str | None = None, date: str | None = None,
            value: str | None = None, as_of: dt.date | None = None, months: int = MONTHS,
            discount_rate: float = DISCOUNT_RATE, margin: float = MARGIN, backup: bool = True,
            progress: Callable[[str], None] | None = None) -> PredictReport:
    """Write the Customers sheet of ``book`` from its order table ``table`` (see the module's text)."""
    lang = i18n.language()
    path = Path(book)
    if not path.exists():
        raise WorkbookError(Message(N_("{file}: no such file"), file=str(path)).text(lang))
    if not (isinstance(months, int) and months >= 1):
        raise PredictError(Message(N_("months must be a whole number, 1 or more (got {months})"), months=months))
    path = Path(os.path.realpath(path))
    check_writable(path)
    lang = workbook_language(path)
    if as_of is None:
        from .refresh import settings_as_of  # the workbook's as-of date, as the scorecard's

        as_of = settings_as_of(path)
    when = as_of

    def say(msg: Message) -> None:
        if progress is not None:
            progress(msg.text(lang))

    try:
        with workbook_lock(path), open_package(path) as pkg:
            say(Message(N_("reading the orders of {table}"), table=table))
            orders, name, used = _read_orders(FileWorkbook(path, pkg), table, customer, date, value)
            say(Message(N_("fitting the models on {n:,} orders"), n=len(orders.value)))
            result = compute(orders, when, months, discount_rate, margin)
            sheet = i18n.pgettext("sheet", SHEET, lang)
            n = len(result.columns["customer"])
            say(Message(N_("writing {n:,} customers into sheet {sheet}"), n=n, sheet=sheet))
            # the first rows with the blocks beside them cell by cell on a sheet cut to its header row,
            # then the other rows in one pass
            head = HEAD_ROWS
            old = next((t for t in pkg.tables() if t.display_name.casefold() == sheet.casefold()
                        or t.sheet == sheet), None)
            fast = old is None or (old.ref.upper().startswith("A1:") and _truncate(pkg, old.sheet))
            if not fast:
                head = n
            info, _added, _created = write_table(pkg, sheet, read_source(_frame(result, lang, head)), "replace")
            block = _write_block(pkg, info, result, when, months, discount_rate, margin, lang, (name, *used), head)
            _write_names(pkg, info)
            _write_settings(pkg, info, result, when, lang)
            bottom = _write_checks(pkg, info, result, lang, block)
            bottom = _write_notes(pkg, info, result, lang, bottom + 2)
            if n > head:
                if bottom > head + 1:  # pragma: no cover - HEAD_ROWS is far below any block
                    raise WorkbookError(f"{sheet}: the notes reach row {bottom}, below the first {head} rows")
                _write_rest(pkg, info, result, lang, head)
                info = next(t for t in pkg.tables() if t.display_name == info.display_name)
            _set_print(pkg, info, n, bottom)
            pkg.save(path, backup=backup)
    except i18n.MessageError as exc:
        raise PredictError(exc.text(lang)) from None
    return PredictReport(path, info.sheet, name, used, n, result.orders, when, result.params,
                         [m.text(lang) for m in result.notes], backup_path(path) if backup else None, lang)


def _truncate(pkg, sheet: str) -> bool:
    from .package.bulk import truncate

    return truncate(pkg, sheet)


def _frame(result: Prediction, lang: str, head: int) -> pd.DataFrame:
    """The table's first ``head`` rows as the import writes them."""
    cols = {k: v[:head] for k, v in result.columns.items()}
    cols["first"] = pd.to_datetime(cols["first"]).to_pydatetime()
    cols["last"] = pd.to_datetime(cols["last"]).to_pydatetime()
    cols["segment"] = [i18n.gettext(SEGMENTS[s], lang) for s in cols["segment"]]
    cols["customer"] = cols["customer"].tolist()
    return pd.DataFrame({i18n.gettext(COLUMNS[k], lang): (np.asarray(cols[k], dtype=object)
                                                         if k in ("first", "last") else cols[k])
                         for k in COLUMNS})


#: The inputs recorded in the block (after the options), so that refresh can predict again.
INPUTS = (N_("Order table"), N_("Customer column"), N_("Date column"), N_("Amount column"))


def _formulas(info, result: Prediction) -> tuple[Callable[[int], str | None], Callable[[int], str | None]]:
    """The P(active) and CLV formulas of a table row (1-based) on the row's cells and the parameter
    cells beside the table; None where the model they apply was not fitted."""
    (r1, c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    value_col = column_letter(c2 + 3)
    keys = list(COLUMNS)
    ref = {key: f"${value_col}${r1 + 1 + i}" for i, (_l, key) in enumerate(PARAMETERS)}
    option = {k: f"${value_col}${r1 + 10 + i}" for i, k in enumerate(("months", "d", "m"))}
    col = {k: column_letter(c1 + keys.index(k)) for k in keys}
    bg = ",".join(ref[k] for k in ("r", "alpha", "a", "b"))
    gg = ",".join(ref[k] for k in ("p", "q", "v"))
    fitted_bg, fitted_gg = bool(result.params.get("r")), "p" in result.params
    hist = lambda row: f"{col['frequency']}{row},{col['recency']}{row},{col['T']}{row}"  # noqa: E731

    def p_alive(row: int) -> str | None:
        return f"P_ALIVE({hist(row)},{bg})" if fitted_bg else None

    def clv(row: int) -> str | None:
        return (f"CLV_PREDICT({hist(row)},{col['monetary']}{row},{option['months']},{option['d']},{option['m']},"
                f"{bg},{gg})" if fitted_bg and fitted_gg else None)

    return p_alive, clv


def _parameter_cells(info) -> dict[str, str]:
    """The block's cells beside the table (absolute, on its sheet) by :data:`PARAMETERS` key, and
    "fit_date" and "as_of"."""
    (r1, _c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    quoted = "'" + info.sheet.replace("'", "''") + "'"
    keys = [key for _l, key in PARAMETERS] + ["fit_date", "as_of"]
    return {key: f"{quoted}!${column_letter(c2 + 3)}${r1 + 1 + i}" for i, key in enumerate(keys)}


def _write_names(pkg, info) -> None:
    """The defined names of the fitted parameters (``CLV_r`` ...), pointing at the block's cells:
    P_ALIVE and CLV_PREDICT read them for the parameters a formula leaves out."""
    from ..functions.registry import CLV_MODEL_NAMES
    from .package.names import set_defined_names

    cells = _parameter_cells(info)
    set_defined_names(pkg, {name: cells[key] for key, name in CLV_MODEL_NAMES.items()})


#: The Settings sheet's block of the fitted models: its title (found again by it, in column A).
SETTINGS_TITLE = N_("Customer-value model (kpi-xl predict)")
#: What a parameter the orders could not fit reads as on the Settings sheet (its cell, a formula on
#: the blank cell beside the Customers table, is 0: no fitted parameter is ever 0).
NOT_FITTED = N_("not fitted")


def settings_parameter_format(lang: str) -> str:
    """The Settings sheet's parameters: four decimals as beside the table, and 0 (a parameter not
    fitted) as the words "not fitted" in the workbook's language."""
    words = i18n.gettext(NOT_FITTED, lang).replace('"', "")
    return f'{PARAMETER_FORMAT};-{PARAMETER_FORMAT};"{words}"'


def _write_settings(pkg, info, result: Prediction, when: dt.date, lang: str) -> None:
    """The fitted parameters, the fit date and the as-of date on the Settings sheet (columns A:B, below
    the settings), as formulas on the parameter names and the block's cells with their values cached:
    one source, the block beside the Customers table. The block goes where an earlier predict put it
    (found by its title), else two rows below the last filled cell of columns A:B; nothing the user
    wrote is overwritten (no Settings sheet: nothing is written)."""
    from ..functions.registry import CLV_MODEL_NAMES
    from . import layout
    from .package.spills import write_block
    from .package.styles import code_style, date_style

    sheet = layout.sheet("settings", lang)
    if sheet not in {s.name for s in pkg.sheets() if s.kind == "worksheet"}:
        return
    t = lambda s_: i18n.gettext(s_, lang)  # noqa: E731
    cells = pkg.read_cells(sheet)
    title = t(SETTINGS_TITLE)
    found = [r for (r, c), cell in cells.items() if c == 1 and cell.value == title]
    used = [r for (r, c), cell in cells.items() if c <= 2 and (cell.value not in (None, "") or cell.formula)]
    top = min(found) if found else max(used, default=0) + 2
    fit_date = dt.datetime.combine(dt.date.today(), dt.time())
    refs = _parameter_cells(info)
    rows: list[list[Any]] = [[title, None]]
    # a parameter not fitted: its cell beside the table is blank, the formula here 0 (as Excel computes it)
    rows += [[label, KeptCell(result.params.get(key, 0.0), CLV_MODEL_NAMES[key])] for label, key in PARAMETERS]
    rows += [[t(N_("Fit date")), KeptCell(fit_date, refs["fit_date"])],
             [t(N_("As of")), KeptCell(dt.datetime.combine(when, dt.time()), refs["as_of"])],
             [Message(N_("Fitted on sheet {sheet}; P_ALIVE and CLV_PREDICT use these when their parameters "
                         "are left out."), sheet=info.sheet).text(lang), None]]
    # the numbers with four decimals (not the fourteen of General) and the dates as dates, not in the
    # column's text format (a formula typed again into a text cell stays text in Excel)
    # in the font of the settings' values (the column's), not the workbook's default
    shown, dates = code_style(pkg, settings_parameter_format(lang), pkg.column_style(sheet, 2)), date_style(pkg)
    row_styles = [None] + [[None, shown]] * len(PARAMETERS) + [[None, dates]] * 2 + [None]
    write_block(pkg, sheet, (top, 1), rows, row_styles)


#: Table rows written with the block and the checks beside them (cell by cell); the rows below are
#: written in one pass (:func:`_write_rest`). The block, checks, charts and notes end well above.
HEAD_ROWS = 200


def _write_rest(pkg, info, result: Prediction, lang: str, head: int) -> None:
    """The table's rows after the first ``head``, all columns at once (:mod:`.package.bulk`), in the
    formats the first rows got."""
    from .package.bulk import Column, append_columns

    (r1, c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    c = {k: v[head:] for k, v in result.columns.items()}
    if not len(c["customer"]):
        return
    last = pkg.read_cells(info.sheet, r1 + head, r1 + head)
    money, percent = builtin_number_style(pkg, MONEY_FORMAT), builtin_number_style(pkg, PERCENT_FORMAT)
    fixed = {"monetary": money, "p_alive": percent, "expected": money, "clv": money, "clv_low": money,
             "clv_high": money}
    keys = list(COLUMNS)
    style = {k: fixed.get(k, last[(r1 + head, c1 + j)].style if (r1 + head, c1 + j) in last else None)
             for j, k in enumerate(keys)}
    p_alive_f, clv_f = _formulas(info, result)
    clv_ok = np.isfinite(np.asarray(c["clv"], dtype=float))
    first = r1 + head + 1  # the sheet row of c's first values
    ids = np.asarray(c["customer"])
    labels = {k: i18n.gettext(v, lang) for k, v in SEGMENTS.items()}
    columns = {
        "customer": Column(ids, "number" if ids.dtype.kind in "iuf" else "text"),
        "first": Column(c["first"], "date"), "last": Column(c["last"], "date"),
        "segment": Column([labels[s] for s in c["segment"]], "text"),
        "p_alive": Column(c["p_alive"], "formula", formula=lambda rows: [p_alive_f(r) for r in rows.tolist()])
        if p_alive_f(0) else Column(c["p_alive"]),
        "clv": Column(c["clv"], "formula", formula=lambda rows: [clv_f(r) if clv_ok[r - first] else None
                                                                for r in rows.tolist()])
        if clv_f(0) else Column(c["clv"]),
    }
    cols = []
    for k in keys:
        col = columns.get(k) or Column(c[k])
        col.style = style[k]
        cols.append(col)
    append_columns(pkg, info.sheet, r1 + head + 1, c1, cols)
    from .package.tables import resize_table

    resize_table(pkg, info.part, f"{column_letter(c1)}{r1}:{column_letter(c2)}{r1 + len(result.columns['customer'])}")


def _write_block(pkg, info, result: Prediction, when: dt.date, months: int, discount_rate: float,
                 margin: float, lang: str, inputs: tuple[str, str, str, str], head: int) -> int:
    """The parameters beside the table, and the P(active) / CLV formulas on them in the table's first
    ``head`` rows; returns the block's number of rows."""
    (r1, c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    label_col = c2 + 2
    t = lambda s: i18n.gettext(s, lang)  # noqa: E731
    rows: list[list[Any]] = [[t(N_("Fitted model")), None]]
    rows += [[label, result.params.get(key)] for label, key in PARAMETERS]
    rows += [[t(N_("Fit date")), dt.datetime.combine(dt.date.today(), dt.time())],
             [t(N_("As of")), dt.datetime.combine(when, dt.time())],
             [t(N_("Months ahead")), months], [t(N_("Discount rate per month")), discount_rate],
             [t(N_("Margin")), margin], [t(N_("Time unit")), t(N_("days"))]]
    rows += [[t(label), value] for label, value in zip(INPUTS, inputs)]
    from .package.styles import code_style, date_style

    dates = date_style(pkg)
    fitted = code_style(pkg, PARAMETER_FORMAT)  # the cells keep every digit; they show four decimals
    row_styles = [[None, dates] if isinstance(r[1], dt.datetime) else
                  [None, fitted] if 1 <= i <= len(PARAMETERS) else None for i, r in enumerate(rows)]
    pkg.write_region(info.sheet, r1, label_col, label_col + 1, rows, None, row_styles)
    block_rows = len(rows)
    add_widths(pkg, info.sheet, {label_col: 24, label_col + 1: 14})
    money, percent = builtin_number_style(pkg, MONEY_FORMAT), builtin_number_style(pkg, PERCENT_FORMAT)
    keys = list(COLUMNS)
    n = min(len(result.columns["customer"]), head)
    p_alive_f, clv_f = _formulas(info, result)
    number = lambda v: None if np.isnan(v) else float(v)  # noqa: E731
    c = result.columns
    # the six number columns (mean repeat spend .. CLV high) of the first rows (the others: _write_rest):
    # their formats, and P(active) and CLV as formulas on the row's cells and the parameter cells,
    # their values cached
    rows = []
    for i in range(n):
        row = r1 + 1 + i
        form = p_alive_f(row)
        p_alive = KeptCell(float(c["p_alive"][i]), form) if form else None
        form = clv_f(row) if not np.isnan(c["clv"][i]) else None
        clv = KeptCell(float(c["clv"][i]), form) if form else None
        rows.append([number(c["monetary"][i]), p_alive, number(c["expected"][i]), clv,
                     number(c["clv_low"][i]), number(c["clv_high"][i])])
    first, last = c1 + keys.index("monetary"), c1 + keys.index("clv_high")
    assert keys[keys.index("monetary"):keys.index("clv_high") + 1] == ["monetary", "p_alive", "expected", "clv",
                                                                      "clv_low", "clv_high"]
    pkg.write_region(info.sheet, r1 + 1, first, last, rows, [money, percent, money, money, money, money])
    return block_rows


#: The holdout table's and the segment table's headers, beside the parameter block.
HOLDOUT_HEADERS = (N_("Repeat purchases before the holdout"), N_("Customers"), N_("Actual per customer"),
                   N_("Predicted per customer"))
SEGMENT_HEADERS = (N_("Segment"), N_("Customers"), N_("Predicted CLV"))


#: Characters per line of a note (its words wrapped onto rows that the page is wide enough for).
NOTE_WIDTH = {"en": 120}
NOTE_WIDTH_WIDE = 60  # languages written in wide characters (zh-TW)


def _write_notes(pkg, info, result: Prediction, lang: str, top: int) -> int:
    """The notes in words under the charts, from row ``top``: "Notes" in the parameter block's label
    column and each note's text beside it, wrapped onto as many rows as it needs so that it reads
    (and prints) whole; returns the last row written."""
    import textwrap

    (_r1, _c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    label_col = c2 + 2
    width = NOTE_WIDTH.get(lang, NOTE_WIDTH_WIDE)
    lines = [line for m in result.notes for line in textwrap.wrap(m.text(lang), width)] or [
        i18n.gettext(N_("none"), lang)]
    rows = [[i18n.gettext(N_("Notes"), lang) if i == 0 else None, line] for i, line in enumerate(lines)]
    pkg.write_region(info.sheet, top, label_col, label_col + 1, rows)
    return top + len(rows) - 1


#: Customers printed with the model and its checks (printing 200,000 rows helps nobody: the rest
#: are on the sheet).
PRINTED_CUSTOMERS = 50


def _set_print(pkg, info, customers: int, bottom: int) -> None:
    """What printing the sheet prints, landscape and as wide as the page: the parameter block, the
    checks and their charts (rows 1..``bottom``), then the table's first :data:`PRINTED_CUSTOMERS` rows."""
    from .package.printing import set_print

    (r1, c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    side = f"${column_letter(c2 + 2)}${r1}:${column_letter(c2 + 8)}${bottom}"
    table = f"${column_letter(c1)}${r1}:${column_letter(c2)}${r1 + min(customers, PRINTED_CUSTOMERS)}"
    set_print(pkg, info.sheet, [side, table])


def _write_checks(pkg, info, result: Prediction, lang: str, block_rows: int) -> int:
    """The holdout check (predicted vs actual purchases per frequency bucket, with its error figures)
    and the CLV by segment, as two small tables three columns right of the parameter block, each
    with their charts side by side below these tables and the parameter block (so that the block,
    the checks and the charts print on one landscape page; :mod:`kpi_xl.workbook.package.drawings`).
    Returns the last row (1-based) the charts reach."""
    from .package.drawings import Chart, set_charts
    from .package.styles import date_style

    (r1, _c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
    left = c2 + 5  # 1-based: table, blank, labels, values, blank, these tables
    t = lambda s: i18n.gettext(s, lang)  # noqa: E731
    money, percent = builtin_number_style(pkg, MONEY_FORMAT), builtin_number_style(pkg, PERCENT_FORMAT)
    two = builtin_number_style(pkg, 2)  # 0.00
    check = result.holdout
    rows: list[list[Any]] = [[t(h) for h in HOLDOUT_HEADERS]]
    styles: list[Any] = [None]
    if check is None:
        rows.append([t(N_("no holdout check (see the notes)")), None, None, None])
        styles.append(None)
    else:
        for label, n, actual, predicted in zip(check.frequency, check.customers, check.actual, check.predicted):
            rows.append([label, int(n), None if np.isnan(actual) else float(actual),
                         None if np.isnan(predicted) else float(predicted)])
            styles.append([None, None, two, two])
        rows += [[None] * 4, [t(N_("Holdout from")), dt.datetime.combine(result.holdout_from, dt.time()), None, None],
                 [t(N_("Mean absolute error per customer")), check.mae, None, None],
                 [t(N_("Root mean square error per customer")), check.rmse, None, None],
                 [t(N_("Bias (predicted total / actual total - 1)")), None if np.isnan(check.bias) else check.bias,
                  None, None]]
        styles += [None, [None, date_style(pkg)], [None, two], [None, two], [None, percent]]
    n_buckets = 0 if check is None else len(check.frequency)
    rows.append([None] * 4)
    styles.append(None)
    seg_top = len(rows)
    rows.append([t(h) for h in SEGMENT_HEADERS] + [None])
    styles.append(None)
    totals = segment_totals(result)
    for key, n, value in totals:
        rows.append([t(SEGMENTS[key]), n, value, None])
        styles.append([None, None, money])
    pkg.write_region(info.sheet, r1, left, left + 3, rows, None, styles)
    add_widths(pkg, info.sheet, {left: 36, left + 1: 12, left + 2: 22, left + 3: 22})

    # the charts' data are those cells; their cached values are the same numbers
    c0 = left - 1  # 0-based
    cells = {(r1 - 1 + i, c0 + j): v for i, row in enumerate(rows) for j, v in enumerate(row)
             if v is not None and not isinstance(v, dt.datetime)}
    sheet = info.sheet
    rng = lambda col, a, b: [sheet, r1 - 1 + a, c0 + col, r1 - 1 + b, c0 + col]  # noqa: E731
    charts = []
    below = r1 + max(len(rows), block_rows)  # one blank row under the longer of the two
    holdout_col = c0 - 3  # the parameter block's label column (0-based): the wider chart goes right
    if n_buckets:
        charts.append(Chart(
            {"type": "column"},
            [{"name": t(HOLDOUT_HEADERS[2]), "categories": rng(0, 1, n_buckets), "values": rng(2, 1, n_buckets),
              "fill": {"color": "#7F7F7F"}},
             {"name": t(HOLDOUT_HEADERS[3]), "categories": rng(0, 1, n_buckets), "values": rng(3, 1, n_buckets),
              "fill": {"color": "#4472C4"}}],
            t(N_("Holdout check: predicted vs actual purchases")), below, holdout_col, width=330, height=220,
            x_title=t(HOLDOUT_HEADERS[0]), y_title=t(N_("Purchases per customer")), y_format="0.0"))
    charts.append(Chart(  # bars across: the segments' long names read level beside them
        {"type": "bar"},
        [{"name": t(SEGMENT_HEADERS[2]), "categories": rng(0, seg_top + 1, seg_top + len(totals)),
          "values": rng(2, seg_top + 1, seg_top + len(totals)), "fill": {"color": "#4472C4"},
          "data_labels": {"value": True, "num_format": "#,##0", "fill": {"color": "#FFFFFF"}}}],
        t(N_("Predicted CLV by segment")), below, c0, y_format="#,##0", width=420, height=220, reverse=True,
        y_scale=label_room(max((value for _k, _n, value in totals), default=0.0))))
    set_charts(pkg, sheet, cells, charts)
    return charts[-1].row + charts[-1].height // 20 + 1  # 15-point rows are 20 pixels


def label_room(largest: float, room: float = LABEL_ROOM) -> tuple[float, float] | None:
    """The end and the step of a bar chart's value axis whose bars have their values written past
    their ends: the longest bar ends at most at 1 / ``room`` of the axis, so that its label has room
    before the chart's edge (an axis ending at the next round number beyond the bar leaves none), in
    round steps (1, 2, 2.5 or 5 times a power of ten): four, or three when the axis's numbers are
    longer than six characters (five such labels under the CLV chart's bars are drawn slanted).
    None for no bar longer than 0."""
    if not largest > 0 or not math.isfinite(largest):
        return None
    want = largest * room
    steps = 4 if len(f"{want:,.0f}") <= 6 else 3
    unit = 10.0 ** math.floor(math.log10(want / steps))
    step = next(unit * m for m in (1, 2, 2.5, 5, 10) if unit * m * steps >= want)
    end = step * math.ceil(want / step - 1e-9)
    return float(f"{end:.12g}"), float(f"{step:.12g}")  # 0.6, not 0.6000000000000001


def recorded_inputs(path: str | os.PathLike) -> dict[str, Any] | None:
    """What the last predict recorded beside the Customers table (order table, its three columns, months,
    discount rate, margin: the user may have changed the last three), or None when the workbook has no
    Customers sheet made by predict."""
    lang = workbook_language(Path(path))
    sheet = i18n.pgettext("sheet", SHEET, lang)
    with open_package(path) as pkg:
        info = next((t for t in pkg.tables() if t.sheet == sheet), None)
        if info is None:
            return None
        (r1, _c1), (_r2, c2) = (split_ref(x) for x in info.ref.split(":"))
        cells = pkg.read_cells(sheet, r1, r1 + 40)
    label_col = c2 + 2
    block = {cells[(r, label_col)].value: cells[(r, label_col + 1)].value
             for r in range(r1, r1 + 40) if (r, label_col) in cells and (r, label_col + 1) in cells}
    t = lambda s: i18n.gettext(s, lang)  # noqa: E731
    inputs = [block.get(t(label)) for label in INPUTS]
    if not all(isinstance(v, str) and v for v in inputs):
        return None  # not made by predict (or by one before the inputs were recorded)
    out: dict[str, Any] = dict(zip(("table", "customer", "date", "value"), inputs))
    for key, label, default in (("months", N_("Months ahead"), MONTHS),
                                ("discount_rate", N_("Discount rate per month"), DISCOUNT_RATE),
                                ("margin", N_("Margin"), MARGIN)):
        value = block.get(t(label))
        out[key] = value if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    out["months"] = int(out["months"]) if float(out["months"]).is_integer() and out["months"] >= 1 else MONTHS
    return out


def repredict(path: str | os.PathLike, as_of: dt.date | None = None, backup: bool = True,
              progress: Callable[[str], None] | None = None) -> PredictReport | None:
    """Predict again with the inputs the Customers sheet records (refresh calls this first, so that goals
    on the Customers table see the new predictions); None when the workbook has no such sheet."""
    inputs = recorded_inputs(path)
    if inputs is None:
        return None
    return predict(path, inputs.pop("table"), as_of=as_of, backup=backup, progress=progress, **inputs)
