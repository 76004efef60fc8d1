"""Every registered rule has an inline config that triggers it and one that does not."""

from __future__ import annotations

from hardener.check.rules import DOCTOR_RULES, all_rules

from . import (
    test_auth,
    test_headers,
    test_keys,
    test_profile_rules,
    test_reading,
    test_secrets,
    test_transport,
)

ALL_CASES = [
    *test_auth.CASES,
    *test_headers.CASES,
    *test_keys.CASES,
    *test_profile_rules.CASES,
    *test_reading.CASES,
    *test_secrets.CASES,
    *test_transport.CASES,
]

# Rules whose findings come from outside a single config, tested where that input exists.
ELSEWHERE = {
    "OH-WVR-001": "tests/test_check.py (expired waiver files)",
    **{rule: "tests/test_doctor_*.py (files and live servers)" for rule in DOCTOR_RULES},
}


def test_every_rule_is_triggered_by_a_case() -> None:
    triggered = {case.rule for case in ALL_CASES if case.lines}
    missing = set(all_rules()) - triggered - set(ELSEWHERE)
    assert not missing, sorted(missing)


def test_every_rule_has_a_passing_case() -> None:
    passing = {case.rule for case in ALL_CASES if not case.lines}
    missing = set(all_rules()) - passing - set(ELSEWHERE)
    assert not missing, sorted(missing)


def test_cases_name_only_registered_rules() -> None:
    assert {case.rule for case in ALL_CASES} <= set(all_rules())
