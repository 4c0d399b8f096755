"""Open a workbook in LibreOffice the way a person would see it, and say what is wrong.

The tests use this to look at generated workbooks from the outside: LibreOffice
(headless) loads the ``.xlsx`` and prints it to PDF, poppler turns the PDF into
one PNG and one text per page, and :meth:`RenderResult.problems` reads the texts
for what a user would see as a fault: an error value (``#NAME?``, ``#VALUE!``,
``#DIV/0!``, ``#REF!``, ``#N/A``, ``#NUM!``, ``#NULL!``, LibreOffice's
``Err:502`` and kin) or ``###`` where a number does not fit its column.
:func:`chart_problems` finds charts that would render empty.

No Excel, no xlwings and no third-party Python package are used
(LibreOffice is run by kpi-xl's own :mod:`kpi_xl.workbook.libreoffice`, as ``kpi-xl report`` runs it);
the system needs ``soffice`` (Debian: ``libreoffice-calc-nogui``), ``pdftoppm``,
``pdftotext`` and ``pdftohtml`` (``poppler-utils``), a CJK font for Traditional
Chinese and Carlito, the font with Calibri's metrics, so that column widths come
out as in Excel (``.ci/install-system-deps`` installs them all).

Recalculation: XlsxWriter stores a cached value with every formula, and
LibreOffice by default shows those cached values (``recalc=False``). Excel
recalculates such a file when it opens it, so ``recalc=True`` shows what Excel
would show for formulas that LibreOffice knows too; formulas that call this
project's worksheet functions (``=ACV(...)`` and the others, xlwings UDFs)
become ``#NAME?`` under ``recalc=True``, since LibreOffice has no such function:
render those workbooks with ``recalc=False``, or allow ``#NAME?`` on their sheets.

Each call to LibreOffice runs in a fresh, throw-away user profile, so calls can
run in parallel (different processes or threads) without sharing a lock.
"""

from __future__ import annotations

import dataclasses
import glob
import html
import math
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from kpi_xl.workbook import libreoffice

__all__ = [
    "AxisInfo",
    "ERROR_VALUES",
    "INSTALL_HINT",
    "ChartInfo",
    "Finding",
    "RenderError",
    "RenderResult",
    "SeriesInfo",
    "chart_problems",
    "charts",
    "missing_tools",
    "recalc_registry",
    "render",
    "soffice_available",
]

#: Seconds one LibreOffice conversion may take before it is killed.
SOFFICE_TIMEOUT = 180.0

INSTALL_HINT = (
    "rendering workbooks needs LibreOffice and poppler: run .ci/install-system-deps "
    "(Debian/Ubuntu as root: apt-get install --no-install-recommends "
    "libreoffice-calc-nogui poppler-utils fonts-wqy-microhei fonts-crosextra-carlito)"
)

#: Error values a cell can show, as LibreOffice prints them. LibreOffice shows its
#: own errors without an Excel equivalent as ``Err:5xx`` (matched separately).
ERROR_VALUES = (
    "#NAME?",
    "#VALUE!",
    "#DIV/0!",
    "#REF!",
    "#N/A",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#GETTING_DATA",
)

#: The code :meth:`RenderResult.findings` gives a number too wide for its column.
OVERFLOW = "###"

#: An error value as a cell shows it: not an error's name in parentheses inside a sentence
#: (a function's description: "(#N/A until you run kpi-xl predict)", "傳回 #N/A）").
_ERROR_RE = re.compile(
    "(?<![(\uff08])(?:"
    + "|".join(re.escape(e) for e in sorted(ERROR_VALUES, key=len, reverse=True) if e != "#N/A")
    + r"|#N/A(?![A-Za-z0-9])|Err:\d{3}(?!\d))(?![)\uff09])"
)
_OVERFLOW_RE = re.compile(r"#{3,}")


class RenderError(RuntimeError):
    """LibreOffice or poppler is missing, failed, or took too long."""


# --------------------------------------------------------------------------- tools


def missing_tools() -> list[str]:
    """The programs :func:`render` needs that are not on this machine."""
    missing = [] if libreoffice.find() else ["soffice"]
    missing += [t for t in ("pdftoppm", "pdftotext", "pdftohtml") if shutil.which(t) is None]
    return missing


def soffice_available() -> bool:
    """True when LibreOffice and the poppler tools :func:`render` uses are all installed."""
    return not missing_tools()


# --------------------------------------------------------------------- LibreOffice


#: The ``user/registrymodifications.xcu`` of a fresh LibreOffice profile, with recalculation
#: on load always (``recalc=True``) or never (LibreOffice's default: cached values are shown).
recalc_registry = libreoffice.profile_settings


def _tail(text: str, lines: int = 12) -> str:
    kept = [ln for ln in text.splitlines() if ln.strip() and "javaldx" not in ln]
    return "\n".join(kept[-lines:])


def _convert(
    book: Path, out_dir: Path, fmt: str, *, recalc: bool, timeout: float, options: str = ""
) -> Path:
    """``soffice --convert-to fmt[:options]`` in a fresh profile (kpi-xl's own, as ``kpi-xl report``
    runs it); the path of the file it wrote."""
    book = Path(book).resolve()
    if not book.is_file():
        raise RenderError(f"no such workbook: {book}")
    try:
        return libreoffice.convert(book, Path(out_dir).resolve(), fmt, recalc=recalc, timeout=timeout,
                                   options=options)
    except libreoffice.LibreOfficeError as exc:
        if exc.kind == "missing":
            raise RenderError(f"soffice (LibreOffice) not found; {INSTALL_HINT}") from None
        if exc.kind == "start":
            raise RenderError(f"cannot start {exc.soffice}: {exc.output}; {INSTALL_HINT}") from None
        if exc.kind == "timeout":
            raise RenderError(f"LibreOffice did not convert {book.name} to {fmt} within {timeout:.0f} s") from None
        raise RenderError(f"LibreOffice could not convert {book.name} to {fmt} "
                          f"(exit {exc.returncode}):\n{_tail(exc.output)}") from None


def _run(cmd: list[str], timeout: float = 120.0) -> str:
    try:
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise RenderError(f"{cmd[0]} not found; {INSTALL_HINT}") from exc
    except subprocess.TimeoutExpired:
        raise RenderError(f"{cmd[0]} did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        raise RenderError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{_tail(err)}")
    return proc.stdout.decode("utf-8", "replace")


# ------------------------------------------------------------------------- render


@dataclasses.dataclass(frozen=True)
class Finding:
    """One thing on a rendered page that a user would see as wrong."""

    page: int  # 1-based
    sheet: str | None  # the sheet the page belongs to, when the PDF says
    code: str  # "#DIV/0!", "Err:502", "###", ...
    context: str  # the text around it on the page

    def __str__(self) -> str:
        where = f"page {self.page}" + (f" (sheet {self.sheet})" if self.sheet else "")
        what = "number too wide for its column (###)" if self.code == OVERFLOW else self.code
        return f"{where}: {what} in: {self.context}"


def _context(line: str, start: int, end: int, width: int = 90) -> str:
    left = max(0, start - (width - (end - start)) // 2)
    right = min(len(line), left + width)
    left = max(0, min(left, right - width))
    snippet = " ".join(line[left:right].split())
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(line) else "")


Allow = Iterable[str] | Mapping[str, Iterable[str]]


def _allowed(allow: Allow) -> dict[str | None, frozenset[str]]:
    """``{sheet or None (= every sheet): codes}`` from an ``allow`` argument."""
    if isinstance(allow, Mapping):
        table = {(None if k in ("*", None) else k): frozenset(v) for k, v in allow.items()}
    elif isinstance(allow, str):
        table = {None: frozenset([allow])}
    else:
        table = {None: frozenset(allow)}
    return table


@dataclasses.dataclass
class RenderResult:
    """What LibreOffice printed: the PDF, one PNG and one text per page."""

    pdf: Path
    pages: list[Path]  # page PNGs, in page order
    texts: list[str]  # pdftotext -layout of each page, in page order
    sheets: list[str | None]  # the sheet each page belongs to (None when unknown)

    @property
    def text(self) -> str:
        """The text of all pages, one form feed between pages."""
        return "\f".join(self.texts)

    def fonts(self) -> list[str]:
        """Names of the fonts the PDF uses (``pdffonts``), subset prefixes removed.

        Shows which font LibreOffice drew a script with: text in a font without
        its glyphs still extracts as text, so check the font as well.
        """
        out = _run(["pdffonts", str(self.pdf)])
        names = []
        for line in out.splitlines()[2:]:  # two header lines
            if line.strip():
                name = line.split()[0]
                names.append(name.split("+", 1)[1] if re.match(r"[A-Z]{6}\+", name) else name)
        return names

    def sheet_of(self, page: int) -> str | None:
        """The sheet a 1-based page belongs to."""
        return self.sheets[page - 1] if 0 < page <= len(self.sheets) else None

    def findings(self, allow: Allow = ()) -> list[Finding]:
        """Every error value and ``###`` on every page, except allowed ones.

        ``allow`` names codes that are expected: ``["#DIV/0!"]`` on every sheet,
        or per sheet, ``{"Functions": ["#DIV/0!", "#N/A"], "*": ["Err:502"]}``
        (``"*"`` for every sheet). ``"###"`` allows numbers too wide for their
        columns. Codes match exactly (``"Err:502"``, not ``"Err:"``).
        """
        table = _allowed(allow)
        everywhere = table.get(None, frozenset())
        found: list[Finding] = []
        for number, page_text in enumerate(self.texts, start=1):
            sheet = self.sheet_of(number)
            ok = everywhere | table.get(sheet, frozenset()) if sheet else everywhere
            for line in page_text.splitlines():
                hits = [(m.start(), m.end(), m.group()) for m in _ERROR_RE.finditer(line)]
                # ###: looked for with the error values blanked out, so "####DIV/0!" is
                # one "###" and one "#DIV/0!"
                blanked = list(line)
                for s, e, _ in hits:
                    blanked[s:e] = " " * (e - s)
                hits += [
                    (m.start(), m.end(), OVERFLOW)
                    for m in _OVERFLOW_RE.finditer("".join(blanked))
                ]
                for s, e, code in sorted(hits):
                    if code not in ok:
                        found.append(Finding(number, sheet, code, _context(line, s, e)))
        return found

    def problems(self, allow: Allow = ()) -> list[str]:
        """Human-readable problems, one line per page and code (see :meth:`findings`).

        Example: ``page 2 (sheet Data): #DIV/0! in: Month Sales Cost #DIV/0!``;
        when a code shows more than once on a page the count is given
        (``#DIV/0! (12 times), first in: ...``).
        """
        groups: dict[tuple[int, str], list[Finding]] = {}
        for f in self.findings(allow):
            groups.setdefault((f.page, f.code), []).append(f)
        lines = []
        for (_page, _code), fs in groups.items():
            first = str(fs[0])
            if len(fs) > 1:
                head, _, ctx = first.partition(" in: ")
                first = f"{head} ({len(fs)} times), first in: {ctx}"
            lines.append(first)
        return lines


_OUTLINE_ITEM = re.compile(r'<item page="(\d+)">(.*?)</item>', re.S)


def _workbook_sheets(book: Path) -> list[tuple[str, bool]]:
    """``(name, visible)`` of every sheet of an .xlsx/.xlsm, in order ([] when unreadable)."""
    try:
        with zipfile.ZipFile(book) as z:
            root = ET.fromstring(z.read("xl/workbook.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return []
    return [
        (el.get("name", ""), el.get("state", "visible") == "visible")
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "sheet"
    ]


def _whole_sheet_pages(book: Path, n_pages: int) -> list[str | None]:
    """The sheet of each page when every sheet is printed to one page of its own."""
    sheets = _workbook_sheets(book)
    if len(sheets) == n_pages:  # LibreOffice 7.4 prints hidden sheets in this mode too
        return [name for name, _ in sheets]
    visible = [name for name, shown in sheets if shown]
    return list(visible) if len(visible) == n_pages else [None] * n_pages


def _page_sheets(pdf: Path, n_pages: int) -> list[str | None]:
    """The sheet of each page, from the bookmark LibreOffice writes at each sheet's first page."""
    try:
        xml = _run(["pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "1", str(pdf)])
    except RenderError:
        return [None] * n_pages
    start = xml.find("<outline>")
    marks = sorted(
        (int(p), html.unescape(t).strip())
        for p, t in _OUTLINE_ITEM.findall(xml[start:] if start >= 0 else "")
    )
    sheets: list[str | None] = []
    for page in range(1, n_pages + 1):
        current = None
        for first, name in marks:
            if first <= page:
                current = name
        sheets.append(current)
    return sheets


def render(
    book_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    recalc: bool = False,
    *,
    whole_sheets: bool = False,
    pages: str | None = None,
    dpi: int = 80,
    timeout: float = SOFFICE_TIMEOUT,
) -> RenderResult:
    """Print ``book_path`` to ``out_dir/<stem>.pdf`` with LibreOffice, then to PNGs and text.

    ``recalc=True`` makes LibreOffice recalculate every formula on load (as Excel
    does with XlsxWriter's files); ``False`` shows the values cached in the file.
    ``whole_sheets=True`` prints each sheet on one page of its own, as large as
    the sheet's used area (LibreOffice's "whole sheet export"): closer to the
    screen, charts are never cut at a page break, page *n* is sheet *n*; but print
    areas are ignored and LibreOffice 7.4 prints hidden sheets too. The default
    is the ordinary paginated print with the workbook's page setup.
    ``pages`` prints only those pages, e.g. "1-12" (long data sheets make
    thousands of pages; the sheets people read come first).
    Page PNGs are ``out_dir/<stem>-page-<n>.png`` at ``dpi``. Raises
    :class:`RenderError` when a tool is missing, fails, or takes longer than
    ``timeout`` seconds.
    """
    book = Path(book_path)
    out = Path(out_dir)
    props = []
    if whole_sheets:
        props.append('"SinglePageSheets":{"type":"boolean","value":"true"}')
    if pages:
        props.append('"PageRange":{"type":"string","value":"%s"}' % pages)
    options = "calc_pdf_Export:{" + ",".join(props) + "}" if props else ""
    pdf = _convert(book, out, "pdf", recalc=recalc, timeout=timeout, options=options)

    prefix = out.resolve() / f"{book.stem}-page"
    page_re = re.compile(re.escape(prefix.name) + r"-(\d+)\.png$")
    for old in prefix.parent.glob(f"{glob.escape(prefix.name)}-*.png"):
        if page_re.match(old.name):
            old.unlink()
    _run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(prefix)], timeout=timeout)
    pages = sorted(
        (p for p in prefix.parent.iterdir() if page_re.match(p.name)),
        key=lambda p: int(page_re.match(p.name).group(1)),  # type: ignore[union-attr]
    )

    raw = _run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"], timeout=timeout)
    texts = raw.split("\f")
    if texts and not texts[-1].strip() and len(texts) > len(pages):
        texts.pop()  # pdftotext ends every page with a form feed
    n = max(len(pages), len(texts))
    texts += [""] * (n - len(texts))
    sheets = _whole_sheet_pages(book, n) if whole_sheets else _page_sheets(pdf, n)
    return RenderResult(pdf=pdf, pages=pages, texts=texts, sheets=sheets)


# ------------------------------------------------------------------------- charts

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "chart": "urn:oasis:names:tc:opendocument:xmlns:chart:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "loext": "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
}


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{_NS[prefix]}}}{local}"


@dataclasses.dataclass(frozen=True)
class SeriesInfo:
    name: str
    range: str  # LibreOffice's address of the values, e.g. "Data.B2:Data.B13"
    values: tuple[float | None, ...]  # None: blank, text or an error (not plotted)

    @property
    def plotted(self) -> tuple[float, ...]:
        return tuple(v for v in self.values if v is not None)


@dataclasses.dataclass(frozen=True)
class AxisInfo:
    dimension: str  # "x": the categories' axis (vertical in a bar chart), "y": the values'
    reversed: bool  # its values run the other way (a bar chart's categories top to bottom)
    position: str  # where it crosses the other axis: "start", "end", or a value ("0")


@dataclasses.dataclass(frozen=True)
class ChartInfo:
    sheet: str
    name: str  # the drawing object's name, e.g. "Chart 1"
    title: str  # "" when the chart has no title
    kind: str  # LibreOffice's chart class: bar (also column), line, circle (pie), ...
    series: tuple[SeriesInfo, ...]
    axes: tuple[AxisInfo, ...] = ()  # the primary axes, as LibreOffice placed them

    @property
    def label(self) -> str:
        return f"chart '{self.title}'" if self.title else f"chart '{self.name}' (untitled)"


def _number(cell: ET.Element) -> float | None:
    if cell.get(_q("office:value-type")) not in ("float", "percentage", "currency"):
        return None
    try:
        value = float(cell.get(_q("office:value"), "nan"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _local_table(chart: ET.Element) -> dict[str, tuple[float | None, ...]]:
    """Columns of the chart's cached data table, keyed by the sheet range they came from."""
    table = chart.find("table:table", _NS)
    if table is None:
        return {}
    body = table.find("table:table-rows", _NS)
    rows = body.findall("table:table-row", _NS) if body is not None else []
    grid: list[list[ET.Element]] = []
    for row in rows:
        cells: list[ET.Element] = []
        for cell in row.findall("table:table-cell", _NS):
            cells += [cell] * int(cell.get(_q("table:number-columns-repeated"), "1"))
        grid += [cells] * int(row.get(_q("table:number-rows-repeated"), "1"))
    columns: dict[str, tuple[float | None, ...]] = {}
    width = max((len(r) for r in grid), default=0)
    for j in range(width):
        desc = next(
            (
                d.text.strip()
                for r in grid
                if j < len(r)
                for d in r[j].iter(_q("svg:desc"))
                if d.text and d.text.strip()
            ),
            None,
        )
        if desc and desc not in columns:
            columns[desc] = tuple(_number(r[j]) if j < len(r) else None for r in grid)
    return columns


def _norm_range(address: str) -> str:
    return address.replace("$", "").replace("'", "").strip()


def _chart_info(sheet: str, name: str, chart_xml: bytes) -> ChartInfo:
    root = ET.fromstring(chart_xml)
    chart = root.find(".//chart:chart", _NS)
    if chart is None:
        return ChartInfo(sheet, name, "", "unknown", ())
    kind = chart.get(_q("chart:class"), "").removeprefix("chart:")
    title_el = chart.find("chart:title", _NS)
    title = " ".join("".join(title_el.itertext()).split()) if title_el is not None else ""
    columns = {_norm_range(k): v for k, v in _local_table(chart).items()}
    series = []
    plot = chart.find("chart:plot-area", _NS)
    for i, s in enumerate(plot.findall("chart:series", _NS) if plot is not None else []):
        address = _norm_range(s.get(_q("chart:values-cell-range-address"), ""))
        label = s.get(_q("loext:label-string"))
        if label:
            label = label.strip('"')
        else:
            label = s.get(_q("chart:label-cell-address"), "") or f"series {i + 1}"
        series.append(SeriesInfo(label, address, columns.get(address, ())))
    styles = {st.get(_q("style:name")): st.find("style:chart-properties", _NS)
              for st in root.iter(_q("style:style"))}
    axes = []
    for axis in plot.findall("chart:axis", _NS) if plot is not None else []:
        props = styles.get(axis.get(_q("chart:style-name")))
        get = (lambda k, d="": props.get(_q(k), d)) if props is not None else (lambda k, d="": d)
        axes.append(AxisInfo(axis.get(_q("chart:dimension"), ""), get("chart:reverse-direction") == "true",
                             get("chart:axis-position", "start")))
    return ChartInfo(sheet, name, title, kind, tuple(series), tuple(axes))


def charts(
    book_path: str | os.PathLike[str],
    recalc: bool = False,
    *,
    timeout: float = SOFFICE_TIMEOUT,
) -> list[ChartInfo]:
    """Every chart of the workbook with the values LibreOffice plots for each series.

    LibreOffice loads the workbook (with the same ``recalc`` choice as
    :func:`render`) and saves it as OpenDocument; each chart there carries the
    data table it draws from, taken from the cells it refers to. Blank cells,
    text and error values are ``None`` (nothing is drawn for them).
    """
    with tempfile.TemporaryDirectory(prefix="kpi-xl-charts-") as tmp:
        ods = _convert(Path(book_path), Path(tmp), "ods", recalc=recalc, timeout=timeout)
        with zipfile.ZipFile(ods) as z:
            content = ET.fromstring(z.read("content.xml"))
            found = []
            for table in content.iter(_q("table:table")):
                sheet = table.get(_q("table:name"), "?")
                for frame in table.iter(_q("draw:frame")):
                    obj = frame.find("draw:object", _NS)
                    if obj is None:
                        continue
                    href = obj.get(_q("xlink:href"), "").removeprefix("./").rstrip("/")
                    member = f"{href}/content.xml"
                    if not href or member not in z.namelist():
                        continue
                    xml = z.read(member)
                    if b"<office:chart" not in xml:
                        continue
                    name = frame.get(_q("draw:name"), href)
                    found.append(_chart_info(sheet, name, xml))
    return found


#: Chart kinds that draw nothing when every value is 0 (a line at 0 is still a line).
_AREA_KINDS = {"bar", "circle", "ring", "area"}


def chart_problems(
    book_path: str | os.PathLike[str],
    recalc: bool = False,
    *,
    timeout: float = SOFFICE_TIMEOUT,
) -> list[str]:
    """Charts a user would see empty, or with a series missing, as sentences.

    - ``sheet Dashboard: chart 'Trend by month' has no plotted data (...)``: no
      series has a single number to plot (blank cells, text, error values, or a
      range on the wrong rows or sheet);
    - ``...: chart 'X' has no data series``;
    - ``...: chart 'X': series 'Y' has no plotted data (...)``: the others draw;
    - ``...: chart 'X' renders empty: every value is 0``, for column, bar, pie,
      doughnut and area charts (a line at 0 is still drawn).
    """
    problems = []
    for c in charts(book_path, recalc, timeout=timeout):
        where = f"sheet {c.sheet}: {c.label}"
        if not c.series:
            problems.append(f"{where} has no data series")
            continue
        empty = [s for s in c.series if not s.plotted]
        if len(empty) == len(c.series):
            ranges = ", ".join(f"'{s.name}' {s.range or '(no range)'}" for s in empty)
            problems.append(
                f"{where} has no plotted data (no numbers in series {ranges})"
            )
            continue
        for s in empty:
            problems.append(
                f"{where}: series '{s.name}' has no plotted data "
                f"(no numbers in {s.range or '(no range)'})"
            )
        if c.kind in _AREA_KINDS and all(v == 0 for s in c.series for v in s.plotted):
            problems.append(f"{where} renders empty: every value is 0")
    return problems
