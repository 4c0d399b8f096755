"""The precision kpi-xl writes computed numbers with.

Results of sums and ratios differ in their last printed digits between NumPy and pandas
releases (the order of a summation changes). Written at :data:`DIGITS` significant digits,
they keep every figure a number format can show, and the same workbook comes out of every
release of the libraries pyproject.toml allows.
"""

from __future__ import annotations

import math
from typing import Any

#: Significant digits of a computed number in a cell.
DIGITS = 12


def stable(value: Any) -> Any:
    """A computed float at :data:`DIGITS` significant digits; anything else unchanged."""
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.{DIGITS}g}")
    return value
