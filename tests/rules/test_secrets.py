"""Secret rules: literals, defaulted placeholders, unresolvable placeholders, weak values."""

from __future__ import annotations

import pytest

from hardener.catalog import load_catalog
from hardener.check.rules.secrets import placeholder_problem

from .helpers import Case, actual, expected, params, report

SMTP = "email:\n  authentication:\n    username: mailer\n    password: {}\n"
KEYSTORE = "sharing:\n  enabled: false\ncontainer:\n  keystore:\n    password: {}\n"

CASES = [
    Case("OH-SEC-001", SMTP.format("hunter2hunter2"), (4,), name="smtp-password"),
    Case("OH-SEC-001", "security:\n  auth:\n    ccsm:\n      clientSecret: s3cr3t-value\n", (4,),
         target="c8", name="oidc-client-secret"),
    Case("OH-SEC-001", "webhookAlerting:\n  webhooks:\n    w:\n      headers:\n"
         "        Authorization: Bearer abc123\n", (5,), name="webhook-auth-header"),
    Case("OH-SEC-001", "webhookAlerting:\n  webhooks:\n    w:\n      headers:\n"
         "        Content-Type: application/json\n", name="webhook-content-type"),
    Case("OH-SEC-001", SMTP.format("${SMTP_PASSWORD}"), name="placeholder"),
    Case("OH-SEC-001", SMTP.format("'Bearer ${TOKEN}'"), name="embedded-placeholder"),
    Case("OH-SEC-001", KEYSTORE.format("literal-keystore-pw"), name="profile-rule-reports-it"),
    Case("OH-SEC-002", SMTP.format("${SMTP_PASSWORD:changeme-now}"), (4,), name="default"),
    Case("OH-SEC-002", KEYSTORE.format("${KS_PASSWORD:some-default}"), (5,), name="keystore"),
    Case("OH-SEC-002", SMTP.format("${SMTP_PASSWORD:null}"), name="null-default"),
    Case("OH-SEC-002", SMTP.format("${SMTP_PASSWORD}"), name="no-default"),
    Case("OH-SEC-003", "container:\n  host: ${1HOST:localhost}\n", (2,), name="bad-name"),
    Case("OH-SEC-003", "container:\n  accessUrl: https://${OPTIMIZE_HOST\n", (2,), name="unclosed"),
    Case("OH-SEC-003", "engines:\n  e:\n    rest: https://${HOST}:${PORT}/engine-rest\n", (3,),
         name="two-placeholders"),
    Case("OH-SEC-003", "container:\n  host: ${CONTAINER_HOST:127.0.0.1}\n", name="valid"),
    Case("OH-SEC-003", "engines:\n  e:\n    rest: 'https://${ENGINE_HOST:engine}/engine-rest'\n",
         name="one-inside-text"),
    Case("OH-SEC-004", SMTP.format("changeme"), (4,), name="dictionary"),
    Case("OH-SEC-004", SMTP.format("mailer"), (4,), name="equals-user"),
    Case("OH-SEC-004", SMTP.format("${SMTP_PASSWORD:demo}"), (4,), name="weak-default"),
    Case("OH-SEC-004", "es:\n  security:\n    username: optimize_app\n    password: Elastic\n",
         (4,), name="case-insensitive"),
    Case("OH-SEC-004", SMTP.format("kR8v-2Lq9-Xw4z-Tn7p"), name="random"),
    Case("OH-SEC-004", KEYSTORE.format("optimize"), name="keystore-default-is-ks-001"),
    Case("OH-KS-001", "sharing:\n  enabled: false\ncontainer:\n  host: 127.0.0.1\n", (3,),
         name="absent"),
    Case("OH-KS-001", "sharing:\n  enabled: false\n", (1,), name="absent-no-container"),
    Case("OH-KS-001", KEYSTORE.format("optimize"), (5,), name="shipped"),
    Case("OH-KS-001", KEYSTORE.format("${KS_PASSWORD:optimize}"), (5,), name="as-default"),
    Case("OH-KS-001", KEYSTORE.format("${CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD}"),
         name="placeholder"),
    Case("OH-KS-001", KEYSTORE.format("changeme"), name="other-weak-is-sec-004"),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_secret_rules(case: Case) -> None:
    assert actual(case) == expected(case)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("${A}", None),
        ("${a_1:x}", None),
        ("x${A:b}y", None),
        ("no placeholder ${", "unclosed"),
        ("${A}${B}", "replaces only the last one"),
        ("pre-${A:one}-mid-${B:two}-post", "the others are never resolved"),
        ("${A:x} and ${B}", "the others are never resolved"),
        ("${A-B}", "not a variable name"),
        ("${}", "not a variable name"),
        ("${9A}", "not a variable name"),
    ],
)
def test_placeholder_problems(text: str, problem: str | None) -> None:
    found = placeholder_problem(text)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize("target", ["c7", "c8"])
def test_every_catalog_secret_path_is_checked_for_literals(target: str) -> None:
    """Build one config with a literal at every secret key: each one is reported, by some rule."""
    catalog = load_catalog(target)
    lines, expected = [], set()
    for pattern in catalog.secret_patterns():
        concrete = pattern.replace("*", "Authorization" if pattern.endswith("*") else "x")
        concrete = concrete.replace("headers.x", "headers.Authorization")
        expected.add(concrete)
        lines.append((concrete.split("."), "Zq8-literal-secret-value"))
    text = _nested(lines)
    findings = report(text, "strict", target).findings
    literal_rules = {"OH-SEC-001", "OH-KS-002", "OH-AUTH-003", "OH-API-005", "OH-DB-005",
                     "OH-ENG-003"}  # fmt: skip
    reported = {f.path for f in findings if f.rule_id in literal_rules}
    assert expected <= reported, expected - reported


def _nested(items: list[tuple[list[str], str]]) -> str:
    tree: dict = {}
    for parts, value in items:
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _dump(tree, 0)


def _dump(tree: dict, indent: int) -> str:
    out = ""
    for key, value in tree.items():
        if isinstance(value, dict):
            out += " " * indent + f"{key}:\n" + _dump(value, indent + 2)
        else:
            out += " " * indent + f"{key}: {value}\n"
    return out


def test_weak_values_are_never_echoed() -> None:
    text = SMTP.format("changeme") + "api:\n  accessToken: demo\n"
    for finding in report(text).findings:
        assert "changeme" not in finding.message and "changeme" not in finding.fix
        assert "'demo'" not in finding.message
