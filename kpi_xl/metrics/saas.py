"""Subscription and customer-value KPIs: ACV, MRR, ARPA, CLTV, churn, retention, NRR...

Rates are ratios (0.05 means 5 %); money is in the currency of the inputs.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import DIV0, NUM, KpiInputError
from ._args import Rows, above, aligned, excel_errors, finite, nonneg, one_value, positive, unit
from ._ratio import ratio
from .kinds import Range

__all__ = [
    "acv",
    "mrr",
    "arpa",
    "cltv",
    "churn",
    "retention",
    "nrr",
    "grr",
    "cac",
    "ltv_cac",
    "cac_payback",
    "quick_ratio",
]


@excel_errors
def acv(
    contract_values: Annotated[Any, Range("Total value of each contract (one cell per contract).")],
    term_years: Annotated[Any, Range("Term of each contract in years, or one term for all. Default 1.")] = 1,
    one_time_fees: Annotated[Any, Range("One-time fees inside each contract value (set-up, onboarding). Default 0.")] = 0,
) -> Any:
    """Average annual contract value (ACV) over a set of contracts.

    Formula: ACV = mean over contracts of (contract_value − one_time_fees) / term_years
    Units: currency per year.
    Convention: one-time fees (set-up, onboarding) are taken out before the value
    is spread over the term, so ACV is recurring value only. A contract whose value
    cell is blank is left out; a blank term counts as 1 year and a blank fee as 0.
    Errors: #NUM! if a term is 0 or less, a value or fee is negative, or the fee
    exceeds the value; #DIV/0! if there is no contract; #VALUE! for text.
    Source: David Skok, "SaaS Metrics 2.0" (bookings as annual contract value, ACV).
    """
    proven = []  # the quick proof's answer: every value and fee a number ≥ 0, every term > 0

    def quick(v: np.ndarray, y: np.ndarray, f: np.ndarray) -> bool:
        proven.append(nonneg(v) and positive(y) and nonneg(f))
        return proven[0]

    values, terms, fees = aligned(
        ("contract_values", contract_values),
        ("term_years", term_years, 1.0),
        ("one_time_fees", one_time_fees, 0.0),
        quick=quick,
    )
    if values.size == 0:
        raise KpiInputError(DIV0, "contract_values: no contract has a value")
    if proven and proven[0]:
        fee, term = one_value(fees), one_value(terms)
        with np.errstate(all="ignore"):
            if fee is not None and term is not None:  # one fee and one term for all: no per-row work
                if fee == 0 or values.min() >= fee:
                    return (float(values.mean()) - fee) / term
            else:
                out = values - fees
                if nonneg(out):  # out ≥ 0 proves value ≥ fee on every row
                    out /= terms
                    return float(out.mean())
    # the exact checks, only when the quick proof fails; they name the fault
    if (terms <= 0).any():
        raise KpiInputError(NUM, "term_years: every term must be more than 0 years")
    if (values < 0).any() or (fees < 0).any():
        raise KpiInputError(NUM, "contract_values/one_time_fees: must not be negative")
    if (fees > values).any():
        raise KpiInputError(NUM, "one_time_fees: a fee is larger than its contract value")
    return float(np.mean((values - fees) / terms))


@excel_errors
def mrr(
    amounts: Annotated[Any, Range("Billed amount of each active subscription.")],
    billing_months: Annotated[Any, Range("Months each amount covers (12 = annual plan). Default 1.")] = 1,
) -> Any:
    """Monthly recurring revenue (MRR) from active subscriptions.

    Formula: MRR = Σ amount / billing_months
    Units: currency per month. ARR is MRR × 12 (write =MRR(...)*12).
    Convention: each subscription's billed amount is spread evenly over its billing
    period (12 for annual plans, 3 for quarterly). Blank amounts are skipped; a
    blank billing period counts as 1 month. No subscriptions gives 0.
    Errors: #NUM! for a billing period of 0 or less or a negative amount.
    Source: David Skok, "SaaS Metrics 2.0 – A Guide to Measuring and Improving What Matters" (MRR).
    """
    amts, months = aligned(("amounts", amounts), ("billing_months", billing_months, 1.0),
                           quick=lambda a, m: nonneg(a) and positive(m))
    if not positive(months) and (months <= 0).any():
        raise KpiInputError(NUM, "billing_months: every billing period must be more than 0")
    if not nonneg(amts) and (amts < 0).any():
        raise KpiInputError(NUM, "amounts: must not be negative")
    with np.errstate(over="ignore"):
        return float(np.sum(amts / months))  # an overflow (inf) is #NUM! (excel_errors)


@excel_errors
def arpa(
    revenue: Annotated[Any, Range("Revenue in the period (one cell, or one per row).")],
    accounts: Annotated[Any, Range("Number of paying accounts in the same period.")],
) -> Any:
    """Average revenue per account (ARPA) for a period.

    Formula: ARPA = revenue / accounts
    Units: currency per account per period (the period of the revenue).
    Errors: #DIV/0! when accounts is 0; #NUM! for negative accounts.
    Source: David Skok, "SaaS Metrics 2.0" (ARPA); the period must match CLTV's churn period.
    """
    return ratio(revenue, accounts, ("revenue", "accounts"), negative_num=True)


@excel_errors
def cltv(
    arpa: Annotated[Any, Range("Average revenue per account per period (e.g. per month).")],
    churn_rate: Annotated[Any, Range("Share of customers lost per period of the same length, e.g. 0.05. Must be in (0, 1].")],
    gross_margin: Annotated[Any, Range("Gross margin as a ratio 0–1. Default 1 (revenue LTV).")] = 1,
    discount_rate: Annotated[Any, Range("Discount rate per period, e.g. 0.01 a month. Default 0.")] = 0,
) -> Any:
    """Customer lifetime value (CLTV / LTV) from ARPA, churn, margin and discount rate.

    Formula: CLTV = arpa × gross_margin × (1 + d) / (churn_rate + d); with d = 0 this
    is arpa × gross_margin / churn_rate.
    Units: currency per customer. arpa, churn_rate and discount_rate must be per
    the same period (all monthly or all yearly).
    Convention: a customer pays at the start of every period and stays with
    probability 1 − churn_rate, so the value is Σₜ m·(1−c)ᵗ/(1+d)ᵗ for t = 0, 1, ...
    The first period is not discounted. A churn rate of 0 is refused even with a
    discount rate: a customer who never leaves is not a planning assumption.
    Errors: #DIV/0! when churn_rate is 0; #NUM! when churn_rate is outside (0, 1],
    gross_margin outside [0, 1], discount_rate negative or arpa negative.
    Source: Gupta & Lehmann (2003), "Customers as assets", J. Interactive Marketing 17(1).
    """
    r = Rows(arpa=arpa, churn_rate=churn_rate, gross_margin=gross_margin, discount_rate=discount_rate)
    a, c, m, d = r.arrays
    with np.errstate(all="ignore"):
        out = a * m * (1.0 + d) / (c + d)
    return r.result(
        out,
        domain=[
            (lambda a, c, m, d: c == 0, DIV0),
            (lambda a, c, m, d: (c < 0) | (c > 1), NUM),
            (lambda a, c, m, d: (m < 0) | (m > 1), NUM),
            (lambda a, c, m, d: d < 0, NUM),
            (lambda a, c, m, d: a < 0, NUM),
        ],
        quick=lambda: unit(c) and above(c, 0) and unit(m) and nonneg(d) and nonneg(a) and finite(out),
    )


@excel_errors
def churn(
    churned: Annotated[Any, Range("Customers lost in the period (of those there at its start).")],
    customers_at_start: Annotated[Any, Range("Customers at the start of the period.")],
) -> Any:
    """Customer churn rate for a period.

    Formula: churn = churned / customers_at_start
    Units: ratio per period (0.05 = 5 % a month if the period is a month).
    Convention: churned counts only customers who were customers at the start of the
    period (new customers who leave in the same period are not in it).
    Errors: #DIV/0! when customers_at_start is 0; #NUM! for negatives or when more
    customers churned than there were at the start.
    Source: David Skok, "SaaS Metrics 2.0" (customer churn).
    """
    return ratio(churned, customers_at_start, ("churned", "customers_at_start"), num_at_most_den=True)


@excel_errors
def retention(
    customers_at_end: Annotated[Any, Range("Customers at the end of the period.")],
    customers_at_start: Annotated[Any, Range("Customers at the start of the period.")],
    new_customers: Annotated[Any, Range("Customers won during the period. Default 0.")] = 0,
) -> Any:
    """Customer retention rate (CRR) for a period.

    Formula: retention = (customers_at_end − new_customers) / customers_at_start
    Units: ratio per period.
    Errors: #DIV/0! when customers_at_start is 0; #NUM! for negatives or when
    new_customers exceeds customers_at_end.
    Source: Farris et al., "Marketing Metrics" (2nd ed., 2010), ch. 5 (customer retention rate).
    """
    r = Rows(customers_at_end=customers_at_end, customers_at_start=customers_at_start, new_customers=new_customers)
    e, s, n = r.arrays
    with np.errstate(all="ignore"):
        out = (e - n) / s
    return r.result(
        out,
        domain=[(lambda e, s, n: (e < 0) | (s < 0) | (n < 0) | (n > e), NUM)],
        errors=[(lambda e, s, n: s == 0, DIV0)],
        quick=lambda: nonneg(s) and nonneg(n) and nonneg(out),  # out ≥ 0 ⇔ e ≥ n when s > 0
    )


@excel_errors
def nrr(
    starting_mrr: Annotated[Any, Range("Recurring revenue of existing customers at the start.")],
    expansion: Annotated[Any, Range("Upsell and cross-sell revenue added by them. Default 0.")] = 0,
    contraction: Annotated[Any, Range("Revenue lost to downgrades. Default 0.")] = 0,
    churned_mrr: Annotated[Any, Range("Revenue lost to customers who left. Default 0.")] = 0,
) -> Any:
    """Net revenue retention (NRR, also NDR) for a cohort over a period.

    Formula: NRR = (starting_mrr + expansion − contraction − churned_mrr) / starting_mrr
    Units: ratio (1.1 = 110 %).
    Convention: revenue from customers who were already paying at the start;
    new customers are not counted.
    Errors: #DIV/0! when starting_mrr is 0; #NUM! for negative inputs or losses
    larger than starting MRR plus expansion.
    Source: KeyBanc Capital Markets, "SaaS Company Reporting Metrics" (net dollar retention).
    """
    r = Rows(starting_mrr=starting_mrr, expansion=expansion, contraction=contraction, churned_mrr=churned_mrr)
    s, e, c, ch = r.arrays
    with np.errstate(all="ignore"):
        out = (s + e - c - ch) / s
    return r.result(
        out,
        domain=[(lambda s, e, c, ch: (s < 0) | (e < 0) | (c < 0) | (ch < 0) | (c + ch > s + e), NUM)],
        errors=[(lambda s, e, c, ch: s == 0, DIV0)],
        # out > 0, not just ≥ 0: see the note below grr
        quick=lambda: nonneg(s) and nonneg(e) and nonneg(c) and nonneg(ch) and nonneg(out) and above(out, 0.0),
    )


@excel_errors
def grr(
    starting_mrr: Annotated[Any, Range("Recurring revenue of existing customers at the start.")],
    contraction: Annotated[Any, Range("Revenue lost to downgrades. Default 0.")] = 0,
    churned_mrr: Annotated[Any, Range("Revenue lost to customers who left. Default 0.")] = 0,
) -> Any:
    """Gross revenue retention (GRR) for a cohort over a period.

    Formula: GRR = (starting_mrr − contraction − churned_mrr) / starting_mrr
    Units: ratio, at most 1 (expansion is not counted).
    Errors: #DIV/0! when starting_mrr is 0; #NUM! for negatives or when losses
    exceed the starting MRR.
    Source: KeyBanc Capital Markets, "SaaS Company Reporting Metrics" (gross dollar retention).
    """
    r = Rows(starting_mrr=starting_mrr, contraction=contraction, churned_mrr=churned_mrr)
    s, c, ch = r.arrays
    with np.errstate(all="ignore"):
        out = (s - c - ch) / s
    return r.result(
        out,
        domain=[(lambda s, c, ch: (s < 0) | (c < 0) | (ch < 0) | (c + ch > s), NUM)],
        errors=[(lambda s, c, ch: s == 0, DIV0)],
        quick=lambda: nonneg(s) and nonneg(c) and nonneg(ch) and nonneg(out) and above(out, 0.0),
    )


# NRR's and GRR's quick check asks for out > 0. The rule is fl(c + ch) > G with
# G = s (GRR) or G = fl(s + e) (NRR); the result is fl(fl(fl(G − c) − ch) / s), s > 0.
# If fl(c + ch) > G, the exact c + ch is at least G + u/2 (u: the gap from G to the
# next float up). If c ≥ G the numerator is ≤ 0; otherwise 0 < G − c ≤ G rounds with
# an error of at most u/2, so fl(G − c) − ch ≤ 0. Either way out ≤ 0, so out > 0 on
# every row proves the rule false everywhere. out == 0 with the rule true does happen:
# s = 1 + 3u, c = 1.5u, ch = 1 + 2u (u = 2**-52) gives c + ch > s but out == 0.0.


@excel_errors
def cac(
    spend: Annotated[Any, Range("Sales and marketing spend in the period.")],
    new_customers: Annotated[Any, Range("New paying customers won in the same period.")],
) -> Any:
    """Customer acquisition cost (CAC).

    Formula: CAC = sales and marketing spend / new customers won
    Units: currency per new customer.
    Convention: per row (e.g. per month or per channel); for the whole table give
    totals: =CAC(SUM(Spend), SUM(NewCustomers)).
    Errors: #DIV/0! with no new customers; #NUM! for negatives.
    Source: David Skok, "SaaS Metrics 2.0" (cost to acquire a customer).
    """
    return ratio(spend, new_customers, ("spend", "new_customers"))


@excel_errors
def ltv_cac(
    ltv: Annotated[Any, Range("Customer lifetime value (e.g. from CLTV).")],
    cac: Annotated[Any, Range("Customer acquisition cost (e.g. from CAC).")],
) -> Any:
    """LTV:CAC ratio: how many times a customer's lifetime value repays its acquisition cost.

    Formula: LTV:CAC = ltv / cac
    Units: ratio (3 means 3:1, a common healthy level).
    Errors: #DIV/0! when cac is 0; #NUM! for negatives.
    Source: David Skok, "SaaS Metrics 2.0" (LTV > 3 × CAC).
    """
    return ratio(ltv, cac, ("ltv", "cac"))


@excel_errors
def cac_payback(
    cac: Annotated[Any, Range("Customer acquisition cost.")],
    arpa: Annotated[Any, Range("Monthly revenue per account.")],
    gross_margin: Annotated[Any, Range("Gross margin as a ratio 0–1. Default 1.")] = 1,
) -> Any:
    """CAC payback period in months.

    Formula: payback = cac / (arpa × gross_margin)
    Units: months when arpa is monthly revenue per account.
    Errors: #DIV/0! when arpa × gross_margin is 0; #NUM! for negatives or a
    gross_margin above 1.
    Source: David Skok, "SaaS Metrics 2.0" (months to recover CAC).
    """
    r = Rows(cac=cac, arpa=arpa, gross_margin=gross_margin)
    c, a, m = r.arrays
    with np.errstate(all="ignore"):
        out = c / (a * m)
    return r.result(
        out,
        domain=[(lambda c, a, m: (c < 0) | (a < 0) | (m < 0) | (m > 1), NUM)],
        errors=[(lambda c, a, m: a * m == 0, DIV0)],
        quick=lambda: nonneg(c) and nonneg(a) and unit(m) and nonneg(out),
    )


@excel_errors
def quick_ratio(
    new_mrr: Annotated[Any, Range("MRR from new customers.")],
    expansion_mrr: Annotated[Any, Range("MRR added by existing customers.")],
    contraction_mrr: Annotated[Any, Range("MRR lost to downgrades.")],
    churned_mrr: Annotated[Any, Range("MRR lost to customers who left.")],
) -> Any:
    """SaaS quick ratio: MRR gained per unit of MRR lost.

    Formula: quick ratio = (new_mrr + expansion_mrr) / (contraction_mrr + churned_mrr)
    Units: ratio (above 4 is considered efficient growth).
    Errors: #DIV/0! when nothing was lost; #NUM! for negatives.
    Source: Mamoon Hamid (Social Capital), "SaaS quick ratio".
    """
    r = Rows(new_mrr=new_mrr, expansion_mrr=expansion_mrr, contraction_mrr=contraction_mrr, churned_mrr=churned_mrr)
    n, e, c, ch = r.arrays
    with np.errstate(all="ignore"):
        out = (n + e) / (c + ch)
    return r.result(
        out,
        domain=[(lambda n, e, c, ch: (n < 0) | (e < 0) | (c < 0) | (ch < 0), NUM)],
        errors=[(lambda n, e, c, ch: c + ch == 0, DIV0)],
        quick=lambda: nonneg(n) and nonneg(e) and nonneg(c) and nonneg(ch) and nonneg(out),
    )
