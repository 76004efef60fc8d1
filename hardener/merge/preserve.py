"""Prove that an edited config kept every line it was not meant to change.

``merge`` promises byte-identical preservation of everything but the changed values. Instead of
trusting the editor, the result is checked line by line: every old line that no edit claims must
appear unchanged (line ending included), and in the same order, in the new text. New lines may
appear anywhere.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable
from dataclasses import dataclass

#: Above this many differing lines the precise (quadratic worst case) diff is skipped and the
#: problems found by the linear scan are reported as they are.
_PRECISE_DIFF_LIMIT = 4000


@dataclass(frozen=True)
class PreservationProblem:
    """One old line that is missing from, changed in, or moved within the new text."""

    old_line: int  # 1-based
    message: str


def check_preserved(
    old_text: str, new_text: str, allowed_old_lines: Iterable[int]
) -> list[PreservationProblem]:
    """Return the old lines (outside ``allowed_old_lines``) not kept byte-identical and in order.

    The check is a subsequence test, linear in the size of the texts: identical leading and
    trailing lines are matched first, then each remaining required line is matched to its
    earliest occurrence after the previous match (greedy matching finds a subsequence whenever
    one exists). Only when that fails is a precise diff used, to name the right lines.
    """
    allowed = frozenset(allowed_old_lines)
    old = split_lines(old_text)
    new = split_lines(new_text)
    head = _common_prefix(old, new)
    tail = _common_suffix(old, new, head)
    old_mid = old[head : len(old) - tail]
    new_mid = new[head : len(new) - tail]
    required = [
        (head + i + 1, line) for i, line in enumerate(old_mid) if head + i + 1 not in allowed
    ]
    missing = _greedy_missing(required, new_mid)
    if not missing:
        return []
    if len(old_mid) + len(new_mid) <= _PRECISE_DIFF_LIMIT:
        missing = _diff_missing(old_mid, new_mid, head, allowed)
    return [_problem(number, old[number - 1]) for number in missing]


def split_lines(text: str) -> list[str]:
    """Lines ending after each ``\n``, line breaks kept (``\r\n`` stays whole).

    Unlike ``str.splitlines`` this does not split at ``\v``, ``\f``, NEL or U+2028: line numbers
    then agree with editors, ``diff`` and ``textedit``'s ``old_lines``.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _common_prefix(old: list[str], new: list[str]) -> int:
    count = 0
    for left, right in zip(old, new, strict=False):
        if left != right:
            break
        count += 1
    return count


def _common_suffix(old: list[str], new: list[str], head: int) -> int:
    count = 0
    limit = min(len(old), len(new)) - head
    while count < limit and old[-1 - count] == new[-1 - count]:
        count += 1
    return count


def _greedy_missing(required: list[tuple[int, str]], new: list[str]) -> list[int]:
    """Old line numbers that cannot be matched in order; empty iff all of them can."""
    positions: dict[str, list[int]] = {}
    for index, line in enumerate(new):
        positions.setdefault(line, []).append(index)
    cursor = 0
    missing: list[int] = []
    for number, line in required:
        candidates = positions.get(line, [])
        found = bisect.bisect_left(candidates, cursor)
        if found == len(candidates):
            missing.append(number)
        else:
            cursor = candidates[found] + 1
    return missing


def _diff_missing(old: list[str], new: list[str], head: int, allowed: frozenset[int]) -> list[int]:
    """Old line numbers outside the longest common subsequence found by difflib."""
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    kept: set[int] = set()
    for block in matcher.get_matching_blocks():
        kept.update(range(block.a, block.a + block.size))
    return [head + i + 1 for i in range(len(old)) if i not in kept and head + i + 1 not in allowed]


def _problem(number: int, line: str) -> PreservationProblem:
    shown = line.rstrip("\r\n")
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return PreservationProblem(number, f"line {number} was changed, moved or removed: {shown!r}")
