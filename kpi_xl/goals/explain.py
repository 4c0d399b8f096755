"""Explain a scorecard in words, with the arithmetic behind every number.

``explain_goal()`` derives one goal's actual, expected, pace, forecast, chance and
status from its own numbers (``kpi-xl scorecard --goal`` prints it; docs/scorecard.md,
written by tools/gendocs.py, works the sample company through with it).
"""

from __future__ import annotations

import math

import pandas as pd

from .model import parse_filter
from .scorecard import Result


def number_text(v: float, unit: str = "") -> str:
    """A number as the explanations show it: \"–\" for none, 12.50 % for a percentage, 12,345 for thousands."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if unit == "%":
        return f"{v * 100:.2f} %"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _span(goal: pd.Series, as_of) -> str:
    end = min(goal["end"], as_of) if goal["end"] else as_of
    return f"{goal['start']} to {end}"


def explain_goal(result: Result, gid: str) -> list[str]:
    """Sentences that derive each number of one scorecard row."""
    g = result.goals.set_index("id").loc[gid]
    r = result.scorecard.set_index("id").loc[gid]
    unit = g["unit"]
    lines: list[str] = []
    if r["status"] in ("no_data", "not_started") and math.isnan(r["rollup_achievement"]):
        lines.append(f"Status **{r['status_label']}**: {r['rule']}.")
        return lines
    if not g["kpi"] or r["kpi"] != g["kpi"]:
        lines.append(
            f"No KPI of its own: its children roll up by **{g['rollup']}** to achievement "
            f"{number_text(r['rollup_achievement'])} and pace {number_text(r['rollup_pace'])}; status **{r['status_label']}** "
            f"({r['rule']})."
        )
        return lines
    where = "; ".join(f"{c} = {v}" for c, v in parse_filter(g["filter"])) or "all rows"
    what = f"{g['kpi']}({g['columns']})" if g["columns"] else g["kpi"]
    lines.append(f"**Actual** {number_text(r['actual'], unit)} = {what} over table {g['table']} ({where}), "
                 f"{g['date_column']} from {_span(g, result.as_of)}.")
    days = f"{r['days_elapsed']:.0f} of {r['days_total']:.0f} days"
    base = g["baseline"]
    if g["direction"] == "maintain":
        lines.append(f"Kept inside the band {number_text(g['band_low'], unit)}–{number_text(g['band_high'], unit)}: "
                     f"achievement {number_text(r['achievement'])} (1 inside the band, falling to 0 one band-width outside).")
    else:
        b = 0.0 if math.isnan(base) else base
        if not math.isnan(r["expected"]):
            if r["kpi"] in ("SUM", "COUNT", "TICKETS_RESOLVED") or not math.isnan(base):
                lines.append(f"**Expected by now** (linear) = {number_text(b, unit)} + ({number_text(g['target'], unit)} − {number_text(b, unit)}) "
                             f"× {days} = {number_text(r['expected'], unit)}.")
            else:
                lines.append(f"No baseline, so no straight-line path: expected = the target {number_text(g['target'], unit)}.")
        if not math.isnan(r["seasonal_share"]):
            lines.append(f"**Seasonal**: last year the same span reached {r['seasonal_share'] * 100:.1f} % of its "
                         f"full-period total by the same day, so expected = {number_text(b, unit)} + ({number_text(g['target'], unit)} − "
                         f"{number_text(b, unit)}) × {r['seasonal_share']:.4f} = {number_text(r['expected_seasonal'], unit)}.")
        lines.append(f"**Achievement** = ACHIEVEMENT({number_text(r['actual'])}, {number_text(g['target'])}"
                     f"{', ' + number_text(base) if not math.isnan(base) else ''}, \"{g['direction']}\") = {number_text(r['achievement'])}; "
                     f"**pace** against the {r['pacing'] or 'target'} expectation = {number_text(r['pace'])}.")
    fm = r["forecast_method"]
    how = {"run rate": f"actual × {r['days_total']:.0f} / {r['days_elapsed']:.0f} days",
           "seasonal": "baseline + (actual − baseline) / last year's share",
           "trend": "a least-squares line through the complete periods, extended to the end",
           "average": "the mean of the complete periods (their trend is within the noise)",
           "latest": "the value so far (fewer than 4 complete periods to see a trend)"}.get(fm, fm)
    lines.append(f"**Forecast** {number_text(r['forecast'], unit)} ({fm}: {how})"
                 + (f"; chance of meeting the target {r['chance'] * 100:.0f} %." if not math.isnan(r["chance"]) else "."))
    lines.append(f"**Status {r['status_label']}** because {r['rule']}.")
    return lines
