"""Findings: what check reports and merge explains, as small sortable values."""

from __future__ import annotations

from dataclasses import dataclass

from hardener.profiles import Severity


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place. Messages never contain secret values."""

    file: str
    line: int
    column: int
    rule_id: str
    severity: Severity
    message: str
    fix: str = ""
    path: str = ""  # dotted key path, '' for file-level findings
    waived: str | None = None  # the reason, when an inline comment or waiver file accepts it

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"
