"""Opening a workbook from an untrusted source.

Refused, with a :class:`WorkbookError` naming the file (and part): a missing file
or a folder; an OLE compound file (an encrypted workbook or a legacy .xls); not a
zip; no ``[Content_Types].xml``; more members, or bigger parts, than
:class:`Limits` allow; zip bombs (compression ratio over 200:1 for parts over
1 MiB); absolute or ``..`` member names; encrypted or duplicate members. XML is
vetted where it is read (:mod:`.xmlread`: no DTD, so no entities).
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ...i18n import Message, N_
from .records import WorkbookError

MiB = 1 << 20
GiB = 1 << 30
CONTENT_TYPES = "[Content_Types].xml"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_OLE_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class Limits:
    """How big an untrusted workbook may be. Sizes are uncompressed bytes."""

    max_part_bytes: int = 512 * MiB
    max_total_bytes: int = 2 * GiB
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1 * MiB  # the ratio is only checked for parts bigger than this
    max_members: int = 100_000



def open_zip(path: Path, limits: Limits) -> zipfile.ZipFile:
    """The zip of an .xlsx/.xlsm from an untrusted source, its members checked."""
    _sniff(path)
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise WorkbookError(Message(N_("{file}: not an .xlsx/.xlsm workbook (not a zip file)"),
                                    file=str(path))) from None
    except (OSError, ValueError, EOFError, NotImplementedError, UnicodeError, struct.error) as exc:
        raise WorkbookError(Message(N_("{file}: not a readable .xlsx/.xlsm workbook ({reason})"), file=str(path),
                                    reason=str(exc))) from None
    try:
        _check_members(path, zf.infolist(), limits)
        return zf
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
        raise WorkbookError(Message(N_("{file}: no such file"), file=str(path))) from None
    except IsADirectoryError:
        raise WorkbookError(Message(N_("{file}: is a folder, not a workbook"), file=str(path))) from None
    except OSError as exc:
        raise WorkbookError(Message(N_("{file}: cannot be read ({reason})"), file=str(path),
                                    reason=exc.strerror or str(exc))) from None
    if head.startswith(_OLE_MAGIC):
        if _OLE_ENCRYPTED in head:
            raise WorkbookError(Message(N_(
                "{file}: the workbook is password-protected (encrypted); open it in Excel, "
                "remove the password (File > Info > Protect Workbook) and save it, then try again"), file=str(path)))
        raise WorkbookError(Message(N_(
            "{file}: an OLE compound file, not an .xlsx: a password-protected workbook or a "
            "legacy .xls; remove the password or save it as .xlsx in Excel, then try again"), file=str(path)))


def _check_members(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_members:
        raise WorkbookError(Message(N_("{file}: {n} zip members, more than the {most} allowed"), file=str(path),
                                    n=len(infos), most=limits.max_members))
    seen: set[str] = set()
    total = 0
    for info in infos:
        _check_member(path, info, limits)
        key = info.filename.lower()
        if key in seen:
            raise WorkbookError(Message(N_("{file}: part {part} appears twice in the zip; refusing the file"),
                                        file=str(path), part=repr(info.filename)))
        seen.add(key)
        total += info.file_size
    if total > limits.max_total_bytes:
        raise WorkbookError(Message(N_("{file}: {size:.0f} MiB uncompressed, more than the {most:.0f} MiB allowed"),
                                    file=str(path), size=total / MiB, most=limits.max_total_bytes / MiB))
    if CONTENT_TYPES.lower() not in seen:
        raise WorkbookError(Message(N_("{file}: not an .xlsx/.xlsm workbook (no {part} in the zip)"),
                                    file=str(path), part=CONTENT_TYPES))


def _check_member(path: Path, info: zipfile.ZipInfo, limits: Limits) -> None:
    where = dict(file=str(path), part=repr(info.filename))
    if _unsafe_name(info.filename):
        raise WorkbookError(Message(N_("{file}: part {part}: unsafe member name (absolute path or '..'); "
                                       "refusing the file"), **where))
    if info.flag_bits & 0x1:
        raise WorkbookError(Message(N_("{file}: part {part}: encrypted zip member; refusing the file"), **where))
    if info.file_size > limits.max_part_bytes:
        raise WorkbookError(Message(N_("{file}: part {part}: {size:.0f} MiB uncompressed, more than the {most:.0f} "
                                       "MiB allowed per part"), **where, size=info.file_size / MiB,
                                    most=limits.max_part_bytes / MiB))
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise WorkbookError(Message(N_("{file}: part {part}: compression ratio {ratio:.0f}:1 is above {most:.0f}:1 "
                                       "(a zip bomb?); refusing the file"), **where,
                                    ratio=info.file_size / max(info.compress_size, 1), most=limits.max_ratio))


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or name[0] in "/\\":
        return True
    parts = re.split(r"[/\\]", name)
    return ".." in parts or ":" in parts[0]
