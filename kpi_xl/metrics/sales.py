"""Sales KPIs: average order value, win rate, growth, CAGR, activity per period."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import numpy as np

from .. import excel
from ..errors import DIV0, NA, NUM, VALUE, KpiInputError
from ._args import Rows, above, choice, column, excel_errors, finite, floats, nonneg
from ._ratio import ratio
from .kinds import Cell, Range

__all__ = [
    "aov",
    "win_rate",
    "growth_rate",
    "period_growth",
    "cagr",
    "count_per_period",
    "sum_per_period",
    "PERIODS",
]

#: Excel's last date, 9999-12-31, as a serial number.
LAST_EXCEL_DAY = 2958465

#: Period names accepted by the per-period functions.
PERIODS = ("day", "week", "month", "quarter", "year")


@excel_errors
def aov(
    revenue: Annotated[Any, Range("Revenue from the orders.")],
    orders: Annotated[Any, Range("Number of orders.")],
) -> Any:
    """Average order value (AOV), the average value of a purchase.

    Formula: AOV = revenue / number of orders
    Units: currency per order.
    Errors: #DIV/0! with no orders; #NUM! for a negative order count.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 9 (average order value).
    """
    return ratio(revenue, orders, ("revenue", "orders"), negative_num=True)


@excel_errors
def win_rate(
    won: Annotated[Any, Range("Opportunities won.")],
    closed: Annotated[Any, Range("Opportunities closed, won or lost.")],
) -> Any:
    """Win rate: the share of closed opportunities that were won.

    Formula: win rate = won / closed (closed = won + lost)
    Units: ratio (0.25 = 25 %).
    Errors: #DIV/0! with nothing closed; #NUM! for negatives or more won than closed.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 6 (sales force: pipeline).
    """
    return ratio(won, closed, ("won", "closed"), num_at_most_den=True)


@excel_errors
def growth_rate(
    current: Annotated[Any, Range("Value this period (e.g. this month's sales).")],
    previous: Annotated[Any, Range("Value the period before.")],
) -> Any:
    """Growth rate from one period to the next (e.g. monthly sales growth).

    Formula: growth = (current − previous) / |previous|
    Units: ratio (0.2 = +20 %).
    Convention: dividing by |previous| keeps the sign meaningful when the previous
    value was negative (a smaller loss is growth).
    Errors: #DIV/0! when previous is 0.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 10 (growth: percentage change).
    """
    r = Rows(current=current, previous=previous)
    c, p = r.arrays
    with np.errstate(all="ignore"):
        out = (c - p) / np.abs(p)
    # an infinite c or p always gives an infinite or NaN result, so one check covers all
    return r.result(out, errors=[(lambda c, p: p == 0, DIV0)], quick=lambda: finite(out))


@excel_errors
def period_growth(
    values: Annotated[Any, Range("One column (or row) of values per period, oldest first.")],
) -> Any:
    """Growth of each value over the one before it, for a column of periods.

    Formula: growthₜ = (valueₜ − valueₜ₋₁) / |valueₜ₋₁|; the first period is blank.
    Units: ratio per period; the result has the shape of the input, so it spills
    beside a monthly column (or along a row).
    Errors: #DIV/0! where the previous value is 0; #VALUE! for a range that is
    neither one column nor one row.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 10 (growth per period).
    """
    a = floats(values, "values")
    if a.ndim == 2 and min(a.shape) > 1:
        raise KpiInputError(VALUE, "values: expects one column or one row")
    flat = a.reshape(-1)
    if flat.size < 2:
        if np.isinf(flat).any():
            raise KpiInputError(NUM, "values: contains an infinite number")
        return np.full(a.shape, np.nan) if a.ndim else np.nan
    cur, prev = flat[1:], flat[:-1]
    r = Rows(current=cur, previous=prev)
    with np.errstate(all="ignore"):
        g = (cur - prev) / np.abs(prev)
    g = r.result(g, errors=[(lambda c, p: p == 0, DIV0)], quick=lambda: finite(g))
    mixed = isinstance(g, str) or (isinstance(g, np.ndarray) and g.dtype == object)
    out = np.empty(flat.size, dtype=object if mixed else np.float64)
    out[0] = None if out.dtype == object else np.nan  # the first period has nothing to grow from: blank
    out[1:] = g
    return out.reshape(a.shape)


@excel_errors
def cagr(
    begin_value: Annotated[Any, Range("Value at the start (must be more than 0).")],
    end_value: Annotated[Any, Range("Value at the end.")],
    periods: Annotated[Any, Range("Number of periods between them, e.g. years.")],
) -> Any:
    """Compound annual (or per-period) growth rate.

    Formula: CAGR = (end_value / begin_value)^(1 / periods) − 1
    Units: ratio per period (periods in years gives a yearly rate).
    Convention: the same as Excel's native =RRI(periods, begin_value, end_value),
    which you may use instead.
    Errors: #NUM! when begin_value ≤ 0, end_value < 0 or periods ≤ 0.
    Source: Microsoft Support, "RRI function" (equivalent interest rate for the growth of an investment).
    """
    r = Rows(begin_value=begin_value, end_value=end_value, periods=periods)
    b, e, n = r.arrays
    with np.errstate(all="ignore"):
        out = (e / b) ** (1.0 / n) - 1.0
    return r.result(out, domain=[(lambda b, e, n: (b <= 0) | (e < 0) | (n <= 0), NUM)],
                    quick=lambda: nonneg(b) and above(b, 0) and nonneg(e) and nonneg(n) and above(n, 0)
                    and finite(out))


def _period_start(serials: np.ndarray, period: str) -> np.ndarray:
    """Excel serials → datetime64[D] of the start of each one's period."""
    d = excel.days_of(serials)
    if period == "day":
        return d
    if period == "week":  # ISO weeks start on Monday; 1970-01-01 was a Thursday
        return (d - ((d.astype("int64") + 3) % 7)).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    if period == "month":
        return m.astype("datetime64[D]")
    if period == "quarter":
        mi = m.astype("int64")
        return (mi - mi % 3).astype("datetime64[M]").astype("datetime64[D]")
    return d.astype("datetime64[Y]").astype("datetime64[D]")


def _per_period(dates: Any, weights: np.ndarray | None, period: str) -> np.ndarray:
    serial = column(dates, "dates", dates=True)
    if weights is not None and weights.size != serial.size:
        raise KpiInputError(VALUE, f"values: has {weights.size} cells but dates has {serial.size}")
    w = weights
    if not (finite(serial) and (weights is None or finite(weights))):  # some blank (or infinite) cell
        keep = ~np.isnan(serial)
        if weights is not None:
            keep &= ~np.isnan(weights)
            w = weights[keep]
            if np.isinf(w).any():
                raise KpiInputError(NUM, "values: contains an infinite number")
        serial = serial[keep]
    if serial.size == 0:
        raise KpiInputError(NA, "dates: no dates to count")
    if not (serial.min() >= 1 and serial.max() < LAST_EXCEL_DAY + 1):  # also catches ±inf
        raise KpiInputError(NUM, "dates: contains a number that is not a date (Excel dates run 1900-01-01 to 9999-12-31)")
    # one bin per day, week, month... between the first and the last period: a count,
    # not a sort (the span is at most Excel's 10,000 years)
    starts = _period_start(serial, period).astype(np.int64)
    first = starts.min()
    starts -= first
    counts = np.bincount(starts)
    present = np.flatnonzero(counts)
    keys = (present + first).astype("datetime64[D]")
    if w is None:
        totals = counts[present]
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            totals = np.bincount(starts, weights=w)[present]
        if not np.isfinite(totals).all():
            raise KpiInputError(NUM, "values: a period's total is too large")
    out = np.empty((keys.size, 2), dtype=object)
    out[:, 0] = [dt.datetime.combine(k.item(), dt.time()) for k in keys]
    out[:, 1] = totals.tolist()
    return out


@excel_errors
def count_per_period(
    dates: Annotated[Any, Range("Date of each event (call, email, post, ticket, session).")],
    period: Annotated[Any, Cell('"day", "week", "month" (default), "quarter" or "year".')] = "month",
) -> Any:
    """Count of events per period (calls, emails, posts, tickets, sessions...).

    Formula: for each period that has an event, the number of dates falling in it.
    Units: a two-column table (period start, count) that spills, earliest first.
    Convention: weeks start on Monday (ISO). Periods with no event are not listed.
    Errors: #VALUE! for an unknown period or text that is not a date; #NUM! for a
    number that is not an Excel date; #N/A when no date is given.
    Source: a count per calendar period; weeks as in ISO 8601.
    """
    p = choice(period, "period", PERIODS, "month")
    return _per_period(dates, None, p)


@excel_errors
def sum_per_period(
    dates: Annotated[Any, Range("Date of each row (e.g. order date).")],
    values: Annotated[Any, Range("Amount of each row (e.g. transaction amount).")],
    period: Annotated[Any, Cell('"day", "week", "month" (default), "quarter" or "year".')] = "month",
) -> Any:
    """Sum of amounts per period (e.g. transaction amount or revenue by month).

    Formula: for each period with data, Σ values whose date falls in it.
    Units: a two-column table (period start, total) that spills, earliest first.
    Convention: rows with a blank date or a blank value are skipped.
    Errors: #VALUE! for an unknown period, text in values, or ranges of different
    sizes; #NUM! for a number that is not an Excel date; #N/A when there is no row.
    Source: a sum per calendar period; weeks as in ISO 8601.
    """
    p = choice(period, "period", PERIODS, "month")
    return _per_period(dates, column(values, "values"), p)
