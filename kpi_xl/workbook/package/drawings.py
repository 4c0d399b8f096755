"""Native charts put on an existing worksheet: a drawing part with its chart parts.

The chart and drawing XML are XlsxWriter's (a maintained writer of valid DrawingML, with each
series' cached values, so a reader shows the chart before recalculating): :func:`set_charts`
builds them in a scratch workbook whose sheet has the same name and the same values in the
charts' ranges, then copies them into the package. A sheet without a drawing gets one (the
parts, their relationships, content types and the sheet's ``<drawing r:id>``); a sheet that
already has the drawing :func:`set_charts` made keeps it and has its chart parts replaced, so
running it twice leaves one set of charts. Every other part stays byte for byte.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Sequence

from ...i18n import Message, N_
from .records import WorkbookError
from .safety import CONTENT_TYPES
from .sheetxml import WORKSHEET_TAG, elements
from .tables import _DECL, PKG_REL, REL, _add_override, _add_rel, _next_part, _rels_part

_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
_XMLNS = re.compile(rb'xmlns:(\w+)="([^"]*)"')
#: The worksheet children that come after <drawing> (ECMA-376 CT_Worksheet order).
_AFTER = re.compile(rb"<(?:\w+:)?(?:legacyDrawing|legacyDrawingHF|drawingHF|picture|oleObjects|controls|"
                    rb"webPublishItems|tableParts|extLst)\b")
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"


@dataclass
class Chart:
    """One chart: XlsxWriter's ``add_chart`` options, its series (``add_series`` options, ranges on
    the sheet itself), titles, and where it goes (top-left cell, 0-based, and size in pixels)."""

    kind: dict[str, Any]
    series: list[dict[str, Any]]
    title: str
    row: int
    col: int
    x_title: str = ""  # the categories' axis (vertical in a bar chart)
    y_title: str = ""  # the values' axis
    width: int = 420
    height: int = 230
    y_format: str | None = None
    reverse: bool = False  # categories top to bottom (a bar chart lists them bottom-up otherwise)
    y_scale: tuple[float, float] | None = None  # the values' axis from 0 to this end, in these steps
    options: dict[str, Any] = field(default_factory=dict)


def _render(sheet: str, cells: dict[tuple[int, int], Any], charts: Sequence[Chart],
            widths: dict[int, float]) -> tuple[bytes, list[bytes]]:
    """XlsxWriter's drawing XML and chart XMLs for ``charts`` on a sheet named ``sheet`` holding ``cells``
    ((row, col) 0-based → value: the charts' data, for their cached values) with the sheet's column
    ``widths`` (0-based → characters: the drawing anchors a chart's corners to cells by them)."""
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    for col, width in widths.items():
        ws.set_column(col, col, width)
    for (r, c), v in cells.items():
        ws.write(r, c, v)
    for spec in charts:
        chart = wb.add_chart(spec.kind)
        for s in spec.series:
            chart.add_series(s)
        chart.set_title({"name": spec.title, "name_font": {"size": 11}})
        x = {"name": spec.x_title, "name_font": {"size": 9}} if spec.x_title else {}
        if spec.reverse:  # the value axis then crosses at the last category, at the bottom (not the top)
            x.update(reverse=True, crossing="max")
        y = {"name": spec.y_title, "name_font": {"size": 9}} if spec.y_title else {}
        if spec.y_format:
            y["num_format"] = spec.y_format
        if spec.y_scale:
            y.update(min=0, max=spec.y_scale[0], major_unit=spec.y_scale[1])
        if spec.kind.get("type") == "bar":  # XlsxWriter's bar chart: x is the (horizontal) value axis
            x, y = y, x
        chart.set_x_axis(x)
        chart.set_y_axis(y)
        chart.set_legend({"position": "bottom"} if len(spec.series) > 1 else {"none": True})
        chart.set_size({"width": spec.width, "height": spec.height})
        ws.insert_chart(spec.row, spec.col, chart, spec.options)
    wb.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        drawing = zf.read("xl/drawings/drawing1.xml")
        parts = [zf.read(f"xl/charts/chart{i}.xml") for i in range(1, len(charts) + 1)]
    return drawing, parts


def _widths(pkg, part: str) -> dict[int, float]:
    """The sheet's column widths from its ``<cols>`` (0-based column → characters); only the part of the
    sheet before ``<sheetData>`` is read (a sheet of many rows is not scanned)."""
    data = pkg.read_part(part)
    head = data[:_sheet_data(data)]
    out: dict[int, float] = {}
    for attrs in _COL.findall(head):
        found = dict(_ATTR.findall(attrs))
        if b"width" in found:
            for j in range(int(found.get(b"min", b"1")), min(int(found.get(b"max", b"1")), 16384) + 1):
                out[j - 1] = float(found[b"width"])
    return out


def _sheet_data(data: bytes) -> int:
    m = _SHEET_DATA.search(data)
    return m.start() if m else len(data)


def _drawing_of(pkg, sheet_part: str) -> str | None:
    rel = next((r for r in pkg.rels(sheet_part) if r.kind == "drawing"), None)
    return None if rel is None else rel.target


def _chart_rels(pkg, drawing: str, chart_xmls: Sequence[bytes], kept: Sequence[str] = ()) -> bytes:
    """The chart parts of ``chart_xmls`` (the ``kept`` parts given new bytes first, then new parts) and
    the drawing's relationships to them (rId1, rId2..., as XlsxWriter's drawing XML names them)."""
    rels = []
    for i, xml in enumerate(chart_xmls, start=1):
        if i <= len(kept):
            chart = kept[i - 1]
            pkg.replace_part(chart, xml)
        else:
            chart, _ = _next_part(pkg, "xl/charts/chart{}.xml")
            pkg.add_part(chart, xml)
            _add_override(pkg, chart, CT_CHART)
        rels.append(f'<Relationship Id="rId{i}" Type="{REL}/chart" '
                    f'Target="{posixpath.relpath(chart, posixpath.dirname(drawing))}"/>')
    return f'{_DECL}<Relationships xmlns="{PKG_REL}">{"".join(rels)}</Relationships>'.encode()


def _remove_override(pkg, part: str) -> None:
    data = pkg.read_part(CONTENT_TYPES)
    root = elements(data, pkg.where(CONTENT_TYPES), 2)[0]
    for child in root.children:
        if child.name == b"Override" and child.attrs.get("PartName", "").lstrip("/").casefold() == part.casefold():
            pkg.replace_part(CONTENT_TYPES, data[:child.start] + data[child.end:])
            return


def set_charts(pkg, sheet: str, cells: dict[tuple[int, int], Any], charts: Sequence[Chart]) -> None:
    """Put ``charts`` on worksheet ``sheet`` (see the module's text)."""
    part = pkg._worksheet(sheet).part
    drawing_xml, chart_xmls = _render(sheet, cells, charts, _widths(pkg, part))
    existing = _drawing_of(pkg, part)
    if existing is not None:
        kept = [r.target for r in pkg.rels(existing) if r.kind == "chart"]
        if len(pkg.rels(existing)) != len(kept):
            raise WorkbookError(Message(N_("{where}: the drawing on sheet {sheet} holds more than kpi-xl's charts; move "
                                           "them to another sheet and run again"), where=pkg.where(existing),
                                        sheet=sheet))
        for chart in kept[len(chart_xmls):]:  # fewer charts than last time
            pkg.remove_part(chart)
            _remove_override(pkg, chart)
        pkg.replace_part(existing, drawing_xml)
        pkg.replace_part(_rels_part(existing), _chart_rels(pkg, existing, chart_xmls, kept))
        return
    drawing, _ = _next_part(pkg, "xl/drawings/drawing{}.xml")
    pkg.add_part(drawing, drawing_xml)
    _add_override(pkg, drawing, CT_DRAWING)
    pkg.add_part(_rels_part(drawing), _chart_rels(pkg, drawing, chart_xmls))
    rid = _add_rel(pkg, part, "drawing", posixpath.relpath(drawing, posixpath.dirname(part)))
    data = pkg.read_part(part)
    # the root's start tag and the first element after <drawing>'s place, found without scanning the rows
    root = WORKSHEET_TAG.search(data)
    if root is None:
        raise WorkbookError(Message(N_("{where}: no <{element}>"), where=pkg.where(part), element="worksheet"))
    prefix = (root.group(1) or b"").decode()
    r_prefix = next((k.decode() for k, v in _XMLNS.findall(root.group(0)) if v.decode() == REL), None)
    attr = f"{r_prefix}:id" if r_prefix else f'xmlns:r="{REL}" r:id'
    entry = f'<{prefix}drawing {attr}="{rid}"/>'.encode()
    end = data.rfind(b"sheetData>")
    start = end if end >= 0 else _sheet_data(data)
    after = _AFTER.search(data, start)
    at = after.start() if after else data.rindex(b"</")
    pkg.replace_part(part, data[:at] + entry + data[at:])
