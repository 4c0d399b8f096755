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
from dataclasses import dataclass
from pathlib import Path

from ..functions import catalog
from ..errors import KpiXlError
from .package import Package, WorkbookError, open_package, workbook_lock
from .package.atomic import check_writable
from .package.sheetxml import remove_children

XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_VBA_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")
_KPI_CALL = re.compile(r"(?<![A-Za-z0-9_.])(%s)\s*\(" % "|".join(sorted(catalog.declared_names(), key=len,
                                                                             reverse=True)), re.I)
# A Form Control button that runs a macro. Legacy VML is not always well-formed XML
# (Excel writes unclosed <br> in some), so this one edit matches the shape's text.
_MACRO_SHAPE = re.compile(rb"<v:shape\b(?:(?!</v:shape>).)*?<x:FmlaMacro>.*?</v:shape>", re.S)


@dataclass
class ShareReport:
    source: Path
    out: Path
    frozen: int  # formulas replaced by their values
    vba_removed: bool
    buttons_removed: int


def share(source: str | Path, out: str | Path) -> ShareReport:
    """Write the shareable copy of ``source`` to ``out`` (.xlsx)."""
    source, out = Path(source), Path(out)
    if out.suffix.lower() != ".xlsx":
        raise KpiXlError(f"{out}: the shared copy must be an .xlsx file (it carries no macros)")
    if out.resolve() == source.resolve():
        raise KpiXlError(f"{out}: choose another name; share never overwrites the workbook it copies")
    check_writable(Path(os.path.realpath(out)))
    with workbook_lock(out), open_package(source) as pkg:
        frozen = _freeze_kpi_formulas(pkg)
        vba = _drop_vba(pkg)
        buttons = _drop_macro_buttons(pkg)
        pkg.save(out, backup=False)
    return ShareReport(source, out, frozen, vba, buttons)


def _freeze_kpi_formulas(pkg: Package) -> int:
    """Formulas calling a kpi-xl function become their cached values; returns how many."""
    frozen = 0
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet" or sheet.part is None:
            continue
        cells = pkg.read_formulas(sheet.name)
        masters = {c.shared_index: c.formula for c in cells.values() if c.shared_index is not None and c.formula}
        # a shared formula's dependents ("") call what their master calls
        targets = {rc: cell.value for rc, cell in cells.items()
                   if _KPI_CALL.search(cell.formula or masters.get(cell.shared_index) or "")}
        pkg.freeze_formulas(sheet.name, targets)
        frozen += len(targets)
    return frozen


def _drop_vba(pkg: Package) -> bool:
    """Remove the VBA project: its parts, relationships and content types."""
    names = [n for n in pkg.part_names() if n.lower().rsplit("/", 1)[-1] in _VBA_PARTS]
    for name in names:
        pkg.remove_part(name)
    ct = remove_children(pkg.read_part("[Content_Types].xml"), b"Override",
                         lambda a: a.get("PartName", "").lower().rsplit("/", 1)[-1] in _VBA_PARTS)
    ct = remove_children(ct, b"Default", lambda a: a.get("ContentType", "").endswith("ms-office.vbaProject"))
    pkg.replace_part("[Content_Types].xml", ct.replace(XLSM_MAIN, XLSX_MAIN))
    rels_part = "xl/_rels/workbook.xml.rels"
    if pkg.find_part(rels_part):
        pkg.replace_part(rels_part, remove_children(
            pkg.read_part(rels_part), b"Relationship",
            lambda a: a.get("Target", "").lower().rsplit("/", 1)[-1] in _VBA_PARTS))
    return any(n.lower().endswith("vbaproject.bin") for n in names)


def _drop_macro_buttons(pkg: Package) -> int:
    buttons = 0
    for name in pkg.part_names():
        if name.startswith("xl/drawings/") and name.endswith(".vml"):
            new, k = _MACRO_SHAPE.subn(b"", pkg.read_part(name))
            if k:
                pkg.replace_part(name, new)
                buttons += k
    return buttons


__all__ = ["share", "ShareReport", "WorkbookError"]
