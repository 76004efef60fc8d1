"""A configuration file as the rules see it: plain values plus the position of every key.

``check`` reads many files, and a round-trip parse (comments, formatting) is the slowest way to
read them. Rules need values and positions only, so a file is composed with the C parser
(``ruamel.yaml.clib``, a dependency) into nodes that carry their line and column, and the values
are constructed from the same nodes with YAML 1.1 rules and duplicate keys refused. Anything
that path objects to (invalid YAML, tags, several documents, a list at the top) is parsed again
by ``yamlio.parse_mapping``, which gives every error the same message and position as the rest
of the tool; a file only that parser accepts is read from its round-trip tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from hardener.catalog import DocPath, lookup
from hardener.errors import ConfigSyntaxError
from hardener.fastyaml import libyaml_reads_like_ruamel
from hardener.limits import check_nesting, check_tree
from hardener.yamlio import (
    SourceText,
    parse_mapping,
    quiet_yaml,
    safe_yaml,
    to_plain,
)

Position = tuple[int, int]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Mark:
    """Where a key and its value start (1-based); an empty value points at its key."""

    key: Position
    value: Position


class Document:
    """Plain values of one file, with the position of every key and list item."""

    def __init__(
        self, source: SourceText, data: dict[Any, Any], marks: dict[DocPath, Mark]
    ) -> None:
        self.name = source.name
        self.text = source.text
        self.plain = data
        self.marks = marks

    @classmethod
    def parse(cls, source: SourceText) -> Document:
        """Read a config; invalid ones raise ConfigSyntaxError with file, line and column."""
        fast = _compose(source)
        if fast is not None:
            return fast
        tree = parse_mapping(source)  # raises the precise error for what the fast path refused
        return cls(source, to_plain(tree), _round_trip_marks(tree))

    @cached_property
    def entries(self) -> tuple[tuple[DocPath, Any], ...]:
        """Every mapping entry and list item, parents before children, in file order."""
        return tuple(_walk(self.plain))

    def lookup(self, path: DocPath) -> tuple[bool, Any]:
        """(present, value) for a concrete path."""
        return lookup(self.plain, path)

    def position(self, path: DocPath, at: str = "key") -> Position:
        """(line, column) of an existing key, or of its value when ``at`` is "value"."""
        mark = self.marks.get(path)
        if mark is None:  # the root, or a key that came in through a merge (<<) or alias
            return self.anchor(path)[1] if path else (1, 1)
        return mark.value if at == "value" else mark.key

    def anchor(self, path: DocPath) -> tuple[DocPath, Position]:
        """The nearest ancestor with a known position (line 1 when there is none)."""
        for end in range(len(path) - 1, 0, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return path[:end], mark.key
        return (), (1, 1)


def _walk(root: Any) -> Iterator[tuple[DocPath, Any]]:
    """Every path, aliases included: a password behind ``security: *creds`` is still found.

    ``limits.check_tree`` has refused recursion and bounded what aliases add before we get here.
    """
    stack: list[tuple[DocPath, Any]] = [((), root)]
    while stack:  # depth first, children in order: file order
        prefix, node = stack.pop()
        if prefix:
            yield prefix, node
        if not isinstance(node, dict | list):
            continue
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend(((*prefix, key), child) for key, child in reversed(list(items)))


# --- the fast path: C parser, nodes with marks -------------------------------------------------


def _compose(source: SourceText) -> Document | None:
    """Values and marks from composed nodes, or None to let the precise parser decide."""
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode

    if not libyaml_reads_like_ruamel(source.text):
        return None  # before check_nesting: parse_mapping runs that scan itself
    check_nesting(source.text, source.name)  # libyaml's composer recurses in C: a crash
    yaml = safe_yaml()  # YAML 1.1 like Optimize's SnakeYAML: yes/no/on/off are booleans
    try:
        with quiet_yaml():
            nodes = list(yaml.compose_all(source.text))
            if not nodes:
                return Document(source, {}, {})
            if len(nodes) > 1 or not isinstance(nodes[0], MappingNode):
                return None
            data = yaml.constructor.construct_document(nodes[0])
            if isinstance(data, dict):  # bounded before marks, whose paths grow with depth
                check_tree(data, source.text, source.name)
            marks = _node_marks(nodes[0], yaml.constructor)
    except (YAMLError, RecursionError, ValueError, TypeError):
        return None
    except ConfigSyntaxError as exc:
        if exc.file is None:  # a constructor's complaint: the precise parser words it
            return None
        raise
    if not isinstance(data, dict):
        return None
    return Document(source, data, marks)


def _node_marks(root: Any, constructor: Any) -> dict[DocPath, Mark]:
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    marks: dict[DocPath, Mark] = {}
    stack: list[tuple[DocPath, Any]] = [((), root)]
    seen: set[int] = set()
    while stack:
        prefix, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                path = (*prefix, _key(key_node, constructor))
                marks[path] = Mark(_at(key_node), _value_at(key_node, value_node))
                stack.append((path, value_node))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                marks[(*prefix, index)] = Mark(_at(item), _at(item))
                stack.append(((*prefix, index), item))
    return marks


def _key(node: Any, constructor: Any) -> Any:
    if node.tag == _STR_TAG:
        return node.value
    return constructor.construct_object(node, deep=True)


def _at(node: Any) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _value_at(key_node: Any, value_node: Any) -> Position:
    from ruamel.yaml.nodes import ScalarNode

    if isinstance(value_node, ScalarNode) and value_node.value == "" and not value_node.style:
        return _at(key_node)  # "key:" with nothing after it
    return _at(value_node)


# --- the fallback: positions from a round-trip tree ---------------------------------------------


def _round_trip_marks(tree: Any) -> dict[DocPath, Mark]:
    marks: dict[DocPath, Mark] = {}
    stack: list[tuple[DocPath, Any]] = [((), tree)]
    seen: set[int] = set()
    while stack:
        prefix, node = stack.pop()
        lc = getattr(node, "lc", None)
        if id(node) in seen or lc is None:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            path = (*prefix, key)
            marks[path] = _rt_mark(node, key, child)
            stack.append((path, child))
    return marks


def _rt_mark(parent: Any, key: Any, child: Any) -> Mark:
    lc = parent.lc  # a ruamel CommentedMap or CommentedSeq
    try:
        if isinstance(parent, dict):
            (kl, kc), (vl, vc) = lc.key(key), lc.value(key)
        else:
            (kl, kc) = (vl, vc) = lc.item(key)
    except (KeyError, IndexError, TypeError):
        return Mark((1, 1), (1, 1))
    key_at = (kl + 1, kc + 1)
    return Mark(key_at, key_at if child is None else (vl + 1, vc + 1))
