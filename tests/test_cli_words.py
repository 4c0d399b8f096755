"""The command line in the reader's language: `kpi-xl --help`, each command's help and Click's
own words (Usage, Options, Error, Missing argument, Invalid value...) in 繁體中文 for a zh-TW
workbook or KPI_XL_LANG=zh-TW, and in English otherwise, whichever Click version is installed."""

from __future__ import annotations

import gettext
import importlib
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kpi_xl import cliwords, i18n
from kpi_xl.cli import main

ZH = "zh-TW"
COMMANDS = sorted(main.commands)
#: What a zh-TW reader is expected to meet in Latin letters in the help: names of products,
#: formats and models, a choice's value (auto), the stream errors go to.
NAMES = {"KPI", "Excel", "CSV", "Parquet", "BG", "NBD", "Gamma", "CLV", "PDF", "LibreOffice", "Slack",
         "Microsoft", "Teams", "Webhook", "JSON", "SMTP", "Python", "VBA", "OKR", "stderr", "auto", "kpi", "xl", "SaaS",
         "RegisterKpiFunctions"}
#: Three English words in a row: a sentence (or most of one) left in English.
PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:()]+[A-Za-z]{2,}){2,}")


def _english_words(text: str, typed: tuple[str, ...] = ()) -> list[str]:
    """The English words of ``text`` a zh-TW reader would have to read: not an option (--as-of),
    a metavar or placeholder (BOOK, [OPTIONS]), a choice list ([a4|letter]) or a quoted value
    ('letter'), a path or address
    (docs/schedule.md, *.webhook.office.com), a command name, a name in :data:`NAMES` or what
    the user typed."""
    for word in typed:
        text = text.replace(word, " ")
    text = re.sub(r"'[^'\n]*'", " ", text)  # a value Click quotes: the user's, a choice's ('a4', 'letter')
    text = re.sub(r"\[[^\]\n]*[|%][^\]\n]*\]", " ", text)  # [a4|letter], [%Y-%m-%d|%Y/%m/%d]
    text = re.sub(r"\S*[./]\S*[A-Za-z]\S*", " ", text)  # paths, file names, addresses
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # options
    text = re.sub(r"\b[A-Z][A-Z_*]+\b", " ", text)  # metavars, placeholders
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in NAMES and w not in COMMANDS]


def _run(args: list[str], lang: str | None = None):
    env = {"KPI_XL_LANG": lang} if lang else {"KPI_XL_LANG": None}
    return CliRunner().invoke(main, args, env=env, prog_name="kpi-xl", terminal_width=100)


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]], ids=lambda c: " ".join(c) or "kpi-xl")
def test_help_is_chinese_with_kpi_xl_lang_and_english_without(command):
    zh, en = _run([*command, "--help"], ZH), _run([*command, "--help"])
    assert zh.exit_code == 0 and en.exit_code == 0, (zh.output, en.output)
    assert zh.output.startswith("用法：kpi-xl") and "\n選項：\n" in zh.output and "顯示這份說明後結束。" in zh.output
    assert _english_words(zh.output) == [], zh.output
    english = {p for p in PHRASE.findall(en.output) if not p.isupper()}  # BOOK TABLE FILE: metavars
    assert english and [p for p in english if p in zh.output] == [], zh.output
    # the English help stays as it was: Click's words and kpi-xl's, and no Chinese
    assert en.output.startswith("Usage: kpi-xl") and "\nOptions:\n" in en.output
    assert "Show this message and exit." in en.output and not re.search(r"[\u3000-\u9fff\uff00-\uffef]", en.output)
    help_text = (main if not command else main.commands[command[0]])._help  # the English msgid
    assert i18n.gettext(help_text, ZH)[:12] in zh.output


def test_the_command_list_shows_each_commands_first_chinese_sentence():
    said = _run(["--help"], ZH).output
    assert "\n命令：\n" in said and "--version" in said and "顯示版本後結束。" in said
    for name in COMMANDS:
        first = i18n.gettext(main.commands[name]._help, ZH).split("\u3002")[0]
        line = next(li for li in said.splitlines() if li.strip().startswith(name + " "))
        assert first[:10] in line, (name, line)  # not Click's "..." for a sentence with no spaces


@pytest.mark.parametrize("width", [60, 80])
def test_chinese_help_fits_the_terminal(width):
    """Click counts characters and breaks at spaces; a Chinese character takes two columns and a
    Chinese sentence has no spaces: the help is wrapped by columns, never inside a Latin word,
    and a line does not start with a closing sign or end with an opening one."""
    for command in [[], *[[c] for c in COMMANDS]]:
        said = CliRunner().invoke(main, [*command, "--help"], env={"KPI_XL_LANG": ZH}, prog_name="kpi-xl",
                                  terminal_width=width).output
        for line in said.splitlines():
            fits = line.rstrip("\uff0c\u3002\u3001\uff1b\uff1a\uff09\u300d)")  # closing signs may hang over
            assert cliwords.columns(fits) <= width or " " not in line.strip(), (command, line)
            assert not re.match(r"\s*[\uff0c\u3002\u3001\uff1b\uff1a\uff09\u300d]", line), (command, line)
            assert not line.endswith(("\uff08", "\u300c")), (command, line)
        assert "Gamma-Gamma" in _run(["predict", "--help"], ZH).output.replace("\n", " ")


#: Wrong command lines: a mistyped option, a missing argument, values Click refuses.
WRONG = [(["refresh", "--quite", "x.xlsx"], "--quite"),
         (["refresh"], None),
         (["refresh", "no-such-book.xlsx"], "no-such-book.xlsx"),
         (["report", "--paper", "b5", "x.xlsx"], "b5"),
         (["refresh", "--as-of", "2026-13-01", "x.xlsx"], "2026-13-01"),
         (["predict", "x.xlsx", "--months", "0"], None),
         (["predict", "x.xlsx", "--months", "many"], "many"),
         (["predict", "x.xlsx", "--as-of"], None),
         (["refreshh"], "refreshh"),
         (["vba", "a.bas", "b.bas"], "b.bas"),
         (["functions", "--lang", "fr"], "fr"),
         (["functions", "--group", "Astrology"], "Astrology")]


@pytest.mark.parametrize("args,typed", WRONG, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_clicks_refusals_are_chinese_with_kpi_xl_lang_and_english_without(args, typed):
    zh, en = _run(args, ZH), _run(args)
    assert zh.exit_code == en.exit_code == 2, (zh.output, en.output)
    assert "錯誤：" in zh.output and ("用法：kpi-xl" in zh.output) == ("Usage: kpi-xl" in en.output), zh.output
    assert "Error" not in zh.output and "Usage" not in zh.output and "Try " not in zh.output
    assert _english_words(zh.output, (typed,) if typed else ()) == [], zh.output
    assert "Error: " in en.output
    assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", en.output), en.output


def test_refusals_name_the_chinese_file_kind_and_keep_the_users_words():
    said = _run(["refresh", "no-such-book.xlsx"], ZH).output
    assert "錯誤：'PATH' 的值無效：檔案 'no-such-book.xlsx' 不存在。" in said, said
    said = _run(["report", "--paper", "b5", "x.xlsx"], ZH).output
    assert "'b5' 不是 'a4', 'letter' 其中之一" in said, said
    said = _run(["predict", "x.xlsx", "--months", "many"], ZH).output
    assert "'many' 不是有效的整數。" in said, said
    assert "kpi-xl，版本 " in _run(["--version"], ZH).output


def test_a_workbooks_language_decides_over_kpi_xl_lang(tmp_path):
    """A command line on a workbook is answered in the workbook's language, its help and
    Click's refusals too: a zh-TW workbook in Chinese under KPI_XL_LANG=en, and the other way."""
    from kpi_xl.workbook.template import new

    zh, en = new(tmp_path / "zh.xlsx", lang=ZH, empty=True), new(tmp_path / "en.xlsx", lang="en", empty=True)
    said = _run(["refresh", str(zh), "--as-of", "tomorrow"], "en")
    assert said.exit_code == 2 and "錯誤：'--as-of' 的值無效：'tomorrow' 不符合格式" in said.output, said.output
    assert "用法：kpi-xl refresh" in _run(["refresh", str(zh), "--help"], "en").output
    said = _run(["refresh", str(en), "--as-of", "tomorrow"], ZH)
    assert said.exit_code == 2 and "Error: Invalid value for '--as-of': 'tomorrow' does not match" in said.output
    assert "Usage: kpi-xl refresh" in _run(["refresh", str(en), "--help"], ZH).output
    # a --lang on the command line decides for a command that has one
    assert "用法：kpi-xl new" in _run(["new", "--lang", ZH, "--help"], "en").output


def test_vba_says_what_to_do_in_chinese(tmp_path):
    said = _run(["vba", str(tmp_path / "kpi.bas")], ZH)
    assert said.exit_code == 0 and "請在 VBA 編輯器中匯入（檔案 > 匯入檔案），再執行 RegisterKpiFunctions" in said.output
    assert _english_words(said.output) == [], said.output
    said = _run(["vba", str(tmp_path / "kpi.bas")])
    assert "import it in the VBA editor (File > Import File), then run RegisterKpiFunctions" in said.output


def test_click_and_other_programs_are_left_as_they_were():
    """Click's words come from kpi-xl's catalog only while a kpi-xl command runs: afterwards
    Click's modules use the standard gettext again, another Click program speaks English, and
    the help option Click made once says the language of each run."""
    assert "用法：" in _run(["--help"], ZH).output
    for name in cliwords.MODULES:
        module = importlib.import_module(f"click.{name}")
        assert getattr(module, "_", gettext.gettext) is gettext.gettext
        assert getattr(module, "ngettext", gettext.ngettext) is gettext.ngettext

    @click.command()
    @click.argument("name")
    def other(name):
        pass

    said = CliRunner().invoke(other, [], env={"KPI_XL_LANG": ZH})
    assert "Error: Missing argument 'NAME'." in said.output and "Usage:" in said.output
    assert "Show this message and exit." in _run(["refresh", "--help"]).output
    assert "顯示這份說明後結束。" in _run(["refresh", "--help"], ZH).output
    assert cliwords.current() == i18n.SOURCE


#: Click's words a kpi-xl user cannot meet (kpi-xl has no prompts, editor, pager, completion,
#: File or tuple parameters, environment-variable options, deprecated commands or parameters
#: taking several values), or that only a developer meets (a parameter declared wrongly).
NOT_MET = {
    "Value must be an iterable.", "Takes {nargs} values but 1 was given.", "env var: {var}", "(dynamic)",
    "deprecated", "{text} {deprecated_message}", "DeprecationWarning: The command {name!r} is deprecated.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}", "Name '{name}' defined twice",
    "Boolean option {decl!r} cannot use the same flag for true/false.",
    "Could not determine name for option with declarations {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean "
    "to pass '--{name}'?", "Arguments take exactly one parameter declaration, got {length}: {decls}.",
    "unknown error", "Could not open file {filename!r}: {message}", "Choice({choices})",
    "{value!r} is not a valid boolean.", "{value!r} is not a valid boolean. Recognized values: {states}",
    "{value!r} is not a valid UUID.", "{name} {filename!r} is not executable.",
    "{len_type} values are required, but {len_value} was given.", "Invalid start character for option ({option})",
    "Argument {name!r} takes {nargs} values.", "Do you want to continue?", "Confirm the action without prompting.",
    "Repeat for confirmation", "Error: The value you entered was invalid.", "Error: {e.message}",
    "Error: The two entered values do not match.", "Error: invalid input", "Unknown color {colour!r}",
    "Press any key to continue...",
}


def test_every_word_click_can_say_to_a_kpi_xl_user_is_in_the_catalog():
    """Click's msgids differ between versions ("No such option: {name}" in 8.2, "No such option
    {name!r}." in 8.5): each one the installed Click says in the modules kpi-xl speaks through
    is translated, or one a kpi-xl user cannot meet."""
    from babel.messages.extract import extract_python

    ours = set(cliwords.WORDS) | {one for one, _many in cliwords.PLURALS}
    folder = Path(click.__file__).parent
    said = set()
    for name in cliwords.MODULES:
        with open(folder / f"{name}.py", "rb") as f:
            for _line, _func, msgid, _comments in extract_python(f, {"_": None, "ngettext": (1, 2)}, [], {}):
                if isinstance(msgid, tuple):
                    msgid = msgid[0]
                if msgid:  # _(variable): "required", in WORDS
                    said.add(msgid)
    assert {"Usage:", "Error: {message}", "Missing argument"} & said or "Usage:" in ours  # 8.2 says "Usage:" in an f-string
    assert sorted(said - ours - NOT_MET) == []
    catalog = i18n.translations(ZH)
    assert [w for w in ours if catalog.pgettext(cliwords.CONTEXT, w) == w] == []


# ---------------------------------------------------------------- refusals that were English only
@pytest.fixture(scope="module")
def zh_book(tmp_path_factory):
    from kpi_xl.workbook.template import new

    return new(tmp_path_factory.mktemp("zh") / "book.xlsx", lang=ZH)


def test_new_refuses_an_existing_file_and_a_wrong_suffix_in_chinese(zh_book):
    said = _run(["new", "--lang", ZH, str(zh_book)], "en")
    assert said.exit_code == 1 and f"kpi-xl: {zh_book} 已經存在；kpi-xl new 絕不覆寫檔案（請換一個檔名）" in said.output
    said = _run(["new", "--lang", ZH, "--macros", str(zh_book.with_name("new.xlsx"))], "en")
    assert said.exit_code == 1 and "含巨集的活頁簿（--macros）副檔名必須是 .xlsm" in said.output, said.output
    assert _english_words(said.output) == [], said.output
    said = _run(["new", str(zh_book)])
    assert "already exists; kpi-xl new never overwrites a file (choose another name)" in said.output


def test_report_refusals_in_chinese(zh_book, tmp_path, monkeypatch):
    from kpi_xl.workbook.package import WorkbookError
    from kpi_xl.workbook.report import report

    with pytest.raises(WorkbookError) as info:
        report(zh_book, tmp_path / "r.pdf", paper="b5")
    assert info.value.text(ZH) == "紙張「b5」：請使用 a4、letter 其中之一"
    assert str(info.value) == "paper 'b5': one of a4, letter"
    soffice = tmp_path / "soffice"  # there, but not a program
    soffice.write_text("not a program")
    soffice.chmod(0o644)
    monkeypatch.setenv("KPI_XL_SOFFICE", str(soffice))
    said = _run(["report", str(zh_book), "--pdf", str(tmp_path / "r.pdf"), "--as-of", "2026-06-30", "--quiet"], "en")
    assert said.exit_code == 1 and f"kpi-xl: {soffice}：無法啟動 LibreOffice（" in said.output, said.output
    assert not (tmp_path / "r.pdf").exists()


def test_a_workbook_calamine_cannot_read_is_refused_in_chinese(zh_book, monkeypatch):
    import sys
    import types

    def unreadable(path):
        raise ValueError("boom")

    fake = types.ModuleType("python_calamine")
    fake.CalamineWorkbook = types.SimpleNamespace(from_path=unreadable)
    monkeypatch.setitem(sys.modules, "python_calamine", fake)
    said = _run(["refresh", str(zh_book), "--as-of", "2026-06-30", "--no-backup"], "en")
    assert said.exit_code == 1 and f"kpi-xl: {zh_book}：無法讀取儲存格的值（boom）" in said.output, said.output


def test_package_refusals_in_chinese(zh_book):
    from kpi_xl.workbook.package import WorkbookError, open_package

    with open_package(zh_book) as pkg:
        for call, zh, en in (
                (lambda: pkg.read_part("xl/nothing.xml"), "：活頁簿中沒有 xl/nothing.xml 這個組件", ": no part 'xl/nothing.xml'"),
                (lambda: pkg.add_part("xl/workbook.xml", b""), "：xl/workbook.xml 組件已經存在",
                 ": a part 'xl/workbook.xml' exists already"),
                (lambda: pkg.sheet("Nope"), "：沒有名為「Nope」的工作表（工作表有：'開始'、", ": no sheet named 'Nope' (sheets: '開始', ")):
            with pytest.raises(WorkbookError) as info:
                call()
            assert zh in info.value.text(ZH) and en in str(info.value), info.value.text(ZH)


#: Refusals a user cannot meet: a caller's mistake inside kpi-xl (a region, a style index, a
#: closed package), or a line marked as unreachable.
CALLERS_MISTAKES = {("package/encode.py", "bad region"), ("package/encode.py", "rows from row"),
                    ("package/encode.py", "values; the region"), ("package/encode.py", "styles for a region"),
                    ("package/encode.py", "cannot write a"), ("package/bulk.py", "dates before 1900"),
                    ("package/bulk.py", "columns of different lengths"), ("package/parts.py", "the package is closed"),
                    ("package/spreadsheetml.py", "style index"), ("customers.py", "the notes reach row"),
                    # a kind ('missing', 'start', 'timeout', 'failed') that kpi-xl report words in the book's language
                    *(("libreoffice.py", f"'{kind}'") for kind in ("missing", "start", "timeout", "failed"))}


def test_no_refusal_a_user_can_meet_is_english_only():
    """Every refusal the workbook adapters and the command line raise is a message id (said in the
    workbook's language), not an English f-string, but for a caller's mistake inside kpi-xl."""
    import ast

    root = Path(__file__).resolve().parents[1] / "kpi_xl"
    found = []
    for path in [root / "cli.py", *sorted((root / "workbook").rglob("*.py"))]:
        rel = path.relative_to(root / "workbook").as_posix() if "workbook" in path.parts else path.name
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            func, first = node.exc.func, node.exc.args[0]
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            english = isinstance(first, ast.JoinedStr) or isinstance(first, ast.Constant) and isinstance(first.value, str)
            if name.endswith("Error") and name not in ("ValueError", "TypeError") and english:
                text = ast.unparse(first)
                if not any(rel == f and part in text for f, part in CALLERS_MISTAKES):
                    found.append(f"{rel}:{node.lineno}: {text[:70]}")
    assert found == []


def test_the_zh_tw_docs_quote_what_the_command_line_says():
    """docs/zh-TW/README.md shows `kpi-xl --help` and a mistyped option as a zh-TW reader sees them
    with the newest Click (8.2 words the second one a little differently)."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "zh-TW" / "README.md").read_text(encoding="utf-8")
    quoted = page.split("```text\n", 1)[1].split("```", 1)[0]
    help_part, wrong_part = quoted.split("> kpi-xl refresh --as-off 2026-06-30 book.xlsx\n")
    assert help_part.startswith("> kpi-xl --help\n")
    said = _run(["--help"], ZH).output
    assert said.startswith(help_part.removeprefix("> kpi-xl --help\n").rstrip("\n")), said
    said = _run(["refresh", "--as-off", "2026-06-30", "book.xlsx"], ZH).output
    assert said.splitlines()[0] == wrong_part.splitlines()[0], said
    assert "錯誤：" in said and "--as-off" in said and "您是不是要輸入" in said, said
    if "No such option {name!r}." in _click_msgids():  # Click 8.5 (8.2 shows "-h" and another sentence)
        assert said.strip() == wrong_part.strip(), said


def _click_msgids() -> set[str]:
    from babel.messages.extract import extract_python

    with open(Path(click.__file__).parent / "exceptions.py", "rb") as f:
        return {m if isinstance(m, str) else m[0] for _l, _f, m, _c in
                extract_python(f, {"_": None, "ngettext": (1, 2)}, [], {}) if m}


def test_kpi_xl_lang_chooses_the_language_of_commands_without_a_workbook(tmp_path):
    """A Taiwanese user who set KPI_XL_LANG=zh-TW gets the function catalog and a new workbook in
    Chinese without typing --lang; --lang still decides, and without either it is English."""
    from kpi_xl.workbook.language import workbook_language

    zh, en = _run(["functions", "--group", "Sales"], ZH), _run(["functions", "--group", "Sales"])
    assert zh.exit_code == 0 and en.exit_code == 0, (zh.output, en.output)
    assert "kpi-xl 工作表函數" in zh.output and "worksheet functions" not in zh.output, zh.output
    assert "worksheet functions" in en.output
    assert _run(["new", str(tmp_path / "a.xlsx")], ZH).exit_code == 0
    assert _run(["new", str(tmp_path / "b.xlsx"), "--lang", "en"], ZH).exit_code == 0
    assert _run(["new", str(tmp_path / "c.xlsx")]).exit_code == 0
    assert [workbook_language(tmp_path / f"{n}.xlsx") for n in "abc"] == [ZH, "en", "en"]


def test_a_path_the_system_refuses_to_look_at_is_refused_by_click_not_a_traceback():
    """A workbook name too long for the file system: Click's own refusal, in words, exit 2."""
    said = _run(["refresh", "a" * 300 + ".xlsx"], ZH)
    assert said.exit_code == 2 and "Traceback" not in said.output and "錯誤：" in said.output, said.output
