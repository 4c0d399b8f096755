"""A shop's order export, generated: the data the own-data tutorial and tests use.

18 months of orders (2025-01-01 .. 2026-06-30) of an online and high-street shop:
seasonal demand, growth, a few loyal customers who buy often, some orders without
an item count, dates as the 8-digit YYYYMMDD numbers many shop systems export, and
the channel typed inconsistently ("online " with a trailing space). Deterministic
for a given seed.

    python tools/shop_orders.py docs/examples/shop-orders.csv
    python tools/shop_orders.py docs/examples/shop-orders-zh-TW.csv --lang zh-TW

The zh-TW export (docs/zh-TW/your-data.md) is the same orders with a Taiwanese shop
system's headers and channel words, "網路 " typed with the trailing space.
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


#: The zh-TW export's headers and channel words.
ZH_TW = {"columns": {"Customer ID": "客戶編號", "Order date": "訂單日期", "Channel": "通路", "Items": "件數",
                     "Amount": "金額", "Cost": "成本"},
         "channels": {"Online": "網路", "Shop": "門市", "online ": "網路 "}}


def in_chinese(df: pd.DataFrame) -> pd.DataFrame:
    """The same orders as a Taiwanese shop system exports them."""
    out = df.assign(Channel=df["Channel"].map(ZH_TW["channels"]))
    return out.rename(columns=ZH_TW["columns"])


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a not in ("--lang", "zh-TW")]
    out = Path(args[0] if args else "shop-orders.csv")
    df = shop_orders()
    if "zh-TW" in sys.argv[1:]:
        df = in_chinese(df)
    df.to_csv(out, index=False, float_format="%.10g")
    print(f"wrote {out}: {len(df):,} orders of {df.iloc[:, 0].nunique():,} customers")
