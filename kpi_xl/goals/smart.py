"""SMART check: one verdict per letter for every goal, with the reasons as messages.

S  Specific   - a named owner and a name that says what improves
M  Measurable - a KPI function or measure over a data table that exists
A  Achievable - the target is not wildly beyond last year's level (or the baseline)
R  Relevant   - linked to a strategy or to a parent goal
T  Time-bound - a start and an end date, the end after the start

The verdicts are advice: a goal that fails one is still measured where it can be.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from ..i18n import Join, Message, N_
from .data import DataError, DataTables, day_number
from .measure import MeasureError, TRACKABLE, build
from .model import read_goals
from .pacing import year_before

#: Largest yearly growth factor called achievable (tripling in a year).
MAX_YEARLY_FACTOR = 3.0
LETTERS = ("S", "M", "A", "R", "T")

_VAGUE = re.compile(r"\b(better|improve|more|grow|increase|good|best)\b", re.I)


def _months(start, end) -> float:
    return max((end - start).days + 1, 1) / 30.4375


def smart_check(goals: pd.DataFrame, tables: dict[str, pd.DataFrame] | DataTables | None = None) -> pd.DataFrame:
    """A table with columns id, S, M, A, R, T (True/False), reasons and ok.

    ``reasons`` is an :class:`~kpi_xl.i18n.Join` of messages (``str()``: English,
    "; "-separated; empty when the goal passes)."""
    g = read_goals(goals, row_problems=[])  # a row the scorecard cannot read is checked as far as it reads
    data = tables if isinstance(tables, DataTables) else DataTables(tables or {})
    has_children = set(g["parent"]) - {""}
    out = []
    for rec in g.to_dict("records"):
        verdict: dict[str, bool] = {}
        reasons: list[Message] = []

        # S
        name = rec["name"]
        words = len(re.findall(r"[A-Za-z0-9%]+|[\u4e00-\u9fff]", name))
        if not rec["owner"]:
            verdict["S"] = False
            reasons.append(Message(N_("S: no owner")))
        elif words < 3 or (_VAGUE.search(name) and not re.search(r"\d", name) and not rec["kpi"]):
            verdict["S"] = False
            reasons.append(Message(N_("S: '{name}' does not say what will change"), name=name))
        else:
            verdict["S"] = True

        # M
        measure = None
        if not rec["kpi"]:
            verdict["M"] = rec["id"] in has_children
            if not verdict["M"]:
                reasons.append(_not_measurable(name))
        elif rec["kpi"] not in TRACKABLE:
            verdict["M"] = False
            reasons.append(_not_measurable(rec["kpi_text"]))
        else:
            try:
                measure = build(rec, data)
                verdict["M"] = True
            except (MeasureError, DataError) as exc:  # a goal row or a data cell the KPI cannot read
                verdict["M"] = False
                reasons.append(Message(N_("M: {problem}"), problem=exc.message))

        # T
        if rec["start"] is None or rec["end"] is None:
            verdict["T"] = False
            reasons.append(Message(N_("T: no start date and no end date")) if rec["start"] is None and rec["end"] is None
                           else Message(N_("T: no start date")) if rec["start"] is None else Message(N_("T: no end date")))
        else:
            verdict["T"] = True

        # A
        target, base = rec["target"], rec["baseline"]
        verdict["A"] = True
        if rec["id"] in has_children and math.isnan(target):
            pass  # judged by its children
        elif math.isnan(target) and rec["direction"] != "maintain":
            verdict["A"] = False
            reasons.append(Message(N_("A: no target")))
        elif verdict["T"] and rec["direction"] != "maintain":
            months = _months(rec["start"], rec["end"])
            ref, last_year = math.nan, False
            if measure is not None and measure.additive:
                ly = (day_number(year_before(rec["start"])), day_number(year_before(rec["end"])))
                if measure.first_day is not None and measure.first_day <= ly[0]:
                    ref, last_year = float(measure.value(*ly)), True
            if math.isnan(ref) and not math.isnan(base) and base != 0 and not (measure is not None and measure.additive):
                ref = base
            if not math.isnan(ref) and ref > 0 and target > 0:
                factor = target / ref if rec["direction"] == "higher" else ref / target
                # against last year's same span the factor already is a year's change;
                # against a baseline it must happen within the goal's months
                yearly = factor if last_year or months >= 12 else factor ** (12.0 / months)
                if yearly > MAX_YEARLY_FACTOR:
                    verdict["A"] = False
                    reasons.append(_too_far(factor, last_year, months))
            if not math.isnan(base) and target == base:
                verdict["A"] = False
                reasons.append(Message(N_("A: target equals the baseline: nothing to achieve")))

        # R
        if rec["strategy"] or rec["parent"]:
            verdict["R"] = True
        else:
            verdict["R"] = False
            reasons.append(Message(N_("R: not linked to a strategy or a parent goal")))

        out.append({"id": rec["id"], **{k: verdict[k] for k in LETTERS}, "ok": all(verdict.values()),
                    "reasons": Join(reasons, "; ")})
    return pd.DataFrame(out, columns=["id", *LETTERS, "ok", "reasons"])


def _not_measurable(kpi: str) -> Message:
    return Message(N_("M: KPI '{kpi}' is not a measurable function or data column"), kpi=kpi)


def _too_far(factor: float, last_year: bool, months: float) -> Message:
    """'A: target is 4× last year's result for the same period for a 12-month period' and its kin."""
    if last_year:
        if months < 23.5:
            return Message(N_("A: target is {factor:.2g}× last year's result for the same period for a {months:.0f}-month "
                              "period"), factor=factor, months=months)
        return Message(N_("A: target is {factor:.2g}× last year's result for the same period for a {years:.0f}-year "
                          "period"), factor=factor, years=months / 12)
    if months < 23.5:
        return Message(N_("A: target is {factor:.2g}× the baseline for a {months:.0f}-month period"), factor=factor,
                       months=months)
    return Message(N_("A: target is {factor:.2g}× the baseline for a {years:.0f}-year period"), factor=factor,
                   years=months / 12)


def verdict_text(row: pd.Series) -> Message:
    """'SMART ✓' or 'S✓ M✗ A✓ R✓ T✓ — M: ...' for one row of :func:`smart_check`, as a message."""
    if row["ok"]:
        return Message(N_("SMART ✓"))
    marks = " ".join(f"{k}{'✓' if row[k] else '✗'}" for k in LETTERS)
    return Message(N_("{marks} — {reasons}"), marks=marks, reasons=row["reasons"])
