"""Issue 10: the SonicOS API as the vendor publishes it, at the client and provider levels.

Each section is one item of the issue: config mode, authentication, link status,
HA status (with the progress lines and the early "no heartbeat" failure),
whole-object writes, firmware differences, Active/Active DPI, interfaces,
restart_required. The simulator follows the vendor (see its module docstring),
and every exchange is checked against tests/sonicos_api_schema.py besides.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.errors import (
    ApiDisabledError,
    ConfigModeHeldError,
    NoHeartbeatError,
    SessionHeldError,
    TooManySessionsError,
)
from pulumi_sonicha.models import ha_pair as pair_model
from pulumi_sonicha.providers import ha_pair as ha_pair_provider
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import DEFAULT_HA, FIRMWARES, Simulator
from pulumi_sonicha.simulator.server import Response
from pulumi_sonicha.sonicos import SonicOSClient, parse_interfaces

from ..conftest import provider_with, settings_for

PRIMARY_SERIAL = "2CB8ED0A1B2C"
BACKUP_SERIAL = "2CB8ED0A9F00"
API = "/api/sonicos"
LOGIN = ("POST", f"{API}/auth")
CONFIG_MODE = ("POST", f"{API}/config-mode")
NON_CONFIG_MODE = ("POST", f"{API}/non-config-mode")
HA_PUT = ("PUT", f"{API}/high-availability/base")


def calls(unit) -> list[tuple[str, str, int]]:
    return [(r.method, r.path, r.status) for r in unit.requests]


def pair_inputs(provider: HaPairProvider, sim: Simulator, **overrides: Any) -> dict[str, Any]:
    news: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "backup_serial": BACKUP_SERIAL,
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        **overrides,
    }
    result = provider.check({}, news)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def pair_provider(sim: Simulator, **settings: Any) -> HaPairProvider:
    return provider_with(HaPairProvider, settings_for(sim, **settings))


@pytest.fixture
def sim_701() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0, firmware="7.0.1") as simulator:
        yield simulator


# -- 1. config mode -------------------------------------------------------------------------


def test_reads_never_take_config_mode_nor_disturb_an_administrator(sim: Simulator):
    sim.primary.hold_session("alice")
    provider = pair_provider(sim)
    sim.primary.release_session()
    inputs = pair_inputs(provider, sim)
    created = provider.create(inputs)
    sim.primary.hold_session("alice")
    sim.primary.clear_requests()
    read = provider.read(created.id, created.outs)
    assert read.id == PRIMARY_SERIAL
    assert sim.primary.writes() == []  # no config mode taken, nothing written
    assert {str(r.body) for r in sim.primary.requests if (r.method, r.path) == LOGIN} == {
        "{'override': False}"
    }
    assert sim.primary._holder().admin == "alice"  # she keeps configuring


def test_a_write_takes_config_mode_for_the_write_window_only(sim: Simulator):
    provider = pair_provider(sim)
    provider.create(pair_inputs(provider, sim))
    sequence = [(m, p) for m, p, _ in calls(sim.primary)]
    taken, given_back = sequence.index(CONFIG_MODE), sequence.index(NON_CONFIG_MODE)
    assert sequence[taken + 1 : given_back] == [
        HA_PUT,
        ("POST", f"{API}/config/pending"),
        ("GET", f"{API}/high-availability/base"),  # what was committed, read back
    ]
    # The sync wait polls after config mode was given back: nobody is locked out.
    assert all(p.endswith("reporting/high-availability") for _, p in sequence[given_back + 1 : -1])
    assert sim.primary._holder() is None


def test_someone_configuring_fails_the_write_before_anything_is_written(sim: Simulator):
    sim.primary.hold_session("alice", kind="CLI", ip="10.0.0.5")
    provider = pair_provider(sim)
    with pytest.raises(ConfigModeHeldError) as caught:
        provider.create(pair_inputs(provider, sim))
    text = str(caught.value)
    assert "administrator 'alice' (CLI from 10.0.0.5) is configuring this unit" in text
    assert "sonicha:overrideSession=true" in text and "nothing was written" in text
    assert "interrupted" not in text  # alice is not our username
    assert sim.primary.writes() == []
    assert sim.primary.ha_settings() == DEFAULT_HA


def test_override_session_preempts_with_post_config_mode(sim: Simulator):
    sim.primary.hold_session("alice")
    provider = pair_provider(sim, override_session=True)
    outs = provider.create(pair_inputs(provider, sim)).outs
    assert outs["synchronized"] is True
    assert sim.primary.writes()[0].path == f"{API}/config-mode"
    assert sim.primary._holder() is None  # alice was preempted, we gave it back


def test_our_own_username_holding_config_mode_is_probably_an_interrupted_run(sim: Simulator):
    """#12.2: the unit names the administrator 'admin', the username we log in with."""
    sim.primary.hold_session(sim.username, kind="API", ip="127.0.0.1")
    provider = pair_provider(sim)
    with pytest.raises(ConfigModeHeldError) as caught:
        provider.create(pair_inputs(provider, sim))
    text = str(caught.value)
    assert "administrator 'admin' (API from 127.0.0.1) is configuring this unit" in text
    assert "probably an interrupted earlier run of ours" in text
    assert "wait for the unit's inactivity timer (5 min)" in text
    assert "log that session out on the unit" in text
    assert "sonicha:overrideSession=true" in text
    assert sim.primary.writes() == []


def test_an_abandoned_api_session_is_503_and_override_takes_it_over(sim: Simulator):
    """A killed run left its API session: the unit refuses another one (503, too many
    sessions); the error says what it probably is and how to clear it."""
    sim.primary.abandon_api_session()
    settings = settings_for(sim)
    with pytest.raises(TooManySessionsError) as caught:
        with SonicOSClient(sim.primary.host, settings).session():
            pass
    text = str(caught.value)
    assert "HTTP 503: too many sessions" in text
    assert "probably an interrupted earlier run of ours" in text
    assert "sonicha:overrideSession=true" in text
    assert [s for _, _, s in calls(sim.primary)] == [401, 503]  # challenge, then no retry
    with SonicOSClient(sim.primary.host, settings_for(sim, override_session=True)).session() as u:
        assert u.system().serial == PRIMARY_SERIAL
    bodies = [r.body for r in sim.primary.requests if (r.method, r.path) == LOGIN]
    assert bodies[-2:] == [{"override": False}, {"override": True}]


def test_a_unit_giving_config_mode_at_login_needs_no_post_config_mode(sim: Simulator):
    sim.primary.login_config_mode = True
    with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
        assert unit.config_mode is True
        whole = unit.ha_settings()
        unit.put_ha_settings({**whole, "heartbeat_interval": 2000})
        unit.commit()
    assert CONFIG_MODE not in [(m, p) for m, p, _ in calls(sim.primary)]
    assert sim.primary.ha_settings()["heartbeat_interval"] == 2000


def test_after_giving_config_mode_back_a_restore_asks_again_who_configures(sim: Simulator):
    """Someone who started configuring during our sync wait is not preempted by the
    restore: the session logs in again to learn who holds config mode."""
    with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
        whole = unit.ha_settings()
        unit.put_ha_settings({**whole, "heartbeat_interval": 2000})
        unit.commit()
        unit.release_config_mode()
        sim.primary.hold_session("bob")
        with pytest.raises(ConfigModeHeldError, match="'bob'"):
            unit.put_ha_settings(whole)
    assert sim.primary._holder().admin == "bob"
    assert sim.primary.ha_settings()["heartbeat_interval"] == 2000


def test_config_mode_taken_away_mid_operation_says_so(sim: Simulator):
    with pytest.raises(SessionHeldError) as caught:
        with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
            whole = unit.ha_settings()
            unit.put_ha_settings({**whole, "heartbeat_interval": 2000})
            sim.primary.hold_session("carol")  # preempts us in the UI
            unit.commit()
    assert "config mode was taken from this session" in str(caught.value)
    assert sim.primary.ha_settings()["heartbeat_interval"] == 1000


# -- 2. authentication ------------------------------------------------------------------------


def test_digest_is_used_when_the_unit_asks_and_remembered_per_unit(sim: Simulator):
    settings = settings_for(sim)
    for _ in range(2):
        with SonicOSClient(sim.primary.host, settings).session() as unit:
            unit.system()
    logins = [s for m, p, s in calls(sim.primary) if (m, p) == LOGIN]
    assert logins == [401, 200, 200]  # one challenge, then Digest from the first request


def test_a_remembered_digest_nonce_the_unit_expired_costs_one_new_challenge(sim: Simulator):
    """The Digest challenge outlives an operation (transport.py says why); a unit that
    has since forgotten the nonce answers stale=true and the login signs again."""
    settings = settings_for(sim)
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        unit.system()
    sim.primary._digest._nonces.clear()  # as NONCE_TTL_S passing would
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        assert unit.system().serial == PRIMARY_SERIAL
    logins = [s for m, p, s in calls(sim.primary) if (m, p) == LOGIN]
    assert logins == [401, 200, 401, 200]


def test_basic_is_used_when_the_unit_accepts_it():
    with Simulator(sync_seconds=0, auth="basic") as sim:
        with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
            assert unit.system().serial == PRIMARY_SERIAL
        assert calls(sim.primary) == [
            (*LOGIN, 200),
            ("GET", f"{API}/version", 200),
            ("DELETE", f"{API}/auth", 200),
        ]


def test_a_disabled_api_says_so_and_how_to_enable_it(sim: Simulator):
    sim.primary.api_enabled = False
    with pytest.raises(ApiDisabledError) as caught:
        with SonicOSClient(sim.primary.host, settings_for(sim)).session():
            pass
    text = str(caught.value)
    assert text.startswith(f"{sim.primary.host}: the SonicOS API is disabled on this unit;")
    assert "Device > Settings > Administration > SonicOS API" in text
    assert "administrator" not in text.replace("Administration", "")
    assert caught.value.code == "E_DISABLED" and caught.value.status == 403


def test_a_remembered_digest_never_signs_for_other_credentials(sim: Simulator):
    with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
        unit.system()
    with pytest.raises(Exception, match="rejected the credentials"):
        with SonicOSClient(sim.primary.host, settings_for(sim, password="wrong")).session():
            pass


# -- 3. link status ---------------------------------------------------------------------------


def test_link_comes_from_the_status_list_and_accepts_o70_strings(sim_701: Simulator):
    sim = sim_701
    sim.uncable("X5")
    with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
        up, down = unit.link_status("X4"), unit.link_status("X5")
    assert (up.connected, up.text) == (True, "1 Gbps Full Duplex")
    assert (down.connected, down.text) == (False, "No link")
    assert ("GET", f"{API}/reporting/interfaces/ipv4/status", 200) in calls(sim.primary)


# -- 4. HA status, progress and "no heartbeat" -------------------------------------------------


@pytest.mark.parametrize(
    ("primary", "backup", "synchronized"),
    [
        ("ACTIVE", "STANDBY", True),
        ("STANDBY", "ACTIVE", True),  # after a failover
        ("ACTIVE", "SYNC", False),
        ("ELECTION", "ELECTION", False),
        ("ACTIVE", "NONE", False),
        ("ACTIVE", "ACTIVE", False),
        ("ERROR", "STANDBY", False),
    ],
)
def test_synchronized_means_one_active_and_one_standby(primary, backup, synchronized):
    status = {"status": "Primary Active", "primary_state": primary, "secondary_state": backup}
    assert pair_model.status_outputs(status)["synchronized"] is synchronized


def test_sync_wait_reports_each_state_change_once_with_elapsed_time(caplog, capsys):
    with Simulator(sync_seconds=0.6) as sim:
        provider = pair_provider(sim)
        with caplog.at_level(logging.INFO, logger="pulumi_sonicha"):
            outs = provider.create(pair_inputs(provider, sim, sync_timeout_s=30)).outs
        unit = f"{sim.primary.host} (serial {PRIMARY_SERIAL})"
    assert outs["synchronized"] is True
    lines = [r.getMessage() for r in caplog.records if "HaPair on" in r.getMessage()]
    backups = [line.split("Backup ")[1].split(" (")[0] for line in lines]
    assert backups == ["ELECTION", "SYNC", "STANDBY"]  # one line per change, not per poll
    assert all(line.endswith("of 30 s)") for line in lines)
    assert lines[0].startswith(f"HaPair on {unit}:")
    err = capsys.readouterr().err  # the same lines on stderr, what the engine shows
    assert [line for line in err.splitlines() if "HaPair on" in line] == [
        f"pulumi-sonicha: {line}" for line in lines
    ]


def test_no_heartbeat_fails_early_naming_the_causes_and_restores(sim, monkeypatch):
    monkeypatch.setattr(ha_pair_provider, "no_heartbeat_window", lambda inputs: 0.3)
    sim.uncable("X5")
    provider = pair_provider(sim)
    with pytest.raises(NoHeartbeatError) as caught:
        provider.create(pair_inputs(provider, sim, sync_timeout_s=600))
    text = str(caught.value)
    assert "no heartbeat from the Backup (2CB8ED0A9F00) within 0 s" in text
    assert "waiting up to sync_timeout_s cannot help" in text
    for cause in (
        "powered off",
        "X5 is not cabled directly between the units",
        "backup_serial is not the serial",
        "control interface mismatch",
    ):
        assert cause in text
    assert "The previous HA settings were restored." in text
    assert sim.primary.ha_settings() == DEFAULT_HA


def test_the_no_heartbeat_window_is_the_ha_timers_own():
    inputs = {"heartbeat_interval_ms": 1000, "failover_trigger_level": 5, "election_delay_s": 3}
    assert ha_pair_provider.no_heartbeat_window(inputs) == 8 + 2  # 1 s x 5 + 3 s, 2 s margin
    slow = {"heartbeat_interval_ms": 10000, "failover_trigger_level": 10, "election_delay_s": 60}
    assert ha_pair_provider.no_heartbeat_window(slow) == 160 + 40  # a quarter's margin


# -- 5. whole-object writes --------------------------------------------------------------------


@pytest.mark.parametrize("firmware", sorted(FIRMWARES))
def test_fields_we_do_not_manage_survive_create_update_and_delete(firmware: str):
    """The unit REPLACES the object on PUT: a client sending only its own keys would reset
    these. Read-modify-write keeps them, through every operation."""
    with Simulator(sync_seconds=0, firmware=firmware) as sim:
        extra = {"route_hold_down_time": {"value": 30}, "sdwan_hold_down_time": 12}
        if firmware == "7.2":
            extra["failover_when_aggregate_down"] = True
        else:
            extra["l3_mode"] = {
                "enable": True,
                "primary_ip": "10.9.0.1",
                "secondary_ip": "10.9.0.2",
                "primary_gateway": "10.9.0.254",
                "secondary_gateway": "10.9.0.254",
            }
        sim.primary.set_ha_settings(extra)
        provider = pair_provider(sim)
        inputs = pair_inputs(provider, sim)
        created = provider.create(inputs)
        assert {k: sim.primary.ha_settings()[k] for k in extra} == extra
        updated = provider.update(
            created.id, created.outs, {**inputs, "heartbeat_interval_ms": 2000}
        ).outs
        ha = sim.primary.ha_settings()
        assert {k: ha[k] for k in extra} == extra and ha["heartbeat_interval"] == 2000
        assert ha["mode"]["active_standby"]["primary_serial"] == PRIMARY_SERIAL
        provider.delete(created.id, updated)
        ha = sim.primary.ha_settings()
        assert ha["mode"] == {} and {k: ha[k] for k in extra} == extra


def test_a_failed_sync_writes_back_exactly_what_was_read(sim: Simulator):
    sim.primary.set_ha_settings({"route_hold_down_time": {"value": 45}, "sdwan_hold_down_time": 7})
    before = sim.primary.ha_settings()
    sim.uncable("X5")
    provider = pair_provider(sim)
    with pytest.raises(Exception, match="restored"):
        provider.create(pair_inputs(provider, sim, sync_timeout_s=1))
    puts = [r for r in sim.primary.writes() if (r.method, r.path) == HA_PUT]
    assert puts[-1].body == {"high_availability": before}
    assert sim.primary.ha_settings() == before


# -- 6. firmware differences -------------------------------------------------------------------


def test_7_0_1_never_gets_virtual_mac(sim_701: Simulator):
    sim = sim_701
    provider = pair_provider(sim)
    outs = provider.create(pair_inputs(provider, sim)).outs
    sent = [r for r in sim.primary.writes() if (r.method, r.path) == HA_PUT][0].body
    assert "virtual_mac" not in sent["high_availability"]["mode"]["active_standby"]
    assert "l3_mode" in sent["high_availability"]  # what its GET showed goes back
    assert outs["firmware_version"] == "7.0.1-5145" and outs["virtual_mac"] is False
    read = provider.read(outs["primary_serial"], outs)
    assert provider.diff(read.id, read.outs, pair_inputs(provider, sim)).changes is False


def test_virtual_mac_on_7_0_1_fails_naming_input_and_firmware(sim_701: Simulator):
    sim = sim_701
    provider = pair_provider(sim)
    with pytest.raises(Exception) as caught:
        provider.create(pair_inputs(provider, sim, virtual_mac=True))
    text = str(caught.value)
    assert "virtual_mac=true" in text and "SonicOS 7.0.1-5145" in text
    assert "nothing was written" in text
    assert sim.primary.writes() == []


def test_7_2_keeps_virtual_mac(sim: Simulator):
    provider = pair_provider(sim)
    provider.create(pair_inputs(provider, sim, virtual_mac=True))
    assert sim.primary.ha_settings()["mode"]["active_standby"]["virtual_mac"] is True


# -- 7. Active/Active DPI ----------------------------------------------------------------------


def test_active_active_dpi_sends_dpi_interface_and_no_stateful_synchronization(sim: Simulator):
    provider = pair_provider(sim)
    inputs = pair_inputs(
        provider,
        sim,
        mode="active-active-dpi",
        dpi_interface="x6",
        stateful_synchronization=None,
    )
    created = provider.create(inputs)
    body = [r for r in sim.primary.writes() if (r.method, r.path) == HA_PUT][0].body
    dpi = body["high_availability"]["mode"]["active_active_dpi"]
    assert dpi["dpi_interface"] == [{"id": 1, "interface": "X6"}]
    assert "stateful_synchronization" not in dpi
    assert created.outs["dpi_interface"] == "X6" and created.outs["synchronized"] is True
    read = provider.read(created.id, created.outs)
    assert read.inputs == inputs
    assert provider.diff(created.id, read.outs, inputs).changes is False


# -- 8. interfaces -----------------------------------------------------------------------------


def test_the_physical_interface_is_picked_not_its_vlan(sim: Simulator):
    sim.primary.add_vlan("X4", 40, zone="LAN")
    provider = provider_with(HaInterfaceProvider, settings_for(sim))
    inputs = provider.check(
        {}, {"primary_host": sim.primary.host, "backup_host": sim.backup.host, "interface": "X4"}
    ).inputs
    created = provider.create(inputs)  # X4 itself is Unassigned: nothing to do
    assert created.outs["primary_zone"] == "Unassigned"
    assert sim.primary.writes() == []
    assert sim.primary.interface("X4", vlan=40)["ip_assignment"] == {"zone": "LAN"}


def test_the_single_object_answer_of_6_5_is_accepted(sim: Simulator, monkeypatch):
    x4 = sim.primary.interface("X4")
    original = sim.primary.route

    def route(request):
        if (request.method, request.path) == ("GET", f"{API}/interfaces/ipv4"):
            return Response(200, {"interface": {"ipv4": x4}})  # SonicOS 6.5's shape
        return original(request)

    monkeypatch.setattr(sim.primary, "route", route)
    with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
        assert unit.interface("X4") == x4
    assert parse_interfaces({"interfaces": [{"ipv4": x4}]}) == [x4]
    assert parse_interfaces({}) == []


# -- 9. restart_required -----------------------------------------------------------------------


def test_restart_required_reaches_the_output_and_a_warning(sim: Simulator, caplog, capsys):
    sim.primary.restart_required = "REBOOT"
    provider = pair_provider(sim)
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        outs = provider.create(pair_inputs(provider, sim)).outs
    assert outs["restart_required"] == "REBOOT"
    assert "restart_required=REBOOT" in caplog.text
    assert "restart the Primary" in capsys.readouterr().err
    # A later update that needs no restart keeps saying so until the unit restarts.
    sim.primary.restart_required = "NONE"
    inputs = pair_inputs(provider, sim)
    updated = provider.update(outs["primary_serial"], outs, {**inputs, "preempt": True}).outs
    assert updated["restart_required"] == "REBOOT"


def test_no_restart_required_is_none(sim: Simulator):
    provider = pair_provider(sim)
    assert provider.create(pair_inputs(provider, sim)).outs["restart_required"] == "NONE"


# -- 10. conformance ---------------------------------------------------------------------------


def test_the_conformance_check_catches_a_field_the_vendor_does_not_define(
    sim_701: Simulator, api_conformance
):
    """The suite-wide check is live: a virtual_mac sent to a 7.0.1 unit is recorded."""
    sim = sim_701
    with SonicOSClient(sim.primary.host, settings_for(sim)).session() as unit:
        whole = copy.deepcopy(unit.ha_settings())
        whole["mode"] = {
            "active_standby": {
                "secondary_serial": BACKUP_SERIAL,
                "control_interface": "X5",
                "virtual_mac": True,
            }
        }
        with pytest.raises(Exception, match="virtual_mac"):
            unit.put_ha_settings(whole)
    found = [v for v in api_conformance.violations if "high-availability/base" in v]
    assert found and "request body" in found[0]
    api_conformance.violations.clear()  # seen: this test sent it on purpose


def test_every_simulated_path_is_in_the_schema(sim: Simulator):
    from ..sonicos_api_schema import endpoints

    known = {(e.method, e.path) for e in endpoints("7.2")}
    served = set()
    for pattern, methods in sim.primary._router._routes:
        path = pattern.pattern.removeprefix(API).removesuffix("/?")
        served |= {(method, path.replace("(?P<name>[^/]+)", "[^/]+")) for method in methods}
    assert served == known  # nothing served unchecked, nothing in the schema unserved


def test_settings_unchanged_need_no_write(settings: Settings, sim: Simulator):
    provider = provider_with(HaPairProvider, settings)
    inputs = pair_inputs(provider, sim)
    created = provider.create(inputs)
    sim.primary.clear_requests()
    provider.update(created.id, created.outs, inputs)
    assert sim.primary.writes() == []


def test_a_person_configuring_during_the_wait_is_not_preempted_by_the_restore(
    sim: Simulator, monkeypatch
):
    """Config mode was given back before the wait; bob took it meanwhile. The restore
    asks the unit again, finds bob, and leaves him alone: the error says the new
    settings stay and why."""
    sim.uncable("X5")
    original = sim.primary.route

    def route(request):
        if request.path.endswith("/reporting/high-availability") and sim.primary._holder() is None:
            sim.primary.hold_session("bob")
        return original(request)

    monkeypatch.setattr(sim.primary, "route", route)
    provider = pair_provider(sim)
    with pytest.raises(Exception) as caught:
        provider.create(pair_inputs(provider, sim, sync_timeout_s=1))
    text = str(caught.value)
    assert "Putting the previous HA settings back failed too" in text
    assert "administrator 'bob' (WEB from 192.0.2.10) is configuring this unit" in text
    assert "this write was not sent (what this operation committed before stays committed)" in text
    assert "so the new ones stay committed" in text
    assert sim.primary._holder().admin == "bob"
    assert sim.primary.ha_settings()["mode"]["active_standby"]["control_interface"] == "X5"


def test_a_unit_switched_from_digest_to_basic_is_followed(sim: Simulator):
    settings = settings_for(sim)
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        unit.system()
    sim.primary.auth = "basic"  # an administrator turned session security off
    with SonicOSClient(sim.primary.host, settings).session() as unit:
        assert unit.system().serial == PRIMARY_SERIAL
    logins = [s for m, p, s in calls(sim.primary) if (m, p) == LOGIN]
    assert logins == [401, 200, 401, 200]  # the stale Digest refused, then Basic
