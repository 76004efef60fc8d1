"""The one parse: YAML text to a light node tree with exact character spans.

Every reader of a YAML file in this project goes through ``parse_nodes``. The nodes keep what the
parser said and nothing more (kind, value, style, tag, anchor, where they start and end), so the
same tree serves both jobs: ``jackson`` turns it into the values Optimize holds, and merge's
editor splices text at its spans. Building it from events with an explicit stack means no
recursion, so a hostile file can be deep only up to ``MAX_DEPTH`` and never crash the process.

Events come from ruamel's own parser, which follows the same YAML 1.1 grammar as SnakeYAML, or,
faster, from libyaml (``ruamel.yaml.clib``) where it reads the text the same way: libyaml reads
tabs, a byte order mark after the start and the NEL/LS/PS line breaks differently, so such text
never goes to it, and text it refuses (it rejects ``[a:b]``, which SnakeYAML reads) is parsed
again by ruamel's parser, which then decides. The choice changes only speed, never the tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from hardener.errors import ConfigSyntaxError

MAX_DEPTH = 64
"""Deepest nesting of maps and lists we accept; Optimize's own config is 7 levels deep."""

TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"
RECURSIVE = "an alias refers to a block that contains it; a configuration cannot be recursive"
SEVERAL_DOCUMENTS = "several YAML documents in one file; Optimize reads only the first"

_NULL_WORDS = frozenset(["", "~", "null", "Null", "NULL"])
_LIBYAML_DIFFERS = re.compile("[\t\x85\u2028\u2029\ufeff]")


class Node:
    """One YAML node. Block collections get their real end computed by the editor: the parser's
    block-end mark points at the next token, past any comments and blank lines."""

    __slots__ = (
        "kind",
        "start",
        "end",
        "line",
        "col",
        "anchor",
        "tag",
        "style",
        "flow",
        "value",
        "items",
        "depth",
        "key_col",
        "target",
        "alias_line",
    )

    def __init__(self, kind: str, event: Any, depth: int) -> None:
        mark = event.start_mark
        self.kind = kind  # "scalar", "alias", "map" or "seq"
        self.start: int = mark.index
        self.end: int = event.end_mark.index
        self.line: int = mark.line  # 0-based
        self.col: int = mark.column
        self.anchor: str | None = event.anchor
        self.tag: str | None = getattr(event, "tag", None)
        self.style: str | None = getattr(event, "style", None) or None  # libyaml: "" = plain
        self.flow: bool = bool(getattr(event, "flow_style", False))
        self.value: str = getattr(event, "value", None) or ""
        self.items: list[Any] = []  # map: [key, value] pairs; seq: nodes
        self.depth = depth
        self.key_col: int | None = None  # column of the key this collection is the value of
        self.target: Node | None = None  # for aliases: the anchored node
        self.alias_line: int | None = None  # first line (0-based) of an alias to this node

    @property
    def is_block_collection(self) -> bool:
        return self.kind in ("map", "seq") and not self.flow

    @property
    def plain(self) -> bool:
        """A plain (unquoted, non-block) scalar, the only kind whose type is implicit."""
        return self.kind == "scalar" and self.style is None

    @property
    def is_null(self) -> bool:
        """A plain null scalar (``key:``, ``~``, ``null``) without tag or anchor."""
        return self.plain and self.tag is None and self.anchor is None and self.value in _NULL_WORDS

    @property
    def position(self) -> tuple[int, int]:
        """1-based (line, column)."""
        return self.line + 1, self.col + 1


@dataclass
class NodeTree:
    """The first document of a text: its root node (None when empty) and how it ended."""

    root: Node | None
    explicit_end: bool
    directives: bool  # a %YAML or %TAG directive


def parse_nodes(text: str, name: str, *, first_only: bool = False) -> NodeTree:
    """Parse ``text`` into nodes; any problem is a ConfigSyntaxError with file:line:column.

    With ``first_only`` the parse stops once the first root value is complete, as Jackson does.
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        if _fast_parser_reads(text):
            try:
                return _Builder(name, first_only).build(_libyaml_events(text))
            except YAMLError:
                pass  # libyaml refuses some text SnakeYAML reads (``[a:b]``): ask the other
        return _Builder(name, first_only).build(_pure_events(text))
    except MarkedYAMLError as exc:
        raise _translate(exc, name) from None
    except YAMLError as exc:
        raise ConfigSyntaxError(f"invalid YAML: {_first_line(str(exc))}", file=name) from None
    except AssertionError:  # ruamel's scanner on a few odd comment layouts
        raise ConfigSyntaxError(
            "invalid YAML: the parser could not read this file", file=name
        ) from None


def _fast_parser_reads(text: str) -> bool:
    """libyaml is there and reads ``text`` as SnakeYAML does (no tab, inner BOM, NEL, LS, PS)."""
    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # noqa: F401
    except ImportError:
        return False
    return _LIBYAML_DIFFERS.search(text) is None


def _libyaml_events(text: str) -> Iterator[Any]:
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported C class

    parser = CParser(text)
    while True:
        event = parser.get_event()
        yield event
        if type(event).__name__ == "StreamEndEvent":
            return


def _pure_events(text: str) -> Iterator[Any]:
    from ruamel.yaml import YAML

    yield from YAML(typ="safe", pure=True).parse(text)


def _translate(exc: Any, name: str) -> ConfigSyntaxError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    return ConfigSyntaxError(
        f"invalid YAML: {_first_line(problem)}{_context_note(exc)}",
        file=name,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "invalid YAML"


def _context_note(exc: Any) -> str:
    """Where the construct that failed began: an unclosed quote or bracket is found only at the
    end of the file, so the reported position alone would not show which one it was."""
    context, mark, problem_mark = exc.context, exc.context_mark, exc.problem_mark
    if not (exc.problem and context and mark and problem_mark):
        return ""
    if (
        not context.startswith(("while scanning", "while parsing"))
        or mark.line == problem_mark.line
    ):
        return ""
    return f" ({context} that starts at {mark.line + 1}:{mark.column + 1})"


_KINDS = {
    "ScalarEvent": "scalar",
    "AliasEvent": "alias",
    "MappingStartEvent": "map",
    "SequenceStartEvent": "seq",
}


class _Builder:
    """Turns the event stream into ``Node``s with a stack; aliases keep their own spans."""

    def __init__(self, name: str, first_only: bool = False) -> None:
        self.name = name
        self.first_only = first_only
        self.stack: list[list[Any]] = []  # [collection node, pending key node or None]
        self.anchors: dict[str, Node] = {}
        self.root: Node | None = None
        self.documents = 0
        self.directives = False

    def build(self, events: Iterator[Any]) -> NodeTree:
        explicit_end = False
        for event in events:
            kind = type(event).__name__
            if kind == "DocumentStartEvent":
                self.documents += 1
                if self.documents > 1:
                    raise self._error(SEVERAL_DOCUMENTS, event, column=False)
                self.directives = bool(event.version or event.tags)
            elif kind == "DocumentEndEvent":
                explicit_end = bool(getattr(event, "explicit", False))
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                node = self.stack.pop()[0]
                if node.flow:
                    node.end = event.end_mark.index
            elif kind in _KINDS:
                self._node(_KINDS[kind], event)
            if self.first_only and self.root is not None and not self.stack:
                break
        return NodeTree(self.root, explicit_end, self.directives)

    def _node(self, kind: str, event: Any) -> None:
        node = Node(kind, event, len(self.stack))
        if kind == "alias":
            self._link_alias(node, event)
        elif node.anchor is not None:
            self.anchors[node.anchor] = node
        self._attach(node)
        if kind in ("map", "seq"):
            if len(self.stack) >= MAX_DEPTH:
                raise self._error(TOO_DEEP, event)
            self.stack.append([node, None])

    def _link_alias(self, node: Node, event: Any) -> None:
        target = self.anchors.get(event.anchor)
        if target is None:
            raise self._error(f"alias *{event.anchor} refers to an undefined anchor", event)
        if any(frame[0] is target for frame in self.stack):
            raise self._error(RECURSIVE, event)
        node.target = target
        if target.alias_line is None:
            target.alias_line = node.line

    def _attach(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        frame = self.stack[-1]
        parent: Node = frame[0]
        if parent.kind == "seq":
            parent.items.append(node)
        elif frame[1] is None:
            frame[1] = node
        else:
            key: Node = frame[1]
            parent.items.append([key, node])
            frame[1] = None
            if node.kind in ("map", "seq"):
                node.key_col = key.col

    def _error(self, message: str, event: Any, *, column: bool = True) -> ConfigSyntaxError:
        mark = event.start_mark
        return ConfigSyntaxError(
            message,
            file=self.name,
            line=mark.line + 1,
            column=mark.column + 1 if column else None,
        )
