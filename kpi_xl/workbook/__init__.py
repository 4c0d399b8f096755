"""Workbook files: layout of a kpi-xl workbook and surgical edits of .xlsx packages."""
