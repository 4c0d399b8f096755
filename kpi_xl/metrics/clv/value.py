"""Discounted customer lifetime value from a fitted BG/NBD and a fitted Gamma-Gamma model."""

from __future__ import annotations

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
    steps = np.arange(months + 1) * (DAYS_PER_MONTH / unit_days)
    cumulative = purchases.expected_purchases(steps, x, tx, t)  # (months + 1, customers)
    per_month = np.diff(cumulative, axis=0)
    discount = (1.0 + discount_rate) ** -np.arange(1, months + 1)
    return value * (discount[:, None] * per_month).sum(axis=0)  # no BLAS: see _fit.dot
