"""An error value in a cell (#N/A from a lookup that found nothing, #DIV/0!) is never read as a blank.

python-calamine, which reads the cells for refresh, gives an error cell as "" (as it gives an empty
one); xlwings gives it as None unless asked. Read that way, a #N/A in an order's Amount silently
counted as no sale. Here an error cell is found in the sheet's XML and read as its error: a goal
that reads it shows "No data" with the cell and the error in Why and in the warnings, and a
formula over it gives the error, as Excel does.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile

import pytest

from kpi_xl.errors import XlError
from kpi_xl.workbook import template
from kpi_xl.workbook.package import open_package
from kpi_xl.workbook.package.sheetxml import error_cells, may_hold_errors
from kpi_xl.workbook.refresh import refresh

AS_OF = dt.date(2026, 6, 15)
SAID = "holds the error value {code} (a formula's error, or one pasted in); correct it or clear the cell"


def _sheet(rows: str, prefix: str = "") -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{ns}"' if prefix else f'xmlns="{ns}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {xmlns}><{p}sheetData>'
            f"{rows}</{p}sheetData></{p}worksheet>").encode()


@pytest.mark.parametrize("data, want", [
    # as Excel writes them: a value, and a formula's cached result
    (_sheet('<row r="1"><c r="A1" t="n"><v>1</v></c><c r="B1" t="e"><v>#N/A</v></c></row>'
            '<row r="7" spans="1:3"><c r="C7" s="2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'),
     {(1, 2): "#N/A", (7, 3): "#DIV/0!"}),
    # a prefixed namespace, single quotes, t before r
    (_sheet("<x:row r='3'><x:c t='e' r='D3'><x:v>#REF!</x:v></x:c></x:row>", "x"), {(3, 4): "#REF!"}),
    # rows and cells without numbers (some generators): counted
    (_sheet('<row><c><v>1</v></c></row><row><c><v>2</v></c><c t="e"><v>#NUM!</v></c></row>'), {(2, 2): "#NUM!"}),
    # a code kpi-xl does not know is kept as written; no value at all is #VALUE!
    (_sheet('<row r="2"><c r="B2" t="e"><v>#SPILL!</v></c><c r="C2" t="e"/></row>'),
     {(2, 2): "#SPILL!", (2, 3): "#VALUE!"}),
    # text that only looks like one: no error cell
    (_sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>t="e" &lt;c t="e"&gt;</t></is></c></row>'), {}),
])
def test_error_cells_are_found_however_written(data, want):
    assert error_cells(data, "sheet1.xml") == want
    assert may_hold_errors([data]) or not want


def test_a_mark_split_across_two_pieces_is_seen():
    assert may_hold_errors([b'<c r="A1" t="', b'e"><v>#N/A</v></c>'])
    assert may_hold_errors([b"<c r='A1' t=", b"'e'>"])
    assert not may_hold_errors([b'<c r="A1" t="n"><v>1</v>', b"</c>"])


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return template.new(tmp_path_factory.mktemp("errors") / "sample.xlsx")


def _orders(path):
    with open_package(path) as pkg:
        info = next(t for t in pkg.tables() if t.display_name == "Orders")
        return info.sheet, pkg.sheet(info.sheet).part, list(info.columns)


def _put_error(path, part: str, ref: str, code: str, formula: str | None = None) -> None:
    """``ref`` (``E5``) made an error cell in the sheet's XML, as Excel stores one (style kept)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    data = parts[part]
    m = re.search(rb'<c r="' + ref.encode() + rb'"([^>]*)>.*?</c>', data)
    assert m, ref
    attrs = re.sub(rb' t="[^"]*"', b"", m.group(1))
    body = (f"<f>{formula}</f>" if formula else "") + f"<v>{code}</v>"
    parts[part] = (data[:m.start()] + b'<c r="' + ref.encode() + b'"' + attrs + b' t="e">' + body.encode() + b"</c>"
                   + data[m.end():])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)


HEADER = ["Order ID", "Date", "Channel", "Customer", "Amount", "Cost"]


def _export(path, rows: list[list], error: str, top: int = 1, left: int = 1):
    """An .xlsx export as a shop's system writes one: ``rows`` from the cell at ``top``, ``left``
    (1-based), and the cell ``error`` (``F7``) a #N/A error value."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(top + i, left + j, v)
    ws[error] = "#N/A"
    ws[error].data_type = "e"
    wb.save(path)
    return path


@pytest.mark.parametrize("column, code, formula", [
    ("Amount", "#N/A", None),  # a number column: the goal summing it
    ("Amount", "#DIV/0!", "1/0"),  # a formula's cached result
    ("Date", "#N/A", None),  # the date column every Orders goal reads
    ("Channel", "#N/A", None),  # a label a goal filters on
])
def test_an_error_in_a_data_table_is_named_at_its_cell(sample, tmp_path, column, code, formula):
    path = tmp_path / "book.xlsx"
    shutil.copy(sample, path)
    sheet, part, columns = _orders(path)
    ref = "ABCDEFGH"[columns.index(column)] + "5"
    _put_error(path, part, ref, code, formula)
    with open_package(path) as pkg:
        assert pkg.error_cells(sheet) == {(5, columns.index(column) + 1): code}

    report = refresh(path, as_of=AS_OF, backup=False)
    said = f"{sheet}!{ref}: " + SAID.format(code=code)
    assert said in report.warnings, report.warnings
    card = report.scorecard
    hit = card[card["rule"] == said]
    assert len(hit) >= 1 and set(hit["status"]) == {"no_data"}, card[["id", "status", "rule"]]
    # the online revenue goal reads Amount, Date and Channel: it is one of them, never a silently smaller sum
    online = card[card["id"] == "O1"]
    assert "online" in online.iloc[0]["name"].lower() and online.iloc[0]["status"] == "no_data", online


def test_a_formula_over_an_error_cell_gives_the_error(sample, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(sample, path)
    refresh(path, as_of=AS_OF, backup=False)
    sheet, part, columns = _orders(path)

    def aov(p):
        with open_package(p) as pkg:
            return next(c.value for c in pkg.read_formulas("Functions").values()
                        if c.formula.startswith("AOV(SUM(Orders[Amount])"))

    assert isinstance(aov(path), float)
    _put_error(path, part, "ABCDEFGH"[columns.index("Amount")] + "9", "#N/A")
    refresh(path, as_of=AS_OF, backup=False)
    got = aov(path)
    assert isinstance(got, XlError) and str(got) == "#N/A"  # SUM over a #N/A is #N/A, as in Excel


def test_said_in_chinese_in_a_chinese_workbook(tmp_path):
    path = template.new(tmp_path / "zh.xlsx", lang="zh-TW")
    sheet, part, columns = _orders(path)
    col = next(i for i, c in enumerate(columns) if c in ("Amount", "\u91d1\u984d"))  # 金額
    ref = "ABCDEFGH"[col] + "5"
    _put_error(path, part, ref, "#N/A")
    report = refresh(path, as_of=AS_OF, backup=False)
    # 含有錯誤值 #N/A（公式產生的錯誤，或貼上的錯誤值）；請更正或清除這個儲存格
    said = (f"{sheet}!{ref}\uff1a\u542b\u6709\u932f\u8aa4\u503c #N/A\uff08\u516c\u5f0f\u7522\u751f\u7684\u932f\u8aa4"
            "\uff0c\u6216\u8cbc\u4e0a\u7684\u932f\u8aa4\u503c\uff09\uff1b\u8acb\u66f4\u6b63\u6216\u6e05\u9664\u9019"
            "\u500b\u5132\u5b58\u683c")
    assert said in report.warnings, report.warnings


def test_an_error_in_an_imported_excel_file_is_kept_and_said(sample, tmp_path):
    """`kpi-xl import` of an .xlsx export with a #N/A (its first cell at B3, not A1): the error is
    imported as an error cell at its place, the report says where, and refresh names the cell."""
    from kpi_xl.workbook.importing import import_table

    rows = [HEADER] + [[f"N{i}", dt.datetime(2026, 5, i), "Online", f"C{i}", 100.0 * i, 40.0 * i] for i in range(1, 9)]
    src = _export(tmp_path / "export.xlsx", rows, "F7", top=3, left=2)  # row 7 of the sheet: the 4th order's Amount

    path = tmp_path / "book.xlsx"
    shutil.copy(sample, path)
    report = import_table(path, "Orders", src, mode="replace", backup=False)
    assert report.rows == 8
    assert any("1 cell(s) hold an error value" in n and "row 7, column 'Amount': #N/A" in n for n in report.notes), \
        report.notes
    sheet, part, columns = _orders(path)
    amount = columns.index("Amount") + 1
    with open_package(path) as pkg:
        assert pkg.error_cells(sheet) == {(5, amount): "#N/A"}  # the table's 4th row
    done = refresh(path, as_of=AS_OF, backup=False)
    assert f"{sheet}!{'ABCDEFGH'[amount - 1]}5: " + SAID.format(code="#N/A") in done.warnings

@pytest.mark.parametrize("kind", ["csv", "frame"])
def test_an_error_written_as_text_in_a_csv_or_a_dataframe_is_said(sample, tmp_path, kind):
    """Excel writes an error cell into a CSV as its code (#N/A); imported, it is an error cell again
    (as Excel reads that CSV), and the import says how many and where the first is."""
    import pandas as pd

    from kpi_xl.workbook.importing import import_table

    frame = pd.DataFrame({"Order ID": ["N1", "N2", "N3"], "Date": ["2026-05-01", "2026-05-02", "2026-05-03"],
                          "Channel": ["Online"] * 3, "Customer": ["C1", "C2", "C3"],
                          "Amount": ["100", "#DIV/0!", "300"], "Cost": ["40", "50", "#N/A"]})
    source = tmp_path / "orders.csv"
    frame.to_csv(source, index=False)
    path = tmp_path / "book.xlsx"
    shutil.copy(sample, path)
    report = import_table(path, "Orders", source if kind == "csv" else frame, mode="replace", backup=False)
    where = "row 3" if kind == "csv" else "row 1"  # the file's row under its header; a DataFrame's position
    assert any(n.endswith("goals that read them show No data until they are corrected") and "2 cell(s)" in n
               and f"(first: {where}, column 'Amount': #DIV/0!)" in n for n in report.notes), report.notes
    sheet, part, columns = _orders(path)
    with open_package(path) as pkg:
        assert pkg.error_cells(sheet) == {(3, columns.index("Amount") + 1): "#DIV/0!",
                                          (4, columns.index("Cost") + 1): "#N/A"}



@pytest.mark.parametrize("data, want", [
    # rows without numbers, cells with references (the cell's own says where it is)
    (_sheet('<row><c r="A1"><v>1</v></c></row><row><c r="B5" t="e"><v>#N/A</v></c></row>'), {(5, 2): "#N/A"}),
    # a numbered row, cells without references: counted from the row's first cell
    (_sheet('<row r="4" spans="1:3"><c><v>1</v></c><c/><c t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'),
     {(4, 3): "#DIV/0!"}),
    # an empty value, an escaped one, a prefixed value element, spaces in the end tags
    (_sheet("<x:row r='2'><x:c r='A2' t='e'><x:v></x:v></x:c><x:c r='B2' t='e'><x:v>#N/A</x:v ></x:c >"
            "<x:c r='XFD2' t='e'><x:v>#REF!</x:v></x:c></x:row>", "x"),
     {(2, 1): "#VALUE!", (2, 2): "#N/A", (2, 16384): "#REF!"}),
    # prefixed rows and cells without numbers, a rich inline string and an empty cell before the error
    (_sheet("<x:row><x:c/></x:row><x:row><x:c t='inlineStr'><x:is><x:r><x:rPr><x:color rgb='FF0000'/></x:rPr>"
            "<x:t>c t='e'</x:t></x:r></x:is></x:c><x:c/><x:c t='e'><x:v>#NULL!</x:v></x:c></x:row>", "x"),
     {(2, 3): "#NULL!"}),
])
def test_error_cells_are_found_at_their_own_reference(data, want):
    assert error_cells(data, "sheet1.xml") == want


def test_many_error_cells_in_rows_without_numbers_are_each_at_their_row():
    """A generator that numbers neither rows nor cells, a #N/A on every other row: each found
    at its row (the row numbers counted once over the sheet, not once per error)."""
    error = '<c t="e"><v>#N/A</v></c>'
    rows = "".join(f"<row><c><v>{i}</v></c>{error if i % 2 else ''}</row>" for i in range(1, 3001))
    got = error_cells(_sheet(rows), "sheet1.xml")
    assert got == {(i, 2): "#N/A" for i in range(1, 3001, 2)}


@pytest.mark.parametrize("formula, want", [
    ("COUNT(B1:B5)", 3.0),  # Excel's COUNT skips an error cell: the numbers are 1, 3 and 5
    ("COUNT(B2)", 0.0),
    ("COUNT(1,B2)", 1.0),
    ("COUNTA(B1:B5)", 4.0),  # an error is a value for COUNTA
    ("SUM(B1:B5)", "#N/A"),
    ("AND(B1:B5)", "#N/A"),  # AND and OR over an error give the error
    ("OR(B1:B5)", "#N/A"),
    ("IFERROR(AND(B1:B5),FALSE)", False),
    ("AND(B1,B3)", True),
])
def test_functions_over_a_range_with_an_error_cell_answer_as_excel(formula, want):
    from kpi_xl.workbook.evaluate import Evaluator, FormulaContext

    cells = [["a", 1.0], ["b", XlError("#N/A")], ["c", 3.0], ["d", ""], ["e", 5.0]]
    got = Evaluator(FormulaContext(lambda sheet: cells, {}, {})).evaluate(formula, "S")
    assert got == want and isinstance(got, XlError) == isinstance(want, str), got


def test_an_imported_sheet_not_starting_at_a1_names_the_rows_people_see(tmp_path):
    """An export whose table starts at B3: its totals row is named at its row in the file (12), as the
    error cell's note names its row (7), never counted from row 2; the error stays among the amounts
    (written as text, read as numbers), never a refusal."""
    from kpi_xl.workbook.sources import read_source

    rows = [HEADER]
    rows += [[f"N{i}", dt.datetime(2026, 5, i), "Online", f"C{i}", f"{1000 * i:,.2f}", 40.0 * i] for i in range(1, 9)]
    rows += [["Total", None, None, None, "36,000.00", 1440.0]]  # amounts written as text, as some exports do
    src = _export(tmp_path / "export.xlsx", rows, "F7", top=3, left=2)  # the 4th order's Amount
    amounts = read_source(src)
    said = [n.text("en") for n in amounts.notes]
    assert any("row 7, column 'Amount': #N/A" in n for n in said), said
    assert any("row 12 ('Total') left out" in n for n in said), said

    got = amounts.values[amounts.columns.index("Amount")]
    assert got[:5] == [1000.0, 2000.0, 3000.0, XlError("#N/A"), 5000.0] and isinstance(got[3], XlError), got


@pytest.mark.parametrize("column, kpi", [
    ("Rating", "CSAT"),  # numbers a record-by-record KPI reads (a column with blanks)
    ("First response", "FRT"),  # date-times a record-by-record KPI reads
])
def test_an_error_read_by_a_record_kpi_is_named_at_its_cell(sample, tmp_path, column, kpi):
    """CSAT and FRT read the tickets one by one: a #N/A among them showed "no data in the goal's
    period so far" (CSAT) or no actual and a status from the roll-up (FRT), with no warning."""
    from kpi_xl.workbook.refresh import FileWorkbook

    path = tmp_path / "book.xlsx"
    shutil.copy(sample, path)
    with open_package(path) as pkg:
        info = next(t for t in pkg.tables() if t.display_name == "Tickets")
        part, columns = pkg.sheet(info.sheet).part, list(info.columns)
        rows = FileWorkbook(path, pkg).sheet_values(info.sheet)
    created, rating = columns.index("Created"), columns.index("Rating")
    row = max(i for i, r in enumerate(rows[1:], start=2)  # a rated ticket of the goal's period so far
              if isinstance(r[created], dt.datetime) and r[created].date() < AS_OF and r[rating] != "")
    ref = "ABCDEFGH"[columns.index(column)] + str(row)
    _put_error(path, part, ref, "#N/A")

    report = refresh(path, as_of=AS_OF, backup=False)
    said = f"{info.sheet}!{ref}: " + SAID.format(code="#N/A")
    assert said in report.warnings, report.warnings
    card = report.scorecard
    goal = card[card["kpi"] == kpi].iloc[0]
    assert goal["status"] == "no_data" and goal["rule"] == said, goal[["id", "status", "rule"]]


def test_an_error_among_date_times_read_as_numbers_is_named_at_its_row():
    """A column of date-times read as numbers of days (ticket timestamps) with a #N/A on row 3: the
    #N/A is said at row 3, not "row 1: '2026-05-01 09:00:00' is not a number"."""
    import pandas as pd

    from kpi_xl.goals.data import DataError, DataTables

    when = pd.Series([dt.datetime(2026, 5, i, 9) for i in range(1, 5)], dtype=object)
    when[2] = XlError("#N/A")
    with pytest.raises(DataError) as refused:
        DataTables({"Tickets": pd.DataFrame({"Resolved": when})}).numbers("Tickets", "Resolved")
    assert refused.value.row == 3 and "holds the error value #N/A" in refused.value.text("en"), refused.value.text("en")


def test_an_error_among_amounts_written_as_text_in_a_csv_is_kept(tmp_path):
    """A CSV whose amounts are written as text ("1,000.00") with a #N/A among them, as Excel saves a
    failed lookup: the amounts are read as numbers and the #N/A stays an error (the import was refused:
    "'#N/A' is not a number, yet the column holds numbers written as text")."""
    from kpi_xl.workbook.sources import read_source

    source = tmp_path / "orders.csv"
    source.write_text('Order ID,Amount\nN1,"1,000.00"\nN2,#N/A\nN3,"3,000.00"\n', encoding="utf-8")
    got = read_source(source)
    assert got.values[1] == [1000.0, "#N/A", 3000.0], got.values
    assert any("(first: row 3, column 'Amount': #N/A)" in n.text("en") for n in got.notes), got.notes


def test_an_error_beside_amounts_written_as_text_is_kept_not_refused(sample, tmp_path):
    """A shop's .xlsx export whose Amount column has amounts typed as text ('NT$1,200') and one
    #N/A from a lookup: the error is imported at its place, as in a column of plain numbers, not
    refused as "'#N/A' is not a number" (an error value is no word among the amounts)."""
    import openpyxl

    from kpi_xl.workbook.importing import import_table

    rows = [HEADER] + [[f"N{i}", dt.datetime(2026, 5, i), "Online", f"C{i}",
                        f"NT${1000 + i:,}" if i % 2 else 100.0 * i, 40.0 * i] for i in range(1, 9)]
    src = _export(tmp_path / "export.xlsx", rows, "E5")  # the 4th order's Amount

    path = tmp_path / "book.xlsx"
    shutil.copy(sample, path)
    report = import_table(path, "Orders", src, mode="replace", backup=False)
    assert report.rows == 8
    assert any("row 5, column 'Amount': #N/A" in n for n in report.notes), report.notes
    assert any("numbers written as text read as numbers in column(s) Amount" in n for n in report.notes), report.notes
    sheet, part, columns = _orders(path)
    amount = columns.index("Amount") + 1
    with open_package(path) as pkg:
        assert pkg.error_cells(sheet) == {(5, amount): "#N/A"}
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    col = [r[0] for r in ws.iter_rows(min_row=2, max_row=9, min_col=amount, max_col=amount, values_only=True)]
    assert col[:3] == [1001, 200, 1003] and col[3] == "#N/A", col  # the amounts as numbers, the error kept
    done = refresh(path, as_of=AS_OF, backup=False)
    assert f"{sheet}!{'ABCDEFGH'[amount - 1]}5: " + SAID.format(code="#N/A") in done.warnings
