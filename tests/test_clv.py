"""Predictive CLV core (issue 11): the published CDNOW numbers, and what users get on bad data.

The CDNOW sample of the papers (2,357 customers who first bought in the first 12 weeks of 1997,
39 weeks of calibration; Fader, Hardie & Lee 2005) is public: lifetimes ships it (MIT licence,
(c) 2015 Cameron Davidson-Pilon) as lifetimes/datasets/CDNOW_sample.txt and
cdnow_customers_summary_with_transactions.csv; both are copied, with the licence, into
tests/data/cdnow/. The tests read them from the folder named by KPI_XL_CDNOW, else from
tests/data/cdnow/ (Lifetimes, archived since 2020, is not a dependency: its data is copied).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("scipy")

from kpi_xl.metrics.clv import (  # noqa: E402
    BetaGeo,
    ClvInputError,
    GammaGamma,
    NotIdentifiedError,
    clv,
    rfm_summary,
)

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = "cdnow_customers_summary_with_transactions.csv"
ORDERS = "CDNOW_sample.txt"


def _cdnow(name: str) -> Path:
    places = [Path(os.environ["KPI_XL_CDNOW"])] if os.environ.get("KPI_XL_CDNOW") else []
    places += [ROOT / "tests" / "data" / "cdnow"]
    for place in places:
        if (place / name).is_file():
            return place / name
    pytest.skip(f"the CDNOW sample file {name} is in none of {', '.join(map(str, places))}")


@pytest.fixture(scope="module")
def cdnow():
    data = np.genfromtxt(_cdnow(SUMMARY), delimiter=",", names=True)
    return data["x"], data["t_x"], data["T"], data["zbar"]


@pytest.fixture(scope="module")
def bgf(cdnow):
    x, tx, T, _ = cdnow
    return BetaGeo().fit(x, tx, T)


@pytest.fixture(scope="module")
def ggf(cdnow):
    x, _, _, m = cdnow
    return GammaGamma().fit(x, m)


def _sig3(value: float) -> float:
    return float(f"{value:.3g}")


# --- Fader, Hardie & Lee (2005), "Counting your customers the easy way", on CDNOW (weeks) ---

def test_bgnbd_parameters_of_fader_hardie_lee_2005_section_5(bgf):
    assert {k: _sig3(v) for k, v in bgf.params_.items()} == {"r": 0.243, "alpha": 4.41, "a": 0.793, "b": 2.43}
    assert bgf.n_customers_ == 2357


def test_bgnbd_log_likelihood_of_fader_hardie_lee_2005_section_5(bgf):
    assert round(bgf.log_likelihood_, 1) == -9582.4


def test_bgnbd_standard_errors_are_those_of_the_observed_information(bgf, cdnow):
    # independently of the analytic gradient: second differences of the log-likelihood's values
    from kpi_xl.metrics.clv import betageo

    x, tx, T, _ = cdnow
    data = betageo._Data.of(x, tx, T, np.ones(len(x)))
    p = np.array(list(bgf.params_.values()))

    def f(q):
        return betageo._neg_log_likelihood(q, data)[0]

    h = 1e-4 * p
    hessian = np.empty((4, 4))
    for i in range(4):
        for j in range(4):
            e_i, e_j = np.eye(4)[i] * h[i], np.eye(4)[j] * h[j]
            hessian[i, j] = (f(p + e_i + e_j) - f(p + e_i - e_j) - f(p - e_i + e_j) + f(p - e_i - e_j)) / (4 * h[i] * h[j])
    expected = np.sqrt(np.diag(np.linalg.inv(hessian)))
    assert list(bgf.standard_errors_.values()) == pytest.approx(expected, rel=1e-3)


def test_conditional_expectation_of_fader_hardie_lee_2005_eq10_customer_x2_tx30_43_T38_86(bgf):
    # the paper's worked example: x = 2, t_x = 30.43, T = 38.86, over the next 39 weeks: 1.226 purchases
    assert bgf.expected_purchases(39, 2, 30.43, 38.86) == pytest.approx([1.226], abs=5e-4)


def test_expected_purchases_of_a_new_customer_eq9_hardie_spreadsheet(bgf):
    times = [0.1429, 1.0, 3.00, 31.8571, 32.00, 78.00]
    expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    assert bgf.expected_purchases_new(times) == pytest.approx(expected, abs=5e-4)


def test_p_alive_is_one_without_repeat_purchases_and_falls_with_a_long_silence(bgf):
    p = bgf.p_alive([0, 5, 5], [0, 38, 5], [38.86, 38.86, 38.86])
    assert p[0] == 1.0
    assert p[1] > 0.8 > 0.1 > p[2]  # a BG/NBD customer may drop out right after any purchase


def test_a_heavy_buyer_neither_overflows_nor_gives_nan(bgf):
    # x = 5,000 repeat purchases: (α+T)^(r+x) overflows a float; the log-space formulas do not
    e = bgf.expected_purchases(39, [5000, 5000], [38.8, 1.0], [38.86, 38.86])
    p = bgf.p_alive([5000, 5000], [38.8, 1.0], [38.86, 38.86])
    assert np.isfinite(e).all() and np.isfinite(p).all()
    assert e[0] > 1000 and p[0] > 0.8 and p[1] < 1e-6


# --- Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves", on CDNOW ---

def test_gamma_gamma_parameters_of_fader_hardie_lee_2005_iso_value_curves(ggf):
    assert {k: _sig3(v) for k, v in ggf.params_.items()} == {"p": 6.25, "q": 3.74, "v": 15.4}
    assert ggf.n_customers_ == 946 and ggf.left_out_ == {"no repeat purchase": 1411, "zero or negative spend": 0}


def test_expected_spend_of_hardie_note_025_first_ten_customers(ggf, cdnow):
    x, _, _, m = cdnow
    expected = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17]
    assert ggf.expected_spend(x[:10], m[:10]) == pytest.approx(expected, abs=0.01)


def test_cdnow_spend_is_nearly_independent_of_frequency(ggf):
    assert abs(ggf.correlation_) < 0.3  # the Gamma-Gamma assumption holds on CDNOW (0.11)


def test_clv_discounts_each_months_expected_purchases_times_expected_spend(bgf, ggf, cdnow):
    x, tx, T, m = cdnow
    one = clv(bgf, ggf, x[:1], tx[:1], T[:1], m[:1], months=12, discount_rate=0.01, margin=0.3, unit_days=7)
    weeks = np.arange(13) * (365.25 / 12 / 7)
    by_month = np.diff(bgf.expected_purchases(weeks, x[:1], tx[:1], T[:1])[:, 0])
    by_hand = 0.3 * ggf.expected_spend(x[:1], m[:1])[0] * sum(n / 1.01 ** (i + 1) for i, n in enumerate(by_month))
    assert one[0] == pytest.approx(by_hand, rel=1e-12)
    undiscounted = clv(bgf, ggf, x[:1], tx[:1], T[:1], m[:1], months=12, discount_rate=0.0, margin=0.3, unit_days=7)
    assert undiscounted[0] > one[0] > 0


# --- the RFM step ---

def _cdnow_orders():
    raw = np.loadtxt(_cdnow(ORDERS), dtype=str)
    dates = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in raw[:, 2]], dtype="datetime64[D]")
    return raw[:, 1].astype(int), dates, raw[:, 4].astype(float)


def test_rfm_summary_of_the_cdnow_orders_is_the_papers_summary(cdnow):
    customer, dates, values = _cdnow_orders()
    s = rfm_summary(customer, dates, values, as_of="1997-09-30", freq="D", unit="W")
    x, tx, T, m = cdnow
    assert len(s) == 2357 and (s.frequency == x).all()
    # the published summary rounds to 2 decimals
    assert np.abs(s.recency - tx).max() < 0.006 and np.abs(s.T - T).max() < 0.006
    assert np.abs(s.monetary - m).max() < 0.006


def test_rfm_summary_merges_same_day_orders_and_averages_repeat_purchases_only():
    s = rfm_summary(
        ["b", "a", "a", "a", "a", "c"],
        np.array(["2024-01-10", "2024-01-01", "2024-01-01", "2024-01-05", "2024-01-09", "2024-02-01"],
                 dtype="datetime64[D]"),
        [7.0, 10.0, 5.0, 20.0, 40.0, 99.0],
        as_of="2024-01-31",
    )
    assert list(s.customer) == ["a", "b"]  # c bought after as_of
    assert list(s.frequency) == [2, 0]  # a's two orders of Jan 1 are one purchase
    assert list(s.recency) == [8, 0] and list(s.T) == [30, 21]
    assert list(s.monetary) == [30.0, 0.0]  # (20 + 40) / 2: the first purchase (15) is not a repeat one
    assert s.last[0] == np.datetime64("2024-01-09")


def test_rfm_summary_reads_excel_serials_and_merges_by_week():
    # 45292 is 2024-01-01 (a Monday) in the 1900 date system; Jan 3 is the same week
    s = rfm_summary([1, 1, 1], [45294.5, 45292, 45306], [1, 2, 3], as_of=45320, freq="W")
    assert (s.frequency[0], s.recency[0], s.T[0], s.monetary[0]) == (1, 2, 4, 3)
    assert (s.first[0], s.last[0]) == (np.datetime64("2024-01-01"), np.datetime64("2024-01-15"))


def test_rfm_summary_names_the_order_without_a_date():
    with pytest.raises(ClvInputError, match="order 2 has no date"):
        rfm_summary([1, 2], np.array(["2024-01-01", "NaT"], dtype="datetime64[D]"), [1, 1])


# --- fitting without hand-tuned penalizers, and saying why not ---

def _simulate(n, r, alpha, a, b, T, seed=1):
    """Customers drawn from the BG/NBD itself (FHL 2005 §2), observed for T from their first purchase."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    x, tx = np.zeros(n), np.zeros(n)
    for i in range(n):
        t = 0.0
        while True:
            t += rng.exponential(1 / lam[i])
            if t > T:
                break
            x[i] += 1
            tx[i] = t
            if rng.random() < p[i]:
                break
    return x, tx, np.full(n, float(T))


def test_bgnbd_recovers_the_parameters_it_simulated_within_three_standard_errors():
    truth = {"r": 0.5, "alpha": 8.0, "a": 0.6, "b": 2.5}
    x, tx, T = _simulate(20_000, *truth.values(), T=52)
    model = BetaGeo().fit(x, tx, T)
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 3 * model.standard_errors_[name], name


def test_a_history_without_repeat_purchases_is_refused_in_words():
    with pytest.raises(NotIdentifiedError, match="none of the 3 customers bought again"):
        BetaGeo().fit([0, 0, 0], [0, 0, 0], [10, 20, 30])


def test_identical_customers_are_refused_in_words():
    with pytest.raises(NotIdentifiedError, match="all 4 customers have the same history"):
        BetaGeo().fit([2] * 4, [5] * 4, [10] * 4)


def test_a_recency_after_T_names_the_customer():
    with pytest.raises(ClvInputError, match="customer 2 has frequency 1, recency 12, T 10"):
        BetaGeo().fit([1, 1], [3, 12], [10, 10])


def test_gamma_gamma_refuses_one_spend_for_everyone_in_words():
    with pytest.raises(NotIdentifiedError, match="all 3 repeat customers have the same mean spend"):
        GammaGamma().fit([1, 2, 3, 0], [10, 10, 10, 0])


def test_gamma_gamma_counts_and_leaves_out_zero_and_negative_spends():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 6, 400).astype(float)
    m = np.where(x > 0, rng.gamma(6.0, 1 / rng.gamma(3.7, 1 / 15.0, 400)), 0.0)
    spends = np.flatnonzero(x > 0)
    m[spends[:3]], m[spends[3:5]] = 0.0, -12.5  # refunds bigger than the purchases
    model = GammaGamma().fit(x, m)
    assert model.left_out_ == {"no repeat purchase": int((x == 0).sum()), "zero or negative spend": 5}
    assert model.n_customers_ == len(spends) - 5
    assert all(np.isfinite(v) and v > 0 for v in model.params_.values())


def test_an_unfitted_model_says_to_fit_first():
    with pytest.raises(NotIdentifiedError, match="call fit"):
        BetaGeo().p_alive([1], [1], [2])


def test_the_worksheet_functions_do_not_load_scipy():
    import subprocess
    import sys

    code = "import sys, kpi_xl.metrics, kpi_xl.functions.registry; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bgnbd_expectations_are_continuous_through_a_equal_1():
    # eq. (10) divides by a - 1; at a = 1 the model is fine and so must the numbers be
    model = BetaGeo()
    values = []
    for a in (1 - 1e-3, 1.0, 1 + 1e-3):
        model.params_ = {"r": 0.243, "alpha": 4.414, "a": a, "b": 2.426}
        values.append(model.expected_purchases(39, [0, 2], [0, 30.43], [38.86, 38.86]))
    assert np.isfinite(values[1]).all()
    assert values[1] == pytest.approx((values[0] + values[2]) / 2, rel=1e-5)
    assert values[1] == pytest.approx(values[0], rel=2e-3)


def test_clv_interval_agrees_with_drawing_the_parameters_from_their_standard_errors(bgf, ggf, cdnow):
    from kpi_xl.metrics.clv import clv_interval

    x, tx, T, m = (a[:6] for a in cdnow)
    options = {"months": 12, "discount_rate": 0.01, "unit_days": 7}
    low, high = clv_interval(bgf, ggf, x, tx, T, m, level=0.9, **options)
    centre = clv(bgf, ggf, x, tx, T, m, **options)
    assert (low <= centre).all() and (centre < high).all()
    # Monte Carlo: parameters drawn from the normal approximation of each fit on the log scale it
    # was fitted on (drawn on the natural scale, q comes near 1 and the mean spend explodes)
    rng = np.random.default_rng(0)
    draws = []
    for _ in range(400):
        b, g = BetaGeo(), GammaGamma()
        for model, fitted in ((b, bgf), (g, ggf)):
            p = np.array(list(fitted.params_.values()))
            logs = rng.multivariate_normal(np.log(p), fitted.covariance_ / np.outer(p, p))
            model.params_ = dict(zip(fitted.params_, np.exp(logs)))
        draws.append(clv(b, g, x, tx, T, m, **options))
    spread = np.percentile(draws, 95, axis=0) - np.percentile(draws, 5, axis=0)
    assert high - low == pytest.approx(spread, rel=0.1)


# --- calibration / holdout (FHL 2005 §4, Figure 4: 39 weeks of calibration, 39 of holdout) ---

def test_holdout_of_the_cdnow_orders_counts_each_later_purchase_day_once():
    from kpi_xl.metrics.clv import holdout_split

    customer, dates, values = _cdnow_orders()
    h = holdout_split(customer, dates, values, calibration_end="1997-09-30", observation_end="1998-06-30", unit="W")
    assert len(h.calibration) == 2357 and h.duration == 39.0
    later = {(c, d) for c, d in zip(customer.tolist(), dates.tolist()) if d > np.datetime64("1997-09-30").item()}
    by_customer = {}
    for c, _ in later:
        by_customer[c] = by_customer.get(c, 0) + 1
    assert h.purchases.tolist() == [by_customer.get(c, 0) for c in h.calibration.customer.tolist()]


def test_holdout_check_of_figure_4_tracks_the_cdnow_holdout(cdnow):
    from kpi_xl.metrics.clv import holdout_check, holdout_split

    customer, dates, values = _cdnow_orders()
    h = holdout_split(customer, dates, values, calibration_end="1997-09-30", observation_end="1998-06-30", unit="W")
    check = holdout_check(BetaGeo().fit(h.calibration), h)
    assert check.frequency == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert check.customers.tolist() == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert (np.diff(check.predicted) > 0).all() and (np.diff(check.actual[[0, 1, 2, 4, 6, 7]]) > 0).all()
    assert np.abs(check.predicted - check.actual).max() < 0.4  # within 0.4 purchases in every group
    assert -0.15 < check.bias < 0  # the BG/NBD predicts the CDNOW holdout total about 12 % low
    assert 0 < check.mae < check.rmse


# --- orders that show no sign of customers leaving (no churn): said, not a silent drift ---

def _simulate_stayers(n, r, alpha, T, seed=2):
    """Customers who never leave: Poisson purchases at a Gamma(r, alpha) rate (BG/NBD with p = 0)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(r, 1 / alpha, n)
    x = rng.poisson(lam * T).astype(float)
    tx = np.where(x > 0, T * rng.random(n) ** (1 / np.maximum(x, 1)), 0.0)  # the last of x uniform times
    return x, tx, np.full(n, float(T))


def test_cdnow_shows_customers_leaving(bgf):
    assert bgf.shows_dropout_
    assert bgf.dropout_evidence_ > 100


def test_customers_who_never_leave_are_said_to_show_no_leaving_and_keep_p_alive_near_one():
    x, tx, T = _simulate_stayers(5000, 1.2, 80.0, T=540)
    model = BetaGeo().fit(x, tx, T)
    assert not model.shows_dropout_
    # the dropout parameters sit on a flat ridge (b/a huge): not identified, and said so
    assert model.params_["b"] / model.params_["a"] > 1e3
    assert np.median(model.p_alive(x, tx, T)) > 0.99
    # r and alpha are those of the purchase rates, as when nobody leaves
    assert abs(model.params_["r"] - 1.2) < 0.1 and abs(model.params_["alpha"] - 80) < 10


def test_simulated_leavers_are_told_from_stayers():
    x, tx, T = _simulate(5000, 0.5, 8.0, 0.6, 2.5, T=52)
    assert BetaGeo().fit(x, tx, T).shows_dropout_
