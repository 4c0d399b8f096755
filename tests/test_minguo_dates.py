"""Taiwan's Minguo (ROC) dates, as shop and government systems export them: 115/03/05 is 2026-03-05.

Seen in review: an import turned 115/03/05 into the text 0115-03-05T00:00:00, and refresh then
left that order out of every goal without a word.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from kpi_xl.cli import main
from kpi_xl.goals.data import DataError, read_dates


def test_minguo_text_reads_as_the_calendar_date():
    got = read_dates(pd.Series(["115/03/05", "115-12-31", "115.1.2", "2026/03/06"]))
    assert [d.date() for d in got] == [dt.date(2026, 3, 5), dt.date(2026, 12, 31), dt.date(2026, 1, 2),
                                       dt.date(2026, 3, 6)]


@pytest.mark.parametrize("value", ["0115-03-05T00:00:00", "1899-12-31"])
def test_a_date_before_excels_first_day_is_refused_at_its_row_not_dropped(value):
    with pytest.raises(DataError) as err:
        read_dates(pd.Series(["2026-01-02", value]), table="Shop", column="Date")
    assert err.value.row == 2 and value in err.value.text("en")


def test_an_imported_minguo_export_keeps_its_cells_and_every_order_counts(tmp_path):
    book, csv = tmp_path / "shop.xlsx", tmp_path / "orders.csv"
    csv.write_text("Customer,Date,Amount\nA,115/03/05,10\nB,115/03/06,5\nC,115/04/01,7\n", encoding="utf-8")
    goals = tmp_path / "goals.csv"
    goals.write_text("ID,Goal,KPI,Table,Columns,Date column,Target,Start,End\n"
                     "R1,March revenue,SUM,Shop,Amount,Date,20,2026-03-01,2026-03-31\n", encoding="utf-8")
    run = lambda *a: CliRunner().invoke(main, [str(x) for x in a], catch_exceptions=False)  # noqa: E731
    assert run("new", "--empty", book).exit_code == 0
    assert run("import", book, "Shop", csv, "--no-backup").exit_code == 0
    assert run("import", book, "Goals", goals, "--replace", "--no-backup").exit_code == 0
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Shop").to_python()
    assert [r[1] for r in rows[1:]] == ["115/03/05", "115/03/06", "115/04/01"]  # as the export wrote them
    out = run("refresh", book, "--as-of", "2026-04-15", "--no-backup")
    assert out.exit_code == 0, out.output
    card = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Scorecard").to_python()
    assert card[1][0] == "R1" and card[1][card[0].index("Actual")] == 15


def test_as_of_may_be_typed_as_the_zh_tw_workbook_shows_dates(tmp_path):
    book = tmp_path / "b.xlsx"
    assert CliRunner().invoke(main, ["new", "--lang", "zh-TW", str(book)]).exit_code == 0
    out = CliRunner().invoke(main, ["refresh", str(book), "--as-of", "2026/06/15", "--no-backup", "--quiet"])
    assert out.exit_code == 0, out.output


def test_a_unit_typed_full_width_shows_its_values_as_percentages():
    from kpi_xl.workbook.content import money_rows, percent_rows

    columns = (("id", "ID"), ("actual", "Actual"), ("status", "Status"))
    assert percent_rows([["W1", 0.39, ""]], columns, {"W1": "％"}) == [[1]]
    assert money_rows([["R1", 5.0, ""]], columns, {"R1": "ｎｔ＄"}) == [[1]]
