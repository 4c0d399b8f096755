"""Status words in the reader's language: the one presentation helper over :mod:`kpi_xl.i18n`
that a worksheet function (STATUS), the scorecard engine and the workbook share.

The words are the catalogs' (context "status"); :data:`STATUS` reads as
``STATUS[lang][status_id]`` for every language there is a catalog for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n import NC_, LanguageError, language, languages, pgettext

__all__ = ["STATUS", "STATUS_WORDS", "Words", "LanguageError", "language", "languages", "status_label", "status_words",
           "localize"]

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


# Messages the engine writes (status reasons, SMART verdicts, warnings), English → 繁體中文.
# Ordered: specific patterns first. Names, numbers and dates in the messages stay as they are.
_ZH_MESSAGES = [
    (r"^roll-up of children: ", "依下層目標彙總："),
    (r"no rule met \((.*)\)", r"未符合任何規則（\1）"),
    (r"^no rule met$", "未符合任何規則"),
    (r"\bforecast_achievement\b", "預測達成率"),
    (r"\bachievement\b", "達成率"),
    (r"\bpace\b", "進度節奏"),
    (r"\bchance\b", "達標機率"),
    (r"(\S+) inside (\S+)", r"\1 在 \2 區間內"),
    (r"(\S+) just outside (\S+)", r"\1 略超出 \2 區間"),
    (r"(\S+) outside (\S+)", r"\1 超出 \2 區間"),
    (r"^not measurable: ", "無法衡量："),
    (r"'([^']*)' is not a KPI function or measure", r"「\1」不是 KPI 函數或量測方式"),
    (r"\bno KPI\b", "沒有 KPI"),
    (r"\bno data table\b", "沒有資料表"),
    (r"^starts (.*)$", r"\1 開始"),
    (r"no data rows match this goal's table and filter", "資料表中沒有符合此目標篩選條件的資料"),
    (r"no data in the goal's period so far", "目標期間內尚無資料"),
    (r"S: no owner", "S：沒有負責人"),
    (r"S: '([^']*)' does not say what will change", r"S：「\1」沒有說明要改變什麼"),
    (r"M: KPI '([^']*)' is not a measurable function or data column", r"M：KPI「\1」不是可衡量的函數或資料欄"),
    (r"no data table named '([^']*)'", r"沒有名為「\1」的資料表"),
    (r"table '([^']*)' has no column '([^']*)'", r"資料表「\1」沒有「\2」欄"),
    (r"\bM: ", "M："),
    (r"\bT: ", "T："),
    (r"no start date and no end date", "沒有開始日與結束日"),
    (r"\bno start date\b", "沒有開始日"),
    (r"\bno end date\b", "沒有結束日"),
    (r"A: no target", "A：沒有目標值"),
    (r"\bno target\b", "沒有目標值"),
    (r"A: target is (\S+)× last year's result for the same period for a (\d+)-month period",
     r"A：目標值是去年同期的 \1 倍（\2 個月期間）"),
    (r"A: target is (\S+)× the baseline for a (\d+)-month period", r"A：目標值是基準值的 \1 倍（\2 個月期間）"),
    (r"A: target is (\S+)× last year's result for the same period for a (\d+)-year period",
     r"A：目標值是去年同期的 \1 倍（\2 年期間）"),
    (r"A: target is (\S+)× the baseline for a (\d+)-year period", r"A：目標值是基準值的 \1 倍（\2 年期間）"),
    (r"A: target equals the baseline: nothing to achieve", "A：目標值等於基準值，沒有要達成的進度"),
    (r"R: not linked to a strategy or a parent goal", "R：沒有連結到策略或上層目標"),
    (r"the top level carries (\d+) KPIs; keep it to (\d+) or fewer", r"最上層有 \1 個 KPI，建議不超過 \2 個"),
    (r"the level under goal (\S+) carries (\d+) KPIs; keep it to (\d+) or fewer", r"目標 \1 之下有 \2 個 KPI，建議不超過 \3 個"),
    (r"(.+) owns (\d+) KPIs; keep it to (\d+) or fewer", r"\1 負責 \2 個 KPI，建議不超過 \3 個"),
    (r"; ", "；"),
    (r", ", "、"),
    (r"\brun rate\b", "依目前速度"), (r"\bseasonal\b", "依季節曲線"), (r"\btrend\b", "依趨勢"),
    (r"\baverage\b", "各期平均"), (r"\blatest\b", "目前數值"),
]


def localize(text: str, lang: str | None = None) -> str:
    """An engine message in the workbook's language (English is the source)."""
    import re

    if not text or language(lang) == "en":
        return text
    for pattern, repl in _ZH_MESSAGES:
        text = re.sub(pattern, repl, text)
    return text
