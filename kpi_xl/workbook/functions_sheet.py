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
import unicodedata
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
    spills: str = "no"  # the registry's spills: "no", "shape" or "period_table"
    values: Any = None  # a spilling formula's whole result (2-D), else None


def _literal(v: Any) -> str:
    if v is None:
        return '""'
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime) and (v.hour or v.minute):
        return f"{_excel_date(v)}+{_num(v.hour + v.minute / 60)}/24"
    if isinstance(v, dt.date):
        return _excel_date(v)
    return _num(v)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _array(column: list[list[Any]]) -> str:
    """A column of the registry's example as an array constant; dates as DATE() of arrays
    (Excel's array constants hold no DATE calls), times as hours / 24."""
    xs = [r[0] if isinstance(r, (list, tuple)) else r for r in column]
    if xs and all(isinstance(x, dt.date) for x in xs):
        def part(vals):
            return _num(vals[0]) if len(set(vals)) == 1 else "{" + ";".join(_num(v) for v in vals) + "}"
        text = f"DATE({part([x.year for x in xs])},{part([x.month for x in xs])},{part([x.day for x in xs])})"
        hours = [getattr(x, "hour", 0) + getattr(x, "minute", 0) / 60 for x in xs]
        return text + (f"+{part(hours)}/24" if any(hours) else "")
    return "{" + ";".join(_literal(x) for x in xs) + "}"


def _value(cell: Any) -> Any:
    return cell[0] if isinstance(cell, (list, tuple)) else cell


def literal_formula(kpi) -> str:
    """The registry's example as a formula with its own inputs: one that names a table
    (Calls[Date]) gets the example's values written into it instead."""
    formula = kpi.example.formula
    if "[" not in formula:
        return formula
    columns = [a for a in kpi.example.args if isinstance(a, list)]
    # an array constant holds no blank: the example's rows with a blank are left out
    # (a ticket still waiting counts in no response time)
    keep = [i for i in range(len(columns[0])) if all(i < len(c) and _value(c[i]) is not None for c in columns)] \
        if columns else []
    args = [_array([a[i] for i in keep]) if isinstance(a, list) else _literal(a) for a in kpi.example.args]
    return f"={kpi.name}({', '.join(args)})"


def unwrap_index(formula: str) -> str:
    """``=INDEX(F(...),1,2)`` → ``=F(...)`` (the whole spill); other formulas as they are."""
    if not formula.upper().startswith("=INDEX("):
        return formula
    depth, quoted = 0, False
    for i, ch in enumerate(formula[7:], start=7):
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
        elif ch == "," and depth == 0:
            return "=" + formula[7:i]
    return formula


def element_formula(formula: str, row: int, col: int, width: int, blank: bool = False) -> str:
    """One value of a spilling ``formula``'s whole result (``row``, ``col`` 1-based; ``width``
    columns) as a formula of its own: ``=INDEX(F(...),row,col)``. A spreadsheet program that
    does not know ``F`` shows the value stored with such a cell (LibreOffice recomputes every
    array formula on load: #NAME? for a function it lacks). Every value but the first is
    ``IFERROR(INDEX(...),"")``: blank when the result has fewer rows than when the sheet was
    made (the data shrank: INDEX alone says #REF!), and blank where it has none yet (``blank``:
    PERIOD_GROWTH's first period, a row below a period table it may grow into, blank wherever
    ``F`` is unknown). The first value stays bare, so an error of ``F`` itself shows there."""
    index = f"INDEX({formula.removeprefix('=')},{row}" + (f",{col})" if width > 1 else ")")
    return f'=IFERROR({index},"")' if blank or (row, col) != (1, 1) else "=" + index


#: Closing marks no line starts with, opening marks no line ends with (as Excel and LibreOffice wrap).
_NO_BREAK_BEFORE = set(")]},.;:!?%\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f\u3011")
_NO_BREAK_AFTER = set("([{\uff08\u300c\u300e\u3010")


def _char_width(ch: str, wide_font: bool) -> float:
    """A character's width in column-width units (the default font's digit): a wide (CJK) one about
    two; a Latin one of the language's 10-point font (Calibri's narrower than a CJK font's)."""
    kind = unicodedata.east_asian_width(ch)
    if kind in "WF" or (wide_font and kind == "A"):
        return 1.9  # a 10-point em (13.3 pixels) in digits of 7
    return 1.05 if wide_font else 0.85


def text_width(text: str, lang: str) -> float:
    """The column width (in characters, margins included) that shows ``text`` on one line in the
    workbook's 10-point font."""
    wide_font = lang.startswith("zh")
    return sum(_char_width(c, wide_font) for c in text) + 2


def wrapped_lines(text: str, width: float, lang: str) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide, in the workbook's
    10-point font: lines break after a space and beside a CJK character (not before a closing mark or
    after an opening one), as Excel and LibreOffice break them; a run with no such place longer than
    the line is cut where it fills it. Errs towards a line more, never one less."""
    wide_font = lang.startswith("zh")
    room = width - 2  # the cell's margins
    segments, current = [], ""
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        wide = unicodedata.east_asian_width(ch) in "WF"
        prev_wide = bool(prev) and unicodedata.east_asian_width(prev) in "WF"
        if current and prev != " " and (wide or prev_wide) and ch not in _NO_BREAK_BEFORE \
                and prev not in _NO_BREAK_AFTER:
            segments.append(current)
            current = ""
        current += ch
        if ch == " ":
            segments.append(current)
            current = ""
    segments.append(current)
    lines, used = 1, 0.0
    for seg in segments:
        body = seg.rstrip(" ")
        w = sum(_char_width(c, wide_font) for c in body)
        if used and used + w > room:
            lines, used = lines + 1, 0.0
        while w > room:  # a run longer than the line: cut where it fills it
            lines, w = lines + 1, w - room
        used += w + (len(seg) - len(body)) * _char_width(" ", wide_font)
    return lines


def _first(formula: str, spills: str) -> str:
    """A spilling formula as one cell: the first value (of the second column for a period table)."""
    if formula.upper().startswith("=INDEX(") or spills == "no":
        return formula
    return f"=INDEX({formula[1:]},1,2)" if spills == "period_table" else f"=INDEX({formula[1:]},2)"


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


def sample_calls(company: Company, lang: str, empty: bool = False) -> list[Call]:
    """One live formula per registered function, with its result on the sample data; with
    ``empty``, each on its own inputs (the registry's example: no table, no error value).
    A function that spills gets its first value in the row and its whole result in ``values``."""
    formulas = {} if empty else sample_formulas(company, lang)
    ev = Evaluator(_context(company, lang) if not empty else
                   FormulaContext(values=lambda sheet: [], formulas={}, tables={}))
    out = []
    for kpi in registry.kpis():
        formula = _first(formulas.get(kpi.name) or literal_formula(kpi), kpi.spills)
        value = _one(ev.evaluate(formula, "Functions"))
        spilled = None
        if kpi.spills != "no":
            whole = ev.evaluate(unwrap_index(formula), "Functions")
            spilled = np.asarray(whole, dtype=object).reshape(-1, 1) if np.ndim(whole) < 2 else whole
            spilled = [[_cell(v) for v in row] for row in spilled]
        out.append(Call(kpi.name, formula, value, kpi.unit == "percent", kpi.description, kpi.spills, spilled))
    return out


def _one(value: Any) -> Any:
    if isinstance(value, np.ndarray):  # a spill: the cell shows its first value
        value = value.reshape(-1)[0] if value.size else None
    if isinstance(value, np.generic):
        value = value.item()
    return value
