"""Ready-to-apply files for the systems around Optimize, as data rendered through templates.

Each snippet is built here as a tree of :class:`Entry` (YAML) or a plain structure (JSON), then
rendered: YAML through ``templates/init/snippet.yml.j2`` and its safe filters, and parsed back to
the intended tree before it is used; JSON through ``json.dumps``. What goes into each file follows
the project's baselines: cluster security and a least-privilege role for Optimize's database user,
and authentication, HTTPS and authorizations on the Camunda 7 engine side.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hardener.errors import RenderError

if TYPE_CHECKING:
    import jinja2

ROLE_NAME = "optimize_app"
"""Name of the least-privilege role; the checklist and the role files use the same one."""

INDEX_PREFIX = "optimize"
"""Optimize's default ``es.settings.index.prefix``; the role is scoped to indices behind it."""

ZEEBE_INDEX_PREFIX = "zeebe-record"
"""Optimize 8 imports from Zeebe's exporter indices (``zeebe.name``), which it only reads."""

OPTIMIZE_HOME = PurePosixPath("/optimize")
"""Working directory of the official camunda/optimize image; relative config paths start here."""

CONFIG_FILE = PurePosixPath("config/environment-config.yaml")


@dataclass(frozen=True)
class Entry:
    """A key of a generated YAML file: a value, or children; a comment explains why."""

    key: str
    value: Any = None
    comment: str = ""
    children: tuple[Entry, ...] = ()
    space_before: bool = False  # a blank line before the entry, to group a long file

    @property
    def is_mapping(self) -> bool:
        return bool(self.children)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list | tuple) and bool(self.value)

    @property
    def comment_lines(self) -> list[str]:
        return textwrap.wrap(self.comment, 90) if self.comment else []


def plain_tree(entries: Sequence[Entry]) -> dict[str, Any]:
    """The mapping a rendered file must parse back to."""
    return {e.key: plain_tree(e.children) if e.children else _plain_value(e.value) for e in entries}


def _plain_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain_value(v) for v in value]
    if isinstance(value, list):
        return [_plain_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain_value(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_BACKTICKS = re.compile(r"`+")
# Markup characters; "_" only where it could open or close emphasis (not inside a word).
_MD_SPECIAL = re.compile(r"([\\`*<&\[\]|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def md_code(value: Any) -> str:
    """A Markdown code span that holds ``value`` literally, whatever backticks it contains."""
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def md_text(value: Any) -> str:
    """One line of Markdown prose from data: no markup or HTML can come out of a value."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(_CONTROL.sub(" ", str(value)).split()))


def json_text(value: Any) -> str:
    """Compact JSON on one line (for a command in the checklist)."""
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "))


def java_string(value: Any) -> str:
    """A Java string literal: JSON's escapes are valid Java escapes."""
    return json.dumps(str(value), ensure_ascii=True)


@functools.cache
def _init_environment() -> jinja2.Environment:
    """The project's environment plus the Markdown and JSON filters, built once per process
    (building it per file cost about 0.2 s an init, in template compiles)."""
    from hardener.generate.render import new_environment

    env = new_environment()
    env.filters.update(
        md_code=md_code, md_text=md_text, json_text=json_text, java_string=java_string
    )
    return env


def render_init(name: str, **context: Any) -> str:
    """Render an init template with the project's filters plus the Markdown and JSON ones."""
    import jinja2

    try:
        return _init_environment().get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name}: {exc}") from None


def render_yaml_file(header: Sequence[str], entries: Sequence[Entry], name: str) -> str:
    """Render a YAML snippet and require it to parse back to exactly its entries."""
    from hardener.generate.render import verify_yaml

    rendered = render_init("init/snippet.yml.j2", header=list(header), entries=list(entries))
    text = rendered.rstrip("\n") + "\n"  # the recursive macro leaves blank lines at the end
    verify_yaml(text, plain_tree(entries), name)
    return text


def render_json_file(data: Any) -> str:
    """JSON for a file: ``json.dumps`` only, indented for review, newline-terminated."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Paths inside and outside the container
# --------------------------------------------------------------------------------------------


def container_path(location: str) -> PurePosixPath:
    """Where Optimize in the official image finds a configured path."""
    path = PurePosixPath(location)
    return path if path.is_absolute() else OPTIMIZE_HOME / path


def host_path(location: str) -> str:
    """The file beside docker-compose.override.yml that is mounted at :func:`container_path`.

    Paths under the image's ``/optimize`` map into the init directory (``./config/...``); any
    other absolute path is mounted from the same path on the host.
    """
    inside = container_path(location)
    if inside.is_relative_to(OPTIMIZE_HOME):
        return f"./{inside.relative_to(OPTIMIZE_HOME)}"
    return str(inside)


# --------------------------------------------------------------------------------------------
# Elasticsearch
# --------------------------------------------------------------------------------------------

_ES_SECURITY = (
    Entry(
        "xpack.security.enabled",
        True,
        "Authentication and authorization on the cluster; without it anyone who reaches port "
        "9200 owns every index.",
    ),
    Entry(
        "xpack.security.http.ssl.enabled",
        True,
        "HTTPS on the REST port: Optimize sends its credentials and all process data there.",
        space_before=True,
    ),
    Entry("xpack.security.http.ssl.keystore.path", "certs/http.p12"),
    Entry(
        "xpack.security.transport.ssl.enabled",
        True,
        "TLS between the nodes; Elasticsearch refuses to form a secured multi-node cluster "
        "without it.",
        space_before=True,
    ),
    Entry(
        "xpack.security.transport.ssl.verification_mode",
        "full",
        "full checks the host names in node certificates; use certificate only when your node "
        "certificates carry no host names.",
    ),
    Entry("xpack.security.transport.ssl.keystore.path", "certs/transport.p12"),
    Entry("xpack.security.transport.ssl.truststore.path", "certs/transport.p12"),
)

_ES_SECURITY_HEADER = (
    "Elasticsearch security settings for the cluster Optimize uses (optimize-harden init).",
    "Merge into config/elasticsearch.yml on every node, then restart the nodes one at a time.",
    "The certificate paths are the ones Elasticsearch 8 creates at its first start; point them",
    "at your own PKCS#12 files otherwise. Also keep port 9200 reachable only from the network",
    "segment Optimize runs in, and never let Optimize log in as the elastic superuser.",
)


def es_security_yaml() -> str:
    """elasticsearch.yml settings for security, TLS on both layers and full verification."""
    return render_yaml_file(_ES_SECURITY_HEADER, _ES_SECURITY, "elasticsearch-security.yml")


def es_role(target: str) -> dict[str, Any]:
    """The body of ``PUT _security/role/optimize_app``: Optimize's indices and nothing else."""
    indices: list[dict[str, Any]] = [
        {
            "names": [f"{INDEX_PREFIX}-*"],
            "privileges": ["create_index", "delete_index", "read", "write", "manage"],
        }
    ]
    if target == "c8":
        indices.append({"names": [f"{ZEEBE_INDEX_PREFIX}*"], "privileges": ["read"]})
    return {
        "cluster": ["monitor", "manage_index_templates"],
        "indices": indices,
        "metadata": {
            "generated_by": "optimize-harden init",
            "manage_index_templates": "needed only while Optimize creates or updates its index "
            "templates (first start, upgrades); remove it in between",
            "index_prefix": f"roles cover es.settings.index.prefix {INDEX_PREFIX!r}; change them "
            "together",
        },
    }


# --------------------------------------------------------------------------------------------
# OpenSearch
# --------------------------------------------------------------------------------------------


def _pem_entries(layer: str, comment: str) -> tuple[Entry, ...]:
    prefix = f"plugins.security.ssl.{layer}"
    return (
        Entry(f"{prefix}.pemcert_filepath", f"certs/{layer}-node.pem", comment, space_before=True),
        Entry(f"{prefix}.pemkey_filepath", f"certs/{layer}-node-key.pem"),
        Entry(f"{prefix}.pemtrustedcas_filepath", "certs/root-ca.pem"),
    )


_OS_SECURITY = (
    Entry(
        "plugins.security.disabled",
        False,
        "The security plugin stays on: it provides authentication, roles and TLS.",
    ),
    Entry(
        "plugins.security.allow_unsafe_democertificates",
        False,
        "Refuse to start with the demo certificates, whose keys are public.",
    ),
    Entry(
        "plugins.security.allow_default_init_securityindex",
        False,
        "No automatic set-up from the demo configuration; load users and roles with "
        "securityadmin.sh.",
    ),
    Entry(
        "plugins.security.ssl.http.enabled",
        True,
        "HTTPS on the REST port: Optimize sends its credentials and all process data there.",
        space_before=True,
    ),
    *_pem_entries("http", "Your own certificate and key for the REST port (key file mode 0600)."),
    *_pem_entries("transport", "Your own node certificate for traffic between the nodes."),
    Entry(
        "plugins.security.ssl.transport.enforce_hostname_verification",
        True,
        "Nodes check each other's host names, so a stolen certificate cannot join as any node.",
    ),
)

_OS_SECURITY_HEADER = (
    "OpenSearch security settings for the cluster Optimize uses (optimize-harden init).",
    "Merge into config/opensearch.yml on every node and restart them one at a time. The",
    "certificate paths are relative to the OpenSearch config directory; replace them with yours.",
    "Keep port 9200 reachable only from Optimize's network segment and never let Optimize",
    "log in as admin.",
)


def os_security_yaml() -> str:
    """opensearch.yml settings: plugin on, no demo certificates, TLS with host name checks."""
    return render_yaml_file(_OS_SECURITY_HEADER, _OS_SECURITY, "opensearch-security.yml")


def os_role_yaml(target: str) -> str:
    """A roles.yml entry for the security plugin: the OpenSearch twin of the Elasticsearch role."""
    permissions = [
        {
            "index_patterns": [f"{INDEX_PREFIX}-*"],
            "allowed_actions": ["data_access", "get", "delete", "create_index", "search", "manage"],
        }
    ]
    if target == "c8":
        permissions.append(
            {"index_patterns": [f"{ZEEBE_INDEX_PREFIX}*"], "allowed_actions": ["read"]}
        )
    role = Entry(
        ROLE_NAME,
        children=(
            Entry("reserved", False),
            Entry("description", "Camunda Optimize: its own indices, no cluster administration"),
            Entry(
                "cluster_permissions",
                [
                    "cluster_monitor",
                    "cluster_manage_index_templates",
                    "cluster_manage_templates",
                    "indices:admin/index_template/put",
                    "indices:admin/index_template/get",
                    "indices:admin/index_template/delete",
                    "indices:data/read/scroll/clear",
                ],
                "Health checks, index templates at start-up, and paged searches.",
            ),
            Entry(
                "index_permissions",
                permissions,
                f"Scoped to es.settings.index.prefix {INDEX_PREFIX!r}; change both together.",
            ),
        ),
    )
    header = (
        "Least-privilege role for Optimize's OpenSearch user (optimize-harden init).",
        "Merge into config/opensearch-security/roles.yml and load it with securityadmin.sh.",
    )
    return render_yaml_file(header, (role,), "optimize-role.yml")


def os_role_mapping_yaml(username: str) -> str:
    """A roles_mapping.yml entry giving the role to Optimize's database user only."""
    mapping = Entry(
        ROLE_NAME,
        children=(
            Entry("reserved", False),
            Entry("users", [username], "Only Optimize's own user; never admin."),
        ),
    )
    header = (
        f"Maps the {ROLE_NAME} role to Optimize's database user (optimize-harden init).",
        "Merge into config/opensearch-security/roles_mapping.yml, then load it with",
        "securityadmin.sh.",
    )
    return render_yaml_file(header, (mapping,), "optimize-role-mapping.yml")


# --------------------------------------------------------------------------------------------
# Camunda 7 engine (Camunda Run)
# --------------------------------------------------------------------------------------------

ENGINE_KEYSTORE = "engine.p12"
"""The engine's own keystore, placed in Camunda Run's configuration/keystore (on its classpath)."""

RUN_DEFAULT_HTTPS_PORT = 8443


def engine_port(rest_url: str) -> int:
    """The port Camunda Run should serve HTTPS on: the one in the REST URL, or Run's 8443."""
    port = urlsplit(rest_url).port
    return port if port is not None else RUN_DEFAULT_HTTPS_PORT


def camunda_run_yaml(rest_url: str) -> str:
    """Settings for Camunda Run's production.yml: REST authentication, HTTPS, authorizations."""
    header = (
        "Camunda Run security for the engine Optimize imports from (optimize-harden init).",
        "Merge into configuration/production.yml and start Run with --production. Put your own",
        f"PKCS#12 keystore at configuration/keystore/{ENGINE_KEYSTORE} and set",
        "SERVER_SSL_KEY_STORE_PASSWORD in the engine's environment. Keep spring.datasource as is.",
    )
    bpm = Entry("bpm", children=(*_engine_security(), Entry("run", children=_run_auth())))
    entries = (
        Entry("camunda", children=(bpm,)),
        _server_entry(rest_url, f"classpath:{ENGINE_KEYSTORE}"),
    )
    return render_yaml_file(header, entries, "production-security.yml")


def spring_boot_yaml(rest_url: str) -> str:
    """application.yaml settings for an engine embedded in a Spring Boot application."""
    header = ("Merge into the engine application's application.yaml.",)
    entries = (
        Entry("camunda", children=(Entry("bpm", children=_engine_security()),)),
        _server_entry(rest_url, f"file:config/{ENGINE_KEYSTORE}"),
    )
    return render_yaml_file(header, entries, "application.yaml")


def _engine_security() -> tuple[Entry, ...]:
    return (
        Entry(
            "authorization",
            children=(Entry("enabled", True),),
            comment="Authorization checks: without them any authenticated user reads everything.",
        ),
        Entry(
            "generic-properties",
            children=(
                Entry(
                    "properties",
                    children=(
                        Entry("enable-password-policy", True),
                        Entry("deserialization-type-validation-enabled", True),
                    ),
                ),
            ),
            comment="Password policy for engine users; no deserialization of unknown Java types "
            "from variables.",
        ),
    )


def _run_auth() -> tuple[Entry, ...]:
    return (
        Entry(
            "auth",
            children=(Entry("enabled", True), Entry("authentication", "basic")),
            comment="HTTP Basic authentication on the REST API (off by default in Run). Optimize "
            "logs in with its own engine user.",
        ),
        Entry(
            "cors",
            children=(Entry("enabled", False),),
            comment="Optimize calls the engine server to server and needs no CORS; if browsers "
            "must, list their origins, never '*'.",
        ),
    )


def _server_entry(rest_url: str, key_store: str) -> Entry:
    ssl = Entry(
        "ssl",
        children=(
            Entry("enabled", True),
            Entry("key-store", key_store),
            Entry("key-store-type", "PKCS12"),
            Entry("key-store-password", "${SERVER_SSL_KEY_STORE_PASSWORD}"),
        ),
        comment="HTTPS with your own keystore; the password comes from the environment.",
    )
    cookie = Entry(
        "servlet",
        children=(
            Entry(
                "session",
                children=(
                    Entry("cookie", children=(Entry("secure", True), Entry("http-only", True))),
                ),
            ),
        ),
        comment="Web app session cookies only over HTTPS and out of reach of scripts.",
    )
    port = Entry(
        "port",
        engine_port(rest_url),
        comment="From engine.rest_url; 8443 when the URL names no port (a proxy on 443 in front).",
    )
    return Entry("server", children=(port, ssl, cookie), space_before=True)


# --------------------------------------------------------------------------------------------
# Docker Compose
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mount:
    """A read-only bind mount: a file of the init directory (or host) into the container."""

    source: str
    target: str

    def as_volume(self) -> dict[str, Any]:
        return {"type": "bind", "source": self.source, "target": self.target, "read_only": True}


def compose_override_yaml(mounts: Sequence[Mount], notes: Sequence[str]) -> str:
    """The ``optimize`` service of the official image, given this directory's config and .env."""
    service = Entry(
        "optimize",
        children=(
            Entry(
                "env_file",
                [".env"],
                "Secrets and CAMUNDA_OPTIMIZE_DATABASE; .env is mode 0600 and never committed.",
            ),
            Entry(
                "volumes",
                [m.as_volume() for m in mounts],
                "Read-only: Optimize never needs to change its configuration or keys.",
            ),
        ),
    )
    header = (
        "Docker Compose override for the official camunda/optimize image (optimize-harden init).",
        "Compose merges it into the optimize service of the docker-compose.yml beside it, which",
        "keeps choosing the image version. Check the merged result with: docker compose config",
        "Publish only the HTTPS port, and never the actuator port (see HARDENING.md).",
        *notes,
    )
    return render_yaml_file(
        header, (Entry("services", children=(service,)),), "docker-compose.override.yml"
    )
