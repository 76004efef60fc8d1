"""YAML text for values we write: every value reaches the file as a safe scalar.

Optimize reads YAML 1.1 scalars (through Jackson and SnakeYAML): ``on``, ``yes`` and ``no`` are
booleans there, ``0777`` is octal. Strings are therefore quoted whenever they could be read as
anything else, and no string can add a key, start a comment or change type.
"""

from __future__ import annotations

import math
import re
from typing import Any

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


def emit_scalar(value: Any) -> str:
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
        return "[" + ", ".join(emit_scalar(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{emit_key(str(k))}: {emit_scalar(v)}" for k, v in value.items())
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


def emit_key(key: str) -> str:
    """Return a mapping key as YAML text; keys follow the same quoting rules as values."""
    return _string_scalar(key)
