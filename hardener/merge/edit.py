"""Edit values in a YAML config by rewriting only the text spans that change.

Loading and dumping a YAML tree re-flows a user's file: it re-indents blocks, drops or moves
comments and re-quotes values. ``merge`` promises that every line it does not change stays
byte-identical, so it edits text instead: the parser's events tell us where each value starts
and ends, and every edit becomes a *splice* (replace ``text[start:end]`` with new text). Splices
never overlap, are applied in one pass, and the result is re-parsed to prove that each edited
path now holds the intended value before any text is returned.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hardener.errors import ConfigSyntaxError, MergeError
from hardener.yaml import SourceText, emit_key
from hardener.yaml.nodes import Node as _Node
from hardener.yaml.nodes import NodeTree as _Tree
from hardener.yaml.nodes import parse_nodes
from hardener.yaml.tree import parse_text

DocPath = tuple[str | int, ...]

# Line breaks that YAML honours but that this module's line arithmetic does not.
_ODD_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


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


# --------------------------------------------------------------------------------------------
# Text geometry
# --------------------------------------------------------------------------------------------


class _Text:
    """The old text plus the position arithmetic every splice needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        start = 0
        while (index := text.find("\n", start)) >= 0:
            start = index + 1
            self.line_starts.append(start)
        first = text.find("\n")
        self.nl = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"

    def line_of(self, pos: int) -> int:
        """0-based line of a character offset."""
        return bisect.bisect_right(self.line_starts, pos) - 1

    def eol(self, pos: int) -> int:
        """Offset of the line break that ends the line holding ``pos`` (or the end of text)."""
        index = self.text.find("\n", pos)
        if index < 0:
            return len(self.text)
        if index > pos and self.text[index - 1] == "\r":
            return index - 1
        return index

    def skip_props(self, pos: int) -> int:
        """End of the anchor/tag tokens starting at ``pos`` (``pos`` itself if there are none)."""
        text, end = self.text, pos
        while pos < len(text) and text[pos] in "&!":
            while pos < len(text) and text[pos] not in " \t\r\n":
                pos += 1
            end = pos
            while pos < len(text) and text[pos] in " \t":
                pos += 1
        return end

    def skip_to(self, pos: int, char: str) -> int | None:
        """Offset just past ``char``, skipping blanks, comments and properties; None if absent."""
        text = self.text
        while pos < len(text):
            current = text[pos]
            if current in " \t\r\n":
                pos += 1
            elif current == "#":
                pos = self.eol(pos)
            elif current in "&!" and char == "-":
                pos = self.skip_props(pos)
            else:
                return pos + 1 if current == char else None
        return None


# --------------------------------------------------------------------------------------------
# Planning: resolve each edit to a replacement or an insertion
# --------------------------------------------------------------------------------------------


@dataclass
class _Replace:
    index: int
    node: _Node
    parent: _Node | None
    key: _Node | None  # set when the parent is a mapping
    position: int  # in a sequence


@dataclass
class _Group:
    """New keys to add under one existing container (mapping, null value or empty document)."""

    kind: Literal["map", "null", "root"]
    node: _Node | None  # the mapping, or the null value
    key: _Node | None = None  # the key of the null value
    parent: _Node | None = None  # the mapping holding the key of the null value
    tree: dict[str, Any] = field(default_factory=dict)  # nested dict; leaves are edit indexes


@dataclass
class _Splice:
    start: int
    end: int
    text: str
    depth: int  # zero-length splices at one offset: deeper containers first
    owner: int  # edit index (the first one for grouped insertions)
    markers: list[tuple[int, int]] = field(default_factory=list)  # (edit index, offset in text)


def _path_text(path: DocPath) -> str:
    out = ""
    for segment in path:
        out += f"[{segment}]" if isinstance(segment, int) else ("." if out else "") + segment
    return out or "<root>"


class _Planner:
    """Resolves edits against the tree and turns them into non-overlapping splices."""

    def __init__(self, source: SourceText, tree: _Tree, edits: Sequence[Edit]) -> None:
        self.source = source
        self.geo = _Text(source.text)
        self.tree = tree
        self.edits = edits
        self.replaces: list[_Replace] = []
        self.groups: dict[int, _Group] = {}
        self._dominant: int | None = None
        self._keys: dict[int, dict[str, list[list[_Node]]]] = {}  # per mapping: key -> pairs

    def fail(self, message: str, node: _Node | None = None) -> MergeError:
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
                raise self.fail(f"{_path_text(path[:depth])} is not a mapping", node)
            pair = self._lookup(node, segment, path, depth)
            if pair is None:
                self._add_insert(index, depth, node, None, None)
                return
            parent, (key, node) = node, pair
        assert node is not None
        self._check_target(node, path)
        self.replaces.append(_Replace(index, node, parent, key, position))

    def _check_passable(self, node: _Node, prefix: DocPath, index: int) -> None:
        """Refuse to edit inside an alias or inside an anchored node other nodes alias."""
        path = self.edits[index].path
        if node.kind == "alias":
            anchor = node.target.anchor if node.target else ""
            raise self.fail(
                f"cannot change {_path_text(path)}: {_path_text(prefix)} is an alias "
                f"(*{anchor}), which Optimize reads as the text {anchor!r}, not as the "
                "anchored block; write the block out in place of the alias",
                node,
            )
        self._check_shared(node, path)

    def _check_shared(self, node: _Node, path: DocPath, *, target: bool = False) -> None:
        if node.anchor is not None and node.alias_line is not None:
            where = "is the" if target else "is inside the"
            raise self.fail(
                f"cannot change {_path_text(path)}: it {where} anchored value &{node.anchor}, "
                f"which the alias at line {node.alias_line + 1} names; an edit could remove "
                "the anchor (to Optimize that alias is the text, not this value)",
                node,
            )

    def _check_target(self, node: _Node, path: DocPath) -> None:
        if node.kind != "alias":
            self._check_shared(node, path, target=True)

    def _item(self, node: _Node, position: int, prefix: DocPath) -> tuple[_Node, _Node, None, int]:
        if node.kind != "seq":
            raise self.fail(f"{_path_text(prefix[:-1])} is not a list", node)
        if not 0 <= position < len(node.items):
            raise self.fail(
                f"cannot insert into a list: {_path_text(prefix)} does not exist "
                f"(the list has {len(node.items)} items)",
                node,
            )
        return node.items[position], node, None, position

    def _lookup(
        self, mapping: _Node, name: str, path: DocPath, depth: int
    ) -> tuple[_Node, _Node] | None:
        found = self._pairs(mapping).get(name, [])
        if len(found) > 1:
            raise self.fail(f"duplicate key {name!r} in {_path_text(path[:depth])}", found[1][0])
        if found:
            return found[0][0], found[0][1]
        return None

    def _pairs(self, mapping: _Node) -> dict[str, list[list[_Node]]]:
        """Key name -> pairs of one mapping, built once: lookups stay O(1) on huge mappings."""
        index = self._keys.get(id(mapping))
        if index is None:
            index = {}
            for pair in mapping.items:
                key = pair[0]
                if key.kind == "scalar" and _is_key(key, key.value):
                    index.setdefault(key.value, []).append(pair)
            self._keys[id(mapping)] = index
        return index

    def _add_insert(
        self,
        index: int,
        depth: int,
        node: _Node | None,
        parent: _Node | None,
        key: _Node | None,
    ) -> None:
        path = self.edits[index].path
        rest = path[depth:]
        if any(isinstance(segment, int) for segment in rest):
            raise self.fail(f"cannot insert into a list: {_path_text(path)} does not exist", node)
        group = self._group_for(node, parent, key, path[:depth])
        _tree_add(group.tree, [str(s) for s in rest], index, self.fail, path)

    def _group_for(
        self, node: _Node | None, parent: _Node | None, key: _Node | None, prefix: DocPath
    ) -> _Group:
        ident = id(node) if node is not None else 0
        if ident in self.groups:
            return self.groups[ident]
        if node is None or (node.is_null and parent is None):
            group = _Group("root", node)
        elif node.kind == "map":
            group = _Group("map", node)
        elif parent is not None and key is not None:
            group = _Group("null", node, key, parent)
        else:
            raise self.fail(f"cannot add keys under the empty value {_path_text(prefix)}", node)
        self.groups[ident] = group
        return group

    # ---- geometry ----------------------------------------------------------------------------

    def content_end(self, node: _Node) -> int:
        """Offset just past the last character that belongs to ``node``'s value.

        Block collections end where their last descendant ends, not where the parser's block-end
        mark says: that mark points at the next token, past comments and blank lines.
        """
        while node.is_block_collection and node.items:
            if node.kind == "map":
                key, value = node.items[-1]
                if _is_empty(value):
                    return self.colon_end(key, strict=False)
            else:
                value = node.items[-1]
                if _is_empty(value):
                    return self.dash_end(node, len(node.items) - 1)
            node = value
        if node.kind == "scalar" and node.style in ("|", ">"):
            return self._block_scalar_end(node)
        return node.end

    def value_end(self, key: _Node, value: _Node) -> int:
        """Like ``content_end``, but an empty value ends at its key's colon."""
        return self.colon_end(key, strict=False) if _is_empty(value) else self.content_end(value)

    def _block_scalar_end(self, node: _Node) -> int:
        # The end mark sits at the start of the line after the scalar: step back over its break.
        end, text = node.end, self.geo.text
        if end > node.start and text[end - 1] == "\n":
            end -= 1
            if end > node.start and text[end - 1] == "\r":
                end -= 1
        return end

    def dash_end(self, seq: _Node, position: int) -> int:
        """End of the ``-`` indicator of a block sequence item (empty items have no span)."""
        if not seq.flow:
            start = seq.start if position == 0 else self.content_end(seq.items[position - 1])
            end = self.geo.skip_to(start, "-")
            if end is not None:
                return end
        raise self.fail("cannot locate an empty list item in the text", seq)

    def colon_end(self, key: _Node, *, strict: bool = True) -> int:
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
                        if (step := _nested_step(key, value)) > 0:
                            steps[step] += 1
                        stack.append(value)
            ranked = sorted(steps.items(), key=lambda item: (-item[1], item[0]))
            self._dominant = ranked[0][0] if ranked else 2
        return self._dominant

    def child_step(self, mapping: _Node | None) -> int:
        """Indentation step for a new nested block under ``mapping``'s keys."""
        if mapping is None or mapping.kind != "map" or mapping.flow or not mapping.items:
            return self.dominant_step()
        column: int = mapping.items[0][0].col
        for key, value in mapping.items:
            if (step := _nested_step(key, value)) > 0:
                return step
        if mapping.key_col is not None and column > mapping.key_col:
            return column - mapping.key_col
        return self.dominant_step()


def _nested_step(key: _Node, value: _Node) -> int:
    """Indentation from ``key`` to the keys of its block-mapping value (0 if not one)."""
    if value.kind == "map" and not value.flow and value.items:
        first: _Node = value.items[0][0]
        return max(first.col - key.col, 0)
    return 0


def _is_empty(node: _Node) -> bool:
    """An empty scalar without properties: the parser gives it no span of its own."""
    return node.kind == "scalar" and node.start == node.end


def _is_key(node: _Node, name: str) -> bool:
    """Keys are text to Optimize, ``<<`` included: it merges nothing."""
    return node.kind == "scalar" and node.value == name


def _tree_add(
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
            raise fail(f"conflicting edits: {_path_text(path)} needs a mapping where another sets")
        tree = branch
    if keys[-1] in tree:
        raise fail(f"conflicting edits for {_path_text(path)}")
    tree[keys[-1]] = index


# --------------------------------------------------------------------------------------------
# Splices
# --------------------------------------------------------------------------------------------


class _Splicer(_Planner):
    """Turns resolved edits into splices: the only text this module ever changes."""

    def splices(self) -> list[_Splice]:
        out: list[_Splice] = []
        for replace in self.replaces:
            out.extend(self._replace_splices(replace))
        for group in self.groups.values():
            out.extend(self._group_splices(group))
        out = [s for s in out if s.start != s.end or s.text]
        out.extend(self._chomping_fix(out))
        out.sort(key=lambda s: (s.start, s.end, -s.depth, s.owner))
        for before, after in zip(out, out[1:], strict=False):
            if after.start < before.end:
                first = _path_text(self.edits[before.owner].path)
                second = _path_text(self.edits[after.owner].path)
                raise self.fail(f"conflicting edits: {first} and {second} overlap")
        return out

    # ---- replacing an existing value -----------------------------------------------------

    def _replace_splices(self, rep: _Replace) -> list[_Splice]:
        node, text = rep.node, self.edits[rep.index].value_text

        def splice(start: int, end: int, new: str) -> _Splice:
            return _Splice(start, end, new, node.depth, rep.index)

        if node.kind == "alias":
            return [splice(node.start, node.end, text)]
        text = (f"&{node.anchor} " if node.anchor else "") + text
        if _is_empty(node):
            at = self._value_indicator(rep)
            return [splice(at, at, " " + text)]
        if node.kind == "scalar" and node.style in ("|", ">"):
            head_end = self._block_header_end(node)
            body_start = self.geo.eol(head_end)
            body_end = self._block_scalar_end(node)
            return [splice(node.start, head_end, text), splice(body_start, body_end, "")]
        if not node.is_block_collection:
            return [splice(node.start, node.end, text)]
        if rep.key is None:
            return [splice(node.start, self.content_end(node), text)]
        return self._replace_block_collection(rep, text, splice)

    def _replace_block_collection(
        self, rep: _Replace, text: str, splice: Callable[[int, int, str], _Splice]
    ) -> list[_Splice]:
        """Put the new value after the key's colon and drop the block's lines below it."""
        node, key = rep.node, rep.key
        assert key is not None
        end = self.geo.eol(self.content_end(node))
        if node.line == key.line:  # properties (anchor, tag) after the colon
            props_end = self.geo.skip_props(node.start)
            if props_end == node.start:
                raise self.fail("unsupported layout of a block value", node)
            head = splice(node.start, props_end, text)
        else:
            colon = self.colon_end(key)
            head = splice(colon, colon, " " + text)
        return [head, splice(self.geo.eol(head.end), end, "")]

    def _value_indicator(self, rep: _Replace) -> int:
        if rep.key is not None:
            return self.colon_end(rep.key)
        if rep.parent is not None and rep.parent.kind == "seq":
            return self.dash_end(rep.parent, rep.position)
        raise self.fail("cannot locate the empty value in the text", rep.node)

    def _block_header_end(self, node: _Node) -> int:
        text = self.geo.text
        pos = self.geo.skip_props(node.start)
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] in "|>":
            pos += 1
            while pos < len(text) and text[pos] in "+-0123456789":
                pos += 1
        return pos

    # ---- inserting new keys --------------------------------------------------------------

    def _group_splices(self, group: _Group) -> list[_Splice]:
        node = group.node
        if group.kind == "map" and node is not None and node.flow:
            return [self._flow_insert(group, node)]
        if group.kind == "root" or node is self.tree.root:
            return [self._root_insert(group)]
        if group.kind == "map" and node is not None:
            column = node.items[0][0].col
            at = self.geo.eol(self.content_end(node))
            return [self._block_insert(group, at, column, self.child_step(node), node.depth)]
        return self._null_insert(group)

    def _block_insert(
        self, group: _Group, at: int, column: int, step: int, depth: int, *, prefix: str = ""
    ) -> _Splice:
        """New lines inserted just before the line break at ``at`` (so that line is untouched)."""
        nl = self.geo.nl
        text = prefix or nl
        markers: list[tuple[int, int]] = []
        for number, (line, index) in enumerate(self._render(group.tree, column, step)):
            if number:
                text += nl
            if index is not None:
                markers.append((index, len(text)))
            text += line
        return _Splice(at, at, text, depth, min(_leaves(group.tree)), markers)

    def _render(self, tree: dict[str, Any], column: int, step: int) -> list[tuple[str, int | None]]:
        lines: list[tuple[str, int | None]] = []
        pad = " " * column
        for name, child in tree.items():
            if isinstance(child, dict):
                lines.append((f"{pad}{emit_key(name)}:", None))
                lines.extend(self._render(child, column + step, step))
                continue
            edit = self.edits[child]
            line = f"{pad}{emit_key(name)}: {edit.value_text}"
            if edit.comment:
                line += f"  # {edit.comment}"
            lines.append((line, child))
        return lines

    def _null_insert(self, group: _Group) -> list[_Splice]:
        """``key:`` (or ``key: ~``) becomes ``key:`` followed by an indented block."""
        node, key, parent = group.node, group.key, group.parent
        assert node is not None and key is not None and parent is not None
        colon = self.colon_end(key)
        if parent.flow:  # "{a: ~}" becomes "{a: {new: 1}}"
            inner = ", ".join(self._render_flow(k, v) for k, v in group.tree.items())
            leaves = _leaves(group.tree)
            markers = [(index, 0) for index in leaves]
            end = colon if _is_empty(node) else node.end
            return [_Splice(colon, end, f" {{{inner}}}", node.depth, min(leaves), markers)]
        step = self.child_step(parent)
        insert = self._block_insert(group, self.geo.eol(colon), key.col + step, step, node.depth)
        if _is_empty(node):
            return [insert]
        return [_Splice(colon, node.end, "", node.depth, insert.owner), insert]

    def _root_insert(self, group: _Group) -> _Splice:
        root = self.tree.root
        if root is not None and root.kind == "map":
            column, step = root.items[0][0].col, self.child_step(root)
            if self.tree.explicit_end:  # keep new keys before a "..." document end marker
                at = self.geo.eol(self.content_end(root))
                return self._block_insert(group, at, column, step, 0)
        elif root is not None and not _is_empty(root):
            raise self.fail("the document holds a bare value, not a mapping of keys", root)
        else:
            column, step = 0, self.dominant_step()
        splice = self._block_insert(group, len(self.geo.text), column, step, 0, prefix="\0")
        head, tail = self._eof_separators()
        if self.geo.text.endswith("\n") and self._trailing_block_scalar(keep_only=True):
            head = ""  # a blank line would become part of the "|+" scalar that ends the file
        splice.text = head + splice.text[1:] + tail
        splice.markers = [(index, offset - 1 + len(head)) for index, offset in splice.markers]
        return splice

    def _trailing_block_scalar(self, *, keep_only: bool = False) -> _Node | None:
        """The block scalar that ends the file, if any (its chomping sees what we append)."""
        node = self.tree.root
        while node is not None and node.is_block_collection and node.items:
            node = node.items[-1][1] if node.kind == "map" else node.items[-1]
        if node is None or node.kind != "scalar" or node.style not in ("|", ">"):
            return None
        if node.end != len(self.geo.text) and not self.geo.text[node.end :].isspace():
            return None
        header = self.geo.text[node.start : self._block_header_end(node)]
        return node if not keep_only or "+" in header else None

    def _chomping_fix(self, splices: list[_Splice]) -> list[_Splice]:
        """Text appended to a file that ends inside a block scalar without a final newline
        gives that scalar a line break it did not have; switching its header to strip
        chomping ("|-") keeps the value exactly as it was."""
        text = self.geo.text
        if not text or text.endswith("\n") or not any(s.start == len(text) for s in splices):
            return []
        node = self._trailing_block_scalar()
        if node is None or any(rep.node is node for rep in self.replaces):
            return []
        indicator = self.geo.skip_props(node.start)
        while text[indicator] in " \t":
            indicator += 1
        end = self._block_header_end(node)
        header = text[indicator + 1 : end].replace("+", "").replace("-", "") + "-"
        owner = next(s.owner for s in splices if s.start == len(text))
        return [_Splice(indicator + 1, end, header, node.depth, owner)]

    def _eof_separators(self) -> tuple[str, str]:
        """Text before and after a block appended at the end: one blank line apart, and the
        file keeps (or keeps lacking) its final newline."""
        text, nl = self.geo.text, self.geo.nl
        if not text:
            return "", nl
        last_break = text.rfind("\n")
        tail = text[last_break + 1 :]
        if tail:  # no final newline: it stays without one
            return (nl if not tail.strip() else nl + nl), ""
        previous = text[text.rfind("\n", 0, last_break) + 1 : last_break]
        return ("" if not previous.strip() else nl), nl

    def _flow_insert(self, group: _Group, node: _Node) -> _Splice:
        """``{a: 1}`` becomes ``{a: 1, new: value}``; comments cannot go inside a flow mapping."""
        entries = [self._render_flow(name, child) for name, child in group.tree.items()]
        if node.items and not _is_empty(node.items[-1][1]):
            key, value = node.items[-1]
            at, text = self.value_end(key, value), ", " + ", ".join(entries)
        elif node.items:  # "{a: }": after the colon would read as "{a:, new: 1}"
            at, text = node.end - 1, ", " + ", ".join(entries)
        else:
            at, text = node.end - 1, ", ".join(entries)
            if self.geo.text[at] != "}":
                raise self.fail("unsupported layout of a flow mapping", node)
        markers = [(index, 0) for index in _leaves(group.tree)]
        return _Splice(at, at, text, node.depth, min(_leaves(group.tree)), markers)

    def _render_flow(self, name: str, child: Any) -> str:
        if isinstance(child, dict):
            inner = ", ".join(self._render_flow(k, v) for k, v in child.items())
            return f"{emit_key(name)}: {{{inner}}}"
        return f"{emit_key(name)}: {self.edits[child].value_text}"

    # ---- reporting -----------------------------------------------------------------------

    def report(self, splices: list[_Splice]) -> list[AppliedEdit]:
        """Where each edit's key ends up, and which old lines each edit changed."""
        geo = self.geo
        starts = [s.start for s in splices]
        shift = [0]
        for s in splices:
            shift.append(shift[-1] + s.text.count("\n") - geo.text.count("\n", s.start, s.end))
        lines: dict[int, int] = {}
        changed: dict[int, set[int]] = {index: set() for index in range(len(self.edits))}
        for number, s in enumerate(splices):
            first = geo.line_of(s.start) + shift[number]
            for index, offset in s.markers:
                lines[index] = first + s.text.count("\n", 0, offset) + 1
            for index in self._owners(s):
                changed[index].update(self._changed_lines(s))
        for rep in self.replaces:
            at = rep.key.start if rep.key is not None else rep.node.start
            lines[rep.index] = geo.line_of(at) + shift[bisect.bisect_left(starts, at)] + 1
        kinds = {rep.index: "replaced" for rep in self.replaces}
        return [
            AppliedEdit(
                path=edit.path,
                kind="replaced" if index in kinds else "inserted",
                line=lines[index],
                old_lines=tuple(sorted(line + 1 for line in changed[index])),
            )
            for index, edit in enumerate(self.edits)
        ]

    def _owners(self, splice: _Splice) -> list[int]:
        if splice.markers:
            return [index for index, _ in splice.markers]
        for group in self.groups.values():
            if splice.owner in _leaves(group.tree):
                return list(_leaves(group.tree))
        return [splice.owner]

    def _changed_lines(self, splice: _Splice) -> range:
        """Old lines (0-based) this splice alters, judged on the lines around it alone.

        Comparing the old and new text of the touched lines (prefix and suffix alignment) also
        catches the subtle cases: a line glued onto another by a deletion, or a last line that
        gains a line break because something is appended after it.
        """
        geo, text = self.geo, self.geo.text
        first, last = geo.line_of(splice.start), geo.line_of(splice.end)
        low = geo.line_starts[first]
        high = geo.line_starts[last + 1] if last + 1 < len(geo.line_starts) else len(text)
        old = text[low:high].splitlines(keepends=True)
        new = (text[low : splice.start] + splice.text + text[splice.end : high]).splitlines(
            keepends=True
        )
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        return range(first + head, first + len(old) - tail)


def _leaves(tree: dict[str, Any]) -> list[int]:
    out: list[int] = []
    for child in tree.values():
        out.extend(_leaves(child) if isinstance(child, dict) else [child])
    return out


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def apply_edits(
    source: SourceText, edits: Sequence[Edit], nodes: _Tree | None = None
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
    planner = _Splicer(source, tree, edits)
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
    _verify(source, new_text, edits)
    return new_text, applied


def _check_edits(source: SourceText, edits: Sequence[Edit]) -> None:
    """Reject malformed edits (a caller bug) and edits that contradict each other."""
    seen: set[DocPath] = set()
    for edit in edits:
        if not edit.path or not all(_valid_segment(s) for s in edit.path):
            raise ValueError(f"invalid edit path {edit.path!r}")
        for text in (edit.value_text, edit.comment or ""):
            if "\n" in text or "\r" in text:
                raise ValueError(f"edit text for {_path_text(edit.path)} spans several lines")
        if edit.path in seen:
            raise MergeError(f"two edits for {_path_text(edit.path)}", file=source.name)
        seen.add(edit.path)
    for edit in edits:
        for cut in range(1, len(edit.path)):
            if edit.path[:cut] in seen:
                raise MergeError(
                    f"conflicting edits: {_path_text(edit.path[:cut])} and {_path_text(edit.path)}",
                    file=source.name,
                )


def _valid_segment(segment: object) -> bool:
    return isinstance(segment, str) or (isinstance(segment, int) and not isinstance(segment, bool))


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------


def _verify(source: SourceText, new_text: str, edits: Sequence[Edit]) -> None:
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
                f"after editing, {_path_text(edit.path)} does not read back as "
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
