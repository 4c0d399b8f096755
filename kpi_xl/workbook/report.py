"""`kpi-xl report BOOK --pdf OUT.pdf`: the Scorecard and the Dashboard as a PDF, and the
short digest that mail and chat messages carry (:mod:`kpi_xl.workbook.notify` sends them).

The user's BOOK is never changed. A copy of it is refreshed (as of ``as_of``, else the
Settings sheet's date); in the copy every sheet but the Scorecard and the Dashboard is
hidden (LibreOffice prints no hidden sheet, so no data sheet reaches the PDF), the
Scorecard prints its Changes region first, then the columns a reader needs, one page wide
on A4 or Letter landscape; LibreOffice, headless, in a private throw-away profile and
within a time limit, prints that copy to PDF.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .. import i18n
from ..excel import column_letter
from . import layout
from .package import WorkbookError, open_package
from .package.sheetxml import elements, start_tag
from .refresh import FileWorkbook, Report, refresh

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


def change_lines(changes: list[list[Any]], only: tuple[str, ...] | None = None, lang: str = "en") -> list[str]:
    """The Changes region's rows as lines: "S1 Won contract value…: Behind → At risk"."""
    keys = [c[0] for c in layout.CHANGES_COLUMNS]
    out = []
    for row in changes[1:]:
        r = dict(zip(keys, row))
        if not r.get("id") or (only is not None and str(r["id"]) not in only):
            continue
        out.append(Message(N_("{goal}: {was} \u2192 {now}"), goal=f"{r['id']} {r['name']}", was=r["was"],
                           now=r["now"]).text(lang))
    return out


def report(book: str | Path, pdf: str | Path | None = None, *, as_of: dt.date | None = None, paper: str = "a4",
           timeout: float = TIMEOUT, progress: Callable[[str], None] = lambda s: None) -> ReportResult:
    """Refresh a copy of ``book`` and print its Scorecard and Dashboard to ``pdf`` (when given);
    ``book`` itself is only read."""
    book = Path(book)
    if not book.is_file():
        raise WorkbookError(Message(N_("{file}: no such file"), file=str(book)).text(i18n.language()))
    if paper not in PAPERS:
        raise WorkbookError(f"paper {paper!r}: one of {', '.join(PAPERS)}")
    with tempfile.TemporaryDirectory(prefix="kpi-xl-report-") as tmp:
        copy = Path(tmp) / book.name
        shutil.copyfile(book, copy)
        from .importing import workbook_language

        progress(Message(N_("refreshing a copy of {book}"), book=book.name).text(workbook_language(book)))
        refreshed = refresh(copy, as_of, backup=False)
        digest = _digest(copy, refreshed)
        out = None
        if pdf is not None:
            _print_setup(copy, refreshed, paper)
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

def _print_setup(copy: Path, rep: Report, paper: str) -> None:
    """In the copy: only the Scorecard and the Dashboard visible, the Scorecard's Changes
    region printed first, then its reader's columns, landscape, one page wide."""
    lang = rep.lang
    sc, dash = layout.sheet("scorecard", lang), layout.sheet("dashboard", lang)
    with open_package(copy) as pkg:
        sheets = pkg.sheets()
        shown = [i for i, s in enumerate(sheets) if s.name in (sc, dash)]
        at = next(i for i, s in enumerate(sheets) if s.name == sc)
        areas = []
        if rep.changes:
            last = layout.CHANGES_COL + len(layout.CHANGES_COLUMNS) - 1
            areas.append(f"${column_letter(layout.CHANGES_COL)}$1:${column_letter(last)}${len(rep.changes)}")
        areas.append(f"$A$1:${column_letter(len(layout.SCORECARD_COLUMNS))}${max(len(rep.scorecard), 1) + 1}")
        quoted = "'" + sc.replace("'", "''") + "'"
        _workbook_xml(pkg, shown, at, ",".join(f"{quoted}!{a}" for a in areas))
        keys = [c[0] for c in layout.SCORECARD_COLUMNS]
        hidden = {j + 1 for j, k in enumerate(keys) if k not in PRINTED}
        hidden |= set(range(len(keys) + 1, layout.CHANGES_COL))
        _sheet_xml(pkg, pkg.sheet(sc).part, paper, hidden, {}, fit_height="0")
        _sheet_xml(pkg, pkg.sheet(dash).part, paper, set(), {}, fit_height="1")
        pkg.save(copy, backup=False)


def _workbook_xml(pkg, shown: list[int], active: int, area: str) -> None:
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
    name = f'<{p}definedName name="_xlnm.Print_Area" localSheetId="{active}">{area}</{p}definedName>'.encode()
    names = root.child(b"definedNames")
    if names is None:
        at = (sheets.end if sheets else root.open_end)
        edits.append((at, at, f"<{p}definedNames>".encode() + name + f"</{p}definedNames>".encode()))
    else:
        for el in names.children:
            if el.attrs.get("name") == "_xlnm.Print_Area" and el.attrs.get("localSheetId") == str(active):
                edits.append((el.start, el.end, b""))
        edits.append((names.close_start, names.close_start, name))
    pkg.replace_part(part, _splice(data, edits))


def _sheet_xml(pkg, part: str, paper: str, hidden: set[int], widths: dict[int, float], fit_height: str) -> None:
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
    pkg.replace_part(part, _splice(data, edits))


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


def _splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out, at = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        out += [data[at:start], new]
        at = end
    return b"".join(out) + data[at:]


# ------------------------------------------------------------------- LibreOffice

def _soffice() -> str | None:
    override = os.environ.get("KPI_XL_SOFFICE")
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    for name in ("soffice", "libreoffice"):
        if shutil.which(name):
            return shutil.which(name)
    mac = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    return str(mac) if mac.is_file() else None


#: LibreOffice shows the values refresh stored with each formula (it never recalculates:
#: the KPI functions are not LibreOffice's).
_NO_RECALC = ('<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
              'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
              '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" '
              'oor:op="fuse"><value>1</value></prop></item>\n</oor:items>\n')


def _to_pdf(copy: Path, out_dir: Path, timeout: float, lang: str) -> Path:
    soffice = _soffice()
    if soffice is None:
        raise ReportError(Message(N_(
            "LibreOffice is needed to print the report to PDF and was not found: install it (Debian/Ubuntu: "
            "apt-get install libreoffice-calc-nogui; Windows and macOS: libreoffice.org), or name its "
            "program in the environment variable KPI_XL_SOFFICE")).text(lang))
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_NO_RECALC, encoding="utf-8")
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
           "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out_dir), str(copy)]
    try:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, errors="replace", start_new_session=True)
        except OSError as exc:
            raise ReportError(f"{soffice}: {exc}") from None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, AttributeError):
                proc.kill()
            proc.communicate()
            raise ReportError(Message(N_("LibreOffice did not print the report within {seconds:.0f} s"),
                                      seconds=timeout).text(lang)) from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    made = out_dir / (copy.stem + ".pdf")
    if proc.returncode != 0 or not made.is_file():
        tail = " ".join((out + err).split()[-40:])
        raise ReportError(Message(N_("LibreOffice could not print the report (exit {code}): {output}"),
                                  code=proc.returncode, output=tail).text(lang))
    return made
