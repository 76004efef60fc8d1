"""The library API: the entry points the CLI and the tests call.

Each function takes plain arguments, raises only ``HardenerError`` subclasses for a user's mistake,
and returns a result object; printing and exit codes are the CLI's business.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hardener.catalog import check_target
from hardener.generate.build import (
    FORMATS,
    GenerateResult,
    generate,
    relaxed_warnings,
    write_generated,
)
from hardener.profiles import load_profile
from hardener.values import load_site_values, load_values_file

__all__ = [
    "FORMATS",
    "GenerateResult",
    "InPlaceResult",
    "check",
    "check_target",
    "effective",
    "generate",
    "init",
    "load_site_values",
    "merge",
    "merge_in_place",
    "relaxed_warnings",
    "write_generated",
]

if TYPE_CHECKING:
    from hardener.check.audit import CheckReport, Progress
    from hardener.init.scaffold import InitResult
    from hardener.merge.decide import MergeResult


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
    from hardener.merge.decide import merge_source
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

    The write is a compare-and-swap under a lock (``hardener.merge.inplace``): when another run
    or an editor changed the file after we read it, we read and merge again, up to ``attempts``
    times, so two compatible runs at once both succeed. Nothing is written when nothing changes.
    """
    from hardener.errors import FileChangedError
    from hardener.merge.inplace import write_in_place

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
    from hardener.init.scaffold import run_init

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
    from hardener.check.audit import check_paths
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


def effective(
    path: Path,
    target: str = "c7",
    *,
    env: Sequence[str] | Mapping[str, str] = (),
    env_file: Path | None = None,
    fmt: str = "yaml",
    show_origin: bool = False,
    show_secrets: bool = False,
) -> str:
    """The configuration Optimize would hold after its defaults, the file at ``path`` and the
    given variables, as YAML or JSON text.

    ``env`` is ``NAME=VALUE`` texts (or a mapping) and wins over ``env_file``; the process
    environment is never read, so a placeholder without default that neither gives raises
    ``MissingVariable``, as Optimize would refuse to start. Secrets are masked unless
    ``show_secrets``; ``show_origin`` adds where each value came from.
    """
    from hardener import effective as eff
    from hardener.errors import UsageError
    from hardener.yaml import read_config, read_source

    check_target(target)
    if fmt not in eff.FORMATS:
        raise UsageError(f"unknown format {fmt!r} (choose {' or '.join(eff.FORMATS)})")
    variables = eff.environment(env, env_file)
    config = read_config(read_source(path))
    tree = eff.effective_tree(config, target, variables, show_secrets=show_secrets)
    return eff.render(tree, fmt, show_origin=show_origin)
