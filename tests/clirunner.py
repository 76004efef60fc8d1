"""The command-line app run in process, as ``python -m hardener`` runs it, with stderr apart.

The entry point (``hardener.cli.main``) only calls the typer app, and every command maps its
errors to exit codes and one stderr line itself (``handle_errors``), so invoking the app gives
the exit codes and streams of the real process without its start-up cost. What only a process
shows (terminal detection, signals, the interpreter's own output) is tested in test_cli.py and
test_faults.py with real ones.
"""

from __future__ import annotations

import signal
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from types import FrameType

from typer.testing import CliRunner

from hardener.cli import app


def cli_runner() -> CliRunner:
    """A runner whose results keep stderr apart from stdout, whichever click typer brings."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:  # click >= 8.2, and typer's own copy: result.stderr is always apart
        return CliRunner()


RUNNER = cli_runner()


@dataclass(frozen=True)
class Ran:
    """What a run shows, named as on ``subprocess.CompletedProcess``."""

    returncode: int
    stdout: str
    stderr: str


class Overran(BaseException):
    """A run outlived its deadline; a BaseException, so no handler in the app can hide it."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Stop the run after ``seconds``, as ``subprocess.run(timeout=...)`` would."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Overran(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_in_process(
    args: Sequence[str],
    *,
    input: str | None = None,
    env: Mapping[str, str | None] | None = None,
    timeout: float | None = None,
) -> Ran:
    """Invoke the app with ``args``; stdin is ``input`` (empty by default, never a terminal).

    An exception the app lets through ends a real run with its traceback on stderr and exit 1;
    the runner catches it instead, so it is put on stderr here the same way, and an assertion
    that stderr holds no traceback means the same in process as for the real entry point.
    """
    with deadline(timeout) if timeout is not None else nullcontext():
        result = RUNNER.invoke(app, list(args), input=input, env=env)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return Ran(result.exit_code, result.stdout, stderr)
