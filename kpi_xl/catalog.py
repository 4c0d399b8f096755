"""The catalog of worksheet functions, read from their declarations in :mod:`kpi_xl.udfs`.

One source for everything that describes a function: the ``kpi-xl functions``
table, ``docs/functions.md`` (English and 繁體中文) and the tests. Descriptions and
argument help come from the ``@xw.func`` / ``@xw.arg`` declarations, formula,
units, convention, errors and source from the docstring of the core function in
:mod:`kpi_xl.metrics`, and each example is evaluated live.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import metrics, udfs

D = dt.datetime

#: Sections of a core docstring, in the order the docs show them.
SECTIONS = ("Formula", "Units", "Convention", "Errors", "Source")

#: Functions by group, in the order the docs and the CLI list them.
GROUPS: dict[str, tuple[str, ...]] = {
    "SaaS and customers": (
        "ACV", "MRR", "ARPA", "CLTV", "CHURN", "RETENTION", "NRR", "GRR",
        "CAC", "LTV_CAC", "CAC_PAYBACK", "QUICK_RATIO",
    ),
    "Sales": ("AOV", "WIN_RATE", "GROWTH_RATE", "PERIOD_GROWTH", "CAGR", "COUNT_PER_PERIOD", "SUM_PER_PERIOD"),
    "Marketing": ("ROI", "CONVERSION", "CTR", "CPA", "ENGAGEMENT_RATE"),
    "Customer service": ("NPS", "CSAT", "FRT", "RESOLUTION_TIME", "TICKETS_RESOLVED"),
    "Website": ("SOURCE_SHARE", "PAGES_PER_SESSION", "BOUNCE_RATE"),
    "Finance": ("GROSS_MARGIN", "ROA", "MARKET_SHARE", "SHRINKAGE"),
    "Goals": ("ACHIEVEMENT", "PACE", "FORECAST_END", "STATUS", "PAYOUT", "OKR_SCORE"),
}


@dataclass(frozen=True)
class Example:
    """A formula as typed in Excel and the same call in Python."""

    formula: str
    args: tuple[Any, ...]
    note: str = ""


def _col(*xs: Any) -> list[list[Any]]:
    return [[x] for x in xs]


#: One worked example per function: what a user types, and the same values for Python.
EXAMPLES: dict[str, Example] = {
    "ACV": Example("=ACV({120000;90000;60000}, {2;1;1}, {0;0;6000})",
                   (_col(120000, 90000, 60000), _col(2, 1, 1), _col(0, 0, 6000)),
                   "(60000 + 90000 + 54000) / 3"),
    "MRR": Example("=MRR({12000;1500;900}, {12;1;1})", (_col(12000, 1500, 900), _col(12, 1, 1)),
                   "12000/12 + 1500 + 900"),
    "ARPA": Example("=ARPA(450000, 300)", (450000, 300)),
    "CLTV": Example("=CLTV(1500, 0.03, 0.8)", (1500, 0.03, 0.8), "1500 × 0.8 / 0.03"),
    "CHURN": Example("=CHURN(12, 400)", (12, 400)),
    "RETENTION": Example("=RETENTION(420, 400, 32)", (420, 400, 32), "(420 − 32) / 400"),
    "NRR": Example("=NRR(100000, 15000, 3000, 5000)", (100000, 15000, 3000, 5000)),
    "GRR": Example("=GRR(100000, 3000, 5000)", (100000, 3000, 5000)),
    "CAC": Example("=CAC(240000, 60)", (240000, 60)),
    "LTV_CAC": Example("=LTV_CAC(40000, 4000)", (40000, 4000)),
    "CAC_PAYBACK": Example("=CAC_PAYBACK(4000, 1500, 0.8)", (4000, 1500, 0.8), "4000 / (1500 × 0.8)"),
    "QUICK_RATIO": Example("=QUICK_RATIO(20000, 8000, 2000, 5000)", (20000, 8000, 2000, 5000)),
    "AOV": Example("=AOV(1250000, 500)", (1250000, 500)),
    "WIN_RATE": Example("=WIN_RATE(18, 60)", (18, 60)),
    "GROWTH_RATE": Example("=GROWTH_RATE(1150000, 1000000)", (1150000, 1000000)),
    "PERIOD_GROWTH": Example("=PERIOD_GROWTH({100;110;99})", (_col(100, 110, 99),),
                             "spills: blank, 10 %, −10 %"),
    "CAGR": Example("=CAGR(1000000, 1440000, 2)", (1000000, 1440000, 2)),
    "COUNT_PER_PERIOD": Example(
        "=COUNT_PER_PERIOD(Calls[Date])",
        (_col(D(2026, 1, 5), D(2026, 1, 19), D(2026, 2, 2)),),
        "Calls[Date] holds 2026-01-05, 2026-01-19, 2026-02-02; spills two rows",
    ),
    "SUM_PER_PERIOD": Example(
        "=SUM_PER_PERIOD(Orders[Date], Orders[Amount], \"quarter\")",
        (_col(D(2026, 1, 5), D(2026, 2, 9), D(2026, 4, 1)), _col(1200, 800, 500), "quarter"),
        "three orders: 1200 and 800 in Q1, 500 in Q2",
    ),
    "ROI": Example("=ROI(150000, 100000)", (150000, 100000)),
    "CONVERSION": Example("=CONVERSION(45, 1500)", (45, 1500)),
    "CTR": Example("=CTR(84, 4000)", (84, 4000)),
    "CPA": Example("=CPA(30000, 120)", (30000, 120)),
    "ENGAGEMENT_RATE": Example("=ENGAGEMENT_RATE(360, 12000)", (360, 12000)),
    "NPS": Example("=NPS({10;9;9;8;7;6;3;10})", (_col(10, 9, 9, 8, 7, 6, 3, 10),),
                   "4 promoters, 2 detractors, 8 answers"),
    "CSAT": Example("=CSAT({5;4;4;3;5;2;4;5})", (_col(5, 4, 4, 3, 5, 2, 4, 5),), "6 of 8 ratings are 4 or 5"),
    "FRT": Example(
        "=FRT(Tickets[Created], Tickets[FirstReply])",
        (_col(D(2026, 3, 2, 9, 0), D(2026, 3, 2, 13, 0), D(2026, 3, 3, 10, 0)),
         _col(D(2026, 3, 2, 10, 30), D(2026, 3, 2, 13, 30), None)),
        "replies after 1.5 h and 0.5 h; the third ticket is still waiting",
    ),
    "RESOLUTION_TIME": Example(
        "=RESOLUTION_TIME(Tickets[Created], Tickets[Resolved], \"median\")",
        (_col(D(2026, 3, 2, 9, 0), D(2026, 3, 2, 13, 0), D(2026, 3, 3, 10, 0)),
         _col(D(2026, 3, 2, 17, 0), D(2026, 3, 3, 13, 0), D(2026, 3, 3, 12, 0)), "median"),
        "8 h, 24 h and 2 h",
    ),
    "TICKETS_RESOLVED": Example(
        "=TICKETS_RESOLVED(Tickets[Resolved], DATE(2026,3,1), DATE(2026,3,31))",
        (_col(D(2026, 3, 2, 17, 0), D(2026, 3, 31, 13, 0), D(2026, 4, 1, 12, 0), None),
         D(2026, 3, 1), D(2026, 3, 31)),
        "two of the three resolutions fall in March; one ticket is open",
    ),
    "SOURCE_SHARE": Example(
        "=SOURCE_SHARE(Web[Source], \"Organic\", Web[Sessions])",
        (_col("Organic", "Facebook", "Direct", "organic"), "Organic", _col(1200, 500, 300, 400)),
        "(1200 + 400) / 2400",
    ),
    "PAGES_PER_SESSION": Example("=PAGES_PER_SESSION(9600, 2400)", (9600, 2400)),
    "BOUNCE_RATE": Example("=BOUNCE_RATE(1080, 2400)", (1080, 2400)),
    "GROSS_MARGIN": Example("=GROSS_MARGIN(2000000, 1200000)", (2000000, 1200000)),
    "ROA": Example("=ROA(600000, 8000000)", (600000, 8000000)),
    "MARKET_SHARE": Example("=MARKET_SHARE(30000000, 250000000)", (30000000, 250000000)),
    "SHRINKAGE": Example("=SHRINKAGE(18000, 1200000)", (18000, 1200000)),
    "ACHIEVEMENT": Example("=ACHIEVEMENT(90, 100, 80)", (90, 100, 80), "from 80 toward 100, at 90: half way"),
    "PACE": Example("=PACE(50, 100, DATE(2026,1,1), DATE(2026,12,31), DATE(2026,7,2))",
                    (50, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)),
                    "183 of 365 days passed, so 50.1 was expected"),
    "FORECAST_END": Example("=FORECAST_END(2400000, DATE(2026,1,1), DATE(2026,3,31), DATE(2026,2,14))",
                            (2400000, D(2026, 1, 1), D(2026, 3, 31), D(2026, 2, 14)), "2.4 M in 45 of 90 days"),
    "STATUS": Example("=STATUS(40, 100, DATE(2026,1,1), DATE(2026,12,31), DATE(2026,7,2))",
                      (40, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)), "pace 0.80, below 0.85"),
    "PAYOUT": Example("=PAYOUT(1.2, 0.8, 2, 1.5)", (1.2, 0.8, 2, 1.5), "1 + 0.2 × 2"),
    "OKR_SCORE": Example("=OKR_SCORE({0.7;1;0.4}, {2;1;1})", (_col(0.7, 1, 0.4), _col(2, 1, 1)), "(1.4 + 1 + 0.4) / 4"),
}

#: KPIs the seeds name that Excel already computes well with a native formula.
NATIVE: tuple[tuple[str, str, str], ...] = (
    ("ARR (annual recurring revenue)", "=MRR(Subscriptions[Amount], Subscriptions[Months])*12", "MRR × 12"),
    ("Total contract value (TCV)", "=SUM(Deals[Value])", "sum of contract values"),
    ("Revenue, transaction amount", "=SUMIFS(Orders[Amount], Orders[Date], \">=\"&start, Orders[Date], \"<\"&end+1)", "sum in a period"),
    ("Sales per region or per salesperson", "=SUMIFS(Deals[Value], Deals[Region], \"North\")", "sum by a label"),
    ("Traffic (sessions, website visits)", "=SUM(Web[Sessions])", "sum of sessions"),
    ("New customers, new leads, qualified leads", "=COUNTIFS(Leads[Stage], \"SQL\", Leads[Date], \">=\"&start)", "count by stage and date"),
    ("Calls and emails per month", "=COUNTIFS(Activities[Type], \"Call\", Activities[Date], \">=\"&start, Activities[Date], \"<\"&end+1)", "or COUNT_PER_PERIOD for a whole table"),
    ("Blog posts per month", "=COUNTIFS(Posts[Published], \">=\"&start, Posts[Published], \"<\"&end+1)", "count in a period"),
    ("Average satisfaction score", "=AVERAGE(Survey[Score])", "mean rating; CSAT gives the share satisfied"),
    ("Average time on site", "=AVERAGE(Web[Duration])", "mean session duration"),
    ("Brand mentions, followers", "=SUM(Social[Mentions])", "sum of counts; GROWTH_RATE for their growth"),
    ("Average monthly shipping cost", "=AVERAGEIFS(Costs[Amount], Costs[Type], \"Shipping\")", "mean by a label"),
    ("Compound growth (same as CAGR)", "=RRI(periods, begin, end)", "Excel's own CAGR"),
)


@dataclass(frozen=True)
class Argument:
    name: str
    doc: str
    optional: bool
    default: Any = None


@dataclass(frozen=True)
class Function:
    """Everything the docs and the CLI say about one worksheet function."""

    name: str
    group: str
    summary: str
    arguments: tuple[Argument, ...]
    sections: dict[str, str]
    example: Example
    udf: Callable[..., Any] = field(repr=False)
    core: Callable[..., Any] = field(repr=False)

    @property
    def signature(self) -> str:
        """As Excel's wizard shows it: ``ACV(contract_values, [term_years], [one_time_fees])``."""
        parts = [f"[{a.name}]" if a.optional else a.name for a in self.arguments]
        return f"{self.name}({', '.join(parts)})"

    def run_example(self) -> Any:
        """The example's result, computed now (errors as Excel shows them)."""
        return self.udf(*self.example.args)


def parse_sections(doc: str) -> dict[str, str]:
    """The ``Formula:``/``Units:``/... paragraphs of a core docstring, unwrapped."""
    text = inspect.cleandoc(doc or "")
    found: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^(%s):\s*(.*)$" % "|".join(SECTIONS), line)
        if m:
            current = m.group(1)
            found[current] = m.group(2).strip()
        elif current and line.strip():
            found[current] += " " + line.strip()
        elif not line.strip():
            current = None
    return found


def _core_of(udf: Callable[..., Any]) -> Callable[..., Any]:
    return getattr(metrics, udf.__name__.lower())


def functions() -> list[Function]:
    """Every worksheet function, in catalog order."""
    out = []
    for group, names in GROUPS.items():
        for name in names:
            udf = getattr(udfs, name)
            decl = udf.__kpi_xl__
            sig = inspect.signature(udf)
            args = tuple(
                Argument(
                    p.name,
                    decl["args"][p.name]["doc"],
                    p.default is not inspect.Parameter.empty,
                    None if p.default is inspect.Parameter.empty else p.default,
                )
                for p in sig.parameters.values()
            )
            core = _core_of(udf)
            out.append(
                Function(
                    name=name,
                    group=group,
                    summary=inspect.cleandoc(udf.__doc__ or ""),
                    arguments=args,
                    sections=parse_sections(core.__doc__ or ""),
                    example=EXAMPLES[name],
                    udf=udf,
                    core=core,
                )
            )
    return out


def declared_names() -> list[str]:
    """Names of every worksheet function declared in :mod:`kpi_xl.udfs`."""
    return sorted(n for n, f in vars(udfs).items() if callable(f) and hasattr(f, "__kpi_xl__"))


def format_result(value: Any) -> str:
    """A result as a short text: numbers to 4 significant digits, spills as rows."""
    import numpy as np

    if isinstance(value, np.ndarray):
        rows = value.tolist()
        return "; ".join(", ".join(format_result(v) for v in row) for row in rows)
    if value is None:
        return "(blank)"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.4g}" if abs(value) >= 1 else f"{value:.4g}"
    return str(value)
