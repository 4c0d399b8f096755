"""Excel's conventions every layer shares: date serial numbers and column letters.

Serial numbers count days from an epoch: 1899-12-30 in the 1900 date system
(Excel's default, so serial 1 is 1900-01-01 and Excel's fictitious 1900-02-29 is
serial 60) and 1904-01-01 in the 1904 system (a workbook with
``<workbookPr date1904="1"/>``). The conversions take the epoch as a parameter;
:func:`epoch` gives the one of a workbook's flag. Core module: NumPy only, and only
for the array conversions (imported there: the command line reads a workbook's sheet
names through this module before NumPy and pandas load).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
MAX_COLS = 16_384  # column XFD

__all__ = ["EPOCH_1900", "EPOCH_1904", "MAX_COLS", "epoch", "to_serial", "from_serial",
           "serials_of", "days_of", "column_letter", "column_index", "cell_ref", "split_ref"]


def epoch(date1904: bool = False) -> dt.datetime:
    """Day 0 of a workbook's date system."""
    return EPOCH_1904 if date1904 else EPOCH_1900


def to_serial(value: dt.date, epoch: dt.datetime = EPOCH_1900) -> float:
    """A date or datetime as a serial number (the time of day is the fraction; a time
    zone is dropped, as Excel has none)."""
    if isinstance(value, dt.datetime):
        return ((value if value.tzinfo is None else value.replace(tzinfo=None)) - epoch).total_seconds() / 86400.0
    return float((value - epoch.date()).days)


def from_serial(serial: float, epoch: dt.datetime = EPOCH_1900) -> dt.datetime:
    """A serial number as a datetime, to the second (as Excel shows times)."""
    return epoch + dt.timedelta(seconds=round(float(serial) * 86400.0))


def serials_of(values: Any, epoch: dt.datetime = EPOCH_1900) -> np.ndarray:
    """An array of datetime64 as float serial numbers; NaT gives NaN."""
    import numpy as np

    arr = np.asarray(values).astype("datetime64[us]")
    out = (arr - np.datetime64(epoch, "us")).astype(np.float64) / 86_400e6
    out[np.isnat(arr)] = np.nan
    return out


def days_of(serials: np.ndarray, epoch: dt.datetime = EPOCH_1900) -> np.ndarray:
    """Serial numbers as datetime64[D] of their day (the fraction dropped)."""
    import numpy as np

    base = np.datetime64(epoch.date(), "D").astype("int64")
    return (np.floor(serials).astype("int64") + base).astype("datetime64[D]")


_INDEX: dict[str, int] = {}


def column_index(letters: str) -> int:
    """``"AB"`` -> ``28`` (A..XFD, any case); ValueError for anything else."""
    col = _INDEX.get(letters)
    if col is None:
        if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
            raise ValueError(f"bad column {letters!r}")
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        if col > MAX_COLS:
            raise ValueError(f"column {letters} is past XFD")
        _INDEX[letters] = col
    return col


def column_letter(col: int) -> str:
    """``28`` -> ``"AB"``; ValueError for a column outside A..XFD (1..16,384)."""
    if not 1 <= col <= 16384:
        raise ValueError(f"column {col} is outside A..XFD")
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(row: int, col: int) -> str:
    """``(12, 2)`` -> ``"B12"``."""
    return f"{column_letter(col)}{row}"


def split_ref(ref: str) -> tuple[int, int]:
    """``"B12"`` -> ``(12, 2)`` (no ``$``); ValueError for anything else."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), column_index(letters)
