"""``effective``: the configuration Optimize would hold, and where each value came from.

The values are the model's (``hardener.model.View.resolved``): Optimize's shipped defaults, the
file merged over them and every placeholder resolved with the variables given here. This module
only decides what the caller may see (secrets masked, ``!!binary`` as base64 text), where each
value came from, and how it is written (YAML that re-reads to the same data, or strict JSON).

Variables come from ``--env NAME=VALUE`` and a dotenv file, never from the process environment:
the answer to "what does Optimize hold?" must not depend on the shell that asked.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardener.catalog import Catalog, load_catalog
from hardener.errors import ConfigSyntaxError, UsageError
from hardener.masking import MASK, looks_secret
from hardener.model import MissingVariable, Seen, View
from hardener.yaml import Config, DocPath, emit_key, emit_scalar, read_source

FORMATS = ("yaml", "json")

ORIGINS_HELP = (
    ("default", "Optimize's shipped defaults"),
    ("env NAME (default)", "the defaults' placeholder, taking variable NAME"),
    ("file:N", "CONFIG, line N"),
    ("env NAME (file:N)", "CONFIG's placeholder on line N, taking variable NAME"),
    ("file:N (alias *A)", "an alias on line N: Optimize holds the anchor's name A as text"),
    ("file:N (alias)", "the same for a secret: the name is its value, so it is not shown"),
)
"""The origin strings ``--show-origin`` writes, for the help text and the README."""

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Line breaks and control characters cannot be written into a one-line comment.
_NOT_IN_COMMENT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


# --------------------------------------------------------------------------------------------
# Variables
# --------------------------------------------------------------------------------------------


class _Malformed(ValueError):
    """One env-file line cannot be read; the message never holds the line's value."""


def load_env_file(path: Path) -> dict[str, str]:
    """The variables of a dotenv file such as the ``.env`` that ``init`` writes.

    Lines are read as a POSIX shell reads them with ``set -a; . ./.env`` (how HARDENING.md uses
    the file): ``NAME=value``, an optional ``export``, single quotes literal, double quotes with
    ``\\`` escapes, ``#`` comments and blank lines; a later line wins. What a shell would expand
    or run (``$``, backticks, ``~``, operators, a second word) is refused rather than guessed.
    An error names the file, line and variable, never the value.
    """
    source = read_source(path)
    variables: dict[str, str] = {}
    for number, line in enumerate(source.text.split("\n"), start=1):
        try:
            entry = _env_line(line.removesuffix("\r"))
        except _Malformed as problem:
            raise ConfigSyntaxError(str(problem), file=source.name, line=number) from None
        if entry is not None:
            variables[entry[0]] = entry[1]
    return variables


_EXPORT = re.compile(r"export[ \t]+")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_OPERATORS = frozenset("|&;<>()")
_DOUBLE_ESCAPES = frozenset('$`"\\')


def _env_line(line: str) -> tuple[str, str] | None:
    text = line.lstrip(" \t")
    if not text or text.startswith("#"):
        return None
    export = _EXPORT.match(text)
    if export is not None:
        text = text[export.end() :]
    assignment = _ASSIGNMENT.match(text)
    if assignment is None:
        raise _Malformed(
            "expected NAME=value (NAME of letters, digits and _, not starting with a digit; "
            "no spaces around =)"
        )
    name = assignment.group(1)
    value, rest = _shell_word(text[assignment.end() :], name)
    rest = rest.lstrip(" \t")
    if rest and not rest.startswith("#"):
        raise _Malformed(f"{name}: more than one word after '='; quote the value")
    return name, value


def _shell_word(text: str, name: str) -> tuple[str, str]:
    """One shell word (the value) and the text after it; quotes may be mixed as in a shell."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in " \t":
            break
        if char == "'":
            end = text.find("'", index + 1)
            if end < 0:
                raise _Malformed(f"{name}: unterminated single quote")
            out.append(text[index + 1 : end])
            index = end + 1
        elif char == '"':
            index = _double_quoted(text, index + 1, out, name)
        elif char == "\\":
            if index + 1 == len(text):
                raise _Malformed(f"{name}: a line continuation (trailing \\) is not supported")
            out.append(text[index + 1])
            index += 2
        else:
            _check_unquoted(text, index, name)
            out.append(char)
            index += 1
    return "".join(out), text[index:]


def _double_quoted(text: str, index: int, out: list[str], name: str) -> int:
    """Append a double-quoted part (``index`` is past the opening quote); return past its end."""
    while index < len(text):
        char = text[index]
        if char == '"':
            return index + 1
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _DOUBLE_ESCAPES:
            out.append(text[index + 1])
            index += 2
            continue
        if char == "\\" and index + 1 == len(text):
            break  # a continuation inside quotes: the quote is not closed on this line
        if char in "$`":
            raise _Malformed(f"{name}: {char} would be expanded by a shell; use single quotes")
        out.append(char)
        index += 1
    raise _Malformed(f"{name}: unterminated double quote (values span one line)")


def _check_unquoted(text: str, index: int, name: str) -> None:
    char = text[index]
    if char in "$`":
        raise _Malformed(f"{name}: {char} would be expanded by a shell; use single quotes")
    if char in _OPERATORS:
        raise _Malformed(f"{name}: unquoted {char} is a shell operator; quote the value")
    if char == "~" and (index == 0 or text[index - 1] == ":"):
        raise _Malformed(f"{name}: a shell expands an unquoted ~ here; quote the value")


def parse_env_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping (a later one wins). A bad one is named by its
    position only: without a ``=`` the whole text may be a value typed in the wrong place."""
    split = (text.partition("=") for text in assignments)
    return _checked((name if equals else "", value) for name, equals, value in split)


def _checked(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    variables: dict[str, str] = {}
    for number, (name, value) in enumerate(pairs, start=1):
        if not _ENV_NAME.match(name):
            raise UsageError(
                f"--env #{number}: expected NAME=VALUE, NAME of letters, digits and _, not "
                "starting with a digit (the text is not shown)"
            )
        variables[name] = _checked_value(name, value)
    return variables


def _checked_value(name: str, value: str) -> str:
    """Arguments that were not UTF-8 arrive with lone surrogates, which no output can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"--env {name}: the value is not valid UTF-8") from None
    return value


def environment(
    assignments: Sequence[str] | Mapping[str, str] = (), env_file: Path | None = None
) -> dict[str, str]:
    """The variables Optimize is given: the file's, then the assignments over them. Never the
    process environment, so the same command prints the same answer anywhere."""
    variables = load_env_file(env_file) if env_file is not None else {}
    if isinstance(assignments, Mapping):
        variables.update(_checked((str(k), str(v)) for k, v in assignments.items()))
    else:
        variables.update(parse_env_assignments(assignments))
    return variables


# --------------------------------------------------------------------------------------------
# The printable tree
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effective:
    """What Optimize holds, ready to print: ``config`` (secrets masked unless asked, bytes as
    base64 text) and ``origins``, the same shape with an origin string at every leaf. An empty
    list or map is a leaf: it has an origin, and no items to carry one."""

    config: dict[str, Any]
    origins: dict[str, Any]


def effective_tree(
    config: Config, target: str, env: Mapping[str, str], *, show_secrets: bool = False
) -> Effective:
    """The configuration Optimize would hold with ``env`` (a missing variable raises)."""
    view = View(config, target, env)
    try:
        resolved = view.resolved()
    except MissingVariable as exc:
        raise MissingVariable(
            f"{exc.message} (effective reads no process environment: give it with --env or "
            "--env-file)",
            file=exc.file,
            line=exc.line,
        ) from None
    builder = _Builder(view, load_catalog(target), show_secrets)
    values, origins = builder.node(resolved, view.merged, (), None, secret=False)
    return Effective(values, origins)


@dataclass(frozen=True)
class _Builder:
    view: View
    catalog: Catalog
    show_secrets: bool

    def node(
        self, value: Any, raw: Any, path: DocPath, origin: str | None, *, secret: bool
    ) -> tuple[Any, Any]:
        """(printable value, origins) of one node. ``raw`` is the merged tree's node while the
        walk is above the model's leaves; a leaf's origin then covers everything below it (a
        ``[...]`` text that Optimize reads again as a list)."""
        secret = secret or (bool(path) and self.is_secret(path))
        if origin is None and not (isinstance(raw, dict | list) and raw):
            origin = self.origin(self.view.get(path), secret)
        if isinstance(value, dict) and value:
            pairs = {
                key: self.node(item, _child(raw, key), (*path, key), origin, secret=secret)
                for key, item in value.items()
            }
            return {k: v for k, (v, _) in pairs.items()}, {k: o for k, (_, o) in pairs.items()}
        if isinstance(value, list) and value:
            items = [
                self.node(item, _child(raw, index), (*path, index), origin, secret=secret)
                for index, item in enumerate(value)
            ]
            return [v for v, _ in items], [o for _, o in items]
        return self.printable(value, secret), origin

    def is_secret(self, path: DocPath) -> bool:
        """A credential by the catalog, or by a name that looks like one (not for a block the
        catalog knows, such as ``security.auth.token``). A list item is its key's."""
        last = path[-1]
        if not isinstance(last, str):
            return False
        spec = self.catalog.lookup(path)
        if spec is not None and spec.secret:
            return True
        return looks_secret(last) and not self.catalog.is_container(path)

    def printable(self, value: Any, secret: bool) -> Any:
        """A null or empty secret reveals nothing and prints as it is."""
        if secret and not self.show_secrets and not _empty(value):
            return MASK
        if isinstance(value, bytes):
            return base64.b64encode(value).decode("ascii")
        return value

    def origin(self, seen: Seen, secret: bool) -> str:
        """``default``, ``file:N``, ``env NAME (default)``, ``env NAME (file:N)`` or
        ``file:N (alias *A)`` (see ``ORIGINS_HELP``). An alias's value is the anchor's name, so
        under a masked secret the name is left out of the origin too."""
        where = "default"
        if seen.origin == "file":
            where = f"file:{self.view.line(seen.path) or 1}"
        if seen.resolved is not None and seen.resolved.from_env:
            return f"env {seen.resolved.from_env[0]} ({where})"
        if seen.alias is not None and secret and not self.show_secrets:
            return f"{where} (alias)"
        if seen.alias is not None:
            return f"{where} (alias *{_NOT_IN_COMMENT.sub('?', seen.alias)})"
        return where


def _child(raw: Any, key: str | int) -> Any:
    if isinstance(raw, dict) and isinstance(key, str):
        return raw.get(key)
    if isinstance(raw, list) and isinstance(key, int) and key < len(raw):
        return raw[key]
    return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | bytes | list | dict) and len(value) == 0)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def render(tree: Effective, fmt: str, *, show_origin: bool = False) -> str:
    """YAML (block style, Optimize's key order, an origin comment per leaf) or strict JSON."""
    if fmt == "json":
        document: Any = tree.config
        if show_origin:
            document = {"config": tree.config, "origin": tree.origins}
        text = json.dumps(_strict_json(document), indent=2, ensure_ascii=False, allow_nan=False)
        return text + "\n"
    origins = tree.origins if show_origin else None
    if not tree.config:
        return "{}\n"
    return "".join(line + "\n" for line in _yaml_block(tree.config, origins))


def _yaml_block(node: dict[str, Any] | list[Any], origins: Any) -> list[str]:
    """Lines of a non-empty map or list, unindented; each value goes through ``emit_scalar`` so
    the text re-reads (``hardener.yaml.parse_text``) to exactly these values."""
    lines: list[str] = []
    entries: Iterable[tuple[str | int, Any]] = (
        node.items() if isinstance(node, dict) else enumerate(node)
    )
    for key, value in entries:
        origin = origins[key] if origins is not None else None
        head = f"{emit_key(key)}:" if isinstance(key, str) else "-"
        if not _is_block(value):
            lines.append(_commented(f"{head} {emit_scalar(value)}", origin))
        elif isinstance(key, str):
            lines.append(head)
            lines.extend("  " + line for line in _yaml_block(value, origin))
        else:  # a map or list as a list item: its first line beside the dash
            block = _yaml_block(value, origin)
            lines.append(f"- {block[0]}")
            lines.extend("  " + line for line in block[1:])
    return lines


def _is_block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _commented(line: str, origin: Any) -> str:
    return line if origin is None else f"{line}  # {origin}"


def _strict_json(node: Any) -> Any:
    """JSON has no infinities or NaN: they become the text Java prints for them."""
    if isinstance(node, dict):
        return {key: _strict_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_strict_json(item) for item in node]
    if isinstance(node, float) and not math.isfinite(node):
        return "NaN" if math.isnan(node) else ("Infinity" if node > 0 else "-Infinity")
    return node
