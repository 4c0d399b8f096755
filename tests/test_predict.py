"""`kpi-xl predict`: the Customers sheet from an order table (issue 11, workbook part).

A shop's order export (docs/examples/shop-orders.csv: Customer ID, Order date as YYYYMMDD
numbers, Amount) is imported into an empty workbook and predicted; the sheet's numbers are
those of kpi_xl.metrics.clv computed directly on the same orders, its P(active) and CLV cells
are P_ALIVE / CLV_PREDICT formulas that refresh recomputes, a second predict replaces the
rows, and what cannot be predicted is said in words.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openxml_audit import OpenXmlValidator
from python_calamine import CalamineWorkbook

from kpi_xl.functions import registry
from kpi_xl.functions.registry import CLV_MODEL_NAMES
from kpi_xl.metrics import clv as cl
from kpi_xl.workbook.customers import COLUMNS, guess_column, PredictError
from kpi_xl.workbook.importing import import_table
from kpi_xl.workbook.package import open_package
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new

try:  # tests/ as a package or as a plain directory on sys.path
    from . import xlharness
except ImportError:
    import xlharness

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "docs" / "examples" / "shop-orders.csv"
AS_OF = dt.date(2026, 6, 30)
HEADERS = ["Customer", "Orders", "First purchase", "Last purchase", "Frequency", "Recency (days)", "Age T (days)",
           "Mean repeat spend", "P(active)", "Expected purchases", "Predicted CLV", "CLV low", "CLV high", "Segment"]


def cli(*args: str) -> subprocess.CompletedProcess:
    """The installed command as a user runs it (output not a terminal: a line per step)."""
    return subprocess.run([sys.executable, "-c", "from kpi_xl.cli import run; run()", *args],
                          capture_output=True, text=True, timeout=300)


def audited(path: Path) -> None:
    result = OpenXmlValidator().validate(str(path))
    assert result.is_valid, [str(e) for e in result.errors[:5]]


def rows_of(path: Path, sheet: str = "Customers") -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def customers(path: Path) -> pd.DataFrame:
    rows = rows_of(path)
    width = len(HEADERS)
    assert rows[0][:width] == HEADERS
    body = [r[:width] for r in rows[1:] if r[0] != ""]
    return pd.DataFrame(body, columns=HEADERS).set_index("Customer")


def block(path: Path) -> dict:
    """The parameter block beside the table: label → value."""
    rows = rows_of(path)
    col = len(HEADERS) + 1  # one blank column, then labels (0-based index of the labels)
    out = {r[col]: r[col + 1] for r in rows if len(r) > col + 1 and r[col] != ""}
    # the notes (under the charts) are wrapped onto the rows below their label: joined again
    at = next(i for i, r in enumerate(rows) if len(r) > col and r[col] == "Notes")
    lines = [rows[at][col + 1]] + [r[col + 1] for r in rows[at + 1:] if len(r) > col + 1 and r[col] == ""
                                   and r[col + 1] != ""]
    out["Notes"] = " ".join(lines)
    return out


def formulas(path: Path, sheet: str = "Customers") -> dict[tuple[int, int], str]:
    with open_package(path) as pkg:
        return {rc: c.formula for rc, c in pkg.read_formulas(sheet).items()}


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    """An empty workbook with the shop's orders imported as table Shop, then predicted."""
    folder = tmp_path_factory.mktemp("shop")
    book = folder / "shop.xlsx"
    for args in (("new", "--empty", str(book)), ("import", str(book), "Shop", str(SHOP)),
                 ("predict", str(book), "--table", "Shop", "--as-of", AS_OF.isoformat())):
        done = cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "wrote 1,058 customers from 8,725 orders of Shop into sheet Customers (as of 2026-06-30)" in done.stdout
    return book


@pytest.fixture(scope="module")
def direct():
    """kpi_xl.metrics.clv on the same orders, read from the CSV without the workbook."""
    orders = pd.read_csv(SHOP)
    dates = pd.to_datetime(orders["Order date"].astype(str), format="%Y%m%d").to_numpy().astype("datetime64[D]")
    rfm = cl.rfm_summary(orders["Customer ID"].to_numpy(), dates, orders["Amount"].to_numpy(),
                         as_of=np.datetime64(AS_OF))
    bg, gg = cl.BetaGeo().fit(rfm), cl.GammaGamma().fit(rfm)
    args = (rfm.frequency, rfm.recency, rfm.T, rfm.monetary)
    value = cl.clv(bg, gg, *args, months=12, discount_rate=0.01)
    low, high = cl.clv_interval(bg, gg, *args, months=12, discount_rate=0.01)
    counts = orders.groupby("Customer ID").size()
    return dict(rfm=rfm, bg=bg, gg=gg, clv=value, low=low, high=high, counts=counts)


# --------------------------------------------------------------------------- the sheet

def test_customers_sheet_has_one_row_per_customer_with_the_core_numbers(shop: Path, direct):
    got = customers(shop)
    rfm = direct["rfm"]
    assert list(got.index) == list(rfm.customer)
    assert got["Orders"].tolist() == direct["counts"].loc[rfm.customer].tolist()
    assert got["First purchase"].iloc[0] == pd.Timestamp(rfm.first[0]).date()
    assert got["Last purchase"].iloc[-1] == pd.Timestamp(rfm.last[-1]).date()
    for col, want in (("Frequency", rfm.frequency), ("Recency (days)", rfm.recency), ("Age T (days)", rfm.T),
                      ("Mean repeat spend", rfm.monetary)):
        np.testing.assert_allclose(got[col].to_numpy(float), want, rtol=1e-12, err_msg=col)
    bg = direct["bg"]
    np.testing.assert_allclose(got["P(active)"].to_numpy(float), bg.p_alive(rfm.frequency, rfm.recency, rfm.T),
                               rtol=1e-9)
    expected = bg.expected_purchases(365.25, rfm.frequency, rfm.recency, rfm.T).reshape(-1)
    np.testing.assert_allclose(got["Expected purchases"].to_numpy(float), expected, rtol=1e-9)
    np.testing.assert_allclose(got["Predicted CLV"].to_numpy(float), direct["clv"], rtol=1e-9)
    np.testing.assert_allclose(got["CLV low"].to_numpy(float), direct["low"], rtol=1e-9)
    np.testing.assert_allclose(got["CLV high"].to_numpy(float), direct["high"], rtol=1e-9)
    assert (got["CLV low"] <= got["Predicted CLV"]).all() and (got["Predicted CLV"] <= got["CLV high"]).all()


def test_segments_are_words_and_the_top_fifth_by_clv(shop: Path, direct):
    got = customers(shop)
    top = got["Segment"] == "Top 20 % by CLV"
    assert set(got["Segment"]) <= {"Top 20 % by CLV", "At risk: high value, low P(active)", "Lost", "Other"}
    assert abs(top.mean() - 0.2) < 0.01
    assert got.loc[top, "Predicted CLV"].min() >= got.loc[~top, "Predicted CLV"].max()


def test_fitted_parameters_fit_date_and_as_of_are_beside_the_table(shop: Path, direct):
    got = block(shop)
    for name, value in {**direct["bg"].params_, **direct["gg"].params_}.items():
        assert got[name] == pytest.approx(value, rel=1e-12), name
    assert got["As of"] == dt.date(2026, 6, 30)
    assert got["Fit date"] == dt.date.today()
    assert got["Months ahead"] == 12 and got["Discount rate per month"] == 0.01 and got["Margin"] == 1
    # the shop's generated orders have no churn (each order's customer drawn from the same customers
    # all 18 months): BG/NBD's dropout is not identified, and the sheet says so instead of showing a
    # drifted b as if it meant something
    assert got["Notes"].startswith("The orders show no sign of customers leaving")
    assert not direct["bg"].shows_dropout_


def test_p_active_and_clv_cells_are_formulas_on_the_parameter_cells(shop: Path):
    f = formulas(shop)
    assert f[(2, 9)] == "P_ALIVE(E2,F2,G2,$Q$2,$Q$3,$Q$4,$Q$5)"
    assert f[(2, 11)] == "CLV_PREDICT(E2,F2,G2,H2,$Q$11,$Q$12,$Q$13,$Q$2,$Q$3,$Q$4,$Q$5,$Q$6,$Q$7,$Q$8)"
    assert sum(1 for (_r, c) in f if c == 9) == sum(1 for (_r, c) in f if c == 11) == 1058


def test_the_workbook_passes_openxml_audit(shop: Path):
    audited(shop)


def test_refresh_recomputes_the_formulas_and_keeps_the_sheet(shop: Path, tmp_path: Path):
    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    before = customers(book)
    with open_package(book) as pkg:  # the user halves the margin beside the table
        pkg.write_region("Customers", 13, 17, 17, [[0.5]])
        pkg.save(book, backup=False)
    refresh(book, AS_OF, backup=False)
    after = customers(book)
    assert list(after.index) == list(before.index)
    np.testing.assert_allclose(after["Predicted CLV"].to_numpy(float), before["Predicted CLV"].to_numpy(float) / 2,
                               rtol=1e-9)
    np.testing.assert_allclose(after["P(active)"].to_numpy(float), before["P(active)"].to_numpy(float), rtol=1e-12)
    assert formulas(book)[(2, 9)].startswith("P_ALIVE(")
    audited(book)


def test_a_second_predict_replaces_the_rows(shop: Path, tmp_path: Path, direct):
    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    done = cli("predict", str(book), "--table", "Shop", "--as-of", "2025-12-31", "--months", "6")
    assert done.returncode == 0, done.stderr
    got = customers(book)
    first = pd.Series(direct["rfm"].first, index=direct["rfm"].customer)
    assert list(got.index) == list(first[first <= np.datetime64("2025-12-31")].index)
    assert len(rows_of(book)) == len(got) + 1  # no stale rows from the first predict below
    assert block(book)["Months ahead"] == 6 and block(book)["As of"] == dt.date(2025, 12, 31)
    with open_package(book) as pkg:
        info = next(t for t in pkg.tables() if t.display_name == "Customers")
        assert info.ref == f"A1:N{len(got) + 1}"
        assert [s.name for s in pkg.sheets()].count("Customers") == 1
        charts_after = [p for p in pkg.part_names() if p.startswith("xl/charts/")]
    with open_package(shop) as pkg:
        assert charts_after == [p for p in pkg.part_names() if p.startswith("xl/charts/")]  # replaced, not added
    assert len(_chart_values(book)) == 2
    audited(book)


def _checks(path: Path) -> list[list]:
    """The holdout and segment tables: the four columns three right of the parameter block."""
    col = len(HEADERS) + 4
    return [r[col:col + 4] for r in rows_of(path)[:25]]


def _chart_values(path: Path) -> list[dict]:
    """Each chart on the Customers sheet: title and each series' name and cached values."""
    import re

    with open_package(path) as pkg:
        sheet = next(s for s in pkg.sheets() if s.name == "Customers")
        drawing = next(r.target for r in pkg.rels(sheet.part) if r.kind == "drawing")
        out = []
        for rel in (r for r in pkg.rels(drawing) if r.kind == "chart"):
            xml = pkg.read_part(rel.target).decode()
            title = "".join(re.findall(r"<a:t>([^<]*)</a:t>", xml.split("</c:title>")[0]))
            series = []
            for ser in xml.split("<c:ser>")[1:]:
                name = re.search(r"<c:tx>.*?<c:v>([^<]*)</c:v>", ser, re.S).group(1)
                vals = ser.split("<c:val>")[1]
                series.append((name, [float(v) for v in re.findall(r"<c:v>([^<]*)</c:v>", vals)]))
            out.append({"title": title, "series": series, "xml": xml})
        return out


def test_holdout_check_and_clv_by_segment_are_tables_and_charts_beside_the_predictions(shop: Path):
    rows = _checks(shop)
    assert rows[0] == ["Repeat purchases before the holdout", "Customers", "Actual per customer",
                       "Predicted per customer"]
    # the same check computed directly: fit on the orders before the last third, predict the last third
    orders = pd.read_csv(SHOP)
    dates = pd.to_datetime(orders["Order date"].astype(str), format="%Y%m%d").to_numpy().astype("datetime64[D]")
    start = AS_OF - dt.timedelta(days=int((AS_OF - dt.date(2025, 1, 1)).days / 3))
    split = cl.holdout_split(orders["Customer ID"].to_numpy(), dates, None,
                             calibration_end=np.datetime64(start - dt.timedelta(days=1)), observation_end=np.datetime64(AS_OF))
    check = cl.holdout_check(cl.BetaGeo().fit(split.calibration), split)
    body = rows[1:9]
    assert [r[0] for r in body] == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert [r[1] for r in body] == check.customers.tolist()
    np.testing.assert_allclose([r[2] for r in body], check.actual, rtol=1e-12)
    np.testing.assert_allclose([r[3] for r in body], check.predicted, rtol=1e-12)
    figures = {r[0]: r[1] for r in rows[10:14]}
    assert figures["Holdout from"] == start
    assert figures["Mean absolute error per customer"] == pytest.approx(check.mae)
    assert figures["Bias (predicted total / actual total - 1)"] == pytest.approx(check.bias)
    assert abs(check.bias) < 0.25  # what a user reads: the model is within a quarter of the holdout total
    segments = {r[0]: (r[1], r[2]) for r in rows[16:20]}
    got = customers(shop)
    for name, (n, total) in segments.items():
        mine = got["Segment"] == name
        assert n == mine.sum() and total == pytest.approx(got.loc[mine, "Predicted CLV"].replace("", 0).sum())
    charts = _chart_values(shop)
    assert [c["title"] for c in charts] == ["Holdout check: predicted vs actual purchases", "Predicted CLV by segment"]
    (an, actual), (pn, predicted) = charts[0]["series"]
    assert (an, pn) == ("Actual per customer", "Predicted per customer")
    np.testing.assert_allclose(actual, check.actual, rtol=1e-9)
    np.testing.assert_allclose(predicted, check.predicted, rtol=1e-9)
    assert charts[1]["series"][0][1] == pytest.approx([t for _n, t in segments.values()])


def test_the_clv_chart_leaves_room_for_its_largest_bars_label(shop: Path):
    """The CLV by segment bars carry their values past their ends. The value axis ended at the next round
    number past the largest bar, whose label then touched the chart's edge (CDNOW's "53,504" at an axis
    of 60,000), in seven steps whose labels were drawn slanted: it now runs from 0 to a round number at
    least 1.4 times the largest total, in at most five steps, and the labels sit on white over the gridlines."""
    import re

    chart = next(c for c in _chart_values(shop) if c["title"] == "Predicted CLV by segment")
    largest = max(chart["series"][0][1])
    axis = re.search(r"<c:valAx>.*?</c:valAx>", chart["xml"], re.S).group(0)
    scale = {k: float(v) for k, v in re.findall(r'<c:(min|max|majorUnit) val="([^"]+)"', axis)}
    assert scale["min"] == 0 and scale["max"] >= 1.4 * largest > 0 and scale["max"] / scale["majorUnit"] <= 5
    labels = re.search(r"<c:dLbls>.*?</c:dLbls>", chart["xml"], re.S).group(0)
    assert '<c:showVal val="1"/>' in labels and '<a:srgbClr val="FFFFFF"/>' in labels


def as_shown(value: float, code: str) -> str:
    """``value`` as a number format of up to three sections (positive;negative;zero) shows it: the
    zero section's quoted words for 0, else the number with the positive section's decimals."""
    sections = code.split(";")
    if value == 0 and len(sections) > 2:
        return sections[2].strip('"')
    decimals = len(sections[0].split(".")[1]) if "." in sections[0] else 0
    return f"{value:,.{decimals}f}" if "," in sections[0] else f"{value:.{decimals}f}"


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_settings_shows_a_parameter_not_fitted_in_words_and_the_others_with_four_decimals(tmp_path: Path, lang):
    """Orders whose repeat customers all spend the same fit the purchase model but not the spend model.
    The Settings sheet showed 0 for p, q and v (its formula on their blank cells) and fourteen decimals for
    r, alpha, a and b; now "not fitted" (zh-TW: 未配適) and four decimals, as Excel shows the cells' number
    format, in the font of the settings beside them."""
    from kpi_xl.workbook.package.styles import _cached, _number_format

    rng = np.random.default_rng(3)
    rows = []
    for i in range(300):  # customers as BG/NBD assumes them, every order 50
        rate, drop = rng.gamma(2.0, 1 / 60), rng.beta(1.0, 4.0)
        when = dt.datetime(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        while when <= dt.datetime(2026, 6, 30):
            rows.append((f"C{i:03d}", when, 50.0))
            if rng.random() < drop:
                break
            when += dt.timedelta(days=max(1, int(rng.exponential(1 / rate))))
    book = _orders_book(tmp_path, rows, lang=lang)
    done = cli("predict", str(book), "--table", "Sales", "--as-of", "2026-06-30")
    assert done.returncode == 0, done.stderr
    assert "the spend model cannot be fitted" in done.stdout or "消費金額模型無法" in done.stdout
    sheet, title, words = (("Settings", "Customer-value model (kpi-xl predict)", "not fitted") if lang == "en" else
                           ("設定", "客戶價值模型（kpi-xl predict）", "未配適"))
    with open_package(book) as pkg:
        cells = pkg.read_cells(sheet)
        top = next(r for (r, c), cell in cells.items() if c == 1 and cell.value == title)
        _cached(pkg)
        fonts = pkg._memo["import-fonts"]
        shown, values, font = {}, {}, {}
        for i in range(7):
            label, cell = cells[(top + 1 + i, 1)], cells[(top + 1 + i, 2)]
            shown[label.value] = as_shown(cell.value, _number_format(pkg, cell.style)[1] or "General")
            values[label.value] = cell.value
            font[label.value] = fonts[cell.style] == fonts[label.style]
    assert all(values[k] > 0 for k in ("r", "alpha", "a", "b")) and {values[k] for k in "pqv"} == {0}
    assert shown == {**{k: f"{values[k]:,.4f}" for k in ("r", "alpha", "a", "b")}, "p": words, "q": words, "v": words}
    assert all(font.values()), font
    audited(book)


# --------------------------------------------------------------------------- the worksheet functions

def test_p_alive_and_clv_predict_through_the_registry_agree_with_the_models(direct):
    rfm, bg, gg = direct["rfm"], direct["bg"], direct["gg"]
    r, alpha, a, b = (bg.params_[k] for k in ("r", "alpha", "a", "b"))
    p, q, v = (gg.params_[k] for k in ("p", "q", "v"))
    col = lambda x: np.asarray(x, dtype=float).reshape(-1, 1)  # noqa: E731 - a worksheet column
    pa = registry.get("P_ALIVE").core(col(rfm.frequency), col(rfm.recency), col(rfm.T), r, alpha, a, b)
    np.testing.assert_allclose(np.asarray(pa, float).reshape(-1), bg.p_alive(rfm.frequency, rfm.recency, rfm.T),
                               rtol=1e-12)
    value = registry.get("CLV_PREDICT").core(col(rfm.frequency), col(rfm.recency), col(rfm.T), col(rfm.monetary),
                                             12, 0.01, 0.8, r, alpha, a, b, p, q, v)
    want = cl.clv(bg, gg, rfm.frequency, rfm.recency, rfm.T, rfm.monetary, months=12, discount_rate=0.01, margin=0.8)
    np.testing.assert_allclose(np.asarray(value, float).reshape(-1), want, rtol=1e-12)
    one = registry.get("CLV_PREDICT").core(3, 100, 200, 50, 12, None, None, r, alpha, a, b, p, q, v)
    assert one == pytest.approx(float(cl.clv(bg, gg, [3], [100], [200], [50])[0]), rel=1e-12)


def test_worksheet_functions_answer_impossible_histories_with_num():
    assert str(registry.get("P_ALIVE").core(2, 50, 40, 1, 10, 1, 2)) == "#NUM!"  # last purchase after T
    assert str(registry.get("P_ALIVE").core(2, 10, 40, 0, 10, 1, 2)) == "#NUM!"  # r = 0
    assert str(registry.get("CLV_PREDICT").core(2, 10, 40, 5, 12, None, None, 1, 10, 1, 2, 3, 0.9, 5)) == "#NUM!"  # q ≤ 1
    assert registry.get("P_ALIVE").core(0, 0, 40, 1, 10, 1, 2) == 1.0  # no repeat purchase: alive


def test_the_core_answers_na_for_parameters_left_out_and_reads_no_workbook():
    """In Python (no workbook to read), the parameters left out are not available: #N/A, saying which."""
    left_out = registry.get("P_ALIVE").core(2, 10, 40, 1, 10)
    assert str(left_out) == "#N/A" and left_out.reason.startswith("a, b: no fitted value")
    assert str(registry.get("CLV_PREDICT").core(2, 10, 40, 5, 12)) == "#N/A"
    assert str(registry.get("P_ALIVE").core(2, 10, 40, 1, 10, float("nan"), 2)) == "#N/A"  # a blank cell


def test_loading_the_worksheet_functions_does_not_load_scipy():
    code = ("import sys; import kpi_xl.functions.registry, kpi_xl.metrics; "
            "print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


# --------------------------------------------------------------------------- words

def refused(done: subprocess.CompletedProcess, *words: str) -> str:
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out
    message = next(line for line in done.stderr.splitlines() if "kpi-xl:" in line)
    for w in words:
        assert w in message, message
    return message


def test_an_unknown_column_is_refused_naming_the_tables_columns(shop: Path, tmp_path: Path):
    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    refused(cli("predict", str(book), "--table", "Shop", "--customer", "Client number"),
            "table Shop has no column 'Client number'", "Customer ID, Order date, Channel, Items, Amount, Cost")
    refused(cli("predict", str(book), "--table", "Sales"), "no table named Sales", "Shop")


def test_columns_are_guessed_in_both_languages_and_refused_when_unsure():
    assert guess_column(["Order no", "Customer ID", "Order date", "Amount"], "customer", "T") == "Customer ID"
    assert guess_column(["order_date", "x"], "date", "T") == "order_date"
    assert guess_column(["客戶編號", "日期", "金額"], "value", "T") == "金額"
    with pytest.raises(PredictError, match="which column of table T holds the customer"):
        guess_column(["Who", "Date", "Amount"], "customer", "T")
    with pytest.raises(PredictError, match="columns Amount, Revenue of table T could each hold the amount"):
        guess_column(["Customer", "Date", "Amount", "Revenue"], "value", "T")


def _orders_book(tmp_path: Path, rows: list[tuple], lang: str = "en") -> Path:
    book = new(tmp_path / "book.xlsx", lang=lang, empty=True)
    frame = pd.DataFrame(rows, columns=["Customer", "Date", "Amount"])
    import_table(book, "Sales", frame, mode="replace", backup=False)
    return book


def test_data_that_cannot_identify_the_model_is_said_on_the_sheet_and_printed(tmp_path: Path):
    day = dt.datetime(2026, 1, 1)
    rows = [(f"C{i}", day + dt.timedelta(days=i), 10.0 + i) for i in range(30)]  # nobody bought twice
    book = _orders_book(tmp_path, rows)
    done = cli("predict", str(book), "--table", "Sales", "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    assert "No predictions: the purchase model cannot be fitted" in done.stdout
    assert "none of the 30 customers bought again" in done.stdout
    got = customers(book)
    assert len(got) == 30 and (got["P(active)"] == "").all() and (got["Segment"] == "Other").all()
    assert block(book)["Notes"].startswith("No predictions")
    assert not formulas(book)
    audited(book)


def test_customers_with_zero_spend_are_left_out_in_words(tmp_path: Path):
    # customers as the models assume them (each with a purchase rate, a chance to leave after a
    # purchase and a spend scale of their own), so that both fits are identified on every machine:
    # a log where everyone stopped buying a year before the as-of date was fitted or not by the
    # BLAS kernels' rounding (SciPy 1.10 and NumPy 1.24 on one CPU said "not identified")
    rng = np.random.default_rng(3)
    rows, as_of = [], dt.datetime(2026, 6, 30)
    for i in range(300):
        rate, drop, scale = rng.gamma(2.0, 1 / 60), rng.beta(1.0, 4.0), 1 / rng.gamma(4.0, 1 / 100)
        when, k = dt.datetime(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365))), 0
        while when <= as_of:
            rows.append((f"C{i:03d}", when, 0.0 if i % 50 == 0 and k else float(rng.gamma(4.0, scale))))
            k += 1
            if rng.random() < drop:
                break
            when += dt.timedelta(days=max(1, int(rng.exponential(1 / rate))))
    book = _orders_book(tmp_path, rows)
    done = cli("predict", str(book), "--table", "Sales", "--as-of", "2026-06-30")
    assert done.returncode == 0, done.stderr
    got = customers(book)
    zero = (got["Frequency"] > 0) & (got["Mean repeat spend"] <= 0)
    assert zero.sum() > 0
    line = f"{zero.sum()} customers with repeat purchases of zero or negative total spend are left out"
    assert line in done.stdout and block(book)["Notes"].startswith(line)
    assert (got.loc[zero, "Predicted CLV"] == "").all() and (got.loc[~zero, "Predicted CLV"] != "").all()
    # customers who stopped buying months ago: at risk and lost, in words
    assert {"Top 20 % by CLV", "At risk: high value, low P(active)", "Lost"} <= set(got["Segment"])
    lost = got["Segment"] == "Lost"
    assert (got.loc[lost, "P(active)"] < 0.1).all()


def test_a_zh_tw_workbook_gets_the_sheet_in_chinese(tmp_path: Path):
    day = dt.datetime(2025, 1, 1)
    rows = [(f"C{i % 40}", day + dt.timedelta(days=(i * 37) % 500), 100.0 + (i * 13) % 90) for i in range(400)]
    book = _orders_book(tmp_path, rows, lang="zh-TW")
    done = cli("predict", str(book), "--table", "Sales", "--as-of", "2026-06-30")
    assert done.returncode == 0, done.stderr
    assert "已依 Sales 的 400 筆訂單" in done.stdout
    rows = rows_of(book, "客戶")
    assert rows[0][:3] == ["客戶", "訂單數", "首次購買"] and len(rows) == 41
    audited(book)


def test_the_columns_are_the_documented_ones():
    assert [COLUMNS[k] for k in COLUMNS] == HEADERS


def test_spend_that_grows_with_frequency_is_warned_about():
    """The Gamma-Gamma model assumes spend per purchase independent of frequency (FHL 2005 JMR):
    a correlation above 0.3 is said on the sheet."""
    from kpi_xl.workbook.customers import _Orders, compute

    rng = np.random.default_rng(3)
    ids, days, spend = [], [], []
    for i in range(300):
        start = np.datetime64("2025-01-01") + int(rng.integers(0, 200))
        n = int(rng.integers(1, 6))
        mean = rng.gamma(3, 10) * n  # customers differ in spend, and big buyers spend more per purchase
        for k in range(n):
            ids.append(f"C{i:03d}")
            days.append(start + int(k * rng.integers(5, 60)))
            spend.append(float(mean * rng.gamma(8, 1 / 8)))
    result = compute(_Orders(np.array(ids), np.array(days, dtype="datetime64[D]"), np.array(spend)),
                     dt.date(2026, 6, 30))
    said = [m.text("en") for m in result.notes]
    assert any(s.startswith("Spend per purchase and number of purchases are correlated (0.") for s in said), said
    assert any("相關" in m.text("zh-TW") for m in result.notes)


# --------------------------------------------------------------------------- refresh and goals

def test_refresh_predicts_again_and_goals_count_the_predictions(shop: Path, tmp_path: Path):
    """Refresh re-runs the prediction recorded beside the Customers table (as of the refresh's date),
    before the goals are measured, so a goal on the Customers table counts the new predictions:
    SUM of Predicted CLV, and COUNT with a Segment filter (goal filters are equalities)."""
    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    goals = pd.DataFrame([
        {"ID": "CLV", "Goal": "Predicted CLV of all customers", "Owner": "Amy", "KPI": "SUM", "Table": "Customers",
         "Columns": "Predicted CLV", "Date column": "First purchase", "Filter": "", "Direction": "higher",
         "Target": 5_000_000, "Start": "2025-01-01", "End": "2026-12-31", "Period": "month"},
        {"ID": "OTHER", "Goal": "Customers outside the top fifth", "Owner": "Amy", "KPI": "COUNT", "Table": "Customers",
         "Columns": "", "Date column": "First purchase", "Filter": "Segment=Other", "Direction": "lower",
         "Target": 500, "Start": "2025-01-01", "End": "2026-12-31", "Period": "month"},
    ])
    goals.to_csv(tmp_path / "goals.csv", index=False)
    done = cli("import", str(book), "Goals", str(tmp_path / "goals.csv"), "--replace")
    assert done.returncode == 0, done.stderr
    done = cli("refresh", str(book), "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stdout + done.stderr
    assert block(book)["As of"] == dt.date(2026, 3, 31)  # predicted again, as of the refresh's date
    got = customers(book)
    assert got["First purchase"].max() <= dt.date(2026, 3, 31)
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Scorecard").to_python()
    head = [str(h) for h in rows[0]]
    card = {str(r[0]): dict(zip(head, r)) for r in rows[1:] if r and r[0] != ""}
    actual = next(h for h in head if h.startswith("Actual"))
    assert card["CLV"][actual] == pytest.approx(got["Predicted CLV"].replace("", 0).sum(), rel=1e-9)
    assert card["OTHER"][actual] == (got["Segment"] == "Other").sum()
    assert book.with_name("shop.bak.xlsx").exists()


def test_every_row_keeps_its_customer_id_as_typed_past_the_first_rows(tmp_path: Path):
    """The rows after the first 200 are written in one pass (package/bulk.py): ids with characters XML
    or Excel escape and ids that are numbers in a text column read back as typed, with their formulas."""
    orders = pd.read_csv(SHOP)
    shop_ids = sorted(orders["Customer ID"].unique())
    odd = {shop_ids[-1]: "Z&B <1>", shop_ids[-2]: "Zx_x0041_y", shop_ids[-3]: "Zö-Kunde", shop_ids[-4]: 23569.0}
    orders["Customer ID"] = orders["Customer ID"].map(lambda c: odd.get(c, c)).astype(object)
    dates = pd.to_datetime(orders["Order date"].astype(str), format="%Y%m%d")
    book = _orders_book(tmp_path, list(zip(orders["Customer ID"], dates, orders["Amount"])))
    done = cli("predict", str(book), "--table", "Sales", "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    got = customers(book)
    want = sorted(str(int(c)) if isinstance(c, float) else c for c in orders["Customer ID"].unique())
    assert [str(i) for i in got.index] == want  # "23569", not "23569.0"; escapes undone
    assert got.index[-1] == "Zö-Kunde" and len(rows_of(book)) == len(want) + 1
    f = formulas(book)
    last = len(want) + 1
    assert f[(last, 9)] == f"P_ALIVE(E{last},F{last},G{last},$Q$2,$Q$3,$Q$4,$Q$5)"
    assert f[(last, 11)].startswith(f"CLV_PREDICT(E{last},F{last},G{last},H{last},$Q$11,")
    assert (got["Predicted CLV"] != "").all() and (got["Segment"] != "").all()
    audited(book)


# --------------------------------------------------------------------------- the short forms (issue 11)

def fitted(path: Path) -> dict[str, float]:
    """The parameters beside the Customers table (r ... v), as predict fitted them."""
    got = block(path)
    return {k: got[k] for k in CLV_MODEL_NAMES}


def defined(path: Path) -> dict[str, str]:
    with open_package(path) as pkg:
        return {n.name: n.value for n in pkg.defined_names() if n.sheet is None}


def test_predict_names_the_fitted_parameters_and_shows_them_on_settings(shop: Path, direct):
    names = defined(shop)
    assert {k: names[v] for k, v in CLV_MODEL_NAMES.items()} == {
        k: f"'Customers'!$Q${i}" for i, k in enumerate(("r", "alpha", "a", "b", "p", "q", "v"), start=2)}
    settings = rows_of(shop, "Settings")
    top = next(i for i, r in enumerate(settings) if r[0] == "Customer-value model (kpi-xl predict)")
    assert top > 5  # below the settings, which refresh reads from rows 2-5
    shown = {r[0]: r[1] for r in settings[top + 1:top + 10]}
    want = {**direct["bg"].params_, **direct["gg"].params_}
    assert shown.keys() == {*want, "Fit date", "As of"}
    for k, v in want.items():
        assert shown[k] == pytest.approx(v, rel=1e-12), k
    assert shown["Fit date"] == dt.date.today() and shown["As of"] == AS_OF
    f = formulas(shop, "Settings")
    assert [f[(top + 2 + i, 2)] for i in range(7)] == list(CLV_MODEL_NAMES.values())  # one source: the fit
    assert f[(top + 9, 2)] == "'Customers'!$Q$9" and f[(top + 10, 2)] == "'Customers'!$Q$10"


def test_the_short_forms_through_xlwings_read_the_model_predict_fitted(shop: Path, direct):
    """=P_ALIVE(E2, F2, G2) and =CLV_PREDICT(E2, F2, G2, H2, 12) in Excel (xlwings' real call_udf with
    the calling cell as its caller) read the names predict wrote: the explicit form's values."""
    rfm, params = direct["rfm"], fitted(shop)
    bg = tuple(params[k] for k in ("r", "alpha", "a", "b"))
    gg = tuple(params[k] for k in ("p", "q", "v"))
    rows = [(float(rfm.frequency[i]), float(rfm.recency[i]), float(rfm.T[i]), float(rfm.monetary[i]))
            for i in (0, 1, 2, 500, len(rfm) - 1)]
    M = xlharness.MISSING
    with xlharness.excel_session() as excel:
        book = xlharness.workbook_from_file(shop)
        caller = xlharness.ExcelRange(None, xlharness.ExcelWorksheet("Report", book), 4, 2)
        for x, tx, t, m in rows:
            explicit = excel.call_as_excel("P_ALIVE", x, tx, t, *bg, caller=caller)
            assert excel.call_as_excel("P_ALIVE", x, tx, t, M, M, M, M, caller=caller) == explicit
            assert explicit == pytest.approx(float(direct["bg"].p_alive([x], [tx], [t])[0]), rel=1e-12)
            explicit = excel.call_as_excel("CLV_PREDICT", x, tx, t, m, 12.0, 0.01, 1.0, *bg, *gg, caller=caller)
            assert excel.call_as_excel("CLV_PREDICT", x, tx, t, m, 12.0, M, M, *[M] * 7, caller=caller) == explicit
            assert explicit == pytest.approx(float(cl.clv(direct["bg"], direct["gg"], [x], [tx], [t], [m])[0]),
                                             rel=1e-12)
        # a whole column of customers at once, the parameters from the workbook
        column = tuple((r[0],) for r in rows), tuple((r[1],) for r in rows), tuple((r[2],) for r in rows)
        short = excel.call_as_excel("P_ALIVE", *column, M, M, M, M, caller=caller)
        assert short == excel.call_as_excel("P_ALIVE", *column, *bg, caller=caller)
        # one parameter typed, the others from the workbook
        assert excel.call_as_excel("P_ALIVE", *rows[0][:3], M, M, M, 1.0, caller=caller) == \
            excel.call_as_excel("P_ALIVE", *rows[0][:3], *bg[:3], 1.0, caller=caller)
        # a workbook predict has not fitted: #N/A (the kpi-xl VBA module makes it a real error value)
        elsewhere = xlharness.ExcelRange(None, xlharness.ExcelWorksheet("Sheet1", xlharness.ExcelWorkbook("new.xlsx")))
        assert excel.call_as_excel("P_ALIVE", *rows[0][:3], M, M, M, M, caller=elsewhere) == "#N/A"
        assert excel.call_as_excel("CLV_PREDICT", *rows[0], 12.0, caller=elsewhere) == "#N/A"
        assert excel.call_as_excel("P_ALIVE", *rows[0][:3], *bg, caller=elsewhere) == \
            excel.call_as_excel("P_ALIVE", *rows[0][:3], *bg, caller=caller)


def _type_formulas(book: Path, sheet: str, cells: dict[tuple[int, int], str]) -> None:
    """Formulas as a user types them (no cached value yet)."""
    from kpi_xl.workbook.package import KeptCell
    from kpi_xl.workbook.package.spills import write_cell

    with open_package(book) as pkg:
        for at, formula in cells.items():
            write_cell(pkg, sheet, at, KeptCell(None, formula))
        pkg.save(book, backup=False)


def test_refresh_computes_the_short_forms_typed_on_another_sheet(shop: Path, tmp_path: Path, direct):
    """After kpi-xl predict, short forms typed on the Start sheet get the explicit forms' values from
    kpi-xl refresh (so Excel without the add-in and LibreOffice show them); the workbook passes the audit."""
    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    rfm = direct["rfm"]
    x, tx, t, m = (float(v[7]) for v in (rfm.frequency, rfm.recency, rfm.T, rfm.monetary))
    hist = f"{x:g},{tx:g},{t:g}"
    _type_formulas(book, "Start", {
        (40, 2): f"P_ALIVE({hist})",
        (41, 2): f"P_ALIVE({hist},CLV_r,CLV_alpha,CLV_a,CLV_b)",
        (42, 2): f"CLV_PREDICT({hist},{m!r},12)",
        (43, 2): f"CLV_PREDICT({hist},{m!r},12,0.01,1,CLV_r,CLV_alpha,CLV_a,CLV_b,CLV_p,CLV_q,CLV_v)",
        (44, 2): f"CLV_PREDICT({hist},{m!r},12,,0.5)",
    })
    refresh(book, AS_OF, backup=False)
    with open_package(book) as pkg:
        got = {rc: c.value for rc, c in pkg.read_formulas("Start").items() if rc[0] >= 40}
    bg, gg = direct["bg"], direct["gg"]
    assert got[(40, 2)] == pytest.approx(got[(41, 2)], rel=1e-12)
    assert got[(40, 2)] == pytest.approx(float(bg.p_alive([x], [tx], [t])[0]), rel=1e-12)
    assert got[(42, 2)] == pytest.approx(got[(43, 2)], rel=1e-12)
    assert got[(42, 2)] == pytest.approx(float(cl.clv(bg, gg, [x], [tx], [t], [m])[0]), rel=1e-12)
    assert got[(44, 2)] == pytest.approx(got[(42, 2)] / 2, rel=1e-12)  # margin 0.5, the rest by default
    audited(book)


def test_the_short_forms_are_na_without_a_fitted_model(tmp_path: Path):
    """In a workbook predict has not fitted, the short forms answer #N/A (refresh stores it, and the
    formula keeps its text); the explicit form is computed as ever."""
    book = new(tmp_path / "book.xlsx", empty=True)
    _type_formulas(book, "Start", {(40, 2): "P_ALIVE(4,200,300)", (41, 2): "CLV_PREDICT(4,200,300,80,12)",
                                   (42, 2): "P_ALIVE(4,200,300,0.8,90,0.5,3)"})
    refresh(book, AS_OF, backup=False)
    with open_package(book) as pkg:
        got = {rc: c for rc, c in pkg.read_formulas("Start").items() if rc[0] >= 40}
        assert not any(n.name.startswith("CLV_") for n in pkg.defined_names())
    assert str(got[(40, 2)].value) == "#N/A" and str(got[(41, 2)].value) == "#N/A"
    assert got[(40, 2)].formula == "P_ALIVE(4,200,300)"
    assert got[(42, 2)].value == pytest.approx(1 / (1 + 0.5 / 6 * (390 / 290) ** 4.8), rel=1e-12)
    audited(book)


def test_settings_keeps_what_the_user_wrote_and_a_second_predict_reuses_its_block(shop: Path, tmp_path: Path):
    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    settings = rows_of(book, "Settings")
    top = next(i for i, r in enumerate(settings) if r[0] == "Customer-value model (kpi-xl predict)") + 1
    with open_package(book) as pkg:  # the user writes a note under the block and one above it, beside
        pkg_cells = {(top + 13, 1): "my note", (top - 1, 2): "kept"}
        from kpi_xl.workbook.package.spills import write_cell
        for at, v in pkg_cells.items():
            write_cell(pkg, "Settings", at, v)
        pkg.save(book, backup=False)
    done = cli("predict", str(book), "--table", "Shop", "--as-of", "2025-12-31")
    assert done.returncode == 0, done.stdout + done.stderr
    after = rows_of(book, "Settings")
    assert [i + 1 for i, r in enumerate(after) if r[0] == "Customer-value model (kpi-xl predict)"] == [top]
    assert after[top + 12][0] == "my note" and after[top - 2][1] == "kept"
    assert after[top + 8][1] == dt.date(2025, 12, 31)  # As of: the new fit's
    assert list(defined(book)).count("CLV_r") == 1
    audited(book)


def test_a_workbook_whose_settings_sheet_is_full_gets_the_block_below_it(tmp_path: Path):
    """Nothing the user wrote on Settings is overwritten: the block starts two rows below the last
    filled cell of columns A:B."""
    orders = pd.read_csv(SHOP).head(3000)
    dates = pd.to_datetime(orders["Order date"].astype(str), format="%Y%m%d")
    book = _orders_book(tmp_path, list(zip(orders["Customer ID"], dates, orders["Amount"])))
    from kpi_xl.workbook.package.spills import write_cell
    with open_package(book) as pkg:
        for r in range(7, 12):
            write_cell(pkg, "Settings", (r, 1 + r % 2), f"mine {r}")
        pkg.save(book, backup=False)
    done = cli("predict", str(book), "--table", "Sales", "--as-of", AS_OF.isoformat())
    assert done.returncode == 0, done.stdout + done.stderr
    settings = rows_of(book, "Settings")
    assert [settings[r - 1][1 + r % 2 - 1] for r in range(7, 12)] == [f"mine {r}" for r in range(7, 12)]
    assert settings[12][0] == "Customer-value model (kpi-xl predict)"
    audited(book)


def test_rows_written_a_part_at_a_time_are_the_bytes_of_one_pass(shop: Path, tmp_path: Path, monkeypatch):
    """package/bulk.py encodes the rows CHUNK at a time (to keep 1,000,000 orders' peak memory down):
    parts of 100 rows (with the CLV formulas asked for by row number) give the sheet one pass gives."""
    import hashlib

    from kpi_xl.workbook.customers import predict
    from kpi_xl.workbook.package import bulk

    def sheet_digest(chunk: int) -> str:
        book = tmp_path / f"chunk{chunk}.xlsx"
        shutil.copy(shop, book)
        monkeypatch.setattr(bulk, "CHUNK", chunk)
        predict(book, "Shop", as_of=AS_OF, backup=False)
        with open_package(book) as pkg:
            return hashlib.sha256(pkg.read_part(pkg.sheet("Customers").part)).hexdigest()

    assert sheet_digest(100) == sheet_digest(1_000_000)
    assert formulas(tmp_path / "chunk100.xlsx")[(1000, 11)] == (
        "CLV_PREDICT(E1000,F1000,G1000,H1000,$Q$11,$Q$12,$Q$13,$Q$2,$Q$3,$Q$4,$Q$5,$Q$6,$Q$7,$Q$8)")


def test_predict_and_refresh_fit_at_the_settings_as_of_date_not_the_day_they_run(shop: Path, tmp_path: Path):
    """With no --as-of, kpi-xl predict and the refresh's prediction fit at the Settings sheet's as-of
    date, the date the scorecard measures at (a plain refresh re-fitted at today: the Customers and
    Settings sheets then showed another model, or none, than the scorecard's day)."""
    from kpi_xl.workbook.package import KeptCell
    from kpi_xl.workbook.package.spills import write_cell

    book = tmp_path / "shop.xlsx"
    shutil.copy(shop, book)
    with open_package(book) as pkg:
        write_cell(pkg, "Settings", (3, 2), KeptCell(dt.datetime(2026, 6, 30)))
        pkg.save(book, backup=False)
    _type_formulas(book, "Start", {(40, 2): "P_ALIVE(4,200,300)", (41, 2): "P_ALIVE(4,200,300,CLV_r,CLV_alpha,CLV_a,CLV_b)"})
    refresh(book, None, backup=False)
    assert block(book)["As of"] == dt.date(2026, 6, 30)
    with open_package(book) as pkg:
        got = {rc: c.value for rc, c in pkg.read_formulas("Start").items() if rc[0] >= 40}
    assert isinstance(got[(40, 2)], float) and got[(40, 2)] == pytest.approx(got[(41, 2)], rel=1e-12)
    done = cli("predict", str(book), "--table", "Shop", "--no-backup")
    assert done.returncode == 0 and "(as of 2026-06-30)" in done.stdout, done.stdout + done.stderr
