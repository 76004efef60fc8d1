"""doctor through the typer app: exit codes, formats, streams, no secret in any output."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from hardener.check.rules import doctor as R
from tests.clirunner import run_in_process
from tests.doctor_servers import blackhole, make_ca, make_cert, pkcs12_bytes

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
PASSWORD = "Doctor-Canary-7f3e-keystore"


def setup(tmp_path: Path, *, expired: bool = False) -> Path:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "ks.p12").write_bytes(
        pkcs12_bytes(make_cert(make_ca(), expired=expired), PASSWORD)
    )
    config = config_dir / "environment-config.yaml"
    config.write_text(
        "container:\n  keystore:\n    location: config/ks.p12\n    password: ${KS}\nengines: {}\n"
    )
    return config


def test_exit_0_when_clean_and_1_at_fail_on(tmp_path: Path) -> None:
    config = setup(tmp_path)
    ran = run_in_process(["doctor", str(config), "--env", f"KS={PASSWORD}"], timeout=30)
    assert ran.returncode == 0, ran.stderr
    assert "0 findings" in ran.stdout and ran.stderr == ""  # no progress when piped
    ran = run_in_process(["doctor", str(config)], timeout=30)  # KS not given
    assert ran.returncode == 1
    assert R.PLACEHOLDER_UNSET in ran.stdout
    ran = run_in_process(["doctor", str(config), "--fail-on", "critical"], timeout=30)
    assert ran.returncode == 0


def test_exit_2_on_bad_input(tmp_path: Path) -> None:
    config = setup(tmp_path)
    for args in (
        ["--format", "xml"],
        ["--fail-on", "worst"],
        ["--timeout", "-1"],
        ["--url", "nohost"],
        ["--target", "c9"],
    ):
        ran = run_in_process(["doctor", str(config), *args], timeout=30)
        assert ran.returncode == 2, args
        assert ran.stderr.startswith("optimize-harden: error:"), args
    ran = run_in_process(["doctor", str(tmp_path / "missing.yaml")], timeout=30)
    assert ran.returncode == 2


def test_json_and_sarif_carry_the_findings_without_secrets(tmp_path: Path) -> None:
    config = setup(tmp_path, expired=True)
    args = ["doctor", str(config), "--env", f"KS={PASSWORD}"]
    ran = run_in_process([*args, "--format", "json"], timeout=30)
    assert ran.returncode == 1
    document = json.loads(ran.stdout)
    (finding,) = document["files"][0]["findings"]
    assert finding["rule_id"] == R.CERT_EXPIRED and finding["severity"] == "critical"
    ran = run_in_process([*args, "--format", "sarif"], timeout=30)
    sarif = json.loads(ran.stdout)
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == [R.CERT_EXPIRED]
    assert R.CERT_EXPIRED in {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert PASSWORD not in ran.stdout + ran.stderr


def test_connect_reports_an_unreachable_url_within_the_timeout(tmp_path: Path) -> None:
    config = setup(tmp_path)
    with blackhole() as port:
        ran = run_in_process(
            ["doctor", str(config), "--env", f"KS={PASSWORD}", "--connect",
             "--url", f"https://127.0.0.1:{port}", "--timeout", "0.5", "--format", "json"],
            timeout=30,
        )  # fmt: skip
    found = {f["rule_id"] for f in json.loads(ran.stdout)["files"][0]["findings"]}
    assert R.UNREACHABLE in found and ran.returncode == 1


def test_rules_and_explain_list_doctor_rules() -> None:
    listing = run_in_process(["rules"], timeout=30)
    assert R.PLAIN_HTTP_ON_HTTPS in listing.stdout
    explained = run_in_process(["explain", R.PLAIN_HTTP_ON_HTTPS], timeout=30)
    assert "camunda/camunda#55403" in explained.stdout


def test_progress_on_a_terminal_and_no_colour_with_no_color(tmp_path: Path) -> None:
    """A real process with a pseudo-terminal for stdout and stderr."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    config = setup(tmp_path)
    with blackhole() as port:
        config.write_text(
            config.read_text()
            + f"es:\n  connection:\n    nodes: [{{host: 127.0.0.1, httpPort: {port}}}]\n"
        )
        output = b""
        for no_color in (None, "1"):
            leader, follower = pty.openpty()
            env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
            if no_color:
                env["NO_COLOR"] = no_color
            process = subprocess.Popen(
                [sys.executable, "-m", "hardener", "doctor", str(config), "--env",
                 f"KS={PASSWORD}", "--connect", "--timeout", "0.5"],
                stdout=follower, stderr=follower, env=env,
            )  # fmt: skip
            os.close(follower)
            chunks: list[bytes] = []
            end = time.monotonic() + 20
            while time.monotonic() < end:
                ready, _, _ = select.select([leader], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(leader, 65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    chunks.append(chunk)
                elif process.poll() is not None:
                    break
            os.close(leader)
            assert process.wait(10) == 1
            output = b"".join(chunks)
            assert f"doctor: es http://127.0.0.1:{port}: 1 finding".encode() in output
            assert (b"\x1b[" in output) is (no_color is None)
    assert b"OH-DOC-042" in output
