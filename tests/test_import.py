"""`kpi-xl import BOOK TABLE FILE`: a user's own data into the workbook's Excel Tables.

Each test does what a user does (an export file, the command or import_table) and
looks at what they would see: the cells (numbers as numbers, text as text, dates as
dates), the table's range, the rest of the workbook unchanged, refresh counting the
rows, and one-line refusals. Every workbook written passes openxml-audit.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import os
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openxml_audit import OpenXmlValidator
from python_calamine import CalamineWorkbook

from kpi_xl.cli import main
from kpi_xl.excel import EPOCH_1904, to_serial
from kpi_xl.workbook import layout
from kpi_xl.workbook.importing import import_table
from kpi_xl.workbook.package import open_package
from kpi_xl.workbook.package.styles import is_date_style
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new


# --------------------------------------------------------------------------- helpers

def audited(path: Path) -> None:
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid, [str(e) for e in result.errors[:5]]


def empty_book(tmp_path: Path, name: str = "book.xlsx", lang: str = "en") -> Path:
    return new(tmp_path / name, lang=lang, empty=True)


def order_log(path: Path, n: int, *, yyyymmdd: bool = True, words: bool = True, seed: int = 7) -> list[dict]:
    """An order export as shops write them: blanks, a word in the amount column, dates as
    YYYYMMDD numbers (or ISO text), headers in another case and order than the table's."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(540))
        amount = "" if i % 97 == 0 else ("n/a" if i % 401 == 0 and words else f"{rng.uniform(5, 300):.2f}")
        rows.append({"amount": amount, "order id": f"A{i:05d}",
                     "date": day.strftime("%Y%m%d") if yyyymmdd else day.isoformat(),
                     "CUSTOMER": f"C{rng.randrange(900)}", "Channel": rng.choice(["Online", "Store"])})
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return rows


def table_of(path: Path, name: str):
    with open_package(path) as pkg:
        return next(t for t in pkg.tables() if t.display_name == name)


def sheet_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def digests(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        return {n: hashlib.sha256(zf.read(n)).hexdigest() for n in zf.namelist()}


def cli(*args: str) -> subprocess.CompletedProcess:
    """The installed command as a user runs it (output not a terminal: a line per step)."""
    return subprocess.run([sys.executable, "-c", "from kpi_xl.cli import run; run()", *args],
                          capture_output=True, text=True, timeout=300)


def refused(result: subprocess.CompletedProcess, *words: str) -> str:
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "Traceback" not in out
    message = next(line for line in result.stderr.splitlines() if "kpi-xl:" in line)
    for w in words:
        assert w in message, message
    return message


# --------------------------------------------------------------------------- into an existing table

def test_order_export_goes_into_the_orders_table_with_its_types(tmp_path: Path):
    book = empty_book(tmp_path)
    rows = order_log(tmp_path / "orders.csv", 5000)
    before = digests(book)
    result = CliRunner().invoke(main, ["import", str(book), "orders", str(tmp_path / "orders.csv")])
    assert result.exit_code == 0, result.output
    assert "imported 5,000 rows into Orders (sheet Orders)" in result.output
    assert f"previous version kept as {tmp_path / 'book.bak.xlsx'}" in result.output
    assert digests(tmp_path / "book.bak.xlsx") == before
    audited(book)

    info = table_of(book, "Orders")
    assert info.ref == "A1:F5001"
    values = sheet_rows(book, "Orders")
    header = values[0]
    col = {name: header.index(name) for name in info.columns}
    for i in (0, 1, 96, 400, 401, 4999):
        got, want = values[i + 1], rows[i]
        assert got[col["Order ID"]] == want["order id"]
        assert got[col["Customer"]] == want["CUSTOMER"]
        amount = want["amount"]
        assert got[col["Amount"]] == ("" if amount == "" else amount if amount == "n/a" else float(amount))
        assert got[col["Date"]] == int(want["date"])  # YYYYMMDD kept as the number it is
        assert got[col["Cost"]] == ""  # a table column the file lacks stays blank
    with open_package(book) as pkg:
        cells = pkg.read_cells("Orders", 2, 3)
        assert cells[(2, 2)].type == "n"
        # the number shows as 20250310, not as a date in year 57,000 (####)
        assert not is_date_style(pkg, cells[(2, 2)].style)
        assert cells[(2, 1)].type in ("s", "inlineStr")


def test_iso_dates_become_date_serials_and_refresh_counts_the_rows(tmp_path: Path):
    book = empty_book(tmp_path)
    # a word in a number column is written as the text it is; refresh then refuses it at its cell
    # (the engine's rule), so this file has none
    rows = order_log(tmp_path / "orders.csv", 3000, yyyymmdd=False, words=False)
    report = import_table(book, "Orders", tmp_path / "orders.csv")
    assert (report.table, report.sheet, report.rows, report.created) == ("Orders", "Orders", 3000, False)
    goals = tmp_path / "goals.csv"
    goals.write_text("ID,Goal,Owner,KPI,Table,Columns,Date column,Filter,Direction,Target,Start,End,Period\n"
                     "G1,Orders in 2025,Ann,COUNT,Orders,,Date,,higher,2000,2025-01-01,2025-12-31,month\n"
                     "G2,Online revenue,Ann,SUM,Orders,Amount,Date,Channel=Online,higher,1e5,2025-01-01,2025-12-31,"
                     "month\n", encoding="utf-8")
    import_table(book, "Goals", goals)
    audited(book)
    with open_package(book) as pkg:
        date_cell = pkg.read_cells("Orders", 2, 2)[(2, 2)]
        assert is_date_style(pkg, date_cell.style)
        assert date_cell.value == to_serial(dt.date.fromisoformat(rows[0]["date"]))
    card = refresh(book, dt.date(2025, 12, 31)).scorecard.set_index("id")
    in_2025 = [r for r in rows if r["date"].startswith("2025")]
    assert card.loc["G1", "actual"] == len(in_2025)
    online = sum(float(r["amount"]) for r in in_2025
                 if r["Channel"] == "Online" and r["amount"] not in ("", "n/a"))
    assert card.loc["G2", "actual"] == pytest.approx(online)


def test_other_parts_stay_byte_identical(tmp_path: Path):
    book = empty_book(tmp_path)
    order_log(tmp_path / "orders.csv", 300)
    with open_package(book) as pkg:
        orders = next(t for t in pkg.tables() if t.display_name == "Orders")
        sheet_part = pkg.sheet("Orders").part
    before = digests(book)
    import_table(book, "Orders", tmp_path / "orders.csv")
    after = digests(book)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed == {sheet_part, orders.part}
    assert set(after) == set(before)
    # what openpyxl lost: the x14 conditional formats, the charts, the data validations
    with zipfile.ZipFile(book) as zf:
        assert b"x14:conditionalFormatting" in zf.read("xl/worksheets/sheet3.xml")
        assert any(n.startswith("xl/charts/") for n in zf.namelist())


def test_append_twice_then_replace_with_fewer_rows(tmp_path: Path):
    book = empty_book(tmp_path)
    first = order_log(tmp_path / "a.csv", 120, seed=1)
    second = order_log(tmp_path / "b.csv", 80, seed=2)
    import_table(book, "Orders", tmp_path / "a.csv")
    import_table(book, "Orders", tmp_path / "b.csv", mode="append")
    assert table_of(book, "Orders").ref == "A1:F201"
    ids = [r[0] for r in sheet_rows(book, "Orders")[1:]]
    assert ids == [r["order id"] for r in first + second]

    order_log(tmp_path / "c.csv", 30, seed=3)
    result = CliRunner().invoke(main, ["import", str(book), "Orders", str(tmp_path / "c.csv"), "--replace",
                                       "--no-backup", "--quiet"])
    assert result.exit_code == 0 and result.output == ""
    assert table_of(book, "Orders").ref == "A1:F31"
    with open_package(book) as pkg:
        assert max(r for r, _c in pkg.read_cells("Orders")) == 31  # no stale cell below the table
    assert len(sheet_rows(book, "Orders")) == 31
    audited(book)


def test_parquet_excel_and_dataframe_sources(tmp_path: Path):
    import duckdb
    import xlsxwriter

    book = empty_book(tmp_path)
    parquet = tmp_path / "web.parquet"
    duckdb.sql(f"COPY (SELECT DATE '2026-01-01' + i::INT AS Date, 'ads' AS Source, 100 + i AS Sessions "
               f"FROM range(40) t(i)) TO '{parquet}' (FORMAT parquet)")
    assert import_table(book, "Web", parquet).rows == 40
    xlsx = tmp_path / "tickets.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("Export")
    ws.write_row(0, 0, ["Ticket ID", "created", "Agent", "Rating"])
    for i in range(25):
        ws.write_row(i + 1, 0, [f"T{i}", None, "Mei", 4 + i % 2])
        ws.write_datetime(i + 1, 1, dt.datetime(2026, 2, 1) + dt.timedelta(days=i), wb.add_format({"num_format": 14}))
    wb.close()
    assert import_table(book, "Tickets", xlsx).rows == 25
    frame = pd.DataFrame({"Date": pd.date_range("2026-03-01", periods=10), "Channel": ["Email"] * 10,
                          "Spend": [1.5] * 9 + [float("nan")]})
    assert import_table(book, "Marketing", frame).rows == 10
    audited(book)
    web, tickets, marketing = (sheet_rows(book, s) for s in ("Web", "Tickets", "Marketing"))
    assert web[1][:3] == [dt.date(2026, 1, 1), "ads", 100.0] and len(web) == 41
    assert tickets[1][:2] == ["T0", dt.date(2026, 2, 1)] and tickets[2][6] == 5.0 and tickets[2][4] == "Mei"
    assert marketing[10][0] == dt.date(2026, 3, 10) and marketing[10][2] == ""


def test_dates_follow_a_1904_workbook(tmp_path: Path):
    book = empty_book(tmp_path)
    with zipfile.ZipFile(book) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<workbookPr ", b'<workbookPr date1904="1" ')
    book1904 = tmp_path / "mac.xlsx"
    with zipfile.ZipFile(book1904, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    import_table(book1904, "Web", pd.DataFrame({"Date": [dt.datetime(2026, 1, 15)], "Sessions": [5]}))
    with open_package(book1904) as pkg:
        assert pkg.read_cells("Web", 2, 2)[(2, 1)].value == to_serial(dt.date(2026, 1, 15), EPOCH_1904)


def test_a_new_table_on_a_new_sheet(tmp_path: Path):
    book = empty_book(tmp_path)
    data = tmp_path / "visits.csv"
    data.write_text("Store,Day,Visitors,Note\nTaipei 101,2026-01-05,120,\nXinyi,2026-01-05,n/a,closed early\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(book), "Store visits", str(data)])
    assert result.exit_code == 0, result.output
    assert "imported 2 rows into Store_visits (sheet Store visits), a new table on a new sheet" in result.output
    audited(book)
    info = table_of(book, "Store_visits")
    assert (info.sheet, info.ref, info.columns) == ("Store visits", "A1:D3", ("Store", "Day", "Visitors", "Note"))
    assert sheet_rows(book, "Store visits")[1:] == [["Taipei 101", dt.date(2026, 1, 5), 120.0, ""],
                                                    ["Xinyi", dt.date(2026, 1, 5), "n/a", "closed early"]]
    # the new table is a table like the others: found again by its sheet's name, appended to
    assert import_table(book, "store visits", data).table == "Store_visits"
    assert table_of(book, "Store_visits").ref == "A1:D5"
    audited(book)


def test_add_columns_only_when_asked(tmp_path: Path):
    book = empty_book(tmp_path)
    data = tmp_path / "orders.csv"
    data.write_text("Order ID,Amount,Coupon,Region\nA1,10,SPRING,North\nA2,20,,South\n", encoding="utf-8")
    before = digests(book)
    message = refused(cli("import", str(book), "Orders", str(data)), "orders.csv", "'Coupon'", "'Region'",
                      "--add-columns")
    assert "\n" not in message
    assert digests(book) == before  # a refusal changes nothing
    result = cli("import", str(book), "Orders", str(data), "--add-columns")
    assert result.returncode == 0, result.stderr
    assert "imported 2 rows into Orders (sheet Orders), 2 columns added (Coupon, Region)" in result.stdout
    assert "reading orders.csv" in result.stderr  # a line per step when not in a terminal
    audited(book)
    info = table_of(book, "Orders")
    assert info.columns[-2:] == ("Coupon", "Region") and info.ref == "A1:H3"
    assert sheet_rows(book, "Orders")[0][6:8] == ["Coupon", "Region"]
    assert sheet_rows(book, "Orders")[1][6:8] == ["SPRING", "North"]


def test_calculated_columns_get_their_formula_in_new_rows(tmp_path: Path):
    import xlsxwriter

    book = tmp_path / "calc.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("Data")
    ws.add_table(0, 0, 2, 2, {"name": "Sales", "columns": [{"header": "Qty"}, {"header": "Price"},
                                                           {"header": "Total", "formula": "=[@Qty]*[@Price]"}],
                              "data": [[1, 2], [3, 4]]})
    wb.close()
    import_table(book, "Sales", pd.DataFrame({"price": [5.0, 6.0], "QTY": [2, 3]}))
    audited(book)
    with open_package(book) as pkg:
        cells = pkg.read_cells("Data")
    assert table_of(book, "Sales").ref == "A1:C5"
    assert [cells[(r, 1)].value for r in (4, 5)] == [2, 3] and cells[(5, 2)].value == 6
    assert cells[(4, 3)].formula == cells[(2, 3)].formula == "[[#This Row],Qty]*[[#This Row],Price]"


def test_goals_from_an_english_csv_into_a_zh_tw_workbook(tmp_path: Path):
    book = empty_book(tmp_path, lang="zh-TW")
    order_log(tmp_path / "orders.csv", 400, yyyymmdd=False, words=False)
    import_table(book, "Orders", tmp_path / "orders.csv")
    goals = tmp_path / "goals.csv"
    goals.write_text("id,goal,owner,kpi,table,columns,date column,direction,target,start,end,period\n"
                     "G1,訂單數,美玲,COUNT,訂單,,日期,higher,300,2025-01-01,2025-12-31,month\n",
                     encoding="utf-8")
    report = import_table(book, "Goals", goals)
    audited(book)
    rows = sheet_rows(book, report.sheet)
    assert rows[0][:3] == ["編號", "目標", "負責人"] and rows[1][:3] == ["G1", "訂單數", "美玲"]
    card = refresh(book, dt.date(2025, 12, 31)).scorecard.set_index("id")
    # the imported goal row gets its SMART check, as a row typed into the sheet does
    smart = sheet_rows(book, report.sheet)[1][rows[0].index(layout.smart_header("zh-TW"))]
    scorecard = sheet_rows(book, layout.sheet("scorecard", "zh-TW"))
    verdict = next(r for r in scorecard if r[0] == "G1")[[c[0] for c in layout.SCORECARD_COLUMNS].index("smart")]
    assert smart == verdict and smart
    with open(tmp_path / "orders.csv", encoding="utf-8") as fh:
        assert card.loc["G1", "actual"] == sum(1 for r in csv.DictReader(fh) if r["date"].startswith("2025"))


def test_progress_is_told_each_step(tmp_path: Path):
    book = empty_book(tmp_path)
    order_log(tmp_path / "orders.csv", 50)
    steps: list[str] = []
    import_table(book, "Orders", tmp_path / "orders.csv", progress=steps.append)
    assert steps[0] == "reading orders.csv" and "writing 50 rows into Orders (sheet Orders)" in steps
    assert steps[-1].startswith("saving")


# --------------------------------------------------------------------------- refusals

def test_refusals_are_one_line_naming_file_row_and_column(tmp_path: Path):
    book = empty_book(tmp_path)
    before = digests(book)
    refused(cli("import", str(book), "Orders", str(tmp_path / "missing.csv")), "missing.csv", "no such file")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Order ID,Amount\nA1,10\nA2,20,30\nA3,5\n", encoding="utf-8")
    refused(cli("import", str(book), "Orders", str(ragged)), "ragged.csv, row 3", "3 fields")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Order ID,Customer\nA1,Café\n".encode("latin-1"))
    # neither UTF-8 nor UTF-16 nor Big5: refused at its row and column
    refused(cli("import", str(book), "Orders", str(latin)), "latin.csv, row 2, column 'Customer'", "UTF-8", "Big5")
    long = tmp_path / "long.csv"
    long.write_text("Order ID,Customer\nA1,x\nA2," + "y" * 40_000 + "\n", encoding="utf-8")
    refused(cli("import", str(book), "Orders", str(long)), "long.csv, row 3, column 'Customer'", "32,767")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    refused(cli("import", str(book), "Orders", str(broken)), "broken.xlsx", "cannot be read")
    refused(cli("import", str(book), "Orders", str(tmp_path / "data.json")), "data.json")
    good = tmp_path / "good.csv"
    good.write_text("Order ID,Amount\nA1,10\n", encoding="utf-8")
    refused(cli("import", str(book), "Start", str(good)), "sheet 'Start' holds no Excel Table", "Orders")
    refused(cli("import", str(book), "x" * 32, str(good)), "cannot be a sheet name", "31 characters")
    assert digests(book) == before


def test_a_zh_tw_workbook_hears_the_import_in_chinese(tmp_path: Path):
    """Refusals and progress in a 繁體中文 workbook are Chinese and name the file, row and column."""
    book = empty_book(tmp_path, lang="zh-TW")
    before = digests(book)
    extra = tmp_path / "orders.csv"
    extra.write_text("訂單編號,優惠碼\nA1,SPRING\n", encoding="utf-8")
    said = refused(cli("import", str(book), "訂單", str(extra)), "orders.csv", "「優惠碼」")
    assert "欄位" in said and "資料表" in said and "--add-columns" in said and "are not in table" not in said
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("訂單編號,金額\nA1,10\nA2,20,30\nA3,5\n", encoding="utf-8")
    said = refused(cli("import", str(book), "訂單", str(ragged)), "ragged.csv", "第 3 列")
    assert "fields" not in said
    long = tmp_path / "long.csv"
    long.write_text("訂單編號,客戶\nA1,x\nA2," + "y" * 40_000 + "\n", encoding="utf-8")
    said = refused(cli("import", str(book), "訂單", str(long)), "long.csv", "第 3 列", "「客戶」", "32,767")
    assert "characters" not in said
    assert digests(book) == before
    steps: list[str] = []
    good = tmp_path / "good.csv"
    good.write_text("訂單編號,金額\nA1,10\n", encoding="utf-8")
    report = import_table(book, "訂單", good, progress=steps.append)
    assert report.lang == "zh-TW" and steps[0] == "正在讀取 good.csv" and steps[-1].startswith("正在儲存")
    done = cli("import", str(book), "訂單", str(good))
    assert done.returncode == 0 and "已匯入 1 列到" in done.stdout, done.stdout + done.stderr
    english = empty_book(tmp_path, "en.xlsx")
    refused(cli("import", str(english), "Orders", str(extra)), "column(s) '優惠碼' are not in table Orders")


def test_what_the_user_wrote_below_a_table_is_never_overwritten(tmp_path: Path):
    import xlsxwriter

    book = tmp_path / "notes.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet("Data")
    ws.add_table(0, 0, 2, 1, {"name": "Sales", "columns": [{"header": "Qty"}, {"header": "Price"}],
                              "data": [[1, 2], [3, 4]]})
    ws.write(5, 0, "checked by Mei")
    wb.close()
    before = digests(book)
    with pytest.raises(Exception, match=r"Data!A6: holds 'checked by Mei' below the table Sales"):
        import_table(book, "Sales", pd.DataFrame({"Qty": range(10), "Price": range(10)}))
    assert digests(book) == before
    # rows that stay clear of it are written, and it stays where it was
    import_table(book, "Sales", pd.DataFrame({"Qty": [7], "Price": [8]}), mode="replace")
    assert table_of(book, "Sales").ref == "A1:B2"
    assert [r[:2] for r in sheet_rows(book, "Data")] == [["Qty", "Price"], [7.0, 8.0], ["", ""], ["", ""], ["", ""],
                                                          ["checked by Mei", ""]]
    audited(book)


def test_read_only_workbook_and_symlink(tmp_path: Path):
    book = empty_book(tmp_path)
    frame = pd.DataFrame({"Date": [dt.datetime(2026, 1, 1)], "Sessions": [3]})
    link = tmp_path / "link.xlsx"
    link.symlink_to(book)
    import_table(link, "Web", frame)
    assert link.is_symlink() and table_of(book, "Web").ref == "A1:F2"
    os.chmod(book, 0o444)
    try:
        if os.access(book, os.W_OK) and os.geteuid() != 0:
            pytest.skip("cannot make a read-only file here")
        with pytest.raises(Exception, match="read-only"):
            import_table(book, "Web", frame)
    finally:
        os.chmod(book, 0o644)


# --------------------------------------------------------------------------- a Taiwanese shop's exports (round 6)

BIG5_ORDERS = ("訂單編號,日期,通路,客戶,金額\n"
               "A1,2026-01-05,門市,許功蓋,120\n"  # 許 and 功 end in byte 0x5C, a backslash in ASCII
               "A2,2026-01-06,網路,陳美玲,80.5\n"
               "A3,2026-01-07,門市,林志明,300\n")


def test_a_big5_csv_is_read_and_the_report_says_so(tmp_path: Path):
    book = empty_book(tmp_path, lang="zh-TW")
    data = tmp_path / "pos.csv"
    data.write_bytes(BIG5_ORDERS.replace("\n", "\r\n").encode("cp950"))
    done = cli("import", str(book), "訂單", str(data))
    assert done.returncode == 0, done.stderr
    assert "已匯入 3 列到" in done.stdout and "pos.csv：以 Big5 (cp950) 編碼讀取" in done.stdout
    audited(book)
    rows = sheet_rows(book, "訂單")
    assert rows[0][:5] == ["訂單編號", "日期", "通路", "客戶", "金額"]
    assert [r[:5] for r in rows[1:]] == [["A1", dt.date(2026, 1, 5), "門市", "許功蓋", 120.0],
                                         ["A2", dt.date(2026, 1, 6), "網路", "陳美玲", 80.5],
                                         ["A3", dt.date(2026, 1, 7), "門市", "林志明", 300.0]]
    report = import_table(book, "訂單", data)
    assert report.encoding == "Big5 (cp950)" and report.notes == ["pos.csv：以 Big5 (cp950) 編碼讀取"]


def test_utf16_unicode_text_and_utf8_with_a_bom_are_read(tmp_path: Path):
    book = empty_book(tmp_path, lang="zh-TW")
    unicode_text = tmp_path / "export.txt"  # Excel's "Unicode text": UTF-16 with a BOM, tab-separated
    unicode_text.write_bytes(BIG5_ORDERS.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"))
    report = import_table(book, "訂單", unicode_text)
    assert (report.rows, report.encoding, report.columns_added) == (3, "UTF-16", [])
    assert report.notes == ["export.txt：以 UTF-16 編碼讀取"]
    for codec in ("utf-16-be", "utf-16-le"):  # no byte order mark, either byte order
        (tmp_path / f"{codec}.txt").write_bytes(BIG5_ORDERS.replace(",", "\t").encode(codec))
        report = import_table(book, "訂單", tmp_path / f"{codec}.txt")
        assert (report.rows, report.encoding, report.columns_added) == (3, "UTF-16", [])
    bom = tmp_path / "bom.csv"  # Excel's "CSV UTF-8"
    bom.write_bytes(BIG5_ORDERS.encode("utf-8-sig"))
    report = import_table(book, "訂單", bom)
    assert (report.rows, report.encoding, report.notes, report.columns_added) == (3, "UTF-8", [], [])
    audited(book)
    rows = sheet_rows(book, "訂單")
    assert [r[3] for r in rows[1:]] == ["許功蓋", "陳美玲", "林志明"] * 4
    assert [r[4] for r in rows[1:]] == [120.0, 80.5, 300.0] * 4


def test_bytes_no_encoding_reads_are_refused_at_their_row_and_column(tmp_path: Path, monkeypatch):
    from kpi_xl.workbook import textfile

    book = empty_book(tmp_path, lang="zh-TW")
    before = digests(book)
    broken = tmp_path / "broken.csv"
    lines = BIG5_ORDERS.encode("cp950").split(b"\n")
    lines[2] = lines[2].replace("陳".encode("cp950"), b"\x81\x20")  # not Big5, not UTF-8
    broken.write_bytes(b"\n".join(lines))
    said = refused(cli("import", str(book), "訂單", str(broken)), "broken.csv 第 3 列「客戶」欄", "Big5")
    assert "UTF-8" in said and "\n" not in said
    # a byte order mark says UTF-8 (or UTF-16): then the whole file must be, else the same refusal
    marked = tmp_path / "marked.csv"
    marked.write_bytes(codecs.BOM_UTF8 + "訂單編號,客戶\nA1,美玲\nA2,".encode("utf-8") + "志明\n".encode("cp950"))
    refused(cli("import", str(book), "訂單", str(marked)), "marked.csv 第 3 列「客戶」欄")
    odd = tmp_path / "odd.txt"
    odd.write_bytes("訂單編號\t客戶\r\nA1\t美玲\r\n".encode("utf-16") + b"\x41")
    refused(cli("import", str(book), "訂單", str(odd)), "odd.txt 第 3 列")
    assert digests(book) == before
    # the same answers when a character is cut by the end of a chunk read
    monkeypatch.setattr(textfile, "CHUNK", 3)
    with pytest.raises(textfile.Undecodable) as err:
        textfile.detect(broken, "broken.csv")
    assert "broken.csv, row 3, column '客戶'" in err.value.message.text("en")
    good = tmp_path / "good.csv"
    good.write_bytes(BIG5_ORDERS.encode("cp950"))
    assert textfile.detect(good, "good.csv") == textfile.BIG5
    copy = tmp_path / "copy.csv"
    textfile.utf8_copy(good, textfile.BIG5, copy)
    assert copy.read_text(encoding="utf-8") == BIG5_ORDERS
    wide = tmp_path / "wide.txt"
    wide.write_bytes(BIG5_ORDERS.encode("utf-16"))
    assert textfile.detect(wide, "wide.txt") == textfile.UTF16_LE


def test_a_trailing_totals_row_is_left_out_and_said(tmp_path: Path):
    import xlsxwriter

    book = empty_book(tmp_path, lang="zh-TW")
    data = tmp_path / "sales.csv"
    data.write_bytes(("日期,品名,數量,金額\n2026-01-05,咖啡,2,120\n2026-01-05,茶,1,45\n2026-01-06,蛋糕,3,360\n"
                      "合計,,6,525\n").encode("cp950"))
    done = cli("import", str(book), "日銷售", str(data))
    assert done.returncode == 0, done.stderr
    assert "已匯入 3 列到" in done.stdout
    assert "sales.csv 第 5 列（「合計」）未匯入：這是合計列" in done.stdout
    rows = sheet_rows(book, "日銷售")
    assert [r[1] for r in rows[1:]] == ["咖啡", "茶", "蛋糕"]  # no 合計 row: sums are not doubled
    assert sum(r[3] for r in rows[1:]) == 525

    # an English export from Excel: "Total:" under the rows, the report says which row
    xlsx = tmp_path / "export.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("Sales")
    ws.write_row(0, 0, ["Store", "Orders", "Revenue"])
    for i, (store, n, amount) in enumerate([("Xinyi", 10, 1000.5), ("Banqiao", 4, 300), ("Tamsui", 6, 650)]):
        ws.write_row(i + 1, 0, [store, n, amount])
    ws.write_row(4, 0, ["Total:", 20, 1950.5])
    wb.close()
    report = import_table(book, "Stores", xlsx)
    assert report.rows == 3 and report.left_out == [5]
    assert report.notes == ["export.xlsx（工作表 Sales） 第 5 列（「Total:」）未匯入：這是合計列，不是資料（活頁簿會自行加總）"]

    # no totals word, but a label with the column sums and the other columns left blank
    by_sums = tmp_path / "by_sums.csv"
    by_sums.write_text("Order ID,Customer,Amount\nA1,Mei,10\nA2,Ken,20\nA3,Ann,5\nAll stores,,35\n", encoding="utf-8")
    report = import_table(book, "Sums", by_sums)
    assert report.rows == 3 and report.left_out == [5] and [r[0] for r in sheet_rows(book, "Sums")[1:]] == [
        "A1", "A2", "A3"]
    # a subtotal then a total: both left out, each said
    two = tmp_path / "two.csv"
    two.write_text("門市,金額\n信義,100\n板橋,50\n小計,150\n總計：,150\n", encoding="utf-8")
    report = import_table(book, "Two", two)
    assert report.rows == 2 and report.left_out == [4, 5] and len(report.notes) == 2
    assert "「總計：」" in report.notes[1]
    # a last order that happens to equal the sum above is an order: every column filled
    data_row = tmp_path / "data_row.csv"
    data_row.write_text("Order ID,Customer,Amount\nA1,Mei,10\nA2,Ken,20\nA3,Ann,30\n", encoding="utf-8")
    report = import_table(book, "Kept", data_row)
    assert report.rows == 3 and report.left_out == [] and report.notes == []
    audited(book)


def test_numbers_written_as_text_are_numbers_in_a_column_of_numbers(tmp_path: Path):
    book = empty_book(tmp_path)
    data = tmp_path / "orders.csv"
    data.write_text('Order ID,Amount,Discount,Note\n'
                    'A1,"1,234",12%,call back\n'
                    'A2,"NT$2,000",12.5%,12%\n'
                    'A3,"$1,234.50",0%,\n'
                    'A4,(500),5%,gift\n'
                    'A5,１２３,10%,ok\n'
                    'A6,,,\n'
                    'A7,75,3%,\n', encoding="utf-8")
    result = cli("import", str(book), "Orders", str(data), "--add-columns")
    assert result.returncode == 0, result.stderr
    assert "orders.csv: numbers written as text read as numbers in column(s) Amount, Discount" in result.stdout
    audited(book)
    rows = sheet_rows(book, "Orders")
    col = {name: rows[0].index(name) for name in ("Order ID", "Amount", "Discount", "Note")}
    assert [r[col["Amount"]] for r in rows[1:]] == [1234.0, 2000.0, 1234.5, -500.0, 123.0, "", 75.0]
    assert [r[col["Discount"]] for r in rows[1:]] == [0.12, 0.125, 0.0, 0.05, 0.1, "", 0.03]
    # a column of words keeps its "12%" as the text it is
    assert [r[col["Note"]] for r in rows[1:]] == ["call back", "12%", "", "gift", "ok", "", ""]
    with open_package(book) as pkg:
        cells = pkg.read_cells("Orders", 2, 8)
        from kpi_xl.workbook.package.styles import is_percent_style

        assert all(is_percent_style(pkg, cells[(r, col["Discount"] + 1)].style) for r in (2, 3, 4, 8))
        assert not is_percent_style(pkg, cells[(2, col["Amount"] + 1)].style)
        assert cells[(2, col["Amount"] + 1)].type == "n" and cells[(6, col["Amount"] + 1)].value == 123

    # the same from an Excel sheet whose amounts are text; ids kept as text on purpose stay text
    import xlsxwriter

    xlsx = tmp_path / "pos.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("POS")
    ws.write_row(0, 0, ["Store code", "Sales", "Margin"])
    for i, row in enumerate([["101", "NT$1,234", "35%"], ["102", "(NT$200)", "３５％"], ["103", "９９", "40%"]]):
        for j, v in enumerate(row):
            ws.write_string(i + 1, j, v)
    wb.close()
    report = import_table(book, "Stores", xlsx)
    assert report.number_columns == ["Sales", "Margin"]
    assert [r[:3] for r in sheet_rows(book, "Stores")[1:]] == [["101", 1234.0, 0.35], ["102", -200.0, 0.35],
                                                               ["103", 99.0, 0.4]]
    audited(book)

    # digits that spell no number among them are a mistake: refused at the cell, the workbook untouched
    before = digests(book)
    bad = tmp_path / "bad.csv"
    bad.write_text('Order ID,Amount\nA1,"NT$1,200"\nA2,"1.200,50"\n' +
                   "".join(f'A{i},"NT${i}00"\n' for i in range(3, 9)), encoding="utf-8")
    said = refused(cli("import", str(book), "Orders", str(bad)), "bad.csv, row 3, column 'Amount'", "'1.200,50'",
                   "'NT$1,200' on row 2")
    assert "not a number" in said
    assert digests(book) == before


def test_full_width_goal_targets_are_numbers_in_the_goals_sheet(tmp_path: Path):
    book = empty_book(tmp_path, lang="zh-TW")
    order_log(tmp_path / "orders.csv", 300, yyyymmdd=False, words=False)
    import_table(book, "Orders", tmp_path / "orders.csv")
    goals = tmp_path / "goals.csv"  # typed with a Chinese input method's full-width digits and signs
    goals.write_text("編號,目標,負責人,KPI,資料表,欄位,日期欄,目標值,開始日,結束日\n"
                     "G1,營收,美玲,SUM,訂單,金額,日期,１２０，０００,２０２５－０１－０１,２０２５－１２－３１\n"
                     "G2,訂單數,美玲,COUNT,訂單,,日期,３５％,2025-01-01,2025-12-31\n"
                     "G3,客戶數,志明,DISTINCT,訂單,客戶,日期,150,2025-01-01,2025-12-31\n", encoding="utf-8")
    report = import_table(book, "Goals", goals)
    assert report.number_columns == ["目標值"]
    audited(book)
    rows = sheet_rows(book, report.sheet)
    target, start = rows[0].index("目標值"), rows[0].index("開始日")
    assert [r[target] for r in rows[1:4]] == [120000.0, 0.35, 150.0]  # numbers, not text
    assert rows[1][start] == dt.date(2025, 1, 1)
    with open_package(book) as pkg:
        from kpi_xl.workbook.package.styles import is_percent_style

        cells = pkg.read_cells(report.sheet, 2, 4)
        assert is_percent_style(pkg, cells[(3, target + 1)].style)  # 35% shows as 35%
        assert not is_percent_style(pkg, cells[(2, target + 1)].style)
    card = refresh(book, dt.date(2025, 12, 31)).scorecard.set_index("id")
    assert card.loc["G1", "target"] == 120000 and card.loc["G2", "target"] == pytest.approx(0.35)


def test_a_repeated_header_is_renamed_as_excel_does_from_csv_and_excel_alike(tmp_path: Path):
    import xlsxwriter

    book = empty_book(tmp_path, lang="zh-TW")
    header, body = ["門市", "日期", "備註", "備註"], [["信義", "2026-01-05", "早班", "補貨"], ["板橋", "2026-01-06", "", "盤點"]]
    data = tmp_path / "visits.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *body]) + "\n", encoding="utf-8")
    xlsx = tmp_path / "visits.xlsx"
    wb = xlsxwriter.Workbook(str(xlsx))
    ws = wb.add_worksheet("匯出")
    ws.write_row(0, 0, header)
    for i, r in enumerate(body, start=1):
        ws.write_row(i, 0, [v or None for v in r])
        ws.write_datetime(i, 1, dt.datetime.fromisoformat(r[1]), wb.add_format({"num_format": "yyyy/mm/dd"}))
    wb.close()
    done = cli("import", str(book), "門市紀錄", str(data))
    assert done.returncode == 0, done.stderr
    assert "visits.csv：第二個名為「備註」的欄位以「備註2」匯入" in done.stdout
    report = import_table(book, "門市紀錄2", xlsx)
    assert report.renamed == [("備註", "備註2")] and report.rows == 2
    audited(book)
    from_csv, from_excel = sheet_rows(book, "門市紀錄"), sheet_rows(book, "門市紀錄2")
    assert from_csv == from_excel
    assert from_csv[0] == ["門市", "日期", "備註", "備註2"]
    assert from_csv[1:] == [["信義", dt.date(2026, 1, 5), "早班", "補貨"], ["板橋", dt.date(2026, 1, 6), "", "盤點"]]
    # a report title above the header row changes nothing
    titled = tmp_path / "titled.csv"
    titled.write_text("門市日報表\n" + data.read_text(encoding="utf-8"), encoding="utf-8")
    assert import_table(book, "門市紀錄", titled).renamed == [("備註", "備註2")]
    # appended again, the renamed column goes into the table's 備註2; names differing in case only are repeats too
    assert import_table(book, "門市紀錄", xlsx).columns_added == []
    frame = pd.DataFrame([[1, "a", "b"]], columns=["Qty", "Note", "note"])
    assert import_table(book, "Notes", frame).renamed == [("note", "note2")]
    assert sheet_rows(book, "Notes")[0] == ["Qty", "Note", "note2"]


def test_words_kept_among_numbers_are_said_at_import(tmp_path: Path):
    """An export with 'n/a' in some Items cells of a column of plain numbers: the words are
    imported as the text they are, and the import says so, how many and where the first is,
    instead of leaving the user to meet them one refresh at a time."""
    book = empty_book(tmp_path)
    data = tmp_path / "orders.csv"
    data.write_text("Customer,Order date,Items,Amount\nA,20260101,2,10\nB,20260102,n/a,20\nC,20260103,,30\n"
                    "D,20260104,n/a,40\nE,20260105,3,50\nF,20260106,1,60\nG,20260107,2,70\nH,20260108,4,80\n"
                    "I,20260109,1,90\nJ,20260110,2,100\n", encoding="utf-8")
    report = import_table(book, "Shop", data, backup=False)
    assert report.rows == 10
    said = [n for n in report.notes if "'Items'" in n]
    assert said == ["orders.csv: column 'Items' holds 2 word(s) among its numbers, imported as text (first: row 3, "
                    "'n/a'); goals that read the column show No data until they are corrected or cleared"], report.notes
    assert [r[2] for r in sheet_rows(book, "Shop")[1:5]] == [2, "n/a", "", "n/a"]
    assert not [n for n in report.notes if "'Customer'" in n or "'Amount'" in n]  # words and numbers alone: nothing


def test_words_among_amounts_written_as_text_are_kept_as_among_plain_numbers(tmp_path: Path):
    """An export whose Amount column writes amounts as 'NT$1,227' and 'n/a' in 25 rows: imported
    in one go, as 'n/a' among plain numbers is (the amounts as numbers, the words as the text they
    are, the count and the first said), not refused at the first 'n/a' 25 times over."""
    book = empty_book(tmp_path)
    data = tmp_path / "orders.csv"
    rows = [("n/a" if i % 8 == 3 else f'"NT${1000 + i * 7:,}"') for i in range(200)]
    data.write_text("Order ID,Date,Amount\n" + "".join(f"A{i},2026-01-{1 + i % 28:02d},{a}\n"
                                                     for i, a in enumerate(rows)), encoding="utf-8")
    assert rows.count("n/a") == 25
    report = import_table(book, "Shop", data, backup=False)
    assert report.rows == 200 and report.number_columns == ["Amount"]
    said = [n for n in report.notes if "'Amount'" in n and "word" in n]
    assert said == ["orders.csv: column 'Amount' holds 25 word(s) among its numbers, imported as text (first: row 5, "
                    "'n/a'); goals that read the column show No data until they are corrected or cleared"], report.notes
    got = [r[2] for r in sheet_rows(book, "Shop")[1:]]
    assert got[:5] == [1000, 1007, 1014, "n/a", 1028] and got.count("n/a") == 25
    audited(book)


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_every_amount_that_is_no_number_is_named_in_one_refusal(tmp_path: Path, lang: str):
    """Amounts with digits that spell no number ('1.227,50' as some countries write it) in 12 rows:
    one refusal says how many and names the first five with their rows, so the user corrects them
    all before importing again, the workbook untouched."""
    book = empty_book(tmp_path, lang=lang)
    before = digests(book)
    data = tmp_path / "orders.csv"
    rows = [(f'"1.{i:03d},50"' if i % 10 == 4 else f'"NT${1000 + i:,}"') for i in range(120)]
    data.write_text("Order ID,Amount\n" + "".join(f"A{i},{a}\n" for i, a in enumerate(rows)), encoding="utf-8")
    said = refused(cli("import", str(book), "Orders", str(data)))  # said in the workbook's language
    if lang == "en":
        assert "12 cells of column 'Amount' are not numbers" in said, said
        assert ("first: row 6 '1.004,50', row 16 '1.014,50', row 26 '1.024,50', row 36 '1.034,50', "
                "row 46 '1.044,50';") in said, said
        assert "row 56" not in said
    else:
        assert "12 個儲存格" in said and "第 6 列「1.004,50」、第 16 列「1.014,50」" in said, said
    assert digests(book) == before
