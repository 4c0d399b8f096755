"""The workbook people hold: template, headless refresh, what it keeps and what it refuses."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from kpi_xl.excel import to_serial
from click.testing import CliRunner

import gendocs as docs
from kpi_xl import labels
from kpi_xl.cli import main
from kpi_xl.workbook import layout
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new
from kpi_xl.workbook.package import WorkbookError, open_package

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    d = tmp_path_factory.mktemp("books")
    return {lang: new(d / f"sample-{lang}.xlsx", lang=lang) for lang in ("en", "zh-TW")}


@pytest.fixture
def book(books, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(books["en"], path)
    return path


def calamine(path, sheet):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_template_is_current():
    """The shipped template shows what a fresh build shows: every cell, format, table and chart.

    Compared as a reader sees it, not byte for byte, so a library release that prints a float's
    last digit differently or orders XML attributes differently does not make it stale."""
    diffs = docs.template_differences(ROOT / "workbook_template.xlsx", docs.template_bytes())
    assert diffs == [], "stale: run `python tools/gendocs.py` to regenerate workbook_template.xlsx"


def test_template_bytes_do_not_depend_on_float_noise(monkeypatch):
    """Computed numbers are written at 12 significant digits: noise in the 16th digit (summation
    order differs between NumPy and pandas releases) does not reach the file."""
    from kpi_xl.workbook.precision import stable

    assert stable(0.04275185575474355) == stable(0.04275185575474354) == 0.0427518557547
    assert stable(16596912.38) == 16596912.38 and stable(3) == 3
    assert stable(float("nan")) != stable(float("nan"))  # left for the writer to skip


def test_template_view_notices_what_a_reader_notices(tmp_path):
    """The currency check fails on a changed number, formula or format, and only there."""
    import zipfile

    sys.path.insert(0, str(ROOT / "tools"))
    from workbook_view import differences, view

    src = ROOT / "workbook_template.xlsx"
    base = view(src)

    def edited(part: str, old: bytes, new: bytes) -> dict:
        out = tmp_path / "edited.xlsx"
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == part:
                    assert old in data
                    data = data.replace(old, new, 1)
                zout.writestr(item, data)
        return view(out)

    assert differences(base, view(src)) == []
    # noise in the 16th digit of a stored number is not something anyone sees
    assert differences(base, edited("xl/worksheets/sheet3.xml", b'<v>0.0272430010405</v>',
                                    b'<v>0.02724300104050001</v>')) == []
    found = differences(base, edited("xl/worksheets/sheet3.xml", b'<v>0.0272430010405</v>', b'<v>0.0372430010405</v>'))
    assert len(found) == 1 and found[0].startswith("Scorecard!")
    found = differences(base, edited("xl/charts/chart1.xml", b"$A$2:$A$21", b"$A$2:$A$11"))
    assert found and "Dashboard charts" in found[0]


C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def page_setups(path) -> dict[str, tuple[dict[str, str], str | None]]:
    """Each worksheet's <pageSetup> attributes and its print titles (the _xlnm.Print_Titles name)."""
    import re

    out = {}
    with open_package(path) as pkg:
        titles = {n.sheet: n.value for n in pkg.defined_names() if n.name == "_xlnm.Print_Titles"}
        for sheet in pkg.sheets():
            if sheet.kind == "worksheet" and sheet.state == "visible":
                tag = re.search(rb"<(?:\w+:)?pageSetup\b[^>]*>", pkg.read_part(sheet.part))
                attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag.group(0).decode())) if tag else {}
                out[sheet.name] = (attrs, titles.get(sheet.name))
    return out


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_goals_print_three_pages_across_with_id_and_goal_on_each(books, lang):
    """The Goals sheet's 23 columns fitted to one page's width printed at a third of their size: it prints
    three pages across (landscape A4), each with the header row and the ID and Goal columns, a goal's
    pages one after the other; every other sheet keeps its one page across with its header row."""
    setups = page_setups(books[lang])
    goals = layout.sheet("goals", lang)
    attrs, titles = setups.pop(goals)
    assert (attrs.get("fitToWidth"), attrs.get("fitToHeight"), attrs.get("orientation"), attrs.get("paperSize"),
            attrs.get("pageOrder")) == ("3", "0", "landscape", "9", "overThenDown")
    assert titles == f"{goals}!$A:$B,{goals}!$1:$1"
    dashboard = layout.sheet("dashboard", lang)
    for sheet, (attrs, titles) in setups.items():
        assert attrs.get("fitToWidth", "1") == "1" and attrs.get("orientation") == "landscape", sheet
        assert attrs.get("fitToHeight", "1") == ("1" if sheet == dashboard else "0"), sheet
        assert titles is None or titles == f"'{sheet}'!$1:$1" or titles == f"{sheet}!$1:$1", sheet


def goal_chart(path) -> ET.Element:
    """The Dashboard's bar chart (bars across: "Achievement vs where the plan expects it")."""
    with zipfile.ZipFile(path) as z:
        charts = [ET.fromstring(z.read(n)) for n in z.namelist() if n.startswith("xl/charts/chart")]
    (bar,) = [c for c in charts if any(e.get("val") == "bar" for e in c.iter(f"{C}barDir"))]
    return bar


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_goal_chart_has_its_percent_axis_under_the_goals(books, book, lang):
    """The goals run top to bottom (the category axis reversed), which alone puts the percent axis at
    the top; it crosses the goals at the last one, so Excel and LibreOffice draw it at the bottom,
    also after a refresh has grown the chart."""
    refresh(book, as_of=dt.date(2026, 6, 30))
    for path in (books[lang], book):
        bar = goal_chart(path)
        categories, values = bar.find(f".//{C}catAx"), bar.find(f".//{C}valAx")
        assert categories.find(f"{C}scaling/{C}orientation").get("val") == "maxMin"
        assert values.find(f"{C}crosses").get("val") == "max"
        assert values.find(f"{C}numFmt").get("formatCode") == "0%"


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_template_has_every_sheet_and_table(books, lang):
    with open_package(books[lang]) as pkg:
        sheets = [s.name for s in pkg.sheets()]
        tables = {t.display_name for t in pkg.tables()}
    for key in (*layout.SHEETS, *layout.DATA, "chartdata"):
        assert layout.sheet(key, lang) in sheets
    assert {"Goals", "KeyResults", "RewardPlans", "StatusRules", *layout.DATA} <= tables


def test_template_scorecard_shows_the_engine_numbers(books):
    rows = calamine(books["en"], "Scorecard")
    head = rows[0]
    s1 = next(r for r in rows if r[0] == "S1")
    assert s1[head.index("Actual")] == 8633100
    assert s1[head.index("Status")] == "Behind"
    assert s1[head.index("Check-in note")].startswith("Two large North deals")


def test_zh_template_speaks_traditional_chinese(books):
    rows = calamine(books["zh-TW"], "計分卡")
    assert rows[0][:3] == ["編號", "目標", "負責人"]
    statuses = {r[12] for r in rows[1:]}
    assert {"已達成", "進度正常", "落後"} <= statuses
    assert any("進度比" in str(r[13]) for r in rows[1:])  # the reason is in Chinese too
    goals = calamine(books["zh-TW"], "目標")
    assert goals[0][0] == "編號" and "開始日" in goals[0]


def test_every_formula_has_a_cached_result(books):
    """No viewer that shows cached values sees an empty cell where a formula is."""
    for lang, path in books.items():
        with open_package(path) as pkg:
            for sheet in pkg.sheets():
                for (r, c), cell in pkg.read_cells(sheet.name).items():
                    if cell.formula is None:
                        continue
                    # a blank value of a spilled result (PERIOD_GROWTH's first period: none before it; a
                    # row a period table may grow into) is stored as a blank
                    blank = cell.formula.startswith("IFERROR(INDEX(") and cell.value == ""
                    assert blank or cell.value not in (None, ""), f"{lang} {sheet.name} row {r} col {c}: no cached value"


def test_functions_sheet_uses_every_function_live(books):
    from kpi_xl.functions import catalog

    with open_package(books["en"]) as pkg:
        cells = pkg.read_cells("Functions")
    formulas = " ".join(c.formula for c in cells.values() if c.formula)
    for name in catalog.declared_names():
        assert f"{name}(" in formulas


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_functions_sheet_rows_read_from_their_top(books, lang):
    """A two-line formula makes its row tall: the function's name and result sit at the row's top,
    beside the formula's first line (at the bottom, a name sat beside the next row's formula)."""
    import openpyxl

    ws = openpyxl.load_workbook(books[lang])[layout.sheet("functions", lang)]
    tall = [r for r in range(2, ws.max_row + 1) if (ws.row_dimensions[r].height or 0) > 14 and ws.cell(r, 1).value]
    assert len(tall) >= 5
    for r in tall:
        for c in range(1, 5):
            if ws.cell(r, c).value not in (None, ""):
                assert ws.cell(r, c).alignment.vertical == "top", (ws.cell(r, 1).value, c)


# ------------------------------------------------------------------ refresh


def test_refresh_rewrites_only_what_it_owns(book):
    before = members(book)
    report = refresh(book, as_of=dt.date(2026, 6, 30))
    after = members(book)
    assert list(before) == list(after)
    with open_package(book) as pkg:
        parts = {s.part: s.name for s in pkg.sheets()}
    changed = {parts.get(n, n) for n in before if before[n] != after[n]}
    # the charts' ranges and cached values follow the chart data
    changed -= {n for n in changed if n.startswith("xl/charts/chart")}
    assert changed <= {"Scorecard", "History", "OKR", "Rewards", "Chart data", "Dashboard", "Goals"}
    assert report.as_of == dt.date(2026, 6, 30) and report.goals == 21
    backup = book.with_name("book.bak.xlsx")
    assert members(backup) == before  # the previous version, kept


def test_refresh_updates_dashboard_and_chart_data(book):
    refresh(book, as_of=dt.date(2026, 6, 30))
    dash = calamine(book, "Dashboard")
    assert dash[1][1] in (dt.date(2026, 6, 30), dt.datetime(2026, 6, 30))
    counts = {dash[r][0]: dash[r][1] for r in range(4, 9)}
    card = calamine(book, "Scorecard")
    assert counts["Behind"] == sum(1 for r in card[1:] if r[12] == "Behind")


def test_a_formula_result_that_cannot_be_stored_is_reported_at_its_cell(book, monkeypatch):
    """Nothing swallows a per-cell error: a cell whose computed result the sheet refuses
    keeps its last value and is named in the report and by the CLI; the others are written."""
    from kpi_xl.workbook.package import Package

    store = Package.set_cached_values

    def refuse_b2(self, sheet, values):
        if sheet == "Dashboard" and (2, 2) in values:
            raise WorkbookError("Dashboard: cell B2 is not a formula cell here")
        return store(self, sheet, values)

    monkeypatch.setattr(Package, "set_cached_values", refuse_b2)
    old_b2 = calamine(book, "Dashboard")[1][1]
    report = refresh(book, as_of=dt.date(2026, 6, 30))
    assert report.unwritten == {"Dashboard!B2": "Dashboard: cell B2 is not a formula cell here"}
    assert any(w.startswith("Dashboard!B2: its computed result could not be stored") for w in report.warnings)
    dash = calamine(book, "Dashboard")
    assert dash[1][1] == old_b2 and old_b2 not in (dt.date(2026, 6, 30), dt.datetime(2026, 6, 30))
    card = calamine(book, "Scorecard")
    assert {dash[r][0]: dash[r][1] for r in range(4, 9)}["Behind"] == sum(1 for r in card[1:] if r[12] == "Behind")

    r = CliRunner().invoke(main, ["refresh", str(book), "--as-of", "2026-05-31"])
    assert r.exit_code == 0, r.output
    assert "warning: Dashboard!B2: its computed result could not be stored" in r.output


def test_refresh_keeps_check_in_notes_and_never_duplicates_a_period(book):
    with open_package(book) as pkg:
        rows = calamine(book, "Scorecard")
        s2 = next(i for i, r in enumerate(rows, start=1) if r[0] == "S2")
        pkg.write_region("Scorecard", s2, 18, 18, [["South team hires a second rep in July"]])
        pkg.save(book, backup=False)
    refresh(book, as_of=dt.date(2026, 6, 20))
    refresh(book, as_of=dt.date(2026, 6, 25))
    card = calamine(book, "Scorecard")
    note = next(r[17] for r in card if r[0] == "S2")
    assert note == "South team hires a second rep in July"
    hist = calamine(book, "History")[1:]
    june = [r for r in hist if r[0] == "2026-06"]
    assert len(june) == 21  # one snapshot per goal for June, however often refreshed
    assert next(r[11] for r in june if r[2] == "S2") == "South team hires a second rep in July"
    refresh(book, as_of=dt.date(2026, 7, 2))
    hist = calamine(book, "History")[1:]
    assert sum(1 for r in hist if r[0] == "2026-07") == 21
    assert sum(1 for r in hist if r[0] == "2026-06") == 21


def test_refresh_in_chinese_workbook(books, tmp_path):
    path = tmp_path / "zh.xlsx"
    shutil.copy(books["zh-TW"], path)
    report = refresh(path, as_of=dt.date(2026, 6, 30))
    assert report.lang == "zh-TW"
    assert set(report.statuses) <= set(labels.STATUS["zh-TW"].values())


def test_refuses_what_is_not_a_kpi_xl_workbook(tmp_path):
    text = tmp_path / "notes.xlsx"
    text.write_text("hello")
    with pytest.raises(WorkbookError, match="not an .xlsx"):
        refresh(text)
    from xlsxwriter import Workbook

    other = tmp_path / "other.xlsx"
    wb = Workbook(str(other))
    wb.add_worksheet("Sheet1").write(0, 0, 1)
    wb.close()
    original = other.read_bytes()
    with pytest.raises(WorkbookError, match="not a kpi-xl workbook"):
        refresh(other)
    assert other.read_bytes() == original


def test_bad_goal_cell_is_named_in_why_and_what_was_typed_is_kept(book):
    with open_package(book) as pkg:
        # Start column of the 4th goal (S1, sheet row 5): a date no one can read
        start_col = list(layout.GOAL_HEADERS).index("start") + 1
        pkg.write_region("Goals", 5, start_col, start_col, [["next spring"]])
        pkg.save(book, backup=False)
    report = refresh(book)  # the other goals are computed; S1 says what to fix
    letter = chr(ord("A") + start_col - 1)
    said = f"Goals!{letter}5: 'next spring' is not a date"
    assert report.problems == 1 and report.warnings[0] == said
    s1 = report.scorecard.set_index("id").loc["S1"]
    assert s1["status_label"] == "No data" and s1["rule"] == said and s1["actual"] != s1["actual"]
    with open_package(book) as pkg:
        assert pkg.read_cells("Goals", 5, 5)[(5, start_col)].value == "next spring"  # nothing typed is lost


def test_a_goal_id_used_twice_is_refused_and_the_file_untouched(book):
    with open_package(book) as pkg:
        pkg.write_region("Goals", 5, 1, 1, [["C1"]])  # S1's ID typed again as C1's
        pkg.save(book, backup=False)
    original = book.read_bytes()
    with pytest.raises(WorkbookError) as info:
        refresh(book)
    assert "Goals!A5: 'C1' is used again (first on row 1)" in str(info.value)
    assert book.read_bytes() == original


def test_refresh_killed_midway_leaves_the_file_intact(book, monkeypatch):
    original = book.read_bytes()
    import kpi_xl.workbook.refresh as mod

    def boom(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(mod, "write_owned", boom)
    with pytest.raises(KeyboardInterrupt):
        refresh(book)
    assert book.read_bytes() == original
    assert [p.name for p in book.parent.iterdir()] == ["book.xlsx"]


def test_cli_refresh_and_errors(book, tmp_path):
    r = CliRunner().invoke(main, ["refresh", str(book), "--as-of", "2026-06-30"])
    assert r.exit_code == 3, r.output  # refreshed; Q2 goals ended short of May's status (docs/schedule.md)
    assert "refreshed" in r.output and "21 goals" in r.output
    r = CliRunner().invoke(main, ["refresh", str(book), "--quiet"])
    assert r.exit_code == 0 and r.output == ""
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    r = CliRunner().invoke(main, ["refresh", str(bad)])
    assert r.exit_code == 1 and "not an .xlsx" in r.output


def test_cli_new_never_overwrites(tmp_path):
    path = tmp_path / "mine.xlsx"
    path.write_text("my work")
    r = CliRunner().invoke(main, ["new", str(path), "--empty"])
    assert r.exit_code == 1 and "already exists" in r.output
    assert path.read_text() == "my work"


def test_empty_template_refreshes_to_an_empty_scorecard(tmp_path):
    path = new(tmp_path / "empty.xlsx", lang="en", empty=True)
    report = refresh(path, as_of=dt.date(2026, 1, 31))
    assert report.goals == 0
    assert os.path.getsize(path) > 0


# -------------------------------------------------------------------- share


def test_share_replaces_kpi_formulas_by_values_and_keeps_the_rest(book, tmp_path):
    refresh(book, as_of=dt.date(2026, 6, 30))
    out = tmp_path / "for-the-team.xlsx"
    r = CliRunner().invoke(main, ["share", str(book), str(out)])
    assert r.exit_code == 0, r.output
    # 44 one-cell formulas of the Functions sheet and 98 of its whole results, a formula per value
    # (PERIOD_GROWTH 2, COUNT_PER_PERIOD 18 months and 12 to grow into, SUM_PER_PERIOD 6 quarters and 12, by 2)
    assert "142 KPI formulas replaced" in r.output
    src, dst = members(book), members(out)
    with open_package(out) as pkg:
        fun = pkg.read_cells("Functions")
        goals = pkg.read_cells("Goals")
        parts = {s.part: s.name for s in pkg.sheets()}
    assert not any(c.formula for c in fun.values())  # no live KPI formula
    assert any(c.formula and "INDEX(" in c.formula for c in goals.values())  # native formulas stay
    with open_package(book) as pkg:
        before = pkg.read_cells("Functions")
    blank = lambda v: None if v == "" else v  # noqa: E731 - a blank result frozen is an empty cell
    assert [blank(fun[k].value) for k in sorted(fun)] == [blank(before[k].value) for k in sorted(before)]  # same numbers
    changed = {parts.get(n, n) for n in dst if src.get(n) != dst[n]}
    assert changed <= {"Functions", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"}


def test_share_of_a_macro_workbook_drops_vba_and_buttons(tmp_path):
    xlsm = new(tmp_path / "m.xlsm", macros=True)
    out = tmp_path / "m-shared.xlsx"
    r = CliRunner().invoke(main, ["share", str(xlsm), str(out)])
    assert r.exit_code == 0 and "macros removed" in r.output and "2 buttons removed" in r.output
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        vml = "".join(z.read(n).decode() for n in names if n.endswith(".vml"))
    assert "xl/vbaProject.bin" not in names
    assert "macroEnabled" not in types and "vbaProject" not in types
    assert "FmlaMacro" not in vml
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_path(str(out)).sheet_names[0] == "Start"


def test_share_refuses_to_overwrite_or_to_write_xlsm(book, tmp_path):
    r = CliRunner().invoke(main, ["share", str(book), str(book)])
    assert r.exit_code == 1 and "never overwrites" in r.output
    r = CliRunner().invoke(main, ["share", str(book), str(tmp_path / "x.xlsm")])
    assert r.exit_code == 1 and "must be an .xlsx" in r.output


# -------------------------------------------------- formulas computed without Excel


def test_evaluator_reproduces_every_formula_of_the_template():
    """The evaluator agrees with the results the template stored (computed in Python)."""
    from kpi_xl.workbook.evaluate import FormulaContext, evaluate_all, table_ranges
    from kpi_xl.workbook.refresh import FileWorkbook

    path = ROOT / "workbook_template.xlsx"
    with open_package(path) as pkg:
        wb = FileWorkbook(path, pkg)
        tables = table_ranges(wb.tables.values())
        formulas, cached = {}, {}
        for sheet in ("Functions", "Goals", "Dashboard"):
            for (r, c), cell in pkg.read_cells(sheet).items():
                if cell.formula:
                    formulas[(sheet, r, c)] = "=" + cell.formula
                    cached[(sheet, r, c)] = cell.value
        out = evaluate_all(FormulaContext(wb.sheet_values, formulas, tables))
    assert out.skipped == {} and len(out.values) == len(formulas) >= 42 + 21
    for key, value in out.values.items():
        want = cached[key]
        if isinstance(value, dt.datetime):  # a spill's first period start, stored as its serial
            value = to_serial(value)
        if isinstance(want, (int, float)) and not isinstance(want, bool):
            assert value == pytest.approx(want, rel=1e-9), key
        else:
            assert value == want or (value is None and want == ""), key  # a blank spilled first value


def test_refresh_recomputes_kpi_formulas_when_the_data_changes(book):
    from python_calamine import CalamineWorkbook

    with open_package(book) as pkg:
        orders = next(t for t in pkg.tables() if t.display_name == "Orders")
        last_row = int(orders.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        amount_col = list(orders.columns).index("Amount") + 1
        pkg.write_region("Orders", last_row, amount_col, amount_col, [[1_000_000.0]])
        pkg.save(book, backup=False)
    refresh(book, as_of=dt.date(2026, 6, 30))
    cal = CalamineWorkbook.from_path(str(book))
    rows = cal.get_sheet_by_name("Orders").to_python()
    amounts = [r[amount_col - 1] for r in rows[1:] if r[amount_col - 1] != ""]
    fun = {r[0]: r[2] for r in cal.get_sheet_by_name("Functions").to_python()[1:]}
    assert fun["AOV"] == pytest.approx(sum(amounts) / len(amounts))
    assert 1_000_000.0 in amounts


def test_renamed_goals_column_is_refused_naming_its_cell(book):
    with open_package(book) as pkg:
        start_col = list(layout.GOAL_HEADERS).index("start") + 1
        cells = pkg.read_cells("Goals", 1, 1)
        style = cells[(1, start_col)].style
        pkg.write_region("Goals", 1, start_col, start_col, [["Begin"]] + [[None]] * 0, styles=[style])
        pkg.save(book, backup=False)
    original = book.read_bytes()
    with pytest.raises(WorkbookError) as info:
        refresh(book)
    letter = chr(ord("A") + start_col - 1)
    assert f"Goals!{letter}1: unknown column 'Begin'" in str(info.value)
    assert book.read_bytes() == original
