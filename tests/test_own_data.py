"""A real shop's own data, end to end, as a new user takes it (issue 9's "done when").

An ``--empty`` workbook; an order export with 8-digit YYYYMMDD dates, blank item
counts and the shop's own columns imported from CSV; goals of every measure kind
imported from a CSV the way a team keeps them; refreshed mid-period and after the
goals ended. Every Scorecard number is checked against an independent pandas
computation of the same orders, and the Dashboard's charts against the rows
there are.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kpi_xl.cli import main
from kpi_xl.workbook import layout
from shop_orders import shop_orders  # tools/: the tutorial's order export

H1 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
MID, AFTER = dt.date(2026, 4, 15), dt.date(2026, 7, 15)


def _span(df: pd.DataFrame, a: dt.date, b: dt.date) -> pd.DataFrame:
    d = pd.to_datetime(df["Order date"].astype(str), format="%Y%m%d").dt.date
    return df[(d >= a) & (d <= b)]


def _last_year(d: dt.date) -> dt.date:
    return d.replace(year=d.year - 1)


#: goal id → (KPI, Columns, Filter, direction, measure of a span in pandas, span, band)
def goal_specs(orders: pd.DataFrame) -> dict[str, dict]:
    online = lambda df: df[df["Channel"].str.strip().str.casefold() == "online"]  # noqa: E731
    measures = {
        "REV-M": ("SUM", "Amount", "", lambda df: df["Amount"].sum(), MARCH),
        "REV-H1": ("SUM", "Amount", "", lambda df: df["Amount"].sum(), H1),
        "ORD-H1": ("COUNT", "", "", lambda df: float(len(df)), H1),
        "CUST-H1": ("DISTINCT", "Customer ID", "", lambda df: float(df["Customer ID"].nunique()), H1),
        "AOV-H1": ("AVERAGE", "Amount", "", lambda df: df["Amount"].mean(), H1),
        "BIG-H1": ("MAX", "Amount", "", lambda df: df["Amount"].max(), H1),
        "ONL-H1": ("SUM", "Amount", "Channel=online", lambda df: online(df)["Amount"].sum(), H1),
        "ONE-H1": ("COUNT", "", "Items=1", lambda df: float((df["Items"] == 1).sum()), H1),
        "GM-H1": ("GROSS_MARGIN", "Amount, Cost", "",
                  lambda df: (df["Amount"].sum() - df["Cost"].sum()) / df["Amount"].sum(), H1),
    }
    specs = {}
    for gid, (kpi, cols, filt, fn, span) in measures.items():
        last = fn(_span(orders, _last_year(span[0]), _last_year(span[1])))
        specs[gid] = dict(kpi=kpi, columns=cols, filter=filt, fn=fn, span=span, direction="higher",
                          target=round(float(last) * (1.05 if kpi in ("AVERAGE", "GROSS_MARGIN") else 1.10), 4))
    specs["SMALL-H1"] = dict(kpi="MIN", columns="Amount", filter="", fn=lambda df: df["Amount"].min(), span=H1,
                             direction="lower", target=150.0)
    specs["ITEMS-H1"] = dict(kpi="AVERAGE", columns="Items", filter="", fn=lambda df: df["Items"].mean(), span=H1,
                             direction="maintain", band=(2.0, 3.0), target=None)
    return specs


def goals_csv(specs: dict[str, dict], path: Path) -> Path:
    owners = ["Mei-Ling Hsu", "Jun Park", "Ana Costa"]
    rows = []
    for i, (gid, s) in enumerate(specs.items()):
        band = s.get("band", (None, None))
        rows.append({"ID": gid, "Goal": f"{gid} for the shop", "Owner": owners[i % 3], "KPI": s["kpi"], "Table": "Shop",
                     "Columns": s["columns"], "Date column": "Order date", "Filter": s["filter"], "Unit": "",
                     "Direction": s["direction"], "Band low": band[0], "Band high": band[1], "Target": s["target"],
                     "Start": s["span"][0].isoformat(), "End": s["span"][1].isoformat(), "Period": "month"})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _cli(*args: str, code: int | tuple[int, ...] = 0) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code in ((code,) if isinstance(code, int) else code), result.output
    assert "Traceback" not in result.output
    return result.output


def _sheet(book: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name(name).to_python()


def scorecard(book: Path) -> dict[str, dict]:
    rows = _sheet(book, "Scorecard")
    head = [str(h) for h in rows[0][:len(layout.SCORECARD_COLUMNS)]]  # not the Changes region right of it
    return {str(r[0]): dict(zip(head, r)) for r in rows[1:] if r and r[0] != ""}


def _num(v) -> float:
    return math.nan if v in ("", None) else float(v)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shop")
    book = tmp / "shop.xlsx"
    orders = shop_orders()
    orders.to_csv(tmp / "orders.csv", index=False)
    specs = goal_specs(orders)
    _cli("new", "--empty", str(book))
    imported = _cli("import", str(book), "Shop", str(tmp / "orders.csv"))
    assert f"{len(orders):,}" in imported
    _cli("import", str(book), "Goals", str(goals_csv(specs, tmp / "goals.csv")), "--replace")
    cards = {}
    for when in (MID, AFTER):
        # after the end, goals that were on track in April ended short: refresh exits 3 (docs/schedule.md)
        out = _cli("refresh", str(book), "--as-of", when.isoformat(), "--no-backup", code=0 if when == MID else 3)
        assert f"{len(specs)} goals" in out
        assert "not computed" not in out, out  # the Goals sheet's SMART column included
        cards[when] = scorecard(book)
    return book, orders, specs, cards


@pytest.mark.parametrize("when", [MID, AFTER], ids=["mid-period", "after-the-end"])
def test_every_actual_and_target_matches_pandas(shop, when):
    _, orders, specs, cards = shop
    card = cards[when]
    assert set(card) == set(specs)
    for gid, s in specs.items():
        row = card[gid]
        a, b = s["span"]
        expected = s["fn"](_span(orders, a, min(b, when)))
        assert _close(_num(row["Actual"]), expected), (gid, row["Actual"], expected)
        if s["target"] is not None:
            assert _close(_num(row["Target"]), s["target"]), gid


@pytest.mark.parametrize("when", [MID, AFTER], ids=["mid-period", "after-the-end"])
def test_achievement_and_pace_follow_one_expected_value(shop, when):
    _, orders, specs, cards = shop
    for gid, s in specs.items():
        row = cards[when][gid]
        actual, target = _num(row["Actual"]), s["target"]
        ach, pace, expected = _num(row["Achievement"]), _num(row["Pace"]), _num(row["Expected by now"])
        if s["direction"] == "maintain":
            lo, hi = s["band"]
            assert ach == pytest.approx(1.0 if lo <= actual <= hi else ach), gid
            continue
        want = actual / target if s["direction"] == "higher" else target / actual
        assert _close(ach, want), (gid, ach, want)
        if math.isnan(expected):
            assert _close(pace, ach), (gid, "a goal with no expected value is paced on its achievement")
        else:
            want_pace = actual / expected if s["direction"] == "higher" else expected / actual
            assert _close(pace, want_pace), (gid, "Pace must be Actual against the Expected by now shown", pace,
                                             want_pace)


def test_additive_expectation_is_linear_or_last_years_seasonal_share(shop):
    _, orders, specs, cards = shop
    for gid, s in specs.items():
        if s["kpi"] not in ("SUM", "COUNT"):
            continue
        a, b = s["span"]
        row = cards[MID][gid]
        expected = _num(row["Expected by now"])
        upto = min(b, MID)
        linear = s["target"] * ((upto - a).days + 1) / ((b - a).days + 1)
        last = _span(orders, _last_year(a), _last_year(b))
        share = s["fn"](_span(last, _last_year(a), _last_year(upto))) / s["fn"](last)
        seasonal = s["target"] * share
        assert _close(expected, seasonal) or _close(expected, linear), (gid, expected, linear, seasonal)


def test_after_the_end_the_forecast_is_the_actual_and_the_chance_is_certain(shop):
    _, _, specs, cards = shop
    for gid, s in specs.items():
        row = cards[AFTER][gid]
        assert _close(_num(row["Forecast"]), _num(row["Actual"])), (gid, row["Forecast"], row["Actual"])
        chance = _num(row["Chance to meet"])
        if s["direction"] != "maintain":
            met = _num(row["Achievement"]) >= 1
            assert chance == (1.0 if met else 0.0), (gid, chance)
            assert (row["Status"] == "Achieved") == met, (gid, row["Status"])


def test_running_totals_and_distinct_counts_are_forecast_at_least_where_they_stand(shop):
    _, orders, specs, cards = shop
    for gid, s in specs.items():
        if s["kpi"] in ("SUM", "COUNT", "DISTINCT") and s["span"][1] > MID:
            row = cards[MID][gid]
            assert _num(row["Forecast"]) >= _num(row["Actual"]), (gid, row["Forecast"], row["Actual"])
    # distinct customers over the half-year: not a mean of monthly counts
    cust = cards[MID]["CUST-H1"]
    months = _span(orders, H1[0], MID).assign(m=lambda d: d["Order date"] // 100).groupby("m")["Customer ID"].nunique()
    assert _num(cust["Forecast"]) > months.max()


# ---------------------------------------------------------------- the charts
def _chart_refs(book: Path) -> list[tuple[str, str, int]]:
    """(chart part, reference, points in its cache) of every series reference in the Dashboard's charts."""
    out = []
    with zipfile.ZipFile(book) as z:
        for name in sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            xml = z.read(name).decode()
            for ref, cache in re.findall(r"<c:f>([^<]*)</c:f>\s*<c:(?:num|str)Cache>.*?<c:ptCount val=\"(\d+)\"", xml, re.S):
                out.append((name, ref, int(cache)))
    return out


def _cells(ref: str) -> tuple[str, int, int, int]:
    m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", ref)
    assert m, ref
    col = 0
    for ch in m.group(2):
        col = col * 26 + ord(ch) - 64
    return m.group(1), col - 1, int(m.group(3)), int(m.group(5) or m.group(3))


def test_charts_plot_every_goal_owner_and_period_and_nothing_else(shop):
    book, _, specs, cards = shop
    refs = _chart_refs(book)
    assert refs, "the Dashboard has charts"
    sheets = {}
    plotted: set[str] = set()
    for part, ref, points in refs:
        sheet, col, r1, r2 = _cells(ref)
        rows = sheets.setdefault(sheet, _sheet(book, sheet))
        cells = [rows[r - 1][col] if r - 1 < len(rows) and col < len(rows[r - 1]) else "" for r in range(r1, r2 + 1)]
        assert points == r2 - r1 + 1, (part, ref, "the cached points match the range")
        if r1 == r2:  # a series name
            continue
        assert all(c not in ("", None) for c in cells[:1]), (part, ref)
        below = rows[r2][col] if r2 < len(rows) and col < len(rows[r2]) else ""
        assert below in ("", None), (part, ref, "a row of data below the chart's range is not plotted")
        plotted.update(str(c) for c in cells)
    owners = {str(r["Owner"]) for r in cards[AFTER].values() if r["Owner"]}
    history = _sheet(book, "History")
    periods = {str(r[0]) for r in history[1:] if r and r[0] != ""}
    assert set(specs) <= plotted, set(specs) - plotted
    assert owners <= plotted, owners - plotted
    assert periods <= plotted, periods - plotted


def test_every_imported_goal_row_shows_its_smart_check_on_the_goals_sheet(shop):
    book, _, specs, cards = shop
    rows = _sheet(book, "Goals")
    head = [str(h) for h in rows[0]]
    smart = {str(r[0]): r[head.index("SMART check")] for r in rows[1:] if r and r[0] != ""}
    assert set(smart) == set(specs)
    for gid, verdict in smart.items():
        assert verdict == cards[AFTER][gid]["SMART check"] and str(verdict).startswith("S"), (gid, verdict)


def test_counts_show_as_whole_numbers_on_the_scorecard(shop):
    """2,885 orders, not 2,885.00: the values of counting goals use a whole-number format."""
    import openpyxl

    book, _, specs, _ = shop
    ws = openpyxl.load_workbook(book, read_only=True)["Scorecard"]
    rows = list(ws.iter_rows(min_row=1, max_row=len(specs) + 1))
    head = [c.value for c in rows[0]]
    for row in rows[1:]:
        gid, cell = row[0].value, row[head.index("Actual")]
        fmt = cell.number_format
        if specs[gid]["kpi"] in ("COUNT", "DISTINCT"):
            assert fmt == "#,##0", (gid, fmt)
        else:
            assert fmt != "#,##0", (gid, fmt)


def test_refresh_warns_once_when_the_orders_stop_weeks_before_the_as_of_date(tmp_path):
    # the user forgot to import the latest export: the log ends 20 April, refreshed on 15 June;
    # every goal running past April would look At risk with nothing said about why
    book = tmp_path / "shop.xlsx"
    orders = shop_orders()
    orders[orders["Order date"] <= 20260420].to_csv(tmp_path / "orders.csv", index=False)
    specs = goal_specs(orders)
    _cli("new", "--empty", str(book))
    _cli("import", str(book), "Shop", str(tmp_path / "orders.csv"))
    _cli("import", str(book), "Goals", str(goals_csv(specs, tmp_path / "goals.csv")), "--replace")
    out = _cli("refresh", str(book), "--as-of", "2026-06-15", "--no-backup")
    said = [line for line in out.splitlines() if "days before the as-of date" in line]
    assert said == ["warning: Shop: the latest Order date is 2026-04-20, 56 days before the as-of date 2026-06-15; "
                    "import the newer rows, or set the as-of date (Settings) to the data's end"]
    # refreshed up to the data's end: nothing to say
    out = _cli("refresh", str(book), "--as-of", "2026-04-20", "--no-backup")
    assert "days before the as-of date" not in out
