"""The simulated pair fails over, synchronizes and restarts as the vendor's units do.

The vendor's HA actions (O70/O72: `force-failover`, `synchronize/settings|firmware`,
`restart`) driven through our own client, and the pair seen from each unit's own
address and from the pair's: the Active unit answers the pair's addresses, each
unit its own monitoring address, a rebooting unit nothing. Timings are short here
(failover 0.3 s, reboot 0.6 s).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from pulumi_sonicha.errors import ApplianceError, ApplianceUnreachableError
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.sonicos import SonicOSClient

from ..conftest import settings_for
from ..paired import hosts, pair_up, paired_sim


@pytest.fixture
def pair() -> Iterator[Simulator]:
    with paired_sim() as simulator:
        yield simulator


def serial_at(settings: Settings, host: str) -> str:
    with SonicOSClient(host, settings).session() as unit:
        return unit.system().serial


def status_at(settings: Settings, host: str) -> str:
    with SonicOSClient(host, settings).session() as unit:
        return unit.ha_view().status


def until(check, timeout: float = 5.0):  # noqa: ANN001, ANN201 - a small poll helper
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_each_unit_names_itself_and_the_pair_address_answers_on_the_active_one(pair):
    settings, at = settings_for(pair), hosts(pair)
    assert status_at(settings, at["primary_host"]) == "Primary Active"
    assert status_at(settings, at["backup_host"]) == "Secondary Standby"
    assert serial_at(settings, at["pair_host"]) == pair.primary.serial

    with SonicOSClient(at["primary_host"], settings).session() as unit:
        unit.force_failover()
        seen = unit.ha_view()
    # At once: the Backup is Active, the Primary resynchronizes before it is Standby.
    assert (seen.status, seen.describe()) == (
        "Primary not in a steady state",
        "Primary SYNC, Backup ACTIVE",
    )
    assert serial_at(settings, at["pair_host"]) == pair.backup.serial  # the address moved
    assert until(lambda: status_at(settings, at["primary_host"]) == "Primary Standby")
    assert status_at(settings, at["backup_host"]) == "Secondary Active"
    assert serial_at(settings, at["primary_host"]) == pair.primary.serial  # its own stays
    assert pair.backup.answers("127.0.0.1") and not pair.primary.answers("127.0.0.1")

    with SonicOSClient(at["backup_host"], settings).session() as unit:
        unit.force_failover()  # back, asked of the unit Active now
    assert until(lambda: status_at(settings, at["primary_host"]) == "Primary Active")
    assert serial_at(settings, at["pair_host"]) == pair.primary.serial
    assert pair.roles.failovers == 2


def test_only_the_active_unit_fails_over_and_only_in_config_mode(pair):
    settings, at = settings_for(pair), hosts(pair)
    with SonicOSClient(at["backup_host"], settings).session() as unit:
        with pytest.raises(ApplianceError) as caught:
            unit.force_failover()
    assert caught.value.status == 400 and "only the Active unit" in str(caught.value)
    with SonicOSClient(at["primary_host"], settings).session() as unit:
        with pytest.raises(ApplianceError) as caught:
            unit._call("POST", "/high-availability/force-failover", {})  # no config mode
    assert caught.value.status == 403
    assert pair.primary.ha_status()["primary_state"] == "ACTIVE"


def test_a_standby_primary_takes_no_configuration(pair):
    settings, at = settings_for(pair), hosts(pair)
    pair.primary.fail_over()
    until(lambda: pair.primary.ha_status()["primary_state"] == "STANDBY")
    with SonicOSClient(at["primary_host"], settings).session() as unit:
        entry = unit.ha_monitoring("X1")
        with pytest.raises(ApplianceError) as caught:
            unit.put_ha_monitoring({**entry, "link_monitoring": True})
    assert caught.value.status == 403 and caught.value.code == "E_HA_STANDBY"
    assert "the pair has failed over and the Backup is Active: fail back first" in str(caught.value)


def test_preempt_gives_active_back_to_the_primary():
    with paired_sim(preempt=True) as sim:
        sim.primary.fail_over()
        assert sim.backup.ha_status()["status"] == "Secondary Active"
        assert until(lambda: sim.primary.ha_status()["status"] == "Primary Active")
        assert until(lambda: sim.backup.ha_status()["status"] == "Secondary Standby")


@pytest.mark.parametrize("what", ["settings", "firmware"])
def test_synchronize_reboots_the_backup_which_comes_back_standby(what):
    with paired_sim(firmware="7.2") as sim:
        settings, at = settings_for(sim, max_retries=0), hosts(sim)
        if what == "firmware":
            sim.backup.fw = sim.primary.fw.__class__(**{**vars(sim.primary.fw)})
        with SonicOSClient(at["primary_host"], settings).session() as unit:
            unit.synchronize(what)
            assert unit.ha_view().describe() == "Primary ACTIVE, Backup REBOOT"
        with pytest.raises(ApplianceUnreachableError):
            serial_at(settings, at["backup_host"])  # gone while it reboots
        assert sim.backup.answering_ips() == []
        assert until(lambda: sim.primary.ha_status()["secondary_state"] == "STANDBY")
        assert status_at(settings, at["backup_host"]) == "Secondary Standby"
        assert sim.backup.firmware == sim.primary.firmware


def test_restart_of_the_active_primary_hands_active_to_the_backup(pair):
    settings, at = settings_for(pair, max_retries=0), hosts(pair)
    with SonicOSClient(at["primary_host"], settings).session() as unit:
        unit.restart()
    assert pair.backup.ha_status()["status"] == "Secondary Active"
    assert pair.backup.ha_status()["primary_state"] == "REBOOT"
    assert serial_at(settings, at["pair_host"]) == pair.backup.serial
    with pytest.raises(ApplianceUnreachableError):
        serial_at(settings, at["primary_host"])
    # Back (no preempt): Standby, the Backup stays Active.
    assert until(lambda: pair.primary.ha_status()["status"] == "Primary Standby")
    assert status_at(settings, at["primary_host"]) == "Primary Standby"


def test_actions_need_ha_on():
    with Simulator(sync_seconds=0) as sim:
        with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
            for act in (unit.force_failover, lambda: unit.synchronize("settings")):
                with pytest.raises(ApplianceError) as caught:
                    act()
                assert caught.value.status == 400
                assert "not enabled" in str(caught.value)


def test_a_unit_switched_off_sends_no_heartbeat_and_its_peer_takes_over(pair):
    settings, at = settings_for(pair, max_retries=0), hosts(pair)
    pair.primary.control("power-off", {})
    assert pair.backup.ha_status() | {"active_up_time": ""} == {
        "status": "Secondary Active",
        "primary_state": "NONE",
        "secondary_state": "ACTIVE",
        "active_up_time": "",
    }
    with pytest.raises(ApplianceUnreachableError):
        serial_at(settings, at["primary_host"])
    assert serial_at(settings, at["pair_host"]) == pair.backup.serial
    pair.primary.control("power-on", {})
    assert until(lambda: pair.backup.ha_status()["primary_state"] == "STANDBY")


def test_controls_fail_over_by_itself_and_reboot(pair):
    assert pair.backup.control("failover", {}) == {"active": "backup"}
    assert pair.primary.ha_status()["secondary_state"] == "ACTIVE"
    with pytest.raises(ValueError, match="not synchronized"):
        pair.backup.control("failover", {})  # the Primary still resynchronizes
    pair.backup.control("reboot", {"seconds": 0.2})
    assert pair.primary.ha_status()["secondary_state"] == "REBOOT"
    assert pair.primary.ha_status()["primary_state"] == "ACTIVE"  # took over at once


@pytest.mark.nonconforming_requests  # 7.0.1 has no /restart-sonicos: asked on purpose
def test_restart_sonicos_exists_on_72_only():
    for firmware, status in (("7.2", 200), ("7.0.1", 404)):
        with Simulator(sync_seconds=0, firmware=firmware, reboot_seconds=0.1) as sim:
            pair_up(sim)
            with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
                unit.take_config_mode()
                response = unit._send("POST", "/restart-sonicos", json={})
            assert response.status_code == status, firmware
