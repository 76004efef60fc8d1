"""Waiver rules: an accepted deviation that has run out is a finding of its own.

Waivers are reviews with a date. When the date passes, the waiver stops hiding its finding and
this rule says so, next to the finding, so the owner renews the decision or fixes the problem.
``hardener.check.audit`` applies waivers; this module only defines the rule.
"""

from __future__ import annotations

from hardener.check.rules.base import L, Rule, levels

EXPIRED = "OH-WVR-001"

RULES: tuple[Rule, ...] = (
    Rule(
        id=EXPIRED,
        title="expired-waiver",
        severities=levels(L, L, L),
        rationale="A waiver records a reviewed exception until a date; after it the exception "
        "needs a new review, so the finding it covered is reported again.",
        remediation="Fix the finding, or renew the waiver with a new reason and expiry date.",
        reference="waiver files (optimize-harden check --waivers)",
        trigger="a waiver file entry whose expires date has passed matches a finding",
    ),
)

CHECKS = ()
