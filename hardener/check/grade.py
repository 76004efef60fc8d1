"""Predict the HTTP Observatory grade an Optimize deployment would get, from its config alone.

Operators judge a hardening tool by the letter a public scanner gives them, so the tool should
predict it and explain it before anyone scans. We simulate the response headers Optimize would
send (it can only emit a few, see ``model_from_config``) and score them with the MDN Observatory
algorithm: start at 100, add each test's modifier, count bonus points only when the penalties
alone leave 90 or more, clamp at 0, and map the score rounded down to a multiple of 5 to a
letter.

Pure functions only; values come from ``model.View``, which resolves them as Optimize does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hardener.csp import (
    SCRIPT_DIRECTIVES,
    Policy,
    broad_sources,
    has_nonce_or_hash,
    honoured_sources,
    parse_csp,
    unsafe_script_sources,
)
from hardener.model import View

__all__ = [
    "Grade",
    "HeaderModel",
    "TestResult",
    "grade_config",
    "grade_headers",
    "model_from_config",
]

#: The Observatory's "six months" for HSTS (slightly under, since many sites use this value).
HSTS_MIN_MAX_AGE = 15_552_000

# Optimize's own defaults for the keys that shape its response headers.
DEFAULT_HTTP_PORT = 8090
DEFAULT_HTTPS_PORT = 8091
DEFAULT_HSTS_MAX_AGE = 63_072_000
DEFAULT_CSP = "base-uri 'self'"

_NONE_ONLY = frozenset({"'none'"})
_INTEGER = re.compile(r"[+-]?\d+")
_PASSIVE_DIRECTIVES = ("img-src", "media-src")
_CLEAR_TEXT = ("http:", "ftp:")

_CHART = (
    (100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"),
    (60, "C+"), (50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"),
)  # fmt: skip


@dataclass(frozen=True)
class HeaderModel:
    """The security-relevant parts of a response Optimize would send."""

    csp: str | None
    hsts_max_age: int | None  # None when no HSTS header would be sent
    hsts_include_subdomains: bool
    nosniff: bool
    cookie_secure: bool
    cookie_samesite: bool
    http_listener: bool
    https_listener: bool
    self_signed_certificate: bool = False


@dataclass(frozen=True)
class TestResult:
    """One Observatory test: its name, score modifier and a one-line reason."""

    __test__ = False  # not a pytest test class, despite the name

    test: str
    modifier: int
    reason: str


@dataclass(frozen=True)
class Grade:
    """The final score, its letter, and every test that produced it."""

    score: int
    letter: str
    results: tuple[TestResult, ...]


# --- simulating the response from the config ------------------------------------------------


def _lookup(view: View, path: str, default: object) -> object:
    """What Optimize holds at a dotted path; ``default`` when it is unset or unknowable (a
    variable without a default decides it)."""
    seen = view.get(tuple(path.split(".")))
    if not seen.known or seen.origin == "unset":
        return default
    return seen.value


def _as_bool(value: object, default: bool) -> bool:
    """YAML booleans as is, "true"/"false" strings coerced; anything else keeps the default."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return default


def _as_int(value: object, default: int | None) -> int | None:
    """Integers and numeric strings; null or empty means "off"; other junk keeps the default."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return default


def _as_csp(value: object) -> str | None:
    """Optimize drops the header when the configured string is empty."""
    text = "" if value is None else str(value).strip()
    return text or None


def _flag(config: View, path: str, default: bool) -> bool:
    return _as_bool(_lookup(config, path, default), default)


def _number(config: View, path: str, default: int) -> int | None:
    return _as_int(_lookup(config, path, default), default)


_HEADERS = "security.responseHeaders."
_COOKIE = "security.auth.cookie."


def model_from_config(config: View | Mapping[str, Any], target: str = "c7") -> HeaderModel:
    """Simulate Optimize's response headers from what it holds (``model.View``) or a config.

    The auth cookie's ``secure: auto`` sets Secure only on HTTPS requests; with the HTTP port
    open we assume some users arrive over HTTP and get a cookie without it. HSTS is only sent
    on the HTTPS connector and only for a positive max-age.
    """
    if not isinstance(config, View):
        config = View(config, target)
    http = _number(config, "container.ports.http", DEFAULT_HTTP_PORT)
    https = _number(config, "container.ports.https", DEFAULT_HTTPS_PORT)
    max_age = _number(config, _HEADERS + "HSTS.max-age", DEFAULT_HSTS_MAX_AGE)
    secure = str(_lookup(config, _COOKIE + "secure", "auto")).strip().lower()
    sends_hsts = https is not None and max_age is not None and max_age > 0
    return HeaderModel(
        csp=_as_csp(_lookup(config, _HEADERS + "Content-Security-Policy", DEFAULT_CSP)),
        hsts_max_age=max_age if sends_hsts else None,
        hsts_include_subdomains=_flag(config, _HEADERS + "HSTS.includeSubDomains", True),
        nosniff=_flag(config, _HEADERS + "X-Content-Type-Options", True),
        cookie_secure=secure == "true" or (secure not in {"true", "false"} and http is None),
        cookie_samesite=_flag(config, _COOKIE + "same-site.enabled", True),
        http_listener=http is not None,
        https_listener=https is not None,
    )


# --- the Observatory tests ------------------------------------------------------------------


@dataclass(frozen=True)
class _CspView:
    """The source sets the Observatory's CSP test looks at, lower-cased, after fallback.

    A missing script-src/object-src/style-src (and no default-src) counts as ``*``, because
    that is what the browser then allows; an empty source list means ``'none'``.
    """

    script: frozenset[str]
    objects: frozenset[str]
    style: frozenset[str]
    default: frozenset[str] | None
    active: frozenset[str]
    passive: frozenset[str]
    bad_strict_dynamic: bool
    https_site: bool


def _sources(policy: Policy, directive: str, *, scripts: bool = False) -> frozenset[str]:
    tokens = policy.effective(directive)
    if tokens is None:
        return frozenset({"*"})
    return honoured_sources(tokens, scripts=scripts) or frozenset({"'none'"})


def _csp_view(policy: Policy, https_site: bool) -> _CspView:
    """Collect the sets once so each grading row stays a one-line predicate."""
    # Every script directive in force counts: script-src-elem 'unsafe-inline' runs inline
    # <script> whatever script-src says. Injected <style> blocks obey style-src-elem likewise.
    script = frozenset().union(*(_sources(policy, d, scripts=True) for d in SCRIPT_DIRECTIVES))
    raw_script = [t for d in SCRIPT_DIRECTIVES for t in policy.effective(d) or ()]
    default = policy.directives.get("default-src")
    return _CspView(
        script=script,
        objects=_sources(policy, "object-src"),
        style=_sources(policy, "style-src") | _sources(policy, "style-src-elem"),
        default=None if default is None else _sources(policy, "default-src"),
        active=script | _tokens(policy, lambda name: name not in _ACTIVE_EXEMPT),
        passive=frozenset().union(*(_sources(policy, d) for d in _PASSIVE_DIRECTIVES)),
        bad_strict_dynamic="'strict-dynamic'" in _lower(raw_script)
        and not has_nonce_or_hash(raw_script),
        https_site=https_site,
    )


_ACTIVE_EXEMPT = frozenset({*_PASSIVE_DIRECTIVES, "script-src"})


def _tokens(policy: Policy, wanted: Callable[[str], bool]) -> frozenset[str]:
    return frozenset(
        t.lower() for name, toks in policy.directives.items() if wanted(name) for t in toks
    )


def _lower(tokens: Iterable[str]) -> frozenset[str]:
    return frozenset(token.lower() for token in tokens)


def _clear_text(sources: Iterable[str]) -> bool:
    return any(source.startswith(_CLEAR_TEXT) for source in sources)


# (predicate, modifier, passes, reason); the first matching row wins, as in the Observatory.
_CspRow = tuple[Callable[[_CspView], bool], int, bool, str]
_CSP_ROWS: tuple[_CspRow, ...] = (
    (lambda v: v.bad_strict_dynamic, -25, False, "'strict-dynamic' without a nonce or hash"),
    (lambda v: bool(unsafe_script_sources(v.script) or broad_sources(v.objects)), -20, False,
     "scripts or plugins may come from inline code, data: or any host"),
    (lambda v: v.https_site and _clear_text(v.active), -20, False,
     "active content may load over http: or ftp:"),
    (lambda v: "'unsafe-eval'" in v.script | v.style, -10, False, "'unsafe-eval' is allowed"),
    (lambda v: v.https_site and _clear_text(v.passive), -10, True,
     "images or media may load over http: or ftp:"),
    (lambda v: bool(unsafe_script_sources(v.style)), 0, True,
     "only style sources are inline or broad"),
    (lambda v: v.default == _NONE_ONLY, 10, True, "default-src 'none' and no unsafe sources"),
    (lambda v: True, 5, True, "no unsafe sources"),
)  # fmt: skip


def _csp_result(model: HeaderModel) -> TestResult:
    """Grade the CSP as a real header (so frame-ancestors counts); first matching row wins.

    Several comma-separated policies are graded on their merged view (see ``csp.Policy``),
    which is never stricter than what the browser enforces.
    """
    test = "content-security-policy"
    policy = parse_csp(model.csp or "")
    if not policy.directives:
        return TestResult(test, -25, "no Content-Security-Policy header")
    if policy.too_short or policy.duplicates:
        return TestResult(test, -25, "unparsable: a policy is too short or repeats a directive")
    view = _csp_view(policy, https_site=model.https_listener)
    _, modifier, passes, reason = next(row for row in _CSP_ROWS if row[0](view))
    if passes and policy.repeated_reporting:
        return TestResult(test, 0, f"{reason}, but report-uri/report-to is repeated")
    return TestResult(test, modifier, reason)


def _hsts_result(model: HeaderModel) -> TestResult:
    """Browsers ignore HSTS without valid HTTPS, so a self-signed certificate fails the test."""
    test = "strict-transport-security"
    if not model.https_listener:
        return TestResult(test, -20, "no HTTPS listener, so no HSTS")
    if model.self_signed_certificate:
        return TestResult(test, -20, "the certificate is not trusted, so HSTS does not count")
    if model.hsts_max_age is None:
        return TestResult(test, -20, "no Strict-Transport-Security header")
    if model.hsts_max_age < HSTS_MIN_MAX_AGE:
        return TestResult(test, -10, f"HSTS max-age {model.hsts_max_age} is under six months")
    return TestResult(test, 0, f"HSTS max-age {model.hsts_max_age} is at least six months")


def _frame_result(model: HeaderModel) -> TestResult:
    """Optimize never sends X-Frame-Options; the scanner credits frame-ancestors instead,
    whatever its value."""
    if "frame-ancestors" in parse_csp(model.csp or "").directives:
        return TestResult("x-frame-options", 5, "CSP frame-ancestors controls framing")
    return TestResult("x-frame-options", -20, "neither X-Frame-Options nor frame-ancestors")


def _nosniff_result(model: HeaderModel) -> TestResult:
    if model.nosniff:
        return TestResult("x-content-type-options", 0, "X-Content-Type-Options: nosniff")
    return TestResult("x-content-type-options", -5, "X-Content-Type-Options is not sent")


def _cookie_result(model: HeaderModel, hsts: TestResult) -> TestResult:
    """X-Optimize-Authorization is always set and HttpOnly; its name does not contain "sess"
    or "login", so the scanner does not treat it as a session cookie (no -40/-10 rows)."""
    if not model.cookie_secure and hsts.modifier >= 0:
        return TestResult("cookies", -5, "auth cookie lacks Secure, but HSTS protects it")
    if not model.cookie_secure:
        return TestResult("cookies", -20, "auth cookie lacks Secure and HSTS does not pass")
    if model.cookie_samesite:
        return TestResult("cookies", 5, "auth cookie is Secure, HttpOnly and SameSite")
    return TestResult("cookies", 0, "auth cookie is Secure and HttpOnly but lacks SameSite")


def _redirection_result(model: HeaderModel) -> TestResult:
    """Optimize's HTTP connector serves the app instead of redirecting to HTTPS."""
    if model.http_listener:
        return TestResult("redirection", -20, "plain HTTP is served without a redirect")
    return TestResult("redirection", 0, "no plain-HTTP listener")


# Tests Optimize cannot influence: it sends no such header, or serves only same-origin scripts.
_FIXED_RESULTS = (
    TestResult("referrer-policy", 0, "Referrer-Policy is not sent (add it at a proxy)"),
    TestResult("cross-origin-resource-policy", 0, "CORP is not sent (add it at a proxy)"),
    TestResult("cors", 0, "no permissive CORS headers"),
    TestResult("subresource-integrity", 0, "scripts are same-origin only"),
)


def _score(results: Iterable[TestResult]) -> int:
    """Bonus points count only when the penalties alone leave at least 90; never below 0."""
    modifiers = [result.modifier for result in results]
    uncurved = 100 + sum(m for m in modifiers if m < 0)
    score = 100 + sum(modifiers) if uncurved >= 90 else uncurved
    return max(score, 0)


def _letter(score: int) -> str:
    """Round down to a multiple of 5, cap at 100, read the chart."""
    bucket = min(score - score % 5, 100)
    return next((letter for floor, letter in _CHART if bucket >= floor), "F")


def grade_headers(model: HeaderModel) -> Grade:
    """Score a simulated response with the Observatory's tests and curve."""
    hsts = _hsts_result(model)
    results = (
        _csp_result(model),
        hsts,
        _frame_result(model),
        _nosniff_result(model),
        _cookie_result(model, hsts),
        _redirection_result(model),
        *_FIXED_RESULTS,
    )
    score = _score(results)
    return Grade(score=score, letter=_letter(score), results=results)


def grade_config(config: View | Mapping[str, Any], target: str = "c7") -> Grade:
    """Grade what Optimize would send when started with ``config``."""
    return grade_headers(model_from_config(config, target))
