"""Run kpi-xl's worksheet functions through xlwings' own Windows UDF code, on Linux.

On Linux ``xlwings.func/arg/ret`` pass a function through untouched, so calling
``kpi_xl.udfs.ACV(...)`` proves nothing about Excel. This harness makes Linux look
enough like Windows for xlwings' *real* Windows code to run, and then drives the
functions the way Excel does.

What is REAL xlwings code (imported from the installed xlwings, not copied):

* ``xlwings._xlwindows`` -- the Windows engine. Its ``engine`` object (name
  ``"excel"``) is registered in ``xlwings.engines``, so reading arguments uses its
  ``clean_value_data`` (COM error ints -> ``"#N/A"`` text, blanks, dates) and writing
  results uses its ``prepare_xl_data_element`` (``None``/NaN -> ``""``, datetimes ->
  UTC-stamped COM times, NumPy numbers -> float). ``_xlwindows.Range`` /
  ``Sheet`` / ``Book`` / ``App`` wrap the stand-in COM objects below when a
  function gets a cell reference (``is_range_instance`` is real too).
* ``xlwings.udfs`` -- ``xlfunc/xlarg/xlret`` (the decorators Windows binds to
  ``xlwings.func/arg/ret``), ``call_udf`` (missing-argument marker -> Python
  default, ``conversion.read`` of each argument, the call, ``conversion.write`` of
  the result), ``generate_vba_wrapper`` and ``import_udfs`` ("Import Functions":
  VBA module import and ``Application.MacroOptions`` registration).
* ``xlwings.com_server`` -- ``XLPython.CallUDF``, the COM method the generated VBA
  calls (``XLPy.CallUDF(...)``); it unwraps the COM arguments with ``FromVariant``,
  calls ``call_udf`` and collapses a 1x1 result to a scalar and a 1xN result to a
  row, which is what VBA finally gets.
* ``xlwings.conversion`` (NumPy converter etc.) and the ``kpi_xl.udfs`` source
  file itself: a fresh copy of it (module ``kpi_xl_udfs_as_excel``) is executed
  while ``xlwings.func/arg/ret`` are bound to the real ``xlfunc/xlarg/xlret``, so
  ``xlfunc`` reads each generated function (signature, docstring, ``Annotated``
  argument declarations) exactly as on Windows.

What is STAND-IN (defined in this file):

* The pywin32 modules ``pythoncom``, ``pywintypes``, ``win32api``, ``win32con``,
  ``win32gui``, ``win32process``, ``win32timezone``, ``win32event``, ``win32com``,
  ``win32com.client`` (+ ``gencache``) and ``win32com.server`` (+ ``dispatcher``,
  ``policy``, ``util``, ``exception``): only the names xlwings touches, with the
  behaviour of pywin32 where it matters (``com_error`` args, ``TimeType`` is a
  ``datetime`` subclass, ``TimeZoneInfo.utc()``, ``Dispatch`` of a raw
  ``PyIDispatch``, ``server.util.unwrap`` rejecting plain values). Everything
  that would need a real Windows/COM runtime raises ``NotImplementedError``.
* ``ctypes.windll`` / ``ctypes.oledll`` / ``ctypes.PyDLL``: ``_xlwindows`` does
  ``from ctypes import ...`` at import time; it is imported against a *copy* of the
  ``ctypes`` module carrying stand-ins for these three (the real ``ctypes`` module
  is never modified).
* Excel's COM objects: :class:`ExcelApplication`, :class:`ExcelWorkbook`
  (``VBProject.VBComponents`` records the imported VBA module, ``Application``
  records every ``MacroOptions`` call), :class:`ExcelWorksheet` and
  :class:`ExcelRange` (a cell reference: ``.Value`` as COM gives it, and the type
  info ``is_range_instance`` checks).
* xlwings' module cache ``xlwings.udfs.udf_modules`` gets an entry, in the exact
  shape ``get_udf_module`` writes, mapping the production module name
  ``"kpi_xl.udfs"`` to the Excel-decorated copy (marked non-reloadable). So the VBA
  text, the MacroOptions names and ``CallUDF`` all use ``"kpi_xl.udfs"`` as users
  configure it, while the normal ``kpi_xl.udfs`` module stays untouched.

The ``caller`` argument (P_ALIVE and CLV_PREDICT read the workbook's defined names
through it) is real xlwings code too: ``call_udf`` wraps the calling cell in its
``ComRange`` (marshalled with the ``pythoncom`` stand-ins below, one thread here) and
the function reads ``caller.sheet.book.names[...]`` through ``_xlwindows``; the
stand-in workbook's ``Names`` holds the names a test defines (:meth:`ExcelNames.Add`).

Not exercised (kpi-xl uses none of it, or it is outside Python): ``call_udf``'s
async and legacy dynamic-array branches, the embedded-code
scan of ``get_udf_module``'s first import (the cache entry above replaces it),
pywin32's own conversion of the returned Python value into a COM VARIANT, and the
VBA that runs in Excel.

Calls pass ``this_workbook`` = the stand-in workbook and ``caller`` = a stand-in
cell, as the generated VBA passes ``ThisWorkbook, Application.Caller``
(``call_udf`` then sets ``_xlwindows.BOOK_CALLER``, inside the session's copy).

Scope: everything is installed by :func:`excel_session` (a context manager) and
undone on exit: ``sys.modules`` entries (stand-ins, ``xlwings._xlwindows``,
``xlwings.udfs``, ``xlwings.com_server``, the Excel copy; any earlier ones are put
back), the matching attributes of the ``xlwings`` package, ``xlwings.engines``,
``xlwings.func/arg/ret``, the atexit hook ``_xlwindows`` registers and the asyncio
loop ``com_server`` creates (closed). Use it from a module-scoped fixture::

    @pytest.fixture(scope="module", autouse=True)
    def excel():
        with xlharness.excel_session() as session:
            yield session

Inside a session the module-level helpers :func:`call_as_excel`,
:func:`call_udf_rows`, :func:`vba_wrapper_text`, :func:`import_functions`,
:func:`macro_options_calls` and :func:`excel_error` use the active session.

Arguments are given the way Excel hands them over COM: a range of values is a
tuple of row tuples, a blank cell ``None``, a number ``float``, an error the COM
error int (``excel_error("#N/A")``), a date a ``datetime`` (:func:`com_date` gives
the ``pywintypes`` time type COM really produces), an omitted optional argument
:data:`MISSING`. A cell *reference* (``=ACV(A1:A3, ...)``) is
``ExcelRange(rows)``: VBA passes a Range object and xlwings reads its ``.Value``.
"""

from __future__ import annotations

import atexit

from kpi_xl.excel import column_letter
import contextlib
import datetime as dt
import importlib
import importlib.util
import io
import os
import sys
import types
from typing import Any, Iterator

#: The module name users put in the add-in's "UDF Modules" setting.
MODULE_NAME = "kpi_xl.udfs"
#: sys.modules name of the fresh, Excel-decorated copy of kpi_xl/udfs.py.
EXCEL_COPY_NAME = "kpi_xl_udfs_as_excel"
#: What COM hands Python for an omitted optional argument (DISP_E_PARAMNOTFOUND).
MISSING = -2147352572
#: Interface id of Excel's Range object, which ``_xlwindows.is_range_instance`` checks.
EXCEL_RANGE_IID = "{00020846-0000-0000-C000-000000000046}"
IID_IDISPATCH = "{00020400-0000-0000-C000-000000000046}"
IID_IENUMVARIANT = "{00020404-0000-0000-C000-000000000046}"

_XLWINGS_MODULES = ("xlwings._win32patch", "xlwings._xlwindows", "xlwings.udfs", "xlwings.com_server")


# =============================================================================
# pywin32 stand-ins
# =============================================================================


def _unavailable(qualname: str):
    def stand_in(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{qualname} is a stand-in: no Windows/COM runtime on this system")

    stand_in.__name__ = qualname.rsplit(".", 1)[-1]
    stand_in.__qualname__ = qualname
    return stand_in


def _noop(*args: Any, **kwargs: Any) -> None:
    return None


class com_error(Exception):  # noqa: N801 - pywintypes' name
    """pywintypes.com_error: ``args == (hresult, strerror, excepinfo, argerror)``."""

    def __init__(self, hresult=None, strerror=None, excepinfo=None, argerror=None):
        super().__init__(hresult, strerror, excepinfo, argerror)
        self.hresult = hresult
        self.strerror = strerror
        self.excepinfo = excepinfo
        self.argerror = argerror


class win32_error(Exception):
    """pywintypes.error: ``args == (winerror, funcname, strerror)``."""

    def __init__(self, winerror=None, funcname=None, strerror=None):
        super().__init__(winerror, funcname, strerror)
        self.winerror = winerror
        self.funcname = funcname
        self.strerror = strerror


class TimeType(dt.datetime):
    """pywintypes.TimeType: what COM hands Python for a date cell (a datetime subclass)."""


class IID(str):
    """pywintypes.IID: an interface id; compares equal to the same id in any case."""

    def __new__(cls, iid: str) -> "IID":
        return super().__new__(cls, str(iid).upper())


class _TypeAttr:
    def __init__(self, iid: str):
        self.iid = IID(iid)


class _TypeInfo:
    def __init__(self, name: str, iid: str):
        self._name = name
        self._iid = iid

    def GetTypeAttr(self) -> _TypeAttr:  # noqa: N802 - COM names
        return _TypeAttr(self._iid)

    def GetDocumentation(self, index: int):  # noqa: N802
        return (self._name, None, 0, None)


class PyIDispatch:
    """pythoncom's raw IDispatch, as a COM object argument reaches Python.

    ``com_server.FromVariant`` turns it into a ``Dispatch`` (our stand-in returns the
    Excel stand-in object it points to).
    """

    def __init__(self, target: "CDispatch"):
        self.target = target

    def GetTypeInfo(self) -> _TypeInfo:  # noqa: N802
        return self.target._oleobj_.GetTypeInfo()


class _OleObject:
    def __init__(self, name: str, iid: str):
        self._info = _TypeInfo(name, iid)

    def GetTypeInfo(self) -> _TypeInfo:  # noqa: N802
        return self._info

    def GetIDsOfNames(self, *args: Any) -> Any:  # noqa: N802
        raise com_error(-2147352570, "Unknown name.", None, None)


class CDispatch:
    """win32com.client.CDispatch; the Excel stand-ins below derive from it."""

    _com_name = "Object"
    _com_iid = IID_IDISPATCH

    @property
    def _oleobj_(self) -> _OleObject:
        return _OleObject(self._com_name, self._com_iid)


class DispatchBaseClass:
    """win32com.client.DispatchBaseClass (early-bound wrappers; never instantiated here)."""


class CoClassBaseClass:
    """win32com.client.CoClassBaseClass (replaced by xlwings' own patch on import)."""


def Dispatch(obj: Any, userName: Any = None, resultCLSID: Any = None, *args: Any, **kwargs: Any) -> Any:  # noqa: N802,N803
    """win32com.client.Dispatch: wraps a raw IDispatch; no COM servers by ProgID here."""
    if isinstance(obj, PyIDispatch):
        return obj.target
    if isinstance(obj, CDispatch):
        return obj
    raise com_error(-2147221005, f"Invalid class string (stand-in Dispatch({obj!r}))", None, None)


class _Stream:
    """What ``CoMarshalInterThreadInterfaceInStream`` gives: one COM object, unmarshalled once."""

    def __init__(self, obj: Any):
        self.obj = obj


def _marshal(iid: Any, obj: Any) -> _Stream:
    """pythoncom.CoMarshalInterThreadInterfaceInStream (xlwings' ComRange wraps the ``caller`` in it)."""
    return _Stream(obj)


def _unmarshal(stream: _Stream, iid: Any) -> Any:
    """pythoncom.CoGetInterfaceAndReleaseStream: the object back (once), as a raw IDispatch."""
    obj, stream.obj = stream.obj, None
    if obj is None:
        raise com_error(-2147418113, "the stream was read already", None, None)
    return PyIDispatch(obj)


def _server_unwrap(obj: Any) -> Any:
    """win32com.server.util.unwrap: only wrapped Python COM servers can be unwrapped."""
    raise ValueError("The object is not a PyIDispatch (or PyIUnknown) - it is a plain value")


class _TimeZoneInfo:
    """win32timezone.TimeZoneInfo: only ``utc()`` is used by xlwings."""

    @staticmethod
    def utc() -> dt.tzinfo:
        return dt.timezone.utc


class _DllFunction:
    def __init__(self, qualname: str, result: Any = None, available: bool = False):
        self.qualname = qualname
        self.result = result
        self.available = available
        self.restype = None
        self.argtypes = None

    def __call__(self, *args: Any) -> Any:
        if not self.available:
            raise NotImplementedError(f"{self.qualname} is a stand-in: no Windows DLLs on this system")
        return self.result


class _Dll:
    #: Calls ``_xlwindows`` makes at import time; they succeed (returning S_OK).
    IMPORT_TIME_CALLS = {"ole32.CLSIDFromString"}

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, fn: str) -> _DllFunction:
        if fn.startswith("__"):
            raise AttributeError(fn)
        qualname = f"{self._name}.{fn}"
        return _DllFunction(qualname, 0, qualname in self.IMPORT_TIME_CALLS)


class _DllLoader:
    """ctypes.windll / ctypes.oledll."""

    def __getattr__(self, name: str) -> _Dll:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Dll(name)


def _py_dll(name: Any, *args: Any, **kwargs: Any) -> _Dll:
    """ctypes.PyDLL(pythoncom.__file__): symbols exist but cannot be called."""
    return _Dll(os.path.basename(str(name)))


def _module(name: str, doc: str, **attrs: Any) -> types.ModuleType:
    mod = types.ModuleType(name, f"Stand-in for pywin32's {name} (tests/xlharness.py). {doc}")
    mod.__file__ = f"<stand-in {name}>"
    for key, value in attrs.items():
        setattr(mod, key, value)
    return mod


def _make_stand_ins() -> dict[str, types.ModuleType]:
    """Fresh stand-in modules, keyed by their sys.modules name."""
    pywintypes = _module(
        "pywintypes",
        "COM error classes, the COM time type, IIDs.",
        com_error=com_error,
        error=win32_error,
        TimeType=TimeType,
        IID=IID,
    )
    pythoncom = _module(
        "pythoncom",
        "Apartment set-up is a no-op; nothing else COM is available.",
        com_error=com_error,
        ole_error=com_error,
        IID_IDispatch=IID(IID_IDISPATCH),
        IID_IEnumVARIANT=IID(IID_IENUMVARIANT),
        TypeIIDs={IID(IID_IDISPATCH): PyIDispatch},
        CoInitialize=_noop,
        CoInitializeEx=_noop,
        CoUninitialize=_noop,
        CoMarshalInterThreadInterfaceInStream=_marshal,
        CoGetInterfaceAndReleaseStream=_unmarshal,
        DISPATCH_METHOD=1,
        DISPATCH_PROPERTYGET=2,
        DISPATCH_PROPERTYPUT=4,
        CLSCTX_LOCAL_SERVER=4,
        REGCLS_MULTIPLEUSE=1,
        REGCLS_SUSPENDED=4,
        **{
            name: _unavailable(f"pythoncom.{name}")
            for name in (
                "new",
                "MakePyFactory",
                "CoRegisterClassObject",
                "EnableQuitMessage",
                "CoResumeClassObjects",
                "PumpWaitingMessages",
                "CoRevokeClassObject",
            )
        },
    )
    win32api = _module(
        "win32api",
        "",
        **{
            name: _unavailable(f"win32api.{name}")
            for name in ("GetCurrentThreadId", "MessageBox", "OpenProcess", "TerminateProcess", "CloseHandle")
        },
    )
    win32con = _module(
        "win32con",
        "Message box constants.",
        MB_OK=0x0,
        MB_OKCANCEL=0x1,
        MB_YESNOCANCEL=0x3,
        MB_YESNO=0x4,
        MB_ICONWARNING=0x30,
        MB_ICONINFORMATION=0x40,
    )
    win32gui = _module("win32gui", "", FindWindowEx=_unavailable("win32gui.FindWindowEx"))
    win32process = _module(
        "win32process",
        "A window's process id is its hwnd.",
        GetWindowThreadProcessId=lambda hwnd: (1, int(hwnd)),
    )
    win32timezone = _module("win32timezone", "", TimeZoneInfo=_TimeZoneInfo)
    win32event = _module(
        "win32event",
        "",
        INFINITE=0xFFFFFFFF,
        QS_ALLEVENTS=0x04FF,
        WAIT_OBJECT_0=0,
        MsgWaitForMultipleObjects=_unavailable("win32event.MsgWaitForMultipleObjects"),
    )
    gencache = _module("win32com.client.gencache", "", EnsureModule=_unavailable("gencache.EnsureModule"))
    client = _module(
        "win32com.client",
        "Dispatch of raw IDispatch objects; no ProgIDs.",
        CDispatch=CDispatch,
        DispatchBaseClass=DispatchBaseClass,
        CoClassBaseClass=CoClassBaseClass,
        Dispatch=Dispatch,
        DispatchEx=_unavailable("win32com.client.DispatchEx"),
        VARIANT=_unavailable("win32com.client.VARIANT"),
        gencache=gencache,
    )
    util = _module("win32com.server.util", "", wrap=lambda obj, *a, **k: obj, unwrap=_server_unwrap)
    policy = _module("win32com.server.policy", "", DefaultPolicy=type("DefaultPolicy", (), {}))
    dispatcher = _module("win32com.server.dispatcher", "")
    exception = _module(
        "win32com.server.exception", "", COMException=type("COMException", (Exception,), {})
    )
    server = _module(
        "win32com.server", "", __path__=[], util=util, policy=policy, dispatcher=dispatcher, exception=exception
    )
    win32com = _module("win32com", "", __path__=[], client=client, server=server)
    client.__path__ = []
    mods = [
        pywintypes, pythoncom, win32api, win32con, win32gui, win32process, win32timezone,
        win32event, win32com, client, gencache, server, util, policy, dispatcher, exception,
    ]
    return {m.__name__: m for m in mods}


# =============================================================================
# Excel stand-ins (COM objects)
# =============================================================================


class _Count:
    def __init__(self, n: int):
        self.Count = n


class ExcelApplication(CDispatch):
    """Excel's ``Application``: records ``MacroOptions`` and ``Run`` calls."""

    _com_name = "_Application"

    def __init__(self, version: str = "16.0", hwnd: int = 4242):
        self.Version = version
        self.Hwnd = hwnd
        self.Name = "Microsoft Excel"
        self.macro_options: list[tuple[tuple, dict]] = []
        self.runs: list[tuple] = []

    def MacroOptions(self, *args: Any, **kwargs: Any) -> None:  # noqa: N802
        self.macro_options.append((args, kwargs))

    def Run(self, macro: str, *args: Any) -> None:  # noqa: N802
        self.runs.append((macro, *args))


class VBComponent:
    def __init__(self, name: str, code: str):
        self.Name = name
        self.code = code


class VBComponents:
    """``Workbook.VBProject.VBComponents``: ``Import`` reads the .bas file xlwings wrote."""

    def __init__(self) -> None:
        self.components: dict[str, VBComponent] = {}
        self.log: list[tuple[str, str]] = []

    def __call__(self, name: str) -> VBComponent:
        try:
            return self.components[name]
        except KeyError:
            raise com_error(-2147352565, "Subscript out of range", None, None) from None

    def Remove(self, component: VBComponent) -> None:  # noqa: N802
        self.log.append(("Remove", component.Name))
        del self.components[component.Name]

    def Import(self, path: str) -> VBComponent:  # noqa: N802
        with open(path, encoding="utf-8") as f:
            code = f.read()
        first = code.splitlines()[0] if code else ""
        name = first.split('"')[1] if first.startswith("Attribute VB_Name") else "Module1"
        self.log.append(("Import", name))
        self.components[name] = VBComponent(name, code)
        return self.components[name]


class ExcelWorkbook(CDispatch):
    _com_name = "_Workbook"

    def __init__(self, name: str = "kpi.xlsm", app: ExcelApplication | None = None):
        self.Name = name
        self.FullName = name
        self.Application = app or ExcelApplication()
        self.VBProject = types.SimpleNamespace(VBComponents=VBComponents())
        self.Worksheets: list[ExcelWorksheet] = []
        self.Names = ExcelNames()


class ExcelName(CDispatch):
    """One defined name: ``RefersTo`` as Excel shows it, ``RefersToRange`` the cell it points at."""

    _com_name = "Name"

    def __init__(self, name: str, refers_to: "ExcelRange"):
        self.Name = name
        self.RefersToRange = refers_to
        self.RefersTo = f"={refers_to.Worksheet.Name}!{refers_to.Address}"


class ExcelNames(CDispatch):
    """``Workbook.Names``: ``Names("CLV_r")`` is the name (any case), COM's DISP_E_EXCEPTION when
    there is none (what xlwings' ``Names.contains`` looks for)."""

    _com_name = "Names"

    def __init__(self) -> None:
        self.names: dict[str, ExcelName] = {}

    def __call__(self, name: str) -> ExcelName:
        try:
            return self.names[str(name).casefold()]
        except KeyError:
            raise com_error(-2147352567, "Exception occurred.", None, None) from None

    def Add(self, name: str, refers_to: "ExcelRange") -> ExcelName:  # noqa: N802
        self.names[name.casefold()] = ExcelName(name, refers_to)
        return self.names[name.casefold()]

    @property
    def Count(self) -> int:  # noqa: N802
        return len(self.names)


class ExcelWorksheet(CDispatch):
    _com_name = "_Worksheet"

    def __init__(self, name: str = "Sheet1", book: ExcelWorkbook | None = None):
        self.Name = name
        self.Parent = book or ExcelWorkbook()
        self.Parent.Worksheets.append(self)




class ExcelRange(CDispatch):
    """A cell reference handed to a function, e.g. ``A1:A3`` in ``=ACV(A1:A3, ...)``.

    ``rows`` are the cell values as COM gives them (see the module docstring).
    ``.Value`` is what pywin32 returns: a scalar for one cell, else a tuple of rows.
    """

    _com_name = "Range"
    _com_iid = EXCEL_RANGE_IID
    CLSID = IID("{00020846-0000-0000-C000-000000000046}")

    def __init__(self, rows: Any = None, sheet: ExcelWorksheet | None = None, row: int = 1, column: int = 1):
        if rows is None:
            rows = ((None,),)
        if not isinstance(rows, (list, tuple)):
            rows = ((rows,),)
        elif rows and not isinstance(rows[0], (list, tuple)):
            rows = (tuple(rows),)
        self._rows = tuple(tuple(r) for r in rows)
        if len({len(r) for r in self._rows}) != 1:
            raise ValueError("a range is rectangular")
        self.Worksheet = sheet or ExcelWorksheet()
        self.Row = row
        self.Column = column
        self.Rows = _Count(len(self._rows))
        self.Columns = _Count(len(self._rows[0]))
        self.Count = self.Rows.Count * self.Columns.Count
        self.Parent = self.Worksheet

    @property
    def Value(self) -> Any:  # noqa: N802
        if self.Count == 1:
            return self._rows[0][0]
        return self._rows

    @property
    def Address(self) -> str:  # noqa: N802
        first = f"${column_letter(self.Column)}${self.Row}"
        if self.Count == 1:
            return first
        last_col = column_letter(self.Column + self.Columns.Count - 1)
        return f"{first}:${last_col}${self.Row + self.Rows.Count - 1}"


def workbook_from_file(path: Any, name: str | None = None) -> ExcelWorkbook:
    """A stand-in workbook with the workbook-scoped defined names of the .xlsx file ``path`` that
    point at one cell, each ``RefersToRange`` holding that cell's saved value as COM hands it over
    (numbers as float, dates as :func:`com_date`); its sheets are the sheets those names are on."""
    from python_calamine import CalamineWorkbook

    from kpi_xl.excel import split_ref
    from kpi_xl.workbook.package import open_package

    book = ExcelWorkbook(name or os.path.basename(str(path)))
    cal = CalamineWorkbook.from_path(str(path))
    with open_package(path) as pkg:
        defined = [n for n in pkg.defined_names() if n.sheet is None and not n.name.startswith("_xlnm.")]
    sheets: dict[str, ExcelWorksheet] = {}
    for n in defined:
        sheet, _, ref = n.value.rpartition("!")
        if not sheet or ":" in ref:
            continue
        sheet = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        row, col = split_ref(ref.replace("$", ""))
        rows = cal.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        value = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(value, dt.date):
            value = com_date(value.year, value.month, value.day)
        elif value == "":
            value = None
        if sheet not in sheets:
            sheets[sheet] = ExcelWorksheet(sheet, book)
        book.Names.Add(n.name, ExcelRange(value, sheets[sheet], row, col))
    return book


def com_date(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> TimeType:
    """A date cell as pywin32 hands it over: ``pywintypes.TimeType`` stamped UTC."""
    return TimeType(year, month, day, hour, minute, second, tzinfo=dt.timezone.utc)


#: The COM ints of Excel's error values: the keys of xlwings._xlwindows.cell_errors
#: (checked by the tests; needed before a session exists, to check arguments).
COM_ERROR_INTS = frozenset(
    (-2146826281, -2146826246, -2146826259, -2146826288, -2146826252, -2146826265, -2146826273)
)


def _check_com_value(value: Any, where: str, depth: int = 0) -> None:
    """Refuse values Excel never hands over COM (ints other than error codes, NumPy...)."""
    if isinstance(value, (list, tuple)):
        if depth >= 2:
            raise TypeError(f"{where}: COM arrays have at most 2 dimensions")
        for v in value:
            _check_com_value(v, where, depth + 1)
        return
    if value is None or isinstance(value, (bool, float, str, dt.datetime)):
        return
    if isinstance(value, int) and (value in COM_ERROR_INTS or (value == MISSING and depth == 0)):
        return
    raise TypeError(
        f"{where}: {value!r} ({type(value).__name__}) is not a value Excel hands over COM "
        "(numbers are float, blanks None, errors excel_error(...), omitted arguments MISSING)"
    )


# =============================================================================
# The session
# =============================================================================


class ExcelSession:
    """xlwings' Windows UDF machinery, live on this system (see :func:`excel_session`)."""

    def __init__(self, xlwindows: types.ModuleType, udfs: types.ModuleType, com_server: types.ModuleType,
                 module: types.ModuleType):
        self.xlwindows = xlwindows
        self.udfs = udfs
        self.com_server = com_server
        self.module = module
        self.workbook = ExcelWorkbook("kpi.xlsm")
        self.sheet = ExcelWorksheet("Sheet1", self.workbook)

    # -- the functions -------------------------------------------------------------

    def functions(self) -> dict[str, Any]:
        """Every worksheet function of the Excel copy, by name (what VBA import sees)."""
        return {
            name: obj
            for name in dir(self.module)
            if hasattr(obj := getattr(self.module, name), "__xlfunc__")
        }

    def excel_error(self, code: str) -> int:
        """The COM int Excel hands over for an error cell, from xlwings' own table."""
        by_text = {text: number for number, text in self.xlwindows.cell_errors.items()}
        return by_text[code]

    def cell(self, rows: Any = None, row: int = 1, column: int = 1) -> ExcelRange:
        """A range of this session's worksheet holding ``rows``."""
        return ExcelRange(rows, self.sheet, row, column)

    # -- calling -------------------------------------------------------------------

    def _com_args(self, func_name: str, args: tuple) -> tuple:
        hidden = [a["pos"] for a in self.functions()[func_name].__xlfunc__["args"] if a["name"] == "caller"]
        if hidden and len(args) <= hidden[0]:  # the VBA wrapper passes every Optional parameter (Missing
            # when left out) and Nothing for xlwings' hidden caller argument
            args = (*args, *[MISSING] * (hidden[0] - len(args)), None)
        out = []
        for i, arg in enumerate(args):
            if isinstance(arg, ExcelRange):
                _check_com_value(arg._rows, f"{func_name} argument {i + 1}")
                out.append(PyIDispatch(arg))
            else:
                _check_com_value(arg, f"{func_name} argument {i + 1}")
                out.append(arg)
        return tuple(out)

    def call_as_excel(self, func_name: str, *args: Any, caller: ExcelRange | None = None) -> Any:
        """What the cell's VBA wrapper gets back from ``XLPy.CallUDF(...)``.

        Goes through the real ``com_server.XLPython.CallUDF`` -> ``udfs.call_udf``
        with ``ThisWorkbook`` and ``Application.Caller`` as the VBA wrapper passes
        them: one cell comes back as a scalar, one row as a list, else a list of rows.
        """
        caller = caller or self.cell(None, row=10, column=10)
        server = self.com_server.XLPython()
        return server.CallUDF(
            MODULE_NAME, func_name, self._com_args(func_name, args), self.workbook, PyIDispatch(caller)
        )

    def call_udf_rows(self, func_name: str, *args: Any, caller: ExcelRange | None = None) -> list:
        """The real ``xlwings.udfs.call_udf`` result: always a list of rows."""
        caller = caller or self.cell(None, row=10, column=10)
        com_server = self.com_server
        args = tuple(com_server.FromVariant(a) for a in self._com_args(func_name, args))
        return self.udfs.call_udf(MODULE_NAME, func_name, args, self.workbook, caller)

    # -- "Import Functions" --------------------------------------------------------

    def vba_wrapper_text(self, workbook_name: str = "kpi.xlsm") -> str:
        """The VBA ``generate_vba_wrapper`` writes for the module."""
        f = io.StringIO()
        self.udfs.generate_vba_wrapper(MODULE_NAME, self.module, f, ExcelWorkbook(workbook_name))
        return f.getvalue()

    def import_functions(self, workbook: ExcelWorkbook | None = None, version: str = "16.0") -> ExcelWorkbook:
        """Run the real ``import_udfs`` ("Import Functions") against a stand-in workbook.

        Returns the workbook: ``VBProject.VBComponents("xlwings_udfs").code`` is the
        imported module and ``Application.macro_options`` the MacroOptions calls.
        """
        workbook = workbook or ExcelWorkbook("kpi.xlsm", ExcelApplication(version=version))
        with contextlib.redirect_stdout(io.StringIO()):  # import_udfs prints a message
            self.udfs.import_udfs(MODULE_NAME, workbook)
        return workbook

    def macro_options_calls(self, version: str = "16.0") -> list[tuple[tuple, dict]]:
        """Every ``Application.MacroOptions(*args, **kwargs)`` call of "Import Functions"."""
        return self.import_functions(version=version).Application.macro_options

    @contextlib.contextmanager
    def excel_decorators(self) -> Iterator[None]:
        """Within the block, ``xlwings.func/arg/ret`` are the real Windows decorators."""
        import xlwings

        saved = (xlwings.func, xlwings.arg, xlwings.ret)
        xlwings.func, xlwings.arg, xlwings.ret = self.udfs.xlfunc, self.udfs.xlarg, self.udfs.xlret
        try:
            yield
        finally:
            xlwings.func, xlwings.arg, xlwings.ret = saved


_active: ExcelSession | None = None


def _session() -> ExcelSession:
    if _active is None:
        raise RuntimeError("no Excel session: use `with xlharness.excel_session():` (e.g. in a fixture)")
    return _active


def call_as_excel(func_name: str, *args: Any, caller: ExcelRange | None = None) -> Any:
    """See :meth:`ExcelSession.call_as_excel` (uses the active session)."""
    return _session().call_as_excel(func_name, *args, caller=caller)


def call_udf_rows(func_name: str, *args: Any, caller: ExcelRange | None = None) -> list:
    """See :meth:`ExcelSession.call_udf_rows` (uses the active session)."""
    return _session().call_udf_rows(func_name, *args, caller=caller)


def vba_wrapper_text(workbook_name: str = "kpi.xlsm") -> str:
    """See :meth:`ExcelSession.vba_wrapper_text` (uses the active session)."""
    return _session().vba_wrapper_text(workbook_name)


def import_functions(version: str = "16.0") -> ExcelWorkbook:
    """See :meth:`ExcelSession.import_functions` (uses the active session)."""
    return _session().import_functions(version=version)


def macro_options_calls(version: str = "16.0") -> list[tuple[tuple, dict]]:
    """See :meth:`ExcelSession.macro_options_calls` (uses the active session)."""
    return _session().macro_options_calls(version)


def excel_error(code: str) -> int:
    """See :meth:`ExcelSession.excel_error` (uses the active session)."""
    return _session().excel_error(code)


# =============================================================================
# Setting up and tearing down
# =============================================================================


def _ctypes_for_xlwindows() -> types.ModuleType:
    """A copy of the ctypes module with the Windows-only loaders added."""
    import ctypes

    copy = types.ModuleType("ctypes", ctypes.__doc__)
    copy.__dict__.update(vars(ctypes))
    copy.windll = _DllLoader()
    copy.oledll = _DllLoader()
    copy.PyDLL = _py_dll
    return copy


def _import_xlwings_windows() -> tuple[types.ModuleType, types.ModuleType, types.ModuleType]:
    """Import the real xlwings._xlwindows, xlwings.udfs and xlwings.com_server."""
    real_ctypes = sys.modules["ctypes"]
    cwd = os.getcwd()  # _xlwindows and com_server chdir during import
    try:
        sys.modules["ctypes"] = _ctypes_for_xlwindows()
        try:
            xlwindows = importlib.import_module("xlwings._xlwindows")
        finally:
            sys.modules["ctypes"] = real_ctypes
        udfs = importlib.import_module("xlwings.udfs")
        com_server = importlib.import_module("xlwings.com_server")
    finally:
        os.chdir(cwd)
    return xlwindows, udfs, com_server


def _load_excel_copy(udfs: types.ModuleType) -> types.ModuleType:
    """Execute kpi_xl/udfs.py afresh with xlwings.func/arg/ret = the Windows decorators.

    The copy builds its worksheet functions from the registry as the normal module
    does, so ``xlwings.func`` (here the real ``xlfunc``) reads each one's signature,
    docstring and ``Annotated`` argument declarations. ``metrics``, ``errors`` and
    the ``functions`` package are the normal shared modules.
    """
    import xlwings

    udfs_spec = importlib.util.find_spec("kpi_xl.udfs")
    spec = importlib.util.spec_from_file_location(EXCEL_COPY_NAME, udfs_spec.origin)
    module = importlib.util.module_from_spec(spec)
    # Relative imports resolve against "kpi_xl". __spec__ is set back after execution
    # (with both set, Python warns that __package__ differs from __spec__.parent).
    module.__package__ = "kpi_xl"
    module.__spec__ = None

    saved_deco = (xlwings.func, xlwings.arg, xlwings.ret)
    sys.modules[EXCEL_COPY_NAME] = module
    try:
        xlwings.func, xlwings.arg, xlwings.ret = udfs.xlfunc, udfs.xlarg, udfs.xlret
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(EXCEL_COPY_NAME, None)
        raise
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved_deco
    module.__spec__ = spec
    return module


@contextlib.contextmanager
def excel_session() -> Iterator[ExcelSession]:
    """xlwings' Windows UDF machinery with kpi_xl.udfs loaded into it; undone on exit."""
    global _active
    import xlwings
    from xlwings.main import Engine

    if _active is not None:
        raise RuntimeError("an Excel session is already active")

    missing = object()
    stand_ins = _make_stand_ins()
    names = list(stand_ins) + list(_XLWINGS_MODULES) + [EXCEL_COPY_NAME]
    saved_modules = {name: sys.modules.get(name, missing) for name in names}
    saved_attrs = {
        name.split(".", 1)[1]: getattr(xlwings, name.split(".", 1)[1], missing) for name in _XLWINGS_MODULES
    }
    engines = xlwings.engines
    saved_engines = (list(engines.engines), dict(engines.engines_by_name), engines.active)
    saved_deco = (xlwings.func, xlwings.arg, xlwings.ret)
    xlwindows = None
    com_server = None
    try:
        for name in _XLWINGS_MODULES:  # import them fresh, bound to our stand-ins
            sys.modules.pop(name, None)
        sys.modules.update(stand_ins)
        xlwindows, udfs, com_server = _import_xlwings_windows()
        # What xlwings/__init__.py does on Windows:
        engines.add(Engine(impl=xlwindows.engine))
        engines.active = engines["excel"]
        module = _load_excel_copy(udfs)
        # get_udf_module's cache entry for "kpi_xl.udfs" -> the Excel copy (filetime
        # None = not reloadable; a reload would re-run the file without the Windows
        # decorators).
        udfs.udf_modules[MODULE_NAME] = {
            "filename": os.path.normcase(module.__file__.lower()),
            "filetime": None,
            "module": module,
        }
        _active = ExcelSession(xlwindows, udfs, com_server, module)
        yield _active
    finally:
        _active = None
        if xlwindows is not None:
            atexit.unregister(xlwindows.cleanup)
        if com_server is not None:
            com_server.loop.close()
        engines.engines[:], engines.engines_by_name, engines.active = (
            saved_engines[0], saved_engines[1], saved_engines[2]
        )
        xlwings.func, xlwings.arg, xlwings.ret = saved_deco
        for name, value in saved_modules.items():
            if value is missing:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = value
        for attr, value in saved_attrs.items():
            if value is missing:
                if hasattr(xlwings, attr):
                    delattr(xlwings, attr)
            else:
                setattr(xlwings, attr, value)
