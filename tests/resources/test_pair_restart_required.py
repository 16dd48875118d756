"""HaPair's `restart_required` output: what a commit said needs a restart, until the unit
stops reporting it (`GET /reporting/status/system`, asked only while one is owed)."""

from __future__ import annotations

from typing import Any

from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for

STATUS_SYSTEM = ("GET", "/api/sonicos/reporting/status/system")


def created_pair(sim: Simulator) -> tuple[HaPairProvider, dict[str, Any], Any]:
    provider = provider_with(HaPairProvider, settings_for(sim))
    news = {"primary_host": sim.primary.host, "backup_serial": sim.backup.serial,
            "control_interface": "X5"}  # fmt: skip
    inputs = provider.check({}, news).inputs
    sim.primary.restart_required = "APPLIANCE"  # the commit says the change needs a restart
    created = provider.create(inputs)
    sim.primary.restart_required = "NONE"  # later commits need none
    assert created.outs["restart_required"] == "APPLIANCE"
    return provider, inputs, created


def calls(sim: Simulator) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in sim.primary.requests]


def test_a_refresh_clears_it_once_the_unit_was_restarted(sim: Simulator):
    provider, _, created = created_pair(sim)
    still = provider.read(created.id, created.outs)
    assert still.outs["restart_required"] == "APPLIANCE"  # the unit still waits for it
    sim.primary.restart_pending = None  # the administrator restarted the Primary
    sim.primary.clear_requests()
    cleared = provider.read(created.id, still.outs)
    assert cleared.outs["restart_required"] == "NONE"
    assert STATUS_SYSTEM in calls(sim)
    sim.primary.clear_requests()
    provider.read(created.id, cleared.outs)
    assert STATUS_SYSTEM not in calls(sim)  # nothing owed: not asked


def test_an_update_after_the_restart_says_none(sim: Simulator):
    provider, inputs, created = created_pair(sim)
    kept = provider.update(created.id, created.outs, {**inputs, "preempt": True})
    assert kept.outs["restart_required"] == "APPLIANCE"  # not restarted yet
    sim.primary.restart_pending = None
    cleared = provider.update(created.id, kept.outs, {**inputs, "preempt": False})
    assert cleared.outs["restart_required"] == "NONE"


def test_a_unit_that_does_not_say_keeps_what_the_commit_said(sim: Simulator):
    provider, _, created = created_pair(sim)
    sim.primary.restart_pending = None
    sim.primary.fail("GET", "/reporting/status/system$", status=404, code="E_NOT_FOUND",
                     message="Not found", times=None)  # fmt: skip
    assert provider.read(created.id, created.outs).outs["restart_required"] == "APPLIANCE"
