"""The ``optimize-harden`` command line: parse options, call the API, print, map exit codes.

Exit codes: 0 success, 1 findings or drift (check, merge --check), 2 bad input or usage,
130 interrupted. Heavy libraries (jinja2, the YAML parser) are imported only by the commands that
need them, so ``--help`` stays as fast as typer itself.
"""

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from hardener import __version__
from hardener.errors import HardenerError

if TYPE_CHECKING:
    from hardener.api import InPlaceResult

app = typer.Typer(
    name="optimize-harden",
    help="Generate, merge and audit hardened Camunda Optimize configurations.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
profiles_app = typer.Typer(help="List, show and compare hardening profiles.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")

F = TypeVar("F", bound=Callable[..., Any])

ProfileOpt = Annotated[
    str, typer.Option("--profile", "-p", help="Profile name (strict, standard, dev) or file.")
]
TargetOpt = Annotated[
    str, typer.Option("--target", "-t", help="c7 (Optimize 3.x, Camunda 7) or c8 (Optimize 8.x).")
]
ValuesOpt = Annotated[
    Path | None, typer.Option("--values", help="Site values file (see 'optimize-harden values').")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override one site value: KEY=VALUE (repeatable)."),
]


def fail(message: str, code: int = 2) -> None:
    """Print one line to stderr and exit."""
    typer.echo(f"optimize-harden: error: {message}", err=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    typer.echo(f"optimize-harden: warning: {message}", err=True)


def handle_errors(func: F) -> F:
    """User mistakes become one line and exit 2; Ctrl-C exits 130; bugs keep their traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HardenerError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("optimize-harden: interrupted", err=True)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"optimize-harden {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate, merge and audit hardened Camunda Optimize configurations."""


@app.command()
@handle_errors
def generate(
    profile: ProfileOpt = "strict",
    target: TargetOpt = "c7",
    values: ValuesOpt = None,
    set_: SetOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml or env.")] = "yaml",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE (atomically).")
    ] = None,
) -> None:
    """Print a hardened environment-config.yaml (or env variables) for a profile."""
    from hardener import api

    result = api.generate(profile, target, values_file=values, overrides=set_ or (), fmt=fmt)
    if output is not None:  # first: a failed write is one line, not warnings and then an error
        api.write_generated(result, output)
    for line in result.warnings:
        warn(f"profile {result.profile.name} relaxes {line}")
    if output is None:
        sys.stdout.write(result.text)
    else:
        typer.echo(f"wrote {output}", err=True)
    if result.required_vars:
        typer.echo("set before starting Optimize: " + ", ".join(result.required_vars), err=True)


@app.command("values")
@handle_errors
def values_cmd(target: TargetOpt = "c7") -> None:
    """Print a commented site values file with every default."""
    from hardener.catalog import check_target
    from hardener.values import default_values_text

    check_target(target)
    sys.stdout.write(default_values_text(target))


@profiles_app.command("list")
@handle_errors
def profiles_list() -> None:
    """List the built-in profiles."""
    from hardener.profiles import list_profiles, load_profile

    for name in list_profiles():
        typer.echo(f"{name:10} {load_profile(name).description}")


@profiles_app.command("show")
@handle_errors
def profiles_show(
    name: Annotated[str, typer.Argument(help="Profile name or file.")],
    target: Annotated[str | None, typer.Option("--target", "-t", help="Only this target.")] = None,
) -> None:
    """Show a profile's resolved settings and where each came from."""
    from hardener import profile_view

    sys.stdout.write(profile_view.show(name, target))


@profiles_app.command("diff")
@handle_errors
def profiles_diff(
    first: Annotated[str, typer.Argument(help="Profile name or file.")],
    second: Annotated[str, typer.Argument(help="Profile name or file.")],
) -> None:
    """Show the settings whose values, comparisons or severities differ."""
    from hardener import profile_view

    sys.stdout.write(profile_view.diff(first, second))


def main() -> None:
    """Console-script entry point."""
    app()


@app.command()
@handle_errors
def merge(
    config: Annotated[Path, typer.Argument(help="The environment-config.yaml to harden.")],
    profile: ProfileOpt = "strict",
    target: TargetOpt = "c7",
    values: ValuesOpt = None,
    set_: SetOpt = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite CONFIG itself.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the merged file to FILE (CONFIG itself: like --in-place --no-backup).",
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if a merge would change it.")
    ] = False,
    no_backup: Annotated[
        bool, typer.Option("--no-backup", help="With --in-place: no NAME.bak.")
    ] = False,
    report: Annotated[str, typer.Option("--report", help="Change report: text or json.")] = "text",
    waivers: Annotated[
        Path | None, typer.Option("--waivers", help="Waiver file (accepted deviations).")
    ] = None,
    no_inline_waivers: Annotated[
        bool, typer.Option("--no-inline-waivers", help="Ignore waiver comments in CONFIG.")
    ] = False,
) -> None:
    """Harden an existing config, keeping every byte you wrote that it does not change."""
    from hardener import api
    from hardener.merge.report import masked_diff

    run = api.run_merge(
        config, profile, target, in_place=in_place, output=output, dry_run=dry_run,
        check=check, diff=diff, backup=not no_backup, report=report, values_file=values,
        overrides=set_ or (), waivers_file=waivers, inline_waivers=not no_inline_waivers,
    )  # fmt: skip
    typer.echo(api.merge_report(run.result, report), err=True, nl=False)
    if diff:
        sys.stdout.write(masked_diff(run.result))
    if run.in_place is not None:
        _print_in_place(config, run.in_place)
    if run.stdout is not None:
        sys.stdout.buffer.write(run.stdout)
        sys.stdout.flush()
    if run.exit_code:
        raise typer.Exit(run.exit_code)


def _print_in_place(config: Path, written: "InPlaceResult") -> None:
    for temp in written.removed_temps:
        typer.echo(f"removed {temp}, left behind by an interrupted run", err=True)
    if written.attempts > 1:
        typer.echo(
            f"note: {config} changed while it was being merged; merged again "
            f"({written.attempts} attempts)",
            err=True,
        )
    if written.backup is not None:
        typer.echo(f"backup: {written.backup}", err=True)


def stdin_is_terminal() -> bool:
    """Whether init may ask questions; a function of its own so tests can force either mode."""
    return sys.stdin.isatty()


@app.command("init")
@handle_errors
def init_cmd(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="Directory to create; with --force an existing one is filled."
        ),
    ],
    profile: ProfileOpt = "strict",
    target: TargetOpt = "c7",
    values: ValuesOpt = None,
    set_: SetOpt = None,
    non_interactive: Annotated[
        bool,
        typer.Option("--non-interactive", help="Never ask; use --values, --set and defaults."),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Fill a non-empty DIR; replaced files become NAME.bak.")
    ] = False,
) -> None:
    """Create DIR: hardened config, .env with generated secrets, snippets and HARDENING.md.

    On a terminal, init asks for the site values that differ per installation (database, nodes,
    users, engine URLs, host, keystore, public URL), offering defaults. With --non-interactive or
    without a terminal it takes --values, --set and defaults; outside the dev profile db.nodes and
    (c7) engine.rest_url have no usable default and must be given. A non-empty DIR needs --force,
    which keeps every replaced file as NAME.bak.
    """
    from hardener import api

    answers = None
    if not non_interactive and stdin_is_terminal():
        answers = _ask_site_values(profile, target, values, set_ or [])
    result = api.init(
        directory, profile, target, values_file=values, overrides=set_ or (),
        answers=answers, force=force,
    )  # fmt: skip
    for line in result.warnings:
        warn(line)
    _print_init(result)


def _ask_site_values(
    profile: str, target: str, values: Path | None, overrides: list[str]
) -> dict[str, str]:
    from hardener.catalog import check_target
    from hardener.init import interview
    from hardener.profiles import load_profile

    check_target(target)
    resolved = load_profile(profile)
    typer.echo(f"Site values for profile {resolved.name}, target {target}:", err=True)
    file_values = interview.load_file_values(values)
    return interview.collect_answers(resolved, target, file_values, overrides, _prompt)


def _prompt(question: Any, error: str | None) -> str:
    """Ask once through typer; the library validates and calls again with the error."""
    if error is None:
        typer.echo(f"  {question.doc}", err=True)
    else:
        typer.echo(f"  invalid: {error}", err=True)
    answer: str = typer.prompt(
        question.label, default=question.default, show_default=bool(question.default), err=True
    )
    return answer


def _print_init(result: Any) -> None:
    typer.echo(
        f"created {result.directory} (profile {result.profile}, target {result.target}, "
        f"database {result.database})"
    )
    for path in result.files:
        typer.echo(f"  {path}")
    for original, backup in result.backups:
        typer.echo(f"kept the previous {original} as {backup}")
    if result.generated_vars:
        typer.echo("generated into .env: " + ", ".join(result.generated_vars))
    if result.external_vars:
        typer.echo("fill in .env before starting Optimize: " + ", ".join(result.external_vars))
    typer.echo(f"next: work through {result.directory / 'HARDENING.md'}")


@app.command("check")
@handle_errors
def check_cmd(
    paths: Annotated[
        list[Path], typer.Argument(help="Config files, or directories to search for them.")
    ],
    profile: ProfileOpt = "strict",
    target: TargetOpt = "c7",
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or sarif.")] = "text",
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Lowest severity that fails: info … critical.")
    ] = "low",
    waivers: Annotated[
        Path | None, typer.Option("--waivers", help="Waiver file (accepted deviations).")
    ] = None,
    no_inline_waivers: Annotated[
        bool, typer.Option("--no-inline-waivers", help="Ignore waiver comments in the files.")
    ] = False,
) -> None:
    """Audit configs against a profile; exit 1 on findings at or above --fail-on."""
    from hardener import api
    from hardener.check import report

    threshold = api.fail_threshold(fail_on)
    api.choose_format(fmt, api.check_formats())
    with report.progress_bar(enabled=sys.stderr.isatty()) as on_progress:
        result = api.check(
            paths, profile, target, waivers_file=waivers,
            inline_waivers=not no_inline_waivers, on_progress=on_progress,
        )  # fmt: skip
    sys.stdout.write(api.check_output(result, fmt, color=_use_color(sys.stdout)))
    for note in result.skipped:
        typer.echo(f"optimize-harden: note: {note}", err=True)
    for error in result.errors:
        typer.echo(f"optimize-harden: error: {error}", err=True)
    raise typer.Exit(result.exit_code(threshold))


@app.command("doctor")
@handle_errors
def doctor_cmd(
    config: Annotated[
        Path,
        typer.Argument(metavar="CONFIG", help="The environment-config.yaml Optimize reads."),
    ],
    target: TargetOpt = "c7",
    optimize_version: Annotated[
        str | None, typer.Option("--optimize-version", help="The Optimize release, e.g. 8.8.2.")
    ] = None,
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="NAME=VALUE lines (a .env file).")
    ] = None,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", help="A variable for Optimize: NAME=VALUE (repeatable)."),
    ] = None,
    connect: Annotated[
        bool, typer.Option("--connect", help="Also probe the services, live (network).")
    ] = False,
    url: Annotated[
        str | None, typer.Option("--url", help="The running Optimize, e.g. https://host:8091.")
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds the whole --connect run may take.")
    ] = 5.0,
    profile: Annotated[
        str, typer.Option("--profile", "-p", help="Severity level: strict, standard or dev.")
    ] = "standard",
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or sarif.")] = "text",
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="Lowest severity that fails: info … critical.")
    ] = "low",
) -> None:
    """Check that keystore, certificates, variables and (--connect) live services hold."""
    from hardener import api

    threshold = api.fail_threshold(fail_on)
    api.choose_format(fmt, api.check_formats())
    progress = None
    if sys.stderr.isatty():

        def progress(name: str, problems: int) -> None:
            state = "ok" if problems == 0 else f"{problems} finding{'s' if problems != 1 else ''}"
            typer.echo(f"doctor: {name}: {state}", err=True)

    result = api.doctor(
        config, target, profile=profile, env=env or (), env_file=env_file, connect=connect,
        url=url, timeout=timeout, optimize_version=optimize_version, on_progress=progress,
    )  # fmt: skip
    sys.stdout.write(api.check_output(result, fmt, color=_use_color(sys.stdout)))
    raise typer.Exit(result.exit_code(threshold))


@app.command("rules")
@handle_errors
def rules_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """List every rule with its severity in the strict, standard and dev profiles."""
    from hardener import api

    sys.stdout.write(api.rules_listing(fmt))


@app.command("explain")
@handle_errors
def explain_cmd(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. OH-CNT-001.")],
) -> None:
    """Explain one rule: why it matters, when it fires, how to fix it."""
    from hardener.check.rules.docs import explain

    sys.stdout.write(explain(rule_id))


def _use_color(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("NO_COLOR")


@app.command("effective")
@handle_errors
def effective_cmd(
    config: Annotated[
        Path,
        typer.Argument(metavar="CONFIG", help="The environment-config.yaml Optimize reads."),
    ],
    target: TargetOpt = "c7",
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env", help="A variable Optimize is given: NAME=VALUE (repeatable; beats --env-file)."
        ),
    ] = None,
    env_file: Annotated[
        Path | None, typer.Option("--env-file", help="Variables from a dotenv file (init's .env).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml or json.")] = "yaml",
    show_origin: Annotated[
        bool, typer.Option("--show-origin", help="Say where each value came from.")
    ] = False,
    show_secrets: Annotated[
        bool, typer.Option("--show-secrets", help="Print secret values instead of ********.")
    ] = False,
) -> None:
    """Print the configuration Optimize would hold: its defaults, CONFIG and the variables.

    Answers "why does Optimize ignore my setting?": values are merged and their placeholders
    resolved exactly as Optimize does. Variables come only from --env and --env-file, never from
    the process environment, so a placeholder without default that is not given is an error, as
    it is for Optimize. Secret values print as ******** unless --show-secrets.

    --show-origin writes where each value came from, as a comment after each value (YAML) or as
    an "origin" object beside "config" (JSON):

    \b
      default              Optimize's shipped defaults
      env NAME (default)   the defaults' placeholder, taking variable NAME
      file:N               CONFIG, line N
      env NAME (file:N)    CONFIG's placeholder on line N, taking variable NAME
      file:N (alias *A)    an alias on line N: Optimize holds the anchor's name A as text
      file:N (alias)       the same for a secret: the name is its value, so it is not shown
    """
    from hardener import api

    text = api.effective(
        config, target, env=env or (), env_file=env_file, fmt=fmt,
        show_origin=show_origin, show_secrets=show_secrets,
    )  # fmt: skip
    sys.stdout.write(text)
