"""Generate a configuration: profile x target x site values -> verified text.

The decisions are ``hardener.plan``'s; ``output`` renders them and reads the text back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hardener import __version__
from hardener.errors import UsageError
from hardener.plan import Planned, build_plan, literal_secrets
from hardener.profiles import Profile, load_profile
from hardener.values import load_site_values

FORMATS = ("yaml", "env")


@dataclass(frozen=True)
class GenerateResult:
    """A rendered configuration and what the operator must know about it."""

    text: str
    format: str
    profile: Profile
    target: str
    plan: list[Planned]
    required_vars: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def holds_literal_secret(self) -> bool:
        return bool(literal_secrets(self.plan))


def generate(
    profile: str = "strict",
    target: str = "c7",
    *,
    values_file: Path | None = None,
    values: Mapping[str, Any] | None = None,
    overrides: Sequence[str] = (),
    fmt: str = "yaml",
) -> GenerateResult:
    """Render a hardened configuration for ``profile`` x ``target`` x site values."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (choose {' or '.join(FORMATS)})")
    resolved = load_profile(profile)
    site = load_site_values(target, values_file, overrides, values)
    plan = build_plan(resolved, target, site)
    required = sorted({p.required_var for p in plan if p.required_var})
    warnings = relaxed_warnings(resolved, target)
    from hardener.generate import output

    renderer = output.render_yaml if fmt == "yaml" else output.render_env
    text = renderer(resolved, target, plan, required, warnings, version=__version__)
    return GenerateResult(text, fmt, resolved, target, plan, required, warnings)


def relaxed_warnings(profile: Profile, target: str) -> list[str]:
    """One line per setting the profile deliberately relaxes (dev): said loudly, never silently."""
    return [f"{s.path}: {s.relaxed}" for s in profile.for_target(target) if s.relaxed is not None]


def write_generated(result: GenerateResult, path: Path) -> None:
    """Write atomically; 0600 whenever the content holds a literal secret."""
    from hardener.files import new_file_mode, write_output

    mode = new_file_mode(secret=result.holds_literal_secret)
    write_output(path, result.text.encode("utf-8"), mode=mode)
