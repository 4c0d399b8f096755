"""`kpi-xl report BOOK --pdf OUT.pdf`: the Scorecard and the Dashboard as a PDF, and the
short digest that mail and chat messages carry (:mod:`kpi_xl.workbook.notify` sends them).

The user's BOOK is never changed. A copy of it is refreshed (as of ``as_of``, else the
Settings sheet's date); in the copy every sheet but the Scorecard and the Dashboard is
hidden (LibreOffice prints no hidden sheet, so no data sheet reaches the PDF). The first page
is written in the copy's Changes columns: the title from the Settings sheet (company,
Scorecard, as-of date, review period), the goals by status, the Changes region, the goals at
risk and the new check-in notes. Then the columns of the scorecard a reader needs, one page
wide on A4 or Letter landscape, the header row on every page, goal names and reasons whole;
a footer with the title and the page number on every page. LibreOffice, headless, in a
private throw-away profile and within a time limit, prints that copy to PDF.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import i18n
from ..excel import column_letter
from . import layout
from .package import WorkbookError, open_package
from .package.sheetxml import elements, splice, start_tag
from .package.xmlescape import escape
from .refresh import FileWorkbook, Report, _period, refresh
from .summary import change_lines, changed, got_worse  # noqa: F401 - what refresh says, re-exported

N_, Message = i18n.N_, i18n.Message

#: Paper sizes by name → SpreadsheetML paperSize codes.
PAPERS = {"a4": "9", "letter": "1"}
#: The Scorecard columns a printed report shows (the others are hidden in the printed copy).
PRINTED = ("id", "name", "owner", "actual", "target", "achievement", "pace", "forecast", "status_label", "rule")
#: Seconds LibreOffice may take to print the report before it is stopped.
TIMEOUT = 180.0


class ReportError(WorkbookError):
    """A report that could not be made (LibreOffice missing, too slow, or failing)."""


@dataclass
class Digest:
    """What a mail or chat message says: the goals whose status changed, the goals at risk and
    the new check-in notes, as text in the workbook's language."""

    title: str
    changes: list[str]
    at_risk: list[str]
    notes: list[str]
    worse: int
    lang: str

    def lines(self) -> list[str]:
        out = [self.title]
        for head, items in ((N_("Status changes"), self.changes), (N_("Goals at risk"), self.at_risk),
                            (N_("New check-in notes"), self.notes)):
            if items:
                out += ["", i18n.gettext(head, self.lang)] + [f"- {i}" for i in items]
        if not (self.changes or self.at_risk or self.notes):
            out += ["", i18n.gettext(N_("No status changes, no goal at risk, no new check-in note."), self.lang)]
        return out

    def text(self) -> str:
        return "\n".join(self.lines())


@dataclass
class ReportResult:
    """What :func:`report` made: the PDF (when asked), the refresh of the copy, the digest."""

    book: Path
    pdf: Path | None
    refreshed: Report
    digest: Digest
    warnings: list[str] = field(default_factory=list)


def report(book: str | Path, pdf: str | Path | None = None, *, as_of: dt.date | None = None, paper: str = "a4",
           timeout: float = TIMEOUT, progress: Callable[[str], None] = lambda s: None) -> ReportResult:
    """Refresh a copy of ``book`` and print its Scorecard and Dashboard to ``pdf`` (when given);
    ``book`` itself is only read."""
    book = Path(book)
    if not book.is_file():
        raise WorkbookError(Message(N_("{file}: no such file"), file=str(book)).text(i18n.language()))
    if paper not in PAPERS:
        raise WorkbookError(Message(N_("paper '{paper}': one of {papers}"), paper=paper, papers=i18n.Join(PAPERS)))
    with tempfile.TemporaryDirectory(prefix="kpi-xl-report-") as tmp:
        copy = Path(tmp) / book.name
        shutil.copyfile(book, copy)
        from .language import workbook_language

        progress(Message(N_("refreshing a copy of {book}"), book=book.name).text(workbook_language(book)))
        refreshed = refresh(copy, as_of, backup=False)
        digest = _digest(copy, refreshed)
        out = None
        if pdf is not None:
            _print_setup(copy, refreshed, paper, digest)
            progress(Message(N_("printing the Scorecard and the Dashboard with LibreOffice")).text(refreshed.lang))
            made = _to_pdf(copy, Path(tmp) / "pdf", timeout, refreshed.lang)
            out = Path(pdf)
            out.parent.mkdir(parents=True, exist_ok=True)
            part = out.with_name(out.name + ".part")
            shutil.copyfile(made, part)
            os.replace(part, out)
    refreshed.path = book
    return ReportResult(book, out, refreshed, digest, list(refreshed.warnings))


# ----------------------------------------------------------------------- digest

def _digest(copy: Path, rep: Report) -> Digest:
    lang, card = rep.lang, rep.scorecard
    title = Message(N_("{book}: scorecard as of {date}"), book=copy.stem, date=rep.as_of).text(lang)
    at_risk = [Message(N_("{goal} ({owner})"), goal=f"{r.id} {r.name}", owner=r.owner).text(lang) if r.owner else
               f"{r.id} {r.name}" for r in card.itertuples(index=False) if r.status == "at_risk"]
    return Digest(title, change_lines(rep.changes, lang=lang), at_risk, _new_notes(copy, rep), len(rep.worse), lang)


def _new_notes(copy: Path, rep: Report) -> list[str]:
    """Check-in notes of this review period that History does not hold for an earlier one."""
    with open_package(copy) as pkg:
        rows = FileWorkbook(copy, pkg).sheet_values(layout.sheet("history", rep.lang))[1:]
    keys = [c[0] for c in layout.HISTORY_COLUMNS]
    hist = [dict(zip(keys, r)) for r in rows]
    now = max((str(h["period"]) for h in hist if h.get("as_of") not in ("", None)), default="")
    earlier = {(str(h["id"]), str(h["note"]).strip()) for h in hist if str(h["period"]) < now}
    return [i18n.at(f"{h['id']} {h['name']}", str(h['note']).strip(), rep.lang) for h in hist
            if str(h["period"]) == now and str(h["note"] or "").strip()
            and (str(h["id"]), str(h["note"]).strip()) not in earlier]


# ------------------------------------------------------------------- page setup

def _print_setup(copy: Path, rep: Report, paper: str, digest: Digest) -> None:
    """In the copy: only the Scorecard and the Dashboard visible; the Scorecard's Changes
    columns become the first page (the title, the goals by status, the Changes region, the
    goals at risk and the new check-in notes), then the scorecard's reader's columns with their
    header row on every page; landscape, one page wide; a footer with the title and page number."""
    lang = rep.lang
    sc, dash = layout.sheet("scorecard", lang), layout.sheet("dashboard", lang)
    with open_package(copy) as pkg:
        book = FileWorkbook(copy, pkg)
        settings = book.settings()
        kind = _period(settings, lang)
        title, subtitle = _titles(settings, rep, kind)
        first = _first_page(pkg, book, rep, digest, title, subtitle, kind)
        sheets = pkg.sheets()
        shown = [i for i, s in enumerate(sheets) if s.name in (sc, dash)]
        at = next(i for i, s in enumerate(sheets) if s.name == sc)
        last = layout.CHANGES_COL + len(layout.CHANGES_COLUMNS) - 1
        areas = [f"${column_letter(layout.CHANGES_COL)}$1:${column_letter(last)}${first}",
                 f"$A$1:${column_letter(len(layout.SCORECARD_COLUMNS))}${max(len(rep.scorecard), 1) + 1}"]
        quoted = "'" + sc.replace("'", "''") + "'"
        _workbook_xml(pkg, shown, at, ",".join(f"{quoted}!{a}" for a in areas), f"{quoted}!$1:$1")
        keys = [c[0] for c in layout.SCORECARD_COLUMNS]
        hidden = {j + 1 for j, k in enumerate(keys) if k not in PRINTED}
        hidden |= set(range(len(keys) + 1, layout.CHANGES_COL))
        name = keys.index("name") + 1
        widths = _fit_widths(book.sheet_values(sc), {name: 90.0, name + layout.CHANGES_COL - 1: 90.0,
                                                     keys.index("rule") + 1: 160.0, last: 160.0})
        footer = _footer(title, lang)
        _sheet_xml(pkg, pkg.sheet(sc).part, paper, hidden, widths, fit_height="0", footer=footer)
        _sheet_xml(pkg, pkg.sheet(dash).part, paper, set(), {}, fit_height="1", footer=footer)
        pkg.save(copy, backup=False)


def _titles(settings: dict[str, Any], rep: Report, kind: str) -> tuple[str, str]:
    """The report's title ("Acme Trading · Scorecard") and the line under it (as of, review period)."""
    from ..goals.review import review_period

    lang = rep.lang
    company = str(settings.get("company") or "").strip()
    title = (Message(N_("{company} \u00b7 Scorecard"), company=company).text(lang) if company
             else layout.sheet("scorecard", lang))
    subtitle = Message(N_("As of {date} \u00b7 review period {period} ({kind})"), date=date_text(rep.as_of, lang),
                       period=review_period(rep.as_of, kind), kind=Message(kind, context="period")).text(lang)
    return title, subtitle


def date_text(day: dt.date, lang: str) -> str:
    """A date as the workbook's language writes it (2026-06-15; 2026/06/15 in Taiwan)."""
    fmt = i18n.pgettext("number format", "yyyy-mm-dd", lang)
    return fmt.replace("yyyy", f"{day.year:04d}").replace("mm", f"{day.month:02d}").replace("dd", f"{day.day:02d}")


def _previous_period(book: FileWorkbook, rep: Report, kind: str) -> str | None:
    """The review period the Changes compare with: History's last one before this one."""
    from ..goals.review import review_period

    now = review_period(rep.as_of, kind)
    rows = book.sheet_values(layout.sheet("history", rep.lang))[1:]
    return max((str(r[0]) for r in rows if r and str(r[0]) < now and r[0] not in ("", None)), default=None)


def _first_page(pkg, book: FileWorkbook, rep: Report, digest: Digest, title: str, subtitle: str,
                kind: str) -> int:
    """Write the report's first page in the copy's Changes columns (from row 1): the title, the
    goals by status, the Changes region, the goals at risk, the new check-in notes; returns its
    last row. Styles are the workbook's own: the Dashboard's title and headings, the Scorecard's
    header and Changes cells."""
    lang, first, n = rep.lang, layout.CHANGES_COL, len(layout.CHANGES_COLUMNS)
    sc, dash = layout.sheet("scorecard", lang), layout.sheet("dashboard", lang)
    cells = pkg.read_cells(sc, 1, 2)
    dcells = pkg.read_cells(dash, 1, 4)
    title_style = dcells.get((1, 1)).style if (1, 1) in dcells else None
    text_style = dcells.get((2, 1)).style if (2, 1) in dcells else None
    head_style = dcells.get((4, 1)).style if (4, 1) in dcells else title_style
    header_style = cells[(1, first)].style if (1, first) in cells else None
    row_style = [cells[(2, first + j)].style if (2, first + j) in cells else None for j in range(n)]
    rows: list[list[Any]] = []
    styles: list[list[int | None] | None] = []

    def add(values: list[Any], style: list[int | None] | int | None = None) -> None:
        rows.append(values + [None] * (n - len(values)))
        styles.append(style if isinstance(style, list) else [style] * n)

    add([title], title_style)
    add([subtitle], text_style)
    add([])
    if rep.goals:
        counts = i18n.Join(Message(N_("{status} {n}"), status=k, n=v) for k, v in rep.statuses.items())
        add([(Message(N_("1 goal ({counts})"), counts=counts) if rep.goals == 1 else
              Message(N_("{n} goals ({counts})"), n=rep.goals, counts=counts)).text(lang)], text_style)
        add([])
    if rep.changes:
        since = _previous_period(book, rep, kind)
        add([Message(N_("Status changes since {period}"), period=since).text(lang) if since
             else i18n.gettext(N_("Status changes"), lang)], head_style)
        add(list(rep.changes[0]), header_style)
        for r in rep.changes[1:]:
            add(list(r), row_style)
    for head, items in ((N_("Goals at risk"), digest.at_risk), (N_("New check-in notes"), digest.notes)):
        if items:
            add([])
            add([i18n.gettext(head, lang)], head_style)
            for item in items:
                gid, _, rest = item.partition(" ")
                add([gid, rest], text_style)
    pkg.write_region(sc, 1, first, first + n - 1, rows, row_styles=styles)
    return len(rows)


def _fit_widths(values: list[list[Any]], cols: dict[int, float]) -> dict[int, float]:
    """Columns ``cols`` (column → widest allowed) as wide as their longest text (a Chinese
    character counts two), so no goal name or reason is cut off or runs past its column in print."""
    import unicodedata

    def width(text: Any) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))

    out = {}
    for col, widest in cols.items():
        longest = max((width(r[col - 1]) for r in values if len(r) >= col and r[col - 1] not in ("", None)),
                      default=0)
        out[col] = min(max(longest * 1.05 + 2, 20.0), widest)
    return out


def _footer(title: str, lang: str) -> str:
    """The page footer: the title left, "page 2 of 3" right (Excel's header codes; & doubled)."""
    page = i18n.gettext(N_("page {page} of {pages}"), lang).replace("{page}", "&P").replace("{pages}", "&N")
    return "&L" + title.replace("&", "&&") + "&R" + page


def _workbook_xml(pkg, shown: list[int], active: int, area: str, titles: str) -> None:
    part = pkg.workbook_part
    data = pkg.read_part(part)
    root = elements(data, pkg.where(part), 3)[0]
    edits: list[tuple[int, int, bytes]] = []
    sheets = root.child(b"sheets")
    for i, el in enumerate(sheets.children if sheets else []):
        attrs = dict(el.attrs)
        if i in shown:
            attrs.pop("state", None)
        elif attrs.get("state") != "veryHidden":
            attrs["state"] = "hidden"
        edits.append((el.start, el.open_end, start_tag(el, attrs, empty=el.self_closing)))
    views = root.child(b"bookViews")
    for el in views.children if views else []:
        attrs = dict(el.attrs, activeTab=str(active), firstSheet=str(min(shown)))
        edits.append((el.start, el.open_end, start_tag(el, attrs, empty=el.self_closing)))
    p = root.prefix.decode()
    name = "".join(f'<{p}definedName name="{n}" localSheetId="{active}">{escape(v)}</{p}definedName>'
                   for n, v in (("_xlnm.Print_Area", area), ("_xlnm.Print_Titles", titles))).encode()
    names = root.child(b"definedNames")
    if names is None:
        at = (sheets.end if sheets else root.open_end)
        edits.append((at, at, f"<{p}definedNames>".encode() + name + f"</{p}definedNames>".encode()))
    else:
        for el in names.children:
            if (el.attrs.get("name") in ("_xlnm.Print_Area", "_xlnm.Print_Titles")
                    and el.attrs.get("localSheetId") == str(active)):
                edits.append((el.start, el.end, b""))
        edits.append((names.close_start, names.close_start, name))
    pkg.replace_part(part, splice(data, edits))


def _sheet_xml(pkg, part: str, paper: str, hidden: set[int], widths: dict[int, float], fit_height: str,
               footer: str = "") -> None:
    data = pkg.read_part(part)
    root = elements(data, pkg.where(part), 3)[0]  # the sheet, its parts, their children (<col>)
    edits: list[tuple[int, int, bytes]] = []
    p = root.prefix.decode()
    cols = root.child(b"cols")
    if cols is not None and (hidden or widths):
        edits.append((cols.start, cols.end, _cols(cols, p, hidden, widths)))
    setup = root.child(b"pageSetup")
    if setup is not None:
        attrs = dict(setup.attrs, paperSize=PAPERS[paper], orientation="landscape", fitToWidth="1",
                     fitToHeight=fit_height)
        edits.append((setup.start, setup.open_end, start_tag(setup, attrs, empty=setup.self_closing)))
        old = root.child(b"headerFooter")
        if old is not None:
            edits.append((old.start, old.end, b""))
        if footer:
            hf = f"<{p}headerFooter><{p}oddFooter>{escape(footer)}</{p}oddFooter></{p}headerFooter>"
            edits.append((setup.end, setup.end, hf.encode("utf-8")))
    pkg.replace_part(part, splice(data, edits))


def _cols(cols, p: str, hidden: set[int], widths: dict[int, float]) -> bytes:
    """The ``<cols>`` element with ``hidden`` columns hidden and ``widths`` set (one entry per
    column up to the last one changed; entries further right kept as they were)."""
    upto = max([*hidden, *widths, 1])
    per: dict[int, dict[str, str]] = {}
    rest = []
    for el in cols.children:
        lo, hi = int(el.attrs.get("min", "1")), int(el.attrs.get("max", "1"))
        for j in range(lo, min(hi, upto) + 1):
            per[j] = dict(el.attrs, min=str(j), max=str(j))
        if hi > upto:
            rest.append(dict(el.attrs, min=str(max(lo, upto + 1))))
    for j in hidden:
        per.setdefault(j, {"min": str(j), "max": str(j), "width": "9.140625"})["hidden"] = "1"
    for j, w in widths.items():
        per.setdefault(j, {"min": str(j), "max": str(j)}).update(width=f"{w:.2f}", customWidth="1")
    entries = [per[j] for j in sorted(per)] + rest
    body = "".join(f"<{p}col" + "".join(f' {k}="{v}"' for k, v in e.items()) + "/>" for e in entries)
    return f"<{p}cols>{body}</{p}cols>".encode()


# ------------------------------------------------------------------- LibreOffice

def _to_pdf(copy: Path, out_dir: Path, timeout: float, lang: str) -> Path:
    from . import libreoffice

    try:
        return libreoffice.convert(copy, out_dir, "pdf", timeout=timeout)
    except libreoffice.LibreOfficeError as exc:
        if exc.kind == "missing":
            raise ReportError(Message(N_(
                "LibreOffice is needed to print the report to PDF and was not found: install it (Debian/Ubuntu: "
                "apt-get install libreoffice-calc-nogui; Windows and macOS: libreoffice.org), or name its "
                "program in the environment variable KPI_XL_SOFFICE")).text(lang)) from None
        if exc.kind == "start":
            raise ReportError(Message(N_("{program}: LibreOffice could not be started ({reason})"), program=str(exc.soffice),
                                      reason=exc.output).text(lang)) from None
        if exc.kind == "timeout":
            raise ReportError(Message(N_("LibreOffice did not print the report within {seconds:.0f} s"),
                                      seconds=timeout).text(lang)) from None
        raise ReportError(Message(N_("LibreOffice could not print the report (exit {code}): {output}"),
                                  code=exc.returncode, output=" ".join(exc.output.split()[-40:])).text(lang)) from None
