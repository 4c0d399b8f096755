"""What the package layer returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from ... import i18n

MAX_ROWS = 1_048_576
MAX_TEXT = 32_767


class WorkbookError(i18n.MessageError):
    """A workbook that cannot be read or written; the message names the file (and part).

    Its words are text already in the reader's language, or a :class:`~kpi_xl.i18n.Message`
    when the language is not known where it is raised (a file that cannot be opened, a lock):
    ``str(error)`` is English, ``error.text(lang)`` the words in ``lang`` (the command line
    says it in the workbook's language)."""

@dataclass(frozen=True)
class SheetInfo:
    name: str
    sheet_id: int
    rid: str
    part: str | None  # e.g. "xl/worksheets/sheet3.xml"
    state: str  # "visible", "hidden" or "veryHidden"
    kind: str = "worksheet"  # the relationship kind: worksheet, chartsheet, dialogsheet...


@dataclass(frozen=True)
class TableInfo:
    display_name: str
    name: str
    sheet: str
    ref: str  # e.g. "A1:J200"
    header_row_count: int
    columns: tuple[str, ...]
    part: str
    totals_row_count: int = 0


@dataclass(frozen=True)
class DefinedName:
    name: str
    value: str  # what it refers to, as stored, e.g. "Goals!$A$1:$C$9"
    sheet: str | None  # the sheet it is local to, None for workbook scope
    hidden: bool = False


class Cell(NamedTuple):
    """One ``<c>`` element. ``formula`` is None for a plain value, the ``<f>`` text as
    stored otherwise ("" for a shared formula's dependent cells: see ``shared_index``)."""

    value: Any
    formula: str | None = None
    style: int = 0
    type: str = "n"  # the t attribute: n, s, str, inlineStr, b, e, d
    shared_index: int | None = None


@dataclass(frozen=True)
class KeptCell:
    """A cell the user owns inside a region kpi-xl rewrites (a check-in note), written
    back as it was: its formula (None for a plain value), cached value, type and style."""

    value: Any
    formula: str | None = None
    style: int | None = None

    def __str__(self) -> str:
        return "" if self.value is None else str(self.value)


def int_of(text: str | None, where: str) -> int:
    """A whole-number attribute, or a WorkbookError naming where it is."""
    try:
        return int(text)
    except (TypeError, ValueError):
        raise WorkbookError(i18n.Message(i18n.N_("{where}: '{text}' is not a whole number"), where=where,
                                         text=text)) from None
