"""HaInterface next to a live pair: a delete never gives a zone back to a port the pair
still uses as its HA link, and after an RMA of the Backup the link takes the new unit."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for

NEW_BACKUP = "2CB8ED0A9F77"
ZONE_PUT = ("PUT", "/api/sonicos/interfaces/ipv4")


def link_and_pair(sim: Simulator, **pair: Any) -> tuple[HaInterfaceProvider, Any, HaPairProvider,
                                                         dict[str, Any], Any]:  # fmt: skip
    """X4 in zone LAN on both units, unassigned by an HaInterface, then an HaPair whose
    data link it is (stateful synchronization)."""
    settings = settings_for(sim)
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    link = provider_with(HaInterfaceProvider, settings)
    linked = link.create(link.check({}, {"primary_host": sim.primary.host,
                                         "backup_host": sim.backup.host, "interface": "X4",
                                         "unassign_zone": True}).inputs)  # fmt: skip
    provider = provider_with(HaPairProvider, settings)
    news = {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
            "backup_serial": sim.backup.serial, "control_interface": "X5",
            "data_interface": "X4", "stateful_synchronization": True, **pair}  # fmt: skip
    inputs = provider.check({}, news).inputs
    return link, linked, provider, inputs, provider.create(inputs)


def test_a_link_delete_leaves_the_zone_alone_while_the_pair_uses_the_port(
    sim: Simulator, caplog: pytest.LogCaptureFixture
):
    link, linked, _, _, _ = link_and_pair(sim)
    for unit in (sim.primary, sim.backup):
        unit.clear_requests()
    with caplog.at_level(logging.WARNING, logger="pulumi_sonicha"):
        link.delete(linked.id, linked.outs)  # the HaPair stays: X4 carries its data link
    for unit in (sim.primary, sim.backup):
        assert ZONE_PUT not in [(r.method, r.path) for r in unit.requests]  # not even tried
        assert unit.zone("X4") == "Unassigned"
    assert "X4 is the HA data link of the pair on the Primary" in caplog.text
    assert "zone LAN was not put back on either unit" in caplog.text


def test_a_link_delete_after_the_pair_is_gone_restores_the_zones(sim: Simulator):
    link, linked, pair, _, paired = link_and_pair(sim)
    pair.delete(paired.id, paired.outs)  # HA off on both units (backup_host is set)
    link.delete(linked.id, linked.outs)
    assert (sim.primary.zone("X4"), sim.backup.zone("X4")) == ("LAN", "LAN")


def test_after_an_rma_of_the_backup_the_link_takes_the_new_serial(sim: Simulator):
    """README: the Backup replaced by a new unit at the same address; the HaPair update
    names the new serial. The HaInterface then follows the pair's new Backup instead of
    refusing every later update as "another unit"."""
    link, linked, pair, inputs, paired = link_and_pair(sim)
    sim.replace_backup(NEW_BACKUP)
    repaired = pair.update(paired.id, paired.outs, {**inputs, "backup_serial": NEW_BACKUP})
    assert repaired.outs["synchronized"] is True
    news = {**link.check({}, {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
                              "interface": "X4", "unassign_zone": True,
                              "purpose": "control"}).inputs}  # fmt: skip
    updated = link.update(linked.id, linked.outs, news)
    assert updated.outs["backup_serial"] == NEW_BACKUP
    assert updated.outs["primary_serial"] == sim.primary.serial


def test_a_backup_address_answering_with_a_serial_the_pair_does_not_name_is_refused(
    sim: Simulator,
):
    link, linked, _, _, _ = link_and_pair(sim)
    sim.replace_backup(NEW_BACKUP)  # the Primary's HA still names the old Backup
    news = link.check({}, {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
                           "interface": "X4", "unassign_zone": True,
                           "purpose": "control"}).inputs  # fmt: skip
    with pytest.raises(Exception, match=f"this address now answers with serial {NEW_BACKUP}"):
        link.update(linked.id, linked.outs, news)
