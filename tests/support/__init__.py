"""Helpers the tests share (not part of the kpi-xl package)."""
