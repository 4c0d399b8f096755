"""The BG/NBD model: Fader, Hardie & Lee (2005), "'Counting your customers' the easy way: an
alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284.

While active, a customer buys at a Poisson rate λ, λ ~ Gamma(r, α) across customers; after each
purchase he drops out with probability p, p ~ Beta(a, b). A customer's history is summarised by
x (repeat purchases), t_x (time of the last one, from the first purchase) and T (time from the
first purchase to the end of the calibration period), all in one time unit (days, weeks...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import N_
from ._fit import LOG_BOUND, dot as _dot, NotIdentifiedError, compress, maximize, fitted, summary

NAMES = ("r", "alpha", "a", "b")


@dataclass
class _Data:
    """Distinct histories and their counts; ``xs`` are the distinct values of x and ``xi`` each
    history's index into them, so that the special functions of x are computed once per value."""

    x: np.ndarray
    tx: np.ndarray
    T: np.ndarray
    weight: np.ndarray
    xs: np.ndarray
    xi: np.ndarray

    @classmethod
    def of(cls, x, tx, T, weight) -> "_Data":
        xs, xi = np.unique(x, return_inverse=True)
        return cls(x, tx, T, weight, xs, xi.reshape(-1))


def _neg_log_likelihood(params: np.ndarray, d: _Data) -> tuple[float, np.ndarray]:
    """Minus the log-likelihood, FHL 2005 eq. (6) summed over customers, and its gradient.

    L(r, α, a, b | x, t_x, T) = B(a, b+x)/B(a, b) · Γ(r+x) α^r / Γ(r)
                                 · [(α+T)^-(r+x) + δ_{x>0} a/(b+x-1) · (α+t_x)^-(r+x)],
    evaluated in logs (the bracket with logaddexp) so that large x or T cannot overflow. The
    Beta-function ratio is Γ(b+x) Γ(a+b) / (Γ(b) Γ(a+b+x)), taken once per distinct x.
    """
    from scipy.special import digamma, gammaln  # here: applying a fitted model (P_ALIVE) needs no SciPy

    r, alpha, a, b = params
    x, tx, T, w, xs, xi = d.x, d.tx, d.T, d.weight, d.xs, d.xi
    c = r + x
    repeat = x > 0
    bx1 = np.where(repeat, b + x - 1, 1.0)
    log_t, log_tx = np.log(alpha + T), np.log(alpha + tx)
    log_d1 = -c * log_t
    log_d2 = np.where(repeat, np.log(a) - np.log(bx1) - c * log_tx, -np.inf)
    log_bracket = np.logaddexp(log_d1, log_d2)
    share = np.exp(log_d2 - log_bracket)  # weight of the "dropped out after t_x" term, 0 when x = 0

    # the terms in x alone, once per distinct x
    ll_x = (gammaln(r + xs) - gammaln(r) + gammaln(b + xs) - gammaln(b) + gammaln(a + b) - gammaln(a + b + xs))
    psi_abx, psi_ab = digamma(a + b + xs), digamma(a + b)
    g_r = digamma(r + xs) - digamma(r)
    g_a = psi_ab - psi_abx
    g_b = digamma(b + xs) - psi_abx - digamma(b) + psi_ab
    wsum = float(w.sum())
    w_x = np.bincount(xi, weights=w, minlength=len(xs))  # customers per distinct x

    ll = _dot(w_x, ll_x) + r * np.log(alpha) * wsum + _dot(w, log_bracket)
    ws = w * share
    grad = np.array([
        _dot(w_x, g_r) + np.log(alpha) * wsum - _dot(w, ((1 - share) * log_t + share * log_tx)),
        r / alpha * wsum - _dot(w, (c * ((1 - share) / (alpha + T) + share / (alpha + tx)))),
        _dot(w_x, g_a) + ws.sum() / a,
        _dot(w_x, g_b) - _dot(ws, (1 / bx1)),
    ])
    return -ll, -grad


def _neg_log_likelihood_stayers(params: np.ndarray, d: _Data) -> tuple[float, np.ndarray]:
    """Minus the log-likelihood of the nested model in which nobody drops out (p = 0, the NBD:
    BG/NBD's limit as b/a grows without bound), and its gradient in (r, α):
    L(r, α | x, T) = Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))."""
    from scipy.special import digamma, gammaln  # here: applying a fitted model (P_ALIVE) needs no SciPy

    r, alpha = params
    x, T, w, xs, xi = d.x, d.T, d.weight, d.xs, d.xi
    w_x = np.bincount(xi, weights=w, minlength=len(xs))
    wsum = float(w.sum())
    log_t = np.log(alpha + T)
    ll = _dot(w_x, gammaln(r + xs) - gammaln(r)) + r * np.log(alpha) * wsum - _dot(w, (r + x) * log_t)
    grad = np.array([
        _dot(w_x, digamma(r + xs) - digamma(r)) + np.log(alpha) * wsum - _dot(w, log_t),
        r / alpha * wsum - _dot(w, (r + x) / (alpha + T)),
    ])
    return -ll, -grad


#: Twice the log-likelihood gain of BG/NBD over the model in which nobody drops out below which
#: the orders show no sign of customers leaving (the chi-square test with one degree of freedom at 5 %).
DROPOUT_EVIDENCE = 3.84


def _why(name: str, high: bool) -> str:
    """The message id (its value ``{name}``) for parameter ``name`` driven to infinity (``high``) or 0."""
    if name in ("r", "alpha"):
        return (N_("the customers' buying rates cannot be told apart from the data ({name} grows without bound): "
                   "BG/NBD's spread of purchase rates is not identified; a longer history or more customers with "
                   "repeat purchases are needed") if high else
                N_("the customers' buying rates cannot be told apart from the data ({name} goes to 0): BG/NBD's "
                   "spread of purchase rates is not identified; a longer history or more customers with repeat "
                   "purchases are needed"))
    return (N_("the chance that a customer drops out after a purchase is not identified ({name} grows without "
               "bound): the histories show no sign of customers leaving, or of any staying; a longer history is "
               "needed") if high else
            N_("the chance that a customer drops out after a purchase is not identified ({name} goes to 0): the "
               "histories show no sign of customers leaving, or of any staying; a longer history is needed"))


class BetaGeo:
    """BG/NBD model (Fader, Hardie & Lee 2005), fitted by maximum likelihood.

    >>> model = BetaGeo().fit(frequency, recency, T)          # doctest: +SKIP
    >>> model.params_                                          # doctest: +SKIP
    {'r': 0.243, 'alpha': 4.414, 'a': 0.793, 'b': 2.426}      (CDNOW, weeks)

    Fitted attributes: ``params_`` (dict r, alpha, a, b), ``standard_errors_`` (dict, from the
    observed information), ``covariance_`` (4×4, in the order of ``params_``),
    ``log_likelihood_`` and ``n_customers_``; ``dropout_evidence_``, twice the log-likelihood gain
    over the nested model in which nobody drops out, and ``shows_dropout_``, whether that gain is
    significant (above :data:`DROPOUT_EVIDENCE`). When it is not, the orders show no sign of
    customers leaving: the likelihood is flat along a/(a+b) → 0 (a and b drift to whatever large
    values the optimiser stops at, with standard errors larger than themselves), P(alive) is close to
    1 for everyone and a and b mean nothing on their own (a longer history is needed).
    """

    def fit(self, frequency, recency=None, T=None) -> "BetaGeo":
        """Maximum-likelihood estimates of r, α, a, b from each customer's (x, t_x, T).

        ``frequency`` may also be an :class:`~kpi_xl.metrics.clv.RFM` summary. The likelihood
        (eq. 6) is maximised with its analytic gradient by L-BFGS-B on the parameters' logarithms,
        over the distinct (x, t_x, T) rows weighted by their counts. Raises NotIdentifiedError,
        with the reason, when the data cannot identify the model (no repeat purchases, one
        identical history for everyone, a parameter driven to 0 or infinity).
        """
        if recency is None and T is None and hasattr(frequency, "recency"):
            frequency, recency, T = frequency.frequency, frequency.recency, frequency.T
        x, tx, t = summary(frequency, recency, T)
        if len(x) == 0:
            raise NotIdentifiedError(N_("there are no customers to fit"))
        if not (x > 0).any():
            raise NotIdentifiedError(N_(
                "none of the {n} customers bought again, so nothing shows how often customers buy "
                "or when they stop (BG/NBD learns both from repeat purchases)"), n=len(x))
        (ux, utx, uT), weight = compress(x, tx, t)
        if len(ux) == 1:
            raise NotIdentifiedError(N_(
                "all {n} customers have the same history (frequency {x:g}, recency {tx:g}, T {T:g}), which "
                "cannot tell the spread of buying rates from the chance of dropping out"),
                n=len(x), x=float(ux[0]), tx=float(utx[0]), T=float(uT[0]))
        data = _Data.of(ux, utx, uT, weight)

        def neg_ll(params):
            return _neg_log_likelihood(params, data)

        rate = max(x.mean(), 1e-3) / max(t.mean(), 1e-9)
        start = np.array([1.0, 1.0 / rate, 1.0, 1.0])
        params = maximize(neg_ll, start, NAMES, float(len(x)), _why)

        def neg_ll_stayers(params):
            return _neg_log_likelihood_stayers(params, data)

        stayers = maximize(neg_ll_stayers, params[:2], NAMES[:2], float(len(x)), _why, at_bound_ok=True)
        gain = neg_ll_stayers(stayers)[0] - neg_ll(params)[0]
        self.dropout_evidence_ = max(2.0 * float(gain), 0.0)
        self.shows_dropout_ = self.dropout_evidence_ > DROPOUT_EVIDENCE
        try:
            fitted(self, neg_ll, params, NAMES, len(x))
        except NotIdentifiedError:
            if self.shows_dropout_ or np.any(np.abs(np.log(stayers)) > LOG_BOUND - 0.5):
                raise
            # nobody seen leaving: the likelihood is flat along a/(a+b) -> 0, where the predictions
            # no longer depend on a and b; r and alpha's uncertainty is that of the stayers' model
            fitted(self, neg_ll_stayers, stayers, NAMES[:2], len(x))
            self.params_ = dict(zip(NAMES, (float(p) for p in params)))
            self.standard_errors_.update(a=float("nan"), b=float("nan"))
            covariance = np.zeros((4, 4))
            covariance[:2, :2] = self.covariance_
            self.covariance_ = covariance
            self.log_likelihood_ = -neg_ll(params)[0]
        return self

    def _params(self):
        try:
            return tuple(self.params_[n] for n in NAMES)
        except AttributeError:
            raise NotIdentifiedError("the model is not fitted yet: call fit() first") from None

    def expected_purchases(self, t, frequency, recency, T) -> np.ndarray:
        """Expected number of purchases in the next ``t`` time units of a customer with history
        (x, t_x, T): FHL 2005 eq. (10),

        E[Y(t) | x, t_x, T] = (a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x-1; z)]
                              / [1 + δ_{x>0} a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)],   z = t/(α+T+t).

        The hypergeometric term uses Euler's transformation, ((1-z)^(r+x) ₂F₁(r+x, b+x; c; z) =
        (1-z)^(a-1) ₂F₁(a+b-1-r, a-1; c; z)), whose parameters do not grow with x, and the
        denominator is taken in logs; ``t`` broadcasts against the customers.
        """
        r, alpha, a, b = self._params()
        x, tx, T_ = summary(frequency, recency, T)
        t = np.asarray(t, dtype=np.float64)
        return _conditional(t[..., None] if t.ndim else t, x, tx, T_, r, alpha, a, b)

    def expected_purchases_new(self, t) -> np.ndarray:
        """Expected purchases of a new customer in a period of length ``t`` from the first
        purchase: FHL 2005 eq. (9), E[X(t)] = (a+b-1)/(a-1) · [1 - (α/(α+t))^r ₂F₁(r, b; a+b-1; t/(α+t))]."""
        r, alpha, a, b = self._params()
        t = np.asarray(t, dtype=np.float64)
        return _conditional(t, 0.0, 0.0, 0.0, r, alpha, a, b)  # eq. (10) with no history is eq. (9)

    def p_alive(self, frequency, recency, T) -> np.ndarray:
        """Probability that a customer with history (x, t_x, T) is still active (Fader, Hardie &
        Lee 2008, "Computing P(alive) using the BG/NBD model", the denominator of eq. 10):
        1 / [1 + δ_{x>0} a/(b+x-1) · ((α+T)/(α+t_x))^(r+x)]; 1 for a customer with no repeat purchase."""
        r, alpha, a, b = self._params()
        x, tx, T_ = summary(frequency, recency, T)
        return np.exp(-_log_odds_gone(x, tx, T_, r, alpha, a, b))


def _log_odds_gone(x, tx, T, r, alpha, a, b):
    """log of the denominator of eq. (10), log[1 + δ_{x>0} a/(b+x-1) ((α+T)/(α+t_x))^(r+x)]."""
    repeat = x > 0
    term = np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
    return np.where(repeat, np.logaddexp(0.0, term), 0.0)


def _conditional(t, x, tx, T, r, alpha, a, b):
    if abs(a - 1) < 1e-6:  # eq. (10) is 0/0 at a = 1: the mean of its values either side (error ~1e-10)
        return (_conditional(t, x, tx, T, r, alpha, 1 - 1e-5, b) + _conditional(t, x, tx, T, r, alpha, 1 + 1e-5, b)) / 2
    c = a + b + x - 1
    numerator = c / (a - 1) * (1 - _hypergeometric_term(t, x, T, r, alpha, a, b))
    return numerator * np.exp(-_log_odds_gone(x, tx, T, r, alpha, a, b))


#: Above this many customers the hypergeometric term is computed once per distinct (x, T) pair.
_DISTINCT_FROM = 2000


def _hypergeometric_term(t, x, T, r, alpha, a, b):
    """((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x-1; z), z = t/(α+T+t), by Euler's transformation.
    It depends on the customer through (x, T) only, and customers share those (whole days, few
    repeat purchases): for many customers it is computed per distinct pair and spread back, which
    saves most of the hypergeometric function's evaluations (the cost of expected purchases and CLV)."""
    from scipy.special import hyp2f1  # on the first call only (a refresh without CLV_PREDICT never loads SciPy)

    x, T = np.asarray(x, dtype=np.float64), np.asarray(T, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if x.ndim == 1 and x.shape == T.shape and x.size > _DISTINCT_FROM and (t.ndim == 0 or t.shape[-1] == 1):
        pairs, inverse = np.unique(x + 1j * T, return_inverse=True)  # one sort of (x, T) as complex numbers
        if len(pairs) < x.size // 2:
            term = _hypergeometric_term(t, pairs.real.copy(), pairs.imag.copy(), r, alpha, a, b)
            return term[..., inverse.reshape(-1)]
    z = t / (alpha + T + t)
    c = a + b + x - 1
    with np.errstate(all="ignore"):
        term = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)
        bad = ~np.isfinite(term)
        if np.any(bad):  # a and b very large (one dropout chance for all): 0 × inf in Euler's form, not in eq. (10)'s
            term = np.where(bad, (1 - z) ** (r + x) * hyp2f1(r + x, b + x, c, z), term)
    return term
