"""Nodes to values, the way Optimize's reader (Jackson's YAML tree) holds them.

Jackson reads YAML through SnakeYAML's parser but builds its tree itself, and that tree is not
what a YAML library's loader returns (measured, see ``scalars`` and ``tests/oracle``):

* an alias is the **anchor's name as text**: ``authentication: *engine_auth`` holds the string
  ``"engine_auth"``, not the anchored block;
* ``<<`` is an **ordinary key**: nothing is merged, and the keys under it are not where Optimize
  looks for them;
* keys are always text (``1:``, ``true:`` and ``"1":`` are the same key);
* scalars follow ``scalars.plain_scalar``.

``Config`` is one configuration file read this way, with the position of every key and list item
and the node tree for editing. Data files of our own (profiles, values, waivers, catalogs) are
read the same way by ``load_data``, which also refuses aliases, since an alias there would mean
something its author did not intend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from hardener.errors import ConfigSyntaxError
from hardener.yaml.nodes import Node, NodeTree, parse_nodes
from hardener.yaml.scalars import KNOWN_TAGS, Unreadable, plain_scalar, tagged_scalar
from hardener.yaml.source import SourceText

DocPath = tuple[str | int, ...]
"""A concrete path in a document: map keys (text) and list indexes (int)."""

Position = tuple[int, int]

MERGE_KEY = "<<"


@dataclass(frozen=True)
class Mark:
    """Where a key and its value start (1-based); an empty value points at its key."""

    key: Position
    value: Position


@dataclass
class Config:
    """One configuration file as Optimize's reader holds it, with positions and nodes."""

    source: SourceText
    nodes: NodeTree
    data: dict[str, Any]
    marks: dict[DocPath, Mark]
    aliases: dict[DocPath, str] = field(default_factory=dict)  # path -> anchor name it holds

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def text(self) -> str:
        return self.source.text

    @cached_property
    def entries(self) -> tuple[tuple[DocPath, Any], ...]:
        """Every mapping entry and list item, parents before children, in file order."""
        return tuple(walk(self.data))

    @cached_property
    def merge_keys(self) -> tuple[DocPath, ...]:
        """Paths of ``<<`` keys: Optimize reads them as keys literally named ``<<``."""
        return tuple(path for path, _ in self.entries if path[-1] == MERGE_KEY)

    def lookup(self, path: DocPath) -> tuple[bool, Any]:
        """(present, value) for a concrete path."""
        return lookup(self.data, path)

    def position(self, path: DocPath, at: str = "key") -> Position:
        """(line, column) of an existing key, or of its value when ``at`` is "value"."""
        mark = self.marks.get(path)
        if mark is None:
            return self.anchor(path)[1] if path else (1, 1)
        return mark.value if at == "value" else mark.key

    def anchor(self, path: DocPath) -> tuple[DocPath, Position]:
        """The nearest ancestor with a known position (line 1 when there is none)."""
        for end in range(len(path) - 1, 0, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return path[:end], mark.key
        return (), (1, 1)

    @cached_property
    def _paths_by_id(self) -> dict[int, DocPath]:
        paths: dict[int, DocPath] = {id(self.data): ()}
        paths.update((id(v), path) for path, v in self.entries if isinstance(v, dict | list))
        return paths

    def where(self, container: Any, key: str | int) -> Position | None:
        """Position of ``key`` inside a mapping or list of this file's data, if it is one."""
        path = self._paths_by_id.get(id(container))
        mark = self.marks.get((*path, key)) if path is not None else None
        return mark.key if mark is not None else None

    def line_of(self, path: DocPath) -> int:
        """1-based line of ``path``'s key, or of its nearest existing parent, or 1."""
        return self.position(path)[0]


def read_config(source: SourceText) -> Config:
    """Read a configuration file: one document whose top level is a mapping (or nothing)."""
    tree = parse_nodes(source.text, source.name)
    builder = _Values(source.name)
    root = tree.root
    if root is None or (root.kind == "scalar" and root.is_null):
        return Config(source, tree, {}, {})
    if root.kind != "map":
        kind = "a list" if root.kind == "seq" else "a single value"
        raise ConfigSyntaxError(
            f"the top level is {kind}; an Optimize config must be a mapping of keys",
            file=source.name,
            line=1,
        )
    data = builder.value(root, ())
    return Config(source, tree, data, builder.marks, builder.aliases)


def load_data(source: SourceText) -> dict[str, Any]:
    """Read one of our data files (profile, values, waivers, catalog) into plain values."""
    config = read_config(source)
    if config.aliases:
        path, anchor = next(iter(config.aliases.items()))
        line, column = config.position(path, "value")
        raise ConfigSyntaxError(
            f"an alias (*{anchor}) is not supported in this file; write the value out",
            file=source.name,
            line=line,
            column=column,
        )
    return config.data


def parse_text(text: str, name: str = "<text>") -> dict[str, Any]:
    """The values a YAML text holds for Optimize (for verifying what we wrote)."""
    return read_config(SourceText(name, text)).data


def first_value(text: str, name: str = "<text>") -> Any:
    """The first value of a YAML text, whatever its kind; what follows it is never read (as
    Jackson reads a ``[...]`` text again when Optimize re-reads it as a list)."""
    tree = parse_nodes(text, name, first_only=True)
    return None if tree.root is None else _Values(name).value(tree.root, ())


class _Values:
    """Builds values and marks from nodes. Collections nest at most ``MAX_DEPTH`` levels (the
    parse refused deeper), so the recursion here is bounded."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.marks: dict[DocPath, Mark] = {}
        self.aliases: dict[DocPath, str] = {}

    def value(self, node: Node, path: DocPath) -> Any:
        if node.kind == "alias":
            assert node.target is not None and node.target.anchor is not None
            self.aliases[path] = node.target.anchor
            return node.target.anchor
        if node.kind == "scalar":
            return self._scalar(node)
        self._check_collection_tag(node)
        if node.kind == "seq":
            items = []
            for index, item in enumerate(node.items):
                self.marks[(*path, index)] = Mark(item.position, item.position)
                items.append(self.value(item, (*path, index)))
            return items
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.items:
            key = self._key(key_node)
            if key in mapping:
                raise self._error(
                    "invalid YAML: found duplicate key (values not shown; a key may appear only "
                    "once per mapping)",
                    key_node,
                )
            child = (*path, key)
            self.marks[child] = Mark(key_node.position, _value_position(key_node, value_node))
            mapping[key] = self.value(value_node, child)
        return mapping

    def _scalar(self, node: Node) -> Any:
        tag = node.tag
        self._check_tag(node)
        try:
            if tag == "!" or (tag is None and node.plain):
                return plain_scalar(node.value)
            return node.value if tag is None else tagged_scalar(tag, node.value)
        except Unreadable as problem:
            raise self._error(
                f"Optimize's reader fails on this value ({problem}) and would then ignore the "
                "whole file; quote it or write it as a plain number",
                node,
            ) from None

    def _key(self, node: Node) -> str:
        """Keys are their text to Jackson, whatever their tag or quoting."""
        if node.kind == "alias":
            raise self._error("an alias used as a key; keys must be plain names", node)
        if node.kind != "scalar":
            raise self._error("a list or mapping used as a key; keys must be plain names", node)
        self._check_tag(node)
        return node.value

    def _check_collection_tag(self, node: Node) -> None:
        self._check_tag(node)  # Jackson ignores a collection's tag

    def _check_tag(self, node: Node) -> None:
        """Tags outside the YAML type repository (``!custom``, ``!!python/object``) are refused:
        Optimize would read the text, but no Optimize setting is written that way."""
        if node.tag is not None and node.tag != "!" and node.tag not in KNOWN_TAGS:
            raise self._tag_error(node)

    def _tag_error(self, node: Node) -> ConfigSyntaxError:
        return self._error(f"unsupported YAML tag {node.tag}; only standard tags are allowed", node)

    def _error(self, message: str, node: Node) -> ConfigSyntaxError:
        line, column = node.position
        return ConfigSyntaxError(message, file=self.name, line=line, column=column)


def _value_position(key: Node, value: Node) -> Position:
    if value.kind == "scalar" and value.value == "" and value.style is None:
        return key.position  # "key:" with nothing after it
    return value.position


def walk(root: Any) -> Iterator[tuple[DocPath, Any]]:
    """Every (path, value) below ``root``, parents before children, in file order."""
    stack: list[tuple[DocPath, Any]] = [((), root)]
    while stack:
        prefix, node = stack.pop()
        if prefix:
            yield prefix, node
        if isinstance(node, dict):
            stack.extend(((*prefix, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*prefix, i), v) for i, v in reversed(list(enumerate(node))))


def lookup(tree: Any, path: DocPath) -> tuple[bool, Any]:
    """(present, value) at a concrete path of plain data."""
    node = tree
    for part in path:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and _is_index(part) and 0 <= int(part) < len(node):
            node = node[int(part)]
        else:
            return False, None
    return True, node


def _is_index(part: object) -> bool:
    return isinstance(part, int) and not isinstance(part, bool)
