"""Two rules of the engine's contract, through the SDK's provider host over gRPC.

- Optional inputs left out (shared/spec/pulumi-dynamic-facts.md, fact 11): the
  host drops every `None`-valued property, so each optional input is *absent*
  from what Create, Read, Diff, Update and Delete receive. Every operation runs
  with each optional input left out, and with all of them left out at once.
- Read checks the serial: an address that now answers with another unit is an
  error naming both serials, never "gone" (which would drop the resource from
  state while the unit keeps its HA settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.models import ha_interface as link_model
from pulumi_sonicha.models import ha_monitoring as monitoring_model
from pulumi_sonicha.models import ha_pair as pair_model
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.schema import REQUIRED
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

from ..conftest import appliance_config, configured_host

PAIR_URN = "urn:pulumi:dev::contract::pulumi-python:dynamic/sonicha:HaPair::pair"
LINK_URN = "urn:pulumi:dev::contract::pulumi-python:dynamic/sonicha:HaInterface::link"
MONITORING_URN = "urn:pulumi:dev::contract::pulumi-python:dynamic/sonicha:HaMonitoring::x2"
OTHER_PRIMARY = "2CB8EE000B01"
OTHER_BACKUP = "2CB8EF000B02"


@pytest.fixture(scope="module")
def sims(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Simulator, Simulator, str]]:
    with (
        Simulator(sync_seconds=0) as sim,
        Simulator(
            sync_seconds=0, primary_serial=OTHER_PRIMARY, backup_serial=OTHER_BACKUP
        ) as other,
    ):
        bundle = tmp_path_factory.mktemp("cas") / "cas.pem"
        bundle.write_text(Path(sim.ca_path).read_text() + Path(other.ca_path).read_text())
        yield sim, other, str(bundle)


@pytest.fixture(scope="module")
def host(sims: tuple[Simulator, Simulator, str], tmp_path_factory) -> Iterator[ProviderHost]:
    sim, _, bundle = sims
    config = {**appliance_config(sim), "sonicha:caBundle": bundle}
    with configured_host(tmp_path_factory.mktemp("host"), config, {"sonicha:password"}) as started:
        yield started


@pytest.fixture
def sim(sims: tuple[Simulator, Simulator, str]) -> Iterator[Simulator]:
    simulator = sims[0]
    yield simulator
    for unit in (simulator.primary, simulator.backup, sims[1].primary):  # as found
        unit.set_ha_settings({"mode": {}})
        unit.set_zone("X4", "Unassigned")
        unit.clear_faults()


def pair_program(sim: Simulator) -> dict[str, Any]:
    """Required inputs, and every optional one set to a non-default value."""
    return {
        "primary_host": sim.primary.host,
        "primary_serial": sim.primary.serial,
        "backup_host": sim.backup.host,
        "backup_serial": sim.backup.serial,
        "mode": "active-standby",
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        "preempt": True,
        "virtual_mac": True,
        "encryption": True,
        "heartbeat_interval_ms": 2000,
        "failover_trigger_level": 6,
        "probe_interval_s": 30,
        "probe_count": 4,
        "election_delay_s": 5,
        "include_certificates_keys": False,
        "wait_for_sync": True,
        "sync_timeout_s": 30,
        "on_delete": "disable",
        PROVIDER_KEY: provider_ref(HaPairProvider()),
    }


def link_program(sim: Simulator) -> dict[str, Any]:
    return {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": "X4",
        "purpose": "control",
        "unassign_zone": True,
        "require_link": True,
        "primary_zone": "Unassigned",
        "backup_zone": "Unassigned",
        PROVIDER_KEY: provider_ref(HaInterfaceProvider()),
    }


def monitoring_program(sim: Simulator) -> dict[str, Any]:
    """Every optional input set to a value other than its default."""
    return {
        "primary_host": sim.primary.host,
        "interface": "X2",
        "primary_ip": "172.16.2.10",
        "backup_ip": "172.16.2.11",
        "allow_management": False,
        "link_monitoring": False,
        "logical_probe_ip": "172.16.2.1",
        PROVIDER_KEY: provider_ref(HaMonitoringProvider()),
    }


def optional(schema: Any) -> list[str]:
    return [f.name for f in schema.fields if f.default is not REQUIRED or f.expectation]


# stateful_synchronization needs data_interface: leaving data_interface out alone is
# the case that failed with a KeyError; it goes with stateful_synchronization left out.
PAIR_CASES = [*[[name] for name in optional(pair_model.SCHEMA)], optional(pair_model.SCHEMA)]
PAIR_CASES = [
    case + (["stateful_synchronization"] if case == ["data_interface"] else [])
    for case in PAIR_CASES
]
LINK_CASES = [*[[name] for name in optional(link_model.SCHEMA)], optional(link_model.SCHEMA)]
MONITORING_CASES = [
    *[[name] for name in optional(monitoring_model.SCHEMA)],
    optional(monitoring_model.SCHEMA),
]


def without(props: dict[str, Any], names: list[str]) -> dict[str, Any]:
    """`props` with `names` as None: what the program sends for an input left out."""
    return {**props, **dict.fromkeys(names)}


@pytest.mark.parametrize("left_out", PAIR_CASES, ids=lambda c: "+".join(c) if len(c) < 3 else "all")
def test_every_hapair_operation_with_optional_inputs_left_out(
    host: ProviderHost, sim: Simulator, left_out: list[str]
) -> None:
    news = without(pair_program(sim), left_out)
    checked = host.check(PAIR_URN, {}, news)
    assert checked.failures == []
    inputs = checked.inputs
    assert not (set(left_out) - {"primary_serial"}) & {k for k, v in inputs.items() if v is None}
    id_, outs = host.create(PAIR_URN, inputs)
    assert id_ == sim.primary.serial
    read_id, read_outs, read_inputs = host.read(PAIR_URN, id_, outs, inputs)
    assert read_id == id_
    assert host.diff(PAIR_URN, id_, read_outs, inputs).changes is False
    changed = host.check(PAIR_URN, inputs, {**news, "heartbeat_interval_ms": 3000}).inputs
    assert host.diff(PAIR_URN, id_, read_outs, changed).changes is True
    updated = host.update(PAIR_URN, id_, read_outs, changed)
    assert updated["heartbeat_interval_ms"] == 3000
    assert sim.primary.ha_settings()["heartbeat_interval"] == 3000
    host.delete(PAIR_URN, id_, updated)
    assert sim.primary.ha_settings()["mode"] == {}


@pytest.mark.parametrize("left_out", LINK_CASES, ids=lambda c: "+".join(c) if len(c) < 3 else "all")
def test_every_hainterface_operation_with_optional_inputs_left_out(
    host: ProviderHost, sim: Simulator, left_out: list[str]
) -> None:
    sim.primary.set_zone("X4", "DMZ") if "unassign_zone" not in left_out else None
    news = without(link_program(sim), left_out)
    checked = host.check(LINK_URN, {}, news)
    assert checked.failures == []
    inputs = checked.inputs
    id_, outs = host.create(LINK_URN, inputs)
    assert id_ == f"{sim.primary.serial}/X4"
    read_id, read_outs, _ = host.read(LINK_URN, id_, outs, inputs)
    assert read_id == id_ and host.diff(LINK_URN, id_, read_outs, inputs).changes is False
    purpose = "control" if "purpose" in left_out else "data"  # not what it is now
    changed = host.check(LINK_URN, inputs, {**news, "purpose": purpose}).inputs
    assert host.diff(LINK_URN, id_, read_outs, changed).changes is True
    updated = host.update(LINK_URN, id_, read_outs, changed)
    assert updated["purpose"] == purpose
    host.delete(LINK_URN, id_, updated)
    expected = "Unassigned" if "unassign_zone" in left_out else "DMZ"
    assert sim.primary.zone("X4") == expected


@pytest.mark.parametrize(
    "left_out", MONITORING_CASES, ids=lambda c: "+".join(c) if len(c) < 3 else "all"
)
def test_every_hamonitoring_operation_with_optional_inputs_left_out(
    host: ProviderHost, sim: Simulator, left_out: list[str]
) -> None:
    before = sim.primary.monitoring("X2")
    news = without(monitoring_program(sim), left_out)
    checked = host.check(MONITORING_URN, {}, news)
    assert checked.failures == []
    inputs = checked.inputs
    id_, outs = host.create(MONITORING_URN, inputs)
    assert id_ == f"{sim.primary.serial}/X2"
    read_id, read_outs, read_inputs = host.read(MONITORING_URN, id_, outs, inputs)
    assert read_id == id_ and host.diff(MONITORING_URN, id_, read_outs, inputs).changes is False
    assert {k: read_inputs.get(k) for k in inputs} == inputs
    changed = host.check(MONITORING_URN, inputs, {**news, "backup_ip": "172.16.2.12"}).inputs
    assert host.diff(MONITORING_URN, id_, read_outs, changed).changes is True
    updated = host.update(MONITORING_URN, id_, read_outs, changed)
    assert updated["backup_ip"] == sim.primary.monitoring("X2")["secondary"] == "172.16.2.12"
    host.delete(MONITORING_URN, id_, updated)
    assert sim.primary.monitoring("X2") == before


# -- read checks the serial ------------------------------------------------------------
def test_pair_read_at_an_address_now_answering_another_unit_names_both_serials(
    host: ProviderHost, sims: tuple[Simulator, Simulator, str], sim: Simulator
) -> None:
    other = sims[1]
    inputs = host.check(PAIR_URN, {}, pair_program(sim)).inputs
    id_, outs = host.create(PAIR_URN, inputs)
    # The address now reaches another unit (HA off there): not "gone", an error.
    moved = {**outs, "primary_host": other.primary.host}
    with pytest.raises(ProviderError) as caught:
        host.read(PAIR_URN, id_, moved, {**inputs, "primary_host": other.primary.host})
    text = str(caught.value)
    assert f"answers with serial {OTHER_PRIMARY}, but the resource manages {id_}" in text
    assert "pulumi state delete" in text
    assert other.primary.writes() == []
    host.delete(PAIR_URN, id_, outs)


def test_link_read_at_an_address_now_answering_another_unit_names_both_serials(
    host: ProviderHost, sims: tuple[Simulator, Simulator, str], sim: Simulator
) -> None:
    other = sims[1]
    inputs = host.check(LINK_URN, {}, link_program(sim)).inputs
    id_, outs = host.create(LINK_URN, inputs)
    other.primary.set_zone("X4", "DMZ")  # it would read as drift on the Primary
    moved = {**outs, "primary_host": other.primary.host}
    with pytest.raises(ProviderError) as caught:
        host.read(LINK_URN, id_, moved, {**inputs, "primary_host": other.primary.host})
    assert f"answers with serial {OTHER_PRIMARY}, but the resource manages" in str(caught.value)
    host.delete(LINK_URN, id_, outs)


def test_monitoring_read_at_an_address_now_answering_another_unit_names_both_serials(
    host: ProviderHost, sims: tuple[Simulator, Simulator, str], sim: Simulator
) -> None:
    other = sims[1]
    inputs = host.check(MONITORING_URN, {}, monitoring_program(sim)).inputs
    id_, outs = host.create(MONITORING_URN, inputs)
    moved = {**outs, "primary_host": other.primary.host}
    with pytest.raises(ProviderError) as caught:
        host.read(MONITORING_URN, id_, moved, {**inputs, "primary_host": other.primary.host})
    assert f"answers with serial {OTHER_PRIMARY}, but the resource manages" in str(caught.value)
    assert other.primary.writes() == []
    host.delete(MONITORING_URN, id_, outs)


# -- a refresh that saw an address unset -------------------------------------------------
@pytest.mark.parametrize(("field", "key"), [("secondary", "backup_ip"), ("primary", "primary_ip")])
def test_monitoring_update_and_delete_after_a_refresh_saw_an_address_unset(
    host: ProviderHost, sim: Simulator, field: str, key: str
) -> None:
    """Read reports an unset address as None and the host drops it: update and delete get
    outputs without it (a destroy right after such a refresh crashed with a KeyError)."""
    before = sim.primary.monitoring("X2")
    inputs = host.check(MONITORING_URN, {}, monitoring_program(sim)).inputs
    id_, outs = host.create(MONITORING_URN, inputs)

    def refresh_after_hand_change() -> dict[str, Any]:
        sim.primary.set_monitoring("X2", **{field: ""})
        _, read_outs, read_inputs = host.read(MONITORING_URN, id_, outs, inputs)
        assert key not in read_outs and key not in read_inputs
        assert host.diff(MONITORING_URN, id_, read_outs, inputs).changes is True
        return read_outs

    updated = host.update(MONITORING_URN, id_, refresh_after_hand_change(), inputs)
    assert updated[key] == inputs[key] == sim.primary.monitoring("X2")[field]
    host.delete(MONITORING_URN, id_, refresh_after_hand_change())
    # The refresh took the hand change into the state: delete clears the entry as usual.
    assert sim.primary.monitoring("X2") == before
