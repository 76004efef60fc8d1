"""check through the library API: generated configs pass, Optimize's defaults fail, waivers,
directories, unreadable files, secrets, the rule registry and its generated reference."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from hardener import api
from hardener.check.audit import Checker, check_text
from hardener.check.rules import CODE_RULES, active_rules, all_rules, get_rule
from hardener.check.rules.docs import DOC_PATH, render_markdown
from hardener.errors import ProfileError, UsageError, ValuesError
from hardener.profiles import Severity, load_profile

TODAY = dt.date(2026, 6, 1)

# Optimize 3.x's shipped defaults for every key the profiles audit, written out. An empty file
# means the same thing, so both must fail strict with the same rules.
DEFAULTS = """\
container:
  host: localhost
  ports:
    http: 8090
    https: 8091
    actuator: 8092
  keystore:
    location: keystore.jks
    password: optimize
  enableSniCheck: true
  accessUrl: null
security:
  auth:
    token:
      lifeMin: 60
      secret: null
    cookie:
      same-site:
        enabled: true
      secure: auto
    superUserIds: []
  responseHeaders:
    HSTS:
      max-age: 63072000
      includeSubDomains: true
    X-XSS-Protection: '1; mode=block'
    X-Content-Type-Options: true
    Content-Security-Policy: "base-uri 'self'"
api:
  accessToken: null
  jwtSetUri: null
engines:
  camunda-bpm:
    name: default
    rest: http://localhost:8080/engine-rest
    importEnabled: true
    authentication:
      enabled: false
      user: ''
      password: ''
    webapps:
      endpoint: http://localhost:8080/camunda
      enabled: true
es:
  connection:
    nodes:
      - host: localhost
        httpPort: 9200
    skipHostnameVerification: false
  security:
    username: null
    password: null
    ssl:
      enabled: false
      selfSigned: false
email:
  enabled: false
  authentication:
    securityProtocol: NONE
sharing:
  enabled: true
export:
  csv:
    authorizedUsers: all
entity:
  authorizedEditors: all
"""

DEFAULT_FINDINGS = [
    ("OH-CNT-001", 4),
    ("OH-KS-003", 8),
    ("OH-KS-001", 9),
    ("OH-KS-002", 9),
    ("OH-AUTH-005", 15),
    ("OH-AUTH-001", 16),
    ("OH-AUTH-007", 20),
    ("OH-HDR-006", 26),
    ("OH-CSP-002", 28),
    ("OH-CSP-005", 28),
    ("OH-CSP-006", 28),
    ("OH-CSP-009", 28),
    ("OH-ENG-001", 35),
    ("OH-ENG-002", 38),
    ("OH-ENG-006", 42),
    ("OH-DB-006", 51),
    ("OH-DB-001", 54),
    ("OH-SHR-001", 61),
    ("OH-AUTH-009", 64),
    ("OH-AUTH-011", 66),
]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pairs(text: str, profile: str = "strict", target: str = "c7") -> list[tuple[str, int]]:
    return [(f.rule_id, f.line) for f in check_text(text, load_profile(profile), target).findings]


# --- the invariants ------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["strict", "standard", "dev"])
@pytest.mark.parametrize("target", ["c7", "c8"])
def test_generated_config_passes_its_own_profile(tmp_path: Path, profile: str, target: str) -> None:
    config = write(tmp_path / "environment-config.yaml", api.generate(profile, target).text)
    report = api.check([config], profile, target)
    assert report.errors == ()
    assert [(f.rule_id, f.line, f.message) for f in report.findings] == []
    assert report.exit_code(Severity.INFO) == 0


def test_optimize_defaults_spelled_out_fail_strict_where_written() -> None:
    assert sorted(pairs(DEFAULTS), key=lambda p: (p[1], p[0])) == sorted(
        DEFAULT_FINDINGS, key=lambda p: (p[1], p[0])
    )


def test_empty_config_means_all_defaults_and_fails_strict_at_line_1() -> None:
    assert pairs("") == [(rule, 1) for rule in sorted(rule for rule, _ in DEFAULT_FINDINGS)]


def test_empty_config_on_c8_has_no_camunda_7_rules() -> None:
    c7_only = {"OH-ENG-001", "OH-ENG-002", "OH-ENG-006", "OH-AUTH-009", "OH-AUTH-011"}
    expected = sorted(rule for rule, _ in DEFAULT_FINDINGS if rule not in c7_only)
    assert pairs("# only a comment\n", target="c8") == [(rule, 1) for rule in expected]


def test_defaults_grade_d_and_the_strict_profile_grades_a_plus() -> None:
    strict = load_profile("strict")
    defaults = check_text(DEFAULTS, strict, "c7").grade
    assert (defaults.letter, defaults.score) == ("D", 35)
    generated = check_text(api.generate("strict", "c7").text, strict, "c7").grade
    assert (generated.letter, generated.score) == ("A+", 120)


# --- waivers -------------------------------------------------------------------------------------

SHARING_ON = (
    "sharing:\n  enabled: true  # optimize-harden: allow OH-SHR-001 shares go to the portal\n"
)


def test_inline_waiver_marks_the_finding_and_it_no_longer_fails(tmp_path: Path) -> None:
    config = write(tmp_path / "environment-config.yaml", api.generate("strict", "c7").text)
    config.write_text(config.read_text().replace("  enabled: false", SHARING_ON.split("\n")[1]))
    report = api.check([config], "strict", "c7")
    assert [(f.rule_id, f.severity, f.waived) for f in report.findings] == [
        ("OH-SHR-001", Severity.MEDIUM, "shares go to the portal"),
        ("OH-SHR-002", Severity.INFO, None),  # frame-ancestors 'none' blocks embedded shares
    ]
    assert report.waived == 1 and not report.failed(Severity.LOW)
    ignored = api.check([config], "strict", "c7", inline_waivers=False)
    assert [(f.rule_id, f.waived) for f in ignored.findings] == [
        ("OH-SHR-001", None),
        ("OH-SHR-002", None),
    ]
    assert ignored.failed(Severity.LOW)


def test_waiver_file_by_rule_and_path(tmp_path: Path) -> None:
    config = write(tmp_path / "environment-config.yaml", "sharing:\n  enabled: true\n")
    waivers = write(
        tmp_path / "waivers.yaml",
        "waivers:\n  - rule: OH-SHR-001\n    path: sharing.enabled\n    reason: portal embeds\n"
        "  - rule: OH-CNT-001\n    path: container.ports.https\n    reason: wrong path\n",
    )
    report = api.check([config], "strict", "c7", waivers_file=waivers, today=TODAY)
    by_rule = {f.rule_id: f.waived for f in report.findings}
    assert by_rule["OH-SHR-001"] == "portal embeds"
    assert by_rule["OH-CNT-001"] is None  # the waiver names another path


def test_expired_waiver_is_a_finding_and_no_longer_applies(tmp_path: Path) -> None:
    config = write(tmp_path / "environment-config.yaml", "sharing:\n  enabled: true\n")
    waivers = write(
        tmp_path / "waivers.yaml",
        "waivers:\n  - rule: OH-SHR-001\n    reason: until the portal moves\n"
        "    expires: 2026-01-31\n",
    )
    report = api.check([config], "strict", "c7", waivers_file=waivers, today=TODAY)
    found = [(f.rule_id, f.line, f.waived) for f in report.findings if f.line == 2]
    assert found == [("OH-SHR-001", 2, None), ("OH-WVR-001", 2, None)]
    expired = next(f for f in report.findings if f.rule_id == "OH-WVR-001")
    assert expired.message == (
        f"the waiver for OH-SHR-001 at {waivers}:2 expired on 2026-01-31; "
        "OH-SHR-001 is reported again"
    )
    still_valid = api.check(
        [config], "strict", "c7", waivers_file=waivers, today=dt.date(2026, 1, 30)
    )
    assert "OH-WVR-001" not in {f.rule_id for f in still_valid.findings}


def test_bad_waiver_file_raises(tmp_path: Path) -> None:
    config = write(tmp_path / "environment-config.yaml", "")
    waivers = write(tmp_path / "waivers.yaml", "waivers:\n  - rule: OH-SHR-001\n")
    with pytest.raises(ValuesError, match="needs a reason"):
        api.check([config], waivers_file=waivers)


# --- files, directories, errors ------------------------------------------------------------------


def test_directories_expand_to_config_files_below_them(tmp_path: Path) -> None:
    write(tmp_path / "a" / "environment-config.yaml", "")
    write(tmp_path / "a" / "b" / "environment-config-prod.yml", "")
    write(tmp_path / "a" / "service-config.yaml", "")
    write(tmp_path / "a" / "notes.txt", "")
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")  # never followed
    report = api.check([tmp_path / "a"], "strict", "c7")
    assert [Path(f.path).relative_to(tmp_path).as_posix() for f in report.files] == [
        "a/environment-config.yaml",
        "a/b/environment-config-prod.yml",
    ]


def test_a_file_named_twice_is_checked_once(tmp_path: Path) -> None:
    config = write(tmp_path / "environment-config.yaml", "")
    report = api.check([config, tmp_path, str(config)], "strict", "c7")
    assert len(report.files) == 1


def test_unreadable_and_invalid_files_are_errors_and_the_rest_is_checked(tmp_path: Path) -> None:
    good = write(tmp_path / "good.yaml", "")
    bad = write(tmp_path / "bad.yaml", "container:\n  host: [unclosed\n")
    report = api.check([bad, tmp_path / "missing.yaml", good], "strict")
    assert [f.path for f in report.files] == [str(good)]
    assert [(e.file, e.line, e.message.split(":")[0]) for e in report.errors] == [
        (str(bad), 3, "invalid YAML"),
        (str(tmp_path / "missing.yaml"), None, "file not found"),
    ]
    assert report.exit_code(Severity.CRITICAL) == 2


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    report = api.check([tmp_path / "configs"], "strict", "c7")
    assert [(e.file, e.message) for e in report.errors] == [
        (str(tmp_path / "configs"), "no environment-config*.yaml below this directory")
    ]


def test_unknown_profile_and_target_raise() -> None:
    with pytest.raises(ProfileError, match="unknown profile 'strictest'"):
        api.check([], "strictest")
    with pytest.raises(UsageError, match="unknown target 'c9'"):
        api.check([], "strict", "c9")


def test_duplicate_key_error_does_not_quote_the_values(tmp_path: Path) -> None:
    canary = "Dup-Canary-9f3b2c71-secret"
    config = write(
        tmp_path / "environment-config.yaml",
        f"api:\n  accessToken: {canary}\n  accessToken: other-{canary}\n",
    )
    report = api.check([config])
    assert [(e.line, e.column) for e in report.errors] == [(3, 3)]
    assert canary not in str(report.errors[0])


def test_secret_values_never_reach_messages_or_fixes() -> None:
    canary = "Canary-7c1e-do-not-print-0123456789"
    text = (
        f"container:\n  keystore:\n    password: {canary}\n"
        f"security:\n  auth:\n    token:\n      secret: {canary}-token\n"
        f"api:\n  accessToken: '${{API_TOKEN:{canary}}}'\n"
        f"email:\n  authentication:\n    username: {canary}\n    password: {canary}\n"
        f"es:\n  security:\n    username: elastic\n    password: '${{DB_PW:{canary}}}'\n"
    )
    findings = check_text(text, load_profile("strict"), "c7").findings
    assert {"OH-SEC-002", "OH-KS-002", "OH-AUTH-003", "OH-SEC-004"} <= {f.rule_id for f in findings}
    for finding in findings:
        assert canary not in f"{finding.message} {finding.fix} {finding.path}"


# --- registry and reference ----------------------------------------------------------------------


def test_rule_definitions_are_complete_and_well_formed() -> None:
    rules = all_rules()
    assert len(rules) >= 70
    for rule in rules.values():
        assert re.fullmatch(r"OH-[A-Z]+-\d{3}", rule.id), rule.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.title), rule.title
        assert rule.rationale and rule.remediation and rule.reference and rule.trigger, rule.id
        assert set(rule.severities) == {"strict", "standard", "dev"}, rule.id
        assert any(s is not None for s in rule.severities.values()), rule.id
        assert set(rule.targets) <= {"c7", "c8"} and rule.targets, rule.id


def test_profile_rules_and_code_rules_never_share_an_id() -> None:
    profile_ids = {rule.id for rule in all_rules().values() if rule.origin == "profile"}
    assert not profile_ids & set(CODE_RULES)
    assert {"OH-CNT-001", "OH-CSP-000", "OH-DB-006"} <= profile_ids


def test_custom_profile_rules_come_from_the_profile(tmp_path: Path) -> None:
    custom = write(
        tmp_path / "mine.yaml",
        "name: mine\nextends: strict\nsettings:\n  ui.logoutHidden:\n    rule: OH-UI-001\n"
        "    title: logout-hidden\n    value: false\n    compare: equal\n    severity: low\n"
        "    rationale: Users must be able to end their sessions.\n    source: S12\n",
    )
    profile = load_profile(str(custom))
    active = active_rules(profile, "c7")
    assert active["OH-UI-001"][1] is Severity.LOW
    assert active["OH-CSP-014"][1] is Severity.LOW  # code rules use the strict column
    found = pairs("ui:\n  logoutHidden: true\n", str(custom))
    assert ("OH-UI-001", 2) in found


def test_a_custom_profile_may_not_reuse_a_code_rule_id(tmp_path: Path) -> None:
    custom = write(
        tmp_path / "bad.yaml",
        "name: bad\nextends: standard\nsettings:\n  ui.logoutHidden:\n    rule: OH-SEC-001\n"
        "    title: x\n    value: false\n    compare: equal\n    severity: low\n"
        "    rationale: r\n    source: S12\n",
    )
    with pytest.raises(ProfileError, match="OH-SEC-001"):
        Checker(load_profile(str(custom)), "c7")


def test_get_rule_is_case_insensitive_and_suggests() -> None:
    assert get_rule("oh-cnt-001").title == "http-connector-enabled"
    with pytest.raises(UsageError, match="did you mean OH-CNT-001"):
        get_rule("OH-CNT-01")


def test_docs_rules_md_is_generated_from_the_definitions() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), (
        "docs/rules.md is stale: run python -m hardener.check.rules.docs"
    )
    for rule_id in all_rules():
        assert f"### {rule_id} " in DOC_PATH.read_text(encoding="utf-8")
