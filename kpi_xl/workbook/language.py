"""The language a workbook speaks: the one whose Scorecard (or Goals) sheet it has.

Told from the sheet names alone, before pandas and the goals engine load: the command line
answers in the workbook's language from its first word, and a refresh starts reading the
workbook's tables (:mod:`.readahead`) while the engine loads.
"""

from __future__ import annotations

from pathlib import Path

from .. import i18n
from . import layout
from .package import WorkbookError, open_package


def sheet_language(names: set[str], keys: tuple[str, ...] = ("scorecard", "goals")) -> str | None:
    """The language of a workbook with sheets ``names``: the one whose Scorecard (or Goals)
    sheet it has; None for a workbook that is not kpi-xl's."""
    for key in keys:
        for lang in layout.LANGS:
            if layout.sheet(key, lang) in names:
                return lang
    return None


def workbook_language(path: Path) -> str:
    """The language of the workbook at ``path``: the one whose Scorecard or Goals sheet it has
    (a kpi-xl workbook), else $KPI_XL_LANG, else English."""
    try:
        with open_package(path) as pkg:
            names = {s.name for s in pkg.sheets()}
    except WorkbookError:
        return i18n.language()  # the command itself says what is wrong with the file
    return sheet_language(names) or i18n.language()


__all__ = ["sheet_language", "workbook_language"]
