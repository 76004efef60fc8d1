"""Output formats: text for people, JSON (docs/check-json.md), SARIF 2.1.0 (official schema)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from hardener import api
from hardener.check import report
from hardener.check.audit import CheckReport
from hardener.profiles import Severity

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
CANARY = "Report-Canary-4d2f9e-never-printed"
CONFIG = f"""\
container:
  ports:
    http: 8090
  keystore:
    password: {CANARY}
api:
  accessToken: '${{API_TOKEN:{CANARY}}}'
email:
  authentication:
    password: {CANARY}
sharing:
  enabled: true  # optimize-harden: allow OH-SHR-001 intranet portal embeds shares
"""


@pytest.fixture
def checked(tmp_path: Path) -> CheckReport:
    bad = tmp_path / "environment-config.yaml"
    bad.write_text(CONFIG, encoding="utf-8")
    broken = tmp_path / "broken" / "environment-config.yaml"
    broken.parent.mkdir()
    broken.write_text("a: [\n", encoding="utf-8")
    return api.check([bad, broken], "strict", "c7")


def test_text_groups_findings_per_file_with_fix_grade_and_summary(checked: CheckReport) -> None:
    text = report.render_text(checked)
    lines = text.splitlines()
    counts = checked.counts()
    assert lines[0] == (
        f"{checked.files[0].path}: {len(checked.files[0].open_findings)} findings, "
        f"header grade {checked.files[0].grade.letter} ({checked.files[0].grade.score})"
    )
    assert "  3:11     high     OH-CNT-001   container.ports.http is not null" in lines
    assert "           fix: Set container.ports.http to null and serve HTTPS only." in lines
    waived = next(line for line in lines if "OH-SHR-001" in line)
    assert waived.endswith("[waived: intranet portal embeds shares]")
    assert lines[-1] == (
        f"1 file checked with profile strict (c7): {sum(counts.values())} findings ("
        + ", ".join(f"{s.label} {n}" for s, n in counts.items())
        + "), 1 waived, 1 not checked (errors below)"
    )
    assert "\x1b[" not in text


def test_text_colours_only_when_asked(checked: CheckReport) -> None:
    coloured = report.render_text(checked, color=True)
    assert "\x1b[1;31mhigh    \x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == report.render_text(checked, color=False)


def test_json_follows_the_documented_schema(checked: CheckReport) -> None:
    document = json.loads(report.render_json(checked))
    assert list(document) == ["version", "tool", "profile", "target", "files", "errors", "summary"]
    assert (document["version"], document["profile"], document["target"]) == (1, "strict", "c7")
    (file,) = document["files"]
    assert set(file) == {"path", "grade", "findings"}
    assert file["grade"] == {
        "score": checked.files[0].grade.score,
        "letter": checked.files[0].grade.letter,
    }
    for finding in file["findings"]:
        assert list(finding) == [
            "rule_id", "severity", "message", "line", "column", "path", "fix", "waived"
        ]  # fmt: skip
        assert finding["severity"] in {s.label for s in Severity}
        assert isinstance(finding["line"], int) and isinstance(finding["column"], int)
    http = next(f for f in file["findings"] if f["rule_id"] == "OH-CNT-001")
    assert (http["line"], http["column"], http["path"], http["waived"]) == (
        3,
        11,
        "container.ports.http",
        None,
    )
    shared = next(f for f in file["findings"] if f["rule_id"] == "OH-SHR-001")
    assert shared["waived"] == "intranet portal embeds shares"
    assert document["errors"][0]["line"] == 2
    summary = document["summary"]
    assert summary["files"] == 1 and summary["waived"] == 1
    assert summary["findings"] == sum(summary["by_severity"].values())
    assert list(summary["by_severity"]) == ["critical", "high", "medium", "low", "info"]


def sarif(checked: CheckReport) -> dict[str, Any]:
    return json.loads(report.render_sarif(checked))


def test_sarif_is_valid_against_the_official_schema(checked: CheckReport) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(sarif(checked))


def test_sarif_schema_rejects_a_broken_log(checked: CheckReport) -> None:
    """The validation above can fail: a result without a message is refused."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = sarif(checked)
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(log)


def test_sarif_carries_rule_metadata_for_code_scanning(checked: CheckReport) -> None:
    run = sarif(checked)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(checked.rules)
    cnt = next(rule for rule in rules if rule["id"] == "OH-CNT-001")
    assert cnt["name"] == "httpConnectorEnabled"
    assert cnt["shortDescription"]["text"] == "http-connector-enabled"
    assert cnt["fullDescription"]["text"].startswith("Plain HTTP sends credentials")
    assert "Fix: Set container.ports.http to null" in cnt["help"]["text"]
    assert cnt["defaultConfiguration"]["level"] == "error"
    assert cnt["properties"]["security-severity"] == "8.0"
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["region"]["startLine"] >= 1
    waived = [r for r in run["results"] if r["ruleId"] == "OH-SHR-001"]
    assert waived[0]["suppressions"] == [
        {"kind": "inSource", "justification": "intranet portal embeds shares"}
    ]
    assert run["invocations"][0]["executionSuccessful"] is False


def test_relative_paths_stay_relative_in_sarif() -> None:
    assert report.artifact_uri("config/environment-config.yaml") == "config/environment-config.yaml"
    assert report.artifact_uri("/srv/o/environment-config.yaml") == (
        "file:///srv/o/environment-config.yaml"
    )


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_no_format_prints_a_secret(checked: CheckReport, fmt: str) -> None:
    assert {f.rule_id for f in checked.findings} >= {"OH-KS-002", "OH-SEC-001", "OH-SEC-002"}
    assert CANARY not in report.render(checked, fmt, color=True)


def test_progress_bar_only_when_enabled_and_for_many_files(monkeypatch: Any) -> None:
    started: list[int] = []

    class FakeBar:
        def update(self, task: object, completed: int) -> None:
            started.append(completed)

        def stop(self) -> None:
            started.append(-1)

    monkeypatch.setattr(report, "_start_bar", lambda total: (FakeBar(), "task"))
    with report.progress_bar(enabled=False) as callback:
        assert callback is None
    with report.progress_bar(enabled=True) as callback:
        assert callback is not None
        callback(1, report.PROGRESS_MIN_FILES)
    assert started == []
    with report.progress_bar(enabled=True) as callback:
        assert callback is not None
        callback(1, report.PROGRESS_MIN_FILES + 1)
        callback(2, report.PROGRESS_MIN_FILES + 1)
    assert started == [1, 2, -1]
