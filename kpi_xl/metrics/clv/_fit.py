"""What the models share: errors, checked inputs, maximum likelihood on log-parameters, standard errors."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ...errors import N_, SaidError

#: Log-parameters are kept within exp(±LOG_BOUND); an estimate at the bound means the data
#: push that parameter to 0 or infinity, i.e. they do not identify the model.
LOG_BOUND = 18.0


class ClvError(SaidError):
    """Base of the errors of the CLV models: an English message id and its values (shown in the
    reader's language by the layer that shows it, :func:`kpi_xl.i18n.text`)."""


class ClvInputError(ClvError):
    """Inputs that are not a customer summary (negative counts, recency after the end...)."""


class NotIdentifiedError(ClvError):
    """The data cannot identify the model's parameters; the message says why in words."""


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """Σ a·b without BLAS: a multi-threaded BLAS (OpenBLAS) leaves threads spinning after each call,
    which on a small, shared machine slowed every fit step here up to a hundredfold."""
    return float(np.sum(a * b))


def column(values, name: str, *, dtype=np.float64) -> np.ndarray:
    """A 1-D finite float array (a Series, list or array), or ClvInputError naming ``name``."""
    try:
        arr = np.asarray(values, dtype=dtype).reshape(-1)
    except (TypeError, ValueError):
        raise ClvInputError(f"{name} must be numbers") from None
    bad = ~np.isfinite(arr)
    if bad.any():
        raise ClvInputError(f"{name} must be numbers: row {int(np.argmax(bad)) + 1} is {arr[bad][0]}")
    return arr


def summary(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Checked (frequency, recency, T) arrays of one length, or ClvInputError saying which row is wrong."""
    x, tx, t = column(frequency, "frequency"), column(recency, "recency"), column(T, "T")
    if not len(x) == len(tx) == len(t):
        raise ClvInputError(f"frequency, recency and T must have one value per customer "
                            f"(got {len(x)}, {len(tx)} and {len(t)})")
    checks = [
        ((x < 0) | (x != np.round(x)), "frequency must be a whole number of repeat purchases, 0 or more"),
        (tx < 0, "recency must be 0 or more"),
        (tx > t * (1 + 1e-12), "recency (time of the last purchase) cannot be after T (the customer's age)"),
        ((x == 0) & (tx != 0), "recency must be 0 for a customer with no repeat purchase"),
    ]
    for bad, why in checks:
        if bad.any():
            i = int(np.argmax(bad))
            raise ClvInputError(f"{why}: customer {i + 1} has frequency {x[i]:g}, recency {tx[i]:g}, T {t[i]:g}")
    return x, tx, t


def compress(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of ``columns`` and how many times each occurs: the likelihood is a weighted
    sum over these (customers with the same summary contribute the same term)."""
    order = np.lexsort(columns[::-1])
    sorted_cols = [c[order] for c in columns]
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for c in sorted_cols:
        change[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(change)
    counts = np.diff(np.append(starts, len(order)))
    return [c[starts] for c in sorted_cols], counts.astype(np.float64)


def maximize(neg_ll: Callable[[np.ndarray], tuple[float, np.ndarray]], start: np.ndarray,
             names: tuple[str, ...], n: float, why: Callable[[str, bool], str], *,
             at_bound_ok: bool = False) -> np.ndarray:
    """Parameters maximising the log-likelihood, by L-BFGS-B on their logarithms.

    ``neg_ll(params)`` returns minus the log-likelihood and its gradient in the natural
    parameters; ``n`` scales the objective to a mean (better conditioned); ``why(name, high)``
    is the message id for a parameter ``name`` driven to a bound (``at_bound_ok``: the estimate at the bound
    is returned instead, for a likelihood used only for its value).
    """

    def objective(theta):
        params = np.exp(theta)
        value, grad = neg_ll(params)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(theta)
        return value / n, grad * params / n

    from scipy import optimize  # here, not at import: P_ALIVE and CLV_PREDICT apply a fit, never run one

    theta0 = np.log(start)
    result = optimize.minimize(objective, theta0, jac=True, method="L-BFGS-B",
                               bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
                               options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-10})
    theta = result.x
    for name, value in zip(names, theta):
        if abs(value) > LOG_BOUND - 0.5 and not at_bound_ok:
            raise NotIdentifiedError(why(name, value > 0), name=name)
    if not np.isfinite(result.fun):
        raise NotIdentifiedError(N_("the likelihood of these data is not finite at any parameter values"))
    return np.exp(theta)


def standard_errors(neg_ll: Callable[[np.ndarray], tuple[float, np.ndarray]], params: np.ndarray,
                    names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Covariance and standard errors from the observed information: the Hessian of minus the
    log-likelihood at the estimate, by central differences of the analytic gradient."""
    k = len(params)
    hessian = np.empty((k, k))
    for j in range(k):
        h = 1e-5 * params[j]
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        hessian[:, j] = (neg_ll(up)[1] - neg_ll(down)[1]) / (2 * h)
    hessian = (hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        raise NotIdentifiedError(N_(
            "the data do not pin the parameters down: the likelihood is flat along a combination of "
            "{names} (more customers, or a longer history, are needed)"), names=tuple(names)) from None
    cov = np.linalg.inv(hessian)
    return cov, np.sqrt(np.diag(cov))


def fitted(model, neg_ll: Callable[[np.ndarray], tuple[float, np.ndarray]], params: np.ndarray,
           names: tuple[str, ...], n_customers: int):
    """Set what every fitted model carries (lifetimes' convention: names end in ``_``):
    ``params_``, ``standard_errors_``, ``covariance_``, ``log_likelihood_``, ``n_customers_``."""
    model.covariance_, se = standard_errors(neg_ll, params, names)
    model.params_ = dict(zip(names, (float(p) for p in params)))
    model.standard_errors_ = dict(zip(names, (float(s) for s in se)))
    model.log_likelihood_ = -neg_ll(params)[0]
    model.n_customers_ = n_customers
    return model
