"""merge through the real command line: modes, exit codes, backups, masking, refusals."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from hardener.cli import app
from tests.clirunner import cli_runner

runner = cli_runner()
SECRET = "canary-9f3e1b7d"
CONFIG = (
    "# ours\n"
    "container:\n"
    "  ports:\n"
    "    http: 8090   # temporary\n"
    "  keystore:\n"
    f"    password: {SECRET}\n"
    "custom:\n"
    "  keep: me\n"
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "environment-config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    path.chmod(0o640)
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["merge", *args])
    return result.exit_code, result.stdout, result.stderr


def test_stdout_by_default_and_file_untouched(config: Path) -> None:
    code, out, err = invoke(str(config), "--target", "c8")
    assert code == 0
    assert out.startswith("# ours\ncontainer:\n  ports:\n    http: null   # temporary\n")
    assert "  keep: me\n" in out
    assert config.read_text(encoding="utf-8") == CONFIG
    assert f"{config}:4: replaced OH-CNT-001 container.ports.http: 8090 -> null" in err
    for stream in (out, err):
        assert SECRET not in stream


def test_in_place_writes_backup_keeps_mode_and_is_idempotent(config: Path) -> None:
    code, out, err = invoke(str(config), "--in-place")
    assert (code, out) == (0, "")
    backup = config.with_name(config.name + ".bak")
    assert backup.read_text(encoding="utf-8") == CONFIG
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    merged = config.read_bytes()
    assert SECRET.encode() not in merged
    backup.unlink()
    before = config.stat().st_mtime_ns
    code, _, err = invoke(str(config), "--in-place")
    assert code == 0
    assert "already hardened; nothing to write" in err
    assert config.read_bytes() == merged
    assert config.stat().st_mtime_ns == before  # not even rewritten
    assert not backup.exists()  # no backup when nothing changes


def test_no_backup(config: Path) -> None:
    assert invoke(str(config), "--in-place", "--no-backup")[0] == 0
    assert sorted(p.name for p in config.parent.iterdir()) == ["environment-config.yaml"]


def test_check_mode_for_ci(config: Path) -> None:
    code, out, _ = invoke(str(config), "--check")
    assert (code, out) == (1, "")
    assert config.read_text(encoding="utf-8") == CONFIG
    invoke(str(config), "--in-place", "--no-backup")
    assert invoke(str(config), "--check")[0] == 0


def test_dry_run_and_diff_mask_secrets(config: Path) -> None:
    code, out, err = invoke(str(config), "--dry-run", "--diff")
    assert code == 0
    assert out.startswith(f"--- {config} (original)\n+++ {config} (merged)\n")
    assert "-    password: ********\n" in out
    assert "+    password: '${CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD}'\n" in out
    assert SECRET not in out + err
    assert config.read_text(encoding="utf-8") == CONFIG


def test_json_report(config: Path) -> None:
    code, _, err = invoke(str(config), "--report", "json", "--dry-run")
    assert code == 0
    report = json.loads(err)
    assert report["file"] == str(config) and report["changed"] is True
    password = next(c for c in report["changes"] if c["path"] == "container.keystore.password")
    assert password == {
        "path": "container.keystore.password",
        "line": 6,
        "action": "replaced",
        "rule_id": "OH-KS-002",
        "old": "********",
        "new": "${CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD}",
        "why": password["why"],
        "variable": "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD",
        "waiver": None,
    }
    assert "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD" in report["variables"]
    assert SECRET not in err


def test_output_file(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged.yaml"
    assert invoke(str(config), "--output", str(out))[0] == 0
    assert out.read_text(encoding="utf-8").startswith("# ours\n")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert config.read_text(encoding="utf-8") == CONFIG


@pytest.mark.parametrize("via_link", [False, True], ids=["same-path", "symlink"])
def test_output_onto_the_config_is_an_in_place_merge(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, via_link: bool
) -> None:
    """Same lock and compare-and-swap as --in-place, no backup, the file's mode kept."""
    from hardener import api

    calls: list[dict[str, object]] = []
    real = api.merge_in_place

    def recording(*args: object, **kwargs: object) -> object:
        calls.append(kwargs)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(api, "merge_in_place", recording)
    target = config
    if via_link:
        target = tmp_path / "link.yaml"
        target.symlink_to(config)
    expected = invoke(str(config))[1].encode()
    code, out, err = invoke(str(config), "--output", str(target))
    assert (code, out) == (0, ""), err
    assert [call["backup"] for call in calls] == [False]
    assert config.read_bytes() == expected
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [config.name] + (["link.yaml"] if via_link else [])
    )
    assert target.is_symlink() == via_link


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--in-place", "--output", "x.yaml"], "--in-place and --output exclude each other"),
        (["--report", "xml"], "unknown report format 'xml'"),
        (["--profile", "paranoid"], "unknown profile 'paranoid'"),
        (["--set", "engine.alias"], "expected KEY=VALUE"),
    ],
)
def test_usage_errors(config: Path, args: list[str], fragment: str) -> None:
    code, out, err = invoke(str(config), *args)
    assert code == 2 and out == ""
    assert err.startswith("optimize-harden: error: ") and fragment in err
    assert config.read_text(encoding="utf-8") == CONFIG


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"a: 1\n---\nb: 2\n", ":2: several YAML documents"),
        (b"[1, 2]\n", ":1: the top level is a list"),
        (b"a: 1\na: 1\n", ":2:1: invalid YAML: found duplicate key"),
        (b"a: 'open\n", "invalid YAML"),
        (b"a: caf\xe9\n", ":1:7: not valid UTF-8"),
    ],
)
def test_bad_files_are_refused_and_untouched(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "environment-config.yaml"
    path.write_bytes(content)
    code, out, err = invoke(str(path), "--in-place")
    assert code == 2 and out == ""
    assert fragment in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["environment-config.yaml"]


def test_symlinked_config_writes_target_and_keeps_link(config: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(config)
    assert invoke(str(link), "--in-place", "--no-backup")[0] == 0
    assert link.is_symlink() and link.readlink() == config
    assert "http: null" in config.read_text(encoding="utf-8")


def test_planted_symlink_at_backup_path_is_not_followed(config: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n", encoding="utf-8")
    planted = config.with_name(config.name + ".bak")
    planted.symlink_to(victim)
    assert invoke(str(config), "--in-place")[0] == 0
    assert victim.read_text(encoding="utf-8") == "do not touch\n"
    assert planted.is_symlink()  # a taken name is left alone: the backup takes the next one
    backup = config.with_name(config.name + ".bak.1")
    assert not backup.is_symlink() and backup.read_text(encoding="utf-8") == CONFIG


def test_a_later_run_never_overwrites_an_earlier_backup(config: Path) -> None:
    assert invoke(str(config), "--in-place")[0] == 0
    hardened = config.read_text(encoding="utf-8")
    weakened = hardened.replace("http: null", "http: 8090")
    config.write_text(weakened, encoding="utf-8")
    assert invoke(str(config), "--in-place")[0] == 0
    first, second = (config.with_name(config.name + s) for s in (".bak", ".bak.1"))
    assert first.read_text(encoding="utf-8") == CONFIG  # the original, pre-hardening file
    assert second.read_text(encoding="utf-8") == weakened
    assert config.read_text(encoding="utf-8") == hardened
