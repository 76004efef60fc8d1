"""Safe scalars and the guarded reader."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener.errors import ConfigSyntaxError
from hardener.rules.document import Document
from hardener.yamlio import (
    SourceText,
    decode_source,
    load_plain,
    parse_mapping,
    to_plain,
    yaml_scalar,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.sampled_from(
        ["yes", "No", "on", "OFF", "y", "~", "null", "0777", "1e3", "0x1F", "1:20", ".inf",
         "${VAR}", "${VAR:default}", "{{ 7*7 }}", "{% raw %}", "a: b", "#x", "- x", "? x",
         "'", '"', "\\", "\n", " lead", "trail ", "\ufeff", "\x85", "\u2028", "é✓𝄞", ""]
    ),
)  # fmt: skip


def parse(text: str) -> Any:
    return to_plain(parse_mapping(SourceText("t", text, False)))


@settings(max_examples=400, deadline=None)
@given(value=scalars)
def test_any_scalar_reads_back_as_itself_and_adds_no_key(value: Any) -> None:
    text = f"before: 1\nkey: {yaml_scalar(value)}\nafter: 2\n"
    assert parse(text) == {"before": 1, "key": value, "after": 2}


@settings(max_examples=150, deadline=None)
@given(value=st.lists(scalars, max_size=4))
def test_lists_read_back(value: list[Any]) -> None:
    assert parse(f"key: {yaml_scalar(value)}\n") == {"key": value}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: 1\na: 2\n", "2:1: invalid YAML: found duplicate key"),
        (b"- a\n", "the top level is a list"),
        (b"plain\n", "the top level is a single value"),
        (b"a: 1\n---\nb: 2\n", "several YAML documents"),
        (b"a: !!python/object:os.system x\n", "1:4: unsupported YAML tag"),
        (b"a: !custom x\n", "1:4: unsupported YAML tag !custom"),
        (b"\ta: 1\n", "1:1: invalid YAML"),
        (b"a: \xff\n", "1:4: not valid UTF-8"),
        (b"a: 1\x00\n", "binary data"),
        ("a: 1\n".encode("utf-16"), "f.yaml:1: UTF-16 text; save the file as UTF-8"),
        ("a: 1\n".encode("utf-16-be"), "f.yaml:1: UTF-16 text; save the file as UTF-8"),
        ("a: 1\n".encode("utf-32-le"), "f.yaml:1: UTF-32 text; save the file as UTF-8"),
        (bytes(range(256)), "f.yaml:1: binary data"),
        (b"a: 'open\nb: 2\n", r"3:1: .* \(while scanning a quoted scalar that starts at 1:4\)"),
        (b"#\n| # x\n", "f.yaml: invalid YAML: the round-trip parser could not place"),
    ],
)
def test_reader_refuses(data: bytes, message: str) -> None:
    with pytest.raises(ConfigSyntaxError, match=message):
        parse_mapping(decode_source(data, "f.yaml"))


def test_reader_accepts_bom_crlf_empty_and_standard_tags() -> None:
    source = decode_source(b"\xef\xbb\xbfa: 1\r\nb: !!str 2\r\n", "f.yaml")
    assert source.bom
    assert to_plain(parse_mapping(source)) == {"a": 1, "b": "2"}
    assert to_plain(parse_mapping(decode_source(b"# only a comment\n", "f"))) == {}
    assert to_plain(parse_mapping(decode_source(b"", "f"))) == {}


def test_yaml_1_1_booleans_are_read_as_optimize_reads_them() -> None:
    assert parse("a: on\nb: no\nc: 'on'\n") == {"a": True, "b": False, "c": "on"}


def test_alias_bomb_is_refused_cheaply() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    source = SourceText("bomb", "\n".join(lines) + "\n", False)
    for read in (parse_mapping, load_plain):  # 10**12 values if any walk expanded them
        with pytest.raises(ConfigSyntaxError, match="aliases expand to more than 10000 values"):
            read(source)


def test_honest_anchors_are_accepted() -> None:
    block = "{host: es, port: 9200, tls: true}"
    text = f"base: &b {block}\n" + "".join(f"n{i}: *b\n" for i in range(100))
    assert load_plain(SourceText("f", text, False))["n99"] == {
        "host": "es",
        "port": 9200,
        "tls": True,
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: &a\n  b: *a\n", "f:2:6:"),
        ("a: &a [*a]\n", "f:1:8:"),
        ("a: &a {b: [*a]}\n", "f:1:12:"),
        ("x: &a [1]\na: [*a, &a [2], [*a]]\n", None),  # a reused name: each *a means a closed &a
    ],
)
def test_recursive_alias_is_refused(text: str, where: str | None) -> None:
    """ruamel's round-trip loader silently turns a recursive alias into null; the libyaml
    loader builds a cycle that no walk would leave. Both are refused at the alias."""
    source = SourceText("f", text, False)
    if where is None:
        assert load_plain(source) == to_plain(parse_mapping(source))
        return
    for read in (parse_mapping, load_plain, Document.parse):
        with pytest.raises(ConfigSyntaxError) as error:
            read(source)
        assert str(error.value) == (
            f"{where} an alias refers to a block that contains it; "
            "a configuration cannot be recursive"
        )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", "f:1:67:"),
        ("a: " + "{x: " * 10_000 + "1" + "}" * 10_000 + "\n", "f:1:256:"),
        ("a:\n" + "- " * 10_000 + "x\n", "f:2:127:"),
        ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 100)), "f:65:65:"),
    ],
)
def test_deep_nesting_is_refused_at_its_position(text: str, where: str) -> None:
    """libyaml's composer recurses in C (a million levels crash it), ruamel's scanner is
    quadratic in flow depth: the depth is checked from events before either runs."""
    for read in (parse_mapping, load_plain):
        with pytest.raises(ConfigSyntaxError) as error:
            read(SourceText("f", text, False))
        assert str(error.value) == f"{where} nesting deeper than 64 levels"


def test_nesting_through_aliases_is_refused() -> None:
    lines = ["a0: &a0 [x]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 70))]
    with pytest.raises(ConfigSyntaxError, match="^f: nesting deeper than 64 levels"):
        load_plain(SourceText("f", "\n".join(lines) + "\n", False))


# Found by tests/test_fuzz.py: ruamel's constructors trust a value to match its tag, so an
# explicit tag on a wrong value raised ValueError, IndexError, KeyError or AttributeError.
BAD_TAGS = [
    ("k: !!int\n", "1:4: the value tagged !!int is not a valid int"),
    ("!!int $# Generated\n", "1:1: the value tagged !!int is not a valid int"),
    ("k: !!float x\n", "1:4: the value tagged !!float is not a valid float"),
    ("k: !!bool 1\n", "1:4: the value tagged !!bool is not a valid bool"),
    ("k: !!timestamp 2001-13-45\n", "1:4: the value tagged !!timestamp is not a valid timestamp"),
    ("? !!int x\n: 1\n", "1:3: the value tagged !!int"),
    ("k: !!set x\n", "1:4: unsupported YAML tag tag:yaml.org,2002:set"),
    ("k: !!set {a, b}\n", "1:4: unsupported YAML tag tag:yaml.org,2002:set"),
    ("k: !!omap [a: 1]\n", "1:4: unsupported YAML tag tag:yaml.org,2002:omap"),
    ("k: !!pairs x\n", "1:4: unsupported YAML tag tag:yaml.org,2002:pairs"),
]


@pytest.mark.parametrize(("text", "message"), BAD_TAGS)
@pytest.mark.parametrize("reader", [parse_mapping, load_plain, Document.parse])
def test_badly_tagged_values_are_one_clean_error(
    reader: Callable[[SourceText], Any], text: str, message: str
) -> None:
    with pytest.raises(ConfigSyntaxError, match=f"^f.yaml:{message}"):
        reader(SourceText("f.yaml", text, False))


def test_well_tagged_values_still_read() -> None:
    text = "a: !!int '8090'\nb: !!bool yes\nc: !!float 1.5\nd: !!null ''\ne: !!str 1\n"
    expected = {"a": 8090, "b": True, "c": 1.5, "d": None, "e": "1"}
    assert parse(text) == expected
    assert load_plain(SourceText("f", text, False)) == expected


def test_ruamel_warnings_never_reach_stderr() -> None:
    """Found by fuzzing: a reused anchor or 1e3 made ruamel print file lines (secrets too)."""
    text = "a: &x secret-one\nb: &x secret-two\nc: 1e3\n"
    source = SourceText("f", text, False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert to_plain(parse_mapping(source)) == {
            "a": "secret-one",
            "b": "secret-two",
            "c": 1000.0,
        }
        load_plain(source)
        Document.parse(source)
    assert [str(w.message) for w in caught] == []


# Found by tests/test_fuzz.py (merging "?" made "?" the key of a whole block): ruamel hashed a
# mapping key holding another collection and raised TypeError. Keys must be names anyway.
@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("? {a: {b: 1}}\n: 1\n", "1:3"),
        ("? [[1]]\n: 1\n", "1:3"),
        ("? [1, 2]\n: 1\n", "1:3"),
        ("{[1]: 2}\n", "1:2"),
        ("a:\n  ? [x]\n  : 1\n", "2:5"),
        ("a: &m {x: 1}\nb:\n  <<: *m\n  ? [[1]]\n  : 2\n", "4:5"),
    ],
)
@pytest.mark.parametrize("reader", [parse_mapping, load_plain, Document.parse])
def test_collection_keys_are_one_clean_error(
    reader: Callable[[SourceText], Any], text: str, position: str
) -> None:
    message = f"^f.yaml:{position}: a list or mapping used as a key; keys must be plain names$"
    with pytest.raises(ConfigSyntaxError, match=message):
        reader(SourceText("f.yaml", text, False))


def test_walks_follow_aliases_so_an_aliased_secret_is_seen() -> None:
    text = "x: &creds\n  password: not-shown-1234567\nes:\n  security: *creds\n"
    entries = Document.parse(SourceText("f", text, False)).entries
    assert (("es", "security", "password"), "not-shown-1234567") in entries
