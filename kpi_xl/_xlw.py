"""xlwings' worksheet-function decorators, with their declarations kept on every OS.

``kpi_xl.udfs`` is written with ``@xw.func``, ``@xw.arg`` and ``@xw.ret`` from this
module. Each call goes straight to xlwings' own decorator of the same name (on
Windows that attaches the ``__xlfunc__`` metadata Excel's function wizard and
"Import Functions" use; on other systems xlwings passes the function through), and
also records the same keyword arguments in ``f.__kpi_xl__`` so the docs, the
``kpi-xl functions`` table and the tests can read every declaration on Linux and
macOS too. Nothing is added to what xlwings receives.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

import xlwings

F = TypeVar("F", bound=Callable[..., Any])


def _record(f: Callable[..., Any]) -> dict[str, Any]:
    target = getattr(f, "__dict__", None)
    if target is None or "__kpi_xl__" not in target:
        f.__kpi_xl__ = {"func": {}, "args": {}, "ret": {}}  # type: ignore[attr-defined]
    return f.__kpi_xl__  # type: ignore[attr-defined]


def func(f: F | None = None, **kwargs: Any) -> Any:
    """``xlwings.func``: declare a worksheet function (write it above every ``arg``)."""

    def inner(f: F) -> F:
        _record(f)["func"].update(kwargs)
        return xlwings.func(**kwargs)(f)

    return inner if f is None else inner(f)


def arg(name: str, convert: Any = None, **kwargs: Any) -> Callable[[F], F]:
    """``xlwings.arg``: conversion options and help text for one argument."""

    def inner(f: F) -> F:
        options = dict(kwargs)
        if convert is not None:
            options["convert"] = convert
        _record(f)["args"].setdefault(name, {}).update(options)
        return xlwings.arg(name, convert, **kwargs)(f)

    return inner


def ret(convert: Any = None, **kwargs: Any) -> Callable[[F], F]:
    """``xlwings.ret``: conversion options for the result."""

    def inner(f: F) -> F:
        options = dict(kwargs)
        if convert is not None:
            options["convert"] = convert
        _record(f)["ret"].update(options)
        return xlwings.ret(convert, **kwargs)(f)

    return inner
