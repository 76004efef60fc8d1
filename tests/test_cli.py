"""The command line through the real app and the real entry point: exit codes, streams, files.

Most tests invoke the app in process (tests/clirunner.py). The real entry point,
``python -m hardener``, runs once per command (the tests marked as such below) and where only a
process shows the behaviour: pipes that are no terminal, the interpreter's own exit code and
stderr for a user's mistake.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hardener.cli import app
from tests.clirunner import Ran, cli_runner, run_in_process

runner = cli_runner()


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hardener`` as a user would, from any directory, stdin not a terminal."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run(
        [sys.executable, "-m", "hardener", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def shown(proc: subprocess.CompletedProcess[str]) -> Ran:
    """A process's exit code and streams, to compare with the same command in process."""
    return Ran(proc.returncode, proc.stdout, proc.stderr)


def assert_one_line_error(stderr: str, fragment: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("optimize-harden: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in stderr


def test_generate_prints_yaml_and_lists_variables(tmp_path: Path) -> None:
    """The real entry point's run of generate."""
    proc = run("generate", "--profile", "strict", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Camunda Optimize environment-config.yaml\n")
    assert "    http: null\n" in proc.stdout
    assert proc.stderr.strip().startswith("optimize-harden: set before starting Optimize:") is False
    assert (
        "set before starting Optimize: CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD" in proc.stderr
    )
    assert list(tmp_path.iterdir()) == []  # nothing written without --output


def test_version_and_help() -> None:
    proc = run("--version")  # the real entry point's --version
    assert (proc.returncode, proc.stdout) == (0, "optimize-harden 0.1.0\n")
    for args in (["--help"], ["generate", "--help"], ["profiles", "--help"], ["values", "--help"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_output_file_is_written_atomically_with_default_mode(tmp_path: Path) -> None:
    target = tmp_path / "environment-config.yaml"
    result = runner.invoke(app, ["generate", "--profile", "standard", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("# Camunda Optimize")
    assert [p.name for p in tmp_path.iterdir()] == ["environment-config.yaml"]  # no temp left
    assert (
        stat.S_IMODE(target.stat().st_mode) & 0o077 != 0o077
    )  # follows the umask, not 0600-forced


def test_literal_secret_output_is_0600(tmp_path: Path) -> None:
    profile = tmp_path / "ours.yaml"
    profile.write_text(
        "extends: strict\nsettings:\n"
        "  container.keystore.password:\n    compare: equal\n    value: notasecret-literal\n"
        "    secret_env: null\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.yaml"
    result = runner.invoke(app, ["generate", "--profile", str(profile), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_dev_warns_on_stderr_for_every_relaxed_setting() -> None:
    proc = run_in_process(["generate", "--profile", "dev"])
    assert proc.returncode == 0
    warnings = [line for line in proc.stderr.splitlines() if "warning: profile dev relaxes" in line]
    assert len(warnings) == 7  # c7: http, HSTS x2, CSP, cookie, engine REST, webapps
    assert "container.ports.http" in proc.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["generate", "--profile", "paranoid"], "unknown profile 'paranoid'"),
        (["generate", "--target", "c9"], "unknown target 'c9'"),
        (["generate", "--set", "db.usernme=x"], "did you mean 'db.username'"),
        (["generate", "--set", "novalue"], "expected KEY=VALUE"),
        (["generate", "--set", "=x"], "the key is empty"),
        (["generate", "--format", "toml"], "unknown format 'toml'"),
        (["generate", "--values", "missing.yaml"], "missing.yaml: file not found"),
        (["values", "--target", "c9"], "unknown target 'c9'"),
        (["profiles", "show", "paranoid"], "unknown profile 'paranoid'"),
        (["profiles", "show", "strict", "--target", "c9"], "unknown target 'c9'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    args: list[str], fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    proc = run_in_process(args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_one_line_error(proc.stderr, fragment)
    assert list(tmp_path.iterdir()) == []


def test_malformed_values_file_names_file_and_line(tmp_path: Path) -> None:
    """A real process: a user's mistake is exit 2 and one line from the interpreter too."""
    values = tmp_path / "values.yaml"
    values.write_text("db.username: [unclosed\n", encoding="utf-8")
    proc = run("generate", "--values", str(values))
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, f"{values}:2:1: invalid YAML")


def test_values_file_overrides_and_set_wins(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("db:\n  username: reader\nengine.user: importer\n", encoding="utf-8")
    result = runner.invoke(
        app, ["generate", "--values", str(values), "--set", "engine.user=importer2"]
    )
    assert result.exit_code == 0, result.output
    assert "    username: reader\n" in result.stdout
    assert "      user: importer2\n" in result.stdout


def test_unwritable_output_touches_nothing(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    existing = locked / "environment-config.yaml"
    existing.write_bytes(b"original: true\n")
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running with privileges that ignore directory permissions")
        proc = run_in_process(["generate", "--output", str(existing)])
        assert proc.returncode == 2
        assert_one_line_error(proc.stderr, str(existing))
        assert existing.read_bytes() == b"original: true\n"
    finally:
        locked.chmod(0o700)


def test_output_into_missing_directory(tmp_path: Path) -> None:
    proc = run_in_process(["generate", "--output", str(tmp_path / "nope" / "out.yaml")])
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr, "directory does not exist")


def test_values_command_prints_a_loadable_default_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["values", "--target", "c8"])
    assert result.exit_code == 0
    assert "engine.alias" not in result.stdout  # c7-only values are not offered for c8
    values = tmp_path / "values.yaml"
    values.write_text(result.stdout, encoding="utf-8")
    again = runner.invoke(app, ["generate", "--target", "c8", "--values", str(values)])
    assert again.exit_code == 0, again.output
    assert again.stdout == runner.invoke(app, ["generate", "--target", "c8"]).stdout


def test_profiles_list_show_diff() -> None:
    listed = runner.invoke(app, ["profiles", "list"])
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["dev", "standard", "strict"]
    shown = runner.invoke(app, ["profiles", "show", "strict"])
    assert "extends: strict -> standard" in shown.stdout
    block = shown.stdout.split("security.auth.token.lifeMin\n", 1)[1].split("\n\n", 1)[0]
    assert "value:    15" in block and "from:     strict" in block
    block = shown.stdout.split("container.ports.http\n", 1)[1].split("\n\n", 1)[0]
    assert "from:     standard" in block
    diff = runner.invoke(app, ["profiles", "diff", "standard", "strict"])
    assert "~ security.auth.token.lifeMin\n    value: 30 -> 15\n" in diff.stdout
    assert "+ sharing.enabled: false (OH-SHR-001)" in diff.stdout


@pytest.mark.parametrize("errno_name", ["EACCES", "ENOSPC", "EROFS"])
def test_write_failure_leaves_existing_file(
    errno_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated read-only directory, full disk or read-only file system during the write."""
    import errno

    import hardener.files as yamlio

    existing = tmp_path / "environment-config.yaml"
    existing.write_bytes(b"original: true\n")
    code = getattr(errno, errno_name)

    def failing_fsync(fd: int) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(yamlio.os, "fsync", failing_fsync)
    result = runner.invoke(app, ["generate", "--output", str(existing)])
    assert result.exit_code == 2
    assert f"{existing}: cannot write file: {os.strerror(code)}" in result.stderr
    assert existing.read_bytes() == b"original: true\n"
    assert [p.name for p in tmp_path.iterdir()] == ["environment-config.yaml"]


# --- the real entry point: one run of each command, the same as in process ----------------------


@pytest.mark.parametrize(
    "args",
    [
        ["values", "--target", "c8"],
        ["rules"],
        ["explain", "OH-CNT-001"],
        ["profiles", "list"],
    ],
    ids=["values", "rules", "explain", "profiles"],
)
def test_printing_commands_run_as_processes(args: list[str]) -> None:
    proc = run(*args)
    assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
    assert proc.stdout.strip()
    assert shown(proc) == run_in_process(args)


def test_merge_runs_as_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merged file on stdout (written as bytes), the report on stderr, the config kept."""
    config = tmp_path / "environment-config.yaml"
    original = b"# ours\ncontainer:\n  ports:\n    http: 8090  # temporary\n"
    config.write_bytes(original)
    proc = run("merge", config.name, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# ours\ncontainer:\n  ports:\n    http: null  # temporary\n")
    assert "replaced OH-CNT-001 container.ports.http: 8090 -> null" in proc.stderr
    assert config.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == [config.name]
    monkeypatch.chdir(tmp_path)
    assert shown(proc) == run_in_process(["merge", config.name])


def test_check_runs_as_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings exit 1; stderr is a pipe, not a terminal: no progress bar, no colour."""
    config = tmp_path / "environment-config.yaml"
    config.write_bytes(b"container:\n  ports:\n    http: 8090\n")
    proc = run("check", config.name, cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (1, ""), proc.stderr
    assert "OH-CNT-001" in proc.stdout and "\x1b[" not in proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("1 file checked with profile strict (c7): ")
    monkeypatch.chdir(tmp_path)
    assert shown(proc) == run_in_process(["check", config.name])


def test_init_runs_as_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --non-interactive: stdin is no terminal, so init asks nothing and uses defaults."""
    for name in ("process", "in-process"):
        (tmp_path / name).mkdir()
    proc = run("init", "site", "--profile", "dev", cwd=tmp_path / "process")
    assert proc.returncode == 0, proc.stderr
    assert "Site values" not in proc.stderr
    assert proc.stdout.startswith("created site (profile dev, target c7, ")
    site = tmp_path / "process" / "site"
    assert stat.S_IMODE(site.stat().st_mode) == 0o700
    assert stat.S_IMODE((site / ".env").stat().st_mode) == 0o600
    assert "CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET=" in (site / ".env").read_text()
    monkeypatch.chdir(tmp_path / "in-process")
    assert shown(proc) == run_in_process(["init", "site", "--profile", "dev"])
