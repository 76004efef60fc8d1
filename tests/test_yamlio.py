"""Safe scalars and the guarded reader."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener.errors import ConfigSyntaxError
from hardener.yamlio import SourceText, decode_source, parse_mapping, to_plain, yaml_scalar

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


def test_alias_bomb_is_cheap() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    tree = parse_mapping(SourceText("bomb", "\n".join(lines) + "\n", False))
    assert set(tree) == {f"a{i}" for i in range(12)}
    to_plain(tree)  # shared subtrees stay shared: no 10**12 expansion


def test_deep_nesting_is_refused() -> None:
    text = "a: " + "[" * 10_000 + "]" * 10_000 + "\n"
    with pytest.raises(ConfigSyntaxError, match="nesting"):
        parse_mapping(SourceText("deep", text, False))
