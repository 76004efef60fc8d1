"""Install a set of generated files into a directory all at once, or not at all.

Everything is first written into a temporary folder beside the target (same parent, so same file
system). Only when every file exists there does anything reach the target: a new directory is
renamed into place in one step; an existing one (``--force``) receives the files one by one, each
replaced file first renamed to a backup, and a failure or Ctrl-C midway undoes every move made
so far. A failure or Ctrl-C while building removes the temporary folder and leaves the target as
it was. Nothing the user had is ever deleted.

The temporary folder is locked (``flock``) for as long as a run uses it. After a successful
install, folders of the same name pattern that no live run holds (a ``SIGKILL`` left them, maybe
with a generated ``.env`` inside) are deleted; see docs/safety.md for the exact conditions.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from hardener.errors import UsageError, WriteError
from hardener.files import backup_path, fsync_directory

DIR_MODE = 0o700
"""A new install directory holds .env and keys: only its owner may list it."""

SUBDIR_MODE = 0o755

STAGING_ATTEMPTS = 5
"""How often a new staging folder is made when another run's clean-up claimed the last one."""

# tempfile.mkdtemp names: prefix, then 8 characters from [a-z0-9_].
_RANDOM_PART = r"[a-z0-9_]{8}"


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
    removed_staging: tuple[Path, ...] = ()  # left behind by a killed run, cleaned up now


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
    with _staging_folder(directory) as staging:
        try:
            for item in files:
                write_file(staging / item.path, item.data, item.mode)
            _sync_names(staging, files)  # a power loss after the moves finds every file
            if existing:
                installed = _merge_into(files, staging, directory)
                _sync_names(directory, files)
            else:
                staging.rename(directory)
                installed = Installed(tuple(f.path for f in files), (), ())
            fsync_directory(directory.parent)
        except OSError as exc:
            raise WriteError(f"cannot install: {exc.strerror}", file=str(directory)) from None
        # Still holding our own folder's lock, so the clean-up cannot mistake it for stale.
        removed = remove_stale_staging(directory)
    return dataclasses.replace(installed, removed_staging=removed)


def _sync_names(root: Path, files: Iterable[OutputFile]) -> None:
    """fsync ``root`` and every folder below it on the way to one of ``files``, deepest first."""
    folders = {root / parent for item in files for parent in item.path.parents}
    for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
        fsync_directory(folder)


def write_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` with exactly ``mode`` (the umask cannot widen or narrow it) and fsync it."""
    _make_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fchmod(handle.fileno(), mode)
        os.fsync(handle.fileno())


def _make_dirs(directory: Path, created: list[Path] | None = None) -> None:
    """Create ``directory`` and its missing parents; each new folder is added to ``created``."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for folder in reversed(missing):
        if created is not None:
            created.append(folder)  # first: a Ctrl-C just after mkdir still finds it listed
        try:
            folder.mkdir()
        except OSError:
            if created is not None:
                created.pop()
            raise
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
    check_trusted_folder(directory, fix="chmod 700")
    if any(directory.iterdir()) and not force:
        raise UsageError(
            f"{directory} is not empty; use --force to add the files "
            "(every replaced file is kept as NAME.bak)"
        )
    return True


def check_trusted_folder(folder: Path, *, fix: str) -> None:
    """Refuse an existing folder someone else could change while or after we fill it.

    Another user who owns it, or may write to it (group or world, without the sticky bit),
    can swap a folder, replace a file or read the .env we put there. ``lstat``: the folder
    itself is judged, never a link's target. Root is trusted, as it can change anything anyway.
    """
    info = os.lstat(folder)
    if info.st_uid not in (os.geteuid(), 0):
        raise WriteError(
            f"is owned by another user (uid {info.st_uid}); init writes secrets there: "
            "chown it to yourself, or name a new directory",
            file=str(folder),
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
        raise WriteError(
            f"is writable by other users (mode {mode:04o}); init writes secrets there: "
            f"{fix} it, or name a new directory",
            file=str(folder),
        )


def _check_collisions(files: Iterable[OutputFile], directory: Path) -> None:
    """Before anything moves: every target is a file or absent, and its folders are folders."""
    for item in files:
        target = directory / item.path
        for parent in list(target.parents)[: len(item.path.parts) - 1]:
            if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
                raise WriteError("exists and is not a directory", file=str(parent))
            if parent.exists():
                check_trusted_folder(parent, fix="chmod go-w")
        if target.is_dir() and not target.is_symlink():
            raise WriteError("is a directory; cannot put a generated file there", file=str(target))


# --------------------------------------------------------------------------------------------
# The staging folder: made, locked while in use, and cleaned up after a killed run
# --------------------------------------------------------------------------------------------


def staging_prefix(directory: Path) -> str:
    return f".{directory.name}.init-"


def staging_pattern(directory: Path) -> re.Pattern[str]:
    """The names ``tempfile.mkdtemp`` gives the staging folders of ``directory``."""
    return re.compile(rf"{re.escape(staging_prefix(directory))}{_RANDOM_PART}\Z")


@contextlib.contextmanager
def _staging_folder(directory: Path) -> Iterator[Path]:
    """A fresh folder beside the target, locked while in use and removed afterwards.

    It becomes the target when that does not exist yet (renamed away, nothing left to remove).
    """
    staging, fd = _make_staging(directory)
    try:
        yield staging
    finally:
        try:
            if os.path.lexists(staging):
                shutil.rmtree(staging, ignore_errors=True)
        finally:
            os.close(fd)  # releases the lock


def _make_staging(directory: Path) -> tuple[Path, int]:
    """Create and lock a staging folder; a name another run's clean-up claimed is given up."""
    for _ in range(STAGING_ATTEMPTS):
        try:
            staging = Path(tempfile.mkdtemp(prefix=staging_prefix(directory), dir=directory.parent))
            staging.chmod(DIR_MODE)  # mkdtemp's 0700 is narrowed by a umask such as 0777
            fd = _open_folder(staging)
        except OSError as exc:
            if isinstance(exc, FileNotFoundError) and directory.parent.is_dir():
                continue  # a clean-up removed it between mkdtemp and our open: make another
            raise WriteError(
                f"cannot create a folder here: {exc.strerror}", file=str(directory)
            ) from None
        if _claim(fd, staging):
            return staging, fd
        os.close(fd)
    raise WriteError(
        "cannot create a folder here: another run keeps removing it", file=str(directory)
    )


def _open_folder(path: Path | str, dir_fd: int | None = None, *, follow: bool = False) -> int:
    """A read-only descriptor on a folder; ``path`` itself must not be a symlink unless told."""
    flags = os.O_RDONLY | os.O_DIRECTORY | (0 if follow else os.O_NOFOLLOW)
    return os.open(path, flags, dir_fd=dir_fd)


def _claim(fd: int, staging: Path) -> bool:
    """Lock our fresh folder; False when a clean-up holds it or has already removed it.

    On a file system without locks nobody can lock it, so no clean-up can remove it either:
    the folder is used unlocked.
    """
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        pass
    try:
        named = os.lstat(staging)
    except OSError:
        return False
    return os.path.samestat(named, os.fstat(fd))


def remove_stale_staging(directory: Path) -> tuple[Path, ...]:
    """Delete the staging folders of ``directory`` that killed runs left; return their paths.

    Only folders that are provably ours are deleted: the exact ``mkdtemp`` name, a real
    directory (not a symlink), mode 0700, owned by the current user (root: by root or by the
    parent directory's owner), and not locked by a live run. Deleting never follows a symlink
    inside (``shutil.rmtree``'s descriptor-based walk); without that walk nothing is deleted.
    Errors are ignored: a folder that cannot be removed is left as it was found.
    """
    if not shutil.rmtree.avoids_symlink_attacks:
        return ()
    pattern = staging_pattern(directory)
    try:
        parent_fd = _open_folder(directory.parent, follow=True)  # the folder we built in
    except OSError:
        return ()
    try:
        owners = _trusted_owners(os.fstat(parent_fd))
        with os.scandir(parent_fd) as entries:
            names = sorted(entry.name for entry in entries if pattern.match(entry.name))
        removed = [name for name in names if _remove_if_orphan(name, parent_fd, owners)]
    except OSError:
        return ()
    finally:
        os.close(parent_fd)
    return tuple(directory.parent / name for name in removed)


def _trusted_owners(parent: os.stat_result) -> set[int]:
    """Whose staging folders we may delete: our own; as root also the parent's owner's."""
    uid = os.geteuid()
    return {0, parent.st_uid} if uid == 0 else {uid}


def _ours(info: os.stat_result, owners: set[int]) -> bool:
    return (
        stat.S_ISDIR(info.st_mode)
        and stat.S_IMODE(info.st_mode) == DIR_MODE
        and info.st_uid in owners
    )


def _remove_if_orphan(name: str, parent_fd: int, owners: set[int]) -> bool:
    """Delete ``name`` if it is one of our folders and no live run holds its lock."""
    try:
        if not _ours(os.lstat(name, dir_fd=parent_fd), owners):
            return False
        fd = _open_folder(name, parent_fd)
    except OSError:  # gone, or a symlink planted meanwhile (O_NOFOLLOW)
        return False
    try:
        if not _orphan(fd, name, parent_fd, owners):
            return False
        shutil.rmtree(name, dir_fd=parent_fd)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def _orphan(fd: int, name: str, parent_fd: int, owners: set[int]) -> bool:
    """Lock the folder (a live run holds its own), then check ``name`` still names it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a live run holds it, or no locks here: it cannot be proved stale
        return False
    held = os.fstat(fd)
    return _ours(held, owners) and os.path.samestat(held, os.lstat(name, dir_fd=parent_fd))


# --------------------------------------------------------------------------------------------
# --force: moving the files into an existing directory, undone on failure
# --------------------------------------------------------------------------------------------


def _merge_into(files: Sequence[OutputFile], staging: Path, directory: Path) -> Installed:
    """Move the staged files in, replaced ones to backups; any failure undoes every step."""
    written, unchanged, backups = [], [], []
    undo: list[Callable[[], object]] = []
    try:
        for item in files:
            target = directory / item.path
            if _same_file(target, item):
                unchanged.append(item.path)
                continue
            created: list[Path] = []
            try:
                _make_dirs(target.parent, created)
            finally:
                undo.extend(functools.partial(_remove_folder, folder) for folder in created)
            # Each undo step is listed before its move, so an interrupt between the two cannot
            # lose it; a step whose move never happened finds nothing to move back.
            if target.exists() or target.is_symlink():
                backup = backup_path(target)
                undo.append(functools.partial(_move_back, backup, target))
                target.rename(backup)
                backups.append((item.path, item.path.parent / backup.name))
            undo.append(functools.partial(_move_back, target, staging / item.path))
            (staging / item.path).rename(target)
            written.append(item.path)
    except BaseException as exc:  # Ctrl-C too: the directory must end as it was
        _roll_back(undo, exc, directory)
        raise
    return Installed(tuple(written), tuple(unchanged), tuple(backups))


def _move_back(source: Path, destination: Path) -> None:
    if os.path.lexists(source):
        source.rename(destination)


def _remove_folder(folder: Path) -> None:
    if os.path.lexists(folder):
        folder.rmdir()


def _roll_back(undo: list[Callable[[], object]], cause: BaseException, directory: Path) -> None:
    """Undo the steps in reverse order; raise when one of them fails too."""
    failed = None
    for step in reversed(undo):
        try:
            step()
        except OSError as exc:
            failed = failed or exc
    if failed is None:
        return
    reason = cause.strerror if isinstance(cause, OSError) else "interrupted"
    raise WriteError(
        f"cannot install: {reason}; undoing the files already moved failed too "
        f"({failed.strerror}): some files are new, every replaced one is kept as NAME.bak",
        file=str(directory),
    ) from None


def _same_file(target: Path, item: OutputFile) -> bool:
    """An identical file (bytes and mode) is left alone: no needless backup, no new mtime."""
    if target.is_symlink() or not target.is_file():
        return False
    with contextlib.suppress(OSError):
        info = target.stat()
        return stat.S_IMODE(info.st_mode) == item.mode and target.read_bytes() == item.data
    return False
