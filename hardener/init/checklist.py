"""HARDENING.md: the operator's checklist for one init directory.

Python gathers everything the checklist says (the plan's settings with rule ids and reasons, the
variables, the paths, host names and URLs of this installation, the commands' arguments), and
``templates/init/HARDENING.md.j2`` lays it out. Values reach Markdown through ``md_code`` /
``md_text`` and shell commands through ``shell_value``, so no site value can break the document or
a command a reader copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from hardener.catalog import load_catalog
from hardener.init import interview, snippets
from hardener.init.envfile import EnvEntry, entry_for
from hardener.masking import mask
from hardener.yaml import emit_scalar

if TYPE_CHECKING:
    from hardener.generate.build import GenerateResult
    from hardener.plan import Planned
    from hardener.values import SiteValues


@dataclass(frozen=True)
class Grant:
    """One authorization Optimize's engine user needs (Camunda 7 resource type ids)."""

    resource: str
    type_id: int
    permissions: tuple[str, ...]


ENGINE_GRANTS: tuple[Grant, ...] = (
    Grant("Process Definition", 6, ("READ", "READ_HISTORY")),
    Grant("Decision Definition", 10, ("READ", "READ_HISTORY")),
    Grant("Authorization", 4, ("READ",)),
    Grant("Group", 2, ("READ",)),
    Grant("User", 1, ("READ",)),
    Grant("Tenant", 11, ("READ",)),
    Grant("Deployment", 9, ("READ",)),
    Grant("User Operation Log", 17, ("READ",)),
)
"""Read-only rights on every (``*``) resource of these types: what the import needs, no more."""

_GRANT_TYPE = 1  # Camunda 7 authorization type GRANT


@dataclass(frozen=True)
class ProxyHeader:
    """A response header only a reverse proxy can add, with the reason for its value."""

    name: str
    value: str
    why: str


PROXY_HEADERS: tuple[ProxyHeader, ...] = (
    ProxyHeader("Referrer-Policy", "no-referrer", "links out of Optimize reveal no internal URL"),
    ProxyHeader(
        "Permissions-Policy",
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
        "fullscreen=(self), geolocation=(), gyroscope=(), hid=(), magnetometer=(), "
        "microphone=(), midi=(), payment=(), picture-in-picture=(), "
        "publickey-credentials-get=(), screen-wake-lock=(), serial=(), sync-xhr=(self), usb=(), "
        "xr-spatial-tracking=()",
        "no browser feature Optimize does not use; fullscreen stays for dashboards",
    ),
    ProxyHeader(
        "Cross-Origin-Opener-Policy", "same-origin", "other sites' windows get no handle on it"
    ),
    ProxyHeader(
        "Cross-Origin-Resource-Policy", "same-origin", "other sites cannot embed its responses"
    ),
    ProxyHeader(
        "X-Permitted-Cross-Domain-Policies", "none", "no Flash or PDF cross-domain policy files"
    ),
)
"""Cross-Origin-Embedder-Policy is left out on purpose: it blocks external tiles and fonts."""

STRIPPED_HEADERS: tuple[str, ...] = ("Server", "X-Powered-By")
"""Headers that only tell an attacker which software and version to target."""


def render_checklist(
    result: GenerateResult,
    site: SiteValues,
    entries: Sequence[EnvEntry],
    files: Sequence[tuple[PurePosixPath, int, str]],
) -> str:
    """The checklist text for this directory."""
    from hardener import __version__
    from hardener.init.snippets import render_init

    dev = interview.is_dev(result.profile)
    context = {
        "version": __version__,
        "intro": _intro(result, site),
        "dev": dev,
        "relaxed": list(result.warnings),
        "files": [{"path": str(p), "mode": f"{m:04o}", "about": a} for p, m, a in files],
        "env": _env(entries),
        "settings": [_setting(item) for item in result.plan],
        "check_command": _check_command(result),
        "database": _database(site, entries, result.target),
        "keystore": _keystore(site, entries, dev),
        "engine": _engine(site, entries) if result.target == "c7" else None,
        "actuator_port": _actuator_port(result.target),
        "proxy_headers": PROXY_HEADERS,
        "stripped_headers": STRIPPED_HEADERS,
        "https_port": site.values["container.https_port"],
        "container_host": site.values["container.host"],
    }
    # HARDENING.md is world-readable (0644): never let a URL's userinfo into it.
    return mask(render_init("init/HARDENING.md.j2", **context))


def _intro(result: GenerateResult, site: SiteValues) -> dict[str, str]:
    return {
        "profile": result.profile.name,
        "description": result.profile.description,
        "target": result.target,
        "target_title": load_catalog(result.target).title,
        "database": str(site.values["database"]),
        "write_mode": result.profile.write_mode.value,
        "write_mode_reason": result.profile.write_mode_reason,
    }


def _env(entries: Sequence[EnvEntry]) -> dict[str, list[dict[str, str]]]:
    def row(entry: EnvEntry) -> dict[str, str]:
        return {"name": entry.name, "what": entry.what, "how": entry.how}

    return {
        "generated": [row(e) for e in entries if e.secret is not None],
        "external": [row(e) for e in entries if e.external],
        "disabled": [row(e) | {"note": e.note} for e in entries if e.disabled],
    }


def _setting(item: Planned) -> dict[str, Any]:
    setting = item.setting
    return {
        "rule": setting.rule,
        "path": item.dotted,
        "value": emit_scalar(item.written),
        "severity": setting.severity.label,
        "relaxed": setting.relaxed is not None,
        "why": setting.relaxed or setting.rationale,
    }


def _check_command(result: GenerateResult) -> list[str]:
    config = str(snippets.CONFIG_FILE)
    return ["optimize-harden", "check", config, "--profile", result.profile.name,
            "--target", result.target]  # fmt: skip


def _first_node_url(site: SiteValues) -> tuple[str, str]:
    node = site.values["db.nodes"][0]
    return f"https://{node['host']}:{node['httpPort']}", str(node["host"])


def _database(site: SiteValues, entries: Sequence[EnvEntry], target: str) -> dict[str, Any]:
    kind = str(site.values["database"])
    url, host = _first_node_url(site)
    user = str(site.values["db.username"])
    ca_paths = [str(p) for p in site.values["db.ca_paths"]]
    password = entry_for(entries, "env.db_password")
    api = "_security" if kind == "elasticsearch" else "_plugins/_security/api"
    user_path = "user" if kind == "elasticsearch" else "internalusers"
    return {
        "kind": kind,
        "title": "Elasticsearch" if kind == "elasticsearch" else "OpenSearch",
        "url": url,
        "host": host,
        "port": site.values["db.nodes"][0]["httpPort"],
        "nodes": [f"{n['host']}:{n['httpPort']}" for n in site.values["db.nodes"]],
        "user": user,
        "role": snippets.ROLE_NAME,
        "role_url": f"{url}/_security/role/{snippets.ROLE_NAME}",
        "user_url": f"{url}/{api}/{user_path}/{quote(user, safe='')}",
        "password_var": password.name if password else None,
        "ca_paths": [{"inside": p, "host": snippets.host_path(p)} for p in ca_paths],
        "cacert": snippets.host_path(ca_paths[0]) if ca_paths else None,
        "index_prefix": snippets.INDEX_PREFIX,
        "zeebe_prefix": snippets.ZEEBE_INDEX_PREFIX if target == "c8" else None,
    }


def _keystore(site: SiteValues, entries: Sequence[EnvEntry], dev: bool) -> dict[str, Any]:
    location = str(site.values["container.keystore_location"])
    password = entry_for(entries, "env.keystore_password")
    access_url = site.values.get("container.access_url")
    host = urlsplit(str(access_url)).hostname if access_url else None
    context: dict[str, Any] = {
        "location": location,
        "host_path": snippets.host_path(location),
        "container_path": str(snippets.container_path(location)),
        "password_var": password.name if password else None,
        "public_host": host,
    }
    if dev:
        keystore, certificate = interview.dev_keystore_files(location)
        context["dev_keystore"] = str(keystore)
        context["dev_certificate"] = str(certificate)
    return context


def _engine(site: SiteValues, entries: Sequence[EnvEntry]) -> dict[str, Any]:
    rest_url = str(site.values["engine.rest_url"]).rstrip("/")
    user = str(site.values["engine.user"])
    password = entry_for(entries, "env.engine_password")
    rest_path = urlsplit(rest_url).path.rstrip("/") or "/engine-rest"
    return {
        "rest_url": rest_url,
        "webapps_url": str(site.values["engine.webapps_url"]),
        "user": user,
        "password_var": password.name if password else None,
        "port": snippets.engine_port(rest_url),
        "keystore": snippets.ENGINE_KEYSTORE,
        "rest_pattern": f"{rest_path}/*",
        "spring_yaml": snippets.spring_boot_yaml(rest_url).rstrip("\n"),
        "authorization_url": f"{rest_url}/authorization/create",
        "grants": [_grant(g, user) for g in ENGINE_GRANTS],
    }


def _grant(grant: Grant, user: str) -> dict[str, Any]:
    body = {
        "type": _GRANT_TYPE,
        "permissions": list(grant.permissions),
        "userId": user,
        "groupId": None,
        "resourceType": grant.type_id,
        "resourceId": "*",
    }
    return {"resource": grant.resource, "type_id": grant.type_id,
            "permissions": ", ".join(grant.permissions), "body": body}  # fmt: skip


def _actuator_port(target: str) -> Any:
    spec = load_catalog(target).lookup(("container", "ports", "actuator"))
    return spec.default if spec is not None else None
