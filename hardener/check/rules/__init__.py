"""The rule registry: every rule by id, listed explicitly, and the checks that produce hits.

Rules come from two places. Simple "this key must compare so with the profile's value" rules are
derived from the profiles themselves (``profile_rules``), so a profile change is an audit change
with no code. Rules that need logic live as small functions, one module per area:

* ``reading``: aliases, merge keys and dropped values, which Optimize's reader sees otherwise;
* ``keys``: unknown, deleted and 2.x keys;
* ``secrets``: literal, defaulted, unresolvable and weak credentials;
* ``auth``: token secret, API token, superusers, SSO plugin;
* ``transport``: actuator exposure, keystore format, database credentials and proxy, webhooks;
* ``headers``: the CSP analysis, HSTS edge cases, sharing versus framing;
* ``waivers``: expired waivers;
* ``doctor``: what ``doctor`` finds in files and live services (never applied by ``check``).

Nothing registers itself on import: the tuples below are the registry.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping

from hardener.check.rules import (
    auth,
    doctor,
    headers,
    keys,
    profile_rules,
    reading,
    secrets,
    transport,
    waivers,
)
from hardener.check.rules.base import LEVELS, Check, Rule
from hardener.errors import ProfileError, UsageError
from hardener.profiles import Profile, Severity

CODE_RULE_SETS: tuple[tuple[Rule, ...], ...] = (
    reading.RULES,
    keys.RULES,
    secrets.RULES,
    auth.RULES,
    transport.RULES,
    headers.RULES,
    waivers.RULES,
)

CHECKS: tuple[Check, ...] = (
    profile_rules.check,
    *reading.CHECKS,
    *keys.CHECKS,
    *secrets.CHECKS,
    *auth.CHECKS,
    *transport.CHECKS,
    *headers.CHECKS,
)

BUILTIN_PROFILES: tuple[str, ...] = ("standard", "strict", "dev")
"""Base profile first: its texts describe the profile rules in the reference."""


def _index(rules: Iterable[Rule]) -> dict[str, Rule]:
    indexed: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in indexed:
            raise ValueError(f"rule id {rule.id} is defined twice")
        indexed[rule.id] = rule
    return indexed


CODE_RULES: Mapping[str, Rule] = _index(rule for group in CODE_RULE_SETS for rule in group)
DOCTOR_RULES: Mapping[str, Rule] = _index(doctor.RULES)


@functools.cache
def all_rules() -> Mapping[str, Rule]:
    """Every rule of the built-in profiles and of the code, sorted by id."""
    from hardener.profiles import load_profile

    derived = profile_rules.derive_rules(load_profile(name) for name in BUILTIN_PROFILES)
    clash = sorted(set(derived) & set(CODE_RULES))
    if clash:
        raise ProfileError(f"profile rule id(s) {', '.join(clash)} are also code rules")
    clash = sorted(set(DOCTOR_RULES) & (set(derived) | set(CODE_RULES)))
    if clash:
        raise ProfileError(f"doctor rule id(s) {', '.join(clash)} are also check rules")
    merged = {**derived, **CODE_RULES, **DOCTOR_RULES}
    return {rule_id: merged[rule_id] for rule_id in sorted(merged)}


def get_rule(rule_id: str) -> Rule:
    """A rule by id (case-insensitive), or a UsageError with the closest ids."""
    rules = all_rules()
    wanted = rule_id.strip().upper()
    if wanted in rules:
        return rules[wanted]
    close = difflib.get_close_matches(wanted, list(rules), n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    raise UsageError(f"unknown rule {rule_id!r}{hint}; 'optimize-harden rules' lists them all")


def active_rules(profile: Profile, target: str) -> Mapping[str, tuple[Rule, Severity]]:
    """The rules a check with ``profile`` and ``target`` applies, with their severity there.

    Profile rules take severity and texts from the profile actually used (a custom profile may
    define its own rules); code rules use the profile's level (strict, standard or dev).
    """
    level = profile_rules.level_of(profile)
    active: dict[str, tuple[Rule, Severity]] = {}
    own = profile_rules.derive_rules([profile])
    for setting in profile.for_target(target):
        if setting.rule in own and setting.rule not in active:
            if setting.rule in CODE_RULES:
                raise ProfileError(f"setting {setting.path!r} uses the code rule id {setting.rule}")
            rule = all_rules().get(setting.rule, own[setting.rule])
            active[setting.rule] = (rule, setting.severity)
    for rule in CODE_RULES.values():
        severity = rule.severity_at(level)
        if severity is not None and target in rule.targets:
            active[rule.id] = (rule, severity)
    return {rule_id: active[rule_id] for rule_id in sorted(active)}


__all__ = [
    "CHECKS",
    "CODE_RULES",
    "DOCTOR_RULES",
    "LEVELS",
    "Rule",
    "active_rules",
    "all_rules",
    "get_rule",
]
