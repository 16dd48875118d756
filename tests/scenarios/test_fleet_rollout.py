"""A fleet rollout in one sync time: the fleet example's FirewallFleet, whole plans.

Each pair's HaPair returns once its settings are committed (`wait_for_sync=False`);
the fleet's one HaSyncWait (`fleet-sync`) waits for every pair at once. These are
the plans a fleet owner meets: one pair that does not synchronize (the others
complete, the error names it), the provider host stopped during the wait (Ctrl-C
twice), a pair added to a synchronized fleet, and a pair renamed with aliases.
The sync time is the simulator's (`sync_seconds` per unit), tiny here; the real
measurement is `python -m benchmarks.rollout`.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from pulumi_sonicha.simulator import Simulator
from pulumi_sonicha.testing import Lifecycle, LifecycleError

from ..examples.test_examples_lifecycle import SYNCHRONIZED, ops, pair_status, two_site_fleet
from .test_lifecycle_scenarios import no_session_left, wait_for_commit

NEVER = 3600.0  # a pair that does not synchronize within any test's wait


def slow(site: Simulator, seconds: float) -> None:
    """The pair at `site` takes `seconds` to synchronize once HA is on."""
    site.primary.sync_seconds = site.backup.sync_seconds = seconds


def pairs_of(stack: Lifecycle) -> list[dict[str, str]]:
    return json.loads(stack.config["ha:pairs"])


def test_the_fleet_up_returns_once_every_pair_is_synchronized(tmp_path: Path) -> None:
    with two_site_fleet(tmp_path, tmp_path / "state.json") as (stack, site_a, site_b):
        slow(site_a, 1.5)
        slow(site_b, 1.5)
        with stack:
            result = stack.up()
            # Neither HaPair waited (the sync takes 1.5 s): each says what it saw then.
            for name in ("site-a-pair", "site-b-pair"):
                assert result.step(name).outputs["synchronized"] is False
            # The fleet's wait did, for both, and up returned only then.
            assert pair_status(site_a.primary) == pair_status(site_b.primary) == SYNCHRONIZED
            sync = result.step("fleet-sync").outputs
            assert (sync["synchronized"], sync["synchronized_count"]) == (True, 2)
            assert stack.outputs["synchronized"] is True
            assert stack.outputs["pairs"]["site-b"]["ha_status"] == "Primary Active"
            # A refresh reads each pair's state and finds nothing to change.
            assert not stack.preview(refresh=True).has_changes


def test_one_pair_not_synchronizing_is_named_and_the_others_complete(tmp_path: Path) -> None:
    with two_site_fleet(tmp_path, tmp_path / "state.json") as (stack, site_a, site_b):
        slow(site_b, NEVER)
        stack.set_config("ha:syncTimeoutS", 2)
        with stack:
            with pytest.raises(LifecycleError) as caught:
                stack.up()
            text = str(caught.value)
            assert caught.value.resource == "fleet-sync"
            assert "1 of 2 pairs not synchronized within 2 s (the others are)" in text
            assert f"site-b (Primary {pairs_of(stack)[1]['primaryHost']}" in text
            assert "Primary ELECTION, Backup ELECTION" in text
            assert "site-a (" not in text
            # Every pair was written: site A synchronized, site B's settings committed.
            names = [r["name"] for r in stack.state["resources"]]
            assert "site-a-pair" in names and "site-b-pair" in names
            assert "fleet-sync" not in names
            assert pair_status(site_a.primary) == SYNCHRONIZED
            assert site_b.primary.ha_settings()["mode"]
            # Fixed (the pair synchronizes now): the next up waits again and completes.
            slow(site_b, 0)
            result = stack.up()
            created = [name for name, op in ops(result) if op == "create"]
            # The run had stopped at the failed wait: site B's association comes now.
            assert sorted(created) == ["fleet-sync", "site-b-licenses"]
            assert result.changes == {"create": 2}
            assert stack.outputs["synchronized"] is True


def test_host_stopped_during_the_fleet_wait_says_so_and_the_next_up_completes(
    tmp_path: Path,
) -> None:
    """The second Ctrl-C (the engine stops the provider host with SIGINT) while the
    fleet waits: the wait ends at once naming the pairs not synchronized, no session
    is left on any unit, the pairs stay in the state, and the next up waits again."""
    with two_site_fleet(tmp_path, tmp_path / "state.json") as (stack, site_a, site_b):
        slow(site_a, NEVER)
        slow(site_b, NEVER)
        stack.set_config("ha:syncTimeoutS", 300)
        with stack:

            def stop_when_waiting() -> None:
                wait_for_commit(site_a.primary)
                wait_for_commit(site_b.primary)
                time.sleep(0.5)  # the wait's first rounds
                assert stack._host is not None
                stack._host.interrupt()

            stopper = threading.Thread(target=stop_when_waiting)
            stopper.start()
            started = time.monotonic()
            with pytest.raises(LifecycleError) as caught:
                stack.up()
            stopper.join()
            host = stack._host
            stack.close()
            assert time.monotonic() - started < 60  # not the wait's 300 s
            assert caught.value.resource == "fleet-sync"
            assert host is not None
            stderr = host.stderr_text()
            assert "HaSyncWait: 0/2 synchronized" in stderr
            assert "HaSyncWait: interrupted (the provider host is stopping) with 2 of 2" in stderr
            assert "Traceback" not in stderr
            names = [r["name"] for r in stack.state["resources"]]
            assert "site-a-pair" in names and "site-b-pair" in names
            for site in (site_a, site_b):
                assert no_session_left(site, site.primary)
            slow(site_a, 0)
            slow(site_b, 0)
            result = stack.up()
            assert ("fleet-sync", "create") in ops(result)
            assert stack.outputs["synchronized"] is True


def test_a_pair_added_to_a_synchronized_fleet_is_waited_for(tmp_path: Path) -> None:
    with two_site_fleet(tmp_path, tmp_path / "state.json") as (stack, site_a, site_b):
        both = pairs_of(stack)
        stack.set_config("ha:pairs", json.dumps(both[:1]))
        with stack:
            stack.up()
            assert stack.outputs["synchronized"] is True
            slow(site_b, 1.0)
            stack.set_config("ha:pairs", json.dumps(both))
            plan = stack.preview()
            assert plan.changes == {"create": 5, "update": 1}
            assert ("fleet-sync", "update") in ops(plan)
            result = stack.up()
            assert ("fleet-sync", "update") in ops(result)
            assert pair_status(site_b.primary) == SYNCHRONIZED  # up returned after the sync
            assert result.step("fleet-sync").outputs["synchronized_count"] == 2
            assert not stack.preview().has_changes


def test_a_pair_renamed_with_aliases_moves_with_its_resources(tmp_path: Path) -> None:
    """renamedFrom puts an alias on the pair's FirewallPair; it carries to each child
    (their names start with the pair's), so nothing is created or deleted on the units:
    only the fleet's wait runs again, under the pair's new name."""
    with two_site_fleet(tmp_path, tmp_path / "state.json") as (stack, site_a, site_b):
        with stack:
            stack.up()
            site_a_ids = {
                r["name"].removeprefix("site-a-"): r["id"]
                for r in stack.state["resources"]
                if r["name"].startswith("site-a-")
            }
            renamed = pairs_of(stack)
            renamed[0] = {**renamed[0], "name": "hq", "renamedFrom": "site-a"}
            stack.set_config("ha:pairs", json.dumps(renamed))
            for server in (site_a.primary, site_a.backup):
                server.clear_requests()
            plan = stack.preview()
            assert plan.changes == {"update": 1}, ops(plan)
            result = stack.up()
            assert result.changes == {"update": 1}
            hq_ids = {
                r["name"].removeprefix("hq-"): r["id"]
                for r in stack.state["resources"]
                if r["name"].startswith("hq-")
            }
            assert hq_ids == site_a_ids
            assert site_a.primary.writes() == [] and site_a.backup.writes() == []
            assert not stack.preview().has_changes
