"""LibreOffice run headless to convert a workbook (to PDF, or to OpenDocument).

``kpi-xl report`` prints with it, and the tests and tools/screenshots.py look at workbooks with
it (tests/support/render.py), so a workbook is opened the same way by both. Each run gets a
user profile of its own, thrown away after (runs can go in parallel, and a user's LibreOffice
settings never change a result), in which "Recalculation on file load" is set: never (the value
stored with each formula is shown; kpi-xl's worksheet functions are not LibreOffice's) or, with
``recalc``, always (what Excel shows of a file it recalculates on open).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import KpiXlError

#: The environment variable naming the LibreOffice program (a path, or a name on PATH).
ENV = "KPI_XL_SOFFICE"


class LibreOfficeError(KpiXlError):
    """LibreOffice is ``missing``, could not ``start``, took longer than ``timeout``, or ``failed``
    (``returncode``, and its ``output``: what it printed, or why it could not start)."""

    def __init__(self, kind: str, soffice: str | None = None, returncode: int | None = None, output: str = "",
                 timeout: float | None = None) -> None:
        super().__init__(f"LibreOffice {kind}" + (f" ({soffice})" if soffice else ""))
        self.kind, self.soffice, self.returncode, self.output, self.timeout = kind, soffice, returncode, output, timeout


def find() -> str | None:
    """The LibreOffice program: :data:`ENV`'s, else ``soffice`` or ``libreoffice`` on PATH, else
    macOS's application; None when there is none."""
    override = os.environ.get(ENV)
    if override:
        return override if Path(override).is_file() else shutil.which(override)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    mac = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    return str(mac) if mac.is_file() else None


def profile_settings(recalc: bool) -> str:
    """The ``user/registrymodifications.xcu`` of a fresh profile. ``OOXMLRecalcMode`` and
    ``ODFRecalcMode`` (Tools > Options > LibreOffice Calc > Formula > "Recalculation on file
    load"): 0 always recalculates, 1 never does (LibreOffice's default), 2 asks; written either
    way so a different default cannot change what is shown."""
    mode = 0 if recalc else 1
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f'<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        f'<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>{mode}</value></prop></item>\n'
        "</oor:items>\n"
    )


def convert(book: Path, out_dir: Path, fmt: str, *, timeout: float, recalc: bool = False,
            options: str = "") -> Path:
    """``soffice --convert-to fmt[:options]`` of ``book`` into ``out_dir``; the file it wrote
    (``out_dir/<book's stem>.<fmt>``; one left there before is deleted first, so it never passes
    for a new one). Raises :class:`LibreOfficeError`."""
    soffice = find()
    if soffice is None:
        raise LibreOfficeError("missing")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{book.stem}.{fmt}"
    if target.exists():
        target.unlink()
    with tempfile.TemporaryDirectory(prefix="kpi-xl-lo-", ignore_cleanup_errors=True) as folder:
        profile = Path(folder)
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(profile_settings(recalc), encoding="utf-8")
        cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible", "--nologo",
               "--norestore", "--nodefault", "--nolockcheck", "--convert-to", f"{fmt}:{options}" if options else fmt,
               "--outdir", str(out_dir), str(book)]
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, errors="replace",
                                    start_new_session=True)  # its own process group: a timeout ends all of it
        except OSError as exc:
            raise LibreOfficeError("start", soffice, output=str(exc)) from None
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, AttributeError):  # gone already; Windows has no process groups
                proc.kill()
            proc.communicate()
            raise LibreOfficeError("timeout", soffice, timeout=timeout) from None
    if proc.returncode != 0 or not target.is_file():
        raise LibreOfficeError("failed", soffice, proc.returncode, out + "\n" + err)
    return target


__all__ = ["ENV", "LibreOfficeError", "convert", "find", "profile_settings"]
