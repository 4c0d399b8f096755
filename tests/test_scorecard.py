"""The scorecard engine against hand-computed numbers.

The main fixture is a shop that sells exactly one order of 100 every day (Ann on
odd days of the month, Bob on even days) from 2023-01-01 to 2026-06-30, so every
expected number below can be worked out with a calendar.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from kpi_xl import i18n
from kpi_xl.goals import GoalsError, compute, grade_okrs, payouts, read_rules, smart_check, snapshot
from kpi_xl.goals.pacing import periods, trend_forecast

D = dt.date


@pytest.fixture(scope="module")
def tables():
    days = pd.date_range("2023-01-01", "2026-06-30", freq="D")
    orders = pd.DataFrame({
        "Date": days,
        "Owner": np.where(days.day % 2 == 1, "Ann", "Bob"),
        "Amount": 100.0,
        "Hours": 2.0,
    })
    return {"Orders": orders}


def goal(**kw):
    base = dict(id="G", name="Sell 36,500 in 2026", owner="Ann", kpi="SUM", table="Orders", columns="Amount",
                target=36500, start=D(2026, 1, 1), end=D(2026, 12, 31), period="month", strategy="Grow")
    base.update(kw)
    return base


def card(tables, *goals, as_of=D(2026, 6, 30), **kw):
    return compute(pd.DataFrame(list(goals)), tables, as_of, **kw)


def row(result, gid="G", lang="en"):
    """One goal's scorecard row as a reader of ``lang`` sees it (messages as text)."""
    return result.scorecard.set_index("id").loc[gid].map(lambda v: i18n.text(v, lang))


def test_additive_goal_half_year_exactly_on_plan(tables):
    r = row(card(tables, goal()))
    assert r["actual"] == 18100  # Jan 1 .. Jun 30 2026 is 181 days
    assert r["expected"] == pytest.approx(36500 * 181 / 365)
    assert r["achievement"] == pytest.approx(18100 / 36500)
    assert r["pace"] == pytest.approx(1.0)
    assert r["pacing"] == "seasonal"  # 2025 data exists; uniform, so the same as linear
    assert r["expected_seasonal"] == pytest.approx(18100)
    assert r["forecast"] == pytest.approx(36500)
    assert r["chance"] == pytest.approx(1.0)  # every day is exactly 100
    assert r["status_label"] == "On track" and r["rule"] == "pace 1.000 ≥ 0.95 (seasonal expectation)"


def test_periods_table_gives_each_month_and_cumulative(tables):
    p = card(tables, goal()).periods
    assert list(p["period"]) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert list(p["value"]) == [3100, 2800, 3100, 3000, 3100, 3000]  # month ends: 31, 28, 31, 30, 31, 30
    assert p["cumulative"].iloc[-1] == 18100
    assert p["expected_to_date"].iloc[1] == pytest.approx(36500 * 59 / 365)


def test_filter_and_leap_year_february(tables):
    # Feb 2024 has 29 days; Ann sells on the 15 odd days; as of the 15th, 8 of them
    g = goal(id="L", filter="Owner=ann", target=1500, start=D(2024, 2, 1), end=D(2024, 2, 29))
    r = row(card(tables, g, as_of=D(2024, 2, 15)), "L")
    assert r["actual"] == 800
    assert r["expected_linear"] == pytest.approx(1500 * 15 / 29)
    # last year's Feb (28 days): Ann's odd days 1..15 → 8 of 14 sales
    assert r["expected_seasonal"] == pytest.approx(1500 * 8 / 14)
    assert r["expected"] == r["expected_seasonal"] and r["pacing"] == "seasonal"  # the one pace uses
    assert r["pace"] == pytest.approx(800 / (1500 * 8 / 14))
    end = row(card(tables, g, as_of=D(2024, 2, 29)), "L")
    assert end["actual"] == 1500 and end["achievement"] == pytest.approx(1.0)
    assert end["status_label"] == "Achieved"


def test_periods_clip_to_goal_and_month_ends():
    assert periods(D(2026, 1, 15), D(2026, 4, 10), "month") == [
        (D(2026, 1, 15), D(2026, 1, 31)), (D(2026, 2, 1), D(2026, 2, 28)),
        (D(2026, 3, 1), D(2026, 3, 31)), (D(2026, 4, 1), D(2026, 4, 10))]
    assert periods(D(2028, 2, 10), D(2028, 5, 1), "quarter") == [
        (D(2028, 2, 10), D(2028, 3, 31)), (D(2028, 4, 1), D(2028, 5, 1))]


def test_goal_not_started_and_goal_with_no_data(tables):
    res = card(tables, goal(id="Later", start=D(2026, 7, 1)), goal(id="Nobody", filter="Owner=Zed"))
    assert row(res, "Later")["status_label"] == "Not started"
    nobody = row(res, "Nobody")
    assert nobody["status_label"] == "No data" and "matches the filter Owner=Zed" in nobody["rule"]
    assert math.isnan(nobody["achievement"])


def test_lower_is_better_goal_that_beats_its_target(tables):
    g = goal(id="H", name="Cut handling time to 3 hours", kpi="AVERAGE", columns="Hours", direction="lower",
             baseline=5, target=3)
    r = row(card(tables, g), "H")
    assert r["actual"] == 2
    assert r["achievement"] == pytest.approx((5 - 2) / (5 - 3))
    # an average can still rise again: beating the target mid-period is On track, not yet Achieved
    assert r["status_label"] == "On track" and "Achieved only once the period ends (2026-12-31)" in r["rule"]
    ended = row(card(tables, g, as_of=D(2027, 1, 15)), "H")
    assert ended["status_label"] == "Achieved" and ended["forecast"] == ended["actual"] == 2


def test_maintain_goal_judged_by_its_band(tables):
    inside = goal(id="B1", kpi="AVERAGE", columns="Amount", direction="maintain", band_low=90, band_high=110, target=None)
    outside = goal(id="B2", kpi="AVERAGE", columns="Amount", direction="maintain", band_low=50, band_high=98, target=None)
    res = card(tables, inside, outside)
    assert row(res, "B1")["status_label"] == "On track" and row(res, "B1")["achievement"] == 1
    # 2 outside a band 48 wide: within a tenth of its width → Behind
    assert row(res, "B2")["status_label"] == "Behind"


def test_cascade_four_deep_weighted_roll_up(tables):
    goals = [
        goal(id="L1", name="Company revenue", kpi="", table="", target=None),
        goal(id="L2", name="Region revenue", kpi="", table="", target=None, parent="L1"),
        goal(id="L3", name="Team revenue", kpi="", table="", target=None, parent="L2", rollup="min"),
        goal(id="L4a", parent="L3", target=18100 * 2),  # achievement 0.5
        goal(id="L4b", parent="L3", target=18100 * 4),  # achievement 0.25
        goal(id="L3b", parent="L2", weight=3, target=18100),  # achievement 1.0
    ]
    res = card(tables, *goals)
    sc = res.scorecard.set_index("id")
    assert sc.at["L3", "rollup_achievement"] == pytest.approx(0.25)  # min of 0.5 and 0.25
    assert sc.at["L2", "rollup_achievement"] == pytest.approx((0.25 * 1 + 1.0 * 3) / 4)
    assert sc.at["L1", "rollup_achievement"] == pytest.approx((0.25 + 3) / 4)
    assert list(sc["level"]) == [1, 2, 3, 4, 4, 3]
    assert str(sc.at["L1", "status_label"]) != "No data" and "roll-up" in str(sc.at["L1", "rule"])


def test_cascade_sum_rolls_up_actuals_against_parent_target(tables):
    goals = [goal(id="P", kpi="", table="", target=18100, rollup="sum"),
             goal(id="A", filter="Owner=Ann", parent="P"), goal(id="B", filter="Owner=Bob", parent="P")]
    assert row(card(tables, *goals), "P")["rollup_achievement"] == pytest.approx(1.0)


def test_cycle_is_refused_naming_the_goals(tables):
    with pytest.raises(GoalsError, match="A → B → A|B → A → B"):
        card(tables, goal(id="A", parent="B"), goal(id="B", parent="A"))


def test_bad_rows_are_reported_with_row_and_column(tables):
    with pytest.raises(GoalsError) as info:  # a repeated id: the table cannot be read, nothing is computed
        card(tables, goal(id="ok"), goal(id="x", start="next spring"), goal(id="ok"))
    assert str(info.value).endswith("\nrow 3, column ID: 'ok' is used again (first on row 1)")
    result = card(tables, goal(id="ok"), goal(id="x", start="next spring"), goal(id="y", direction="sideways"),
                  goal(id="z", table="Nope"))
    said = {gid: str(p) for gid, p in result.problems.items()}
    assert said == {"x": "row 2, column Start: 'next spring' is not a date",
                    "y": "row 3, column Direction: 'sideways' is not one of higher, lower, maintain",
                    "z": "row 4, column Table: no data table named 'Nope'"}
    sc = result.scorecard.set_index("id")  # each bad row kept: no number, its problem the reason
    assert sc.loc["ok", "status"] != "no_data" and not math.isnan(sc.loc["ok", "actual"])
    for gid in said:
        assert sc.loc[gid, "status"] == "no_data" and math.isnan(sc.loc[gid, "actual"])
        assert sc.loc[gid, "rule"] == result.problems[gid].message


def test_unknown_table_and_column_name_row_and_column(tables):
    result = card(tables, goal(id="a", table="Nope"), goal(id="b", columns="Amount, Profit", kpi="ROI"))
    assert str(result.problems["a"]) == "row 1, column Table: no data table named 'Nope'"
    assert str(result.problems["b"]).startswith("row 2, column Columns: table 'Orders' has no column 'Profit'")
    sc = result.scorecard.set_index("id")
    for gid in ("a", "b"):  # each kept, with no number and its problem as the reason
        assert sc.loc[gid, "status"] == "no_data" and math.isnan(sc.loc[gid, "actual"])
        assert sc.loc[gid, "rule"] == result.problems[gid].message


def test_status_rules_are_editable(tables):
    strict = read_rules(pd.DataFrame({"Status": ["Achieved", "On track"], "Measure": ["achievement", "pace"],
                                      "At least": [1.0, 1.05]}))
    r = row(card(tables, goal(), rules=strict))
    assert r["status_label"] == "At risk" and r["rule"].startswith("pace 1.00 is below the 1.05 On track needs")


def test_status_in_traditional_chinese(tables):
    r = row(card(tables, goal()), lang="zh-TW")
    assert r["status_label"] == "進度正常" and r["rule"] == "進度比 100.0% ≥ 95%（季節性預期）"


def test_the_engine_speaks_no_language_until_shown(tables):
    """Reasons, status words and warnings are message ids with parameters: the same
    result reads in English or Chinese, numbers and names filled in."""
    res = card(tables, goal(), goal(id="M", direction="maintain", kpi="AVERAGE", unit="%", band_low=0.55,
                                    band_high=0.65, target=None, columns="Hours"),
               *[goal(id=f"G{i}", owner="Cleo") for i in range(6)])
    r = res.scorecard.set_index("id").loc["G"]
    assert isinstance(r["rule"], i18n.Message) and r["rule"].params["reason"].params["value"] == pytest.approx(1.0)
    assert r["rule"].text("en") == "pace 1.000 ≥ 0.95 (seasonal expectation)"
    band = res.scorecard.set_index("id").loc["M", "rule"]
    assert band.text("en") == "2 outside 0.55–0.65" and band.text("zh-TW") == "200.0%，在 55%～65% 區間外"
    owner = [w for w in res.warnings if w.params.get("owner") == "Cleo"][0]
    assert owner.text("en") == "Cleo owns 6 KPIs; keep it to 5 or fewer"
    assert owner.text("zh-TW") == "Cleo 負責 6 個 KPI，建議不超過 5 個"


def test_level_trend_forecast_only_extends_a_clear_trend():
    fc, _, how = trend_forecast([1, 2, 3, 4, 5], 2)
    assert how == "trend" and fc == pytest.approx(7)
    fc, _, how = trend_forecast([3, 1, 4, 1, 5, 9, 2, 6], 3)
    assert how == "average" and fc == pytest.approx(np.mean([3, 1, 4, 1, 5, 9, 2, 6]))


def test_chance_reflects_noise_and_remaining_days():
    from kpi_xl.goals.pacing import chance_additive

    daily = np.array([90.0, 110.0] * 50)
    # 100 a day expected for 100 more days from 10,000: ends at 20,000 ± √100·10.05
    assert chance_additive(10_000, daily, 100, 20_000, True) == pytest.approx(0.5)
    assert chance_additive(10_000, daily, 100, 19_800, True) == pytest.approx(0.977, abs=0.002)
    assert math.isnan(chance_additive(1000, daily[:5], 100, 2000, True))


def test_more_than_five_kpis_on_a_level_is_warned(tables):
    res = card(tables, *[goal(id=f"G{i}", owner=f"O{i}") for i in range(6)])
    assert [str(w) for w in res.warnings] == ["the top level carries 6 KPIs; keep it to 5 or fewer"]
    assert [w.text("zh-TW") for w in res.warnings] == ["最上層有 6 個 KPI，建議不超過 5 個"]


# --------------------------------------------------------------------- SMART


def test_smart_examples_from_the_issue(tables):
    goals = pd.DataFrame([
        goal(id="ok"),
        goal(id="T", end=None),
        goal(id="M", kpi="be better at sales", table=""),
        goal(id="A", kpi="AVERAGE", columns="Amount", baseline=10, target=60, start=D(2026, 1, 1), end=D(2026, 3, 31)),
        goal(id="R", strategy=""),
        goal(id="S", owner=""),
    ])
    s = smart_check(goals, tables).set_index("id")
    s["reasons"] = s["reasons"].map(str)
    assert s.at["ok", "ok"] and s.at["ok", "reasons"] == ""
    assert "T: no end date" in s.at["T", "reasons"] and not s.at["T", "T"]
    assert "M: KPI 'be better at sales' is not a measurable function or data column" in s.at["M", "reasons"]
    assert "A: target is 6× the baseline for a 3-month period" in s.at["A", "reasons"]
    assert "R: not linked to a strategy or a parent goal" in s.at["R", "reasons"]
    assert "S: no owner" in s.at["S", "reasons"]


def test_smart_achievable_against_last_year(tables):
    # 2025 sold 36,500; asking 4× that for 2026 is not achievable
    s = smart_check(pd.DataFrame([goal(target=146000)]), tables).iloc[0]
    assert not s["A"] and "4× last year's result for the same period for a 12-month period" in str(s["reasons"])
    assert "A：目標值是去年同期的 4 倍（12 個月期間）" in s["reasons"].text("zh-TW")


# ---------------------------------------------------------------- review


def test_history_snapshot_never_duplicates_a_period_and_keeps_notes(tables):
    res = card(tables, goal(), goal(id="G2", filter="Owner=Bob"))
    h = snapshot(None, res.scorecard, D(2026, 6, 30))
    assert list(h["period"]) == ["2026-06", "2026-06"]
    h.loc[h["id"] == "G", "note"] = "Big order from Acme expected in July"
    again = snapshot(h, res.scorecard, D(2026, 6, 30))
    assert len(again) == 2
    assert again.set_index("id").at["G", "note"] == "Big order from Acme expected in July"
    july = snapshot(again, card(tables, goal(), as_of=D(2026, 7, 3)).scorecard, D(2026, 7, 3))
    assert list(july["period"]) == ["2026-06", "2026-06", "2026-07"]
    assert july.iloc[0]["note"] == "Big order from Acme expected in July"
    quarter = snapshot(None, res.scorecard, D(2026, 6, 30), kind="quarter")
    assert set(quarter["period"]) == {"2026-Q2"}


def test_payouts_weighted_per_owner(tables):
    goals = [goal(id="A1", target=18100 / 1.2, reward="Sales", weight=2),   # achievement 1.2
             goal(id="A2", target=18100 / 0.9, reward="Sales", weight=1),   # achievement 0.9
             goal(id="B1", owner="Bob", target=18100 / 0.7, reward="Sales"),  # below threshold
             goal(id="B2", owner="Bob", target=18100, reward="Lunch")]
    plans = pd.DataFrame({"Plan": ["Sales", "Lunch"], "Threshold": [0.8, 1.0], "Accelerator": [2, 1],
                          "Cap": [1.5, None], "Target bonus": [100_000, 0], "Reward": ["", "Team lunch"]})
    p = payouts(card(tables, *goals).scorecard, plans).set_index(["owner", "plan"])
    # Ann: (2 × PAYOUT(1.2) + 1 × PAYOUT(0.9)) / 3 = (2 × 1.4 + 0.9) / 3
    assert p.at[("Ann", "Sales"), "payout_fraction"] == pytest.approx((2 * 1.4 + 0.9) / 3)
    assert p.at[("Ann", "Sales"), "payout"] == pytest.approx(100_000 * (2 * 1.4 + 0.9) / 3)
    assert p.at[("Bob", "Sales"), "payout"] == 0
    assert p.at[("Bob", "Lunch"), "reward"] == "Team lunch" and p.at[("Bob", "Lunch"), "reward_earned"]


def test_okr_grading_google_scale(tables):
    okrs = pd.DataFrame({
        "Objective": ["Win the market"] * 3 + ["Delight"],
        "Key result": ["Sign 40 customers", "Launch LINE app", "NPS 40", "Answer in 2 h"],
        "Start value": [0, None, 30, None], "Target value": [40, None, 40, None],
        "Current value": [28, None, 36, None], "Score": [None, 1.0, None, 0.2],
        "Weight": [2, 1, 1, 1], "Goal": ["G", "", "", ""],
    })
    krs, objs = grade_okrs(okrs, card(tables, goal()).scorecard)
    assert krs["score"].round(3).tolist() == [0.7, 1.0, 0.6, 0.2]
    assert krs["grade"].map(str).tolist() == ["Delivered", "Delivered", "Progress", "Missed"]
    assert krs["grade"].map(lambda g: g.text("zh-TW")).tolist() == ["達成", "達成", "有進展", "未達成"]
    o = objs.set_index("objective")
    assert o.at["Win the market", "score"] == pytest.approx((2 * 0.7 + 1.0 + 0.6) / 4)
    assert str(o.at["Delight", "grade"]) == "Missed"
    assert krs.iloc[0]["goal_achievement"] == pytest.approx(18100 / 36500)


def test_owner_achievement_is_the_weighted_mean_of_their_goals():
    from kpi_xl.goals.cascade import owner_achievement

    card = pd.DataFrame({"owner": ["Ann", "Ann", "Bo", "", "Bo"], "achievement": [1.0, 0.4, 0.5, 0.9, float("nan")],
                         "weight": [3.0, 1.0, float("nan"), 1.0, 5.0]})
    out = owner_achievement(card)
    assert out["owner"].tolist() == ["Ann", "Bo"]  # no owner: left out; an unmeasured goal does not count
    assert out["achievement"].tolist() == pytest.approx([(3 * 1.0 + 0.4) / 4, 0.5])  # a blank weight counts 1


def test_expected_share_is_the_achievement_the_expected_value_would_have():
    from kpi_xl.goals.scorecard import expected_share

    nan = float("nan")
    card = pd.DataFrame({"expected": [40.0, 8.0, 5.0, 60.0], "expected_linear": [50.0, 8.0, 5.0, 60.0],
                         "expected_seasonal": [40.0, nan, nan, nan],
                         "target": [100.0, 4.0, 10.0, 100.0], "baseline": [0.0, 10.0, nan, nan],
                         "direction": ["higher", "lower", "maintain", "higher"]})
    out = expected_share(card).tolist()
    assert out[0] == pytest.approx(0.4)  # the expectation pace uses (seasonal here)
    assert out[1] == pytest.approx((10 - 8) / (10 - 4))  # "lower" from a baseline of 10 toward 4
    assert math.isnan(out[2])  # a maintain goal has a band, not a path
    assert out[3] == pytest.approx(0.6)


@pytest.fixture(scope="module")
def refunds():
    """A shop with one order a day in 2026 and no refund at all (a Refund column of zeros),
    and the same shop with one refund on the 3rd of each month."""
    days = pd.date_range("2026-01-01", "2026-12-31", freq="D")
    none = pd.DataFrame({"Date": days, "Amount": 100.0, "Refund": 0.0})
    some = none.assign(Refund=np.where(days.day == 3, 1.0, 0.0))
    return {"Orders": none}, {"Orders": some}


def _refund_goals():
    return [goal(id=k, name="At most 5 refunds", kpi=kpi, columns="Refund", direction="lower", target=5,
                 start=D(2026, 1, 1), end=D(2026, 6, 30)) for k, kpi in (("S", "SUM"), ("A", "AVERAGE"), ("M", "MAX"))]


def test_lower_is_better_goal_with_no_refund_at_all_is_achieved(refunds):
    # zero refunds against a ceiling of 5 is the best result there is: not "No data", not "At risk"
    res = card(refunds[0], *_refund_goals(), as_of=D(2026, 7, 10))
    for gid in ("S", "A", "M"):
        r = row(res, gid)
        assert r["actual"] == 0
        assert r["status_label"] == "Achieved", (gid, r["rule"])
        assert r["achievement"] == 1 and r["pace"] == 1
        assert r["forecast"] == 0 and r["chance"] == 1 and r["forecast_achievement"] == 1


def test_lower_is_better_total_is_judged_against_its_ceiling_not_upside_down(refunds):
    # six refunds by the end of June against a ceiling of 5: short of the target, however it is
    # measured (a baseline of 0 read "lower" once made 6 refunds 120 % achieved)
    ended = row(card(refunds[1], _refund_goals()[0], as_of=D(2026, 7, 10)), "S")
    assert ended["actual"] == 6
    assert ended["achievement"] == pytest.approx(5 / 6)
    assert ended["status_label"] == "At risk" and ended["chance"] == 0
    # mid-period: 3 refunds by March 31, 5 × 90/181 allowed by then
    mid = row(card(refunds[1], _refund_goals()[0], as_of=D(2026, 3, 31)), "S")
    assert mid["actual"] == 3 and mid["expected"] == pytest.approx(5 * 90 / 181)
    assert mid["pace"] == pytest.approx(5 * 90 / 181 / 3)
    assert mid["status_label"] == "At risk"  # pace 0.83 < 0.85
    # no refund yet in the first quarter: on track, but a total can still rise past its ceiling,
    # so it is Achieved only once the period ends
    q1 = row(card(refunds[0], _refund_goals()[0], as_of=D(2026, 3, 31)), "S")
    assert q1["actual"] == 0 and q1["pace"] == 1 and q1["chance"] == 1
    assert q1["status_label"] == "On track" and "Achieved only once the period ends (2026-06-30)" in q1["rule"]


def _stale_warnings(result):
    return [i18n.text(w, "en") for w in result.warnings if "days before the as-of date" in i18n.text(w, "en")]


def test_a_table_whose_data_stops_weeks_before_the_as_of_date_is_warned_once():
    # the order log ends on 20 April (the latest export not imported), refreshed on 15 June:
    # one warning for the table, not one per goal, naming its date column and both dates
    orders = pd.DataFrame({"Date": pd.date_range("2025-01-01", "2026-04-20", freq="D"), "Amount": 100.0})
    goals = [goal(id=f"G{i}", name=f"Goal {i}", target=36500 + i) for i in range(3)]
    res = compute(pd.DataFrame(goals), {"Orders": orders}, D(2026, 6, 15))
    assert _stale_warnings(res) == [
        "Orders: the latest Date is 2026-04-20, 56 days before the as-of date 2026-06-15; import the newer rows, "
        "or set the as-of date (Settings) to the data's end"]
    zh = [i18n.text(w, "zh-TW") for w in res.warnings]
    assert any("資料日期 2026-06-15" in w and "56 天" in w and "Orders" in w for w in zh)
    # ten days behind is normal (an export made every week or two): no warning
    assert _stale_warnings(compute(pd.DataFrame(goals), {"Orders": orders}, D(2026, 4, 30))) == []
    # goals that ended before the data does are not affected by the missing days
    ended = [goal(id="Q1", end=D(2026, 3, 31))]
    assert _stale_warnings(compute(pd.DataFrame(ended), {"Orders": orders}, D(2026, 6, 15))) == []


def test_a_monthly_table_up_to_date_is_not_stale_but_one_two_months_behind_is():
    # one row a month, dated the 1st: on 30 June the June row may not be in yet and May's is
    # 60 days back, which is normal for such a table; by 20 August June's and July's are missing
    subs = pd.DataFrame({"Month": pd.date_range("2025-01-01", "2026-05-01", freq="MS"), "Churned": 2.0,
                         "Customers": 100.0})
    g = goal(id="K", kpi="CHURN", table="Subs", columns="Churned, Customers", date_column="Month", direction="lower",
             baseline=0.03, target=0.01)
    assert _stale_warnings(compute(pd.DataFrame([g]), {"Subs": subs}, D(2026, 6, 30))) == []
    late = _stale_warnings(compute(pd.DataFrame([g]), {"Subs": subs}, D(2026, 8, 20)))
    assert late == ["Subs: the latest Month is 2026-05-01, 111 days before the as-of date 2026-08-20; import the newer "
                    "rows, or set the as-of date (Settings) to the data's end"]
