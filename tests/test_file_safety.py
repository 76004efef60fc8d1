"""Files that are not what they seem, and files or folders another user owns.

``--output`` creates a file of the invoking user with the mode its content needs, never taking
over the owner and mode of what was at the path, and refuses anything there that is not a
regular file; ``merge --in-place`` keeps its file's owner and mode by design. ``init DIR``
refuses a DIR, or a folder inside it, that another user owns or may write to. No reader can
block on a FIFO. The two-user tests need root (to ``chown``) and ``useradd``: they skip without
them, and fail instead when ``CI`` is set, so CI never silently loses them.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirunner import Ran, run_in_process
from tests.hostile_cases import GOOD

USER = "ohtest"
"""The second user; reused when it exists already (and then left in place)."""

FIFO_TIMEOUT = 5.0
"""Seconds a FIFO run may take: each finishes in a fraction of that unless it blocks."""


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` unless ``condition``; under CI a missing precondition fails."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this test must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def other_uid() -> Iterator[int]:
    """The uid of an unprivileged second user, created for this module when needed."""
    require(os.geteuid() == 0, "needs root to give files to a second user")
    require(shutil.which("useradd") is not None, "needs useradd to create a second user")
    created = False
    try:
        uid = pwd.getpwnam(USER).pw_uid
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
            capture_output=True,
        )
        created = True
        uid = pwd.getpwnam(USER).pw_uid
    try:
        yield uid
    finally:
        if created:
            subprocess.run(["userdel", USER], check=False, capture_output=True)


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Ran:
    monkeypatch.chdir(cwd)
    return run_in_process(args, env={"NO_COLOR": "1"}, timeout=FIFO_TIMEOUT)


def one_error(result: Ran, fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("optimize-harden: error: "), result.stderr
    assert fragment in lines[0], result.stderr


def umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def planted(path: Path, uid: int, mode: int = 0o666) -> Path:
    """A file another user made where we are about to write."""
    path.write_bytes(b"planted\n")
    os.chown(path, uid, uid)
    path.chmod(mode)
    return path


# --- --output: the invoking user's file, with the content's mode -------------------------------


def test_generate_output_over_another_users_file_in_a_sticky_directory(
    other_uid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    out = planted(shared / "environment-config.yaml", other_uid)
    result = run(["generate", "--profile", "standard", "--output", str(out)], tmp_path, monkeypatch)
    assert result.returncode == 0, result.stderr
    info = out.stat()
    assert (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid())
    assert stat.S_IMODE(info.st_mode) == 0o644 & ~umask()
    assert out.read_bytes().startswith(b"# Camunda Optimize")


def test_merge_output_over_another_users_file_takes_configs_mode(
    other_uid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "environment-config.yaml"
    config.write_bytes(GOOD)
    config.chmod(0o640)
    out = planted(tmp_path / "merged.yaml", other_uid)
    result = run(["merge", config.name, "--output", out.name], tmp_path, monkeypatch)
    assert result.returncode == 0, result.stderr
    info = out.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (os.geteuid(), 0o640)
    assert config.read_bytes() == GOOD


def test_output_through_a_symlink_is_refused(
    other_uid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = planted(tmp_path / "theirs.yaml", other_uid)
    link = tmp_path / "out.yaml"
    link.symlink_to(target.name)
    result = run(["generate", "--output", link.name], tmp_path, monkeypatch)
    one_error(result, "out.yaml: is a symbolic link; --output does not write through links")
    assert link.is_symlink() and target.read_bytes() == b"planted\n"
    assert (target.stat().st_uid, stat.S_IMODE(target.stat().st_mode)) == (other_uid, 0o666)


def test_output_onto_a_character_device_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(os.geteuid() == 0, "needs root to make a device with mknod")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
    for args in (["generate", "--output", "null"], ["merge", "good.yaml", "--output", "null"]):
        (tmp_path / "good.yaml").write_bytes(GOOD)
        one_error(run(args, tmp_path, monkeypatch), "null: is a character device, not a regular")
        assert stat.S_ISCHR(device.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml", "null"]


def test_merge_in_place_keeps_owner_and_mode(
    other_uid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "environment-config.yaml"
    config.write_bytes(GOOD)
    os.chown(config, other_uid, other_uid)
    config.chmod(0o640)
    result = run(["merge", "--in-place", config.name], tmp_path, monkeypatch)
    assert result.returncode == 0, result.stderr
    info = config.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (other_uid, 0o640)
    assert config.read_bytes() != GOOD


# --- init DIR: a folder nobody else controls -----------------------------------------------------

INIT = ["init", "site", "--non-interactive", "--profile", "dev"]


@pytest.mark.parametrize("mode", [0o700, 0o777], ids=["0700", "0777"])
def test_init_refuses_a_directory_another_user_owns(
    mode: int, other_uid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    os.chown(site, other_uid, other_uid)
    site.chmod(mode)
    one_error(
        run(INIT, tmp_path, monkeypatch),
        f"site: is owned by another user (uid {other_uid}); init writes secrets there: "
        "chown it to yourself, or name a new directory",
    )
    assert list(site.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left


def test_init_force_refuses_a_config_folder_another_user_owns(
    other_uid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    (site / "config").mkdir(parents=True)
    site.chmod(0o700)
    os.chown(site / "config", other_uid, other_uid)
    one_error(
        run([*INIT, "--force"], tmp_path, monkeypatch),
        f"site/config: is owned by another user (uid {other_uid})",
    )
    assert [p.name for p in site.rglob("*")] == ["config"]


def test_init_fills_a_private_empty_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir(mode=0o700)
    result = run(INIT, tmp_path, monkeypatch)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((site / ".env").stat().st_mode) == 0o600


# --- FIFOs: nothing blocks ----------------------------------------------------------------------

FIFO_READERS = [
    "check environment-config.yaml",
    "merge environment-config.yaml",
    "merge --in-place environment-config.yaml",
    "generate --values environment-config.yaml",
    "check --waivers environment-config.yaml good.yaml",
    "profiles show environment-config.yaml",
]


@pytest.fixture
def fifo_dir(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "environment-config.yaml")  # the other end is never opened
    (tmp_path / "good.yaml").write_bytes(GOOD)
    return tmp_path


@pytest.mark.parametrize("command", FIFO_READERS)
def test_a_fifo_is_refused_without_blocking(
    command: str, fifo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(command.split(), fifo_dir, monkeypatch)  # Overran after FIFO_TIMEOUT s
    one_error(result, "environment-config.yaml: is a FIFO (named pipe), not a regular file")
    assert stat.S_ISFIFO((fifo_dir / "environment-config.yaml").lstat().st_mode)


def test_a_fifo_swapped_in_after_stat_is_refused_by_fstat(
    fifo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: ``stat`` saw a regular file, the open finds a FIFO; ``O_NONBLOCK`` keeps the
    open from waiting for a writer and ``fstat`` on the descriptor refuses it."""
    from hardener.yaml import source

    regular = (fifo_dir / "good.yaml").stat()
    monkeypatch.setattr(source, "_stat", lambda path, name: regular)
    result = run(["check", "environment-config.yaml"], fifo_dir, monkeypatch)
    one_error(result, "environment-config.yaml: is a FIFO (named pipe), not a regular file")


def test_check_directory_walk_skips_a_fifo_with_a_note(tmp_path: Path) -> None:
    """The real entry point in a process of its own, so a hang is a timeout, not a stuck suite."""
    conf = tmp_path / "conf"
    conf.mkdir()
    os.mkfifo(conf / "environment-config.yaml")
    (conf / "environment-config-real.yaml").write_bytes(GOOD)
    proc = subprocess.run(
        [sys.executable, "-m", "hardener", "check", "conf"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stderr  # findings in the real file
    assert proc.stderr.splitlines() == [
        "optimize-harden: note: conf/environment-config.yaml: skipped: a FIFO (named pipe), "
        "not a regular file"
    ]
    assert "environment-config-real.yaml" in proc.stdout


def test_merge_in_place_lock_never_waits_on_a_fifo_swapped_in(fifo_dir: Path) -> None:
    """A FIFO put at CONFIG between the read and the lock: the lock's open does not wait, and
    the compare fails even against an empty config, so the retry's reader refuses the FIFO."""
    from hardener.errors import FileChangedError
    from hardener.merge import inplace
    from tests.clirunner import deadline

    fifo = fifo_dir / "environment-config.yaml"
    with (
        deadline(FIFO_TIMEOUT),
        pytest.raises(FileChangedError),
        inplace.locked_unchanged(fifo, b""),
    ):
        pass
