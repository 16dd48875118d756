"""The README's first command: simulator + root project, through the harness or a CLI."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def root_project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(REPO / "examples" / "complete-pair", project / "examples" / "complete-pair")
    shutil.copy(REPO / "Pulumi.yaml", project / "Pulumi.yaml")
    return project


def run_quickstart(project: Path, *args: str, env: dict[str, str] | None = None):
    env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.quickstart", "--project", str(project), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_quickstart_applies_the_root_project_through_the_harness(tmp_path: Path):
    project = root_project_copy(tmp_path)
    done = run_quickstart(project, "--harness", "--sync-seconds", "0")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for line in (
        "create   HaInterface          control-link",
        "create   HaInterface          data-link",
        "create   HaPair               pair",
        "create   LicenseAssociation   licenses",
        "no changes, no drift",
    ):
        assert line in out
    assert '"synchronized": true' in out and '"ha_status": "Primary Active"' in out
    state = json.loads((project / ".sonicha-state" / "quickstart.json").read_text())
    assert "sim-Passw0rd!" not in json.dumps(state) and "sim-Passw0rd!" not in out


FAKE_PULUMI = """#!/bin/sh
# Records each call (argv, and stdin for secrets) instead of running the Pulumi CLI.
{
  printf '%s\\n' "$*"
  if [ "$2" = "set" ] && [ "$3" = "--secret" ]; then printf 'stdin:'; cat; printf '\\n'; fi
} >> "$FAKE_PULUMI_LOG"
"""


def test_quickstart_drives_the_pulumi_cli_when_one_is_installed(tmp_path: Path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "pulumi"
    fake.write_text(FAKE_PULUMI)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    project = root_project_copy(tmp_path)
    env = {"FAKE_PULUMI_LOG": str(log), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = run_quickstart(project, "--sync-seconds", "0", env=env)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    commands = [c.split(" --cwd")[0] for c in calls if not c.startswith("stdin:")]
    assert commands[0] == "stack select --create quickstart --non-interactive"
    assert "up --yes --non-interactive --stack quickstart" in commands
    assert commands[-1] == (
        "preview --refresh --expect-no-changes --non-interactive --stack quickstart"
    )
    # Secrets go through stdin, never the command line (process lists show argv).
    assert "config set --secret sonicha:password --stack quickstart" in commands
    assert "stdin:sim-Passw0rd!" in calls
    assert not any("sim-Passw0rd!" in c for c in commands)
    assert "sim-Passw0rd!" not in done.stdout


def test_quickstart_outside_a_project_says_to_use_project(tmp_path: Path):
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.quickstart", "--harness"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert f"no Pulumi project in {tmp_path}" in done.stderr
    assert "--project /path/to/pulumi-sonicha" in done.stderr
    assert not (tmp_path / ".sonicha-state").exists()


def test_keep_running_prints_exports_writes_the_env_file_and_ctl_reaches_it(tmp_path: Path):
    """Also with SONICHA_INSECURE=true: the harness run says TLS verification is off."""
    project = root_project_copy(tmp_path)
    ready = tmp_path / "ready.env"
    env = {**os.environ, "SONICHA_INSECURE": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_sonicha.quickstart", "--project", str(project)]
        + ["--harness", "--sync-seconds", "0", "--keep-running", "--ready-file", str(ready)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the quickstart did not get ready"
            time.sleep(0.1)
        env_file = tmp_path / ".sonicha-sim" / "sonicha-sim.env"
        assert env_file.read_text() == ready.read_text()
        # The drift check it prints runs as printed, in a shell that sourced the env file.
        assert proc.stdout is not None
        head: list[str] = []
        for line in iter(proc.stdout.readline, ""):
            head.append(line)
            if head[-2:-1] and head[-2].startswith("   drift check (in a shell that ran"):
                break
        check = head[-1].strip()
        assert check.startswith("python -m pulumi_sonicha.testing preview --refresh")
        assert "--stack quickstart" in check
        shell = f". .sonicha-sim/sonicha-sim.env && {sys.executable} {check.split(' ', 1)[1]}"
        clean = subprocess.run(
            ["sh", "-c", shell], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "Stack sonicwall-ha/quickstart" in clean.stdout
        by_hand = subprocess.run(
            [sys.executable, "-m", "pulumi_sonicha.simulator", "ctl", "set-zone", "X4", "DMZ"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert by_hand.returncode == 0, by_hand.stderr
        drifted = subprocess.run(
            ["sh", "-c", shell], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert drifted.returncode == 2, drifted.stdout + drifted.stderr
        assert "data-link [drift: primary_zone" in drifted.stdout
        assert "export SONICHA_SIM_PRIMARY_HOST=" in ready.read_text()
        show = subprocess.run(
            [sys.executable, "-m", "pulumi_sonicha.simulator", "ctl", "show"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert show.returncode == 0, show.stderr
        assert "HA status    ha_status Primary Active" in show.stdout
        assert "primary_serial 2CB8ED0A1B2C, secondary_serial 2CB8ED0A9F00 (HA Secondary)," \
            " status ASSOCIATED" in show.stdout
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        out = "".join(head) + out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "export SONICHA_CA_BUNDLE=" in out and "ctl show" in out
    assert not env_file.exists() and not ready.exists()  # nothing points at a stopped simulator
    assert err.count("TLS certificate verification is OFF for https://127.0.0.") == 3
