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

from ..errors import KpiXlError
from .model import canonical

MEASURES = ("achievement", "pace", "chance", "forecast_achievement")
STATUSES = ("achieved", "on_track", "behind", "at_risk")


@dataclass(frozen=True)
class Rule:
    status: str
    measure: str
    at_least: float

    def describe(self, value: float) -> str:
        return f"{self.measure} {value:.3f} ≥ {self.at_least:g}"


DEFAULT_RULES = (
    Rule("achieved", "achievement", 1.0),
    Rule("on_track", "pace", 0.95),
    Rule("behind", "pace", 0.85),
)


class RulesError(KpiXlError):
    pass


def read_rules(frame: pd.DataFrame | None) -> tuple[Rule, ...]:
    """Rules from a table with columns Status, Measure, At least (in order of checking).

    Status and measure accept the English words ("On track", "pace") or the keys.
    """
    if frame is None or len(frame) == 0:
        return DEFAULT_RULES
    from ..labels import STATUS

    names = {}
    for lang in STATUS.values():
        names.update({v.casefold(): k for k, v in lang.items()})
    names.update({k: k for k in STATUSES})
    df = frame.rename(columns=lambda c: canonical(c, aliases=False))
    missing = [c for c in ("status", "measure", "at_least") if c not in df.columns]
    if missing:
        raise RulesError(f"status rules: missing column(s) {', '.join(missing)}")
    rules = []
    for i, row in enumerate(df.itertuples(index=False), start=1):
        st = names.get(str(row.status).strip().casefold().replace(" ", "_"), names.get(str(row.status).strip().casefold()))
        if st not in STATUSES:
            raise RulesError(f"status rules row {i}: status '{row.status}' is not one of Achieved, On track, Behind, At risk")
        meas = str(row.measure).strip().lower().replace(" ", "_")
        if meas not in MEASURES:
            raise RulesError(f"status rules row {i}: measure '{row.measure}' is not one of {', '.join(MEASURES)}")
        try:
            level = float(row.at_least)
        except (TypeError, ValueError):
            raise RulesError(f"status rules row {i}: at least '{row.at_least}' is not a number") from None
        rules.append(Rule(st, meas, level))
    return tuple(rules)


def judge(values: dict[str, float], rules: tuple[Rule, ...] = DEFAULT_RULES) -> tuple[str, str]:
    """(status key, reason) from the first rule whose measure reaches its level."""
    for rule in rules:
        v = values.get(rule.measure, math.nan)
        if v is not None and not math.isnan(v) and v >= rule.at_least:
            return rule.status, rule.describe(v)
    shown = ", ".join(f"{k} {v:.2f}" for k, v in values.items() if v is not None and not math.isnan(v))
    return "at_risk", f"no rule met ({shown})" if shown else "no rule met"


def judge_band(actual: float, low: float, high: float, period_over: bool) -> tuple[str, str]:
    """Status of a "maintain" goal from where ``actual`` sits against its band."""
    if low <= actual <= high:
        return ("achieved" if period_over else "on_track"), f"{actual:.4g} inside {low:g}–{high:g}"
    width = high - low if high > low else max(abs(high), 1e-9) * 0.1
    dist = low - actual if actual < low else actual - high
    if dist <= 0.1 * width:
        return "behind", f"{actual:.4g} just outside {low:g}–{high:g}"
    return "at_risk", f"{actual:.4g} outside {low:g}–{high:g}"


def band_achievement(actual: float, low: float, high: float) -> float:
    """1 inside the band, falling linearly to 0 one band-width outside it."""
    if low <= actual <= high:
        return 1.0
    width = high - low if high > low else max(abs(high), 1e-9) * 0.1
    dist = low - actual if actual < low else actual - high
    return max(0.0, 1.0 - dist / width)
