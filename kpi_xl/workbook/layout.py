"""Where everything sits in a kpi-xl workbook, and what it is called in each language.

One place for sheet names, Excel Table names, column headers and the words in
drop-downs, so the template builder, the refresh (live and headless) and the
share copy agree. Excel Table names stay ASCII in every language (Deals,
Orders...); sheet names and headers are English here and follow the workbook's
language through the catalogs (contexts "sheet", "column", "header", "setting").
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import NC_, languages, pgettext

#: Sheet keys in workbook order (data sheets come after Functions).
SHEETS = ("start", "goals", "scorecard", "dashboard", "history", "okr", "rewards", "settings", "functions")
DATA = ("Deals", "Subscriptions", "Orders", "Marketing", "Activities", "Tickets", "Web")
#: Sheets refresh rewrites (a region of them: see OWNED_REGIONS); everything else is the user's.
OWNED = ("scorecard", "history", "okr", "rewards", "chartdata")

#: Sheet key → English sheet name (context "sheet").
SHEET_NAMES = {
    "start": NC_("sheet", "Start"), "goals": NC_("sheet", "Goals"), "scorecard": NC_("sheet", "Scorecard"),
    "dashboard": NC_("sheet", "Dashboard"), "history": NC_("sheet", "History"), "okr": NC_("sheet", "OKR"),
    "rewards": NC_("sheet", "Rewards"), "settings": NC_("sheet", "Settings"), "functions": NC_("sheet", "Functions"),
    "chartdata": NC_("sheet", "Chart data"), "sources": NC_("sheet", "Sources"),
    "Deals": NC_("sheet", "Deals"), "Subscriptions": NC_("sheet", "Subscriptions"), "Orders": NC_("sheet", "Orders"),
    "Marketing": NC_("sheet", "Marketing"), "Activities": NC_("sheet", "Activities"),
    "Tickets": NC_("sheet", "Tickets"), "Web": NC_("sheet", "Web"),
}

#: Data table column headers, English (context "column").
DATA_COLUMNS = (
    NC_("column", "Deal ID"), NC_("column", "Date"), NC_("column", "Owner"), NC_("column", "Region"),
    NC_("column", "Customer"), NC_("column", "Stage"), NC_("column", "Won"), NC_("column", "Closed"),
    NC_("column", "Value"), NC_("column", "Term years"), NC_("column", "One-time fee"), NC_("column", "Month"),
    NC_("column", "Plan"), NC_("column", "Customers at start"), NC_("column", "New customers"),
    NC_("column", "Churned customers"), NC_("column", "Customers at end"), NC_("column", "Starting MRR"),
    NC_("column", "New MRR"), NC_("column", "Expansion MRR"), NC_("column", "Contraction MRR"),
    NC_("column", "Churned MRR"), NC_("column", "Order ID"), NC_("column", "Channel"), NC_("column", "Amount"),
    NC_("column", "Cost"), NC_("column", "Spend"), NC_("column", "Impressions"), NC_("column", "Clicks"),
    NC_("column", "Leads"), NC_("column", "MQL"), NC_("column", "SQL"), NC_("column", "Type"),
    NC_("column", "Ticket ID"), NC_("column", "Created"), NC_("column", "First response"),
    NC_("column", "Resolved"), NC_("column", "Agent"), NC_("column", "Rating"), NC_("column", "NPS"),
    NC_("column", "Source"), NC_("column", "Sessions"), NC_("column", "Pageviews"), NC_("column", "Bounces"),
    NC_("column", "Conversions"),
)

#: The engine's vocabulary, read through this module too (``layout.goal_header``...): loaded from
#: :mod:`kpi_xl.goals.model` when first asked for, so that sheet names need neither the engine nor
#: pandas (the command line tells a workbook's language before loading them).
_ENGINE_WORDS = ("CHOICES", "GOAL_HEADERS", "choice", "goal_header")

SMART_HEADER_EN = NC_("header", "SMART check")


@dataclass(frozen=True)
class Region:
    """Columns first..last (1-based) from ``top_row`` down are written by refresh."""

    sheet: str
    top_row: int
    first_col: int
    last_col: int


SCORECARD_COLUMNS = (
    ("id", NC_("header", "ID")), ("name", NC_("header", "Goal")), ("owner", NC_("header", "Owner")), ("kpi", NC_("header", "KPI")),
    ("unit", NC_("header", "Unit")), ("actual", NC_("header", "Actual")), ("target", NC_("header", "Target")),
    ("expected", NC_("header", "Expected by now")), ("achievement", NC_("header", "Achievement")), ("pace", NC_("header", "Pace")),
    ("forecast", NC_("header", "Forecast")), ("chance", NC_("header", "Chance to meet")), ("status_label", NC_("header", "Status")),
    ("rule", NC_("header", "Why")), ("level", NC_("header", "Level")), ("parent", NC_("header", "Parent")),
    ("smart", NC_("header", "SMART check")), ("note", NC_("header", "Check-in note")),
)
HISTORY_COLUMNS = (
    ("period", NC_("header", "Period")), ("as_of", NC_("header", "As of")), ("id", NC_("header", "ID")), ("name", NC_("header", "Goal")),
    ("owner", NC_("header", "Owner")), ("actual", NC_("header", "Actual")), ("target", NC_("header", "Target")),
    ("achievement", NC_("header", "Achievement")), ("pace", NC_("header", "Pace")), ("forecast", NC_("header", "Forecast")),
    ("status", NC_("header", "Status")), ("note", NC_("header", "Check-in note")),
)
#: The Scorecard's Changes region: goals whose status changed since the previous review
#: period, to the right of the scorecard (header in row 1, written by refresh too).
CHANGES_COLUMNS = (
    ("id", NC_("header", "ID")), ("name", NC_("header", "Goal")), ("was", NC_("header", "Status before")),
    ("now", NC_("header", "Status now")), ("as_of", NC_("header", "As of")), ("rule", NC_("header", "Why")),
)
#: Its first column (1-based): after the scorecard, a gap and the macro button's columns (W).
CHANGES_COL = 23
KR_COLUMNS = (
    ("objective", NC_("header", "Objective")), ("key_result", NC_("header", "Key result")), ("owner", NC_("header", "Owner")),
    ("start_value", NC_("header", "Start")), ("target_value", NC_("header", "Target")), ("current_value", NC_("header", "Current")),
    ("score", NC_("header", "Score (if judged)")), ("weight", NC_("header", "Weight")), ("goal", NC_("header", "Related goal")),
)
KR_OUT_COLUMNS = (
    ("score", NC_("header", "KR score")), ("grade", NC_("header", "Grade")), ("goal_achievement", NC_("header", "Goal achievement")),
    ("goal_status", NC_("header", "Goal status")),
)
OBJECTIVE_COLUMNS = (
    ("objective", NC_("header", "Objective")), ("owner", NC_("header", "Owners")), ("key_results", NC_("header", "Key results")),
    ("score", NC_("header", "Objective score")), ("grade", NC_("header", "Grade")),
    ("goal_achievement", NC_("header", "Related goals' achievement")),
)
PLAN_COLUMNS = (
    ("plan", NC_("header", "Plan")), ("threshold", NC_("header", "Threshold")), ("accelerator", NC_("header", "Accelerator")),
    ("cap", NC_("header", "Cap")), ("target_bonus", NC_("header", "Target bonus")), ("reward", NC_("header", "Non-monetary reward")),
)
PAYOUT_COLUMNS = (
    ("owner", NC_("header", "Owner")), ("plan", NC_("header", "Plan")), ("goals", NC_("header", "Goals")),
    ("achievement", NC_("header", "Weighted achievement")), ("payout_fraction", NC_("header", "Payout %")),
    ("payout", NC_("header", "Payout now")), ("projected_payout", NC_("header", "Projected payout")),
    ("reward", NC_("header", "Non-monetary reward")), ("reward_earned", NC_("header", "Earned")),
)
RULE_COLUMNS = (("status", NC_("header", "Status")), ("measure", NC_("header", "Measure")), ("at_least", NC_("header", "At least")))
SETTING_KEYS = (
    ("company", NC_("setting", "Company")), ("as_of", NC_("setting", "As-of date (blank = today)")),
    ("language", NC_("setting", "Language")), ("review_period", NC_("setting", "Review period")),
)


def header(columns: tuple, lang: str) -> list[str]:
    """Headers of a column spec in ``lang``."""
    return [pgettext("header", c[1], lang) for c in columns]


def setting_name(key: str, lang: str) -> str:
    """The Settings sheet's name for setting ``key`` in ``lang``."""
    return pgettext("setting", dict((k, name) for k, name in SETTING_KEYS)[key], lang)


def smart_header(lang: str) -> str:
    """The Goals table's SMART verdict column in ``lang``."""
    return pgettext("header", SMART_HEADER_EN, lang)


def sheet(key: str, lang: str) -> str:
    return pgettext("sheet", SHEET_NAMES[key], lang)


def data_header(name: str, lang: str) -> str:
    """A data table's column header in ``lang`` (a column the catalogs do not know stays as it is)."""
    return pgettext("column", name, lang)


def __getattr__(name: str):
    # LANGS: every language a workbook can be in (one per catalog, English first);
    # SMART_HEADER: the SMART column's header in each of them (refresh reads any)
    if name == "LANGS":
        return languages()
    if name == "SMART_HEADER":
        return tuple(smart_header(lang) for lang in languages())
    if name in _ENGINE_WORDS:
        from ..goals import model

        value = globals()[name] = getattr(model, name)
        return value
    raise AttributeError(name)


#: The hidden chart sheet's trend (1-based column): the review periods down column V from row 2,
#: each followed goal's achievement in a column of its own to the right (its ID in row 1). Nothing
#: sits to its right, so it grows with the goals. Workbooks made by an earlier kpi-xl kept it in
#: E:K (six goals at most); refresh moves it here and empties those columns.
TREND_COL = 22
OLD_TREND_COLS = (5, 11)

#: The hidden chart sheet's lists for the Goals sheet's drop-downs (1-based columns): the
#: workbook's data tables and their column names, kept current by refresh.
LIST_TABLES_COL, LIST_COLUMNS_COL = 19, 20
#: The Settings sheet's Owner list (1-based column, first row): the user's (the template writes
#: the sample goals' owners there; refresh never writes it).
OWNER_LIST_COL, OWNER_LIST_ROW = 9, 3
#: The hidden chart sheet's list for the Goals sheet's Owner drop-down (1-based column, from row 2):
#: the Settings sheet's Owner list, then each owner a goal names, kept current by refresh.
LIST_OWNERS_COL = 21
NOT_DATA = ("Goals", "KeyResults", "RewardPlans", "StatusRules", "Sources")


def table_lists(tables, lang: str) -> tuple[list[str], list[str]]:
    """(names a goal's Table cell may hold, column names) of the data tables ``tables``
    (objects with ``display_name``, ``sheet`` and ``columns``), in workbook order. A table
    alone on its sheet is offered by its sheet's name in a language other than English
    (as the template's goals name them)."""
    data = [t for t in tables if t.display_name not in NOT_DATA]
    per_sheet: dict[str, int] = {}
    for t in data:
        per_sheet[t.sheet] = per_sheet.get(t.sheet, 0) + 1
    names = [t.sheet if lang != "en" and per_sheet[t.sheet] == 1 else t.display_name for t in data]
    columns: list[str] = []
    for t in data:
        columns += [str(c) for c in t.columns if str(c) not in columns]
    return names, columns


def list_source(sheet_name: str, col: int) -> str:
    """A drop-down's source: the filled cells of a list column (from row 2) on ``sheet_name``."""
    from ..excel import column_letter

    c = column_letter(col)
    return f"=OFFSET('{sheet_name}'!${c}$2,0,0,MAX(1,COUNTA('{sheet_name}'!${c}$2:${c}$500)),1)"


def smart_formula(scorecard_sheet: str, smart_col: str, row: int) -> str:
    """The Goals sheet's SMART cell: the verdict refresh wrote on the Scorecard for this goal's ID."""
    return (f"=IFERROR(INDEX('{scorecard_sheet}'!${smart_col}$1:${smart_col}$1000,"
            f"MATCH($A{row},'{scorecard_sheet}'!$A$1:$A$1000,0)),\"\")")
