"""The rules of ``optimize-harden doctor``: files and live services, not the text of a config.

They live in the one registry (``all_rules``) so that ``rules``, ``explain`` and docs/rules.md
describe them, but ``check`` never applies them: ``active_rules`` takes code rules only.
"""

from __future__ import annotations

from hardener.check.rules.base import C, H, L, M, Rule, levels

PLACEHOLDER_UNSET = "OH-DOC-001"
PLACEHOLDER_EMPTY = "OH-DOC-002"
ENV_FILE_READABLE = "OH-DOC-003"
KEYSTORE_MISSING = "OH-DOC-010"
KEYSTORE_UNOPENED = "OH-DOC-011"
KEYSTORE_ENTRIES = "OH-DOC-012"
JKS_NOT_READ = "OH-DOC-013"
CERT_EXPIRED = "OH-DOC-020"
CERT_EXPIRING = "OH-DOC-021"
CERT_WEAK_KEY = "OH-DOC-022"
CERT_WEAK_SIGNATURE = "OH-DOC-023"
CERT_NO_SERVER_AUTH = "OH-DOC-024"
CERT_WRONG_HOST = "OH-DOC-025"
CERT_SELF_SIGNED = "OH-DOC-026"
TRUST_FILE_BAD = "OH-DOC-030"
TLS_UNVERIFIED = "OH-DOC-040"
TLS_OLD_PROTOCOL = "OH-DOC-041"
UNREACHABLE = "OH-DOC-042"
PLAIN_HTTP_ON_HTTPS = "OH-DOC-043"
DB_ANONYMOUS = "OH-DOC-044"
CREDENTIALS_REJECTED = "OH-DOC-045"
ENGINE_ANONYMOUS = "OH-DOC-046"
HTTP_PORT_SERVES = "OH-DOC-047"
HEADER_MISMATCH = "OH-DOC-048"
GRADE_MISMATCH = "OH-DOC-049"
ACTUATOR_REACHABLE = "OH-DOC-050"

_REF = "S27; doctor"


def _rule(
    rule_id: str, title: str, sev: tuple[object, object, object], why: str, fix: str, when: str
) -> Rule:
    strict, standard, dev = sev
    return Rule(
        id=rule_id,
        title=title,
        severities=levels(strict, standard, dev),  # type: ignore[arg-type]
        rationale=why,
        remediation=fix,
        reference=_REF,
        origin="doctor",
        trigger=when,
    )


RULES: tuple[Rule, ...] = (
    _rule(PLACEHOLDER_UNSET, "variable-not-given", (H, H, H),
          "A ${NAME} placeholder without default whose variable is not set stops Optimize at "
          "startup.",
          "Set the variable in the .env file (or the environment Optimize is started with).",
          "a placeholder without default has no value in --env-file/--env"),
    _rule(PLACEHOLDER_EMPTY, "variable-empty", (L, L, L),
          "An empty variable resolves to an empty text: Optimize starts, but the setting (often "
          "a password) is blank.",
          "Fill in the value before starting Optimize.",
          "a placeholder's variable is given but empty"),
    _rule(ENV_FILE_READABLE, "env-file-readable", (H, H, M),
          "A .env file holds the secrets of the config; readable by group or others, every "
          "local account can read them.",
          "chmod 600 the file (and keep it out of version control).",
          "the --env-file is readable by group or others"),
    _rule(KEYSTORE_MISSING, "keystore-missing", (H, H, H),
          "Optimize resolves container.keystore.location as a file relative to its working "
          "directory, then on its classpath; a missing file stops the HTTPS connector.",
          "Point container.keystore.location at the keystore, absolute or relative to "
          "Optimize's directory.",
          "the keystore file does not exist where Optimize looks for it"),
    _rule(KEYSTORE_UNOPENED, "keystore-does-not-open", (H, H, H),
          "A keystore that does not open with its password stops Optimize's HTTPS connector.",
          "Set container.keystore.password to the keystore's password, or rebuild the keystore.",
          "the keystore does not open with the configured password, or does not parse"),
    _rule(KEYSTORE_ENTRIES, "keystore-entries", (H, H, M),
          "Jetty and Tomcat serve the one key entry they find; none, several, or a key without "
          "its certificate makes the served certificate a guess or a failure.",
          "Keep exactly one private key with its certificate chain in the keystore.",
          "the keystore does not hold exactly one private key with a certificate"),
    _rule(JKS_NOT_READ, "jks-not-readable-here", (L, L, L),
          "JKS is Java's own format; without keytool on PATH it cannot be opened here, so its "
          "certificate is not checked.",
          "Convert it to PKCS#12 (keytool -importkeystore -deststoretype pkcs12) or run doctor "
          "where keytool is installed.",
          "the keystore is JKS and keytool is not on PATH"),
    _rule(CERT_EXPIRED, "certificate-expired", (C, C, H),
          "Clients refuse an expired certificate.",
          "Renew the certificate and replace the keystore or file.",
          "a certificate's notAfter is in the past (or notBefore in the future)"),
    _rule(CERT_EXPIRING, "certificate-expiring", (M, M, L),
          "A certificate that expires within 30 days needs renewing now (high within 7 days).",
          "Renew the certificate before it expires.",
          "a certificate expires within 30 days"),
    _rule(CERT_WEAK_KEY, "certificate-weak-key", (H, H, M),
          "RSA keys below 2048 bits and EC curves below P-256 are refused by current clients.",
          "Issue a new certificate with RSA 2048+ or EC P-256+.",
          "the certificate's key is RSA < 2048 bits, EC < 256 bits, or another type"),
    _rule(CERT_WEAK_SIGNATURE, "certificate-weak-signature", (H, H, M),
          "SHA-1 and MD5 signatures can be forged; browsers and JDKs reject them.",
          "Reissue the certificate signed with SHA-256 or better.",
          "the certificate is signed with SHA-1 or MD5"),
    _rule(CERT_NO_SERVER_AUTH, "certificate-not-for-servers", (M, M, L),
          "A certificate whose extended key usage lacks serverAuth is refused for a TLS server.",
          "Issue the certificate with extendedKeyUsage serverAuth.",
          "extended key usage is present without serverAuth"),
    _rule(CERT_WRONG_HOST, "certificate-wrong-host", (H, H, M),
          "Clients check that the certificate names the host they connect to.",
          "Issue the certificate with a subjectAltName for the host of container.accessUrl.",
          "no subjectAltName covers the host of container.accessUrl or --url"),
    _rule(CERT_SELF_SIGNED, "certificate-self-signed", (H, None, None),
          "A self-signed certificate teaches users to click through warnings.",
          "Use a certificate issued by your organisation's or a public CA.",
          "the certificate is self-signed (strict only)"),
    _rule(TRUST_FILE_BAD, "trust-file-unusable", (H, H, M),
          "Optimize reads the database CA files (ssl.certificate, ssl.certificate_authorities) "
          "at startup; a missing, unparsable or expired one breaks the connection. (Optimize "
          "has no database client-key setting: es.security.ssl.key was removed.)",
          "Point the setting at a readable, valid PEM (or keystore) file.",
          "a database CA file is missing, unparsable or expired"),
    _rule(TLS_UNVERIFIED, "tls-not-verified", (H, H, M),
          "The TLS handshake failed verification with the configured trust (expired, wrong "
          "host, self-signed or unknown CA); credentials are withheld from such a connection.",
          "Serve a certificate the configured CA trusts, valid for the host.",
          "a TLS handshake with certificate and hostname checks fails"),
    _rule(TLS_OLD_PROTOCOL, "tls-old-protocol", (H, H, M),
          "TLS 1.0 and 1.1 are deprecated (RFC 8996).",
          "Allow only TLS 1.2 and 1.3 on the server.",
          "the negotiated protocol is older than TLS 1.2"),
    _rule(UNREACHABLE, "service-unreachable", (M, M, L),
          "A service the config names did not answer within --timeout: Optimize will fail the "
          "same way, or a firewall is in the way.",
          "Check host, port and firewall; rerun with a longer --timeout if the link is slow.",
          "a connection is refused or times out"),
    _rule(PLAIN_HTTP_ON_HTTPS, "https-port-speaks-http", (C, C, C),
          "The port the config calls HTTPS answered a TLS ClientHello with plain HTTP: every "
          "request travels in clear text (camunda/camunda#55403, Optimize 8.8-8.10).",
          "Upgrade Optimize to a release with the fix for camunda/camunda#55403 and rerun doctor.",
          "the HTTPS port answers a TLS ClientHello with plain HTTP"),
    _rule(DB_ANONYMOUS, "database-anonymous-access", (C, C, H),
          "Elasticsearch/OpenSearch answered an anonymous GET / with 200: the cluster has no "
          "authentication and anyone who reaches it reads and deletes Optimize's data.",
          "Enable the security plugin (xpack.security.enabled / OpenSearch security) and "
          "require users.",
          "an anonymous GET / to a database node returns 2xx"),
    _rule(CREDENTIALS_REJECTED, "credentials-rejected", (H, H, H),
          "The service refused the configured user and password: Optimize cannot work.",
          "Set the password variable to the user's current password.",
          "a request with the configured credentials gets 401 or 403"),
    _rule(ENGINE_ANONYMOUS, "engine-anonymous-access", (H, H, M),
          "The engine REST API answered an anonymous request: engine-side authentication is off "
          "and anyone who reaches it can run and read processes.",
          "Enable the engine REST API's authentication filter.",
          "an anonymous GET {rest}/engine does not return 401"),
    _rule(HTTP_PORT_SERVES, "http-port-serves-content", (H, M, L),
          "Optimize's HTTP port answers with content instead of only redirecting to https.",
          "Set container.ports.http to null, or redirect it to https.",
          "the HTTP port answers with something other than a redirect to https on the same host"),
    _rule(HEADER_MISMATCH, "header-mismatch", (M, M, L),
          "The running Optimize does not send the headers its config asks for (HSTS, CSP, "
          "nosniff, X-XSS-Protection): a proxy rewrites them or another config is in use.",
          "Compare the proxy and the deployed config with this file.",
          "an observed security header differs from the configured one"),
    _rule(GRADE_MISMATCH, "grade-mismatch", (M, M, L),
          "The Observatory-style grade of the observed headers differs from the grade check "
          "predicts from the config.",
          "Find what changes the headers between Optimize and this client.",
          "the observed header grade differs from the predicted one"),
    _rule(ACTUATOR_REACHABLE, "actuator-reachable", (M, M, L),
          "The actuator port has no authentication and answered from here.",
          "Bind it to loopback or firewall it.",
          "a TCP connection to the actuator port succeeds"),
)  # fmt: skip
