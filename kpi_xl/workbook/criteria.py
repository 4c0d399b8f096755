"""Excel's criteria (SUMIFS, COUNTIFS, AVERAGEIFS, SUMIF, COUNTIF, MAXIFS, MINIFS), vectorised.

A range is classified once (:class:`Column`: the kind of every cell, its number,
its lower-case text as factorized codes) and each criterion becomes a boolean
mask over it (:meth:`Column.mask`, cached per criterion), so a hundred SUMIFS
over the same 100,000-row table column cost one read and a few array operations
each. The rules are Excel's (Microsoft's COUNTIFS/SUMIFS pages and what Excel does):

* a criterion is a number, a boolean, an error, or text: an optional operator
  (``= <> < > <= >=``) followed by a value; the value is a number when it reads
  as one (``">=46023"``), a date when it is an ISO date (``"2026-01-15"``, as its
  serial number), TRUE/FALSE, an error code, else text;
* an empty criterion cell is the number 0; ``""`` and ``"="`` match blank cells,
  ``"<>"`` every cell that is not blank;
* equality with a number matches numbers and text that reads as that number
  (``"5"``); ``< > <= >=`` with a number match numbers only (never text, blanks or
  booleans); ``<>`` matches every cell that ``=`` does not, blanks included;
* text compares case-insensitively and only with text; ``*`` ``?`` are wildcards
  in ``=``/``<>`` text criteria, ``~`` makes the next ``* ? ~`` literal;
* SUMIFS/AVERAGEIFS/MAXIFS/MINIFS aggregate the numbers of the matching rows
  (text, booleans and blanks there are skipped); an error in a matching row is
  the result.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ERROR_CODES, XlError
from ..excel import EPOCH_1900

BLANK, NUMBER, TEXT, BOOL, ERROR, OTHER = range(6)
_KINDS = {type(None): BLANK, float: NUMBER, int: NUMBER, np.float64: NUMBER, np.int64: NUMBER,
          np.float32: NUMBER, np.int32: NUMBER, str: TEXT, bool: BOOL, np.bool_: BOOL, XlError: ERROR}
_OPS = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
_NUMBER_TEXT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*$")
_OP = re.compile(r"^(<=|>=|<>|<|>|=)?(.*)$", re.S)


def number_of_text(text: str, epoch: dt.datetime = EPOCH_1900) -> float | None:
    """The number a text reads as for a criterion: ``"5"``, ``" 1e3 "``, an ISO date's serial; else None."""
    if _NUMBER_TEXT.match(text):
        return float(text)
    m = _ISO_DATE.match(text)
    if m:
        try:
            return float((dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) - epoch.date()).days)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Criterion:
    """One parsed criterion: an operator and a typed value (kind is NUMBER, TEXT, BOOL, ERROR or BLANK)."""

    op: str
    kind: int
    value: Any


def parse(c: Any, epoch: dt.datetime = EPOCH_1900) -> Criterion:
    """A criterion argument as Excel reads it."""
    if isinstance(c, XlError):
        return Criterion("=", ERROR, str(c))
    if c is None:  # a reference to an empty cell is the number 0
        return Criterion("=", NUMBER, 0.0)
    if isinstance(c, (bool, np.bool_)):
        return Criterion("=", BOOL, float(bool(c)))
    if isinstance(c, (int, float, np.integer, np.floating)):
        return Criterion("=", NUMBER, float(c))
    m = _OP.match(str(c))
    op, rest = m.group(1) or "=", m.group(2)
    if rest == "" and op in ("=", "<>"):
        return Criterion(op, BLANK, None)
    n = number_of_text(rest, epoch)
    if n is not None:
        return Criterion(op, NUMBER, n)
    if rest.upper() in ("TRUE", "FALSE"):
        return Criterion(op, BOOL, float(rest.upper() == "TRUE"))
    if rest.upper() in ERROR_CODES:
        return Criterion(op, ERROR, rest.upper())
    return Criterion(op, TEXT, rest.lower())


def wildcard(pattern: str) -> re.Pattern | None:
    """Excel's ``* ? ~`` pattern as a regular expression, or None when it has no wildcard."""
    if not any(ch in pattern for ch in "*?~"):
        return None
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "~" and i + 1 < len(pattern) and pattern[i + 1] in "*?~":
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.S)


class Column:
    """A range's cells classified once: what each criterion and aggregate reads."""

    def __init__(self, values: Any, epoch: dt.datetime = EPOCH_1900):
        flat = np.asarray(values, dtype=object).reshape(-1)
        self.size = len(flat)
        self.epoch = epoch
        # map() in C, not a generator per cell: a 100,000-row column is read for every criterion
        kinds = np.fromiter(map(_KINDS.get, map(type, flat), itertools.repeat(OTHER)), dtype=np.int8, count=self.size)
        text = kinds == TEXT
        if text.any():  # "" is a blank cell, whatever wrote it
            empty = np.asarray(flat[text] == "", dtype=bool)
            idx = np.flatnonzero(text)[empty]
            kinds[idx] = BLANK
            text[idx] = False
        self.kinds = kinds
        numeric = (kinds == NUMBER) | (kinds == BOOL)
        self.num = np.full(self.size, np.nan)
        if numeric.any():
            self.num[numeric] = flat[numeric].astype(float)
        self.codes = np.full(self.size, -1, dtype=np.intp)
        self.uniques: list[str] = []
        if text.any():
            import pandas as pd

            codes, uniques = pd.factorize(np.array([v.lower() for v in flat[text]], dtype=object))
            self.codes[text] = codes
            self.uniques = list(uniques)
        # per distinct text (and a last slot for "not text"): the number it reads as
        self.text_numbers = np.array([n if (n := number_of_text(u, epoch)) is not None else np.nan
                                      for u in self.uniques] + [np.nan])
        self.errors = {int(i): str(flat[i]) for i in np.flatnonzero(kinds == ERROR)}
        self._masks: dict[Criterion, np.ndarray] = {}
        self._where: dict[str, int] | None = None

    def is_(self, kind: int) -> np.ndarray:
        return self.kinds == kind

    def _text_table(self, test) -> np.ndarray:
        """A mask from a test on each distinct text (non-text cells: False)."""
        hit = np.array([bool(test(u)) for u in self.uniques] + [False], dtype=bool)
        return hit[self.codes]

    def mask(self, crit: Criterion) -> np.ndarray:
        """The cells that meet ``crit`` (cached per criterion)."""
        found = self._masks.get(crit)
        if found is None:
            found = self._masks[crit] = self._mask(crit)
            found.flags.writeable = False
        return found

    def _mask(self, crit: Criterion) -> np.ndarray:
        op, kind, value = crit.op, crit.kind, crit.value
        negate = op == "<>"
        eq_op = "=" if negate else op
        if kind == BLANK:
            hit = self.is_(BLANK)
        elif kind == NUMBER:
            with np.errstate(invalid="ignore"):
                hit = self.is_(NUMBER) & _OPS[eq_op](self.num, value)
                if eq_op == "=":  # text that reads as the number matches it too
                    hit |= self.text_numbers[self.codes] == value
        elif kind == BOOL:
            with np.errstate(invalid="ignore"):
                hit = self.is_(BOOL) & _OPS[eq_op](self.num, value)
        elif kind == ERROR:
            hit = np.zeros(self.size, dtype=bool)
            if eq_op == "=":
                for i, code in self.errors.items():
                    hit[i] = code == value
        else:
            pattern = wildcard(value) if eq_op == "=" else None
            if pattern is None and eq_op == "=":
                if self._where is None:
                    self._where = {u: i for i, u in enumerate(self.uniques)}
                hit = self.codes == self._where.get(value, -2)
            elif pattern is not None:
                hit = self._text_table(pattern.fullmatch)
            else:
                hit = self._text_table(lambda u: _OPS[eq_op](u, value))
        return ~hit if negate else hit

    def numbers(self, mask: np.ndarray) -> np.ndarray | XlError:
        """The numbers of the rows in ``mask`` (text, booleans, blanks skipped), or the first error among them."""
        if self.errors:
            for i in sorted(self.errors):
                if mask[i]:
                    return XlError(self.errors[i])
        return self.num[mask & self.is_(NUMBER)]


def aggregate(agg: str, target: Column | None, masks: list[np.ndarray]) -> Any:
    """SUMIFS & co. over the rows every mask keeps."""
    from ..errors import DIV0

    keep = masks[0]
    for m in masks[1:]:
        keep = keep & m
    if agg == "count":
        return float(np.count_nonzero(keep))
    nums = target.numbers(keep) if target is not None else np.array([])
    if isinstance(nums, XlError):
        return nums
    if agg == "sum":
        return float(nums.sum())
    if agg == "avg":
        return DIV0 if not nums.size else float(nums.sum() / nums.size)
    if not nums.size:
        return 0.0
    return float(nums.max() if agg == "max" else nums.min())
