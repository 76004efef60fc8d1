"""Site values: what differs per installation (hosts, paths, users, variable names).

Profiles say *how hard* a setting must be; site values say *what it points at*. The schema below
is the single definition of every site value: its type, default, which targets use it and what it
means. ``optimize-harden values`` prints it as a commented values file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardener.catalog import TARGETS
from hardener.errors import ConfigSyntaxError, ValuesError

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.:-]+)\Z")
_URL = re.compile(r"https?://[^\s/?#]+(?:[/?#]\S*)?\Z")
# C0 and C1 controls (newline, CR, NUL, U+0085 …), the Unicode line and paragraph separators,
# the byte order mark, and lone surrogates (what Python makes of invalid UTF-8 in argv).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("expected a text value")
    return str(value)


def _optional_text(value: Any) -> str | None:
    return None if value in (None, "") else _text(value)


def _env_name(value: Any) -> str:
    text = _text(value)
    if not _ENV_NAME.match(text):
        raise ValueError("must be a variable name matching [A-Za-z_][A-Za-z0-9_]*")
    return text


def _host(value: Any) -> str:
    text = _text(value)
    if not _HOST.match(text):
        raise ValueError("must be a host name or IP address")
    return text


def _port(value: Any) -> int:
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError("must be a port number") from None
    if not 1 <= number <= 65535:
        raise ValueError("must be a port number between 1 and 65535")
    return number


def _url(value: Any) -> str:
    text = _text(value)
    authority = text.partition("://")[2]
    for end in "/?#":
        authority = authority.partition(end)[0]
    if "@" in authority:
        raise ValueError(
            "holds credentials (user:password@) in the URL; pass them in variables instead"
        )
    if not _URL.match(text):
        raise ValueError("must be an http:// or https:// URL")
    return text


def _optional_url(value: Any) -> str | None:
    return None if value in (None, "") else _url(value)


def _database(value: Any) -> str:
    text = _text(value).lower()
    if text not in ("elasticsearch", "opensearch"):
        raise ValueError("must be elasticsearch or opensearch")
    return text


def _text_list(value: Any) -> list[str]:
    items = _split(value)
    return [_text(item) for item in items]


def _nodes(value: Any) -> list[dict[str, Any]]:
    nodes = []
    for item in _split(value):
        if isinstance(item, Mapping):
            host, port = item.get("host"), item.get("httpPort", 9200)
        else:
            host, _, port_text = _text(item).rpartition(":") if ":" in str(item) else (item, "", "")
            port = port_text or 9200
        nodes.append({"host": _host(host), "httpPort": _port(port)})
    if not nodes:
        raise ValueError("needs at least one node")
    return nodes


def _split(value: Any) -> list[Any]:
    """Lists come from a values file as lists, from --set as comma-separated text."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    text = _text(value).strip()
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class SiteValue:
    """One documented site value."""

    key: str
    default: Any
    parse: Callable[[Any], Any]
    doc: str
    targets: tuple[str, ...] = TARGETS
    example: str | None = None


SCHEMA: tuple[SiteValue, ...] = (
    SiteValue("database", "elasticsearch", _database,
              "Database Optimize stores its data in: elasticsearch or opensearch. Optimize reads "
              "it from CAMUNDA_OPTIMIZE_DATABASE, not from the config file."),
    SiteValue("db.nodes", ["localhost:9200"], _nodes,
              "Database nodes as host:port (HTTP port); a list, or comma-separated with --set.",
              example="es1.internal:9200,es2.internal:9200"),
    SiteValue("db.username", "optimize", _text,
              "Database user with the least-privilege Optimize role (never elastic or admin)."),
    SiteValue("db.ca_paths", [], _text_list,
              "PEM files of the CA(s) that signed the database certificates; empty for public CAs.",
              example="/optimize/config/certs/ca.crt"),
    SiteValue("container.host", "127.0.0.1", _host,
              "Interface Optimize listens on: loopback behind a TLS proxy, or one internal IP."),
    SiteValue("container.https_port", 8091, _port, "HTTPS port of Optimize."),
    SiteValue("container.keystore_location", "config/optimize.p12", _text,
              "Your PKCS#12 keystore with Optimize's TLS certificate (never the shipped one)."),
    SiteValue("container.access_url", None, _optional_url,
              "Public https:// address of Optimize, used in e-mailed links; empty to leave unset.",
              example="https://optimize.example.com"),
    SiteValue("engine.alias", "camunda-bpm", _text,
              "Alias of the Camunda 7 engine in Optimize's engines map.", targets=("c7",)),
    SiteValue("engine.name", "default", _text, "Engine name on the REST API.", targets=("c7",)),
    SiteValue("engine.rest_url", "https://localhost:8443/engine-rest", _url,
              "Base URL of the engine REST API (https).", targets=("c7",)),
    SiteValue("engine.webapps_url", "https://localhost:8443/camunda", _url,
              "Base URL of the Camunda web apps, for links to Cockpit (https).", targets=("c7",)),
    SiteValue("engine.user", "optimize", _text,
              "Dedicated read-only engine user Optimize imports with (never demo or admin).",
              targets=("c7",)),
    SiteValue("api.jwt_set_uri", None, _optional_url,
              "https JWKS endpoint that validates public API tokens; empty when the API is unused.",
              example="https://idp.example.com/realms/camunda/protocol/openid-connect/certs"),
    SiteValue("env.keystore_password", "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD", _env_name,
              "Variable holding the keystore password (the one Optimize's defaults already read)."),
    SiteValue("env.token_secret", "CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET", _env_name,
              "Variable holding the session token secret (at least 64 random characters)."),
    SiteValue("env.api_access_token", "OPTIMIZE_API_ACCESS_TOKEN", _env_name,
              "Variable holding the static public API token, where a profile allows one."),
    SiteValue("env.engine_password", "OPTIMIZE_ENGINE_PASSWORD", _env_name,
              "Variable holding the engine user's password.", targets=("c7",)),
    SiteValue("env.db_password", "OPTIMIZE_DATABASE_PASSWORD", _env_name,
              "Variable holding the database user's password."),
)  # fmt: skip

_BY_KEY = {item.key: item for item in SCHEMA}


@dataclass(frozen=True)
class SiteValues:
    """Validated site values for one target."""

    target: str
    values: Mapping[str, Any]

    def get(self, key: str) -> Any:
        return self.values[key]


def schema_for(target: str) -> list[SiteValue]:
    return [item for item in SCHEMA if target in item.targets]


def resolve_values(
    target: str,
    file_values: Mapping[str, Any] | None = None,
    overrides: Iterable[str] = (),
    *,
    source: str = "values file",
) -> SiteValues:
    """Defaults, then a values file, then ``--set KEY=VALUE`` overrides, all validated."""
    raw: dict[str, Any] = {item.key: item.default for item in schema_for(target)}
    given: dict[str, str] = {}  # where a value that is not a default came from
    for key, value in _flatten(file_values or {}).items():
        _check_key(key, target, source)
        raw[key], given[key] = value, source
    for text in overrides:
        key, value = parse_assignment(text)
        _check_key(key, target, "--set")
        raw[key], given[key] = value, "--set"
    parsed = {}
    for key, value in raw.items():
        try:
            _refuse_control(value)
            parsed[key] = _BY_KEY[key].parse(value)
        except ValueError as exc:
            raise ValuesError(f"site value {key!r}: {exc}", file=given.get(key)) from None
    return SiteValues(target=target, values=parsed)


def _refuse_control(value: Any) -> None:
    """Site values are single-line text: a newline in one becomes a second assignment in the
    ``--format env`` file ``docker --env-file`` reads, and a lone surrogate (invalid UTF-8 in
    an argument) cannot be written to any file."""
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        for item in value:
            _refuse_control(item)
    elif isinstance(value, str) and (found := _CONTROL.search(value)):
        char = found.group()
        lone = "\ud800" <= char <= "\udfff"
        what = "invalid UTF-8 (a lone surrogate)" if lone else "a control character"
        raise ValueError(f"contains {what} (U+{ord(char):04X}); site values are one line of text")


def parse_assignment(text: str) -> tuple[str, str]:
    """Split ``KEY=VALUE`` from ``--set``."""
    key, sep, value = text.partition("=")
    if not sep:
        raise ValuesError(f"--set {text!r}: expected KEY=VALUE")
    if not key.strip():
        raise ValuesError(f"--set {text!r}: the key is empty")
    return key.strip(), value


def _check_key(key: str, target: str, source: str) -> None:
    item = _BY_KEY.get(key)
    if item is not None and target in item.targets:
        return
    if item is not None:
        raise ValuesError(f"{source}: site value {key!r} does not apply to target {target}")
    close = difflib.get_close_matches(key, [i.key for i in schema_for(target)], n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValuesError(f"{source}: unknown site value {key!r}{hint}")


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A values file may nest (``db: {username: x}``) or use dotted keys; both mean the same."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping) and full not in _BY_KEY:
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = value
    return flat


def load_values_file(path: Path) -> dict[str, Any]:
    """Read a values file (YAML mapping); errors name the file and position."""
    from hardener.yaml import load_data, read_source

    try:
        return load_data(read_source(path))
    except ConfigSyntaxError as exc:
        raise ValuesError(exc.message, file=exc.file, line=exc.line, column=exc.column) from None


def default_values_text(target: str) -> str:
    """A commented values file with every site value of ``target`` at its default."""
    from hardener.yaml import emit_scalar

    lines = [
        f"# optimize-harden site values for target {target}.",
        "# Pass with --values FILE; override single values with --set KEY=VALUE.",
        "",
    ]
    for item in schema_for(target):
        lines.append(f"# {item.doc}")
        if item.example:
            lines.append(f"# Example: {item.example}")
        lines.append(f"{item.key}: {emit_scalar(_display_default(item))}")
        lines.append("")
    return "\n".join(lines)


def _display_default(item: SiteValue) -> Any:
    if item.key == "db.nodes":
        return list(item.default)
    return item.default


def load_site_values(
    target: str,
    values_file: Path | None = None,
    overrides: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
) -> SiteValues:
    """Defaults, a values file, a mapping from the caller, then ``--set`` overrides."""
    from hardener.catalog import check_target

    check_target(target)
    merged: dict[str, Any] = dict(load_values_file(values_file)) if values_file else {}
    merged.update(values or {})
    return resolve_values(target, merged, overrides, source=str(values_file or "values"))
