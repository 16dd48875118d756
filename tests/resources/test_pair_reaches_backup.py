"""No successful HaPair apply leaves the Backup unreachable where the stack reaches it,
and the Backup's lock is not held while the pair synchronizes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.errors import ApplianceError
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.sonicos import SonicOSClient

from ..conftest import provider_with, settings_for


@pytest.fixture
def bare() -> Iterator[Simulator]:
    """Units nobody set HA monitoring on: the Backup at its own address, 127.0.0.2."""
    with Simulator(sync_seconds=0.0, monitoring=False) as simulator:
        yield simulator


def monitor_x0(sim: Simulator, backup_ip: str) -> None:
    provider = provider_with(HaMonitoringProvider, settings_for(sim))
    provider.create(provider.check({}, {"primary_host": sim.primary.host, "interface": "X0",
                                        "primary_ip": sim.primary_ip,
                                        "backup_ip": backup_ip}).inputs)  # fmt: skip


def pair_inputs(provider: HaPairProvider, sim: Simulator, **extra: Any) -> dict[str, Any]:
    news = {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
            "backup_serial": sim.backup.serial, "control_interface": "X5", **extra}  # fmt: skip
    return provider.check({}, news).inputs


def test_a_pair_whose_backup_answers_elsewhere_once_synchronized_fails_with_the_fix(
    bare: Simulator,
):
    """The Backup's monitoring address (127.0.0.3) is not the address the stack uses for it
    (backup_host, 127.0.0.2): once paired it answers only at 127.0.0.3."""
    sim = bare
    monitor_x0(sim, "127.0.0.3")
    provider = provider_with(HaPairProvider, settings_for(sim, max_retries=0))
    with pytest.raises(ApplianceError) as caught:
        provider.create(pair_inputs(provider, sim))
    text = str(caught.value)
    assert text.startswith(f"{sim.backup.host} (serial {sim.backup.serial}): ")
    assert "the pair is synchronized, but the Backup does not answer at backup_host" in text
    assert (
        "declare an HaMonitoring with allow_management=True whose backup_ip is the address"
        f" used as backup_host ({sim.backup_ip})"
    ) in text
    assert "HA stays on" in text


def test_a_pair_whose_backup_answers_at_backup_host_succeeds_after_one_check(bare: Simulator):
    sim = bare
    monitor_x0(sim, sim.backup_ip)  # the documented procedure: backup_ip is backup_host
    provider = provider_with(HaPairProvider, settings_for(sim))
    sim.backup.clear_requests()
    created = provider.create(pair_inputs(provider, sim))
    assert created.outs["synchronized"] is True
    versions = [r for r in sim.backup.requests if r.path == "/api/sonicos/version"]
    assert len(versions) == 2  # before writing, and once synchronized


def test_an_update_that_changes_nothing_about_the_backup_does_not_ask_it(sim: Simulator):
    provider = provider_with(HaPairProvider, settings_for(sim))
    inputs = pair_inputs(provider, sim)
    created = provider.create(inputs)
    sim.backup.clear_requests()
    provider.update(created.id, created.outs, {**inputs, "preempt": True})
    assert sim.backup.requests == []


def test_the_backups_lock_is_not_held_during_the_sync_wait() -> None:
    with Simulator(sync_seconds=4.0) as sim:
        provider = provider_with(HaPairProvider, settings_for(sim))
        inputs = pair_inputs(provider, sim, sync_timeout_s=30)
        thread = threading.Thread(target=provider.create, args=(inputs,), daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not any(r.method == "DELETE" for r in sim.backup.requests):  # checked, out
            assert time.monotonic() < deadline
            time.sleep(0.02)
        with SonicOSClient(sim.backup.host, settings_for(sim)).session() as backup:
            assert backup.system().serial == sim.backup.serial
            waiting = thread.is_alive()
        thread.join(30)
        assert waiting, "the Backup's session waited for the whole sync"


def test_a_new_backup_host_that_does_not_reach_the_backup_fails_the_update(sim: Simulator):
    provider = provider_with(HaPairProvider, settings_for(sim, max_retries=0))
    inputs = pair_inputs(provider, sim)
    created = provider.create(inputs)
    sim.primary.clear_requests()
    with pytest.raises(ApplianceError) as caught:  # the Primary's address, as a typo
        provider.update(created.id, created.outs, {**inputs, "backup_host": sim.primary.host})
    assert f"answers with serial {sim.primary.serial}, not the Backup" in str(caught.value)
    assert sim.primary.writes() == []
