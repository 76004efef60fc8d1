"""Writing a merged config back over the original, safely: a lock plus a compare-and-swap.

The original is locked (``flock``) while we confirm it is still the same file (inode) holding the
bytes we merged; only then are the backup and the new content each written atomically (temp file
in the same directory, fsync, rename). A second ``merge --in-place`` on the same file waits for
the lock, finds a different inode or different bytes, and raises ``FileChangedError``, which
``api.merge_in_place`` answers by merging again from the new content. Editors do not take the
lock; the compare catches their changes too, except in the instant between compare and rename.

A symlinked config is written through: the link's target is replaced, the link stays. Temp
names are created with ``O_EXCL`` and the backup is replaced by rename, so a symlink planted
where either goes is never followed. Temp files that a killed run (SIGKILL, power loss) left
behind are removed by the next in-place run while it holds the lock (see docs/safety.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hardener.errors import FileChangedError, WriteError
from hardener.files import atomic_write, backup_path

# tempfile.mkstemp names: prefix, 8 characters from [a-z0-9_], suffix.
_RANDOM_PART = r"[a-z0-9_]{8}"


@dataclass(frozen=True)
class Written:
    """What an in-place write did besides replacing the file."""

    backup: Path | None
    removed_temps: tuple[Path, ...] = ()


def real_target(path: Path) -> Path:
    """The file a (possibly symlinked) config path really names."""
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def locked_unchanged(path: Path, expected: bytes) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` and fail if it no longer holds ``expected``."""
    try:
        # O_NONBLOCK: a FIFO swapped in since the read cannot make the open wait; it is not
        # the same (regular) file, and the retry's reader refuses it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise WriteError(f"cannot open for writing: {exc.strerror}", file=str(path)) from None
    with open(fd, "rb") as handle:  # noqa: PTH123 - a descriptor, not a path
        _lock(handle.fileno(), path)
        try:
            # One byte more than expected is enough to see a difference: a file that was
            # overwritten or appended to in place, however big, is never read whole.
            if not _same_file(handle.fileno(), path) or handle.read(len(expected) + 1) != expected:
                raise FileChangedError(
                    "the file changed while it was being merged; nothing was written",
                    file=str(path),
                )
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _lock(fd: int, path: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as exc:  # e.g. a file system without locks
        raise WriteError(f"cannot lock the file: {exc.strerror}", file=str(path)) from None


def _same_file(fd: int, path: Path) -> bool:
    """Whether the open file is still the one ``path`` names (another run may have replaced it)."""
    held = os.fstat(fd)
    if not stat.S_ISREG(held.st_mode):
        return False
    try:
        named = path.stat()
    except OSError:
        return False
    return (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino)


def stale_temp_pattern(target: Path) -> re.Pattern[str]:
    """Names ``atomic_write`` gives the temp files of ``target`` and of its backup."""
    return re.compile(rf"\.{re.escape(target.name)}\.(?:bak(?:\.[0-9]+)?\.)?{_RANDOM_PART}\.tmp\Z")


def remove_stale_temps(target: Path) -> tuple[Path, ...]:
    """Delete temp files a killed run left beside ``target``; call only under its lock.

    Every cooperating writer of ``target`` holds the lock while its temp files exist, so any
    matching file we see now is an orphan. Only regular files owned by us or by the file's
    owner (a temp file gets the owner just before its rename) are touched.
    """
    pattern = stale_temp_pattern(target)
    owners = {os.geteuid(), target.stat().st_uid}
    removed = []
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            if pattern.match(entry.name) and _owned_file(entry, owners):
                stale = Path(entry.path)
                with contextlib.suppress(OSError):
                    stale.unlink()
                    removed.append(stale)
    return tuple(removed)


def _owned_file(entry: os.DirEntry[str], owners: set[int]) -> bool:
    info = entry.stat(follow_symlinks=False)
    return stat.S_ISREG(info.st_mode) and info.st_uid in owners


def write_in_place(path: Path, original: bytes, merged: bytes, *, backup: bool) -> Written:
    """Replace ``path``'s target with ``merged`` if it still holds ``original``.

    Nothing is written when the two are equal, but the check and the clean-up still run.
    """
    target = real_target(path)
    with locked_unchanged(target, original):
        removed = remove_stale_temps(target)
        if merged == original:
            return Written(None, removed)
        written = None
        if backup:
            written = backup_path(target)
            atomic_write(written, original, like=target.stat())
        atomic_write(target, merged, keep_mode=True)
    return Written(written, removed)
