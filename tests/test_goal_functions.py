"""PACE, FORECAST_END, STATUS, PAYOUT and OKR_SCORE against hand-computed numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from kpi_xl import metrics, udfs
from kpi_xl.metrics import goals as g
from kpi_xl.errors import XlError

D = dt.date


def test_pace_issue_example_half_year_half_way():
    # 2026-01-01 .. 2026-12-31 is 365 days; on 2026-07-02, 183 have passed
    assert g.pace(50, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)) == pytest.approx(1.0, abs=0.01)
    assert g.pace(50, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)) == pytest.approx(50 / (100 * 183 / 365))


def test_pace_with_baseline_and_after_the_end():
    # from 80 to 100 over January; on Jan 31 all 31 days passed; 95 is 75 % of the way
    assert g.pace(95, 100, D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 31), 80) == pytest.approx(0.75)
    assert g.pace(95, 100, D(2026, 1, 1), D(2026, 1, 31), D(2026, 3, 1), 80) == pytest.approx(0.75)


def test_pace_leap_year_february():
    # 2028 is a leap year: Feb has 29 days; on the 15th, 15 of 29 passed
    assert g.pace(15, 29, D(2028, 2, 1), D(2028, 2, 29), D(2028, 2, 15)) == pytest.approx(1.0)


def test_pace_on_the_start_date_counts_one_day():
    assert g.pace(10, 310, D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 1)) == pytest.approx(1.0)


def test_pace_errors():
    assert str(g.pace(1, 2, D(2026, 1, 1), D(2026, 2, 1), D(2025, 12, 31))) == "#N/A"
    assert str(g.pace(1, 2, D(2026, 2, 1), D(2026, 1, 1), D(2026, 1, 15))) == "#NUM!"
    assert str(g.pace(1, 5, D(2026, 1, 1), D(2026, 2, 1), D(2026, 1, 15), 5)) == "#DIV/0!"


def test_forecast_end_run_rate_quarter():
    # Q1 2026 has 90 days; by Feb 14, 45 days passed; 2.4 M so far → 4.8 M
    assert g.forecast_end(2_400_000, D(2026, 1, 1), D(2026, 3, 31), D(2026, 2, 14)) == pytest.approx(4_800_000)
    assert g.forecast_end(100, D(2026, 1, 1), D(2026, 1, 31), D(2026, 6, 1)) == pytest.approx(100)
    assert str(g.forecast_end(100, D(2026, 1, 1), D(2026, 1, 31), D(2025, 6, 1))) == "#N/A"


@pytest.mark.parametrize(
    "actual, key, expected_en, expected_zh",
    [
        (100, "achieved", "Achieved", "已達成"),  # achievement 1
        (50, "on_track", "On track", "進度正常"),  # pace 0.997
        (45, "behind", "Behind", "落後"),  # pace 0.898
        (40, "at_risk", "At risk", "有風險"),  # pace 0.798
    ],
)
def test_status_default_rules_both_languages(actual, key, expected_en, expected_zh):
    args = (actual, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2))
    assert g.status(*args) == key  # the core answers with a language-neutral id
    assert udfs.STATUS(*args) == expected_en
    assert udfs.STATUS(*args, None, "higher", "zh-TW") == expected_zh


def test_status_lower_goal_that_beats_its_target_is_achieved():
    # first response time from 10 h down to 4 h; now 3 h
    assert g.status(3, 4, D(2026, 1, 1), D(2026, 6, 30), D(2026, 2, 1), 10, "lower") == "achieved"


def test_status_language_from_environment(monkeypatch):
    monkeypatch.setenv("KPI_XL_LANG", "zh-TW")
    assert udfs.STATUS(100, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)) == "已達成"


def test_status_per_row_and_errors():
    out = udfs.STATUS([[100], [40], [None]], 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2))
    assert out.tolist() == [["Achieved"], ["At risk"], [None]]
    assert str(udfs.STATUS(1, 2, D(2026, 1, 1), D(2026, 12, 31), D(2025, 7, 2))) == "#N/A"
    assert str(udfs.STATUS(1, 2, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2), None, "up")) == "#VALUE!"
    assert str(udfs.STATUS(1, 2, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2), None, "higher", "fr")) == "#VALUE!"
    assert str(udfs.STATUS(1, 2, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2), None, "higher", "#N/A")) == "#N/A"


@pytest.mark.parametrize(
    "args, expected",
    [((0.7, 0.8), 0.0), ((0.9, 0.8), 0.9), ((1.2, 0.8, 2, 1.5), 1.4), ((1.5, 0.8, 2, 1.5), 1.5),
     ((1.5, 0.8, 2), 2.0), ((0.8, 0.8), 0.8), ((1.0, 0.8, 3), 1.0)],
)
def test_payout_issue_examples(args, expected):
    assert g.payout(*args) == pytest.approx(expected)


def test_payout_errors():
    assert str(g.payout(1, 1.2)) == "#NUM!"
    assert str(g.payout(1, 0.8, -1)) == "#NUM!"
    assert isinstance(g.payout(1, 0.8, 1, -0.5), XlError)


def test_okr_score_weighted_and_clipped():
    assert g.okr_score([0.7, 1, 0.4], [2, 1, 1]) == pytest.approx(0.7)
    assert g.okr_score([1.3, -0.2]) == pytest.approx(0.5)
    assert g.okr_score([0.5, None], [1, 5]) == pytest.approx(0.5)
    assert str(g.okr_score([None])) == "#DIV/0!"
    assert str(g.okr_score([0.5], [-1])) == "#NUM!"


def test_payout_blank_optional_cells_mean_what_leaving_them_out_means():
    """A blank accelerator or cap cell is no accelerator / no cap, alone or in a range;
    a blank threshold blanks its row (Zoltners et al.'s quota plan needs a floor)."""
    nan = float("nan")
    assert metrics.payout(1.2, 0.8, [[nan]], 1.5) == metrics.payout(1.2, 0.8, 1, 1.5) == pytest.approx(1.2)
    got = metrics.payout([[0.9], [1.2], [1.2]], 0.8, [[nan], [2], [2]], [[nan], [1.5], [nan]])
    assert np.allclose(got.ravel(), [0.9, 1.4, 1.4])
    assert np.isnan(metrics.payout([[1.2]], [[nan]], 2)).all()


def test_status_refuses_an_unknown_language_first():
    """As before the core gave ids: a language STATUS cannot show is #VALUE!, even when the
    goal has not started (which alone would be #N/A)."""
    assert str(udfs.STATUS(40, 100, dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), dt.datetime(2025, 7, 2),
                           None, "higher", "fr")) == "#VALUE!"
    assert str(udfs.STATUS(40, 100, dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31), dt.datetime(2025, 7, 2))) == "#N/A"


def test_status_of_ranges_of_different_sizes_is_value_error():
    """Found by the never-raises property run: a goal's range and its timeline's range of
    different sizes answered with a Python ValueError from the core."""
    got = metrics.status([[None, None, 0]], None, None, None, [None, None])
    assert isinstance(got, XlError) and str(got) == "#VALUE!"
