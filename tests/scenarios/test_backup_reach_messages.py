"""A Backup that does not answer: the message names the real cause and the real fix.
Before pairing (HA off at the Primary) the unit is down or elsewhere; once paired it
answers management only at its HA monitoring address, which an HaMonitoring declares."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_sonicha.errors import ApplianceUnreachableError
from pulumi_sonicha.providers.base import BACKUP_UNPAIRED_HINT
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.simulator import Simulator

from ..conftest import provider_with, settings_for
from ..harness.cli import harness, stack_flags

MONITORING_ADVICE = "declare an HaMonitoring"


def test_a_backup_down_before_pairing_is_not_told_to_declare_monitoring(sim: Simulator):
    """HaPair checks the Backup before turning HA on: not answering then is the unit's
    own doing (down, another address), never the pairing's."""
    provider = provider_with(HaPairProvider, settings_for(sim, max_retries=0))
    news = {"primary_host": sim.primary.host, "backup_host": sim.backup.host,
            "backup_serial": sim.backup.serial, "control_interface": "X5"}  # fmt: skip
    inputs = provider.check({}, news).inputs
    backup_host = sim.backup.host
    sim.backup.stop()  # the Backup is down
    with pytest.raises(ApplianceUnreachableError) as caught:
        provider.create(inputs)
    text = str(caught.value)
    assert text.endswith(BACKUP_UNPAIRED_HINT.format(host=backup_host)), text
    assert MONITORING_ADVICE not in text
    assert sim.primary.ha_settings()["mode"] == {}  # nothing written


def test_the_harness_user_sees_why_a_link_cannot_reach_a_backup_that_is_down(
    sim: Simulator, tmp_path: Path
) -> None:
    flags, backup_host = stack_flags(sim), sim.backup.host
    sim.backup.stop()
    env = {"SONICHA_PASSWORD": sim.password, "SONICHA_MAX_RETRIES": "0"}
    done = harness("up", "--state", str(tmp_path / "s.json"), *flags, env=env)
    assert done.returncode == 1
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith("error: site-x4 (pulumi-python:dynamic/sonicha:HaInterface)")
    assert "HA is off at the Primary, so the Backup is not paired" in error
    assert f"that backup_host ({backup_host}) is that address" in error
    assert MONITORING_ADVICE not in error
