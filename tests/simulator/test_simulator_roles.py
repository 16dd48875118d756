"""The simulated pair's roles over time: failover, preempt, reboots, a unit lost."""

from __future__ import annotations

import time

from pulumi_sonicha.simulator.sonicos.roles import PairRoles


def test_failover_moves_active_at_once_and_the_other_resynchronizes() -> None:
    roles = PairRoles(failover_seconds=0.2, reboot_seconds=0.2)
    assert roles.fail_over() == "backup"
    assert (roles.state("backup"), roles.state("primary")) == ("ACTIVE", "SYNC")
    time.sleep(0.25)
    assert (roles.state("backup"), roles.state("primary")) == ("ACTIVE", "STANDBY")
    assert roles.failovers == 1


def test_preempt_gives_active_back_to_the_primary_after_it_is_standby() -> None:
    roles = PairRoles(failover_seconds=0.1)
    roles.fail_over()
    assert roles.active(preempt=True) == "backup"
    time.sleep(0.25)
    assert roles.active(preempt=False) == "backup"  # without preempt it stays
    assert roles.active(preempt=True) == "primary"
    assert roles.failovers == 2


def test_a_rebooting_unit_is_away_reported_reboot_then_back_standby() -> None:
    roles = PairRoles(failover_seconds=0.1, reboot_seconds=0.2)
    roles.reboot("backup")
    assert roles.away("backup") and roles.state("backup") == "REBOOT"
    assert roles.active() == "primary"
    time.sleep(0.22)
    assert not roles.away("backup") and roles.state("backup") == "SYNC"
    time.sleep(0.1)
    assert roles.state("backup") == "STANDBY"


def test_the_active_unit_restarting_hands_active_to_its_peer() -> None:
    roles = PairRoles(failover_seconds=0.05, reboot_seconds=0.1)
    roles.reboot("primary")
    assert roles.active() == "backup" and roles.state("primary") == "REBOOT"
    time.sleep(0.2)
    assert roles.state("primary") == "STANDBY" and roles.active() == "backup"


def test_a_unit_switched_off_sends_no_heartbeat_until_switched_on() -> None:
    roles = PairRoles(failover_seconds=0.05)
    roles.switch_off("primary")
    assert roles.state("primary") == "NONE" and roles.active() == "backup"
    time.sleep(0.1)
    assert roles.away("primary")
    roles.switch_on("primary")
    assert not roles.away("primary") and roles.state("primary") == "SYNC"
