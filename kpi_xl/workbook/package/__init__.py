"""The workbook package layer: open an .xlsx/.xlsm safely, read it, edit what kpi-xl
owns in place, and save it atomically with a backup.

Why surgery
-----------
A headless refresh (no Excel running) rewrites a few regions of a user's
workbook: the Scorecard, History... openpyxl cannot do that safely. It rebuilds
the whole file from its own object model and silently drops what it does not
model: sparklines and other ``x14`` ``<extLst>`` blocks, slicers, timelines,
form controls, cached values of formulas, parts of charts and drawings it cannot
parse... This package edits the OOXML zip itself instead: everything outside the
regions kpi-xl owns comes out byte for byte.

Modules, bottom up
------------------
``records``       the result types and :class:`WorkbookError`
``safety``        opening an untrusted zip (:class:`Limits`: sizes, ratio, names)
``xmlread``       guarded XML parsing (defusedxml; no DTD, no entities)
``atomic``        the one way kpi-xl replaces a file (temp file, fsync, backup)
``lock``          one writer at a time (a lock file; other programs' owner files)
``zipcopy``       raw copy of untouched zip members
``parts``         parts and relationships (:class:`Parts`), saving
``cellreader``    cells with their formulas as :class:`Cell` tuples
``sheetxml``      byte offsets of rows and cells in sheet XML
``encode``        Python values as cell XML
``edits``         region and cached-value edits of a sheet's bytes
``verify``        an edited sheet read back before it is kept
``spreadsheetml`` :class:`Package`: sheets, tables, names, cells, edits
"""

from .atomic import backup_path, replace_atomically
from .cellreader import with_errors
from .lock import workbook_lock
from .parts import Parts, Rel
from .records import Cell, DefinedName, KeptCell, SheetInfo, TableInfo, WorkbookError
from .safety import GiB, Limits, MiB
from .spreadsheetml import Package, open_package

__all__ = ["WorkbookError", "Limits", "SheetInfo", "TableInfo", "DefinedName", "Cell", "KeptCell", "Parts", "Rel",
           "Package", "open_package", "backup_path", "replace_atomically", "workbook_lock", "MiB", "GiB",
           "with_errors"]
