"""One way to replace a file: write it beside the target, then swap it in.

The new bytes go to a temporary file in the target's folder (same file system, so
the swap is one :func:`os.replace`), are flushed to disk, and take the target's
permissions. Only then is the previous file, when asked, copied to
:func:`backup_path` and the new one renamed over it: a crash at any point leaves
the original (or the complete new file) and no partial target.

A target that is a symbolic link is written where the link points, and the link
stays (the backup goes beside the real file).
"""

from __future__ import annotations

import errno
import glob
import os
import re
import secrets
import shutil
from pathlib import Path
from typing import IO, Callable

from ...i18n import Message, N_
from .records import WorkbookError


_IN_USE = {errno.EACCES, errno.EPERM, errno.EBUSY, errno.ETXTBSY}  # a program holding the file (Windows)


def backup_path(path: str | os.PathLike) -> Path:
    """Where a saved workbook's previous version is kept: ``book.xlsx`` -> ``book.bak.xlsx``
    (same folder, same extension, so the backup still opens in Excel with a double click)."""
    path = Path(path)
    return path.with_name(f"{path.stem}.bak{path.suffix}")


def replace_atomically(target: str | os.PathLike, write: Callable[[IO[bytes]], None], *, backup: bool = False,
                       before_replace: Callable[[], None] = lambda: None,
                       mode_from: str | os.PathLike | None = None) -> Path:
    """Make ``target`` the bytes ``write(fh)`` writes; with ``backup`` keep the old file as
    :func:`backup_path` (an older backup of that name is replaced). A symbolic link is
    followed: its target gets the new bytes and the link stays a link. The new file gets
    the permissions of ``mode_from`` when given, else the target's."""
    target = Path(os.path.realpath(target))
    check_writable(target)
    tmp = _write_temp(target, write, Path(mode_from) if mode_from is not None else target)
    try:
        before_replace()
        if backup and target.exists():
            _make_backup(target)
        os.replace(tmp, target)
    except OSError as exc:
        _unlink(tmp)
        said = (N_("{file}: cannot be replaced ({reason}); is it open in another program?") if exc.errno in _IN_USE
                else N_("{file}: cannot be replaced ({reason})"))
        raise WorkbookError(Message(said, file=str(target), reason=_reason(exc))) from None
    except BaseException:
        _unlink(tmp)
        raise
    _sync_folder(target.parent)
    return target


def check_writable(target: Path) -> None:
    """Refuse to replace a file without write permission, as Excel does (the folder's
    permission would let us, and root may write anything; the owner said no)."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WorkbookError(Message(N_("{file}: cannot be checked ({reason})"), file=str(target),
                                    reason=_reason(exc))) from None
    if not mode & 0o222:
        raise WorkbookError(Message(N_("{file}: the file is read-only; make it writable (or save a copy) and run "
                                       "again"), file=str(target)))


def clean_stale_temps(target: Path) -> list[Path]:
    """Remove the temporary files a killed run of ours left beside ``target`` (names
    ``.NAME.xxxxxxxx.tmp``, ours only); call it while holding the workbook's lock."""
    removed = []
    for name in (target.name, backup_path(target).name):
        pattern = re.compile(r"\." + re.escape(name) + r"\.[0-9a-f]{8}\.tmp")
        try:
            candidates = list(target.parent.glob(f".{glob.escape(name)}.*.tmp"))
        except OSError:
            return removed
        for path in candidates:
            if pattern.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                _unlink(path)
                removed.append(path)
    return removed


def _write_temp(target: Path, write: Callable[[IO[bytes]], None], mode_from: Path) -> Path:
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode_from.exists():
            shutil.copymode(mode_from, tmp)
    except OSError as exc:
        _unlink(tmp)
        raise WorkbookError(Message(N_("{file}: cannot write the new file ({reason})"), file=str(target),
                                    reason=_reason(exc))) from None
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _reason(exc: OSError) -> Message | str:
    """Why the system refused, in words: a full disk said in the reader's language, else the
    system's own words (its message is in the system's language already)."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return Message(N_("No space left on device"))  # the system's own English words
    return exc.strerror or str(exc)


def _make_backup(target: Path) -> None:
    """Copy (not move): the original stays in place until the final rename."""
    bak = backup_path(target)
    tmp = bak.with_name(f".{bak.name}.{secrets.token_hex(4)}.tmp")
    try:
        shutil.copy2(target, tmp)
        os.replace(tmp, bak)
    finally:
        _unlink(tmp)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def stat_key(path: Path) -> tuple[int, int] | None:
    """Size and modification time: a file changed since it was opened is not overwritten."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns
