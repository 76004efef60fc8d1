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
  numbers): a longer scalar is text; Jackson refuses a number whose text for the JDK parser
  (underscores dropped, and for ``0x``/``0b``/octal only the digits) is over 1000 characters;
* explicit tags: ``!!int``, ``!!float``, ``!!bool``, ``!!null`` and ``!!binary`` decode the text,
  every other tag leaves it text, and the non-specific ``!`` resolves even a quoted scalar;
* the decoding is Java's, not Python's: ``Character.digit`` digits (any Unicode decimal digit,
  fullwidth letters, no blanks, one sign), ``Double.parseDouble`` (hexadecimal ``0x1p3``,
  ``1.5f``, ``NaN``), ``equalsIgnoreCase`` for ``!!bool`` (``yeſ`` is true) and Jackson's MIME
  base64 (blanks only between 4-character units).

Every pattern here runs in linear time on hostile input.
"""

from __future__ import annotations

import base64
import re
import unicodedata
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
_TAGGED_LETTERS = {"y": True, "Y": True, "n": False, "N": False}
_TAGGED_WORDS = (("no", False), ("on", True), ("yes", True), ("off", False), ("true", True),
                 ("false", False))  # fmt: skip
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
# What Java's Double.parseDouble accepts, after trimming: decimal and hexadecimal forms.
_JAVA_DOUBLE = re.compile(
    r"[+-]?(?:NaN|Infinity|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)"
)
_JAVA_HEX_DOUBLE = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?"
)
# One 4-character unit of Jackson's MIME base64 (padding required, no blank inside a unit).
_BASE64_UNIT = re.compile(r"[A-Za-z0-9+/]{2}(?:[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]=|==)")
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
        return decode_int(value)
    if first in _FLOAT_START and _FLOAT.fullmatch(value):
        return decode_float(value)
    return value


def decode_int(value: str) -> Any:
    """Jackson's integer decoding: a number, text where it gives up, Unreadable on bad digits."""
    start = 1 if value[:1] in "+-" else 0
    if start == len(value):
        raise Unreadable("a sign without a number")
    body = value[start:]
    if body[0] == "0" and len(body) > 1:
        return _decode_radix(value, body, negative=value[:1] == "-")
    if not all(char in _DIGITS for char in body):
        return value
    # With underscores Jackson drops them and a leading "+"; "_" alone leaves nothing to parse.
    cleaned = (value.removeprefix("+") if "_" in value else value).replace("_", "")
    return _java_integer(_limited(cleaned), 10)


def _decode_radix(value: str, body: str, *, negative: bool) -> Any:
    """``0b…``, ``0x…`` and ``0…`` (octal): the digits after the marker, underscores dropped."""
    marker = body[1]
    if marker in _RADIX:
        radix, digits = _RADIX[marker], body[2:]
    elif marker in _DIGITS:
        radix, digits = 8, body[1:]
    else:
        return value
    number = _java_integer(_limited(digits.replace("_", "")), radix)
    return -number if negative else number


def _limited(cleaned: str) -> str:
    """Jackson's number length limit, on the text it hands to the JDK parser."""
    if len(cleaned) > _NUMBER_LIMIT:
        raise Unreadable(f"a number longer than {_NUMBER_LIMIT} characters")
    return cleaned


def _java_integer(text: str, radix: int) -> int:
    """``Integer.parseInt``/``new BigInteger(text, radix)``: one optional sign, then at least one
    digit as ``Character.digit`` reads it (Python's ``int`` would also take blanks, ``0x``)."""
    sign = -1 if text[:1] == "-" else 1
    digits = [_java_digit(char) for char in (text[1:] if text[:1] in "+-" else text)]
    if not digits or not all(0 <= digit < radix for digit in digits):
        raise Unreadable(f"an invalid base-{radix} number")
    return sign * int("".join(_DIGIT_CHARS[digit] for digit in digits), radix)


_DIGIT_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _java_digit(char: str) -> int:
    """Java's ``Character.digit`` for radix 36: any decimal digit of one UTF-16 unit, ASCII and
    fullwidth Latin letters; -1 for anything else."""
    code = ord(char)
    if char.isascii():
        return int(char, 36) if char.isalnum() else -1
    if 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
        return (code - 0xFF21) % 0x20 + 10
    if code > 0xFFFF:  # a surrogate pair to Java, never a digit
        return -1
    return unicodedata.decimal(char, -1)


def decode_float(value: str) -> float:
    """Underscores (and then a leading ``+``) dropped, then Java's ``Double.parseDouble``;
    what Java refuses is Unreadable."""
    cleaned = (value.removeprefix("+") if "_" in value else value).replace("_", "")
    text = _limited(cleaned).strip(_JAVA_BLANKS)
    if _JAVA_DOUBLE.fullmatch(text):
        return float(text if text.endswith(("NaN", "Infinity")) else text.rstrip("fFdD"))
    if _JAVA_HEX_DOUBLE.fullmatch(text):
        return _hex_double(text.rstrip("fFdD"))
    raise Unreadable("a number Optimize's reader cannot parse (.inf, .nan or 1:20.5)")


def _hex_double(text: str) -> float:
    """``0x1.8p1``: Java rounds an exponent too large to Infinity, Python raises."""
    try:
        return float.fromhex(text)
    except OverflowError:
        return float("-inf") if text.startswith("-") else float("inf")


_JAVA_BLANKS = "".join(chr(code) for code in range(0x21))


def tagged_scalar(tag: str, value: str) -> Any:
    """The value of a scalar with an explicit standard tag (``!!int "2"``, ``!!null x``)."""
    name = tag[len(STANDARD_TAG) :].split(",", 1)[0] if tag.startswith(STANDARD_TAG) else ""
    if name == "binary":
        return decode_binary(value)
    if name == "bool":
        matched = tagged_bool(value)
        return value if matched is None else matched
    if value == "" or name not in ("int", "float", "null"):
        return value
    if name == "null":
        return None
    return decode_int(value) if name == "int" else decode_float(value)


def decode_binary(value: str) -> bytes:
    """Jackson's MIME base64: blanks (up to U+0020) only between 4-character units, each unit
    complete with its padding; another unit may follow a padded one."""
    text = value.strip(_JAVA_BLANKS)
    decoded: list[bytes] = []
    position = 0
    while position < len(text):
        if text[position] <= " ":
            position += 1
            continue
        unit = text[position : position + 4]
        if not _BASE64_UNIT.fullmatch(unit):
            raise Unreadable("invalid base64 in a !!binary value")
        decoded.append(base64.b64decode(unit))
        position += 4
    return b"".join(decoded)


def tagged_bool(value: str) -> bool | None:
    """Jackson's own matcher for ``!!bool``: ``y``/``n`` in either case, else the words compared
    with Java's ``equalsIgnoreCase`` (so ``yeſ``, with a long s, is true); None for no match."""
    if len(value) == 1:
        return _TAGGED_LETTERS.get(value)
    for word, meaning in _TAGGED_WORDS:
        if len(word) == len(value) and all(map(_same_letter, word, value)):
            return meaning
    return None


def _same_letter(letter: str, char: str) -> bool:
    """One step of Java's ``equalsIgnoreCase`` for an ASCII lowercase ``letter``: equal after
    ``Character.toUpperCase``, or after that and ``Character.toLowerCase``."""
    upper = _one_char(char.upper(), char)
    return upper == letter.upper() or _one_char(upper.lower(), upper) == letter


def _one_char(mapped: str, char: str) -> str:
    """Java's per-character case mapping keeps a character whose mapping is several (``ß``)."""
    return mapped if len(mapped) == 1 else char
