"""Faults: SIGKILL during writes, two writers at once, planted and broken symlinks, ownership.

The kill tests run the real entry point (``python -m hardener``) and kill it at random moments,
most of them in or just after the write window: the test polls the directory for the first temp
file (or init's staging folder), then waits a random delay of up to three times the window
measured on unkilled runs (parallel trials run slower than the lone measuring run). The write
window is a few fsyncs long whatever the file size, so the files stay small and each trial
costs little more than interpreter start-up. Afterwards the file is the complete old or the
complete new content, never anything else (see docs/safety.md for the table of outcomes).

The trials against real processes (kills, two writers at once) carry the ``faults`` marker: the
default ``python -m pytest`` leaves them out, ``python -m pytest -m faults`` runs them (under a
minute on two cores; CI runs them as a step of their own), and ``OPTIMIZE_HARDEN_LONG_TESTS=1``
runs ten times as many trials. The in-process fault tests here run by default.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from hardener import api
from hardener import yaml as yamlio
from hardener.cli import app
from hardener.errors import FileChangedError
from hardener.merge import inplace
from hardener.merge.inplace import stale_temp_pattern
from tests.clirunner import cli_runner

ROOT = Path(__file__).resolve().parents[1]
LONG = os.environ.get("OPTIMIZE_HARDEN_LONG_TESTS") == "1"
SCALE = 10 if LONG else 1
NAME = "environment-config.yaml"
WORKERS = 2
runner = cli_runner()


def big_config(lines: int) -> bytes:
    """A generated dev config plus a block of user keys: parsing it takes a while."""
    head = api.generate("dev", "c7").text
    user = "".join(f"  key{i}: value {i}  # note {i}\n" for i in range(lines))
    return (head + "custom:\n" + user).encode("utf-8")


def merged(data: bytes, profile: str, directory: Path) -> bytes:
    """What ``merge --profile PROFILE`` makes of ``data``, computed in-process."""
    path = directory / f"expected-{profile}.yaml"
    path.write_bytes(data)
    return api.merge(path, profile).merged


def start(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "hardener", *args]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def has_entry(directory: Path, prefix: str) -> bool:
    with os.scandir(directory) as entries:
        return any(entry.name.startswith(prefix) for entry in entries)


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes]) -> bool:
    """Poll until ``ready()`` holds; False if the run ended first."""
    while proc.poll() is None:
        if ready():
            return True
        time.sleep(0.0002)
    return False


def pause(seconds: float) -> None:
    """Sleep precisely: time.sleep overshoots sub-millisecond delays."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


@dataclass(frozen=True)
class Timing:
    """Unkilled runs: the longest duration, and the longest time a temp entry existed."""

    duration: float
    window: float


def measure(args: tuple[str, ...], cwd: Path, prefix: str, reset: Callable[[], None]) -> Timing:
    durations, windows = [], []
    for _ in range(3):
        reset()
        began = time.perf_counter()
        first = last = None
        with start(*args, cwd=cwd) as proc:  # closes the stderr pipe
            while proc.poll() is None:
                if has_entry(cwd, prefix):
                    last = time.perf_counter()
                    first = first or last
                time.sleep(0.0002)
            assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        assert first is not None and last is not None, "no temp entry seen; nothing to aim at"
        durations.append(time.perf_counter() - began)
        windows.append(last - first + 0.0005)  # at least one more poll interval
    return Timing(max(durations), max(windows))


def kill_at_random(
    args: tuple[str, ...],
    cwd: Path,
    prefix: str,
    timing: Timing,
    seed: int,
    done: Callable[[], bool],
) -> None:
    """One trial: mostly kill inside the write window (or just after), sometimes anywhere.

    Every tenth trial (by seed) waits for ``done()`` - the result is in place - and kills at
    once, so the moments after the final rename are always among the trials, however fast or
    loaded the machine is; the rest aim at the window measured on this machine.
    """
    rng = random.Random(seed)
    with start(*args, cwd=cwd) as proc:  # closes the stderr pipe, waits for the process
        if seed % 10 == 9:
            wait_until(done, proc)
        elif rng.random() < 0.2:
            pause(rng.uniform(0, timing.duration))
        elif wait_until(lambda: has_entry(cwd, prefix), proc):
            pause(rng.uniform(0, 3 * timing.window))
        proc.send_signal(signal.SIGKILL)


def run_trials(count: int, trial: Callable[[int], str]) -> list[str]:
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(trial, range(count)))


# --------------------------------------------------------------------------------------------
# SIGKILL during merge --in-place
# --------------------------------------------------------------------------------------------


MERGE_ARGS = ("merge", NAME, "--in-place", "--profile", "strict")


@dataclass(frozen=True)
class MergeCase:
    """The file before and after ``merge --in-place --profile strict``, and how long that takes."""

    old: bytes
    new: bytes
    timing: Timing


@pytest.fixture(scope="module")
def merge_case(tmp_path_factory: pytest.TempPathFactory) -> MergeCase:
    work = tmp_path_factory.mktemp("measure")
    old = big_config(150)
    new = merged(old, "strict", work)
    assert new != old

    def reset() -> None:
        (work / NAME).write_bytes(old)
        (work / f"{NAME}.bak").unlink(missing_ok=True)

    timing = measure(MERGE_ARGS, work, f".{NAME}.", reset)
    assert (work / NAME).read_bytes() == new
    return MergeCase(old, new, timing)


def killed_merge_outcome(directory: Path, case: MergeCase) -> str:
    """Check what a killed run left and name it: content/backup/temps."""
    content = (directory / NAME).read_bytes()
    assert content in (case.old, case.new), "the config is neither the old nor the new file"
    backup = directory / f"{NAME}.bak"
    if backup.exists():
        assert backup.read_bytes() == case.old, "the backup is incomplete"
        assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    temps = stale_temp_pattern(directory / NAME)
    others = {p.name for p in directory.iterdir()} - {NAME, backup.name}
    assert all(temps.match(name) for name in others), f"unexpected files: {sorted(others)}"
    return "/".join(
        [
            "new" if content == case.new else "old",
            "backup" if backup.exists() else "no-backup",
            "temps" if others else "clean",
        ]
    )


@pytest.mark.faults
def test_sigkill_during_merge_leaves_old_or_new_file(tmp_path: Path, merge_case: MergeCase) -> None:
    def trial(number: int) -> str:
        directory = tmp_path / f"trial-{number}"
        directory.mkdir()
        (directory / NAME).write_bytes(merge_case.old)
        (directory / NAME).chmod(0o640)
        config = directory / NAME

        def replaced() -> bool:
            return config.read_bytes() != merge_case.old

        kill_at_random(MERGE_ARGS, directory, f".{NAME}.", merge_case.timing, number, replaced)
        return killed_merge_outcome(directory, merge_case)

    results = run_trials(200 * SCALE, trial)
    outcomes = Counter(results)
    print(f"\nmerge kills: {dict(outcomes)}; {merge_case.timing}")
    # The kills must have landed everywhere: before, inside and after the write window.
    assert outcomes["old/no-backup/clean"] and outcomes["new/backup/clean"], outcomes
    assert sum(n for key, n in outcomes.items() if key.endswith("/temps")) >= 5, outcomes
    # A later run removes what the killed ones left and finishes the job.
    left = [number for number, outcome in enumerate(results) if outcome.endswith("/temps")]
    for directory in (tmp_path / f"trial-{number}" for number in left[:5]):
        done = api.merge_in_place(directory / NAME, "strict")
        assert done.removed_temps
        names = sorted(p.name for p in directory.iterdir())
        # A backup the killed run finished is kept; this run's own backup takes the next name.
        assert names in ([NAME, f"{NAME}.bak"], [NAME, f"{NAME}.bak", f"{NAME}.bak.1"])
        assert all((directory / name).read_bytes() == merge_case.old for name in names[1:])
        assert (directory / NAME).read_bytes() == merge_case.new


def plant(directory: Path, names: list[str]) -> None:
    for name in names:
        (directory / name).write_bytes(b"half a file")


STALE = [f".{NAME}.abcd1234.tmp", f".{NAME}.bak.z_9y8x7w.tmp"]
NOT_OURS = [f".{NAME}.notes.tmp", ".other.yaml.abcd1234.tmp", f"{NAME}.abcd1234.tmp"]


def test_next_run_removes_stale_temp_files_only(tmp_path: Path) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    plant(tmp_path, STALE + NOT_OURS)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (tmp_path / f".{NAME}.link0000.tmp").symlink_to(victim)
    result = runner.invoke(app, ["merge", str(config), "--in-place"])
    assert result.exit_code == 0, result.stderr
    for name in STALE:
        assert not (tmp_path / name).exists()
        assert f"removed {tmp_path / name}, left behind by an interrupted run" in result.stderr
    assert all((tmp_path / name).read_bytes() == b"half a file" for name in NOT_OURS)
    assert (tmp_path / f".{NAME}.link0000.tmp").is_symlink() and victim.read_text() == "keep\n"


def test_stale_temps_are_removed_even_when_nothing_changes(tmp_path: Path) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("strict", "c7").text.encode())
    before = config.stat().st_mtime_ns
    plant(tmp_path, STALE)
    done = api.merge_in_place(config, "strict")
    assert not done.merge.changed and done.backup is None
    assert sorted(p.name for p in done.removed_temps) == sorted(STALE)
    assert [p.name for p in tmp_path.iterdir()] == [NAME]
    assert config.stat().st_mtime_ns == before


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give files to another user")
def test_stale_temps_of_the_files_owner_are_removed_others_kept(tmp_path: Path) -> None:
    """A temp file is given the config's owner just before its rename: root's next run must
    still recognise it; a matching name owned by somebody else is left alone."""
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    os.chown(config, 4321, 4321)
    plant(tmp_path, STALE)
    os.chown(tmp_path / STALE[0], 4321, 4321)
    os.chown(tmp_path / STALE[1], 999, 999)
    done = api.merge_in_place(config, "strict")
    assert [p.name for p in done.removed_temps] == [STALE[0]]
    assert (tmp_path / STALE[1]).exists()


def test_a_file_system_without_locks_is_a_clean_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / NAME
    original = api.generate("dev", "c7").text.encode()
    config.write_bytes(original)

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(inplace.fcntl, "flock", no_locks)
    result = runner.invoke(app, ["merge", str(config), "--in-place"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"optimize-harden: error: {config}: cannot lock the file: No locks available\n"
    )
    assert config.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == [NAME]


# --------------------------------------------------------------------------------------------
# Two writers at once
# --------------------------------------------------------------------------------------------


@pytest.mark.faults
def test_two_concurrent_in_place_merges_both_apply(tmp_path: Path) -> None:
    """Both runs succeed, and the file is one merge applied on top of the other.

    For a dev config, strict on top of standard and standard on top of strict give the same
    bytes (strict's values are all at least as strong), and differ from standard alone: a lost
    update or a run that failed on the conflict shows as the wrong content.
    """
    old = big_config(300)
    strict, standard = merged(old, "strict", tmp_path), merged(old, "standard", tmp_path)
    compositions = {merged(strict, "standard", tmp_path), merged(standard, "strict", tmp_path)}
    assert standard not in compositions and old not in compositions
    retried = 0
    for number in range(12 * SCALE):
        directory = tmp_path / f"race-{number}"
        directory.mkdir()
        (directory / NAME).write_bytes(old)
        procs = [
            start("merge", NAME, "--in-place", "--profile", profile, cwd=directory)
            for profile in ("strict", "standard")
        ]
        errors = [proc.communicate()[1].decode() for proc in procs]
        assert [proc.returncode for proc in procs] == [0, 0], errors
        assert (directory / NAME).read_bytes() in compositions
        assert (directory / f"{NAME}.bak").read_bytes() == old  # the first run's backup
        names = sorted(p.name for p in directory.iterdir())
        assert names in ([NAME, f"{NAME}.bak"], [NAME, f"{NAME}.bak", f"{NAME}.bak.1"])
        if len(names) == 3:  # the second run changed the first one's result too
            assert (directory / f"{NAME}.bak.1").read_bytes() in (strict, standard)
        retried += sum("merged again (2 attempts)" in text for text in errors)
    assert retried, "the runs never overlapped; the test proved nothing"


def changing_merge(monkeypatch: pytest.MonkeyPatch, config: Path, times: int) -> list[bytes]:
    """Make another writer change ``config`` after each of the first ``times`` merges."""
    real_merge = api.merge
    written: list[bytes] = []

    def merge_then_interfere(*args: object, **kwargs: object) -> object:
        result = real_merge(*args, **kwargs)  # type: ignore[arg-type]
        if len(written) < times:
            written.append(config.read_bytes() + f"other{len(written)}: x\n".encode())
            replacement = config.with_name("replacement")
            replacement.write_bytes(written[-1])
            replacement.replace(config)
        return result

    monkeypatch.setattr(api, "merge", merge_then_interfere)
    return written


def test_a_change_during_the_merge_is_merged_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    written = changing_merge(monkeypatch, config, times=1)
    done = api.merge_in_place(config, "strict")
    assert done.attempts == 2
    assert (tmp_path / f"{NAME}.bak").read_bytes() == written[0]  # the other writer's file
    monkeypatch.undo()
    expect = tmp_path / "expect"
    expect.mkdir()
    assert config.read_bytes() == merged(written[0], "strict", expect)
    assert b"other0: x\n" in config.read_bytes()


def test_a_change_right_after_reading_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """merge once read the file twice (text, then bytes): a save in between was overwritten."""
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    real_read = yamlio.read_source
    saved = config.read_bytes() + b"saved: meanwhile\n"

    def read_then_save(path: Path, display: str | None = None) -> yamlio.SourceText:
        source = real_read(path, display)
        if path == config and b"saved:" not in config.read_bytes():
            config.write_bytes(saved)  # in place, as some editors save
        return source

    monkeypatch.setattr(yamlio, "read_source", read_then_save)
    done = api.merge_in_place(config, "strict")
    assert done.attempts == 2
    assert b"saved: meanwhile\n" in config.read_bytes()
    assert (tmp_path / f"{NAME}.bak").read_bytes() == saved


def test_a_file_that_keeps_changing_is_given_up_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    written = changing_merge(monkeypatch, config, times=api.MERGE_ATTEMPTS)
    result = runner.invoke(app, ["merge", str(config), "--in-place"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"optimize-harden: error: {config}: the file kept changing while it was being merged "
        f"({api.MERGE_ATTEMPTS} attempts); nothing was written\n"
    )
    assert config.read_bytes() == written[-1]  # the other writer's last version, untouched
    assert [p.name for p in tmp_path.iterdir()] == [NAME]  # and no backup


def test_retries_are_bounded_by_attempts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    changing_merge(monkeypatch, config, times=2)
    with pytest.raises(FileChangedError, match=r"\(2 attempts\)"):
        api.merge_in_place(config, "strict", attempts=2)
    assert api.merge_in_place(config, "strict", attempts=1).attempts == 1


# --------------------------------------------------------------------------------------------
# Symlinks, modes and ownership
# --------------------------------------------------------------------------------------------


def test_planted_symlink_at_temp_path_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkstemp's names are random; pin them so the planted links sit exactly where it looks."""
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    links = [tmp_path / f".{NAME}.planted1.tmp", tmp_path / f".{NAME}.bak.planted1.tmp"]
    for link in links:
        link.symlink_to(victim)
    tried: list[str] = []

    def names() -> Iterator[str]:
        for name in ("planted1", "fresh001", "fresh002"):
            tried.append(name)
            yield name

    monkeypatch.setattr(tempfile, "_get_candidate_names", names)
    result = runner.invoke(app, ["merge", str(config), "--in-place"])
    assert result.exit_code == 0, result.stderr
    assert tried.count("planted1") == 2  # both writes met a planted link first
    assert victim.read_text() == "do not touch\n"
    assert all(link.is_symlink() and link.readlink() == victim for link in links)
    assert b"http: null" in config.read_bytes() and not config.is_symlink()


@pytest.mark.parametrize("kind", ["loop", "dangling"])
def test_broken_symlinked_config_is_a_clean_error(tmp_path: Path, kind: str) -> None:
    link = tmp_path / NAME
    if kind == "loop":
        (tmp_path / "other.yaml").symlink_to(link)
        link.symlink_to(tmp_path / "other.yaml")
    else:
        link.symlink_to(tmp_path / "missing.yaml")
    before = sorted(p.name for p in tmp_path.iterdir())
    for command in (["merge", str(link), "--in-place"], ["check", str(link)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"optimize-harden: error: {link}: ")
        fragment = "file not found" if kind == "dangling" else "Too many levels of symbolic links"
        assert fragment in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not (tmp_path / "missing.yaml").exists()


def test_symlinked_config_in_another_folder_is_written_there(tmp_path: Path) -> None:
    real = tmp_path / "real" / NAME
    real.parent.mkdir()
    real.write_bytes(api.generate("dev", "c7").text.encode())
    link = tmp_path / "link" / NAME
    link.parent.mkdir()
    link.symlink_to(real)
    result = runner.invoke(app, ["merge", str(link), "--in-place"])
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.readlink() == real
    assert sorted(p.name for p in real.parent.iterdir()) == [NAME, f"{NAME}.bak"]
    assert [p.name for p in link.parent.iterdir()] == [NAME]  # the link only
    assert result.stderr.endswith(f"backup: {real}.bak\n")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o660, 0o604])
def test_backup_and_result_keep_the_original_mode(tmp_path: Path, mode: int) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    config.chmod(mode)
    old_umask = os.umask(0o077)  # a strict umask must not narrow them either
    try:
        done = api.merge_in_place(config, "strict")
    finally:
        os.umask(old_umask)
    assert done.backup is not None
    assert stat.S_IMODE(done.backup.stat().st_mode) == mode
    assert stat.S_IMODE(config.stat().st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give files to another user")
def test_backup_and_result_keep_the_original_owner(tmp_path: Path) -> None:
    config = tmp_path / NAME
    config.write_bytes(api.generate("dev", "c7").text.encode())
    os.chown(config, 4321, 4322)
    done = api.merge_in_place(config, "strict")
    assert done.backup is not None
    for path in (config, done.backup):
        info = path.stat()
        assert (info.st_uid, info.st_gid) == (4321, 4322)


# --------------------------------------------------------------------------------------------
# SIGKILL during init
# --------------------------------------------------------------------------------------------

INIT_ARGS = (
    "init", "site", "--non-interactive", "--profile", "strict",
    "--set", "db.nodes=es1.internal:9200", "--set", "engine.rest_url=https://engine:8443/rest",
)  # fmt: skip


def init_files(directory: Path) -> dict[str, int]:
    """Every file below ``directory`` with its mode."""
    return {
        str(path.relative_to(directory)): stat.S_IMODE(path.stat().st_mode)
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def assert_parses(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        list(YAML(typ="safe").load_all(text))
    elif path.suffix == ".json":
        json.loads(text)
    elif path.name.startswith(".env"):
        assert all(line.startswith("#") or "=" in line for line in text.splitlines() if line)
    assert text.endswith("\n"), f"{path} is cut short"


@pytest.fixture(scope="module")
def init_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, int], Timing]:
    work = tmp_path_factory.mktemp("init")
    timing = measure(INIT_ARGS, work, ".site.init-", lambda: shutil.rmtree(work / "site", True))
    return init_files(work / "site"), timing


def killed_init_outcome(parent: Path, expected: dict[str, int]) -> str:
    site = parent / "site"
    leftovers = [p.name for p in parent.iterdir() if p.name != "site"]
    assert all(name.startswith(".site.init-") for name in leftovers), leftovers
    if not site.exists():
        return "absent" + ("/staging" if leftovers else "")
    assert init_files(site) == expected, "an incomplete install directory"
    assert stat.S_IMODE(site.stat().st_mode) == 0o700
    for name in expected:
        assert_parses(site / name)
    return "complete" + ("/staging" if leftovers else "")


@pytest.mark.faults
def test_sigkill_during_init_leaves_no_directory_or_a_complete_one(
    tmp_path: Path, init_reference: tuple[dict[str, int], Timing]
) -> None:
    expected, timing = init_reference

    def trial(number: int) -> str:
        parent = tmp_path / f"trial-{number}"
        parent.mkdir()
        installed = (parent / "site").exists
        kill_at_random(INIT_ARGS, parent, ".site.init-", timing, number, installed)
        return killed_init_outcome(parent, expected)

    outcomes = Counter(run_trials(50 * SCALE, trial))
    print(f"\ninit kills: {dict(outcomes)}; {timing}")
    assert outcomes["absent"] + outcomes["absent/staging"] and outcomes["complete"], outcomes
    assert outcomes["absent/staging"], "no kill landed while init was building"


@pytest.mark.faults
def test_next_init_removes_what_killed_inits_left(tmp_path: Path) -> None:
    """Kill init runs while they build, plant one more staging folder as such a run leaves it
    (mkdtemp's name, a .env inside); the next init removes them all and leaves only DIR."""
    parent = tmp_path / "work"
    parent.mkdir()
    for _ in range(20):
        before = set(parent.iterdir())
        with start(*INIT_ARGS, cwd=parent) as proc:
            wait_until(lambda before=before: bool(set(parent.iterdir()) - before), proc)
            proc.send_signal(signal.SIGKILL)
        if (parent / "site").exists():  # the kill came after the rename (and the clean-up)
            shutil.rmtree(parent / "site")
        if len(list(parent.iterdir())) == 3:
            break
    planted = Path(tempfile.mkdtemp(prefix=".site.init-", dir=parent))
    (planted / ".env").write_text("CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET=stale\n")
    planted.chmod(0o700)
    stale = sorted(p.name for p in parent.iterdir())
    assert len(stale) >= 2, stale  # at least one from a real kill
    result = runner.invoke(app, ["init", str(parent / "site"), *INIT_ARGS[2:]])
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in parent.iterdir()] == ["site"]
    for name in stale:
        assert f"{name}, left behind by an interrupted run" in result.stderr
    assert "stale" not in (parent / "site/.env").read_text()


def test_the_compare_under_the_lock_reads_at_most_one_byte_more(tmp_path: Path) -> None:
    """A config that grew (here by 256 MiB, sparse) after it was read is different: the
    compare finds that out from len(merged bytes) + 1 bytes, not by reading the whole file."""
    import tracemalloc

    config = tmp_path / NAME
    original = api.generate("dev", "c7").text.encode()
    config.write_bytes(original)
    with config.open("r+b") as handle:
        handle.truncate(256 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(FileChangedError), inplace.locked_unchanged(config, original):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak} bytes allocated"
    assert config.stat().st_size == 256 << 20  # nothing was written
