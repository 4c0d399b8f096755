"""Financial KPIs: gross margin, return on assets, market share, inventory shrinkage."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import DIV0, NUM
from ._args import Rows, excel_errors, finite, nonneg
from ._ratio import ratio
from .kinds import Range

__all__ = ["gross_margin", "roa", "market_share", "shrinkage"]


@excel_errors
def gross_margin(
    revenue: Annotated[Any, Range("Revenue (net sales).")],
    cogs: Annotated[Any, Range("Cost of goods sold for that revenue.")],
) -> Any:
    """Gross margin: the share of revenue left after the cost of goods sold.

    Formula: gross margin = (revenue − cogs) / revenue
    Units: ratio (0.4 = 40 %).
    Errors: #DIV/0! when revenue is 0; #NUM! for negative revenue or cost.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 3 "Margins and Profits".
    """
    r = Rows(revenue=revenue, cogs=cogs)
    rev, c = r.arrays
    with np.errstate(all="ignore"):
        out = (rev - c) / rev
    return r.result(
        out, domain=[(lambda rev, c: (rev < 0) | (c < 0), NUM)], errors=[(lambda rev, c: rev == 0, DIV0)],
        quick=lambda: nonneg(rev) and nonneg(c) and finite(out),
    )


@excel_errors
def roa(
    net_income: Annotated[Any, Range("Net income for the period.")],
    total_assets: Annotated[Any, Range("Total assets (average over the period if known).")],
) -> Any:
    """Return on assets (ROA).

    Formula: ROA = net income / total assets (average over the period if you have it)
    Units: ratio per period.
    Errors: #DIV/0! when total_assets is 0; #NUM! for negative assets.
    Source: Brealey, Myers & Allen, "Principles of Corporate Finance" (return on assets).
    """
    return ratio(net_income, total_assets, ("net_income", "total_assets"), negative_num=True)


@excel_errors
def market_share(
    company_sales: Annotated[Any, Range("Your sales in the market.")],
    market_sales: Annotated[Any, Range("Total sales of the whole market.")],
) -> Any:
    """Market share: the company's part of total market sales.

    Formula: market share = company_sales / market_sales
    Units: ratio.
    Errors: #DIV/0! when market_sales is 0; #NUM! for negatives or company sales
    above market sales.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 2 (revenue market share).
    """
    return ratio(company_sales, market_sales, ("company_sales", "market_sales"), num_at_most_den=True)


@excel_errors
def shrinkage(
    lost_value: Annotated[Any, Range("Value of stock lost (damage, theft, paperwork errors).")],
    inventory_value: Annotated[Any, Range("Book value of inventory.")],
) -> Any:
    """Inventory shrinkage rate: stock lost to damage, theft or paperwork errors.

    Formula: shrinkage = lost inventory value / inventory value (book)
    Units: ratio.
    Errors: #DIV/0! when inventory_value is 0; #NUM! for negatives or more lost than held.
    Source: NRF / University of Florida, "National Retail Security Survey" (inventory shrink).
    """
    return ratio(lost_value, inventory_value, ("lost_value", "inventory_value"), num_at_most_den=True)
