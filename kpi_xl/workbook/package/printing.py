"""A sheet's print area and page setup, edited in place (the Customers sheet of ``kpi-xl predict``).

:func:`set_print` writes the sheet's ``_xlnm.Print_Area`` defined name (replacing the one it had)
and makes the sheet print landscape, fitted to the page width: ``<sheetPr><pageSetUpPr
fitToPage="1"/>`` and ``<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>``.
The sheet's rows are not scanned: the head (before ``<sheetData>``) and the tail (after
``</sheetData>``) are found by byte search and spliced, so a sheet of a million rows costs a copy.
Other page-setup attributes the sheet had (paper size, margins) are kept.
"""

from __future__ import annotations

import re

from ...i18n import Message, N_
from .names import set_defined_names
from .records import WorkbookError
from .sheetxml import WORKSHEET_TAG, splice

_SHEET_PR = re.compile(rb"<(?:\w+:)?sheetPr\b[^>]*?(/?)>")
_SETUP_PR = re.compile(rb"<(?:\w+:)?pageSetUpPr\b[^>]*?/>")
_SETUP = re.compile(rb"<(?:\w+:)?pageSetup\b[^>]*?/>")
_MARGINS = re.compile(rb"<(?:\w+:)?pageMargins\b[^>]*?/>")
#: What follows <pageSetup> in a worksheet (ECMA-376 Part 1, §18.3.1.99): it goes before the first of these.
_AFTER_SETUP = re.compile(rb"<(?:\w+:)?(?:headerFooter|rowBreaks|colBreaks|customProperties|cellWatches|"
                          rb"ignoredErrors|smartTags|drawing|legacyDrawing|legacyDrawingHF|drawingHF|picture|"
                          rb"oleObjects|controls|webPublishItems|tableParts|extLst)\b")


def _set_attrs(tag: bytes, **attrs: str) -> bytes:
    """``tag`` (a start or empty tag) with ``attrs`` set (replaced or added before its end)."""
    for name, value in attrs.items():
        new = f' {name}="{value}"'.encode()
        pattern = re.compile(rb"\s" + name.encode() + rb'="[^"]*"')
        if pattern.search(tag):
            tag = pattern.sub(new, tag, count=1)
        else:
            end = len(tag) - (2 if tag.endswith(b"/>") else 1)
            tag = tag[:end] + new + tag[end:]
    return tag


def _sheet_part(pkg, part: str) -> bytes:
    data = pkg.read_part(part)
    root = WORKSHEET_TAG.search(data)
    if root is None:
        raise WorkbookError(Message(N_("{where}: no <{element}>"), where=pkg.where(part), element="worksheet"))
    p = (root.group(1) or b"").decode()
    body = data.find(b"sheetData")
    head_end = body if body >= 0 else len(data)
    tail_start = data.rfind(b"sheetData>") if body >= 0 else root.end()
    edits: list[tuple[int, int, bytes]] = []  # (start, end, new bytes) in data, spliced once at the end
    # the head: <sheetPr> with <pageSetUpPr fitToPage="1"/> (its last child)
    found = _SHEET_PR.search(data, root.end(), head_end)
    if found is None:
        edits.append((root.end(), root.end(), f'<{p}sheetPr><{p}pageSetUpPr fitToPage="1"/></{p}sheetPr>'.encode()))
    else:
        inner = _SETUP_PR.search(data, found.end(), head_end)
        close = data.find(b"sheetPr>", found.end(), head_end)
        if found.group(1):  # <sheetPr .../>: give it a child
            tag = found.group(0)[:-2] + b">"
            edits.append((found.start(), found.end(), tag + f'<{p}pageSetUpPr fitToPage="1"/></{p}sheetPr>'.encode()))
        elif inner is not None and (close < 0 or inner.start() < close):
            edits.append((inner.start(), inner.end(), _set_attrs(inner.group(0), fitToPage="1")))
        else:
            at = data.rfind(b"<", found.end(), close)
            edits.append((at, at, f'<{p}pageSetUpPr fitToPage="1"/>'.encode()))
    # the tail: <pageSetup> landscape, one page wide
    setup = _SETUP.search(data, tail_start)
    if setup is not None:
        edits.append((setup.start(), setup.end(),
                      _set_attrs(setup.group(0), orientation="landscape", fitToWidth="1", fitToHeight="0")))
    else:
        tag = f'<{p}pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'.encode()
        margins = _MARGINS.search(data, tail_start)
        if margins is not None:
            at = margins.end()
        else:
            after = _AFTER_SETUP.search(data, tail_start)
            at = after.start() if after else data.rindex(b"</")
            tag = (f'<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                   .encode() + tag)
        edits.append((at, at, tag))
    return splice(data, edits)


def set_print(pkg, sheet: str, areas: list[str]) -> None:
    """Print ``areas`` (absolute ranges such as ``$A$1:$N$51``, printed in that order) of ``sheet``,
    landscape, each page as wide as the paper."""
    info = pkg.sheet(sheet)
    index = [s.name for s in pkg.sheets()].index(info.name)
    pkg.replace_part(info.part, _sheet_part(pkg, info.part))

    quoted = "'" + info.name.replace("'", "''") + "'"
    set_defined_names(pkg, {"_xlnm.Print_Area": ",".join(f"{quoted}!{a}" for a in areas)}, local_sheet=index)
