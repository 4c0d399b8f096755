"""What refresh writes: the rows of the sheets (and regions) kpi-xl owns.

Built from an engine result, as plain Python values (numbers, text, dates), so
the template builder (XlsxWriter) and the headless refresh (surgical zip writer)
and the live refresh (xlwings) all write the same cells. The engine speaks in
:class:`~kpi_xl.i18n.Message` objects; here they become the workbook's language.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import i18n, labels
from ..goals import grade_okrs, payouts, smart_check, snapshot, status_changes
from ..goals import review_period as period_of
from ..goals.cascade import owner_achievement, with_rollups
from ..goals.scorecard import Result, expected_share
from ..goals.smart import verdict_text
from . import layout

#: Columns that hold a goal's own values (shown as % for goals measured in %).
VALUE_KEYS = ("actual", "target", "expected", "forecast", "baseline")


def percent_rows(rows: list[list[Any]], columns: tuple, unit_of: dict[str, str], id_key: str = "id") -> list[list[int]]:
    """For each row, the column indexes whose value should look like a percentage."""
    keys = [c[0] for c in columns]
    ids = keys.index(id_key)
    value_cols = [i for i, k in enumerate(keys) if k in VALUE_KEYS]
    return [value_cols if _unit(unit_of.get(str(r[ids]))) == "%" else [] for r in rows]


def _unit(u: Any) -> str:
    """A unit as typed, full-width forms (of % or NT$) read as ASCII."""
    return unicodedata.normalize("NFKC", str(u or "")).strip()


#: Units that are money (ISO codes and signs; "\u5143" is yuan/NT dollar): their values show as amounts.
CURRENCIES = {"TWD", "NTD", "NT$", "USD", "US$", "$", "EUR", "\u20ac", "JPY", "GBP", "\u00a3", "CNY", "HKD", "\u5143"}


def money_rows(rows: list[list[Any]], columns: tuple, unit_of: dict[str, str], id_key: str = "id") -> list[list[int]]:
    """For each row, the column indexes whose value is an amount of money."""
    keys = [c[0] for c in columns]
    ids = keys.index(id_key)
    value_cols = [i for i, k in enumerate(keys) if k in VALUE_KEYS]
    return [value_cols if _unit(unit_of.get(str(r[ids]))).upper() in CURRENCIES else [] for r in rows]


#: Measures whose values are counts of rows or distinct values: shown as whole numbers.
COUNTING = {"COUNT", "DISTINCT", "TICKETS_RESOLVED"}


def count_rows(rows: list[list[Any]], columns: tuple, counts: frozenset[str], id_key: str = "id") -> list[list[int]]:
    """For each row, the column indexes whose value is a count (2,885 orders, not 2,885.00)."""
    keys = [c[0] for c in columns]
    ids = keys.index(id_key)
    value_cols = [i for i, k in enumerate(keys) if k in VALUE_KEYS]
    return [value_cols if str(r[ids]) in counts else [] for r in rows]


#: How many review periods the trend chart shows (the latest ones). It follows every goal
#: that has an achievement at the top two levels (company and team goals, not the
#: individual ones below them), in Goals-table order, up to the most lines an Excel chart
#: holds (the first ones; a warning says so).
TREND_PERIODS = 24
TREND_MAX_GOALS = 255


def localized(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with every message in it (status, reason, grade...) as text in ``lang``."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(lambda v: i18n.text(v, lang))
    return out


def _clean(v: Any) -> Any:
    """NaN → blank; numpy scalars → Python; dates stay dates."""
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if v is pd.NaT:
        return None
    return v


@dataclass
class Owned:
    """Every owned region's rows for one refresh."""

    scorecard: list[list[Any]]
    history: list[list[Any]]
    kr_out: list[list[Any]]
    objectives: list[list[Any]]
    payouts: list[list[Any]]
    goal_chart: list[list[Any]]
    trend_chart: list[list[Any]]
    owner_chart: list[list[Any]]
    as_of: dt.date
    unit_by_id: dict[str, str]
    smart_by_id: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    counts: frozenset[str] = frozenset()  # goals that count things (rows, distinct values): whole numbers
    trend_before: int = 0  # goal columns the trend held before this refresh (emptied when fewer now)
    # the Scorecard's Changes region: its header row, then one row per goal whose status changed
    # since the previous review period (or one row saying there is none); None: not written
    changes: list[list[Any]] | None = None
    worse: tuple[str, ...] = ()  # ids of the goals whose status got worse since the previous period
    change_frame: pd.DataFrame | None = None  # the changes as the engine found them (status ids)


def build_owned(result: Result, tables: dict[str, pd.DataFrame], key_results: pd.DataFrame, plans: pd.DataFrame,
                history: pd.DataFrame | None, notes: dict[str, str], lang: str, review_period: str = "month") -> Owned:
    """The owned rows for a computed scorecard.

    ``notes`` are the check-in notes typed on the Scorecard (goal id → text); they
    are written back beside their goal and into this period's history snapshot.
    """
    lang = i18n.language(lang)
    card = localized(result.scorecard, lang)
    smart = smart_check(result.goals_as_written(), tables)
    smart_text = {r["id"]: verdict_text(r).text(lang) for _, r in smart.iterrows()}
    card["smart"] = card["id"].map(smart_text).astype(object).fillna("")
    card["note"] = card["id"].map(notes).astype(object).fillna("")
    card = with_rollups(card)
    scorecard_rows = [[_clean(r[k]) for k, *_ in layout.SCORECARD_COLUMNS] for _, r in card.iterrows()]

    changed = status_changes(history, result.scorecard.assign(rule=card["rule"].to_numpy()), result.as_of,
                             review_period)
    notes_frame = pd.DataFrame({"id": list(notes), "note": list(notes.values())}) if notes else None
    hist = snapshot(history, card, result.as_of, review_period, notes=notes_frame)
    history_rows = [[_clean(r[k]) for k, *_ in layout.HISTORY_COLUMNS] for _, r in hist.iterrows()]

    krs, objs = grade_okrs(key_results, card) if len(key_results) else (pd.DataFrame(), pd.DataFrame())
    krs, objs = localized(krs, lang), localized(objs, lang)
    kr_rows = [[_clean(r[k]) for k, *_ in layout.KR_OUT_COLUMNS] for _, r in krs.iterrows()]
    obj_rows = [[_clean(r[k]) for k, *_ in layout.OBJECTIVE_COLUMNS] for _, r in objs.iterrows()]

    pay = payouts(card, plans) if len(plans) else pd.DataFrame(columns=[c for c, *_ in layout.PAYOUT_COLUMNS])
    yes, no = i18n.pgettext("reward earned", "Yes", lang), i18n.pgettext("reward earned", "Not yet", lang)
    pay_rows = []
    for _, r in pay.iterrows():
        row = [_clean(r[k]) for k, *_ in layout.PAYOUT_COLUMNS]
        row[-1] = (yes if r["reward_earned"] else no) if r["reward"] else None
        pay_rows.append(row)

    measured = card[card["achievement"].notna()]
    goal_chart = [[_clean(i), _clean(a), _clean(e)]
                  for i, a, e in zip(measured["id"], measured["achievement"], expected_share(measured))]
    owner_chart = [[o, _clean(a)] for o, a in owner_achievement(card).itertuples(index=False)]
    trend, eligible = _trend(hist, card)
    warnings = [i18n.text(w, lang) for w in result.warnings]
    if eligible > TREND_MAX_GOALS:
        warnings.append(trend_note(eligible, lang))
    return Owned(scorecard_rows, history_rows, kr_rows, obj_rows, pay_rows, goal_chart, trend, owner_chart,
                 result.as_of, dict(zip(card["id"], card["unit"])), smart_text, warnings,
                 frozenset(str(i) for i, k in zip(card["id"], card["kpi"]) if str(k).upper() in COUNTING),
                 changes=change_rows(changed, hist, result.as_of, review_period, lang),
                 worse=tuple(changed.loc[changed["worse"], "id"]), change_frame=changed)


def change_rows(changed: pd.DataFrame, hist: pd.DataFrame, as_of: dt.date, kind: str, lang: str) -> list[list[Any]]:
    """The Changes region: its header, then each changed goal (ID, goal, status before, status
    now, as of, why), or one row that says no status changed (and since when)."""
    words = labels.STATUS[lang]
    rows: list[list[Any]] = [layout.header(layout.CHANGES_COLUMNS, lang)]
    for r in changed.itertuples(index=False):
        rows.append([r.id, r.name, words.get(r.was, r.was), words.get(r.now, r.now), r.as_of, _clean(r.rule)])
    if len(rows) == 1:
        now = period_of(as_of, kind)
        earlier = sorted(p for p in {str(p) for p in hist["period"]} if p < now)
        said = (i18n.Message(i18n.N_("No status changed since {period}"), period=earlier[-1]) if earlier else
                i18n.Message(i18n.N_("No earlier review period to compare with yet")))
        rows.append([None, said.text(lang), None, None, as_of, None])
    return rows


@dataclass(frozen=True)
class Region:
    """A block refresh writes: columns ``first``..``last`` of ``sheet`` from ``top`` down."""

    key: str  # which block: scorecard, history, kr_out, objectives, payouts, chart...
    sheet: str
    top: int
    first: int
    last: int
    rows: list[list[Any]]


def owned_regions(owned: Owned, lang: str) -> list[Region]:
    """Every block refresh writes, where it sits; the one source for the file writer,
    the live (xlwings) writer and the formula evaluator's view of the new values."""
    S = lambda key: layout.sheet(key, lang)  # noqa: E731
    kr_left = len(layout.KR_COLUMNS) + 2
    obj_left = kr_left + len(layout.KR_OUT_COLUMNS) + 1
    pay_left = len(layout.PLAN_COLUMNS) + 2
    return [
        Region("scorecard", S("scorecard"), 2, 1, len(layout.SCORECARD_COLUMNS), owned.scorecard),
        Region("history", S("history"), 2, 1, len(layout.HISTORY_COLUMNS), owned.history),
        Region("kr_out", S("okr"), 2, kr_left, kr_left + len(layout.KR_OUT_COLUMNS) - 1, owned.kr_out),
        Region("objectives", S("okr"), 2, obj_left, obj_left + len(layout.OBJECTIVE_COLUMNS) - 1, owned.objectives),
        Region("payouts", S("rewards"), 2, pay_left, pay_left + len(layout.PAYOUT_COLUMNS) - 1, owned.payouts),
        Region("goal_chart", S("chartdata"), 2, 1, 3, owned.goal_chart),
        # as wide as the goals it follows now or before: a goal no longer followed leaves no stale column
        Region("trend_chart", S("chartdata"), 1, layout.TREND_COL,
               layout.TREND_COL + max(len(owned.trend_chart[0]) - 1, owned.trend_before, 1), owned.trend_chart),
        Region("owner_chart", S("chartdata"), 2, 13, 14, owned.owner_chart),
        Region("as_of", S("chartdata"), 1, 17, 17, [[owned.as_of]]),
    ] + ([Region("changes", S("scorecard"), 1, layout.CHANGES_COL, layout.CHANGES_COL + len(layout.CHANGES_COLUMNS) - 1,
                 owned.changes)] if owned.changes is not None else [])


#: The widest a goal-name column grows to fit its longest name (a longer one is cut, as any text).
NAME_WIDTH_MAX = 90
#: The regions with a goal-name column and their columns.
_NAMED = {"scorecard": layout.SCORECARD_COLUMNS, "history": layout.HISTORY_COLUMNS,
          "changes": layout.CHANGES_COLUMNS}


def name_width(rows: list[list[Any]], columns, lang: str) -> float | None:
    """The width that shows the longest goal name of ``rows`` (laid out as ``columns``) whole, up
    to :data:`NAME_WIDTH_MAX`; None when they name none."""
    from .functions_sheet import text_width

    j = [c[0] for c in columns].index("name")
    names = [r[j] for r in rows if j < len(r) and isinstance(r[j], str)]
    return min(max(text_width(n, lang) for n in names), NAME_WIDTH_MAX) if names else None


def name_widths(owned: Owned, lang: str) -> dict[tuple[str, int], float]:
    """(sheet, 1-based column) → :func:`name_width` of the names written there: the Scorecard's,
    its Changes region's and the History's Goal columns, so a long name is not cut at the Owner
    column."""
    out: dict[tuple[str, int], float] = {}
    for reg in owned_regions(owned, lang):
        if reg.key not in _NAMED:
            continue
        rows = reg.rows[1:] if reg.key == "changes" else reg.rows  # the Changes region starts with its header
        width = name_width(rows, _NAMED[reg.key], lang)
        if width is not None:
            out[(reg.sheet, reg.first + [c[0] for c in _NAMED[reg.key]].index("name"))] = width
    return out


def old_trend_region(owned: Owned, lang: str) -> Region:
    """The trend where a workbook made by an earlier kpi-xl plots it ('Chart data'!E:K: its first
    six goals), for the button's refresh, which writes cells but leaves charts as they are (the
    headless refresh moves such a chart to the columns that grow)."""
    first, last = layout.OLD_TREND_COLS
    return Region("old_trend_chart", layout.sheet("chartdata", lang), 1, first, last,
                  [r[:last - first + 1] for r in owned.trend_chart])


def _trend(hist: pd.DataFrame, card: pd.DataFrame) -> tuple[list[list[Any]], int]:
    """Rows: period, then the achievement of each followed goal (header row first); and how
    many goals the trend would follow without the limit of a chart's lines."""
    eligible = list(card.loc[card["achievement"].notna() & (card["level"] <= 2), "id"])
    followed = eligible[:TREND_MAX_GOALS]
    periods = sorted(set(hist["period"]))[-TREND_PERIODS:]
    table = hist[hist["id"].isin(followed)].pivot_table(index="period", columns="id", values="achievement",
                                                        aggfunc="last")
    rows = [["", *followed]]
    for p in periods:
        rows.append([p, *[_clean(table.at[p, g]) if p in table.index and g in table.columns else None
                          for g in followed]])
    return rows, len(eligible)


def trend_note(eligible: int, lang: str) -> str:
    """The warning when more goals could be on the trend chart than a chart has lines."""
    return i18n.Message(i18n.N_(
        "{sheet}: the trend chart draws the first {shown} of the {total} company and team goals (a chart "
        "holds at most {shown} lines); every goal is on the Scorecard and the History"),
        sheet=layout.sheet("dashboard", lang), shown=TREND_MAX_GOALS, total=eligible).text(lang)


def month_end_history(compute_at, months: list[dt.date], lang: str) -> pd.DataFrame:
    """A history as if the scorecard had been refreshed at each of ``months`` (for the sample), its
    statuses in ``lang`` as a refresh writes them."""
    hist = None
    for day in months:
        res = compute_at(day)
        hist = snapshot(hist, with_rollups(localized(res.scorecard, lang)), day, "month")
    return hist
