"""A refresh keeps the results of constant formulas (all arguments typed in, kpi-xl functions only)
between runs, so the Functions sheet's CLV_PREDICT example need not load SciPy every time; a kept
result is always the one the code computes, and anything that references a cell is computed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from python_calamine import CalamineWorkbook

from kpi_xl.excel import EPOCH_1900
from kpi_xl.workbook import memo
from kpi_xl.workbook.evaluate import _constant
from kpi_xl.workbook.template import new

CHILD = r"""
import sys
from kpi_xl.workbook.refresh import refresh
refresh(sys.argv[1], None, backup=False)
print("scipy.special" in sys.modules)
"""


def _refresh(path, cache) -> bool:
    """Refresh ``path`` in a fresh process with ``cache`` as kpi-xl's cache folder; whether SciPy's
    special functions were loaded."""
    env = {**os.environ, "KPI_XL_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env, check=True)
    return out.stdout.strip().splitlines()[-1] == "True"


def _functions_sheet(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Functions").to_python()


@pytest.mark.parametrize("formula, kept", [
    ("=CLV_PREDICT(4, 200, 300, 80, 12, 0.01, 1, 0.8, 90, 0.5, 3, 6, 4, 40)", True),
    # the parameters left out are read from the workbook's fitted model: never kept between runs
    ("=CLV_PREDICT(4, 200, 300, 80, 12)", False),
    ("=P_ALIVE(4, 200, 300, 0.8, 90, , 3)", False),
    ("=CLTV(1500 * P_ALIVE(4, 200, 300), 0.03, 0.8)", False),
    ("=CLTV(1500 * P_ALIVE(4, 200, 300, 0.8, 90, 0.5, 3), 0.03, 0.8)", True),
    ("=OKR_SCORE({0.7;1;0.4},{2;1;1})", True),
    # an array's commas are its values', not the call's arguments: the model is still left out
    ("=P_ALIVE({4,5,6},{200,210,220},{300,300,300})", False),
    ("=CLV_PREDICT({4,5},{200,210},{300,300},{80,90},12)", False),
    ("=P_ALIVE({4,5,6},{200,210,220},{300,300,300},0.8,90,0.5,3)", True),
    ("=_xludf.ROA(6000000,80000000)", True),
    ("=ROA(A1,80000000)", False),  # a cell
    ("=NPS(Tickets[NPS])", False),  # a table column
    ("=ROA(Profit,80000000)", False),  # a defined name
    ("=ROA(6000000,SUM(1,2))", False),  # an Excel function
    ("=TODAY()", False),
    ("=1+2", False),  # nothing worth keeping
])
def test_what_counts_as_constant(formula, kept):
    assert _constant(formula) is kept


def test_second_refresh_shows_the_same_results_without_scipy(tmp_path):
    book = new(tmp_path / "book.xlsx")
    cache = tmp_path / "cache"
    assert _refresh(book, cache)  # the first refresh computes CLV_PREDICT (SciPy's hyp2f1)
    first = _functions_sheet(book)
    (kept,) = cache.glob("formulas-*.json")
    values = json.loads(kept.read_text(encoding="utf-8"))
    assert any("CLV_PREDICT(" in k for k in values) and not any("[" in k for k in values)
    assert not _refresh(book, cache)  # the second reads the kept results
    assert _functions_sheet(book) == first
    clv = next(row for row in first if row[0] == "CLV_PREDICT")
    assert clv[2] == pytest.approx(217.546995365, rel=1e-9)


def test_a_wrong_or_damaged_cache_is_never_shown(tmp_path):
    """Results kept for other code (another stamp) are not read; a damaged file means computing again."""
    book = new(tmp_path / "book.xlsx")
    cache = tmp_path / "cache"
    cache.mkdir()
    key = memo.FormulaMemo.key("=CLV_PREDICT(4, 200, 300, 80, 12, 0.01, 1, 0.8, 90, 0.5, 3, 6, 4, 40)", "en", EPOCH_1900)
    (cache / "formulas-0123456789abcdef01234567.json").write_text(json.dumps({key: 999.0}), encoding="utf-8")
    assert _refresh(book, cache)
    clv = next(row for row in _functions_sheet(book) if row[0] == "CLV_PREDICT")
    assert clv[2] == pytest.approx(217.546995365, rel=1e-9)
    (kept,) = [p for p in cache.glob("formulas-*.json") if "0123456789" not in p.name]
    kept.write_text("{not json", encoding="utf-8")
    assert _refresh(book, cache)
    clv = next(row for row in _functions_sheet(book) if row[0] == "CLV_PREDICT")
    assert clv[2] == pytest.approx(217.546995365, rel=1e-9)
    assert json.loads(kept.read_text(encoding="utf-8"))[key] == pytest.approx(217.546995365, rel=1e-9)
