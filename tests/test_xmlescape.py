"""kpi-xl's copy of xml.sax.saxutils' escape, unescape and quoteattr writes the same text as the standard library."""

from __future__ import annotations

from xml.sax import saxutils

import pytest

from kpi_xl.workbook.package.xmlescape import escape, quoteattr, unescape

TEXTS = ["", "plain", "a & b < c > d", "&amp; already", 'say "hi"', "it's", """both " and '""",
         "tab\tnew\nline\rreturn", "營收 > 10 %", "&#9;", "\x85 \u2028", "&lt;#N/A&gt;", "&amp;lt; stays &lt;", "&quot;&apos; kept"]
ENTITIES = [None, {}, {chr(9): "&#9;", chr(10): "&#10;", chr(13): "&#13;"}, {'"': "&quot;"}, {"x": "&#120;"}]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("entities", ENTITIES)
def test_same_as_the_standard_library(text, entities):
    extra = {} if entities is None else entities
    assert escape(text, entities) == saxutils.escape(text, extra)
    assert quoteattr(text, entities) == saxutils.quoteattr(text, extra)


@pytest.mark.parametrize("text", TEXTS)
def test_unescape_same_as_the_standard_library(text):
    assert unescape(text) == saxutils.unescape(text)
    assert unescape(escape(text)) == text
