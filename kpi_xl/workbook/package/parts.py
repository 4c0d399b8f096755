"""The OPC layer of a workbook: its zip members ("parts"), their relationships, and
saving them back. Untouched parts keep their original compressed bytes (see
:mod:`.zipcopy`); the file is replaced atomically (see :mod:`.atomic`)."""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from ...i18n import Message, N_
from .atomic import replace_atomically, stat_key
from .records import WorkbookError
from .safety import Limits
from .xmlread import local_name, parse_xml
from .zipcopy import can_raw_copy, clone_info, copy_raw, write_deflated


@dataclass(frozen=True)
class Rel:
    """One relationship of a part."""

    id: str
    type: str
    target: str  # a part name (resolved), or the raw target when external
    external: bool

    @property
    def kind(self) -> str:
        return self.type.rsplit("/", 1)[-1]


class Parts:
    """The parts of an open zip package: read lazily, replace or remove, save atomically."""

    def __init__(self, path: Path, zf: zipfile.ZipFile, limits: Limits) -> None:
        self.limits = limits
        self._attach(path, zf)

    def _attach(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = zf
        self._infos = zf.infolist()
        self._names = {i.filename.lower(): i.filename for i in self._infos}
        self._stat = stat_key(path)
        self._modified: dict[str, bytes] = {}
        self._removed: set[str] = set()
        self._memo: dict[str, Any] = {}

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None

    def __enter__(self) -> "Parts":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {str(self.path)!r}, {len(self._modified)} edited part(s)>"

    def where(self, part: str) -> str:
        return f"{self.path}: part {part!r}"

    def part_names(self) -> list[str]:
        """Every member, in zip order."""
        return [i.filename for i in self._infos if i.filename not in self._removed]

    def find_part(self, name: str) -> str | None:
        """The member name as stored (part names are case-insensitive)."""
        actual = self._names.get(name.lower())
        return None if actual is None or actual in self._removed else actual

    def _existing(self, name: str) -> str:
        actual = self.find_part(name)
        if actual is None:
            raise WorkbookError(Message(N_("{file}: no part '{part}'"), file=str(self.path), part=name))
        return actual

    def _damaged(self, actual: str, exc: BaseException) -> WorkbookError:
        return WorkbookError(Message(N_("{where}: damaged zip data ({reason})"), where=self.where(actual),
                                     reason=str(exc)))

    def part_size(self, name: str) -> int:
        """A member's size once inflated, as its zip entry says (0 for a missing one)."""
        actual = self.find_part(name)
        if actual is None:
            return 0
        if actual in self._modified:
            return len(self._modified[actual])
        return next((i.file_size for i in self._infos if i.filename == actual), 0)

    def read_part(self, name: str) -> bytes:
        """A member's bytes (edited ones as edited)."""
        actual = self._existing(name)
        if actual in self._modified:
            return self._modified[actual]
        with self.open_part(actual) as fh:
            try:
                return fh.read()
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise self._damaged(actual, exc) from None

    def part_pieces(self, name: str, size: int = 1 << 22) -> Iterator[bytes]:
        """A member's bytes in pieces of ``size`` as they are inflated, none kept: a search over a part
        of hundreds of megabytes holds one piece at a time (edited ones as edited, in one piece)."""
        actual = self._existing(name)
        if actual in self._modified:
            yield self._modified[actual]
            return
        with self.open_part(actual) as fh:
            try:
                while piece := fh.read(size):
                    yield piece
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                raise self._damaged(actual, exc) from None

    def open_part(self, actual: str) -> IO[bytes]:
        if actual in self._modified:
            return io.BytesIO(self._modified[actual])
        if self._zip is None:
            raise WorkbookError(f"{self.path}: the package is closed")
        try:
            return self._zip.open(actual)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, zlib.error) as exc:
            raise WorkbookError(Message(N_("{where}: cannot be read ({reason})"), where=self.where(actual),
                                        reason=str(exc))) from None

    def xml(self, part: str) -> ET.Element:
        return parse_xml(self.read_part(part), self.where(part))

    def rels(self, part: str) -> list[Rel]:
        """The relationships of ``part`` ("" for the package itself)."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if self.find_part(rels_part) is None:
            return []
        out = []
        for el in self.xml(rels_part):
            if local_name(el.tag) != "Relationship":
                continue
            external = el.get("TargetMode", "") == "External"
            target = el.get("Target", "")
            resolved = target if external else self._resolve(part, target)
            if resolved is not None:
                out.append(Rel(el.get("Id", ""), el.get("Type", ""), resolved, external))
        return out

    def _resolve(self, source: str, target: str) -> str | None:
        target = unquote(target)
        path = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
        path = posixpath.normpath(path)
        if path.startswith("..") or path.startswith("/"):
            return None
        return self.find_part(path) or path

    def replace_part(self, name: str, data: bytes) -> None:
        """Give an existing part new bytes (written when saved)."""
        actual = self.find_part(name)
        if actual is None:
            raise WorkbookError(Message(N_("{file}: no part '{part}'"), file=str(self.path), part=name))
        self._modified[actual] = data

    def add_part(self, name: str, data: bytes) -> None:
        """A new part (written, deflated, after the existing ones when saved); its relationship
        and content type are the caller's."""
        if self.find_part(name) is not None:
            raise WorkbookError(Message(N_("{file}: a part '{part}' exists already"), file=str(self.path), part=name))
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._infos.append(info)
        self._names[name.lower()] = name
        self._modified[name] = data

    def remove_part(self, name: str) -> None:
        """Leave a part out of the saved file (its relationships and content type are the caller's)."""
        actual = self.find_part(name)
        if actual is not None:
            self._removed.add(actual)

    def save(self, path: str | os.PathLike | None = None, *, backup: bool = True,
             mode_from: str | os.PathLike | None = None) -> Path:
        """Write the package to ``path`` (default: where it was opened) atomically.

        With ``backup`` an existing target is first copied to :func:`.atomic.backup_path`.
        The file gets the permissions of ``mode_from`` when given (else the target's).
        Afterwards the package reads from the saved file.
        """
        target = Path(path) if path is not None else self.path
        if self._zip is None:
            raise WorkbookError(f"{self.path}: the package is closed")
        if stat_key(self.path) != self._stat:
            raise WorkbookError(Message(N_("{file}: changed on disk since it was opened; open it again"),
                                        file=str(self.path)))
        try:
            # the zip is closed before the swap: Windows cannot replace a file that is open
            replace_atomically(target, self._write_zip, backup=backup, before_replace=self.close,
                               mode_from=mode_from)
        except BaseException:
            if self._zip is None:
                self._reopen(self.path)
            raise
        self._reopen(target)
        return target

    def _reopen(self, path: Path) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise WorkbookError(Message(N_("{file}: cannot be reopened after saving ({reason})"), file=str(path),
                                        reason=str(exc))) from None
        self._attach(path, zf)

    def _write_zip(self, fh: IO[bytes]) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as out, open(self.path, "rb") as src:
            out.comment = self._zip.comment
            for info in self._infos:
                name = info.filename
                if name in self._removed:
                    continue
                if name in self._modified:
                    write_deflated(out, info, self._modified[name])
                elif can_raw_copy(out):
                    copy_raw(src, info, out, self.where(name))
                else:
                    out.writestr(clone_info(info), self.read_part(name), compress_type=info.compress_type)
