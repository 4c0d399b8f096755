"""`kpi-xl refresh` reads the workbook's tables in a thread while pandas and the engine load
(kpi_xl.workbook.readahead): the refresh shows exactly what it shows without it, takes what was
read ahead only from the very file it then opens, never lets python-calamine inflate a file the
package's limits refuse, and reads itself a sheet the thread has not started on."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from kpi_xl.workbook.package import WorkbookError, open_package
from kpi_xl.workbook.readahead import ReadAhead
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new
from test_error_cells import _orders, _put_error

AS_OF = dt.date(2026, 6, 15)
SHOP = Path(__file__).resolve().parents[1] / "docs" / "examples" / "shop-orders.csv"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return new(tmp_path_factory.mktemp("ahead") / "template.xlsx", lang="en")


@pytest.fixture
def book(template, tmp_path) -> Path:
    path = tmp_path / "book.xlsx"
    shutil.copy(template, path)
    return path


def sheets(path: Path, names=("Scorecard", "History", "Functions", "Chart data")) -> dict[str, list]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in names}


def table_sheets(path: Path) -> set[str]:
    with open_package(path) as pkg:
        return {t.sheet for t in pkg.tables()}


class Spy:
    """Records what :meth:`ReadAhead.take` gave the refresh, sheet by sheet."""

    def __init__(self, monkeypatch):
        self.given: dict[str, bool] = {}
        take = ReadAhead.take

        def spy(ahead, sheet):
            got = take(ahead, sheet)
            self.given[sheet] = got is not None
            return got

        monkeypatch.setattr(ReadAhead, "take", spy)


def test_a_refresh_takes_every_table_read_ahead_and_shows_the_same(book, tmp_path, monkeypatch):
    twin = tmp_path / "twin.xlsx"
    shutil.copy(book, twin)
    refresh(twin, AS_OF, backup=False)
    spy = Spy(monkeypatch)
    ahead = ReadAhead(book)
    ahead._thread.join(60)  # all read before the refresh asks: every table sheet comes from the thread
    report = refresh(book, AS_OF, backup=False, ahead=ahead)
    assert report.goals > 0
    assert sheets(book) == sheets(twin)
    planned = list(ahead._plan)
    assert planned[0] == "Goals" and {"Orders", "Activities"} <= set(planned) <= table_sheets(book)
    assert "OKR" not in planned  # a table no goal names is left to the refresh (it reads it or not)
    assert all(spy.given[s] for s in planned), spy.given
    assert not ahead._read_ahead  # nothing kept after the refresh


def test_an_error_cell_read_ahead_is_still_an_error(book, monkeypatch):
    """The thread finds the sheet's error cells too: a #N/A in an Orders amount is not read as a blank."""
    sheet, part, columns = _orders(book)
    ref = "ABCDEFGH"[columns.index("Amount")] + "5"
    _put_error(book, part, ref, "#N/A")
    spy = Spy(monkeypatch)
    ahead = ReadAhead(book)
    ahead._thread.join(60)
    report = refresh(book, AS_OF, backup=False, ahead=ahead)
    assert spy.given.get(sheet) is True
    assert any(w.startswith(f"{sheet}!{ref}: ") and "#N/A" in w for w in report.warnings), report.warnings


def test_a_workbook_saved_after_the_read_ahead_is_read_again(book, tmp_path, monkeypatch):
    """Another workbook saved over the file between the read-ahead and the refresh: the refresh
    shows the new file's numbers, not those read ahead."""
    other = new(tmp_path / "other.xlsx", lang="en", empty=True)
    twin = tmp_path / "twin.xlsx"
    shutil.copy(other, twin)
    refresh(twin, AS_OF, backup=False)
    spy = Spy(monkeypatch)
    ahead = ReadAhead(book)
    ahead._thread.join(60)
    assert ahead.identity is not None
    os.replace(shutil.copy(other, tmp_path / "saving.xlsx"), book)  # as Excel saves: a new file in its place
    refresh(book, AS_OF, backup=False, ahead=ahead)
    assert not any(spy.given.values())  # nothing taken from the read-ahead (not even asked)
    assert sheets(book) == sheets(twin)


def test_the_same_file_means_the_same_bytes(book):
    ahead = ReadAhead(book)
    assert ahead.same_file(book)
    os.utime(book, ns=(0, os.stat(book).st_mtime_ns + 1_000_000_000))  # written again in place
    assert not ahead.same_file(book)
    ahead.close()


def test_a_file_the_limits_refuse_is_never_inflated_ahead(book, tmp_path, monkeypatch):
    """A zip bomb is refused by the package before python-calamine sees it, in the thread as in the refresh."""
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, src.read(info.filename))
        out.writestr("xl/media/padding.bin", b"\0" * (64 * 2**20))
    opened = []
    real = readahead_calamine(monkeypatch, opened)
    ahead = ReadAhead(bomb)
    ahead._thread.join(60)
    assert opened == [] and ahead.identity is None and real is not None
    with pytest.raises(WorkbookError, match="zip bomb"):
        refresh(bomb, AS_OF, backup=False, ahead=ahead)


def readahead_calamine(monkeypatch, opened: list, read: list | None = None, gate: threading.Event | None = None,
                       held=lambda sheet, n: n == 1):
    """python-calamine as the read-ahead thread sees it, recording what it opens and reads; with a
    ``gate``, a read ``held(sheet, n)`` (default: the first) waits for it, as on a slow disk."""
    import python_calamine

    real = python_calamine.CalamineWorkbook

    class Book:
        def __init__(self, book):
            self.book = book

        @classmethod
        def from_path(cls, path):
            opened.append(path)
            return cls(real.from_path(path))

        def get_sheet_by_name(self, name):
            if read is not None:
                read.append(name)
                if gate is not None and held(name, len(read)):
                    assert gate.wait(60)
            return self.book.get_sheet_by_name(name)

        def close(self):
            self.book.close()

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Book)
    return real


def test_a_sheet_not_started_is_read_by_the_refresh_and_skipped_by_the_thread(book, monkeypatch):
    opened, read, gate = [], [], threading.Event()
    readahead_calamine(monkeypatch, opened, read, gate, held=lambda sheet, n: n == 2)  # the first after Goals
    ahead = ReadAhead(book)
    goals, *order = list(ahead._planned())  # the Goals sheet read first, then the tables named
    with open_package(book) as pkg:
        sizes = [pkg.part_size(pkg.sheet(s).part) for s in order]
    assert goals == "Goals" and sizes == sorted(sizes, reverse=True) and len(order) >= 3  # the largest first
    last = order[-1]
    assert ahead.take(last) is None  # not started: the caller reads it ...
    gate.set()
    ahead._thread.join(60)
    assert read[:2] == ["Goals", order[0]] and last not in read  # ... and the thread never does
    for sheet in ("Goals", order[0]):
        got = ahead.take(sheet)
        assert got is not None and got.rows == CalamineWorkbook.from_path(str(book)).get_sheet_by_name(
            sheet).to_python(skip_empty_area=False)
        assert ahead.take(sheet) is None  # given once
    ahead.close()


def test_a_big_table_no_goal_names_is_not_read_ahead(book, tmp_path, monkeypatch):
    """The refresh reads only the tables goals name; so does the read-ahead: a 150,000-row table
    no goal reads costs it nothing (read largest first, it would keep the thread busy while the
    refresh read every table it needs itself)."""
    import pandas as pd

    from kpi_xl.workbook.importing import import_table

    import_table(book, "Extra", pd.DataFrame({"Key": [f"k{i}" for i in range(150_000)], "Value": range(150_000)}),
                 backup=False)
    twin = tmp_path / "twin.xlsx"
    shutil.copy(book, twin)
    refresh(twin, AS_OF, backup=False)
    opened, read = [], []
    readahead_calamine(monkeypatch, opened, read)
    spy = Spy(monkeypatch)
    ahead = ReadAhead(book)
    ahead._thread.join(60)
    planned = list(ahead._plan)
    assert "Extra" in table_sheets(book) and "Extra" not in read and read == planned
    refresh(book, AS_OF, backup=False, ahead=ahead)
    assert "Extra" not in read and all(spy.given[s] for s in planned), spy.given  # each read ahead was taken
    assert sheets(book) == sheets(twin)


def test_the_thread_has_let_go_of_the_file_before_it_is_replaced(book, monkeypatch):
    """A table the refresh does not read is still being read ahead when the refresh is done (here a
    goal's text names it, so the read-ahead reads it; the refresh reads only the Table column's):
    the refresh waits for the thread to close the workbook file before replacing it (Windows
    refuses to replace a file another handle holds open)."""
    import kpi_xl.workbook.readahead as readahead
    import pandas as pd

    from kpi_xl.workbook.importing import import_table

    import_table(book, "Extra", pd.DataFrame({"Key": [f"k{i}" for i in range(3000)], "Value": range(3000)}),
                 backup=False)
    assert "Extra" in table_sheets(book)
    words = readahead._words
    monkeypatch.setattr(readahead, "_words", lambda rows, ref: words(rows, ref) | {"extra"})
    opened, read, gate = [], [], threading.Event()
    readahead_calamine(monkeypatch, opened, read, gate, held=lambda sheet, n: sheet == "Extra")
    alive_at_save = thread_alive_at_each_save(monkeypatch, lambda: ahead)
    let_go_when_closed(monkeypatch, gate)  # "Extra" held until the refresh closes the read-ahead: no clock
    ahead = ReadAhead(book)
    for _ in range(6000):  # the thread is on "Extra" (not the largest sheet: others come first) ...
        if "Extra" in read:
            break
        time.sleep(0.01)
    assert read and read[-1] == "Extra"
    refresh(book, AS_OF, backup=False, ahead=ahead)  # ... and still on it when the refresh is done
    assert alive_at_save == [False] and not ahead._thread.is_alive()


def thread_alive_at_each_save(monkeypatch, ahead_of) -> list[bool]:
    """For each save of a workbook from now on, whether the thread of the read-ahead ``ahead_of()``
    gives was still running then (a handle on the file it replaces)."""
    from kpi_xl.workbook.package import Package

    alive: list[bool] = []
    save = Package.save

    def saving(pkg, *args, **kwargs):
        alive.append(ahead_of()._thread.is_alive())
        return save(pkg, *args, **kwargs)

    monkeypatch.setattr(Package, "save", saving)
    return alive


def let_go_when_closed(monkeypatch, gate: threading.Event) -> None:
    """The read :func:`readahead_calamine` holds goes on once the read-ahead is closed, whoever
    closes it (so a refresh that saves before closing it finds the thread still reading)."""
    close = ReadAhead.close

    def closing(ahead, wait=False):
        gate.set()
        return close(ahead, wait)

    monkeypatch.setattr(ReadAhead, "close", closing)


def test_a_refused_workbook_leaves_no_reading_behind(tmp_path):
    """A workbook that is not kpi-xl's: the refresh refuses in its words, the read-ahead is closed."""
    import openpyxl
    from openpyxl.worksheet.table import Table

    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Name", "Amount"])
    for i in range(50):
        ws.append([f"n{i}", i])
    ws.add_table(Table(displayName="Things", ref="A1:B51"))
    wb.save(path)
    ahead = ReadAhead(path)
    with pytest.raises(WorkbookError, match="not a kpi-xl workbook"):
        refresh(path, AS_OF, backup=False, ahead=ahead)
    ahead._thread.join(60)
    assert not ahead._thread.is_alive() and not ahead._read_ahead


CHILD = r"""
import json, sys
from kpi_xl.cli import language_of
lang = language_of(["refresh", sys.argv[1]])
from kpi_xl.workbook.readahead import ReadAhead
ahead = ReadAhead(sys.argv[1])
loaded = [m for m in ("pandas", "numpy", "scipy") if m in sys.modules]
ahead._thread.join(60)
print(json.dumps({"lang": lang, "loaded": loaded, "planned": list(ahead._planned())}))
"""


def test_the_command_starts_reading_before_pandas_loads(tmp_path):
    """The command line tells the workbook's language and starts the read-ahead with neither
    pandas nor NumPy loaded: their ~0.25 s is what the reading hides behind."""
    book = new(tmp_path / "書.xlsx", lang="zh-TW")
    env = {**os.environ, "KPI_XL_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", CHILD, str(book)], capture_output=True, text=True, env=env,
                         check=True)
    said = json.loads(out.stdout.strip().splitlines()[-1])
    assert said["lang"] == "zh-TW" and said["loaded"] == []
    goals, *tables = said["planned"]  # the Goals table's sheet first, then the tables its goals name
    with open_package(book) as pkg:
        assert goals == next(t.sheet for t in pkg.tables() if t.display_name == "Goals")
    assert len(tables) >= 3 and set(tables) < table_sheets(book)


def test_a_workbook_part_with_a_dtd_is_refused_before_python_calamine_opens_the_file(book, monkeypatch):
    """The package vets the workbook part (no DTD, no entities) before python-calamine parses it,
    in the thread as in the refresh; the refresh refuses the file in its own words."""
    with zipfile.ZipFile(book) as src:
        parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    xml = parts["xl/workbook.xml"]
    prolog = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    parts["xl/workbook.xml"] = xml[:prolog] + b'<!DOCTYPE workbook [<!ENTITY e "boom">]>' + xml[prolog:]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    opened = []
    readahead_calamine(monkeypatch, opened)
    ahead = ReadAhead(book)
    ahead._thread.join(60)
    assert opened == [] and ahead.identity is None
    with pytest.raises(WorkbookError, match="unsafe XML"):
        refresh(book, AS_OF, backup=False, ahead=ahead)


def test_a_sheet_asked_for_after_close_is_read_by_the_caller(book):
    """Once closed, the read-ahead gives nothing, not even a sheet it had read: the caller reads it."""
    ahead = ReadAhead(book)
    ahead._thread.join(60)
    read = [s for s, state in ahead._planned().items() if state == "read"]
    assert read
    ahead.close()
    assert [ahead.take(s) for s in read] == [None] * len(read)


def test_a_predicted_workbook_is_let_go_before_the_prediction_saves_it(tmp_path, monkeypatch):
    """A refresh first predicts a Customers sheet made by `kpi-xl predict` again and saves it: the
    read-ahead has closed the workbook file by then (on Windows the prediction could not replace a
    file the thread holds open, and the refresh would keep the old predictions with a warning)."""
    book = tmp_path / "shop.xlsx"
    for args in (("new", "--empty", str(book)), ("import", str(book), "Shop", str(SHOP)),
                 ("predict", str(book), "--table", "Shop", "--as-of", "2026-06-30")):
        done = subprocess.run([sys.executable, "-c", "from kpi_xl.cli import run; run()", *args],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    opened, read, gate = [], [], threading.Event()
    readahead_calamine(monkeypatch, opened, read, gate)
    let_go_when_closed(monkeypatch, gate)
    alive_at_save = thread_alive_at_each_save(monkeypatch, lambda: ahead)
    ahead = ReadAhead(book)
    report = refresh(book, AS_OF, backup=False, ahead=ahead)
    assert alive_at_save == [False, False]  # the prediction's save, then the refresh's
    assert not [w for w in report.warnings if "predict" in w.lower()], report.warnings


@pytest.mark.parametrize("holder", [".~kpi-xl.{name}.lock", "~${name}"])
def test_a_workbook_another_program_is_writing_is_not_held_open_ahead(book, monkeypatch, holder):
    """Another kpi-xl holds the workbook's lock (it is about to replace the file), or Excel has it
    open: the read-ahead does not open the file (on Windows their save could not replace a file
    it holds open); the refresh then waits for the lock as without it, and reads itself."""
    from kpi_xl.workbook import readahead

    owner = book.with_name(holder.format(name=book.name))
    owner.write_text(f"{os.getpid()} {socket.gethostname()}\n")
    opened, packages = [], []
    readahead_calamine(monkeypatch, opened)
    real_open = readahead.open_package
    monkeypatch.setattr(readahead, "open_package", lambda path: packages.append(path) or real_open(path))
    ahead = ReadAhead(book)
    ahead._thread.join(60)
    assert opened == [] and packages == [] and ahead.identity is None
    owner.unlink()  # the other program is done
    spy = Spy(monkeypatch)
    assert refresh(book, AS_OF, backup=False, ahead=ahead).goals > 0
    assert not any(spy.given.values())  # nothing taken: read by the refresh itself


def test_without_a_thread_the_refresh_reads_everything_itself(book, tmp_path, monkeypatch):
    """A process that cannot start one more thread (at its limit) refreshes as without a read-ahead."""
    twin = tmp_path / "twin.xlsx"
    shutil.copy(book, twin)
    refresh(twin, AS_OF, backup=False)

    def refuse(thread):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    ahead = ReadAhead(book)
    assert ahead.take("Goals") is None
    refresh(book, AS_OF, backup=False, ahead=ahead)
    assert sheets(book) == sheets(twin)
