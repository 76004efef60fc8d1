"""The ``optimize-harden`` command line: parse options, call the API, print, map exit codes.

Exit codes: 0 success, 1 findings or drift (check, merge --check), 2 bad input or usage,
130 interrupted. Heavy libraries (jinja2, ruamel.yaml) are imported only by the commands that
need them, so ``--help`` stays as fast as typer itself.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from hardener import __version__
from hardener.errors import HardenerError

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
    for line in result.warnings:
        warn(f"profile {result.profile.name} relaxes {line}")
    if output is None:
        sys.stdout.write(result.text)
    else:
        api.write_generated(result, output)
        typer.echo(f"wrote {output}", err=True)
    if result.required_vars:
        typer.echo("set before starting Optimize: " + ", ".join(result.required_vars), err=True)


@app.command("values")
@handle_errors
def values_cmd(target: TargetOpt = "c7") -> None:
    """Print a commented site values file with every default."""
    from hardener.api import check_target
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
