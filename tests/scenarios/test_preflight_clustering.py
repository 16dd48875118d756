"""A pair in a mode we do not manage (Active/Active Clustering, seen on real units in
the vendor-style test code) reads as HA on in that mode, never as gone; an apply is
refused with the preflight table before anything is written; delete leaves it on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.quickstart import stack_config
from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing import Lifecycle, LifecycleError

REPO = Path(__file__).resolve().parents[2]
HA_PAIR = REPO / "examples" / "ha-pair"


def clustering(sim: Simulator, key: str) -> dict[str, Any]:
    """The Primary's HA settings as an administrator left them in the UI: a clustering
    mode (fields per the vendor-style test code: rank, node number, cluster link)."""
    ha = sim.primary.ha_settings()
    ha["mode"] = {
        key: {
            "secondary_serial": sim.backup.serial,
            "control_interface": "X5",
            "rank": 1,
            "node_num": 1,
            "active_active_cluster_link": "X6",
        }
    }
    return ha


@pytest.mark.parametrize("key", ["active_active_clustering", "active_active_clustering_dpi"])
def test_clustering_pair_is_reported_and_never_overwritten(
    sim: Simulator, tmp_path: Path, key: str
) -> None:
    config, secret_keys = stack_config(sim)
    # The Primary at the pair's address (the Active unit answers it in any HA mode; the
    # simulator's monitoring addresses follow the modes it manages).
    config["ha:primaryHost"] = sim.primary.host
    del config["ha:pairHost"]
    with Lifecycle(
        HA_PAIR, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
    ) as stack:
        stack.up()
        settings = clustering(sim, key)
        sim.primary.set_ha_settings(settings, validate=False)
        drift = stack.preview(refresh=True)
        step = drift.step("pair")
        assert step.op == "update", "a clustering pair must not read as gone (a create)"
        assert step.diff_values["mode"] == (key.replace("_", "-"), "active-standby")
        sim.primary.clear_requests()
        with pytest.raises(LifecycleError) as caught:
            stack.up(refresh=True)
        text = str(caught.value)
        assert "| FAIL   | HA mode" in text
        assert f"HA on, mode {key}" in text and "never overwrites" in text
        assert sim.primary.writes() == []
        assert sim.primary.ha_settings() == settings
        gone = stack.destroy()
        assert f"left HA on: the unit runs mode {key}" in "\n".join(gone.diagnostics)
        assert sim.primary.ha_settings() == settings
