"""No input may make a KPI function raise, and no infinity or NaN may reach a cell.

Hypothesis throws numbers, NaN, ±inf, huge values, None, text, booleans, dates,
empty and ragged ranges at the CORE function behind every worksheet function
(``kpi_xl.metrics.<name>``), not at the worksheet wrapper: the wrapper's catch-all
would turn any exception into #VALUE! and make "never raises" pass by
construction. The core answers bad input with an Excel error value itself. A
per-row result may hold NaN (a blank row, shown as an empty cell); an aggregate
(one number from whole ranges) may not, and nothing may hold an infinity.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_xl import metrics, udfs
from kpi_xl.functions import catalog, registry
from kpi_xl.errors import ERROR_CODES, XlError

NAMES = catalog.declared_names()

def _aggregates() -> set[str]:
    """KPIs that answer one number for whole ranges: their registry example, stretched to
    four rows, still gives one value (ACV, NPS, CSAT...)."""
    return {c.name for c in registry.benchmark_cases(rows=4) if not isinstance(c.kpi.core(*c.args), np.ndarray)}


#: Functions that answer one number for whole ranges: a NaN there would be a blank
#: cell standing for an error nobody sees.
AGGREGATES = _aggregates()


def core(name):
    """The function behind a worksheet function, as its registry entry names it (no catch-all)."""
    return registry.get(name).core

cells = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 1.7976931348623157e308, 5e-324, -0.0]),
    st.integers(min_value=-10**12, max_value=10**12),
    st.booleans(),
    st.text(max_size=6),
    st.sampled_from(["", " ", "#N/A", "#DIV/0!", "higher", "lower", "month", "median", "12", "1,000"]),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)
columns = st.lists(cells, min_size=0, max_size=6)
blocks = st.lists(st.lists(cells, min_size=1, max_size=3), min_size=0, max_size=4)  # may be ragged
ranges = st.one_of(cells, columns, blocks, columns.map(lambda c: [[v] for v in c]),
                   columns.map(lambda c: np.array(c, dtype=object)))


#: Functions whose result is a word (a status label), not a number.
TEXT_RESULTS = {"STATUS"}
LABELS = {w for lang in __import__("kpi_xl.labels", fromlist=["STATUS"]).STATUS.values() for w in lang.values()}


def is_cell_value(v) -> bool:
    if v is None or isinstance(v, XlError) or v in LABELS:
        return True
    if isinstance(v, (bool, int, dt.datetime, dt.date)):
        return True
    if isinstance(v, float):
        return math.isfinite(v)
    return False


def assert_excel_value(out) -> None:
    if isinstance(out, np.ndarray):
        assert out.ndim == 2, "a range result must be 2-D"
        for v in out.ravel().tolist():
            assert is_cell_value(v), f"not a cell value: {v!r}"
    else:
        assert is_cell_value(out), f"not a cell value: {out!r}"
    if isinstance(out, str):
        assert out in ERROR_CODES or out in LABELS


def assert_core_value(name, out) -> None:
    """What a core function may return: what a cell shows, with NaN for a blank row
    of a per-row function (the worksheet layer turns it into an empty cell)."""
    if hasattr(out, "to_numpy"):
        out = out.to_numpy()
    if isinstance(out, np.ndarray):
        for v in out.ravel().tolist():
            if isinstance(v, float) and math.isnan(v):
                assert name not in AGGREGATES, f"{name}: NaN in a result"
                continue
            assert is_cell_value(v), f"{name}: not a cell value: {v!r}"
        return
    if isinstance(out, (float, np.floating)) and math.isnan(out):
        assert name not in AGGREGATES, f"{name}: NaN instead of a number or an error"
        return
    if isinstance(out, np.generic):
        out = out.item()
    assert is_cell_value(out), f"{name}: not a cell value: {out!r}"
    if isinstance(out, str):
        assert out in ERROR_CODES or out in LABELS


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_function_never_raises(name, data):
    f = core(name)
    params = list(inspect.signature(f).parameters.values())
    n_required = sum(p.default is inspect.Parameter.empty for p in params)
    n = data.draw(st.integers(min_value=n_required, max_value=len(params)))
    args = [data.draw(ranges, label=p.name) for p in params[:n]]
    out = f(*args)  # an exception fails the test: the core has no catch-all
    assert_core_value(name, out)


#: Arguments that take dates: drawn from real Excel dates mostly, so the arithmetic
#: behind them runs (a random float is rarely a date and stops at #NUM! early).
def _has_date(value) -> bool:
    if isinstance(value, (dt.date, dt.datetime)):
        return True
    return isinstance(value, (list, tuple)) and any(_has_date(v) for v in value)


#: Arguments that take dates: those whose registry example holds dates.
DATE_ARGS = {a.name for k in registry.kpis() for a, v in zip(k.arguments, k.example.args) if _has_date(v)}
dates_or_worse = st.one_of(st.sampled_from([44927.0, 44958.5, 45000.25, 45100.0, 45300.75]),
                           st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 0.0]))


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.sum_per_period([[45000.0]], [[-math.inf]]),
        lambda: metrics.sum_per_period([[45000.0]], [[-math.inf]], "week"),
        lambda: metrics.sum_per_period([[45000.0], [45001.0]], [[1e308], [1e308]]),
        lambda: metrics.mrr([[1e308], [1e308]]),
        lambda: metrics.acv([[1e308], [1e308]]),
        lambda: metrics.frt([[1.0], [2.0]], [[1e308], [1e308]]),
        lambda: metrics.nrr(1e308, 1e308),
    ],
)
def test_infinite_or_overflowing_input_is_num(call):
    out = call()
    assert isinstance(out, XlError) and str(out) == "#NUM!", repr(out)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_infinity_from_numeric_ranges(name, data):
    """Ranges of numbers only (as xlwings hands them over: 2-D float arrays, blanks as
    NaN), with infinities and values near the float limit mixed in."""
    f = core(name)
    params = list(inspect.signature(f).parameters.values())
    n_required = sum(p.default is inspect.Parameter.empty for p in params)
    rows = data.draw(st.integers(min_value=1, max_value=5))
    nums = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 0.0, 1.0, 45000.0]))
    args = []
    for p in params[:data.draw(st.integers(min_value=n_required, max_value=len(params)))]:
        if p.name in DATE_ARGS:
            col = data.draw(st.lists(dates_or_worse, min_size=rows, max_size=rows), label=p.name)
            args.append(np.array(col, dtype=np.float64).reshape(-1, 1))
        elif p.name in ("direction", "method", "unit", "period", "language", "source"):
            args.append(data.draw(st.sampled_from([None, "higher", "lower", "median", "minutes", "week", "day",
                                                   "en", "Organic", 1.0, math.inf, -math.inf]), label=p.name))
        else:
            col = data.draw(st.lists(nums, min_size=rows, max_size=rows), label=p.name)
            args.append(np.array(col, dtype=np.float64).reshape(-1, 1))
    assert_core_value(name, f(*args))


@pytest.mark.parametrize("name", NAMES)
def test_no_arguments_of_the_wrong_kind_raise(name):
    f = core(name)
    n = len(inspect.signature(f).parameters)
    for junk in (object(), {"a": 1}, [[1, 2], [3]], float("inf"), "#REF!"):
        out = f(*([junk] * n))
        assert isinstance(out, XlError), f"{name}({junk!r}...) gave {out!r}"
    assert_core_value(name, f(*([np.array([])] * n)))  # empty: an error, or 0 for a sum like MRR


@pytest.mark.parametrize("name", NAMES)
def test_the_worksheet_function_gives_cell_values(name):
    """The worksheet wrapper on top: a few calls whose results must be cell values."""
    f = getattr(udfs, name)
    n = len(inspect.signature(f).parameters)
    for args in ([np.array([[1.0], [2.0]])] * n, [np.array([[math.inf]])] * n, [None] * n):
        assert_excel_value(f(*args))


def test_error_value_str_is_the_code():
    assert str(udfs.CHURN(1, 0)) == "#DIV/0!"
    assert str(udfs.CLTV(100, 2)) == "#NUM!"
    assert str(udfs.ACHIEVEMENT(1, 2, None, "up")) == "#VALUE!"
    assert str(udfs.COUNT_PER_PERIOD([[None]])) == "#N/A"
