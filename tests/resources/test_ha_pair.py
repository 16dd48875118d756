"""HaPair provider methods against the simulator: the administrator's procedure."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_sonicha.errors import ApplianceError, SonicHaError, SyncTimeoutError
from pulumi_sonicha.preflight import PreflightError
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import DEFAULT_HA, Simulator

from ..conftest import provider_with

PRIMARY_SERIAL = "2CB8ED0A1B2C"
BACKUP_SERIAL = "2CB8ED0A9F00"


@pytest.fixture
def provider(settings: Settings) -> HaPairProvider:
    return provider_with(HaPairProvider, settings)


def program_inputs(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    """What a program declares, as the engine delivers it (numbers as floats)."""
    inputs: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "backup_serial": "2cb8-ed0a-9f00",
        "control_interface": "x5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        "heartbeat_interval_ms": 1000.0,
    }
    inputs.update(overrides)
    return inputs


def checked(provider: HaPairProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def create(provider: HaPairProvider, sim: Simulator, **overrides: Any):
    inputs = checked(provider, program_inputs(sim, **overrides))
    return inputs, provider.create(inputs)


# -- check ------------------------------------------------------------------------


def test_check_normalizes_and_fills_defaults_without_any_request(provider, sim):
    inputs = checked(provider, program_inputs(sim))
    assert inputs["backup_serial"] == BACKUP_SERIAL
    assert inputs["control_interface"] == "X5"
    assert inputs["heartbeat_interval_ms"] == 1000 and isinstance(
        inputs["heartbeat_interval_ms"], int
    )
    assert inputs["mode"] == "active-standby"
    assert inputs["failover_trigger_level"] == 5
    assert inputs["on_delete"] == "disable"
    assert sim.primary.requests == []


def test_check_needs_data_interface_for_stateful_sync(provider, sim):
    result = provider.check({}, program_inputs(sim, data_interface=None))
    assert [f.property for f in result.failures] == ["data_interface"]
    assert "stateful_synchronization" in result.failures[0].reason


def test_check_skips_unknown_values_in_preview(provider, sim):
    result = provider.check({}, program_inputs(sim, data_interface=Unknown()))
    assert result.failures == []
    assert isinstance(result.inputs["data_interface"], Unknown)


def test_undeclared_primary_serial_stays_out_of_inputs_and_is_never_a_change(provider, sim):
    inputs = checked(provider, program_inputs(sim))
    assert "primary_serial" not in inputs  # unknown in a preview, never None
    olds = {**inputs, "primary_serial": PRIMARY_SERIAL}
    assert provider.diff(PRIMARY_SERIAL, olds, inputs).changes is False
    declared = checked(provider, program_inputs(sim, primary_serial="2cb8-ed0a-1b2c"))
    assert declared["primary_serial"] == PRIMARY_SERIAL
    assert provider.diff(PRIMARY_SERIAL, olds, declared).changes is False


# -- create -------------------------------------------------------------------------


def test_create_refuses_a_primary_with_another_serial_before_writing(provider, sim):
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, primary_serial="2CB8ED0A0BAD")
    assert str(caught.value) == (
        f"{sim.primary.host} (serial {PRIMARY_SERIAL}): primary_host answers with serial"
        f" {PRIMARY_SERIAL}, but primary_serial is 2CB8ED0A0BAD: this is not the Primary you"
        " named. Fix primary_host or primary_serial; nothing was written"
    )
    assert sim.primary.writes() == []


def test_create_with_the_right_primary_serial_works(provider, sim):
    _, result = create(provider, sim, primary_serial=PRIMARY_SERIAL)
    assert result.outs["primary_serial"] == PRIMARY_SERIAL
    assert result.outs["synchronized"] is True


def test_create_turns_ha_on_and_waits_for_the_backup(provider, sim):
    inputs, result = create(provider, sim)
    assert result.id == PRIMARY_SERIAL
    outs = result.outs
    assert outs["synchronized"] is True
    assert (outs["ha_status"], outs["primary_state"], outs["backup_state"]) == (
        "Primary Active",
        "ACTIVE",
        "STANDBY",
    )
    assert (outs["model"], outs["firmware_version"]) == ("NSa 2700", "7.2.0-7015")
    assert outs["restart_required"] == "NONE"
    mode = sim.primary.ha_settings()["mode"]["active_standby"]
    assert mode["secondary_serial"] == BACKUP_SERIAL
    assert (mode["control_interface"], mode["data_interface"]) == ("X5", "X4")
    assert mode["stateful_synchronization"] is True
    # The Backup now holds the Primary's settings.
    assert sim.backup.ha_settings()["mode"] == sim.primary.ha_settings()["mode"]
    # Config mode for the write window only: taken, one PUT, one commit, given back
    # before waiting for the Backup.
    assert [(r.method, r.path) for r in sim.primary.writes()] == [
        ("POST", "/api/sonicos/config-mode"),
        ("PUT", "/api/sonicos/high-availability/base"),
        ("POST", "/api/sonicos/config/pending"),
        ("POST", "/api/sonicos/non-config-mode"),
    ]
    # A PUT replaces the object: every field the unit showed goes back (read-modify-write).
    sent = sim.primary.writes()[1].body["high_availability"]
    assert set(sent) == set(DEFAULT_HA)
    assert {k: v for k, v in sent.items() if k != "mode"} == {
        k: v for k, v in DEFAULT_HA.items() if k != "mode"
    }


def test_numbers_arriving_as_floats_go_out_as_ints(provider, sim):
    create(provider, sim, heartbeat_interval_ms=2000.0, probe_count=4.0)
    sent = sim.primary.writes()[1].body["high_availability"]
    assert sent["heartbeat_interval"] == 2000 and type(sent["heartbeat_interval"]) is int
    assert sent["probe"] == {"interval": 20, "count": 4} and type(sent["probe"]["count"]) is int


def test_create_adopts_existing_identical_settings_without_writing(provider, sim):
    create(provider, sim)
    sim.primary.clear_requests()
    _, result = create(provider, sim)
    assert result.outs["synchronized"] is True
    assert sim.primary.writes() == []


def test_create_rejects_own_serial_as_backup(provider, sim):
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, backup_serial=PRIMARY_SERIAL)
    assert "own serial" in str(caught.value)
    assert sim.primary.host in str(caught.value)
    assert sim.primary.writes() == []


def test_create_checks_the_backup_host_serial(provider, sim):
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, backup_host=sim.backup.host, backup_serial="2CB8ED0A0001")
    assert "2CB8ED0A9F00" in str(caught.value) and "backup_serial" in str(caught.value)
    assert sim.primary.writes() == []


def test_create_with_model_mismatch_fails_before_writing():
    with Simulator(sync_seconds=0.0, backup_model="NSa 3700") as sim:
        from ..conftest import settings_for

        provider = provider_with(HaPairProvider, settings_for(sim))
        with pytest.raises(ApplianceError) as caught:
            create(provider, sim, backup_host=sim.backup.host)
        assert "same model" in str(caught.value)
        assert sim.primary.writes() == []


def test_sync_timeout_restores_previous_settings(provider, sim):
    sim.uncable("X5")  # control link down: no heartbeat from the Backup
    before = sim.primary.ha_settings()
    with pytest.raises(SyncTimeoutError) as caught:
        create(provider, sim, sync_timeout_s=1.0)  # shorter than the no-heartbeat window
    text = str(caught.value)
    assert "Backup NONE" in text and "X5" in text and "restored" in text
    assert sim.primary.ha_settings() == before


def test_wait_for_sync_false_returns_at_once(provider, sim):
    sim.uncable("X5")
    _, result = create(provider, sim, wait_for_sync=False)
    assert result.outs["synchronized"] is False
    assert result.outs["ha_status"] == "Primary Active"
    assert result.outs["backup_state"] == "NONE"  # no heartbeat


def test_sync_progression_is_waited_for():
    with Simulator(sync_seconds=0.6) as sim:
        from ..conftest import settings_for

        provider = provider_with(HaPairProvider, settings_for(sim))
        _, result = create(provider, sim)
        assert result.outs["synchronized"] is True
        statuses = [
            r for r in sim.primary.requests if r.path.endswith("reporting/high-availability")
        ]
        assert len(statuses) >= 3  # ELECTION / SYNC seen before ACTIVE / STANDBY


# -- read ---------------------------------------------------------------------------


def test_read_of_unchanged_pair_equals_checked_inputs(provider, sim):
    inputs, created = create(provider, sim, primary_serial=PRIMARY_SERIAL)
    sim.primary.clear_requests()
    result = provider.read(created.id, created.outs)
    assert result.id == PRIMARY_SERIAL
    assert result.inputs == inputs
    assert provider.diff(created.id, result.outs, inputs).changes is False
    assert len(sim.primary.requests) <= 4


def test_read_without_declared_primary_serial_is_no_drift(provider, sim):
    inputs, created = create(provider, sim)
    assert created.outs["primary_serial_declared"] is False
    result = provider.read(created.id, created.outs)
    assert result.inputs == inputs and "primary_serial" not in result.inputs
    assert result.outs["primary_serial"] == PRIMARY_SERIAL
    assert provider.diff(created.id, result.outs, inputs).changes is False


def test_read_shows_hand_made_change_as_drift(provider, sim):
    inputs, created = create(provider, sim)
    ha = sim.primary.ha_settings()
    ha["mode"]["active_standby"]["preempt"] = True
    ha["heartbeat_interval"] = 5000
    sim.primary.set_ha_settings(ha)
    result = provider.read(created.id, created.outs)
    assert result.outs["preempt"] is True
    assert result.outs["heartbeat_interval_ms"] == 5000
    diff = provider.diff(created.id, result.outs, inputs)
    assert diff.changes is True and diff.replaces == []
    assert provider.schema.changed_keys(result.outs, inputs) == ["preempt", "heartbeat_interval_ms"]


def test_read_of_disabled_ha_is_gone(provider, sim):
    _, created = create(provider, sim)
    sim.primary.set_ha_settings({**sim.primary.ha_settings(), "mode": {}})
    assert provider.read(created.id, created.outs).id == ""


# -- diff ---------------------------------------------------------------------------


def test_diff_ignores_float_vs_int_and_computed_outputs(provider, sim):
    inputs, created = create(provider, sim)
    olds = {**created.outs, "ha_status": "NO_PEER", "heartbeat_interval_ms": 1000.0}
    assert provider.diff(created.id, olds, inputs).changes is False


def test_diff_replaces_on_primary_host_change_only_when_the_new_pair_passes_preflight(
    provider, sim
):
    """A replacement deletes first: pointing primary_host at the Backup of the working
    pair is refused in the diff with the preflight table, nothing written; the same
    address with HA off and the roles swapped in the inputs is a replacement."""
    inputs, created = create(provider, sim)
    news = {**inputs, "primary_host": sim.backup.host}
    for unit in (sim.primary, sim.backup):
        unit.clear_requests()
    with pytest.raises(PreflightError) as caught:
        provider.diff(created.id, created.outs, news)
    assert "primary_host is the Backup's address" in str(caught.value)
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    for unit in (sim.primary, sim.backup):
        unit.set_ha_settings({**unit.ha_settings(), "mode": {}}, validate=False)
    news = {**news, "backup_serial": created.outs["primary_serial"]}
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes is True and diff.replaces == ["primary_host"]


# -- update -------------------------------------------------------------------------


def test_update_writes_only_the_changed_key_and_commits_once(provider, sim):
    inputs, created = create(provider, sim)
    before = sim.primary.ha_settings()
    sim.primary.clear_requests()
    news = {**inputs, "heartbeat_interval_ms": 2000}
    outs = provider.update(created.id, created.outs, news).outs
    assert outs["heartbeat_interval_ms"] == 2000 and outs["primary_serial"] == PRIMARY_SERIAL
    writes = sim.primary.writes()
    assert [(r.method, r.path) for r in writes] == [
        ("POST", "/api/sonicos/config-mode"),
        ("PUT", "/api/sonicos/high-availability/base"),
        ("POST", "/api/sonicos/config/pending"),
        ("POST", "/api/sonicos/non-config-mode"),
    ]
    # The whole object as read, with the one changed key (the unit replaces it on PUT).
    assert writes[1].body == {"high_availability": {**before, "heartbeat_interval": 2000}}


def test_update_failing_on_commit_leaves_the_appliance_unchanged(provider, sim):
    inputs, created = create(provider, sim)
    before = sim.primary.ha_settings()
    sim.primary.fail("POST", "/api/sonicos/config/pending", status=500, times=None)
    with pytest.raises(ApplianceError) as caught:
        provider.update(created.id, created.outs, {**inputs, "preempt": True})
    assert "nothing was committed" in str(caught.value)
    sim.primary.clear_faults()
    assert sim.primary.ha_settings() == before
    assert sim.primary.pending() == {}


def test_update_rejected_by_appliance_names_unit_and_leaves_it_unchanged(provider, sim):
    inputs, created = create(provider, sim)
    before = sim.primary.ha_settings()
    sim.primary.set_zone("X4", "DMZ")  # the data link now sits in a zone
    with pytest.raises(ApplianceError) as caught:
        provider.update(
            created.id, created.outs, {**inputs, "data_interface": "X4", "preempt": True}
        )
    assert sim.primary.host in str(caught.value) and PRIMARY_SERIAL in str(caught.value)
    assert sim.primary.ha_settings() == before


# -- delete -------------------------------------------------------------------------


def test_delete_disables_ha(provider, sim):
    _, created = create(provider, sim)
    provider.delete(created.id, created.outs)
    assert sim.primary.ha_settings()["mode"] == {}


def test_delete_with_backup_host_turns_ha_off_on_both_units(provider, sim):
    _, created = create(provider, sim, backup_host=sim.backup.host)
    assert "active_standby" in sim.backup.ha_settings()["mode"]  # synchronized copy
    provider.delete(created.id, created.outs)
    assert sim.primary.ha_settings()["mode"] == {}
    assert sim.backup.ha_settings()["mode"] == {}


def test_delete_without_backup_host_leaves_the_backup_alone(provider, sim):
    _, created = create(provider, sim)
    sim.backup.clear_requests()
    provider.delete(created.id, created.outs)
    assert sim.primary.ha_settings()["mode"] == {}
    assert sim.backup.requests == []


def test_delete_with_retain_writes_nothing(provider, sim):
    _, created = create(provider, sim, on_delete="retain")
    sim.primary.clear_requests()
    provider.delete(created.id, created.outs)
    assert sim.primary.requests == []
    assert "active_standby" in sim.primary.ha_settings()["mode"]


# -- re-addressing and swapped units ---------------------------------------------------


def test_new_address_of_the_same_primary_is_an_update_not_a_replacement(provider, sim):
    inputs, created = create(provider, sim)
    same_unit = sim.primary.host.replace("127.0.0.1", "localhost")
    diff = provider.diff(created.id, created.outs, {**inputs, "primary_host": same_unit})
    # A replacement would create, then delete the old resource: HA off on this very unit.
    assert diff.changes is True and diff.replaces == []
    outs = provider.update(created.id, created.outs, {**inputs, "primary_host": same_unit}).outs
    assert outs["primary_host"] == same_unit and outs["synchronized"] is True
    assert "active_standby" in sim.primary.ha_settings()["mode"]


def test_a_new_primary_address_that_does_not_answer_fails_the_diff_and_keeps_the_pair(
    provider, sim
):
    """A typo in primary_host must not plan a delete-first replacement: that would turn
    HA off on the working unit at the old address before the create fails."""
    inputs, created = create(provider, sim)
    before = sim.primary.ha_settings()
    sim.primary.clear_requests()
    news = {**inputs, "primary_host": "127.0.0.1:9"}  # nothing listens on port 9
    with pytest.raises(SonicHaError) as caught:
        provider.diff(created.id, created.outs, news)
    text = str(caught.value)
    assert "primary_host changed from" in text and "127.0.0.1:9" in text
    assert "nothing was changed" in text and sim.primary.serial in text
    assert sim.primary.writes() == [] and sim.primary.ha_settings() == before


def test_unchanged_diff_makes_no_request_even_with_host_checks(provider, sim):
    inputs, created = create(provider, sim)
    sim.primary.clear_requests()
    assert provider.diff(created.id, created.outs, inputs).changes is False
    assert sim.primary.requests == []


def test_update_refuses_a_unit_with_another_serial_at_the_address(provider, sim):
    inputs, created = create(provider, sim)
    olds = {**created.outs, "primary_serial": "2CB8ED0A0BAD"}
    sim.primary.clear_requests()
    with pytest.raises(ApplianceError) as caught:
        provider.update("2CB8ED0A0BAD", olds, {**inputs, "preempt": True})
    text = str(caught.value)
    assert f"answers with serial {PRIMARY_SERIAL}, but the resource manages 2CB8ED0A0BAD" in text
    assert "pulumi state delete" in text
    assert sim.primary.writes() == []


def test_delete_leaves_a_unit_with_another_serial_alone_and_completes(provider, sim, caplog):
    """A unit replaced under warranty at the same address: nothing is written to it, the
    user is warned, and the delete completes (no `pulumi state delete` needed)."""
    _, created = create(provider, sim)
    sim.primary.clear_requests()
    with caplog.at_level("WARNING", logger="pulumi_sonicha"):
        provider.delete("2CB8ED0A0BAD", {**created.outs, "primary_serial": "2CB8ED0A0BAD"})
    assert "not going to turn HA off on another unit" in caplog.text
    assert "removed from the stack anyway" in caplog.text
    assert "active_standby" in sim.primary.ha_settings()["mode"]
    assert sim.primary.writes() == []


def test_delete_says_when_only_the_primary_was_turned_off(provider, sim):
    _, created = create(provider, sim, backup_host=sim.backup.host)
    sim.backup.fail(
        "PUT", "/high-availability/base", status=400, code="E_INVALID_VALUE", times=None
    )
    with pytest.raises(Exception) as caught:
        provider.delete(created.id, created.outs)
    assert "HA is off on the Primary now, but turning it off on the Backup failed" in str(
        caught.value
    )
    assert sim.primary.ha_settings()["mode"] == {}


def test_adopting_a_pair_as_it_is_still_waits_for_the_backup(provider, sim):
    create(provider, sim)
    sim.uncable("X5")
    sim.primary.clear_requests()
    with pytest.raises(SyncTimeoutError) as caught:
        create(provider, sim, sync_timeout_s=1.0)
    assert "Nothing was changed on the unit" in str(caught.value)
    assert sim.primary.writes() == []


# -- the Backup is the other unit -------------------------------------------------------


@pytest.mark.parametrize(
    ("primary_host", "backup_host", "shown"),
    [
        ("fw1.example", "fw1.example", "fw1.example"),
        ("fw1.example", "HTTPS://FW1.EXAMPLE/", "FW1.EXAMPLE"),
        ("fw1.example", "FW1.example:443", "FW1.example:443"),
        ("https://fw1.example:443", "fw1.example", "fw1.example"),
    ],
)
def test_check_refuses_backup_host_spelling_the_primary_host(
    provider, sim, primary_host, backup_host, shown
):
    """Case and the HTTPS default port do not make another unit; no request is made."""
    result = provider.check(
        {}, program_inputs(sim, primary_host=primary_host, backup_host=backup_host)
    )
    primary = primary_host.removeprefix("https://")
    assert [(f.property, f.reason) for f in result.failures] == [
        (
            "backup_host",
            f"HaPair on {primary}: backup_host is the same address as primary_host"
            f" ({shown}); set backup_host to the Backup unit's address",
        )
    ]
    assert sim.primary.requests == []


def test_create_refuses_a_backup_host_answering_with_the_primarys_serial(provider, sim):
    """Two addresses of one unit (127.0.0.1:port, localhost:port): the serials tell."""
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, backup_host=f"localhost:{sim.primary.port}")
    assert str(caught.value) == (
        f"localhost:{sim.primary.port} (serial {PRIMARY_SERIAL}): primary_host"
        f" {sim.primary.host} and backup_host localhost:{sim.primary.port} reach the same"
        " unit; set backup_host to the address of the Backup, the other unit of the pair"
    )
    assert sim.primary.writes() == [] and sim.backup.requests == []
