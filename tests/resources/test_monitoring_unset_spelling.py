"""HaMonitoring writes "not set" the way the unit spells it: "" or "0.0.0.0" (the vendor's
material shows both). When the entry to clear has every address set, the unit's other
entries tell (one GET of the collection); no guess by firmware number."""

from __future__ import annotations

import pytest

from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for

PATH = "/api/sonicos/high-availability/monitoring/ipv4/interface/X2"


@pytest.mark.parametrize(("firmware", "unset"), [("7.2", ""), ("7.0.1", "0.0.0.0")])
def test_a_delete_clears_an_entry_whose_addresses_were_all_set_in_the_units_spelling(
    firmware: str, unset: str
):
    with Simulator(sync_seconds=0.0, firmware=firmware) as sim:
        provider = provider_with(HaMonitoringProvider, settings_for(sim))
        news = {"primary_host": sim.primary.host, "interface": "X2",
                "primary_ip": "172.16.2.10", "backup_ip": "172.16.2.11",
                "logical_probe_ip": "172.16.2.1"}  # fmt: skip
        created = provider.create(provider.check({}, news).inputs)
        sim.primary.clear_requests()
        provider.delete(created.id, created.outs)
        put = next(r for r in sim.primary.requests if (r.method, r.path) == ("PUT", PATH))
        entry = put.body["high_availability"]["monitoring"]["interface"][0]["ipv4"]
        assert (entry["primary"], entry["secondary"], entry["logical_probe"]["ip"]) == (
            unset, unset, unset
        )
        assert sim.primary.monitoring("X2") == sim.primary.fw.default_monitoring("X2")
