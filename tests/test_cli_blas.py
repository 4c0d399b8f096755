"""A kpi-xl command does not start OpenBLAS's pool of a thread per core (CPU it never uses: ~0.045 s
of every command on 2 cores), unless the user chose a number of threads; the result is the same."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kpi_xl.workbook.template import new

CHILD = """
import os, sys
from kpi_xl.cli import run
sys.argv = ["kpi-xl", "refresh", sys.argv[1], "--quiet", "--no-backup", "--as-of", "2026-06-15"]
try:
    run()
except SystemExit as exc:
    assert exc.code in (0, 3), exc.code
print(os.environ.get("OPENBLAS_NUM_THREADS"), len(os.listdir("/proc/self/task")))
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc (Linux)")
@pytest.mark.parametrize("chosen", [None, "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"])
def test_refresh_starts_no_blas_pool_unless_asked(tmp_path, chosen):
    book = new(tmp_path / "book.xlsx")
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                            "GOTO_NUM_THREADS")}
    if chosen:
        env[chosen] = "2"
    out = subprocess.run([sys.executable, "-c", CHILD, str(book)], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    threads = int(out[1])
    if chosen is None:
        assert out[0] == "1" and threads == 1  # the refresh itself runs in one thread
    else:
        assert out[0] == env.get("OPENBLAS_NUM_THREADS", "None") and threads >= 2  # the user's choice stands
