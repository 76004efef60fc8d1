"""Key rules: keys Optimize does not know, keys it refuses, and the 2.x layout it ignores.

Optimize is unforgiving in two opposite ways. Sections bound to Java classes (``security``,
``es``, ``engines.<alias>`` …) reject unknown properties, so a typo there can stop it at start-up,
while elsewhere an unknown or misspelt key is silently ignored and the setting the user meant
never applies. Keys on the "deleted" list stop start-up with "Configuration contains deleted
entries". The 2.x top-level ``auth`` block is neither: most of it is silently ignored, which
leaves, for example, a token secret the operator believes is in force unused.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from hardener.catalog import Catalog, format_path, parse_pattern
from hardener.check.rules.base import H, Hit, I, L, M, Rule, RuleContext, levels
from hardener.check.rules.reading import is_merge_key
from hardener.yaml import DocPath

UNKNOWN = "OH-KEY-001"
UNKNOWN_TYPED = "OH-KEY-002"
DELETED = "OH-KEY-003"
LEGACY_AUTH = "OH-KEY-004"

RULES: tuple[Rule, ...] = (
    Rule(
        id=UNKNOWN,
        title="unknown-key",
        severities=levels(L, L, I),
        rationale="Optimize ignores a key it does not know, so a misspelt setting silently "
        "leaves the default (often the weaker value) in force.",
        remediation="Fix the spelling (the message suggests the closest known key) or remove it.",
        reference="S12; S18",
        trigger="a key outside the target's catalog, in a section Optimize reads key by key",
    ),
    Rule(
        id=UNKNOWN_TYPED,
        title="unknown-key-in-typed-section",
        severities=levels(H, H, M),
        rationale="This section is bound to a Java class that rejects unknown properties, so "
        "Optimize is likely to stop when it reads the section.",
        remediation="Fix the spelling (the message suggests the closest known key) or remove it.",
        reference="S12; S18",
        trigger="a key outside the target's catalog inside a class-bound section "
        "(security, api, es, opensearch, engines.<alias>, …)",
    ),
    Rule(
        id=DELETED,
        title="deleted-key",
        severities=levels(H, H, H),
        rationale="Optimize refuses to start while its configuration contains a key from its "
        "deleted list (old 2.x names).",
        remediation="Remove the key and set its replacement, named in the message.",
        reference="S18; S28",
        trigger="a key at or below an entry of Optimize's deleted list (es.host, "
        "historyCleanup.enabled, email.password, …)",
    ),
    Rule(
        id=LEGACY_AUTH,
        title="legacy-auth-ignored",
        severities=levels(H, H, M),
        rationale="Optimize 3.x and later read authentication settings only under "
        "security.auth; a top-level 2.x auth block is silently ignored, so, for example, "
        "every node makes its own random token secret.",
        remediation="Move the settings below security.auth (auth.token.secret becomes "
        "security.auth.token.secret) and delete the top-level auth block.",
        reference="S12; S28",
        trigger="a top-level auth.* key that is not on the deleted list",
    ),
)

REPLACEMENTS: Mapping[str, str] = {
    "es.host": "es.connection.nodes[].host",
    "es.ports.http": "es.connection.nodes[].httpPort",
    "es.ports.tcp": "es.connection.nodes[].httpPort (HTTP, not the transport port)",
    "es.connection.nodes[].tcpPort": "es.connection.nodes[].httpPort",
    "es.security.ssl.verification_mode": "es.security.ssl.selfSigned and "
    "es.connection.skipHostnameVerification (both false)",
    "es.security.ssl.key": "es.security.ssl.certificate and certificate_authorities",
    "alerting.email": "email",
    "email.username": "email.authentication.username",
    "email.password": "email.authentication.password",
    "auth.cookie.same-site": "security.auth.cookie.same-site.enabled",
    "auth.cookie.token.lifeMin": "security.auth.token.lifeMin",
    "auth.cookie.token.secret": "security.auth.token.secret",
    "auth.superUserIds": "security.auth.superUserIds",
    "historyCleanup.enabled": "historyCleanup.processDataCleanup.enabled",
    "historyCleanup.processDataCleanupMode": "historyCleanup.processDataCleanup.cleanupMode",
    "historyCleanup.perProcessDefinitionConfig": "historyCleanup.processDataCleanup."
    "perProcessDefinitionConfig",
    "historyCleanup.perDecisionDefinitionConfig": "historyCleanup.decisionDataCleanup."
    "perDecisionDefinitionConfig",
    "eventBasedProcess.eventIngestion.accessToken": "api.accessToken",
    "externalVariable.variableIngestion.accessToken": "api.accessToken",
}
"""What replaced each deleted key (reference 6.1), for the message."""


def check(ctx: RuleContext) -> Iterator[Hit]:
    """Walk the document once; stop descending at the first unknown or deleted key."""
    catalog = ctx.catalog
    skip: tuple[DocPath, ...] = ()
    for path, _ in ctx.doc.entries:
        if any(path[: len(done)] == done for done in skip):
            continue
        if is_merge_key(path):  # OH-YAML-002 says what '<<' really is
            skip = (*skip, path)
            continue
        hit = _classify(path, catalog, ctx)
        if hit is not None:
            skip = (*skip, hit.path)
            yield hit


def _classify(path: DocPath, catalog: Catalog, ctx: RuleContext) -> Hit | None:
    dotted = ctx.dotted(path)
    dead = catalog.deleted_match(path) if path[0] in _deleted_roots(catalog) else None
    if dead is not None:
        instead = f"use {REPLACEMENTS[dead]}" if dead in REPLACEMENTS else "remove it"
        return Hit(
            DELETED,
            path,
            f"{dotted} is an old key on Optimize's deleted list; Optimize refuses to start "
            f"while it is present ({instead})",
            at="key",
        )
    if catalog.is_known(path):
        return None
    if path[0] in _deleted_roots(catalog) and _deleted_below(path, catalog):
        return None
    if path[0] == "auth":
        return Hit(
            LEGACY_AUTH,
            path,
            f"{dotted} is from the Optimize 2.x layout and is silently ignored "
            f"(use security.{dotted})",
            at="key",
        )
    return _unknown(path, catalog, dotted)


def _unknown(path: DocPath, catalog: Catalog, dotted: str) -> Hit:
    if isinstance(path[-1], int):  # a list where Optimize reads keys: say so once, at the list
        path, dotted = path[:-1], format_path(path[:-1])
        rule = UNKNOWN_TYPED if catalog.in_typed_section(path) else UNKNOWN
        return Hit(rule, path, f"{dotted} is a list, but Optimize expects keys here", at="key")
    hint = catalog.suggest(path)
    mean = f" (did you mean {hint!r}?)" if hint else ""
    if catalog.in_typed_section(path):
        return Hit(
            UNKNOWN_TYPED,
            path,
            f"{dotted} is not a key {catalog.title} knows{mean}; this section rejects unknown "
            "keys, so Optimize may fail to start",
            at="key",
        )
    return Hit(
        UNKNOWN,
        path,
        f"{dotted} is not a key {catalog.title} knows{mean}; Optimize ignores it",
        at="key",
    )


def _deleted_below(path: DocPath, catalog: Catalog) -> bool:
    """True when a deleted key lies below ``path``: descend to report it precisely."""
    return any(len(dead) > len(path) and _prefix(dead, path) for dead in _deleted_patterns(catalog))


@functools.cache
def _deleted_patterns(catalog: Catalog) -> tuple[tuple[str, ...], ...]:
    return tuple(parse_pattern(dead) for dead in catalog.deleted)


@functools.cache
def _deleted_roots(catalog: Catalog) -> frozenset[str]:
    """Top-level keys with deleted entries below: most paths need no deleted-list scan."""
    return frozenset(pattern[0] for pattern in _deleted_patterns(catalog))


def _prefix(pattern: tuple[str, ...], path: DocPath) -> bool:
    for part, segment in zip(pattern, path, strict=False):
        if part == "[]":
            if not isinstance(segment, int):
                return False
        elif part != "*" and part != segment:
            return False
    return True


CHECKS = (check,)
