"""Turn a plan into output text: the YAML file or the env-variable listing.

Builds the node tree and the comment lines the templates place, then checks the rendered YAML
parses back to exactly the planned values, and that Optimize (``hardener.model``) would hold
every setting as strong as the profile demands.
"""

from __future__ import annotations

from typing import Any

from hardener.catalog import Catalog, load_catalog
from hardener.generate.render import Node, render_template, verify_yaml
from hardener.plan import Planned, intended_tree
from hardener.profiles import Compare, Profile
from hardener.yaml import Config


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
    config = verify_yaml(text, intended_tree(plan))
    verify_as_optimize_reads(config, profile, target, plan)
    return text


def verify_as_optimize_reads(
    text: str | Config, profile: Profile, target: str, plan: list[Planned]
) -> None:
    """Every setting holds, in the model of what Optimize reads (its defaults under the file,
    placeholders resolved as it resolves them), what the profile demands."""
    from hardener.compare import judge
    from hardener.errors import RenderError
    from hardener.model import View
    from hardener.plan import context_for
    from hardener.yaml import SourceText, read_config

    config = text if isinstance(text, Config) else read_config(SourceText("<generated>", text))
    view = View(config, target)
    context = context_for(profile)
    for item in plan:
        verdict = judge(item.setting, view.get(item.path), context)
        if not verdict.ok:
            raise RenderError(
                f"generated {item.dotted} would not hold as Optimize reads it: {verdict.reason}"
            )


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
    assignments: list[dict[str, Any]] = []
    secrets: list[dict[str, Any]] = []
    yaml_only: list[dict[str, Any]] = []
    catalog = load_catalog(target)
    for item in plan:
        if item.secret and item.env:
            optional = ", optional" if item.required_var is None else ""
            secrets.append({"name": item.env, "path": item.dotted + optional})
        elif item.secret or item.env is None:
            node_vars = _single_node_vars(item, catalog)
            if node_vars:
                assignments.extend(node_vars)
            else:
                yaml_only.append({"path": item.dotted, "value": item.written})
        else:
            assignments.append(_assignment(item, catalog))
    header = _header(profile, target, warnings, version)
    return render_template(
        "environment.env.j2",
        **header,
        assignments=assignments,
        secrets=secrets,
        yaml_only=yaml_only,
    )


def _single_node_vars(item: Planned, catalog: Catalog) -> list[dict[str, Any]]:
    """One database node can be given through the host/port variables of the first node."""
    nodes = item.value
    if item.path[-2:] != ("connection", "nodes") or not isinstance(nodes, list) or len(nodes) != 1:
        return []
    entries = []
    for key in ("host", "httpPort"):
        name = catalog.env_for((*item.path, 0, key))
        if name is None:
            return []
        entries.append(
            {
                "name": name,
                "path": f"{item.dotted}[0].{key}",
                "comment": "site value",
                "value": nodes[0][key],
                "unset": False,
            }
        )
    return entries


def _assignment(item: Planned, catalog: Catalog) -> dict[str, Any]:
    spec = catalog.lookup(item.path)
    default_is_null = spec is not None and spec.has_default and spec.default is None
    value = item.value
    if isinstance(value, list):  # Optimize parses a resolved "[a,b]" string as a list
        value = "[" + ",".join(str(v) for v in value) + "]"
    return {
        "name": item.env,
        "path": item.dotted,
        "comment": _comment(item) or "site value",
        "value": value,
        "unset": value is None and default_is_null,
    }
