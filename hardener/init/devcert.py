"""A self-signed localhost certificate in a PKCS#12 keystore, for the dev profile only.

Optimize always listens on HTTPS, and the keystore packed into it has a publicly known key. A
developer therefore gets a fresh key of their own instead of the shipped one. The ``cryptography``
library builds the keystore: writing PKCS#12 by hand would mean our own ASN.1 and crypto code.

The keystore uses PBES2 (AES-256-CBC, PBKDF2) with an HMAC-SHA256 MAC, which Java reads since
8u301 / 11.0.12. The certificate names ``localhost``, ``127.0.0.1`` and ``::1``, because a
development Optimize listens on loopback only.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePrivateKey

    from hardener.init.secretgen import Secret

ALIAS = "optimize-dev-only"
"""Friendly name of the key entry; Jetty uses the only key entry it finds."""

SUBJECT_ORG = "optimize-harden DEVELOPMENT ONLY"
"""Shown by browsers and keytool, so nobody mistakes the certificate for a real one."""

VALID_DAYS = 365
"""A year: long enough not to interrupt development, short enough to be replaced."""

_BACKDATE = timedelta(minutes=5)  # tolerate small clock differences between host and container


@dataclass(frozen=True)
class DevKeystore:
    """The keystore (holding key and certificate) and the certificate alone, to trust locally."""

    pkcs12: bytes
    certificate_pem: bytes


def make_dev_keystore(password: Secret, *, now: datetime | None = None) -> DevKeystore:
    """A new EC P-256 key and a self-signed localhost certificate, sealed with ``password``."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(key, now or datetime.now(UTC))
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(100_000)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.reveal().encode("ascii"))
    )
    data = pkcs12.serialize_key_and_certificates(
        ALIAS.encode("ascii"), key, certificate, None, encryption
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    return DevKeystore(pkcs12=data, certificate_pem=pem)


def _certificate(key: EllipticCurvePrivateKey, now: datetime) -> x509.Certificate:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, SUBJECT_ORG),
        ]
    )
    alt_names = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
    )
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(alt_names, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(_key_usage(), critical=True)
    )
    return builder.sign(key, hashes.SHA256())


def _key_usage() -> x509.KeyUsage:
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
