"""Orchestration: resolve the config as Optimize would, run the checks, build check's report.

The report is a ``CheckReport``, so doctor's output is check's (text, JSON, SARIF) and so is its
exit code. Severities come from the doctor rules at the profile's level (``--profile``, default
standard); a problem's own severity (a certificate expiring within 7 days) overrides it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from hardener.check.audit import CheckReport, FileReport
from hardener.check.findings import Finding
from hardener.check.grade import grade_config
from hardener.check.rules import DOCTOR_RULES
from hardener.check.rules.base import Rule
from hardener.check.rules.profile_rules import level_of
from hardener.doctor import connect, files
from hardener.doctor.files import Problem
from hardener.errors import UsageError
from hardener.masking import mask
from hardener.model import View
from hardener.profiles import Severity, load_profile
from hardener.yaml import Config, read_config, read_source

DEFAULT_TIMEOUT = 5.0
MAX_TIMEOUT = 300.0
ACCESS_URL = ("container", "accessUrl")
_VERSION = re.compile(r"\d+\.\d+(\.\d+)?([-.][A-Za-z0-9.]+)?")


def doctor(
    config_path: Path,
    target: str = "c7",
    *,
    profile: str = "standard",
    env: Sequence[str] | Mapping[str, str] = (),
    env_file: Path | None = None,
    connect_: bool = False,
    url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    optimize_version: str | None = None,
    now: dt.datetime | None = None,
    on_progress: connect.Progress | None = None,
) -> CheckReport:
    """Check what the config at ``config_path`` names, with ``env`` over ``env_file``."""
    from hardener.catalog import check_target
    from hardener.effective import environment

    check_target(target)
    if not 0 < timeout <= MAX_TIMEOUT:
        raise UsageError(f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
    if optimize_version is not None and not _VERSION.fullmatch(optimize_version):
        raise UsageError(f"--optimize-version {optimize_version!r}: expected e.g. 8.8.2")
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--url {url!r}: expected http(s)://HOST[:PORT][/path]")
    level = level_of(load_profile(profile))
    variables = environment(env, env_file)
    config = read_config(read_source(config_path))
    view = View(config, target, variables)
    moment = now or dt.datetime.now(dt.UTC)
    problems = list(files.variable_problems(config, variables))
    if env_file is not None:
        problems.extend(files.env_file_problems(env_file))
    hosts = _hosts(view, url)
    problems.extend(files.keystore_problems(view, config_path, hosts, moment, level))
    problems.extend(files.ca_problems(view, config_path, files.db_sections(view), moment, level))
    if connect_:
        targets = [
            *connect.database_targets(view, config_path),
            *connect.engine_targets(view),
            *connect.identity_targets(view),
            *(connect.optimize_targets(view, url, optimize_version) if url else ()),
        ]
        problems.extend(connect.probe_all(targets, timeout, on_progress))
    secrets = [value for value in variables.values() if len(value) >= 8]
    findings = tuple(
        sorted(_finding(p, config, level, secrets) for p in problems if _applies(p, level))
    )
    rules = {
        rule.id: (rule, severity)
        for rule in DOCTOR_RULES.values()
        if (severity := rule.severity_at(level)) is not None
    }
    grade = grade_config(view, target)
    by_file: dict[str, list[Finding]] = {config.name: []}
    for finding in findings:
        by_file.setdefault(finding.file, []).append(finding)
    reports = tuple(FileReport(name, tuple(found), grade) for name, found in by_file.items())
    return CheckReport(profile=profile, target=target, files=reports, rules=rules)


def _hosts(view: View, url: str | None) -> tuple[str, ...]:
    """The hosts the served certificate must name: the access URL's and ``--url``'s."""
    hosts: list[str] = []
    access = files.as_text(view.get(ACCESS_URL).value)
    for text in (access, url):
        host = urlsplit(text).hostname if text else None
        if host and host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def _rule(problem: Problem) -> Rule:
    return DOCTOR_RULES[problem.rule]


def _applies(problem: Problem, level: str) -> bool:
    return _rule(problem).severity_at(level) is not None


def _finding(problem: Problem, config: Config, level: str, secrets: list[str]) -> Finding:
    rule = _rule(problem)
    severity = problem.severity or rule.severity_at(level)
    assert severity is not None
    if problem.file is not None:
        file, line, column = problem.file, 1, 1
    else:
        file = config.name
        line, column = config.position(problem.path, "key") if problem.path else (1, 1)
    return Finding(
        file=file,
        line=line,
        column=column,
        rule_id=rule.id,
        severity=max(severity, Severity.INFO),
        message=mask(problem.message, secrets),
        fix=rule.remediation,
        path=".".join(str(part) for part in problem.path),
    )


__all__ = ["DEFAULT_TIMEOUT", "doctor"]
