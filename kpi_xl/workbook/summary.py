"""What a refresh says it did, in no language yet: one sentence for ``kpi-xl refresh``
and the Refresh scorecard button (Excel's status bar), shown in the workbook's language."""

from __future__ import annotations

from typing import Any

from .. import i18n
from ..i18n import Join, Message, N_
from . import layout
from .refresh import Report


def refreshed(report: Report) -> Join:
    """"refreshed BOOK as of DATE: 21 goals (On track 9, ...)", or what to do in a workbook
    with no goals yet; then the goal rows with a problem, and the backup kept."""
    if report.goals:
        counts = Join(Message(N_("{status} {n}"), status=k, n=v) for k, v in report.statuses.items())
        result = (Message(N_("1 goal ({counts})"), counts=counts) if report.goals == 1 else
                  Message(N_("{n} goals ({counts})"), n=report.goals, counts=counts))
    else:  # an empty workbook: say what to do, not "0 goals ()"
        result = Message(N_("no goals yet; write one per row in the Goals sheet, then refresh again"))
    said = [Message(N_("refreshed {book} as of {date}: {result}"), book=str(report.path), date=report.as_of,
                    result=result)]
    if report.problems:
        said.append(Message(N_("{n} goal row(s) with a problem, shown as No data (see the warnings)"),
                            n=report.problems))
    return Join(said, sep="; ")


def kept(report) -> Message | None:
    """Where the previous version was kept, if it was (a refresh, import or predict report)."""
    return Message(N_("previous version kept as {path}"), path=str(report.backup)) if report.backup else None


def change_lines(changes: list[list[Any]], only: tuple[str, ...] | None = None, lang: str = "en") -> list[str]:
    """The Changes region's rows as lines: "S1 Won contract value…: Behind → At risk"."""
    keys = [c[0] for c in layout.CHANGES_COLUMNS]
    out = []
    for row in changes[1:]:
        r = dict(zip(keys, row))
        if not r.get("id") or (only is not None and str(r["id"]) not in only):
            continue
        out.append(Message(N_("{goal}: {was} \u2192 {now}"), goal=f"{r['id']} {r['name']}", was=r["was"],
                           now=r["now"]).text(lang))
    return out


def changed(rep: Report) -> Message | None:
    """"2 goal(s) changed status since the previous review period (the Changes region on the
    Scorecard)", or None when none did: what ``kpi-xl refresh`` and the Refresh button say."""
    n = sum(1 for row in rep.changes[1:] if row and row[0] not in ("", None))
    if not n:
        return None
    return Message(N_("{n} goal(s) changed status since the previous review period (the Changes region on the "
                      "{sheet} sheet)"), n=n, sheet=layout.sheet("scorecard", rep.lang))


def got_worse(rep: Report) -> Message | None:
    """"1 goal(s) got worse since the previous review period: S1 …: Behind → At risk", or None."""
    if not rep.worse:
        return None
    lines = change_lines(rep.changes, rep.worse, rep.lang)
    return Message(N_("{n} goal(s) got worse since the previous review period: {goals}"), n=len(rep.worse),
                   goals=i18n.Join(lines, sep="; "))
