"""The vocabulary every rule module shares: rules, hits, the parsed document and the context.

A *rule* is a definition (id, slug, severities, why, how to fix, where the fact comes from). A
*check* is a small function that looks at one parsed configuration and yields *hits*: a rule id,
the key path it is about and a message. ``hardener.check.audit`` turns hits into findings (position,
severity, waiver) so rule code never deals with line numbers, waivers or output formats.

Severities depend on the profile: the same open HTTP port is worse on the internet (strict) than
on a laptop (dev). A code rule therefore carries one severity per built-in profile level, and
``None`` where the rule does not apply at that level.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from hardener.catalog import TARGETS, Catalog, format_path
from hardener.compare import Context
from hardener.model import Seen, View
from hardener.profiles import DATABASES, Profile, Severity
from hardener.yaml import Config, DocPath

LEVELS: tuple[str, ...] = ("strict", "standard", "dev")
"""Severity columns: the built-in profiles. A custom profile uses the level it extends."""

C, H, M, L, I = (  # noqa: E741 - short names keep the severity tables readable
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)

_LOOPBACK = ("localhost", "127.", "::1", "[::1]", "ip6-localhost")


def levels(
    strict: Severity | None, standard: Severity | None, dev: Severity | None
) -> Mapping[str, Severity | None]:
    """A severity per profile level, in the strict/standard/dev order of the baselines."""
    return {"strict": strict, "standard": standard, "dev": dev}


@dataclass(frozen=True)
class Rule:
    """One audit rule: what it finds, how bad it is per profile, why, and how to fix it."""

    id: str
    title: str  # kebab-case slug, stable like the id
    severities: Mapping[str, Severity | None]
    rationale: str
    remediation: str
    reference: str
    targets: tuple[str, ...] = TARGETS
    origin: str = "code"  # "code" or "profile" (derived from profile settings)
    trigger: str = ""  # when it fires, in one sentence

    def severity_at(self, level: str) -> Severity | None:
        return self.severities.get(level)


@dataclass(frozen=True)
class Hit:
    """What a check reports: the rule, the key path it concerns and a message without secrets.

    ``severity`` and ``fix`` override the rule's own (profile rules take both from the setting);
    ``cap`` lowers the rule's severity for a milder case of the same problem. ``at`` says where
    the finding points when the key exists: its ``value`` or its ``key``.
    """

    rule: str
    path: DocPath
    message: str
    severity: Severity | None = None
    fix: str | None = None
    at: str = "value"
    cap: Severity | None = None


Value = Seen
"""A key's value as Optimize holds it with no variables set (see ``model.Seen``): ``known`` is
False when it comes from ``${VAR}`` without a default, and rules then stay silent about it."""


def truthy(value: Value, default: bool) -> bool:
    """A boolean as Optimize coerces it ("true"/"false" strings too); unknown keeps ``default``."""
    if not value.known:
        return default
    item = value.value
    if isinstance(item, bool):
        return item
    if isinstance(item, str) and item.strip().lower() in ("true", "false"):
        return item.strip().lower() == "true"
    return default


def as_int(value: Value) -> int | None:
    """An integer (or numeric string) value; None for anything else or unknown."""
    item = value.value if value.known else None
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item
    if isinstance(item, str) and item.strip().lstrip("+-").isdigit():
        return int(item.strip())
    return None


def is_loopback(host: str) -> bool:
    """True for names and addresses that only the local machine can reach."""
    text = host.strip().lower()
    return text.startswith(_LOOPBACK) or text == "::1"


def is_empty(item: Any) -> bool:
    return item is None or item == "" or item == [] or item == {}


@dataclass
class RuleContext:
    """Everything a check may ask about one file under one profile and target."""

    doc: Config
    catalog: Catalog
    profile: Profile
    target: str
    level: str
    default_db: str = "es"
    _values: dict[DocPath, Value] = field(default_factory=dict, repr=False)
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute something several checks need once per file."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def view(self) -> View:
        """What Optimize holds for this file: its defaults under it, placeholders resolved."""
        return View(self.doc, self.target)

    def value(self, path: DocPath) -> Value:
        """The key's value as Optimize holds it; for a key that neither the file nor the
        shipped defaults set, the catalog's default (what the Java field starts with)."""
        seen = self.view.get(path)
        if seen.origin != "unset":
            return seen
        spec = self.catalog.lookup(path)
        if spec is None or not spec.has_default:
            return seen
        return Seen(path, False, spec.default, spec.default, True, "unset")

    @cached_property
    def serves_https(self) -> bool:
        """HTTPS cannot be switched off in Optimize; only a null port (which fails) stops it."""
        https = self.value(("container", "ports", "https"))
        return not https.known or https.value is not None

    @cached_property
    def http_only(self) -> bool:
        """Users reach Optimize over plain HTTP: no HTTPS listener, or an http:// access URL."""
        http = self.value(("container", "ports", "http"))
        access = self.value(("container", "accessUrl")).value
        plain_access = isinstance(access, str) and access.strip().lower().startswith("http://")
        http_open = not http.known or http.value is not None
        return plain_access or (not self.serves_https and http_open)

    @cached_property
    def judge_context(self) -> Context:
        """The context ``compare.judge`` needs, computed from this file."""
        from hardener.plan import context_for

        base = context_for(self.profile)
        return Context(
            pinned=base.pinned,
            strict=base.strict,
            serves_https=self.serves_https,
            http_only=self.http_only,
        )

    @cached_property
    def db_sections(self) -> tuple[str, ...]:
        """es and/or opensearch as present in the file; the default database when neither is."""
        present = tuple(name for name in DATABASES if name in self.doc.data)
        return present or (self.default_db,)

    def keys_at(self, path: DocPath) -> tuple[str, ...]:
        """Map keys present at ``path`` (engine aliases, webhook names)."""
        present, node = self.doc.lookup(path)
        if not present or not isinstance(node, dict):
            return ()
        return tuple(str(key) for key in node)

    def dotted(self, path: DocPath) -> str:
        return format_path(path)


Check = Callable[[RuleContext], Iterator[Hit]]
"""A check yields the hits of the rules it owns for one file."""
