"""A shop's export read as its user means it, beyond its cells' bare text.

- Numbers written as text: "1,234", "NT$2,000", "$1,234.50", "(500)" (negative), "12%"
  (0.12) and full-width digits are numbers when their column is one of numbers
  (:func:`read_amounts`); a word among them ('n/a') stays text, as among plain numbers,
  and a cell with digits that spell no number is refused, every such cell named at once.
- A trailing totals row ("Total" or its Chinese words, or a label whose numbers are the
  sums of the rows above) is not data: :func:`totals_rows` finds it, to leave it out.
- Repeated header names are renamed as Excel renames a repeated table header: the
  second "Note" becomes "Note2" (:func:`excel_names`).

Full-width forms are read through the engine's own reading of what a user typed
(:func:`kpi_xl.goals.model.typed`, NFKC), so an import and a goal row agree on them.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import is_error
from ..goals.model import typed

MOSTLY = 0.8  # the share of a column's filled cells that must read as numbers for it to be a number column

# a currency before the number (NT$1,234, US$5, NTD 300) or after it (300 NTD, 300 yuan in Chinese)
_CURRENCY = re.compile(r"^(?:NT\$|US\$|HK\$|NTD|TWD|USD|\$|\u00a5|\u20ac|\u00a3)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*(?:NTD|TWD|USD|\u5143)$", re.IGNORECASE)
# digits grouped by thousands (1,234,567), or not (1234567; a code such as 0123 is not a number)
_DIGITS = re.compile(r"(?:\d{1,3}(?:,\d{3})+|[1-9]\d*|0)(?:\.\d+)?|\.\d+")
# the characters an amount may hold, full-width forms included: a quick "no" for names and codes
_AMOUNT_CHARS = re.compile(r"[\s\d,.%()+\-$\uff04\uff05\uff08\uff09\uff0b\uff0c\uff0d\uff0e\u00a5\uffe5\u20ac"
                           r"\u00a3\u5143NTDUSHKntdushk]*\d[\s\d,.%()+\-$\uff04\uff05\uff08\uff09\uff0b\uff0c"
                           r"\uff0d\uff0e\u00a5\uffe5\u20ac\u00a3\u5143NTDUSHKntdushk]*")
_PLAIN = re.compile(r"\s*-?[0-9]+(\.[0-9]+)?\s*")  # 123 as Excel text: an id or code kept as text on purpose
_TOTALS = {"total", "totals", "grandtotal", "subtotal", "sub-total", "sum",
           "\u5408\u8a08", "\u7e3d\u8a08", "\u5c0f\u8a08", "\u7e3d\u548c", "\u5171\u8a08",  # Taiwan's words
           "\u5408\u8ba1", "\u603b\u8ba1", "\u5c0f\u8ba1"}  # and the mainland's


class Percent(float):
    """A number typed with a percent sign ("12%" is 0.12): written in a percent format."""


def amount(value: Any) -> int | float | None:
    """The number a text spells as an amount ("NT$1,234" is 1234, "(500)" is -500, "12%" a
    :class:`Percent` 0.12, full-width digits as ASCII ones); None when it spells none."""
    if not isinstance(value, str) or not _AMOUNT_CHARS.fullmatch(value):
        return None
    t = typed(value).strip()
    negative = t.startswith("(") and t.endswith(")")
    t = t[1:-1].strip() if negative else t
    percent = t.endswith("%")
    t = t[:-1].rstrip() if percent else t
    signs = 0
    if t[:1] in "+-":
        negative, signs, t = negative != (t[0] == "-"), 1, t[1:].lstrip()
    money = _CURRENCY.match(t) or _SUFFIX.search(t)
    if money:
        t = t[money.end():] if money.start() == 0 else t[:money.start()]
    if t[:1] in "+-" and money:  # NT$-500
        negative, signs, t = negative != (t[0] == "-"), signs + 1, t[1:]
    if signs > 1 or (percent and money) or not _DIGITS.fullmatch(t):
        return None
    x = float(t.replace(",", ""))
    x = -x if negative else x
    if percent:
        return Percent(x / 100)
    return int(x) if "." not in t and abs(x) < 2 ** 53 else x


def _number(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if math.isfinite(v) else None
    return amount(v)


def read_amounts(values: list[list[Any]]) -> tuple[list[int], tuple[int, list[int], int] | None]:
    """Turn the numbers written as text of each number column of ``values`` (column by
    column) into numbers. A column is one of numbers when it has such text (more than
    plain digits, which an Excel sheet may keep as text on purpose: ids, codes) and at least
    :data:`MOSTLY` of its filled cells read as numbers. Its words without a digit ('n/a', '-')
    stay the text they are, as among plain numbers (:func:`words_among_numbers` says so); its
    cells with digits that spell no number ('1.234,5', '12/05') are mistakes. Returns the columns
    changed and the first column's mistakes as (column, every mistaken row, the row of a number
    written as text in that column), or None; nothing changes when there are any.
    An Excel file's error cell (#N/A from a lookup) is no mistake among the amounts: it stays
    as the error it is, where it is, as in a column of plain numbers."""
    plan: list[tuple[int, dict[int, Any]]] = []
    for j, col in enumerate(values):
        parsed, bad, filled, plain = {}, [], 0, 0
        most_bad = (1 - MOSTLY) * len(col)  # more than this: not a column of numbers, whatever follows
        for i, v in enumerate(col):
            if v is None or is_error(v):  # an error value (#N/A: a cell, a CSV's text) stays one, no mistake
                continue
            filled += 1
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                plain += 1
            elif (a := amount(v)) is not None:
                parsed[i] = a
            else:
                bad.append(i)
                if len(bad) > most_bad:
                    break
        written = any(not _PLAIN.fullmatch(col[i]) for i in parsed)  # not only 123 kept as text (an Excel code)
        if written and len(bad) <= most_bad and plain + len(parsed) >= MOSTLY * filled:
            mistaken = [i for i in bad if _has_digit(col[i])]
            if mistaken:
                return [], (j, mistaken, next(iter(parsed)))
            plan.append((j, parsed))
    for j, parsed in plan:
        for i, a in parsed.items():
            values[j][i] = a
    return [j for j, _p in plan], None


def _has_digit(v: Any) -> bool:
    """A cell that has a digit in it (full-width ones too): meant as a number, not a word."""
    return not isinstance(v, str) or any(ch.isdigit() for ch in typed(v))


def words_among_numbers(values: list[list[Any]]) -> list[tuple[int, int, int]]:
    """The columns of ``values`` (column by column) whose filled cells are mostly (more than
    half) plain numbers yet hold words too ('n/a', '-'), which stay text: (column,
    how many words, the row of the first), to be said at import. Error values and digits kept
    as text (codes) are no words: a goal reads those as Excel does."""
    out = []
    for j, col in enumerate(values):
        filled, numbers, words = 0, 0, []
        for i, v in enumerate(col):
            if v is None or is_error(v):
                continue
            filled += 1
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers += 1
            elif isinstance(v, str) and v.strip() and not _PLAIN.fullmatch(v):
                words.append(i)
        if words and 2 * numbers > filled:
            out.append((j, len(words), words[0]))
    return out


def is_totals_word(text: Any) -> bool:
    """True for "Total", "Grand total:", and the Chinese words for a total or subtotal."""
    if not isinstance(text, str):
        return False
    return re.sub(r"\s+", "", typed(text)).casefold().rstrip(":") in _TOTALS


def totals_rows(values: list[list[Any]]) -> list[int]:
    """The rows (0-based) of the totals at the end of ``values`` (column by column): the last
    filled row when it is a totals row (and any blank rows after it), and again above it
    (a subtotal, then a total), up to three times. [] when the data ends with data."""
    n = len(values[0]) if values else 0
    out: list[int] = []
    end = n
    for _ in range(3):
        last = end - 1
        while last >= 0 and all(col[last] is None for col in values):
            last -= 1
        if last < 0 or not _is_totals(values, last, end == n):
            break
        out[:0] = range(last, end)
        end = last
    return out


def _is_totals(values: list[list[Any]], r: int, sums: bool) -> bool:
    """Row ``r`` is a totals row: its first filled cell is a totals word; or (``sums``) it is
    a label with numbers that are the sums of the rows above, leaving blank a column those fill."""
    cells = [col[r] for col in values]
    first = next(j for j, v in enumerate(cells) if v is not None)
    if is_totals_word(cells[first]):
        return True
    if not sums or r < 2 or not isinstance(cells[first], str) or _number(cells[first]) is not None:
        return False
    numbers = {j: _number(v) for j, v in enumerate(cells) if j != first and v is not None}
    if not numbers or any(x is None for x in numbers.values()):
        return False  # a second word, or a date: a data row
    some = False
    for j, x in numbers.items():
        total = math.fsum(y for y in map(_number, values[j][:r]) if y is not None)
        if not math.isclose(x, total, rel_tol=1e-9, abs_tol=0.005):
            return False
        some = some or total != 0
    left_blank = any(v is None and sum(w is not None for w in values[j][:r]) >= 0.9 * r for j, v in enumerate(cells))
    return some and left_blank


def excel_names(names: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """The names with each repeat (case aside) renamed as Excel renames a repeated table
    header: the first keeps its name, the next gets the smallest number from 2 that makes it
    unique ("Note", "Note" become "Note", "Note2"). Returns the names and each (old, new)."""
    taken = {n.casefold() for n in names}
    seen: set[str] = set()
    out, renamed = [], []
    for name in names:
        new = name
        if name.casefold() in seen:
            k = 2
            while f"{name}{k}".casefold() in taken:
                k += 1
            new = f"{name}{k}"
            taken.add(new.casefold())
            renamed.append((name, new))
        seen.add(new.casefold())
        out.append(new)
    return out, renamed

