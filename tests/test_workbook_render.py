"""The workbooks as a person sees them: LibreOffice prints them; no error value, no
empty chart, Traditional Chinese drawn with a Chinese font.

Skipped on a machine without LibreOffice, except in CI, where .ci/run installs it
and a missing LibreOffice is a failure.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

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
    """No error value anywhere, the Functions sheet's spilled results included: LibreOffice 7.4
    has no dynamic arrays and recomputes every array formula on load (#NAME? for a kpi-xl
    function), so each value of a spilled result is a formula of its own that keeps its stored value."""
    book, result = rendered[lang][which]
    assert len(result.pages) >= 10
    assert result.problems() == []
    functions = "\f".join(t for t, s in zip(result.texts, result.sheets) if s in ("Functions", "函數"))
    spilled = functions[functions.index("=SUM_PER_PERIOD("):]  # the section of whole results, printed
    assert "2025-01-01" in spilled or "2025/01/01" in spilled  # its first period start


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
