"""The Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves
for customer base analysis", Journal of Marketing Research 42(4), 415-430, and Fader & Hardie
(2013), "The Gamma-Gamma model of monetary value" (note 025).

Each transaction's value is Gamma(p, ν); a customer's ν is Gamma(q, γ) across customers (the
parameter called ``v`` here is γ). A customer is summarised by x (repeat purchases) and m̄ (their
mean value); only customers with x > 0 and m̄ > 0 carry information.
"""

from __future__ import annotations

import numpy as np

from ...errors import N_
from ._fit import dot as _dot, ClvInputError, NotIdentifiedError, column, compress, maximize, fitted

NAMES = ("p", "q", "v")


def _neg_log_likelihood(params, xs, xi, wx, m, w, log_mx_term):
    """Minus the log-likelihood of the mean spends m̄ given x (note 025, eq. 3; FHL 2005 JMR eq. 2):

    f(m̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q (m̄x)^(px-1) x / (γ + m̄x)^(px+q),

    with the Gamma functions taken once per distinct x (``xs``; ``xi`` maps each row to its x, ``wx``
    counts customers per x) and ``log_mx_term`` = Σ w·x·ln(m̄x) precomputed.
    """
    from scipy.special import digamma, gammaln  # here: applying a fitted model needs no SciPy

    p, q, v = params
    x = xs[xi]
    mx = m * x
    log_vmx = np.log(v + mx)
    pxs = p * xs
    ll_x = gammaln(pxs + q) - gammaln(pxs) - gammaln(q)
    psi = digamma(pxs + q)
    wsum = float(w.sum())
    px_q = p * x + q
    ll = (_dot(wx, ll_x) + q * np.log(v) * wsum + p * log_mx_term - _dot(w, (px_q * log_vmx)))
    grad = np.array([
        _dot(wx, (xs * (psi - digamma(pxs)))) + log_mx_term - _dot(w, (x * log_vmx)),
        _dot(wx, (psi - digamma(q))) + np.log(v) * wsum - _dot(w, log_vmx),
        q / v * wsum - _dot(w, (px_q / (v + mx))),
    ])
    return -ll, -grad


def _why(name: str, high: bool) -> str:
    """The message id (its value ``{name}``) for parameter ``name`` driven to infinity (``high``) or 0."""
    return (N_("the spread of spend per purchase is not identified ({name} grows without bound): the customers' "
               "average spends show too little variation (or too much) for the Gamma-Gamma model") if high else
            N_("the spread of spend per purchase is not identified ({name} goes to 0): the customers' average "
               "spends show too little variation (or too much) for the Gamma-Gamma model"))


class GammaGamma:
    """Gamma-Gamma model of spend per purchase, fitted by maximum likelihood on repeat customers.

    Fitted attributes: ``params_`` (dict p, q, v), ``standard_errors_``, ``covariance_``,
    ``log_likelihood_``, ``n_customers_`` (customers used), ``left_out_`` (dict: customers with no
    repeat purchase, and repeat customers with zero or negative mean spend, who were left out) and
    ``correlation_`` (Pearson correlation of frequency and mean spend among those used: the model
    assumes spend is independent of frequency; above about 0.3 its predictions are doubtful).
    """

    def fit(self, frequency, monetary=None) -> "GammaGamma":
        """Maximum-likelihood estimates of p, q, v from each customer's repeat purchases x and mean
        repeat spend m̄ (``frequency`` may also be an :class:`~kpi_xl.metrics.clv.RFM` summary).
        Customers with x = 0 carry no spend information and are left out, as are those with a
        mean spend of 0 or less (counted in ``left_out_``)."""
        if monetary is None and hasattr(frequency, "monetary"):
            frequency, monetary = frequency.frequency, frequency.monetary
        x, m = column(frequency, "frequency"), column(monetary, "monetary")
        if len(x) != len(m):
            raise ClvInputError(f"frequency and monetary must have one value per customer (got {len(x)} and {len(m)})")
        if ((x < 0) | (x != np.round(x))).any():
            raise ClvInputError("frequency must be a whole number of repeat purchases, 0 or more")
        repeat = x > 0
        used = repeat & (m > 0)
        self.left_out_ = {"no repeat purchase": int((~repeat).sum()),
                          "zero or negative spend": int((repeat & ~used).sum())}
        x, m = x[used], m[used]
        if len(x) < 2:
            raise NotIdentifiedError(N_(
                "{n} customer(s) with repeat purchases and a positive spend: the Gamma-Gamma model needs "
                "several to learn how spend varies"), n=len(x))
        (ux, um), weight = compress(x, m)
        if len(um) == 1 or np.ptp(m) == 0:
            raise NotIdentifiedError(N_(
                "all {n} repeat customers have the same mean spend ({spend:g}), which cannot tell how spend "
                "varies"), n=len(x), spend=float(m[0]))

        xs, xi = np.unique(ux, return_inverse=True)
        xi = xi.reshape(-1)
        wx = np.bincount(xi, weights=weight, minlength=len(xs))
        log_mx_term = _dot(weight, (ux * np.log(um * ux)))
        # the terms of the likelihood that hold no parameter: Σ w·(ln x - ln(m̄x))
        constant = _dot(weight, (np.log(ux) - np.log(um * ux)))

        def neg_ll(params):
            value, grad = _neg_log_likelihood(params, xs, xi, wx, um, weight, log_mx_term)
            return value - constant, grad

        mean = float(m.mean())
        start = np.array([1.0, 2.0, mean])  # prior mean spend p·v/(q-1) equals the observed mean
        params = maximize(neg_ll, start, NAMES, float(len(x)), _why)
        fitted(self, neg_ll, params, NAMES, len(x))
        self.correlation_ = float(np.corrcoef(x, m)[0, 1]) if np.ptp(x) > 0 else 0.0
        return self

    def expected_spend(self, frequency, monetary) -> np.ndarray:
        """Expected mean spend per purchase of each customer given x and m̄ (note 025 eq. 5; FHL 2005
        JMR eq. 3): E(M | p, q, γ, m̄, x) = p(γ + m̄x) / (px + q - 1), a weighted mean of the
        population mean pγ/(q-1) and the customer's own m̄. A customer with x = 0 gets the population mean."""
        try:
            p, q, v = (self.params_[n] for n in NAMES)
        except AttributeError:
            raise NotIdentifiedError("the model is not fitted yet: call fit() first") from None
        if q <= 1:
            raise NotIdentifiedError(N_(
                "q = {q:.3g} is 1 or less, so the model's mean spend per purchase is infinite: "
                "a few very large spends dominate; the Gamma-Gamma model does not fit these data"), q=float(q))
        x, m = column(frequency, "frequency"), column(monetary, "monetary")
        m = np.where(x > 0, m, 0.0)
        return p * (v + m * x) / (p * x + q - 1)
