"""Transport rules: actuator exposure, JKS keystores, database credentials and proxy, webhooks."""

from __future__ import annotations

import pytest

from .helpers import Case, actual, expected, params

PROXY = "es:\n  connection:\n    proxy:\n      enabled: {}\n      sslEnabled: {}\n"
HOOK = "webhookAlerting:\n  webhooks:\n    alerts:\n      url: {}\n"

CASES = [
    Case("OH-CNT-006", "container:\n  host: 0.0.0.0\n", (2,), name="all-interfaces"),
    Case("OH-CNT-006", "container:\n  host: 10.1.2.3\n", (2,), name="lan-address"),
    Case("OH-CNT-006", "container:\n  host: 127.0.0.1\n", name="loopback"),
    Case("OH-CNT-006", "container:\n  host: '::1'\n", name="loopback-v6"),
    Case("OH-CNT-006", "sharing:\n  enabled: false\n", name="default-localhost"),
    Case("OH-CNT-006", "container:\n  host: ${CONTAINER_HOST}\n", name="unknown"),
    Case("OH-KS-004", "container:\n  keystore:\n    location: /etc/optimize/tls.jks\n", (3,),
         name="own-jks"),
    Case("OH-KS-004", "container:\n  keystore:\n    location: keystore.jks\n",
         name="shipped-is-ks-003"),
    Case("OH-KS-004", "container:\n  keystore:\n    location: /etc/optimize/tls.p12\n",
         name="pkcs12"),
    Case("OH-DB-004", "es:\n  security:\n    username: optimize_app\n", (2,), name="no-password"),
    Case("OH-DB-004", "opensearch:\n  security:\n    username: optimize_app\n    password: ''\n",
         (4,), name="empty-password"),
    Case("OH-DB-004", "es:\n  security:\n    username: optimize_app\n    password: ${DB_PW}\n",
         name="placeholder"),
    Case("OH-DB-004", "es:\n  connection:\n    timeout: 1000\n", name="no-user"),
    Case("OH-DB-007", PROXY.format("true", "false"), (5,), name="plain-proxy"),
    Case("OH-DB-007", "es:\n  connection:\n    proxy:\n      enabled: true\n", (3,),
         name="ssl-absent"),
    Case("OH-DB-007", PROXY.format("true", "true"), name="tls-proxy"),
    Case("OH-DB-007", PROXY.format("false", "false"), name="no-proxy"),
    Case("OH-NTF-003", HOOK.format("http://hooks.example.com/alert"), (4,), name="plain"),
    Case("OH-NTF-003", HOOK.format("https://hooks.example.com/alert"), name="https"),
    Case("OH-NTF-003", HOOK.format("http://localhost:9000/alert"), name="loopback"),
    Case("OH-NTF-003", HOOK.format("http://hooks.example.com/alert"), target="c8",
         name="c7-only"),
]  # fmt: skip


@pytest.mark.parametrize("case", params(CASES))
def test_transport_rules(case: Case) -> None:
    assert actual(case) == expected(case)
