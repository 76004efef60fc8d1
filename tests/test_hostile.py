"""Every hostile input of tests/hostile_cases.py, and the faults that only a monkeypatch can stage
for root, through the real app in process (tests/clirunner.py: the exit codes and streams of
``python -m hardener`` without a process each; test_cli.py runs the real entry point).

Each command runs in a directory of its own; the directory must be byte for byte the same
afterwards (no file created, changed, or left half-written), stderr must be one line with the
expected message and no traceback, and the exit code must be the documented one.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shlex
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from hardener.cli import app
from tests.clirunner import Ran, cli_runner, run_in_process
from tests.hostile_cases import CASES, DOC, FAULTS, GOOD, Case, Fault, prepare, render_markdown

REPO = Path(__file__).resolve().parents[1]
runner = cli_runner()
Snapshot = dict[str, tuple[Any, ...]]


def snapshot(root: Path) -> Snapshot:
    """Every entry below ``root``: kind, mode and content digest (size and mtime when large)."""
    found: Snapshot = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        key = str(path.relative_to(root))
        if stat.S_ISLNK(info.st_mode):
            found[key] = ("link", str(path.readlink()))
        elif stat.S_ISDIR(info.st_mode):
            found[key] = ("dir", stat.S_IMODE(info.st_mode))
        elif not stat.S_ISREG(info.st_mode):  # a FIFO or socket: opening one could block
            found[key] = ("special", info.st_mode, info.st_ino)
        elif info.st_size > 16 * 1024 * 1024:  # the sparse 200 MB file: never read it
            found[key] = ("big", info.st_size, info.st_mtime_ns, info.st_ino)
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[key] = ("file", stat.S_IMODE(info.st_mode), digest)
    return found


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Ran:
    """One command in ``cwd`` with empty stdin (no terminal), as ``python -m hardener`` there.

    No row needs a process of its own: none reads stdin or depends on signals or on the
    interpreter; the device row reads /dev/zero through the same calls in process.
    """
    monkeypatch.chdir(cwd)
    return run_in_process(args, env={"NO_COLOR": "1"}, timeout=60)


def assert_one_error_line(stderr: str, fragment: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("optimize-harden: error: "), stderr
    assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = list(case.commands.items())
    directories = [tmp_path / f"run{index}" for index in range(len(commands))]
    for directory in directories:
        prepare(case, directory)
    before = [snapshot(directory) for directory in directories]
    results = [
        run(shlex.split(template.format(file=case.name)), directory, monkeypatch)
        for (template, _), directory in zip(commands, directories, strict=True)
    ]
    for (template, code), result, directory, was in zip(
        commands, results, directories, before, strict=True
    ):
        where = f"{template}: {result.stderr}"
        assert result.returncode == code, where
        assert snapshot(directory) == was, f"{template} changed its directory"
        if code == 2:
            assert_one_error_line(result.stderr, case.message.format(file=case.name))
            if not template.startswith("check"):  # check prints its summary to stdout
                assert result.stdout == "", where
        else:
            assert "Traceback" not in result.stderr and "error:" not in result.stderr, where
            assert case.stdout in result.stdout, where
        if case.absent:  # a secret's canary: in no stream, refused or not
            assert case.absent not in result.stdout + result.stderr, where


def test_the_table_covers_every_command_that_reads_input() -> None:
    used = {template.split()[0] for case in CASES for template in case.commands}
    used |= {" ".join(template.split()[:2]) for case in CASES for template in case.commands}
    for command in ("check", "merge", "generate", "init", "values", "profiles show"):
        assert command in used


def test_document_is_rendered_from_the_cases() -> None:
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/hostile-inputs.md is stale; regenerate it with: python -m tests.hostile_cases"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file; see the fault test")
def test_really_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "environment-config.yaml"
    config.write_bytes(GOOD)
    config.chmod(0)
    try:
        result = run(["merge", "--in-place", config.name], tmp_path, monkeypatch)
    finally:
        config.chmod(0o600)
    assert result.returncode == 2
    assert_one_error_line(result.stderr, f"{config.name}: cannot read file: Permission denied")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["environment-config.yaml"]


# --- faults staged in process ------------------------------------------------------------------


def _oserror(code: int) -> OSError:
    return OSError(code, os.strerror(code))


def _unreadable(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    real_open = os.open  # the reader opens with os.open (O_NONBLOCK), then fstat

    def guarded(path: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(path).name == "good.yaml":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded)


def _read_only(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    import tempfile

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise _oserror(errno.EACCES)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)


class _FullDisk:
    """A file object whose writes fail as on a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        raise _oserror(errno.ENOSPC)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def _disk_full(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(real_fdopen(fd, *a, **k)))


def _interrupt(monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    """Ctrl-C deep in each command: during a write after its temp file exists, while init
    stages its files (after three are written), while check reads a file."""
    from hardener import profiles, values
    from hardener.check import audit as check
    from hardener.init import staging

    def stop(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    real_write_file = staging.write_file
    written: list[Path] = []

    def write_some(path: Path, data: bytes, mode: int) -> None:
        if len(written) == 3:
            raise KeyboardInterrupt
        written.append(path)
        real_write_file(path, data, mode)

    if command == "init":
        monkeypatch.setattr(staging, "write_file", write_some)
    elif command == "check":
        monkeypatch.setattr(check, "read_config", stop)
    elif command == "values":
        monkeypatch.setattr(values, "schema_for", stop)
    elif command == "profiles":
        monkeypatch.setattr(profiles, "_resolve", stop)
    else:
        monkeypatch.setattr(os, "fsync", stop)


STAGE: dict[str, Callable[[pytest.MonkeyPatch, str], None]] = {
    "unreadable": _unreadable,
    "output-missing-dir": lambda monkeypatch, command: None,
    "output-read-only": _read_only,
    "disk-full": _disk_full,
    "interrupt": _interrupt,
}


def _fault_runs() -> Iterator[tuple[Fault, str]]:
    for fault in FAULTS:
        for template in fault.commands:
            yield fault, template


@pytest.mark.parametrize(
    ("fault", "template"),
    [pytest.param(f, t, id=f"{f.id}:{t}") for f, t in _fault_runs()],
)
def test_fault(
    fault: Fault, template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.yaml"
    good.write_bytes(GOOD)
    good.chmod(0o640)
    monkeypatch.chdir(tmp_path)
    out = "missing/out.yaml" if fault.id == "output-missing-dir" else "out.yaml"
    args = shlex.split(template.format(file="good.yaml", out=out))
    before = snapshot(tmp_path)
    STAGE[fault.id](monkeypatch, args[0])
    result = runner.invoke(app, args)
    monkeypatch.undo()
    expected = fault.message.format(file="good.yaml", dir="missing")
    assert result.exit_code == fault.exit_code, result.stderr
    if fault.exit_code == 130:
        assert result.stderr == f"{expected}\n"
    else:
        assert_one_error_line(result.stderr, expected)
    assert snapshot(tmp_path) == before


def test_readme_states_the_limits_the_code_enforces() -> None:
    from hardener.yaml import MAX_CONFIG_BYTES, MAX_DEPTH

    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"files up to {MAX_CONFIG_BYTES // (1024 * 1024)} MiB" in readme
    assert f"nesting up to {MAX_DEPTH} levels" in readme
    assert "aliases are read as Optimize reads them (the anchor's name), so they never expand" in (
        readme
    )
