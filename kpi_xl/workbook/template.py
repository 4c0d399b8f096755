"""Build the kpi-xl workbook from code: `kpi-xl new PATH [--lang] [--empty]`.

XlsxWriter writes it (tables, drop-downs, conditional formats, native charts,
frozen headers, number formats) with the sample company's data and its computed
scorecard in place, and with a cached result on every formula, so Excel without
the add-in, LibreOffice and phone viewers show numbers, not #NAME?.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from .. import labels, sample
from ..i18n import N_, Message, gettext, pgettext
from ..excel import column_letter, to_serial
from ..goals import compute
from ..goals.measure import TRACKABLE
from . import layout
from .layout import smart_formula
from .content import Owned, build_owned, month_end_history
from .precision import stable

#: The template's own texts, in English; shown through the catalogs (:func:`text`).
TEXT = {
    "title": N_("kpi-xl — KPIs, goals and scorecard"),
    "what": N_("This workbook keeps your KPIs next to the data they come from: goals in Goals, data in the "
               "data sheets, and a scorecard that says for every goal how far it is, whether it is on pace, "
               "where it will end and who earns what."),
    "steps": (N_("1. Put your data in the data sheets (each is an Excel Table: add rows at the bottom)."),
              N_("2. Write your goals in Goals: one row per goal, SMART: owner, KPI, target, start and end."),
              N_("3. Update the scorecard. In a macro workbook (.xlsm): click “Refresh scorecard” on the Scorecard "
                 "or Dashboard sheet. In an .xlsx workbook: save and close it, then run: kpi-xl refresh THIS_FILE. "
                 "Scorecard, History, OKR and Rewards are rewritten; your notes in “Check-in note” stay.")),
    "sheets": N_("Sheets"),
    "share": N_("To send the workbook to people without Python, run kpi-xl share THIS_FILE COPY.xlsx: the copy "
                "keeps every number and chart and has no macros or KPI formulas."),
    "guide": {
        "goals": N_("your goals, one per row (SMART check beside each)"),
        "scorecard": N_("achievement, pace, forecast and status of every goal (written by refresh)"),
        "dashboard": N_("charts: goal vs plan, trend by month, achievement by owner"),
        "history": N_("one snapshot per review period, for monthly and quarterly reviews"),
        "okr": N_("objectives and key results, graded 0–1 (0.7 is good)"),
        "rewards": N_("bonus plans and payout per owner"),
        "settings": N_("as-of date, language, review period, status rules"),
        "functions": N_("every KPI worksheet function, used on the sample data"),
    },
    # an --empty workbook's Functions sheet works each function on inputs of its own
    "functions_empty": N_("every KPI worksheet function, each worked on a small example of its own"),
    "dash_title": N_("Dashboard"), "as_of": N_("As of"), "goal_vs_plan": N_("Achievement vs where the plan expects it"),
    "achievement": N_("Achievement"), "expected": N_("Expected by now"), "trend": N_("Achievement by review period"),
    "by_owner": N_("Achievement by owner"), "status_count": N_("Goals by status"),
    "func_head": (N_("Function"), N_("Formula in the cell"), N_("Result"), N_("What it computes")),
    "rules_title": N_("Status rules (checked in order)"), "lists": N_("Lists for drop-downs"), "kpis": N_("KPIs"),
    "owners": N_("Owners"), "refresh": N_("Refresh scorecard"),
    "sources_note": N_("One row per source a goal names in its Table cell: Kind csv, parquet, excel or sql; Location "
                       "a file, a glob (orders/*.parquet) or a database URL without a password; Query a table or a "
                       "SELECT (sql). Refresh ignores this table while it is empty."),
    "spills": N_("Functions that return several values spill them into the cells below and beside when the formula "
                 "in column B is alone in a cell (Excel 365). Here each value of the whole result has a formula of its "
                 "own, INDEX(formula, row, column), so every spreadsheet program shows it:"),
}


def text(key: str, lang: str, sub: str | None = None) -> Any:
    """:data:`TEXT`'s ``key`` (``TEXT[key][sub]`` with ``sub``) in ``lang``; tuples stay tuples."""
    value = TEXT[key] if sub is None else TEXT[key][sub]
    if isinstance(value, tuple):
        return tuple(gettext(v, lang) for v in value)
    return gettext(value, lang)


PCT = {"achievement", "pace", "chance", "goal_achievement", "score", "payout_fraction", "threshold", "cap",
       "expected_share"}
MONEY = {"payout", "projected_payout", "target_bonus"}


class Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, wb, lang: str):
        # a font with the language's characters (the catalog's translation of the English font)
        font = {"font_name": pgettext("font", "Calibri", lang), "font_size": 10}
        self.base = wb.add_format(font)
        self.header = wb.add_format({**font, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF",
                                     "text_wrap": True, "valign": "top", "border": 1})
        self.title = wb.add_format({**font, "bold": True, "font_size": 16, "font_color": "#1F4E78"})
        self.subtitle = wb.add_format({**font, "bold": True, "font_size": 12, "font_color": "#1F4E78"})
        self.subtitle_wrap = wb.add_format({**font, "bold": True, "font_size": 12, "font_color": "#1F4E78",
                                            "text_wrap": True, "valign": "top"})
        self.wrap = wb.add_format({**font, "text_wrap": True, "valign": "top"})
        self.pct = wb.add_format({**font, "num_format": "0.0%"})
        self.num = wb.add_format({**font, "num_format": "#,##0.##"})
        # a goal's values in one column show the same decimals (76,109.30 beside 476,154.37)
        self.value = wb.add_format({**font, "num_format": "#,##0.00"})
        self.int = wb.add_format({**font, "num_format": "#,##0"})
        self.money = wb.add_format({**font, "num_format": "#,##0"})
        # dates and money as the language's readers write them (Taiwan: 2026/12/31, NT$ without decimals)
        self.date = wb.add_format({**font, "num_format": pgettext("number format", "yyyy-mm-dd", lang)})
        self.datetime = wb.add_format({**font, "num_format": pgettext("number format", "yyyy-mm-dd hh:mm", lang)})
        money = pgettext("money format", "#,##0.##", lang)
        # money with decimals shows two of them on every row (76,109.30 beside 476,154.37)
        self.amount = wb.add_format({**font, "num_format": "#,##0.00" if money == "#,##0.##" else money})
        self.text = wb.add_format(font)
        # text right of a column of numbers or dates keeps a space from them ('13,649,884.06At risk')
        self.text_pad = wb.add_format({**font, "indent": 1})
        # a row of wrapped text reads from its top: the cells beside it too (a name at the bottom of a
        # two-line row sat beside the next row's formula)
        self.text_top = wb.add_format({**font, "valign": "top"})
        self.num_top = wb.add_format({**font, "num_format": "#,##0.##", "valign": "top"})
        self.pct_top = wb.add_format({**font, "num_format": "0.0%", "valign": "top"})
        self.date_top = wb.add_format({**font, "num_format": pgettext("number format", "yyyy-mm-dd", lang),
                                       "valign": "top"})
        self.good = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.warn = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.bad = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.grey = wb.add_format({"font_color": "#808080"})


def _fmt_for(key: str, f: Formats):
    if key in PCT:
        return f.pct
    if key in MONEY:
        return f.money
    if key in ("as_of", "start", "end", "period_start"):
        return f.date
    if key in ("actual", "target", "expected", "forecast", "baseline", "band_low", "band_high"):
        return f.value
    if key in ("rule", "smart"):
        return f.wrap  # the whole reason, on as many lines as it takes
    if key in ("level", "key_results", "weight"):
        return f.num
    if key == "goals":
        return f.wrap
    return f.text


def _write_rows(ws, top: int, left: int, rows: list[list[Any]], formats: list) -> None:
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, (dt.datetime, dt.date)):
                ws.write_datetime(top + i, left + j, v if isinstance(v, dt.datetime) else
                                  dt.datetime.combine(v, dt.time()), formats[j])
            elif isinstance(v, bool):
                ws.write_boolean(top + i, left + j, v, formats[j])
            elif isinstance(v, (int, float)):
                ws.write_number(top + i, left + j, stable(v), formats[j])
            else:
                ws.write_string(top + i, left + j, str(v), formats[j])


def _table(name: str, columns: list[dict], data: list[list[Any]]) -> dict:
    opts = {"name": name, "columns": columns, "style": "Table Style Medium 2"}
    if data:
        opts["data"] = data
    return opts


def _header(ws, row: int, col: int, names: list[str], f: Formats) -> None:
    for j, n in enumerate(names):
        ws.write_string(row, col + j, n, f.header)
    ws.set_row(row, 27.75)  # room for a header that wraps onto two lines (37 px: every XlsxWriter writes it alike)


def _status_cf(ws, rng: str, lang: str, f: Formats) -> None:
    words = labels.STATUS[lang]
    for key, fmt in (("achieved", f.good), ("on_track", f.good), ("behind", f.warn), ("at_risk", f.bad)):
        ws.conditional_format(rng, {"type": "cell", "criteria": "==", "value": f'"{words[key]}"', "format": fmt})


def localize_goals(goals: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The sample's goals with column names and drop-down words in ``lang``."""
    g = goals.copy()
    if lang == "en":
        return g
    zh = {c: layout.data_header(c, lang) for c in layout.DATA_COLUMNS}

    def cols(spec: str) -> str:
        parts = []
        for p in str(spec).split(","):
            p = p.strip()
            parts.append(p if p.startswith('"') else zh.get(p, p))
        return ", ".join(x for x in parts if x)

    def filt(spec: str) -> str:
        out = []
        for cond in str(spec).split(";"):
            if "=" in cond:
                c, v = cond.split("=", 1)
                out.append(f"{zh.get(c.strip(), c.strip())}={v.strip()}")
        return "; ".join(out)

    g["columns"] = g["columns"].map(cols)
    g["filter"] = g["filter"].map(filt)
    g["date_column"] = g["date_column"].map(lambda c: zh.get(c, c))
    g["table"] = g["table"].map(lambda t: layout.sheet(t, lang) if t in layout.DATA else t)  # the sheet's name
    for col in ("direction", "period", "rollup"):
        g[col] = g[col].map(lambda v, c=col: layout.choice(c, v, lang) if v in layout.CHOICES[c] else v)
    return g


def localize_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return df if lang == "en" else df.rename(columns=lambda c: layout.data_header(c, lang))


def new(path: str | Path, lang: str = "en", empty: bool = False, macros: bool = False,
        company: sample.Company | None = None) -> Path:
    """Write the workbook; returns its path. Refuses to overwrite an existing file.

    ``macros`` (the path must end in .xlsm) adds the VBA project of
    :mod:`kpi_xl.workbook.macros` and "Refresh scorecard" buttons on the
    Scorecard and Dashboard sheets. ``company`` replaces the sample company
    (same tables and columns), e.g. for benchmarks with bigger data.
    """
    from xlsxwriter import Workbook

    lang = labels.language(lang)
    path = Path(path)
    from .package import WorkbookError

    if path.exists():
        raise WorkbookError(Message(N_("{path} already exists; kpi-xl new never overwrites a file (choose another "
                                       "name)"), path=str(path)))
    if macros != (path.suffix.lower() == ".xlsm"):
        raise WorkbookError(Message(N_("{path}: a macro workbook (--macros) must end in .xlsm, and only a macro "
                                       "workbook may"), path=str(path)))
    company = company or sample.load(lang)
    tables = {name: localize_table(df, lang) for name, df in company.tables.items()}
    goals = localize_goals(company.goals, lang)
    key_results = company.okrs.copy()
    plans = company.plans.copy()
    if empty:
        tables = {name: df.iloc[0:0] for name, df in tables.items()}
        goals, key_results, plans = goals.iloc[0:0], key_results.iloc[0:0], plans.iloc[0:0]
    as_of = company.as_of
    owned = _sample_owned(goals, tables, key_results, plans, as_of, lang, company.notes) if not empty else None

    wb = Workbook(str(path), {"nan_inf_to_errors": True})
    # a fixed creation date keeps the file byte-for-byte reproducible (workbook_template.xlsx is checked)
    wb.set_properties({"title": text("title", lang), "author": "kpi-xl", "comments": "Generated by kpi-xl new",
                       "created": dt.datetime.combine(company.as_of, dt.time())})
    wb.set_calc_mode("auto")
    f = Formats(wb, lang)
    if macros:
        import tempfile

        from .macros import vba_project_bin

        bin_dir = tempfile.mkdtemp()
        wb.add_vba_project(str(vba_project_bin(Path(bin_dir) / "vbaProject.bin")))
    S = lambda key: layout.sheet(key, lang)  # noqa: E731
    sheets = {key: wb.add_worksheet(S(key)) for key in layout.SHEETS}
    data_sheets = {name: wb.add_worksheet(S(name)) for name in layout.DATA}
    sources = wb.add_worksheet(S("sources"))
    chartdata = wb.add_worksheet(S("chartdata"))
    chartdata.hide()

    _start(sheets["start"], lang, f, empty)
    _goals(sheets["goals"], goals, owned, lang, f, S)
    for name in layout.DATA:
        _data(data_sheets[name], name, tables[name], f)
    _sources(sources, lang, f)
    _scorecard(sheets["scorecard"], owned, lang, f)
    _history(sheets["history"], owned, lang, f)
    _okr(sheets["okr"], key_results, owned, lang, f)
    _rewards(sheets["rewards"], plans, owned, lang, f)
    owners = sorted(set(goals["owner"]) - {""})
    # an empty workbook is the user's: no sample company, as-of blank (= today)
    _settings(sheets["settings"], "" if empty else company.name, None if empty else as_of, lang, f, owners)
    blanks = _functions(sheets["functions"], company, lang, f, empty)
    _chartdata(chartdata, owned, lang, f, _lists(tables, lang), owners)
    _dashboard(wb, sheets["dashboard"], owned, lang, f, S, as_of)
    if macros:
        from .macros import MACRO_NAME

        for key, (row, col) in (("scorecard", (0, 19)), ("dashboard", (0, 3))):
            sheets[key].insert_button(row, col, {"macro": MACRO_NAME, "caption": text("refresh", lang),
                                                 "width": 150, "height": 32})
    for ws in [*sheets.values(), *data_sheets.values(), sources]:
        _page_setup(ws)
    sheets["dashboard"].fit_to_pages(1, 1)
    _goals_print(sheets["goals"])
    sheets["start"].activate()
    wb.close()
    _store_blanks(path, layout.sheet("functions", lang), blanks)
    return path


def _store_blanks(path: Path, sheet: str, cells: list[tuple[int, int]]) -> None:
    """Store a blank result ("") with each of the formula ``cells`` (1-based) of ``sheet``, as refresh
    does: XlsxWriter leaves a formula written with a blank result without one (<v/> of no type),
    which asks programs to recalculate it and which kpi-xl share reads as "no saved value"."""
    from .package import open_package

    if not cells:
        return
    with open_package(path) as pkg:
        pkg.set_cached_values(sheet, {cell: "" for cell in cells})
        pkg.save(path, backup=False)


def _page_setup(ws) -> None:
    """Printed (and PDF) pages as people want them: landscape, one page wide, header repeated."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


#: Pages across that the Goals sheet prints on: its 23 columns (about 400 characters) on one page
#: came out at a third of their size; on three, at about four fifths, a goal's ID and name on each.
GOALS_PAGES_WIDE = 3


def _goals_print(ws) -> None:
    """The Goals sheet printed readable: as wide as :data:`GOALS_PAGES_WIDE` pages (what a goal
    measures, its numbers and dates, its strategy, reward and SMART check), each page with the
    header row and the ID and Goal columns, a goal's pages one after the other (over, then down)."""
    ws.fit_to_pages(GOALS_PAGES_WIDE, 0)
    ws.repeat_columns(0, 1)
    ws.print_across()


def _sample_owned(goals, tables, key_results, plans, as_of, lang, notes: dict[str, str]) -> Owned:
    def at(day: dt.date):
        return compute(goals, tables, day)

    month_ends = [dt.date(2026, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 6)]
    history = month_end_history(at, month_ends, lang)
    return build_owned(at(as_of), tables, key_results, plans, history, notes, lang)


def _start(ws, lang, f, empty: bool = False) -> None:
    ws.set_column(0, 0, 110, f.wrap)
    ws.write_string(0, 0, text("title", lang), f.title)
    ws.write_string(2, 0, text("what", lang), f.wrap)
    for i, step in enumerate(text("steps", lang)):
        ws.write_string(4 + i, 0, step, f.wrap)
    ws.write_string(8, 0, text("sheets", lang), f.subtitle)
    for i, key in enumerate(TEXT["guide"]):
        what = text("functions_empty", lang) if empty and key == "functions" else text("guide", lang, key)
        ws.write_string(9 + i, 0, f"{layout.sheet(key, lang)} — {what}", f.wrap)
    ws.write_string(9 + len(TEXT["guide"]) + 1, 0, text("share", lang), f.wrap)
    ws.set_row(2, 45)
    ws.set_row(6, 45)  # heights in whole pixels (0.75 pt each) are written alike by every XlsxWriter


def _goals(ws, goals: pd.DataFrame, owned: Owned | None, lang, f, S) -> None:
    keys = list(layout.GOAL_HEADERS)
    headers = [layout.goal_header(k, lang) for k in keys] + [layout.smart_header(lang)]
    n = max(len(goals), 1)
    widths = {"id": 6, "name": 40, "owner": 16, "kpi": 16, "table": 14, "columns": 30, "date_column": 12,
              "filter": 28, "unit": 8, "direction": 11, "start": 11, "end": 11, "strategy": 24, "reward": 16,
              "target": 13, "baseline": 13}  # 18,000,000 fits: no ### in a target cell
    col_fmt = {"start": f.date, "end": f.date, "baseline": f.num, "target": f.num, "band_low": f.num,
               "band_high": f.num, "weight": f.num}
    for j, k in enumerate(keys):
        ws.set_column(j, j, widths.get(k, 10), col_fmt.get(k, f.text))
    ws.set_column(len(keys), len(keys), 60, f.wrap)
    data = []
    for _, r in goals.iterrows():
        row = []
        for k in keys:
            v = r.get(k)
            if isinstance(v, float) and math.isnan(v):
                v = None
            if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                v = dt.datetime.combine(v, dt.time())
            row.append(v)
        data.append(row)
    scorecard_name = S("scorecard")
    smart_col = column_letter([c[0] for c in layout.SCORECARD_COLUMNS].index("smart") + 1)
    columns = [{"header": h} for h in headers]
    # a calculated column: Excel fills the SMART check into every row added to the table
    id_header = layout.goal_header("id", lang)
    columns[-1]["formula"] = (f"=IFERROR(INDEX('{scorecard_name}'!${smart_col}$1:${smart_col}$1000,"
                              f"MATCH(Goals[@[{id_header}]],'{scorecard_name}'!$A$1:$A$1000,0)),\"\")")
    ws.add_table(0, 0, n, len(headers) - 1, _table("Goals", columns, [row + [None] for row in data]))
    # the SMART verdict comes from the Scorecard (refresh writes it there); each cell
    # carries its result as the cached value, so viewers that do not recalculate show it
    smart = owned.smart_by_id if owned else {}
    for r, row in enumerate(data, start=1):  # new rows: the calculated column (Excel), refresh (headless)
        formula = smart_formula(scorecard_name, smart_col, r + 1)
        ws.write_formula(r, len(headers) - 1, formula, f.wrap, smart.get(str(row[0]), ""))
    if not data:  # the empty table's blank row: no formula until it holds a goal
        ws.write_blank(1, len(headers) - 1, None, f.wrap)
    last = 500
    kpi_list = f"='{S('settings')}'!$H$3:$H${3 + len(sorted(TRACKABLE)) - 1}"
    j = keys.index("kpi")
    ws.data_validation(1, j, last, j, {"validate": "list", "source": kpi_list, "ignore_blank": True,
                                       "error_type": "warning"})
    # owners: the Settings sheet's names and every owner a goal names (the list refresh keeps on the
    # hidden chart sheet) are offered, and a new colleague's name is taken as typed, without a warning
    j = keys.index("owner")
    ws.data_validation(1, j, last, j, {"validate": "list", "ignore_blank": True, "show_error": False,
                                       "source": layout.list_source(S("chartdata"), layout.LIST_OWNERS_COL)})
    # tables and column names from the lists refresh keeps current on the hidden chart sheet
    # (a goal's Columns cell may list several, so there the list only suggests)
    for k, col, style in (("table", layout.LIST_TABLES_COL, "warning"),
                          ("date_column", layout.LIST_COLUMNS_COL, "warning"),
                          ("columns", layout.LIST_COLUMNS_COL, "information")):
        j = keys.index(k)
        ws.data_validation(1, j, last, j, {"validate": "list", "source": layout.list_source(S("chartdata"), col),
                                           "ignore_blank": True, "error_type": style})
    for k in ("direction", "period", "rollup"):
        j = keys.index(k)
        words = [layout.choice(k, w, lang) for w in layout.CHOICES[k]]
        ws.data_validation(1, j, last, j, {"validate": "list", "source": words})
    j = keys.index("parent")
    ws.data_validation(1, j, last, j, {"validate": "list", "source": f"=$A$2:$A${last}", "error_type": "warning"})
    for k in ("start", "end"):
        j = keys.index(k)
        ws.data_validation(1, j, last, j, {"validate": "date", "criteria": ">", "value": dt.date(1990, 1, 1),
                                           "error_type": "stop",
                                           "error_message": gettext("A date, e.g. 2026-12-31", lang)})
    ws.freeze_panes(1, 2)


def _data(ws, name: str, df: pd.DataFrame, f) -> None:
    n = max(len(df), 1)
    cols = list(df.columns)
    for j, c in enumerate(cols):
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            has_time = bool(len(s.dropna())) and bool((s.dropna().dt.normalize() != s.dropna()).any())
            ws.set_column(j, j, 16 if has_time else 11, f.datetime if has_time else f.date)
        elif pd.api.types.is_numeric_dtype(s):
            ws.set_column(j, j, 12, f.num)
        else:
            width = min(max(10, int(s.astype(str).str.len().max() if len(s) else 10) + 2), 28)
            ws.set_column(j, j, width, f.text)
    ws.add_table(0, 0, n, len(cols) - 1, {"name": name, "columns": [{"header": str(c)} for c in cols],
                                          "style": "Table Style Light 9"})
    for j, c in enumerate(cols):
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            fmt = f.datetime if (s.dropna().dt.normalize() != s.dropna()).any() else f.date
            for i, v in enumerate(s):
                if not pd.isna(v):
                    ws.write_datetime(i + 1, j, v.to_pydatetime(), fmt)
        elif pd.api.types.is_numeric_dtype(s):
            for i, v in enumerate(s.to_numpy()):
                if not (isinstance(v, float) and math.isnan(v)):
                    ws.write_number(i + 1, j, stable(float(v)), f.num)
        else:
            for i, v in enumerate(s):
                if isinstance(v, str) and v:
                    ws.write_string(i + 1, j, v, f.text)
    ws.freeze_panes(1, 0)


def _sources(ws, lang: str, f) -> None:
    """The Sources sheet: an empty Sources table (its header and one blank row) for data a goal
    reads where it lives (:mod:`kpi_xl.workbook.connect`), and a line saying what goes in it."""
    from .connect import HEADERS, SOURCES

    headers = [pgettext("column", HEADERS[k][0], lang) for k in ("name", "kind", "location", "query")]
    for j, width in enumerate((18, 10, 50, 40)):
        ws.set_column(j, j, width, f.text)
    # the table's name is ASCII in every language, as the data tables' are
    ws.add_table(0, 0, 1, len(headers) - 1, {"name": SOURCES, "columns": [{"header": h} for h in headers],
                                             "style": "Table Style Light 9"})
    ws.write_string(0, len(headers) + 1, text("sources_note", lang), f.grey)
    ws.freeze_panes(1, 0)


def _owned_sheet(ws, columns, rows, lang, f, widths: dict[str, int], top: int = 0, left: int = 0) -> None:
    keys = [c[0] for c in columns]
    fmts = [_fmt_for(k, f) for k in keys]
    right = (f.pct, f.money, f.value, f.date, f.num)  # right-aligned: numbers and dates
    fmts = [f.text_pad if j and fmt is f.text and fmts[j - 1] in right else fmt for j, fmt in enumerate(fmts)]
    for j, k in enumerate(keys):
        ws.set_column(left + j, left + j, widths.get(k, 12), fmts[j])
    _header(ws, top, left, layout.header(columns, lang), f)
    _write_rows(ws, top + 1, left, rows, fmts)


def _name_width(rows: list[list[Any]], columns, least: int, lang: str) -> int:
    """The Goal column's width: ``least``, or as wide as its longest goal name (refresh widens it
    the same way when a longer one comes; :func:`kpi_xl.workbook.content.name_width`)."""
    from .content import name_width

    width = name_width(rows, columns, lang)
    return least if width is None else max(least, math.ceil(width))


def _percent_cells(ws, columns, rows, owned: Owned | None, f) -> None:
    """Goals measured in % show their values as percentages, goals measured in money as
    amounts of the language's money format, counts as whole numbers."""
    if not owned:
        return
    from .content import count_rows, money_rows, percent_rows

    for fmt, marks in ((f.pct, percent_rows(rows, columns, owned.unit_by_id)),
                       (f.amount, money_rows(rows, columns, owned.unit_by_id)),
                       (f.int, count_rows(rows, columns, owned.counts))):
        for i, (row, cols) in enumerate(zip(rows, marks), start=1):
            for j in cols:
                if isinstance(row[j], (int, float)) and not isinstance(row[j], bool):
                    ws.write_number(i, j, stable(row[j]), fmt)


def _scorecard(ws, owned: Owned | None, lang, f) -> None:
    widths = {"id": 6, "name": 44, "owner": 15, "kpi": 16, "unit": 7, "status_label": 11, "rule": 95,
              "level": 6, "parent": 7, "smart": 62, "note": 40, "forecast": 15, "actual": 15, "target": 15,
              "expected": 15}
    widths["name"] = _name_width(owned.scorecard if owned else [], layout.SCORECARD_COLUMNS, widths["name"], lang)
    _owned_sheet(ws, layout.SCORECARD_COLUMNS, owned.scorecard if owned else [], lang, f, widths)
    _percent_cells(ws, layout.SCORECARD_COLUMNS, owned.scorecard if owned else [], owned, f)
    status_col = [c[0] for c in layout.SCORECARD_COLUMNS].index("status_label")
    letter = column_letter(status_col + 1)
    ach = column_letter([c[0] for c in layout.SCORECARD_COLUMNS].index("achievement") + 1)
    # conditional formats added in column order: older XlsxWriter sorts them by range, newer keeps
    # the order they were added in, and both then write the same bytes
    assert status_col > [c[0] for c in layout.SCORECARD_COLUMNS].index("achievement")
    ws.conditional_format(f"{ach}2:{ach}1000", {"type": "data_bar", "bar_color": "#5B9BD5", "bar_solid": True,
                                                 "min_type": "num", "min_value": 0, "max_type": "num",
                                                 "max_value": 1.5})
    _status_cf(ws, f"{letter}2:{letter}1000", lang, f)
    # the Changes region: goals whose status changed since the previous review period
    left = layout.CHANGES_COL - 1
    _owned_sheet(ws, layout.CHANGES_COLUMNS, owned.changes[1:] if owned and owned.changes else [], lang, f,
                 {"id": 6, "name": _name_width(owned.changes[1:] if owned and owned.changes else [],
                                               layout.CHANGES_COLUMNS, 44, lang),
                  "was": 12, "now": 12, "as_of": 11, "rule": 95}, left=left)
    keys = [c[0] for c in layout.CHANGES_COLUMNS]
    was, now = (column_letter(left + keys.index(k) + 1) for k in ("was", "now"))
    _status_cf(ws, f"{was}2:{now}1000", lang, f)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, 0, len(layout.SCORECARD_COLUMNS) - 1)


def _history(ws, owned: Owned | None, lang, f) -> None:
    widths = {"period": 9, "as_of": 12, "id": 6, "name": 40, "owner": 15, "status": 11, "note": 40,
              "actual": 15, "target": 15, "forecast": 15}
    widths["name"] = _name_width(owned.history if owned else [], layout.HISTORY_COLUMNS, widths["name"], lang)
    _owned_sheet(ws, layout.HISTORY_COLUMNS, owned.history if owned else [], lang, f, widths)
    _percent_cells(ws, layout.HISTORY_COLUMNS, owned.history if owned else [], owned, f)
    letter = column_letter([c[0] for c in layout.HISTORY_COLUMNS].index("status") + 1)
    _status_cf(ws, f"{letter}2:{letter}5000", lang, f)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, 0, len(layout.HISTORY_COLUMNS) - 1)


def _okr(ws, key_results: pd.DataFrame, owned: Owned | None, lang, f) -> None:
    cols = layout.KR_COLUMNS
    widths = {"objective": 58, "key_result": 40, "owner": 16, "goal": 9}
    keys = [c[0] for c in cols]
    fmts = [f.pct if k == "score" else f.num if k in ("start_value", "target_value", "current_value", "weight")
            else f.text for k in keys]
    for j, k in enumerate(keys):
        ws.set_column(j, j, widths.get(k, 10), fmts[j])
    rows = [[None if (isinstance(v, float) and math.isnan(v)) else v for v in r]
            for r in key_results.reindex(columns=keys).itertuples(index=False)]
    ws.add_table(0, 0, max(len(rows), 1), len(keys) - 1,
                 _table("KeyResults", [{"header": h} for h in layout.header(cols, lang)], rows))
    left = len(keys) + 1
    _owned_sheet(ws, layout.KR_OUT_COLUMNS, owned.kr_out if owned else [], lang, f,
                 {"grade": 11, "goal_status": 11}, top=0, left=left)
    obj_left = left + len(layout.KR_OUT_COLUMNS) + 1
    _owned_sheet(ws, layout.OBJECTIVE_COLUMNS, owned.objectives if owned else [], lang, f,
                 {"objective": 58, "owner": 40, "grade": 11, "goal_achievement": 14}, top=0, left=obj_left)
    ws.freeze_panes(1, 0)


def _rewards(ws, plans: pd.DataFrame, owned: Owned | None, lang, f) -> None:
    cols = layout.PLAN_COLUMNS
    keys = [c[0] for c in cols]
    fmts = [_fmt_for(k, f) for k in keys]
    for j, k in enumerate(keys):
        ws.set_column(j, j, {"plan": 16, "reward": 30}.get(k, 11), fmts[j])
    rows = [[None if (isinstance(v, float) and math.isnan(v)) else v for v in r]
            for r in plans.reindex(columns=keys).itertuples(index=False)]
    ws.add_table(0, 0, max(len(rows), 1), len(keys) - 1,
                 _table("RewardPlans", [{"header": h} for h in layout.header(cols, lang)], rows))
    _owned_sheet(ws, layout.PAYOUT_COLUMNS, owned.payouts if owned else [], lang, f,
                 {"owner": 15, "plan": 16, "goals": 14, "reward": 30, "reward_earned": 8, "payout": 12,
                  "projected_payout": 12}, top=0, left=len(keys) + 1)
    ws.freeze_panes(1, 0)


def _settings(ws, company: str, as_of: dt.date | None, lang: str, f, owners: list[str]) -> None:
    ws.set_column(0, 0, 28, f.text)
    ws.set_column(1, 1, 22, f.text)
    ws.set_column(3, 5, 14, f.text)
    ws.set_column(7, 8, 20, f.text)
    _header(ws, 0, 0, [pgettext("header", "Setting", lang), pgettext("header", "Value", lang)], f)
    values = {"company": company, "as_of": as_of, "language": lang,
              "review_period": layout.choice("period", "month", lang)}
    for r, (key, _) in enumerate(layout.SETTING_KEYS, start=1):
        ws.write_string(r, 0, layout.setting_name(key, lang), f.text)
        v = values[key]
        if v in (None, ""):
            continue
        if isinstance(v, dt.date):
            ws.write_datetime(r, 1, dt.datetime.combine(v, dt.time()), f.date)
        else:
            ws.write_string(r, 1, v, f.text)
    ws.data_validation(3, 1, 3, 1, {"validate": "list", "source": list(layout.LANGS)})
    ws.data_validation(4, 1, 4, 1, {"validate": "list",
                                    "source": [layout.choice("period", w, lang) for w in layout.CHOICES["period"]]})
    words = labels.STATUS[lang]
    rules = [[words[st], pgettext("measure", meas, lang), lvl] for st, meas, lvl in (("achieved", "achievement", 1.0), ("on_track", "pace", 0.95),
                                                           ("behind", "pace", 0.85))]
    ws.add_table(0, 3, len(rules), 5, {"name": "StatusRules", "style": "Table Style Light 9",
                                       "columns": [{"header": h} for h in layout.header(layout.RULE_COLUMNS, lang)],
                                       "data": rules})
    ws.write_string(len(rules) + 2, 3, text("rules_title", lang), f.grey)
    ws.write_string(0, 7, text("lists", lang), f.subtitle)
    ws.write_string(1, 7, text("kpis", lang), f.header)
    ws.write_string(layout.OWNER_LIST_ROW - 2, layout.OWNER_LIST_COL - 1, text("owners", lang), f.header)
    for r, k in enumerate(sorted(TRACKABLE), start=2):
        ws.write_string(r, 7, k, f.text)
    for r, o in enumerate(owners, start=layout.OWNER_LIST_ROW - 1):
        ws.write_string(r, layout.OWNER_LIST_COL - 1, o, f.text)


#: The Functions sheet's formula and description columns, in characters (their text wraps).
FUNCTIONS_WIDTH = 70


def _functions(ws, company, lang, f, empty: bool = False) -> list[tuple[int, int]]:
    """The Functions sheet; returns its formula cells (1-based) whose result is blank."""
    from .functions_sheet import sample_calls, wrapped_lines

    calls = sample_calls(company, lang, empty)
    # the names whole (PAGES_PER_SESSION was cut by its formula in the wider Latin letters of a CJK font)
    capitals = 1.25 if lang == "zh-TW" else 1.0  # a capital letter's width in digits
    ws.set_column(0, 0, max(18, math.ceil(max(len(c.name) for c in calls) * capitals) + 1), f.text_top)
    ws.set_column(1, 1, FUNCTIONS_WIDTH, f.wrap)
    ws.set_column(2, 2, 16, f.num_top)
    ws.set_column(3, 3, FUNCTIONS_WIDTH, f.wrap)
    _header(ws, 0, 0, list(text("func_head", lang)), f)
    for r, call in enumerate(calls, start=1):
        ws.write_string(r, 0, call.name, f.text_top)
        ws.write_string(r, 1, call.formula, f.wrap)
        value = call.result
        fmt = f.pct_top if call.percent else f.num_top
        if isinstance(value, str):
            ws.write_formula(r, 2, call.formula, f.text_top, value)
        else:
            ws.write_formula(r, 2, call.formula, fmt, stable(value))
        summary = gettext(call.summary, lang)
        ws.write_string(r, 3, summary, f.wrap)
        # wrapped text needs its row tall enough (neither Excel nor LibreOffice grows it on open)
        lines = max(wrapped_lines(call.formula, FUNCTIONS_WIDTH, lang), wrapped_lines(summary, FUNCTIONS_WIDTH, lang))
        ws.set_row(r, 13.5 * lines)
    blanks = _spills(ws, [c for c in calls if c.values], len(calls) + 2, lang, f, room=0 if empty else 12)
    ws.freeze_panes(1, 1)
    return blanks


def _spills(ws, calls, top: int, lang, f, room: int) -> list[tuple[int, int]]:
    """Below the table, each function that spills with its whole result: the formula that
    spills (column B) and each value of its result as a formula of its own, INDEX(formula, row,
    column), formatted (period starts as dates), so a program without kpi-xl's functions shows
    the stored numbers. A period table over the data gets ``room`` more rows below it to grow
    into, blank until it does (see :func:`element_formula`). Returns the cells (1-based) whose
    value is blank."""
    from .functions_sheet import element_formula, unwrap_index, wrapped_lines

    # across the table's four columns, wrapped (one long line would widen what is printed)
    ws.merge_range(top, 0, top, 3, text("spills", lang), f.subtitle_wrap)
    ws.set_row(top, 32.25)  # two lines; 43 px (xlsxwriter 3.1 wrote 32 for 16 * 2, newer ones 32.25)
    r, blanks = top + 1, []
    for call in calls:
        formula = unwrap_index(call.formula)
        rows = call.values or [[None]]
        width = len(rows[0])
        fmts = [f.date_top if call.spills == "period_table" and j == 0 else f.pct_top if call.percent else f.num_top
                for j in range(width)]
        ws.write_string(r, 0, call.name, f.text_top)
        ws.write_string(r, 1, formula, f.wrap)
        ws.set_row(r, 13.5 * wrapped_lines(formula, FUNCTIONS_WIDTH, lang))
        extra = room if call.spills == "period_table" else 0
        for i in range(len(rows) + extra):
            for j in range(width):
                value = rows[i][j] if i < len(rows) else None
                ws.write_formula(r + i, 2 + j, element_formula(formula, i + 1, j + 1, width, value is None),
                                 fmts[j], _cached(value))
                if value is None:
                    blanks.append((r + i + 1, 3 + j))
        r += len(rows) + extra + 1
    return blanks


def _cached(v):
    """A value as a formula's cached result (dates as serial numbers, blanks as "")."""
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return to_serial(v)
    return stable(v) if isinstance(v, float) else v


def _chartdata(ws, owned: Owned | None, lang, f, lists: tuple[list[str], list[str]], owners: list[str]) -> None:
    t = {k: text(k, lang) for k in ("achievement", "expected")}
    _header(ws, 0, 0, ["ID", t["achievement"], t["expected"]], f)
    _write_rows(ws, 1, 0, owned.goal_chart if owned else [], [f.text, f.pct, f.pct])
    trend = owned.trend_chart if owned else [[""]]
    _write_rows(ws, 0, layout.TREND_COL - 1, trend, [f.text] + [f.pct] * (len(trend[0]) - 1))
    _header(ws, 0, 12, [layout.header(layout.PAYOUT_COLUMNS, lang)[0], t["achievement"]], f)
    _write_rows(ws, 1, 12, owned.owner_chart if owned else [], [f.text, f.pct])
    ws.set_column(16, 16, 12, f.date)  # Q1: the as-of date the Dashboard shows
    names, columns = lists
    ws.write_string(0, layout.LIST_TABLES_COL - 1, layout.goal_header("table", lang), f.header)
    ws.write_string(0, layout.LIST_COLUMNS_COL - 1, layout.goal_header("columns", lang), f.header)
    _write_rows(ws, 1, layout.LIST_TABLES_COL - 1, [[n] for n in names], [f.text])
    _write_rows(ws, 1, layout.LIST_COLUMNS_COL - 1, [[c] for c in columns], [f.text])
    ws.write_string(0, layout.LIST_OWNERS_COL - 1, layout.goal_header("owner", lang), f.header)
    _write_rows(ws, 1, layout.LIST_OWNERS_COL - 1, [[o] for o in owners], [f.text])
    if owned:
        ws.write_datetime(0, 16, dt.datetime.combine(owned.as_of, dt.time()), f.date)


def _lists(tables: dict[str, pd.DataFrame], lang: str) -> tuple[list[str], list[str]]:
    from types import SimpleNamespace

    infos = [SimpleNamespace(display_name=name, sheet=layout.sheet(name, lang), columns=list(df.columns))
             for name, df in tables.items()]
    return layout.table_lists(infos, lang)


def _dashboard(wb, ws, owned: Owned | None, lang, f, S, as_of) -> None:
    t = {k: text(k, lang) for k in ("dash_title", "as_of", "status_count", "achievement", "expected",
                                    "goal_vs_plan", "trend", "by_owner")}
    cd = S("chartdata")
    ws.set_column(0, 0, 22, f.text)
    ws.set_column(1, 1, 13, f.int)
    ws.write_string(0, 0, t["dash_title"], f.title)
    ws.write_string(1, 0, t["as_of"], f.text)
    ws.write_formula(1, 1, f"='{cd}'!$Q$1", f.date, int(to_serial(as_of)) if owned else "")
    ws.write_string(3, 0, t["status_count"], f.subtitle)
    words = labels.STATUS[lang]
    sc = S("scorecard")
    st = column_letter([c[0] for c in layout.SCORECARD_COLUMNS].index("status_label") + 1)
    counts = {}
    if owned:
        status_i = [c[0] for c in layout.SCORECARD_COLUMNS].index("status_label")
        for row in owned.scorecard:
            counts[row[status_i]] = counts.get(row[status_i], 0) + 1
    for r, key in enumerate(("achieved", "on_track", "behind", "at_risk", "not_started", "no_data"), start=4):
        ws.write_string(r, 0, words[key], f.text)
        ws.write_formula(r, 1, f"=COUNTIF('{sc}'!${st}:${st},A{r + 1})", f.int, counts.get(words[key], 0))
    _status_cf(ws, "A5:A8", lang, f)
    # the charts' ranges cover the rows there are (refresh moves them as goals, owners and periods come and go)
    n_goals = max(len(owned.goal_chart), 1) if owned else 1
    bar = wb.add_chart({"type": "bar"})
    bar.add_series({"name": t["achievement"], "categories": [cd, 1, 0, n_goals, 0], "values": [cd, 1, 1, n_goals, 1],
                    "fill": {"color": "#2E75B6"}})
    bar.add_series({"name": t["expected"], "categories": [cd, 1, 0, n_goals, 0], "values": [cd, 1, 2, n_goals, 2],
                    "fill": {"color": "#BFBFBF"}})
    bar.set_title({"name": t["goal_vs_plan"]})
    bar.set_x_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True}})
    # the goals top to bottom, and the percent axis under them (reversed categories alone put it on top)
    bar.set_y_axis({"reverse": True, "crossing": "max"})
    bar.set_legend({"position": "bottom"})
    bar.set_size({"width": 620, "height": 520})
    ws.insert_chart(3, 6, bar)
    trend = owned.trend_chart if owned else [["", ""], ["", None]]
    n_periods = len(trend) - 1
    line = wb.add_chart({"type": "line"})
    tc = layout.TREND_COL - 1  # the periods' column (0-based); one column per goal to its right
    for j in range(1, len(trend[0])):
        line.add_series({"name": [cd, 0, tc + j], "categories": [cd, 1, tc, n_periods, tc],
                         "values": [cd, 1, tc + j, n_periods, tc + j], "marker": {"type": "automatic"}})
    # one line per company and team goal, however many: the markers' shapes tell apart lines of
    # like colours, and the chart is tall enough for a legend of a few rows below the lines
    line.set_title({"name": t["trend"]})
    line.set_y_axis({"num_format": "0%", "min": 0})
    line.set_legend({"position": "bottom"})
    line.set_size({"width": 620, "height": 480})
    ws.insert_chart(31, 6, line)
    n_owners = max(len(owned.owner_chart), 1) if owned else 1
    col = wb.add_chart({"type": "column"})
    col.add_series({"name": t["achievement"], "categories": [cd, 1, 12, n_owners, 12],
                    "values": [cd, 1, 13, n_owners, 13], "fill": {"color": "#70AD47"},
                    "data_labels": {"value": True, "num_format": "0%"}})
    col.set_title({"name": t["by_owner"]})
    col.set_y_axis({"num_format": "0%", "min": 0})
    col.set_legend({"none": True})
    col.set_size({"width": 440, "height": 320})
    ws.insert_chart(11, 0, col, {"x_offset": 0, "y_offset": 10})
