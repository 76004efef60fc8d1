"""``optimize-harden init`` through the real app: prompts, streams, exit codes and files."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest

from hardener import cli
from hardener.cli import app
from hardener.yaml import parse_text
from tests.clirunner import cli_runner

runner = cli_runner()
SECRET_VARS = (
    "CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET",
    "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD",
    "OPTIMIZE_API_ACCESS_TOKEN",
)


def env_values(directory: Path) -> dict[str, str]:
    lines = (directory / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def config(directory: Path) -> dict:
    text = (directory / "config/environment-config.yaml").read_text()
    return parse_text(text, "config")


def assert_no_secret_printed(directory: Path, *streams: str) -> None:
    values = env_values(directory)
    secrets = [values[name] for name in SECRET_VARS if values.get(name)]
    assert secrets, "the test needs generated secrets to look for"
    for stream in streams:
        assert not any(secret in stream for secret in secrets)


def assert_one_line_error(stderr: str, fragment: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("optimize-harden: error: ")
    assert fragment in lines[0]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make init believe it talks to a person at a terminal."""
    monkeypatch.setattr(cli, "stdin_is_terminal", lambda: True)


# Answers in the order init asks them for strict x c7 (see hardener.init.interview.ASKED).
STRICT_C7_ANSWERS = [
    "",  # database: keep elasticsearch
    "es1.internal:9200,es2.internal:9200",  # db.nodes (no default outside dev)
    "",  # db.username: keep optimize
    "/optimize/config/certs/ca.crt",  # db.ca_paths
    "http://engine.internal:8080/engine-rest",  # engine.rest_url: refused (plain HTTP) ...
    "https://engine.internal:8443/engine-rest",  # ... and asked again
    "",  # engine.webapps_url: keep the offered https://engine.internal:8443/camunda
    "elastic",  # engine.user: fine for the engine (not a banned name there)
    "0.0.0.0",  # container.host: refused (every interface) ...
    "optimize",  # ... and asked again
    "",  # container.keystore_location: keep config/optimize.p12
    "not a url",  # container.access_url: refused ...
    "https://optimize.example.com",
]


def test_interactive_run_asks_validates_and_reasks(terminal: None, tmp_path: Path) -> None:
    directory = tmp_path / "site"
    result = runner.invoke(app, ["init", str(directory)], input="\n".join(STRICT_C7_ANSWERS) + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("invalid: ") == 3
    assert "engine.rest_url is not an https:// URL" in result.stderr
    assert "container.host" in result.stderr and "is not allowed here" in result.stderr
    assert "must be an http:// or https:// URL" in result.stderr
    assert "db.nodes (host:port of each node, comma-separated):" in result.stderr
    written = config(directory)
    assert written["es"]["connection"]["nodes"] == [
        {"host": "es1.internal", "httpPort": 9200},
        {"host": "es2.internal", "httpPort": 9200},
    ]
    assert written["es"]["security"]["ssl"]["certificate_authorities"] == [
        "/optimize/config/certs/ca.crt"
    ]
    engine = written["engines"]["camunda-bpm"]
    assert engine["rest"] == "https://engine.internal:8443/engine-rest"
    assert engine["webapps"]["endpoint"] == "https://engine.internal:8443/camunda"
    assert engine["authentication"]["user"] == "elastic"
    assert written["container"]["host"] == "optimize"
    assert written["container"]["accessUrl"] == "https://optimize.example.com"
    assert_no_secret_printed(directory, result.stdout, result.stderr)


def test_given_values_are_not_asked(terminal: None, tmp_path: Path) -> None:
    # Only the c8 questions remain, and none that --set answered.
    answers = ["", "", "", "", ""]  # database, db.username, db.ca_paths, host, keystore
    result = runner.invoke(
        app,
        ["init", str(tmp_path / "d"), "-t", "c8", "--set", "db.nodes=es9:9200",
         "--set", "container.access_url="],
        input="\n".join(answers) + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "db.nodes" not in result.stderr and "container.access_url" not in result.stderr
    assert "engine." not in result.stderr
    assert config(tmp_path / "d")["es"]["connection"]["nodes"] == [
        {"host": "es9", "httpPort": 9200}
    ]


def test_interactive_run_stops_when_input_ends(terminal: None, tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "d")], input="\n")
    assert result.exit_code != 0
    assert not (tmp_path / "d").exists()


def test_non_interactive_lists_missing_values(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "d"), "--non-interactive"])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "no usable default: db.nodes, engine.rest_url;")
    assert result.stdout == ""
    assert not (tmp_path / "d").exists()


def test_no_terminal_means_non_interactive(tmp_path: Path) -> None:
    # CliRunner's stdin is not a TTY, so init must not prompt even without --non-interactive.
    result = runner.invoke(app, ["init", str(tmp_path / "d")], input="es1:9200\n")
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "db.nodes")


def test_non_interactive_flag_wins_over_a_terminal(terminal: None, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["init", str(tmp_path / "d"), "--non-interactive", "-p", "dev"], input=""
    )
    assert result.exit_code == 0, result.stderr
    assert "Site values" not in result.stderr


def test_dev_run_warns_and_prints_no_secret(tmp_path: Path) -> None:
    directory = tmp_path / "dev"
    result = runner.invoke(app, ["init", str(directory), "--profile", "dev"])
    assert result.exit_code == 0, result.stderr
    assert "optimize-harden: warning: DEVELOPMENT ONLY: config/dev-only-localhost.p12" in (
        result.stderr
    )
    assert "created " in result.stdout and "config/dev-only-localhost.p12" in result.stdout
    assert "generated into .env: CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET" in result.stdout
    assert stat.S_IMODE((directory / ".env").stat().st_mode) == 0o600
    assert_no_secret_printed(directory, result.stdout, result.stderr)


def test_refuses_non_empty_directory_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d/keep.txt").write_text("x")
    result = runner.invoke(app, ["init", str(tmp_path / "d"), "-p", "dev"])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "is not empty; use --force")
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["keep.txt"]


def test_force_reports_backups(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    assert runner.invoke(app, ["init", str(directory), "-p", "dev"]).exit_code == 0
    result = runner.invoke(app, ["init", str(directory), "-p", "dev", "--force"])
    assert result.exit_code == 0, result.stderr
    assert "kept the previous .env as .env.bak" in result.stdout
    assert ".env now holds new secrets; the previous ones are in .env.bak" in result.stderr
    assert_no_secret_printed(directory, result.stdout, result.stderr)


def test_check_command_accepts_the_generated_config(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    assert runner.invoke(app, ["init", str(directory), "-p", "dev", "-t", "c8"]).exit_code == 0
    checked = runner.invoke(
        app, ["check", str(directory / "config/environment-config.yaml"), "-p", "dev", "-t", "c8"]
    )
    assert checked.exit_code == 0, checked.stdout + checked.stderr


def test_stale_staging_folders_are_removed_and_reported(tmp_path: Path) -> None:
    stale = Path(tempfile.mkdtemp(prefix=".d.init-", dir=tmp_path))
    (stale / ".env").write_text("TOKEN=left-by-a-killed-run\n")
    result = runner.invoke(app, ["init", str(tmp_path / "d"), "-p", "dev"])
    assert result.exit_code == 0, result.stderr
    line = f"optimize-harden: warning: removed {stale}, left behind by an interrupted run"
    assert line in result.stderr.splitlines()
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_a_refused_init_leaves_stale_staging_folders_alone(tmp_path: Path) -> None:
    """A failed command changes nothing, the clean-up included."""
    stale = Path(tempfile.mkdtemp(prefix=".d.init-", dir=tmp_path))
    (tmp_path / "d").mkdir()
    (tmp_path / "d/keep.txt").write_text("x")
    result = runner.invoke(app, ["init", str(tmp_path / "d"), "-p", "dev"])
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "is not empty; use --force")
    assert stale.is_dir()
