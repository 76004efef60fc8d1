"""Render a check report as text for people, JSON for scripts, or SARIF for code scanning.

All three are built from the same ``CheckReport``; none of them sees a configuration value, so
none can print a secret (``hardener.check.audit`` keeps values out of messages). The JSON schema is
documented in ``docs/check-json.md`` and versioned by ``JSON_VERSION``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hardener import __version__
from hardener.check.audit import CheckReport, FileReport, Progress
from hardener.check.findings import Finding
from hardener.check.rules.base import Rule
from hardener.errors import HardenerError
from hardener.profiles import Severity

JSON_VERSION = 1
"""Bumped only on an incompatible change to the JSON output (fields removed or retyped)."""

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FORMATS = ("text", "json", "sarif")
PROGRESS_MIN_FILES = 20
"""A progress bar appears only for more files than this, and only on a terminal."""

_COLOURS = {
    Severity.CRITICAL: "\x1b[1;35m",
    Severity.HIGH: "\x1b[1;31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"

# GitHub code scanning maps these: 9.0 and over critical, 7.0-8.9 high, 4.0-6.9 medium, lower
# low. It has no "info" band, so info findings (0.0) show as low there, with SARIF level note.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
_SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def render(report: CheckReport, fmt: str, *, color: bool = False) -> str:
    """The report in ``fmt`` (text, json or sarif)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "sarif":
        return render_sarif(report)
    return render_text(report, color=color)


# --- text ---------------------------------------------------------------------------------------


def render_text(report: CheckReport, *, color: bool = False) -> str:
    """Findings grouped per file, each with its fix, then a one-line summary."""
    paint = _painter(color)
    lines: list[str] = []
    for file in report.files:
        lines.extend(_file_block(file, paint))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _painter(color: bool) -> Any:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    return paint


def _file_block(file: FileReport, paint: Any) -> list[str]:
    grade = f"header grade {file.grade.letter} ({file.grade.score})"
    count = len(file.open_findings)
    head = f"{file.path}: {count} finding{'s' if count != 1 else ''}, {grade}"
    lines = [paint(head, _BOLD)]
    for finding in file.findings:
        lines.extend(_finding_lines(finding, paint))
    lines.append("")
    return lines


def _finding_lines(finding: Finding, paint: Any) -> list[str]:
    where = f"{finding.line}:{finding.column}"
    severity = paint(f"{finding.severity.label:<8}", _COLOURS[finding.severity])
    text = f"  {where:<8} {severity} {finding.rule_id:<12} {finding.message}"
    if finding.waived is not None:
        return [paint(f"{text} [waived: {finding.waived}]", _DIM)]
    return [text, paint(f"  {'':<8} fix: {finding.fix}", _DIM)]


def summary_line(report: CheckReport) -> str:
    """``N files, M findings (critical a, high b, …), W waived`` plus unreadable files."""
    counts = report.counts()
    total = sum(counts.values())
    per = ", ".join(f"{severity.label} {n}" for severity, n in counts.items())
    files = len(report.files)
    text = (
        f"{files} file{'s' if files != 1 else ''} checked with profile {report.profile} "
        f"({report.target}): {total} finding{'s' if total != 1 else ''} ({per}), "
        f"{report.waived} waived"
    )
    if report.errors:
        text += f", {len(report.errors)} not checked (errors below)"
    return text


# --- JSON ---------------------------------------------------------------------------------------


def render_json(report: CheckReport) -> str:
    """The documented, stable JSON form (docs/check-json.md)."""
    return json.dumps(json_document(report), indent=2, ensure_ascii=False) + "\n"


def json_document(report: CheckReport) -> dict[str, Any]:
    counts = report.counts()
    return {
        "version": JSON_VERSION,
        "tool": {"name": "optimize-harden", "version": __version__},
        "profile": report.profile,
        "target": report.target,
        "files": [_json_file(file) for file in report.files],
        "errors": [_json_error(error) for error in report.errors],
        "summary": {
            "files": len(report.files),
            "findings": sum(counts.values()),
            "waived": report.waived,
            "by_severity": {severity.label: n for severity, n in counts.items()},
        },
    }


def _json_file(file: FileReport) -> dict[str, Any]:
    return {
        "path": file.path,
        "grade": {"score": file.grade.score, "letter": file.grade.letter},
        "findings": [_json_finding(finding) for finding in file.findings],
    }


def _json_finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.label,
        "message": finding.message,
        "line": finding.line,
        "column": finding.column,
        "path": finding.path,
        "fix": finding.fix,
        "waived": finding.waived,
    }


def _json_error(error: HardenerError) -> dict[str, Any]:
    return {
        "path": error.file,
        "line": error.line,
        "column": error.column,
        "message": error.message,
    }


# --- SARIF --------------------------------------------------------------------------------------


def render_sarif(report: CheckReport) -> str:
    """SARIF 2.1.0 with rule metadata, ready for code-scanning upload."""
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"


def sarif_document(report: CheckReport) -> dict[str, Any]:
    rules = report.rules
    index = {rule_id: position for position, rule_id in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "optimize-harden",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_sarif_rule(rule, severity) for rule, severity in rules.values()],
            }
        },
        "automationDetails": {"id": f"optimize-harden/{report.profile}/{report.target}/"},
        "results": [
            _sarif_result(finding, index, file.waiver_kinds.get(finding))
            for file in report.files
            for finding in file.findings
        ],
        "invocations": [_sarif_invocation(report.errors)],
        "properties": {"profile": report.profile, "target": report.target},
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _sarif_rule(rule: Rule, severity: Severity) -> dict[str, Any]:
    help_text = f"{rule.rationale}\n\nFix: {rule.remediation}\n\nReference: {rule.reference}"
    return {
        "id": rule.id,
        "name": _camel(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": help_text, "markdown": _help_markdown(rule)},
        "defaultConfiguration": {"level": _SARIF_LEVEL[severity]},
        "properties": {
            "security-severity": _SECURITY_SEVERITY[severity],
            "severity": severity.label,
            "tags": ["security", "configuration", "camunda-optimize"],
        },
    }


def _help_markdown(rule: Rule) -> str:
    return (
        f"**{rule.id} {rule.title}**\n\n{rule.rationale}\n\n"
        f"**Fix:** {rule.remediation}\n\n**Reference:** {rule.reference}"
    )


def _camel(slug: str) -> str:
    head, *rest = slug.split("-")
    return head + "".join(part.capitalize() for part in rest)


def _sarif_result(
    finding: Finding, index: Mapping[str, int], waiver_kind: str | None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
        "locations": [_sarif_location(finding)],
        "partialFingerprints": {"optimizeHarden/v1": _fingerprint(finding)},
        "properties": {"severity": finding.severity.label, "path": finding.path},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.waived is not None:
        kind = waiver_kind or "external"
        result["suppressions"] = [{"kind": kind, "justification": finding.waived}]
    return result


def _sarif_location(finding: Finding) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(finding.file)},
            "region": {"startLine": finding.line, "startColumn": finding.column},
        }
    }


def artifact_uri(name: str) -> str:
    """A relative path stays relative (code scanning resolves it against the repository)."""
    path = Path(name)
    return path.absolute().as_uri() if path.is_absolute() else path.as_posix()


def _fingerprint(finding: Finding) -> str:
    """Stable across line moves: the rule and the key path identify a finding."""
    return f"{finding.rule_id}:{finding.path or finding.line}"


def _sarif_invocation(errors: Iterable[HardenerError]) -> dict[str, Any]:
    notes = [
        {
            "level": "error",
            "message": {"text": error.message},
            **({"locations": [_error_location(error)]} if error.file else {}),
        }
        for error in errors
    ]
    return {"executionSuccessful": not notes, "toolExecutionNotifications": notes}


def _error_location(error: HardenerError) -> dict[str, Any]:
    location: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(error.file or "")}}
    if error.line:
        region: dict[str, Any] = {"startLine": error.line}
        if error.column:
            region["startColumn"] = error.column
        location["region"] = region
    return {"physicalLocation": location}


# --- progress -----------------------------------------------------------------------------------


@contextmanager
def progress_bar(*, enabled: bool) -> Iterator[Progress | None]:
    """A callback drawing a progress bar on stderr for long runs; None when not wanted.

    ``enabled`` is False when stderr is not a terminal (piped, CI logs), so nothing but the
    report reaches a file. The bar is created on first use, once the file count is known.
    """
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if total <= PROGRESS_MIN_FILES:
            return
        if "bar" not in state:
            state["bar"], state["task"] = _start_bar(total)
        state["bar"].update(state["task"], completed=done)

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].stop()


def _start_bar(total: int) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    bar.start()
    return bar, bar.add_task("check", total=total)
