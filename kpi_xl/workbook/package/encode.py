"""Python values as cell XML.

Strings are written inline (``t="inlineStr"``) so ``sharedStrings.xml`` is never
touched (they become shared strings the next time Excel saves the file). Dates
become serial numbers of the workbook's date system (``epoch``: 1900 or 1904);
dates before its first day are written as ISO text, and Excel's phantom
1900-02-29 is accounted for. NaN and NaT are blanks;
infinities are ``#NUM!``; "#N/A" and the other error codes are error cells.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import numbers
import re
from typing import Any, Sequence

from ...errors import ERROR_CODES
import datetime as _dt

from ...excel import EPOCH_1900, MAX_COLS, cell_ref, column_letter, to_serial
from ...i18n import Message, N_
from .records import MAX_ROWS, MAX_TEXT, KeptCell, WorkbookError
from .xmlread import X_ESCAPED


def check_region(where: str, top_row: int, first_col: int, last_col: int,
                  rows: Sequence[Sequence[Any]], styles: Sequence[int | None] | None) -> None:
    width = last_col - first_col + 1
    if not (1 <= first_col <= last_col <= MAX_COLS) or not 1 <= top_row <= MAX_ROWS:
        raise WorkbookError(f"{where}: bad region: row {top_row}, columns {first_col}..{last_col}")
    if top_row + len(rows) - 1 > MAX_ROWS:
        raise WorkbookError(f"{where}: {len(rows)} rows from row {top_row} go past Excel's last row")
    for i, values in enumerate(rows):
        if len(values) > width:
            raise WorkbookError(f"{where}: row {top_row + i} has {len(values)} values; the region "
                                f"{column_letter(first_col)}:{column_letter(last_col)} is {width} columns wide")
    if styles is not None and len(styles) != width:
        raise WorkbookError(f"{where}: {len(styles)} styles for a region {width} columns wide")


def encode_rows(rows: Sequence[Sequence[Any]], top_row: int, first_col: int, styles: list[int | None],
                 prefix: bytes, where: str,
                 row_styles: Sequence[Sequence[int | None] | None] | None = None,
                 epoch: _dt.datetime = EPOCH_1900) -> dict[int, list[tuple[int, bytes]]]:
    out: dict[int, list[tuple[int, bytes]]] = {}
    p = prefix.decode()
    for i, values in enumerate(rows):
        row = top_row + i
        cells = []
        override = row_styles[i] if row_styles is not None and i < len(row_styles) else None
        for j, value in enumerate(values):
            ref = cell_ref(row, first_col + j)
            style = override[j] if override is not None and j < len(override) and override[j] is not None \
                else styles[j]
            xml = cell_xml(ref, value, style, p, f"{where}: {ref}", epoch)
            if xml is not None:
                cells.append((first_col + j, xml.encode("utf-8")))
        if cells:
            out[row] = cells
    return out


def cell_xml(ref: str, value: Any, style: int | None, p: str, where: str,
             epoch: _dt.datetime = EPOCH_1900) -> str | None:
    if isinstance(value, KeptCell):
        return _kept_xml(ref, value, style, p, where, epoch)
    encoded = encode_value(value, formula=False, where=where, epoch=epoch)
    if encoded is None:
        return None
    t, text = encoded
    s = f' s="{style}"' if style else ""
    if t == "inlineStr":
        return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{text}'
                f"</{p}t></{p}is></{p}c>")
    t_attr = f' t="{t}"' if t else ""
    return f'<{p}c r="{ref}"{s}{t_attr}><{p}v>{text}</{p}v></{p}c>'


def _kept_xml(ref: str, cell: KeptCell, style: int | None, p: str, where: str, epoch: _dt.datetime) -> str | None:
    """A user's cell as it was: a plain value as such, a formula with its cached value."""
    style = cell.style if cell.style is not None else style
    if cell.formula is None:
        return cell_xml(ref, cell.value, style, p, where, epoch)
    encoded = encode_value(cell.value, formula=True, where=where, epoch=epoch)
    t, text = encoded if encoded else (None, None)
    s = f' s="{style}"' if style else ""
    t_attr = f' t="{t}"' if t else ""
    v = "" if text is None else f"<{p}v>{text}</{p}v>"
    formula = cell.formula.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<{p}c r="{ref}"{s}{t_attr}><{p}f>{formula}</{p}f>{v}</{p}c>'


def encode_value(value: Any, *, formula: bool, where: str,
                 epoch: _dt.datetime = EPOCH_1900) -> tuple[str | None, str] | None:
    """``(t attribute or None for numbers, XML text)``, or None for a blank cell."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        if value in ERROR_CODES:
            return "e", str(value)
        if value == "" and not formula:
            return None
        if len(value) > MAX_TEXT:
            raise WorkbookError(Message(N_("{cell}: {n} characters; an Excel cell holds at most {most}"), cell=where,
                                        n=len(value), most=MAX_TEXT))
        return ("str" if formula else "inlineStr"), _xml_text(value)
    if isinstance(value, (dt.date, dt.time)):
        serial = _serial(value, epoch)
        if serial is None:  # before the epoch: Excel has no serial number for it
            return encode_value(value.isoformat(), formula=formula, where=where)
        return None, _num_text(serial)
    if isinstance(value, numbers.Real):
        return _encode_number(value)
    if isinstance(value, decimal.Decimal):
        return _encode_number(float(value))
    raise WorkbookError(f"{where}: cannot write a {type(value).__name__} into a cell")


def _plain(value: Any) -> Any:
    """NumPy scalars as Python ones, NaN/NaT as None."""
    if type(value).__module__ == "numpy":
        if type(value).__name__ == "datetime64":
            value = None if value != value else value.astype("datetime64[us]").item()
        elif hasattr(value, "item"):
            value = value.item()
    if isinstance(value, (float, dt.datetime)) and value != value:
        return None
    return value


def _encode_number(value: numbers.Real) -> tuple[None, str] | tuple[str, str] | None:
    if isinstance(value, numbers.Integral):
        return None, str(int(value))
    x = float(value)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "e", "#NUM!"
    return None, _num_text(x)


def _num_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 2 ** 53 else repr(x)


def _serial(value: dt.date | dt.time, epoch: _dt.datetime = EPOCH_1900) -> float | None:
    """Excel's serial number of a date, datetime or time in the date system of
    ``epoch``; None before its first day (1900-01-01, or 1904-01-01)."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    serial = to_serial(value, epoch)
    if epoch != EPOCH_1900:
        return serial if serial >= 0 else None
    if serial < 61:  # Excel counts a 1900-02-29 that never was
        serial -= 1
    return serial if serial >= 1 else None


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for a ``<t>`` or ``<v>``: Excel's ``_xHHHH_`` escapes, then XML escapes."""
    text = X_ESCAPED.sub(lambda m: "_x005F" + m.group(0), text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
