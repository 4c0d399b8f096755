"""Excel Tables (ListObjects) grown or made: the table part's ``ref``, ``autoFilter`` and
columns (:func:`resize_table`), and a new worksheet holding a new table
(:func:`add_table_sheet`: the sheet and table parts, their relationships, content types
and the workbook's ``<sheet>`` entry). Edits splice bytes; the rest of each part stays.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from .xmlescape import escape, quoteattr

from ... import i18n
from ...excel import column_index, column_letter
from ...i18n import N_, Message
from .records import WorkbookError
from .safety import CONTENT_TYPES
from .sheetxml import elements, splice, start_tag
from .xmlread import local_name

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*([Cc][0-9]*)?|[Cc][0-9]*)$")


class TableError(WorkbookError, i18n.MessageError):
    """A table or sheet an import cannot make or fill; its words are a :class:`~kpi_xl.i18n.Message`
    (shown in the workbook's language by the import)."""


@dataclass(frozen=True)
class TableColumn:
    name: str
    formula: str | None  # the calculatedColumnFormula, as stored


def table_bounds(ref: str) -> tuple[int, int, int, int]:
    """'B2:K40' → (first_row, first_col, last_row, last_col), 1-based."""
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?", ref.upper())
    if not m:
        raise WorkbookError(i18n.Message(i18n.N_("table range '{ref}' is not a cell range"), ref=ref))

    try:
        c1, r1 = column_index(m.group(1)), int(m.group(2))
        c2, r2 = (column_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    except ValueError:
        raise WorkbookError(i18n.Message(i18n.N_("table range '{ref}' is not a cell range"), ref=ref)) from None
    return r1, c1, r2, c2


def table_columns(pkg, part: str) -> list[TableColumn]:
    out = []
    for el in pkg.xml(part).iter():
        if local_name(el.tag) == "tableColumn":
            f = next((c.text for c in el if local_name(c.tag) == "calculatedColumnFormula"), None)
            out.append(TableColumn(el.get("name", ""), f))
    return out


def _attr(value: str) -> str:
    return quoteattr(value, {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def resize_table(pkg, part: str, ref: str, new_columns: list[str] = ()) -> None:
    """Give the table ``part`` the range ``ref`` (its autoFilter too) and add ``new_columns``
    (names) after its last column."""
    data = pkg.read_part(part)
    where = pkg.where(part)
    root = elements(data, where, 3)[0]
    edits = [(root.start, root.open_end, start_tag(root, {**root.attrs, "ref": ref}))]
    for child in root.children:
        if child.name == b"autoFilter":
            edits.append((child.start, child.open_end,
                          start_tag(child, {**child.attrs, "ref": ref}, empty=child.self_closing)))
        elif child.name == b"tableColumns" and new_columns:
            ids = [int(c.attrs.get("id", "0")) for c in child.children if c.attrs.get("id", "").isdigit()]
            count = len(child.children) + len(new_columns)
            edits.append((child.start, child.open_end, start_tag(child, {**child.attrs, "count": str(count)})))
            p = child.prefix.decode()
            added = "".join(f'<{p}tableColumn id="{max(ids, default=0) + i}" name={_attr(name)}/>'
                            for i, name in enumerate(new_columns, start=1))
            edits.append((child.close_start, child.close_start, added.encode("utf-8")))
    pkg.replace_part(part, splice(data, edits))


def check_sheet_name(name: str) -> None:
    if not name.strip() or len(name) > 31 or _BAD_SHEET.search(name) or name.startswith("'") or name.endswith("'"):
        raise TableError(Message(N_("'{name}' cannot be a sheet name: 1 to 31 characters, none of [ ] : * ? / \\, "
                                    "and no ' at either end"), name=name))


def table_name(wanted: str, taken: set[str]) -> str:
    """A valid, unused table name from ``wanted``: letters, digits, _ and . only, starting with
    a letter or _, not like a cell reference, unique (case-insensitive) among ``taken``."""
    name = re.sub(r"[^\w.]", "_", wanted.strip())
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    if _CELL_LIKE.match(name):
        name = "_" + name
    name = name[:255]
    base, n = name, 2
    while name.casefold() in {t.casefold() for t in taken}:
        name = f"{base[:250]}_{n}"
        n += 1
    return name


def _next_part(pkg, pattern: str) -> tuple[str, int]:
    n = 1
    while pkg.find_part(pattern.format(n)) is not None:
        n += 1
    return pattern.format(n), n


def _rels_part(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _add_rel(pkg, source: str, rel_type: str, target: str) -> str:
    """A new relationship of ``source`` (its .rels part made if missing); returns its id."""
    rels = _rels_part(source)
    if pkg.find_part(rels) is None:
        pkg.add_part(rels, f'{_DECL}<Relationships xmlns="{PKG_REL}"></Relationships>'.encode())
    taken = {r.id for r in pkg.rels(source)}
    n = len(taken) + 1
    while f"rId{n}" in taken:
        n += 1
    rid = f"rId{n}"
    data = pkg.read_part(rels)
    root = elements(data, pkg.where(rels), 1)[0]
    entry = f'<Relationship Id="{rid}" Type="{REL}/{rel_type}" Target={_attr(target)}/>'.encode()
    pkg.replace_part(rels, _append(data, root, entry))
    return rid


def _append(data: bytes, root, child: bytes) -> bytes:
    if root.self_closing:
        name = root.prefix + root.name
        return data[:root.start] + start_tag(root) + child + b"</" + name + b">" + data[root.end:]
    return data[:root.close_start] + child + data[root.close_start:]


def _add_override(pkg, part: str, content_type: str) -> None:
    data = pkg.read_part(CONTENT_TYPES)
    root = elements(data, pkg.where(CONTENT_TYPES), 1)[0]
    p = root.prefix.decode()
    entry = f'<{p}Override PartName={_attr("/" + part)} ContentType="{content_type}"/>'.encode()
    pkg.replace_part(CONTENT_TYPES, _append(data, root, entry))


def add_table_sheet(pkg, sheet: str, table: str, headers: list[str], styles: list[int | None],
                    widths: list[float], header_style: int | None = None) -> None:
    """A new last worksheet ``sheet`` with a header row and an Excel Table ``table`` over it
    (one blank data row: a table has at least one). ``styles`` are the columns' cell formats."""
    check_sheet_name(sheet)
    if any(s.name.casefold() == sheet.casefold() for s in pkg.sheets()):
        names = i18n.Join(t.display_name for t in pkg.tables())
        raise TableError(Message(N_("{book}: sheet '{sheet}' holds no Excel Table to import into; name one of the "
                                    "tables ({tables}) or a new sheet"), book=str(pkg.path), sheet=sheet, tables=names))
    n = len(headers)
    ref = f"A1:{column_letter(n)}2"
    sheet_part, _ = _next_part(pkg, "xl/worksheets/sheet{}.xml")
    table_part, _ = _next_part(pkg, "xl/tables/table{}.xml")
    table_ids = [int(pkg.xml(t.part).get("id", "0")) for t in pkg.tables() if pkg.xml(t.part).get("id", "").isdigit()]
    cols = "".join(f'<col min="{j}" max="{j}" width="{w:.2f}" customWidth="1"' + (f' style="{s}"' if s else "") + "/>"
                   for j, (w, s) in enumerate(zip(widths, styles), start=1))
    hs = f' s="{header_style}"' if header_style else ""
    head = "".join(f'<c r="{column_letter(j)}1"{hs} t="inlineStr"><is><t xml:space="preserve">{escape(h)}</t></is></c>'
                   for j, h in enumerate(headers, start=1))
    pkg.add_part(sheet_part, (
        f'{_DECL}<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><dimension ref="A1:{column_letter(n)}1"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
        'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData><row r="1">{head}</row></sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        '<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>').encode("utf-8"))
    columns = "".join(f'<tableColumn id="{j}" name={_attr(h)}/>' for j, h in enumerate(headers, start=1))
    pkg.add_part(table_part, (
        f'{_DECL}<table xmlns="{MAIN}" id="{max(table_ids, default=0) + 1}" name={_attr(table)} '
        f'displayName={_attr(table)} ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
        f'<tableColumns count="{n}">{columns}</tableColumns><tableStyleInfo name="TableStyleLight9" '
        'showFirstColumn="0" showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>').encode("utf-8"))
    pkg.add_part(_rels_part(sheet_part), (
        f'{_DECL}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" Type="{REL}/table" '
        f'Target="{posixpath.relpath(table_part, posixpath.dirname(sheet_part))}"/></Relationships>').encode())
    _add_override(pkg, sheet_part, CT_SHEET)
    _add_override(pkg, table_part, CT_TABLE)
    book = pkg.workbook_part
    rid = _add_rel(pkg, book, "worksheet", posixpath.relpath(sheet_part, posixpath.dirname(book)))
    data = pkg.read_part(book)
    root = elements(data, pkg.where(book), 2)[0]
    sheets = next((c for c in root.children if c.name == b"sheets"), None)
    if sheets is None:
        raise WorkbookError(Message(N_("{where}: no <{element}>"), where=pkg.where(book), element="sheets"))
    sheet_id = max([s.sheet_id for s in pkg.sheets()] + [0]) + 1
    p = sheets.prefix.decode()
    r_prefix = next((k.split(":", 1)[1] for k, v in root.attrs.items() if k.startswith("xmlns:") and v == REL), None)
    rid_attr = f"{r_prefix}:id" if r_prefix else f'xmlns:r="{REL}" r:id'
    entry = f'<{p}sheet name={_attr(sheet)} sheetId="{sheet_id}" {rid_attr}="{rid}"/>'.encode("utf-8")
    pkg.replace_part(book, data[:sheets.close_start] + entry + data[sheets.close_start:])
    pkg._memo.pop("sheets", None)


def add_widths(pkg, sheet: str, widths: dict[int, float]) -> None:
    """Give the columns of ``widths`` (1-based column → width in characters) a ``<col>`` entry in
    sheet ``sheet`` when no entry covers them yet (a column the user sized keeps its width)."""
    part = pkg._worksheet(sheet).part
    data = pkg.read_part(part)
    root = elements(data, pkg.where(part), 2)[0]
    cols = next((c for c in root.children if c.name == b"cols"), None)
    if cols is None:
        return  # every sheet add_table_sheet makes has <cols>; another sheet keeps its layout
    covered = {j for c in cols.children for j in range(int(c.attrs.get("min", "0")), int(c.attrs.get("max", "0")) + 1)}
    p = cols.prefix.decode()
    new = "".join(f'<{p}col min="{j}" max="{j}" width="{w:.2f}" customWidth="1"/>'
                  for j, w in sorted(widths.items()) if j not in covered)
    if new:
        pkg.replace_part(part, data[:cols.close_start] + new.encode() + data[cols.close_start:])


def widen_columns(pkg, sheet: str, widths: dict[int, float]) -> None:
    """Make the columns of ``widths`` (1-based column → width in characters) at least that wide
    in sheet ``sheet``: a ``<col>`` entry narrower than that gets the width (an entry covering
    several columns is split, the others keep theirs); a wider column, or one without an entry,
    stays as it is."""
    part = pkg._worksheet(sheet).part
    data = pkg.read_part(part)
    root = elements(data, pkg.where(part), 3)[0]
    cols = next((c for c in root.children if c.name == b"cols"), None)
    if cols is None:
        return
    edits = []
    for col in (c for c in cols.children if c.name == b"col"):
        lo, hi = int(col.attrs.get("min", "0")), int(col.attrs.get("max", "0"))
        try:
            now = float(col.attrs.get("width", "0"))
        except ValueError:
            continue
        wider = {j: w for j, w in widths.items() if lo <= j <= hi and w > now}
        if not wider:
            continue
        pieces, j = [], lo
        while j <= hi:
            if j in wider:
                attrs = {**col.attrs, "min": str(j), "max": str(j), "width": f"{wider[j]:.2f}", "customWidth": "1"}
                j += 1
            else:
                end = j
                while end + 1 <= hi and end + 1 not in wider:
                    end += 1
                attrs = {**col.attrs, "min": str(j), "max": str(end)}
                j = end + 1
            pieces.append(start_tag(col, attrs, empty=True))
        edits.append((col.start, col.end, b"".join(pieces)))
    if edits:
        pkg.replace_part(part, splice(data, edits))


def builtin_number_style(pkg, fmt_id: int) -> int:
    """A cell format with Excel's built-in number format ``fmt_id`` (4 is #,##0.00, 10 is 0.00 %) in
    the default font: the workbook's own when it has one, else a new one added to styles.xml."""
    from .styles import _append_child, _cached, _styles_part

    xfs, _codes = _cached(pkg)
    part = _styles_part(pkg)
    plain = {"numFmtId": str(fmt_id), "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"}
    listed = [x for el in pkg.xml(part) if local_name(el.tag) == "cellXfs" for x in el]
    found = next((i for i, x in enumerate(listed)
                  if all(x.get(k, "0") == v for k, v in plain.items()) and not len(x)), None)
    if found is not None:
        return found
    data = pkg.read_part(part)
    root = elements(data, pkg.where(part), 2)[0]
    cell_xfs = next((c for c in root.children if c.name == b"cellXfs"), None)
    if cell_xfs is None:
        raise WorkbookError(Message(N_("{where}: no <cellXfs>; save the workbook in Excel first"), where=pkg.where(part)))
    xf = (b"<" + root.prefix + b'xf numFmtId="' + str(fmt_id).encode() + b'" fontId="0" fillId="0" borderId="0" '
          b'xfId="0" applyNumberFormat="1"/>')
    pkg.replace_part(part, splice(data, _append_child(data, cell_xfs, xf, len(xfs) + 1)))
    pkg._memo.pop("import-formats", None)
    pkg._memo.pop("xfs", None)
    return len(xfs)
