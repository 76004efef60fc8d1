"""The variables an init directory needs: which are generated, which the operator supplies.

The plan says which ``${VAR}`` placeholders the configuration reads; the table below says, per
kind of secret (the site value naming its variable), whether init can own it and how a good value
is made. ``.env`` gets the generated values and empty lines for external secrets; ``.env.example``
gets the same lines without any value, safe to commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hardener.init.secretgen import API_TOKEN, KEYSTORE_PASSWORD, TOKEN_SECRET, Secret, SecretSpec
from hardener.init.secretgen import generate as generate_secret
from hardener.model import as_placeholder
from hardener.plan import Planned
from hardener.profiles import Compare
from hardener.values import SiteValues

DATABASE_VAR = "CAMUNDA_OPTIMIZE_DATABASE"
"""Optimize picks Elasticsearch or OpenSearch from this variable; no YAML key exists for it."""


@dataclass(frozen=True)
class SecretKind:
    """What a secret is for, whether init generates it (``spec``) and how to make one by hand."""

    what: str
    how: str
    spec: SecretSpec | None = None  # None: an external secret init cannot know


SECRET_KINDS: dict[str, SecretKind] = {
    "env.token_secret": SecretKind(
        "Signs Optimize's session tokens; every node of a cluster needs the same value.",
        "At least 64 random characters: openssl rand -base64 48",
        TOKEN_SECRET,
    ),
    "env.keystore_password": SecretKind(
        "Password of the PKCS#12 keystore holding Optimize's TLS key.",
        "At least 20 random characters, never 'optimize': openssl rand -hex 16",
        KEYSTORE_PASSWORD,
    ),
    "env.api_access_token": SecretKind(
        "Static bearer token for Optimize's public API; leave it unset when nothing calls the "
        "API, and unset means no static token is accepted.",
        "At least 43 random characters: openssl rand -base64 48",
        API_TOKEN,
    ),
    "env.engine_password": SecretKind(
        "Password of the dedicated Camunda 7 engine user Optimize imports with.",
        "Set when you create that user in the engine (Admin > Users): openssl rand -hex 32",
    ),
    "env.db_password": SecretKind(
        "Password of Optimize's database user (the one holding the optimize_app role).",
        "Set when you create that user in the cluster: openssl rand -hex 32",
    ),
}


@dataclass(frozen=True)
class EnvEntry:
    """One variable line of ``.env`` / ``.env.example``."""

    name: str
    what: str
    how: str
    role: str  # the site value naming the variable (env.token_secret), or "" for settings
    secret: Secret | None = None  # generated value; None for external or plain entries
    plain_value: str | None = None  # a non-secret value (the database switch)
    disabled: bool = False  # written commented out: setting it would change behaviour
    note: str = ""

    @property
    def external(self) -> bool:
        return bool(self.role) and self.secret is None and not self.disabled


@dataclass(frozen=True)
class OptionalVar:
    """A variable the config reads with a hardened default (``${NAME:value}``)."""

    name: str
    default: str
    path: str


def env_entries(plan: Sequence[Planned], site: SiteValues) -> list[EnvEntry]:
    """The database switch, then every secret placeholder of the plan, in plan order."""
    entries = [_database_entry(site)]
    for item in plan:
        if item.setting.compare is Compare.PLACEHOLDER and item.setting.secret_env:
            entries.append(_secret_entry(item, site))
    return entries


def _database_entry(site: SiteValues) -> EnvEntry:
    return EnvEntry(
        name=DATABASE_VAR,
        what="Database Optimize connects to: elasticsearch or opensearch (not a YAML key).",
        how="Must match the es: or opensearch: section of environment-config.yaml.",
        role="",
        plain_value=str(site.values["database"]),
    )


def _secret_entry(item: Planned, site: SiteValues) -> EnvEntry:
    role = str(item.setting.secret_env)
    name = str(site.values[role])
    kind = SECRET_KINDS.get(role) or SecretKind(item.setting.title, item.setting.fix)
    what = f"{kind.what} ({item.dotted})"
    if role == "env.api_access_token" and (note := _static_token_off(item, site)):
        return EnvEntry(name, what, kind.how, role, disabled=True, note=note)
    if kind.spec is None:
        return EnvEntry(name, what, kind.how, role, note="Fill in before starting Optimize.")
    return EnvEntry(name, what, kind.how, role, secret=generate_secret(kind.spec))


def _static_token_off(item: Planned, site: SiteValues) -> str:
    """Why the static API token is written commented out, or "" when the profile needs one.

    Setting the variable is what turns the static token on (the config reads
    ``${VAR:null}``), so generating it for an optional setting would enable the very thing the
    comment says to leave off; an operator who needs it uncomments the line.
    """
    if site.values.get("api.jwt_set_uri"):
        return "Not generated: api.jwtSetUri is set, and Optimize then ignores a static token."
    if item.setting.optional:
        return (
            "Not generated: while it is unset no static token is accepted; set it only if a "
            "client needs one."
        )
    return ""


def optional_vars(plan: Sequence[Planned]) -> list[OptionalVar]:
    """Non-secret placeholders with a default: each can override a hardened value at start-up."""
    found = []
    for item in plan:
        placeholder = as_placeholder(item.written)
        if item.secret or placeholder is None or placeholder.default is None:
            continue
        found.append(OptionalVar(placeholder.name, placeholder.default, item.dotted))
    return found


def entry_for(entries: Sequence[EnvEntry], role: str) -> EnvEntry | None:
    """The entry of one kind of secret (e.g. the keystore password), if the plan has it."""
    return next((entry for entry in entries if entry.role == role), None)


def render_env(
    entries: Sequence[EnvEntry],
    optional: Sequence[OptionalVar],
    *,
    example: bool,
    header: Sequence[str],
) -> str:
    """``.env`` (example=False: with the generated values) or ``.env.example`` (no secret)."""
    from hardener.init.snippets import render_init

    lines = [_line(entry, example=example) for entry in entries]
    return render_init(
        "init/env.j2",
        header=list(header),
        entries=lines,
        optional=list(optional) if example else [],
    )


def _line(entry: EnvEntry, *, example: bool) -> dict[str, object]:
    value = entry.plain_value
    if entry.secret is not None and not example:
        value = entry.secret.reveal()
    comments = [entry.what, f"How: {entry.how}"]
    if entry.secret is not None:
        comments.append("Generated by optimize-harden init into .env (mode 0600).")
    if entry.note:
        comments.append(entry.note)
    return {"name": entry.name, "value": value, "comments": comments, "disabled": entry.disabled}
