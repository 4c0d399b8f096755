"""Worksheet functions: one registry entry per KPI, and what is derived from it (no xlwings here)."""
