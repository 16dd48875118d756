"""What the plan fuzzer found, each as a small deterministic plan.

Each test replays the steps of one break the fuzzer reported (see `machine.py`), in
the administrator's words, and asserts what must hold instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .machine import PlanMachine
from .plans import UNKNOWN_SERIAL

HA_BASE = "/api/sonicos/high-availability/base"
PAIR = {
    "mode": "active-standby",
    "stateful_synchronization": False,
    "preempt": False,
    "virtual_mac": False,
    "encryption": False,
    "heartbeat_interval_ms": 1000,
    "failover_trigger_level": 5,
    "election_delay_s": 3,
    "include_certificates_keys": True,
    "probe_interval_s": 20,
    "probe_count": 3,
    "on_delete": "disable",
    "declare_backup_host": True,
    "declare_primary_serial": True,
    "serial_spelling": "",
}
DESIGN: dict[str, Any] = {
    "monitoring": {"link_monitoring": True, "probe": False},
    "links": {},
    "pair": PAIR,
    "license": False,
    "host_spelling": "address",
}


@pytest.fixture
def machine() -> Iterator[PlanMachine]:
    """One fuzzer stack (a simulator without monitoring preset, the plan project)."""
    state = PlanMachine()
    try:
        yield state
    finally:
        state.teardown()


@pytest.mark.xfail(
    strict=True,
    reason="HaPair checks the unit at backup_host only while HA is off (provider write path)",
)
def test_a_backup_serial_typo_on_a_live_pair_is_refused_before_any_write(
    machine: PlanMachine,
) -> None:
    """A live pair with backup_host declared; backup_serial edited to a serial no unit
    has. backup_host answers with the real Backup's serial, so the update must be
    refused before it writes: written, the Primary names a unit that does not exist and
    the real Backup is out of the pair for up to sync_timeout_s (600 s by default)
    before the old settings are put back."""
    machine.first_up(DESIGN)
    primary = machine.sim.primary
    primary.clear_requests()
    wrong = {**machine.design, "unknown_backup_serial": True}
    error = machine._up(wrong)
    assert error is not None
    assert f"backup_serial is {UNKNOWN_SERIAL}" in str(error)
    assert [r for r in primary.writes() if r.path == HA_BASE] == []
    machine._converged(machine.design, "put right")


def test_a_role_swap_in_the_two_runs_the_refusal_names_works_without_backup_host(
    machine: PlanMachine,
) -> None:
    """A pair declared without backup_host, roles swapped in one change: refused. The
    refusal's two runs, done as written before, left the Backup's synchronized copy of
    HA on (the HaPair's delete reaches the Backup only through backup_host), so run 2
    was refused again: "turn HA off first", which run 1 had just done. The refusal now
    says to give the HaPair backup_host (and on_delete "disable") first; done so, the
    roles swap."""
    design = {**DESIGN, "pair": {**PAIR, "declare_backup_host": False}}
    machine.first_up(design)
    swapped = {**machine.design, "swapped": True}
    error = machine._up(swapped)
    assert error is not None
    text = str(error)
    assert "Swap the roles in two runs: 1. turn HA off on both units" in text
    assert 'set backup_host to the Backup\'s address and on_delete to "disable"' in text
    assert machine.sim.primary.ha_settings()["mode"]  # the pair left alone
    run0 = {**machine.design, "pair": {**PAIR, "declare_backup_host": True}}
    machine._converged(run0, "run 0: backup_host declared")
    machine._converged({**run0, "pair": None}, "run 1: HA off")
    assert machine.sim.backup.ha_settings()["mode"] == {}  # its copy turned off too
    machine.swapped = True
    machine._converged({**run0, "swapped": True}, "run 2: roles swapped")
    assert machine.sim.backup.ha_settings()["mode"]["active_standby"]["secondary_serial"] == (
        machine.sim.primary.serial
    )


@pytest.mark.xfail(
    strict=True,
    reason="a logout that got no answer is not sent again: the session stays on the unit"
    " until its inactivity timer (client: sonicos.py logout_quietly)",
)
def test_after_a_logout_lost_on_the_primary_the_next_up_converges(machine: PlanMachine) -> None:
    """The Primary drops the connection of one logout (DELETE /auth) during an `up`: the
    session it was ending stays open on the unit, which refuses every later login
    (503, too many sessions) until its inactivity timer, so that `up` and the next one
    fail. Once the fault is gone, the next `up` must converge."""
    machine.first_up({**DESIGN, "pair": None, "host_spelling": "localhost"})
    edited = {**DESIGN, "pair": None, "host_spelling": "address"}
    machine.fault(("primary", "DELETE", "/auth$"), "drop", "up", edited)


def test_primary_host_typed_as_the_backup_address_leaves_the_pair_on(
    machine: PlanMachine,
) -> None:
    """HaPair's primary_host edited to the Backup's address (primary_serial declared):
    the replacement deletes first, turning HA off, and the create is then refused
    ("this is not the Primary you named"). It must be refused before anything is
    written, leaving the pair on; put right, the next `up` converges."""
    machine.first_up({**DESIGN, "pair": {**PAIR, "declare_backup_host": False}})
    machine.mistake("primary at the Backup")


def test_removing_a_pair_without_backup_host_says_the_backup_keeps_its_copy(
    machine: PlanMachine,
) -> None:
    """An HaPair without backup_host removed from the program turns HA off on the
    Primary only: the Backup keeps the settings it synchronized, so it still answers
    only at its monitoring address and cannot be set up again (a later role swap's
    HaMonitoring was refused on it, "HA is on"). The `up` said nothing; it now warns,
    naming the Backup and what to do, and once done by hand the roles swap."""
    machine.first_up({**DESIGN, "pair": {**PAIR, "declare_backup_host": False}})
    machine._set({**machine.design, "pair": None})
    result = machine.stack.up()
    text = "\n".join(result.diagnostics)
    assert f"the Backup ({machine.sim.backup.serial}) keeps the HA settings it synchronized" in text
    assert "Turn HA off there by hand" in text
    assert machine.sim.backup.ha_settings()["mode"]  # as the warning says
    machine._follow_advice(result)  # the administrator turns it off by hand
    machine.design = {**machine.design, "pair": None}
    machine.swapped = True
    machine._converged(machine._design(DESIGN), "roles swapped")
