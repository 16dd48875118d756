"""HaMonitoring provider methods against the simulator: each unit's monitoring address."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.errors import (
    ApplianceError,
    ApplianceUnreachableError,
    CommitUncertainError,
)
from pulumi_sonicha.models.ha_monitoring import inputs_from_api
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.simulator.ctl import render_show
from pulumi_sonicha.sonicos import SonicOSClient

from ..conftest import INSTANCE_ID, provider_with, settings_for

PRIMARY_SERIAL = "2CB8ED0A1B2C"
BACKUP_SERIAL = "2CB8ED0A9F00"
PATH = "/api/sonicos/high-availability/monitoring/ipv4/interface/X2"
LOGIN = ("POST", "/api/sonicos/auth")
VERSION = ("GET", "/api/sonicos/version")
CONFIG_MODE = ("POST", "/api/sonicos/config-mode")
COMMIT = ("POST", "/api/sonicos/config/pending")
LOGOUT = ("DELETE", "/api/sonicos/auth")
HA_BASE = ("GET", "/api/sonicos/high-availability/base")


@pytest.fixture
def provider(settings: Settings) -> HaMonitoringProvider:
    return provider_with(HaMonitoringProvider, settings)


def program(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    news: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "interface": "x2",
        "primary_ip": "172.16.2.10",
        "backup_ip": "172.16.2.11",
    }
    news.update(overrides)
    return {key: value for key, value in news.items() if value is not None}


def checked(provider: HaMonitoringProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def wire_props(inputs: dict[str, Any]) -> dict[str, Any]:
    """What the provider host hands over: None-valued properties dropped (fact 11)."""
    return {key: value for key, value in inputs.items() if value is not None}


def create(provider: HaMonitoringProvider, sim: Simulator, **overrides: Any):
    inputs = checked(provider, program(sim, **overrides))
    return inputs, provider.create(wire_props(inputs))


def calls(unit) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in unit.requests if r.status != 401]


def entry(sim: Simulator, name: str = "X2") -> dict[str, Any]:
    return sim.primary.monitoring(name)


# -- check ----------------------------------------------------------------------------


def test_check_normalizes_and_fills_defaults_without_any_request(provider, sim):
    inputs = checked(provider, program(sim, primary_host=f"https://{sim.primary.host}/"))
    assert inputs == {
        "primary_host": sim.primary.host,
        "setup_host": None,
        "interface": "X2",
        "primary_ip": "172.16.2.10",
        "backup_ip": "172.16.2.11",
        "allow_management": True,
        "link_monitoring": True,
        "logical_probe_ip": None,
    }
    assert sim.primary.requests == [] and sim.backup.requests == []


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"primary_ip": "172.16.2.300"}, "primary_ip", "must be an IPv4 address"),
        ({"backup_ip": "fw-backup"}, "backup_ip", "must be an IPv4 address"),
        ({"backup_ip": "0.0.0.0"}, "backup_ip", "not 0.0.0.0"),
        ({"logical_probe_ip": "224.0.0.1"}, "logical_probe_ip", "must be an IPv4 address"),
        ({"backup_ip": "172.16.2.10"}, "backup_ip", "set backup_ip to the Backup's"),
        ({"logical_probe_ip": "172.16.2.11"}, "logical_probe_ip", "a host beyond"),
        ({"interface": "X99"}, "interface", "X0..X31"),
        ({"allow_management": "yes"}, "allow_management", "true or false"),
        ({"backup_ip": None}, "backup_ip", "is required"),
        ({"backup_host": "fw2"}, "backup_host", "unknown input"),
    ],
)
def test_check_failures_name_the_unit_field_and_fix(provider, sim, overrides, field, words):
    result = provider.check({}, program(sim, **overrides))
    assert [f.property for f in result.failures] == [field]
    reason = result.failures[0].reason
    assert reason.startswith(f"HaMonitoring on {sim.primary.host}: ") and words in reason
    assert sim.primary.requests == []


# -- create ---------------------------------------------------------------------------


def test_create_writes_the_whole_entry_once_in_one_session(provider, sim):
    before = entry(sim)
    _, result = create(provider, sim, logical_probe_ip="172.16.2.1")
    assert result.id == f"{PRIMARY_SERIAL}/X2"
    assert result.outs == {
        "primary_host": sim.primary.host,
        "interface": "X2",
        "primary_ip": "172.16.2.10",
        "backup_ip": "172.16.2.11",
        "allow_management": True,
        "link_monitoring": True,
        "logical_probe_ip": "172.16.2.1",
        "setup_host": None,
        "primary_serial": PRIMARY_SERIAL,
        "primary_serial_declared": False,
        "previous_entry": {},
        "instance_id": INSTANCE_ID,
    }
    assert calls(sim.primary) == [
        LOGIN, VERSION, ("GET", PATH), CONFIG_MODE, ("PUT", PATH), COMMIT, ("GET", PATH), LOGOUT
    ]  # fmt: skip (the GET after the commit reads back what was written)
    put = [r.body for r in sim.primary.requests if r.method == "PUT"]
    # The whole entry as read (7.2's override_virtual_mac too), our keys changed.
    assert put == [
        {
            "high_availability": {
                "monitoring": {
                    "interface": [
                        {
                            "ipv4": {
                                **before,
                                "primary": "172.16.2.10",
                                "secondary": "172.16.2.11",
                                "allow_management": True,
                                "link_monitoring": True,
                                "logical_probe": {"enable": True, "ip": "172.16.2.1"},
                            }
                        }
                    ]
                }
            }
        }
    ]
    assert entry(sim)["secondary"] == "172.16.2.11" and entry(sim)["allow_management"] is True
    assert sim.backup.requests == []  # the entry lives on the Primary


def test_create_on_an_entry_already_as_declared_writes_nothing_and_remembers_it(provider, sim):
    sim.primary.set_monitoring("X2", primary="172.16.2.10", secondary="172.16.2.11",
                               allow_management=True, link_monitoring=True)  # fmt: skip
    _, result = create(provider, sim)
    assert sim.primary.writes() == []
    assert result.outs["previous_entry"]["secondary"] == "172.16.2.11"


def test_create_with_an_interface_the_unit_lacks_names_unit_and_fix(provider, sim):
    sim.primary.remove_interface("X2")
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim)
    text = str(caught.value)
    assert f"{sim.primary.host} (serial {PRIMARY_SERIAL})" in text
    assert "interface X2 not found on the Primary" in text and "set interface to" in text
    assert sim.primary.writes() == []


def test_a_refused_entry_says_why_and_leaves_the_unit_as_it_was(provider, sim):
    before = entry(sim)
    sim.primary.fail("POST", "/config/pending$", status=400, code="E_INVALID_VALUE",
                     message="Monitoring IP is not on the interface subnet.")  # fmt: skip
    with pytest.raises(ApplianceError) as caught:
        create(provider, sim)
    text = str(caught.value)
    assert "refused the HA monitoring of X2, nothing was changed" in text
    assert "not on the interface subnet" in text and "primary_ip and backup_ip" in text
    assert ("DELETE", "/api/sonicos/config/pending") in calls(sim.primary)  # discarded
    assert entry(sim) == before and sim.primary.pending() == {}


def test_a_failing_write_leaves_the_entry_as_it_was(provider, sim):
    before = entry(sim)
    sim.primary.fail("PUT", "monitoring", status=500, times=None)
    with pytest.raises(ApplianceError):
        create(provider, sim)
    assert entry(sim) == before


def test_a_commit_without_an_answer_says_it_may_have_applied_and_how_to_settle(provider, sim):
    sim.primary.drop("POST", "/config/pending$", times=None)
    with pytest.raises(CommitUncertainError) as caught:
        create(provider, sim)
    text = str(caught.value)
    assert "may have applied all of this operation's changes or none of them" in text
    assert "run `pulumi up` again" in text
    assert entry(sim)["secondary"] == ""  # dropped unanswered here: none of it applied
    sim.primary.clear_faults()
    _, result = create(provider, sim)  # the next run compares and writes what differs
    assert entry(sim)["secondary"] == "172.16.2.11" and result.outs["previous_entry"] == {}


# -- read -----------------------------------------------------------------------------


def test_read_unchanged_shows_no_drift_in_few_requests(provider, sim):
    inputs, result = create(provider, sim)
    sim.primary.clear_requests()
    read = provider.read(result.id, result.outs)
    assert read.id == result.id and read.inputs == inputs
    assert read.outs == result.outs
    assert calls(sim.primary) == [LOGIN, ("GET", PATH), LOGOUT]


@pytest.mark.parametrize(
    ("by_hand", "key", "seen"),
    [
        ({"primary": "172.16.2.20"}, "primary_ip", "172.16.2.20"),
        ({"secondary": "172.16.2.21"}, "backup_ip", "172.16.2.21"),
        ({"allow_management": False}, "allow_management", False),
        ({"link_monitoring": False}, "link_monitoring", False),
        ({"logical_probe": {"enable": True, "ip": "172.16.2.1"}}, "logical_probe_ip", "172.16.2.1"),
    ],
)
def test_read_reports_a_hand_made_change_on_exactly_that_input(provider, sim, by_hand, key, seen):
    inputs, result = create(provider, sim)
    sim.primary.set_monitoring("X2", **by_hand)
    read = provider.read(result.id, result.outs)
    changed = {k for k in inputs if read.inputs.get(k) != inputs[k]}
    assert changed == {key} and read.inputs[key] == seen
    # ... and an update puts it right.
    provider.update(result.id, read.outs, wire_props(inputs))
    assert provider.read(result.id, result.outs).inputs == inputs


def test_read_of_a_removed_interface_is_gone(provider, sim):
    _, result = create(provider, sim)
    sim.primary.remove_interface("X2")
    assert provider.read(result.id, result.outs).id == ""


# -- update ---------------------------------------------------------------------------


def test_update_with_optional_inputs_absent_writes_only_what_changed(provider, sim):
    _, result = create(provider, sim, logical_probe_ip="172.16.2.1")
    news = checked(provider, program(sim, link_monitoring=False))  # probe left out: off
    assert provider.diff(result.id, result.outs, wire_props(news)).changes
    sim.primary.clear_requests()
    outs = provider.update(result.id, wire_props(result.outs), wire_props(news)).outs
    assert outs["link_monitoring"] is False and outs["logical_probe_ip"] is None
    assert entry(sim)["logical_probe"]["enable"] is False
    assert [(r.method, r.path) for r in sim.primary.writes()] == [
        CONFIG_MODE, ("PUT", PATH), COMMIT
    ]  # fmt: skip
    sim.primary.clear_requests()
    provider.update(result.id, wire_props(outs), wire_props(news))
    assert sim.primary.writes() == []  # nothing differs: nothing written


def test_diff_compares_declared_keys_and_replaces_on_interface(provider, sim):
    inputs, result = create(provider, sim)
    olds = {**result.outs, "primary_serial": "something else"}
    assert not provider.diff(result.id, olds, wire_props(inputs)).changes
    diff = provider.diff(result.id, result.outs, checked(provider, program(sim, interface="X3")))
    assert diff.changes and diff.replaces == ["interface"]
    assert diff.delete_before_replace is False  # the new entry first: the Backup stays reachable


# -- delete ---------------------------------------------------------------------------


def test_delete_clears_an_entry_nobody_had_set(provider, sim):
    before = entry(sim)
    _, result = create(provider, sim)
    provider.delete(result.id, wire_props(result.outs))
    assert entry(sim) == before


def test_delete_restores_the_hand_made_entry_it_took_over(provider, sim):
    sim.primary.set_monitoring("X2", primary="172.16.2.5", secondary="172.16.2.6",
                               allow_management=False, link_monitoring=True)  # fmt: skip
    before = entry(sim)
    _, result = create(provider, sim)
    assert entry(sim)["secondary"] == "172.16.2.11"
    provider.delete(result.id, wire_props(result.outs))
    assert entry(sim) == before


def test_delete_leaves_an_entry_changed_by_hand_since(provider, sim, caplog):
    _, result = create(provider, sim)
    sim.primary.set_monitoring("X2", link_monitoring=False)
    changed = entry(sim)
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        provider.delete(result.id, wire_props(result.outs))
    assert entry(sim) == changed
    assert "was changed after this resource set it; left as it is" in caplog.text


def test_delete_never_cuts_off_the_backup_while_ha_is_on(settings, sim, caplog):
    provider = provider_with(HaMonitoringProvider, settings)
    _, result = create(provider, sim)
    pair = provider_with(HaPairProvider, settings)
    news = {"primary_host": sim.primary.host, "backup_serial": BACKUP_SERIAL,
            "control_interface": "X5"}  # fmt: skip
    pair_result = pair.create(pair.check({}, news).inputs)
    kept = entry(sim)
    sim.primary.clear_requests()
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        provider.delete(result.id, wire_props(result.outs))
    assert entry(sim) == kept and sim.primary.writes() == []
    assert HA_BASE in calls(sim.primary)
    assert "HA is on, and management at the Backup's address 172.16.2.11" in caplog.text
    assert "Delete the HaPair first" in caplog.text
    # With HA off (the HaPair deleted first), the same delete clears it.
    pair.delete(pair_result.id, pair_result.outs)
    provider.delete(result.id, wire_props(result.outs))
    assert entry(sim)["allow_management"] is False


def test_delete_after_a_rename_in_the_same_run_leaves_the_new_owner_alone(provider, sim, caplog):
    _, old = create(provider, sim)
    _, new = create(provider, sim)  # the renamed resource, created before the old one's delete
    sim.primary.clear_requests()
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        provider.delete(old.id, wire_props(old.outs))
    assert sim.primary.requests == [] and entry(sim)["secondary"] == "172.16.2.11"
    assert "another HaMonitoring manages it" in caplog.text
    provider.delete(new.id, wire_props(new.outs))
    assert entry(sim)["secondary"] == new.outs["previous_entry"]["secondary"]


def test_delete_of_an_unreachable_primary_warns_and_completes(provider, sim, caplog):
    _, result = create(provider, sim)
    sim.primary.drop("*", ".*", times=None)
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        provider.delete(result.id, wire_props(result.outs))
    assert "could not reach the Primary" in caplog.text


# -- firmware -------------------------------------------------------------------------


def test_7_0_1_reads_unset_as_0_0_0_0_and_gets_no_7_2_field():
    with Simulator(sync_seconds=0.0, firmware="7.0.1") as sim:
        provider = provider_with(HaMonitoringProvider, settings_for(sim))
        assert entry(sim)["secondary"] == "0.0.0.0"
        _, result = create(provider, sim)
        (put,) = [r.body for r in sim.primary.requests if r.method == "PUT"]
        sent = put["high_availability"]["monitoring"]["interface"][0]["ipv4"]
        assert "override_virtual_mac" not in sent
        assert provider.read(result.id, result.outs).inputs["logical_probe_ip"] is None
        provider.delete(result.id, wire_props(result.outs))
        assert entry(sim)["secondary"] == "0.0.0.0"


# -- reaching the Backup after pairing ---------------------------------------------------


def pair_news(sim: Simulator, backup_host: str | None) -> dict[str, Any]:
    news = {"primary_host": sim.primary.host, "backup_serial": BACKUP_SERIAL,
            "control_interface": "X5", "backup_host": backup_host}  # fmt: skip
    return {key: value for key, value in news.items() if value is not None}


def answers(sim: Simulator, host: str) -> str | None:
    """The serial a unit answers with at `host`, None when nothing answers there."""
    try:
        with SonicOSClient(host, settings_for(sim, max_retries=0)).session() as unit:
            return unit.system().serial
    except ApplianceUnreachableError:
        return None


@pytest.fixture
def bare() -> Iterator[Simulator]:
    """Units nobody set HA monitoring on: the Backup at its own address, 127.0.0.2."""
    with Simulator(sync_seconds=0.0, monitoring=False) as simulator:
        yield simulator


def test_the_paired_backup_answers_only_at_its_monitoring_address(bare: Simulator):
    sim = bare
    settings = settings_for(sim)
    monitoring = provider_with(HaMonitoringProvider, settings)
    monitoring.create(checked(monitoring, program(sim, interface="X0", primary_ip="127.0.0.1",
                                                  backup_ip="127.0.0.3")))  # fmt: skip
    assert answers(sim, sim.backup.host) == BACKUP_SERIAL  # before pairing: its own address
    assert answers(sim, sim.backup.address("127.0.0.3")) is None
    pair = provider_with(HaPairProvider, settings)
    created = pair.create(pair.check({}, pair_news(sim, None)).inputs)
    assert created.outs["synchronized"] is True
    # Synchronized: the Backup took the Primary's monitoring and answers only there, over
    # TLS with a certificate that names the address.
    assert sim.backup.answering_ips() == ["127.0.0.3"]
    assert answers(sim, sim.backup.host) is None
    assert answers(sim, sim.backup.address("127.0.0.3")) == BACKUP_SERIAL
    assert answers(sim, sim.primary.host) == PRIMARY_SERIAL
    assert f"answers at   {sim.backup.address('127.0.0.3')}" in render_show(
        {"backup": sim.backup.snapshot()}
    )


def test_a_backup_cut_off_by_pairing_gets_an_error_that_says_what_to_declare(bare: Simulator):
    sim = bare
    settings = settings_for(sim, max_retries=0)
    link = provider_with(HaInterfaceProvider, settings)
    link_inputs = link.check(
        {}, {"primary_host": sim.primary.host, "backup_host": sim.backup.host, "interface": "X4"}
    ).inputs
    created = link.create(link_inputs)  # fmt: skip
    pair = provider_with(HaPairProvider, settings)
    with pytest.raises(ApplianceError) as paired:  # once synchronized, HaPair checks it
        pair.create(pair.check({}, pair_news(sim, sim.backup.host)).inputs)
    assert "declare an HaMonitoring with allow_management=True whose backup_ip is the" in str(
        paired.value
    )
    assert sim.backup.answering_ips() == []  # no monitoring address with management
    with pytest.raises(ApplianceUnreachableError) as caught:
        link.read(created.id, created.outs)
    text = str(caught.value)
    assert sim.backup.host in text and "declare an HaMonitoring with allow_management=True" in text
    assert f"backup_ip is the address used as backup_host ({sim.backup.host})" in text
    assert "HA is on at the Primary, and a paired Backup answers" in text  # asked, not guessed


def test_once_paired_haPair_asks_the_primary_only(sim: Simulator):
    settings = settings_for(sim)
    pair = provider_with(HaPairProvider, settings)
    news = pair.check({}, pair_news(sim, sim.backup.host)).inputs
    created = pair.create(news)
    assert [r.path for r in sim.backup.requests if r.status != 401] == [
        "/api/sonicos/auth", "/api/sonicos/version", "/api/sonicos/auth"
    ] * 2  # HA was being turned on: the Backup checked, and reached once synchronized  # fmt: skip
    sim.backup.clear_requests()
    pair.read(created.id, created.outs)
    update = pair.check({}, {**pair_news(sim, sim.backup.host), "preempt": True}).inputs
    pair.update(created.id, created.outs, update)
    assert sim.primary.ha_settings()["mode"]["active_standby"]["preempt"] is True
    assert sim.backup.requests == []  # HA on: the Primary's status names the peer


def test_the_documented_procedure_reaches_the_backup_before_and_after_pairing(bare: Simulator):
    """The Backup given its monitoring address (127.0.0.2) before pairing, that address as
    backup_host and backup_ip: every step that needs the Backup reaches it."""
    sim = bare
    settings = settings_for(sim)
    monitoring = provider_with(HaMonitoringProvider, settings)
    watched = monitoring.create(checked(monitoring, program(
        sim, interface="X0", primary_ip=sim.primary_ip, backup_ip=sim.backup_ip)))  # fmt: skip
    link = provider_with(HaInterfaceProvider, settings)
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    link_inputs = link.check({}, {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
                                  "interface": "X4", "unassign_zone": True}).inputs  # fmt: skip
    linked = link.create(link_inputs)
    pair = provider_with(HaPairProvider, settings)
    paired = pair.create(pair.check({}, {**pair_news(sim, sim.backup.host),
                                         "data_interface": "X4"}).inputs)  # fmt: skip
    assert paired.outs["synchronized"] is True
    assert sim.backup.answering_ips() == [sim.backup_ip]
    assert link.read(linked.id, linked.outs).outs["backup_zone"] == "Unassigned"
    # Destroy in reverse order: HA off on both units (the Backup at its monitoring
    # address), then the zones back on both, then the monitoring entry cleared.
    pair.delete(paired.id, paired.outs)
    assert sim.backup.ha_settings()["mode"] == {}
    link.delete(linked.id, linked.outs)
    assert (sim.primary.zone("X4"), sim.backup.zone("X4")) == ("LAN", "LAN")
    monitoring.delete(watched.id, watched.outs)
    assert sim.primary.monitoring("X0")["allow_management"] is False
    assert answers(sim, sim.backup.host) == BACKUP_SERIAL


def test_an_interface_replacement_while_ha_is_on_removes_the_old_entry(bare: Simulator, caplog):
    """X0 -> X1 creates the X1 entry first: then the Backup answers at its address through
    X1, so the X0 entry goes (one GET of the collection tells)."""
    sim = bare
    settings = settings_for(sim)
    monitoring = provider_with(HaMonitoringProvider, settings)
    addresses = {"primary_ip": sim.primary_ip, "backup_ip": sim.backup_ip}
    old = monitoring.create(checked(monitoring, program(sim, interface="X0", **addresses)))
    pair = provider_with(HaPairProvider, settings)
    pair.create(pair.check({}, pair_news(sim, sim.backup.host)).inputs)
    new = monitoring.create(checked(monitoring, program(sim, interface="X1", **addresses)))
    sim.primary.clear_requests()
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        monitoring.delete(old.id, wire_props(old.outs))
    assert "cut the Backup off" not in caplog.text
    assert sim.primary.monitoring("X0")["allow_management"] is False
    assert ("GET", "/api/sonicos/high-availability/monitoring/ipv4") in calls(sim.primary)
    assert answers(sim, sim.backup.host) == BACKUP_SERIAL
    # The last entry that reaches the Backup stays while HA is on.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        monitoring.delete(new.id, wire_props(new.outs))
    assert "cut the Backup off" in caplog.text
    assert sim.primary.monitoring("X1")["allow_management"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [({"allow_management": False}, "allow_management=False"), ({"backup_ip": "127.0.0.9"},
     "backup_ip=127.0.0.9")],  # fmt: skip
)
def test_an_update_that_would_cut_off_the_paired_backup_fails_before_writing(
    bare: Simulator, change: dict[str, Any], field: str
):
    sim = bare
    settings = settings_for(sim)
    monitoring = provider_with(HaMonitoringProvider, settings)
    addresses = {"interface": "X0", "primary_ip": sim.primary_ip, "backup_ip": sim.backup_ip}
    created = monitoring.create(checked(monitoring, program(sim, **addresses)))
    pair = provider_with(HaPairProvider, settings)
    pair.create(pair.check({}, pair_news(sim, sim.backup.host)).inputs)
    kept = sim.primary.monitoring("X0")
    sim.primary.clear_requests()
    news = checked(monitoring, program(sim, **{**addresses, **change}))
    with pytest.raises(ApplianceError) as caught:
        monitoring.update(created.id, wire_props(created.outs), wire_props(news))
    text = str(caught.value)
    assert sim.primary.host in text and PRIMARY_SERIAL in text
    assert f"not setting {field} on the HA monitoring of X0; nothing was changed" in text
    assert f"answers management only at {sim.backup_ip}" in text
    assert "turn HA off first (remove the HaPair" in text
    assert sim.primary.monitoring("X0") == kept and sim.primary.writes() == []
    assert answers(sim, sim.backup.host) == BACKUP_SERIAL
    # HA off: the same update goes through.
    sim.primary.set_ha_settings({"mode": {}})
    monitoring.update(created.id, wire_props(created.outs), wire_props(news))
    observed = inputs_from_api(sim.primary.monitoring("X0"))
    assert {key: observed[key] for key in change} == change


def test_a_synchronized_backup_takes_no_configuration(bare: Simulator):
    """Written on the paired Backup, the entry would be overwritten by the Primary's at the
    next sync, the provider never told: the unit refuses (as SonicOS does not let you
    configure the Standby) and nothing changes."""
    sim = bare
    settings = settings_for(sim)
    monitoring = provider_with(HaMonitoringProvider, settings)
    addresses = {"interface": "X0", "primary_ip": sim.primary_ip, "backup_ip": sim.backup_ip}
    monitoring.create(checked(monitoring, program(sim, **addresses)))
    pair = provider_with(HaPairProvider, settings)
    pair.create(pair.check({}, pair_news(sim, sim.backup.host)).inputs)
    kept = sim.backup.monitoring("X2")
    on_backup = program(sim, primary_host=sim.backup.host)
    with pytest.raises(ApplianceError) as caught:
        monitoring.create(checked(monitoring, on_backup))
    assert caught.value.code == "E_HA_STANDBY" and caught.value.status == 403
    assert f"HA Secondary (Standby) of the Primary {PRIMARY_SERIAL}" in str(caught.value)
    assert "Declare the Primary's address as primary_host" in str(caught.value)
    assert "config mode was taken" not in str(caught.value)
    assert sim.backup.monitoring("X2") == kept
