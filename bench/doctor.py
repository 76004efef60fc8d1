"""Wall time of ``doctor --connect`` against 10 loopback targets, one of them silent.

Nine Elasticsearch-like TLS servers (401 anonymous, 200 with the right user) and one blackhole
(a listening socket that never accepts or answers) on 127.0.0.1 are named as the ten nodes of
one config; ``optimize-harden doctor --connect --timeout T`` runs as a real process. The run
must end within T + 1 s: the silent node costs the timeout once, not once per target, and
nothing waits longer. Exit 1 when it does not. Run: python bench/doctor.py [T]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.doctor_servers import (  # noqa: E402
    blackhole,
    http_server,
    make_ca,
    make_cert,
    needs_auth,
    server_context,
)

TARGETS = 10
USER, PASSWORD = "optimize", "bench-password-1234"


def main() -> int:
    timeout = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        ca = make_ca()
        (directory / "ca.pem").write_bytes(ca.cert_pem())
        cert, key = make_cert(ca).write(directory, "server")
        ctx = server_context(cert, key)
        ports = [
            stack.enter_context(http_server(needs_auth(USER, PASSWORD), ctx)).port
            for _ in range(TARGETS - 1)
        ]
        ports.append(stack.enter_context(blackhole()))
        nodes = ", ".join(f"{{host: localhost, httpPort: {port}}}" for port in ports)
        config = directory / "environment-config.yaml"
        config.write_text(
            "es:\n  connection:\n"
            f"    nodes: [{nodes}]\n"
            f"  security:\n    username: {USER}\n    password: ${{DB_PASSWORD}}\n"
            f"    ssl:\n      enabled: true\n      certificate: {directory / 'ca.pem'}\n"
            "engines: {}\n"
        )
        command = [
            sys.executable, "-m", "hardener", "doctor", str(config), "--connect",
            "--timeout", str(timeout), "--env", f"DB_PASSWORD={PASSWORD}", "--format", "json",
        ]  # fmt: skip
        start = time.monotonic()
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout + 30, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        )  # fmt: skip
        wall = time.monotonic() - start
    findings = [f for file in json.loads(done.stdout)["files"] for f in file["findings"]]
    rules = sorted({f["rule_id"] for f in findings})
    limit = timeout + 1.0
    print(f"doctor --connect, {TARGETS} loopback targets (1 blackholed), --timeout {timeout:g}:")
    print(f"  wall time {wall:.2f} s (process start included); limit {limit:.2f} s")
    print(f"  findings: {len(findings)} {rules} (expected: the silent node only)")
    ok = wall <= limit and rules == ["OH-DOC-042"] and len(findings) == 1
    print("  OK" if ok else "  FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
