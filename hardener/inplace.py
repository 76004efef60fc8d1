"""Writing a merged config back over the original, safely.

The original is locked (``flock``) while we confirm it is still the file and the bytes we merged,
then the backup and the new content are each written atomically (temp file in the same
directory, fsync, rename). A symlinked config is written through: the link's target is replaced,
the link stays. Temp and backup names are created with ``O_EXCL`` or replaced by rename, so a
symlink planted where they go is never followed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from hardener.errors import MergeError, WriteError
from hardener.yamlio import atomic_write


def real_target(path: Path) -> Path:
    """The file a (possibly symlinked) config path really names."""
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def locked_unchanged(path: Path, expected: bytes) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` and fail if it no longer holds ``expected``."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise WriteError(f"cannot open for writing: {exc.strerror}", file=str(path)) from None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            same_file = os.fstat(handle.fileno()).st_ino == path.stat().st_ino
            if not same_file or handle.read() != expected:
                raise MergeError(
                    "the file changed while it was being merged; nothing was written",
                    file=str(path),
                )
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def write_in_place(path: Path, original: bytes, merged: bytes, *, backup: bool) -> Path | None:
    """Replace ``path``'s target with ``merged``; return the backup written, if any."""
    target = real_target(path)
    with locked_unchanged(target, original):
        written = None
        if backup:
            written = backup_path(target)
            atomic_write(written, original, mode=stat.S_IMODE(target.stat().st_mode))
        atomic_write(target, merged, keep_mode=True)
    return written
