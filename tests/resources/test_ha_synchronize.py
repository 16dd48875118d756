"""HaSynchronize provider methods against a simulated pair: the Backup reboots into a
fresh sync, the wait follows it, and a pair that cannot be synchronized is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.errors import HaWaitTimeoutError, PairNotReadyError
from pulumi_sonicha.providers.ha_synchronize import HaSynchronizeProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for
from ..paired import hosts, paired_sim

SYNC = "/api/sonicos/high-availability/synchronize/"


@pytest.fixture
def pair() -> Iterator[Simulator]:
    with paired_sim() as simulator:
        yield simulator


@pytest.fixture
def provider(pair: Simulator) -> HaSynchronizeProvider:
    return provider_with(HaSynchronizeProvider, settings_for(pair, max_retries=0))


def checked(provider: HaSynchronizeProvider, sim: Simulator, **declared: Any) -> dict[str, Any]:
    at = hosts(sim)
    news = {"primary_host": at["primary_host"], "backup_host": at["backup_host"], **declared}
    result = provider.check({}, news)
    assert [f.reason for f in result.failures] == []
    return result.inputs


def syncs(sim: Simulator) -> list[str]:
    return [r.path.removeprefix(SYNC) for r in sim.primary.requests if r.path.startswith(SYNC)]


def test_check_sends_nothing_and_knows_what_can_be_synchronized(provider, pair):
    pair.primary.clear_requests()
    assert checked(provider, pair, what="Firmware")["what"] == "firmware"
    bad = provider.check({}, {**hosts(pair), "what": "zones"}).failures
    assert [f.property for f in bad] == ["what", "pair_host"]  # pair_host is HaFailover's
    assert pair.primary.requests == []


def test_create_synchronizes_and_follows_the_backup_through_its_reboot(provider, pair, capfd):
    outs = provider.create(checked(provider, pair)).outs
    assert syncs(pair) == ["settings"]
    assert outs["states_after"] == {"primary": "ACTIVE", "backup": "STANDBY"}
    assert 0.5 <= outs["sync_seconds"] < 10 and outs["synchronized_at"].endswith("Z")
    assert outs["backup_serial"] == pair.backup.serial
    assert outs["sync_result"] == f"the settings synchronized in {outs['sync_seconds']} s"
    err = capfd.readouterr().err
    assert "Backup REBOOT" in err and "the Backup answers at backup_host" in err
    assert pair.primary.ha_status()["secondary_state"] == "STANDBY"


def test_a_new_trigger_synchronizes_again_and_nothing_else_does(provider, pair):
    inputs = checked(provider, pair, trigger="1")
    outs = provider.create(inputs).outs
    pair.primary.clear_requests(), pair.backup.clear_requests()
    same = provider.update(outs["primary_serial"], outs, {**inputs, "what": "firmware"})
    read = provider.read(outs["primary_serial"], same.outs)
    assert read.inputs == provider.inputs_of(same.outs)
    assert pair.primary.requests == [] and pair.backup.requests == []
    again = provider.update(outs["primary_serial"], same.outs, {**inputs, "trigger": "2"})
    assert syncs(pair) == ["settings"] and again.outs["trigger"] == "2"
    provider.delete(outs["primary_serial"], again.outs)
    assert syncs(pair) == ["settings"]


def test_a_backup_without_heartbeat_is_refused_before_anything_is_sent(provider, pair):
    pair.backup.control("power-off", {})
    with pytest.raises(PairNotReadyError) as caught:
        provider.create(checked(provider, pair, backup_host=None))
    assert "sending no heartbeat" in str(caught.value) and "nothing was done" in str(caught.value)
    assert syncs(pair) == []


def test_a_standby_primary_is_refused(provider, pair):
    pair.primary.control("failover", {})
    with pytest.raises(PairNotReadyError, match="asked of the Active unit"):
        provider.create(checked(provider, pair))
    assert syncs(pair) == []


def test_a_backup_that_does_not_come_back_in_time_is_reported_where_it_stands():
    with paired_sim(reboot_seconds=30) as sim:
        provider = provider_with(HaSynchronizeProvider, settings_for(sim, max_retries=0))
        with pytest.raises(HaWaitTimeoutError) as caught:
            provider.create(checked(provider, sim, max_seconds=1.0))
        text = str(caught.value)
        assert "waiting until the Backup is STANDBY again" in text
        assert "says Primary Active (Primary ACTIVE, Backup REBOOT)" in text
        assert "the Backup 127.0.0.2" in text and "did not answer" in text
