"""The goals table: its columns, their defaults, and reading it with row-numbered errors.

A goal is one row. Column names are matched without regard to case, spaces or
underscores ("Start date" = "start_date"). Required: id and name. A goal without
a KPI, target or dates is kept (the SMART check says what it lacks) but gets no
numbers; a value that is there but malformed is an error.

How a goal names its data (the grammar docs/goals.md explains):

* **KPI** - a measure of the engine (SUM, COUNT, AVERAGE, MIN, MAX, DISTINCT) or a
  trackable KPI function of the registry (AOV, CONVERSION, CHURN, NPS, ...).
* **Table** - a data table (an Excel Table's name or its sheet's name, any case).
* **Columns** - the KPI's arguments in order, separated by commas (:func:`parse_columns`):
  SUM, AVERAGE, MIN, MAX and DISTINCT take one column; COUNT and TICKETS_RESOLVED none
  (they count the rows dated in each period); a KPI function takes its arguments
  (``AOV``: revenue, orders). A column is named as in the table's header; a value is a
  number or "quoted" text, and is accepted only where the KPI takes one value (e.g.
  ``SOURCE_SHARE(Source, "Organic", Sessions)``) or an optional argument
  (``NRR(Starting MRR, 0, 0, Churned MRR)``); see :func:`kpi_xl.goals.measure.build`.
* **Date column** - the column that dates each row (default "Date"): dates, ISO text
  (2026-01-15, 2026/01/15), Excel serial numbers in any number format, or 8-digit
  YYYYMMDD numbers or text (:func:`kpi_xl.goals.data.read_dates`).
* **Filter** - ``Column=Value`` conditions separated by ``;``, all of which must hold
  (:func:`parse_filter`): numbers compare as numbers (``Items=1`` matches 1.0 and "1"),
  text without regard to case or full-width forms, ``Region=`` matches blank cells. Only
  equality: ``>``, ``<``, ``>=``, ``<=`` and ``<>`` are refused in words.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import KpiXlError
from ..excel import from_serial
from ..i18n import NC_, Join, Message, MessageError, N_, pgettext, readings

#: Measures computed straight from a data column, besides the catalog functions.
NATIVE_MEASURES = ("SUM", "COUNT", "AVERAGE", "MIN", "MAX", "DISTINCT")
#: Measures whose value over a period adds up across periods (targets are totals).
ADDITIVE = ("SUM", "COUNT")
DIRECTIONS = ("higher", "lower", "maintain")
PERIODS = ("month", "quarter", "year")
ROLLUPS = ("weighted", "sum", "min", "max")

#: column → (required, default). Defaults of None mean "blank allowed".
COLUMNS: dict[str, tuple[bool, Any]] = {
    "id": (True, None),
    "name": (True, None),
    "owner": (False, ""),
    "kpi": (False, ""),
    "table": (False, ""),
    "columns": (False, ""),
    "date_column": (False, "Date"),
    "filter": (False, ""),
    "unit": (False, ""),
    "direction": (False, "higher"),
    "band_low": (False, None),
    "band_high": (False, None),
    "baseline": (False, None),
    "target": (False, None),
    "start": (False, None),
    "end": (False, None),
    "period": (False, "month"),
    "weight": (False, 1.0),
    "parent": (False, ""),
    "rollup": (False, "weighted"),
    "strategy": (False, ""),
    "reward": (False, ""),
}

#: Other spellings people use for a column, after normalising case and spaces.
ALIASES = {
    "goal": "name", "goal_id": "id", "measure": "kpi", "kpi_function": "kpi", "data_table": "table",
    "source": "table", "value_column": "columns", "value_columns": "columns", "arguments": "columns",
    "date": "date_column", "start_date": "start", "end_date": "end", "parent_goal": "parent",
    "parent_id": "parent", "roll_up": "rollup", "reward_plan": "reward", "reward_link": "reward",
    "low": "band_low", "high": "band_high", "review_period": "period",
}


#: Goals table: canonical key → header (English; context "goals column"). People may type
#: any language's header: every catalog's translation is read (:func:`canonical`).
GOAL_HEADERS = {
    "id": NC_("goals column", "ID"), "name": NC_("goals column", "Goal"), "owner": NC_("goals column", "Owner"),
    "kpi": NC_("goals column", "KPI"), "table": NC_("goals column", "Table"),
    "columns": NC_("goals column", "Columns"), "date_column": NC_("goals column", "Date column"),
    "filter": NC_("goals column", "Filter"), "unit": NC_("goals column", "Unit"),
    "direction": NC_("goals column", "Direction"), "band_low": NC_("goals column", "Band low"),
    "band_high": NC_("goals column", "Band high"), "baseline": NC_("goals column", "Baseline"),
    "target": NC_("goals column", "Target"), "start": NC_("goals column", "Start"), "end": NC_("goals column", "End"),
    "period": NC_("goals column", "Period"), "weight": NC_("goals column", "Weight"),
    "parent": NC_("goals column", "Parent"), "rollup": NC_("goals column", "Roll-up"),
    "strategy": NC_("goals column", "Strategy"), "reward": NC_("goals column", "Reward plan"),
}

#: Words in drop-downs: column → canonical → English word (context: the column). The engine
#: reads any language's word (:data:`CHOICE_WORDS`).
CHOICES = {
    "direction": {"higher": NC_("direction", "higher"), "lower": NC_("direction", "lower"),
                  "maintain": NC_("direction", "maintain")},
    "period": {"month": NC_("period", "month"), "quarter": NC_("period", "quarter"), "year": NC_("period", "year")},
    "rollup": {"weighted": NC_("rollup", "weighted"), "sum": NC_("rollup", "sum"), "min": NC_("rollup", "min"),
               "max": NC_("rollup", "max")},
}


def goal_header(key: str, lang: str | None = None) -> str:
    """The Goals table's header of column ``key`` in ``lang``."""
    return pgettext("goals column", GOAL_HEADERS[key], lang)


def choice(column: str, key: str, lang: str | None = None) -> str:
    """The drop-down word for ``key`` of ``column`` ("direction", "period", "rollup") in ``lang``."""
    return pgettext(column, CHOICES[column][key], lang)


def _aliases() -> dict[str, str]:
    """:data:`ALIASES` and every catalog's Goals headers, normalised like :func:`canonical`."""
    return _aliases_of(tuple(readings("goals column", GOAL_HEADERS.values()).items()))


@functools.lru_cache(maxsize=8)  # one per set of catalogs: canonical() runs for every column of every table
def _aliases_of(words: tuple[tuple[str, str], ...]) -> dict[str, str]:
    english = {text: key for key, text in GOAL_HEADERS.items()}
    out = dict(ALIASES)
    for word, text in words:
        out[re.sub(r"[\s\-]+", "_", word.strip().lower())] = english[text]
    return out


class _ChoiceWords(Mapping):
    """A drop-down word in any language (casefolded) → the canonical word, per column."""

    def __getitem__(self, column: str) -> dict[str, str]:
        english = {text: key for key, text in CHOICES[column].items()}
        return {word: english[text] for word, text in readings(column, CHOICES[column].values()).items()}

    def __iter__(self):
        return iter(CHOICES)

    def __len__(self) -> int:
        return len(CHOICES)


#: A drop-down word in any language → the canonical word, per column.
CHOICE_WORDS = _ChoiceWords()


class GoalsError(KpiXlError):
    """The goals table has rows that cannot be used; ``problems`` lists each one."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__(self.text())

    def text(self, lang: str | None = None) -> str:
        """Every problem (the first 20) in ``lang``, one a line."""
        lines = [p.text(lang) for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(Message(N_("... and {n} more"), n=len(self.problems) - 20).text(lang))
        head = Message(N_("{n} problem(s) in the goals table:"), n=len(self.problems)).text(lang)
        return "\n".join([head, *lines])


@dataclass(frozen=True)
class Problem:
    row: int  # 1-based row number in the table (the header is row 0... data starts at 1)
    column: str
    message: Message

    def text(self, lang: str | None = None) -> str:
        column = Message(GOAL_HEADERS[self.column], context="goals column") if self.column in GOAL_HEADERS \
            else self.column  # the header the reader sees, in their language
        return Message(N_("row {row}, column {column}: {problem}"), row=self.row, column=column,
                       problem=self.message).text(lang)

    def __str__(self) -> str:
        return self.text()


#: Quotes a Taiwanese keyboard types around a literal, besides the ASCII double quote.
QUOTES = {"\u300c": "\u300d", "\u300e": "\u300f", '"': '"'}  # corner brackets, white corner brackets


def typed(text: Any) -> str:
    """What the user typed, with full-width forms read as their ASCII ones (NFKC):
    full-width commas, semicolons, equals and percent signs, digits and letters (the
    defaults of a Chinese input method) mean what , ; = % and 0-9 A-Z mean."""
    return unicodedata.normalize("NFKC", str(text))


def canonical(name: Any, aliases: bool = True) -> str:
    """'Start date ' → 'start_date'; applies the goals table's :data:`ALIASES` unless told not to."""
    key = re.sub(r"[\s\-]+", "_", typed(name).strip().lower())
    return _aliases().get(key, key) if aliases else key


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()) or (
        v is pd.NaT
    )


def _blank_column(s: pd.Series) -> pd.Series:
    b = s.isna()
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        b |= s.astype(str).str.strip().eq("")
    return b


LAST_YEAR = 9998  # a goal's periods are paced to the day after its end: Excel's dates stop at 9999-12-31


def as_date(v: Any) -> dt.date | None:
    """A cell's date as the goals table reads it: a date or datetime, an Excel serial
    number (days since 1899-12-30) or text, ISO ("2026-06-15") or Taiwan's "2026/06/15"; None for a blank or
    anything else."""
    if _blank(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return from_serial(v).date()
        except (OverflowError, ValueError):  # past 9999-12-31: no date at all
            return None
    if isinstance(v, str):
        return _date_text(typed(v).strip())
    return None


def _date_text(text: str) -> dt.date | None:
    """A date typed as text: ISO (2026-12-31) or as Taiwan writes it (2026/12/31, 2026/1/5),
    with an optional time after it."""
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?", text)
    if not m:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None


def _number(v: Any) -> float | None:
    if _blank(v):
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, str):
        t = typed(v).strip()
        try:
            return float(t.replace(",", "").rstrip("%")) / (100.0 if t.endswith("%") else 1.0)
        except ValueError:
            return None
    return None


def read_goals(frame: pd.DataFrame, known_kpis: set[str] | None = None,
               row_problems: list[Problem] | None = None) -> pd.DataFrame:
    """Validate and normalise a goals table.

    Returns a DataFrame with every column of :data:`COLUMNS` (canonical names),
    typed: dates as ``datetime.date``, numbers as float (NaN when blank), text
    stripped, kpi upper case, direction/period/rollup lower case. Raises
    :class:`GoalsError` naming each bad row (1-based, as on the sheet under its
    header) and column; no row is skipped silently. Rows that are entirely blank
    are dropped.

    Given a ``row_problems`` list, a problem of one goal's row (a bad date, number, choice,
    parent...) is added to it instead, and the row is kept with that cell read as blank;
    only what makes the table unreadable is still raised: a missing header column, a blank
    or repeated goal id.
    """
    df = frame.copy()
    df.columns = [canonical(c) for c in df.columns]
    df = df.loc[:, ~pd.Index(df.columns).duplicated()]
    if len(df):  # drop rows that are blank in every column
        blank = pd.DataFrame({c: _blank_column(df[c]) for c in df.columns}, index=df.index)
        df = df[~blank.all(axis=1)]
    problems: list[Problem] = []
    for col, (required, _) in COLUMNS.items():
        if required and col not in df.columns:
            problems.append(Problem(0, col, Message(N_("this column is missing from the header"))))
    if problems:
        raise GoalsError(problems)
    records = []
    seen: dict[str, int] = {}
    for pos, row in enumerate(df.to_dict("records"), start=1):
        rec: dict[str, Any] = {"row": pos}
        for col, (required, default) in COLUMNS.items():
            v = row[col] if col in df.columns else None
            if _blank(v):
                if required:
                    problems.append(Problem(pos, col, Message(N_("is blank"))))
                rec[col] = default
            else:
                rec[col] = v
        gid = "" if _blank(rec["id"]) else str(rec["id"]).strip()
        rec["id"] = gid
        if gid:
            if gid in seen:
                problems.append(Problem(pos, "id", Message(N_("'{goal}' is used again (first on row {row})"), goal=gid,
                                                           row=seen[gid])))
            seen.setdefault(gid, pos)
        for col in ("name", "owner", "table", "columns", "date_column", "filter", "unit", "parent", "strategy",
                    "reward"):
            rec[col] = "" if _blank(rec[col]) else str(rec[col]).strip()
        rec["kpi_text"] = "" if _blank(rec["kpi"]) else typed(rec["kpi"]).strip()
        kpi = rec["kpi_text"].upper().lstrip("=").split("(")[0].strip()
        rec["kpi"] = kpi
        if kpi and known_kpis is not None and kpi not in known_kpis and kpi not in NATIVE_MEASURES:
            problems.append(Problem(pos, "kpi", Message(N_("'{kpi}' is not a KPI function or a measure ({measures})"),
                                                        kpi=rec["kpi_text"], measures=Join(NATIVE_MEASURES))))
        for col, allowed in (("direction", DIRECTIONS), ("period", PERIODS), ("rollup", ROLLUPS)):
            v = typed(rec[col]).strip().lower()
            v = CHOICE_WORDS[col].get(v, v)
            if v not in allowed:
                problems.append(Problem(pos, col, Message(N_("'{value}' is not one of {allowed}"), value=rec[col],
                                                          allowed=Join(Message(a, context=col) for a in allowed))))
            rec[col] = v
        for col in ("target", "baseline", "band_low", "band_high", "weight"):
            raw = rec[col]
            if raw is None:
                rec[col] = math.nan
                continue
            num = _number(raw)
            if num is None:
                problems.append(Problem(pos, col, Message(N_("'{value}' is not a number"), value=raw)))
                num = math.nan
            rec[col] = num
        if not math.isnan(rec["weight"]) and rec["weight"] < 0:
            problems.append(Problem(pos, "weight", Message(N_("must not be negative"))))
        for col in ("start", "end"):
            raw = rec[col]
            d = as_date(raw)
            if raw is not None and d is None:
                problems.append(Problem(pos, col, Message(N_("'{value}' is not a date"), value=raw)))
            elif d is not None and d.year > LAST_YEAR:
                problems.append(Problem(pos, col, Message(N_("'{value}' is too far ahead (goals must end by {last})"),
                                                          value=d, last=dt.date(LAST_YEAR, 12, 31))))
                d = None
            rec[col] = d
        if rec["start"] and rec["end"] and rec["end"] < rec["start"]:
            problems.append(Problem(pos, "end", Message(N_("{end} is before the start {start}"), end=rec["end"],
                                                        start=rec["start"])))
        target, base = rec["target"], rec["baseline"]
        if rec["direction"] == "higher" and not math.isnan(target):
            if math.isnan(base) and target <= 0:
                problems.append(Problem(pos, "target", Message(
                    N_("{target:g}: a 'higher' goal needs a target above 0 (or a baseline below the target)"),
                    target=target)))
            elif not math.isnan(base) and target <= base:
                problems.append(Problem(pos, "target", Message(
                    N_("{target:g} is not above the baseline {baseline:g} of a 'higher' goal"),
                    target=target, baseline=base)))
        if rec["direction"] == "maintain":
            lo, hi = rec["band_low"], rec["band_high"]
            if math.isnan(lo) or math.isnan(hi):
                problems.append(Problem(pos, "band_low", Message(N_("a 'maintain' goal needs band_low and band_high"))))
            elif lo > hi:
                problems.append(Problem(pos, "band_high", Message(N_("{high:g} is below band_low {low:g}"), high=hi,
                                                                  low=lo)))
        records.append(rec)
    for rec in records:
        if rec["parent"] and rec["parent"] not in seen:
            problems.append(Problem(rec["row"], "parent", Message(N_("no goal has the id '{goal}'"), goal=rec["parent"])))
        if rec["parent"] and rec["parent"] == rec["id"]:
            problems.append(Problem(rec["row"], "parent", Message(N_("a goal cannot be its own parent"))))
    if row_problems is not None:  # one row's problem stops that goal only
        fatal = [p for p in problems if p.column == "id"]
        if fatal:
            raise GoalsError(fatal)
        row_problems.extend(problems)
        for p in problems:
            if p.column == "parent":
                records[p.row - 1]["parent"] = ""
        problems = []
    if problems:
        raise GoalsError(problems)
    out = pd.DataFrame.from_records(records, columns=["row", *COLUMNS, "kpi_text"])
    return out


def parse_columns(spec: str) -> list[str | float | None]:
    """The ``columns`` cell: the KPI's arguments in order, separated by commas. A name is a
    column of the goal's table; "quoted" (or corner-bracketed) text and numbers are values
    (e.g. ``Source, "Organic", Sessions``). An entry left blank between commas is None (the
    engine refuses it rather than shifting the entries after it); blanks at the end are
    dropped. Full-width commas, digits and percent signs are read as ASCII (:func:`typed`)."""
    out: list[str | float | None] = []
    pattern = r'(?:"[^"]*"|\u300c[^\u300d]*\u300d|\u300e[^\u300f]*\u300f|[^,"\u300c\u300e])*'
    text = typed(spec or "")
    if not text.strip():
        return out
    for m in re.finditer(pattern + r"(?:,|$)", text):
        p = m.group(0).rstrip(",").strip()
        if m.start() == len(text) and m.group(0) == "":
            break
        if not p:
            out.append(None)
        elif len(p) >= 2 and QUOTES.get(p[0]) == p[-1]:
            out.append(_Literal(p[1:-1]))
        else:
            num = _number(p)
            out.append(num if num is not None and re.fullmatch(r"[-+\d.,%]+", p) else p)
    while out and out[-1] is None:
        out.pop()
    return out


class _Literal(str):
    """A quoted text argument in a goal's ``columns`` cell."""


def is_literal(arg: Any) -> bool:
    return isinstance(arg, (_Literal, float))


class FilterError(MessageError, ValueError):
    """A goal's ``filter`` cell that is not ``Column=Value`` conditions."""


def parse_filter(spec: str) -> list[tuple[str, str]]:
    """The ``filter`` cell: ``Column=Value`` conditions separated by ``;``; a row counts
    when every condition holds (there is no "or": two values for one column are refused).

    * ``Region=North`` - text compares without regard to case, surrounding spaces or
      full-width forms: ``region = north`` is the same condition;
    * ``Items=1`` - numbers compare as numbers: it matches 1, 1.0 and the text "1";
      ``Amount=0`` matches 0.0;
    * ``Region=`` (nothing after ``=``) - the rows whose Region is blank;
    * ``Note="a=b"`` - a value holding ``=`` or ``;`` goes in double quotes (or corner brackets).

    Only equality: comparisons such as ``Amount>100``, ``<``, ``>=``, ``<=`` or ``<>`` are
    refused with a message, as is a part with more than one ``=`` (``Region=North, Stage=Won``:
    the conditions are separated by ``;``, not ``,``). Full-width semicolons and equals signs
    are read as ASCII (:func:`typed`). Raises :class:`FilterError` in words."""
    out: list[tuple[str, str]] = []
    text = typed(spec or "")
    parts = re.findall(r'(?:"[^"]*"|\u300c[^\u300d]*\u300d|\u300e[^\u300f]*\u300f|[^;"\u300c\u300e])+', text)
    for part in parts:
        if not part.strip():
            continue
        part = part.strip()
        col, eq, val = (x.strip() for x in part.partition("="))
        if not eq or col[-1:] in ("<", ">", "!") or val[:1] in ("<", ">"):  # Amount>5, Amount>=5, Amount=>5
            if re.search(r"[<>]|!=", part):
                raise FilterError(Message(N_("'{part}': a filter only tests equality (Column=Value); comparisons "
                                             "such as >, <, >=, <= or <> are not supported"), part=part))
            raise FilterError(Message(N_("'{part}' is not Column=Value"), part=part))
        if len(val) >= 2 and QUOTES.get(val[0]) == val[-1]:
            val = val[1:-1]
        elif "=" in val:
            raise FilterError(Message(N_("'{part}' has more than one '=': separate conditions with ';' (a value "
                                         "holding '=' goes in double quotes)"), part=part))
        if not col:
            raise FilterError(Message(N_("'{part}' names no column before '='"), part=part))
        out.append((col, val))
    return out
