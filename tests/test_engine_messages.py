"""What the goals engine says is message ids with parameters, translated where shown.

Every message the engine can produce has a zh-TW translation in the catalog, and a
zh-TW reader of the sample company's scorecard meets no English sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kpi_xl import i18n, sample
from kpi_xl.goals import compute, smart_check
from kpi_xl.goals.explain import explain_goal
from kpi_xl.goals.smart import verdict_text
from kpi_xl.workbook.content import localized

ROOT = Path(__file__).resolve().parents[1]
ZH_PO = ROOT / "kpi_xl" / "locale" / "zh_TW" / "LC_MESSAGES" / "kpi_xl.po"
#: English words of three letters or more: what is left of an untranslated sentence
#: (names, KPI functions and column names the user wrote are data, not sentences).
ENGLISH = re.compile(r"\b(?:no|is|not|the|of|for|and|target|rule|inside|outside|owns|starts|measurable|pace|"
                     r"achievement|baseline|period|table|column|data|KPIs|keep|fewer)\b")


@pytest.fixture(scope="module")
def catalog():
    with open(ZH_PO, "rb") as f:
        return read_po(f, locale="zh_TW")


def engine_ids() -> list[tuple[str, int, str]]:
    """Every text the engine marks with N_(...), where it is."""
    return [(fn, line, msg) for fn, line, msg, _, _ in
            extract_from_dir(str(ROOT / "kpi_xl" / "goals"), method_map=[("**.py", "python")], keywords={"N_": None})]


def test_the_engine_has_messages_to_check():
    assert len(engine_ids()) >= 80


def test_every_engine_message_has_a_chinese_translation(catalog):
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = [f"{fn}:{line}: {msg!r}" for fn, line, msg in engine_ids() if msg not in translated]
    assert not missing, "no zh-TW translation:\n" + "\n".join(missing)


def test_translations_keep_the_parameters(catalog):
    """A translation that drops or misspells a parameter would show a wrong sentence or fail to format."""
    names = lambda s: set(re.findall(r"\{(\w+)", s))  # noqa: E731
    wrong = [m.id for m in catalog if m.id and m.string and "{" in m.id and names(m.id) != names(m.string)]
    assert not wrong


@pytest.fixture(scope="module")
def zh():
    company = sample.load("zh-TW")
    return company, compute(company.goals, company.tables, company.as_of)


def test_a_chinese_reader_of_the_sample_meets_no_english_sentence(zh):
    company, result = zh
    card = localized(result.scorecard, "zh-TW")
    shown = list(card["rule"]) + list(card["status_label"]) + [w.text("zh-TW") for w in result.warnings]
    shown += [verdict_text(r).text("zh-TW") for _, r in smart_check(company.goals, company.tables).iterrows()]
    english = [s for s in shown if ENGLISH.search(s)]
    assert not english, english
    assert any("進度比" in s and "%" in s for s in card["rule"])  # reasons in percentages, as Taiwan reads them


def test_the_same_result_reads_in_english(zh):
    _, result = zh
    rules = [str(r) for r in result.scorecard["rule"]]
    assert any(re.fullmatch(r"pace \d\.\d{3} ≥ 0\.95 \((linear|seasonal) expectation\)", r) for r in rules)
    assert all(isinstance(m, i18n.Message) for m in result.scorecard["status_label"])


def test_explanations_are_translated_whole(zh):
    _, result = zh
    lines = [m.text("zh-TW") for gid in result.scorecard["id"] for m in explain_goal(result, gid)]
    assert lines and not [s for s in lines if ENGLISH.search(s.replace("ACHIEVEMENT", ""))]


def test_errors_name_the_row_in_the_readers_language():
    import pandas as pd

    result = compute(pd.DataFrame([{"id": "G", "name": "x", "start": "next spring"}]), {}, sample.load("en").as_of)
    problem = result.problems["G"]  # the goal is kept, "No data", with this as its reason
    assert "row 1, column Start: 'next spring' is not a date" in str(problem)
    assert "第 1 列，開始日 欄：「next spring」不是日期" in problem.text("zh-TW")
    assert result.scorecard.iloc[0]["status"] == "no_data" and result.scorecard.iloc[0]["rule"] == problem.message
