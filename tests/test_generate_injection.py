"""No site value can add a key, break the file or change type on its way through generate."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardener import api
from hardener.errors import ValuesError
from hardener.yaml import parse_text

# Site values that take free text (validated ones, such as URLs and hosts, are covered by their
# validators: either they reject a value or it passes through the same scalar emitter).
FREE_TEXT = (
    "db.username",
    "engine.name",
    "engine.user",
    "engine.alias",
    "container.keystore_location",
)
HOSTILE = st.sampled_from(
    ["x\nnew: key", "a: b", "#comment", "{{ 7*7 }}", "{% if 1 %}x{% endif %}", "${HOME}", "${A:b}",
     "yes", "on", "NO", "~", "null", "'", '"', "- item", "? k", "&anchor", "*alias", "!tag",
     " lead", "trail ", "\t", "é✓𝄞", "\u2028", "\x85", "[a, b]", "{a: 1}", "|", ">", "%YAML"]
)  # fmt: skip
TEXT = st.one_of(HOSTILE, st.text(min_size=1, max_size=40))


def parse(text: str) -> Any:
    return parse_text(text, "generated")


def leaf_count(tree: Any) -> int:
    if isinstance(tree, dict):
        return sum(leaf_count(v) for v in tree.values())
    return 1


BASELINE = {target: leaf_count(parse(api.generate("strict", target).text)) for target in ("c7",)}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(FREE_TEXT), value=TEXT)
def test_free_text_site_values_read_back_exactly(key: str, value: str) -> None:
    try:
        result = api.generate("strict", "c7", overrides=[f"{key}={value}"])
    except ValuesError:
        return  # refused with a clear message (e.g. a banned user name, an empty alias)
    config = parse(result.text)
    assert leaf_count(config) == BASELINE["c7"], "a value added or removed keys"
    if key == "db.username":
        assert config["es"]["security"]["username"] == value
    elif key == "engine.alias":
        assert list(config["engines"]) == [value]
    elif key == "engine.name":
        assert config["engines"]["camunda-bpm"]["name"] == value
    elif key == "engine.user":
        assert config["engines"]["camunda-bpm"]["authentication"]["user"] == value
    else:
        assert config["container"]["keystore"]["location"] == value


@settings(max_examples=60, deadline=None)
@given(values=st.lists(TEXT, min_size=1, max_size=3))
def test_ca_path_lists_read_back(values: list[str]) -> None:
    try:
        result = api.generate("standard", "c8", values={"db.ca_paths": values})
    except ValuesError as exc:
        assert "one line of text" in str(exc)  # a control character: refused, never written
        return
    config = parse(result.text)
    assert config["es"]["security"]["ssl"]["certificate_authorities"] == values
