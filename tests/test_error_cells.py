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
    import openpyxl

    from kpi_xl.workbook.importing import import_table

    src = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    rows = [["Order ID", "Date", "Channel", "Customer", "Amount", "Cost"]]
    rows += [[f"N{i}", dt.datetime(2026, 5, i), "Online", f"C{i}", 100.0 * i, 40.0 * i] for i in range(1, 9)]
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            ws.cell(3 + i, 2 + j, v)
    ws["F7"] = "#N/A"  # row 7 of the sheet: the 4th order's Amount
    ws["F7"].data_type = "e"
    wb.save(src)

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


def test_an_error_beside_amounts_written_as_text_is_kept_not_refused(sample, tmp_path):
    """A shop's .xlsx export whose Amount column has amounts typed as text ('NT$1,200') and one
    #N/A from a lookup: the error is imported at its place, as in a column of plain numbers, not
    refused as "'#N/A' is not a number" (an error value is no word among the amounts)."""
    import openpyxl

    from kpi_xl.workbook.importing import import_table

    src = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Order ID", "Date", "Channel", "Customer", "Amount", "Cost"])
    for i in range(1, 9):
        ws.append([f"N{i}", dt.datetime(2026, 5, i), "Online", f"C{i}",
                   f"NT${1000 + i:,}" if i % 2 else 100.0 * i, 40.0 * i])
    ws["E5"] = "#N/A"  # the 4th order's Amount
    ws["E5"].data_type = "e"
    wb.save(src)

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
