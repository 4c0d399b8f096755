"""tools/gendocs.py: the generated docs and template workbook, written and checked as a maintainer runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "gendocs.py"


def gendocs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600)


def test_check_fails_when_stale_and_passes_once_written(tmp_path):
    stale = gendocs("--check", "--root", str(tmp_path))
    assert stale.returncode == 1 and "stale" in stale.stderr and "functions.md" in stale.stderr
    assert not (tmp_path / "docs").exists(), "--check must not write"
    wrote = gendocs("--root", str(tmp_path))
    assert wrote.returncode == 0, wrote.stderr
    assert (tmp_path / "docs" / "zh-TW" / "functions.md").exists()
    assert (tmp_path / "docs" / "scorecard.md").read_text(encoding="utf-8").startswith("# The scorecard")
    assert (tmp_path / "workbook_template.xlsx").exists()
    assert gendocs("--check", "--root", str(tmp_path)).returncode == 0


def test_the_cli_has_no_docs_command():
    from kpi_xl.cli import main

    assert "docs" not in main.commands  # a maintainer's tool, not a user's command
