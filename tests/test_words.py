"""Words live in the message catalogs, not in the code.

No Chinese (or other CJK) text in kpi_xl's .py files; every text the code marks for
translation is in the committed message template (kpi_xl/locale/kpi_xl.pot) and
translated in every catalog; a new language is one new .po file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import gendocs
from kpi_xl import i18n

ROOT = Path(__file__).resolve().parents[1]
CJK = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")


def _cjk_lines(paths, root: Path = ROOT) -> list[str]:
    found = []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if CJK.search(line):
                found.append(f"{rel}:{n}: {line.strip()[:80]}")
    return found


def test_no_cjk_characters_in_python_sources():
    paths = [p for p in sorted((ROOT / "kpi_xl").rglob("*.py"))]
    assert _cjk_lines(paths) == [], "words belong in kpi_xl/locale/<lang>/LC_MESSAGES/kpi_xl.po or kpi_xl/data"


def test_the_cjk_check_finds_chinese_and_fullwidth_punctuation(tmp_path):
    (tmp_path / "a.py").write_text('x = "ok"\ny = "\u76ee\u6a19"\nz = "a\uff1bb"\nw = "\u3010x\u3011"\n', encoding="utf-8")
    assert [line.split(":")[1] for line in _cjk_lines([tmp_path / "a.py"], tmp_path)] == ["2", "3", "4"]


def _catalog(path: Path, lang: str | None = None):
    with open(path, "rb") as f:
        return read_po(f, locale=lang)


def test_the_message_template_is_current():
    committed = gendocs.message_ids((ROOT / gendocs.POT).read_text(encoding="utf-8"))
    fresh = gendocs.message_ids(gendocs.pot_text(ROOT))
    assert sorted(fresh - committed, key=str) == [], "new texts: run `python tools/gendocs.py`"
    assert sorted(committed - fresh, key=str) == [], "texts no longer used: run `python tools/gendocs.py`"


def test_the_template_holds_the_function_texts_and_the_workbook_words():
    ids = gendocs.message_ids((ROOT / gendocs.POT).read_text(encoding="utf-8"))
    from kpi_xl.functions import catalog

    assert {(ctx, msgid) for ctx, msgid, _ in catalog.messages()} <= ids
    for expected in [("function title", "ACV"), ("sheet", "Scorecard"), ("column", "Deal ID"), ("status", "At risk"),
                     ("goals column", "Reward plan"), ("direction", "maintain"), (None, "Refresh scorecard")]:
        assert expected in ids


#: A named parameter of a message, with or without a format ({start:%Y/%m/%d}, {pace:.0%}).
PARAMETER = r"\{(\w+)(?:[:!][^{}]*)?\}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != i18n.SOURCE])
def test_every_message_is_translated_in_every_catalog(lang):
    pot = _catalog(ROOT / gendocs.POT)
    po = _catalog(i18n.LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES" / "kpi_xl.po", lang.replace("-", "_"))
    untranslated, fuzzy, placeholders = [], [], []
    for m in pot:
        if not m.id:
            continue
        t = po.get(m.id, m.context)
        if t is None or not t.string:
            untranslated.append((m.context, m.id))
        elif t.fuzzy:
            fuzzy.append((m.context, m.id))
        elif isinstance(m.id, tuple):  # a plural: each form fills in what the English forms are given
            given = {p for form in m.id for p in re.findall(PARAMETER, form)}
            if any(not set(re.findall(PARAMETER, s)) <= given or not s for s in t.string):
                placeholders.append((m.context, m.id, t.string))
        elif set(re.findall(PARAMETER, m.id)) != set(re.findall(PARAMETER, t.string)):
            placeholders.append((m.context, m.id, t.string))
    assert untranslated == [] and fuzzy == [] and placeholders == []


def test_the_zh_tw_outputs_show_the_catalogs_words():
    from kpi_xl.functions import catalog
    from kpi_xl.goals.model import choice, goal_header
    from kpi_xl.labels import STATUS
    from kpi_xl.workbook import layout

    acv = next(f for f in catalog.functions() if f.name == "ACV")
    assert acv.title("zh-TW") == "\u5e73\u5747\u5e74\u5ea6\u5408\u7d04\u50f9\u503c"
    assert layout.sheet("scorecard", "zh-TW") == "\u8a08\u5206\u5361" and layout.sheet("scorecard", "en") == "Scorecard"
    assert goal_header("direction", "zh-TW") == "\u65b9\u5411" and choice("direction", "higher", "zh-TW") == "\u8d8a\u9ad8\u8d8a\u597d"
    assert STATUS["zh-TW"]["at_risk"] == "\u6709\u98a8\u96aa" and STATUS["en"]["at_risk"] == "At risk"
    zh = gendocs.render("zh-TW")
    assert "Average annual contract value" not in zh and "\u5e73\u5747\u5e74\u5ea6\u5408\u7d04\u50f9\u503c" in zh


def test_the_goals_table_reads_either_languages_words():
    from kpi_xl.goals.model import CHOICE_WORDS, canonical

    assert canonical("\u65b9\u5411") == "direction" and canonical("Direction") == "direction"
    assert CHOICE_WORDS["direction"]["\u8d8a\u4f4e\u8d8a\u597d"] == "lower" and CHOICE_WORDS["direction"]["lower"] == "lower"
    assert CHOICE_WORDS["period"]["\u5b63"] == "quarter"


JA_WORDS = {  # a few words of the new catalog made its own, to see them used
    ('msgctxt "sheet"\nmsgid "Scorecard"\nmsgstr "\u8a08\u5206\u5361"'): 'msgctxt "sheet"\nmsgid "Scorecard"\nmsgstr "\u30b9\u30b3\u30a2\u30ab\u30fc\u30c9"',
    ('msgctxt "direction"\nmsgid "higher"\nmsgstr "\u8d8a\u9ad8\u8d8a\u597d"'): 'msgctxt "direction"\nmsgid "higher"\nmsgstr "\u9ad8\u3044\u307b\u3069\u826f\u3044"',
    ('msgctxt "language"\nmsgid "English"\nmsgstr "\u7e41\u9ad4\u4e2d\u6587"'): 'msgctxt "language"\nmsgid "English"\nmsgstr "\u65e5\u672c\u8a9e"',
}


@pytest.fixture
def japanese(tmp_path, monkeypatch):
    """A copy of the catalogs plus ja/LC_MESSAGES/kpi_xl.po: the zh-TW file with a few words changed."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    text = (locale / "zh_TW" / "LC_MESSAGES" / "kpi_xl.po").read_text(encoding="utf-8")
    for old, new in JA_WORDS.items():
        assert old in text
        text = text.replace(old, new)
    (locale / "ja" / "LC_MESSAGES").mkdir(parents=True)
    (locale / "ja" / "LC_MESSAGES" / "kpi_xl.po").write_text(text.replace("Language: zh_TW", "Language: ja"),
                                                             encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.translations.cache_clear()
    yield "ja"
    monkeypatch.undo()
    i18n.translations.cache_clear()


def test_a_third_language_is_one_new_po_file(japanese, tmp_path):
    from kpi_xl.goals.model import CHOICE_WORDS
    from kpi_xl.labels import STATUS
    from kpi_xl.workbook import layout
    from kpi_xl.workbook.template import new

    assert i18n.languages() == ("en", "ja", "zh-TW")
    assert i18n.language("ja") == "ja" and i18n.language("\u65e5\u672c\u8a9e") == "ja"
    assert layout.sheet("scorecard", "ja") == "\u30b9\u30b3\u30a2\u30ab\u30fc\u30c9"
    assert CHOICE_WORDS["direction"]["\u9ad8\u3044\u307b\u3069\u826f\u3044"] == "higher"  # read in any workbook
    assert CHOICE_WORDS["direction"]["\u8d8a\u9ad8\u8d8a\u597d"] == "higher"
    assert set(STATUS) == {"en", "ja", "zh-TW"}
    assert "### ACV \u2014 \u5e73\u5747\u5e74\u5ea6\u5408\u7d04\u50f9\u503c" in gendocs.render("ja")  # its function titles
    import openpyxl

    path = new(tmp_path / "ja.xlsx", lang="ja")
    wb = openpyxl.load_workbook(path)
    assert "\u30b9\u30b3\u30a2\u30ab\u30fc\u30c9" in wb.sheetnames
    goals = wb[layout.sheet("goals", "ja")]
    direction = [c.value for c in goals[1]].index(layout.goal_header("direction", "ja")) + 1
    assert "\u9ad8\u3044\u307b\u3069\u826f\u3044" in {goals.cell(r, direction).value for r in range(2, goals.max_row + 1)}
    assert wb[layout.sheet("settings", "ja")]["B4"].value == "ja"
