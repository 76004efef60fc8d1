"""The model of what Optimize holds: defaults, the file merged over them, placeholders resolved."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener.check.audit import check_text
from hardener.errors import MergeError
from hardener.merge.decide import merge_source
from hardener.model import (
    MissingVariable,
    View,
    as_placeholder,
    find_placeholders,
    ignored_by_merge,
    merge_over,
    resolve,
    shipped_defaults,
)
from hardener.profiles import load_profile
from hardener.values import resolve_values
from hardener.yaml import SourceText, parse_text, read_config

# Measured with Optimize's pattern and loop (reference "Placeholders: exact behaviour").
RESOLVED = [
    ("${A:x}${B:y}", "x}${B:y"),
    ("pre-${A:one}-mid-${B:two}-post", "pre-one}-mid-${B:two-post"),
    ("${A:null}", None),
    ("${A:~}", None),
    ("prefix-${A:NULL}", None),  # a null default nulls the whole value
    ("x${A:}y", "xy"),
    ("pw${NOPE:}CANARY", "pwCANARY"),
    ("${A:a:b}", "a:b"),
    ("$${A:1}}", "$1}"),
    ("${A:[x, y]}", ["x", "y"]),
    ("[a, b]", ["a", "b"]),  # any [..] text is read again as a list, quoted or not
    ("[a] [b]", ["a"]),  # only the first value of it
    ("[a", "[a"),
    ("${9A:x}", "${9A:x}"),  # not a variable name: text as it is
    ("${A:x\ny}", "${A:x\ny}"),  # the default never crosses a line break
]


@pytest.mark.parametrize(("raw", "value"), RESOLVED)
def test_placeholders_resolve_as_optimize_resolves_them(raw: str, value: object) -> None:
    assert resolve(raw, {}).value == value


def test_only_the_last_match_is_replaced_and_variables_win_over_defaults() -> None:
    assert resolve("${A}-${B}", {"A": "1", "B": "2"}).value == "${A}-2"
    assert resolve("${A:x}", {"A": ""}).value == ""  # set to empty still counts as set
    assert resolve("${A:x}", {"A": "null"}).value == "null"  # only a default is a null word
    assert resolve("${A}", {"A": "[p, q]"}).value == ["p", "q"]


def test_unknown_environment_leaves_variables_without_default_unknown() -> None:
    result = resolve("Bearer ${TOKEN}")
    assert (result.value, result.known, result.literal) == (None, False, False)
    assert result.missing == ("TOKEN",)
    assert resolve("${TOKEN:abc}").literal  # a literal default is literal text
    assert not resolve("${TOKEN:}").literal
    assert resolve("pw${NOPE:}CANARY").literal


def test_whole_value_placeholders() -> None:
    assert as_placeholder("${A:b}") is not None
    assert as_placeholder(" ${A:b}") is None
    assert as_placeholder("x${A}") is None
    assert as_placeholder(5) is None


def _naive(raw: str) -> list[tuple[int, int, str, str | None]]:
    """Python's regex with Optimize's pattern (Java's '.' stops at the same line breaks)."""
    pattern = re.compile(r"\$\{([a-zA-Z_]+[a-zA-Z0-9_]*)(:([^\n\r\x85\u2028\u2029]*))?}")
    return [(m.start(), m.end(), m.group(1), m.group(3)) for m in pattern.finditer(raw)]


@settings(max_examples=500, deadline=None)
@given(raw=st.text(alphabet="${}:ab_9 x\n", max_size=40))
def test_the_linear_scanner_finds_what_the_pattern_finds(raw: str) -> None:
    found = [(m.start, m.end, m.name, m.default) for m in find_placeholders(raw)]
    assert found == _naive(raw)


def test_placeholder_scanning_is_linear_on_hostile_text() -> None:
    for hostile in ("${" + "a" * 1_000_000, "${a:" * 250_000, "${a:}" * 200_000):
        start = time.perf_counter()
        find_placeholders(hostile)
        resolve(hostile)
        assert time.perf_counter() - start < 5  # quadratic would be hours


def test_merge_follows_configuration_parser() -> None:
    defaults = {"container": {"ports": {"http": "8090", "https": 8091}}, "engines": {"d": {}}}
    data = {"container": {"ports": {"http": None}}, "engines": {"mine": {"rest": "x"}}}
    assert merge_over(defaults, data) == {
        "container": {"ports": {"http": None, "https": 8091}},
        "engines": {"mine": {"rest": "x"}},  # replaced whole
    }
    dropped = {"container": "off", "security": None}
    assert merge_over({"container": {"a": 1}, "security": {"b": 2}}, dropped) == {
        "container": {"a": 1},  # a text over a block is dropped
        "security": {"b": 2},
    }
    assert ignored_by_merge({"container": {"a": 1}}, {"container": "off"}) == [("container",)]


def test_shipped_defaults_come_with_their_placeholders() -> None:
    defaults = shipped_defaults("c7")
    ports = defaults["container"]["ports"]
    assert ports["http"] == "${CAMUNDA_OPTIMIZE_CONTAINER_PORTS_HTTP:8090}"
    assert defaults["engines"]["camunda-bpm"]["rest"].startswith("${OPTIMIZE_CAMUNDABPM_REST_URL:")
    assert "engines" not in shipped_defaults("c8")


def test_view_resolves_defaults_and_file() -> None:
    config = read_config(SourceText("f", "container:\n  ports:\n    https: ${PORT:8443}\n"))
    view = View(config, "c7", {"CAMUNDA_OPTIMIZE_CONTAINER_PORTS_HTTP": "9000"})
    http, https = (
        view.get(("container", "ports", "http")),
        view.get(("container", "ports", "https")),
    )
    assert (http.value, http.origin, http.present) == ("9000", "default", False)
    assert (https.value, https.origin, https.present) == ("8443", "file", True)
    assert view.line(("container", "ports", "https")) == 3
    assert View(config, "c7").get(("container", "ports", "http")).value == "8090"


def test_a_missing_variable_stops_optimize_when_the_environment_is_known() -> None:
    config = read_config(SourceText("f.yaml", "a: 1\nsecurity:\n  auth:\n    token:\n"
                                    "      secret: ${TOKEN_SECRET}\n"))  # fmt: skip
    with pytest.raises(MissingVariable, match=r"^f.yaml:5: \$\{TOKEN_SECRET\} has no default"):
        View(config, "c7", {}).resolved()
    assert (
        View(config, "c7", {"TOKEN_SECRET": "s"}).resolved()["security"]["auth"]["token"]["secret"]
        == "s"
    )


# --- the four cases that made this model necessary -----------------------------------------


def _findings(text: str) -> set[tuple[str, int]]:
    return {(f.rule_id, f.line) for f in check_text(text, load_profile("strict"), "c7").findings}


def test_a_merge_key_does_not_switch_http_off() -> None:
    text = "container:\n  ports:\n    <<: {http: null}\n"
    assert {("OH-CNT-001", 2), ("OH-YAML-002", 3)} <= _findings(text)
    report = check_text(text, load_profile("strict"), "c7")
    assert report.grade is not None and report.grade.letter != "A+"
    merged = merge_source(
        SourceText("f", text), text.encode(), load_profile("strict"), "c7", resolve_values("c7")
    )
    assert parse_text(merged.merged.decode())["container"]["ports"]["http"] is None
    change = next(c for c in merged.changes if c.path == "container.ports.http")
    assert change.action == "added"  # never "kept": Optimize does not see the '<<' block


def test_an_alias_is_the_anchor_name() -> None:
    text = (
        "auth: &engine_auth\n  enabled: true\nengines:\n  e:\n"
        "    rest: https://engine.example:8443/engine-rest\n    authentication: *engine_auth\n"
    )
    assert {("OH-YAML-001", 6), ("OH-ENG-002", 6)} <= _findings(text)
    with pytest.raises(MergeError, match="Optimize reads as the text 'engine_auth'"):
        merge_source(
            SourceText("f", text), text.encode(), load_profile("strict"), "c7",
            resolve_values("c7"),
        )  # fmt: skip


def test_text_around_an_empty_placeholder_is_a_literal_secret() -> None:
    text = (
        "engines:\n  e:\n    rest: https://engine.example:8443/engine-rest\n"
        "    authentication:\n      enabled: true\n      user: importer\n"
        '      password: "pw${NOPE:}CANARY"\n'
    )
    found = check_text(text, load_profile("strict"), "c7").findings
    password = [f for f in found if f.path == "engines.e.authentication.password"]
    assert [(f.rule_id, f.line) for f in password] == [("OH-ENG-003", 7)]
    assert "part of the secret is literal text" in password[0].message
    assert all("CANARY" not in f.message for f in found)
    merged = merge_source(
        SourceText("f", text), text.encode(), load_profile("strict"), "c7", resolve_values("c7")
    )
    change = next(c for c in merged.changes if c.path == "engines.e.authentication.password")
    assert (change.action, change.old, change.new) == (
        "replaced", "********", "${OPTIMIZE_ENGINE_PASSWORD}"
    )  # fmt: skip
    assert {"pw${NOPE:}CANARY", "pwCANARY"} <= set(merged.secrets)  # masked in diffs, both ways


def test_greedy_placeholders_are_reported() -> None:
    text = 'container:\n  accessUrl: "pre-${A:one}-mid-${B:two}"\n'
    found = check_text(text, load_profile("strict"), "c7").findings
    problem = next(f for f in found if f.rule_id == "OH-SEC-003")
    assert problem.line == 2
    assert "the others are never resolved" in problem.message


def test_a_variable_missing_inside_a_re_read_list_stops_optimize_too() -> None:
    config = read_config(SourceText("f.yaml", "l: ${A}\n"))
    assert resolve("${A}", {"A": "['${Q}']"}).missing == ("Q",)
    with pytest.raises(MissingVariable, match=r"^f.yaml:1: \$\{Q\} has no default"):
        View(config, "c7", {"A": "['${Q}']"}).resolved()
    assert View(config, "c7", {"A": "['${Q}']", "Q": "x"}).resolved()["l"] == ["x"]
