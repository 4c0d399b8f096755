"""The Customers sheet as a person sees it (issue 11: "renders in LibreOffice with its chart").

The CDNOW orders of the papers (tests/data/cdnow, 2,357 customers, 6,919 orders) are imported
into an empty workbook and predicted with the command; LibreOffice prints the Customers sheet
(the other sheets hidden in a copy, as a user printing that sheet gets it) and the pages are read
as text and as pixels: the model, the holdout check and the CLV by segment with their two charts
drawn (bars in the charts' colours, not an empty frame) on the first page, the table's first
customers on the next, no error value, and a print area of two pages, not one per 50 customers.

Skipped without LibreOffice, except in CI (as tests/test_workbook_render.py).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openxml_audit import OpenXmlValidator

from support import render

if not render.soffice_available():
    if os.environ.get("CI"):
        pytest.fail(f"CI must render workbooks but these are missing: {render.missing_tools()}", pytrace=False)
    pytest.skip("LibreOffice not installed: bash .ci/install-system-deps", allow_module_level=True)

CDNOW = Path(__file__).resolve().parent / "data" / "cdnow" / "CDNOW_sample.txt"
BLUE, GREY = (0x44, 0x72, 0xC4), (0x7F, 0x7F, 0x7F)  # the charts' bar colours (customers.py)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from kpi_xl.cli import run; run()", *args],
                          capture_output=True, text=True, timeout=300)


def only_sheet(book: Path, out: Path, keep: str) -> Path:
    """A copy of ``book`` whose sheets other than ``keep`` are hidden (LibreOffice prints shown sheets)."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                text = data.decode()
                names = re.findall(r'<sheet [^>]*name="([^"]*)"', text)
                text = re.sub(r"<sheet [^>]*/>", lambda m: m.group(0) if f'name="{keep}"' in m.group(0)
                              or "state=" in m.group(0) else m.group(0).replace("<sheet ", '<sheet state="hidden" '),
                              text)
                i = names.index(keep)
                text = re.sub(r"<workbookView ", f'<workbookView activeTab="{i}" firstSheet="{i}" ', text, count=1)
                data = text.encode()
            zout.writestr(item, data)
    return out


def pixels(pdf: Path, page: int, folder: Path) -> np.ndarray:
    """Page ``page`` of ``pdf`` as an (height, width, 3) array (poppler's PPM: a header, then bytes)."""
    prefix = folder / f"px-{page}"
    subprocess.run(["pdftoppm", "-r", "80", "-f", str(page), "-l", str(page), str(pdf), str(prefix)], check=True,
                   timeout=120)
    ppm = next(folder.glob(f"px-{page}*.ppm")).read_bytes()
    magic, width, height, depth, body = re.match(rb"(P6)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", ppm, re.S).groups()
    assert int(depth) == 255
    return np.frombuffer(body, np.uint8).reshape(int(height), int(width), 3)


def near(image: np.ndarray, colour: tuple[int, int, int], tol: int = 6) -> np.ndarray:
    return (np.abs(image.astype(int) - np.array(colour)) <= tol).all(axis=2)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("customers-render")
    orders = pd.read_csv(CDNOW, sep=r"\s+", header=None, dtype={0: str},
                         names=["Customer ID", "Master ID", "Order date", "CDs", "Amount"])
    orders[["Customer ID", "Order date", "Amount"]].to_csv(folder / "cdnow.csv", index=False)
    book = folder / "cdnow.xlsx"
    for args in (("new", "--empty", str(book)), ("import", str(book), "CDNOW", str(folder / "cdnow.csv")),
                 ("predict", str(book), "--table", "CDNOW", "--as-of", "1998-06-30")):
        done = cli(*args)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "wrote 2,357 customers from 6,919 orders of CDNOW" in done.stdout
    copy = only_sheet(book, folder / "customers.xlsx", "Customers")
    return book, copy, render.render(copy, folder / "pages", pages="1-20"), folder


def test_the_workbook_passes_openxml_audit(printed):
    book, *_ = printed
    result = OpenXmlValidator().validate(str(book))
    assert result.is_valid, [str(e) for e in result.errors[:5]]


def test_the_sheet_prints_on_two_pages_not_one_per_fifty_customers(printed):
    _book, _copy, result, _ = printed
    assert len(result.pages) == 2, [t[:200] for t in result.texts]
    assert set(result.sheets) == {"Customers"}


def test_no_error_values_on_the_pages(printed):
    _book, _copy, result, _ = printed
    assert result.problems() == []
    for code in ("#NAME?", "#VALUE!", "#NUM!", "Err:"):
        assert code not in result.text


def test_first_page_shows_the_model_the_checks_and_the_notes_whole(printed):
    _book, _copy, result, _ = printed
    page = result.texts[0]
    flat = " ".join(page.split())  # a chart title may wrap
    for words in ("Fitted model", "alpha", "As of", "1998-06-30", "Repeat purchases before the holdout",
                  "Mean absolute error per customer", "Bias (predicted total / actual total - 1)",
                  "Top 20 % by CLV", "Lost", "Holdout check:", "Predicted CLV by segment", "Notes"):
        assert words in flat, words
    # every column of the holdout table is on the page (it was cut after "Actual per customer")
    assert re.search(r"Actual per customer\s+Predicted per customer", page)
    assert re.search(r"7\+\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d", page)


def test_second_page_shows_the_table_of_the_first_customers(printed):
    _book, _copy, result, _ = printed
    page = " ".join(result.texts[1].split())
    for header in ("Customer", "Orders", "First purchase", "P(active)", "Expected purchases", "Predicted CLV",
                   "Segment"):
        assert header in page, header
    assert page.count("1997-01-") >= 40  # the first customers' first purchases: rows, not an empty frame
    assert "00004 4 1997-01-01 1997-12-12 3" in page  # CDNOW's first customer: 4 orders, 3 repeat purchases


def solid(mask: np.ndarray) -> np.ndarray:
    """``mask`` where a pixel's whole 3 × 3 neighbourhood is in it: bars, not a text's thin
    anti-aliased strokes of the same colour (one pixel narrower on each side)."""
    out = mask[1:-1, 1:-1].copy()
    for dy in (0, 1, 2):
        for dx in (0, 1, 2):
            out &= mask[dy:dy + mask.shape[0] - 2, dx:dx + mask.shape[1] - 2]
    return out


def bars(mask: np.ndarray) -> np.ndarray:
    """The pixel columns where a bar of ``mask``'s colour stands."""
    return np.flatnonzero(solid(mask).sum(axis=0) >= 2) + 1


def test_both_charts_are_drawn_with_their_bars(printed):
    _book, _copy, result, folder = printed
    image = pixels(result.pdf, 1, folder)
    grey, blue = near(image, GREY), near(image, BLUE)
    grey_cols = bars(grey)
    assert len(grey_cols) >= 8 * 3, "the holdout chart's actual bars (8 of them) are not drawn"
    left, right = grey_cols.min(), grey_cols.max()
    blue_cols = bars(blue)
    holdout_blue = blue_cols[(blue_cols >= left - 20) & (blue_cols <= right + 20)]
    segment_blue = blue_cols[blue_cols > right + 40]
    assert len(holdout_blue) >= 8 * 3, "the holdout chart's predicted bars are not drawn"
    assert len(segment_blue) >= 3 * 3, "the CLV-by-segment bars are not drawn"
    # the bars stand in the charts below the tables (page's lower half), not in a frame with nothing in it
    rows = np.flatnonzero(solid(grey).any(axis=1) | solid(blue).any(axis=1)) + 1
    assert rows.min() > image.shape[0] * 0.45


def test_libreoffice_finds_numbers_in_every_chart_series(printed):
    book, copy, _result, _ = printed
    found = [c for c in render.charts(copy) if c.sheet == "Customers"]
    assert sorted(c.title for c in found) == ["Holdout check: predicted vs actual purchases",
                                              "Predicted CLV by segment"]
    assert [p for p in render.chart_problems(copy) if "sheet Customers:" in p] == []
    segment = next(c for c in found if c.title == "Predicted CLV by segment")
    assert len(segment.series[0].plotted) == 4 and sum(segment.series[0].plotted) > 0


def test_the_fitted_parameters_show_four_decimals_and_keep_every_digit(printed):
    book, _copy, result, _ = printed
    shown = dict(re.findall(r"^\s*(r|alpha|a|b|p|q|v)\s+(\S+)", result.texts[0], re.M))
    assert set(shown) == {"r", "alpha", "a", "b", "p", "q", "v"}, shown
    assert all(re.fullmatch(r"\d[\d,]*\.\d{4}", x) for x in shown.values()), shown  # 0.2536, not 0.25356115665
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Customers").to_python()
    stored = {r[j]: r[j + 1] for r in rows for j in range(len(r) - 1) if r[j] in shown and isinstance(r[j + 1], float)}
    assert stored.keys() == shown.keys()
    for name, value in stored.items():  # the cells the formulas read keep the fit's every digit
        assert float(shown[name].replace(",", "")) == pytest.approx(value, abs=5e-5)
    assert any(value != round(value, 4) for value in stored.values())


def test_the_segment_chart_has_its_value_labels_under_the_bars(printed):
    _book, copy, _result, _ = printed
    segment = next(c for c in render.charts(copy) if c.title == "Predicted CLV by segment")
    axes = {a.dimension: a for a in segment.axes}
    # segments top to bottom (the biggest first), and the values' axis where they end: at the bottom
    assert axes["x"].reversed and axes["y"].position == "end", segment.axes
