"""An edited sheet read back through the guarded parser before it is kept."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

from ...excel import cell_ref, split_ref
from .records import WorkbookError, int_of
from .xmlread import PrologGuard, Tags, stream_ends


class SheetScan:
    """An edited sheet through the guarded parser: refused unless well-formed and safe.

    Also gives its used range, the cells found in ``region`` (top row, first and
    last column) and, with ``shared``, the shared formulas left without a master.
    """

    def __init__(self, data: bytes, where: str, region: tuple[int, int, int] | None = None,
                 shared: bool = False) -> None:
        self.where, self.region, self.shared = where, region, shared
        self.in_region: set[tuple[int, int]] = set()
        self.top = self.bottom = self.min_col = self.max_col = 0
        self.masters: set[int] = set()
        self.users: set[int] = set()
        guard = PrologGuard()
        tags = None
        row_no = 0
        for elem in stream_ends(io.BytesIO(data), where, guard):
            tags = tags or Tags.of(guard.root)
            if elem.tag != tags.row_:
                continue
            row_no = int_of(elem.get("r"), where) if elem.get("r") else row_no + 1
            self._row(elem, row_no, tags)
            elem.clear()
        self.orphans = self.users - self.masters  # shared formulas whose master cell is gone

    def _row(self, row: ET.Element, row_no: int, tags: Tags) -> None:
        cells = [c for c in row if c.tag == tags.c_]
        if not cells:
            return
        every_cell = self.shared or (self.region is not None and row_no >= self.region[0])
        if every_cell or not (cells[0].get("r") and cells[-1].get("r")):
            cols = self._columns(cells)
        else:
            cols = [self._col(cells[0].get("r")), self._col(cells[-1].get("r"))]
        self.top = self.top or row_no
        self.bottom = row_no
        self.min_col = min(self.min_col or cols[0], cols[0])
        self.max_col = max(self.max_col, cols[-1])
        if every_cell:
            self._note_cells(cells, cols, row_no, tags)

    def _columns(self, cells: list[ET.Element]) -> list[int]:
        out, col = [], 0
        for c in cells:
            col = self._col(c.get("r")) if c.get("r") else col + 1
            out.append(col)
        return out

    def _col(self, ref: str) -> int:
        try:
            return split_ref(ref)[1]
        except ValueError:
            raise WorkbookError(f"{self.where}: bad cell reference {ref!r}") from None

    def _note_cells(self, cells: list[ET.Element], cols: list[int], row_no: int, tags: Tags) -> None:
        region = self.region
        for c, col in zip(cells, cols):
            if region and row_no >= region[0] and region[1] <= col <= region[2]:
                self.in_region.add((row_no, col))
            if self.shared:
                for f in c:
                    if f.tag == tags.f_ and f.get("t") == "shared" and (f.get("si") or "").isdigit():
                        (self.masters if f.get("ref") else self.users).add(int(f.get("si")))

    def dimension(self) -> str:
        if not self.top:
            return "A1"
        top, bottom = cell_ref(self.top, self.min_col), cell_ref(self.bottom, self.max_col)
        return top if top == bottom else f"{top}:{bottom}"
