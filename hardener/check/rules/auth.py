"""Authentication rules that need more than "key equals value": token secret, API token, grants.

The session token is an HMAC-SHA256 JWT signed with ``security.auth.token.secret``; its strength
is the secret's. The public API accepts a static bearer token unless a JWKS URL is set, and a few
settings grant rights or replace the login altogether, which an auditor should see.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardener.check.rules.base import H, Hit, I, L, M, Rule, RuleContext, is_empty, levels
from hardener.yaml import DocPath

TOKEN_UNSET = "OH-AUTH-001"
TOKEN_SHORT = "OH-AUTH-002"
SUPERUSERS = "OH-AUTH-008"
SSO_PLUGIN = "OH-AUTH-010"
API_TOKEN_WEAK = "OH-API-002"
API_TOKEN_SHADOWED = "OH-API-003"

TOKEN_SECRET: DocPath = ("security", "auth", "token", "secret")
ACCESS_TOKEN: DocPath = ("api", "accessToken")
JWT_SET_URI: DocPath = ("api", "jwtSetUri")
SSO_PACKAGES: DocPath = ("plugin", "authenticationExtractor", "basePackages")
SUPERUSER_KEYS: tuple[DocPath, ...] = (
    ("security", "auth", "superUserIds"),
    ("security", "auth", "superGroupIds"),
)

MIN_TOKEN_SECRET_CHARS = 64  # Camunda's recommendation
MIN_TOKEN_SECRET_BYTES = 32  # RFC 7518: an HS256 key of at least 256 bits
MIN_API_TOKEN_CHARS = 32

RULES: tuple[Rule, ...] = (
    Rule(
        id=TOKEN_UNSET,
        title="token-secret-unset",
        severities=levels(M, M, I),
        rationale="Without a token secret Optimize signs sessions with a random key made at "
        "each start: every restart logs users out and the nodes of a cluster reject each "
        "other's sessions.",
        remediation="Set security.auth.token.secret to ${CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_"
        "SECRET} and give the variable at least 64 random characters, the same on every node.",
        reference="S12; S18",
        trigger="security.auth.token.secret is absent or null",
    ),
    Rule(
        id=TOKEN_SHORT,
        title="token-secret-short",
        severities=levels(H, H, L),
        rationale="The secret is the HMAC key of every session token; Camunda recommends at "
        "least 64 characters and RFC 7518 at least 256 bits for HS256. Below 32 bytes the "
        "finding is high, below 64 characters medium.",
        remediation="Use 48 random bytes, base64url-encoded (64 characters), from a variable.",
        reference="S12; S26",
        trigger="a literal security.auth.token.secret shorter than 64 characters",
    ),
    Rule(
        id=SUPERUSERS,
        title="superusers-review",
        severities=levels(I, I, None),
        rationale="Superusers have full rights on every collection, report and dashboard; the "
        "list should be short and reviewed.",
        remediation="Confirm that every listed user or group needs full rights; remove the rest.",
        reference="S12",
        targets=("c7",),
        trigger="superUserIds or superGroupIds is not empty",
    ),
    Rule(
        id=SSO_PLUGIN,
        title="header-sso-plugin",
        severities=levels(H, M, I),
        rationale="An authentication extractor plugin replaces Optimize's login, typically by "
        "trusting a header set by an SSO proxy; anyone who reaches Optimize directly can set "
        "that header.",
        remediation="Make Optimize reachable only through the SSO proxy (bind it to loopback), "
        "and have the proxy strip client-supplied identity headers.",
        reference="S22; S28",
        targets=("c7",),
        trigger="plugin.authenticationExtractor.basePackages is not empty",
    ),
    Rule(
        id=API_TOKEN_WEAK,
        title="api-token-weak",
        severities=levels(H, H, M),
        rationale="The static API token is a long-lived shared bearer secret; short tokens can "
        "be guessed.",
        remediation="Use at least 32 random bytes (43 or more base64url characters), from a "
        "variable, or switch to JWT validation with api.jwtSetUri.",
        reference="S26",
        trigger="a literal api.accessToken shorter than 32 characters",
    ),
    Rule(
        id=API_TOKEN_SHADOWED,
        title="api-token-shadowed",
        severities=levels(L, L, I),
        rationale="With api.jwtSetUri set, Optimize ignores api.accessToken; a stale token only "
        "misleads and still has to be kept secret.",
        remediation="Remove api.accessToken.",
        reference="S12",
        trigger="both api.accessToken and api.jwtSetUri are set",
    ),
)


def check_token_secret(ctx: RuleContext) -> Iterator[Hit]:
    """OH-AUTH-001 and OH-AUTH-002: a missing or short session signing key."""
    value = ctx.value(TOKEN_SECRET)
    if not value.known or value.is_placeholder:
        return  # from a variable: unset-ness and length are not in the file
    if value.value in (None, ""):
        message = "security.auth.token.secret is not set, so each start (and each node) signs "
        yield Hit(TOKEN_UNSET, TOKEN_SECRET, message + "sessions with its own random key")
        return
    text = str(value.value)
    if len(text) < MIN_TOKEN_SECRET_CHARS:
        # surrogatepass: a YAML escape such as "\udcff" is a lone surrogate; count it, don't crash
        short = len(text.encode("utf-8", "surrogatepass")) < MIN_TOKEN_SECRET_BYTES
        yield Hit(
            TOKEN_SHORT,
            TOKEN_SECRET,
            f"security.auth.token.secret is shorter than {MIN_TOKEN_SECRET_CHARS} characters"
            + (f" (under {MIN_TOKEN_SECRET_BYTES} bytes)" if short else ""),
            cap=None if short else M,
        )


def check_api_token(ctx: RuleContext) -> Iterator[Hit]:
    """OH-API-002 and OH-API-003: a guessable or ignored static API token."""
    token = ctx.value(ACCESS_TOKEN)
    jwks = ctx.value(JWT_SET_URI)
    literal = token.known and not token.is_placeholder and not is_empty(token.value)
    if literal and len(str(token.value)) < MIN_API_TOKEN_CHARS:
        yield Hit(
            API_TOKEN_WEAK,
            ACCESS_TOKEN,
            f"api.accessToken is shorter than {MIN_API_TOKEN_CHARS} characters",
        )
    token_set = not token.known or not is_empty(token.value)
    if token.present and token_set and jwks.known and not is_empty(jwks.value):
        yield Hit(
            API_TOKEN_SHADOWED,
            ACCESS_TOKEN,
            "api.accessToken is ignored because api.jwtSetUri is set",
        )


def check_grants(ctx: RuleContext) -> Iterator[Hit]:
    """OH-AUTH-008 and OH-AUTH-010: superuser lists and a login-replacing SSO plugin."""
    for path in SUPERUSER_KEYS:
        value = ctx.value(path)
        if value.present and value.known and _non_empty_list(value.value):
            yield Hit(SUPERUSERS, path, f"{ctx.dotted(path)} grants full rights; review it")
    sso = ctx.value(SSO_PACKAGES)
    if sso.present and sso.known and _non_empty_list(sso.value):
        yield Hit(
            SSO_PLUGIN,
            SSO_PACKAGES,
            "an authentication extractor plugin replaces Optimize's login; make sure only the "
            "SSO proxy can reach Optimize",
        )


def _non_empty_list(item: object) -> bool:
    """A non-empty list, or a string Optimize would parse as one ('[a,b]' or 'a')."""
    if isinstance(item, list):
        return bool(item)
    if isinstance(item, str):
        return item.strip() not in ("", "[]")
    return False


CHECKS = (check_token_secret, check_api_token, check_grants)
