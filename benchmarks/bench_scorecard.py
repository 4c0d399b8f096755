"""Scorecard engine speed: 500 goals over 1,000,000 transactions, 24 monthly periods.

Compared in the same run with the time pandas alone takes for ONE group-by-sum over
the same rows (sum of Amount by owner and month). Target: scorecard ≤ 5× that.
Peak memory is the process's peak resident set size (ru_maxrss).

    python benchmarks/bench_scorecard.py [--rows 1000000] [--goals 500] [--check]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time

import numpy as np
import pandas as pd

from kpi_xl.goals import compute


def make_data(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-01", "2026-12-31", freq="D")
    owners = np.array([f"Rep {i:02d}" for i in range(50)])
    regions = np.array(["North", "South", "East", "West", "Central", "Islands", "Online", "Export", "Partners", "Gov"])
    products = np.array(["Basic", "Pro", "Enterprise", "Add-on", "Service"])
    amount = np.round(rng.lognormal(7.5, 0.7, rows), 0)
    return pd.DataFrame({
        "Date": days[rng.integers(0, len(days), rows)],
        "Owner": owners[rng.integers(0, len(owners), rows)],
        "Region": regions[rng.integers(0, len(regions), rows)],
        "Product": products[rng.integers(0, len(products), rows)],
        "Amount": amount,
        "Cost": np.round(amount * rng.uniform(0.3, 0.6, rows), 0),
    })


def make_goals(n: int) -> pd.DataFrame:
    goals = []
    for i in range(n):
        owner = f"Rep {i % 50:02d}"
        kind = i % 10
        g = dict(id=f"G{i:03d}", name=f"Goal {i} for {owner}", owner=owner, table="Sales", start="2025-01-01",
                 end="2026-12-31", period="month", strategy="Grow")
        if kind < 6:
            g.update(kpi="SUM", columns="Amount", filter=f"Owner={owner}", target=2_000_000)
        elif kind < 8:
            g.update(kpi="COUNT", filter=f"Owner={owner}; Product={['Basic', 'Pro', 'Enterprise'][i % 3]}", target=2500)
        elif kind < 9:
            g.update(kpi="GROSS_MARGIN", columns="Amount, Cost", filter=f"Region={['North', 'South'][i % 2]}",
                     baseline=0.5, target=0.56)
        else:
            g.update(kpi="AVERAGE", columns="Amount", filter=f"Owner={owner}", baseline=2000, target=2300)
        goals.append(g)
    return pd.DataFrame(goals)


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--goals", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--check", action="store_true", help="exit 1 if the ratio is over 5")
    args = ap.parse_args()

    sales = make_data(args.rows)
    goals = make_goals(args.goals)
    as_of = dt.date(2026, 12, 15)

    def baseline():
        return sales.groupby(["Owner", sales["Date"].dt.to_period("M")], observed=True)["Amount"].sum()

    def scorecard():
        return compute(goals, {"Sales": sales}, as_of)

    t_base = best_of(baseline, args.repeat)
    t_card = best_of(scorecard, args.repeat)
    result = scorecard()
    assert len(result.scorecard) == args.goals
    assert len(result.periods) == args.goals * 24
    # a sanity check that the engine measured what pandas measures
    one = result.scorecard.iloc[0]
    direct = sales.loc[(sales["Owner"] == one["owner"]) & (sales["Date"] <= pd.Timestamp(as_of)), "Amount"].sum()
    assert abs(one["actual"] - direct) < 1e-6 * direct, (one["actual"], direct)

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = t_card / t_base
    print(f"rows {args.rows:,}  goals {args.goals}  periods 24 (monthly)")
    print(f"pandas group-by-sum (owner × month): {t_base * 1000:8.1f} ms")
    print(f"kpi-xl scorecard (all goals):        {t_card * 1000:8.1f} ms")
    print(f"ratio {ratio:.2f}× (target ≤ 5×)   peak memory {peak_mib:,.0f} MiB")
    return 1 if args.check and ratio > 5 else 0


if __name__ == "__main__":
    sys.exit(main())
