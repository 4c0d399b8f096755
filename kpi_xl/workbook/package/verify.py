"""An edited sheet read back through the guarded parser before it is kept."""

from __future__ import annotations

from xml.parsers import expat

from ...excel import cell_ref, split_ref
from ...i18n import Message, N_
from .records import WorkbookError, int_of
from .xmlread import malformed_xml, unsafe_xml


class SheetScan:
    """An edited sheet through a guarded parser: refused unless well-formed and safe.

    Also gives its used range, the cells found in ``region`` (top row, first and
    last column) and, with ``shared``, the shared formulas left without a master.

    The parser is expat with namespaces (the standard library's C parser, as the
    streaming readers use), a DTD refused as :class:`.xmlread.PrologGuard` does;
    only rows, cells and formulas reach Python: an import's 100,000-row sheet is
    checked in seconds.
    """

    def __init__(self, data: bytes, where: str, region: tuple[int, int, int] | None = None,
                 shared: bool = False) -> None:
        self.where, self.region, self.shared = where, region, shared
        self.in_region: set[tuple[int, int]] = set()
        self.top = self.bottom = self.min_col = self.max_col = 0
        self.masters: set[int] = set()
        self.users: set[int] = set()
        self._row: str | None = None
        self._c = self._f = ""
        self._row_no, self._last_row, self._col = -1, 0, 0  # _row_no -1: not inside a row
        self._cols: list[int] = []
        p = expat.ParserCreate(namespace_separator="}")
        p.StartElementHandler = self._start  # a row ends where the next one starts (or the sheet)
        p.StartDoctypeDeclHandler = self._doctype
        p.EntityDeclHandler = self._doctype
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            p.Parse(data, True)
        except expat.ExpatError as exc:
            raise malformed_xml(where, exc) from None
        self._end_row()
        self.orphans = self.users - self.masters  # shared formulas whose master cell is gone

    def _doctype(self, *_args: object) -> None:
        raise unsafe_xml(self.where)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name == self._c:
            if self._row_no < 0:
                return
            r = attrs.get("r")
            self._col = self._column(r) if r else self._col + 1
            self._cols.append(self._col)
            region = self.region
            if region and self._row_no >= region[0] and region[1] <= self._col <= region[2]:
                self.in_region.add((self._row_no, self._col))
        elif name == self._row:
            self._end_row()
            r = attrs.get("r")
            self._row_no = int_of(r, self.where) if r else self._last_row + 1
            self._col, self._cols = 0, []
        elif name == self._f:
            si = attrs.get("si") or ""
            if self.shared and attrs.get("t") == "shared" and si.isdigit():
                (self.masters if attrs.get("ref") else self.users).add(int(si))
        elif self._row is None:  # the root: its namespace names the others
            ns = name[:name.index("}") + 1] if "}" in name else ""
            self._row, self._c, self._f = ns + "row", ns + "c", ns + "f"

    def _end_row(self) -> None:
        if self._row_no >= 0:
            self._last_row, self._row_no = self._row_no, -1
            cols = self._cols
            if cols:
                self.top = self.top or self._last_row
                self.bottom = self._last_row
                self.min_col = min(self.min_col or cols[0], min(cols))
                self.max_col = max(self.max_col, max(cols))

    def _column(self, ref: str) -> int:
        try:
            return split_ref(ref)[1]
        except ValueError:
            raise WorkbookError(Message(N_("{where}: bad cell reference '{ref}'"), where=self.where, ref=ref)) from None

    def dimension(self) -> str:
        if not self.top:
            return "A1"
        top, bottom = cell_ref(self.top, self.min_col), cell_ref(self.bottom, self.max_col)
        return top if top == bottom else f"{top}:{bottom}"
