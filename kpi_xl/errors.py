"""Excel error values and kpi-xl's exception classes.

Two kinds of failure live here:

* :class:`XlError` is a *value*: what a worksheet function returns for bad input,
  exactly as Excel would show it (``#DIV/0!``, ``#VALUE!``, ``#NUM!``, ``#N/A``).
  It is a ``str`` subclass whose text is the error code, so xlwings hands it to
  Excel unchanged: xlwings Lite (Office.js) turns a returned ``"#DIV/0!"`` into a
  real error value, and the VBA module written by :mod:`kpi_xl.functions.vba` does the same
  for classic xlwings UDFs on Windows.
* :class:`KpiXlError` is the base of the *exceptions* raised by the library and
  the command line (bad workbooks, bad goal rows...). Their messages name the
  sheet, cell or argument at fault.
"""

from __future__ import annotations

__all__ = [
    "XlError",
    "DIV0",
    "VALUE",
    "NUM",
    "NA",
    "ERROR_CODES",
    "is_error",
    "error_value",
    "KpiXlError",
    "KpiInputError",
    "SaidError",
    "N_",
]


class XlError(str):
    """An Excel error value; ``str(err)`` is the code Excel shows, e.g. ``"#DIV/0!"``.

    ``reason`` carries a sentence for people (shown by the CLI and docs, never
    written into a cell: Excel has no room for it).
    """

    __slots__ = ("reason",)

    def __new__(cls, code: str, reason: str = "") -> "XlError":
        if code not in _CODES:
            raise ValueError(f"not an Excel error code: {code!r}")
        self = super().__new__(cls, code)
        self.reason = reason
        return self

    def because(self, reason: str) -> "XlError":
        """The same error code with a reason attached."""
        return XlError(str(self), reason)

    def __repr__(self) -> str:
        return f"XlError({str(self)!r})"

    def __reduce__(self):
        return (XlError, (str(self), self.reason))


_CODES = ("#DIV/0!", "#VALUE!", "#NUM!", "#N/A", "#NAME?", "#REF!", "#NULL!")

DIV0 = XlError("#DIV/0!")
VALUE = XlError("#VALUE!")
NUM = XlError("#NUM!")
NA = XlError("#N/A")

#: Every error code Excel can put in a cell (as text).
ERROR_CODES = frozenset(_CODES)


def error_value(code: str) -> str:
    """A cell's error code as read (``"#N/A"``) as the value kpi-xl computes with: an :class:`XlError`,
    or the code as text for one kpi-xl does not know (``#SPILL!``)."""
    return XlError(code) if code in ERROR_CODES else code


def is_error(value: object) -> bool:
    """True when ``value`` is an Excel error: an :class:`XlError` or its code as text."""
    return isinstance(value, str) and value in ERROR_CODES


class KpiXlError(Exception):
    """Base class of every exception kpi-xl raises on purpose."""


class KpiInputError(KpiXlError):
    """A worksheet-function argument that cannot be used.

    ``error`` is the Excel error value the worksheet function returns for it and
    the message names the argument, e.g. ``term_years: must be > 0 (row 3 is -1)``.
    """

    def __init__(self, error: XlError, message: str):
        super().__init__(message)
        self.error = error.because(message)


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is defined; it is translated where it is shown
    (:mod:`kpi_xl.i18n` shows it; Babel's extractor finds every ``N_("...")``)."""
    return text


class SaidError(KpiXlError):
    """An error said as an English message id (marked with :func:`N_`) and named values, in no
    language yet: for core math, which cannot import the catalogs. ``str(error)`` is the English
    text; :func:`kpi_xl.i18n.text` shows it in the reader's language. A tuple value is a list
    (joined with ", " in English, an ideographic comma in Chinese)."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid.format(**{k: ", ".join(map(str, v)) if isinstance(v, tuple) else v
                                         for k, v in params.items()}) if params else msgid)
        self.msgid, self.params = msgid, params
