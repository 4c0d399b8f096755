"""Calendar and pacing arithmetic for goals: periods, last year's span, seasonal share,
run-rate and trend forecasts, and the chance of meeting a target.

All spans are whole days with both ends included; day numbers count from 1970-01-01.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np

from .data import day_number, from_day


@functools.lru_cache(maxsize=4096)
def periods(start: dt.date, end: dt.date, kind: str) -> list[tuple[dt.date, dt.date]]:
    """Calendar months, quarters or years overlapping ``[start, end]``, clipped to it."""
    out = []
    y, m = start.year, start.month
    step = {"month": 1, "quarter": 3, "year": 12}[kind]
    if kind == "quarter":
        m = 3 * ((m - 1) // 3) + 1
    elif kind == "year":
        m = 1
    while True:
        p0 = dt.date(y, m, 1)
        if p0 > end:
            break
        ny, nm = (y + (m - 1 + step) // 12, (m - 1 + step) % 12 + 1)
        p1 = dt.date(ny, nm, 1) - dt.timedelta(days=1)
        out.append((max(p0, start), min(p1, end)))
        y, m = ny, nm
    return out


@functools.lru_cache(maxsize=65536)
def period_label(p0: dt.date, kind: str) -> str:
    """'2026-03', '2026-Q1' or '2026'."""
    if kind == "month":
        return f"{p0.year}-{p0.month:02d}"
    if kind == "quarter":
        return f"{p0.year}-Q{(p0.month - 1) // 3 + 1}"
    return str(p0.year)


def year_before(d: dt.date) -> dt.date:
    """The same day a year earlier; 29 February becomes the 28th."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def fraction(start: int, end: int, as_of: int) -> float:
    """Share of days passed, both ends included, capped at 1 (see PACE)."""
    return min((as_of - start + 1) / (end - start + 1), 1.0)


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def chance_additive(actual: float, daily: np.ndarray, remaining_days: int, target: float,
                    higher: bool, min_days: int = 14) -> float:
    """Chance that a running total ends at or past ``target``.

    The remaining days are modelled as independent draws like the days so far:
    the final total is normal with mean actual + r·m and standard deviation
    √r·s (m, s: mean and standard deviation of the daily totals so far, zeros
    included). Needs at least ``min_days`` days of history; NaN otherwise.
    """
    if remaining_days <= 0:
        return 1.0 if (actual >= target if higher else actual <= target) else 0.0
    if daily.size < min_days:
        return math.nan
    m, s = float(np.mean(daily)), float(np.std(daily, ddof=1))
    mean = actual + remaining_days * m
    sd = math.sqrt(remaining_days) * s
    if sd == 0:
        return 1.0 if (mean >= target if higher else mean <= target) else 0.0
    p = normal_cdf((mean - target) / sd)
    return p if higher else 1.0 - p


def trend_forecast(values: list[float], steps_ahead: float) -> tuple[float, float, str]:
    """Forecast of a level ``steps_ahead`` periods after the last of ``values``.

    A least-squares line is extended only when its slope is clear of the noise
    (|slope| ≥ 2 standard errors); otherwise the forecast is the mean, since
    extending noise months ahead invents a trend. Returns (forecast, standard
    deviation of the values around it, "trend" or "average").
    """
    y = np.asarray(values, dtype=float)
    x = np.arange(y.size, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    dof = max(y.size - 2, 1)
    sd = float(np.sqrt(np.sum(resid**2) / dof))
    sxx = float(np.sum((x - x.mean()) ** 2))
    se = sd / math.sqrt(sxx) if sxx > 0 else math.inf
    if se > 0 and abs(slope) >= 2 * se:
        return float(intercept + slope * (x[-1] + steps_ahead)), sd, "trend"
    return float(np.mean(y)), float(np.std(y, ddof=1)), "average"


def chance_level(forecast: float, sd: float, target: float, higher: bool) -> float:
    """Chance a level ends at or past ``target`` when it is normal around ``forecast``."""
    if not math.isfinite(sd) or sd == 0:
        return 1.0 if (forecast >= target if higher else forecast <= target) else 0.0
    p = normal_cdf((forecast - target) / sd)
    return p if higher else 1.0 - p


__all__ = [
    "periods", "period_label", "year_before", "fraction", "chance_additive", "trend_forecast", "chance_level",
    "day_number", "from_day",
]
