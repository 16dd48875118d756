"""The simulator from the shell, as a user starts and steers it: free ports by default,
a clear error when a port asked for is taken (and the documented wait for it cannot
hang), and `ctl` finding the running simulator from anywhere."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from pulumi_sonicha.simulator.envfile import read_env_file

from ..harness.cli import harness

SIM = [sys.executable, "-m", "pulumi_sonicha.simulator"]
REPO = Path(__file__).resolve().parents[2]
# The start-up recipe of the docs: wait for the ready file, or stop waiting when the
# simulator has exited (its error is then on the terminal).
WAIT = 'while [ ! -e {ready} ]; do kill -0 $! 2>/dev/null || break; sleep 0.2; done'


def start(state: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*SIM, "--sync-seconds", "0", "--state-dir", str(state), "--ready-file",
         str(state / "ready")],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen[str], ready: Path) -> None:
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the simulator did not get ready"
        time.sleep(0.1)


def ctl(*words: str, cwd: Path, env: dict[str, str] | None = None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("SONICHA_")}
    return subprocess.run(
        [*SIM, "ctl", *words], cwd=cwd, env={**base, **(env or {})},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_a_port_that_is_taken_is_a_clear_error_and_the_wait_ends(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ready = tmp_path / "ready"
        script = (
            f"{' '.join(SIM)} --primary-port {port} --state-dir {tmp_path}"
            f" --ready-file {ready} &\n{WAIT.format(ready=ready)}\ntest -e {ready}\n"
        )
        started = time.monotonic()
        done = subprocess.run(
            ["sh", "-c", script], capture_output=True, text=True, timeout=60
        )
    assert time.monotonic() - started < 30  # the wait ended with the simulator
    assert done.returncode != 0 and not ready.exists()
    assert "Traceback" not in done.stderr
    assert (
        f"error: the simulator cannot start: 127.0.0.1:{port} (--primary-port) is taken"
        in done.stderr
    )
    assert "leave the ports out to get free ones" in done.stderr


def test_free_ports_by_default_and_ctl_finds_it_from_anywhere(tmp_path: Path) -> None:
    """Two simulators at once (no port given: no clash); `ctl` in another directory
    finds each by its env file, or by the variables of a shell that sourced it."""
    one, two = tmp_path / "one", tmp_path / "two"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    procs = [start(one), start(two)]
    try:
        for proc, state in zip(procs, (one, two), strict=True):
            wait_ready(proc, state / "ready")
        first, second = read_env_file(one), read_env_file(two)
        assert first["SONICHA_SIM_PRIMARY_HOST"] != second["SONICHA_SIM_PRIMARY_HOST"]

        by_file = ctl("show", "--env-file", str(one / "sonicha-sim.env"), cwd=elsewhere)
        assert by_file.returncode == 0, by_file.stderr
        assert f"Primary  {first['SONICHA_SIM_PRIMARY_HOST']}  serial" in by_file.stdout

        sourced = ctl("show", cwd=elsewhere, env=second)  # `. two/sonicha-sim.env` first
        assert sourced.returncode == 0, sourced.stderr
        assert f"Primary  {second['SONICHA_SIM_PRIMARY_HOST']}  serial" in sourced.stdout

        lost = ctl("show", cwd=elsewhere)
        assert lost.returncode == 2
        assert "no simulator found" in lost.stderr and "--env-file PATH" in lost.stderr
        assert "SONICHA_SIM_*" in lost.stderr
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def serve(state: Path, *flags: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`python -m pulumi_sonicha.simulator FLAGS` in the background, once ready: (process,
    the variables of its env file)."""
    proc = subprocess.Popen(
        [*SIM, "--sync-seconds", "0", "--state-dir", str(state), "--ready-file",
         str(state / "ready"), *flags],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_ready(proc, state / "ready")
    return proc, read_env_file(state)


def test_pairs_share_one_portal_each_with_its_own_serials(tmp_path: Path) -> None:
    proc, env = serve(tmp_path / "sim", "--pairs", "3", "--backup-firmware", "7.0.1")
    try:
        assert env["SONICHA_SIM_PAIRS"] == "3"
        serials = [
            env[f"SONICHA_SIM_{pair}{role}_SERIAL"]
            for pair in ("", "PAIR2_", "PAIR3_")
            for role in ("PRIMARY", "BACKUP")
        ]
        assert len(set(serials)) == 6
        third = ctl("show", "--pair", "3", cwd=tmp_path, env=env)
        assert third.returncode == 0, third.stderr
        assert f"Primary  {env['SONICHA_SIM_PAIR3_PRIMARY_HOST']}  serial {serials[4]}" in (
            third.stdout
        )
        assert "SonicOS 7.0.1" in third.stdout.split("\nBackup ")[1].split("\n")[0]
        portal = third.stdout.split("\nPortal ")[1]
        assert all(f"product      {serial}" in portal for serial in serials)  # one portal
        # One CA bundle reaches every pair's units.
        answer = requests.get(
            f"https://{env['SONICHA_SIM_PAIR3_BACKUP_HOST']}/api/sonicos/version",
            verify=env["SONICHA_CA_BUNDLE"],
            timeout=10,
        )
        assert answer.status_code == 401  # TLS trusted; the login is what is missing
        # The fleet example takes the pairs as the env file gives them.
        fleet = json.loads(env["SONICHA_SIM_PAIRS_JSON"])
        assert [pair["name"] for pair in fleet] == ["site-1", "site-2", "site-3"]
        plan = harness(
            "preview", "--config", f"ha:pairs={env['SONICHA_SIM_PAIRS_JSON']}",
            "--state", str(tmp_path / "fleet.json"), cwd=REPO / "examples" / "fleet", env=env,
        )  # fmt: skip
        assert plan.returncode == 0, plan.stdout + plan.stderr
        assert "site-3-pair  create" in plan.stdout
        # Two firmware releases never pair up: the Backup reports ERROR.
        settings = json.dumps(
            {"mode": {"active_standby": {"secondary_serial": serials[1],
                                         "control_interface": "X5"}}}  # fmt: skip
        )
        assert ctl("set-ha", settings, cwd=tmp_path, env=env).returncode == 0
        shown = ctl("show", cwd=tmp_path, env=env).stdout
        assert "backup_state ERROR" in shown.split("\nBackup ")[0]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_unit_down_or_hung_and_back_as_the_harness_sees_it(tmp_path: Path) -> None:
    """`ctl down backup`: the run fails naming the cause (not paired yet, so not the
    monitoring advice); `ctl up backup`: it runs; `ctl hang backup`: a read gives up
    after the timeout, in seconds; `ctl up`: answers again."""
    proc, env = serve(tmp_path / "sim")
    flags: list[str] = ["--state", str(tmp_path / "state.json")]
    for key, value in (
        ("t:primaryHost", env["SONICHA_SIM_PRIMARY_HOST"]),
        ("t:backupHost", env["SONICHA_SIM_BACKUP_HOST"]),
        ("t:backupSerial", env["SONICHA_SIM_BACKUP_SERIAL"]),
    ):
        flags += ["--config", f"{key}={value}"]
    sourced = {**env, "SONICHA_MAX_RETRIES": "0"}
    try:
        assert ctl("down", "backup", cwd=tmp_path, env=env).returncode == 0
        shown = ctl("show", cwd=tmp_path, env=env).stdout
        assert "outage       down (`ctl up backup` answers again)" in shown
        down = harness("up", *flags, env=sourced)
        assert down.returncode == 1
        assert "HA is off at the Primary, so the Backup is not paired" in down.stderr

        assert ctl("up", "backup", cwd=tmp_path, env=env).returncode == 0
        up = harness("up", *flags, env=sourced)
        assert up.returncode == 0, up.stdout + up.stderr

        assert ctl("hang", "backup", cwd=tmp_path, env=env).returncode == 0
        hung = harness("refresh", *flags, env={**sourced, "SONICHA_TIMEOUT": "1"})
        assert hung.returncode == 1
        assert "no answer within 1 seconds (sonicha:timeout)" in hung.stderr
        assert ctl("up", "backup", cwd=tmp_path, env=env).returncode == 0
        again = harness("preview", "--refresh", "--expect-no-changes", *flags, env=sourced)
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        proc.terminate()
        proc.wait(timeout=30)
