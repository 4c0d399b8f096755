"""The Functions sheet: every worksheet function used in a live formula on the sample data.

Each formula is what a person would type (structured references into the data
tables); its result is computed here by calling the same function on the same
columns, and stored as the cell's cached value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from .. import catalog, udfs
from ..sample import Company
from . import layout


@dataclass(frozen=True)
class Call:
    name: str
    formula: str
    result: Any
    percent: bool
    summary: str


def _excel_date(d: dt.date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def sample_calls(company: Company, lang: str) -> list[Call]:
    """One live formula per catalog function, with its result on the sample data."""
    T = company.tables
    H = lambda c: layout.data_header(c, lang)  # noqa: E731

    def ref(table: str, col: str) -> str:
        return f"{table}[{H(col)}]"

    def col(table: str, name: str) -> np.ndarray:
        s = T[table][name]
        if pd.api.types.is_datetime64_any_dtype(s):
            return np.array([None if pd.isna(v) else v.to_pydatetime() for v in s], dtype=object)
        return s.to_numpy()

    def total(table: str, name: str) -> float:
        return float(T[table][name].sum())

    q1, q2 = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
    org = company.tables["Web"]["Source"].iloc[0]
    specs: list[tuple[str, str, Callable[[], Any]]] = [
        ("ACV", f"=ACV({ref('Deals','Value')},{ref('Deals','Term years')},{ref('Deals','One-time fee')})",
         lambda: udfs.ACV(col("Deals", "Value"), col("Deals", "Term years"), col("Deals", "One-time fee"))),
        ("MRR", f"=MRR(SUMIFS({ref('Subscriptions','Starting MRR')},{ref('Subscriptions','Month')},"
                f"MAX({ref('Subscriptions','Month')})))",
         lambda: udfs.MRR(float(T["Subscriptions"].loc[T["Subscriptions"]["Month"] == T["Subscriptions"]["Month"].max(),
                                                      "Starting MRR"].sum()))),
        ("ARPA", f"=ARPA(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Customers at start')}))",
         lambda: udfs.ARPA(total("Subscriptions", "Starting MRR"), total("Subscriptions", "Customers at start"))),
        ("CLTV", f"=CLTV(ARPA(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Customers at start')})),"
                 f"CHURN(SUM({ref('Subscriptions','Churned customers')}),SUM({ref('Subscriptions','Customers at start')})),0.8)",
         lambda: udfs.CLTV(udfs.ARPA(total("Subscriptions", "Starting MRR"), total("Subscriptions", "Customers at start")),
                           udfs.CHURN(total("Subscriptions", "Churned customers"), total("Subscriptions", "Customers at start")),
                           0.8)),
        ("CHURN", f"=CHURN(SUM({ref('Subscriptions','Churned customers')}),SUM({ref('Subscriptions','Customers at start')}))",
         lambda: udfs.CHURN(total("Subscriptions", "Churned customers"), total("Subscriptions", "Customers at start"))),
        ("RETENTION", f"=RETENTION(SUM({ref('Subscriptions','Customers at end')}),SUM({ref('Subscriptions','Customers at start')}),"
                      f"SUM({ref('Subscriptions','New customers')}))",
         lambda: udfs.RETENTION(total("Subscriptions", "Customers at end"), total("Subscriptions", "Customers at start"),
                                total("Subscriptions", "New customers"))),
        ("NRR", f"=NRR(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Expansion MRR')}),"
                f"SUM({ref('Subscriptions','Contraction MRR')}),SUM({ref('Subscriptions','Churned MRR')}))",
         lambda: udfs.NRR(*(total("Subscriptions", c) for c in ("Starting MRR", "Expansion MRR", "Contraction MRR", "Churned MRR")))),
        ("GRR", f"=GRR(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Contraction MRR')}),"
                f"SUM({ref('Subscriptions','Churned MRR')}))",
         lambda: udfs.GRR(*(total("Subscriptions", c) for c in ("Starting MRR", "Contraction MRR", "Churned MRR")))),
        ("CAC", f"=CAC(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','New customers')}))",
         lambda: udfs.CAC(total("Marketing", "Spend"), total("Marketing", "New customers"))),
        ("LTV_CAC", f"=LTV_CAC(40000,CAC(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','New customers')})))",
         lambda: udfs.LTV_CAC(40000, udfs.CAC(total("Marketing", "Spend"), total("Marketing", "New customers")))),
        ("CAC_PAYBACK", f"=CAC_PAYBACK(CAC(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','New customers')})),1500,0.8)",
         lambda: udfs.CAC_PAYBACK(udfs.CAC(total("Marketing", "Spend"), total("Marketing", "New customers")), 1500, 0.8)),
        ("QUICK_RATIO", f"=QUICK_RATIO(SUM({ref('Subscriptions','New MRR')}),SUM({ref('Subscriptions','Expansion MRR')}),"
                        f"SUM({ref('Subscriptions','Contraction MRR')}),SUM({ref('Subscriptions','Churned MRR')}))",
         lambda: udfs.QUICK_RATIO(*(total("Subscriptions", c) for c in ("New MRR", "Expansion MRR", "Contraction MRR", "Churned MRR")))),
        ("AOV", f"=AOV(SUM({ref('Orders','Amount')}),COUNT({ref('Orders','Amount')}))",
         lambda: udfs.AOV(total("Orders", "Amount"), float(T["Orders"]["Amount"].count()))),
        ("WIN_RATE", f"=WIN_RATE(SUM({ref('Deals','Won')}),SUM({ref('Deals','Closed')}))",
         lambda: udfs.WIN_RATE(total("Deals", "Won"), total("Deals", "Closed"))),
        ("GROWTH_RATE", f"=GROWTH_RATE(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&{_excel_date(q1)}),"
                        f"SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1),{ref('Orders','Date')},\"<\"&{_excel_date(q1)}))",
         lambda: udfs.GROWTH_RATE(float(T["Orders"].loc[T["Orders"]["Date"] >= pd.Timestamp(q1), "Amount"].sum()),
                                  float(T["Orders"].loc[(T["Orders"]["Date"] >= pd.Timestamp("2026-01-01"))
                                                        & (T["Orders"]["Date"] < pd.Timestamp(q1)), "Amount"].sum()))),
        ("PERIOD_GROWTH", f"=INDEX(PERIOD_GROWTH(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,{{1;2}},1),"
                          f"{ref('Orders','Date')},\"<\"&DATE(2026,{{2;3}},1))),2)",
         lambda: udfs.PERIOD_GROWTH([[_month(T, 1)], [_month(T, 2)]])[1][0]),
        ("CAGR", f"=CAGR(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\"<\"&DATE(2025,7,1)),"
                 f"SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),0.5)",
         lambda: udfs.CAGR(float(T["Orders"].loc[T["Orders"]["Date"] < pd.Timestamp("2025-07-01"), "Amount"].sum()),
                           float(T["Orders"].loc[T["Orders"]["Date"] >= pd.Timestamp("2026-01-01"), "Amount"].sum()), 0.5)),
        ("COUNT_PER_PERIOD", f"=INDEX(COUNT_PER_PERIOD({ref('Activities','Date')},\"month\"),1,2)",
         lambda: udfs.COUNT_PER_PERIOD(col("Activities", "Date"), "month")[0][1]),
        ("SUM_PER_PERIOD", f"=INDEX(SUM_PER_PERIOD({ref('Orders','Date')},{ref('Orders','Amount')},\"quarter\"),1,2)",
         lambda: udfs.SUM_PER_PERIOD(col("Orders", "Date"), col("Orders", "Amount"), "quarter")[0][1]),
        ("ROI", f"=ROI(SUM({ref('Orders','Amount')})-SUM({ref('Orders','Cost')}),SUM({ref('Marketing','Spend')}))",
         lambda: udfs.ROI(total("Orders", "Amount") - total("Orders", "Cost"), total("Marketing", "Spend"))),
        ("CONVERSION", f"=CONVERSION(SUM({ref('Web','Conversions')}),SUM({ref('Web','Sessions')}))",
         lambda: udfs.CONVERSION(total("Web", "Conversions"), total("Web", "Sessions"))),
        ("CTR", f"=CTR(SUM({ref('Marketing','Clicks')}),SUM({ref('Marketing','Impressions')}))",
         lambda: udfs.CTR(total("Marketing", "Clicks"), total("Marketing", "Impressions"))),
        ("CPA", f"=CPA(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','Leads')}))",
         lambda: udfs.CPA(total("Marketing", "Spend"), total("Marketing", "Leads"))),
        ("ENGAGEMENT_RATE", f"=ENGAGEMENT_RATE(SUM({ref('Marketing','Clicks')}),SUM({ref('Marketing','Impressions')}))",
         lambda: udfs.ENGAGEMENT_RATE(total("Marketing", "Clicks"), total("Marketing", "Impressions"))),
        ("NPS", f"=NPS({ref('Tickets','NPS')})", lambda: udfs.NPS(col("Tickets", "NPS"))),
        ("CSAT", f"=CSAT({ref('Tickets','Rating')})", lambda: udfs.CSAT(col("Tickets", "Rating"))),
        ("FRT", f"=FRT({ref('Tickets','Created')},{ref('Tickets','First response')},\"median\")",
         lambda: udfs.FRT(col("Tickets", "Created"), col("Tickets", "First response"), "median")),
        ("RESOLUTION_TIME", f"=RESOLUTION_TIME({ref('Tickets','Created')},{ref('Tickets','Resolved')},\"median\")",
         lambda: udfs.RESOLUTION_TIME(col("Tickets", "Created"), col("Tickets", "Resolved"), "median")),
        ("TICKETS_RESOLVED", f"=TICKETS_RESOLVED({ref('Tickets','Resolved')},{_excel_date(q1)},{_excel_date(q2)})",
         lambda: udfs.TICKETS_RESOLVED(col("Tickets", "Resolved"), q1, q2)),
        ("SOURCE_SHARE", f"=SOURCE_SHARE({ref('Web','Source')},\"{org}\",{ref('Web','Sessions')})",
         lambda: udfs.SOURCE_SHARE(T["Web"]["Source"].to_numpy(dtype=object), org, col("Web", "Sessions"))),
        ("PAGES_PER_SESSION", f"=PAGES_PER_SESSION(SUM({ref('Web','Pageviews')}),SUM({ref('Web','Sessions')}))",
         lambda: udfs.PAGES_PER_SESSION(total("Web", "Pageviews"), total("Web", "Sessions"))),
        ("BOUNCE_RATE", f"=BOUNCE_RATE(SUM({ref('Web','Bounces')}),SUM({ref('Web','Sessions')}))",
         lambda: udfs.BOUNCE_RATE(total("Web", "Bounces"), total("Web", "Sessions"))),
        ("GROSS_MARGIN", f"=GROSS_MARGIN(SUM({ref('Orders','Amount')}),SUM({ref('Orders','Cost')}))",
         lambda: udfs.GROSS_MARGIN(total("Orders", "Amount"), total("Orders", "Cost"))),
        ("ROA", "=ROA(6000000,80000000)", lambda: udfs.ROA(6_000_000, 80_000_000)),
        ("MARKET_SHARE", f"=MARKET_SHARE(SUM({ref('Orders','Amount')}),250000000)",
         lambda: udfs.MARKET_SHARE(total("Orders", "Amount"), 250_000_000)),
        ("SHRINKAGE", "=SHRINKAGE(18000,1200000)", lambda: udfs.SHRINKAGE(18000, 1_200_000)),
        ("ACHIEVEMENT", f"=ACHIEVEMENT(SUM({ref('Web','Conversions')})/SUM({ref('Web','Sessions')}),0.03,0.024)",
         lambda: udfs.ACHIEVEMENT(total("Web", "Conversions") / total("Web", "Sessions"), 0.03, 0.024)),
        ("PACE", f"=PACE(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),24000000,"
                 f"DATE(2026,1,1),DATE(2026,12,31),MAX({ref('Orders','Date')}))",
         lambda: udfs.PACE(float(T["Orders"].loc[T["Orders"]["Date"] >= pd.Timestamp("2026-01-01"), "Amount"].sum()),
                           24_000_000, dt.date(2026, 1, 1), dt.date(2026, 12, 31), T["Orders"]["Date"].max().date())),
        ("FORECAST_END", f"=FORECAST_END(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),"
                         f"DATE(2026,1,1),DATE(2026,12,31),MAX({ref('Orders','Date')}))",
         lambda: udfs.FORECAST_END(float(T["Orders"].loc[T["Orders"]["Date"] >= pd.Timestamp("2026-01-01"), "Amount"].sum()),
                                   dt.date(2026, 1, 1), dt.date(2026, 12, 31), T["Orders"]["Date"].max().date())),
        ("STATUS", f"=STATUS(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),24000000,"
                   f"DATE(2026,1,1),DATE(2026,12,31),MAX({ref('Orders','Date')}),,,\"{lang}\")",
         lambda: udfs.STATUS(float(T["Orders"].loc[T["Orders"]["Date"] >= pd.Timestamp("2026-01-01"), "Amount"].sum()),
                             24_000_000, dt.date(2026, 1, 1), dt.date(2026, 12, 31), T["Orders"]["Date"].max().date(),
                             None, "higher", lang)),
        ("PAYOUT", "=PAYOUT(1.2,0.8,2,1.5)", lambda: udfs.PAYOUT(1.2, 0.8, 2, 1.5)),
        ("OKR_SCORE", "=OKR_SCORE({0.7;1;0.4},{2;1;1})", lambda: udfs.OKR_SCORE([[0.7], [1], [0.4]], [[2], [1], [1]])),
    ]
    summaries = {f.name: f.summary for f in catalog.functions()}
    percent_like = {"CHURN", "RETENTION", "NRR", "GRR", "WIN_RATE", "GROWTH_RATE", "PERIOD_GROWTH", "CAGR", "ROI",
                    "CONVERSION", "CTR", "ENGAGEMENT_RATE", "CSAT", "SOURCE_SHARE", "BOUNCE_RATE", "GROSS_MARGIN",
                    "ROA", "MARKET_SHARE", "SHRINKAGE", "ACHIEVEMENT", "PACE", "PAYOUT", "OKR_SCORE"}
    out = []
    for name, formula, compute in specs:
        value = compute()
        if isinstance(value, np.ndarray):
            value = value.reshape(-1)[0]
        if isinstance(value, (np.floating, np.integer)):
            value = value.item()
        out.append(Call(name, formula, value, name in percent_like, summaries[name]))
    return out


def _month(T: dict, m: int) -> float:
    o = T["Orders"]
    d = o["Date"]
    return float(o.loc[(d >= pd.Timestamp(2026, m, 1)) & (d < pd.Timestamp(2026, m + 1, 1)), "Amount"].sum())
