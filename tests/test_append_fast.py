"""Appending rows by byte offsets (kpi_xl/workbook/package/append.py) writes exactly what the
full path writes, and leaves sheets whose bytes could mislead a byte search to the full path."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest
from openxml_audit import OpenXmlValidator
from python_calamine import CalamineWorkbook

from kpi_xl.workbook import importing
from kpi_xl.workbook.importing import import_table
from kpi_xl.workbook.package import append as fast
from kpi_xl.workbook.template import new


def export(path: Path, first: int, n: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Order ID", "Date", "Customer", "Amount", "Channel"])
        for i in range(first, first + n):
            w.writerow([f"A{i:05d}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", f"C{i % 97}", f"{i * 1.25:.2f}",
                        "" if i % 7 == 0 else "Online"])
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def orders(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python()


@pytest.fixture()
def filled(tmp_path: Path) -> Path:
    book = new(tmp_path / "book.xlsx", empty=True)
    import_table(book, "Orders", export(tmp_path / "first.csv", 1, 3000), mode="replace", backup=False)
    return book


def test_an_append_is_spliced_and_equals_the_full_path_byte_for_byte(filled: Path, tmp_path: Path, monkeypatch):
    more = export(tmp_path / "more.csv", 3001, 250)
    slow = tmp_path / "slow.xlsx"
    slow.write_bytes(filled.read_bytes())
    used = []
    real = fast.append_rows
    monkeypatch.setattr(importing, "append_rows", lambda *a, **k: used.append(1) or real(*a, **k))
    import_table(filled, "Orders", more, backup=False)
    assert used, "the append did not take the byte-offset path"
    monkeypatch.setattr(importing, "sheet_tail", lambda *a: None)
    import_table(slow, "Orders", more, backup=False)
    assert parts(filled) == parts(slow)
    result = OpenXmlValidator().validate(str(filled))
    assert result.is_valid, [str(e) for e in result.errors[:5]]
    rows = orders(filled)
    assert len(rows) == 1 + 3250 and rows[-1][0] == "A03250" and rows[3001][0] == "A03001"


def test_a_sheet_with_a_comment_or_an_instruction_is_left_to_the_full_path(filled: Path):
    with zipfile.ZipFile(filled) as z:
        name = next(n for n in z.namelist() if n.startswith("xl/worksheets/") and b"A03000" in z.read(n))
        data = z.read(name)
    assert fast.tail_of(data, name) is not None
    at = data.index(b"<sheetData")
    for trick in (b"<!-- </sheetData> -->", b"<?pi </sheetData>?>", b"<![CDATA[x]]>"):
        assert fast.tail_of(data[:at] + trick + data[at:], name) is None
    root = data.index(b"<worksheet") + len(b"<worksheet")
    assert fast.tail_of(data[:root] + b' x="a>b"' + data[root:], name) is None


def test_the_tail_is_found_in_a_prefixed_sheet():
    xml = (b'<?xml version="1.0" encoding="UTF-8"?>\n<x:worksheet xmlns:x="http://schemas.openxmlformats.org/'
           b'spreadsheetml/2006/main"><x:dimension ref="A1:B2"/><x:cols><x:col min="2" max="2" style="3"/></x:cols>'
           b'<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Id</x:t></x:is></x:c></x:row>'
           b'<x:row r="2"><x:c r="A2" s="1"><x:v>7</x:v></x:c><x:c r="B2"><x:v>1</x:v></x:c></x:row></x:sheetData>'
           b'<x:rowBreaks count="1"><x:brk id="5"/></x:rowBreaks></x:worksheet>')
    tail = fast.tail_of(xml, "sheet1.xml")
    assert tail is not None and tail.prefix == b"x:" and tail.last_row == 2
    assert {rc: c.value for rc, c in tail.last_cells.items()} == {(2, 1): 7, (2, 2): 1}
    assert tail.col_style(2) == 3 and tail.col_style(1) is None
    assert xml[tail.close:].startswith(b"</x:sheetData>")


def test_cells_below_the_table_still_refuse_or_stay(filled: Path, tmp_path: Path):
    from kpi_xl.workbook.package import open_package

    with open_package(filled) as pkg:
        pkg.write_region("Orders", 3010, 1, 1, [["a note"]])
        pkg.save(filled, backup=False)
    with pytest.raises(Exception, match="Orders!A3010"):
        import_table(filled, "Orders", export(tmp_path / "more.csv", 3001, 50), backup=False)
    assert orders(filled)[-1][0] == "a note" and len(orders(filled)) == 1 + 3009
