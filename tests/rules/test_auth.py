"""Authentication rules: token secret, API token, superusers, SSO plugin."""

from __future__ import annotations

import pytest

from hardener.profiles import Severity

from .helpers import Case, actual, expected, params, report

TOKEN = "security:\n  auth:\n    token:\n      secret: {}\n"
API = "api:\n  accessToken: {}\n"

CASES = [
    Case("OH-AUTH-001", "sharing:\n  enabled: false\n", (1,), name="absent"),
    Case("OH-AUTH-001", TOKEN.format("null"), (4,), name="null"),
    Case("OH-AUTH-001", TOKEN.format("${TOKEN_SECRET}"), name="placeholder"),
    Case("OH-AUTH-001", TOKEN.format("${TOKEN_SECRET:null}"), name="placeholder-null-default"),
    Case("OH-AUTH-001", "sharing:\n  enabled: false\n", (1,), profile="dev", name="dev-info"),
    Case("OH-AUTH-002", TOKEN.format("short-secret-1234"), (4,), name="short"),
    Case("OH-AUTH-002", TOKEN.format("x" * 63), (4,), name="63-chars"),
    Case("OH-AUTH-002", TOKEN.format("x" * 64), name="64-chars"),
    Case("OH-AUTH-002", TOKEN.format("${TOKEN_SECRET}"), name="placeholder"),
    Case("OH-AUTH-008", "security:\n  auth:\n    superUserIds: [ops-lead]\n", (3,), name="users"),
    Case("OH-AUTH-008", "security:\n  auth:\n    superGroupIds:\n      - admins\n", (4,),
         name="groups"),
    Case("OH-AUTH-008", "security:\n  auth:\n    superUserIds: []\n", name="empty"),
    Case("OH-AUTH-008", "security:\n  auth:\n    superUserIds: [ops]\n", profile="dev",
         name="not-in-dev"),
    Case("OH-AUTH-010", "plugin:\n  authenticationExtractor:\n    basePackages: [org.sso]\n", (3,),
         name="extractor"),
    Case("OH-AUTH-010", "plugin:\n  authenticationExtractor:\n    basePackages: []\n",
         name="none"),
    Case("OH-API-002", API.format("demo-token"), (2,), name="short"),
    Case("OH-API-002", API.format("a" * 32), name="32-chars"),
    Case("OH-API-002", API.format("${OPTIMIZE_API_ACCESS_TOKEN}"), name="placeholder"),
    Case("OH-API-003", API.format("${OPTIMIZE_API_ACCESS_TOKEN}")
         + "  jwtSetUri: https://idp.example.com/certs\n", (2,), name="both"),
    Case("OH-API-003", "api:\n  jwtSetUri: https://idp.example.com/certs\n", name="jwt-only"),
    Case("OH-API-003", API.format("${OPTIMIZE_API_ACCESS_TOKEN:null}")
         + "  jwtSetUri: https://idp.example.com/certs\n", name="null-token"),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_auth_rules(case: Case) -> None:
    assert actual(case) == expected(case)


@pytest.mark.parametrize(
    ("secret", "severity"),
    [("s" * 20, Severity.HIGH), ("s" * 40, Severity.MEDIUM)],
)
def test_short_token_secret_severity_depends_on_length(secret: str, severity: Severity) -> None:
    found = [f for f in report(TOKEN.format(secret)).findings if f.rule_id == "OH-AUTH-002"]
    assert [f.severity for f in found] == [severity]


def test_short_token_secret_is_low_in_dev() -> None:
    found = [f for f in report(TOKEN.format("s" * 40), "dev").findings]
    assert [f.severity for f in found if f.rule_id == "OH-AUTH-002"] == [Severity.LOW]
