"""Wall time of a refresh (Read of every resource) of a fleet, against the naive way.

The provider side goes through ONE provider host (`python -m pulumi.dynamic`,
driven over gRPC by `ProviderHost` as the engine drives it): the engine
issues refresh reads in parallel, so a client thread pool sends them all at
once and the host runs four at a time. Each read holds one admin session per
unit (login, its GETs, logout) under a per-unit lock; the host keeps one
kept-alive connection pool per unit, and the portal token is shared by every
LicenseAssociation.

The naive baseline does the same GETs (checked: the same multiset of
server + path) one at a time, each wrapped in its own login and logout (the
portal has no logout: login + GET), as a script does with plain `requests`:
`requests.post(...)`, `requests.get(...)`, each call on a connection of its
own; TLS verified against the same CA bundle, no parallelism.

Both run against the same servers (in worker processes: `simfleet`) with the
same latency per request and the same cost per new connection.

The host's limit: four workers, each waiting out one round trip at a time,
cannot finish sooner than (requests x latency + new connections x
round trips x latency) / 4. `limit_share` is that bound over the measured
time (1.0 = at the limit).
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.auth import HTTPDigestAuth

from pulumi_sonicha.testing import ProviderHost, provider_ref
from pulumi_sonicha.testing.host import PROVIDER_KEY

from .fleet import PROVIDERS, SECRET_KEYS, Fleet, Managed, fleet, gets
from .simfleet import PASSWORD, PORTAL_PASSWORD, PORTAL_USERNAME, USERNAME, ServerStats
from .sizes import busy_share, cpu_seconds, machine_cpu, peak_memory_kib

#: Client threads sending Read calls; the host itself serves four at a time.
CLIENT_THREADS = 64
HOST_WORKERS = 4
#: The provider must take its settings from Configure, not from this environment.
BLANK_ENV = {
    name: ""
    for name in (
        "SONICHA_USERNAME",
        "SONICHA_PASSWORD",
        "SONICHA_PORTAL_USERNAME",
        "SONICHA_PORTAL_PASSWORD",
        "SONICHA_PORTAL_URL",
        "SONICHA_CA_BUNDLE",
    )
}
TIMEOUT_S = 10.0


@dataclass
class Traffic:
    """What the servers saw during one side of the measurement."""

    requests: int = 0
    connections: int = 0
    #: Most new connections any one unit (not the portal) saw.
    max_unit_connections: int = 0
    portal_connections: int = 0

    @classmethod
    def of(cls, stats: list[ServerStats]) -> Traffic:
        units = [s.connections for s in stats if s.role != "portal"]
        return cls(
            requests=sum(len(s.requests) for s in stats),
            connections=sum(s.connections for s in stats),
            max_unit_connections=max(units, default=0),
            portal_connections=sum(s.connections for s in stats if s.role == "portal"),
        )

    def to_json(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "connections": self.connections,
            "max_connections_per_unit": self.max_unit_connections,
            "portal_connections": self.portal_connections,
        }


@dataclass
class RefreshResult:
    """One fleet size: the provider's refresh and (up to a size) the naive baseline."""

    pairs: int
    resources: int
    latency_ms: float
    connect_round_trips: int
    sim_processes: int
    provider_seconds: float = 0.0
    provider: Traffic = field(default_factory=Traffic)
    naive_seconds: float | None = None
    naive: Traffic | None = None
    #: Both sides sent the same GETs (server + path, with multiplicity); None: no naive run.
    same_gets: bool | None = None
    #: Resources whose refresh found a difference or the object gone (expected: none).
    drift: list[str] = field(default_factory=list)
    #: Most admin sessions one unit saw wanted at once during the refresh (1 = serialized).
    max_sessions_per_unit: int = 0
    host_memory_kib: dict[str, dict[str, int]] = field(default_factory=dict)
    #: CPU the provider host used during the refresh (user + system).
    host_cpu_seconds: float = 0.0
    #: Share of the machine's CPUs busy during the refresh (host, simulators, all else).
    machine_busy: float = 0.0

    @property
    def speedup(self) -> float | None:
        if self.naive_seconds is None or not self.provider_seconds:
            return None
        return self.naive_seconds / self.provider_seconds

    def _round_trip_seconds(self, traffic: Traffic) -> float:
        latency = self.latency_ms / 1000.0
        return (traffic.requests + traffic.connections * self.connect_round_trips) * latency

    @property
    def in_flight(self) -> float:
        """Requests x latency / wall time: requests in flight on average."""
        if not self.provider_seconds:
            return 0.0
        return self.provider.requests * self.latency_ms / 1000.0 / self.provider_seconds

    @property
    def round_trips_in_flight(self) -> float:
        """The same with connection set-up counted (what the four workers wait on)."""
        if not self.provider_seconds:
            return 0.0
        return self._round_trip_seconds(self.provider) / self.provider_seconds

    @property
    def limit_seconds(self) -> float:
        """The host's limit: every round trip waited out by one of four workers."""
        return self._round_trip_seconds(self.provider) / HOST_WORKERS

    @property
    def limit_share(self) -> float:
        return self.limit_seconds / self.provider_seconds if self.provider_seconds else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "resources": self.resources,
            "latency_ms": self.latency_ms,
            "connect_round_trips": self.connect_round_trips,
            "sim_processes": self.sim_processes,
            "provider": {
                "seconds": round(self.provider_seconds, 3),
                **self.provider.to_json(),
                "requests_in_flight_avg": round(self.in_flight, 2),
                "round_trips_in_flight_avg": round(self.round_trips_in_flight, 2),
                "limit_seconds": round(self.limit_seconds, 3),
                "limit_share": round(self.limit_share, 3),
                "max_sessions_per_unit": self.max_sessions_per_unit,
                "host_cpu_seconds": round(self.host_cpu_seconds, 2),
                "machine_busy": round(self.machine_busy, 3),
            },
            "naive": None
            if self.naive is None or self.naive_seconds is None
            else {"seconds": round(self.naive_seconds, 3), **self.naive.to_json()},
            "speedup": None if self.speedup is None else round(self.speedup, 2),
            "same_gets": self.same_gets,
            "drift": self.drift,
            "host_memory_kib": self.host_memory_kib,
        }


# -- the provider, through the SDK's provider host -----------------------------


def provider_refresh(fleet: Fleet, result: RefreshResult, workdir: str) -> list[ServerStats]:
    """Read every resource through one provider host, all reads sent at once; what the
    servers saw."""
    refs = {name: provider_ref(cls()) for name, cls in PROVIDERS.items()}
    with ProviderHost(cwd=workdir, env=BLANK_ENV) as host:
        host.configure(fleet.stack_config(), secret_keys=SECRET_KEYS)
        assert host.pid is not None
        result.host_memory_kib["started"] = peak_memory_kib(host.pid)

        def read(resource: Managed) -> str | None:
            ref = refs[resource.type_name]
            id_, outs, _inputs = host.read(
                resource.urn,
                resource.id,
                {**resource.outs, PROVIDER_KEY: ref},
                {**resource.inputs, PROVIDER_KEY: ref},
            )
            if id_ != resource.id:
                return f"{resource.name}: gone"
            # Drift as the engine decides it: the provider's diff of what was read
            # against the inputs from before (declared keys only).
            changed = PROVIDERS[resource.type_name].schema.changed_keys(outs, resource.inputs)
            return f"{resource.name}: {', '.join(changed)}" if changed else None

        fleet.clear_requests()
        threads = max(1, min(CLIENT_THREADS, len(fleet.resources)))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            cpu_before, machine_before = cpu_seconds(host.pid), machine_cpu()
            started = time.perf_counter()
            outcomes = list(pool.map(read, fleet.resources))
            result.provider_seconds = time.perf_counter() - started
            result.host_cpu_seconds = cpu_seconds(host.pid) - cpu_before
            result.machine_busy = busy_share(machine_before, machine_cpu())
        result.host_memory_kib["after_refresh"] = peak_memory_kib(host.pid)
    stats = fleet.stats()
    result.provider = Traffic.of(stats)
    result.max_sessions_per_unit = max(
        (s.max_sessions for s in stats if s.role != "portal"), default=0
    )
    result.drift = [outcome for outcome in outcomes if outcome]
    return stats


# -- the naive way -------------------------------------------------------------


def _appliance_get(origin: str, path: str, verify: str) -> None:
    """One GET in its own admin session, as a script does it: login (Digest, the 7.x
    default), GET, logout, each a `requests` call on a connection of its own."""
    auth = HTTPDigestAuth(USERNAME, PASSWORD)  # meets the challenge once, then signs
    login = requests.post(
        f"{origin}/api/sonicos/auth",
        json={"override": False},
        auth=auth,
        verify=verify,
        timeout=TIMEOUT_S,
    )
    login.raise_for_status()
    session = login.cookies
    requests.get(
        f"{origin}{path}", auth=auth, cookies=session, verify=verify, timeout=TIMEOUT_S
    ).raise_for_status()
    requests.delete(
        f"{origin}/api/sonicos/auth", auth=auth, cookies=session, verify=verify, timeout=TIMEOUT_S
    )


def _portal_get(origin: str, path: str, verify: str) -> None:
    """One GET with its own portal login (the portal API has no logout)."""
    login = requests.post(
        f"{origin}/api/v1/auth/login",
        json={"username": PORTAL_USERNAME, "password": PORTAL_PASSWORD},
        verify=verify,
        timeout=TIMEOUT_S,
    )
    login.raise_for_status()
    token = login.json()["token"]
    requests.get(
        f"{origin}{path}",
        headers={"Authorization": f"Bearer {token}"},
        verify=verify,
        timeout=TIMEOUT_S,
    ).raise_for_status()


def _naive_gets(resource: Managed) -> list[tuple[str, str]]:
    """(origin, path) of the GETs a read of `resource` needs."""
    if resource.type_name == "LicenseAssociation":
        return [("portal", f"/api/v1/ha-associations/{resource.id}")]
    program = resource.program
    if resource.type_name == "HaPair":
        primary = "https://" + program["primary_host"]
        return [
            (primary, "/api/sonicos/high-availability/base"),
            (primary, "/api/sonicos/reporting/high-availability"),
        ]
    return [
        (f"https://{program[host]}", path)
        for host in ("primary_host", "backup_host")
        for path in (
            "/api/sonicos/interfaces/ipv4",
            "/api/sonicos/reporting/interfaces/ipv4/status",
        )
    ]


def naive_refresh(fleet: Fleet, result: RefreshResult) -> list[ServerStats]:
    """The same GETs, one at a time, each in its own login/logout."""
    fleet.clear_requests()
    started = time.perf_counter()
    for resource in fleet.resources:
        for origin, path in _naive_gets(resource):
            if origin == "portal":
                _portal_get(fleet.portal_url, path, fleet.ca_bundle)
            else:
                _appliance_get(origin, path, fleet.ca_bundle)
    result.naive_seconds = time.perf_counter() - started
    stats = fleet.stats()
    result.naive = Traffic.of(stats)
    return stats


def measure(
    pairs: int,
    latency_ms: float,
    *,
    connect_round_trips: int = 2,
    sim_processes: int = 2,
    naive: bool = True,
) -> RefreshResult:
    """Create `pairs` pairs without latency, then time both refreshes with it."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-refresh-") as workdir,
        fleet(pairs, workdir, processes=sim_processes) as started,
    ):
        started.declare()
        started.create_all()
        result = RefreshResult(
            pairs, len(started.resources), latency_ms, connect_round_trips, sim_processes
        )
        started.set_latency(latency_ms / 1000.0, connect_round_trips)
        project = os.path.join(workdir, "project")
        os.makedirs(project)
        provider_gets = gets(provider_refresh(started, result, project))
        if naive:
            result.same_gets = provider_gets == gets(naive_refresh(started, result))
        started.set_latency(0.0)
        return result
