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
import subprocess
import xml.etree.ElementTree as ET

import pytest
from python_calamine import CalamineWorkbook

from support import render
from kpi_xl.workbook.refresh import refresh
from kpi_xl.workbook.template import new

if not render.soffice_available():
    if os.environ.get("CI"):
        pytest.fail(f"CI must render workbooks but these are missing: {render.missing_tools()}", pytrace=False)
    pytest.skip("LibreOffice not installed: bash .ci/install-system-deps", allow_module_level=True)

#: The sheets people read come first; data sheets (thousands of rows) after page 15.
PAGES = "1-15"


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


def boxes(pdf, page: int) -> list[tuple[float, float, float, str, float]]:
    """The pieces of text on ``page`` as pdftohtml finds them: (left, top, bottom, text, font size), in
    the PDF's pixels (1.5 per point)."""
    out = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", str(page), "-l", str(page), str(pdf)],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", out).encode())
    sizes = {f.get("id"): float(f.get("size")) for f in root.iter("fontspec")}
    return [(float(t.get("left")), float(t.get("top")), float(t.get("top")) + float(t.get("height")),
             "".join(t.itertext()), sizes[t.get("font")]) for t in root.iter("text")]


def cut_formulas(pdf, pages: list[int], headers: tuple[str, str, str], table: list[tuple[str, str]]) -> dict:
    """The functions of ``table`` ((name, formula) in sheet order) whose formula does not print whole
    inside its row on ``pages``: a line missing (cut off below the row) or reaching into the next row.
    The function's name marks its row's top (column A's text sits at the top of its cell, beside the
    formula's first line) and the next name its foot. ``headers``: the header texts of columns A, B
    and C (B's text is what lies between their left edges)."""
    found, todo = {}, list(table)
    for page in pages:
        items = boxes(pdf, page)
        # a header's text may be in pieces (a character from another font): its first piece starts it
        starts = [min((top, left, bottom) for left, top, bottom, text, _s in items
                      if text.strip() and h.startswith(text.strip())) for h in headers]
        (_ta, x_a, _ba), (_tb, x_b, _bb), (_tc, x_c, _bc) = starts  # the header row, at the top
        names = sorted((top, bottom, text) for left, top, bottom, text, _size in items if abs(left - x_a) < 3)
        for k, (top, _bottom, text) in enumerate(names):
            if not todo or text != todo[0][0]:
                continue
            name, formula = todo.pop(0)
            foot = names[k + 1][0] if k + 1 < len(names) else float("inf")
            # the lines of column B from the row's top to the next row's (a line cut off at the row's
            # foot is not printed: the formula reads short; one printed past it reaches the next row)
            pieces = sorted((t, left, bot, x) for left, t, bot, x, _size in items
                            if x_b - 3 <= left < x_c - 3 and top - 3 <= (t + bot) / 2 < foot)
            lines: list[tuple[float, list]] = []
            for t, left, bot, x in pieces:
                if lines and abs(t - lines[-1][0]) < 5:
                    lines[-1][1].append((left, x))
                else:
                    lines.append((t, [(left, x)]))
            shown = "".join(x for _t, line in lines for _left, x in sorted(line))
            lowest = max((bot for _t, _l, bot, _x in pieces), default=top)
            if re.sub(r"\s", "", shown) != re.sub(r"\s", "", formula) or lowest > foot + 2:
                found[name] = (shown, lowest - foot if foot != float("inf") else 0.0)
    assert not todo, f"not printed: {todo[:3]}"
    return found


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_every_formula_on_the_functions_sheet_prints_whole_in_its_row(rendered, lang):
    """Column B's formulas wrap; each row is tall enough for all of its lines. In Traditional Chinese the
    table and column names are wide characters and a formula breaks only beside them or at a space: CAGR's
    third line and TICKETS_RESOLVED's second were cut off at the row's foot."""
    book, result = rendered[lang]["template"]
    sheet = "Functions" if lang == "en" else "函數"
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python()
    headers = tuple(rows[0][:3])
    table = []
    for row in rows[1:]:
        if not row[0]:
            break
        table.append((row[0], row[1]))
    assert len(table) > 40
    pages = [i + 1 for i, s in enumerate(result.sheets) if s == sheet]
    assert cut_formulas(result.pdf, pages, headers, table) == {}


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_goals_print_readable_on_three_pages_each_with_the_goal(rendered, lang):
    """The Goals sheet's 23 columns printed on one page came out at a third of their size (text 5 pixels
    high in the PDF beside the other sheets' 12): three pages across, each starting with the header row
    and a goal's ID and name, at about four fifths."""
    book, result = rendered[lang]["template"]
    sheet = "Goals" if lang == "en" else "目標"
    pages = [i + 1 for i, s in enumerate(result.sheets) if s == sheet]
    assert len(pages) == 3
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python()
    id_header, goal_header, ids = rows[0][0], rows[0][1], [r[0] for r in rows[1:] if r[0]]
    owner, smart = rows[0][2], rows[0][-1]
    texts = []
    for page in pages:
        items = boxes(result.pdf, page)
        texts.append("".join(t for _l, _t, _b, t, _s in items))
        x_id, x_goal = (next(left for left, _t, _b, t, _s in items if t == h) for h in (id_header, goal_header))
        # the ID column first on every page, and beside it each goal's name (a piece of text starting there)
        assert x_id == min(left for left, *_rest in items)
        assert set(ids) <= {t for left, _t, _b, t, _s in items if abs(left - x_id) < 2}, texts[-1][:200]
        assert sum(abs(left - x_goal) < 2 for left, *_rest in items) >= len(ids) + 1
        assert min(size for *_rest, size in items) >= 10, page
    assert owner in texts[0] and smart.replace(" ", "") in texts[-1].replace(" ", "")
