"""docs/goals.md and docs/zh-TW/goals.md: the worked examples are real.

Each page's goal rows (the Markdown table after ``<!-- goal rows: NAME -->``) are read as
typed, run through :func:`kpi_xl.goals.compute` on data with the columns the page shows
(the table after ``<!-- data: NAME -->``), and every goal's actual is compared with the
same question answered by plain pandas on the same data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpi_xl.i18n import pgettext
from kpi_xl.goals import compute, smart_check

ROOT = Path(__file__).resolve().parents[1]
EN = ROOT / "docs" / "goals.md"
ZH = ROOT / "docs" / "zh-TW" / "goals.md"
AS_OF = dt.date(2026, 6, 15)


# ------------------------------------------------------------------ reading the pages
def marked_table(path: Path, marker: str) -> pd.DataFrame:
    """The Markdown table right after ``<!-- marker -->``, cells as typed (blank = None)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- {marker} -->") + 1
    body = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        body.append([c.strip() for c in line.strip().strip("|").split("|")])
    header, rows = body[0], [r for r in body[2:]]
    assert all(len(r) == len(header) for r in rows), f"{path.name} {marker}: a row has the wrong number of cells"
    return pd.DataFrame([[c if c else None for c in r] for r in rows], columns=header)


def markers(path: Path, kind: str) -> list[str]:
    return re.findall(rf"<!-- {kind}: (\S+) -->", path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ data with the pages' columns
def _shop() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(9)
    days = pd.date_range("2025-01-01", AS_OF, freq="D")
    per_day = rng.poisson(70, len(days))
    dates = np.repeat(days.values, per_day)
    n = len(dates)
    customers = np.where(rng.random(n) < 0.6, rng.integers(1, 1500, n), rng.integers(1500, 9000, n))
    orders = pd.DataFrame({
        "Order ID": np.arange(100000, 100000 + n),
        "Date": pd.to_datetime(dates),
        "Customer": [f"C{c:05d}" for c in customers],
        "Channel": rng.choice(["Online", "Shop", "online"], n, p=[0.55, 0.4, 0.05]),
        "Items": rng.integers(1, 4, n),
        "Amount": np.round(rng.lognormal(6.8, 0.45, n)),
    })
    # last June's online revenue is 1,100,000 exactly, as the page says
    ly = (orders["Date"].dt.strftime("%Y-%m") == "2025-06") & (orders["Channel"].str.lower() == "online")
    amounts = np.round(orders.loc[ly, "Amount"] * 1_100_000 / orders.loc[ly, "Amount"].sum())
    amounts.iloc[-1] += 1_100_000 - amounts.sum()
    orders.loc[ly, "Amount"] = amounts
    seen = orders.groupby("Customer").cumcount() > 0
    orders["Returning"] = np.where(seen, rng.choice(["yes", "Yes"], n, p=[0.9, 0.1]), "no")
    # the Repeat table: per month, last month's buyers and how many of them bought again
    month = orders["Date"].dt.to_period("M")
    buyers = orders.groupby(month)["Customer"].agg(set)
    rows = []
    for m in buyers.index[1:]:
        before = buyers.get(m - 1, set())
        rows.append({"Month": m.to_timestamp(), "Buyers before": len(before),
                     "Bought again": len(before & buyers[m])})
    return {"Orders": orders, "Repeat": pd.DataFrame(rows)}


def _saas() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(10)
    rows = []
    for plan, customers, price in (("Pro", 400, 1500.0), ("Basic", 900, 450.0)):
        mrr = customers * price
        for m in pd.date_range("2025-01-01", AS_OF, freq="MS"):
            new, churned = int(rng.integers(10, 40)), int(rng.integers(5, 25))
            exp, con = float(rng.integers(2000, 12000)), float(rng.integers(500, 3000))
            new_mrr, churned_mrr = new * price, churned * price
            end = mrr + new_mrr + exp - con - churned_mrr
            rows.append({"Month": m, "Plan": plan, "Customers at start": customers, "New customers": new,
                         "Churned customers": churned, "Starting MRR": mrr, "New MRR": new_mrr,
                         "Expansion MRR": exp, "Contraction MRR": con, "Churned MRR": churned_mrr,
                         "Ending MRR": end})
            customers, mrr = customers + new - churned, end
    return {"Subscriptions": pd.DataFrame(rows)}


def _desk() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(11)
    days = pd.date_range("2025-07-01", AS_OF, freq="D")
    per_day = rng.poisson(20, len(days))
    created = pd.to_datetime(np.repeat(days.values, per_day)) + pd.to_timedelta(rng.integers(8 * 60, 20 * 60, per_day.sum()), "min")
    n = len(created)
    first = created + pd.to_timedelta(np.round(rng.exponential(2.2, n) * 60), "min")
    resolved = created + pd.to_timedelta(np.round(rng.exponential(20, n) * 60), "min")
    end_of_data = pd.Timestamp(AS_OF) + pd.Timedelta(hours=23)
    first = first.where((first <= end_of_data) & (rng.random(n) > 0.02))
    resolved = resolved.where((resolved <= end_of_data) & (rng.random(n) > 0.05))
    rating = np.where(rng.random(n) < 0.4, rng.choice([1, 2, 3, 4, 5], n, p=[0.04, 0.04, 0.1, 0.32, 0.5]), np.nan)
    tickets = pd.DataFrame({
        "Ticket ID": [f"T{i:05d}" for i in range(n)], "Created": created, "First response": first,
        "Resolved": resolved, "Agent": rng.choice(["Grace Lee", "Henry Kao"], n),
        "Channel": rng.choice(["Email", "LINE", "Phone"], n), "Rating": rating,
        "Priority": rng.choice(["High", "Normal"], n, p=[0.2, 0.8]),
    })
    return {"Tickets": tickets}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return {**_shop(), **_saas(), **_desk()}


def _span(start: str, end: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(start), pd.Timestamp(min(dt.date.fromisoformat(end), AS_OF))


def _in(s: pd.Series, start: str, end: str) -> pd.Series:
    a, b = _span(start, end)
    d = s.dt.normalize()
    return (d >= a) & (d <= b)


def expected(d: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Every worked example's value at AS_OF, by plain pandas."""
    o, rep, sub, t = d["Orders"], d["Repeat"], d["Subscriptions"], d["Tickets"]
    h1, q2, y = ("2026-01-01", "2026-06-30"), ("2026-04-01", "2026-06-30"), ("2026-01-01", "2026-12-31")
    oh1 = o[_in(o["Date"], *h1)]
    r = rep[_in(rep["Month"], *h1)]
    s = sub[_in(sub["Month"], *y)]
    sh1 = sub[_in(sub["Month"], *h1)]
    tq2 = t[_in(t["Created"], *q2)]
    th1 = t[_in(t["Created"], *h1)]
    ty = t[_in(t["Created"], *y)]
    hours = lambda a, b: (b - a).dt.total_seconds() / 3600  # noqa: E731
    answered = th1.dropna(subset=["First response"])
    high = ty[(ty["Priority"] == "High")].dropna(subset=["Resolved"])
    return {
        "R1": o.loc[_in(o["Date"], "2026-06-01", "2026-06-30") & (o["Channel"].str.lower() == "online"), "Amount"].sum(),
        "R2": len(oh1),
        "R3": oh1["Customer"].nunique(),
        "R4": o.loc[_in(o["Date"], *q2), "Amount"].mean(),
        "R5": o.loc[_in(o["Date"], *y), "Items"].mean(),
        "R6": (oh1["Returning"].str.lower() == "yes").sum(),
        "R7": r["Bought again"].sum() / r["Buyers before"].sum(),
        "K1": s.loc[s["Plan"] == "Pro", "Ending MRR"].max(),
        "K2": s["Churned customers"].sum() / s["Customers at start"].sum(),
        "K3": (s["Starting MRR"].sum() + s["Expansion MRR"].sum() - s["Contraction MRR"].sum()
               - s["Churned MRR"].sum()) / s["Starting MRR"].sum(),
        "K4": (sh1["New MRR"].sum() + sh1["Expansion MRR"].sum()) / (sh1["Contraction MRR"].sum() + sh1["Churned MRR"].sum()),
        "K5": s["New customers"].sum(),
        "T1": _in(t["Resolved"].dropna(), *q2).sum(),
        "T2": hours(answered["Created"], answered["First response"]).median(),
        "T3": (tq2["Rating"] >= 4).sum() / tq2["Rating"].notna().sum(),
        "T4": hours(high["Created"], high["Resolved"]).mean(),
    }


# ------------------------------------------------------------------ the English page
def _check(goals: pd.DataFrame, tables: dict[str, pd.DataFrame], want: dict[str, float]) -> None:
    result = compute(goals, tables, AS_OF)
    card = result.scorecard.set_index("id")
    for gid in goals.iloc[:, 0]:
        row = card.loc[gid]
        assert row["status"] not in ("no_data", "not_started"), f"{gid}: {row['rule']}"
        assert row["actual"] == pytest.approx(float(want[gid]), rel=1e-9), gid
    smart = smart_check(goals, tables).set_index("id")
    assert smart["M"].all(), smart.loc[~smart["M"], "reasons"].map(str).to_dict()


def test_every_example_goal_is_on_the_page():
    assert markers(EN, "goal rows") == ["shop", "saas", "desk"]
    ids = [i for m in markers(EN, "goal rows") for i in marked_table(EN, f"goal rows: {m}")["ID"]]
    assert ids == ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "K1", "K2", "K3", "K4", "K5", "T1", "T2", "T3", "T4"]


def test_the_data_the_page_shows_is_the_data_the_goals_are_measured_on(data):
    for name in markers(EN, "data"):
        assert list(marked_table(EN, f"data: {name}").columns) == list(data[name].columns), name


@pytest.mark.parametrize("example", ["shop", "saas", "desk"])
def test_english_worked_example_matches_pandas(example, data):
    _check(marked_table(EN, f"goal rows: {example}"), data, expected(data))


def test_last_year_plus_ten_percent_is_what_the_page_says(data):
    o = data["Orders"]
    last_june = o.loc[_in(o["Date"], "2025-06-01", "2025-06-30") & (o["Channel"].str.lower() == "online"), "Amount"].sum()
    rows = marked_table(EN, "goal rows: shop").set_index("ID")
    assert last_june == 1_100_000
    assert float(rows.loc["R1", "Target"].replace(",", "")) == round(last_june * 1.1)
    card = compute(marked_table(EN, "goal rows: shop"), data, AS_OF).scorecard.set_index("id")
    assert card.loc["R1", "pacing"] == "seasonal"  # last year's June is in the table


# ------------------------------------------------------------------ the 繁體中文 page
#: The zh-TW page's data: the same numbers under Chinese headers and words.
ZH_TABLES = {"Orders": "訂單", "Repeat": "回購", "Subscriptions": "訂閱", "Tickets": "客服工單"}
ZH_COLUMNS = {
    "Order ID": "訂單編號", "Date": "日期", "Customer": "客戶", "Channel": "通路", "Items": "件數", "Amount": "金額",
    "Returning": "回頭客", "Month": "月份", "Buyers before": "前月購買人數", "Bought again": "再次購買人數",
    "Plan": "方案", "Customers at start": "期初客戶數", "New customers": "新客戶數", "Churned customers": "流失客戶數",
    "Ending MRR": "期末 MRR", "Priority": "優先等級",
}
# the template's own columns take the catalog's words, so the page follows the workbook
ZH_COLUMNS.update({en: pgettext("column", en, "zh-TW") for en in (
    "Order ID", "Date", "Customer", "Channel", "Amount", "Month", "Plan", "Customers at start", "New customers",
    "Churned customers", "Starting MRR", "New MRR", "Expansion MRR", "Contraction MRR", "Churned MRR", "Ticket ID",
    "Created", "First response", "Resolved", "Agent", "Rating")})
ZH_VALUES = {"Channel": {"Online": "線上", "online": "線上", "Shop": "門市", "Email": "Email", "LINE": "LINE",
                         "Phone": "電話"},
             "Returning": {"yes": "是", "Yes": "是", "no": "否"}, "Priority": {"High": "高", "Normal": "一般"}}


def zh_data(data: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, df in data.items():
        df = df.copy()
        for col, words in ZH_VALUES.items():
            if col in df.columns:
                df[col] = df[col].map(words)
        # as refresh reads a Chinese workbook: the template's tables under their Excel Table name and
        # their sheet's name; a table the user added under its sheet's name
        df = df.rename(columns=ZH_COLUMNS)
        if name in ("Orders", "Subscriptions", "Tickets"):
            out[name] = df
        out[ZH_TABLES[name]] = df
    return out


def test_zh_page_shows_the_same_examples():
    assert markers(ZH, "goal rows") == ["shop", "saas", "desk"]
    for m in markers(ZH, "goal rows"):
        en, zh = marked_table(EN, f"goal rows: {m}"), marked_table(ZH, f"goal rows: {m}")
        assert list(zh.iloc[:, 0]) == list(en["ID"]) and len(zh.columns) == len(en.columns), m


def test_zh_data_headers_are_the_pages(data):
    zh = zh_data(data)
    for name in markers(ZH, "data"):
        key = next(k for k, v in ZH_TABLES.items() if v == name)
        frame = zh.get(key, zh.get(name))
        assert list(marked_table(ZH, f"data: {name}").columns) == list(frame.columns), name


@pytest.mark.parametrize("example", ["shop", "saas", "desk"])
def test_zh_worked_example_matches_pandas(example, data):
    goals = marked_table(ZH, f"goal rows: {example}")
    assert "編號" in goals.columns and "方向" in goals.columns  # typed with the Chinese workbook's headers
    _check(goals, zh_data(data), expected(data))


# ------------------------------------------------------------------ the generated measures table
def _measures(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text.split("<!-- begin generated: measures -->")[1].split("<!-- end generated: measures -->")[0]


def test_every_trackable_kpi_has_a_line_with_its_columns_in_order():
    from kpi_xl.functions import registry
    from kpi_xl.goals.measure import TRACKABLE

    for path in (EN, ZH):
        table = _measures(path)
        names = re.findall(r"^\| \[?`([A-Z_]+)`", table, re.M)
        assert sorted(names) == sorted(TRACKABLE), path
        for k in registry.kpis():
            if k.measure in ("ratio_of_totals", "records"):
                line = next(li for li in table.splitlines() if f"`{k.name}`]" in li)
                assert re.findall(r"`([a-z_]+)`", line) == [a.name for a in k.arguments], k.name


def test_a_new_kpi_appears_in_the_measures_table():
    sys.path.insert(0, str(ROOT / "tools"))
    import gendocs
    from kpi_xl.functions import registry

    def repeat_rate(again, before):
        return again / before

    from typing import Annotated, Any

    from kpi_xl.metrics.kinds import Range

    repeat_rate.__annotations__ = {"again": Annotated[Any, Range("Buyers who bought again.")],
                                   "before": Annotated[Any, Range("Buyers the period before.")]}
    kpi = registry.KPI("REPEAT_RATE", repeat_rate, group=registry.SALES, unit="percent", measure="ratio_of_totals",
                       description="Repeat rate = buyers who bought again / buyers before.",
                       example=registry.Example("=REPEAT_RATE(6, 20)", (6, 20)))
    registry.register(kpi)
    try:
        line = next(li for li in gendocs.measures_table("en").splitlines() if "REPEAT_RATE" in li)
        assert "`again`, `before`" in line and "then the ratio" in line
    finally:
        registry.unregister("REPEAT_RATE")
    assert "REPEAT_RATE" not in gendocs.measures_table("en")


def test_the_pages_measures_tables_are_current():
    """What `python tools/gendocs.py --check` checks for these pages, without building the template."""
    sys.path.insert(0, str(ROOT / "tools"))
    import gendocs

    for rel, regions in gendocs.REGIONS.items():
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert gendocs.fill_regions(text, regions) == text, f"{rel} is stale: run python tools/gendocs.py"


# ------------------------------------------------------------------ what the pages say the engine does

_ONE = dict(id="G1", name="Orders with one item in January 2026", owner="Amy", kpi="COUNT", table="Orders",
            date_column="Date", direction="higher", target=10, start="2026-01-01", end="2026-01-31", strategy="s")


def _orders(**columns) -> pd.DataFrame:
    base = {"Date": pd.to_datetime(["2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]),
            "Items": [1.0, 2.0, np.nan, 1.0], "Amount": [0.0, 12.5, 3.0, 0.0]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize("spec,want", [("Items=1", 2), ("Amount=0", 2), ("Amount=12.50", 1)])
def test_filters_compare_numbers_as_numbers(spec, want):
    card = compute(pd.DataFrame([{**_ONE, "filter": spec}]), {"Orders": _orders()}, dt.date(2026, 1, 31)).scorecard
    assert card.iloc[0]["actual"] == want


def test_a_date_column_of_yyyymmdd_text_is_read_as_dates():
    goal = {**_ONE, "kpi": "SUM", "columns": "Amount", "target": 100}
    dates = ["20260102", "20260103", "20260104", "20260205"]
    card = compute(pd.DataFrame([goal]), {"Orders": _orders(Date=dates)}, dt.date(2026, 1, 31)).scorecard
    assert card.iloc[0]["actual"] == 15.5


@pytest.mark.parametrize("dates", [[20260102, 20260103, 20260104, 20260205],  # YYYYMMDD numbers
                                   [46024.0, 46025.0, 46026.0, 46058.0]])  # serials formatted General
def test_a_date_column_of_numbers_is_read_as_dates(dates):
    goal = {**_ONE, "kpi": "SUM", "columns": "Amount", "target": 100}
    card = compute(pd.DataFrame([goal]), {"Orders": _orders(Date=dates)}, dt.date(2026, 1, 31)).scorecard
    assert card.iloc[0]["actual"] == 15.5  # the three January rows, not the February one


@pytest.mark.parametrize("columns", ["Amount", "Amount, 1"])
def test_aov_with_the_wrong_columns_is_named_not_computed(columns):
    goal = {**_ONE, "kpi": "AOV", "columns": columns, "target": 100}
    result = compute(pd.DataFrame([goal]), {"Orders": _orders()}, dt.date(2026, 1, 31))
    card, (problem,) = result.scorecard, result.problems.values()
    assert problem.column == "columns"  # the goal is kept, with no number and the reason in words
    assert math.isnan(card.iloc[0]["actual"]) and card.iloc[0]["rule"] == problem.message


def test_a_blank_date_column_finds_a_chinese_tables_date_column(data):
    """A goal's blank Date column means the table's date column under the word Date in any
    language kpi-xl has: 日期 in a 繁體中文 table; and 日期 typed finds an English table's Date."""
    o = data["Orders"]
    want = o.loc[_in(o["Date"], "2026-01-01", "2026-06-30"), "Amount"].sum()
    goal = dict(id="G1", name="Revenue in the first half of 2026", owner="Amy", kpi="SUM", table="訂單",
                columns="金額", target=100, start="2026-01-01", end="2026-06-30", strategy="s")
    zh = zh_data(data)
    for row, tables in (({**goal}, zh), ({**goal, "date_column": "日期"}, zh), ({**goal, "date_column": " date "}, zh),
                        ({**goal, "table": "Orders", "columns": "Amount", "date_column": "日期"}, data)):
        card = compute(pd.DataFrame([row]), tables, AS_OF).scorecard.iloc[0]
        assert card["actual"] == pytest.approx(want, rel=1e-12), row
    assert smart_check(pd.DataFrame([goal]), zh).iloc[0]["M"]
    line = next(li for li in ZH.read_text(encoding="utf-8").splitlines() if li.startswith("| 日期欄（G）"))
    assert "留白" in line and "請填" not in line  # the page no longer asks the user to type 日期


def test_a_date_column_word_that_is_not_there_is_still_named():
    orders = pd.DataFrame({"Order date": pd.to_datetime(["2026-01-02"]), "Amount": [5.0]})
    result = compute(pd.DataFrame([{**_ONE, "kpi": "SUM", "columns": "Amount", "date_column": None}]),
                     {"Orders": orders}, dt.date(2026, 1, 31))
    (problem,) = result.problems.values()
    assert problem.column == "date_column" and "has no column 'Date'" in str(problem.message)


# ------------------------------------------------------------------ links


def _anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    ids = set(re.findall(r'<a id="([^"]+)">', text))
    for heading in re.findall(r"^#+ (.+)$", text, re.M):  # GitHub's heading anchors
        ids.add(re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-"))
    return ids


@pytest.mark.parametrize("page", [EN, ZH, ZH.parent / "README.md", ROOT / "README.md", ROOT / "docs" / "workbook.md",
                                  ROOT / "docs" / "your-data.md"])
def test_links_resolve(page):
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        if re.match(r"https?:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        assert dest.exists(), f"{page.name}: {target}"
        if anchor and dest.suffix == ".md":
            assert anchor in _anchors(dest), f"{page.name}: {target}"


def test_goals_pages_are_linked():
    assert "(docs/goals.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(goals.md)" in (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    assert "(goals.md)" in (ZH.parent / "README.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the common mistakes' messages
#: What each row of a page's mistakes table typed, as changes to a good goal (in order).
MISTAKES = {
    EN: [dict(columns="Amout"), dict(date_column="Order date"), dict(table="Sales"), dict(filter="Channel Online"),
         dict(filter="Chanel=Online"), dict(columns="Amount, Items"), dict(kpi="AVERAGE", columns="Amount, Items"),
         dict(kpi="AOV", columns=""), dict(start="next spring"), dict(end="2025-12-31"), dict(target=0),
         dict(direction="up"), dict(direction="maintain")],
    ZH: [dict(columns="數量"), dict(table="Sales"), dict(filter="通路 線上"), dict(columns="金額, 件數"),
         dict(kpi="AVERAGE", columns="金額, 件數"), dict(kpi="AOV", columns=""), dict(start="明年春天"),
         dict(end="2025/12/31"), dict(target=0), dict(direction="up"), dict(direction="maintain")],
}


@pytest.mark.parametrize("page", [EN, ZH], ids=["en", "zh-TW"])
def test_the_common_mistakes_show_the_message_kpi_xl_gives(page, data):
    """Each mistake typed on the fourth goal row: the message refresh shows, at the cell it names."""
    from kpi_xl.goals.model import GOAL_HEADERS
    from kpi_xl.workbook import layout

    lang = "en" if page == EN else "zh-TW"
    tables = data if page == EN else zh_data(data)
    table, amount, items = ("Orders", "Amount", "Items") if page == EN else ("訂單", "金額", "件數")
    good = dict(id="G", name="Revenue in 2026 up 10 % on 2025", owner="Amy", kpi="SUM", table=table, columns=amount,
                date_column="Date" if page == EN else "日期", filter="", direction="higher", target=100,
                start="2026-01-01", end="2026-12-31", period="month", strategy="s")
    shown = marked_table(page, "mistakes")
    assert len(shown) == len(MISTAKES[page])
    for said, change in zip(shown.iloc[:, 1], MISTAKES[page]):
        rows = [{**good, "id": f"G{i}"} for i in range(3)] + [{**good, "id": "G3", **change}]
        result = compute(pd.DataFrame(rows), tables, AS_OF)
        (problem,) = result.problems.values()
        sc = result.scorecard.set_index("id")  # the other goals computed, the fourth "No data" with its reason
        assert sc.loc["G3", "status"] == "no_data" and sc.loc["G3", "rule"] == problem.message
        assert all(sc.loc[f"G{i}", "status"] != "no_data" for i in range(3)), (change, sc["status"].tolist())
        letter = "ABCDEFGHIJKLMNOPQRSTUV"[list(GOAL_HEADERS).index(problem.column)]
        cell = f"{layout.sheet('goals', lang)}!{letter}{problem.row + 1}"
        assert said.strip("`") == f"{cell}: {problem.message.text(lang)}", (change, said)


@pytest.mark.parametrize("page", [EN, ZH], ids=["en", "zh-TW"])
def test_the_why_and_smart_texts_the_page_quotes_are_kpi_xls(page, data):
    lang = "en" if page == EN else "zh-TW"
    tables = data if page == EN else zh_data(data)
    table, amount, channel, typo = ("Orders", "Amount", "Channel", "Onlin") if page == EN else ("訂單", "金額", "通路", "線下")
    good = dict(id="G1", name="Revenue in 2026 up 10 % on 2025", owner="Amy", kpi="SUM", table=table, columns=amount,
                date_column="Date" if page == EN else "日期", target=100, start="2026-01-01", end="2026-12-31",
                strategy="s")
    text = page.read_text(encoding="utf-8")
    unknown = pd.DataFrame([{**good, "kpi": "REVENUE"}])
    assert compute(unknown, tables, AS_OF).scorecard.iloc[0]["rule"].text(lang) in text
    assert smart_check(unknown, tables).iloc[0]["reasons"].text(lang) in text
    nothing = pd.DataFrame([{**good, "filter": f"{channel}={typo}"}])
    assert f"`{channel}={typo}`" in text
    assert compute(nothing, tables, AS_OF).scorecard.iloc[0]["rule"].text(lang) in text


# ------------------------------------------------------------------ docs/your-data.md, run as written
def test_the_tutorial_says_what_the_commands_say(tmp_path, monkeypatch):
    """docs/your-data.md's commands, run as written on its example files, print the lines the
    page quotes, the warning included (a reader following it meets no line it does not show)."""
    from click.testing import CliRunner

    from kpi_xl.cli import main

    page = (ROOT / "docs" / "your-data.md").read_text(encoding="utf-8")
    monkeypatch.chdir(ROOT)
    book = tmp_path / "shop.xlsx"
    printed: list[str] = []
    for command in ("kpi-xl new --empty shop.xlsx",
                    "kpi-xl import shop.xlsx Shop docs/examples/shop-orders.csv",
                    "kpi-xl import shop.xlsx Goals docs/examples/shop-goals.csv --replace",
                    "kpi-xl refresh shop.xlsx --as-of 2026-06-15"):
        assert command in page, command
        args = [str(book) if a == "shop.xlsx" else a for a in command.split()[1:]]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        printed += [li.replace(f"{tmp_path}/", "") for li in result.output.splitlines()]
    for quoted in ("imported 8,725 rows into Shop (sheet Shop), a new table on a new sheet; previous version kept "
                   "as shop.bak.xlsx",
                   "refreshed shop.xlsx as of 2026-06-15: 8 goals (On track 6, Behind 2)"):
        assert quoted in page and quoted in printed, (quoted, printed)
    said = [li for li in printed if li.startswith("warning: ")]
    assert said and all(li in page for li in said), said  # every warning the reader sees, the page shows
