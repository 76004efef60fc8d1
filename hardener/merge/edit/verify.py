"""Verification: the edited text re-read by the one reader holds exactly the intended values."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hardener.errors import ConfigSyntaxError, MergeError
from hardener.merge.edit.edits import Edit
from hardener.merge.edit.geometry import path_text
from hardener.yaml import DocPath, SourceText
from hardener.yaml.tree import parse_text


def verify(source: SourceText, new_text: str, edits: Sequence[Edit]) -> None:
    """Re-parse the new text and check every edited path holds exactly the intended value."""
    try:
        data = parse_text(new_text, source.name)
    except ConfigSyntaxError as exc:
        raise MergeError(
            f"the edited file would not parse ({exc.message}); nothing was changed",
            file=source.name,
            line=exc.line,
        ) from None
    expected = _parse_values([edit.value_text for edit in edits], source.name)
    for edit, want in zip(edits, expected, strict=True):
        got = _data_at(data, edit.path)
        if got is _MISSING or not _same(got, want):
            raise MergeError(
                f"after editing, {path_text(edit.path)} does not read back as "
                f"{edit.value_text}; nothing was changed",
                file=source.name,
            )


def _parse_values(texts: list[str], name: str) -> list[Any]:
    """What each ``value_text`` means, parsed in one go as items of a block list."""
    document = "v:\n" + "".join(f"  - {text}\n" for text in texts)
    try:
        values = parse_text(document, name).get("v")
    except ConfigSyntaxError:
        values = None
    if not isinstance(values, list) or len(values) != len(texts):
        raise MergeError("an edit value is not a single YAML value", file=name)
    return values


_MISSING = object()


def _data_at(data: Any, path: DocPath) -> Any:
    for segment in path:
        if isinstance(segment, int):
            if not isinstance(data, list) or not 0 <= segment < len(data):
                return _MISSING
            data = data[segment]
            continue
        if not isinstance(data, dict):
            return _MISSING
        if segment in data:
            data = data[segment]
            continue
        matches = [key for key in data if str(key) == segment]
        if not matches:
            return _MISSING
        data = data[matches[0]]
    return data


def _same(left: Any, right: Any) -> bool:
    """Equal values of equal types (``True`` is not ``1``; NaN equals NaN)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return bool(left == right)
