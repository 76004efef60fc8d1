"""Rule reference texts rendered from the rule definitions: docs/rules.md, rules and explain.

``docs/rules.md`` is generated, never edited by hand. Regenerate it after changing a rule or a
profile with ``python -m hardener.check.rules.docs``; ``--check`` exits 1 when the file is stale
(a test does the same).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from hardener.check.rules import all_rules, get_rule
from hardener.check.rules.base import LEVELS, Rule
from hardener.profiles import Severity

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "rules.md"
"""Where the generated reference lives in a source checkout."""

_AREAS: Mapping[str, str] = {
    "API": "Public API",
    "AUTH": "Authentication and sessions",
    "CNT": "Web server (container)",
    "CSP": "Content-Security-Policy",
    "DB": "Elasticsearch / OpenSearch",
    "DOC": "Doctor: files and live services",
    "ENG": "Camunda 7 engines",
    "HDR": "Response headers",
    "KEY": "Keys",
    "KS": "Keystore",
    "NTF": "Notifications",
    "SEC": "Secrets and placeholders",
    "SHR": "Sharing",
    "WVR": "Waivers",
    "YAML": "How Optimize reads the file",
}

_INTRO = """\
# Audit rules

Generated from the rule definitions by `python -m hardener.check.rules.docs`; do not edit by hand.
`optimize-harden rules` lists the same rules and `optimize-harden explain RULE-ID` shows one.

Each rule has a stable id (never reused) and a slug. Its severity depends on the profile the
check runs with: the columns below are the built-in profiles `strict`, `standard` and `dev`, and
"—" means the rule does not apply there. A custom profile uses the column of the built-in profile
it extends. *profile* rules are derived from the profile settings (a key compared with the
profile's value); *code* rules need logic. References are keys of [sources.md](sources.md).

An absent key is judged by Optimize's default and reported at its nearest existing parent block
(or line 1). For Camunda 7, a file without an `engines` map runs Optimize's default engine
`camunda-bpm` (plain HTTP, no authentication), which the engine rules report at line 1.
"""


def _severity(value: Severity | None) -> str:
    return value.label if value is not None else "—"


def _area(rule_id: str) -> str:
    return rule_id.split("-")[1]


def render_markdown(rules: Mapping[str, Rule] | None = None) -> str:
    """The whole rule reference as Markdown."""
    rules = rules if rules is not None else all_rules()
    lines = [_INTRO, _summary_table(rules.values()), ""]
    for area, title in _AREAS.items():
        members = [rule for rule in rules.values() if _area(rule.id) == area]
        if members:
            lines.append(f"## {title}\n")
            lines.extend(_rule_section(rule) for rule in members)
    return "\n".join(lines).rstrip("\n") + "\n"


def _summary_table(rules: Iterable[Rule]) -> str:
    head = (
        "| Id | Title | strict | standard | dev | Targets | Kind |\n|---|---|---|---|---|---|---|"
    )
    rows = [
        f"| [{r.id}](#{r.id.lower()}-{r.title}) | {r.title} | "
        + " | ".join(_severity(r.severity_at(level)) for level in LEVELS)
        + f" | {', '.join(r.targets)} | {r.origin} |"
        for r in rules
    ]
    return "\n".join([head, *rows])


def _rule_section(rule: Rule) -> str:
    severities = ", ".join(f"{level} {_severity(rule.severity_at(level))}" for level in LEVELS)
    return (
        f"### {rule.id} {rule.title}\n\n"
        f"Severity: {severities}. Targets: {', '.join(rule.targets)}. Kind: {rule.origin}.\n\n"
        f"**Trigger:** {rule.trigger}.\n\n"
        f"**Why.** {rule.rationale}\n\n"
        f"**Fix.** {rule.remediation}\n\n"
        f"**Reference.** {rule.reference}\n"
    )


def rules_table() -> str:
    """Plain-text listing for ``optimize-harden rules``."""
    rules = all_rules()
    lines = [f"{'ID':<12} {'TITLE':<34} {'STRICT':<9} {'STANDARD':<9} {'DEV':<9} TARGETS"]
    for rule in rules.values():
        severities = " ".join(f"{_severity(rule.severity_at(lv)):<9}" for lv in LEVELS)
        lines.append(f"{rule.id:<12} {rule.title:<34} {severities} {','.join(rule.targets)}")
    lines.append(f"{len(rules)} rules; 'optimize-harden explain RULE-ID' shows one")
    return "\n".join(lines) + "\n"


def rules_json() -> str:
    """Machine-readable listing for ``optimize-harden rules --format json``."""
    return json.dumps([rule_dict(rule) for rule in all_rules().values()], indent=2) + "\n"


def rule_dict(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.id,
        "title": rule.title,
        "severity": {level: _json_severity(rule.severity_at(level)) for level in LEVELS},
        "targets": list(rule.targets),
        "kind": rule.origin,
        "trigger": rule.trigger,
        "rationale": rule.rationale,
        "remediation": rule.remediation,
        "reference": rule.reference,
    }


def _json_severity(value: Severity | None) -> str | None:
    return value.label if value is not None else None


def explain(rule_id: str) -> str:
    """Everything about one rule, for ``optimize-harden explain``."""
    rule = get_rule(rule_id)
    severities = ", ".join(f"{level} {_severity(rule.severity_at(level))}" for level in LEVELS)
    return (
        f"{rule.id} {rule.title}\n\n"
        f"Severity:   {severities}\n"
        f"Targets:    {', '.join(rule.targets)}\n"
        f"Kind:       {rule.origin}\n"
        f"Trigger:    {rule.trigger}\n\n"
        f"Why: {rule.rationale}\n\n"
        f"Fix: {rule.remediation}\n\n"
        f"Reference: {rule.reference} (see docs/sources.md)\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write docs/rules.md, or with --check report whether it is up to date."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not DOC_PATH.parent.is_dir():
        print("docs/ not found: run this from a source checkout of optimize-harden")
        return 2
    text = render_markdown()
    current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else None
    if "--check" in args:
        if current != text:
            print(f"{DOC_PATH} is out of date; run: python -m hardener.check.rules.docs")
            return 1
        return 0
    if current != text:
        DOC_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
