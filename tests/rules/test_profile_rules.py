"""Profile-derived rules: one per setting, judged by compare.judge, placed by presence.

Besides one triggering and one passing config per rule, these pin the expansion rules: ``*`` is
every engine alias (Optimize's default engine when c7 has no ``engines`` map), ``{db}`` is each
database section present, gated settings wait for their switch, and absent keys point at their
parent block.
"""

from __future__ import annotations

import pytest

from hardener.check.rules import all_rules

from .helpers import Case, actual, expected, params, report

PORTS = "container:\n  ports:\n    http: {}\n    https: {}\n"
KEYSTORE = "container:\n  keystore:\n    location: {}\n    password: {}\n"
HEADERS = "security:\n  responseHeaders:\n    {}: {}\n"
HSTS = "security:\n  responseHeaders:\n    HSTS:\n      {}: {}\n"
AUTH = "security:\n  auth:\n    {}:\n      {}: {}\n"
SAME_SITE = "security:\n  auth:\n    cookie:\n      same-site:\n        enabled: {}\n"
ENGINE = (
    "engines:\n  prod:\n    rest: {rest}\n    authentication:\n      enabled: {enabled}\n"
    "      user: {user}\n      password: {password}\n    webapps:\n      endpoint: {webapps}\n"
)
GOOD_ENGINE = {
    "rest": "https://engine/engine-rest",
    "enabled": "true",
    "user": "optimize_import",
    "password": "${ENGINE_PASSWORD}",
    "webapps": "https://engine/camunda",
}
DB = "es:\n  connection:\n    skipHostnameVerification: {skip}\n  security:\n    username: {user}\n"
DB += "    password: {password}\n    ssl:\n      enabled: {ssl}\n      selfSigned: {self_signed}\n"
GOOD_DB = {
    "skip": "false",
    "user": "optimize_app",
    "password": "${DB_PASSWORD}",
    "ssl": "true",
    "self_signed": "false",
}
MAIL = "email:\n  enabled: {enabled}\n  checkServerIdentity: {identity}\n  authentication:\n"
MAIL += "    securityProtocol: {protocol}\n"


def engine(**change: str) -> str:
    return ENGINE.format(**{**GOOD_ENGINE, **change})


def db(**change: str) -> str:
    return DB.format(**{**GOOD_DB, **change})


def mail(enabled: str = "true", identity: str = "true", protocol: str = "STARTTLS") -> str:
    return MAIL.format(enabled=enabled, identity=identity, protocol=protocol)


CASES = [
    Case("OH-CNT-001", PORTS.format(8090, 8091), (3,), name="http-open"),
    Case("OH-CNT-001", "sharing:\n  enabled: false\n", (1,), name="absent-default-8090"),
    Case("OH-CNT-001", "container:\n  host: 127.0.0.1\n", (1,), name="absent-under-container"),
    Case("OH-CNT-001", PORTS.format("null", 8091), name="http-off"),
    Case("OH-CNT-001", PORTS.format("", 8091), name="http-empty"),
    Case("OH-CNT-001", PORTS.format(8090, 8091), profile="dev", name="dev-allows"),
    Case("OH-CNT-002", "container:\n  host: 0.0.0.0\n", (2,), name="any"),
    Case("OH-CNT-002", "container:\n  host: 127.0.0.1\n", name="loopback"),
    Case("OH-CNT-003", PORTS.format("null", "null"), (4,), name="no-https"),
    Case("OH-CNT-003", PORTS.format("null", 8443), name="https"),
    Case("OH-CNT-004", "container:\n  enableSniCheck: false\n", (2,), name="off"),
    Case("OH-CNT-004", "container:\n  enableSniCheck: true\n", name="on"),
    Case("OH-CNT-005", "container:\n  accessUrl: http://optimize.example.com\n", (2,),
         name="plain"),
    Case("OH-CNT-005", "container:\n  accessUrl: https://optimize.example.com\n", name="https"),
    Case("OH-CNT-005", "sharing:\n  enabled: false\n", name="optional-absent"),
    Case("OH-KS-002", KEYSTORE.format("/etc/o.p12", "literal-password"), (4,), name="literal"),
    Case("OH-KS-002", "sharing:\n  enabled: false\n", (1,), name="absent-shipped-default"),
    Case("OH-KS-002", KEYSTORE.format("/etc/o.p12", "${KS_PASSWORD}"), name="placeholder"),
    Case("OH-KS-002", KEYSTORE.format("/etc/o.p12", "${KS_PASSWORD:x}"), name="default-is-sec-002"),
    Case("OH-KS-003", KEYSTORE.format("keystore.jks", "${P}"), (3,), name="shipped"),
    Case("OH-KS-003", "container:\n  host: 127.0.0.1\n", (1,), name="absent"),
    Case("OH-KS-003", KEYSTORE.format("/etc/o.p12", "${P}"), name="own"),
    Case("OH-HDR-001", HSTS.format("max-age", "'31536000'"), (4,), name="one-year-in-strict"),
    Case("OH-HDR-001", HSTS.format("max-age", "'31536000'"), profile="standard",
         name="one-year-in-standard"),
    Case("OH-HDR-001", HSTS.format("max-age", "'${HSTS_MAX_AGE:63072000}'"), (4,),
         name="pinned-placeholder"),
    Case("OH-HDR-001", HSTS.format("max-age", "'${HSTS_MAX_AGE:63072000}'"), profile="standard",
         name="env-default-ok-in-standard"),
    Case("OH-HDR-003", HSTS.format("includeSubDomains", "false"), (4,), name="off"),
    Case("OH-HDR-003", HSTS.format("includeSubDomains", "true"), name="on"),
    Case("OH-HDR-006", HEADERS.format("X-XSS-Protection", "'1; mode=block'"), (3,), name="on"),
    Case("OH-HDR-006", HEADERS.format("X-XSS-Protection", "'0'"), name="off"),
    Case("OH-HDR-007", HEADERS.format("X-Content-Type-Options", "false"), (3,), name="off"),
    Case("OH-HDR-007", HEADERS.format("X-Content-Type-Options", "'true'"), name="string-true"),
    Case("OH-AUTH-003", AUTH.format("token", "secret", "a-literal-secret"), (4,), name="literal"),
    Case("OH-AUTH-003", AUTH.format("token", "secret", "${TOKEN_SECRET}"), name="placeholder"),
    Case("OH-AUTH-005", AUTH.format("token", "lifeMin", 60), (4,), name="60-in-strict"),
    Case("OH-AUTH-005", AUTH.format("token", "lifeMin", 0), (4,), name="zero"),
    Case("OH-AUTH-005", AUTH.format("token", "lifeMin", 15), name="15"),
    Case("OH-AUTH-005", AUTH.format("token", "lifeMin", 30), profile="standard", name="std-30"),
    Case("OH-AUTH-006", SAME_SITE.format("false"), (5,), name="off"),
    Case("OH-AUTH-006", SAME_SITE.format("true"), name="on"),
    Case("OH-AUTH-006", SAME_SITE.format("false"), target="c8", name="c8-identity-needs-it-off"),
    Case("OH-AUTH-007", AUTH.format("cookie", "secure", "auto"), (4,), name="auto"),
    Case("OH-AUTH-007", AUTH.format("cookie", "secure", "'true'"), name="true"),
    Case("OH-AUTH-007", AUTH.format("cookie", "secure", "auto"), profile="dev", name="dev-auto"),
    Case("OH-AUTH-009", "export:\n  csv:\n    authorizedUsers: all\n", (3,), name="all"),
    Case("OH-AUTH-009", "export:\n  csv:\n    authorizedUsers: none\n", name="none"),
    Case("OH-AUTH-011", "entity:\n  authorizedEditors: all\n", (2,), name="all"),
    Case("OH-AUTH-011", "entity:\n  authorizedEditors: superuser\n", name="superuser"),
    Case("OH-API-001", "api:\n  accessToken: literal-api-token\n", (2,), profile="standard",
         name="literal"),
    Case("OH-API-001", "api:\n  accessToken: ${OPTIMIZE_API_ACCESS_TOKEN:null}\n",
         profile="standard", name="placeholder"),
    Case("OH-API-004", "api:\n  jwtSetUri: http://idp/certs\n", (2,), name="plain"),
    Case("OH-API-004", "api:\n  jwtSetUri: https://idp/certs\n", name="https"),
    Case("OH-API-005", "api:\n  accessToken: ${OPTIMIZE_API_ACCESS_TOKEN}\n", (2,),
         name="any-token-in-strict"),
    Case("OH-API-005", "api:\n  accessToken: null\n", name="null"),
    Case("OH-ENG-001", engine(rest="http://engine/engine-rest"), (3,), name="plain"),
    Case("OH-ENG-001", "sharing:\n  enabled: false\n", (1,), name="default-engine"),
    Case("OH-ENG-001", engine(), name="https"),
    Case("OH-ENG-001", "sharing:\n  enabled: false\n", target="c8", name="c8-has-no-engines"),
    Case("OH-ENG-002", engine(enabled="false"), (5,), name="off"),
    Case("OH-ENG-002", engine(), name="on"),
    Case("OH-ENG-003", engine(password="engine-literal"), (7,), name="literal"),
    Case("OH-ENG-003", engine(enabled="false", password="engine-literal"),
         name="auth-off-is-sec-001"),
    Case("OH-ENG-003", engine(), name="placeholder"),
    Case("OH-ENG-004", engine(user="demo"), (6,), name="demo"),
    Case("OH-ENG-004", engine(user="''"), (6,), name="empty"),
    Case("OH-ENG-004", engine(), name="dedicated"),
    Case("OH-ENG-006", engine(webapps="http://engine/camunda"), (9,), name="plain"),
    Case("OH-ENG-006", engine(), name="https"),
    Case("OH-DB-001", db(ssl="false"), (8,), name="off"),
    Case("OH-DB-001", db(ssl="'true'"), name="quoted-true"),
    Case("OH-DB-002", db(self_signed="true"), (9,), name="self-signed"),
    Case("OH-DB-002", db(), name="verified"),
    Case("OH-DB-003", db(skip="true"), (3,), name="skip"),
    Case("OH-DB-003", db(), name="verify"),
    Case("OH-DB-005", db(password="db-literal"), (6,), name="literal"),
    Case("OH-DB-005", db(), name="placeholder"),
    Case("OH-DB-006", db(user="elastic"), (5,), name="superuser"),
    Case("OH-DB-006", db(user="null"), (5,), name="no-user"),
    Case("OH-DB-006", db(), name="dedicated"),
    Case("OH-NTF-001", mail(protocol="NONE"), (5,), name="none"),
    Case("OH-NTF-001", "email:\n  enabled: true\n", (1,), name="absent-default-none"),
    Case("OH-NTF-001", mail(enabled="false", protocol="NONE"), name="mail-off"),
    Case("OH-NTF-001", mail(protocol="SSL/TLS"), name="tls"),
    Case("OH-NTF-002", mail(identity="false"), (3,), name="off"),
    Case("OH-NTF-002", mail(), name="on"),
    Case("OH-SHR-001", "sharing:\n  enabled: true\n", (2,), name="on"),
    Case("OH-SHR-001", "sharing:\n  enabled: false\n", name="off"),
    Case("OH-SHR-001", "sharing:\n  enabled: true\n", profile="standard", name="standard"),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_profile_rules(case: Case) -> None:
    assert actual(case) == expected(case)


def paths(text: str, prefix: str, profile_name: str = "strict", target: str = "c7") -> list:
    found = report(text, profile_name, target).findings
    return sorted((f.rule_id, f.path, f.line) for f in found if f.rule_id.startswith(prefix))


def test_without_engines_map_the_default_engine_is_reported_at_line_1() -> None:
    assert paths("container:\n  host: 127.0.0.1\n", "OH-ENG") == [
        ("OH-ENG-001", "engines.camunda-bpm.rest", 1),
        ("OH-ENG-002", "engines.camunda-bpm.authentication.enabled", 1),
        ("OH-ENG-006", "engines.camunda-bpm.webapps.endpoint", 1),
    ]


def test_every_engine_alias_is_checked() -> None:
    text = engine() + "  test:\n    rest: http://test-engine/engine-rest\n"
    assert paths(text, "OH-ENG") == [
        ("OH-ENG-001", "engines.test.rest", 11),
        ("OH-ENG-002", "engines.test.authentication.enabled", 10),
        ("OH-ENG-006", "engines.test.webapps.endpoint", 10),
    ]


def test_db_settings_follow_the_sections_present() -> None:
    text = "opensearch:\n  security:\n    ssl:\n      enabled: false\n"
    assert paths(text, "OH-DB-001") == [("OH-DB-001", "opensearch.security.ssl.enabled", 4)]
    both = text + "es:\n  connection:\n    timeout: 1000\n"
    assert paths(both, "OH-DB-001") == [
        ("OH-DB-001", "es.security.ssl.enabled", 5),
        ("OH-DB-001", "opensearch.security.ssl.enabled", 4),
    ]
    assert paths("sharing:\n  enabled: false\n", "OH-DB-001") == [
        ("OH-DB-001", "es.security.ssl.enabled", 1)
    ]


def test_absent_key_points_at_the_nearest_parent_block() -> None:
    text = "sharing:\n  enabled: false\nsecurity:\n  auth:\n    token:\n      lifeMin: 15\n"
    found = {f.rule_id: (f.line, f.column) for f in report(text).findings}
    assert "OH-AUTH-003" not in found  # an absent secret means null: nothing literal in the file
    assert found["OH-AUTH-007"] == (4, 3)  # security.auth.cookie.secure -> security.auth
    assert found["OH-HDR-006"] == (3, 1)  # security.responseHeaders... -> security


def test_profile_messages_never_show_credentials() -> None:
    text = engine(user="demo") + db(user="elastic")
    messages = [
        f.message for f in report(text).findings if f.rule_id in ("OH-ENG-004", "OH-DB-006")
    ]
    assert len(messages) == 2
    assert all("demo" not in m and "elastic" not in m for m in messages)
    assert messages[0].endswith("holds a value this profile does not allow (not shown)")


def test_absent_setting_message_names_optimizes_default() -> None:
    found = {f.rule_id: f.message for f in report("sharing:\n  enabled: false\n").findings}
    assert found["OH-CNT-001"] == (
        "container.ports.http is not set, so Optimize's default (8090) applies, which is not null"
    )


def test_every_profile_rule_has_cases_here() -> None:
    profile_rules = {rule.id for rule in all_rules().values() if rule.origin == "profile"}
    covered = {case.rule for case in CASES} | {"OH-CSP-000"}  # CSP-000: tests/rules/test_headers
    assert profile_rules <= covered, profile_rules - covered
