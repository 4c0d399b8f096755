"""Customer service KPIs: NPS, CSAT, first response time, resolution time, tickets resolved."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import DIV0, NUM, VALUE, KpiInputError
from ._args import aligned, at_most, choice, column, excel_errors, floats, nonneg, number, values
from .kinds import Cell, Range

__all__ = ["nps", "csat", "frt", "resolution_time", "tickets_resolved", "TIME_UNITS"]

#: Units a duration can be given in: a duration in days × factor.
TIME_UNITS = {"hours": 24.0, "minutes": 1440.0, "days": 1.0}

_MS_PER_DAY = 86_400_000.0


@excel_errors
def nps(
    scores: Annotated[Any, Range("Answers 0–10 to 'How likely are you to recommend us?'. Blanks are skipped.")],
) -> Any:
    """Net Promoter Score (NPS) from 0–10 answers to "How likely are you to recommend us?".

    Formula: NPS = 100 × (promoters − detractors) / responses, where promoters
    answered 9 or 10 and detractors 0 to 6.
    Units: points from −100 to +100 (not a percentage).
    Convention: blank cells are unanswered and left out.
    Errors: #DIV/0! with no answers; #NUM! for a score that is not a whole number
    from 0 to 10.
    Source: Reichheld (2003), "The One Number You Need to Grow", Harvard Business Review 81(12).
    """
    s = values(scores, "scores")
    if s.size == 0:
        raise KpiInputError(DIV0, "scores: no answers")
    # quick proof (all in [0, 10], and equal to their uint8 cast, i.e. whole) before the exact check
    k = s.astype(np.uint8) if at_most(s, 10.0) else None
    if k is None or not np.equal(k, s).all():
        if ((s < 0) | (s > 10) | (s != np.floor(s))).any():
            raise KpiInputError(NUM, "scores: every score must be a whole number from 0 to 10")
        k = s.astype(np.uint8)  # only −0.0 gets here: it is 0
    promoters = np.count_nonzero(k >= 9)
    detractors = np.count_nonzero(k <= 6)
    return 100.0 * (promoters - detractors) / s.size


@excel_errors
def csat(
    scores: Annotated[Any, Range("Satisfaction ratings, e.g. 1–5. Blanks are skipped.")],
    threshold: Annotated[Any, Cell("Lowest rating that counts as satisfied. Default scale_max - 1 (4 on a 1-5 scale).")] = None,
    scale_max: Annotated[Any, Cell("Top of the rating scale. Default 5.")] = 5,
) -> Any:
    """Customer satisfaction score (CSAT): the share of satisfied ratings.

    Formula: CSAT = ratings ≥ threshold / ratings
    Units: ratio (0.85 = 85 % satisfied).
    Convention: ratings run from 1 to scale_max; the threshold defaults to
    scale_max − 1 (the "top two boxes"): on the usual 1–5 scale 4 ("satisfied") and
    5 ("very satisfied") count, on a 1–10 scale 9 and 10. For the average rating
    instead, use Excel's =AVERAGE().
    Errors: #DIV/0! with no ratings; #NUM! for a rating outside 1..scale_max or a
    threshold outside that scale.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 2 (customer satisfaction).
    """
    s = values(scores, "scores")
    top = number(scale_max, "scale_max", 5.0)
    t = number(threshold, "threshold", top - 1.0)
    if top < 1:
        raise KpiInputError(NUM, "scale_max: must be 1 or more")
    if not 1 <= t <= top:
        raise KpiInputError(NUM, f"threshold: must be between 1 and {top:g}")
    if s.size == 0:
        raise KpiInputError(DIV0, "scores: no ratings")
    if not (at_most(s, top) and s.min() >= 1.0) and ((s < 1) | (s > top)).any():
        raise KpiInputError(NUM, f"scores: every rating must be between 1 and {top:g}")
    return float(np.count_nonzero(s >= t) / s.size)


def _durations(start: Any, end: Any, names: tuple[str, str], method: Any, unit: Any) -> float:
    how = choice(method, "method", ("mean", "median"), "mean")
    u = choice(unit, "unit", tuple(TIME_UNITS), "hours")
    a = column(start, names[0], dates=True)
    b = column(end, names[1], dates=True)
    s, e = aligned((names[0], a), (names[1], b, None))
    if s.size == 0:
        raise KpiInputError(DIV0, f"{names[1]}: no row has both times")
    with np.errstate(over="ignore"):  # an overflow gives inf: #NUM! (excel_errors)
        ms = e - s  # finite times: ms < 0 exactly where e < s
        if not nonneg(ms) and (ms < 0).any():
            raise KpiInputError(NUM, f"{names[1]}: a time is earlier than its {names[0]}")
        # Excel keeps date-times as fractions of a day: round each wait to the millisecond
        # so that 09:00 → 10:30 is exactly 1.5 hours, not 1.4999999999.
        ms *= _MS_PER_DAY
        np.rint(ms, out=ms)
    per_unit = TIME_UNITS[u] / _MS_PER_DAY
    if how == "mean":
        return float(ms.sum() / ms.size * per_unit)
    return float(np.median(ms) * per_unit)


@excel_errors
def frt(
    created_at: Annotated[Any, Range("Date-time each ticket was created.")],
    first_response_at: Annotated[Any, Range("Date-time of the first reply (blank: still waiting, skipped).")],
    method: Annotated[Any, Cell('"mean" (default) or "median".')] = "mean",
    unit: Annotated[Any, Cell('"hours" (default), "minutes" or "days".')] = "hours",
) -> Any:
    """First response time (FRT): how long customers wait for the first answer.

    Formula: mean (or median) over tickets of first_response_at − created_at
    Units: hours by default; unit "minutes" or "days" changes it.
    Convention: timestamps are Excel date-times; tickets still waiting (blank
    response) are left out. Median is steadier when a few tickets wait very long.
    Errors: #DIV/0! when no ticket has been answered; #NUM! when a response is
    earlier than its ticket; #VALUE! for text or an unknown method/unit.
    Source: Zendesk Support ticket metrics, "first reply time".
    """
    return _durations(created_at, first_response_at, ("created_at", "first_response_at"), method, unit)


@excel_errors
def resolution_time(
    opened_at: Annotated[Any, Range("Date-time each ticket was opened.")],
    resolved_at: Annotated[Any, Range("Date-time it was resolved (blank: still open, skipped).")],
    method: Annotated[Any, Cell('"mean" (default) or "median".')] = "mean",
    unit: Annotated[Any, Cell('"hours" (default), "minutes" or "days".')] = "hours",
) -> Any:
    """Resolution time (mean time to resolve): from ticket opened to resolved.

    Formula: mean (or median) over resolved tickets of resolved_at − opened_at
    Units: hours by default; unit "minutes" or "days" changes it.
    Convention: open tickets (blank resolved_at) are left out.
    Errors: #DIV/0! when no ticket is resolved; #NUM! when a resolution is earlier
    than its opening; #VALUE! for text or an unknown method/unit.
    Source: Zendesk Support ticket metrics, "full resolution time".
    """
    return _durations(opened_at, resolved_at, ("opened_at", "resolved_at"), method, unit)


@excel_errors
def tickets_resolved(
    resolved_at: Annotated[Any, Range("Resolution date of each ticket (blank: still open).")],
    period_start: Annotated[Any, Cell("First day to count (optional).")] = None,
    period_end: Annotated[Any, Cell("Last day to count, inclusive (optional).")] = None,
) -> Any:
    """Number of tickets resolved, optionally within a date range.

    Formula: count of resolved_at timestamps with period_start ≤ t < period_end + 1 day
    Units: tickets.
    Convention: both ends are whole days and inclusive; a blank resolved_at is an
    open ticket. Excel's native =COUNTIFS(range, ">="&start, range, "<"&end+1) gives
    the same count.
    Errors: #VALUE! for text that is not a date; #NUM! when the period ends before it starts.
    Source: Zendesk Support ticket metrics (solved tickets); same count as =COUNTIFS.
    """
    t = values(resolved_at, "resolved_at", dates=True)
    lo = -np.inf if period_start is None else np.floor(_day(period_start, "period_start"))
    hi = np.inf if period_end is None else np.floor(_day(period_end, "period_end")) + 1.0
    if hi <= lo:
        raise KpiInputError(NUM, "period_end: is before period_start")
    if lo == -np.inf and hi == np.inf:
        return int(t.size)
    if lo == -np.inf:
        return int(np.count_nonzero(t < hi))
    if hi == np.inf:
        return int(np.count_nonzero(t >= lo))
    return int(np.count_nonzero((t >= lo) & (t < hi)))


def _day(x: Any, name: str) -> float:
    a = floats(x, name, dates=True).reshape(-1)
    if a.size != 1 or np.isnan(a[0]):
        raise KpiInputError(VALUE, f"{name}: expects one date")
    return float(a[0])
