"""Chart series that follow their data: the ranges and cached values of a chart part's
series rewritten in place (``c:tx``, ``c:cat``, ``c:val``), series added or removed,
and the value axis fitted to the data.

A chart in an .xlsx names its data by cell range (``'Chart data'!$B$2:$B$11``) and
keeps a copy of the values (``c:numCache``/``c:strCache``) that Excel and
LibreOffice show until they recalculate. When the rows behind a chart grow or
shrink, both must change, or the chart shows the old number of bars (or phantom
zero bars). Only the touched elements change: colours, markers, data labels,
titles and every other byte of the chart part stay as they were.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Sequence
from ...i18n import Message, N_
from .xmlescape import escape

from ...excel import column_letter
from .records import WorkbookError


@dataclass(frozen=True)
class Series:
    """One series: its name (a cell and its text), categories and values, each a
    column range of ``sheet`` from ``first_row`` with one entry per row."""

    sheet: str
    name_cell: tuple[int, int] | None  # (row, col) of the series name, 1-based
    name: str | None
    cat_col: int
    val_col: int
    first_row: int
    categories: Sequence[Any]
    values: Sequence[Any]


_SER = re.compile(rb"<(?P<p>[A-Za-z_][\w.-]*:)?ser>.*?</(?P=p)?ser>", re.S)
_REF = re.compile(rb"<(?:[\w.-]+:)?f>([^<]*)</(?:[\w.-]+:)?f>")


def series_refs(xml: bytes) -> list[dict[str, str]]:
    """Each series' formulas: {"tx": ..., "cat": ..., "val": ...} (the ones it has)."""
    out = []
    for m in _SER.finditer(xml):
        ser, p = m.group(0), (m.group("p") or b"")
        refs = {}
        for part in ("tx", "cat", "val"):
            inner = _child(ser, p, part)
            if inner is not None:
                f = _REF.search(ser[inner[0]:inner[1]])
                if f:
                    refs[part] = f.group(1).decode("utf-8", "replace")
        out.append(refs)
    return out


def _child(ser: bytes, p: bytes, name: str) -> tuple[int, int] | None:
    """(start, end) of the direct ``<p:name>...</p:name>`` element of a series (first one)."""
    m = re.search(b"<" + re.escape(p) + name.encode() + rb"(?:\s[^>]*)?>", ser)
    if not m:
        return None
    close = b"</" + p + name.encode() + b">"
    end = ser.find(close, m.end())
    return None if end < 0 else (m.start(), end + len(close))


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _range(sheet: str, col: int, first: int, last: int) -> str:
    c = column_letter(col)
    return f"{_quote(sheet)}!${c}${first}" + (f":${c}${last}" if last != first else "")


def _number(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
        return None
    return float(v)


def _str_ref(p: str, ref: str, texts: Sequence[Any]) -> str:
    pts = "".join(f'<{p}pt idx="{i}"><{p}v>{escape(str(t))}</{p}v></{p}pt>'
                  for i, t in enumerate(texts) if t not in (None, ""))
    return (f"<{p}strRef><{p}f>{escape(ref)}</{p}f><{p}strCache><{p}ptCount val=\"{len(texts)}\"/>{pts}"
            f"</{p}strCache></{p}strRef>")


def _num_ref(p: str, ref: str, values: Sequence[Any], fmt: str) -> str:
    pts = "".join(f'<{p}pt idx="{i}"><{p}v>{repr(n)}</{p}v></{p}pt>'
                  for i, n in enumerate(_number(v) for v in values) if n is not None)
    return (f"<{p}numRef><{p}f>{escape(ref)}</{p}f><{p}numCache><{p}formatCode>{escape(fmt)}</{p}formatCode>"
            f"<{p}ptCount val=\"{len(values)}\"/>{pts}</{p}numCache></{p}numRef>")


def _with_child(ser: bytes, p: bytes, name: str, inner: str, after: tuple[str, ...]) -> bytes:
    """The series with ``<p:name>`` holding ``inner`` (replaced, or inserted after the
    last of ``after`` that exists, keeping the schema's element order)."""
    ps = p.decode()
    new = f"<{ps}{name}>{inner}</{ps}{name}>".encode("utf-8")
    span = _child(ser, p, name)
    if span:
        return ser[:span[0]] + new + ser[span[1]:]
    at = None
    for prev in after:
        s = _child(ser, p, prev)
        if s:
            at = s[1]
    if at is None:
        at = ser.index(b">") + 1
    return ser[:at] + new + ser[at:]


def _renumber(ser: bytes, p: bytes, n: int) -> bytes:
    for name in (b"idx", b"order"):
        ser = re.sub(b"<" + re.escape(p) + name + rb'\s+val="\d+"\s*/>', b"<" + p + name + b' val="' +
                     str(n).encode() + b'"/>', ser, count=1)
    return ser


def set_series(xml: bytes, series: Sequence[Series], where: str, fmt: str = "General") -> bytes:
    """The chart part with exactly ``series`` in its (first) plot: existing ``c:ser``
    elements updated in order, surplus ones removed, missing ones copied from the last."""
    found = list(_SER.finditer(xml))
    if not found:
        raise WorkbookError(Message(N_("{where}: the chart has no data series"), where=where))
    p = found[0].group("p") or b""
    ps = p.decode()
    idx = re.search(rb'<(?:[\w.-]+:)?idx\s+val="(\d+)"', found[0].group(0))
    first_idx = int(idx.group(1)) if idx else 0
    blocks = []
    for i, s in enumerate(series):
        ser = found[i].group(0) if i < len(found) else _renumber(found[-1].group(0), p, first_idx + i)
        last = s.first_row + max(len(s.values), len(s.categories), 1) - 1
        if s.name_cell is not None:
            r, c = s.name_cell
            name_ref = f"{_quote(s.sheet)}!${column_letter(c)}${r}"
            ser = _with_child(ser, p, "tx", _str_ref(ps, name_ref, [s.name]), ("order",))
        ser = _with_child(ser, p, "cat", _str_ref(ps, _range(s.sheet, s.cat_col, s.first_row, last), s.categories),
                          ("tx", "spPr", "invertIfNegative", "pictureOptions", "marker", "dPt", "dLbls",
                           "trendline", "errBars"))
        ser = _with_child(ser, p, "val", _num_ref(ps, _range(s.sheet, s.val_col, s.first_row, last), s.values, fmt),
                          ("cat",))
        blocks.append(ser)
    if not blocks:  # a chart keeps one (empty) series rather than none
        blocks = [found[0].group(0)]
    # every old series goes; the new ones take the place of the first
    out = [xml[:found[0].start()], *blocks]
    pos = found[0].end()
    for m in found[1:]:
        out.append(xml[pos:m.start()])
        pos = m.end()
    out.append(xml[pos:])
    return b"".join(out)


def fit_value_axis(xml: bytes, values: Sequence[Any]) -> bytes:
    """The value axis scaled to the data: fixed maxima removed (the program picks one
    that shows every value), the minimum 0 kept only while no value is negative. With a
    value below 0 the category axis's labels (goal names, periods) sit at the chart's edge
    ("low"), not on the zero line where a bar or line below 0 would cover them; else next
    to the axis, as the template has them."""
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    negative = any(n < 0 for n in numbers)

    def scaling(m: re.Match) -> bytes:
        block = re.sub(rb"<(?:[\w.-]+:)?max\s+val=\"[^\"]*\"\s*/>", b"", m.group(0))
        if negative:
            block = re.sub(rb"<(?:[\w.-]+:)?min\s+val=\"[^\"]*\"\s*/>", b"", block)
        return block

    def axis(m: re.Match) -> bytes:
        return re.sub(rb"<(?:[\w.-]+:)?scaling>.*?</(?:[\w.-]+:)?scaling>", scaling, m.group(0), count=1, flags=re.S)

    xml = re.sub(rb"<(?P<p>[\w.-]+:)?valAx>.*?</(?P=p)?valAx>", axis, xml, flags=re.S)
    where = b"low" if negative else b"nextTo"

    def labels(m: re.Match) -> bytes:
        return re.sub(rb"(<(?:[\w.-]+:)?tickLblPos\s+val=\")(?:nextTo|low)(\")", rb"\g<1>" + where + rb"\g<2>",
                      m.group(0), count=1)

    return re.sub(rb"<(?P<p>[\w.-]+:)?catAx>.*?</(?P=p)?catAx>", labels, xml, flags=re.S)


__all__ = ["Series", "series_refs", "set_series", "fit_value_axis"]
