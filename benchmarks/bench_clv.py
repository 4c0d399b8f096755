"""Speed of the CLV core (kpi_xl.metrics.clv) against lifetimes 0.11 and a plain pandas groupby.

In one run, each the best of --repeat:

* BG/NBD and Gamma-Gamma fits on the CDNOW summary (2,357 customers; read from KPI_XL_CDNOW,
  or tests/data/cdnow/, skipped with a message if absent);
* the same fits on a generated log of --customers customers (default 100,000) drawn from the
  BG/NBD (r 0.5, alpha 8, a 0.6, b 2.5, in days, one year of history, purchases on whole days);
* rfm_summary on --orders orders (default 1,000,000) against a plain pandas groupby computing the
  same four columns (the results are compared, so a wrong function cannot be timed).

lifetimes is timed on the same inputs where it is installed (``pip install lifetimes==0.11.3``; it
is not a kpi-xl dependency), and the ratio lifetimes / kpi-xl printed; else a message says so.

    python benchmarks/bench_clv.py [--customers 100000] [--orders 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kpi_xl.metrics.clv import BetaGeo, GammaGamma, rfm_summary  # noqa: E402

try:
    warnings.simplefilter("ignore")  # lifetimes and autograd warn about deprecated NumPy/pandas use
    import lifetimes
except Exception as exc:  # noqa: BLE001 - any failure to import means "not available"
    lifetimes = None
    WHY_NOT = f"lifetimes is not available ({type(exc).__name__}: {exc}); only kpi-xl is timed"


WARM_UP = True


def best(fn, repeat: int) -> tuple[float, object]:
    """The least time of ``repeat`` runs, after one untimed warm-up run (first-call costs of SciPy;
    ``--no-warm-up`` skips it, for runs of minutes where it is noise)."""
    if WARM_UP:
        fn()
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def cdnow():
    places = [Path(os.environ["KPI_XL_CDNOW"])] if os.environ.get("KPI_XL_CDNOW") else []
    places += [ROOT / "tests" / "data" / "cdnow"]
    for place in places:
        path = place / "cdnow_customers_summary_with_transactions.csv"
        if path.is_file():
            d = np.genfromtxt(path, delimiter=",", names=True)
            return d["x"], d["t_x"], d["T"], d["zbar"]
    print(f"CDNOW: skipped, cdnow_customers_summary_with_transactions.csv is in none of {places}")
    return None


def simulate(n: int, seed: int = 1, r=0.5, alpha=8.0, a=0.6, b=2.5, horizon=365):
    """BG/NBD customers (FHL 2005 §2), all customers stepped together; whole days, like an order log."""
    rng = np.random.default_rng(seed)
    lam, p = rng.gamma(r, 1 / alpha, n), rng.beta(a, b, n)
    T = rng.integers(1, horizon + 1, n).astype(float)  # first purchases spread over the year
    x, tx, now = np.zeros(n), np.zeros(n), np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        i = np.flatnonzero(active)
        now[i] += rng.exponential(1 / lam[i])
        inside = now[i] <= T[i]
        buy = i[inside]
        day = np.floor(now[buy])
        repeat = day > tx[buy]  # a second purchase on the same day merges with the first
        x[buy[repeat]] += 1
        tx[buy] = day
        active[i[~inside]] = False
        active[buy[rng.random(len(buy)) < p[buy]]] = False
    m = np.where(x > 0, rng.gamma(6.0, 1 / rng.gamma(3.7, 1 / 15.0, n)), 0.0)
    return x, tx, T, m


def fits(name: str, x, tx, T, m, repeat: int) -> None:
    k_bg, bg = best(lambda: BetaGeo().fit(x, tx, T), repeat)
    k_gg, _ = best(lambda: GammaGamma().fit(x, m), repeat)
    line = f"{name}: {len(x):,} customers  BG/NBD fit {k_bg:.3f} s  Gamma-Gamma fit {k_gg:.3f} s"
    if lifetimes is None:
        print(line)
        return
    l_bg, lbg = best(lambda: lifetimes.BetaGeoFitter().fit(x, tx, T), repeat)
    rep = x > 0
    l_gg, _ = best(lambda: lifetimes.GammaGammaFitter().fit(x[rep], m[rep]), repeat)
    print(f"{line}\n   lifetimes 0.11: BG/NBD {l_bg:.3f} s (ratio {l_bg / k_bg:.1f}×)  "
          f"Gamma-Gamma {l_gg:.3f} s (ratio {l_gg / k_gg:.1f}×)")
    # fit + predict: BG/NBD fitted, then every customer's P(alive) and expected purchases over one
    # horizon (the Customers sheet's two BG/NBD columns), the same work on each side
    horizon = 52.0 if T.max() < 100 else 365.25

    def ours():
        model = BetaGeo().fit(x, tx, T)
        return model.p_alive(x, tx, T), model.expected_purchases(horizon, x, tx, T)

    def theirs():
        model = lifetimes.BetaGeoFitter().fit(x, tx, T)
        return (model.conditional_probability_alive(x, tx, T),
                model.conditional_expected_number_of_purchases_up_to_time(horizon, x, tx, T))

    k_all, (pa, ep) = best(ours, repeat)
    l_all, (lpa, lep) = best(theirs, repeat)
    print(f"   fit + predict (P(alive), expected purchases in {horizon:g}): kpi-xl {k_all:.3f} s  "
          f"lifetimes 0.11 {l_all:.3f} s (ratio {l_all / k_all:.1f}×)")
    same = BetaGeo()
    same.params_ = dict(lbg.params_)
    dp = np.abs(same.p_alive(x, tx, T) - lbg.conditional_probability_alive(x, tx, T)).max()
    print(f"   params kpi-xl {fmt(bg.params_)} | lifetimes {fmt(dict(lbg.params_))}; "
          f"max |P(alive) difference| at lifetimes' params {dp:.1e}")


def fmt(params: dict) -> str:
    return ", ".join(f"{k} {v:.4g}" for k, v in params.items())


def orders(n: int, seed: int = 2):
    rng = np.random.default_rng(seed)
    customer = rng.integers(0, max(n // 5, 1), n)
    date = np.datetime64("2023-01-01") + rng.integers(0, 730, n).astype("timedelta64[D]")
    return customer, date, rng.gamma(2.0, 30.0, n).round(2)


def bgnbd_orders(n: int, seed: int = 3, r=0.5, alpha=20.0, a=0.6, b=2.5, start="2023-01-01", days=730):
    """About ``n`` orders of BG/NBD customers (FHL 2005 §2; rates per day), as an order table holds them:
    customers arrive uniformly over ``days`` from ``start``, buy at their Poisson rate until they drop
    out after a purchase, each order a gamma-distributed amount around the customer's own mean (the
    Gamma-Gamma assumption). Returns (customer ids, order dates, amounts), cut to exactly ``n`` orders."""
    rng = np.random.default_rng(seed)
    customers, dates, amounts, first_id = [], [], [], 0
    total = 0
    while total < n:
        k = max((n - total) // 4, 1000)
        lam, p = rng.gamma(r, 1 / alpha, k), rng.beta(a, b, k)
        mean = rng.gamma(3.7, 15.0 / 3.7, k) * 2
        born = rng.integers(0, days, k).astype(float)
        now = born.copy()
        ids = np.arange(first_id, first_id + k)
        first_id += k
        day_lists, id_lists = [np.floor(born)], [ids]  # the first purchase
        active = rng.random(k) >= 0  # all
        while active.any():
            i = np.flatnonzero(active)
            now[i] += rng.exponential(1 / lam[i])
            inside = now[i] < days
            buy = i[inside]
            day_lists.append(np.floor(now[buy]))
            id_lists.append(ids[buy])
            active[i[~inside]] = False
            active[buy[rng.random(len(buy)) < p[buy]]] = False
        c = np.concatenate(id_lists)
        customers.append(c)
        dates.append(np.concatenate(day_lists))
        amounts.append(rng.gamma(6.0, mean[c - ids[0]] / 6.0))
        total += len(c)
    c, d, v = (np.concatenate(x)[:n] for x in (customers, dates, amounts))
    date = np.datetime64(start) + d.astype(int).astype("timedelta64[D]")
    return c, date, v.round(2)


def pandas_rfm(customer, date, value, as_of):
    import pandas as pd

    df = pd.DataFrame({"c": customer, "d": date, "v": value})
    df = df[df["d"] <= as_of]
    daily = df.groupby(["c", "d"], sort=True)["v"].sum().reset_index()
    g = daily.groupby("c", sort=True)
    first, last, n = g["d"].transform("min"), g["d"].max(), g.size()
    first_value = daily.loc[daily["d"] == first, "v"].groupby(daily["c"]).sum()
    out = pd.DataFrame({"frequency": n - 1, "first": g["d"].min(), "last": last})
    out["recency"] = (out["last"] - out["first"]).dt.days
    out["T"] = (pd.Timestamp(as_of) - out["first"]).dt.days
    repeat = g["v"].sum() - first_value
    out["monetary"] = (repeat / out["frequency"]).where(out["frequency"] > 0, 0.0)
    return out


def rfm(n: int, repeat: int, text_ids: bool = False) -> None:
    customer, date, value = orders(n)
    if text_ids:  # ids as a workbook holds them ("C000123"): sorted as text
        customer = np.char.add("C", np.char.zfill(customer.astype(str), 6))
    as_of = np.datetime64("2024-12-31")
    k, s = best(lambda: rfm_summary(customer, date, value, as_of=as_of), repeat)
    p, base = best(lambda: pandas_rfm(customer, date, value, as_of), repeat)
    assert (s.frequency == base["frequency"].to_numpy()).all()
    assert np.allclose(s.recency, base["recency"]) and np.allclose(s.T, base["T"])
    assert np.allclose(s.monetary, base["monetary"])
    assert (s.customer == base.index.to_numpy()).all()
    print(f"rfm_summary ({'text' if text_ids else 'integer'} ids): {n:,} orders, {len(s):,} customers  kpi-xl {k:.3f} s  pandas groupby {p:.3f} s "
          f"(ratio {p / k:.1f}×)")
    if lifetimes is not None and not text_ids:
        import pandas as pd

        df = pd.DataFrame({"c": customer, "d": date, "v": value})
        t, _ = best(lambda: lifetimes.utils.summary_data_from_transaction_data(
            df, "c", "d", monetary_value_col="v", observation_period_end=pd.Timestamp(as_of)), 1)
        print(f"   lifetimes 0.11 summary_data_from_transaction_data {t:.3f} s (ratio {t / k:.1f}×)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-fits", action="store_true", help="time only rfm_summary")
    ap.add_argument("--skip-cdnow", action="store_true", help="no CDNOW fits")
    ap.add_argument("--skip-rfm", action="store_true", help="no rfm_summary timing")
    ap.add_argument("--no-warm-up", action="store_true", help="no untimed first run (1,000,000 customers)")
    ap.add_argument("--orders-csv", metavar="PATH", help="write --orders BG/NBD orders (Customer ID, Order date, "
                    "Amount) to PATH for timing `kpi-xl predict` (see benchmarks/README.md), then go on")
    args = ap.parse_args(argv)
    global WARM_UP
    WARM_UP = not args.no_warm_up
    if args.orders_csv:
        import pandas as pd

        c, d, v = bgnbd_orders(args.orders)
        order = np.argsort(d, kind="stable")
        pd.DataFrame({"Customer ID": np.char.add("C", np.char.zfill(c[order].astype(str), 7)),
                      "Order date": d[order].astype(str), "Amount": v[order]}).to_csv(args.orders_csv, index=False)
        print(f"{args.orders_csv}: {len(c):,} orders of {len(np.unique(c)):,} customers")
    if lifetimes is None:
        print(WHY_NOT)
    data = None if args.skip_fits or args.skip_cdnow else cdnow()
    if data is not None:
        fits("CDNOW (weeks)", *data, repeat=args.repeat)
    if not args.skip_fits:
        fits("generated (days)", *simulate(args.customers), repeat=args.repeat)
    if not args.skip_rfm:
        rfm(args.orders, args.repeat)
        rfm(args.orders, args.repeat, text_ids=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
