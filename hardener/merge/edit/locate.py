"""Locating each edit in the node tree: a replacement of an existing value, or keys to insert
under an existing mapping, null value or empty document; refusals name the line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hardener.errors import MergeError
from hardener.merge.edit.edits import Edit
from hardener.merge.edit.geometry import Text, path_text
from hardener.yaml import DocPath, SourceText
from hardener.yaml.nodes import Node, NodeTree


@dataclass
class Replace:
    index: int
    node: Node
    parent: Node | None
    key: Node | None  # set when the parent is a mapping
    position: int  # in a sequence


@dataclass
class Group:
    """New keys to add under one existing container (mapping, null value or empty document)."""

    kind: Literal["map", "null", "root"]
    node: Node | None  # the mapping, or the null value
    key: Node | None = None  # the key of the null value
    parent: Node | None = None  # the mapping holding the key of the null value
    tree: dict[str, Any] = field(default_factory=dict)  # nested dict; leaves are edit indexes


@dataclass
class Splice:
    start: int
    end: int
    text: str
    depth: int  # zero-length splices at one offset: deeper containers first
    owner: int  # edit index (the first one for grouped insertions)
    markers: list[tuple[int, int]] = field(default_factory=list)  # (edit index, offset in text)


class Locator:
    """Resolves edits against the tree and turns them into non-overlapping splices."""

    def __init__(self, source: SourceText, tree: NodeTree, edits: Sequence[Edit]) -> None:
        self.source = source
        self.geo = Text(source.text)
        self.tree = tree
        self.edits = edits
        self.replaces: list[Replace] = []
        self.groups: dict[int, Group] = {}
        self._dominant: int | None = None
        self._keys: dict[int, dict[str, list[list[Node]]]] = {}  # per mapping: key -> pairs

    def fail(self, message: str, node: Node | None = None) -> MergeError:
        """A MergeError that points at ``node``'s line, so users can find the spot."""
        line = node.line + 1 if node is not None else None
        return MergeError(message, file=self.source.name, line=line)

    # ---- resolution ------------------------------------------------------------------------

    def resolve(self, index: int) -> None:
        """Walk one edit's path: it ends at an existing value (a replacement) or leaves the
        tree at some mapping, null value or empty document (keys to insert there)."""
        path = self.edits[index].path
        node, parent, key, position = self.tree.root, None, None, 0
        for depth, segment in enumerate(path):
            if node is None or (node.is_null and (parent is None or key is not None)):
                self._add_insert(index, depth, node, parent, key)
                return
            self._check_passable(node, path[:depth], index)
            if isinstance(segment, int):
                node, parent, key, position = self._item(node, segment, path[: depth + 1])
                continue
            if node.kind != "map":
                raise self.fail(f"{path_text(path[:depth])} is not a mapping", node)
            pair = self._lookup(node, segment, path, depth)
            if pair is None:
                self._add_insert(index, depth, node, None, None)
                return
            parent, (key, node) = node, pair
        assert node is not None
        self._check_target(node, path)
        self.replaces.append(Replace(index, node, parent, key, position))

    def _check_passable(self, node: Node, prefix: DocPath, index: int) -> None:
        """Refuse to edit inside an alias or inside an anchored node other nodes alias."""
        path = self.edits[index].path
        if node.kind == "alias":
            anchor = node.target.anchor if node.target else ""
            raise self.fail(
                f"cannot change {path_text(path)}: {path_text(prefix)} is an alias "
                f"(*{anchor}), which Optimize reads as the text {anchor!r}, not as the "
                "anchored block; write the block out in place of the alias",
                node,
            )
        self._check_shared(node, path)

    def _check_shared(self, node: Node, path: DocPath, *, target: bool = False) -> None:
        if node.anchor is not None and node.alias_line is not None:
            where = "is the" if target else "is inside the"
            raise self.fail(
                f"cannot change {path_text(path)}: it {where} anchored value &{node.anchor}, "
                f"which the alias at line {node.alias_line + 1} names; an edit could remove "
                "the anchor (to Optimize that alias is the text, not this value)",
                node,
            )

    def _check_target(self, node: Node, path: DocPath) -> None:
        if node.kind != "alias":
            self._check_shared(node, path, target=True)

    def _item(self, node: Node, position: int, prefix: DocPath) -> tuple[Node, Node, None, int]:
        if node.kind != "seq":
            raise self.fail(f"{path_text(prefix[:-1])} is not a list", node)
        if not 0 <= position < len(node.items):
            raise self.fail(
                f"cannot insert into a list: {path_text(prefix)} does not exist "
                f"(the list has {len(node.items)} items)",
                node,
            )
        return node.items[position], node, None, position

    def _lookup(
        self, mapping: Node, name: str, path: DocPath, depth: int
    ) -> tuple[Node, Node] | None:
        found = self._pairs(mapping).get(name, [])
        if len(found) > 1:
            raise self.fail(f"duplicate key {name!r} in {path_text(path[:depth])}", found[1][0])
        if found:
            return found[0][0], found[0][1]
        return None

    def _pairs(self, mapping: Node) -> dict[str, list[list[Node]]]:
        """Key name -> pairs of one mapping, built once: lookups stay O(1) on huge mappings."""
        index = self._keys.get(id(mapping))
        if index is None:
            index = {}
            for pair in mapping.items:
                key = pair[0]
                if key.kind == "scalar" and is_key(key, key.value):
                    index.setdefault(key.value, []).append(pair)
            self._keys[id(mapping)] = index
        return index

    def _add_insert(
        self,
        index: int,
        depth: int,
        node: Node | None,
        parent: Node | None,
        key: Node | None,
    ) -> None:
        path = self.edits[index].path
        rest = path[depth:]
        if any(isinstance(segment, int) for segment in rest):
            raise self.fail(f"cannot insert into a list: {path_text(path)} does not exist", node)
        group = self._group_for(node, parent, key, path[:depth])
        tree_add(group.tree, [str(s) for s in rest], index, self.fail, path)

    def _group_for(
        self, node: Node | None, parent: Node | None, key: Node | None, prefix: DocPath
    ) -> Group:
        ident = id(node) if node is not None else 0
        if ident in self.groups:
            return self.groups[ident]
        if node is None or (node.is_null and parent is None):
            group = Group("root", node)
        elif node.kind == "map":
            group = Group("map", node)
        elif parent is not None and key is not None:
            group = Group("null", node, key, parent)
        else:
            raise self.fail(f"cannot add keys under the empty value {path_text(prefix)}", node)
        self.groups[ident] = group
        return group

    # ---- geometry ----------------------------------------------------------------------------

    def content_end(self, node: Node) -> int:
        """Offset just past the last character that belongs to ``node``'s value.

        Block collections end where their last descendant ends, not where the parser's block-end
        mark says: that mark points at the next token, past comments and blank lines.
        """
        while node.is_block_collection and node.items:
            if node.kind == "map":
                key, value = node.items[-1]
                if is_empty(value):
                    return self.colon_end(key, strict=False)
            else:
                value = node.items[-1]
                if is_empty(value):
                    return self.dash_end(node, len(node.items) - 1)
            node = value
        if node.kind == "scalar" and node.style in ("|", ">"):
            return self._block_scalar_end(node)
        return node.end

    def value_end(self, key: Node, value: Node) -> int:
        """Like ``content_end``, but an empty value ends at its key's colon."""
        return self.colon_end(key, strict=False) if is_empty(value) else self.content_end(value)

    def _block_scalar_end(self, node: Node) -> int:
        # The end mark sits at the start of the line after the scalar: step back over its break.
        end, text = node.end, self.geo.text
        if end > node.start and text[end - 1] == "\n":
            end -= 1
            if end > node.start and text[end - 1] == "\r":
                end -= 1
        return end

    def dash_end(self, seq: Node, position: int) -> int:
        """End of the ``-`` indicator of a block sequence item (empty items have no span)."""
        if not seq.flow:
            start = seq.start if position == 0 else self.content_end(seq.items[position - 1])
            end = self.geo.skip_to(start, "-")
            if end is not None:
                return end
        raise self.fail("cannot locate an empty list item in the text", seq)

    def colon_end(self, key: Node, *, strict: bool = True) -> int:
        """End of the ``:`` after ``key``; without ``strict`` fall back to the key's end."""
        end = self.geo.skip_to(key.end, ":")
        if end is not None and self.geo.line_of(end) == self.geo.line_of(key.end):
            return end
        if not strict:
            return key.end
        raise self.fail("unsupported key syntax (a '?' key or a key without ':')", key)

    def dominant_step(self) -> int:
        """The most common positive indentation step from a key to its nested mapping."""
        if self._dominant is None:
            steps: Counter[int] = Counter()
            stack = [self.tree.root] if self.tree.root is not None else []
            while stack:
                node = stack.pop()
                if node.kind == "seq":
                    stack.extend(node.items)
                elif node.kind == "map":
                    for key, value in node.items:
                        if (step := nested_step(key, value)) > 0:
                            steps[step] += 1
                        stack.append(value)
            ranked = sorted(steps.items(), key=lambda item: (-item[1], item[0]))
            self._dominant = ranked[0][0] if ranked else 2
        return self._dominant

    def child_step(self, mapping: Node | None) -> int:
        """Indentation step for a new nested block under ``mapping``'s keys."""
        if mapping is None or mapping.kind != "map" or mapping.flow or not mapping.items:
            return self.dominant_step()
        column: int = mapping.items[0][0].col
        for key, value in mapping.items:
            if (step := nested_step(key, value)) > 0:
                return step
        if mapping.key_col is not None and column > mapping.key_col:
            return column - mapping.key_col
        return self.dominant_step()


def nested_step(key: Node, value: Node) -> int:
    """Indentation from ``key`` to the keys of its block-mapping value (0 if not one)."""
    if value.kind == "map" and not value.flow and value.items:
        first: Node = value.items[0][0]
        return max(first.col - key.col, 0)
    return 0


def is_empty(node: Node) -> bool:
    """An empty scalar without properties: the parser gives it no span of its own."""
    return node.kind == "scalar" and node.start == node.end


def is_key(node: Node, name: str) -> bool:
    """Keys are text to Optimize, ``<<`` included: it merges nothing."""
    return node.kind == "scalar" and node.value == name


def tree_add(
    tree: dict[str, Any],
    keys: list[str],
    index: int,
    fail: Callable[[str], MergeError],
    path: DocPath,
) -> None:
    """Add one new key chain to a group's nested dict, refusing leaf/branch clashes."""
    for name in keys[:-1]:
        branch = tree.setdefault(name, {})
        if not isinstance(branch, dict):
            raise fail(f"conflicting edits: {path_text(path)} needs a mapping where another sets")
        tree = branch
    if keys[-1] in tree:
        raise fail(f"conflicting edits for {path_text(path)}")
    tree[keys[-1]] = index
