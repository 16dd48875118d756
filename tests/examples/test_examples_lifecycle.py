"""Every example project, through its whole life, against a fresh simulator.

The administrator's sequence, for the root project (`Pulumi.yaml`, program
`examples/complete-pair/`), `examples/complete-pair` and `examples/ha-pair`,
each with one `Lifecycle` (one provider host):

preview (plans creates, writes nothing) -> up (creates, pair synchronized)
-> up again (nothing to do, no request at all) -> edit a setting (the preview
updates that resource only; up writes only that) -> a change by hand on an
appliance or on MySonicWall (`preview --refresh` reports exactly that drift
and plans the fix; `up --refresh` puts it back) -> destroy (HA off, the
association removed, the zones HaInterface unassigned put back).

`examples/fleet` runs two pairs (two simulators sharing one portal) from one
stack: a change by hand on one pair shows on that pair's resource alone.

The complete-pair program reads no HaPair setting from config, so its
"edit" is what an administrator does: change the program. Those projects
run from a byte-identical copy in tmp_path, whose program is edited there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_sonicha.quickstart import stack_config
from pulumi_sonicha.simulator import (
    BACKUP_SERIAL,
    DEFAULT_HA,
    INTERFACES,
    MODEL,
    PRIMARY_LICENSES,
    PRIMARY_MONITORING_IP,
    PRIMARY_SERIAL,
    SEED_ASSOCIATION_ID,
    UNASSIGNED,
    ApplianceSim,
    Simulator,
)
from pulumi_sonicha.testing import Lifecycle, LifecycleError, Result
from pulumi_sonicha.testing.lifecycle import read_project

REPO = Path(__file__).resolve().parents[2]
COMPLETE_PAIR_PROJECTS = [".", "examples/complete-pair"]  # the root project runs complete-pair
HA_PAIR_PROJECT = "examples/ha-pair"
FLEET_PROJECT = "examples/fleet"
TESTED_EXAMPLES = sorted({*COMPLETE_PAIR_PROJECTS, HA_PAIR_PROJECT, FLEET_PROJECT} - {"."})

HA_BASE = "/api/sonicos/high-availability/base"
COMMIT = ("POST", "/api/sonicos/config/pending", {})
CONFIG_MODE = ("POST", "/api/sonicos/config-mode", {})
NON_CONFIG_MODE = ("POST", "/api/sonicos/non-config-mode", {})
INTERFACES_PATH = "/api/sonicos/interfaces/ipv4"
MONITORING_PATH = "/api/sonicos/high-availability/monitoring/ipv4/interface"
ASSOCIATIONS = "/api/v1/ha-associations"

SHARED = sorted(item["name"] for item in PRIMARY_LICENSES if item["shareable"])
NOT_SHARED = sorted(item["name"] for item in PRIMARY_LICENSES if not item["shareable"])

# What complete-pair asks for; the Backup holds the same once synchronized.
COMPLETE_PAIR_MODE = {
    "active_standby": {
        "secondary_serial": BACKUP_SERIAL,
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
        "preempt": False,
        "virtual_mac": True,
        "encryption": False,
    }
}
# What complete-pair's HaMonitoring sets on X0 (7.2: unset reads "").
MANAGEMENT = {
    "name": "X0",
    "link_monitoring": True,
    "primary": PRIMARY_MONITORING_IP,
    "secondary": "127.0.0.2",
    "allow_management": True,
    "logical_probe": {"enable": False, "ip": ""},
    "override_virtual_mac": {"enable": False, "mac": None},
}
HA_PAIR_MODE = {
    "active_standby": {**COMPLETE_PAIR_MODE["active_standby"], "virtual_mac": False},
}
SYNCHRONIZED = {
    "status": "Primary Active",
    "primary_state": "ACTIVE",
    "secondary_state": "STANDBY",
}


def stored(mode: dict[str, Any], primary_serial: str = PRIMARY_SERIAL) -> dict[str, Any]:
    """A mode object as the unit keeps it: it fills in its own serial."""
    ((kind, fields),) = mode.items()
    return {kind: {"primary_serial": primary_serial, **fields}}


def ha_write(
    before: dict[str, Any], wait: bool = True, **changes: Any
) -> list[tuple[str, str, Any]]:
    """What an HaPair write sends: config mode, the whole object as read with `changes`
    (a PUT replaces it), one commit, and config mode given back before waiting for sync."""
    sent = [CONFIG_MODE, ("PUT", HA_BASE, {"high_availability": {**before, **changes}}), COMMIT]
    return [*sent, NON_CONFIG_MODE] if wait else sent


def ha_off(before: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """HA turned off: the whole object as read, `mode` empty."""
    return ha_write(before, wait=False, mode={})


def interface_write(body: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [CONFIG_MODE, ("PUT", INTERFACES_PATH, body), COMMIT]


def monitoring_write(entry: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """HaMonitoring's write: the whole entry of the interface (a PUT replaces it)."""
    body = {"high_availability": {"monitoring": {"interface": [{"ipv4": entry}]}}}
    return [CONFIG_MODE, ("PUT", f"{MONITORING_PATH}/{entry['name']}", body), COMMIT]


# -- reading the simulator ------------------------------------------------------------
def calls(server: Any) -> list[tuple[str, str]]:
    """Every request the server answered since the last `forget`, as (method, path)."""
    return [(r.method, r.path) for r in server.requests]


def writes(server: Any) -> list[tuple[str, str, Any]]:
    """Requests that could change something (login/logout excluded), with their bodies."""
    return [(r.method, r.path, r.body) for r in server.writes()]


def forget(sim: Simulator) -> None:
    for server in sim.servers:
        server.clear_requests()


def assert_no_requests(sim: Simulator) -> None:
    """Check and Diff of known inputs reach no appliance and no portal."""
    assert [calls(server) for server in sim.servers] == [[], [], []]


def assert_no_writes(sim: Simulator) -> None:
    assert [writes(server) for server in sim.servers] == [[], [], []]


def interfaces(unit: ApplianceSim) -> dict[str, dict[str, Any]]:
    return {name: unit.interface(name) for name in INTERFACES}


def pair_status(unit: ApplianceSim) -> dict[str, Any]:
    status = unit.ha_status()
    return {key: status[key] for key in SYNCHRONIZED}


def our_associations(sim: Simulator) -> list[dict[str, Any]]:
    return [a for a in sim.portal.associations() if a["id"] != SEED_ASSOCIATION_ID]


def unassign(ipv4: dict[str, Any]) -> dict[str, Any]:
    """The body of a PUT that unassigns an interface: the whole object, zone removed."""
    return {"interfaces": [{"ipv4": {**ipv4, "ip_assignment": {}}}]}


def restore(ipv4: dict[str, Any]) -> dict[str, Any]:
    """The body of a PUT that puts an interface back as it was: the whole object."""
    return {"interfaces": [{"ipv4": ipv4}]}


def set_preempt(unit: ApplianceSim, value: bool) -> None:
    """An administrator switches preempt in the UI (HA settings committed by hand)."""
    mode = unit.ha_settings()["mode"]
    ((kind, fields),) = mode.items()
    unit.set_ha_settings({"mode": {kind: {**fields, "preempt": value}}})


# Reads a refresh makes (README: "Each HaPair read costs 4 requests ...").
def interface_read(name: str) -> list[tuple[str, str]]:
    return [
        ("POST", "/api/sonicos/auth"),
        ("GET", "/api/sonicos/interfaces/ipv4"),
        ("GET", "/api/sonicos/reporting/interfaces/ipv4/status"),
        ("DELETE", "/api/sonicos/auth"),
    ]


MONITORING_READ = [
    ("POST", "/api/sonicos/auth"),
    ("GET", f"{MONITORING_PATH}/X0"),
    ("DELETE", "/api/sonicos/auth"),
]
PAIR_READ = [
    ("POST", "/api/sonicos/auth"),
    ("GET", HA_BASE),
    ("GET", "/api/sonicos/reporting/high-availability"),
    ("DELETE", "/api/sonicos/auth"),
]
# The fleet's HaSyncWait reads each pair's HA status once in a refresh.
SYNC_READ = [PAIR_READ[0], PAIR_READ[2], PAIR_READ[3]]
# A read that finds a change first makes sure the address still answers with the
# unit the resource manages (never drift or "gone" from another unit): one GET more.
PAIR_READ_DRIFTED = [*PAIR_READ[:3], ("GET", "/api/sonicos/version"), PAIR_READ[3]]


def association_read(assoc_id: str) -> list[tuple[str, str]]:
    return [("GET", f"{ASSOCIATIONS}/{assoc_id}")]


# Each command runs in a provider host of its own (the CLI starts one per command), which
# knows no Digest nonce and no portal token yet: its first request to each unit is
# answered by the Digest challenge (401) and sent again, and it logs in to the portal once.
DIGEST_CHALLENGE = [("POST", "/api/sonicos/auth")]
PORTAL_LOGIN = [("POST", "/api/v1/auth/login")]


# Where a setup_host is declared, each operation on the Primary first asks whether its
# own monitoring address answers (one unauthenticated GET, no session).
PROBE = [("GET", "/api/sonicos/version")]


def probed(requests: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A Primary operation's requests, behind that question."""
    return PROBE + requests


def in_a_new_host(requests: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One unit's (or the portal's) requests of one command, as a new host sends them."""
    if requests[:1] == PROBE:
        return PROBE + in_a_new_host(requests[1:])
    if requests and requests[0][1].startswith("/api/sonicos/"):
        return DIGEST_CHALLENGE + requests
    return PORTAL_LOGIN + requests


# -- reading results and state ----------------------------------------------------------
def ops(result: Result) -> list[tuple[str, str]]:
    return [(step.name, step.op) for step in result.steps]


def state_resource(stack: Lifecycle, name: str) -> dict[str, Any]:
    (found,) = [r for r in stack.state["resources"] if r["name"] == name]
    return found


# -- projects ----------------------------------------------------------------------------
def copy_project(project: Path, dest: Path) -> Path:
    """`project`'s Pulumi.yaml and program directory, laid out as in the checkout."""
    main = (yaml.safe_load((project / "Pulumi.yaml").read_text()) or {}).get("main")
    program_dir = Path(main or ".")
    ignore = shutil.ignore_patterns("__pycache__", ".pulumi-harness")
    shutil.copytree(project / program_dir, dest / program_dir, ignore=ignore, dirs_exist_ok=True)
    shutil.copy(project / "Pulumi.yaml", dest / "Pulumi.yaml")
    return dest


def edit_program(stack: Lifecycle, old: str, new: str) -> None:
    text = stack.program.read_text()
    assert text.count(old) == 1, f"{old!r} is not in the program exactly once"
    stack.program.write_text(text.replace(old, new))


def test_every_example_has_a_lifecycle_test() -> None:
    examples = sorted(
        str(p.parent.relative_to(REPO)) for p in (REPO / "examples").glob("*/Pulumi.yaml")
    )
    assert examples == TESTED_EXAMPLES
    # The root project runs the complete-pair program (one copy, no drift between them).
    assert read_project(REPO)[1] == read_project(REPO / "examples/complete-pair")[1]


# -- complete-pair: the root project and examples/complete-pair ----------------------------
@pytest.mark.parametrize("project", COMPLETE_PAIR_PROJECTS)
def test_complete_pair_lifecycle(project: str, tmp_path: Path) -> None:
    source = REPO / project
    workdir = copy_project(source, tmp_path / "project")
    # Units nobody set HA monitoring on: the program's HaMonitoring is what keeps the
    # Backup reachable at its address (ha:backupHost) once the pair synchronizes.
    with Simulator(sync_seconds=0, monitoring=False) as sim:
        # X4 of the Primary is in DMZ and X5 of the Backup in LAN: the links unassign
        # them (unassign_zone=True) and destroy must put them back.
        sim.primary.set_zone("X4", "DMZ")
        sim.backup.set_zone("X5", "LAN")
        before = {"primary": interfaces(sim.primary), "backup": interfaces(sim.backup)}
        seeded = sim.portal.associations()
        config, secret_keys = stack_config(sim)
        stack = Lifecycle(
            workdir, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
        )
        assert stack.project == read_project(source)[0]
        assert stack.program.read_bytes() == read_project(source)[1].read_bytes()
        with stack:
            _complete_pair_sequence(stack, sim, before, seeded)


def _complete_pair_sequence(
    stack: Lifecycle, sim: Simulator, before: dict[str, Any], seeded: list[dict[str, Any]]
) -> None:
    names = ["management", "control-link", "data-link", "pair", "licenses"]
    x0 = sim.primary.monitoring("X0")

    # -- preview: five creates, nothing sent anywhere.
    plan = stack.preview()
    assert ops(plan) == [(name, "create") for name in names]
    assert plan.changes == {"create": 5}
    assert_no_requests(sim)
    assert stack.state == {}

    # -- up: the links, HA on the Primary, the association.
    applied = stack.up()
    assert ops(applied) == [(name, "create") for name in names]
    assert writes(sim.primary) == [
        *monitoring_write(MANAGEMENT),
        *interface_write(unassign(before["primary"]["X4"])),
        *ha_write(DEFAULT_HA, mode=COMPLETE_PAIR_MODE),
    ]
    assert writes(sim.backup) == interface_write(unassign(before["backup"]["X5"]))
    assert writes(sim.portal) == [
        (
            "POST",
            ASSOCIATIONS,
            {"primary_serial": PRIMARY_SERIAL, "secondary_serial": BACKUP_SERIAL},
        )
    ]
    expected_ha = {**DEFAULT_HA, "mode": stored(COMPLETE_PAIR_MODE)}
    assert sim.primary.ha_settings() == expected_ha
    assert sim.backup.ha_settings() == expected_ha
    assert pair_status(sim.primary) == SYNCHRONIZED
    # Synchronized: the Backup took the Primary's monitoring and answers only at its
    # monitoring address, the one named as ha:backupHost.
    assert sim.backup.monitoring("X0") == sim.primary.monitoring("X0") == MANAGEMENT
    assert sim.backup.answering_ips() == [sim.backup_ip]
    for unit in (sim.primary, sim.backup):
        assert (unit.zone("X4"), unit.zone("X5")) == (UNASSIGNED, UNASSIGNED)
    (association,) = our_associations(sim)
    assert association["primary_serial"] == PRIMARY_SERIAL
    assert association["secondary_serial"] == BACKUP_SERIAL
    assert sorted(association["shared_licenses"]) == SHARED
    assert sorted(association["non_shareable_licenses"]) == NOT_SHARED
    assert state_resource(stack, "licenses")["id"] == association["id"]
    assert state_resource(stack, "pair")["id"] == PRIMARY_SERIAL
    assert state_resource(stack, "data-link")["id"] == f"{PRIMARY_SERIAL}/X4"
    assert state_resource(stack, "control-link")["outputs"]["previous_zones"] == {"backup": "LAN"}
    assert state_resource(stack, "data-link")["outputs"]["previous_zones"] == {"primary": "DMZ"}
    outputs = {
        "primary_serial": PRIMARY_SERIAL,
        "backup_serial": BACKUP_SERIAL,
        "ha_status": "Primary Active",
        "synchronized": True,
        "shared_licenses": SHARED,
    }
    assert stack.outputs == outputs

    # -- up again: every resource the same, and not one request (check/diff only).
    forget(sim)
    resources = stack.state["resources"]
    again = stack.up()
    assert ops(again) == [(name, "same") for name in names]
    assert not again.has_changes
    assert_no_requests(sim)
    assert stack.state["resources"] == resources

    # -- edit the program: a heartbeat of 2 s. Only the pair changes; the association
    # takes its serials from the data link, so it stays "same" even in the preview.
    edit_program(
        stack, "    virtual_mac=True,\n", "    virtual_mac=True,\n    heartbeat_interval_ms=2000,\n"
    )
    plan = stack.preview()
    assert ops(plan) == [
        ("management", "same"),
        ("control-link", "same"),
        ("data-link", "same"),
        ("pair", "update"),
        ("licenses", "same"),
    ]
    assert plan.step("pair").diff_keys == ["heartbeat_interval_ms"]
    assert plan.changes == {"update": 1}
    assert_no_requests(sim)

    applied = stack.up()
    assert ops(applied) == ops(plan)
    assert writes(sim.primary) == ha_write(expected_ha, heartbeat_interval=2000)
    assert writes(sim.backup) == writes(sim.portal) == []
    expected_ha = {**expected_ha, "heartbeat_interval": 2000}
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == expected_ha
    assert pair_status(sim.primary) == SYNCHRONIZED
    assert stack.outputs == outputs

    # -- by hand (1): preempt switched on in the Primary's UI -> drift on the pair.
    set_preempt(sim.primary, True)
    forget(sim)
    plan = stack.preview(refresh=True)
    assert plan.drift == {"pair": ["preempt"]} and plan.gone == []
    assert ops(plan) == [
        ("management", "read"),
        ("control-link", "read"),
        ("data-link", "read"),
        ("pair", "drift"),
        ("licenses", "read"),
        ("management", "same"),
        ("control-link", "same"),
        ("data-link", "same"),
        ("pair", "update"),
        ("licenses", "same"),
    ]
    assert plan.step("pair").diff_keys == ["preempt"]
    assert plan.changes == {"drift": 1, "update": 1}
    # A refresh-preview reads, never writes: 4 requests per HaInterface unit, 4 per HaPair.
    # The drifted pair's read also checks the unit's serial (1 request more).
    assert calls(sim.primary) == in_a_new_host(
        probed(MONITORING_READ)
        + probed(interface_read("X5"))
        + probed(interface_read("X4"))
        + probed(PAIR_READ_DRIFTED)
    )
    assert calls(sim.backup) == in_a_new_host(interface_read("X5") + interface_read("X4"))
    assert calls(sim.portal) == in_a_new_host(association_read(association["id"]))
    assert sim.primary.ha_settings()["mode"]["active_standby"]["preempt"] is True

    forget(sim)
    fixed = stack.up(refresh=True)
    assert ops(fixed) == ops(plan)
    assert writes(sim.primary) == ha_write(expected_ha)  # preempt back to false
    assert writes(sim.backup) == writes(sim.portal) == []
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == expected_ha
    forget(sim)
    assert not stack.preview(refresh=True).has_changes
    assert_no_writes(sim)

    # -- by hand (2): X4 of the Primary put back into DMZ -> drift on the data link.
    sim.primary.set_zone("X4", "DMZ")
    plan = stack.preview(refresh=True)
    assert plan.drift == {"data-link": ["primary_zone"]} and plan.gone == []
    # In a preview, what a provider computes is unknown for a resource being updated;
    # the program feeds the pair only the link's declared `interface` and the
    # association only the pair's declared serials, so the plan is exact: the link alone.
    assert ops(plan) == [
        ("management", "read"),
        ("control-link", "read"),
        ("data-link", "drift"),
        ("pair", "read"),
        ("licenses", "read"),
        ("management", "same"),
        ("control-link", "same"),
        ("data-link", "update"),
        ("pair", "same"),
        ("licenses", "same"),
    ]
    assert plan.step("data-link").diff_keys == ["primary_zone"]
    assert_no_writes(sim)
    assert sim.primary.zone("X4") == "DMZ"

    forget(sim)
    fixed = stack.up(refresh=True)
    assert ops(fixed) == [
        ("management", "read"),
        ("control-link", "read"),
        ("data-link", "drift"),
        ("pair", "read"),
        ("licenses", "read"),
        ("management", "same"),
        ("control-link", "same"),
        ("data-link", "update"),
        ("pair", "same"),
        ("licenses", "same"),
    ]
    assert fixed.changes == {"drift": 1, "update": 1}
    assert writes(sim.primary) == interface_write(unassign(before["primary"]["X4"]))
    assert writes(sim.backup) == writes(sim.portal) == []
    assert sim.primary.zone("X4") == UNASSIGNED
    assert our_associations(sim) == [association]
    # What delete restores is still the zone from before the first up.
    assert state_resource(stack, "data-link")["outputs"]["previous_zones"] == {"primary": "DMZ"}
    forget(sim)
    assert not stack.preview(refresh=True).has_changes
    assert_no_writes(sim)

    # -- by hand (3): the association removed on MySonicWall -> gone, created again.
    sim.portal.remove_association(association["id"])
    plan = stack.preview(refresh=True)
    assert plan.gone == ["licenses"] and plan.drift == {}
    assert ops(plan) == [
        ("management", "read"),
        ("control-link", "read"),
        ("data-link", "read"),
        ("pair", "read"),
        ("licenses", "gone"),
        ("management", "same"),
        ("control-link", "same"),
        ("data-link", "same"),
        ("pair", "same"),
        ("licenses", "create"),
    ]
    assert plan.changes == {"gone": 1, "create": 1}
    assert_no_writes(sim)
    assert our_associations(sim) == []

    forget(sim)
    fixed = stack.up(refresh=True)
    assert ops(fixed) == ops(plan)
    assert writes(sim.portal) == [
        (
            "POST",
            ASSOCIATIONS,
            {"primary_serial": PRIMARY_SERIAL, "secondary_serial": BACKUP_SERIAL},
        )
    ]
    assert writes(sim.primary) == writes(sim.backup) == []
    (association,) = our_associations(sim)
    assert (association["primary_serial"], association["secondary_serial"]) == (
        PRIMARY_SERIAL,
        BACKUP_SERIAL,
    )
    assert state_resource(stack, "licenses")["id"] == association["id"]
    assert stack.outputs == outputs
    forget(sim)
    assert not stack.preview(refresh=True).has_changes
    assert_no_writes(sim)

    # -- by hand (4): link monitoring of X0 switched off in the Primary's UI -> drift on
    # the management entry; up --refresh puts it back (the Backup gets it at once).
    sim.primary.set_monitoring("X0", link_monitoring=False)
    plan = stack.preview(refresh=True)
    assert plan.drift == {"management": ["link_monitoring"]} and plan.gone == []
    assert plan.changes == {"drift": 1, "update": 1}
    assert_no_writes(sim)
    forget(sim)
    fixed = stack.up(refresh=True)
    assert fixed.changes == {"drift": 1, "update": 1}
    assert writes(sim.primary) == monitoring_write(MANAGEMENT)
    assert writes(sim.backup) == writes(sim.portal) == []
    assert sim.backup.monitoring("X0") == MANAGEMENT
    forget(sim)
    assert not stack.preview(refresh=True).has_changes
    assert_no_writes(sim)

    # -- destroy: last created first; HA off, association gone, zones put back, and the
    # monitoring entry cleared last (HA is off by then: the Backup answers at its own
    # address, the same one).
    forget(sim)
    destroyed = stack.destroy()
    assert ops(destroyed) == [(name, "delete") for name in reversed(names)]
    assert writes(sim.portal) == [("DELETE", f"{ASSOCIATIONS}/{association['id']}", None)]
    assert writes(sim.primary) == [
        *ha_off(expected_ha),
        *interface_write(restore(before["primary"]["X4"])),
        *monitoring_write(x0),
    ]
    # The Backup's synchronized copy of the HA settings is turned off too: while it
    # names X5 as a link, the Backup would refuse X5 its zone back.
    assert writes(sim.backup) == [
        *ha_off(expected_ha),
        *interface_write(restore(before["backup"]["X5"])),
    ]
    assert sim.primary.ha_settings()["mode"] == sim.backup.ha_settings()["mode"] == {}
    assert sim.primary.ha_status()["status"] == "Primary Disabled"
    assert sim.portal.associations() == seeded
    assert {"primary": interfaces(sim.primary), "backup": interfaces(sim.backup)} == before
    assert (sim.primary.zone("X4"), sim.backup.zone("X5")) == ("DMZ", "LAN")
    assert sim.primary.monitoring("X0") == x0
    assert sim.backup.answering_ips() == [sim.backup_ip]
    assert stack.state["resources"] == [] and stack.outputs == {}


# -- ha-pair -------------------------------------------------------------------------------
def test_ha_pair_lifecycle(tmp_path: Path) -> None:
    with Simulator(sync_seconds=0) as sim:
        # Prepared beforehand (by hand or elsewhere): each unit's monitoring address on
        # X0, management allowed, the Primary's its own (not the pair's X0 address).
        sim.primary.set_monitoring(
            "X0",
            primary=PRIMARY_MONITORING_IP,
            secondary=sim.backup_ip,
            allow_management=True,
            link_monitoring=True,
        )
        before = {"primary": interfaces(sim.primary), "backup": interfaces(sim.backup)}
        seeded = sim.portal.associations()
        config, secret_keys = stack_config(sim)
        config["ha:backupSerial"] = "2cb8-ed0a-9f00"  # as printed on the label
        with Lifecycle(
            REPO / HA_PAIR_PROJECT,
            config=config,
            secret_keys=secret_keys,
            state_file=tmp_path / "state.json",
        ) as stack:
            _ha_pair_sequence(stack, sim)
        # The links were prepared beforehand and stay as they were; no association.
        assert {"primary": interfaces(sim.primary), "backup": interfaces(sim.backup)} == before
        assert sim.portal.associations() == seeded


def _ha_pair_sequence(stack: Lifecycle, sim: Simulator) -> None:
    # -- preview: one create, nothing sent.
    plan = stack.preview()
    assert ops(plan) == [("pair", "create")]
    assert plan.step("pair").inputs["backup_serial"] == BACKUP_SERIAL
    assert_no_requests(sim)

    # -- up: the Backup is checked (read only), then HA on the Primary.
    applied = stack.up()
    assert ops(applied) == [("pair", "create")]
    assert writes(sim.primary) == ha_write(DEFAULT_HA, mode=HA_PAIR_MODE)
    # The provider host's first login to the Backup meets the Digest challenge; once the
    # pair is synchronized, the Backup is reached again where the stack reaches it.
    assert [(r.method, r.path, r.status) for r in sim.backup.requests] == [
        ("POST", "/api/sonicos/auth", 401),
        ("POST", "/api/sonicos/auth", 200),
        ("GET", "/api/sonicos/version", 200),
        ("DELETE", "/api/sonicos/auth", 200),
        ("POST", "/api/sonicos/auth", 200),
        ("GET", "/api/sonicos/version", 200),
        ("DELETE", "/api/sonicos/auth", 200),
    ]
    assert calls(sim.portal) == []
    expected_ha = {**DEFAULT_HA, "mode": stored(HA_PAIR_MODE)}
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == expected_ha
    assert pair_status(sim.primary) == SYNCHRONIZED
    for unit in (sim.primary, sim.backup):
        assert (unit.zone("X4"), unit.zone("X5")) == (UNASSIGNED, UNASSIGNED)
    outputs = {
        "primary_serial": PRIMARY_SERIAL,
        "model": MODEL,
        "ha_status": "Primary Active",
        "backup_state": "STANDBY",
        "synchronized": True,
    }
    assert stack.outputs == outputs
    assert state_resource(stack, "pair")["id"] == PRIMARY_SERIAL

    # -- up again: same, not one request.
    forget(sim)
    again = stack.up()
    assert ops(again) == [("pair", "same")] and not again.has_changes
    assert_no_requests(sim)

    # -- edit: `pulumi config set ha:heartbeatMs 2000`.
    stack.set_config("ha:heartbeatMs", 2000)
    plan = stack.preview()
    assert ops(plan) == [("pair", "update")]
    assert plan.step("pair").diff_keys == ["heartbeat_interval_ms"]
    assert_no_requests(sim)
    applied = stack.up()
    assert ops(applied) == [("pair", "update")]
    assert writes(sim.primary) == ha_write(expected_ha, heartbeat_interval=2000)
    # HA is on: the update goes to the Primary only (its HA status names the peer); the
    # Backup is checked at backup_host only when HA is being turned on.
    assert sim.backup.requests == []
    assert calls(sim.portal) == []
    expected_ha = {**expected_ha, "heartbeat_interval": 2000}
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == expected_ha
    assert stack.outputs == outputs

    # -- by hand (1): preempt switched on in the UI -> drift on the pair's preempt.
    set_preempt(sim.primary, True)
    forget(sim)
    plan = stack.preview(refresh=True)
    assert plan.drift == {"pair": ["preempt"]} and plan.gone == []
    assert ops(plan) == [("pair", "drift"), ("pair", "update")]
    assert plan.step("pair").diff_keys == ["preempt"]
    assert plan.changes == {"drift": 1, "update": 1}
    assert calls(sim.primary) == in_a_new_host(probed(PAIR_READ_DRIFTED))
    assert calls(sim.backup) == calls(sim.portal) == []
    forget(sim)
    fixed = stack.up(refresh=True)
    assert ops(fixed) == ops(plan)
    assert writes(sim.primary) == ha_write(expected_ha)  # preempt back to false
    assert writes(sim.backup) == []
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == expected_ha

    # -- by hand (2): HA turned off on the Primary -> the pair is gone, created again.
    sim.primary.set_ha_settings({"mode": {}})
    forget(sim)
    plan = stack.preview(refresh=True)
    assert plan.gone == ["pair"] and plan.drift == {}
    assert ops(plan) == [("pair", "gone"), ("pair", "create")]
    assert_no_writes(sim)
    fixed = stack.up(refresh=True)
    assert ops(fixed) == ops(plan)
    # Adopted as the unit shows it (HA off): the mode written has no primary_serial yet.
    assert writes(sim.primary) == ha_write(expected_ha, mode=HA_PAIR_MODE)
    assert writes(sim.backup) == []
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == expected_ha
    assert pair_status(sim.primary) == SYNCHRONIZED
    forget(sim)
    assert not stack.preview(refresh=True).has_changes
    assert_no_writes(sim)

    # -- by hand (3): preempt switched on again, and this time the team keeps it
    # (README, "When it fires"): config first, then up --refresh writes nothing.
    set_preempt(sim.primary, True)
    stack.set_config("ha:preempt", True)
    forget(sim)
    kept = stack.up(refresh=True)
    assert ops(kept) == [("pair", "drift"), ("pair", "same")]
    assert_no_writes(sim)
    assert state_resource(stack, "pair")["outputs"]["preempt"] is True
    assert sim.primary.ha_settings()["mode"]["active_standby"]["preempt"] is True
    assert not stack.preview(refresh=True).has_changes

    # -- destroy: HA off on the Primary (on_delete="disable").
    forget(sim)
    kept = sim.primary.ha_settings()  # preempt on, as the team now declares
    destroyed = stack.destroy()
    assert ops(destroyed) == [("pair", "delete")]
    assert writes(sim.primary) == writes(sim.backup) == ha_off(kept)  # backup_host is set
    assert writes(sim.portal) == []
    assert sim.primary.ha_settings() == sim.backup.ha_settings() == {**expected_ha, "mode": {}}
    assert sim.primary.ha_status()["status"] == "Primary Disabled"
    assert stack.state["resources"] == [] and stack.outputs == {}


# -- what scheduled drift detection does not report ------------------------------------------
def test_outputs_that_change_on_their_own_are_not_drift(tmp_path: Path) -> None:
    """A pulled cable (link status, HA status) and a new license on the Primary change
    outputs only: `preview --refresh` plans nothing, and the refresh records them."""
    with Simulator(sync_seconds=0) as sim:
        config, secret_keys = stack_config(sim)
        with Lifecycle(
            REPO, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
        ) as stack:
            stack.up()
            sim.uncable("X5")  # the HA control link: no peer any more
            sim.portal.add_license(PRIMARY_SERIAL, "Anti-Spam Service")
            forget(sim)

            plan = stack.preview(refresh=True)
            assert not plan.has_changes
            assert plan.drift == {} and plan.gone == []
            assert {op for _, op in ops(plan)} == {"read", "same"}
            assert_no_writes(sim)

            refreshed = stack.refresh()
            assert not refreshed.has_changes
            link = state_resource(stack, "control-link")["outputs"]
            assert (link["primary_link"], link["backup_link"]) == ("No link", "No link")
            pair = state_resource(stack, "pair")["outputs"]
            # No heartbeat from the Backup any more: NONE, not synchronized.
            assert (pair["ha_status"], pair["backup_state"], pair["synchronized"]) == (
                "Primary Active",
                "NONE",
                False,
            )
            shared = state_resource(stack, "licenses")["outputs"]["shared_licenses"]
            assert shared == sorted([*SHARED, "Anti-Spam Service"])
            assert_no_writes(sim)

            # A change of a declared setting still counts, also next to those.
            set_preempt(sim.primary, True)
            assert stack.preview(refresh=True).drift == {"pair": ["preempt"]}


# -- the providers by the class paths stored in state ------------------------------------------
PROVIDER_PATHS = {
    "pulumi-python:dynamic/sonicha:HaInterface": (
        "pulumi_sonicha.providers.ha_interface.HaInterfaceProvider"
    ),
    "pulumi-python:dynamic/sonicha:HaPair": "pulumi_sonicha.providers.ha_pair.HaPairProvider",
    "pulumi-python:dynamic/sonicha:HaMonitoring": (
        "pulumi_sonicha.providers.ha_monitoring.HaMonitoringProvider"
    ),
    "pulumi-python:dynamic/sonicha:LicenseAssociation": (
        "pulumi_sonicha.providers.license_association.LicenseAssociationProvider"
    ),
}

# Runs in a fresh interpreter: nothing of the tests or of pulumi_sonicha imported before.
LOAD_PROVIDERS = """
import base64, json, sys
import dill
blobs = json.load(sys.stdin)
preloaded = sorted(m for m in sys.modules if m.split(".")[0] == "pulumi_sonicha")
loaded = {}
for key, blob in blobs.items():
    provider = dill.loads(base64.b64decode(blob))
    cls = type(provider)
    loaded[key] = [cls.__module__ + "." + cls.__qualname__, provider._settings is None]
print(json.dumps({"preloaded": preloaded, "loaded": loaded}))
"""


def test_a_fresh_python_imports_every_provider_by_its_path_in_state(tmp_path: Path) -> None:
    with Simulator(sync_seconds=0) as sim:
        config, secret_keys = stack_config(sim)
        stack = Lifecycle(
            REPO, config=config, secret_keys=secret_keys, state_file=tmp_path / "state.json"
        )
        stack.up()
        state = json.loads((tmp_path / "state.json").read_text())
        stack.destroy()

    blobs: dict[str, str] = {}
    types: dict[str, str] = {}
    for res in state["resources"]:
        for part in ("inputs", "outputs"):
            blob = res[part]["__provider"]
            assert isinstance(blob, str)  # stored in clear: nothing secret in the pickle
            blobs[f"{res['name']}.{part}"] = blob
        types[res["name"]] = res["type"]
    assert sorted(types) == ["control-link", "data-link", "licenses", "management", "pair"]

    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", LOAD_PROVIDERS],
        input=json.dumps(blobs),
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the checkout: the package comes from the installation
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["preloaded"] == []
    for key, (path, empty) in report["loaded"].items():
        assert path == PROVIDER_PATHS[types[key.split(".")[0]]], key
        assert empty, f"{key}: the unpickled provider carries settings"
    assert {path for path, _ in report["loaded"].values()} == set(PROVIDER_PATHS.values())


# -- fleet: two pairs from one stack, two simulators sharing one portal ----------------------
SITE_B_PRIMARY_SERIAL = "2CB8EE000B01"
SITE_B_BACKUP_SERIAL = "2CB8EF000B02"
# Site A uses the default links; site B swaps them (the optional keys): control X4, data X5.
SITE_A_MODE = COMPLETE_PAIR_MODE
SITE_B_MODE = {
    "active_standby": {
        **COMPLETE_PAIR_MODE["active_standby"],
        "secondary_serial": SITE_B_BACKUP_SERIAL,
        "control_interface": "X4",
        "data_interface": "X5",
    }
}
# The order the harness registers them: each resource once its inputs resolve.
FLEET_NAMES = [
    "site-a-management",
    "site-a-control-link",
    "site-a-data-link",
    "site-b-management",
    "site-b-control-link",
    "site-b-data-link",
    "site-a-pair",
    "site-b-pair",
    "site-a-licenses",
    # The fleet's one wait: after both pairs (their HaPairs do not wait themselves).
    "fleet-sync",
    "site-b-licenses",
]


def fleet_servers(site_a: Simulator, site_b: Simulator) -> list[Any]:
    """The four units and the one portal (site B borrows site A's)."""
    return [site_a.primary, site_a.backup, site_b.primary, site_b.backup, site_a.portal]


def fleet_config(site_a: Simulator, site_b: Simulator, ca_bundle: Path) -> dict[str, str]:
    config, _ = stack_config(site_a)  # the shared credentials and the portal
    pairs = [
        {
            "name": "site-a",
            "primaryHost": site_a.primary.address(PRIMARY_MONITORING_IP),
            "pairHost": site_a.primary.host,
            "backupHost": site_a.backup.host,
            "primarySerial": "2CB8-ED0A-1B2C",  # as printed on the label
            "backupSerial": site_a.backup.serial,
        },
        {
            "name": "site-b",
            "primaryHost": site_b.primary.address(PRIMARY_MONITORING_IP),
            "pairHost": site_b.primary.host,
            "backupHost": site_b.backup.host,
            "primarySerial": site_b.primary.serial,
            "backupSerial": site_b.backup.serial,
            "controlInterface": "X4",
            "dataInterface": "X5",
        },
    ]
    fleet = {key: value for key, value in config.items() if not key.startswith("ha:")}
    return {**fleet, "sonicha:caBundle": str(ca_bundle), "ha:pairs": json.dumps(pairs)}


@contextmanager
def two_site_fleet(
    tmp_path: Path, state_file: Path
) -> Iterator[tuple[Lifecycle, Simulator, Simulator]]:
    """The fleet example over two simulated sites sharing one portal: (stack, site A,
    site B), the stack not yet entered."""
    with (
        Simulator(sync_seconds=0) as site_a,
        Simulator(
            sync_seconds=0,
            primary_serial=SITE_B_PRIMARY_SERIAL,
            backup_serial=SITE_B_BACKUP_SERIAL,
            portal=site_a.portal,
        ) as site_b,
    ):
        # One provider host, one sonicha:caBundle: a bundle of both simulators' CAs.
        bundle = tmp_path / "fleet-ca.pem"
        bundle.write_text(Path(site_a.ca_path).read_text() + Path(site_b.ca_path).read_text())
        _, secret_keys = stack_config(site_a)
        stack = Lifecycle(
            REPO / FLEET_PROJECT,
            config=fleet_config(site_a, site_b, bundle),
            secret_keys=secret_keys,
            state_file=state_file,
        )
        yield stack, site_a, site_b


def test_fleet_lifecycle(tmp_path: Path) -> None:
    with two_site_fleet(tmp_path, tmp_path / "state.json") as (stack, site_a, site_b):
        before = [interfaces(unit) for unit in fleet_servers(site_a, site_b)[:4]]
        seeded = site_a.portal.associations()
        with stack:
            _fleet_sequence(stack, site_a, site_b)
        assert [interfaces(unit) for unit in fleet_servers(site_a, site_b)[:4]] == before
        assert site_a.portal.associations() == seeded


def _fleet_sequence(stack: Lifecycle, site_a: Simulator, site_b: Simulator) -> None:
    servers = fleet_servers(site_a, site_b)
    portal = site_a.portal

    def forget_all() -> None:
        for server in servers:
            server.clear_requests()

    preset_x0 = [site.primary.monitoring("X0") for site in (site_a, site_b)]

    # -- preview: eleven creates, nothing sent anywhere.
    plan = stack.preview()
    assert ops(plan) == [(name, "create") for name in FLEET_NAMES]
    assert plan.changes == {"create": 11}
    assert [calls(server) for server in servers] == [[]] * 5
    assert stack.state == {}

    # -- up: HA on both Primaries, both pairs synchronized, two associations.
    applied = stack.up()
    assert ops(applied) == [(name, "create") for name in FLEET_NAMES]
    # Each Primary: its own monitoring address on X0 first, then HA on.
    # The HaPairs do not wait (wait=False): the fleet's HaSyncWait does, for both.
    assert writes(site_a.primary) == [
        *monitoring_write(MANAGEMENT),
        *ha_write(DEFAULT_HA, wait=False, mode=SITE_A_MODE),
    ]
    assert writes(site_b.primary) == [
        *monitoring_write(MANAGEMENT),
        *ha_write(DEFAULT_HA, wait=False, mode=SITE_B_MODE),
    ]
    assert writes(site_a.backup) == writes(site_b.backup) == []  # the links were ready
    assert writes(portal) == [
        ("POST", ASSOCIATIONS, {"primary_serial": primary, "secondary_serial": backup})
        for primary, backup in [
            (PRIMARY_SERIAL, BACKUP_SERIAL),
            (SITE_B_PRIMARY_SERIAL, SITE_B_BACKUP_SERIAL),
        ]
    ]
    site_a_ha = {**DEFAULT_HA, "mode": stored(SITE_A_MODE)}
    site_b_ha = {**DEFAULT_HA, "mode": stored(SITE_B_MODE, SITE_B_PRIMARY_SERIAL)}
    assert site_a.primary.ha_settings() == site_a.backup.ha_settings() == site_a_ha
    assert site_b.primary.ha_settings() == site_b.backup.ha_settings() == site_b_ha
    assert pair_status(site_a.primary) == pair_status(site_b.primary) == SYNCHRONIZED
    site_a_assoc, site_b_assoc = our_associations(site_a)
    assert (site_a_assoc["primary_serial"], site_a_assoc["secondary_serial"]) == (
        PRIMARY_SERIAL,
        BACKUP_SERIAL,
    )
    assert (site_b_assoc["primary_serial"], site_b_assoc["secondary_serial"]) == (
        SITE_B_PRIMARY_SERIAL,
        SITE_B_BACKUP_SERIAL,
    )
    assert state_resource(stack, "site-a-licenses")["id"] == site_a_assoc["id"]
    assert state_resource(stack, "site-b-licenses")["id"] == site_b_assoc["id"]
    assert state_resource(stack, "site-a-pair")["id"] == PRIMARY_SERIAL
    assert state_resource(stack, "site-b-pair")["id"] == SITE_B_PRIMARY_SERIAL
    assert state_resource(stack, "site-b-control-link")["id"] == f"{SITE_B_PRIMARY_SERIAL}/X4"
    pair_outputs = {
        "ha_status": "Primary Active",
        "synchronized": True,
        "shared_licenses": SHARED,
    }
    outputs = {
        "pairs": {
            "site-a": {
                "primary_serial": PRIMARY_SERIAL,
                "backup_serial": BACKUP_SERIAL,
                **pair_outputs,
            },
            "site-b": {
                "primary_serial": SITE_B_PRIMARY_SERIAL,
                "backup_serial": SITE_B_BACKUP_SERIAL,
                **pair_outputs,
            },
        },
        "synchronized": True,
    }
    assert stack.outputs == outputs

    # -- up again: every resource the same, and not one request.
    forget_all()
    resources = stack.state["resources"]
    again = stack.up()
    assert ops(again) == [(name, "same") for name in FLEET_NAMES]
    assert not again.has_changes
    assert [calls(server) for server in servers] == [[]] * 5
    assert stack.state["resources"] == resources

    # -- by hand: preempt switched on at site B's Primary -> drift on site-b-pair alone.
    set_preempt(site_b.primary, True)
    forget_all()
    plan = stack.preview(refresh=True)
    assert plan.drift == {"site-b-pair": ["preempt"]} and plan.gone == []
    assert ops(plan) == [
        *[(name, "drift" if name == "site-b-pair" else "read") for name in FLEET_NAMES],
        *[(name, "update" if name == "site-b-pair" else "same") for name in FLEET_NAMES],
    ]
    assert plan.step("site-b-pair").diff_keys == ["preempt"]
    assert plan.changes == {"drift": 1, "update": 1}
    # The scheduled drift preview reads every unit and writes nothing.
    assert calls(site_a.primary) == in_a_new_host(
        probed(MONITORING_READ)
        + probed(interface_read("X5"))
        + probed(interface_read("X4"))
        + probed(PAIR_READ)
        + probed(SYNC_READ)
    )
    # site B's pair drifted: its read also checks the unit's serial.
    assert calls(site_b.primary) == in_a_new_host(
        probed(MONITORING_READ)
        + probed(interface_read("X4"))
        + probed(interface_read("X5"))
        + probed(PAIR_READ_DRIFTED)
        + probed(SYNC_READ)
    )
    assert calls(site_a.backup) == in_a_new_host(interface_read("X5") + interface_read("X4"))
    assert calls(site_b.backup) == in_a_new_host(interface_read("X4") + interface_read("X5"))
    assert calls(portal) == in_a_new_host(
        association_read(site_a_assoc["id"]) + association_read(site_b_assoc["id"])
    )
    assert [writes(server) for server in servers] == [[]] * 5
    assert site_b.primary.ha_settings()["mode"]["active_standby"]["preempt"] is True

    # -- up --refresh: site B's Primary alone is written, once; the fleet's wait runs
    # again for it (the preview could not know the pair would be written: "same" there).
    forget_all()
    fixed = stack.up(refresh=True)
    reads, steps = ops(plan)[:11], ops(plan)[11:]
    assert ops(fixed) == reads + [(n, "update" if n == "fleet-sync" else op) for n, op in steps]
    assert writes(site_b.primary) == ha_write(site_b_ha, wait=False)  # preempt back to false
    assert [writes(server) for server in servers if server is not site_b.primary] == [[]] * 4
    assert site_b.primary.ha_settings() == site_b.backup.ha_settings() == site_b_ha
    assert site_a.primary.ha_settings() == site_a.backup.ha_settings() == site_a_ha
    assert pair_status(site_b.primary) == SYNCHRONIZED
    assert stack.outputs == outputs
    forget_all()
    assert not stack.preview(refresh=True).has_changes
    assert [writes(server) for server in servers] == [[]] * 5

    # -- destroy: last created first; HA off on all four units, both associations gone.
    forget_all()
    destroyed = stack.destroy()
    assert ops(destroyed) == [(name, "delete") for name in reversed(FLEET_NAMES)]
    assert writes(portal) == [
        ("DELETE", f"{ASSOCIATIONS}/{site_b_assoc['id']}", None),
        ("DELETE", f"{ASSOCIATIONS}/{site_a_assoc['id']}", None),
    ]
    # HA off on each unit, then each Primary's X0 monitoring as it was before.
    expected = [
        [*ha_off(site_a_ha), *monitoring_write(preset_x0[0])],
        ha_off(site_a_ha),
        [*ha_off(site_b_ha), *monitoring_write(preset_x0[1])],
        ha_off(site_b_ha),
    ]
    assert [writes(server) for server in servers[:4]] == expected
    assert [unit.ha_settings()["mode"] for unit in servers[:4]] == [{}] * 4
    primaries = (site_a.primary, site_b.primary)
    assert [unit.ha_status()["status"] for unit in primaries] == ["Primary Disabled"] * 2
    assert our_associations(site_a) == []
    assert stack.state["resources"] == [] and stack.outputs == {}


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (
            [{"name": "site-a", "primaryHost": "10.1.0.3", "pairHost": "10.1.0.1",
              "backupHost": "10.1.0.2"}],
            "ha:pairs[0] (\"site-a\") is missing 'primarySerial', 'backupSerial'",
        ),
        (
            [{"primaryHost": "10.1.0.1"}],
            "ha:pairs[0] is missing 'name', 'pairHost', 'backupHost', 'primarySerial',"
            " 'backupSerial'",
        ),
        (
            [
                {
                    "name": "site-a",
                    "primaryHost": "10.1.0.3",
                    "pairHost": "10.1.0.1",
                    "backupHost": "10.1.0.2",
                    "primarySerial": "2CB8ED0A1B2C",
                    "backupSerial": 123456789012,  # `config set --path` without --type string
                }
            ],
            "ha:pairs[0] (\"site-a\"): 'backupSerial' must be a string",
        ),
        ({"name": "site-a"}, "ha:pairs must be a non-empty JSON list"),
        (
            [
                {
                    "name": "hq",
                    "renamedFrom": ["site a"],
                    "primaryHost": "10.1.0.3",
                    "pairHost": "10.1.0.1",
                    "backupHost": "10.1.0.2",
                    "primarySerial": "2CB8ED0A1B2C",
                    "backupSerial": "2CB8ED0A9F00",
                }
            ],
            "ha:pairs[0] (\"hq\"): 'renamedFrom' must be the pair's former name, or a list",
        ),
    ],
)
def test_fleet_config_is_checked_before_anything_is_declared(
    pairs: Any, message: str, tmp_path: Path
) -> None:
    stack = Lifecycle(
        REPO / FLEET_PROJECT,
        config={"ha:pairs": json.dumps(pairs)},
        state_file=tmp_path / "state.json",
    )
    with pytest.raises(LifecycleError, match="program failed") as failed:
        stack.preview()
    assert message in str(failed.value)
    assert failed.value.result is not None and failed.value.result.steps == []
