"""A Taiwanese owner's workbook (issue 13): full-width input, Chinese messages and
names, Taiwan's dates and money."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from kpi_xl import sample
from kpi_xl.goals import compute
from kpi_xl.goals.model import GoalsError, as_date, parse_columns, parse_filter, read_goals
from kpi_xl.workbook.template import localize_goals, localize_table

FULL = str.maketrans({",": "，", ";": "；", "=": "＝", "%": "％", **{d: chr(0xFF10 + int(d)) for d in "0123456789"}})


def _full_width(goals: pd.DataFrame) -> pd.DataFrame:
    """The goals as a Taiwanese input method types them: ，；＝％, full-width digits, 「」 quotes,
    targets typed as text (35％, １８０)."""
    g = goals.copy()
    g["columns"] = g["columns"].map(lambda s: str(s).replace(", ", ",").replace('"', "「", 1).replace('"', "」", 1).translate(FULL))
    g["filter"] = g["filter"].map(lambda s: str(s).replace(" ", "").translate(FULL))
    def target(row):
        t = row["target"]
        if t != t:
            return t
        return f"{t * 100:g}％" if row["unit"] == "%" else f"{t:,g}".translate(FULL)
    g["target"] = g.apply(target, axis=1).astype(object)
    return g


@pytest.fixture(scope="module")
def company():
    c = sample.load("zh-TW")
    return c, localize_goals(c.goals, "zh-TW"), {n: localize_table(df, "zh-TW") for n, df in c.tables.items()}


def test_full_width_input_gives_the_same_scorecard_as_ascii(company):
    c, goals, tables = company
    wide = _full_width(goals)
    assert "區域＝北區；階段＝成交" in set(wide["filter"]) and "來源，「自然搜尋」，工作階段" in set(wide["columns"])
    assert "3.5％" in set(wide["target"].astype(str)) or "35％" in set(wide["target"].astype(str))
    ascii_card = compute(goals, tables, c.as_of).scorecard
    wide_card = compute(wide, tables, c.as_of).scorecard
    cols = ["id", "actual", "target", "achievement", "status"]
    pd.testing.assert_frame_equal(wide_card[cols], ascii_card[cols])
    assert ascii_card["actual"].notna().sum() >= 15


def test_full_width_grammar_pieces():
    assert parse_filter("區域＝北區；階段＝成交") == [("區域", "北區"), ("階段", "成交")]
    assert parse_columns("來源，「自然搜尋」，工作階段") == ["來源", "自然搜尋", "工作階段"]
    assert parse_columns("金額，『median』") == ["金額", "median"]
    row = {"id": "Ｇ１", "name": "x", "target": "３５％", "weight": "２", "direction": "越高越好",
           "start": "2026/1/1", "end": "２０２６／１２／３１"}
    g = read_goals(pd.DataFrame([row]))
    assert g.loc[0, "target"] == pytest.approx(0.35) and g.loc[0, "weight"] == 2.0
    assert (g.loc[0, "start"], g.loc[0, "end"]) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_a_date_typed_the_taiwanese_way_is_a_date():
    assert as_date("2026/12/31") == dt.date(2026, 12, 31)
    assert as_date("2026-12-31") == dt.date(2026, 12, 31)
    assert as_date("2026/13/01") is None
    with pytest.raises(GoalsError):
        read_goals(pd.DataFrame([{"id": "g", "name": "x", "start": "明年春天"}]))


def test_status_rules_read_chinese_words_and_full_width_numbers():
    from kpi_xl.goals.status import read_rules

    rules = read_rules(pd.DataFrame([{"Status": "進度正常", "Measure": "進度節奏", "At least": "９５％"}]))
    assert (rules[0].status, rules[0].measure, rules[0].at_least) == ("on_track", "pace", pytest.approx(0.95))


# ---------------------------------------------------------------- the zh-TW workbook
import shutil  # noqa: E402
import zipfile  # noqa: E402

from kpi_xl.workbook import layout  # noqa: E402
from kpi_xl.workbook.package import WorkbookError, open_package  # noqa: E402
from kpi_xl.workbook.refresh import refresh  # noqa: E402
from kpi_xl.workbook.template import new  # noqa: E402

ZH = "zh-TW"
GOALS = layout.sheet("goals", ZH)


@pytest.fixture(scope="module")
def zh_book(tmp_path_factory):
    return new(tmp_path_factory.mktemp("zh") / "zh.xlsx", lang=ZH)


@pytest.fixture
def book(zh_book, tmp_path):
    path = tmp_path / "book.xlsx"
    shutil.copy(zh_book, path)
    return path


def _cells(path, sheet):
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _col(key: str) -> int:
    return list(layout.GOAL_HEADERS).index(key) + 1


def _refused(book, sheet, row, col, value, as_of=dt.date(2026, 6, 30)) -> str:
    with open_package(book) as pkg:
        pkg.write_region(sheet, row, col, col, [[value]])
        pkg.save(book, backup=False)
    with pytest.raises(WorkbookError) as info:
        refresh(book, as_of=as_of)
    return str(info.value)


def test_goals_name_the_chinese_data_sheets_and_english_names_still_work(book, tmp_path):
    rows = _cells(book, GOALS)
    tables = {r[_col("table") - 1] for r in rows[1:]} - {""}
    assert {"商機", "業務活動", "訂單"} <= tables and not tables & set(layout.DATA)
    chinese = refresh(book, as_of=dt.date(2026, 6, 30))
    english = tmp_path / "en-names.xlsx"
    shutil.copy(book, english)
    with open_package(english) as pkg:
        col = _col("table")
        pkg.write_region(GOALS, 2, col, col, [[{"商機": "Deals", "業務活動": "Activities"}.get(r[col - 1], r[col - 1])]
                                              for r in rows[1:]])
        pkg.save(english, backup=False)
    assert refresh(english, as_of=dt.date(2026, 6, 30)).statuses == chinese.statuses
    assert _cells(english, layout.sheet("scorecard", ZH))[1:] == _cells(book, layout.sheet("scorecard", ZH))[1:]


def test_direction_error_lists_the_chinese_words_at_the_chinese_cell(book):
    """A goal row's bad cell is that goal's problem (its Why cell and a warning), in Chinese."""
    with open_package(book) as pkg:
        pkg.write_region(GOALS, 5, _col("direction"), _col("direction"), [["越多越好"]])
        pkg.save(book, backup=False)
    report = refresh(book, as_of=dt.date(2026, 6, 30))
    letter = chr(ord("A") + _col("direction") - 1)
    msg = next(w for w in report.warnings if w.startswith(f"{GOALS}!{letter}5"))
    assert "越高越好、越低越好、維持區間" in msg and "higher" not in msg and "problems" not in msg


def test_settings_errors_name_the_chinese_sheet_in_chinese(book):
    msg = _refused(book, layout.sheet("settings", ZH), 3, 2, "下個月", as_of=None)
    assert msg.startswith("設定!B3") and "不是日期" in msg and "Settings" not in msg and "2026/06/30" in msg


def test_a_reward_plan_not_in_the_table_is_named_in_chinese(book):
    msg = _refused(book, GOALS, 5, _col("reward"), "登月獎金")
    assert "「登月獎金」不在獎勵表中" in msg or ("登月獎金" in msg and "Rewards" not in msg and "not in" not in msg)


def test_the_date_check_speaks_chinese_with_a_taiwanese_date(zh_book):
    with zipfile.ZipFile(zh_book) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode() for n in sheets)
    assert "例如 2026/12/31" in xml and "e.g. 2026-12-31" not in xml


def _formats(path, sheet):
    import openpyxl

    ws = openpyxl.load_workbook(path)[sheet]
    return {(c.row, c.column): c.number_format for row in ws.iter_rows() for c in row if c.value is not None}, ws


@pytest.mark.parametrize("lang, date, money", [(ZH, "yyyy/mm/dd", "#,##0"), ("en", "yyyy-mm-dd", "#,##0.00")])
def test_dates_and_money_as_the_workbooks_readers_write_them(tmp_path, lang, date, money):
    path = new(tmp_path / f"{lang}.xlsx", lang=lang)
    fmts, ws = _formats(path, layout.sheet("scorecard", lang))
    keys = [c[0] for c in layout.SCORECARD_COLUMNS]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    actual = keys.index("actual") + 1
    assert fmts[(rows["S1"], actual)] == money  # NT$ revenue: 16,596,912 in Taiwan
    assert fmts[(rows["S4"], actual)].endswith("%")  # win rate stays a percentage
    hist, hws = _formats(path, layout.sheet("history", lang))
    as_of = [c[0] for c in layout.HISTORY_COLUMNS].index("as_of") + 1
    assert hist[(2, as_of)] == date
    goals, _ = _formats(path, layout.sheet("goals", lang))
    assert goals[(5, _col("start"))] == date


@pytest.mark.parametrize("lang, word", [(ZH, "有風險"), ("en", "At risk"), (None, "At risk")])
def test_status_follows_the_workbooks_language_when_given_none(lang, word, monkeypatch):
    from kpi_xl.workbook.evaluate import FormulaContext, evaluate_all

    monkeypatch.delenv("KPI_XL_LANG", raising=False)
    f = "=STATUS(10, 100, DATE(2026,1,1), DATE(2026,12,31), DATE(2026,7,2))"
    formulas = {("S", 1, 1): f, ("S", 1, 2): f[:-1] + ', 0, "higher", "en")'}
    out = evaluate_all(FormulaContext(values=lambda sheet: [], formulas=formulas, tables={}, lang=lang)).values
    assert out[("S", 1, 1)] == word and out[("S", 1, 2)] == "At risk"  # a language given is kept


@pytest.mark.parametrize("lang, money", [("zh-TW", "#,##0"), ("en", "#,##0.00")])
def test_refresh_keeps_money_as_the_workbooks_readers_write_it(tmp_path, lang, money):
    """After `kpi-xl refresh`, a money goal's values on the Scorecard are whole NT$ in a zh-TW
    workbook (as the template shows them), and keep their decimals in an English one."""
    from workbook_view import view  # tools/ (tests/conftest.py)

    from kpi_xl.workbook import layout
    from kpi_xl.workbook.refresh import refresh
    from kpi_xl.workbook.template import new

    book = new(tmp_path / f"{lang}.xlsx", lang=lang)
    refresh(book)
    cells = view(book)["by_sheet"][layout.sheet("scorecard", lang)]["cells"]
    row = next(r for r in range(2, 40) if cells.get(f"A{r}", (None,))[0] == "S1")  # S1: a TWD goal
    for col in "FGH":  # actual, target, expected by now
        assert cells[f"{col}{row}"][2][0] == money, (col, cells[f"{col}{row}"])


# ---------------------------------------------------------------- what the commands say
import re  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from kpi_xl.cli import main  # noqa: E402

#: Three English words in a row: a sentence (or most of one) left in English. A path, a table
#: name or a command (kpi-xl new BOOK.xlsx) is not one.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:()]+[A-Za-z]{2,}){2,}")


def _english(text: str) -> list[str]:
    return ENGLISH.findall(text)


def _commands_say(tmp_path, lang: str) -> dict[str, str]:
    """What `kpi-xl refresh`, `import` and `predict` print (stdout and stderr, as a log or a
    scheduled task sees them) for a sample workbook in ``lang`` with one bad goal cell."""
    tmp_path.mkdir()
    book = new(tmp_path / "book.xlsx", lang=lang)
    goals = layout.sheet("goals", lang)
    with open_package(book) as pkg:  # a goal's problem: a warning line
        pkg.write_region(goals, 5, _col("direction"), _col("direction"), [["sideways"]])
        pkg.save(book, backup=False)
    visits = tmp_path / "visits.csv"
    visits.write_text("Day,Visits\n2026-06-01,10\n2026-06-02,12\n", encoding="utf-8")
    rng, rows = np.random.default_rng(3), []  # orders the purchase and spend models can be fitted to
    for i in range(300):
        start = dt.datetime(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        rows += [(f"C{i:03d}", start + dt.timedelta(days=int(k * rng.integers(5, 60))), float(rng.gamma(4, 20)))
                 for k in range(int(rng.integers(1, 6)))]
    orders = pd.DataFrame(rows, columns=["Customer", "Date", "Amount"])
    orders.to_csv(tmp_path / "sales.csv", index=False)
    runner, said = CliRunner(), {}
    for name, args in (("refresh", ["refresh", str(book), "--as-of", "2026-06-30"]),
                       ("import", ["import", str(book), "Visits", str(visits)]),
                       ("import sales", ["import", str(book), "Sales", str(tmp_path / "sales.csv"), "--no-backup"]),
                       ("predict", ["predict", str(book), "--table", "Sales", "--as-of", "2026-06-30"])):
        result = runner.invoke(main, args)
        # the sample's History: two goals got worse since May, which refresh says and exits 3 for
        assert result.exit_code == (3 if name == "refresh" else 0), result.output
        said[name] = result.output
    return said


def test_refresh_import_and_predict_speak_the_workbooks_language(tmp_path):
    zh = _commands_say(tmp_path / "zh", ZH)
    en = _commands_say(tmp_path / "en", "en")
    lines = zh["refresh"].splitlines()
    assert any(re.fullmatch(r"\[ *\d+\.\d 秒\] 正在開啟 book\.xlsx", li) for li in lines), zh["refresh"]
    assert any("正在計算基準日 2026/06/30 的計分卡" in li for li in lines)
    assert any(li.startswith("已更新 ") and "（基準日 2026/06/30）：21 個目標（" in li and "有風險" in li for li in lines)
    assert any(li.startswith(f"警告：{GOALS}!") for li in lines), zh["refresh"]
    assert any(li.startswith("前一版已保留為 ") for li in lines)
    assert "正在匯入" not in zh["import"] and "已匯入 2 列到 Visits" in zh["import"] and "秒]" in zh["import"]
    assert re.search(r"正在以 [\d,]+ 筆訂單配適模型", zh["predict"]) and "已依 Sales 的 " in zh["predict"]
    assert "（基準日 2026/06/30）" in zh["predict"]
    # the same commands on an English workbook say it in English; none of that is left in Chinese
    assert "refreshed " in en["refresh"] and "warning: Goals!" in en["refresh"] and "opening book.xlsx" in en["refresh"]
    english = {phrase for out in en.values() for phrase in _english(out)}
    assert len(english) >= 10, english
    for name, out in zh.items():
        assert _english(out) == [], (name, out)
        assert [p for p in english if p in out] == [], name


def test_a_refusal_is_said_in_the_workbooks_language_without_an_english_error(book):
    with open_package(book) as pkg:
        pkg.write_region(layout.sheet("settings", ZH), 3, 2, 2, [["下個月"]])
        pkg.save(book, backup=False)
    result = CliRunner().invoke(main, ["refresh", str(book)])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("kpi-xl: 設定!B3") and "Error" not in result.output, result.output
    assert _english(result.output) == [], result.output


# ---------------------------------------------------------------- the Refresh scorecard button
class _App:
    """Excel's Application as the button's refresh uses it: the status bar and a message box."""

    def __init__(self):
        self.shown, self.alerts = [], []

    @property
    def status_bar(self):
        return self.shown[-1] if self.shown else False

    @status_bar.setter
    def status_bar(self, text):
        self.shown.append(text)

    def alert(self, prompt, title=None, **kwargs):
        self.alerts.append((title, prompt))


def _live(path):
    from test_live_refresh import Book  # the stand-in for an xlwings Book (tests/)

    book = Book(path)
    book.app = _App()
    return book


def test_the_button_says_its_steps_and_result_in_chinese(zh_book):
    from kpi_xl.workbook.live import refresh_scorecard

    book = _live(zh_book)
    report = refresh_scorecard(book, as_of=dt.date(2026, 6, 30))
    shown = book.app.shown
    assert report.goals == 21 and "正在讀取目標與資料表" in shown and "正在寫入由 kpi-xl 填寫的工作表" in shown
    assert shown[-1].startswith("已更新 ") and "（基準日 2026/06/30）：21 個目標（" in shown[-1], shown[-1]
    assert [s for s in shown if _english(s)] == [], shown


def test_the_button_refuses_in_a_chinese_message_box_not_a_traceback(zh_book, monkeypatch):
    import xlwings as xw

    from kpi_xl.workbook.live import refresh_scorecard

    book = _live(zh_book)
    book.sheets[layout.sheet("settings", ZH)].cells[(3, 2)] = "下個月"
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    assert refresh_scorecard() is None  # the button: nothing raised into Excel
    (title, said), = book.app.alerts
    assert title == "kpi-xl" and said.startswith("設定!B3") and "不是日期" in said and not _english(said), said
    with pytest.raises(WorkbookError, match="設定!B3"):  # called with a book: raised, for a script
        refresh_scorecard(book)


def test_the_button_in_a_chinese_workbook_that_is_not_kpi_xls_says_so_in_chinese(tmp_path):
    import openpyxl

    from kpi_xl.workbook.live import refresh_scorecard

    wb = openpyxl.Workbook()
    wb.active.title = layout.sheet("goals", ZH)
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(WorkbookError) as info:
        refresh_scorecard(_live(tmp_path / "x.xlsx"))
    assert "這不是 kpi-xl 活頁簿" in str(info.value) and not _english(str(info.value)), str(info.value)


# ---------------------------------------------------------------- docs/zh-TW/your-data.md
def test_the_zh_tw_tutorial_says_what_the_commands_say(tmp_path, monkeypatch):
    """docs/zh-TW/your-data.md's commands, run as written (in the repository, on its example
    files), print the lines the page quotes."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    page = (root / "docs" / "zh-TW" / "your-data.md").read_text(encoding="utf-8")
    monkeypatch.chdir(root)
    book = tmp_path / "shop.xlsx"
    runner, printed = CliRunner(), []
    for command in ("kpi-xl new --empty --lang zh-TW shop.xlsx",
                    "kpi-xl import shop.xlsx 商店 docs/examples/shop-orders-zh-TW.csv",
                    "kpi-xl import shop.xlsx 目標 docs/examples/shop-goals-zh-TW.csv --replace",
                    "kpi-xl refresh shop.xlsx --as-of 2026-06-15"):
        assert command in page, command
        args = [str(book) if a == "shop.xlsx" else a for a in command.split()[1:]]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        printed += [li.replace(f"{tmp_path}/", "") for li in result.output.splitlines()]
    for quoted in ("已匯入 8,725 列到 商店（工作表 商店），已在新的工作表上建立新表格；前一版已保留為 shop.bak.xlsx",
                   "已更新 shop.xlsx（基準日 2026/06/15）：8 個目標（進度正常 6 個、落後 2 個）",
                   "警告：最上層有 8 個 KPI，建議不超過 5 個",
                   "[   0.2 秒] 正在計算基準日 2026/06/15 的計分卡"):
        assert quoted in page, quoted
        said = re.sub(r"\[ *\d+\.\d", "[   0.2", quoted) if quoted.startswith("[") else quoted
        assert said in [re.sub(r"\[ *\d+\.\d", "[   0.2", li) for li in printed], (quoted, printed)
    assert _english("\n".join(printed)) == []


# ---------------------------------------------------------------- every command, word by word
#: English a zh-TW reader is expected to meet: abbreviations Taiwan writes in Latin letters,
#: the units and money signs, Excel's own names. A KPI function's name is added below.
ABBREVIATIONS = {"NT", "KPI", "KPIs", "CLV", "OKR", "PDF", "MRR", "ARR", "MQL", "SQL", "NPS", "CSAT", "CAC",
                 "LTV", "ACV", "ARPA", "ROI", "ROAS", "CTR", "CPC", "SaaS", "Excel", "LibreOffice", "Python",
                 "BG", "NBD", "Gamma", "CSV", "Slack", "Teams", "GiB", "SMTP", "VBA",
                 "alpha"}  # BG/NBD's parameter, named as in the papers and on the Customers sheet (r, alpha, a, b)
#: `kpi-xl COMMAND [--option]` quoted to the reader is a command to type, not English.
COMMAND = re.compile(r"kpi-xl(?: (?:new|refresh|scorecard|import|predict|share|report|demo|functions|vba))?"
                     r"(?: --?[a-z][a-z-]*(?: [A-Z]\d+)?)*")
#: A path or file name (book.xlsx, docs/scorecard.md, /tmp/x/kpi-xl-demo-zh-TW.xlsx).
PATH = re.compile(r"[\w./\\~-]*[/\\][\w./\\-]*|[\w-]+\.(?:xlsx|xlsm|csv|pdf|md|bas)\b")
#: A formula as it is typed in Excel (ACHIEVEMENT(90, 100, "higher"), SUM(金額)): code, not prose.
FORMULA = re.compile(r"\b[A-Z][A-Z0-9_.]*\([^()]*\)")


def _english_words(text: str, allowed: set[str]) -> list[str]:
    """Every ASCII word of 3+ letters in ``text`` that is not a path or file name, a command to
    type, a name the user gave or an allowed abbreviation (KPI function names included)."""
    text = FORMULA.sub(" ", PATH.sub(" ", COMMAND.sub(" ", text)))
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in allowed and w.upper() not in allowed]


def test_every_command_on_a_zh_tw_workbook_speaks_chinese(tmp_path, monkeypatch):
    """new, demo, import, refresh, scorecard, share, predict (and report, given LibreOffice)
    on a zh-TW workbook: not one English word a Taiwanese owner would have to read."""
    import shutil as _shutil

    from kpi_xl.functions import catalog

    monkeypatch.chdir(tmp_path)
    book = tmp_path / "book.xlsx"
    (tmp_path / "visits.csv").write_text("Day,Visits\n2026-06-01,10\n2026-06-02,12\n", encoding="utf-8")
    rng, rows = np.random.default_rng(3), []
    for i in range(300):
        start = dt.datetime(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 200)))
        rows += [(f"C{i:03d}", start + dt.timedelta(days=int(k * rng.integers(5, 60))), float(rng.gamma(4, 20)))
                 for k in range(int(rng.integers(1, 6)))]
    pd.DataFrame(rows, columns=["Customer", "Date", "Amount"]).to_csv(tmp_path / "sales.csv", index=False)
    typed = {"Day", "Visits", "Sales", "Customer", "Date", "Amount", "sideways", "book"}  # the user's own words
    allowed = ABBREVIATIONS | typed | {f.name for f in catalog.functions()}
    commands = [["new", "--lang", ZH, str(book)],
                ["demo", "--lang", ZH, "--out", str(tmp_path / "demo")],
                ["import", str(book), "Visits", "visits.csv"],
                ["import", str(book), "Sales", "sales.csv", "--no-backup"],
                ["refresh", str(book), "--as-of", "2026-06-30"],
                ["scorecard", "--lang", ZH],
                ["scorecard", "--lang", ZH, "--goal", "S1"],
                ["share", str(book), str(tmp_path / "shared.xlsx")],
                ["predict", str(book), "--table", "Sales", "--as-of", "2026-06-30"],
                ["predict", str(book), "--as-of", "2026-12-01"]]  # the sample's orders: the model cannot be fitted
    if _shutil.which("soffice") or _shutil.which("libreoffice"):
        commands.append(["report", str(book), "--pdf", str(tmp_path / "report.pdf"), "--as-of", "2026-06-30"])
    runner, found, said = CliRunner(), {}, {}
    for args in commands:
        if args[0] == "refresh":  # a goal's problem: a warning at its cell
            with open_package(book) as pkg:
                pkg.write_region(layout.sheet("goals", ZH), 5, _col("direction"), _col("direction"), [["sideways"]])
                pkg.save(book, backup=False)
        result = runner.invoke(main, args)
        assert result.exit_code in (0, 3), (args, result.output)
        assert result.output.strip(), args
        said[args[0]] = said.get(args[0], "") + result.output
        words = _english_words(result.output, allowed)
        iso = re.findall(r"\b\d{4}-\d\d-\d\d\b", PATH.sub(" ", COMMAND.sub(" ", result.output)))
        if words or iso:
            found[" ".join(args[:1] + args[2:3])] = (words + iso, result.output)
    assert found == {}, "\n\n".join(f"{k}: {sorted(set(w))}\n{out}" for k, (w, out) in found.items())
    # a warning names its cell, then a full-width colon, as the rest of the Chinese text
    warned = [li for li in said["refresh"].splitlines() if li.startswith("警告：")]
    assert warned and all(re.match(r"警告：\S+![A-Z]+\d+：", li) for li in warned), warned


# ---------------------------------------------------------------- refusals before the workbook is read
@pytest.mark.parametrize("lang", [ZH, "en"])
def test_a_workbook_open_in_excel_or_read_only_is_refused_in_its_own_language(tmp_path, lang, monkeypatch):
    """The lock and the read-only check come before the workbook is read: the command line says
    them in the workbook's language all the same (not in $KPI_XL_LANG's), naming the file."""
    monkeypatch.setenv("KPI_XL_LANG", "en" if lang == ZH else ZH)
    book = new(tmp_path / "book.xlsx", lang=lang)
    original = book.read_bytes()
    owner = tmp_path / "~$book.xlsx"
    owner.write_text("someone")
    said = CliRunner().invoke(main, ["refresh", str(book)])
    assert said.exit_code == 1 and said.exc_info[0] is SystemExit, said.exc_info
    if lang == ZH:
        assert "kpi-xl: book.xlsx 已在 Excel 中開啟（擁有者檔案 ~$book.xlsx）；請先在 Excel 關閉它" in said.output
        assert _english(said.output) == [], said.output
    else:
        assert "book.xlsx is open in Excel (owner file ~$book.xlsx); close it and run again" in said.output
    owner.unlink()
    book.chmod(0o444)
    try:
        said = CliRunner().invoke(main, ["refresh", str(book)])
    finally:
        book.chmod(0o644)
    assert said.exit_code == 1 and said.exc_info[0] is SystemExit, said.exc_info
    assert "Traceback" not in said.output
    if lang == ZH:
        assert f"kpi-xl: {book}：這個檔案是唯讀的；請取消唯讀（或另存一份複本），再執行一次" in said.output
        assert _english(said.output) == [], said.output
    else:
        assert f"{book}: the file is read-only; make it writable (or save a copy) and run again" in said.output
    assert book.read_bytes() == original


def test_a_file_that_is_no_workbook_is_refused_in_kpi_xl_lang(tmp_path, monkeypatch):
    """A file that cannot be opened has no language: $KPI_XL_LANG says which (else English)."""
    bad = tmp_path / "帳.xlsx"
    bad.write_bytes(b"not a zip at all")
    monkeypatch.setenv("KPI_XL_LANG", ZH)
    said = CliRunner().invoke(main, ["refresh", str(bad)])
    assert said.exit_code == 1 and f"kpi-xl: {bad}：不是 .xlsx／.xlsm 活頁簿（不是 zip 檔）" in said.output, said.output
    monkeypatch.delenv("KPI_XL_LANG")
    said = CliRunner().invoke(main, ["refresh", str(bad)])
    assert said.exit_code == 1 and f"{bad}: not an .xlsx/.xlsm workbook (not a zip file)" in said.output, said.output


def test_a_text_too_long_for_a_cell_is_said_in_chinese():
    from kpi_xl.workbook.package.encode import encode_value

    with pytest.raises(WorkbookError) as info:
        encode_value("字" * 40000, formula=None, where="計分卡!B7")
    assert info.value.text(ZH) == "計分卡!B7：40000 個字元；Excel 的一個儲存格最多只能放 32767 個字元"
    assert str(info.value) == "計分卡!B7: 40000 characters; an Excel cell holds at most 32767"


def test_the_button_says_a_package_refusal_in_the_workbooks_language(zh_book, monkeypatch):
    """A refusal raised where the language is not known (here: a text too long for a cell)
    is shown in the Chinese workbook's message box in Chinese."""
    import xlwings as xw

    from kpi_xl.workbook import live
    from kpi_xl.workbook.package.encode import encode_value

    def too_long(book, as_of):
        encode_value("字" * 40000, formula=None, where="計分卡!B7")

    book = _live(zh_book)
    monkeypatch.setattr(live, "_refresh", too_long)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: book))
    monkeypatch.setenv("KPI_XL_LANG", "en")
    assert live.refresh_scorecard() is None
    (title, said), = book.app.alerts
    assert said == "計分卡!B7：40000 個字元；Excel 的一個儲存格最多只能放 32767 個字元", said


def test_the_sample_history_speaks_chinese_in_every_period(zh_book):
    """A new zh-TW workbook's History (the sample's past months) shows each status in Chinese, as
    every refresh writes it: 'On track' in the months before the as-of date was never translated."""
    from python_calamine import CalamineWorkbook

    from kpi_xl import labels

    rows = CalamineWorkbook.from_path(str(zh_book)).get_sheet_by_name(layout.sheet("history", ZH)).to_python()
    status = [c[0] for c in layout.HISTORY_COLUMNS].index("status")
    shown = {r[status] for r in rows[1:] if r[0]}
    chinese = set(labels.STATUS[ZH].values())
    assert len({r[0] for r in rows[1:] if r[0]}) >= 5 and shown and shown <= chinese, shown - chinese
