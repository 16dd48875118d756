"""FirewallPair and FirewallFleet as a program sees them, under pulumi.runtime.set_mocks.

The whole plans (create, change, refresh, rename, destroy through the SDK's
provider host) are in test_examples_lifecycle.py and test_fleet_rollout.py; here:
what each component declares, under which names and parent, from which arguments.
"""

from __future__ import annotations

import pulumi
import pytest

from pulumi_sonicha import FirewallFleet, FirewallPair, FirewallPairArgs
from pulumi_sonicha.components.firewall_pair import address_of
from pulumi_sonicha.sync_wait import HaSyncWait

from .test_resources import RecordingMocks

ARGS = {
    "primary_host": "10.0.0.3:443",
    "setup_host": "10.0.0.1",
    "primary_serial": "2CB8-ED0A-1B2C",
    "backup_host": "https://10.0.0.2/",
    "backup_serial": "2CB8ED0A9F00",
}


@pytest.fixture
def mocks():
    m = RecordingMocks()
    pulumi.runtime.set_mocks(m, preview=False)
    return m


def registered(mocks: RecordingMocks, name: str) -> dict:
    return next(r.inputs for r in mocks.registered if r.name == name)


@pulumi.runtime.test
def test_a_pair_declares_the_procedure_under_its_own_name(mocks):
    pair = FirewallPair("site-a", preempt=True, heartbeat_interval_ms=2000, **ARGS)

    def verify(urns):
        names = sorted(r.name for r in mocks.registered if r.custom)
        assert names == [f"site-a-{s}" for s in sorted(SUFFIXES)]
        # Every child is the component's (its URN's type names the parent's).
        assert all("sonicha:index:FirewallPair$pulumi-python:dynamic/sonicha:" in u for u in urns)
        monitoring = registered(mocks, "site-a-management")
        # Each unit's monitoring address is where the stack reaches it (named once).
        assert (monitoring["primary_ip"], monitoring["backup_ip"]) == ("10.0.0.3", "10.0.0.2")
        assert monitoring["setup_host"] == "10.0.0.1"
        ha = registered(mocks, "site-a-pair")
        assert (ha["preempt"], ha["heartbeat_interval_ms"]) == (True, 2000)
        assert (ha["control_interface"], ha["data_interface"]) == ("X5", "X4")
        for name in ("site-a-management", "site-a-control-link", "site-a-pair"):
            assert registered(mocks, name)["primary_serial"] == "2CB8-ED0A-1B2C"
        links = [registered(mocks, f"site-a-{s}") for s in ("control-link", "data-link")]
        assert [link["purpose"] for link in links] == ["control", "data"]
        assert all(link["unassign_zone"] is True for link in links)

    children = [pair.monitoring, pair.control_link, pair.data_link, pair.ha_pair, pair.licenses]
    return pulumi.Output.all(*[c.urn for c in children]).apply(verify)


SUFFIXES = ["management", "control-link", "data-link", "pair", "licenses"]


@pulumi.runtime.test
def test_without_a_data_link_or_licenses_nothing_more_is_declared(mocks):
    pair = FirewallPair(
        "lab", FirewallPairArgs(**ARGS, data_interface=None, license_association=False)
    )
    assert pair.data_link is None and pair.licenses is None

    def verify(_):
        names = sorted(r.name for r in mocks.registered if r.custom)
        assert names == ["lab-control-link", "lab-management", "lab-pair"]
        ha = registered(mocks, "lab-pair")
        assert ha["stateful_synchronization"] is False and ha.get("data_interface") is None

    return pulumi.Output.all(pair.ha_pair.urn).apply(verify)


def test_an_unknown_argument_is_refused_naming_what_is_accepted(mocks):
    with pytest.raises(TypeError, match=r"unknown argument\(s\) 'preemt'.*HaPair options"):
        FirewallPair("site-a", preemt=True, **ARGS)
    with pytest.raises(TypeError, match="missing required argument"):
        FirewallPair("site-a", primary_host="10.0.0.3")


@pulumi.runtime.test
def test_a_fleet_declares_its_pairs_without_waits_and_one_wait_for_all(mocks):
    fleet = FirewallFleet(
        "fleet",
        {
            "site-a": FirewallPairArgs(**ARGS),
            "site-b": FirewallPairArgs(
                **{**ARGS, "primary_serial": "2CB8EE000B01", "backup_serial": "2CB8EF000B02"},
                pair_options={"preempt": True},
            ),
        },
        renamed_from={"site-a": ["hq"]},
        sync_timeout_s=120,
    )
    assert isinstance(fleet.sync, HaSyncWait)

    def verify(_):
        for name in ("site-a-pair", "site-b-pair"):
            assert registered(mocks, name)["wait_for_sync"] is False
        assert registered(mocks, "site-b-pair")["preempt"] is True
        wait = registered(mocks, "fleet-sync")
        assert wait["timeout_s"] == 120
        entries = {entry["name"]: entry for entry in wait["pairs"]}
        assert sorted(entries) == ["site-a", "site-b"]
        assert entries["site-b"]["primary_serial"] == "2CB8EE000B01"
        assert entries["site-a"]["setup_host"] == "10.0.0.1"
        # The revision says the pair's declared HA settings (it changes with them).
        assert '"preempt": true' in entries["site-b"]["revision"]
        assert entries["site-a"]["revision"] != entries["site-b"]["revision"]

    return pulumi.Output.all(fleet.sync.urn).apply(verify)


def test_a_fleet_refuses_a_rename_of_no_pair(mocks):
    with pytest.raises(ValueError, match="renamed_from names no pair: site-c"):
        FirewallFleet("fleet", {"site-a": FirewallPairArgs(**ARGS)}, renamed_from={"site-c": ["x"]})


@pytest.mark.parametrize(
    ("host", "address"),
    [("10.0.0.3", "10.0.0.3"), ("10.0.0.3:8443", "10.0.0.3"), ("https://10.0.0.3/", "10.0.0.3")],
)
def test_the_address_in_a_host_input(host, address):
    assert address_of(host) == address
