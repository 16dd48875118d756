"""HaMonitoring through the SDK's real provider host, driven over gRPC as the engine does.

Properties cross the wire as protobuf Structs: optional inputs left out (and None
values) never arrive, numbers arrive as floats, the password only through Configure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing.host import PROVIDER_KEY, ProviderError, ProviderHost, provider_ref

from ..conftest import appliance_config, configured_host, up_one

URN = "urn:pulumi:dev::sonicha-test::pulumi-python:dynamic/sonicha:HaMonitoring::x2"
PRIMARY_SERIAL = "2CB8ED0A1B2C"
PASSWORD = "Grpc-HaMonitoring-S3cret!"
PATH = "/api/sonicos/high-availability/monitoring/ipv4/interface/X2"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0.0, password=PASSWORD) as simulator:
        yield simulator


@pytest.fixture
def host(sim: Simulator, tmp_path) -> Iterator[ProviderHost]:
    config = appliance_config(sim, password=PASSWORD)
    with configured_host(tmp_path, config, secret_keys={"sonicha:password"}) as provider_host:
        yield provider_host


def program(sim: Simulator, **overrides: Any) -> dict[str, Any]:
    news: dict[str, Any] = {
        "primary_host": sim.primary.host,
        "interface": "X2",
        "primary_ip": "172.16.2.10",
        "backup_ip": "172.16.2.11",
        PROVIDER_KEY: provider_ref(HaMonitoringProvider()),
    }
    news.update(overrides)
    return news


def up(host: ProviderHost, news: dict[str, Any], state: dict[str, Any] | None):
    """What `pulumi up` does for this one resource; returns (op, state)."""
    return up_one(host, URN, news, state)


def test_full_lifecycle_over_grpc(host: ProviderHost, sim: Simulator):
    op, state = up(host, program(sim), None)
    assert op == "create" and state["id"] == f"{PRIMARY_SERIAL}/X2"
    assert "logical_probe_ip" not in state["inputs"]  # left out: dropped by the host
    assert sim.primary.monitoring("X2")["secondary"] == "172.16.2.11"

    # Unchanged: no request at all.
    sim.primary.clear_requests()
    op, state = up(host, program(sim), state)
    assert op == "same" and sim.primary.requests == []

    # Drift by hand shows in Read, then the next up repairs it in one write.
    sim.primary.set_monitoring("X2", allow_management=False)
    id_, outs, inputs = host.read(URN, state["id"], state["outputs"], state["inputs"])
    assert id_ == state["id"] and inputs["allow_management"] is False
    state = {"id": id_, "inputs": inputs, "outputs": outs}
    sim.primary.clear_requests()
    op, state = up(host, program(sim), state)
    assert op == "update" and sim.primary.monitoring("X2")["allow_management"] is True
    assert [(r.method, r.path) for r in sim.primary.writes()] == [
        ("POST", "/api/sonicos/config-mode"),
        ("PUT", PATH),
        ("POST", "/api/sonicos/config/pending"),
    ]

    # A probe added, then taken out again (the host drops the None).
    op, state = up(host, program(sim, logical_probe_ip="172.16.2.1"), state)
    assert op == "update" and sim.primary.monitoring("X2")["logical_probe"]["enable"] is True
    op, state = up(host, program(sim), state)
    assert op == "update" and sim.primary.monitoring("X2")["logical_probe"]["enable"] is False

    # Another interface replaces the resource, the new entry first.
    checked = host.check(URN, state["inputs"], program(sim, interface="X3"))
    diff = host.diff(URN, state["id"], state["outputs"], checked.inputs)
    assert diff.changes and diff.replaces == ["interface"] and not diff.delete_before_replace

    # Delete clears the entry (nothing was there before).
    host.delete(URN, state["id"], state["outputs"])
    assert sim.primary.monitoring("X2")["allow_management"] is False
    assert sim.primary.monitoring("X2")["secondary"] == ""

    everything = json.dumps(state) + host.stderr_text() + host.stdout_text()
    assert PASSWORD not in everything


def test_failed_update_leaves_the_appliance_unchanged(host: ProviderHost, sim: Simulator):
    _, state = up(host, program(sim), None)
    before = sim.primary.monitoring("X2")
    sim.primary.fail("POST", "/api/sonicos/config/pending", status=500, times=None)
    with pytest.raises(ProviderError) as caught:
        up(host, program(sim, link_monitoring=False), state)
    message = str(caught.value)
    assert sim.primary.host in message and PRIMARY_SERIAL in message
    assert "nothing was committed" in message
    assert PASSWORD not in message and PASSWORD not in caught.value.details
    sim.primary.clear_faults()
    assert sim.primary.monitoring("X2") == before and sim.primary.pending() == {}


def test_check_failures_over_grpc(host: ProviderHost, sim: Simulator):
    outcome = host.check(URN, {}, program(sim, primary_ip="10.0.0.256", link_monitoring=1.0))
    assert [p for p, _ in outcome.failures] == ["primary_ip", "link_monitoring"]
    assert "IPv4 address" in outcome.failures[0][1]
    outcome = host.check(URN, {}, program(sim, backup_ip="172.16.2.10"))
    assert [p for p, _ in outcome.failures] == ["backup_ip"]
    assert sim.primary.requests == []
