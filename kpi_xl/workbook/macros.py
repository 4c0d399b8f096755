"""The VBA inside a macro workbook (`kpi-xl new BOOK.xlsm --macros`), built on Linux.

The project starts from xlwings' own standalone quickstart workbook (shipped in
the xlwings package, BSD licence): it carries xlwings' VBA module (RunPython,
the UDF bridge), so the workbook needs no reference to the xlwings add-in. To it
we add two modules with pyOpenVBA (MIT):

* ``kpi_xl_udfs`` - the worksheet functions (see :mod:`kpi_xl.functions.vba`), returning real
  Excel error values;
* ``kpi_xl_macros`` - ``RefreshScorecard``, bound to the "Refresh scorecard"
  buttons, which runs :func:`kpi_xl.workbook.live.refresh_scorecard` through
  ``RunPython``.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import zipfile
from pathlib import Path

from ..functions.vba import module_text
from ..i18n import N_, Message
from .package import WorkbookError

MACRO_NAME = "RefreshScorecard"
MACRO_MODULE = "kpi_xl_macros"
UDF_MODULE = "kpi_xl_udfs"
PYTHON_CALL = "import kpi_xl.workbook.live as live; live.refresh_scorecard()"

MACROS = f'''' Written by kpi-xl. The "Refresh scorecard" buttons run this macro.
' It needs Python with kpi-xl installed (pip install kpi-xl); xlwings runs it.
Option Explicit

Sub {MACRO_NAME}()
    RunPython "{PYTHON_CALL}"
End Sub
'''


def _body(text: str) -> str:
    """Module source without its Attribute header (pyOpenVBA writes the name)."""
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if not ln.startswith("Attribute VB_Name")]
    return "\r\n".join(lines)


def _xlwings_file(name: str) -> Path:
    """A file shipped in the xlwings package, found without importing xlwings (only the
    worksheet functions and the live-Excel adapter load it)."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise WorkbookError(Message(N_("a macro workbook needs xlwings installed (pip install xlwings)")))
    return Path(list(spec.submodule_search_locations)[0]) / name


def vba_project_bin(dest: Path) -> Path:
    """Write ``vbaProject.bin`` with xlwings' module and kpi-xl's two modules to ``dest``."""
    import pyopenvba

    source = _xlwings_file("quickstart_standalone.xlsm")
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "project.xlsm"
        shutil.copy(source, book)
        with pyopenvba.ExcelFile(book) as xl:
            project = xl.vba_project()
            if "Module1" in project.module_names():
                project.delete_module("Module1")  # xlwings' quickstart sample code
            project.add_module(UDF_MODULE, _body(module_text()))
            project.add_module(MACRO_MODULE, _body(MACROS))
            xl.save()
        with zipfile.ZipFile(book) as z:
            dest.write_bytes(z.read("xl/vbaProject.bin"))
    return dest
