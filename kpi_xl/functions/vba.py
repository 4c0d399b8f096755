"""The VBA module that makes kpi-xl's worksheet functions callable from Excel on Windows.

xlwings' "Import Functions" writes a VBA wrapper per function that returns what
Python returned; a text such as ``"#DIV/0!"`` then lands in the cell as text, not
as an error (VBA cannot tell them apart: see xlwings issue #776). The module
written here has the same wrappers, with one difference: each result goes through
``KpiXlResult``, which turns Excel's error texts into real error values with
``CVErr``, so ``ISERROR``, ``IFERROR`` and conditional formats see an error.
A function that reads the workbook (P_ALIVE, CLV_PREDICT) gets ``Nothing`` for
xlwings' hidden ``caller`` argument, as xlwings' own wrappers pass it.
``RegisterKpiFunctions`` fills in the function wizard (description, category
"KPI", one help line per argument) with ``Application.MacroOptions``.

``kpi-xl vba kpi_xl_udfs.bas`` writes it; import it with the VBA editor
(File ▸ Import File) in a workbook that references the xlwings add-in.
"""

from __future__ import annotations

import unicodedata

from . import catalog

MODULE_NAME = "kpi_xl_udfs"
PYTHON_MODULE = "kpi_xl.udfs"

_ASCII = {
    "−": "-", "–": "-", "—": "-", "×": "x", "÷": "/", "≤": "<=", "≥": ">=", "→": "->",
    "Σ": "sum ", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...", "·": "*", "ₜ": "t",
}

_ERRORS = {
    "#DIV/0!": "xlErrDiv0",
    "#N/A": "xlErrNA",
    "#NAME?": "xlErrName",
    "#NULL!": "xlErrNull",
    "#NUM!": "xlErrNum",
    "#REF!": "xlErrRef",
    "#VALUE!": "xlErrValue",
}


def ascii_text(text: str) -> str:
    """Text a VBA module can hold on any code page (VBA source is not Unicode)."""
    for k, v in _ASCII.items():
        text = text.replace(k, v)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text


def _vba_string(text: str) -> str:
    return '"' + ascii_text(text).replace('"', '""') + '"'


def _wrapper(f: catalog.Function) -> list[str]:
    params = []
    for a in f.arguments:
        params.append(("Optional " if a.optional else "") + a.name)
    # a function that reads the workbook takes xlwings' hidden caller argument last: VBA passes
    # Nothing in its place and xlwings puts the calling cell there (as its own wrappers do)
    names = ", ".join([a.name for a in f.arguments] + (["Nothing"] if f.kpi.reads_workbook else []))
    call = (
        f'XLPy.CallUDF("{PYTHON_MODULE}", "{f.name}", Array({names}), '
        "ThisWorkbook, Application.Caller)"
    )
    return [
        f"Function {f.name}({', '.join(params)})",
        "    If TypeOf Application.Caller Is Range Then On Error GoTo failed",
        f"    {f.name} = KpiXlResult({call})",
        "    Exit Function",
        "failed:",
        f"    {f.name} = Err.Description",
        "End Function",
        "",
    ]


def _register(funcs: list[catalog.Function]) -> list[str]:
    lines = [
        "' Fills in Excel's function wizard: run once after importing this module.",
        "Public Sub RegisterKpiFunctions()",
        "    Dim book As String",
        "    book = \"'\" & ThisWorkbook.Name & \"'!\"",
    ]
    for f in funcs:
        docs = ", ".join(_vba_string(a.doc[:255]) for a in f.arguments)
        lines.append(
            f"    Application.MacroOptions Macro:=book & \"{f.name}\", "
            f"Description:={_vba_string(f.summary[:255])}, Category:=\"KPI\", _"
        )
        lines.append(f"        ArgumentDescriptions:=Array({docs})")
    lines += ["End Sub", ""]
    return lines


_HELPERS = """\
' Excel error texts returned by Python become real error values.
Private Function KpiXlResult(ByVal v As Variant) As Variant
    Dim i As Long, j As Long, cols As Long
    If Not IsArray(v) Then
        KpiXlResult = KpiXlError(v)
        Exit Function
    End If
    On Error Resume Next
    cols = -1
    cols = UBound(v, 2)
    On Error GoTo 0
    If cols = -1 Then
        For i = LBound(v) To UBound(v)
            v(i) = KpiXlError(v(i))
        Next i
    Else
        For i = LBound(v, 1) To UBound(v, 1)
            For j = LBound(v, 2) To UBound(v, 2)
                v(i, j) = KpiXlError(v(i, j))
            Next j
        Next i
    End If
    KpiXlResult = v
End Function

Private Function KpiXlError(ByVal x As Variant) As Variant
    KpiXlError = x
    If VarType(x) <> vbString Then Exit Function
    Select Case x
{cases}
    End Select
End Function
"""


def module_text() -> str:
    """The whole ``kpi_xl_udfs`` VBA module (.bas), CRLF line ends as VBA wants."""
    funcs = catalog.functions()
    cases = "\n".join(f'        Case "{code}": KpiXlError = CVErr({const})' for code, const in _ERRORS.items())
    lines = [
        f'Attribute VB_Name = "{MODULE_NAME}"',
        "' Written by kpi-xl (`kpi-xl vba`): KPI worksheet functions for Excel.",
        "' Needs the xlwings add-in (Tools > References > xlwings) and kpi-xl installed in",
        f"' the Python that xlwings uses, with UDF Modules set to {PYTHON_MODULE}.",
        "' Do not also run xlwings' Import Functions for kpi_xl.udfs: the names would clash.",
        "Option Explicit",
        "",
    ]
    for f in funcs:
        lines += _wrapper(f)
    lines += _register(funcs)
    lines += _HELPERS.replace("{cases}", cases).splitlines()
    return "\r\n".join(lines) + "\r\n"

