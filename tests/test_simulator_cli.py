"""`python -m pulumi_sonicha.simulator` as a user runs it: serve, source the env, ctl, stop."""

from __future__ import annotations

import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pulumi_sonicha.simulator import DEFAULT_PASSWORD, DEFAULT_PORTAL_PASSWORD

MODULE = [sys.executable, "-m", "pulumi_sonicha.simulator"]


def read_env(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "export":
            key, _, value = words[1].partition("=")
            env[key] = value
    return env


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str], Path]]:
    ready = tmp_path / "ready.env"
    args = ["--primary-port", "0", "--backup-port", "0", "--portal-port", "0"]
    args += ["--sync-seconds", "0", "--state-dir", str(tmp_path / "state")]
    args += ["--ready-file", str(ready), "--link-down", "X5", "--backup-model", "NSa 3700"]
    args += ["--firmware", "7.0.1", "--auth", "basic"]
    proc = subprocess.Popen(
        [*MODULE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 15
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the simulator did not get ready"
            time.sleep(0.05)
        yield proc, read_env(ready), tmp_path / "state"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_cli_serves_controls_and_stops(
    served: tuple[subprocess.Popen[str], dict[str, str], Path],
):
    proc, env, state = served
    assert read_env(state / "sonicha-sim.env") == env
    primary = f"https://{env['SONICHA_SIM_PRIMARY_HOST']}"
    http = requests.Session()
    login = http.post(
        f"{primary}/api/sonicos/auth",
        auth=(env["SONICHA_USERNAME"], env["SONICHA_PASSWORD"]),
        verify=env["SONICHA_CA_BUNDLE"],
        timeout=5,
    )
    assert login.status_code == 200  # --auth basic: Basic on the login, then the cookie

    def link(name: str) -> str:
        url = f"{primary}/api/sonicos/reporting/interfaces/ipv4/status"
        rows = http.get(url, verify=env["SONICHA_CA_BUNDLE"], timeout=5).json()
        (row,) = [r for r in rows if r["name"] == name]
        assert row["connected"] in ("true", "false")  # --firmware 7.0.1: strings (O70)
        return row["status"]

    assert (link("X4"), link("X5")) == ("1 Gbps Full Duplex", "No link")  # --link-down X5
    version = http.get(f"{primary}/api/sonicos/version", verify=env["SONICHA_CA_BUNDLE"], timeout=5)
    assert version.json()["firmware_version"] == "SonicOS 7.0.1-5145"

    ctl = subprocess.run(
        [*MODULE, "ctl", "--state-dir", str(state), "uncable", "X4"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert ctl.returncode == 0, ctl.stderr
    assert '"link_status": "No link"' in ctl.stdout
    assert link("X4") == "No link"

    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "serial 2CB8ED0A1B2C" in out and "model NSa 3700" in out
    assert env["SONICHA_PORTAL_URL"] in out and env["SONICHA_CA_BUNDLE"] in out
    # Passwords appear only in the export block meant for the user.
    for line in (out + err).splitlines():
        if DEFAULT_PASSWORD in line or DEFAULT_PORTAL_PASSWORD in line:
            assert line.startswith("export SONICHA_")


def test_ctl_without_a_running_simulator_explains(tmp_path: Path):
    ctl = subprocess.run(
        [*MODULE, "ctl", "--state-dir", str(tmp_path), "cable", "X4"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert ctl.returncode == 2
    assert "--url" in ctl.stderr
