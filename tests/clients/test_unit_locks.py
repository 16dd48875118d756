"""One unit, one lock: taken in one global order, keyed by the unit, not the spelling.

The provider host runs four worker threads; HaInterface holds a session on both
units at once. Two operations that spell the same units differently (`FW1` and
`fw1:443`, here `LOCALHOST:port` and `localhost:port`) used to take the two
locks in opposite orders and wait for each other forever. Each test runs the
operations in threads and fails (instead of hanging) when they do not finish
within a bound.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha import transport
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with

BOUND_S = 20.0


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """Both units at 127.0.0.1 (their own ports), so `localhost` spells either: the tests
    here are about spellings and locks, not about where a paired Backup answers."""
    with Simulator(sync_seconds=0.0, backup_ip="127.0.0.1", monitoring=False) as simulator:
        yield simulator


def run_together(*tasks: Any) -> list[BaseException]:
    """Run `tasks` at once; fail if any has not finished within the bound (deadlock)."""
    errors: list[BaseException] = []

    def guarded(task: Any) -> None:
        try:
            task()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(t,), daemon=True) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(BOUND_S)
    assert not any(t.is_alive() for t in threads), "operations still waiting: deadlock"
    return errors


def crossing_spellings(sim: Simulator) -> tuple[dict[str, str], dict[str, str]]:
    """Two spellings of the same two units whose plain sorted order differs."""
    p1, p2 = str(sim.primary.port), str(sim.backup.port)
    lower = {"primary_host": f"localhost:{p1}", "backup_host": f"localhost:{p2}"}
    if p1 > p2:  # all lower case: Backup first; an upper-case Primary sorts first
        upper = {**lower, "primary_host": f"LOCALHOST:{p1}"}
    else:  # all lower case: Primary first; an upper-case Backup sorts first
        upper = {**lower, "backup_host": f"LOCALHOST:{p2}"}
    return upper, lower


def test_two_spellings_of_one_pair_do_not_deadlock(sim: Simulator, settings) -> None:
    provider = provider_with(HaInterfaceProvider, settings)
    upper, lower = crossing_spellings(sim)
    for unit in (sim.primary, sim.backup):
        # Each login takes a while, so both operations hold their first lock before
        # either asks for its second: the interleaving that deadlocked.
        unit.hang("POST", "/api/sonicos/auth$", seconds=0.5, times=2)

    def create(hosts: dict[str, str]) -> Any:
        inputs = provider.check({}, {**hosts, "interface": "X4"}).inputs
        return lambda: provider.create(inputs)

    errors = run_together(create(upper), create(lower))
    assert errors == []
    assert sim.primary.max_concurrent_sessions == 1
    assert sim.backup.max_concurrent_sessions == 1


def test_two_addresses_of_one_unit_share_its_lock_once_it_answered(
    sim: Simulator, settings
) -> None:
    """127.0.0.1:port and localhost:port are different addresses of one unit: once the
    unit has answered with its serial, operations through either wait for each other."""
    provider = provider_with(HaPairProvider, settings)
    by_ip = sim.primary.host
    by_name = f"localhost:{sim.primary.port}"
    inputs = provider.check(
        {},
        {"primary_host": by_ip, "backup_serial": sim.backup.serial, "control_interface": "X5"},
    ).inputs
    created = provider.create(inputs)
    # primary_host changed: diff asks the new address which unit it is (it learns it).
    diff = provider.diff(created.id, created.outs, {**inputs, "primary_host": by_name})
    assert diff.replaces == []
    assert transport.unit_keys(by_ip)[-1] == transport.unit_keys(by_name)[-1]  # the serial
    sim.primary.hang("GET", "/api/sonicos/reporting/high-availability$", seconds=0.3, times=4)

    def read(host: str) -> Any:
        return lambda: provider.read(created.id, {**created.outs, "primary_host": host})

    errors = run_together(read(by_ip), read(by_name), read(by_ip), read(by_name))
    assert errors == []
    assert sim.primary.max_concurrent_sessions == 1
