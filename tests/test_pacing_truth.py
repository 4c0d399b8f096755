"""The scorecard means what it says (issue 9, point 5), checked on a shop's order log.

A generated online shop (20,000 orders of 9,000 customers, 2025-01-01 .. 2026-06-30;
columns customer, date, items, amount) with the goals a shop manager sets for the
first half of 2026. Every number a reader sees is recomputed here with plain pandas:
forecasts are in the target's unit (a distinct count over the half-year, not a mean
of months), a period that has ended forecasts its actual with a chance of 0 or 100 %,
"Expected by now" is the expectation pace uses, and an average is not Achieved in
March only to be At risk in June.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from kpi_xl import i18n, sample
from kpi_xl.goals import compute
from kpi_xl.goals.explain import explain_goal

D = dt.date
START, END = D(2026, 1, 1), D(2026, 6, 30)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def orders() -> pd.DataFrame:
    rng = np.random.default_rng(9)
    days = pd.date_range("2025-01-01", "2026-06-30", freq="D")
    weight = np.asarray(1 + 0.3 * (days.day_of_week >= 5) + 0.25 * np.sin(2 * np.pi * days.day_of_year / 365), dtype=float)
    day = rng.choice(len(days), size=20_000, p=weight / weight.sum())
    loyal = rng.pareto(1.5, 9000) + 0.2  # a few customers buy often, most rarely
    customer = rng.choice(9000, size=20_000, p=loyal / loyal.sum())
    items = rng.integers(1, 6, size=20_000)
    df = pd.DataFrame({"Customer": [f"C{c:05d}" for c in customer], "Date": days[day], "Items": items,
                       "Amount": np.round(items * rng.gamma(4, 3, size=20_000), 2), "Orders": 1})
    return df.sort_values("Date", kind="stable").reset_index(drop=True)


def span(df: pd.DataFrame, a, b) -> pd.DataFrame:
    return df[(df["Date"] >= pd.Timestamp(a)) & (df["Date"] <= pd.Timestamp(b))]


def goal(**kw) -> dict:
    g = dict(id="G", name="goal", owner="Mia", kpi="SUM", table="Orders", columns="Amount", date_column="Date",
             target=1.0, start=START, end=END, period="month")
    g.update(kw)
    return g


def row(goals: list[dict], orders: pd.DataFrame, as_of: dt.date, gid: str, lang: str = "en"):
    result = compute(pd.DataFrame(goals), {"Orders": orders}, as_of)
    r = result.scorecard.set_index("id").loc[gid].map(lambda v: i18n.text(v, lang))
    return r, " ".join(m.text(lang) for m in explain_goal(result, gid))


# ------------------------------------------------------------- forecasts in the target's unit


def test_distinct_customers_forecast_is_a_distinct_count_over_the_half_year(orders):
    half = span(orders, START, END)
    final = half["Customer"].nunique()  # what the half-year will show: 3,011 customers
    target = round(final * 1.02)
    r, why = row([goal(id="DC", kpi="DISTINCT", columns="Customer", target=target)], orders, D(2026, 5, 15), "DC")
    so_far = span(orders, START, D(2026, 5, 15))["Customer"].nunique()
    assert r["actual"] == so_far
    # last year's first half had reached this share of its customers by 15 May
    ly = span(orders, D(2025, 1, 1), D(2025, 5, 15))["Customer"].nunique() / span(
        orders, D(2025, 1, 1), D(2025, 6, 30))["Customer"].nunique()
    assert r["forecast"] == pytest.approx(so_far / ly)
    assert r["forecast"] == pytest.approx(final, rel=0.03)  # not the mean of monthly counts (~800)
    assert r["forecast"] >= so_far
    assert 0.05 < r["chance"] < 0.6  # just short of a target 2 % above: a real chance, not 0 %
    assert r["expected"] == pytest.approx(target * ly) and r["pacing"] == "seasonal"
    assert "last year's share of its distinct count" in why


def test_distinct_customers_without_a_year_of_history_follow_the_accumulation_curve(orders):
    new_shop = orders[orders["Date"] >= pd.Timestamp(START)]
    final = span(new_shop, START, END)["Customer"].nunique()
    r, why = row([goal(id="DC", kpi="DISTINCT", columns="Customer", target=final)], new_shop, D(2026, 4, 15), "DC")
    assert r["forecast_method"] == "accumulation"
    assert r["actual"] < r["forecast"] == pytest.approx(final, rel=0.15)
    assert "Heaps' law" in why


@pytest.mark.parametrize("kpi, columns, final", [
    ("SUM", "Amount", lambda h: h["Amount"].sum()),
    ("COUNT", "", lambda h: len(h)),
    ("AOV", "Amount, Orders", lambda h: h["Amount"].sum() / len(h)),
    ("AVERAGE", "Items", lambda h: h["Items"].mean()),
    ("DISTINCT", "Customer", lambda h: h["Customer"].nunique()),
    ("MAX", "Amount", lambda h: h["Amount"].max()),
    ("MIN", "Amount", lambda h: h["Amount"].min()),
])
def test_every_measure_forecasts_the_value_over_the_whole_period(orders, kpi, columns, final):
    """At 15 May, each forecast is near what the half-year shows on 30 June."""
    truth = final(span(orders, START, END))
    r, _ = row([goal(id="K", kpi=kpi, columns=columns, target=truth)], orders, D(2026, 5, 15), "K")
    if kpi != "MIN":  # one cheap order in June sets a new minimum no forecast can see coming
        assert r["forecast"] == pytest.approx(truth, rel=0.05)
    so_far = r["actual"]
    if kpi in ("SUM", "COUNT", "DISTINCT", "MAX"):  # these only grow
        assert r["forecast"] >= so_far
    if kpi == "MIN":
        assert r["forecast"] <= so_far


def test_a_max_already_past_its_target_cannot_be_undone(orders):
    top = span(orders, START, D(2026, 3, 31))["Amount"].max()
    r, _ = row([goal(id="MX", kpi="MAX", columns="Amount", target=top - 1)], orders, D(2026, 5, 15), "MX")
    assert r["forecast"] >= r["actual"] >= top and r["chance"] == 1.0 and r["status_label"] == "Achieved"


# ------------------------------------------------------------- after the end date


@pytest.mark.parametrize("as_of", [END, D(2026, 8, 1)])
def test_after_the_end_the_forecast_is_the_actual_and_the_chance_certain(orders, as_of):
    half = span(orders, START, END)
    aov = half["Amount"].sum() / len(half)
    goals = [goal(id="AOV", kpi="AOV", columns="Amount, Orders", target=round(aov * 1.01, 2)),
             goal(id="ITEMS", kpi="AVERAGE", columns="Items", target=round(half["Items"].mean() * 0.99, 2)),
             goal(id="REV", target=round(half["Amount"].sum() * 1.05))]
    r, why = row(goals, orders, as_of, "AOV")
    assert r["actual"] == pytest.approx(aov) and r["forecast"] == r["actual"]
    assert r["chance"] == 0.0  # the target was missed: no chance left
    assert r["status_label"] == "At risk" and r["rule"].startswith("the period has ended short of the target")
    assert "the period has ended: the forecast is the actual" in why
    met, _ = row(goals, orders, as_of, "ITEMS")
    assert met["forecast"] == met["actual"] == pytest.approx(half["Items"].mean())
    assert met["chance"] == 1.0 and met["status_label"] == "Achieved"
    # a running total 95 % of its target when its period is over is not "On track"
    rev, _ = row(goals, orders, as_of, "REV")
    assert rev["actual"] == pytest.approx(half["Amount"].sum()) and rev["forecast"] == rev["actual"]
    assert rev["chance"] == 0.0 and rev["status_label"] == "At risk"


def test_an_ended_period_reads_in_chinese(orders):
    half = span(orders, START, END)
    r, why = row([goal(id="AOV", kpi="AOV", columns="Amount, Orders", target=40)], orders, D(2026, 8, 1), "AOV",
                 lang="zh-TW")
    assert r["status_label"] == "有風險" and r["rule"].startswith("期間已結束，未達目標")
    assert "預測值就是實際值" in why and r["forecast"] == pytest.approx(half["Amount"].sum() / len(half))


# ------------------------------------------------------------- one "Expected by now"


def test_expected_by_now_is_the_one_pace_uses_on_every_sample_goal():
    company = sample.load("en")
    card = compute(company.goals, company.tables, company.as_of).scorecard
    both = card[card["expected"].notna() & card["pace"].notna() & (card["direction"] != "maintain")]
    assert len(both) >= 10
    for r in both.itertuples():
        base = 0.0 if np.isnan(r.baseline) else r.baseline
        if r.direction == "lower":
            shown = (base - r.actual) / (base - r.expected) if not np.isnan(r.baseline) else r.expected / r.actual
        else:
            shown = (r.actual - base) / (r.expected - base)
        assert r.pace == pytest.approx(shown), r.id
        assert r.pacing in ("linear", "seasonal", "target")
        if r.pacing == "seasonal":
            assert r.expected == r.expected_seasonal
    s1 = card.set_index("id").loc["S1"]  # won North deals: last year's shape, not the straight line
    assert s1["pacing"] == "seasonal" and s1["actual"] / s1["expected"] == pytest.approx(s1["pace"])


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
def test_the_template_scorecard_shows_actual_over_expected_equal_to_pace():
    """What a reader of the sample workbook sees: Actual ÷ Expected by now = Pace on every
    row of a higher-is-better goal without a baseline, and Why names the expectation."""
    ws = openpyxl.load_workbook(io.BytesIO((ROOT / "workbook_template.xlsx").read_bytes()), data_only=True)["Scorecard"]
    head = [c.value for c in ws[1]]
    col = {h: head.index(h) for h in ("ID", "Actual", "Expected by now", "Pace", "Why")}
    company = sample.load("en")
    goals = company.goals.set_index("id")
    checked = 0
    for cells in ws.iter_rows(min_row=2, values_only=True):
        gid, actual, expected, pace = (cells[col[k]] for k in ("ID", "Actual", "Expected by now", "Pace"))
        if not all(isinstance(v, (int, float)) for v in (actual, expected, pace)):
            continue
        g = goals.loc[gid]
        if str(g["direction"] or "higher").lower() == "higher" and pd.isna(pd.to_numeric(g["baseline"], errors="coerce")):
            assert actual / expected == pytest.approx(pace), gid
            checked += 1
    assert checked >= 5
    whys = [c[col["Why"]] for c in ws.iter_rows(min_row=2, values_only=True) if c[col["Why"]]]
    assert any("(seasonal expectation)" in w for w in whys) and any("(linear expectation)" in w for w in whys)


# ------------------------------------------------------------- a stable status for averages


def test_an_average_is_not_achieved_mid_period_and_then_at_risk(orders):
    """Average order value over the half-year: above target in March, below by June."""
    half = span(orders, START, END)
    march = span(orders, START, D(2026, 3, 31))
    aov_march, aov_half = march["Amount"].sum() / len(march), half["Amount"].sum() / len(half)
    target = round((aov_march + aov_half) / 2, 3)
    assert aov_march > target > aov_half  # the flip the issue saw
    g = [goal(id="AOV", kpi="AOV", columns="Amount, Orders", target=target)]
    seen = {}
    for as_of in (D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31), END):
        r, why = row(g, orders, as_of, "AOV")
        seen[as_of] = r["status_label"]
        if as_of < END:
            assert r["status_label"] != "Achieved", as_of
    march_row, _ = row(g, orders, D(2026, 3, 31), "AOV")
    assert march_row["achievement"] > 1 and march_row["status_label"] == "On track"
    assert march_row["rule"].endswith("Achieved only once the period ends (2026-06-30)")
    assert seen[END] == "At risk"


def test_a_running_total_keeps_its_rules(orders):
    """Additive goals are judged as before: achieved as soon as the total is reached."""
    so_far = span(orders, START, D(2026, 5, 15))["Amount"].sum()
    r, _ = row([goal(id="REV", target=round(so_far * 0.9))], orders, D(2026, 5, 15), "REV")
    assert r["status_label"] == "Achieved" and r["rule"] == f"achievement {so_far / round(so_far * 0.9):.3f} ≥ 1"
