"""Every error a user can cause is a KpiXlError: the CLI shows its message, never a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import kpi_xl
from kpi_xl.errors import KpiXlError


def _modules():
    for info in pkgutil.walk_packages(kpi_xl.__path__, "kpi_xl."):
        yield importlib.import_module(info.name)


def test_every_exception_class_derives_from_kpixlerror():
    outside = []
    for module in _modules():
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__
                    and not name.startswith("_") and not issubclass(obj, KpiXlError)):
                outside.append(f"{module.__name__}.{name}")
    assert outside == []


def test_a_bad_filter_and_an_unknown_language_are_kpi_xl_errors():
    from kpi_xl import labels
    from kpi_xl.goals.model import parse_filter

    with pytest.raises(KpiXlError, match="'Region' is not Column=Value"):
        parse_filter("Region")
    with pytest.raises(KpiXlError, match="unknown language 'fr'"):
        labels.language("fr")


def test_measure_and_evaluator_errors_are_kpi_xl_errors():
    from kpi_xl.goals.measure import MeasureError
    from kpi_xl.workbook.evaluate import Unsupported

    assert issubclass(MeasureError, KpiXlError) and issubclass(Unsupported, KpiXlError)


@pytest.mark.parametrize("col", [0, -1, 16385])
def test_a_column_number_outside_excel_is_refused_not_looped_on(col):
    from kpi_xl.excel import column_letter

    with pytest.raises(ValueError, match="outside A..XFD"):
        column_letter(col)
    assert (column_letter(1), column_letter(28), column_letter(16384)) == ("A", "AB", "XFD")
