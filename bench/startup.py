"""Start-up cost of the CLI against the import floor (run: python bench/startup.py).

Prints the median wall time over repeated cold runs (new interpreter each time) of
``optimize-harden --help`` and ``generate --profile strict``, and their ratios to
``python -c "import typer"`` and ``python -c "import typer, jinja2, ruamel.yaml"``.
Targets: --help <= 1.1 x import typer; generate <= 1.25 x the full import floor.
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
    subprocess.run(args, env=env, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(args, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def entry_point(py: str) -> list[str]:
    """What the installed ``optimize-harden`` script runs (without runpy's ``-m`` overhead)."""
    return [
        py,
        "-c",
        "import sys; from hardener.cli import main; sys.argv[0] = 'optimize-harden'; main()",
    ]


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


if __name__ == "__main__":
    main()
