"""Reading configuration files, emitting safe YAML scalars, and writing files atomically.

Optimize parses its configuration with SnakeYAML (through Jackson), which follows YAML 1.1: ``on``,
``yes`` and ``no`` are booleans there. Everything here reads and writes with that in mind, so that a
value we emit is read back by Optimize as exactly the value we meant.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import stat
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardener.errors import ConfigSyntaxError, WriteError
from hardener.limits import check_nesting, check_tree

if TYPE_CHECKING:
    from ruamel.yaml import YAML

#: Largest configuration file we read. Real Optimize configs are a few kilobytes; the biggest
#: shipped one has ~730 lines. Anything past this is refused before it is read into memory.
MAX_CONFIG_BYTES = 8 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"
_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "binary")
)

# --------------------------------------------------------------------------------------------
# Safe scalars
# --------------------------------------------------------------------------------------------

# A conservative plain-scalar alphabet: no indicator characters, no spaces, no quotes.
_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*\Z")
# Words YAML 1.1 (Optimize) or 1.2 would resolve to booleans or null.
_RESERVED = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
# What a single-quoted scalar cannot hold: characters outside YAML 1.1's printable set, and line
# breaks (which would be folded). Written as the complement: the printable class itself costs
# milliseconds to compile at every start.
_NOT_SINGLE_QUOTABLE = re.compile(
    "[\x00-\x08\n-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
)
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x00": "\\0",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def yaml_scalar(value: Any) -> str:
    """Return ``value`` as YAML text that a YAML 1.1 or 1.2 parser reads back as exactly ``value``.

    Strings are written plain only when they cannot be mistaken for anything else; otherwise they
    are single-quoted, or double-quoted with escapes when they hold line breaks or control
    characters. No string can therefore add a key, start a comment, or change type.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_scalar(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_scalar(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{yaml_key(str(k))}: {yaml_scalar(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, str):
        return _string_scalar(value)
    raise TypeError(f"cannot emit {type(value).__name__} as a YAML scalar")


def _float_scalar(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    mantissa, e, exponent = repr(value).partition("e")
    if "." not in mantissa:  # YAML 1.1 floats need a dot in the mantissa
        mantissa += ".0"
    return f"{mantissa}{e}{exponent}"


def _string_scalar(value: str) -> str:
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    if not _NOT_SINGLE_QUOTABLE.search(value):
        if "'" in value:  # CSP keywords read better double-quoted than with doubled quotes
            return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return "'" + value + "'"
    return '"' + "".join(_escape_char(ch) for ch in value) + '"'


def _escape_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        raise ValueError("lone surrogate characters cannot be written to a UTF-8 file")
    if code < 0x20 or 0x7F <= code <= 0x9F or code in (0xFEFF, 0xFFFE, 0xFFFF):
        return f"\\u{code:04x}"
    return ch


def yaml_key(key: str) -> str:
    """Return a mapping key as YAML text; keys follow the same quoting rules as values."""
    return _string_scalar(key)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceText:
    """A decoded configuration file plus what we need to write it back byte for byte."""

    name: str
    text: str  # without the BOM
    bom: bool

    @property
    def data(self) -> bytes:
        """The bytes that were read: decoding valid UTF-8 loses nothing, so this is exact."""
        return (_BOM if self.bom else b"") + self.text.encode("utf-8")


def read_source(path: Path, display: str | None = None) -> SourceText:
    """Read and decode a configuration file, refusing what Optimize could not read either."""
    name = display or str(path)
    data = _read_limited(path, name)
    return decode_source(data, name)


def _read_limited(path: Path, name: str) -> bytes:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigSyntaxError("file not found", file=name) from None
    except OSError as exc:
        raise ConfigSyntaxError(f"cannot read file: {exc.strerror}", file=name) from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigSyntaxError("is a directory, not a file", file=name)
    if info.st_size > MAX_CONFIG_BYTES:
        raise ConfigSyntaxError(
            f"file is {info.st_size} bytes; the limit is {MAX_CONFIG_BYTES} bytes", file=name
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigSyntaxError(f"cannot read file: {exc.strerror}", file=name) from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigSyntaxError(f"file is larger than {MAX_CONFIG_BYTES} bytes", file=name)
    return data


def decode_source(data: bytes, name: str) -> SourceText:
    """Decode UTF-8 (an optional BOM is kept aside), refusing binary and other encodings."""
    bom = data.startswith(_BOM)
    body = data[len(_BOM) :] if bom else data
    wide = _wide_encoding(body)
    if wide is not None:
        raise ConfigSyntaxError(f"{wide} text; save the file as UTF-8", file=name, line=1)
    if b"\x00" in body:
        line = body[: body.index(b"\x00")].count(b"\n") + 1
        raise ConfigSyntaxError(
            "binary data (NUL byte); expected a UTF-8 text file", file=name, line=line
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigSyntaxError(
            f"not valid UTF-8 (byte 0x{body[exc.start]:02x}); save the file as UTF-8",
            file=name,
            line=line,
            column=column,
        ) from None
    return SourceText(name=name, text=text, bom=bom)


_WIDE_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 by their BOM, or by the zero bytes ASCII text has in them.

    Windows tools save "Unicode" as UTF-16; saying so beats "binary data (NUL byte)".
    """
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return encoding
    for width, encoding in ((4, "UTF-32"), (2, "UTF-16")):
        units = [data[i : i + width] for i in range(0, min(len(data), 16 * width), width)]
        if len(units) >= 2 and all(len(u) == width and _ascii_unit(u) for u in units):
            return encoding
    return None


def _ascii_unit(unit: bytes) -> bool:
    """One code unit of ASCII text, little- or big-endian: one non-zero byte at an end."""
    rest = unit[1:] if unit[0] else unit[:-1]
    return bool(unit[0] or unit[-1]) and not any(rest)


def make_yaml() -> YAML:
    """The one configured round-trip parser: YAML 1.1 semantics, no custom tags, no duplicates."""
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import RoundTripConstructor

    class _Constructor(RoundTripConstructor):
        # Unknown tags (``!!python/object``, ``!custom``) are refused, never constructed.
        def construct_unknown(self, node: Any) -> Any:
            tag = str(node.tag)
            if tag in _STANDARD_TAGS:  # explicitly tagged standard values are kept as tagged
                return super().construct_unknown(node)
            raise _tag_error(node)

    _Constructor.add_constructor(None, _Constructor.construct_unknown)
    _harden_constructor(_Constructor)
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.version = (1, 1)
    yaml.allow_duplicate_keys = False
    return yaml


def safe_yaml() -> YAML:
    """The fast (C parser where installed) loader for plain data, refusing what make_yaml does.

    Callers treat any error from it as "ask ``parse_mapping``", which gives the precise message.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    yaml.Constructor = _safe_constructor()
    yaml.version = (1, 1)
    yaml.allow_duplicate_keys = False
    return yaml


@functools.cache
def _safe_constructor() -> type:
    from ruamel.yaml.constructor import SafeConstructor

    class _Constructor(SafeConstructor):
        pass

    _harden_constructor(_Constructor)
    return _Constructor


# SnakeYAML knows these, but no Optimize setting is a set or an ordered map; ruamel's
# constructors for them also crash on a scalar (``!!set x``).
_REFUSED_TAGS = tuple(f"tag:yaml.org,2002:{name}" for name in ("set", "omap", "pairs"))
# Constructors that trust the value to match its tag, true only when the tag was implicit:
# ``!!int x`` or ``!!bool 1`` raises ValueError, KeyError or IndexError inside ruamel.
_VALUE_TAGS = tuple(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "binary", "timestamp")
)
# What those constructors raise for a value that does not match the tag.
_BAD_VALUE_ERRORS = (ValueError, IndexError, KeyError, TypeError, AttributeError, OverflowError)


def _harden_constructor(cls: Any) -> None:
    def refuse(constructor: Any, node: Any) -> Any:
        raise _tag_error(node)

    for tag in _REFUSED_TAGS:
        cls.add_constructor(tag, refuse)
    for tag in _VALUE_TAGS:
        cls.add_constructor(tag, _guarded(cls.yaml_constructors[tag]))
    cls.check_mapping_key = _scalar_keys_only(cls.check_mapping_key)


def _scalar_keys_only(check: Any) -> Any:
    """Optimize's keys are names: a list or mapping as a key (``? [a]``) is refused.

    ruamel would also crash hashing such a key when it holds another collection (TypeError).
    """

    def check_mapping_key(
        constructor: Any, node: Any, key_node: Any, mapping: Any, key: Any, value: Any
    ) -> bool:
        if key_node.id != "scalar":
            mark = key_node.start_mark
            raise ConfigSyntaxError(
                "a list or mapping used as a key; keys must be plain names",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        return bool(check(constructor, node, key_node, mapping, key, value))

    return check_mapping_key


def _guarded(construct: Any) -> Any:
    def guarded(constructor: Any, node: Any) -> Any:
        try:
            return construct(constructor, node)
        except _BAD_VALUE_ERRORS:
            mark = node.start_mark
            name = str(node.tag).rpartition(":")[2]
            raise ConfigSyntaxError(
                f"the value tagged !!{name} is not a valid {name}",
                line=mark.line + 1,
                column=mark.column + 1,
            ) from None

    return guarded


def _tag_error(node: Any) -> ConfigSyntaxError:
    mark = node.start_mark
    return ConfigSyntaxError(
        f"unsupported YAML tag {node.tag!s}; only standard tags are allowed",
        line=mark.line + 1,
        column=mark.column + 1,
    )


@contextlib.contextmanager
def quiet_yaml() -> Iterator[None]:
    """Silence ruamel's warnings (reused anchor, 1e3 without a dot): they print file text.

    A reused anchor is valid YAML (an alias means the latest one), and a value's meaning is
    checked where it matters, so the warnings would only leak lines, secrets included, to stderr.
    """
    from ruamel.yaml.error import YAMLFutureWarning, YAMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", YAMLWarning)
        warnings.simplefilter("ignore", YAMLFutureWarning)
        yield


def parse_mapping(source: SourceText) -> Any:
    """Parse a single-document config whose root is a mapping (or empty); return the RT tree.

    An empty or comments-only file is a valid, empty configuration (Optimize treats a missing
    file the same way), so it yields an empty mapping.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    check_nesting(source.text, source.name)  # before the recursive composer sees it
    yaml = make_yaml()
    try:
        with quiet_yaml():
            documents = list(_limited_documents(yaml, source.text))
    except ConfigSyntaxError as exc:
        raise ConfigSyntaxError(
            exc.message, file=source.name, line=exc.line, column=exc.column
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = _without_values(exc.problem or exc.context or "invalid YAML")
        raise ConfigSyntaxError(
            f"invalid YAML: {problem}{_context_note(exc)}",
            file=source.name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except RecursionError:
        raise ConfigSyntaxError(
            "nesting is too deep for a configuration", file=source.name
        ) from None
    except YAMLError as exc:
        raise ConfigSyntaxError(f"invalid YAML: {exc}", file=source.name) from None
    except AssertionError:  # ruamel's comment bookkeeping on odd layouts (``#`` then ``| # x``)
        raise ConfigSyntaxError(
            "invalid YAML: the round-trip parser could not place this file's comments",
            file=source.name,
        ) from None
    if not documents or documents[0] is None:
        return CommentedMap()
    root = documents[0]
    if not isinstance(root, CommentedMap):
        kind = "a list" if isinstance(root, list) else "a single value"
        raise ConfigSyntaxError(
            f"the top level is {kind}; an Optimize config must be a mapping of keys",
            file=source.name,
            line=1,
        )
    check_tree(root, source.text, source.name)
    return root


def load_plain(source: SourceText) -> dict[str, Any]:
    """Parse a data file into plain Python values, fast (libyaml where installed).

    Plain files take ``fastyaml``'s path, other valid files the safe loader's; anything the safe
    loader objects to is parsed again by ``parse_mapping``, so errors carry the same messages and
    positions everywhere.
    """
    from hardener.fastyaml import load_simple

    simple = load_simple(source.text)
    if simple is not None:
        return simple
    documents = _safe_documents(source)
    if documents is not None and len(documents) <= 1:
        root = documents[0] if documents else None
        if isinstance(root, dict | None):
            tree: dict[str, Any] = root or {}
            check_tree(tree, source.text, source.name)
            return tree
    plain: dict[str, Any] = to_plain(parse_mapping(source))  # the precise answer or error
    return plain


def _safe_documents(source: SourceText) -> list[Any] | None:
    """The documents the safe loader reads, or None where only the precise parser may decide."""
    from ruamel.yaml.error import YAMLError

    from hardener.fastyaml import libyaml_reads_like_ruamel

    if not libyaml_reads_like_ruamel(source.text):
        return None  # before check_nesting: parse_mapping runs that scan itself
    check_nesting(source.text, source.name)  # libyaml's composer recurses in C: a crash
    try:
        with quiet_yaml():
            return list(safe_yaml().load_all(source.text))
    except (YAMLError, RecursionError, ValueError, TypeError, ConfigSyntaxError):
        return None


def _context_note(exc: Any) -> str:
    """Where the construct that failed began: an unclosed quote or bracket is found only at the
    end of the file, so the reported position alone would not show which one it was."""
    context, mark, problem_mark = exc.context, exc.context_mark, exc.problem_mark
    if not (exc.problem and context and mark and problem_mark):
        return ""
    if (
        not context.startswith(("while scanning", "while parsing"))
        or mark.line == problem_mark.line
    ):
        return ""
    return f" ({context} that starts at {mark.line + 1}:{mark.column + 1})"


def _without_values(problem: str) -> str:
    """ruamel quotes both values of a duplicate key, and either may be a secret: drop the text.

    The key itself is not reliably separable from the values in ruamel's sentence; the error's
    line and column point at it.
    """
    if problem.startswith("found duplicate key"):
        return "found duplicate key (values not shown; a key may appear only once per mapping)"
    return problem


def _limited_documents(yaml: YAML, text: str) -> Iterator[Any]:
    for index, document in enumerate(yaml.load_all(text)):
        if index >= 1:
            line = _second_document_line(text)
            raise ConfigSyntaxError(
                "several YAML documents in one file; Optimize reads only the first",
                line=line,
            )
        yield document


def _second_document_line(text: str) -> int | None:
    seen_content = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(("---", "...")) and seen_content:
            return number
        if line.strip() and not line.lstrip().startswith("#") and not line.startswith("%"):
            seen_content = True
    return None


def to_plain(node: Any, _memo: dict[int, Any] | None = None) -> Any:
    """Convert a round-trip tree into plain dicts, lists and scalars (aliases stay shared)."""
    memo = {} if _memo is None else _memo
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, dict):
        result: Any = {}
        memo[id(node)] = result
        for key, value in node.items():
            result[str(key) if not isinstance(key, str) else key] = to_plain(value, memo)
        return result
    if isinstance(node, list):
        items: list[Any] = []
        memo[id(node)] = items
        items.extend(to_plain(item, memo) for item in node)
        return items
    return _plain_scalar(node)


def _plain_scalar(node: Any) -> Any:
    from ruamel.yaml.comments import TaggedScalar
    from ruamel.yaml.scalarbool import ScalarBoolean

    if isinstance(node, TaggedScalar):
        return node.value
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, ScalarBoolean):  # an anchored boolean: an int subclass in ruamel
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def atomic_write(
    path: Path,
    data: bytes,
    *,
    secret: bool = False,
    keep_mode: bool = True,
    mode: int | None = None,
    like: os.stat_result | None = None,
) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never a mix.

    The temp file lives in the same directory (same file system, so ``os.replace`` is atomic),
    is created with mode 0600, flushed and fsynced before the rename. An existing file keeps its
    mode (and ownership where we may set it) unless ``secret`` forces 0600; ``like`` gives the
    file whose mode and ownership to copy instead (a backup takes its original's).
    """
    directory = path.parent
    if not directory.is_dir():
        raise WriteError("directory does not exist", file=str(directory))
    previous = like or _existing_stat(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot create a file here: {exc.strerror}", file=str(path)) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            _apply_mode(tmp, previous, secret=secret, keep_mode=keep_mode)
        else:
            tmp.chmod(mode)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError(f"cannot write file: {exc.strerror}", file=str(path)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_directory(directory)


def _existing_stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def _apply_mode(
    tmp: Path, previous: os.stat_result | None, *, secret: bool, keep_mode: bool
) -> None:
    if secret:
        mode = 0o600
    elif previous is not None and keep_mode:
        mode = stat.S_IMODE(previous.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    tmp.chmod(mode)
    if previous is not None and keep_mode:
        with contextlib.suppress(OSError):
            os.chown(tmp, previous.st_uid, previous.st_gid)


def fsync_directory(directory: Path) -> None:
    """Make the names in ``directory`` durable (best effort: some file systems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
