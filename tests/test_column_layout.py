"""What a reader sees of the Scorecard and History columns kpi-xl fills in.

A right-aligned number or date and the text in the column to its right must not run together
('13,649,884.06At risk', '2026-01-31C1'), and a goal's name longer than the Goal column must be
shown whole, not cut at the Owner column, in a new workbook and after refresh, in English and
Chinese. Every workbook written passes openxml-audit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openxml_audit import OpenXmlValidator
from python_calamine import CalamineWorkbook

from kpi_xl.workbook import layout
from kpi_xl.workbook.functions_sheet import text_width
from kpi_xl.workbook.package import open_package
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new

LONG = {"en": "Grow 2026 revenue across the sales team, the online store and the two retail shops",
        "zh-TW": "2026 年業務團隊、網路商店與兩家門市的總營收成長到去年的一點一倍以上"}


def audited(path: Path) -> None:
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid, [str(e) for e in result.errors[:5]]


def letter(columns, key: str, first: int = 1) -> str:
    return openpyxl.utils.get_column_letter(first + [c[0] for c in columns].index(key))


def renamed(tmp_path: Path, lang: str) -> Path:
    """The sample workbook with its first goal's name made long, as a user types one."""
    book = new(tmp_path / f"book-{lang}.xlsx", lang=lang)
    goals = layout.sheet("goals", lang)
    names = [[r[1]] for r in CalamineWorkbook.from_path(str(book)).get_sheet_by_name(goals).to_python()[1:]]
    names[0] = [LONG[lang]]
    with open_package(book) as pkg:
        pkg.write_region(goals, 2, 2, 2, names)
        pkg.save(backup=False)
    return book


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_a_refreshed_scorecard_and_history_read_cleanly(tmp_path: Path, lang: str):
    book = renamed(tmp_path, lang)
    refresh(book, dt.date(2026, 6, 15), backup=False)
    wb = openpyxl.load_workbook(book)
    history = wb[layout.sheet("history", lang)]
    card = wb[layout.sheet("scorecard", lang)]
    # text right of numbers and dates keeps a space from them
    for ws, columns, key, after in ((history, layout.HISTORY_COLUMNS, "id", "as_of"),
                                    (history, layout.HISTORY_COLUMNS, "status", "forecast"),
                                    (card, layout.SCORECARD_COLUMNS, "status_label", "chance")):
        assert [c[0] for c in columns].index(key) == [c[0] for c in columns].index(after) + 1
        rows = range(2, ws.max_row + 1)
        cells = [ws[f"{letter(columns, key)}{r}"] for r in rows]
        assert all(c.value not in (None, "") for c in cells)
        assert all(c.alignment.indent >= 1 for c in cells), (ws.title, key, [c.alignment.indent for c in cells])
    # a long goal name is shown whole, its value as written
    need = text_width(LONG[lang], lang)
    col = letter(layout.SCORECARD_COLUMNS, "name")
    assert card[f"{col}2"].value == LONG[lang]
    assert card.column_dimensions[col].width >= need
    assert card.column_dimensions[letter(layout.SCORECARD_COLUMNS, "owner")].width < 20  # its neighbours as they were
    col = letter(layout.HISTORY_COLUMNS, "name")
    assert LONG[lang] in [history[f"{col}{r}"].value for r in range(2, history.max_row + 1)]
    assert history.column_dimensions[col].width >= need
    audited(book)
