"""Reading the XML of untrusted parts.

Small parts are parsed whole by :mod:`defusedxml`; big ones (sheets, shared
strings) are streamed: defusedxml vets the prolog, the only place a DTD (hence
any entity) can be, and the C parser of the standard library reads the rest,
2.5x faster than defusedxml's pure-Python one.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from typing import IO, Any, Iterator
from xml.etree import ElementTree as ET
from xml.parsers import expat

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ...i18n import Message, N_
from .records import WorkbookError

CHUNK = 1 << 20


class _RootReached(Exception):
    """Raised inside the prolog guard once the root element starts."""


class PrologGuard:
    """defusedxml over the prolog of a document: refuses any DTD (so any entity).

    After the root element starts no DTD can follow (expat rejects it), so the
    rest of the document is safe for the standard library's C parser.
    """

    def __init__(self) -> None:
        self._parser = DET.XMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
        self._parser.parser.StartElementHandler = self._root
        self.root: str | None = None

    def _root(self, name: str, attrs: Any) -> None:
        self.root = "{" + name if "}" in name else name
        raise _RootReached

    def feed(self, chunk: bytes) -> None:
        if self.root is None:
            try:
                self._parser.feed(chunk)
            except _RootReached:
                pass


def unsafe_xml(where: str) -> WorkbookError:
    """The refusal of a part with a DTD or an entity declaration."""
    return WorkbookError(Message(N_("{where}: unsafe XML (a DTD or entity declaration); refusing the file"),
                                 where=where))


def malformed_xml(where: str, exc: Exception) -> WorkbookError:
    """The refusal of a part a parser could not read."""
    return WorkbookError(Message(N_("{where}: not well-formed XML ({reason})"), where=where, reason=str(exc)))


def xml_failure(where: str, exc: Exception) -> WorkbookError:
    return unsafe_xml(where) if isinstance(exc, DefusedXmlException) else malformed_xml(where, exc)


def well_formed(data: bytes, where: str) -> None:
    """The whole part through expat with no handler per element (C speed); a DTD or an
    entity declaration refused."""
    def refuse(*_args: object) -> None:
        raise unsafe_xml(where)

    p = expat.ParserCreate()
    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        p.Parse(data, True)
    except expat.ExpatError as exc:
        raise malformed_xml(where, exc) from None


def parse_xml(data: bytes, where: str) -> ET.Element:
    """A small part's root element, parsed by defusedxml."""
    try:
        return DET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise xml_failure(where, exc) from None


def stream_ends(stream: IO[bytes], where: str, guard: PrologGuard) -> Iterator[ET.Element]:
    """Elements of a big part as they end; ``guard.root`` is set before the first one."""
    pull = ET.XMLPullParser(events=("end",))
    try:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            guard.feed(chunk)
            pull.feed(chunk)
            for _event, elem in pull.read_events():
                yield elem
        pull.close()
        for _event, elem in pull.read_events():
            yield elem
    except (ET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise xml_failure(where, exc) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise WorkbookError(Message(N_("{where}: damaged zip data ({reason})"), where=where, reason=str(exc))) from None


class Tags:
    """Clark-notation tag names of SpreadsheetML in one namespace (transitional or strict)."""

    _cache: dict[str, "Tags"] = {}

    def __init__(self, ns: str) -> None:
        for local in ("row", "c", "v", "f", "is", "t", "r", "si"):
            setattr(self, local + "_", ns + local)

    @classmethod
    def of(cls, root_tag: str | None) -> "Tags":
        ns = root_tag[: root_tag.index("}") + 1] if root_tag and "}" in root_tag else ""
        if ns not in cls._cache:
            cls._cache[ns] = cls(ns)
        return cls._cache[ns]


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def rid_of(elem: ET.Element) -> str:
    """The r:id attribute (any relationships namespace)."""
    for key, value in elem.attrib.items():
        if key.endswith("}id") and "relationships" in key:
            return value
    return ""


X_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_x(text: str) -> str:
    """Decode Excel's ``_xHHHH_`` escapes (``_x000D_`` is a carriage return)."""
    if "_x" not in text:
        return text
    return X_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def rich_text(elem: ET.Element, tags: Tags) -> str:
    """The text of an ``<si>`` or ``<is>``: plain ``<t>`` and rich-text runs, not phonetic hints."""
    parts = []
    for child in elem:
        if child.tag == tags.t_:
            parts.append(child.text or "")
        elif child.tag == tags.r_:
            parts.extend(g.text or "" for g in child if g.tag == tags.t_)
    return unescape_x("".join(parts))


_COL_INDEX: dict[str, int] = {}
