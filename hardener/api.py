"""The library API: the entry points the CLI and the tests call.

Each function takes plain arguments, raises only ``HardenerError`` subclasses for a user's mistake,
and returns a result object; printing and exit codes are the CLI's business.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardener import __version__
from hardener.errors import UsageError
from hardener.plan import Planned, build_plan, literal_secrets
from hardener.profiles import Profile, load_profile
from hardener.values import SiteValues, load_values_file, resolve_values

if TYPE_CHECKING:
    from hardener.check import CheckReport, Progress
    from hardener.merge import MergeResult
    from hardener.scaffold import InitResult

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


def load_site_values(
    target: str,
    values_file: Path | None = None,
    overrides: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
) -> SiteValues:
    """Defaults, a values file, a mapping from the caller, then ``--set`` overrides."""
    check_target(target)
    merged: dict[str, Any] = dict(load_values_file(values_file)) if values_file else {}
    merged.update(values or {})
    return resolve_values(target, merged, overrides, source=str(values_file or "values"))


def check_target(target: str) -> None:
    from hardener.catalog import TARGETS

    if target not in TARGETS:
        raise UsageError(f"unknown target {target!r} (choose {' or '.join(TARGETS)})")


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
    from hardener import output

    renderer = output.render_yaml if fmt == "yaml" else output.render_env
    text = renderer(resolved, target, plan, required, warnings, version=__version__)
    return GenerateResult(text, fmt, resolved, target, plan, required, warnings)


def relaxed_warnings(profile: Profile, target: str) -> list[str]:
    """One line per setting the profile deliberately relaxes (dev): said loudly, never silently."""
    return [f"{s.path}: {s.relaxed}" for s in profile.for_target(target) if s.relaxed is not None]


def write_generated(result: GenerateResult, path: Path) -> None:
    """Write atomically; 0600 whenever the content holds a literal secret."""
    from hardener.files import atomic_write

    atomic_write(path, result.text.encode("utf-8"), secret=result.holds_literal_secret)


def merge(
    path: Path,
    profile: str = "strict",
    target: str = "c7",
    *,
    values_file: Path | None = None,
    overrides: Sequence[str] = (),
    waivers_file: Path | None = None,
    inline_waivers: bool = True,
    today: dt.date | None = None,
) -> MergeResult:
    """Merge ``profile`` into the config at ``path``; nothing is written (see merge_in_place)."""
    from hardener.merge import merge_source
    from hardener.values import parse_assignment
    from hardener.waivers import load_waiver_file
    from hardener.yaml import read_source

    resolved = load_profile(profile)
    site = load_site_values(target, values_file, overrides)
    explicit = {parse_assignment(o)[0] for o in overrides}
    if values_file:
        explicit |= set(load_values_file(values_file))
    waivers = load_waiver_file(waivers_file) if waivers_file else []
    source = read_source(path)  # read once: the bytes we merge are the bytes we compare
    return merge_source(
        source,
        source.data,
        resolved,
        target,
        site,
        explicit_site=explicit,
        file_waivers=waivers,
        use_inline_waivers=inline_waivers,
        today=today,
    )


MERGE_ATTEMPTS = 5
"""How often ``merge_in_place`` merges again when another writer changed the file meanwhile."""


@dataclass(frozen=True)
class InPlaceResult:
    """A merge written over its file: the merge, the backup made, and how it got there."""

    merge: MergeResult
    backup: Path | None
    attempts: int  # 1 unless another writer changed the file while we merged
    removed_temps: tuple[Path, ...] = ()  # left behind by a killed run, cleaned up now


def merge_in_place(
    path: Path,
    profile: str = "strict",
    target: str = "c7",
    *,
    backup: bool = True,
    values_file: Path | None = None,
    overrides: Sequence[str] = (),
    waivers_file: Path | None = None,
    inline_waivers: bool = True,
    today: dt.date | None = None,
    attempts: int = MERGE_ATTEMPTS,
) -> InPlaceResult:
    """Merge ``profile`` into ``path`` and write it back (``NAME.bak`` first unless told).

    The write is a compare-and-swap under a lock (``hardener.inplace``): when another run or an
    editor changed the file after we read it, we read and merge again, up to ``attempts`` times,
    so two compatible runs at once both succeed. Nothing is written when nothing changes.
    """
    from hardener.errors import FileChangedError
    from hardener.inplace import write_in_place

    def attempt(number: int) -> InPlaceResult:
        result = merge(
            path, profile, target, values_file=values_file, overrides=overrides,
            waivers_file=waivers_file, inline_waivers=inline_waivers, today=today,
        )  # fmt: skip
        written = write_in_place(path, result.original, result.merged, backup=backup)
        return InPlaceResult(result, written.backup, number, written.removed_temps)

    for number in range(1, attempts):
        with contextlib.suppress(FileChangedError):
            return attempt(number)
    try:
        return attempt(attempts)
    except FileChangedError:
        raise FileChangedError(
            f"the file kept changing while it was being merged ({attempts} attempts); "
            "nothing was written",
            file=str(path),
        ) from None


def init(
    directory: Path,
    profile: str = "strict",
    target: str = "c7",
    *,
    values_file: Path | None = None,
    overrides: Sequence[str] = (),
    answers: Mapping[str, str] | None = None,
    force: bool = False,
) -> InitResult:
    """Create ``directory`` with a hardened config, .env, snippets and HARDENING.md.

    ``answers`` are site values a caller asked for (the CLI on a terminal); without them every
    value without a usable default must come from ``values_file`` or ``overrides``.
    """
    from hardener.scaffold import run_init

    return run_init(
        directory,
        profile,
        target,
        values_file=values_file,
        overrides=overrides,
        answers=answers,
        force=force,
    )


def check(
    paths: Iterable[str | Path],
    profile: str = "strict",
    target: str = "c7",
    *,
    waivers_file: Path | None = None,
    inline_waivers: bool = True,
    today: dt.date | None = None,
    on_progress: Progress | None = None,
) -> CheckReport:
    """Audit config files (directories: every environment-config*.yaml below) against a profile.

    A bad profile, target or waiver file raises; an unreadable or invalid config file is
    recorded in ``CheckReport.errors`` so that the other files are still checked.
    """
    from hardener.check import check_paths
    from hardener.waivers import load_waiver_file

    check_target(target)
    resolved = load_profile(profile)
    waivers = load_waiver_file(waivers_file) if waivers_file else []
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    return check_paths(
        items,
        resolved,
        target,
        file_waivers=waivers,
        use_inline_waivers=inline_waivers,
        today=today or dt.date.today(),
        on_progress=on_progress,
    )
