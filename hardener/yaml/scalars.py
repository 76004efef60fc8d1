"""What a scalar means to Optimize: SnakeYAML's YAML 1.1 resolver, then Jackson's decoding.

Jackson's YAML parser asks SnakeYAML 2.2's resolver which type a *plain* scalar has (quoted and
block scalars are text), then decodes the text itself. Measured against jackson-dataformat-yaml
2.17.2 (``tests/oracle`` runs the real jars):

* booleans are ``yes``/``no``/``on``/``off``/``true``/``false`` in lower, Capital or UPPER case;
  ``y`` and ``n`` are text;
* integers may be binary (``0b``), octal (a leading ``0``), hexadecimal (``0x``) or decimal, with
  ``_`` separators; sexagesimal (``1:20``) and ``08`` are text;
* floats include ``1e3`` (no dot needed); ``.inf``, ``.nan`` and sexagesimal floats make Jackson's
  whole read fail;
* null is ``~``, ``null``, ``Null``, ``NULL`` or nothing; timestamps and ``<<`` are text;
* SnakeYAML tries a pattern only up to a length (10 characters for booleans and null, 1024 for
  numbers): a longer scalar is text; a number of 1001 to 1024 characters is an error;
* explicit tags: ``!!int``, ``!!float``, ``!!bool``, ``!!null`` and ``!!binary`` decode the text,
  every other tag leaves it text, and the non-specific ``!`` resolves even a quoted scalar.

Every pattern here runs in linear time on hostile input.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

STANDARD_TAG = "tag:yaml.org,2002:"
KNOWN_TAGS = frozenset(
    STANDARD_TAG + name
    for name in (
        "str", "int", "float", "bool", "null", "binary", "timestamp", "merge", "value", "yaml",
        "map", "seq", "set", "omap", "pairs",
    )
)  # fmt: skip
"""Tags of the YAML type repository; any other tag is refused before it reaches a value."""

_BOOL = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_TAGGED_BOOL = {"y": True, "yes": True, "on": True, "true": True}
_TAGGED_BOOL.update({"n": False, "no": False, "off": False, "false": False})
_NULL = frozenset(("", "~", "null", "Null", "NULL", " "))
_PATTERN_LIMIT = 1024
_NUMBER_LIMIT = 1000
# SnakeYAML's INT and FLOAT patterns, written without ambiguous repetitions.
_INT = re.compile(
    r"[-+]?0b_*[01][01_]*"
    r"|[-+]?0_*[0-7][0-7_]*"
    r"|[-+]?(?:0|[1-9][0-9_]*)"
    r"|[-+]?0x_*[0-9a-fA-F][0-9a-fA-F_]*"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
)
_FLOAT = re.compile(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN)"
)
# What Java's Double.parseDouble accepts (hexadecimal floats aside), after trimming.
_JAVA_DOUBLE = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)"
)
_INT_START = frozenset("-+0123456789")
_FLOAT_START = frozenset("-+0123456789.")
_DIGITS = frozenset("0123456789_")
_RADIX = {"b": 2, "B": 2, "x": 16, "X": 16}


class Unreadable(ValueError):
    """Jackson's reader fails on this scalar (and Optimize then ignores the whole file)."""


def plain_scalar(value: str) -> Any:
    """The value of an untagged plain scalar (or one tagged ``!``), as Jackson holds it."""
    if len(value) <= 10:
        if value in _BOOL:
            return _BOOL[value]
        if value in _NULL:
            return None
    if len(value) > _PATTERN_LIMIT:
        return value
    first = value[:1]
    if first in _INT_START and _INT.fullmatch(value):
        return _checked_length(value, decode_int(value))
    if first in _FLOAT_START and _FLOAT.fullmatch(value):
        return _checked_length(value, decode_float(value))
    return value


def _checked_length(text: str, value: Any) -> Any:
    if not isinstance(value, str) and len(text) > _NUMBER_LIMIT:
        raise Unreadable(f"a number longer than {_NUMBER_LIMIT} characters")
    return value


def decode_int(value: str) -> Any:
    """Jackson's integer decoding: a number, text where it gives up, Unreadable on bad digits."""
    start = 1 if value[:1] in "+-" else 0
    sign = -1 if value[:1] == "-" else 1
    if start == len(value):
        raise Unreadable("a sign without a number")
    body = value[start:]
    if body[0] == "0" and len(body) > 1:
        marker = body[1]
        if marker in _RADIX:
            return sign * _parse(body[2:], _RADIX[marker])
        if marker in _DIGITS:
            return sign * _parse(body[1:], 8)
        return value
    if not all(char in _DIGITS for char in body):
        return value
    return sign * int(body.replace("_", ""))


def _parse(digits: str, radix: int) -> int:
    try:
        return int(digits.replace("_", ""), radix)
    except ValueError:
        raise Unreadable(f"an invalid base-{radix} number") from None


def decode_float(value: str) -> float:
    """Underscores dropped, then Java's double parsing; what Java refuses is Unreadable."""
    text = value.replace("_", "").strip(_JAVA_BLANKS)
    if not _JAVA_DOUBLE.fullmatch(text):
        raise Unreadable("a number Optimize's reader cannot parse (.inf, .nan or 1:20.5)")
    core = text.rstrip("fFdD") if not text.endswith(("NaN", "Infinity")) else text
    return float(core)


_JAVA_BLANKS = "".join(chr(code) for code in range(0x21))


def tagged_scalar(tag: str, value: str) -> Any:
    """The value of a scalar with an explicit standard tag (``!!int "2"``, ``!!null x``)."""
    name = tag[len(STANDARD_TAG) :].split(",", 1)[0] if tag.startswith(STANDARD_TAG) else ""
    if name == "binary":
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise Unreadable("invalid base64 in a !!binary value") from None
    if name == "bool":
        return _TAGGED_BOOL.get(value.lower(), value)
    if value == "" or name not in ("int", "float", "null"):
        return value
    if name == "null":
        return None
    return decode_int(value) if name == "int" else decode_float(value)
