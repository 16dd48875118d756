"""The simulator from the shell, as a user starts and steers it: free ports by default,
a clear error when a port asked for is taken (and the documented wait for it cannot
hang), and `ctl` finding the running simulator from anywhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from pulumi_sonicha.simulator.envfile import read_env_file

SIM = [sys.executable, "-m", "pulumi_sonicha.simulator"]
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
