"""The scorecard: every goal measured, paced, forecast, judged and rolled up.

>>> result = compute(goals_frame, {"Orders": orders}, as_of=date(2026, 6, 15))
>>> result.scorecard        # one row per goal
>>> result.periods          # one row per goal per review period (for history and trend charts)

Table in, table out: pandas DataFrames, no Excel types.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import XlError
from ..i18n import NC_, Join, Message, N_
from . import pacing
from .cascade import levels, rollup
from .data import DataError, DataTables, day_number
from .measure import Measure, MeasureError, TRACKABLE, build
from .model import ADDITIVE, Problem, read_goals
from .status import DEFAULT_RULES, Rule, band_achievement, judge, judge_band, status_label

SCORECARD_COLUMNS = [
    "id", "name", "owner", "kpi", "unit", "direction", "baseline", "target", "start", "end", "period",
    "actual", "expected", "expected_linear", "expected_seasonal", "pacing", "achievement", "pace", "forecast",
    "forecast_method",
    "forecast_achievement", "chance", "status", "status_label", "rule", "rollup_achievement", "rollup_pace", "parent", "rollup", "level",
    "weight",
    "strategy", "reward", "days_elapsed", "days_total", "seasonal_share",
]
PERIOD_COLUMNS = ["id", "period", "period_start", "period_end", "value", "cumulative", "expected_to_date",
                  "achievement_to_date"]


@dataclass
class Result:
    """What :func:`compute` returns.

    Language-neutral: the scorecard's ``status_label`` and ``rule`` and the
    ``warnings`` are :class:`~kpi_xl.i18n.Message` objects (``str()`` is English,
    ``.text(lang)`` any language); the presentation translates them."""

    as_of: dt.date
    scorecard: pd.DataFrame
    periods: pd.DataFrame
    goals: pd.DataFrame
    warnings: list[Message] = field(default_factory=list)
    #: goal id -> why its row could not be measured: a :class:`Problem` (a goals cell) or a
    #: :class:`DataError` (a data cell); the goal's scorecard row is "No data" with that reason
    problems: dict[str, Problem | DataError] = field(default_factory=dict)

    def goals_as_written(self) -> pd.DataFrame:
        """The goals table as the user wrote it (the KPI cell's own text), what
        :func:`~kpi_xl.goals.smart_check` reads."""
        g = self.goals.copy()
        g["kpi"] = g["kpi_text"]
        return g.drop(columns=["row", "kpi_text"])


def expected_share(card: pd.DataFrame) -> pd.Series:
    """Where each goal should be by now, on its achievement's scale (1 = the target):
    the achievement it would have if its actual were the expected value (the one pace
    uses). NaN for maintain goals and goals without an expectation or target."""
    return pd.Series(
        [math.nan if d == "maintain" else _achievement(float(e), float(t), float(b), d)
         for e, t, b, d in zip(card["expected"], card["target"], card["baseline"], card["direction"])],
        index=card.index, dtype=float)


def measure_kind(m: Measure) -> str:
    """How a goal's KPI behaves as its period goes on: "additive" (a running total),
    "distinct" (a distinct count, which only grows), "extreme" (MIN or MAX, which only
    move one way) or "level" (a ratio of totals or an average of records, which can go
    either way until the period ends)."""
    if m.additive:
        return "additive"
    if m.kpi == "DISTINCT":
        return "distinct"
    return "extreme" if m.kpi in ("MIN", "MAX") else "level"


#: Forecast methods (English msgids, context "forecast method"); explain.py says how each works.
FORECAST_METHODS = {k: NC_("forecast method", k) for k in (
    "run rate", "seasonal", "trend", "average", "latest", "final", "accumulation")}


def judge_goal(values: dict[str, float], rules: tuple[Rule, ...], kind: str, over: bool, pacing_word: str,
               end: dt.date) -> tuple[str, Message]:
    """Status of a goal with a target, by the status rules, made stable over its period:

    * once the period has ended, a goal is Achieved (by the Achieved rules, on its
      achievement) or At risk, never "on track" for a period that is over;
    * before then, an average or ratio ("level") is never Achieved: it can still fall, so
      it is judged On track, Behind or At risk by the other rules and the Why says when
      it can be Achieved; running totals, distinct counts, MIN and MAX keep the rules as
      written (what they have reached cannot be undone);
    * a pace rule names the expectation it measured against (linear or seasonal).
    """
    if over:
        done = tuple(r for r in rules if r.status == "achieved")
        st, why = judge({k: v for k, v in values.items() if k == "achievement"}, done)
        if st == "achieved":
            return st, why
        return "at_risk", Message(N_("the period has ended short of the target: achievement {value:.3f}"),
                                  value=values["achievement"])
    if kind == "level":
        held = tuple(r for r in rules if r.status != "achieved")
        st, why = judge(values, held)
        if judge(values, tuple(r for r in rules if r.status == "achieved"))[0] == "achieved":
            why = Message(N_("{reason}; Achieved only once the period ends ({date})"),
                          reason=_paced(why, values, rules, st, pacing_word), date=end)
            return st, why
        return st, _paced(why, values, rules, st, pacing_word)
    st, why = judge(values, rules)
    return st, _paced(why, values, rules, st, pacing_word)


def _paced(why: Message, values: dict, rules: tuple[Rule, ...], status: str, pacing_word: str) -> Message:
    """The reason, with the expectation named when pace decided it (a pace rule held, or
    no rule did and the reason lists the pace)."""
    held = [r for r in rules if values.get(r.measure, math.nan) >= r.at_least]
    by_pace = any(r.status == status and r.measure == "pace" for r in held) or (
        not held and not math.isnan(values.get("pace", math.nan)))
    if not by_pace or pacing_word not in ("linear", "seasonal"):
        return why
    return Message(N_("{reason} ({pacing} expectation)"), reason=why, pacing=Message(pacing_word, context="pacing"))


def _achievement(actual: float, target: float, base: float, direction: str) -> float:
    """ACHIEVEMENT for one goal and period, in plain floats (the scorecard calls this
    tens of thousands of times; tests check it agrees with :func:`metrics.achievement`)."""
    if math.isnan(actual) or math.isnan(target):
        return math.nan
    if direction == "lower" and math.isnan(base):
        if actual == 0:  # nothing of what is kept low: any target of 0 or more is met
            return 1.0 if target >= 0 else math.nan
        return target / actual
    b = 0.0 if math.isnan(base) else base
    if target == b:
        return math.nan
    return (actual - b) / (target - b) if direction != "lower" else (b - actual) / (b - target)


def _num(v: Any) -> float:
    if v is None or isinstance(v, XlError):
        return math.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def compute(goals: pd.DataFrame, tables: dict[str, pd.DataFrame] | DataTables, as_of: dt.date,
            rules: tuple[Rule, ...] = DEFAULT_RULES, seasonal: bool = True) -> Result:
    """Measure every goal at ``as_of``.

    A goal row that cannot be measured (unknown table or column, bad filter, a data cell
    the KPI cannot read) does not stop the others: its scorecard row is "No data" with the
    problem as its reason, and :attr:`Result.problems` says which cell is at fault. A goal
    that simply lacks a KPI, target or dates gets status "No data" and the SMART check says why.
    """
    row_problems: list[Problem] = []
    g = read_goals(goals, row_problems=row_problems)
    data = tables if isinstance(tables, DataTables) else DataTables(tables)
    measures: dict[str, Measure | None] = {}
    problems: dict[str, Problem | DataError] = {}
    ids = g["id"].tolist()
    for p in row_problems:  # the first problem of each row
        problems.setdefault(ids[p.row - 1], p)
    buildable = [rec for rec in g.to_dict("records")
                 if rec["id"] not in problems and rec["kpi"] and rec["table"] and rec["kpi"] in TRACKABLE]
    data.plan(lambda: [_planned(rec, data) for rec in buildable])  # sources: one query each, for every goal
    buildable_ids = {rec["id"] for rec in buildable}
    for rec in g.to_dict("records"):
        measures[rec["id"]] = None  # the SMART check says why (M)
        if rec["id"] not in buildable_ids:
            continue
        try:
            measures[rec["id"]] = build(rec, data)
        except MeasureError as exc:
            problems[rec["id"]] = Problem(rec["row"], exc.column, exc.message)
        except DataError as exc:
            problems[rec["id"]] = exc
    depth = levels(g)  # refuses cycles
    rows, period_rows = [], []
    t = day_number(as_of)
    for rec in g.to_dict("records"):
        try:
            row, prow = _goal(rec, measures[rec["id"]], t, as_of, rules, seasonal)
        except DataError as exc:  # a data cell only this goal's KPI reads
            problems[rec["id"]] = exc
        if rec["id"] in problems:
            row, prow = _goal(rec, None, t, as_of, rules, seasonal)
            row["rule"] = problems[rec["id"]].message
        row["level"] = depth[rec["id"]]
        rows.append(row)
        period_rows.extend(prow)
    if not rows:  # an empty goals table: an empty scorecard
        return Result(as_of, pd.DataFrame(columns=SCORECARD_COLUMNS), pd.DataFrame(columns=PERIOD_COLUMNS), g, [],
                      problems)
    card = pd.DataFrame(rows)
    card["rollup_achievement"] = card["id"].map(rollup(card)).astype(float)
    card["rollup_pace"] = card["id"].map(rollup(card, "pace")).astype(float)
    # a goal with no KPI of its own is judged by its children
    for i, r in card.iterrows():
        if r["status"] == "no_data" and r["id"] not in problems and not math.isnan(r["rollup_achievement"]):
            st, why = judge({"achievement": r["rollup_achievement"], "pace": r["rollup_pace"]}, rules)
            card.at[i, "status"], card.at[i, "rule"] = st, Message(N_("roll-up of children: {reason}"), reason=why)
    card["status_label"] = card["status"].map(status_label)
    card = card[SCORECARD_COLUMNS]
    periods_df = pd.DataFrame(period_rows, columns=PERIOD_COLUMNS)
    warnings = stale_tables(g, measures, problems, t) + crowded_levels(card)
    return Result(as_of, card, periods_df, g, warnings, problems)


#: Data this many days behind the as-of date is always normal (a week's holiday, an export
#: made on Fridays); beyond it a table is stale when it is more than two of its own steps
#: between dates behind, plus a week to bring in the latest one.
STALE_DAYS = 14


def stale_tables(g: pd.DataFrame, measures: dict[str, Measure | None], problems: dict, t: int) -> list[Message]:
    """One warning per table that goals read whose latest date is well before the as-of
    day ``t`` (the latest export not imported yet): every goal running past that date
    would be judged on missing days. Only goals that have started and end after the
    table's latest date count; "well before" is more than
    max(STALE_DAYS, 2 × the table's usual step between dates + 7) days, so a daily log
    is stale after two weeks, a table with one row a month after about ten weeks."""
    seen: dict[tuple[str, str], Measure] = {}
    for rec in g.to_dict("records"):
        m = measures.get(rec["id"])
        if m is None or rec["id"] in problems or m.last_day is None or rec["start"] is None or rec["end"] is None:
            continue
        if day_number(rec["start"]) > t or day_number(rec["end"]) <= m.last_day:
            continue
        seen.setdefault((m.table.lower(), m.date_column.lower()), m)
    out = []
    for m in seen.values():
        behind = t - m.last_day
        allowed = STALE_DAYS if math.isnan(m.spacing) else max(STALE_DAYS, 2 * m.spacing + 7)
        if behind > allowed:
            out.append(Message(N_("{table}: the latest {date_column} is {last}, {days} days before the as-of date "
                                  "{as_of}; import the newer rows, or set the as-of date (Settings) to the data's end"),
                               table=m.table, date_column=m.date_column, last=pacing.from_day(m.last_day), days=behind,
                               as_of=pacing.from_day(t)))
    return out


def _planned(rec: dict, data: DataTables) -> None:
    """A goal built only to learn what it asks its source (:meth:`DataTables.plan`)."""
    try:
        build(rec, data)
    except (MeasureError, DataError):
        pass  # said when the goal is built for real


def crowded_levels(card: pd.DataFrame, limit: int = 5) -> list[Message]:
    """The seeds' rule of thumb: a scorecard should carry 3–5 KPIs. Warns for each
    level of the cascade (the top goals, or one goal's direct children) and each
    owner with more than ``limit``."""
    out = []
    for parent, n in card.groupby("parent").size().items():
        if n > limit:
            out.append(Message(N_("the top level carries {n} KPIs; keep it to {limit} or fewer"), n=n, limit=limit)
                       if not parent else
                       Message(N_("the level under goal {goal} carries {n} KPIs; keep it to {limit} or fewer"),
                               goal=parent, n=n, limit=limit))
    for owner, n in card[card["owner"] != ""].groupby("owner").size().items():
        if n > limit:
            out.append(Message(N_("{owner} owns {n} KPIs; keep it to {limit} or fewer"), owner=owner, n=n, limit=limit))
    return out


def _goal(rec: dict, m: Measure | None, t: int, as_of: dt.date, rules: tuple[Rule, ...], seasonal: bool):
    row = {k: rec[k] for k in ("id", "name", "owner", "kpi", "unit", "direction", "baseline", "target", "start",
                               "end", "period", "parent", "rollup", "weight", "strategy", "reward")}
    if rec["kpi"] not in TRACKABLE:
        row["kpi"] = rec["kpi_text"]  # show what the person wrote
    row.update(actual=math.nan, expected=math.nan, expected_linear=math.nan, expected_seasonal=math.nan, pacing="",
               achievement=math.nan, pace=math.nan, forecast=math.nan, forecast_method="", forecast_achievement=math.nan, chance=math.nan,
               status="no_data", rule="", days_elapsed=math.nan, days_total=math.nan, seasonal_share=math.nan)
    target = rec["target"]
    start, end = rec["start"], rec["end"]
    if m is None or start is None or end is None or (math.isnan(target) and rec["direction"] != "maintain"):
        no_kpi = Message(N_("no KPI")) if not rec["kpi"] else (
            Message(N_("'{kpi}' is not a KPI function or measure"), kpi=rec["kpi_text"])
            if rec["kpi"] not in TRACKABLE else Message(N_("no data table")))
        row["rule"] = Message(N_("not measurable: {reasons}"), reasons=Join(
            w for w, bad in ((no_kpi, m is None), (Message(N_("no start date")), start is None),
                             (Message(N_("no end date")), end is None),
                             (Message(N_("no target")), math.isnan(target) and rec["direction"] != "maintain")) if bad))
        return row, []
    s, e = day_number(start), day_number(end)
    if t < s:
        row.update(status="not_started", rule=Message(N_("starts {date}"), date=start))
        return row, []
    td = min(t, e)
    empty = m.why_empty(s, td) if m.why_empty is not None else None
    if empty is None and m.first_day is None:
        empty = Message(N_("no data rows match this goal's table and filter"))
    if empty is not None:  # no row in the period so far: say why, not 0 and "At risk"
        row.update(status="no_data", rule=empty)
        return row, []
    f = pacing.fraction(s, e, td)
    row["days_elapsed"], row["days_total"] = td - s + 1, e - s + 1
    additive = m.additive
    kind = measure_kind(m)
    running = kind in ("additive", "distinct")  # a count that only grows towards its target
    direction = rec["direction"]
    base = rec["baseline"]
    has_base = not math.isnan(base)
    b = base if has_base else (0.0 if running else math.nan)
    # a lower-is-better goal without a baseline has a ceiling, not a path from 0: it is
    # judged by target / actual (a running total's expectation still grows from 0)
    ceiling = direction == "lower" and not has_base
    ab = math.nan if ceiling else (b if (running or has_base) else math.nan)
    actual = _num(m.value(s, td))
    row["actual"] = actual
    if math.isnan(actual):
        row.update(status="no_data", rule=Message(N_("no data in the goal's period so far")))
        return row, _periods(rec, m, s, td, e, b, target, running, ab)
    # ---- expected so far: linear, and seasonal from last year's same span; "expected" is
    # the one pace uses, "pacing" says which
    if direction == "maintain":
        expected = math.nan
    elif running or has_base:
        expected = b + (target - b) * f
    else:
        expected = target
    share = math.nan
    if seasonal and running and direction != "maintain":
        ly_s, ly_e, ly_t = (day_number(pacing.year_before(d)) for d in (start, end, pacing.from_day(td)))
        if m.first_day is not None and m.first_day <= ly_s:
            ly_total = _num(m.value(ly_s, ly_e))
            if ly_total > 0:
                share = _num(m.value(ly_s, ly_t)) / ly_total
                row["expected_seasonal"] = b + (target - b) * share
                row["seasonal_share"] = share
    row["expected_linear"] = expected
    use_seasonal = not math.isnan(row["expected_seasonal"])
    row["pacing"] = "seasonal" if use_seasonal else ("linear" if running or has_base else (
        "target" if not math.isnan(expected) else ""))
    exp_used = row["expected_seasonal"] if use_seasonal else expected
    row["expected"] = exp_used
    # ---- achievement and pace
    if direction == "maintain":
        ach = band_achievement(actual, rec["band_low"], rec["band_high"])
        pace = ach
    else:
        ach = _achievement(actual, target, ab, direction)
        if running or has_base:
            pace = _achievement(actual, exp_used, ab, direction) if exp_used != b else ach
        else:
            pace = ach  # a level with no baseline has no path: judged by where it stands
    row["achievement"], row["pace"] = ach, pace
    # ---- forecast and chance, in the target's unit: the KPI over the whole period
    higher = direction != "lower"
    remaining = e - td
    prow = _periods(rec, m, s, td, e, b, target, running, ab)
    has_target = direction != "maintain" and not math.isnan(target)
    if remaining <= 0:  # the period has ended: nothing left to forecast
        row["forecast"], row["forecast_method"] = actual, "final"
        if has_target:
            row["chance"] = pacing.met(actual, target, higher)
    elif additive:
        run_rate = actual * (e - s + 1) / (td - s + 1)
        if use_seasonal and share > 0:
            row["forecast"], row["forecast_method"] = b + (actual - b) / share, "seasonal"
        else:
            row["forecast"], row["forecast_method"] = run_rate, "run rate"
        daily = m.daily(s, td)
        if direction != "maintain":
            chance = pacing.chance_additive(actual, daily, remaining, target, higher)
            if use_seasonal and not math.isnan(chance) and remaining > 0 and share > 0:
                # centre the seasonal forecast, keep the spread of the daily data
                sd = math.sqrt(remaining) * float(np.std(daily, ddof=1)) if daily.size > 1 else 0.0
                chance = pacing.chance_level(row["forecast"], sd, target, higher)
            row["chance"] = chance
    elif kind == "distinct":
        if use_seasonal and share > 0:
            fc, how = actual / share, "seasonal"
        else:
            days = np.unique(np.linspace(max((td - s + 1) // 2, 1), td - s + 1, 24).round().astype(int))
            counts = np.array([_num(m.value(s, s + d - 1)) for d in days])
            fc, how = pacing.distinct_forecast(days, counts, e - s + 1), "accumulation"
        row["forecast"], row["forecast_method"] = max(fc, actual), how
        if has_target:
            row["chance"] = pacing.chance_level(row["forecast"], pacing.arrivals_sd(row["forecast"] - actual),
                                                target, higher)
    else:
        # trend through the complete periods only: a part-period is too noisy to extend
        complete = [p["value"] for p in prow if day_number(p["period_end"]) <= td and not math.isnan(p["value"])]
        if len(complete) >= 4:
            left = len(pacing.periods(start, end, rec["period"])) - len(complete)
            if kind == "extreme":
                fc, chance, how = pacing.extreme_forecast(actual, complete, left, target, m.kpi == "MAX", higher)
            else:
                fc, sd, how = pacing.level_forecast(actual, complete, left, td - s + 1, remaining)
                chance = pacing.chance_level(fc, sd, target, higher)
            row["forecast"], row["forecast_method"] = fc, how
            if has_target:
                row["chance"] = chance
        else:
            row["forecast"], row["forecast_method"] = actual, "latest"
    # ---- status
    over = t >= e
    if direction == "maintain":
        fach = band_achievement(row["forecast"], rec["band_low"], rec["band_high"])
        st, why = judge_band(actual, rec["band_low"], rec["band_high"], period_over=over, percent=rec["unit"] == "%")
    else:
        fach = _achievement(row["forecast"], target, ab, direction)
        values = {"achievement": ach, "pace": pace, "chance": row["chance"], "forecast_achievement": fach}
        # a running total kept under a ceiling can still rise past it: like a level, it is
        # Achieved only once its period ends
        st, why = judge_goal(values, rules, "level" if (ceiling and running) else kind, over, row["pacing"], end)
    row["status"], row["rule"], row["forecast_achievement"] = st, why, fach
    return row, prow


def _periods(rec: dict, m: Measure, s: int, td: int, e: int, b: float, target: float, running: bool,
             ab: float) -> list[dict]:
    """One row per review period that has begun: its value, the running total
    (additive goals and distinct counts: the count from the start), the expected value
    at its end (or at as-of) and achievement (from the baseline ``ab``: NaN for a level
    without one, and for a lower-is-better goal without one, judged by target / actual)."""
    spans = [(p0, p1) for p0, p1 in pacing.periods(rec["start"], rec["end"], rec["period"]) if day_number(p0) <= td]
    if not spans:
        return []
    a = np.array([day_number(p0) for p0, _ in spans])
    z = np.minimum(np.array([day_number(p1) for _, p1 in spans]), td)
    values = m.values(a, z)
    cum = m.values(np.full(len(a), s), z) if running else np.full(len(a), np.nan)
    f = np.minimum((z - s + 1) / (e - s + 1), 1.0)
    has_target = not math.isnan(target)
    if has_target and not math.isnan(b):
        exp = b + (target - b) * f
    else:
        exp = np.full(len(a), target)
    basis = cum if running else values
    direction = rec["direction"]
    out = []
    for i, (p0, p1) in enumerate(spans):
        x = float(basis[i])
        if direction == "maintain":
            ach = band_achievement(x, rec["band_low"], rec["band_high"]) if not math.isnan(x) else math.nan
        else:
            ach = _achievement(x, target, ab, direction) if has_target else math.nan
        out.append({"id": rec["id"], "period": pacing.period_label(p0, rec["period"]), "period_start": p0,
                    "period_end": p1, "value": float(values[i]), "cumulative": float(cum[i]),
                    "expected_to_date": float(exp[i]), "achievement_to_date": ach})
    return out


__all__ = ["compute", "Result", "crowded_levels", "SCORECARD_COLUMNS", "PERIOD_COLUMNS", "ADDITIVE"]
