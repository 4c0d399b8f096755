"""Words the product shows people, in English and Traditional Chinese (繁體中文).

Status labels live here because a worksheet function (STATUS), the scorecard
engine and the workbook all show the same words.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import KpiXlError

LANGUAGES = ("en", "zh-TW")

#: Goal status, from best to worst; keys are the engine's canonical names.
STATUS = {
    "en": {"achieved": "Achieved", "on_track": "On track", "behind": "Behind", "at_risk": "At risk",
           "not_started": "Not started", "no_data": "No data"},
    "zh-TW": {"achieved": "已達成", "on_track": "進度正常", "behind": "落後", "at_risk": "有風險",
              "not_started": "尚未開始", "no_data": "無資料"},
}


class LanguageError(KpiXlError, ValueError):
    """A language kpi-xl does not speak (the message lists those it does)."""


def language(lang: str | None = None) -> str:
    """The language to show: ``lang`` if given, else $KPI_XL_LANG, else English."""
    value = (lang or os.environ.get("KPI_XL_LANG") or "en").strip()
    for known in LANGUAGES:
        if value.lower() == known.lower() or value.lower().replace("_", "-") == known.lower():
            return known
    if value.lower() in ("zh", "zh-hant", "繁體中文", "中文"):
        return "zh-TW"
    raise LanguageError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")


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
