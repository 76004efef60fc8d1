"""Real certificates and real servers on 127.0.0.1 for the doctor tests.

Certificates are made with ``cryptography``; TLS is served by ``openssl s_server`` (a server we
did not write) and by ``ssl``-wrapped ``http.server`` servers that behave like Elasticsearch,
an engine REST API and Optimize. Nothing binds anywhere but 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = dt.datetime.now(dt.UTC)
OPENSSL = "/usr/bin/openssl" if Path("/usr/bin/openssl").exists() else shutil.which("openssl")
KEYTOOL = shutil.which("keytool")
WAIT = 10.0  # the longest any helper waits for a server to come up


def need_keytool() -> str:
    """keytool's path; a visible skip without it, but a failure on CI, which must run these."""
    if KEYTOOL is None:
        if os.environ.get("CI"):
            pytest.fail("keytool is required on CI (install a JDK 17)")
        pytest.skip("keytool not on PATH: the JKS and keytool tests need a JDK")
    return KEYTOOL


# --- certificates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    key: object
    cert: x509.Certificate

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        key = self.key
        assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write(self, directory: Path, name: str) -> tuple[Path, Path]:
        cert, key = directory / f"{name}.crt", directory / f"{name}.key"
        cert.write_bytes(self.cert_pem())
        key.write_bytes(self.key_pem())
        return cert, key


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_ca() -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("doctor test CA"))
        .issuer_name(_name("doctor test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def make_cert(
    ca: Issued | None,
    *,
    hosts: Sequence[str] = ("localhost", "127.0.0.1"),
    days: float = 365,
    expired: bool = False,
    digest: hashes.HashAlgorithm | None = None,
    rsa_bits: int | None = None,
    eku: Sequence[x509.ObjectIdentifier] = (ExtendedKeyUsageOID.SERVER_AUTH,),
) -> Issued:
    """A server certificate issued by ``ca`` (self-signed when ``ca`` is None)."""
    key: object = (
        rsa.generate_private_key(public_exponent=65537, key_size=rsa_bits)
        if rsa_bits
        else ec.generate_private_key(ec.SECP256R1())
    )
    assert isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    start = NOW - dt.timedelta(days=30 if expired else 1)
    end = NOW - dt.timedelta(days=1) if expired else NOW + dt.timedelta(days=days)
    names: list[x509.GeneralName] = []
    for host in hosts:
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            names.append(x509.DNSName(host))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(hosts[0] if hosts else "server"))
        .issuer_name(ca.cert.subject if ca else _name(hosts[0] if hosts else "server"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    signer = ca.key if ca else key
    assert isinstance(signer, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return Issued(key, builder.sign(signer, digest or hashes.SHA256()))


def sha1_cert(ca: Issued, directory: Path) -> Issued:
    """A localhost certificate signed by ``ca`` with SHA-1, by openssl (``cryptography`` no
    longer signs with SHA-1)."""
    if OPENSSL is None:
        pytest.skip("openssl not found")
    ca_cert, ca_key = ca.write(directory, "sha1-ca")
    key, csr, cert = directory / "sha1.key", directory / "sha1.csr", directory / "sha1.crt"
    ext = directory / "sha1.ext"
    ext.write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    for command in (
        [OPENSSL, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(csr)],
        [OPENSSL, "x509", "-req", "-sha1", "-in", str(csr), "-CA", str(ca_cert), "-CAkey",
         str(ca_key), "-CAcreateserial", "-days", "60", "-extfile", str(ext), "-out", str(cert)],
    ):  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    loaded = serialization.load_pem_private_key(key.read_bytes(), None)
    return Issued(loaded, x509.load_pem_x509_certificate(cert.read_bytes()))


def pkcs12_bytes(
    issued: Issued | None, password: str, extra: Sequence[x509.Certificate] = ()
) -> bytes:
    """A PKCS#12 keystore (key and certificate; only ``extra`` certificates when None)."""
    key = issued.key if issued else None
    assert key is None or isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return pkcs12.serialize_key_and_certificates(
        b"server",
        key,
        issued.cert if issued else None,
        list(extra) or None,
        serialization.BestAvailableEncryption(password.encode()),
    )


def keytool_convert(p12: Path, password: str, dest: Path, store_type: str = "JKS") -> Path:
    """``p12`` imported into a new keystore of ``store_type`` by keytool itself."""
    tool = need_keytool()
    done = subprocess.run(
        [tool, "-importkeystore", "-noprompt", "-srckeystore", str(p12), "-srcstoretype",
         "PKCS12", "-srcstorepass:env", "PW", "-destkeystore", str(dest), "-deststoretype",
         store_type, "-deststorepass:env", "PW", "-destkeypass:env", "PW"],
        env={**os.environ, "PW": password}, capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return dest


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


Behaviour = Callable[[str, str | None], tuple[int, list[tuple[str, str]]]]
"""(path, Authorization header) -> (status, response headers)."""


@dataclass
class Served:
    port: int
    seen_auth: list[str | None] = field(default_factory=list)


@contextmanager
def http_server(behaviour: Behaviour, ctx: ssl.SSLContext | None = None) -> Iterator[Served]:
    """A threaded HTTP(S) server on 127.0.0.1 answering GETs as ``behaviour`` says."""
    served = Served(0)

    class Handler(http.server.BaseHTTPRequestHandler):
        timeout = WAIT

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            auth = self.headers.get("Authorization")
            served.seen_auth.append(auth)
            status, headers = behaviour(self.path, auth)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ctx is not None:
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    served.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(WAIT)


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def needs_auth(user: str, password: str, ok_headers: Sequence[tuple[str, str]] = ()) -> Behaviour:
    """Elasticsearch or the engine with authentication: 401 without the right credentials."""

    def behave(path: str, auth: str | None) -> tuple[int, list[tuple[str, str]]]:
        if auth == basic(user, password):
            return 200, list(ok_headers)
        return 401, [("WWW-Authenticate", 'Basic realm="security"')]

    return behave


def always(status: int, headers: Sequence[tuple[str, str]] = ()) -> Behaviour:
    def behave(path: str, auth: str | None) -> tuple[int, list[tuple[str, str]]]:
        return status, list(headers)

    return behave


@contextmanager
def plain_http_on_tls_port() -> Iterator[int]:
    """What Optimize 8.8-8.10 did on its HTTPS port (camunda/camunda#55403): it reads whatever
    arrives and answers in plain HTTP, a ClientHello included (as Jetty answers bad input)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(WAIT)
                try:
                    data = conn.recv(4096)
                    status = "200 OK" if data.startswith(b"GET ") else "400 Bad Request"
                    head = f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n"
                    conn.sendall(head.encode() + b"\r\n")
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(WAIT)
        listener.close()


@contextmanager
def blackhole() -> Iterator[int]:
    """A listening socket that never accepts: connections complete, nothing ever answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


@contextmanager
def s_server(cert: Path, key: Path, *extra: str) -> Iterator[int]:
    """``openssl s_server -www`` (answers any GET with 200 and a status page) on 127.0.0.1."""
    if OPENSSL is None:
        pytest.skip("openssl not found")
    for _ in range(5):
        port = free_port()
        process = subprocess.Popen(
            [OPENSSL, "s_server", "-accept", f"127.0.0.1:{port}", "-cert", str(cert), "-key",
             str(key), "-www", "-quiet", *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        if _wait_listening(port, process):
            break
        process.kill()
        process.wait(WAIT)
    else:
        raise AssertionError("openssl s_server did not start")
    try:
        yield port
    finally:
        process.kill()
        process.wait(WAIT)
        if process.stderr is not None:
            process.stderr.close()


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False
