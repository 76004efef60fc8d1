"""Secrets never reach an output: a unique canary in every secret position of the catalogs.

For each position (and once with all of them), every command that reads the config runs in
every output mode; stdout, stderr, exception text, the names of created files and the content
of every created file except the backup and the intended output are scanned for the canary.
A broken variant of the file (a duplicate key whose values are canaries) runs the error paths.
Files that hold a literal secret are created 0600, and a backup keeps its original's mode.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hardener.catalog import load_catalog, parse_pattern
from hardener.cli import app
from hardener.yaml import DocPath
from tests.clirunner import cli_runner

runner = cli_runner()

WILDCARDS = {
    "engines": "prod",
    "webhooks": "alerts",
    "headers": "Authorization",  # only credential-like headers are secrets to the rules
}


def concrete(pattern: str) -> DocPath:
    """A catalog pattern with each ``*`` replaced by a realistic name."""
    parts = parse_pattern(pattern)
    return tuple(WILDCARDS[parts[i - 1]] if p == "*" else p for i, p in enumerate(parts))


def positions(target: str) -> list[DocPath]:
    return [concrete(p) for p in load_catalog(target).secret_patterns()]


def canary(index: int) -> str:
    return f"canary{index:02d}Xq7Lm2Rv9Tz4Kp8Wd"


def config_text(entries: list[tuple[DocPath, str]], *, duplicate: bool = False) -> str:
    """Block YAML for the entries; ``duplicate`` repeats each secret key with another canary."""
    tree: dict[str, Any] = {}
    for path, value in entries:
        node = tree
        for part in path[:-1]:
            node = node.setdefault(str(part), {})
        node[str(path[-1])] = value
    return "\n".join(_block(tree, 0, duplicate)) + "\n"


def _block(tree: dict[str, Any], depth: int, duplicate: bool) -> Iterator[str]:
    pad = "  " * depth
    for key, value in tree.items():
        if isinstance(value, dict):
            yield f"{pad}{key}:"
            yield from _block(value, depth + 1, duplicate)
        else:
            yield f"{pad}{key}: {value}"
            if duplicate:
                yield f"{pad}{key}: {value}again"


def cases() -> Iterator[tuple[str, str, list[tuple[DocPath, str]]]]:
    for target in ("c7", "c8"):
        found = positions(target)
        entries = [(path, canary(index)) for index, path in enumerate(found)]
        for entry in entries:
            yield target, ".".join(map(str, entry[0])), [entry]
        yield target, "all", entries


CASES = list(cases())
# Each run: arguments, and the files it is meant to write (allowed to hold what the config holds).
RUNS: list[tuple[list[str], set[str]]] = [
    (["check", "{config}"], set()),
    (["check", "--format", "json", "{config}"], set()),
    (["check", "--format", "sarif", "{config}"], set()),
    (["merge", "{config}", "--diff", "--report", "json"], set()),
    (["merge", "{config}", "--diff", "--dry-run"], set()),
    (["merge", "{config}", "--check"], set()),
    (["merge", "{config}", "--output", "out.yaml"], {"out.yaml"}),
    (
        ["merge", "{config}", "--in-place"],
        {"environment-config.yaml", "environment-config.yaml.bak"},
    ),
]


def scan(root: Path, allowed: set[str], secrets: list[str]) -> list[str]:
    """Every place under ``root`` a secret shows up, except the input and the files a run is
    meant to write."""
    allowed = allowed | {"environment-config.yaml"}
    hits = []
    for path in root.rglob("*"):
        relative = str(path.relative_to(root))
        hits += [f"file name {relative}" for s in secrets if s in relative]
        if path.is_file() and relative not in allowed:
            text = path.read_text(encoding="utf-8", errors="replace")
            hits += [f"in {relative}" for s in secrets if s in text]
    return hits


def run_everything(target: str, text: str, tmp_path: Path, secrets: list[str]) -> list[str]:
    leaks = []
    for number, (template, allowed) in enumerate(RUNS):
        work = tmp_path / f"run{number}"
        work.mkdir()
        config = work / "environment-config.yaml"
        config.write_text(text, encoding="utf-8")
        config.chmod(0o600)
        args = [a.replace("{config}", str(config)) for a in template]
        args = [a.replace("out.yaml", str(work / "out.yaml")) for a in args]
        result = runner.invoke(app, [*args, "--target", target])
        streams = {"stdout": result.stdout, "stderr": result.stderr, "exception": ""}
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            streams["exception"] = repr(result.exception)
        for stream, output in streams.items():
            leaks += [f"{args[0]} {stream}" for s in secrets if s in output]
        leaks += [f"{' '.join(template)}: {hit}" for hit in scan(work, allowed, secrets)]
        if result.exit_code not in (0, 1):
            leaks.append(f"{' '.join(template)} failed: {result.stderr}")
    return leaks


@pytest.mark.parametrize(
    ("target", "where", "entries"), CASES, ids=[f"{t}:{w}" for t, w, _ in CASES]
)
def test_secret_never_printed(
    target: str, where: str, entries: list[tuple[DocPath, str]], tmp_path: Path
) -> None:
    secrets = [value for _, value in entries]
    assert run_everything(target, config_text(entries), tmp_path, secrets) == []


@pytest.mark.parametrize("target", ["c7", "c8"])
def test_broken_file_with_secrets_leaks_nothing(target: str, tmp_path: Path) -> None:
    entries = [(path, canary(index)) for index, path in enumerate(positions(target))]
    text = config_text(entries, duplicate=True)
    secrets = [value for _, value in entries]
    config = tmp_path / "environment-config.yaml"
    config.write_text(text, encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["check"], ["check", "--format", "sarif"], ["merge", "--in-place", "--diff"]):
        result = runner.invoke(app, [*args, str(config), "--target", target])
        assert result.exit_code == 2, result.output
        assert "invalid YAML: found duplicate key (values not shown" in result.stderr
        for output in (result.stdout, result.stderr, repr(result.exception)):
            assert not [s for s in secrets if s in output]
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_every_secret_position_is_planted() -> None:
    """The catalogs' secret keys, so that a new one cannot slip past the scan above."""
    planted = {where for target, where, _ in CASES if where != "all"}
    assert "container.keystore.password" in planted
    assert "webhookAlerting.webhooks.alerts.headers.Authorization" in planted
    assert len(planted) >= 12


# --- literal secrets on disk ---------------------------------------------------------------


LITERAL_PROFILE = (
    "extends: strict\nsettings:\n"
    "  container.keystore.password:\n"
    "    compare: equal\n    value: {secret}\n    secret_env: null\n"
)


def test_literal_secret_from_a_profile_is_written_0600_and_never_printed(tmp_path: Path) -> None:
    secret = canary(99)
    profile = tmp_path / "ours.yaml"
    profile.write_text(LITERAL_PROFILE.format(secret=secret), encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = runner.invoke(app, ["generate", "--profile", str(profile), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert secret in out.read_text(encoding="utf-8")
    for args in (["profiles", "show", str(profile)], ["profiles", "diff", "strict", str(profile)]):
        shown = runner.invoke(app, args)
        assert shown.exit_code == 0, shown.output
        assert secret not in shown.stdout + shown.stderr
    assert secret not in result.stdout + result.stderr


def test_init_env_file_is_0600(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "d"), "--non-interactive", "-p", "dev"])
    assert result.exit_code == 0, result.output
    env = tmp_path / "d" / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    secrets = [line.split("=", 1)[1] for line in env.read_text().splitlines() if "=" in line]
    generated = [s for s in secrets if len(s) >= 16]
    assert generated  # the token secret and the keystore password at least
    assert not [s for s in generated if s in result.stdout + result.stderr]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444])
def test_backup_keeps_the_original_mode(mode: int, tmp_path: Path) -> None:
    config = tmp_path / "environment-config.yaml"
    config.write_text(config_text([(("container", "keystore", "password"), canary(1))]))
    config.chmod(mode)
    result = runner.invoke(app, ["merge", "--in-place", str(config)])
    assert result.exit_code == 0, result.output
    backup = tmp_path / "environment-config.yaml.bak"
    assert stat.S_IMODE(backup.stat().st_mode) == mode
    assert stat.S_IMODE(config.stat().st_mode) == mode
