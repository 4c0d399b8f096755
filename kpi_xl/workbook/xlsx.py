"""Surgical edits of .xlsx/.xlsm files: rewrite only what kpi-xl owns, keep every other byte.

Why
---
A headless refresh (no Excel running) rewrites a few regions of a user's
workbook: the Scorecard, History... openpyxl cannot do that safely. It rebuilds
the whole file from its own object model and silently drops what it does not
model: sparklines and other ``x14`` ``<extLst>`` blocks, slicers, timelines,
form controls, cached values of formulas (other readers then see empty cells
until Excel recalculates), parts of charts and drawings it cannot parse...
This module edits the OOXML zip itself instead.

What it does
------------
* :func:`open_package` opens a workbook from an untrusted source. It refuses,
  with a :class:`WorkbookError` naming the file (and part), anything that is not
  a plain .xlsx/.xlsm: not a zip, no ``[Content_Types].xml`` or workbook part,
  parts bigger than :class:`Limits` allow, zip bombs (compression ratio over
  200:1 for parts over 1 MiB), absolute or ``..`` member names, encrypted
  workbooks (an OLE compound file: "password-protected"), a DTD in any XML.
* Members are read lazily. XML goes through :mod:`defusedxml`: small parts are
  parsed by it whole; big ones (sheets, shared strings) are streamed: defusedxml
  vets the prolog, the only place a DTD (hence any entity) can be, and the C
  parser of the standard library reads the rest, 2.5x faster than defusedxml's
  pure-Python one.
* :meth:`Package.write_region` and :meth:`Package.set_cached_values` splice
  the original bytes of the ``<row>``/``<c>`` elements they touch; the rest of
  the sheet XML, every other cell included, is copied byte for byte. Strings are
  written inline (``t="inlineStr"``) so ``sharedStrings.xml`` is never touched.
* :meth:`Package.save` writes a new zip: untouched members keep their original
  compressed bytes and zip metadata (raw copy), edited ones are deflated,
  member order is kept. The file is written next to the target under a
  temporary name and swapped in with :func:`os.replace`: a crash leaves the
  original untouched and no partial target.

Backups
-------
``save(backup=True)`` keeps the previous file as ``NAME.bak.EXT`` in the same
folder: ``book.xlsx`` -> ``book.bak.xlsx``, ``book.xlsm`` -> ``book.bak.xlsm``,
so the backup still opens in Excel with a double click. It is made by copying,
only once the new file is complete, so the original stays in place until the
final rename. An older backup of that name is replaced.

Limits
------
* Only UTF-8 sheet XML can be edited (Excel never writes anything else).
* Speed: read_cells turns 100k rows x 10 columns into Cell tuples in about
  8 s on a busy 2-vCPU machine (openpyxl's read-only mode: 12 s, python-calamine:
  1.3 s), about half of it the C parser; big data tables go through calamine.
  An edit costs one guarded parse of the sheet (the result is checked before
  it is kept) plus work for the rows from ``top_row`` down; meant for the
  regions kpi-xl owns, not for rewriting big data sheets.
* set_cached_values only touches cells with an ``<f>``: the master cell of an
  array formula, not the cells it spills into.
* Written strings become shared strings the next time Excel saves the file.
* Tables, merged ranges, conditional formats and array formulas are not moved
  or resized: the caller keeps its region inside what it owns. A region that
  would remove the master cell of a shared formula still used outside it is
  refused. Removing formula cells drops ``calcChain.xml`` (Excel rebuilds it).
* Dates before 1900-01-01 are written as ISO text; Excel's phantom 1900-02-29
  is accounted for. NaN and NaT are blanks; infinities are ``#NUM!``.
* The raw copy uses :mod:`zipfile` internals (``fp``, ``start_dir``,
  ``filelist``); should a Python release change them, untouched members are
  re-compressed instead (same decompressed bytes).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import decimal
import gc
import io
import math
import numbers
import os
import posixpath
import re
import secrets
import shutil
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator, Mapping, NamedTuple, Sequence
from urllib.parse import unquote
from xml.etree import ElementTree as ET
from xml.sax.saxutils import unescape as _sax_unescape

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ..errors import ERROR_CODES, KpiXlError, XlError

__all__ = [
    "WorkbookError",
    "Limits",
    "SheetInfo",
    "TableInfo",
    "DefinedName",
    "Cell",
    "Package",
    "open_package",
    "backup_path",
    "col_letters",
]

MiB = 1 << 20
GiB = 1 << 30
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_TEXT = 32_767

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_OLE_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")
_CONTENT_TYPES = "[Content_Types].xml"
_CHUNK = 1 << 20


class WorkbookError(KpiXlError):
    """A workbook that cannot be read or written; the message names the file (and part)."""


@dataclass(frozen=True)
class Limits:
    """How big an untrusted workbook may be. Sizes are uncompressed bytes."""

    max_part_bytes: int = 512 * MiB
    max_total_bytes: int = 2 * GiB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1 * MiB  # the ratio is only checked for parts bigger than this
    max_members: int = 100_000


@dataclass(frozen=True)
class SheetInfo:
    name: str
    sheet_id: int
    rid: str
    part: str | None  # e.g. "xl/worksheets/sheet3.xml"
    state: str  # "visible", "hidden" or "veryHidden"
    kind: str = "worksheet"  # the relationship kind: worksheet, chartsheet, dialogsheet...


@dataclass(frozen=True)
class TableInfo:
    display_name: str
    name: str
    sheet: str
    ref: str  # e.g. "A1:J200"
    header_row_count: int
    columns: tuple[str, ...]
    part: str
    totals_row_count: int = 0


@dataclass(frozen=True)
class DefinedName:
    name: str
    value: str  # what it refers to, as stored, e.g. "Goals!$A$1:$C$9"
    sheet: str | None  # the sheet it is local to, None for workbook scope
    hidden: bool = False


class Cell(NamedTuple):
    """One ``<c>`` element. ``formula`` is None for a plain value, the ``<f>`` text as
    stored otherwise ("" for a shared formula's dependent cells: see ``shared_index``)."""

    value: Any
    formula: str | None = None
    style: int = 0
    type: str = "n"  # the t attribute: n, s, str, inlineStr, b, e, d
    shared_index: int | None = None


# --------------------------------------------------------------------------- opening


def open_package(path: str | os.PathLike, *, limits: Limits = Limits()) -> "Package":
    """Open an .xlsx/.xlsm for reading and surgical edits; refuse anything unsafe."""
    path = Path(path)
    _sniff(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise WorkbookError(f"{path}: not an .xlsx/.xlsm workbook (not a zip file)") from None
    except (OSError, ValueError, EOFError, NotImplementedError, UnicodeError, struct.error) as exc:
        raise WorkbookError(f"{path}: not a readable .xlsx/.xlsm workbook ({exc})") from None
    try:
        _check_members(path, zf.infolist(), limits)
        return Package(path, zf, limits)
    except BaseException:
        zf.close()
        raise


def _sniff(path: Path) -> None:
    """Refuse missing files, folders and OLE files (encrypted workbooks, legacy .xls)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_OLE_MAGIC))
            if head == _OLE_MAGIC:
                head += fh.read(16 * MiB)
    except FileNotFoundError:
        raise WorkbookError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise WorkbookError(f"{path}: is a folder, not a workbook") from None
    except OSError as exc:
        raise WorkbookError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if head.startswith(_OLE_MAGIC):
        if _OLE_ENCRYPTED in head:
            raise WorkbookError(
                f"{path}: the workbook is password-protected (encrypted); open it in Excel, "
                "remove the password (File > Info > Protect Workbook) and save it, then try again")
        raise WorkbookError(
            f"{path}: an OLE compound file, not an .xlsx: a password-protected workbook or a "
            "legacy .xls; remove the password or save it as .xlsx in Excel, then try again")


def _check_members(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise WorkbookError(f"{path}: {len(infos)} zip members, more than the {limits.max_members} allowed")
    seen: set[str] = set()
    total = 0
    for info in infos:
        _check_member(path, info, limits)
        key = info.filename.lower()
        if key in seen:
            raise WorkbookError(f"{path}: part {info.filename!r} appears twice in the zip; refusing the file")
        seen.add(key)
        total += info.file_size
    if total > limits.max_total_bytes:
        raise WorkbookError(f"{path}: {total / MiB:.0f} MiB uncompressed, more than the "
                            f"{limits.max_total_bytes / MiB:.0f} MiB allowed")
    if _CONTENT_TYPES.lower() not in seen:
        raise WorkbookError(f"{path}: not an .xlsx/.xlsm workbook (no {_CONTENT_TYPES} in the zip)")


def _check_member(path: Path, info: zipfile.ZipInfo, limits: Limits) -> None:
    where = f"{path}: part {info.filename!r}"
    if _unsafe_name(info.filename):
        raise WorkbookError(f"{where}: unsafe member name (absolute path or '..'); refusing the file")
    if info.flag_bits & 0x1:
        raise WorkbookError(f"{where}: encrypted zip member; refusing the file")
    if info.file_size > limits.max_part_bytes:
        raise WorkbookError(f"{where}: {info.file_size / MiB:.0f} MiB uncompressed, more than the "
                            f"{limits.max_part_bytes / MiB:.0f} MiB allowed per part")
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise WorkbookError(f"{where}: compression ratio {info.file_size / max(info.compress_size, 1):.0f}:1 "
                            f"is above {limits.max_ratio:.0f}:1 (a zip bomb?); refusing the file")


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or name[0] in "/\\":
        return True
    parts = re.split(r"[/\\]", name)
    return ".." in parts or ":" in parts[0]


# --------------------------------------------------------------------------- XML reading


class _RootReached(Exception):
    """Raised inside the prolog guard once the root element starts."""


class _PrologGuard:
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


def _xml_failure(where: str, exc: Exception) -> WorkbookError:
    if isinstance(exc, DefusedXmlException):
        return WorkbookError(f"{where}: unsafe XML (a DTD or entity declaration); refusing the file")
    return WorkbookError(f"{where}: not well-formed XML ({exc})")


def _parse_xml(data: bytes, where: str) -> ET.Element:
    """A small part's root element, parsed by defusedxml."""
    try:
        return DET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise _xml_failure(where, exc) from None


def _stream_ends(stream: IO[bytes], where: str, guard: _PrologGuard) -> Iterator[ET.Element]:
    """Elements of a big part as they end; ``guard.root`` is set before the first one."""
    pull = ET.XMLPullParser(events=("end",))
    try:
        for chunk in iter(lambda: stream.read(_CHUNK), b""):
            guard.feed(chunk)
            pull.feed(chunk)
            for _event, elem in pull.read_events():
                yield elem
        pull.close()
        for _event, elem in pull.read_events():
            yield elem
    except (ET.ParseError, DefusedXmlException, ValueError, LookupError) as exc:
        raise _xml_failure(where, exc) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise WorkbookError(f"{where}: damaged zip data ({exc})") from None


class _Tags:
    """Clark-notation tag names of SpreadsheetML in one namespace (transitional or strict)."""

    _cache: dict[str, "_Tags"] = {}

    def __init__(self, ns: str) -> None:
        for local in ("row", "c", "v", "f", "is", "t", "r", "si"):
            setattr(self, local + "_", ns + local)

    @classmethod
    def of(cls, root_tag: str | None) -> "_Tags":
        ns = root_tag[: root_tag.index("}") + 1] if root_tag and "}" in root_tag else ""
        if ns not in cls._cache:
            cls._cache[ns] = cls(ns)
        return cls._cache[ns]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _rid(elem: ET.Element) -> str:
    """The r:id attribute (any relationships namespace)."""
    for key, value in elem.attrib.items():
        if key.endswith("}id") and "relationships" in key:
            return value
    return ""


_X_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape_x(text: str) -> str:
    """Decode Excel's ``_xHHHH_`` escapes (``_x000D_`` is a carriage return)."""
    if "_x" not in text:
        return text
    return _X_ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _rich_text(elem: ET.Element, tags: _Tags) -> str:
    """The text of an ``<si>`` or ``<is>``: plain ``<t>`` and rich-text runs, not phonetic hints."""
    parts = []
    for child in elem:
        if child.tag == tags.t_:
            parts.append(child.text or "")
        elif child.tag == tags.r_:
            parts.extend(g.text or "" for g in child if g.tag == tags.t_)
    return _unescape_x("".join(parts))


_COL_INDEX: dict[str, int] = {}


def _col_index(letters: str) -> int:
    col = _COL_INDEX.get(letters)
    if col is None:
        if not letters.isascii() or not letters.isalpha() or len(letters) > 3:
            raise ValueError(f"bad column {letters!r}")
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        if col > MAX_COLS:
            raise ValueError(f"column {letters} is past XFD")
        _COL_INDEX[letters] = col
    return col


def _split_ref(ref: str) -> tuple[int, int]:
    """``"B12"`` -> ``(12, 2)``."""
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), _col_index(letters)


def col_letters(col: int) -> str:
    """``28`` -> ``"AB"``."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _ref(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def _number(text: str) -> int | float:
    if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
        return int(text)
    return float(text)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic GC while a million cells are made (it would walk them again and again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _RowReader:
    """Turns ``<row>`` elements into :class:`Cell` values (the hot loop of read_cells)."""

    def __init__(self, tags: _Tags, shared_strings, where: str) -> None:
        self.row_tag = tags.row_
        self.tags = tags
        self._shared_strings = shared_strings
        self._sst: list[str] | None = None
        self.where = where

    def read(self, row: ET.Element, row_no: int, out: dict) -> None:
        c_tag, v_tag = self.tags.c_, self.tags.v_
        suffix = str(row_no)
        n = len(suffix)
        cols, new, value_of = _COL_INDEX, tuple.__new__, self.value
        col = 0
        ref = None
        try:
            for c in row:
                if c.tag != c_tag:
                    continue
                get = c.get
                ref = get("r")
                if ref is None:
                    col += 1
                elif not (ref.endswith(suffix) and (col := cols.get(ref[:-n], 0))):
                    col = self._column(ref, row_no)
                if len(c) == 1 and (first := c[0]).tag == v_tag:  # the common case: just a value
                    v, formula, si, inline = first.text, None, None, None
                else:
                    v, formula, si, inline = self._children(c)
                t = get("t")
                if t is None or t == "n":
                    t, value = "n", None if v is None else (int(v) if v.isdigit() else _number(v))
                else:
                    value = value_of(t, v, inline)
                s = get("s")
                out[(row_no, col)] = new(Cell, (value, formula, int(s) if s else 0, t, si))
        except (ValueError, IndexError) as exc:
            raise WorkbookError(f"{self.where}: bad cell {ref or _ref(row_no, col)} ({exc})") from None

    def _children(self, c: ET.Element) -> tuple[str | None, str | None, int | None, ET.Element | None]:
        """``(<v> text, <f> text, shared formula index, <is> element)`` of a cell."""
        v = formula = si = inline = None
        for child in c:
            tag = child.tag
            if tag == self.tags.v_:
                v = child.text
            elif tag == self.tags.f_:
                formula = child.text or ""
                if child.get("t") == "shared" and child.get("si") is not None:
                    si = int(child.get("si"))
            elif tag == self.tags.is_:
                inline = child
        return v, formula, si, inline

    def _column(self, ref: str, row_no: int) -> int:
        row, col = _split_ref(ref)
        if row != row_no:
            raise ValueError(f"cell reference {ref} in row {row_no}")
        return col

    def value(self, t: str, v: str | None, inline: ET.Element | None) -> Any:
        if t == "s":
            if v is None:
                return None
            if self._sst is None:
                self._sst = self._shared_strings()
            return self._sst[int(v)]
        if t == "inlineStr":
            return _rich_text(inline, self.tags) if inline is not None else _unescape_x(v or "")
        if t == "str":
            return _unescape_x(v or "")
        if t == "b":
            return None if v is None else v.strip() in ("1", "true")
        if t == "e":
            return XlError(v) if v in ERROR_CODES else v
        return v  # "d": an ISO 8601 date as text


# --------------------------------------------------------------------------- the package


@dataclass(frozen=True)
class _Rel:
    id: str
    type: str
    target: str  # a part name (resolved), or the raw target when external
    external: bool

    @property
    def kind(self) -> str:
        return self.type.rsplit("/", 1)[-1]


class Package:
    """An open .xlsx/.xlsm: read parts lazily, edit sheet regions, save atomically."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
        self.limits = limits
        self._attach(path, zf)
        self.workbook_part = self._find_workbook_part()
        self._xml(_CONTENT_TYPES)  # well-formed and without a DTD, or refused now

    # ---- plumbing

    def _attach(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = zf
        self._infos = zf.infolist()
        self._names = {i.filename.lower(): i.filename for i in self._infos}
        self._stat = _stat_key(path)
        self._modified: dict[str, bytes] = {}
        self._removed: set[str] = set()
        self._memo: dict[str, Any] = {}

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Package {str(self.path)!r}, {len(self._modified)} edited part(s)>"

    def _where(self, part: str) -> str:
        return f"{self.path}: part {part!r}"

    def part_names(self) -> list[str]:
        """Every member, in zip order."""
        return [i.filename for i in self._infos if i.filename not in self._removed]

    def _actual(self, name: str) -> str | None:
        """The member name as stored (part names are case-insensitive)."""
        actual = self._names.get(name.lower())
        return None if actual is None or actual in self._removed else actual

    def read_part(self, name: str) -> bytes:
        """A member's bytes (edited ones as edited)."""
        actual = self._actual(name)
        if actual is None:
            raise WorkbookError(f"{self.path}: no part {name!r}")
        if actual in self._modified:
            return self._modified[actual]
        with self._open_member(actual) as fh:
            try:
                return fh.read()
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise WorkbookError(f"{self._where(actual)}: damaged zip data ({exc})") from None

    def _open_member(self, actual: str) -> IO[bytes]:
        if actual in self._modified:
            return io.BytesIO(self._modified[actual])
        if self._zip is None:
            raise WorkbookError(f"{self.path}: the package is closed")
        try:
            return self._zip.open(actual)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, zlib.error) as exc:
            raise WorkbookError(f"{self._where(actual)}: cannot be read ({exc})") from None

    def _xml(self, part: str) -> ET.Element:
        return _parse_xml(self.read_part(part), self._where(part))

    def _rels(self, part: str) -> list[_Rel]:
        """The relationships of ``part`` ("" for the package itself)."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if self._actual(rels_part) is None:
            return []
        out = []
        for el in self._xml(rels_part):
            if _local(el.tag) != "Relationship":
                continue
            external = el.get("TargetMode", "") == "External"
            target = el.get("Target", "")
            resolved = target if external else self._resolve(part, target)
            if resolved is not None:
                out.append(_Rel(el.get("Id", ""), el.get("Type", ""), resolved, external))
        return out

    def _resolve(self, source: str, target: str) -> str | None:
        target = unquote(target)
        path = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
        path = posixpath.normpath(path)
        if path.startswith("..") or path.startswith("/"):
            return None
        return self._actual(path) or path

    def _find_workbook_part(self) -> str:
        main = next((r.target for r in self._rels("") if r.kind == "officeDocument" and not r.external), None)
        for candidate in (main, "xl/workbook.xml"):
            if candidate and self._actual(candidate):
                actual = self._actual(candidate)
                if actual.lower().endswith(".bin"):
                    raise WorkbookError(f"{self.path}: a binary .xlsb workbook; save it as .xlsx in Excel")
                return actual
        raise WorkbookError(f"{self.path}: not an Excel workbook (no xl/workbook.xml: a Word or "
                            "PowerPoint file, or a plain zip?)")

    def _workbook_rel(self, kind: str) -> _Rel | None:
        return next((r for r in self._rels(self.workbook_part) if r.kind == kind and not r.external), None)

    # ---- workbook structure

    def sheets(self) -> list[SheetInfo]:
        """The sheets in workbook order."""
        if "sheets" not in self._memo:
            self._memo["sheets"] = self._read_sheets()
        return list(self._memo["sheets"])

    def _read_sheets(self) -> list[SheetInfo]:
        root = self._xml(self.workbook_part)
        rels = {r.id: r for r in self._rels(self.workbook_part)}
        out = []
        for el in root.iter():
            if _local(el.tag) != "sheet":
                continue
            rel = rels.get(_rid(el))
            part = self._actual(rel.target) if rel and not rel.external else None
            out.append(SheetInfo(
                name=el.get("name", ""),
                sheet_id=_int(el.get("sheetId", "0"), self._where(self.workbook_part)),
                rid=_rid(el),
                part=part,
                state=el.get("state", "visible"),
                kind=rel.kind if rel else "missing",
            ))
        return out

    def sheet(self, name: str) -> SheetInfo:
        """A sheet by name (Excel's names are case-insensitive)."""
        sheets = self.sheets()
        found = next((s for s in sheets if s.name == name), None)
        found = found or next((s for s in sheets if s.name.casefold() == name.casefold()), None)
        if found is None:
            names = ", ".join(repr(s.name) for s in sheets)
            raise WorkbookError(f"{self.path}: no sheet named {name!r} (sheets: {names})")
        return found

    def _worksheet(self, name: str) -> SheetInfo:
        sheet = self.sheet(name)
        if sheet.kind != "worksheet" or sheet.part is None:
            raise WorkbookError(f"{self.path}: sheet {sheet.name!r} is a {sheet.kind}, not a worksheet with cells")
        return sheet

    def tables(self) -> list[TableInfo]:
        """Every Excel Table (ListObject), sheet by sheet."""
        out = []
        for sheet in self.sheets():
            if sheet.part is None or sheet.kind != "worksheet":
                continue
            for rel in self._rels(sheet.part):
                if rel.kind == "table" and not rel.external and self._actual(rel.target):
                    out.append(self._table(self._actual(rel.target), sheet.name))
        return out

    def _table(self, part: str, sheet: str) -> TableInfo:
        root = self._xml(part)
        where = self._where(part)
        columns = tuple(_unescape_x(el.get("name", "")) for el in root.iter() if _local(el.tag) == "tableColumn")
        return TableInfo(
            display_name=root.get("displayName", ""),
            name=root.get("name", root.get("displayName", "")),
            sheet=sheet,
            ref=root.get("ref", ""),
            header_row_count=_int(root.get("headerRowCount", "1"), where),
            columns=columns,
            part=part,
            totals_row_count=_int(root.get("totalsRowCount", "0"), where),
        )

    def defined_names(self) -> list[DefinedName]:
        """Named ranges and formulas; ``sheet`` is set for sheet-scoped names."""
        root = self._xml(self.workbook_part)
        sheets = self.sheets()
        out = []
        for el in root.iter():
            if _local(el.tag) != "definedName":
                continue
            local = el.get("localSheetId")
            scope = None
            if local is not None and local.isdigit() and int(local) < len(sheets):
                scope = sheets[int(local)].name
            out.append(DefinedName(el.get("name", ""), el.text or "", scope, el.get("hidden") in ("1", "true")))
        return out

    def shared_strings(self) -> list[str]:
        """The shared string table (plain text of each entry)."""
        if "sst" not in self._memo:
            self._memo["sst"] = self._read_shared_strings()
        return self._memo["sst"]

    def _read_shared_strings(self) -> list[str]:
        rel = self._workbook_rel("sharedStrings")
        part = self._actual(rel.target) if rel else self._actual("xl/sharedStrings.xml")
        if part is None:
            return []
        out: list[str] = []
        guard = _PrologGuard()
        with self._open_member(part) as fh:
            tags = None
            for elem in _stream_ends(fh, self._where(part), guard):
                tags = tags or _Tags.of(guard.root)
                if elem.tag == tags.si_:
                    out.append(_rich_text(elem, tags))
                    elem.clear()
        return out

    # ---- cells

    def read_cells(self, sheet_name: str, min_row: int = 1, max_row: int | None = None) -> dict[tuple[int, int], Cell]:
        """The cells of rows ``min_row..max_row`` as ``{(row, col): Cell}`` (1-based)."""
        sheet = self._worksheet(sheet_name)
        where = self._where(sheet.part)
        out: dict[tuple[int, int], Cell] = {}
        guard = _PrologGuard()
        with self._open_member(sheet.part) as fh, _gc_paused():
            reader = None
            row_no = 0
            for elem in _stream_ends(fh, where, guard):
                if reader is None:
                    reader = _RowReader(_Tags.of(guard.root), self.shared_strings, where)
                if elem.tag != reader.row_tag:
                    continue
                r = elem.get("r")
                row_no = _int(r, where) if r else row_no + 1
                if max_row is not None and row_no > max_row:
                    break
                if row_no >= min_row:
                    reader.read(elem, row_no, out)
                elem.clear()
        return out

    # ---- writing

    def write_region(self, sheet_name: str, top_row: int, first_col: int, last_col: int,
                     rows: Sequence[Sequence[Any]], styles: Sequence[int | None] | None = None,
                     row_styles: Sequence[Sequence[int | None] | None] | None = None) -> None:
        """Replace columns ``first_col..last_col`` (1-based) from ``top_row`` down with ``rows``.

        Every cell of those columns at or below ``top_row`` is deleted, then
        ``rows`` is written from ``(top_row, first_col)``. None and "" leave no
        cell; text goes in inline; dates become serial numbers; "#N/A" and the
        other error codes become error cells. Each cell gets the style index
        ``styles[i]`` of its column, else the column's style from ``<cols>``;
        ``row_styles[r][i]``, when given and not None, overrides it for one cell
        (e.g. a percent format on the rows of goals measured in %).
        """
        sheet = self._worksheet(sheet_name)
        where = self._where(sheet.part)
        _check_region(where, top_row, first_col, last_col, rows, styles)
        data = self.read_part(sheet.part)
        _require_utf8(data, where)
        layout = _Layout.scan(data, where)
        col_styles = self._region_styles(layout, first_col, last_col, styles, where)
        count = self._xf_count()
        for per_row in row_styles or ():
            for style in per_row or ():
                if style is not None and (style < 0 or (count is not None and style >= count)):
                    raise WorkbookError(f"{where}: style index {style} does not exist")
        new_cells = _encode_rows(rows, top_row, first_col, col_styles, layout.prefix, where, row_styles)
        edit = _RegionEdit(data, layout, top_row, first_col, last_col, new_cells)
        new = edit.apply()
        scan = _SheetScan(new, where, (top_row, first_col, last_col), shared=bool(edit.cut_masters))
        if scan.in_region != {(row, col) for row, cells in new_cells.items() for col, _xml in cells}:
            raise WorkbookError(f"{where}: unusual sheet XML: the edit could not be verified, "
                                "the sheet is left as it was")
        cut = {si: ref for si, ref in edit.cut_masters.items() if si in scan.orphans}
        if cut:
            si, ref = next(iter(cut.items()))
            raise WorkbookError(f"{where}: the region would delete {ref}, the master cell of a shared formula "
                                f"(si={si}) that cells outside the region still use; move or widen the region")
        new = layout.with_dimension(new, scan.dimension())
        self._modified[sheet.part] = new
        if edit.removed_formula:
            self._drop_calc_chain()

    def column_style(self, sheet_name: str, col: int) -> int | None:
        """The style index a column's ``<cols>`` entry gives (None when it has none)."""
        sheet = self._worksheet(sheet_name)
        return _Layout.scan(self.read_part(sheet.part), self._where(sheet.part)).col_style(col)

    def _region_styles(self, layout: "_Layout", first_col: int, last_col: int,
                       styles: Sequence[int | None] | None, where: str) -> list[int | None]:
        out = []
        for i, col in enumerate(range(first_col, last_col + 1)):
            style = styles[i] if styles is not None and i < len(styles) else None
            out.append(style if style is not None else layout.col_style(col))
        count = self._xf_count()
        for style in out:
            if style is not None and (style < 0 or (count is not None and style >= count)):
                raise WorkbookError(f"{where}: style index {style} does not exist "
                                    f"(the workbook has {count} cell formats)")
        return out

    def _xf_count(self) -> int | None:
        if "xfs" not in self._memo:
            rel = self._workbook_rel("styles")
            count = None
            part = self._actual(rel.target) if rel else None
            if part:
                guard = _PrologGuard()
                with self._open_member(part) as fh:
                    count = next((len(el) for el in _stream_ends(fh, self._where(part), guard)
                                  if _local(el.tag) == "cellXfs"), 0)
            self._memo["xfs"] = count
        return self._memo["xfs"]

    def set_cached_values(self, sheet_name: str, values: Mapping[tuple[int, int], Any]) -> None:
        """Store computed results in formula cells' ``<v>``; the ``<f>`` stays as it is."""
        sheet = self._worksheet(sheet_name)
        where = self._where(sheet.part)
        if not values:
            return
        data = self.read_part(sheet.part)
        _require_utf8(data, where)
        layout = _Layout.scan(data, where)
        new = _CachedValueEdit(data, layout, values, where).apply()
        _SheetScan(new, where)  # still well-formed
        self._modified[sheet.part] = new

    def _drop_calc_chain(self) -> None:
        """Remove calcChain.xml (its entries may name deleted formulas); Excel rebuilds it."""
        rel = self._workbook_rel("calcChain")
        part = self._actual(rel.target) if rel else None
        if part is None:
            return
        rels_part = self._actual(posixpath.join(posixpath.dirname(self.workbook_part), "_rels",
                                                posixpath.basename(self.workbook_part) + ".rels"))
        ct = self._actual(_CONTENT_TYPES)
        self._modified[rels_part] = _remove_child(
            self.read_part(rels_part), b"Relationship", lambda a: a.get("Id") == rel.id)
        self._modified[ct] = _remove_child(
            self.read_part(ct), b"Override", lambda a: a.get("PartName", "").lstrip("/").lower() == part.lower())
        self._removed.add(part)

    # ---- saving

    def save(self, path: str | os.PathLike | None = None, *, backup: bool = True) -> Path:
        """Write the package to ``path`` (default: where it was opened) atomically.

        With ``backup`` an existing target is first copied to :func:`backup_path`.
        Afterwards the package reads from the saved file.
        """
        target = Path(path) if path is not None else self.path
        if self._zip is None:
            raise WorkbookError(f"{self.path}: the package is closed")
        if _stat_key(self.path) != self._stat:
            raise WorkbookError(f"{self.path}: changed on disk since it was opened; open it again")
        tmp = self._write_temp(target)
        try:
            self.close()  # Windows cannot replace a file that is open
            if backup and target.exists():
                _make_backup(target)
            os.replace(tmp, target)
        except OSError as exc:
            _unlink(tmp)
            self._reopen(self.path)
            raise WorkbookError(f"{target}: cannot be replaced ({exc.strerror or exc}); is it open in Excel?") from None
        except BaseException:
            _unlink(tmp)
            self._reopen(self.path)
            raise
        self._reopen(target)
        return target

    def _reopen(self, path: Path) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise WorkbookError(f"{path}: cannot be reopened after saving ({exc})") from None
        self._attach(path, zf)

    def _write_temp(self, target: Path) -> Path:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "xb") as fh:
                self._write_zip(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if target.exists():
                shutil.copymode(target, tmp)
        except OSError as exc:
            _unlink(tmp)
            raise WorkbookError(f"{target}: cannot write the new file ({exc.strerror or exc})") from None
        except BaseException:
            _unlink(tmp)
            raise
        return tmp

    def _write_zip(self, fh: IO[bytes]) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out, open(self.path, "rb") as src:
            out.comment = self._zip.comment
            for info in self._infos:
                name = info.filename
                if name in self._removed:
                    continue
                if name in self._modified:
                    _write_deflated(out, info, self._modified[name])
                elif _can_raw_copy(out):
                    _copy_raw(src, info, out, self._where(name))
                else:
                    out.writestr(_clone_info(info), self.read_part(name), compress_type=info.compress_type)


def _int(text: str | None, where: str) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise WorkbookError(f"{where}: {text!r} is not a whole number") from None


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


# --------------------------------------------------------------------------- zip writing


def _clone_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.comment = info.comment
    zi.create_system = info.create_system
    zi.external_attr = info.external_attr
    return zi


def _write_deflated(out: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    zi = _clone_info(info)
    zi.compress_type = zipfile.ZIP_DEFLATED
    out.writestr(zi, data)


def _can_raw_copy(out: zipfile.ZipFile) -> bool:
    return all(hasattr(out, a) for a in ("fp", "start_dir", "filelist", "NameToInfo"))


def _copy_raw(src: IO[bytes], info: zipfile.ZipInfo, out: zipfile.ZipFile, where: str) -> None:
    """Copy one member with its original compressed bytes and metadata."""
    src.seek(info.header_offset)
    header = src.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise WorkbookError(f"{where}: damaged zip (bad local header)")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)
    zi = copy.copy(info)
    zi.flag_bits &= ~0x08  # sizes go in the local header: no data descriptor
    zi.extra = _strip_zip64(info.extra)
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    out.fp.seek(out.start_dir)
    zi.header_offset = out.fp.tell()
    out.fp.write(zi.FileHeader(zip64))
    left = info.compress_size
    while left:
        chunk = src.read(min(left, _CHUNK))
        if not chunk:
            raise WorkbookError(f"{where}: damaged zip (truncated member)")
        out.fp.write(chunk)
        left -= len(chunk)
    out.start_dir = out.fp.tell()
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out._didModify = True


def _strip_zip64(extra: bytes) -> bytes:
    """The extra field without its zip64 record (FileHeader adds one when needed)."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i:i + 4])
        if tag != 1:
            out += extra[i:i + 4 + size]
        i += 4 + size
    return out


def backup_path(path: str | os.PathLike) -> Path:
    """Where ``save(backup=True)`` keeps the previous file: ``book.xlsx`` -> ``book.bak.xlsx``."""
    path = Path(path)
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def _make_backup(target: Path) -> None:
    bak = backup_path(target)
    tmp = bak.with_name(f".{bak.name}.{secrets.token_hex(4)}.tmp")
    try:
        shutil.copy2(target, tmp)
        os.replace(tmp, bak)
    finally:
        _unlink(tmp)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --------------------------------------------------------------------------- byte-level XML


_ATTRS = rb"(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_NOT_TAGS = rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"


def _scanner(*names: str) -> re.Pattern[bytes]:
    """Comments, CDATA, PIs and the start/end tags of the given local names (any prefix)."""
    alt = b"|".join(re.escape(n.encode()) for n in names)
    return re.compile(_NOT_TAGS + rb"|<(?P<end>/?)(?P<prefix>[A-Za-z_][\w.\-]*:)?(?P<name>" + alt
                      + rb")(?=[\s/>])" + _ATTRS + rb">", re.S)


_ANY_TAG = re.compile(_NOT_TAGS + rb"|<(?P<end>/?)(?P<prefix>[^\s/>:!?]+:)?(?P<name>[^\s/>:!?][^\s/>:]*)"
                      + _ATTRS + rb">", re.S)
_DATA_TAGS = _scanner("sheetData", "row")
_ATTR = re.compile(rb"([^\s=/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)")


def _attrs(raw: bytes) -> dict[str, str]:
    out = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1).decode()] = _sax_unescape(value.decode(), {"&quot;": '"', "&apos;": "'"})
    return out


def _r_attr(raw: bytes) -> str | None:
    """The ``r`` attribute of a start tag (fast when it comes first, as Excel writes it)."""
    if raw.startswith(b' r="'):
        return raw[4:raw.find(b'"', 4)].decode()
    return _attrs(raw).get("r")


def _require_utf8(data: bytes, where: str) -> None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise WorkbookError(f"{where}: UTF-16 sheet XML cannot be edited (only UTF-8)")
    m = _XML_DECL_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    if m and m.group(1).lower().replace(b"-", b"") != b"utf8":
        raise WorkbookError(f"{where}: {m.group(1).decode(errors='replace')} sheet XML cannot be edited (only UTF-8)")


@dataclass(slots=True)
class _Elem:
    """Where one element sits in a byte string."""

    name: bytes
    prefix: bytes
    attrs: bytes
    start: int
    open_end: int  # end of the start tag
    close_start: int = -1  # start of the end tag (== end when self-closing)
    end: int = -1

    @property
    def self_closing(self) -> bool:
        return self.open_end == self.end


def _children(data: bytes, start: int, end: int) -> list[_Elem]:
    """The elements directly inside ``data[start:end]``, in order."""
    out: list[_Elem] = []
    depth = 0
    current = None
    for m in _ANY_TAG.finditer(data, start, end):
        if m.group("name") is None:
            continue
        if m.group("end"):
            depth -= 1
            if depth == 0:
                current.close_start, current.end = m.start(), m.end()
                out.append(current)
        elif m.group("attrs").endswith(b"/"):
            if depth == 0:
                out.append(_Elem(m.group("name"), m.group("prefix") or b"", m.group("attrs"),
                                 m.start(), m.end(), m.end(), m.end()))
        else:
            if depth == 0:
                current = _Elem(m.group("name"), m.group("prefix") or b"", m.group("attrs"), m.start(), m.end())
            depth += 1
    return out


def _remove_child(data: bytes, name: bytes, match) -> bytes:
    """``data`` without the root's first child called ``name`` whose attributes ``match``."""
    root = next(iter(_children(data, 0, len(data))), None)
    if root is None or root.self_closing:
        return data
    for child in _children(data, root.open_end, root.close_start):
        if child.name == name and match(_attrs(child.attrs)):
            return data[:child.start] + data[child.end:]
    return data


class _Row(NamedTuple):
    number: int
    elem: _Elem
    has_r: bool


class _Layout:
    """Where the dimension, column styles, sheetData and rows sit in a sheet's bytes."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.dimension: _Elem | None = None
        self.cols: list[tuple[int, int, int | None]] = []
        self.data: _Elem | None = None
        self.rows: list[_Row] = []

    @property
    def prefix(self) -> bytes:
        return self.data.prefix

    @classmethod
    def scan(cls, data: bytes, where: str) -> "_Layout":
        layout = cls(where)
        layout._scan(data)
        if layout.data is None or layout.data.end < 0:
            raise WorkbookError(f"{where}: no <sheetData> in the sheet")
        return layout

    def _scan(self, data: bytes) -> None:
        pos = self._scan_head(data)
        if self.data is not None and not self.data.self_closing:
            self._scan_rows(data, pos)

    def _scan_head(self, data: bytes) -> int:
        """Tags up to <sheetData> (a child of the root), with their nesting; returns where it ends."""
        path: list[bytes] = []
        for m in _ANY_TAG.finditer(data):
            name = m.group("name")
            if name is None:
                continue
            if m.group("end"):
                path = path[:-1]
                continue
            elem = _Elem(name, m.group("prefix") or b"", m.group("attrs"), m.start(), m.end())
            self_closing = elem.attrs.endswith(b"/")
            if len(path) == 1 and name == b"sheetData":
                self.data = elem
                if self_closing:
                    elem.close_start = elem.end = elem.open_end
                return m.end()
            if len(path) == 1 and name == b"dimension":
                self.dimension = elem
            elif len(path) == 2 and path[1] == b"cols" and name == b"col":
                self._add_col(elem)
            if not self_closing:
                path.append(name)
        return len(data)

    def _add_col(self, elem: _Elem) -> None:
        a = _attrs(elem.attrs)
        style = a.get("style")
        self.cols.append((_int(a.get("min"), self.where), _int(a.get("max"), self.where),
                          _int(style, self.where) if style else None))

    def _scan_rows(self, data: bytes, pos: int) -> None:
        """The rows of <sheetData> (its direct children) and its end tag."""
        nested, depth, row = 0, 0, None
        for m in _DATA_TAGS.finditer(data, pos):
            name = m.group("name")
            if name is None:
                continue
            closing, self_closing = bool(m.group("end")), m.group("attrs").endswith(b"/")
            elem = _Elem(name, m.group("prefix") or b"", m.group("attrs"), m.start(), m.end())
            if name == b"sheetData" and not self_closing:
                if not closing:
                    nested += 1
                elif nested:
                    nested -= 1
                elif depth == 0:
                    self.data.close_start, self.data.end = m.start(), m.end()
                    return
            elif name == b"row" and not nested:
                depth, row = self._row_tag(elem, closing, self_closing, depth, row)

    def _row_tag(self, elem: _Elem, closing: bool, self_closing: bool, depth: int, row: _Elem | None):
        if closing:
            depth -= 1
            if depth == 0:
                row.close_start, row.end = elem.start, elem.open_end
                self._add_row(row)
            return depth, row
        if depth == 0 and self_closing:
            elem.close_start = elem.end = elem.open_end
            self._add_row(elem)
            return depth, row
        if not self_closing:
            depth += 1
        return depth, (elem if depth == 1 else row)

    def _add_row(self, elem: _Elem) -> None:
        r = _r_attr(elem.attrs)
        number = _int(r, self.where) if r else (self.rows[-1].number + 1 if self.rows else 1)
        if self.rows and number <= self.rows[-1].number:
            raise WorkbookError(f"{self.where}: rows out of order (row {number} after row {self.rows[-1].number})")
        self.rows.append(_Row(number, elem, r is not None))

    def col_style(self, col: int) -> int | None:
        return next((style for lo, hi, style in self.cols if lo <= col <= hi), None)

    def with_dimension(self, data: bytes, ref: str) -> bytes:
        """``data`` (edited after the dimension tag only) with ``<dimension ref>`` set to ``ref``."""
        d = self.dimension
        if d is None:
            return data
        tag = data[d.start:d.open_end]
        new_tag, n = re.subn(rb"(\sref\s*=\s*)(\"[^\"]*\"|'[^']*')", b'\\1"' + ref.encode() + b'"', tag, count=1)
        if n == 0:
            return data
        return data[:d.start] + new_tag + data[d.open_end:]


def _cells(data: bytes, row: _Row, where: str) -> list[tuple[int, _Elem, bool]]:
    """The ``<c>`` elements of a row as ``(column, element, has_r)``."""
    out = []
    col = 0
    for child in _children(data, row.elem.open_end, row.elem.close_start):
        if child.name != b"c":
            continue
        r = _attrs(child.attrs).get("r")
        try:
            col = _split_ref(r)[1] if r else col + 1
        except ValueError:
            raise WorkbookError(f"{where}: bad cell reference {r!r} in row {row.number}") from None
        out.append((col, child, r is not None))
    return out


def _with_r(cell_xml: bytes, ref: str) -> bytes:
    """A cell's XML with an ``r`` attribute added after its name."""
    return re.sub(rb"^(<[^\s/>]+)", lambda m: m.group(1) + b' r="' + ref.encode() + b'"', cell_xml, count=1)


_SPANS = re.compile(rb"\s+spans\s*=\s*(?:\"[^\"]*\"|'[^']*')")


def _open_row_tag(data: bytes, row: _Row) -> bytes:
    """A touched row's start tag: no ``spans``, not self-closing, with ``r``."""
    tag = _SPANS.sub(b"", data[row.elem.start:row.elem.open_end])
    if row.elem.self_closing:
        tag = re.sub(rb"\s*/>$", b">", tag)
    return tag if row.has_r else _with_r(tag, str(row.number))


def _plain_row(row: _Row) -> bool:
    """A row without formatting of its own (only r, spans, dyDescent): dropped when empty."""
    return all(k in ("r", "spans") or k.endswith("dyDescent") for k in _attrs(row.elem.attrs))


def _formula_of(data: bytes, cell: _Elem) -> _Elem | None:
    if cell.self_closing:
        return None
    return next((e for e in _children(data, cell.open_end, cell.close_start) if e.name == b"f"), None)


class _RegionEdit:
    """The new bytes of a sheet with one region's cells replaced."""

    def __init__(self, data: bytes, layout: _Layout, top_row: int, first_col: int, last_col: int,
                 new_cells: dict[int, list[tuple[int, bytes]]]) -> None:
        self.data, self.layout = data, layout
        self.top_row, self.first_col, self.last_col = top_row, first_col, last_col
        self.new_cells = new_cells
        self.removed_formula = False
        self.cut_masters: dict[int, str] = {}  # shared-formula si -> its master cell, deleted

    def apply(self) -> bytes:
        data, sd = self.data, self.layout.data
        rows = self.layout.rows
        k = next((i for i, r in enumerate(rows) if r.number >= self.top_row), len(rows))
        if k < len(rows):
            head_end, tail_start = rows[k].elem.start, rows[-1].elem.end
        else:
            head_end = tail_start = rows[-1].elem.end if rows else sd.open_end
        middle = self._rows(rows[k:])
        if sd.self_closing:
            open_tag = re.sub(rb"\s*/>$", b">", data[sd.start:sd.open_end])
            return data[:sd.start] + open_tag + middle + b"</" + sd.prefix + b"sheetData>" + data[sd.end:]
        return data[:head_end] + middle + data[tail_start:]

    def _rows(self, existing: list[_Row]) -> bytes:
        by_number = {r.number: r for r in existing}
        numbers = sorted(set(by_number) | set(self.new_cells))
        out = []
        for n in numbers:
            row = by_number.get(n)
            out.append(self._row(row) if row else self._new_row(n))
        return b"".join(out)

    def _new_row(self, n: int) -> bytes:
        p = self.layout.prefix
        cells = b"".join(xml for _col, xml in self.new_cells[n])
        return b"<" + p + b'row r="' + str(n).encode() + b'">' + cells + b"</" + p + b"row>"

    def _row(self, row: _Row) -> bytes:
        data = self.data
        cells = _cells(data, row, self.layout.where)
        new = self.new_cells.get(row.number, [])
        inside = [(col, e) for col, e, _ in cells if self.first_col <= col <= self.last_col]
        if not inside and not new:
            return data[row.elem.start:row.elem.end]
        for col, cell in inside:
            self._note_removed(cell, row.number, col)
        kept = [(col, _cell_bytes(data, e, has_r, row.number, col)) for col, e, has_r in cells
                if not self.first_col <= col <= self.last_col]
        merged = b"".join(xml for _col, xml in sorted(kept + new, key=lambda t: t[0]))
        e = row.elem
        if e.self_closing:
            head, tail, close = b"", b"", b"</" + e.prefix + b"row>"
        else:
            head = data[e.open_end:cells[0][1].start] if cells else b""
            tail = data[cells[-1][1].end:e.close_start] if cells else data[e.open_end:e.close_start]
            close = data[e.close_start:e.end]
        if not merged and not (head + tail).strip() and _plain_row(row):
            return b""
        return _open_row_tag(data, row) + head + merged + tail + close

    def _note_removed(self, cell: _Elem, row: int, col: int) -> None:
        f = _formula_of(self.data, cell)
        if f is None:
            return
        self.removed_formula = True
        a = _attrs(f.attrs)
        if a.get("t") == "shared" and a.get("ref") and a.get("si", "").isdigit():
            self.cut_masters[int(a["si"])] = _ref(row, col)


def _cell_bytes(data: bytes, cell: _Elem, has_r: bool, row: int, col: int) -> bytes:
    xml = data[cell.start:cell.end]
    return xml if has_r else _with_r(xml, _ref(row, col))


class _CachedValueEdit:
    """The new bytes of a sheet with cached values of formula cells replaced."""

    def __init__(self, data: bytes, layout: _Layout, values: Mapping[tuple[int, int], Any], where: str) -> None:
        self.data, self.layout, self.where = data, layout, where
        self.values = values

    def apply(self) -> bytes:
        wanted: dict[int, dict[int, Any]] = {}
        for (row, col), value in self.values.items():
            wanted.setdefault(row, {})[col] = value
        edits = []  # (start, end, new bytes)
        rows = {r.number: r for r in self.layout.rows if r.number in wanted}
        for n, cols in sorted(wanted.items()):
            if n not in rows:
                raise WorkbookError(f"{self.where}: {_ref(n, min(cols))} is not a formula cell (row {n} is empty)")
            cells = {col: e for col, e, _ in _cells(self.data, rows[n], self.where)}
            for col, value in sorted(cols.items()):
                cell = cells.get(col)
                if cell is None or _formula_of(self.data, cell) is None:
                    raise WorkbookError(f"{self.where}: {_ref(n, col)} is not a formula cell")
                edits.append((cell.start, cell.end, self._cell(cell, value, _ref(n, col))))
        out, pos = [], 0
        for start, end, xml in edits:
            out += [self.data[pos:start], xml]
            pos = end
        return b"".join(out) + self.data[pos:]

    def _cell(self, cell: _Elem, value: Any, ref: str) -> bytes:
        data = self.data
        encoded = _encode_value(value, formula=True, where=f"{self.where}: {ref}")
        t, text = encoded if encoded else (None, None)
        start_tag = re.sub(rb"(?<=\s)t\s*=\s*(?:\"[^\"]*\"|'[^']*')\s*", b"", data[cell.start:cell.open_end])
        start_tag = re.sub(rb"\s*>$", b">", start_tag)
        if t:
            start_tag = start_tag[:-1] + b' t="' + t.encode() + b'">'
        children = _children(data, cell.open_end, cell.close_start)
        f = next(e for e in children if e.name == b"f")
        v = next((e for e in children if e.name == b"v"), None)
        new_v = b"" if encoded is None else (b"<" + f.prefix + b"v>" + text.encode() + b"</" + f.prefix + b"v>")
        if v is not None:
            content = data[cell.open_end:v.start] + new_v + data[v.end:cell.close_start]
        else:
            content = data[cell.open_end:f.end] + new_v + data[f.end:cell.close_start]
        return start_tag + content + data[cell.close_start:cell.end]


class _SheetScan:
    """An edited sheet through the guarded parser: refused unless well-formed and safe.

    Also gives its used range, the cells found in ``region`` (top row, first and
    last column) and, with ``shared``, the shared formulas left without a master.
    """

    def __init__(self, data: bytes, where: str, region: tuple[int, int, int] | None = None,
                 shared: bool = False) -> None:
        self.where, self.region, self.shared = where, region, shared
        self.in_region: set[tuple[int, int]] = set()
        self.top = self.bottom = self.min_col = self.max_col = 0
        self.masters: set[int] = set()
        self.users: set[int] = set()
        guard = _PrologGuard()
        tags = None
        row_no = 0
        for elem in _stream_ends(io.BytesIO(data), where, guard):
            tags = tags or _Tags.of(guard.root)
            if elem.tag != tags.row_:
                continue
            row_no = _int(elem.get("r"), where) if elem.get("r") else row_no + 1
            self._row(elem, row_no, tags)
            elem.clear()
        self.orphans = self.users - self.masters  # shared formulas whose master cell is gone

    def _row(self, row: ET.Element, row_no: int, tags: _Tags) -> None:
        cells = [c for c in row if c.tag == tags.c_]
        if not cells:
            return
        every_cell = self.shared or (self.region is not None and row_no >= self.region[0])
        if every_cell or not (cells[0].get("r") and cells[-1].get("r")):
            cols = self._columns(cells)
        else:
            cols = [self._col(cells[0].get("r")), self._col(cells[-1].get("r"))]
        self.top = self.top or row_no
        self.bottom = row_no
        self.min_col = min(self.min_col or cols[0], cols[0])
        self.max_col = max(self.max_col, cols[-1])
        if every_cell:
            self._note_cells(cells, cols, row_no, tags)

    def _columns(self, cells: list[ET.Element]) -> list[int]:
        out, col = [], 0
        for c in cells:
            col = self._col(c.get("r")) if c.get("r") else col + 1
            out.append(col)
        return out

    def _col(self, ref: str) -> int:
        try:
            return _split_ref(ref)[1]
        except ValueError:
            raise WorkbookError(f"{self.where}: bad cell reference {ref!r}") from None

    def _note_cells(self, cells: list[ET.Element], cols: list[int], row_no: int, tags: _Tags) -> None:
        region = self.region
        for c, col in zip(cells, cols):
            if region and row_no >= region[0] and region[1] <= col <= region[2]:
                self.in_region.add((row_no, col))
            if self.shared:
                for f in c:
                    if f.tag == tags.f_ and f.get("t") == "shared" and (f.get("si") or "").isdigit():
                        (self.masters if f.get("ref") else self.users).add(int(f.get("si")))

    def dimension(self) -> str:
        if not self.top:
            return "A1"
        top, bottom = _ref(self.top, self.min_col), _ref(self.bottom, self.max_col)
        return top if top == bottom else f"{top}:{bottom}"


# --------------------------------------------------------------------------- values -> cell XML


def _check_region(where: str, top_row: int, first_col: int, last_col: int,
                  rows: Sequence[Sequence[Any]], styles: Sequence[int | None] | None) -> None:
    width = last_col - first_col + 1
    if not (1 <= first_col <= last_col <= MAX_COLS) or not 1 <= top_row <= MAX_ROWS:
        raise WorkbookError(f"{where}: bad region: row {top_row}, columns {first_col}..{last_col}")
    if top_row + len(rows) - 1 > MAX_ROWS:
        raise WorkbookError(f"{where}: {len(rows)} rows from row {top_row} go past Excel's last row")
    for i, values in enumerate(rows):
        if len(values) > width:
            raise WorkbookError(f"{where}: row {top_row + i} has {len(values)} values; the region "
                                f"{col_letters(first_col)}:{col_letters(last_col)} is {width} columns wide")
    if styles is not None and len(styles) != width:
        raise WorkbookError(f"{where}: {len(styles)} styles for a region {width} columns wide")


def _encode_rows(rows: Sequence[Sequence[Any]], top_row: int, first_col: int, styles: list[int | None],
                 prefix: bytes, where: str,
                 row_styles: Sequence[Sequence[int | None] | None] | None = None) -> dict[int, list[tuple[int, bytes]]]:
    out: dict[int, list[tuple[int, bytes]]] = {}
    p = prefix.decode()
    for i, values in enumerate(rows):
        row = top_row + i
        cells = []
        override = row_styles[i] if row_styles is not None and i < len(row_styles) else None
        for j, value in enumerate(values):
            ref = _ref(row, first_col + j)
            style = override[j] if override is not None and j < len(override) and override[j] is not None \
                else styles[j]
            xml = _cell_xml(ref, value, style, p, f"{where}: {ref}")
            if xml is not None:
                cells.append((first_col + j, xml.encode("utf-8")))
        if cells:
            out[row] = cells
    return out


def _cell_xml(ref: str, value: Any, style: int | None, p: str, where: str) -> str | None:
    encoded = _encode_value(value, formula=False, where=where)
    if encoded is None:
        return None
    t, text = encoded
    s = f' s="{style}"' if style else ""
    if t == "inlineStr":
        return (f'<{p}c r="{ref}"{s} t="inlineStr"><{p}is><{p}t xml:space="preserve">{text}'
                f"</{p}t></{p}is></{p}c>")
    t_attr = f' t="{t}"' if t else ""
    return f'<{p}c r="{ref}"{s}{t_attr}><{p}v>{text}</{p}v></{p}c>'


def _encode_value(value: Any, *, formula: bool, where: str) -> tuple[str | None, str] | None:
    """``(t attribute or None for numbers, XML text)``, or None for a blank cell."""
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return "b", "1" if value else "0"
    if isinstance(value, str):
        if value in ERROR_CODES:
            return "e", str(value)
        if value == "" and not formula:
            return None
        if len(value) > MAX_TEXT:
            raise WorkbookError(f"{where}: {len(value)} characters; an Excel cell holds at most {MAX_TEXT}")
        return ("str" if formula else "inlineStr"), _xml_text(value)
    if isinstance(value, (dt.date, dt.time)):
        serial = _serial(value)
        if serial is None:  # before 1900: Excel has no serial number for it
            return _encode_value(value.isoformat(), formula=formula, where=where)
        return None, _num_text(serial)
    if isinstance(value, numbers.Real):
        return _encode_number(value)
    if isinstance(value, decimal.Decimal):
        return _encode_number(float(value))
    raise WorkbookError(f"{where}: cannot write a {type(value).__name__} into a cell")


def _plain(value: Any) -> Any:
    """NumPy scalars as Python ones, NaN/NaT as None."""
    if type(value).__module__ == "numpy":
        if type(value).__name__ == "datetime64":
            value = None if value != value else value.astype("datetime64[us]").item()
        elif hasattr(value, "item"):
            value = value.item()
    if isinstance(value, (float, dt.datetime)) and value != value:
        return None
    return value


def _encode_number(value: numbers.Real) -> tuple[None, str] | tuple[str, str] | None:
    if isinstance(value, numbers.Integral):
        return None, str(int(value))
    x = float(value)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "e", "#NUM!"
    return None, _num_text(x)


def _num_text(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 2 ** 53 else repr(x)


_EPOCH = dt.datetime(1899, 12, 30)


def _serial(value: dt.date | dt.time) -> float | None:
    """Excel's serial number of a date, datetime or time; None before 1900-01-01."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - _EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    else:
        serial = float((value - _EPOCH.date()).days)
    if serial < 61:  # Excel counts a 1900-02-29 that never was
        serial -= 1
    return serial if serial >= 1 else None


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for a ``<t>`` or ``<v>``: Excel's ``_xHHHH_`` escapes, then XML escapes."""
    text = _X_ESCAPED.sub(lambda m: "_x005F" + m.group(0), text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
