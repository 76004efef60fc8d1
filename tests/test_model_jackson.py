"""The differential test: for every document, the reader's values are Jackson's tree.

``hardener.yaml.read_config`` must hold exactly what Optimize's reader (``YAMLMapper.readTree``,
jackson-dataformat-yaml 2.17.2 over SnakeYAML 2.2, run for real by ``tests/jackson_oracle``)
holds: the same keys in the same order, the same values of the same types (``True`` is not
``1``, ``1`` is not ``1.0``, ``"1"`` is not ``1``). Or the reader refuses the document with one
of its documented policy refusals: stricter than Jackson (duplicate keys, several documents, a
root that is not a mapping, tags outside the YAML type repository, undefined or recursive
aliases, deep nesting), or because Jackson's read fails too (invalid YAML, values Jackson cannot
decode, aliases or collections as keys). Anything else is a failure.

Where ruamel's parser (or libyaml) reads text differently from SnakeYAML, the parser is not ours
to fix: ``KNOWN_PARSER_DIFFERENCES`` names each such class of input precisely and asserts what
the difference is for it (never a blanket skip); ``PINNED_CASES`` pins the
irregular ones (NEL/LS/PS line breaks, anchor names) one by one.

Documents come from a grammar (Hypothesis), from every YAML file under ``tests/``, from every
configuration the tool generates or merges, from the shipped catalogs and profiles, and from a
few hand-written shapes seen in real configurations (written for this test, not copied).
One JVM serves the whole module.
"""

from __future__ import annotations

import base64
import functools
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from hardener.errors import ConfigSyntaxError
from hardener.yaml import Config, Node, decode_source, parse_nodes, read_config
from hardener.yaml.nodes import RECURSIVE, SEVERAL_DOCUMENTS, TOO_DEEP
from hardener.yaml.tree import first_value
from tests.jackson_oracle import JacksonOracle, OracleResult, oracle_or_skip

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def oracle() -> Iterator[JacksonOracle]:
    started = oracle_or_skip()
    yield started
    started.close()


# ------------------------------------------------------------------------------- the verdict

# The reader is stricter than Jackson here by policy: Jackson reads something, we refuse.
STRICTER = {
    "duplicate key": "invalid YAML: found duplicate key",
    "several documents": re.escape(SEVERAL_DOCUMENTS),
    "root not a mapping": "the top level is ",
    "tag outside the type repository": "unsupported YAML tag ",
    "undefined alias": r"alias \*.+ refers to an undefined anchor",
    "recursive alias": re.escape(RECURSIVE),
    "too deep": re.escape(TOO_DEEP),
}
# Refused because Jackson's read of the same document fails as well.
JACKSON_FAILS_TOO = {
    "value Jackson cannot decode": "Optimize's reader fails on this value",
    "alias as key": "an alias used as a key",
    "collection as key": "a list or mapping used as a key",
    "invalid YAML": "invalid YAML: ",
    "binary data": r"binary data \(NUL byte\)",
}


def _policy(message: str, table: dict[str, str]) -> str | None:
    """The table's name for ``message``: each entry is a pattern matched at its start."""
    return next((name for name, start in table.items() if re.match(start, message)), None)


def classify_refusal(message: str) -> tuple[str, bool] | None:
    """(policy name, whether Jackson must fail too) for a documented refusal, else None."""
    stricter = _policy(message, STRICTER)
    if stricter is not None:
        return stricter, False
    too = _policy(message, JACKSON_FAILS_TOO)
    return (too, True) if too is not None else None


def first_difference(ours: Any, theirs: Any, path: str = "") -> str | None:
    """Where two trees differ, value or type; None when they are the same, strictly."""
    where = path or "(root)"
    if type(ours) is not type(theirs):
        return (
            f"{where}: reader {type(ours).__name__} {ours!r}, "
            f"Jackson {type(theirs).__name__} {theirs!r}"
        )
    if isinstance(ours, dict):
        if list(ours) != list(theirs):
            return f"{where}: reader keys {list(ours)!r}, Jackson keys {list(theirs)!r}"
        return _first_in(ours, theirs, path)
    if isinstance(ours, list):
        if len(ours) != len(theirs):
            return f"{where}: reader {len(ours)} items, Jackson {len(theirs)} items"
        return _first_in(dict(enumerate(ours)), dict(enumerate(theirs)), path)
    same = _same_float(ours, theirs) if isinstance(ours, float) else ours == theirs
    return None if same else f"{where}: reader {ours!r}, Jackson {theirs!r}"


def _first_in(ours: dict[Any, Any], theirs: dict[Any, Any], path: str) -> str | None:
    for key, value in ours.items():
        found = first_difference(value, theirs[key], f"{path}[{key!r}]")
        if found is not None:
            return found
    return None


def _same_float(ours: float, theirs: float) -> bool:
    """Equal and of the same sign (0.0 is not -0.0). NaN is refused as ``.nan`` but not as
    ``!!float NaN``, which Jackson reads as NaN too: two NaNs are the same value here."""
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    return ours == theirs and math.copysign(1, ours) == math.copysign(1, theirs)


@dataclass
class Outcome:
    """One document as both readers saw it."""

    text: str  # as the reader parsed it (decoded, without a leading BOM)
    jackson: OracleResult
    config: Config | None = None
    error: ConfigSyntaxError | None = None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""

    @property
    def error_offset(self) -> int | None:
        """Index in ``text`` of the reader's error position (lines end at \\r\\n, \\r or
        \\n; a NEL, LS or PS inside a quoted scalar does not count)."""
        if self.error is None or self.error.line is None or self.error.column is None:
            return None
        starts = [0] + [m.end() for m in re.finditer("\r\n|[\n\r]", self.text)]
        if self.error.line > len(starts):
            return None
        return starts[self.error.line - 1] + self.error.column - 1


def read_both(jackson: OracleResult, data: bytes, name: str) -> Outcome:
    try:
        source = decode_source(data, name)
    except ConfigSyntaxError as error:
        return Outcome(data.decode("utf-8", "replace"), jackson, error=error)
    try:
        return Outcome(source.text, jackson, config=read_config(source))
    except ConfigSyntaxError as error:
        return Outcome(source.text, jackson, error=error)


def plain_verdict(outcome: Outcome) -> tuple[str, str | None]:
    """(outcome's name, None) when the reader holds Jackson's tree or refuses by policy, else
    (a name, what is wrong)."""
    jackson, config = outcome.jackson, outcome.config
    if config is None:
        return _refusal_verdict(outcome)
    if not jackson.ok:
        return "mismatch", f"the reader accepts what Jackson's read fails on: {jackson.error}"
    root = config.nodes.root
    if root is None or root.kind == "scalar":  # nothing, or a null root: no settings
        if (jackson.missing or jackson.tree is None) and config.data == {}:
            return "same (empty)", None
        return "mismatch", f"empty document: reader {config.data!r}, Jackson {jackson.tree!r}"
    difference = first_difference(config.data, jackson.tree)
    return ("same", None) if difference is None else ("mismatch", difference)


def _refusal_verdict(outcome: Outcome) -> tuple[str, str | None]:
    policy = classify_refusal(outcome.message)
    if policy is None:
        return "mismatch", f"an undocumented refusal: {outcome.error}"
    name, jackson_must_fail = policy
    if jackson_must_fail and outcome.jackson.ok:
        tree = outcome.jackson.tree
        return "mismatch", f"the reader refuses ({outcome.error}) what Jackson reads as {tree!r}"
    return (f"both refuse: {name}" if jackson_must_fail else f"policy: {name}"), None


def _shown(text: str | bytes) -> str:
    kind = "bytes" if isinstance(text, bytes) else "chars"
    return f"\n--- document ({len(text)} {kind}) ---\n{text!r}\n"


def verdict(oracle: JacksonOracle, text: str | bytes, name: str = "<generated>") -> str:
    """Checks one document against Jackson; returns the outcome's name (for statistics) or
    fails with the document shown."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    outcome = read_both(oracle.read_bytes(data), data, name)
    label, problem = plain_verdict(outcome)
    if problem is None:
        return label
    known = next((k for k in KNOWN_PARSER_DIFFERENCES if k.applies(outcome)), None)
    assert known is not None, problem + _shown(text)
    failure = known.check(outcome)
    assert failure is None, f"known difference {known.name!r}: {failure}" + _shown(text)
    return f"known: {known.name}"


# ------------------------------------------------------------------ known parser differences


@dataclass(frozen=True)
class KnownDifference:
    """A class of input that ruamel's parser (or libyaml) reads differently from SnakeYAML:
    ``applies`` recognises it precisely, ``check`` asserts what the difference is (None when
    it holds, else what is wrong)."""

    name: str
    applies: Callable[[Outcome], bool]
    check: Callable[[Outcome], str | None]


def _walk(node: Node | None, flow: bool = False) -> Iterator[tuple[Node, bool, str]]:
    """Every node with whether it sits in a flow collection and its role (key/value/item)."""
    stack: list[tuple[Node, bool, str]] = [(node, flow, "root")] if node is not None else []
    while stack:
        current, in_flow, role = stack.pop()
        yield current, in_flow, role
        inner = in_flow or current.flow
        if current.kind == "seq":
            stack.extend((item, inner, "item") for item in current.items)
        elif current.kind == "map":
            for key, value in current.items:
                stack.extend(((key, inner, "key"), (value, inner, "value")))


def _accepted_nodes(outcome: Outcome) -> Iterator[tuple[Node, bool, str]]:
    if outcome.config is not None and not outcome.jackson.ok:
        yield from _walk(outcome.config.nodes.root)


def _jackson_parse_error(outcome: Outcome) -> str | None:
    """Jackson's read failed in SnakeYAML's parser (not in decoding a value)."""
    if outcome.jackson.error.startswith("MarkedYAMLException: "):
        return None
    return f"Jackson failed otherwise: {outcome.jackson.error or outcome.jackson.tree!r}"


def _omitted_key(outcome: Outcome) -> bool:
    """``: v`` or ``{x: 1, : v}``: an implicit key left out (not ``? `` with nothing after)."""
    for node, _, role in _accepted_nodes(outcome):
        if role == "key" and node.plain and node.value == "" and not (node.tag or node.anchor):
            colon = _colon_near(outcome.text, node.start)
            if colon is not None and not outcome.text[:colon].rstrip(" \t\r\n").endswith("?"):
                return True
    return False


def _colon_near(text: str, start: int) -> int | None:
    """The ``:`` an empty key's mark stands at or just after (parsers differ), if any."""
    after = len(text) - len(text[start:].lstrip(" \t"))
    if text[after : after + 1] == ":":
        return after
    before = len(text[:start].rstrip(" \t")) - 1
    return before if before >= 0 and text[before] == ":" else None


def _colon_led_flow_scalar(outcome: Outcome) -> bool:
    """``[:a]``, ``[a, :]``: a plain scalar starting with ``:`` inside a flow collection."""
    return any(
        in_flow and node.plain and node.value.startswith(":")
        for node, in_flow, _ in _accepted_nodes(outcome)
    )


def _question_in_flow_scalar(outcome: Outcome) -> bool:
    """``[http://h/p?q=1]``, ``{a: b?}``: in a flow collection SnakeYAML ends a plain scalar at
    ``?`` (and then fails); ruamel keeps the ``?`` in the scalar."""
    return any(
        in_flow and node.plain and "?" in node.value[1:]
        for node, in_flow, _ in _accepted_nodes(outcome)
    )


# SnakeYAML 2.2 ends an anchor or alias name at a blank or one of these, and then accepts only
# a blank or one of "?:,]}%@`" (so ``&a.b`` fails and ``&a:b x`` is ``&a`` then ``:b x``);
# libyaml takes only ASCII letters, digits, "-" and "_"; ruamel's pure parser more.
_SNAKEYAML_NAME_STOPS = frozenset(":,[]{}/.*&")


def _odd_anchor_name(outcome: Outcome) -> bool:
    """The reader read an anchor or alias name SnakeYAML cannot (``&a.b``, ``&a&b``, ``&&``,
    read by ruamel's pure parser), or refused a name SnakeYAML reads (a BOM in it)."""
    if outcome.config is None:
        bom = "expected alphabetic or numeric character, but found '\\ufeff'"
        return outcome.message.startswith("invalid YAML: ") and bom in outcome.message
    for node, _, _ in _accepted_nodes(outcome):
        name = node.target.anchor if node.kind == "alias" and node.target else node.anchor
        if name and _SNAKEYAML_NAME_STOPS.intersection(name):
            return True
    return False


def _jackson_read_or_parse_error(outcome: Outcome) -> str | None:
    """Jackson read what the reader refused, or failed in parsing what the reader read."""
    if outcome.config is None:
        return None if outcome.jackson.ok else f"Jackson failed too: {outcome.jackson.error}"
    return _jackson_parse_error(outcome)


_YAML12_ESCAPE = re.compile(r"found unknown escape character (?:/\(47\)|\t\(9\))")


def _yaml12_escape(outcome: Outcome) -> bool:
    """``"\\/"`` and ``"\\<TAB>"`` are YAML 1.2 escapes, unknown to SnakeYAML (YAML 1.1)."""
    return outcome.config is not None and bool(_YAML12_ESCAPE.search(outcome.jackson.detail))


def _tab_in_plain(outcome: Outcome) -> bool:
    """Every text holding a tab goes to ruamel's pure parser, which refuses a tab inside or
    after a plain scalar (``a: x\\ty``, ``a: 1\\t# c``, ``[x\\ty]``), where SnakeYAML reads
    the tab as part of the scalar or as blank space."""
    offset = outcome.error_offset
    if outcome.config is not None or not outcome.jackson.ok or offset is None:
        return False
    return "\t" in outcome.text[max(offset - 1, 0) : offset + 1]


def _tab_between_tokens(outcome: Outcome) -> bool:
    """The other direction, and the dangerous one: SnakeYAML never skips a tab between two
    tokens (``{a: 1, b:<TAB>}``, ``[1,<TAB>2]``), so Optimize's read fails, while ruamel's
    pure parser, which reads every text holding a tab, takes it as blank space."""
    detail = outcome.jackson.detail or outcome.jackson.error
    return outcome.config is not None and "(TAB)" in detail and "cannot start any token" in detail


def _block_scalar_indentation(outcome: Outcome) -> bool:
    """ruamel's own rule (not SnakeYAML's): a block scalar whose first line is blank but holds
    spaces may not continue with a line indented further. The reader parses with libyaml first
    and meets this only where the text goes to ruamel's pure parser."""
    quirk = "invalid YAML: more indented follow up line than first in a block scalar"
    return outcome.message.startswith(quirk) and outcome.jackson.ok


def _after_first_root(outcome: Outcome) -> bool:
    """Jackson reads the first root value and never parses the rest (``{a: 1} x``,
    ``  a: 1\\nb: 2``, ``&a &b x``); the reader parses the whole text and refuses it."""
    if not outcome.message.startswith("invalid YAML: ") or not outcome.jackson.ok:
        return False
    try:
        tree = parse_nodes(outcome.text, "<first>", first_only=True)
    except ConfigSyntaxError:
        return False
    offset = outcome.error_offset
    return tree.root is not None and offset is not None and offset >= tree.root.end


def _first_root_is_jacksons(outcome: Outcome) -> str | None:
    """The reader's first root value (with the flow ``b:`` difference spaced away, as in
    ``_spaced_flow_colons``) is Jackson's tree."""
    text = outcome.text
    spots = _colon_spots_in(parse_nodes(text, "<first>", first_only=True).root, text)
    try:
        ours = first_value(_with_spaces_after(text, spots))
    except ConfigSyntaxError as error:  # the first root alone is refused by policy
        policy = classify_refusal(error.message)
        return None if policy is not None and not policy[1] else f"then: {error}"
    theirs = None if outcome.jackson.missing else outcome.jackson.tree
    difference = first_difference(ours, theirs)
    return None if difference is None else f"the first root value differs: {difference}"


_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]*#")


def _block_header_comment(outcome: Outcome) -> bool:
    """``|#c``: ruamel reads a comment right after a block scalar's header, SnakeYAML wants a
    blank before the ``#``."""
    return any(
        node.kind == "scalar"
        and node.style in ("|", ">")
        and _BLOCK_HEADER_COMMENT.match(outcome.text, node.start) is not None
        for node, _, _ in _accepted_nodes(outcome)
    )


_EXPLICIT_KEY = re.compile(r"(?m)^[ \t-]*\?(?:[ \t]|$)")


def _value_without_colon(outcome: Outcome) -> bool:
    """``? k`` and then, more indented, ``v`` with no ``:`` before it: SnakeYAML takes ``v`` as
    the key's value (``? "x"\\n  y`` is ``{x: y}``); ruamel refuses the scalar."""
    offset = outcome.error_offset
    found = "invalid YAML: expected <block end>, but found '<scalar>'"
    if not outcome.message.startswith(found) or not outcome.jackson.ok or offset is None:
        return False
    return _EXPLICIT_KEY.search(outcome.text, 0, offset) is not None


def _directives_only(outcome: Outcome) -> bool:
    """``%FOO`` lines and nothing else: SnakeYAML reads no document, ruamel wants one."""
    lines = [line.strip() for line in re.split("\r\n|[\n\r]", outcome.text)]
    content = [line for line in lines if line and not line.startswith("#")]
    return (
        outcome.config is None
        and bool(content)
        and all(line.startswith("%") for line in content)
        and outcome.jackson.missing
    )


def _reader_refused_invalid_yaml(outcome: Outcome) -> str | None:
    if outcome.message.startswith("invalid YAML: ") and outcome.jackson.ok:
        return None
    return f"expected an 'invalid YAML' refusal of what Jackson reads, got {outcome.error}"


def _flow_colon_spots(outcome: Outcome) -> list[int]:
    """Offsets of ``:`` that SnakeYAML 2.2 takes as a value indicator in a flow collection
    because a flow indicator follows it (``{b:[c]}``, ``{b:}``, ``[b:, c]``), where ruamel
    reads it as part of the plain scalar or refuses; and of ``:`` right after a quoted key in a
    flow sequence (``["a":1]``), which ruamel's pure parser refuses (libyaml reads it, but a
    text with a tab goes to the pure parser)."""
    text, offset = outcome.text, outcome.error_offset
    if outcome.config is None:
        if offset is None or offset < 1 or not outcome.jackson.ok:
            return []
        if text[offset - 1 : offset + 1] in (":[", ":{"):
            return [offset - 1]
        return [offset] if text[offset : offset + 1] == ":" and text[offset - 1] in "'\"" else []
    return _colon_spots_in(outcome.config.nodes.root, text)


def _colon_spots_in(root: Node | None, text: str) -> list[int]:
    """Where the reader's tree holds ``b:`` in a flow collection right before ``,]}``."""
    return [
        node.end - 1
        for node, in_flow, _ in _walk(root)
        if in_flow
        and node.plain
        and node.value.endswith(":")
        and text[node.end : node.end + 1] in (",", "]", "}")
    ]


def _with_spaces_after(text: str, spots: list[int]) -> str:
    for spot in sorted(spots, reverse=True):
        text = text[: spot + 1] + " " + text[spot + 1 :]
    return text


def _flow_colon(outcome: Outcome) -> bool:
    return bool(_flow_colon_spots(outcome))


def _spaced_flow_colons(outcome: Outcome) -> str | None:
    """With a space after each such ``:``, the reader reads what Jackson read of the original."""
    text = outcome.text
    for _ in range(20):
        spots = _flow_colon_spots(outcome)
        if not spots:
            break
        text = _with_spaces_after(text, spots)
        outcome = read_both(outcome.jackson, text.encode("utf-8"), "<spaced>")
    _, problem = plain_verdict(outcome)
    return None if problem is None else f"with spaces after them: {problem}"


KNOWN_PARSER_DIFFERENCES: tuple[KnownDifference, ...] = (
    KnownDifference("omitted key", _omitted_key, _jackson_parse_error),
    KnownDifference("':'-led plain scalar in flow", _colon_led_flow_scalar, _jackson_parse_error),
    KnownDifference(
        "'?' in a plain scalar in flow", _question_in_flow_scalar, _jackson_parse_error
    ),
    KnownDifference("anchor name characters", _odd_anchor_name, _jackson_read_or_parse_error),
    KnownDifference("YAML 1.2 escape", _yaml12_escape, lambda outcome: None),
    KnownDifference("tab in or after a plain scalar", _tab_in_plain, _reader_refused_invalid_yaml),
    KnownDifference("tab between tokens", _tab_between_tokens, _jackson_parse_error),
    KnownDifference(
        "block scalar indentation", _block_scalar_indentation, _reader_refused_invalid_yaml
    ),
    KnownDifference("':' before a flow indicator", _flow_colon, _spaced_flow_colons),
    KnownDifference("text after the first root value", _after_first_root, _first_root_is_jacksons),
    KnownDifference(
        "value without ':' after '?'", _value_without_colon, _reader_refused_invalid_yaml
    ),
    KnownDifference("'#' right after a block header", _block_header_comment, _jackson_parse_error),
    KnownDifference("directives only", _directives_only, _reader_refused_invalid_yaml),
)


# ------------------------------------------------------------------------------ the grammar

BOOL_WORDS = ("yes", "no", "true", "false", "on", "off", "y", "n")
NULL_FORMS = ("~", "null", "Null", "NULL", "nUll", "NuLL")
EDGE_INTS = (
    "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "0x7FFFFFFF", "0x80000000", "0xFFFFFFFF",
    "0x7FFFFFFFFFFFFFFF", "0x8000000000000000", "-0x80000000", "0b" + "1" * 31,
    "0b" + "1" * 32, "0b" + "1" * 63, "0b" + "1" * 64, "017777777777", "020000000000",
    "0777777777777777777777", "01777777777777777777777", "1" * 1000, "1" * 1001, "1_" * 510,
    "0x" + "f" * 1000, "0x" + "f" * 1001, "1" * 1025,
)  # fmt: skip
ODD_INTS = (
    "08", "09", "0o17", "0x_1F", "0x_", "0b_", "_1", "-_1", "0_", "1__0", "1_", "+12", "012_3",
    "0b2", "0xG", "0X1F", "1:20", "-1:20", "190:20:30", "20:30", "1:60", "00", "-0", "+0", "0.",
)  # fmt: skip
ODD_FLOATS = (
    ".inf", "-.inf", "+.inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", "-.nan", ".iNf", "inf",
    "nan", "NaN", "Infinity", "1:20.5", "190:20:30.15", "._", "_.5", "1e", "1e3_", "._5",
    "1._5", "1.e3", ".5e3", "1_e3", "-.5", "6.02e23", "0.1", "1e400", "-1e400", "1e-400",
    "4.9e-324", "1.7976931348623157e308", "-0.0", "1." + "1" * 998, "1." + "1" * 999, "1.0e",
    ".", "-.", "1.5.5", "1e3e3",
)  # fmt: skip
TIMESTAMPS = (
    "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    "2001-12-15T02:59:43.1Z", "2002-1-1 1:2:3", "2001-12-14T21:59:43", "12:30:45",
)  # fmt: skip
MISC = (
    "<<", "=", "${A}", "${A:x}", "${OPTIMIZE_API_ACCESS_TOKEN:null}", "${A:${B:x}}",
    "${A:x}-${B:y}", "http://localhost:8090/engine-rest", "es1:9200", "a:b", "key=value",
    "-x", "a-b", "a b c", "$", "%x", "@x", "`x", "a'b", 'a"b', "a\\b", "x,y", "C:\\temp",
    "sha256:abc", "*/5 * * * *", "0 0 1 * * ?", "max-age=31536000; includeSubDomains",
    "base-uri 'self'", "é", "中文", "😀", "ſ", "a\u00a0b", "a\u200bb",
)  # fmt: skip
# Plain scalars only a block context allows, some of which no parser reads.
MISC_BLOCK_ONLY = (
    "${A:x #y}", "[a, b]x", "a #b", "a# b", "x]", "{{ .Values.x }}", "${A: x}", "- x", "? x",
    "a: b", "|x", ">x", "!x y", "&", "*", "!",
)  # fmt: skip
TEXT_ALPHABET = (
    "abcxyzABC019 -_./:@=%+,#'\"\\[]{}&*!|>?~`$éü中𝄞😀ſİ\u00a0\u200b\u2028\u0085\ufeff\t"
)
SAFE_TEXT_ALPHABET = "abcxyzABC019 -_./=+éü中𝄞😀ſ"
INT_TAG_VALUES = (
    "", "_", "-_", "+", "-", "0x", "0b", "0_", "1.5", "x", "0x-1F", "-0x-1F", "0x+1F",
    "0x\uff11\uff21", "01\u0667", "0\U0001d7ce", "1:20", "0x0x1F", "00o7", "١٢",
)  # fmt: skip
FLOAT_TAG_VALUES = (
    "", "0x1p3", "0x1.8p1", "-0x.8p-1", "0X1P1F", "0x1p99999", "0x10", "NaN", "+NaN",
    "Infinity", "-Infinity", "Infinityf", "1f", "1.5d", "1e5D", "1_000", "+_1", "1e3_", "abc",
    "1", "-0", "٣.٥",
)  # fmt: skip
BOOL_TAG_VALUES = ("", "1", "0", "x", "yeſ", "falſe", "ON", "tRuE", "nO", "Y", "n", "yess")
BINARY_ODD = (
    "aGk=aGk=", "====", "aG==", "aGl=", "aGk==", "a=k=", "aGk=!", "notbase64!", "aGVsbG8",
    "", "aGV sbG8=", "aGVs bG8=",
)  # fmt: skip
ANCHOR_NAMES = ("base", "x", "a-b", "a_b", "a1", "defaults", "é")
COMMENTS = ("# c", "#", "# a: b", "# 'q' \"d\" [x] {y}", "#é 😀", "# ${A:x}")
TAGS = (
    "!!str", "!!int", "!!bool", "!!null", "!!float", "!!binary", "!", "!!timestamp",
    "!<tag:yaml.org,2002:int>", "!<tag:yaml.org,2002:str>", "!<!>", "!!merge", "!custom",
)  # fmt: skip
COLLECTION_TAGS = ("!!map", "!!seq", "!!set", "!!omap", "!!str", "!!int", "!!pairs")


@functools.cache
def _sampled_tuple(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


def _sampled(options: Any) -> st.SearchStrategy[Any]:
    """``st.sampled_from``, built once per list of options (building them dominated the run)."""
    return _sampled_tuple(tuple(options))


@functools.cache
def _between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


@functools.cache
def _text(alphabet: str, min_size: int = 0, max_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size)


def _sprinkle(draw: Any, digits: str) -> str:
    """``digits`` with underscores put in at a few places (possibly leading, doubled)."""
    if not digits or draw(_between(0, 2)):
        return digits
    places = draw(st.lists(_between(0, len(digits)), min_size=1, max_size=3))
    for place in sorted(places, reverse=True):
        digits = digits[:place] + "_" + digits[place:]
    return digits


@st.composite
def bool_words(draw: Any) -> str:
    word: str = draw(_sampled(BOOL_WORDS))
    casing = draw(_sampled(["lower", "title", "upper", "mixed"]))
    if casing == "title":
        return word.title()
    if casing == "upper":
        return word.upper()
    if casing == "mixed":
        mask = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
        return "".join(c.upper() if up else c for c, up in zip(word, mask, strict=True))
    return word


@st.composite
def int_texts(draw: Any) -> str:
    kind = draw(_sampled(["dec", "dec", "oct", "hex", "bin", "edge", "odd"]))
    if kind in ("edge", "odd"):
        return str(draw(_sampled(EDGE_INTS if kind == "edge" else ODD_INTS)))
    sign: str = draw(_sampled(["", "", "-", "+"]))
    alphabet = {"dec": "0123456789", "oct": "01234567", "hex": "0123456789abcdefABCDEF",
                "bin": "01"}[kind]  # fmt: skip
    digits = draw(_text(alphabet, min_size=1, max_size=24))
    prefix: str = {"dec": "", "oct": "0", "hex": draw(_sampled(["0x", "0x", "0X"])),
              "bin": draw(_sampled(["0b", "0B"]))}[kind]  # fmt: skip
    if kind == "dec" and len(digits) > 1:
        digits = digits.lstrip("0") or "1"
    return sign + prefix + _sprinkle(draw, digits)


@st.composite
def float_texts(draw: Any) -> str:
    kind = draw(_sampled(["dot", "dot", "exp", "lead", "odd"]))
    if kind == "odd":
        return str(draw(_sampled(ODD_FLOATS)))
    sign: str = draw(_sampled(["", "", "-", "+"]))
    whole = draw(_text("0123456789", min_size=1, max_size=8))
    fraction = draw(_text("0123456789", max_size=8))
    exponent: str = draw(_sampled(["", "", "e3", "E+3", "e-3", "e400", "e-400", "E10", "e+0"]))
    if kind == "exp":
        return sign + _sprinkle(draw, whole) + (exponent or "e3")
    if kind == "lead":
        return sign + "." + _sprinkle(draw, fraction or "5") + exponent
    return sign + _sprinkle(draw, whole + "." + fraction) + exponent


@st.composite
def base64_texts(draw: Any) -> str:
    kind = draw(_sampled(["plain", "plain", "spaced", "inner", "unpadded", "odd"]))
    if kind == "odd":
        return str(draw(_sampled(BINARY_ODD)))
    text = base64.b64encode(draw(st.binary(max_size=10))).decode("ascii")
    if kind == "unpadded":
        return text.rstrip("=") or "QQ"
    if kind == "plain" or not text:
        return text
    if kind == "spaced":
        return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
    place = draw(_between(0, len(text)))
    return text[:place] + " " + text[place:]


_BOOL_WORDS = bool_words()
_INT_TEXTS = int_texts()
_FLOAT_TEXTS = float_texts()


@functools.cache
def _tag_pools() -> dict[str, st.SearchStrategy[str]]:
    """Values to write after each standard tag, odd ones included."""
    return {
        "int": st.one_of(int_texts(), _sampled(INT_TAG_VALUES)),
        "float": st.one_of(float_texts(), _sampled(FLOAT_TAG_VALUES)),
        "bool": st.one_of(bool_words(), _sampled(BOOL_TAG_VALUES)),
        "binary": base64_texts(),
        "null": _sampled(["", "x", "~", "null", "0"]),
    }


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\x85": "\\N",
            "\u2028": "\\L", "\u2029": "\\P", "\ufeff": "\\uFEFF", "\x00": "\\0"}  # fmt: skip
EXTRA_ESCAPES = (
    "\\0", "\\a", "\\b", "\\t", "\\\t", "\\n", "\\v", "\\f", "\\r", "\\e", "\\ ", '\\"', "\\\\",
    "\\N", "\\_", "\\L", "\\P", "\\x41", "\\xe9", "\\u00e9", "\\U0001F600", "\\/", "\t",
)  # fmt: skip


def double_quoted(text: str, extra: str = "") -> str:
    return '"' + "".join(_ESCAPES.get(char, char) for char in text) + extra + '"'


def raw(text: str) -> str:
    """``text`` to write unquoted, without NEL, LS and PS (outside quotes ruamel does not read
    them as line breaks) and without ``&`` and ``*`` (anchor names in raw text): the parsers'
    differences there are pinned one by one in ``PINNED_CASES`` instead."""
    return text.translate({0x85: None, 0x2028: None, 0x2029: None, 0x26: None, 0x2A: None})


def plain_is_safe(text: str, flow: bool) -> bool:
    """A conservative test: ``text`` written plain reads back as this one scalar."""
    if not text or text != text.strip(" ") or text[0] in "-?:,[]{}#&*!|>'\"%@`~ ":
        return False
    if any(char in text for char in "\t\r\n\x85\u2028\u2029\ufeff"):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    return not (flow and any(char in text for char in ",[]{}:"))


def _key_text(key: str) -> str:
    """Roughly the text a written key stands for: without its tag or anchor, unquoted."""
    while key[:1] in ("!", "&") and " " in key:
        key = key.split(" ", 1)[1]
    return key.strip("'\"")


@dataclass
class _Writer:
    """Writes one YAML document from Hypothesis draws; anchors become usable once their node
    is complete (so aliases are defined before use and, mostly, not recursive)."""

    draw: Any
    anchors: list[str] = field(default_factory=list)
    count: int = 0

    def pick(self, options: Any) -> Any:
        return self.draw(_sampled(options))

    def chance(self, one_in: int) -> bool:
        """True once in ``one_in`` draws; False is the simpler choice, to shrink towards."""
        return bool(self.draw(_sampled([False] * (one_in - 1) + [True])))

    # -- scalars ----------------------------------------------------------------------------

    def scalar(self, flow: bool) -> str:
        kind = self.pick(["bool", "null", "int", "int", "float", "float", "time", "misc",
                          "text", "text", "single", "double", "tagged", "tagged", "alias",
                          "anchored", "empty"])  # fmt: skip
        if kind == "bool":
            return str(self.draw(_BOOL_WORDS))
        if kind == "null":
            return str(self.pick(NULL_FORMS))
        if kind == "int":
            return str(self.draw(_INT_TEXTS))
        if kind == "float":
            return str(self.draw(_FLOAT_TEXTS))
        if kind == "time":
            return str(self.pick(TIMESTAMPS))
        if kind == "misc":
            return self.plain_or_quoted(self.pick(MISC + (() if flow else MISC_BLOCK_ONLY)), flow)
        if kind in ("text", "single", "double"):
            return self.text_scalar(kind, flow)
        if kind == "tagged":
            return self.tagged(flow)
        if kind == "alias":
            return self.alias()
        if kind == "anchored":
            name = self.new_anchor()
            value = self.scalar(flow)
            self.anchors.append(name)
            return f"&{name} {value}"
        return ""

    def text_scalar(self, kind: str, flow: bool) -> str:
        safe = self.chance(2)
        text = str(self.draw(_text(SAFE_TEXT_ALPHABET if safe else TEXT_ALPHABET, max_size=8)))
        if kind == "single" and not any(c in text for c in "\r\n\x85\u2028\u2029\t"):
            return single_quoted(text)
        if kind == "double" or kind == "single":
            extra = "".join(self.draw(st.lists(_sampled(EXTRA_ESCAPES), max_size=2)))
            return double_quoted(text, extra)
        if self.chance(12):  # written plain even where that may not read back
            return raw(text).strip() or "x"
        return self.plain_or_quoted(text, flow)

    def plain_or_quoted(self, text: str, flow: bool) -> str:
        if plain_is_safe(text, flow):
            return text
        if self.chance(6) and raw(text) and "\n" not in text:
            return raw(text)  # raw: both readers must agree on what this is, or both refuse
        return double_quoted(text) if self.chance(2) else single_quoted(text)

    def tagged(self, flow: bool) -> str:
        tag = self.pick(TAGS)
        name = tag.removeprefix("!!").removeprefix("!<tag:yaml.org,2002:").rstrip(">")
        pools = _tag_pools()
        if name not in pools:
            return f"{tag} {self.scalar(flow)}".rstrip()
        value = str(self.draw(pools[name]))
        style = self.pick(["plain", "plain", "single", "double"])
        if style == "single" or not plain_is_safe(value, flow) and value:
            return f"{tag} {single_quoted(value)}"
        if style == "double":
            return f"{tag} {double_quoted(value)}"
        return f"{tag} {value}".rstrip()

    def new_anchor(self) -> str:
        self.count += 1
        return self.pick(ANCHOR_NAMES) + str(self.count) if self.chance(4) else f"a{self.count}"

    def alias(self) -> str:
        if self.chance(80):
            return "*undefined"
        return "*" + self.pick(self.anchors) if self.anchors else "x"

    def comment(self) -> str:
        return " " + self.pick(COMMENTS) if self.chance(5) else ""

    # -- keys -------------------------------------------------------------------------------

    def key(self, flow: bool) -> str:
        kind = self.pick(["name", "name", "name", "odd", "quoted", "tagged", "anchored"])
        if kind == "name":
            return str(self.pick(["a", "b", "c", "enabled", "camunda-bpm", "es.host", "lifeMin",
                                  "x_y", "port", "HSTS", "max-age", "é"]))  # fmt: skip
        if kind == "odd":
            return str(self.pick(["1", "'1'", "0x1F", "true", "yes", "on", "~", "null", "",
                                  "a b", "1.5", "2001-12-14", "${A}", "-1", "=", "*"]))  # fmt: skip
        if kind == "quoted":
            text = str(self.draw(_text(SAFE_TEXT_ALPHABET + "'\"#:\\\t", max_size=6)))
            return single_quoted(text) if self.chance(2) else double_quoted(text)
        if kind == "tagged":
            return f"{self.pick(['!!int', '!!str', '!!binary', '!!null', '!', '!!bool'])} 1"
        name = self.new_anchor()
        self.anchors.append(name)
        return f"&{name} k{self.count}"

    # -- flow collections -------------------------------------------------------------------

    def flow(self, depth: int, kind: str = "") -> str:
        kind = kind or self.pick(["scalar", "scalar", "seq", "map"] if depth < 3 else ["scalar"])
        if kind == "scalar":
            return self.scalar(flow=True)
        tag = f"{self.pick(COLLECTION_TAGS)} " if self.chance(10) else ""
        anchor = self.new_anchor() if self.chance(8) else None
        items = self.draw(_between(0, 3))
        if kind == "seq":
            text = "[" + self.flow_join([self.flow_item(depth) for _ in range(items)]) + "]"
        else:
            used: set[str] = set()
            body = [self.flow_entry(depth, used) for _ in range(items)]
            text = "{" + self.flow_join(body) + "}"
        if anchor is not None:
            self.anchors.append(anchor)
            text = f"&{anchor} {text}"
        return tag + text

    def flow_item(self, depth: int) -> str:
        return self.flow_entry(depth, set()) if self.chance(6) else self.flow(depth + 1)

    def flow_entry(self, depth: int, used: set[str]) -> str:
        key = self.unique_key(used, flow=True)
        if "<<" not in used and self.chance(12):
            key = "<<"
            used.add(key)
        form = self.pick([": ", ": ", ": ", ":", "", " : "])
        if form == "":
            return key
        if form == ":":  # "k:v" reads as one scalar unless the key is quoted ("k":v)
            return f"{key}:{self.flow(depth + 1)}"
        return f"{key}{form}{self.flow(depth + 1)}"

    def flow_join(self, items: list[str]) -> str:
        separator = self.pick([", ", ", ", ",", " , ", ",\n    "])
        text = separator.join(items)
        if items and self.chance(6):
            text += ","
        return f" {text} " if self.chance(5) else text

    # -- block collections ------------------------------------------------------------------

    def block_map(self, indent: int, depth: int, *, lead: bool = True) -> str:
        entries = self.draw(_between(1, 4 if depth < 3 else 2))
        used: set[str] = set()
        lines = []
        for number in range(entries):
            if (lead or number) and self.chance(8):
                lines.append(" " * self.draw(_between(0, indent + 2)) + self.pick(COMMENTS))
                lines.append("\n")
            if "<<" not in used and self.chance(10):
                used.add("<<")
                lines.append(" " * indent + "<<:" + self.merge_value(indent, depth))
            elif self.chance(20):
                lines.append(self.explicit_entry(indent, depth, used))
            else:
                lines.append(" " * indent + self.unique_key(used, flow=False) + ":")
                lines.append(self.block_value(indent, depth))
        return "".join(lines)

    def unique_key(self, used: set[str], flow: bool) -> str:
        """A key not yet in ``used`` (by its text; ``1`` and ``'1'`` may still meet, and are
        then a duplicate to Jackson too)."""
        key = self.key(flow)
        if _key_text(key) in used:
            key = f"unique{len(used)}"
        used.add(_key_text(key))
        return key

    def explicit_entry(self, indent: int, depth: int, used: set[str]) -> str:
        key = self.flow(depth + 1) if self.chance(3) else self.unique_key(used, flow=False)
        return f"{' ' * indent}? {key}\n{' ' * indent}:{self.block_value(indent, depth)}"

    def merge_value(self, indent: int, depth: int) -> str:
        kind = self.pick(["alias", "aliases", "flow", "block"])
        if kind == "alias":
            return f" {self.alias()}\n"
        if kind == "aliases":
            return f" [{self.alias()}, {self.alias()}]\n"
        if kind == "flow" or depth >= 3:
            return f" {{x: 1, {self.key(flow=True)}: {self.scalar(flow=True)}}}\n"
        return "\n" + self.block_map(indent + 2, depth + 1)

    def block_value(self, indent: int, depth: int) -> str:
        """What follows ``key:`` (or ``-``): an inline value and its line end, or an empty value
        and the nested block on the following lines."""
        kinds = ["scalar", "scalar", "scalar", "flow", "empty", "block", "plain2", "quoted2"]
        if depth < 3:
            kinds += ["map", "map", "seq", "seq", "tagged-collection", "anchored-collection"]
        kind = self.pick(kinds)
        if kind == "scalar":
            return " " + self.scalar(flow=False) + self.comment() + "\n"
        if kind == "flow":
            return " " + self.flow(depth + 1) + self.comment() + "\n"
        if kind == "empty":
            return self.comment() + "\n"
        if kind == "block":
            return self.block_scalar(indent)
        if kind == "plain2":
            return f" word\n{' ' * (indent + self.draw(_between(1, 3)))}more words\n"
        if kind == "quoted2":
            quote = self.pick(["'", '"'])
            return f" {quote}one\n{' ' * (indent + 2)}two\n\n{' ' * (indent + 1)}three{quote}\n"
        prefix = ""
        if kind == "tagged-collection":
            prefix = " " + self.pick(COLLECTION_TAGS)
        anchor = self.new_anchor() if kind == "anchored-collection" else None
        if anchor is not None:
            prefix = f" &{anchor}"
        nested = self.nested_block(indent, depth)
        if anchor is not None:
            self.anchors.append(anchor)
        return prefix + self.comment() + "\n" + nested

    def nested_block(self, indent: int, depth: int) -> str:
        step = self.draw(_between(1, 4))
        if self.chance(2):
            return self.block_map(indent + step, depth + 1)
        return self.block_seq(indent + (0 if self.chance(3) else step), depth + 1)

    def block_seq(self, indent: int, depth: int) -> str:
        items = self.draw(_between(1, 3))
        return "".join(" " * indent + "-" + self.seq_item(indent, depth) for _ in range(items))

    def seq_item(self, indent: int, depth: int) -> str:
        kind = self.pick(["value", "value", "compact-map", "compact-seq"] if depth < 3
                         else ["value"])  # fmt: skip
        if kind == "compact-map":
            return " " + self.block_map(indent + 2, depth + 1, lead=False)[indent + 2 :]
        if kind == "compact-seq":
            return " " + self.block_seq(indent + 2, depth + 1)[indent + 2 :]
        return self.block_value(indent, depth)

    def block_scalar(self, indent: int) -> str:
        style = self.pick("|>")
        chomp = self.pick(["", "-", "+"])
        explicit = self.pick([None, None, None, 1, 2])
        header = style + (f"{chomp}{explicit}" if explicit and self.chance(2) else
                          f"{explicit or ''}{chomp}")  # fmt: skip
        base = indent + (explicit or self.draw(_between(1, 3)))
        lines = []
        for number in range(self.draw(_between(0, 4))):
            kind = self.pick(["text", "text", "more", "blank", "spaces"])
            content = self.draw(_text(SAFE_TEXT_ALPHABET + "#:'\"[]{}-", max_size=8))
            if kind == "blank":
                lines.append("")
            elif kind == "spaces":
                lines.append(" " * self.draw(_between(1, base + 2)))
            elif kind == "more" and (number or explicit):
                lines.append(" " * (base + self.draw(_between(1, 2))) + content.strip())
            else:
                lines.append(" " * base + (content.strip() or "x"))
        trailing: str = "\n" * self.draw(_between(0, 2))
        comment = "#c" if self.chance(20) else self.comment()  # "#c": a known difference
        return f" {header}{comment}\n" + "".join(f"{line}\n" for line in lines) + trailing

    # -- the document ----------------------------------------------------------------------

    def document(self) -> str:
        root = self.pick(["block"] * 14 + ["indented", "flow", "flow", "seq", "scalar", "empty"])
        if root == "block":
            body = self.block_map(0, 0)
        elif root == "indented":
            body = self.block_map(self.draw(_between(1, 2)), 0)
        elif root == "flow":
            body = self.flow(0, "map") + "\n"
        elif root == "seq":
            body = self.block_seq(0, 1)
        elif root == "scalar":
            body = self.scalar(flow=False) + "\n"
        else:
            body = self.pick(["", "# only a comment\n", "\n\n", "---\n", "--- ~\n"])
        start = self.pick(["", "", "", "---\n", "--- # c\n", "%YAML 1.1\n---\n", "# banner\n\n",
                           "\ufeff"])  # fmt: skip
        end = self.pick(["", "", "", "", "...\n", "# the end\n", "\n\n"] * 3 + ["---\nb: 2\n"])
        text: str = start + body + end
        newline = self.pick(["\n"] * 8 + ["\r\n", "\r"])
        if newline != "\n":
            text = text.replace("\n", newline)
        return text.rstrip("\r\n") if self.chance(8) else text


@st.composite
def documents(draw: Any) -> str:
    return _Writer(draw).document()


@settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,  # the same 1000 documents every run: exploration is not CI's job
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=documents())
def test_generated_documents_read_as_jackson_reads_them(oracle: JacksonOracle, text: str) -> None:
    note(f"document: {text!r}")
    event(verdict(oracle, text))


# -------------------------------------------------------- every file and output of the project


def _label(path: Path) -> str:
    return str(path.relative_to(ROOT))


TEST_YAML_FILES = sorted(TESTS.rglob("*.yaml"))  # fixtures and text snapshots of configs
SHIPPED_YAML_FILES = sorted([*(ROOT / "hardener" / "catalogs").glob("*.yaml"),
                             *(ROOT / "profiles").glob("*.yaml")])  # fmt: skip
PROFILES = ("strict", "standard", "dev")
TARGETS = ("c7", "c8")


@pytest.mark.parametrize("path", TEST_YAML_FILES, ids=_label)
def test_yaml_files_under_tests(oracle: JacksonOracle, path: Path) -> None:
    """Snapshots may hold text that is no configuration at all (``\\r`` shown as text in the
    CRLF one): whatever the readers make of them, they must agree."""
    verdict(oracle, path.read_bytes(), _label(path))


@pytest.mark.parametrize("path", SHIPPED_YAML_FILES, ids=_label)
def test_shipped_catalogs_and_profiles(oracle: JacksonOracle, path: Path) -> None:
    assert verdict(oracle, path.read_bytes(), _label(path)).startswith("same")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_generated_configs(oracle: JacksonOracle, profile: str, target: str) -> None:
    from hardener import api

    text = api.generate(profile, target).text
    assert verdict(oracle, text, f"generate {profile} {target}") == "same"


def _merge_fixtures() -> dict[str, bytes]:
    """test_merge's fixtures, imported when used (not when this module is collected)."""
    from tests.test_merge import FIXTURES

    return dict(FIXTURES)


def test_merge_fixtures(oracle: JacksonOracle) -> None:
    for name, data in sorted(_merge_fixtures().items()):
        assert verdict(oracle, data, name).startswith("same"), name


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_merged_configs(oracle: JacksonOracle, profile: str, target: str, tmp_path: Path) -> None:
    """Every merge fixture merged with every profile: the merged file reads as Jackson reads
    it."""
    from hardener import api

    path = tmp_path / "environment-config.yaml"
    for name, data in sorted(_merge_fixtures().items()):
        path.write_bytes(data)
        merged = api.merge(path, profile, target).merged
        label = f"merge {name} {profile} {target}"
        assert verdict(oracle, merged, label).startswith("same"), label


# ------------------------------------------------- shapes seen in real configurations (our own)

# Written for this test after the shapes in public Optimize configurations (distribution
# templates, Helm charts, integration-test configs); none is a copy of one.
REAL_WORLD_SHAPES: dict[str, str] = {
    "banner, comments without a space, list at the parent's indentation, no final newline": (
        "##############################\n"
        "# Optimize environment config #\n"
        "##############################\n"
        "\n"
        "engines:\n"
        "  'camunda-bpm':\n"
        "    name: default\n"
        "    rest: 'http://localhost:8080/engine-rest'\n"
        "    importEnabled: true\n"
        "    #authentication:\n"
        "    #  enabled: false\n"
        "es:\n"
        "  connection:\n"
        "    nodes:\n"
        "    - host: 'localhost'\n"
        "      httpPort: 9200\n"
        "    - host: es2.internal   # second node\n"
        "      httpPort: 9201\n"
        "  security:\n"
        "    ssl:\n"
        "      certificate_authorities: []\n"
        "historyCleanup:\n"
        "  processDataCleanupMode: all\n"
        "  cronTrigger: '0 1 * * *'"
    ),
    "placeholders, quoted and plain, with defaults": (
        "security:\n"
        "  auth:\n"
        "    token:\n"
        "      lifeMin: ${AUTH_TOKEN_LIFEMIN:5}\n"
        "api:\n"
        "  accessToken: ${OPTIMIZE_API_ACCESS_TOKEN:null}\n"
        '  jwtSetUri: "http://${KEYCLOAK_HOST:localhost}:18080/auth/realms/camunda/certs"\n'
        "engines:\n"
        "  first:\n"
        "    importEnabled: '${IMPORT_ENABLED_1:false}'\n"
        "    rest: ${ENGINE_REST}\n"
        "es:\n"
        "  connection:\n"
        "    nodes:\n"
        "      - host: '${ES_HOST:elasticsearch}'\n"
        "        httpPort: ${ES_PORT:9200}\n"
        "  ssl: {enabled: \"true\", selfSigned: '${SELF_SIGNED:false}'}\n"
        "note: ${A:x #this is a comment}\n"
        "list: \"[a, b, '${C:c}']\"\n"
    ),
    "anchors, aliases and merge keys": (
        "x-engine: &engine\n"
        "  importEnabled: true\n"
        "  authentication: &auth {enabled: true, user: demo}\n"
        "engines:\n"
        "  first:\n"
        "    <<: *engine\n"
        "    name: first\n"
        "  second:\n"
        "    <<: [*engine, {name: second}]\n"
        "    authentication: *auth\n"
        "  third: *engine\n"
        "ports: &ports [8090, 8091]\n"
        "container:\n"
        "  ports: {<<: {http: 8090}, https: 8091}\n"
        "  hosts: [*ports, 0.0.0.0]\n"
    ),
    "a ConfigMap holding the config as a block scalar, blank lines inside": (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "metadata:\n"
        "  name: optimize\n"
        '  labels: {app.kubernetes.io/name: optimize, version: "8.8"}\n'
        "data:\n"
        "  environment-config.yaml: |\n"
        "    security:\n"
        "      auth:\n"
        "        cookie:\n"
        "          same-site:\n"
        "            enabled: false\n"
        "\n"
        "    spring:\n"
        "      profiles:\n"
        "        active: ccsm\n"
        "\n"
        "  folded: >-\n"
        "    one\n"
        "      more indented\n"
        "    two\n"
    ),
    "odd scalars a hand-edited file may hold": (
        "container:\n"
        "  host: 0.0.0.0\n"
        "  ports: {http: 0x1F90, https: 0o17, legacy: 0777, other: 08}\n"
        "  enabled: on\n"
        "  user: n\n"
        "sharing:\n"
        "  enabled: Off\n"
        "  since: 2001-12-14\n"
        "  ratio: 1e3\n"
        "  window: 1:20\n"
        "  max: 1_000_000\n"
        "  big: 123456789012345678901234567890\n"
        "  neg: -.5\n"
        "  odd: .5e3\n"
        "  empty:\n"
        "  tilde: ~\n"
        "  text: !!str 0x10\n"
        "  number: !!int '12'\n"
        "  flag: !!bool 'on'\n"
        "  blob: !!binary aGVsbG8=\n"
        "  merge: <<\n"
        "  star: '*x'\n"
    ),
    "CRLF with a BOM and a document marker": (
        "\ufeff---\r\n"
        "es:\r\n"
        "    security:\r\n"
        "        username: 'elastic'\r\n"
        '        password: "s3cr\\u0065t"\r\n'
        "        ssl:\r\n"
        "            certificate_authorities: ['certs/ca/ca.crt']\r\n"
        "            enabled: true\r\n"
        "...\r\n"
    ),
    "a Helm template, which neither reads": (
        "{{- if .Values.optimize.enabled }}\n"
        "environment-config.yaml: |\n"
        "  {{- toYaml .Values.optimize.config | nindent 2 }}\n"
        "{{- end }}\n"
    ),
}


@pytest.mark.parametrize("name", sorted(REAL_WORLD_SHAPES))
def test_real_world_shapes(oracle: JacksonOracle, name: str) -> None:
    outcome = verdict(oracle, REAL_WORLD_SHAPES[name], name)
    assert outcome == ("both refuse: invalid YAML" if "Helm" in name else "same")


# --------------------------------------------------------------------- edges, one at a time

# Each of these once gave a different value or type than Jackson (see scalars.py), or pins a
# Jackson rule the grammar reaches only by chance; (document, expected outcome).
EDGE_DOCUMENTS: tuple[tuple[str, str], ...] = (
    ("v: !!int _\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int -_\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int '0x1F '\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int 0x0x1F\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int 00o7\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int 0x\U0001d7ce\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int 0x\uff11\uff21\n", "same"),
    ("v: !!int 01\u0667\n", "same"),
    ("v: !!int -0x-1F\n", "same"),
    ("v: !!int " + "1" * 1001 + "\n", "both refuse: value Jackson cannot decode"),
    ("v: !!int " + "1" * 5000 + "\n", "both refuse: value Jackson cannot decode"),
    ("v: " + "1" * 1000 + "_\n", "same"),
    ("v: -" + "1" * 1000 + "_\n", "both refuse: value Jackson cannot decode"),
    ("v: +" + "1" * 1000 + "_\n", "same"),
    ("v: 0x" + "1" * 1000 + "\n", "same"),
    ("v: 0x" + "1" * 1001 + "\n", "both refuse: value Jackson cannot decode"),
    ("v: 0" + "1" * 1000 + "\n", "same"),
    ("v: 1." + "1" * 997 + "_\n", "same"),
    ("v: !!float 0x1p3\n", "same"),
    ("v: !!float -0x1p99999\n", "same"),
    ("v: !!float 0X1.8P1F\n", "same"),
    ("v: !!float NaN\n", "same"),
    ("v: !!float Infinityf\n", "both refuse: value Jackson cannot decode"),
    ("v: !!binary aGk=aGk=\n", "same"),
    ("v: !!binary aGV sbG8=\n", "both refuse: value Jackson cannot decode"),
    ('v: !!binary "aGVs\\_bG8="\n', "both refuse: value Jackson cannot decode"),
    ("v: !!binary 'aGk=\t'\n", "same"),
    ("v: !!bool ye\u017f\n", "same"),
    ("v: !!bool fal\u017fe\n", "same"),
    ("v: !!bool \u0131\n", "same"),
    ("v: [http://h/p?q=1]\n", "known: '?' in a plain scalar in flow"),
    ("v: {b:[c], d:}\n", "known: ':' before a flow indicator"),
    ('v: ["a":1]\t# tab\n', "both refuse: invalid YAML"),
    ("v: {x: 1, : y}\n", "known: omitted key"),
    ("v: [a, :]\n", "known: ':'-led plain scalar in flow"),
    ("v: &a.b x\nw: *a.b\n", "known: anchor name characters"),
    ("v: &a/b x\n", "known: anchor name characters"),
    ("v: &a\ufeff x\nw: *a\ufeff\n", "known: anchor name characters"),
    ("v: &a:b x\n", "same"),  # libyaml, which the reader asks first, agrees here
    ('v: "\\/ and \\\t"\n', "known: YAML 1.2 escape"),
    ("v: x\ty\n", "known: tab in or after a plain scalar"),
    ("<<: {x: 1, a: \t}\n", "known: tab between tokens"),
    ("v: 1\t# c\n", "known: tab in or after a plain scalar"),
    ("v: |\n  \n    z\nw: '\t'\n", "known: block scalar indentation"),
    ("  a: 1\nb: 2\n", "known: text after the first root value"),
    ("{a: 1} x\n", "known: text after the first root value"),
    ("%FOO bar\n# nothing else\n", "known: directives only"),
    ("a: |#c\n  x\n", "known: '#' right after a block header"),
    ("{n#b:}?#\n", "known: text after the first root value"),
    ('a:\n  ? "x"\n    y\n', "known: value without ':' after '?'"),
    ("? |\n  x\n y\nb: 2\n", "known: value without ':' after '?'"),
)


@pytest.mark.parametrize(("text", "expected"), EDGE_DOCUMENTS, ids=lambda v: repr(v)[:40])
def test_edge_documents(oracle: JacksonOracle, text: str, expected: str) -> None:
    assert verdict(oracle, text, "<edge>") == expected, _shown(text)


def _reader_table() -> dict[str, Any]:
    from tests.test_yaml_reader import JACKSON

    return dict(JACKSON)


READER_TABLE = _reader_table()


@pytest.mark.parametrize("scalar", sorted(READER_TABLE), ids=repr)
def test_reader_table_is_jacksons(oracle: JacksonOracle, scalar: str) -> None:
    """``test_yaml_reader.JACKSON`` says what the reader holds for ``v: <scalar>``; so must
    the real jars."""
    assert verdict(oracle, f"v: {scalar}\n", "<table>") == "same"


# Parser differences too irregular for one rule, pinned one by one as (document, reader,
# Jackson); a string is a refusal's (or failure's) start, anything else the value held.
# NEL (U+0085), LS (U+2028) and PS (U+2029) are line breaks to SnakeYAML (YAML 1.1) and not to
# ruamel (YAML 1.2) outside quoted scalars; anchor names follow three different rules (see
# _SNAKEYAML_NAME_STOPS).
PINNED_CASES: tuple[tuple[str, Any, Any], ...] = (
    ("a: 1\x85b: 2\n", "invalid YAML: mapping values are not allowed here", {"a": 1, "b": 2}),
    ("a: 1\u2028b: 2\n", "invalid YAML: mapping values are not allowed here", {"a": 1, "b": 2}),
    ("a: 1\u2029b: 2\n", "invalid YAML: mapping values are not allowed here", {"a": 1, "b": 2}),
    ("a: 1 # c\u2028b: 2\n", "invalid YAML: expected <block end>", {"a": 1, "b": 2}),
    ("a: [x]\u2028b: 1\n", "invalid YAML: expected <block end>", {"a": ["x"], "b": 1}),
    ("a: x\u2028y\n", {"a": "x\u2028y"}, "MarkedYAMLException: while scanning a simple key"),
    ("a: x\x85y\n", {"a": "x y"}, "MarkedYAMLException: while scanning a simple key"),
    ("a: |\n  x\x85  y\n", "invalid YAML: expected <block end>", {"a": "x\ny\n"}),
    # Where both agree: inside quotes, and where a break ends a comment or a key's line.
    ("a: 'x\x85y'\n", {"a": "x y"}, {"a": "x y"}),
    ('a: "x\u2028y"\n', {"a": "x\u2028y"}, {"a": "x\u2028y"}),
    ("# c\u2028a: 1\n", {"a": 1}, {"a": 1}),
    ("a:\u2028  b: 1\n", {"a": {"b": 1}}, {"a": {"b": 1}}),
    # Anchor names: "?" belongs to a name for SnakeYAML, ends it for libyaml.
    ("a: &a?a\n", {"a": "?a"}, {"a": None}),
    ("a: &#:b x\n", {"a": "x"}, {"a": ":b x"}),
    ("a: &&\n", {"a": None}, "MarkedYAMLException: while scanning an anchor"),
    ("a: &a&b x\n", {"a": "x"}, "MarkedYAMLException: while scanning an anchor"),
    ("a: &a:b x\n", {"a": ":b x"}, {"a": ":b x"}),
    ("a: &a%b x\nb: *a%b\n", {"a": "x", "b": "a%b"}, {"a": "x", "b": "a%b"}),
)


@pytest.mark.parametrize(("text", "reader", "jackson"), PINNED_CASES, ids=repr)
def test_pinned_parser_differences(
    oracle: JacksonOracle, text: str, reader: Any, jackson: Any
) -> None:
    outcome = read_both(oracle.read(text), text.encode("utf-8"), "<pinned>")
    if isinstance(reader, str):
        assert outcome.config is None and outcome.message.startswith(reader), outcome.error
    else:
        assert outcome.config is not None, outcome.error
        assert first_difference(outcome.config.data, reader) is None
    if isinstance(jackson, str):
        assert not outcome.jackson.ok and outcome.jackson.error.startswith(jackson)
    else:
        assert outcome.jackson.ok and first_difference(outcome.jackson.tree, jackson) is None
