"""Hypothesis: random configs x every profile -> idempotent, preserved, hardened."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardener.catalog import parse_pattern
from hardener.compare import judge
from hardener.errors import MergeError
from hardener.merge.decide import merge_source
from hardener.merge.preserve import check_preserved
from hardener.plan import context_for
from hardener.profiles import Compare, load_profile
from hardener.values import resolve_values
from hardener.yaml import SourceText, emit_key, emit_scalar, parse_text

# Keys drawn from Optimize's real sections (so the merge meets them) and custom ones (which it
# must leave alone).
KEYS = ["container", "ports", "http", "host", "security", "responseHeaders", "HSTS", "max-age",
        "auth", "token", "lifeMin", "es", "security", "ssl", "enabled", "custom", "note", "x-y",
        "engines", "camunda-bpm", "rest", "sharing", "email", "keystore", "password"]  # fmt: skip
SCALARS = st.one_of(
    st.integers(-5, 10**9),
    st.booleans(),
    st.none(),
    st.sampled_from(["0.0.0.0", "http://engine:8080/engine-rest", "${X:1}", "yes", "a b", "#"]),
    st.text(alphabet="abcxyz -:#'\"", max_size=12),
)


@st.composite
def trees(draw: Any, depth: int = 0) -> dict[str, Any]:
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=4, unique=True))
    tree: dict[str, Any] = {}
    for key in keys:
        if depth < 3 and draw(st.booleans()):
            tree[key] = draw(trees(depth + 1))
        else:
            tree[key] = draw(SCALARS)
    return tree


@st.composite
def documents(draw: Any) -> str:
    """Render a tree with random indentation, quoting, comments, blank lines and newlines."""
    tree = draw(trees())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append("# a header comment")

    def emit(node: dict[str, Any], indent: int) -> None:
        step = draw(st.sampled_from([2, 4]))
        for key, value in node.items():
            if draw(st.integers(0, 5)) == 0:
                lines.append(" " * indent + "# note about " + key)
            if draw(st.integers(0, 6)) == 0:
                lines.append("")
            if isinstance(value, dict):
                lines.append(" " * indent + emit_key(key) + ":")
                emit(value, indent + step)
            else:
                text = emit_scalar(value)
                if isinstance(value, str) and text[0] not in "'\"" and draw(st.booleans()):
                    text = "'" + value.replace("'", "''") + "'"
                comment = "  # trailing" if draw(st.integers(0, 4)) == 0 else ""
                lines.append(" " * indent + emit_key(key) + ": " + text + comment)

    emit(tree, 0)
    text = newline.join(lines)
    return text + (newline if draw(st.booleans()) else "")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents(), profile=st.sampled_from(["strict", "standard", "dev"]),
       target=st.sampled_from(["c7", "c8"]))  # fmt: skip
def test_merge_is_idempotent_preserving_and_hardening(text: str, profile: str, target: str) -> None:
    source = SourceText("random.yaml", text, False)
    resolved = load_profile(profile)
    site = resolve_values(target)
    try:
        result = merge_source(source, text.encode(), resolved, target, site)
    except MergeError as exc:
        # The only refusals a well-formed file may get: a hardened key's parent holds a scalar,
        # or a hardened key holds a block where Optimize expects one value.
        assert "holds a value" in str(exc) or "holds a block of keys" in str(exc)
        return
    merged = result.merged.decode()
    assert check_preserved(text, merged, result.touched_lines) == []
    again = merge_source(SourceText("random.yaml", merged, False), result.merged, resolved,
                         target, site)  # fmt: skip
    assert again.merged == result.merged, "a second merge changed the file"
    tree = parse_text(merged, "m")
    ctx = context_for(resolved)
    settings_by_rule = {s.rule: s for s in resolved.for_target(target)}
    for change in result.changes:
        setting = settings_by_rule[change.rule]
        if setting.compare is Compare.ANY or change.action == "waived":
            continue
        node: Any = tree
        for part in parse_pattern(change.path):
            node = node[part]
        assert judge(setting, node, ctx).ok, (change.path, node)
