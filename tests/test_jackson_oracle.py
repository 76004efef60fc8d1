"""What Camunda Optimize's YAML reader (jackson-dataformat-yaml 2.17.2 over SnakeYAML 2.2, as
``YAMLMapper.readTree(InputStream)``) really makes of YAML, measured with the Jackson oracle.

Each expectation was measured, not derived from the YAML specification; several differ from
what a YAML 1.1 library (PyYAML, ruamel.yaml) gives, and those are the point of these tests.
One JVM serves the whole module.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.jackson_oracle import (
    CLASSPATH_ENV,
    JacksonOracle,
    OracleResult,
    find_classpath,
    missing_reason,
    oracle_or_skip,
)


@pytest.fixture(scope="module")
def oracle() -> Iterator[JacksonOracle]:
    started = oracle_or_skip()
    yield started
    started.close()


def typed(value: Any) -> Any:
    """``value`` with every scalar paired with its type, so that 1, 1.0 and True differ."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def tree(oracle: JacksonOracle, text: str) -> Any:
    result = oracle.read(text)
    assert result.ok, f"{text!r}: {result.error}"
    return result.tree


def value(oracle: JacksonOracle, scalar: str) -> Any:
    """The value Jackson gives ``scalar`` in ``v: <scalar>``."""
    document = tree(oracle, f"v: {scalar}\n")
    assert isinstance(document, dict) and list(document) == ["v"]
    return document["v"]


def error(oracle: JacksonOracle, text: str) -> str:
    result: OracleResult = oracle.read(text)
    assert not result.ok, f"{text!r} was accepted: {result.tree!r}"
    return result.error


# -- aliases and merge keys: no alias is ever resolved ----------------------------------------


def test_alias_is_the_anchor_name_as_a_string(oracle: JacksonOracle) -> None:
    assert typed(tree(oracle, "a: &x {k: 1}\nb: *x\n")) == typed({"a": {"k": 1}, "b": "x"})
    assert typed(tree(oracle, "a: &x 1\nb: [*x, *x]\n")) == typed({"a": 1, "b": ["x", "x"]})


def test_undefined_duplicate_and_recursive_anchors_are_not_errors(oracle: JacksonOracle) -> None:
    assert tree(oracle, "b: *nope\n") == {"b": "nope"}
    assert tree(oracle, "a: &x 1\na2: &x 2\nb: *x\n") == {"a": 1, "a2": 2, "b": "x"}
    assert tree(oracle, "a: &x [*x]\n") == {"a": ["x"]}


def test_alias_as_a_key_is_an_error(oracle: JacksonOracle) -> None:
    assert error(oracle, "a: &x 1\n*x : y\n").startswith(
        "JsonParseException: Expected a field name (Scalar value in YAML)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &x {k: 1}\nb:\n  <<: *x\n  z: 2\n", {"a": {"k": 1}, "b": {"<<": "x", "z": 2}}),
        ("b:\n  <<: {a: 1}\n  a: 2\n", {"b": {"<<": {"a": 1}, "a": 2}}),
        ("c: {<<: {a: 1}, b: 2}\n", {"c": {"<<": {"a": 1}, "b": 2}}),
        (
            "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n",
            {"a": {"x": 1}, "b": {"y": 2}, "c": {"<<": ["a", "b"]}},
        ),
        ("<<: 5\n", {"<<": 5}),
        ("v: <<\n", {"v": "<<"}),
    ],
)
def test_merge_key_is_an_ordinary_key(oracle: JacksonOracle, text: str, expected: Any) -> None:
    assert typed(tree(oracle, text)) == typed(expected)


# -- scalars ----------------------------------------------------------------------------------

SCALARS: list[tuple[str, Any]] = [
    # booleans: SnakeYAML's YAML 1.1 spellings only (no y/n, no mixed case)
    ("yes", True),
    ("Yes", True),
    ("YES", True),
    ("no", False),
    ("on", True),
    ("ON", True),
    ("off", False),
    ("Off", False),
    ("true", True),
    ("True", True),
    ("FALSE", False),
    ("y", "y"),
    ("n", "n"),
    ("Y", "Y"),
    ("tRue", "tRue"),
    ("yEs", "yEs"),
    # nulls
    ("~", None),
    ("null", None),
    ("Null", None),
    ("NULL", None),
    ("", None),
    ("nUll", "nUll"),
    ("''", ""),
    # integers
    ("0777", 511),
    ("012", 10),
    ("012_3", 83),
    ("0x1F", 31),
    ("-0x1F", -31),
    ("0x_1F", 31),
    ("0X1F", "0X1F"),
    ("0b101", 5),
    ("-0b101", -5),
    ("1_000", 1000),
    ("1__0", 10),
    ("1_", 1),
    ("+12", 12),
    ("-0", 0),
    ("08", "08"),
    ("09", "09"),
    ("0o17", "0o17"),
    ("_1", "_1"),
    ("0_", "0_"),
    ("0x_", "0x_"),
    ("1:20", "1:20"),
    ("-1:20", "-1:20"),
    ("190:20:30", "190:20:30"),
    ("63072000", 63072000),
    ('"63072000"', "63072000"),
    ("'63072000'", "63072000"),
    ("9223372036854775808", 9223372036854775808),
    ("-9223372036854775809", -9223372036854775809),
    ("0x10000000000000000", 18446744073709551616),
    # floats: exponent without a dot is a float (YAML 1.1 libraries give a string)
    ("1.5", 1.5),
    ("1.", 1.0),
    (".5", 0.5),
    ("-.5", -0.5),
    ("1e3", 1000.0),
    ("1E3", 1000.0),
    ("1e-3", 0.001),
    ("1.0e+3", 1000.0),
    ("1_0.5", 10.5),
    ("1.5_0", 1.5),
    ("._5", 0.5),
    ("1_e3", 1000.0),
    ("685.230_15e+03", 685230.15),
    ("1e400", float("inf")),
    ("1e-400", 0.0),
    (".", "."),
    ("_.5", "_.5"),
    ("inf", "inf"),
    ("NaN", "NaN"),
    # timestamps stay strings
    ("2001-12-14", "2001-12-14"),
    ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("20:30", "20:30"),
    # quoting and comments
    ("'a # b'", "a # b"),
    ("a # comment", "a"),
    ("a#b", "a#b"),
    ("|\n  a # b\n  c\n", "a # b\nc\n"),
    (">\n  a\n  b\n", "a b\n"),
    ("${A:x}", "${A:x}"),
    ("${A:x #y}", "${A:x"),
]


@pytest.mark.parametrize(("scalar", "expected"), SCALARS, ids=[s for s, _ in SCALARS])
def test_scalar(oracle: JacksonOracle, scalar: str, expected: Any) -> None:
    assert typed(value(oracle, scalar)) == typed(expected)


@pytest.mark.parametrize(
    "scalar", [".inf", "-.inf", ".Inf", ".NaN", ".nan", "1:20.5", "._", "!!float x"]
)
def test_yaml_special_floats_and_sexagesimal_floats_fail_the_whole_read(
    oracle: JacksonOracle, scalar: str
) -> None:
    # SnakeYAML tags them !!float; Jackson only strips underscores and then fails to parse.
    shown = scalar.removeprefix("!!float ")
    expected = f"JsonParseException: Malformed numeric value '{shown}'"
    assert error(oracle, f"v: {scalar}\n") == expected


def test_double_quoted_slash_escape_is_an_error(oracle: JacksonOracle) -> None:
    assert error(oracle, 'v: "\\/"\n').startswith("MarkedYAMLException: while scanning a double")


# -- tags -------------------------------------------------------------------------------------

TAGGED: list[tuple[str, Any]] = [
    ("!!str 123", "123"),
    ("!!str yes", "yes"),
    ('!!int "12"', 12),
    ("!!int '0x1F'", 31),
    ("!!int x", "x"),
    ("!!int 1.5", "1.5"),
    ("!!int 1:20", "1:20"),
    ("!!int ''", ""),
    ("!!bool yes", True),
    ("!!bool y", True),
    ("!!bool tRUE", True),
    ("!!bool 'on'", True),
    ("!!bool x", "x"),
    ("!!bool 1", "1"),
    ("!!float 1", 1.0),
    ("!!float 1_0.5", 10.5),
    ("!!float ''", ""),
    ("!!null x", None),
    ("!!null 0", None),
    ("!!null ''", ""),
    ("!!null", ""),
    ("!!timestamp CANARY-ts", "CANARY-ts"),
    ("!!binary aGVsbG8=", b"hello"),
    ("!!binary aGVs bG8=", b"hello"),
    ("!!binary ''", b""),
    ("!custom x", "x"),
    ("!custom 12", "12"),
    ("! 12", 12),
    ("! 'yes'", True),
    ("!<tag:yaml.org,2002:str> 5", "5"),
    ("!<tag:yaml.org,2002:int> 5", 5),
    ("!<tag:yaml.org,2002:int,x> 5", 5),
    ("!<tag:example.com,2000:int> 5", "5"),
    ("!!map {a: 1}", {"a": 1}),
    ("!!seq [1]", [1]),
    ("!!set {a}", {"a": None}),
    ("!!omap [a: 1]", [{"a": 1}]),
    ("!!str {a: 1}", {"a": 1}),
    ("!!int [1]", [1]),
]


@pytest.mark.parametrize(("scalar", "expected"), TAGGED, ids=[s for s, _ in TAGGED])
def test_tag(oracle: JacksonOracle, scalar: str, expected: Any) -> None:
    assert typed(value(oracle, scalar)) == typed(expected)


@pytest.mark.parametrize(
    ("scalar", "message"),
    [
        ("!!binary notbase64!", "JsonParseException: Illegal character '!' (code 0x21) in base64"),
        ("!!int 09", "JsonParseException: Invalid base-8 number ('9')"),
        ("!!int 0b2", "JsonParseException: Invalid base-2 number ('2')"),
        ("!!int +", "MismatchedInputException: Unexpected end-of-input"),
    ],
)
def test_tag_errors(oracle: JacksonOracle, scalar: str, message: str) -> None:
    assert error(oracle, f"a: 1\nv: {scalar}\nb: 2\n").startswith(message)


def test_int_tag_on_a_lone_plus_sign_ends_the_document(oracle: JacksonOracle) -> None:
    # The parser returns "no token" for it: at the root that reads as an empty document.
    assert oracle.read("!!int +\n").missing


def test_tag_directive_can_redefine_the_secondary_handle(oracle: JacksonOracle) -> None:
    assert tree(oracle, "%TAG !! tag:example.com,2000:\n---\nv: !!int 5\n") == {"v": "5"}


# -- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1: a\n", "1"),
        ("0x1F: a\n", "0x1F"),
        ("1.0: a\n", "1.0"),
        ("true: a\n", "true"),
        ("on: a\n", "on"),
        ("null: a\n", "null"),
        ("~: a\n", "~"),
        ("'': a\n", ""),
        ('"quoted": a\n', "quoted"),
        ("? complex\n: a\n", "complex"),
        ("!!int 1: a\n", "1"),
        ("!!binary aGVsbG8=: a\n", "aGVsbG8="),
        ("!!null x: a\n", "x"),
        ("&k key: a\n", "key"),
    ],
)
def test_keys_are_the_scalar_text(oracle: JacksonOracle, text: str, key: str) -> None:
    assert tree(oracle, text) == {key: "a"}


@pytest.mark.parametrize("text", ["? [a, b]\n: c\n", "? {a: 1}\n: c\n", "[a, b]: c\n"])
def test_collection_keys_are_errors(oracle: JacksonOracle, text: str) -> None:
    assert error(oracle, text).startswith("JsonParseException: Expected a field name")


@pytest.mark.parametrize("text", [": v\n", "a:\n: v\n"])
def test_empty_key_is_an_error(oracle: JacksonOracle, text: str) -> None:
    assert error(oracle, text) == "MarkedYAMLException: while parsing a block mapping"


def test_duplicate_keys_last_value_wins_at_first_position(oracle: JacksonOracle) -> None:
    assert list(tree(oracle, "a: 1\nb: 2\na: 3\n").items()) == [("a", 3), ("b", 2)]
    assert tree(oracle, "{a: 1, a: 2}\n") == {"a": 2}
    assert tree(oracle, "a: {x: 1}\na: {y: 2}\n") == {"a": {"y": 2}}
    # 1 and '1' are the same field name
    assert tree(oracle, "1: a\n'1': b\n") == {"1": "b"}


# -- documents --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n", "\ufeff"])
def test_no_content_is_a_missing_node(oracle: JacksonOracle, text: str) -> None:
    result = oracle.read(text)
    assert result.ok and result.missing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\n", None),
        ("--- 5\n", 5),
        ("- a\n- b\n", ["a", "b"]),
        ("a: 1\n---\nb: 2\n", {"a": 1}),
        ("a: 1\n--- [\n", {"a": 1}),
        ("a: 1\n...\ngarbage: [\n", {"a": 1}),
        ("{a: 1}\nb: 2\n", {"a": 1}),
        ("{a: 1} x\n", {"a": 1}),
        ("  a: 1\nb: 2\n", {"a": 1}),
        ("--- \n...\na: 1\n", None),
        ("'a\nb': c\n", "a b"),
        ("%YAML 1.2\n---\na: 1\n", {"a": 1}),
    ],
)
def test_only_the_first_value_is_read(oracle: JacksonOracle, text: str, expected: Any) -> None:
    # Whatever follows the end of the first document's root value is never parsed.
    assert typed(tree(oracle, text)) == typed(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: [\n", "MarkedYAMLException: while parsing a flow node"),
        ("a: 1\n- b\n", "MarkedYAMLException: while parsing a block mapping"),
        ("%YAML 2.0\n---\na: 1\n", "MarkedYAMLException: found incompatible YAML document"),
        ("v: ${A: x}\n", "MarkedYAMLException: mapping values are not allowed here"),
        ("v: [${A}]\n", "MarkedYAMLException: while parsing a flow sequence"),
        ("a: b\x07\n", "JacksonYAMLParseException: special characters are not allowed"),
    ],
)
def test_invalid_document(oracle: JacksonOracle, text: str, message: str) -> None:
    assert error(oracle, text).startswith(message)


# -- whitespace and encodings -----------------------------------------------------------------


def test_tab_after_colon_is_an_error_but_tab_before_comment_is_not(oracle: JacksonOracle) -> None:
    assert error(oracle, "a:\t1\n") == "MarkedYAMLException: while scanning for the next token"
    assert tree(oracle, "a: 1\t# c\n") == {"a": 1}
    assert tree(oracle, "a: 1\t\n") == {"a": 1}


@pytest.mark.parametrize("brk", ["\r\n", "\r", "\x85", "\u2028", "\u2029"])
def test_line_breaks(oracle: JacksonOracle, brk: str) -> None:
    assert tree(oracle, f"a: 1{brk}b: 2\n") == {"a": 1, "b": 2}


def test_byte_order_mark(oracle: JacksonOracle) -> None:
    assert tree(oracle, "\ufeffa: 1\n") == {"a": 1}
    assert oracle.read_bytes(b"\xef\xbb\xbfa: 1\n").tree == {"a": 1}
    assert tree(oracle, "a: 1\n\ufeffb: 2\n") == {"a": 1, "\ufeffb": 2}
    assert tree(oracle, "\ufeff\ufeffa: 1\n") == {"\ufeffa": 1}


def test_input_stream_is_always_utf8(oracle: JacksonOracle) -> None:
    utf16 = oracle.read_bytes("\ufeffa: 1\n".encode("utf-16-le"))
    assert utf16.error == (
        "JacksonYAMLParseException: java.io.CharConversionException: "
        "Invalid UTF-8 start byte 0xff (at char #1, byte #-1)"
    )
    assert not oracle.read_bytes(b"a: caf\xe9\n").ok


# -- limits -----------------------------------------------------------------------------------


def test_nesting_depth_limit_is_1000(oracle: JacksonOracle) -> None:
    deepest = tree(oracle, "[" * 1000 + "]" * 1000)
    depth = 0
    while isinstance(deepest, list) and deepest:
        deepest, depth = deepest[0], depth + 1
    assert (deepest, depth) == ([], 999)
    assert error(oracle, "v: " + "[" * 1000 + "]" * 1000).startswith(
        "StreamConstraintsException: Document nesting depth (1001) exceeds the maximum allowed"
    )
    assert error(oracle, "[" * 10000).startswith("StreamConstraintsException")


def test_number_length_limits(oracle: JacksonOracle) -> None:
    assert value(oracle, "9" * 1000) == int("9" * 1000)
    assert error(oracle, "v: " + "9" * 1001 + "\n").startswith(
        "StreamConstraintsException: Number value length (1001) exceeds the maximum allowed (1000"
    )
    # Past 1024 characters SnakeYAML no longer tries the int/float patterns: a string.
    assert value(oracle, "9" * 1025) == "9" * 1025


# -- Optimize's re-read of "[...]" values ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[a, b]", ["a", "b"]),
        ("[1, yes, ~, 0x1F, 1.5, '2']", [1, True, None, 31, 1.5, "2"]),
        ("[a] [b]", ["a"]),
        ("[a], [b]", ["a"]),
        ('["x"]#]', ["x"]),
        ("[*x]", ["x"]),
    ],
)
def test_list_mode(oracle: JacksonOracle, text: str, expected: Any) -> None:
    result = oracle.read(text, mode="list")
    assert result.ok, result.error
    assert typed(result.tree) == typed(expected)


def test_list_mode_errors(oracle: JacksonOracle) -> None:
    assert oracle.read("[${X}]", mode="list").error.startswith(
        "MarkedYAMLException: while parsing a flow sequence"
    )
    assert oracle.read("[a]: b", mode="list").error.startswith(
        "MismatchedInputException: Cannot deserialize value of type `java.util.ArrayList"
    )


# -- the wrapper itself -----------------------------------------------------------------------


def test_same_answer_from_string_and_stream(oracle: JacksonOracle) -> None:
    text = "a: [1, yes, 0x1F]\nb: !!binary aGVsbG8=\n"
    assert oracle.read(text).tree == oracle.read(text, mode="string").tree


def test_a_dead_process_is_a_clear_error() -> None:
    # Stand-in for a JVM that dies at once (keeps this module at one JVM): Python runs
    # "-cp <classpath> <source>" as "-c p ...", fails on the name p and prints a traceback.
    broken = JacksonOracle(classpath="x", java=sys.executable)
    with broken, pytest.raises(RuntimeError) as raised:
        broken.read("a: 1\n")
    message = str(raised.value)
    assert message.startswith("Jackson oracle failed: the process ended; exit code 1; stderr: ")
    assert "NameError" in message


def test_missing_reason_names_each_missing_jar(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(CLASSPATH_ENV, raising=False)
    reason = missing_reason()
    assert find_classpath() is None
    for jar in (
        "jackson-databind-2.17.2.jar",
        "jackson-core-2.17.2.jar",
        "jackson-annotations-2.17.2.jar",
        "jackson-dataformat-yaml-2.17.2.jar",
        "snakeyaml-2.2.jar",
    ):
        assert jar in reason
    assert str(tmp_path / ".m2" / "repository") in reason
    monkeypatch.setenv(CLASSPATH_ENV, "somewhere.jar")
    if "`java` is not on PATH" not in reason:
        assert missing_reason() == ""
        assert find_classpath() == "somewhere.jar"


def test_oracle_or_skip_fails_under_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv(CLASSPATH_ENV, raising=False)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="jar not found"):
        oracle_or_skip()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="jar not found"):
        oracle_or_skip()
