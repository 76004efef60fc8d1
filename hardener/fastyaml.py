"""A fast loader for the plain YAML that data files and generated configs are made of.

``load_simple`` builds dicts, lists and scalars straight from the parser's events (libyaml where
installed), with YAML 1.1 scalar rules like the safe loader in ``yamlio``. It handles the common
subset exactly and declines everything else by returning ``None``: anchors and aliases, tags,
directives, several documents, a root that is not a mapping, keys that are collections,
duplicate keys, nesting deeper than ``MAX_DEPTH``, plain scalars that might be numbers other
than plain decimal integers or timestamps, merge keys, invalid YAML, and text that libyaml
reads differently from ruamel's own parser. Callers then use the full loader, which gives the
precise answer or error. A test holds both loaders to the same result.

What it accepts holds no alias, so no expansion bomb and no recursion; its depth is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hardener.limits import MAX_DEPTH

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
# First characters with which a YAML 1.1 plain scalar may be a number, a timestamp, a merge or
# value key, or a YAML marker: only these need more than the word tables above.
_SPECIAL_START = frozenset("-+0123456789.<=!&*")
_DECIMAL = re.compile(r"-?[1-9][0-9]*|0")
_LIBYAML_DIFFERS = re.compile("[\t\x85\u2028\u2029\ufeff]")
_DECLINE = object()
_NO_KEY = object()


def libyaml_reads_like_ruamel(text: str) -> bool:
    """False where libyaml and ruamel's own parser (like SnakeYAML) read ``text`` differently.

    The known cases: a byte order mark after the start, which libyaml skips and the others read
    as text (``\ufeff    c: 1`` is a top-level key to them); tabs, which libyaml accepts in more
    places (``a:\t`` is an error to them); and the line breaks other than CR and LF (NEL, LS,
    PS), which they nest differently. Callers then take the precise path.
    """
    return _LIBYAML_DIFFERS.search(text) is None


def load_simple(text: str) -> dict[Any, Any] | None:
    """The mapping ``text`` holds, or ``None`` when it is not in the subset handled here."""
    from ruamel.yaml.error import YAMLError

    if not libyaml_reads_like_ruamel(text):
        return None

    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]  # re-exported C class
    except ImportError:  # no libyaml here: ruamel's own parser, slower but the same events
        from ruamel.yaml import YAML

        next_event = iter(YAML(typ="safe").parse(text)).__next__
    else:
        next_event = CParser(text).get_event
    try:
        return _build(next_event)
    except (YAMLError, ValueError, TypeError):
        return None


def _build(next_event: Callable[[], Any]) -> dict[Any, Any] | None:
    from ruamel.yaml.events import (
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        StreamStartEvent,
    )

    root: Any = None
    documents = 0
    # Open collections; for a mapping, the key whose value comes next (or _NO_KEY).
    stack: list[list[Any]] = []
    while True:
        event = next_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                return None
            value = _scalar(event.value) if event.implicit[0] else event.value
            if value is _DECLINE:
                return None
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None or len(stack) >= MAX_DEPTH:
                return None
            value = {} if kind is MappingStartEvent else []
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            stack.pop()
            continue
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1 or event.version is not None or event.tags:
                return None
            continue
        elif kind is StreamStartEvent or kind is DocumentEndEvent:
            continue
        elif kind is StreamEndEvent:
            break
        else:  # an alias, or an event this loader does not know
            return None
        if not stack:
            root = value
        else:
            frame = stack[-1]
            container = frame[0]
            if type(container) is list:
                container.append(value)
            elif frame[1] is _NO_KEY:
                if type(value) is dict or type(value) is list or value in container:
                    return None  # a collection as a key, or a duplicate key
                frame[1] = value
            else:
                container[frame[1]] = value
                frame[1] = _NO_KEY
        if type(value) is dict or type(value) is list:
            stack.append([value, _NO_KEY])
    if root is None:
        return {}
    return root if type(root) is dict else None


def _scalar(value: str) -> Any:
    """A plain scalar's value under YAML 1.1, or _DECLINE where this loader does not decide."""
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if value[0] in _SPECIAL_START:
        if _DECIMAL.fullmatch(value):
            return int(value)
        return _DECLINE
    return value
