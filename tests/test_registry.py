"""One declaration per KPI: a KPI added in one place is everywhere.

A throwaway KPI - a core function with annotated arguments, one registry entry and
its translation in the zh-TW catalog - is registered, and then found in every place derived
from the registry: the xlwings worksheet functions (through xlwings' real Windows
code, tests/xlharness.py), the VBA module, ``kpi-xl functions``, the generated docs,
the template's Functions sheet, the formula evaluator of headless refresh, the goal
measures and the benchmark list.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import gendocs as docs
from kpi_xl import i18n, sample, udfs
from kpi_xl.cli import main
from kpi_xl.functions import calling, catalog, registry, vba
from kpi_xl.goals import compute
from kpi_xl.goals.measure import _hint
from kpi_xl.metrics.kinds import Range
from kpi_xl.workbook.evaluate import Evaluator, FormulaContext
from kpi_xl.workbook.functions_sheet import sample_calls

try:  # tests/ as a package or as a plain directory on sys.path
    from . import xlharness
except ImportError:
    import xlharness

ROOT = Path(__file__).resolve().parents[1]
NAME = "LEAD_YIELD"


def lead_yield(
    won_value: Annotated[Any, Range("Value of the deals won.")],
    pipeline_value: Annotated[Any, Range("Value of every deal in the pipeline.")],
) -> Any:
    """Lead yield: the share of pipeline value that was won.

    Formula: yield = won_value / pipeline_value
    Units: ratio.
    Errors: #DIV/0! with no pipeline.
    Source: a test of the registry.
    """
    won = np.asarray(won_value, dtype=float)
    pipeline = np.asarray(pipeline_value, dtype=float)
    with np.errstate(all="ignore"):
        out = won / pipeline
    return out.item() if out.ndim == 0 else out


ENTRY = registry.KPI(
    NAME, lead_yield, group="Sales", unit="percent", measure="ratio_of_totals",
    description="Lead yield = value won / pipeline value.",
    example=registry.Example("=LEAD_YIELD(30, 120)", (30, 120)),
)
#: Its translation: entries added to the zh-TW catalog (msgid = the English text).
ZH_PO = """
msgctxt "function title"
msgid "LEAD_YIELD"
msgstr "名單產值率"

msgid "Lead yield = value won / pipeline value."
msgstr "名單產值率 = 成交金額 / 管道總金額。"

msgid "Value of the deals won."
msgstr "成交商機的金額。"

msgid "Value of every deal in the pipeline."
msgstr "管道中所有商機的金額。"

msgid "ratio."
msgstr "比率。"

msgid "#DIV/0! with no pipeline."
msgstr "沒有管道時傳回 #DIV/0!。"
"""


@pytest.fixture
def new_kpi(tmp_path, monkeypatch):
    """The one place: register the entry and its translation (a copy of the catalogs with its
    entries added), and rebuild kpi_xl.udfs, as a restart would."""
    import shutil

    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    po = locale / "zh_TW" / "LC_MESSAGES" / "kpi_xl.po"
    po.write_text(po.read_text(encoding="utf-8") + ZH_PO, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale)
    i18n.translations.cache_clear()
    registry.register(ENTRY)
    importlib.reload(udfs)
    try:
        yield ENTRY
    finally:
        registry.unregister(NAME)
        monkeypatch.undo()
        i18n.translations.cache_clear()
        vars(udfs).pop(NAME, None)
        importlib.reload(udfs)


def test_it_is_a_worksheet_function(new_kpi):
    f = udfs.LEAD_YIELD
    assert str(inspect.signature(f)) == "(won_value, pipeline_value)"
    assert f.__doc__ == new_kpi.description
    assert f(30, 120) == 0.25
    assert f([[30], [6]], [[120], [12]]).tolist() == [[0.25], [0.5]]
    assert NAME in udfs.__all__


def test_xlwings_declares_it_with_its_argument_help_and_a_vba_wrapper(new_kpi):
    with xlharness.excel_session() as excel:
        xlf = excel.functions()[NAME].__xlfunc__
        assert xlf["category"] == "KPI"
        assert xlf["ret"]["doc"] == new_kpi.description
        assert [(a["name"], a["doc"]) for a in xlf["args"]] == [
            ("won_value", "Value of the deals won."), ("pipeline_value", "Value of every deal in the pipeline.")
        ]
        assert all(a["options"]["convert"] is np.ndarray and a["options"]["ndim"] == 2 for a in xlf["args"])
        assert "Function LEAD_YIELD(won_value, pipeline_value)" in xlharness.vba_wrapper_text()
        options = {args[0]: kw for args, kw in xlharness.macro_options_calls()}
        assert options["'kpi.xlsm'!LEAD_YIELD"]["ArgumentDescriptions"] == [
            "Value of the deals won.", "Value of every deal in the pipeline."
        ]
        assert xlharness.call_as_excel(NAME, 30.0, 120.0) == 0.25
        assert xlharness.call_as_excel(NAME, ((30.0,), (6.0,)), ((120.0,), (12.0,))) == [[0.25], [0.5]]


def test_it_is_in_the_catalog_the_cli_and_the_vba_module(new_kpi):
    f = {f.name: f for f in catalog.functions()}[NAME]
    assert f.signature == "LEAD_YIELD(won_value, pipeline_value)"
    assert f.sections["Formula"] == "yield = won_value / pipeline_value"
    assert f.run_example() == 0.25
    assert NAME in catalog.GROUPS["Sales"] and NAME in catalog.declared_names()
    assert catalog.EXAMPLES[NAME] is new_kpi.example
    out = CliRunner().invoke(main, ["functions", "--group", "Sales"], env={"COLUMNS": "250"})
    assert out.exit_code == 0 and NAME in out.output and "=LEAD_YIELD(30, 120)" in out.output
    text = vba.module_text()
    assert "Function LEAD_YIELD(won_value, pipeline_value)" in text
    assert 'Macro:=book & "LEAD_YIELD", Description:="Lead yield = value won / pipeline value."' in text


def test_it_is_in_the_generated_docs_in_both_languages(new_kpi):
    en = docs.render("en")
    assert "`LEAD_YIELD(won_value, pipeline_value)`" in en
    assert "`=LEAD_YIELD(30, 120)` → **0.25**" in en
    assert "Value of every deal in the pipeline." in en
    zh = docs.render("zh-TW")
    assert "名單產值率" in zh and "管道中所有商機的金額。" in zh


def test_it_is_on_the_functions_sheet(new_kpi):
    calls = {c.name: c for c in sample_calls(sample.load("en"), "en")}
    call = calls[NAME]
    assert call.formula == "=LEAD_YIELD(30, 120)" and call.result == 0.25
    assert call.percent and call.summary == new_kpi.description


def test_formulas_using_it_evaluate_at_refresh(new_kpi):
    context = FormulaContext(values=lambda sheet: [["Won", "Pipeline"], [30.0, 100.0], [10.0, 60.0]], formulas={}, tables={})
    ev = Evaluator(context)
    assert ev.evaluate("=LEAD_YIELD(SUM(A2:A3), SUM(B2:B3))", "Deals") == 0.25
    assert ev.evaluate("=lead_yield(30, 120) * 2", "Deals") == 0.5
    assert calling.call(NAME, 1, 4) == 0.25


def test_a_goal_measures_it_as_a_ratio_of_totals(new_kpi):
    days = pd.date_range("2026-01-01", "2026-01-10", freq="D")
    deals = pd.DataFrame({"Date": days, "Won": [10.0] * 10, "Pipeline": [40.0] * 5 + [10.0] * 5})
    goal = dict(id="Y", name="Win a third of the pipeline", owner="Ann", kpi=NAME, table="Deals",
                columns="Won, Pipeline", target=0.5, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
                period="month", strategy="Grow")
    r = compute(pd.DataFrame([goal]), {"Deals": deals}, dt.date(2026, 1, 10)).scorecard.set_index("id").loc["Y"]
    assert r["actual"] == pytest.approx(100 / 250)  # the KPI of the totals, not the mean of the days
    assert _hint(NAME) == "won_value, pipeline_value"


def test_it_is_in_the_benchmark_list(new_kpi):
    case = {c.name: c for c in registry.benchmark_cases(rows=1000)}[NAME]
    assert [a.shape for a in case.args] == [(1000, 1), (1000, 1)]
    assert calling.call(NAME, *case.args).shape == (1000, 1)


def test_unregistered_it_is_gone_again():
    """Runs after the tests above: the fixture's teardown leaves the other test modules the real registry."""
    from kpi_xl.goals.measure import TRACKABLE

    assert NAME not in registry.names() and not hasattr(udfs, NAME) and NAME not in TRACKABLE
    assert NAME not in catalog.GROUPS["Sales"]
    assert sorted(n for n in vars(udfs) if hasattr(vars(udfs)[n], "__kpi_xl__")) == registry.names()


def test_refresh_share_and_new_never_load_xlwings(tmp_path):
    """Headless commands evaluate KPI formulas through the registry, not kpi_xl.udfs."""
    book, shared = tmp_path / "kpi.xlsx", tmp_path / "shared.xlsx"
    code = (
        "import sys\n"
        "from kpi_xl.cli import main\n"
        f"for args in (['new', {str(book)!r}], ['refresh', {str(book)!r}, '--quiet'],"
        f" ['share', {str(book)!r}, {str(shared)!r}]):\n"
        "    main(args, standalone_mode=False)\n"
        "loaded = sorted(m for m in sys.modules if m == 'xlwings' or m.startswith('xlwings.') or m == 'kpi_xl.udfs')\n"
        "print('LOADED', loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "LOADED []" in out.stdout, out.stdout[-2000:]
    assert book.exists() and shared.exists()


def test_the_benchmark_times_it(new_kpi):
    """benchmarks/bench_functions.py lists every registered function: a new KPI is timed on its
    registry example until someone writes its NumPy line."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_functions

    cases = {c.name: c for c in bench_functions.all_cases(rows=50)}
    assert isinstance(cases[NAME], bench_functions.Generic)
    row = bench_functions.run_generic(cases[NAME], repeat=1)
    assert row.name == NAME and row.udf_ms > 0 and row.problem == ""
    assert {k.name for k in registry.kpis()} <= {name.split(" ")[0] for name in cases}
