"""README.md says what exists: its counts, its paths and its two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

from kpi_xl.functions import registry

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_function_count_is_the_registry_count():
    counts = {int(n) for n in re.findall(r"\b(\d+) KPI functions\b", README)}
    assert counts == {len(registry.kpis())}


def test_every_path_in_the_layout_exists():
    layout = README[README.index("## Layout"):]
    paths = re.findall(r"^\| `([^`]+)`(?:, `([^`]+)`)?", layout, flags=re.M)
    named = [p for pair in paths for p in pair if p]
    assert len(named) >= 10
    assert [p for p in named if not (ROOT / p).exists()] == []


def test_the_two_setup_commands_are_there():
    for marker in ("<!-- main-command -->", "<!-- test-command -->"):
        after = README[README.index(marker):]
        block = re.search(r"```bash\n(.+?)\n```", after, flags=re.S)
        assert block and block.group(1).strip().startswith("pip install")
