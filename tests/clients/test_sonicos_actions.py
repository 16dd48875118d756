"""The client's HA actions: config mode taken as for a write, never sent twice."""

from __future__ import annotations

import pytest

from pulumi_sonicha.errors import ActionUncertainError, ApplianceError
from pulumi_sonicha.sonicos import SonicOSClient

from ..conftest import settings_for
from ..paired import hosts, paired_sim

FAILOVER = "/api/sonicos/high-availability/force-failover"


def sent(unit, path: str) -> list[int]:  # noqa: ANN001 - a simulated unit
    return [r.status for r in unit.requests if r.path == path]


def test_an_action_takes_config_mode_and_gives_it_back_on_logout():
    with paired_sim() as sim:
        with SonicOSClient(hosts(sim)["primary_host"], settings_for(sim)).session() as unit:
            unit.force_failover()
            assert unit.config_mode
        paths = [r.path for r in sim.primary.requests]
        assert paths.index("/api/sonicos/config-mode") < paths.index(FAILOVER)
        assert "/api/sonicos/config/pending" not in paths  # nothing staged, no commit
        assert sim.primary.pending() == {}


def test_an_action_whose_answer_is_lost_is_not_sent_again():
    with paired_sim() as sim:
        sim.primary.drop("POST", FAILOVER, times=1)
        settings = settings_for(sim, max_retries=3)
        with SonicOSClient(hosts(sim)["primary_host"], settings).session() as unit:
            with pytest.raises(ActionUncertainError) as caught:
                unit.force_failover()
        assert sent(sim.primary, FAILOVER) == [0]  # one try, its answer lost
        assert "may have started it or not; it was not sent again" in str(caught.value)


def test_an_action_answered_500_is_not_retried():
    with paired_sim() as sim:
        sim.primary.fail("POST", FAILOVER, status=500, times=1)
        settings = settings_for(sim, max_retries=3)
        with SonicOSClient(hosts(sim)["primary_host"], settings).session() as unit:
            with pytest.raises(ApplianceError) as caught:
                unit.force_failover()
        assert caught.value.status == 500 and sent(sim.primary, FAILOVER) == [500]


def test_synchronize_knows_settings_and_firmware_only():
    with paired_sim() as sim:
        with SonicOSClient(hosts(sim)["primary_host"], settings_for(sim)).session() as unit:
            with pytest.raises(ValueError, match="settings, firmware"):
                unit.synchronize("zones")
        assert [r.path for r in sim.primary.writes()] == []
