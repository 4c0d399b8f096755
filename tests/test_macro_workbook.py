"""The macro workbook: VBA written on Linux, checked with olevba (oletools)."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner

from kpi_xl.functions import catalog
from kpi_xl.cli import main
from kpi_xl.workbook.macros import MACRO_NAME, PYTHON_CALL


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsm") / "book.xlsm"
    result = CliRunner().invoke(main, ["new", str(path), "--macros"])
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def olevba(xlsm):
    out = subprocess.run([sys.executable, "-m", "oletools.olevba", "--decode", str(xlsm)],
                         capture_output=True, text=True, timeout=300)
    return out.stdout


def test_olevba_finds_our_modules_and_the_refresh_macro(olevba):
    assert "VBA MACRO kpi_xl_macros.bas" in olevba
    assert "VBA MACRO kpi_xl_udfs.bas" in olevba
    assert "VBA MACRO xlwings.bas" in olevba  # RunPython without the add-in reference
    assert f"Sub {MACRO_NAME}()" in olevba
    assert f'RunPython "{PYTHON_CALL}"' in olevba


def test_every_kpi_function_has_its_vba_wrapper(olevba):
    for name in catalog.declared_names():
        assert f"Function {name}(" in olevba
    assert "KpiXlError = CVErr(xlErrDiv0)" in olevba


def test_buttons_on_scorecard_and_dashboard_run_the_macro(xlsm):
    with zipfile.ZipFile(xlsm) as z:
        vml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/drawings/vmlDrawing")]
        types = z.read("[Content_Types].xml").decode()
    assert len(vml) == 2
    for text in vml:
        assert f"<x:FmlaMacro>[0]!{MACRO_NAME}</x:FmlaMacro>" in text
        assert "Refresh scorecard" in text
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types


def test_macros_need_an_xlsm_name(tmp_path):
    r = CliRunner().invoke(main, ["new", str(tmp_path / "b.xlsx"), "--macros"])
    assert r.exit_code == 1 and "must end in .xlsm" in r.output
