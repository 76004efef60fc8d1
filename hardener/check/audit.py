"""Audit configuration files against a profile: files in, findings with positions out.

The rules (``hardener.check.rules``) only say *what* is wrong and *which key* it concerns. This
module does the rest once for every rule: it finds the files, parses each one, places each hit at
a line and column (a missing key at its nearest existing parent block, or line 1), takes the
severity for the profile, applies waivers, masks any secret value that could have reached a
message, and grades the security headers Optimize would send.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path

from hardener.catalog import format_path, load_catalog
from hardener.check.findings import Finding
from hardener.check.grade import Grade, grade_config
from hardener.check.rules import CHECKS, active_rules, secrets, waivers
from hardener.check.rules.base import Hit, Rule, RuleContext
from hardener.errors import ConfigSyntaxError, HardenerError, UsageError
from hardener.masking import mask
from hardener.model import as_placeholder
from hardener.profiles import Profile, Severity
from hardener.waivers import Waiver, find_waiver, inline_waivers
from hardener.yaml import Config, SourceText, read_config, read_source
from hardener.yaml.source import file_kind

CONFIG_PATTERNS: tuple[str, ...] = ("environment-config*.yaml", "environment-config*.yml")
"""File names a directory argument expands to (Optimize's file and its variants)."""

MASK_MIN_LENGTH = 8
"""Shorter values are left alone in messages: they could be ordinary words of the message, and
messages never print a value in the first place."""
"""Secrets this long are masked wherever they appear. Rules never put a credential's value in a
message (tests hold them to it); masking is the second line of defence, and shorter values
(``demo``, ``password``) would collide with key names and ordinary words in the messages."""

Progress = Callable[[int, int], None]
"""Called with (files done, files in total) as a check advances."""


@dataclass(frozen=True)
class FileReport:
    """The findings and the header grade of one configuration file."""

    path: str
    findings: tuple[Finding, ...]
    grade: Grade
    waiver_kinds: Mapping[Finding, str] = field(default_factory=dict)  # SARIF suppression kind

    @property
    def open_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.waived is None)


@dataclass(frozen=True)
class CheckReport:
    """Everything one ``check`` run found, ready for any output format."""

    profile: str
    target: str
    files: tuple[FileReport, ...]
    errors: tuple[HardenerError, ...] = ()
    rules: Mapping[str, tuple[Rule, Severity]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()  # notes on names a directory walk passed over

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for report in self.files for f in report.findings)

    def counts(self) -> dict[Severity, int]:
        """Open (unwaived) findings per severity, most severe first."""
        counts = {severity: 0 for severity in sorted(Severity, reverse=True)}
        for finding in self.findings:
            if finding.waived is None:
                counts[finding.severity] += 1
        return counts

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.waived is not None)

    def failed(self, threshold: Severity) -> bool:
        """True when an open finding is at or above ``threshold``."""
        return any(f.waived is None and f.severity >= threshold for f in self.findings)

    def exit_code(self, threshold: Severity) -> int:
        """2 for unreadable input, 1 for findings at or above ``threshold``, else 0."""
        if self.errors:
            return 2
        return 1 if self.failed(threshold) else 0


def check_paths(
    paths: Iterable[str | Path],
    profile: Profile,
    target: str,
    *,
    file_waivers: Sequence[Waiver] = (),
    use_inline_waivers: bool = True,
    today: dt.date,
    on_progress: Progress | None = None,
) -> CheckReport:
    """Check every file named or found below the given directories."""
    checker = Checker(profile, target, file_waivers, use_inline_waivers, today)
    skipped: list[str] = []
    files, errors = collect_files(paths, skipped)
    reports: list[FileReport] = []
    for done, path in enumerate(files, start=1):
        try:
            reports.append(checker.check_file(path))
        except HardenerError as exc:
            errors.append(exc)
        if on_progress is not None:
            on_progress(done, len(files))
    return CheckReport(
        profile.name, target, tuple(reports), tuple(errors), checker.rules, tuple(skipped)
    )


def collect_files(
    paths: Iterable[str | Path], skipped: list[str] | None = None
) -> tuple[list[Path], list[HardenerError]]:
    """Files as given, directories expanded to their config files (sorted); no duplicates.

    A name below a directory that is not a regular file (a FIFO would hang the read) is left
    out with a note in ``skipped``; a file named outright is read, and refused there."""
    files: list[Path] = []
    errors: list[HardenerError] = []
    for item in paths:
        path = Path(item)
        found = _configs_below(path, skipped) if path.is_dir() else [path]
        if not found:
            errors.append(
                UsageError("no environment-config*.yaml below this directory", file=str(path))
            )
        files.extend(found)
    unique = {os.path.normpath(p.absolute()): p for p in reversed(files)}
    return list(reversed(unique.values())), errors


def _configs_below(directory: Path, skipped: list[str] | None = None) -> list[Path]:
    """Config files below ``directory``; symbolic links to directories are not followed."""
    found: list[Path] = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for name in sorted(names):
            if any(fnmatch(name, pattern) for pattern in CONFIG_PATTERNS):
                path = Path(root) / name
                kind = _not_regular(path)
                if kind is None:
                    found.append(path)
                elif skipped is not None:
                    skipped.append(f"{path}: skipped: {kind}, not a regular file")
    return found


def _not_regular(path: Path) -> str | None:
    """What ``path`` is when it is an existing non-regular file (a symlink is followed);
    None for a regular file or one ``stat`` cannot see, which the reader then reports."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)


class Checker:
    """One profile and target, prepared once and applied to any number of files."""

    def __init__(
        self,
        profile: Profile,
        target: str,
        file_waivers: Sequence[Waiver] = (),
        use_inline_waivers: bool = True,
        today: dt.date | None = None,
    ) -> None:
        from hardener.check.rules.profile_rules import level_of
        from hardener.plan import site_database
        from hardener.values import resolve_values

        self.profile = profile
        self.target = target
        self.level = level_of(profile)
        self.catalog = load_catalog(target)
        self.rules = active_rules(profile, target)
        self.file_waivers = tuple(file_waivers)
        self.use_inline_waivers = use_inline_waivers
        self.today = today or dt.date.today()
        self.default_db = site_database(resolve_values(target))

    def check_file(self, path: Path) -> FileReport:
        """Read, parse and check one file; unreadable or invalid files raise ConfigSyntaxError."""
        return self.check_source(read_source(path))

    def check_source(self, source: SourceText) -> FileReport:
        doc = read_config(source)
        ctx = RuleContext(doc, self.catalog, self.profile, self.target, self.level, self.default_db)
        placed = [f for f in (self._place(hit, doc) for hit in _hits(ctx)) if f is not None]
        findings, kind_at = self._apply_waivers(placed, doc)
        masked = _mask(findings, _secret_values(ctx))
        kinds = {masked[index]: kind for index, kind in kind_at.items()}
        return FileReport(source.name, tuple(sorted(set(masked))), grade_config(ctx.view), kinds)

    def _place(self, hit: Hit, doc: Config) -> tuple[Finding, frozenset[int]] | None:
        """Position, severity and fix for a hit; None when the rule is off for this profile."""
        entry = self.rules.get(hit.rule)
        if entry is None:
            return None
        rule, severity = entry
        severity = hit.severity if hit.severity is not None else severity
        if hit.cap is not None:
            severity = min(severity, hit.cap)
        if doc.lookup(hit.path)[0]:
            line, column = doc.position(hit.path, hit.at)
            lines = frozenset({line, doc.position(hit.path)[0]})
        else:
            _, (line, column) = doc.anchor(hit.path)
            lines = frozenset({line})
        finding = Finding(
            file=doc.name,
            line=line,
            column=column,
            rule_id=hit.rule,
            severity=severity,
            message=hit.message,
            fix=hit.fix or rule.remediation,
            path=format_path(hit.path),
        )
        return finding, lines

    def _apply_waivers(
        self, placed: list[tuple[Finding, frozenset[int]]], doc: Config
    ) -> tuple[list[Finding], dict[int, str]]:
        """Mark waived findings; an expired file waiver adds OH-WVR-001 beside its finding.

        Also returns, by index, whether each waiver was written in the file ("inSource") or in
        a waiver file ("external"), as SARIF distinguishes them.
        """
        inline = inline_waivers(doc.text, doc.name) if self.use_inline_waivers else {}
        result: list[Finding] = []
        kinds: dict[int, str] = {}
        reported: set[str] = set()
        for finding, lines in placed:
            waiver = find_waiver(
                finding.rule_id, finding.path, sorted(lines), inline, self.file_waivers, self.today
            )
            if waiver is not None:
                kinds[len(result)] = "external" if waiver in self.file_waivers else "inSource"
                result.append(replace(finding, waived=waiver.reason))
                continue
            result.append(finding)
            for expired in self._expired(finding):
                if expired.source not in reported:
                    reported.add(expired.source)
                    result.append(self._expired_finding(finding, expired))
        return result, kinds

    def _expired(self, finding: Finding) -> Iterator[Waiver]:
        for waiver in self.file_waivers:
            if waiver.covers(finding.rule_id, finding.path) and waiver.expired(self.today):
                yield waiver

    def _expired_finding(self, finding: Finding, waiver: Waiver) -> Finding:
        rule, severity = self.rules[waivers.EXPIRED]
        assert waiver.expires is not None  # only expired waivers get here
        return replace(
            finding,
            rule_id=rule.id,
            severity=severity,
            message=f"the waiver for {waiver.rule} at {waiver.source} expired on "
            f"{waiver.expires.isoformat()}; {finding.rule_id} is reported again",
            fix=rule.remediation,
        )


def _hits(ctx: RuleContext) -> Iterator[Hit]:
    for check in CHECKS:
        yield from check(ctx)


# --- keeping secrets out of every output ------------------------------------------------------


def _secret_values(ctx: RuleContext) -> set[str]:
    """Every credential string in the file, literal or placeholder default."""
    found: set[str] = set()
    for path, raw in secrets.secret_paths(ctx):
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            continue
        seen = ctx.value(path)
        candidates = [str(raw)]
        if seen.literal and isinstance(seen.value, str):
            candidates.append(seen.value)  # "pw${NOPE:}CANARY" is "pwCANARY" to Optimize
        placeholder = as_placeholder(str(raw).strip())
        if placeholder is not None:
            candidates = [] if placeholder.has_null_default else [placeholder.default or ""]
        found.update(text.strip() for text in candidates if text.strip())
    return found


def _mask(findings: list[Finding], values: set[str]) -> list[Finding]:
    """Mask any secret value in messages and fixes."""
    return [
        replace(
            f,
            message=mask(f.message, values, min_length=MASK_MIN_LENGTH),
            fix=mask(f.fix, values, min_length=MASK_MIN_LENGTH),
        )
        for f in findings
    ]


def check_text(text: str, profile: Profile, target: str, name: str = "<config>") -> FileReport:
    """Check configuration text (no waivers from files); tests and embedding use it."""
    return Checker(profile, target).check_source(SourceText(name=name, text=text, bom=False))


__all__ = [
    "CONFIG_PATTERNS",
    "CheckReport",
    "Checker",
    "ConfigSyntaxError",
    "FileReport",
    "check_paths",
    "check_text",
    "collect_files",
]
