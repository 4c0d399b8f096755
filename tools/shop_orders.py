"""A shop's order export, generated: the data the own-data tutorial and tests use.

18 months of orders (2025-01-01 .. 2026-06-30) of an online and high-street shop:
seasonal demand, growth, a few loyal customers who buy often, some orders without
an item count, dates as the 8-digit YYYYMMDD numbers many shop systems export, and
the channel typed inconsistently ("online " with a trailing space). Deterministic
for a given seed.

    python tools/shop_orders.py docs/examples/shop-orders.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd


def shop_orders(seed: int = 9, n_customers: int = 1500, per_day: float = 14.0) -> pd.DataFrame:
    """One row per order: Customer ID, Order date (YYYYMMDD number), Channel, Items, Amount, Cost."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-01", "2026-06-30", freq="D")
    season = 1 + 0.35 * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 80) / 365)
    growth = np.linspace(1.0, 1.25, len(days))
    counts = rng.poisson(per_day * season * growth)
    dates = np.repeat(days.to_numpy(), counts)
    n = len(dates)
    loyal = rng.random(n_customers) ** 3  # a few customers buy often
    customers = rng.choice(n_customers, size=n, p=loyal / loyal.sum())
    items = rng.integers(1, 5, size=n).astype(float)
    items[rng.random(n) < 0.03] = np.nan
    amount = np.round(rng.gamma(2.2, 420, size=n) + 80 * np.nan_to_num(items, nan=1), 2)
    cost = np.round(amount * rng.uniform(0.35, 0.6, size=n), 2)
    return pd.DataFrame({
        "Customer ID": [f"K{c:05d}" for c in customers],
        "Order date": pd.to_datetime(dates).strftime("%Y%m%d").astype(int),
        "Channel": rng.choice(["Online", "Shop", "online "], size=n, p=[0.55, 0.35, 0.10]),
        "Items": items,
        "Amount": amount,
        "Cost": cost,
    })


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "shop-orders.csv")
    df = shop_orders()
    df.to_csv(out, index=False, float_format="%.10g")
    print(f"wrote {out}: {len(df):,} orders of {df['Customer ID'].nunique():,} customers")
