"""Which encoding a CSV or text file is in, and a UTF-8 copy of it for DuckDB to read.

Taiwanese Excel and most POS systems save CSV files in Big5 (Windows code page 950),
Excel's "Unicode text" is UTF-16 with a byte order mark, "CSV UTF-8" is UTF-8 with one,
and everything else written today is UTF-8. The encoding is decided by a fixed order,
the same answer for the same bytes every time (a statistical detector guesses, and on
the short files a shop exports it guesses wrong as often as not):

1. a byte order mark: UTF-8 or UTF-16 (little or big endian);
2. no mark, but every other byte a NUL in the first 64 KiB: UTF-16 without a mark;
3. the whole file decodes as UTF-8 (plain ASCII does): UTF-8;
4. the whole file decodes as cp950 (Big5 with Microsoft's additions): Big5.

The whole file must decode in the encoding chosen. A file that does not is refused
naming the row and column of its first byte that no candidate reads (as the candidate
that read furthest sees the file).
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..i18n import N_, Message, MessageError

CHUNK = 1 << 20
HEAD = 1 << 16
SEPARATORS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Encoding:
    """An encoding a text file was read in: its Python codec and the name a user knows it by."""

    codec: str
    name: str

    @property
    def utf8(self) -> bool:
        """True when DuckDB reads the file as it is (UTF-8, with or without a byte order mark)."""
        return self.codec == "utf-8"


UTF8 = Encoding("utf-8", "UTF-8")  # its byte order mark, if any, is read as U+FEFF (DuckDB skips it)
UTF16_LE = Encoding("utf-16-le", "UTF-16")  # its byte order mark, if any, is read as U+FEFF
UTF16_BE = Encoding("utf-16-be", "UTF-16")
BIG5 = Encoding("cp950", "Big5 (cp950)")


class Undecodable(MessageError):
    """A file no candidate encoding reads; ``message`` names the file, row and column."""


def detect(path: Path, label: str) -> Encoding:
    """The encoding of the text file at ``path`` (``label`` names it in a refusal)."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD)
    if head.startswith(codecs.BOM_UTF8):
        candidates = [UTF8]
    elif head.startswith(codecs.BOM_UTF16_LE):
        candidates = [UTF16_LE]
    elif head.startswith(codecs.BOM_UTF16_BE):
        candidates = [UTF16_BE]
    else:
        wide = _nul_pattern(head)
        candidates = [wide] if wide else [UTF8, BIG5]
    fails = []
    for enc in candidates:
        at = _first_bad_byte(path, enc.codec)
        if at is None:
            return enc
        fails.append((at, enc))
    at, enc = max(fails, key=lambda f: f[0])
    raise Undecodable(_where_bad(path, label, at, enc))


def _nul_pattern(head: bytes) -> Encoding | None:
    """UTF-16 without a byte order mark: ASCII text in it has a NUL in every other byte."""
    n = len(head) // 2 * 2
    if n < 4:
        return None
    even, odd = head[0:n:2].count(0), head[1:n:2].count(0)
    half = n // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return UTF16_LE
    if even > 0.4 * half and odd < 0.05 * half:
        return UTF16_BE
    return None


def _first_bad_byte(path: Path, codec: str) -> int | None:
    """The file offset of the first byte ``codec`` cannot read (None when it reads them all)."""
    offset, carry = 0, b""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK)
            data = carry + chunk
            try:
                data.decode(codec)
                offset, carry = offset + len(data), b""
            except UnicodeDecodeError as exc:
                if not chunk or exc.start < len(data) - 4:
                    return offset + exc.start
                # a character cut by the chunk's end: decoded again with the next chunk
                offset, carry = offset + exc.start, data[exc.start:]
            if not chunk:
                return None


def _where_bad(path: Path, label: str, at: int, enc: Encoding) -> Message:
    """The refusal for the byte at offset ``at`` that no encoding reads: its row and column,
    as the encoding that read furthest (``enc``) sees the file."""
    with open(path, "rb") as fh:
        text = fh.read(at).decode(enc.codec, errors="replace").lstrip("\ufeff")
    row = text.count("\n") + 1
    header = text.partition("\n")[0]
    sep = separator(header)
    j = len(_fields(text[text.rfind("\n") + 1:], sep)) - 1
    if row == 1:
        return Message(N_("{file}, row 1 (the header), column {n}: cannot be read as UTF-8, UTF-16 or Big5 (cp950) "
                          "text; save the file as \"CSV UTF-8\" and import again"), file=label, n=j + 1)
    names = _fields(header, sep)
    return Message(N_("{file}, row {row}, column '{column}': cannot be read as UTF-8, UTF-16 or Big5 (cp950) "
                      "text; save the file as \"CSV UTF-8\" and import again"),
                   file=label, row=row, column=names[j] if j < len(names) else str(j + 1))


def separator(header: str) -> str:
    """The field separator of a header line: the one of , ; tab | it holds most of."""
    return max(SEPARATORS, key=header.count)


def _fields(line: str, sep: str | None = None) -> list[str]:
    sep = sep or separator(line)
    return next(csv.reader(io.StringIO(line.rstrip("\r\n")), delimiter=sep), None) or [""]


def utf8_copy(path: Path, enc: Encoding, dest: Path) -> None:
    """Write the text of ``path`` (in ``enc``) to ``dest`` as UTF-8, line for line."""
    decoder = codecs.getincrementaldecoder(enc.codec)()
    with open(path, "rb") as src, open(dest, "wb") as out:
        for chunk in iter(lambda: src.read(CHUNK), b""):
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))


def first_rows(path: Path, n: int = 20) -> list[list[str]]:
    """The fields of the first ``n`` lines of a UTF-8 file, as written: one of them is the
    header row (DuckDB skips a title above it and renames a repeated name)."""
    rows = []
    with open(path, encoding="utf-8-sig", newline="", errors="replace") as fh:
        for _ in range(n):
            line = fh.readline()
            if not line:
                break
            rows.append(_fields(line))
    return rows
