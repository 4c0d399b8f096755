"""`kpi-xl import` speed: a 100,000-row order export into an empty workbook, then 5,000 more appended.

Builds an `--empty` kpi-xl workbook and two CSV order exports (ISO dates, amounts,
customer ids, a channel) of --rows and --append rows, imports the first into the
Orders table once (untimed: the book every run starts from), then in the same run,
alternating, each in a fresh child process (peak memory VmHWM is the child's):

* baseline: a bare python-calamine read of the Orders sheet of that 100,000-row book;
* import: `import_table(book, "Orders", big.csv, mode="replace")` on a copy of the
  empty book (the whole table written);
* append: `import_table(book, "Orders", small.csv)` on a copy of the 100,000-row book.

Times are the best of --repeat, measured around the `import_table` call only (the
modules already imported; "with imports" adds importing kpi_xl, pandas and the CSV
reader, what the command pays once). An append should cost in proportion to the rows
it adds plus a fast scan of the sheet, not a parse of the whole sheet: the append's
ratio to the calamine read shows it. Each child checks its result (row count, first
and last appended order id, read back with python-calamine), so no run can be timed
doing nothing.

    python benchmarks/bench_import.py                   # 100,000 + 5,000 rows, best of 3
    python benchmarks/bench_import.py --rows 20000 --append 1000 --repeat 1
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, shutil, sys, time
what, path, work, source, first, last, rows = sys.argv[1:8]
shutil.copy(path, work)
t0 = time.perf_counter()
if what == "calamine":
    from python_calamine import CalamineWorkbook
    t = time.perf_counter()
    got = CalamineWorkbook.from_path(work).get_sheet_by_name("Orders").to_python()
    elapsed = time.perf_counter() - t
else:
    from kpi_xl.workbook.importing import import_table
    t = time.perf_counter()
    import_table(work, "Orders", source, mode="replace" if what == "import" else "append", backup=False)
    elapsed = time.perf_counter() - t
    from python_calamine import CalamineWorkbook
    got = CalamineWorkbook.from_path(work).get_sheet_by_name("Orders").to_python()
with_imports = time.perf_counter() - t0 if what == "calamine" else t + elapsed - t0
ids = [r[0] for r in got[1:]]
ok = len(got) - 1 == int(rows) and first in ids and ids[-1] == last
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": elapsed, "with_imports": with_imports, "maxrss_mib": hwm / 1024, "ok": ok}))
"""


def order_export(path: Path, n: int, start: int, seed: int) -> tuple[str, str]:
    """An order export of ``n`` rows (order ids from ``start``); returns its first and last id."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Order ID", "Date", "Customer", "Amount", "Channel"])
        for i in range(start, start + n):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(540))
            w.writerow([f"A{i:07d}", day.isoformat(), f"C{rng.randrange(20000)}", f"{rng.uniform(5, 300):.2f}",
                        rng.choice(["Online", "Store"])])
    return f"A{start:07d}", f"A{start + n - 1:07d}"


def run(what: str, book: Path, tmp: Path, source: Path | str, first: str, last: str, rows: int) -> dict:
    work = tmp / f"{what}.xlsx"
    out = subprocess.run([sys.executable, "-c", CHILD, what, str(book), str(work), str(source), first, last,
                          str(rows)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{what} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--append", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from kpi_xl.workbook.importing import import_table
    from kpi_xl.workbook.template import new

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        empty = new(tmp / "empty.xlsx", empty=True)
        big, small = tmp / "big.csv", tmp / "small.csv"
        first, last = order_export(big, args.rows, 1, seed=1)
        more_first, more_last = order_export(small, args.append, args.rows + 1, seed=2)
        full = tmp / "full.xlsx"
        full.write_bytes(empty.read_bytes())
        t = time.perf_counter()
        import_table(full, "Orders", big, mode="replace", backup=False)
        print(f"built a workbook with {args.rows:,} imported Orders rows in {time.perf_counter() - t:.1f} s "
              f"({full.stat().st_size / 2**20:.1f} MiB)")
        results: dict[str, list[dict]] = {"calamine": [], "import": [], "append": []}
        for _ in range(args.repeat):  # alternating, so all see the same machine load
            results["calamine"].append(run("calamine", full, tmp, "", first, last, args.rows))
            results["import"].append(run("import", empty, tmp, big, first, last, args.rows))
            results["append"].append(run("append", full, tmp, small, more_first, more_last, args.rows + args.append))
    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in results.items()}
    base = best["calamine"]["seconds"]
    names = {"calamine": f"python-calamine read of Orders ({args.rows:,} rows)",
             "import": f"import {args.rows:,} rows (replace)", "append": f"append {args.append:,} rows"}
    bad = [k for k, v in results.items() if not all(r["ok"] for r in v)]
    for k, r in best.items():
        print(f"{names[k]:<42} {r['seconds']:7.2f} s  ({r['with_imports']:6.2f} s with imports)  "
              f"{r['seconds'] / base:6.2f}× calamine   peak {r['maxrss_mib']:5.0f} MiB")
    print("results: " + ("ok" if not bad else "WRONG in " + ", ".join(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
