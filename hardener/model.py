"""What Optimize sees: its defaults, the user's file merged over them, placeholders resolved.

Optimize builds its configuration in three steps (``ConfigurationParser``; facts in
``docs/sources.md``):

1. it reads its shipped defaults and then ``environment-config.yaml`` with Jackson's YAML tree
   reader (``hardener.yaml`` reads the same way: aliases are the anchor's name, ``<<`` is a key);
2. it merges the file over the defaults key by key. Where the default is a map, the file's value
   is merged into it whatever it is, so a text, list or null there is silently ignored; only a
   key named ``engines`` replaces the default map whole. Any other default is replaced;
3. it resolves ``${NAME}`` and ``${NAME:default}`` in every text value (never in keys), looking
   the variable up as a Java system property and then in the environment. The pattern is
   searched anywhere in the text, its default part is greedy (it runs to the last ``}`` of the
   line), each match's replacement is applied to the *raw* text, so with several matches only
   the last one survives; a null word as the default makes the whole value null; a variable
   with no default that is not set stops Optimize at startup. Then any text that looks like
   ``[...]`` (quoted in the file or not) is read again as a YAML list, and that list resolved.

Every judgement in this project (generate's verification, merge, check, the header grade, init)
asks this module for a value, so there is one answer to "what would Optimize hold here?".
``Env`` is ``None`` when the environment is unknown (``check``: a variable with a default is
taken as unset, one without a default leaves the value unknown) and a mapping when the caller
knows it (``effective``: a missing variable is an error, as it is for Optimize).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hardener.catalog import ANY_KEY, LIST_ITEM, Catalog, load_catalog
from hardener.errors import ConfigSyntaxError
from hardener.yaml import Config, DocPath, lookup
from hardener.yaml.tree import first_value

Env = Mapping[str, str]
Origin = Literal["default", "file", "unset"]

NULL_WORDS = frozenset({"~", "null", "Null", "NULL"})
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = frozenset("0123456789") | _NAME_START
# Java's '.' stops at these line terminators, so a greedy default never crosses them.
_LINE_BREAKS = "\n\r\x85\u2028\u2029"
_LIST_TEXT = re.compile(r"\[[^\n\r\x85\u2028\u2029]*\]")


class MissingVariable(ConfigSyntaxError):
    """A placeholder without default whose variable is not given: Optimize would not start."""


@dataclass(frozen=True)
class Match:
    """One ``${NAME}`` or ``${NAME:default}`` found in a text, as Java's regex finds it."""

    start: int
    end: int
    name: str
    default: str | None  # None when there is no ``:default`` part

    def text(self, raw: str) -> str:
        return raw[self.start : self.end]

    @property
    def has_null_default(self) -> bool:
        """A default that gives no value while the variable is unset: empty or a null word."""
        return self.default is not None and (self.default == "" or self.default in NULL_WORDS)


def find_placeholders(raw: str) -> list[Match]:
    """Every match of Optimize's pattern, in order, exactly as ``Matcher.find`` reports them.

    Optimize's pattern is ``\\$\\{([a-zA-Z_]+[a-zA-Z0-9_]*)(:(.*))?}``. This scanner gives the
    same matches in linear time: the name runs as far as name characters go, then either ``}``
    follows, or ``:`` and a default that ends at the last ``}`` before the next line break.
    """
    matches: list[Match] = []
    last_brace = _last_brace_per_line(raw)
    pos = raw.find("${")
    while pos >= 0:
        name_end = pos + 2
        if name_end < len(raw) and raw[name_end] in _NAME_START:
            while name_end < len(raw) and raw[name_end] in _NAME_CHARS:
                name_end += 1
            found = _match_at(raw, pos, name_end, last_brace)
            if found is not None:
                matches.append(found)
                pos = raw.find("${", found.end)
                continue
        pos = raw.find("${", pos + 1)
    return matches


def as_placeholder(value: Any) -> Match | None:
    """The placeholder a whole text consists of (``${NAME}`` or ``${NAME:default}``), or None."""
    if not isinstance(value, str):
        return None
    matches = find_placeholders(value)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(value):
        return matches[0]
    return None


def render_placeholder(name: str, default: Any = None, *, with_default: bool = False) -> str:
    """``${NAME}`` or ``${NAME:default}``, the default written the way Optimize reads it back."""
    if not with_default:
        return f"${{{name}}}"
    return str(_shipped_raw(name, default))


def _match_at(raw: str, pos: int, name_end: int, last_brace: list[int]) -> Match | None:
    name = raw[pos + 2 : name_end]
    if name_end < len(raw) and raw[name_end] == ":":
        brace = last_brace[name_end]
        if brace > name_end:
            return Match(pos, brace + 1, name, raw[name_end + 1 : brace])
    if name_end < len(raw) and raw[name_end] == "}":
        return Match(pos, name_end + 1, name, None)
    return None


def _last_brace_per_line(raw: str) -> list[int]:
    """For each offset, the offset of the last ``}`` on its line (-1 when there is none)."""
    result = [-1] * (len(raw) + 1)
    last = -1
    for index in range(len(raw) - 1, -1, -1):
        char = raw[index]
        if char in _LINE_BREAKS:
            last = -1
        elif char == "}" and last < 0:
            last = index
        result[index] = last
    return result


@dataclass(frozen=True)
class Resolved:
    """A text value after Optimize's placeholder resolution.

    ``known`` is False when a variable without default decides the value and the environment is
    unknown. ``literal`` says whether the result holds characters written in a file (around the
    placeholder, or a non-empty default) rather than only a variable's value: a secret must not.
    """

    value: Any
    known: bool
    variables: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # variables without default that were not given
    literal: bool = True
    from_env: tuple[str, ...] = ()  # given variables whose value the result holds

    @property
    def has_placeholder(self) -> bool:
        return bool(self.variables)


def resolve(raw: str, env: Env | None = None) -> Resolved:
    """Resolve ``raw`` as Optimize does; ``env`` None means "variables unknown"."""
    matches = find_placeholders(raw)
    if not matches:
        value, known, inner = _reread(raw, env)
        return Resolved(value, known, missing=inner, literal=raw != "")
    names = tuple(m.name for m in matches)
    missing = tuple(m.name for m in matches if m.default is None and _get(env, m.name) is None)
    last = matches[-1]  # each replacement starts from the raw text: only the last one survives
    given = _get(env, last.name)
    if given is None and last.default is None:
        return Resolved(None, False, names, missing, literal=False)
    replacement = given if given is not None else str(last.default)
    if given is None and replacement in NULL_WORDS:
        return Resolved(None, True, names, missing, literal=False)
    result = raw.replace(last.text(raw), replacement)
    around = result != replacement
    literal = around or (given is None and replacement != "")
    value, known, inner = _reread(result, env)
    from_env = (last.name,) if given is not None else ()
    return Resolved(value, known, names, missing + inner, literal, from_env)


def _get(env: Env | None, name: str) -> str | None:
    return None if env is None else env.get(name)


def _reread(text: str, env: Env | None) -> tuple[Any, bool, tuple[str, ...]]:
    """A text that looks like ``[...]`` is read again as a YAML list (only its first value; a
    text that does not parse stays text), and the list's own texts are resolved in turn: the
    value, whether it is known, and the variables it needs that are missing."""
    if not _LIST_TEXT.fullmatch(text):
        return text, True, ()
    try:
        items = first_value(text)
    except ConfigSyntaxError:
        return text, True, ()
    if not isinstance(items, list):
        return text, True, ()
    return _resolve_all(items, env)


# --------------------------------------------------------------------------------------------
# Defaults, merged view
# --------------------------------------------------------------------------------------------


@functools.cache
def shipped_defaults(target: str) -> Mapping[str, Any]:
    """Optimize's shipped defaults for ``target``, raw (placeholders unresolved), from the
    catalog: a key with a wired variable holds ``${VAR:default}`` as the shipped file does."""
    catalog = load_catalog(target)
    tree: dict[str, Any] = {}
    for pattern, spec in catalog.keys.items():
        if not spec.has_default or spec.type == "map" and spec.default in (None, {}):
            continue
        path = _default_path(catalog, pattern)
        if path is None:
            continue
        _put(tree, path, _shipped_raw(spec.env, spec.default))
    return tree


def _default_path(catalog: Catalog, pattern: str) -> DocPath | None:
    """A catalog pattern's place in the shipped defaults: ``*`` is the default engine's alias
    (the one the catalog wires variables to), ``[]`` the first item; other ``*`` keys have no
    shipped instance."""
    segments = catalog.pattern_segments(pattern)
    path: list[str | int] = []
    for index, segment in enumerate(segments):
        if segment == LIST_ITEM:
            path.append(0)
        elif segment == ANY_KEY:
            alias = catalog.default_alias(segments[:index])
            if alias is None:
                return None
            path.append(alias)
        else:
            path.append(segment)
    return tuple(path)


def _shipped_raw(env: str | None, default: Any) -> Any:
    if env is None:
        return default
    if default is None:
        text = "null"
    elif isinstance(default, bool):
        text = "true" if default else "false"
    elif isinstance(default, list):
        text = "[" + ", ".join(str(item) for item in default) + "]"
    else:
        text = str(default)
    return f"${{{env}:{text}}}"


def _put(tree: dict[str, Any], path: DocPath, value: Any) -> None:
    node: Any = tree
    for part, following in zip(path, (*path[1:], None), strict=True):
        if following is None:
            break
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(node) <= part:
                node.append({} if not isinstance(following, int) else [])
            node = node[part]
        else:
            node = node.setdefault(part, empty)
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def merge_over(defaults: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
    """The file over the defaults, as Optimize merges them (``engines`` replaced whole)."""
    return _merge(defaults, data)


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in over.items():
        default = result.get(key)
        if not isinstance(default, dict) or key == "engines":
            result[key] = value
        elif isinstance(value, dict):
            result[key] = _merge(default, value)
        # else: a text, list or null over a default map is ignored by Optimize
    return result


def ignored_by_merge(defaults: Mapping[str, Any], data: Mapping[str, Any]) -> list[DocPath]:
    """Paths of the file whose value Optimize drops: not a map, where its default is a map."""
    found: list[DocPath] = []
    stack: list[tuple[DocPath, Mapping[str, Any], Mapping[str, Any]]] = [((), defaults, data)]
    while stack:
        prefix, base, over = stack.pop()
        for key, value in over.items():
            default = base.get(key)
            if not isinstance(default, dict) or key == "engines":
                continue
            if isinstance(value, dict):
                stack.append(((*prefix, key), default, value))
            else:
                found.append((*prefix, key))
    return sorted(found)


# --------------------------------------------------------------------------------------------
# The view
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One key as Optimize holds it.

    ``present`` says whether the user's file sets it; ``raw`` is what the file (or, for
    ``origin == "default"``, the shipped defaults) holds before resolution; ``value`` is what
    Optimize ends up with (None when unknown); ``origin`` is where the raw value came from.
    """

    path: DocPath
    present: bool
    raw: Any
    value: Any
    known: bool
    origin: Origin
    resolved: Resolved | None = None  # for text values: how the placeholders resolved
    alias: str | None = None  # the anchor name, when the file holds an alias here

    @property
    def is_placeholder(self) -> bool:
        """The file's value names a variable (the shipped defaults' own do not count)."""
        return self.present and self.resolved is not None and self.resolved.has_placeholder

    @property
    def literal(self) -> bool:
        """The value holds text written in a file, not only a variable's value."""
        if self.resolved is not None:
            return self.resolved.literal
        return self.value is not None and self.value != ""

    @property
    def variables(self) -> tuple[str, ...]:
        return self.resolved.variables if self.resolved is not None else ()


def evaluate(raw: Any, env: Env | None = None, path: DocPath = ()) -> Seen:
    """A value standing alone (a site value, a profile value) as Optimize would hold it."""
    return _seen(path, True, raw, "file", env)


def _seen(path: DocPath, present: bool, raw: Any, origin: Origin, env: Env | None) -> Seen:
    if isinstance(raw, str):
        resolved = resolve(raw, env)
        return Seen(path, present, raw, resolved.value, resolved.known, origin, resolved)
    if isinstance(raw, dict | list):
        value, known, _ = _resolve_all(raw, env)
        return Seen(path, present, raw, value, known, origin)
    return Seen(path, present, raw, raw, True, origin)


def _resolve_all(raw: Any, env: Env | None) -> tuple[Any, bool, tuple[str, ...]]:
    """Every text inside a value resolved: the value, whether all of it is known, and the
    variables it needs that are missing (a list re-read from a variable may name more)."""
    if isinstance(raw, str):
        resolved = resolve(raw, env)
        return resolved.value, resolved.known, resolved.missing
    if isinstance(raw, dict | list):
        items = raw.items() if isinstance(raw, dict) else enumerate(raw)
        parts = {key: _resolve_all(value, env) for key, value in items}
        known = all(part[1] for part in parts.values())
        missing = tuple(name for part in parts.values() for name in part[2])
        values = {key: part[0] for key, part in parts.items()}
        return (values if isinstance(raw, dict) else list(values.values())), known, missing
    return raw, True, ()


class View:
    """What Optimize holds after reading its defaults, one config and the environment."""

    def __init__(
        self, config: Config | Mapping[str, Any] | None, target: str, env: Env | None = None
    ) -> None:
        """``config`` is a file as read, or plain data (which then has no positions)."""
        self.config = config if isinstance(config, Config) else None
        self.target = target
        self.env = env
        if isinstance(config, Config):
            self.data: Mapping[str, Any] = config.data
        else:
            self.data = config or {}
        self.defaults = shipped_defaults(target)
        self.merged = merge_over(self.defaults, self.data)
        self._cache: dict[DocPath, Seen] = {}

    def get(self, path: DocPath) -> Seen:
        """The value at ``path``: from the file, else from the defaults, else unset."""
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        present, raw = lookup(self.data, path)
        if present:
            seen = _seen(path, True, raw, "file", self.env)
            alias = self.config.aliases.get(path) if self.config is not None else None
            if alias is not None:
                seen = Seen(path, True, raw, seen.value, seen.known, "file", seen.resolved, alias)
        else:
            in_defaults, raw = lookup(self.merged, path)
            if in_defaults:
                seen = _seen(path, False, raw, "default", self.env)
            else:
                seen = Seen(path, False, None, None, True, "unset")
        self._cache[path] = seen
        return seen

    def resolved(self) -> dict[str, Any]:
        """The whole configuration as Optimize holds it (for ``effective``).

        With a known environment a placeholder whose variable is missing raises
        ``MissingVariable`` naming it and the line that needs it, as Optimize refuses to start.
        """
        resolved: dict[str, Any] = _resolve_tree(self.merged, (), self)
        return resolved

    def line(self, path: DocPath) -> int | None:
        if self.config is None or not lookup(self.data, path)[0]:
            return None
        return self.config.line_of(path)


def _resolve_tree(node: Any, path: DocPath, view: View) -> Any:
    if isinstance(node, dict):
        return {key: _resolve_tree(value, (*path, key), view) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve_tree(item, (*path, index), view) for index, item in enumerate(node)]
    if not isinstance(node, str):
        return node
    result = resolve(node, view.env)
    if view.env is not None and result.missing:
        line = view.line(path)
        file = view.config.name if view.config is not None and line else "(Optimize defaults)"
        raise MissingVariable(
            f"${{{result.missing[0]}}} has no default and is not set; Optimize would not start",
            file=file,
            line=line,
        )
    return result.value
