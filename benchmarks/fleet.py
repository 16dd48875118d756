"""A fleet of simulated pairs, the resources a fleet program declares, and their creation.

Each pair is its own `Simulator` (a Primary and a Backup) so that requests to
different appliances can run in parallel while requests to one appliance
are serialized, as on real hardware. All simulators share one set of
credentials and are trusted through one combined CA bundle, because one
provider host has one `sonicha:*` configuration; for the same reason the
fleet has one MySonicWall account (pair 0's portal). The servers run in
this process or in worker processes (`simfleet`); the fleet only ever sees
their addresses and request logs.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_sonicha.providers.base import SonicHaProvider
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_monitoring import HaMonitoringProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import Simulator

from .simfleet import (
    PASSWORD,
    PORTAL_PASSWORD,
    PORTAL_USERNAME,
    USERNAME,
    LocalSims,
    PairInfo,
    ProcessSims,
    ServerStats,
    new_simulator,
)

SECRET_KEYS = frozenset({"sonicha:password", "sonicha:portalPassword"})
# Where a stack job (a process of its own) takes each secret from: its environment,
# so no job file on disk holds one. The provider's own variable names.
SECRET_ENV = {
    "sonicha:password": "SONICHA_PASSWORD",
    "sonicha:portalPassword": "SONICHA_PORTAL_PASSWORD",
}

PROVIDERS: dict[str, type[SonicHaProvider]] = {
    "HaInterface": HaInterfaceProvider,
    "HaPair": HaPairProvider,
    "LicenseAssociation": LicenseAssociationProvider,
    "HaMonitoring": HaMonitoringProvider,
}


def urn(type_name: str, name: str) -> str:
    """The URN the engine would give a resource of a fleet stack."""
    return f"urn:pulumi:bench::sonicha-fleet::pulumi-python:dynamic/sonicha:{type_name}::{name}"


def start_simulator() -> Simulator:
    """A started pair with the fleet's credentials and instant HA sync (pair 0's serials)."""
    return new_simulator(0).start()


def settings_for(portal_url: str, ca_bundle: str) -> Settings:
    """In-process provider settings, as `configure()` would build them from stack config."""
    return Settings(
        username=USERNAME,
        password=PASSWORD,
        portal_username=PORTAL_USERNAME,
        portal_password=PORTAL_PASSWORD,
        portal_url=portal_url,
        ca_bundle=ca_bundle,
        timeout=10.0,
        max_retries=2,
        backoff_factor=0.05,
    )


def configured(provider_cls: type[SonicHaProvider], settings: Settings) -> SonicHaProvider:
    """A provider with `settings` in place of what `configure()` would load."""
    provider = provider_cls()
    provider._settings = settings
    return provider


@dataclass
class Managed:
    """One resource of the fleet as state holds it after `pulumi up`."""

    type_name: str
    name: str
    program: dict[str, Any]
    id: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    outs: dict[str, Any] = field(default_factory=dict)

    @property
    def urn(self) -> str:
        return urn(self.type_name, self.name)


@dataclass
class Fleet:
    """N started pairs, the combined CA bundle, and the resources declared on them."""

    pairs: list[PairInfo]
    ca_bundle: str
    portal_url: str
    sims: LocalSims | ProcessSims
    resources: list[Managed] = field(default_factory=list)

    def settings(self) -> Settings:
        return settings_for(self.portal_url, self.ca_bundle)

    def stack_config(self) -> dict[str, str]:
        """What `Configure` carries for this fleet (secrets listed in SECRET_KEYS)."""
        return {
            "sonicha:username": USERNAME,
            "sonicha:password": PASSWORD,
            "sonicha:portalUsername": PORTAL_USERNAME,
            "sonicha:portalPassword": PORTAL_PASSWORD,
            "sonicha:portalUrl": self.portal_url,
            "sonicha:caBundle": self.ca_bundle,
            "sonicha:timeout": "10",
            "sonicha:maxRetries": "2",
        }

    def set_latency(self, seconds: float, connect_round_trips: int = 0) -> None:
        """`seconds` on every request, `connect_round_trips` times it on every new
        connection, on every server of the fleet."""
        self.sims.set_latency(seconds, connect_round_trips)

    def clear_requests(self) -> None:
        self.sims.clear()

    def stats(self) -> list[ServerStats]:
        return self.sims.stats()

    def declare(self) -> None:
        """One HaInterface, one HaPair and one LicenseAssociation per pair, as a
        fleet program declares them in a loop (so refresh reads come pair by pair)."""
        self.resources = []
        for pair in self.pairs:
            hosts = {"primary_host": pair.primary_host, "backup_host": pair.backup_host}
            prefix = f"pair-{pair.index:03d}"
            self.resources += [
                Managed(
                    "HaInterface",
                    f"{prefix}-data-link",
                    {**hosts, "interface": "X4", "purpose": "data", "unassign_zone": True},
                ),
                Managed(
                    "HaPair",
                    f"{prefix}-pair",
                    {
                        **hosts,
                        "backup_serial": pair.backup_serial,
                        "control_interface": "X5",
                        "data_interface": "X4",
                        "stateful_synchronization": True,
                    },
                ),
                Managed(
                    "LicenseAssociation",
                    f"{prefix}-licenses",
                    {
                        "primary_serial": pair.primary_serial,
                        "secondary_serial": pair.backup_serial,
                    },
                ),
            ]

    def create_all(self, workers: int = 8) -> None:
        """`pulumi up` of the whole fleet, in-process and in parallel across pairs."""
        providers = {name: configured(cls, self.settings()) for name, cls in PROVIDERS.items()}

        def up(pair: list[Managed]) -> None:
            for resource in pair:  # in program order: link, HA, licenses
                provider = providers[resource.type_name]
                checked = provider.check({}, dict(resource.program))
                if checked.failures:
                    raise RuntimeError(f"{resource.name}: check failed: {checked.failures}")
                result = provider.create(checked.inputs)
                resource.inputs, resource.id, resource.outs = (
                    dict(checked.inputs),
                    str(result.id),
                    dict(result.outs or {}),
                )

        pairs = [self.resources[i : i + 3] for i in range(0, len(self.resources), 3)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(up, pairs))


def gets(stats: list[ServerStats]) -> Counter[tuple[str, str]]:
    """(server, path) of every GET in `stats`."""
    return Counter(
        (server.host, path)
        for server in stats
        for method, path, _, _ in server.requests
        if method == "GET"
    )


@contextmanager
def fleet(pairs: int, directory: str | None = None, processes: int = 0) -> Iterator[Fleet]:
    """`pairs` started pairs and one CA bundle trusting all of them; the servers run in
    `processes` worker processes (0: in this process)."""
    with ExitStack() as stack:
        workdir = directory or stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        indexes = range(pairs)
        sims: LocalSims | ProcessSims = (
            ProcessSims(indexes, processes) if processes > 0 else LocalSims(indexes)
        )
        stack.callback(sims.stop)
        started, pem, portal_url = sims.start()
        assert portal_url is not None, "pair 0 holds the fleet's portal"
        bundle = Path(workdir) / "fleet-ca.pem"
        bundle.write_text(pem)
        yield Fleet(pairs=started, ca_bundle=str(bundle), portal_url=portal_url, sims=sims)
