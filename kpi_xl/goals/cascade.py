"""Cascade: goals linked to a parent goal, rolled up to any depth.

A parent's roll-up achievement comes from its children, by the parent's
``rollup`` column:

* ``weighted`` (default): Σ weight × achievement / Σ weight over the children;
* ``sum``: the children's actuals are added up and measured against the parent's
  own target (children in the same unit, e.g. revenue by region);
* ``min`` / ``max``: the worst / best child.

A child's achievement is its own when it has a KPI, else its own roll-up.
Cycles (A under B under A) are refused with the goals named.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import metrics
from ..i18n import Join, Message, N_
from .model import GoalsError, Problem


def _children(frame: pd.DataFrame) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = {}
    for gid, parent in zip(frame["id"], frame["parent"]):
        if parent:
            kids.setdefault(parent, []).append(gid)
    return kids


def levels(goals: pd.DataFrame) -> dict[str, int]:
    """Depth of each goal in the cascade (top goals are level 1); refuses cycles."""
    parent = dict(zip(goals["id"], goals["parent"]))
    rows = dict(zip(goals["id"], goals["row"]))
    depth: dict[str, int] = {}
    for gid in parent:
        chain = [gid]
        cur = gid
        while parent.get(cur):
            cur = parent[cur]
            if cur in chain:
                cycle = chain[chain.index(cur):] + [cur]
                raise GoalsError([Problem(rows[gid], "parent", Message(N_("goals form a cycle: {cycle}"),
                                                                        cycle=Join(cycle, " → ")))])
            chain.append(cur)
        depth[gid] = len(chain)
    return depth


def rollup(card: pd.DataFrame, measure: str = "achievement") -> dict[str, float]:
    """Roll-up of ``measure`` (achievement or pace) for every goal that has
    children (NaN for the others)."""
    kids = _children(card)
    by_id = card.set_index("id")
    memo: dict[str, float] = {}

    def effective(gid: str) -> float:
        own = by_id.at[gid, measure]
        if not (isinstance(own, float) and math.isnan(own)):
            return float(own)
        return rolled(gid)

    def rolled(gid: str) -> float:
        if gid in memo:
            return memo[gid]
        children = kids.get(gid, [])
        value = math.nan
        if children:
            how = by_id.at[gid, "rollup"] if "rollup" in by_id.columns else "weighted"
            if how == "sum" and measure == "achievement":
                actuals = [by_id.at[c, "actual"] for c in children]
                total = sum(a for a in actuals if not math.isnan(a))
                target, base = by_id.at[gid, "target"], by_id.at[gid, "baseline"]
                if not math.isnan(target):
                    r = metrics.achievement(total, target, None if math.isnan(base) else base,
                                            by_id.at[gid, "direction"] if by_id.at[gid, "direction"] != "maintain" else "higher")
                    value = float(r) if not isinstance(r, str) else math.nan
            else:
                pairs = [(effective(c), by_id.at[c, "weight"]) for c in children]
                pairs = [(a, 1.0 if math.isnan(w) else w) for a, w in pairs if not math.isnan(a)]
                if pairs:
                    if how == "min":
                        value = min(a for a, _ in pairs)
                    elif how == "max":
                        value = max(a for a, _ in pairs)
                    else:
                        wsum = sum(w for _, w in pairs)
                        value = sum(a * w for a, w in pairs) / wsum if wsum > 0 else math.nan
        memo[gid] = value
        return value

    return {gid: rolled(gid) for gid in card["id"]}


def with_rollups(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard with a goal that has no KPI of its own showing its children's
    roll-up as its achievement and pace."""
    card = card.copy()
    card["achievement"] = card["achievement"].where(card["achievement"].notna(), card["rollup_achievement"])
    card["pace"] = card["pace"].where(card["pace"].notna(), card["rollup_pace"])
    return card


def owner_achievement(card: pd.DataFrame) -> pd.DataFrame:
    """Each owner's achievement: Σ weight × achievement / Σ weight over the owner's
    measured goals (a blank weight counts 1, as in the cascade). Columns owner,
    achievement; owners in alphabetical order, goals without an owner left out."""
    measured = card[card["achievement"].notna() & (card["owner"] != "")].assign(weight=lambda c: c["weight"].fillna(1.0))
    rows = []
    for owner, g in measured.groupby("owner", sort=True):
        total = g["weight"].sum()
        rows.append((owner, float((g["achievement"] * g["weight"]).sum() / total) if total > 0 else math.nan))
    return pd.DataFrame(rows, columns=["owner", "achievement"])
