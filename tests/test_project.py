"""The project's promises to a newcomer: layout, set-up commands, a pure core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_pure_core_imports_neither_xlwings_nor_openpyxl():
    code = (
        "import sys, kpi_xl.metrics, kpi_xl.errors; "
        "bad = [m for m in ('xlwings', 'openpyxl') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_sources_do_not_mention_excel_libraries():
    for path in (ROOT / "kpi_xl" / "metrics").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import xlwings" not in text and "import openpyxl" not in text, path


def test_readme_has_exactly_the_two_setup_commands_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("<!-- main-command -->") == 1
    assert readme.count("<!-- test-command -->") == 1
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_command test-command" in ci and "readme_command main-command" in ci
    assert "pytest" in readme.split("<!-- test-command -->")[1].split("```")[1]
    assert "kpi-xl" in readme.split("<!-- main-command -->")[1].split("```")[1]


def test_top_level_layout():
    for name in ("pyproject.toml", "kpi_xl", "tests", "docs", "README.md", ".ci/run", "benchmarks"):
        assert (ROOT / name).exists(), name
