"""The row-wise ratio that a dozen KPIs share: numerator / denominator."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DIV0, NUM
from ._args import Rows, finite, nonneg, unit


def ratio(
    num: Any,
    den: Any,
    names: tuple[str, str],
    *,
    num_at_most_den: bool = False,
    negative_num: bool = False,
    negative_den: bool = False,
) -> Any:
    """``num / den`` per row; ``#DIV/0!`` where den is 0, ``#NUM!`` for negatives.

    ``num_at_most_den`` also makes a numerator larger than its denominator
    ``#NUM!`` (e.g. more deals won than closed).
    """
    r = Rows(**{names[0]: num, names[1]: den})
    n, d = r.arrays
    with np.errstate(all="ignore"):
        out = n / d
    domain = []
    if not negative_den:
        domain.append((lambda n, d: d < 0, NUM))
    if not negative_num:
        domain.append((lambda n, d: n < 0, NUM))
    if num_at_most_den:
        domain.append((lambda n, d: n > d, NUM))

    def quick() -> bool:
        # With every d a finite number ≥ 0, a result in [0, 1] (or ≥ 0 and finite)
        # proves n ≥ 0 (and n ≤ d) and rules out blanks, 0/0 and x/0 on every row;
        # an infinite n always shows as an infinite result.
        if negative_den:
            # d may be negative, so out's sign says nothing about n's (n = −1, d = −2
            # gives 0.5): check n itself and leave n > d to the exact check
            return not num_at_most_den and finite(d) and finite(out) and (negative_num or nonneg(n))
        if not nonneg(d):
            return False
        if num_at_most_den:
            return unit(out)
        return finite(out) if negative_num else nonneg(out)

    return r.result(out, domain=domain, errors=[(lambda n, d: d == 0, DIV0)], quick=quick)
