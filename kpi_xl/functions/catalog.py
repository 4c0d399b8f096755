"""The catalog of worksheet functions, derived from :mod:`kpi_xl.functions.registry`.

One source for everything that describes a function: the ``kpi-xl functions``
table, ``docs/functions.md`` (English and 繁體中文) and the tests. Group, description
and example come from the registry entry, argument help from the core function's
``Annotated`` arguments, and formula, units, convention, errors and source from its
docstring in :mod:`kpi_xl.metrics`; each example is evaluated live. Nothing here
imports xlwings.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from . import calling, registry
from .registry import Example

#: Sections of a core docstring, in the order the docs show them.
SECTIONS = ("Formula", "Units", "Convention", "Errors", "Source")


def __getattr__(name: str) -> Any:
    # GROUPS and EXAMPLES are read from the registry each time, so a KPI registered
    # later (a plug-in, a test) is in them too.
    if name == "GROUPS":
        return registry.groups()
    if name == "EXAMPLES":
        return {k.name: k.example for k in registry.kpis()}
    raise AttributeError(name)


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


Argument = registry.Argument


@dataclass(frozen=True)
class Function:
    """Everything the docs and the CLI say about one worksheet function."""

    name: str
    group: str
    summary: str
    arguments: tuple[Argument, ...]
    sections: dict[str, str]
    example: Example
    kpi: registry.KPI = field(repr=False)
    core: Callable[..., Any] = field(repr=False)

    @property
    def unit(self) -> str:
        return self.kpi.unit

    @property
    def signature(self) -> str:
        """As Excel's wizard shows it: ``ACV(contract_values, [term_years], [one_time_fees])``."""
        parts = [f"[{a.name}]" if a.optional else a.name for a in self.arguments]
        return f"{self.name}({', '.join(parts)})"

    def run_example(self) -> Any:
        """The example's result, computed now (errors as Excel shows them)."""
        return calling.call(self.name, *self.example.args)


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


def functions() -> list[Function]:
    """Every worksheet function, in catalog order."""
    return [
        Function(
            name=k.name,
            group=k.group,
            summary=k.description,
            arguments=k.arguments,
            sections=parse_sections(inspect.unwrap(k.core).__doc__ or ""),
            example=k.example,
            kpi=k,
            core=k.core,
        )
        for k in registry.kpis()
    ]


def declared_names() -> list[str]:
    """Names of every worksheet function (the registry's), sorted."""
    return registry.names()


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
