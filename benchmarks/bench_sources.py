"""Sources speed: a 10,000,000-row Parquet order log, refreshed where it lives.

Generates (in a temp folder, by DuckDB) an order log of --rows rows: Order date (a DATE,
18 months), Channel (three spellings of two channels), Region, Customer ID, Items (some
blank), Amount and Cost; and a kpi-xl workbook whose Sources table names the file and whose
six goals measure it the ways that are pushed down: revenue (SUM), orders (COUNT), revenue
of one channel (a filter), orders of one region (another filter column), single-item orders
(a number filter) and gross margin (a ratio of totals, two columns). Then, in the same run,
alternating, each in a fresh child process (peak memory VmHWM is the child's):

* baseline: DuckDB's own bare grouped aggregate of the same measures on the same file (the
  rows per day, channel, region and item count, the sums and counts of Amount and Cost),
  fetched;
* refresh: ``kpi_xl.workbook.refresh.refresh(book)``: reading the workbook, the grouped
  query, the scorecard, history and charts, the formulas, writing the workbook back.

Times are the best of --repeat around the call alone (modules imported). The refresh child
checks its Scorecard against the baseline's totals, so no run is timed doing nothing.

    python benchmarks/bench_sources.py                       # 10,000,000 rows, best of 3
    python benchmarks/bench_sources.py --rows 1000000 --repeat 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 4, 15)

GENERATE = """
COPY (
  SELECT DATE '2025-01-01' + CAST(floor(random() * 546) AS INTEGER) AS "Order date",
         ['Online', 'Shop', 'online '][1 + CAST(floor(random() * 3) AS INTEGER)] AS "Channel",
         ['North', 'South', 'East', 'West'][1 + CAST(floor(random() * 4) AS INTEGER)] AS "Region",
         'K' || lpad(CAST(CAST(floor(random() * 50000) AS INTEGER) AS VARCHAR), 5, '0') AS "Customer ID",
         CASE WHEN random() < 0.03 THEN NULL ELSE 1 + CAST(floor(random() * 4) AS INTEGER) END AS "Items",
         round(80 + random() * 900, 2) AS "Amount",
         round((80 + random() * 900) * 0.45, 2) AS "Cost"
  FROM range({rows})
) TO '{path}' (FORMAT parquet)
"""

#: The goals: ID, KPI, Columns, Filter.
GOALS = [("REV", "SUM", "Amount", ""), ("ORD", "COUNT", "", ""), ("ONL", "SUM", "Amount", "Channel=online"),
         ("NORTH", "COUNT", "", "Region=North"), ("ONE", "COUNT", "", "Items=1"), ("GM", "GROSS_MARGIN", "Amount, Cost", "")]

BARE = """
SELECT "Order date", "Channel", "Region", "Items", COUNT(*), SUM(CAST("Amount" AS DOUBLE)),
       COUNT(CAST("Amount" AS DOUBLE)), SUM(CAST("Cost" AS DOUBLE)), COUNT(CAST("Cost" AS DOUBLE))
FROM read_parquet('{path}') WHERE "Order date" IS NOT NULL GROUP BY "Order date", "Channel", "Region", "Items"
"""

CHILD = r"""
import json, sys, time
what, path, book, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
import datetime as dt
import duckdb
from kpi_xl.workbook.refresh import refresh
best, check = float("inf"), None
for _ in range(repeat):
    if what == "baseline":
        t = time.perf_counter()
        con = duckdb.connect()
        rows = con.sql(sys.argv[5]).fetchall()
        con.close()
        best = min(best, time.perf_counter() - t)
        check = {"rows": len(rows), "revenue": sum(r[5] for r in rows if r[0] >= dt.date(2026, 4, 1)
                                                   and r[0] <= dt.date(2026, 4, 15))}
    else:
        t = time.perf_counter()
        report = refresh(book, dt.date(2026, 4, 15), backup=False)
        best = min(best, time.perf_counter() - t)
        from python_calamine import CalamineWorkbook
        card = CalamineWorkbook.from_path(book).get_sheet_by_name("Scorecard").to_python()
        check = {str(r[0]): r[5] for r in card[1:] if r and r[0]}
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": best, "peak_mib": hwm / 1024, "check": check}))
"""


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kpi_xl.cli", *args], check=True, capture_output=True, cwd=ROOT)


def build(folder: Path, rows: int) -> tuple[Path, Path]:
    import duckdb
    import pandas as pd

    data = folder / "orders.parquet"
    con = duckdb.connect()
    con.execute("SELECT setseed(0.42)")
    con.execute(GENERATE.format(rows=rows, path=data))
    con.close()
    book = folder / "orders.xlsx"
    from kpi_xl.workbook.importing import import_table
    from kpi_xl.workbook.template import new

    new(book, empty=True)
    import_table(book, "Sources", pd.DataFrame({"Name": ["Order log"], "Kind": ["parquet"], "Location": [str(data)],
                                                "Query": [""]}), backup=False)
    goals = pd.DataFrame([{"ID": gid, "Goal": f"{gid} this quarter", "Owner": "Ana Costa", "KPI": kpi,
                           "Table": "Order log", "Columns": cols, "Date column": "Order date", "Filter": filt,
                           "Direction": "higher", "Target": 1e6 if kpi != "GROSS_MARGIN" else 0.5,
                           "Start": "2026-04-01", "End": "2026-06-30", "Period": "month"}
                          for gid, kpi, cols, filt in GOALS])
    import_table(book, "Goals", goals, mode="replace", backup=False)
    return data, book


def child(what: str, data: Path, book: Path, repeat: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, what, str(data), str(book), str(repeat),
                          BARE.format(path=data)], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        data, book = build(Path(tmp), args.rows)
        print(f"generated {args.rows:,} orders ({data.stat().st_size / 2**20:.0f} MiB Parquet) and the workbook "
              f"in {time.perf_counter() - t:.1f} s")
        base, ref = child("baseline", data, book, args.repeat), child("refresh", data, book, args.repeat)
        # the check: the refresh's revenue to date equals the bare aggregate's (April 1-15)
        got, want = ref["check"].get("REV"), base["check"]["revenue"]
        if not isinstance(got, (int, float)) or abs(got - want) > 1e-6 * max(1.0, abs(want)):
            raise SystemExit(f"the refresh's revenue {got!r} is not the bare aggregate's {want!r}")
        ratio = ref["seconds"] / base["seconds"]
        print(f"{'':28}{'seconds':>10}{'peak MiB':>10}")
        print(f"{'DuckDB bare grouped query':28}{base['seconds']:>10.3f}{base['peak_mib']:>10.0f}")
        print(f"{'kpi-xl refresh (6 goals)':28}{ref['seconds']:>10.3f}{ref['peak_mib']:>10.0f}")
        print(f"ratio {ratio:.2f}x (goal: at most 2x); refresh peak memory {ref['peak_mib']:.0f} MiB "
              f"(goal: under 1024); {base['check']['rows']:,} groups")


if __name__ == "__main__":
    main()
