"""Splicing: resolved edits become non-overlapping text replacements, the only text changed."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from hardener.merge.edit.edits import AppliedEdit
from hardener.merge.edit.geometry import path_text
from hardener.merge.edit.locate import Group, Locator, Replace, Splice, is_empty
from hardener.yaml import emit_key
from hardener.yaml.nodes import Node


class Splicer(Locator):
    """Turns resolved edits into splices: the only text this module ever changes."""

    def splices(self) -> list[Splice]:
        out: list[Splice] = []
        for replace in self.replaces:
            out.extend(self._replace_splices(replace))
        for group in self.groups.values():
            out.extend(self._group_splices(group))
        out = [s for s in out if s.start != s.end or s.text]
        out.extend(self._chomping_fix(out))
        out.sort(key=lambda s: (s.start, s.end, -s.depth, s.owner))
        for before, after in zip(out, out[1:], strict=False):
            if after.start < before.end:
                first = path_text(self.edits[before.owner].path)
                second = path_text(self.edits[after.owner].path)
                raise self.fail(f"conflicting edits: {first} and {second} overlap")
        return out

    # ---- replacing an existing value -----------------------------------------------------

    def _replace_splices(self, rep: Replace) -> list[Splice]:
        node, text = rep.node, self.edits[rep.index].value_text

        def splice(start: int, end: int, new: str) -> Splice:
            return Splice(start, end, new, node.depth, rep.index)

        if node.kind == "alias":
            return [splice(node.start, node.end, text)]
        text = (f"&{node.anchor} " if node.anchor else "") + text
        if is_empty(node):
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
        self, rep: Replace, text: str, splice: Callable[[int, int, str], Splice]
    ) -> list[Splice]:
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

    def _value_indicator(self, rep: Replace) -> int:
        if rep.key is not None:
            return self.colon_end(rep.key)
        if rep.parent is not None and rep.parent.kind == "seq":
            return self.dash_end(rep.parent, rep.position)
        raise self.fail("cannot locate the empty value in the text", rep.node)

    def _block_header_end(self, node: Node) -> int:
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

    def _group_splices(self, group: Group) -> list[Splice]:
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
        self, group: Group, at: int, column: int, step: int, depth: int, *, prefix: str = ""
    ) -> Splice:
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
        return Splice(at, at, text, depth, min(_leaves(group.tree)), markers)

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

    def _null_insert(self, group: Group) -> list[Splice]:
        """``key:`` (or ``key: ~``) becomes ``key:`` followed by an indented block."""
        node, key, parent = group.node, group.key, group.parent
        assert node is not None and key is not None and parent is not None
        colon = self.colon_end(key)
        if parent.flow:  # "{a: ~}" becomes "{a: {new: 1}}"
            inner = ", ".join(self._render_flow(k, v) for k, v in group.tree.items())
            leaves = _leaves(group.tree)
            markers = [(index, 0) for index in leaves]
            end = colon if is_empty(node) else node.end
            return [Splice(colon, end, f" {{{inner}}}", node.depth, min(leaves), markers)]
        step = self.child_step(parent)
        insert = self._block_insert(group, self.geo.eol(colon), key.col + step, step, node.depth)
        if is_empty(node):
            return [insert]
        return [Splice(colon, node.end, "", node.depth, insert.owner), insert]

    def _root_insert(self, group: Group) -> Splice:
        root = self.tree.root
        if root is not None and root.kind == "map":
            column, step = root.items[0][0].col, self.child_step(root)
            if self.tree.explicit_end:  # keep new keys before a "..." document end marker
                at = self.geo.eol(self.content_end(root))
                return self._block_insert(group, at, column, step, 0)
        elif root is not None and not is_empty(root):
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

    def _trailing_block_scalar(self, *, keep_only: bool = False) -> Node | None:
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

    def _chomping_fix(self, splices: list[Splice]) -> list[Splice]:
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
        return [Splice(indicator + 1, end, header, node.depth, owner)]

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

    def _flow_insert(self, group: Group, node: Node) -> Splice:
        """``{a: 1}`` becomes ``{a: 1, new: value}``; comments cannot go inside a flow mapping."""
        entries = [self._render_flow(name, child) for name, child in group.tree.items()]
        if node.items and not is_empty(node.items[-1][1]):
            key, value = node.items[-1]
            at, text = self.value_end(key, value), ", " + ", ".join(entries)
        elif node.items:  # "{a: }": after the colon would read as "{a:, new: 1}"
            at, text = node.end - 1, ", " + ", ".join(entries)
        else:
            at, text = node.end - 1, ", ".join(entries)
            if self.geo.text[at] != "}":
                raise self.fail("unsupported layout of a flow mapping", node)
        markers = [(index, 0) for index in _leaves(group.tree)]
        return Splice(at, at, text, node.depth, min(_leaves(group.tree)), markers)

    def _render_flow(self, name: str, child: Any) -> str:
        if isinstance(child, dict):
            inner = ", ".join(self._render_flow(k, v) for k, v in child.items())
            return f"{emit_key(name)}: {{{inner}}}"
        return f"{emit_key(name)}: {self.edits[child].value_text}"

    # ---- reporting -----------------------------------------------------------------------

    def report(self, splices: list[Splice]) -> list[AppliedEdit]:
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

    def _owners(self, splice: Splice) -> list[int]:
        if splice.markers:
            return [index for index, _ in splice.markers]
        for group in self.groups.values():
            if splice.owner in _leaves(group.tree):
                return list(_leaves(group.tree))
        return [splice.owner]

    def _changed_lines(self, splice: Splice) -> range:
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
