"""A copy of a workbook for people without Python: `kpi-xl share BOOK OUT.xlsx`.

Every formula that calls a kpi-xl function is replaced by its current value (a
teammate's Excel would show #NAME? when it recalculates one), the VBA project
and the Refresh buttons go, and everything else — other formulas, charts,
tables, formats — is copied byte for byte. Refresh first so the values are
current; the copy is written atomically and the source is never touched.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from ..functions import catalog
from ..errors import KpiXlError
from .xlsx import WorkbookError, col_letters, open_package

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_KPI_CALL = re.compile(r"(?<![A-Za-z0-9_.])(%s)\s*\(" % "|".join(sorted(catalog.declared_names(), key=len,
                                                                             reverse=True)), re.I)


@dataclass
class ShareReport:
    source: Path
    out: Path
    frozen: int  # formulas replaced by their values
    vba_removed: bool
    buttons_removed: int


def _cell_pattern(ref: str) -> re.Pattern:
    return re.compile(rb'<c r="' + ref.encode() + rb'"(?:\s[^>]*)?(?:/>|>.*?</c>)', re.S)


def _frozen_cell(xml: bytes, ref: str, value) -> bytes:
    """The <c> element for ``ref`` with its formula removed and ``value`` kept."""
    m = _cell_pattern(ref).search(xml)
    if not m:
        return xml
    cell = m.group(0)
    style = re.search(rb'\ss="(\d+)"', cell)
    s = b' s="' + style.group(1) + b'"' if style else b""
    r = ref.encode()
    if value is None or value == "":
        new = b'<c r="' + r + b'"' + s + b"/>"
    elif isinstance(value, bool):
        new = b'<c r="' + r + b'"' + s + b' t="b"><v>' + (b"1" if value else b"0") + b"</v></c>"
    elif isinstance(value, (int, float)):
        new = b'<c r="' + r + b'"' + s + b"><v>" + repr(float(value) if isinstance(value, float) else value).encode() + b"</v></c>"
    elif isinstance(value, str) and value.startswith("#") and value in ("#DIV/0!", "#N/A", "#NAME?", "#NULL!",
                                                                           "#NUM!", "#REF!", "#VALUE!"):
        new = b'<c r="' + r + b'"' + s + b' t="e"><v>' + value.encode() + b"</v></c>"
    else:
        text = escape(str(value)).encode("utf-8")
        new = (b'<c r="' + r + b'"' + s + b' t="inlineStr"><is><t xml:space="preserve">' + text + b"</t></is></c>")
    return xml[:m.start()] + new + xml[m.end():]


def share(source: str | Path, out: str | Path) -> ShareReport:
    """Write the shareable copy of ``source`` to ``out`` (.xlsx)."""
    source, out = Path(source), Path(out)
    if out.suffix.lower() != ".xlsx":
        raise KpiXlError(f"{out}: the shared copy must be an .xlsx file (it carries no macros)")
    if out.resolve() == source.resolve():
        raise KpiXlError(f"{out}: choose another name; share never overwrites the workbook it copies")
    replaced: dict[str, bytes] = {}
    frozen = 0
    with open_package(source) as pkg:
        names = pkg.part_names()
        for sheet in pkg.sheets():
            if sheet.kind != "worksheet" or sheet.part is None:
                continue
            cells = pkg.read_cells(sheet.name)
            targets = {(r, c): cell for (r, c), cell in cells.items()
                       if cell.formula is not None and _uses_kpi(cell, cells)}
            if not targets:
                continue
            xml = pkg.read_part(sheet.part)
            for (r, c), cell in targets.items():
                xml = _frozen_cell(xml, f"{col_letters(c)}{r}", cell.value)
                frozen += 1
            replaced[sheet.part] = xml
        drop = {n for n in names if n.lower().endswith(("vbaproject.bin", "vbaprojectsignature.bin",
                                                         "vbadata.xml"))}
        drop |= {n for n in names if n.lower() == "xl/calcchain.xml"}  # lists formula cells we removed
        buttons = 0
        for n in names:
            if n.startswith("xl/drawings/") and n.endswith(".vml"):
                text = pkg.read_part(n)
                new, k = re.subn(rb"<v:shape\b(?:(?!</v:shape>).)*?<x:FmlaMacro>.*?</v:shape>", b"", text, flags=re.S)
                if k:
                    replaced[n] = new
                    buttons += k
        ct = pkg.read_part("[Content_Types].xml")
        ct = re.sub(rb'<Override[^>]*PartName="/xl/(vbaProject\.bin|vbaProjectSignature\.bin|calcChain\.xml)"[^>]*/>',
                    b"", ct)
        ct = re.sub(rb'<Default[^>]*Extension="bin"[^>]*ms-office\.vbaProject"[^>]*/>', b"", ct)
        ct = ct.replace(b"application/vnd.ms-excel.sheet.macroEnabled.main+xml", XLSX_MAIN.encode())
        replaced["[Content_Types].xml"] = ct
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = pkg.read_part(rels_name)
        rels = re.sub(rb'<Relationship[^>]*Target="(/xl/)?(vbaProject\.bin|calcChain\.xml)"[^>]*/>', b"", rels)
        replaced[rels_name] = rels
        _write_zip(source, out, replaced, drop)
    return ShareReport(source, out, frozen, any("vbaproject" in d.lower() for d in drop), buttons)


def _uses_kpi(cell, cells) -> bool:
    if cell.formula:
        return bool(_KPI_CALL.search(cell.formula))
    if cell.shared_index is not None:  # a shared formula's dependent: look at its master
        for other in cells.values():
            if other.shared_index == cell.shared_index and other.formula:
                return bool(_KPI_CALL.search(other.formula))
    return False


def _write_zip(source: Path, out: Path, replaced: dict[str, bytes], drop: set[str]) -> None:
    """Copy ``source`` to ``out``: unchanged members byte for byte, atomically."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent if out.parent.exists() else None)
    os.close(fd)
    try:
        with zipfile.ZipFile(source) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                if info.filename in drop:
                    continue
                if info.filename in replaced:
                    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    new.compress_type = zipfile.ZIP_DEFLATED
                    new.external_attr = info.external_attr
                    zout.writestr(new, replaced[info.filename])
                else:
                    zout.writestr(info, zin.read(info.filename))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["share", "ShareReport", "WorkbookError"]
