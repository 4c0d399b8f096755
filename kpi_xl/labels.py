"""Status words in the reader's language: the one presentation helper over :mod:`kpi_xl.i18n`
that a worksheet function (STATUS), the scorecard engine and the workbook share.

The words are the catalogs' (context "status"); :data:`STATUS` reads as
``STATUS[lang][status_id]`` for every language there is a catalog for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n import NC_, LanguageError, language, languages, pgettext

__all__ = ["STATUS", "STATUS_WORDS", "Words", "LanguageError", "language", "languages", "status_label", "status_words"]

#: Goal status, from best to worst: the engine's ids → the English words (context "status").
STATUS_WORDS = {
    "achieved": NC_("status", "Achieved"), "on_track": NC_("status", "On track"), "behind": NC_("status", "Behind"),
    "at_risk": NC_("status", "At risk"), "not_started": NC_("status", "Not started"), "no_data": NC_("status", "No data"),
}


class Words(Mapping):
    """``words[lang]``: id → word in ``lang`` (English words, translated in ``context``), for
    every language with a catalog."""

    def __init__(self, context: str, english: dict[str, str]):
        self.context, self.english = context, english

    def __getitem__(self, lang: str) -> dict[str, str]:
        lang = language(lang)
        return {key: pgettext(self.context, word, lang) for key, word in self.english.items()}

    def __iter__(self):
        return iter(languages())

    def __len__(self) -> int:
        return len(languages())


STATUS = Words("status", STATUS_WORDS)


def status_label(key: str, lang: str | None = None) -> str:
    return STATUS[language(lang)][key]


def status_words(keys: Any, lang: Any = None) -> Any:
    """Status ids (one, or an array from :func:`kpi_xl.metrics.status`) as words in ``lang``.

    What the worksheet function STATUS shows. Excel errors and blanks (None) pass through;
    ``lang`` may be a cell: an Excel error code in it is the result, a blank means
    $KPI_XL_LANG or English, an unknown language is #VALUE!.
    """
    import numpy as np

    from .errors import ERROR_CODES, VALUE, KpiInputError, XlError

    if isinstance(keys, XlError):
        return keys
    if isinstance(lang, str) and lang in ERROR_CODES:
        return XlError(lang)
    blank = lang is None or (isinstance(lang, str) and not lang.strip()) or (isinstance(lang, float) and lang != lang)
    try:
        words = STATUS[language(None if blank else str(lang))]
    except ValueError as exc:
        return KpiInputError(VALUE, f"language: {exc}").error  # a cell's answer, never a raise
    if isinstance(keys, np.ndarray):
        out = np.array(keys, dtype=object, copy=True)
        for key, word in words.items():  # a few ids: one comparison pass each, no per-cell Python
            out[keys == key] = word
        return out
    return words.get(keys, keys) if isinstance(keys, str) else keys
