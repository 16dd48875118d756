"""A simulated SonicWall HA pair and MySonicWall portal, served over real HTTPS.

`Simulator` starts three servers on loopback: the Primary and the Backup
(two SonicOS units cabled together on X4 and X5) and the licensing portal,
all with certificates from one throw-away CA. It lets users try the Pulumi
examples without hardware (`python -m pulumi_sonicha.simulator`) and lets
tests run the provider against real HTTP, TLS verification included:

    with Simulator(sync_seconds=0.0) as sim:
        os.environ.update(sim.env())
        ...
        assert sim.primary.ha_status()["status"] == "ACTIVE"

The identities below are fixed because examples and docs name them. Ports X0
and X1 of both units show link up as if connected to a switch (no HA peer
there); X4 and X5 are cabled unit to unit; X2, X3, X6 and X7 have no link.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from types import TracebackType
from typing import Any

from .appliance import DEFAULT_HA, LINK_DOWN, LINK_UP, UNASSIGNED, ApplianceSim, Cabling
from .portal import PortalSim
from .server import RequestRecord, normalize_serial
from .tls import DEFAULT_CERT_HOSTNAMES, create_tls

PRIMARY_SERIAL = "2CB8ED0A1B2C"
PRIMARY_SERIAL_DISPLAY = "2CB8-ED0A-1B2C"  # how the Primary's /version spells it
BACKUP_SERIAL = "2CB8ED0A9F00"
BACKUP_SERIAL_DISPLAY = "2cb8ed0a9f00"  # the Backup's spelling exercises normalization
MODEL = "NSa 2700"
FIRMWARE = "SonicOS 7.0.1-5145"
PRIMARY_PRODUCT_NAME = "fw-primary"
BACKUP_PRODUCT_NAME = "fw-backup"
#: Registered on the portal but a different model: association gives MODEL_MISMATCH.
OTHER_MODEL_SERIAL = "2CB8ED0A7777"
OTHER_MODEL = "NSa 3700"
#: Already associated with each other on the portal: ALREADY_ASSOCIATED.
ASSOCIATED_SERIAL = "2CB8ED0A5555"
ASSOCIATED_PEER_SERIAL = "2CB8ED0A6666"
SEED_ASSOCIATION_ID = "assoc-5555b666"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "sim-Passw0rd!"
DEFAULT_PORTAL_USERNAME = "netops@example.com"
DEFAULT_PORTAL_PASSWORD = "sim-Portal-Passw0rd!"
DEFAULT_PRIMARY_PORT = 9441
DEFAULT_BACKUP_PORT = 9442
DEFAULT_PORTAL_PORT = 9443
DEFAULT_SYNC_SECONDS = 3.0

INTERFACES = tuple(f"X{n}" for n in range(8))
CABLED_PORTS = ("X4", "X5")
SWITCH_PORTS = ("X0", "X1")


def _license(
    name: str, kind: str = "security-service", shareable: bool = True, expires: str = "2027-06-30"
) -> dict[str, Any]:
    return {"name": name, "type": kind, "shareable": shareable, "expires": expires}


#: The Primary's licenses; the Backup has none of its own. Consulting is never shared.
PRIMARY_LICENSES: list[dict[str, Any]] = [
    _license("SonicOS Enhanced", "firmware", expires="2030-12-31"),
    _license("24x7 Support", "support"),
    _license("Gateway Anti-Virus"),
    _license("Intrusion Prevention"),
    _license("Content Filtering Service"),
    _license("Capture Advanced Threat Protection"),
    _license("GMS Preventive Maintenance Service", "consulting", False, "2026-12-31"),
]

_WILDCARDS = {"", "0.0.0.0", "::"}


def _static(zone: str, ip: str) -> dict[str, Any]:
    return {"zone": zone, "mode": {"static": {"ip": ip, "netmask": "255.255.255.0"}}}


def default_interfaces(unit: int) -> list[dict[str, Any]]:
    """X0..X7 of unit 0 (Primary) or 1 (Backup): X0 LAN, X1 WAN, X2 DMZ, X3 LAN, rest unassigned."""
    assigned = {
        "X0": _static("LAN", f"192.168.168.{168 + unit}"),
        "X1": _static("WAN", f"203.0.113.{2 + unit}"),
        "X2": _static("DMZ", f"172.16.2.{1 + unit}"),
        "X3": _static("LAN", f"10.0.3.{1 + unit}"),
    }
    return [
        {"name": name, "comment": "", "ip_assignment": assigned.get(name, {})}
        for name in INTERFACES
    ]


class Simulator:
    """The Primary, the Backup and the portal, started and stopped together."""

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        primary_port: int = 0,
        backup_port: int = 0,
        portal_port: int = 0,
        sync_seconds: float = DEFAULT_SYNC_SECONDS,
        latency_s: float = 0.0,
        backup_model: str | None = None,
        cert_hostnames: list[str] | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        portal_username: str = DEFAULT_PORTAL_USERNAME,
        portal_password: str = DEFAULT_PORTAL_PASSWORD,
        token_ttl_s: float = 3600.0,
        state_dir: str | None = None,
    ) -> None:
        self.host = host
        self.username = username
        self.password = password
        self.portal_username = portal_username
        self.portal_password = portal_password
        self.state_dir = state_dir
        self._ports = (primary_port, backup_port, portal_port)
        self._cert_hostnames = list(cert_hostnames or DEFAULT_CERT_HOSTNAMES)
        if cert_hostnames is None and host not in _WILDCARDS and host not in self._cert_hostnames:
            self._cert_hostnames.append(host)
        self._ca_path: str | None = None
        self._temp_dir: str | None = None

        self._cabling = Cabling(CABLED_PORTS, SWITCH_PORTS)
        unit = {
            "model": MODEL,
            "firmware": FIRMWARE,
            "username": username,
            "password": password,
            "cabling": self._cabling,
            "sync_seconds": sync_seconds,
            "latency_s": latency_s,
        }
        self.primary = ApplianceSim(
            "primary",
            serial=PRIMARY_SERIAL,
            serial_display=PRIMARY_SERIAL_DISPLAY,
            interfaces=default_interfaces(0),
            **unit,
        )
        self.backup = ApplianceSim(
            "backup",
            serial=BACKUP_SERIAL,
            serial_display=BACKUP_SERIAL_DISPLAY,
            interfaces=default_interfaces(1),
            **{**unit, "model": backup_model or MODEL},
        )
        self.primary.peer, self.backup.peer = self.backup, self.primary
        self.portal = PortalSim(
            username=portal_username,
            password=portal_password,
            products=[
                {"serial": PRIMARY_SERIAL, "name": PRIMARY_PRODUCT_NAME, "model": MODEL},
                {"serial": BACKUP_SERIAL, "name": BACKUP_PRODUCT_NAME, "model": MODEL},
                {"serial": OTHER_MODEL_SERIAL, "name": "lab-3700", "model": OTHER_MODEL},
                {"serial": ASSOCIATED_SERIAL, "name": "spare-2700", "model": MODEL},
                {"serial": ASSOCIATED_PEER_SERIAL, "name": "spare-2700-b", "model": MODEL},
            ],
            licenses={
                PRIMARY_SERIAL: PRIMARY_LICENSES,
                OTHER_MODEL_SERIAL: PRIMARY_LICENSES[:2],
                ASSOCIATED_SERIAL: PRIMARY_LICENSES[:3],
            },
            associations=[
                {
                    "id": SEED_ASSOCIATION_ID,
                    "primary_serial": ASSOCIATED_SERIAL,
                    "secondary_serial": ASSOCIATED_PEER_SERIAL,
                }
            ],
            token_ttl_s=token_ttl_s,
            latency_s=latency_s,
        )

    @property
    def servers(self) -> tuple[ApplianceSim, ApplianceSim, PortalSim]:
        return (self.primary, self.backup, self.portal)

    @property
    def ca_path(self) -> str:
        """The CA PEM that signs all three servers' certificates."""
        if self._ca_path is None:
            raise RuntimeError("the simulator is not running")
        return self._ca_path

    def start(self) -> Simulator:
        """Create the certificates and start all three servers."""
        directory = self.state_dir
        if directory is None:
            directory = self._temp_dir = tempfile.mkdtemp(prefix="sonicha-sim-")
        tls = create_tls(directory, self._cert_hostnames)
        self._ca_path = tls.ca_path
        public = DEFAULT_HOST if self.host in _WILDCARDS else self.host
        try:
            for server, port in zip(self.servers, self._ports, strict=True):
                server.start(self.host, port, tls.server_context, public_host=public)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the servers and remove the temporary state directory, if we made one."""
        # In parallel: each server needs up to one poll interval to notice.
        stoppers = [threading.Thread(target=server.stop) for server in self.servers]
        for thread in stoppers:
            thread.start()
        for thread in stoppers:
            thread.join()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
            self._ca_path = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def cable(self, interface: str) -> None:
        """Plug a cable between the two units' `interface` ports (both links come up)."""
        self._cabling.cable(self.primary._known(interface))

    def uncable(self, interface: str) -> None:
        """Pull that cable: both ports report "No link"."""
        self._cabling.uncable(self.primary._known(interface))

    def cabled_ports(self) -> list[str]:
        return self._cabling.cabled_ports()

    def env(self, *, include_hosts: bool = False) -> dict[str, str]:
        """SONICHA_* variables pointing a provider at this simulator.

        `include_hosts` adds SONICHA_SIM_* variables (unit addresses and serials)
        that the examples and the CLI's `ctl` read; the provider ignores them.
        """
        env = {
            "SONICHA_USERNAME": self.username,
            "SONICHA_PASSWORD": self.password,
            "SONICHA_CA_BUNDLE": self.ca_path,
            "SONICHA_PORTAL_URL": self.portal.url,
            "SONICHA_PORTAL_USERNAME": self.portal_username,
            "SONICHA_PORTAL_PASSWORD": self.portal_password,
        }
        if include_hosts:
            env.update(
                {
                    "SONICHA_SIM_PRIMARY_HOST": self.primary.host,
                    "SONICHA_SIM_BACKUP_HOST": self.backup.host,
                    "SONICHA_SIM_PRIMARY_SERIAL": self.primary.serial,
                    "SONICHA_SIM_BACKUP_SERIAL": self.backup.serial,
                }
            )
        return env


__all__ = [
    "ASSOCIATED_PEER_SERIAL",
    "ASSOCIATED_SERIAL",
    "BACKUP_PRODUCT_NAME",
    "BACKUP_SERIAL",
    "BACKUP_SERIAL_DISPLAY",
    "CABLED_PORTS",
    "DEFAULT_BACKUP_PORT",
    "DEFAULT_HA",
    "DEFAULT_HOST",
    "DEFAULT_PASSWORD",
    "DEFAULT_PORTAL_PASSWORD",
    "DEFAULT_PORTAL_PORT",
    "DEFAULT_PORTAL_USERNAME",
    "DEFAULT_PRIMARY_PORT",
    "DEFAULT_SYNC_SECONDS",
    "DEFAULT_USERNAME",
    "FIRMWARE",
    "INTERFACES",
    "LINK_DOWN",
    "LINK_UP",
    "MODEL",
    "OTHER_MODEL",
    "OTHER_MODEL_SERIAL",
    "PRIMARY_LICENSES",
    "PRIMARY_PRODUCT_NAME",
    "PRIMARY_SERIAL",
    "PRIMARY_SERIAL_DISPLAY",
    "SEED_ASSOCIATION_ID",
    "SWITCH_PORTS",
    "UNASSIGNED",
    "ApplianceSim",
    "PortalSim",
    "RequestRecord",
    "Simulator",
    "default_interfaces",
    "normalize_serial",
]
