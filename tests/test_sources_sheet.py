"""A sheet table's per-day totals come from the grouped query a source's come from (issue 10:
"in-sheet tables become a DuckDB relation ... one measure definition, not two"), read by the
sheet's cell rules: messy cells give the totals a user would add up by hand, a bad cell is
named for the goal reading it, and every goal's totals come from one query per date column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_xl.goals.data import DataError, DataTables, day_number
import datetime as dt


@pytest.fixture
def orders():
    # YYYYMMDD numbers as dates (one blank), text in Channel in any case and spacing, a number
    # filter typed as text and as a number, an amount typed as text, a blank amount
    return pd.DataFrame({
        "Order date": [20260105, 20260105, "20260106", 20260106, None, 20260107],
        "Channel": ["Online", "online ", "Shop", "ONLINE", "Online", None],
        "Items": [1, "1", 2.0, 1.0, 1, 3],
        "Amount": [10.5, "4.5", 7, None, 99, 1.25],
        "Note": ["a", "b", "c", "d", "e", "f"],
    })


def _row(data, table, value, filters, key):
    daily = data.daily(table, "Order date", filters, value)
    row = daily.row(key)
    return {str(dt.date(1970, 1, 1) + dt.timedelta(days=daily.day0 + i)): float(v)
            for i, v in enumerate(row) if v} if row is not None else {}


def test_sheet_totals_read_messy_cells_and_come_from_one_grouped_query(orders):
    data = DataTables({"Orders": orders})
    asked = [("Amount", ("Channel",), ("online",)), (None, ("Channel", "Items"), ("online", "1")),
             ("Amount", (), ()), ("Items", ("Channel",), ("shop",))]
    data.plan(lambda: [data.daily("Orders", "Order date", f, v) for v, f, _ in asked])
    got = [_row(data, "Orders", v, f, k) for v, f, k in asked]
    assert got[0] == {"2026-01-05": 15.0}  # 10.5 + "4.5"; the ONLINE row has no amount
    assert got[1] == {"2026-01-05": 2.0, "2026-01-06": 1.0}  # Items 1 and "1" and 1.0 are one value
    assert got[2] == {"2026-01-05": 15.0, "2026-01-06": 7.0, "2026-01-07": 1.25}  # the undated 99 is not counted
    assert got[3] == {"2026-01-06": 2.0}
    frame = data._frames["Orders"]
    assert frame.queries["grouped"] == 1  # every goal's totals, one query for the date column
    assert day_number(dt.date(2026, 1, 5)) == data.daily("Orders", "Order date", (), None).day0


def test_a_cell_that_is_no_number_is_named_for_the_goal_reading_it(orders):
    orders.loc[3, "Amount"] = "n/a"
    data = DataTables({"Orders": orders})
    with pytest.raises(DataError) as err:
        data.daily("Orders", "Order date", (), "Amount")
    assert (err.value.table, err.value.column, err.value.row) == ("Orders", "Amount", 4)
    assert "'n/a' is not a number" in str(err.value)
    # the other goals on the table still add up
    assert data.daily("Orders", "Order date", ("Channel",), None).row(("online",)).sum() == 3


def test_sheet_totals_equal_the_rows_added_in_order():
    rng = np.random.default_rng(7)
    n = 50_000
    frame = pd.DataFrame({"Date": rng.integers(46000, 46400, n).astype(float),
                          "Region": rng.choice(["North", "south", " South", "EAST"], n),
                          "Amount": rng.random(n) * 1000})
    data = DataTables({"T": frame})
    daily = data.daily("T", "Date", ("Region",), "Amount")
    days = data.days("T", "Date")
    for key in [("north",), ("south",), ("east",)]:
        mask = frame["Region"].str.strip().str.lower().to_numpy() == key[0]
        expected = np.bincount(days[mask] - daily.day0, weights=frame["Amount"].to_numpy()[mask],
                               minlength=daily.matrix.shape[1])
        assert np.array_equal(daily.row(key), expected)  # the same sums to the last bit
