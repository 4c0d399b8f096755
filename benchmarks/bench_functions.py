"""How much slower than plain NumPy are kpi-xl's row-wise worksheet functions?

For every row-wise function in :mod:`kpi_xl.udfs` this script

* builds realistic random columns of shape ``(rows, 1)`` with a fixed seed: a
  *clean* set where every row is valid, and a *dirty* copy where ~1 % of the
  rows have a blank cell (NaN) and ~0.1 % hit an error (a zero denominator);
* times the UDF called the way xlwings calls it: the function object from
  ``kpi_xl.udfs``, called positionally with 2-D float64 arrays (what xlwings'
  numpy converter, ``convert=np.ndarray, ndim=2``, makes of a range: blanks
  become NaN), optional arguments given as their defaults, as xlwings fills in
  an omitted argument;
* times a hand-written NumPy expression of the same formula on the same arrays
  (inside ``np.errstate(all="ignore")``);
* checks the UDF's clean result against the NumPy expression (``np.allclose``),
  and the dirty result row by row (blank rows -> None, error rows -> an error
  string, other rows -> the NumPy value), so it can't silently time a wrong
  function.

Times are the minimum of ``--repeat`` runs (``time.perf_counter``), after one
untimed warm-up call whose result is the one checked. UDF and NumPy runs
alternate so both see the same machine state. The garbage collector is off while
timing (as in ``timeit``). What xlwings does before (reading the range) and after
(``conversion.write``, ``tolist()``) the call is not timed: it is the same for any
implementation of the function.

Run:  python benchmarks/bench_functions.py [--rows 1000000] [--repeat 5] [--check]

The ratio is UDF time / NumPy time. The project's target is a clean ratio of at
most 2.5 for every row-wise function. The exit code is 0 (it is a report) unless
``--check`` is given: then 1 when a clean ratio is over the target or a result
does not match.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

try:
    from kpi_xl import udfs
except ImportError:  # not installed: use the checkout this script lives in
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kpi_xl import udfs

TARGET = 2.5
BLANK_SHARE = 0.01
ERROR_SHARE = 0.001

Arrays = list[np.ndarray]


# ------------------------------------------------------------------------ inputs


def _col(x: np.ndarray) -> np.ndarray:
    """A range as xlwings hands it over: 2-D float64, one column."""
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64).reshape(-1, 1))


def _ints(g: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    return g.integers(lo, hi, n).astype(np.float64)


def _money(g: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return np.round(g.uniform(lo, hi, n), 2)


def _part(g: np.random.Generator, total: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """A count that is a share of ``total`` (binomial, so never more than total)."""
    return g.binomial(total.astype(np.int64), g.uniform(lo, hi, total.size)).astype(np.float64)


def _share_of(g: np.random.Generator, total: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """An amount that is a share of ``total`` (money)."""
    return np.round(total * g.uniform(lo, hi, total.size), 2)


def _zero(*positions: int) -> Callable[[Arrays, np.ndarray], None]:
    """Error rows: set the arguments at ``positions`` to 0 in those rows."""

    def spoil(arrays: Arrays, rows: np.ndarray) -> None:
        for p in positions:
            arrays[p][rows] = 0.0

    return spoil


@dataclass
class Case:
    name: str
    udf: Callable[..., Any]
    make: Callable[[np.random.Generator, int], Arrays]  # clean columns (flat)
    ref: Callable[..., np.ndarray]  # the formula in plain NumPy
    spoil: Callable[[Arrays, np.ndarray], None]  # puts an error in the given rows
    extra: tuple = ()  # trailing non-range arguments, as xlwings passes them
    #: the per-row inputs that make a row blank (default: the arguments themselves)
    row_inputs: Callable[[Arrays], Arrays] | None = None
    #: rows that error, from the rows handed to ``spoil`` (default: the same rows)
    error_rows: Callable[[np.ndarray, int], np.ndarray] | None = None
    #: the clean result has blank rows by definition (so it is an object array)
    clean_has_blank: bool = False
    notes: list[str] = field(default_factory=list)
    #: (result, NumPy result, blank mask, error mask) -> problem; default: numbers
    check: Callable[[Any, np.ndarray, np.ndarray | None, np.ndarray | None], str] | None = None


def _ratio_case(name, udf, make, *, den=1):
    return Case(name, udf, make, lambda n, d: n / d, _zero(den))


def _counts(lo, hi, plo, phi):
    """(part, total) counts: part of total, e.g. conversions of visitors."""

    def make(g, n):
        total = _ints(g, lo, hi, n)
        return [_part(g, total, plo, phi), total]

    return make


def _amount_per(lo, hi, clo, chi):
    """(amount, count), e.g. revenue and orders."""

    def make(g, n):
        return [_money(g, lo, hi, n), _ints(g, clo, chi, n)]

    return make


def _prev(v: np.ndarray) -> np.ndarray:
    p = np.empty_like(v)
    p[0] = np.nan
    p[1:] = v[:-1]
    return p


def _period_growth_ref(v: np.ndarray) -> np.ndarray:
    out = np.empty_like(v)
    out[0] = np.nan
    np.divide(v[1:] - v[:-1], np.abs(v[:-1]), out=out[1:])
    return out


def _make_growth(g, n):
    previous = _money(g, 1e3, 1e5, n)
    previous[g.random(n) < 0.05] *= -1  # a few loss-making periods
    current = np.round(previous + np.abs(previous) * g.normal(0.05, 0.2, n), 2)
    return [current, previous]


def _make_achievement_baseline(direction):
    def make(g, n):
        baseline = _money(g, 50, 150, n)
        step = g.uniform(10, 50, n)
        target = baseline + step if direction == "higher" else baseline - step
        sign = 1 if direction == "higher" else -1
        actual = np.round(baseline + sign * step * g.uniform(-0.3, 1.3, n), 2)
        return [actual, np.round(target, 2), baseline]

    return make


def _spoil_baseline(arrays: Arrays, rows: np.ndarray) -> None:
    arrays[1][rows] = arrays[2][rows]  # target == baseline


def _spoil_period(arrays: Arrays, rows: np.ndarray) -> None:
    arrays[0][rows] = 0.0  # the next period divides by 0


def _make_timeline(g, n):
    """(start, end, as_of) serial days: goals of 30 to 365 days, measured on a day inside."""
    start = np.floor(_serials(g, n))
    end = start + _ints(g, 30, 366, n)
    as_of = start + np.floor(g.uniform(0, 1, n) * (end - start + 1))
    return [start, end, as_of]


def _fraction(s, e, a):
    s, e, a = np.floor(s), np.floor(e), np.floor(a)
    return np.minimum((a - s + 1.0) / (e - s + 1.0), 1.0)


def _status_ref(a, t, s, e, d):
    ach = a / t
    p = ach / _fraction(s, e, d)
    return np.select([ach >= 1.0, p >= 0.95, p >= 0.85], ["Achieved", "On track", "Behind"], "At risk")


def _check_status(got, want, blank, err) -> str:
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        return f"returned {type(got).__name__} {getattr(got, 'shape', '')}"
    g = got.reshape(-1).tolist()
    w = want.reshape(-1).tolist()
    b = blank.reshape(-1).tolist() if blank is not None else [False] * len(g)
    e = err.reshape(-1).tolist() if err is not None else [False] * len(g)
    for gi, wi, bi, ei in zip(g, w, b, e):
        if bi:
            ok = gi is None
        elif ei:
            ok = isinstance(gi, str) and gi.startswith("#")
        else:
            ok = gi == wi
        if not ok:
            return f"{gi!r} where {'blank' if bi else 'an error' if ei else repr(wi)} was expected"
    return ""


def _cases() -> list[Case]:
    u = udfs
    cases = [
        # --- plain ratios (kpi_xl.metrics._ratio.ratio)
        _ratio_case("CHURN", u.CHURN, _counts(50, 5000, 0.01, 0.1)),
        _ratio_case("CONVERSION", u.CONVERSION, _counts(100, 100_000, 0.005, 0.1)),
        _ratio_case("CTR", u.CTR, _counts(1000, 1_000_000, 0.001, 0.05)),
        _ratio_case("ENGAGEMENT_RATE", u.ENGAGEMENT_RATE, _counts(100, 1_000_000, 0.0, 0.1)),
        _ratio_case("BOUNCE_RATE", u.BOUNCE_RATE, _counts(10, 100_000, 0.2, 0.8)),
        _ratio_case("WIN_RATE", u.WIN_RATE, _counts(1, 200, 0.1, 0.5)),
        _ratio_case(
            "PAGES_PER_SESSION",
            u.PAGES_PER_SESSION,
            lambda g, n: (lambda s: [np.round(s * g.uniform(1, 8, n)), s])(_ints(g, 10, 100_000, n)),
        ),
        _ratio_case("AOV", u.AOV, _amount_per(100, 1e6, 1, 5000)),
        _ratio_case("ARPA", u.ARPA, _amount_per(1e3, 1e6, 1, 1000)),
        _ratio_case("CAC", u.CAC, _amount_per(1e3, 1e5, 1, 200)),
        _ratio_case("CPA", u.CPA, _amount_per(100, 5e4, 1, 2000)),
        _ratio_case(
            "LTV_CAC", u.LTV_CAC, lambda g, n: [_money(g, 500, 20_000, n), _money(g, 100, 5000, n)]
        ),
        _ratio_case(
            "ROA",
            u.ROA,
            lambda g, n: [np.round(g.normal(5e5, 1e6, n), 2), _money(g, 1e6, 1e8, n)],
        ),
        _ratio_case(
            "MARKET_SHARE",
            u.MARKET_SHARE,
            lambda g, n: (lambda m: [_share_of(g, m, 0.0, 0.3), m])(_money(g, 1e6, 1e9, n)),
        ),
        _ratio_case(
            "SHRINKAGE",
            u.SHRINKAGE,
            lambda g, n: (lambda inv: [_share_of(g, inv, 0.0, 0.03), inv])(_money(g, 1e4, 1e7, n)),
        ),
        # --- other row-wise formulas
        Case(
            "ROI",
            u.ROI,
            lambda g, n: [_money(g, 0, 2e5, n), _money(g, 1e3, 1e5, n)],
            lambda gain, cost: (gain - cost) / cost,
            _zero(1),
        ),
        Case(
            "GROSS_MARGIN",
            u.GROSS_MARGIN,
            lambda g, n: (lambda r: [r, _share_of(g, r, 0.2, 0.9)])(_money(g, 1e3, 1e6, n)),
            lambda rev, cogs: (rev - cogs) / rev,
            _zero(0, 1),
        ),
        Case(
            "GROWTH_RATE",
            u.GROWTH_RATE,
            _make_growth,
            lambda c, p: (c - p) / np.abs(p),
            _zero(1),
        ),
        Case(
            "RETENTION",
            u.RETENTION,
            lambda g, n: (
                lambda start, new: [start - _part(g, start, 0.01, 0.1) + new, start, new]
            )(_ints(g, 50, 5000, n), _ints(g, 0, 500, n)),
            lambda e, s, new: (e - new) / s,
            _zero(1),
        ),
        Case(
            "NRR",
            u.NRR,
            lambda g, n: (lambda s: [s, _share_of(g, s, 0, 0.2), _share_of(g, s, 0, 0.05), _share_of(g, s, 0, 0.05)])(
                _money(g, 1e3, 1e5, n)
            ),
            lambda s, e, c, ch: (s + e - c - ch) / s,
            _zero(0, 1, 2, 3),
        ),
        Case(
            "GRR",
            u.GRR,
            lambda g, n: (lambda s: [s, _share_of(g, s, 0, 0.1), _share_of(g, s, 0, 0.1)])(_money(g, 1e3, 1e5, n)),
            lambda s, c, ch: (s - c - ch) / s,
            _zero(0, 1, 2),
        ),
        Case(
            "CAC_PAYBACK",
            u.CAC_PAYBACK,
            lambda g, n: [_money(g, 100, 5000, n), _money(g, 20, 2000, n), np.round(g.uniform(0.5, 0.95, n), 3)],
            lambda c, a, m: c / (a * m),
            _zero(1),
        ),
        Case(
            "QUICK_RATIO",
            u.QUICK_RATIO,
            lambda g, n: [
                _money(g, 0, 5e4, n),
                _money(g, 0, 2e4, n),
                _money(g, 10, 1e4, n),
                _money(g, 10, 1e4, n),
            ],
            lambda nw, e, c, ch: (nw + e) / (c + ch),
            _zero(2, 3),
        ),
        Case(
            "CLTV",
            u.CLTV,
            lambda g, n: [
                _money(g, 20, 2000, n),
                np.round(g.uniform(0.005, 0.2, n), 4),
                np.round(g.uniform(0.5, 0.95, n), 3),
                np.round(g.uniform(0.0, 0.02, n), 4),
            ],
            lambda a, c, m, d: a * m * (1 + d) / (c + d),
            _zero(1),
        ),
        Case(
            "CAGR",
            u.CAGR,
            lambda g, n: (lambda b: [b, _share_of(g, b, 0.5, 3.0), _ints(g, 1, 11, n)])(_money(g, 1e3, 1e5, n)),
            lambda b, e, k: (e / b) ** (1.0 / k) - 1.0,
            _zero(0),  # begin value 0: #NUM!
        ),
        Case(
            "ACHIEVEMENT",
            u.ACHIEVEMENT,
            lambda g, n: [_money(g, 0, 150, n), _money(g, 50, 200, n)],
            lambda a, t: a / t,
            _zero(1),
            extra=(None, "higher"),
        ),
        Case(
            "ACHIEVEMENT lower",
            u.ACHIEVEMENT,
            lambda g, n: [_money(g, 1, 150, n), _money(g, 50, 200, n)],
            lambda a, t: t / a,
            _zero(0),
            extra=(None, "lower"),
        ),
        Case(
            "ACHIEVEMENT base",
            u.ACHIEVEMENT,
            _make_achievement_baseline("higher"),
            lambda a, t, b: (a - b) / (t - b),
            _spoil_baseline,
            extra=("higher",),
        ),
        Case(
            "ACHIEVEMENT base lower",
            u.ACHIEVEMENT,
            _make_achievement_baseline("lower"),
            lambda a, t, b: (b - a) / (b - t),
            _spoil_baseline,
            extra=("lower",),
        ),
        Case(
            "PACE",
            u.PACE,
            lambda g, n: (lambda t: [np.round(t * g.uniform(0, 1.2, n), 2), t, *_make_timeline(g, n)])(
                _money(g, 100, 1e5, n)),
            lambda a, t, s, e, d: a / (t * _fraction(s, e, d)),
            _zero(1),
            extra=(0,),
        ),
        Case(
            "FORECAST_END",
            u.FORECAST_END,
            lambda g, n: [_money(g, 0, 1e5, n), *_make_timeline(g, n)],
            lambda a, s, e, d: a / _fraction(s, e, d),
            lambda arrays, rows: arrays[3].__setitem__(rows, arrays[1][rows] - 5),  # as_of before start: #N/A
        ),
        Case(
            "PAYOUT",
            u.PAYOUT,
            lambda g, n: [np.round(g.uniform(0, 1.6, n), 3), g.choice([0.7, 0.8], n), g.choice([1.0, 1.5, 2.0], n),
                          g.choice([1.5, 2.0], n)],
            lambda a, t, k, c: np.where(a < t, 0.0, np.minimum(np.where(a > 1.0, 1.0 + (a - 1.0) * k, a), c)),
            lambda arrays, rows: arrays[1].__setitem__(rows, 2.0),  # threshold above 1: #NUM!
        ),
        Case(
            "STATUS",
            u.STATUS,
            lambda g, n: (lambda t: [np.round(t * g.uniform(0, 1.2, n), 2), t, *_make_timeline(g, n)])(
                _money(g, 100, 1e5, n)),
            _status_ref,
            lambda arrays, rows: arrays[3].__setitem__(rows, arrays[2][rows] - 10),  # end before start: #NUM!
            extra=(None, "higher", None),
            check=_check_status,
            notes=["a word per row: the result is an object array of str (NumPy's np.select gives <U8)"],
        ),
        Case(
            "PERIOD_GROWTH",
            u.PERIOD_GROWTH,
            lambda g, n: [_money(g, 1e3, 1e5, n)],
            _period_growth_ref,
            _spoil_period,
            row_inputs=lambda arrays: [arrays[0], _prev(arrays[0])],
            error_rows=lambda rows, n: rows + 1,
            clean_has_blank=True,
            notes=["first row is blank by definition, so even the clean result is an object array "
                   "(Python objects for every cell); outside the 2.5 target, see benchmarks/README.md"],
        ),
    ]
    return cases


# ------------------------------------------------------------------ aggregates


@dataclass
class Agg:
    """An aggregate (one number, or a small table, from whole ranges).

    ``ref`` is the formula in plain NumPy on clean columns; ``ref_dirty`` the same
    formula written to skip blanks (or give them their default) as the function's
    docstring says, so that the dirty comparison is honest too. Dirty data has
    about 1 % blank cells in the arguments listed in ``blank_args`` and no error
    row: one error row makes an aggregate an error as a whole.
    """

    name: str
    udf: Callable[..., Any]
    make: Callable[[np.random.Generator, int], Arrays]
    ref: Callable[..., Any]
    ref_dirty: Callable[..., Any]
    blank_args: tuple[int, ...] = (0,)
    extra: tuple = ()
    rtol: float = 1e-9
    notes: list[str] = field(default_factory=list)


def _nan_to(a: np.ndarray, v: float) -> np.ndarray:
    return np.where(np.isnan(a), v, a)


def _serials(g: np.random.Generator, n: int, days: float = 1100.0) -> np.ndarray:
    """Excel date-time serials over about three years from 2023-01-01."""
    return np.round(44927.0 + g.uniform(0, days, n), 6)


_EPOCH_DAYS = np.datetime64("1899-12-30", "D").astype(np.int64)


def _month_table(d: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Hand-written NumPy per-month totals: month index, bincount, months with rows."""
    days = np.floor(d).astype(np.int64) + _EPOCH_DAYS
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    lo = months.min()
    counts = np.bincount(months - lo)
    totals = counts if w is None else np.bincount(months - lo, weights=w)
    return totals[counts > 0]


def _agg_cases() -> list[Agg]:
    u = udfs

    def acv_make(g, n):
        v = _money(g, 1e3, 1e5, n)
        return [v, _ints(g, 1, 4, n), _share_of(g, v, 0.0, 0.1)]

    def frt_make(g, n):
        s = _serials(g, n)
        return [s, np.round(s + g.exponential(0.2, n), 6)]

    def frt_dirty(s, e):
        k = ~np.isnan(s) & ~np.isnan(e)
        return ((e[k] - s[k]) * 24.0).mean()

    def okr_make(g, n):
        return [np.round(g.uniform(-0.1, 1.2, n), 2), _ints(g, 1, 5, n)]

    def nps_ref(s):
        return 100.0 * (np.count_nonzero(s >= 9) - np.count_nonzero(s <= 6)) / s.size

    return [
        Agg("ACV", u.ACV, acv_make,
            lambda v, y, f: ((v - f) / y).mean(),
            lambda v, y, f: ((v - _nan_to(f, 0.0)) / _nan_to(y, 1.0))[~np.isnan(v)].mean(),
            blank_args=(0, 1, 2)),
        Agg("ACV values only", u.ACV, lambda g, n: [_money(g, 1e3, 1e5, n)],
            lambda v: v.mean(), lambda v: np.nanmean(v), extra=(1, 0)),
        Agg("MRR", u.MRR, lambda g, n: [_money(g, 10, 5000, n), g.choice([1.0, 3.0, 12.0], n)],
            lambda a, m: (a / m).sum(), lambda a, m: np.nansum(a / _nan_to(m, 1.0)),
            blank_args=(0, 1), rtol=1e-7),
        Agg("NPS", u.NPS, lambda g, n: [_ints(g, 0, 11, n)], nps_ref, lambda s: nps_ref(s[~np.isnan(s)])),
        Agg("CSAT", u.CSAT, lambda g, n: [_ints(g, 1, 6, n)],
            lambda s: np.count_nonzero(s >= 4) / s.size,
            lambda s: np.count_nonzero(s >= 4) / np.count_nonzero(~np.isnan(s))),
        Agg("FRT", u.FRT, frt_make, lambda s, e: ((e - s) * 24.0).mean(), frt_dirty,
            blank_args=(0, 1), rtol=1e-6,
            notes=["dates as Excel serial numbers; FRT rounds each wait to the millisecond, "
                   "so it is compared at rtol 1e-6"]),
        Agg("RESOLUTION_TIME", u.RESOLUTION_TIME, frt_make, lambda s, e: ((e - s) * 24.0).mean(), frt_dirty,
            blank_args=(0, 1), rtol=1e-6),
        Agg("TICKETS_RESOLVED", u.TICKETS_RESOLVED, lambda g, n: [_serials(g, n)],
            lambda t: np.count_nonzero((t >= 45292.0) & (t < 45658.0)),
            lambda t: np.count_nonzero((t >= 45292.0) & (t < 45658.0)),
            extra=(45292.0, 45657.0)),  # 2024-01-01 .. 2024-12-31
        Agg("OKR_SCORE", u.OKR_SCORE, okr_make,
            lambda s, w: (np.clip(s, 0.0, 1.0) * w).sum() / w.sum(),
            lambda s, w: (lambda k, w1: (np.clip(s[k], 0.0, 1.0) * w1[k]).sum() / w1[k].sum())(
                ~np.isnan(s), _nan_to(w, 1.0)),
            blank_args=(0, 1)),
        Agg("COUNT_PER_PERIOD", u.COUNT_PER_PERIOD, lambda g, n: [_serials(g, n)],
            lambda d: _month_table(d, None), lambda d: _month_table(d[~np.isnan(d)], None)),
        Agg("SUM_PER_PERIOD", u.SUM_PER_PERIOD, lambda g, n: [_serials(g, n), _money(g, 1, 1000, n)],
            lambda d, v: _month_table(d, v),
            lambda d, v: (lambda k: _month_table(d[k], v[k]))(~np.isnan(d) & ~np.isnan(v)),
            blank_args=(0, 1), rtol=1e-7),
    ]


def _agg_value(got: Any) -> Any:
    """An aggregate's result as numbers: a float, or the table's second column."""
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[1] == 2:
        return np.array(got[:, 1].tolist(), dtype=np.float64)
    return got


def _check_agg(got: Any, want: Any, rtol: float) -> str:
    got = _agg_value(got)
    if isinstance(got, str):
        return f"returned {got!r}"
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"returned {type(got).__name__}"
    w = np.asarray(want, dtype=np.float64)
    if g.shape != w.shape or not np.allclose(g, w, rtol=rtol, atol=0.0):
        return f"{str(got)[:40]} != NumPy {str(want)[:40]}"
    return ""


def run_agg(case: Agg, rows: int, repeat: int, seed: int) -> "Row":
    g = np.random.default_rng(seed)
    clean = [_col(a) for a in case.make(g, rows)]
    dirty = [a.copy() for a in clean]
    n_blank = max(1, round(rows * BLANK_SHARE))
    rows_b = g.permutation(rows)[:n_blank]
    which = g.choice(np.array(case.blank_args), n_blank)
    for k in case.blank_args:
        dirty[k][rows_b[which == k]] = np.nan

    def numpy_on(ref, arrays):
        flat = [a.reshape(-1) for a in arrays]

        def call():
            with np.errstate(all="ignore"):
                return ref(*flat)

        return call

    def udf_on(arrays):
        args = (*arrays, *case.extra)
        return lambda: case.udf(*args)

    problems = []
    for label, arrays, ref in (("clean", clean, case.ref), ("dirty", dirty, case.ref_dirty)):
        p = _check_agg(udf_on(arrays)(), numpy_on(ref, arrays)(), case.rtol)
        if p:
            problems.append(f"{label}: {p}")
    u, n = time_pair(udf_on(clean), numpy_on(case.ref, clean), repeat)
    ud, nd = time_pair(udf_on(dirty), numpy_on(case.ref_dirty, dirty), repeat)
    return Row(case.name, u * 1e3, n * 1e3, ud * 1e3, nd * 1e3, "; ".join(problems))


def build(case: Case, rows: int, seed: int) -> tuple[Arrays, Arrays, np.ndarray, np.ndarray]:
    """(clean, dirty, blank-row mask, error-row mask) for one case."""
    g = np.random.default_rng(seed)
    clean = [_col(a) for a in case.make(g, rows)]
    dirty = [a.copy() for a in clean]
    order = g.permutation(rows - 1)  # the last row is never picked (PERIOD_GROWTH spoils row + 1)
    n_blank = max(1, round(rows * BLANK_SHARE))
    n_error = max(1, round(rows * ERROR_SHARE))
    blank_rows = order[:n_blank]
    error_rows = order[n_blank : n_blank + n_error]
    which = g.integers(0, len(dirty), n_blank)  # one blank cell per blank row, in any argument
    for k, arr in enumerate(dirty):
        arr[blank_rows[which == k]] = np.nan
    case.spoil(dirty, error_rows)
    inputs = case.row_inputs(dirty) if case.row_inputs else dirty
    blank = np.zeros((rows, 1), dtype=bool)
    for a in inputs:
        blank |= np.isnan(a)
    err = np.zeros((rows, 1), dtype=bool)
    err_idx = case.error_rows(error_rows, rows) if case.error_rows else error_rows
    err[err_idx[err_idx < rows]] = True
    err &= ~blank
    return clean, dirty, blank, err


# ------------------------------------------------------------------------ checks


def _check_clean(case: Case, got: Any, want: np.ndarray) -> str:
    if not isinstance(got, np.ndarray):
        return f"returned {type(got).__name__}: {str(got)[:60]!r}"
    if got.shape != want.shape:
        return f"shape {got.shape} != {want.shape}"
    try:
        vals = got.astype(np.float64) if got.dtype == object else got  # None -> NaN
    except (TypeError, ValueError):
        return "has error values on clean data"
    if not np.allclose(vals, want, rtol=1e-9, atol=0.0, equal_nan=True):
        bad = int(np.sum(~np.isclose(vals, want, rtol=1e-9, atol=0.0, equal_nan=True)))
        return f"{bad} rows differ from NumPy"
    if got.dtype != np.float64 and not case.clean_has_blank:
        return f"dtype {got.dtype} on clean data"
    return ""


_is_str = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)


def _check_dirty(got: Any, want: np.ndarray, blank: np.ndarray, err: np.ndarray) -> str:
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        return f"returned {type(got).__name__} {getattr(got, 'shape', '')}"
    if got.dtype != object:
        return f"dtype {got.dtype}: blanks/errors not marked"
    is_none = np.equal(got, None).astype(bool)
    is_err = _is_str(got).astype(bool)
    expect_err = ~blank & (err | ~np.isfinite(want))
    if not np.array_equal(is_none, blank):
        return f"blank rows: {int(is_none.sum())} None, expected {int(blank.sum())}"
    if not np.array_equal(is_err, expect_err):
        return f"error rows: {int(is_err.sum())}, expected {int(expect_err.sum())}"
    num = ~is_none & ~is_err
    if not np.allclose(got[num].astype(np.float64), want[num], rtol=1e-9, atol=0.0):
        return "numbers differ from NumPy"
    return ""


# ------------------------------------------------------------------------ timing


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def time_pair(udf_call: Callable[[], Any], np_call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Min of ``repeat`` runs of each, alternating, GC off."""
    best_u = best_n = math.inf
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            best_u = min(best_u, _timed(udf_call))
            best_n = min(best_n, _timed(np_call))
    finally:
        if enabled:
            gc.enable()
    return best_u, best_n


@dataclass
class Row:
    name: str
    udf_ms: float
    np_ms: float
    udf_dirty_ms: float
    np_dirty_ms: float
    problem: str

    @property
    def ratio(self) -> float:
        return self.udf_ms / self.np_ms

    @property
    def ratio_dirty(self) -> float:
        return self.udf_dirty_ms / self.np_dirty_ms


def run_case(case: Case, rows: int, repeat: int, seed: int) -> Row:
    clean, dirty, blank, err = build(case, rows, seed)

    def numpy_on(arrays: Arrays) -> Callable[[], np.ndarray]:
        def call() -> np.ndarray:
            with np.errstate(all="ignore"):
                return case.ref(*arrays)

        return call

    def udf_on(arrays: Arrays) -> Callable[[], Any]:
        args = (*arrays, *case.extra)
        return lambda: case.udf(*args)

    problems = []
    # warm-up calls, whose results are checked
    want = numpy_on(clean)()
    p = case.check(udf_on(clean)(), want, None, None) if case.check else _check_clean(case, udf_on(clean)(), want)
    if p:
        problems.append("clean: " + p)
    want_d = numpy_on(dirty)()
    check_d = case.check or _check_dirty
    p = check_d(udf_on(dirty)(), want_d, blank, err)
    if p:
        problems.append("dirty: " + p)
    del want, want_d

    u, n = time_pair(udf_on(clean), numpy_on(clean), repeat)
    ud, nd = time_pair(udf_on(dirty), numpy_on(dirty), repeat)
    return Row(case.name, u * 1e3, n * 1e3, ud * 1e3, nd * 1e3, "; ".join(problems))


# ------------------------------------------------------------------------ main


@dataclass
class Generic:
    """A registered KPI with no hand-written NumPy line yet: timed on its registry example
    stretched to ``rows`` rows (kpi_xl.functions.registry.benchmark_cases), so a new KPI is in
    the table from the day it is registered; its ratio waits for a NumPy line in _cases()."""

    name: str
    args: tuple[Any, ...]
    notes: tuple[str, ...] = ("no NumPy line yet: timed on its registry example, no ratio",)


def all_cases(rows: int) -> list[Case | Agg | Generic]:
    """Every registered worksheet function: its hand-written case, else a Generic one."""
    from kpi_xl.functions import registry

    known: list[Case | Agg | Generic] = [*_cases(), *_agg_cases()]
    names = {c.name.split(" ")[0].upper() for c in known}
    for bc in registry.benchmark_cases(rows):
        if bc.name not in names:
            known.append(Generic(bc.name, bc.args))
    return known


def run_generic(case: Generic, repeat: int) -> Row:
    udf = getattr(udfs, case.name)
    result = udf(*case.args)
    problem = "" if not isinstance(result, str) or not result.startswith("#") else f"example gave {result}"
    udf_ms = min(_timed(lambda: udf(*case.args)) for _ in range(repeat)) * 1000
    return Row(case.name, udf_ms, math.nan, math.nan, math.nan, problem)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows per range (default 1,000,000)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs per measurement; the minimum is kept (default 5)")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed (default fixed)")
    ap.add_argument("--only", nargs="*", metavar="NAME", help="run only these cases (names as in the table)")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if a clean ratio is over {TARGET} or a result is wrong")
    args = ap.parse_args(argv)
    if args.rows < 10 or args.repeat < 1:
        ap.error("--rows must be at least 10 and --repeat at least 1")

    cases: list[Case | Agg | Generic] = all_cases(args.rows)
    if args.only:
        wanted = {s.upper() for s in args.only}
        cases = [c for c in cases if c.name.upper() in wanted]
        if not cases:
            ap.error("no case matches --only")

    print(
        f"kpi-xl row-wise UDFs vs plain NumPy: {args.rows:,} rows x 1 column, min of {args.repeat} runs, "
        f"numpy {np.__version__}, python {sys.version.split()[0]}"
    )
    print(f"dirty: {BLANK_SHARE:.1%} of rows with a blank cell, {ERROR_SHARE:.1%} with a zero denominator")
    header = (
        f"{'function':<24}{'ms UDF':>10}{'ms NumPy':>10}{'ratio clean':>13}"
        f"{'ms UDF dirty':>14}{'ms NumPy dirty':>16}{'ratio dirty':>13}  check"
    )
    print(header)
    print("-" * len(header))
    results: list[Row] = []
    t_start = time.perf_counter()
    for i, case in enumerate(cases):
        if isinstance(case, Generic):
            r = run_generic(case, args.repeat)
        elif isinstance(case, Agg):
            r = run_agg(case, args.rows, args.repeat, args.seed + i)
        else:
            r = run_case(case, args.rows, args.repeat, args.seed + i)
        results.append(r)
        flag = " *" if r.ratio > TARGET else "  "
        print(
            f"{r.name:<24}{r.udf_ms:>10.2f}{r.np_ms:>10.2f}{r.ratio:>11.1f}{flag}"
            f"{r.udf_dirty_ms:>14.2f}{r.np_dirty_ms:>16.2f}{r.ratio_dirty:>13.1f}  "
            f"{r.problem or 'ok'}",
            flush=True,
        )
    print("-" * len(header))
    # a function whose clean result holds a blank (PERIOD_GROWTH's first row) must build
    # Python objects for its cells; it is reported but outside the row-wise target
    exempt = {c.name for c in cases if isinstance(c, Case) and c.clean_has_blank}
    exempt |= {c.name for c in cases if isinstance(c, Generic)}  # no NumPy line to compare with yet
    worst = max((r for r in results if r.name not in exempt), key=lambda r: r.ratio)
    over = [r.name for r in results if r.ratio > TARGET and r.name not in exempt]
    wrong = [r.name for r in results if r.problem]
    for c in cases:
        for note in c.notes:
            print(f"note: {c.name}: {note}")
    print(f"(* = clean ratio over {TARGET}; total {time.perf_counter() - t_start:.0f} s)")
    print(
        f"worst clean ratio: {worst.ratio:.1f} ({worst.name}); all clean ratios <= {TARGET}: "
        f"{'yes' if not over else 'no (' + str(len(over)) + ' of ' + str(len(results)) + ' over)'}"
        + (f"; WRONG RESULTS: {', '.join(wrong)}" if wrong else "")
    )
    if args.check and (over or wrong):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
