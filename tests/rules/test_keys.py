"""Key rules: unknown keys (with did-you-mean), deleted keys and the ignored 2.x auth block."""

from __future__ import annotations

import pytest

from .helpers import Case, actual, expected, params, report

CASES = [
    Case("OH-KEY-001", "container:\n  hots: 127.0.0.1\n", (2,), name="typo"),
    Case("OH-KEY-001", "spring:\n  profiles:\n    active: ccsm\n", (1,), name="top-level"),
    Case("OH-KEY-001", "engines:\n  x:\n    rest: https://e/engine-rest\n", (1,), target="c8",
         name="engines-on-c8"),
    Case("OH-KEY-001", "container:\n  host: 127.0.0.1\n", name="known"),
    Case("OH-KEY-001", "webhookAlerting:\n  webhooks:\n    w:\n      headers:\n"
         "        X-Anything: '${HOOK_TOKEN}'\n", name="free-form-map"),
    Case("OH-KEY-002", "security:\n  responseheaders:\n    X-XSS-Protection: '0'\n", (2,),
         name="typed-typo"),
    Case("OH-KEY-002", "security:\n  auth:\n    superUserIds: [ops]\n", (3,), target="c8",
         name="c7-key-on-c8"),
    Case("OH-KEY-002", "engines:\n  e1:\n    rest: https://e/engine-rest\n    importEnable: true\n",
         (4,), name="engine-alias-typed"),
    Case("OH-KEY-002", "security:\n  responseHeaders:\n    X-XSS-Protection: '0'\n",
         name="spelled-right"),
    Case("OH-KEY-002", "security:\n  - a\n  - b\n", (1,), name="list-instead-of-keys"),
    Case("OH-KEY-003", "es:\n  host: localhost\n", (2,), name="es-host"),
    Case("OH-KEY-003", "historyCleanup:\n  enabled: true\n  ttl: P1Y\n", (2,), name="cleanup"),
    Case("OH-KEY-003", "es:\n  connection:\n    nodes:\n      - host: db\n        tcpPort: 9300\n",
         (5,), name="node-tcp-port"),
    Case("OH-KEY-003", "auth:\n  superUserIds: []\n", (2,), name="auth-deleted"),
    Case("OH-KEY-003", "historyCleanup:\n  processDataCleanup:\n    enabled: true\n",
         name="current-layout"),
    Case("OH-KEY-004", "auth:\n  cookie:\n    same-site:\n      enabled: true\n  token:\n"
         "    secret: null\n  superUserIds: []\n", (5,), name="2x-block"),
    Case("OH-KEY-004", "security:\n  auth:\n    token:\n      lifeMin: 15\n", name="3x-block"),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_key_rules(case: Case) -> None:
    assert actual(case) == expected(case)


def test_unknown_key_suggests_the_closest_known_name() -> None:
    findings = report("container:\n  hots: 127.0.0.1\n").findings
    message = next(f.message for f in findings if f.rule_id == "OH-KEY-001")
    assert message == (
        "container.hots is not a key Optimize 3.x with Camunda 7 knows (did you mean 'host'?); "
        "Optimize ignores it"
    )


def test_deleted_key_names_its_replacement_and_points_at_the_key() -> None:
    found = [f for f in report("es:\n  host: localhost\n").findings if f.rule_id == "OH-KEY-003"]
    assert [(f.line, f.column, f.path) for f in found] == [(2, 3, "es.host")]
    assert "use es.connection.nodes[].host" in found[0].message


def test_an_unknown_subtree_is_reported_once_at_its_top() -> None:
    text = "security:\n  responseheaders:\n    HSTS:\n      max-age: 1\n    bogus: 2\n"
    found = [f.path for f in report(text).findings if f.rule_id.startswith("OH-KEY")]
    assert found == ["security.responseheaders"]


def test_2x_auth_block_reports_deleted_and_ignored_keys_separately() -> None:
    text = "auth:\n  cookie:\n    same-site:\n      enabled: true\n  token:\n    secret: x\n"
    found = [(f.rule_id, f.path) for f in report(text).findings if f.rule_id.startswith("OH-KEY")]
    assert found == [("OH-KEY-003", "auth.cookie.same-site"), ("OH-KEY-004", "auth.token")]
