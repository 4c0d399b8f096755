"""Per-day totals, the engine's question to a table: a sheet table's read messy cells as a user
would add them up by hand (a bad cell named for the goal reading it), and a source asked a
question it was not planned for (a second DataTables over the same sources, as the SMART check
makes) runs its grouped query again without mixing the old rows' days into the new ones."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from kpi_xl.excel import EPOCH_1900
from kpi_xl.goals.data import DataError, DataTables
from kpi_xl.workbook.connect import source


@pytest.fixture
def orders():
    # YYYYMMDD numbers as dates (one blank), text in Channel in any case and spacing, a number
    # filter typed as text and as a number, an amount typed as text, a blank amount
    return pd.DataFrame({
        "Order date": [20260105, 20260105, "20260106", 20260106, None, 20260107],
        "Channel": ["Online", "online ", "Shop", "ONLINE", "Online", None],
        "Items": [1, "1", 2.0, 1.0, 1, 3],
        "Amount": [10.5, "4.5", 7, None, 99, 1.25],
    })


def _days(daily, key) -> dict[str, float]:
    row = daily.row(key)
    return {} if row is None else {str(dt.date(1970, 1, 1) + dt.timedelta(days=daily.day0 + i)): float(v)
                                   for i, v in enumerate(row) if v}


def test_sheet_totals_read_messy_cells(orders):
    data = DataTables({"Orders": orders})
    assert _days(data.daily("Orders", "Order date", ("Channel",), "Amount"), ("online",)) == {"2026-01-05": 15.0}
    assert _days(data.daily("Orders", "Order date", ("Channel", "Items"), None), ("online", "1")) == \
        {"2026-01-05": 2.0, "2026-01-06": 1.0}  # Items 1, "1" and 1.0 are one value
    assert _days(data.daily("Orders", "Order date", (), "Amount"), ()) == \
        {"2026-01-05": 15.0, "2026-01-06": 7.0, "2026-01-07": 1.25}  # the undated 99 is not counted


def test_a_cell_that_is_no_number_is_named_for_the_goal_reading_it(orders):
    orders.loc[3, "Amount"] = "n/a"
    data = DataTables({"Orders": orders})
    with pytest.raises(DataError) as err:
        data.daily("Orders", "Order date", (), "Amount")
    assert (err.value.table, err.value.column, err.value.row) == ("Orders", "Amount", 4)
    assert "'n/a' is not a number" in str(err.value)
    assert data.daily("Orders", "Order date", ("Channel",), None).row(("online",)).sum() == 3  # the others add up


def test_a_source_asked_again_regroups_cleanly(tmp_path):
    # two days of amounts by channel; asked first without, then with, the channel: the second
    # grouped query has more rows than the first, whose days must not be reused
    rows = pd.DataFrame({"Day": ["2026-01-05", "2026-01-05", "2026-01-06", "2026-01-06", "2026-01-06"],
                         "Channel": ["Online", "Shop", "Online", "Shop", "shop "],
                         "Amount": [1.0, 2.0, 3.0, 4.0, 5.0]})
    rows.to_csv(tmp_path / "orders.csv", index=False)
    src = source("Orders file", "csv", str(tmp_path / "orders.csv"))
    total = src.grouped_daily("Day", (), "Amount", EPOCH_1900)
    assert _days(total, ()) == {"2026-01-05": 3.0, "2026-01-06": 12.0}
    by_channel = src.grouped_daily("Day", ("Channel",), "Amount", EPOCH_1900)  # not planned: asked now
    assert src.queries["grouped"] == 2
    assert _days(by_channel, ("shop",)) == {"2026-01-05": 2.0, "2026-01-06": 9.0}
    assert _days(by_channel, ("online",)) == {"2026-01-05": 1.0, "2026-01-06": 3.0}
    assert _days(src.grouped_daily("Day", (), "Amount", EPOCH_1900), ()) == {"2026-01-05": 3.0, "2026-01-06": 12.0}
