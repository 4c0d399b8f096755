"""Print a pip constraints file pinning every dependency of pyproject.toml to its declared minimum.

`.ci/run` installs kpi-xl twice: with the newest releases, and with these constraints, so a
test that passes only on the newest (or only on an older) release of a dependency fails CI
the day the two part. Every dependency, the test extra's included, must have a `>=` bound.
"""

import re
import sys
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

BOUND = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)")


def minimums(pyproject: Path) -> dict[str, str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    out = {}
    for req in requirements:
        m = BOUND.match(req)
        if not m:
            raise SystemExit(f"minimums: {req!r} has no '>=' lower bound in pyproject.toml")
        out[m.group(1).lower()] = m.group(2)
    return out


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]
    for name, version in sorted(minimums(root / "pyproject.toml").items()):
        print(f"{name}=={version}")
