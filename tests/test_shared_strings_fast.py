"""The fast shared-string reader gives exactly what the streaming parser gives, or hands over."""

from __future__ import annotations

import pytest

from kpi_xl.workbook.package import WorkbookError
from kpi_xl.workbook.package.sharedstrings import read_shared_strings

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ENTRIES = [
    "<si><t>Revenue</t></si>",
    '<si><t xml:space="preserve"> two  spaces </t></si>',
    "<si><t/></si>",
    "<si><t>A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos; &#13;&#x4E2D;</t></si>",
    "<si><t>line\r\nbreak\rcr</t></si>",
    "<si><t>tab_x0009_here</t></si>",
    '<si><r><t>ri</t></r><r><rPr><b/></rPr><t xml:space="preserve">ch</t></r><rPh sb="0" eb="1"><t>X</t></rPh></si>',
    "<si><t>after rich</t></si>",
]


def streamed(data: bytes) -> list[str]:
    """What the streaming reader (one element per step) makes of the same part."""
    import io
    from xml.etree import ElementTree as ET

    from kpi_xl.workbook.package.xmlread import Tags, rich_text

    root = ET.parse(io.BytesIO(data)).getroot()
    return [rich_text(si, Tags.of(root.tag)) for si in root]


def part(entries: list[str], head: str = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n') -> bytes:
    return (head + f'<sst xmlns="{NS}" count="{len(entries)}" uniqueCount="{len(entries)}">'
            + "".join(entries) + "</sst>").encode("utf-8")


@pytest.mark.parametrize("entries", [ENTRIES[:6], ENTRIES, ENTRIES[6:]], ids=["plain", "mixed", "rich"])
def test_same_strings_as_the_parser(entries):
    data = part(entries)
    fast = read_shared_strings(data, "xl/sharedStrings.xml")
    assert fast == streamed(data)
    assert fast[0] in ("Revenue", "ri" + "ch")


def test_every_plain_form_decoded():
    fast = read_shared_strings(part(ENTRIES[:6]), "x")
    assert fast == ["Revenue", " two  spaces ", "", "A & B <c> \"d\" 'e' \r中", "line\nbreak\ncr", "tab\there"]


@pytest.mark.parametrize("data", [
    part(ENTRIES[:2] + ["<!-- <si><t>ghost</t></si> -->"]),
    part(ENTRIES[:2], head='<?xml version="1.0" encoding="UTF-16"?>'),
    part(ENTRIES[:2]).replace(b"<sst xmlns=", b"<x:sst xmlns:x=").replace(b"</sst>", b"</x:sst>"),
    part(["<si><t><![CDATA[<b>]]></t></si>"]),
])
def test_what_a_pattern_could_misread_goes_to_the_parser(data):
    assert read_shared_strings(data, "x") is None


def test_a_dtd_or_broken_xml_is_refused():
    with pytest.raises(WorkbookError, match="unsafe XML|not well-formed"):
        read_shared_strings(b'<?xml version="1.0"?><sst xmlns="' + NS.encode() + b'"><si><t>a</t></sst>', "x")
