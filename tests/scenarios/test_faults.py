"""The fault matrix: what each fault leaves on the appliance, and what the error says.

Every row injects one fault into the simulator, runs a provider operation, and
asserts both halves of the guarantee: the committed state ends exactly as
before or exactly as declared (never half-applied, nothing left pending), and
the error text says what happened and what to do.

Timeouts need care. The simulator's `hang` processes the request after
sleeping, like a slow real server, and the client retries read timeouts on
every method. So a timed-out commit is retried (and the late original finds
its work done or its session gone), while a timed-out commit without retries
is genuinely ambiguous to the client: the unit may have applied it or not.
Here the late commit arrives after the provider discarded and logged out, so
the unit ends unchanged, and the error says either outcome was possible.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import trustme

from pulumi_sonicha import portal, transport
from pulumi_sonicha.errors import (
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    CommitUncertainError,
    PortalError,
    PortalUnreachableError,
    SessionHeldError,
    SyncTimeoutError,
)
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.simulator import (
    DEFAULT_HA,
    INTERFACES,
    SEED_ASSOCIATION_ID,
    ApplianceSim,
    RequestRecord,
    Simulator,
)

from ..conftest import provider_with, settings_for

PRIMARY_SERIAL = "2CB8ED0A1B2C"
BACKUP_SERIAL = "2CB8ED0A9F00"
API = "/api/sonicos"
LOGIN = ("POST", f"{API}/auth")
LOGOUT = ("DELETE", f"{API}/auth")
HA_PUT = ("PUT", f"{API}/high-availability/base")
COMMIT = ("POST", f"{API}/config/pending")
CONFIG_MODE = ("POST", f"{API}/config-mode")
DISCARD = ("DELETE", f"{API}/config/pending")
HA_STATUS = ("GET", f"{API}/reporting/high-availability")
ASSOCIATE = ("POST", "/api/v1/ha-associations")
PORTAL_LOGIN = ("POST", "/api/v1/auth/login")
X3_LAN = {
    "primary": {"zone": "LAN", "mode": {"static": {"ip": "10.0.3.1", "netmask": "255.255.255.0"}}},
    "backup": {"zone": "LAN", "mode": {"static": {"ip": "10.0.3.2", "netmask": "255.255.255.0"}}},
}

# The HaPair every row applies: two top-level keys differ from a fresh unit.
PAIR = {
    "backup_serial": "2cb8-ed0a-9f00",
    "control_interface": "X5",
    "data_interface": "X4",
    "stateful_synchronization": True,
    "heartbeat_interval_ms": 2000.0,
}
APPLIED_HA = {
    **DEFAULT_HA,
    "mode": {
        "active_standby": {
            "primary_serial": PRIMARY_SERIAL,  # filled in by the unit
            "secondary_serial": BACKUP_SERIAL,
            "control_interface": "X5",
            "data_interface": "X4",
            "stateful_synchronization": True,
            "preempt": False,
            "virtual_mac": False,
            "encryption": False,
        }
    },
    "heartbeat_interval": 2000,
}
TIMEOUT_TEXT = (  # the providers below wait 0.3 s for an answer
    "no answer within 0.3 seconds (sonicha:timeout); check the unit is up, or raise"
    " sonicha:timeout (SONICHA_TIMEOUT) for a slow link"
)
UNCERTAIN_TEXT = (
    "The commit got no answer, so the unit may have applied all of this operation's changes or"
    " none of them; run `pulumi up` again: it compares with the unit and writes only what still"
    " differs"
)


@pytest.fixture(autouse=True)
def fresh_client_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Ports are reused between simulators: no portal token or insecure warning carries over."""
    portal.forget_tokens()
    monkeypatch.setattr(transport, "_warned_insecure", set())
    yield
    portal.forget_tokens()


# -- helpers ---------------------------------------------------------------------------


def snapshot(sim: Simulator) -> dict[str, Any]:
    """Everything committed on both units that a provider could change."""
    return {
        unit.name: {
            "ha": unit.ha_settings(),
            "interfaces": {name: unit.interface(name) for name in INTERFACES},
        }
        for unit in (sim.primary, sim.backup)
    }


def assert_unchanged(sim: Simulator, before: dict[str, Any]) -> None:
    sim.primary.clear_faults()
    sim.backup.clear_faults()
    assert snapshot(sim) == before
    assert sim.primary.pending() == {} and sim.backup.pending() == {}


def assert_pair_applied(sim: Simulator) -> None:
    assert sim.primary.ha_settings() == APPLIED_HA
    assert sim.backup.ha_settings() == APPLIED_HA  # synchronized to the Backup
    assert sim.primary.pending() == {} and sim.backup.pending() == {}


def unit(sim_unit: ApplianceSim) -> str:
    serial = PRIMARY_SERIAL if sim_unit.name == "primary" else BACKUP_SERIAL
    return f"{sim_unit.host} (serial {serial})"


def records(server: Any, call: tuple[str, str]) -> list[RequestRecord]:
    return [r for r in server.requests if (r.method, r.path) == call]


def statuses(server: Any, call: tuple[str, str]) -> list[int]:
    return [r.status for r in records(server, call)]


def wait_for(server: Any, call: tuple[str, str], count: int, timeout: float = 5.0) -> None:
    """Wait until `server` has handled `count` such requests (a hung one handles late)."""
    deadline = time.monotonic() + timeout
    while len(records(server, call)) < count:
        assert time.monotonic() < deadline, f"{call} handled {len(records(server, call))} times"
        time.sleep(0.02)


def before_request(
    server: Any, call: tuple[str, str], action: Callable[[], None], times: int | None = 1
) -> None:
    """Run `action` just before `server` handles the next `times` such requests (None: all)."""
    original = server.route
    left = [times]

    def route(request: Any) -> Any:
        if (request.method, request.path) == call and (left[0] is None or left[0] > 0):
            if left[0] is not None:
                left[0] -= 1
            action()
        return original(request)

    server.route = route  # the instance attribute shadows the method the server calls


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pair_provider(sim: Simulator, **settings: Any) -> HaPairProvider:
    values: dict[str, Any] = {"timeout": 1.0, "max_retries": 0, "backoff_factor": 0.01}
    values.update(settings)
    return provider_with(HaPairProvider, settings_for(sim, **values))


def pair_inputs(provider: HaPairProvider, sim: Simulator, **overrides: Any) -> dict[str, Any]:
    result = provider.check({}, {"primary_host": sim.primary.host, **PAIR, **overrides})
    assert result.failures == []
    return result.inputs


def create_pair(sim: Simulator, **settings: Any) -> None:
    provider = pair_provider(sim, **settings)
    provider.create(pair_inputs(provider, sim))


# -- connection refused ----------------------------------------------------------------


def test_connection_refused_on_the_primary_changes_nothing(sim: Simulator):
    port = closed_port()
    provider = pair_provider(sim, max_retries=1)
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(pair_inputs(provider, sim, primary_host=f"127.0.0.1:{port}"))
    assert str(caught.value) == (
        f"127.0.0.1:{port}: POST {API}/auth: cannot connect (refused, reset or unreachable);"
        " check the address and that HTTPS management is enabled on the unit; nothing was"
        " committed"
    )


def test_connection_refused_on_the_backup_stops_before_the_primary_is_written(sim: Simulator):
    """HA is being turned on, so the Backup is checked first: only read from the Primary
    (whether HA is on there), nothing written, and the error says what to check: with HA
    off the Backup is not paired, so it is down or elsewhere (no HaMonitoring advice)."""
    port = closed_port()
    before = snapshot(sim)
    provider = pair_provider(sim)
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(pair_inputs(provider, sim, backup_host=f"127.0.0.1:{port}"))
    text = str(caught.value)
    assert text.startswith(f"127.0.0.1:{port}: POST {API}/auth: cannot connect")
    assert "HA is off at the Primary, so the Backup is not paired" in text
    assert f"that backup_host (127.0.0.1:{port}) is that address" in text
    assert "declare an HaMonitoring" not in text
    assert sim.primary.writes() == []
    assert_unchanged(sim, before)


# -- timeout mid-request ---------------------------------------------------------------


def test_timed_out_write_without_retries_changes_nothing(sim: Simulator):
    before = snapshot(sim)
    provider = pair_provider(sim, timeout=0.3)
    sim.primary.hang(*HA_PUT, seconds=0.8)
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{unit(sim.primary)}: PUT {API}/high-availability/base: {TIMEOUT_TEXT}; nothing was"
        " committed"
    )
    wait_for(sim.primary, HA_PUT, 1)
    assert statuses(sim.primary, HA_PUT) == [401]  # it landed after the logout
    assert records(sim.primary, COMMIT) == []
    assert_unchanged(sim, before)


def test_timed_out_write_is_retried_and_fully_applied(sim: Simulator):
    provider = pair_provider(sim, timeout=0.3, max_retries=2)
    sim.primary.hang(*HA_PUT, seconds=0.8)
    outs = provider.create(pair_inputs(provider, sim)).outs
    assert outs["synchronized"] is True and outs["heartbeat_interval_ms"] == 2000
    wait_for(sim.primary, HA_PUT, 2)
    # The retry was staged and committed; the slow original landed after the logout.
    assert statuses(sim.primary, HA_PUT) == [200, 401]
    assert statuses(sim.primary, COMMIT) == [200]
    assert_pair_applied(sim)


def test_timed_out_commit_without_retries_is_reported_as_uncertain(sim: Simulator):
    before = snapshot(sim)
    provider = pair_provider(sim, timeout=0.3)
    inputs = pair_inputs(provider, sim)
    sim.primary.hang(*COMMIT, seconds=0.8)
    with pytest.raises(CommitUncertainError) as caught:
        provider.create(inputs)
    assert str(caught.value) == (
        f"{unit(sim.primary)}: POST {API}/config/pending: {TIMEOUT_TEXT}. {UNCERTAIN_TEXT}"
    )
    # The provider discarded what it staged and logged out before the slow commit was
    # handled, so that commit found no session: the unit is exactly as before.
    wait_for(sim.primary, COMMIT, 1)
    tail = [(r.method, r.path, r.status) for r in sim.primary.requests[-3:]]
    assert tail == [(*DISCARD, 200), (*LOGOUT, 200), (*COMMIT, 401)]
    assert_unchanged(sim, before)
    # What the message says to do: run again; it applies everything.
    pair_provider(sim).create(inputs)
    assert_pair_applied(sim)


def test_timed_out_commit_is_retried_and_fully_applied(sim: Simulator):
    provider = pair_provider(sim, timeout=0.3, max_retries=2)
    sim.primary.hang(*COMMIT, seconds=0.8)
    provider.create(pair_inputs(provider, sim))
    wait_for(sim.primary, COMMIT, 2)
    assert statuses(sim.primary, COMMIT) == [200, 401]  # the retry, then the slow original
    assert statuses(sim.primary, HA_PUT) == [200]
    assert_pair_applied(sim)


def test_connection_reset_on_the_commit_is_retried_and_fully_applied(sim: Simulator):
    provider = pair_provider(sim, max_retries=2)
    sim.primary.drop(*COMMIT)
    provider.create(pair_inputs(provider, sim))
    assert statuses(sim.primary, COMMIT) == [0, 200]  # 0: dropped without an answer
    assert_pair_applied(sim)


def test_timed_out_read_is_retried(sim: Simulator):
    provider = pair_provider(sim, timeout=0.3, max_retries=1)
    sim.primary.hang("GET", f"{API}/version", seconds=0.6)
    provider.create(pair_inputs(provider, sim))
    wait_for(sim.primary, ("GET", f"{API}/version"), 2)
    assert statuses(sim.primary, ("GET", f"{API}/version")) == [200, 401]
    assert_pair_applied(sim)


# -- 500 on a write, 500 on the commit -------------------------------------------------


def test_500_on_a_write_changes_nothing(sim: Simulator):
    before = snapshot(sim)
    provider = pair_provider(sim, max_retries=2)
    sim.primary.fail(*HA_PUT, status=500, message="Configuration database busy", times=None)
    with pytest.raises(ApplianceError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{unit(sim.primary)}: PUT /high-availability/base failed: Configuration database busy"
        " (HTTP 500, after 2 retries); nothing was committed, try again later [E_INTERNAL]"
    )
    assert (caught.value.status, caught.value.code) == (500, "E_INTERNAL")
    assert statuses(sim.primary, HA_PUT) == [500, 500, 500]
    assert records(sim.primary, COMMIT) == []
    assert_unchanged(sim, before)


def test_500_on_the_commit_changes_nothing(sim: Simulator):
    before = snapshot(sim)
    provider = pair_provider(sim, max_retries=2)
    sim.primary.fail(*COMMIT, status=500, message="Commit failed", times=None)
    with pytest.raises(ApplianceError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{unit(sim.primary)}: POST /config/pending failed: Commit failed (HTTP 500, after 2"
        " retries); nothing was committed, try again later [E_INTERNAL]"
    )
    assert statuses(sim.primary, COMMIT) == [500, 500, 500]
    # What was staged is discarded before logging out.
    assert [(r.method, r.path) for r in sim.primary.requests[-2:]] == [DISCARD, LOGOUT]
    assert_unchanged(sim, before)


def test_transient_500_on_the_commit_is_retried_and_fully_applied(sim: Simulator):
    provider = pair_provider(sim, max_retries=2)
    sim.primary.fail(*COMMIT, status=503, times=2)
    provider.create(pair_inputs(provider, sim))
    assert statuses(sim.primary, COMMIT) == [503, 503, 200]
    assert_pair_applied(sim)


def test_500_on_the_status_after_the_commit_says_the_commit_stays(sim: Simulator):
    """The settings were committed before the failure: the error must not say otherwise."""
    provider = pair_provider(sim, max_retries=1)
    sim.primary.fail(*HA_STATUS, status=500, message="Status unavailable", times=None)
    with pytest.raises(ApplianceError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{unit(sim.primary)}: GET /reporting/high-availability failed: Status unavailable"
        " (HTTP 500, after 1 retries); what this operation committed before stays committed,"
        " try again later [E_INTERNAL]"
    )
    assert_pair_applied(sim)
    # Running again adopts the settings already there: no write, and it succeeds.
    sim.primary.clear_faults()
    sim.primary.clear_requests()
    provider.create(pair_inputs(provider, sim))
    assert sim.primary.writes() == []


# -- session held by another administrator --------------------------------------------


def test_held_session_without_override_changes_nothing_and_names_the_fix(sim: Simulator):
    provider = pair_provider(sim)
    inputs = pair_inputs(provider, sim)
    created = provider.create(inputs)
    before = snapshot(sim)
    sim.primary.clear_requests()
    sim.primary.hold_session("alice")
    with pytest.raises(SessionHeldError) as caught:
        provider.update(created.id, created.outs, {**inputs, "preempt": True})
    assert str(caught.value) == (
        f"{unit(sim.primary)}: administrator 'alice' (WEB from 192.0.2.10) is configuring this"
        " unit (it holds config mode), so nothing was written. Wait until they are done and run"
        " again, or set sonicha:overrideSession=true to preempt them (their unsaved changes are"
        " lost)"
    )
    # Logged in (200, non-config mode), read, and failed before any write.
    assert statuses(sim.primary, LOGIN) == [200]
    assert sim.primary.writes() == []
    assert sim.primary._holder().admin == "alice"  # still hers
    assert_unchanged(sim, before)


def test_held_session_with_override_is_taken_over_and_fully_applied(sim: Simulator):
    sim.primary.hold_session("alice")
    create_pair(sim, override_session=True)
    # The login never preempts; the first write takes config mode from alice.
    assert {str(r.body) for r in records(sim.primary, LOGIN)} == {"{'override': False}"}
    assert statuses(sim.primary, LOGIN) == [401, 200]  # Digest challenge, then the login
    assert statuses(sim.primary, CONFIG_MODE) == [200]
    assert_pair_applied(sim)


# -- session expiring mid-operation ----------------------------------------------------


def test_session_expiring_before_a_write_logs_in_once_more(sim: Simulator):
    before_request(sim.primary, HA_PUT, sim.primary.expire_sessions)
    create_pair(sim)
    assert statuses(sim.primary, LOGIN) == [401, 200, 200]  # challenge, login, re-login
    assert statuses(sim.primary, CONFIG_MODE) == [200, 200]  # taken again after re-login
    assert statuses(sim.primary, HA_PUT) == [401, 200]
    assert_pair_applied(sim)


def test_session_expiring_before_the_commit_replays_the_staged_writes(sim: Simulator):
    before_request(sim.primary, COMMIT, sim.primary.expire_sessions)
    create_pair(sim)
    assert statuses(sim.primary, LOGIN) == [401, 200, 200]  # challenge, login, re-login
    puts = records(sim.primary, HA_PUT)
    assert [r.status for r in puts] == [200, 200] and puts[0].body == puts[1].body
    assert statuses(sim.primary, COMMIT) == [401, 200]
    assert_pair_applied(sim)


def test_session_lost_twice_in_a_row_changes_nothing(sim: Simulator):
    before = snapshot(sim)
    before_request(sim.primary, COMMIT, sim.primary.expire_sessions, times=None)
    provider = pair_provider(sim)
    with pytest.raises(AuthenticationError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{unit(sim.primary)}: the session was lost twice in a row; check that no other"
        " administrator or script keeps taking over the session; nothing was committed"
        " [E_UNAUTHORIZED]"
    )
    assert statuses(sim.primary, LOGIN) == [401, 200, 200]  # challenge; one re-login, not more
    assert statuses(sim.primary, COMMIT) == [401, 401]
    assert_unchanged(sim, before)


# -- the HA link going down during the sync wait ---------------------------------------


@pytest.fixture
def slow_sync() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.9) as simulator:
        yield simulator


def test_link_down_during_the_sync_wait_restores_and_reports_the_last_status(slow_sync):
    sim = slow_sync
    before = snapshot(sim)
    before_request(sim.primary, HA_STATUS, lambda: sim.uncable("X5"))  # first poll after commit
    provider = pair_provider(sim)
    with pytest.raises(SyncTimeoutError) as caught:
        provider.create(pair_inputs(provider, sim, sync_timeout_s=1))
    assert str(caught.value) == (
        f"{unit(sim.primary)}: the Backup ({BACKUP_SERIAL}) did not synchronize within 1 s;"
        " last HA status Primary Active, Primary ACTIVE, Backup NONE. The previous HA settings"
        " were restored. Check that backup_serial is the Backup's serial, that the control link"
        " X5 is cabled directly between the units, and that both units are the same model"
    )
    assert statuses(sim.primary, COMMIT) == [200, 200]  # the change, then putting it back
    assert_unchanged(sim, before)


def test_link_down_and_a_failing_restore_says_the_new_settings_stay(slow_sync):
    sim = slow_sync
    before_request(sim.primary, HA_STATUS, lambda: sim.uncable("X5"))
    # The first commit goes through; every commit after it (the restore) fails.
    before_request(
        sim.primary,
        COMMIT,
        lambda: sim.primary.fail(*COMMIT, status=500, message="Disk full", times=None),
    )
    provider = pair_provider(sim)
    with pytest.raises(SyncTimeoutError) as caught:
        provider.create(pair_inputs(provider, sim, sync_timeout_s=1))
    text = str(caught.value)
    assert text.startswith(
        f"{unit(sim.primary)}: the Backup ({BACKUP_SERIAL}) did not synchronize within 1 s;"
        " last HA status Primary Active, Primary ACTIVE, Backup NONE"
    )
    assert (
        "Putting the previous HA settings back failed too"
        f" ({unit(sim.primary)}: POST /config/pending failed: Disk full (HTTP 500, after 0"
        " retries); what this operation committed before stays committed, try again later"
        " [E_INTERNAL]), so the new ones stay committed. Check that backup_serial"
    ) in text
    # Fully applied on the Primary (never half): the restore was discarded, not committed.
    sim.primary.clear_faults()
    assert sim.primary.ha_settings() == APPLIED_HA
    assert sim.primary.pending() == {}
    assert sim.backup.ha_settings() == DEFAULT_HA  # never synchronized


# -- HaInterface: both units or neither ------------------------------------------------


@pytest.fixture
def link_sim(sim: Simulator) -> Simulator:
    sim.cable("X3")  # X3: zone LAN with a static IP on both units
    return sim


def interface_provider(sim: Simulator, **settings: Any) -> HaInterfaceProvider:
    values: dict[str, Any] = {"timeout": 1.0, "max_retries": 0, "backoff_factor": 0.01}
    values.update(settings)
    return provider_with(HaInterfaceProvider, settings_for(sim, **values))


def create_link(provider: HaInterfaceProvider, sim: Simulator) -> Any:
    news = {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": "X3",
        "unassign_zone": True,
    }
    result = provider.check({}, news)
    assert result.failures == []
    return provider.create(result.inputs)


X3_PUT = ("PUT", f"{API}/interfaces/ipv4")


def test_500_on_the_backup_write_changes_neither_unit(link_sim: Simulator):
    sim = link_sim
    before = snapshot(sim)
    sim.backup.fail(*X3_PUT, status=500, message="Interface busy", times=None)
    with pytest.raises(ApplianceError) as caught:
        create_link(interface_provider(sim, max_retries=1), sim)
    assert str(caught.value) == (
        f"{unit(sim.backup)}: PUT /interfaces/ipv4 failed: Interface busy (HTTP 500,"
        " after 1 retries); nothing was committed, try again later [E_INTERNAL]"
    )
    assert records(sim.primary, COMMIT) == [] and records(sim.backup, COMMIT) == []
    assert_unchanged(sim, before)


def test_500_on_the_backup_commit_puts_the_primary_back(link_sim: Simulator):
    sim = link_sim
    before = snapshot(sim)
    sim.backup.fail(*COMMIT, status=500, message="Commit failed", times=None)
    with pytest.raises(ApplianceError) as caught:
        create_link(interface_provider(sim), sim)
    assert str(caught.value) == (
        f"{unit(sim.backup)}: unassigning the zone of X3 could not be committed; the change"
        " already committed on the Primary was put back, so neither unit changed. Try again."
        f" Cause: {unit(sim.backup)}: POST /config/pending failed: Commit failed (HTTP 500,"
        " after 0 retries); nothing was committed, try again later [E_INTERNAL]"
    )
    assert (caught.value.code, caught.value.status) == ("E_INTERNAL", 500)
    assert statuses(sim.primary, COMMIT) == [200, 200]  # the unassign, then putting it back
    assert_unchanged(sim, before)


def test_timed_out_backup_commit_puts_the_primary_back_and_says_the_backup_is_unknown(
    link_sim: Simulator,
):
    sim = link_sim
    before = snapshot(sim)
    sim.backup.hang(*COMMIT, seconds=0.8)
    with pytest.raises(CommitUncertainError) as caught:
        create_link(interface_provider(sim, timeout=0.3), sim)
    assert str(caught.value) == (
        f"{unit(sim.backup)}: the commit unassigning the zone of X3 on the Backup got no answer,"
        " so X3 there may now be Unassigned or still in zone LAN; the change committed on the"
        " Primary was put back. Check X3 on the Backup: if it is Unassigned, put it back in"
        " zone LAN, then run `pulumi up` again. Cause:"
        f" {unit(sim.backup)}: POST {API}/config/pending: {TIMEOUT_TEXT}. {UNCERTAIN_TEXT}"
    )
    wait_for(sim.backup, COMMIT, 1)
    assert statuses(sim.backup, COMMIT) == [401]  # it landed after the discard and logout
    assert_unchanged(sim, before)


def test_failing_put_back_names_the_unit_left_changed_and_the_fix(link_sim: Simulator):
    """The one case that can leave the pair half-applied: the error says so, and how to fix."""
    sim = link_sim
    sim.backup.fail(*COMMIT, status=500, message="Commit failed", times=None)
    before_request(
        sim.primary,
        COMMIT,
        lambda: sim.primary.fail(*COMMIT, status=500, message="Disk full", times=None),
    )
    with pytest.raises(ApplianceError) as caught:
        create_link(interface_provider(sim), sim)
    text = str(caught.value)
    assert text.startswith(
        f"{unit(sim.primary)}: the zone of X3 was unassigned here but the other unit's commit"
        " failed ("
    )
    assert text.endswith(
        "; set the zone of X3 on the Primary back to LAN by hand, or run the update again"
    )
    assert "Disk full" in text and "Commit failed" in text
    sim.primary.clear_faults()
    sim.backup.clear_faults()
    assert sim.primary.zone("X3") == "Unassigned" and sim.backup.zone("X3") == "LAN"
    assert sim.primary.pending() == {} and sim.backup.pending() == {}


def test_held_session_on_the_backup_changes_neither_unit(link_sim: Simulator):
    sim = link_sim
    before = snapshot(sim)
    sim.backup.hold_session("bob")
    with pytest.raises(SessionHeldError) as caught:
        create_link(interface_provider(sim), sim)
    assert "administrator 'bob' (WEB from 192.0.2.10) is configuring this unit" in str(
        caught.value
    )
    assert str(caught.value).startswith(f"{unit(sim.backup)}: ")
    assert sim.primary.writes() == [] and sim.backup.writes() == []  # checked before writing
    assert "set sonicha:overrideSession=true" in str(caught.value)
    assert_unchanged(sim, before)


# -- the portal: 429 with Retry-After, token expiry, timeouts ---------------------------


def association_provider(sim: Simulator, **settings: Any) -> LicenseAssociationProvider:
    values: dict[str, Any] = {"timeout": 1.0, "max_retries": 0, "backoff_factor": 0.01}
    values.update(settings)
    return provider_with(LicenseAssociationProvider, settings_for(sim, **values))


def associate(provider: LicenseAssociationProvider) -> Any:
    result = provider.check(
        {}, {"primary_serial": PRIMARY_SERIAL, "secondary_serial": "2cb8-ed0a-9f00"}
    )
    assert result.failures == []
    return provider.create(result.inputs)


def pairs_on_portal(sim: Simulator) -> list[tuple[str, str]]:
    return sorted((a["primary_serial"], a["secondary_serial"]) for a in sim.portal.associations())


SEEDED = [("2CB8ED0A5555", "2CB8ED0A6666")]


def test_portal_429_waits_as_retry_after_asks_then_associates(sim: Simulator):
    sim.portal.rate_limit(times=1, retry_after=1)
    started = time.monotonic()
    created = associate(association_provider(sim, max_retries=2))
    assert time.monotonic() - started >= 1.0
    assert created.outs["status"] == "ASSOCIATED"
    assert [(r.method, r.path, r.status) for r in sim.portal.requests] == [
        (*PORTAL_LOGIN, 429),
        (*PORTAL_LOGIN, 200),
        (*ASSOCIATE, 201),
    ]
    assert pairs_on_portal(sim) == sorted([*SEEDED, (PRIMARY_SERIAL, BACKUP_SERIAL)])


def test_portal_429_that_persists_associates_nothing_and_says_when_to_retry(sim: Simulator):
    sim.portal.rate_limit(times=None, retry_after=30)
    with pytest.raises(PortalError) as caught:
        associate(association_provider(sim))
    assert str(caught.value) == (
        f"MySonicWall (serial {PRIMARY_SERIAL}): log in failed: MySonicWall is rate limiting"
        " this account, still HTTP 429 after 0 retries (the portal asks to wait 30 s); wait a"
        " minute and run again, or raise sonicha:maxRetries [RATE_LIMITED]"
    )
    sim.portal.clear_faults()
    assert pairs_on_portal(sim) == SEEDED


def test_portal_token_expiry_logs_in_once_more(sim: Simulator):
    provider = association_provider(sim)
    created = associate(provider)
    sim.portal.expire_tokens()
    sim.portal.clear_requests()
    read = provider.read(created.id, created.outs)
    assert read.id == created.id and read.outs == created.outs
    path = f"/api/v1/ha-associations/{created.id}"
    assert [(r.method, r.path, r.status) for r in sim.portal.requests] == [
        ("GET", path, 401),
        (*PORTAL_LOGIN, 200),
        ("GET", path, 200),
    ]
    sim.portal.expire_tokens()
    provider.delete(created.id, created.outs)
    assert pairs_on_portal(sim) == SEEDED


def test_portal_timed_out_association_is_retried_and_made_once(sim: Simulator):
    sim.portal.hang(*ASSOCIATE, seconds=0.8)
    created = associate(association_provider(sim, timeout=0.3, max_retries=1))
    wait_for(sim.portal, ASSOCIATE, 2)
    # The retry created it; the slow original found it made (409): one association.
    assert statuses(sim.portal, ASSOCIATE) == [201, 409]
    assert pairs_on_portal(sim) == sorted([*SEEDED, (PRIMARY_SERIAL, BACKUP_SERIAL)])
    assert created.outs["association_id"] != SEED_ASSOCIATION_ID


def test_portal_timed_out_association_without_retries_says_it_may_exist(sim: Simulator):
    sim.portal.hang(*ASSOCIATE, seconds=0.8)
    provider = association_provider(sim, timeout=0.3)
    with pytest.raises(PortalUnreachableError) as caught:
        associate(provider)
    wait_for(sim.portal, ASSOCIATE, 1)
    # The slow request was handled after all: the portal holds the association now ...
    assert pairs_on_portal(sim) == sorted([*SEEDED, (PRIMARY_SERIAL, BACKUP_SERIAL)])
    # ... and running again adopts it instead of failing or making a second one.
    again = associate(association_provider(sim))
    assert again.outs["secondary_serial"] == BACKUP_SERIAL
    assert len(pairs_on_portal(sim)) == 2
    # So the error must say there was no answer (not that the portal refused the connection),
    # that the association may have been made, and that a rerun adopts it.
    text = str(caught.value)
    assert "no answer within 0.3 seconds (sonicha:timeout)" in text
    assert "cannot connect" not in text
    assert "may" in text and "pulumi up" in text


# -- TLS --------------------------------------------------------------------------------


@pytest.fixture
def other_ca(tmp_path) -> str:
    path = tmp_path / "other-ca.pem"
    trustme.CA(organization_name="not the simulator").cert_pem.write_to_path(str(path))
    return str(path)


def test_tls_wrong_ca_is_refused_before_any_request(sim: Simulator, other_ca: str):
    provider = pair_provider(sim, ca_bundle=other_ca)
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{sim.primary.host}: POST {API}/auth: TLS verification failed: the certificate is not"
        " trusted; set sonicha:caBundle to the CA that signed it; nothing was committed"
    )
    assert sim.primary.requests == []  # nothing, credentials included, was sent


def test_tls_wrong_ca_for_the_portal_is_refused_before_any_request(sim: Simulator, other_ca: str):
    with pytest.raises(PortalUnreachableError) as caught:
        associate(association_provider(sim, ca_bundle=other_ca))
    assert str(caught.value) == (
        f"MySonicWall (serial {PRIMARY_SERIAL}): POST /api/v1/auth/login: TLS verification"
        " failed: the certificate is not trusted; set sonicha:caBundle to the CA that signed it"
    )
    assert sim.portal.requests == []


@pytest.fixture
def misnamed() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0, cert_hostnames=["wrong.example"]) as simulator:
        yield simulator


def test_tls_hostname_mismatch_is_refused_before_any_request(misnamed: Simulator):
    sim = misnamed
    provider = pair_provider(sim)
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(pair_inputs(provider, sim))
    assert str(caught.value) == (
        f"{sim.primary.host}: POST {API}/auth: TLS hostname mismatch: the certificate does not"
        " name this host; connect by the name in the certificate or fix the certificate;"
        " nothing was committed"
    )
    assert sim.primary.requests == []


def test_insecure_works_despite_a_bad_certificate_and_warns(
    misnamed: Simulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
):
    sim = misnamed
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    caplog.set_level(logging.WARNING, logger="pulumi_sonicha")
    provider = pair_provider(sim, ca_bundle=None, insecure=True)
    with pytest.warns(UserWarning) as warned:
        provider.create(pair_inputs(provider, sim))
    expected = (
        f"TLS certificate verification is OFF for https://{sim.primary.host}"
        " (sonicha:insecure=true): anyone on the path can read the admin credentials. Set"
        " sonicha:caBundle instead."
    )
    assert [str(w.message) for w in warned] == [expected]  # once, and no urllib3 warning
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [expected]
    assert_pair_applied(sim)
