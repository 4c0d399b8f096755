"""The workbooks as a person sees them: LibreOffice prints them; no error value, no
empty chart, Traditional Chinese drawn with a Chinese font.

Skipped on a machine without LibreOffice, except in CI, where .ci/run installs it
and a missing LibreOffice is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import zipfile

import pytest

from support import render
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new

if not render.soffice_available():
    if os.environ.get("CI"):
        pytest.fail(f"CI must render workbooks but these are missing: {render.missing_tools()}", pytrace=False)
    pytest.skip("LibreOffice not installed: bash .ci/install-system-deps", allow_module_level=True)

#: The sheets people read come first; data sheets (thousands of rows) after page 14.
PAGES = "1-14"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    d = tmp_path_factory.mktemp("render")
    out = {}
    for lang in ("en", "zh-TW"):
        book = new(d / f"book-{lang}.xlsx", lang=lang)
        refreshed = d / f"refreshed-{lang}.xlsx"
        shutil.copy(book, refreshed)
        refresh(refreshed, as_of=dt.date(2026, 6, 30))
        out[lang] = {"template": (book, render.render(book, d / f"r-{lang}", pages=PAGES)),
                     "refreshed": (refreshed, render.render(refreshed, d / f"rr-{lang}", pages=PAGES))}
    return out


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("which", ["template", "refreshed"])
def test_no_error_values_on_any_page(rendered, lang, which):
    """No error value anywhere, except one LibreOffice 7.4 limit: it has no dynamic arrays and
    recomputes every array formula on load, so a spilled KPI result (PERIOD_GROWTH,
    COUNT_PER_PERIOD, SUM_PER_PERIOD on the Functions sheet) is #NAME? in LibreOffice, cell for
    cell, where Excel shows the saved values; the share copy (below) shows them everywhere."""
    book, result = rendered[lang][which]
    assert len(result.pages) >= 10
    spilled = _spilled_kpi_cells(book)
    assert 0 < spilled <= 60
    problems = []
    for p in result.problems():
        m = re.match(r"page \d+ \(sheet (Functions|函數)\): #NAME\?(?: \((\d+) times\))?, first in", p)
        if m:
            spilled -= int(m.group(2) or 1)
        else:
            problems.append(p)
    assert problems == []
    assert spilled >= 0, "more #NAME? on the Functions sheet than spilled KPI cells"


def _spilled_kpi_cells(book) -> int:
    """Cells covered by dynamic-array formulas of KPI functions in ``book``."""
    from kpi_xl.excel import split_ref

    n = 0
    with zipfile.ZipFile(book) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode("utf-8")
                for first, last, formula in re.findall(
                        r'<f t="array" ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"[^>]*>([^<]*)</f>', xml):
                    if re.search(r"(PERIOD_GROWTH|COUNT_PER_PERIOD|SUM_PER_PERIOD)\(", formula):
                        (r1, c1), (r2, c2) = split_ref(first), split_ref(last or first)
                        n += (r2 - r1 + 1) * (c2 - c1 + 1)
    return n


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_charts_are_not_empty(rendered, lang):
    book, _ = rendered[lang]["refreshed"]
    assert render.chart_problems(book) == []
    assert len(render.charts(book)) == 3


def test_dashboard_and_scorecard_pages_show_the_numbers(rendered):
    _, result = rendered["en"]["refreshed"]
    text = result.text
    assert "Achievement vs where the plan expects it" in text
    assert "Won contract value North NT$18M in 2026" in text
    assert "2026-06-30" in text


def test_shared_copy_reads_the_same_when_everything_is_recalculated(rendered, tmp_path):
    """A teammate's LibreOffice recalculating every formula: no #NAME?, same numbers."""
    from kpi_xl.workbook.share import share

    book, before = rendered["en"]["refreshed"]
    out = share(book, tmp_path / "shared.xlsx").out
    after = render.render(out, tmp_path / "r", recalc=True, pages=PAGES)
    assert after.problems() == []
    assert "8,821,600" in after.text and "8,821,600" in before.text  # S1's actual, both ways


def test_traditional_chinese_is_drawn_with_a_chinese_font(rendered):
    _, result = rendered["zh-TW"]["refreshed"]
    assert "計分卡" in result.text or "進度正常" in result.text
    assert "達成率與計畫應達進度" in result.text  # the bar chart's title
    assert any("Hei" in f or "CJK" in f or "Ming" in f for f in result.fonts())
