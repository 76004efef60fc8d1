"""One bounded exchange with a service: a TLS handshake, an HTTP request, a raw ClientHello.

Every socket gets the time left until the run's deadline as its timeout, so no exchange outlives
``--timeout``. Redirects are never followed (``http.client`` does not), and a caller adds
credentials only to a request on a connection whose certificate and host name were verified:
``Exchange.verified`` says so, and ``request`` refuses otherwise.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import socket
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_BODY = 64 * 1024
OLD_PROTOCOLS = frozenset({"SSLv3", "TLSv1", "TLSv1.1"})


class Deadline:
    """The run's end; ``left()`` is the timeout for the next socket operation."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return max(self.end - time.monotonic(), 0.001)

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.end


@dataclass(frozen=True)
class Exchange:
    """What one request gave: a status and headers, or why there was none.

    ``failure`` is one of ``refused``, ``timeout``, ``unverified``, ``tls`` (another handshake
    failure), ``error``; ``reason`` says more, never holding a secret.
    """

    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    protocol: str | None = None
    verified: bool = False
    failure: str | None = None
    reason: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    def headers_named(self, name: str) -> list[str]:
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


def context(
    cafiles: tuple[str, ...] = (), *, check_hostname: bool = True, verify: bool = True
) -> ssl.SSLContext:
    """A client context: the given CAs (or the system's, which honours SSL_CERT_FILE)."""
    ctx = ssl.create_default_context()
    if cafiles:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        for cafile in cafiles:
            ctx.load_verify_locations(cafile=cafile)
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.check_hostname = check_hostname
    return ctx


def is_verified(ctx: ssl.SSLContext | None) -> bool:
    return ctx is not None and ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


def request(
    host: str,
    port: int,
    path: str,
    deadline: Deadline,
    *,
    ctx: ssl.SSLContext | None,
    credentials: tuple[str, str] | None = None,
) -> Exchange:
    """``GET path``; over TLS when ``ctx`` is given. Credentials only with a verifying ``ctx``."""
    if credentials is not None and not is_verified(ctx):
        raise ValueError("credentials are only sent over a verified TLS connection")
    conn: http.client.HTTPConnection
    if ctx is not None:
        conn = http.client.HTTPSConnection(host, port, timeout=deadline.left(), context=ctx)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=deadline.left())
    headers = {"User-Agent": "optimize-harden-doctor", "Accept": "*/*", "Connection": "close"}
    if credentials is not None:
        token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    try:
        conn.connect()
        protocol = conn.sock.version() if isinstance(conn.sock, ssl.SSLSocket) else None
        conn.sock.settimeout(deadline.left())
        conn.request("GET", path or "/", headers=headers)
        conn.sock.settimeout(deadline.left())
        response = conn.getresponse()
        response.read(MAX_BODY)
        return Exchange(
            status=response.status,
            headers=tuple(response.getheaders()),
            protocol=protocol,
            verified=is_verified(ctx),
        )
    except ssl.SSLCertVerificationError as exc:
        return Exchange(failure="unverified", reason=exc.verify_message or exc.reason or "")
    except ssl.SSLError as exc:
        return Exchange(failure="tls", reason=exc.reason or str(exc))
    except ConnectionRefusedError:
        return Exchange(failure="refused", reason="connection refused")
    except TimeoutError:
        return Exchange(failure="timeout", reason="no answer in time")
    except (OSError, http.client.HTTPException) as exc:
        return Exchange(failure="error", reason=type(exc).__name__)
    finally:
        conn.close()


def answers_hello_with_http(host: str, port: int, deadline: Deadline) -> bool:
    """Send a real TLS ClientHello and tell whether the reply is plain HTTP (#55403)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    hello = ssl.create_default_context()
    hello.check_hostname = False
    hello.verify_mode = ssl.CERT_NONE
    tls = hello.wrap_bio(incoming, outgoing, server_hostname=host)
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.do_handshake()
    payload = outgoing.read()
    try:
        with socket.create_connection((host, port), timeout=deadline.left()) as sock:
            sock.settimeout(deadline.left())
            sock.sendall(payload)
            sock.settimeout(deadline.left())
            reply = sock.recv(16)
    except OSError:
        return False
    return reply.startswith(b"HTTP/")


def old_protocol(host: str, port: int, deadline: Deadline) -> str | None:
    """The protocol a server that refused a modern handshake speaks, when it is one older than
    TLS 1.2 (asked with every check off: nothing is sent on this connection)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        try:
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError):
            return None
    try:
        with socket.create_connection((host, port), timeout=deadline.left()) as raw:
            raw.settimeout(deadline.left())
            with ctx.wrap_socket(raw, server_hostname=host) as sock:
                version = sock.version()
    except OSError:
        return None
    return version if version in OLD_PROTOCOLS else None


def port_open(host: str, port: int, deadline: Deadline) -> bool:
    """Whether a TCP connection to the port succeeds before the deadline."""
    try:
        with socket.create_connection((host, port), timeout=deadline.left()):
            return True
    except OSError:
        return False
