"""Status rules: ordered, editable, each saying which measure must reach which level.

The defaults (issue #4): Achieved when achievement ≥ 100 %; On track when pace ≥
95 % of expected; Behind when pace ≥ 85 %; otherwise At risk. "Maintain" goals are
judged by their band instead: inside it On track (Achieved once the period is
over), within a tenth of the band's width outside it Behind, further At risk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from ..i18n import NC_, Join, Message, MessageError, N_, readings
from .model import _number, canonical, typed

MEASURES = ("achievement", "pace", "chance", "forecast_achievement")
STATUSES = ("achieved", "on_track", "behind", "at_risk")
#: What each status is called (English msgids, context "status"); presentation translates.
STATUS_LABELS = {"achieved": NC_("status", "Achieved"), "on_track": NC_("status", "On track"), "behind": NC_("status", "Behind"),
                 "at_risk": NC_("status", "At risk"), "not_started": NC_("status", "Not started"), "no_data": NC_("status", "No data")}
#: The words of the measures rules test (English msgids, context "measure").
MEASURE_WORDS = {"achievement": NC_("measure", "achievement"), "pace": NC_("measure", "pace"), "chance": NC_("measure", "chance"),
                 "forecast_achievement": NC_("measure", "forecast_achievement")}


def status_label(key: str) -> Message:
    """The name of a status id, in no language yet."""
    return Message(STATUS_LABELS[key], context="status")


def measure_word(key: str) -> Message:
    return Message(MEASURE_WORDS.get(key, key), context="measure")


@dataclass(frozen=True)
class Rule:
    status: str
    measure: str
    at_least: float

    def describe(self, value: float) -> Message:
        return Message(N_("{measure} {value:.3f} ≥ {level:g}"), measure=measure_word(self.measure), value=value,
                       level=self.at_least)


DEFAULT_RULES = (
    Rule("achieved", "achievement", 1.0),
    Rule("on_track", "pace", 0.95),
    Rule("behind", "pace", 0.85),
)


class RulesError(MessageError):
    """A status-rules table that cannot be used (the message names the row)."""


def read_rules(frame: pd.DataFrame | None) -> tuple[Rule, ...]:
    """Rules from a table with columns Status, Measure, At least (in order of checking).

    Status and measure accept the English words ("On track", "pace") or the keys.
    """
    if frame is None or len(frame) == 0:
        return DEFAULT_RULES
    english = {word: k for k, word in STATUS_LABELS.items()}
    names = {word: english[text] for word, text in readings("status", STATUS_LABELS.values()).items()}
    names.update({k: k for k in STATUSES})
    words = {w: k for k, w in MEASURE_WORDS.items()}
    df = frame.rename(columns=lambda c: canonical(c, aliases=False))
    missing = [c for c in ("status", "measure", "at_least") if c not in df.columns]
    if missing:
        raise RulesError(Message(N_("status rules: missing column(s) {columns}"), columns=Join(missing)))
    rules = []
    for i, row in enumerate(df.itertuples(index=False), start=1):
        st = names.get(str(row.status).strip().casefold().replace(" ", "_"), names.get(str(row.status).strip().casefold()))
        if st not in STATUSES:
            raise RulesError(Message(N_("status rules row {row}: status '{status}' is not one of {statuses}"), row=i,
                                     status=row.status, statuses=Join(status_label(k) for k in STATUSES)))
        meas = typed(row.measure).strip().lower().replace(" ", "_")
        meas = {word.replace(" ", "_"): words[text] for word, text in readings("measure", MEASURE_WORDS.values()).items()
                }.get(meas, meas)  # any language's word, or one a catalog used before
        if meas not in MEASURES:
            raise RulesError(Message(N_("status rules row {row}: measure '{measure}' is not one of {measures}"), row=i,
                                     measure=row.measure, measures=Join(measure_word(k) for k in MEASURES)))
        level = _number(row.at_least)
        if level is None:
            raise RulesError(Message(N_("status rules row {row}: at least '{value}' is not a number"), row=i,
                                     value=row.at_least))
        rules.append(Rule(st, meas, level))
    return tuple(rules)


def judge(values: dict[str, float], rules: tuple[Rule, ...] = DEFAULT_RULES) -> tuple[str, Message]:
    """(status key, reason) from the first rule whose measure reaches its level."""
    for rule in rules:
        v = values.get(rule.measure, math.nan)
        if v is not None and not math.isnan(v) and v >= rule.at_least:
            return rule.status, rule.describe(v)
    return "at_risk", fell_through(values, rules)


def fell_through(values: dict[str, float], rules: tuple[Rule, ...]) -> Message:
    """Why no rule held, as an owner reads it: the last rule with a number to test (the lowest
    bar) and how far the goal is from it, then what On track needs when that is another rule
    ("pace 0.39 is below the 0.85 Behind needs; On track needs pace ≥ 0.95")."""
    known = lambda k: values.get(k) is not None and not math.isnan(values[k])  # noqa: E731
    tested = [r for r in rules if known(r.measure)]
    if not tested:
        measures = Join(dict.fromkeys(measure_word(r.measure) for r in rules), sep=" or ")
        return Message(N_("no {measures} to judge it by yet"), measures=measures)
    last = tested[-1]
    fell = Message(N_("{measure} {value:.2f} is below the {level:g} {status} needs"), measure=measure_word(last.measure),
                   value=values[last.measure], level=last.at_least, status=status_label(last.status))
    on = next((r for r in tested if r.status == "on_track"), None)
    if on is None or on == last:
        return fell
    return Message(N_("{reason}; {status} needs {measure} ≥ {level:g}"), reason=fell, status=status_label("on_track"),
                   measure=measure_word(on.measure), level=on.at_least)


def judge_band(actual: float, low: float, high: float, period_over: bool,
               percent: bool = False) -> tuple[str, Message]:
    """Status of a "maintain" goal from where ``actual`` sits against its band
    (``percent``: the goal is measured in %, which a language may show as such)."""
    where = dict(actual=actual, low=low, high=high, context="percent" if percent else None)
    if low <= actual <= high:
        return ("achieved" if period_over else "on_track"), Message(N_("{actual:.4g} inside {low:g}–{high:g}"), **where)
    width = high - low if high > low else max(abs(high), 1e-9) * 0.1
    dist = low - actual if actual < low else actual - high
    if dist <= 0.1 * width:
        return "behind", Message(N_("{actual:.4g} just outside {low:g}–{high:g}"), **where)
    return "at_risk", Message(N_("{actual:.4g} outside {low:g}–{high:g}"), **where)


def band_achievement(actual: float, low: float, high: float) -> float:
    """1 inside the band, falling linearly to 0 one band-width outside it."""
    if low <= actual <= high:
        return 1.0
    width = high - low if high > low else max(abs(high), 1e-9) * 0.1
    dist = low - actual if actual < low else actual - high
    return max(0.0, 1.0 - dist / width)
