"""The KPI math, against hand-computed and published numbers.

Each test names where its expected number comes from.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpi_xl import metrics as m
from kpi_xl.errors import XlError

D = dt.datetime


def err(x) -> str:
    assert isinstance(x, XlError), f"expected an Excel error, got {x!r}"
    return str(x)


# ----------------------------------------------------------------- ACV


def test_acv_issue_definition_mean_of_value_less_fees_over_term():
    # (120000 − 0)/2, (90000 − 0)/1, (60000 − 6000)/1 → mean 68000
    assert m.acv([120000, 90000, 60000], [2, 1, 1], [0, 0, 6000]) == pytest.approx(68000)


def test_acv_defaults_term_one_year_and_no_fees():
    assert m.acv([100, 300]) == 200


def test_acv_scalar_contract():
    assert m.acv(120000, 3) == 40000


def test_acv_blank_value_skips_contract_blank_term_is_one_year():
    assert m.acv([[100], [None], [300]], [[2], [5], [None]]) == pytest.approx((50 + 300) / 2)


@pytest.mark.parametrize("term", [0, -1])
def test_acv_term_not_positive_is_num(term):
    assert err(m.acv([100, 200], [1, term])) == "#NUM!"


def test_acv_no_contracts_is_div0():
    assert err(m.acv([None, None])) == "#DIV/0!"
    assert err(m.acv([])) == "#DIV/0!"


def test_acv_ranges_of_different_size_is_value():
    e = m.acv([1, 2, 3], [1, 2])
    assert err(e) == "#VALUE!"
    assert "term_years" in e.reason


def test_acv_fee_larger_than_contract_is_num():
    assert err(m.acv([100], [1], [150])) == "#NUM!"


# ----------------------------------------------------------------- CLTV


def test_cltv_undiscounted_is_arpa_times_margin_over_churn():
    assert m.cltv(100, 0.05, 0.8) == pytest.approx(1600)
    assert m.cltv(100, 0.05) == pytest.approx(2000)


def test_cltv_gupta_lehmann_2003_margin_multiple():
    # Gupta & Lehmann (2003): CLV = m (1+i)/(1+i−r). With r = 0.8 retention and
    # i = 0.12 the margin multiple is 1.12 / 0.32 = 3.5.
    assert m.cltv(1, 0.2, 1, 0.12) == pytest.approx(3.5)


def test_cltv_discounted_equals_the_series_it_sums():
    a, c, g, d = 120.0, 0.04, 0.7, 0.01
    series = sum(a * g * (1 - c) ** t / (1 + d) ** t for t in range(5000))
    assert m.cltv(a, c, g, d) == pytest.approx(series, rel=1e-9)


@pytest.mark.parametrize(
    "args, code",
    [
        ((100, 0), "#DIV/0!"),
        ((100, 0, 1, 0.1), "#DIV/0!"),
        ((100, -0.1), "#NUM!"),
        ((100, 1.5), "#NUM!"),
        ((100, 0.1, 1.2), "#NUM!"),
        ((100, 0.1, -0.1), "#NUM!"),
        ((100, 0.1, 1, -0.05), "#NUM!"),
        (("abc", 0.1), "#VALUE!"),
    ],
)
def test_cltv_errors(args, code):
    assert err(m.cltv(*args)) == code


def test_cltv_per_row_with_a_bad_row():
    out = m.cltv([[100], [100], [None]], [[0.05], [0], [0.1]])
    assert out.shape == (3, 1)
    assert out[0, 0] == pytest.approx(2000)
    assert err(out[1, 0]) == "#DIV/0!"
    assert out[2, 0] is None  # blank row in a mixed result


# ----------------------------------------------------------------- ACHIEVEMENT


def test_achievement_higher_without_baseline_is_actual_over_target():
    assert m.achievement(80, 100) == pytest.approx(0.8)


def test_achievement_higher_with_baseline_measures_progress_from_start():
    assert m.achievement(90, 100, 80) == pytest.approx(0.5)


def test_achievement_lower_with_baseline():
    # defects from 50 down to 20; at 35 we are half way
    assert m.achievement(35, 20, 50, "lower") == pytest.approx(0.5)


def test_achievement_lower_without_baseline_is_target_over_actual():
    assert m.achievement(25, 20, None, "lower") == pytest.approx(0.8)


def test_achievement_lower_without_baseline_at_an_actual_of_zero_meets_the_target():
    # no refund against a ceiling of 5 (or of 0) is the target met, not a division by 0
    assert m.achievement(0, 5, None, "lower") == 1
    assert m.achievement(0, 0, None, "lower") == 1
    assert m.achievement([0, 10, 0], [5, 5, 0], None, "lower").tolist() == pytest.approx([1, 0.5, 1])
    assert err(m.achievement(0, -1, None, "lower")) == "#DIV/0!"
    assert m.status(0, 5, D(2026, 1, 1), D(2026, 6, 30), D(2026, 7, 1), None, "lower") == "achieved"


def test_achievement_lower_is_better_goal_that_beats_its_target_is_above_one():
    assert m.achievement(10, 20, 50, "LOWER") == pytest.approx(40 / 30)


def test_achievement_target_equal_to_baseline_is_div0():
    assert err(m.achievement(5, 10, 10)) == "#DIV/0!"
    assert err(m.achievement(5, 0)) == "#DIV/0!"


def test_achievement_unknown_direction_is_value():
    e = m.achievement(5, 10, None, "up")
    assert err(e) == "#VALUE!" and "direction" in e.reason


def test_achievement_blank_baseline_cell_means_no_baseline():
    assert m.achievement(80, 100, [[None]]) == pytest.approx(0.8)


def test_achievement_per_row():
    out = m.achievement([90, 50, 120], [100, 100, 100], [80, 0, 0])
    assert out.tolist() == pytest.approx([0.5, 0.5, 1.2])


# ----------------------------------------------------------------- ratios


@pytest.mark.parametrize(
    "fn, num, den, expected",
    [
        (m.cac, 240000, 60, 4000),
        (m.cpa, 30000, 120, 250),
        (m.arpa, 450000, 300, 1500),
        (m.aov, 1250000, 500, 2500),
        (m.win_rate, 18, 60, 0.3),
        (m.conversion, 45, 1500, 0.03),
        (m.ctr, 84, 4000, 0.021),
        (m.ltv_cac, 40000, 4000, 10),
        (m.engagement_rate, 360, 12000, 0.03),
        (m.pages_per_session, 9600, 2400, 4),
        (m.bounce_rate, 1080, 2400, 0.45),
        (m.roa, 600000, 8000000, 0.075),
        (m.market_share, 30e6, 250e6, 0.12),
        (m.shrinkage, 18000, 1.2e6, 0.015),
        (m.churn, 12, 400, 0.03),
    ],
)
def test_ratio_kpis(fn, num, den, expected):
    assert fn(num, den) == pytest.approx(expected)
    assert err(fn(num, 0)) == "#DIV/0!"
    assert err(fn(num, -1)) == "#NUM!"


def test_win_rate_more_won_than_closed_is_num():
    assert err(m.win_rate(5, 4)) == "#NUM!"


def test_churn_per_row_keeps_shape_and_marks_each_row():
    out = m.churn([[3], [1], [None], [5]], [[100], [0], [10], [4]])
    assert out.shape == (4, 1)
    assert out[0, 0] == pytest.approx(0.03)
    assert err(out[1, 0]) == "#DIV/0!"
    assert out[2, 0] is None  # blank row stays blank
    assert err(out[3, 0]) == "#NUM!"  # more churned than there were


def test_ratio_single_cell_goes_with_every_row():
    assert m.conversion([10, 20, 30], 100).tolist() == pytest.approx([0.1, 0.2, 0.3])


def test_ratio_row_and_column_of_same_size_pair_up():
    out = m.ctr([[1, 2, 3]], [[10], [20], [30]])
    assert out.shape == (1, 3)
    assert out[0].tolist() == pytest.approx([0.1, 0.1, 0.1])


def test_ratio_with_pandas_series_keeps_index():
    s = m.conversion(pd.Series([5, 8], index=["Jan", "Feb"]), pd.Series([100, 0], index=["Jan", "Feb"]))
    assert list(s.index) == ["Jan", "Feb"]
    assert s["Jan"] == pytest.approx(0.05)
    assert str(s["Feb"]) == "#DIV/0!"


def test_excel_error_inside_a_range_is_passed_on():
    assert err(m.conversion([1, "#N/A"], [10, 10])) == "#N/A"


def test_text_in_a_number_range_is_value_naming_argument():
    e = m.cac([100, "lots"], [1, 2])
    assert err(e) == "#VALUE!" and "spend" in e.reason


def test_roi():
    assert m.roi(150000, 100000) == pytest.approx(0.5)
    assert m.roi(0, 100) == pytest.approx(-1)
    assert err(m.roi(10, 0)) == "#DIV/0!"


def test_gross_margin():
    assert m.gross_margin(2_000_000, 1_200_000) == pytest.approx(0.4)
    assert err(m.gross_margin(0, 10)) == "#DIV/0!"


# ----------------------------------------------------------------- SaaS set


def test_mrr_spreads_annual_plans_over_twelve_months():
    assert m.mrr([12000, 1500, 900], [12, 1, 1]) == pytest.approx(3400)
    assert m.mrr([None, None]) == 0


def test_retention_crr_formula():
    assert m.retention(420, 400, 32) == pytest.approx(0.97)
    assert err(m.retention(10, 10, 11)) == "#NUM!"


def test_nrr_and_grr():
    assert m.nrr(100000, 15000, 3000, 5000) == pytest.approx(1.07)
    assert m.grr(100000, 3000, 5000) == pytest.approx(0.92)
    assert err(m.grr(100, 60, 50)) == "#NUM!"
    assert err(m.nrr(0, 1)) == "#DIV/0!"


def test_cac_payback_months_skok():
    # Skok, SaaS Metrics 2.0: months to recover CAC = CAC / (MRR × gross margin)
    assert m.cac_payback(4000, 1500, 0.8) == pytest.approx(10 / 3)
    assert err(m.cac_payback(4000, 0)) == "#DIV/0!"


def test_quick_ratio():
    assert m.quick_ratio(20000, 8000, 2000, 5000) == pytest.approx(4)
    assert err(m.quick_ratio(1, 1, 0, 0)) == "#DIV/0!"


# ----------------------------------------------------------------- sales


def test_growth_rate_uses_absolute_previous():
    assert m.growth_rate(1150, 1000) == pytest.approx(0.15)
    assert m.growth_rate(-50, -100) == pytest.approx(0.5)  # a smaller loss is growth
    assert err(m.growth_rate(5, 0)) == "#DIV/0!"


def test_period_growth_spills_with_blank_first_period():
    out = m.period_growth([[100], [110], [99], [0], [5]])
    assert out.shape == (5, 1)
    assert out[0, 0] is None
    assert out[1, 0] == pytest.approx(0.1) and out[2, 0] == pytest.approx(-0.1)
    assert out[3, 0] == pytest.approx(-1.0)
    assert err(out[4, 0]) == "#DIV/0!"


def test_period_growth_refuses_a_block():
    assert err(m.period_growth([[1, 2], [3, 4]])) == "#VALUE!"


def test_cagr_matches_excel_rri():
    # RRI(2, 1000000, 1440000) = 0.2
    assert m.cagr(1_000_000, 1_440_000, 2) == pytest.approx(0.2)
    assert err(m.cagr(0, 10, 2)) == "#NUM!"
    assert err(m.cagr(10, 20, 0)) == "#NUM!"


def test_count_per_period_month_week_quarter():
    dates = [D(2026, 1, 5), D(2026, 1, 19), D(2026, 2, 2), None, D(2026, 4, 30, 23, 59)]
    month = m.count_per_period(dates)
    assert month.tolist() == [[D(2026, 1, 1), 2], [D(2026, 2, 1), 1], [D(2026, 4, 1), 1]]
    quarter = m.count_per_period(dates, "Quarter")
    assert quarter.tolist() == [[D(2026, 1, 1), 3], [D(2026, 4, 1), 1]]
    week = m.count_per_period([D(2026, 11, 23), D(2026, 11, 29), D(2026, 11, 30)], "week")
    # 2026-11-23 is a Monday; the 29th is the Sunday of the same ISO week
    assert week.tolist() == [[D(2026, 11, 23), 2], [D(2026, 11, 30), 1]]


def test_count_per_period_accepts_excel_serials_and_leap_day():
    # 46081 is 2026-02-28 in Excel; 45351 is 2024-02-29 (leap year)
    out = m.count_per_period([46081.0, 45351.5], "day")
    assert out.tolist() == [[D(2024, 2, 29), 1], [D(2026, 2, 28), 1]]


def test_sum_per_period():
    out = m.sum_per_period([D(2026, 1, 5), D(2026, 2, 9), D(2026, 4, 1)], [1200, 800, 500], "quarter")
    assert out.tolist() == [[D(2026, 1, 1), 2000.0], [D(2026, 4, 1), 500.0]]
    assert err(m.sum_per_period([D(2026, 1, 5)], [1, 2])) == "#VALUE!"
    assert err(m.count_per_period([None])) == "#N/A"
    assert err(m.count_per_period([D(2026, 1, 1)], "fortnight")) == "#VALUE!"


# ----------------------------------------------------------------- service


def test_nps_reichheld_promoters_minus_detractors():
    # 4 promoters (9, 9, 10, 10), 2 detractors (6, 3), 8 answers → 25 points
    assert m.nps([10, 9, 9, 8, 7, 6, 3, 10]) == pytest.approx(25)
    assert m.nps([[10, 10], [0, None]]) == pytest.approx(100 / 3)


def test_nps_errors():
    assert err(m.nps([None])) == "#DIV/0!"
    assert err(m.nps([11])) == "#NUM!"
    assert err(m.nps([7.5])) == "#NUM!"


def test_csat_share_of_four_and_five():
    assert m.csat([5, 4, 4, 3, 5, 2, 4, 5]) == pytest.approx(0.75)
    assert m.csat([10, 7, 6], 7, 10) == pytest.approx(2 / 3)
    assert err(m.csat([6])) == "#NUM!"
    assert err(m.csat([None])) == "#DIV/0!"
    assert err(m.csat([5], 6)) == "#NUM!"


def test_frt_mean_and_median_skip_unanswered():
    created = [D(2026, 3, 2, 9), D(2026, 3, 2, 13), D(2026, 3, 3, 10), D(2026, 3, 3, 11)]
    reply = [D(2026, 3, 2, 10, 30), D(2026, 3, 2, 13, 30), None, D(2026, 3, 3, 17)]
    assert m.frt(created, reply) == pytest.approx((1.5 + 0.5 + 6) / 3)
    assert m.frt(created, reply, "median") == pytest.approx(1.5)
    assert m.frt(created, reply, "mean", "minutes") == pytest.approx(160)


def test_frt_accepts_excel_serial_numbers():
    # xlwings Lite hands dates over as serial numbers
    assert m.frt([46083.375], [46083.4375]) == pytest.approx(1.5)


def test_frt_errors():
    assert err(m.frt([D(2026, 1, 1, 10)], [D(2026, 1, 1, 9)])) == "#NUM!"
    assert err(m.frt([D(2026, 1, 1, 10)], [None])) == "#DIV/0!"
    assert err(m.frt([D(2026, 1, 1)], [D(2026, 1, 2)], "mode")) == "#VALUE!"


def test_resolution_time_median_hours():
    opened = [D(2026, 3, 2, 9), D(2026, 3, 2, 13), D(2026, 3, 3, 10)]
    resolved = [D(2026, 3, 2, 17), D(2026, 3, 3, 13), D(2026, 3, 3, 12)]
    assert m.resolution_time(opened, resolved, "median") == pytest.approx(8)


def test_tickets_resolved_counts_whole_days_inclusive():
    resolved = [D(2026, 3, 1, 0, 5), D(2026, 3, 31, 23, 0), D(2026, 4, 1, 0, 0), None]
    assert m.tickets_resolved(resolved) == 3
    assert m.tickets_resolved(resolved, D(2026, 3, 1), D(2026, 3, 31)) == 2
    assert err(m.tickets_resolved(resolved, D(2026, 3, 2), D(2026, 3, 1))) == "#NUM!"


# ----------------------------------------------------------------- web


def test_source_share_counts_rows_or_sessions_ignoring_case():
    sources = ["Organic", "Facebook", "Direct", "organic "]
    assert m.source_share(sources, "ORGANIC") == pytest.approx(0.5)
    assert m.source_share(sources, "Organic", [1200, 500, 300, 400]) == pytest.approx(1600 / 2400)
    assert m.source_share(sources, "Email") == 0
    assert m.source_share([None, "x"], "x") == pytest.approx(0.5)  # a blank source still counts in the total


def test_source_share_errors():
    assert err(m.source_share(["a", "b"], "a", [1])) == "#VALUE!"
    assert err(m.source_share(["a"], "a", [-1])) == "#NUM!"
    assert err(m.source_share(["a"], "a", [0])) == "#DIV/0!"


def test_nrr_refuses_losses_larger_than_start_plus_expansion():
    assert err(m.nrr(100, 0, 200, 0)) == "#NUM!"
    assert m.nrr(100, 50, 120, 0) == pytest.approx(0.3)


def test_csat_threshold_follows_the_scale_top_two_boxes():
    assert m.csat([1, 2, 9, 10], None, 10) == pytest.approx(0.5)  # 9 and 10 count
    assert m.csat([1, 2, 4, 10], None, 10) == pytest.approx(0.25)  # 4 of 10 does not


def test_period_growth_of_two_periods():
    out = m.period_growth([[100.0], [110.0]])
    assert out[0, 0] != out[0, 0] and out[1, 0] == pytest.approx(0.1)


def test_grr_at_the_rounding_boundary_is_num_for_a_range_too():
    # benchmark review: c + ch > s but (s - c - ch) / s rounds to exactly 0.0
    u = 2.0**-52
    s, c, ch = 1 + 3 * u, 1.5 * u, 1 + 2 * u
    assert err(m.grr(s, c, ch)) == "#NUM!"
    out = m.grr([s, 10.0], [c, 1.0], [ch, 1.0])
    assert err(out[0]) == "#NUM!" and out[1] == pytest.approx(0.8)


def test_period_growth_of_two_values_with_an_error():
    out = m.period_growth([[0.0], [3.0]])
    assert out[0, 0] is None and err(out[1, 0]) == "#DIV/0!"
    assert m.period_growth([[2.0], [3.0]])[1, 0] == pytest.approx(0.5)


def test_ratio_with_negative_denominators_allowed_still_checks_numerator():
    from kpi_xl.metrics._ratio import ratio

    out = ratio([-1.0, 2.0], [-2.0, 4.0], ("n", "d"), negative_den=True)
    assert err(out[0]) == "#NUM!" and out[1] == pytest.approx(0.5)
