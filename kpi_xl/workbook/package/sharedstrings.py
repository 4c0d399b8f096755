"""The shared string table read fast: the common ``<si><t>text</t></si>`` entries by pattern,
any other entry (rich text, phonetic runs, CDATA) by the parser, the whole part checked by
expat first with no Python handler per element (C speed; a DTD refused).

The streaming reader (an element per Python step) took 0.1 s for the 26,000 strings of a
100,000-row workbook, in every refresh that reads a cell holding a shared string; this takes a
fifth of that. A part the patterns could misread (comments, processing instructions, CDATA
outside an entry, another namespace prefix, an encoding other than UTF-8) returns None: the
caller reads it with the streaming reader.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from .xmlread import Tags, rich_text, unescape_x, well_formed

_ROOT = re.compile(r'\A(?:<\?xml[^>]*\?>)?\s*<sst\s+xmlns="([^"]+)"[^>]*>')
_ENTRY = re.compile(r"<si>(.*?)</si>|<si\s*/>", re.S)
_PLAIN = re.compile(r'<t(?:\s+xml:space="preserve")?>([^<]*)</t>\Z|<t(?:\s+xml:space="preserve")?\s*/>\Z|\Z')
_EACH_PLAIN = re.compile(r'<si><t(?:\s+xml:space="preserve")?>([^<]*)</t></si>|<si><t(?:\s+xml:space="preserve")?\s*/></si>')
_REF = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _char(m: re.Match) -> str:
    name, dec, hexa = m.groups()
    return _NAMED[name] if name else chr(int(dec) if dec else int(hexa, 16))


def _text(raw: str) -> str:
    if "\r" in raw:  # as the parser does: CR LF and a lone CR are LF (&#13; stays a CR)
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        raw = _REF.sub(_char, raw)
    return unescape_x(raw)


def read_shared_strings(data: bytes, where: str) -> list[str] | None:
    """Each ``<si>``'s plain text, as :func:`kpi_xl.workbook.package.xmlread.rich_text` gives it;
    None for a part to read with the streaming reader instead."""
    head = data[:200].lower()
    if head.startswith(b"\xef\xbb\xbf") or (b"encoding=" in head[:100] and not re.search(
            rb"""encoding=["']utf-8["']""", head[:100])):
        return None
    if data.find(b"<!") >= 0 or data.find(b"<?", 5) >= 0:  # a comment, CDATA, DTD or processing instruction
        return None
    well_formed(data, where)
    text = data.decode("utf-8")
    root = _ROOT.match(text)
    if root is None:
        return None
    end = text.rfind("</sst>")
    if end < root.end() or text[end + 6:].strip():
        return None
    plain = _EACH_PLAIN.findall(text, root.end(), end)
    empty = text.count("/></si>", root.end(), end)
    if text.count("<", root.end(), end) == 4 * len(plain) - empty:  # every tag is a plain entry's: in C
        return [_text(raw) if ("&" in raw or "\r" in raw or "_x" in raw) else raw for raw in plain]
    tags = Tags.of("{" + root.group(1) + "}sst")
    out: list[str] = []
    pos = root.end()
    for m in _ENTRY.finditer(text, pos, end):
        if text[pos:m.start()].strip():  # anything but white space between entries: not a plain table
            return None
        pos = m.end()
        inner = m.group(1) or ""
        if "<si" in inner:
            return None
        plain = _PLAIN.match(inner)
        if plain is not None:
            out.append(_text(plain.group(1) or ""))
        else:  # rich text, phonetic hints...: the parser, on this entry alone
            elem = ET.fromstring(f'<si xmlns="{root.group(1)}">{inner}</si>')
            out.append(rich_text(elem, tags))
    return out if not text[pos:end].strip() else None


__all__ = ["read_shared_strings"]
