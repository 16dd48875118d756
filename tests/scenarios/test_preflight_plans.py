"""Plans that would take a working pair down are refused in the preview, with the table.

Each case is a change an administrator could make by mistake to a running stack
(a typo in primary_host that reaches another firewall, primary_host set to the
Backup's address), run through the lifecycle harness (the SDK's provider host,
the engine's order) against two simulated pairs. The plan used to be a
delete-first replacement whose delete turned HA off and whose create was then
refused; now the preview fails with the preflight table and nothing is written
anywhere (the simulators' request logs hold reads only).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.quickstart import stack_config
from pulumi_sonicha.simulator import PRIMARY_MONITORING_IP, Simulator
from pulumi_sonicha.testing import Lifecycle, LifecycleError

REPO = Path(__file__).resolve().parents[2]
FLEET = REPO / "examples" / "fleet"
HA_PAIR = REPO / "examples" / "ha-pair"
COMPLETE_PAIR = REPO / "examples" / "complete-pair"
OTHER_PRIMARY = "2CB8EE000C01"
OTHER_BACKUP = "2CB8EF000C02"


@contextmanager
def two_pairs(tmp_path: Path) -> Iterator[tuple[Simulator, Simulator, Path]]:
    """Our pair, and another working pair on the same network (the firewall a typo
    reaches); the CA bundle trusting both."""
    with (
        Simulator(sync_seconds=0) as ours,
        Simulator(
            sync_seconds=0,
            primary_serial=OTHER_PRIMARY,
            backup_serial=OTHER_BACKUP,
            portal=None,
        ) as other,
    ):
        bundle = tmp_path / "cas.pem"
        bundle.write_text(Path(ours.ca_path).read_text() + Path(other.ca_path).read_text())
        yield ours, other, bundle


def stack_for(project: Path, sim: Simulator, bundle: Path, tmp_path: Path, **ha: str) -> Lifecycle:
    config, secret_keys = stack_config(sim)
    config["sonicha:caBundle"] = str(bundle)
    if project == FLEET:
        config = {k: v for k, v in config.items() if not k.startswith("ha:")}
        config["ha:pairs"] = json.dumps([fleet_entry(sim)])
    config.update({f"ha:{key}": value for key, value in ha.items()})
    return Lifecycle(
        project, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
    )


def fleet_entry(sim: Simulator, **changes: str) -> dict[str, Any]:
    """The fleet example's entry: the Primary at its own monitoring address, the pair's
    address for the first contact, the Backup at its own."""
    return {
        "name": "site-a",
        "primaryHost": sim.primary.address(PRIMARY_MONITORING_IP),
        "pairHost": sim.primary.host,
        "backupHost": sim.backup.host,
        "primarySerial": sim.primary.serial,
        "backupSerial": sim.backup.serial,
        **changes,
    }


def servers(*sims: Simulator) -> list[Any]:
    return [server for sim in sims for server in sim.servers]


def forget(*sims: Simulator) -> None:
    for server in servers(*sims):
        server.clear_requests()


def written(*sims: Simulator) -> list[str]:
    """Every request that could change something, on any unit or portal."""
    return [f"{s.name} {r.method} {r.path}" for s in servers(*sims) for r in s.writes()]


def pair_as_before(sim: Simulator) -> None:
    mode = sim.primary.ha_settings()["mode"]
    assert next(iter(mode.values()))["secondary_serial"] == sim.backup.serial
    assert sim.primary.ha_status()["secondary_state"] == "STANDBY"


def refused(stack: Lifecycle) -> str:
    with pytest.raises(LifecycleError) as caught:
        stack.preview()
    return str(caught.value)


def test_fleet_typo_in_primary_host_is_refused_before_the_links_move(tmp_path: Path) -> None:
    """The fleet example, primaryHost pointed at another firewall: the HaInterfaces used
    to be replaced first (an unrelated firewall's X4/X5 put in Unassigned), then the
    pair (HA off). The first replacement's preflight finds the Backup paired with
    another Primary than the one at the new address."""
    with two_pairs(tmp_path) as (ours, other, bundle):
        stack = stack_for(FLEET, ours, bundle, tmp_path)
        with stack:
            stack.up()
            pair_as_before(ours)
            entry = fleet_entry(ours, primaryHost=other.primary.host)
            stack.set_config("ha:pairs", json.dumps([entry]))
            forget(ours, other)
            text = refused(stack)
            assert "plans a replacement that deletes the current one first" in text
            assert "| FAIL   | HA pair" in text
            assert f"the Backup of Primary {other.primary.host}" in text
            assert written(ours, other) == []
            # `up` refuses the same way, before its first write.
            with pytest.raises(LifecycleError):
                stack.up()
            assert written(ours, other) == []
            pair_as_before(ours)
            # Put right, the stack moves on: nothing to do.
            stack.set_config("ha:pairs", json.dumps([fleet_entry(ours)]))
            assert not stack.preview().has_changes


def test_ha_pair_primary_host_at_the_backups_address_is_refused(tmp_path: Path) -> None:
    """HaPair alone (examples/ha-pair), primary_host set to the Backup's address: the
    new address answers with backup_serial; the preview shows why, nothing is sent."""
    with two_pairs(tmp_path) as (ours, other, bundle):
        stack = stack_for(HA_PAIR, ours, bundle, tmp_path)
        stack.remove_config("ha:backupHost")  # optional there: the Primary alone is named
        with stack:
            stack.up()
            stack.set_config("ha:primaryHost", ours.backup.host)
            forget(ours, other)
            text = refused(stack)
            assert "primary_host is the Backup's address" in text
            assert "| FAIL   | serial" in text
            assert written(ours, other) == []
            pair_as_before(ours)


def test_ha_pair_primary_host_at_another_firewall_is_refused(tmp_path: Path) -> None:
    """HaPair alone, primary_host pointed at another pair's Primary, backup_host ours:
    that unit leads a pair of its own naming another Backup, and our Backup is paired
    with another Primary."""
    with two_pairs(tmp_path) as (ours, other, bundle):
        stack = stack_for(HA_PAIR, ours, bundle, tmp_path)
        with stack:
            stack.up()
            # The other pair is working too.
            other.primary.set_ha_settings(
                {
                    "mode": {
                        "active_standby": {
                            "secondary_serial": other.backup.serial,
                            "control_interface": "X5",
                        }
                    }
                }
            )
            stack.set_config("ha:primaryHost", other.primary.host)
            forget(ours, other)
            text = refused(stack)
            assert f"HA on (active_standby), naming the Backup {other.backup.serial}" in text
            assert "| FAIL   | HA pair" in text
            assert written(ours, other) == []
            pair_as_before(ours)


def test_complete_pair_typo_in_primary_host_fails_the_preview(tmp_path: Path) -> None:
    """The complete-pair example (monitoring, links, pair, licenses), primaryHost
    pointed at another firewall: the preview stops at the first delete-first
    replacement (the control link) with the table; nothing is written anywhere."""
    with two_pairs(tmp_path) as (ours, other, bundle):
        stack = stack_for(COMPLETE_PAIR, ours, bundle, tmp_path)
        with stack:
            stack.up()
            stack.set_config("ha:primaryHost", other.primary.host)
            forget(ours, other)
            text = refused(stack)
            assert "control-link" in text and "| FAIL   | HA pair" in text
            assert written(ours, other) == []
            pair_as_before(ours)


def test_an_update_or_an_unchanged_diff_sends_no_preflight_request(tmp_path: Path) -> None:
    """The preflight runs in diff only when a replacement is planned: a timer changed
    (an update) or nothing changed costs no request at preview time."""
    with two_pairs(tmp_path) as (ours, other, bundle):
        stack = stack_for(HA_PAIR, ours, bundle, tmp_path)
        with stack:
            stack.up()
            forget(ours, other)
            assert not stack.preview().has_changes
            stack.set_config("ha:heartbeatMs", "2000")
            assert stack.preview().step("pair").op == "update"
            assert [r for s in servers(ours, other) for r in s.requests] == []
