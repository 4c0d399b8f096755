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

from .. import i18n
from ..functions import catalog
from ..i18n import Message, N_
from ..errors import ERROR_CODES, KpiXlError
from ..excel import column_letter
from .package import Package, WorkbookError, open_package, workbook_lock
from .package.atomic import check_writable
from .package.sheetxml import remove_children

XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_VBA_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")
# Excel saves a call of a function it does not know (no add-in loaded) as _xludf.NAME(
_KPI_CALL = re.compile(r"(?<![A-Za-z0-9_.])(?:_xludf\.)?(%s)\s*\(" % "|".join(sorted(catalog.declared_names(), key=len,
                                                                             reverse=True)), re.I)
# A Form Control button that runs a macro. Legacy VML is not always well-formed XML
# (Excel writes unclosed <br> in some), so this one edit matches the shape's text.
_MACRO_SHAPE = re.compile(rb"<v:shape\b(?:(?!</v:shape>).)*?<x:FmlaMacro>.*?</v:shape>", re.S)


@dataclass
class ShareReport:
    source: Path
    out: Path
    frozen: int  # formulas replaced by their values
    names_frozen: int  # defined names holding a KPI formula, replaced by their values
    vba_removed: bool
    buttons_removed: int
    lang: str = "en"  # the workbook's language, the one the report is said in

    def said(self) -> i18n.Join:
        """What the copy is, in words: the formulas, names, macros and buttons it lost."""
        said = [Message(N_("wrote {path}: {n:,} KPI formulas replaced by their values"), path=str(self.out),
                        n=self.frozen)]
        if self.names_frozen:
            said.append(Message(N_("{n} defined name(s) holding one too"), n=self.names_frozen))
        if self.vba_removed:
            said.append(Message(N_("macros removed")))
        if self.buttons_removed:
            said.append(Message(N_("{n} buttons removed"), n=self.buttons_removed))
        return i18n.Join(said, sep="; ")


def share(source: str | Path, out: str | Path) -> ShareReport:
    """Write the shareable copy of ``source`` to ``out`` (.xlsx)."""
    source, out = Path(source), Path(out)
    from .language import workbook_language

    lang = workbook_language(source)
    if out.suffix.lower() != ".xlsx":
        raise KpiXlError(i18n.at(str(out), Message(N_("the shared copy must be an .xlsx file (it carries no macros)")),
                                 lang))
    if out.resolve() == source.resolve():
        raise KpiXlError(i18n.at(str(out), Message(N_(
            "choose another name; share never overwrites the workbook it copies")), lang))
    check_writable(Path(os.path.realpath(out)))
    with workbook_lock(out), open_package(source) as pkg:
        targets = _kpi_formulas(pkg)
        _refuse_missing_values(source, targets, lang)
        frozen = 0
        for sheet, values in targets.items():
            pkg.freeze_formulas(sheet, values)
            frozen += len(values)
        names = _freeze_kpi_names(pkg, source, lang)
        vba = _drop_vba(pkg)
        buttons = _drop_macro_buttons(pkg)
        pkg.save(out, backup=False, mode_from=source)
    return ShareReport(source, out, frozen, names, vba, buttons, lang)


def _kpi_formulas(pkg: Package) -> dict[str, dict[tuple[int, int], object]]:
    """Per sheet, the cells whose formula calls a kpi-xl function, with their cached values
    (None: the formula has no saved value)."""
    out = {}
    for sheet in pkg.sheets():
        if sheet.kind != "worksheet" or sheet.part is None:
            continue
        cells = pkg.read_formulas(sheet.name)
        masters = {c.shared_index: c.formula for c in cells.values() if c.shared_index is not None and c.formula}
        # a shared formula's dependents ("") call what their master calls
        targets = {rc: cell.value for rc, cell in cells.items()
                   if _KPI_CALL.search(cell.formula or masters.get(cell.shared_index) or "")}
        if targets:
            out[sheet.name] = targets
    return out


def _refuse_missing_values(source: Path, targets: dict, lang: str = "en") -> None:
    """A book saved without formula results (never refreshed, or by a program that writes
    none) would be shared with blank cells: refused, saying how to get the values."""
    missing = [(sheet, rc) for sheet, cells in targets.items() for rc, v in sorted(cells.items()) if v is None]
    if missing:
        sheet, (r, c) = missing[0]
        raise KpiXlError(i18n.at(str(source), Message(N_(
            "{n} KPI formulas have no saved value (first {cell}), so the copy would show blank cells; run "
            "{command} (or open and save it in Excel with kpi-xl), then share again"), n=len(missing),
            cell=f"{sheet}!{column_letter(c)}{r}", command=f"kpi-xl refresh {source}"), lang))


def _freeze_kpi_names(pkg: Package, source: Path, lang: str = "en") -> int:
    """Defined names holding a KPI formula (``MyChurn = CHURN(...)``) become the constant
    the formula computes (the evaluator refresh uses reads the saved cell values)."""
    names = [n for n in pkg.defined_names() if _KPI_CALL.search(n.value)]
    if not names:
        return 0
    from .evaluate import Unsupported, name_values

    try:
        values = name_values(pkg, source, [n.name for n in names])
    except Unsupported as exc:
        raise KpiXlError(i18n.at(str(source), Message(N_(
            "a defined name holds a KPI formula kpi-xl cannot compute ({why}); replace it by its value in Excel "
            "(Formulas > Name Manager), then share again"), why=exc), lang)) from None
    xml = pkg.read_part(pkg.workbook_part)
    for name in names:
        text = _escape(name.value).encode()
        pattern = re.compile(rb"(<(?:\w+:)?definedName\b[^>]*\bname=\"" + re.escape(name.name.encode())
                             + rb"\"[^>]*>)" + re.escape(text) + rb"(</(?:\w+:)?definedName>)")
        literal = _escape(_constant(values[name.name])).encode()
        xml = pattern.sub(lambda m: m.group(1) + literal + m.group(2), xml)
    pkg.replace_part(pkg.workbook_part, xml)
    return len(names)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _constant(value: object) -> str:
    """A value as a formula constant: 0.25, "text", TRUE, #N/A."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(float(value)) if not float(value).is_integer() else str(int(value))
    if value is None:
        return "0"
    text = str(value)
    return text if text in ERROR_CODES else '"' + text.replace('"', '""') + '"'


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
