"""The one reader: safe scalars out, Jackson's view of a file in, one clean error for the rest."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener.errors import ConfigSyntaxError
from hardener.yaml import (
    SourceText,
    decode_source,
    emit_scalar,
    load_data,
    parse_text,
    read_config,
)
from hardener.yaml import nodes as nodes_module

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.sampled_from(
        ["yes", "No", "on", "OFF", "y", "~", "null", "0777", "1e3", "0x1F", "1:20", ".inf",
         "${VAR}", "${VAR:default}", "{{ 7*7 }}", "{% raw %}", "a: b", "#x", "- x", "? x",
         "'", '"', "\\", "\n", " lead", "trail ", "\ufeff", "\x85", "\u2028", "é✓𝄞", "",
         "[a, b]", "<<", "*x", "&y", "!t"]
    ),
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(value=scalars)
def test_any_scalar_reads_back_as_itself_and_adds_no_key(value: Any) -> None:
    text = f"before: 1\nkey: {emit_scalar(value)}\nafter: 2\n"
    assert parse_text(text) == {"before": 1, "key": value, "after": 2}


@settings(max_examples=150, deadline=None)
@given(value=st.lists(scalars, max_size=4))
def test_lists_read_back(value: list[Any]) -> None:
    assert parse_text(f"key: {emit_scalar(value)}\n") == {"key": value}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: 1\na: 2\n", "2:1: invalid YAML: found duplicate key"),
        (b"1: a\n'1': b\n", "2:1: invalid YAML: found duplicate key"),  # one key to Jackson
        (b"- a\n", "the top level is a list"),
        (b"plain\n", "the top level is a single value"),
        (b"a: 1\n---\nb: 2\n", "several YAML documents"),
        (b"a: !!python/object:os.system x\n", "1:4: unsupported YAML tag"),
        (b"a: !custom x\n", "1:4: unsupported YAML tag !custom"),
        (b"\ta: 1\n", "1:1: invalid YAML"),
        (b"a:\t1\n", "1:3: invalid YAML"),
        (b"a: \xff\n", "1:4: not valid UTF-8"),
        (b"a: 1\x00\n", "binary data"),
        ("a: 1\n".encode("utf-16"), "f.yaml:1: UTF-16 text; save the file as UTF-8"),
        ("a: 1\n".encode("utf-32-le"), "f.yaml:1: UTF-32 text; save the file as UTF-8"),
        (b"a: 'open\nb: 2\n", r"3:1: .* \(while scanning a quoted scalar that starts at 1:4\)"),
        (b"a: *nowhere\n", "1:4: alias \\*nowhere refers to an undefined anchor"),
        (b"*a : x\n", "1:1: alias \\*a refers to an undefined anchor"),
        (b"a: &a x\n*a : y\n", "2:1: an alias used as a key"),
    ],
)
def test_reader_refuses(data: bytes, message: str) -> None:
    with pytest.raises(ConfigSyntaxError, match=message):
        read_config(decode_source(data, "f.yaml"))


def test_reader_accepts_bom_crlf_empty_and_comments() -> None:
    source = decode_source(b"\xef\xbb\xbfa: 1\r\nb: !!str 2\r\n", "f.yaml")
    assert source.bom
    assert read_config(source).data == {"a": 1, "b": "2"}
    assert read_config(decode_source(b"# only a comment\n", "f")).data == {}
    assert read_config(decode_source(b"", "f")).data == {}
    assert read_config(decode_source(b"---\n", "f")).data == {}


# The values Jackson's tree holds (jackson-dataformat-yaml 2.17.2 over SnakeYAML 2.2); the
# differential test in test_model_jackson.py checks each of these against the real jars too.
JACKSON = {
    "on": True, "No": False, "YES": True, "tRue": "tRue", "y": "y", "n": "n",
    "~": None, "null": None, "nUll": "nUll", "": None,
    "0777": 511, "012_3": 83, "08": "08", "0o17": "0o17", "0x1F": 31, "0X1F": "0X1F",
    "-0x1F": -31, "0b101": 5, "1_000": 1000, "+12": 12, "_1": "_1", "1:20": "1:20",
    "1e3": 1000.0, "1.5": 1.5, "-.5": -0.5, "._5": 0.5, "1e400": float("inf"),
    "2001-12-14": "2001-12-14", "<<": "<<", "'yes'": "yes", '"12"': "12",
    "! 'yes'": True, "!!str 123": "123", "!!int '0x1F'": 31, "!!int x": "x",
    "!!bool y": True, "!!bool x": "x", "!!null x": None, "!!null ''": "",
    "!!float 1": 1.0, "!!timestamp CANARY-ts": "CANARY-ts", "!!binary aGVsbG8=": b"hello",
    "!!set {a}": {"a": None}, "!!str {a: 1}": {"a": 1},
    # Java's parsers, not Python's: hex floats, Character.digit, equalsIgnoreCase, MIME base64.
    "!!float 0x1p3": 8.0, "!!float 1e5d": 100000.0, "!!int 0x\uff11\uff21": 26,
    "!!int 01\u0667": 15, "!!int -0x-1F": 31, "!!bool ye\u017f": True,
    "!!binary aGk=aGk=": b"hihi", "!!binary 'aGk=\t'": b"hi",
    "1" * 1000 + "_": int("1" * 1000), "0x" + "f" * 1000: int("f" * 1000, 16),
}  # fmt: skip


@pytest.mark.parametrize("scalar", sorted(JACKSON))
def test_scalars_read_as_jackson_reads_them(scalar: str) -> None:
    value = parse_text(f"v: {scalar}\n")["v"]
    assert value == JACKSON[scalar]
    assert type(value) is type(JACKSON[scalar])


@pytest.mark.parametrize("scalar", [".inf", "-.inf", ".NaN", "1:20.5", "._", "!!float x",
                                    "!!int 09", "!!int 0b2", "!!binary notbase64!"])  # fmt: skip
def test_values_that_make_jacksons_read_fail_are_refused(scalar: str) -> None:
    with pytest.raises(ConfigSyntaxError, match="^f:1:4: Optimize's reader fails on this value"):
        read_config(SourceText("f", f"v: {scalar}\n"))


def test_long_numbers_follow_snakeyaml_limits() -> None:
    assert parse_text("v: " + "1" * 1000 + "\n")["v"] == int("1" * 1000)
    assert parse_text("v: " + "1" * 1025 + "\n")["v"] == "1" * 1025
    with pytest.raises(ConfigSyntaxError, match="longer than 1000 characters"):
        parse_text("v: " + "1" * 1001 + "\n")


def test_aliases_are_the_anchor_name_and_merge_keys_are_keys() -> None:
    text = (
        "auth: &engine_auth {enabled: true}\n"
        "engines:\n  e:\n    authentication: *engine_auth\n"
        "container:\n  ports:\n    <<: {http: null}\n"
    )
    config = read_config(SourceText("f", text))
    assert config.data["engines"]["e"]["authentication"] == "engine_auth"
    assert config.aliases == {("engines", "e", "authentication"): "engine_auth"}
    assert config.data["container"]["ports"] == {"<<": {"http": None}}
    assert config.merge_keys == (("container", "ports", "<<"),)


def test_an_alias_bomb_is_cheap_names_not_values() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    data = parse_text("\n".join(lines) + "\n")
    assert data["a11"] == ["a10"] * 10


@pytest.mark.parametrize(
    ("text", "where"),
    [("a: &a\n  b: *a\n", "f:2:6:"), ("a: &a [*a]\n", "f:1:8:"), ("a: &a {b: [*a]}\n", "f:1:12:")],
)
def test_recursive_alias_is_refused(text: str, where: str) -> None:
    with pytest.raises(ConfigSyntaxError) as error:
        read_config(SourceText("f", text))
    assert str(error.value) == (
        f"{where} an alias refers to a block that contains it; a configuration cannot be recursive"
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
    with pytest.raises(ConfigSyntaxError) as error:
        read_config(SourceText("f", text))
    assert str(error.value) == f"{where} nesting deeper than 64 levels"


@pytest.mark.parametrize(
    ("text", "position"),
    [("? {a: {b: 1}}\n: 1\n", "1:3"), ("? [1, 2]\n: 1\n", "1:3"), ("{[1]: 2}\n", "1:2"),
     ("a:\n  ? [x]\n  : 1\n", "2:5")],
)  # fmt: skip
def test_collection_keys_are_one_clean_error(text: str, position: str) -> None:
    message = f"^f.yaml:{position}: a list or mapping used as a key; keys must be plain names$"
    with pytest.raises(ConfigSyntaxError, match=message):
        read_config(SourceText("f.yaml", text))


def test_data_files_refuse_aliases() -> None:
    with pytest.raises(ConfigSyntaxError, match=r"^f:2:4: an alias \(\*x\) is not supported"):
        load_data(SourceText("f", "a: &x 1\nb: *x\n"))


def test_positions_of_keys_values_and_items() -> None:
    config = read_config(SourceText("f", "a:\n  b: 1\n  c: [x, y]\n  d:\n"))
    assert config.position(("a", "b")) == (2, 3)
    assert config.position(("a", "b"), "value") == (2, 6)
    assert config.position(("a", "c", 1)) == (3, 10)
    assert config.position(("a", "d"), "value") == (4, 3)  # an empty value points at its key
    assert config.position(("a", "zz")) == (1, 1)  # absent: its nearest parent
    assert config.where(config.data["a"], "c") == (3, 3)


def test_parse_errors_never_echo_a_value() -> None:
    text = "password: !!timestamp CANARY-ts\nother: [CANARY-2\n"
    with pytest.raises(ConfigSyntaxError) as error:
        read_config(SourceText("f", text))
    assert "CANARY" not in str(error.value)
    assert parse_text("password: !!timestamp CANARY-ts\n") == {"password": "CANARY-ts"}


# ----------------------------------------------------------------- libyaml and the pure parser

block_yaml = st.recursive(
    st.one_of(
        st.sampled_from(["x", "yes", "~", "12", "0x1F", "1e3", "'q'", '"d"', "a b", "[a, b]"]),
        st.text(alphabet="abc:-#[]{}'\" \t\u2028", max_size=6),
    ),
    lambda inner: st.dictionaries(st.sampled_from(["k", "l", "m", "<<"]), inner, max_size=3),
    max_leaves=8,
)


def _as_yaml(node: Any, indent: int = 0) -> str:
    if not isinstance(node, dict):
        return f" {node}\n"
    if not node:
        return " {}\n"
    pad = " " * indent
    return "\n" + "".join(f"{pad}{k}:{_as_yaml(v, indent + 2)}" for k, v in node.items())


def _read(text: str) -> Any:
    try:
        return parse_text(text)
    except ConfigSyntaxError as error:
        return ("error", error.line, error.column)


@settings(max_examples=300, deadline=None)
@given(tree=st.dictionaries(st.sampled_from(["a", "b", "c"]), block_yaml, min_size=1))
def test_libyaml_path_builds_the_tree_the_pure_parser_builds(tree: dict[str, Any]) -> None:
    """The reader takes libyaml's events where it may; ruamel's parser alone must agree."""
    text = _as_yaml(tree).lstrip("\n")
    chosen = _read(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nodes_module, "_fast_parser_reads", lambda _: False)
        pure = _read(text)
    assert chosen == pure


def test_text_libyaml_refuses_but_snakeyaml_reads_is_read() -> None:
    assert parse_text("a: [es1:9200, b]\n") == {"a": ["es1:9200", "b"]}


@pytest.mark.parametrize(
    "scalar",
    ["!!int _", "!!int -_", "!!int '0x1F '", "!!int 0x0x1F", "!!int 00o7", "!!int 0x\U0001d7ce",
     "!!int " + "1" * 1001, "!!int " + "1" * 5000, "-" + "1" * 1000 + "_", "0x" + "1" * 1001,
     "!!float Infinityf", "!!binary 'aGV sbG8='", '!!binary "aGVs\\_bG8="', "!!binary aGk=="],
)  # fmt: skip
def test_values_jackson_cannot_decode_are_refused_not_guessed(scalar: str) -> None:
    """Python's int(), float() and base64 accept these (blanks, a second 0x, any Unicode digit,
    blanks inside a base64 unit); Jackson's read fails, measured with the oracle."""
    with pytest.raises(ConfigSyntaxError, match="^f:1:4: Optimize's reader fails on this value"):
        read_config(SourceText("f", f"v: {scalar}\n"))
