"""Fuzzing: hostile bytes and broken YAML through the reader, the merger and the checker.

Every input must give a clean result or one ``HardenerError`` with a non-empty one-line message;
any other exception (RecursionError, a ruamel internal error, KeyError, TypeError ...) is a bug.
Inputs are random bytes, YAML-ish token soup, and generated configs with byte-level mutations.

The default run is short. For a long run set ``OPTIMIZE_HARDEN_FUZZ_EXAMPLES`` (examples per
test, e.g. 20000) and, to keep what hypothesis learns between runs, leave its database on.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hardener import api
from hardener.cli import app
from hardener.errors import HardenerError
from hardener.merge.decide import merge_source
from hardener.profiles import load_profile
from hardener.values import resolve_values
from hardener.yaml import SourceText, decode_source, load_data, read_config, read_source
from tests.clirunner import cli_runner

EXAMPLES = int(os.environ.get("OPTIMIZE_HARDEN_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILES = ("strict", "standard", "dev")
# A warning from ruamel is printed with lines of the file (secrets too): a failure here.
pytestmark = pytest.mark.filterwarnings("error")
TARGETS = ("c7", "c8")

# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

KEYS = [
    "container", "ports", "http", "https", "host", "security", "auth", "token", "secret",
    "responseHeaders", "HSTS", "max-age", "es", "opensearch", "connection", "nodes", "ssl",
    "enabled", "engines", "camunda-bpm", "rest", "authentication", "password", "user", "keystore",
    "location", "api", "accessToken", "sharing", "email", "custom", "x y",
    "Content-Security-Policy", "<<", "0", "1", "null", "~", "true", "yes", "é", "日本",
]  # fmt: skip
TOKENS = [
    ":", ": ", ":  ", " ", "  ", "    ", "\t", "\n", "\r\n", "\r", "- ", "-", "[", "]", "{", "}",
    ", ", ",", "'", '"', "''", '""', "&a ", "*a", "&b ", "*b", "!", "!!str ", "!!map ", "!!int ",
    "!x ", "!!python/object:os.system ", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "---\n", "---",
    "...\n", "# c", " #", "#", "|", "|-", ">", ">+", "? ", "<<: ", "${X}", "${X:1}", "${X:}",
    "\\", "\\n", "\\u00e9", "0", "1.5", "-1", "0x1F", "0o17", "1e3", ".inf", ".nan", "yes", "no",
    "on", "Off", "null", "~", "true", "8090", "http://h:80/x", "https://h", "'self'", "a b",
    "\ufeff", "\x85", "\u2028", "\u2029", "\x00", "\x07", "\x1b", "é", "✓", "\U0001d11e", "\ud800",
    "\x7f", "\u00a0", "\uffff",
]  # fmt: skip
token = st.one_of(st.sampled_from(KEYS), st.sampled_from(TOKENS), st.text(max_size=3))


@st.composite
def yamlish(draw: Any) -> str:
    """Lines of indentation plus tokens: mostly key/value shaped, often broken."""
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        indent = draw(st.sampled_from(["", "", " ", "  ", "    ", "\t", "  \t", "      "]))
        if draw(st.integers(0, 2)):
            body = draw(st.sampled_from(KEYS)) + ":" + draw(st.sampled_from(["", " "]))
            body += "".join(draw(st.lists(token, max_size=4)))
        else:
            body = "".join(draw(st.lists(token, max_size=8)))
        lines.append(indent + body)
    newline: str = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    end: str = draw(st.sampled_from(["", newline]))
    return newline.join(lines) + end


@functools.cache
def generated(profile: str, target: str) -> str:
    return api.generate(profile, target).text


@st.composite
def mutated_config(draw: Any) -> bytes:
    """A generated config with a few line and byte mutations."""
    text = generated(draw(st.sampled_from(PROFILES)), draw(st.sampled_from(TARGETS)))
    lines = text.encode("utf-8").split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        lines = draw(st.sampled_from(MUTATIONS))(draw, lines)
    return b"\n".join(lines)


def _index(draw: Any, lines: list[bytes]) -> int:
    return int(draw(st.integers(0, max(len(lines) - 1, 0))))


def _delete(draw: Any, lines: list[bytes]) -> list[bytes]:
    i = _index(draw, lines)
    return lines[:i] + lines[i + 1 :]


def _duplicate(draw: Any, lines: list[bytes]) -> list[bytes]:
    i = _index(draw, lines)
    return lines[: i + 1] + lines[i:]


def _swap(draw: Any, lines: list[bytes]) -> list[bytes]:
    i, j = _index(draw, lines), _index(draw, lines)
    out = list(lines)
    if out:
        out[i], out[j] = out[j], out[i]
    return out


def _insert_chars(draw: Any, lines: list[bytes]) -> list[bytes]:
    i = _index(draw, lines)
    out = list(lines) or [b""]
    at = draw(st.integers(0, len(out[i])))
    chars = draw(st.one_of(st.binary(min_size=1, max_size=4), st.sampled_from(TOKENS)))
    chars = chars.encode("utf-8", "surrogatepass") if isinstance(chars, str) else chars
    out[i] = out[i][:at] + chars + out[i][at:]
    return out


def _reindent(draw: Any, lines: list[bytes]) -> list[bytes]:
    i = _index(draw, lines)
    out = list(lines) or [b""]
    body = out[i].lstrip(b" ")
    indent = len(out[i]) - len(body)
    new = draw(st.sampled_from([b"", b" ", b"\t", b" " * (indent + 1), b" " * max(indent - 1, 0)]))
    out[i] = new + body
    return out


def _truncate(draw: Any, lines: list[bytes]) -> list[bytes]:
    return lines[: _index(draw, lines) + 1]


MUTATIONS = (_delete, _duplicate, _swap, _insert_chars, _reindent, _truncate)

any_input = st.one_of(
    st.binary(max_size=300),
    yamlish().map(lambda text: text.encode("utf-8", "surrogatepass")),
    mutated_config(),
)

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def assert_clean(exc: HardenerError) -> None:
    text = str(exc)
    assert text.strip(), f"empty message from {type(exc).__name__}"
    assert "\n" not in text and "\r" not in text, f"multi-line message: {text!r}"


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    # Module scoped: hypothesis refuses function-scoped fixtures such as tmp_path.
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def write(workdir: Path, data: bytes) -> Path:
    path = workdir / "environment-config.yaml"
    path.write_bytes(data)
    return path


@functools.cache
def site(target: str) -> Any:
    return resolve_values(target)


def decoded(data: bytes) -> SourceText | None:
    try:
        return decode_source(data, "fuzz.yaml")
    except HardenerError as exc:
        assert_clean(exc)
        return None


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------


@FUZZ
@given(data=any_input)
@example(data=b"k: !!bool x\n")  # KeyError in ruamel
@example(data=b"k: !!set x\n")  # AttributeError in ruamel
@example(data=b"k: 1e3\n")  # MantissaNoDotYAML1_1Warning
def test_reader_gives_a_mapping_or_a_clean_error(data: bytes) -> None:
    source = decoded(data)
    if source is None:
        return
    for parse in (lambda s: read_config(s).data, load_data):
        try:
            assert isinstance(parse(source), dict)
        except HardenerError as exc:
            assert_clean(exc)


@FUZZ
@given(data=any_input)
def test_read_source_from_disk(workdir: Path, data: bytes) -> None:
    path = write(workdir, data)
    try:
        source = read_source(path)
    except HardenerError as exc:
        assert_clean(exc)
        return
    assert source.text.encode("utf-8", "surrogatepass") in (data, data[3:])


# --------------------------------------------------------------------------------------------
# The merger
# --------------------------------------------------------------------------------------------


@FUZZ
@given(data=any_input, profile=st.sampled_from(PROFILES), target=st.sampled_from(TARGETS))
@example(data=b"?", profile="strict", target="c7")  # TypeError: a block became a mapping key
@example(data=b"#\n| # x\n", profile="strict", target="c7")  # AssertionError in ruamel
def test_merge_source_gives_a_valid_file_or_a_clean_error(
    data: bytes, profile: str, target: str
) -> None:
    source = decoded(data)
    if source is None:
        return
    try:
        result = merge_source(source, data, load_profile(profile), target, site(target))
    except HardenerError as exc:
        assert_clean(exc)
        return
    # Whatever merge returns must itself be a readable config.
    read_config(decode_source(result.merged, "merged.yaml"))


@FUZZ
@given(data=any_input, profile=st.sampled_from(PROFILES), target=st.sampled_from(TARGETS))
@example(data=b"!!int", profile="strict", target="c7")  # IndexError in ruamel
@example(data=b"!!int $# Generated\n", profile="strict", target="c7")  # ValueError in ruamel
@example(data=b"a: &x 1\nb: &x 2\n", profile="dev", target="c8")  # ReusedAnchorWarning
def test_api_merge(workdir: Path, data: bytes, profile: str, target: str) -> None:
    path = write(workdir, data)
    try:
        result = api.merge(path, profile, target)
    except HardenerError as exc:
        assert_clean(exc)
        return
    assert result.original == data


# --------------------------------------------------------------------------------------------
# The checker and the command line
# --------------------------------------------------------------------------------------------


@FUZZ
@given(data=any_input, profile=st.sampled_from(PROFILES), target=st.sampled_from(TARGETS))
def test_api_check_reports_or_records_a_clean_error(
    workdir: Path, data: bytes, profile: str, target: str
) -> None:
    path = write(workdir, data)
    report = api.check([path], profile, target)
    assert len(report.files) + len(report.errors) == 1
    for error in report.errors:
        assert_clean(error)


runner = cli_runner()


COMMANDS = [
    ["merge", "--profile", "strict"],
    ["merge", "--in-place", "--profile", "standard", "--target", "c8"],
    ["merge", "--dry-run", "--diff", "--report", "json", "--profile", "dev"],
    ["check", "--profile", "strict"],
    ["check", "--format", "sarif", "--profile", "standard", "--target", "c8"],
]


@settings(FUZZ, max_examples=max(EXAMPLES // 5, 20))
@given(data=any_input, command=st.sampled_from(COMMANDS))
def test_cli_exits_cleanly(workdir: Path, data: bytes, command: list[str]) -> None:
    path = write(workdir, data)
    result = runner.invoke(app, [command[0], str(path), *command[1:]])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        assert errors and all(e.startswith("optimize-harden: error: ") for e in errors)
        assert "Traceback" not in result.stderr
