"""Resolve profile x target x site values into the concrete settings to write.

This is where every decision of ``generate`` is made (templates only place what comes out): which
settings apply to the target, where each value comes from, whether it is written as a literal or
as ``${VAR:value}``, and whether a site value would break the profile it is meant to satisfy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hardener.catalog import Catalog, format_path, load_catalog
from hardener.compare import Context, judge
from hardener.errors import ProfileError, ValuesError
from hardener.model import render_placeholder
from hardener.profiles import Compare, Profile, Setting, WriteMode, expand_setting_path
from hardener.values import SiteValues
from hardener.yaml import DocPath


@dataclass(frozen=True)
class Planned:
    """One setting, resolved: the concrete path and the exact value written there."""

    setting: Setting
    path: DocPath
    value: Any  # the value Optimize should end up with (placeholders for secrets)
    written: Any  # what the file holds: the value, or ${VAR:value}
    env: str | None  # the variable Optimize's defaults read for this key, if any
    secret: bool
    required_var: str | None  # variable the operator must set before starting Optimize

    @property
    def dotted(self) -> str:
        return format_path(self.path)


def site_database(site: SiteValues) -> str:
    """The database section (``es`` or ``opensearch``) the site values choose."""
    return "es" if site.values.get("database", "elasticsearch") == "elasticsearch" else "opensearch"


def expand_path(pattern: str, site: SiteValues) -> DocPath:
    """A setting path for a new config: the site's database section and engine alias."""
    return expand_setting_path(
        pattern, [site_database(site)], lambda _: [str(site.values["engine.alias"])]
    )[0]


def context_for(profile: Profile) -> Context:
    """The judging context a profile implies for its own values."""
    return Context(
        pinned=profile.write_mode is WriteMode.LITERAL,
        strict="strict" in profile.chain,
        http_only=False,
    )


def build_plan(profile: Profile, target: str, site: SiteValues) -> list[Planned]:
    """All settings of ``profile`` for ``target``, in the order of Optimize's own config."""
    catalog = load_catalog(target)
    planned = []
    for setting in profile.for_target(target):
        item = _plan_one(profile, setting, catalog, site)
        if item is not None:
            planned.append(item)
    order = {pattern: index for index, pattern in enumerate(catalog.keys)}
    return sorted(planned, key=lambda p: _sort_key(catalog, order, p))


def _sort_key(catalog: Catalog, order: dict[str, int], item: Planned) -> int:
    spec = catalog.lookup(item.path)
    return order[spec.pattern] if spec else len(order)


def _plan_one(
    profile: Profile, setting: Setting, catalog: Catalog, site: SiteValues
) -> Planned | None:
    path = expand_path(setting.path, site)
    spec = catalog.lookup(path)
    if spec is None:
        hint = _suggest(catalog, path)
        extra = f" (did you mean {hint!r}?)" if hint else ""
        raise ProfileError(
            f"setting {setting.path!r} is not a key that target {catalog.target} accepts{extra}",
            file=profile.source,
        )
    env = catalog.env_for(path)
    if setting.compare is Compare.PLACEHOLDER:
        return _plan_secret(setting, path, env, site)
    value = site.values[setting.site] if setting.site else setting.value
    if setting.optional and value in (None, "", []):
        return None
    _refuse_weak_site_value(profile, setting, value)
    written = written_form(profile, setting, value, env, secret=spec.secret)
    return Planned(setting, path, value, written, env, spec.secret, None)


def _suggest(catalog: Catalog, path: DocPath) -> str | None:
    """Did-you-mean for the first segment of ``path`` that the catalog does not know."""
    for length in range(1, len(path) + 1):
        if not catalog.is_known(path[:length]):
            return catalog.suggest(path[:length])
    return None


def _plan_secret(setting: Setting, path: DocPath, env: str | None, site: SiteValues) -> Planned:
    text = secret_placeholder(setting, site)
    name = None if setting.optional else str(site.values[setting.secret_env or ""])
    return Planned(setting, path, text, text, env, True, name)


def secret_placeholder(setting: Setting, site: SiteValues) -> str:
    """``${NAME}`` for a secret setting (``${NAME:null}`` where it may stay unset)."""
    name = str(site.values[setting.secret_env]) if setting.secret_env else ""
    return render_placeholder(name, None, with_default=setting.optional)


def refuse_weak_site_values(profile: Profile, target: str, site: SiteValues) -> None:
    """Judge every site value ``profile`` writes, as Optimize would resolve it, before merge
    uses one: ``--set db.username=elas${A:}tic`` is the superuser to Optimize, and merge must
    refuse it as generate does (generate judges each value while it plans)."""
    for setting in profile.for_target(target):
        if setting.site is None or setting.compare is Compare.PLACEHOLDER:
            continue
        value = site.values[setting.site]
        if not (setting.optional and value in (None, "", [])):
            _refuse_weak_site_value(profile, setting, value)


def _refuse_weak_site_value(profile: Profile, setting: Setting, value: Any) -> None:
    """A site value must not break the profile it is generated for (check would fail it)."""
    verdict = judge(setting, value, context_for(profile))
    if verdict.ok:
        return
    source = f"site value {setting.site!r}" if setting.site else f"setting {setting.path!r}"
    raise ValuesError(
        f"{source} {verdict.reason} ({setting.rule} {setting.title} in profile {profile.name}): "
        f"{setting.rationale}"
    )


def written_form(
    profile: Profile, setting: Setting, value: Any, env: str | None, *, secret: bool = False
) -> Any:
    """How ``value`` is written: a literal, or ``${ENV:value}`` under the env-default mode."""
    literal = str(value) if setting.quote_number and isinstance(value, int) else value
    if secret or profile.write_mode is WriteMode.LITERAL or env is None:
        return literal
    if isinstance(value, list | dict) or (isinstance(value, str) and "}" in value):
        return literal  # Optimize's default part ends at the last '}' and holds no lists
    return render_placeholder(env, value, with_default=True)


def intended_tree(plan: list[Planned]) -> dict[str, Any]:
    """The nested mapping the rendered file must parse back to (insertion order = file order)."""
    tree: dict[str, Any] = {}
    for item in plan:
        node = tree
        for part in item.path[:-1]:
            node = node.setdefault(str(part), {})
        node[str(item.path[-1])] = item.written
    return tree


def literal_secrets(plan: list[Planned]) -> list[Planned]:
    """Settings on secret keys that hold a literal value (decides the 0600 file mode)."""
    from hardener.model import as_placeholder

    return [
        p for p in plan if p.secret and p.written is not None and as_placeholder(p.written) is None
    ]
