"""kpi-xl: KPI worksheet functions, goals and scorecards for Excel, with xlwings.

* :mod:`kpi_xl.metrics` - the KPI math (plain Python/NumPy, usable from pandas)
* :mod:`kpi_xl.udfs` - the same KPIs as Excel worksheet functions (=ACV, =CLTV...)
* :mod:`kpi_xl.functions` - one registry entry per KPI function, and what is derived
  from it: the catalog for docs, the CLI and tests, the VBA module
"""

import logging

from .errors import DIV0, NA, NUM, VALUE, KpiXlError, XlError, is_error

# A library logs; the program that uses it decides where that goes. Without this, what a
# worksheet function caught would reach stderr as a traceback through Python's last resort.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__version__ = "0.1.0"

__all__ = ["XlError", "DIV0", "VALUE", "NUM", "NA", "is_error", "KpiXlError", "__version__"]
