"""What a refresh says it did, in no language yet: one sentence for ``kpi-xl refresh``
and the Refresh scorecard button (Excel's status bar), shown in the workbook's language."""

from __future__ import annotations

from ..i18n import Join, Message, N_
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
