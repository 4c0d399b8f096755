"""kpi-xl's worksheet functions: type =ACV(...), =CLTV(...), =ACHIEVEMENT(...) in a cell.

Each function here is an xlwings user-defined function in the Excel category "KPI".
Its docstring is the description in Excel's function wizard and each ``doc=`` the
help line of one argument. The math lives in :mod:`kpi_xl.metrics`; this module
only declares how Excel hands values over and makes sure a cell always gets a
value or an Excel error, never a traceback.

Use from Excel (Windows, classic xlwings): set the add-in's "UDF Modules" to
``kpi_xl.udfs`` and click "Import Functions" (see docs/install.md). Use from
Python: call the functions directly with numbers, lists, arrays or Series.
"""

from __future__ import annotations

import functools
import math
from typing import Any, Callable

import numpy as np

from . import _xlw as xw
from . import labels
from . import metrics as m
from .errors import VALUE, XlError
from .metrics._args import proven_clean

CATEGORY = "KPI"

#: A range or a single cell, handed over as a 2-D NumPy array (blanks as NaN);
#: Excel errors inside it arrive as their text so they can be passed on.
RANGE = {"convert": np.ndarray, "ndim": 2, "err_to_str": True}
#: A range of labels (text), handed over as a 2-D list.
LABELS = {"ndim": 2, "err_to_str": True}
#: One cell of text or a number, as it is.
CELL = {"err_to_str": True}
#: Results with dates in them: the date format xlwings Lite writes them with
#: (classic xlwings on Windows hands Excel real dates).
DATES_OUT = {"date_format": "yyyy-mm-dd"}


def _to_excel(value: Any) -> Any:
    """A core result as Excel takes it: blanks (NaN) become empty cells."""
    if isinstance(value, XlError):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, (np.floating, np.integer)):
        return _to_excel(value.item())
    if hasattr(value, "to_numpy") and not isinstance(value, np.ndarray):
        value = value.to_numpy()
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _to_excel(value.item())
        if value.ndim == 1:
            value = value.reshape(-1, 1)
        if value.dtype.kind == "f":
            if not value.size or proven_clean(value) or not np.isnan(value.min()):  # no blank: nothing to change
                return value
            blank = np.isnan(value)
            out = value.astype(object)
            out[blank] = None
            return out
        if value.dtype == object:
            return value  # the core marks blank rows of mixed results with None already
    return value


def excel_function(f: Callable[..., Any]) -> Callable[..., Any]:
    """Guarantee a worksheet function answers with a value or an Excel error.

    A bug or an input nobody foresaw gives ``#VALUE!`` in the cell instead of a
    Python traceback (the reason is kept on the error for the CLI and logs).
    """

    @functools.wraps(f)
    def wrapper(*args: Any) -> Any:
        try:
            return _to_excel(f(*args))
        except Exception as exc:  # noqa: BLE001 - a cell must never show a traceback
            return VALUE.because(f"{f.__name__}: {type(exc).__name__}: {exc}")

    return wrapper


# --------------------------------------------------------------------------- SaaS


@xw.func(category=CATEGORY)
@xw.arg("contract_values", **RANGE, doc="Total value of each contract (one cell per contract).")
@xw.arg("term_years", **RANGE, doc="Term of each contract in years, or one term for all. Default 1.")
@xw.arg("one_time_fees", **RANGE, doc="One-time fees inside each contract value (set-up, onboarding). Default 0.")
@excel_function
def ACV(contract_values, term_years=1, one_time_fees=0):
    """Average annual contract value: mean over contracts of (value − one-time fees) / term in years."""
    return m.acv(contract_values, term_years, one_time_fees)


@xw.func(category=CATEGORY)
@xw.arg("amounts", **RANGE, doc="Billed amount of each active subscription.")
@xw.arg("billing_months", **RANGE, doc="Months each amount covers (12 = annual plan). Default 1.")
@excel_function
def MRR(amounts, billing_months=1):
    """Monthly recurring revenue: sum of each subscription's amount / months it covers. ARR = MRR × 12."""
    return m.mrr(amounts, billing_months)


@xw.func(category=CATEGORY)
@xw.arg("revenue", **RANGE, doc="Revenue in the period (one cell, or one per row).")
@xw.arg("accounts", **RANGE, doc="Number of paying accounts in the same period.")
@excel_function
def ARPA(revenue, accounts):
    """Average revenue per account = revenue / accounts, per period."""
    return m.arpa(revenue, accounts)


@xw.func(category=CATEGORY)
@xw.arg("arpa", **RANGE, doc="Average revenue per account per period (e.g. per month).")
@xw.arg("churn_rate", **RANGE, doc="Share of customers lost per period of the same length, e.g. 0.05. Must be in (0, 1].")
@xw.arg("gross_margin", **RANGE, doc="Gross margin as a ratio 0–1. Default 1 (revenue LTV).")
@xw.arg("discount_rate", **RANGE, doc="Discount rate per period, e.g. 0.01 a month. Default 0.")
@excel_function
def CLTV(arpa, churn_rate, gross_margin=1, discount_rate=0):
    """Customer lifetime value = ARPA × margin × (1 + d) / (churn + d); ARPA × margin / churn with no discount."""
    return m.cltv(arpa, churn_rate, gross_margin, discount_rate)


@xw.func(category=CATEGORY)
@xw.arg("churned", **RANGE, doc="Customers lost in the period (of those there at its start).")
@xw.arg("customers_at_start", **RANGE, doc="Customers at the start of the period.")
@excel_function
def CHURN(churned, customers_at_start):
    """Customer churn rate = customers lost / customers at the start of the period."""
    return m.churn(churned, customers_at_start)


@xw.func(category=CATEGORY)
@xw.arg("customers_at_end", **RANGE, doc="Customers at the end of the period.")
@xw.arg("customers_at_start", **RANGE, doc="Customers at the start of the period.")
@xw.arg("new_customers", **RANGE, doc="Customers won during the period. Default 0.")
@excel_function
def RETENTION(customers_at_end, customers_at_start, new_customers=0):
    """Customer retention rate = (customers at end − new customers) / customers at start."""
    return m.retention(customers_at_end, customers_at_start, new_customers)


@xw.func(category=CATEGORY)
@xw.arg("starting_mrr", **RANGE, doc="Recurring revenue of existing customers at the start.")
@xw.arg("expansion", **RANGE, doc="Upsell and cross-sell revenue added by them. Default 0.")
@xw.arg("contraction", **RANGE, doc="Revenue lost to downgrades. Default 0.")
@xw.arg("churned_mrr", **RANGE, doc="Revenue lost to customers who left. Default 0.")
@excel_function
def NRR(starting_mrr, expansion=0, contraction=0, churned_mrr=0):
    """Net revenue retention = (start MRR + expansion − contraction − churned) / start MRR."""
    return m.nrr(starting_mrr, expansion, contraction, churned_mrr)


@xw.func(category=CATEGORY)
@xw.arg("starting_mrr", **RANGE, doc="Recurring revenue of existing customers at the start.")
@xw.arg("contraction", **RANGE, doc="Revenue lost to downgrades. Default 0.")
@xw.arg("churned_mrr", **RANGE, doc="Revenue lost to customers who left. Default 0.")
@excel_function
def GRR(starting_mrr, contraction=0, churned_mrr=0):
    """Gross revenue retention = (start MRR − contraction − churned) / start MRR; at most 100 %."""
    return m.grr(starting_mrr, contraction, churned_mrr)


@xw.func(category=CATEGORY)
@xw.arg("spend", **RANGE, doc="Sales and marketing spend in the period.")
@xw.arg("new_customers", **RANGE, doc="New paying customers won in the same period.")
@excel_function
def CAC(spend, new_customers):
    """Customer acquisition cost = sales and marketing spend / new customers."""
    return m.cac(spend, new_customers)


@xw.func(category=CATEGORY)
@xw.arg("ltv", **RANGE, doc="Customer lifetime value (e.g. from CLTV).")
@xw.arg("cac", **RANGE, doc="Customer acquisition cost (e.g. from CAC).")
@excel_function
def LTV_CAC(ltv, cac):
    """LTV:CAC ratio = lifetime value / acquisition cost (3 means 3:1)."""
    return m.ltv_cac(ltv, cac)


@xw.func(category=CATEGORY)
@xw.arg("cac", **RANGE, doc="Customer acquisition cost.")
@xw.arg("arpa", **RANGE, doc="Monthly revenue per account.")
@xw.arg("gross_margin", **RANGE, doc="Gross margin as a ratio 0–1. Default 1.")
@excel_function
def CAC_PAYBACK(cac, arpa, gross_margin=1):
    """Months to earn back CAC = CAC / (monthly ARPA × gross margin)."""
    return m.cac_payback(cac, arpa, gross_margin)


@xw.func(category=CATEGORY)
@xw.arg("new_mrr", **RANGE, doc="MRR from new customers.")
@xw.arg("expansion_mrr", **RANGE, doc="MRR added by existing customers.")
@xw.arg("contraction_mrr", **RANGE, doc="MRR lost to downgrades.")
@xw.arg("churned_mrr", **RANGE, doc="MRR lost to customers who left.")
@excel_function
def QUICK_RATIO(new_mrr, expansion_mrr, contraction_mrr, churned_mrr):
    """SaaS quick ratio = (new + expansion MRR) / (contraction + churned MRR)."""
    return m.quick_ratio(new_mrr, expansion_mrr, contraction_mrr, churned_mrr)


# -------------------------------------------------------------------------- sales


@xw.func(category=CATEGORY)
@xw.arg("revenue", **RANGE, doc="Revenue from the orders.")
@xw.arg("orders", **RANGE, doc="Number of orders.")
@excel_function
def AOV(revenue, orders):
    """Average order value (average purchase value) = revenue / orders."""
    return m.aov(revenue, orders)


@xw.func(category=CATEGORY)
@xw.arg("won", **RANGE, doc="Opportunities won.")
@xw.arg("closed", **RANGE, doc="Opportunities closed, won or lost.")
@excel_function
def WIN_RATE(won, closed):
    """Win rate (opportunity-to-close ratio) = won / closed opportunities."""
    return m.win_rate(won, closed)


@xw.func(category=CATEGORY)
@xw.arg("current", **RANGE, doc="Value this period (e.g. this month's sales).")
@xw.arg("previous", **RANGE, doc="Value the period before.")
@excel_function
def GROWTH_RATE(current, previous):
    """Growth rate = (current − previous) / |previous|, e.g. monthly sales growth."""
    return m.growth_rate(current, previous)


@xw.func(category=CATEGORY)
@xw.arg("values", **RANGE, doc="One column (or row) of values per period, oldest first.")
@excel_function
def PERIOD_GROWTH(values):
    """Growth of each period over the one before; spills beside the column (or row), first period blank."""
    return m.period_growth(values)


@xw.func(category=CATEGORY)
@xw.arg("begin_value", **RANGE, doc="Value at the start (must be more than 0).")
@xw.arg("end_value", **RANGE, doc="Value at the end.")
@xw.arg("periods", **RANGE, doc="Number of periods between them, e.g. years.")
@excel_function
def CAGR(begin_value, end_value, periods):
    """Compound growth rate per period = (end / begin)^(1 / periods) − 1 (Excel's RRI does the same)."""
    return m.cagr(begin_value, end_value, periods)


@xw.func(category=CATEGORY)
@xw.arg("dates", **RANGE, doc="Date of each event (call, email, post, ticket, session).")
@xw.arg("period", **CELL, doc='"day", "week", "month" (default), "quarter" or "year".')
@xw.ret(**DATES_OUT)
@excel_function
def COUNT_PER_PERIOD(dates, period="month"):
    """Events per period: spills a table of period start and count, e.g. calls and emails per month."""
    return m.count_per_period(dates, period)


@xw.func(category=CATEGORY)
@xw.arg("dates", **RANGE, doc="Date of each row (e.g. order date).")
@xw.arg("values", **RANGE, doc="Amount of each row (e.g. transaction amount).")
@xw.arg("period", **CELL, doc='"day", "week", "month" (default), "quarter" or "year".')
@xw.ret(**DATES_OUT)
@excel_function
def SUM_PER_PERIOD(dates, values, period="month"):
    """Totals per period: spills a table of period start and sum, e.g. transaction amount per month."""
    return m.sum_per_period(dates, values, period)


# ---------------------------------------------------------------------- marketing


@xw.func(category=CATEGORY)
@xw.arg("gain", **RANGE, doc="What the investment brought in (revenue or profit).")
@xw.arg("cost", **RANGE, doc="What it cost.")
@excel_function
def ROI(gain, cost):
    """Return on investment = (gain − cost) / cost."""
    return m.roi(gain, cost)


@xw.func(category=CATEGORY)
@xw.arg("conversions", **RANGE, doc="People who did the thing asked (bought, signed up, answered the call to action).")
@xw.arg("visitors", **RANGE, doc="People who had the chance (visitors, leads, recipients).")
@excel_function
def CONVERSION(conversions, visitors):
    """Conversion rate = conversions / visitors; also CTA conversion and MQL→SQL rate."""
    return m.conversion(conversions, visitors)


@xw.func(category=CATEGORY)
@xw.arg("clicks", **RANGE, doc="Clicks on the link, ad or email.")
@xw.arg("impressions", **RANGE, doc="Times it was shown or delivered.")
@excel_function
def CTR(clicks, impressions):
    """Click-through rate = clicks / impressions (or emails delivered)."""
    return m.ctr(clicks, impressions)


@xw.func(category=CATEGORY)
@xw.arg("spend", **RANGE, doc="Campaign spend.")
@xw.arg("acquisitions", **RANGE, doc="Leads, sign-ups or orders the campaign won.")
@excel_function
def CPA(spend, acquisitions):
    """Cost per acquisition = campaign spend / acquisitions."""
    return m.cpa(spend, acquisitions)


@xw.func(category=CATEGORY)
@xw.arg("interactions", **RANGE, doc="Likes, comments, shares and follows.")
@xw.arg("audience", **RANGE, doc="Followers or reach.")
@excel_function
def ENGAGEMENT_RATE(interactions, audience):
    """Social media engagement rate = interactions / audience."""
    return m.engagement_rate(interactions, audience)


# ------------------------------------------------------------------------ service


@xw.func(category=CATEGORY)
@xw.arg("scores", **RANGE, doc="Answers 0–10 to 'How likely are you to recommend us?'. Blanks are skipped.")
@excel_function
def NPS(scores):
    """Net Promoter Score in points (−100 to 100): % of 9–10 answers minus % of 0–6 answers."""
    return m.nps(scores)


@xw.func(category=CATEGORY)
@xw.arg("scores", **RANGE, doc="Satisfaction ratings, e.g. 1–5. Blanks are skipped.")
@xw.arg("threshold", **CELL, doc="Lowest rating that counts as satisfied. Default scale_max - 1 (4 on a 1-5 scale).")
@xw.arg("scale_max", **CELL, doc="Top of the rating scale. Default 5.")
@excel_function
def CSAT(scores, threshold=None, scale_max=5):
    """Customer satisfaction score: share of ratings at or above the threshold (4 on a 1–5 scale)."""
    return m.csat(scores, threshold, scale_max)


@xw.func(category=CATEGORY)
@xw.arg("created_at", **RANGE, doc="Date-time each ticket was created.")
@xw.arg("first_response_at", **RANGE, doc="Date-time of the first reply (blank: still waiting, skipped).")
@xw.arg("method", **CELL, doc='"mean" (default) or "median".')
@xw.arg("unit", **CELL, doc='"hours" (default), "minutes" or "days".')
@excel_function
def FRT(created_at, first_response_at, method="mean", unit="hours"):
    """First response time: mean (or median) time from ticket created to first reply, in hours by default."""
    return m.frt(created_at, first_response_at, method, unit)


@xw.func(category=CATEGORY)
@xw.arg("opened_at", **RANGE, doc="Date-time each ticket was opened.")
@xw.arg("resolved_at", **RANGE, doc="Date-time it was resolved (blank: still open, skipped).")
@xw.arg("method", **CELL, doc='"mean" (default) or "median".')
@xw.arg("unit", **CELL, doc='"hours" (default), "minutes" or "days".')
@excel_function
def RESOLUTION_TIME(opened_at, resolved_at, method="mean", unit="hours"):
    """Resolution time: mean (or median) time from ticket opened to resolved, in hours by default."""
    return m.resolution_time(opened_at, resolved_at, method, unit)


@xw.func(category=CATEGORY)
@xw.arg("resolved_at", **RANGE, doc="Resolution date of each ticket (blank: still open).")
@xw.arg("period_start", **CELL, doc="First day to count (optional).")
@xw.arg("period_end", **CELL, doc="Last day to count, inclusive (optional).")
@excel_function
def TICKETS_RESOLVED(resolved_at, period_start=None, period_end=None):
    """Number of tickets resolved, optionally between two dates (both days included)."""
    return m.tickets_resolved(resolved_at, period_start, period_end)


# ---------------------------------------------------------------------------- web


@xw.func(category=CATEGORY)
@xw.arg("sources", **LABELS, doc="Traffic source of each row (e.g. Organic, Facebook, Direct).")
@xw.arg("source", **CELL, doc="The source to measure; case is ignored.")
@xw.arg("sessions", **RANGE, doc="Sessions on each row (optional: each row counts 1).")
@excel_function
def SOURCE_SHARE(sources, source, sessions=None):
    """Share of traffic from one source = its sessions / all sessions."""
    return m.source_share(sources, source, sessions)


@xw.func(category=CATEGORY)
@xw.arg("pageviews", **RANGE, doc="Pages viewed.")
@xw.arg("sessions", **RANGE, doc="Sessions (visits).")
@excel_function
def PAGES_PER_SESSION(pageviews, sessions):
    """Pages per session = pageviews / sessions."""
    return m.pages_per_session(pageviews, sessions)


@xw.func(category=CATEGORY)
@xw.arg("bounces", **RANGE, doc="Sessions that viewed a single page.")
@xw.arg("sessions", **RANGE, doc="All sessions.")
@excel_function
def BOUNCE_RATE(bounces, sessions):
    """Bounce rate = single-page sessions / sessions."""
    return m.bounce_rate(bounces, sessions)


# ------------------------------------------------------------------------ finance


@xw.func(category=CATEGORY)
@xw.arg("revenue", **RANGE, doc="Revenue (net sales).")
@xw.arg("cogs", **RANGE, doc="Cost of goods sold for that revenue.")
@excel_function
def GROSS_MARGIN(revenue, cogs):
    """Gross margin = (revenue − cost of goods sold) / revenue."""
    return m.gross_margin(revenue, cogs)


@xw.func(category=CATEGORY)
@xw.arg("net_income", **RANGE, doc="Net income for the period.")
@xw.arg("total_assets", **RANGE, doc="Total assets (average over the period if known).")
@excel_function
def ROA(net_income, total_assets):
    """Return on assets = net income / total assets."""
    return m.roa(net_income, total_assets)


@xw.func(category=CATEGORY)
@xw.arg("company_sales", **RANGE, doc="Your sales in the market.")
@xw.arg("market_sales", **RANGE, doc="Total sales of the whole market.")
@excel_function
def MARKET_SHARE(company_sales, market_sales):
    """Market share = your sales / total market sales."""
    return m.market_share(company_sales, market_sales)


@xw.func(category=CATEGORY)
@xw.arg("lost_value", **RANGE, doc="Value of stock lost (damage, theft, paperwork errors).")
@xw.arg("inventory_value", **RANGE, doc="Book value of inventory.")
@excel_function
def SHRINKAGE(lost_value, inventory_value):
    """Inventory shrinkage rate = lost stock value / inventory value."""
    return m.shrinkage(lost_value, inventory_value)


# -------------------------------------------------------------------------- goals


@xw.func(category=CATEGORY)
@xw.arg("actual", **RANGE, doc="Value reached so far.")
@xw.arg("target", **RANGE, doc="Value the goal aims for.")
@xw.arg("baseline", **RANGE, doc="Value when the goal started (optional; 0 for higher-is-better).")
@xw.arg("direction", **CELL, doc='"higher" (default) if more is better, "lower" if less is better.')
@excel_function
def ACHIEVEMENT(actual, target, baseline=None, direction="higher"):
    """Progress toward a target as a ratio (0.8 = 80 %): (actual − baseline) / (target − baseline)."""
    return m.achievement(actual, target, baseline, direction)


@xw.func(category=CATEGORY)
@xw.arg("actual", **RANGE, doc="Value reached so far (cumulative, e.g. sales to date).")
@xw.arg("target", **RANGE, doc="Value to reach by the end date.")
@xw.arg("start_date", **RANGE, doc="First day of the goal.")
@xw.arg("end_date", **RANGE, doc="Last day of the goal.")
@xw.arg("as_of", **RANGE, doc="Day the actual is measured (e.g. =TODAY()).")
@xw.arg("baseline", **RANGE, doc="Value on the start date. Default 0.")
@excel_function
def PACE(actual, target, start_date, end_date, as_of, baseline=0):
    """Progress so far against a straight-line plan from baseline to target (1 = on plan, 1.1 = 10 % ahead)."""
    return m.pace(actual, target, start_date, end_date, as_of, baseline)


@xw.func(category=CATEGORY)
@xw.arg("actual", **RANGE, doc="Cumulative value so far (e.g. sales to date).")
@xw.arg("start_date", **RANGE, doc="First day of the period.")
@xw.arg("end_date", **RANGE, doc="Last day of the period.")
@xw.arg("as_of", **RANGE, doc="Day the actual is measured.")
@excel_function
def FORECAST_END(actual, start_date, end_date, as_of):
    """Run-rate forecast at the end date = actual × total days / days elapsed."""
    return m.forecast_end(actual, start_date, end_date, as_of)


@xw.func(category=CATEGORY)
@xw.arg("actual", **RANGE, doc="Value reached so far.")
@xw.arg("target", **RANGE, doc="Value to reach by the end date.")
@xw.arg("start_date", **RANGE, doc="First day of the goal.")
@xw.arg("end_date", **RANGE, doc="Last day of the goal.")
@xw.arg("as_of", **RANGE, doc="Day the actual is measured.")
@xw.arg("baseline", **RANGE, doc="Value when the goal started (optional).")
@xw.arg("direction", **CELL, doc='"higher" (default) or "lower" if less is better.')
@xw.arg("language", **CELL, doc='"en" or "zh-TW" for the words; default English.')
@excel_function
def STATUS(actual, target, start_date, end_date, as_of, baseline=None, direction="higher", language=None):
    """Goal status by the default rules: Achieved, On track, Behind or At risk (繁體中文 with "zh-TW")."""
    return labels.status_words(m.status(actual, target, start_date, end_date, as_of, baseline, direction), language)


@xw.func(category=CATEGORY)
@xw.arg("achievement", **RANGE, doc="Achievement as a ratio (1 = 100 % of target).")
@xw.arg("threshold", **RANGE, doc="Achievement below which nothing is paid, e.g. 0.8.")
@xw.arg("accelerator", **RANGE, doc="Multiplier on achievement above 100 %. Default 1.")
@xw.arg("cap", **RANGE, doc="Highest payout, e.g. 1.5 (optional: no cap).")
@excel_function
def PAYOUT(achievement, threshold, accelerator=1, cap=None):
    """Bonus payout as a share of target: 0 below threshold, achievement up to 100 %, accelerated above, capped."""
    return m.payout(achievement, threshold, accelerator, cap)


@xw.func(category=CATEGORY)
@xw.arg("scores", **RANGE, doc="Score of each key result, 0.0 to 1.0 (clipped).")
@xw.arg("weights", **RANGE, doc="Weight of each key result (optional: equal weights).")
@excel_function
def OKR_SCORE(scores, weights=None):
    """Objective score = weighted mean of key-result scores clipped to 0–1; 0.7 is a good score."""
    return m.okr_score(scores, weights)
