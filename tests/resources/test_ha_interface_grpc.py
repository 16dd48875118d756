"""HaInterface through the SDK's real provider host, driven over gRPC as the engine does.

The provider is pickled into `__provider`, the password arrives only through
`Configure` as a secret, and every property crosses the wire as a protobuf
Struct (numbers as floats, None dropped, unknowns as the preview sentinel).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.output import Unknown

from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

from ..conftest import INSTANCE_ID, appliance_config, configured_host

URN = "urn:pulumi:dev::sonicha-test::pulumi-python:dynamic/sonicha:HaInterface::ha-link"
PRIMARY_SERIAL = "2CB8ED0A1B2C"
BACKUP_SERIAL = "2CB8ED0A9F00"
X3_PRIMARY = {"zone": "LAN", "mode": {"static": {"ip": "10.0.3.1", "netmask": "255.255.255.0"}}}
X3_BACKUP = {"zone": "LAN", "mode": {"static": {"ip": "10.0.3.2", "netmask": "255.255.255.0"}}}


@pytest.fixture
def host(sim: Simulator, tmp_path) -> Iterator[ProviderHost]:
    # The password must come from Configure only.
    config = appliance_config(sim, password=sim.password)
    with configured_host(tmp_path, config, secret_keys={"sonicha:password"}) as provider_host:
        yield provider_host


@pytest.fixture
def provider() -> str:
    return provider_ref(HaInterfaceProvider())


def program(sim: Simulator, provider: str, **overrides: Any) -> dict[str, Any]:
    news: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": "x3",
        PROVIDER_KEY: provider,
    }
    news.update(overrides)
    return news


def without_provider(props: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in props.items() if key != PROVIDER_KEY}


def test_check_over_grpc_reports_failures_and_lets_unknowns_through(host, sim, provider):
    outcome = host.check(URN, {}, program(sim, provider, interface="X99", unassign_zone="yes"))
    label = f"HaInterface on {sim.primary.host}"
    assert outcome.failures == [
        (
            "interface",
            f"{label}: interface must be an interface name such as X0..X31, U0, V0, W0 or MGMT,"
            " got 'X99'",
        ),
        ("unassign_zone", f"{label}: unassign_zone must be true or false, got 'yes'"),
    ]

    preview = host.check(URN, {}, program(sim, provider, interface=Unknown()))
    assert preview.failures == []
    assert isinstance(preview.inputs["interface"], Unknown)

    checked = host.check(URN, {}, program(sim, provider, unassign_zone=True))
    assert checked.failures == []
    assert without_provider(checked.inputs) == {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": "X3",
        "purpose": "data",
        "unassign_zone": True,
        "require_link": True,
        "primary_zone": "Unassigned",
        "backup_zone": "Unassigned",
    }
    assert sim.primary.requests == [] and sim.backup.requests == []


def test_lifecycle_over_grpc(host, sim, provider):
    sim.cable("X3")
    texts: list[str] = []
    inputs = host.check(URN, {}, program(sim, provider, unassign_zone=True)).inputs

    # create: X3 (LAN on both) unassigned on both units, the old settings remembered.
    id_, outs = host.create(URN, inputs)
    texts.append(json.dumps(outs))
    assert id_ == f"{PRIMARY_SERIAL}/X3"
    assert without_provider(outs) == {
        **without_provider(inputs),
        "primary_serial": PRIMARY_SERIAL,
        "primary_serial_declared": False,
        "backup_serial": BACKUP_SERIAL,
        "primary_link": "1 Gbps Full Duplex",
        "backup_link": "1 Gbps Full Duplex",
        "previous_zones": {"primary": "LAN", "backup": "LAN"},
        "previous_ip_assignments": {"primary": X3_PRIMARY, "backup": X3_BACKUP},
        "instance_id": INSTANCE_ID,
    }
    assert sim.primary.zone("X3") == "Unassigned" and sim.backup.zone("X3") == "Unassigned"

    # read of the unchanged link: the inputs check produced, no diff.
    read_id, read_outs, read_inputs = host.read(URN, id_, outs, inputs)
    texts += [json.dumps(read_outs), json.dumps(read_inputs)]
    assert read_id == id_
    assert read_inputs == inputs
    assert read_outs == outs
    assert host.diff(URN, id_, read_outs, inputs).changes is False

    # drift: an administrator puts X3 of the Primary back into a zone.
    sim.primary.set_zone("X3", "DMZ")
    read_id, read_outs, read_inputs = host.read(URN, id_, outs, inputs)
    assert read_id == id_
    assert (read_outs["primary_zone"], read_outs["backup_zone"]) == ("DMZ", "Unassigned")
    assert read_inputs == {**inputs, "primary_zone": "DMZ"}
    diff = host.diff(URN, id_, read_outs, inputs)
    # HaInterface replaces by deleting first (a unit holds one zone per port).
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, [], True)
    replaced = host.diff(URN, id_, read_outs, {**inputs, "interface": "X4"})
    assert (replaced.changes, replaced.replaces) == (True, ["interface"])

    # update: unassigned again, the original zones still remembered.
    sim.primary.clear_requests()
    sim.backup.clear_requests()
    updated = host.update(URN, id_, read_outs, inputs)
    texts.append(json.dumps(updated))
    assert updated == outs
    assert sim.primary.zone("X3") == "Unassigned"
    assert [(r.method, r.path) for r in sim.primary.writes()] == [
        ("POST", "/api/sonicos/config-mode"),
        ("PUT", "/api/sonicos/interfaces/ipv4"),
        ("POST", "/api/sonicos/config/pending"),
    ]
    # The whole interface object went back (a PUT replaces it), its zone removed.
    sent = sim.primary.writes()[1].body["interfaces"][0]["ipv4"]
    assert sent == sim.primary.interface("X3")
    assert sim.backup.writes() == []

    # delete: zone and IP settings back on both units.
    host.delete(URN, id_, updated)
    assert sim.primary.interface("X3")["ip_assignment"] == X3_PRIMARY
    assert sim.backup.interface("X3")["ip_assignment"] == X3_BACKUP

    for text in [*texts, host.stderr_text(), host.stdout_text()]:
        assert sim.password not in text


def test_errors_over_grpc_name_the_unit_and_never_the_password(host, sim, provider):
    sim.cable("X3")
    inputs = host.check(URN, {}, program(sim, provider)).inputs
    with pytest.raises(ProviderError) as caught:
        host.create(URN, inputs)
    assert str(caught.value) == (
        f"{sim.primary.host} (serial {PRIMARY_SERIAL}): interface X3 on the Primary is in zone"
        " LAN; an HA link must be in zone Unassigned. Set unassign_zone=true to have it"
        " unassigned (and restored on delete), or set the zone of X3 to Unassigned on the"
        " Primary yourself"
    )
    assert caught.value.method == "Create"
    assert sim.primary.writes() == [] and sim.backup.writes() == []

    # An appliance message echoing the password is scrubbed by the provider itself.
    sim.backup.fail(
        "GET",
        "/interfaces/ipv4$",
        status=400,
        code="E_INVALID_VALUE",
        message=f"request by admin:{sim.password} refused",
    )
    with pytest.raises(ProviderError) as caught:
        host.create(URN, {**inputs, "unassign_zone": True})
    assert str(caught.value) == (
        f"{sim.backup.host} (serial {BACKUP_SERIAL}): GET /interfaces/ipv4 rejected:"
        " request by admin:**** refused [E_INVALID_VALUE]"
    )
    assert sim.primary.writes() == [] and sim.primary.zone("X3") == "LAN"
    for text in (str(caught.value), caught.value.details, host.stderr_text()):
        assert sim.password not in text
