"""doctor without --connect: variables, the env file, keystores, certificates, CA files.

Each finding has a case that makes it fire and one that keeps it quiet; the keystores are real
(PKCS#12 from ``cryptography``, JKS and multi-key stores from keytool).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from hardener import api
from hardener.check.audit import CheckReport
from hardener.check.rules import DOCTOR_RULES
from hardener.check.rules import doctor as R
from hardener.profiles import Severity
from tests.doctor_servers import (
    Issued,
    keytool_convert,
    make_ca,
    make_cert,
    need_keytool,
    pkcs12_bytes,
    sha1_cert,
)

PASSWORD = "correct-horse-battery"
CA = make_ca()
GOOD = make_cert(CA)


def ids(report: CheckReport) -> set[str]:
    return {f.rule_id for f in report.findings}


def layout(
    tmp_path: Path,
    keystore: bytes | None,
    *,
    name: str = "server.p12",
    access: str = "https://localhost:8091",
    extra: str = "",
) -> Path:
    """Optimize's layout: HOME/config/environment-config.yaml, the keystore beside it."""
    config_dir = tmp_path / "optimize" / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    if keystore is not None:
        (config_dir / name).write_bytes(keystore)
    config = config_dir / "environment-config.yaml"
    config.write_text(
        "container:\n"
        f"  accessUrl: {access}\n"
        "  keystore:\n"
        f"    location: config/{name}\n"
        "    password: ${KS_PASSWORD}\n"
        "engines: {}\n" + extra
    )
    return config


def doctor(config: Path, profile: str = "standard", **env: str) -> CheckReport:
    return api.doctor(config, "c7", profile=profile, env={"KS_PASSWORD": PASSWORD, **env})


def with_cert(tmp_path: Path, issued: Issued, **kw: str) -> CheckReport:
    profile = kw.pop("profile", "standard")
    return doctor(layout(tmp_path, pkcs12_bytes(issued, PASSWORD), **kw), profile)


# --- the dev profile (Done when) ------------------------------------------------------------


def test_init_dev_with_its_env_has_nothing_above_low(tmp_path: Path) -> None:
    api.init(tmp_path / "d", "dev", "c7")
    report = api.doctor(
        tmp_path / "d/config/environment-config.yaml",
        "c7",
        profile="dev",
        env_file=tmp_path / "d/.env",
    )
    assert report.findings  # the passwords to fill in are reported, low
    assert all(f.severity <= Severity.LOW for f in report.findings), report.findings
    assert report.exit_code(Severity.MEDIUM) == 0


# --- variables and env file -----------------------------------------------------------------


def test_a_variable_not_given_fires(tmp_path: Path) -> None:
    report = api.doctor(layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD)), "c7")
    assert R.PLACEHOLDER_UNSET in ids(report)
    (finding,) = [f for f in report.findings if f.rule_id == R.PLACEHOLDER_UNSET]
    assert "KS_PASSWORD" in finding.message and finding.line == 5
    assert ids(doctor(layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD)))) == set()


def test_a_variable_missing_inside_a_re_read_list_fires(tmp_path: Path) -> None:
    """Optimize reads a variable's '[..]' value again as a list and resolves it too."""
    config = layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD), extra="es:\n  x: ${NODES}\n")
    report = doctor(config, NODES="['${INNER}']")
    unset = [f.message for f in report.findings if f.rule_id == R.PLACEHOLDER_UNSET]
    assert unset == ["${INNER} has no value"]
    assert ids(doctor(config, NODES="['${INNER}']", INNER="x")) == set()


def test_an_empty_variable_is_low(tmp_path: Path) -> None:
    config = layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD), extra="es:\n  x: ${EMPTY}\n")
    assert R.PLACEHOLDER_EMPTY in ids(doctor(config, EMPTY=""))
    assert R.PLACEHOLDER_EMPTY not in ids(doctor(config, EMPTY="set"))


def test_an_env_file_readable_by_others_fires(tmp_path: Path) -> None:
    config = layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD))
    env_file = tmp_path / ".env"
    env_file.write_text(f"KS_PASSWORD={PASSWORD}\n")
    env_file.chmod(0o644)
    report = api.doctor(config, "c7", env_file=env_file)
    (finding,) = report.findings
    assert finding.rule_id == R.ENV_FILE_READABLE and finding.file == str(env_file)
    assert PASSWORD not in finding.message
    env_file.chmod(0o600)
    assert ids(api.doctor(config, "c7", env_file=env_file)) == set()


# --- the keystore ---------------------------------------------------------------------------


def test_a_missing_keystore_fires(tmp_path: Path) -> None:
    report = doctor(layout(tmp_path, None))
    assert ids(report) == {R.KEYSTORE_MISSING}
    assert ids(doctor(layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD)))) == set()


def test_a_relative_location_is_found_from_optimize_home_then_config_dir(tmp_path: Path) -> None:
    config = layout(tmp_path, None)
    config.write_text(config.read_text().replace("config/server.p12", "server.p12"))
    (config.parent / "server.p12").write_bytes(pkcs12_bytes(GOOD, PASSWORD))
    assert ids(doctor(config)) == set()  # the classpath entry config/ holds it


def test_the_shipped_keystore_in_the_jar_is_not_reported_missing(tmp_path: Path) -> None:
    config = tmp_path / "environment-config.yaml"
    config.write_text("engines: {}\n")
    assert ids(api.doctor(config, "c7")) == set()


def test_a_wrong_password_fires(tmp_path: Path) -> None:
    report = with_cert(tmp_path, GOOD)
    assert ids(report) == set()
    config = layout(tmp_path, pkcs12_bytes(GOOD, "another-password"))
    report = doctor(config)
    assert ids(report) == {R.KEYSTORE_UNOPENED}
    assert PASSWORD not in report.findings[0].message


def test_a_keystore_without_a_key_fires(tmp_path: Path) -> None:
    report = doctor(layout(tmp_path, pkcs12_bytes(None, PASSWORD, [GOOD.cert])))
    assert ids(report) == {R.KEYSTORE_ENTRIES}


@pytest.mark.java
def test_a_keystore_with_two_keys_fires(tmp_path: Path) -> None:
    tool = need_keytool()
    import subprocess

    store = tmp_path / "two.p12"
    for alias in ("one", "two"):
        subprocess.run(
            [tool, "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
             "-dname", "CN=localhost", "-ext", "san=dns:localhost", "-validity", "30",
             "-storetype", "PKCS12", "-keystore", str(store), "-storepass", PASSWORD],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
    report = doctor(layout(tmp_path, store.read_bytes()))
    assert R.KEYSTORE_ENTRIES in ids(report)
    assert "2 private key" in next(f.message for f in report.findings)


@pytest.fixture(scope="module")
def jks_stores(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A JKS store with a good certificate and one with an expired one, made by keytool."""
    directory = tmp_path_factory.mktemp("jks")
    stores = {}
    for name, issued in (("good", GOOD), ("old", make_cert(CA, expired=True))):
        p12 = directory / f"{name}.p12"
        p12.write_bytes(pkcs12_bytes(issued, PASSWORD))
        stores[name] = keytool_convert(p12, PASSWORD, directory / f"{name}.jks").read_bytes()
    return stores


@pytest.mark.java
def test_jks_opens_with_keytool(tmp_path: Path, jks_stores: dict[str, bytes]) -> None:
    assert jks_stores["good"][:4] == b"\xfe\xed\xfe\xed"
    config = layout(tmp_path, jks_stores["good"], name="server.jks")
    assert ids(doctor(config)) == set()
    report = api.doctor(config, "c7", env={"KS_PASSWORD": "not-the-password"})
    assert ids(report) == {R.KEYSTORE_UNOPENED}
    config = layout(tmp_path, jks_stores["old"], name="server.jks")
    assert ids(doctor(config)) == {R.CERT_EXPIRED}  # its certificate is read and judged


@pytest.mark.java
def test_jks_without_keytool_is_low(
    tmp_path: Path, jks_stores: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = layout(tmp_path, jks_stores["good"], name="server.jks")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("keytool") is None
    report = doctor(config)
    (finding,) = report.findings
    assert finding.rule_id == R.JKS_NOT_READ and finding.severity == Severity.LOW
    assert "convert to PKCS#12" in finding.message


# --- the certificate ------------------------------------------------------------------------


def test_an_expired_certificate_fires(tmp_path: Path) -> None:
    assert ids(with_cert(tmp_path, make_cert(CA, expired=True))) == {R.CERT_EXPIRED}


@pytest.mark.parametrize(("days", "severity"), [(20, Severity.MEDIUM), (5, Severity.HIGH)])
def test_a_certificate_expiring_soon_fires(tmp_path: Path, days: int, severity: Severity) -> None:
    (finding,) = with_cert(tmp_path, make_cert(CA, days=days)).findings
    assert finding.rule_id == R.CERT_EXPIRING and finding.severity == severity
    assert ids(with_cert(tmp_path, make_cert(CA, days=45))) == set()


def test_a_weak_key_fires(tmp_path: Path) -> None:
    assert ids(with_cert(tmp_path, make_cert(CA, rsa_bits=1024))) == {R.CERT_WEAK_KEY}
    assert ids(with_cert(tmp_path, make_cert(CA, rsa_bits=2048))) == set()


def test_a_sha1_signature_fires(tmp_path: Path) -> None:
    weak = sha1_cert(CA, tmp_path)
    assert ids(with_cert(tmp_path, weak)) == {R.CERT_WEAK_SIGNATURE}


def test_a_certificate_without_server_auth_fires(tmp_path: Path) -> None:
    client_only = make_cert(CA, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    assert ids(with_cert(tmp_path, client_only)) == {R.CERT_NO_SERVER_AUTH}
    assert ids(with_cert(tmp_path, make_cert(CA, eku=()))) == set()  # no EKU: any usage


def test_a_certificate_for_another_host_fires(tmp_path: Path) -> None:
    other = make_cert(CA, hosts=("other.example",))
    report = with_cert(tmp_path, other)
    assert ids(report) == {R.CERT_WRONG_HOST}
    assert "localhost" in report.findings[0].message
    wildcard = make_cert(CA, hosts=("*.example.org",))
    assert ids(with_cert(tmp_path, wildcard, access="https://optimize.example.org")) == set()
    assert ids(with_cert(tmp_path, wildcard, access="https://a.b.example.org")) == {
        R.CERT_WRONG_HOST
    }
    report = api.doctor(
        layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD)),
        "c7",
        env={"KS_PASSWORD": PASSWORD},
        url="https://optimize.internal:8091",
    )
    assert ids(report) == {R.CERT_WRONG_HOST}  # --url's host counts too


def test_a_self_signed_certificate_fires_under_strict_only(tmp_path: Path) -> None:
    own = make_cert(None)
    assert ids(with_cert(tmp_path, own, profile="strict")) == {R.CERT_SELF_SIGNED}
    assert ids(with_cert(tmp_path, own, profile="standard")) == set()
    assert ids(with_cert(tmp_path, GOOD, profile="strict")) == set()


# --- database CA files ----------------------------------------------------------------------


def ca_config(tmp_path: Path, location: str) -> Path:
    extra = (
        "es:\n  security:\n    ssl:\n      enabled: true\n"
        f"      certificate_authorities: [{location}]\n"
    )
    return layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD), extra=extra)


def test_database_ca_files_are_checked(tmp_path: Path) -> None:
    home = tmp_path / "optimize"
    home.mkdir()
    (home / "ca.pem").write_bytes(CA.cert_pem())
    assert ids(doctor(ca_config(tmp_path, "ca.pem"))) == set()
    assert ids(doctor(ca_config(tmp_path, "missing.pem"))) == {R.TRUST_FILE_BAD}
    (home / "junk.pem").write_text("not a certificate")
    assert ids(doctor(ca_config(tmp_path, "junk.pem"))) == {R.TRUST_FILE_BAD}
    (home / "old.pem").write_bytes(make_cert(CA, expired=True).cert_pem())
    report = doctor(ca_config(tmp_path, str(home / "old.pem")))
    assert ids(report) == {R.TRUST_FILE_BAD} and "expired" in report.findings[0].message
    (home / "soon.pem").write_bytes(make_cert(CA, days=3).cert_pem())
    report = doctor(ca_config(tmp_path, "soon.pem"))
    assert [(f.rule_id, f.severity) for f in report.findings] == [
        (R.CERT_EXPIRING, Severity.HIGH)  # a CA file about to expire, like any certificate
    ]


# --- input errors ---------------------------------------------------------------------------


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    from hardener.errors import UsageError

    config = layout(tmp_path, None)
    with pytest.raises(UsageError, match="--timeout"):
        api.doctor(config, "c7", timeout=0)
    with pytest.raises(UsageError, match="--url"):
        api.doctor(config, "c7", url="ftp://x")
    with pytest.raises(UsageError, match="--optimize-version"):
        api.doctor(config, "c7", optimize_version="eight")


def test_every_doctor_rule_is_registered_and_documented() -> None:
    from hardener.check.rules import all_rules
    from hardener.check.rules.docs import DOC_PATH, explain

    assert set(DOCTOR_RULES) <= set(all_rules())
    text = DOC_PATH.read_text(encoding="utf-8")
    assert "## Doctor: files and live services" in text
    for rule_id in DOCTOR_RULES:
        assert f"### {rule_id} " in text and explain(rule_id).startswith(rule_id)
    assert not set(DOCTOR_RULES) & set(api.check(Path(os.devnull), "strict").rules)


def test_now_is_respected(tmp_path: Path) -> None:
    config = layout(tmp_path, pkcs12_bytes(GOOD, PASSWORD))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    report = api.doctor(config, "c7", env={"KS_PASSWORD": PASSWORD}, now=later)
    assert ids(report) == {R.CERT_EXPIRED}


def test_every_doctor_rule_has_its_tests() -> None:
    """Each rule is named by the doctor tests (each fires in one and stays quiet in others)."""
    here = Path(__file__).parent
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(here.glob("test_doctor_*.py")))
    names = {value: name for name, value in vars(R).items() if isinstance(value, str)}
    missing = [rule for rule in DOCTOR_RULES if f"R.{names[rule]}" not in text]
    assert not missing, missing


def test_pem_blocks_are_found_in_linear_time() -> None:
    """A CA file of a million unclosed BEGIN lines is a few finds, not a rescan per line."""
    import time

    from hardener.doctor.files import pem_certificates

    block = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    assert pem_certificates(b"junk" + block + b"x" + block) == [block.strip()] * 2
    hostile = b"-----BEGIN CERTIFICATE-----\n" * 40_000
    started = time.perf_counter()
    assert pem_certificates(hostile) == []
    assert time.perf_counter() - started < 1
