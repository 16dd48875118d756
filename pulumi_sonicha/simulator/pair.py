"""The `Simulator`: a simulated SonicWall HA pair and MySonicWall portal, served over real
HTTPS.

`Simulator` starts three servers on loopback: the Primary and the Backup
(two SonicOS units cabled together on X4 and X5) and the licensing portal,
all with certificates from one throw-away CA. It lets users try the Pulumi
examples without hardware (`python -m pulumi_sonicha.simulator`) and lets
tests run the provider against real HTTP, TLS verification included:

    with Simulator(sync_seconds=0.0) as sim:
        os.environ.update(sim.env())
        ...
        assert sim.primary.ha_status()["status"] == "Primary Active"

`firmware` picks the units' personality ("7.2", the default, or "7.0.1": the
fields each shows and accepts, after the vendor's OpenAPI for that release);
`auth` how they authenticate ("digest": session security, the 7.x default;
"basic": RFC 2617 Basic on the login).

The identities below are the defaults because examples and docs name them. Ports X0
and X1 of both units show link up as if connected to a switch (no HA peer
there); X4 and X5 are cabled unit to unit; X2, X3, X6 and X7 have no link.

A fleet is several simulators with their own serials sharing one portal (one
MySonicWall account, as `sonicha:portalUrl` is one setting per stack):

    with Simulator(sync_seconds=0) as site_a:
        with Simulator(
            sync_seconds=0,
            primary_serial="2CB8EE000001",
            backup_serial="2CB8EF000001",
            portal=site_a.portal,  # registers site B's units there; not started or stopped
        ) as site_b:
            ...

Each simulator has its own CA: trust both (one PEM bundle) to reach site B's
units and the shared portal, whose certificate site A's CA signed.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from types import TracebackType
from typing import Any

from .firmware import DEFAULT_FIRMWARE, FIRMWARES
from .portal import PortalSim
from .server import normalize_serial
from .sonicos import ApplianceSim, Cabling
from .sonicos.roles import PairRoles
from .tls import DEFAULT_CERT_HOSTNAMES, create_tls

PRIMARY_SERIAL = "2CB8ED0A1B2C"
PRIMARY_SERIAL_DISPLAY = "2CB8-ED0A-1B2C"  # how the Primary's /version spells it
BACKUP_SERIAL = "2CB8ED0A9F00"
BACKUP_SERIAL_DISPLAY = "2cb8ed0a9f00"  # the Backup's spelling exercises normalization
MODEL = "NSa 2700"
FIRMWARE = FIRMWARES[DEFAULT_FIRMWARE].version  # "SonicOS 7.2.0-7015"
PRIMARY_PRODUCT_NAME = "fw-primary"
BACKUP_PRODUCT_NAME = "fw-backup"
#: Registered on the portal but a different model: association gives MODEL_MISMATCH.
OTHER_MODEL_SERIAL = "2CB8ED0A7777"
OTHER_MODEL = "NSa 3700"
#: Already associated with each other on the portal: ALREADY_ASSOCIATED.
ASSOCIATED_SERIAL = "2CB8ED0A5555"
ASSOCIATED_PEER_SERIAL = "2CB8ED0A6666"
SEED_ASSOCIATION_ID = "assoc-5555b666"
#: Serials a simulator's own portal registers for its error cases: no unit may use them.
SEEDED_SERIALS = frozenset({OTHER_MODEL_SERIAL, ASSOCIATED_SERIAL, ASSOCIATED_PEER_SERIAL})

DEFAULT_HOST = "127.0.0.1"
#: The Backup's own address by default: a loopback alias of its own (Linux answers on
#: all of 127.0.0.0/8), so that after pairing it can answer at it and the Primary's
#: address stays the Primary's.
DEFAULT_BACKUP_IP = "127.0.0.2"
#: Where the default units have HA monitoring with management allowed.
MANAGEMENT_INTERFACE = "X0"
#: The Primary's own HA monitoring address in the examples' stacks (another loopback
#: alias): where it answers management once HA is on, whichever unit is Active, while
#: DEFAULT_HOST (its interface address before pairing) becomes the pair's.
PRIMARY_MONITORING_IP = "127.0.0.3"
DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "sim-Passw0rd!"
DEFAULT_PORTAL_USERNAME = "netops@example.com"
DEFAULT_PORTAL_PASSWORD = "sim-Portal-Passw0rd!"
DEFAULT_PRIMARY_PORT = 9441
DEFAULT_BACKUP_PORT = 9442
DEFAULT_PORTAL_PORT = 9443
DEFAULT_SYNC_SECONDS = 3.0
#: How long a forced failover takes (the unit giving Active up resynchronizes), and how
#: long a Primary with preempt is STANDBY before it takes Active back (ours: no source).
DEFAULT_FAILOVER_SECONDS = 2.0
#: How long a restarting unit answers nothing (a real unit takes minutes; QA waits 300 s).
DEFAULT_REBOOT_SECONDS = 10.0

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


def primary_serial_display(serial: str) -> str:
    """How a Primary's `/version` spells its serial: `2CB8-ED0A-1B2C`."""
    return "-".join(serial[i : i + 4] for i in range(0, len(serial), 4))


def backup_serial_display(serial: str) -> str:
    """How a Backup's `/version` spells it: `2cb8ed0a9f00` (exercises normalization)."""
    return serial.lower()


def _unit_serial(value: str, role: str) -> str:
    serial = normalize_serial(value)
    if serial is None:
        raise ValueError(f"{role}_serial {value!r} is not a serial number (12 hex digits)")
    if serial in SEEDED_SERIALS:
        raise ValueError(
            f"{role}_serial {serial} is reserved: the simulated portal registers it for its "
            "model-mismatch and already-associated cases"
        )
    return serial


class Simulator:
    """The Primary, the Backup and the portal, started and stopped together.

    `primary_serial` / `backup_serial` (any spelling `normalize_serial` accepts)
    give the units other serials than the documented ones; the portal registers
    them in their place. `portal=` borrows another simulator's PortalSim instead
    of creating one: this simulator's two units are registered there (each as its
    unit's model, the Primary with PRIMARY_LICENSES), and `start()`/`stop()` leave
    it alone, so the owner
    starts it first and stops it last. `portal_username`/`portal_password` must
    then be the borrowed portal's; `token_ttl_s` and `latency_s` do not apply to it.
    `latency_s` is added to every request; `connect_round_trips` times it more to
    every new connection (2 models TCP + TLS on a WAN link; 0 by default).
    `primary_model`/`backup_model` and `firmware`/`backup_firmware` set each unit's
    model and SonicOS personality (the portal registers each unit as its model); a pair
    of two models or two firmware releases never synchronizes (Backup state ERROR).

    Addresses: the Primary answers at `host` (127.0.0.1), the Backup at `backup_ip`
    (default 127.0.0.2, a loopback alias of its own), each certificate naming the
    addresses its unit is reached at. Once the pair synchronizes the Backup answers
    only at its monitoring address of an interface with management allowed.
    `monitoring=True` starts the units as the documented procedure leaves them (X0
    monitoring names both units' own addresses, management allowed); False starts
    with none, so a paired Backup answers nowhere until HaMonitoring names it.
    """

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        primary_port: int = 0,
        backup_port: int = 0,
        portal_port: int = 0,
        sync_seconds: float = DEFAULT_SYNC_SECONDS,
        latency_s: float = 0.0,
        connect_round_trips: int = 0,
        backup_model: str | None = None,
        primary_model: str | None = None,
        cert_hostnames: list[str] | None = None,
        username: str = DEFAULT_USERNAME,
        password: str = DEFAULT_PASSWORD,
        portal_username: str = DEFAULT_PORTAL_USERNAME,
        portal_password: str = DEFAULT_PORTAL_PASSWORD,
        token_ttl_s: float = 3600.0,
        state_dir: str | None = None,
        primary_serial: str = PRIMARY_SERIAL,
        backup_serial: str = BACKUP_SERIAL,
        portal: PortalSim | None = None,
        firmware: str = DEFAULT_FIRMWARE,
        backup_firmware: str | None = None,
        auth: str = "digest",
        backup_ip: str | None = None,
        monitoring: bool = True,
        failover_seconds: float = DEFAULT_FAILOVER_SECONDS,
        reboot_seconds: float = DEFAULT_REBOOT_SECONDS,
    ) -> None:
        primary_serial = _unit_serial(primary_serial, "primary")
        backup_serial = _unit_serial(backup_serial, "backup")
        if primary_serial == backup_serial:
            raise ValueError(f"the Primary and the Backup have the same serial {primary_serial}")
        if portal is not None:
            if not portal.accepts(portal_username, portal_password):
                raise ValueError(
                    "portal_username/portal_password are not the borrowed portal's credentials"
                )
            for serial in (primary_serial, backup_serial):
                if portal.is_registered(serial):
                    raise ValueError(f"serial {serial} is already registered on that portal")
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
        self._custom_certs = cert_hostnames is not None
        #: The addresses the units are given (each answers there before pairing).
        self.primary_ip = DEFAULT_HOST if host in _WILDCARDS else host
        self.backup_ip = backup_ip or (
            DEFAULT_BACKUP_IP if self.primary_ip == DEFAULT_HOST else self.primary_ip
        )

        self._cabling = Cabling(CABLED_PORTS, SWITCH_PORTS)
        #: The pair's Active unit, reboots and failovers (shared, like the cabling).
        self.roles = PairRoles(failover_seconds=failover_seconds, reboot_seconds=reboot_seconds)
        unit = {
            "roles": self.roles,
            "model": primary_model or MODEL,
            "firmware": firmware,
            "auth": auth,
            "username": username,
            "password": password,
            "cabling": self._cabling,
            "sync_seconds": sync_seconds,
            "latency_s": latency_s,
            "connect_round_trips": connect_round_trips,
        }
        self.primary = ApplianceSim(
            "primary",
            serial=primary_serial,
            serial_display=primary_serial_display(primary_serial),
            interfaces=default_interfaces(0),
            **unit,
        )
        self.backup = ApplianceSim(
            "backup",
            serial=backup_serial,
            serial_display=backup_serial_display(backup_serial),
            interfaces=default_interfaces(1),
            **{**unit, "model": backup_model or MODEL, "firmware": backup_firmware or firmware},
        )
        self.primary.peer, self.backup.peer = self.backup, self.primary
        if monitoring and self.backup_ip != self.primary_ip:
            # The units as the documented procedure leaves them: HA monitoring on the
            # management interface names each unit's own address, management allowed,
            # so the Backup answers at the same address before and after pairing.
            self.primary.set_monitoring(
                MANAGEMENT_INTERFACE,
                primary=self.primary_ip,
                secondary=self.backup_ip,
                allow_management=True,
                link_monitoring=True,
            )
        #: False when `portal=` lent us another simulator's portal (never started/stopped here).
        self.owns_portal = portal is None
        self.portal = (
            portal
            if portal is not None
            else self._own_portal(token_ttl_s, latency_s, connect_round_trips)
        )
        if portal is not None:
            for role, sim_unit in (("primary", self.primary), ("backup", self.backup)):
                name = f"fw-{sim_unit.serial[-4:].lower()}-{role}"
                portal.register_product(sim_unit.serial, name, sim_unit.model)
            for item in PRIMARY_LICENSES:
                portal.add_license(primary_serial, **item)

    def _own_portal(
        self, token_ttl_s: float, latency_s: float, connect_round_trips: int
    ) -> PortalSim:
        """A portal with both units, the Primary's licenses and the error-case products."""
        primary_serial, backup_serial = self.primary.serial, self.backup.serial
        return PortalSim(
            username=self.portal_username,
            password=self.portal_password,
            products=[
                # Each unit registered as its model (a model mismatch is MODEL_MISMATCH).
                {"serial": primary_serial, "name": PRIMARY_PRODUCT_NAME,
                 "model": self.primary.model},  # fmt: skip
                {"serial": backup_serial, "name": BACKUP_PRODUCT_NAME, "model": self.backup.model},
                {"serial": OTHER_MODEL_SERIAL, "name": "lab-3700", "model": OTHER_MODEL},
                {"serial": ASSOCIATED_SERIAL, "name": "spare-2700", "model": MODEL},
                {"serial": ASSOCIATED_PEER_SERIAL, "name": "spare-2700-b", "model": MODEL},
            ],
            licenses={
                primary_serial: PRIMARY_LICENSES,
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
            connect_round_trips=connect_round_trips,
        )

    @property
    def servers(self) -> tuple[ApplianceSim, ApplianceSim, PortalSim]:
        """The units and the portal they use (a borrowed one included)."""
        return (self.primary, self.backup, self.portal)

    def _own_servers(self) -> list[tuple[ApplianceSim | PortalSim, int]]:
        """What `start()` starts and `stop()` stops, with the port asked for each."""
        owned = list(zip(self.servers, self._ports, strict=True))
        return owned if self.owns_portal else owned[:2]

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
        wildcard = self.host in _WILDCARDS
        public = {self.backup: self.backup_ip}
        try:
            for server, port in self._own_servers():
                address = public.get(server, self.primary_ip)  # type: ignore[call-overload]
                context = tls.server_context
                if isinstance(server, ApplianceSim) and not self._custom_certs:
                    # Each unit's certificate names the addresses it is reached at.
                    server.context_for = tls.context_for
                    context = tls.context_for(address)
                bind = self.host if wildcard or server is not self.backup else address
                server.start(bind, port, context, public_host=address)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop our servers (not a borrowed portal) and remove the temporary state
        directory, if we made one."""
        # In parallel: each server needs up to one poll interval to notice.
        stoppers = [threading.Thread(target=server.stop) for server, _ in self._own_servers()]
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

    def replace_backup(self, serial: str) -> ApplianceSim:
        """The Backup swapped for a new unit (RMA) at the same address and on the same
        cables: another serial, factory settings, registered to the portal account."""
        self.backup.replace_unit(serial, default_interfaces(1))
        if not self.portal.is_registered(serial):
            self.portal.register_product(serial, BACKUP_PRODUCT_NAME, self.backup.model)
        return self.backup

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
        With a borrowed portal, SONICHA_CA_BUNDLE (our CA) does not sign the
        portal's certificate: point it at a bundle of both CAs.
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
                    # What a program names (docs/guides/addresses.md): the pair's address
                    # for the first contact (ha:pairHost), and the Primary's own monitoring
                    # address, which stays its own after pairing (ha:primaryHost).
                    "SONICHA_SIM_PAIR_HOST": self.primary.host,
                    "SONICHA_SIM_PRIMARY_OWN_HOST": self.primary.address(PRIMARY_MONITORING_IP),
                    "SONICHA_SIM_BACKUP_HOST": self.backup.host,
                    "SONICHA_SIM_PRIMARY_SERIAL": self.primary.serial,
                    "SONICHA_SIM_BACKUP_SERIAL": self.backup.serial,
                }
            )
        return env
