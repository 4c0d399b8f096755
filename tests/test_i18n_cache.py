"""Compiled catalogs are kept between runs (a refresh need not parse the .po with Babel each
time), and the cache can never show words other than the .po's own."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import sys

import pytest

from kpi_xl import i18n


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty cache folder and a copy of the catalogs this test may edit."""
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    monkeypatch.setenv("KPI_XL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.translations.cache_clear()
    yield locale / "zh_TW" / "LC_MESSAGES" / "kpi_xl.po", tmp_path / "cache"
    monkeypatch.undo()
    i18n.translations.cache_clear()


def test_the_cached_catalog_says_what_the_po_says(fresh):
    po, cache = fresh
    first = i18n.translations("zh-TW")  # compiled by Babel, then kept
    assert len(list(cache.glob("*.mo"))) == 1
    i18n.translations.cache_clear()
    again = i18n.translations("zh-TW")  # read back from the cache
    compiled = gettext.GNUTranslations(io.BytesIO(i18n._compile(po.read_bytes(), "zh-TW")))
    assert again._catalog == compiled._catalog == first._catalog
    assert again.pgettext("header", "Status") == "狀態"


def test_an_edited_po_is_compiled_again(fresh):
    po, cache = fresh
    assert i18n.pgettext("header", "Status", "zh-TW") == "狀態"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "狀態"', 'msgstr "狀況"', 1), encoding="utf-8")
    i18n.translations.cache_clear()
    assert i18n.pgettext("header", "Status", "zh-TW") == "狀況"
    assert len(list(cache.glob("*.mo"))) == 2


def test_a_damaged_or_unwritable_cache_is_not_a_problem(fresh, monkeypatch, tmp_path):
    po, cache = fresh
    i18n.translations("zh-TW")
    (mo,) = cache.glob("*.mo")
    mo.write_bytes(b"not a catalog")
    i18n.translations.cache_clear()
    assert i18n.pgettext("header", "Status", "zh-TW") == "狀態"
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    monkeypatch.setenv("KPI_XL_CACHE_DIR", str(blocked / "cache"))  # cannot be made
    i18n.translations.cache_clear()
    assert i18n.pgettext("header", "Status", "zh-TW") == "狀態"


def test_an_english_refresh_with_a_warm_cache_does_not_load_babel(fresh):
    _, cache = fresh
    i18n.translations("zh-TW")
    code = ("import sys; from kpi_xl.workbook import layout; layout.SMART_HEADER; "
            "print('babel' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "KPI_XL_CACHE_DIR": str(cache)})
    assert out.stdout.strip() == "False"
