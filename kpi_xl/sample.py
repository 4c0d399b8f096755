"""The sample company: 18 months of seeded, seasonal data, its goals, OKRs and reward plans.

Jade Mountain Software is a 40-person Taiwanese company selling accounting
software to small businesses by subscription, with an online store for add-ons.
Its data (January 2025 to June 2026) has the shape of a real SME's: a Chinese New
Year dip, a year-end peak, weekday rhythms, noise. The demo, the docs, the tests
and the benchmarks all use it; the same seed always gives the same numbers.

The numbers are seeded code here; the words (names of people, regions, products,
goals, OKRs, reward plans, notes) are data: ``kpi_xl/data/sample/<lang>.json``, one
file per language (a language without one gets the English words).

>>> company = load(lang="en")
>>> company.tables["Orders"].head()
>>> company.goals
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pandas as pd

from .i18n import SOURCE, language

SEED = 20260615
START, END = dt.date(2025, 1, 1), dt.date(2026, 6, 30)
#: The sample's as-of date: mid-June 2026, half way through the year.
AS_OF = dt.date(2026, 6, 15)

#: Month factors: Chinese New Year dip (Jan/Feb), mid-year, year-end peak.
SEASON = np.array([0.85, 0.72, 0.98, 1.0, 1.02, 1.05, 0.95, 0.93, 1.0, 1.05, 1.15, 1.3])



@functools.lru_cache(maxsize=None)
def texts(lang: str = SOURCE) -> dict:
    """The sample company's words in ``lang`` (English where there is no file for it)."""
    folder = resources.files(__package__) / "data" / "sample"
    path = folder / f"{lang}.json"
    if not path.is_file():
        path = folder / f"{SOURCE}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _names(lang: str) -> dict:
    """People, labels and lists by the keys the generators use."""
    t = texts(lang)
    return {"company": t["company"], **t["people"], **t["words"], **t["lists"]}


@dataclass
class Company:
    """The sample company's tables, in one language."""

    lang: str
    name: str
    as_of: dt.date
    tables: dict[str, pd.DataFrame]
    goals: pd.DataFrame
    okrs: pd.DataFrame
    plans: pd.DataFrame
    strategy: list[str] = field(default_factory=list)
    #: Check-in notes on the scorecard, by goal id.
    notes: dict[str, str] = field(default_factory=dict)


def _days() -> pd.DatetimeIndex:
    return pd.date_range(START, END, freq="D")


def _season(days: pd.DatetimeIndex) -> np.ndarray:
    return SEASON[days.month.to_numpy() - 1]


def _deals(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    rows = []
    for d in _days():
        if d.weekday() >= 5:
            continue
        lam = 1.6 * SEASON[d.month - 1] * (1.12 if d.year == 2026 else 1.0)
        for _ in range(rng.poisson(lam)):
            north = rng.random() < 0.55
            owner = n["north"] if north else n["south"]
            won = rng.random() < (0.33 if d.year == 2026 else 0.29) + (0.03 if north else 0.0)
            term = int(rng.choice([1, 1, 1, 2, 3]))
            value = float(np.round(rng.lognormal(np.log(140_000), 0.45) * term, -2))
            fee = float(np.round(value * rng.choice([0, 0, 0.05, 0.1]), -2))
            rows.append((d.date(), owner, n["North"] if north else n["South"], f"C{rng.integers(1000, 9999)}",
                         n["Won"] if won else n["Lost"], int(won), 1, value, term, fee))
    df = pd.DataFrame(rows, columns=["Date", "Owner", "Region", "Customer", "Stage", "Won", "Closed", "Value",
                                     "Term years", "One-time fee"])
    df.insert(0, "Deal ID", [f"D{i:05d}" for i in range(1, len(df) + 1)])
    return df


def _subscriptions(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    months = pd.date_range(START, END, freq="MS")
    rows = []
    for plan, customers, price, churn in zip(n["plans"], (420, 260, 45), (900, 2800, 15000), (0.026, 0.018, 0.008)):
        c = float(customers)
        for i, m in enumerate(months):
            mrr_start = c * price
            new = rng.poisson(customers * 0.035 * SEASON[m.month - 1] * (1.1 if m.year == 2026 else 1.0))
            churn_rate = churn * (0.85 if m.year == 2026 else 1.0) * rng.uniform(0.7, 1.3)
            churned = min(int(rng.binomial(int(c), min(churn_rate, 1.0))), int(c))
            expansion = float(np.round(mrr_start * rng.uniform(0.01, 0.03), 0))
            contraction = float(np.round(mrr_start * rng.uniform(0.002, 0.01), 0))
            rows.append((m.date(), plan, int(c), int(new), int(churned), int(c + new - churned), mrr_start,
                         float(new * price), expansion, contraction, float(churned * price)))
            c = c + new - churned
    return pd.DataFrame(rows, columns=["Month", "Plan", "Customers at start", "New customers", "Churned customers",
                                       "Customers at end", "Starting MRR", "New MRR", "Expansion MRR",
                                       "Contraction MRR", "Churned MRR"])


def _orders(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    days = _days()
    weekday = np.where(days.day_of_week >= 5, 0.6, 1.0)
    growth = np.where(days.year == 2026, 1.15, 1.0)
    counts = rng.poisson(14 * _season(days) * weekday * growth)
    date = np.repeat(days.date, counts)
    k = len(date)
    online = rng.random(k) < 0.62
    amount = np.round(rng.lognormal(np.log(2400), 0.6, k), 0)
    cost = np.round(amount * rng.uniform(0.3, 0.48, k), 0)
    df = pd.DataFrame({"Order ID": [f"O{i:06d}" for i in range(1, k + 1)], "Date": date,
                       "Channel": np.where(online, n["Online"], n["Reseller"]),
                       "Customer": [f"C{x}" for x in rng.integers(1000, 9999, k)], "Amount": amount, "Cost": cost})
    return df


def _marketing(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    weeks = pd.date_range(START, END, freq="W-MON")
    rows = []
    for w in weeks:
        s = SEASON[w.month - 1]
        for ch, spend, cpm, ctr, cvr in zip(n["channels"], (60000, 45000, 30000, 8000),
                                            (90, 70, 60, 10), (0.021, 0.012, 0.018, 0.035), (0.01, 0.012, 0.015, 0.004)):
            sp = float(np.round(spend * s * rng.uniform(0.8, 1.2), -2))
            imp = int(sp / cpm * 1000 * rng.uniform(0.9, 1.1))
            clicks = int(rng.binomial(imp, ctr))
            leads = int(rng.binomial(clicks, cvr))
            mql = int(rng.binomial(leads, 0.5))
            sql = int(rng.binomial(mql, 0.3))
            new = int(rng.binomial(sql, 0.33 if w.year == 2026 else 0.27))
            rows.append((w.date(), ch, sp, imp, clicks, leads, mql, sql, new))
    return pd.DataFrame(rows, columns=["Date", "Channel", "Spend", "Impressions", "Clicks", "Leads", "MQL", "SQL",
                                       "New customers"])


def _activities(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    parts = []
    days = _days()
    work = days[days.day_of_week < 5]
    for owner, calls, emails in ((n["north"], 8.6, 12), (n["south"], 7.4, 10)):
        for kind, lam in ((n["Call"], calls), (n["Email"], emails), (n["Meeting"], 1.5)):
            k = rng.poisson(lam * (1.05 if owner == n["north"] else 1.0), len(work))
            parts.append(pd.DataFrame({"Date": np.repeat(work.date, k), "Owner": owner, "Type": kind}))
    month_starts = pd.date_range(START, END, freq="MS")
    posts = []
    for m in month_starts:
        for _ in range(rng.poisson(7.5 if m.year == 2026 else 6)):
            posts.append(m + pd.Timedelta(days=int(rng.integers(0, 28))))
    parts.append(pd.DataFrame({"Date": [p.date() for p in posts], "Owner": n["marketing"], "Type": n["Blog post"]}))
    df = pd.concat(parts, ignore_index=True).sort_values("Date", kind="stable").reset_index(drop=True)
    df["Customer"] = np.where(df["Type"] == n["Blog post"], "", [f"C{x}" for x in rng.integers(1000, 9999, len(df))])
    return df


def _tickets(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    days = _days()
    counts = rng.poisson(22 * np.where(days.day_of_week >= 5, 0.4, 1.0), len(days))
    date = np.repeat(days, counts)
    k = len(date)
    created = date + pd.to_timedelta(rng.uniform(8.5, 19.0, k), unit="h")
    improving = np.where(created.year == 2026, 0.85, 1.0)
    first = created + pd.to_timedelta(rng.gamma(1.6, 1.5, k) * improving, unit="h")
    resolved = first + pd.to_timedelta(rng.gamma(1.5, 9.0, k), unit="h")
    created_s = pd.Series(created)
    open_now = (created_s > pd.Timestamp(END) - pd.Timedelta(days=3)).to_numpy() & (rng.random(k) < 0.5)
    rating = np.clip(np.round(rng.normal(np.where(created.year == 2026, 4.45, 4.2), 0.8, k)), 1, 5)
    rating = np.where(rng.random(k) < 0.6, rating, np.nan)
    p26 = [0.005, 0.005, 0.01, 0.015, 0.02, 0.035, 0.05, 0.13, 0.2, 0.24, 0.29]
    p25 = [0.01, 0.01, 0.015, 0.025, 0.035, 0.05, 0.08, 0.15, 0.2, 0.2, 0.225]
    nps = np.where(created.year == 2026, rng.choice(11, k, p=p26), rng.choice(11, k, p=p25)).astype(float)
    nps = np.where(rng.random(k) < 0.3, nps, np.nan)
    df = pd.DataFrame({
        "Ticket ID": [f"T{i:06d}" for i in range(1, k + 1)],
        "Created": created.round("min"), "First response": pd.Series(first).dt.round("min"),
        "Resolved": pd.Series(resolved).dt.round("min").where(~open_now),
        "Agent": rng.choice(n["agents"], k), "Channel": rng.choice(n["ticket_channels"], k),
        "Rating": rating, "NPS": nps,
    })
    return df


def _web(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    days = _days()
    rows = []
    growth = {"Organic": 1.35, "Direct": 1.05, "Social": 1.1, "Referral": 1.0, "Email": 1.0, "Paid": 0.95}
    base = {"Organic": 620, "Direct": 380, "Social": 240, "Referral": 120, "Email": 90, "Paid": 300}
    cvr = {"Organic": 0.028, "Direct": 0.034, "Social": 0.012, "Referral": 0.03, "Email": 0.045, "Paid": 0.022}
    en = texts(SOURCE)["lists"]["sources"]
    for d, s in zip(days, _season(days)):
        wk = 0.7 if d.weekday() >= 5 else 1.0
        for key, label in zip(en, n["sources"]):
            g = growth[key] if d.year == 2026 else 1.0
            sessions = int(rng.poisson(base[key] * s * wk * g))
            pages = int(sessions * rng.uniform(2.4, 3.6))
            bounces = int(rng.binomial(sessions, 0.44))
            conv = int(rng.binomial(sessions, cvr[key] * (1.12 if d.year == 2026 else 1.0)))
            rows.append((d.date(), label, sessions, pages, bounces, conv))
    return pd.DataFrame(rows, columns=["Date", "Source", "Sessions", "Pageviews", "Bounces", "Conversions"])


def _goals(n: dict, lang: str) -> pd.DataFrame:
    t = texts(lang)
    N, U, P = t["goals"], t["units"], {k: v["name"] for k, v in t["plans"].items()}
    y0, y1 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    h1 = dt.date(2026, 6, 30)
    q2 = dt.date(2026, 4, 1)
    jun = dt.date(2026, 6, 1)
    strat_grow, strat_keep, strat_eff = (t["strategies"][k] for k in ("grow", "keep", "efficient"))
    g = [
        dict(id="C1", name=N["C1"],
             owner=n["ceo"], kpi="", start=y0, end=y1, period="quarter", strategy=strat_grow, rollup="weighted"),
        dict(id="C2", name=N["C2"], owner=n["support"], kpi="",
             start=y0, end=y1, period="quarter", strategy=strat_keep),
        dict(id="C3", name=N["C3"], owner=n["ceo"], kpi="",
             start=y0, end=y1, period="quarter", strategy=strat_eff),
        dict(id="S1", name=N["S1"], owner=n["north"],
             kpi="SUM", table="Deals", columns="Value", filter=f"Region={n['North']}; Stage={n['Won']}", unit="TWD",
             target=18_000_000, start=y0, end=y1, period="month", parent="C1", weight=2, reward=P["sales"]),
        dict(id="S2", name=N["S2"], owner=n["south"],
             kpi="SUM", table="Deals", columns="Value", filter=f"Region={n['South']}; Stage={n['Won']}", unit="TWD",
             target=14_000_000, start=y0, end=y1, period="month", parent="C1", weight=2, reward=P["sales"]),
        dict(id="S3", name=N["S3"], owner=n["north"],
             kpi="ACV", table="Deals", columns="Value, Term years, One-time fee", filter=f"Stage={n['Won']}", unit="TWD",
             baseline=130_000, target=150_000, start=q2, end=h1, period="month", parent="C1", reward=P["sales"]),
        dict(id="S4", name=N["S4"], owner=n["south"], kpi="WIN_RATE",
             table="Deals", columns="Won, Closed", filter=f"Owner={n['south']}", unit="%", baseline=0.28, target=0.35,
             start=y0, end=h1, period="month", parent="C1", reward=P["sales"]),
        dict(id="S5", name=N["S5"], owner=n["north"], kpi="COUNT",
             table="Activities", filter=f"Owner={n['north']}; Type={n['Call']}", unit=U["calls"], target=180,
             start=jun, end=h1, period="month", parent="S1"),
        dict(id="O1", name=N["O1"], owner=n["marketing"],
             kpi="SUM", table="Orders", columns="Amount", filter=f"Channel={n['Online']}", unit="TWD", target=9_500_000,
             start=y0, end=y1, period="month", parent="C1", reward=P["marketing"]),
        dict(id="P1", name=N["P1"], owner=n["ceo"],
             kpi="GROSS_MARGIN", table="Orders", columns="Amount, Cost", unit="%", direction="maintain", band_low=0.55,
             band_high=0.65, start=y0, end=y1, period="month", strategy=strat_grow),
        dict(id="M1", name=N["M1"],
             owner=n["marketing"], kpi="CONVERSION", table="Web", columns="Conversions, Sessions", unit="%",
             baseline=0.024, target=0.03, start=y0, end=h1, period="month", parent="C3", reward=P["marketing"]),
        dict(id="M2", name=N["M2"], owner=n["marketing"],
             kpi="SOURCE_SHARE", table="Web", columns=f'Source, "{n["sources"][0]}", Sessions', unit="%", baseline=0.32,
             target=0.4, start=y0, end=y1, period="month", parent="C3", reward=P["marketing"]),
        dict(id="M3", name=N["M3"],
             owner=n["marketing"], kpi="CAC", table="Marketing", columns="Spend, New customers", unit="TWD",
             direction="lower", baseline=11_000, target=9_000, start=q2, end=h1, period="month", parent="C3"),
        dict(id="M4", name=N["M4"], owner=n["marketing"], kpi="COUNT",
             table="Activities", filter=f"Type={n['Blog post']}", unit=U["posts"], target=8, start=jun, end=h1,
             period="month", parent="C3"),
        dict(id="K1", name=N["K1"],
             owner=n["ceo"], kpi="CHURN", table="Subscriptions", columns="Churned customers, Customers at start",
             date_column="Month", unit="%", direction="lower", baseline=0.022, target=0.015, start=y0, end=y1,
             period="month", parent="C2"),
        dict(id="K2", name=N["K2"], owner=n["ceo"],
             kpi="NRR", table="Subscriptions", columns="Starting MRR, Expansion MRR, Contraction MRR, Churned MRR",
             date_column="Month", unit="%", baseline=0.995, target=1.005, start=y0, end=y1, period="month",
             parent="C2"),
        dict(id="T1", name=N["T1"], owner=n["support"],
             kpi="CSAT", table="Tickets", columns="Rating", date_column="Created", unit="%", baseline=0.8, target=0.9,
             start=q2, end=h1, period="month", parent="C2", reward=P["support"]),
        dict(id="T2", name=N["T2"], owner=n["support"],
             kpi="FRT", table="Tickets", columns='Created, First response, "median"', date_column="Created",
             unit=U["hours"], direction="lower", baseline=2.6, target=2.0, start=y0, end=h1, period="month",
             parent="C2", reward=P["support"]),
        dict(id="T3", name=N["T3"], owner=n["support"], kpi="NPS",
             table="Tickets", columns="NPS", date_column="Created", unit=U["points"], baseline=30, target=40,
             start=y0, end=y1, period="quarter", parent="C2", reward=P["recognition"]),
        dict(id="T4", name=N["T4"], owner=n["support"],
             kpi="TICKETS_RESOLVED", table="Tickets", date_column="Resolved", unit=U["tickets"], target=2000,
             start=q2, end=h1, period="month", parent="T2"),
        dict(id="X1", name=N["X1"], owner="", kpi=t["vague_kpi"],
             start=y0, end=None, period="year"),
    ]
    cols = ["id", "name", "owner", "kpi", "table", "columns", "date_column", "filter", "unit", "direction",
            "band_low", "band_high", "baseline", "target", "start", "end", "period", "weight", "parent", "rollup",
            "strategy", "reward"]
    df = pd.DataFrame(g).reindex(columns=cols)
    defaults = {"direction": "higher", "date_column": "Date", "weight": 1.0, "rollup": "weighted"}
    for col, v in defaults.items():
        df[col] = df[col].where(df[col].notna(), v)
    for col in ("table", "columns", "filter", "unit", "parent", "strategy", "reward", "kpi", "owner"):
        df[col] = df[col].fillna("")
    return df


def _okrs(n: dict, lang: str) -> pd.DataFrame:
    t = texts(lang)
    o1, o2 = t["objectives"]
    kr = t["key_results"]
    rows = [
        (o1, kr[0], n["ceo"], 0, 300, 248, None, 2, "K2"),
        (o1, kr[1], n["marketing"], None, None, None, 0.6, 1, ""),
        (o1, kr[2], n["support"], 30, 40, 36, None, 1, "T3"),
        (o2, kr[3], n["support"], 2.4, 2.0, 2.1, None, 1, "T2"),
        (o2, kr[4], n["support"], 0, 30, 12, None, 1, ""),
    ]
    return pd.DataFrame(rows, columns=["objective", "key_result", "owner", "start_value", "target_value",
                                       "current_value", "score", "weight", "goal"])


def _plans(lang: str) -> pd.DataFrame:
    p = texts(lang)["plans"]
    return pd.DataFrame([
        (p["sales"]["name"], 0.8, 2.0, 1.5, 120_000, p["sales"]["reward"]),
        (p["marketing"]["name"], 0.8, 1.5, 1.3, 80_000, p["marketing"]["reward"]),
        (p["support"]["name"], 0.85, 1.0, 1.2, 60_000, p["support"]["reward"]),
        (p["recognition"]["name"], 1.0, 1.0, None, 0, p["recognition"]["reward"]),
    ], columns=["plan", "threshold", "accelerator", "cap", "target_bonus", "reward"])


def load(lang: str = "en", seed: int = SEED) -> Company:
    """The sample company with its labels in ``lang`` (any language there is a catalog for)."""
    lang = language(lang)
    n = _names(lang)
    rng = np.random.default_rng(seed)
    tables = {
        "Deals": _deals(rng, n),
        "Subscriptions": _subscriptions(rng, n),
        "Orders": _orders(rng, n),
        "Marketing": _marketing(rng, n),
        "Activities": _activities(rng, n),
        "Tickets": _tickets(rng, n),
        "Web": _web(rng, n),
    }
    for t in tables.values():
        for c in t.columns:
            if t[c].dtype == object and len(t) and isinstance(t[c].iloc[0], dt.date):
                t[c] = pd.to_datetime(t[c])
    strategy = sorted(set(_goals(n, lang)["strategy"]) - {""})
    return Company(lang, n["company"], AS_OF, tables, _goals(n, lang), _okrs(n, lang), _plans(lang), strategy,
                   dict(texts(lang)["notes"]))
