"""The pure KPI core: plain Python and NumPy, no Excel.

Every function takes numbers, None, lists, nested lists, NumPy arrays or pandas
Series, and answers bad input with an Excel error value (:class:`kpi_xl.errors.XlError`)
instead of raising. Per-row KPIs return an array of the input's shape (a Series
when given one); aggregates return one number.

>>> from kpi_xl import metrics
>>> metrics.acv([120000, 90000], [2, 1])
75000.0
>>> str(metrics.churn(3, 0))
'#DIV/0!'

Each argument is annotated with its kind and help line (:mod:`kpi_xl.metrics.kinds`).
:func:`proven_clean` tells the worksheet layer that a result needs no scan for blanks.
"""

from . import kinds
from ._args import proven_clean
from .finance import gross_margin, market_share, roa, shrinkage
from .goals import achievement, forecast_end, okr_score, pace, payout, status
from .marketing import conversion, cpa, ctr, engagement_rate, roi
from .saas import acv, arpa, cac, cac_payback, churn, cltv, grr, ltv_cac, mrr, nrr, quick_ratio, retention
from .sales import aov, cagr, count_per_period, growth_rate, period_growth, sum_per_period, win_rate
from .service import csat, frt, nps, resolution_time, tickets_resolved
from .web import bounce_rate, pages_per_session, source_share

__all__ = [
    "acv", "mrr", "arpa", "cltv", "churn", "retention", "nrr", "grr", "cac", "ltv_cac",
    "cac_payback", "quick_ratio", "aov", "win_rate", "growth_rate", "period_growth", "cagr",
    "count_per_period", "sum_per_period", "roi", "conversion", "ctr", "cpa", "engagement_rate",
    "nps", "csat", "frt", "resolution_time", "tickets_resolved", "source_share",
    "pages_per_session", "bounce_rate", "gross_margin", "roa", "market_share", "shrinkage",
    "achievement", "pace", "forecast_end", "status", "payout", "okr_score",
    "kinds", "proven_clean",
]
