"""HaFailover provider methods against a simulated pair: the drill an administrator runs
each quarter, the drift alert, and everything that must stop a drill before it starts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.errors import (
    HaWaitTimeoutError,
    PairNotReadyError,
    SonicHaError,
)
from pulumi_sonicha.providers.ha_failover import HaFailoverProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for
from ..paired import hosts, paired_sim

FAILOVER = "/api/sonicos/high-availability/force-failover"


@pytest.fixture
def pair() -> Iterator[Simulator]:
    with paired_sim() as simulator:
        yield simulator


@pytest.fixture
def provider(pair: Simulator) -> HaFailoverProvider:
    return provider_with(HaFailoverProvider, settings_for(pair, max_retries=0))


def checked(provider: HaFailoverProvider, sim: Simulator, **declared: Any) -> dict[str, Any]:
    result = provider.check({}, {**hosts(sim), "max_seconds": 10.0, **declared})
    assert [f.reason for f in result.failures] == []
    return result.inputs


def failovers(sim: Simulator) -> list[str]:
    """The units each force-failover was asked of (the Primary's first: a drill asks the
    Primary, then the Backup)."""
    return [
        unit.name
        for unit in (sim.primary, sim.backup)
        for record in unit.requests
        if record.path == FAILOVER and record.status == 200
    ]


def settle(sim: Simulator, active: str = "primary") -> None:
    deadline = time.monotonic() + 5
    want = ("ACTIVE", "STANDBY") if active == "primary" else ("STANDBY", "ACTIVE")
    while time.monotonic() < deadline:
        status = sim.primary.ha_status()
        if (status["primary_state"], status["secondary_state"]) == want:
            return
        time.sleep(0.05)
    raise AssertionError(f"the pair did not settle with the {active} Active")


# -- check ----------------------------------------------------------------------------


def test_check_normalizes_without_any_request(provider, pair):
    pair.primary.clear_requests(), pair.backup.clear_requests()
    inputs = checked(provider, pair, active="Primary", drill="2026-Q1", max_seconds=30.0)
    assert inputs["active"] == "primary" and inputs["max_seconds"] == 30
    assert pair.primary.requests == [] and pair.backup.requests == []


@pytest.mark.parametrize(
    ("declared", "field", "says"),
    [
        ({"active": "secondary"}, "active", 'one of "primary", "backup"'),
        ({"max_seconds": 0.0}, "max_seconds", "from 1 to 3600"),
        ({"drill": 3.0}, "drill", "a non-empty string"),
        ({"pair_host": "PRIMARY"}, "pair_host", "the Primary's own address"),
        ({"backup_host": "PRIMARY"}, "backup_host", "same address as primary_host"),
    ],
)
def test_check_refuses_bad_input_naming_the_field(provider, pair, declared, field, says):
    news = {**hosts(pair), **declared}
    news = {k: (news["primary_host"] if v == "PRIMARY" else v) for k, v in news.items()}
    failures = provider.check({}, news).failures
    assert [f.property for f in failures] == [field]
    assert says in failures[0].reason and "HaFailover" in failures[0].reason


# -- create and the drill ---------------------------------------------------------------


def test_create_without_drill_or_active_changes_nothing(provider, pair):
    result = provider.create(checked(provider, pair))
    assert result.id == pair.primary.serial
    assert result.outs["active_unit"] == "primary" and result.outs.get("drilled_at") is None
    assert failovers(pair) == []
    assert (pair.primary.writes(), pair.backup.writes()) == ([], [])


def test_a_drill_fails_over_checks_the_pair_address_and_fails_back(provider, pair, capfd):
    outs = provider.create(checked(provider, pair, drill="2026-Q1")).outs
    assert failovers(pair) == ["primary", "backup"]  # each asked of the unit then Active
    assert outs["drill_result"].startswith("passed: failed over to the Backup in ")
    assert 0.2 <= outs["failover_seconds"] < 5 and 0.2 <= outs["failback_seconds"] < 5
    assert (
        outs["states_before"]
        == outs["states_after"]
        == {
            "primary": "ACTIVE",
            "backup": "STANDBY",
        }
    )
    assert outs["drilled_at"].endswith("Z") and outs["active_unit"] == "primary"
    err = capfd.readouterr().err
    assert "the pair's address 127.0.0.1" in err and "answers on the Backup" in err
    assert "waiting until the Backup is ACTIVE and the Primary STANDBY" in err
    assert pair.primary.pending() == {} and pair.backup.pending() == {}


def test_a_new_drill_value_runs_again_and_other_changes_send_nothing(provider, pair):
    inputs = checked(provider, pair, drill="q1")
    outs = provider.create(inputs).outs
    pair.primary.clear_requests(), pair.backup.clear_requests()
    same = provider.update(outs["primary_serial"], outs, {**inputs, "max_seconds": 60})
    assert pair.primary.requests == [] and pair.backup.requests == []
    assert same.outs["drilled_at"] == outs["drilled_at"] and same.outs["max_seconds"] == 60
    again = provider.update(outs["primary_serial"], same.outs, {**inputs, "drill": "q2"})
    assert failovers(pair) == ["primary", "backup"]
    assert again.outs["drill"] == "q2" and again.outs["drill_result"].startswith("passed")


def test_preempt_brings_the_primary_back_by_itself():
    with paired_sim(preempt=True) as sim:
        provider = provider_with(HaFailoverProvider, settings_for(sim, max_retries=0))
        outs = provider.create(checked(provider, sim, drill="q1")).outs
        assert failovers(sim) == ["primary"]  # never a second failover: preempt did it
        assert "the Primary took Active back by itself (preempt)" in outs["drill_result"]
        assert outs["active_unit"] == "primary"


# -- what stops a drill before anything is done ----------------------------------------------


def test_a_pair_not_synchronized_is_refused_before_anything_is_done(provider, pair):
    pair.backup.control("reboot", {"seconds": 5})
    with pytest.raises(PairNotReadyError) as caught:
        provider.create(checked(provider, pair, drill="q1"))
    text = str(caught.value)
    assert "the pair is not synchronized" in text and "Backup REBOOT" in text
    assert "nothing was done" in text and pair.primary.serial in text
    assert failovers(pair) == []


def test_an_ha_link_down_is_refused(provider, pair):
    pair.uncable("X4")
    settle(pair)  # the control link X5 still carries heartbeats
    with pytest.raises(PairNotReadyError, match=r"HA link X4 \(No link\) is down"):
        provider.create(checked(provider, pair, drill="q1"))
    assert failovers(pair) == []


def test_the_pairs_address_as_primary_host_is_refused_when_the_backup_answers_it(provider, pair):
    pair.primary.control("failover", {})
    settle(pair, "backup")
    news = {**checked(provider, pair), "primary_host": hosts(pair)["pair_host"], "pair_host": None}
    with pytest.raises(PairNotReadyError) as caught:
        provider.create(news)
    assert "primary_host reaches the Backup" in str(caught.value)
    assert "Primary's own HA monitoring address" in str(caught.value)


def test_a_drill_with_the_backup_active_and_no_active_declared_is_refused(provider, pair):
    pair.primary.control("failover", {})
    settle(pair, "backup")
    with pytest.raises(PairNotReadyError, match='Declare active="primary"'):
        provider.create(checked(provider, pair, drill="q1"))
    assert failovers(pair) == []


def test_active_backup_with_preempt_on_is_refused():
    with paired_sim(preempt=True) as sim:
        provider = provider_with(HaFailoverProvider, settings_for(sim, max_retries=0))
        with pytest.raises(PairNotReadyError, match="preempt is on"):
            provider.create(checked(provider, sim, active="backup"))
        assert failovers(sim) == []


# -- drift: the alert ---------------------------------------------------------------------


def test_read_flags_a_pair_that_failed_over_by_itself_and_up_moves_it_back(provider, pair, caplog):
    inputs = checked(provider, pair, active="primary")
    outs = provider.create(inputs).outs
    assert provider.read(outs["primary_serial"], outs).inputs == provider.inputs_of(outs)
    pair.primary.control("failover", {})  # the pair fails over by itself
    settle(pair, "backup")
    read = provider.read(outs["primary_serial"], outs)
    assert read.inputs["active"] == "backup" and read.outs["active_unit"] == "backup"
    assert [k for k in inputs if inputs[k] != read.inputs.get(k)] == ["active"]
    assert "the Backup has been Active since " in caplog.text
    assert "`pulumi up` moves it back to the Primary" in caplog.text
    moved = provider.update(outs["primary_serial"], read.outs, inputs)
    assert moved.outs["active_unit"] == "primary" and failovers(pair) == ["backup"]


def test_read_without_active_declared_never_drifts(provider, pair, caplog):
    inputs = checked(provider, pair)
    outs = provider.create(inputs).outs
    pair.primary.control("failover", {})
    read = provider.read(outs["primary_serial"], outs)
    assert read.inputs == provider.inputs_of(outs) and read.outs["active_unit"] == "backup"
    assert 'Declare active="primary"' in caplog.text


def test_read_asks_the_backup_when_the_primary_is_lost(provider, pair, caplog):
    outs = provider.create(checked(provider, pair, active="primary")).outs
    pair.primary.control("power-off", {})
    read = provider.read(outs["primary_serial"], outs)
    assert read.inputs["active"] == "backup"
    assert read.outs["primary_state"] == "NONE" and read.outs["ha_status"] == "Secondary Active"
    assert "did not answer" in caplog.text


# -- a drill that does not go to plan -------------------------------------------------------


def test_a_timeout_leaves_the_pair_as_it_is_and_says_where_each_unit_stands():
    with paired_sim(failover_seconds=3.0) as sim:
        provider = provider_with(HaFailoverProvider, settings_for(sim, max_retries=0))
        with pytest.raises(HaWaitTimeoutError) as caught:
            provider.create(checked(provider, sim, drill="q1", max_seconds=1.0))
        text = str(caught.value)
        assert "not done within max_seconds" in text and "left as it is" in text
        assert "the Primary 127.0.0.3" in text and "says Primary not in a steady state" in text
        assert "the Backup 127.0.0.2" in text and "says Secondary Active" in text
        assert failovers(sim) == ["primary"]  # no failback was asked
        assert sim.backup.ha_status()["secondary_state"] == "ACTIVE"


def test_a_unit_lost_during_the_drill_ends_it_saying_where_each_unit_stands(pair):
    provider = provider_with(HaFailoverProvider, settings_for(pair, max_retries=0))

    def lose_the_backup() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not failovers(pair):
            time.sleep(0.01)
        pair.backup.control("power-off", {})

    killer = threading.Thread(target=lose_the_backup)
    killer.start()
    try:
        with pytest.raises(SonicHaError) as caught:
            provider.create(checked(provider, pair, drill="q1", max_seconds=2.0))
    finally:
        killer.join()
    text = str(caught.value)
    assert "the Backup 127.0.0.2" in text and "did not answer" in text
    assert "Backup NONE" in text  # the Primary hears no heartbeat, and took Active back
    assert failovers(pair) == ["primary"]


def test_delete_changes_nothing_on_the_units(provider, pair):
    outs = provider.create(checked(provider, pair, active="primary")).outs
    pair.primary.control("failover", {})
    pair.primary.clear_requests(), pair.backup.clear_requests()
    provider.delete(outs["primary_serial"], outs)
    assert pair.primary.requests == [] and pair.backup.requests == []
    assert pair.backup.ha_status()["secondary_state"] == "ACTIVE"


def test_watching_needs_no_steady_pair_and_an_address_change_sends_nothing(provider, pair):
    pair.backup.control("reboot", {"seconds": 5})  # not synchronized: nothing to act on
    inputs = checked(provider, pair)
    outs = provider.create(inputs).outs
    assert outs["backup_state"] == "REBOOT" and failovers(pair) == []
    pair.primary.clear_requests(), pair.backup.clear_requests()
    spelled = {**inputs, "backup_host": "https://" + inputs["backup_host"] + "/"}
    new = provider.check({}, spelled).inputs
    provider.update(outs["primary_serial"], outs, {**new, "max_seconds": 30})
    assert pair.primary.requests == [] and pair.backup.requests == []
