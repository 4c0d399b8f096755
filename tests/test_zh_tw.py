"""A Taiwanese owner's workbook (issue 13): full-width input, Chinese messages and
names, Taiwan's dates and money."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpi_xl import sample
from kpi_xl.goals import compute
from kpi_xl.goals.model import GoalsError, as_date, parse_columns, parse_filter, read_goals
from kpi_xl.workbook.template import localize_goals, localize_table

FULL = str.maketrans({",": "，", ";": "；", "=": "＝", "%": "％", **{d: chr(0xFF10 + int(d)) for d in "0123456789"}})


def _full_width(goals: pd.DataFrame) -> pd.DataFrame:
    """The goals as a Taiwanese input method types them: ，；＝％, full-width digits, 「」 quotes,
    targets typed as text (35％, １８０)."""
    g = goals.copy()
    g["columns"] = g["columns"].map(lambda s: str(s).replace(", ", ",").replace('"', "「", 1).replace('"', "」", 1).translate(FULL))
    g["filter"] = g["filter"].map(lambda s: str(s).replace(" ", "").translate(FULL))
    def target(row):
        t = row["target"]
        if t != t:
            return t
        return f"{t * 100:g}％" if row["unit"] == "%" else f"{t:,g}".translate(FULL)
    g["target"] = g.apply(target, axis=1).astype(object)
    return g


@pytest.fixture(scope="module")
def company():
    c = sample.load("zh-TW")
    return c, localize_goals(c.goals, "zh-TW"), {n: localize_table(df, "zh-TW") for n, df in c.tables.items()}


def test_full_width_input_gives_the_same_scorecard_as_ascii(company):
    c, goals, tables = company
    wide = _full_width(goals)
    assert "區域＝北區；階段＝成交" in set(wide["filter"]) and "來源，「自然搜尋」，工作階段" in set(wide["columns"])
    assert "3.5％" in set(wide["target"].astype(str)) or "35％" in set(wide["target"].astype(str))
    ascii_card = compute(goals, tables, c.as_of).scorecard
    wide_card = compute(wide, tables, c.as_of).scorecard
    cols = ["id", "actual", "target", "achievement", "status"]
    pd.testing.assert_frame_equal(wide_card[cols], ascii_card[cols])
    assert ascii_card["actual"].notna().sum() >= 15


def test_full_width_grammar_pieces():
    assert parse_filter("區域＝北區；階段＝成交") == [("區域", "北區"), ("階段", "成交")]
    assert parse_columns("來源，「自然搜尋」，工作階段") == ["來源", "自然搜尋", "工作階段"]
    assert parse_columns("金額，『median』") == ["金額", "median"]
    row = {"id": "Ｇ１", "name": "x", "target": "３５％", "weight": "２", "direction": "越高越好",
           "start": "2026/1/1", "end": "２０２６／１２／３１"}
    g = read_goals(pd.DataFrame([row]))
    assert g.loc[0, "target"] == pytest.approx(0.35) and g.loc[0, "weight"] == 2.0
    assert (g.loc[0, "start"], g.loc[0, "end"]) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_a_date_typed_the_taiwanese_way_is_a_date():
    assert as_date("2026/12/31") == dt.date(2026, 12, 31)
    assert as_date("2026-12-31") == dt.date(2026, 12, 31)
    assert as_date("2026/13/01") is None
    with pytest.raises(GoalsError):
        read_goals(pd.DataFrame([{"id": "g", "name": "x", "start": "明年春天"}]))


def test_status_rules_read_chinese_words_and_full_width_numbers():
    from kpi_xl.goals.status import read_rules

    rules = read_rules(pd.DataFrame([{"Status": "進度正常", "Measure": "進度節奏", "At least": "９５％"}]))
    assert (rules[0].status, rules[0].measure, rules[0].at_least) == ("on_track", "pace", pytest.approx(0.95))
