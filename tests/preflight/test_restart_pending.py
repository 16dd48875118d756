"""`restart pending` as the units report it (`GET /reporting/status/system`: a boolean in
7.2, a string in 7.0.1): none on a fresh unit, the commit's restart once a commit said
the change needs one, and the preflight row fails until the unit is restarted."""

from __future__ import annotations

import pytest

from pulumi_sonicha import preflight
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.sonicos import SonicOSClient

from ..conftest import settings_for


@pytest.mark.parametrize("firmware", ["7.0.1", "7.2"])
def test_a_commit_that_needs_a_restart_leaves_it_pending(firmware: str) -> None:
    with Simulator(sync_seconds=0, firmware=firmware) as sim:
        settings = settings_for(sim)
        client = SonicOSClient(sim.primary.host, settings)
        with client.session() as unit:
            assert unit.restart_pending() is None
        sim.primary.restart_required = "APPLIANCE"
        with client.session() as unit:
            ha = unit.ha_settings()
            unit.put_ha_settings({**ha, "heartbeat_interval": 2000})
            unit.commit()
            assert unit.restart_required == "APPLIANCE"
            assert unit.restart_pending() == "yes"
        plan = preflight.Plan(primary_host=sim.primary.host, pairing=False)
        report = preflight.run(plan, settings)
        (row,) = [r for r in report.rows if r.check == "restart pending"]
        assert not row.ok and "restart the unit" in row.fix
        sim.primary.restart_pending = None  # restarted
        assert preflight.run(plan, settings).ok
