"""Key catalogs: which keys each Optimize release line accepts, and what we know about them.

Optimize is unforgiving about its configuration in ways that a generic YAML tool cannot see. Some
sections are bound to Java classes and stop startup on an unknown key. Some old keys are on a
"deleted" list and stop startup too. Environment variables only work where the shipped defaults
wire them through a placeholder. Credentials must be recognised so they can be kept out of files.
The facts live as data in ``hardener/catalogs/<target>.yaml``, one file per release line; this
module loads them once and answers questions about concrete document paths.

Paths come in two forms:

* a *pattern* (catalog side) is a dotted string: ``*`` matches any map key, ``name[]`` means each
  item of the list ``name``, e.g. ``engines.*.authentication.password`` or
  ``es.connection.nodes[].host``;
* a *DocPath* (document side) is a tuple of map keys (str) and list indexes (int), e.g.
  ``("engines", "my-alias", "rest")`` or ``("es", "connection", "nodes", 0, "host")``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hardener.errors import CatalogError, ConfigSyntaxError, UsageError
from hardener.yaml import DocPath, load_data, read_source

TARGETS: tuple[str, ...] = ("c7", "c8")
"""Release lines with a catalog: c7 = Optimize 3.x with Camunda 7, c8 = Optimize 8.x SM."""

KEY_TYPES: frozenset[str] = frozenset(
    {"string", "int", "bool", "list", "map", "enum", "float", "duration", "any"}
)
"""Value types a catalog entry may declare."""

ANY_KEY = "*"
"""Pattern segment matching any map key."""

LIST_ITEM = "[]"
"""Pattern segment matching any list index."""

CATALOG_DIR = Path(__file__).parent / "catalogs"
"""Catalogs ship inside the package, so an installed wheel finds them without configuration."""

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")
_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
_ENTRY_FIELDS = frozenset(
    {"type", "secret", "env", "env_alias", "default", "nullable", "values", "doc"}
)
_CONTAINER_TYPES = frozenset({"map", "list"})


@dataclass(frozen=True)
class KeySpec:
    """What the catalog says about one leaf key (or pattern of keys).

    ``default`` is excluded from hashing because list and map defaults are not hashable; treat it
    as read-only (copy it before changing it), since specs are shared through the catalog cache.
    ``env_alias`` narrows ``env`` for a ``*`` key: the shipped placeholder exists only under that
    one map key (e.g. the default engine alias ``camunda-bpm``).
    """

    pattern: str
    type: str
    secret: bool = False
    env: str | None = None
    default: object = field(default=None, hash=False)
    has_default: bool = False
    nullable: bool = False
    values: tuple[str, ...] = ()
    doc: str = ""
    env_alias: str | None = None


@dataclass
class _Node:
    """One segment in the pattern trie; ``spec`` is set where a catalog key ends."""

    children: dict[str, _Node] = field(default_factory=dict)
    spec: KeySpec | None = None


def _is_index(segment: object) -> bool:
    """True for a list index; bool is an int subclass in Python but never an index."""
    return isinstance(segment, int) and not isinstance(segment, bool)


def _segment_matches(pattern_segment: str, segment: str | int) -> bool:
    """Match one concrete segment against one pattern segment.

    A digit pattern segment (``es.interceptorPlugins.0``) also matches the int key that a YAML
    loader produces for an unquoted ``0:`` map key.
    """
    if pattern_segment == LIST_ITEM:
        return _is_index(segment)
    if _is_index(segment):
        return pattern_segment == str(segment)
    if pattern_segment == ANY_KEY:
        return True
    return pattern_segment == segment


def _step(node: _Node, segment: str | int) -> Iterator[_Node]:
    """Children of ``node`` that ``segment`` enters, literal matches before wildcards."""
    if _is_index(segment):
        for name in (LIST_ITEM, str(segment)):
            if name in node.children:
                yield node.children[name]
        return
    key = segment if isinstance(segment, str) else str(segment)
    if key not in (ANY_KEY, LIST_ITEM) and key in node.children:
        yield node.children[key]
    if ANY_KEY in node.children:
        yield node.children[ANY_KEY]


# Dotted names without quotes or white space, each optionally followed by "[]"s.
_SIMPLE_PATTERN = re.compile(r"[^\s.\[\]']+(?:\[\])*(?:\.[^\s.\[\]']+(?:\[\])*)*")


@functools.lru_cache(maxsize=4096)
def parse_pattern(pattern: str) -> tuple[str, ...]:
    """Split a dotted catalog pattern into segments (cached: catalogs reuse each pattern often).

    ``"es.connection.nodes[].host"`` gives ``("es", "connection", "nodes", "[]", "host")``.
    A segment may be single-quoted (``engines.'my.alias'.rest``, with ``''`` for a quote) so that
    the output of :func:`format_path` reads back. Raises ValueError on a malformed pattern.
    """
    if not isinstance(pattern, str) or not pattern:
        raise ValueError("empty pattern")
    segments: list[str] = []
    if _SIMPLE_PATTERN.fullmatch(pattern):  # the common case: no quotes, no spaces
        for name in pattern.split("."):
            lists = name.count(LIST_ITEM)
            segments.append(name[: len(name) - len(LIST_ITEM) * lists])
            segments.extend([LIST_ITEM] * lists)
        return tuple(segments)
    i, n = 0, len(pattern)
    while True:
        if i < n and pattern[i] == "'":
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise ValueError(f"unterminated quote in {pattern!r}")
                if pattern[j] == "'":
                    if j + 1 < n and pattern[j + 1] == "'":
                        buf.append("'")
                        j += 2
                        continue
                    break
                buf.append(pattern[j])
                j += 1
            segments.append("".join(buf))
            i = j + 1
        else:
            j = i
            while j < n and pattern[j] not in ".[]'":
                j += 1
            name = pattern[i:j]
            if not name or name != name.strip() or any(c.isspace() for c in name):
                raise ValueError(f"empty or blank segment in {pattern!r}")
            segments.append(name)
            i = j
        while pattern.startswith(LIST_ITEM, i):
            segments.append(LIST_ITEM)
            i += len(LIST_ITEM)
        if i == n:
            return tuple(segments)
        if pattern[i] != ".":
            raise ValueError(f"unexpected {pattern[i]!r} at offset {i} in {pattern!r}")
        i += 1
        if i == n:
            raise ValueError(f"trailing '.' in {pattern!r}")


def format_path(path: DocPath) -> str:
    """Render a concrete path for messages: ``engines.'my.alias'.rest``, ``es.nodes[0].host``.

    Keys that are not plain words are single-quoted so that a dot inside a key (an engine alias
    like ``my.alias``) cannot be mistaken for nesting.
    """
    out = ""
    for segment in path:
        if _is_index(segment):
            out += f"[{segment}]"
            continue
        text = segment if isinstance(segment, str) else str(segment)
        if not _PLAIN_SEGMENT.fullmatch(text):
            text = "'" + text.replace("'", "''") + "'"
        out += ("." if out else "") + text
    return out


def _prefix_matches(pattern: tuple[str, ...], path: DocPath) -> bool:
    """True if ``path`` is at or below the location that ``pattern`` names."""
    return len(pattern) <= len(path) and all(
        _segment_matches(p, s) for p, s in zip(pattern, path, strict=False)
    )


@dataclass(frozen=True)
class Catalog:
    """All keys of one release line, with path queries over them.

    Built once per target by :func:`load_catalog` and shared; instances are immutable.
    """

    target: str
    title: str
    keys: Mapping[str, KeySpec]
    deleted: tuple[str, ...]
    typed_sections: tuple[str, ...]
    _root: _Node = field(init=False, repr=False, compare=False)
    _parsed: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _deleted: tuple[tuple[str, tuple[str, ...]], ...] = field(init=False, repr=False, compare=False)
    _typed: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index the patterns once so that every query is a short walk, not a scan."""
        root = _Node()
        parsed: dict[str, tuple[str, ...]] = {}
        for pattern, spec in self.keys.items():
            segments = parse_pattern(pattern)
            parsed[pattern] = segments
            node = root
            for segment in segments:
                node = node.children.setdefault(segment, _Node())
            node.spec = spec
        object.__setattr__(self, "keys", MappingProxyType(dict(self.keys)))
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_parsed", MappingProxyType(parsed))
        object.__setattr__(self, "_deleted", tuple((d, parse_pattern(d)) for d in self.deleted))
        object.__setattr__(self, "_typed", tuple(parse_pattern(t) for t in self.typed_sections))

    def __hash__(self) -> int:
        """Hash the hashable fields only (``keys`` is a mapping), so catalogs can key caches."""
        return hash((self.target, self.title, self.deleted, self.typed_sections))

    def _nodes(self, path: DocPath) -> list[_Node]:
        """Every trie node that ``path`` reaches, most specific (literal) first."""
        nodes = [self._root]
        for segment in path:
            nodes = [child for node in nodes for child in _step(node, segment)]
            if not nodes:
                break
        return nodes

    def _resolve(self, path: DocPath) -> _Node | None:
        """The node of the leaf key that ``path`` names, if any."""
        for node in self._nodes(path):
            if node.spec is not None:
                return node
        return None

    def lookup(self, path: DocPath) -> KeySpec | None:
        """The leaf spec for a concrete path, or None when the path is not a catalog key.

        Ints match ``[]`` (and digit map keys), strings match their literal name or ``*``; a
        literal match wins over a wildcard.
        """
        node = self._resolve(path)
        return node.spec if node is not None else None

    def is_container(self, path: DocPath) -> bool:
        """True if the path is a mapping or list item that holds known keys.

        Examples: ``("container",)``, ``("engines", "my-alias")`` and
        ``("es", "connection", "nodes", 0)``. The document root ``()`` is a container too.
        """
        return any(node.children for node in self._nodes(path))

    def is_known(self, path: DocPath) -> bool:
        """True if Optimize knows this path: a key, a container of keys, or a location inside
        a free-form value (an ``any`` key, a ``map`` key without ``*`` children, or an item of
        a ``list`` key without ``[]`` children).

        A ``map`` key whose entries are described by ``*`` children is checked against those
        children, so a typo inside ``perProcessDefinitionConfig.<key>`` is still caught.
        """
        if self.lookup(path) is not None or self.is_container(path):
            return True
        for end in range(len(path) - 1, 0, -1):
            node = self._resolve(path[:end])
            if node is None or node.spec is None:
                continue
            spec = node.spec
            return spec.type == "any" or (spec.type in _CONTAINER_TYPES and not node.children)
        return False

    def deleted_match(self, path: DocPath) -> str | None:
        """The deleted pattern that ``path`` is at or below (these stop Optimize), or None."""
        for pattern, segments in self._deleted:
            if _prefix_matches(segments, path):
                return pattern
        return None

    def in_typed_section(self, path: DocPath) -> bool:
        """True if the path lies in a section bound to a Java class that rejects unknown keys."""
        return any(_prefix_matches(segments, path) for segments in self._typed)

    def suggest(self, path: DocPath) -> str | None:
        """Did-you-mean for an unknown key: the closest known sibling name at the same level.

        Case-insensitive (``responseheaders`` -> ``responseHeaders``); None when nothing is close
        or the name already is a known key.
        """
        if not path or _is_index(path[-1]):
            return None
        name = str(path[-1])
        siblings: dict[str, str] = {}
        for node in self._nodes(path[:-1]):
            for child in node.children:
                if child in (ANY_KEY, LIST_ITEM):
                    continue
                if child == name:
                    return None
                siblings.setdefault(child.lower(), child)
        matches = difflib.get_close_matches(name.lower(), list(siblings), n=1, cutoff=0.6)
        return siblings[matches[0]] if matches else None

    def secret_patterns(self) -> tuple[str, ...]:
        """Patterns of keys holding credentials, in file order."""
        return tuple(pattern for pattern, spec in self.keys.items() if spec.secret)

    def pattern_segments(self, pattern: str) -> tuple[str, ...]:
        """The segments of one of this catalog's patterns."""
        return self._parsed[pattern]

    def default_alias(self, prefix: tuple[str, ...]) -> str | None:
        """The map key the shipped defaults use for the ``*`` right after ``prefix`` (the
        default engine's ``camunda-bpm``), known from the keys whose variable is wired there."""
        depth = len(prefix)
        for pattern, spec in self.keys.items():
            segments = self._parsed[pattern]
            if (
                spec.env_alias
                and segments[:depth] == prefix
                and segments[depth : depth + 1] == (ANY_KEY,)
            ):
                return spec.env_alias
        return None

    def env_for(self, path: DocPath) -> str | None:
        """The variable the shipped defaults read for this concrete key, or None.

        A placeholder sits in one concrete place of the defaults: the first item of a list
        (``es.connection.nodes[0].host``) and, for ``*`` keys with ``env_alias``, that one map key
        (``engines.camunda-bpm.rest``). Other instances have no wired variable, and reusing the
        name there would point two nodes or engines at the same value.
        """
        node = self._resolve(path)
        if node is None or node.spec is None or node.spec.env is None:
            return None
        spec = node.spec
        for pattern_segment, segment in zip(self._parsed[spec.pattern], path, strict=True):
            if pattern_segment == LIST_ITEM and segment != 0:
                return None
            if pattern_segment == ANY_KEY and spec.env_alias not in (None, segment):
                return None
        return spec.env


def _fail(file: Path, message: str) -> CatalogError:
    return CatalogError(f"malformed catalog: {message}", file=str(file))


def _conforms(spec: KeySpec, value: object) -> bool:
    """Whether a default value fits the declared type (guards against typos in the data)."""
    if value is None:
        return spec.nullable
    kind = spec.type
    if kind == "string":
        return isinstance(value, str)
    if kind == "int":
        return _is_index(value)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "map":
        return isinstance(value, dict)
    if kind == "enum":
        return isinstance(value, str) and value in spec.values
    if kind == "duration":
        return isinstance(value, str) and _DURATION.fullmatch(value) is not None
    return True  # any


def _build_spec(file: Path, pattern: object, entry: object) -> KeySpec:
    """Validate one ``keys`` entry and turn it into a KeySpec."""
    if not isinstance(pattern, str):
        raise _fail(file, f"key {pattern!r} is not a string")
    try:
        segments = parse_pattern(pattern)
    except ValueError as exc:
        raise _fail(file, f"key {pattern!r}: {exc}") from None
    if not isinstance(entry, dict):
        raise _fail(file, f"key {pattern!r}: entry must be a mapping")
    unknown = sorted(str(k) for k in entry if k not in _ENTRY_FIELDS)
    if unknown:
        raise _fail(file, f"key {pattern!r}: unknown field(s) {', '.join(unknown)}")
    kind = entry.get("type")
    if kind not in KEY_TYPES:
        raise _fail(file, f"key {pattern!r}: type {kind!r} is not one of {sorted(KEY_TYPES)}")
    for flag in ("secret", "nullable"):
        if not isinstance(entry.get(flag, False), bool):
            raise _fail(file, f"key {pattern!r}: {flag} must be true or false")
    env = entry.get("env")
    if env is not None and (not isinstance(env, str) or not _ENV_NAME.fullmatch(env)):
        raise _fail(file, f"key {pattern!r}: env {env!r} is not a variable name")
    env_alias = entry.get("env_alias")
    if env_alias is not None and (
        not isinstance(env_alias, str) or env is None or segments.count(ANY_KEY) != 1
    ):
        raise _fail(file, f"key {pattern!r}: env_alias needs env and exactly one '*'")
    raw_values = entry.get("values", [])
    if kind == "enum":
        if (
            not isinstance(raw_values, list)
            or not raw_values
            or not all(isinstance(v, str) for v in raw_values)
            or len(set(raw_values)) != len(raw_values)
        ):
            raise _fail(file, f"key {pattern!r}: enum needs a list of distinct string values")
    elif "values" in entry:
        raise _fail(file, f"key {pattern!r}: values are only allowed for type enum")
    doc = entry.get("doc", "")
    if not isinstance(doc, str):
        raise _fail(file, f"key {pattern!r}: doc must be a string")
    spec = KeySpec(
        pattern=pattern,
        type=kind,
        secret=entry.get("secret", False),
        env=env,
        default=entry.get("default"),
        has_default="default" in entry,
        nullable=entry.get("nullable", False),
        values=tuple(raw_values),
        doc=doc,
        env_alias=env_alias,
    )
    if spec.has_default and not _conforms(spec, spec.default):
        raise _fail(file, f"key {pattern!r}: default {spec.default!r} is not a valid {kind}")
    return spec


def _string_list(file: Path, data: Mapping[str, Any], name: str) -> tuple[str, ...]:
    """A top-level list of patterns (``deleted``, ``typed_sections``), each one parsed."""
    raw = data.get(name)
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise _fail(file, f"{name} must be a list of strings")
    for item in raw:
        try:
            parse_pattern(item)
        except ValueError as exc:
            raise _fail(file, f"{name} entry {item!r}: {exc}") from None
    return tuple(raw)


def _check_structure(file: Path, keys: Mapping[str, KeySpec], deleted: tuple[str, ...]) -> None:
    """Cross-key rules: only map/list keys have children, and no key is also deleted."""
    parsed = {pattern: parse_pattern(pattern) for pattern in keys}
    by_segments = {segments: pattern for pattern, segments in parsed.items()}
    for pattern, segments in parsed.items():
        for end in range(1, len(segments)):
            parent = by_segments.get(segments[:end])
            if parent is None:
                if segments[end] == LIST_ITEM:
                    parent_path = ".".join(segments[:end])
                    raise _fail(file, f"key {pattern!r}: {parent_path!r} must be a list key")
                continue
            kind = keys[parent].type
            wanted = {"list": LIST_ITEM, "map": ANY_KEY}.get(kind)
            if segments[end] != wanted:
                raise _fail(file, f"key {pattern!r}: {parent!r} is a {kind} and cannot hold it")
    for dead in deleted:
        dead_segments = parse_pattern(dead)
        for pattern, segments in parsed.items():
            if segments[: len(dead_segments)] == dead_segments:
                raise _fail(file, f"key {pattern!r} is also listed as deleted ({dead!r})")


def check_target(target: str) -> None:
    """A usage error for a release line without a catalog."""
    if target not in TARGETS:
        raise UsageError(f"unknown target {target!r} (choose {' or '.join(TARGETS)})")


@functools.cache
def load_catalog(target: str) -> Catalog:
    """Load and validate the catalog of one release line; cached, so call it freely.

    Raises UsageError for an unknown target and CatalogError (naming the file and key) for a
    malformed catalog file.
    """
    check_target(target)
    file = CATALOG_DIR / f"{target}.yaml"
    try:
        data = load_data(read_source(file))
    except ConfigSyntaxError as exc:
        kind = "malformed catalog" if exc.line is not None else "cannot read catalog"
        raise CatalogError(
            f"{kind}: {exc.message}", file=str(file), line=exc.line, column=exc.column
        ) from None
    if not isinstance(data, dict):
        raise _fail(file, "top level must be a mapping")
    if data.get("target") != target:
        raise _fail(file, f"target is {data.get('target')!r}, expected {target!r}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise _fail(file, "title must be a non-empty string")
    raw_keys = data.get("keys")
    if not isinstance(raw_keys, dict) or not raw_keys:
        raise _fail(file, "keys must be a non-empty mapping")
    keys = {pattern: _build_spec(file, pattern, entry) for pattern, entry in raw_keys.items()}
    deleted = _string_list(file, data, "deleted")
    typed_sections = _string_list(file, data, "typed_sections")
    _check_structure(file, keys, deleted)
    return Catalog(
        target=target,
        title=title,
        keys=keys,
        deleted=deleted,
        typed_sections=typed_sections,
    )
