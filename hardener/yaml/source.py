"""Bytes to text: size limit, UTF-8 only (a leading BOM kept aside), nothing binary.

Optimize reads UTF-8; a file in another encoding is refused with the encoding named, because
"invalid YAML at 1:1" would not tell a Windows user that the editor saved UTF-16.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from hardener.errors import ConfigSyntaxError

MAX_CONFIG_BYTES = 8 * 1024 * 1024
"""Largest file we read. Real Optimize configs are a few kilobytes; the biggest shipped one has
~730 lines. Anything past this is refused before it is read into memory."""

_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


@dataclass(frozen=True)
class SourceText:
    """A decoded file plus what we need to write it back byte for byte."""

    name: str
    text: str  # without the BOM
    bom: bool = False

    @property
    def data(self) -> bytes:
        """The bytes that were read: decoding valid UTF-8 loses nothing, so this is exact."""
        return (_BOM if self.bom else b"") + self.text.encode("utf-8")


def read_source(path: Path, display: str | None = None) -> SourceText:
    """Read and decode a file, refusing what Optimize could not read either."""
    name = display or str(path)
    return decode_source(_read_limited(path, name), name)


def _read_limited(path: Path, name: str) -> bytes:
    """At most one byte past the limit, from a regular file only (a symlink to one is fine).

    A FIFO would block the open and the read forever and a device never ends, so anything
    that is not a regular file is refused by ``stat`` before the open, and again by ``fstat``
    on the descriptor: ``O_NONBLOCK`` keeps the open itself from waiting, and the second check
    closes the race with a file swapped in between.
    """
    info = _stat(path, name)
    _require_regular(info, name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ConfigSyntaxError(f"cannot read file: {exc.strerror}", file=name) from None
    with open(fd, "rb") as handle:  # noqa: PTH123 - a descriptor, not a path
        _require_regular(os.fstat(fd), name)
        try:
            data = handle.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise ConfigSyntaxError(f"cannot read file: {exc.strerror}", file=name) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigSyntaxError(f"file is larger than {MAX_CONFIG_BYTES} bytes", file=name)
    return data


def _stat(path: Path, name: str) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise ConfigSyntaxError("file not found", file=name) from None
    except OSError as exc:
        raise ConfigSyntaxError(f"cannot read file: {exc.strerror}", file=name) from None


def _require_regular(info: os.stat_result, name: str) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ConfigSyntaxError("is a directory, not a file", file=name)
    if not stat.S_ISREG(info.st_mode):
        raise ConfigSyntaxError(f"is {file_kind(info.st_mode)}, not a regular file", file=name)
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigSyntaxError(
            f"file is {info.st_size} bytes; the limit is {MAX_CONFIG_BYTES} bytes", file=name
        )


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What an ``st_mode`` names, for a message: "a FIFO (named pipe)", "a directory" ..."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a regular file" if stat.S_ISREG(mode) else "an unknown kind of file"


def decode_source(data: bytes, name: str) -> SourceText:
    """Decode UTF-8 (an optional BOM is kept aside), refusing binary and other encodings."""
    bom = data.startswith(_BOM)
    body = data[len(_BOM) :] if bom else data
    wide = _wide_encoding(body)
    if wide is not None:
        raise ConfigSyntaxError(f"{wide} text; save the file as UTF-8", file=name, line=1)
    if b"\x00" in body:
        line = body[: body.index(b"\x00")].count(b"\n") + 1
        raise ConfigSyntaxError(
            "binary data (NUL byte); expected a UTF-8 text file", file=name, line=line
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigSyntaxError(
            f"not valid UTF-8 (byte 0x{body[exc.start]:02x}); save the file as UTF-8",
            file=name,
            line=line,
            column=column,
        ) from None
    return SourceText(name=name, text=text, bom=bom)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 by their BOM, or by the zero bytes ASCII text has in them."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return encoding
    for width, encoding in ((4, "UTF-32"), (2, "UTF-16")):
        units = [data[i : i + width] for i in range(0, min(len(data), 16 * width), width)]
        if len(units) >= 2 and all(len(u) == width and _ascii_unit(u) for u in units):
            return encoding
    return None


def _ascii_unit(unit: bytes) -> bool:
    """One code unit of ASCII text, little- or big-endian: one non-zero byte at an end."""
    rest = unit[1:] if unit[0] else unit[:-1]
    return bool(unit[0] or unit[-1]) and not any(rest)
