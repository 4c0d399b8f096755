"""What a person sees in an .xlsx, as data: compare two workbooks the way a reader would.

A byte-for-byte comparison of two workbooks breaks on things nobody sees (the last
digit a library prints for a float, the order of XML attributes). :func:`view`
reads what a reader notices instead — sheet names and order, each cell's value or
formula and its look (number format, font, fill, wrap), column widths, row heights,
merged cells, frozen panes, drop-downs, conditional formats, tables, defined names
and every chart's type, title, series ranges and cached points — and
:func:`differences` lists where two views differ, numbers compared to nine
significant digits.

    python tools/workbook_view.py A.xlsx B.xlsx     # prints the differences, exit 1 if any
"""

from __future__ import annotations

import math
import posixpath
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
}
M = "{%s}" % NS["m"]
REL_ID = "{%s}id" % NS["r"]
#: Relative tolerance for numbers: what no number format shows.
REL_TOL = 1e-9
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                   14: "mm-dd-yy", 22: "m/d/yy h:mm", 49: "@"}


def _parse(z: zipfile.ZipFile, name: str) -> ET.Element:
    return ET.fromstring(z.read(name))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if name not in z.namelist():
        return {}
    out = {}
    for rel in _parse(z, name).findall("pr:Relationship", NS):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = path
    return out


def _attrs(el: ET.Element | None, *names: str) -> tuple:
    return tuple(el.get(n) for n in names) if el is not None else ()


def _styles(z: zipfile.ZipFile) -> list[tuple]:
    root = _parse(z, "xl/styles.xml")
    fmts = dict(BUILTIN_FORMATS)
    for nf in root.findall("m:numFmts/m:numFmt", NS):
        fmts[int(nf.get("numFmtId"))] = nf.get("formatCode")
    fonts = []
    for font in root.findall("m:fonts/m:font", NS):
        fonts.append(tuple(sorted((child.tag.split("}")[1], tuple(sorted(child.attrib.items())))
                                  for child in font)))
    fills = [ET.tostring(fill) for fill in root.findall("m:fills/m:fill", NS)]
    borders = [ET.tostring(b) for b in root.findall("m:borders/m:border", NS)]
    out = []
    for xf in root.findall("m:cellXfs/m:xf", NS):
        align = xf.find("m:alignment", NS)
        out.append((
            fmts.get(int(xf.get("numFmtId", 0)), "General"),
            fonts[int(xf.get("fontId", 0))] if fonts else (),
            fills[int(xf.get("fillId", 0))] if fills else b"",
            borders[int(xf.get("borderId", 0))] if borders else b"",
            tuple(sorted(align.attrib.items())) if align is not None else (),
        ))
    return out


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    return ["".join(t.text or "" for t in si.iter(M + "t")) for si in _parse(z, "xl/sharedStrings.xml")]


def _number(text: str | None) -> Any:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return text


def _canonical(el: ET.Element) -> str:
    return ET.canonicalize(ET.tostring(el, encoding="unicode"))


def _sheet(z: zipfile.ZipFile, part: str, styles: list, strings: list[str]) -> dict[str, Any]:
    root = _parse(z, part)
    cells: dict[str, tuple] = {}
    for c in root.iter(M + "c"):
        f = c.find("m:f", NS)
        v = c.find("m:v", NS)
        t = c.get("t", "n")
        if t == "s" and v is not None:
            value: Any = strings[int(v.text)]
        elif t == "inlineStr":
            value = "".join(x.text or "" for x in c.iter(M + "t"))
        elif t in ("str", "e"):
            value = v.text if v is not None else None
        elif t == "b":
            value = v is not None and v.text == "1"
        else:
            value = _number(v.text) if v is not None else None
        formula = f.text if f is not None else None
        style = styles[int(c.get("s", 0))] if styles else ()
        if value is None and formula is None and not c.get("s"):
            continue
        cells[c.get("r")] = (value, formula, style)
    cols = tuple((col.get("min"), col.get("max"), round(float(col.get("width", 0)), 1), col.get("hidden"),
                  styles[int(col.get("style", 0))] if styles else ())
                 for col in root.findall("m:cols/m:col", NS))
    rows = tuple((row.get("r"), row.get("ht"), row.get("hidden")) for row in root.iter(M + "row")
                 if row.get("customHeight") or row.get("hidden"))
    return {
        "cells": cells,
        "columns": cols,
        "rows": rows,
        "merged": tuple(sorted(m.get("ref") for m in root.iter(M + "mergeCell"))),
        "pane": _attrs(root.find("m:sheetViews/m:sheetView/m:pane", NS), "xSplit", "ySplit", "topLeftCell", "state"),
        "validations": tuple(_canonical(d) for d in root.iter(M + "dataValidation")),
        "conditional": tuple(_canonical(d) for d in root.iter(M + "conditionalFormatting")),
    }


def _table(z: zipfile.ZipFile, part: str) -> tuple:
    root = _parse(z, part)
    columns = tuple(col.get("name") for col in root.iter(M + "tableColumn"))
    return (root.get("displayName"), root.get("ref"), columns)


def _text(el: ET.Element | None) -> str:
    return "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t") or t.tag.endswith("}v")) if el is not None else ""


def _chart(z: zipfile.ZipFile, part: str) -> dict[str, Any]:
    root = _parse(z, part)
    plot = root.find("c:chart/c:plotArea", NS)
    kinds = []
    series = []
    for chart in plot if plot is not None else ():
        tag = chart.tag.split("}")[1]
        if not tag.endswith("Chart"):
            continue
        kinds.append(tag)
        for ser in chart.findall("c:ser", NS):
            refs = tuple(f.text for f in ser.iter("{%s}f" % NS["c"]))
            points = tuple(_number(v.text) if v.text and v.text.strip() else v.text
                           for cache in ser.iter() if cache.tag.endswith("Cache") for v in cache.iter("{%s}v" % NS["c"]))
            series.append((_text(ser.find("c:tx", NS)), refs, points))
    axes = tuple(_attrs(scale.find(tag, NS), "val") for scale in root.iter("{%s}scaling" % NS["c"])
                 for tag in ("c:min", "c:max"))
    return {"title": _text(root.find("c:chart/c:title", NS)), "kinds": tuple(kinds), "series": tuple(series),
            "axes": axes}


def view(path: str | Path) -> dict[str, Any]:
    """What a reader sees in the workbook at ``path``, as plain data."""
    with zipfile.ZipFile(path) as z:
        workbook = _parse(z, "xl/workbook.xml")
        rels = _rels(z, "xl/workbook.xml")
        styles = _styles(z)
        strings = _shared_strings(z)
        sheets: dict[str, Any] = {}
        order = []
        for sh in workbook.findall("m:sheets/m:sheet", NS):
            name = sh.get("name")
            order.append((name, sh.get("state", "visible")))
            part = rels[sh.get(REL_ID)]
            sheet = _sheet(z, part, styles, strings)
            sheet_rels = _rels(z, part)
            root = _parse(z, part)
            sheet["tables"] = tuple(_table(z, sheet_rels[tp.get(REL_ID)]) for tp in root.iter(M + "tablePart"))
            charts = []
            for dr in root.iter(M + "drawing"):
                drawing = sheet_rels[dr.get(REL_ID)]
                drawing_rels = _rels(z, drawing)
                for chart_ref in _parse(z, drawing).iter("{%s}chart" % NS["c"]):
                    charts.append(_chart(z, drawing_rels[chart_ref.get(REL_ID)]))
            sheet["charts"] = tuple(charts)
            sheets[name] = sheet
        names = tuple(sorted((d.get("name"), d.get("localSheetId"), d.text)
                             for d in workbook.iter(M + "definedName")))
        return {"sheets": tuple(order), "defined_names": names, "by_sheet": sheets,
                "has_macros": "xl/vbaProject.bin" in z.namelist()}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 160 else text[:157] + "..."


def differences(a: dict[str, Any], b: dict[str, Any], limit: int = 20) -> list[str]:
    """Where two views differ, as short sentences (at most ``limit``)."""
    out: list[str] = []
    for key in ("sheets", "defined_names", "has_macros"):
        if not _same(a[key], b[key]):
            out.append(f"{key}: {_short(a[key])} != {_short(b[key])}")
    for name in a["by_sheet"]:
        if name not in b["by_sheet"]:
            continue
        sa, sb = a["by_sheet"][name], b["by_sheet"][name]
        for ref in sorted(sa["cells"].keys() | sb["cells"].keys()):
            ca, cb = sa["cells"].get(ref), sb["cells"].get(ref)
            if not _same(ca, cb):
                out.append(f"{name}!{ref}: {_short(ca)} != {_short(cb)}")
                if len(out) >= limit:
                    return out
        for key in ("columns", "rows", "merged", "pane", "validations", "conditional", "tables", "charts"):
            if not _same(sa[key], sb[key]):
                out.append(f"{name} {key}: {_short(sa[key])} != {_short(sb[key])}")
        if len(out) >= limit:
            return out[:limit]
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    diffs = differences(view(argv[0]), view(argv[1]))
    for line in diffs:
        print(line)
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
