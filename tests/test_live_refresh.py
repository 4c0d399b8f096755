"""The button's refresh (through xlwings, in the open workbook) writes what the CLI writes.

Excel is not here, so the workbook is opened by a small stand-in for xlwings'
Book/Sheet/Range/Table objects, holding the cells openpyxl reads from the
template. The same as-of date through both paths must give the same Scorecard,
History, OKR and Rewards cells.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest

from kpi_xl.workbook.live import refresh_scorecard
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new
from kpi_xl.workbook.package import WorkbookError


class Cell:
    def __init__(self, row, column):
        self.row, self.column = row, column


class Range:
    def __init__(self, sheet, a, b=None, err_to_str=False):
        self.sheet, self.a, self.b = sheet, a, b or a
        self.err_to_str = err_to_str

    def options(self, err_to_str=False):
        """xlwings reads an error value as None, or as its code ("#N/A") with ``err_to_str``."""
        return Range(self.sheet, self.a, self.b, err_to_str)

    @property
    def address(self):
        from openpyxl.utils import get_column_letter as L

        return f"${L(self.a[1])}${self.a[0]}:${L(self.b[1])}${self.b[0]}"

    @property
    def last_cell(self):
        return Cell(*self.b)

    @property
    def value(self):
        rows = [[self.sheet.cells.get((r, c)) for c in range(self.a[1], self.b[1] + 1)]
                for r in range(self.a[0], self.b[0] + 1)]
        if not self.err_to_str:
            rows = [[None if (r, c) in self.sheet.errors else v for c, v in enumerate(row, self.a[1])]
                    for r, row in enumerate(rows, self.a[0])]
        return rows

    @value.setter
    def value(self, rows):
        if not isinstance(rows, list):
            rows = [[rows]]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                self.sheet.cells[(self.a[0] + i, self.a[1] + j)] = v

    def clear_contents(self):
        for r in range(self.a[0], self.b[0] + 1):
            for c in range(self.a[1], self.b[1] + 1):
                self.sheet.cells.pop((r, c), None)


class Table:
    def __init__(self, sheet, name, ref):
        from openpyxl.utils.cell import range_boundaries

        c1, r1, c2, r2 = range_boundaries(ref)
        self.name, self.range = name, Range(sheet, (r1, c1), (r2, c2))


class Sheet:
    def __init__(self, ws):
        self.name = ws.title
        self.cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
        self.errors = {(c.row, c.column) for row in ws.iter_rows() for c in row if c.data_type == "e"}
        self.tables = [Table(self, t.displayName, t.ref) for t in ws.tables.values()]

    @property
    def used_range(self):
        last = (max(r for r, _ in self.cells), max(c for _, c in self.cells)) if self.cells else (1, 1)
        return Range(self, (1, 1), last)

    def range(self, a, b=None):
        return Range(self, a, b)


class Sheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return super().__getitem__(key)


class Book:
    def __init__(self, path):
        wb = openpyxl.load_workbook(path, data_only=True)
        self.fullname = str(path)
        self.sheets = Sheets(Sheet(ws) for ws in wb.worksheets)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return new(tmp_path_factory.mktemp("live") / "book.xlsx", lang="en")


def values(sheet, top, first, last):
    rows = {}
    for (r, c), v in sheet.cells.items():
        if r >= top and first <= c <= last:
            rows.setdefault(r, {})[c] = v
    return {r: [rows[r].get(c) for c in range(first, last + 1)] for r in sorted(rows)}


def test_button_refresh_writes_what_the_cli_writes(template, tmp_path):
    when = dt.date(2026, 6, 30)
    live = Book(template)
    report = refresh_scorecard(live, as_of=when)
    assert report.goals == 21 and report.as_of == when
    headless = tmp_path / "book.xlsx"
    shutil.copy(template, headless)
    refresh(headless, as_of=when)
    disk = Book(headless)
    for name, first, last in (("Scorecard", 1, 18), ("History", 1, 12), ("Rewards", 8, 16), ("OKR", 11, 21)):
        got = values(live.sheets[name], 2, first, last)
        want = values(disk.sheets[name], 2, first, last)
        assert got.keys() == want.keys(), name
        for r in got:
            for a, b in zip(got[r], want[r]):
                if isinstance(a, float) and isinstance(b, (int, float)):
                    assert a == pytest.approx(b), (name, r)
                elif isinstance(a, dt.date) and isinstance(b, dt.date):
                    day = lambda d: d.date() if isinstance(d, dt.datetime) else d  # noqa: E731
                    assert day(a) == day(b)
                else:
                    assert a == b, (name, r)


def test_button_refresh_keeps_notes(template):
    live = Book(template)
    sc = live.sheets["Scorecard"]
    row = next(r for (r, c), v in sc.cells.items() if c == 1 and v == "S2")
    sc.cells[(row, 18)] = "Call the distributor"
    refresh_scorecard(live, as_of=dt.date(2026, 6, 30))
    row = next(r for (r, c), v in sc.cells.items() if c == 1 and v == "S2")
    assert sc.cells[(row, 18)] == "Call the distributor"


def test_button_in_a_workbook_that_is_not_ours_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    path = tmp_path / "x.xlsx"
    wb.save(path)
    with pytest.raises(WorkbookError, match="not a kpi-xl workbook"):
        refresh_scorecard(Book(path))


class App:
    """Excel's Application as the button sees it: its status bar and its message boxes."""

    def __init__(self):
        self.status_bar, self.alerts = None, []

    def alert(self, text, title=None):
        self.alerts.append((title, text))


def test_button_says_what_changed_and_what_got_worse_as_the_cli_does(template, tmp_path):
    from click.testing import CliRunner

    from kpi_xl.cli import main

    live = Book(template)
    live.app = App()
    report = refresh_scorecard(live, as_of=dt.date(2026, 7, 20))
    assert "S1" in report.worse
    disk = tmp_path / "book.xlsx"
    shutil.copy(template, disk)
    cli = CliRunner().invoke(main, ["refresh", str(disk), "--as-of", "2026-07-20"])
    assert cli.exit_code == 3
    said_worse = next(line for line in cli.stderr.splitlines() if "got worse" in line)
    said_changed = next(line for line in cli.stdout.splitlines() if "changed status" in line)
    assert said_worse.startswith(f"{len(report.worse)} goal(s) got worse since the previous review period: ")
    assert "S1 Won contract value North NT$18M in 2026: Behind \u2192 At risk" in said_worse
    # the status bar: what was refreshed, how many goals changed status, which got worse; as the CLI words it
    status = live.app.status_bar
    assert status.startswith("refreshed ") and "21 goals (" in status
    assert said_changed in status and said_worse in status
    assert said_changed.split()[0] == str(len(report.changes) - 1)
    # and a box, since a goal got worse: the CLI's line, word for word
    assert live.app.alerts == [("kpi-xl", said_worse)]


def test_button_without_a_worse_goal_shows_no_box(template):
    live = Book(template)
    live.app = App()
    report = refresh_scorecard(live, as_of=dt.date(2026, 6, 15))
    assert not report.worse and len(report.changes) == 3  # S5 and M4 started: changes, not worse
    assert "2 goal(s) changed status since the previous review period" in live.app.status_bar
    assert "got worse" not in live.app.status_bar
    assert live.app.alerts == []


def test_button_in_chinese(tmp_path):
    live = Book(new(tmp_path / "zh.xlsx", lang="zh-TW"))
    live.app = App()
    refresh_scorecard(live, as_of=dt.date(2026, 7, 20))
    assert "\u500b\u76ee\u6a19\u7684\u72c0\u614b\u6539\u8b8a" in live.app.status_bar  # 個目標的狀態改變
    assert "\u8b8a\u5dee" in live.app.alerts[0][1]  # 變差


def test_button_names_an_error_cell_it_reads(template):
    """xlwings reads an error value as None unless asked (err_to_str): a #N/A in an order's Amount
    would count as no sale. The button reads it as its error and says where, as the CLI does."""
    live = Book(template)
    orders = live.sheets["Orders"]
    header = {v: c for (r, c), v in orders.cells.items() if r == 1}
    orders.cells[(5, header["Amount"])] = "#N/A"
    orders.errors.add((5, header["Amount"]))
    report = refresh_scorecard(live, as_of=dt.date(2026, 6, 15))
    said = "Orders!E5: holds the error value #N/A (a formula's error, or one pasted in); correct it or clear the cell"
    assert header["Amount"] == 5 and said in report.warnings, report.warnings
    assert report.scorecard.loc[report.scorecard["id"] == "O1", "status"].item() == "no_data"
