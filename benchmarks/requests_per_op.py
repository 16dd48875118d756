"""HTTP requests of each provider operation, per unit, with what each write sends.

Each resource runs its lifecycle (create, read, check+diff of the unchanged
resource, update of one field, delete) on a fresh simulator, with its
provider in this process, and the simulator's request log counted around
each call. Counts are deterministic, so the smoke test asserts the targets:

- a read costs at most 4 requests per unit (login, two GETs, logout);
- check and diff of an unchanged resource cost none;
- an update writes only the changed object and commits once.

LicenseAssociation counts start with an empty portal token cache, so each
includes its portal login; within one provider host the token is shared for
an hour, and later operations skip that request. Connections are counted the
same way, from an empty pool: what the operation opens as the first of its
provider host (one per server it talks to); later operations of a run reuse
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pulumi_sonicha import portal as portal_client
from pulumi_sonicha import transport
from pulumi_sonicha.simulator import BACKUP_SERIAL, PRIMARY_SERIAL, Simulator
from pulumi_sonicha.simulator.server import RequestRecord

from .fleet import PROVIDERS, configured, settings_for, start_simulator
from .report import COMMIT, SERVERS, Target

# Taking config mode for a write and giving it back change nothing on the unit.
CONFIG_MODE = {("POST", "/api/sonicos/config-mode"), ("POST", "/api/sonicos/non-config-mode")}
AUTH_PATHS = {"/api/sonicos/auth", "/api/v1/auth/login"}


@dataclass
class OpResult:
    """What one provider operation sent, server by server."""

    operation: str
    description: str
    calls: dict[str, list[RequestRecord]] = field(default_factory=dict)
    #: New connections each server accepted during the operation (from an empty pool).
    connections: dict[str, int] = field(default_factory=dict)
    applicable: bool = True
    #: For updates: did only the changed object go out (exactly one config write)?
    changed_object_only: bool | None = None

    def count(self, server: str) -> int:
        return len(self.calls.get(server, []))

    @property
    def total(self) -> int:
        return sum(self.count(server) for server in SERVERS)

    def writes(self) -> list[tuple[str, RequestRecord]]:
        """Config writes and commits (everything but GETs, logins and logouts)."""
        return [
            (server, r)
            for server in SERVERS
            for r in self.calls.get(server, [])
            if r.method != "GET" and r.path.rstrip("/") not in AUTH_PATHS
        ]

    def object_writes(self) -> int:
        """Writes of configuration objects: not commits, not taking or giving back config
        mode (which change nothing on the unit)."""
        return sum(
            (r.method, r.path) != COMMIT and (r.method, r.path) not in CONFIG_MODE
            for _, r in self.writes()
        )

    def commits(self) -> dict[str, int]:
        return {
            server: sum((r.method, r.path) == COMMIT for r in self.calls.get(server, []))
            for server in ("primary", "backup")
        }

    def to_json(self) -> dict[str, Any]:
        if not self.applicable:
            return {"applicable": False, "description": self.description}
        return {
            "applicable": True,
            "description": self.description,
            "requests": {server: self.count(server) for server in SERVERS},
            "total": self.total,
            "connections": {server: self.connections.get(server, 0) for server in SERVERS},
            "calls": {
                server: [f"{r.method} {r.path}" for r in self.calls.get(server, [])]
                for server in SERVERS
            },
            "writes": [
                {"server": server, "method": r.method, "path": r.path, "body": r.body}
                for server, r in self.writes()
            ],
            "commits": self.commits(),
            "changed_object_only": self.changed_object_only,
        }


@contextmanager
def counting(sim: Simulator, result: OpResult) -> Iterator[OpResult]:
    """Record into `result` every request the block makes to the three servers."""
    for server in sim.servers:
        server.clear_requests()
    portal_client.forget_tokens()
    transport.POOLS.clear()
    yield result
    for name, server in zip(SERVERS, sim.servers, strict=True):
        result.calls[name] = server.requests
        result.connections[name] = server.connections_opened


def _ha_interface(sim: Simulator) -> dict[str, OpResult]:
    provider = configured(PROVIDERS["HaInterface"], settings_for(sim.portal.url, sim.ca_path))
    program = {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "interface": "X4",
        "unassign_zone": True,
    }
    # X4 in zone LAN on both units, so create has something to write.
    sim.primary.set_zone("X4", "LAN")
    sim.backup.set_zone("X4", "LAN")
    inputs = provider.check({}, program).inputs
    ops: dict[str, OpResult] = {}

    with counting(sim, OpResult("create", "unassign X4 (zone LAN) on both units")) as op:
        created = provider.create(inputs)
    ops["create"] = op
    with counting(sim, OpResult("read", "zone and link of X4 on each unit")) as op:
        read = provider.read(created.id, created.outs)
    ops["read"] = op
    ops["check_diff_unchanged"] = _check_diff(sim, provider, inputs, program, created.id, read.outs)

    # One field: the Backup's X4 zone set back to LAN by hand, repaired by the update.
    sim.backup.set_zone("X4", "LAN")
    drifted = provider.read(created.id, read.outs)
    changed = provider.schema.changed_keys(drifted.outs, inputs)
    with counting(
        sim, OpResult("update", f"repair drift of {', '.join(changed)} (LAN -> Unassigned)")
    ) as op:
        updated = provider.update(created.id, drifted.outs, inputs)
    others = [
        (s, r)
        for s, r in op.writes()
        if (r.method, r.path) != COMMIT and (r.method, r.path) not in CONFIG_MODE
    ]
    op.changed_object_only = [(s, r.method, r.path) for s, r in others] == [
        ("backup", "PUT", "/api/sonicos/interfaces/ipv4")
    ]
    ops["update"] = op
    with counting(sim, OpResult("delete", "restore zone LAN of X4 on both units")) as op:
        provider.delete(created.id, updated.outs)
    ops["delete"] = op
    return ops


def _ha_pair(sim: Simulator) -> dict[str, OpResult]:
    provider = configured(PROVIDERS["HaPair"], settings_for(sim.portal.url, sim.ca_path))
    program = {
        "primary_host": sim.primary.host,
        "backup_host": sim.backup.host,
        "backup_serial": BACKUP_SERIAL,
        "control_interface": "X5",
        "data_interface": "X4",
        "stateful_synchronization": True,
    }
    inputs = provider.check({}, program).inputs
    ops: dict[str, OpResult] = {}

    with counting(
        sim, OpResult("create", "check the Backup, enable HA, commit, wait for sync")
    ) as op:
        created = provider.create(inputs)
    ops["create"] = op
    with counting(sim, OpResult("read", "HA settings and HA status of the Primary")) as op:
        read = provider.read(created.id, created.outs)
    ops["read"] = op
    ops["check_diff_unchanged"] = _check_diff(sim, provider, inputs, program, created.id, read.outs)

    new_program = {**program, "heartbeat_interval_ms": 2000}
    new_inputs = provider.check(inputs, new_program).inputs
    changed = provider.schema.changed_keys(read.outs, new_inputs)
    before = sim.primary.ha_settings()
    with counting(
        sim, OpResult("update", f"{', '.join(changed)} 1000 -> 2000, wait for sync")
    ) as op:
        updated = provider.update(created.id, read.outs, new_inputs)
    others = [
        (s, r)
        for s, r in op.writes()
        if (r.method, r.path) != COMMIT and (r.method, r.path) not in CONFIG_MODE
    ]
    op.changed_object_only = [(s, r.method, r.path) for s, r in others] == [
        ("primary", "PUT", "/api/sonicos/high-availability/base")
    ] and (others[0][1].body or {}).get("high_availability") == {
        # The unit replaces the object on PUT: the whole of it goes out, as read, with
        # the one changed field.
        **before,
        "heartbeat_interval": 2000,
    }
    ops["update"] = op
    with counting(sim, OpResult("delete", "turn HA off on the Primary and the Backup")) as op:
        provider.delete(created.id, updated.outs)
    ops["delete"] = op
    return ops


def _license_association(sim: Simulator) -> dict[str, OpResult]:
    provider = configured(
        PROVIDERS["LicenseAssociation"], settings_for(sim.portal.url, sim.ca_path)
    )
    program = {"primary_serial": PRIMARY_SERIAL, "secondary_serial": BACKUP_SERIAL}
    inputs = provider.check({}, program).inputs
    ops: dict[str, OpResult] = {}

    with counting(sim, OpResult("create", "portal login, associate")) as op:
        created = provider.create(inputs)
    ops["create"] = op
    with counting(sim, OpResult("read", "portal login, the association")) as op:
        read = provider.read(created.id, created.outs)
    ops["read"] = op
    ops["check_diff_unchanged"] = _check_diff(sim, provider, inputs, program, created.id, read.outs)
    ops["update"] = OpResult(
        "update", "none: both inputs replace the association", applicable=False
    )
    with counting(sim, OpResult("delete", "portal login, dissociate")) as op:
        provider.delete(created.id, read.outs)
    ops["delete"] = op
    return ops


def _check_diff(
    sim: Simulator,
    provider: Any,
    inputs: dict[str, Any],
    program: dict[str, Any],
    id_: str,
    outs: dict[str, Any],
) -> OpResult:
    """Check the unchanged program against the old inputs, diff against the read outputs."""
    with counting(sim, OpResult("check_diff_unchanged", "check + diff, nothing changed")) as op:
        checked = provider.check(inputs, dict(program))
        diff = provider.diff(id_, outs, checked.inputs)
    if checked.failures or diff.changes:
        raise RuntimeError(
            f"{type(provider).__name__}: an unchanged resource shows a diff"
            f" (failures {checked.failures}, changes {diff.changes})"
        )
    return op


def _ha_monitoring(sim: Simulator) -> dict[str, OpResult]:
    provider = configured(PROVIDERS["HaMonitoring"], settings_for(sim.portal.url, sim.ca_path))
    program = {
        "primary_host": sim.primary.host,
        "interface": "X2",
        "primary_ip": "172.16.2.10",
        "backup_ip": "172.16.2.11",
    }
    inputs = provider.check({}, program).inputs
    wire = {k: v for k, v in inputs.items() if v is not None}  # the host drops None (SDK)
    ops: dict[str, OpResult] = {}

    with counting(sim, OpResult("create", "the monitoring entry of X2 on the Primary")) as op:
        created = provider.create(wire)
    ops["create"] = op
    with counting(sim, OpResult("read", "the monitoring entry of X2")) as op:
        read = provider.read(created.id, created.outs)
    ops["read"] = op
    ops["check_diff_unchanged"] = _check_diff(sim, provider, inputs, program, created.id, read.outs)

    new_program = {**program, "backup_ip": "172.16.2.12"}
    new_inputs = provider.check(inputs, new_program).inputs
    new_wire = {k: v for k, v in new_inputs.items() if v is not None}
    with counting(sim, OpResult("update", "backup_ip .11 -> .12")) as op:
        updated = provider.update(created.id, read.outs, new_wire)
    path = "/api/sonicos/high-availability/monitoring/ipv4/interface/X2"
    op.changed_object_only = [
        (s, r.method, r.path)
        for s, r in op.writes()
        if (r.method, r.path) != COMMIT and (r.method, r.path) not in CONFIG_MODE
    ] == [("primary", "PUT", path)]
    ops["update"] = op
    with counting(sim, OpResult("delete", "X2's monitoring entry back to none")) as op:
        provider.delete(created.id, updated.outs)
    ops["delete"] = op
    return ops


MEASURES: dict[str, Callable[[Simulator], dict[str, OpResult]]] = {
    "HaInterface": _ha_interface,
    "HaPair": _ha_pair,
    "LicenseAssociation": _license_association,
    "HaMonitoring": _ha_monitoring,
}


def measure() -> dict[str, dict[str, OpResult]]:
    """Every resource's operations, each resource on its own fresh simulator."""
    results: dict[str, dict[str, OpResult]] = {}
    for resource, run in MEASURES.items():
        sim = start_simulator()
        try:
            results[resource] = run(sim)
        finally:
            sim.stop()
    return results


def targets(results: dict[str, dict[str, OpResult]]) -> list[Target]:
    """The issue's request-count targets, evaluated on `results`."""
    found: list[Target] = []
    pair_read = results["HaPair"]["read"]
    found.append(
        Target(
            "HaPair read",
            "<= 4 requests incl. login/logout",
            f"{pair_read.total} requests",
            pair_read.total <= 4,
        )
    )
    link_read = results["HaInterface"]["read"]
    per_unit = {unit: link_read.count(unit) for unit in ("primary", "backup")}
    found.append(
        Target(
            "HaInterface read",
            "<= 4 requests per unit incl. login/logout",
            f"primary {per_unit['primary']}, backup {per_unit['backup']} (total {link_read.total})",
            max(per_unit.values()) <= 4,
        )
    )
    for resource, ops in results.items():
        op = ops["check_diff_unchanged"]
        found.append(
            Target(
                f"{resource} check+diff unchanged",
                "0 requests",
                f"{op.total} requests",
                op.total == 0,
            )
        )
    for resource, ops in results.items():
        op = ops["update"]
        if not op.applicable:
            continue
        commits = sum(op.commits().values())
        which = "only the changed one" if op.changed_object_only else "NOT only the changed one"
        found.append(
            Target(
                f"{resource} update of one field",
                "only the changed object written, 1 commit",
                f"{op.object_writes()} object write(s) ({which}), {commits} commit(s)",
                bool(op.changed_object_only) and commits == 1,
            )
        )
    return found
