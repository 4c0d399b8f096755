"""The Goals sheet's Owner drop-down in a workbook a user starts empty.

It offers the Settings sheet's Owner list and every owner the goals name, from a list refresh keeps
on the hidden chart sheet. ``kpi-xl new --empty`` leaves the Settings list blank (no sample
company), so a user who types owners into the Goals sheet must find them offered after a refresh,
a name they keep in the Settings list must be offered first, that list itself is never rewritten,
and typing a new colleague's name must not be refused or warned about. Every workbook written
passes openxml-audit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openxml_audit import OpenXmlValidator
from python_calamine import CalamineWorkbook

from kpi_xl.workbook import layout
from kpi_xl.workbook.importing import import_table
from kpi_xl.workbook.package import open_package
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new

GOALS = {
    "en": "ID,Goal,Owner,KPI,Table,Columns,Date column,Direction,Target,Start,End,Period\n"
          "G1,Orders,Ann,COUNT,Orders,,Date,higher,20,2026-01-01,2026-12-31,month\n"
          "G2,Revenue,Bob,SUM,Orders,Amount,Date,higher,900,2026-01-01,2026-12-31,month\n"
          "G3,Big orders,ann ,COUNT,Orders,,Date,higher,5,2026-01-01,2026-12-31,month\n",
    "zh-TW": "編號,目標,負責人,KPI,資料表,欄位,日期欄,方向,目標值,開始日,結束日,檢討週期\n"
             "G1,訂單數,美玲,COUNT,訂單,,日期,higher,20,2026-01-01,2026-12-31,month\n"
             "G2,營收,志明,SUM,訂單,金額,日期,higher,900,2026-01-01,2026-12-31,month\n",
}


def audited(path: Path) -> None:
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid, [str(e) for e in result.errors[:5]]


def shop(tmp_path: Path, lang: str) -> Path:
    book = new(tmp_path / f"book-{lang}.xlsx", lang=lang, empty=True)
    orders = tmp_path / "orders.csv"
    orders.write_text("Date,Amount\n" + "".join(f"2026-01-{d:02d},{10 * d}\n" for d in range(1, 29)),
                      encoding="utf-8")
    import_table(book, "Orders", orders, backup=False)
    goals = tmp_path / f"goals-{lang}.csv"
    goals.write_text(GOALS[lang], encoding="utf-8")
    import_table(book, "Goals", goals, backup=False)
    return book


def column(book: Path, sheet: str, col: int, first_row: int) -> list[str]:
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return [r[col - 1] for r in rows[first_row - 1:] if len(r) >= col and r[col - 1] != ""]


def owner_list(book: Path, lang: str) -> list[str]:
    """What the Owner drop-down offers."""
    return column(book, layout.sheet("chartdata", lang), layout.LIST_OWNERS_COL, 2)


def settings_list(book: Path, lang: str) -> list[str]:
    return column(book, layout.sheet("settings", lang), layout.OWNER_LIST_COL, layout.OWNER_LIST_ROW)


def owner_validation(book: Path, lang: str):
    ws = openpyxl.load_workbook(book)[layout.sheet("goals", lang)]
    owner_col = next(c.column_letter for c in ws[1] if c.value == layout.goal_header("owner", lang))
    return next(v for v in ws.data_validations.dataValidation if f"{owner_col}2" in str(v.sqref))


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_refresh_offers_the_owners_the_goals_name(tmp_path: Path, lang: str):
    book = shop(tmp_path, lang)
    assert owner_list(book, lang) == []  # --empty: no sample owners
    refresh(book, dt.date(2026, 1, 31), backup=False)
    want = ["Ann", "Bob"] if lang == "en" else sorted(["美玲", "志明"], key=str.casefold)
    assert owner_list(book, lang) == want  # "ann " is Ann, listed once
    assert settings_list(book, lang) == []  # the user's list is the user's
    rule = owner_validation(book, lang)
    chart = layout.sheet("chartdata", lang)
    assert f"'{chart}'!$U$2" in rule.formula1  # the drop-down reads that list, however long it grows
    assert not rule.showErrorMessage  # a new colleague's name is taken as typed
    audited(book)


def test_names_kept_in_the_list_stay_and_new_owners_follow(tmp_path: Path):
    book = shop(tmp_path, "en")
    with open_package(book) as pkg:  # the user lists a colleague who owns no goal yet
        pkg.write_region("Settings", layout.OWNER_LIST_ROW, layout.OWNER_LIST_COL, layout.OWNER_LIST_COL,
                         [["Zoe"], ["Bob"]])
        pkg.save(backup=False)
    refresh(book, dt.date(2026, 1, 31), backup=False)
    assert owner_list(book, "en") == ["Zoe", "Bob", "Ann"]
    assert settings_list(book, "en") == ["Zoe", "Bob"]
    audited(book)
    refresh(book, dt.date(2026, 1, 31), backup=False)  # nothing new: the list stays as it is
    assert owner_list(book, "en") == ["Zoe", "Bob", "Ann"]
