"""check, rules and explain through the real typer app: exit codes, streams and formats."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from hardener import api
from hardener.check.rules import all_rules
from hardener.cli import _use_color, app
from tests.clirunner import cli_runner

runner = cli_runner()
SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
CANARY = "Cli-Canary-51b7-keep-out-of-output"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write(tmp_path / "environment-config.yaml", api.generate("strict", "c7").text)


def with_change(config: Path, old: str, new: str) -> Path:
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    return config


def test_clean_config_exits_0_with_an_empty_summary(clean: Path) -> None:
    result = runner.invoke(app, ["check", str(clean)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "1 file checked with profile strict (c7): 0 findings (critical 0, high 0, medium 0, "
        "low 0, info 0), 0 waived"
    )
    assert result.stderr == ""


def test_findings_exit_1_and_fail_on_sets_the_threshold(clean: Path) -> None:
    with_change(clean, "X-XSS-Protection: '0'", "X-XSS-Protection: '1; mode=block'")  # low
    assert runner.invoke(app, ["check", str(clean)]).exit_code == 1
    assert runner.invoke(app, ["check", str(clean), "--fail-on", "low"]).exit_code == 1
    assert runner.invoke(app, ["check", str(clean), "--fail-on", "medium"]).exit_code == 0
    assert runner.invoke(app, ["check", str(clean), "--fail-on", "CRITICAL"]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "severe"], "--fail-on: unknown severity 'severe'"),
        (["--format", "xml"], "unknown format 'xml' (choose text, json, sarif)"),
        (["--profile", "strictest"], "unknown profile 'strictest'"),
        (["--target", "c9"], "unknown target 'c9'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(clean: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", str(clean), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("optimize-harden: error: ")
    assert message in lines[0]
    assert result.stdout == ""


def test_invalid_yaml_exits_2_with_file_line_column(tmp_path: Path, clean: Path) -> None:
    broken = write(tmp_path / "x" / "environment-config.yaml", "container:\n  host: [a\n")
    result = runner.invoke(app, ["check", str(clean), str(broken)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"optimize-harden: error: {broken}:3:1: invalid YAML: expected ',' or ']', "
        "but got '<stream end>' (while parsing a flow sequence that starts at 2:9)\n"
    )
    assert "1 not checked (errors below)" in result.stdout


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.yaml'}: file not found" in result.stderr


def test_json_output_has_the_documented_fields(clean: Path) -> None:
    with_change(clean, "enableSniCheck: true", "enableSniCheck: false")
    result = runner.invoke(app, ["check", str(clean), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == 1
    assert (document["profile"], document["target"]) == ("strict", "c7")
    (file,) = document["files"]
    assert file["path"] == str(clean)
    assert file["grade"] == {"score": 120, "letter": "A+"}
    assert [(f["rule_id"], f["severity"], f["path"], f["waived"]) for f in file["findings"]] == [
        ("OH-CNT-004", "medium", "container.enableSniCheck", None)
    ]
    assert document["summary"]["by_severity"]["medium"] == 1


def test_sarif_output_validates(clean: Path) -> None:
    with_change(clean, "enableSniCheck: true", "enableSniCheck: false")
    result = runner.invoke(app, ["check", str(clean), "--format", "sarif"])
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["OH-CNT-004"]


def test_inline_waiver_and_no_inline_waivers(clean: Path) -> None:
    with_change(
        clean,
        "enableSniCheck: true",
        "enableSniCheck: false  # optimize-harden: allow OH-CNT-004 SNI differs behind the LB",
    )
    result = runner.invoke(app, ["check", str(clean)])
    assert result.exit_code == 0, result.output
    assert "[waived: SNI differs behind the LB]" in result.stdout
    assert result.stdout.rstrip().endswith("0 findings (critical 0, high 0, medium 0, low 0, "
                                           "info 0), 1 waived")  # fmt: skip
    assert runner.invoke(app, ["check", str(clean), "--no-inline-waivers"]).exit_code == 1


def test_waiver_file_and_expired_waiver(tmp_path: Path, clean: Path) -> None:
    with_change(clean, "enableSniCheck: true", "enableSniCheck: false")
    waivers = write(
        tmp_path / "waivers.yaml",
        "waivers:\n  - rule: OH-CNT-004\n    reason: SNI differs behind the LB\n"
        "    expires: 2999-12-31\n",
    )
    assert runner.invoke(app, ["check", str(clean), "--waivers", str(waivers)]).exit_code == 0
    waivers.write_text(waivers.read_text().replace("2999-12-31", "2000-01-01"))
    result = runner.invoke(app, ["check", str(clean), "--waivers", str(waivers), "-f", "json"])
    assert result.exit_code == 1
    found = [(f["rule_id"], f["waived"]) for f in json.loads(result.stdout)["files"][0]["findings"]]
    assert found == [("OH-CNT-004", None), ("OH-WVR-001", None)]


def test_bad_waiver_file_exits_2(tmp_path: Path, clean: Path) -> None:
    waivers = write(tmp_path / "waivers.yaml", "waivers:\n  - rule: nonsense\n    reason: x\n")
    result = runner.invoke(app, ["check", str(clean), "--waivers", str(waivers)])
    assert result.exit_code == 2
    assert "is not a rule id like OH-SHR-001" in result.stderr


def test_directories_are_searched_recursively(tmp_path: Path) -> None:
    text = api.generate("strict", "c7").text
    write(tmp_path / "prod" / "environment-config.yaml", text)
    write(tmp_path / "prod" / "eu" / "environment-config-eu.yaml", text)
    write(tmp_path / "prod" / "unrelated.yaml", "not: checked\n")
    result = runner.invoke(app, ["check", str(tmp_path / "prod"), "-f", "json"])
    paths = [
        Path(f["path"]).relative_to(tmp_path).as_posix() for f in json.loads(result.stdout)["files"]
    ]
    assert paths == ["prod/environment-config.yaml", "prod/eu/environment-config-eu.yaml"]
    assert result.exit_code == 0


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    for index in range(25):
        write(tmp_path / f"s{index:02d}" / "environment-config.yaml", "")
    result = runner.invoke(app, ["check", str(tmp_path), "--fail-on", "critical", "-f", "json"])
    assert result.stderr == ""
    assert len(json.loads(result.stdout)["files"]) == 25


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_secrets_are_never_printed(tmp_path: Path, fmt: str) -> None:
    config = write(
        tmp_path / "environment-config.yaml",
        f"container:\n  keystore:\n    password: {CANARY}\n"
        f"security:\n  auth:\n    token:\n      secret: '${{TOKEN:{CANARY}}}'\n"
        f"es:\n  security:\n    username: {CANARY}\n    password: {CANARY}\n",
    )
    result = runner.invoke(app, ["check", str(config), "--format", fmt])
    assert result.exit_code == 1
    assert CANARY not in result.stdout and CANARY not in result.stderr


def test_use_color_respects_terminals_and_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color(Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(Tty()) is False
    monkeypatch.delenv("NO_COLOR")
    assert _use_color(object()) is False


def test_rules_lists_every_rule() -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.stdout.splitlines()[1:-1]]
    assert listed == list(all_rules())
    assert result.stdout.splitlines()[-1].startswith(f"{len(all_rules())} rules")
    as_json = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    assert [rule["id"] for rule in as_json] == list(all_rules())
    assert as_json[0].keys() >= {"id", "title", "severity", "rationale", "remediation"}


def test_explain_prints_the_rule() -> None:
    result = runner.invoke(app, ["explain", "OH-CNT-001"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:3] == [
        "OH-CNT-001 http-connector-enabled",
        "",
        "Severity:   strict high, standard high, dev —",
    ]
    assert "Fix: Set container.ports.http to null and serve HTTPS only." in result.stdout


def test_explain_unknown_rule_exits_2_with_did_you_mean() -> None:
    result = runner.invoke(app, ["explain", "OH-CNT-01"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "optimize-harden: error: unknown rule 'OH-CNT-01' (did you mean OH-CNT-001"
    )
    assert result.stdout == ""
