"""Edit values in a YAML config by rewriting only the text spans that change.

Loading and dumping a YAML tree re-flows a user's file: it re-indents blocks, drops or moves
comments and re-quotes values. ``merge`` promises that every line it does not change stays
byte-identical, so it edits text instead: the parser's events tell us where each value starts
and ends, and every edit becomes a *splice* (replace ``text[start:end]`` with new text). Splices
never overlap, are applied in one pass, and the result is re-parsed to prove that each edited
path now holds the intended value before any text is returned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from hardener.errors import MergeError
from hardener.merge.edit.edits import AppliedEdit, Edit
from hardener.merge.edit.geometry import path_text
from hardener.merge.edit.splice import Splicer
from hardener.merge.edit.verify import verify
from hardener.yaml import DocPath, SourceText
from hardener.yaml.nodes import NodeTree, parse_nodes

# Line breaks that YAML honours but that this module's line arithmetic does not.
_ODD_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


def apply_edits(
    source: SourceText, edits: Sequence[Edit], nodes: NodeTree | None = None
) -> tuple[str, list[AppliedEdit]]:
    """Apply ``edits`` to ``source.text`` by splicing value spans; verify before returning.

    Raises MergeError when an edit cannot be applied without side effects (shared anchors, list
    insertions, conflicting edits) or when the result does not read back as intended.
    """
    _check_edits(source, edits)
    if not edits:
        return source.text, []
    if (odd := _ODD_BREAK.search(source.text)) is not None:
        line = source.text.count("\n", 0, odd.start()) + 1
        raise MergeError(
            "the file uses CR, NEL, or Unicode line/paragraph separators as line breaks; "
            "merge edits only files with LF or CRLF line endings",
            file=source.name,
            line=line,
        )
    tree = nodes if nodes is not None else parse_nodes(source.text, source.name)
    planner = Splicer(source, tree, edits)
    for index in range(len(edits)):
        planner.resolve(index)
    splices = planner.splices()
    pieces: list[str] = []
    cursor = 0
    for splice in splices:
        pieces.append(source.text[cursor : splice.start])
        pieces.append(splice.text)
        cursor = splice.end
    pieces.append(source.text[cursor:])
    new_text = "".join(pieces)
    applied = planner.report(splices)
    verify(source, new_text, edits)
    return new_text, applied


def _check_edits(source: SourceText, edits: Sequence[Edit]) -> None:
    """Reject malformed edits (a caller bug) and edits that contradict each other."""
    seen: set[DocPath] = set()
    for edit in edits:
        if not edit.path or not all(_valid_segment(s) for s in edit.path):
            raise ValueError(f"invalid edit path {edit.path!r}")
        for text in (edit.value_text, edit.comment or ""):
            if "\n" in text or "\r" in text:
                raise ValueError(f"edit text for {path_text(edit.path)} spans several lines")
        if edit.path in seen:
            raise MergeError(f"two edits for {path_text(edit.path)}", file=source.name)
        seen.add(edit.path)
    for edit in edits:
        for cut in range(1, len(edit.path)):
            if edit.path[:cut] in seen:
                raise MergeError(
                    f"conflicting edits: {path_text(edit.path[:cut])} and {path_text(edit.path)}",
                    file=source.name,
                )


def _valid_segment(segment: object) -> bool:
    return isinstance(segment, str) or (isinstance(segment, int) and not isinstance(segment, bool))


__all__ = ["AppliedEdit", "Edit", "apply_edits"]
