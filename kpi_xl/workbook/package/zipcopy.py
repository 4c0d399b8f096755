"""Writing a zip: untouched members keep their original compressed bytes and zip
metadata (a raw copy), edited ones are deflated, member order is kept.

The raw copy uses :mod:`zipfile` internals (``fp``, ``start_dir``, ``filelist``);
should a Python release change them, untouched members are re-compressed instead
(same decompressed bytes).
"""

from __future__ import annotations

import copy
import struct
import zipfile
from typing import IO

from ...i18n import Message, N_
from .records import WorkbookError
from .xmlread import CHUNK


def clone_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    zi.compress_type = info.compress_type
    zi.comment = info.comment
    zi.create_system = info.create_system
    zi.external_attr = info.external_attr
    return zi


def write_deflated(out: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    zi = clone_info(info)
    zi.compress_type = zipfile.ZIP_DEFLATED
    out.writestr(zi, data)


def can_raw_copy(out: zipfile.ZipFile) -> bool:
    return all(hasattr(out, a) for a in ("fp", "start_dir", "filelist", "NameToInfo"))


def copy_raw(src: IO[bytes], info: zipfile.ZipInfo, out: zipfile.ZipFile, where: str) -> None:
    """Copy one member with its original compressed bytes and metadata."""
    src.seek(info.header_offset)
    header = src.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise WorkbookError(Message(N_("{where}: damaged zip data ({reason})"), where=where, reason="bad local header"))
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)
    zi = copy.copy(info)
    zi.flag_bits &= ~0x08  # sizes go in the local header: no data descriptor
    zi.extra = strip_zip64(info.extra)
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    out.fp.seek(out.start_dir)
    zi.header_offset = out.fp.tell()
    out.fp.write(zi.FileHeader(zip64))
    left = info.compress_size
    while left:
        chunk = src.read(min(left, CHUNK))
        if not chunk:
            raise WorkbookError(Message(N_("{where}: damaged zip data ({reason})"), where=where,
                                        reason="truncated member"))
        out.fp.write(chunk)
        left -= len(chunk)
    out.start_dir = out.fp.tell()
    out.filelist.append(zi)
    out.NameToInfo[zi.filename] = zi
    out._didModify = True


def strip_zip64(extra: bytes) -> bytes:
    """The extra field without its zip64 record (FileHeader adds one when needed)."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i:i + 4])
        if tag != 1:
            out += extra[i:i + 4 + size]
        i += 4 + size
    return out
