"""One word per idea, one idea per word: the zh-TW catalog and docs follow kpi_xl/locale/glossary.csv.

The glossary lists each English term with its one zh-TW word (Excel's own zh-TW words for
Excel's ideas: 儲存格, 函數, 引數, 活頁簿, 工作表, 資料驗證, 設定格式化的條件, 下拉式清單)
and the variants not to use (another word for the same idea, or a mainland term such as
博客, 投資回報率, 會話). A term is translated two ways when a message whose English uses it
has a zh-TW text without the glossary's word, or when a zh-TW text or page uses a variant.
``scope`` says which messages a term is checked in: ``all``, one context (``status``,
``header``, ``column``), or ``-`` (variants only).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "kpi_xl" / "locale" / "glossary.csv"
PO = ROOT / "kpi_xl" / "locale" / "zh_TW" / "LC_MESSAGES" / "kpi_xl.po"
DOCS = ROOT / "docs" / "zh-TW"
#: Mainland (or machine-converted) words a Taiwanese reader stumbles on; the glossary must list each.
MAINLAND = ("博客", "投資回報率", "市場份額", "會話", "轉化率", "增長", "反饋", "社交媒體", "默認", "鏈接",
            "文件夾", "視頻", "信息")


def glossary(path: Path = GLOSSARY) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _entries(po: Path = PO) -> list[tuple[str | None, str, str]]:
    """(context, English, zh-TW) for each translated message (each plural form counted)."""
    with open(po, "rb") as f:
        cat = read_po(f, locale="zh_TW")
    out = []
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        out += [(m.context, ids[min(i, len(ids) - 1)], s) for i, s in enumerate(strs) if s]
    return out


def _term(en: str) -> re.Pattern:
    return re.compile(r"(?<![A-Za-z_])" + re.escape(en) + r"(?:s|es)?(?![A-Za-z_])", re.IGNORECASE)


def two_ways(rows: list[dict[str, str]], entries, pages: dict[str, str]) -> list[str]:
    """Every place where a glossary term is translated another way."""
    found = []
    longer_terms = {r["en"]: [t["en"] for t in rows if t["en"] != r["en"] and _term(r["en"]).search(t["en"])]
                    for r in rows}
    for row in rows:
        scope, word = row["scope"], row["zh_TW"]
        pattern = _term(row["en"])
        avoid = [v for v in row["avoid"].split("|") if v]
        for ctx, en, zh in entries:
            english = re.sub(r"\{[^}]*\}", "", en)  # a {placeholder}'s name is not a word the reader sees
            for longer in longer_terms[row["en"]]:  # "owner file" is not an "owner"
                english = _term(longer).sub("", english)
            if scope != "-" and (scope == "all" or scope == ctx) and pattern.search(english) and word not in zh:
                found.append(f"{en!r} says {row['en']!r} but {zh!r} lacks {word}")
            found += [f"{en!r}: {zh!r} uses {v} (say {word})" for v in avoid if v in zh]
        for name, text in pages.items():
            found += [f"{name}: uses {v} (say {word})" for v in avoid if v in text]
    return found


def _pages() -> dict[str, str]:
    return {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md"))}


def test_every_glossary_term_is_translated_one_way_in_the_catalog_and_the_docs():
    problems = two_ways(glossary(), _entries(), _pages())
    assert problems == [], f"{len(problems)} term(s) translated two ways:\n" + "\n".join(problems)


def test_the_glossary_has_excels_own_words_and_lists_the_mainland_terms():
    rows = {r["en"]: r for r in glossary()}
    excel = {"cell": "儲存格", "function": "函數", "argument": "引數", "workbook": "活頁簿", "sheet": "工作表",
             "data validation": "資料驗證", "conditional formatting": "設定格式化的條件", "drop-down": "下拉式清單"}
    assert {en: rows[en]["zh_TW"] for en in excel} == excel
    avoided = {v for r in rows.values() for v in r["avoid"].split("|")}
    assert [w for w in MAINLAND if w not in avoided] == []
    assert all(r["scope"] in ("all", "-", "status", "header", "column") for r in rows.values())
    words = [r["zh_TW"] for r in rows.values() if r["scope"] != "-"]
    assert len(words) == len(set(words)), "one idea per word: a zh-TW word stands for one English term"


@pytest.mark.parametrize("entry, page, expected", [
    (("header", "Check-in note", "檢討備註"), "", "lacks 進度說明"),
    ((None, "Pages per session = pageviews / sessions.", "每次會話瀏覽量"), "", "uses 會話"),
    ((None, "Earned", "已獲得"), "", None),
    (("header", "Earned", "已達成"), "", "lacks 已獲得"),
    ((None, "no data in the {sheet} table", "沒有資料"), "", None),  # {sheet} is a placeholder
    ((None, "Company", "公司"), "請到博客看看", "uses 博客"),
])
def test_the_check_finds_a_term_translated_another_way(entry, page, expected):
    problems = two_ways(glossary(), [entry], {"page.md": page})
    assert (problems == []) if expected is None else any(expected in p for p in problems), problems


# ------------------------------------------------------- words changed, workbooks made before still read
# A word a user types or the engine reads back keeps working after the catalog changed it
# (kpi_xl/locale/zh_TW/formerly.csv): 進度節奏 → 進度比 (status-rule measure), 檢視週期 → 檢討週期
# (Goals header); notes under the old header 檢討備註 survive a refresh.
import datetime as dt  # noqa: E402
import shutil  # noqa: E402

import pandas as pd  # noqa: E402

ZH = "zh-TW"
AS_OF = dt.date(2026, 6, 30)


def test_a_status_rule_typed_with_the_old_word_still_works():
    from kpi_xl.goals.status import read_rules

    old = read_rules(pd.DataFrame([{"Status": "落後", "Measure": "進度節奏", "At least": "85%"}]))
    new = read_rules(pd.DataFrame([{"Status": "落後", "Measure": "進度比", "At least": "85%"}]))
    assert old == new and old[0].measure == "pace"


def test_a_goals_header_typed_with_the_old_word_still_reads():
    from kpi_xl.goals.model import canonical

    assert canonical("檢視週期") == canonical("檢討週期") == canonical("Period") == "period"


@pytest.fixture(scope="module")
def zh_book(tmp_path_factory):
    from kpi_xl.workbook.template import new

    return new(tmp_path_factory.mktemp("zh-old") / "zh.xlsx", lang=ZH)


def _cells(path, sheet):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _find(rows, word):
    return [(r, c) for r, row in enumerate(rows, start=1) for c, v in enumerate(row, start=1) if v == word]


def test_a_workbook_made_with_the_old_words_refreshes_the_same_and_keeps_its_notes(zh_book, tmp_path):
    from kpi_xl.workbook import layout
    from kpi_xl.workbook.package import open_package
    from kpi_xl.workbook.refresh import refresh

    current, old = tmp_path / "current.xlsx", tmp_path / "old.xlsx"
    shutil.copy(zh_book, current)
    shutil.copy(zh_book, old)
    card, settings, goals = (layout.sheet(k, ZH) for k in ("scorecard", "settings", "goals"))
    rows = _cells(old, card)
    note_col = rows[0].index("進度說明") + 1
    notes = {row[0]: row[note_col - 1] for row in rows[1:] if row[0]}
    notes.update({row[0]: f"第 {i} 次進度說明" for i, row in enumerate(rows[1:4], start=1)})
    measures = _find(_cells(old, settings), "進度比")
    period = _find(_cells(old, goals)[:1], "檢討週期")
    assert len(measures) >= 2 and len(period) == 1  # the template's rules and header use the new words
    with open_package(old) as pkg:  # make it as the earlier template wrote it, with notes typed in
        # a region is written from its top row down: the header and every note below it
        pkg.write_region(card, 1, note_col, note_col, [["檢討備註"]] + [[notes[row[0]]] for row in rows[1:] if row[0]])
        column = [row[measures[0][1] - 1] for row in _cells(old, settings)[1:]]
        pkg.write_region(settings, 2, measures[0][1], measures[0][1], [["進度節奏" if v == "進度比" else v] for v in column])
        column = [row[period[0][1] - 1] for row in _cells(old, goals)[1:]]
        pkg.write_region(goals, 1, period[0][1], period[0][1], [["檢視週期"]] + [[v] for v in column])
        pkg.save(old, backup=False)
    assert refresh(old, as_of=AS_OF).statuses == refresh(current, as_of=AS_OF).statuses
    assert {row[0]: row[note_col - 1] for row in _cells(old, card)[1:] if row[0]} == notes
    assert _cells(old, settings)[2][measures[0][1] - 1] == "進度節奏"  # what the user typed stays as typed
    assert _cells(old, goals)[0][period[0][1] - 1] == "檢視週期"
    assert _cells(old, card)[1:] == [row[:note_col - 1] + [notes.get(row[0], row[note_col - 1])] + row[note_col:]
                                     for row in _cells(current, card)[1:]]
