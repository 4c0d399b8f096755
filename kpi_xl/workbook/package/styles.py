"""Cell formats of a workbook (``styles.xml``): which show dates (or percents), and one to use.

An import writes dates as serial numbers; a serial shows as a date only in a cell whose
format is a date format. :func:`is_date_style` says whether a cell format (an index into
``<cellXfs>``) is one; :func:`date_style` gives a date format to use, adding one
(``yyyy-mm-dd``) to ``styles.xml`` when the workbook has none. The edit splices bytes:
everything else in ``styles.xml`` stays as it was.
"""

from __future__ import annotations

import re

from ...i18n import Message, N_
from .records import WorkbookError
from .sheetxml import Elem, elements, start_tag
from .xmlescape import escape
from .xmlread import local_name

# Excel's built-in date and time formats (ECMA-376 18.8.30; 27-36 and 50-58 are East Asian dates)
_BUILTIN_DATES = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_ISO = "yyyy-mm-dd"


def _styles_part(pkg) -> str:
    rel = pkg.workbook_rel("styles")
    part = pkg.find_part(rel.target) if rel else None
    if part is None:
        raise WorkbookError(Message(N_("{file}: no styles part (xl/styles.xml); save the workbook in Excel first"),
                                    file=str(pkg.path)))
    return part


def _date_code(code: str) -> bool:
    plain = _QUOTED.sub("", code).lower()
    return "y" in plain or "d" in plain


def _formats(pkg) -> tuple[list[int], dict[int, str]]:
    """The numFmtId of each cellXfs entry, and the custom format codes."""
    root = pkg.xml(_styles_part(pkg))
    codes, xfs = {}, []
    xf_list = [x for el in root if local_name(el.tag) == "cellXfs" for x in el]
    pkg._memo["import-fonts"] = [x.get("fontId", "0") for x in xf_list]
    pkg._memo["import-plain"] = [x.get("fillId", "0") == "0" and x.get("borderId", "0") == "0" for x in xf_list]
    for el in root:
        name = local_name(el.tag)
        if name == "numFmts":
            for f in el:
                if f.get("numFmtId", "").isdigit():
                    codes[int(f.get("numFmtId"))] = f.get("formatCode", "")
        elif name == "cellXfs":
            xfs = [int(x.get("numFmtId", "0")) if x.get("numFmtId", "0").isdigit() else 0 for x in el]
    return xfs, codes


def _cached(pkg) -> tuple[list[int], dict[int, str]]:
    if "import-formats" not in pkg._memo:
        pkg._memo["import-formats"] = _formats(pkg)
    return pkg._memo["import-formats"]


def _number_format(pkg, style: int | None) -> tuple[int, str | None] | None:
    """Cell format ``style``'s number format: its id and, for a custom one, its code; None
    when there is no such cell format."""
    if style is None:
        return None
    xfs, codes = _cached(pkg)
    if not 0 <= style < len(xfs):
        return None
    return xfs[style], codes.get(xfs[style])


def is_date_style(pkg, style: int | None) -> bool:
    """True when cell format ``style`` shows a number as a date (or date and time)."""
    fmt = _number_format(pkg, style)
    return fmt is not None and (fmt[0] in _BUILTIN_DATES or (fmt[1] is not None and _date_code(fmt[1])))


def number_style(pkg, like: int | None) -> int:
    """A cell format showing plain numbers (General), in the font of ``like`` when the workbook
    has one: for a YYYYMMDD number in a date-formatted column, which as a date would show ####."""
    xfs, _codes = _cached(pkg)
    fonts = pkg._memo["import-fonts"]
    font = fonts[like] if like is not None and 0 <= like < len(fonts) else "0"
    return next((i for i, f in enumerate(xfs) if f == 0 and fonts[i] == font), 0)


_PERCENTS = {9, 10}  # Excel's built-in 0% and 0.00%


def is_percent_style(pkg, style: int | None) -> bool:
    """True when cell format ``style`` shows a number as a percent (0.12 as 12%)."""
    fmt = _number_format(pkg, style)
    return fmt is not None and (fmt[0] in _PERCENTS or (fmt[1] is not None and "%" in _QUOTED.sub("", fmt[1])))


def percent_style(pkg, decimals: bool = False, like: int | None = None) -> int:
    """A cell format showing percents (0% or, with ``decimals``, 0.00%), in the font of ``like``:
    the workbook's first plain one (no fill or border), else a new one added to styles.xml."""
    xfs, _codes = _cached(pkg)
    fonts, plain = pkg._memo["import-fonts"], pkg._memo["import-plain"]
    font = fonts[like] if like is not None and 0 <= like < len(fonts) else "0"
    fmt = 10 if decimals else 9
    found = next((i for i, f in enumerate(xfs) if f == fmt and plain[i] and fonts[i] == font), None)
    return found if found is not None else _add_xf(pkg, xfs, fmt)


def whole_number_style(pkg) -> int:
    """A cell format showing whole numbers with thousands separators (Excel's built-in #,##0):
    the workbook's first one, else a new one added to styles.xml."""
    xfs, codes = _cached(pkg)
    found = next((i for i, f in enumerate(xfs) if f == 3 or codes.get(f) == "#,##0"), None)
    return found if found is not None else _add_xf(pkg, xfs, 3)


def date_style(pkg, like: int | None = None) -> int:
    """A cell format showing dates: ``like`` when it is one; else the first date format of the
    workbook; else a new one (``yyyy-mm-dd``, added to styles.xml)."""
    if is_date_style(pkg, like):
        return like
    xfs, codes = _cached(pkg)
    found = next((i for i in range(len(xfs)) if is_date_style(pkg, i)), None)
    if found is not None:
        return found
    return _add_code_style(pkg, xfs, codes, _ISO)


def code_style(pkg, code: str, like: int | None = None) -> int:
    """A cell format showing the custom number format ``code`` (``0.0000``) in the default font, or
    in the font of cell format ``like`` (the cells beside it): the workbook's own when it has one,
    else a new one (with the code) added to styles.xml."""
    from .tables import builtin_number_style

    xfs, codes = _cached(pkg)
    fonts, plain = pkg._memo["import-fonts"], pkg._memo["import-plain"]
    font = fonts[like] if like is not None and 0 <= like < len(fonts) else "0"
    fmt_id = next((i for i, c in codes.items() if c == code), None)
    if fmt_id is not None:
        if font == "0":
            return builtin_number_style(pkg, fmt_id)
        found = next((i for i, f in enumerate(xfs) if f == fmt_id and plain[i] and fonts[i] == font), None)
        if found is not None:
            return found
    return _add_code_style(pkg, xfs, codes, code, font)


def _add_code_style(pkg, xfs: list[int], codes: dict[int, str], code: str, font: str = "0") -> int:
    """A new cell format showing number format ``code`` (the workbook's numFmt of that code, else a new
    one) in font ``font`` (its index in styles.xml)."""
    part = _styles_part(pkg)
    data = pkg.read_part(part)
    where = pkg.where(part)
    root = elements(data, where, 2)[0]
    kids = {e.name: e for e in root.children}
    fmt_id = next((i for i, c in codes.items() if c.lower() == code.lower()), None)
    edits: list[tuple[int, int, bytes]] = []
    p = root.prefix
    if fmt_id is None:
        fmt_id = max([163, *codes]) + 1
        entry = (b"<" + p + b'numFmt numFmtId="' + str(fmt_id).encode() + b'" formatCode="'
                 + escape(code, {'"': "&quot;"}).encode() + b'"/>')
        if b"numFmts" in kids:
            edits += _append_child(data, kids[b"numFmts"], entry, len(codes) + 1)
        else:  # numFmts is the first child of styleSheet
            first = root.children[0].start if root.children else root.close_start
            edits.append((first, first, b"<" + p + b'numFmts count="1">' + entry + b"</" + p + b"numFmts>"))
    return _add_xf(pkg, xfs, fmt_id, data, edits, font)


def _add_xf(pkg, xfs: list[int], fmt_id: int, data: bytes | None = None,
            edits: list[tuple[int, int, bytes]] | None = None, font: str = "0") -> int:
    """Append a cell format showing number format ``fmt_id`` in font ``font`` (with ``edits`` already
    planned on ``data``, the styles part) and return its index."""
    part = _styles_part(pkg)
    data = pkg.read_part(part) if data is None else data
    edits = [] if edits is None else edits
    where = pkg.where(part)
    root = elements(data, where, 2)[0]
    kids = {e.name: e for e in root.children}
    p = root.prefix
    cell_xfs = kids.get(b"cellXfs")
    if cell_xfs is None:
        raise WorkbookError(Message(N_("{where}: no <cellXfs>; save the workbook in Excel first"), where=where))
    xf = b"<" + p + b'xf numFmtId="' + str(fmt_id).encode() + b'" fontId="' + font.encode() \
        + b'" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"' + (b' applyFont="1"' if font != "0" else b"") \
        + b"/>"
    edits += _append_child(data, cell_xfs, xf, len(xfs) + 1)
    out, pos = [], 0
    for start, end, new in sorted(edits, key=lambda e: e[0]):
        out += [data[pos:start], new]
        pos = end
    pkg.replace_part(part, b"".join(out) + data[pos:])
    pkg._memo.pop("import-formats", None)
    pkg._memo.pop("xfs", None)
    return len(xfs)


def _append_child(data: bytes, parent: Elem, child: bytes, count: int) -> list[tuple[int, int, bytes]]:
    """Edits adding ``child`` as the last child of ``parent`` and setting its ``count``."""
    attrs = {**parent.attrs, "count": str(count)} if "count" in parent.attrs else parent.attrs
    if parent.self_closing:
        name = parent.prefix + parent.name
        return [(parent.start, parent.end, start_tag(parent, attrs) + child + b"</" + name + b">")]
    return [(parent.start, parent.open_end, start_tag(parent, attrs)),
            (parent.close_start, parent.close_start, child)]
