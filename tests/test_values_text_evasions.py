"""Security issue items: CSP evasions, site values as text, userinfo, tags and odd arguments.

Each test runs the real command-line app in process (tests/clirunner.py), so the exit codes and
streams are what ``python -m hardener`` shows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hardener import api
from hardener.csp import analyse_csp, is_broad
from hardener.masking import MASK, mask
from tests.clirunner import Ran, run_in_process

STRICT_END = 'upgrade-insecure-requests"'
EVASIONS = {
    "script-src-elem": f"{STRICT_END[:-1]}; script-src-elem 'unsafe-inline'\"",
    "script-src-attr": f"{STRICT_END[:-1]}; script-src-attr 'unsafe-inline'\"",
}
REQUIRED = ["--set", "db.nodes=es1:9200", "--set", "engine.rest_url=https://engine/engine-rest"]


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch) -> Ran:
    monkeypatch.chdir(cwd)
    return run_in_process(args, env={"NO_COLOR": "1"}, timeout=60)


def one_error(ran: Ran, fragment: str) -> None:
    assert ran.returncode == 2, ran.stderr
    lines = ran.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("optimize-harden: error: "), ran.stderr
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in ran.stderr


def strict_config(edit: tuple[str, str] | None = None) -> str:
    text = api.generate("strict", "c7").text
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    return text


CSP_EDITS = {
    **{name: (STRICT_END, replacement) for name, replacement in EVASIONS.items()},
    "wildcard-tld": ("script-src 'self';", "script-src 'self' *.com;"),
    "wildcard-https": ("script-src 'self';", "script-src 'self' https://*;"),
}


# --- item 1: every directive that governs scripts, wildcard hosts ------------------------------


@pytest.mark.parametrize("edit", CSP_EDITS.values(), ids=CSP_EDITS.keys())
def test_csp_evasions_are_findings_and_lower_the_grade(
    edit: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "good.yaml").write_text(strict_config(), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(strict_config(edit), encoding="utf-8")
    good, bad = (
        run(["check", "good.yaml"], tmp_path, monkeypatch),
        run(["check", "bad.yaml"], tmp_path, monkeypatch),
    )
    assert good.returncode == 0 and "header grade A+" in good.stdout, good.stdout
    assert bad.returncode == 1 and "OH-CSP-003" in bad.stdout, bad.stdout
    assert "header grade A+" not in bad.stdout
    merged = run(["merge", "--check", "bad.yaml"], tmp_path, monkeypatch)
    assert merged.returncode == 1 and "already hardened" not in merged.stderr


@pytest.mark.parametrize(
    ("policy", "code"),
    [
        ("default-src 'none'; object-src *.com", "OH-CSP-005"),
        ("default-src 'none'; frame-ancestors https://*", "OH-CSP-007"),
        ("default-src 'none'; base-uri *.org", "OH-CSP-008"),
        ("default-src 'none'; form-action https://*:443", "OH-CSP-009"),
        ("default-src 'none'; frame-src *.net", "OH-CSP-015"),
        ("default-src *.com", "OH-CSP-003"),  # the fallback of every script directive
    ],
)
def test_wildcard_hosts_are_broad_in_every_judged_directive(policy: str, code: str) -> None:
    codes = {i.code for i in analyse_csp(policy, serves_https=True, http_only=False, strict=True)}
    assert code in codes


@pytest.mark.parametrize(
    ("source", "broad"),
    [("*", True), ("*.com", True), ("https://*", True), ("https://*.io:443", True),
     ("http://*:*/x", True), ("https:", True), ("*.example.com", False), ("'self'", False),
     ("https://cdn.example.com", False), ("'*'", False)],
)  # fmt: skip
def test_is_broad(source: str, broad: bool) -> None:
    assert is_broad(source) is broad


# --- item 2: values judged as Optimize resolves them -------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('email:\n  authentication:\n    password: "${NOPE:}CANARY-smtp"\n', "OH-SEC-001"),
        ('es:\n  security:\n    username: "elas${X:}tic"\n', "OH-DB-006"),
        ("container:\n  ports: {<<: {http: null}}\n", "OH-CNT-001"),
    ],
)
def test_values_around_placeholders_are_judged(
    text: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    ran = run(["check", "c.yaml"], tmp_path, monkeypatch)
    assert ran.returncode == 1 and code in ran.stdout
    assert "CANARY" not in ran.stdout + ran.stderr


def test_banned_user_name_behind_an_empty_placeholder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = run(["generate", "--set", "db.username=elas${A:}tic"], tmp_path, monkeypatch)
    one_error(ran, "site value 'db.username'")


# --- items 7 and 10: site values are one line of valid text --------------------------------------

CONTROLS = ["\n", "\r", "\x00", "\t", "\x1b", "\x7f", "\x85", "\x9b", "\u2028", "\u2029", "\ufeff"]


@pytest.mark.parametrize("char", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_control_characters_are_refused_in_set_and_values(
    char: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = run(["generate", "--set", f"engine.alias=a{char}b"], tmp_path, monkeypatch)
    one_error(
        ran, f"--set: site value 'engine.alias': contains a control character (U+{ord(char):04X})"
    )
    escaped = json.dumps(f"a{char}b")  # a JSON string is a YAML double-quoted scalar
    (tmp_path / "v.yaml").write_text(f"engine:\n  alias: {escaped}\n", encoding="utf-8")
    ran = run(["generate", "--values", "v.yaml"], tmp_path, monkeypatch)
    one_error(ran, "v.yaml: site value 'engine.alias': contains a control character")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v.yaml"]


def test_env_file_injection_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value = "engine.rest_url=https://e/x\nCAMUNDA_OPTIMIZE_CONTAINER_PORTS_HTTP=8090\nX="
    ran = run(["generate", "--format", "env", "--set", value, "-o", "x.env"], tmp_path, monkeypatch)
    one_error(ran, "--set: site value 'engine.rest_url': contains a control character (U+000A)")
    assert not (tmp_path / "x.env").exists()


@pytest.mark.parametrize(
    "args",
    [["generate", "--set", "engine.alias=\udcff"], ["merge", "--set", "engine.alias=\udcff", "g"],
     ["init", "new", "--non-interactive", *REQUIRED, "--set", "engine.alias=\udcff"]],
    ids=["generate", "merge", "init"],
)  # fmt: skip
def test_invalid_utf8_argument_is_one_line(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "g").write_text("container:\n  host: 127.0.0.1\n", encoding="utf-8")
    ran = run(args, tmp_path, monkeypatch)
    one_error(ran, "site value 'engine.alias': contains invalid UTF-8 (a lone surrogate) (U+DCFF)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]


def test_lone_surrogate_in_values_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "v.yaml").write_text('engine:\n  alias: "a\\ud800"\n', encoding="utf-8")
    ran = run(["generate", "--values", "v.yaml"], tmp_path, monkeypatch)
    one_error(ran, "v.yaml: site value 'engine.alias': contains invalid UTF-8")


def test_lone_surrogate_token_secret_is_checked_not_crashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "c.yaml").write_text(
        'security:\n  auth:\n    token:\n      secret: "\\udcff"\n', encoding="utf-8"
    )
    ran = run(["check", "c.yaml"], tmp_path, monkeypatch)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr


# --- item 8: URL userinfo ----------------------------------------------------------------------


def test_mask_hides_userinfo() -> None:
    text = "rest: http://user:CANARY@engine/x and https://p@ss@w@host:1/y?a@b ftp://a/b@c"
    masked = mask(text)
    assert "CANARY" not in masked and "p@ss" not in masked
    assert masked.startswith(f"rest: http://{MASK}@engine/x and https://{MASK}@host:1/y?a@b")
    assert masked.endswith("ftp://a/b@c")  # '@' in a path is not userinfo
    assert mask("a secret b", ["secret"]) == f"a {MASK} b"


CANARY_URL = "http://user:CANARY@engine:8080/engine-rest"


@pytest.mark.parametrize(
    "args", [["merge", "--check", "c.yaml"], ["merge", "--check", "--report", "json", "c.yaml"],
             ["merge", "--diff", "--dry-run", "c.yaml"], ["check", "c.yaml"]],
)  # fmt: skip
def test_userinfo_is_never_printed(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "c.yaml").write_text(
        f"engines:\n  camunda-bpm:\n    rest: {CANARY_URL}\n", encoding="utf-8"
    )
    ran = run(args, tmp_path, monkeypatch)
    assert "CANARY" not in ran.stdout + ran.stderr
    if args[0] == "merge":
        assert f"http://{MASK}@engine" in ran.stdout + ran.stderr


@pytest.mark.parametrize("key", ["engine.rest_url", "engine.webapps_url", "api.jwt_set_uri",
                                 "container.access_url"])  # fmt: skip
def test_userinfo_in_url_site_value_is_refused(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = run(["generate", "--set", f"{key}=https://u:CANARY@h/x"], tmp_path, monkeypatch)
    one_error(ran, f"--set: site value {key!r}: holds credentials (user:password@) in the URL")
    assert "CANARY" not in ran.stderr


# --- item 9: no tag constructor echoes a value ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "args"),
    [
        ("c.yaml", "email:\n  authentication:\n    password: !!timestamp CANARY-ts\n",
         ["check", "c.yaml"]),
        ("c.yaml", "email:\n  authentication:\n    password: !!timestamp CANARY-ts\n",
         ["merge", "--check", "c.yaml"]),
        ("v.yaml", "env:\n  db_password: !!timestamp CANARY-ts\n",
         ["generate", "--values", "v.yaml"]),
        ("p.yaml", "extends: strict\nsettings:\n  x.y:\n    severity: !!timestamp CANARY-ts\n",
         ["profiles", "show", "p.yaml"]),
        ("c.yaml", "email:\n  authentication:\n    password: !!timestamp CANARY-ts\n",
         ["check", "--waivers", "c.yaml", "c.yaml"]),
        ("c.yaml", "email:\n  authentication:\n    password: !!timestamp CANARY-ts\n",
         ["profiles", "show", "c.yaml"]),
    ],
)  # fmt: skip
def test_timestamp_tag_is_never_constructed_or_echoed(
    name: str, text: str, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    ran = run(args, tmp_path, monkeypatch)
    assert "Traceback" not in ran.stderr
    assert "CANARY" not in ran.stdout + ran.stderr
    assert "timestamp" not in ran.stderr


# --- item 11: init agrees with itself ------------------------------------------------------------


def test_container_host_the_compose_note_recommends_passes_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = run(["init", "d", "--non-interactive", *REQUIRED], tmp_path, monkeypatch)
    assert ran.returncode == 0, ran.stderr
    assert (
        "--set container.host=optimize" in (tmp_path / "d/docker-compose.override.yml").read_text()
    )
    ran = run(["init", "e", "--non-interactive", *REQUIRED, "--set", "container.host=optimize"],
              tmp_path, monkeypatch)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    ran = run(["check", "e/config/environment-config.yaml"], tmp_path, monkeypatch)
    assert ran.returncode == 0, ran.stdout
    assert "OH-CNT-006" in ran.stdout and "waived" in ran.stdout


def test_context_path_is_no_longer_a_site_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = run(["generate", "--set", "container.context_path=/optimize"], tmp_path, monkeypatch)
    one_error(ran, "--set: unknown site value 'container.context_path'")
