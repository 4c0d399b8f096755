"""What each argument of a KPI function is, declared on the argument itself.

A core function annotates every argument with :data:`typing.Annotated`, the Python
type first and one of these markers second::

    def churn(
        churned: Annotated[Any, Range("Customers lost in the period.")],
        customers_at_start: Annotated[Any, Range("Customers at the start of the period.")],
    ) -> Any:

The marker says how a worksheet hands the argument over (a range of numbers, a range
of labels, one cell) and carries the help line Excel's function wizard shows for it.
The worksheet functions (:mod:`kpi_xl.udfs`), the VBA module, the docs and the
catalog read them through :mod:`kpi_xl.functions.registry`; nothing here imports
more than the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

__all__ = ["ArgumentKind", "Range", "Labels", "Cell"]


@dataclass(frozen=True)
class ArgumentKind:
    """An argument's kind and its help line (one sentence, at most 255 characters)."""

    doc: str
    kind: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if not self.doc.strip() or "\n" in self.doc or len(self.doc) > 255:
            raise ValueError(f"an argument's help line is one line of 1 to 255 characters: {self.doc!r}")


@dataclass(frozen=True)
class Range(ArgumentKind):
    """Numbers or dates: a range, an array or one cell (blanks skipped, errors passed on)."""

    kind: ClassVar[str] = "range"


@dataclass(frozen=True)
class Labels(ArgumentKind):
    """A range of text labels, such as traffic sources."""

    kind: ClassVar[str] = "labels"


@dataclass(frozen=True)
class Cell(ArgumentKind):
    """One cell, taken as it is: a text option such as "month", or a single number or date."""

    kind: ClassVar[str] = "cell"
