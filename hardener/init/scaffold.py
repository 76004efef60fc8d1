"""``optimize-harden init``: a directory from which a hardened Optimize can be started.

The configuration comes from ``hardener.generate.build`` (the same code path as ``generate``);
around it init writes the variables it needs (generated secrets in ``.env``, mode 0600), snippets
for the database cluster and the Camunda 7 engine, a Docker Compose override, a development keystore
for the dev profile, and HARDENING.md, the operator's checklist. Every file is built in memory, then
installed by :mod:`hardener.init.staging`: all of them or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from hardener.errors import ValuesError
from hardener.init import envfile, interview, snippets
from hardener.init.staging import Installed, OutputFile, install

if TYPE_CHECKING:
    from hardener.generate.build import GenerateResult
    from hardener.profiles import Profile
    from hardener.values import SiteValues

SECRET_MODE = 0o600
PUBLIC_MODE = 0o644
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class Artifact:
    """A generated file and one line saying what it is for (listed in HARDENING.md)."""

    file: OutputFile
    about: str


@dataclass(frozen=True)
class InitResult:
    """What init wrote; variable names only, never a secret value."""

    directory: Path
    profile: str
    target: str
    database: str
    files: tuple[PurePosixPath, ...]
    written: tuple[PurePosixPath, ...]
    unchanged: tuple[PurePosixPath, ...]
    backups: tuple[tuple[PurePosixPath, PurePosixPath], ...]
    generated_vars: tuple[str, ...]  # variables init filled with fresh random values
    external_vars: tuple[str, ...]  # variables the operator must fill in
    warnings: tuple[str, ...]
    dev_only: bool
    removed_staging: tuple[Path, ...] = ()  # staging folders of killed runs, deleted now


@dataclass(frozen=True)
class _Inputs:
    profile: Profile
    overrides: list[str]


def run_init(
    directory: Path,
    profile: str,
    target: str,
    *,
    values_file: Path | None,
    overrides: Sequence[str],
    answers: Mapping[str, str] | None,
    force: bool,
) -> InitResult:
    """Resolve the site values, build every file, then install them into ``directory``."""
    from hardener.generate.build import generate
    from hardener.values import load_site_values

    inputs = _resolve_inputs(profile, target, values_file, overrides, answers)
    result = generate(profile, target, values_file=values_file, overrides=inputs.overrides)
    site = load_site_values(target, values_file, inputs.overrides)
    entries = envfile.env_entries(result.plan, site)
    artifacts = build_artifacts(result, site, entries)
    installed = install([a.file for a in artifacts], directory, force=force)
    dev = interview.is_dev(inputs.profile)
    return InitResult(
        directory=directory,
        profile=result.profile.name,
        target=target,
        database=str(site.values["database"]),
        files=tuple(a.file.path for a in artifacts),
        written=installed.written,
        unchanged=installed.unchanged,
        backups=installed.backups,
        generated_vars=tuple(e.name for e in entries if e.secret is not None),
        external_vars=tuple(e.name for e in entries if e.external),
        warnings=tuple(_warnings(result, site, dev, installed)),
        dev_only=dev,
        removed_staging=installed.removed_staging,
    )


def _resolve_inputs(
    profile_name: str,
    target: str,
    values_file: Path | None,
    overrides: Sequence[str],
    answers: Mapping[str, str] | None,
) -> _Inputs:
    """User values (file, --set, answers) plus init's own defaults; refuse what is missing."""
    from hardener.catalog import check_target
    from hardener.profiles import load_profile
    from hardener.values import resolve_values

    check_target(target)
    profile = load_profile(profile_name)
    file_values = interview.load_file_values(values_file)
    user = [*overrides, *(f"{key}={value}" for key, value in (answers or {}).items())]
    # What was given is checked first: a typo in a key is the likelier cause of "missing".
    site = resolve_values(target, file_values, user, source=str(values_file or "values"))
    provided = interview.provided_keys(file_values, user)
    missing = interview.missing_keys(profile, target, provided)
    if missing:
        raise ValuesError(interview.missing_message(profile, missing))
    defaults = interview.init_defaults(profile, target, site.values, provided)
    return _Inputs(profile, [*defaults, *user])


# --------------------------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------------------------


def build_artifacts(
    result: GenerateResult, site: SiteValues, entries: Sequence[envfile.EnvEntry]
) -> list[Artifact]:
    """Every file of the init directory, HARDENING.md last (it lists the others)."""
    dev = interview.is_dev(result.profile)
    artifacts = [
        _file(snippets.CONFIG_FILE, _config_text(result, site), SECRET_MODE, _ABOUT["config"]),
        *_env_files(result, entries),
        *_database_files(site, result.target),
        *(_engine_files(site) if result.target == "c7" else []),
        *(_dev_keystore_files(site, entries) if dev else []),
    ]
    artifacts.append(_compose_file(site, dev))
    artifacts.append(_checklist(result, site, entries, artifacts))
    return artifacts


#: Why init's own config may accept OH-CNT-006: the rule's remediation is "firewall the actuator
#: port", and the compose file init writes beside the config never publishes that port.
ACTUATOR_WAIVER = (
    "# optimize-harden: allow OH-CNT-006 docker-compose.override.yml publishes only the HTTPS "
    "port, never the actuator port"
)


def _config_text(result: GenerateResult, site: SiteValues) -> str:
    """The generated config, with OH-CNT-006 waived on ``container.host`` when it is not
    loopback: in a container that is the only way published ports reach Optimize, which the
    compose note recommends, and check must then agree with the note."""
    if str(site.values["container.host"]) in _LOOPBACK:
        return result.text
    lines = result.text.split("\n")
    start = lines.index("container:") if "container:" in lines else len(lines)
    for index in range(start + 1, len(lines)):
        if lines[index].startswith("  host: "):
            lines[index] += f"  {ACTUATOR_WAIVER}"
            break
        if lines[index][:1] not in ("", " "):
            break  # the container section ended without a host line
    return "\n".join(lines)


_ABOUT = {
    "config": "Optimize's hardened configuration; mount it at /optimize/config/.",
    ".env": "Generated secrets and the database switch; keep it out of version control.",
    ".env.example": "Every variable the configuration reads, without values; safe to commit.",
    "es-security": "Security settings to merge into elasticsearch.yml on every node.",
    "es-role": "Body of PUT _security/role/optimize_app: Optimize's least-privilege role.",
    "os-security": "Security settings to merge into opensearch.yml on every node.",
    "os-role": "The optimize_app role, to merge into the security plugin's roles.yml.",
    "os-mapping": "Gives the role to Optimize's user; merge into roles_mapping.yml.",
    "run": "Camunda Run settings: REST authentication, HTTPS, authorizations.",
    "compose": "Mounts the configuration and keystore into camunda/optimize and passes .env.",
    "keystore": "DEVELOPMENT ONLY: self-signed localhost key and certificate (PKCS#12).",
    "cert": "DEVELOPMENT ONLY: the self-signed certificate, to trust in a local browser or curl.",
    "checklist": "This checklist.",
}


def _file(path: str | PurePosixPath, text: str, mode: int, about: str) -> Artifact:
    data = OutputFile(PurePosixPath(path), text.encode("utf-8"), mode)
    return Artifact(data, about)


def _env_files(result: GenerateResult, entries: Sequence[envfile.EnvEntry]) -> list[Artifact]:
    optional = envfile.optional_vars(result.plan)
    head = f"profile {result.profile.name}, target {result.target}"
    secret_header = (
        f"Variables for Optimize ({head}), generated by optimize-harden init.",
        "SECRET: mode 0600, never commit it, never paste it into tickets or chats.",
        "Docker Compose passes it with env_file; a shell loads it with: set -a; . ./.env; set +a",
    )
    example_header = (
        f"Every variable environment-config.yaml reads ({head}), without values.",
        "Copy to .env (mode 0600) and fill in; init already did that once for this directory.",
    )
    env_text = envfile.render_env(entries, optional, example=False, header=secret_header)
    example = envfile.render_env(entries, optional, example=True, header=example_header)
    return [
        _file(".env", env_text, SECRET_MODE, _ABOUT[".env"]),
        _file(".env.example", example, PUBLIC_MODE, _ABOUT[".env.example"]),
    ]


def _database_files(site: SiteValues, target: str) -> list[Artifact]:
    if site.values["database"] == "opensearch":
        username = str(site.values["db.username"])
        return [
            _file("opensearch/opensearch-security.yml", snippets.os_security_yaml(), PUBLIC_MODE,
                  _ABOUT["os-security"]),
            _file("opensearch/optimize-role.yml", snippets.os_role_yaml(target), PUBLIC_MODE,
                  _ABOUT["os-role"]),
            _file("opensearch/optimize-role-mapping.yml", snippets.os_role_mapping_yaml(username),
                  PUBLIC_MODE, _ABOUT["os-mapping"]),
        ]  # fmt: skip
    role = snippets.render_json_file(snippets.es_role(target))
    return [
        _file("elasticsearch/elasticsearch-security.yml", snippets.es_security_yaml(), PUBLIC_MODE,
              _ABOUT["es-security"]),
        _file("elasticsearch/optimize-role.json", role, PUBLIC_MODE, _ABOUT["es-role"]),
    ]  # fmt: skip


def _engine_files(site: SiteValues) -> list[Artifact]:
    text = snippets.camunda_run_yaml(str(site.values["engine.rest_url"]))
    return [_file("camunda/production-security.yml", text, PUBLIC_MODE, _ABOUT["run"])]


def _dev_keystore_files(site: SiteValues, entries: Sequence[envfile.EnvEntry]) -> list[Artifact]:
    from hardener.init.devcert import make_dev_keystore

    password = envfile.entry_for(entries, "env.keystore_password")
    if password is None or password.secret is None:
        raise ValuesError(
            "the dev keystore needs a generated keystore password, but the profile does not "
            "read container.keystore.password from a variable"
        )
    location = str(site.values["container.keystore_location"])
    keystore_path, cert_path = interview.dev_keystore_files(location)
    keystore = make_dev_keystore(password.secret)
    return [
        Artifact(OutputFile(keystore_path, keystore.pkcs12, SECRET_MODE), _ABOUT["keystore"]),
        Artifact(OutputFile(cert_path, keystore.certificate_pem, PUBLIC_MODE), _ABOUT["cert"]),
    ]


def compose_mounts(site: SiteValues) -> list[snippets.Mount]:
    """The configuration, the keystore and any database CA files, read-only."""
    config = str(snippets.CONFIG_FILE)
    locations = [str(site.values["container.keystore_location"]), *site.values["db.ca_paths"]]
    mounts = [snippets.Mount(f"./{config}", str(snippets.OPTIMIZE_HOME / config))]
    mounts += [
        snippets.Mount(snippets.host_path(loc), str(snippets.container_path(loc)))
        for loc in locations
    ]
    return mounts


def compose_notes(site: SiteValues, dev: bool) -> list[str]:
    """Warnings for the compose file header, decided here rather than in the template."""
    notes = []
    host = str(site.values["container.host"])
    if host in _LOOPBACK:
        notes += [
            f"NOTE: container.host is {host}, the container's own loopback: published ports",
            "cannot reach Optimize. Set hostname: optimize on the service and re-run init with",
            "--set container.host=optimize (the config then waives OH-CNT-006, as this file",
            "never publishes the actuator port).",
        ]
    else:
        notes += [
            f"NOTE: container.host is {host}, so the unauthenticated actuator port listens there",
            "too; the config waives OH-CNT-006 only because this file never publishes it.",
        ]
    if dev:
        notes.append("DEVELOPMENT ONLY: this directory holds a self-signed localhost keystore.")
    return notes


def _compose_file(site: SiteValues, dev: bool) -> Artifact:
    text = snippets.compose_override_yaml(compose_mounts(site), compose_notes(site, dev))
    return _file("docker-compose.override.yml", text, PUBLIC_MODE, _ABOUT["compose"])


def _checklist(
    result: GenerateResult,
    site: SiteValues,
    entries: Sequence[envfile.EnvEntry],
    artifacts: Sequence[Artifact],
) -> Artifact:
    from hardener.init.checklist import render_checklist

    listing = [(a.file.path, a.file.mode, a.about) for a in artifacts]
    listing.append((PurePosixPath("HARDENING.md"), PUBLIC_MODE, _ABOUT["checklist"]))
    text = render_checklist(result, site, entries, listing)
    return _file("HARDENING.md", text, PUBLIC_MODE, _ABOUT["checklist"])


def _warnings(
    result: GenerateResult,
    site: SiteValues,
    dev: bool,
    installed: Installed,
) -> list[str]:
    lines = [
        f"removed {path}, left behind by an interrupted run" for path in installed.removed_staging
    ]
    lines += [f"profile {result.profile.name} relaxes {line}" for line in result.warnings]
    if dev:
        keystore, _ = interview.dev_keystore_files(str(site.values["container.keystore_location"]))
        lines.append(
            f"DEVELOPMENT ONLY: {keystore} holds a self-signed localhost certificate; "
            "never use this directory on a shared or production host"
        )
    for original, backup in installed.backups:
        if original == PurePosixPath(".env"):
            lines.append(
                f".env now holds new secrets; the previous ones are in {backup} (a keystore "
                "made with the old password needs the old value)"
            )
    return lines
