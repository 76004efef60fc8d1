"""Run one inline config through the real checker and keep the findings of one rule.

Like yamllint's rule tests, each case looks at a single rule: the exact list of
``(rule_id, line)`` pairs it produces, so other rules firing on the same snippet do not blur
what is being tested.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import pytest

from hardener.check.audit import FileReport, check_text
from hardener.profiles import Profile, load_profile


@dataclass(frozen=True)
class Case:
    """A config and the lines at which ``rule`` must fire (none: it must stay silent)."""

    rule: str
    text: str
    lines: tuple[int, ...] = ()
    profile: str = "strict"
    target: str = "c7"
    name: str = ""


@functools.cache
def profile(name: str) -> Profile:
    return load_profile(name)


def report(text: str, profile_name: str = "strict", target: str = "c7") -> FileReport:
    return check_text(textwrap.dedent(text), profile(profile_name), target)


def hits(text: str, rule: str, profile_name: str = "strict", target: str = "c7") -> list[tuple]:
    """Sorted (rule_id, line) pairs of ``rule`` for an inline config."""
    found = report(text, profile_name, target).findings
    return sorted((f.rule_id, f.line) for f in found if f.rule_id == rule)


def actual(case: Case) -> list[tuple]:
    """What the checker reports for the case's rule."""
    return hits(case.text, case.rule, case.profile, case.target)


def expected(case: Case) -> list[tuple]:
    return [(case.rule, line) for line in case.lines]


def params(cases: Iterable[Case]) -> list[object]:
    """pytest params with readable ids: RULE-hit-name / RULE-ok-name."""
    return [
        pytest.param(case, id=f"{case.rule}-{'hit' if case.lines else 'ok'}-{case.name or index}")
        for index, case in enumerate(cases)
    ]
