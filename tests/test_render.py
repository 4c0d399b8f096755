"""tests/support/render.py: workbooks opened in LibreOffice as a user would see them.

The rendering tests need LibreOffice and poppler (``.ci/install-system-deps``)
and skip without them; the tests of the text scanner and of the errors run
everywhere.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

from support import render as r

needs_soffice = pytest.mark.skipif(
    not r.soffice_available(),
    reason=f"missing {', '.join(r.missing_tools())}: {r.INSTALL_HINT}",
)


def _workbook(path: Path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    return xlsxwriter.Workbook(str(path))


def _is_png(path: Path) -> bool:
    return path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- the text scanner


def _result(*texts: str, sheets=None) -> r.RenderResult:
    return r.RenderResult(
        pdf=Path("x.pdf"),
        pages=[],
        texts=list(texts),
        sheets=list(sheets) if sheets else [None] * len(texts),
    )


def test_scanner_finds_every_error_value_and_overflow():
    res = _result(
        "Churn   #DIV/0!   #N/A   #NAME?   #VALUE!   #REF!   #NUM!   #NULL!   Err:502\n"
        "Total   ####DIV/0!    ###   ok   Rank # 1",
        sheets=["Data"],
    )
    codes = [f.code for f in res.findings()]
    assert codes == [
        "#DIV/0!", "#N/A", "#NAME?", "#VALUE!", "#REF!", "#NUM!", "#NULL!", "Err:502",
        "###", "#DIV/0!", "###",
    ]
    assert all(f.page == 1 and f.sheet == "Data" for f in res.findings())


def test_scanner_ignores_lookalikes():
    res = _result("#N/Available   Err:5021x is fine   # 12   ## 3   C#   NT$1,200   50%")
    assert [f.code for f in res.findings()] == []
    assert res.problems() == []


def test_problems_name_page_sheet_and_context_and_group_repeats():
    res = _result(
        "Intro\n",
        "Month   Sales   Churn\nJan   100   #DIV/0!\nFeb   90   #DIV/0!\n",
        sheets=["Intro", "Data"],
    )
    assert res.problems() == [
        "page 2 (sheet Data): #DIV/0! (2 times), first in: Jan 100 #DIV/0!"
    ]


def test_allow_globally_or_per_sheet():
    res = _result("#DIV/0!  ###", "#DIV/0!  #N/A", sheets=["Functions", "Data"])
    assert [f.code for f in res.findings(["#DIV/0!"])] == ["###", "#N/A"]
    assert [(f.sheet, f.code) for f in res.findings({"Functions": ["#DIV/0!", "###"]})] == [
        ("Data", "#DIV/0!"),
        ("Data", "#N/A"),
    ]
    assert res.findings({"*": ["#DIV/0!"], "Data": ["#N/A"], "Functions": ["###"]}) == []
    assert res.findings("#DIV/0!") == [f for f in res.findings() if f.code != "#DIV/0!"]


def test_missing_soffice_is_a_clear_render_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KPI_XL_SOFFICE", str(tmp_path / "no-soffice-here"))
    assert not r.soffice_available()
    assert "soffice" in r.missing_tools()
    book = tmp_path / "b.xlsx"
    book.write_bytes(b"")
    with pytest.raises(r.RenderError, match="install-system-deps"):
        r.render(book, tmp_path / "out")
    with pytest.raises(r.RenderError, match="soffice"):
        r.chart_problems(book)


def test_recalc_registry_sets_ooxml_recalc_mode():
    prop = '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{}</value>'
    assert prop.format(0) in r.recalc_registry(True)
    assert prop.format(1) in r.recalc_registry(False)


# ------------------------------------------------------------------ rendering


@pytest.fixture(scope="module")
def faults_book(tmp_path_factory):
    """Intro (clean), Data (a cached #DIV/0!), Narrow (a number too wide for its column)."""
    d = tmp_path_factory.mktemp("faults")
    wb = _workbook(d / "faults.xlsx")
    wb.add_worksheet("Intro").write("A1", "Monthly KPIs")
    data = wb.add_worksheet("Data")
    data.write_row(0, 0, ["Month", "Customers lost", "Customers", "Churn"])
    data.write_row(1, 0, ["Jan", 3, 0])
    data.write_formula(1, 3, "=B2/C2", None, "#DIV/0!")
    data.set_column(0, 3, 16)
    narrow = wb.add_worksheet("Narrow")
    narrow.write("A1", "Revenue")
    narrow.write_number("A2", 123456789.25, wb.add_format({"num_format": "#,##0.00"}))
    narrow.set_column("A:A", 4)
    wb.close()
    return d / "faults.xlsx"


@pytest.fixture(scope="module")
def faults(faults_book):
    return r.render(faults_book, faults_book.parent / "out")


@needs_soffice
def test_cached_div0_is_reported_with_its_page_and_sheet(faults):
    assert len(faults.pages) == 3 and all(_is_png(p) for p in faults.pages)
    assert faults.sheets == ["Intro", "Data", "Narrow"]
    problems = faults.problems()
    assert len(problems) == 2, problems
    assert problems[0].startswith("page 2 (sheet Data): #DIV/0! in: ")
    assert "Jan" in problems[0]
    assert problems[1].startswith("page 3 (sheet Narrow): number too wide for its column (###)")
    assert faults.problems(allow={"Data": ["#DIV/0!"], "Narrow": ["###"]}) == []


@needs_soffice
def test_whole_sheets_prints_one_page_per_sheet(faults_book, tmp_path):
    res = r.render(faults_book, tmp_path, whole_sheets=True)
    assert len(res.pages) == 3 and res.sheets == ["Intro", "Data", "Narrow"]
    assert [p.split(" in: ")[0] for p in res.problems()] == [
        "page 2 (sheet Data): #DIV/0!",
        "page 3 (sheet Narrow): number too wide for its column (###)",
    ]


@needs_soffice
def test_clean_workbook_has_no_problems(tmp_path):
    wb = _workbook(tmp_path / "clean.xlsx")
    ws = wb.add_worksheet("Scorecard")
    pct = wb.add_format({"num_format": "0.0%"})
    money = wb.add_format({"num_format": "#,##0"})
    ws.write_row(0, 0, ["KPI", "Actual", "Target", "Achievement"])
    rows = [("ARR", 1_250_000, 1_200_000), ("New customers", 42, 50), ("NPS", 31, 30)]
    for i, (name, actual, target) in enumerate(rows, start=1):
        ws.write(i, 0, name)
        ws.write_number(i, 1, actual, money)
        ws.write_number(i, 2, target, money)
        ws.write_formula(i, 3, f"=B{i + 1}/C{i + 1}", pct, actual / target)
    ws.set_column(0, 3, 16)
    wb.close()

    res = r.render(tmp_path / "clean.xlsx", tmp_path / "out")
    assert res.problems() == []
    assert res.pdf.is_file() and len(res.pages) == 1 and _is_png(res.pages[0])
    assert "1,250,000" in res.texts[0] and "104.2%" in res.texts[0]


@needs_soffice
def test_traditional_chinese_sheet_names_and_text(tmp_path):
    wb = _workbook(tmp_path / "看板.xlsx")
    ws = wb.add_worksheet("儀表板")
    ws.write_row(0, 0, ["指標", "狀態"])
    ws.write_row(1, 0, ["年度合約價值", "進度正常"])
    ws.write_row(2, 0, ["客戶流失率", "落後"])
    ws.set_column(0, 1, 18)
    wb.close()

    res = r.render(tmp_path / "看板.xlsx", tmp_path / "out")
    assert res.problems() == []
    assert "進度正常" in res.texts[0] and "年度合約價值" in res.texts[0]
    assert res.sheets == ["儀表板"]
    assert res.pages and _is_png(res.pages[0]) and res.pages[0].stat().st_size > 1000
    # drawn with a font that has Traditional Chinese glyphs, not a fallback without them
    families = subprocess.run(
        ["fc-list", ":lang=zh-tw", "family"], capture_output=True, text=True
    ).stdout
    def key(name):
        return re.sub(r"[^a-z0-9]", "", name.lower())

    cjk = {key(f) for line in families.splitlines() for f in line.split(",")}
    used = {key(f) for f in res.fonts()}
    assert any(c and c in u for c in cjk for u in used), (res.fonts(), families)


def _chart_book(path: Path, values: list | None) -> None:
    """Data!B2:B13 holds `values` (None: left empty); Dashboard has the chart 'Trend by month'."""
    wb = _workbook(path)
    data = wb.add_worksheet("Data")
    data.write_row(0, 0, ["Month", "Revenue"])
    for i in range(12):
        data.write(i + 1, 0, f"2024-{i + 1:02d}")
        if values is not None:
            data.write_number(i + 1, 1, values[i])
    dash = wb.add_worksheet("Dashboard")
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {"name": "Revenue", "categories": "=Data!$A$2:$A$13", "values": "=Data!$B$2:$B$13"}
    )
    chart.set_title({"name": "Trend by month"})
    dash.insert_chart("B2", chart)
    wb.close()


@needs_soffice
def test_chart_with_data_has_no_problems(tmp_path):
    values = [100 + 7 * i for i in range(12)]
    _chart_book(tmp_path / "good.xlsx", values)
    assert r.chart_problems(tmp_path / "good.xlsx") == []
    (chart,) = r.charts(tmp_path / "good.xlsx")
    assert (chart.sheet, chart.title, chart.kind) == ("Dashboard", "Trend by month", "bar")
    assert chart.series[0].name == "Revenue"
    assert chart.series[0].values == tuple(float(v) for v in values)


@needs_soffice
def test_chart_on_empty_cells_is_reported(tmp_path):
    _chart_book(tmp_path / "empty.xlsx", None)
    problems = r.chart_problems(tmp_path / "empty.xlsx")
    assert len(problems) == 1, problems
    assert problems[0].startswith("sheet Dashboard: chart 'Trend by month' has no plotted data")
    assert "Data.B2:Data.B13" in problems[0]


@needs_soffice
def test_chart_problems_series_errors_text_zeros_and_cjk(tmp_path):
    wb = _workbook(tmp_path / "mixed.xlsx")
    data = wb.add_worksheet("資料")
    data.write_row(0, 0, ["月份", "營收", "錯誤", "文字", "零"])
    for i in range(6):
        data.write_row(i + 1, 0, [f"{i + 1}月", 10 + i])
        data.write_formula(i + 1, 2, f"=B{i + 2}/0", None, "#DIV/0!")
        data.write(i + 1, 3, "n/a")
        data.write_number(i + 1, 4, 0)
    dash = wb.add_worksheet("儀表板")
    cats = "='資料'!$A$2:$A$7"

    def chart(kind, title, *series):
        c = wb.add_chart({"type": kind})
        for name, col in series:
            c.add_series({"name": name, "categories": cats, "values": f"='資料'!${col}$2:${col}$7"})
        c.set_title({"name": title})
        return c

    dash.insert_chart("A1", chart("line", "營收趨勢", ("營收", "B"), ("錯誤", "C"), ("文字", "D")))
    dash.insert_chart("A17", chart("pie", "零", ("零", "E")))
    dash.insert_chart("J1", chart("line", "零線", ("零", "E")))  # a line at 0 still shows
    wb.close()

    assert r.chart_problems(tmp_path / "mixed.xlsx") == [
        "sheet 儀表板: chart '營收趨勢': series '錯誤' has no plotted data (no numbers in 資料.C2:資料.C7)",
        "sheet 儀表板: chart '營收趨勢': series '文字' has no plotted data (no numbers in 資料.D2:資料.D7)",
        "sheet 儀表板: chart '零' renders empty: every value is 0",
    ]


@needs_soffice
def test_recalc_shows_name_error_for_unknown_function(tmp_path):
    wb = _workbook(tmp_path / "recalc.xlsx")
    ws = wb.add_worksheet("Calc")
    ws.write("A1", "Unknown function")
    ws.write_formula("B1", "=KPI_NOT_A_FUNCTION(1)", None, 4242)
    ws.write("A2", "Known function")
    ws.write_formula("B2", "=SUM(20,3)", None, 23)
    ws.set_column("A:B", 20)
    wb.close()

    cached = r.render(tmp_path / "recalc.xlsx", tmp_path / "cached")
    assert cached.problems() == []
    assert "4242" in cached.texts[0] and "#NAME?" not in cached.texts[0]

    recalculated = r.render(tmp_path / "recalc.xlsx", tmp_path / "recalc", recalc=True)
    assert "4242" not in recalculated.texts[0] and "23" in recalculated.texts[0]
    problems = recalculated.problems()
    assert len(problems) == 1 and problems[0].startswith("page 1 (sheet Calc): #NAME? in: ")
    assert "Unknown function" in problems[0]


@needs_soffice
def test_parallel_renders_do_not_collide(tmp_path):
    books = []
    for i in range(2):
        wb = _workbook(tmp_path / f"p{i}.xlsx")
        wb.add_worksheet(f"Sheet{i}").write("A1", f"book {i}")
        wb.close()
        books.append(tmp_path / f"p{i}.xlsx")
    results: dict[int, object] = {}

    def go(i):
        try:
            results[i] = r.render(books[i], tmp_path / "out")
        except Exception as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(2):
        assert isinstance(results[i], r.RenderResult), results[i]
        assert f"book {i}" in results[i].texts[0]


@needs_soffice
def test_unreadable_file_and_timeout_are_render_errors(tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook\x00\x01")
    with pytest.raises(r.RenderError, match="could not convert junk.xlsx"):
        r.render(junk, tmp_path / "out")
    with pytest.raises(r.RenderError, match="no such workbook"):
        r.render(tmp_path / "missing.xlsx", tmp_path / "out")
    wb = _workbook(tmp_path / "slow.xlsx")
    wb.add_worksheet().write("A1", 1)
    wb.close()
    with pytest.raises(r.RenderError, match="within"):
        r.render(tmp_path / "slow.xlsx", tmp_path / "out", timeout=0.05)
    assert not (tmp_path / "out" / "slow.pdf").exists()
    assert os.listdir(tmp_path / "out") == []
