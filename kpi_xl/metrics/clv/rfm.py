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


def _codes(customer: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, int]:
    """(ids, codes, offset): small non-negative integer codes of the customers. Integer ids of a
    moderate range are used as they are, less ``offset`` (ids None: the caller reads them off the
    codes), which spares a sort; other ids (text...) are numbered in sorted order."""
    if customer.dtype.kind in "iu" and len(customer):
        low, high = int(customer.min()), int(customer.max())
        if high - low < 2**31:
            return None, customer.astype(np.int64) - low, low
    ids, codes = np.unique(customer, return_inverse=True)
    return ids, codes.reshape(-1).astype(np.int64), 0


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
    customer, values = customer[keep], values[keep]
    day = days[keep].astype(np.int64)
    ids, codes, offset = _codes(customer)

    # orders in order of customer then day: one sort of a single integer key
    low = int(day.min()) if len(day) else 0
    span = int(day.max()) - low + 1 if len(day) else 1
    order = np.argsort(codes * span + (day - low))
    codes, day, values = codes[order], day[order], values[order]
    periods = _periods(day.astype("datetime64[D]"), freq)
    new_customer = np.ones(len(codes), dtype=bool)
    new_customer[1:] = codes[1:] != codes[:-1]
    new_period = new_customer.copy()
    new_period[1:] |= periods[1:] != periods[:-1]
    first_order = np.flatnonzero(new_customer)
    last_order = np.r_[first_order[1:] - 1, len(codes) - 1] if len(codes) else first_order
    if ids is None:  # integer ids used as they are: the customers are those present
        ids = (codes[first_order] + offset).astype(customer.dtype)

    # one row per (customer, period): same-period purchases merged, their values added
    starts = np.flatnonzero(new_period)
    period_values = np.add.reduceat(values, starts) if len(starts) else values
    purchases = np.add.reduceat(new_period.astype(np.int64), first_order) if len(codes) else first_order
    frequency = purchases - 1
    total = np.add.reduceat(period_values, np.cumsum(np.r_[0, purchases[:-1]])) if len(codes) else values
    first_value = period_values[np.cumsum(np.r_[0, purchases[:-1]])] if len(codes) else values
    monetary = np.divide(total - first_value, frequency, out=np.zeros(len(ids)), where=frequency > 0)
    scale = _DAYS[freq] / _DAYS[unit] if freq in _DAYS else 1.0
    first_p, last_p = periods[first_order], periods[last_order]
    end_p = _periods(np.array([end]), freq)[0]
    return RFM(
        customer=ids, frequency=frequency, recency=(last_p - first_p) * scale, T=(end_p - first_p) * scale,
        monetary=monetary, first=day[first_order].astype("datetime64[D]"),
        last=day[last_order].astype("datetime64[D]"), unit=unit,
    )
