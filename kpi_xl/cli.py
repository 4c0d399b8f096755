"""The ``kpi-xl`` command line: thin commands over the library.

Each command opens what it needs, calls one library function and turns a
:class:`kpi_xl.errors.KpiXlError` into a clean message and exit code 1.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import time
from pathlib import Path

import click

from . import __version__, cliwords, i18n
from .errors import KpiXlError
from .i18n import N_

#: An option whose help is shown in the language of the command being run (N_-marked English).
option = functools.partial(click.option, cls=cliwords.Option)


def _console(stderr: bool = False):
    from rich.console import Console

    # A wide table even when the output is a file or CI log, so nothing is cut.
    return Console(width=None if sys.stdout.isatty() else 160, stderr=stderr)


@contextlib.contextmanager
def _progress(book: Path, first: str, quiet: bool = False):
    """Progress of a long command on ``book`` (refresh, import, predict), in the workbook's
    language: nothing when ``quiet``; a spinner with the current step when stderr is a terminal;
    otherwise (a log, a pipe, a scheduled task) one line per step on stderr with the seconds so
    far. Yields the ``progress`` callable the library function takes; ``first`` (an English
    msgid) is the spinner's word before the first step."""
    if quiet:
        yield lambda msg: None
        return
    from .workbook.language import workbook_language

    lang = workbook_language(book) if book.exists() else i18n.language()
    if sys.stderr.isatty():
        with _console(stderr=True).status(i18n.gettext(first, lang)) as status:
            yield status.update
        return
    start = time.perf_counter()

    def line(msg: str) -> None:
        click.echo(i18n.Message(i18n.N_("[{seconds:6.1f} s] {step}"), seconds=time.perf_counter() - start,
                                step=msg).text(lang), err=True)

    yield line


def _warn(console, warnings: list[str], lang: str) -> None:
    """Each warning on its own line, after a yellow "warning:" in the workbook's language."""
    from rich.markup import escape

    head = i18n.gettext(i18n.N_("warning:"), lang)
    for w in dict.fromkeys(warnings):  # the same problem met by several goals: said once
        console.print(i18n.Message(i18n.N_("{warning} {text}"), warning=f"[yellow]{head}[/]", text=escape(w)).text(lang),
                      soft_wrap=True)  # one line per warning, however long: a log is read with grep


class _Refused(click.ClickException):
    """A refusal, said as "kpi-xl: why" (in the workbook's language, with no English "Error:"
    before it), exit code 1."""

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def _said(exc: KpiXlError, ctx: click.Context) -> str:
    """What went wrong, in the language of the workbook the command works on (its BOOK or PATH
    argument): an error raised before the workbook's language was known (a lock, a read-only
    file, a file that is no workbook) carries a Message. A workbook that cannot be read has no
    language: then $KPI_XL_LANG, else English."""
    if not isinstance(exc, i18n.MessageError):
        return str(exc)
    book = ctx.params.get("book") or ctx.params.get("path")
    try:
        if isinstance(ctx.params.get("lang"), str):  # a command told the language (new, scorecard, demo)
            return exc.text(ctx.params["lang"])
        if isinstance(book, Path) and book.is_file():
            from .workbook.language import workbook_language

            return exc.text(workbook_language(book))
        return exc.text(i18n.language())
    except i18n.LanguageError:  # a $KPI_XL_LANG there is no catalog for: the English words
        return str(exc)


class _Command(cliwords.Command):
    """A command whose own errors (bad workbook, bad goal row...) are said in the workbook's
    language as a clean message, exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KpiXlError as exc:
            raise _Refused(f"kpi-xl: {_said(exc, ctx)}") from None


class _Group(cliwords.Group):
    """Turns kpi-xl's own errors (bad workbook, bad goal row...) into a clean message, exit 1;
    speaks the language of the command line (:func:`language_of`), Click's own words too."""

    command_class = _Command

    def main(self, args=None, *more, **options):
        words = sys.argv[1:] if args is None else list(args)
        with cliwords.speaking(language_of(words)):
            return super().main(args, *more, **options)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KpiXlError as exc:
            raise _Refused(f"kpi-xl: {exc}") from None


def _lang_option(help_text: str):
    """A command's ``--lang``: the language asked for, else $KPI_XL_LANG's (a Taiwanese user who set it
    gets Chinese from every command), else English."""

    def chosen(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        if value:
            return value
        try:
            return i18n.language()
        except i18n.LanguageError:  # a $KPI_XL_LANG there is no catalog for: the English words
            return i18n.SOURCE

    return option("--lang", type=click.Choice(i18n.languages()), default=None, callback=chosen, help=help_text)


def language_of(args: list[str]) -> str:
    """The language a command line is answered in (its help, Click's refusals): its ``--lang``,
    else the language of the first workbook (.xlsx, .xlsm) it names that exists, else
    $KPI_XL_LANG, else English, as the command's own messages are."""
    for i, arg in enumerate(args):
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else arg[7:] if arg.startswith("--lang=") else None
        with contextlib.suppress(i18n.LanguageError):
            if value:
                return i18n.language(value)
    # os.path.isfile, not Path.is_file: False for a name the system refuses to look at (too long,
    # in a folder that cannot be opened), which Click's own check of the argument then words
    book = next((Path(a) for a in args if a.lower().endswith((".xlsx", ".xlsm")) and os.path.isfile(a)), None)
    if book is not None:
        with _gc_paused():  # the sheet names only: pandas loads later (a refresh reads its tables meanwhile)
            try:
                from .workbook.language import workbook_language

                return workbook_language(book)
            except (KpiXlError, OSError):
                pass
    with contextlib.suppress(i18n.LanguageError):
        return i18n.language()
    return i18n.SOURCE


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(cliwords.words("%(prog)s, version %(version)s") % {"prog": "kpi-xl", "version": __version__})
        ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("kpi-xl: KPI worksheet functions, goals and scorecards for Excel."))
@option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
        help="Show the version and exit.")  # Click's words (cliwords.WORDS)
def main() -> None:
    """The ``kpi-xl`` command group."""


def _one_blas_thread() -> None:
    """NumPy's OpenBLAS with one thread in the ``kpi-xl`` program, unless the user chose a number
    (``OPENBLAS_NUM_THREADS``, ``GOTO_NUM_THREADS`` or ``OMP_NUM_THREADS``, which OpenBLAS reads):
    loading NumPy starts OpenBLAS's pool of a thread per core, which costs ~0.045 s of CPU on 2 cores
    (more on more cores) in every command, and no command multiplies matrices big enough to use it
    (a 4x4 Hessian, a straight-line fit over days). Only the program's own entry point (:func:`run`)
    sets it: a program that calls :func:`main` keeps its environment as it was."""
    chosen = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")
    if "numpy" not in sys.modules and not any(os.environ.get(v) for v in chosen):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


@main.command(help=N_("Print the catalog of worksheet functions, each example computed live."))
@_lang_option(N_("Language of the descriptions (default: $KPI_XL_LANG, else en)."))
@option("--group", "group", default=None, help=N_("Only this group, e.g. Sales."))
def functions(lang: str, group: str | None) -> None:
    from rich.table import Table

    from .functions import catalog

    funcs = catalog.functions()
    if group:
        funcs = [f for f in funcs  # the group's name in English or in the chosen language
                 if group.casefold() in (f.group.casefold(), catalog.group_name(f.group, lang).casefold())]
        if not funcs:
            raise click.BadParameter(i18n.Message(i18n.N_("no group '{group}'; groups: {groups}"), group=group,
                                                  groups=i18n.Join(catalog.group_name(g, cliwords.current())
                                                                   for g in catalog.GROUPS)
                                                  ).text(cliwords.current()), param_hint="--group")
    N_, t = i18n.N_, lambda text: i18n.gettext(text, lang)  # noqa: E731
    table = Table(title=i18n.Message(N_("kpi-xl worksheet functions ({n}, category KPI)"), n=len(funcs)).text(lang))
    table.add_column(t(N_("Function")), style="bold cyan", no_wrap=True)
    table.add_column(i18n.pgettext("docs", i18n.NC_("docs", "Example"), lang), overflow="fold", max_width=48)
    table.add_column(t(N_("Result")), justify="right", style="green", max_width=22)
    table.add_column(t(N_("What it computes")), ratio=1)
    for i, f in enumerate(funcs):
        if i == 0 or funcs[i - 1].group != f.group:
            table.add_row(f"[bold magenta]{catalog.group_name(f.group, lang)}[/]", "", "", "")
        summary = f.summary_in(lang)
        last = i + 1 == len(funcs) or funcs[i + 1].group != f.group
        table.add_row(f.name, f.example.formula, catalog.format_result(f.run_example()), summary, end_section=last)
    console = _console()
    console.print(table)
    console.print(i18n.Message(N_("Use them in Excel: see {install}. Full reference: {reference}"),
                               install=_doc("install.md", lang), reference=_doc("functions.md", lang)).text(lang))


@main.command(help=N_("Compute and print the sample company's scorecard (goals, pacing, status)."))
@_lang_option(N_("Language of the scorecard (default: $KPI_XL_LANG, else en)."))
@option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d", "%Y/%m/%d"]), default=None,
        help=N_("Date to measure at (default: the sample's 2026-06-15)."))
@option("--goal", default=None, help=N_("Explain one goal's numbers step by step."))
def scorecard(lang: str, as_of, goal: str | None) -> None:
    from . import sample
    from .goals import compute
    from .goals.explain import explain_goal
    from .workbook.content import localized
    from .workbook.template import localize_goals, localize_table

    company = sample.load(lang)
    when = as_of.date() if as_of else company.as_of
    # the goals and tables as the workbook in this language names them (its Chinese sheet and column names)
    goals, tables = company.goals, company.tables
    if lang != i18n.SOURCE:
        goals, tables = localize_goals(goals, lang), {n: localize_table(df, lang) for n, df in tables.items()}
    result = compute(goals, tables, when)
    console = _console()
    if goal:
        if goal not in set(result.scorecard["id"]):
            wrong = _Refused("kpi-xl: " + i18n.Message(i18n.N_("no goal '{goal}'; goals: {goals}"), goal=goal,
                                                       goals=i18n.Join(result.scorecard["id"])).text(lang))
            wrong.exit_code = 2  # a wrong option, as click says it (but in the reader's language)
            raise wrong
        for line in explain_goal(result, goal):
            console.print("\u2022 " + line.text(lang).replace("**", ""))
        return
    _print_scorecard(console, localized(result.scorecard, lang), _title(company.name, when, lang),
                     [w.text(lang) for w in result.warnings], lang)
    console.print(i18n.Message(i18n.N_("How each number is computed: {page}, or {command}"), page=_doc("scorecard.md", lang),
                               command="kpi-xl scorecard --goal S1").text(lang))


def _title(company: str, when, lang: str) -> str:
    return i18n.Message(i18n.N_("{company} \u2014 scorecard on {date}"), company=company, date=when).text(lang)


def _doc(page: str, lang: str) -> str:
    """The docs page in the reader's language when there is one (docs/zh-TW/goals.md), else docs/PAGE."""
    translated = Path(__file__).resolve().parents[1] / "docs" / lang / page
    return f"docs/{lang}/{page}" if lang != i18n.SOURCE and translated.exists() else f"docs/{page}"


def _print_scorecard(console, card, title: str, warnings: list[str], lang: str = "en") -> None:
    from rich.table import Table

    NC_ = i18n.NC_
    table = Table(title=title)
    for col, justify in ((NC_("header", "Goal"), "left"), (NC_("header", "Owner"), "left"),
                         (NC_("header", "Actual"), "right"), (NC_("header", "Target"), "right"),
                         (NC_("header", "Achievement"), "right"), (NC_("header", "Pace"), "right"),
                         (NC_("header", "Forecast"), "right"), (NC_("header", "Status"), "left")):
        table.add_column(i18n.pgettext("header", col, lang), justify=justify)
    colours = {"achieved": "green", "on_track": "green", "behind": "yellow", "at_risk": "red"}
    for r in card.itertuples(index=False):
        pct = lambda v: "" if v != v else f"{v * 100:.0f}%"  # noqa: E731
        num = lambda v: "" if v != v else (f"{v * 100:.2f}%" if r.unit == "%" else f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}")  # noqa: E731
        ach = r.achievement if r.achievement == r.achievement else r.rollup_achievement
        pace = r.pace if r.pace == r.pace else r.rollup_pace
        table.add_row(f"{r.id} {r.name}", r.owner, num(r.actual), num(r.target), pct(ach), pct(pace), num(r.forecast),
                      f"[{colours.get(r.status, 'dim')}]{r.status_label}[/]")
    console.print(table)
    _warn(console, warnings, lang)


@main.command(help=N_("Write a new kpi-xl workbook (sample company data unless --empty)."))
@click.argument("path", type=cliwords.Path(dir_okay=False, path_type=Path))
@_lang_option(N_("Language of every label, status and chart title (default: $KPI_XL_LANG, else en)."))
@option("--empty", is_flag=True, help=N_("No sample data: just the sheets, tables and drop-downs."))
@option("--macros", is_flag=True, help=N_("A macro workbook (.xlsm) with Refresh scorecard buttons and the "
                                          "KPI functions' VBA."))
def new(path: Path, lang: str, empty: bool, macros: bool) -> None:
    from .workbook.template import new as new_workbook

    out = new_workbook(path, lang=lang, empty=empty, macros=macros)
    click.echo(i18n.Message(i18n.N_("wrote {path}"), path=str(out)).text(lang))


@main.command(help=N_("Refresh a workbook's scorecard without Excel (Scorecard, History, OKR, "
                      "Rewards).\n\nExit code 0: refreshed; 3: refreshed, and a goal's status got worse since "
                      "the previous review period (for a schedule to alert on); 1: the workbook could not be "
                      "refreshed (nothing written); 2: a wrong option or argument."))
@click.argument("path", type=cliwords.Path(exists=True, dir_okay=False, path_type=Path))
@option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d", "%Y/%m/%d"]), default=None,
        help=N_("Measure at this date instead of the Settings sheet's (blank there means today)."))
@option("--quiet", is_flag=True, help=N_("No progress or table: for schedules (errors still go to stderr)."))
@option("--no-backup", is_flag=True, help=N_("Do not keep the previous version as NAME.bak.xlsx."))
def refresh(path: Path, as_of, quiet: bool, no_backup: bool) -> None:
    with _gc_paused():  # while pandas and kpi-xl load, and until the summary is said
        _refresh(path, as_of, quiet, no_backup)


@contextlib.contextmanager
def _gc_paused():
    """Python's cyclic garbage collector paused (a command loading pandas and holding every cell it
    read), then on again as it was, without the collection its first allocation would start: that
    one walks every object made since the pause (pandas, kpi-xl and what the refresh still holds:
    130,000 objects, ~0.04 s) to find next to nothing. Whatever is alive then goes to the oldest
    generation instead (``gc.freeze`` then ``gc.unfreeze``: two list splices), as objects that
    survive collections do; cycles among them are freed by the next full collection."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            if gc.get_freeze_count() == 0:  # a host program's own gc.freeze() is left as it was
                gc.freeze()  # every tracked object to the permanent generation; the young count back to 0
                gc.unfreeze()  # ... and from there to the oldest generation, seen by the next full collection
            gc.enable()


def _refresh(path: Path, as_of, quiet: bool, no_backup: bool) -> None:
    from .workbook.readahead import ReadAhead

    ahead = ReadAhead(path)  # python-calamine reads the tables while pandas and the engine load
    from .workbook.refresh import refresh as do_refresh

    with _progress(path, i18n.N_("refreshing"), quiet) as progress:
        report = do_refresh(path, as_of.date() if as_of else None, backup=not no_backup, progress=progress,
                            ahead=ahead)
    if quiet:
        _exit_if_worse(report)
        return
    from .workbook.summary import changed
    from .workbook.summary import kept, refreshed

    click.echo(refreshed(report).text(report.lang))
    if changed(report):
        click.echo(changed(report).text(report.lang))
    if report.warnings:  # rich is imported only when there is something to say in colour
        _warn(_console(), report.warnings, report.lang)
    if report.backup:
        click.echo(kept(report).text(report.lang))
    _exit_if_worse(report)


@main.command("import", help=N_("Import a CSV, Excel or Parquet FILE into TABLE of BOOK (a new sheet and table when "
                                "TABLE does not exist). Formats, charts and other sheets stay as they are."))
@click.argument("book", type=cliwords.Path(dir_okay=False, path_type=Path))
@click.argument("table")
@click.argument("file", type=cliwords.Path(dir_okay=False, path_type=Path))
@option("--append", "mode", flag_value="append", default=True,
        help=N_("Add the rows after the table's last row (the default)."))
@option("--replace", "mode", flag_value="replace", help=N_("Replace the table's rows with the file's."))
@option("--add-columns", is_flag=True, help=N_("Add the file's columns the table lacks to the table."))
@option("--no-backup", is_flag=True, help=N_("Do not keep the previous version as NAME.bak.xlsx."))
@option("--quiet", is_flag=True, help=N_("Print nothing but errors."))
def import_(book: Path, table: str, file: Path, mode: str, add_columns: bool, no_backup: bool, quiet: bool) -> None:
    from .workbook.importing import import_table

    run = lambda progress=None: import_table(book, table, file, mode=mode, add_columns=add_columns,  # noqa: E731
                                             backup=not no_backup, progress=progress)
    with _progress(book, i18n.N_("importing"), quiet) as progress:
        report = run(progress)
    if quiet:
        return
    click.echo(_imported(report).text(report.lang))
    for note in report.notes:  # what reading the file changed: its encoding, a totals row left out...
        click.echo(note)


def _imported(report) -> i18n.Join:
    """What an import did, in words (the workbook's language)."""
    N_, Message = i18n.N_, i18n.Message
    where = dict(table=report.table, sheet=report.sheet)
    first = (Message(N_("imported 1 row into {table} (sheet {sheet})"), **where) if report.rows == 1 else
             Message(N_("imported {rows:,} rows into {table} (sheet {sheet})"), rows=report.rows, **where))
    said = first
    if report.created:
        said = Message(N_("{clause}, {more}"), clause=said, more=Message(N_("a new table on a new sheet")))
    if report.columns_added:
        names, n = i18n.Join(report.columns_added), len(report.columns_added)
        more = (Message(N_("1 column added ({names})"), names=names) if n == 1 else
                Message(N_("{n} columns added ({names})"), n=n, names=names))
        said = Message(N_("{clause}, {more}"), clause=said, more=more)
    from .workbook.summary import kept

    said = [said, *([kept(report)] if report.backup else [])]
    return i18n.Join(said, sep="; ")


@main.command(help=N_("Predict each customer's purchases and value from an order table of BOOK (BG/NBD and "
                      "Gamma-Gamma) into a Customers sheet: P(active), expected purchases, CLV and a segment."))
@click.argument("book", type=cliwords.Path(dir_okay=False, path_type=Path))
@option("--table", default=None, help=N_("The order table: one row per order (default: the Orders table, "
                                         "named by its sheet in the workbook's language)."))
@option("--customer", default=None, help=N_("Its customer column (default: guessed from the headers)."))
@option("--date", "date_col", default=None, help=N_("Its order date column (default: guessed)."))
@option("--value", default=None, help=N_("Its amount column (default: guessed)."))
@option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d", "%Y/%m/%d"]), default=None,
        help=N_("Predict from this date (orders after it are left out; default: the Settings sheet's as-of "
                "date, blank there means today)."))
@option("--months", type=cliwords.IntRange(min=1), default=12, metavar="INTEGER RANGE", show_default=True,
        help=N_("Months ahead for expected purchases and CLV."))
@option("--no-backup", is_flag=True, help=N_("Do not keep the previous version as NAME.bak.xlsx."))
@option("--quiet", is_flag=True, help=N_("Print nothing but errors and the notes."))
def predict(book: Path, table: str, customer, date_col, value, as_of, months: int, no_backup: bool,
            quiet: bool) -> None:
    from .workbook.customers import predict as do_predict

    if table is None:  # the sample's order table, as the workbook's reader knows it: by its sheet
        from .workbook import layout
        from .workbook.language import workbook_language

        table = layout.sheet("Orders", workbook_language(book) if book.exists() else i18n.language())
    run = lambda progress=None: do_predict(  # noqa: E731
        book, table, customer=customer, date=date_col, value=value, as_of=as_of.date() if as_of else None,
        months=months, backup=not no_backup, progress=progress)
    with _progress(book, i18n.N_("predicting"), quiet) as progress:
        report = run(progress)
    N_, Message = i18n.N_, i18n.Message
    if not quiet:
        click.echo(Message(N_("wrote {n:,} customers from {orders:,} orders of {table} into sheet {sheet} "
                              "(as of {date})"), n=report.customers, orders=report.orders, table=table,
                           sheet=report.sheet, date=report.as_of).text(report.lang))
    for note in report.notes:
        click.echo(note)
    if report.backup and not quiet:
        from .workbook.summary import kept

        click.echo(kept(report).text(report.lang))


@main.command(help=N_("Report a workbook's scorecard: a PDF of the Scorecard and the Dashboard, a digest by "
                      "mail or to a chat (status changes, goals at risk, new check-in notes). BOOK is not "
                      "changed: a copy of it is refreshed and printed."))
@click.argument("book", type=cliwords.Path(exists=True, dir_okay=False, path_type=Path))
@option("--pdf", "pdf", type=cliwords.Path(dir_okay=False, path_type=Path), default=None, metavar="FILE",
        help=N_("Write the Scorecard (its Changes first) and the Dashboard to this PDF (needs LibreOffice)."))
@option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d", "%Y/%m/%d"]), default=None,
        help=N_("Measure at this date instead of the Settings sheet's (blank there means today)."))
@option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True,
        help=N_("Paper size of the PDF (landscape)."))
@option("--mail", "mail", multiple=True, metavar="TO",
        help=N_("Mail the digest (and the PDF) to this address; repeat for more. SMTP settings: "
                "environment variables KPI_XL_SMTP_* (docs/schedule.md)."))
@option("--webhook", "webhooks", multiple=True, metavar="URL",
        help=N_("Post the digest to this Slack or Microsoft Teams incoming webhook; repeat for more."))
@option("--webhook-kind", type=click.Choice(["auto", "slack", "teams"]), default="auto", show_default=True,
        help=N_("The webhook's JSON: auto picks Teams for *.webhook.office.com, *.logic.azure.com, "
                "*.powerplatform.com and *.powerautomate.com addresses, else Slack."))
@option("--link", default=None, help=N_("A link to put in the digest (where the PDF is shared)."))
@option("--timeout", type=cliwords.FloatRange(min=1), default=180.0, metavar="FLOAT RANGE", show_default=True,
        help=N_("Seconds LibreOffice may take to print the PDF."))
@option("--quiet", is_flag=True, help=N_("Print nothing but errors."))
def report(book: Path, pdf: Path | None, as_of, paper: str, mail: tuple[str, ...], webhooks: tuple[str, ...],
           webhook_kind: str, link: str | None, timeout: float, quiet: bool) -> None:
    from .workbook.notify import post_webhook, send_mail
    from .workbook.report import report as make_report

    if pdf is None and not mail and not webhooks:
        from .workbook.language import workbook_language

        raise click.UsageError(i18n.gettext(i18n.N_("say what to make: --pdf OUT.pdf, --mail TO and/or --webhook URL"),
                                            workbook_language(book)))
    say = (lambda msg: None) if quiet else (lambda msg: click.echo(msg, err=True))
    done = make_report(book, pdf, as_of=as_of.date() if as_of else None, paper=paper, timeout=timeout,
                       progress=say)
    lang, N_, Message = done.refreshed.lang, i18n.N_, i18n.Message
    for to in mail:
        send_mail([to], done.digest, done.pdf)
        say(Message(N_("mailed the report to {to}"), to=to).text(lang))
    for url in webhooks:
        kind = post_webhook(url, done.digest, webhook_kind, link)
        say(Message(N_("posted the digest to {host} ({kind})"), host=url.split("/")[2] if "//" in url else url,
                    kind=kind).text(lang))
    if quiet:
        return
    if done.pdf:
        click.echo(Message(N_("wrote {pdf}: the Scorecard and the Dashboard as of {date}"), pdf=str(done.pdf),
                           date=done.refreshed.as_of).text(lang))
    click.echo(done.digest.text())


#: `kpi-xl refresh` exits with this code when a goal's status got worse since the previous
#: review period (Achieved > On track > Behind > At risk); docs/schedule.md.
EXIT_WORSE = 3


def _exit_if_worse(report) -> None:
    """Say on stderr which goals got worse (ID, status before and now) and exit with
    :data:`EXIT_WORSE`; nothing when none did."""
    if not report.worse:
        return
    from .workbook.summary import got_worse

    click.echo(got_worse(report).text(report.lang), err=True)
    sys.exit(EXIT_WORSE)


@main.command(help=N_("Write a copy for people without Python: KPI formulas become values, no macros."))
@click.argument("path", type=cliwords.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("out", type=cliwords.Path(dir_okay=False, path_type=Path))
def share(path: Path, out: Path) -> None:
    from .workbook.share import share as do_share

    report = do_share(path, out)
    click.echo(report.said().text(report.lang))


@main.command(help=N_("Build the sample workbook, refresh its scorecard, print it and say where the file is."))
@_lang_option(N_("Language of the sample workbook (default: $KPI_XL_LANG, else en)."))
@option("--out", "out_dir", type=cliwords.Path(file_okay=False, path_type=Path), default=Path("kpi-xl-demo"),
        metavar="DIRECTORY",
        show_default=True, help=N_("Folder for the demo workbook."))
def demo(lang: str, out_dir: Path) -> None:
    from . import sample
    from .workbook.refresh import refresh as do_refresh
    from .workbook.template import new as new_workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"kpi-xl-demo-{lang}.xlsx"
    for old in (path, path.with_name(path.stem + ".bak.xlsx")):
        if old.exists():
            old.unlink()
    console, N_, Message = _console(), i18n.N_, i18n.Message
    with console.status(i18n.gettext(N_("building the sample company's workbook"), lang)):
        new_workbook(path, lang=lang)
    with console.status(i18n.gettext(N_("refreshing its scorecard"), lang)) as status:
        report = do_refresh(path, sample.AS_OF, backup=False, progress=lambda m: status.update(m))
    _print_scorecard(console, report.scorecard, _title(sample.load(lang).name, report.as_of, lang),
                     report.warnings, report.lang)
    from .workbook import layout

    click.echo("\n" + "\n".join(m.text(lang) for m in (
        Message(N_("The workbook is {path}"), path=str(path.resolve())),
        Message(N_("Open it in Excel or LibreOffice; see its {sheet} sheet."), sheet=layout.sheet("start", lang)),
        Message(N_("Refresh it again with: {command}"), command=f"kpi-xl refresh {path}"))))


@main.command(help=N_("Write the VBA module that gives Excel the KPI functions with real error values."))
@click.argument("out", type=cliwords.Path(dir_okay=False, path_type=Path), default=Path("kpi_xl_udfs.bas"))
def vba(out: Path) -> None:
    from .functions.vba import module_text

    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(module_text().encode("ascii"))
    tmp.replace(out)
    click.echo(i18n.Message(N_("wrote {out}: import it in the VBA editor (File > Import File), then run "
                               "RegisterKpiFunctions"), out=str(out)).text(cliwords.current()))


def run() -> None:
    """Entry point that turns kpi-xl's own errors into a message, not a traceback."""
    _one_blas_thread()  # before anything loads NumPy (reading a workbook's language may)
    try:
        main(standalone_mode=True)
    except KpiXlError as exc:
        click.echo(f"kpi-xl: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    run()
