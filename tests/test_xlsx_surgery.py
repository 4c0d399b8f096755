"""Surgical edits of .xlsx packages (kpi_xl.workbook.package): only the region changes.

Fixture workbooks are built here with XlsxWriter (a table, a chart, conditional
formats, data validation, a sparkline, a comment, a defined name, frozen panes,
a VBA project) and, for odd shapes, by hand as raw zip members.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from kpi_xl.errors import KpiXlError, XlError
from kpi_xl.workbook.package import Cell, Limits, MiB, WorkbookError, backup_path, open_package, parts

SHEET1 = "xl/worksheets/sheet1.xml"
FAKE_VBA = bytes(range(256)) * 16


# --------------------------------------------------------------------------- fixtures


def build_book(path: Path) -> Path:
    """A small scorecard with most things openpyxl would lose or rewrite."""
    (path.parent / "vbaProject.bin").write_bytes(FAKE_VBA)
    wb = xlsxwriter.Workbook(str(path))
    wb.add_vba_project(str(path.parent / "vbaProject.bin"))
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    pct = wb.add_format({"num_format": "0.0%"})
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("Scorecard")
    ws.set_column("B:B", 12, date_fmt)
    ws.set_column("D:D", 10, pct)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, ["Goal", "Date", "Status", "Pct", "Note"], bold)
    for r in range(1, 6):
        ws.write_row(r, 0, [f"G{r}", dt.date(2024, 1, r), "old", r / 10, "keep me"])
    ws.write_formula(6, 4, "=SUM(D2:D6)", None, 1.5)
    ws.write_formula(7, 4, '=IF(E7>1,"high","low")', None, "high")
    ws.write_comment("E2", "a comment")
    ws.add_sparkline("F2", {"range": "Scorecard!D2:D6"})
    ws.conditional_format("D2:D6", {"type": "cell", "criteria": ">", "value": 0.3, "format": pct})
    ws.data_validation("C2:C6", {"validate": "list", "source": ["ok", "late"]})
    data = wb.add_worksheet("Data")
    data.add_table("A1:C4", {"name": "Deals", "columns": [{"header": "ID"}, {"header": "Value"}, {"header": "Owner"}],
                             "data": [[1, 10, "x"], [2, 20, "y"], [3, 30, "z"]]})
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$B$2:$B$4"})
    data.insert_chart("E2", chart)
    hidden = wb.add_worksheet("Chart data")
    hidden.hide()
    hidden.write("A1", 1)
    wb.define_name("Goals", "=Scorecard!$A$1:$E$6")
    wb.close()
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return build_book(tmp_path / "book.xlsm")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def raw_members(path: Path) -> dict[str, bytes]:
    """Each member's compressed bytes, as stored."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            fh.seek(info.header_offset)
            header = fh.read(30)
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            fh.seek(info.header_offset + 30 + name_len + extra_len)
            out[info.filename] = fh.read(info.compress_size)
    return out


ROW = re.compile(rb'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.S)
CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def rows_xml(sheet: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(0) for m in ROW.finditer(sheet)}


def cells_xml(sheet: bytes) -> dict[tuple[int, str], bytes]:
    return {(int(m.group(2)), m.group(1).decode()): m.group(0) for m in CELL.finditer(sheet)}


def load_openpyxl(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Sparkline Group extension is not supported"
        return openpyxl.load_workbook(path)


def calamine_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


VALUES = [
    [dt.date(2025, 1, 1), "進度正常 <&>\"", 0.5],
    [dt.datetime(2025, 1, 2, 12, 0), True, "#N/A"],
    [None, 3, 4.25],
    [dt.date(2025, 3, 4), "", -7],
]


# --------------------------------------------------------------------------- write_region


def test_write_region_leaves_every_other_part_and_cell_identical(book: Path, tmp_path: Path):
    before, raw_before = members(book), raw_members(book)
    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 2, 4, VALUES)
        out = pkg.save(tmp_path / "out.xlsm")
    after, raw_after = members(out), raw_members(out)

    assert list(after) == list(before)  # member order kept
    for name in before:
        if name != SHEET1:
            assert after[name] == before[name], name
            assert raw_after[name] == raw_before[name], name  # the original compressed bytes
    assert after["xl/vbaProject.bin"] == FAKE_VBA
    with zipfile.ZipFile(book) as a, zipfile.ZipFile(out) as b:
        for x, y in zip(a.infolist(), b.infolist()):
            assert (x.date_time, x.external_attr, x.compress_type) == (y.date_time, y.external_attr, y.compress_type)

    old, new = before[SHEET1], after[SHEET1]
    head_old, head_new = old.split(b"<sheetData>")[0], new.split(b"<sheetData>")[0]
    assert re.sub(rb'<dimension ref="[^"]*"/>', b"", head_old) == re.sub(rb'<dimension ref="[^"]*"/>', b"", head_new)
    assert b'<dimension ref="A1:E8"/>' in head_new
    assert old.split(b"</sheetData>")[1] == new.split(b"</sheetData>")[1]  # cond. formats, validation, sparkline ext
    assert rows_xml(new)[1] == rows_xml(old)[1]  # above the region: the row's exact text, spans and all
    old_cells, new_cells = cells_xml(old), cells_xml(new)
    for (row, col), text in old_cells.items():
        if row >= 2 and col in "BCD":
            continue
        assert new_cells[(row, col)] == text, (row, col)
    assert b"spans" not in rows_xml(new)[2]  # touched rows lose their spans
    assert b"<sst" in after["xl/sharedStrings.xml"] and after["xl/sharedStrings.xml"] == before["xl/sharedStrings.xml"]


def test_written_values_read_back_in_openpyxl_and_calamine(book: Path):
    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 2, 4, VALUES)
        pkg.save()
        cells = pkg.read_cells("Scorecard", min_row=2, max_row=5)

    ws = load_openpyxl(book)["Scorecard"]
    assert ws["B2"].value == dt.datetime(2025, 1, 1) and ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["C2"].value == "進度正常 <&>\""
    assert ws["D2"].value == 0.5 and ws["D2"].number_format == "0.0%"
    assert ws["B3"].value == dt.datetime(2025, 1, 2, 12, 0)
    assert ws["C3"].value is True
    assert ws["D3"].value == "#N/A" and ws["D3"].data_type == "e"
    assert ws["B4"].value is None and ws["C4"].value == 3 and ws["D4"].value == 4.25
    assert ws["C5"].value is None and ws["D5"].value == -7 and ws["D5"].number_format == "0.0%"
    assert ws["A2"].value == "G1" and ws["E5"].value == "keep me"  # outside the region

    rows = calamine_rows(book, "Scorecard")
    assert rows[1][:5] == ["G1", dt.date(2025, 1, 1), "進度正常 <&>\"", 0.5, "keep me"]
    assert rows[2][1:4] == [dt.datetime(2025, 1, 2, 12, 0), True, ""]  # python-calamine shows errors as ""
    assert rows[3][1:4] == ["", 3.0, 4.25]

    assert cells[(2, 2)].value == 45658 and cells[(2, 2)].style == cells[(3, 2)].style != 0
    assert cells[(3, 2)].value == 45659.5
    assert cells[(2, 3)] == Cell("進度正常 <&>\"", None, 0, "inlineStr")
    assert cells[(3, 3)].value is True and cells[(3, 4)].value == "#N/A" and cells[(3, 4)].type == "e"
    assert (5, 3) not in cells  # "" leaves no cell


def test_control_characters_and_literal_escapes_round_trip(tmp_path: Path):
    """Excel's _xHHHH_ escapes: a carriage return or control character survives, so does literal "_x0041_"."""
    path = mini_book(tmp_path / "esc.xlsx", "<sheetData/>")
    with open_package(path) as pkg:
        pkg.write_region("Sheet1", 1, 1, 2, [["a\rb\x01", "_x0041_"]])
        pkg.save()
        assert [c.value for c in pkg.read_cells("Sheet1").values()] == ["a\rb\x01", "_x0041_"]
    assert calamine_rows(path, "Sheet1") == [["a\rb\x01", "_x0041_"]]


def test_explicit_styles_win_over_column_styles(book: Path):
    with open_package(book) as pkg:
        header_style = pkg.read_cells("Scorecard", 1, 1)[(1, 1)].style  # bold
        pkg.write_region("Scorecard", 2, 2, 3, [[1, 2]], styles=[header_style, None])
        cells = pkg.read_cells("Scorecard", 2, 2)
        assert cells[(2, 2)].style == header_style
        assert cells[(2, 3)].style == 0  # column C has no style of its own
        with pytest.raises(WorkbookError, match="style index 999"):
            pkg.write_region("Scorecard", 2, 2, 3, [[1, 2]], styles=[999, None])


def test_smaller_region_clears_old_rows_larger_extends(book: Path):
    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 1, 4, [[f"r{i}", i, "x", i / 100] for i in range(10)])
        pkg.save()
    ws = load_openpyxl(book)["Scorecard"]
    assert [ws.cell(r, 1).value for r in range(2, 12)] == [f"r{i}" for i in range(10)]
    assert ws.cell(11, 4).value == 0.09 and ws.cell(11, 4).number_format == "0.0%"
    assert ws["E7"].value == "=SUM(D2:D6)"  # column E is outside the region

    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 1, 4, [["only", 1, "y", 0.5]])
        pkg.save()
        xml = pkg.read_part(SHEET1)
    ws = load_openpyxl(book)["Scorecard"]
    assert ws["A2"].value == "only" and ws["A3"].value is None and ws["A11"].value is None
    assert ws["E3"].value == "keep me"
    assert b'<row r="11"' not in xml  # an emptied row without formatting of its own goes
    assert b'<dimension ref="A1:E8"/>' in xml
    rows = calamine_rows(book, "Scorecard")
    assert len(rows) == 8 and rows[2][:4] == ["", "", "", ""]


def test_region_beyond_existing_rows_and_in_an_empty_sheet(tmp_path: Path):
    path = mini_book(tmp_path / "mini.xlsx", "<sheetData/>")
    with open_package(path) as pkg:
        pkg.write_region("Sheet1", 3, 2, 3, [["a", 1], ["b", 2]])
        pkg.save()
        assert b'<dimension ref="B3:C4"/>' in pkg.read_part(SHEET1)
    assert calamine_rows(path, "Sheet1")[-2:] == [["", "a", 1.0], ["", "b", 2.0]]
    assert load_openpyxl(path)["Sheet1"]["C4"].value == 2


def test_set_cached_values_updates_results_not_formulas(book: Path):
    with open_package(book) as pkg:
        pkg.set_cached_values("Scorecard", {(7, 5): 42, (8, 5): "low <&>"})
        pkg.save()
        cells = pkg.read_cells("Scorecard", 7, 8)
    assert cells[(7, 5)] == Cell(42, "SUM(D2:D6)", 0, "n")
    assert cells[(8, 5)].value == "low <&>" and cells[(8, 5)].type == "str"
    rows = calamine_rows(book, "Scorecard")
    assert rows[6][4] == 42.0 and rows[7][4] == "low <&>"
    ws = load_openpyxl(book)["Scorecard"]
    assert ws["E7"].value == "=SUM(D2:D6)"
    assert ws["E8"].value == '=IF(E7>1,"high","low")'

    with open_package(book) as pkg:
        pkg.set_cached_values("Scorecard", {(7, 5): True, (8, 5): "#DIV/0!"})
        cells = pkg.read_cells("Scorecard", 7, 8)
        assert cells[(7, 5)].value is True and cells[(7, 5)].type == "b"
        assert cells[(8, 5)].value == "#DIV/0!" and cells[(8, 5)].type == "e"
        with pytest.raises(WorkbookError, match="A2 is not a formula cell"):
            pkg.set_cached_values("Scorecard", {(2, 1): 1})
        with pytest.raises(WorkbookError, match="not a formula"):
            pkg.set_cached_values("Scorecard", {(100, 1): 1})


# --------------------------------------------------------------------------- reading


def test_structure_sheets_tables_names_strings(book: Path):
    with open_package(book) as pkg:
        sheets = pkg.sheets()
        assert [(s.name, s.part, s.state) for s in sheets] == [
            ("Scorecard", "xl/worksheets/sheet1.xml", "visible"),
            ("Data", "xl/worksheets/sheet2.xml", "visible"),
            ("Chart data", "xl/worksheets/sheet3.xml", "hidden")]
        assert sheets[0].sheet_id == 1 and sheets[0].rid.startswith("rId")
        (table,) = pkg.tables()
        assert (table.display_name, table.sheet, table.ref, table.header_row_count, table.columns) == (
            "Deals", "Data", "A1:C4", 1, ("ID", "Value", "Owner"))
        assert [(n.name, n.value, n.sheet) for n in pkg.defined_names()] == [("Goals", "Scorecard!$A$1:$E$6", None)]
        assert pkg.shared_strings()[:2] == ["Goal", "Date"]
        assert pkg.sheet("scorecard").name == "Scorecard"  # Excel's names ignore case
        with pytest.raises(WorkbookError, match="no sheet named 'Nope'"):
            pkg.read_cells("Nope")


def test_read_cells_types_formulas_and_shared_formulas(tmp_path: Path):
    sheet = (
        '<sheetData>'
        '<row r="1"><c r="A1"><v>2</v></c><c r="B1"><f t="shared" ref="B1:B3" si="0">A1*2</f><v>4</v></c>'
        '<c r="C1" t="s"><v>0</v></c><c r="D1" t="inlineStr"><is><r><t>bo</t></r><r><t>ld</t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></is></c><c r="E1" t="b"><v>0</v></c></row>'
        '<row r="2"><c r="A2"><v>-1.5E-3</v></c><c r="B2"><f t="shared" si="0"/><v>-0.003</v></c>'
        '<c r="C2" t="e"><v>#DIV/0!</v></c><c r="D2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="E2" s="0"/></row>'
        '<row><c><v>7</v></c><c><v>8</v></c></row>'  # no r attributes: row 3, columns A and B
        '</sheetData>'
    )
    path = mini_book(tmp_path / "m.xlsx", sheet, shared=["x_x000D_y"])
    with open_package(path) as pkg:
        cells = pkg.read_cells("Sheet1")
        formulas = pkg.read_formulas("Sheet1")
    assert formulas == {(1, 2): cells[(1, 2)], (2, 2): cells[(2, 2)], (2, 4): cells[(2, 4)]}
    assert cells[(1, 1)] == Cell(2)
    assert cells[(1, 2)] == Cell(4, "A1*2", 0, "n", 0)
    assert cells[(2, 2)] == Cell(-0.003, "", 0, "n", 0)  # a dependent of shared formula 0
    assert cells[(1, 3)].value == "x\ry"
    assert cells[(1, 4)].value == "bold"
    assert cells[(1, 5)].value is False
    assert cells[(2, 1)].value == -0.0015
    assert cells[(2, 3)].value == "#DIV/0!" and isinstance(cells[(2, 3)].value, XlError)
    assert cells[(2, 4)] == Cell("ab", '"a"&"b"', 0, "str")
    assert cells[(2, 5)].value is None
    assert cells[(3, 1)].value == 7 and cells[(3, 2)].value == 8
    assert set(pkg_rows(path, 2, 2)) == {(2, c) for c in range(1, 6)}


def pkg_rows(path: Path, lo: int, hi: int):
    with open_package(path) as pkg:
        return pkg.read_cells("Sheet1", lo, hi)


def test_splicing_copes_with_unusual_but_valid_xml(tmp_path: Path):
    """Prefixed tags, comments and CDATA that look like rows, cells without r, ext blocks in cells."""
    foreign = '<x:extLst><x:ext uri="u"><foo:row xmlns:foo="urn:foo"><foo:c r="Z9"/></foo:row></x:ext></x:extLst>'
    doc = ('<?xml version="1.0" encoding="UTF-8"?>\n'
           '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<x:dimension ref="A1:C3"/><x:sheetData>\n'
           '  <!-- <x:row r="99"><x:c r="B99"/></x:row> -->\n'
           '  <x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t><![CDATA[</x:row> & <x:c>]]></x:t></x:is></x:c>'
           '<x:c r="B1"><x:v>1</x:v></x:c></x:row>\n'
           f'  <x:row r="2" spans="1:3"><x:c><x:v>2</x:v></x:c><x:c><x:v>3</x:v>{foreign}</x:c>'
           '<x:c><x:v>4</x:v></x:c></x:row>\n'
           '  <x:row r="3" ht="30" customHeight="1"/>\n'
           '</x:sheetData></x:worksheet>')
    path = mini_book(tmp_path / "odd.xlsx", None, sheet_doc=doc)
    with open_package(path) as pkg:
        before = pkg.read_cells("Sheet1")
        pkg.write_region("Sheet1", 2, 2, 2, [["new"], [None], [5]])
        after = pkg.read_cells("Sheet1")
        xml = pkg.read_part(SHEET1)
    outside = lambda cells: {k: v for k, v in cells.items() if not (k[0] >= 2 and k[1] == 2)}  # noqa: E731
    assert outside(after) == outside(before)
    assert after[(1, 1)].value == "</x:row> & <x:c>"
    assert {k: v.value for k, v in after.items() if k[0] >= 2 and k[1] == 2} == {(2, 2): "new", (4, 2): 5}
    assert b"<!-- <x:row r=\"99\"><x:c r=\"B99\"/></x:row> -->" in xml
    assert b'<x:row r="2"><x:c r="A2"><x:v>2</x:v></x:c><x:c r="B2" t="inlineStr"><x:is>' in xml
    assert b'<x:c r="C2"><x:v>4</x:v></x:c></x:row>' in xml
    assert b'<x:row r="3" ht="30" customHeight="1"/>' in xml  # untouched: no cells in the region
    assert b'<x:row r="4"><x:c r="B4"><x:v>5</x:v></x:c></x:row>' in xml
    assert b'<x:dimension ref="A1:C4"/>' in xml


def test_positions_come_from_an_xml_parser_not_from_patterns(tmp_path: Path):
    """'>' inside attribute values, single quotes, entities, and a <sheetData> inside an
    extension block: the edit finds the real rows and cells and keeps the rest."""
    foreign = ('<extLst><ext uri="u" note="a>b"><sheetData xmlns="urn:other"><row r="1"><c r="A1"/></row>'
               '</sheetData></ext></extLst>')
    sheet = ("<sheetData><row r='1' spans='1:2' ht='20' customHeight='1' note='x > y &amp; z'>"
             "<c r='A1' s='0'><v>1</v></c><c r='B1'><f>\"&gt;\"&amp;A1</f><v>&gt;1</v></c></row>"
             "<row r='2'><c r='A2'><v>2</v></c><c r='B2'><v>3</v></c></row></sheetData>" + foreign)
    path = mini_book(tmp_path / "q.xlsx", sheet)
    with open_package(path) as pkg:
        pkg.set_cached_values("Sheet1", {(1, 2): ">2"})
        pkg.write_region("Sheet1", 2, 2, 2, [["new"]])
        cells = pkg.read_cells("Sheet1")
        xml = pkg.read_part(SHEET1)
    assert cells[(1, 2)] == Cell(">2", '">"&A1', 0, "str")
    assert cells[(2, 2)].value == "new" and cells[(2, 1)].value == 2
    assert "<row r='1' spans='1:2' ht='20' customHeight='1' note='x > y &amp; z'>".encode() in xml  # not touched
    assert b'<row r="2"><c r=\'A2\'><v>2</v></c><c r="B2" t="inlineStr">' in xml  # touched: spans gone
    assert foreign.encode() in xml


def test_an_edit_refuses_a_dtd(tmp_path: Path):
    doc = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [<!ENTITY e "boom">]>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>')
    path = mini_book(tmp_path / "dtd.xlsx", None, sheet_doc=doc)
    with open_package(path) as pkg:
        with pytest.raises(WorkbookError, match="unsafe XML"):
            pkg.write_region("Sheet1", 1, 2, 2, [[5]])


def test_region_may_not_cut_a_shared_formula_from_its_master(tmp_path: Path):
    sheet = ('<sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:B1" si="0">1+1</f><v>2</v></c>'
             '<c r="B1"><f t="shared" si="0"/><v>2</v></c></row></sheetData>')
    path = mini_book(tmp_path / "m.xlsx", sheet)
    with open_package(path) as pkg:
        with pytest.raises(WorkbookError, match="master cell of a shared formula"):
            pkg.write_region("Sheet1", 1, 1, 1, [[5]])
        pkg.write_region("Sheet1", 1, 1, 2, [[5, 6]])  # master and dependents go together: fine


def test_removing_formulas_drops_the_calc_chain(tmp_path: Path):
    sheet = '<sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c><c r="B1"><f>2+2</f><v>4</v></c></row></sheetData>'
    calc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<calcChain xmlns="http://schemas.openxmlformats.'
            'org/spreadsheetml/2006/main"><c r="A1" i="1"/><c r="B1"/></calcChain>')
    path = mini_book(tmp_path / "m.xlsx", sheet, calc_chain=calc)
    with open_package(path) as pkg:
        pkg.write_region("Sheet1", 1, 2, 2, [["x"]])
        pkg.save()
    after = members(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"] and b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"sheet1.xml" in after["xl/_rels/workbook.xml.rels"]
    assert load_openpyxl(path)["Sheet1"]["A1"].value == "=1+1"


# --------------------------------------------------------------------------- refusals


def refused(path: Path, match: str, **kw) -> str:
    with pytest.raises(WorkbookError, match=match) as info:
        open_package(path, **kw)
    assert str(path) in str(info.value)
    assert isinstance(info.value, KpiXlError)
    return str(info.value)


def test_refuses_a_text_file_renamed_xlsx(tmp_path: Path):
    path = tmp_path / "report.xlsx"
    path.write_text("Goal,Target\nRevenue,100\n", encoding="utf-8")
    refused(path, "not a zip file")


def test_refuses_a_zip_without_a_workbook(tmp_path: Path):
    path = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    refused(path, r"no \[Content_Types\].xml")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<doc/>")
    refused(path, "no xl/workbook.xml")


def test_refuses_a_zip_bomb_part(tmp_path: Path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * MiB))
    assert path.stat().st_size < 200_000
    message = refused(path, "compression ratio")
    assert "xl/worksheets/sheet1.xml" in message and "zip bomb" in message
    refused(path, "more than the 1 MiB allowed per part", limits=Limits(max_part_bytes=MiB, max_ratio=1e9))
    refused(path, "MiB allowed", limits=Limits(max_total_bytes=MiB, max_ratio=1e9))


def test_refuses_an_encrypted_workbook(tmp_path: Path):
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le"))
    assert "Protect Workbook" in refused(path, "password-protected")
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1000)  # or a legacy .xls
    refused(path, "password-protected")


def test_refuses_path_traversal_names(tmp_path: Path):
    for bad in ("../evil.xml", "xl/../../evil.xml", "/etc/passwd", "C:/evil.xml", "xl\\..\\..\\evil.xml"):
        path = tmp_path / "trav.xlsx"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types/>")
            zf.writestr("xl/workbook.xml", "<workbook/>")
            zf.writestr(zipfile.ZipInfo(bad), "x")
        refused(path, "unsafe member name")


def test_refuses_missing_files_folders_and_unsafe_xml(tmp_path: Path):
    refused(tmp_path / "nowhere.xlsx", "no such file")
    refused(tmp_path, "folder")
    bomb = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>')
    path = mini_book(tmp_path / "dtd.xlsx", None, sheet_doc=bomb)
    with open_package(path) as pkg:
        for action in (lambda: pkg.read_cells("Sheet1"),
                       lambda: pkg.write_region("Sheet1", 1, 1, 1, [[1]])):
            with pytest.raises(WorkbookError, match="unsafe XML") as info:
                action()
            assert "sheet1.xml" in str(info.value) and str(path) in str(info.value)


def test_refuses_bad_regions(book: Path):
    with open_package(book) as pkg:
        with pytest.raises(WorkbookError, match="3 values; the region B:C is 2 columns wide"):
            pkg.write_region("Scorecard", 2, 2, 3, [[1, 2, 3]])
        with pytest.raises(WorkbookError, match="cannot write a object"):
            pkg.write_region("Scorecard", 2, 2, 3, [[object()]])
        with pytest.raises(WorkbookError, match="not a worksheet|no sheet"):
            pkg.write_region("Nope", 2, 2, 3, [[1]])


# --------------------------------------------------------------------------- saving


def test_atomic_save_keeps_a_backup(book: Path):
    original = book.read_bytes()
    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 3, 3, [["new"]])
        assert pkg.save() == book
        pkg.write_region("Scorecard", 2, 3, 3, [["newer"]])  # still usable: reads the saved file
        pkg.save(backup=False)
    bak = backup_path(book)
    assert bak == book.with_name("book.bak.xlsm")
    assert bak.read_bytes() == original
    assert load_openpyxl(book)["Scorecard"]["C2"].value == "newer"
    assert sorted(p.name for p in book.parent.iterdir()) == ["book.bak.xlsm", "book.xlsm", "vbaProject.bin"]


def test_a_crash_while_saving_leaves_the_original_intact(book: Path, tmp_path: Path, monkeypatch):
    original = book.read_bytes()
    real_copy, calls = parts.copy_raw, []

    def flaky_copy(*args, **kw):
        calls.append(1)
        if len(calls) % 4 == 0:  # the 4th member of each save
            raise KeyboardInterrupt("power cut")
        return real_copy(*args, **kw)

    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 3, 3, [["new"]])
        monkeypatch.setattr(parts, "copy_raw", flaky_copy)
        with pytest.raises(KeyboardInterrupt):
            pkg.save()
        with pytest.raises(KeyboardInterrupt):
            pkg.save(tmp_path / "elsewhere.xlsm")
        assert book.read_bytes() == original
        assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsm", "vbaProject.bin"]  # no temp, no .bak

        monkeypatch.setattr(parts, "copy_raw", real_copy)
        pkg.save()  # the edit is still there and saves fine afterwards
    assert load_openpyxl(book)["Scorecard"]["C2"].value == "new"


def test_save_refuses_a_file_changed_on_disk(book: Path):
    with open_package(book) as pkg:
        pkg.write_region("Scorecard", 2, 3, 3, [["new"]])
        build_book(book.parent / "other.xlsm")
        os.replace(book.parent / "other.xlsm", book)
        with pytest.raises(WorkbookError, match="changed on disk"):
            pkg.save()


# --------------------------------------------------------------------------- hand-made packages


def mini_book(path: Path, sheet_data: str | None, *, shared: list[str] | None = None,
              calc_chain: str | None = None, sheet_doc: str | None = None) -> Path:
    """The smallest workbook Excel opens, with the given <sheetData> (or whole sheet XML)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    decl = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    sheet = sheet_doc or (f'{decl}<worksheet xmlns="{main}" xmlns:r="{rel}"><dimension ref="A1"/>'
                          f'{sheet_data}<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                          'header="0.3" footer="0.3"/></worksheet>')
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.sheet.main+xml"/>',
                 '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.worksheet+xml"/>']
    rels = [f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>']
    parts = {}
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f'{decl}<sst xmlns="{main}" count="{len(shared)}">{items}</sst>'
        overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.spreadsheetml.sharedStrings+xml"/>')
        rels.append(f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
    if calc_chain is not None:
        parts["xl/calcChain.xml"] = calc_chain
        overrides.append('<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.spreadsheetml.calcChain+xml"/>')
        rels.append(f'<Relationship Id="rId3" Type="{rel}/calcChain" Target="calcChain.xml"/>')
    files = {
        "[Content_Types].xml": (f'{decl}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                                'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                                + "".join(overrides) + "</Types>"),
        "_rels/.rels": (f'{decl}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                        "</Relationships>"),
        "xl/workbook.xml": (f'{decl}<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (f'{decl}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                       'relationships">' + "".join(rels) + "</Relationships>"),
        SHEET1: sheet,
        **parts,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path
