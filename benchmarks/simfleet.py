"""The simulated fleet's servers, in this process or in worker processes of their own.

Why worker processes (issue 13, "measure the provider, not the rig"): 100
simulated servers in the benchmark's own process share its CPU and its GIL
with everything else, so a refresh measured that way partly times the
simulators. `ProcessSims` spreads the pairs over worker processes (pair i in
worker i mod N) and the provider host keeps a CPU for itself. `LocalSims`
keeps them in this process: tests use it with tiny fleets.

Both offer the same calls (start, register, set_latency, clear, stats, stop);
what comes back is plain data (`PairInfo`, `ServerStats`), never a server
object, so the benchmark cannot tell one from the other.

Each pair has serials of its own (`pair_serials`): the provider's per-unit
locks follow serials, so a fleet of units sharing one serial would serialize
every read on one lock, which no real fleet does. The fleet has one
MySonicWall account, pair 0's portal; every pair's units are registered there,
the Primary with its licenses.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pulumi_sonicha.simulator import (
    BACKUP_SERIAL,
    MODEL,
    PRIMARY_LICENSES,
    PRIMARY_SERIAL,
    Simulator,
)

USERNAME = "admin"
PASSWORD = "bench-Passw0rd!"
PORTAL_USERNAME = "fleet@example.com"
PORTAL_PASSWORD = "bench-Portal-Passw0rd!"


def pair_serials(index: int) -> tuple[str, str]:
    """(Primary, Backup) serials of pair `index`: pair 0 has the simulator's own."""
    if index == 0:
        return PRIMARY_SERIAL, BACKUP_SERIAL
    return f"2CB8EE{index:06X}", f"2CB8EF{index:06X}"


@dataclass(frozen=True)
class PairInfo:
    """What a program needs to declare pair `index`."""

    index: int
    primary_host: str
    backup_host: str
    primary_serial: str
    backup_serial: str


@dataclass(frozen=True)
class ServerStats:
    """One server's request log since the last clear, as plain data."""

    host: str
    role: str  # "primary", "backup" or "portal"
    #: (method, path, status, connection number) of each request.
    requests: tuple[tuple[str, str, int, int], ...]
    connections: int
    #: Units: most admin sessions wanted at once (1 = serialized); 0 for the portal.
    max_sessions: int


def new_simulator(index: int, portal: Any = None) -> Simulator:
    """Pair `index` with the fleet's credentials and instant HA sync (not started)."""
    primary, backup = pair_serials(index)
    return Simulator(
        sync_seconds=0.0,
        username=USERNAME,
        password=PASSWORD,
        portal_username=PORTAL_USERNAME,
        portal_password=PORTAL_PASSWORD,
        primary_serial=primary,
        backup_serial=backup,
        portal=portal,
    )


class LocalSims:
    """Pairs `indexes` in this process. The first owns a portal the others borrow
    (registering their units there); only pair 0's portal is the fleet's."""

    def __init__(self, indexes: Sequence[int]) -> None:
        self.indexes = list(indexes)
        self.sims: list[Simulator] = []

    def start(self) -> tuple[list[PairInfo], str, str | None]:
        """Start every pair: (pairs, their CA certificates as one PEM, the fleet's portal
        URL when pair 0 is here)."""
        if not self.indexes:
            return [], "", None
        first = new_simulator(self.indexes[0])
        self.sims = [first] + [new_simulator(i, portal=first.portal) for i in self.indexes[1:]]
        try:
            first.start()  # the portal first: the others borrow it
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(Simulator.start, self.sims[1:]))
        except BaseException:
            self.stop()
            raise
        pairs = [
            PairInfo(i, s.primary.host, s.backup.host, s.primary.serial, s.backup.serial)
            for i, s in zip(self.indexes, self.sims, strict=True)
        ]
        bundle = "".join(Path(sim.ca_path).read_text() for sim in self.sims)
        portal_url = first.portal.url if self.indexes[0] == 0 else None
        return pairs, bundle, portal_url

    def register(self, pairs: Sequence[PairInfo]) -> None:
        """Register other workers' pairs on this process's portal (the fleet's account)."""
        portal = self.sims[0].portal
        for pair in pairs:
            portal.register_product(pair.primary_serial, f"fw-{pair.index:03d}-a", MODEL)
            portal.register_product(pair.backup_serial, f"fw-{pair.index:03d}-b", MODEL)
            for item in PRIMARY_LICENSES:
                portal.add_license(pair.primary_serial, **item)

    def _servers(self) -> list[tuple[str, Any]]:
        servers: list[tuple[str, Any]] = []
        for sim in self.sims:
            servers += [("primary", sim.primary), ("backup", sim.backup)]
        if self.sims and self.indexes[0] == 0:
            servers.append(("portal", self.sims[0].portal))
        return servers

    def set_sync_seconds(self, seconds: float) -> None:
        """Each pair takes `seconds` to synchronize once HA is on (or changed)."""
        for sim in self.sims:
            sim.primary.sync_seconds = sim.backup.sync_seconds = seconds

    def set_latency(self, seconds: float, connect_round_trips: int) -> None:
        for sim in self.sims:
            for server in sim.servers:
                server.latency_s = seconds
                server.connect_round_trips = connect_round_trips

    def clear(self) -> None:
        for sim in self.sims:
            for server in sim.servers:
                server.clear_requests()
            for unit in (sim.primary, sim.backup):
                unit.max_concurrent_sessions = 0

    def stats(self) -> list[ServerStats]:
        return [
            ServerStats(
                server.host,
                role,
                tuple((r.method, r.path, r.status, r.connection) for r in server.requests),
                server.connections_opened,
                getattr(server, "max_concurrent_sessions", 0),
            )
            for role, server in self._servers()
        ]

    def stop(self) -> None:
        # In parallel (each server takes up to a poll interval to notice); borrowers
        # first, the portal's owner last.
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(pool.map(Simulator.stop, self.sims[1:]))
        if self.sims:
            self.sims[0].stop()
        self.sims = []


def _serve(conn: Connection, indexes: list[int]) -> None:
    """A worker process: LocalSims for `indexes`, driven by (call, args) messages."""
    sims = LocalSims(indexes)
    try:
        while True:
            name, args = conn.recv()
            try:
                conn.send((True, getattr(sims, name)(*args)))
            except Exception as exc:  # noqa: BLE001 - the parent raises it with the call's name
                conn.send((False, f"{type(exc).__name__}: {exc}"))
            if name == "stop":
                return
    finally:
        sims.stop()


class ProcessSims:
    """The same calls as LocalSims, the pairs spread over `processes` workers."""

    def __init__(self, indexes: Sequence[int], processes: int) -> None:
        count = max(1, min(processes, len(indexes)))
        self._groups = [list(indexes)[k::count] for k in range(count)]
        context = multiprocessing.get_context("spawn")  # no copied threads or sockets
        self._conns: list[Connection] = []
        self._procs: list[Any] = []
        for group in self._groups:
            parent, child = context.Pipe()
            proc = context.Process(target=_serve, args=(child, group), daemon=True)
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)

    def _all(self, name: str, *args: Any) -> list[Any]:
        for conn in self._conns:
            conn.send((name, args))
        results = []
        for conn in self._conns:
            ok, value = conn.recv()
            if not ok:
                raise RuntimeError(f"simulator worker: {name}: {value}")
            results.append(value)
        return results

    def start(self) -> tuple[list[PairInfo], str, str | None]:
        started = self._all("start")
        pairs = sorted((p for found, _, _ in started for p in found), key=lambda p: p.index)
        bundle = "".join(pem for _, pem, _ in started)
        portal_url = next(url for _, _, url in started if url)
        # Every other worker's pairs on the fleet's portal (worker 0 holds pair 0).
        others = [p for p in pairs if p.index not in self._groups[0]]
        self._conns[0].send(("register", (others,)))
        ok, value = self._conns[0].recv()
        if not ok:
            raise RuntimeError(f"simulator worker: register: {value}")
        return pairs, bundle, portal_url

    def set_latency(self, seconds: float, connect_round_trips: int) -> None:
        self._all("set_latency", seconds, connect_round_trips)

    def clear(self) -> None:
        self._all("clear")

    def stats(self) -> list[ServerStats]:
        return [s for found in self._all("stats") for s in found]

    def stop(self) -> None:
        try:
            self._all("stop")
        except (OSError, EOFError, RuntimeError):
            pass
        for proc in self._procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
