"""Words the product shows people, in English and Traditional Chinese (繁體中文).

Status labels live here because a worksheet function (STATUS), the scorecard
engine and the workbook all show the same words.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh-TW")

#: Goal status, from best to worst; keys are the engine's canonical names.
STATUS = {
    "en": {"achieved": "Achieved", "on_track": "On track", "behind": "Behind", "at_risk": "At risk",
           "not_started": "Not started", "no_data": "No data"},
    "zh-TW": {"achieved": "已達成", "on_track": "進度正常", "behind": "落後", "at_risk": "有風險",
              "not_started": "尚未開始", "no_data": "無資料"},
}


def language(lang: str | None = None) -> str:
    """The language to show: ``lang`` if given, else $KPI_XL_LANG, else English."""
    value = (lang or os.environ.get("KPI_XL_LANG") or "en").strip()
    for known in LANGUAGES:
        if value.lower() == known.lower() or value.lower().replace("_", "-") == known.lower():
            return known
    if value.lower() in ("zh", "zh-hant", "繁體中文", "中文"):
        return "zh-TW"
    raise ValueError(f"unknown language {value!r}; use one of {', '.join(LANGUAGES)}")


def status_label(key: str, lang: str | None = None) -> str:
    return STATUS[language(lang)][key]
