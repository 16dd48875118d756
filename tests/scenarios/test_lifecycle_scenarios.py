"""Never take a working pair down: whole plans through the SDK's provider host.

Each scenario is what an administrator does to a stack (rename a pair, swap the
roles, replace a dead Backup, destroy with HA retained, change a behaviour-only
input, interrupt a run), run by the lifecycle harness (`Lifecycle`: the program
under the SDK's mocks, every resource through `python -m pulumi.dynamic` over
gRPC, in the engine's order), against the simulator. What must hold after each
`up`: a working pair (HA on at the Primary naming the Backup, synchronized; the
HA links Unassigned on both units; the association in place) and a stack that
can move on; after each destroy: what was there before the first `up`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pulumi_sonicha.errors import SessionHeldError
from pulumi_sonicha.quickstart import stack_config
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import PRIMARY_MONITORING_IP, Simulator
from pulumi_sonicha.sonicos import SonicOSClient
from pulumi_sonicha.testing import Lifecycle, LifecycleError, Result

REPO = Path(__file__).resolve().parents[2]
HA_STACK = Path(__file__).parent.parent / "fixtures" / "ha_stack"
FLEET = REPO / "examples" / "fleet"
HA_BASE = "/api/sonicos/high-availability/base"
OTHER_PRIMARY = "2CB8EE000B01"
OTHER_BACKUP = "2CB8EF000B02"


def ops(result: Result) -> list[tuple[str, str]]:
    return [(step.name, step.op) for step in result.steps]


def mode_of(unit: Any) -> dict[str, Any]:
    return unit.ha_settings()["mode"]


def secondary_of(unit: Any) -> str | None:
    mode = mode_of(unit)
    return next(iter(mode.values()))["secondary_serial"] if mode else None


def warnings(result: Result) -> str:
    return "\n".join(m for m in result.diagnostics if m.startswith("warning:"))


def no_session_left(sim: Simulator, unit: Any) -> bool:
    """Nobody holds an admin session: a login without override gets in. Only a held
    session counts as "no" (any other failure is the test's own problem and raises)."""
    settings = Settings(username=sim.username, password=sim.password, ca_bundle=sim.ca_path)
    try:
        with SonicOSClient(unit.host, settings).session() as session:
            session.system()
    except SessionHeldError:
        return False
    return True


def ha_stack(
    tmp_path: Path, sim: Simulator, bundle: str | None = None, **t: Any
) -> Lifecycle:
    """The scenario project aimed at `sim`; `t` are its `t:*` config keys."""
    config: dict[str, Any] = {
        "sonicha:username": sim.username,
        "sonicha:password": sim.password,
        "sonicha:caBundle": bundle or sim.ca_path,
        "sonicha:timeout": "5",
        "sonicha:maxRetries": "1",
        "t:primaryHost": sim.primary.host,
        "t:backupHost": sim.backup.host,
        "t:backupSerial": sim.backup.serial,
    }
    config.update({f"t:{key}": value for key, value in t.items()})
    return Lifecycle(
        HA_STACK,
        config=config,
        secret_keys={"sonicha:password"},
        state_file=tmp_path / "state.json",
    )


def assert_working_pair(sim: Simulator, links: tuple[str, ...] = ("X4",)) -> None:
    assert secondary_of(sim.primary) == sim.backup.serial
    assert sim.primary.ha_status()["secondary_state"] == "STANDBY"
    for unit in (sim.primary, sim.backup):
        assert all(unit.zone(link) == "Unassigned" for link in links), unit.name
        assert unit.pending() == {}


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(sync_seconds=0) as simulator:
        yield simulator


# -- 1. rename ---------------------------------------------------------------------
def fleet_entry_hosts(sim: Simulator) -> dict[str, str]:
    """A fleet entry's addresses: the Primary at its own monitoring address, the pair's
    address for the first contact, the Backup at its own."""
    return {
        "primaryHost": sim.primary.address(PRIMARY_MONITORING_IP),
        "pairHost": sim.primary.host,
        "backupHost": sim.backup.host,
    }


def fleet_stack(sim: Simulator, tmp_path: Path, **pair: Any) -> Lifecycle:
    config, secret_keys = stack_config(sim)
    entry = {
        "name": "site-a",
        **fleet_entry_hosts(sim),
        "primarySerial": sim.primary.serial,
        "backupSerial": sim.backup.serial,
        **pair,
    }
    config = {k: v for k, v in config.items() if not k.startswith("ha:")}
    config["ha:pairs"] = json.dumps([entry])
    return Lifecycle(
        FLEET, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
    )


def rename(stack: Lifecycle, sim: Simulator, **pair: Any) -> None:
    entry = {
        "name": "hq",
        **fleet_entry_hosts(sim),
        "primarySerial": sim.primary.serial,
        "backupSerial": sim.backup.serial,
        **pair,
    }
    stack.set_config("ha:pairs", json.dumps([entry]))


SUFFIXES = ["management", "control-link", "data-link", "pair", "licenses"]
#: The fleet's one sync wait: a rename changes its list of pairs (an update, reads only).
FLEET_SYNC = "fleet-sync"


def pair_ops(result: Result) -> list[tuple[str, str]]:
    """The steps of the pairs' own resources (the fleet's wait left out)."""
    return [(name, op) for name, op in ops(result) if name != FLEET_SYNC]


def assert_renamed_pair_left_alone(sim: Simulator, result: Result, association: str) -> None:
    """The old names' deletes left the pair, its links and its association alone, each
    saying so."""
    assert_working_pair(sim, ("X4", "X5"))
    assert association in [a["id"] for a in sim.portal.associations()]
    text = warnings(result)
    assert "left HA on at the Primary" in text and "another HaPair manages it" in text
    assert "another HaInterface manages that port" in text
    assert "another LicenseAssociation manages it" in text


def test_rename_without_aliases_keeps_the_pair_working(sim: Simulator, tmp_path: Path) -> None:
    """site-a renamed hq: the new resources adopt the live pair, then the old ones'
    deletes leave alone what the new ones set in this run (and say so)."""
    sim.primary.set_zone("X4", "DMZ")
    with fleet_stack(sim, tmp_path) as stack:
        stack.up()
        (association,) = [
            a for a in sim.portal.associations() if a["primary_serial"] == sim.primary.serial
        ]
        rename(stack, sim)
        plan = stack.preview()
        assert plan.changes == {"create": len(SUFFIXES), "delete": len(SUFFIXES), "update": 1}
        result = stack.up()
        assert pair_ops(result) == [*[(f"hq-{s}", "create") for s in SUFFIXES]] + [
            (f"site-a-{s}", "delete") for s in reversed(SUFFIXES)
        ]
        assert (FLEET_SYNC, "update") in ops(result)
        assert_renamed_pair_left_alone(sim, result, association["id"])
        # The stack moves on: the new resources remember what was there before.
        assert not stack.preview().has_changes
        stack.destroy()
    assert mode_of(sim.primary) == {} and mode_of(sim.backup) == {}
    # What is lost without aliases (README): the new link found X4 Unassigned, so the
    # zone from before the first `up` (DMZ) is no longer known; destroy leaves X4 as is.
    assert sim.primary.zone("X4") == "Unassigned"
    assert association["id"] not in [a["id"] for a in sim.portal.associations()]


def test_rename_over_two_ups_keeps_the_pair_working(sim: Simulator, tmp_path: Path) -> None:
    """The fleet lists the pair under both names for a while (hq added, site-a kept: hq
    adopts the live pair and says so), then drops site-a. That later `up` deletes
    site-a in a provider host that never created hq; hq, declared in the same run, says
    in its diff which unit objects it manages, so the deletes leave them alone."""
    sim.primary.set_zone("X4", "DMZ")  # site-a's data link would put it back
    with fleet_stack(sim, tmp_path) as stack:
        stack.up()
        (association,) = [
            a for a in sim.portal.associations() if a["primary_serial"] == sim.primary.serial
        ]
        site_a = json.loads(stack.config["ha:pairs"])
        rename(stack, sim)
        hq = json.loads(stack.config["ha:pairs"])
        stack.set_config("ha:pairs", json.dumps(site_a + hq))
        adopted = stack.up()
        assert sorted(pair_ops(adopted)) == sorted(
            [(f"site-a-{s}", "same") for s in SUFFIXES] + [(f"hq-{s}", "create") for s in SUFFIXES]
        )
        text = warnings(adopted)
        assert f"HaPair {sim.primary.serial}: the Primary" in text
        assert "already has HA on as declared, naming the Backup" in text
        assert "LicenseAssociation" in text and "already associated" in text
        stack.set_config("ha:pairs", json.dumps(hq))
        result = stack.up()  # a new provider host: it never saw hq's creates
        assert pair_ops(result) == [(f"hq-{s}", "same") for s in SUFFIXES] + [
            (f"site-a-{s}", "delete") for s in reversed(SUFFIXES)
        ]
        assert_renamed_pair_left_alone(sim, result, association["id"])
        assert not stack.preview().has_changes
        stack.destroy()
    assert mode_of(sim.primary) == {} and mode_of(sim.backup) == {}
    assert association["id"] not in [a["id"] for a in sim.portal.associations()]


def test_rename_with_aliases_moves_the_resources(sim: Simulator, tmp_path: Path) -> None:
    """`renamedFrom` gives the pair's FirewallPair an alias, which carries to every one
    of its resources: the plan renames them, nothing is written; only the fleet's wait
    runs again under the pair's new name (status reads)."""
    with fleet_stack(sim, tmp_path) as stack:
        stack.up()
        for server in sim.servers:
            server.clear_requests()
        rename(stack, sim, renamedFrom="site-a")
        plan = stack.preview()
        assert pair_ops(plan) == [(f"hq-{s}", "same") for s in SUFFIXES]
        renamed = [step.aliased_from for step in plan.steps if step.name != FLEET_SYNC]
        assert renamed == [f"site-a-{s}" for s in SUFFIXES]
        assert plan.changes == {"update": 1}  # the fleet's wait, under the new name
        result = stack.up()
        assert result.changes == {"update": 1}
        assert [server.writes() for server in sim.servers] == [[], [], []]
        assert sorted(r["name"] for r in stack.state["resources"]) == sorted(
            [*(f"hq-{s}" for s in SUFFIXES), FLEET_SYNC]
        )
        assert_working_pair(sim, ("X4", "X5"))


# -- 2. roles swapped ----------------------------------------------------------------
def swap_roles(stack: Lifecycle, sim: Simulator) -> None:
    stack.set_config("t:primaryHost", sim.backup.host)
    stack.set_config("t:backupHost", sim.primary.host)
    stack.set_config("t:pairBackupHost", sim.primary.host)
    stack.set_config("t:backupSerial", sim.primary.serial)


def test_roles_swapped_in_two_runs_as_the_error_says(sim: Simulator, tmp_path: Path) -> None:
    """Roles swapped in one change (HaMonitoring's primary_host too) fail the preview:
    the new Primary is the pair's synchronized Backup, which takes no configuration.
    The two runs the error names work: HA off (the pair removed), then everything
    swapped, the monitoring addresses exchanged with it. HaPair is then created on the
    new Primary naming the old one; the HA link joins the same two units (an update in
    place that writes nothing, its zones following the units by serial); each unit
    keeps answering at its own address."""
    sim.primary.set_zone("X4", "DMZ")
    sim.backup.set_zone("X4", "LAN")
    with ha_stack(tmp_path, sim, pairBackupHost=sim.backup.host, monitoring="true") as stack:
        stack.up()
        assert_working_pair(sim)
        swap_roles(stack, sim)
        for server in sim.servers:
            server.clear_requests()
        with pytest.raises(LifecycleError) as caught:
            stack.preview()
        text = str(caught.value)
        assert f"which is the Backup (serial {sim.backup.serial})" in text
        assert "Swap the roles in two runs: 1. turn HA off" in text
        assert sim.primary.writes() == [] and sim.backup.writes() == []
        # Run 1: HA off, everything else as it was.
        stack.set_config("t:primaryHost", sim.primary.host)
        stack.set_config("t:backupHost", sim.backup.host)
        stack.set_config("t:pairBackupHost", sim.backup.host)
        stack.set_config("t:backupSerial", sim.backup.serial)
        stack.set_config("t:pair", "false")
        stack.up()
        assert mode_of(sim.primary) == {}
        # Run 2: the roles swapped everywhere, the monitoring addresses with them.
        swap_roles(stack, sim)
        stack.set_config("t:pair", "true")
        plan = stack.preview()
        assert plan.step("site-x4").op == "update"
        assert plan.step("site-x0").op == "replace"
        result = stack.up()
        assert ("site-pair", "create") in ops(result)
        # The old entry's delete finds its unit the Backup now: left to the Primary's.
        assert "this unit is now the Backup of the Primary" in warnings(result)
        assert [r.path for r in sim.primary.writes() if "interfaces" in r.path] == []
        assert [r.path for r in sim.backup.writes() if "interfaces" in r.path] == []
        assert secondary_of(sim.backup) == sim.primary.serial
        assert sim.backup.ha_status()["secondary_state"] == "STANDBY"
        # Each unit answers at its own address again: the new Backup at its monitoring
        # address, which the exchanged entry gives it.
        assert sim.primary.answering_ips() == [sim.primary_ip]
        assert sim.backup.monitoring("X0")["secondary"] == sim.primary_ip
        for unit in (sim.primary, sim.backup):
            assert unit.zone("X4") == "Unassigned" and unit.pending() == {}
        (link,) = [r for r in stack.state["resources"] if r["name"] == "site-x4"]
        assert link["outputs"]["primary_serial"] == sim.backup.serial
        assert link["outputs"]["previous_zones"] == {"primary": "LAN", "backup": "DMZ"}
        assert not stack.preview(refresh=True).has_changes
        gone = stack.destroy()
        assert warnings(gone) == ""
    assert (sim.primary.zone("X4"), sim.backup.zone("X4")) == ("DMZ", "LAN")
    assert mode_of(sim.primary) == {} and mode_of(sim.backup) == {}


# -- 3. a new Backup at a new address; the old one dead ---------------------------------
def test_backup_replaced_while_the_old_one_is_dead(tmp_path: Path) -> None:
    with (
        Simulator(sync_seconds=0) as sim,
        Simulator(sync_seconds=0, primary_serial=OTHER_PRIMARY, backup_serial=OTHER_BACKUP) as new,
    ):
        bundle = tmp_path / "cas.pem"
        bundle.write_text(Path(sim.ca_path).read_text() + Path(new.ca_path).read_text())
        sim.primary.set_zone("X4", "DMZ")
        sim.backup.set_zone("X4", "LAN")
        new.primary.set_zone("X4", "WAN")
        with ha_stack(tmp_path, sim, str(bundle), pair=False) as stack:
            stack.up()
            sim.backup.stop()  # returned under warranty
            stack.set_config("t:backupHost", new.primary.host)
            sim.primary.clear_requests()
            plan = stack.preview()
            assert (plan.step("site-x4").op, plan.step("site-x4").delete_before_replace) == (
                "replace",
                True,
            )
            result = stack.up()
            assert "could not reach the Backup" in warnings(result)
            assert "removed from the stack anyway" in warnings(result)
            # The Primary's X4 got DMZ back from the old resource, then the new one took it.
            zones = [
                (r.body["interfaces"][0]["ipv4"].get("ip_assignment") or {}).get("zone")
                for r in sim.primary.writes()
                if r.path == "/api/sonicos/interfaces/ipv4"
            ]
            assert zones == ["DMZ", None]
            assert sim.primary.zone("X4") == "Unassigned" and new.primary.zone("X4") == "Unassigned"
            (entry,) = stack.state["resources"]
            assert entry["outputs"]["previous_zones"] == {"primary": "DMZ", "backup": "WAN"}
            assert not stack.preview().has_changes
            stack.destroy()
        assert (sim.primary.zone("X4"), new.primary.zone("X4")) == ("DMZ", "WAN")


NEW_BACKUP = "2CB8ED0A9F77"


def test_backup_replaced_by_a_new_unit_in_a_live_pair(sim: Simulator, tmp_path: Path) -> None:
    """The Backup of a working pair fails and the vendor ships a new unit (RMA): another
    serial, factory settings, racked at the same address on the same cables. The
    administrator changes backup_serial; `up` points the Primary's HA at the new unit
    and waits for it to synchronize. The pair works, a drift preview is clean, and a
    destroy completes, leaving the new unit's port alone (the link remembered the old
    unit's zone; the new unit never had it)."""
    sim.backup.set_zone("X4", "LAN")
    with ha_stack(tmp_path, sim, pairBackupHost=sim.backup.host) as stack:
        stack.up()
        assert_working_pair(sim)
        old = sim.backup.serial
        sim.replace_backup(NEW_BACKUP)
        assert sim.backup.serial == NEW_BACKUP and mode_of(sim.backup) == {}
        stack.set_config("t:backupSerial", NEW_BACKUP)
        plan = stack.preview()
        assert ops(plan) == [("site-x4", "same"), ("site-pair", "update")]
        assert plan.step("site-pair").diff_keys == ["backup_serial"]
        result = stack.up()
        assert ops(result) == ops(plan)
        assert secondary_of(sim.primary) == NEW_BACKUP
        assert_working_pair(sim)
        assert sim.backup.ha_settings() == sim.primary.ha_settings()  # synchronized copy
        assert not stack.preview(refresh=True).has_changes
        gone = stack.destroy()
        assert gone.changes == {"delete": 2} and stack.state["resources"] == []
        text = warnings(gone)
        assert f"this address now answers with serial {NEW_BACKUP}" in text
        assert f"but the resource manages {old}" in text
    assert mode_of(sim.primary) == {} and mode_of(sim.backup) == {}
    assert sim.backup.zone("X4") == "Unassigned"  # the new unit's own, left alone


# -- 4. a destroy that cannot put the zone back ----------------------------------------
def test_destroy_with_ha_retained_completes_and_says_why(sim: Simulator, tmp_path: Path) -> None:
    sim.primary.set_zone("X5", "LAN")
    with ha_stack(tmp_path, sim, links=["X5"], onDelete="retain") as stack:
        stack.up()
        result = stack.destroy()
        assert result.changes == {"delete": 2}
        assert stack.state["resources"] == []
        text = warnings(result)
        assert "X5 is the HA control link of the pair on the Primary" in text
        assert "zone LAN was not put back on either unit" in text and "on_delete" in text
    assert secondary_of(sim.primary) == sim.backup.serial  # retained, as asked
    assert sim.primary.zone("X5") == "Unassigned"
    assert sim.primary.pending() == {} == sim.backup.pending()


def test_destroy_when_the_remembered_zone_is_gone_completes(sim: Simulator, tmp_path: Path):
    """The zone X4 had before was deleted from the unit since: the unit refuses it (400)."""
    sim.primary.set_zone("X4", "OLD-DMZ")
    with ha_stack(tmp_path, sim, pair=False) as stack:
        stack.up()
        sim.primary.fail(
            "PUT",
            "/interfaces/ipv4$",
            status=400,
            code="E_INVALID_VALUE",
            message="Zone OLD-DMZ does not exist.",
            times=None,
        )
        result = stack.destroy()
        assert stack.state["resources"] == []
        assert "Zone OLD-DMZ does not exist" in warnings(result)
    assert sim.primary.zone("X4") == "Unassigned"


# -- 5. behaviour-only inputs ------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "input_name"),
    [
        ("onDelete", "retain", "on_delete"),
        ("waitForSync", "false", "wait_for_sync"),
        ("syncTimeout", "60", "sync_timeout_s"),
        ("pairBackupHost", "BACKUP", "backup_host"),
    ],
)
def test_behaviour_only_inputs_change_with_no_request(
    sim: Simulator, tmp_path: Path, key: str, value: str, input_name: str
) -> None:
    with ha_stack(tmp_path, sim) as stack:
        stack.up()
        sim.uncable("X5")  # a sync wait could never end: none may happen
        for server in sim.servers:
            server.clear_requests()
        stack.set_config(f"t:{key}", sim.backup.host if value == "BACKUP" else value)
        result = stack.up()
        assert ops(result) == [("site-x4", "same"), ("site-pair", "update")]
        assert result.step("site-pair").diff_keys == [input_name]
        primary, backup, portal = ([(r.method, r.path) for r in server.requests
                                    if r.status != 401] for server in sim.servers)  # fmt: skip
        assert primary == [] and portal == []
        # The one exception: a new backup_host must reach the Backup (its serial, read
        # once), as the address the stack reaches it at from now on; nothing is written.
        assert backup == ([] if input_name != "backup_host" else
                          [("POST", "/api/sonicos/auth"), ("GET", "/api/sonicos/version"),
                           ("DELETE", "/api/sonicos/auth")])  # fmt: skip


# -- 9. an interrupted run --------------------------------------------------------------
def wait_for_commit(unit: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        paths = [(r.method, r.path) for r in unit.requests]
        if ("PUT", HA_BASE) in paths and paths[paths.index(("PUT", HA_BASE)) :].count(
            ("POST", "/api/sonicos/config/pending")
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the HA settings were never committed")


def test_host_stopped_during_the_sync_wait_puts_back_and_logs_out(tmp_path: Path) -> None:
    """The engine stops the provider host (SIGINT) while HaPair waits for the sync: the
    previous HA settings are put back, the session ends, the links' state is saved, and
    the next `up` reconciles."""
    # Generous waits: on a loaded machine (parallel suites) the links and the commit can
    # take tens of seconds; the point is only that the stop comes before the sync.
    with Simulator(sync_seconds=180) as sim:
        stack = ha_stack(tmp_path, sim, syncTimeout=300)
        with stack:
            stopper = threading.Thread(
                target=lambda: (wait_for_commit(sim.primary, 150.0), stack._host.interrupt())
            )
            stopper.start()
            started = time.monotonic()
            with pytest.raises(LifecycleError) as caught:
                stack.up()
            stopper.join()
            host = stack._host
            stack.close()  # as the engine, give the host its 5 s to finish and exit
            assert time.monotonic() - started < 170  # not the sync wait's 180 s
            assert host is not None and not host.running
            # One line on the host's stderr (the CLI shows it with --debug), no traceback,
            # after the sync wait's progress lines (one per state change, issue 10/12).
            lines = [line for line in host.stderr_text().splitlines() if line.strip()]
            progress = [line for line in lines if line.startswith("pulumi-sonicha: HaPair on ")]
            assert progress and all("Backup ELECTION (" in line for line in progress), lines
            lines = [line for line in lines if line not in progress]
            assert len(lines) == 1, lines
            assert "interrupted (the provider host is stopping)" in lines[0]
            assert "The previous HA settings were restored" in lines[0]
            assert (caught.value.resource, caught.value.op) == ("site-pair", "create")
            # The host's gRPC server stopped at once: the engine sees the call cancelled;
            # the provider's own line went to the host's stderr (above).
            assert "Create failed (UNAVAILABLE)" in str(caught.value)
            assert mode_of(sim.primary) == {}  # put back
            assert sim.primary.pending() == {}
            assert no_session_left(sim, sim.primary)
            assert [r["name"] for r in stack.state["resources"]] == ["site-x4"]
            sim.primary.sync_seconds = 0
            stack.up()  # reconciles
            assert_working_pair(sim)


def test_host_killed_with_sigterm_during_the_sync_wait_next_up_reconciles(
    tmp_path: Path,
) -> None:
    """SIGTERM straight at the provider host (a CI runner killing every process): a
    Python dynamic provider cannot catch it (only the main thread may install signal
    handlers, and the SDK's host owns it), so nothing runs: the committed HA settings
    stay and the session is abandoned until the unit's idle timeout. The next `up`
    takes the pair over as it is (saying so) and completes."""
    with Simulator(sync_seconds=60) as sim:
        stack = ha_stack(tmp_path, sim, syncTimeout=300)
        with stack:
            def kill() -> None:
                wait_for_commit(sim.primary)
                assert stack._host is not None and stack._host.pid is not None
                os.kill(stack._host.pid, signal.SIGTERM)

            killer = threading.Thread(target=kill)
            killer.start()
            with pytest.raises(LifecycleError) as caught:
                stack.up()
            killer.join()
            assert caught.value.resource == "site-pair" and caught.value.op == "create"
            assert [r["name"] for r in stack.state["resources"]] == ["site-x4"]
            assert secondary_of(sim.primary) == sim.backup.serial  # committed: it stays
            assert sim.primary.pending() == {}  # nothing was staged while waiting
            assert not no_session_left(sim, sim.primary)  # abandoned, until idle timeout
            sim.primary.expire_sessions()  # the unit's idle timeout
            sim.primary.sync_seconds = 0
            result = stack.up()
            assert ops(result) == [("site-x4", "same"), ("site-pair", "create")]
            assert "already has HA on as declared" in warnings(result)
            assert_working_pair(sim)
            assert no_session_left(sim, sim.primary)


def harness_up(
    sim: Simulator, state: Path, *config: str
) -> subprocess.Popen[str]:
    """`python -m pulumi_sonicha.testing up` of the scenario project, in a process group
    of its own, as a terminal's foreground job (Ctrl-C reaches the whole group)."""
    args = [
        f"t:primaryHost={sim.primary.host}",
        f"t:backupHost={sim.backup.host}",
        f"t:backupSerial={sim.backup.serial}",
        f"sonicha:caBundle={sim.ca_path}",
        *config,
    ]
    command = [sys.executable, "-m", "pulumi_sonicha.testing", "up", "--cwd", str(HA_STACK)]
    command += ["--state", str(state)]
    for arg in args:
        command += ["--config", arg]
    return subprocess.Popen(
        command,
        env={**os.environ, "SONICHA_PASSWORD": sim.password},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def ctrl_c(proc: subprocess.Popen[str], *pauses: float) -> tuple[str, str]:
    """Ctrl-C once, and once more after each pause; then the command's output."""
    try:
        os.killpg(proc.pid, signal.SIGINT)
        for pause in pauses:
            time.sleep(pause)
            os.killpg(proc.pid, signal.SIGINT)
        return proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_first_ctrl_c_lets_the_running_step_complete_and_starts_nothing_more(
    tmp_path: Path,
) -> None:
    """As the CLI: the first Ctrl-C cancels. The link being created completes (its
    commit was in flight), the second link and the pair are never started, and the
    state holds what completed."""
    with Simulator(sync_seconds=0) as sim:
        for link in ("X4", "X5"):
            sim.primary.set_zone(link, "DMZ")
        sim.primary.hang("POST", "/api/sonicos/config/pending$", seconds=2)
        state = tmp_path / "state.json"
        proc = harness_up(sim, state, 't:links=["X4", "X5"]')
        try:
            deadline = time.monotonic() + 60
            while ("PUT", "/api/sonicos/interfaces/ipv4") not in [
                (r.method, r.path) for r in sim.primary.requests
            ]:
                assert time.monotonic() < deadline, "X4 was never written"
                time.sleep(0.02)
        except BaseException:
            proc.kill()
            raise
        out, err = ctrl_c(proc)
        assert proc.returncode == 130, (out, err)
        assert "Traceback" not in err
        assert err.count("^C received; cancelling") == 1, err
        (line,) = [line for line in err.splitlines() if line.startswith("interrupted:")]
        assert "up canceled (Ctrl-C): the steps that were running completed" in line
        # The summary is the state file's, exactly (also what the live lines showed).
        assert f"1 step completed; the state file {state} holds 1 resource (site-x4)" in line
        assert "+  HaInterface  site-x4  created" in out
        assert "site-x5  creating" not in out
        assert [r["name"] for r in json.loads(state.read_text())["resources"]] == ["site-x4"], (
            err
        )
        assert sim.primary.zone("X4") == "Unassigned"  # the running step completed
        assert sim.primary.zone("X5") == "DMZ"  # never started
        assert mode_of(sim.primary) == {}
        assert sim.primary.pending() == {} and no_session_left(sim, sim.primary)


def test_second_ctrl_c_stops_the_host_during_the_sync_wait(tmp_path: Path) -> None:
    """The first Ctrl-C waits for the running step (HaPair waiting for the sync); the
    second stops the provider host (SIGINT): the HA settings are put back, the session
    ends, one line says so, and the state keeps what completed."""
    with Simulator(sync_seconds=60) as sim:
        state = tmp_path / "state.json"
        proc = harness_up(sim, state, "t:syncTimeout=300")
        try:
            wait_for_commit(sim.primary, timeout=60)
        except BaseException:
            proc.kill()
            raise
        out, err = ctrl_c(proc, 1.0)
        assert proc.returncode == 130, (out, err)
        assert "Traceback" not in err
        assert err.count("^C received; cancelling") == 1, err
        lines = [line for line in err.splitlines() if line.startswith("interrupted:")]
        assert len(lines) == 1, err
        assert "the provider host was stopped (SIGINT)" in lines[0]
        assert f"1 step completed; the state file {state} holds 1 resource (site-x4)" in (
            lines[0]
        )
        assert "+  HaPair  site-pair  creating" in out  # shown when it started
        assert "pulumi-sonicha: HaPair on" in out  # the sync wait's progress, shown
        assert [r["name"] for r in json.loads(state.read_text())["resources"]] == ["site-x4"]
        assert mode_of(sim.primary) == {}
        assert sim.primary.pending() == {}
        assert no_session_left(sim, sim.primary)


# -- what a drift job sees -----------------------------------------------------------
def harness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pulumi_sonicha.testing", *args, "--cwd", str(HA_STACK)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_drift_job_with_values_and_an_opt_in_health_check(sim: Simulator, tmp_path: Path):
    common = ["--state", str(tmp_path / "state.json")]
    for arg in [
        f"t:primaryHost={sim.primary.host}",
        f"t:backupHost={sim.backup.host}",
        f"t:backupSerial={sim.backup.serial}",
        f"sonicha:caBundle={sim.ca_path}",
    ]:
        common += ["--config", arg]
    env = {"SONICHA_PASSWORD": sim.password}

    # Without the password anywhere, the harness says which variable to set, not how
    # to `pulumi config set` (it has no config store).
    missing = harness("up", *common, env={"SONICHA_PASSWORD": ""})
    assert missing.returncode == 1
    assert "`export SONICHA_PASSWORD=...`" in missing.stderr
    assert "pulumi config set" not in missing.stderr + missing.stdout

    assert harness("up", *common, env=env).returncode == 0
    healthy = harness("preview", "--refresh", "--expect-healthy", *common, env=env)
    assert healthy.returncode == 0, healthy.stderr

    # A pulled HA cable is not drift: no drift line, no change; the health check fails.
    sim.uncable("X4")
    pulled = harness(
        "preview", "--refresh", "--expect-no-changes", "--expect-healthy", *common, env=env
    )
    assert "drift" not in pulled.stdout.split("Previewing update")[1].split("Resources:")[0]
    assert pulled.returncode == 3  # unhealthy, not drift
    assert "unhealthy: site-x4: X4 on the Primary reports 'No link' (HA link down)" in (
        pulled.stderr
    )
    assert "no changes were expected" not in pulled.stderr
    sim.cable("X4")

    # A zone set by hand is drift, shown with its values.
    sim.primary.set_zone("X4", "DMZ")
    drifted = harness("preview", "--refresh", "--expect-no-changes", "--diff", *common, env=env)
    assert drifted.returncode == 2  # drift
    assert 'site-x4 [drift: primary_zone "Unassigned" => "DMZ"]' in drifted.stdout
    assert '~ primary_zone "DMZ" => "Unassigned"' in drifted.stdout
    for operational in ("ha_status", "synchronized", "backup_state", "primary_link"):
        assert operational not in drifted.stdout.split("Outputs:")[0]


def test_parallel_steps_leave_a_working_pair(sim: Simulator, tmp_path: Path) -> None:
    """Registrations stepped at once, as the engine does (`parallel=4`): both links are
    created concurrently through the one provider host, then the pair."""
    sim.primary.set_zone("X4", "DMZ")
    sim.backup.set_zone("X5", "LAN")
    stack = ha_stack(tmp_path, sim, links=["X4", "X5"], data="X4", pairBackupHost=sim.backup.host)
    stack.parallel = 4
    with stack:
        result = stack.up()
        assert sorted(ops(result)) == [
            ("site-pair", "create"),
            ("site-x4", "create"),
            ("site-x5", "create"),
        ]
        assert result.steps[-1].name == "site-pair"  # it depends on both links
        assert_working_pair(sim, ("X4", "X5"))
        for unit in (sim.primary, sim.backup):
            assert unit.max_concurrent_sessions == 1
        assert not stack.preview().has_changes
        assert stack.destroy().changes == {"delete": 3}
    assert (sim.primary.zone("X4"), sim.backup.zone("X5")) == ("DMZ", "LAN")


def test_destroy_restores_the_zone_from_before_the_first_up_not_a_repaired_one(
    sim: Simulator, tmp_path: Path
) -> None:
    """X4 was Unassigned before the first `up`; someone puts it in DMZ, `up --refresh`
    repairs it; destroy must not put DMZ back (README: what a delete restores)."""
    with ha_stack(tmp_path, sim, pair=False) as stack:
        stack.up()
        sim.primary.set_zone("X4", "DMZ")
        repaired = stack.up(refresh=True)
        assert repaired.ops_for("site-x4") == ["drift", "update"]
        assert sim.primary.zone("X4") == "Unassigned"
        (entry,) = stack.state["resources"]
        assert entry["outputs"]["previous_zones"] == {}
        stack.destroy()
    assert sim.primary.zone("X4") == "Unassigned"


def test_destroy_with_the_backup_dead_completes_and_says_what_is_left(
    sim: Simulator, tmp_path: Path
) -> None:
    with ha_stack(tmp_path, sim, pairBackupHost=sim.backup.host) as stack:
        stack.up()
        sim.backup.stop()
        result = stack.destroy()
        assert result.changes == {"delete": 2} and stack.state["resources"] == []
        text = warnings(result)
        assert "could not reach the Backup" in text and "turn HA off there by hand" in text
    assert mode_of(sim.primary) == {}


@pytest.fixture
def one_address_sim() -> Iterator[Simulator]:
    """Both units at 127.0.0.1 (their own ports), so `localhost` spells either."""
    with Simulator(sync_seconds=0, backup_ip="127.0.0.1", monitoring=False) as simulator:
        yield simulator


def test_two_spellings_of_one_pair_in_one_run_through_the_host(
    one_address_sim: Simulator, tmp_path: Path
) -> None:
    """Two links spell the same units differently (`LOCALHOST:port`, `localhost:port`:
    as `FW1` and `fw1:443`), created at once through one provider host: the unit locks
    are taken in one global order, so neither waits for the other forever."""
    sim = one_address_sim
    p1, p2 = str(sim.primary.port), str(sim.backup.port)
    lower = {"primaryHost": f"localhost:{p1}", "backupHost": f"localhost:{p2}"}
    upper = dict(lower)
    upper["primaryHost" if p1 > p2 else "backupHost"] = f"LOCALHOST:{p1 if p1 > p2 else p2}"
    links = [{"interface": "X4", **upper}, {"interface": "X5", **lower}]
    stack = ha_stack(tmp_path, sim, links=json.dumps(links), pair=False)
    stack.parallel = 4
    stack.call_timeout = 30  # a deadlock fails the call, not the suite
    for unit in (sim.primary, sim.backup):
        unit.hang("POST", "/api/sonicos/auth$", seconds=0.5, times=2)
    with stack:
        result = stack.up()
        assert sorted(ops(result)) == [("site-x4", "create"), ("site-x5", "create")]
        for unit in (sim.primary, sim.backup):
            assert unit.max_concurrent_sessions == 1
