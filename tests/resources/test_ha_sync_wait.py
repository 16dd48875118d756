"""HaSyncWait on its own: check, the wait, what it says, and when it waits again."""

from __future__ import annotations

import logging

import pytest

from pulumi_sonicha.errors import SonicHaError
from pulumi_sonicha.providers import run
from pulumi_sonicha.providers.ha_sync_wait import HaSyncWaitProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for


def entry(sim: Simulator, name: str = "site-a", **changes: object) -> dict[str, object]:
    return {
        "name": name,
        "primary_host": sim.primary.host,
        "primary_serial": sim.primary.serial,
        "backup_serial": sim.backup.serial,
        **changes,
    }


def pair_up(sim: Simulator) -> None:
    """HA on at the Primary, as an HaPair with wait_for_sync=False leaves it."""
    sim.primary.set_ha_settings(
        {"mode": {"active_standby": {"secondary_serial": sim.backup.serial,
                                     "control_interface": "X5"}}}
    )  # fmt: skip


@pytest.fixture
def provider(sim):
    return provider_with(HaSyncWaitProvider, settings_for(sim))


def test_check_normalizes_each_pair_and_names_every_bad_entry(provider, sim):
    good = provider.check({}, {"pairs": [entry(sim, primary_serial="2cb8-ed0a-1b2c")]})
    assert good.failures == []
    assert good.inputs["pairs"][0]["primary_serial"] == "2CB8ED0A1B2C"
    assert good.inputs["pairs"][0]["setup_host"] is None
    assert (good.inputs["timeout_s"], good.inputs["parallel"]) == (600, 16)
    bad = provider.check(
        {},
        {
            "pairs": [
                entry(sim, primary_serial="nope"),
                {"name": "site-b", "primary_host": "fw-b"},
                entry(sim, name="site-a", colour="blue"),
            ],
            "timeout_s": 0,
        },
    )
    reasons = [f.reason for f in bad.failures]
    assert any('pairs[0] ("site-a"): primary_serial must be a serial' in r for r in reasons)
    assert any('pairs[1] ("site-b"): primary_serial is required' in r for r in reasons)
    assert any('pairs[1] ("site-b"): backup_serial is required' in r for r in reasons)
    assert any('pairs[2] ("site-a"): unknown key(s) colour' in r for r in reasons)
    assert any("name is also pairs[0]'s" in r for r in reasons)
    assert any("timeout_s" in r for r in reasons)
    assert provider.check({}, {"pairs": []}).failures[0].reason.endswith("non-empty list of pairs")


def test_the_wait_returns_once_every_pair_is_synchronized(provider, sim, caplog):
    pair_up(sim)
    inputs = provider.check({}, {"pairs": [entry(sim)], "timeout_s": 30}).inputs
    with caplog.at_level(logging.INFO, logger="pulumi_sonicha"):
        result = provider.create(inputs)
    assert result.outs["synchronized"] is True and result.outs["synchronized_count"] == 1
    assert result.outs["states"]["site-a"]["backup_state"] == "STANDBY"
    assert "HaSyncWait: 1/1 synchronized" in caplog.text
    # It only reads: one short session per poll, nothing written, no session left.
    assert sim.primary.writes() == []
    read = provider.read(result.id, result.outs)
    assert read.inputs == {"pairs": inputs["pairs"], "timeout_s": 30, "parallel": 16}


def test_a_pair_not_synchronized_in_time_is_named_with_its_state(provider, sim):
    sim.primary.sync_seconds = 3600
    pair_up(sim)
    inputs = provider.check({}, {"pairs": [entry(sim)], "timeout_s": 1}).inputs
    with pytest.raises(SonicHaError) as caught:
        provider.create(inputs)
    text = str(caught.value)
    assert "1 of 1 pairs not synchronized within 1 s" in text
    assert f"site-a (Primary {sim.primary.host}, serial {sim.primary.serial})" in text
    assert "Primary ELECTION, Backup ELECTION" in text


def test_an_unreachable_pair_is_a_state_not_the_end_of_the_wait(provider, sim):
    inputs = provider.check(
        {}, {"pairs": [entry(sim, primary_host="127.0.0.1:1")], "timeout_s": 1}
    ).inputs
    with pytest.raises(SonicHaError, match="cannot connect"):
        provider.create(inputs)


def test_it_waits_again_when_a_pair_changes_or_was_written_in_this_run(provider, sim):
    olds = provider.check({}, {"pairs": [entry(sim, revision="a")]}).inputs
    assert not provider.diff("id", olds, olds).changes
    news = provider.check({}, {"pairs": [entry(sim, revision="b")]}).inputs
    assert provider.diff("id", olds, news).changes
    added = provider.check({}, {"pairs": [entry(sim, revision="a"), entry(sim, name="b")]})
    assert provider.diff("id", olds, added.inputs).changes
    run.WRITTEN.note(sim.primary.serial)  # its HaPair repaired a drift in this run
    assert provider.diff("id", olds, olds).changes
