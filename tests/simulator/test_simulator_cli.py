"""`python -m pulumi_sonicha.simulator` as a user runs it: serve, source the env, ctl, stop."""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import trustme

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


def ctl(state: Path, *words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MODULE, "ctl", "--state-dir", str(state), *words],
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_ctl_with_a_stopped_simulator_asks_whether_it_is_running(tmp_path: Path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    (tmp_path / "sonicha-sim.env").write_text(
        f"export SONICHA_SIM_PRIMARY_HOST=127.0.0.1:{port}\n"
        f"export SONICHA_CA_BUNDLE={tmp_path / 'ca.pem'}\n"
    )
    gone = ctl(tmp_path, "cable", "X4")  # the env file of a simulator whose CA was removed
    assert gone.returncode == 2 and "is the simulator running?" in gone.stderr
    assert "Traceback" not in gone.stderr
    trustme.CA().cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    done = ctl(tmp_path, "cable", "X4")
    assert done.returncode == 1
    assert f"cannot reach the simulator's primary at https://127.0.0.1:{port}" in done.stderr
    assert "is the simulator running?" in done.stderr
    assert "python -m pulumi_sonicha.simulator &" in done.stderr
    missing = ctl(tmp_path / "elsewhere", "show")
    assert missing.returncode == 2 and "Is the simulator running?" in missing.stderr


def test_ctl_takes_arguments_as_typed_and_acts_on_the_unit_named(
    served: tuple[subprocess.Popen[str], dict[str, str], Path],
):
    _, _, state = served
    forms = [
        ("set-zone", "X6", "DMZ"),
        ("set-zone", "--interface", "X7", "--zone=WLAN", "--unit", "backup"),
        ("--unit", "backup", "set-zone", '{"interface": "X3", "zone": "Unassigned"}'),
    ]
    for words in forms:
        done = ctl(state, *words)
        assert done.returncode == 0, done.stderr
    show = ctl(state, "show", "--json")
    assert show.returncode == 0, show.stderr
    views = json.loads(show.stdout)
    zones = {
        unit: {i["name"]: i["zone"] for i in views[unit]["interfaces"]}
        for unit in ("primary", "backup")
    }
    assert zones["primary"]["X6"] == "DMZ" and zones["backup"]["X6"] == "Unassigned"
    assert zones["backup"]["X7"] == "WLAN" and zones["primary"]["X7"] == "Unassigned"
    assert zones["backup"]["X3"] == "Unassigned" and zones["primary"]["X3"] == "LAN"
    assert views["backup"]["model"] == "NSa 3700"  # the served fixture's --backup-model

    bad = ctl(state, "set-zone", "X4")
    assert bad.returncode == 2 and "missing ZONE; usage: ctl set-zone INTERFACE ZONE" in bad.stderr
    refused = ctl(state, "set-ha", '{"heartbeat_interval": 50}')
    assert refused.returncode == 1 and "heartbeat_interval" in refused.stderr


def test_ctl_show_reports_ha_session_and_association(
    served: tuple[subprocess.Popen[str], dict[str, str], Path],
):
    _, env, state = served
    settings = {
        "mode": {"active_standby": {"secondary_serial": "2CB8ED0A9F00", "control_interface": "X4"}}
    }
    assert ctl(state, "set-ha", json.dumps(settings)).returncode == 0
    assert ctl(state, "hold-session", "netadmin", "--unit", "backup").returncode == 0
    show = ctl(state, "show")
    assert show.returncode == 0, show.stderr
    out = show.stdout
    primary, backup = out.split("\nBackup ")[0], out.split("\nBackup ")[1].split("\nPortal ")[0]
    assert f"Primary  {env['SONICHA_SIM_PRIMARY_HOST']}  serial 2CB8ED0A1B2C" in primary
    # In the inputs' words: what HaPair would read back from the unit.
    assert "HaPair       mode active-standby, backup_serial 2CB8ED0A9F00, control_interface" \
        " X4, stateful_synchronization false, preempt false" in primary
    assert "heartbeat_interval_ms 1000, failover_trigger_level 5, probe_interval_s 20" in primary
    assert "HA status    ha_status " in primary and "synchronized false" in primary
    assert "HaMonitoring X0: primary_ip 127.0.0.1, backup_ip 127.0.0.2," in primary
    for api_word in ("secondary_serial 2CB8", "heartbeat_interval 1000", "election_delay_time"):
        assert api_word not in primary + backup  # (LicenseAssociation names secondary_serial)
    assert "session      none" in primary
    assert re.search(
        r"session      administrator \(not the API\) 'netadmin' from WEB [\d.]+, config mode\n",
        backup,
    )
    assert "X5 Unassigned  X6" in primary  # --link-down X5: no "(link)"
    assert "association  assoc-5555b666  primary_serial 2CB8ED0A5555, secondary_serial" in out


def test_ctl_portal_actions_change_what_the_api_answers(
    served: tuple[subprocess.Popen[str], dict[str, str], Path],
):
    _, env, state = served
    portal = env["SONICHA_PORTAL_URL"]
    ca = env["SONICHA_CA_BUNDLE"]

    def api(method: str, path: str, **kw):
        login = requests.post(
            f"{portal}/api/v1/auth/login",
            json={
                "username": env["SONICHA_PORTAL_USERNAME"],
                "password": env["SONICHA_PORTAL_PASSWORD"],
            },
            verify=ca,
            timeout=5,
        )
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        url = f"{portal}{path}"
        return requests.request(method, url, headers=headers, verify=ca, timeout=5, **kw)

    assert ctl(state, "dissociate", "2CB8ED0A6666").returncode == 0
    listed = api("GET", "/api/v1/ha-associations", params={"serial": "2CB8ED0A5555"})
    assert listed.json() == {"associations": []}
    assert ctl(state, "unregister", "2CB8ED0A6666").returncode == 0
    made = api(
        "POST",
        "/api/v1/ha-associations",
        json={"primary_serial": "2CB8ED0A5555", "secondary_serial": "2CB8ED0A6666"},
    )
    assert made.status_code == 404 and made.json()["error"]["code"] == "PRODUCT_NOT_REGISTERED"
    assert ctl(state, "register", "2CB8-ED0A-6666").returncode == 0
    assert ctl(state, "rate-limit", "1", "--retry-after", "7").returncode == 0
    limited = requests.get(f"{portal}/api/v1/products", verify=ca, timeout=5)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert ctl(state, "associations").returncode == 0
    wrong = ctl(state, "associations", "--unit", "backup")
    assert wrong.returncode == 2 and "acts on the portal" in wrong.stderr
