"""The registry's declarations, through the catalog: what Excel's wizard, the docs and the CLI show."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import gendocs as docs
from kpi_xl import udfs
from kpi_xl.functions import catalog
from kpi_xl.errors import XlError

ROOT = Path(__file__).resolve().parents[1]
FUNCS = catalog.functions()
BUILTINS = {
    line.strip().upper()
    for line in (ROOT / "kpi_xl" / "data" / "builtin_functions.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}


def test_every_declared_function_is_in_a_group_with_an_example():
    assert sorted(f.name for f in FUNCS) == catalog.declared_names()
    assert set(catalog.EXAMPLES) == set(catalog.declared_names())


def test_issue_signatures_are_exact():
    sigs = {f.name: f.signature for f in FUNCS}
    assert sigs["ACV"] == "ACV(contract_values, [term_years], [one_time_fees])"
    assert sigs["CLTV"] == "CLTV(arpa, churn_rate, [gross_margin], [discount_rate])"
    assert sigs["ACHIEVEMENT"] == "ACHIEVEMENT(actual, target, [baseline], [direction])"


@pytest.mark.parametrize(
    "name, leading",
    [
        ("CAC", ["spend", "new_customers"]),
        ("CHURN", ["churned", "customers_at_start"]),
        ("ARPA", ["revenue", "accounts"]),
        ("AOV", ["revenue", "orders"]),
        ("CONVERSION", ["conversions", "visitors"]),
        ("CTR", ["clicks", "impressions"]),
        ("ROI", ["gain", "cost"]),
        ("GROWTH_RATE", ["current", "previous"]),
        ("CAGR", ["begin_value", "end_value", "periods"]),
        ("NPS", ["scores"]),
        ("CSAT", ["scores"]),
        ("WIN_RATE", ["won", "closed"]),
        ("LTV_CAC", ["ltv", "cac"]),
        ("GROSS_MARGIN", ["revenue", "cogs"]),
    ],
)
def test_leading_arguments_named_in_the_issue(name, leading):
    params = list(inspect.signature(getattr(udfs, name)).parameters)
    assert params[: len(leading)] == leading


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.name)
def test_wizard_help_fits_excel(f):
    assert 0 < len(f.summary) <= 255, "Excel cuts function descriptions at 255 characters"
    assert "\n" not in f.summary
    params = list(inspect.signature(f.core).parameters)
    assert [a.name for a in f.arguments] == params, "a help line for every argument"
    for a in f.arguments:
        assert 0 < len(a.doc) <= 255 and "\n" not in a.doc
        assert a.kind in ("range", "labels", "cell")
    assert len({a.doc for a in f.arguments}) == len(f.arguments), "two arguments with the same help line"
    assert len(f.name) <= 64 and f.name.isupper()


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.name)
def test_registry_fields_are_known_values(f):
    from kpi_xl.functions import registry

    assert f.kpi.unit in registry.UNITS and f.kpi.measure in registry.MEASURES and f.kpi.spills in registry.SPILLS
    assert f.group in catalog.GROUPS and f.name in catalog.GROUPS[f.group]


def test_a_bad_entry_is_refused_when_registered():
    from typing import Annotated, Any

    from kpi_xl.functions import registry
    from kpi_xl.metrics.kinds import Range

    def plain(x):
        return x

    def annotated(x: Annotated[Any, Range("A number.")]):
        return x

    ex = registry.Example("=ZZ_TEST(1)", (1,))
    try:
        with pytest.raises(registry.RegistryError, match="argument x needs"):
            registry.register(registry.KPI("ZZ_TEST", plain, group="Sales", unit="ratio", description="Test.", example=ex))
        with pytest.raises(registry.RegistryError, match="255"):
            registry.register(registry.KPI("ZZ_TEST", annotated, group="Sales", unit="ratio", description="x" * 256,
                                           example=ex))
        with pytest.raises(registry.RegistryError, match="unit"):
            registry.register(registry.KPI("ZZ_TEST", annotated, group="Sales", unit="furlongs", description="Test.",
                                           example=ex))
        with pytest.raises(registry.RegistryError, match="already"):
            registry.register(registry.get("ACV"))
        with pytest.raises(ValueError):
            Range("two\nlines")
    finally:  # a register that wrongly succeeded must not leak into other tests
        if "ZZ_TEST" in registry.names():
            registry.unregister("ZZ_TEST")
    assert "ZZ_TEST" not in registry.names()


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.name)
def test_core_docstring_gives_formula_units_errors_source(f):
    for section in ("Formula", "Units", "Errors", "Source"):
        assert f.sections.get(section), f"{f.core.__name__} docstring lacks {section}:"


def test_no_name_shadows_an_excel_or_libreoffice_builtin():
    assert len(BUILTINS) > 500, "the built-in list looks truncated"
    for known in ("SUM", "XLOOKUP", "GROWTH", "TREND", "RATE", "FORECAST", "RRI", "ROUNDSIG"):
        assert known in BUILTINS
    clashes = sorted(set(catalog.declared_names()) & BUILTINS)
    assert clashes == []


def test_every_example_gives_a_value_not_an_error():
    for f in FUNCS:
        result = f.run_example()
        assert not isinstance(result, XlError), f"{f.name} example gives {result}"


def test_zh_tw_texts_cover_every_function_and_argument():
    for f in FUNCS:
        title, summary = f.title("zh-TW"), f.summary_in("zh-TW")
        assert title and summary != f.summary and len(summary) <= 255, f.name
        for a in f.arguments:
            assert f.argument_help(a, "zh-TW") != a.doc, f"{f.name}({a.name}) has no zh-TW help"
        for section in catalog.TRANSLATED:
            if section in f.sections:
                assert f.section(section, "zh-TW") != f.sections[section], f"{f.name} {section} untranslated"


@pytest.mark.parametrize("page", sorted(docs.PAGES, key=str), ids=str)
def test_generated_docs_are_current(page):
    path = ROOT / page
    assert path.read_text(encoding="utf-8") == docs.PAGES[page](), "stale: run `python tools/gendocs.py`"


def test_reference_shows_each_example_result():
    text = docs.render("en")
    assert "`=ACV({120000;90000;60000}, {2;1;1}, {0;0;6000})` → **68,000**" in text
    assert "`=CLTV(1500, 0.03, 0.8)` → **40,000**" in text
    assert "`=NPS({10;9;9;8;7;6;3;10})` → **25**" in text
    zh = docs.render("zh-TW")
    assert "客戶終身價值" in zh and "→ **40,000**" in zh
