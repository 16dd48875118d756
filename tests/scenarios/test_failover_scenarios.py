"""Failover drills and synchronizations as whole plans, through the SDK's provider host.

Each scenario runs a program with the lifecycle harness (`Lifecycle`: the program under
the SDK's mocks, every resource through `python -m pulumi.dynamic` over gRPC) against a
simulated pair that is already paired (tests/paired.py): a quarterly drill and the drift
alert after a pair failed over by itself; a drill interrupted by Ctrl-C, on a pair that
is not synchronized, or losing a unit; HaFailover destroyed; and what HaPair does when
its primary_host is the pair's address and the Backup is Active.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.errors import FailedOverError
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing import Lifecycle, LifecycleError

from ..conftest import provider_with, settings_for
from ..paired import BACKUP_OWN_IP, PRIMARY_OWN_IP, hosts, paired_sim
from .test_lifecycle_scenarios import ha_stack, no_session_left

STACK = Path(__file__).parent.parent / "fixtures" / "failover_stack"
FAILOVER = "/api/sonicos/high-availability/force-failover"


def failover_stack(tmp_path: Path, sim: Simulator, **t: Any) -> Lifecycle:
    at = hosts(sim)
    config: dict[str, Any] = {
        "sonicha:username": sim.username,
        "sonicha:password": sim.password,
        "sonicha:caBundle": sim.ca_path,
        "sonicha:timeout": "5",
        "sonicha:maxRetries": "0",
        "t:primaryHost": at["primary_host"],
        "t:backupHost": at["backup_host"],
        "t:pairHost": at["pair_host"],
        "t:maxSeconds": "20",
    }
    config.update({f"t:{key}": str(value) for key, value in t.items()})
    return Lifecycle(
        STACK, config=config, secret_keys={"sonicha:password"}, state_file=tmp_path / "state.json"
    )


def failovers(sim: Simulator) -> int:
    return sum(1 for unit in (sim.primary, sim.backup) for r in unit.requests if r.path == FAILOVER)


def settled(sim: Simulator, primary: str, backup: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = sim.primary.ha_status()
        if (status["primary_state"], status["secondary_state"]) == (primary, backup):
            return True
        time.sleep(0.05)
    return False


def test_quarterly_drill_then_the_drift_alert_and_up_moves_it_back(tmp_path: Path) -> None:
    with paired_sim() as sim:
        stack = failover_stack(tmp_path, sim, active="primary", drill="2026-Q1", sync="true")
        result = stack.up()
        assert result.outputs["activeUnit"] == "primary"
        assert result.outputs["drillResult"].startswith("passed: failed over to the Backup")
        assert result.outputs["syncSeconds"] > 0
        assert stack.preview(refresh=True).has_changes is False  # nothing moved since
        assert not stack.up().has_changes  # the same drill value: no drill

        sim.primary.control("failover", {})  # the pair fails over by itself
        assert settled(sim, "STANDBY", "ACTIVE")
        alert = stack.preview(refresh=True)
        assert alert.ops_for("site-failover")[-1] == "update", alert.steps
        assert "the Backup has been Active since" in "\n".join(alert.diagnostics)
        assert alert.ops_for("site-sync")[-1] == "same"  # a sync never drifts

        before = failovers(sim)
        moved = stack.up(refresh=True)
        assert moved.outputs["activeUnit"] == "primary"
        assert failovers(sim) == before + 1
        assert not stack.preview(refresh=True).has_changes


def test_a_drill_interrupted_by_ctrl_c_leaves_the_pair_as_it_is(tmp_path: Path) -> None:
    with paired_sim(failover_seconds=30) as sim:
        stack = failover_stack(tmp_path, sim, drill="2026-Q2", maxSeconds=120)
        with stack:

            def ctrl_c_after_the_failover() -> None:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not failovers(sim):
                    time.sleep(0.05)
                time.sleep(0.3)
                stack._host.interrupt()

            stopper = threading.Thread(target=ctrl_c_after_the_failover)
            stopper.start()
            started = time.monotonic()
            with pytest.raises(LifecycleError):
                stack.up()
            stopper.join()
            host = stack._host
            stack.close()
            assert time.monotonic() - started < 30  # not the failover's 30 s
            lines = host.stderr_text()
            assert "interrupted (the provider host is stopping)" in lines
            assert "the pair was left as it is" in lines and "says Secondary Active" in lines
        assert failovers(sim) == 1  # no failback sent after Ctrl-C
        assert sim.backup.ha_status()["secondary_state"] == "ACTIVE"
        assert stack.state["resources"] == [] or all(
            r["name"] != "site-failover" for r in stack.state["resources"]
        )
        assert no_session_left(sim, sim.backup)


def test_a_drill_on_a_pair_not_synchronized_is_refused(tmp_path: Path) -> None:
    with paired_sim(reboot_seconds=30) as sim:
        sim.backup.control("reboot", {})
        stack = failover_stack(tmp_path, sim, drill="2026-Q3")
        with pytest.raises(LifecycleError) as caught:
            stack.up()
        assert "the pair is not synchronized" in str(caught.value)
        assert "Backup REBOOT" in str(caught.value) and "nothing was done" in str(caught.value)
        assert failovers(sim) == 0


def test_a_unit_lost_during_a_drill_ends_it_and_the_next_up_recovers(tmp_path: Path) -> None:
    with paired_sim() as sim:
        stack = failover_stack(tmp_path, sim, drill="2026-Q4", maxSeconds=3)

        def lose_the_backup() -> None:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not failovers(sim):
                time.sleep(0.01)
            sim.backup.control("power-off", {})

        killer = threading.Thread(target=lose_the_backup)
        killer.start()
        with pytest.raises(LifecycleError) as caught:
            stack.up()
        killer.join()
        text = str(caught.value)
        assert f"the Backup {BACKUP_OWN_IP}" in text and "did not answer" in text
        assert f"the Primary {PRIMARY_OWN_IP}" in text and "Backup NONE" in text
        sim.backup.control("power-on", {})
        assert settled(sim, "ACTIVE", "STANDBY")
        assert stack.up().outputs["drillResult"].startswith("passed")


def test_destroying_hafailover_changes_nothing_on_the_units(tmp_path: Path) -> None:
    with paired_sim() as sim:
        stack = failover_stack(tmp_path, sim, active="primary")
        stack.up()
        sim.primary.control("failover", {})
        for unit in (sim.primary, sim.backup):
            unit.clear_requests()
        stack.destroy()
        assert stack.state["resources"] == []
        assert sim.primary.requests == [] and sim.backup.requests == []
        assert sim.backup.ha_status()["secondary_state"] == "ACTIVE"


def test_hapair_on_the_pairs_address_after_a_failover_reads_safely_and_writes_nothing(
    tmp_path: Path,
) -> None:
    """HaPair's primary_host is the pair's address (127.0.0.1), which answers on the
    Backup once it is Active: a refresh reads the Backup's synchronized copy and says
    so; a change and a destroy are refused naming the two ways on; nothing is written;
    after a failback the stack moves on."""
    with paired_sim() as sim:
        sim.primary.set_ha_settings({"mode": {}})  # this stack turns HA on itself
        stack = ha_stack(tmp_path, sim, pairBackupHost=sim.backup.host)
        stack.up()
        assert settled(sim, "ACTIVE", "STANDBY")
        sim.primary.control("failover", {})
        assert settled(sim, "STANDBY", "ACTIVE")

        refreshed = stack.refresh()
        said = "\n".join(refreshed.diagnostics)
        assert "answers on the Backup (Secondary Active)" in said
        assert not refreshed.has_changes

        for unit in (sim.primary, sim.backup):
            unit.clear_requests()
        stack.set_config("t:data", "X4")
        stack.set_config("t:syncTimeout", "30")
        with pytest.raises(LifecycleError) as caught:
            stack.up()
        text = str(caught.value)
        assert "the pair has failed over (the Backup is Active)" in text
        assert 'fail back first (HaFailover with active="primary"' in text
        assert sim.primary.writes() == [] and sim.backup.writes() == []
        with pytest.raises(LifecycleError, match="the pair has failed over"):
            stack.destroy()
        assert sim.primary.ha_settings()["mode"]  # HA stays on

        sim.backup.control("failover", {})
        assert settled(sim, "ACTIVE", "STANDBY")
        stack.up()
        assert sim.primary.ha_settings()["mode"]["active_standby"]["data_interface"] == "X4"


def test_hamonitoring_on_the_pairs_address_after_a_failover_writes_nothing() -> None:
    """The same for HaMonitoring: a refresh reads the synchronized copy (no drift), a
    change is refused before anything is written, naming the two ways on."""
    with paired_sim() as sim:
        provider = provider_with(HaMonitoringProvider, settings_for(sim, max_retries=0))
        news = {
            "primary_host": hosts(sim)["pair_host"],
            "interface": "X0",
            "primary_ip": PRIMARY_OWN_IP,
            "backup_ip": BACKUP_OWN_IP,
        }
        inputs = provider.check({}, news).inputs
        outs = provider.create(inputs).outs
        sim.primary.control("failover", {})
        assert settled(sim, "STANDBY", "ACTIVE")
        read = provider.read(f"{sim.primary.serial}/X0", outs)
        assert read.inputs == provider.inputs_of(outs)
        for unit in (sim.primary, sim.backup):
            unit.clear_requests()
        with pytest.raises(FailedOverError) as caught:
            provider.update(f"{sim.primary.serial}/X0", outs, {**inputs, "link_monitoring": False})
        assert "the pair has failed over (the Backup is Active)" in str(caught.value)
        assert sim.primary.writes() == [] and sim.backup.writes() == []
