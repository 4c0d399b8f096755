"""No input may make a worksheet function raise: bad input gives an Excel error value.

Hypothesis throws numbers, NaN, inf, None, text, booleans, dates, empty and ragged
ranges at every function in kpi_xl.udfs, called directly as Python (the same
objects Excel reaches through xlwings; see test_udfs_through_xlwings.py for that
path).
"""

from __future__ import annotations

import datetime as dt
import inspect
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpi_xl import udfs
from kpi_xl.functions import catalog
from kpi_xl.errors import ERROR_CODES, XlError

NAMES = catalog.declared_names()

cells = st.one_of(
    st.none(),
    st.floats(allow_nan=True, allow_infinity=True),
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


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_function_never_raises(name, data):
    f = getattr(udfs, name)
    params = list(inspect.signature(f).parameters.values())
    n_required = sum(p.default is inspect.Parameter.empty for p in params)
    n = data.draw(st.integers(min_value=n_required, max_value=len(params)))
    args = [data.draw(ranges, label=p.name) for p in params[:n]]
    out = f(*args)
    assert_excel_value(out)


@pytest.mark.parametrize("name", NAMES)
def test_no_arguments_of_the_wrong_kind_raise(name):
    f = getattr(udfs, name)
    n = len(inspect.signature(f).parameters)
    for junk in (object(), {"a": 1}, [[1, 2], [3]], float("inf"), "#REF!"):
        out = f(*([junk] * n))
        assert isinstance(out, XlError), f"{name}({junk!r}...) gave {out!r}"
    assert_excel_value(f(*([np.array([])] * n)))  # empty: an error, or 0 for a sum like MRR


def test_error_value_str_is_the_code():
    assert str(udfs.CHURN(1, 0)) == "#DIV/0!"
    assert str(udfs.CLTV(100, 2)) == "#NUM!"
    assert str(udfs.ACHIEVEMENT(1, 2, None, "up")) == "#VALUE!"
    assert str(udfs.COUNT_PER_PERIOD([[None]])) == "#N/A"
