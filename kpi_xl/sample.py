"""The sample company: 18 months of seeded, seasonal data, its goals, OKRs and reward plans.

玉山軟體 Jade Mountain Software is a 40-person Taiwanese company selling accounting
software to small businesses by subscription, with an online store for add-ons.
Its data (January 2025 to June 2026) has the shape of a real SME's: a Chinese New
Year dip, a year-end peak, weekday rhythms, noise. The demo, the docs, the tests
and the benchmarks all use it; the same seed always gives the same numbers.

>>> company = load(lang="en")
>>> company.tables["Orders"].head()
>>> company.goals
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .labels import language

SEED = 20260615
START, END = dt.date(2025, 1, 1), dt.date(2026, 6, 30)
#: The sample's as-of date: mid-June 2026, half way through the year.
AS_OF = dt.date(2026, 6, 15)

#: Month factors: Chinese New Year dip (Jan/Feb), mid-year, year-end peak.
SEASON = np.array([0.85, 0.72, 0.98, 1.0, 1.02, 1.05, 0.95, 0.93, 1.0, 1.05, 1.15, 1.3])

_NAMES = {
    "en": {
        "company": "Jade Mountain Software",
        "ceo": "Chien-Hung Lee", "north": "Ming Wang", "south": "Yi-Chun Lin", "marketing": "Chih-Hao Chen",
        "support": "Ya-Ting Chang", "agents": ["Ya-Ting Chang", "Pei-Shan Hsu", "Jun-Jie Tsai"],
        "North": "North", "South": "South", "Won": "Won", "Lost": "Lost",
        "Call": "Call", "Email": "Email", "Meeting": "Meeting", "Blog post": "Blog post",
        "Online": "Online", "Reseller": "Reseller",
        "plans": ["Basic", "Pro", "Enterprise"],
        "sources": ["Organic", "Direct", "Social", "Referral", "Email", "Paid"],
        "channels": ["Google Ads", "Facebook", "LINE", "Email"],
        "ticket_channels": ["Email", "Phone", "LINE"],
        "customers": "Customer",
    },
    "zh-TW": {
        "company": "玉山軟體",
        "ceo": "李建宏", "north": "王小明", "south": "林怡君", "marketing": "陳志豪",
        "support": "張雅婷", "agents": ["張雅婷", "許佩珊", "蔡俊傑"],
        "North": "北區", "South": "南區", "Won": "成交", "Lost": "未成交",
        "Call": "電話", "Email": "電子郵件", "Meeting": "會議", "Blog post": "部落格文章",
        "Online": "線上", "Reseller": "經銷商",
        "plans": ["基本版", "專業版", "企業版"],
        "sources": ["自然搜尋", "直接", "社群", "推薦", "電子郵件", "付費廣告"],
        "channels": ["Google 廣告", "Facebook", "LINE", "電子郵件"],
        "ticket_channels": ["電子郵件", "電話", "LINE"],
        "customers": "客戶",
    },
}


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
    en = _NAMES["en"]["sources"]
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
    zh = lang == "zh-TW"
    y0, y1 = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    h1 = dt.date(2026, 6, 30)
    q2 = dt.date(2026, 4, 1)
    jun = dt.date(2026, 6, 1)
    strat_grow = "中小企業市場成長" if zh else "Grow in the SME market"
    strat_keep = "留住並擴大客戶" if zh else "Keep and expand customers"
    strat_eff = "有效率地獲客" if zh else "Acquire customers efficiently"
    T = lambda en, z: z if zh else en  # noqa: E731
    g = [
        dict(id="C1", name=T("Grow 2026 revenue across sales and the online store", "2026 年營收成長（業務與線上商店）"),
             owner=n["ceo"], kpi="", start=y0, end=y1, period="quarter", strategy=strat_grow, rollup="weighted"),
        dict(id="C2", name=T("Keep and delight customers in 2026", "2026 年留住並取悅客戶"), owner=n["support"], kpi="",
             start=y0, end=y1, period="quarter", strategy=strat_keep),
        dict(id="C3", name=T("Acquire customers efficiently in 2026", "2026 年有效率地獲得客戶"), owner=n["ceo"], kpi="",
             start=y0, end=y1, period="quarter", strategy=strat_eff),
        dict(id="S1", name=T("Won contract value North NT$18M in 2026", "北區 2026 年成交合約金額 1,800 萬"), owner=n["north"],
             kpi="SUM", table="Deals", columns="Value", filter=f"Region={n['North']}; Stage={n['Won']}", unit="TWD",
             target=18_000_000, start=y0, end=y1, period="month", parent="C1", weight=2, reward=T("Sales bonus", "業務獎金")),
        dict(id="S2", name=T("Won contract value South NT$14M in 2026", "南區 2026 年成交合約金額 1,400 萬"), owner=n["south"],
             kpi="SUM", table="Deals", columns="Value", filter=f"Region={n['South']}; Stage={n['Won']}", unit="TWD",
             target=14_000_000, start=y0, end=y1, period="month", parent="C1", weight=2, reward=T("Sales bonus", "業務獎金")),
        dict(id="S3", name=T("Average annual contract value NT$150k in Q2", "第二季平均年度合約價值 15 萬"), owner=n["north"],
             kpi="ACV", table="Deals", columns="Value, Term years, One-time fee", filter=f"Stage={n['Won']}", unit="TWD",
             baseline=130_000, target=150_000, start=q2, end=h1, period="month", parent="C1", reward=T("Sales bonus", "業務獎金")),
        dict(id="S4", name=T("Win rate 35% in the first half", "上半年成交率 35%"), owner=n["south"], kpi="WIN_RATE",
             table="Deals", columns="Won, Closed", filter=f"Owner={n['south']}", unit="%", baseline=0.28, target=0.35,
             start=y0, end=h1, period="month", parent="C1", reward=T("Sales bonus", "業務獎金")),
        dict(id="S5", name=T("180 customer calls in June (North)", "北區 6 月客戶電話 180 通"), owner=n["north"], kpi="COUNT",
             table="Activities", filter=f"Owner={n['north']}; Type={n['Call']}", unit=T("calls", "通"), target=180,
             start=jun, end=h1, period="month", parent="S1"),
        dict(id="O1", name=T("Online store revenue NT$9.5M in 2026", "線上商店 2026 年營收 950 萬"), owner=n["marketing"],
             kpi="SUM", table="Orders", columns="Amount", filter=f"Channel={n['Online']}", unit="TWD", target=9_500_000,
             start=y0, end=y1, period="month", parent="C1", reward=T("Marketing bonus", "行銷獎金")),
        dict(id="P1", name=T("Keep store gross margin between 55% and 65%", "商店毛利率維持在 55% 至 65%"), owner=n["ceo"],
             kpi="GROSS_MARGIN", table="Orders", columns="Amount, Cost", unit="%", direction="maintain", band_low=0.55,
             band_high=0.65, start=y0, end=y1, period="month", strategy=strat_grow),
        dict(id="M1", name=T("Website conversion rate from 2.4% to 3.0% by June", "網站轉換率 6 月前由 2.4% 提升到 3.0%"),
             owner=n["marketing"], kpi="CONVERSION", table="Web", columns="Conversions, Sessions", unit="%",
             baseline=0.024, target=0.03, start=y0, end=h1, period="month", parent="C3", reward=T("Marketing bonus", "行銷獎金")),
        dict(id="M2", name=T("Organic search 40% of website sessions", "自然搜尋占網站工作階段 40%"), owner=n["marketing"],
             kpi="SOURCE_SHARE", table="Web", columns=f'Source, "{n["sources"][0]}", Sessions', unit="%", baseline=0.32,
             target=0.4, start=y0, end=y1, period="month", parent="C3", reward=T("Marketing bonus", "行銷獎金")),
        dict(id="M3", name=T("Customer acquisition cost under NT$9,000 in Q2", "第二季客戶取得成本低於 9,000 元"),
             owner=n["marketing"], kpi="CAC", table="Marketing", columns="Spend, New customers", unit="TWD",
             direction="lower", baseline=11_000, target=9_000, start=q2, end=h1, period="month", parent="C3"),
        dict(id="M4", name=T("8 blog posts in June", "6 月發布 8 篇部落格文章"), owner=n["marketing"], kpi="COUNT",
             table="Activities", filter=f"Type={n['Blog post']}", unit=T("posts", "篇"), target=8, start=jun, end=h1,
             period="month", parent="C3"),
        dict(id="K1", name=T("Monthly customer churn down to 1.5% in 2026", "2026 年每月客戶流失率降到 1.5%"),
             owner=n["ceo"], kpi="CHURN", table="Subscriptions", columns="Churned customers, Customers at start",
             date_column="Month", unit="%", direction="lower", baseline=0.022, target=0.015, start=y0, end=y1,
             period="month", parent="C2"),
        dict(id="K2", name=T("Monthly net revenue retention above 100.5%", "每月淨營收留存率高於 100.5%"), owner=n["ceo"],
             kpi="NRR", table="Subscriptions", columns="Starting MRR, Expansion MRR, Contraction MRR, Churned MRR",
             date_column="Month", unit="%", baseline=0.995, target=1.005, start=y0, end=y1, period="month",
             parent="C2"),
        dict(id="T1", name=T("Customer satisfaction (CSAT) 90% in Q2", "第二季顧客滿意度 90%"), owner=n["support"],
             kpi="CSAT", table="Tickets", columns="Rating", date_column="Created", unit="%", baseline=0.8, target=0.9,
             start=q2, end=h1, period="month", parent="C2", reward=T("Support bonus", "客服獎金")),
        dict(id="T2", name=T("Median first response under 2 hours", "首次回應時間中位數低於 2 小時"), owner=n["support"],
             kpi="FRT", table="Tickets", columns='Created, First response, "median"', date_column="Created",
             unit=T("hours", "小時"), direction="lower", baseline=2.6, target=2.0, start=y0, end=h1, period="month",
             parent="C2", reward=T("Support bonus", "客服獎金")),
        dict(id="T3", name=T("Net Promoter Score 40 in 2026", "2026 年淨推薦值 40"), owner=n["support"], kpi="NPS",
             table="Tickets", columns="NPS", date_column="Created", unit=T("points", "分"), baseline=30, target=40,
             start=y0, end=y1, period="quarter", parent="C2", reward=T("Recognition", "公開表揚")),
        dict(id="T4", name=T("Resolve 2,000 tickets in Q2", "第二季解決 2,000 張工單"), owner=n["support"],
             kpi="TICKETS_RESOLVED", table="Tickets", date_column="Resolved", unit=T("tickets", "張"), target=2000,
             start=q2, end=h1, period="month", parent="T2"),
        dict(id="X1", name=T("Be better at sales", "業務要更好"), owner="", kpi=T("be better at sales", "業務更好"),
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
    zh = lang == "zh-TW"
    T = lambda en, z: z if zh else en  # noqa: E731
    o1 = T("Become the accounting software Taiwan's small businesses recommend", "成為台灣小企業推薦的會計軟體")
    o2 = T("Make support a reason customers stay", "讓客服成為客戶留下的理由")
    rows = [
        (o1, T("Win 300 new subscription customers in H1", "上半年新增 300 位訂閱客戶"), n["ceo"], 0, 300, 248, None, 2, "K2"),
        (o1, T("Launch the LINE invoice integration", "推出 LINE 發票整合"), n["marketing"], None, None, None, 0.6, 1, ""),
        (o1, T("Raise NPS from 30 to 40", "NPS 由 30 提升到 40"), n["support"], 30, 40, 36, None, 1, "T3"),
        (o2, T("Median first response under 2 hours", "首次回應中位數低於 2 小時"), n["support"], 2.4, 2.0, 2.1, None, 1, "T2"),
        (o2, T("Publish 30 help-centre articles", "發布 30 篇說明中心文章"), n["support"], 0, 30, 12, None, 1, ""),
    ]
    return pd.DataFrame(rows, columns=["objective", "key_result", "owner", "start_value", "target_value",
                                       "current_value", "score", "weight", "goal"])


def _plans(lang: str) -> pd.DataFrame:
    zh = lang == "zh-TW"
    T = lambda en, z: z if zh else en  # noqa: E731
    return pd.DataFrame([
        (T("Sales bonus", "業務獎金"), 0.8, 2.0, 1.5, 120_000, ""),
        (T("Marketing bonus", "行銷獎金"), 0.8, 1.5, 1.3, 80_000, ""),
        (T("Support bonus", "客服獎金"), 0.85, 1.0, 1.2, 60_000, T("Team lunch", "團隊午餐")),
        (T("Recognition", "公開表揚"), 1.0, 1.0, None, 0, T("Thank-you at the all-hands meeting", "全員大會公開感謝")),
    ], columns=["plan", "threshold", "accelerator", "cap", "target_bonus", "reward"])


def load(lang: str = "en", seed: int = SEED) -> Company:
    """The sample company with its labels in ``lang`` ("en" or "zh-TW")."""
    lang = language(lang)
    n = _NAMES[lang]
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
    return Company(lang, n["company"], AS_OF, tables, _goals(n, lang), _okrs(n, lang), _plans(lang), strategy)
