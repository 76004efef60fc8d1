"""The live checks: which services the config (or ``--url``) names, and probing them at once.

Only hosts the config or ``--url`` name are contacted. Each target runs in a daemon thread of
its own and every socket's timeout is the time left until one shared deadline, so the whole run
ends within ``--timeout`` plus thread start-up; a target still busy then is reported as not
answering, and its thread (bounded by the same deadline) cannot keep the process alive.
Credentials go only over connections whose certificate and host name were verified.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hardener.check.grade import HeaderModel, grade_headers, model_from_config
from hardener.check.rules import doctor as R
from hardener.doctor import tls
from hardener.doctor.files import Problem, as_text, ca_locations, db_sections, find_file
from hardener.model import View
from hardener.yaml import DocPath

Progress = Callable[[str, int], None]
"""Called with (target name, number of problems) as each target finishes."""

ISSUE_55403 = "camunda/camunda#55403"


@dataclass(frozen=True)
class Target:
    """One service to probe: a name for people, the key it comes from, and the probe."""

    name: str
    path: DocPath
    probe: Callable[[tls.Deadline], list[Problem]]


def probe_all(
    targets: list[Target], timeout: float, on_progress: Progress | None = None
) -> list[Problem]:
    """Run every target's probe concurrently; all of it ends by ``timeout`` seconds (+0.1)."""
    deadline = tls.Deadline(timeout)
    results: dict[int, list[Problem]] = {}
    lock = threading.Lock()
    closed = threading.Event()  # set once the run is over: a late result is dropped

    def run(index: int, target: Target) -> None:
        try:
            found = target.probe(deadline)
        except Exception as exc:  # noqa: BLE001 - one target's failure must not end the run
            found = [Problem(R.UNREACHABLE, target.path, f"{target.name}: {type(exc).__name__}")]
        with lock:
            if closed.is_set():
                return
            results[index] = found
            if on_progress is not None:
                on_progress(target.name, len(found))

    threads = [
        threading.Thread(target=run, args=(i, t), daemon=True, name=f"doctor-{i}")
        for i, t in enumerate(targets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline.end - _now(), 0) + 0.1)
    problems: list[Problem] = []
    with lock:
        closed.set()
        for index, target in enumerate(targets):
            if index not in results:
                late = f"{target.name}: no answer in {timeout:g} s"
                results[index] = [Problem(R.UNREACHABLE, target.path, late)]
                if on_progress is not None:
                    on_progress(target.name, 1)
            problems.extend(results[index])
    return problems


def _now() -> float:
    import time

    return time.monotonic()


def _failed(
    name: str, path: DocPath, exchange: tls.Exchange, host: str, port: int, deadline: tls.Deadline
) -> Problem:
    """A failed exchange; a handshake failure is asked again for an old protocol."""
    if exchange.failure == "tls":
        old = tls.old_protocol(host, port, deadline)
        if old is not None:
            return Problem(R.TLS_OLD_PROTOCOL, path, f"{name}: the server only speaks {old}")
    return _failure(name, path, exchange)


def _failure(name: str, path: DocPath, exchange: tls.Exchange) -> Problem:
    if exchange.failure == "unverified":
        return Problem(
            R.TLS_UNVERIFIED, path, f"{name}: certificate not accepted ({exchange.reason})"
        )
    if exchange.failure == "tls":
        return Problem(R.TLS_UNVERIFIED, path, f"{name}: TLS handshake failed ({exchange.reason})")
    return Problem(R.UNREACHABLE, path, f"{name}: {exchange.reason}")


def _protocol(name: str, path: DocPath, exchange: tls.Exchange) -> list[Problem]:
    if exchange.protocol in tls.OLD_PROTOCOLS:
        return [Problem(R.TLS_OLD_PROTOCOL, path, f"{name}: negotiated {exchange.protocol}")]
    return []


# --- Elasticsearch / OpenSearch -------------------------------------------------------------


def database_targets(view: View, config_file: Path) -> Iterator[Target]:
    for section in db_sections(view):
        nodes = view.get((section, "connection", "nodes"))
        if not nodes.known or not isinstance(nodes.value, list):
            continue
        ssl_on = _flag(view, (section, "security", "ssl", "enabled"), False)
        self_signed = _flag(view, (section, "security", "ssl", "selfSigned"), False)
        skip_host = _flag(view, (section, "connection", "skipHostnameVerification"), False)
        cafiles = tuple(
            str(found)
            for _, location in ca_locations(view, section)
            if (found := find_file(location, config_file)) is not None
        )
        user = as_text(view.get((section, "security", "username")).value)
        password = view.get((section, "security", "password")).value
        for index, node in enumerate(nodes.value):
            if not isinstance(node, dict):
                continue
            host, port = as_text(node.get("host")), _port(node.get("httpPort"))
            if host is None or port is None:
                continue
            path: DocPath = (section, "connection", "nodes", index)
            scheme = "https" if ssl_on else "http"
            ctx = None
            if ssl_on:
                verify = not (self_signed and not cafiles)
                ctx = tls.context(cafiles, check_hostname=not skip_host, verify=verify)
            creds = (user, str(password)) if user is not None and password is not None else None
            yield Target(
                f"{section} {scheme}://{host}:{port}",
                path,
                _database_probe(f"{section} node {host}:{port}", path, host, port, ctx, creds),
            )


def _database_probe(
    name: str,
    path: DocPath,
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    creds: tuple[str, str] | None,
) -> Callable[[tls.Deadline], list[Problem]]:

    def probe(deadline: tls.Deadline) -> list[Problem]:
        anonymous = tls.request(host, port, "/", deadline, ctx=context)
        if anonymous.failure is not None:
            return [_failed(name, path, anonymous, host, port, deadline)]
        found = _protocol(name, path, anonymous)
        if anonymous.status is not None and 200 <= anonymous.status < 300:
            found.append(
                Problem(
                    R.DB_ANONYMOUS, path, f"{name}: anonymous GET / answered {anonymous.status}"
                )
            )
        if creds is None:
            return found
        if not tls.is_verified(context):
            found.append(
                Problem(
                    R.TLS_UNVERIFIED,
                    path,
                    f"{name}: the connection is not TLS-verified (as configured); the "
                    "credentials were not sent",
                )
            )
            return found
        signed = tls.request(host, port, "/", deadline, ctx=context, credentials=creds)
        if signed.failure is not None:
            found.append(_failure(name, path, signed))
        elif signed.status in (401, 403):
            found.append(
                Problem(
                    R.CREDENTIALS_REJECTED, path, f"{name}: credentials rejected ({signed.status})"
                )
            )
        return found

    return probe


# --- Camunda 7 engines ----------------------------------------------------------------------


def engine_targets(view: View) -> Iterator[Target]:
    if view.target != "c7":
        return
    engines = view.merged.get("engines")
    if not isinstance(engines, dict):
        return
    for alias in engines:
        rest_path: DocPath = ("engines", alias, "rest")
        rest = as_text(view.get(rest_path).value)
        if rest is None:
            continue
        parts = urlsplit(rest)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        enabled = _flag(view, ("engines", alias, "authentication", "enabled"), False)
        user = as_text(view.get(("engines", alias, "authentication", "user")).value)
        password = view.get(("engines", alias, "authentication", "password")).value
        creds = (user, str(password)) if enabled and user and password is not None else None
        ctx = tls.context() if parts.scheme == "https" else None
        port = parts.port or (443 if parts.scheme == "https" else 80)
        yield Target(
            f"engine {alias} {rest}",
            rest_path,
            _engine_probe(
                f"engine {alias}", rest_path, parts.hostname, port,
                parts.path.rstrip("/") + "/engine", ctx, creds,
            ),
        )  # fmt: skip


def _engine_probe(
    name: str,
    path: DocPath,
    host: str,
    port: int,
    url_path: str,
    context: ssl.SSLContext | None,
    creds: tuple[str, str] | None,
) -> Callable[[tls.Deadline], list[Problem]]:

    def probe(deadline: tls.Deadline) -> list[Problem]:
        anonymous = tls.request(host, port, url_path, deadline, ctx=context)
        if anonymous.failure is not None:
            return [_failed(name, path, anonymous, host, port, deadline)]
        found = _protocol(name, path, anonymous)
        if anonymous.status != 401:
            found.append(
                Problem(
                    R.ENGINE_ANONYMOUS,
                    path,
                    f"{name}: anonymous GET {url_path} answered {anonymous.status}, not 401",
                )
            )
        if creds is not None and tls.is_verified(context):
            signed = tls.request(host, port, url_path, deadline, ctx=context, credentials=creds)
            if signed.failure is not None:
                found.append(_failure(name, path, signed))
            elif signed.status in (401, 403):
                found.append(
                    Problem(
                        R.CREDENTIALS_REJECTED,
                        path,
                        f"{name}: credentials rejected ({signed.status})",
                    )
                )
        return found

    return probe


# --- identity and JWKS ----------------------------------------------------------------------

_IDENTITY_URLS: tuple[DocPath, ...] = (
    ("security", "auth", "ccsm", "issuerUrl"),
    ("security", "auth", "ccsm", "issuerBackendUrl"),
    ("api", "jwtSetUri"),
)


def identity_targets(view: View) -> Iterator[Target]:
    for path in _IDENTITY_URLS:
        url = as_text(view.get(path).value)
        if url is None:
            continue
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            continue  # plain http is check's finding; nothing verified to learn here
        host, port = parts.hostname, parts.port or 443
        name = ".".join(str(p) for p in path)

        def probe(
            deadline: tls.Deadline, host: str = host, port: int = port, name: str = name,
            path: DocPath = path, target: str = parts.path or "/",
        ) -> list[Problem]:  # fmt: skip
            exchange = tls.request(host, port, target, deadline, ctx=tls.context())
            if exchange.failure is not None:
                return [_failed(name, path, exchange, host, port, deadline)]
            return _protocol(name, path, exchange)

        yield Target(f"{name} {url}", path, probe)


# --- the running Optimize (--url) -----------------------------------------------------------


def optimize_targets(view: View, url: str, optimize_version: str | None) -> Iterator[Target]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    https_port = _port(view.get(("container", "ports", "https")).value)
    http_port = _port(view.get(("container", "ports", "http")).value)
    actuator = _port(view.get(("container", "ports", "actuator")).value)
    if parts.scheme == "https":
        https_port = parts.port or 443
    elif parts.scheme == "http" and parts.port is not None:
        http_port = parts.port
    path = parts.path or "/"
    if https_port is not None:
        yield Target(
            f"optimize https://{host}:{https_port}",
            ("container", "ports", "https"),
            _https_probe(view, host, https_port, path, optimize_version),
        )
    if http_port is not None:
        yield Target(
            f"optimize http://{host}:{http_port}",
            ("container", "ports", "http"),
            _http_probe(host, http_port, path),
        )
    if actuator is not None:
        where: DocPath = ("container", "ports", "actuator")

        def actuator_probe(deadline: tls.Deadline) -> list[Problem]:
            if tls.port_open(host, actuator, deadline):
                return [
                    Problem(R.ACTUATOR_REACHABLE, where, f"actuator port {host}:{actuator} answers")
                ]
            return []

        yield Target(f"optimize actuator {host}:{actuator}", where, actuator_probe)


def _https_probe(
    view: View, host: str, port: int, path: str, version: str | None
) -> Callable[[tls.Deadline], list[Problem]]:
    where: DocPath = ("container", "ports", "https")
    name = f"Optimize https://{host}:{port}"

    def probe(deadline: tls.Deadline) -> list[Problem]:
        exchange = tls.request(host, port, path, deadline, ctx=tls.context())
        if exchange.failure == "tls" and tls.answers_hello_with_http(host, port, deadline):
            affected = f" (Optimize {version})" if version else ""
            return [
                Problem(
                    R.PLAIN_HTTP_ON_HTTPS,
                    where,
                    f"{name}{affected} answers a TLS ClientHello with plain HTTP ({ISSUE_55403})",
                )
            ]
        if exchange.failure is not None:
            return [_failed(name, where, exchange, host, port, deadline)]
        return _protocol(name, where, exchange) + header_problems(view, exchange)

    return probe


def _http_probe(host: str, port: int, path: str) -> Callable[[tls.Deadline], list[Problem]]:
    where: DocPath = ("container", "ports", "http")
    name = f"Optimize http://{host}:{port}"

    def probe(deadline: tls.Deadline) -> list[Problem]:
        exchange = tls.request(host, port, path, deadline, ctx=None)
        if exchange.failure is not None:
            return []  # closed (or filtered): what it should be
        location = exchange.header("Location") or ""
        target = urlsplit(location)
        redirects = (
            exchange.status in (301, 302, 303, 307, 308)
            and target.scheme == "https"
            and (target.hostname or "").lower() == host.lower()
        )
        if redirects:
            return []
        return [
            Problem(
                R.HTTP_PORT_SERVES,
                where,
                f"{name} answered {exchange.status} without redirecting to https on {host}",
            )
        ]

    return probe


def header_problems(view: View, exchange: tls.Exchange) -> list[Problem]:
    """The observed security headers against the config, and the grade they earn."""
    expected = model_from_config(view, view.target)
    headers: DocPath = ("security", "responseHeaders")
    found: list[Problem] = []
    hsts = exchange.header("Strict-Transport-Security")
    max_age, subdomains = _parse_hsts(hsts)
    if max_age != expected.hsts_max_age:
        found.append(
            Problem(
                R.HEADER_MISMATCH,
                (*headers, "HSTS", "max-age"),
                f"HSTS max-age observed {max_age}, configured {expected.hsts_max_age}",
            )
        )
    elif max_age is not None and subdomains != expected.hsts_include_subdomains:
        found.append(
            Problem(
                R.HEADER_MISMATCH,
                (*headers, "HSTS", "includeSubDomains"),
                f"HSTS includeSubDomains observed {subdomains}, configured "
                f"{expected.hsts_include_subdomains}",
            )
        )
    csp = exchange.header("Content-Security-Policy")
    if (csp or None) != (expected.csp or None):
        state = "missing" if csp is None else "different"
        found.append(
            Problem(
                R.HEADER_MISMATCH,
                (*headers, "Content-Security-Policy"),
                f"Content-Security-Policy {state} from the configured one",
            )
        )
    nosniff = (exchange.header("X-Content-Type-Options") or "").strip().lower() == "nosniff"
    if nosniff != expected.nosniff:
        found.append(
            Problem(
                R.HEADER_MISMATCH,
                (*headers, "X-Content-Type-Options"),
                f"X-Content-Type-Options: nosniff observed {nosniff}, "
                f"configured {expected.nosniff}",
            )
        )
    xss = exchange.header("X-XSS-Protection")
    if xss is not None and xss.strip() != "0":
        found.append(
            Problem(R.HEADER_MISMATCH, headers, f"X-XSS-Protection is {xss.strip()!r}, not '0'")
        )
    observed = HeaderModel(
        csp=csp,
        hsts_max_age=max_age,
        hsts_include_subdomains=subdomains,
        nosniff=nosniff,
        cookie_secure=expected.cookie_secure,
        cookie_samesite=expected.cookie_samesite,
        http_listener=expected.http_listener,
        https_listener=expected.https_listener,
    )
    predicted, seen = grade_headers(expected), grade_headers(observed)
    if predicted.letter != seen.letter:
        found.append(
            Problem(
                R.GRADE_MISMATCH,
                headers,
                f"observed header grade {seen.letter} ({seen.score}), predicted "
                f"{predicted.letter} ({predicted.score})",
            )
        )
    return found


def _parse_hsts(value: str | None) -> tuple[int | None, bool]:
    if value is None:
        return None, False
    max_age: int | None = None
    subdomains = False
    for part in value.split(";"):
        name, _, arg = part.strip().partition("=")
        if name.lower() == "max-age" and arg.strip().strip('"').isdigit():
            max_age = int(arg.strip().strip('"'))
        elif name.lower() == "includesubdomains":
            subdomains = True
    if max_age == 0:
        return None, subdomains  # max-age=0 is no pin, as the model says
    return max_age, subdomains


def _flag(view: View, path: DocPath, default: bool) -> bool:
    seen = view.get(path)
    value = seen.value if seen.known else None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return default


def _port(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 65536 else None
    if isinstance(value, str) and value.strip().isdigit():
        return _port(int(value.strip()))
    return None
