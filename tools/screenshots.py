"""Make the screenshots in README and docs from the real workbooks, with LibreOffice.

    python tools/screenshots.py            # every image under docs/img (or: python tools/gendocs.py --images)
    python tools/screenshots.py --only tutorial

``sample``: the sample company's workbook in each language, refreshed at the
sample's as-of date (what ``kpi-xl demo`` makes), its Scorecard and Dashboard
(docs/img/scorecard-<lang>.png, dashboard-<lang>.png).
A Scorecard picture shows the columns a first reader needs (:data:`SCORECARD_SHOT`), the
others hidden in a throw-away copy, so it stays legible at README width (about 880 px)
instead of 3,900 px of every column and the Changes region beside the table.
``tutorial``: docs/your-data.md's shop, made the way the tutorial says: ``kpi-xl new
--empty``, ``kpi-xl import`` of docs/examples/shop-orders.csv and shop-goals.csv,
``kpi-xl refresh`` at each month's end and on the as-of date, as a team reviewing
monthly would have (docs/img/your-data-*.png); the same in zh-TW from the Chinese example
files (docs/img/your-data-*-zh-TW.png, for docs/zh-TW/your-data.md).

Needs LibreOffice and poppler (``.ci/install-system-deps``). Each sheet is printed
whole on a page of its own (LibreOffice's whole-sheet export), as on screen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.render import render  # noqa: E402

IMG = ROOT / "docs" / "img"
EXAMPLES = ROOT / "docs" / "examples"
TUTORIAL_AS_OF = dt.date(2026, 6, 15)


def _kpi_xl(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "kpi_xl.cli", *args], stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 3):  # 3: refreshed, and a goal got worse (refresh's alert code)
        raise subprocess.CalledProcessError(done.returncode, done.args)


#: The Scorecard's columns in its pictures: who, what, how far and the status.
SCORECARD_SHOT = ("id", "name", "owner", "actual", "target", "achievement", "pace", "status_label")


def _only_columns(book: Path, sheet: str, keep: tuple[str, ...], out: Path) -> Path:
    """A copy of ``book`` whose ``sheet`` (a Scorecard) shows only the columns ``keep`` (keys of
    layout.SCORECARD_COLUMNS): every other column of its used area is hidden (LibreOffice prints
    no hidden column). Only this copy's ``<cols>`` changes; it is thrown away after the picture."""
    import zipfile

    from kpi_xl.excel import column_index
    from kpi_xl.workbook import layout
    from kpi_xl.workbook.package import open_package

    shown = {[k for k, _ in layout.SCORECARD_COLUMNS].index(k) + 1 for k in keep}
    with open_package(book) as pkg:
        part = pkg.sheet(sheet).part.lstrip("/")
    with zipfile.ZipFile(book) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    xml = members[part].decode("utf-8")
    widths = {}
    for attrs in re.findall(r"<col ([^>]*)/>", xml):
        a = dict(re.findall(r'(\w+)="([^"]*)"', attrs))
        for c in range(int(a["min"]), int(a["max"]) + 1):
            widths[c] = a.get("width", "8.7109375")
    dim = re.search(r'<dimension ref="[A-Z]+\d+:([A-Z]+)\d+"', xml)
    last = max([column_index(dim.group(1)) if dim else 0, *widths])
    cols = "".join(f'<col min="{c}" max="{c}" width="{widths.get(c, "8.7109375")}" customWidth="1"'
                   + ("" if c in shown else ' hidden="1"') + "/>" for c in range(1, last + 1))
    xml = re.sub(r"<cols>.*?</cols>", f"<cols>{cols}</cols>", xml, count=1, flags=re.S)
    members[part] = xml.encode("utf-8")
    copy = out / f"{book.stem}-shot.xlsx"
    with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return copy


def _shots(book: Path, sheets: dict[str, str], work: Path) -> None:
    """Copy the whole-sheet page of each sheet (name → image file name) to docs/img; a Scorecard
    with only the columns of :data:`SCORECARD_SHOT`."""
    from python_calamine import CalamineWorkbook

    from kpi_xl.workbook import layout

    order = CalamineWorkbook.from_path(str(book)).sheet_names
    scorecards = {layout.sheet("scorecard", lang) for lang in layout.LANGS}
    sheets = dict(sheets)
    for sheet in [s for s in sheets if s in scorecards]:
        image = IMG / sheets.pop(sheet)
        copy = _only_columns(book, sheet, SCORECARD_SHOT, work)
        result = render(copy, work / copy.stem, whole_sheets=True, pages=f"1-{order.index(sheet) + 1}")
        shutil.copyfile(result.pages[order.index(sheet)], image)
        print(f"wrote {image.relative_to(ROOT)} ({sheet}: {', '.join(SCORECARD_SHOT)})")
    if not sheets:
        return
    last = max(order.index(s) for s in sheets) + 1
    result = render(book, work / book.stem, whole_sheets=True, pages=f"1-{last}")
    for sheet, image in sheets.items():
        page = result.pages[order.index(sheet)]
        shutil.copyfile(page, IMG / image)
        print(f"wrote {(IMG / image).relative_to(ROOT)} ({sheet})")


def sample(work: Path) -> None:
    from kpi_xl import sample as company
    from kpi_xl.workbook import layout
    from kpi_xl.workbook.refresh import refresh
    from kpi_xl.workbook.template import new

    for lang in ("en", "zh-TW"):
        book = work / f"sample-{lang}.xlsx"
        new(book, lang=lang)
        refresh(book, company.AS_OF, backup=False)
        _shots(book, {layout.sheet("scorecard", lang): f"scorecard-{lang}.png",
                      layout.sheet("dashboard", lang): f"dashboard-{lang}.png"}, work)


#: docs/your-data.md's shop in each language: its order table, the order and goal files, the
#: images' suffix (docs/zh-TW/your-data.md shows the zh-TW workbook, made from the Chinese files).
TUTORIAL = {"en": ("Shop", "shop-orders.csv", "shop-goals.csv", ""),
            "zh-TW": ("\u5546\u5e97", "shop-orders-zh-TW.csv", "shop-goals-zh-TW.csv", "-zh-TW")}


def tutorial(work: Path, langs: tuple[str, ...] = tuple(TUTORIAL)) -> None:
    from kpi_xl.workbook import layout

    for lang in langs:
        table, orders, goals, suffix = TUTORIAL[lang]
        book = work / f"shop-{lang}.xlsx"
        _kpi_xl("new", "--empty", "--lang", lang, str(book))
        _kpi_xl("import", str(book), table, str(EXAMPLES / orders))
        _kpi_xl("import", str(book), "Goals", str(EXAMPLES / goals), "--replace")
        for month_end in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"):  # monthly reviews
            _kpi_xl("refresh", str(book), "--as-of", month_end, "--no-backup", "--quiet")
        _kpi_xl("refresh", str(book), "--as-of", TUTORIAL_AS_OF.isoformat(), "--no-backup", "--quiet")
        _shots(book, {layout.sheet(key, lang): f"your-data-{key}{suffix}.png"
                      for key in ("goals", "scorecard", "dashboard")}, work)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("sample", "tutorial"))
    args = parser.parse_args(argv)
    IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-xl-shots-") as tmp:
        for name, make in (("sample", sample), ("tutorial", tutorial)):
            if args.only in (None, name):
                make(Path(tmp))


if __name__ == "__main__":
    main()
