"""Goal progress: achievement against a target, from a baseline."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DIV0, KpiInputError
from ._args import Rows, choice, excel_errors, floats

__all__ = ["achievement", "DIRECTIONS"]

#: Which way is better for a KPI.
DIRECTIONS = ("higher", "lower")


@excel_errors
def achievement(actual: Any, target: Any, baseline: Any = None, direction: Any = "higher") -> Any:
    """Achievement: progress toward a target as a ratio (0.8 means 80 % of the way).

    Formula: direction "higher" (default): (actual − baseline) / (target − baseline),
    baseline 0 when omitted. Direction "lower" with a baseline:
    (baseline − actual) / (baseline − target); "lower" without one: target / actual.
    Units: ratio; 1 means the target is met, above 1 beaten.
    Convention: a baseline measures progress from where the goal started, so a goal
    to grow from 80 to 100 that stands at 90 is 50 % achieved, not 90 %.
    Errors: #DIV/0! when target equals baseline (or, lower without baseline, actual
    is 0); #VALUE! for an unknown direction.
    Source: seed (目標達成率, SMART goals); common scorecard practice.
    """
    way = choice(direction, "direction", DIRECTIONS, "higher")
    if _omitted(baseline):
        r = Rows(actual=actual, target=target)
        a, t = r.arrays
        with np.errstate(all="ignore"):
            out = a / t if way == "higher" else t / a
        zero = (lambda a, t: t == 0) if way == "higher" else (lambda a, t: a == 0)
        return r.result(out, errors=[(zero, DIV0)])
    r = Rows(actual=actual, target=target, baseline=baseline)
    a, t, b = r.arrays
    with np.errstate(all="ignore"):
        out = (a - b) / (t - b) if way == "higher" else (b - a) / (b - t)
    return r.result(out, errors=[(lambda a, t, b: t == b, DIV0)])


def _omitted(baseline: Any) -> bool:
    """No baseline: None, or a single blank cell (Excel hands a blank reference as NaN)."""
    if baseline is None:
        return True
    try:
        a = floats(baseline, "baseline")
    except KpiInputError:
        return False
    return a.size == 1 and bool(np.isnan(a.reshape(-1)[0]))
