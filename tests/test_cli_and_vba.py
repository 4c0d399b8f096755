"""The kpi-xl command and the VBA module it writes."""

from __future__ import annotations

import re

from click.testing import CliRunner

from kpi_xl.functions import catalog
from kpi_xl.cli import main
from kpi_xl.functions.vba import module_text


def test_functions_prints_every_function_with_live_result():
    result = CliRunner().invoke(main, ["functions"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for name in catalog.declared_names():
        assert name in result.output
    assert "68,000" in result.output  # ACV example, computed
    assert "40,000" in result.output  # CLTV example


def test_functions_in_traditional_chinese():
    result = CliRunner().invoke(main, ["functions", "--lang", "zh-TW", "--group", "Goals"])
    assert result.exit_code == 0, result.output
    assert "ACHIEVEMENT" in result.output and "目標" in result.output


def test_functions_unknown_group_is_a_clear_error():
    result = CliRunner().invoke(main, ["functions", "--group", "Astrology"])
    assert result.exit_code == 2
    assert "no group 'Astrology'" in result.output


def test_every_command_has_help():
    for name, cmd in main.commands.items():
        assert cmd.help, f"kpi-xl {name} has no help"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0


def test_vba_module_wraps_every_function_and_converts_errors(tmp_path):
    out = tmp_path / "kpi.bas"
    result = CliRunner().invoke(main, ["vba", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_bytes().decode("ascii")  # VBA source must be plain ASCII
    assert text.startswith('Attribute VB_Name = "kpi_xl_udfs"')
    for f in catalog.functions():
        params = ", ".join(("Optional " if a.optional else "") + a.name for a in f.arguments)
        assert f"Function {f.name}({params})\r\n" in text
        assert f'{f.name} = KpiXlResult(XLPy.CallUDF("kpi_xl.udfs", "{f.name}", ' in text
        assert f'Macro:=book & "{f.name}", ' in text
    assert 'Case "#DIV/0!": KpiXlError = CVErr(xlErrDiv0)' in text
    assert 'Case "#NUM!": KpiXlError = CVErr(xlErrNum)' in text
    assert text.count('Category:="KPI"') == len(catalog.functions())
    # every Function block is closed
    assert len(re.findall(r"^Function ", text, re.M)) + 2 == len(re.findall(r"^End Function", text, re.M))


def test_vba_module_text_is_ascii_even_with_unicode_help():
    text = module_text()
    assert text.isascii()
    assert "(value - one-time fees) / term in years" in text  # "−" became "-"


def test_scorecard_prints_the_sample_company_with_statuses():
    result = CliRunner().invoke(main, ["scorecard"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Jade Mountain Software" in result.output
    assert "S1 Won contract value North" in result.output and "Behind" in result.output
    assert "8,633,100" in result.output


def test_scorecard_explains_one_goal_in_chinese():
    result = CliRunner().invoke(main, ["scorecard", "--lang", "zh-TW", "--goal", "S1"], terminal_width=200)
    assert result.exit_code == 0, result.output
    # the explanation, its status and its reason are Chinese; numbers as Taiwan reads them
    assert "166／365 天" in result.output and "落後" in result.output and "進度比 94.7% ≥ 85%" in result.output


def test_scorecard_unknown_goal_is_a_clear_error():
    result = CliRunner().invoke(main, ["scorecard", "--goal", "ZZ"])
    assert result.exit_code == 2 and "no goal 'ZZ'" in result.output


def test_demo_builds_refreshes_and_says_where_the_workbook_is(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    book = tmp_path / "kpi-xl-demo-en.xlsx"
    assert book.exists() and str(book.resolve()) in result.output
    assert "Behind" in result.output and "8,633,100" in result.output
