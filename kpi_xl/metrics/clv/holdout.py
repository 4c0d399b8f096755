"""Calibration / holdout: fit on the orders up to a date, check the predictions on the orders after it
(Fader, Hardie & Lee 2005, §4 and Figure 4: holdout purchases by calibration-period frequency)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from ...excel import EPOCH_1900
from ._fit import ClvInputError
from .rfm import RFM, _dates, _DAYS, _periods, rfm_summary


@dataclass(frozen=True)
class Holdout:
    """The calibration summary, each of its customers' purchases in the holdout period (same-period
    purchases merged), and the holdout period's length in the summary's unit."""

    calibration: RFM
    purchases: np.ndarray
    duration: float


@dataclass(frozen=True)
class HoldoutCheck:
    """Predicted vs actual holdout purchases per calibration frequency (0, 1, ..., ``last``+), and the
    error figures: mean absolute error and root mean square error per customer, and bias, the
    relative error of the total (predicted / actual - 1)."""

    frequency: list[str]
    customers: np.ndarray
    actual: np.ndarray
    predicted: np.ndarray
    mae: float
    rmse: float
    bias: float


def holdout_split(customer, date, value=None, calibration_end=None, observation_end=None, freq: str = "D",
                  unit: str | None = None, epoch: dt.datetime = EPOCH_1900) -> Holdout:
    """Orders split at ``calibration_end``: the :func:`rfm_summary` of the orders up to it, and each of
    those customers' purchases after it up to ``observation_end`` (default: the last order).
    Customers whose first purchase falls in the holdout are not in the calibration summary."""
    if calibration_end is None:
        raise ClvInputError("calibration_end must be a date")
    calibration = rfm_summary(customer, date, value, as_of=calibration_end, freq=freq, unit=unit, epoch=epoch)
    customer = np.asarray(customer).reshape(-1)
    days = _dates(date, epoch).reshape(-1)
    start = _dates(np.array([calibration_end]), epoch)[0]
    end = days.max() if observation_end is None else _dates(np.array([observation_end]), epoch)[0]
    if end <= start:
        raise ClvInputError(f"observation_end ({end}) must be after calibration_end ({start})")
    later = (days > start) & (days <= end)
    periods = _periods(days[later], freq)
    where = np.searchsorted(calibration.customer, customer[later])
    where = np.minimum(where, max(len(calibration.customer) - 1, 0))
    known = len(calibration.customer) > 0
    known = known & (calibration.customer[where] == customer[later]) if known else np.zeros(len(where), bool)
    pairs = np.unique(np.stack([where[known], periods[known]]), axis=1) if known.any() else np.zeros((2, 0), int)
    purchases = np.bincount(pairs[0], minlength=len(calibration.customer)).astype(np.int64)
    unit = calibration.unit
    scale = _DAYS[freq] / _DAYS[unit] if freq in _DAYS else 1.0
    duration = float(_periods(np.array([end]), freq)[0] - _periods(np.array([start]), freq)[0]) * scale
    return Holdout(calibration, purchases, duration)


def holdout_check(model, holdout: Holdout, last: int = 7) -> HoldoutCheck:
    """A fitted :class:`~kpi_xl.metrics.clv.BetaGeo`'s conditional expectations (eq. 10) over the
    holdout period against the purchases made in it, grouped by calibration frequency 0..``last``-1
    and ``last``+ (as FHL 2005 Figure 4 groups CDNOW's)."""
    c = holdout.calibration
    predicted = model.expected_purchases(holdout.duration, c.frequency, c.recency, c.T)
    actual = holdout.purchases.astype(np.float64)
    group = np.minimum(c.frequency, last)
    customers = np.bincount(group, minlength=last + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_actual = np.bincount(group, actual, minlength=last + 1) / customers
        mean_predicted = np.bincount(group, predicted, minlength=last + 1) / customers
    error = predicted - actual
    total = actual.sum()
    return HoldoutCheck(
        frequency=[str(i) for i in range(last)] + [f"{last}+"], customers=customers, actual=mean_actual,
        predicted=mean_predicted, mae=float(np.abs(error).mean()), rmse=float(np.sqrt((error ** 2).mean())),
        bias=float(predicted.sum() / total - 1) if total else float("nan"),
    )
