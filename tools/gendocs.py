"""Generate the docs that come from the code, and workbook_template.xlsx.

Also writes the message template kpi_xl/locale/kpi_xl.pot (stale when the set of
messages differs). Run ``python tools/gendocs.py`` from the project root to write them, ``python
tools/gendocs.py --check`` to exit 1 when one is stale (a test checks too).

The function reference (docs/functions.md, docs/zh-TW/functions.md) comes from
:mod:`kpi_xl.functions.catalog`: the registry (:mod:`kpi_xl.functions.registry`), the core docstrings
and examples evaluated when the docs are written, so a number in the docs is a
number the code gives. docs/scorecard.md is the sample company's scorecard worked
through by :mod:`kpi_xl.goals.explain`.

Hand-written pages may hold generated regions between ``<!-- begin generated: NAME -->`` and
``<!-- end generated: NAME -->`` (:data:`REGIONS`): the measures table of docs/goals.md and its
translations, one line per KPI a goal can track, read from the registry.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from kpi_xl.functions import catalog

from kpi_xl import i18n

#: Where each language's reference goes, relative to the project root (English at docs/,
#: every other language with a catalog at docs/<lang>/).
TARGETS = {lang: Path("docs/functions.md") if lang == i18n.SOURCE else Path("docs", lang, "functions.md")
           for lang in i18n.languages()}
#: Every generated page: path → how to make its text.
PAGES = {
    **{path: (lambda lang=lang: render(lang)) for lang, path in TARGETS.items()},
    Path("docs/scorecard.md"): lambda: _scorecard(),
}


#: Regions of hand-written pages: path → region name → how to make its text. A page that
#: does not exist under the root is left alone (it is written by hand, not here).
REGIONS = {
    **{path.with_name("goals.md"): {"measures": (lambda lang=lang: measures_table(lang))}
       for lang, path in TARGETS.items()},
}

#: Words of the measures table, per language (English for a language not listed here).
MEASURE_WORDS = {
    "en": {
        "head": "| KPI | What | Measured over a span as | Columns, in order |",
        "additive": "sum over the days (a total)", "ratio_of_totals": "each column totalled, then the ratio",
        "records": "the span's rows", "optional": " (optional)",
        "SUM": ("Total of a number column", "one number column"),
        "COUNT": ("Number of rows", "none (leave blank)"),
        "DISTINCT": ("Number of different values", "one column (any values)"),
        "AVERAGE": ("Mean of a number column", "one number column"),
        "MIN": ("Smallest value", "one number column"),
        "MAX": ("Largest value", "one number column"),
        "count_rows": "none needed: counts the rows dated in the span",
    },
    "zh-TW": {
        "head": "| KPI | 意義 | 一段期間的計算方式 | 欄位（依序） |",
        "additive": "逐日加總（總量）", "ratio_of_totals": "各欄先加總，再取比率",
        "records": "期間內的資料列", "optional": "（選填）",
        "SUM": ("數值欄的總和", "一個數值欄"),
        "COUNT": ("資料列數", "不需要（留空）"),
        "DISTINCT": ("不重複值的個數", "一個欄位（任何值）"),
        "AVERAGE": ("數值欄的平均", "一個數值欄"),
        "MIN": ("最小值", "一個數值欄"),
        "MAX": ("最大值", "一個數值欄"),
        "count_rows": "不需要：計算日期落在期間內的資料列",
    },
}


def measures_table(lang: str = "en") -> str:
    """The measures table of docs/goals.md: the engine's own measures, then every registered KPI
    a goal can track (registry ``measure`` other than "none"), with its argument columns in order."""
    from kpi_xl.functions import registry
    from kpi_xl.goals.model import NATIVE_MEASURES

    lang = i18n.language(lang)
    w = {**MEASURE_WORDS["en"], **MEASURE_WORDS.get(lang, {})}
    reference = "functions.md"
    out = [w["head"], "|---|---|---|---|"]
    for name in NATIVE_MEASURES:
        what, columns = w[name]
        kind = w["additive"] if name in ("SUM", "COUNT") else w["records"]
        out.append(f"| `{name}` | {what} | {kind} | {columns} |")
    for f in catalog.functions():
        if f.kpi.measure == "none":
            continue
        title = f.title(lang) if lang != i18n.SOURCE else None
        what = title or _short(f.summary_in(lang))
        if f.kpi.measure == "additive":
            columns = w["count_rows"]
        else:
            columns = ", ".join(f"`{a.name}`" + (w["optional"] if a.optional else "") for a in f.arguments)
        out.append(f"| [`{f.name}`]({reference}#{f.name.lower()}) | {_cell(what)} | {w[f.kpi.measure]} | {columns} |")
    return "\n".join(out)


def _short(summary: str) -> str:
    """"Customer churn rate = lost / start" → "Customer churn rate": the name part of a description."""
    import re

    return re.split(r"\s[=:(]|: ", summary, maxsplit=1)[0].rstrip(".")


BEGIN, END = "<!-- begin generated: {name} -->", "<!-- end generated: {name} -->"


def fill_regions(text: str, regions: dict) -> str:
    """``text`` with every generated region replaced by what its maker gives now."""
    for name, make in regions.items():
        begin, end = BEGIN.format(name=name), END.format(name=name)
        head, found, rest = text.partition(begin)
        if not found or end not in rest:
            raise ValueError(f"no region {begin} ... {end}")
        text = head + begin + "\n" + make() + "\n" + end + rest.split(end, 1)[1]
    return text


def _scorecard() -> str:
    return scorecard_page("en")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(lang: str = "en") -> str:
    """The whole reference as Markdown, in ``lang`` (its catalog's words; English where it has none)."""
    lang = i18n.language(lang)
    t = lambda s: i18n.pgettext("docs", s, lang)  # noqa: E731
    colon = i18n.pgettext("punctuation", catalog.COLON, lang)
    funcs = catalog.functions()
    out: list[str] = []
    out.append(f"# {t('KPI worksheet functions')} — {t('Functions reference')}")
    out.append("")
    out.append(
        "<!-- Generated by `python tools/gendocs.py` from kpi_xl/functions/registry.py and kpi_xl/metrics. "
        "Do not edit by hand: a test fails when this file is stale. -->"
    )
    out.append("")
    out.append(t(catalog.DOCS_INTRO).format(n=len(funcs)))
    out.append("")
    # table of contents
    for group, names in catalog.GROUPS.items():
        links = ", ".join(f"[{n}](#{n.lower()})" for n in names)
        out.append(f"- **{catalog.group_name(group, lang)}**{colon} {links}")
    out.append(f"- [{t('Where Excel already has a native formula')}](#native)")
    out.append("")
    current = None
    for f in funcs:
        if f.group != current:
            current = f.group
            out.append(f"## {catalog.group_name(f.group, lang)}")
            out.append("")
        title = f.title(lang) if lang != i18n.SOURCE else None
        out.append(f'<a id="{f.name.lower()}"></a>')
        out.append(f"### {f.name}" + (f" — {title}" if title else ""))
        out.append("")
        out.append(f.summary_in(lang))
        out.append("")
        out.append(f"`{f.signature}`")
        out.append("")
        if "Formula" in f.sections:
            out.append(f"**{t('Formula')}{colon}** {f.section('Formula', lang)}")
            out.append("")
        out.append(f"| {t('Argument')} | |")
        out.append("|---|---|")
        for a in f.arguments:
            opt = t(catalog.DOCS_OPTIONAL).format(optional=t("optional")) if a.optional else ""
            out.append(f"| `{a.name}`{opt} | {_cell(f.argument_help(a, lang))} |")
        out.append("")
        for section in catalog.TRANSLATED:
            text = f.section(section, lang)
            if text:
                out.append(f"**{t(section)}{colon}** {text}")
                out.append("")
        result = catalog.format_result(f.run_example())
        note = f" ({f.example.note})" if f.example.note and lang == i18n.SOURCE else ""
        out.append(f"**{t('Example')}{colon}** `{f.example.formula}` → **{result}**{note}")
        out.append("")
        if "Source" in f.sections:
            out.append(f"**{t('Source')}{colon}** {f.section('Source', lang)}")
            out.append("")
    out.append('<a id="native"></a>')
    out.append(f"## {t('Where Excel already has a native formula')}")
    out.append("")
    out.append(t(catalog.DOCS_NATIVE))
    out.append("")
    out.append(f"| KPI | {t('Formula')} | |")
    out.append("|---|---|---|")
    for kpi, formula, note in catalog.NATIVE:
        out.append(f"| {_cell(i18n.pgettext('native formula', kpi, lang))} | `{_cell(formula)}` | "
                   f"{_cell(i18n.pgettext('native formula', note, lang))} |")
    out.append("")
    return "\n".join(out)


TEMPLATE = Path("workbook_template.xlsx")
#: The message template: every text the code shows, for translators (``pybabel extract``).
POT = Path("kpi_xl/locale/kpi_xl.pot")
#: Markers besides Babel's defaults (N_, gettext, pgettext...): see kpi_xl/i18n.py.
KEYWORDS = {"NC_": ((1, "c"), 2), "Message": None}


#: The checkout whose code the message template is extracted from.
SOURCE_ROOT = Path(__file__).resolve().parents[1]


def pot_catalog(root: Path = SOURCE_ROOT):
    """The message template extracted from ``root/kpi_xl`` with babel.cfg, as a Babel Catalog
    (the same as ``pybabel extract -F babel.cfg -k NC_:1c,2 -k Message -o kpi_xl/locale/kpi_xl.pot kpi_xl``)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    catalog = Catalog(project="kpi-xl", domain="kpi_xl", charset="utf-8")
    for _path, _line, msgid, comments, context in extract_from_dir(
            root / "kpi_xl", method_map, options_map, keywords={**DEFAULT_KEYWORDS, **KEYWORDS}):
        catalog.add(msgid, None, context=context, auto_comments=comments)
    return catalog


def pot_text(root: Path = SOURCE_ROOT) -> str:
    import io

    from babel.messages.pofile import write_po

    buf = io.BytesIO()
    write_po(buf, pot_catalog(root), width=100, no_location=True, omit_header=False, sort_output=True)
    # the creation date would make every run differ
    return "\n".join(line for line in buf.getvalue().decode("utf-8").splitlines()
                     if not line.startswith('"POT-Creation-Date:')) + "\n"


def message_ids(text: str) -> set[tuple[str | None, str]]:
    """(context, msgid) of every message in a .po/.pot text."""
    import io

    from babel.messages.pofile import read_po

    return {(m.context, m.id) for m in read_po(io.BytesIO(text.encode("utf-8"))) if m.id}


def template_bytes() -> bytes:
    """The bytes `kpi-xl new workbook_template.xlsx` writes (English, sample company)."""
    import tempfile

    from kpi_xl.workbook.template import new

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / TEMPLATE.name
        new(path, lang="en")
        return path.read_bytes()


def template_differences(path: Path, data: bytes, limit: int = 20) -> list[str]:
    """How the workbook at ``path`` differs from ``data`` as a reader would see it (cell values and
    formulas, formats, sizes, drop-downs, tables, charts; numbers to nine digits), at most ``limit``."""
    import tempfile

    from workbook_view import differences, view

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / TEMPLATE.name
        fresh.write_bytes(data)
        return differences(view(path), view(fresh), limit)


def write(root: Path, check: bool = False) -> list[Path]:
    """Write (or, with ``check``, compare) every generated page and the template workbook;
    returns the stale paths."""
    stale = []
    tpl = root / TEMPLATE
    data = template_bytes()
    if not tpl.exists() or template_differences(tpl, data):
        stale.append(tpl)
        if not check:
            tmp = tpl.with_suffix(".xlsx.tmp")
            tmp.write_bytes(data)
            tmp.replace(tpl)
    pot = root / POT
    fresh = pot_text()
    if not pot.exists() or message_ids(pot.read_text(encoding="utf-8")) != message_ids(fresh):
        stale.append(pot)
        if not check:
            pot.parent.mkdir(parents=True, exist_ok=True)
            pot.write_text(fresh, encoding="utf-8")
    for rel, make in PAGES.items():
        path = root / rel
        text = make()
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".md.tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
    for rel, regions in REGIONS.items():
        path = root / rel
        if not path.exists():
            continue
        current = path.read_text(encoding="utf-8")
        text = fill_regions(current, regions)
        if current != text:
            stale.append(path)
            if not check:
                tmp = path.with_suffix(".md.tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
    return stale


def scorecard_page(lang: str = "en") -> str:
    """docs/scorecard.md: how the engine works, worked through on the sample company."""
    from kpi_xl import sample
    from kpi_xl.goals import grade_okrs, payouts, smart_check
    from kpi_xl.goals.explain import explain_goal, number_text as _n
    from kpi_xl.goals.scorecard import compute
    from kpi_xl.goals.smart import verdict_text
    from kpi_xl.workbook.content import localized

    company = sample.load(lang)
    result = compute(company.goals, company.tables, company.as_of)
    card = localized(result.scorecard, lang)
    out = [
        "# The scorecard: how every number is computed",
        "",
        "<!-- Generated by `python tools/gendocs.py` from kpi_xl/goals and the sample company (kpi_xl/sample.py). "
        "Do not edit by hand: a test fails when this file is stale. -->",
        "",
        f"The numbers below are the sample company's ({company.name}) on {company.as_of}, computed by "
        "`kpi_xl.goals.compute`. Each goal's row is derived step by step under *Worked through*.",
        "",
        "## The rules",
        "",
        "- **Spans** are whole days, both ends included. On a goal's start date 1 day has passed; "
        "on its end date all of them.",
        "- **Additive KPIs** (SUM, COUNT, TICKETS_RESOLVED) add up over time: the target is a total by the end "
        "date, the actual a running total. **Ratio KPIs** (CONVERSION, CHURN, NRR... any per-row function) "
        "total each argument column over the span first, then take the ratio. **Record KPIs** (ACV, NPS, CSAT, "
        "FRT, AVERAGE...) get the span's rows.",
        "- **Expected by now** grows in a straight line from the baseline (0 for additive goals and distinct "
        "counts) on the start date to the target on the end date. For additive goals and distinct counts with "
        "data a year earlier, a **seasonal** expectation uses the share of last year's same span reached by the "
        "same day instead. The Scorecard's *Expected by now* is always the one pace uses, and the Why column "
        "says which: *(seasonal expectation)* or *(linear expectation)*. A level goal (an average or ratio) "
        "with no baseline has no path: its expectation is the target.",
        "- **Achievement** is `ACHIEVEMENT(actual, target, baseline, direction)`; **pace** is the same "
        "formula against Expected by now (1 = on plan), so for a higher-is-better goal without a baseline "
        "Actual ÷ Expected by now = Pace. A *maintain* goal scores 1 inside its band.",
        "- **Forecast**, always in the target's unit (the KPI over the whole goal period): additive goals by "
        "run rate, or seasonally (actual ÷ last year's share) when last year's data exists; a **distinct "
        "count** by last year's share of its distinct count by the same day, or, without a year of history, "
        "by Heaps' law (count so far × (period days ÷ days passed)^β, β fitted to how fast new values arrived "
        "over the later half of the days passed); an **average or ratio** as the days-weighted mix of its "
        "value so far and the level of the days left (a least-squares line through the complete periods when "
        "its slope is at least 2 standard errors, else the value so far); **MIN/MAX** as the extreme so far or "
        "the level the periods left reach, whichever is further. Fewer than 4 complete periods: the value so "
        "far. Once the period has ended the forecast **is** the actual.",
        "- **Chance of meeting the target** (where the data supports one): additive goals model the "
        "remaining days as draws like the days so far (normal approximation, at least 14 days of history); "
        "distinct counts treat the customers still to come as Poisson arrivals plus 15 % model error; averages "
        "and ratios use the spread of their periods, shrunk to the days left; a MIN/MAX target already reached "
        "cannot be undone (100 %). After the end date the chance is 100 % or 0 %.",
        "- **Status**: the first rule that holds: Achieved when achievement ≥ 1; On track when pace ≥ 0.95; "
        "Behind when pace ≥ 0.85; otherwise At risk. The rules are editable (Settings). Two rules keep the "
        "status stable: an **average or ratio** can still fall, so before its end date it is never Achieved "
        "(it is On track, Behind or At risk, and Why says *Achieved only once the period ends*); running "
        "totals, distinct counts, MIN and MAX keep the rules as written, since what they reached cannot be "
        "undone. **Once the period has ended** a goal is Achieved or, short of its target, At risk "
        "(Why: *the period has ended short of the target*), never On track. A maintain goal is On track "
        "inside its band (Achieved once the period is over), Behind within a tenth of the band's width "
        "outside, else At risk. A goal whose start date is still to come is Not started.",
        "- **Cascade**: a parent's roll-up is the weighted mean of its children's achievement (or pace), "
        "or their min, max, or the sum of their actuals against the parent's target.",
        "",
        "## The sample company's scorecard",
        "",
        "| Goal | Owner | KPI | Actual | Target | Achievement | Pace | Forecast | Chance | Status |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in card.itertuples(index=False):
        unit = r.unit
        ach = r.achievement if not math.isnan(r.achievement) else r.rollup_achievement
        pace = r.pace if not math.isnan(r.pace) else r.rollup_pace
        out.append(
            f"| {r.id} {r.name} | {r.owner} | {r.kpi} | {_n(r.actual, unit)} | {_n(r.target, unit)} | "
            f"{_n(ach, '%')} | {_n(pace, '%')} | {_n(r.forecast, unit)} | "
            f"{'–' if math.isnan(r.chance) else f'{r.chance * 100:.0f} %'} | {r.status_label} |"
        )
    out += ["", "## Worked through", ""]
    for r in card.itertuples(index=False):
        out.append(f"### {r.id} — {r.name}")
        out.append("")
        out += [f"- {line.text(lang)}" for line in explain_goal(result, r.id)]
        out.append("")
    smart = smart_check(company.goals, company.tables)
    out += ["## SMART check", "", "| Goal | Verdict |", "|---|---|"]
    out += [f"| {s.id} | {verdict_text(s).text(lang)} |" for _, s in smart.iterrows()]
    if result.warnings:
        out += ["", "Warnings: " + "; ".join(w.text(lang) for w in result.warnings)]
    krs, objs = grade_okrs(company.okrs, card)
    krs, objs = localized(krs, lang), localized(objs, lang)
    out += ["", "## OKRs", "", "Key-result score: the given score, else (current − start) / (target − start), "
            "clipped to 0–1; objective score: their weighted mean (0.7 is a good score).", "",
            "| Objective | Key result | Score | Grade | Related goal |", "|---|---|---:|---|---|"]
    for k in krs.itertuples(index=False):
        rel = f"{k.goal} ({k.goal_status})" if k.goal else ""
        out.append(f"| {k.objective} | {k.key_result} | {k.score:.2f} | {k.grade} | {rel} |")
    for o in objs.itertuples(index=False):
        out.append(f"| **{o.objective}** | objective | **{o.score:.2f}** | **{o.grade}** | |")
    pay = payouts(card, company.plans)
    out += ["", "## Incentive payouts", "", "Fraction = Σ weight × PAYOUT(achievement, threshold, accelerator, cap) "
            "/ Σ weight over the owner's goals on a plan; projected uses each goal's forecast achievement.", "",
            "| Owner | Plan | Goals | Achievement | Payout now | Projected | Reward |", "|---|---|---|---:|---:|---:|---|"]
    for p in pay.itertuples(index=False):
        reward = f"{p.reward} ({'earned' if p.reward_earned else 'not yet'})" if p.reward else ""
        out.append(f"| {p.owner} | {p.plan} | {p.goals} | {_n(p.achievement, '%')} | {_n(p.payout)} | "
                   f"{_n(p.projected_payout)} | {reward} |")
    out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """``python tools/gendocs.py [--check] [--root DIR] [--images]``; exit 1 when ``--check`` finds a stale file."""
    import argparse

    parser = argparse.ArgumentParser(description="Write the generated docs (functions, scorecard) and "
                                                 "workbook_template.xlsx.")
    parser.add_argument("--check", action="store_true", help="Do not write; exit 1 if the docs are stale.")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="Project root holding docs/ (default: this checkout).")
    parser.add_argument("--images", action="store_true",
                        help="Also remake the screenshots in docs/img with LibreOffice (tools/screenshots.py).")
    args = parser.parse_args(argv)
    stale = write(args.root, check=args.check)
    if args.images and not args.check:
        import screenshots

        screenshots.main([])
    if args.check and stale:
        print("stale: " + ", ".join(str(p) for p in stale) + " (run: python tools/gendocs.py)", file=sys.stderr)
        return 1
    print("up to date" if not stale else "wrote " + ", ".join(str(p) for p in stale))
    return 0


if __name__ == "__main__":
    sys.exit(main())
