"""The pure KPI core: plain Python and NumPy, no Excel.

Every function takes numbers, None, lists, nested lists, NumPy arrays or pandas
Series, and answers bad input with an Excel error value (:class:`kpi_xl.errors.XlError`)
instead of raising. Per-row KPIs return an array of the input's shape (a Series
when given one); aggregates return one number.

>>> from kpi_xl import metrics
>>> metrics.acv([120000, 90000], [2, 1])
75000.0
>>> str(metrics.churn(3, 0))
'#DIV/0!'

Each argument is annotated with its kind and help line (:mod:`kpi_xl.metrics.kinds`).
:func:`proven_clean` tells the worksheet layer that a result needs no scan for blanks;
:func:`omitted` whether an optional argument was left out (None, or one blank cell).
"""

from . import finance, goals, kinds, marketing, predict, saas, sales, service, web
from ._args import omitted, proven_clean
from .finance import *  # noqa: F403 - each module's __all__ is its list of KPI functions
from .goals import *  # noqa: F403
from .marketing import *  # noqa: F403
from .predict import *  # noqa: F403
from .saas import *  # noqa: F403
from .sales import *  # noqa: F403
from .service import *  # noqa: F403
from .web import *  # noqa: F403

#: Every public name: a core function is exported by listing it in its own module's __all__.
__all__ = [name for module in (saas, sales, marketing, service, web, finance, goals, predict) for name in module.__all__]
__all__ += ["kinds", "proven_clean", "omitted"]
