"""100 SUMIFS over a 100,000-row table: the time they add to kpi-xl refresh and to LibreOffice.

Builds the sample company's workbook with its Orders table grown to --rows rows and
a Region column (5 regions), and a copy that also holds --formulas SUMIFS on the
Start sheet (column AA), each a region and a month:

    =SUMIFS(Orders[Amount],Orders[Region],"North",Orders[Date],">="&DATE(2025,1,1),Orders[Date],"<"&DATE(2025,2,1))

Then, alternating, in fresh processes, for both workbooks:

* kpi-xl: :func:`kpi_xl.workbook.refresh.refresh` of the whole workbook (what
  ``kpi-xl refresh`` runs);
* LibreOffice headless: load, recalculate every formula, save as .xlsx
  (``soffice --convert-to xlsx``, one fresh ``-env:UserInstallation`` profile per
  run whose ``OOXMLRecalcMode`` = 0 forces the recalculation on load).

"Added" is the time with the formulas minus the time without (best of --repeat
each). Target: kpi-xl's added time < LibreOffice's. Both results are checked: every
SUMIFS value in the refreshed and in the LibreOffice-saved copy must equal a pandas
group-by of the same rows, so neither side can be timed doing nothing.

    python benchmarks/bench_formulas.py                  # 100,000 rows, 100 SUMIFS, best of 3
    python benchmarks/bench_formulas.py --repeat 1 --no-libreoffice
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_refresh import make_book, run  # noqa: E402  (same folder)

REGIONS = 5
COLUMN = 27  # AA on the Start sheet

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def formulas(book: Path, count: int) -> list[tuple[str, str, str, str]]:
    """``count`` (formula, region, first day, first day of next month), regions × months in turn."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Orders").to_python()
    head = rows[0]
    col_r, col_d = head.index("Region"), head.index("Date")
    regions = sorted({r[col_r] for r in rows[1:]})
    months = sorted({(r[col_d].year, r[col_d].month) for r in rows[1:]})
    out = []
    for k in range(count):
        region = regions[k % len(regions)]
        y, m = months[(k // len(regions)) % len(months)]
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append((f'SUMIFS(Orders[Amount],Orders[Region],"{region}",Orders[Date],">="&DATE({y},{m},1),'
                    f'Orders[Date],"<"&DATE({ny},{nm},1))', region, f"{y}-{m:02d}-01", f"{ny}-{nm:02d}-01"))
    return out


def add_formulas(book: Path, out: Path, specs) -> Path:
    """A copy of ``book`` with the formulas in Start!AA1:AA{n} (cached value 0: never computed)."""
    from kpi_xl.workbook.package import KeptCell, open_package

    shutil.copy(book, out)
    with open_package(out) as pkg:
        pkg.write_region("Start", 1, COLUMN, COLUMN, [[KeptCell(0, f)] for f, *_ in specs])
        pkg.save(out, backup=False)
    return out


def expected(book: Path, specs) -> list[float]:
    import pandas as pd
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Orders").to_python()
    df = pd.DataFrame(rows[1:], columns=rows[0])
    df["Date"] = pd.to_datetime(df["Date"])
    return [float(df.loc[(df["Region"] == r) & (df["Date"] >= a) & (df["Date"] < b), "Amount"].sum())
            for _f, r, a, b in specs]


def check(path: Path, want: list[float], who: str) -> str:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Start").to_python(skip_empty_area=False)
    got = [rows[i][COLUMN - 1] if i < len(rows) and len(rows[i]) >= COLUMN else None for i in range(len(want))]
    bad = [i for i, (g, w) in enumerate(zip(got, want)) if not isinstance(g, (int, float)) or abs(g - w) > 1e-6 * max(1, abs(w))]
    return "ok" if not bad else f"WRONG in {who}: AA{bad[0] + 1} = {got[bad[0]]!r}, expected {want[bad[0]]}"


def libreoffice(book: Path, tmp: Path, name: str) -> float:
    """Seconds for LibreOffice headless to load ``book``, recalculate every formula and save it as .xlsx."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    profile = Path(tempfile.mkdtemp(prefix="lo-bench-", dir=tmp))
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    src = tmp / f"{name}.xlsx"
    shutil.copy(book, src)
    outdir = tmp / f"lo-{name}"
    outdir.mkdir(exist_ok=True)
    cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
           "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "xlsx", "--outdir", str(outdir), str(src)]
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=1800)
    elapsed = time.perf_counter() - t
    if not (outdir / src.name).is_file():
        raise SystemExit(f"LibreOffice wrote nothing for {src.name}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--formulas", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-libreoffice", action="store_true")
    ap.add_argument("--check", action="store_true", help="exit 1 when kpi-xl adds more time than LibreOffice")
    args = ap.parse_args()
    use_lo = not args.no_libreoffice and (shutil.which("soffice") or shutil.which("libreoffice"))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t = time.perf_counter()
        bare = make_book(args.rows, tmp / "bare.xlsx", "Orders", regions=REGIONS)
        specs = formulas(bare, args.formulas)
        full = add_formulas(bare, tmp / "full.xlsx", specs)
        want = expected(bare, specs)
        print(f"built two workbooks with {args.rows:,} order rows, one with {args.formulas} SUMIFS, "
              f"in {time.perf_counter() - t:.0f} s")
        times: dict[str, list[float]] = {"kpi bare": [], "kpi full": [], "lo bare": [], "lo full": []}
        for _ in range(args.repeat):  # alternating, so every side sees the same machine load
            times["kpi bare"].append(run("refresh", bare, tmp, name="kpi-bare")["seconds"])
            times["kpi full"].append(run("refresh", full, tmp, name="kpi-full")["seconds"])
            if use_lo:
                times["lo bare"].append(libreoffice(bare, tmp, "lo-bare"))
                times["lo full"].append(libreoffice(full, tmp, "lo-full"))
        verdicts = [check(tmp / "kpi-full.xlsx", want, "kpi-xl refresh")]
        if use_lo:
            verdicts.append(check(tmp / "lo-lo-full" / "lo-full.xlsx", want, "LibreOffice"))
    best = {k: min(v) for k, v in times.items() if v}
    ours = best["kpi full"] - best["kpi bare"]
    print(f"kpi-xl refresh:        without {best['kpi bare']:6.2f} s   with {best['kpi full']:6.2f} s   "
          f"added {ours:6.2f} s")
    ok = True
    if use_lo:
        theirs = best["lo full"] - best["lo bare"]
        print(f"LibreOffice recalc:    without {best['lo bare']:6.2f} s   with {best['lo full']:6.2f} s   "
              f"added {theirs:6.2f} s")
        print(f"ratio of added times kpi-xl / LibreOffice: {ours / theirs if theirs > 0 else float('inf'):.2f} "
              f"(target < 1)")
        ok = ours < theirs
    print("results:", "; ".join(verdicts))
    ok = ok and all(v == "ok" for v in verdicts)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
