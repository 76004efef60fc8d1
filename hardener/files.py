"""Writing files so that a failure never leaves a half-written one.

Every file this tool writes goes through ``atomic_write``: a temp file in the same directory
(same file system, so the rename is atomic), flushed and fsynced, then renamed over the target,
then the directory fsynced so the new name survives a power loss.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from hardener.errors import WriteError
from hardener.yaml.source import file_kind


def atomic_write(
    path: Path,
    data: bytes,
    *,
    secret: bool = False,
    keep_mode: bool = True,
    mode: int | None = None,
    like: os.stat_result | None = None,
) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.

    The temp file lives in the same directory (same file system, so ``os.replace`` is atomic),
    is created with mode 0600, flushed and fsynced before the rename. An existing file keeps its
    mode (and ownership where we may set it) unless ``secret`` forces 0600; ``like`` gives the
    file whose mode and ownership to copy instead (a backup takes its original's). An explicit
    ``mode`` is set as given and nothing is copied: the file stays the invoking user's
    (``write_output``).
    """
    directory = path.parent
    if not directory.is_dir():
        raise WriteError("directory does not exist", file=str(directory))
    previous = like or _existing_stat(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot create a file here: {exc.strerror}", file=str(path)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            _apply_mode(tmp, previous, secret=secret, keep_mode=keep_mode)
        else:
            tmp.chmod(mode)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError(f"cannot write file: {exc.strerror}", file=str(path)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_directory(directory)


def _existing_stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _apply_mode(
    tmp: Path, previous: os.stat_result | None, *, secret: bool, keep_mode: bool
) -> None:
    if secret:
        mode = 0o600
    elif previous is not None and keep_mode:
        mode = stat.S_IMODE(previous.st_mode)
    else:
        mode = 0o666 & ~_umask()
    tmp.chmod(mode)
    if previous is not None and keep_mode:
        with contextlib.suppress(OSError):
            os.chown(tmp, previous.st_uid, previous.st_gid)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def new_file_mode(*, secret: bool) -> int:
    """The mode an ``--output`` file gets from its content alone: 0600 when it holds a
    secret, else 0644 less the umask."""
    return 0o600 if secret else 0o644 & ~_umask()


def check_output_target(path: Path) -> None:
    """Refuse an ``--output`` path that holds anything but a regular file (or nothing).

    ``lstat``, so a symlink is seen as one: writing through it would put our content (and,
    before, its owner and mode) wherever the link points. A device, FIFO or socket would be
    replaced by a regular file; a directory cannot be. The rename that follows never follows a
    link either, so an entry swapped in after this check is replaced, never written through.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteError(f"cannot inspect: {exc.strerror}", file=str(path)) from None
    if stat.S_ISREG(info.st_mode):
        return
    if stat.S_ISLNK(info.st_mode):
        raise WriteError(
            "is a symbolic link; --output does not write through links: name the file itself",
            file=str(path),
        )
    raise WriteError(
        f"is {file_kind(info.st_mode)}, not a regular file; --output creates a file or "
        "replaces a regular one",
        file=str(path),
    )


def write_output(path: Path, data: bytes, *, mode: int) -> None:
    """``--output``: a new file of the invoking user with ``mode``, whatever was there.

    Unlike ``merge --in-place`` (which keeps its file's mode and owner by design), an existing
    file's owner and mode are never taken over: in a shared directory that file may be another
    user's, planted there to receive what we write.
    """
    check_output_target(path)
    atomic_write(path, data, mode=mode)


def fsync_directory(directory: Path) -> None:
    """Make the names in ``directory`` durable (best effort: some file systems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_path(target: Path) -> Path:
    """Where to keep the file ``target`` replaces: ``NAME.bak``, else ``NAME.bak.1``,
    ``NAME.bak.2`` ... whichever is free first, so a later run never overwrites an earlier
    backup (the original, pre-hardening file stays). A name held by a symlink counts as taken:
    a planted link is never written through."""
    candidate = target.with_name(target.name + ".bak")
    number = 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = target.with_name(f"{target.name}.bak.{number}")
    return candidate
