"""What an edit is (a path and its new YAML text) and what applying one did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hardener.yaml import DocPath


@dataclass(frozen=True)
class Edit:
    """Set ``path`` to the YAML text ``value_text`` (already safe, single line)."""

    path: DocPath
    value_text: str
    comment: str | None = None  # for inserted keys only; without the leading "# "


@dataclass(frozen=True)
class AppliedEdit:
    """What one edit did, so that callers can report it and verify preservation."""

    path: DocPath
    kind: Literal["replaced", "inserted"]
    line: int  # 1-based line of the key in the new text
    old_lines: tuple[int, ...]  # 1-based lines of the old text this edit changed
