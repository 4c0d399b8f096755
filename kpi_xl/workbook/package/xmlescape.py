"""``escape``, ``unescape`` and ``quoteattr`` of :mod:`xml.sax.saxutils`, the same text for the same input.

That module imports :mod:`urllib.request` (and with it http.client, ssl and email) for its SAX
input sources: ~10 ms of every refresh, for two string functions. tests/test_xmlescape.py checks
these against the standard library's.
"""

from __future__ import annotations


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` escaped (``&`` first), then each key of ``entities`` replaced by its value."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def quoteattr(data: str, entities: dict[str, str] | None = None) -> str:
    """``data`` escaped (newlines, carriage returns and tabs as character references) and quoted
    for an attribute: in double quotes, or single quotes when it holds a double quote and no
    single one, else double quotes with ``&quot;``."""
    data = escape(data, {**(entities or {}), "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"%s"' % data.replace('"', "&quot;")


def unescape(data: str) -> str:
    """``&lt;``, ``&gt;`` and ``&amp;`` back to ``<``, ``>`` and ``&`` (``&amp;`` last, so
    ``&amp;lt;`` gives ``&lt;``), as the standard library's ``unescape`` without entities."""
    return data.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
