"""Hardening profiles: data files in ``profiles/``, resolved through ``extends:`` and validated.

A profile lists *settings*. Each setting names an Optimize key path, the value the profile wants,
how a user's value is compared with it, a severity, a stable rule id and why. The same settings
drive ``generate`` (the value to write), ``merge`` (whether a user's value is weaker) and
``check`` (the finding when it is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from enum import IntEnum, StrEnum
from pathlib import Path
from typing import Any

from hardener.catalog import TARGETS
from hardener.errors import ConfigSyntaxError, ProfileError
from hardener.resources import profiles_dir
from hardener.yaml import Config, DocPath


class Compare(StrEnum):
    """How a user's value is judged against the profile's value."""

    EQUAL = "equal"  # must equal the value
    AT_LEAST = "at-least"  # a number no smaller than the value (larger is stronger)
    AT_MOST = "at-most"  # a number no larger than the value (smaller is stronger)
    PLACEHOLDER = "placeholder"  # a ${VAR} placeholder, never a literal (secrets)
    HTTPS = "https"  # an https:// URL
    NOT_IN = "not-in"  # anything but the listed values
    ONE_OF = "one-of"  # one of the listed values
    CSP = "csp"  # a Content-Security-Policy with no weakness found by the CSP analysis
    ANY = "any"  # written by generate, never audited (structure, site facts)


class Severity(IntEnum):
    """Finding severity; ordered so that ``>=`` compares with a ``--fail-on`` threshold."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose {names})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class WriteMode(StrEnum):
    """How ``generate`` writes a hardened non-secret value that Optimize can read from a variable.

    ``literal`` pins the value: an environment variable can no longer weaken it.
    ``env-default`` writes ``${SAME_VAR:value}``: the variable Optimize already reads still works.
    """

    LITERAL = "literal"
    ENV_DEFAULT = "env-default"


@dataclass(frozen=True)
class Setting:
    """One hardened key of a profile (see ``profiles/README.md`` for every field)."""

    path: str
    rule: str
    title: str
    compare: Compare
    severity: Severity
    rationale: str
    source: str
    value: Any = None
    site: str | None = None
    secret_env: str | None = None
    allowed: tuple[Any, ...] = ()
    targets: tuple[str, ...] = TARGETS
    relaxed: str | None = None
    quote_number: bool = False
    optional: bool = False
    fix: str = ""

    def applies_to(self, target: str) -> bool:
        return target in self.targets


@dataclass(frozen=True)
class Profile:
    """A resolved profile: its own settings merged over every profile it extends."""

    name: str
    description: str
    write_mode: WriteMode
    write_mode_reason: str
    settings: Mapping[str, Setting]
    origin: Mapping[str, str]  # setting path -> profile name that last set a field of it
    chain: tuple[str, ...]  # this profile first, then its parents
    source: str  # file the profile came from

    def for_target(self, target: str) -> list[Setting]:
        return [s for s in self.settings.values() if s.applies_to(target)]


_TOP_KEYS = {"name", "description", "extends", "write_mode", "write_mode_reason", "settings"}
_SETTING_FIELDS = {f.name for f in fields(Setting)} - {"path"}
_REQUIRED = ("rule", "title", "compare", "severity", "rationale", "source")


def list_profiles() -> list[str]:
    """Names of the built-in profiles."""
    return sorted(p.stem for p in profiles_dir().glob("*.yaml"))


def load_profile(name_or_path: str) -> Profile:
    """Resolve a built-in profile name or a path to a profile file (which may extend one)."""
    return _load(name_or_path, ())


def _locate(name_or_path: str) -> Path:
    builtin = profiles_dir() / f"{name_or_path}.yaml"
    if "/" not in name_or_path and not name_or_path.endswith((".yaml", ".yml")):
        if builtin.is_file():
            return builtin
        known = ", ".join(list_profiles())
        raise ProfileError(f"unknown profile {name_or_path!r} (built-in profiles: {known})")
    path = Path(name_or_path)
    if not path.exists():  # a directory or device is the reader's to refuse, with its reason
        raise ProfileError("profile file not found", file=name_or_path)
    return path


def _load(name_or_path: str, seen: tuple[str, ...]) -> Profile:
    path = _locate(name_or_path)
    key = str(path.resolve())
    if key in seen:
        raise ProfileError("profile extends itself (cycle in 'extends')", file=str(path))
    raw = _read_profile_file(path)
    return _resolve(raw, path, _load_parent(raw, path, (*seen, key)))


def _load_parent(raw: Mapping[str, Any], path: Path, seen: tuple[str, ...]) -> Profile | None:
    """The profile ``raw`` extends; an unknown name is this file's mistake, reported here."""
    parent_name = raw.get("extends")
    if not parent_name:
        return None
    try:
        return _load(_parent_ref(parent_name, path), seen)
    except ProfileError as error:
        if error.file is not None:
            raise
        raise ProfileError(f"extends: {error.message}", **_where(path, raw, "extends")) from None


def _parent_ref(parent: Any, path: Path) -> str:
    if not isinstance(parent, str) or not parent:
        raise ProfileError("'extends' must name a profile", file=str(path))
    if "/" in parent or parent.endswith((".yaml", ".yml")):
        return str(path.parent / parent)
    return parent


_READ: dict[str, Config] = {}
"""Profile files read so far, by path: their positions name the line of a mistake."""


def _read_profile_file(path: Path) -> Mapping[str, Any]:
    from hardener.yaml import load_data, read_config, read_source

    try:
        config = read_config(read_source(path))
        tree = load_data(config.source) if config.aliases else config.data
        _READ[str(path)] = config
    except ConfigSyntaxError as exc:
        raise ProfileError(exc.message, file=exc.file, line=exc.line, column=exc.column) from None
    for key in tree:
        if key not in _TOP_KEYS:
            raise ProfileError(
                f"unknown top-level key {key!r} (allowed: {', '.join(sorted(_TOP_KEYS))})",
                **_where(path, tree, key),
            )
    return tree


def _where(path: Path, mapping: Any, key: Any) -> dict[str, Any]:
    config = _READ.get(str(path))
    position = config.where(mapping, key) if config is not None else None
    line, column = position if position is not None else (None, None)
    return {"file": str(path), "line": line, "column": column}


def _resolve(raw: Mapping[str, Any], path: Path, parent: Profile | None) -> Profile:
    name = _text(raw.get("name") or path.stem, path, raw, "name")
    mode_text = raw.get("write_mode", parent.write_mode.value if parent else None)
    try:
        mode = WriteMode(mode_text)
    except ValueError:
        allowed = ", ".join(m.value for m in WriteMode)
        raise ProfileError(
            f"write_mode must be one of {allowed}", **_where(path, raw, "write_mode")
        ) from None
    settings: dict[str, Setting] = dict(parent.settings) if parent else {}
    origin: dict[str, str] = dict(parent.origin) if parent else {}
    raw_settings = raw.get("settings") or {}
    if not isinstance(raw_settings, Mapping):
        raise ProfileError("'settings' must be a mapping", **_where(path, raw, "settings"))
    for setting_path, body in raw_settings.items():
        key = str(setting_path)  # a key like ``1:`` is still a path, spelled as text
        settings[key] = _build_setting(key, body, settings.get(key), path, raw_settings)
        origin[key] = name
    return Profile(
        name=name,
        description=str(raw.get("description") or (parent.description if parent else "")),
        write_mode=mode,
        write_mode_reason=str(
            raw.get("write_mode_reason") or (parent.write_mode_reason if parent else "")
        ),
        settings=settings,
        origin=origin,
        chain=(name, *(parent.chain if parent else ())),
        source=str(path),
    )


def _text(value: Any, path: Path, mapping: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ProfileError(f"{key!r} must be a non-empty string", **_where(path, mapping, key))
    return value


def _build_setting(
    setting_path: str, body: Any, base: Setting | None, path: Path, parent_map: Any
) -> Setting:
    where = _where(path, parent_map, setting_path)
    if not isinstance(body, Mapping):
        raise ProfileError(f"setting {setting_path!r} must be a mapping of fields", **where)
    for key in body:
        if key not in _SETTING_FIELDS:
            allowed = ", ".join(sorted(_SETTING_FIELDS))
            raise ProfileError(
                f"setting {setting_path!r}: unknown field {key!r} (allowed: {allowed})",
                **_where(path, body, key),
            )
    values: dict[str, Any] = {f: getattr(base, f) for f in _SETTING_FIELDS} if base else {}
    values.update({str(k): v for k, v in body.items()})
    missing = [f for f in _REQUIRED if values.get(f) in (None, "")]
    if missing:
        raise ProfileError(
            f"setting {setting_path!r}: missing field(s) {', '.join(missing)}", **where
        )
    try:
        return _coerce_setting(setting_path, values)
    except ValueError as exc:
        raise ProfileError(f"setting {setting_path!r}: {exc}", **where) from None


def _coerce_setting(setting_path: str, values: dict[str, Any]) -> Setting:
    compare = (
        Compare(values["compare"])
        if not isinstance(values["compare"], Compare)
        else values["compare"]
    )
    severity = values["severity"]
    if not isinstance(severity, Severity):
        severity = Severity.parse(str(severity))
    targets = _list_field(values, "targets") or TARGETS
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        raise ValueError(f"unknown target(s) {', '.join(unknown)} (choose from c7, c8)")
    if compare in (Compare.NOT_IN, Compare.ONE_OF) and not values.get("allowed"):
        raise ValueError(f"compare {compare.value!r} needs a non-empty 'allowed' list")
    sources = [k for k in ("site", "secret_env") if values.get(k)]
    if len(sources) > 1:
        raise ValueError("set at most one of 'site' and 'secret_env'")
    if compare is Compare.PLACEHOLDER and not values.get("secret_env"):
        raise ValueError(
            "compare 'placeholder' needs 'secret_env' (the site value naming the variable)"
        )
    return Setting(
        path=setting_path,
        rule=str(values["rule"]),
        title=str(values["title"]),
        compare=compare,
        severity=severity,
        rationale=" ".join(str(values["rationale"]).split()),
        source=str(values["source"]),
        value=values.get("value"),
        site=values.get("site"),
        secret_env=values.get("secret_env"),
        allowed=_list_field(values, "allowed"),
        targets=targets,
        relaxed=" ".join(str(values["relaxed"]).split()) if values.get("relaxed") else None,
        quote_number=bool(values.get("quote_number", False)),
        optional=bool(values.get("optional", False)),
        fix=" ".join(str(values.get("fix") or "").split()),
    )


def _list_field(values: Mapping[str, Any], name: str) -> tuple[Any, ...]:
    """A list field (``allowed``, ``targets``); a bare value would be split or crash."""
    raw = values.get(name)
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise ValueError(f"{name!r} must be a list")
    return tuple(raw)


def settings_field_names() -> frozenset[str]:
    """Every field a setting may carry (documentation and tests use it)."""
    return frozenset(_SETTING_FIELDS)


DATABASES: tuple[str, ...] = ("es", "opensearch")
"""The sections a ``{db}`` segment of a setting path stands for."""


def expand_setting_path(
    pattern: str, databases: Sequence[str], keys: Callable[[DocPath], Sequence[str]]
) -> list[DocPath]:
    """Concrete paths of a setting path: ``{db}`` becomes each of ``databases``, and ``*`` each
    map key ``keys`` names for the path so far (engine aliases). The one expansion generate,
    merge and check use."""
    paths: list[DocPath] = [()]
    for segment in pattern.split("."):
        if segment == "{db}":
            paths = [(*p, db) for p in paths for db in databases]
        elif segment == "*":
            paths = [(*p, key) for p in paths for key in keys(p)]
        else:
            paths = [(*p, segment) for p in paths]
    return paths


def setting_path_matches(pattern: str, path: DocPath) -> bool:
    """Whether a concrete path is one of the paths a setting path stands for."""
    parts = pattern.split(".")
    if len(parts) != len(path):
        return False
    for part, segment in zip(parts, path, strict=True):
        if part == "{db}":
            if segment not in DATABASES:
                return False
        elif part != "*" and part != segment:
            return False
    return True


__all__ = [
    "DATABASES",
    "expand_setting_path",
    "setting_path_matches",
    "Compare",
    "Profile",
    "Setting",
    "Severity",
    "TARGETS",
    "WriteMode",
    "list_profiles",
    "load_profile",
    "settings_field_names",
]
