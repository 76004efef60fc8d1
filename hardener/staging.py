"""Install a set of generated files into a directory all at once, or not at all.

Everything is first written into a temporary folder beside the target (same parent, so same file
system). Only when every file exists there does anything reach the target: a new directory is
renamed into place in one step; an existing one (``--force``) receives the files one by one, each
replaced file first renamed to a backup. A failure or Ctrl-C while building removes the temporary
folder and leaves the target as it was. Nothing the user had is ever deleted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hardener.errors import UsageError, WriteError

DIR_MODE = 0o700
"""A new install directory holds .env and keys: only its owner may list it."""

SUBDIR_MODE = 0o755


@dataclass(frozen=True)
class OutputFile:
    """One generated file: a path relative to the install directory, its bytes and its mode."""

    path: PurePosixPath
    data: bytes = field(repr=False)  # may hold secrets; never shown in a repr
    mode: int


@dataclass(frozen=True)
class Installed:
    """What an install changed: the files written and the backups made of replaced files."""

    written: tuple[PurePosixPath, ...]
    unchanged: tuple[PurePosixPath, ...]
    backups: tuple[tuple[PurePosixPath, PurePosixPath], ...]  # (file, its backup)


def install(files: Sequence[OutputFile], directory: Path, *, force: bool = False) -> Installed:
    """Build ``files`` beside ``directory``, then move them in; refuse a non-empty directory."""
    _check_paths(files)
    # "." and "x/.." need a real parent to build beside; resolve() would also follow a
    # symlinked DIR, which _check_target must see (and refuse) instead.
    directory = Path(os.path.abspath(directory))  # noqa: PTH100
    try:
        existing = _check_target(directory, force=force)
        if existing:
            _check_collisions(files, directory)
    except OSError as exc:
        raise WriteError(f"cannot inspect: {exc.strerror}", file=str(directory)) from None
    staging = _make_staging(directory)
    try:
        for item in files:
            write_file(staging / item.path, item.data, item.mode)
        if not existing:
            staging.rename(directory)
            return Installed(tuple(f.path for f in files), (), ())
        return _merge_into(files, staging, directory)
    except OSError as exc:
        raise WriteError(f"cannot install: {exc.strerror}", file=str(directory)) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with exactly ``mode`` (the umask cannot widen or narrow it) and fsync it."""
    _make_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())


def _make_dirs(directory: Path) -> None:
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        folder.mkdir()
        folder.chmod(SUBDIR_MODE)


def _check_paths(files: Iterable[OutputFile]) -> None:
    """Relative, normalised, unique paths: a bug here must not write outside the directory."""
    seen: set[PurePosixPath] = set()
    for item in files:
        parts = item.path.parts
        if item.path.is_absolute() or not parts or ".." in parts:
            raise WriteError(f"refusing to write outside the install directory: {item.path}")
        if item.path in seen:
            raise WriteError(f"two generated files share the path {item.path}")
        seen.add(item.path)


def _check_target(directory: Path, *, force: bool) -> bool:
    """True when the directory exists (and may be filled); raises when it must not be touched."""
    if not directory.parent.is_dir():
        raise WriteError("the parent directory does not exist", file=str(directory))
    if directory.is_symlink():
        raise WriteError("is a symbolic link; name the real directory", file=str(directory))
    if directory.exists() and not directory.is_dir():
        raise WriteError("exists and is not a directory", file=str(directory))
    if not directory.exists():
        return False
    if any(directory.iterdir()) and not force:
        raise UsageError(
            f"{directory} is not empty; use --force to add the files "
            "(every replaced file is kept as NAME.bak)"
        )
    return True


def _check_collisions(files: Iterable[OutputFile], directory: Path) -> None:
    """Before anything moves: every target is a file or absent, and its folders are folders."""
    for item in files:
        target = directory / item.path
        for parent in list(target.parents)[: len(item.path.parts) - 1]:
            if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
                raise WriteError("exists and is not a directory", file=str(parent))
        if target.is_dir() and not target.is_symlink():
            raise WriteError("is a directory; cannot put a generated file there", file=str(target))


def _make_staging(directory: Path) -> Path:
    """A fresh folder beside the target; it becomes the target when that does not exist yet."""
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.init-", dir=directory.parent))
    except OSError as exc:
        raise WriteError(
            f"cannot create a folder here: {exc.strerror}", file=str(directory)
        ) from None
    staging.chmod(DIR_MODE)
    return staging


def _merge_into(files: Sequence[OutputFile], staging: Path, directory: Path) -> Installed:
    written, unchanged, backups = [], [], []
    for item in files:
        target = directory / item.path
        if _same_file(target, item):
            unchanged.append(item.path)
            continue
        _make_dirs(target.parent)
        if target.exists() or target.is_symlink():
            backup = backup_name(target)
            target.rename(backup)
            backups.append((item.path, item.path.parent / backup.name))
        (staging / item.path).rename(target)
        written.append(item.path)
    return Installed(tuple(written), tuple(unchanged), tuple(backups))


def _same_file(target: Path, item: OutputFile) -> bool:
    """An identical file (bytes and mode) is left alone: no needless backup, no new mtime."""
    if target.is_symlink() or not target.is_file():
        return False
    with contextlib.suppress(OSError):
        info = target.stat()
        return stat.S_IMODE(info.st_mode) == item.mode and target.read_bytes() == item.data
    return False


def backup_name(target: Path) -> Path:
    """``NAME.bak``, or ``NAME.bak.1``, ``NAME.bak.2`` ... whichever is free first."""
    candidate = target.with_name(target.name + ".bak")
    number = 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = target.with_name(f"{target.name}.bak.{number}")
    return candidate
