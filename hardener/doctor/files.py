"""The checks that need no network: variables, the env file, the keystore, certificates, CAs.

Where Optimize finds a file: ``ConfigurationUtil.resolvePathAsAbsoluteUrl`` (camunda/camunda,
``optimize/backend``; used by ``ConfigurationService.getContainerKeystoreLocation`` for the
Jetty and the Tomcat connector) opens ``new File(location)`` first, a path relative to the
*working directory* of the Java process, and falls back to the classpath, which holds Optimize's
``config/`` directory (and the jar, where the shipped ``keystore.jks`` lives). Optimize runs from
its home directory (``/optimize`` in the official image), the parent of ``config/``. Doctor
therefore looks for a relative path below the config file's parent's parent (Optimize's home,
when the file sits in ``config/`` as Optimize expects), then below the config file's own
directory (the classpath entry). That the working directory is Optimize's home is an assumption
about how Optimize is started (its start scripts and image do so); an absolute path avoids it.
The database CA files are resolved the same way.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardener.check.rules import doctor as R
from hardener.model import View, find_placeholders, resolve
from hardener.profiles import Severity
from hardener.yaml import Config, DocPath
from hardener.yaml.tree import walk

if TYPE_CHECKING:
    from cryptography import x509

KEYSTORE_LOCATION: DocPath = ("container", "keystore", "location")
KEYSTORE_PASSWORD: DocPath = ("container", "keystore", "password")
SHIPPED_KEYSTORE = "keystore.jks"
EXPIRY_MEDIUM_DAYS = 30
EXPIRY_HIGH_DAYS = 7
KEYTOOL_TIMEOUT = 30.0
_JKS_MAGIC = b"\xfe\xed\xfe\xed"
_SHROUDED_KEY_BAG = bytes.fromhex("060b2a864886f70d010c0a0102")  # the OID, DER-encoded
_KEY_BAG = bytes.fromhex("060b2a864886f70d010c0a0101")
_PEM_BEGIN, _PEM_END = b"-----BEGIN CERTIFICATE-----", b"-----END CERTIFICATE-----"


def pem_certificates(data: bytes) -> list[bytes]:
    """Each PEM certificate block in ``data``, found with ``find`` (a lazy regex over a file of
    unclosed BEGIN lines rescans from every one of them: quadratic)."""
    blocks: list[bytes] = []
    start = data.find(_PEM_BEGIN)
    while start >= 0:
        end = data.find(_PEM_END, start + len(_PEM_BEGIN))
        if end < 0:
            break
        blocks.append(data[start : end + len(_PEM_END)])
        start = data.find(_PEM_BEGIN, end + len(_PEM_END))
    return blocks


@dataclass(frozen=True)
class Problem:
    """One thing doctor found: a rule, the key it is about, a message without secrets.

    ``severity`` overrides the rule's severity at the profile level (a certificate expiring
    within 7 days); ``file`` names a file other than the config (the env file).
    """

    rule: str
    path: DocPath
    message: str
    severity: Severity | None = None
    file: str | None = None


# --- variables and the env file -------------------------------------------------------------


def variable_problems(config: Config, env: Mapping[str, str]) -> Iterator[Problem]:
    """A placeholder without default whose variable is not given, or given empty."""
    seen: set[str] = set()
    for path, value in walk(config.data):
        if not isinstance(value, str):
            continue
        # The model's resolution says what is missing (a list re-read from a variable included)
        for name in resolve(value, env).missing:
            if name not in seen:
                seen.add(name)
                yield Problem(R.PLACEHOLDER_UNSET, path, f"${{{name}}} has no value")
        for match in find_placeholders(value):
            if match.default is None and env.get(match.name) == "" and match.name not in seen:
                seen.add(match.name)
                yield Problem(R.PLACEHOLDER_EMPTY, path, f"${{{match.name}}} is empty")


def env_file_problems(env_file: Path) -> Iterator[Problem]:
    mode = stat.S_IMODE(env_file.stat().st_mode)
    if mode & 0o077:
        yield Problem(
            R.ENV_FILE_READABLE,
            (),
            f"{env_file.name} is mode {mode:04o}: group or others can read its secrets",
            file=str(env_file),
        )


# --- where Optimize finds a file ------------------------------------------------------------


def candidates(location: str, config_file: Path) -> tuple[Path, ...]:
    """The places Optimize would open ``location`` from, in its order (see the module doc)."""
    path = Path(location)
    if path.is_absolute():
        return (path,)
    config_dir = config_file.resolve().parent
    return (config_dir.parent / path, config_dir / path)


def find_file(location: str, config_file: Path) -> Path | None:
    return next((p for p in candidates(location, config_file) if p.is_file()), None)


# --- the keystore ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Keystore:
    """What a keystore holds: the number of private keys and the first key's chain."""

    keys: int
    chain: tuple[x509.Certificate, ...]


def keystore_problems(
    view: View, config_file: Path, hosts: tuple[str, ...], now: dt.datetime, level: str
) -> Iterator[Problem]:
    location = view.get(KEYSTORE_LOCATION)
    password = view.get(KEYSTORE_PASSWORD)
    if not location.known or not isinstance(location.value, str) or not password.known:
        return  # a missing variable is its own finding
    found = find_file(location.value, config_file)
    if found is None:
        if location.value != SHIPPED_KEYSTORE:  # the shipped one is inside the jar (OH-KS-003)
            places = ", ".join(str(p) for p in candidates(location.value, config_file))
            yield Problem(R.KEYSTORE_MISSING, KEYSTORE_LOCATION, f"keystore not found ({places})")
        return
    secret = "" if password.value is None else str(password.value)
    data = found.read_bytes()
    if data.startswith(_JKS_MAGIC):
        opened = _open_with_keytool(found, secret, "JKS")
        if opened is None:
            yield Problem(
                R.JKS_NOT_READ,
                KEYSTORE_LOCATION,
                f"{found.name} is JKS and keytool is not on PATH: cannot open JKS here; "
                "convert to PKCS#12",
            )
            return
    else:
        opened = _open_pkcs12(data, secret)
    if isinstance(opened, str):
        yield Problem(R.KEYSTORE_UNOPENED, KEYSTORE_LOCATION, f"{found.name}: {opened}")
        return
    if opened.keys != 1 or not opened.chain:
        yield Problem(
            R.KEYSTORE_ENTRIES,
            KEYSTORE_LOCATION,
            f"{found.name} holds {opened.keys} private key(s)"
            + ("" if opened.chain else " and no certificate for it"),
        )
        if not opened.chain:
            return
    yield from certificate_problems(
        opened.chain[0], KEYSTORE_LOCATION, found.name, hosts, now, level=level, server=True
    )


def _open_pkcs12(data: bytes, password: str) -> Keystore | str:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        loaded = pkcs12.load_pkcs12(data, password.encode("utf-8"))
    except ValueError:
        return "does not open with the configured password (or is not PKCS#12)"
    chain = ([loaded.cert.certificate] if loaded.cert is not None else []) + [
        extra.certificate for extra in loaded.additional_certs
    ]
    # cryptography opens the first key only; the key bags are counted by their type, which
    # keytool, OpenSSL and cryptography all leave outside the encrypted part of the store
    bags = data.count(_SHROUDED_KEY_BAG) + data.count(_KEY_BAG)
    keys = bags if bags else (1 if loaded.key is not None else 0)
    return Keystore(keys, tuple(chain))


def keytool() -> str | None:
    return shutil.which("keytool")


def _open_with_keytool(path: Path, password: str, store_type: str) -> Keystore | str | None:
    """Keys and the first key's chain as keytool lists them; a message when it will not open;
    None without keytool. The password goes through the environment, never the command line."""
    tool = keytool()
    if tool is None:
        return None
    try:
        listing = subprocess.run(
            [tool, "-list", "-rfc", "-storetype", store_type, "-keystore", str(path),
             "-storepass:env", "OH_DOCTOR_STOREPASS"],
            env={**os.environ, "OH_DOCTOR_STOREPASS": password},
            capture_output=True, timeout=KEYTOOL_TIMEOUT, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"keytool did not answer within {KEYTOOL_TIMEOUT:.0f} s"
    if listing.returncode != 0:
        return "does not open with the configured password (keytool refused it)"
    return _parse_listing(listing.stdout)


def _parse_listing(text: bytes) -> Keystore:
    from cryptography import x509

    entries = re.split(rb"\n(?=Alias name:)", text)
    keys = [entry for entry in entries if b"Entry type: PrivateKeyEntry" in entry]
    chain: tuple[x509.Certificate, ...] = ()
    if keys:
        chain = tuple(x509.load_pem_x509_certificate(pem) for pem in pem_certificates(keys[0]))
    return Keystore(len(keys), chain)


# --- certificates ---------------------------------------------------------------------------


def certificate_problems(
    cert: x509.Certificate,
    path: DocPath,
    name: str,
    hosts: tuple[str, ...],
    now: dt.datetime,
    *,
    level: str,
    server: bool,
) -> Iterator[Problem]:
    """Validity, key, signature and (for a server certificate) usage, names and issuer."""
    yield from _validity(cert, path, name, now)
    if not server:
        return
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
        yield Problem(R.CERT_WEAK_KEY, path, f"{name}: RSA key of {key.key_size} bits")
    elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.key_size < 256:
        yield Problem(R.CERT_WEAK_KEY, path, f"{name}: EC key on {key.curve.name}")
    elif not isinstance(
        key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
    ) and not isinstance(key, ed448.Ed448PublicKey):
        yield Problem(R.CERT_WEAK_KEY, path, f"{name}: {type(key).__name__} key")
    algorithm = cert.signature_hash_algorithm
    if algorithm is not None and algorithm.name in ("sha1", "md5"):
        yield Problem(R.CERT_WEAK_SIGNATURE, path, f"{name}: signed with {algorithm.name}")
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    from cryptography.x509.oid import ExtendedKeyUsageOID

    allowed = {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
    if usage is not None and not allowed & set(usage):
        yield Problem(R.CERT_NO_SERVER_AUTH, path, f"{name}: extended key usage lacks serverAuth")
    for host in hosts:
        if not covers(cert, host):
            yield Problem(R.CERT_WRONG_HOST, path, f"{name}: no subjectAltName covers {host}")
    if level == "strict" and self_signed(cert):
        yield Problem(R.CERT_SELF_SIGNED, path, f"{name}: the certificate is self-signed")


def _validity(
    cert: x509.Certificate, path: DocPath, name: str, now: dt.datetime
) -> Iterator[Problem]:
    after, before = cert.not_valid_after_utc, cert.not_valid_before_utc
    if after < now:
        yield Problem(R.CERT_EXPIRED, path, f"{name}: expired on {after:%Y-%m-%d}")
    elif before > now:
        yield Problem(R.CERT_EXPIRED, path, f"{name}: not valid before {before:%Y-%m-%d}")
    elif after - now < dt.timedelta(days=EXPIRY_MEDIUM_DAYS):
        days = (after - now).days
        high = after - now < dt.timedelta(days=EXPIRY_HIGH_DAYS)
        yield Problem(
            R.CERT_EXPIRING,
            path,
            f"{name}: expires on {after:%Y-%m-%d} (in {days} day{'s' if days != 1 else ''})",
            severity=Severity.HIGH if high else None,
        )


def covers(cert: x509.Certificate, host: str) -> bool:
    """Whether a subjectAltName names ``host`` (a DNS name, one-label wildcard, or an IP)."""
    import ipaddress

    from cryptography import x509

    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False  # clients ignore the subject's CN
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None:
        return address in names.get_values_for_type(x509.IPAddress)
    wanted = host.lower().rstrip(".")
    for dns in names.get_values_for_type(x509.DNSName):
        pattern = dns.lower().rstrip(".")
        if pattern == wanted:
            return True
        if pattern.startswith("*.") and "." in wanted:
            head, rest = wanted.split(".", 1)
            if head and rest == pattern[2:]:
                return True
    return False


def self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # noqa: BLE001 - any failure (wrong key type, bad signature): not by itself
        return False
    return True


# --- database CA files ----------------------------------------------------------------------


def ca_locations(view: View, section: str) -> list[tuple[DocPath, str]]:
    """The CA files the ``section`` (es or opensearch) names, with the key naming each."""
    found: list[tuple[DocPath, str]] = []
    single: DocPath = (section, "security", "ssl", "certificate")
    value = view.get(single)
    if value.known and isinstance(value.value, str) and value.value.strip():
        found.append((single, value.value.strip()))
    many: DocPath = (section, "security", "ssl", "certificate_authorities")
    items = view.get(many)
    if items.known and isinstance(items.value, list):
        found.extend(
            ((*many, index), item.strip())
            for index, item in enumerate(items.value)
            if isinstance(item, str) and item.strip()
        )
    return found


def load_certificates(path: Path) -> list[x509.Certificate]:
    """PEM (one or more) or DER certificates; ValueError when the file holds none."""
    from cryptography import x509

    data = path.read_bytes()
    if b"-----BEGIN" in data:
        return list(x509.load_pem_x509_certificates(data))
    return [x509.load_der_x509_certificate(data)]


def ca_problems(
    view: View, config_file: Path, sections: tuple[str, ...], now: dt.datetime, level: str
) -> Iterator[Problem]:
    for section in sections:
        for path, location in ca_locations(view, section):
            found = find_file(location, config_file)
            if found is None:
                yield Problem(R.TRUST_FILE_BAD, path, f"{location} not found")
                continue
            try:
                certs = load_certificates(found)
            except ValueError:
                yield Problem(R.TRUST_FILE_BAD, path, f"{found.name} holds no certificate")
                continue
            for cert in certs:
                for problem in _validity(cert, path, found.name, now):
                    rule = R.TRUST_FILE_BAD if problem.rule == R.CERT_EXPIRED else problem.rule
                    yield Problem(rule, path, problem.message, problem.severity)


def db_sections(view: View) -> tuple[str, ...]:
    """es and/or opensearch as the file names them; Optimize's default (es) otherwise."""
    present = tuple(name for name in ("es", "opensearch") if name in view.data)
    return present or ("es",)


def as_text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
