"""The library API: the entry points the CLI and the tests call.

Each function takes plain arguments, raises only ``HardenerError`` subclasses for a user's mistake,
and returns a result object; printing and exit codes are the CLI's business.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hardener.catalog import check_target
from hardener.errors import UsageError
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
    "MERGE_REPORTS",
    "MergeRun",
    "check",
    "check_formats",
    "check_output",
    "choose_format",
    "check_target",
    "doctor",
    "effective",
    "fail_threshold",
    "generate",
    "init",
    "load_site_values",
    "merge",
    "merge_in_place",
    "merge_report",
    "relaxed_warnings",
    "rules_listing",
    "run_merge",
    "write_generated",
]

if TYPE_CHECKING:
    from hardener.check.audit import CheckReport, Progress
    from hardener.doctor.connect import Progress as DoctorProgress
    from hardener.init.scaffold import InitResult
    from hardener.merge.decide import MergeResult
    from hardener.profiles import Severity


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
    from hardener.plan import refuse_weak_site_values
    from hardener.values import parse_assignment
    from hardener.waivers import load_waiver_file
    from hardener.yaml import read_source

    resolved = load_profile(profile)
    site = load_site_values(target, values_file, overrides)
    refuse_weak_site_values(resolved, target, site)
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


MERGE_REPORTS = ("text", "json")


@dataclass(frozen=True)
class MergeRun:
    """What one ``merge`` command did: the merge, what it wrote, what goes to stdout, the code.

    ``stdout`` is the merged document when it is neither written to a file nor replaced by a
    diff; ``exit_code`` is 1 under ``check`` when a merge would change the file.
    """

    result: MergeResult
    in_place: InPlaceResult | None
    output: Path | None
    stdout: bytes | None
    exit_code: int


def run_merge(
    path: Path,
    profile: str = "strict",
    target: str = "c7",
    *,
    in_place: bool = False,
    output: Path | None = None,
    dry_run: bool = False,
    check: bool = False,
    diff: bool = False,
    backup: bool = True,
    report: str = "text",
    **options: Any,
) -> MergeRun:
    """The ``merge`` command's decisions: which write (none under ``dry_run`` or ``check``),
    ``--output`` naming CONFIG itself (the in-place path: lock and compare-and-swap, no
    backup), what is printed, and the exit code. ``options`` are ``merge``'s keywords."""
    if in_place and output is not None:
        raise UsageError("--in-place and --output exclude each other")
    if report not in MERGE_REPORTS:
        raise UsageError(f"unknown report format {report!r} (choose text or json)")
    if output is not None and _same_file(output, path):
        in_place, output, backup = True, None, False
    writes = not (check or dry_run)
    if in_place and writes:
        written = merge_in_place(path, profile, target, backup=backup, **options)
        return MergeRun(written.merge, written, None, None, 0)
    result = merge(path, profile, target, **options)
    if output is not None and writes:
        from hardener.files import write_output

        # CONFIG's own bits say how private its content is (never wider than 0644); the file
        # that was at OUTPUT says nothing: its owner and mode are never taken over.
        write_output(output, result.merged, mode=stat.S_IMODE(path.stat().st_mode) & 0o644)
    code = 1 if check and result.changed else 0
    prints = not (diff or dry_run or check or in_place or output is not None)
    return MergeRun(
        result, None, output if writes else None, result.merged if prints else None, code
    )


def merge_report(result: MergeResult, report: str = "text") -> str:
    """The change report in ``report`` format (text lines or JSON), secrets masked."""
    from hardener.merge.report import json_report, text_report

    if report not in MERGE_REPORTS:
        raise UsageError(f"unknown report format {report!r} (choose text or json)")
    return (json_report if report == "json" else text_report)(result)


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:  # either does not exist (yet): not the same file
        return False


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


def doctor(
    config: Path,
    target: str = "c7",
    *,
    profile: str = "standard",
    env: Sequence[str] | Mapping[str, str] = (),
    env_file: Path | None = None,
    connect: bool = False,
    url: str | None = None,
    timeout: float = 5.0,
    optimize_version: str | None = None,
    now: dt.datetime | None = None,
    on_progress: DoctorProgress | None = None,
) -> CheckReport:
    """Check that what the config names works and holds: variables, the env file, keystore,
    certificates and CA files; with ``connect``, the databases, engines, identity and (``url``)
    the running Optimize, live. The report renders and exits like check's."""
    from hardener.doctor.run import doctor as run_doctor

    return run_doctor(
        config, target, profile=profile, env=env, env_file=env_file, connect_=connect, url=url,
        timeout=timeout, optimize_version=optimize_version, now=now, on_progress=on_progress,
    )  # fmt: skip


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


def choose_format(fmt: str, allowed: Sequence[str]) -> str:
    """``fmt`` when the command offers it, else the one usage error every command gives."""
    if fmt not in allowed:
        choices = " or ".join(allowed) if len(allowed) == 2 else ", ".join(allowed)
        raise UsageError(f"unknown format {fmt!r} (choose {choices})")
    return fmt


def check_output(result: CheckReport, fmt: str = "text", *, color: bool = False) -> str:
    """A check report as text, JSON or SARIF."""
    from hardener.check import report

    return report.render(result, choose_format(fmt, report.FORMATS), color=color)


def check_formats() -> tuple[str, ...]:
    """The formats ``check`` writes (asked before a long run, so a typo fails at once)."""
    from hardener.check import report

    return report.FORMATS


def fail_threshold(text: str) -> Severity:
    """``--fail-on``: the lowest severity that makes check fail."""
    from hardener.profiles import Severity

    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise UsageError(f"--fail-on: {exc}") from None


def rules_listing(fmt: str = "text") -> str:
    """Every rule with its severity per built-in profile, as a table or JSON."""
    from hardener.check.rules.docs import rules_json, rules_table

    return rules_json() if choose_format(fmt, ("text", "json")) == "json" else rules_table()
