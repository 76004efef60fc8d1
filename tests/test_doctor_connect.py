"""doctor --connect against real servers on 127.0.0.1: openssl s_server and ssl-wrapped
http.server servers behaving like Elasticsearch, an engine REST API and Optimize.

Every test bounds its waits: doctor's own --timeout (short here) and the helpers' WAIT.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hardener import api
from hardener.check.audit import CheckReport
from hardener.check.rules import doctor as R
from tests.doctor_servers import (
    Issued,
    always,
    blackhole,
    http_server,
    make_ca,
    make_cert,
    needs_auth,
    plain_http_on_tls_port,
    s_server,
    server_context,
    sha1_cert,
)

TIMEOUT = 2.0
USER, PASSWORD = "optimize", "db-password-1234"
CA = make_ca()
GOOD = make_cert(CA)
# What the config below makes Optimize send (the grade's inputs), as a correct server sends it.
CSP = "default-src 'self'; frame-ancestors 'none'; object-src 'none'"
GOOD_HEADERS = [
    ("Strict-Transport-Security", "max-age=63072000; includeSubDomains"),  # the default
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki")
    (directory / "ca.pem").write_bytes(CA.cert_pem())
    GOOD.write(directory, "good")
    return directory


@pytest.fixture(autouse=True)
def trust_the_test_ca(pki: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Engines, identity and Optimize are verified with the system trust, as Java's default
    truststore would verify them; OpenSSL takes SSL_CERT_FILE as the system's."""
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "ca.pem"))


@pytest.fixture(scope="module")
def database(pki: Path) -> Iterator[int]:
    """An Elasticsearch node with security on: 401 anonymous, 200 with the right user."""
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(needs_auth(USER, PASSWORD), ctx) as served:
        yield served.port


def config_file(
    tmp_path: Path,
    db_port: int,
    *,
    ca: Path | None,
    extra: str = "",
    ssl: str = "true",
    self_signed: str = "false",
) -> Path:
    cas = f"      certificate_authorities: [{ca}]\n" if ca else ""
    path = tmp_path / "config" / "environment-config.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        "container:\n"
        "  ports: {http: null, actuator: null}\n"
        "security:\n"
        "  responseHeaders:\n"
        f'    Content-Security-Policy: "{CSP}"\n'
        "es:\n"
        "  connection:\n"
        f"    nodes: [{{host: localhost, httpPort: {db_port}}}]\n"
        "  security:\n"
        f"    username: {USER}\n"
        "    password: ${DB_PASSWORD}\n"
        "    ssl:\n"
        f"      enabled: {ssl}\n"
        f"      selfSigned: {self_signed}\n" + cas + "engines: {}\n" + extra
    )
    return path


def run(config: Path, password: str = PASSWORD, **kw: object) -> CheckReport:
    return api.doctor(
        config,
        "c7",
        env={"DB_PASSWORD": password},
        connect=True,
        timeout=TIMEOUT,
        **kw,  # type: ignore[arg-type]
    )


def ids(report: CheckReport) -> set[str]:
    return {f.rule_id for f in report.findings}


# --- Elasticsearch --------------------------------------------------------------------------


def test_a_correct_database_gives_nothing(tmp_path: Path, pki: Path, database: int) -> None:
    assert ids(run(config_file(tmp_path, database, ca=pki / "ca.pem"))) == set()


def test_a_wrong_password_is_rejected(tmp_path: Path, pki: Path, database: int) -> None:
    report = run(config_file(tmp_path, database, ca=pki / "ca.pem"), password="wrong-one-99")
    assert ids(report) == {R.CREDENTIALS_REJECTED}
    assert "wrong-one-99" not in report.findings[0].message


def test_an_anonymous_200_database_is_critical(tmp_path: Path, pki: Path) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(always(200), ctx) as served:
        report = run(config_file(tmp_path, served.port, ca=pki / "ca.pem"))
    assert ids(report) == {R.DB_ANONYMOUS}
    assert report.findings[0].severity.label == "critical"


def test_credentials_never_go_over_an_unverified_connection(tmp_path: Path, pki: Path) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(needs_auth(USER, PASSWORD), ctx) as served:
        # selfSigned without a CA: Optimize trusts any certificate, so doctor does not verify
        report = run(config_file(tmp_path, served.port, ca=None, self_signed="true"))
        assert served.seen_auth == [None]
    assert ids(report) == {R.TLS_UNVERIFIED}
    with http_server(needs_auth(USER, PASSWORD)) as served:  # plain http
        report = run(config_file(tmp_path, served.port, ca=None, ssl="false"))
        assert served.seen_auth == [None]
    assert ids(report) == {R.TLS_UNVERIFIED}


@pytest.mark.parametrize("kind", ["expired", "wrong-host", "self-signed", "sha1"])
def test_a_bad_certificate_fails_verification(tmp_path: Path, pki: Path, kind: str) -> None:
    issued: Issued
    if kind == "expired":
        issued = make_cert(CA, expired=True)
    elif kind == "wrong-host":
        issued = make_cert(CA, hosts=("other.example",))
    elif kind == "self-signed":
        issued = make_cert(None)
    else:
        issued = sha1_cert(CA, tmp_path)
    cert, key = issued.write(tmp_path, kind)
    # OpenSSL 3 will not even serve a CA-signed SHA-1 certificate at its default level
    extra = ("-cipher", "DEFAULT:@SECLEVEL=0") if kind == "sha1" else ()
    with s_server(cert, key, *extra) as port:
        report = run(config_file(tmp_path, port, ca=pki / "ca.pem"))
    assert ids(report) == {R.TLS_UNVERIFIED}, report.findings
    reason = {
        "expired": "expired",
        "wrong-host": "mismatch",
        "self-signed": "self-signed",
        "sha1": "too weak",
    }[kind]
    assert reason in report.findings[0].message.lower()


def test_openssl_s_server_with_a_good_certificate_verifies(tmp_path: Path, pki: Path) -> None:
    with s_server(pki / "good.crt", pki / "good.key") as port:
        report = run(config_file(tmp_path, port, ca=pki / "ca.pem"))
    assert ids(report) == {R.DB_ANONYMOUS}  # s_server -www answers everyone: no auth


def test_an_old_protocol_is_reported(tmp_path: Path, pki: Path) -> None:
    with s_server(
        pki / "good.crt", pki / "good.key", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"
    ) as port:
        report = run(config_file(tmp_path, port, ca=pki / "ca.pem"))
    assert ids(report) == {R.TLS_OLD_PROTOCOL}
    assert "TLSv1.1" in report.findings[0].message


def test_a_closed_port_is_unreachable(tmp_path: Path, pki: Path) -> None:
    with blackhole() as port:
        pass  # closed again: nothing listens there now
    report = run(config_file(tmp_path, port, ca=pki / "ca.pem"))
    assert ids(report) == {R.UNREACHABLE}


def test_a_silent_server_is_bounded_by_the_timeout(tmp_path: Path, pki: Path) -> None:
    with blackhole() as port:
        start = time.monotonic()
        report = api.doctor(
            config_file(tmp_path, port, ca=pki / "ca.pem"),
            "c7",
            env={"DB_PASSWORD": PASSWORD},
            connect=True,
            timeout=0.5,
        )
        elapsed = time.monotonic() - start
    assert ids(report) == {R.UNREACHABLE}
    assert 0.5 <= elapsed < 0.5 + 1.0


# --- engines and identity -------------------------------------------------------------------


def engine_config(tmp_path: Path, db: int, pki: Path, port: int, password: str = "e") -> Path:
    path = config_file(tmp_path, db, ca=pki / "ca.pem")
    text = path.read_text().replace(
        "engines: {}\n",
        "engines:\n  main:\n"
        f"    rest: https://localhost:{port}/engine-rest\n"
        "    authentication:\n      enabled: true\n      user: importer\n"
        f"      password: {password}\n",
    )
    path.write_text(text)
    return path


def test_an_engine_with_authentication_gives_nothing(
    tmp_path: Path, pki: Path, database: int
) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(needs_auth("importer", "engine-pass"), ctx) as served:
        report = run(engine_config(tmp_path, database, pki, served.port, "engine-pass"))
        assert ids(report) == set()
        report = run(engine_config(tmp_path, database, pki, served.port, "nope"))
        assert ids(report) == {R.CREDENTIALS_REJECTED}


def test_an_engine_without_authentication_fires(tmp_path: Path, pki: Path, database: int) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(always(200), ctx) as served:
        report = run(engine_config(tmp_path, database, pki, served.port, "engine-pass"))
    assert ids(report) == {R.ENGINE_ANONYMOUS}
    assert "/engine-rest/engine" in report.findings[0].message


def test_a_jwks_url_must_verify(tmp_path: Path, pki: Path, database: int) -> None:
    expired = make_cert(CA, expired=True)
    cert, key = expired.write(tmp_path, "jwks-expired")
    for issued, expected in ((None, set()), ((cert, key), {R.TLS_UNVERIFIED})):
        served_cert, served_key = issued or (pki / "good.crt", pki / "good.key")
        with s_server(served_cert, served_key) as port:
            extra = f"api:\n  jwtSetUri: https://localhost:{port}/jwks.json\n"
            report = run(config_file(tmp_path, database, ca=pki / "ca.pem", extra=extra))
        assert ids(report) == expected


# --- the running Optimize (--url) -----------------------------------------------------------


def optimize_config(tmp_path: Path, database: int, pki: Path, **ports: str) -> Path:
    path = config_file(tmp_path, database, ca=pki / "ca.pem")
    values = {"http": "null", "actuator": "null", **ports}
    line = "  ports: {" + ", ".join(f"{k}: {v}" for k, v in values.items()) + "}\n"
    path.write_text(path.read_text().replace("  ports: {http: null, actuator: null}\n", line))
    return path


def test_a_correct_optimize_gives_nothing(tmp_path: Path, pki: Path, database: int) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(always(200, GOOD_HEADERS), ctx) as served:
        config = optimize_config(tmp_path, database, pki, https=str(served.port))
        report = run(config, url=f"https://localhost:{served.port}")
    assert ids(report) == set(), report.findings


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        ("Strict-Transport-Security", {R.HEADER_MISMATCH, R.GRADE_MISMATCH}),
        ("Content-Security-Policy", {R.HEADER_MISMATCH, R.GRADE_MISMATCH}),
        # 115 -> 110 points: still A+, so the grade agrees and only the header differs
        ("X-Content-Type-Options", {R.HEADER_MISMATCH}),
    ],
)
def test_a_missing_header_fires(
    tmp_path: Path, pki: Path, database: int, drop: str, expected: set[str]
) -> None:
    headers = [h for h in GOOD_HEADERS if h[0] != drop]
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(always(200, headers), ctx) as served:
        config = optimize_config(tmp_path, database, pki, https=str(served.port))
        report = run(config, url=f"https://localhost:{served.port}")
    assert ids(report) == expected
    assert any(drop in f.message or drop.startswith("Strict") for f in report.findings)


def test_x_xss_protection_other_than_zero_fires(tmp_path: Path, pki: Path, database: int) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    for value, expected in (("0", set()), ("1; mode=block", {R.HEADER_MISMATCH})):
        headers = [*GOOD_HEADERS, ("X-XSS-Protection", value)]
        with http_server(always(200, headers), ctx) as served:
            config = optimize_config(tmp_path, database, pki, https=str(served.port))
            report = run(config, url=f"https://localhost:{served.port}")
        assert ids(report) == expected


def test_plain_http_on_the_https_port_is_55403(tmp_path: Path, pki: Path, database: int) -> None:
    with plain_http_on_tls_port() as port:
        config = optimize_config(tmp_path, database, pki, https=str(port))
        report = run(config, url=f"https://localhost:{port}", optimize_version="8.8.1")
    (finding,) = report.findings
    assert finding.rule_id == R.PLAIN_HTTP_ON_HTTPS and finding.severity.label == "critical"
    assert "camunda/camunda#55403" in finding.message and "8.8.1" in finding.message


def test_a_tls_server_is_not_mistaken_for_55403(tmp_path: Path, pki: Path, database: int) -> None:
    expired = make_cert(CA, expired=True)
    cert, key = expired.write(tmp_path, "optimize-expired")
    with s_server(cert, key) as port:
        config = optimize_config(tmp_path, database, pki, https=str(port))
        report = run(config, url=f"https://localhost:{port}")
    assert ids(report) == {R.TLS_UNVERIFIED}


def test_the_http_port_must_only_redirect(tmp_path: Path, pki: Path, database: int) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(always(200, GOOD_HEADERS), ctx) as tls_served:
        cases = (
            (always(301, [("Location", f"https://localhost:{tls_served.port}/")]), set()),
            (always(200), {R.HTTP_PORT_SERVES}),
            (always(302, [("Location", "https://elsewhere.example/")]), {R.HTTP_PORT_SERVES}),
        )
        for behaviour, expected in cases:
            with http_server(behaviour) as plain:
                config = optimize_config(
                    tmp_path, database, pki, https=str(tls_served.port), http=str(plain.port)
                )
                report = run(config, url=f"https://localhost:{tls_served.port}")
            assert ids(report) == expected, behaviour
        with blackhole() as closed:
            pass
        config = optimize_config(
            tmp_path, database, pki, https=str(tls_served.port), http=str(closed)
        )
        assert ids(run(config, url=f"https://localhost:{tls_served.port}")) == set()


def test_a_reachable_actuator_is_reported(tmp_path: Path, pki: Path, database: int) -> None:
    ctx = server_context(pki / "good.crt", pki / "good.key")
    with http_server(always(200, GOOD_HEADERS), ctx) as served, blackhole() as actuator:
        config = optimize_config(
            tmp_path, database, pki, https=str(served.port), actuator=str(actuator)
        )
        report = run(config, url=f"https://localhost:{served.port}")
    assert ids(report) == {R.ACTUATOR_REACHABLE}
    with blackhole() as closed:
        pass
    with http_server(always(200, GOOD_HEADERS), ctx) as served:
        config = optimize_config(
            tmp_path, database, pki, https=str(served.port), actuator=str(closed)
        )
        assert ids(run(config, url=f"https://localhost:{served.port}")) == set()


def test_without_connect_nothing_is_contacted(tmp_path: Path, pki: Path, database: int) -> None:
    with http_server(always(200)) as served:
        config = config_file(tmp_path, served.port, ca=pki / "ca.pem")
        report = api.doctor(config, "c7", env={"DB_PASSWORD": PASSWORD})
        assert served.seen_auth == []  # files only: nothing was contacted
    assert ids(report) == set()


def test_progress_reports_each_target_once(tmp_path: Path, pki: Path, database: int) -> None:
    seen: list[tuple[str, int]] = []
    with blackhole() as silent:
        config = optimize_config(tmp_path, database, pki, https=str(silent))
        api.doctor(
            config, "c7", env={"DB_PASSWORD": PASSWORD}, connect=True, timeout=0.5,
            url=f"https://localhost:{silent}", on_progress=lambda n, k: seen.append((n, k)),
        )  # fmt: skip
    assert sorted(name for name, _ in seen) == sorted(
        [f"es https://localhost:{database}", f"optimize https://localhost:{silent}"]
    )
    assert dict(seen)[f"es https://localhost:{database}"] == 0


def test_a_probe_that_overruns_is_cut_off_at_the_deadline() -> None:
    from hardener.doctor.connect import Target, probe_all

    def stuck(deadline: object) -> list[object]:
        time.sleep(3)  # ignores the deadline, as no real probe may
        return []

    seen: list[str] = []
    start = time.monotonic()
    found = probe_all(
        [Target("stuck", ("es",), stuck)],  # type: ignore[arg-type]
        0.3,
        lambda name, n: seen.append(name),
    )
    assert time.monotonic() - start < 0.3 + 0.5
    assert [p.rule for p in found] == [R.UNREACHABLE] and seen == ["stuck"]
