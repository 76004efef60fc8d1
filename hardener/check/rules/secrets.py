"""Secret rules: credentials in the file, placeholders Optimize cannot resolve, weak values.

Every key the target's catalog marks as a credential is covered, not only the ones a profile
names: the keystore and token secrets, the API token, engine, database, proxy and SMTP passwords,
OIDC and SaaS client secrets and, for webhooks, headers that carry a credential. Messages name
the key, never the value; ``hardener.check.audit`` also masks any secret value that could slip
into a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hardener.check.rules.base import C, H, Hit, L, M, Rule, RuleContext, levels
from hardener.check.rules.profile_rules import covering_setting
from hardener.model import as_placeholder, find_placeholders
from hardener.profiles import Compare
from hardener.yaml import DocPath

LITERAL = "OH-SEC-001"
PLACEHOLDER_DEFAULT = "OH-SEC-002"
UNRESOLVABLE = "OH-SEC-003"
WEAK = "OH-SEC-004"
DEFAULT_KEYSTORE_PASSWORD = "OH-KS-001"

KEYSTORE_PASSWORD: DocPath = ("container", "keystore", "password")
SHIPPED_KEYSTORE_PASSWORD = "optimize"

WEAK_SECRETS = frozenset(
    {
        "optimize", "camunda", "demo", "admin", "administrator", "changeme", "change-me",
        "changeit", "password", "passw0rd", "pass", "secret", "elastic", "opensearch",
        "kibana", "root", "test", "guest", "default", "letmein", "qwerty", "123456",
        "12345678", "1234567890", "token", "s3cr3t",
    }
)  # fmt: skip
"""Demo, vendor-default and dictionary values seen in public configs and defaults."""

_AUTH_HEADER = re.compile(r"auth|token|key|secret|pass|cookie|session|credential", re.IGNORECASE)
_HEADERS_PATTERN = ("webhookAlerting", "webhooks", "*", "headers", "*")

RULES: tuple[Rule, ...] = (
    Rule(
        id=LITERAL,
        title="secret-literal",
        severities=levels(H, H, L),
        rationale="A credential written into the file ends up in backups, version control and "
        "config dumps; it belongs in the environment or a mounted secret file.",
        remediation="Replace the value with a ${VAR} placeholder and set the variable when "
        "Optimize starts.",
        reference="S7; baselines 9",
        trigger="a credential key holds a literal (keys a profile already requires a "
        "placeholder for are reported under that profile rule)",
    ),
    Rule(
        id=PLACEHOLDER_DEFAULT,
        title="secret-placeholder-default",
        severities=levels(H, H, M),
        rationale="${VAR:default} on a credential puts the secret into the file after all, and "
        "Optimize silently uses it whenever the variable is missing.",
        remediation="Drop the default (${VAR}) so that Optimize fails closed; ${VAR:null} is "
        "fine for optional secrets.",
        reference="S7; S12",
        trigger="a credential key holds ${VAR:default} with a default other than null or empty",
    ),
    Rule(
        id=UNRESOLVABLE,
        title="placeholder-unresolvable",
        severities=levels(H, H, H),
        rationale="Optimize resolves exactly ${NAME} or ${NAME:default} with NAME made of "
        "letters, digits and underscores; anything else is used as literal text, and two "
        "placeholders in one value are only partly replaced.",
        remediation="Use one placeholder per value with a name like MY_VAR, and close it with }.",
        reference="S12",
        trigger="a value with an invalid placeholder name, an unclosed ${, or more than one "
        "placeholder",
    ),
    Rule(
        id=WEAK,
        title="known-weak-secret",
        severities=levels(C, C, H),
        rationale="Demo, vendor-default and dictionary passwords are the first ones an attacker "
        "tries; so is a password equal to its user name.",
        remediation="Generate a long random secret, rotate it, and supply it from the environment.",
        reference="S12; S13; S21; S28",
        trigger="a credential (or its placeholder default) is a well-known weak value or "
        "equals the account's user name",
    ),
    Rule(
        id=DEFAULT_KEYSTORE_PASSWORD,
        title="default-keystore-password",
        severities=levels(C, C, H),
        rationale="Optimize's keystore password defaults to 'optimize', which is public; with "
        "the shipped keystore anyone can read the TLS private key.",
        remediation="Create your own PKCS#12 keystore with a random password of at least 20 "
        "characters, supplied through ${CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD}.",
        reference="S12; S13",
        trigger="container.keystore.password is absent (Optimize's default applies) or is the "
        "shipped default",
    ),
)


def secret_paths(ctx: RuleContext) -> list[tuple[DocPath, object]]:
    """Every present key that holds a credential, with its raw value."""
    result: list[tuple[DocPath, object]] = ctx.memo("secret_paths", lambda: _secret_paths(ctx))
    return result


def _secret_paths(ctx: RuleContext) -> list[tuple[DocPath, object]]:
    found = []
    for path, raw in ctx.doc.entries:
        spec = ctx.catalog.lookup(path)
        if spec is None or not spec.secret or isinstance(raw, dict | list):
            continue
        if _is_header(path) and not _AUTH_HEADER.search(str(path[-1])):
            continue  # Content-Type and friends are not credentials
        found.append((path, raw))
    return found


def _is_header(path: DocPath) -> bool:
    return len(path) == len(_HEADERS_PATTERN) and path[0] == "webhookAlerting"


def check_literals(ctx: RuleContext) -> Iterator[Hit]:
    """OH-SEC-001 and OH-SEC-002: credentials must come from variables without defaults."""
    for path, raw in secret_paths(ctx):
        if not isinstance(raw, str | int | float) or isinstance(raw, bool) or raw == "":
            continue
        seen = ctx.value(path)
        if seen.is_placeholder and (not seen.literal or seen.value in (None, "")):
            continue  # "Bearer ${TOKEN}": Optimize takes the secret part from a variable
        if as_placeholder(raw) is not None:
            yield Hit(
                PLACEHOLDER_DEFAULT,
                path,
                f"{ctx.dotted(path)} gives its placeholder a literal default secret",
            )
        elif covering_setting(path, ctx, Compare.PLACEHOLDER) is None:
            hidden = " (text around a placeholder is literal to Optimize)" if seen.variables else ""
            yield Hit(LITERAL, path, f"{ctx.dotted(path)} holds a literal secret{hidden}")


def check_placeholders(ctx: RuleContext) -> Iterator[Hit]:
    """OH-SEC-003: placeholders Optimize will not resolve, in any value of the file."""
    for path, raw in ctx.doc.entries:
        if isinstance(raw, str) and "${" in raw:
            problem = placeholder_problem(raw)
            if problem is not None:
                yield Hit(UNRESOLVABLE, path, f"{ctx.dotted(path)} {problem}")


def placeholder_problem(text: str) -> str | None:
    """Why Optimize would not resolve the placeholder(s) in ``text`` as written, or None.

    Judged with Optimize's own matching (``model.find_placeholders``): its default part runs to
    the last ``}`` of the line, and only the last match's replacement survives.
    """
    matches = find_placeholders(text)
    if any(m.default is not None and "${" in m.default for m in matches):
        return (
            "holds several ${...} placeholders; Optimize reads the first one's default up to "
            "the last '}', so the others are never resolved"
        )
    if len(matches) > 1:
        return (
            "holds several ${...} placeholders; Optimize replaces only the last one and keeps "
            "the others as text"
        )
    if matches and text.count("${") == 1:
        return None
    rest = text[text.index("${") + 2 :]
    if "}" not in rest:
        return "has an unclosed ${ placeholder; Optimize uses the text as it is"
    if not matches:
        return (
            "has a placeholder whose name is not a variable name (letters, digits and _, not "
            "starting with a digit); Optimize uses the text as it is"
        )
    return "holds a ${ that Optimize does not read as a placeholder; it stays as text"


def check_weak(ctx: RuleContext) -> Iterator[Hit]:
    """OH-SEC-004 and OH-KS-001: well-known values, never echoed."""
    yield from _keystore_default(ctx)
    for path, _ in secret_paths(ctx):
        candidate = ctx.value(path).value
        if not isinstance(candidate, str | int) or isinstance(candidate, bool):
            continue
        text = str(candidate).strip()
        if path == KEYSTORE_PASSWORD and text.lower() == SHIPPED_KEYSTORE_PASSWORD:
            continue  # OH-KS-001
        if text.lower() in WEAK_SECRETS:
            yield Hit(WEAK, path, f"{ctx.dotted(path)} is a well-known weak value")
        elif text and text == _user_beside(path, ctx):
            yield Hit(WEAK, path, f"{ctx.dotted(path)} equals the account's user name")


def _keystore_default(ctx: RuleContext) -> Iterator[Hit]:
    value = ctx.value(KEYSTORE_PASSWORD)
    if not value.present:
        yield Hit(
            DEFAULT_KEYSTORE_PASSWORD,
            KEYSTORE_PASSWORD,
            "container.keystore.password is not set, so Optimize uses its public default",
        )
    elif isinstance(value.value, str) and value.value.strip().lower() == SHIPPED_KEYSTORE_PASSWORD:
        yield Hit(
            DEFAULT_KEYSTORE_PASSWORD,
            KEYSTORE_PASSWORD,
            "container.keystore.password is Optimize's public default",
        )


def _user_beside(path: DocPath, ctx: RuleContext) -> str | None:
    for name in ("user", "username"):
        value = ctx.value((*path[:-1], name))
        if value.present and isinstance(value.value, str) and value.value.strip():
            return value.value.strip()
    return None


CHECKS = (check_literals, check_placeholders, check_weak)
