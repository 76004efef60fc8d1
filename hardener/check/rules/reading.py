"""Reading rules: where Optimize's reader holds something other than what the file seems to say.

Optimize reads its configuration with Jackson's YAML tree (``hardener.yaml`` reads it the same
way) and merges it over its shipped defaults (``hardener.model``). Three things a YAML library
would have done are not done there:

* an alias is the anchor's **name** as text: ``authentication: *engine_auth`` gives the engine the
  text ``"engine_auth"``, and every setting the anchored block held stays at its default;
* ``<<`` merges nothing: it is a key literally named ``<<``, so the keys written under it are not
  where Optimize looks (and a class-bound section may refuse the unknown key);
* a text, number or list where Optimize's default is a block of keys is dropped by the merge,
  so the block keeps its defaults.

The settings the operator believes in force are then at Optimize's defaults, which is why these
are high where the key is part of Optimize's security surface.
"""

from __future__ import annotations

from collections.abc import Iterator

from hardener.check.rules.base import H, Hit, M, Rule, RuleContext, levels
from hardener.model import ignored_by_merge
from hardener.profiles import Severity
from hardener.yaml import DocPath
from hardener.yaml.tree import MERGE_KEY

ALIAS = "OH-YAML-001"
MERGE = "OH-YAML-002"
DROPPED = "OH-YAML-003"

SECURITY_SECTIONS = frozenset(
    {"container", "security", "api", "engines", "es", "opensearch", "email", "auth", "plugin",
     "sharing", "webhookAlerting", "zeebe", "m2mClient", "export", "entity"}
)  # fmt: skip
"""Top-level sections whose values decide TLS, authentication, credentials or exposure."""

_SOURCE = "S12; S29"

RULES: tuple[Rule, ...] = (
    Rule(
        id=ALIAS,
        title="alias-read-as-text",
        severities=levels(H, H, M),
        rationale="Optimize's YAML reader does not resolve aliases: the key holds the anchor's "
        "name as text, and whatever the anchored value set stays at Optimize's default.",
        remediation="Write the value out in place of the alias (anchors and aliases do not work "
        "in Optimize's configuration).",
        reference=_SOURCE,
        trigger="an alias (*name) as the value of a key Optimize reads; medium outside the "
        "security-relevant sections",
    ),
    Rule(
        id=MERGE,
        title="merge-key-ignored",
        severities=levels(H, H, M),
        rationale="Optimize's YAML reader does not apply merge keys: '<<' is an ordinary key, "
        "so the settings under it are not where Optimize reads them (and a class-bound "
        "section may refuse the unknown key at start-up).",
        remediation="Move the keys from under '<<' into the block itself and remove the '<<' key.",
        reference=_SOURCE,
        trigger="a '<<' key in a block Optimize reads; medium outside the security-relevant "
        "sections",
    ),
    Rule(
        id=DROPPED,
        title="value-dropped-by-merge",
        severities=levels(H, H, M),
        rationale="Where Optimize's default is a block of keys, it merges the file's value into "
        "that block; a text, number or list there has no keys to merge, so Optimize silently "
        "keeps the whole default block.",
        remediation="Write the setting as the block of keys Optimize expects.",
        reference=_SOURCE,
        trigger="a value that is not a block (and not null) where the shipped default is a "
        "block; medium outside the security-relevant sections",
    ),
)


def _cap(path: DocPath) -> Severity | None:
    """Medium outside the sections that decide TLS, authentication and credentials."""
    return None if str(path[0]) in SECURITY_SECTIONS else M


def check_aliases(ctx: RuleContext) -> Iterator[Hit]:
    """OH-YAML-001: each alias under a key Optimize reads."""
    for path, anchor in ctx.doc.aliases.items():
        if not ctx.catalog.is_known(path):
            continue  # an unknown key: OH-KEY-001/002 report it
        yield Hit(
            ALIAS,
            path,
            f"{ctx.dotted(path)} is an alias (*{anchor}); Optimize reads it as the text "
            f"{anchor!r}, not as the anchored value",
            cap=_cap(path),
        )


def check_merge_keys(ctx: RuleContext) -> Iterator[Hit]:
    """OH-YAML-002: each ``<<`` key in a block Optimize reads."""
    for path in ctx.doc.merge_keys:
        parent = path[:-1]
        if parent and not ctx.catalog.is_known(parent):
            continue
        where = ctx.dotted(parent) if parent else "the top level"
        yield Hit(
            MERGE,
            path,
            f"'<<' in {where} is an ordinary key to Optimize: the keys under it are ignored",
            at="key",
            cap=_cap(path),
        )


def check_dropped(ctx: RuleContext) -> Iterator[Hit]:
    """OH-YAML-003: values the merge over the defaults drops."""
    for path in ignored_by_merge(ctx.view.defaults, ctx.doc.data):
        if ctx.doc.lookup(path)[1] is None:
            continue  # an empty block: nothing was meant to be set
        yield Hit(
            DROPPED,
            path,
            f"{ctx.dotted(path)} is not a block of keys, so Optimize drops it and keeps its "
            "default block",
            cap=_cap(path),
        )


def is_merge_key(path: DocPath) -> bool:
    """For the key rules: a ``<<`` key is reported here, not as an unknown key."""
    return bool(path) and path[-1] == MERGE_KEY


CHECKS = (check_aliases, check_merge_keys, check_dropped)
