"""Turn a plan into output text: the YAML file or the env-variable listing.

Builds the node tree and the comment lines the templates place, then checks the rendered YAML
parses back to exactly the planned values.
"""

from __future__ import annotations

from typing import Any

from hardener.catalog import load_catalog
from hardener.plan import Planned, intended_tree
from hardener.profiles import Compare, Profile
from hardener.render import Node, render_template, verify_yaml


def render_yaml(
    profile: Profile,
    target: str,
    plan: list[Planned],
    required: list[str],
    warnings: list[str],
    *,
    version: str,
) -> str:
    text = render_template(
        "environment-config.yaml.j2",
        **_header(profile, target, warnings, version),
        required_vars=required,
        nodes=build_nodes(plan),
    )
    verify_yaml(text, intended_tree(plan))
    return text


def _header(profile: Profile, target: str, warnings: list[str], version: str) -> dict[str, Any]:
    banner: list[str] = []
    if warnings:
        banner = [
            "!" * 72,
            f"WARNING: profile {profile.name} relaxes security. Never use this file on a shared",
            "or production host. Relaxed settings:",
            *(f"  - {w}" for w in warnings),
            "!" * 72,
        ]
    return {
        "version": version,
        "profile": profile.name,
        "target": target,
        "target_title": load_catalog(target).title,
        "description": profile.description,
        "banner": banner,
    }


def _comment(item: Planned) -> str:
    setting = item.setting
    if setting.compare is Compare.ANY and setting.relaxed is None:
        return ""
    prefix = "RELAXED " if setting.relaxed else ""
    return f"{prefix}{setting.rule}: {setting.relaxed or setting.rationale}"


def build_nodes(plan: list[Planned]) -> tuple[Node, ...]:
    """Nest planned settings into nodes, keeping the plan's (Optimize's) key order."""
    root: dict[str, Any] = {}
    for item in plan:
        branch = root
        for part in item.path[:-1]:
            branch = branch.setdefault(str(part), {})
        branch[str(item.path[-1])] = item
    return _to_nodes(root)


def _to_nodes(branch: dict[str, Any]) -> tuple[Node, ...]:
    nodes = []
    for key, entry in branch.items():
        if isinstance(entry, dict):
            nodes.append(Node(key=key, children=_to_nodes(entry)))
        else:
            nodes.append(Node(key=key, value=entry.written, comment=_comment(entry)))
    return tuple(nodes)


def render_env(
    profile: Profile,
    target: str,
    plan: list[Planned],
    required: list[str],
    warnings: list[str],
    *,
    version: str,
) -> str:
    assignments, secrets, yaml_only = [], [], []
    for item in plan:
        if item.secret:
            if item.required_var or item.env:
                secrets.append({"name": item.required_var or item.env, "path": item.dotted})
            continue
        if item.env is None:
            yaml_only.append({"path": item.dotted, "value": item.value})
            continue
        assignments.append(_assignment(item, target))
    header = _header(profile, target, warnings, version)
    return render_template(
        "environment.env.j2",
        **header,
        assignments=assignments,
        secrets=secrets,
        yaml_only=yaml_only,
    )


def _assignment(item: Planned, target: str) -> dict[str, Any]:
    spec = load_catalog(target).lookup(item.path)
    default_is_null = spec is not None and spec.has_default and spec.default is None
    value = item.value
    if isinstance(value, list):
        value = "[" + ",".join(_env_list_item(v) for v in value) + "]"
    return {
        "name": item.env,
        "path": item.dotted,
        "comment": _comment(item) or "site value",
        "value": value,
        "unset": value is None and default_is_null,
    }


def _env_list_item(value: Any) -> str:
    if isinstance(value, dict):
        raise ValueError("lists of mappings cannot be expressed as one variable")
    return str(value)
