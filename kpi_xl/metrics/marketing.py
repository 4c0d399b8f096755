"""Marketing KPIs: ROI, conversion, click-through, cost per acquisition, engagement."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import DIV0, NUM
from ._args import Rows, excel_errors, finite, nonneg
from ._ratio import ratio
from .kinds import Range

__all__ = ["roi", "conversion", "ctr", "cpa", "engagement_rate"]


@excel_errors
def roi(
    gain: Annotated[Any, Range("What the investment brought in (revenue or profit).")],
    cost: Annotated[Any, Range("What it cost.")],
) -> Any:
    """Return on investment (ROI) of a campaign or project.

    Formula: ROI = (gain − cost) / cost
    Units: ratio (0.5 = 50 % return; −1 = everything lost).
    Convention: gain is the revenue (or profit) the investment brought in, before
    taking the cost off.
    Errors: #DIV/0! when cost is 0; #NUM! for a negative cost.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 10 (return on investment).
    """
    r = Rows(gain=gain, cost=cost)
    g, c = r.arrays
    with np.errstate(all="ignore"):
        out = (g - c) / c
    return r.result(out, domain=[(lambda g, c: c < 0, NUM)], errors=[(lambda g, c: c == 0, DIV0)],
                    quick=lambda: nonneg(c) and finite(out))


@excel_errors
def conversion(
    conversions: Annotated[Any, Range("People who did the thing asked (bought, signed up, answered the call to action).")],
    visitors: Annotated[Any, Range("People who had the chance (visitors, leads, recipients).")],
) -> Any:
    """Conversion rate: the share of visitors (or leads, or recipients of a call to
    action) who did the thing asked.

    Formula: conversion = conversions / visitors
    Units: ratio (0.03 = 3 %).
    Convention: also the CTA (call-to-action) conversion rate: responses to
    the call to action / the number of times the content was delivered, and the
    MQL→SQL rate (SQLs / MQLs). It may exceed 1 when one visitor converts
    more than once (e.g. two orders).
    Errors: #DIV/0! with no visitors; #NUM! for negatives.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 9 (web metrics: conversion rate).
    """
    return ratio(conversions, visitors, ("conversions", "visitors"))


@excel_errors
def ctr(
    clicks: Annotated[Any, Range("Clicks on the link, ad or email.")],
    impressions: Annotated[Any, Range("Times it was shown or delivered.")],
) -> Any:
    """Click-through rate (CTR) of an email, ad or link.

    Formula: CTR = clicks / impressions (or emails delivered)
    Units: ratio (0.021 = 2.1 %); above 1 when people click more than once.
    Errors: #DIV/0! with no impressions; #NUM! for negatives.
    Source: Google Ads Help, "Clickthrough rate (CTR): Definition" (clicks ÷ impressions).
    """
    return ratio(clicks, impressions, ("clicks", "impressions"))


@excel_errors
def cpa(
    spend: Annotated[Any, Range("Campaign spend.")],
    acquisitions: Annotated[Any, Range("Leads, sign-ups or orders the campaign won.")],
) -> Any:
    """Cost per acquisition (CPA): spend per lead, sign-up or sale won by a campaign.

    Formula: CPA = spend / acquisitions
    Units: currency per acquisition.
    Convention: CAC counts new paying customers; CPA counts whatever action the
    campaign buys (a lead, a trial, an order).
    Errors: #DIV/0! with no acquisitions; #NUM! for negatives.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 9 (cost per customer acquired).
    """
    return ratio(spend, acquisitions, ("spend", "acquisitions"))


@excel_errors
def engagement_rate(
    interactions: Annotated[Any, Range("Likes, comments, shares and follows.")],
    audience: Annotated[Any, Range("Followers or reach.")],
) -> Any:
    """Social media engagement rate.

    Formula: engagement = interactions (likes, comments, shares, follows) / audience
    (followers or reach)
    Units: ratio per post or per period.
    Errors: #DIV/0! with no audience; #NUM! for negatives.
    Source: Bendle et al., "Marketing Metrics" (3rd ed., 2015), online and social media metrics.
    """
    return ratio(interactions, audience, ("interactions", "audience"))
