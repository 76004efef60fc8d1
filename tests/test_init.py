"""init: the tree per profile x target, its secrets, the dev keystore and safe installs."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from hardener import api
from hardener.errors import UsageError, ValuesError, WriteError
from hardener.files import backup_path
from hardener.init import envfile, interview, staging
from hardener.init.secretgen import ALNUM, URLSAFE
from hardener.model import as_placeholder, find_placeholders
from hardener.profiles import load_profile
from hardener.yaml import parse_text

PROFILES = ("strict", "standard", "dev")
TARGETS = ("c7", "c8")
REQUIRED = {
    "c7": (
        "db.nodes=es1.internal:9200",
        "engine.rest_url=https://engine.internal:8443/engine-rest",
    ),
    "c8": ("db.nodes=es1.internal:9200",),
}
TOKEN_VAR = "CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET"
KEYSTORE_VAR = "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD"
API_VAR = "OPTIMIZE_API_ACCESS_TOKEN"
GENERATED_SPECS = {TOKEN_VAR: (64, URLSAFE), KEYSTORE_VAR: (32, ALNUM), API_VAR: (64, URLSAFE)}
DEV_KEYSTORE = "config/dev-only-localhost.p12"


class MarkdownSnapshot(SingleFileSnapshotExtension):
    """One .md file per snapshot, so a review diff reads as the files it lists."""

    _write_mode = WriteMode.TEXT
    file_extension = "md"
    _file_extension = "md"  # the attribute's name in older syrupy releases


@pytest.fixture
def md_snapshot(snapshot: Any) -> Any:
    return snapshot.use_extension(MarkdownSnapshot)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def run_init(directory: Path, profile: str, target: str, *extra: str, **kwargs: Any) -> Any:
    overrides = (*REQUIRED[target], *extra)
    return api.init(directory, profile, target, overrides=overrides, **kwargs)


def parse_yaml(text: str, name: str = "generated") -> dict[str, Any]:
    return parse_text(text, name)


def read_env(path: Path) -> dict[str, str]:
    """NAME=value lines; commented lines are skipped, as Compose and shells do."""
    values = {}
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def tree(directory: Path) -> dict[str, Path]:
    return {str(p.relative_to(directory)): p for p in sorted(directory.rglob("*")) if p.is_file()}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def placeholders(value: Any) -> set[str]:
    """Every ${NAME} in a parsed tree."""
    if isinstance(value, dict):
        return set().union(*(placeholders(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(placeholders(v) for v in value)) if value else set()
    return {m.name for m in find_placeholders(value)} if isinstance(value, str) else set()


def masked_dump(directory: Path) -> str:
    """The whole tree as Markdown: path, mode, contents; random material replaced by a label."""
    env = read_env(directory / ".env")
    parts = []
    for name, path in tree(directory).items():
        body = _masked_body(name, path, env)
        fence = "`" * (max((len(r) for r in re.findall(r"`+", body)), default=2) + 1)
        parts.append(f"## {name} (mode {mode(path):04o})\n\n{fence}\n{body}{fence}\n")
    return "\n".join(parts)


def _masked_body(name: str, path: Path, env: dict[str, str]) -> str:
    if name.endswith(".p12"):
        return "<PKCS#12 keystore: random key, not shown>\n"
    if name.endswith(".crt"):
        return "<PEM certificate: random key, not shown>\n"
    text = path.read_text()
    for var in GENERATED_SPECS:
        if env.get(var):
            text = text.replace(env[var], f"<generated {var}: {len(env[var])} characters>")
    return text


# --------------------------------------------------------------------------------------------
# Snapshots of the generated tree
# --------------------------------------------------------------------------------------------


def expected_files(profile: str, target: str, database: str = "elasticsearch") -> set[str]:
    files = {
        "config/environment-config.yaml",
        ".env",
        ".env.example",
        "HARDENING.md",
        "docker-compose.override.yml",
    }
    if database == "elasticsearch":
        files |= {"elasticsearch/elasticsearch-security.yml", "elasticsearch/optimize-role.json"}
    else:
        files |= {
            "opensearch/opensearch-security.yml",
            "opensearch/optimize-role.yml",
            "opensearch/optimize-role-mapping.yml",
        }
    if target == "c7":
        files.add("camunda/production-security.yml")
    if profile == "dev":
        files |= {DEV_KEYSTORE, "config/dev-only-localhost.crt"}
    return files


def assert_tree_properties(directory: Path, profile: str, target: str, database: str) -> None:
    files = tree(directory)
    assert set(files) == expected_files(profile, target, database)
    for name, path in files.items():
        secret = name in (".env", "config/environment-config.yaml", DEV_KEYSTORE)
        assert mode(path) == (0o600 if secret else 0o644), name
        if name.endswith((".yml", ".yaml")):
            parse_yaml(path.read_text(), name)  # every YAML file parses back
        if name.endswith(".json"):
            json.loads(path.read_text())
    config = parse_yaml(files["config/environment-config.yaml"].read_text())
    example = read_env(directory / ".env.example") | _commented(directory / ".env.example")
    assert placeholders(config) <= set(example), "a ${VAR} of the config is not documented"
    env = read_env(directory / ".env")
    required = {p.name for p in map(as_placeholder, _leaves(config)) if p and p.default is None}
    assert required <= set(env), "a required variable is missing from .env"
    assert env["CAMUNDA_OPTIMIZE_DATABASE"] == database


def _commented(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"# ([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def _leaves(tree_: Any) -> list[Any]:
    if isinstance(tree_, dict):
        return [leaf for value in tree_.values() for leaf in _leaves(value)]
    if isinstance(tree_, list):
        return [leaf for value in tree_ for leaf in _leaves(value)]
    return [tree_]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_tree_snapshot(profile: str, target: str, tmp_path: Path, md_snapshot: Any) -> None:
    directory = tmp_path / "optimize"
    result = run_init(directory, profile, target)
    assert_tree_properties(directory, profile, target, "elasticsearch")
    assert result.dev_only is (profile == "dev")
    assert masked_dump(directory) == md_snapshot


@pytest.mark.parametrize(("profile", "target"), [("strict", "c8"), ("dev", "c7")])
def test_opensearch_tree_snapshot(
    profile: str, target: str, tmp_path: Path, md_snapshot: Any
) -> None:
    directory = tmp_path / "optimize"
    run_init(directory, profile, target, "database=opensearch")
    assert_tree_properties(directory, profile, target, "opensearch")
    config = parse_yaml((directory / "config/environment-config.yaml").read_text())
    assert "opensearch" in config and "es" not in config
    assert masked_dump(directory) == md_snapshot


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_config_is_exactly_what_generate_writes(profile: str, target: str, tmp_path: Path) -> None:
    run_init(tmp_path / "d", profile, target)
    extra = [f"container.keystore_location={DEV_KEYSTORE}"] if profile == "dev" else []
    if target == "c7":  # init offers the web apps on the engine's origin
        extra.append("engine.webapps_url=https://engine.internal:8443/camunda")
    expected = api.generate(profile, target, overrides=(*REQUIRED[target], *extra)).text
    assert (tmp_path / "d/config/environment-config.yaml").read_text() == expected


def test_role_and_snippets_hold_least_privilege(tmp_path: Path) -> None:
    run_init(tmp_path / "d", "strict", "c7")
    role = json.loads((tmp_path / "d/elasticsearch/optimize-role.json").read_text())
    assert role["cluster"] == ["monitor", "manage_index_templates"]
    assert role["indices"] == [
        {
            "names": ["optimize-*"],
            "privileges": ["create_index", "delete_index", "read", "write", "manage"],
        }
    ]
    es = parse_yaml((tmp_path / "d/elasticsearch/elasticsearch-security.yml").read_text())
    assert es["xpack.security.enabled"] is True
    assert es["xpack.security.transport.ssl.verification_mode"] == "full"
    run = parse_yaml((tmp_path / "d/camunda/production-security.yml").read_text())
    assert run["camunda"]["bpm"]["run"]["auth"] == {"enabled": True, "authentication": "basic"}
    assert run["camunda"]["bpm"]["authorization"]["enabled"] is True
    assert run["server"]["port"] == 8443
    assert as_placeholder(run["server"]["ssl"]["key-store-password"]) is not None


def test_c8_role_reads_zeebe_indices_only(tmp_path: Path) -> None:
    run_init(tmp_path / "d", "standard", "c8")
    role = json.loads((tmp_path / "d/elasticsearch/optimize-role.json").read_text())
    assert {"names": ["zeebe-record*"], "privileges": ["read"]} in role["indices"]


def test_compose_mounts_config_keystore_and_cas_read_only(tmp_path: Path) -> None:
    run_init(
        tmp_path / "d",
        "standard",
        "c7",
        "container.keystore_location=/optimize/config/tls/optimize.p12",
        "db.ca_paths=/optimize/config/certs/ca.crt,/etc/pki/es-ca.pem",
    )
    compose = parse_yaml((tmp_path / "d/docker-compose.override.yml").read_text())
    service = compose["services"]["optimize"]
    assert service["env_file"] == [".env"]
    mounts = {(v["source"], v["target"]) for v in service["volumes"]}
    assert mounts == {
        ("./config/environment-config.yaml", "/optimize/config/environment-config.yaml"),
        ("./config/tls/optimize.p12", "/optimize/config/tls/optimize.p12"),
        ("./config/certs/ca.crt", "/optimize/config/certs/ca.crt"),
        ("/etc/pki/es-ca.pem", "/etc/pki/es-ca.pem"),
    }
    assert all(v["read_only"] is True and v["type"] == "bind" for v in service["volumes"])


# --------------------------------------------------------------------------------------------
# Site values
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "target", "missing"),
    [("strict", "c7", "db.nodes, engine.rest_url"), ("standard", "c8", "db.nodes")],
)
def test_missing_values_are_listed(profile: str, target: str, missing: str, tmp_path: Path) -> None:
    with pytest.raises(ValuesError, match=f"no usable default: {re.escape(missing)};"):
        api.init(tmp_path / "d", profile, target)
    assert not (tmp_path / "d").exists()


def test_a_mistyped_value_is_named_before_what_is_missing(tmp_path: Path) -> None:
    """--set db.node=... would otherwise be reported as "db.nodes is missing"."""
    with pytest.raises(ValuesError, match=r"^--set: unknown site value 'db.node' \(did you mean"):
        api.init(tmp_path / "d", "strict", "c7", overrides=["db.node=es1:9200"])
    with pytest.raises(ValuesError, match=r"^--set: site value 'container.https_port': must be"):
        api.init(tmp_path / "d", "strict", "c7", overrides=["container.https_port=0"])
    assert not (tmp_path / "d").exists()


def test_dev_needs_no_values(tmp_path: Path) -> None:
    result = api.init(tmp_path / "d", "dev", "c7")
    assert result.external_vars == ("OPTIMIZE_ENGINE_PASSWORD", "OPTIMIZE_DATABASE_PASSWORD")


def test_values_file_supplies_required_values(tmp_path: Path) -> None:
    values = tmp_path / "site.yaml"
    values.write_text(
        "db:\n  nodes: [es1.internal:9200]\n"
        "engine.rest_url: https://engine.example.com:9443/engine-rest\n"
    )
    api.init(tmp_path / "d", "strict", "c7", values_file=values)
    config = parse_yaml((tmp_path / "d/config/environment-config.yaml").read_text())
    engine = config["engines"]["camunda-bpm"]
    assert engine["rest"] == "https://engine.example.com:9443/engine-rest"
    # The web apps default follows the engine's origin instead of staying on localhost.
    assert engine["webapps"]["endpoint"] == "https://engine.example.com:9443/camunda"
    assert config["es"]["connection"]["nodes"] == [{"host": "es1.internal", "httpPort": 9200}]


def test_answers_count_as_given_values(tmp_path: Path) -> None:
    answers = {"db.nodes": "es9:9201", "engine.rest_url": "https://e9/engine-rest"}
    api.init(tmp_path / "d", "strict", "c7", answers=answers)
    config = parse_yaml((tmp_path / "d/config/environment-config.yaml").read_text())
    assert config["es"]["connection"]["nodes"] == [{"host": "es9", "httpPort": 9201}]
    assert config["engines"]["camunda-bpm"]["webapps"]["endpoint"] == "https://e9/camunda"


def test_profile_refuses_weak_site_value(tmp_path: Path) -> None:
    with pytest.raises(ValuesError, match="engine.rest_url"):
        run_init(tmp_path / "d", "strict", "c7", "engine.rest_url=http://engine:8080/engine-rest")
    assert not (tmp_path / "d").exists()


def test_dev_keystore_location_must_stay_inside(tmp_path: Path) -> None:
    with pytest.raises(ValuesError, match="relative path"):
        api.init(tmp_path / "d", "dev", "c7", overrides=["container.keystore_location=/etc/k.p12"])
    with pytest.raises(ValuesError, match="relative path"):
        api.init(tmp_path / "d", "dev", "c7", overrides=["container.keystore_location=../k.p12"])


def test_dev_keystore_follows_the_site_value(tmp_path: Path) -> None:
    api.init(tmp_path / "d", "dev", "c7", overrides=["container.keystore_location=tls/dev.p12"])
    assert mode(tmp_path / "d/tls/dev.p12") == 0o600
    assert (tmp_path / "d/tls/dev.crt").is_file()
    config = parse_yaml((tmp_path / "d/config/environment-config.yaml").read_text())
    assert as_placeholder(config["container"]["keystore"]["location"]).default == "tls/dev.p12"


def test_unsafe_characters_in_site_values_stay_data(tmp_path: Path) -> None:
    user = "opt\"imize #x: y'"
    location = "config/my key: store.p12"
    run_init(
        tmp_path / "d",
        "standard",
        "c7",
        "database=opensearch",
        f"db.username={user}",
        f"container.keystore_location={location}",
    )
    mapping = parse_yaml((tmp_path / "d/opensearch/optimize-role-mapping.yml").read_text())
    assert mapping == {"optimize_app": {"reserved": False, "users": [user]}}
    compose = parse_yaml((tmp_path / "d/docker-compose.override.yml").read_text())
    volumes = compose["services"]["optimize"]["volumes"]
    assert {"type": "bind", "source": f"./{location}", "target": f"/optimize/{location}",
            "read_only": True} in volumes  # fmt: skip
    checklist = (tmp_path / "d/HARDENING.md").read_text()
    assert "internalusers/opt%22imize%20%23x%3A%20y%27" in checklist  # URL-quoted in the command
    assert "`opt\"imize #x: y'`" in checklist  # a literal code span in prose


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_generated_secrets_have_length_and_alphabet(profile: str, tmp_path: Path) -> None:
    result = run_init(tmp_path / "d", profile, "c7")
    env = read_env(tmp_path / "d/.env")
    expected = {TOKEN_VAR, KEYSTORE_VAR}  # the static API token is optional: never generated
    assert set(result.generated_vars) == expected
    for var in expected:
        length, alphabet = GENERATED_SPECS[var]
        assert len(env[var]) == length, var
        assert set(env[var]) <= set(alphabet), var
    assert len(env[TOKEN_VAR]) >= 64 and len(env[KEYSTORE_VAR]) >= 20
    assert env["OPTIMIZE_DATABASE_PASSWORD"] == "" and env["OPTIMIZE_ENGINE_PASSWORD"] == ""
    assert mode(tmp_path / "d/.env") == 0o600


def test_secrets_differ_between_runs(tmp_path: Path) -> None:
    run_init(tmp_path / "a", "standard", "c7")
    run_init(tmp_path / "b", "standard", "c7")
    first, second = read_env(tmp_path / "a/.env"), read_env(tmp_path / "b/.env")
    for var in (TOKEN_VAR, KEYSTORE_VAR):
        assert first[var] != second[var]


def test_no_secret_in_result_example_or_checklist(tmp_path: Path) -> None:
    result = run_init(tmp_path / "d", "dev", "c7")
    env = read_env(tmp_path / "d/.env")
    secrets = [env[var] for var in (TOKEN_VAR, KEYSTORE_VAR)]
    public = [repr(result), *(p.read_text() for n, p in tree(tmp_path / "d").items()
                              if n not in (".env", DEV_KEYSTORE))]  # fmt: skip
    for text in public:
        assert not any(secret in text for secret in secrets)


def test_static_api_token_not_generated_when_jwt_is_used(tmp_path: Path) -> None:
    result = run_init(tmp_path / "d", "standard", "c7", "api.jwt_set_uri=https://idp/jwks")
    assert API_VAR not in result.generated_vars
    assert API_VAR not in read_env(tmp_path / "d/.env")
    assert "# OPTIMIZE_API_ACCESS_TOKEN=" in (tmp_path / "d/.env").read_text()


@pytest.mark.parametrize("profile", ["standard", "dev"])
def test_optional_static_api_token_is_left_unset(profile: str, tmp_path: Path) -> None:
    """Setting the variable turns the static token on (``${VAR:null}``), so init must not."""
    result = run_init(tmp_path / "d", profile, "c7")
    assert API_VAR not in result.generated_vars
    assert API_VAR not in read_env(tmp_path / "d/.env")
    assert "# OPTIMIZE_API_ACCESS_TOKEN=" in (tmp_path / "d/.env").read_text()
    assert "no static token is accepted" in (tmp_path / "d/HARDENING.md").read_text()


def test_secret_repr_is_masked() -> None:
    entries = envfile.env_entries(api.generate("dev", "c7").plan, api.load_site_values("c7"))
    for entry in entries:
        if entry.secret is not None:
            assert entry.secret.reveal() not in repr(entry)
            assert entry.secret.reveal() not in str(entry.secret)


# --------------------------------------------------------------------------------------------
# The dev keystore
# --------------------------------------------------------------------------------------------


def test_dev_keystore_opens_with_env_password_and_names_localhost(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs12

    api.init(tmp_path / "d", "dev", "c7")
    password = read_env(tmp_path / "d/.env")[KEYSTORE_VAR]
    data = (tmp_path / "d" / DEV_KEYSTORE).read_bytes()
    key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode())
    assert key is not None and cert is not None and extra == []
    assert key.public_key() == cert.public_key()
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert ip_address("127.0.0.1") in names.get_values_for_type(x509.IPAddress)
    now = datetime.now(UTC)
    assert cert.not_valid_before_utc <= now < cert.not_valid_after_utc
    assert "DEVELOPMENT ONLY" in cert.subject.rfc4514_string()
    pem = (tmp_path / "d/config/dev-only-localhost.crt").read_bytes()
    assert x509.load_pem_x509_certificate(pem) == cert
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(data, b"optimize")


def test_dev_is_labelled_development_only(tmp_path: Path) -> None:
    result = api.init(tmp_path / "d", "dev", "c7")
    checklist = (tmp_path / "d/HARDENING.md").read_text()
    assert checklist.startswith(
        "# Hardening checklist for Camunda Optimize\n\n> **DEVELOPMENT ONLY.**"
    )
    assert any(w.startswith("DEVELOPMENT ONLY:") for w in result.warnings)
    assert "DEVELOPMENT ONLY" in (tmp_path / "d/docker-compose.override.yml").read_text()


@pytest.mark.skipif(
    not any(Path(d, "keytool").exists() for d in os.get_exec_path()), reason="no keytool"
)
def test_java_reads_the_dev_keystore(tmp_path: Path) -> None:
    import subprocess

    api.init(tmp_path / "d", "dev", "c7")
    password = read_env(tmp_path / "d/.env")[KEYSTORE_VAR]
    listing = subprocess.run(
        ["keytool", "-list", "-storetype", "PKCS12", "-storepass:env", "KS_PASSWORD",
         "-keystore", str(tmp_path / "d" / DEV_KEYSTORE)],
        env={**os.environ, "KS_PASSWORD": password},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert listing.returncode == 0, listing.stderr
    assert "PrivateKeyEntry" in listing.stdout


# --------------------------------------------------------------------------------------------
# Safe installs
# --------------------------------------------------------------------------------------------


def siblings(parent: Path) -> set[str]:
    return {p.name for p in parent.iterdir()}


def test_refuses_non_empty_directory(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    directory.mkdir()
    (directory / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="is not empty; use --force"):
        run_init(directory, "strict", "c7")
    assert siblings(directory) == {"notes.txt"}
    assert siblings(tmp_path) == {"d"}


def test_fills_an_empty_existing_directory(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    directory.mkdir(mode=0o750)
    run_init(directory, "strict", "c7")
    assert set(tree(directory)) == expected_files("strict", "c7")
    assert mode(directory) == 0o750  # the user's directory keeps its mode


def test_new_directory_is_private(tmp_path: Path) -> None:
    run_init(tmp_path / "d", "strict", "c7")
    assert mode(tmp_path / "d") == 0o700


def test_force_keeps_other_files_and_backs_up_replaced_ones(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    run_init(directory, "standard", "c7")
    old_env = (directory / ".env").read_bytes()
    (directory / "notes.txt").write_text("mine")
    (directory / "HARDENING.md").write_text("my edits")
    (directory / ".env.bak").write_text("an older backup")
    result = run_init(directory, "standard", "c7", force=True)
    backups = dict((str(a), str(b)) for a, b in result.backups)
    assert backups == {".env": ".env.bak.1", "HARDENING.md": "HARDENING.md.bak"}
    assert (directory / ".env.bak.1").read_bytes() == old_env
    assert mode(directory / ".env.bak.1") == 0o600  # a backup of secrets stays private
    assert (directory / ".env.bak").read_text() == "an older backup"
    assert (directory / "HARDENING.md.bak").read_text() == "my edits"
    assert (directory / "notes.txt").read_text() == "mine"
    # Files whose bytes did not change are left alone: no backup, no rewrite.
    assert PurePosixPath("config/environment-config.yaml") in result.unchanged
    assert any(".env now holds new secrets" in w for w in result.warnings)
    assert not [n for n in siblings(tmp_path) if n != "d"]


def test_force_refuses_a_directory_where_a_file_goes(tmp_path: Path) -> None:
    directory = tmp_path / "d"
    (directory / ".env").mkdir(parents=True)
    with pytest.raises(WriteError, match="is a directory"):
        run_init(directory, "strict", "c7", force=True)
    assert siblings(directory) == {".env"}
    assert siblings(tmp_path) == {"d"}


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_failure_mid_build_leaves_nothing(
    error: BaseException, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = staging.write_file
    calls = []

    def failing_write(path: Path, data: bytes, file_mode: int) -> None:
        calls.append(path)
        if len(calls) == 4:
            raise error
        real_write(path, data, file_mode)

    monkeypatch.setattr(staging, "write_file", failing_write)
    expected: type[BaseException] = WriteError if isinstance(error, OSError) else KeyboardInterrupt
    with pytest.raises(expected):
        run_init(tmp_path / "d", "dev", "c7")
    assert len(calls) == 4
    assert siblings(tmp_path) == set()  # neither the directory nor the temporary folder


def test_failure_mid_build_leaves_existing_directory_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "d"
    run_init(directory, "strict", "c7")
    before = {name: path.read_bytes() for name, path in tree(directory).items()}

    def failing_write(path: Path, data: bytes, file_mode: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(staging, "write_file", failing_write)
    with pytest.raises(WriteError, match="Input/output error"):
        run_init(directory, "strict", "c7", force=True)
    assert {name: path.read_bytes() for name, path in tree(directory).items()} == before
    assert siblings(tmp_path) == {"d"}


def test_backup_names_count_up(tmp_path: Path) -> None:
    target = tmp_path / "x.yml"
    assert backup_path(target) == tmp_path / "x.yml.bak"
    (tmp_path / "x.yml.bak").write_text("")
    (tmp_path / "x.yml.bak.1").symlink_to("nowhere")  # a dangling link still takes the name
    assert backup_path(target) == tmp_path / "x.yml.bak.2"


def test_install_refuses_paths_outside_the_directory(tmp_path: Path) -> None:
    for bad in ("../escape", "/etc/passwd", "a/../../b"):
        with pytest.raises(WriteError, match="outside"):
            staging.install([staging.OutputFile(PurePosixPath(bad), b"", 0o644)], tmp_path / "d")
    assert siblings(tmp_path) == set()


# --------------------------------------------------------------------------------------------
# Answers and questions (the library side of the interactive mode)
# --------------------------------------------------------------------------------------------


def test_answers_are_judged_like_generate_judges_them() -> None:
    strict, dev = load_profile("strict"), load_profile("dev")
    with pytest.raises(ValuesError, match="engine.rest_url is not an https:// URL"):
        interview.check_answer("engine.rest_url", "http://e:8080/engine-rest", strict, "c7")
    assert interview.check_answer("engine.rest_url", " http://e:8080/x ", dev, "c7") == (
        "http://e:8080/x"
    )
    with pytest.raises(ValuesError, match="container.host"):
        interview.check_answer("container.host", "0.0.0.0", strict, "c7")
    with pytest.raises(ValuesError, match="db.nodes: needs at least one node"):
        interview.check_answer("db.nodes", "", strict, "c7")
    with pytest.raises(ValuesError, match="must be a port number"):
        interview.check_answer("db.nodes", "es1:ninety", strict, "c7")
    assert interview.check_answer("container.access_url", "", strict, "c7") == ""


def test_collect_answers_reasks_until_valid_and_skips_given_values() -> None:
    replies = iter(["http://plain/engine-rest", "https://engine/engine-rest"])
    asked: list[tuple[str, str | None, str | None]] = []

    def ask(question: interview.Question, error: str | None) -> str:
        asked.append((question.key, question.default, error))
        if question.key == "engine.rest_url":
            return next(replies)
        return question.default or ""

    answers = interview.collect_answers(
        load_profile("strict"), "c7", {"db": {"nodes": ["es1:9200"]}}, ["engine.user=imp"], ask
    )
    keys = [key for key, _, _ in asked]
    assert "db.nodes" not in keys and "engine.user" not in keys  # given: not asked
    rest = [(default, error) for key, default, error in asked if key == "engine.rest_url"]
    assert rest[0] == (None, None)  # no usable default outside dev
    assert rest[1][1] is not None and "https" in rest[1][1]  # re-asked with the reason
    assert answers["engine.rest_url"] == "https://engine/engine-rest"
    # The web apps question offers the engine's origin once the REST URL is known.
    assert ("engine.webapps_url", "https://engine/camunda", None) in asked


def test_dev_questions_offer_usable_defaults() -> None:
    seen = {}

    def ask(question: interview.Question, error: str | None) -> str:
        assert error is None
        seen[question.key] = question.default
        return question.default or ""

    interview.collect_answers(load_profile("dev"), "c8", None, [], ask)
    assert seen["db.nodes"] == "localhost:9200"
    assert seen["container.keystore_location"] == DEV_KEYSTORE
    assert "engine.rest_url" not in seen  # c8 has no Camunda 7 engine


# --------------------------------------------------------------------------------------------
# The generated config passes the audit of the same profile
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_check_finds_nothing_in_the_generated_config(
    profile: str, target: str, tmp_path: Path
) -> None:
    run_init(tmp_path / "d", profile, target)
    report = api.check([tmp_path / "d/config/environment-config.yaml"], profile, target)
    assert report.errors == () and len(report.files) == 1  # the file was really audited
    assert [(f.rule_id, f.path, f.message) for f in report.findings] == []


def test_file_reprs_hide_contents() -> None:
    item = staging.OutputFile(PurePosixPath(".env"), b"TOKEN=s3cr3t-value", 0o600)
    assert "s3cr3t" not in repr(item)


@pytest.mark.parametrize(
    ("value", "code"),
    [("a`b", "``a`b``"), ("`x`", "`` `x` ``"), ("line\nbreak", "`line break`"), ("", "``")],
)
def test_md_code_holds_any_value_on_one_line(value: str, code: str) -> None:
    from hardener.init.snippets import md_code

    assert md_code(value) == code


def test_md_text_neutralises_markup() -> None:
    from hardener.init.snippets import md_text

    assert md_text("<script>x</script> [a](b) *c* _d_ a|b\nnext") == (
        r"\<script>x\</script> \[a\](b) \*c\* \_d\_ a\|b next"
    )
    assert md_text("optimize_app READ_HISTORY") == "optimize_app READ_HISTORY"


def test_current_directory_is_built_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "here"
    directory.mkdir()
    monkeypatch.chdir(directory)
    run_init(Path(), "strict", "c8")
    assert set(tree(directory)) == expected_files("strict", "c8")
    assert siblings(tmp_path) == {"here"}


def test_symlinked_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(WriteError, match="is a symbolic link"):
        run_init(tmp_path / "link", "strict", "c8", force=True)
    assert list((tmp_path / "real").iterdir()) == []


# --------------------------------------------------------------------------------------------
# Staging folders a killed run left behind
# --------------------------------------------------------------------------------------------


def stale_staging(parent: Path, name: str = "d") -> Path:
    """A staging folder as a SIGKILLed init leaves it: mkdtemp's name, 0700, a .env inside."""
    folder = Path(tempfile.mkdtemp(prefix=f".{name}.init-", dir=parent))
    (folder / "config").mkdir()
    (folder / ".env").write_text("TOKEN=stale-secret\n")
    (folder / "config/environment-config.yaml").write_text("half: a file\n")
    return folder


def test_next_init_removes_stale_staging_folders(tmp_path: Path) -> None:
    stale = [stale_staging(tmp_path), stale_staging(tmp_path)]
    result = run_init(tmp_path / "d", "strict", "c7")
    assert siblings(tmp_path) == {"d"}
    assert sorted(result.removed_staging) == sorted(stale)
    for folder in stale:
        assert f"removed {folder}, left behind by an interrupted run" in result.warnings


def test_init_with_force_removes_stale_staging_folders_too(tmp_path: Path) -> None:
    run_init(tmp_path / "d", "strict", "c7")
    stale = stale_staging(tmp_path)
    result = run_init(tmp_path / "d", "strict", "c7", force=True)
    assert result.removed_staging == (stale,)
    assert siblings(tmp_path) == {"d"}


def test_staging_lookalikes_are_left_alone(tmp_path: Path) -> None:
    lookalikes = [
        ".e.init-abcd1234",  # another directory's
        ".d.init-abcd123",  # seven random characters
        ".d.init-abcd12345",  # nine
        ".d.init-ABCD1234",  # mkdtemp never uses capitals
        "d.init-abcd1234",  # no leading dot
        ".d.init-abcd1234.old",
        ".d.backup-abcd1234",
    ]
    for name in lookalikes:
        (tmp_path / name).mkdir(mode=0o700)
        (tmp_path / name / ".env").write_text("keep\n")
    (tmp_path / ".d.init-file0000").write_text("a file, not a folder\n")
    (tmp_path / ".d.init-open0755").mkdir()
    (tmp_path / ".d.init-open0755").chmod(0o755)  # init makes its folders 0700
    result = run_init(tmp_path / "d", "strict", "c7")
    assert result.removed_staging == ()
    expected = {"d", ".d.init-file0000", ".d.init-open0755", *lookalikes}
    assert siblings(tmp_path) == expected
    assert all((tmp_path / name / ".env").read_text() == "keep\n" for name in lookalikes)


def test_a_symlink_named_like_a_staging_folder_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)
    (victim / "data.txt").write_text("keep\n")
    link = tmp_path / ".d.init-link0000"
    link.symlink_to(victim, target_is_directory=True)
    result = run_init(tmp_path / "d", "strict", "c7")
    assert result.removed_staging == ()
    assert link.is_symlink() and (victim / "data.txt").read_text() == "keep\n"


def test_symlinks_inside_a_stale_folder_are_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "data.txt").write_text("keep\n")
    stale = stale_staging(tmp_path)
    (stale / "config/dir-link").symlink_to(victim, target_is_directory=True)
    (stale / "file-link").symlink_to(victim / "data.txt")
    run_init(tmp_path / "d", "strict", "c7")
    assert siblings(tmp_path) == {"d", "victim"}
    assert (victim / "data.txt").read_text() == "keep\n"


def test_a_staging_folder_in_use_is_left_alone(tmp_path: Path) -> None:
    """Another init is still building there: it holds the folder's lock."""
    import fcntl

    busy = stale_staging(tmp_path)
    fd = os.open(busy, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = run_init(tmp_path / "d", "strict", "c7")
    finally:
        os.close(fd)
    assert result.removed_staging == ()
    assert (busy / ".env").read_text() == "TOKEN=stale-secret\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give folders to another user")
def test_root_removes_the_parent_owners_stale_folders_only(tmp_path: Path) -> None:
    os.chown(tmp_path, 4321, 4321)
    own, parent_owner, stranger = (stale_staging(tmp_path) for _ in range(3))
    os.chown(parent_owner, 4321, 4321)
    os.chown(stranger, 999, 999)
    result = run_init(tmp_path / "d", "strict", "c7")
    assert sorted(result.removed_staging) == sorted([own, parent_owner])
    assert siblings(tmp_path) == {"d", stranger.name}


def test_a_stale_folder_that_cannot_be_removed_is_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = stale_staging(tmp_path)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(staging.shutil, "rmtree", refuse)
    monkeypatch.setattr(refuse, "avoids_symlink_attacks", True, raising=False)
    result = run_init(tmp_path / "d", "strict", "c7")
    assert result.removed_staging == ()
    assert not any("left behind" in line for line in result.warnings)
    assert (stale / ".env").exists()


# --------------------------------------------------------------------------------------------
# --force: a failure midway undoes every move
# --------------------------------------------------------------------------------------------


def state(directory: Path) -> dict[str, tuple[str, int, bytes | str]]:
    """Every entry below ``directory`` (never through a symlink): kind, mode, bytes or target."""
    found: dict[str, tuple[str, int, bytes | str]] = {}
    for root, dirs, files in os.walk(directory):
        for name in [*dirs, *files]:
            path = Path(root, name)
            info = path.lstat()
            key = str(path.relative_to(directory))
            if stat.S_ISLNK(info.st_mode):
                found[key] = ("link", 0, str(path.readlink()))
            elif stat.S_ISDIR(info.st_mode):
                found[key] = ("dir", stat.S_IMODE(info.st_mode), b"")
            else:
                found[key] = ("file", stat.S_IMODE(info.st_mode), path.read_bytes())
    found["."] = ("dir", mode(directory), b"")
    return found


def edited_install(parent: Path) -> Path:
    """An earlier init, then edits: --force replaces, backs up, creates folders and a link."""
    directory = parent / "d"
    run_init(directory, "standard", "c7")
    (directory / "HARDENING.md").write_text("my edits\n")
    (directory / "HARDENING.md").chmod(0o640)
    (directory / "notes.txt").write_text("mine\n")
    for path in sorted((directory / "elasticsearch").iterdir()):
        path.unlink()
    (directory / "elasticsearch").rmdir()  # created again, then removed again on failure
    (parent / "outside.txt").write_text("the link's target\n")
    (directory / ".env.example").unlink()
    (directory / ".env.example").symlink_to(parent / "outside.txt")
    return directory


def failing_rename(monkeypatch: pytest.MonkeyPatch, fail: Callable[[int], bool]) -> list[int]:
    """os.rename (Path.rename calls it) fails with EACCES on the calls ``fail`` picks."""
    real_rename = os.rename
    calls: list[int] = []

    def rename(source: Any, destination: Any, **kwargs: Any) -> None:
        calls.append(len(calls) + 1)
        if fail(len(calls)):
            raise PermissionError(13, "Permission denied")
        real_rename(source, destination, **kwargs)

    monkeypatch.setattr(os, "rename", rename)
    return calls


def test_force_failing_at_any_rename_leaves_the_directory_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = 0
    for number in range(1, 100):
        parent = tmp_path / f"run-{number}"
        parent.mkdir()
        directory = edited_install(parent)
        before = state(directory)
        with monkeypatch.context() as patch:
            failing_rename(patch, lambda call, n=number: call == n)
            try:
                run_init(directory, "standard", "c7", force=True)
            except WriteError as exc:
                assert str(exc) == f"{directory}: cannot install: Permission denied"
                failures += 1
            else:
                break  # the run has fewer renames than this: every one of them was tried
        assert state(directory) == before, f"rename {number} failed"
        assert siblings(parent) == {"d", "outside.txt"}, f"rename {number} failed"
        assert (parent / "outside.txt").read_text() == "the link's target\n"
    assert failures >= 6  # .env, .env.example, HARDENING.md (each twice) and the new folder


def test_force_interrupted_midway_leaves_the_directory_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = edited_install(tmp_path)
    before = state(directory)
    real_rename = os.rename
    calls = []

    def interrupting_rename(source: Any, destination: Any) -> None:
        calls.append(source)
        real_rename(source, destination)
        if len(calls) == 3:
            raise KeyboardInterrupt  # just after a move: it must be undone too

    monkeypatch.setattr(os, "rename", interrupting_rename)
    with pytest.raises(KeyboardInterrupt):
        run_init(directory, "standard", "c7", force=True)
    assert state(directory) == before
    assert siblings(tmp_path) == {"d", "outside.txt"}


def test_force_whose_undo_fails_too_says_so_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = edited_install(tmp_path)
    before = state(directory)
    failing_rename(monkeypatch, lambda call: call >= 4)  # the move and every undo after it
    with pytest.raises(WriteError) as caught:
        run_init(directory, "standard", "c7", force=True)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{directory}: cannot install: ")
    assert "undoing the files already moved failed too (Permission denied)" in message
    # Every file that was there is still there, under its own name or as NAME.bak.
    after = state(directory)
    for name, entry in before.items():
        kept = [after.get(name), after.get(f"{name}.bak"), after.get(f"{name}.bak.1")]
        assert entry in kept, name
    assert siblings(tmp_path) == {"d", "outside.txt"}


def test_every_folder_on_the_way_to_a_file_is_synced_after_the_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A power loss after install must find each file under its name: the folders that hold
    the new names are fsynced (the staged tree before the rename, then the parent; with
    --force, DIR's folders after the moves)."""
    synced: list[Path] = []
    monkeypatch.setattr(staging, "fsync_directory", synced.append)
    files = [
        staging.OutputFile(PurePosixPath("a/b/deep.yaml"), b"x: 1\n", 0o644),
        staging.OutputFile(PurePosixPath("top.env"), b"A=1\n", 0o600),
    ]
    target = tmp_path / "site"
    staging.install(files, target)
    staged = {path.relative_to(tmp_path).parts[0] for path in synced if path != tmp_path}
    assert len(staged) == 1 and next(iter(staged)).startswith(".site.init-")
    assert [path.name for path in synced[:3]] == ["b", "a", next(iter(staged))]
    assert synced[-1] == tmp_path  # the rename itself

    synced.clear()
    changed = [staging.OutputFile(f.path, f.data + b"# new\n", f.mode) for f in files]
    staging.install(changed, target, force=True)
    assert [target / "a/b", target / "a", target, tmp_path] == synced[-4:]
