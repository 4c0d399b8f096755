"""Calendar and pacing arithmetic for goals: periods, last year's span, seasonal share,
run-rate, trend, level and distinct-count forecasts, and the chance of meeting a target.

Every forecast is in the unit of the goal's target: the value the KPI will have
over the whole goal period (a total, a ratio of the period's totals, an average of
the period's records, a distinct count over the period), never a mean of months.

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


def level_forecast(actual: float, complete: list[float], left: int, days_passed: int, days_left: int
                   ) -> tuple[float, float, str]:
    """Forecast of a level KPI (a ratio of totals or an average of records) over the whole
    goal period, from its value so far and its complete review periods.

    The final value is the days-weighted mix of the value so far and the level of the
    periods still to come: ``(passed × actual + left_days × level) / all days``. The
    level to come is a least-squares line through the complete periods, extended to
    the middle of the periods left, when its slope is clear of the noise
    (:func:`trend_forecast`); otherwise it is the value so far, so a flat KPI forecasts
    its own current value. The spread is that of the mean of the ``left`` periods to
    come (the periods' spread over √left) and of the level itself (over √complete
    periods), added in quadrature and scaled by the share of days left. Returns
    (forecast, standard deviation, "trend" or "average").
    """
    total = days_passed + days_left
    fc, sd, how = trend_forecast(complete, (left + 1) / 2)
    level = fc if how == "trend" else actual
    forecast = (days_passed * actual + days_left * level) / total
    spread = sd * math.sqrt(1 / max(left, 1) + 1 / len(complete)) * days_left / total
    return forecast, spread, how


def extreme_forecast(actual: float, complete: list[float], left: int, target: float, highest: bool,
                     higher: bool) -> tuple[float, float, str]:
    """Forecast and chance of a MAX (``highest``) or MIN over the whole goal period.

    A running maximum only grows and a minimum only falls: the forecast is the value
    so far or the level the periods left are forecast to reach (:func:`trend_forecast`),
    whichever is further out. A target already reached in the direction the extreme
    moves cannot be undone (chance 1; 0 when it is already passed the wrong way);
    otherwise each period left is an independent normal draw around that level.
    Returns (forecast, chance, "trend" or "average").
    """
    fc, sd, how = trend_forecast(complete, (left + 1) / 2)
    forecast = max(actual, fc) if highest else min(actual, fc)
    moves_toward = highest == higher  # MAX of a higher-is-better goal, MIN of a lower-is-better one
    met = actual >= target if higher else actual <= target
    if met:
        return forecast, (1.0 if moves_toward else chance_level(fc, sd, target, higher) ** max(left, 1)), how
    if not moves_toward:
        return forecast, 0.0, how
    p = chance_level(fc, sd, target, higher)
    return forecast, 1.0 - (1.0 - p) ** max(left, 1), how


def distinct_forecast(days: np.ndarray, counts: np.ndarray, total_days: int) -> float:
    """Distinct count over a whole period of ``total_days`` from its accumulation so far.

    ``counts[i]`` is the distinct count from the start to day ``days[i]`` (1 = the first
    day). New values (new customers) arrive ever more slowly as the ones seen come back,
    so the curve is fitted by Heaps' law, count = k × days^β, on the later half of
    the days seen (where β reflects the current, slower arrival) and extended to the
    end: count so far × (total_days / days so far)^β. The scorecard uses it when
    there is no year of history to take the accumulation's shape from; as the slowing
    continues it leans high.
    """
    keep = counts > 0
    days, counts = days[keep], counts[keep]
    if days.size < 2:
        return float(counts[-1]) * total_days / float(days[-1]) if days.size else math.nan
    half = days >= days[-1] / 2
    if half.sum() < 2:
        half = np.ones_like(days, dtype=bool)
    x, y = np.log(days[half].astype(float)), np.log(counts[half].astype(float))
    beta = float(np.polyfit(x, y, 1)[0]) if np.ptp(x) > 0 else 1.0
    beta = min(max(beta, 0.0), 1.0)
    return float(counts[-1]) * (total_days / float(days[-1])) ** beta


def arrivals_sd(new: float, model: float = 0.15) -> float:
    """Spread of a count of new arrivals still to come: Poisson (√new) and a
    ``model`` share of them for the estimator's own error, added in quadrature."""
    new = max(new, 0.0)
    return math.sqrt(new + (model * new) ** 2)


def met(value: float, target: float, higher: bool) -> float:
    """1.0 when ``value`` meets ``target`` in the goal's direction, else 0.0 (a period that
    has ended: its forecast is its actual and its chance certain)."""
    return 1.0 if (value >= target if higher else value <= target) else 0.0


__all__ = [
    "periods", "period_label", "year_before", "fraction", "chance_additive", "trend_forecast", "chance_level",
    "level_forecast", "extreme_forecast", "distinct_forecast", "arrivals_sd", "met",
    "day_number", "from_day",
]
