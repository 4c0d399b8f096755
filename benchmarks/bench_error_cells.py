"""Error cells speed: a sheet of --rows orders whose lookup column is #N/A on every --every-th row.

python-calamine reads an error cell as a blank, so refresh, the button's file twin and
`kpi-xl import` find a sheet's error cells in its XML (``Package.error_cells``) and put them
back. This measures that search against what refresh pays anyway for the same sheet, in the
same run, alternating:

* baseline: python-calamine reading the sheet (``to_python``), as ``FileWorkbook.sheet_values`` does;
* error cells: ``Package.error_cells`` on the same file (inflating the part to look, then reading
  the error cells), for cells that carry their reference (``r="C7"``, as Excel and openpyxl write);
* no references: ``error_cells`` on the same sheet's XML with no ``r`` on its rows and cells
  (some generators write it so), bytes in memory.

Times are the best of --repeat; each run checks it found every error cell, so none is timed
doing nothing. Measured on 2026-12-01 (100,000 rows, a loaded 2-core machine), ratios to the
calamine read: every 10th row an error, 0.35 (no references 0.66); every row an error, 2.1 (no
references 4.8). Branch errcells (07508af, rows parsed in blocks by the C parser after a search led
by "<") measured 6.1 and 7.2 (no references 10.3 and 11.8) in the same runs. A ratio ten times
these means a parse per error row, or the sheet's rows counted per error, is back.

    python benchmarks/bench_error_cells.py                    # 300,000 rows, every 10th an error
    python benchmarks/bench_error_cells.py --rows 1000000 --every 1 --repeat 1
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def build(path: Path, rows: int, every: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Orders")
    ws.append(["Order ID", "Amount", "Region"])
    for i in range(1, rows + 1):
        ws.append([f"N{i:07d}", float(i % 997), "#N/A" if i % every == 0 else "North"])  # openpyxl: an error cell
    wb.save(path)


def best(fn, repeat: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=300_000)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from python_calamine import CalamineWorkbook

    from kpi_xl.workbook.package import open_package
    from kpi_xl.workbook.package.sheetxml import error_cells

    want = args.rows // args.every
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.xlsx"
        build(path, args.rows, args.every)
        with open_package(path) as pkg:
            part = pkg.sheet("Orders").part
            bare = re.sub(rb'\sr="[A-Z]*\d+"', b"", pkg.read_part(part))  # no references on rows and cells

        def calamine():
            return len(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Orders").to_python())

        def found():
            with open_package(path) as pkg:
                return len(pkg.error_cells("Orders"))

        base, n = best(calamine, args.repeat)
        mine, got = best(found, args.repeat)
        plain, got_bare = best(lambda: len(error_cells(bare, "sheet1.xml")), args.repeat)
    ok = n == args.rows + 1 and got == want and got_bare == want
    print(f"{args.rows:,} rows, {want:,} error cells (every {args.every}), best of {args.repeat}")
    print(f"  python-calamine read      {base:8.3f} s")
    print(f"  error cells               {mine:8.3f} s   ratio {mine / base:.2f}")
    print(f"  error cells, no r=\"\"      {plain:8.3f} s   ratio {plain / base:.2f}")
    print("  checked: every error cell found" if ok else f"  CHECK FAILED: {n=} {got=} {got_bare=} {want=}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
