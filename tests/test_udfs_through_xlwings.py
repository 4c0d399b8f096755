"""kpi-xl's worksheet functions as Excel on Windows reaches them, through xlwings' own code.

``tests/xlharness.py`` loads the real ``xlwings._xlwindows`` / ``xlwings.udfs`` /
``xlwings.com_server`` on Linux and a copy of ``kpi_xl/udfs.py`` decorated by the
real Windows decorators. These tests check what a user of the classic xlwings
add-in would see: the function wizard ("Import Functions": VBA wrappers and
``MacroOptions``) and the values a formula gets back, with arguments given the
way Excel hands them over COM (tuples of rows, ``None`` for blanks, floats, COM
error ints, dates), or as cell references (``ExcelRange``).

An error comes back as its text (``"#DIV/0!"``): xlwings' wrapper returns it as
is, the kpi-xl VBA module (``kpi_xl.functions.vba``) turns it into a real error value.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:  # tests/ as a package or as a plain directory on sys.path
    from . import xlharness
except ImportError:
    import xlharness

from kpi_xl import udfs as plain_udfs

MISSING = xlharness.MISSING
MODULE_NAME = xlharness.MODULE_NAME
ExcelRange = xlharness.ExcelRange
com_date = xlharness.com_date
call = xlharness.call_as_excel
call_udf_rows = xlharness.call_udf_rows

#: Every worksheet function kpi_xl.udfs builds from the registry, by name.
NAMES = sorted(n for n in dir(plain_udfs) if hasattr(getattr(plain_udfs, n), "__kpi_xl__"))
UTC = dt.timezone.utc
ERROR_TEXTS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")


@pytest.fixture(scope="module", autouse=True)
def excel():
    with xlharness.excel_session() as session:
        yield session


def err(code: str) -> int:
    """The COM int Excel hands over for an error cell."""
    return xlharness.excel_error(code)


def params(name: str) -> list[inspect.Parameter]:
    """The arguments Excel shows: the Python signature without xlwings' hidden ``caller``."""
    return [p for p in signature(name) if p.name != plain_udfs.CALLER]


def signature(name: str) -> list[inspect.Parameter]:
    return list(inspect.signature(getattr(plain_udfs, name)).parameters.values())


#: The functions that read the workbook's defined names for the arguments left out (xlwings' caller).
READING = [n for n in NAMES if getattr(plain_udfs, n).__kpi_xl__.reads_workbook]


def col(*values):
    """A one-column range as COM hands it over: a tuple of one-cell rows."""
    return tuple((v,) for v in values)


# =============================================================================
# The decorators: what xlwings' Windows decorators made of each function
# =============================================================================


def test_there_are_functions_to_check():
    assert len(NAMES) >= 37
    assert {"ACV", "CLTV", "ACHIEVEMENT", "CHURN", "NPS", "COUNT_PER_PERIOD"} <= set(NAMES)


def test_exactly_the_declared_functions_are_excel_functions(excel):
    assert sorted(excel.functions()) == NAMES


def test_excel_copy_leaves_the_normal_module_alone(excel):
    assert not hasattr(plain_udfs.ACV, "__xlfunc__")
    assert excel.module is not plain_udfs
    assert excel.module.ACV is not plain_udfs.ACV


@pytest.mark.parametrize("name", NAMES)
def test_category_is_kpi(excel, name):
    # xlarg resets the category to "xlwings" on every call: func must be outermost
    assert excel.functions()[name].__xlfunc__["category"] == "KPI"


@pytest.mark.parametrize("name", NAMES)
def test_description_is_the_docstring_one_line_within_255(excel, name):
    xlf = excel.functions()[name].__xlfunc__
    doc = xlf["ret"]["doc"]
    assert doc == plain_udfs.__dict__[name].__doc__
    assert doc.strip() and doc == doc.strip()
    assert "\n" not in doc, "the function wizard shows the docstring as is"
    assert len(doc) <= 255, f"{len(doc)} chars: Excel cuts the description at 255"
    assert not doc.startswith("Python function '")


@pytest.mark.parametrize("name", NAMES)
def test_every_argument_has_its_own_help_line(excel, name):
    args = [a for a in excel.functions()[name].__xlfunc__["args"] if a["name"] != plain_udfs.CALLER]
    for a in args:
        assert not a["doc"].startswith("Positional argument"), f"{a['name']} has no doc="
        assert a["doc"].strip() and "\n" not in a["doc"]
        assert len(a["doc"]) <= 255
    docs = [a["doc"] for a in args]
    assert len(set(docs)) == len(docs), "two arguments with the same help line"


@pytest.mark.parametrize("name", NAMES)
def test_arguments_and_defaults_are_the_python_signature(excel, name):
    xlf = excel.functions()[name].__xlfunc__
    assert xlf["name"] == name and xlf["sub"] is False
    assert xlf["volatile"] is False and xlf["call_in_wizard"] is True and xlf["async_mode"] is None
    sig = signature(name)
    assert [a["name"] for a in xlf["args"]] == [p.name for p in sig]
    for a, p in zip(xlf["args"], sig):
        assert a["pos"] == sig.index(p) and a["vararg"] is False
        # xlwings' VBA writer marks its hidden caller argument "Nothing" (once it has run)
        assert a["vba"] is None or (p.name == plain_udfs.CALLER and a["vba"] == "Nothing"), p.name
        if p.default is inspect.Parameter.empty:
            assert "optional" not in a, f"{p.name} is required in Python"
        else:
            assert "optional" in a and a["optional"] == p.default, p.name


@pytest.mark.parametrize("name", NAMES)
def test_xlwings_read_the_registry_declarations_from_the_annotations(excel, name):
    """Each argument's conversion and help line reach xlwings through typing.Annotated."""
    kpi = plain_udfs.__dict__[name].__kpi_xl__
    xlf = excel.functions()[name].__xlfunc__
    args = [a for a in xlf["args"] if a["name"] != plain_udfs.CALLER]
    assert [a["name"] for a in args] == [a.name for a in kpi.arguments]
    assert len(xlf["args"]) == len(args) + kpi.reads_workbook  # caller: last, only where the workbook is read
    for a, declared in zip(args, kpi.arguments):
        convert, options = plain_udfs.CONVERSIONS[declared.kind]
        assert a["doc"] == declared.doc
        assert a["options"] == {"convert": convert, **options}, a["name"]
    if kpi.spills == "period_table":  # a table of dates: xlwings Lite's date format
        assert xlf["ret"]["options"] == {"convert": Any, **plain_udfs.DATES_OUT}
    else:
        assert xlf["ret"]["options"] == {}


def test_range_arguments_arrive_as_2d_arrays_and_labels_as_lists(excel):
    kinds = {a["name"]: a["options"]["convert"] for a in excel.functions()["SOURCE_SHARE"].__xlfunc__["args"]}
    assert kinds == {"sources": list, "source": Any, "sessions": np.ndarray}


@pytest.mark.parametrize("name", NAMES)
def test_help_line_states_the_default(excel, name):
    """What the wizard says an omitted argument means is what Python uses."""
    for a in excel.functions()[name].__xlfunc__["args"]:
        if "optional" not in a or a["name"] == plain_udfs.CALLER:
            continue
        default, doc = a["optional"], a["doc"]
        if default is None:  # "(optional)" or a rule such as "Default scale_max - 1"
            assert "optional" in doc.lower() or "default" in doc.lower(), a["name"]
        elif isinstance(default, str):
            assert f'"{default}" (default)' in doc, a["name"]
        else:
            m = re.search(r"Default (-?[\d.]+)", doc)
            assert m and float(m.group(1)) == default, f"{a['name']}: {doc!r} vs {default!r}"


# =============================================================================
# "Import Functions": the VBA module and the function wizard registration
# =============================================================================

#: MS-VBAL 3.3.5.2 reserved identifiers: not usable as VBA parameter or function names.
VBA_RESERVED = {
    w.lower()
    for w in """
    Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng
    DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For
    Friend Function Get Global GoSub GoTo If Implements Input Let Lock Loop LSet Next On Open
    Option Print Private Public Put RaiseEvent ReDim Resume Return RSet Seek Select Set Static
    Stop Sub Type Unlock Wend While With Write Any As ByRef ByVal Each In New Shared Until
    WithEvents Optional ParamArray Preserve Spc Tab Then To AddressOf And Eqv Imp Is Like Mod
    Not Or TypeOf Xor Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr
    CVar CVErr Date Debug DoEvents Fix Int Len LenB Me PSet Scale Sgn String Array Circle InputB
    LBound UBound Boolean Byte Currency Double Integer Long LongLong LongPtr Single Variant True
    False Nothing Empty Null CDecl Decimal DefDec
    """.split()
}
#: Names the generated wrapper body uses; a parameter of that name would shadow them.
WRAPPER_NAMES = {"array", "application", "thisworkbook", "activeworkbook", "err", "xlpy", "range", "failed"}


def vba_functions(text: str) -> dict[str, tuple[str, str]]:
    """{name: (parameter list, body)} of every Function in a VBA module."""
    found = {}
    for m in re.finditer(r"^Function (\w+)\(([^\n]*)\)\n(.*?)^End Function\n", text, re.M | re.S):
        assert m.group(1) not in found, f"{m.group(1)} defined twice"
        found[m.group(1)] = (m.group(2), m.group(3))
    return found


def test_vba_module_has_a_wrapper_for_each_function_and_nothing_else():
    text = xlharness.vba_wrapper_text()
    assert sorted(vba_functions(text)) == NAMES
    assert text.count("End Function") == len(NAMES)
    assert "Sub " not in text


@pytest.mark.parametrize("name", NAMES)
def test_vba_wrapper_declares_and_forwards_the_arguments(name):
    params_vba, body = vba_functions(xlharness.vba_wrapper_text())[name]
    sig = params(name)
    expected = ", ".join(
        ("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in sig
    )
    assert params_vba == expected
    # the hidden caller: not a VBA parameter, Nothing in its place (call_udf puts the calling cell there)
    names = ", ".join([p.name for p in sig] + (["Nothing"] if name in READING else []))
    assert (
        f'{name} = XLPy.CallUDF("{MODULE_NAME}", "{name}", Array({names}), '
        "ThisWorkbook, Application.Caller)"
    ) in body
    assert f'{name} = XLPy.CallUDF("{MODULE_NAME}", "{name}", Array({names}))' in body
    assert f"{name} = Err.Description" in body
    assert "Application.Volatile" not in body  # recalculates only when its inputs change


@pytest.mark.parametrize("name", NAMES)
def test_vba_names_are_legal(name):
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", name)
    assert name.lower() not in VBA_RESERVED
    # a name like ABC1 or R1C1 is a cell reference in a formula, not a function
    assert not re.fullmatch(r"[A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*", name)
    for p in params(name):
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", p.name), p.name
        assert p.name.lower() not in VBA_RESERVED, f"{p.name} is a VBA keyword"
        assert p.name.lower() not in WRAPPER_NAMES, f"{p.name} shadows a name the wrapper uses"
        assert p.name.lower() != name.lower(), "a parameter named like its function"


def test_function_names_differ_in_vba_which_ignores_case():
    assert len({n.lower() for n in NAMES}) == len(NAMES)


def test_xlam_add_in_wrappers_use_the_active_workbook():
    text = xlharness.vba_wrapper_text("kpi.xlam")
    assert "ThisWorkbook" not in text
    assert text.count("ActiveWorkbook, Application.Caller)") == len(NAMES)


def test_import_functions_imports_the_wrappers_as_one_vba_module(excel):
    book = xlharness.import_functions()
    components = book.VBProject.VBComponents
    assert components.log == [("Import", "xlwings_udfs")]
    code = components("xlwings_udfs").code
    assert code.startswith('Attribute VB_Name = "xlwings_udfs"\n')
    assert xlharness.vba_wrapper_text() in code
    assert code.isascii(), "VBA source is not Unicode"
    # importing again replaces the module
    excel.import_functions(book)
    assert components.log[-2:] == [("Remove", "xlwings_udfs"), ("Import", "xlwings_udfs")]


def test_macro_options_register_every_function_once():
    calls = xlharness.macro_options_calls()
    assert sorted(args[0] for args, _ in calls) == sorted(f"'kpi.xlsm'!{n}" for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_macro_options_fill_in_the_function_wizard(name):
    by_macro = {args[0]: kwargs for args, kwargs in xlharness.macro_options_calls()}
    kwargs = by_macro[f"'kpi.xlsm'!{name}"]
    f = getattr(plain_udfs, name)
    assert kwargs["Category"] == "KPI"
    assert kwargs["Description"] == f.__doc__
    assert kwargs["ArgumentDescriptions"] == [a.doc for a in f.__kpi_xl__.arguments]
    assert kwargs["HasMenu"] is False and kwargs["HasShortcutKey"] is False


def test_kpi_vba_module_calls_python_like_xlwings_wrappers():
    """kpi_xl.functions.vba's module (real error values) hands call_udf the same arguments."""
    from kpi_xl.functions import vba
    ours = vba_functions(vba.module_text().replace("\r\n", "\n"))
    theirs = vba_functions(xlharness.vba_wrapper_text())
    assert sorted(ours) == sorted(theirs)
    for name, (params_vba, body) in theirs.items():
        assert ours[name][0] == params_vba, name
        call_args = re.search(r'XLPy\.CallUDF\((".*?", ".*?", Array\(.*?\), ThisWorkbook, Application\.Caller)\)', body)
        assert call_args.group(1) in ours[name][1], name


# =============================================================================
# Calls: values a formula gets back
# =============================================================================

DATES = col(com_date(2024, 1, 5), com_date(2024, 1, 20, 15, 30), None, com_date(2024, 2, 1), com_date(2024, 3, 31))

#: One realistic call of every function (COM-style arguments) and what the cell shows.
SAMPLES = {
    "ACV": ((col(120000.0, 90000.0, None), col(2.0, 1.0, None)), 75000.0),
    "MRR": ((col(100.0, 1200.0, None), col(1.0, 12.0, None)), 200.0),
    "ARPA": ((10000.0, 50.0), 200.0),
    "CLTV": ((100.0, 0.05, 0.8), 1600.0),
    # 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+recency))^(r+x)), FHL 2008
    "P_ALIVE": ((4.0, 200.0, 300.0, 0.8, 90.0, 0.5, 3.0), 1 / (1 + 0.5 / 6 * (390 / 290) ** 4.8)),
    # Σ_i E(M) (E[Y(i months)] - E[Y(i-1 months)]) / 1.01^i with FHL 2005 eq. (10) in its own
    # hypergeometric form (not the core's Euler transform) and E(M) = p(v + m x)/(p x + q - 1)
    "CLV_PREDICT": ((4.0, 200.0, 300.0, 80.0, 12.0, 0.01, 1.0, 0.8, 90.0, 0.5, 3.0, 6.0, 4.0, 40.0), 217.5469953647384),
    "CHURN": ((5.0, 100.0), 0.05),
    "RETENTION": ((95.0, 100.0, 10.0), 0.85),
    "NRR": ((1000.0, 200.0, 50.0, 50.0), 1.1),
    "GRR": ((1000.0, 50.0, 50.0), 0.9),
    "CAC": ((5000.0, 25.0), 200.0),
    "LTV_CAC": ((1800.0, 600.0), 3.0),
    "CAC_PAYBACK": ((1200.0, 100.0, 0.8), 15.0),
    "QUICK_RATIO": ((300.0, 100.0, 50.0, 50.0), 4.0),
    "AOV": ((5000.0, 100.0), 50.0),
    "WIN_RATE": ((25.0, 100.0), 0.25),
    "GROWTH_RATE": ((120.0, 100.0), 0.2),
    "PERIOD_GROWTH": ((col(100.0, 120.0, 90.0),), [[""], [0.2], [-0.25]]),
    "CAGR": ((100.0, 121.0, 2.0), 0.1),
    "COUNT_PER_PERIOD": (
        (DATES, "month"),
        [[dt.datetime(2024, 1, 1, tzinfo=UTC), 2], [dt.datetime(2024, 2, 1, tzinfo=UTC), 1],
         [dt.datetime(2024, 3, 1, tzinfo=UTC), 1]],
    ),
    "SUM_PER_PERIOD": (
        (DATES, col(10.0, 5.0, 7.0, 2.5, None), "quarter"),
        [dt.datetime(2024, 1, 1, tzinfo=UTC), 17.5],  # one row: VBA gets a 1-D row
    ),
    "ROI": ((150.0, 100.0), 0.5),
    "CONVERSION": ((30.0, 1000.0), 0.03),
    "CTR": ((50.0, 1000.0), 0.05),
    "CPA": ((1000.0, 40.0), 25.0),
    "ENGAGEMENT_RATE": ((300.0, 10000.0), 0.03),
    "NPS": ((((10.0, 9.0, None), (7.0, 3.0, 10.0)),), 40.0),
    "CSAT": ((col(5.0, 4.0, 2.0, None), 4.0, 5.0), 2 / 3),
    "FRT": (
        (col(com_date(2024, 1, 5, 9), com_date(2024, 1, 5, 10)),
         col(com_date(2024, 1, 5, 11), com_date(2024, 1, 5, 10, 30)), "mean", "hours"),
        1.25,
    ),
    "RESOLUTION_TIME": (
        (col(com_date(2024, 1, 5, 9), com_date(2024, 1, 5, 10), com_date(2024, 1, 6)),
         col(com_date(2024, 1, 6, 9), None, com_date(2024, 1, 9)), "median", "days"),
        2.0,
    ),
    "TICKETS_RESOLVED": (
        (col(com_date(2024, 1, 5), None, com_date(2024, 1, 31, 23), com_date(2024, 2, 1)),
         com_date(2024, 1, 1), com_date(2024, 1, 31)),
        2,
    ),
    "SOURCE_SHARE": ((col("Organic", "facebook", " organic ", None), "ORGANIC", col(100.0, 50.0, 50.0, 0.0)), 0.75),
    "PAGES_PER_SESSION": ((3000.0, 1000.0), 3.0),
    "BOUNCE_RATE": ((400.0, 1000.0), 0.4),
    "GROSS_MARGIN": ((1000.0, 600.0), 0.4),
    "ROA": ((50.0, 1000.0), 0.05),
    "MARKET_SHARE": ((200.0, 1000.0), 0.2),
    "SHRINKAGE": ((5.0, 1000.0), 0.005),
    "ACHIEVEMENT": ((90.0, 100.0, 80.0, "higher"), 0.5),
    # a 10-day goal on day 5 (half the time gone), half way there plus 5 %
    "PACE": ((55.0, 100.0, com_date(2024, 1, 1), com_date(2024, 1, 10), com_date(2024, 1, 5), 0.0), 1.1),
    "FORECAST_END": ((50.0, com_date(2024, 1, 1), com_date(2024, 1, 10), com_date(2024, 1, 5)), 100.0),
    "STATUS": (
        (55.0, 100.0, com_date(2024, 1, 1), com_date(2024, 1, 10), com_date(2024, 1, 5), 0.0, "higher", "en"),
        "On track",
    ),
    "PAYOUT": ((1.2, 0.8, 2.0, 1.5), 1.4),
    "OKR_SCORE": ((col(0.7, 1.2, None, 0.4), col(1.0, 1.0, 5.0, 2.0)), 0.625),  # (0.7 + 1 + 2 * 0.4) / 4
}


def approx_cells(expected):
    if isinstance(expected, list):
        return [approx_cells(v) for v in expected]
    if isinstance(expected, float):
        return pytest.approx(expected, rel=1e-12)
    return expected


def test_every_function_has_a_sample_call():
    assert sorted(SAMPLES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_sample_call_through_excel(name):
    args, expected = SAMPLES[name]
    assert call(name, *args) == approx_cells(expected)


@pytest.mark.parametrize("name", NAMES)
def test_sample_call_with_cell_references(excel, name):
    """The same call with every argument a cell reference (VBA passes Range objects)."""
    args, expected = SAMPLES[name]
    refs = [excel.cell(a, row=1, column=i + 1) for i, a in enumerate(args)]
    assert call(name, *refs) == approx_cells(expected)


def test_acv_skips_a_blank_row():
    assert call("ACV", ((120000.0,), (90000.0,), (None,)), ((2.0,), (1.0,), (None,))) == 75000.0


def test_acv_term_zero_is_num():
    assert call("ACV", col(120000.0, 90000.0), col(0.0, 1.0)) == "#NUM!"


def test_cltv():
    assert call("CLTV", 100.0, 0.05, 0.8) == pytest.approx(1600.0)


def test_cltv_without_churn_is_div0():
    assert call("CLTV", 100.0, 0.0, 0.8) == "#DIV/0!"


def test_achievement_from_a_baseline():
    assert call("ACHIEVEMENT", 90.0, 100.0, 80.0) == pytest.approx(0.5)


def test_achievement_unknown_direction_is_value():
    assert call("ACHIEVEMENT", 90.0, 100.0, 80.0, "sideways") == "#VALUE!"


def test_error_comes_back_as_plain_error_text():
    out = call("CLTV", 100.0, 0.0)
    assert out == "#DIV/0!" and isinstance(out, str)
    assert call_udf_rows("CLTV", 100.0, 0.0) == [["#DIV/0!"]]


def test_churn_per_row_spills_numbers_blanks_and_errors():
    out = call("CHURN", col(3.0, None, 2.0, 5.0), col(100.0, 50.0, 0.0, 4.0))
    # a blank row is an empty cell: the Windows engine writes None as ""
    assert out == [[pytest.approx(0.03)], [""], ["#DIV/0!"], ["#NUM!"]]


def test_conversion_per_row():
    out = call("CONVERSION", col(30.0, None, 5.0, 12.0), col(1000.0, 200.0, 0.0, 400.0))
    assert out == [[pytest.approx(0.03)], [""], ["#DIV/0!"], [pytest.approx(0.03)]]


def test_per_row_over_a_row_comes_back_as_a_row():
    assert call("CONVERSION", ((3.0, 2.0, 3.0),), ((10.0, 0.0, 30.0),)) == [
        pytest.approx(0.3), "#DIV/0!", pytest.approx(0.1)
    ]
    assert call_udf_rows("CONVERSION", ((3.0, 2.0, 3.0),), ((10.0, 0.0, 30.0),)) == [
        [pytest.approx(0.3), "#DIV/0!", pytest.approx(0.1)]
    ]


def test_per_row_over_a_block_keeps_its_shape():
    out = call("CHURN", ((1.0, 2.0), (3.0, 4.0)), ((10.0, 10.0), (10.0, 0.0)))
    assert out == [[pytest.approx(0.1), pytest.approx(0.2)], [pytest.approx(0.3), "#DIV/0!"]]


def test_one_cell_per_row_goes_with_every_row():
    assert call("CHURN", col(1.0, 2.0), 10.0) == [[pytest.approx(0.1)], [pytest.approx(0.2)]]


def test_ranges_of_different_sizes_are_value():
    assert call("CHURN", col(1.0, 2.0), col(10.0, 10.0, 3.0)) == "#VALUE!"


@pytest.mark.parametrize("code", ERROR_TEXTS)
def test_excel_error_in_a_range_is_passed_on(code):
    assert call("CHURN", col(1.0, err(code)), col(10.0, 10.0)) == code
    assert call("ACV", col(120000.0, err(code), None), col(2.0, 1.0, None)) == code
    assert call("NPS", ((9.0, err(code)), (None, 10.0))) == code
    assert call("SOURCE_SHARE", col("Organic", err(code)), "Organic") == code


def test_excel_error_in_a_referenced_range_is_passed_on(excel):
    assert call("CHURN", excel.cell(col(1.0, err("#N/A"))), excel.cell(col(10.0, 10.0))) == "#N/A"


def test_excel_error_in_a_single_number_cell_is_passed_on():
    assert call("CLTV", err("#REF!"), 0.05) == "#REF!"
    assert call("CSAT", col(5.0, 4.0), err("#N/A"), MISSING) == "#N/A"
    assert call("TICKETS_RESOLVED", col(com_date(2024, 1, 5)), err("#N/A"), MISSING) == "#N/A"


def test_text_where_a_number_belongs_is_value():
    assert call("CHURN", col(1.0, "three"), col(10.0, 10.0)) == "#VALUE!"
    assert call("CHURN", com_date(2024, 1, 1), 100.0) == "#VALUE!"


def test_numbers_typed_as_text_are_read_as_numbers():
    assert call("CHURN", "5", "1,000") == pytest.approx(0.005)


def test_true_and_false_count_as_one_and_zero():
    assert call("CONVERSION", col(True, False), 10.0) == [[pytest.approx(0.1)], [0.0]]


def test_nps_over_a_block_skips_blanks():
    # promoters 10, 9, 10; detractor 3; passive 7; blank skipped: 100 * (3 - 1) / 5
    assert call("NPS", ((10.0, 9.0, None), (7.0, 3.0, 10.0))) == pytest.approx(40.0)


def test_nps_of_no_answers_is_div0():
    assert call("NPS", ((None, None), (None, None))) == "#DIV/0!"


def test_count_per_period_spills_dates_and_counts(excel):
    out = call("COUNT_PER_PERIOD", DATES, MISSING)
    assert [row[1] for row in out] == [2, 1, 1]
    starts = [row[0] for row in out]
    # prepare_xl_data_element hands Excel datetimes stamped UTC (pywin32 wants a tz)
    assert starts == [dt.datetime(2024, m, 1, tzinfo=UTC) for m in (1, 2, 3)]
    assert all(type(d) is dt.datetime and d.utcoffset() == dt.timedelta(0) for d in starts)
    assert all(type(n) is int for n in (row[1] for row in out))


def test_count_per_period_with_plain_datetimes_and_weeks():
    dates = col(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 7, 23), dt.datetime(2024, 1, 8))
    assert call("COUNT_PER_PERIOD", dates, "Week") == [
        [dt.datetime(2024, 1, 1, tzinfo=UTC), 2], [dt.datetime(2024, 1, 8, tzinfo=UTC), 1]
    ]


def test_count_per_period_of_serial_numbers():
    # dates kept as numbers (e.g. a General-formatted column): serial 45296 = 2024-01-05
    assert call("COUNT_PER_PERIOD", col(45296.0, 45297.0), "month") == [dt.datetime(2024, 1, 1, tzinfo=UTC), 2]


def test_count_per_period_without_dates_is_na():
    assert call("COUNT_PER_PERIOD", col(None, None), MISSING) == "#N/A"


def test_single_row_spill_reaches_vba_as_a_row():
    assert call("PERIOD_GROWTH", ((100.0, 120.0, 90.0),)) == ["", pytest.approx(0.2), pytest.approx(-0.25)]


def test_blank_input_gives_an_empty_cell(excel):
    assert call("CLTV", excel.cell(None), 0.05) == ""


# ----------------------------------------------------------- omitted arguments


def explicit(default):
    """An omitted argument's default, typed into the formula instead."""
    if default is None:  # nothing to type: "=F(a, b, )" is how Excel omits it
        return MISSING
    if isinstance(default, str):
        return default
    return float(default)


OPTIONAL = [n for n in NAMES if any(p.default is not inspect.Parameter.empty for p in params(n))]


@pytest.mark.parametrize("name", OPTIONAL)
def test_omitted_arguments_mean_their_defaults(name):
    args, _ = SAMPLES[name]
    sig = params(name)
    required = [a for a, p in zip(args, sig) if p.default is inspect.Parameter.empty]
    optional = [p for p in sig if p.default is not inspect.Parameter.empty]
    # the fitted model's parameters stay typed here: left out, they come from the workbook
    # (test_the_short_forms_read_the_model_predict_fitted)
    fitted = {a for a, _n in getattr(plain_udfs, name).__kpi_xl__.from_workbook}
    given = dict(zip((p.name for p in sig), args))
    omitted = call(name, *required, *[given[p.name] if p.name in fitted else MISSING for p in optional])
    typed = call(name, *required, *[given[p.name] if p.name in fitted else explicit(p.default) for p in optional])
    assert omitted == typed
    assert not (isinstance(omitted, str) and omitted in ERROR_TEXTS), omitted


def test_omitted_arguments_documented_defaults():
    values = col(120000.0, 90000.0)
    assert call("ACV", values, MISSING, MISSING) == pytest.approx(105000.0)  # 1 year, no fees
    assert call("CLTV", 100.0, 0.05, MISSING, MISSING) == pytest.approx(2000.0)  # margin 1
    assert call("ACHIEVEMENT", 90.0, 100.0, MISSING, MISSING) == pytest.approx(0.9)  # baseline 0
    assert call("ACHIEVEMENT", 90.0, 80.0, MISSING, "lower") == pytest.approx(80 / 90)
    assert call("CSAT", col(5.0, 4.0, 3.0, 2.0), MISSING, MISSING) == pytest.approx(0.5)  # 4 of 5
    assert call("COUNT_PER_PERIOD", DATES, MISSING) == call("COUNT_PER_PERIOD", DATES, "month")
    assert call("SOURCE_SHARE", col("a", "b", "a", None), "A", MISSING) == pytest.approx(0.5)  # rows
    assert call("TICKETS_RESOLVED", SAMPLES["TICKETS_RESOLVED"][0][0], MISSING, MISSING) == 3


# =============================================================================
# No input Excel can hand over makes a formula fail inside xlwings
# =============================================================================

ERROR_INTS = sorted(xlharness.COM_ERROR_INTS)


def test_harness_error_ints_are_xlwings_own(excel):
    assert dict(zip(ERROR_INTS, map(excel.xlwindows.cell_errors.get, ERROR_INTS))) == excel.xlwindows.cell_errors
    assert {err(t) for t in ERROR_TEXTS} == set(ERROR_INTS)


# Numbers a worksheet plausibly holds: up to 1e9, at most 6 decimals. (Near 1e308
# some aggregates overflow: see test_huge_numbers_give_num_not_infinity.)
com_numbers = st.one_of(
    st.integers(-10**9, 10**9).map(float),
    st.floats(-1e6, 1e6, allow_nan=False).map(lambda x: round(x, 6)),
    st.sampled_from([0.0, -0.0, 1.0, 0.5, 1e-6]),
)
com_cells = st.one_of(
    st.none(),
    com_numbers,
    st.booleans(),
    st.text(max_size=5),
    st.sampled_from(["", "1,000", "month", "week", "higher", "lower", "median", "days", "#N/A"]),
    st.sampled_from(ERROR_INTS),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: com_date(d.year, d.month, d.day, d.hour, d.minute, d.second)
    ),
)


@st.composite
def com_ranges(draw):
    n_rows = draw(st.integers(1, 4))
    n_cols = draw(st.integers(1, 3))
    return tuple(tuple(draw(com_cells) for _ in range(n_cols)) for _ in range(n_rows))


def is_cell_result(v) -> bool:
    if isinstance(v, str):  # an error text, "" for a blank, or a label (STATUS)
        return True
    if isinstance(v, bool) or (isinstance(v, int) and abs(v) < 2**31):
        return True
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, dt.datetime):
        return v.utcoffset() == dt.timedelta(0)
    return False


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_excel_input_gives_a_value_or_an_error(name, data):
    args = []
    for p in params(name):
        kinds = [com_cells, com_ranges(), com_ranges().map(ExcelRange)]
        if p.default is not inspect.Parameter.empty:
            kinds.append(st.just(MISSING))
        args.append(data.draw(st.one_of(kinds), label=p.name))
    out = call(name, *args)
    if isinstance(out, list):
        rows = out if out and isinstance(out[0], list) else [out]
        assert len({len(r) for r in rows}) == 1
        cells = [v for r in rows for v in r]
    else:
        cells = [out]
    for v in cells:
        assert is_cell_result(v), f"{name} gave {v!r}"


# =============================================================================
# Bugs the harness found in kpi_xl, kept as regression tests
# =============================================================================


@pytest.mark.parametrize("code", ["#N/A", "#REF!"])
def test_error_in_a_text_option_cell_is_passed_on(code):
    # a number option passes it on (CSAT's threshold); a text option should too
    assert call("CSAT", col(5.0, 4.0), err(code), MISSING) == code
    assert call("ACHIEVEMENT", 90.0, 100.0, 80.0, err(code)) == code
    assert call("COUNT_PER_PERIOD", DATES, err(code)) == code
    assert call("FRT", col(com_date(2024, 1, 5, 9)), col(com_date(2024, 1, 5, 11)), "mean", err(code)) == code


def test_true_false_beside_an_error_cell_pass_the_error_on():
    flags = col(True, False, err("#N/A"))
    assert plain_udfs.CONVERSION([[True], [False], ["#N/A"]], 10.0) == "#N/A"  # called from Python
    assert call("CONVERSION", flags, 10.0) == "#N/A"  # the same cells from Excel
    assert call("CONVERSION", col(True, "5"), 10.0) == [[pytest.approx(0.1)], [pytest.approx(0.5)]]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_huge_numbers_give_num_not_infinity():
    assert call("MRR", 1e305, 1e-5) == "#NUM!"
    assert call("ACV", col(1e308, 1e308), MISSING, MISSING) == "#NUM!"
    assert call("FRT", col(1.0), col(1e308), MISSING, MISSING) == "#NUM!"
    assert call("OKR_SCORE", col(0.5, 0.5), col(1e308, 1e308)) == pytest.approx(0.5)
