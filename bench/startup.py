"""Start-up cost of the CLI against the import floor (run: python bench/startup.py).

Prints the median wall time over repeated cold runs (new interpreter each time) of
``optimize-harden --help`` and ``generate --profile strict``, and their ratios to
``python -c "import typer"`` and ``python -c "import typer, jinja2, ruamel.yaml"``.
Targets: --help <= 1.1 x import typer; generate <= 1.25 x the full import floor.

It also measures the reader's one fast path (libyaml's events instead of ruamel's parser, where
libyaml reads the text as SnakeYAML does): ``generate`` and ``check`` of a generated config with
the fast path and without it. The fast path stays only while it saves at least 5 ms there.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "21"))


def median_seconds(args: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run(args, env=env, capture_output=True)  # warm the file cache (check exits 1)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def entry_point(py: str, *, fast_reader: bool = True) -> list[str]:
    """What the installed ``optimize-harden`` script runs (without runpy's ``-m`` overhead);
    ``fast_reader=False`` makes the reader parse everything with ruamel's own parser."""
    slow = "import hardener.yaml.nodes as n; n._fast_parser_reads = lambda text: False; "
    return [
        py,
        "-c",
        ("" if fast_reader else slow)
        + "import sys; from hardener.cli import main; sys.argv[0] = 'optimize-harden'; main()",
    ]


def fast_path_savings(py: str) -> None:
    """Milliseconds the libyaml path saves per command (generate, check of its output)."""
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "environment-config.yaml"
        subprocess.run(
            [*entry_point(py), "generate", "--profile", "strict", "--output", str(config)],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            check=True,
        )
        commands = {
            "generate --profile strict": ["generate", "--profile", "strict"],
            "check (generated config)": ["check", str(config), "--profile", "strict"],
        }
        for name, args in commands.items():
            fast = median_seconds([*entry_point(py), *args])
            slow = median_seconds([*entry_point(py, fast_reader=False), *args])
            print(
                f"{name:<31} {fast * 1000:7.1f} ms; without the fast path {slow * 1000:7.1f} ms"
                f"  (saves {(slow - fast) * 1000:.1f} ms; keep while >= 5 ms)"
            )


def main() -> None:
    py = sys.executable
    typer_floor = median_seconds([py, "-c", "import typer"])
    full_floor = median_seconds([py, "-c", "import typer, jinja2, ruamel.yaml"])
    help_time = median_seconds([*entry_point(py), "--help"])
    generate_time = median_seconds([*entry_point(py), "generate", "--profile", "strict"])
    print(f"runs per command: {RUNS}")
    print(f"import typer                    {typer_floor * 1000:7.1f} ms")
    print(f"import typer, jinja2, ruamel    {full_floor * 1000:7.1f} ms")
    print(
        f"optimize-harden --help          {help_time * 1000:7.1f} ms"
        f"  {help_time / typer_floor:.2f}x import typer (target <= 1.10x)"
    )
    print(
        f"generate --profile strict       {generate_time * 1000:7.1f} ms"
        f"  {generate_time / full_floor:.2f}x import floor (target <= 1.25x)"
    )
    fast_path_savings(py)


if __name__ == "__main__":
    main()
