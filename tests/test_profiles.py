"""Profiles: resolution through extends, validation with file and key, consistency with catalogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardener.catalog import load_catalog
from hardener.errors import ProfileError
from hardener.plan import expand_path
from hardener.profiles import Compare, Severity, WriteMode, list_profiles, load_profile
from hardener.values import resolve_values


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtins_resolve_through_standard() -> None:
    assert list_profiles() == ["dev", "standard", "strict"]
    strict = load_profile("strict")
    assert strict.chain == ("strict", "standard")
    assert strict.write_mode is WriteMode.LITERAL
    assert load_profile("standard").write_mode is WriteMode.ENV_DEFAULT
    life = strict.settings["security.auth.token.lifeMin"]
    assert (life.value, life.compare, strict.origin[life.path]) == (15, Compare.AT_MOST, "strict")
    # Fields not overridden come from the parent.
    assert life.rule == "OH-AUTH-005" and life.severity is Severity.MEDIUM


@pytest.mark.parametrize("name", ["strict", "standard", "dev"])
@pytest.mark.parametrize("target", ["c7", "c8"])
def test_every_setting_is_a_catalog_key(name: str, target: str) -> None:
    catalog = load_catalog(target)
    for database in ("elasticsearch", "opensearch"):
        site = resolve_values(target, {"database": database})
        for setting in load_profile(name).for_target(target):
            path = (
                expand_path(setting.path, site)
                if target == "c7" or "*" not in setting.path
                else None
            )
            assert path is not None
            assert catalog.lookup(path) is not None, f"{setting.path} not in {target}"


def test_rule_ids_are_unique_per_profile() -> None:
    for name in list_profiles():
        rules = [s.rule for s in load_profile(name).settings.values()]
        assert len(rules) == len(set(rules)), name


def test_user_profile_extends_builtin(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ours.yaml",
        "name: ours\nextends: strict\nsettings:\n  security.auth.token.lifeMin:\n    value: 10\n",
    )
    profile = load_profile(str(path))
    assert profile.chain == ("ours", "strict", "standard")
    assert profile.settings["security.auth.token.lifeMin"].value == 10
    assert profile.write_mode is WriteMode.LITERAL  # inherited


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("extends: strict\nsetings: {}\n", r"ours.yaml:2:1: unknown top-level key 'setings'"),
        (
            "extends: strict\nsettings:\n  container.host:\n    valeu: x\n",
            r"ours.yaml:4:5: setting 'container.host': unknown field 'valeu'",
        ),
        (
            "extends: strict\nsettings:\n  container.host:\n    severity: severe\n",
            r"ours.yaml:3:3: setting 'container.host': unknown severity 'severe'",
        ),
        (
            "extends: strict\nsettings:\n  new.key:\n    value: 1\n",
            r"ours.yaml:3:3: setting 'new.key': missing field\(s\) rule, title, compare",
        ),
        (
            "extends: strict\nsettings:\n  container.host:\n    compare: bigger\n",
            r"setting 'container.host': 'bigger' is not a valid Compare",
        ),
        ("extends: strict\nwrite_mode: sometimes\n", r"ours.yaml:2:1: write_mode must be one of"),
        ("extends: nothere\n", r"ours.yaml:1:1: extends: unknown profile 'nothere'"),
        ("extends: ./ours.yaml\n", r"profile extends itself"),
        ("extends: strict\nsettings: [a]\n", r"'settings' must be a mapping"),
        ("extends: [strict\n", r"ours.yaml:2:1: invalid YAML"),
        (
            "extends: strict\nsettings:\n  container.host: {allowed: 5}\n",
            r"ours.yaml:3:3: setting 'container.host': 'allowed' must be a list",
        ),
        (
            "extends: strict\nsettings:\n  container.host: {targets: c7}\n",
            r"ours.yaml:3:3: setting 'container.host': 'targets' must be a list",
        ),
    ],
)
def test_malformed_profiles_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "ours.yaml", text)
    with pytest.raises(ProfileError, match=message):
        load_profile(str(path))


def test_indirect_cycle(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "extends: ./b.yaml\n")
    write(tmp_path, "b.yaml", "extends: ./a.yaml\n")
    with pytest.raises(ProfileError, match="cycle"):
        load_profile(str(tmp_path / "a.yaml"))


def test_user_setting_on_unknown_key_is_refused_at_generate(tmp_path: Path) -> None:
    from hardener import api

    path = write(
        tmp_path,
        "ours.yaml",
        "extends: strict\nsettings:\n  security.responseHeader.HSTS.max-age:\n"
        "    rule: OH-X-001\n    title: t\n    compare: equal\n    severity: low\n"
        "    rationale: r\n    source: s\n    value: 1\n",
    )
    with pytest.raises(ProfileError, match="did you mean 'responseHeaders'"):
        api.generate(str(path), "c7")


def test_a_numeric_setting_path_is_text(tmp_path: Path) -> None:
    fields = "{rule: OH-X-1, title: t, compare: any, severity: low, rationale: r, source: s}"
    path = write(tmp_path, "ours.yaml", f"extends: strict\nsettings:\n  1: {fields}\n")
    profile = load_profile(str(path))
    assert profile.settings["1"].path == "1"
    assert profile.origin["1"] == "ours"
