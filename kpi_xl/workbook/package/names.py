"""A workbook's defined names, edited in place in ``xl/workbook.xml``.

:func:`set_defined_names` writes names (replacing those of the same name and scope, any case, as
Excel compares names) and removes the ones given as None; the rest of the part is kept byte for
byte. Used for a sheet's print area (:mod:`.printing`) and for the names ``kpi-xl predict``
points at the fitted customer-value models' parameters.
"""

from __future__ import annotations

from .sheetxml import elements, splice

_SIBLINGS_BEFORE = (b"sheets", b"functionGroups", b"externalReferences")  # CT_Workbook's order


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def set_defined_names(pkg, names: dict[str, str | None], local_sheet: int | None = None) -> None:
    """Define each name of ``names`` as its text (``'Sheet'!$A$1``; None: remove the name), scoped to
    the workbook, or to the sheet at index ``local_sheet`` (0-based, in workbook order)."""
    part = pkg.workbook_part
    data = pkg.read_part(part)
    root = elements(data, pkg.where(part), 3)[0]  # the workbook, its parts, their children
    p = root.prefix.decode()
    scope = "" if local_sheet is None else f' localSheetId="{local_sheet}"'
    new = "".join(f'<{p}definedName name="{_escape(n)}"{scope}>{_escape(v)}</{p}definedName>'
                  for n, v in names.items() if v is not None).encode()
    wanted = {n.casefold() for n in names}
    edits: list[tuple[int, int, bytes]] = []
    block = root.child(b"definedNames")
    if block is None:
        if new:
            before = [root.child(n) for n in _SIBLINGS_BEFORE]
            at = max((e.end for e in before if e is not None), default=root.open_end)
            edits.append((at, at, f"<{p}definedNames>".encode() + new + f"</{p}definedNames>".encode()))
    elif block.self_closing:  # <definedNames/>
        if new:
            edits.append((block.start, block.end, f"<{p}definedNames>".encode() + new + f"</{p}definedNames>".encode()))
    else:
        kept = 0
        for el in block.children:
            same_scope = el.attrs.get("localSheetId") == (None if local_sheet is None else str(local_sheet))
            if same_scope and el.attrs.get("name", "").casefold() in wanted:
                edits.append((el.start, el.end, b""))
            else:
                kept += 1
        if kept or new:
            edits.append((block.close_start, block.close_start, new))
        else:  # an empty <definedNames/> is not valid: the element goes
            edits = [(block.start, block.end, b"")]
    if edits:
        pkg.replace_part(part, splice(data, edits))
