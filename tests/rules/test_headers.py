"""Header rules: the CSP issue by issue (OH-CSP-000 … 015), HSTS edge cases, sharing vs framing."""

from __future__ import annotations

import pytest

from hardener.check.rules.headers import CSP_RULES

from .helpers import Case, actual, expected, params, profile

STRICT_CSP = profile("strict").settings["security.responseHeaders.Content-Security-Policy"].value


def csp(policy: str, before: str = "") -> str:
    """The policy on line 3 (plus ``before`` lines first), double-quoted as YAML."""
    escaped = policy.replace("\\", "\\\\").replace('"', '\\"')
    return before + f'security:\n  responseHeaders:\n    Content-Security-Policy: "{escaped}"\n'


def strict_with(old: str, new: str) -> str:
    assert old in STRICT_CSP
    return STRICT_CSP.replace(old, new)


HTTP_ONLY = "container:\n  accessUrl: http://optimize.example.com\n"
HSTS = "security:\n  responseHeaders:\n    HSTS:\n      max-age: {}\n"

CASES = [
    Case("OH-CSP-000", csp("${OPTIMIZE_CSP}"), (3,), name="placeholder-pinned"),
    Case("OH-CSP-000", csp("${OPTIMIZE_CSP}"), profile="standard", name="not-pinned"),
    Case("OH-CSP-000", csp(STRICT_CSP), name="literal-is-audited-by-issue"),
    Case("OH-CSP-001", csp(""), (3,), name="empty"),
    Case("OH-CSP-002", csp("base-uri 'self'"), (3,), name="optimize-default"),
    Case("OH-CSP-002", "sharing:\n  enabled: false\n", (1,), name="absent"),
    Case("OH-CSP-003", csp(strict_with("script-src 'self'", "script-src 'self' 'unsafe-inline'")),
         (3,), name="unsafe-inline"),
    Case("OH-CSP-004", csp(strict_with("script-src 'self'", "script-src 'self' 'unsafe-eval'")),
         (3,), name="unsafe-eval"),
    Case("OH-CSP-005", csp(strict_with("object-src 'none'", "object-src *")), (3,), name="open"),
    Case("OH-CSP-006", csp(strict_with("frame-ancestors 'none'; ", "")), (3,), name="missing"),
    Case("OH-CSP-007", csp(strict_with("frame-ancestors 'none'", "frame-ancestors *")), (3,),
         name="wildcard"),
    Case("OH-CSP-008", csp(strict_with("base-uri 'self'; ", "")), (3,), name="missing"),
    Case("OH-CSP-009", csp(strict_with("form-action 'self'; ", "")), (3,), name="missing"),
    Case("OH-CSP-010", csp(strict_with("img-src 'self' data:", "img-src 'self' data: http:")),
         (3,), name="http-source"),
    Case("OH-CSP-010", csp(strict_with("img-src 'self' data:", "img-src 'self' data: http:")),
         profile="dev", name="not-in-dev"),
    Case("OH-CSP-011", csp(STRICT_CSP, before=HTTP_ONLY), (5,), name="http-access-url"),
    Case("OH-CSP-012", csp(STRICT_CSP + "; img-src 'self'"), (3,), name="duplicate"),
    Case("OH-CSP-013", csp(strict_with("img-src 'self' data:", "img-src 'self'")), (3,),
         name="no-data-images"),
    Case("OH-CSP-014", csp(strict_with("style-src 'self'", "style-src 'self' 'unsafe-inline'")),
         (3,), name="strict"),
    Case("OH-CSP-014", csp(strict_with("style-src 'self'", "style-src 'self' 'unsafe-inline'")),
         profile="standard", name="standard-allows-it"),
    Case("OH-CSP-015", csp(strict_with("frame-src 'none'", "frame-src *")), (3,), name="wildcard"),
    Case("OH-HDR-002", HSTS.format("'300'"), (4,), profile="dev", name="dev-short"),
    Case("OH-HDR-002", HSTS.format("'31536000'"), profile="dev", name="dev-long"),
    Case("OH-HDR-002", HSTS.format("'300'"), name="strict-reports-hdr-001"),
    Case("OH-HDR-004", HSTS.format("0"), (3,), profile="dev", name="subdomains-default-true"),
    Case("OH-HDR-004", HSTS.format("-1") + "      includeSubDomains: true\n", (5,),
         name="negative"),
    Case("OH-HDR-004", HSTS.format("0") + "      includeSubDomains: false\n", profile="dev",
         name="both-off"),
    Case("OH-SHR-002", csp(STRICT_CSP), (1,), name="sharing-default-on"),
    Case("OH-SHR-002", csp(STRICT_CSP, before="sharing:\n  enabled: true\n"), (2,),
         profile="standard", name="sharing-on"),
    Case("OH-SHR-002", csp(STRICT_CSP, before="sharing:\n  enabled: false\n"), name="off"),
    Case("OH-SHR-002", csp(strict_with("frame-ancestors 'none'", "frame-ancestors 'self'")),
         name="embeddable"),
]  # fmt: skip

# A policy meeting the strict profile triggers none of the CSP issue rules.
CASES += [Case(rule.id, csp(STRICT_CSP), name="strict-policy") for rule in CSP_RULES]


@pytest.mark.parametrize("case", params(CASES))
def test_header_rules(case: Case) -> None:
    assert actual(case) == expected(case)
