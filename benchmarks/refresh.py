"""Wall time of a refresh (Read of every resource) of a fleet, against the naive way.

The provider side goes through ONE provider host (`python -m pulumi.dynamic`,
driven over gRPC by `ProviderHost` as the engine drives it): the engine
issues refresh reads in parallel, so a client thread pool sends them all at
once and the host runs four at a time. Each read holds one admin session per
unit (login, its GETs, logout) under a per-unit lock, and the portal token is
shared by every LicenseAssociation.

The naive baseline does the same GETs (checked: the same multiset of
server + path) one at a time, each wrapped in its own login and logout (the
portal has no logout: login + GET), with plain `requests`, one connection per
GET, TLS verified against the same CA bundle, no parallelism.

Both run against the same servers with the same added latency per request.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.auth import HTTPDigestAuth

from pulumi_sonicha.testing import ProviderHost, provider_ref
from pulumi_sonicha.testing.host import PROVIDER_KEY

from .fleet import (
    PASSWORD,
    PORTAL_PASSWORD,
    PORTAL_USERNAME,
    PROVIDERS,
    SECRET_KEYS,
    USERNAME,
    Fleet,
    Managed,
    fleet,
)
from .sizes import peak_memory_kib

#: Client threads sending Read calls; the host itself serves four at a time.
CLIENT_THREADS = 64
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
class RefreshResult:
    """One fleet size: the provider's refresh and the naive baseline."""

    pairs: int
    resources: int
    latency_ms: float
    provider_seconds: float = 0.0
    provider_requests: int = 0
    naive_seconds: float = 0.0
    naive_requests: int = 0
    #: Both sides sent the same GETs (server + path, with multiplicity).
    same_gets: bool = False
    #: Resources whose refresh found a difference or the object gone (expected: none).
    drift: list[str] = field(default_factory=list)
    #: Most admin sessions one unit saw wanted at once during the refresh (1 = serialized).
    max_sessions_per_unit: int = 0
    host_memory_kib: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def speedup(self) -> float:
        return self.naive_seconds / self.provider_seconds if self.provider_seconds else 0.0

    @property
    def parallelism(self) -> float:
        """Requests x latency / wall time: how many requests were in flight on average."""
        if not self.provider_seconds:
            return 0.0
        return self.provider_requests * self.latency_ms / 1000.0 / self.provider_seconds

    def to_json(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "resources": self.resources,
            "latency_ms": self.latency_ms,
            "provider": {
                "seconds": round(self.provider_seconds, 3),
                "requests": self.provider_requests,
                "requests_in_flight_avg": round(self.parallelism, 2),
                "max_sessions_per_unit": self.max_sessions_per_unit,
            },
            "naive": {"seconds": round(self.naive_seconds, 3), "requests": self.naive_requests},
            "speedup": round(self.speedup, 2),
            "same_gets": self.same_gets,
            "drift": self.drift,
            "host_memory_kib": self.host_memory_kib,
        }


def _gets(fleet: Fleet) -> Counter[tuple[str, str]]:
    """(server, path) of every GET the fleet's servers saw since the last clear."""
    return Counter(
        (server.host, r.path)
        for server in fleet.servers
        for r in server.requests
        if r.method == "GET"
    )


# -- the provider, through the SDK's provider host -----------------------------


def provider_refresh(fleet: Fleet, result: RefreshResult, workdir: str) -> None:
    """Read every resource through one provider host, all reads sent at once."""
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
            started = time.perf_counter()
            outcomes = list(pool.map(read, fleet.resources))
            result.provider_seconds = time.perf_counter() - started
        result.host_memory_kib["after_refresh"] = peak_memory_kib(host.pid)
    result.provider_requests = fleet.request_count()
    result.max_sessions_per_unit = fleet.max_sessions_per_unit()
    result.drift = [outcome for outcome in outcomes if outcome]


# -- the naive way -------------------------------------------------------------


def _appliance_get(origin: str, path: str, verify: str) -> None:
    """One GET in its own admin session: login (Digest, the 7.x default), GET, logout."""
    with requests.Session() as http:
        http.auth = HTTPDigestAuth(USERNAME, PASSWORD)
        login = http.post(
            f"{origin}/api/sonicos/auth",
            json={"override": False},
            verify=verify,
            timeout=TIMEOUT_S,
        )
        login.raise_for_status()
        http.get(f"{origin}{path}", verify=verify, timeout=TIMEOUT_S).raise_for_status()
        http.delete(f"{origin}/api/sonicos/auth", verify=verify, timeout=TIMEOUT_S)


def _portal_get(origin: str, path: str, verify: str) -> None:
    """One GET with its own portal login (the portal API has no logout)."""
    with requests.Session() as http:
        login = http.post(
            f"{origin}/api/v1/auth/login",
            json={"username": PORTAL_USERNAME, "password": PORTAL_PASSWORD},
            verify=verify,
            timeout=TIMEOUT_S,
        )
        login.raise_for_status()
        token = login.json()["token"]
        http.get(
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


def naive_refresh(fleet: Fleet, result: RefreshResult) -> None:
    """The same GETs, one at a time, each in its own login/logout."""
    fleet.clear_requests()
    started = time.perf_counter()
    for resource in fleet.resources:
        for origin, path in _naive_gets(resource):
            if origin == "portal":
                _portal_get(fleet.portal.url, path, fleet.ca_bundle)
            else:
                _appliance_get(origin, path, fleet.ca_bundle)
    result.naive_seconds = time.perf_counter() - started
    result.naive_requests = fleet.request_count()


def measure(pairs: int, latency_ms: float) -> RefreshResult:
    """Create `pairs` pairs without latency, then time both refreshes with it."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-refresh-") as workdir,
        fleet(pairs, workdir) as started,
    ):
        started.declare()
        started.create_all()
        result = RefreshResult(pairs, len(started.resources), latency_ms)
        started.set_latency(latency_ms / 1000.0)
        project = os.path.join(workdir, "project")
        os.makedirs(project)
        provider_refresh(started, result, project)
        provider_gets = _gets(started)
        naive_refresh(started, result)
        result.same_gets = provider_gets == _gets(started)
        started.set_latency(0.0)
        return result
