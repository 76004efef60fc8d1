"""generate: each profile x target x format, pinned by snapshots and the properties they protect."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from hardener import api
from hardener.catalog import load_catalog
from hardener.errors import ProfileError, UsageError, ValuesError
from hardener.model import as_placeholder
from hardener.yaml import parse_text

PROFILES = ("strict", "standard", "dev")
TARGETS = ("c7", "c8")


def parsed(text: str) -> dict[str, Any]:
    return parse_text(text, "generated")


def leaves(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], Any]]:
    if isinstance(tree, dict):
        out = []
        for key, value in tree.items():
            out.extend(leaves(value, (*prefix, key)))
        return out
    return [(prefix, tree)]


def effective(value: Any) -> Any:
    """What Optimize uses while no variable is set: the placeholder default, or the literal."""
    placeholder = as_placeholder(value)
    if placeholder is None:
        return value
    return placeholder.default


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_yaml_snapshot(profile: str, target: str, yaml_snapshot: Any) -> None:
    result = api.generate(profile, target)
    config = parsed(result.text)
    container, headers = config["container"], config["security"]["responseHeaders"]
    # Properties the snapshot protects, stated so a blind snapshot update cannot hide them.
    assert as_placeholder(container["keystore"]["password"]) is not None
    assert as_placeholder(config["security"]["auth"]["token"]["secret"]) is not None
    assert config["es"]["security"]["ssl"]["enabled"] in (
        True,
        "${CAMUNDA_OPTIMIZE_ELASTICSEARCH_SSL_ENABLED:true}",
    )
    assert str(effective(config["es"]["security"]["ssl"]["selfSigned"])).lower() == "false"
    assert as_placeholder(config["es"]["security"]["password"]) is not None
    if profile == "dev":
        assert str(effective(container["ports"]["http"])) == "8090"
        assert "upgrade-insecure-requests" not in headers["Content-Security-Policy"]
        assert "WARNING: profile dev relaxes security" in result.text
    else:
        assert effective(container["ports"]["http"]) in (None, "null")
        assert int(effective(headers["HSTS"]["max-age"])) >= 31536000
        assert headers["HSTS"]["includeSubDomains"] is True
        assert "frame-ancestors" in headers["Content-Security-Policy"]
        assert "WARNING" not in result.text
    if profile == "strict":
        assert config["api"] == {"accessToken": None}  # no static bearer token on the internet
    if target == "c7":
        engine = config["engines"]["camunda-bpm"]
        assert engine["authentication"]["enabled"] in (True,)
        assert str(effective(engine["rest"])).startswith("https://")
    else:
        assert "engines" not in config
    assert result.text == yaml_snapshot


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_env_snapshot(profile: str, target: str, env_snapshot: Any) -> None:
    result = api.generate(profile, target, fmt="env")
    catalog = load_catalog(target)
    wired = {spec.env for spec in catalog.keys.values() if spec.env}
    wired |= {spec.env_alias for spec in catalog.keys.values() if spec.env_alias}
    names = [line.split("=", 1)[0] for line in result.text.splitlines() if line and line[0] != "#"]
    assert names, "the env format must assign at least one variable"
    assert set(names) <= wired, "only variables Optimize's defaults read may be printed"
    assert "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD=" not in result.text  # secrets never
    assert result.text == env_snapshot


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_every_key_is_in_the_catalog_and_none_is_deleted(profile: str, target: str) -> None:
    catalog = load_catalog(target)
    config = parsed(api.generate(profile, target).text)
    for path, _value in leaves(config):
        spec = catalog.lookup(path)
        assert spec is not None, f"{path} is not accepted by {target}"
        assert catalog.deleted_match(path) is None


def test_output_is_deterministic() -> None:
    first = api.generate("strict", "c7").text
    assert first == api.generate("strict", "c7").text
    assert "optimize-harden 0.1.0" in first.splitlines()[1]


def test_required_variables_are_listed_and_valid() -> None:
    result = api.generate("strict", "c7")
    assert result.required_vars == [
        "CAMUNDA_OPTIMIZE_CONTAINER_KEYSTORE_PASSWORD",
        "CAMUNDA_OPTIMIZE_SECURITY_AUTH_TOKEN_SECRET",
        "OPTIMIZE_DATABASE_PASSWORD",
        "OPTIMIZE_ENGINE_PASSWORD",
    ]
    for name in result.required_vars:
        assert f"#   {name}" in result.text


def test_strict_pins_literals_standard_keeps_variables() -> None:
    strict = parsed(api.generate("strict", "c7").text)
    standard = parsed(api.generate("standard", "c7").text)
    assert strict["container"]["host"] == "127.0.0.1"
    assert standard["container"]["host"] == "${CONTAINER_HOST:127.0.0.1}"
    # HSTS max-age is a string in both forms: newer Optimize builds cast it to String.
    assert strict["security"]["responseHeaders"]["HSTS"]["max-age"] == "63072000"
    # includeSubDomains is unpacked as a literal boolean by Optimize: never a placeholder.
    assert standard["security"]["responseHeaders"]["HSTS"]["includeSubDomains"] is True


def test_opensearch_database_writes_opensearch_section() -> None:
    config = parsed(api.generate("strict", "c8", overrides=["database=opensearch"]).text)
    assert "es" not in config
    assert config["opensearch"]["security"]["ssl"]["selfSigned"] is False


def test_site_values_reach_the_output() -> None:
    result = api.generate(
        "strict",
        "c7",
        overrides=[
            "engine.alias=prod-engine",
            "engine.rest_url=https://engine.internal:8443/engine-rest",
            "db.nodes=es1:9200,es2:9201",
            "db.ca_paths=/certs/ca.pem",
            "env.db_password=ES_PW",
        ],
    )
    config = parsed(result.text)
    assert config["engines"]["prod-engine"]["rest"] == "https://engine.internal:8443/engine-rest"
    assert config["es"]["connection"]["nodes"] == [
        {"host": "es1", "httpPort": 9200},
        {"host": "es2", "httpPort": 9201},
    ]
    assert config["es"]["security"]["ssl"]["certificate_authorities"] == ["/certs/ca.pem"]
    assert config["es"]["security"]["password"] == "${ES_PW}"
    assert "ES_PW" in result.required_vars


def test_weak_site_value_is_refused_with_the_rule() -> None:
    with pytest.raises(ValuesError, match=r"engine.rest_url.*OH-ENG-001"):
        api.generate("strict", "c7", overrides=["engine.rest_url=http://engine:8080/engine-rest"])
    with pytest.raises(ValuesError, match=r"db.username.*OH-DB-006"):
        api.generate("standard", "c8", overrides=["db.username=elastic"])


def test_dev_accepts_plain_http_engine() -> None:
    result = api.generate(
        "dev", "c7", overrides=["engine.rest_url=http://localhost:8080/engine-rest"]
    )
    assert "http://localhost:8080/engine-rest" in result.text
    assert any("engines.*.rest" in w for w in result.warnings)


def test_unknown_set_key_suggests() -> None:
    with pytest.raises(
        ValuesError, match=r"unknown site value 'db.usernme' \(did you mean 'db.username'\?\)"
    ):
        api.generate("strict", "c7", overrides=["db.usernme=x"])


def test_c7_only_value_is_refused_for_c8() -> None:
    with pytest.raises(ValuesError, match="does not apply to target c8"):
        api.generate("strict", "c8", overrides=["engine.alias=x"])


@pytest.mark.parametrize("text", ["novalue", "=x"])
def test_malformed_set(text: str) -> None:
    with pytest.raises(ValuesError, match="--set"):
        api.generate("strict", "c7", overrides=[text])


def test_unknown_profile_target_format() -> None:
    with pytest.raises(ProfileError, match="unknown profile 'paranoid'"):
        api.generate("paranoid", "c7")
    with pytest.raises(UsageError, match="unknown target 'c9'"):
        api.generate("strict", "c9")
    with pytest.raises(UsageError, match="unknown format 'toml'"):
        api.generate("strict", "c7", fmt="toml")


def test_a_bad_site_value_names_where_it_came_from(tmp_path: Path) -> None:
    values = tmp_path / "site.yaml"
    values.write_text("container:\n  https_port: 99999\n", encoding="utf-8")
    with pytest.raises(ValuesError, match=rf"^{re.escape(str(values))}: site value 'container"):
        api.generate("strict", values_file=values)
    with pytest.raises(ValuesError, match=r"^--set: site value 'container.https_port': must be"):
        api.generate("strict", overrides=["container.https_port=0"])


def test_output_is_verified_as_optimize_reads_it() -> None:
    """A file that parses back but that Optimize would read weaker is never printed."""
    from hardener.errors import RenderError
    from hardener.generate.output import verify_as_optimize_reads

    result = api.generate("strict", "c7")
    verify_as_optimize_reads(result.text, result.profile, "c7", result.plan)
    weak = result.text.replace("    http: null", "    <<: {http: null}", 1)
    assert weak != result.text
    with pytest.raises(RenderError, match="container.ports.http would not hold as Optimize"):
        verify_as_optimize_reads(weak, result.profile, "c7", result.plan)
