"""Results of constant formulas, kept between refreshes.

A formula whose arguments are all typed in it (``=CLV_PREDICT(4, 200, 300, 80, ...)``, the
Functions sheet's examples) gives the same result at every refresh, as long as the code that
computes it is the same. Computing some costs more than the rest of a refresh's formulas
together (CLV_PREDICT imports SciPy's special functions: 0.1-0.2 s), so a refresh keeps the
results of such formulas in the user's cache folder (:func:`kpi_xl.i18n.cache_dir`), in a
file named by a stamp of the code: kpi-xl's own files and the NumPy and SciPy installed
(their size and time of change). Any change of them starts a new file, so a kept result is
always the one this code would compute. A read-only or damaged cache only means computing
again.

Constant means: no cell, range, table or name is referenced, and every function called is a
kpi-xl worksheet function (they depend on their arguments only; the workbook's language, which
some take as a default, is part of the key) given every argument it would otherwise read from
the workbook (P_ALIVE and CLV_PREDICT without their parameters read the fitted model's names).
Excel's own functions are computed every time (TODAY and its kind depend on the day).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from .. import i18n
from ..functions import registry

PREFIX = "formulas-"


def constant(tokens) -> bool:
    """Whether a tokenized formula (openpyxl tokenizer items) references nothing and calls only
    kpi-xl worksheet functions (at least one: plain arithmetic costs nothing to compute), none of
    them leaving out an argument it then reads from the workbook (``=P_ALIVE(4, 200, 300)`` reads
    the fitted model's defined names)."""
    calls = arrays = 0
    stack: list[list] = []  # each open call: [its KPI, the argument it is at, whether that one has tokens]
    for t in tokens:
        if t.type == "WHITE-SPACE":
            continue
        if t.type == "OPERAND" and t.subtype == "RANGE":
            return False
        if t.type == "ARRAY":  # {4,5,6}: its commas separate the array's values, not the call's arguments
            arrays += 1 if t.subtype == "OPEN" else -1
        arg_sep = t.type == "SEP" and t.subtype == "ARG" and not arrays
        if stack and not (arg_sep or t.type == "FUNC" and t.subtype == "CLOSE"):
            stack[-1][2] = True
        if t.type == "FUNC" and t.subtype == "OPEN":
            name = t.value[:-1].upper().removeprefix("_XLUDF.").removeprefix("_XLFN.").removeprefix("_XLWS.")
            kpi = registry.find(name)
            if kpi is None:
                return False
            calls += 1
            stack.append([kpi, 0, False, set()])
        elif stack and arg_sep:
            if stack[-1][2]:
                stack[-1][3].add(stack[-1][1])
            stack[-1][1] += 1
            stack[-1][2] = False
        elif stack and t.type == "FUNC" and t.subtype == "CLOSE":
            kpi, at, filled, given = stack.pop()
            if filled:
                given.add(at)
            names = [a.name for a in kpi.arguments]
            if any(names.index(argument) not in given for argument, _name in kpi.from_workbook):
                return False
    return calls > 0


@functools.lru_cache(maxsize=1)
def stamp() -> str:
    """A hash of the code a constant formula's result depends on: every file of kpi-xl and the
    NumPy and SciPy packages' own ``__init__`` and version files (an upgrade rewrites them)."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(root.rglob("*.py"))
    for lib in ("numpy", "scipy"):
        spec = importlib.util.find_spec(lib)
        if spec is not None and spec.origin:
            files += [Path(spec.origin), Path(spec.origin).with_name("version.py")]
    h = hashlib.sha256()
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        h.update(f"{f}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:24]


class FormulaMemo:
    """The kept results (formula key → value) of one code stamp; :meth:`save` writes new ones."""

    def __init__(self, folder: Path | None = None):
        self.path = (folder or i18n.cache_dir()) / f"{PREFIX}{stamp()}.json"
        self._values: dict[str, Any] | None = None
        self._new = False

    def _load(self) -> dict[str, Any]:
        if self._values is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                self._values = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._values = {}
        return self._values

    @staticmethod
    def key(formula: str, lang: str | None, epoch: Any) -> str:
        return f"{lang}\0{epoch:%Y-%m-%d}\0{formula}"

    def get(self, key: str) -> tuple[bool, Any]:
        values = self._load()
        return (key in values, values.get(key))

    def put(self, key: str, value: Any) -> None:
        """Keep a plain result (a number, text or TRUE/FALSE); errors and arrays are computed again."""
        if isinstance(value, bool) or isinstance(value, str) or (
                isinstance(value, (int, float)) and math.isfinite(value)):
            values = self._load()
            if values.get(key, object()) != value:
                values[key] = value
                self._new = True

    def save(self) -> None:
        """Write the results kept (whole or not at all); remove other stamps' files unused for a week."""
        if not self._new:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, prefix=".tmp-", suffix=".json",
                                             delete=False, encoding="utf-8") as tmp:
                json.dump(self._values, tmp)
            os.replace(tmp.name, self.path)
            week_ago = time.time() - 7 * 86400  # another install's (used this week) stays
            for old in self.path.parent.glob(f"{PREFIX}*.json"):
                if old != self.path and old.stat().st_mtime < week_ago:
                    old.unlink()
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp.name)
        self._new = False
