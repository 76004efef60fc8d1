"""Which site values ``init`` asks for, how an answer is checked, and what is missing without one.

``init`` asks only for values that differ per installation and matter for the generated files:

========================== ============================================================
``database``               decides between the Elasticsearch and OpenSearch snippets
``db.nodes``               **required** outside dev: ``localhost:9200`` is wrong on a server
``db.username``            the least-privilege user the role snippet is meant for
``db.ca_paths``            the private CA Optimize should trust (empty for a public CA)
``engine.rest_url``        **required** outside dev (c7): the engine is rarely on localhost
``engine.webapps_url``     offered as the REST URL's origin + ``/camunda``
``engine.user``            the dedicated import user the checklist grants rights to
``container.host``         the interface Optimize binds (Docker needs more than loopback)
``container.keystore_location`` where the keystore lives (dev: where init writes it)
``container.access_url``   the public https address, optional
========================== ============================================================

"Required" means the schema default is only usable on a developer's machine: in a dev profile
every question has a usable default, elsewhere the two marked values must come from
``--values``/``--set`` or an answer. Everything else keeps its documented default, which
``optimize-harden values`` prints. Answers are checked with the parsers of ``hardener.values`` and
judged against the profile with ``hardener.compare``, so an answer is refused for exactly the
reasons ``generate`` would refuse it, and re-asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from hardener.compare import judge
from hardener.errors import ValuesError
from hardener.plan import context_for
from hardener.profiles import Profile
from hardener.values import SiteValue, parse_assignment, resolve_values, schema_for

ASKED: tuple[str, ...] = (
    "database",
    "db.nodes",
    "db.username",
    "db.ca_paths",
    "engine.rest_url",
    "engine.webapps_url",
    "engine.user",
    "container.host",
    "container.keystore_location",
    "container.access_url",
)
"""Site values init asks for on a terminal, in this order (keys of other targets are skipped)."""

REQUIRED_OUTSIDE_DEV: frozenset[str] = frozenset({"db.nodes", "engine.rest_url"})
"""Values whose defaults point at localhost: fine on a laptop, wrong on any server."""

DEV_KEYSTORE_LOCATION = "config/dev-only-localhost.p12"
"""Where a dev install keeps its self-signed keystore unless told otherwise; the name says it."""

WEBAPPS_PATH = "/camunda"
"""Path of the Camunda 7 web apps below the engine's origin (Camunda Run and the distributions)."""

_HINTS = {
    "db.nodes": "host:port of each node, comma-separated",
    "db.ca_paths": "comma-separated PEM paths as Optimize sees them; empty for a public CA",
    "container.host": "in Docker, loopback is the container's own; use its host name",
    "container.access_url": "empty to leave unset",
}


@dataclass(frozen=True)
class Question:
    """One prompt: the site value, a label, its documentation, and the default offered."""

    key: str
    label: str
    doc: str
    default: str | None  # None: there is no usable default; an answer is required


AskCallback = Callable[[Question, str | None], str]
"""Asks one question and returns the raw answer; the second argument is the previous error."""


def is_dev(profile: Profile) -> bool:
    """A dev profile (or one extending it) runs on a laptop: localhost defaults are usable."""
    return "dev" in profile.chain


def provided_keys(file_values: Mapping[str, Any] | None, overrides: Iterable[str]) -> set[str]:
    """Site values the user gave in a values file or with ``--set`` (validated later)."""
    from hardener.values import _flatten  # the one definition of nested/dotted values files

    keys = set(_flatten(file_values or {}))
    keys.update(parse_assignment(text)[0] for text in overrides)
    return keys


def missing_keys(profile: Profile, target: str, provided: Iterable[str]) -> list[str]:
    """Required values nobody gave; empty for dev profiles."""
    if is_dev(profile):
        return []
    known = {item.key for item in schema_for(target)}
    given = set(provided)
    return [key for key in ASKED if key in REQUIRED_OUTSIDE_DEV & known and key not in given]


def missing_message(profile: Profile, missing: list[str]) -> str:
    """One line naming what is missing and every way to supply it."""
    names = ", ".join(missing)
    return (
        f"profile {profile.name} needs site values that have no usable default: {names}; "
        "pass them with --set KEY=VALUE or --values FILE, or run init on a terminal to be asked"
    )


def init_defaults(
    profile: Profile, target: str, site_values: Mapping[str, Any], provided: set[str]
) -> list[str]:
    """``KEY=VALUE`` defaults that init chooses where the user chose nothing."""
    defaults = []
    if is_dev(profile) and "container.keystore_location" not in provided:
        defaults.append(f"container.keystore_location={DEV_KEYSTORE_LOCATION}")
    derived = derived_webapps_url(site_values) if target == "c7" else None
    if derived and "engine.webapps_url" not in provided and "engine.rest_url" in provided:
        defaults.append(f"engine.webapps_url={derived}")
    return defaults


def derived_webapps_url(site_values: Mapping[str, Any]) -> str | None:
    """The web apps live beside the REST API on the same origin in every Camunda 7 distribution."""
    rest = site_values.get("engine.rest_url")
    if not rest:
        return None
    parts = urlsplit(str(rest))
    return f"{parts.scheme}://{parts.netloc}{WEBAPPS_PATH}"


def dev_keystore_path(location: str) -> PurePosixPath:
    """The dev keystore is written inside DIR, so its location must be a plain relative path."""
    path = PurePosixPath(location)
    if path.is_absolute() or not path.parts or ".." in path.parts or "$" in location:
        raise ValuesError(
            f"site value 'container.keystore_location' {location!r}: the dev keystore is written "
            f"into the init directory, so use a relative path such as {DEV_KEYSTORE_LOCATION}"
        )
    return path


def dev_keystore_files(location: str) -> tuple[PurePosixPath, PurePosixPath]:
    """The dev keystore and its certificate (same name, ``.crt``) inside the init directory."""
    keystore = dev_keystore_path(location)
    return keystore, keystore.with_name(keystore.stem + ".crt")


def check_answer(key: str, text: str, profile: Profile, target: str) -> str:
    """Validate one answer as ``generate`` would; raises ValuesError with the reason."""
    answer = text.strip()
    value = _parse(_schema_item(key, target), answer)
    for setting in profile.for_target(target):
        if setting.site != key or (setting.optional and value in (None, "", [])):
            continue
        verdict = judge(setting, value, context_for(profile))
        if not verdict.ok:
            raise ValuesError(f"{key} {verdict.reason} ({setting.rule}: {setting.rationale})")
    if key == "container.keystore_location" and is_dev(profile):
        dev_keystore_path(answer)
    return answer


def collect_answers(
    profile: Profile,
    target: str,
    file_values: Mapping[str, Any] | None,
    overrides: Iterable[str],
    ask: AskCallback,
) -> dict[str, str]:
    """Ask every value of :data:`ASKED` the user has not given, until each answer is valid."""
    overrides = list(overrides)
    provided = provided_keys(file_values, overrides)
    known = dict(resolve_values(target, file_values, overrides).values)
    answers: dict[str, str] = {}
    for item in _asked_items(target):
        if item.key in provided:
            continue
        question = make_question(item, profile, known)
        answers[item.key] = _ask_until_valid(question, ask, profile, target)
        known[item.key] = _parse(item, answers[item.key])
    return answers


def make_question(item: SiteValue, profile: Profile, known: Mapping[str, Any]) -> Question:
    """The prompt for one value, offering the default that fits the profile."""
    hint = _HINTS.get(item.key)
    label = f"{item.key} ({hint})" if hint else item.key
    return Question(item.key, label, item.doc, _offered_default(item, profile, known))


def _offered_default(item: SiteValue, profile: Profile, known: Mapping[str, Any]) -> str | None:
    if item.key in REQUIRED_OUTSIDE_DEV and not is_dev(profile):
        return None
    if item.key == "container.keystore_location" and is_dev(profile):
        return DEV_KEYSTORE_LOCATION
    if item.key == "engine.webapps_url":
        return derived_webapps_url(known) or _as_text(item.default)
    return _as_text(item.default)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def _ask_until_valid(question: Question, ask: AskCallback, profile: Profile, target: str) -> str:
    error: str | None = None
    while True:
        text = ask(question, error)
        try:
            return check_answer(question.key, text, profile, target)
        except ValuesError as exc:
            error = exc.message


def _asked_items(target: str) -> list[SiteValue]:
    by_key = {item.key: item for item in schema_for(target)}
    return [by_key[key] for key in ASKED if key in by_key]


def _schema_item(key: str, target: str) -> SiteValue:
    for item in schema_for(target):
        if item.key == key:
            return item
    raise ValuesError(f"unknown site value {key!r} for target {target}")


def _parse(item: SiteValue, text: str) -> Any:
    try:
        return item.parse(text)
    except ValueError as exc:
        raise ValuesError(f"{item.key}: {exc}") from None


def load_file_values(values_file: Path | None) -> dict[str, Any] | None:
    """The values file as a mapping, or None without one."""
    from hardener.values import load_values_file

    return load_values_file(values_file) if values_file else None
