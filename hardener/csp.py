"""Parse and audit the Content-Security-Policy string Optimize sends.

Optimize has exactly one CSP setting (``security.responseHeaders.Content-Security-Policy``) and
applies it to every path: the single-page app, the REST API and the public share pages. It also
has no X-Frame-Options setting, so this string is the only place where script injection and
clickjacking can be limited from inside Optimize. The checks below encode what that means for
the OH-CSP-001 … OH-CSP-015 rules; each check is one small function whose docstring says why it
exists.

Everything here is pure: text in, values out, no I/O, and the parser never raises, because it
runs on whatever a user happened to put in their configuration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "BROAD_SOURCES",
    "SCRIPT_DIRECTIVES",
    "CspIssue",
    "Policy",
    "analyse_csp",
    "broad_sources",
    "has_nonce_or_hash",
    "honoured_sources",
    "is_broad",
    "parse_csp",
    "unsafe_script_sources",
]

#: A policy shorter than this cannot hold even one useful directive ("img-src" minus one).
MIN_POLICY_LENGTH = 6

#: Repeating these is harmless (reports go to both places), so they are not "duplicates".
REPORTING_DIRECTIVES = frozenset({"report-uri", "report-to"})

#: Sources that allow (nearly) any host, in the sense the MDN Observatory uses.
BROAD_SOURCES = frozenset(
    {"*", "http:", "https:", "ftp:", "http://*", "https://*", "http://*.*", "https://*.*"}
)

#: Sources that let an attacker run script they injected into the page (besides broad hosts).
UNSAFE_SCRIPT_SOURCES = BROAD_SOURCES | {"'unsafe-inline'", "data:"}

#: Every directive that decides which scripts run; the -elem/-attr ones override script-src for
#: <script> elements and event-handler attributes, so judging script-src alone misses them.
SCRIPT_DIRECTIVES = ("script-src", "script-src-elem", "script-src-attr")

#: Schemes that send content in clear text, so an on-path attacker can replace it.
INSECURE_SCHEMES = ("http:", "ws:", "ftp:")

_NONCE_OR_HASH = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")
_WHITESPACE = re.compile(r"[\t\n\f\r ]+")
_DIRECTIVE_NAME = re.compile(r"[a-z0-9-]+")
_SOURCE_TOKEN = re.compile(r"[\x21-\x7e]+")  # visible ASCII; ';' and ',' were split off already

# Which directive a browser consults when a fetch directive is absent (CSP Level 3).
_FALLBACKS: Mapping[str, tuple[str, ...]] = {
    "script-src-elem": ("script-src", "default-src"),
    "script-src-attr": ("script-src", "default-src"),
    "style-src-elem": ("style-src", "default-src"),
    "style-src-attr": ("style-src", "default-src"),
    "frame-src": ("child-src", "default-src"),
    "worker-src": ("child-src", "script-src", "default-src"),
    **{
        name: ("default-src",)
        for name in (
            "script-src",
            "style-src",
            "img-src",
            "font-src",
            "connect-src",
            "object-src",
            "media-src",
            "manifest-src",
            "child-src",
        )
    },
}


@dataclass(frozen=True)
class Policy:
    """A parsed policy, plus the syntax problems the parser noticed on the way.

    ``directives`` maps lower-cased names to source tokens as written (keywords keep their
    quotes). When the text holds several comma-separated policies they are merged and the first
    occurrence of a name wins: a browser enforces every policy, so the merged view is never
    stricter than what the browser does, which keeps the security checks on the safe side.
    """

    raw: str
    directives: Mapping[str, tuple[str, ...]]
    duplicates: tuple[str, ...]
    has_comma: bool
    too_short: bool = False
    malformed: tuple[str, ...] = ()
    repeated_reporting: tuple[str, ...] = ()

    def in_force(self, directive: str) -> str | None:
        """Name the directive a browser would actually use for ``directive``, if any."""
        name = directive.lower()
        chain = (name, *_FALLBACKS.get(name, ()))
        return next((candidate for candidate in chain if candidate in self.directives), None)

    def effective(self, directive: str) -> tuple[str, ...] | None:
        """Sources governing ``directive`` after fetch-directive fallback; None if unrestricted."""
        name = self.in_force(directive)
        return None if name is None else self.directives[name]


@dataclass(frozen=True, order=True)
class CspIssue:
    """One finding about a policy; sorts by code so reports are stable."""

    code: str
    message: str


def parse_csp(text: str) -> Policy:
    """Parse a CSP header value without ever raising.

    Problems are recorded on the result instead of raised, because the caller is an audit that
    wants to report every problem, not stop at the first.
    """
    text = text if isinstance(text, str) else ""
    directives: dict[str, tuple[str, ...]] = {}
    duplicates: list[str] = []
    reporting: list[str] = []
    malformed: list[str] = []
    pieces = text.split(",")
    for piece in pieces:
        seen: set[str] = set()
        for name, values in _segments(piece, malformed):
            if name in seen:
                (reporting if name in REPORTING_DIRECTIVES else duplicates).append(name)
            seen.add(name)
            directives.setdefault(name, values)
    return Policy(
        raw=text,
        directives=MappingProxyType(directives),
        duplicates=_unique(duplicates),
        has_comma=len(pieces) > 1,
        too_short=any(len(piece.strip()) < MIN_POLICY_LENGTH for piece in pieces),
        malformed=_unique(malformed),
        repeated_reporting=_unique(reporting),
    )


def _segments(piece: str, malformed: list[str]) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Yield (name, sources) per ';'-separated directive, noting bad names and tokens.

    Empty segments (a trailing ';' or ';;') are skipped, as browsers do. A segment whose first
    token is not a directive name (say a stray ``'self'``) is reported and ignored.
    """
    for segment in piece.split(";"):
        tokens = [token for token in _WHITESPACE.split(segment) if token]
        if not tokens:
            continue
        name, values = tokens[0].lower(), tuple(tokens[1:])
        if not _DIRECTIVE_NAME.fullmatch(name):
            malformed.append(tokens[0])
            continue
        malformed.extend(token for token in values if not _valid_token(token))
        yield name, values


def _valid_token(token: str) -> bool:
    """Visible ASCII only, and quotes balanced: catches curly quotes and ``'self`` typos."""
    quoted = token.startswith("'")
    return bool(_SOURCE_TOKEN.fullmatch(token)) and quoted == (token.endswith("'") and token != "'")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def honoured_sources(tokens: Iterable[str], *, scripts: bool) -> frozenset[str]:
    """Lower-cased sources a CSP3 browser really applies.

    With a nonce or hash present, ``'unsafe-inline'`` is ignored (it is only a fallback for old
    browsers). For scripts, ``'strict-dynamic'`` makes the browser ignore host and scheme
    sources, ``'self'`` and ``'unsafe-inline'``. Judging the raw list instead would flag OWASP's
    recommended nonce policy as unsafe, and miss that ``'self'`` no longer loads the bundles.
    """
    sources = frozenset(token.lower() for token in tokens)
    if has_nonce_or_hash(sources):
        sources -= {"'unsafe-inline'"}
    if scripts and "'strict-dynamic'" in sources:
        ignored = {"'self'", "'unsafe-inline'"}
        sources = frozenset(s for s in sources if s.startswith("'") and s not in ignored)
    return sources


def is_broad(source: str) -> bool:
    """True for a source that admits (nearly) any host: the MDN Observatory's broad list, a
    bare ``*`` host with any scheme or port, and a wildcard over a top-level domain (``*.com``),
    which anyone can register a host under. ``*.example.com`` is one owner's hosts, not broad.

    Plain string operations, no regex: the source is user text.
    """
    lowered = source.lower()
    if lowered in BROAD_SOURCES:
        return True
    if lowered.startswith("'"):
        return False
    _, sep, rest = lowered.partition("://")
    host = (rest if sep else lowered).partition("/")[0]
    name, colon, port = host.rpartition(":")
    if colon and (port == "*" or port.isdigit()):
        host = name
    return host == "*" or (host.startswith("*.") and "." not in host[2:])


def broad_sources(tokens: Iterable[str]) -> frozenset[str]:
    """The lower-cased sources of ``tokens`` that :func:`is_broad` calls broad."""
    return frozenset(token.lower() for token in tokens if is_broad(token))


def unsafe_script_sources(sources: Iterable[str]) -> frozenset[str]:
    """Honoured script sources that let injected markup run code: inline, data:, broad hosts."""
    lowered = frozenset(source.lower() for source in sources)
    return (lowered & UNSAFE_SCRIPT_SOURCES) | broad_sources(lowered)


def has_nonce_or_hash(sources: Iterable[str]) -> bool:
    """True when a nonce or hash source is present, which changes how browsers read the rest."""
    return any(source.lower().startswith(_NONCE_OR_HASH) for source in sources)


# --- the checks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """How Optimize is reached; some rules only matter for HTTPS, HTTP-only or strict."""

    serves_https: bool
    http_only: bool
    strict: bool


_Check = Callable[[Policy, _Context], Iterable[CspIssue]]


def _no_script_restriction(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-002: without script-src or default-src any script may run; the CSP adds nothing
    against XSS (Optimize's own default, ``base-uri 'self'``, is such a policy)."""
    if policy.effective("script-src") is None:
        yield CspIssue(
            "OH-CSP-002", "neither script-src nor default-src is set: scripts from anywhere may run"
        )


def _unsafe_script(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-003: inline script, data: URLs or wildcard hosts let injected markup run code;
    'strict-dynamic' without a nonce or hash is a policy that cannot work as intended. Every
    directive in force for scripts is judged: a browser runs an inline <script> when
    script-src-elem allows it, whatever script-src says. No restriction at all is OH-CSP-002."""
    for name in _suppliers(policy, *SCRIPT_DIRECTIVES):
        tokens = policy.directives[name]
        sources = _lower(tokens)
        if "'strict-dynamic'" in sources and not has_nonce_or_hash(sources):
            yield CspIssue("OH-CSP-003", f"{name} uses 'strict-dynamic' without a nonce or hash")
        unsafe = sorted(unsafe_script_sources(honoured_sources(tokens, scripts=True)))
        if unsafe:
            yield CspIssue("OH-CSP-003", f"{name} allows unsafe script sources: {' '.join(unsafe)}")


def _unsafe_eval(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-004: 'unsafe-eval' turns any string an attacker controls into code; Optimize's
    bundles do not need it."""
    for name in _suppliers(policy, "script-src", "style-src"):
        if "'unsafe-eval'" in _lower(policy.directives[name]):
            yield CspIssue("OH-CSP-004", f"{name} allows 'unsafe-eval'")


def _open_objects(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-005: plugin content (object/embed) can run script outside the page's script
    rules; Optimize embeds no plugins, so nothing is lost with object-src 'none'."""
    name, tokens = policy.in_force("object-src"), policy.effective("object-src")
    if tokens is None:
        yield CspIssue(
            "OH-CSP-005",
            "object-src is not restricted (no object-src or default-src); set object-src 'none'",
        )
    elif broad := sorted(broad_sources(tokens)):
        yield CspIssue("OH-CSP-005", f"{name} allows plugins from anywhere: {' '.join(broad)}")


def _no_frame_ancestors(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-006: Optimize cannot send X-Frame-Options, so frame-ancestors is the only
    clickjacking defence it has; it does not fall back to default-src."""
    if "frame-ancestors" not in policy.directives:
        yield CspIssue("OH-CSP-006", "frame-ancestors is missing: any site may frame Optimize")


def _wildcard_frame_ancestors(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-007: a wildcard ancestor list is as good as none against clickjacking."""
    broad = sorted(broad_sources(policy.directives.get("frame-ancestors", ())))
    if broad:
        yield CspIssue("OH-CSP-007", f"frame-ancestors allows any site: {' '.join(broad)}")


def _loose_base_uri(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-008: an injected <base> tag can redirect every relative script URL to an
    attacker's host; base-uri has no fallback, so it must be set explicitly."""
    tokens = policy.directives.get("base-uri")
    if tokens is None:
        yield CspIssue("OH-CSP-008", "base-uri is missing: injected <base> tags are allowed")
    elif broad := sorted(broad_sources(tokens) | (_lower(tokens) & {"data:"})):
        yield CspIssue("OH-CSP-008", f"base-uri is too broad: {' '.join(broad)}")


def _loose_form_action(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-009: without form-action an injected form can post data (even credentials the
    browser autofills) to any host; it has no fallback. A wildcard list counts as missing."""
    tokens = policy.directives.get("form-action")
    if tokens is None:
        yield CspIssue("OH-CSP-009", "form-action is missing: forms may post anywhere")
    elif broad := sorted(broad_sources(tokens)):
        yield CspIssue("OH-CSP-009", f"form-action allows any target: {' '.join(broad)}")


def _insecure_schemes(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-010: on an HTTPS page a clear-text source can be swapped on the wire, which
    undoes TLS for whatever that directive loads."""
    if not ctx.serves_https:
        return
    for name, tokens in policy.directives.items():
        plain = sorted(t for t in _lower(tokens) if t.startswith(INSECURE_SCHEMES))
        if plain:
            yield CspIssue("OH-CSP-010", f"{name} allows clear-text sources: {' '.join(plain)}")


def _upgrade_on_plain_http(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-011: upgrade-insecure-requests rewrites the app's own http:// requests to
    https://, which fails when users can only reach Optimize over plain HTTP."""
    if ctx.http_only and "upgrade-insecure-requests" in policy.directives:
        yield CspIssue("OH-CSP-011", "upgrade-insecure-requests breaks an HTTP-only deployment")


def _invalid(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-012: browsers (and graders) treat these as errors or as extra policies, so the
    policy that is enforced is not the one the operator wrote."""
    if policy.has_comma:
        yield CspIssue("OH-CSP-012", "a comma splits the value into several policies")
    if policy.too_short:
        yield CspIssue("OH-CSP-012", f"a policy is shorter than {MIN_POLICY_LENGTH} characters")
    for name in policy.duplicates:
        yield CspIssue("OH-CSP-012", f"{name} appears more than once; only the first counts")
    for token in policy.malformed:
        yield CspIssue("OH-CSP-012", f"{token!r} is not a valid directive name or source")


# Directive, the source Optimize's UI needs from it, and what fails without it.
_UI_NEEDS = (
    ("img-src", "data:", "heatmaps, drawn as data: images, disappear"),
    ("connect-src", "'self'", "API calls and the status WebSocket fail"),
    ("script-src", "'self'", "the app's own bundles are blocked"),
)


def _breaks_ui(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-013: a restriction that blocks Optimize's own resources is a broken deployment,
    and operators then tend to remove the CSP altogether. Only checked where a restriction
    exists; ``*`` is accepted in place of 'self'."""
    for directive, needed, effect in _UI_NEEDS:
        name, tokens = policy.in_force(directive), policy.effective(directive)
        if tokens is None:
            continue
        sources = honoured_sources(tokens, scripts=directive == "script-src")
        if needed not in sources and (needed == "data:" or "*" not in sources):
            yield CspIssue("OH-CSP-013", f"{name} lacks {needed}: {effect}")


def _inline_style_in_strict(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-014: the strict profile allows inline style only as attributes
    (style-src-attr); 'unsafe-inline' on style-src also admits injected <style> blocks,
    which can restyle the page or exfiltrate data through CSS selectors."""
    if not ctx.strict:
        return
    for name in _suppliers(policy, "style-src", "style-src-elem"):
        if "'unsafe-inline'" in honoured_sources(policy.directives[name], scripts=False):
            yield CspIssue("OH-CSP-014", f"{name} allows 'unsafe-inline' in the strict profile")


_FRAME_WILDCARDS = frozenset({"*", "http:", "http://*", "https://*", "http://*.*", "https://*.*"})


def _broad_frames(policy: Policy, ctx: _Context) -> Iterator[CspIssue]:
    """OH-CSP-015: external-URL dashboard tiles are iframes; a wildcard frame source lets a
    dashboard editor embed any page, and strict deployments should list tile origins."""
    wildcards = _FRAME_WILDCARDS | ({"https:"} if ctx.strict else set())
    for name in _suppliers(policy, "frame-src", "child-src"):
        tokens = policy.directives[name]
        broad = sorted((_lower(tokens) & wildcards) | (broad_sources(tokens) - {"https:"}))
        if broad:
            yield CspIssue(
                "OH-CSP-015", f"{name} lets frames load from anywhere: {' '.join(broad)}"
            )


_CHECKS: tuple[_Check, ...] = (
    _no_script_restriction,
    _unsafe_script,
    _unsafe_eval,
    _open_objects,
    _no_frame_ancestors,
    _wildcard_frame_ancestors,
    _loose_base_uri,
    _loose_form_action,
    _insecure_schemes,
    _upgrade_on_plain_http,
    _invalid,
    _breaks_ui,
    _inline_style_in_strict,
    _broad_frames,
)


def _suppliers(policy: Policy, *directives: str) -> tuple[str, ...]:
    """The distinct directives in force for ``directives``, so a shared fallback such as
    default-src is reported once rather than once per directive that falls back to it."""
    return _unique(name for d in directives if (name := policy.in_force(d)) is not None)


def _lower(tokens: Iterable[str]) -> frozenset[str]:
    return frozenset(token.lower() for token in tokens)


def analyse_csp(
    text: str | None, *, serves_https: bool, http_only: bool, strict: bool
) -> list[CspIssue]:
    """Audit a CSP value for Optimize and return the issues sorted by code.

    A missing policy yields only OH-CSP-001: listing every directive it lacks would bury the
    one fix that matters (use a profile policy).
    """
    policy = parse_csp(text or "")
    if not policy.directives and not policy.malformed:
        return [CspIssue("OH-CSP-001", "no Content-Security-Policy is configured")]
    ctx = _Context(serves_https=serves_https, http_only=http_only, strict=strict)
    return sorted(issue for check in _CHECKS for issue in check(policy, ctx))
