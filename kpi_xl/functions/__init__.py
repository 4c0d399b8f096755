"""The functions layer: one declaration per worksheet function, and what is derived from it.

* :mod:`.registry` - one entry per KPI function (its core function in
  :mod:`kpi_xl.metrics`, group, unit, wizard description, example, goal measure, spill);
* :mod:`.calling` - the never-raise wrapper and the conversion of results for a cell,
  shared by the xlwings worksheet functions (:mod:`kpi_xl.udfs`) and the formula
  evaluator of headless refresh;
* :mod:`.catalog` - what each function is, for the docs, the CLI and the tests;
* :mod:`.vba` - the VBA module that makes the functions callable from Excel.

Nothing in this package imports xlwings.
"""
