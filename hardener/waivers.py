"""Accepted deviations, shared by merge and check.

Two ways to accept one:

* an inline comment on the key's line: ``# optimize-harden: allow OH-SHR-001 shares are embedded``;
* a waiver file (YAML)::

      waivers:
        - rule: OH-SHR-001
          path: sharing.enabled      # optional: without it the waiver covers every path
          reason: Shares are embedded in the intranet portal (ticket SEC-42)
          expires: 2027-03-31        # optional; from that day on the waiver no longer applies

A waiver needs a reason: an unexplained exception is not a review.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardener.errors import ConfigSyntaxError, ValuesError

_INLINE = re.compile(r"#\s*optimize-harden:\s*allow\s+([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\s*(.*)")
_RULE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\Z")


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    path: str | None = None
    expires: dt.date | None = None
    source: str = ""  # "file:line" of the waiver
    line: int = 0

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today >= self.expires

    def covers(self, rule: str, path: str) -> bool:
        return self.rule == rule and (self.path is None or self.path == path)


def inline_waivers(text: str, name: str = "") -> dict[int, list[Waiver]]:
    """Waivers written as comments, by 1-based line number."""
    found: dict[int, list[Waiver]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if "optimize-harden" not in line:
            continue
        match = _INLINE.search(line)
        if match:
            reason = match.group(2).strip() or "(no reason given)"
            waiver = Waiver(match.group(1), reason, source=f"{name}:{number}", line=number)
            found.setdefault(number, []).append(waiver)
    return found


def load_waiver_file(path: Path) -> list[Waiver]:
    """Read and validate a waiver file; every problem names the file and line."""
    from hardener.yaml import load_data, read_config, read_source

    try:
        config = read_config(read_source(path))
        tree = load_data(config.source) if config.aliases else config.data
    except ConfigSyntaxError as exc:
        raise ValuesError(exc.message, file=exc.file, line=exc.line, column=exc.column) from None
    entries = tree.get("waivers")
    unknown = [k for k in tree if k != "waivers"]
    if unknown or not isinstance(entries, list):
        raise ValuesError("a waiver file holds one key, 'waivers:', with a list", file=str(path))
    lines = [(config.where(entries, index) or (None,))[0] for index in range(len(entries))]
    return [_waiver(entry, path, line) for entry, line in zip(entries, lines, strict=True)]


def _waiver(entry: Any, path: Path, line: int | None) -> Waiver:

    def problem(message: str) -> ValuesError:
        return ValuesError(message, file=str(path), line=line)

    if not isinstance(entry, Mapping):
        raise problem("each waiver is a mapping with rule and reason")
    extra = set(entry) - {"rule", "path", "reason", "expires"}
    if extra:
        raise problem(f"unknown waiver field(s): {', '.join(sorted(map(str, extra)))}")
    rule, reason = str(entry.get("rule") or ""), str(entry.get("reason") or "").strip()
    if not _RULE.match(rule):
        raise problem(f"waiver rule {rule!r} is not a rule id like OH-SHR-001")
    if not reason:
        raise problem(f"waiver for {rule} needs a reason")
    return Waiver(
        rule=rule,
        reason=" ".join(reason.split()),
        path=str(entry["path"]) if entry.get("path") else None,
        expires=_date(entry.get("expires"), problem),
        source=f"{path}:{line}",
        line=line or 0,
    )


def _date(value: Any, problem: Callable[[str], ValuesError]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise problem(f"waiver expiry {value!r} is not a date (YYYY-MM-DD)") from None


def find_waiver(
    rule: str,
    path: str,
    lines: Iterable[int],
    inline: Mapping[int, list[Waiver]],
    file_waivers: Iterable[Waiver],
    today: dt.date,
) -> Waiver | None:
    """The waiver that accepts ``rule`` at ``path`` (inline on one of ``lines``, or from file)."""
    for line in lines:
        for waiver in inline.get(line, ()):
            if waiver.rule == rule:
                return waiver
    for waiver in file_waivers:
        if waiver.covers(rule, path) and not waiver.expired(today):
            return waiver
    return None
