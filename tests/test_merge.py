"""merge: hardened values land, everything else stays byte for byte, and it is idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hardener import api
from hardener.catalog import format_path, parse_pattern
from hardener.compare import judge
from hardener.errors import ConfigSyntaxError, MergeError
from hardener.merge.decide import MergeResult
from hardener.merge.preserve import check_preserved
from hardener.plan import context_for
from hardener.profiles import Compare, load_profile
from hardener.yaml import parse_text

# Real-world shapes, written for these tests (not copies of any public file).
FIXTURES: dict[str, bytes] = {
    "distribution-3x": (
        b"# Optimize environment configuration\n"
        b"# Everything here overrides service-config.yaml.\n"
        b"\n"
        b"container:\n"
        b"  host: 0.0.0.0  # listen everywhere (docker)\n"
        b"  ports:\n"
        b"    http: 8090\n"
        b"    https: 8091\n"
        b"\n"
        b"engines:\n"
        b"  'camunda-bpm':\n"
        b"    name: default\n"
        b"    rest: 'http://localhost:8080/engine-rest'\n"
        b"    importEnabled: true\n"
        b"    authentication:\n"
        b"      enabled: false\n"
        b"      password: ''\n"
        b"      user: ''\n"
        b"    webapps:\n"
        b"      endpoint: 'http://localhost:8080/camunda'\n"
        b"      enabled: true\n"
        b"\n"
        b"api:\n"
        b"  accessToken: ${OPTIMIZE_API_ACCESS_TOKEN:null}\n"
    ),
    "qa-custom-ca-no-final-newline": (
        b"---\n\n"
        b"# secured cluster with a private CA\n"
        b"es:\n"
        b"    security:\n"
        b"        username: 'elastic'\n"
        b"        password: 'hunter2-canary'\n"
        b"        ssl:\n"
        b"            certificate_authorities: ['certs/ca/ca.crt']\n"
        b"            enabled: true"
    ),
    "compose-8x-crlf-bom": (
        b"\xef\xbb\xbfes:\r\n"
        b"  connection:\r\n"
        b"    nodes:\r\n"
        b"      - host: '${OPTIMIZE_ELASTICSEARCH_HOST:elasticsearch}'\r\n"
        b"        httpPort: ${OPTIMIZE_ELASTICSEARCH_HTTP_PORT:9200}\r\n"
        b"enterprise: false\r\n"
        b"security:\r\n"
        b"  auth:\r\n"
        b"    cookie:\r\n"
        b"      same-site:\r\n"
        b"        enabled: false\r\n"
        b"ui:\r\n"
        b"  logoutHidden: true\r\n"
    ),
    "mixed-indent-flow-anchors": (
        b"x-common: &tls {enabled: true}\n"
        b"security:\n"
        b"    responseHeaders:\n"
        b"        HSTS: {max-age: 100, includeSubDomains: false}\n"
        b"        Content-Security-Policy: \"base-uri 'self'\"   # vendor default\n"
        b"    auth:\n"
        b"      token:\n"
        b"        lifeMin: 120\n"
        b"custom:\n"
        b"  note: " + b"a very long line that must never be re-wrapped " * 6 + b"\n"
        b"  list: [a, b, c]\n"
    ),
    "legacy-2x-keys": (
        b"auth:\n"
        b"  token:\n"
        b"    secret: 'not-used-by-3x'\n"
        b"es:\n"
        b"  host: localhost\n"
        b"  ports:\n"
        b"    tcp: 9300\n"
        b"historyCleanup:\n"
        b"  enabled: true\n"
    ),
    "empty": b"",
    "comments-only": b"# nothing configured yet\n",
    "already-strict": b"",  # filled below from generate
}
FIXTURES["already-strict"] = api.generate("strict", "c7").text.encode("utf-8")


def merge_bytes(tmp_path: Path, data: bytes, profile: str = "strict", target: str = "c7",
                **kwargs: Any) -> MergeResult:  # fmt: skip
    path = tmp_path / "environment-config.yaml"
    path.write_bytes(data)
    return api.merge(path, profile, target, **kwargs)


def assert_hardened(result: MergeResult, profile: str, target: str) -> None:
    """Every non-waived profile setting now holds a value the profile accepts."""
    tree = parse_text(result.merged.decode("utf-8-sig"), "m")
    resolved = load_profile(profile)
    ctx = context_for(resolved)
    for setting in resolved.for_target(target):
        if setting.compare is Compare.ANY:
            continue
        for change in result.changes:
            if change.rule == setting.rule and change.action != "waived":
                value = _get(tree, change.path)
                assert judge(setting, value, ctx).ok, (change.path, value)


def _get(tree: Any, dotted: str) -> Any:
    node = tree
    for part in parse_pattern(dotted):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize(("profile", "target"), [("strict", "c7"), ("standard", "c8")])
def test_fixture_merges(name: str, profile: str, target: str, tmp_path: Path,
                        yaml_snapshot: Any) -> None:  # fmt: skip
    data = FIXTURES[name]
    result = merge_bytes(tmp_path, data, profile, target)
    text_old = data.decode("utf-8-sig")
    text_new = result.merged.decode("utf-8-sig")
    # Preservation: only lines holding changed values may differ.
    assert check_preserved(text_old, text_new, result.touched_lines) == []
    # Line endings, BOM, marker and final newline survive.
    assert result.merged.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in data:
        assert result.merged.count(b"\n") == result.merged.count(b"\r\n")
    if data and not data.endswith(b"\n"):
        assert not result.merged.endswith(b"\n")
    if data.startswith(b"---"):
        assert result.merged.startswith(b"---\n")
    assert_hardened(result, profile, target)
    # Idempotent: merging the result changes nothing.
    again = merge_bytes(tmp_path, result.merged, profile, target)
    assert again.merged == result.merged
    assert not again.changed
    # Snapshot files are text: carriage returns are shown as "\r" so CRLF stays visible.
    assert text_new.replace("\r", "\\r") == yaml_snapshot


def test_user_values_and_keys_are_never_removed(tmp_path: Path) -> None:
    result = merge_bytes(tmp_path, FIXTURES["legacy-2x-keys"])
    tree = parse_text(result.merged.decode(), "m")
    assert tree["auth"] == {"token": {"secret": "not-used-by-3x"}}
    assert tree["es"]["host"] == "localhost"
    assert tree["historyCleanup"] == {"enabled": True}


def test_secret_literal_becomes_placeholder_and_is_never_reported(tmp_path: Path) -> None:
    result = merge_bytes(tmp_path, FIXTURES["qa-custom-ca-no-final-newline"])
    assert b"hunter2-canary" not in result.merged
    assert b"password: '${OPTIMIZE_DATABASE_PASSWORD}'" in result.merged
    change = next(c for c in result.changes if c.path == "es.security.password")
    assert (change.action, change.old, change.variable) == (
        "replaced", "********", "OPTIMIZE_DATABASE_PASSWORD",
    )  # fmt: skip
    from hardener.merge.report import json_report, masked_diff, text_report

    for text in (json_report(result), text_report(result), masked_diff(result)):
        assert "hunter2-canary" not in text
    assert "OPTIMIZE_DATABASE_PASSWORD" in text_report(result)


def test_stronger_user_values_are_kept(tmp_path: Path) -> None:
    data = (
        b"security:\n  responseHeaders:\n    HSTS:\n      max-age: '94608000'\n"
        b"  auth:\n    token:\n      lifeMin: 5\n"
    )
    result = merge_bytes(tmp_path, data)
    kept = {c.path for c in result.changes if c.action == "kept"}
    assert {"security.responseHeaders.HSTS.max-age", "security.auth.token.lifeMin"} <= kept
    assert b"max-age: '94608000'\n" in result.merged
    assert b"lifeMin: 5\n" in result.merged


def test_weaker_values_are_replaced_keeping_trailing_comments(tmp_path: Path) -> None:
    result = merge_bytes(tmp_path, FIXTURES["distribution-3x"])
    text = result.merged.decode()
    assert "  host: '127.0.0.1'  # listen everywhere (docker)\n" in text
    assert "    http: null\n" in text
    assert "    rest: 'https://localhost:8080/engine-rest'\n" in text  # scheme upgraded in place
    rest = next(c for c in result.changes if c.path == "engines.camunda-bpm.rest")
    assert (rest.action, rest.old, rest.new) == (
        "replaced", "http://localhost:8080/engine-rest", "https://localhost:8080/engine-rest",
    )  # fmt: skip


def test_explicit_site_value_wins_over_scheme_upgrade(tmp_path: Path) -> None:
    result = merge_bytes(
        tmp_path,
        FIXTURES["distribution-3x"],
        overrides=["engine.rest_url=https://engine.internal/engine-rest"],
    )
    assert b"rest: 'https://engine.internal/engine-rest'" in result.merged


def test_missing_engines_map_gets_a_complete_engine(tmp_path: Path) -> None:
    result = merge_bytes(tmp_path, b"container:\n  host: 127.0.0.1\n")
    tree = parse_text(result.merged.decode(), "m")
    engine = tree["engines"]["camunda-bpm"]
    assert engine["importEnabled"] is True  # a user-defined engines map needs it explicitly
    assert engine["authentication"]["enabled"] is True
    assert set(engine) >= {"name", "rest", "importEnabled", "authentication", "webapps"}


def test_inline_waiver_keeps_the_value(tmp_path: Path) -> None:
    data = (
        b"sharing:\n  enabled: true  # optimize-harden: allow OH-SHR-001 shares go to the portal\n"
    )
    result = merge_bytes(tmp_path, data)
    change = next(c for c in result.changes if c.rule == "OH-SHR-001")
    assert change.action == "waived"
    assert "shares go to the portal" in (change.waiver or "")
    assert result.merged.startswith(data)
    ignored = merge_bytes(tmp_path, data, inline_waivers=False)
    assert b"enabled: false" in ignored.merged


def test_waiver_file_and_expiry(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n  - rule: OH-AUTH-005\n    path: security.auth.token.lifeMin\n"
        "    reason: kiosk screens\n    expires: 2030-01-01\n",
        encoding="utf-8",
    )
    data = b"security:\n  auth:\n    token:\n      lifeMin: 240\n"
    import datetime as dt

    kept = merge_bytes(tmp_path, data, waivers_file=waivers, today=dt.date(2029, 12, 31))
    assert b"lifeMin: 240" in kept.merged
    expired = merge_bytes(tmp_path, data, waivers_file=waivers, today=dt.date(2030, 1, 1))
    assert b"lifeMin: 15" in expired.merged


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"a: 1\n---\nb: 2\n", ConfigSyntaxError, "several YAML documents"),
        (b"- 1\n", ConfigSyntaxError, "the top level is a list"),
        (b"a: 1\na: 2\n", ConfigSyntaxError, "duplicate key"),
        (b"a: [1\n", ConfigSyntaxError, "invalid YAML"),
        (b"a: \xe9\n", ConfigSyntaxError, "not valid UTF-8"),
        (b"container: 8090\n", MergeError, "holds a value"),
    ],
)
def test_refusals(tmp_path: Path, data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        merge_bytes(tmp_path, data)


def test_change_paths_are_catalog_paths(tmp_path: Path) -> None:
    result = merge_bytes(tmp_path, FIXTURES["empty"], "standard", "c8")
    assert "container.ports.http" in {c.path for c in result.changes}
    assert all(c.path == format_path(tuple(parse_pattern(c.path))) for c in result.changes)


# Rules about keys the user wrote (unknown, deleted, 2.x-era): merge never removes a user key,
# so these stay for the operator, and check keeps reporting them.
KEY_RULES = {"OH-KEY-001", "OH-KEY-002", "OH-KEY-003", "OH-KEY-004"}


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("profile", ["strict", "standard", "dev"])
@pytest.mark.parametrize("target", ["c7", "c8"])
def test_merged_file_passes_check(name: str, profile: str, target: str, tmp_path: Path) -> None:
    from hardener.profiles import Severity

    result = merge_bytes(tmp_path, FIXTURES[name], profile, target)
    merged = tmp_path / "merged-environment-config.yaml"
    merged.write_bytes(result.merged)
    report = api.check([merged], profile, target)
    assert not report.errors
    left = [
        (f.rule_id, f.line, f.message)
        for f in report.findings
        if f.waived is None and f.rule_id not in KEY_RULES and f.severity > Severity.INFO
    ]
    assert left == []
