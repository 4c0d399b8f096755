"""The architecture as checked rules: import-linter's contracts (pyproject.toml) and private names.

Layers, bottom to top: core (kpi_xl.metrics, kpi_xl.errors) <- words (labels) <- functions
<- engine (kpi_xl.goals) <- workbook adapters <- CLI. Only the worksheet functions and the
live-Excel adapter import xlwings.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kpi_xl"


def _lint_imports() -> str:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        if sys.version_info < (3, 11):  # import-linter 2.17 (private-module contracts) needs 3.11
            pytest.skip("import-linter needs Python 3.11 or newer; CI runs it")
        pytest.fail("lint-imports is not installed: pip install -e '.[test]'")
    return exe


def test_import_contracts_are_kept():
    run = subprocess.run([_lint_imports(), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_layers_contract_orders_the_layers_top_down():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    layers = contracts["layers"]["layers"]
    where = {name.strip(" ()"): i for i, layer in enumerate(layers) for name in layer.replace(":", "|").split("|")}
    assert where["cli"] < where["workbook"] < where["goals"] < where["functions"] < where["metrics"] < where["errors"]
    assert contracts["layers"]["exhaustive"] is True
    assert contracts["xlwings-importers"]["allowed_importers"] == ["kpi_xl.udfs", "kpi_xl.workbook.live"]


def _package_of(path: Path, top: Path) -> str:
    """The package a module's relative imports start from (``top`` holds the kpi_xl folder)."""
    return ".".join(path.relative_to(top).parent.parts)


def _resolve(node: ast.ImportFrom, home: str) -> str:
    if not node.level:
        return node.module or ""
    base = home.split(".")
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_module(root: Path, dotted: str) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or path.is_dir()


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_reach_ins(root: Path = PACKAGE) -> list[str]:
    """``from kpi_xl.x import _name`` where ``kpi_xl.x`` is outside the importer's own package.

    A private module imported from its own parent package (``from . import _xlw``) is import-linter's
    business (the private_modules contract); this catches private functions, classes and constants.
    """
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        home = _package_of(path, root.parent)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _resolve(node, home)
            if not source.startswith("kpi_xl"):
                continue
            for alias in node.names:
                if not _is_private(alias.name) or _is_module(root.parent, f"{source}.{alias.name}"):
                    continue  # a private module: the private_modules contract checks those
                if source == home or source.rpartition(".")[0] == home:
                    continue  # a module of the same package may share a private helper
                found.append(f"{path.relative_to(root.parent)}:{node.lineno} imports {alias.name} from {source}")
    return found


def test_no_module_reaches_into_another_packages_private_names():
    assert private_reach_ins() == []


def test_the_private_name_check_finds_a_reach_in(tmp_path):
    pkg = tmp_path / "kpi_xl"
    (pkg / "goals").mkdir(parents=True)
    (pkg / "workbook").mkdir()
    for p in (pkg, pkg / "goals", pkg / "workbook"):
        (p / "__init__.py").write_text("")
    (pkg / "goals" / "model.py").write_text("def _date(v):\n    return v\n")
    (pkg / "goals" / "scorecard.py").write_text("from .model import _date\n")  # a sibling: fine
    (pkg / "workbook" / "refresh.py").write_text("from ..goals.model import _date\n")
    assert private_reach_ins(pkg) == ["kpi_xl/workbook/refresh.py:1 imports _date from kpi_xl.goals.model"]
