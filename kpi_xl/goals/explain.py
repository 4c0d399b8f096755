"""Explain a scorecard in words, with the arithmetic behind every number.

``explain_goal()`` derives one goal's actual, expected, pace, forecast, chance and
status from its own numbers (``kpi-xl scorecard --goal`` prints it; docs/scorecard.md,
written by tools/gendocs.py, works the sample company through with it).
"""

from __future__ import annotations

import math

from ..i18n import NC_, Join, Message, N_

#: Words for a MIN or MAX's extreme (English msgids, context "extreme").
EXTREMES = (NC_("extreme", "highest"), NC_("extreme", "lowest"))
from .model import parse_filter
from .measure import ADDITIVE_KPIS
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


def formula_number(v: float) -> str:
    """A number as it is typed in an Excel formula: no thousands separator (a comma there
    starts the next argument), at most 4 decimals; "" for none (an omitted argument)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return f"{round(float(v), 4):.4f}".rstrip("0").rstrip(".")


def achievement_args(actual: float, target: float, baseline: float, direction: str) -> str:
    """The arguments of ``ACHIEVEMENT(actual, target, baseline, direction)`` for a goal, each in
    its slot: a goal with no baseline leaves the third one empty (``100, 120, , "higher"``), so
    the direction is not read as a baseline (Excel would say #VALUE!)."""
    return ", ".join([formula_number(actual), formula_number(target), formula_number(baseline),
                      f'"{direction}"']).replace(",  ,", ", ,")


def _kind(kpi: str) -> str:
    """The measure kind of a scorecard row (see :func:`kpi_xl.goals.scorecard.measure_kind`)."""
    if kpi in ("SUM", "COUNT") or kpi in ADDITIVE_KPIS:
        return "additive"
    if kpi == "DISTINCT":
        return "distinct"
    return "extreme" if kpi in ("MIN", "MAX") else "level"


def explain_goal(result: Result, gid: str) -> list[Message]:
    """Sentences that derive each number of one scorecard row, as messages (Markdown
    ``**bold**`` in them; ``.text(lang)`` for a language)."""
    g = result.goals.set_index("id").loc[gid]
    r = result.scorecard.set_index("id").loc[gid]
    unit = g["unit"]
    n = lambda v, u="": number_text(v, u)  # noqa: E731
    lines: list[Message] = []
    if r["status"] in ("no_data", "not_started") and math.isnan(r["rollup_achievement"]):
        lines.append(Message(N_("Status **{status}**: {reason}."), status=r["status_label"], reason=r["rule"]))
        return lines
    if not g["kpi"] or r["kpi"] != g["kpi"]:
        # a word from the data, not from the code: read into a name first, so that no string
        # extractor takes the subscript for a message
        rollup_word = g["rollup"]
        lines.append(Message(N_("No KPI of its own: its children roll up by **{rollup}** to achievement {achievement} "
                                "and pace {pace}; status **{status}** ({reason})."),
                             rollup=Message(rollup_word, context="rollup"), achievement=n(r["rollup_achievement"]),
                             pace=n(r["rollup_pace"]), status=r["status_label"], reason=r["rule"]))
        return lines
    conditions = [f"{c} = {v}" for c, v in parse_filter(g["filter"])]
    where = Join(conditions, "; ") if conditions else Message(N_("all rows"))
    what = f"{g['kpi']}({g['columns']})" if g["columns"] else g["kpi"]
    end = min(g["end"], result.as_of) if g["end"] else result.as_of
    lines.append(Message(N_("**Actual** {actual} = {what} over table {table} ({where}), {date_column} from {start} to "
                            "{end}."), actual=n(r["actual"], unit), what=what, table=g["table"], where=where,
                         date_column=g["date_column"], start=g["start"], end=end))
    base = g["baseline"]
    kind = _kind(r["kpi"])
    if g["direction"] == "maintain":
        lines.append(Message(N_("Kept inside the band {low}–{high}: achievement {achievement} (1 inside the band, "
                                "falling to 0 one band-width outside)."), low=n(g["band_low"], unit),
                             high=n(g["band_high"], unit), achievement=n(r["achievement"])))
    else:
        b = 0.0 if math.isnan(base) else base
        if not math.isnan(r["expected_linear"]):
            if r["pacing"] in ("linear", "seasonal"):
                lines.append(Message(N_("**Expected by now** (linear) = {base} + ({target} − {base}) × {elapsed:.0f} "
                                        "of {total:.0f} days = {expected}."), base=n(b, unit),
                                     target=n(g["target"], unit), elapsed=r["days_elapsed"], total=r["days_total"],
                                     expected=n(r["expected_linear"], unit)))
            else:
                lines.append(Message(N_("No baseline, so no straight-line path: expected = the target {target}."),
                                     target=n(g["target"], unit)))
        if not math.isnan(r["seasonal_share"]):
            lines.append(Message(N_("**Seasonal**: last year the same span reached {percent:.1f} % of its full-period "
                                    "total by the same day, so expected = {base} + ({target} − {base}) × "
                                    "{share:.4f} = {expected}."), share=r["seasonal_share"],
                                 percent=r["seasonal_share"] * 100, base=n(b, unit),
                                 target=n(g["target"], unit), expected=n(r["expected_seasonal"], unit)))
            lines.append(Message(N_("The Scorecard's **Expected by now** is this seasonal value, the one pace uses.")))
        # a running total (a sum, a count) with no baseline starts from 0; a level has none,
        # nor has a lower-is-better goal without one (a ceiling: target / actual)
        used = b if kind in ("additive", "distinct") and g["direction"] != "lower" else base
        args = achievement_args(r["actual"], g["target"], used, g["direction"])
        pacing_word = r["pacing"] or NC_("pacing", "target")
        expectation = Message(pacing_word, context="pacing")
        lines.append(Message(N_("**Achievement** = ACHIEVEMENT({args}) = {achievement}; **pace** against the "
                                "{expectation} expectation = {pace}."), args=args, achievement=n(r["achievement"]),
                             expectation=expectation, pace=n(r["pace"])))
    fm = r["forecast_method"]
    level = {"trend": Message(N_("the value so far for the {elapsed:.0f} days passed and, for the {left:.0f} days "
                                 "left, a least-squares line through the complete periods, weighted by days"),
                              elapsed=r["days_elapsed"], left=r["days_total"] - r["days_elapsed"]),
             "average": Message(N_("the value so far: the complete periods show no trend beyond the noise, so the "
                                   "days left are expected at the same level"))}
    which = EXTREMES[0] if r["kpi"] == "MAX" else EXTREMES[1]
    extreme = Message(N_("the {which} so far, or the level the periods left are forecast to reach if further"),
                      which=Message(which, context="extreme"))
    how = {"run rate": Message(N_("actual × {total:.0f} / {elapsed:.0f} days"), total=r["days_total"],
                               elapsed=r["days_elapsed"]),
           "seasonal": Message(N_("actual / last year's share of its distinct count by the same day"))
           if kind == "distinct" else Message(N_("baseline + (actual − baseline) / last year's share")),
           "accumulation": Message(N_("the distinct count so far × (days in the period / days passed)^β, β fitted "
                                      "to how fast new values arrived over the later half of the days passed "
                                      "(Heaps' law); no year of history to take the shape from")),
           "trend": extreme if kind == "extreme" else level["trend"],
           "average": extreme if kind == "extreme" else level["average"],
           "final": Message(N_("the period has ended: the forecast is the actual, and the chance is 100 % or 0 %")),
           "latest": Message(N_("the value so far (fewer than 4 complete periods to see a trend)"))}.get(fm, fm)
    method = Message(fm, context="forecast method")
    if math.isnan(r["chance"]):
        lines.append(Message(N_("**Forecast** {forecast} ({method}: {how})."), forecast=n(r["forecast"], unit),
                             method=method, how=how))
    else:
        lines.append(Message(N_("**Forecast** {forecast} ({method}: {how}); chance of meeting the target "
                                "{percent:.0f} %."), forecast=n(r["forecast"], unit), method=method, how=how,
                             percent=r["chance"] * 100))
    lines.append(Message(N_("**Status {status}** because {reason}."), status=r["status_label"], reason=r["rule"]))
    return lines
