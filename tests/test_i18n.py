"""Message catalogs: words through gettext, a language per .po file."""

from __future__ import annotations

import pytest

from kpi_xl import i18n


def test_languages_are_the_catalogs_there_are():
    assert i18n.languages()[0] == "en" and "zh-TW" in i18n.languages()


@pytest.mark.parametrize("spelling", ["zh-TW", "zh_TW", "zh-tw", "ZH-TW", "zh-Hant"])
def test_language_spellings(spelling):
    assert i18n.language(spelling) == "zh-TW"


def test_an_unknown_language_is_refused_with_the_ones_there_are():
    with pytest.raises(i18n.LanguageError, match="use one of en, zh-TW"):
        i18n.language("fr")


def test_a_message_is_translated_whole_then_filled_in():
    m = i18n.Message("Achieved", context="status")
    assert str(m) == "Achieved" and m.text("en") == "Achieved"
    assert m.text("zh-TW") != "Achieved" and m.text("zh-TW")
    filled = i18n.Message("{n} goals", n=3)
    assert filled.text("zh-TW") == "3 goals"  # no translation: the English, filled in


def test_the_environment_picks_the_language(monkeypatch):
    monkeypatch.setenv("KPI_XL_LANG", "zh_TW")
    assert i18n.language() == "zh-TW"
    monkeypatch.delenv("KPI_XL_LANG")
    assert i18n.language() == "en"
