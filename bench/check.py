"""Check speed against yamllint over the same files (run: python bench/check.py).

Generates 1,000 configs into a temporary directory (every profile and target, with varied site
values, so the strict check finds something in most of them), checks them all with the strict
profile in this one process, and prints files per second. It then lints the same files with
yamllint's default configuration, in-process too, and prints the ratio. Target: faster than
yamllint (ratio above 1).

yamllint is not a dependency of optimize-harden; install it for the benchmark only:

    pip install yamllint
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardener import api  # noqa: E402

FILES = int(os.environ.get("BENCH_FILES", "1000"))
SEED = 20261128
COMBOS = [(p, t) for p in ("strict", "standard", "dev") for t in ("c7", "c8")]


def site_overrides(rng: random.Random, index: int, target: str) -> list[str]:
    """A varied but valid set of site values for one generated file."""
    nodes = ",".join(f"es{n}.db{index}.internal:{9200 + n}" for n in range(rng.randint(1, 3)))
    values = [
        f"db.nodes={nodes}",
        f"db.username=optimize_{index}",
        f"container.host=10.{index % 250}.{rng.randint(0, 250)}.{rng.randint(1, 250)}",
        f"container.https_port={rng.choice([8091, 8443, 9443])}",
        f"container.keystore_location=config/site{index}.p12",
        f"database={rng.choice(['elasticsearch', 'opensearch'])}",
    ]
    if rng.random() < 0.5:
        values.append(f"container.access_url=https://optimize{index}.example.com")
    if target == "c7":
        values += [
            f"engine.alias=engine-{index}",
            f"engine.rest_url=https://engine{index}.example.com/engine-rest",
            f"engine.user=import_{index}",
        ]
    return values


def generate_files(directory: Path) -> list[Path]:
    rng = random.Random(SEED)
    paths = []
    for index in range(FILES):
        profile, target = COMBOS[index % len(COMBOS)]
        text = api.generate(profile, target, overrides=site_overrides(rng, index, target)).text
        path = directory / f"site{index:04d}" / "environment-config.yaml"
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def time_check(paths: list[Path]) -> tuple[float, int]:
    start = time.perf_counter()
    report = api.check(paths, "strict", "c7")
    elapsed = time.perf_counter() - start
    assert not report.errors, report.errors[:3]
    return elapsed, len(report.findings)


def time_yamllint(paths: list[Path]) -> float | None:
    try:
        from yamllint import linter
        from yamllint.config import YamlLintConfig
    except ImportError:
        return None
    config = YamlLintConfig("extends: default")
    start = time.perf_counter()
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            list(linter.run(handle, config, str(path)))
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="oh-bench-") as tmp:
        paths = generate_files(Path(tmp))
        ours, findings = time_check(paths)
        theirs = time_yamllint(paths)
    print(f"files: {len(paths)}")
    print(f"optimize-harden check --profile strict  {len(paths) / ours:8.1f} files/s")
    print(f"  ({ours:.2f} s, {findings} findings)")
    if theirs is None:
        print("yamllint is not installed (pip install yamllint): no ratio")
        return
    print(f"yamllint (default config)               {len(paths) / theirs:8.1f} files/s")
    print(f"  ({theirs:.2f} s)")
    print(f"ratio: {theirs / ours:.2f}x yamllint's speed (target > 1)")


if __name__ == "__main__":
    main()
