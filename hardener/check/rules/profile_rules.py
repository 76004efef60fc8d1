"""Rules derived from profile settings: one rule per setting, judged by ``compare.judge``.

A profile says, per key, what value it wants and how a user's value compares with it. Auditing
that is the same for every setting, so these rules are data (the profiles) run by one generic
check, as yamllint's simple rules and Mozilla's guideline tables are:

* an absent key means Optimize's default applies, so the default is judged, and the finding
  points at the nearest existing parent block (or line 1);
* a present value is judged where it is written;
* settings with compare ``any`` describe structure (what ``generate`` writes) and are never
  findings;
* ``*`` in a path stands for every engine alias in the file (for c7 without an ``engines`` map,
  Optimize's own default engine ``camunda-bpm`` is in force); ``{db}`` for each of ``es`` and
  ``opensearch`` present (the default database when neither is).

Two kinds of setting defer to specialised rules so that one problem gives one finding: the
Content-Security-Policy value is audited issue by issue by OH-CSP-001 … OH-CSP-015 (its setting
rule only reports a policy taken from a variable where the profile pins literals), and a secret
placeholder with a literal default is OH-SEC-002.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

from hardener.check.rules.base import LEVELS, Hit, Rule, RuleContext, Value, truthy
from hardener.compare import judge, normalise
from hardener.model import as_placeholder
from hardener.profiles import (
    Compare,
    Profile,
    Setting,
    Severity,
    expand_setting_path,
    setting_path_matches,
)
from hardener.yaml import DocPath

DEFAULT_ENGINE_ALIAS = "camunda-bpm"
"""The engine Optimize 3.x configures by itself when the file has no ``engines`` map."""

GATES: tuple[tuple[str, str], ...] = (
    ("email.", "email.enabled"),
    ("engines.*.authentication.user", "engines.*.authentication.enabled"),
    ("engines.*.authentication.password", "engines.*.authentication.enabled"),
)
"""(setting path prefix, boolean key): the setting only matters while the key is true.

Mail transport settings are irrelevant while e-mail is off, and engine credentials while engine
authentication is off (OH-ENG-002 already reports that). ``*`` refers to the same engine alias.
"""

_CREDENTIAL_NAMES = frozenset({"user", "username"})
_NOT_JUDGED = (Compare.ANY,)


def derive_rules(profiles: Iterable[Profile]) -> dict[str, Rule]:
    """One rule per distinct rule id across ``profiles``, with each profile's severity.

    Texts come from the first profile that defines the rule (pass the base profile first); a
    level where the setting is absent or not judged (compare ``any``) shows no severity.
    """
    rules: dict[str, Rule] = {}
    severities: dict[str, dict[str, Severity]] = {}
    for profile in profiles:
        level = level_of(profile)
        for setting in profile.settings.values():
            if setting.compare in _NOT_JUDGED:
                continue
            rules.setdefault(setting.rule, _rule_from(setting))
            severities.setdefault(setting.rule, {})[level] = setting.severity
    return {
        rule_id: replace(rule, severities=_full(severities[rule_id]))
        for rule_id, rule in rules.items()
    }


def _full(found: Mapping[str, Severity]) -> dict[str, Severity | None]:
    return {level: found.get(level) for level in LEVELS}


def _rule_from(setting: Setting) -> Rule:
    trigger = _TRIGGERS[setting.compare].format(value=_show(setting.value))
    return Rule(
        id=setting.rule,
        title=setting.title,
        severities={},
        rationale=setting.rationale,
        remediation=setting.fix or setting.rationale,
        reference=setting.source,
        targets=setting.targets,
        origin="profile",
        trigger=f"`{setting.path}` {trigger}",
    )


_TRIGGERS: Mapping[Compare, str] = {
    Compare.EQUAL: "is not {value}",
    Compare.AT_LEAST: "is below the profile's minimum",
    Compare.AT_MOST: "is above the profile's maximum (or not a positive number)",
    Compare.PLACEHOLDER: "is a literal instead of a `${{VAR}}` placeholder",
    Compare.HTTPS: "is not an `https://` URL",
    Compare.NOT_IN: "holds a value the profile forbids",
    Compare.ONE_OF: "is not one of the values the profile allows",
    Compare.CSP: "comes from a variable where the profile pins the policy (the policy itself "
    "is audited by OH-CSP-001 … OH-CSP-015)",
    Compare.ANY: "",
}


def level_of(profile: Profile) -> str:
    """The severity column of a profile: its own name or the built-in profile it extends."""
    return next((name for name in profile.chain if name in LEVELS), "standard")


# --- the generic check ------------------------------------------------------------------------


def check(ctx: RuleContext) -> Iterator[Hit]:
    """Judge every profile setting that applies to the target at each place it names."""
    for setting in ctx.profile.for_target(ctx.target):
        if setting.compare in _NOT_JUDGED:
            continue
        for path in expand(setting.path, ctx):
            if gate_open(setting.path, path, ctx):
                yield from _judge_at(setting, path, ctx)


def expand(pattern: str, ctx: RuleContext) -> list[DocPath]:
    """Concrete paths of a setting in this file: ``{db}`` sections and ``*`` map keys."""
    return expand_setting_path(pattern, ctx.db_sections, lambda prefix: _wildcard_keys(prefix, ctx))


def _wildcard_keys(prefix: DocPath, ctx: RuleContext) -> tuple[str, ...]:
    present, _ = ctx.doc.lookup(prefix)
    if not present and prefix == ("engines",) and ctx.target == "c7":
        return (DEFAULT_ENGINE_ALIAS,)
    return ctx.keys_at(prefix)


def gate_open(pattern: str, path: DocPath, ctx: RuleContext) -> bool:
    """False while the key that switches this setting's feature on is false."""
    for prefix, switch in GATES:
        if pattern.startswith(prefix):
            switch_path = _same_alias(switch, path)
            return truthy(ctx.value(switch_path), default=True)
    return True


def _same_alias(switch: str, path: DocPath) -> DocPath:
    """Fill the switch's ``*`` with the segment the setting's path has at that position."""
    parts = switch.split(".")
    return tuple(path[i] if part == "*" else part for i, part in enumerate(parts))


def covering_setting(path: DocPath, ctx: RuleContext, compare: Compare) -> Setting | None:
    """The applicable profile setting of kind ``compare`` that audits ``path``, if any."""
    for setting in ctx.profile.for_target(ctx.target):
        if setting.compare is compare and setting_path_matches(setting.path, path):
            return setting if gate_open(setting.path, path, ctx) else None
    return None


def _judge_at(setting: Setting, path: DocPath, ctx: RuleContext) -> Iterator[Hit]:
    value = ctx.value(path)
    if setting.optional and value.value in (None, "", []) and value.known:
        return
    if setting.compare is Compare.CSP and not (value.is_placeholder and ctx.judge_context.pinned):
        return
    if setting.compare is Compare.PLACEHOLDER and _has_literal_default(value):
        return  # OH-SEC-002 reports a secret placeholder with a default
    verdict = judge(setting, value, ctx.judge_context)
    if verdict.ok:
        return
    yield Hit(
        rule=setting.rule,
        path=path,
        message=_message(setting, path, value.present, verdict.reason, ctx),
        severity=setting.severity,
        fix=setting.fix or setting.rationale,
    )


def _has_literal_default(value: Value) -> bool:
    """The file's own placeholder has a literal default (the shipped defaults' do not count)."""
    placeholder = value.present and as_placeholder(value.raw) is not None
    return placeholder and value.literal and value.value is not None


def _message(setting: Setting, path: DocPath, present: bool, reason: str, ctx: RuleContext) -> str:
    dotted = ctx.dotted(path)
    sensitive = _sensitive(path, ctx)
    if not present:
        return f"{dotted} is not set, so {_default_phrase(setting, path, sensitive, ctx)}"
    empty = ctx.value(path).value in (None, "")
    if sensitive and setting.compare is not Compare.PLACEHOLDER:
        reason = "is empty" if empty else "holds a value this profile does not allow (not shown)"
    elif setting.compare is Compare.PLACEHOLDER and empty:
        reason = "is empty; give it a ${VAR} placeholder"
    return f"{dotted} {reason}" if reason.startswith(("is ", "must ")) else f"{dotted}: {reason}"


def _default_phrase(setting: Setting, path: DocPath, sensitive: bool, ctx: RuleContext) -> str:
    seen = ctx.value(path)
    default = normalise(seen.value) if seen.known else seen.raw  # "8090" from ${VAR:8090}
    if setting.compare is Compare.PLACEHOLDER:
        if default in (None, ""):
            return "it is empty; give it a ${VAR} placeholder"
        return "Optimize uses its shipped default, which is publicly known"
    if sensitive and default not in (None, ""):
        return "Optimize's default applies, which this profile does not allow"
    reason = judge(setting, ctx.value(path), ctx.judge_context).reason
    if not reason.startswith(("is ", "must ")):
        reason = "this profile does not allow"
    return f"Optimize's default ({_show(default)}) applies, which {reason}"


def _sensitive(path: DocPath, ctx: RuleContext) -> bool:
    """Credentials (secrets and account names) are never echoed in messages."""
    spec = ctx.catalog.lookup(path)
    return (spec is not None and spec.secret) or str(path[-1]) in _CREDENTIAL_NAMES


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)
