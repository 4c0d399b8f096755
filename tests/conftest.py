"""Make the tests' helpers (tests/support) and the project's tools (tools/gendocs.py) importable."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

for folder in (ROOT / "tests", ROOT / "tools"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
