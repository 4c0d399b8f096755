"""Website KPIs: traffic-source share, pages per session, bounce rate."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np

from ..errors import DIV0, NUM, VALUE, KpiInputError
from ._args import column, excel_errors, omitted, texts
from ._ratio import ratio
from .kinds import Cell, Labels, Range

__all__ = ["source_share", "pages_per_session", "bounce_rate"]


@excel_errors
def source_share(
    sources: Annotated[Any, Labels("Traffic source of each row (e.g. Organic, Facebook, Direct).")],
    source: Annotated[Any, Cell("The source to measure; case is ignored.")],
    sessions: Annotated[Any, Range("Sessions on each row (optional: each row counts 1).")] = None,
) -> Any:
    """Share of traffic that came from one source (e.g. "Organic", "Facebook").

    Formula: share = sessions from `source` / all sessions. Without a sessions
    range every row counts as one session.
    Units: ratio.
    Convention: source names match without regard to case or surrounding spaces;
    rows with a blank source count in the total but match no source.
    Errors: #DIV/0! when there are no sessions; #NUM! for negative session counts;
    #VALUE! when the ranges differ in size.
    Source: Google Analytics, sessions by default channel group (session source).
    """
    labels = texts(sources, "sources")
    wanted = texts(source, "source")
    if len(wanted) != 1 or wanted[0] is None:
        raise KpiInputError(VALUE, "source: expects one source name")
    key = wanted[0].casefold()
    match = np.array([lab is not None and lab.casefold() == key for lab in labels])
    if omitted(sessions):
        weights = np.ones(len(labels))
    else:
        weights = column(sessions, "sessions")
        if weights.size != len(labels):
            raise KpiInputError(VALUE, f"sessions: has {weights.size} cells but sources has {len(labels)}")
        weights = np.where(np.isnan(weights), 0.0, weights)
        if (weights < 0).any() or np.isinf(weights).any():
            raise KpiInputError(NUM, "sessions: must be a count of 0 or more")
    if weights.size and weights.max() > 0:
        weights = weights / weights.max()  # only the proportions matter; avoids overflow
    total = weights.sum()
    if total == 0:
        raise KpiInputError(DIV0, "sessions: there is no traffic")
    return float(weights[match].sum() / total)


@excel_errors
def pages_per_session(
    pageviews: Annotated[Any, Range("Pages viewed.")],
    sessions: Annotated[Any, Range("Sessions (visits).")],
) -> Any:
    """Pages per session: how deep visitors go into the site.

    Formula: pages per session = pageviews / sessions
    Units: pages.
    Errors: #DIV/0! with no sessions; #NUM! for negatives.
    Source: Google Analytics (Universal Analytics) metric "Pages / Session".
    """
    return ratio(pageviews, sessions, ("pageviews", "sessions"))


@excel_errors
def bounce_rate(
    bounces: Annotated[Any, Range("Sessions that viewed a single page.")],
    sessions: Annotated[Any, Range("All sessions.")],
) -> Any:
    """Bounce rate: the share of sessions that viewed one page and left.

    Formula: bounce rate = single-page sessions / sessions
    Units: ratio.
    Errors: #DIV/0! with no sessions; #NUM! for negatives or more bounces than sessions.
    Source: Google Analytics (Universal Analytics) "Bounce rate": single-page sessions ÷ sessions.
    """
    return ratio(bounces, sessions, ("bounces", "sessions"), num_at_most_den=True)
