"""Transport rules beyond the profile's key table: exposed ports, keystore format, database
credentials and proxies, webhook targets.

The profile already demands HTTPS for the engine, the web apps link, the access URL and the JWKS
URL, and TLS with verification towards the database; these rules cover what depends on more
than one key or on every entry of a map.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from hardener.check.rules.base import (
    H,
    Hit,
    I,
    L,
    M,
    Rule,
    RuleContext,
    as_int,
    is_empty,
    is_loopback,
    levels,
    truthy,
)
from hardener.yaml import DocPath

MANAGEMENT_EXPOSED = "OH-CNT-006"
JKS_KEYSTORE = "OH-KS-004"
DB_NO_PASSWORD = "OH-DB-004"
DB_PROXY_PLAINTEXT = "OH-DB-007"
WEBHOOK_PLAINTEXT = "OH-NTF-003"

HOST: DocPath = ("container", "host")
ACTUATOR: DocPath = ("container", "ports", "actuator")
KEYSTORE_LOCATION: DocPath = ("container", "keystore", "location")
SHIPPED_KEYSTORE = "keystore.jks"

RULES: tuple[Rule, ...] = (
    Rule(
        id=MANAGEMENT_EXPOSED,
        title="management-port-exposed",
        severities=levels(M, L, I),
        rationale="The actuator port has no authentication (metrics, and a backup trigger); it "
        "listens on container.host, so a host other than loopback exposes it.",
        remediation="Bind Optimize to loopback behind a proxy, or firewall the actuator port "
        "and never route it through the proxy.",
        reference="S12; S13",
        trigger="container.host is not a loopback address while the actuator port is set",
    ),
    Rule(
        id=JKS_KEYSTORE,
        title="jks-keystore",
        severities=levels(L, L, I),
        rationale="JKS is a proprietary, weaker keystore format; PKCS#12 is the JDK default "
        "since JEP 229.",
        remediation="Convert it: keytool -importkeystore -deststoretype pkcs12, and point "
        "container.keystore.location at the .p12 file.",
        reference="S27",
        trigger="container.keystore.location names a .jks file other than the shipped one",
    ),
    Rule(
        id=DB_NO_PASSWORD,
        title="db-no-credentials",
        severities=levels(H, H, L),
        rationale="A database user without a password means the cluster accepts the account "
        "without proof, or Optimize cannot log in at all.",
        remediation="Set security.password to a ${VAR} placeholder for the database user.",
        reference="S16; S23",
        trigger="es/opensearch security.username is set but security.password is empty",
    ),
    Rule(
        id=DB_PROXY_PLAINTEXT,
        title="db-proxy-plaintext",
        severities=levels(M, M, I),
        rationale="With a forward proxy and sslEnabled false, the hop to the proxy carries "
        "database traffic, and any proxy credentials, in clear text.",
        remediation="Set connection.proxy.sslEnabled to true and use TLS to the proxy.",
        reference="S12",
        trigger="es/opensearch connection.proxy.enabled is true and sslEnabled is not",
    ),
    Rule(
        id=WEBHOOK_PLAINTEXT,
        title="webhook-plaintext",
        severities=levels(M, M, I),
        rationale="Alert webhooks carry report data and often an authorization header; over "
        "plain HTTP both can be read and changed on the way.",
        remediation="Use the https:// URL of the webhook receiver.",
        reference="S12",
        targets=("c7",),
        trigger="a webhookAlerting.webhooks.<name>.url starts with http:// (loopback excepted)",
    ),
)


def check_container(ctx: RuleContext) -> Iterator[Hit]:
    """OH-CNT-006 and OH-KS-004: the unauthenticated actuator port and JKS keystores."""
    host = ctx.value(HOST)
    actuator = ctx.value(ACTUATOR)
    exposed = host.known and isinstance(host.value, str) and not is_loopback(host.value)
    if exposed and (as_int(actuator) is not None or not actuator.known):
        yield Hit(
            MANAGEMENT_EXPOSED,
            HOST,
            "the unauthenticated actuator port listens on a non-loopback address",
        )
    location = ctx.value(KEYSTORE_LOCATION)
    text = location.value if location.present and location.known else None
    if isinstance(text, str) and text.lower().endswith(".jks") and text != SHIPPED_KEYSTORE:
        yield Hit(JKS_KEYSTORE, KEYSTORE_LOCATION, "container.keystore.location is a JKS file")


def check_database(ctx: RuleContext) -> Iterator[Hit]:
    """OH-DB-004 and OH-DB-007 for each database section present."""
    for db in ctx.db_sections:
        username = ctx.value((db, "security", "username"))
        password_path = (db, "security", "password")
        password = ctx.value(password_path)
        has_user = username.known and not is_empty(username.value)
        if has_user and password.known and is_empty(password.value):
            yield Hit(
                DB_NO_PASSWORD,
                password_path,
                f"{db}.security.username is set but {db}.security.password is empty",
            )
        proxy = (db, "connection", "proxy")
        if truthy(ctx.value((*proxy, "enabled")), default=False) and not truthy(
            ctx.value((*proxy, "sslEnabled")), default=True
        ):
            yield Hit(
                DB_PROXY_PLAINTEXT,
                (*proxy, "sslEnabled"),
                f"{db} traffic goes through a proxy without TLS",
            )


def check_webhooks(ctx: RuleContext) -> Iterator[Hit]:
    """OH-NTF-003: every webhook's URL, since each is its own outgoing connection."""
    base = ("webhookAlerting", "webhooks")
    for name in ctx.keys_at(base):
        path = (*base, name, "url")
        value = ctx.value(path)
        if value.known and isinstance(value.value, str) and _plain_remote(value.value):
            yield Hit(WEBHOOK_PLAINTEXT, path, f"{ctx.dotted(path)} is a plain http:// URL")


def _plain_remote(url: str) -> bool:
    text = url.strip()
    if not text.lower().startswith("http://"):
        return False
    host = urlsplit(text).hostname or ""
    return not is_loopback(host)


CHECKS = (check_container, check_database, check_webhooks)
