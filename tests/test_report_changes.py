"""The Changes region and refresh's exit code, across two refreshes (issue 10, "Reports and alerts").

Each refresh lists, right of the Scorecard (columns W:AB), the goals whose status differs
from the previous review period's snapshot in History: ID, goal, status before, status
now, as of (the first refresh that saw it) and why. `kpi-xl refresh` exits 3 when one got
worse (Achieved > On track > Behind > At risk), 0 otherwise; 1 and 2 keep their meanings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openxml_audit import OpenXmlValidator
from python_calamine import CalamineWorkbook

from kpi_xl.cli import EXIT_WORSE, main
from kpi_xl.workbook import layout
from kpi_xl.workbook.template import new

W = layout.CHANGES_COL - 1  # 0-based column of the Changes region


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in res.output
    return res.exit_code, res.stdout, res.stderr


def sheet(book: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(book)).get_sheet_by_name(name).to_python()


def changes(book: Path, lang: str = "en") -> list[dict]:
    rows = sheet(book, layout.sheet("scorecard", lang))
    head = [str(h) for h in rows[0][W:W + len(layout.CHANGES_COLUMNS)]]
    assert head == layout.header(layout.CHANGES_COLUMNS, lang)
    return [dict(zip(head, r[W:W + len(head)])) for r in rows[1:] if len(r) > W and any(r[W:W + len(head)])]


def scorecard(book: Path) -> dict[str, dict]:
    rows = sheet(book, "Scorecard")
    head = [str(h) for h in rows[0][:len(layout.SCORECARD_COLUMNS)]]
    return {str(r[0]): dict(zip(head, r)) for r in rows[1:] if r and r[0] != ""}


def history_status(book: Path) -> dict[tuple[str, str], str]:
    rows = sheet(book, "History")
    return {(str(r[0]), str(r[2])): r[10] for r in rows[1:] if r and r[0] != ""}


def audited(path: Path) -> None:
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid, [str(e) for e in result.errors[:5]]


# ------------------------------------------------------------------ the sample workbook

@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return new(tmp_path_factory.mktemp("sample") / "sample.xlsx")


def test_the_template_lists_the_changes_since_may(sample):
    # the sample's History holds January..May; as of 2026-06-15 two goals have started since May
    rows = changes(sample)
    assert {(r["ID"], r["Status before"], r["Status now"]) for r in rows} == {
        ("S5", "Not started", "On track"), ("M4", "Not started", "On track")}
    card = scorecard(sample)
    for r in rows:
        assert r["As of"] == dt.date(2026, 6, 15)
        assert r["Why"] == card[r["ID"]]["Why"] and r["Why"]
        assert r["Goal"] == card[r["ID"]]["Goal"]


def test_a_refresh_in_the_next_period_exits_3_and_lists_what_got_worse_first(sample, tmp_path):
    book = tmp_path / "b.xlsx"
    book.write_bytes(sample.read_bytes())
    code, out, err = run("refresh", str(book), "--as-of", "2026-07-20", "--no-backup")
    assert code == EXIT_WORSE == 3
    rows = changes(book)
    hist = history_status(book)
    card = scorecard(book)
    # every listed change is History's June status → today's status, with today's why
    for r in rows:
        assert hist[("2026-06", r["ID"])] == r["Status before"]
        assert hist[("2026-07", r["ID"])] == r["Status now"] == card[r["ID"]]["Status"]
        assert r["Why"] == card[r["ID"]]["Why"]
        assert r["As of"] == dt.date(2026, 7, 20)
    # ...and every goal whose status differs from June's is listed
    differs = {g for (p, g), s in hist.items() if p == "2026-07" and hist.get(("2026-06", g), s) != s}
    assert {r["ID"] for r in rows} == differs
    s1 = next(r for r in rows if r["ID"] == "S1")
    assert (s1["Status before"], s1["Status now"]) == ("Behind", "At risk")
    order = ["Achieved", "On track", "Behind", "At risk"]
    worse = [order.index(r["Status now"]) > order.index(r["Status before"]) for r in rows]
    assert worse == sorted(worse, reverse=True)  # the goals that got worse come first
    assert "S1 Won contract value North NT$18M in 2026: Behind \u2192 At risk" in err
    assert f"{sum(worse)} goal(s) got worse since the previous review period" in err
    assert "refreshed" in out
    audited(book)

    # refreshed again later in July: the same changes, still exit 3, "As of" says since when
    code, _, _ = run("refresh", str(book), "--as-of", "2026-07-22", "--no-backup", "--quiet")
    assert code == 3
    again = {r["ID"]: r for r in changes(book)}
    assert again["S1"]["As of"] == dt.date(2026, 7, 20)


def test_refresh_keeps_its_other_exit_codes(tmp_path):
    assert run("refresh", str(tmp_path / "nothing.xlsx"))[0] == 2  # click: no such file
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert run("refresh", str(bad))[0] == 1


# ------------------------------------------------------------------ an edited workbook

def _orders(path: Path) -> Path:
    days = pd.date_range("2026-01-01", "2026-06-30", freq="D")
    pd.DataFrame({"Order date": days.strftime("%Y-%m-%d"), "Amount": 10.0}).to_csv(path, index=False)
    return path


def _goals(path: Path, revenue_target: float) -> Path:
    common = {"Owner": "Mei-Ling Hsu", "Table": "Shop", "Date column": "Order date", "Filter": "", "Unit": "",
              "Direction": "higher", "Start": "2026-01-01", "End": "2026-12-31", "Period": "month"}
    pd.DataFrame([
        {"ID": "G1", "Goal": "Shop revenue in 2026", "KPI": "SUM", "Columns": "Amount", "Target": revenue_target,
         **common},
        {"ID": "G2", "Goal": "Orders in 2026", "KPI": "COUNT", "Columns": "", "Target": 365, **common},
    ]).to_csv(path, index=False)
    return path


def test_an_edited_workbook_across_two_review_periods(tmp_path):
    book = tmp_path / "shop.xlsx"
    assert run("new", "--empty", str(book))[0] == 0
    assert run("import", str(book), "Shop", str(_orders(tmp_path / "orders.csv")), "--no-backup")[0] == 0
    assert run("import", str(book), "Goals", str(_goals(tmp_path / "g.csv", 3650)), "--replace", "--no-backup")[0] == 0

    code, _, err = run("refresh", str(book), "--as-of", "2026-03-31", "--no-backup")
    assert code == 0, err
    assert {g: r["Status"] for g, r in scorecard(book).items()} == {"G1": "On track", "G2": "On track"}
    rows = changes(book)
    assert [r["Goal"] for r in rows] == ["No earlier review period to compare with yet"]

    # April, nothing edited: both goals still on track, no change, exit 0
    code, _, _ = run("refresh", str(book), "--as-of", "2026-04-30", "--no-backup")
    assert code == 0
    assert [r["Goal"] for r in changes(book)] == ["No status changed since 2026-03"]

    # the revenue target doubled: G1 at risk since March, exit 3; G2 is not listed
    assert run("import", str(book), "Goals", str(_goals(tmp_path / "g.csv", 7300)), "--replace", "--no-backup")[0] == 0
    code, _, err = run("refresh", str(book), "--as-of", "2026-04-30", "--no-backup")
    assert code == 3
    assert "G1 Shop revenue in 2026: On track \u2192 At risk" in err
    rows = changes(book)
    assert [(r["ID"], r["Status before"], r["Status now"], r["As of"]) for r in rows] == [
        ("G1", "On track", "At risk", dt.date(2026, 4, 30))]
    assert rows[0]["Why"] == scorecard(book)["G1"]["Why"]
    assert history_status(book)[("2026-04", "G1")] == "At risk"
    audited(book)

    # in May, against April's At risk: the target set back, G1 got better: listed, exit 0
    assert run("import", str(book), "Goals", str(_goals(tmp_path / "g.csv", 3650)), "--replace", "--no-backup")[0] == 0
    code, _, _ = run("refresh", str(book), "--as-of", "2026-05-31", "--no-backup")
    assert code == 0
    assert [(r["ID"], r["Status before"], r["Status now"]) for r in changes(book)] == [("G1", "At risk", "On track")]


def test_what_the_user_wrote_where_the_region_goes_is_kept(sample, tmp_path):
    from kpi_xl.workbook.package import open_package

    book = tmp_path / "mine.xlsx"
    book.write_bytes(sample.read_bytes())
    with open_package(book) as pkg:  # the user's own note in W1 (where the Changes header goes)
        pkg.write_region("Scorecard", 1, layout.CHANGES_COL, layout.CHANGES_COL, [["my own notes"]])
        pkg.save(book, backup=False)
    code, out, _ = run("refresh", str(book), "--as-of", "2026-07-20", "--no-backup")
    assert code == 3  # the exit code does not depend on the region
    assert sheet(book, "Scorecard")[0][W] == "my own notes"
    assert "Scorecard!W1: not empty, so the Changes region" in out


def test_zh_tw_changes_in_taiwanese_words(tmp_path):
    book = new(tmp_path / "zh.xlsx", lang="zh-TW")
    code, _, err = run("refresh", str(book), "--as-of", "2026-07-20", "--no-backup")
    assert code == 3
    rows = changes(book, "zh-TW")
    words = layout.header(layout.CHANGES_COLUMNS, "zh-TW")
    s1 = next(r for r in rows if r[words[0]] == "S1")
    assert (s1[words[2]], s1[words[3]]) == ("落後", "有風險")
    assert "S1 \u5317\u5340 2026 \u5e74\u6210\u4ea4\u5408\u7d04\u91d1\u984d 1,800 \u842c\uff1a" in err  # full-width colon
