"""`kpi-xl report BOOK --pdf OUT.pdf`: the Scorecard (its Changes first) and the Dashboard, no data sheet.

Read the way a reader reads it: poppler's pdfinfo and pdftotext on the PDF LibreOffice printed.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kpi_xl import sample
from kpi_xl.cli import main
from kpi_xl.workbook.template import new
from support import render as r

needs_soffice = pytest.mark.skipif(not r.soffice_available(), reason=r.INSTALL_HINT)


def run(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    assert "Traceback" not in res.output
    return res.exit_code, res.stdout, res.stderr


def pages(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout for i in range(1, n + 1)]


def page_size(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    return float(size[2]), float(size[4])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_soffice
@pytest.mark.parametrize("lang", ["en", "zh-TW"])
def test_the_pdf_has_the_changes_scorecard_and_dashboard_and_no_data(tmp_path, lang):
    book = new(tmp_path / f"book-{lang}.xlsx", lang=lang)
    before = digest(book)
    pdf = tmp_path / "out" / "report.pdf"
    code, out, err = run("report", str(book), "--pdf", str(pdf), "--as-of", "2026-07-20")
    assert code == 0, err
    assert digest(book) == before  # the user's workbook is only read
    texts = pages(pdf)
    assert 3 <= len(texts) <= 4, [t[:200] for t in texts]
    zh = lang == "zh-TW"
    changes_head = "\u5148\u524d\u72c0\u614b" if zh else "Status before"  # 先前狀態
    owner_head = "\u8ca0\u8cac\u4eba" if zh else "Owner"  # 負責人
    # page 1: a title from the Settings sheet (company, Scorecard, as-of date, review period), the
    # goals by status, then the Changes region (S1 got worse: it is there), before the scorecard
    first = [line.strip() for line in texts[0].splitlines() if line.strip()]
    if zh:  # 玉山軟體・計分卡 / 資料日期 2026/07/20・檢討週期 2026-07（月）
        assert first[0] == "\u7389\u5c71\u8edf\u9ad4\u30fb\u8a08\u5206\u5361"
        assert first[1] == "\u8cc7\u6599\u65e5\u671f 2026/07/20\u30fb\u6aa2\u8a0e\u9031\u671f 2026-07\uff08\u6708\uff09"
        assert first[2].startswith("21 \u500b\u76ee\u6a19")  # 21 個目標
        assert "\u81ea 2026-06 \u4ee5\u4f86\u7684\u72c0\u614b\u8b8a\u5316" in texts[0]  # 自 2026-06 以來的狀態變化
    else:
        assert first[:2] == ["Jade Mountain Software \u00b7 Scorecard",
                             "As of 2026-07-20 \u00b7 review period 2026-07 (month)"]
        assert first[2].startswith("21 goals (") and "At risk 5" in first[2]
        assert "Status changes since 2026-06" in texts[0]
    assert texts[0].index(first[1]) < texts[0].index(changes_head)
    assert changes_head in texts[0] and "S1" in texts[0]
    assert owner_head not in texts[0]
    # every page has the title and its page number in the footer
    for i, text in enumerate(texts, start=1):
        tail = [line.strip() for line in text.splitlines() if line.strip()][-1]
        assert tail.startswith(first[0])
        assert tail.endswith(f"\u7b2c {i} \u9801\uff0c\u5171 {len(texts)} \u9801" if zh else f"page {i} of {len(texts)}")
    # then the whole scorecard: every goal, its owner and its reason; then the Dashboard
    card = "\n".join(texts[1:-1])
    for goal in ("C1", "S1", "S5", "O1", "M4", "K2", "T4", "X1"):
        assert f"\n{goal} " in card or card.startswith(f"{goal} ")
    goals = sample.load(lang).goals
    for gid in ("S1", "T4"):  # each goal's owner, as the sample company has them
        assert goals.loc[goals["id"] == gid, "owner"].iloc[0] in card
    assert ("Dashboard" if not zh else "\u5100\u8868\u677f") in texts[-1]  # 儀表板
    # no data sheet: no order, deal or ticket row, no data-sheet header, no other sheet
    whole = "\n".join(texts)
    for other in ("Deal ID", "Order ID", "Ticket ID", "Objective", "Reward", "Review period"):
        assert other not in whole
    assert "2026-01-0" not in whole  # data rows are dated; the scorecard shows no January date
    assert "###" not in whole and "#NAME?" not in whole  # nothing too narrow, no error value
    width, height = page_size(pdf)
    assert width > height and round(width) == 842  # A4 landscape (842 x 595 pt)
    assert str(pdf) in out


@needs_soffice
def test_letter_paper(tmp_path):
    book = new(tmp_path / "book.xlsx")
    pdf = tmp_path / "letter.pdf"
    assert run("report", str(book), "--pdf", str(pdf), "--paper", "letter")[0] == 0
    assert tuple(round(v) for v in page_size(pdf)) == (792, 612)


def test_without_libreoffice_a_clear_message(tmp_path):
    book = new(tmp_path / "book.xlsx")
    code, out, err = run("report", str(book), "--pdf", str(tmp_path / "r.pdf"),
                         env={"KPI_XL_SOFFICE": str(tmp_path / "no-such-soffice")})
    assert code == 1
    assert "LibreOffice is needed to print the report to PDF and was not found" in err
    assert not (tmp_path / "r.pdf").exists()


def test_report_needs_something_to_make(tmp_path):
    book = new(tmp_path / "book.xlsx")
    code, _, err = run("report", str(book))
    assert code == 2 and "--pdf OUT.pdf" in err


@needs_soffice
def test_a_long_goal_name_and_reason_are_printed_whole(tmp_path):
    company = sample.load("en")
    long_name = "Won contract value North NT$18M in 2026, counting only signed framework agreements"
    company.goals.loc[company.goals["id"] == "S1", "name"] = long_name
    book = new(tmp_path / "long.xlsx", company=company)
    pdf = tmp_path / "long.pdf"
    assert run("report", str(book), "--pdf", str(pdf), "--as-of", "2026-07-20")[0] == 0
    texts = pages(pdf)
    card = "\n".join(texts[1:-1])
    line = next(line for line in card.splitlines() if line.startswith("S1 "))
    assert long_name in line  # not cut off by the Owner column
    assert line.rstrip().endswith("(seasonal expectation)")  # the reason printed to its end
    assert long_name in texts[0]  # in the Changes on the first page too (S1 got worse)
