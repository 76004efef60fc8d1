"""How merge reports what it did: text lines or JSON on stderr, and a masked unified diff."""

from __future__ import annotations

import difflib
import json
from typing import Any

from hardener.masking import mask
from hardener.merge.decide import Change, MergeResult

_VERBS = {"added": "added", "replaced": "replaced", "kept": "kept", "waived": "waived"}


def text_report(result: MergeResult) -> str:
    """One line per setting: file:line: action RULE path: old -> new (why)."""
    lines = []
    for change in sorted(result.changes, key=lambda c: (c.line, c.path)):
        lines.append(f"{result.name}:{change.line}: {_describe(change)}")
    summary = _counts(result)
    lines.append(
        f"{result.name}: {summary['added']} added, {summary['replaced']} replaced, "
        f"{summary['kept']} kept, {summary['waived']} waived"
        + ("" if result.changed else " (already hardened; nothing to write)")
    )
    if result.variables:
        lines.append(f"{result.name}: set before starting Optimize: {', '.join(result.variables)}")
    return mask("\n".join(lines) + "\n")  # URL userinfo in old or new values


def _describe(change: Change) -> str:
    head = f"{_VERBS[change.action]} {change.rule} {change.path}"
    if change.action == "replaced":
        head += f": {change.old} -> {change.new}"
    elif change.action == "added":
        head += f": {change.new}"
    elif change.action == "waived":
        head += f" (kept {change.old if change.old is not None else 'absent'}; {change.waiver})"
    if change.variable and change.action != "kept":
        head += f" [set ${{{change.variable}}}]"
    if change.action in ("added", "replaced"):
        head += f" — {change.why}"
    return head


def _counts(result: MergeResult) -> dict[str, int]:
    counts = dict.fromkeys(_VERBS, 0)
    for change in result.changes:
        counts[change.action] += 1
    return counts


def json_report(result: MergeResult) -> str:
    """The report as JSON: {file, changed, summary, variables, changes: [...]}."""
    document: dict[str, Any] = {
        "file": result.name,
        "changed": result.changed,
        "summary": _counts(result),
        "variables": result.variables,
        "changes": [
            {
                "path": c.path,
                "line": c.line,
                "action": c.action,
                "rule_id": c.rule,
                "old": c.old,
                "new": c.new,
                "why": c.why,
                "variable": c.variable,
                "waiver": c.waiver,
            }
            for c in sorted(result.changes, key=lambda c: (c.line, c.path))
        ],
    }
    return mask(json.dumps(document, indent=2) + "\n")  # URL userinfo in old or new values


def masked_diff(result: MergeResult) -> str:
    """A unified diff of the file, with every literal secret of the input masked."""
    old = mask(result.original.decode("utf-8-sig"), result.secrets)
    new = mask(result.merged.decode("utf-8-sig"), result.secrets)
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{result.name} (original)",
        tofile=f"{result.name} (merged)",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in diff)  # fmt: skip
