"""From the shell, as the failover drills guide shows it: a pair fails over by itself,
a unit reboots or is lost, and `ctl show` says where each unit stands."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_simulator_cli import MODULE

HA_ON = {
    "mode": {
        "active_standby": {
            "primary_serial": "2CB8ED0A1B2C",
            "secondary_serial": "2CB8ED0A9F00",
            "control_interface": "X5",
            "data_interface": "X4",
            "stateful_synchronization": True,
            "preempt": False,
            "virtual_mac": False,
            "encryption": False,
        }
    }
}


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    ready, state = tmp_path / "ready.env", tmp_path / "state"
    args = ["--primary-port", "0", "--backup-port", "0", "--portal-port", "0"]
    args += ["--sync-seconds", "0", "--failover-seconds", "0.2", "--reboot-seconds", "0.5"]
    args += ["--state-dir", str(state), "--ready-file", str(ready)]
    proc = subprocess.Popen(
        [*MODULE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 15
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "the simulator did not get ready"
            time.sleep(0.05)
        yield state
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def ctl(state: Path, *words: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*MODULE, "ctl", "--state-dir", str(state), *words],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done


def states(state: Path) -> tuple[str, str]:
    views = json.loads(ctl(state, "show", "--json").stdout)
    return views["primary"]["ha_status"]["status"], views["backup"]["ha_status"]["status"]


def eventually(check, timeout: float = 5.0) -> bool:  # noqa: ANN001 - a predicate
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_ctl_failover_reboot_and_power(state: Path) -> None:
    assert ctl(state, "set-ha", json.dumps(HA_ON)).returncode == 0
    assert eventually(lambda: states(state) == ("Primary Active", "Secondary Standby"))

    done = ctl(state, "failover")
    assert done.returncode == 0, done.stderr
    assert eventually(lambda: states(state) == ("Primary Standby", "Secondary Active"))

    assert ctl(state, "reboot", "--unit", "backup", "--seconds", "0.5").returncode == 0
    assert eventually(lambda: states(state)[0] == "Primary Active")  # took over at once
    assert eventually(lambda: states(state)[1] == "Secondary Standby")

    assert ctl(state, "power-off", "--unit", "backup").returncode == 0
    view = json.loads(ctl(state, "show", "--json").stdout)
    assert view["primary"]["ha_status"]["secondary_state"] == "NONE"
    assert ctl(state, "power-on", "--unit", "backup").returncode == 0
    assert eventually(lambda: states(state)[1] == "Secondary Standby")
