"""A workbook's tables read ahead, in a thread, while the refresh loads pandas and the engine.

`kpi-xl refresh` spends its first ~0.2 s importing pandas and the goals engine before it reads
a cell. python-calamine parses a sheet without holding Python's GIL, so a thread can read the
workbook meanwhile: :class:`ReadAhead`, started first, reads the Goals table's sheet, then the
sheets of the tables the goals name (largest first: a table no goal names, however big, is left
alone, as the refresh leaves it), and finds their error cells (:meth:`~.package.Package.error_cells`:
zlib inflates without the GIL too). The refresh takes each sheet when it gets to it (:meth:`ReadAhead.take`):
read already, or being read (it waits), or not started (the refresh reads it itself, the thread
skips it). benchmarks/README.md (round 10) has what it saves.

Nothing read here is used unless the file the refresh opens, under its lock, is the file this
thread read (:meth:`ReadAhead.same_file`: device, inode, size and modification time): a
workbook saved in between is read again. The package's size and ratio limits
(:func:`~.package.open_package`) are checked before python-calamine inflates anything; when
anything fails here, nothing is read ahead, and the refresh reads, and refuses, in its own
words, as it does without a read-ahead. Nor is anything read while another kpi-xl holds the
workbook's lock or another program has it open (their save replaces the file).
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any, NamedTuple

from .package import open_package
from .package.lock import lock_path, owner_files
from .package.tables import table_bounds

class Sheet(NamedTuple):
    """A sheet read ahead: its cells (error cells blank, as python-calamine reads them) and where
    the error cells are, with their codes."""

    rows: list[list[Any]]
    errors: dict[tuple[int, int], str]


QUEUED, READING, READ, LEFT = "queued", "reading", "read", "left"  # LEFT: the refresh's, or given up


def file_identity(path: str | os.PathLike) -> tuple[int, int, int, int] | None:
    """Which file ``path`` is now, and in what state: device, inode, size, modification time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


class ReadAhead:
    """Reads the sheets of the workbook at ``path`` that its goals read, in a daemon thread."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(os.path.realpath(path))
        self.identity: tuple[int, int, int, int] | None = None  # of the file read, once planned
        self._cond = threading.Condition()
        self._plan: dict[str, str] | None = None  # sheet → state, in reading order; None until planned
        self._read_ahead: dict[str, Sheet] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="kpi-xl read-ahead", daemon=True)
        try:
            self._thread.start()
        except RuntimeError:  # no thread to be had (a process at its limit): the refresh reads it all
            self._plan = {}

    # ------------------------------------------------------------ the refresh's side
    def same_file(self, path: str | os.PathLike) -> bool:
        """True when ``path`` is, now, the file read ahead (call it with the workbook locked)."""
        self._planned()
        return self.identity is not None and Path(os.path.realpath(path)) == self.path \
            and file_identity(self.path) == self.identity

    def take(self, sheet: str) -> Sheet | None:
        """The cells of ``sheet`` as python-calamine's ``to_python(skip_empty_area=False)`` gives
        them and its error cells as :meth:`~.package.Package.error_cells` does, or None: read it
        yourself (not a sheet read ahead, not started yet, or failed)."""
        with self._cond:
            plan = self._planned()
            if plan.get(sheet) == QUEUED:
                plan[sheet] = LEFT
                return None
            self._cond.wait_for(lambda: plan.get(sheet) != READING)
            if plan.get(sheet) != READ:
                return None
            plan[sheet] = LEFT
            return self._read_ahead.pop(sheet)

    def close(self, wait: bool = False) -> None:
        """Nothing more is wanted: sheets not started are not read, those read are let go (a
        sheet being read is finished by the thread, then dropped). With ``wait``, returns once the
        thread has ended and closed the workbook file (before the refresh replaces it: Windows
        cannot replace a file another handle holds open)."""
        with self._cond:
            for sheet, state in (self._plan or {}).items():
                if state in (QUEUED, READ):  # READ too: a sheet let go is read by whoever asks for it
                    self._plan[sheet] = LEFT
            self._read_ahead.clear()
            self._closed = True
        if wait and self._thread.ident is not None:  # started
            self._thread.join()

    def _planned(self) -> dict[str, str]:
        with self._cond:
            self._cond.wait_for(lambda: self._plan is not None)
            assert self._plan is not None
            return self._plan

    # ------------------------------------------------------------ the thread's side
    def _run(self) -> None:
        try:
            self._read()
        except Exception:  # noqa: BLE001 - nothing read ahead; the refresh reads (and refuses) as without it
            pass
        finally:
            with self._cond:
                if self._plan is None:
                    self._plan = {}
                for sheet, state in self._plan.items():
                    if state in (QUEUED, READING):
                        self._plan[sheet] = LEFT
                self._cond.notify_all()

    def _read(self) -> None:
        from python_calamine import CalamineWorkbook

        # another kpi-xl is writing it, or Excel or LibreOffice has it open: not held open while they
        # save it (Windows cannot replace a file another handle holds open); the refresh waits or refuses
        if lock_path(self.path).exists() or owner_files(self.path):
            return
        before = file_identity(self.path)
        # the package's limits are checked as it opens, and its workbook part, relationships and
        # tables vetted (no DTD) as it reads them, before python-calamine parses anything (as in
        # the refresh, which reads the sheet names before it opens python-calamine)
        with open_package(self.path) as pkg:
            parts = {s.name: s.part for s in pkg.sheets() if s.part}
            tables = [t for t in pkg.tables() if t.sheet in parts]
            goals = next((t for t in tables if t.display_name.lower() == "goals"), None)
            if goals is None:
                return  # not a kpi-xl workbook: the refresh says so
            with contextlib.closing(CalamineWorkbook.from_path(str(self.path))) as book:
                if before is None or file_identity(self.path) != before:
                    return  # saved while being opened: the refresh reads it
                first = _read_sheet(pkg, book, goals.sheet)
                named = _words(first.rows, goals.ref)
                wanted = {t.sheet for t in tables if t.display_name.lower() in named or t.sheet.lower() in named}
                order = sorted(wanted - {goals.sheet}, key=lambda s: -pkg.part_size(parts[s]))
                with self._cond:
                    self.identity = before
                    self._plan = {goals.sheet: READ, **dict.fromkeys(order, QUEUED)}
                    self._read_ahead[goals.sheet] = first
                    self._cond.notify_all()
                self._read_sheets(pkg, book, order)

    def _read_sheets(self, pkg: Any, book: Any, order: list[str]) -> None:
        """The sheets ``order`` names, one by one, each unless the refresh has taken it or closed."""
        for sheet in order:
            with self._cond:
                if self._plan[sheet] != QUEUED or self._closed:
                    continue
                self._plan[sheet] = READING
            try:
                read = _read_sheet(pkg, book, sheet)
            except Exception:  # noqa: BLE001 - python-calamine's or the package's: the refresh reads it and says
                read = None
            with self._cond:
                if read is not None and not self._closed:
                    self._read_ahead[sheet] = read
                    self._plan[sheet] = READ
                else:
                    self._plan[sheet] = LEFT
                self._cond.notify_all()


def _read_sheet(pkg: Any, book: Any, sheet: str) -> Sheet:
    return Sheet(book.get_sheet_by_name(sheet).to_python(skip_empty_area=False), pkg.error_cells(sheet))


def _words(rows: list[list[Any]], ref: str) -> set[str]:
    """Every text in the cells of range ``ref`` (the Goals table), stripped and lower-cased: a
    table's name or its sheet's among them is one a goal reads (its Table column, in any language)."""
    r1, c1, r2, c2 = table_bounds(ref)
    return {v.strip().lower() for row in rows[r1 - 1:r2] for v in row[c1 - 1:c2] if isinstance(v, str)}


__all__ = ["ReadAhead", "Sheet", "file_identity"]
