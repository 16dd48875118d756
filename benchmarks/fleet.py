"""A fleet of simulated pairs, the resources a fleet program declares, and their creation.

Each pair is its own `Simulator` (a Primary and a Backup) so that requests to
different appliances can run in parallel while requests to one appliance
are serialized, as on real hardware. All simulators share one set of
credentials and are trusted through one combined CA bundle, because one
provider host has one `sonicha:*` configuration.

For the same reason a fleet has one MySonicWall account: `sonicha:portalUrl`
is a single setting, so every LicenseAssociation goes to the first
simulator's portal (the other portals stay idle). The simulated appliances
all carry the same fixed serials, so pair N's association uses serials
registered on that portal for it (the portal never talks to the units).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_sonicha.providers.base import SonicHaProvider
from pulumi_sonicha.providers.ha_interface import HaInterfaceProvider
from pulumi_sonicha.providers.ha_pair import HaPairProvider
from pulumi_sonicha.providers.license_association import LicenseAssociationProvider
from pulumi_sonicha.settings import Settings
from pulumi_sonicha.simulator import (
    BACKUP_SERIAL,
    MODEL,
    PRIMARY_LICENSES,
    PRIMARY_SERIAL,
    PortalSim,
    Simulator,
)
from pulumi_sonicha.simulator.server import SimServer

USERNAME = "admin"
PASSWORD = "bench-Passw0rd!"
PORTAL_USERNAME = "fleet@example.com"
PORTAL_PASSWORD = "bench-Portal-Passw0rd!"
SECRET_KEYS = frozenset({"sonicha:password", "sonicha:portalPassword"})

PROVIDERS: dict[str, type[SonicHaProvider]] = {
    "HaInterface": HaInterfaceProvider,
    "HaPair": HaPairProvider,
    "LicenseAssociation": LicenseAssociationProvider,
}


def urn(type_name: str, name: str) -> str:
    """The URN the engine would give a resource of a fleet stack."""
    return f"urn:pulumi:bench::sonicha-fleet::pulumi-python:dynamic/sonicha:{type_name}::{name}"


def portal_serials(index: int) -> tuple[str, str]:
    """(HA Primary, HA Secondary) serials of pair `index` on the fleet's portal."""
    if index == 0:
        return PRIMARY_SERIAL, BACKUP_SERIAL
    return f"2CB8EE{index:06X}", f"2CB8EF{index:06X}"


def start_simulator() -> Simulator:
    """A started pair with the fleet's credentials and instant HA sync."""
    sim = Simulator(
        sync_seconds=0.0,
        username=USERNAME,
        password=PASSWORD,
        portal_username=PORTAL_USERNAME,
        portal_password=PORTAL_PASSWORD,
    )
    return sim.start()


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

    sims: list[Simulator]
    ca_bundle: str
    resources: list[Managed] = field(default_factory=list)

    @property
    def portal(self) -> PortalSim:
        return self.sims[0].portal

    @property
    def servers(self) -> list[SimServer]:
        """Every server the provider may reach: all units, and the fleet's portal."""
        units: list[SimServer] = [unit for sim in self.sims for unit in (sim.primary, sim.backup)]
        return [*units, self.portal]

    def settings(self) -> Settings:
        return settings_for(self.portal.url, self.ca_bundle)

    def stack_config(self) -> dict[str, str]:
        """What `Configure` carries for this fleet (secrets listed in SECRET_KEYS)."""
        return {
            "sonicha:username": USERNAME,
            "sonicha:password": PASSWORD,
            "sonicha:portalUsername": PORTAL_USERNAME,
            "sonicha:portalPassword": PORTAL_PASSWORD,
            "sonicha:portalUrl": self.portal.url,
            "sonicha:caBundle": self.ca_bundle,
            "sonicha:timeout": "10",
            "sonicha:maxRetries": "2",
        }

    def set_latency(self, seconds: float) -> None:
        for sim in self.sims:
            for server in sim.servers:
                server.latency_s = seconds

    def clear_requests(self) -> None:
        for sim in self.sims:
            for server in sim.servers:
                server.clear_requests()
            for unit in (sim.primary, sim.backup):
                unit.max_concurrent_sessions = 0

    def request_count(self) -> int:
        return sum(len(server.requests) for server in self.servers)

    def max_sessions_per_unit(self) -> int:
        """Most admin sessions any one unit saw wanted at once (1 = serialized)."""
        return max(
            (
                unit.max_concurrent_sessions
                for sim in self.sims
                for unit in (sim.primary, sim.backup)
            ),
            default=0,
        )

    def declare(self) -> None:
        """One HaInterface, one HaPair and one LicenseAssociation per pair, as a
        fleet program declares them in a loop (so refresh reads come pair by pair)."""
        self.resources = []
        for index, sim in enumerate(self.sims):
            primary_serial, secondary_serial = portal_serials(index)
            if index > 0:
                self.portal.register_product(primary_serial, f"fw-{index:02d}-a", MODEL)
                self.portal.register_product(secondary_serial, f"fw-{index:02d}-b", MODEL)
                for item in PRIMARY_LICENSES:
                    self.portal.add_license(primary_serial, **item)
            hosts = {"primary_host": sim.primary.host, "backup_host": sim.backup.host}
            prefix = f"pair-{index:02d}"
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
                        "backup_serial": BACKUP_SERIAL,
                        "control_interface": "X5",
                        "data_interface": "X4",
                        "stateful_synchronization": True,
                    },
                ),
                Managed(
                    "LicenseAssociation",
                    f"{prefix}-licenses",
                    {"primary_serial": primary_serial, "secondary_serial": secondary_serial},
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


def stop_all(sims: list[Simulator]) -> None:
    """Stop simulators in parallel: each server takes up to a poll interval to notice."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(Simulator.stop, sims))


@contextmanager
def fleet(pairs: int, directory: str | None = None) -> Iterator[Fleet]:
    """`pairs` started simulators (in parallel) and one CA bundle trusting all of them."""
    with ExitStack() as stack:
        workdir = directory or stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(start_simulator) for _ in range(pairs)]
            sims = [f.result() for f in futures if f.exception() is None]
        stack.callback(stop_all, sims)
        errors = [exc for exc in (f.exception() for f in futures) if exc is not None]
        if errors:
            raise errors[0]
        bundle = Path(workdir) / "fleet-ca.pem"
        bundle.write_text("".join(Path(sim.ca_path).read_text() for sim in sims))
        yield Fleet(sims=sims, ca_bundle=str(bundle))
