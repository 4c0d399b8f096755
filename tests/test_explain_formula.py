"""`kpi-xl scorecard --goal ID` shows how achievement is computed as a formula one can type
into Excel: ACHIEVEMENT's arguments each in their slot (kpi_xl/functions/registry.py), so the
formula as shown gives the scorecard's achievement, with or without a baseline."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from kpi_xl.cli import main
from kpi_xl.functions.registry import get
from kpi_xl.goals import compute
from kpi_xl.goals.explain import explain_goal
from kpi_xl.workbook.evaluate import Evaluator, FormulaContext

FORMULA = re.compile(r"ACHIEVEMENT\([^)]*\)")


@pytest.fixture(scope="module")
def result():
    days = pd.date_range("2026-01-01", "2026-06-30", freq="D")
    orders = pd.DataFrame({"Date": days, "Amount": [1234.5 + (i % 7) for i in range(len(days))]})
    base = dict(name="goal", owner="Mia", kpi="SUM", table="Orders", columns="Amount", date_column="Date",
                start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), period="month")
    level = dict(base, kpi="AVERAGE")  # a level: no baseline means none (a running sum starts from 0)
    goals = [dict(level, id="NB", target=1300.0),  # no baseline, "higher"
             dict(level, id="NL", target=1200.0, direction="lower"),  # no baseline, "lower"
             dict(base, id="SB", target=400_000.0),  # a running sum: from 0
             dict(base, id="WB", target=400_000.0, baseline=100_000.0),
             dict(base, id="WL", target=150_000.0, baseline=300_000.0, direction="lower")]
    return compute(pd.DataFrame(goals), {"Orders": orders}, dt.date(2026, 6, 30))


def _evaluate(formula: str):
    return Evaluator(FormulaContext(values=lambda sheet: [], formulas={}, tables={})).evaluate("=" + formula, "Sheet1")


@pytest.mark.parametrize("gid", ["NB", "NL", "SB", "WB", "WL"])
def test_the_shown_achievement_formula_gives_the_scorecards_achievement(result, gid):
    said = " ".join(m.text("en") for m in explain_goal(result, gid))
    shown = FORMULA.findall(said)
    assert len(shown) == 1, said
    achievement = result.scorecard.set_index("id").loc[gid, "achievement"]
    assert 0 < achievement < 10
    assert _evaluate(shown[0]) == pytest.approx(achievement, rel=1e-6), shown[0]
    direction = result.goals.set_index("id").loc[gid, "direction"]
    assert shown[0].endswith(f', "{direction}")')
    if gid == "SB":
        assert shown[0].endswith(', 400000, 0, "higher")'), shown[0]


def test_without_a_baseline_the_direction_stays_in_its_own_slot(result):
    said = " ".join(m.text("zh-TW") for m in explain_goal(result, "NB"))
    shown = FORMULA.findall(said)[0]
    assert re.fullmatch(r'ACHIEVEMENT\([\d.]+, 1300, , "higher"\)', shown), shown
    assert [a.name for a in get("ACHIEVEMENT").arguments] == ["actual", "target", "baseline", "direction"]
    # the formula as it was shown before: "higher" in the baseline slot, which Excel refuses
    assert str(_evaluate(shown.replace(", , ", ", "))) == "#VALUE!"


def test_the_command_shows_the_formula():
    said = CliRunner().invoke(main, ["scorecard", "--goal", "S1"], terminal_width=200)
    assert said.exit_code == 0, said.output
    shown = FORMULA.findall(said.output)
    assert shown and "," not in shown[0].split('"')[0].replace(", ", ""), said.output  # no 1,234 thousands
