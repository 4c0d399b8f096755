"""One declaration per KPI worksheet function.

Adding a KPI takes three things:

1. its core function in :mod:`kpi_xl.metrics`, every argument annotated with its kind
   and help line (``Annotated[Any, Range("...")]``, see :mod:`kpi_xl.metrics.kinds`) and
   a docstring with ``Formula:``, ``Units:``, ``Errors:`` and ``Source:`` sections;
2. one :class:`KPI` entry below (group, unit, the function wizard's description, a
   worked example, how a goal measures it, whether it spills);
3. its translations: one entry per text in each catalog
   (``kpi_xl/locale/<lang>/LC_MESSAGES/kpi_xl.po``; ``pybabel extract`` lists the texts).

Everything else is derived from this registry: the xlwings worksheet functions in
:mod:`kpi_xl.udfs` (argument help, defaults, VBA wrappers), the VBA module
(:mod:`kpi_xl.functions.vba`), ``kpi-xl functions`` and the generated docs
(:mod:`kpi_xl.functions.catalog`), the template's Functions sheet, the formula
evaluator of headless refresh, the goal measures (:mod:`kpi_xl.goals.measure`) and
the benchmark list (:func:`benchmark_cases`).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Callable

import numpy as np

from .. import labels, metrics
from ..errors import KpiXlError, XlError
from ..metrics.kinds import ArgumentKind, Cell

__all__ = [
    "KPI", "Argument", "Example", "RegistryError", "UNITS", "MEASURES", "SPILLS", "CLV_MODEL_NAMES",
    "kpis", "names", "get", "find", "groups", "register", "unregister", "arguments_of", "benchmark_cases",
]

#: How a result is shown: "percent" values are ratios formatted as %, "currency" in
#: the inputs' currency, "points" for NPS, "text" for words.
UNITS = ("percent", "currency", "count", "ratio", "number", "points", "days", "hours", "months", "text")
#: How a goal tracking the KPI measures a span of days (see kpi_xl.goals.measure):
#: "ratio_of_totals": each argument column totalled over the span, the KPI of the totals;
#: "records": the KPI of the span's rows; "additive": the KPI counts the span's records
#: (one per row dated in the span), so a span's value is the total of its days;
#: "none": a goal cannot track it.
MEASURES = ("ratio_of_totals", "records", "additive", "none")
#: What a formula spills: "no" (one value, or one per row when given ranges),
#: "shape" (one value per input cell, always: e.g. growth per period),
#: "period_table" (a table of period start dates and values; dates formatted yyyy-mm-dd).
SPILLS = ("no", "shape", "period_table")

_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")
#: A workbook-scoped defined name: a letter first, then letters, digits or _ (never a cell address
#: such as AB12 or R1C1: the letters are followed by an underscore).
_DEFINED_NAME = re.compile(r"^[A-Za-z]+_[A-Za-z0-9_]{1,60}$")


class RegistryError(KpiXlError, ValueError):
    """A registry entry that cannot work (the message names the KPI and what is wrong)."""


@dataclass(frozen=True)
class Example:
    """A formula as typed in Excel and the same call in Python."""

    formula: str
    args: tuple[Any, ...]
    note: str = ""


@dataclass(frozen=True)
class Argument:
    """One argument of a KPI function, read from its core function's annotation."""

    name: str
    kind: str  # "range", "labels" or "cell" (kpi_xl.metrics.kinds)
    doc: str
    optional: bool
    default: Any = None


@dataclass(frozen=True, eq=False)
class KPI:
    """The one declaration of a KPI worksheet function."""

    name: str  #: the Excel name, e.g. "ACV"
    core: Callable[..., Any]  #: the function in kpi_xl.metrics
    group: str  #: section of the docs and of ``kpi-xl functions``
    unit: str  #: one of UNITS
    description: str  #: the function wizard's description: one line, at most 255 characters
    example: Example
    measure: str = "none"  #: one of MEASURES
    spills: str = "no"  #: one of SPILLS
    #: Optional arguments that, left out (or blank), are read from the workbook the formula is in:
    #: (argument, defined name) pairs. The worksheet function (:mod:`kpi_xl.udfs`, through xlwings'
    #: ``caller``) and the formula evaluator of headless refresh fill them in from the cell the name
    #: points at (:func:`kpi_xl.functions.calling.with_workbook_values`); the core never reads a workbook.
    from_workbook: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def arguments(self) -> tuple[Argument, ...]:
        return arguments_of(self.core)

    @property
    def reads_workbook(self) -> bool:
        """Whether a left-out argument is read from the workbook (the worksheet function then takes
        xlwings' hidden ``caller`` argument last)."""
        return bool(self.from_workbook)

    @property
    def signature(self) -> inspect.Signature:
        """Argument names and defaults as the worksheet function takes them."""
        return inspect.Signature([
            inspect.Parameter(a.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                              default=a.default if a.optional else inspect.Parameter.empty)
            for a in self.arguments
        ])


def _marker(hint: Any) -> ArgumentKind | None:
    """The Range/Labels/Cell marker inside an annotation (also inside Optional[...])."""
    if typing.get_origin(hint) is typing.Annotated:
        for meta in hint.__metadata__:
            if isinstance(meta, ArgumentKind):
                return meta
    for inner in typing.get_args(hint):
        found = _marker(inner)
        if found is not None:
            return found
    return None


def arguments_of(core: Callable[..., Any]) -> tuple[Argument, ...]:
    """The arguments of a core function, from its ``Annotated`` argument kinds."""
    fn = inspect.unwrap(core)
    hints = typing.get_type_hints(fn, include_extras=True)
    out = []
    for p in inspect.signature(fn).parameters.values():
        if p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD:
            raise RegistryError(f"{fn.__qualname__}: argument {p.name} must be a plain positional argument")
        marker = _marker(hints.get(p.name))
        if marker is None:
            raise RegistryError(f"{fn.__qualname__}: argument {p.name} needs Annotated[Any, Range/Labels/Cell(help)]")
        optional = p.default is not inspect.Parameter.empty
        out.append(Argument(p.name, marker.kind, marker.doc, optional, p.default if optional else None))
    return tuple(out)


def _check(kpi: KPI) -> None:
    def fail(why: str) -> RegistryError:
        return RegistryError(f"{kpi.name}: {why}")

    if not _NAME.match(kpi.name):
        raise fail("the name is 1 to 64 capital letters, digits or _, starting with a letter")
    if not kpi.description.strip() or "\n" in kpi.description or len(kpi.description) > 255:
        raise fail("the description is one line of 1 to 255 characters (Excel cuts it there)")
    for field, allowed in (("unit", UNITS), ("measure", MEASURES), ("spills", SPILLS)):
        if getattr(kpi, field) not in allowed:
            raise fail(f"{field} {getattr(kpi, field)!r} is not one of {', '.join(allowed)}")
    args = kpi.arguments  # raises for an argument without its kind
    if f"{kpi.name}(" not in kpi.example.formula:
        raise fail("the example formula does not call the function")
    if len(kpi.example.args) > len(args):
        raise fail("the example passes more arguments than the function takes")
    optional = {a.name for a in args if a.optional}
    for argument, name in kpi.from_workbook:
        if argument not in optional:
            raise fail(f"{argument} is read from the workbook when left out, so it must be an optional argument")
        if not _DEFINED_NAME.match(name):
            raise fail(f"{name!r} is not a defined name Excel accepts")
    if kpi.from_workbook and "caller" in {a.name for a in args}:
        raise fail("an argument named caller clashes with xlwings' hidden caller argument")


#: Every KPI function by Excel name, in the order the docs and the CLI list them.
KPIS: dict[str, KPI] = {}


def register(kpi: KPI) -> KPI:
    """Add a KPI (checked); its name must be new. Returns it."""
    if kpi.name in KPIS:
        raise RegistryError(f"{kpi.name}: already registered")
    _check(kpi)
    KPIS[kpi.name] = kpi
    _changed()
    return kpi


def unregister(name: str) -> None:
    """Remove a KPI (for tests that register a throwaway one)."""
    del KPIS[name]
    _changed()


_version = 0


def version() -> int:
    """A number that changes whenever a KPI is registered or removed: what is derived from
    the registry can be cached until it changes."""
    return _version


def _changed() -> None:
    global _version
    _version += 1


def kpis() -> list[KPI]:
    """Every registered KPI, in catalog order."""
    return list(KPIS.values())


def names() -> list[str]:
    """The Excel names of every registered KPI, sorted."""
    return sorted(KPIS)


def get(name: str) -> KPI:
    """The KPI called ``name`` (KeyError if none)."""
    return KPIS[name]


def find(name: str) -> KPI | None:
    """The KPI called ``name``, any case, or None (formulas may be typed in lower case)."""
    return KPIS.get(name.upper())


def groups() -> dict[str, tuple[str, ...]]:
    """Function names by group, groups in the order their first KPI was registered."""
    out: dict[str, list[str]] = {}
    for k in KPIS.values():
        out.setdefault(k.group, []).append(k.name)
    return {g: tuple(ns) for g, ns in out.items()}


@dataclass(frozen=True)
class BenchmarkCase:
    """One KPI called on ``rows`` rows: its example, each range argument repeated to that length."""

    name: str
    kpi: KPI
    args: tuple[Any, ...]


def _tile(value: Any, rows: int) -> np.ndarray:
    flat = np.resize(np.array(value, dtype=object).reshape(-1), rows)
    if all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in flat):
        return np.array([np.nan if v is None else v for v in flat], dtype=np.float64).reshape(-1, 1)
    return flat.reshape(-1, 1)  # dates or labels stay objects, as xlwings hands them over


def benchmark_cases(rows: int = 1_000_000) -> list[BenchmarkCase]:
    """Every registered KPI with its example's ranges stretched to ``rows`` rows.

    Range and label arguments become ``(rows, 1)`` arrays (float64 for numbers, the
    2-D shape xlwings' NumPy converter hands over; objects for dates and labels);
    one-cell arguments stay as in the example. Aggregates and per-row functions
    alike, so a benchmark built on this list covers every worksheet function.
    """
    out = []
    for k in kpis():
        args = []
        for a, value in zip(k.arguments, k.example.args):
            args.append(_tile(value, rows) if a.kind in ("range", "labels") else value)
        out.append(BenchmarkCase(k.name, k, tuple(args)))
    return out


def _col(*xs: Any) -> list[list[Any]]:
    return [[x] for x in xs]


def _add(kpi: KPI) -> None:
    register(kpi)


D = dt.datetime
SAAS = "SaaS and customers"
SALES = "Sales"
MARKETING = "Marketing"
SERVICE = "Customer service"
WEB = "Website"
FINANCE = "Finance"
GOALS = "Goals"

# ---------------------------------------------------------------------- SaaS and customers

_add(KPI(
    "ACV", metrics.acv, group=SAAS, unit="currency", measure="records",
    description="Average annual contract value: mean over contracts of (value − one-time fees) / term in years.",
    example=Example("=ACV({120000;90000;60000}, {2;1;1}, {0;0;6000})",
        (_col(120000, 90000, 60000), _col(2, 1, 1), _col(0, 0, 6000)),
        "(60000 + 90000 + 54000) / 3"),
))
_add(KPI(
    "MRR", metrics.mrr, group=SAAS, unit="currency", measure="records",
    description="Monthly recurring revenue: sum of each subscription's amount / months it covers. ARR = MRR × 12.",
    example=Example("=MRR({12000;1500;900}, {12;1;1})", (_col(12000, 1500, 900), _col(12, 1, 1)),
        "12000/12 + 1500 + 900"),
))
_add(KPI(
    "ARPA", metrics.arpa, group=SAAS, unit="currency", measure="ratio_of_totals",
    description="Average revenue per account = revenue / accounts, per period.",
    example=Example("=ARPA(450000, 300)", (450000, 300)),
))
_add(KPI(
    "CLTV", metrics.cltv, group=SAAS, unit="currency",
    description="Customer lifetime value = ARPA × margin × (1 + d) / (churn + d); ARPA × margin / churn with no discount.",
    example=Example("=CLTV(1500, 0.03, 0.8)", (1500, 0.03, 0.8), "1500 × 0.8 / 0.03"),
))
_add(KPI(
    "CHURN", metrics.churn, group=SAAS, unit="percent", measure="ratio_of_totals",
    description="Customer churn rate = customers lost / customers at the start of the period.",
    example=Example("=CHURN(12, 400)", (12, 400)),
))
_add(KPI(
    "RETENTION", metrics.retention, group=SAAS, unit="percent", measure="ratio_of_totals",
    description="Customer retention rate = (customers at end − new customers) / customers at start.",
    example=Example("=RETENTION(420, 400, 32)", (420, 400, 32), "(420 − 32) / 400"),
))
_add(KPI(
    "NRR", metrics.nrr, group=SAAS, unit="percent", measure="ratio_of_totals",
    description="Net revenue retention = (start MRR + expansion − contraction − churned) / start MRR.",
    example=Example("=NRR(100000, 15000, 3000, 5000)", (100000, 15000, 3000, 5000)),
))
_add(KPI(
    "GRR", metrics.grr, group=SAAS, unit="percent", measure="ratio_of_totals",
    description="Gross revenue retention = (start MRR − contraction − churned) / start MRR; at most 100 %.",
    example=Example("=GRR(100000, 3000, 5000)", (100000, 3000, 5000)),
))
_add(KPI(
    "CAC", metrics.cac, group=SAAS, unit="currency", measure="ratio_of_totals",
    description="Customer acquisition cost = sales and marketing spend / new customers.",
    example=Example("=CAC(240000, 60)", (240000, 60)),
))
_add(KPI(
    "LTV_CAC", metrics.ltv_cac, group=SAAS, unit="ratio",
    description="LTV:CAC ratio = lifetime value / acquisition cost (3 means 3:1).",
    example=Example("=LTV_CAC(40000, 4000)", (40000, 4000)),
))
_add(KPI(
    "CAC_PAYBACK", metrics.cac_payback, group=SAAS, unit="months",
    description="Months to earn back CAC = CAC / (monthly ARPA × gross margin).",
    example=Example("=CAC_PAYBACK(4000, 1500, 0.8)", (4000, 1500, 0.8), "4000 / (1500 × 0.8)"),
))
_add(KPI(
    "QUICK_RATIO", metrics.quick_ratio, group=SAAS, unit="ratio", measure="ratio_of_totals",
    description="SaaS quick ratio = (new + expansion MRR) / (contraction + churned MRR).",
    example=Example("=QUICK_RATIO(20000, 8000, 2000, 5000)", (20000, 8000, 2000, 5000)),
))

# ---------------------------------------------------------------------- Sales

_add(KPI(
    "AOV", metrics.aov, group=SALES, unit="currency", measure="ratio_of_totals",
    description="Average order value (average purchase value) = revenue / orders.",
    example=Example("=AOV(1250000, 500)", (1250000, 500)),
))
_add(KPI(
    "WIN_RATE", metrics.win_rate, group=SALES, unit="percent", measure="ratio_of_totals",
    description="Win rate (opportunity-to-close ratio) = won / closed opportunities.",
    example=Example("=WIN_RATE(18, 60)", (18, 60)),
))
_add(KPI(
    "GROWTH_RATE", metrics.growth_rate, group=SALES, unit="percent",
    description="Growth rate = (current − previous) / |previous|, e.g. monthly sales growth.",
    example=Example("=GROWTH_RATE(1150000, 1000000)", (1150000, 1000000)),
))
_add(KPI(
    "PERIOD_GROWTH", metrics.period_growth, group=SALES, unit="percent", spills="shape",
    description="Growth of each period over the one before; spills beside the column (or row), first period blank.",
    example=Example("=PERIOD_GROWTH({100;110;99})", (_col(100, 110, 99),),
        "spills: blank, 10 %, −10 %"),
))
_add(KPI(
    "CAGR", metrics.cagr, group=SALES, unit="percent",
    description="Compound growth rate per period = (end / begin)^(1 / periods) − 1 (Excel's RRI does the same).",
    example=Example("=CAGR(1000000, 1440000, 2)", (1000000, 1440000, 2)),
))
_add(KPI(
    "COUNT_PER_PERIOD", metrics.count_per_period, group=SALES, unit="count", spills="period_table",
    description="Events per period: spills a table of period start and count, e.g. calls and emails per month.",
    example=Example(
        "=COUNT_PER_PERIOD(Calls[Date])",
        (_col(D(2026, 1, 5), D(2026, 1, 19), D(2026, 2, 2)),),
        "Calls[Date] holds 2026-01-05, 2026-01-19, 2026-02-02; spills two rows",
        ),
))
_add(KPI(
    "SUM_PER_PERIOD", metrics.sum_per_period, group=SALES, unit="number", spills="period_table",
    description="Totals per period: spills a table of period start and sum, e.g. transaction amount per month.",
    example=Example(
        "=SUM_PER_PERIOD(Orders[Date], Orders[Amount], \"quarter\")",
        (_col(D(2026, 1, 5), D(2026, 2, 9), D(2026, 4, 1)), _col(1200, 800, 500), "quarter"),
        "three orders: 1200 and 800 in Q1, 500 in Q2",
        ),
))

# ---------------------------------------------------------------------- Marketing

_add(KPI(
    "ROI", metrics.roi, group=MARKETING, unit="percent", measure="ratio_of_totals",
    description="Return on investment = (gain − cost) / cost.",
    example=Example("=ROI(150000, 100000)", (150000, 100000)),
))
_add(KPI(
    "CONVERSION", metrics.conversion, group=MARKETING, unit="percent", measure="ratio_of_totals",
    description="Conversion rate = conversions / visitors; also CTA conversion and MQL→SQL rate.",
    example=Example("=CONVERSION(45, 1500)", (45, 1500)),
))
_add(KPI(
    "CTR", metrics.ctr, group=MARKETING, unit="percent", measure="ratio_of_totals",
    description="Click-through rate = clicks / impressions (or emails delivered).",
    example=Example("=CTR(84, 4000)", (84, 4000)),
))
_add(KPI(
    "CPA", metrics.cpa, group=MARKETING, unit="currency", measure="ratio_of_totals",
    description="Cost per acquisition = campaign spend / acquisitions.",
    example=Example("=CPA(30000, 120)", (30000, 120)),
))
_add(KPI(
    "ENGAGEMENT_RATE", metrics.engagement_rate, group=MARKETING, unit="percent", measure="ratio_of_totals",
    description="Social media engagement rate = interactions / audience.",
    example=Example("=ENGAGEMENT_RATE(360, 12000)", (360, 12000)),
))

# ---------------------------------------------------------------------- Customer service

_add(KPI(
    "NPS", metrics.nps, group=SERVICE, unit="points", measure="records",
    description="Net Promoter Score in points (−100 to 100): % of 9–10 answers minus % of 0–6 answers.",
    example=Example("=NPS({10;9;9;8;7;6;3;10})", (_col(10, 9, 9, 8, 7, 6, 3, 10),),
        "4 promoters, 2 detractors, 8 answers"),
))
_add(KPI(
    "CSAT", metrics.csat, group=SERVICE, unit="percent", measure="records",
    description="Customer satisfaction score: share of ratings at or above the threshold (4 on a 1–5 scale).",
    example=Example("=CSAT({5;4;4;3;5;2;4;5})", (_col(5, 4, 4, 3, 5, 2, 4, 5),), "6 of 8 ratings are 4 or 5"),
))
_add(KPI(
    "FRT", metrics.frt, group=SERVICE, unit="hours", measure="records",
    description="First response time: mean (or median) time from ticket created to first reply, in hours by default.",
    example=Example(
        "=FRT(Tickets[Created], Tickets[FirstReply])",
        (_col(D(2026, 3, 2, 9, 0), D(2026, 3, 2, 13, 0), D(2026, 3, 3, 10, 0)),
        _col(D(2026, 3, 2, 10, 30), D(2026, 3, 2, 13, 30), None)),
        "replies after 1.5 h and 0.5 h; the third ticket is still waiting",
        ),
))
_add(KPI(
    "RESOLUTION_TIME", metrics.resolution_time, group=SERVICE, unit="hours", measure="records",
    description="Resolution time: mean (or median) time from ticket opened to resolved, in hours by default.",
    example=Example(
        "=RESOLUTION_TIME(Tickets[Created], Tickets[Resolved], \"median\")",
        (_col(D(2026, 3, 2, 9, 0), D(2026, 3, 2, 13, 0), D(2026, 3, 3, 10, 0)),
        _col(D(2026, 3, 2, 17, 0), D(2026, 3, 3, 13, 0), D(2026, 3, 3, 12, 0)), "median"),
        "8 h, 24 h and 2 h",
        ),
))
_add(KPI(
    "TICKETS_RESOLVED", metrics.tickets_resolved, group=SERVICE, unit="count", measure="additive",
    description="Number of tickets resolved, optionally between two dates (both days included).",
    example=Example(
        "=TICKETS_RESOLVED(Tickets[Resolved], DATE(2026,3,1), DATE(2026,3,31))",
        (_col(D(2026, 3, 2, 17, 0), D(2026, 3, 31, 13, 0), D(2026, 4, 1, 12, 0), None),
        D(2026, 3, 1), D(2026, 3, 31)),
        "two of the three resolutions fall in March; one ticket is open",
        ),
))

# ---------------------------------------------------------------------- Website

_add(KPI(
    "SOURCE_SHARE", metrics.source_share, group=WEB, unit="percent", measure="records",
    description="Share of traffic from one source = its sessions / all sessions.",
    example=Example(
        "=SOURCE_SHARE(Web[Source], \"Organic\", Web[Sessions])",
        (_col("Organic", "Facebook", "Direct", "organic"), "Organic", _col(1200, 500, 300, 400)),
        "(1200 + 400) / 2400",
        ),
))
_add(KPI(
    "PAGES_PER_SESSION", metrics.pages_per_session, group=WEB, unit="ratio", measure="ratio_of_totals",
    description="Pages per session = pageviews / sessions.",
    example=Example("=PAGES_PER_SESSION(9600, 2400)", (9600, 2400)),
))
_add(KPI(
    "BOUNCE_RATE", metrics.bounce_rate, group=WEB, unit="percent", measure="ratio_of_totals",
    description="Bounce rate = single-page sessions / sessions.",
    example=Example("=BOUNCE_RATE(1080, 2400)", (1080, 2400)),
))

# ---------------------------------------------------------------------- Finance

_add(KPI(
    "GROSS_MARGIN", metrics.gross_margin, group=FINANCE, unit="percent", measure="ratio_of_totals",
    description="Gross margin = (revenue − cost of goods sold) / revenue.",
    example=Example("=GROSS_MARGIN(2000000, 1200000)", (2000000, 1200000)),
))
_add(KPI(
    "ROA", metrics.roa, group=FINANCE, unit="percent", measure="ratio_of_totals",
    description="Return on assets = net income / total assets.",
    example=Example("=ROA(600000, 8000000)", (600000, 8000000)),
))
_add(KPI(
    "MARKET_SHARE", metrics.market_share, group=FINANCE, unit="percent", measure="ratio_of_totals",
    description="Market share = your sales / total market sales.",
    example=Example("=MARKET_SHARE(30000000, 250000000)", (30000000, 250000000)),
))
_add(KPI(
    "SHRINKAGE", metrics.shrinkage, group=FINANCE, unit="percent", measure="ratio_of_totals",
    description="Inventory shrinkage rate = lost stock value / inventory value.",
    example=Example("=SHRINKAGE(18000, 1200000)", (18000, 1200000)),
))

# ---------------------------------------------------------------------- Goals

_add(KPI(
    "ACHIEVEMENT", metrics.achievement, group=GOALS, unit="percent",
    description="Progress toward a target as a ratio (0.8 = 80 %): (actual − baseline) / (target − baseline).",
    example=Example("=ACHIEVEMENT(90, 100, 80)", (90, 100, 80), "from 80 toward 100, at 90: half way"),
))
_add(KPI(
    "PACE", metrics.pace, group=GOALS, unit="percent",
    description="Progress so far against a straight-line plan from baseline to target (1 = on plan, 1.1 = 10 % ahead).",
    example=Example("=PACE(50, 100, DATE(2026,1,1), DATE(2026,12,31), DATE(2026,7,2))",
        (50, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)),
        "183 of 365 days passed, so 50.1 was expected"),
))
_add(KPI(
    "FORECAST_END", metrics.forecast_end, group=GOALS, unit="number",
    description="Run-rate forecast at the end date = actual × total days / days elapsed.",
    example=Example("=FORECAST_END(2400000, DATE(2026,1,1), DATE(2026,3,31), DATE(2026,2,14))",
        (2400000, D(2026, 1, 1), D(2026, 3, 31), D(2026, 2, 14)), "2.4 M in 45 of 90 days"),
))
_LANGUAGE = inspect.Parameter(
    "language", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
    annotation=Annotated[Any, Cell('"en" or "zh-TW" for the words; default English.')],
)


def status_in_words(actual, target, start_date, end_date, as_of, baseline=None, direction="higher", language=None):
    # The core gives a status id; the worksheet function shows it as a word of the language.
    # A language that cannot be shown is the answer, before anything else is computed.
    checked = labels.status_words("achieved", language)
    if isinstance(checked, XlError):
        return checked
    return labels.status_words(metrics.status(actual, target, start_date, end_date, as_of, baseline, direction),
                               language)


# STATUS takes the core's arguments (their help lives on metrics.status) and a language.
status_in_words.__doc__ = metrics.status.__doc__
status_in_words.__annotations__ = {**typing.get_type_hints(metrics.status, include_extras=True),
                                   "language": _LANGUAGE.annotation}
status_in_words.__signature__ = inspect.signature(metrics.status).replace(  # type: ignore[attr-defined]
    parameters=[*inspect.signature(metrics.status).parameters.values(), _LANGUAGE])

_add(KPI(
    "STATUS", status_in_words, group=GOALS, unit="text",
    description='Goal status by the default rules: Achieved, On track, Behind or At risk (Traditional Chinese with "zh-TW").',
    example=Example("=STATUS(40, 100, DATE(2026,1,1), DATE(2026,12,31), DATE(2026,7,2))",
        (40, 100, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 2)), "pace 0.80, below 0.85"),
))
_add(KPI(
    "PAYOUT", metrics.payout, group=GOALS, unit="percent",
    description="Bonus payout as a share of target: 0 below threshold, achievement up to 100 %, accelerated above, capped.",
    example=Example("=PAYOUT(1.2, 0.8, 2, 1.5)", (1.2, 0.8, 2, 1.5), "1 + 0.2 × 2"),
))
_add(KPI(
    "OKR_SCORE", metrics.okr_score, group=GOALS, unit="percent",
    description="Objective score = weighted mean of key-result scores clipped to 0–1; 0.7 is a good score.",
    example=Example("=OKR_SCORE({0.7;1;0.4}, {2;1;1})", (_col(0.7, 1, 0.4), _col(2, 1, 1)), "(1.4 + 1 + 0.4) / 4"),
))

# ---------------------------------------------------------------------- Customer value (issue 11)

CUSTOMER_VALUE = "Customer value"
#: The fitted customer-value models' parameters as workbook-scoped defined names: ``kpi-xl predict``
#: points them at the parameter cells beside the Customers table; P_ALIVE and CLV_PREDICT read them
#: for the parameters a formula leaves out.
CLV_MODEL_NAMES = {"r": "CLV_r", "alpha": "CLV_alpha", "a": "CLV_a", "b": "CLV_b",
                   "p": "CLV_p", "q": "CLV_q", "v": "CLV_v"}
_BG_NBD = tuple((k, CLV_MODEL_NAMES[k]) for k in ("r", "alpha", "a", "b"))
_GAMMA_GAMMA = tuple((k, CLV_MODEL_NAMES[k]) for k in ("p", "q", "v"))

_add(KPI(
    "P_ALIVE", metrics.p_alive, group=CUSTOMER_VALUE, unit="percent", from_workbook=_BG_NBD,
    description="Probability a customer is still active (BG/NBD) from repeat purchases, recency and age in days. "
                "Leave r, alpha, a, b out to use the model kpi-xl predict fitted in the workbook (#N/A until you "
                "run kpi-xl predict).",
    example=Example("=P_ALIVE(4, 200, 300, 0.8, 90, 0.5, 3)", (4, 200, 300, 0.8, 90, 0.5, 3),
        "4 repeat purchases, the last 100 days ago; =P_ALIVE(4, 200, 300) uses the workbook's fitted model"),
))
_add(KPI(
    "CLV_PREDICT", metrics.clv_predict, group=CUSTOMER_VALUE, unit="currency", from_workbook=_BG_NBD + _GAMMA_GAMMA,
    description="Predicted customer lifetime value over the next months (BG/NBD purchases × Gamma-Gamma spend, "
                "discounted). Leave the parameters r … v out to use the models kpi-xl predict fitted in the "
                "workbook (#N/A until you run kpi-xl predict).",
    example=Example("=CLV_PREDICT(4, 200, 300, 80, 12, 0.01, 1, 0.8, 90, 0.5, 3, 6, 4, 40)",
        (4, 200, 300, 80, 12, 0.01, 1, 0.8, 90, 0.5, 3, 6, 4, 40),
        "the next 12 months, 1 % a month discount; =CLV_PREDICT(4, 200, 300, 80, 12) uses the workbook's models"),
))
