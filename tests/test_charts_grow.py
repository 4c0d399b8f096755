"""Issue 9 points 4, 6, 7 and the Goals drop-downs, as a user of their own data sees them.

An ``--empty`` workbook gets an order log and 13 goals written into its tables without
Excel (as a script or an import does), then is refreshed at two dates: the Dashboard's
charts must plot every goal, owner and review period (ranges and the cached values
viewers show), the Functions sheet must show no error value, spilled results must be
whole and dated, and the Goals sheet must offer its tables and columns in drop-downs.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from kpi_xl.excel import column_letter, split_ref
from kpi_xl.workbook import template
from kpi_xl.workbook.package import KeptCell, open_package, with_errors
from kpi_xl.workbook.refresh import refresh

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
OWNERS = ["Ann", "Ben", "Cleo", "Dev"]
ERRORS = ("#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")


def add_rows(path: Path, table: str, rows: list[list]) -> None:
    """Append rows to an Excel Table on disk (its blank first row filled first), as a script does."""
    with open_package(path) as pkg:
        info = next(t for t in pkg.tables() if t.display_name == table)
        first_ref, last_ref = info.ref.split(":")
        top, c1 = split_ref(first_ref)
        bottom, c2 = split_ref(last_ref)
        filled = any(cell.value not in (None, "") for (r, c), cell in pkg.read_cells(info.sheet, bottom, bottom).items()
                     if c < c1 + len(rows[0]))
        start = bottom + 1 if filled and bottom > top else top + 1
        pkg.write_region(info.sheet, start, c1, c1 + len(rows[0]) - 1, rows)
        xml = pkg.read_part(info.part).decode()
        new_ref = f"{first_ref}:{re.sub(r'[0-9]+', '', last_ref)}{start + len(rows) - 1}"
        pkg.replace_part(info.part, xml.replace(f'ref="{info.ref}"', f'ref="{new_ref}"').encode())
        pkg.save(path, backup=False)


def orders(n: int = 600) -> list[list]:
    rnd = random.Random(7)
    return [[f"O{i:05d}", dt.datetime(2026, 1, 1) + dt.timedelta(days=rnd.randrange(180)),
             rnd.choice(["Online", "Store"]), f"C{rnd.randrange(300)}", float(rnd.randrange(100, 3000)), None]
            for i in range(n)]


def goals(n: int = 13) -> list[list]:
    rows = []
    for i in range(n):
        kpi = ["SUM", "COUNT", "DISTINCT", "AVERAGE"][i % 4]
        column = {"SUM": "Amount", "COUNT": "", "DISTINCT": "Customer", "AVERAGE": "Amount"}[kpi]
        target = {"SUM": 200000.0, "COUNT": 300.0, "DISTINCT": 250.0, "AVERAGE": 1500.0}[kpi] * (1 + i / 10)
        rows.append([f"G{i + 1}", f"Goal {i + 1}", OWNERS[i % 4], kpi, "Orders", column, "Date", "", "", "higher",
                     None, None, None, target, dt.datetime(2026, 1, 1), dt.datetime(2026, 6, 30), "month", 1.0,
                     None, None, None, None])
    return rows


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> Path:
    """An --empty workbook with an order log and 13 goals, refreshed at the end of March and of April."""
    path = tmp_path_factory.mktemp("grow") / "shop.xlsx"
    template.new(path, empty=True)
    add_rows(path, "Orders", orders())
    add_rows(path, "Goals", goals())
    refresh(path, as_of=dt.date(2026, 3, 31), backup=False)
    refresh(path, as_of=dt.date(2026, 4, 30), backup=False)
    return path


def dashboard_charts(path: Path) -> dict[str, ET.Element]:
    """The Dashboard's chart parts by title."""
    out = {}
    with open_package(path) as pkg:
        for part in pkg.part_names():
            if part.startswith("xl/charts/chart") and part.endswith(".xml"):
                root = ET.fromstring(pkg.read_part(part))
                title = "".join(t.text or "" for t in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}t"))
                out[title] = root
    return out


def series(chart: ET.Element) -> list[dict]:
    """Each series: its formulas, point counts and cached points."""
    out = []
    for ser in chart.iter(f"{C}ser"):
        s = {}
        for part in ("tx", "cat", "val"):
            el = ser.find(f"{C}{part}")
            if el is None:
                continue
            f = el.find(f".//{C}f")
            count = el.find(f".//{C}ptCount")
            s[part] = (f.text if f is not None else None, int(count.get("val")) if count is not None else None,
                       [p.find(f"{C}v").text for p in el.iter(f"{C}pt")])
        out.append(s)
    return out


def rows_of(ref: str) -> int:
    cells = ref.split("!")[1].replace("$", "").split(":")
    return split_ref(cells[-1])[0] - split_ref(cells[0])[0] + 1


def test_goal_chart_plots_every_goal_with_cached_values(grown):
    chart = dashboard_charts(grown)["Achievement vs where the plan expects it"]
    for s in series(chart):
        (cat_ref, cat_n, cats), (val_ref, val_n, vals) = s["cat"], s["val"]
        assert rows_of(cat_ref) == rows_of(val_ref) == cat_n == val_n == 13
        assert cats == [f"G{i}" for i in range(1, 14)]
        assert len(vals) == 13 and all(float(v) >= 0 for v in vals)
    # the axis fits the data: no fixed maximum that cuts a goal at 300 %
    assert chart.find(f".//{C}valAx/{C}scaling/{C}max") is None


def test_owner_chart_has_one_bar_per_owner_and_no_phantom_bars(grown):
    chart = dashboard_charts(grown)["Achievement by owner"]
    (s,) = series(chart)
    assert s["cat"][2] == OWNERS and s["cat"][1] == s["val"][1] == 4 and rows_of(s["val"][0]) == 4


def trend_cells(path: Path) -> tuple[list, list[list]]:
    """The trend's data on the chart sheet: (goal IDs of row 1, then each period's row), from column V."""
    rows = values(path, "Chart data")
    head = [v for v in rows[0][21:]]
    while head and head[-1] == "":
        head.pop()
    body = [r[21:21 + len(head)] for r in rows[1:] if len(r) > 21 and r[21] != ""]
    return head, body


def achievements(path: Path) -> dict[tuple[str, str], float]:
    """(goal, period) -> achievement, as the History sheet records it."""
    rows = values(path, "History")
    at = {h: i for i, h in enumerate(rows[0])}
    return {(r[at["ID"]], r[at["Period"]]): r[at["Achievement"]] for r in rows[1:] if r[at["ID"]]}


def assert_trend_plots(path: Path, goal_ids: list[str], periods: list[str]) -> None:
    """The trend chart has a line per goal, named, over every period, its ranges on the cells
    that hold the History's achievements and its caches equal to those cells."""
    ss = series(dashboard_charts(path)["Achievement by review period"])
    head, body = trend_cells(path)
    assert head[1:] == goal_ids and [r[0] for r in body] == periods
    assert [s["tx"][2] for s in ss] == [[g] for g in goal_ids]
    history = achievements(path)
    for j, (g, s) in enumerate(zip(goal_ids, ss), start=1):
        col = column_letter(22 + j)
        assert s["tx"][0] == f"'Chart data'!${col}$1"
        assert s["cat"][0] == f"'Chart data'!$V$2:$V${1 + len(periods)}" and s["cat"][2] == periods
        assert s["val"][0] == f"'Chart data'!${col}$2:${col}${1 + len(periods)}" and s["val"][1] == len(periods)
        cells = [r[j] for r in body]
        assert [float(v) for v in s["val"][2]] == pytest.approx([c for c in cells if c != ""])
        assert cells == pytest.approx([history.get((g, p), "") for p in periods])


def test_trend_chart_plots_every_goal_over_every_period(grown):
    assert_trend_plots(grown, [f"G{i}" for i in range(1, 14)], ["2026-03", "2026-04"])
    # the value axis fits every line: no fixed maximum
    assert dashboard_charts(grown)["Achievement by review period"].find(f".//{C}valAx/{C}scaling/{C}max") is None


def test_trend_chart_drops_the_lines_of_goals_deleted(grown, tmp_path):
    path = tmp_path / "fewer.xlsx"
    shutil.copyfile(grown, path)
    with open_package(path) as pkg:  # the last five goals deleted from the Goals table
        info = next(t for t in pkg.tables() if t.display_name == "Goals")
        first, last = info.ref.split(":")
        r2 = split_ref(last)[0]
        pkg.write_region(info.sheet, r2 - 4, 1, 23, [])
        xml = pkg.read_part(info.part).decode()
        pkg.replace_part(info.part, xml.replace(f'ref="{info.ref}"', f'ref="{first}:W{r2 - 5}"').encode())
        pkg.save(path, backup=False)
    refresh(path, as_of=dt.date(2026, 5, 31), backup=False)
    assert_trend_plots(path, [f"G{i}" for i in range(1, 9)], ["2026-03", "2026-04", "2026-05"])
    rows = values(path, "Chart data")
    assert all(v == "" for r in rows for v in r[30:])  # no stale column of a deleted goal (AE onwards)


def test_the_samples_trend_follows_its_company_and_team_goals(tmp_path):
    """The rule a manager reads in the docs: a line for every goal at level 1 or 2 that has an
    achievement, in Goals-table order; the goals below them are left out."""
    path = tmp_path / "sample.xlsx"
    template.new(path)
    card = values(path, "Scorecard")
    at: dict[str, int] = {}
    for i, h in enumerate(card[0]):  # the Scorecard's own columns, not the Changes region's right of it
        at.setdefault(h, i)
    rows = [r for r in card[1:] if r[at["ID"]]]
    followed = [r[at["ID"]] for r in rows if r[at["Level"]] <= 2 and r[at["Achievement"]] != ""]
    below = [r[at["ID"]] for r in rows if r[at["Level"]] > 2 and r[at["Achievement"]] != ""]
    assert len(followed) > 6 and below  # more than the six goals the trend used to follow
    periods = sorted({r[0] for r in values(path, "History")[1:] if r[0]})
    assert_trend_plots(path, followed, periods)


def test_more_goals_than_a_chart_holds_are_named_in_a_warning():
    """An Excel chart holds at most 255 series: the trend draws the first 255 company and team
    goals in Goals-table order, and says so (a refresh warning, in the workbook's language)."""
    import pandas as pd

    from kpi_xl.workbook.content import TREND_MAX_GOALS, _trend, trend_note

    ids = [f"G{i}" for i in range(300)]
    card = pd.DataFrame({"id": ids, "achievement": 0.5, "level": [3 if i % 10 == 9 else 1 for i in range(300)]})
    hist = pd.DataFrame({"id": ids, "period": "2026-04", "achievement": 0.5})
    rows, eligible = _trend(hist, card)
    assert eligible == 270 and rows[0][1:] == [g for i, g in enumerate(ids) if i % 10 != 9][:TREND_MAX_GOALS]
    assert len(rows[0]) == 1 + 255 and len(rows) == 2
    assert trend_note(eligible, "en") == ("Dashboard: the trend chart draws the first 255 of the 270 company and team "
                                          "goals (a chart holds at most 255 lines); every goal is on the Scorecard "
                                          "and the History")
    assert trend_note(eligible, "zh-TW").startswith("\u5100\u8868\u677f\uff1a")  # the sheet's Chinese name


OLD = Path(__file__).parent / "data" / "shop-trend-in-E-K.xlsx"


def test_a_workbook_with_the_old_six_goal_trend_refreshes_with_every_goal(tmp_path):
    """tests/data/shop-trend-in-E-K.xlsx was made by kpi-xl before the trend could grow (the
    'grown' shop, 300 orders, refreshed at the end of March and April): its trend followed
    G1-G6 in 'Chart data'!E:K. Refreshed now, the trend moves to V onwards with all 13 goals, the
    months before come back from History, E:K is emptied, and no input cell changes."""
    path = tmp_path / "old.xlsx"
    shutil.copyfile(OLD, path)
    before = series(dashboard_charts(path)["Achievement by review period"])
    assert [s["tx"][2] for s in before] == [[f"G{i}"] for i in range(1, 7)] and "$E$2" in before[0]["cat"][0]
    inputs = {sheet: values(path, sheet) for sheet in ("Goals", "Orders", "Settings")}
    refresh(path, as_of=dt.date(2026, 5, 31), backup=False)
    assert_trend_plots(path, [f"G{i}" for i in range(1, 14)], ["2026-03", "2026-04", "2026-05"])
    # the lines' markers of automatic shapes, as in a new workbook (13 lines in 6 colours told apart)
    assert dashboard_charts(path)["Achievement by review period"].find(f".//{C}ser/{C}marker") is None
    rows = values(path, "Chart data")
    assert all(v == "" for r in rows for v in r[4:11])  # the old trend columns E:K
    assert [r[12] for r in rows[1:5]] == OWNERS and [r[18] for r in rows[1:3]] == ["Deals", "Subscriptions"]
    assert {sheet: values(path, sheet) for sheet in inputs} == inputs
    if shutil.which("openxml-audit"):
        out = subprocess.run(["openxml-audit", str(path)], capture_output=True, text=True)
        assert "Errors: 0" in out.stdout, out.stdout[-2000:]


def test_fewer_goals_shrink_the_charts_of_the_sample(tmp_path):
    path = tmp_path / "sample.xlsx"
    template.new(path)
    before = series(dashboard_charts(path)["Achievement vs where the plan expects it"])[0]["cat"][2]
    with open_package(path) as pkg:  # the table's rows from the last charted goal's down deleted
        info = next(t for t in pkg.tables() if t.display_name == "Goals")
        first, last = info.ref.split(":")
        ids = {r: cell.value for (r, c), cell in pkg.read_cells(info.sheet, 2).items() if c == 1}
        r2 = max(r for r, v in ids.items() if v in before)
        removed = ids[r2]
        pkg.write_region(info.sheet, r2, 1, 23, [])
        xml = pkg.read_part(info.part).decode()
        pkg.replace_part(info.part, xml.replace(f'ref="{info.ref}"', f'ref="{first}:W{r2 - 1}"').encode())
        pkg.save(path, backup=False)
    refresh(path, as_of=dt.date(2026, 6, 15), backup=False)
    s = series(dashboard_charts(path)["Achievement vs where the plan expects it"])[0]
    assert removed in before and s["cat"][2] == [g for g in before if g != removed]  # no phantom bar left
    assert s["val"][1] == rows_of(s["val"][0]) == len(before) - 1


def values(path: Path, sheet: str) -> list[list]:
    """A sheet's values from A1, error values as their codes (python-calamine alone reads them as "")."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    with open_package(path) as pkg:
        return with_errors(rows, pkg.error_cells(sheet))


def test_empty_workbook_is_empty_and_its_functions_show_no_error(tmp_path):
    path = tmp_path / "empty.xlsx"
    template.new(path, empty=True)
    settings = {r[0]: r[1] for r in values(path, "Settings")[1:5]}
    assert settings["Company"] == "" and settings["As-of date (blank = today)"] == ""
    add_rows(path, "Goals", goals(2))
    refresh(path, backup=False)  # as of today
    rows = values(path, "Functions")
    cells = [v for r in rows for v in r]
    assert not [v for v in cells if isinstance(v, str) and v.strip() in ERRORS]
    for r in rows[1:]:
        if r[0] and r[1].startswith("="):
            assert "[" not in r[1], f"{r[0]} reads a table: {r[1]}"  # its own inputs
    results = {r[0]: r[2] for r in rows[1:43] if r[0]}
    assert results["GROSS_MARGIN"] == pytest.approx(0.4) and results["CAGR"] == pytest.approx(0.2)
    # the SMART check is in every goal row, new ones included
    goal_rows = values(path, "Goals")[1:3]
    assert all(r[-1].startswith("S") for r in goal_rows)
    with open_package(path) as pkg:
        table = next(t for t in pkg.tables() if t.display_name == "Goals")
        assert b"calculatedColumnFormula" in pkg.read_part(table.part)


def test_spilled_results_are_whole_and_dated(tmp_path):
    path = tmp_path / "sample.xlsx"
    template.new(path)
    # a user's own one-cell formula, and a quarter more of orders
    with open_package(path) as pkg:
        pkg.write_region("Dashboard", 40, 1, 1, [[KeptCell(None, 'SUM_PER_PERIOD(Orders[Date],Orders[Amount],"quarter")', None)]])
        pkg.save(path, backup=False)
    add_rows(path, "Orders", [["X1", dt.datetime(2026, 8, 3), "Online", "C1", 1000.0, 400.0]])
    refresh(path, as_of=dt.date(2026, 8, 31), backup=False)
    rows = values(path, "Functions")
    at = next(i for i, r in enumerate(rows) if r[0] == "SUM_PER_PERIOD" and r[1].startswith("=SUM_PER_PERIOD"))
    block = [r[2:4] for r in rows[at:at + 7]]
    assert block[0] == [dt.date(2025, 1, 1), pytest.approx(2762554.0)]
    assert block[-1] == [dt.date(2026, 7, 1), 1000.0]  # the new quarter spilled, as a date
    dash = values(path, "Dashboard")
    quarters = [dt.date(y, m, 1) for y in (2025, 2026) for m in (1, 4, 7, 10)][:7]
    assert [r[0] for r in dash[39:46]] == quarters  # the user's formula spilled whole, dates as dates
    assert dash[45][1] == 1000.0
    with open_package(path) as pkg:
        assert pkg.read_cells("Dashboard", 40, 40)[(40, 1)].formula.startswith("SUM_PER_PERIOD")
        sheet = pkg.read_part(pkg.sheet("Dashboard").part)
    assert b't="array" ref="A40:B46"' in sheet


def test_goals_sheet_offers_tables_and_columns_kept_current(grown):
    with open_package(grown) as pkg:
        sheet = pkg.read_part(pkg.sheet("Goals").part).decode()
    sources = dict(re.findall(r'sqref="([A-Z]+)2:[A-Z]+\d+"><formula1>([^<]+)', sheet))
    assert "Settings" in sources["D"]  # KPI
    assert "$S$2" in sources["E"] and "$T$2" in sources["G"] and "$T$2" in sources["F"]  # table, date column, columns
    lists = values(grown, "Chart data")
    tables = [r[18] for r in lists[1:] if len(r) > 18 and r[18]]
    columns = [r[19] for r in lists[1:] if len(r) > 19 and r[19]]
    assert "Orders" in tables and "Goals" not in tables and {"Amount", "Customer", "Date"} <= set(columns)


@pytest.mark.skipif(shutil.which("openxml-audit") is None, reason="openxml-audit is not installed")
def test_grown_workbook_passes_openxml_audit(grown):
    out = subprocess.run(["openxml-audit", str(grown)], capture_output=True, text=True)
    assert "Errors: 0" in out.stdout, out.stdout[-2000:]


def test_trend_chart_renders_a_point_per_period(grown, tmp_path):
    render = pytest.importorskip("tests.support.render")
    if not render.soffice_available():
        pytest.skip("LibreOffice is not installed")
    charts = render.charts(grown)
    trend = next(c for c in charts if "review period" in c.label)
    assert len(trend.series) == 13 and all(len(s.plotted) == 2 for s in trend.series)


def test_the_button_keeps_an_older_workbooks_trend_chart_current(tmp_path):
    """The button's refresh (xlwings) writes cells, not charts: in a workbook made by an earlier
    kpi-xl, whose trend chart still reads 'Chart data'!E:K, it writes the first six goals' trend
    there too, as before, beside the one from V on."""
    from tests.test_live_refresh import Book
    from kpi_xl.workbook.live import refresh_scorecard

    live = Book(OLD)
    refresh_scorecard(live, as_of=dt.date(2026, 5, 31))
    cells = live.sheets["Chart data"].cells
    grid = lambda c1, c2: [[cells.get((r, c)) for c in range(c1, c2 + 1)] for r in range(1, 5)]  # noqa: E731
    new = grid(22, 35)
    assert new[0][1:] == [f"G{i}" for i in range(1, 14)]
    assert [r[0] for r in new[1:]] == ["2026-03", "2026-04", "2026-05"]
    assert grid(5, 11) == [[None if v == "" else v for v in r[:7]] for r in new]
    # a new workbook's E:K stays empty
    fresh = tmp_path / "new.xlsx"
    template.new(fresh, empty=True)
    live = Book(fresh)
    refresh_scorecard(live, as_of=dt.date(2026, 5, 31))
    assert not [k for k in live.sheets["Chart data"].cells if 5 <= k[1] <= 11]



def test_a_spilled_result_that_shrinks_leaves_blanks_not_ref_errors(tmp_path):
    """Activities replaced by two months: COUNT_PER_PERIOD's table on the Functions sheet shows those
    two months and blank rows below, not #REF! where INDEX reaches past the smaller result."""
    import pandas as pd

    from kpi_xl.workbook.importing import import_table

    path = tmp_path / "sample.xlsx"
    template.new(path)
    two = pd.DataFrame({"Date": [dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 9), dt.datetime(2026, 2, 2)],
                        "Owner": ["A", "B", "A"], "Type": ["Call", "Call", "Visit"], "Customer": ["C1", "C2", "C1"]})
    import_table(path, "Activities", two, mode="replace", backup=False)
    refresh(path, as_of=dt.date(2026, 6, 15), backup=False)
    # the values stored with the formulas (python-calamine reads an error cell as "": not here)
    with open_package(path) as pkg:
        cells = pkg.read_formulas("Functions")
    assert [rc for rc, c in cells.items() if str(c.value).strip() in ERRORS] == []
    first = next(r for (r, _c), c in sorted(cells.items()) if c.formula == 'INDEX(COUNT_PER_PERIOD(Activities[Date],"month"),1,1)')
    got = [[cells[(r, c)].value for c in (3, 4)] for r in range(first, first + 3)]
    assert got == [[46023, 2], [46054, 1], ["", ""]]  # 2026-01-01, 2026-02-01 as serials, then blanks


def test_goal_names_stay_readable_beside_a_negative_achievement(grown, tmp_path):
    """A goal below its baseline (achievement −40 %) draws its bar left of 0: the goal chart's
    names and the trend's periods then sit at the chart's edge ("low"), not on the zero line
    where the bar and the lines below 0 would cover them; with no value below 0 they are next to
    the axis again."""
    def label_positions(path: Path) -> dict[str, str]:
        charts = dashboard_charts(path)
        return {t: charts[t].find(f".//{C}catAx/{C}tickLblPos").get("val")
                for t in ("Achievement vs where the plan expects it", "Achievement by review period")}

    assert set(label_positions(grown).values()) == {"nextTo"}
    path = tmp_path / "below.xlsx"
    shutil.copyfile(grown, path)
    add_rows(path, "Goals", [["G14", "Average order from 5,000 to 6,000", "Ann", "AVERAGE", "Orders", "Amount", "Date",
                              "", "", "higher", None, None, 5000.0, 6000.0, dt.datetime(2026, 1, 1),
                              dt.datetime(2026, 6, 30), "month", 1.0, None, None, None, None]])
    refresh(path, as_of=dt.date(2026, 5, 31), backup=False)
    assert set(label_positions(path).values()) == {"low"}
    goal_chart = dashboard_charts(path)["Achievement vs where the plan expects it"]
    (cat_ref, _n, cats), (_ref, _m, vals) = series(goal_chart)[0]["cat"], series(goal_chart)[0]["val"]
    assert cats[-1] == "G14" and float(vals[-1]) < 0
    # the goal met again (its baseline lowered below the actual): the names go back next to the axis
    with open_package(path) as pkg:
        info = next(t for t in pkg.tables() if t.display_name == "Goals")
        top = split_ref(info.ref.split(":")[0])[0]
        pkg.write_region(info.sheet, top + 14, 13, 13, [[0.0]])  # G14's Baseline (column M)
        pkg.save(path, backup=False)
    refresh(path, as_of=dt.date(2026, 5, 31), backup=False)
    assert set(label_positions(path).values()) == {"nextTo"}


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_an_empty_workbooks_start_sheet_names_no_sample_data(tmp_path, lang):
    """The Start sheet of an --empty workbook (no sample company) does not send its reader to
    "the sample data": its Functions sheet works each function on small inputs of its own."""
    from kpi_xl.workbook import layout

    path = template.new(tmp_path / "empty.xlsx", lang=lang, empty=True)
    start = [r[0] for r in values(path, layout.sheet("start", lang)) if r and isinstance(r[0], str)]
    functions = next(t for t in start if t.startswith(layout.sheet("functions", lang) + " — "))
    sample = {"en": "sample data", "zh-TW": "\u7bc4\u4f8b\u8cc7\u6599"}[lang]  # 範例資料
    assert sample not in functions, functions
    full = template.new(tmp_path / "sample.xlsx", lang=lang)
    start = [r[0] for r in values(full, layout.sheet("start", lang)) if r and isinstance(r[0], str)]
    assert any(sample in t for t in start if t.startswith(layout.sheet("functions", lang) + " — "))
