"""Tests for hardener.check.grade: the config-to-headers model and the Observatory scoring."""

from __future__ import annotations

import dataclasses

import pytest

from hardener.check.grade import (
    Grade,
    HeaderModel,
    _letter,
    grade_config,
    grade_headers,
    model_from_config,
)

STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' https://fonts.camunda.io; connect-src 'self'; "
    "frame-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'; manifest-src 'self'; upgrade-insecure-requests"
)
STANDARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; font-src 'self' https://fonts.camunda.io; "
    "connect-src 'self'; frame-src 'self' https:; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'; upgrade-insecure-requests"
)
DEV_CSP = STANDARD_CSP.removesuffix("; upgrade-insecure-requests")

OPTIMIZE_DEFAULTS_SPELLED_OUT = {
    "container": {"ports": {"http": 8090, "https": 8091}},
    "security": {
        "responseHeaders": {
            "HSTS": {"max-age": 63072000, "includeSubDomains": True},
            "X-Content-Type-Options": True,
            "Content-Security-Policy": "base-uri 'self'",
        },
        "auth": {"cookie": {"same-site": {"enabled": True}, "secure": "auto"}},
    },
}

STRICT_CONFIG = {
    "container": {"host": "127.0.0.1", "ports": {"http": None, "https": 8091}},
    "security": {
        "responseHeaders": {
            "HSTS": {"max-age": "63072000", "includeSubDomains": True},
            "X-XSS-Protection": "0",
            "X-Content-Type-Options": True,
            "Content-Security-Policy": STRICT_CSP,
        },
        "auth": {"cookie": {"same-site": {"enabled": True}, "secure": True}},
    },
}

STANDARD_CONFIG = {
    "container": {"ports": {"http": None, "https": 8091}},
    "security": {
        "responseHeaders": {
            "HSTS": {"max-age": "31536000", "includeSubDomains": True},
            "X-XSS-Protection": "0",
            "X-Content-Type-Options": True,
            "Content-Security-Policy": STANDARD_CSP,
        },
        "auth": {"cookie": {"same-site": {"enabled": True}, "secure": True}},
    },
}

DEV_CONFIG = {
    "container": {"host": "localhost", "ports": {"http": 8090, "https": 8091}},
    "security": {
        "responseHeaders": {
            "HSTS": {"max-age": "0", "includeSubDomains": False},
            "X-XSS-Protection": "0",
            "X-Content-Type-Options": True,
            "Content-Security-Policy": DEV_CSP,
        },
        "auth": {"cookie": {"same-site": {"enabled": True}, "secure": "auto"}},
    },
}

ALL_TESTS = [
    "content-security-policy",
    "strict-transport-security",
    "x-frame-options",
    "x-content-type-options",
    "cookies",
    "redirection",
    "referrer-policy",
    "cross-origin-resource-policy",
    "cors",
    "subresource-integrity",
]


def nonzero(grade: Grade) -> dict[str, int]:
    return {result.test: result.modifier for result in grade.results if result.modifier}


def modifier(grade: Grade, test: str) -> int:
    return next(result.modifier for result in grade.results if result.test == test)


def headers(config: dict[str, object]) -> dict[str, object]:
    """A config with only ``security.responseHeaders`` set."""
    return {"security": {"responseHeaders": config}}


# --- worked examples ------------------------------------------------------------------------


@pytest.mark.parametrize("config", [{}, OPTIMIZE_DEFAULTS_SPELLED_OUT], ids=["empty", "explicit"])
def test_optimize_defaults_grade_35_d(config: dict[str, object]) -> None:
    grade = grade_config(config)
    assert (grade.score, grade.letter) == (35, "D")
    assert nonzero(grade) == {
        "content-security-policy": -20,
        "x-frame-options": -20,
        "cookies": -5,
        "redirection": -20,
    }


def test_strict_profile_grades_120_a_plus() -> None:
    grade = grade_config(STRICT_CONFIG)
    assert (grade.score, grade.letter) == (120, "A+")
    assert nonzero(grade) == {"content-security-policy": 10, "x-frame-options": 5, "cookies": 5}


def test_standard_profile_grades_110_a_plus() -> None:
    grade = grade_config(STANDARD_CONFIG)
    assert (grade.score, grade.letter) == (110, "A+")
    assert nonzero(grade) == {"x-frame-options": 5, "cookies": 5}
    assert "style" in grade.results[0].reason  # inline style passes at 0


def test_dev_profile_as_served_grades_40_d_plus() -> None:
    grade = grade_config(DEV_CONFIG)
    assert (grade.score, grade.letter) == (40, "D+")
    assert nonzero(grade) == {
        "strict-transport-security": -20,
        "x-frame-options": 5,  # not counted: penalties leave less than 90
        "cookies": -20,
        "redirection": -20,
    }


def test_dev_profile_with_self_signed_certificate_still_40_d_plus() -> None:
    model = dataclasses.replace(model_from_config(DEV_CONFIG), self_signed_certificate=True)
    grade = grade_headers(model)
    assert (grade.score, grade.letter) == (40, "D+")
    assert modifier(grade, "strict-transport-security") == -20
    assert "certificate" in grade.results[1].reason


def test_results_cover_every_test_once() -> None:
    assert [result.test for result in grade_config({}).results] == ALL_TESTS


# --- the model ------------------------------------------------------------------------------


def test_model_of_empty_config_is_optimize_default() -> None:
    assert model_from_config({}) == HeaderModel(
        csp="base-uri 'self'",
        hsts_max_age=63072000,
        hsts_include_subdomains=True,
        nosniff=True,
        cookie_secure=False,
        cookie_samesite=True,
        http_listener=True,
        https_listener=True,
    )


def test_placeholder_default_is_evaluated() -> None:
    config = headers(
        {"HSTS": {"max-age": "${CAMUNDA_OPTIMIZE_SECURITY_RESPONSE_HEADERS_HSTS_MAX_AGE:100}"}}
    )
    assert model_from_config(config).hsts_max_age == 100
    grade = grade_config(config)
    assert modifier(grade, "strict-transport-security") == -10
    assert modifier(grade, "cookies") == -20  # HSTS no longer passes, so no -5 discount


def test_placeholder_without_default_takes_optimize_default() -> None:
    config = headers(
        {"HSTS": {"max-age": "${CAMUNDA_OPTIMIZE_SECURITY_RESPONSE_HEADERS_HSTS_MAX_AGE}"}}
    )
    assert model_from_config(config).hsts_max_age == 63072000


@pytest.mark.parametrize("value", [None, "", "${PORT:null}", "${PORT:NULL}", "${PORT:~}", "${P:}"])
def test_http_port_off(value: object) -> None:
    model = model_from_config({"container": {"ports": {"http": value}}})
    assert not model.http_listener
    assert model.cookie_secure  # secure: auto, and nobody arrives over HTTP


@pytest.mark.parametrize("value", [8090, "8090", "${PORT:8090}", "${PORT}"])
def test_http_port_on(value: object) -> None:
    assert model_from_config({"container": {"ports": {"http": value}}}).http_listener


def test_https_port_null_means_no_https_and_no_hsts() -> None:
    model = model_from_config({"container": {"ports": {"https": None}}})
    assert (model.https_listener, model.hsts_max_age) == (False, None)
    assert grade_headers(model).results[1].modifier == -20


@pytest.mark.parametrize(
    ("max_age", "expected"),
    [("31536000", 31536000), (31536000, 31536000), ("0", None), (-1, None), (None, None)],
)
def test_hsts_sent_only_for_positive_max_age(max_age: object, expected: int | None) -> None:
    assert model_from_config(headers({"HSTS": {"max-age": max_age}})).hsts_max_age == expected


@pytest.mark.parametrize(
    ("secure", "http", "expected"),
    [
        ("auto", 8090, False),
        ("auto", None, True),
        (True, 8090, True),
        ("true", 8090, True),
        (False, None, False),
        ("false", None, False),
        ("${COOKIE_SECURE:true}", 8090, True),
    ],
)
def test_cookie_secure(secure: object, http: object, expected: bool) -> None:
    config = {
        "container": {"ports": {"http": http}},
        "security": {"auth": {"cookie": {"secure": secure}}},
    }
    assert model_from_config(config).cookie_secure is expected


def test_string_booleans_are_coerced() -> None:
    config = {
        "security": {
            "responseHeaders": {
                "X-Content-Type-Options": "false",
                "HSTS": {"includeSubDomains": "FALSE"},
            },
            "auth": {"cookie": {"same-site": {"enabled": "false"}}},
        }
    }
    model = model_from_config(config)
    assert (model.nosniff, model.hsts_include_subdomains, model.cookie_samesite) == (
        False,
        False,
        False,
    )
    assert modifier(grade_headers(model), "x-content-type-options") == -5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        (None, None),
        ("  default-src 'self'  ", "default-src 'self'"),
        ("${CSP:default-src 'none'}", "default-src 'none'"),
        ("default-src 'self' ${EXTRA:https://x.example}", "default-src 'self' https://x.example"),
        ("${CSP}", "base-uri 'self'"),
    ],
)
def test_csp_value(value: object, expected: str | None) -> None:
    config = headers({"Content-Security-Policy": value})
    assert model_from_config(config).csp == expected


# --- the tests and the curve ----------------------------------------------------------------

SECURE = HeaderModel(
    csp=STRICT_CSP,
    hsts_max_age=63072000,
    hsts_include_subdomains=True,
    nosniff=True,
    cookie_secure=True,
    cookie_samesite=True,
    http_listener=False,
    https_listener=True,
)


@pytest.mark.parametrize(
    ("csp", "expected"),
    [
        (None, -25),
        ("a 'x'", -25),
        ("script-src 'self'; script-src 'none'", -25),
        ("default-src 'self'; script-src 'self' 'strict-dynamic'", -25),
        ("base-uri 'self'", -20),
        ("default-src 'self'; script-src 'self' 'unsafe-inline'", -20),
        ("default-src 'self'; script-src 'self' data:", -20),
        ("default-src 'self'; object-src *", -20),
        ("default-src 'self'; connect-src http://api.example.com", -20),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", -10),
        ("default-src 'self'; img-src http://img.example.com", -10),
        ("default-src 'self'; style-src 'self' 'unsafe-inline'", 0),
        ("default-src 'self'; report-uri /a; report-uri /b", 0),
        ("default-src 'self'; script-src 'self' 'nonce-a' 'unsafe-inline'", 5),
        ("default-src 'self'", 5),
        ("default-src 'self', script-src 'self'", 5),
        ("default-src 'none'; script-src 'self'", 10),
        ("default-src 'none'; script-src 'nonce-a' 'strict-dynamic' https: 'unsafe-inline'", 10),
        ("DEFAULT-SRC 'NONE'", 10),
    ],
)
def test_csp_modifier(csp: str | None, expected: int) -> None:
    grade = grade_headers(dataclasses.replace(SECURE, csp=csp))
    assert grade.results[0].modifier == expected


def test_clear_text_images_pass_on_http_only_site() -> None:
    model = dataclasses.replace(
        SECURE, csp="default-src 'self'; img-src http://img.example.com", https_listener=False
    )
    assert grade_headers(model).results[0].modifier == 5


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, 0),
        ({"hsts_max_age": 15552000}, 0),
        ({"hsts_max_age": 15551999}, -10),
        ({"hsts_max_age": None}, -20),
        ({"https_listener": False}, -20),
        ({"self_signed_certificate": True}, -20),
    ],
)
def test_hsts_modifier(changes: dict[str, object], expected: int) -> None:
    grade = grade_headers(dataclasses.replace(SECURE, **changes))
    assert modifier(grade, "strict-transport-security") == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, 5),
        ({"cookie_samesite": False}, 0),
        ({"cookie_secure": False}, -5),
        ({"cookie_secure": False, "hsts_max_age": 100}, -20),
        ({"cookie_secure": False, "hsts_max_age": None}, -20),
    ],
)
def test_cookie_modifier(changes: dict[str, object], expected: int) -> None:
    assert modifier(grade_headers(dataclasses.replace(SECURE, **changes)), "cookies") == expected


@pytest.mark.parametrize(
    ("csp", "expected"), [("frame-ancestors *", 5), ("default-src 'self'", -20), (None, -20)]
)
def test_frame_ancestors_any_value_earns_x_frame_options_credit(
    csp: str | None, expected: int
) -> None:
    assert modifier(grade_headers(dataclasses.replace(SECURE, csp=csp)), "x-frame-options") == (
        expected
    )


def test_redirection_penalises_plain_http() -> None:
    model = dataclasses.replace(SECURE, http_listener=True)
    assert modifier(grade_headers(model), "redirection") == -20
    assert modifier(grade_headers(SECURE), "redirection") == 0


def test_extra_credit_counts_when_penalties_leave_exactly_90() -> None:
    grade = grade_headers(dataclasses.replace(SECURE, hsts_max_age=100))
    # HSTS -10 leaves 90, so CSP +10, frame-ancestors +5 and cookie +5 all count
    assert (grade.score, grade.letter) == (110, "A+")


def test_extra_credit_ignored_below_90() -> None:
    grade = grade_headers(dataclasses.replace(SECURE, hsts_max_age=100, nosniff=False))
    # HSTS -10 and nosniff -5 leave 85; the +20 of bonuses is dropped
    assert (grade.score, grade.letter) == (85, "A-")


def test_score_clamps_at_zero() -> None:
    worst = HeaderModel(
        csp=None,
        hsts_max_age=None,
        hsts_include_subdomains=False,
        nosniff=False,
        cookie_secure=False,
        cookie_samesite=False,
        http_listener=True,
        https_listener=False,
    )
    grade = grade_headers(worst)
    assert sum(result.modifier for result in grade.results) == -110
    assert (grade.score, grade.letter) == (0, "F")


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        (130, "A+"), (100, "A+"), (99, "A"), (95, "A"), (90, "A"), (85, "A-"), (80, "B+"),
        (75, "B"), (70, "B"), (65, "B-"), (60, "C+"), (55, "C"), (50, "C"), (45, "C-"),
        (44, "D+"), (40, "D+"), (35, "D"), (30, "D"), (29, "D-"), (25, "D-"), (24, "F"), (0, "F"),
    ],
)  # fmt: skip
def test_letter_chart(score: int, letter: str) -> None:
    assert _letter(score) == letter
