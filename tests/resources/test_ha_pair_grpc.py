"""HaPair through the SDK's real provider host, driven over gRPC as the engine does.

The engine's sequence for one resource: Configure (stack config, password as a
secret), Check, Diff against the last outputs, Create/Update/Read/Delete, with
every property crossing the wire as a protobuf Struct (numbers as floats).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

from ..conftest import appliance_config, configured_host, up_one

URN = "urn:pulumi:dev::sonicha-test::pulumi-python:dynamic/sonicha:HaPair::pair"
PRIMARY_SERIAL = "2CB8ED0A1B2C"
PASSWORD = "Grpc-HaPair-S3cret!"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0, password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def host(sim: Simulator, tmp_path) -> Iterator[ProviderHost]:
    # The password must come from Configure only.
    config = appliance_config(sim, password=PASSWORD)
    with configured_host(tmp_path, config, secret_keys={"sonicha:password"}) as provider_host:
        yield provider_host


def program(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    news: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "backup_serial": "2cb8ed0a9f00",
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        "heartbeat_interval_ms": 1000,
        PROVIDER_KEY: provider_ref(HaPairProvider()),
    }
    news.update(overrides)
    return news


def up(host: ProviderHost, news: dict[str, Any], state: dict[str, Any] | None):
    """What `pulumi up` does for this one resource; returns (op, state)."""
    return up_one(host, URN, news, state)


def test_full_lifecycle_over_grpc(host: ProviderHost, sim: Simulator):
    op, state = up(host, program(sim), None)
    assert op == "create" and state["id"] == PRIMARY_SERIAL
    assert state["outputs"]["synchronized"] is True
    assert state["outputs"]["backup_serial"] == "2CB8ED0A9F00"

    # A second apply of the same program: no change, and not one write.
    sim.primary.clear_requests()
    sim.backup.clear_requests()
    op, state = up(host, program(sim), state)
    assert op == "same"
    assert sim.primary.requests == [] and sim.backup.requests == []

    # Drift made by hand shows in Read (outputs and inputs) and then in Diff.
    ha = sim.primary.ha_settings()
    ha["mode"]["active_standby"]["preempt"] = True
    sim.primary.set_ha_settings(ha)
    id_, outs, inputs = host.read(URN, state["id"], state["outputs"], state["inputs"])
    assert id_ == PRIMARY_SERIAL and outs["preempt"] is True and inputs["preempt"] is True
    checked = host.check(URN, inputs, program(sim))
    diff = host.diff(URN, id_, outs, checked.inputs)
    assert diff.changes is True and diff.replaces == []
    state = {"id": id_, "inputs": inputs, "outputs": outs}

    # The next up puts it back, writing only the HA object once.
    sim.primary.clear_requests()
    op, state = up(host, program(sim), state)
    assert op == "update" and state["outputs"]["preempt"] is False
    assert [(r.method, r.path) for r in sim.primary.writes()] == [
        ("POST", "/api/sonicos/config-mode"),
        ("PUT", "/api/sonicos/high-availability/base"),
        ("POST", "/api/sonicos/config/pending"),
        ("POST", "/api/sonicos/non-config-mode"),
    ]
    # Read-modify-write: the whole object as the unit showed it, preempt back to false.
    assert sim.primary.writes()[1].body == {"high_availability": sim.primary.ha_settings()}
    assert sim.primary.ha_settings()["mode"]["active_standby"]["preempt"] is False

    # A Primary address that answers with another unit's serial would replace the
    # resource, deleting first: here the Backup's, so its preflight fails the diff with
    # the table (one that does not answer fails it too: see test_ha_pair.py).
    checked = host.check(URN, state["inputs"], program(sim, primary_host=sim.backup.host))
    with pytest.raises(ProviderError) as refused:
        host.diff(URN, state["id"], state["outputs"], checked.inputs)
    assert "| FAIL   | serial  | Primary" in str(refused.value)
    assert sim.primary.ha_settings()["mode"] != {}

    # Delete turns HA off.
    host.delete(URN, state["id"], state["outputs"])
    assert sim.primary.ha_settings()["mode"] == {}

    everything = json.dumps(state) + host.stderr_text() + host.stdout_text()
    assert PASSWORD not in everything


def test_failed_update_leaves_the_appliance_unchanged(host: ProviderHost, sim: Simulator):
    _, state = up(host, program(sim), None)
    before = sim.primary.ha_settings()
    sim.primary.fail("POST", "/api/sonicos/config/pending", status=500, times=None)
    with pytest.raises(ProviderError) as caught:
        up(host, program(sim, heartbeat_interval_ms=3000), state)
    message = str(caught.value)
    assert sim.primary.host in message and PRIMARY_SERIAL in message
    assert "nothing was committed" in message
    assert PASSWORD not in message and PASSWORD not in caught.value.details
    sim.primary.clear_faults()
    assert sim.primary.ha_settings() == before
    assert sim.primary.pending() == {}


def test_check_failures_over_grpc_name_field_and_allowed_values(host: ProviderHost, sim):
    outcome = host.check(URN, {}, program(sim, mode="active-passive", probe_count=11))
    assert [p for p, _ in outcome.failures] == ["mode", "probe_count"]
    assert '"active-standby", "active-active-dpi"' in outcome.failures[0][1]
    assert "from 3 to 10" in outcome.failures[1][1]
    assert sim.primary.requests == []


def test_wrong_password_error_never_echoes_it(sim: Simulator, tmp_path):
    with ProviderHost(cwd=tmp_path, env={"SONICHA_PASSWORD": ""}) as host:
        host.configure(
            config={
                "sonicha:password": "Wrong-Grpc-S3cret",
                "sonicha:caBundle": sim.ca_path,
                "sonicha:maxRetries": "0",
            },
            secret_keys={"sonicha:password"},
        )
        checked = host.check(URN, {}, program(sim))
        with pytest.raises(ProviderError) as caught:
            host.create(URN, checked.inputs)
        assert "sonicha:password" in str(caught.value)
        assert "Wrong-Grpc-S3cret" not in caught.value.details + host.stderr_text()
