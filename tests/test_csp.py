"""Tests for hardener.csp: parsing, fallback, and every OH-CSP rule (one failing, one passing)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardener.csp import CspIssue, Policy, analyse_csp, honoured_sources, parse_csp

STRICT = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' https://fonts.camunda.io; connect-src 'self'; "
    "frame-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'; manifest-src 'self'; upgrade-insecure-requests"
)
STANDARD = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; font-src 'self' https://fonts.camunda.io; "
    "connect-src 'self'; frame-src 'self' https:; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'; upgrade-insecure-requests"
)
DEV = STANDARD.removesuffix("; upgrade-insecure-requests")

# A small policy that passes every check; cases below change one directive at a time.
GOOD = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'self'",
    "form-action": "'self'",
    "base-uri": "'self'",
}


def good(**changes: str | None) -> str:
    """GOOD with directives replaced (``frame_ancestors="*"``) or dropped (``=None``)."""
    directives = dict(GOOD)
    for key, value in changes.items():
        name = key.replace("_", "-")
        if value is None:
            directives.pop(name)
        else:
            directives[name] = value
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def codes(text: str | None, **flags: bool) -> list[str]:
    options = {"serves_https": True, "http_only": False, "strict": False} | flags
    return [issue.code for issue in analyse_csp(text, **options)]


# --- profiles -------------------------------------------------------------------------------


def test_good_baseline_is_clean() -> None:
    assert codes(good()) == []


def test_strict_profile_policy_has_no_issues() -> None:
    assert codes(STRICT, serves_https=True, http_only=False, strict=True) == []


def test_standard_profile_policy_has_no_issues() -> None:
    assert codes(STANDARD, serves_https=True, http_only=False, strict=False) == []


def test_dev_profile_policy_has_no_issues_over_plain_http() -> None:
    assert codes(DEV, serves_https=True, http_only=True, strict=False) == []


def test_standard_policy_is_not_strict_enough_for_strict() -> None:
    assert codes(STANDARD, strict=True) == ["OH-CSP-014", "OH-CSP-015"]


def test_optimize_default_policy() -> None:
    assert codes("base-uri 'self'") == ["OH-CSP-002", "OH-CSP-005", "OH-CSP-006", "OH-CSP-009"]


# --- every rule: a failing and a passing input ----------------------------------------------

CASES = [
    # OH-CSP-001 missing or empty: nothing else is reported
    pytest.param(None, {}, ["OH-CSP-001"], id="001-none"),
    pytest.param("", {}, ["OH-CSP-001"], id="001-empty"),
    pytest.param("  ;  ", {}, ["OH-CSP-001"], id="001-only-separators"),
    pytest.param(good(), {}, [], id="001-present"),
    # OH-CSP-002 no script restriction
    pytest.param(good(default_src=None, script_src=None), {}, ["OH-CSP-002"], id="002-none"),
    pytest.param(good(default_src=None), {}, [], id="002-script-src-only"),
    pytest.param(good(script_src=None), {}, [], id="002-default-src-only"),
    # OH-CSP-003 unsafe script source
    pytest.param(good(script_src="'self' 'unsafe-inline'"), {}, ["OH-CSP-003"], id="003-inline"),
    pytest.param(good(script_src="'self' data:"), {}, ["OH-CSP-003"], id="003-data"),
    pytest.param(good(script_src="'self' *"), {}, ["OH-CSP-003"], id="003-star"),
    pytest.param(good(script_src="'self' https:"), {}, ["OH-CSP-003"], id="003-https-scheme"),
    pytest.param(good(script_src="'self' https://*"), {}, ["OH-CSP-003"], id="003-https-star"),
    pytest.param(
        good(script_src="'self' http:"), {}, ["OH-CSP-003", "OH-CSP-010"], id="003-http-scheme"
    ),
    pytest.param(
        good(script_src=None, default_src="'self' 'unsafe-inline'"),
        {},
        ["OH-CSP-003"],
        id="003-via-default-src",
    ),
    pytest.param(
        good(script_src="'self' 'strict-dynamic'"),
        {},
        ["OH-CSP-003", "OH-CSP-013"],  # and 'self' is ignored, so the bundles break
        id="003-strict-dynamic-without-nonce",
    ),
    pytest.param(good(script_src="'self' https://cdn.example.com"), {}, [], id="003-host"),
    pytest.param(
        good(script_src="'self' 'nonce-abc' 'unsafe-inline'"), {}, [], id="003-nonce-voids-inline"
    ),
    pytest.param(
        good(script_src="'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'"),
        {},
        ["OH-CSP-013"],  # safe, but Optimize's bundles carry no nonce
        id="003-nonce-strict-dynamic",
    ),
    # OH-CSP-004 unsafe-eval
    pytest.param(good(script_src="'self' 'unsafe-eval'"), {}, ["OH-CSP-004"], id="004-script"),
    pytest.param(good(style_src="'self' 'unsafe-eval'"), {}, ["OH-CSP-004"], id="004-style"),
    pytest.param(
        good(script_src=None, style_src=None, default_src="'self' 'unsafe-eval'"),
        {},
        ["OH-CSP-004"],  # reported once for the shared default-src
        id="004-default-src",
    ),
    pytest.param(good(script_src="'self' 'wasm-unsafe-eval'"), {}, [], id="004-wasm-only"),
    # OH-CSP-005 object-src missing-effective or broad
    pytest.param(good(default_src=None, object_src=None), {}, ["OH-CSP-005"], id="005-missing"),
    pytest.param(good(object_src="*"), {}, ["OH-CSP-005"], id="005-star"),
    pytest.param(good(object_src="https:"), {}, ["OH-CSP-005"], id="005-https"),
    pytest.param(good(object_src=None), {}, [], id="005-default-src-covers"),
    # OH-CSP-006 no frame-ancestors (default-src does not cover it)
    pytest.param(good(frame_ancestors=None), {}, ["OH-CSP-006"], id="006-missing"),
    pytest.param(good(frame_ancestors="'none'"), {}, [], id="006-none"),
    # OH-CSP-007 frame-ancestors wildcard
    pytest.param(good(frame_ancestors="*"), {}, ["OH-CSP-007"], id="007-star"),
    pytest.param(good(frame_ancestors="'self' https:"), {}, ["OH-CSP-007"], id="007-https"),
    pytest.param(good(frame_ancestors="http:"), {}, ["OH-CSP-007", "OH-CSP-010"], id="007-http"),
    pytest.param(good(frame_ancestors="'self' https://portal.example.com"), {}, [], id="007-list"),
    # OH-CSP-008 base-uri missing or broad
    pytest.param(good(base_uri=None), {}, ["OH-CSP-008"], id="008-missing"),
    pytest.param(good(base_uri="*"), {}, ["OH-CSP-008"], id="008-star"),
    pytest.param(good(base_uri="data:"), {}, ["OH-CSP-008"], id="008-data"),
    pytest.param(good(base_uri="'none'"), {}, [], id="008-none"),
    # OH-CSP-009 form-action missing (or a wildcard, which is the same)
    pytest.param(good(form_action=None), {}, ["OH-CSP-009"], id="009-missing"),
    pytest.param(good(form_action="*"), {}, ["OH-CSP-009"], id="009-star"),
    pytest.param(good(form_action="'self' https://idp.example.com"), {}, [], id="009-explicit"),
    # OH-CSP-010 clear-text sources on an HTTPS site
    pytest.param(
        good(img_src="'self' data: http://cdn.example.com"), {}, ["OH-CSP-010"], id="010-http"
    ),
    pytest.param(good(connect_src="'self' ws://x.example"), {}, ["OH-CSP-010"], id="010-ws"),
    pytest.param(good(font_src="ftp://x.example"), {}, ["OH-CSP-010"], id="010-ftp"),
    pytest.param(
        good(img_src="'self' data: http://cdn.example.com"),
        {"serves_https": False},
        [],
        id="010-no-https",
    ),
    pytest.param(good(connect_src="'self' wss://x.example"), {}, [], id="010-wss"),
    # OH-CSP-011 upgrade-insecure-requests on HTTP only
    pytest.param(
        good(upgrade_insecure_requests=""), {"http_only": True}, ["OH-CSP-011"], id="011-http"
    ),
    pytest.param(good(upgrade_insecure_requests=""), {}, [], id="011-https"),
    pytest.param(good(), {"http_only": True}, [], id="011-absent"),
    # OH-CSP-012 invalid
    pytest.param(good() + ", frame-ancestors 'none'", {}, ["OH-CSP-012"], id="012-comma"),
    pytest.param(good() + "; script-src *", {}, ["OH-CSP-012"], id="012-duplicate"),
    pytest.param(good() + ",", {}, ["OH-CSP-012", "OH-CSP-012"], id="012-empty-policy"),
    pytest.param(good() + "; 'self'", {}, ["OH-CSP-012"], id="012-no-directive-name"),
    pytest.param(good(img_src="\u2018self\u2019 data:"), {}, ["OH-CSP-012"], id="012-quotes"),
    pytest.param(good(script_src="'self"), {}, ["OH-CSP-012", "OH-CSP-013"], id="012-unbalanced"),
    pytest.param(
        "a 'x'",
        {},
        ["OH-CSP-002", "OH-CSP-005", "OH-CSP-006", "OH-CSP-008", "OH-CSP-009", "OH-CSP-012"],
        id="012-too-short",
    ),
    pytest.param(good() + "; report-uri /a; report-uri /b", {}, [], id="012-report-uri-twice"),
    pytest.param(good() + " ;", {}, [], id="012-trailing-semicolon"),
    # OH-CSP-013 breaks the UI
    pytest.param(good(img_src="'self'"), {}, ["OH-CSP-013"], id="013-img-no-data"),
    pytest.param(good(connect_src="'none'"), {}, ["OH-CSP-013"], id="013-connect-none"),
    pytest.param(
        good(script_src="https://cdn.example.com"), {}, ["OH-CSP-013"], id="013-script-no-self"
    ),
    pytest.param(
        good(img_src=None, default_src="'self'"), {}, ["OH-CSP-013"], id="013-img-via-default"
    ),
    pytest.param(
        good(default_src=None, img_src=None, connect_src=None),
        {},
        [],
        id="013-no-restriction",
    ),
    pytest.param(good(connect_src="*"), {}, [], id="013-star-includes-self"),
    # OH-CSP-014 inline style in strict
    pytest.param(
        good(style_src="'self' 'unsafe-inline'"), {"strict": True}, ["OH-CSP-014"], id="014"
    ),
    pytest.param(good(style_src="'self' 'unsafe-inline'"), {}, [], id="014-not-strict"),
    pytest.param(good(style_src_attr="'unsafe-inline'"), {"strict": True}, [], id="014-attr-only"),
    pytest.param(
        good(style_src="'self' 'nonce-abc' 'unsafe-inline'"),
        {"strict": True},
        [],
        id="014-nonce",
    ),
    # OH-CSP-015 broad frame sources
    pytest.param(good(frame_src="*"), {}, ["OH-CSP-015"], id="015-frame-star"),
    pytest.param(good(child_src="*"), {}, ["OH-CSP-015"], id="015-child-star"),
    pytest.param(good(frame_src="https:"), {"strict": True}, ["OH-CSP-015"], id="015-strict"),
    pytest.param(good(frame_src="'self' https:"), {}, [], id="015-https-standard"),
    pytest.param(good(frame_src="https://tiles.example.com"), {"strict": True}, [], id="015-list"),
]


@pytest.mark.parametrize(("text", "flags", "expected"), CASES)
def test_rule(text: str | None, flags: dict[str, bool], expected: list[str]) -> None:
    assert codes(text, **flags) == expected


def test_every_rule_has_a_failing_case() -> None:
    failing = {code for case in CASES for code in case.values[2]}
    assert failing == {f"OH-CSP-{n:03d}" for n in range(1, 16)}


def test_issues_are_sorted_and_name_the_directive() -> None:
    issues = analyse_csp(
        good(script_src="'self' 'unsafe-inline'", frame_ancestors="*"),
        serves_https=True,
        http_only=False,
        strict=False,
    )
    assert issues == sorted(issues)
    assert issues[0] == CspIssue("OH-CSP-003", issues[0].message)
    assert "script-src" in issues[0].message and "'unsafe-inline'" in issues[0].message
    assert "frame-ancestors" in issues[1].message and "*" in issues[1].message
    assert all("\n" not in issue.message for issue in issues)


# --- parsing --------------------------------------------------------------------------------


def test_parse_is_case_insensitive_and_tolerates_whitespace() -> None:
    policy = parse_csp("  Default-SRC   'self' ;\tSCRIPT-src 'self'  'UNSAFE-inline' ;;  ;")
    assert dict(policy.directives) == {
        "default-src": ("'self'",),
        "script-src": ("'self'", "'UNSAFE-inline'"),
    }
    assert policy.duplicates == ()
    assert not policy.has_comma
    assert policy.malformed == ()


def test_keyword_matching_ignores_case() -> None:
    assert codes(good(script_src="'SELF' 'Unsafe-Inline'")) == ["OH-CSP-003"]


def test_duplicates_keep_the_first_occurrence() -> None:
    policy = parse_csp("script-src 'self'; img-src data:; SCRIPT-SRC *; img-src *")
    assert policy.directives["script-src"] == ("'self'",)
    assert policy.duplicates == ("script-src", "img-src")


def test_repeated_reporting_directives_are_not_duplicates() -> None:
    policy = parse_csp("default-src 'self'; report-uri /a; report-uri /b")
    assert policy.duplicates == ()
    assert policy.repeated_reporting == ("report-uri",)


def test_comma_separated_policies_are_merged_first_wins() -> None:
    policy = parse_csp("script-src 'self', script-src 'none'; frame-ancestors 'none'")
    assert policy.has_comma
    assert policy.duplicates == ()  # repeats across policies are legal
    assert dict(policy.directives) == {
        "script-src": ("'self'",),
        "frame-ancestors": ("'none'",),
    }


def test_empty_source_list_is_kept_empty() -> None:
    assert parse_csp("default-src; img-src 'self'").directives["default-src"] == ()


def test_too_short_is_per_policy() -> None:
    assert parse_csp("a").too_short
    assert parse_csp("img-src 'self', a").too_short
    assert not parse_csp("img-sr").too_short


@pytest.mark.parametrize(
    ("text", "directive", "expected"),
    [
        ("default-src 'self'", "img-src", ("'self'",)),
        ("default-src 'self'", "SCRIPT-SRC", ("'self'",)),
        ("default-src 'self'; object-src 'none'", "object-src", ("'none'",)),
        ("default-src 'self'", "frame-src", ("'self'",)),
        ("default-src 'self'; child-src a.example", "frame-src", ("a.example",)),
        ("default-src 'self'; frame-src b.example", "frame-src", ("b.example",)),
        ("default-src 'self'; script-src 'none'", "script-src-elem", ("'none'",)),
        ("default-src 'self'", "script-src-attr", ("'self'",)),
        ("default-src 'self'; style-src 'none'", "style-src-attr", ("'none'",)),
        ("default-src 'self'; child-src c.example", "worker-src", ("c.example",)),
        ("script-src 'self'", "img-src", None),
        ("script-src 'self'", "frame-src", None),
        ("default-src 'self'", "frame-ancestors", None),  # never falls back
        ("default-src 'self'", "base-uri", None),
        ("default-src 'self'", "form-action", None),
    ],
)
def test_effective_fallback(text: str, directive: str, expected: tuple[str, ...] | None) -> None:
    assert parse_csp(text).effective(directive) == expected


def test_honoured_sources_follow_csp3() -> None:
    assert honoured_sources(["'self'", "'unsafe-inline'"], scripts=False) == {
        "'self'",
        "'unsafe-inline'",
    }
    assert honoured_sources(["'self'", "'nonce-a'", "'unsafe-inline'"], scripts=False) == {
        "'self'",
        "'nonce-a'",
    }
    assert honoured_sources(
        ["'strict-dynamic'", "'nonce-a'", "https:", "'self'"], scripts=True
    ) == {
        "'strict-dynamic'",
        "'nonce-a'",
    }


@given(st.text(max_size=200))
def test_parse_never_raises(text: str) -> None:
    assert isinstance(parse_csp(text), Policy)
    analyse_csp(text, serves_https=True, http_only=False, strict=True)
