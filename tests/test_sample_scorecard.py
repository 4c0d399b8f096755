"""The sample company's scorecard, re-derived here with plain pandas.

docs/scorecard.md explains each number in words; these tests recompute the
main ones another way, so a change in the engine that moves a number shows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpi_xl import metrics, sample
from kpi_xl.goals import compute, payouts, smart_check

AS_OF = sample.AS_OF


@pytest.fixture(scope="module")
def company():
    return sample.load("en")


@pytest.fixture(scope="module")
def card(company):
    return compute(company.goals, company.tables, AS_OF).scorecard.set_index("id")


def between(df, col, start, end):
    d = df[col]
    return df[(d >= pd.Timestamp(start)) & (d < pd.Timestamp(end) + pd.Timedelta(days=1))]


def test_sample_is_seeded_and_has_18_months_of_every_table(company):
    again = sample.load("en")
    for name, table in company.tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])
    assert company.tables["Orders"]["Date"].min() == pd.Timestamp("2025-01-01")
    assert company.tables["Orders"]["Date"].max() == pd.Timestamp("2026-06-30")
    assert set(company.tables) == {"Deals", "Subscriptions", "Orders", "Marketing", "Activities", "Tickets", "Web"}


def test_s1_won_north_deals_to_date(company, card):
    d = between(company.tables["Deals"], "Date", "2026-01-01", AS_OF)
    actual = d[(d.Region == "North") & (d.Stage == "Won")]["Value"].sum()
    assert card.at["S1", "actual"] == pytest.approx(actual)
    assert card.at["S1", "expected_linear"] == pytest.approx(18_000_000 * 166 / 365)
    last = company.tables["Deals"]
    last = last[(last.Region == "North") & (last.Stage == "Won")]
    share = between(last, "Date", "2025-01-01", "2025-06-15")["Value"].sum() / between(
        last, "Date", "2025-01-01", "2025-12-31")["Value"].sum()
    assert card.at["S1", "expected_seasonal"] == pytest.approx(18_000_000 * share)
    assert card.at["S1", "expected"] == card.at["S1", "expected_seasonal"]  # the Scorecard shows the one pace uses
    assert card.at["S1", "pace"] == pytest.approx(actual / (18_000_000 * share))


def test_m1_conversion_is_total_conversions_over_total_sessions(company, card):
    w = between(company.tables["Web"], "Date", "2026-01-01", AS_OF)
    assert card.at["M1", "actual"] == pytest.approx(w["Conversions"].sum() / w["Sessions"].sum())


def test_t2_median_first_response_hours(company, card):
    t = between(company.tables["Tickets"], "Created", "2026-01-01", AS_OF)
    hours = (t["First response"] - t["Created"]).dt.total_seconds() / 3600
    assert card.at["T2", "actual"] == pytest.approx(hours.median())


def test_k1_churn_and_s3_acv_match_the_worksheet_functions(company, card):
    s = between(company.tables["Subscriptions"], "Month", "2026-01-01", AS_OF)
    assert card.at["K1", "actual"] == pytest.approx(
        metrics.churn(s["Churned customers"].sum(), s["Customers at start"].sum()))
    d = between(company.tables["Deals"], "Date", "2026-04-01", AS_OF)
    d = d[d.Stage == "Won"]
    assert card.at["S3", "actual"] == pytest.approx(metrics.acv(d["Value"], d["Term years"], d["One-time fee"]))


def test_c1_rolls_up_its_children_by_weight(card):
    kids = card[card["parent"] == "C1"]
    w = kids["weight"].to_numpy()
    assert card.at["C1", "rollup_achievement"] == pytest.approx(np.sum(kids["achievement"] * w) / w.sum())


def test_sample_shows_every_status_and_the_vague_goal_fails_smart(company, card):
    assert {"Achieved", "On track", "Behind", "At risk", "No data"} <= set(card["status_label"].map(str))
    smart = smart_check(company.goals, company.tables).set_index("id")
    assert not smart.at["X1", "ok"] and smart["ok"].sum() == len(smart) - 1


def test_payout_for_ming_wang(company, card):
    p = payouts(card.reset_index(), company.plans).set_index("owner")
    # S1 (weight 2) is below the 0.8 threshold; S3 (weight 1) is capped at 1.5
    assert card.at["S1", "achievement"] < 0.8 and card.at["S3", "achievement"] > 1.25
    assert p.at["Ming Wang", "payout"] == pytest.approx(120_000 * (0 * 2 + 1.5 * 1) / 3)


def test_sample_in_traditional_chinese_has_the_same_numbers():
    en = compute(sample.load("en").goals, sample.load("en").tables, AS_OF).scorecard
    zh_company = sample.load("zh-TW")
    zh = compute(zh_company.goals, zh_company.tables, AS_OF).scorecard
    assert np.allclose(en["actual"].fillna(-1), zh["actual"].fillna(-1))
    assert "進度正常" in set(zh["status_label"].map(lambda m: m.text("zh-TW")))
    assert zh_company.name == "玉山軟體"


def test_sample_data_is_up_to_date_so_no_table_is_called_stale(company):
    # every sample table (daily orders, the monthly Subscriptions) reaches the as-of date
    def stale(as_of):
        return [str(w).split(":")[0] for w in compute(company.goals, company.tables, as_of).warnings
                if "days before the as-of date" in str(w)]

    assert stale(AS_OF) == []
    # refreshed in mid-September without importing July and August, every table is stale
    assert stale(AS_OF + dt.timedelta(days=90)) == ["Deals", "Orders", "Web", "Marketing", "Subscriptions", "Tickets"]
