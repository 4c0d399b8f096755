"""Review: OKR grading, history snapshots with check-in notes, and incentive payouts.

* OKRs: objectives with key results graded 0.0–1.0 (0.7 is a good score, as Google
  grades), shown next to the KPI goals they relate to.
* History: one snapshot per goal per review period, never duplicated; a refresh in
  the same period updates it; check-in notes people typed survive.
* Payouts: per owner, from each goal's reward plan: threshold, linear ramp,
  accelerator above 100 %, optional cap, weights across goals; non-monetary rewards
  are listed as text.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from .. import metrics
from ..i18n import NC_, Message, MessageError, N_, readings
from .model import canonical
from .pacing import period_label
from .status import STATUS_LABELS, STATUSES

# --------------------------------------------------------------------------- OKR

#: What each OKR grade is called (English msgids, context "OKR grade"); presentation translates.
OKR_GRADES = {"delivered": NC_("OKR grade", "Delivered"), "progress": NC_("OKR grade", "Progress"),
              "missed": NC_("OKR grade", "Missed")}


class ReviewError(MessageError):
    """An OKR or reward-plan table that cannot be used (the message names the row)."""


def grade_label(score: float) -> Message | str:
    """The word for an OKR score's grade, in no language yet ("" for no score)."""
    key = okr_grade(score)
    return Message(OKR_GRADES[key], context="OKR grade") if key else ""


def okr_grade(score: float) -> str:
    """Google's reading of an OKR score: 0.7–1.0 delivered, 0.4–0.7 progress, below 0.4 missed."""
    if math.isnan(score):
        return ""
    return "delivered" if score >= 0.7 else ("progress" if score >= 0.4 else "missed")


def grade_okrs(okrs: pd.DataFrame, scorecard: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Grade key results and objectives.

    ``okrs`` has one row per key result: objective, key_result, owner, start_value,
    target_value, current_value (or score), weight, goal (id of a related KPI goal).
    A key result's score is its given score, else (current − start)/(target − start)
    clipped to 0–1. Returns (key results with score and grade, objectives with the
    weighted score, grade and the related goals' achievement). Grades are messages
    (:func:`grade_label`); ``goal_status`` is the scorecard's ``status_label`` as given.
    """
    df = okrs.rename(columns=lambda c: canonical(c, aliases=False)).copy()
    for col, default in (("objective", ""), ("key_result", ""), ("owner", ""), ("start_value", np.nan),
                         ("target_value", np.nan), ("current_value", np.nan), ("score", np.nan), ("weight", 1.0),
                         ("goal", "")):
        if col not in df.columns:
            df[col] = default
    if len(df) and df["objective"].astype(str).str.strip().eq("").any():
        i = int(np.flatnonzero(df["objective"].astype(str).str.strip().eq("").to_numpy())[0]) + 1
        raise ReviewError(Message(N_("OKR row {row}: objective is blank"), row=i))
    scores = []
    for i, r in enumerate(df.itertuples(index=False), start=1):
        given = _f(r.score)
        if not math.isnan(given):
            scores.append(min(max(given, 0.0), 1.0))
            continue
        s0, t, c = _f(r.start_value), _f(r.target_value), _f(r.current_value)
        if math.isnan(t) or math.isnan(c):
            scores.append(math.nan)
            continue
        s0 = 0.0 if math.isnan(s0) else s0
        if t == s0:
            raise ReviewError(Message(N_("OKR row {row}: target value equals start value"), row=i))
        scores.append(min(max((c - s0) / (t - s0), 0.0), 1.0))
    df["score"] = scores
    df["weight"] = [1.0 if math.isnan(_f(w)) else _f(w) for w in df["weight"]]
    df["grade"] = [grade_label(s) for s in df["score"]]
    ach = {} if scorecard is None else dict(zip(scorecard["id"], scorecard["achievement"]))
    status = {} if scorecard is None else dict(zip(scorecard["id"], scorecard["status_label"]))
    df["goal_achievement"] = [ach.get(str(g).strip(), math.nan) for g in df["goal"]]
    df["goal_status"] = [status.get(str(g).strip(), "") for g in df["goal"]]
    objectives = []
    for obj, grp in df.groupby("objective", sort=False):
        sc = metrics.okr_score(grp["score"].to_numpy(dtype=float), grp["weight"].to_numpy(dtype=float))
        sc = float(sc) if not isinstance(sc, str) else math.nan
        goals_ach = grp["goal_achievement"].dropna()
        objectives.append({"objective": obj, "owner": ", ".join(sorted(set(grp["owner"].astype(str)) - {""})),
                           "key_results": len(grp), "score": sc, "grade": grade_label(sc),
                           "goal_achievement": float(goals_ach.mean()) if len(goals_ach) else math.nan})
    return df, pd.DataFrame(objectives, columns=["objective", "owner", "key_results", "score", "grade",
                                                  "goal_achievement"])


def _f(v: Any) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return math.nan
    return f


# ----------------------------------------------------------------------- history

HISTORY_COLUMNS = ["period", "as_of", "id", "name", "owner", "actual", "target", "achievement", "pace", "forecast",
                   "status", "note"]


def review_period(as_of: dt.date, kind: str = "month") -> str:
    """The label of the review period ``as_of`` falls in: '2026-06', '2026-Q2' or '2026'."""
    return period_label(as_of, kind)


def snapshot(history: pd.DataFrame | None, scorecard: pd.DataFrame, as_of: dt.date, kind: str = "month",
             notes: pd.DataFrame | None = None) -> pd.DataFrame:
    """History with this period's results in it.

    A period already snapshotted is replaced in place (its rows updated with the
    latest results), never added twice. Notes: a ``note`` already in the history
    for the same goal and period is kept; ``notes`` (columns id, period, note, e.g.
    typed on the scorecard) take precedence when not blank.
    """
    period = review_period(as_of, kind)
    new = pd.DataFrame({
        "period": period, "as_of": as_of, "id": scorecard["id"], "name": scorecard["name"],
        "owner": scorecard["owner"], "actual": scorecard["actual"], "target": scorecard["target"],
        "achievement": scorecard["achievement"], "pace": scorecard["pace"], "forecast": scorecard["forecast"],
        "status": scorecard["status_label"], "note": "",
    })
    old = pd.DataFrame(columns=HISTORY_COLUMNS) if history is None or len(history) == 0 else (
        history.rename(columns=lambda c: canonical(c, aliases=False)).reindex(columns=HISTORY_COLUMNS))
    old["period"] = old["period"].astype(str)
    old["id"] = old["id"].astype(str)
    kept_notes = {(r.id, r.period): r.note for r in old.itertuples(index=False)
                  if isinstance(r.note, str) and r.note.strip()}
    if notes is not None and len(notes):
        n = notes.rename(columns=lambda c: canonical(c, aliases=False))
        for r in n.itertuples(index=False):
            text = getattr(r, "note", "")
            if isinstance(text, str) and text.strip():
                kept_notes[(str(r.id), str(getattr(r, "period", period)))] = text
    # rows of this period are replaced; goals no longer in the scorecard keep their old row
    replaced = old[(old["period"] == period) & old["id"].isin(set(new["id"]))]
    rest = old.drop(index=replaced.index)
    out = pd.concat([rest, new], ignore_index=True) if len(rest) else new.copy()
    out["note"] = [kept_notes.get((str(i), str(p)), "") for i, p in zip(out["id"], out["period"])]
    return out.sort_values(["period", "id"], kind="stable").reset_index(drop=True)[HISTORY_COLUMNS]


# ----------------------------------------------------------------------- changes

CHANGE_COLUMNS = ["id", "name", "owner", "was", "now", "as_of", "rule", "worse", "since"]


def status_key(word: Any) -> str | None:
    """The status id of a status word as History holds it ("At risk", its zh-TW word, "at_risk"), else None."""
    text = str(word or "").strip().casefold()
    if not text:
        return None
    english = {w: k for k, w in STATUS_LABELS.items()}
    found = readings("status", STATUS_LABELS.values()).get(text)
    if found is not None:
        return english[found]
    key = text.replace(" ", "_")
    return key if key in STATUS_LABELS else None


def got_worse(was: str | None, now: str | None) -> bool:
    """Whether a status moved down the ladder Achieved > On track > Behind > At risk
    (a move to or from Not started or No data is a change, not a worsening)."""
    return was in STATUSES and now in STATUSES and STATUSES.index(now) > STATUSES.index(was)


def status_changes(history: pd.DataFrame | None, scorecard: pd.DataFrame, as_of: dt.date,
                   kind: str = "month") -> pd.DataFrame:
    """Goals whose status now differs from their status in the previous review period.

    The previous period is the latest one in ``history`` before the period ``as_of`` falls
    in (its last snapshot of each goal). ``scorecard`` has the engine's ``status`` ids and
    ``rule`` (why). One row per changed goal (columns :data:`CHANGE_COLUMNS`): ``was`` and
    ``now`` are status ids, ``worse`` whether it moved down (:func:`got_worse`), ``since``
    the period compared with; goals that got worse come first. A goal new since then is
    not a change.
    """
    period = review_period(as_of, kind)
    empty = pd.DataFrame(columns=CHANGE_COLUMNS)
    if history is None or len(history) == 0:
        return empty
    old = history.rename(columns=lambda c: canonical(c, aliases=False))
    old = old[old["period"].astype(str) < period]
    if len(old) == 0:
        return empty
    since = max(old["period"].astype(str))
    before = old[old["period"].astype(str) == since]
    was_of = {str(i): status_key(s) for i, s in zip(before["id"], before["status"])}
    rows = []
    for r in scorecard.itertuples(index=False):
        gid = str(r.id)
        if gid not in was_of or was_of[gid] is None or was_of[gid] == r.status:
            continue
        rows.append({"id": gid, "name": r.name, "owner": r.owner, "was": was_of[gid], "now": r.status,
                     "as_of": as_of, "rule": r.rule, "worse": got_worse(was_of[gid], r.status), "since": since})
    out = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return out.sort_values("worse", ascending=False, kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------- payouts

PLAN_COLUMNS = ("plan", "threshold", "accelerator", "cap", "target_bonus", "reward")


def payouts(scorecard: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Incentive payout per owner and plan.

    Each goal's ``reward`` names a plan (a row of ``plans``: plan, threshold,
    accelerator, cap, target_bonus, reward). For an owner and plan the payout
    fraction is Σ weight × PAYOUT(achievement, threshold, accelerator, cap) / Σ weight
    over the owner's goals on that plan; the amount is fraction × target_bonus. The
    projected payout does the same with each goal's forecast achievement (what is
    paid at the end if the forecast holds). A plan
    with a text reward (team lunch, public recognition) and no bonus is "earned" when
    the owner's weighted achievement reaches its threshold.
    """
    p = plans.rename(columns=lambda c: canonical(c, aliases=False)).copy()
    if "plan" not in p.columns:
        raise ReviewError(Message(N_("reward plans: the table needs a 'Plan' column")))
    for col, default in (("threshold", 0.0), ("accelerator", 1.0), ("cap", np.nan), ("target_bonus", 0.0),
                         ("reward", "")):
        if col not in p.columns:
            p[col] = default
    by_plan = {str(r.plan).strip().casefold(): r for r in p.itertuples(index=False)}
    rows = []
    card = scorecard[scorecard["reward"].astype(str).str.strip() != ""]
    for (owner, plan_name), grp in card.groupby([card["owner"], card["reward"].astype(str).str.strip()], sort=True):
        plan = by_plan.get(plan_name.casefold())
        if plan is None:
            raise ReviewError(Message(N_("goal {goal}: reward plan '{plan}' is not in the Rewards table"),
                                      goal=grp["id"].iloc[0], plan=plan_name))
        ach = grp["achievement"].to_numpy(dtype=float)
        w = grp["weight"].fillna(1.0).to_numpy(dtype=float)
        ok = ~np.isnan(ach)
        cap = _f(plan.cap)
        frac = metrics.payout(ach[ok], _f(plan.threshold), _f(plan.accelerator) if not math.isnan(_f(plan.accelerator)) else 1.0,
                              None if math.isnan(cap) else cap) if ok.any() else np.array([])
        frac = np.asarray(frac, dtype=float) if not isinstance(frac, str) else np.full(ok.sum(), np.nan)
        wsum = w[ok].sum()
        fraction = float(np.sum(frac * w[ok]) / wsum) if wsum > 0 else math.nan
        fach = grp["forecast_achievement"].to_numpy(dtype=float) if "forecast_achievement" in grp else ach
        fok = ~np.isnan(fach)
        ffrac = metrics.payout(fach[fok], _f(plan.threshold), _f(plan.accelerator) if not math.isnan(_f(plan.accelerator)) else 1.0,
                               None if math.isnan(cap) else cap) if fok.any() else np.array([])
        ffrac = np.asarray(ffrac, dtype=float) if not isinstance(ffrac, str) else np.full(fok.sum(), np.nan)
        fw = w[fok].sum()
        projected = float(np.sum(ffrac * w[fok]) / fw) if fw > 0 else math.nan
        weighted_ach = float(np.sum(ach[ok] * w[ok]) / wsum) if wsum > 0 else math.nan
        bonus = _f(plan.target_bonus)
        reward_text = str(plan.reward) if isinstance(plan.reward, str) else ""
        rows.append({
            "owner": owner, "plan": plan.plan, "goals": ", ".join(grp["id"]), "achievement": weighted_ach,
            "payout_fraction": fraction, "target_bonus": 0.0 if math.isnan(bonus) else bonus,
            "payout": fraction * bonus if not math.isnan(bonus) and not math.isnan(fraction) else 0.0,
            "projected_fraction": projected,
            "projected_payout": projected * bonus if not math.isnan(bonus) and not math.isnan(projected) else 0.0,
            "reward": reward_text,
            "reward_earned": bool(reward_text) and not math.isnan(weighted_ach) and weighted_ach >= _f(plan.threshold),
        })
    return pd.DataFrame(rows, columns=["owner", "plan", "goals", "achievement", "payout_fraction", "target_bonus",
                                       "payout", "projected_fraction", "projected_payout", "reward", "reward_earned"])
