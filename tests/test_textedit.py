"""Span editing: every untouched line stays byte-identical; edited paths read back as intended."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardener.errors import ConfigSyntaxError, MergeError
from hardener.merge.edit import AppliedEdit, Edit, apply_edits
from hardener.merge.preserve import check_preserved
from hardener.yaml import SourceText, emit_scalar, parse_text


def run(text: str, *edits: Edit) -> tuple[str, list[AppliedEdit]]:
    """Apply edits and check that only the reported old lines changed."""
    new, applied = apply_edits(SourceText("cfg.yaml", text, False), list(edits))
    allowed = {line for item in applied for line in item.old_lines}
    assert check_preserved(text, new, allowed) == []
    return new, applied


def edited(text: str, *edits: Edit) -> str:
    return run(text, *edits)[0]


def fails(text: str, *edits: Edit) -> str:
    with pytest.raises(MergeError) as caught:
        apply_edits(SourceText("cfg.yaml", text, False), list(edits))
    return str(caught.value)


# --------------------------------------------------------------------------------------------
# Replacing scalars
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("port: 8090  # http port\n", "port: 9000  # http port\n"),
        ("port: '8090'   # quoted\n", "port: 9000   # quoted\n"),
        ('port: "8090" # dq\n', "port: 9000 # dq\n"),
        ("port: ${HTTP_PORT:8090}  # env\n", "port: 9000  # env\n"),
        ("port: ~  # none\n", "port: 9000  # none\n"),
        ("port: null\n", "port: 9000\n"),
        ("port:\n", "port: 9000\n"),
        ("port:  # unset\n", "port: 9000  # unset\n"),
        ("port:    9\n", "port:    9000\n"),
        ("port: !!str 8090  # tagged\n", "port: 9000  # tagged\n"),
    ],
)
def test_replace_scalar_keeps_the_rest_of_the_line(line: str, expected: str) -> None:
    text = "# head\ncontainer:\n  " + line + "other: 1\n"
    new = edited(text, Edit(("container", "port"), "9000"))
    assert new == "# head\ncontainer:\n  " + expected + "other: 1\n"


def test_replace_reports_lines() -> None:
    text = "a: 1\nb:\n  c: 'x'  # keep\n  d: 2\n"
    new, applied = run(text, Edit(("b", "c"), "'y'"), Edit(("a",), "2"))
    assert new == "a: 2\nb:\n  c: 'y'  # keep\n  d: 2\n"
    assert applied == [
        AppliedEdit(("b", "c"), "replaced", 3, (3,)),
        AppliedEdit(("a",), "replaced", 1, (1,)),
    ]


def test_multiline_plain_and_quoted_scalars() -> None:
    text = "a: first\n  second  # c\nb: 'one\n  two'\nc: 3\n"
    new = edited(text, Edit(("a",), "x"), Edit(("b",), "y"))
    assert new == "a: x  # c\nb: y\nc: 3\n"


def test_block_scalar_followed_by_keys() -> None:
    text = (
        "ui:\n"
        "  banner: |  # shown on login\n"
        "    Welcome\n"
        "    # not a comment\n"
        "\n"
        "  next: 1\n"
        "keep: >-\n"
        "  folded\n"
        "other: 2\n"
    )
    new, applied = run(text, Edit(("ui", "banner"), "'hi'"), Edit(("ui", "next"), "2"))
    assert new == (
        "ui:\n  banner: 'hi'  # shown on login\n  next: 2\nkeep: >-\n  folded\nother: 2\n"
    )
    assert applied[0].old_lines == (2, 3, 4, 5)


def test_insert_after_block_scalar_keeps_its_value() -> None:
    text = "a:\n  k: |+\n    x\n\n# c\nb: 1\n"
    new = edited(text, Edit(("a", "n"), "z"))
    assert new == "a:\n  k: |+\n    x\n\n  'n': z\n# c\nb: 1\n"
    assert parse_text(new, "n")["a"]["k"] == "x\n\n"


# --------------------------------------------------------------------------------------------
# Replacing collections
# --------------------------------------------------------------------------------------------


def test_replace_flow_list() -> None:
    text = "security:\n  auth:\n    superUserIds: [admin, 'demo']  # admins\n"
    new = edited(text, Edit(("security", "auth", "superUserIds"), "['ops']"))
    assert new == "security:\n  auth:\n    superUserIds: ['ops']  # admins\n"


def test_replace_block_list_with_flow_list() -> None:
    text = "es:\n  nodes:  # cluster\n    # first\n    - host: a\n      port: 1\n    - b\nz: 1\n"
    new, applied = run(text, Edit(("es", "nodes"), "['x', 'y']"))
    assert new == "es:\n  nodes: ['x', 'y']  # cluster\nz: 1\n"
    assert applied[0].old_lines == (2, 3, 4, 5, 6)


def test_replace_block_mapping_keeps_unreferenced_anchor() -> None:
    text = "a: &base  # c\n  k: v\nb: 1\n"
    assert edited(text, Edit(("a",), "off_")) == "a: &base off_  # c\nb: 1\n"


def test_replace_flow_mapping_spanning_lines() -> None:
    text = "a: {x: 1,\n    y: 2}  # c\nb: 1\n"
    assert edited(text, Edit(("a",), "3")) == "a: 3  # c\nb: 1\n"


# --------------------------------------------------------------------------------------------
# Inserting keys
# --------------------------------------------------------------------------------------------


def test_insert_uses_sibling_indentation_per_block() -> None:
    text = (
        "two:\n"
        "  a: 1\n"
        "  # about b\n"
        "  b: 2  # trailing\n"
        "\n"
        "four:\n"
        "    c: 3\n"
        "    d:\n"
        "        e: 4\n"
        "# tail\n"
    )
    new, applied = run(
        text,
        Edit(("two", "x"), "1", comment="added"),
        Edit(("four", "y", "z"), "2"),
        Edit(("two", "w", "v"), "3"),
    )
    assert new == (
        "two:\n"
        "  a: 1\n"
        "  # about b\n"
        "  b: 2  # trailing\n"
        "  x: 1  # added\n"
        "  w:\n"
        "    v: 3\n"
        "\n"
        "four:\n"
        "    c: 3\n"
        "    d:\n"
        "        e: 4\n"
        "    'y':\n"
        "        z: 2\n"
        "# tail\n"
    )
    assert [item.line for item in applied] == [5, 14, 7]
    assert all(item.kind == "inserted" and item.old_lines == () for item in applied)


def test_insert_nested_chain_into_file_without_parent() -> None:
    text = "container:\n  host: 0.0.0.0\n"
    new, applied = run(
        text,
        Edit(("security", "responseHeaders", "HSTS", "max-age"), "31536000", "one year"),
    )
    assert new == (
        "container:\n"
        "  host: 0.0.0.0\n"
        "\n"
        "security:\n"
        "  responseHeaders:\n"
        "    HSTS:\n"
        "      max-age: 31536000  # one year\n"
    )
    assert applied == [
        AppliedEdit(("security", "responseHeaders", "HSTS", "max-age"), "inserted", 7, ())
    ]


def test_two_inserted_keys_under_one_new_parent_form_one_block() -> None:
    text = "a: 1\n\n"
    new = edited(
        text,
        Edit(("security", "auth", "cookie", "secure"), "true"),
        Edit(("b",), "2"),
        Edit(("security", "auth", "token", "lifeMin"), "60"),
        Edit(("security", "auth", "cookie", "same-site"), "'strict'"),
    )
    assert new == (
        "a: 1\n"
        "\n"
        "security:\n"
        "  auth:\n"
        "    cookie:\n"
        "      secure: true\n"
        "      same-site: 'strict'\n"
        "    token:\n"
        "      lifeMin: 60\n"
        "b: 2\n"
    )


def test_new_block_uses_dominant_indentation() -> None:
    text = "a:\n    b: 1\nc:\n    d: 2\n"
    assert edited(text, Edit(("x", "y", "z"), "1")) == (
        "a:\n    b: 1\nc:\n    d: 2\n\nx:\n    'y':\n        z: 1\n"
    )


def test_insert_under_empty_parent() -> None:
    text = "security:  # to do\nother:\n    x: 1\n"
    new, applied = run(text, Edit(("security", "auth", "lifeMin"), "5"))
    assert new == "security:  # to do\n    auth:\n        lifeMin: 5\nother:\n    x: 1\n"
    assert applied[0].old_lines == ()


def test_insert_under_explicit_null_parent() -> None:
    text = "security: ~  # none\nother: 1\n"
    new, applied = run(text, Edit(("security", "a"), "5"))
    assert new == "security:  # none\n  a: 5\nother: 1\n"
    assert applied[0].old_lines == (1,)


def test_insert_into_flow_mapping() -> None:
    text = "a: {x: 1}  # c\nb: {}\nc: {y: }\n"
    new = edited(
        text,
        Edit(("a", "n"), "2", comment="ignored in flow"),
        Edit(("b", "m", "k"), "'v'"),
        Edit(("c", "z"), "3"),
    )
    assert new == "a: {x: 1, 'n': 2}  # c\nb: {m: {k: 'v'}}\nc: {y: , z: 3}\n"


def test_insert_into_list_item_mapping() -> None:
    text = "es:\n  nodes:\n    - host: a\n      port: 1\n    - host: b\n"
    new = edited(text, Edit(("es", "nodes", 0, "scheme"), "https"))
    assert new == (
        "es:\n  nodes:\n    - host: a\n      port: 1\n      scheme: https\n    - host: b\n"
    )


def test_nested_inserts_at_one_point_go_deepest_first() -> None:
    text = "a:\n  b:\n    c: 1\n"
    new = edited(text, Edit(("a", "e"), "3"), Edit(("a", "b", "d"), "2"), Edit(("f",), "4"))
    assert new == "a:\n  b:\n    c: 1\n    d: 2\n  e: 3\n\nf: 4\n"


# --------------------------------------------------------------------------------------------
# File shapes: final newline, CRLF, markers, long lines, comments
# --------------------------------------------------------------------------------------------


def test_insert_at_end_of_file_without_final_newline() -> None:
    text = "a:\n  b: 1  # last"
    new, applied = run(text, Edit(("a", "c"), "2"), Edit(("d",), "3"))
    assert new == "a:\n  b: 1  # last\n  c: 2\n\nd: 3"
    assert applied[0].old_lines == (2,)


def test_crlf_file_stays_crlf() -> None:
    text = "---\r\n# c\r\na: 1  # x\r\nb:\r\n  c: 2\r\n"
    new = edited(text, Edit(("a",), "5"), Edit(("b", "d"), "3"), Edit(("x", "y"), "4"))
    assert new == "---\r\n# c\r\na: 5  # x\r\nb:\r\n  c: 2\r\n  d: 3\r\n\r\nx:\r\n  'y': 4\r\n"
    data = new.encode()
    assert data.count(b"\n") == data.count(b"\r\n") == 9


def test_start_marker_and_directive_kept() -> None:
    text = "%YAML 1.1\n---\n# top\na: 1\n"
    assert edited(text, Edit(("a",), "2"), Edit(("b",), "3")) == (
        "%YAML 1.1\n---\n# top\na: 2\n\nb: 3\n"
    )


def test_document_end_marker_stays_last() -> None:
    assert edited("a: 1\n...\n", Edit(("b",), "2")) == "a: 1\nb: 2\n...\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "a:\n  b: 1\n"),
        ("# only a comment\n", "# only a comment\n\na:\n  b: 1\n"),
        ("---\n", "---\n\na:\n  b: 1\n"),
        ("# no newline", "# no newline\n\na:\n  b: 1"),
    ],
)
def test_insert_into_empty_document(text: str, expected: str) -> None:
    assert edited(text, Edit(("a", "b"), "1")) == expected


def test_long_lines_and_comments_untouched() -> None:
    long = "x" * 250
    text = (
        "# header\n"
        f"long: '{long}'  # {long}\n"
        "\n"
        "a:\n"
        "  # before b\n"
        "  b: 1\n"
        "  # between\n"
        "  c: 2   # after c\n"
        "# trailing\n"
    )
    new = edited(text, Edit(("a", "b"), "3"))
    assert new == text.replace("  b: 1\n", "  b: 3\n")


def test_bom_flag_is_left_to_the_caller() -> None:
    source = SourceText("cfg.yaml", "a: 1\n", True)
    new, _ = apply_edits(source, [Edit(("a",), "2")])
    assert new == "a: 2\n"


def test_no_edits_returns_text_unchanged() -> None:
    assert apply_edits(SourceText("cfg.yaml", "a: 1", False), []) == ("a: 1", [])


# --------------------------------------------------------------------------------------------
# Anchors, aliases, merge keys, lists
# --------------------------------------------------------------------------------------------


def test_replace_alias_changes_only_that_key() -> None:
    text = "base: &b 'x'\nuse: *b  # alias\n"
    assert edited(text, Edit(("use",), "'y'")) == "base: &b 'x'\nuse: 'y'  # alias\n"


def test_anchored_value_not_referenced_keeps_anchor() -> None:
    assert edited("a: &x 1  # c\n", Edit(("a",), "2")) == "a: &x 2  # c\n"
    assert edited("a: &x |\n  t\nb: 1\n", Edit(("a",), "false")) == "a: &x false\nb: 1\n"


def test_refuse_changing_shared_anchor() -> None:
    message = fails("base: &b 1\nuse: *b\n", Edit(("base",), "2"))
    assert message.startswith("cfg.yaml:1: cannot change base: it is the anchored value &b")
    assert "line 2" in message


def test_refuse_editing_inside_shared_anchor_or_alias() -> None:
    text = "base: &b\n  x: 1\nuse: *b\n"
    assert "inside the anchored value &b" in fails(text, Edit(("base", "x"), "2"))
    assert "use is an alias" in fails(text, Edit(("use", "x"), "2"))
    assert "cfg.yaml:3:" in fails(text, Edit(("use", "x"), "2"))


def test_a_merge_key_is_an_ordinary_key_so_keys_are_added_beside_it() -> None:
    """Optimize's reader merges nothing: ``x`` under ``use`` exists only once written there."""
    text = "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  z: 3\n"
    assert edited(text, Edit(("use", "x"), "9")) == text + "  x: 9\n"
    nested = "ports:\n  <<: {http: 8090}\n"
    new = edited(nested, Edit(("ports", "http"), "null"))
    assert parse_text(new) == {"ports": {"<<": {"http": 8090}, "http": None}}


def test_the_value_under_a_merge_key_is_edited_like_any_other() -> None:
    text = "ports:\n  <<: {http: 8090}\n"
    new = edited(text, Edit(("ports", "<<", "http"), "null"))
    assert new == "ports:\n  <<: {http: null}\n"


def test_list_item_path() -> None:
    text = "es:\n  connection:\n    nodes:\n    - host: 'a'  # first\n      httpPort: 9200\n"
    new = edited(text, Edit(("es", "connection", "nodes", 0, "host"), "b"))
    assert new == text.replace("'a'", "b")


def test_list_item_replaced_whole_and_empty_item() -> None:
    text = "l:\n- host: a\n  port: 1\n-\n- c\n"
    new = edited(text, Edit(("l", 0), "x"), Edit(("l", 1), "y"), Edit(("l", 2), "z"))
    assert new == "l:\n- x\n- y\n- z\n"


def test_cannot_insert_into_list() -> None:
    text = "nodes:\n  - host: a\n"
    assert "cannot insert into a list" in fails(text, Edit(("nodes", 1, "host"), "b"))
    assert "cannot insert into a list" in fails(text, Edit(("new", 0, "host"), "b"))


# --------------------------------------------------------------------------------------------
# Refusals
# --------------------------------------------------------------------------------------------


def test_duplicate_and_conflicting_edits() -> None:
    assert "two edits" in fails("a: 1\n", Edit(("a",), "2"), Edit(("a",), "3"))
    assert "conflicting" in fails("a: 1\n", Edit(("a",), "2"), Edit(("a", "b"), "3"))
    assert "conflicting" in fails("", Edit(("a", "b"), "2"), Edit(("a", "b", "c"), "3"))


def test_not_a_mapping() -> None:
    assert "a is not a mapping" in fails("a: 1\n", Edit(("a", "b"), "2"))
    assert "a is not a list" in fails("a: {}\n", Edit(("a", 0), "2"))


def test_result_that_does_not_read_back_is_refused() -> None:
    assert "would not parse" in fails("a: 1\n", Edit(("a",), "x: y"))
    assert "does not read back" in fails("m: {x: 1}\n", Edit(("m", "k"), "a, b"))


@pytest.mark.parametrize("text", ["a: 1\rb: 2\r", "a: 1\nb: 'x\u2028y'\n", "a: 1 # \x85\n"])
def test_unusual_line_breaks_are_refused(text: str) -> None:
    assert "LF or CRLF" in fails(text, Edit(("a",), "2"))


def test_invalid_yaml_input() -> None:
    with pytest.raises(ConfigSyntaxError):
        apply_edits(SourceText("cfg.yaml", "a: [1\n", False), [Edit(("a",), "2")])


def test_caller_bugs_raise_value_error() -> None:
    with pytest.raises(ValueError, match="several lines"):
        apply_edits(SourceText("c", "a: 1\n", False), [Edit(("a",), "'x'\nb: 1")])
    with pytest.raises(ValueError, match="invalid edit path"):
        apply_edits(SourceText("c", "a: 1\n", False), [Edit((), "1")])


# --------------------------------------------------------------------------------------------
# Property test: random configs, random edits
# --------------------------------------------------------------------------------------------

_KEYS = ["a", "b", "host", "port", "name", "enabled", "max-age"]
_NEW_KEYS = ["n1", "n2", "new-key", "max-age"]
# (text, may it be written plain in block context, ... in flow context)
_STRINGS = [
    ("value", True, True),
    ("two words", True, True),
    ("http://h:8080/x", True, False),
    ("${X:8090}", True, False),
    ("yes", False, False),
    ("it's", True, False),
    ("a # b", False, False),
]
_NEW_VALUES = st.one_of(
    st.integers(-5, 100_000),
    st.booleans(),
    st.none(),
    st.sampled_from(["on", "x: y", "#c", "it's", "${A:1}", "plain", "", "tab\there", "ümlaut"]),
    st.lists(st.sampled_from(["a", "b c", "yes"]), max_size=3),
)


@st.composite
def _scalar_text(draw: st.DrawFn, flow: bool) -> str:
    kind = draw(st.sampled_from(["int", "bool", "null", "str", "str", "list"]))
    if kind == "int":
        return str(draw(st.integers(0, 99_999)))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "null":
        return draw(st.sampled_from(["~", "null", ""] if flow else ["~", "null", "", ""]))
    if kind == "list":
        return "[" + ", ".join(draw(st.lists(st.sampled_from(["x", "'y'"]), max_size=2))) + "]"
    text, block_plain, flow_plain = draw(st.sampled_from(_STRINGS))
    styles = ["single", "double"] + (["plain"] if (flow_plain if flow else block_plain) else [])
    style = draw(st.sampled_from(styles))
    if style == "plain":
        return text
    return "'" + text.replace("'", "''") + "'" if style == "single" else '"' + text + '"'


@st.composite
def _block_mapping(draw: st.DrawFn, column: int, depth: int, item: bool = False) -> list[str]:
    """Lines of a block mapping at ``column``; each nested block picks its own step.

    For a list ``item`` the first line holds a key, so that the caller can put a dash on it.
    """
    lines: list[str] = []
    for name in draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=4, unique=True)):
        pad = " " * column
        key = draw(st.sampled_from([name, name, f"'{name}'", f'"{name}"']))
        if (lines or not item) and draw(st.integers(0, 4)) == 0:
            lines.append("")
        if (lines or not item) and draw(st.integers(0, 4)) == 0:
            lines.append(" " * draw(st.sampled_from([0, column])) + "# note")
        trailing = draw(st.sampled_from(["", "", "  # t", " # x: y", "   "]))
        shape = draw(st.sampled_from(["scalar", "scalar", "map", "flow", "block", "list"]))
        if depth >= 4 or shape == "scalar":
            lines.append(f"{pad}{key}: {draw(_scalar_text(False))}".rstrip() + trailing)
            if draw(st.integers(0, 5)) == 0:  # a comment indented deeper than any key
                lines.append(" " * (column + 6) + "# deep")
        elif shape == "map":
            step = draw(st.sampled_from([2, 4]))
            lines.append(f"{pad}{key}:{trailing}")
            lines.extend(draw(_block_mapping(column + step, depth + 1)))
        elif shape == "flow":
            keys = draw(st.lists(st.sampled_from(_KEYS), max_size=3, unique=True))
            inner = ", ".join(f"{k}: {draw(_scalar_text(True))}" for k in keys)
            lines.append(f"{pad}{key}: {{{inner}}}{trailing}")
        elif shape == "block":
            header = draw(st.sampled_from(["|", ">-", "|+", "|2", ">+2", "&anc |"]))
            lines.append(f"{pad}{key}: {header}{trailing}")
            lines.extend([" " * (column + 2) + "text line", " " * (column + 2) + "# more"])
            lines.extend([""] * draw(st.integers(0, 1)))
        else:
            dash = " " * (column + draw(st.sampled_from([0, 2])))
            lines.append(f"{pad}{key}:{trailing}")
            for _ in range(draw(st.integers(1, 2))):
                item = draw(_block_mapping(len(dash) + 2, depth + 1, item=True))
                lines.append(dash + "- " + item[0][len(dash) + 2 :])
                lines.extend(item[1:])
    return lines


def _walk(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, data
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _walk(value, (*path, key))
    elif isinstance(data, list) and any(isinstance(item, dict) for item in data):
        for index, value in enumerate(data):
            yield from _walk(value, (*path, index))


def _is_container(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(item, dict) for item in value)
    )


def _strict(value: Any) -> Any:
    """A comparable form that tells ``True`` from ``1``."""
    if isinstance(value, dict):
        return ("map", {str(key): _strict(item) for key, item in value.items()})
    if isinstance(value, list):
        return ("list", [_strict(item) for item in value])
    return (type(value).__name__, value)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    for segment in path[:-1]:
        if isinstance(segment, str) and not isinstance(data.get(segment), dict | list):
            data[segment] = {}
        data = data[segment]
    data[path[-1]] = value


@st.composite
def _edits(draw: st.DrawFn, data: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any, str | None]]:
    nodes = list(_walk(data))
    leaves = [path for path, value in nodes if path and not _is_container(value)]
    parents = [
        (path, value)
        for path, value in nodes
        if isinstance(value, dict) or (value is None and path and isinstance(path[-1], str))
    ]
    chosen: list[tuple[tuple[Any, ...], Any, str | None]] = []
    for _ in range(draw(st.integers(1, 6))):
        if leaves and draw(st.booleans()):
            path = draw(st.sampled_from(leaves))
        else:
            parent, value = draw(st.sampled_from(parents))
            taken = set(value) if isinstance(value, dict) else set()
            first = draw(st.sampled_from([k for k in _NEW_KEYS if k not in taken] or ["zz"]))
            path = (*parent, first, *draw(st.lists(st.sampled_from(_NEW_KEYS), max_size=2)))
        if all(path[: len(p)] != p and p[: len(path)] != path for p, _, _ in chosen):
            comment = draw(st.sampled_from([None, "added", "why: # not"]))
            chosen.append((path, draw(_NEW_VALUES), comment))
    return chosen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=_block_mapping(0, 1),
    eol=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    marker=st.booleans(),
    data=st.data(),
)
def test_random_configs(
    lines: list[str], eol: str, final_newline: bool, marker: bool, data: st.DataObject
) -> None:
    text = eol.join((["---"] if marker else []) + lines) + (eol if final_newline else "")
    source = SourceText("cfg.yaml", text, False)
    before = parse_text(text, "cfg.yaml")
    edits = data.draw(_edits(before))
    new, applied = apply_edits(
        source, [Edit(path, emit_scalar(value), comment) for path, value, comment in edits]
    )
    expected = copy.deepcopy(before)
    for path, value, _ in edits:
        _set(expected, path, value)
    assert _strict(parse_text(new, "new")) == _strict(expected)
    allowed = {line for item in applied for line in item.old_lines}
    assert check_preserved(text, new, allowed) == []
    if "\r\n" in text:
        assert new.count("\n") == new.count("\r\n")
    assert new.endswith(eol) == text.endswith(eol) or text.strip() == ""
