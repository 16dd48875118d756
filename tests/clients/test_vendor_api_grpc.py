"""Issue 10 through the SDK's real provider host, driven over gRPC as the engine does.

The same items as tests/clients/test_vendor_api.py, end to end: what the engine receives
(outputs, errors, check failures) and what the provider host prints on stderr
(the progress lines the Pulumi CLI shows for a dynamic provider).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import DEFAULT_HA, Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

from ..conftest import appliance_config, configured_host

PAIR_URN = "urn:pulumi:dev::sonicha-test::pulumi-python:dynamic/sonicha:HaPair::pair"
LINK_URN = "urn:pulumi:dev::sonicha-test::pulumi-python:dynamic/sonicha:HaInterface::link"
PRIMARY_SERIAL = "2CB8ED0A1B2C"
API = "/api/sonicos"


def pair_program(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    return {
        "primary_host": sim.primary.host,
        "backup_serial": "2cb8ed0a9f00",
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        PROVIDER_KEY: provider_ref(HaPairProvider()),
        **overrides,
    }


def started(sim: Simulator, tmp_path: Path, **config: str) -> ProviderHost:
    return configured_host(
        tmp_path, {**appliance_config(sim), **config}, secret_keys={"sonicha:password"}
    )


def create_pair(host: ProviderHost, sim: Simulator, **overrides: Any) -> dict[str, Any]:
    checked = host.check(PAIR_URN, {}, pair_program(sim, **overrides))
    assert checked.failures == []
    return host.create(PAIR_URN, checked.inputs)[1]


@pytest.fixture
def host(sim: Simulator, tmp_path: Path) -> Iterator[ProviderHost]:
    with started(sim, tmp_path) as provider_host:
        yield provider_host


# -- 1. config mode -------------------------------------------------------------------------


def test_config_mode_over_grpc(host: ProviderHost, sim: Simulator):
    sim.primary.hold_session("alice")
    with pytest.raises(ProviderError) as caught:
        create_pair(host, sim)
    assert "administrator 'alice' (WEB from 192.0.2.10) is configuring" in str(caught.value)
    assert caught.value.method == "Create"
    assert sim.primary.writes() == []
    sim.primary.release_session()
    outs = create_pair(host, sim)
    # Reads while alice configures again: she is not disturbed.
    sim.primary.hold_session("alice")
    sim.primary.clear_requests()
    id_, read, _ = host.read(PAIR_URN, PRIMARY_SERIAL, outs, {})
    assert id_ == PRIMARY_SERIAL and read["synchronized"] is True
    assert sim.primary.writes() == [] and sim.primary._holder().admin == "alice"


def test_our_own_username_over_grpc(host: ProviderHost, sim: Simulator):
    sim.primary.hold_session(sim.username, kind="API", ip="127.0.0.1")
    with pytest.raises(ProviderError) as caught:
        create_pair(host, sim)
    assert "probably an interrupted earlier run of ours" in str(caught.value)
    assert "sonicha:overrideSession=true" in str(caught.value)


def test_override_session_over_grpc(sim: Simulator, tmp_path: Path):
    sim.primary.hold_session("alice")
    with started(sim, tmp_path, **{"sonicha:overrideSession": "true"}) as host:
        outs = create_pair(host, sim)
    assert outs["synchronized"] is True
    assert ("POST", f"{API}/config-mode") in [(r.method, r.path) for r in sim.primary.writes()]


# -- 2. authentication ------------------------------------------------------------------------


def test_digest_and_a_disabled_api_over_grpc(host: ProviderHost, sim: Simulator):
    create_pair(host, sim)
    logins = [
        r.status for r in sim.primary.requests if r.path == f"{API}/auth" and r.method == "POST"
    ]
    assert logins[:2] == [401, 200] and set(logins[2:]) <= {200}  # one challenge per host
    sim.backup.api_enabled = False
    checked = host.check(
        LINK_URN,
        {},
        {
            "primary_host": sim.primary.host,
            "backup_host": sim.backup.host,
            "interface": "X4",
            PROVIDER_KEY: provider_ref(HaInterfaceProvider()),
        },
    )
    with pytest.raises(ProviderError) as caught:
        host.create(LINK_URN, checked.inputs)
    assert "the SonicOS API is disabled on this unit" in str(caught.value)
    assert sim.backup.host in str(caught.value)


# -- 3 and 8. link status and interfaces, on 7.0.1 ---------------------------------------------


def test_link_and_interfaces_over_grpc_on_7_0_1(tmp_path: Path):
    with Simulator(sync_seconds=0, firmware="7.0.1") as sim:
        sim.primary.set_zone("X4", "LAN")
        sim.primary.add_vlan("X4", 40, zone="DMZ")
        with started(sim, tmp_path) as host:
            checked = host.check(
                LINK_URN,
                {},
                {
                    "primary_host": sim.primary.host,
                    "backup_host": sim.backup.host,
                    "interface": "X4",
                    "unassign_zone": True,
                    PROVIDER_KEY: provider_ref(HaInterfaceProvider()),
                },
            )
            id_, outs = host.create(LINK_URN, checked.inputs)
        assert id_ == f"{PRIMARY_SERIAL}/X4"
        assert (outs["primary_link"], outs["backup_link"]) == ("1 Gbps Full Duplex",) * 2
        assert outs["previous_zones"] == {"primary": "LAN"}
        assert sim.primary.zone("X4") == "Unassigned"
        assert sim.primary.interface("X4", vlan=40)["ip_assignment"] == {"zone": "DMZ"}


# -- 4. HA status, progress, no heartbeat ------------------------------------------------------


def test_progress_lines_reach_the_provider_hosts_stderr(tmp_path: Path):
    with Simulator(sync_seconds=0.6) as sim, started(sim, tmp_path) as host:
        outs = create_pair(host, sim, sync_timeout_s=60)
        assert (outs["ha_status"], outs["backup_state"]) == ("Primary Active", "STANDBY")
        deadline = time.monotonic() + 5
        while "Backup STANDBY" not in host.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        lines = [line for line in host.stderr_text().splitlines() if "HaPair on" in line]
    assert [line.split("Backup ")[1].split(" (")[0] for line in lines] == [
        "ELECTION",
        "SYNC",
        "STANDBY",
    ]
    assert all(line.startswith("pulumi-sonicha: HaPair on ") for line in lines)
    assert all(line.endswith("of 60 s)") for line in lines)


def test_no_heartbeat_fails_early_over_grpc(host: ProviderHost, sim: Simulator):
    """Smallest timers: 1 s x 4 + 3 s election delay = 7 s, 2 s margin: failure after ~9 s
    instead of the 600 s sync_timeout_s."""
    sim.uncable("X5")
    started_at = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        create_pair(
            host,
            sim,
            heartbeat_interval_ms=1000,
            failover_trigger_level=4,
            election_delay_s=3,
            sync_timeout_s=600,
        )
    elapsed = time.monotonic() - started_at
    assert 8.5 < elapsed < 60
    text = str(caught.value)
    assert "no heartbeat from the Backup (2CB8ED0A9F00) within 9 s" in text
    assert "1000 ms x 4 + election delay 3 s" in text
    assert "X5 is not cabled directly between the units" in text
    assert "The previous HA settings were restored." in text
    assert sim.primary.ha_settings() == DEFAULT_HA
    assert "Backup NONE" in host.stderr_text()


# -- 5, 6, 7, 9. whole objects, firmware, DPI, restart_required ---------------------------------


def test_whole_object_firmware_dpi_and_restart_required_over_grpc(tmp_path: Path):
    with Simulator(sync_seconds=0, firmware="7.0.1") as sim:
        sim.primary.set_ha_settings({"route_hold_down_time": {"value": 30}})
        with started(sim, tmp_path) as host:
            with pytest.raises(ProviderError) as caught:
                create_pair(host, sim, virtual_mac=True)
            assert "virtual_mac=true" in str(caught.value)
            assert "SonicOS 7.0.1-5145" in str(caught.value)
            assert sim.primary.writes() == []

            sim.primary.restart_required = "REBOOT"
            outs = create_pair(
                host,
                sim,
                mode="active-active-dpi",
                dpi_interface="X6",
                stateful_synchronization=False,
            )
            assert outs["restart_required"] == "REBOOT"
            assert outs["dpi_interface"] == "X6"
            ha = sim.primary.ha_settings()
            assert ha["route_hold_down_time"] == {"value": 30}  # kept (read-modify-write)
            assert ha["mode"]["active_active_dpi"]["dpi_interface"] == [
                {"id": 1, "interface": "X6"}
            ]
            assert "restart_required=REBOOT" in host.stderr_text()

            refused = host.check(
                PAIR_URN,
                {},
                pair_program(
                    sim,
                    mode="active-active-dpi",
                    dpi_interface="X6",
                    stateful_synchronization=True,
                ),
            )
            assert [p for p, _ in refused.failures] == ["stateful_synchronization"]
