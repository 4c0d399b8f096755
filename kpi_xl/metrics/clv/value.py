"""Discounted customer lifetime value from a fitted BG/NBD and a fitted Gamma-Gamma model."""

from __future__ import annotations

import copy

import numpy as np

from ._fit import ClvInputError, summary

#: Days in an average month (365.25 / 12): a month's length in the models' time unit is this / unit_days.
DAYS_PER_MONTH = 365.25 / 12


def clv(purchases, spend, frequency, recency, T, monetary, *, months: int = 12,
        discount_rate: float = 0.01, margin: float = 1.0, unit_days: float = 1.0) -> np.ndarray:
    """Each customer's discounted value over the next ``months`` (FHL 2005 JMR §"CLV"; as in
    lifetimes' ``customer_lifetime_value``):

        CLV = Σ_{i=1..months} margin · E(M) · (E[Y(t_i)] - E[Y(t_{i-1})]) / (1 + d)^i,

    with t_i = i months in the models' time unit (``unit_days`` days each: 1 for a summary in
    days, 7 in weeks), E[Y] the BG/NBD conditional expectation (``purchases``: a fitted
    :class:`BetaGeo`), E(M) the Gamma-Gamma expected spend (``spend``: a fitted
    :class:`GammaGamma`) and d the monthly ``discount_rate``.
    """
    if not (isinstance(months, (int, np.integer)) and months >= 1):
        raise ClvInputError(f"months must be a whole number, 1 or more (got {months!r})")
    if not (np.isfinite(discount_rate) and discount_rate > -1):
        raise ClvInputError(f"discount_rate must be a number above -1 (got {discount_rate!r})")
    if not (np.isfinite(unit_days) and unit_days > 0):
        raise ClvInputError(f"unit_days must be a positive number (got {unit_days!r})")
    x, tx, t = summary(frequency, recency, T)
    value = spend.expected_spend(x, monetary) * margin
    return value * _discounted_purchases(purchases, x, tx, t, months, discount_rate, unit_days)


def _discounted_purchases(purchases, x, tx, t, months, discount_rate, unit_days) -> np.ndarray:
    """Σ_{i=1..months} (E[Y(t_i)] - E[Y(t_{i-1})]) / (1 + d)^i for each customer: the CLV per unit of
    expected spend (it does not depend on the spend model)."""
    steps = np.arange(months + 1) * (DAYS_PER_MONTH / unit_days)
    cumulative = purchases.expected_purchases(steps, x, tx, t)  # (months + 1, customers)
    per_month = np.diff(cumulative, axis=0)
    discount = (1.0 + discount_rate) ** -np.arange(1, months + 1)
    return (discount[:, None] * per_month).sum(axis=0)  # no BLAS: see _fit.dot


def clv_interval(purchases, spend, frequency, recency, T, monetary, *, level: float = 0.9,
                 **options) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's CLV interval at ``level`` from the parameters' uncertainty (issue 11: intervals
    from the standard errors), by the delta method: the CLV's gradient in the seven parameters
    (central differences), with the two fits' covariance matrices (the fits are independent), gives a
    standard error; the interval is CLV ± z·se, its low end not below 0. On CDNOW its width is within
    a few per cent of the 5-95 % spread of CLVs computed with parameters drawn from each fit's normal
    approximation on the log scale (tests/test_clv.py). ``options`` are :func:`clv`'s."""
    from scipy.stats import norm

    if not 0 < level < 1:
        raise ClvInputError(f"level must be between 0 and 1 (got {level!r})")
    args = (frequency, recency, T, monetary)
    centre = clv(purchases, spend, *args, **options)
    variance = np.zeros_like(centre)
    # the spend model's parameters move the expected spend only: the discounted purchases are computed
    # once for them (the purchase model's expectations are the cost of a CLV)
    x, tx, t = summary(frequency, recency, T)
    o = {"months": 12, "discount_rate": 0.01, "margin": 1.0, "unit_days": 1.0, **options}
    purchases_value = _discounted_purchases(purchases, x, tx, t, o["months"], o["discount_rate"], o["unit_days"])
    for model, which in ((purchases, 0), (spend, 1)):
        names = list(model.params_)
        grads = []
        for name in names:
            h = 1e-4 * model.params_[name]
            ends = []
            for step in (h, -h):
                moved = copy.copy(model)
                moved.params_ = {**model.params_, name: model.params_[name] + step}
                if which == 0:
                    ends.append(clv(moved, spend, *args, **options))
                else:
                    ends.append(moved.expected_spend(x, monetary) * o["margin"] * purchases_value)
            grads.append((ends[0] - ends[1]) / (2 * h))
        g = np.array(grads)  # (parameters, customers)
        variance += np.einsum("ic,ij,jc->c", g, model.covariance_, g)
    half = norm.ppf((1 + level) / 2) * np.sqrt(variance)
    return np.maximum(centre - half, 0.0), centre + half
