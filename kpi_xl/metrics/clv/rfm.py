"""Orders to each customer's frequency, recency, age and mean repeat spend, in one vectorised pass."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ...excel import EPOCH_1900
from ._fit import ClvInputError

#: Length of each period in days, for converting recency and T to another unit.
_DAYS = {"D": 1, "W": 7}


@dataclass(frozen=True)
class RFM:
    """One entry per customer (customers in sorted order of their ids).

    ``frequency``: repeat purchases (purchase periods after the first); ``recency``: time from the
    first to the last purchase; ``T``: time from the first purchase to ``as_of``; ``monetary``: mean
    value of the repeat purchases (0 with none); ``first`` and ``last``: purchase dates; ``unit``:
    the time unit of recency and T.
    """

    customer: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary: np.ndarray
    first: np.ndarray
    last: np.ndarray
    unit: str

    def __len__(self) -> int:
        return len(self.customer)


def _dates(values, epoch: dt.datetime) -> np.ndarray:
    """datetime64[D] from datetime64 / dates / ISO text, or from Excel serial numbers."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iuf":
        days = np.floor(arr.astype(np.float64))
        bad = ~np.isfinite(days)
        out = np.datetime64(epoch.date(), "D") + np.where(bad, 0, days).astype("timedelta64[D]")
        return np.where(bad, np.datetime64("NaT"), out)
    try:
        return arr.astype("datetime64[D]")
    except (TypeError, ValueError):
        raise ClvInputError("order dates must be dates or Excel date serial numbers") from None


def _periods(days: np.ndarray, freq: str) -> np.ndarray:
    """Integer period numbers: days, weeks starting on Monday, or calendar months."""
    if freq == "M":
        return days.astype("datetime64[M]").astype(np.int64)
    n = days.astype(np.int64)
    return n if freq == "D" else (n + 3) // 7  # 1970-01-01 was a Thursday


def rfm_summary(customer, date, value=None, as_of=None, freq: str = "D", unit: str | None = None,
                epoch: dt.datetime = EPOCH_1900) -> RFM:
    """Each customer's frequency, recency, T and monetary value from a list of orders, as defined
    by Fader, Hardie & Lee (2005): purchases in the same period (``freq``: "D" day, "W" week, "M"
    month) are merged into one (their values added); the first purchase starts the customer's
    clock and is not a repeat purchase; ``monetary`` is the mean value of the repeat purchases.

    ``customer``, ``date`` and ``value`` are arrays of one entry per order (dates as datetime64,
    dates or Excel serials of ``epoch``'s date system); orders after ``as_of`` (default: the last
    order date) are left out. recency and T are in periods of ``freq``, or in ``unit`` ("W" with
    freq "D" gives days / 7, as in the papers' CDNOW summary).
    """
    if freq not in ("D", "W", "M"):
        raise ClvInputError(f"freq must be 'D' (day), 'W' (week) or 'M' (month), not {freq!r}")
    unit = unit or freq
    if unit != freq and not (freq in _DAYS and unit in _DAYS):
        raise ClvInputError(f"recency and T in {unit!r} cannot be computed from periods of {freq!r}")
    customer = np.asarray(customer).reshape(-1)
    days = _dates(date, epoch).reshape(-1)
    values = np.zeros(len(days)) if value is None else np.asarray(value, dtype=np.float64).reshape(-1)
    if not len(customer) == len(days) == len(values):
        raise ClvInputError(f"customer, date and value must have one entry per order "
                            f"(got {len(customer)}, {len(days)} and {len(values)})")
    for bad, why in ((np.isnat(days), "has no date"), (~np.isfinite(values), "has no value")):
        if bad.any():
            raise ClvInputError(f"order {int(np.argmax(bad)) + 1} {why} ({bad.sum()} orders in all)")
    end = days.max() if as_of is None and len(days) else _dates(np.array([as_of]), epoch)[0]
    if np.isnat(end):
        raise ClvInputError("as_of must be a date")
    keep = days <= end
    ids, codes = np.unique(customer[keep], return_inverse=True)
    periods = _periods(days[keep], freq)
    values = values[keep]

    # one row per (customer, period), in order of customer then period
    order = np.lexsort((periods, codes))
    codes, periods, values = codes[order], periods[order], values[order]
    new_period = np.ones(len(codes), dtype=bool)
    new_period[1:] = (codes[1:] != codes[:-1]) | (periods[1:] != periods[:-1])
    starts = np.flatnonzero(new_period)
    codes, periods = codes[starts], periods[starts]
    values = np.add.reduceat(values, starts) if len(starts) else values[:0]

    first_row = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else starts
    last_row = np.r_[first_row[1:] - 1, len(codes) - 1] if len(codes) else starts
    frequency = (last_row - first_row).astype(np.int64)
    repeat_total = np.add.reduceat(values, first_row) - values[first_row] if len(codes) else values
    monetary = np.divide(repeat_total, frequency, out=np.zeros(len(ids)), where=frequency > 0)
    scale = _DAYS[freq] / _DAYS[unit] if freq in _DAYS else 1.0
    first_p, last_p = periods[first_row], periods[last_row]
    day_of = days[keep][order][starts]
    return RFM(
        customer=ids, frequency=frequency, recency=(last_p - first_p) * scale,
        T=(_periods(np.array([end]), freq)[0] - first_p) * scale, monetary=monetary,
        first=day_of[first_row], last=day_of[last_row], unit=unit,
    )
