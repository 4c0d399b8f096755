"""A workbook package: its sheets, tables, names and cells, and surgical edits of them.

:meth:`Package.write_region` and :meth:`Package.set_cached_values` splice the
original bytes of the ``<row>``/``<c>`` elements they touch; the rest of the
sheet XML, every other cell included, is copied byte for byte. An edit costs one
guarded parse of the sheet (the result is checked before it is kept) plus work
for the rows from ``top_row`` down: meant for the regions kpi-xl owns, not for
rewriting big data sheets.

* set_cached_values only touches cells with an ``<f>``: the master cell of an
  array formula, not the cells it spills into.
* Tables, merged ranges, conditional formats and array formulas are not moved
  or resized: the caller keeps its region inside what it owns. A region that
  would remove the master cell of a shared formula still used outside it is
  refused. Removing formula cells drops ``calcChain.xml`` (Excel rebuilds it).
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import zipfile
from pathlib import Path
from typing import Any, Mapping, Sequence

from ...excel import epoch
from ...i18n import NC_, Join, Message, N_
from .cellreader import RowReader, gc_paused
from .edits import CachedValueEdit, FrozenEdit, RegionEdit
from .encode import check_region, encode_rows
from .parts import Parts, Rel
from .records import Cell, DefinedName, SheetInfo, TableInfo, WorkbookError, int_of
from .safety import CONTENT_TYPES, Limits, open_zip
from .sheetxml import Layout, error_cells, may_hold_errors, remove_children, require_utf8
from .verify import SheetScan
from .xmlread import PrologGuard, Tags, local_name, rid_of, rich_text, stream_ends, unescape_x


def open_package(path: str | os.PathLike, *, limits: Limits = Limits()) -> "Package":
    """Open an .xlsx/.xlsm for reading and surgical edits; refuse anything unsafe."""
    path = Path(path)
    zf = open_zip(path, limits)
    try:
        return Package(path, zf, limits)
    except BaseException:
        zf.close()
        raise


#: The sheets that are not worksheets with cells, named in the reader's language.
SHEET_KINDS = {"chartsheet": NC_("sheet kind", "chartsheet"), "dialogsheet": NC_("sheet kind", "dialogsheet"),
               "macrosheet": NC_("sheet kind", "macrosheet")}

class Package(Parts):
    """An open .xlsx/.xlsm: read parts lazily, edit sheet regions, save atomically."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
        super().__init__(path, zf, limits)
        self.workbook_part = self._find_workbook_part()
        self.xml(CONTENT_TYPES)  # well-formed and without a DTD, or refused now

    def _find_workbook_part(self) -> str:
        main = next((r.target for r in self.rels("") if r.kind == "officeDocument" and not r.external), None)
        for candidate in (main, "xl/workbook.xml"):
            if candidate and self.find_part(candidate):
                actual = self.find_part(candidate)
                if actual.lower().endswith(".bin"):
                    raise WorkbookError(Message(N_("{file}: a binary .xlsb workbook; save it as .xlsx in Excel"),
                                                file=str(self.path)))
                return actual
        raise WorkbookError(Message(N_("{file}: not an Excel workbook (no xl/workbook.xml: a Word or PowerPoint file, "
                                       "or a plain zip?)"), file=str(self.path)))

    @property
    def date1904(self) -> bool:
        """True for a workbook in the 1904 date system (``<workbookPr date1904="1"/>``)."""
        if "date1904" not in self._memo:
            pr = next((el for el in self.xml(self.workbook_part).iter() if local_name(el.tag) == "workbookPr"), None)
            self._memo["date1904"] = pr is not None and pr.get("date1904", "0").strip().lower() in ("1", "true")
        return self._memo["date1904"]

    @property
    def epoch(self) -> dt.datetime:
        """Day 0 of the workbook's date serial numbers."""
        return epoch(self.date1904)

    def workbook_rel(self, kind: str) -> Rel | None:
        """The workbook part's first internal relationship of ``kind`` (styles, sharedStrings...)."""
        return next((r for r in self.rels(self.workbook_part) if r.kind == kind and not r.external), None)

    def sheets(self) -> list[SheetInfo]:
        """The sheets in workbook order."""
        if "sheets" not in self._memo:
            self._memo["sheets"] = self._read_sheets()
        return list(self._memo["sheets"])

    def _read_sheets(self) -> list[SheetInfo]:
        root = self.xml(self.workbook_part)
        rels = {r.id: r for r in self.rels(self.workbook_part)}
        out = []
        for el in root.iter():
            if local_name(el.tag) != "sheet":
                continue
            rel = rels.get(rid_of(el))
            part = self.find_part(rel.target) if rel and not rel.external else None
            out.append(SheetInfo(
                name=el.get("name", ""),
                sheet_id=int_of(el.get("sheetId", "0"), self.where(self.workbook_part)),
                rid=rid_of(el),
                part=part,
                state=el.get("state", "visible"),
                kind=rel.kind if rel else "missing",
            ))
        return out

    def sheet(self, name: str) -> SheetInfo:
        """A sheet by name (Excel's names are case-insensitive)."""
        sheets = self.sheets()
        found = next((s for s in sheets if s.name == name), None)
        found = found or next((s for s in sheets if s.name.casefold() == name.casefold()), None)
        if found is None:
            raise WorkbookError(Message(N_("{file}: no sheet named '{name}' (sheets: {sheets})"), file=str(self.path),
                                        name=name, sheets=Join(repr(s.name) for s in sheets)))
        return found

    def _worksheet(self, name: str) -> SheetInfo:
        sheet = self.sheet(name)
        if sheet.kind != "worksheet" or sheet.part is None:
            raise WorkbookError(Message(N_("{file}: sheet '{name}' is a {kind}, not a worksheet with cells"),
                                        file=str(self.path), name=sheet.name,
                                        kind=Message(SHEET_KINDS.get(sheet.kind, sheet.kind), context="sheet kind")))
        return sheet

    def tables(self) -> list[TableInfo]:
        """Every Excel Table (ListObject), sheet by sheet."""
        out = []
        for sheet in self.sheets():
            if sheet.part is None or sheet.kind != "worksheet":
                continue
            for rel in self.rels(sheet.part):
                if rel.kind == "table" and not rel.external and self.find_part(rel.target):
                    out.append(self._table(self.find_part(rel.target), sheet.name))
        return out

    def _table(self, part: str, sheet: str) -> TableInfo:
        root = self.xml(part)
        where = self.where(part)
        columns = tuple(unescape_x(el.get("name", "")) for el in root.iter() if local_name(el.tag) == "tableColumn")
        return TableInfo(
            display_name=root.get("displayName", ""),
            name=root.get("name", root.get("displayName", "")),
            sheet=sheet,
            ref=root.get("ref", ""),
            header_row_count=int_of(root.get("headerRowCount", "1"), where),
            columns=columns,
            part=part,
            totals_row_count=int_of(root.get("totalsRowCount", "0"), where),
        )

    def defined_names(self) -> list[DefinedName]:
        """Named ranges and formulas; ``sheet`` is set for sheet-scoped names."""
        root = self.xml(self.workbook_part)
        sheets = self.sheets()
        out = []
        for el in root.iter():
            if local_name(el.tag) != "definedName":
                continue
            local = el.get("localSheetId")
            scope = None
            if local is not None and local.isdigit() and int(local) < len(sheets):
                scope = sheets[int(local)].name
            out.append(DefinedName(el.get("name", ""), el.text or "", scope, el.get("hidden") in ("1", "true")))
        return out

    def shared_strings(self) -> list[str]:
        """The shared string table (plain text of each entry)."""
        if "sst" not in self._memo:
            self._memo["sst"] = self._read_shared_strings()
        return self._memo["sst"]

    def _read_shared_strings(self) -> list[str]:
        rel = self.workbook_rel("sharedStrings")
        part = self.find_part(rel.target) if rel else self.find_part("xl/sharedStrings.xml")
        if part is None:
            return []
        from .sharedstrings import read_shared_strings

        fast = read_shared_strings(self.read_part(part), self.where(part))
        if fast is not None:
            return fast
        out: list[str] = []
        guard = PrologGuard()
        with self.open_part(part) as fh:
            tags = None
            for elem in stream_ends(fh, self.where(part), guard):
                tags = tags or Tags.of(guard.root)
                if elem.tag == tags.si_:
                    out.append(rich_text(elem, tags))
                    elem.clear()
        return out

    # ---- cells

    def read_cells(self, sheet_name: str, min_row: int = 1, max_row: int | None = None) -> dict[tuple[int, int], Cell]:
        """The cells of rows ``min_row..max_row`` as ``{(row, col): Cell}`` (1-based)."""
        return self._read(sheet_name, min_row, max_row, formulas_only=False)

    def read_formulas(self, sheet_name: str, min_row: int = 1, max_row: int | None = None) -> dict[tuple[int, int], Cell]:
        """Only the cells with a formula (their cached results as stored, error values
        included), as :meth:`read_cells` gives them; much faster on a sheet of values."""
        return self._read(sheet_name, min_row, max_row, formulas_only=True)

    def error_cells(self, sheet_name: str) -> dict[tuple[int, int], str]:
        """The cells holding an error value (``#N/A``...) as ``{(row, col): code}`` (1-based):
        what python-calamine reads as blanks. A sheet is inflated once, in pieces, to look; only one
        that marks an error cell is read whole and only its rows holding one are parsed."""
        sheet = self._worksheet(sheet_name)
        if not may_hold_errors(self.part_pieces(sheet.part)):
            return {}
        return error_cells(self.read_part(sheet.part), self.where(sheet.part))

    def _read(self, sheet_name: str, min_row: int, max_row: int | None, formulas_only: bool) -> dict:
        sheet = self._worksheet(sheet_name)
        where = self.where(sheet.part)
        out: dict[tuple[int, int], Cell] = {}
        guard = PrologGuard()
        with self.open_part(sheet.part) as fh, gc_paused():
            reader = None
            row_no = 0
            for elem in stream_ends(fh, where, guard):
                if reader is None:
                    reader = RowReader(Tags.of(guard.root), self.shared_strings, where, formulas_only)
                if elem.tag != reader.row_tag:
                    continue
                r = elem.get("r")
                row_no = int_of(r, where) if r else row_no + 1
                if max_row is not None and row_no > max_row:
                    break
                if row_no >= min_row:
                    reader.read(elem, row_no, out)
                elem.clear()
        return out

    # ---- writing

    def write_region(self, sheet_name: str, top_row: int, first_col: int, last_col: int,
                     rows: Sequence[Sequence[Any]], styles: Sequence[int | None] | None = None,
                     row_styles: Sequence[Sequence[int | None] | None] | None = None) -> None:
        """Replace columns ``first_col..last_col`` (1-based) from ``top_row`` down with ``rows``.

        Every cell of those columns at or below ``top_row`` is deleted, then
        ``rows`` is written from ``(top_row, first_col)``. None and "" leave no
        cell; text goes in inline; dates become serial numbers (of the workbook's
        date system); "#N/A" and the other error codes become error cells. Each cell gets the style index
        ``styles[i]`` of its column, else the column's style from ``<cols>``;
        ``row_styles[r][i]``, when given and not None, overrides it for one cell
        (e.g. a percent format on the rows of goals measured in %).
        """
        sheet = self._worksheet(sheet_name)
        where = self.where(sheet.part)
        check_region(where, top_row, first_col, last_col, rows, styles)
        data = self.read_part(sheet.part)
        require_utf8(data, where)
        layout = Layout.scan(data, where)
        col_styles = self._region_styles(layout, first_col, last_col, styles, where)
        self.check_row_styles(row_styles, where)
        new_cells = encode_rows(rows, top_row, first_col, col_styles, layout.prefix, where, row_styles, self.epoch)
        edit = RegionEdit(data, layout, top_row, first_col, last_col, new_cells)
        new = edit.apply()
        scan = SheetScan(new, where, (top_row, first_col, last_col), shared=bool(edit.cut_masters))
        if scan.in_region != {(row, col) for row, cells in new_cells.items() for col, _xml in cells}:
            raise WorkbookError(Message(N_("{where}: unusual sheet XML: the edit could not be verified, the sheet is "
                                           "left as it was"), where=where))
        cut = {si: ref for si, ref in edit.cut_masters.items() if si in scan.orphans}
        if cut:
            si, ref = next(iter(cut.items()))
            raise WorkbookError(Message(N_("{where}: the region would delete {ref}, the master cell of a shared formula "
                                           "(si={si}) that cells outside the region still use; move or widen the "
                                           "region"), where=where, ref=ref, si=si))
        new = layout.with_dimension(new, scan.dimension())
        self._modified[sheet.part] = new
        if edit.removed_formula:
            self.drop_calc_chain()

    def column_style(self, sheet_name: str, col: int) -> int | None:
        """The style index a column's ``<cols>`` entry gives (None when it has none)."""
        sheet = self._worksheet(sheet_name)
        return Layout.scan(self.read_part(sheet.part), self.where(sheet.part)).col_style(col)

    def _region_styles(self, layout: "Layout", first_col: int, last_col: int,
                       styles: Sequence[int | None] | None, where: str) -> list[int | None]:
        out = []
        for i, col in enumerate(range(first_col, last_col + 1)):
            style = styles[i] if styles is not None and i < len(styles) else None
            out.append(style if style is not None else layout.col_style(col))
        count = self._xf_count()
        for style in out:
            if style is not None and (style < 0 or (count is not None and style >= count)):
                raise WorkbookError(f"{where}: style index {style} does not exist "
                                    f"(the workbook has {count} cell formats)")
        return out

    def check_row_styles(self, row_styles: Sequence[Sequence[int | None] | None] | None, where: str) -> None:
        """Refuse a per-cell style index (``row_styles`` of :meth:`write_region`) the workbook
        does not have: every cell format named must exist in ``styles.xml``."""
        count = self._xf_count()
        for per_row in row_styles or ():
            for style in per_row or ():
                if style is not None and (style < 0 or (count is not None and style >= count)):
                    raise WorkbookError(f"{where}: style index {style} does not exist")

    def _xf_count(self) -> int | None:
        if "xfs" not in self._memo:
            rel = self.workbook_rel("styles")
            count = None
            part = self.find_part(rel.target) if rel else None
            if part:
                guard = PrologGuard()
                with self.open_part(part) as fh:
                    count = next((len(el) for el in stream_ends(fh, self.where(part), guard)
                                  if local_name(el.tag) == "cellXfs"), 0)
            self._memo["xfs"] = count
        return self._memo["xfs"]

    def set_cached_values(self, sheet_name: str, values: Mapping[tuple[int, int], Any]) -> None:
        """Store computed results in formula cells' ``<v>``; the ``<f>`` stays as it is."""
        sheet = self._worksheet(sheet_name)
        where = self.where(sheet.part)
        if not values:
            return
        data = self.read_part(sheet.part)
        require_utf8(data, where)
        layout = Layout.scan(data, where)
        new = CachedValueEdit(data, layout, values, where, self.epoch).apply()
        SheetScan(new, where)  # still well-formed
        self._modified[sheet.part] = new

    def freeze_formulas(self, sheet_name: str, values: Mapping[tuple[int, int], Any]) -> None:
        """Replace formula cells by plain values (their style kept; None and "" leave an
        empty cell); drops ``calcChain.xml``, whose entries name the formulas removed."""
        sheet = self._worksheet(sheet_name)
        where = self.where(sheet.part)
        if not values:
            return
        data = self.read_part(sheet.part)
        require_utf8(data, where)
        new = FrozenEdit(data, Layout.scan(data, where), values, where, self.epoch).apply()
        SheetScan(new, where)  # still well-formed
        self._modified[sheet.part] = new
        self.drop_calc_chain()

    def drop_calc_chain(self) -> None:
        """Remove calcChain.xml (its entries may name deleted formulas); Excel rebuilds it."""
        rel = self.workbook_rel("calcChain")
        part = self.find_part(rel.target) if rel else None
        if part is None:
            return
        rels_part = self.find_part(posixpath.join(posixpath.dirname(self.workbook_part), "_rels",
                                                posixpath.basename(self.workbook_part) + ".rels"))
        ct = self.find_part(CONTENT_TYPES)
        self._modified[rels_part] = remove_children(
            self.read_part(rels_part), b"Relationship", lambda a: a.get("Id") == rel.id)
        self._modified[ct] = remove_children(
            self.read_part(ct), b"Override", lambda a: a.get("PartName", "").lstrip("/").lower() == part.lower())
        self._removed.add(part)
