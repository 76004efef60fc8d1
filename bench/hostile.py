"""Time and peak memory of every hostile input (run: python bench/hostile.py).

Runs each row of tests/hostile_cases.py once per command, as tests/test_hostile.py does, and
prints wall time and the child's peak resident memory. The tests assert what happens; this
shows what it costs: a 200 MB file or an alias bomb should cost no more than a small valid
config (about 0.3 s and 60 MB, mostly interpreter start-up and imports).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hostile_cases import CASES, prepare  # noqa: E402


def measure(args: list[str], cwd: Path) -> tuple[int, float, float]:
    """Exit code, seconds, peak resident MB of one ``python -m hardener`` run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "hardener", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    print(f"{'case':<22} {'command':<44} {'exit':>4} {'seconds':>8} {'peak MB':>8}")
    with tempfile.TemporaryDirectory() as scratch:
        for case in CASES:
            for number, template in enumerate(case.commands):
                directory = Path(scratch) / f"{case.id}-{number}"
                prepare(case, directory)
                args = shlex.split(template.format(file=case.name))
                code, seconds, peak = measure(args, directory)
                print(f"{case.id:<22} {template[:44]:<44} {code:>4} {seconds:>8.2f} {peak:>8.1f}")


if __name__ == "__main__":
    main()
