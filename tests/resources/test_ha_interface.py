"""HaInterface provider methods against the simulator: preparing the HA link."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_sonicha.errors import ApplianceError, ApplianceUnreachableError
from pulumi_sonicha.providers.base import BACKUP_REACH_HINT, with_backup_hint
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator

from ..conftest import INSTANCE_ID, provider_with, settings_for

PRIMARY_SERIAL = "2CB8ED0A1B2C"
BACKUP_SERIAL = "2CB8ED0A9F00"
LINK_UP = "1 Gbps Full Duplex"
X3_PRIMARY = {"zone": "LAN", "mode": {"static": {"ip": "10.0.3.1", "netmask": "255.255.255.0"}}}
X3_BACKUP = {"zone": "LAN", "mode": {"static": {"ip": "10.0.3.2", "netmask": "255.255.255.0"}}}
COMMIT = ("POST", "/api/sonicos/config/pending")
CONFIG_MODE = ("POST", "/api/sonicos/config-mode")
PUT_INTERFACES = ("PUT", "/api/sonicos/interfaces/ipv4")


@pytest.fixture
def provider(settings: Settings) -> HaInterfaceProvider:
    return provider_with(HaInterfaceProvider, settings)


def program_inputs(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    inputs: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": "x4",
    }
    inputs.update(overrides)
    return inputs


def checked(provider: HaInterfaceProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def create(provider: HaInterfaceProvider, sim: Simulator, **overrides: Any):
    inputs = checked(provider, program_inputs(sim, **overrides))
    return inputs, provider.create(inputs)


def writes(unit) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in unit.writes()]


def unassign_put(before: dict[str, Any]) -> tuple[str, str, Any]:
    """The PUT that unassigns an interface: the whole object as read (a PUT replaces it),
    zone removed."""
    return (*PUT_INTERFACES, {"interfaces": [{"ipv4": {**before, "ip_assignment": {}}}]})


def unassign_writes(before: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """Config mode, the unassigning PUT, the commit."""
    return [(*CONFIG_MODE, {}), unassign_put(before), (*COMMIT, {})]


def write_bodies(unit) -> list[tuple[str, str, Any]]:
    return [(r.method, r.path, r.body) for r in unit.writes()]


def unit_name(unit, serial: str) -> str:
    return f"{unit.host} (serial {serial})"


def ha_pair_inputs(pair: HaPairProvider, sim: Simulator, **extra: Any) -> dict[str, Any]:
    """An HaPair whose data link is X4 (control X5), checked as the engine would."""
    news = {
        "primary_host": sim.primary.host,
        "backup_serial": BACKUP_SERIAL,
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        **extra,
    }
    result = pair.check({}, news)
    assert result.failures == []
    return result.inputs


@pytest.fixture
def x3_cabled(sim: Simulator) -> Simulator:
    """X3 (zone LAN with a static IP on both units) cabled unit to unit."""
    sim.cable("X3")
    return sim


# -- check ------------------------------------------------------------------------


def test_check_normalizes_and_fills_defaults_without_any_request(provider, sim):
    inputs = checked(
        provider,
        program_inputs(sim, primary_host=f"https://{sim.primary.host}/", purpose="DATA"),
    )
    assert inputs == {
        "primary_host": sim.primary.host,
        "setup_host": None,
        "backup_host": sim.backup.host,
        "interface": "X4",
        "purpose": "data",
        "unassign_zone": False,
        "require_link": True,
        "primary_zone": "Unassigned",
        "backup_zone": "Unassigned",
    }
    assert sim.primary.requests == [] and sim.backup.requests == []


def test_check_failures_name_field_and_fix_without_any_request(provider, sim):
    host = sim.primary.host
    label = f"HaInterface on {host}"
    result = provider.check(
        {},
        {
            "primary_host": host,
            "backup_host": sim.backup.host,
            "interface": "X99",
            "purpose": "both",
            "unassign_zone": "yes",
            "require_link": 1,
            "primary_zone": "DMZ",
        },
    )
    assert [(f.property, f.reason) for f in result.failures] == [
        (
            "interface",
            f"{label}: interface must be an interface name such as X0..X31, U0, V0, W0 or MGMT,"
            " got 'X99'",
        ),
        ("purpose", f'{label}: purpose must be one of "data", "control", got \'both\''),
        ("unassign_zone", f"{label}: unassign_zone must be true or false, got 'yes'"),
        ("require_link", f"{label}: require_link must be true or false, got 1"),
        (
            "primary_zone",
            f'{label}: primary_zone must be "Unassigned" (an HA link carries no zone), got'
            " 'DMZ'; leave it out, and set unassign_zone=true to have the zone removed",
        ),
    ]
    assert sim.primary.requests == [] and sim.backup.requests == []


def test_check_refuses_the_same_host_twice(provider, sim):
    host = sim.primary.host
    result = provider.check(
        {}, program_inputs(sim, backup_host=f"HTTPS://{host.upper()}/", interface="X4")
    )
    assert [(f.property, f.reason) for f in result.failures] == [
        (
            "backup_host",
            f"HaInterface on {host}: backup_host is the same address as primary_host"
            f" ({host}); set backup_host to the Backup unit's address",
        )
    ]
    result = provider.check({}, program_inputs(sim, primary_host="fw1", backup_host="FW1:443"))
    assert [f.property for f in result.failures] == ["backup_host"]
    assert sim.primary.requests == []


def test_check_requires_hosts_and_interface(provider, sim):
    result = provider.check({}, {})
    assert [(f.property, f.reason) for f in result.failures] == [
        (
            "primary_host",
            "HaInterface: primary_host is required (a host name or address, optionally with :port)",
        ),
        (
            "backup_host",
            "HaInterface: backup_host is required (a host name or address, optionally with :port)",
        ),
        (
            "interface",
            "HaInterface: interface is required (an interface name such as X0..X31, U0, V0, W0"
            " or MGMT)",
        ),
    ]


def test_check_skips_unknown_values_in_preview(provider, sim):
    result = provider.check({}, program_inputs(sim, interface=Unknown()))
    assert result.failures == []
    assert isinstance(result.inputs["interface"], Unknown)
    assert result.inputs["unassign_zone"] is False
    result = provider.check({}, program_inputs(sim, backup_host=Unknown()))
    assert result.failures == []


# -- create -------------------------------------------------------------------------


def test_create_on_an_unassigned_cabled_interface_writes_nothing(provider, sim):
    inputs, result = create(provider, sim)
    assert result.id == f"{PRIMARY_SERIAL}/X4"
    assert result.outs == {
        **inputs,
        "primary_serial": PRIMARY_SERIAL,
        "primary_serial_declared": False,
        "backup_serial": BACKUP_SERIAL,
        "primary_link": LINK_UP,
        "backup_link": LINK_UP,
        "primary_zone": "Unassigned",
        "backup_zone": "Unassigned",
        "previous_zones": {},
        "previous_ip_assignments": {},
        "instance_id": INSTANCE_ID,
    }
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    assert sim.primary.zone("X4") == "Unassigned" and sim.backup.zone("X4") == "Unassigned"
    # One session on each unit, held at the same time, closed afterwards.
    assert sim.primary.sessions_opened == 1 and sim.backup.sessions_opened == 1
    assert sim.primary.pending() == {} and sim.backup.pending() == {}


def test_create_with_unassign_zone_unassigns_both_units_and_remembers_the_zones(
    provider, x3_cabled
):
    sim = x3_cabled
    before = {"primary": sim.primary.interface("X3"), "backup": sim.backup.interface("X3")}
    _, result = create(provider, sim, interface="X3", unassign_zone=True)
    assert sim.primary.zone("X3") == "Unassigned" and sim.backup.zone("X3") == "Unassigned"
    assert sim.primary.interface("X3")["ip_assignment"] == {}
    assert result.id == f"{PRIMARY_SERIAL}/X3"
    assert result.outs["previous_zones"] == {"primary": "LAN", "backup": "LAN"}
    assert result.outs["previous_ip_assignments"] == {"primary": X3_PRIMARY, "backup": X3_BACKUP}
    assert (result.outs["primary_zone"], result.outs["backup_zone"]) == (
        "Unassigned",
        "Unassigned",
    )
    for role, unit in (("primary", sim.primary), ("backup", sim.backup)):
        assert write_bodies(unit) == unassign_writes(before[role])
        # Every other setting of the interface is as it was (the PUT replaced it whole).
        assert unit.interface("X3") == {**before[role], "ip_assignment": {}}


def test_create_with_unassign_zone_changes_only_the_zoned_unit(provider, sim):
    sim.backup.set_zone("X4", "DMZ")
    _, result = create(provider, sim, unassign_zone=True)
    assert sim.backup.zone("X4") == "Unassigned"
    assert result.outs["previous_zones"] == {"backup": "DMZ"}
    assert result.outs["previous_ip_assignments"] == {"backup": {"zone": "DMZ"}}
    assert sim.primary.writes() == []
    assert writes(sim.backup) == [CONFIG_MODE, PUT_INTERFACES, COMMIT]


def test_create_without_unassign_zone_fails_on_a_zoned_interface_naming_zone_unit_and_fix(
    provider, x3_cabled
):
    sim = x3_cabled
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, interface="X3")
    assert str(caught.value) == (
        f"{unit_name(sim.primary, PRIMARY_SERIAL)}: interface X3 on the Primary is in zone LAN;"
        " an HA link must be in zone Unassigned. Set unassign_zone=true to have it unassigned"
        " (and restored on delete), or set the zone of X3 to Unassigned on the Primary yourself"
    )
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    assert sim.primary.zone("X3") == "LAN" and sim.backup.zone("X3") == "LAN"


def test_create_without_unassign_zone_names_the_backup_when_only_it_is_zoned(provider, sim):
    sim.backup.set_zone("X4", "DMZ")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim)
    assert str(caught.value).startswith(
        f"{unit_name(sim.backup, BACKUP_SERIAL)}: interface X4 on the Backup is in zone DMZ;"
    )
    assert sim.primary.writes() == [] and sim.backup.writes() == []


def test_create_fails_when_the_interface_is_missing_on_the_primary(provider, sim):
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, interface="X9", unassign_zone=True)
    assert str(caught.value) == (
        f"{unit_name(sim.primary, PRIMARY_SERIAL)}: interface X9 not found on the Primary; set"
        " interface to a port that exists on both units (e.g. X4), the same name on each"
    )
    assert sim.primary.writes() == [] and sim.backup.writes() == []


def test_create_fails_when_the_interface_is_missing_on_the_backup(provider, sim):
    sim.primary.set_zone("X4", "LAN")
    sim.backup.remove_interface("X4")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, unassign_zone=True)
    assert str(caught.value) == (
        f"{unit_name(sim.backup, BACKUP_SERIAL)}: interface X4 not found on the Backup; set"
        " interface to a port that exists on both units (e.g. X4), the same name on each"
    )
    # Nothing staged on the Primary either: everything is checked before any write.
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    assert sim.primary.zone("X4") == "LAN"


def test_create_refuses_the_same_address_twice_without_a_request(provider, sim):
    inputs = checked(provider, program_inputs(sim))
    inputs["backup_host"] = inputs["primary_host"]
    with pytest.raises(ApplianceError) as caught:
        provider.create(inputs)
    assert str(caught.value) == (
        f"{sim.primary.host}: primary_host and backup_host are the same address; set"
        " backup_host to the Backup unit's address"
    )
    assert sim.primary.requests == []


@pytest.mark.parametrize("override", [False, True])
@pytest.mark.parametrize("local_is", ["backup_host", "primary_host"])
def test_create_refuses_two_addresses_of_the_same_unit(sim, override, local_is):
    """127.0.0.1:port and localhost:port are one unit: whichever is logged in to second
    finds the session held (or, with overrideSession, takes it over)."""
    provider = provider_with(HaInterfaceProvider, settings_for(sim, override_session=override))
    sim.primary.set_zone("X4", "LAN")
    local = f"localhost:{sim.primary.port}"
    hosts = {"primary_host": sim.primary.host, "backup_host": sim.primary.host, local_is: local}
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, unassign_zone=True, **hosts)
    assert str(caught.value) == (
        f"{hosts['backup_host']} (serial {PRIMARY_SERIAL}): primary_host"
        f" {hosts['primary_host']} and backup_host {hosts['backup_host']} reach the same unit;"
        " set backup_host to the address of the Backup, the other unit of the pair"
    )
    assert sim.primary.writes() == [] and sim.primary.zone("X4") == "LAN"
    assert sim.backup.requests == []
    # No session was left behind: the unit can be configured right away.
    sim.primary.set_zone("X4", "Unassigned")
    assert create(provider, sim)[1].id == f"{PRIMARY_SERIAL}/X4"


@pytest.mark.parametrize("held", ["first", "second"])
def test_create_reports_another_administrators_session_as_such(provider, sim, held):
    """Sessions are taken in sorted host order; a held session on either stops create."""
    first, second = sorted((sim.primary, sim.backup), key=lambda unit: unit.host)
    unit = first if held == "first" else second
    serial = PRIMARY_SERIAL if unit is sim.primary else BACKUP_SERIAL
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    unit.hold_session("alice")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, unassign_zone=True)
    assert str(caught.value) == (
        f"{unit_name(unit, serial)}: administrator 'alice' (WEB from 192.0.2.10) is configuring"
        " this unit (it holds config mode), so nothing was written. Wait until they are done"
        " and run again, or set sonicha:overrideSession=true to preempt them (their unsaved"
        " changes are lost)"
    )
    # Both units were checked before anything was sent that changes either.
    assert sim.primary.writes() == [] and sim.backup.writes() == []


@pytest.mark.parametrize("held", ["primary", "backup"])
def test_create_with_nothing_to_write_never_disturbs_an_administrator(provider, sim, held):
    """Reads never take config mode: a link already Unassigned is adopted while alice
    keeps configuring, and she keeps config mode."""
    unit = getattr(sim, held)
    unit.hold_session("alice")
    _, result = create(provider, sim, unassign_zone=True)
    assert result.id == f"{PRIMARY_SERIAL}/X4"
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    logins = [r.body for r in unit.requests if (r.method, r.path) == ("POST", "/api/sonicos/auth")]
    assert logins and all(body == {"override": False} for body in logins)
    assert unit._holder() is not None and unit._holder().admin == "alice"


def test_create_requires_the_link_and_says_to_cable_the_units(provider, sim):
    sim.primary.set_zone("X4", "LAN")
    sim.uncable("X4")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, unassign_zone=True)
    assert str(caught.value) == (
        f'{unit_name(sim.primary, PRIMARY_SERIAL)}: interface X4 on the Primary reports "No'
        ' link"; connect X4 on the Primary directly to X4 on the Backup with a cable (no switch'
        " in between), or set require_link=false to skip this check"
    )
    assert sim.primary.writes() == [] and sim.backup.writes() == []
    assert sim.primary.zone("X4") == "LAN"


def test_create_names_the_backup_when_only_its_link_is_down(provider, sim, monkeypatch):
    monkeypatch.setattr(sim.backup, "link_status", lambda name: "No link")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim)
    assert str(caught.value).startswith(
        f'{unit_name(sim.backup, BACKUP_SERIAL)}: interface X4 on the Backup reports "No link";'
        " connect X4 on the Primary directly to X4 on the Backup with a cable"
    )


def test_create_without_require_link_reports_the_link_as_output(provider, sim):
    sim.uncable("X4")
    _, result = create(provider, sim, require_link=False)
    assert (result.outs["primary_link"], result.outs["backup_link"]) == ("No link", "No link")
    assert result.outs["require_link"] is False
    assert sim.primary.writes() == [] and sim.backup.writes() == []


# -- commit on both or neither --------------------------------------------------------


def test_a_failed_backup_commit_puts_the_primary_back(provider, x3_cabled):
    sim = x3_cabled
    before = sim.primary.interface("X3")
    sim.backup.fail("POST", "/config/pending$", status=500, message="Disk full", times=None)
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, interface="X3", unassign_zone=True)
    text = str(caught.value)
    assert text.startswith(
        f"{unit_name(sim.backup, BACKUP_SERIAL)}: unassigning the zone of X3 could not be"
        " committed; the change already committed on the Primary was put back, so neither"
        " unit changed. Try again. Cause: "
    )
    assert "Disk full" in text
    assert sim.primary.interface("X3")["ip_assignment"] == X3_PRIMARY
    assert sim.backup.interface("X3")["ip_assignment"] == X3_BACKUP
    assert write_bodies(sim.primary) == [
        *unassign_writes(before),
        # Put back exactly the object read before (a PUT replaces it).
        (*PUT_INTERFACES, {"interfaces": [{"ipv4": before}]}),
        (*COMMIT, {}),
    ]
    assert sim.primary.interface("X3") == before
    sim.backup.clear_faults()
    assert sim.backup.pending() == {}


def test_a_failed_primary_commit_commits_nothing_anywhere(provider, x3_cabled):
    sim = x3_cabled
    sim.primary.fail("POST", "/config/pending$", status=400, code="E_INVALID_VALUE")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim, interface="X3", unassign_zone=True)
    assert str(caught.value).startswith(
        f"{unit_name(sim.primary, PRIMARY_SERIAL)}: unassigning the zone of X3 could not be"
        " committed; nothing was changed. Try again. Cause: "
    )
    assert sim.primary.zone("X3") == "LAN" and sim.backup.zone("X3") == "LAN"
    assert COMMIT not in writes(sim.backup)


# -- read ---------------------------------------------------------------------------


def test_read_of_an_unchanged_link_returns_what_check_produced(provider, sim):
    inputs, created = create(provider, sim, unassign_zone=True)
    sim.primary.clear_requests()
    sim.backup.clear_requests()
    result = provider.read(created.id, {**created.outs, "__provider": "pickled"})
    assert result.id == created.id
    assert result.inputs == inputs
    assert result.outs == created.outs
    assert provider.diff(created.id, result.outs, inputs).changes is False
    # Digest state is remembered from create: no challenge round trip any more.
    expected = [
        ("POST", "/api/sonicos/auth"),
        ("GET", "/api/sonicos/interfaces/ipv4"),
        ("GET", "/api/sonicos/reporting/interfaces/ipv4/status"),
        ("DELETE", "/api/sonicos/auth"),
    ]
    assert [(r.method, r.path) for r in sim.primary.requests] == expected
    assert [(r.method, r.path) for r in sim.backup.requests] == expected


def test_read_shows_a_zone_set_by_hand_as_drift_on_that_unit(provider, sim):
    inputs, created = create(provider, sim)
    sim.primary.set_zone("X4", "DMZ")
    sim.uncable("X4")  # link status is state, never drift
    result = provider.read(created.id, created.outs)
    assert result.outs["primary_zone"] == "DMZ"
    assert result.inputs["primary_zone"] == "DMZ"
    assert result.outs["backup_zone"] == "Unassigned"
    assert (result.outs["primary_link"], result.outs["backup_link"]) == ("No link", "No link")
    diff = provider.diff(created.id, result.outs, inputs)
    assert diff.changes is True and diff.replaces == []
    assert provider.schema.changed_keys(result.outs, inputs) == ["primary_zone"]


def test_read_of_a_link_whose_interface_is_gone_returns_an_empty_id(provider, sim):
    _, created = create(provider, sim)
    sim.primary.remove_interface("X4")
    sim.backup.clear_requests()
    result = provider.read(created.id, created.outs)
    assert (result.id, result.outs) == ("", {})
    # Both units are read at once (a refresh would take twice as long one by one),
    # so the Backup was read, never written.
    assert sim.backup.writes() == []


def test_read_visits_both_units_at_the_same_time(provider, sim):
    _, created = create(provider, sim)
    sim.primary.latency_s = sim.backup.latency_s = 0.2
    started = time.monotonic()
    result = provider.read(created.id, created.outs)
    elapsed = time.monotonic() - started
    assert result.id == created.id
    # 4 requests per unit at 0.2 s each: ~0.8 s in parallel, ~1.6 s one unit after the other.
    assert elapsed < 1.3


def test_read_of_a_link_whose_interface_is_gone_on_the_backup_shows_drift(provider, sim):
    inputs, created = create(provider, sim)
    sim.backup.remove_interface("X4")
    result = provider.read(created.id, created.outs)
    assert result.id == created.id
    assert (result.outs["backup_zone"], result.outs["backup_link"]) == (None, None)
    assert provider.schema.changed_keys(result.outs, inputs) == ["backup_zone"]


def test_diff_replaces_on_interface_or_host_change(provider, sim):
    inputs, created = create(provider, sim)
    news = checked(provider, program_inputs(sim, interface="X5"))
    diff = provider.diff(created.id, created.outs, news)
    assert (diff.changes, diff.replaces) == (True, ["interface"])
    news = checked(provider, program_inputs(sim, purpose="control"))
    diff = provider.diff(created.id, created.outs, news)
    assert (diff.changes, diff.replaces) == (True, [])


# -- update -------------------------------------------------------------------------


def test_update_unassigns_a_zone_set_back_by_hand_and_keeps_the_original_zones(provider, x3_cabled):
    sim = x3_cabled
    inputs, created = create(provider, sim, interface="X3", unassign_zone=True)
    sim.primary.set_zone("X3", "DMZ")
    by_hand = sim.primary.interface("X3")
    refreshed = provider.read(created.id, created.outs)
    sim.primary.clear_requests()
    sim.backup.clear_requests()
    outs = provider.update(created.id, refreshed.outs, inputs).outs
    assert sim.primary.zone("X3") == "Unassigned"
    assert write_bodies(sim.primary) == unassign_writes(by_hand)
    assert sim.backup.writes() == []
    assert outs == created.outs
    assert outs["previous_zones"] == {"primary": "LAN", "backup": "LAN"}
    assert outs["previous_ip_assignments"]["primary"] == X3_PRIMARY


def test_update_without_unassign_zone_fails_on_a_zone_set_by_hand(provider, sim):
    inputs, created = create(provider, sim)
    sim.backup.set_zone("X4", "LAN")
    refreshed = provider.read(created.id, created.outs)
    with pytest.raises(ApplianceError) as caught:
        provider.update(created.id, refreshed.outs, inputs)
    assert str(caught.value).startswith(
        f"{unit_name(sim.backup, BACKUP_SERIAL)}: interface X4 on the Backup is in zone LAN;"
        " an HA link must be in zone Unassigned. Set unassign_zone=true"
    )
    assert sim.primary.writes() == [] and sim.backup.writes() == []


def test_update_repairing_a_zone_set_by_hand_does_not_record_it(provider, sim):
    """Delete restores what was there before this resource first touched the port
    (Unassigned here), not a zone someone set by hand that an update then repaired."""
    inputs, created = create(provider, sim)
    sim.backup.set_zone("X4", "LAN")
    news = checked(provider, program_inputs(sim, unassign_zone=True, purpose="control"))
    outs = provider.update(created.id, created.outs, news).outs
    assert outs["previous_zones"] == {} and outs["previous_ip_assignments"] == {}
    assert outs["purpose"] == "control" and outs["unassign_zone"] is True
    assert sim.backup.zone("X4") == "Unassigned"
    assert writes(sim.backup) == [CONFIG_MODE, PUT_INTERFACES, COMMIT]
    assert sim.primary.writes() == []
    # ... so delete has nothing to put back: the port stays Unassigned, no request at all.
    sim.backup.clear_requests()
    provider.delete(created.id, outs)
    assert sim.backup.zone("X4") == "Unassigned"
    assert sim.backup.requests == [] and sim.primary.writes() == []


def test_update_of_flags_only_writes_nothing(provider, sim):
    inputs, created = create(provider, sim)
    news = checked(provider, program_inputs(sim, require_link=False, purpose="control"))
    outs = provider.update(created.id, created.outs, news).outs
    assert outs == {**created.outs, "require_link": False, "purpose": "control"}
    assert sim.primary.writes() == [] and sim.backup.writes() == []


# -- delete -------------------------------------------------------------------------


def test_delete_restores_zone_and_ip_settings_on_both_units(provider, x3_cabled):
    sim = x3_cabled
    _, created = create(provider, sim, interface="X3", unassign_zone=True)
    provider.delete(created.id, created.outs)
    assert sim.primary.interface("X3")["ip_assignment"] == X3_PRIMARY
    assert sim.backup.interface("X3")["ip_assignment"] == X3_BACKUP


def test_delete_sends_integers_for_numbers_state_turned_into_floats(provider, sim):
    sim.primary.set_zone("X4", "LAN")
    _, created = create(provider, sim, unassign_zone=True)
    outs = dict(created.outs)
    outs["previous_ip_assignments"] = {"primary": {"zone": "LAN", "mode": {"mtu": 1500.0}}}
    sim.primary.clear_requests()
    provider.delete(created.id, outs)
    body = write_bodies(sim.primary)[1][2]
    sent = body["interfaces"][0]["ipv4"]["ip_assignment"]
    assert sent == {"zone": "LAN", "mode": {"mtu": 1500}}
    assert type(sent["mode"]["mtu"]) is int  # 1500.0 == 1500: compare the type too


def test_delete_of_a_link_it_did_not_change_sends_no_request(provider, sim):
    _, created = create(provider, sim)
    sim.primary.clear_requests()
    sim.backup.clear_requests()
    provider.delete(created.id, created.outs)
    assert sim.primary.requests == [] and sim.backup.requests == []


def test_delete_leaves_a_zone_the_administrator_set_since(provider, x3_cabled, caplog):
    sim = x3_cabled
    _, created = create(provider, sim, interface="X3", unassign_zone=True)
    sim.primary.set_zone("X3", "DMZ")
    sim.primary.clear_requests()
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        provider.delete(created.id, created.outs)
    assert sim.primary.zone("X3") == "DMZ"
    assert sim.primary.writes() == []
    assert sim.backup.interface("X3")["ip_assignment"] == X3_BACKUP
    assert [r.getMessage() for r in caplog.records] == [
        f"{sim.primary.host} (serial {PRIMARY_SERIAL}): X3 on the Primary is in zone DMZ, set"
        " after HaInterface unassigned it; left as it is (zone LAN not restored)"
    ]


# -- HaPair needs the link prepared ---------------------------------------------------------


def test_ha_pair_fails_on_a_zoned_data_interface_and_works_once_the_link_is_prepared(settings, sim):
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    pair = provider_with(HaPairProvider, settings)
    pair_inputs = ha_pair_inputs(pair, sim)
    with pytest.raises(ApplianceError) as caught:
        pair.create(pair_inputs)
    assert str(caught.value) == (
        f"{unit_name(sim.primary, PRIMARY_SERIAL)}: the Primary refused the HA settings,"
        " nothing was changed (PUT /high-availability/base rejected: Interface X4 is in zone"
        " LAN; the HA data interface must be in zone Unassigned). Fix: an HA link"
        " (control_interface / data_interface) must be in zone Unassigned on both units:"
        " declare an HaInterface for it with unassign_zone=True and pass its `interface`"
        " output, or set the zone to Unassigned by hand [E_INVALID_VALUE]"
    )
    assert sim.primary.ha_settings()["mode"] == {}

    link = provider_with(HaInterfaceProvider, settings)
    create(link, sim, unassign_zone=True)
    result = pair.create(pair_inputs)
    assert result.outs["synchronized"] is True
    assert sim.primary.ha_settings()["mode"]["active_standby"]["data_interface"] == "X4"


def test_teardown_in_reverse_order_restores_the_zones_on_both_units(settings, sim):
    """HaPair (with backup_host) then HaInterface: the Backup's synchronized HA copy
    would otherwise keep X4 as its data link and refuse the zone back."""
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    link = provider_with(HaInterfaceProvider, settings)
    _, link_created = create(link, sim, unassign_zone=True)
    pair = provider_with(HaPairProvider, settings)
    pair_inputs = ha_pair_inputs(pair, sim, backup_host=sim.backup.host)
    pair_created = pair.create(pair_inputs)
    assert sim.backup.ha_settings()["mode"]["active_standby"]["data_interface"] == "X4"

    pair.delete(pair_created.id, pair_created.outs)
    link.delete(link_created.id, link_created.outs)
    assert (sim.primary.zone("X4"), sim.backup.zone("X4")) == ("LAN", "LAN")
    assert sim.primary.ha_settings()["mode"] == {} == sim.backup.ha_settings()["mode"]


def test_new_addresses_of_the_same_units_are_an_update_not_a_replacement(provider, sim):
    inputs, created = create(provider, sim)
    news = {
        **inputs,
        "primary_host": sim.primary.host.replace("127.0.0.1", "localhost"),
        "backup_host": sim.backup.host.replace("127.0.0.1", "localhost"),
    }
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes is True and diff.replaces == []
    # Another interface is another link: that one replaces.
    diff = provider.diff(created.id, created.outs, {**news, "interface": "X5"})
    assert diff.replaces == ["interface"]


def test_delete_leaves_a_unit_with_another_serial_alone_and_completes(
    provider, x3_cabled, caplog
):
    """The Primary replaced at the same address: its port is not touched, the Backup's
    zone is still put back, and the delete completes with a warning."""
    sim = x3_cabled
    _, created = create(provider, sim, interface="X3", unassign_zone=True)
    olds = {**created.outs, "primary_serial": "2CB8ED0A0BAD"}
    sim.primary.clear_requests()
    with caplog.at_level("WARNING", logger="pulumi_sonicha"):
        provider.delete(created.id, olds)
    assert "not going to restore a zone on another unit" in caplog.text
    assert sim.primary.zone("X3") == "Unassigned" and sim.primary.writes() == []
    assert sim.backup.zone("X3") == created.outs["previous_zones"]["backup"]


def test_delete_restores_both_units_or_neither_and_says_why(settings, sim, caplog):
    """The Backup still holds a synchronized HA copy naming X4 (its HaPair had no
    backup_host): it refuses the zone, so nothing is restored on either unit, the
    delete completes (a destroy must finish), and a warning says why and what to do."""
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    link = provider_with(HaInterfaceProvider, settings)
    _, created = create(link, sim, unassign_zone=True)
    pair = provider_with(HaPairProvider, settings)
    pair_inputs = ha_pair_inputs(pair, sim)
    pair_created = pair.create(pair_inputs)
    pair.delete(pair_created.id, pair_created.outs)  # HA off on the Primary only
    sim.primary.clear_requests()
    sim.backup.clear_requests()

    with caplog.at_level("WARNING", logger="pulumi_sonicha"):
        link.delete(created.id, created.outs)
    text = caplog.text
    # The HA copy on the Backup names X4: no zone is even staged on either unit.
    assert "X4 is the HA data link of the pair on the Backup" in text
    assert "zone LAN was not put back on either unit" in text
    assert "with a backup_host on the Backup too" in text
    assert (sim.primary.zone("X4"), sim.backup.zone("X4")) == ("Unassigned", "Unassigned")
    assert sim.primary.pending() == {} == sim.backup.pending()
    for unit in (sim.primary, sim.backup):
        assert "/api/sonicos/interfaces/ipv4" not in [r.path for r in unit.writes()]


def test_delete_sets_the_primary_back_when_the_backup_commit_fails(provider, x3_cabled):
    sim = x3_cabled
    _, created = create(provider, sim, interface="X3", unassign_zone=True)
    sim.backup.fail("POST", "/config/pending$", status=500, times=None)
    with pytest.raises(ApplianceError) as caught:
        provider.delete(created.id, created.outs)
    assert "the Primary was set back to Unassigned, so neither unit changed" in str(caught.value)
    sim.backup.clear_faults()
    assert (sim.primary.zone("X3"), sim.backup.zone("X3")) == ("Unassigned", "Unassigned")
    # Run again once the Backup is healthy: both restored.
    provider.delete(created.id, created.outs)
    assert (sim.primary.zone("X3"), sim.backup.zone("X3")) == ("LAN", "LAN")


def test_a_primary_failure_while_the_backup_session_is_open_gets_no_backup_advice(sim):
    """Both sessions are open while the link is checked: the Primary not answering then
    is the Primary's failure, named as such, without "declare an HaMonitoring ... as
    backup_host" (that advice is for the Backup not answering)."""
    provider = provider_with(HaInterfaceProvider, settings_for(sim, max_retries=0))
    sim.primary.drop("GET", ".*/reporting/interfaces/ipv4/status", times=None)
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(checked(provider, program_inputs(sim)))
    text = str(caught.value)
    assert caught.value.host == sim.primary.host and text.startswith(sim.primary.host)
    assert BACKUP_REACH_HINT.split(":")[0] not in text
    # The hint makes a new error of the same class; the original keeps its text.
    hinted = with_backup_hint(caught.value, sim.backup.host)
    assert type(hinted) is ApplianceUnreachableError and hinted is not caught.value
    assert hinted.message.endswith(BACKUP_REACH_HINT.format(host=sim.backup.host))
    assert hinted.host == caught.value.host and caught.value.message == text
