"""The fast loader agrees with the safe loader wherever it answers, and answers for our data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardener import api
from hardener.errors import ConfigSyntaxError
from hardener.fastyaml import load_simple
from hardener.limits import MAX_DEPTH
from hardener.resources import profiles_dir
from hardener.yamlio import SourceText, load_plain, parse_mapping, safe_yaml, to_plain

ROOT = Path(__file__).resolve().parents[1]


def safe_load(text: str) -> Any:
    """The safe loader's answer: the first document, or the exception type it raised."""
    try:
        documents = list(safe_yaml().load_all(text))
    except Exception as exc:  # noqa: BLE001 - any failure is an answer to compare
        return type(exc)
    return documents


def assert_agrees(text: str) -> Any:
    fast = load_simple(text)
    if fast is not None:
        documents = safe_load(text)
        assert isinstance(documents, list), f"fast loader accepted what fails: {documents}"
        assert len(documents) <= 1
        assert fast == (documents[0] if documents and documents[0] is not None else {})
        assert _types(fast) == _types(documents[0] if documents and documents[0] else {})
    return fast


def _types(tree: Any) -> Any:
    """The tree with every value replaced by its type: 1 == True, but not for a config."""
    if isinstance(tree, dict):
        return {(type(k), k): _types(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_types(v) for v in tree]
    return type(tree)


# ----------------------------------------------------------------------------- fixed cases

SCALARS = {
    "plain": "plain",
    "yes": True, "No": False, "y": True, "n": False, "on": True, "OFF": False,
    "true": True, "False": False, "~": None, "null": None, "NULL": None, "": None,
    "0": 0, "12": 12, "-7": -7, "none": "none", "nope": "nope", "onward": "onward",
    "'yes'": "yes", '"12"': "12", "a: b": None,  # the last one is not a scalar at all
}  # fmt: skip


@pytest.mark.parametrize("scalar", sorted(SCALARS))
def test_scalar_values_follow_yaml_1_1(scalar: str) -> None:
    text = f"key: {scalar}\n"
    fast = assert_agrees(text)
    if scalar == "a: b":
        assert fast is None  # "mapping values are not allowed here": the full loader's call
    else:
        assert fast == {"key": SCALARS[scalar]}


DECLINED = {
    "octal": "mode: 0755\n",
    "underscores": "n: 1_000\n",
    "hex": "n: 0x1F\n",
    "sexagesimal": "t: 12:30\n",
    "float": "f: 1.5\n",
    "infinity": "f: .inf\n",
    "signed": "n: +1\n",
    "timestamp": "d: 2001-01-01\n",
    "merge key": "a: {x: 1}\nb:\n  <<: {y: 2}\n",
    "anchor and alias": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "custom tag": "a: !vault x\n",
    "directive": "%YAML 1.2\n---\na: yes\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "duplicate key": "a: 1\na: 2\n",
    "bool and int key": "1: a\ntrue: b\n",
    "list as key": "? [a]\n: b\n",
    "list root": "- a\n",
    "scalar root": "just text\n",
    "invalid": "a: [1\n",
    "tab indent": "a:\n\tb: 1\n",
    "tab after a colon": "a:\t\n",  # libyaml accepts it, ruamel's parser and SnakeYAML do not
    "byte order mark inside": "a:\n  b:\n\ufeff    c: 1\n",  # libyaml skips it, they read it
    "next line as a break": "/:\x850:\n",  # two keys to libyaml, a nested one to ruamel
    "too deep": "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
}


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_what_it_does_not_decide_is_left_to_the_full_loader(name: str) -> None:
    assert load_simple(DECLINED[name]) is None


def test_empty_and_comment_only_files_are_empty_mappings() -> None:
    for text in ("", "# only a comment\n", "---\n", "~\n"):
        assert assert_agrees(text) == {}


def test_nesting_up_to_the_limit_is_fine() -> None:
    depth = MAX_DEPTH
    text = "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    assert assert_agrees(text) is not None


def test_order_quoting_and_block_scalars() -> None:
    text = "z: 1\na:\n  - 'x: y'\n  - |\n    two\n    lines\n  - {k: v, n: no}\nm: 'it''s'\n"
    fast = assert_agrees(text)
    assert list(fast) == ["z", "a", "m"]
    assert fast["a"] == ["x: y", "two\nlines\n", {"k": "v", False: False}]  # YAML 1.1: n is no
    assert fast["m"] == "it's"


@pytest.mark.parametrize("name", ["c7", "c8"])
def test_catalogs_take_the_fast_path(name: str) -> None:
    path = ROOT / "hardener" / "catalogs" / f"{name}.yaml"
    assert assert_agrees(path.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("path", sorted(profiles_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_profiles_take_the_fast_path(path: Path) -> None:
    assert assert_agrees(path.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("profile", ["strict", "standard", "dev"])
@pytest.mark.parametrize("target", ["c7", "c8"])
def test_generated_configs_take_the_fast_path(profile: str, target: str) -> None:
    assert assert_agrees(api.generate(profile, target).text) is not None


# ----------------------------------------------------------------------------- properties

TRICKY = [
    "yes", "No", "y", "n", "on", "Off", "true", "FALSE", "~", "null", "", "0", "00", "07",
    "08", "0755", "1_0", "-1", "-0", "+1", "1.5", ".5", ".inf", ".NaN", "1e3", "12:30",
    "2001-01-01", "<<", "=", "!", "&a", "*a", "-", "- x", "? x", ":", "a:b", "#x", "a #b",
    "${VAR}", "${VAR:d}", "'q'", '"d"', '"\\t"', "[a]", "{a: 1}", "|", ">", "@x", "%x",
]  # fmt: skip
scalar = st.sampled_from(TRICKY) | st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6
)
key = st.sampled_from(["a", "b", "yes", "1", "~", "key", "<<", "x y"]) | scalar


def block(tree: Any, indent: int) -> str:
    pad = " " * indent
    if isinstance(tree, dict):
        lines = []
        for k, v in tree.items():
            if isinstance(v, dict | list) and v:
                lines.append(f"{pad}{k}:\n{block(v, indent + 2)}")
            else:
                lines.append(f"{pad}{k}: {v if not isinstance(v, dict | list) else '{}'}\n")
        return "".join(lines)
    return "".join(
        f"{pad}- {v}\n" if not isinstance(v, dict | list) else f"{pad}-\n{block(v, indent + 2)}"
        for v in tree
    )


trees = st.recursive(
    st.dictionaries(key, scalar, max_size=4),
    lambda inner: st.dictionaries(key, inner | scalar | st.lists(inner | scalar, max_size=3)),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(trees)
def test_fast_loader_agrees_on_random_block_yaml(tree: dict[Any, Any]) -> None:
    assert_agrees(block(tree, 0))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_fast_loader_agrees_on_mutated_profiles(data: st.DataObject) -> None:
    text = (profiles_dir() / "strict.yaml").read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 8))
        text = text[:at] + data.draw(st.sampled_from(TRICKY) | scalar) + text[at + cut :]
    assert_agrees(text)


def test_without_libyaml_the_pure_parser_gives_the_same_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [
        (profiles_dir() / "standard.yaml").read_text(encoding="utf-8"),
        *SCALARS_TEXTS,
        *DECLINED.values(),
    ]
    with_libyaml = [load_simple(text) for text in texts]
    monkeypatch.setitem(sys.modules, "ruamel.yaml.cyaml", None)  # import now fails
    assert [load_simple(text) for text in texts] == with_libyaml


SCALARS_TEXTS = [f"key: {scalar}\n" for scalar in SCALARS]


@pytest.mark.parametrize(
    "name", ["tab after a colon", "byte order mark inside", "next line as a break"]
)
def test_where_libyaml_differs_load_plain_reads_like_the_precise_parser(name: str) -> None:
    source = SourceText(name="x.yaml", text=DECLINED[name], bom=False)
    try:
        expected: Any = to_plain(parse_mapping(source))
    except ConfigSyntaxError as exc:
        expected = exc.message
    try:
        got: Any = load_plain(source)
    except ConfigSyntaxError as exc:
        got = exc.message
    assert got == expected
