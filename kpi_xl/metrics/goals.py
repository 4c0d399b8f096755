"""Goal progress: achievement against a target, from a baseline."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import DIV0, NA, NUM, VALUE, KpiInputError, XlError
from ._args import Rows, choice, excel_errors, finite, nonneg, omitted as _omitted
from .kinds import Cell, Range

__all__ = ["achievement", "pace", "forecast_end", "status", "payout", "okr_score", "expected_fraction", "DIRECTIONS", "DEFAULT_RULES"]

#: Which way is better for a KPI.
DIRECTIONS = ("higher", "lower")


@excel_errors
def achievement(
    actual: Annotated[Any, Range("Value reached so far.")],
    target: Annotated[Any, Range("Value the goal aims for.")],
    baseline: Annotated[Any, Range("Value when the goal started (optional; 0 for higher-is-better).")] = None,
    direction: Annotated[Any, Cell('"higher" (default) if more is better, "lower" if less is better.')] = "higher",
) -> Any:
    """Achievement: progress toward a target as a ratio (0.8 means 80 % of the way).

    Formula: direction "higher" (default): (actual − baseline) / (target − baseline),
    baseline 0 when omitted. Direction "lower" with a baseline:
    (baseline − actual) / (baseline − target); "lower" without one: target / actual,
    and 1 (the target met) at an actual of 0 with a target of 0 or more.
    Units: ratio; 1 means the target is met, above 1 beaten.
    Convention: a baseline measures progress from where the goal started, so a goal
    to grow from 80 to 100 that stands at 90 is 50 % achieved, not 90 %.
    Errors: #DIV/0! when target equals baseline (or, lower without baseline, actual
    is 0 and the target below 0); #VALUE! for an unknown direction.
    Source: Kaplan & Norton (1996), "The Balanced Scorecard", HBS Press (targets, baselines).
    """
    way = choice(direction, "direction", DIRECTIONS, "higher")
    if _omitted(baseline):
        r = Rows(actual=actual, target=target)
        a, t = r.arrays
        with np.errstate(all="ignore"):
            # lower is better at an actual of 0: nothing of what is kept low, so any target of
            # 0 or more is met (1), not a division by 0
            out = a / t if way == "higher" else np.where((a == 0) & (t >= 0), 1.0, t / a)
        zero = (lambda a, t: t == 0) if way == "higher" else (lambda a, t: (a == 0) & ~(t >= 0))
        # an infinite numerator shows in the result; the denominator is checked
        return r.result(out, errors=[(zero, DIV0)], quick=lambda: finite(t if way == "higher" else a) and finite(out))
    r = Rows(actual=actual, target=target, baseline=baseline)
    a, t, b = r.arrays
    with np.errstate(all="ignore"):
        out = (a - b) / (t - b) if way == "higher" else (b - a) / (b - t)
    return r.result(out, errors=[(lambda a, t, b: t == b, DIV0)], quick=lambda: finite(t) and finite(out))



def _days(r: Rows) -> tuple[np.ndarray, np.ndarray]:
    """Inclusive day counts (elapsed, total) from start/end/as_of arrays in a Rows."""
    s, e, a = (np.floor(x) for x in r.arrays[-3:])
    return a - s + 1.0, e - s + 1.0


def _timeline_rules(start_i: int) -> list:
    """#N/A before the start, #NUM! when the end is before the start."""
    def before(*xs):
        return np.floor(xs[start_i + 2]) < np.floor(xs[start_i])

    def backwards(*xs):
        return np.floor(xs[start_i + 1]) < np.floor(xs[start_i])

    return [(backwards, NUM), (before, NA)]


def expected_fraction(start_date: Any, end_date: Any, as_of: Any) -> Any:
    """Share of a goal's time that has passed, counting whole days, both ends included.

    fraction = (as_of − start + 1) / (end − start + 1), at most 1. On the start date
    one day has passed; on the end date all of them.
    """
    r = Rows(start_date=start_date, end_date=end_date, as_of=as_of, dates=("start_date", "end_date", "as_of"))
    with np.errstate(all="ignore"):
        elapsed, total = _days(r)
        out = np.minimum(elapsed / total, 1.0)
    return r.result(out, domain=_timeline_rules(0))


@excel_errors
def pace(
    actual: Annotated[Any, Range("Value reached so far (cumulative, e.g. sales to date).")],
    target: Annotated[Any, Range("Value to reach by the end date.")],
    start_date: Annotated[Any, Range("First day of the goal.")],
    end_date: Annotated[Any, Range("Last day of the goal.")],
    as_of: Annotated[Any, Range("Day the actual is measured (e.g. =TODAY()).")],
    baseline: Annotated[Any, Range("Value on the start date. Default 0.")] = 0,
) -> Any:
    """Pace: progress so far against the progress expected by now (1 = exactly on plan).

    Formula: expected = baseline + (target − baseline) × f, with
    f = (as_of − start_date + 1) / (end_date − start_date + 1) capped at 1;
    pace = (actual − baseline) / (expected − baseline).
    Units: ratio; 1.1 means 10 % ahead of a straight-line plan.
    Convention: linear pacing in whole days, both ends included, so on the start date
    1 day of the period has passed and on the end date all of it. For a seasonal
    plan use the scorecard, which takes the profile from last year's data.
    Errors: #N/A when as_of is before start_date; #NUM! when end_date is before
    start_date; #DIV/0! when target equals baseline.
    Source: Zoltners, Sinha & Lorimer (2006), "The Complete Guide to Sales Force Incentive Compensation".
    """
    b = 0.0 if _omitted(baseline) else baseline
    r = Rows(actual=actual, target=target, baseline=b, start_date=start_date, end_date=end_date, as_of=as_of,
             dates=("start_date", "end_date", "as_of"))
    a, t, base = r.arrays[:3]
    with np.errstate(all="ignore"):
        elapsed, total = _days(r)
        f = np.minimum(elapsed / total, 1.0)
        out = (a - base) / ((t - base) * f)
    return r.result(out, domain=_timeline_rules(3), errors=[(lambda a, t, b, *_: t == b, DIV0)])


@excel_errors
def forecast_end(
    actual: Annotated[Any, Range("Cumulative value so far (e.g. sales to date).")],
    start_date: Annotated[Any, Range("First day of the period.")],
    end_date: Annotated[Any, Range("Last day of the period.")],
    as_of: Annotated[Any, Range("Day the actual is measured.")],
) -> Any:
    """Run-rate forecast of a cumulative actual (sales to date...) at the end date.

    Formula: forecast = actual × total days / elapsed days, days counted whole and
    inclusive: (end − start + 1) / (as_of − start + 1). After the end date the
    forecast is the actual.
    Units: the unit of actual.
    Convention: assumes the rest of the period runs at the average daily rate so
    far; the scorecard also offers a seasonal forecast from last year's profile.
    Errors: #N/A when as_of is before start_date; #NUM! when end_date is before start_date.
    Source: straight-line run-rate extrapolation; Zoltners, Sinha & Lorimer (2006) on quota attainment.
    """
    r = Rows(actual=actual, start_date=start_date, end_date=end_date, as_of=as_of,
             dates=("start_date", "end_date", "as_of"))
    a = r.arrays[0]
    with np.errstate(all="ignore"):
        elapsed, total = _days(r)
        out = a * total / np.minimum(elapsed, total)
    return r.result(out, domain=_timeline_rules(1))


#: Default status rules: (status key, measure, lowest value), checked in order.
DEFAULT_RULES = (("achieved", "achievement", 1.0), ("on_track", "pace", 0.95), ("behind", "pace", 0.85))


@excel_errors
def status(
    actual: Annotated[Any, Range("Value reached so far.")],
    target: Annotated[Any, Range("Value to reach by the end date.")],
    start_date: Annotated[Any, Range("First day of the goal.")],
    end_date: Annotated[Any, Range("Last day of the goal.")],
    as_of: Annotated[Any, Range("Day the actual is measured.")],
    baseline: Annotated[Any, Range("Value when the goal started (optional).")] = None,
    direction: Annotated[Any, Cell('"higher" (default) or "lower" if less is better.')] = "higher",
) -> Any:
    """Status of a goal under the default rules, as an id: achieved, on_track, behind or at_risk.

    Formula: "Achieved" when ACHIEVEMENT ≥ 1; else "On track" when pace ≥ 0.95;
    "Behind" when pace ≥ 0.85; else "At risk". pace = achievement / f, with f the
    share of the goal's days passed (see PACE).
    Units: text. In Python the status id (achieved, on_track, behind, at_risk); the
    worksheet function STATUS shows it as a word in English or Traditional Chinese.
    Convention: a "lower" goal without a baseline has no straight-line path, so its
    pace is its achievement (target / actual). STATUS's language "zh-TW" gives the
    Chinese words; without it $KPI_XL_LANG decides, else English.
    Errors: #N/A before the start date; #NUM! when the end is before the start;
    #DIV/0! when target equals baseline; #VALUE! for an unknown direction (or, in
    STATUS, an unknown language).
    Source: Kaplan & Norton (1996), "The Balanced Scorecard" (status against target); kpi-xl thresholds.
    """
    way = choice(direction, "direction", DIRECTIONS, "higher")
    ach = achievement(actual, target, baseline, way)
    frac = expected_fraction(start_date, end_date, as_of)
    for v in (ach, frac):
        if isinstance(v, XlError):
            return v
    a, a_err = _numbers(ach)
    f, f_err = _numbers(frac)
    try:
        shape = np.broadcast_shapes(a.shape, f.shape)
    except ValueError:  # the goal's ranges and its timeline's ranges are of different sizes
        raise KpiInputError(VALUE, "actual/target and start_date/end_date/as_of: ranges of different sizes") from None
    a, f = np.broadcast_to(a, shape), np.broadcast_to(f, shape)
    no_path = way == "lower" and _omitted(baseline)
    with np.errstate(all="ignore"):
        p = a if no_path else a / f
    # the rules in reverse order, so that the first rule that holds wins
    code = np.full(shape, 3, dtype=np.intp)  # at risk
    for key_i, (_, measure, low) in reversed(list(enumerate(DEFAULT_RULES))):
        code[(a if measure == "achievement" else p) >= low] = key_i
    table = np.array([name for name, _, _ in DEFAULT_RULES] + ["at_risk", None], dtype=object)
    code[np.isnan(a) | np.isnan(f)] = len(table) - 1  # a blank input: a blank cell
    if code.ndim == 0:  # one cell (an error in it was returned above)
        return table[int(code)]
    out = table[code]
    for err in (f_err, a_err):  # achievement's error wins over the timeline's, as before
        if err is not None:
            rows = np.broadcast_to(err != None, shape)  # noqa: E711 - element-wise on an object array
            out[rows] = np.broadcast_to(err, shape)[rows]
    return out


def _numbers(v: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """A row-wise result as (floats with NaN for blank and error rows, the errors or None)."""
    if isinstance(v, np.ndarray) and v.dtype == object:
        flat = v.ravel().tolist()
        nums = np.array([x if type(x) is float else np.nan for x in flat], dtype=np.float64).reshape(v.shape)
        errs = np.array([x if isinstance(x, XlError) else None for x in flat], dtype=object).reshape(v.shape)
        return nums, errs
    return np.asarray(v, dtype=np.float64), None


_NO_CAP = 1e308  # stands for "no cap" (an infinite input would read as #NUM!)


@excel_errors
def payout(
    achievement: Annotated[Any, Range("Achievement as a ratio (1 = 100 % of target).")],
    threshold: Annotated[Any, Range("Achievement below which nothing is paid, e.g. 0.8.")],
    accelerator: Annotated[Any, Range("Multiplier on achievement above 100 %. Default 1.")] = 1,
    cap: Annotated[Any, Range("Highest payout, e.g. 1.5 (optional: no cap).")] = None,
) -> Any:
    """Incentive payout as a fraction of the target bonus.

    Formula: 0 below threshold; equal to achievement from threshold up to 1 (100 %);
    1 + (achievement − 1) × accelerator above 1; never above cap when one is given.
    Units: ratio of the target bonus (1.4 = 140 % of the bonus).
    Convention: the classic quota plan: a floor, a linear ramp and an accelerator
    above plan. PAYOUT(0.9, 0.8) = 0.9; PAYOUT(1.2, 0.8, 2, 1.5) = 1.4. A blank
    accelerator or cap cell (alone or in a range) means what leaving it out means:
    no accelerator (1), no cap; a blank achievement or threshold gives a blank row.
    Errors: #NUM! for a threshold outside 0–1, a negative accelerator or a cap
    below 0.
    Source: Zoltners, Sinha & Lorimer (2006), "The Complete Guide to Sales Force Incentive Compensation".
    """
    no_cap = _omitted(cap)
    r = Rows(achievement=achievement, threshold=threshold, accelerator=1.0 if _omitted(accelerator) else accelerator,
             cap=_NO_CAP if no_cap else cap)
    a, t, k, c = r.arrays
    if not finite(k):  # a blank accelerator cell: no accelerator, as when it is left out
        k = np.where(np.isnan(k), 1.0, k)
    if not no_cap and not finite(c):  # a blank cap cell: no cap, as when it is left out
        c = np.where(np.isnan(c), _NO_CAP, c)
    with np.errstate(all="ignore"):
        ramp = np.where(a > 1.0, 1.0 + (a - 1.0) * k, a)
        out = np.where(a < t, 0.0, np.minimum(ramp, c))
    if not finite(t):  # a blank threshold the formula would hide: a blank row
        out[np.broadcast_to(np.isnan(t), out.shape)] = np.nan
    rules = [(lambda a, t, k, c: (t < 0) | (t > 1), NUM), (lambda a, t, k, c: k < 0, NUM),
             (lambda a, t, k, c: c < 0, NUM)]
    return r.result(out, domain=rules)


@excel_errors
def okr_score(
    scores: Annotated[Any, Range("Score of each key result, 0.0 to 1.0 (clipped).")],
    weights: Annotated[Any, Range("Weight of each key result (optional: equal weights).")] = None,
) -> Any:
    """OKR score of an objective: weighted mean of its key results' scores, each clipped to 0–1.

    Formula: Σ wᵢ × min(max(scoreᵢ, 0), 1) / Σ wᵢ (weights default to 1).
    Units: 0.0–1.0; 0.7 is a good score (Google's grading: 0.7–1.0 delivered,
    0.4–0.6 progress, below 0.4 missed).
    Convention: blank scores are left out together with their weights.
    Errors: #DIV/0! with no scores or weights summing to 0; #NUM! for a negative weight.
    Source: Google re:Work, "Guide: Set goals with OKRs" (0.0–1.0 grading).
    """
    from ._args import aligned

    if _omitted(weights):
        s = aligned(("scores", scores))[0]
        if s.size == 0:
            raise KpiInputError(DIV0, "scores: no key-result score")
        return float(np.clip(s, 0.0, 1.0).mean())
    s, w = aligned(("scores", scores), ("weights", weights, 1.0))
    if s.size == 0:
        raise KpiInputError(DIV0, "scores: no key-result score")
    if not nonneg(w) and (w < 0).any():  # aligned leaves no NaN or inf
        raise KpiInputError(NUM, "weights: must not be negative")
    with np.errstate(over="ignore", invalid="ignore"):
        total = w.sum()
        part = np.clip(s, 0.0, 1.0)
        part *= w
        score = part.sum() / total
    if total == 0:
        raise KpiInputError(DIV0, "weights: add up to 0")
    if not (np.isfinite(total) and np.isfinite(score)):  # huge weights overflowed: only the proportions matter
        w = w / w.max()
        score = np.sum(np.clip(s, 0.0, 1.0) * w) / np.sum(w)
    return float(score)
