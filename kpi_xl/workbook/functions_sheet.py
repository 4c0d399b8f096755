"""The Functions sheet: every worksheet function used in a live formula on the sample data.

One row per function of the registry (:mod:`kpi_xl.functions.registry`), in its
order: the formula a person would type (structured references into the sample data
tables; the registry's example when the sample has no formula for a function), its
result, computed by the same formula evaluator headless refresh uses, so by the same
code as the worksheet function, and its description. A "percent" unit in the
registry formats the result as a percentage.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..functions import registry
from ..sample import Company
from . import layout
from .evaluate import Evaluator, FormulaContext, TableRange


@dataclass(frozen=True)
class Call:
    name: str
    formula: str
    result: Any
    percent: bool
    summary: str


def _excel_date(d: dt.date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def sample_formulas(company: Company, lang: str) -> dict[str, str]:
    """A formula on the sample company's tables for each function, by name."""
    H = lambda c: layout.data_header(c, lang)  # noqa: E731

    def ref(table: str, col: str) -> str:
        return f"{table}[{H(col)}]"

    q1, q2 = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
    org = company.tables["Web"]["Source"].iloc[0]
    return {
        "ACV": f"=ACV({ref('Deals','Value')},{ref('Deals','Term years')},{ref('Deals','One-time fee')})",
        "MRR": f"=MRR(SUMIFS({ref('Subscriptions','Starting MRR')},{ref('Subscriptions','Month')},"
            f"MAX({ref('Subscriptions','Month')})))",
        "ARPA": f"=ARPA(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Customers at start')}))",
        "CLTV": f"=CLTV(ARPA(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Customers at start')})),"
            f"CHURN(SUM({ref('Subscriptions','Churned customers')}),SUM({ref('Subscriptions','Customers at start')})),0.8)",
        "CHURN": f"=CHURN(SUM({ref('Subscriptions','Churned customers')}),SUM({ref('Subscriptions','Customers at start')}))",
        "RETENTION": f"=RETENTION(SUM({ref('Subscriptions','Customers at end')}),SUM({ref('Subscriptions','Customers at start')}),"
            f"SUM({ref('Subscriptions','New customers')}))",
        "NRR": f"=NRR(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Expansion MRR')}),"
            f"SUM({ref('Subscriptions','Contraction MRR')}),SUM({ref('Subscriptions','Churned MRR')}))",
        "GRR": f"=GRR(SUM({ref('Subscriptions','Starting MRR')}),SUM({ref('Subscriptions','Contraction MRR')}),"
            f"SUM({ref('Subscriptions','Churned MRR')}))",
        "CAC": f"=CAC(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','New customers')}))",
        "LTV_CAC": f"=LTV_CAC(40000,CAC(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','New customers')})))",
        "CAC_PAYBACK": f"=CAC_PAYBACK(CAC(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','New customers')})),1500,0.8)",
        "QUICK_RATIO": f"=QUICK_RATIO(SUM({ref('Subscriptions','New MRR')}),SUM({ref('Subscriptions','Expansion MRR')}),"
            f"SUM({ref('Subscriptions','Contraction MRR')}),SUM({ref('Subscriptions','Churned MRR')}))",
        "AOV": f"=AOV(SUM({ref('Orders','Amount')}),COUNT({ref('Orders','Amount')}))",
        "WIN_RATE": f"=WIN_RATE(SUM({ref('Deals','Won')}),SUM({ref('Deals','Closed')}))",
        "GROWTH_RATE": f"=GROWTH_RATE(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&{_excel_date(q1)}),"
            f"SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1),{ref('Orders','Date')},\"<\"&{_excel_date(q1)}))",
        "PERIOD_GROWTH": f"=INDEX(PERIOD_GROWTH(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,{{1;2}},1),"
            f"{ref('Orders','Date')},\"<\"&DATE(2026,{{2;3}},1))),2)",
        "CAGR": f"=CAGR(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\"<\"&DATE(2025,7,1)),"
            f"SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),0.5)",
        "COUNT_PER_PERIOD": f"=INDEX(COUNT_PER_PERIOD({ref('Activities','Date')},\"month\"),1,2)",
        "SUM_PER_PERIOD": f"=INDEX(SUM_PER_PERIOD({ref('Orders','Date')},{ref('Orders','Amount')},\"quarter\"),1,2)",
        "ROI": f"=ROI(SUM({ref('Orders','Amount')})-SUM({ref('Orders','Cost')}),SUM({ref('Marketing','Spend')}))",
        "CONVERSION": f"=CONVERSION(SUM({ref('Web','Conversions')}),SUM({ref('Web','Sessions')}))",
        "CTR": f"=CTR(SUM({ref('Marketing','Clicks')}),SUM({ref('Marketing','Impressions')}))",
        "CPA": f"=CPA(SUM({ref('Marketing','Spend')}),SUM({ref('Marketing','Leads')}))",
        "ENGAGEMENT_RATE": f"=ENGAGEMENT_RATE(SUM({ref('Marketing','Clicks')}),SUM({ref('Marketing','Impressions')}))",
        "NPS": f"=NPS({ref('Tickets','NPS')})",
        "CSAT": f"=CSAT({ref('Tickets','Rating')})",
        "FRT": f"=FRT({ref('Tickets','Created')},{ref('Tickets','First response')},\"median\")",
        "RESOLUTION_TIME": f"=RESOLUTION_TIME({ref('Tickets','Created')},{ref('Tickets','Resolved')},\"median\")",
        "TICKETS_RESOLVED": f"=TICKETS_RESOLVED({ref('Tickets','Resolved')},{_excel_date(q1)},{_excel_date(q2)})",
        "SOURCE_SHARE": f"=SOURCE_SHARE({ref('Web','Source')},\"{org}\",{ref('Web','Sessions')})",
        "PAGES_PER_SESSION": f"=PAGES_PER_SESSION(SUM({ref('Web','Pageviews')}),SUM({ref('Web','Sessions')}))",
        "BOUNCE_RATE": f"=BOUNCE_RATE(SUM({ref('Web','Bounces')}),SUM({ref('Web','Sessions')}))",
        "GROSS_MARGIN": f"=GROSS_MARGIN(SUM({ref('Orders','Amount')}),SUM({ref('Orders','Cost')}))",
        "ROA": "=ROA(6000000,80000000)",
        "MARKET_SHARE": f"=MARKET_SHARE(SUM({ref('Orders','Amount')}),250000000)",
        "SHRINKAGE": "=SHRINKAGE(18000,1200000)",
        "ACHIEVEMENT": f"=ACHIEVEMENT(SUM({ref('Web','Conversions')})/SUM({ref('Web','Sessions')}),0.03,0.024)",
        "PACE": f"=PACE(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),24000000,"
            f"DATE(2026,1,1),DATE(2026,12,31),MAX({ref('Orders','Date')}))",
        "FORECAST_END": f"=FORECAST_END(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),"
            f"DATE(2026,1,1),DATE(2026,12,31),MAX({ref('Orders','Date')}))",
        "STATUS": f"=STATUS(SUMIFS({ref('Orders','Amount')},{ref('Orders','Date')},\">=\"&DATE(2026,1,1)),24000000,"
            f"DATE(2026,1,1),DATE(2026,12,31),MAX({ref('Orders','Date')}),,,\"{lang}\")",
        "PAYOUT": "=PAYOUT(1.2,0.8,2,1.5)",
        "OKR_SCORE": "=OKR_SCORE({0.7;1;0.4},{2;1;1})",
    }


def _cell(v: Any) -> Any:
    if v is None or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        return _cell(v.item())
    return v


def _context(company: Company, lang: str) -> FormulaContext:
    """The sample tables as the evaluator reads a workbook: one sheet per table, headers in row 1."""
    rows: dict[str, list[list[Any]]] = {}
    tables = {}
    for name, df in company.tables.items():
        header = [layout.data_header(str(c), lang) for c in df.columns]
        rows[name] = [header] + [[_cell(v) for v in r] for r in df.itertuples(index=False, name=None)]
        tables[name.lower()] = TableRange(name, 2, 1, len(df) + 1, header)
    return FormulaContext(values=lambda sheet: rows.get(sheet, []), formulas={}, tables=tables)


def sample_calls(company: Company, lang: str) -> list[Call]:
    """One live formula per registered function, with its result on the sample data."""
    formulas = sample_formulas(company, lang)
    ev = Evaluator(_context(company, lang))
    out = []
    for kpi in registry.kpis():
        formula = formulas.get(kpi.name, kpi.example.formula)
        value = ev.evaluate(formula, "Functions")
        if isinstance(value, np.ndarray):  # a spill: the cell shows its first value
            value = value.reshape(-1)[0] if value.size else None
        if isinstance(value, np.generic):
            value = value.item()
        out.append(Call(kpi.name, formula, value, kpi.unit == "percent", kpi.description))
    return out
