"""One writer at a time: an exclusive lock on a workbook for a whole read-compute-write.

The lock is a file beside the workbook, ``.~kpi-xl.NAME.lock``, made with
``O_CREAT | O_EXCL`` (one creator wins, on every system and on network shares)
and holding the holder's pid and host. A second kpi-xl waits a little for it,
then refuses in words. A lock whose holder is gone (its pid no longer runs on
this host) is stale and taken over. Another program's owner file is respected:
a workbook open in LibreOffice (``.~lock.NAME#``) or Excel (``~$NAME``) is
refused, never overwritten under it. Holding the lock, the temporary files a killed
run left beside the workbook are removed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import time
from pathlib import Path
from typing import Iterator

from ...i18n import Message, N_
from .atomic import clean_stale_temps
from .records import WorkbookError


def lock_path(path: Path) -> Path:
    return path.with_name(f".~kpi-xl.{path.name}.lock")


def owner_files(path: Path) -> list[tuple[Path, str]]:
    """The owner files other programs keep beside a workbook they have open. Excel's is
    ``~$`` and the name, its first two characters dropped for longer names."""
    name = path.name
    candidates = [(path.with_name(f".~lock.{name}#"), "LibreOffice"), (path.with_name(f"~${name}"), "Excel")]
    if len(name) > 2:
        candidates.append((path.with_name(f"~${name[2:]}"), "Excel"))
    return [(p, who) for p, who in candidates if p.exists()]


def _alive(pid: int) -> bool:
    if os.name == "nt":  # no cheap check; a lock left by a crash is removed by hand
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: a process of another user
        return True
    return True


def _holder(text: str) -> tuple[int | None, str]:
    pid, _, host = text.strip().partition(" ")
    return (int(pid) if pid.isdigit() else None), host


def _stale(text: str, host: str) -> bool:
    pid, holder_host = _holder(text)
    return pid is not None and holder_host == host and not _alive(pid)


def _read(lock: Path) -> str | None:
    try:
        return lock.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return ""


def _take_over(lock: Path, seen: str) -> None:
    """Remove a stale lock, unless someone else already replaced it by a live one."""
    grabbed = lock.with_name(f"{lock.name}.{secrets.token_hex(4)}.stale")
    try:
        os.rename(lock, grabbed)
    except OSError:
        return
    try:
        if _read(grabbed) != seen:  # a live lock made meanwhile: put it back
            with contextlib.suppress(OSError):
                os.link(grabbed, lock)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(grabbed)


@contextlib.contextmanager
def workbook_lock(path: str | os.PathLike, wait: float = 5.0) -> Iterator[None]:
    """Hold the workbook at ``path`` for one writer; refuse (WorkbookError) when another
    program has it open or another kpi-xl still holds it after ``wait`` seconds."""
    path = Path(os.path.realpath(path))
    for owner, who in owner_files(path):
        raise WorkbookError(Message(N_("{file} is open in {program} (owner file {owner}); close it and run again"),
                                    file=path.name, program=who, owner=owner.name))
    lock = lock_path(path)
    host = socket.gethostname()
    mine = f"{os.getpid()} {host}\n"
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            text = _read(lock)
            if text is None:
                continue
            if _stale(text, host):
                _take_over(lock, text)
                continue
            if time.monotonic() >= deadline:
                pid, holder_host = _holder(text)
                who = (Message(N_("pid {pid} on {host}"), pid=pid, host=holder_host) if pid is not None
                       else Message(N_("another program")))
                raise WorkbookError(Message(N_("{file}: another kpi-xl is writing it ({who}); run again when it is "
                                               "done (if none is running, delete {lock})"),
                                            file=str(path), who=who, lock=str(lock))) from None
            time.sleep(0.1)
            continue
        except OSError as exc:
            raise WorkbookError(Message(N_("{file}: cannot make the lock file {lock} beside it ({reason}); is the "
                                           "folder writable?"), file=str(path), lock=lock.name,
                                        reason=exc.strerror or str(exc))) from None
        break
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(mine)
    except OSError as exc:  # e.g. a full disk
        with contextlib.suppress(OSError):
            os.unlink(lock)
        raise WorkbookError(Message(N_("{file}: cannot write the lock file {lock} ({reason})"), file=str(path),
                                    lock=lock.name, reason=exc.strerror or str(exc))) from None
    clean_stale_temps(path)  # what a killed run of ours left; no run of ours is writing now
    try:
        yield
    finally:
        if _read(lock) == mine:
            with contextlib.suppress(OSError):
                os.unlink(lock)
