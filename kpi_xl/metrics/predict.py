"""Worksheet functions on fitted customer-value models: P_ALIVE and CLV_PREDICT (issue 11).

The models are fitted once (``kpi-xl predict`` writes their parameters on the Customers
sheet); these functions take a customer's history and the parameters as arguments and
apply the fitted models' formulas, without fitting. The parameters are the last arguments
and may be left out: here that gives ``#N/A`` (no value available); in a workbook the
worksheet layer fills them in first from the fitted model's defined names (the registry
says which, :data:`kpi_xl.functions.registry.CLV_MODEL_NAMES`), so that ``=P_ALIVE(E2, F2, G2)``
reads the model ``kpi-xl predict`` fitted. Nothing here reads a workbook. The formulas are those of
:class:`kpi_xl.metrics.clv.BetaGeo` and :class:`kpi_xl.metrics.clv.GammaGamma`, which are
imported on the first call only, so loading the worksheet functions never loads SciPy.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import NA, NUM
from ._args import Rows, _fail, excel_errors, number, omitted
from .kinds import Cell, Range

__all__ = ["p_alive", "clv_predict"]

_FREQUENCY = Range("Repeat purchases: purchase days after the first (0 or more).")
_RECENCY = Range("Days from the customer's first purchase to the last one.")
_T = Range("Days from the customer's first purchase to the as-of date.")
_FITTED = "Default: the workbook's fitted model (kpi-xl predict)."
_R = Cell(f"BG/NBD r. {_FITTED}")
_ALPHA = Cell(f"BG/NBD alpha, in days. {_FITTED}")
_A = Cell(f"BG/NBD a. {_FITTED}")
_B = Cell(f"BG/NBD b. {_FITTED}")
_P = Cell(f"Gamma-Gamma p. {_FITTED}")
_Q = Cell(f"Gamma-Gamma q (above 1). {_FITTED}")
_V = Cell(f"Gamma-Gamma v. {_FITTED}")


def _parameters(names: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, float]:
    missing = [n for n, v in zip(names, values) if omitted(v)]
    if missing:  # left out, and no fitted model filled them in
        raise _fail(NA, ", ".join(missing), "no fitted value: run kpi-xl predict on the workbook, or give it")
    out = {n: number(v, n) for n, v in zip(names, values)}
    for n, v in out.items():
        if not v > 0:
            raise _fail(NUM, n, "must be above 0")
    return out


def _history_rules():
    return [
        (lambda x, tx, t, *_: (x < 0) | (x != np.round(x)), NUM),
        (lambda x, tx, t, *_: (tx < 0) | (tx > t), NUM),
        (lambda x, tx, t, *_: (x == 0) & (tx != 0), NUM),
    ]


def _valid(arrays, rules) -> np.ndarray:
    ok = np.ones(np.broadcast_shapes(*(a.shape for a in arrays)), dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a)
    with np.errstate(all="ignore"):
        for rule, _code in rules:
            ok &= ~np.asarray(rule(*arrays), dtype=bool)
    return ok


@excel_errors
def p_alive(
    frequency: Annotated[Any, _FREQUENCY],
    recency: Annotated[Any, _RECENCY],
    T: Annotated[Any, _T],
    r: Annotated[Any, _R] = None,
    alpha: Annotated[Any, _ALPHA] = None,
    a: Annotated[Any, _A] = None,
    b: Annotated[Any, _B] = None,
) -> Any:
    """Probability that a customer is still active, from the BG/NBD model.

    Formula: P(active) = 1 / (1 + a / (b + x − 1) × ((alpha + T) / (alpha + recency))^(r + x)) for a
    customer with x > 0 repeat purchases; 1 for a customer with none (BG/NBD's convention: a customer
    can only drop out right after a repeat purchase).
    Units: probability 0–1. recency, T and alpha in the same unit (days, as kpi-xl predict fits).
    Convention: leave r, alpha, a and b out to use the model kpi-xl predict fitted in the workbook
    (P_ALIVE(E2, F2, G2)). Such a cell is recomputed when its own arguments change, at kpi-xl refresh
    and at a full recalculation (Ctrl+Alt+F9), not when the model is fitted again: write the
    parameters' cells as arguments for a cell that follows every change at once.
    Errors: #N/A when a parameter is left out and the workbook has no fitted model (run kpi-xl
    predict); #NUM! when a parameter is 0 or less, frequency is not a whole number ≥ 0, recency is
    negative or after T, or recency is not 0 with no repeat purchase.
    Source: Fader, Hardie & Lee (2008), "Computing P(alive) using the BG/NBD model".
    """
    rows = Rows(frequency=frequency, recency=recency, T=T)
    purchases = _model("BetaGeo", _parameters(("r", "alpha", "a", "b"), (r, alpha, a, b)))
    rules = _history_rules()
    out = _on_valid(rows, rules, lambda x, tx, t: purchases.p_alive(x, tx, t))
    return rows.result(out, domain=rules)


def _model(kind: str, params: dict[str, float]):
    """A fitted model of :mod:`kpi_xl.metrics.clv` with ``params`` (SciPy loads here, on the first call)."""
    from . import clv

    model = getattr(clv, kind)()
    model.params_ = params
    return model


def _on_valid(rows: Rows, rules, fn) -> np.ndarray:
    """``fn`` on the rows that are numbers and break no rule; NaN on the others (Rows.result says why)."""
    arrays = [np.atleast_1d(a_) for a_ in rows.arrays]
    ok = _valid(arrays, rules)
    out = np.full(ok.shape, np.nan)
    if ok.any():
        out[ok] = fn(*(np.broadcast_to(a_, ok.shape)[ok] for a_ in arrays))
    return out.reshape(rows.shape) if rows.shape else out.reshape(())


@excel_errors
def clv_predict(
    frequency: Annotated[Any, _FREQUENCY],
    recency: Annotated[Any, _RECENCY],
    T: Annotated[Any, _T],
    monetary: Annotated[Any, Range("Mean value of the repeat purchases (any value with no repeat purchase).")],
    months: Annotated[Any, Cell("Months ahead to value, a whole number, e.g. 12.")],
    discount_rate: Annotated[Any, Cell("Discount rate per month, e.g. 0.01. Default 0.01.")] = None,
    margin: Annotated[Any, Cell("Margin as a ratio 0–1 of each purchase's value. Default 1.")] = None,
    r: Annotated[Any, _R] = None,
    alpha: Annotated[Any, _ALPHA] = None,
    a: Annotated[Any, _A] = None,
    b: Annotated[Any, _B] = None,
    p: Annotated[Any, _P] = None,
    q: Annotated[Any, _Q] = None,
    v: Annotated[Any, _V] = None,
) -> Any:
    """Predicted customer lifetime value over the next months, from BG/NBD and Gamma-Gamma.

    Formula: CLV = Σ_{i=1..months} margin × E(M) × (E[Y(i months)] − E[Y(i−1 months)]) / (1 + d)^i,
    with E[Y(t)] the BG/NBD expected purchases in the next t days given the history and
    E(M) = p (v + monetary × x) / (p x + q − 1) the Gamma-Gamma expected spend per purchase.
    Units: currency per customer. A month is 365.25 / 12 days.
    Convention: leave r, alpha, a, b, p, q and v out to use the models kpi-xl predict fitted in the
    workbook (CLV_PREDICT(E2, F2, G2, H2, 12)). Such a cell is recomputed when its own arguments
    change, at kpi-xl refresh and at a full recalculation (Ctrl+Alt+F9), not when the models are
    fitted again: write the parameters' cells as arguments for a cell that follows every change at once.
    Errors: #N/A when a parameter is left out and the workbook has no fitted model (run kpi-xl
    predict); #NUM! when a parameter is 0 or less, q is 1 or less, months is not a whole number ≥ 1,
    the history is impossible (as for P_ALIVE), or monetary is 0 or less with repeat purchases.
    Source: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base analysis".
    """
    rows = Rows(frequency=frequency, recency=recency, T=T, monetary=monetary)
    bg = _parameters(("r", "alpha", "a", "b"), (r, alpha, a, b))
    gg = _parameters(("p", "q", "v"), (p, q, v))
    n = number(months, "months")
    d = 0.01 if omitted(discount_rate) else number(discount_rate, "discount_rate")
    m = 1.0 if omitted(margin) else number(margin, "margin")
    if n < 1 or n != round(n) or gg["q"] <= 1 or d <= -1 or not 0 <= m <= 1:
        return NUM
    from .clv import clv

    purchases, spend = _model("BetaGeo", bg), _model("GammaGamma", gg)
    rules = _history_rules() + [(lambda x, tx, t, mo: (x > 0) & (mo <= 0), NUM)]
    out = _on_valid(rows, rules, lambda x, tx, t, mo: clv(purchases, spend, x, tx, t, mo, months=int(n),
                                                          discount_rate=d, margin=m))
    return rows.result(out, domain=rules)
