"""How deep and how far alias-expanded a configuration may be, so that hostile files stay cheap.

Three shapes make a small file expensive. Deep nesting (``[[[[…`` ten thousand times) overflows
recursive parsers and makes ruamel's pure-Python scanner quadratic; it is refused from the event
stream, which no parser builds recursively, before anything composes a tree. Aliases
("billion laughs": ``a2: [*a1, *a1, …]``) cost nothing to load, because an alias shares its
node, but every walk that follows paths (rules, merge's verification, values files) expands
them; a loaded tree may therefore reach at most ``MAX_ALIASED_VALUES`` values through aliases.
An alias inside its own anchor makes a tree recursive: no walk over it would end, and no
Optimize setting needs one, so it is refused too.
"""

from __future__ import annotations

from typing import Any

from hardener.errors import ConfigSyntaxError

MAX_DEPTH = 64
"""Deepest nesting of maps and lists we accept; Optimize's own config is 7 levels deep."""

MAX_ALIASED_VALUES = 10_000
"""Most values a file may reach through aliases. Optimize's whole config has ~700 keys; a
reused anchored block counts once per alias, so honest anchors stay far below this."""


def check_nesting(text: str, name: str) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH`` and recursive aliases, at their line and column.

    Works on parser events, before any (recursive) composer runs. Invalid YAML stops the scan
    silently: the parser that follows reports it precisely.
    """
    problem = nesting_problem(text)
    if problem is not None:
        message, line, column = problem
        raise ConfigSyntaxError(message, file=name, line=line, column=column)


def nesting_problem(text: str) -> tuple[str, int, int] | None:
    """The first too-deep collection or recursive alias: (message, line, column)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent

    latest: dict[str, int] = {}  # anchor name -> its latest definition (an alias means that one)
    open_now: list[int] = []  # definitions of the collections we are inside
    try:
        for number, event in enumerate(YAML(typ="safe").parse(text)):
            if isinstance(event, AliasEvent):
                if latest.get(event.anchor) in open_now:
                    return _RECURSIVE, *_position(event)
            elif isinstance(event, NodeEvent) and event.anchor is not None:
                latest[event.anchor] = number
            if isinstance(event, CollectionStartEvent):
                open_now.append(number)
                if len(open_now) > MAX_DEPTH:
                    return _TOO_DEEP, *_position(event)
            elif isinstance(event, CollectionEndEvent):
                open_now.pop()
    except YAMLError:
        return None
    return None


def _position(event: Any) -> tuple[int, int]:
    return event.start_mark.line + 1, event.start_mark.column + 1


def check_tree(root: Any, text: str, name: str) -> None:
    """Refuse a loaded tree that is recursive, too deep, or expands too far through aliases.

    Each map or list is entered once per path that reaches it, as any path-following walk
    would; the walk stops as soon as aliases have added ``MAX_ALIASED_VALUES`` values, so a
    bomb costs no more than that. ``text`` places a too-deep block at its line and column.
    """
    budget = MAX_ALIASED_VALUES
    seen: set[int] = set()
    open_now: set[int] = set()  # the collections on the current path
    stack: list[tuple[Any, int, bool] | int] = [(root, 1, False)]
    while stack:
        item = stack.pop()
        if isinstance(item, int):  # leaving a collection
            open_now.discard(item)
            continue
        node, depth, aliased = item
        if aliased:
            budget -= 1
            if budget < 0:
                raise ConfigSyntaxError(_BOMB, file=name)
        if not isinstance(node, dict | list):
            continue
        key = id(node)
        if key in open_now:
            raise ConfigSyntaxError(_RECURSIVE, file=name)
        if depth > MAX_DEPTH:
            check_nesting(text, name)  # places it when the nesting is in the text itself
            raise ConfigSyntaxError(_TOO_DEEP, file=name)
        aliased = aliased or key in seen
        seen.add(key)
        open_now.add(key)
        stack.append(key)
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1, aliased) for child in children)


_BOMB = (
    f"aliases expand to more than {MAX_ALIASED_VALUES} values; a configuration needs far "
    "fewer (an alias bomb?)"
)
_RECURSIVE = "an alias refers to a block that contains it; a configuration cannot be recursive"
_TOO_DEEP = f"nesting deeper than {MAX_DEPTH} levels"
