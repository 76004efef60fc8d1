"""Tests for the key catalogs (data) and their loader (hardener.catalog)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardener import catalog as catalog_module
from hardener.catalog import (
    ANY_KEY,
    KEY_TYPES,
    LIST_ITEM,
    TARGETS,
    Catalog,
    format_path,
    load_catalog,
    parse_pattern,
)
from hardener.errors import CatalogError, UsageError
from hardener.yaml import DocPath

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

C7_REMOVED_FROM_C8 = (
    "engines",
    "engine-commons",
    "plugin",
    "eventBasedProcess",
    "webhookAlerting",
    "dataArchive",
)

SECRETS_BOTH = (
    "container.keystore.password",
    "security.auth.token.secret",
    "api.accessToken",
    "es.security.password",
    "opensearch.security.password",
    "email.authentication.password",
    "security.auth.ccsm.clientSecret",
    "security.auth.cloud.clientSecret",
    "m2mClient.m2mClientSecret",
    "analytics.mixpanel.serviceAccount.secret",
)
SECRETS_C7 = ("engines.*.authentication.password", "webhookAlerting.webhooks.*.headers.*")
SECRETS_C8 = ("es.connection.proxy.password", "opensearch.connection.proxy.password")


@pytest.fixture(params=TARGETS)
def cat(request: pytest.FixtureRequest) -> Catalog:
    return load_catalog(request.param)


@pytest.fixture
def c7() -> Catalog:
    return load_catalog("c7")


@pytest.fixture
def c8() -> Catalog:
    return load_catalog("c8")


def _concrete(pattern: str) -> DocPath:
    """A concrete document path that a pattern should match (aliases and index 0 filled in)."""
    out: list[str | int] = []
    for segment in parse_pattern(pattern):
        if segment == ANY_KEY:
            out.append("some-name")
        elif segment == LIST_ITEM:
            out.append(0)
        else:
            out.append(segment)
    return tuple(out)


def _unparse(segments: tuple[str, ...]) -> str:
    text = ""
    for segment in segments:
        text += segment if segment == LIST_ITEM else ("." if text else "") + segment
    return text


# --- loading and data integrity ---------------------------------------------------------------


def test_catalog_loads_with_its_own_target(cat: Catalog) -> None:
    assert cat.target in TARGETS
    assert cat.title.strip()
    assert len(cat.keys) > 150  # a real catalog, not a stub
    assert all(spec.pattern == pattern for pattern, spec in cat.keys.items())
    assert all(spec.type in KEY_TYPES for spec in cat.keys.values())


def test_titles_name_the_release_line(c7: Catalog, c8: Catalog) -> None:
    assert "3.x" in c7.title and "7" in c7.title
    assert "8" in c8.title


def test_every_pattern_parses_and_round_trips(cat: Catalog) -> None:
    for pattern in (*cat.keys, *cat.deleted, *cat.typed_sections):
        segments = parse_pattern(pattern)
        assert all(segments), pattern
        assert _unparse(segments) == pattern


def test_every_key_resolves_to_itself(cat: Catalog) -> None:
    for pattern, spec in cat.keys.items():
        found = cat.lookup(_concrete(pattern))
        assert found is spec, pattern


def test_no_key_is_also_deleted(cat: Catalog) -> None:
    assert not set(cat.keys) & set(cat.deleted)
    for pattern in cat.keys:
        assert cat.deleted_match(_concrete(pattern)) is None, pattern


def test_env_names_are_identifiers(cat: Catalog) -> None:
    envs = [spec.env for spec in cat.keys.values() if spec.env is not None]
    assert len(envs) > 80
    for env in envs:
        assert ENV_NAME.fullmatch(env), env


def test_defaults_fit_declared_types(cat: Catalog) -> None:
    for spec in cat.keys.values():
        if spec.type == "enum":
            assert spec.values, spec.pattern
            if spec.has_default:
                assert spec.default in spec.values, spec.pattern
        else:
            assert not spec.values, spec.pattern
        if spec.has_default and spec.default is None:
            assert spec.nullable, spec.pattern


def test_catalog_files_hold_no_machine_paths() -> None:
    for target in TARGETS:
        text = (catalog_module.CATALOG_DIR / f"{target}.yaml").read_text(encoding="utf-8")
        assert not re.search(r"/work/|/home/|/tmp/|/Users/|[A-Za-z]:\\", text), target
        assert text.lstrip().startswith("#"), "header comment expected"


def test_keys_keep_the_order_of_the_defaults(c7: Catalog, c8: Catalog) -> None:
    order = list(c7.keys)
    assert order[0] == "security.auth.cloud.clientId"
    assert order.index("container.host") < order.index("engines.*.rest")
    assert order.index("engines.*.rest") < order.index("es.connection.timeout")
    assert order.index("es.connection.timeout") < order.index("email.enabled")
    order8 = list(c8.keys)
    assert order8.index("opensearch.connection.awsEnabled") < order8.index("es.connection.timeout")


def test_load_is_cached() -> None:
    assert load_catalog("c7") is load_catalog("c7")
    assert load_catalog("c7") is not load_catalog("c8")


def test_unknown_target_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as info:
        load_catalog("c9")
    assert str(info.value) == "unknown target 'c9' (choose c7 or c8)"


# --- lookups ------------------------------------------------------------------------------------


def test_lookup_resolves_aliases_and_indexes(c7: Catalog) -> None:
    spec = c7.lookup(("engines", "my.alias", "authentication", "password"))
    assert spec is not None and spec.pattern == "engines.*.authentication.password"
    assert spec.secret and spec.type == "string"
    spec = c7.lookup(("es", "connection", "nodes", 3, "httpPort"))
    assert spec is not None and spec.pattern == "es.connection.nodes[].httpPort"
    assert spec.type == "int" and spec.default == 9200
    spec = c7.lookup(("webhookAlerting", "webhooks", "slack", "headers", "Authorization"))
    assert spec is not None and spec.pattern == "webhookAlerting.webhooks.*.headers.*"
    assert spec.secret
    nodes = c7.lookup(("es", "connection", "nodes"))
    assert nodes is not None and nodes.type == "list"


def test_lookup_rejects_wrong_shapes(c7: Catalog) -> None:
    assert c7.lookup(("container",)) is None
    assert c7.lookup(("engines", "camunda-bpm")) is None
    assert c7.lookup(("es", "connection", "nodes", "host")) is None  # a map key where a list is
    assert c7.lookup(("es", "connection", "nodes", 0, "tcpPort")) is None
    assert c7.lookup(("container", "Host")) is None  # Optimize is case-sensitive


def test_lookup_numbered_interceptor_plugins(c8: Catalog) -> None:
    by_int = c8.lookup(("es", "interceptorPlugins", 3, "jarPath"))
    by_str = c8.lookup(("es", "interceptorPlugins", "3", "jarPath"))
    assert by_int is not None and by_int is by_str
    assert by_int.env == "CAMUNDA_OPTIMIZE_ELASTICSEARCH_INTERCEPTORPLUGINS_3_JARPATH"
    assert c8.lookup(("es", "interceptorPlugins", 5, "jarPath")) is None


def test_key_details(cat: Catalog) -> None:
    http = cat.lookup(("container", "ports", "http"))
    assert http is not None and http.nullable and http.default == 8090 and http.type == "int"
    https = cat.lookup(("container", "ports", "https"))
    assert https is not None and not https.nullable
    token = cat.lookup(("api", "accessToken"))
    assert token is not None and token.has_default and token.default is None and token.nullable
    secure = cat.lookup(("security", "auth", "cookie", "secure"))
    assert secure is not None and secure.type == "enum"
    assert secure.values == ("auto", "true", "false") and secure.default == "auto"
    ttl = cat.lookup(("historyCleanup", "ttl"))
    assert ttl is not None and ttl.type == "duration" and ttl.default == "P2Y"
    hsts = cat.lookup(("security", "responseHeaders", "HSTS", "max-age"))
    assert hsts is not None and hsts.default == 63072000
    keystore = cat.lookup(("container", "keystore", "password"))
    assert keystore is not None and keystore.default == "optimize"
    protocol = cat.lookup(("email", "authentication", "securityProtocol"))
    assert protocol is not None and "SSL/TLS" in protocol.values


@pytest.mark.parametrize(
    ("target", "pattern"),
    [(t, p) for t in TARGETS for p in SECRETS_BOTH]
    + [("c7", p) for p in SECRETS_C7]
    + [("c8", p) for p in SECRETS_C8],
)
def test_secrets_are_flagged(target: str, pattern: str) -> None:
    cat = load_catalog(target)
    assert pattern in cat.secret_patterns()
    spec = cat.lookup(_concrete(pattern))
    assert spec is not None and spec.secret


def test_non_secrets_are_not_flagged(c7: Catalog) -> None:
    for path in [
        ("engines", "x", "authentication", "user"),
        ("es", "security", "username"),
        ("container", "host"),
        ("api", "audience"),
    ]:
        spec = c7.lookup(path)
        assert spec is not None and not spec.secret, path


# --- environment variables ----------------------------------------------------------------------


def test_env_for_wired_names(cat: Catalog) -> None:
    assert cat.env_for(("api", "accessToken")) == "OPTIMIZE_API_ACCESS_TOKEN"
    assert cat.env_for(("container", "host")) == "CONTAINER_HOST"
    assert cat.env_for(("es", "security", "ssl", "enabled")) == (
        "CAMUNDA_OPTIMIZE_ELASTICSEARCH_SSL_ENABLED"
    )
    assert cat.env_for(("opensearch", "security", "ssl", "enabled")) == (
        "CAMUNDA_OPTIMIZE_OPENSEARCH_SSL_ENABLED"
    )
    assert cat.env_for(("api", "jwtSetUri")) == (
        "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI"
    )
    assert cat.env_for(("container", "contextPath")) == "CAMUNDA_OPTIMIZE_CONTEXT_PATH"
    assert cat.env_for(("container", "ports", "actuator")) == "MANAGEMENT_SERVER_PORT"
    assert cat.env_for(("security", "responseHeaders", "HSTS", "max-age")) == (
        "CAMUNDA_OPTIMIZE_SECURITY_RESPONSE_HEADERS_HSTS_MAX_AGE"
    )


def test_env_for_unwired_keys(cat: Catalog) -> None:
    assert cat.env_for(("security", "auth", "token", "lifeMin")) is None
    assert cat.env_for(("security", "responseHeaders", "HSTS", "includeSubDomains")) is None
    assert cat.env_for(("security", "auth", "cookie", "secure")) is None
    assert cat.env_for(("es", "connection", "proxy", "host")) is None
    assert cat.env_for(("export", "csv", "authorizedUsers")) is None
    assert cat.env_for(("no", "such", "key")) is None


def test_env_only_for_the_wired_instance(c7: Catalog) -> None:
    assert c7.env_for(("es", "connection", "nodes", 0, "host")) == "OPTIMIZE_ELASTICSEARCH_HOST"
    assert c7.env_for(("es", "connection", "nodes", 1, "host")) is None
    assert c7.env_for(("engines", "camunda-bpm", "rest")) == "OPTIMIZE_CAMUNDABPM_REST_URL"
    assert c7.env_for(("engines", "second", "rest")) is None
    assert c7.env_for(("security", "auth", "superUserIds")) == "OPTIMIZE_SUPER_USER_IDS"


def test_env_differs_where_the_release_lines_differ(c7: Catalog, c8: Catalog) -> None:
    prefix = ("es", "settings", "index", "prefix")
    assert c7.env_for(prefix) is None  # a literal 'optimize' in the 3.x defaults
    assert c8.env_for(prefix) == "CAMUNDA_OPTIMIZE_ELASTICSEARCH_SETTINGS_INDEX_PREFIX"


# --- release-line differences --------------------------------------------------------------------


def test_c8_has_no_camunda7_keys(c8: Catalog) -> None:
    for pattern in c8.keys:
        assert parse_pattern(pattern)[0] not in C7_REMOVED_FROM_C8, pattern
        assert "superUserIds" not in pattern and "superGroupIds" not in pattern
    assert c8.lookup(("engines", "camunda-bpm", "rest")) is None
    assert not c8.is_known(("engines", "camunda-bpm", "rest"))
    # a leftover superuser list sits in a typed section in 8.x, so it is unknown *and* risky
    assert not c8.is_known(("security", "auth", "superUserIds"))
    assert c8.in_typed_section(("security", "auth", "superUserIds"))
    assert not any(t.startswith("engines") for t in c8.typed_sections)


def test_c7_has_camunda7_and_late_3x_keys(c7: Catalog) -> None:
    for pattern in [
        "engines.*.rest",
        "engine-commons.read.timeout",
        "plugin.directory",
        "security.auth.superUserIds",
        "security.auth.superGroupIds",
        "eventBasedProcess.authorizedUserIds",
        "webhookAlerting.webhooks.*.url",
        "dataArchive.enabled",
        "container.enableSniCheck",
        "container.http2Enabled",
        "email.checkServerIdentity",
        "security.auth.cookie.secure",
        "opensearch.connection.nodes[].host",
        "opensearch.security.password",
    ]:
        assert pattern in c7.keys, pattern
    assert "engines.*" in c7.typed_sections
    # keys that only the newest 8.x builds know must not leak into the 3.x line
    for pattern in [
        "api.jwtAuthForApiEnabled",
        "es.connection.proxy.password",
        "zeebe.variableImportEnabled",
    ]:
        assert pattern not in c7.keys, pattern


# --- deleted keys, typed sections, containers ----------------------------------------------------


def test_deleted_match(cat: Catalog) -> None:
    assert cat.deleted_match(("es", "connection", "nodes", 1, "tcpPort")) == (
        "es.connection.nodes[].tcpPort"
    )
    assert cat.deleted_match(("historyCleanup", "enabled")) == "historyCleanup.enabled"
    assert cat.deleted_match(("alerting", "email", "host")) == "alerting.email"
    assert cat.deleted_match(("alerting", "quartz", "jobStore")) is None
    assert cat.deleted_match(("es", "connection", "nodes", 1, "host")) is None
    assert cat.deleted_match(("es",)) is None
    # the deleted list names auth.cookie.token.*, not auth.token.*: that one is silently ignored
    assert cat.deleted_match(("auth", "token", "secret")) is None


def test_telemetry_endpoint_is_live_in_c7_and_deleted_in_c8(c7: Catalog, c8: Catalog) -> None:
    path = ("telemetry", "telemetryEndpoint")
    assert c7.deleted_match(path) is None and c7.lookup(path) is not None
    assert c8.deleted_match(path) == "telemetry.telemetryEndpoint"
    assert c8.lookup(path) is None


def test_typed_sections(cat: Catalog) -> None:
    assert cat.in_typed_section(("security", "auth", "typo"))
    assert cat.in_typed_section(("export", "csv", "x"))
    assert not cat.in_typed_section(("export", "x"))
    assert not cat.in_typed_section(("container", "typo"))
    assert not cat.in_typed_section(("import", "typo"))
    assert not cat.in_typed_section(("spring", "profiles", "active"))


def test_engine_aliases_are_typed_but_the_map_is_not(c7: Catalog) -> None:
    assert c7.in_typed_section(("engines", "my-alias", "typo"))
    assert not c7.in_typed_section(("engines",))


def test_containers(c7: Catalog) -> None:
    assert c7.is_container(())
    assert c7.is_container(("container",))
    assert c7.is_container(("engines", "my-alias"))
    assert c7.is_container(("engines", "my-alias", "authentication"))
    assert c7.is_container(("es", "connection", "nodes", 0))
    assert not c7.is_container(("container", "host"))
    assert not c7.is_container(("nonsense",))
    assert not c7.is_container(("es", "connection", "nodes", "x"))


def test_is_known(c7: Catalog) -> None:
    per_process = ("historyCleanup", "processDataCleanup", "perProcessDefinitionConfig")
    assert c7.is_known((*per_process, "invoice", "ttl"))
    assert not c7.is_known((*per_process, "invoice", "tll"))  # children describe the entries
    assert c7.is_known(("locales", "availableLocales", 1))  # an item of a plain list
    assert c7.is_known(("es", "connection", "nodes", 0, "host"))
    assert not c7.is_known(("es", "connection", "nodes", 0, "tcpPort"))
    assert not c7.is_known(("container", "host", "deeper"))
    assert not c7.is_known(("nonsense",))
    assert not c7.is_known(("webhookAlerting", "webhooks", "w", "headers", "Auth", "x"))


def test_suggest(cat: Catalog) -> None:
    assert cat.suggest(("security", "responseHeader")) == "responseHeaders"
    assert cat.suggest(("security", "RESPONSEHEADERS")) == "responseHeaders"
    assert cat.suggest(("container", "ports", "htps")) == "https"
    assert cat.suggest(("security", "responseHeaders")) is None  # already known
    assert cat.suggest(("security", "qqqqqqqq")) is None
    assert cat.suggest(("es", "connection", "nodes", 0)) is None
    assert cat.suggest(()) is None


def test_suggest_below_an_alias(c7: Catalog) -> None:
    assert c7.suggest(("engines", "my-alias", "authentcation")) == "authentication"


# --- pattern and path helpers -------------------------------------------------------------------


def test_parse_pattern_examples() -> None:
    assert parse_pattern("es.connection.nodes[].host") == (
        "es",
        "connection",
        "nodes",
        "[]",
        "host",
    )
    assert parse_pattern("engines.*.rest") == ("engines", "*", "rest")
    assert parse_pattern("engines.'my.alias'.rest") == ("engines", "my.alias", "rest")
    assert parse_pattern("a.'it''s'") == ("a", "it's")
    assert parse_pattern("a[][]") == ("a", "[]", "[]")


@pytest.mark.parametrize("bad", ["", "a..b", "a.", ".a", "a[0]", "a[]x", "'a", "a b", "[]"])
def test_parse_pattern_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_pattern(bad)


def _parsed(pattern: str) -> tuple[str, ...] | str:
    parse_pattern.cache_clear()
    try:
        return parse_pattern(pattern)
    except ValueError:
        return "error"


@settings(max_examples=500)
@given(st.text(alphabet="ab.[]'* \t", max_size=12))
def test_parse_pattern_shortcut_agrees_with_the_full_scanner(pattern: str) -> None:
    shortcut = _parsed(pattern)
    simple = catalog_module._SIMPLE_PATTERN
    catalog_module._SIMPLE_PATTERN = re.compile("(?!)")  # never matches: the scanner only
    try:
        assert _parsed(pattern) == shortcut
    finally:
        catalog_module._SIMPLE_PATTERN = simple
        parse_pattern.cache_clear()


def test_format_path() -> None:
    assert format_path(("engines", "my.alias", "rest")) == "engines.'my.alias'.rest"
    assert format_path(("es", "connection", "nodes", 0, "host")) == "es.connection.nodes[0].host"
    assert format_path(("a", "it's")) == "a.'it''s'"
    assert format_path(("X-XSS-Protection",)) == "X-XSS-Protection"
    assert format_path(()) == ""


@pytest.mark.parametrize(
    "path", [("engines", "my.alias", "rest"), ("a", "it's", "b c"), ("x", ""), ("camunda-bpm",)]
)
def test_format_path_reads_back(path: tuple[str, ...]) -> None:
    assert parse_pattern(format_path(path)) == path


def test_keyspec_is_hashable_with_list_default(c7: Catalog) -> None:
    spec = c7.lookup(("locales", "availableLocales"))
    assert spec is not None and spec.default == ["en", "de"]
    assert hash(spec) == hash(spec)
    assert hash(c7) == hash(load_catalog("c7"))


# --- malformed catalogs -------------------------------------------------------------------------

GOOD_BODY = """\
target: c7
title: test
typed_sections: [security]
deleted: [es.clusterName]
keys:
  security.auth.token.lifeMin: {type: int, default: 60}
"""


@pytest.fixture
def fake_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(catalog_module, "CATALOG_DIR", tmp_path)
    load_catalog.cache_clear()
    yield tmp_path
    load_catalog.cache_clear()


def test_fake_catalog_loads(fake_dir: Path) -> None:
    (fake_dir / "c7.yaml").write_text(GOOD_BODY, encoding="utf-8")
    cat = load_catalog("c7")
    assert list(cat.keys) == ["security.auth.token.lifeMin"]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("  a.b: {type: text}\n", "'a.b'"),
        ("  a.b: {type: int, env: 1BAD}\n", "'a.b'"),
        ("  a.b: {type: int, default: x}\n", "'a.b'"),
        ("  a.b: {type: string, default: null}\n", "'a.b'"),
        ("  a.b: {type: enum}\n", "'a.b'"),
        ("  a.b: {type: int, values: [x]}\n", "'a.b'"),
        ("  a.b: {type: int, colour: red}\n", "colour"),
        ("  a.b: {type: int, env_alias: x}\n", "'a.b'"),
        ("  a..b: {type: int}\n", "'a..b'"),
        ("  es.clusterName: {type: string}\n", "'es.clusterName'"),
        ("  a.b: {type: string}\n  a.b.c: {type: int}\n", "'a.b.c'"),
        ("  a.b[].c: {type: int}\n", "'a.b[].c'"),
        ("  a.b: {type: duration, default: two years}\n", "'a.b'"),
    ],
)
def test_malformed_entries_raise_catalog_error(fake_dir: Path, extra: str, needle: str) -> None:
    file = fake_dir / "c7.yaml"
    file.write_text(GOOD_BODY + extra, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog("c7")
    message = str(info.value)
    assert str(file) in message
    assert needle in message


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (GOOD_BODY.replace("target: c7", "target: c8"), "target"),
        (GOOD_BODY.replace("deleted: [es.clusterName]", "deleted: oops"), "deleted"),
        ("- just\n- a list\n", "mapping"),
        (GOOD_BODY.replace("title: test", "title: ''"), "title"),
    ],
)
def test_malformed_top_level(fake_dir: Path, body: str, needle: str) -> None:
    (fake_dir / "c7.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=needle):
        load_catalog("c7")


def test_invalid_yaml_reports_position(fake_dir: Path) -> None:
    (fake_dir / "c7.yaml").write_text(GOOD_BODY + "  bad: {type: int\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog("c7")
    assert info.value.line is not None and info.value.line >= 6


def test_duplicate_key_is_rejected(fake_dir: Path) -> None:
    body = GOOD_BODY + "  security.auth.token.lifeMin: {type: int}\n"
    (fake_dir / "c7.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError):
        load_catalog("c7")


def test_missing_file(fake_dir: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_catalog("c8")
