"""Header rules: the Content-Security-Policy issue by issue, HSTS edge cases, and sharing.

Optimize's only in-app defences against script injection and clickjacking are one CSP string and
HSTS; it cannot send X-Frame-Options. The CSP is analysed by ``hardener.csp`` (one function per
issue, OH-CSP-001 … OH-CSP-015); this module turns its issues into findings with per-profile
severities, and computes whether Optimize serves HTTPS or plain HTTP only from the same file.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardener.check.rules.base import H, Hit, I, L, M, Rule, RuleContext, as_int, levels, truthy
from hardener.check.rules.profile_rules import covering_setting
from hardener.csp import analyse_csp, parse_csp
from hardener.profiles import Compare, Severity
from hardener.yaml import DocPath

CSP: DocPath = ("security", "responseHeaders", "Content-Security-Policy")
HSTS_MAX_AGE: DocPath = ("security", "responseHeaders", "HSTS", "max-age")
HSTS_SUBDOMAINS: DocPath = ("security", "responseHeaders", "HSTS", "includeSubDomains")
SHARING: DocPath = ("sharing", "enabled")

HSTS_SHORT = "OH-HDR-002"
HSTS_MALFORMED = "OH-HDR-004"
SHARING_EMBED_BLOCKED = "OH-SHR-002"
OBSERVATORY_MIN_MAX_AGE = 15_552_000  # the HTTP Observatory's pass mark, about six months

_CSP_REFERENCE = "S4; S9; S17"


Severities = tuple[Severity | None, Severity | None, Severity | None]


def _csp_rule(
    number: int, title: str, severities: Severities, why: str, fix: str, when: str
) -> Rule:
    return Rule(
        id=f"OH-CSP-{number:03d}",
        title=title,
        severities=levels(*severities),
        rationale=why,
        remediation=fix,
        reference=_CSP_REFERENCE,
        trigger=when,
    )


CSP_RULES: tuple[Rule, ...] = (
    _csp_rule(1, "csp-missing", (H, H, M),
              "Without a policy nothing limits injected script, plugins or framing.",
              "Set the profile's policy (optimize-harden generate shows it).",
              "the policy is empty or null"),
    _csp_rule(2, "csp-no-script-restriction", (H, H, M),
              "Without script-src or default-src any script may run; Optimize's default "
              "policy (base-uri 'self') is such a policy.",
              "Add default-src and script-src 'self'.",
              "neither script-src nor default-src is set"),
    _csp_rule(3, "csp-unsafe-script", (H, H, M),
              "Inline script, data: URLs and wildcard hosts let injected markup run code.",
              "Use script-src 'self' without 'unsafe-inline', data: or wildcards.",
              "the script-src in force allows 'unsafe-inline', data:, wildcards, or uses "
              "'strict-dynamic' without a nonce or hash"),
    _csp_rule(4, "csp-unsafe-eval", (M, M, L),
              "'unsafe-eval' turns attacker-controlled strings into code; Optimize does not "
              "need it.",
              "Remove 'unsafe-eval'.",
              "'unsafe-eval' in the script-src or style-src in force"),
    _csp_rule(5, "csp-object-src-open", (M, M, L),
              "Plugin content can run script outside the page's script rules.",
              "Add object-src 'none'.",
              "object-src (or default-src) is missing or a wildcard"),
    _csp_rule(6, "csp-no-frame-ancestors", (H, M, L),
              "Optimize cannot send X-Frame-Options; frame-ancestors is its only clickjacking "
              "defence and has no fallback.",
              "Add frame-ancestors 'none' (strict) or 'self' plus the embedding origins.",
              "frame-ancestors is missing"),
    _csp_rule(7, "csp-frame-ancestors-wildcard", (H, H, M),
              "A wildcard ancestor list lets any site frame Optimize.",
              "List the origins allowed to embed Optimize.",
              "frame-ancestors contains *, http: or https:"),
    _csp_rule(8, "csp-base-uri", (M, L, I),
              "An injected <base> tag can redirect every relative script URL; base-uri has no "
              "fallback.",
              "Add base-uri 'self' (or 'none').",
              "base-uri is missing or broad"),
    _csp_rule(9, "csp-form-action", (L, L, I),
              "Without form-action an injected form can post data, even autofilled "
              "credentials, anywhere.",
              "Add form-action 'self'.",
              "form-action is missing or a wildcard"),
    _csp_rule(10, "csp-insecure-scheme", (M, M, None),
              "On an HTTPS page a clear-text source can be replaced on the wire.",
              "Use https: and wss: sources only.",
              "an http:, ws: or ftp: source while Optimize serves HTTPS"),
    _csp_rule(11, "csp-upgrade-on-plain-http", (H, H, H),
              "upgrade-insecure-requests rewrites the app's own requests to https://, which "
              "fails when users reach Optimize over plain HTTP only.",
              "Drop upgrade-insecure-requests, or serve Optimize over HTTPS.",
              "upgrade-insecure-requests while the only way in is plain HTTP (no HTTPS "
              "listener, or an http:// access URL)"),
    _csp_rule(12, "csp-invalid", (H, H, M),
              "Browsers and graders treat syntax errors, duplicates and commas differently from "
              "what the operator meant.",
              "Fix the syntax: one policy, each directive once, ASCII quotes.",
              "a comma, a duplicate directive, a bad token, or fewer than 6 characters"),
    _csp_rule(13, "csp-breaks-ui", (M, M, L),
              "A policy that blocks Optimize's own resources breaks the UI, and operators then "
              "tend to remove the policy altogether.",
              "Allow data: images (heatmaps), 'self' for connect-src and script-src.",
              "img-src lacks data:, or connect-src or script-src lacks 'self'"),
    _csp_rule(14, "csp-inline-style-in-strict", (L, None, None),
              "'unsafe-inline' on style-src also admits injected <style> blocks, which can "
              "restyle the page or leak data through CSS selectors.",
              "Use style-src 'self' and style-src-attr 'unsafe-inline'.",
              "the strict profile and style-src 'unsafe-inline'"),
    _csp_rule(15, "csp-frame-src-broad", (L, I, I),
              "Dashboard URL tiles are iframes; a wildcard frame source lets an editor embed "
              "any page.",
              "List the tile origins in frame-src.",
              "frame-src or child-src is a wildcard (or https: in strict)"),
)  # fmt: skip

RULES: tuple[Rule, ...] = (
    *CSP_RULES,
    Rule(
        id=HSTS_SHORT,
        title="hsts-max-age-short",
        severities=levels(M, M, I),
        rationale="Below about six months (15552000 s) the HTTP Observatory fails HSTS and "
        "browsers forget the HTTPS pin soon after a visit.",
        remediation="Raise HSTS max-age to at least 15552000 (quoted, e.g. '31536000').",
        reference="S9",
        trigger="0 < max-age < 15552000, where the profile does not judge max-age itself",
    ),
    Rule(
        id=HSTS_MALFORMED,
        title="hsts-malformed",
        severities=levels(M, M, L),
        rationale="With max-age at or below 0 and includeSubDomains true, some releases send "
        "an invalid header (includeSubDomains without max-age, or max-age=-1).",
        remediation="Turn HSTS on with a positive max-age, or set includeSubDomains to false "
        "as well.",
        reference="S18",
        trigger="includeSubDomains is true and max-age is 0 or negative",
    ),
    Rule(
        id=SHARING_EMBED_BLOCKED,
        title="sharing-embed-blocked",
        severities=levels(I, I, I),
        rationale="Public share links are meant to be embedded in other sites, which "
        "frame-ancestors 'none' forbids: sharing is on but embedding cannot work.",
        remediation="Turn sharing off, or list the embedding origins in frame-ancestors.",
        reference="S17",
        trigger="sharing.enabled is true (Optimize's default) and frame-ancestors is 'none'",
    ),
)


def check_csp(ctx: RuleContext) -> Iterator[Hit]:
    """OH-CSP-001 … 015: analyse the policy in force (Optimize's default when absent)."""
    value = ctx.value(CSP)
    if not value.known:
        return  # from a variable without default: nothing to analyse here
    text = value.value if isinstance(value.value, str) else None
    issues = analyse_csp(
        text,
        serves_https=ctx.serves_https,
        http_only=ctx.http_only,
        strict=ctx.judge_context.strict,
    )
    where = "" if value.present else " (Optimize's default policy)"
    for issue in issues:
        yield Hit(issue.code, CSP, f"Content-Security-Policy{where}: {issue.message}")


def check_hsts(ctx: RuleContext) -> Iterator[Hit]:
    """OH-HDR-002 and OH-HDR-004: short and malformed HSTS."""
    max_age = as_int(ctx.value(HSTS_MAX_AGE))
    if max_age is None:
        return
    judged = covering_setting(HSTS_MAX_AGE, ctx, Compare.AT_LEAST)
    if judged is None and 0 < max_age < OBSERVATORY_MIN_MAX_AGE:
        yield Hit(HSTS_SHORT, HSTS_MAX_AGE, f"HSTS max-age is below {OBSERVATORY_MIN_MAX_AGE}")
    if max_age <= 0 and truthy(ctx.value(HSTS_SUBDOMAINS), default=False):
        yield Hit(
            HSTS_MALFORMED,
            HSTS_SUBDOMAINS,
            "includeSubDomains is true while HSTS max-age is 0 or negative",
        )


def check_sharing(ctx: RuleContext) -> Iterator[Hit]:
    """OH-SHR-002: sharing on while the CSP forbids every embedding."""
    if not truthy(ctx.value(SHARING), default=False):
        return
    value = ctx.value(CSP)
    if not value.known or not isinstance(value.value, str):
        return
    ancestors = parse_csp(value.value).directives.get("frame-ancestors")
    if ancestors is not None and [token.lower() for token in ancestors] == ["'none'"]:
        yield Hit(
            SHARING_EMBED_BLOCKED,
            SHARING,
            "sharing is on but frame-ancestors 'none' blocks every embedded share",
        )


CHECKS = (check_csp, check_hsts, check_sharing)
