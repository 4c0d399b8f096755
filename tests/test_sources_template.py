"""The template's Sources sheet: an empty Sources table (header, one blank row, a line saying
what goes there) in both languages, that refresh ignores while it is empty and reads once a
row names a source."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kpi_xl.cli import main
from kpi_xl.workbook import layout
from kpi_xl.workbook.connect import read_sources
from kpi_xl.workbook.package import open_package
from kpi_xl.workbook.refresh import FileWorkbook
from kpi_xl.workbook.template import new

HEADERS = {"en": ["Name", "Kind", "Location", "Query"], "zh-TW": ["名稱", "類型", "位置", "查詢"]}


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_template_has_an_empty_sources_table(tmp_path, lang):
    book = new(tmp_path / "book.xlsx", lang=lang)
    sheet = layout.sheet("sources", lang)
    assert sheet == {"en": "Sources", "zh-TW": "資料來源"}[lang]
    with open_package(book) as pkg:
        wb = FileWorkbook(book, pkg)
        info = wb.tables["sources"]
        assert (info.display_name, info.sheet, info.ref) == ("Sources", sheet, "A1:D2")  # header + one blank row
        _, rows = wb.table("Sources")
        assert list(rows.columns) == HEADERS[lang]
        assert rows.fillna("").astype(str).eq("").all().all()
        assert read_sources(wb, {"orders"}) == {}
    values = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python()
    note = values[0][5]
    assert ("parquet" in note and "sql" in note) and (("password" in note) if lang == "en" else ("密碼" in note))
    # a data table, not: the Goals sheet's Table drop-down does not offer it
    chart = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(layout.sheet("chartdata", lang)).to_python()
    offered = [r[layout.LIST_TABLES_COL - 1] for r in chart[1:] if len(r) >= layout.LIST_TABLES_COL]
    assert "Sources" not in offered and sheet not in offered and layout.sheet("Orders", lang) in offered + ["Orders"]


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_refresh_ignores_the_empty_sources_table_and_reads_a_filled_one(tmp_path, lang):
    book = new(tmp_path / "book.xlsx", lang=lang)
    out = _cli("refresh", str(book), "--as-of", "2026-06-15", "--no-backup")
    assert "Sources" not in out and "資料來源" not in out
    values = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(layout.sheet("sources", lang)).to_python()
    assert values[0][:4] == HEADERS[lang]  # the table is the user's: left as it was
    # filled: a goal naming the source reads it
    pd.DataFrame({"Day": ["2026-06-01", "2026-06-02"], "Amount": [5.0, 7.0]}).to_csv(tmp_path / "orders.csv",
                                                                                     index=False)
    pd.DataFrame([dict(zip(HEADERS[lang], ["Shop file", "csv", "orders.csv", ""]))]).to_csv(
        tmp_path / "sources.csv", index=False)
    _cli("import", str(book), "Sources", str(tmp_path / "sources.csv"))
    with open_package(book) as pkg:
        wb = FileWorkbook(book, pkg)
        found = read_sources(wb, {"shop file"})
        assert list(found) == ["Shop file"]
        assert found["Shop file"].columns == ["Day", "Amount"]
