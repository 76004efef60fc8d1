"""Merge speed against a bare ruamel.yaml round trip (run: python bench/merge.py).

Builds configs of about 100, 1,000, 10,000 and 50,000 lines (a real-looking Optimize config
followed by many engines, comments and custom keys), merges the strict profile into each and
prints the median time next to the median of a bare ruamel.yaml round-trip load + dump of the
same text. Target: <= 1.5x the bare round trip at 10,000 lines, and linear growth.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hardener.merge.decide import merge_source  # noqa: E402
from hardener.profiles import load_profile  # noqa: E402
from hardener.values import resolve_values  # noqa: E402
from hardener.yaml import SourceText  # noqa: E402

SIZES = (100, 1_000, 10_000, 50_000)
RUNS = int(os.environ.get("BENCH_RUNS", "5"))

HEAD = """\
# Optimize configuration for the benchmark
container:
  host: 0.0.0.0   # every interface
  ports:
    http: 8090
    https: 8091
security:
  auth:
    token:
      lifeMin: 60
es:
  connection:
    nodes:
      - host: es1
        httpPort: 9200
  security:
    username: optimize
    password: secret-literal
engines:
"""


def engine_block(index: int) -> str:
    return (
        f"  # engine number {index}\n"
        f"  'engine-{index}':\n"
        f"    name: engine{index}\n"
        f"    rest: 'http://engine-{index}.internal:8080/engine-rest'\n"
        f"    importEnabled: {'true' if index % 2 else 'false'}\n"
        f"    authentication:\n"
        f"      enabled: false\n"
        f"      user: importer{index}\n"
        f"      password: ''\n"
        f"    webapps:\n"
        f"      endpoint: 'http://engine-{index}.internal:8080/camunda'\n"
        f"      enabled: true\n"
    )


def build(lines: int) -> str:
    text = HEAD
    index = 0
    while text.count("\n") < lines:
        text += engine_block(index)
        index += 1
    return text


def median(func: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    profile = load_profile("strict")
    site = resolve_values("c7")
    from ruamel.yaml import YAML  # the yardstick: a bare round-trip load and dump

    yaml = YAML()
    print(f"runs per size: {RUNS}")
    print(f"{'lines':>7} {'merge ms':>10} {'round trip ms':>14} {'ratio':>6} {'merge us/line':>14}")
    for size in SIZES:
        text = build(size)
        data = text.encode()
        source = SourceText("bench.yaml", text, False)

        def do_merge(source: SourceText = source, data: bytes = data) -> None:
            merge_source(source, data, profile, "c7", site)

        def round_trip(text: str = text) -> None:
            yaml.dump(yaml.load(text), io.StringIO())

        merge_time, trip_time = median(do_merge), median(round_trip)
        lines = text.count("\n")
        print(
            f"{lines:>7} {merge_time * 1000:>10.1f} {trip_time * 1000:>14.1f} "
            f"{merge_time / trip_time:>6.2f} {merge_time / lines * 1e6:>14.1f}"
        )


if __name__ == "__main__":
    main()
