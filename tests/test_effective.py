"""effective through the real typer app and the API: values, origins, secrets, variables."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hardener import api, model
from hardener.cli import app
from hardener.effective import ORIGINS_HELP, effective_tree, load_env_file, render
from hardener.errors import UsageError
from hardener.masking import MASK
from hardener.yaml import SourceText, emit_key, emit_scalar, parse_text, read_config

runner = CliRunner()
CANARY = "Eff-Canary-7f3a-keep-out-of-output"
PORTS_VAR = "CAMUNDA_OPTIMIZE_CONTAINER_PORTS_HTTP"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "environment-config.yaml"


def effective(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["effective", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str | Path) -> str:
    code, stdout, stderr = effective(*args)
    assert (code, stderr) == (0, ""), stderr
    return stdout


def as_json(*args: str | Path) -> Any:
    return json.loads(ok(*args, "--format", "json"))


def section(text: str, key: str) -> list[str]:
    """The lines of one top-level block of the YAML output."""
    lines = text.splitlines()
    start = lines.index(f"{key}:")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), None)
    return lines[start:end]


def one_error(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("optimize-harden: error: ")
    return lines[0].removeprefix("optimize-harden: error: ")


# --------------------------------------------------------------------------------------------
# Values and origins
# --------------------------------------------------------------------------------------------


CONTAINER_DEFAULTS = [
    "container:",
    "  host: localhost  # default",
    "  contextPath: null  # default",
    "  ports:",
    "    http: '8090'  # default",
    "    https: '8091'  # default",
    "    actuator: '8092'  # default",
    "  keystore:",
    "    location: keystore.jks  # default",
    "    password: '********'  # default",
    "  enableSniCheck: 'true'  # default",
    "  status:",
    "    connections:",
    "      max: '10'  # default",
    "  accessUrl: null  # default",
    "  maxRequestHeaderSizeInBytes: '8192'  # default",
    "  maxResponseHeaderSizeInBytes: '8192'  # default",
    "  http2Enabled: 'false'  # default",
]


def test_an_empty_file_gives_the_defaults_with_placeholders_resolved_to_text(config: Path) -> None:
    write(config, "")
    text = ok(config, "--show-origin")
    assert section(text, "container") == CONTAINER_DEFAULTS
    data = as_json(config)
    assert data["container"]["ports"]["http"] == "8090"  # text: the default's placeholder
    assert data["security"]["auth"]["token"] == {"lifeMin": 60, "secret": None}
    assert list(data["engines"]) == ["camunda-bpm"]
    assert ok(config).startswith("security:\n  auth:\n    cloud:\n      clientId: ''\n")


def test_a_file_value_wins_and_its_line_is_the_origin(config: Path) -> None:
    write(config, "# ports\ncontainer:\n  ports:\n    http: 9000\n")
    assert section(ok(config, "--show-origin"), "container")[3:5] == [
        "  ports:",
        "    http: 9000  # file:4",
    ]
    assert as_json(config)["container"]["ports"]["http"] == 9000


def test_a_default_placeholder_takes_a_given_variable_and_env_beats_env_file(
    config: Path, tmp_path: Path
) -> None:
    write(config, "")
    env_file = write(tmp_path / ".env", f"{PORTS_VAR}=1111\nCONTAINER_HOST=from-file\n")
    args = (config, "--env-file", env_file, "--env", f"{PORTS_VAR}=2222", "--show-origin")
    assert section(ok(*args), "container")[1:5] == [
        "  host: from-file  # env CONTAINER_HOST (default)",
        "  contextPath: null  # default",
        "  ports:",
        f"    http: '2222'  # env {PORTS_VAR} (default)",
    ]


def test_a_file_placeholder_takes_a_given_variable(config: Path) -> None:
    write(config, "container:\n  ports:\n    http: ${MY_PORT:1}\n")
    assert section(ok(config, "--env", "MY_PORT=8443", "--show-origin"), "container")[4] == (
        "    http: '8443'  # env MY_PORT (file:3)"
    )
    assert section(ok(config, "--show-origin"), "container")[4] == "    http: '1'  # file:3"


def test_a_greedy_default_runs_to_the_last_brace(config: Path) -> None:
    write(config, 'v: "pre-${A:one}-mid-${B:two}-post"\n')
    assert ok(config, "--show-origin").endswith("v: 'pre-one}-mid-${B:two-post'  # file:1\n")
    assert ok(config, "--env", "B=x").endswith("v: 'pre-one}-mid-${B:two-post'\n")
    assert ok(config, "--env", "A=z", "--show-origin").endswith("v: pre-z-post  # env A (file:1)\n")


def test_a_merge_key_is_a_key_and_merges_nothing(config: Path) -> None:
    write(config, "container: {ports: {<<: {http: null}}}\n")
    assert section(ok(config, "--show-origin"), "container")[3:9] == [
        "  ports:",
        "    http: '8090'  # default",
        "    https: '8091'  # default",
        "    actuator: '8092'  # default",
        "    '<<':",
        "      http: null  # file:1",
    ]
    assert as_json(config)["container"]["ports"]["<<"] == {"http": None}


def test_engines_replace_the_default_engine_and_an_alias_is_the_anchors_name(
    config: Path,
) -> None:
    write(
        config,
        "auth: &engine_auth\n  enabled: true\n"
        "engines:\n  x:\n    rest: http://engine:8080/engine-rest\n"
        "    authentication: *engine_auth\n",
    )
    text = ok(config, "--show-origin")
    assert section(text, "engines") == [
        "engines:",
        "  x:",
        "    rest: 'http://engine:8080/engine-rest'  # file:5",
        "    authentication: engine_auth  # file:6 (alias *engine_auth)",
    ]
    assert "camunda-bpm" not in text
    assert as_json(config)["engines"] == {
        "x": {"rest": "http://engine:8080/engine-rest", "authentication": "engine_auth"}
    }


def test_a_list_text_is_read_again_as_a_list_with_its_origin_on_every_item(config: Path) -> None:
    write(config, "locales:\n  availableLocales: \"[fr, '${L:it}']\"\n")
    assert section(ok(config, "--show-origin"), "locales") == [
        "locales:",
        "  availableLocales:",
        "    - fr  # file:2",
        "    - it  # file:2",
        "  fallbackLocale: en  # default",
    ]


def test_list_items_of_maps_have_their_own_lines(config: Path) -> None:
    write(config, "es:\n  connection:\n    nodes:\n      - host: a\n        httpPort: 1\n")
    lines = section(ok(config, "--show-origin"), "es")
    start = lines.index("    nodes:")
    assert lines[start : start + 3] == [
        "    nodes:",
        "      - host: a  # file:4",
        "        httpPort: 1  # file:5",
    ]


def test_binary_and_infinite_values(config: Path) -> None:
    write(config, "b: !!binary aGVsbG8=\nf: !!float -Infinity\nn: !!float NaN\ng: 1e999\n")
    assert ok(config).endswith("b: 'aGVsbG8='\nf: -.inf\n'n': .nan\ng: .inf\n")
    data = as_json(config)
    assert [data[k] for k in "bfng"] == ["aGVsbG8=", "-Infinity", "NaN", "Infinity"]


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


def test_a_secret_is_masked_whole_unless_asked(config: Path) -> None:
    write(config, f'password: "pw${{NOPE:}}{CANARY}"\n')
    code, stdout, stderr = effective(config)
    assert code == 0 and CANARY not in stdout + stderr
    assert stdout.endswith("password: '********'\n")
    assert CANARY not in ok(config, "--format", "json", "--show-origin")
    assert ok(config, "--show-secrets").endswith(f"password: pw{CANARY}\n")
    assert as_json(config, "--show-secrets")["password"] == f"pw{CANARY}"


def test_masking_by_catalog_and_by_name(config: Path) -> None:
    write(
        config,
        "engines:\n  x:\n    authentication:\n      user: optimize\n      password: p1\n"
        "apiKeys: [k1, '', null]\nmySecrets: {a: 1, b: ''}\nsecretEmpty: ''\n"
        "security:\n  auth:\n    token:\n      lifeMin: 5\n",
    )
    data = as_json(config)
    assert data["engines"]["x"]["authentication"] == {"user": "optimize", "password": MASK}
    assert data["apiKeys"] == [MASK, "", None]
    assert data["mySecrets"] == {"a": MASK, "b": ""}
    assert data["secretEmpty"] == ""
    assert data["security"]["auth"]["token"] == {"lifeMin": 5, "secret": None}
    assert data["container"]["keystore"]["password"] == MASK  # a default is masked too
    shown = as_json(config, "--show-secrets")
    assert shown["apiKeys"] == ["k1", "", None]
    assert shown["container"]["keystore"]["password"] == "optimize"


def test_an_alias_under_a_secret_key_keeps_the_anchors_name_out_of_the_origin(
    config: Path,
) -> None:
    write(config, f"x: &{CANARY} a\npassword: *{CANARY}\n")
    text = ok(config, "--show-origin")
    assert text.endswith("x: a  # file:1\npassword: '********'  # file:2 (alias)\n")
    assert CANARY not in text + ok(config, "--show-origin", "--format", "json")
    assert ok(config, "--show-origin", "--show-secrets").endswith(
        f"password: {CANARY}  # file:2 (alias *{CANARY})\n"
    )


# --------------------------------------------------------------------------------------------
# Variables
# --------------------------------------------------------------------------------------------


def test_a_missing_variable_exits_2_naming_it_and_its_line(config: Path) -> None:
    write(config, "container:\n  keystore:\n    password: ${KEYSTORE_PW}\n")
    code, stdout, stderr = effective(config)
    assert (code, stdout) == (2, "")
    assert one_error(stderr) == (
        f"{config}:3: ${{KEYSTORE_PW}} has no default and is not set; Optimize would not start "
        "(effective reads no process environment: give it with --env or --env-file)"
    )
    assert ok(config, "--env", "KEYSTORE_PW=x", "--show-secrets").count("    password: x\n") == 1


def test_a_missing_variable_of_the_defaults_has_no_file_line(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(config, "")
    monkeypatch.setattr(model, "shipped_defaults", lambda target: {"a": {"b": "${SHIPPED}"}})
    code, _, stderr = effective(config)
    assert code == 2
    assert one_error(stderr).startswith(
        "(Optimize defaults): ${SHIPPED} has no default and is not set"
    )


def test_the_process_environment_is_never_read(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PORTS_VAR, "7777")
    monkeypatch.setenv("MY_HOST", "from-process")
    write(config, "")
    assert as_json(config)["container"]["ports"]["http"] == "8090"
    write(config, "container:\n  host: ${MY_HOST}\n")
    code, _, stderr = effective(config)
    assert code == 2 and "${MY_HOST} has no default" in stderr


def test_env_file_syntax(tmp_path: Path) -> None:
    env_file = write(
        tmp_path / ".env",
        '# comment\n\n  A=1\nexport B=\'two words\'\nC="dq \\"x\\" \\$y \\n"\n'
        "D='it'\"'\"'s'\nE=#not-a-comment\nF=v  # a comment\nG=\nH=crlf\r\nA=again\n"
        "# DISABLED=\n",
    )
    assert load_env_file(env_file) == {
        "A": "again",
        "B": "two words",
        "C": 'dq "x" $y \\n',
        "D": "it's",
        "E": "#not-a-comment",
        "F": "v",
        "G": "",
        "H": "crlf",
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\n\x00")))
def test_env_file_reads_back_what_init_writes(tmp_path_factory: Any, value: str) -> None:
    from hardener.generate.render import shell_value

    env_file = tmp_path_factory.mktemp("env") / ".env"
    write(env_file, f"X={shell_value(value)}\n")
    assert load_env_file(env_file) == {"X": value}
    assert shlex.split(shell_value(value)) == [value]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("NOPE", "expected NAME=value"),
        ("1A=x", "expected NAME=value"),
        ("A =x", "expected NAME=value"),
        (f"A='{CANARY}", "A: unterminated single quote"),
        (f'A="{CANARY}', "A: unterminated double quote (values span one line)"),
        (f"A={CANARY} more", "A: more than one word after '='; quote the value"),
        (f"A={CANARY}$HOME", "A: $ would be expanded by a shell; use single quotes"),
        (f'A="{CANARY}`id`"', "A: ` would be expanded by a shell; use single quotes"),
        (f"A={CANARY};x", "A: unquoted ; is a shell operator; quote the value"),
        ("A=~/x", "A: a shell expands an unquoted ~ here; quote the value"),
        (f"A={CANARY}\\", "A: a line continuation (trailing \\) is not supported"),
    ],
)
def test_env_file_errors_name_file_and_line_never_the_value(
    config: Path, tmp_path: Path, line: str, message: str
) -> None:
    write(config, "")
    env_file = write(tmp_path / ".env", f"# first\nOK=1\n{line}\n")
    code, stdout, stderr = effective(config, "--env-file", env_file)
    assert (code, stdout) == (2, "")
    error = one_error(stderr)
    assert error.startswith(f"{env_file}:3: {message}")
    assert CANARY not in error


def test_a_missing_env_file_is_one_line(config: Path, tmp_path: Path) -> None:
    write(config, "")
    code, _, stderr = effective(config, "--env-file", tmp_path / "nope.env")
    assert code == 2 and one_error(stderr) == f"{tmp_path / 'nope.env'}: file not found"


@pytest.mark.parametrize("arg", [CANARY, f"1A={CANARY}", f"A-B={CANARY}", f"={CANARY}"])
def test_a_bad_env_option_exits_2_without_showing_it(config: Path, arg: str) -> None:
    write(config, "")
    code, _, stderr = effective(config, "--env", "OK=1", "--env", arg)
    assert code == 2
    assert one_error(stderr) == (
        "--env #2: expected NAME=VALUE, NAME of letters, digits and _, not starting with a "
        "digit (the text is not shown)"
    )


# --------------------------------------------------------------------------------------------
# Formats, usage, API
# --------------------------------------------------------------------------------------------


def test_json_is_the_config_or_config_and_origin_of_the_same_shape(config: Path) -> None:
    write(config, "container:\n  host: h\nx: [1, {y: 2}]\ne: []\n")
    plain = as_json(config)
    both = as_json(config, "--show-origin")
    assert list(both) == ["config", "origin"] and both["config"] == plain
    assert plain["x"] == [1, {"y": 2}]
    assert both["origin"]["x"] == ["file:3", {"y": "file:3"}]
    assert (both["origin"]["e"], both["origin"]["container"]["host"]) == ("file:4", "file:2")

    def shape(node: Any) -> Any:
        if isinstance(node, dict) and node:
            return {k: shape(v) for k, v in node.items()}
        if isinstance(node, list) and node:
            return [shape(v) for v in node]
        return None

    assert shape(both["config"]) == shape(both["origin"])


def test_yaml_re_reads_to_the_json_data(config: Path) -> None:
    write(
        config,
        "a: {'<<': {b: 1}, 'x: y': '# no comment', n: ~, t: yes, l: [[1, 2], {k: [v]}]}\n"
        "c: \"line\\nbreak\\ttab \\u2028\"\nf: 1.5e300\nq: '0777'\n",
    )
    for args in ((), ("--show-origin",)):
        assert parse_text(ok(config, *args)) == as_json(config)
        assert parse_text(ok(config, *args, "--show-secrets")) == as_json(config, "--show-secrets")


def test_target_c8_and_usage_errors(config: Path) -> None:
    write(config, "")
    assert "camunda-bpm" not in as_json(config, "--target", "c8").get("engines", {})
    for args, message in (
        (("--target", "c9"), "unknown target 'c9' (choose c7 or c8)"),
        (("--format", "toml"), "unknown format 'toml' (choose yaml or json)"),
    ):
        code, stdout, stderr = effective(config, *args)
        assert (code, stdout, one_error(stderr)) == (2, "", message)


def test_a_missing_or_invalid_config_is_the_readers_error(config: Path, tmp_path: Path) -> None:
    code, _, stderr = effective(tmp_path / "nope.yaml")
    assert code == 2 and one_error(stderr) == f"{tmp_path / 'nope.yaml'}: file not found"
    write(config, "- a list\n")
    code, _, stderr = effective(config)
    assert code == 2 and one_error(stderr) == (
        f"{config}:1: the top level is a list; an Optimize config must be a mapping of keys"
    )


def test_the_help_documents_every_origin() -> None:
    result = runner.invoke(app, ["effective", "--help"])
    assert result.exit_code == 0
    for origin, meaning in ORIGINS_HELP:
        assert f"{origin} " in result.stdout and meaning in result.stdout
    for option in ("--env", "--env-file", "--format", "--show-origin", "--show-secrets"):
        assert option in result.stdout


def test_the_readme_documents_every_origin() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for origin, _ in ORIGINS_HELP:
        assert f"| `{origin}` " in readme


def test_the_api_returns_what_the_cli_prints(config: Path, tmp_path: Path) -> None:
    write(config, "container:\n  host: ${H}\n")
    env_file = write(tmp_path / ".env", "H=from-file\n")
    text = api.effective(config, env=["H=h"], env_file=env_file, show_origin=True)
    assert text == ok(config, "--env", "H=h", "--env-file", env_file, "--show-origin")
    assert section(text, "container")[1] == "  host: h  # env H (file:2)"
    from_mapping = api.effective(config, "c7", env={"H": "m=n"}, fmt="json")
    assert json.loads(from_mapping)["container"]["host"] == "m=n"
    with pytest.raises(UsageError, match=r"^--env #1: expected NAME=VALUE"):
        api.effective(config, env={"H=m": "n"})
    with pytest.raises(UsageError, match=r"^--env H: the value is not valid UTF-8$"):
        api.effective(config, env=["H=\udcff"])


# --------------------------------------------------------------------------------------------
# Property: the YAML output re-reads to the JSON output, for any small config
# --------------------------------------------------------------------------------------------

KEYS = st.sampled_from(
    ["container", "ports", "http", "engines", "camunda-bpm", "<<", "password", "x", "on", "1"]
) | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=6)
TEXTS = st.lists(
    st.sampled_from(["${A}", "${B:x}", "${C:}", "${A:[1, b]}", "[", "]", "}", ":", "#", " ", "'"])
    | st.text(max_size=4),
    max_size=4,
).map("".join)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXTS
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=4), st.booleans(), st.booleans())
def test_yaml_output_re_reads_to_the_json_output(
    data: dict[str, Any], origin: bool, secrets: bool
) -> None:
    text = "".join(f"{emit_key(k)}: {emit_scalar(v)}\n" for k, v in data.items())
    try:
        tree = effective_tree(
            read_config(SourceText("gen.yaml", text)),
            "c7",
            {"A": "[a, ${B}]", "B": "b"},
            show_secrets=secrets,
        )
    except model.MissingVariable:
        return  # random text named a variable that is not given
    as_yaml = render(tree, "yaml", show_origin=origin)
    assert parse_text(as_yaml) == json.loads(render(tree, "json"))
