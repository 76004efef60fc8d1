"""Reading rules: aliases, merge keys and dropped values, as Optimize's reader sees them."""

from __future__ import annotations

import pytest

from .helpers import Case, actual, expected, params, report

ENGINE = "engines:\n  e:\n    rest: https://engine.example:8443/engine-rest\n"

CASES = [
    Case("OH-YAML-001", "auth_block: &engine_auth\n  enabled: true\n" + ENGINE
         + "    authentication: *engine_auth\n", (6,), name="engine-auth-alias"),
    Case("OH-YAML-001", "x: &p 8090\ncontainer:\n  ports:\n    http: *p\n", (4,),
         name="scalar-alias"),
    Case("OH-YAML-001", "x: &p 8090\ncustom:\n  thing: *p\n", name="unknown-key-alias"),
    Case("OH-YAML-001", ENGINE + "    authentication:\n      enabled: true\n", name="written-out"),
    Case("OH-YAML-002", "container:\n  ports:\n    <<: {http: null}\n", (3,), name="ports"),
    Case("OH-YAML-002", "defaults: &d {http: null}\ncontainer:\n  ports:\n    <<: *d\n", (4,),
         name="ports-alias"),
    Case("OH-YAML-002", "container:\n  ports:\n    http: null\n", name="plain-keys"),
    Case("OH-YAML-003", "security: on\n", (1,), name="scalar-over-block"),
    Case("OH-YAML-003", "container:\n  ports: [8090]\n", (2,), name="list-over-block"),
    Case("OH-YAML-003", "security:\n", name="empty-block"),
    Case("OH-YAML-003", "security:\n  auth:\n    token:\n      lifeMin: 15\n", name="block"),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_reading_rules(case: Case) -> None:
    assert actual(case) == expected(case)


def test_a_merge_key_hides_nothing_http_stays_open() -> None:
    """The first case of the model issue: a strict config built on '<<' used to score A+."""
    found = {
        (f.rule_id, f.severity.name)
        for f in report("container:\n  ports:\n    <<: {http: null}\n").findings
    }
    assert ("OH-YAML-002", "HIGH") in found
    assert ("OH-CNT-001", "HIGH") in found  # plain HTTP stays on 8090
    assert not any(rule == "OH-KEY-001" for rule, _ in found)  # '<<' is reported once


def test_an_alias_outside_the_security_sections_is_medium() -> None:
    text = "x: &d P1Y\nhistoryCleanup:\n  ttl: *d\n"
    found = [f for f in report(text).findings if f.rule_id == "OH-YAML-001"]
    assert [(f.line, f.severity.name) for f in found] == [(3, "MEDIUM")]
    assert found[0].message == (
        "historyCleanup.ttl is an alias (*d); Optimize reads it as the text 'd', not as the "
        "anchored value"
    )
