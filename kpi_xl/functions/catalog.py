"""The catalog of worksheet functions, derived from :mod:`kpi_xl.functions.registry`.

One source for everything that describes a function: the ``kpi-xl functions``
table, ``docs/functions.md`` (one per language) and the tests. Group, description
and example come from the registry entry, argument help from the core function's
``Annotated`` arguments, and formula, units, convention, errors and source from its
docstring in :mod:`kpi_xl.metrics`; each example is evaluated live. Nothing here
imports xlwings.

Every text is English in the code and translated through the message catalogs
(:mod:`kpi_xl.i18n`): the description, argument help and the Units, Convention and
Errors sections are msgids as they are; a function's title is ``pgettext("function
title", NAME)``. :func:`extract` hands them to ``pybabel extract`` (see babel.cfg), so
a changed English text shows up as an untranslated msgid.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..i18n import NC_, gettext, pgettext
from . import calling, registry
from .registry import Example

#: Sections of a core docstring, in the order the docs show them.
SECTIONS = ("Formula", "Units", "Convention", "Errors", "Source")
#: Sections shown in the reader's language, in this order after the arguments.
TRANSLATED = ("Units", "Convention", "Errors")
#: Sections also shown in the reader's language, each in its own place (the formula before the
#: arguments, the source after the example); a citation's title stays as published.
TRANSLATED_APART = ("Formula", "Source")

#: The function reference's own words (context "docs").
LABELS = (
    NC_("docs", "KPI worksheet functions"), NC_("docs", "Functions reference"), NC_("docs", "Function"),
    NC_("docs", "Formula"), NC_("docs", "Arguments"), NC_("docs", "Argument"), NC_("docs", "Example"),
    NC_("docs", "Result"), NC_("docs", "Errors"), NC_("docs", "Units"), NC_("docs", "Convention"),
    NC_("docs", "Source"), NC_("docs", "Category"), NC_("docs", "optional"), NC_("docs", "default"),
    NC_("docs", "Where Excel already has a native formula"),
)
DOCS_INTRO = NC_(
    "docs",
    "{n} functions in the Excel category **KPI**. Every function takes a single "
    "cell or a range; blank cells are skipped; bad input gives an Excel error "
    "(#DIV/0!, #VALUE!, #NUM!, #N/A), never a Python error. Per-row functions given "
    "equal ranges return a range of the same shape (it spills). Rates are ratios: "
    "format the cell as a percentage (0.03 shows as 3 %).",
)
DOCS_NATIVE = NC_("docs", "These KPIs from the same catalog need no kpi-xl function: Excel does them well.")
DOCS_OPTIONAL = NC_("docs", " ({optional})")
COLON = NC_("punctuation", ":")
#: The words of the measures table in docs/goals.md (context "docs"): its headers, how each kind
#: of measure (a registry ``measure``) is taken over a span, and the engine's own measures
#: (name: what it is, which columns it reads). tools/gendocs.py shows them in the page's language.
MEASURES_TABLE: dict[str, Any] = {
    "what": NC_("docs", "What"), "span": NC_("docs", "Measured over a span as"),
    "columns": NC_("docs", "Columns, in order"),
    "additive": NC_("docs", "sum over the days (a total)"),
    "ratio_of_totals": NC_("docs", "each column totalled, then the ratio"),
    "records": NC_("docs", "the span's rows"),
    "count_rows": NC_("docs", "none needed: counts the rows dated in the span"),
    "SUM": (NC_("docs", "Total of a number column"), NC_("docs", "one number column")),
    "COUNT": (NC_("docs", "Number of rows"), NC_("docs", "none (leave blank)")),
    "DISTINCT": (NC_("docs", "Number of different values"), NC_("docs", "one column (any values)")),
    "AVERAGE": (NC_("docs", "Mean of a number column"), NC_("docs", "one number column")),
    "MIN": (NC_("docs", "Smallest value"), NC_("docs", "one number column")),
    "MAX": (NC_("docs", "Largest value"), NC_("docs", "one number column")),
}


def __getattr__(name: str) -> Any:
    # GROUPS and EXAMPLES are read from the registry each time, so a KPI registered
    # later (a plug-in, a test) is in them too.
    if name == "GROUPS":
        return registry.groups()
    if name == "EXAMPLES":
        return {k.name: k.example for k in registry.kpis()}
    raise AttributeError(name)


#: KPIs the seeds name that Excel already computes well with a native formula (KPI, formula, note;
#: the KPI and the note are shown in the reader's language, context "native formula").
NATIVE: tuple[tuple[str, str, str], ...] = (
    (NC_("native formula", "ARR (annual recurring revenue)"), "=MRR(Subscriptions[Amount], Subscriptions[Months])*12", NC_("native formula", "MRR × 12")),
    (NC_("native formula", "Total contract value (TCV)"), "=SUM(Deals[Value])", NC_("native formula", "sum of contract values")),
    (NC_("native formula", "Revenue, transaction amount"), "=SUMIFS(Orders[Amount], Orders[Date], \">=\"&start, Orders[Date], \"<\"&end+1)", NC_("native formula", "sum in a period")),
    (NC_("native formula", "Sales per region or per salesperson"), "=SUMIFS(Deals[Value], Deals[Region], \"North\")", NC_("native formula", "sum by a label")),
    (NC_("native formula", "Traffic (sessions, website visits)"), "=SUM(Web[Sessions])", NC_("native formula", "sum of sessions")),
    (NC_("native formula", "New customers, new leads, qualified leads"), "=COUNTIFS(Leads[Stage], \"SQL\", Leads[Date], \">=\"&start)", NC_("native formula", "count by stage and date")),
    (NC_("native formula", "Calls and emails per month"), "=COUNTIFS(Activities[Type], \"Call\", Activities[Date], \">=\"&start, Activities[Date], \"<\"&end+1)", NC_("native formula", "or COUNT_PER_PERIOD for a whole table")),
    (NC_("native formula", "Blog posts per month"), "=COUNTIFS(Posts[Published], \">=\"&start, Posts[Published], \"<\"&end+1)", NC_("native formula", "count in a period")),
    (NC_("native formula", "Average satisfaction score"), "=AVERAGE(Survey[Score])", NC_("native formula", "mean rating; CSAT gives the share satisfied")),
    (NC_("native formula", "Average time on site"), "=AVERAGE(Web[Duration])", NC_("native formula", "mean session duration")),
    (NC_("native formula", "Brand mentions, followers"), "=SUM(Social[Mentions])", NC_("native formula", "sum of counts; GROWTH_RATE for their growth")),
    (NC_("native formula", "Average monthly shipping cost"), "=AVERAGEIFS(Costs[Amount], Costs[Type], \"Shipping\")", NC_("native formula", "mean by a label")),
    (NC_("native formula", "Compound growth (same as CAGR)"), "=RRI(periods, begin, end)", NC_("native formula", "Excel's own CAGR")),
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

    def title(self, lang: str | None = None) -> str | None:
        """A short name in ``lang`` for headings (None where the catalog has none)."""
        text = pgettext("function title", self.name, lang)
        return None if text == self.name else text

    def summary_in(self, lang: str | None = None) -> str:
        """The description in ``lang``."""
        return gettext(self.summary, lang) if self.summary else self.summary

    def argument_help(self, argument: Argument, lang: str | None = None) -> str:
        """An argument's help line in ``lang``."""
        return gettext(argument.doc, lang) if argument.doc else argument.doc

    def section(self, name: str, lang: str | None = None) -> str | None:
        """A docstring section in ``lang``; None when there is none."""
        text = self.sections.get(name)
        return gettext(text, lang) if text and name in TRANSLATED + TRANSLATED_APART else text

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


def group_name(group: str, lang: str | None = None) -> str:
    """A group of functions ("Sales"...) in ``lang``."""
    return pgettext("function group", group, lang)


def messages() -> list[tuple[str | None, str, str]]:
    """Every translatable text of every function: (context, msgid, what it is), in catalog order."""
    out: list[tuple[str | None, str, str]] = []
    for f in functions():
        out.append(("function title", f.name, f"{f.name}: short name for tables and headings"))
        out.append((None, f.summary, f"{f.name}: description (Excel's function wizard, at most 255 characters)"))
        out += [(None, a.doc, f"{f.name}: argument {a.name}") for a in f.arguments]
        out += [(None, f.sections[s], f"{f.name}: {s} section of the docstring")
                for s in SECTIONS if s in f.sections and s in TRANSLATED + TRANSLATED_APART]
    out += [("function group", g, "group of worksheet functions") for g in registry.groups()]
    return [m for m in out if m[1]]


def extract(fileobj: Any, keywords: Any, comment_tags: Any, options: Any):
    """A Babel extraction method for the registry: yields the texts of :func:`messages`.

    babel.cfg maps ``kpi_xl/functions/registry.py`` to it; the texts live in the
    registry and the core docstrings, not in gettext calls."""
    for context, msgid, comment in messages():
        if context:
            yield 0, "pgettext", (context, msgid), [comment]
        else:
            yield 0, "gettext", msgid, [comment]


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
