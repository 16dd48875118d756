"""One simulated SonicOS unit: its state, its REST API subset, and the HA pairing model.

What the API does is in /work/shared/spec/appliance-api.md, written from the
vendor's OpenAPI for 7.0.1 (O70) and 7.2 (O72), its scripts (VEN) and a
recorded login (LIVE). The simulator follows them even where that is harder
for a client; what it decides where they are silent is marked "(ours)":

* Access. With the SonicOS API turned off every call answers 403 `E_DISABLED`
  "Service disabled." (VEN). Authentication is Digest on every request when
  session security is on (the 7.x default: `auth="digest"`; an unauthenticated
  request gets 401, an empty body and a `WWW-Authenticate: Digest` challenge, as
  VEN detects it), or Basic on the login only (`auth="basic"`). The session then
  rides on a cookie named after the unit's serial (ours: two units on one host
  never overwrite each other's cookie); the login answer holds no token.
* Sessions and config mode. One API session at a time: another API login is
  refused with 503 (too many sessions) unless it says `override: true`, which
  ends the other API session (ours: the limit of one). A login is 200 even
  while someone else configures; its `status.info[0]` says `config_mode`
  Yes/No and who holds it (`curr_config_type`, `curr_config_ip`), as LIVE shows.
  A login without override comes in non-config mode (LIVE: "User login in
  non-configuration mode." with nobody configuring); `login_config_mode=True`
  gives config mode at login when it is free, as some units may. `POST
  /config-mode` takes config mode, preempting whoever holds it; `POST
  /non-config-mode` gives it back. Every write (PUT, commit, discard, actions)
  without config mode is refused with 403 (ours: no public source names the
  code). A session that loses config mode loses its pending changes.
* Whole-object writes. A PUT replaces the object it names (GUIDE): fields left
  out fall back to their defaults, fields the firmware does not know are 400
  `E_INVALID_API_CALL`, and what a GET answered is accepted back as is.
* A synchronized Backup takes no HA configuration (SonicOS manages the pair on
  its Primary; what a Standby accepted the next sync would overwrite): a PUT of
  HA settings or monitoring there answers 403 `E_HA_STANDBY` naming the Primary.
  Ours: no public source shows a Standby's API answer, so status and code are
  ours; interface writes there are still taken (the simulator syncs no
  interfaces: a leniency).
* Staging. PUTs change the session's pending copy; GETs in that session see it.
  An HA link interface must be in zone Unassigned: checked on PUT (both ways)
  and on commit against the pending view. A commit answers
  `status.cli.restart_required` (`restart_required`, "NONE" by default; ours:
  no source says which changes need a restart, so tests set it).
* HA monitoring (`/high-availability/monitoring/ipv4[/interface/{NAME}]`, O70/O72):
  one entry per physical interface, the collection shape on both paths, PUT
  replaces the entries it names, staged and committed like the rest; 7.2 adds
  `override_virtual_mac`. Ours: the defaults (nothing monitored), unset
  addresses read "" on 7.2 and "0.0.0.0" on 7.0.1 (the vendor allows both), and
  the checks (IPv4 addresses, the two units' addresses different, management
  needing both, a probe needing an address; the subnet is not checked). The
  Primary's entries reach the Backup when the pair is steady, and any later
  change at once.
* HA status (`GET /reporting/high-availability`, fields from VEN/GUIDE):
  computed on each request from the committed settings, the cabling and the
  clock: ELECTION, then SYNC, then ACTIVE/STANDBY over `sync_seconds`. With no
  HA peer on the control link, or a peer of another serial, the Backup state
  stays NONE (no heartbeats); a peer of another model reports ERROR.
"""

from __future__ import annotations

import base64
import copy
import hmac
import ipaddress
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import unquote

from .digest import DigestChecker
from .firmware import DEFAULT_FIRMWARE, FIRMWARES, Firmware
from .server import (
    ApiError,
    FaultRule,
    Request,
    Response,
    SimServer,
    new_token,
    normalize_serial,
)

LINK_UP = "1 Gbps Full Duplex"
LINK_DOWN = "No link"
UNASSIGNED = "Unassigned"
HA_MODES = ("active_standby", "active_active_dpi")
API = "/api/sonicos"

#: The `high_availability` object of a never-configured unit on the default firmware.
DEFAULT_HA: dict[str, Any] = FIRMWARES[DEFAULT_FIRMWARE].default_ha()

_RANGES = {
    "heartbeat_interval": (1000, 300000),
    "failover_trigger_level": (4, 99),
    "election_delay_time": (3, 255),
}
_PROBE_RANGES = {"interval": (5, 255), "count": (3, 10)}
_MODE_FLAGS = ("stateful_synchronization", "preempt", "virtual_mac", "encryption")
_L3_FIELDS = ("enable", "primary_ip", "secondary_ip", "primary_gateway", "secondary_gateway")
#: Every `ipv4` interface field named by O70, O72 or LIVE; a unit refuses any other.
IPV4_FIELDS = frozenset(
    {
        "name", "vlan", "tunnel", "ip_assignment", "comment", "mtu", "mac", "link_speed",
        "flow_control", "management", "user_login", "https_redirect",
        "send_icmp_fragmentation", "fragment_packets", "ignore_df_bit", "auto_discovery",
        "flow_reporting", "multicast", "cos_8021p", "exclude_route", "asymmetric_route",
        "management_traffic_only", "dns_proxy", "shutdown_port", "secondary", "sonicpoint",
        "bandwidth_management", "port", "routed_mode", "routed_interface_href",
        "native_bridge", "native_bridge_interface_href", "firewalling", "one_arm_mode",
        "one_arm_peer",
    }
)  # fmt: skip
_BOOT_OFFSET_S = 3 * 86400 + 2 * 3600  # the units "booted" 3 days 2 hours ago
INACTIVITY_TIMER_MIN = 5  # LIVE

_UNSET_ADDRESSES = ("", "0.0.0.0")
_BAD_CALL = (400, "E_INVALID_API_CALL")
_BAD_VALUE = (400, "E_INVALID_VALUE")
NOT_CONFIG_MODE = (403, "E_NOT_CONFIG_MODE")  # ours: the code is not documented
# Ours: no public source shows what a Standby answers to an API write (the UI does
# not let you configure it); status and code are our choice.
PAIRED_BACKUP = (403, "E_HA_STANDBY")
TOO_MANY_SESSIONS = (503, "E_MAX_SESSIONS")  # GUIDE: 503; ours: the code


def _bad_call(message: str) -> ApiError:
    return ApiError(*_BAD_CALL, message)


def _bad_value(message: str) -> ApiError:
    return ApiError(*_BAD_VALUE, message)


def _duration(seconds: float) -> str:
    """`D Days, HH:MM:SS`, the format of `active_up_time`."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} Days, {hours:02d}:{minutes:02d}:{secs:02d}"


def _zone_of(ipv4: dict[str, Any]) -> str:
    return (ipv4.get("ip_assignment") or {}).get("zone") or UNASSIGNED


def interface_defaults(name: str) -> dict[str, Any]:
    """What a physical interface shows when nothing was set on it (fields as LIVE shows
    them, those both O70 and O72 name)."""
    return {
        "name": name,
        "ip_assignment": {},
        "comment": "",
        "management": {"https": False, "ping": False, "snmp": False, "ssh": False},
        "user_login": {"http": False, "https": False},
        "https_redirect": False,
        "link_speed": {"auto_negotiate": True},
        "mac": {"default": True},
        "shutdown_port": False,
        "flow_reporting": True,
        "multicast": False,
        "exclude_route": False,
        "asymmetric_route": False,
        "management_traffic_only": False,
        "mtu": 1500,
    }


class Cabling:
    """The cables between the two units: port Xn on one unit to Xn on the other.

    Kept apart from either unit because a cable has two ends. `since` records
    when each cable was (re)plugged: recabling the HA control link restarts
    the pair's ELECTION -> SYNC -> ACTIVE/STANDBY progression. Ports in
    `switch_ports` are connected to a switch (link up, but no HA peer there).
    """

    def __init__(self, ports: Iterable[str], switch_ports: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        now = time.monotonic()
        self._since: dict[str, float] = {port: now for port in ports}
        self._switch: set[str] = set(switch_ports)

    def cable(self, port: str) -> None:
        with self._lock:
            self._since.setdefault(port, time.monotonic())

    def uncable(self, port: str) -> None:
        with self._lock:
            self._since.pop(port, None)
            self._switch.discard(port)

    def cabled_since(self, port: str) -> float | None:
        """When the unit-to-unit cable on `port` was plugged; None when there is none."""
        with self._lock:
            return self._since.get(port)

    def cabled_ports(self) -> list[str]:
        with self._lock:
            return sorted(self._since)

    def link_up(self, port: str) -> bool:
        with self._lock:
            return port in self._since or port in self._switch


@dataclass
class _Session:
    token: str
    admin: str
    via_api: bool  # False for a person's session (`hold_session()`)
    kind: str = "API"  # curr_config_type when it configures (ours: no source lists them)
    ip: str = "127.0.0.1"
    config_mode: bool = False
    pending_ha: dict[str, Any] | None = None
    pending_interfaces: dict[tuple[str, int | None], dict[str, Any]] = field(default_factory=dict)
    pending_monitoring: dict[str, dict[str, Any]] = field(default_factory=dict)

    def drop_pending(self) -> None:
        self.pending_ha = None
        self.pending_interfaces = {}
        self.pending_monitoring = {}

    def has_pending(self) -> bool:
        return (
            self.pending_ha is not None
            or bool(self.pending_interfaces)
            or bool(self.pending_monitoring)
        )


_Key = tuple[str, int | None]  # (name, vlan) of an interface


class ApplianceSim(SimServer):
    """A SonicOS unit answering the API subset over HTTPS, with test controls."""

    NOT_FOUND = (404, "E_NOT_FOUND")
    BAD_METHOD = _BAD_CALL
    BAD_REQUEST = _BAD_CALL
    INTERNAL = (500, "E_INTERNAL")
    AUTH_PATH = "/api/sonicos/auth"

    def __init__(
        self,
        name: str,
        *,
        serial: str,
        model: str,
        firmware: str | Firmware = DEFAULT_FIRMWARE,
        username: str,
        password: str,
        interfaces: list[dict[str, Any]],
        cabling: Cabling,
        serial_display: str | None = None,
        sync_seconds: float = 3.0,
        latency_s: float = 0.0,
        connect_round_trips: int = 0,
        auth: str = "digest",
        api_enabled: bool = True,
        login_config_mode: bool = False,
    ) -> None:
        super().__init__(name, latency_s=latency_s, connect_round_trips=connect_round_trips)
        normalized = normalize_serial(serial)
        if normalized is None:
            raise ValueError(f"not a serial number: {serial!r}")
        if auth not in ("digest", "basic"):
            raise ValueError(f"auth must be 'digest' or 'basic', got {auth!r}")
        self.fw = firmware if isinstance(firmware, Firmware) else _firmware_by_key(firmware)
        self.serial = normalized
        self.serial_display = serial_display or normalized
        self.model = model
        self.sync_seconds = sync_seconds
        #: "digest": RFC 7616 Digest on every request (7.x session security, the
        #: default); "basic": RFC 2617 Basic on the login, then the session cookie.
        self.auth = auth
        #: False: every call answers 403 E_DISABLED (the SonicOS API is turned off).
        self.api_enabled = api_enabled
        #: True: a login without override gets config mode when nobody holds it.
        self.login_config_mode = login_config_mode
        #: What the next commits report in `status.cli.restart_required`.
        self.restart_required = "NONE"
        #: The other unit of the pair (set by the Simulator once both exist).
        self.peer: ApplianceSim | None = None
        #: Successful API logins so far.
        self.sessions_opened = 0
        #: Most API sessions wanted at once: a login (accepted or refused) while another
        #: API session is still open counts 2. A client that serializes its sessions per
        #: unit keeps this at 1; sessions given by `hold_session()` do not count.
        self.max_concurrent_sessions = 0
        self._username = username
        self._password = password
        self._cabling = cabling
        self._digest = DigestChecker()
        self._interfaces: dict[_Key, dict[str, Any]] = {}
        for given in interfaces:
            ipv4 = {**interface_defaults(given["name"]), **copy.deepcopy(given)}
            self._interfaces[(ipv4["name"], ipv4.get("vlan"))] = ipv4
        self._ha: dict[str, Any] = self.fw.default_ha()
        #: HA monitoring, one `ipv4` entry per physical interface (O70/O72). Set on the
        #: Primary; the Backup gets the Primary's entries when the pair synchronizes.
        self._monitoring: dict[str, dict[str, Any]] = {
            name: self.fw.default_monitoring(name)
            for name, vlan in self._interfaces
            if vlan is None
        }
        self._ha_since = time.monotonic()
        self._synced_epoch: float | None = None
        self._sessions: list[_Session] = []
        self._booted = time.monotonic()
        self._cookie = f"sonicos_session_{self.serial}"

        r = self._router
        r.add(f"{API}/auth", post=self._login, delete=self._logout)
        r.add(f"{API}/config-mode", post=self._config_mode)
        r.add(f"{API}/non-config-mode", post=self._non_config_mode)
        r.add(f"{API}/version", get=self._get_version)
        r.add(
            f"{API}/config/pending", get=self._get_pending, post=self._commit, delete=self._discard
        )
        r.add(f"{API}/high-availability/base", get=self._get_ha, put=self._put_ha)
        r.add(f"{API}/high-availability/synchronize/settings", post=self._sync_settings)
        r.add(f"{API}/reporting/high-availability", get=self._get_ha_status)
        r.add(
            f"{API}/high-availability/monitoring/ipv4",
            get=self._list_monitoring,
            put=self._put_monitoring_list,
        )
        r.add(
            f"{API}/high-availability/monitoring/ipv4/interface/(?P<name>[^/]+)",
            get=self._get_monitoring,
            put=self._put_monitoring,
        )
        r.add(f"{API}/reporting/interfaces/ipv4/status", get=self._get_link_status)
        r.add(f"{API}/interfaces/ipv4", get=self._list_interfaces, put=self._put_interfaces)
        r.add(
            f"{API}/interfaces/ipv4/name/(?P<name>[^/]+)",
            get=self._get_interface,
            put=self._put_interface,
        )

    @property
    def firmware(self) -> str:
        """`firmware_version` as GET /version answers it."""
        return self.fw.version

    # -- test and CLI controls ---------------------------------------------------------------

    def ha_settings(self) -> dict[str, Any]:
        """The committed `high_availability` object (a copy)."""
        self._settle()
        with self._lock:
            return copy.deepcopy(self._ha)

    def set_ha_settings(self, settings: dict[str, Any], *, validate: bool = True) -> None:
        """Change the committed HA settings as an administrator would in the UI.

        Accepts the inner object or `{"high_availability": {...}}`. With
        `validate` the API's rules apply (ValueError on a violation) and fields
        left out keep their values (the UI edits what you touch); without, the
        object is stored as is.
        """
        if set(settings) == {"high_availability"}:
            settings = settings["high_availability"]
        with self._lock:
            if validate:
                try:
                    new = self._parse_ha({**copy.deepcopy(self._ha), **copy.deepcopy(settings)})
                    self._check_ha_links(new, self._interfaces)
                except ApiError as exc:
                    raise ValueError(exc.message) from None
            else:
                new = copy.deepcopy(settings)
            self._commit_ha(new)

    def monitoring(self, name: str) -> dict[str, Any]:
        """The committed HA monitoring entry of one interface (a copy)."""
        self._settle()
        with self._lock:
            return copy.deepcopy(self._monitoring[self._known(name)])

    def set_monitoring(self, name: str, **fields: Any) -> dict[str, Any]:
        """Change one interface's committed monitoring as an administrator would in the UI
        (High Availability > Monitoring): fields left out keep their values, the API's
        rules apply (ValueError on a violation). Returns the entry as committed."""
        with self._lock:
            known = self._known(name)
            try:
                new = self._parse_monitoring({**self._monitoring[known], **fields, "name": known})
            except ApiError as exc:
                raise ValueError(exc.message) from None
            self._monitoring[known] = new
        self._settle()
        self._addresses_changed()
        return self.monitoring(known)

    # -- addresses: where the unit answers management --------------------------------------

    @property
    def own_address(self) -> str:
        """The address the unit was given (before pairing it answers there)."""
        return self._public_host

    def address(self, ip: str) -> str:
        """`ip:port` as a host input would name this unit at another of its addresses."""
        return f"{ip}:{self.port}"

    def answering_ips(self) -> list[str]:
        """Where the unit answers management now. A Backup holding the HA settings it
        synchronized from its Primary answers only at its own monitoring addresses
        (`secondary`) of interfaces with management allowed: its own interface
        addresses are gone, the pair's answer on the Active unit. Any other unit answers
        at its own address, and a Primary with HA on at its `primary` monitoring
        addresses with management allowed too."""
        self._settle()
        with self._lock:
            fields = next(iter((self._ha.get("mode") or {}).values()), {})
            entries = [e for e in self._monitoring.values() if e.get("allow_management")]
        if fields.get("secondary_serial") == self.serial:
            return sorted({e["secondary"] for e in entries} - set(_UNSET_ADDRESSES))
        ips = {self.own_address}
        if fields:
            ips |= {e["primary"] for e in entries} - set(_UNSET_ADDRESSES)
        return sorted(ips)

    def answers(self, address: str) -> bool:
        return address in self.answering_ips()

    def _addresses_changed(self) -> None:
        """Listen at every monitoring address of either unit (same port), so that a unit
        can answer there once the rules above say so; `answers` gates each request."""
        for unit in (self, self.peer):
            if unit is None or unit._httpd is None:
                continue
            ips = unit._monitoring_ips()
            if unit.peer is not None:
                ips |= unit.peer._monitoring_ips()
            for ip in sorted(ips - set(_UNSET_ADDRESSES)):
                unit.listen_also(ip)

    def _monitoring_ips(self) -> set[str]:
        with self._lock:
            return {e[k] for e in self._monitoring.values() for k in ("primary", "secondary")}

    def start(self, host: str, port: int, context: Any, public_host: str | None = None) -> None:
        super().start(host, port, context, public_host)
        self._addresses_changed()

    def pending(self) -> dict[str, Any]:
        """Staged, uncommitted changes of the API session (what `GET config/pending` shows)."""
        with self._lock:
            session = self._api_session()
            return self._pending_doc(session) if session else {}

    def interface(self, name: str, vlan: int | None = None) -> dict[str, Any]:
        """The committed `ipv4` object of one interface (a copy)."""
        with self._lock:
            return copy.deepcopy(self._interfaces[(self._known(name), vlan)])

    def zone(self, name: str) -> str:
        with self._lock:
            return _zone_of(self._interfaces[(self._known(name), None)])

    def set_zone(self, name: str, zone: str) -> None:
        """Set a committed zone by hand; "Unassigned" removes the zone (no validation)."""
        with self._lock:
            ipv4 = self._interfaces[(self._known(name), None)]
            if zone == UNASSIGNED:
                ipv4["ip_assignment"] = {}
            else:
                ipv4["ip_assignment"] = {**(ipv4.get("ip_assignment") or {}), "zone": zone}

    def add_vlan(self, name: str, vlan: int, zone: str) -> None:
        """Add a VLAN sub-interface (it repeats the parent's name and adds `vlan`)."""
        with self._lock:
            parent = self._known(name)
            ipv4 = {**interface_defaults(parent), "vlan": vlan, "ip_assignment": {"zone": zone}}
            self._interfaces[(parent, vlan)] = ipv4

    def link_status(self, name: str) -> str:
        return LINK_UP if self._cabling.link_up(self._known(name)) else LINK_DOWN

    def remove_interface(self, name: str) -> None:
        """The port is gone (e.g. an expansion module taken out): no longer listed."""
        with self._lock:
            known = self._known(name)
            self._interfaces = {k: v for k, v in self._interfaces.items() if k[0] != known}

    def ha_status(self) -> dict[str, Any]:
        """What `GET /api/sonicos/reporting/high-availability` answers now."""
        self._settle()
        return self._status()

    def hold_session(
        self, admin: str = "other-admin", kind: str = "WEB", ip: str = "192.0.2.10"
    ) -> None:
        """An administrator logs in on the unit (`kind`: WEB, CLI...) and takes config mode,
        preempting whoever had it (an API session keeps its session, in non-config mode)."""
        with self._lock:
            self._release_config_mode()
            self._sessions.append(_Session(new_token(), admin, False, kind, ip, config_mode=True))

    def release_session(self) -> None:
        """The other administrators log out (an API session is left alone)."""
        with self._lock:
            self._sessions = [s for s in self._sessions if s.via_api]

    def replace_unit(self, serial: str, interfaces: list[dict[str, Any]]) -> None:
        """RMA: another unit of the same model takes this one's place, at the same address
        and on the same cables, with its own serial and factory settings (`interfaces`,
        HA off, no monitoring); the old unit's sessions and staged changes are gone."""
        normalized = normalize_serial(serial)
        if normalized is None:
            raise ValueError(f"not a serial number: {serial!r}")
        with self._lock:
            self.serial = self.serial_display = normalized
            self._interfaces = {}
            for given in interfaces:
                ipv4 = {**interface_defaults(given["name"]), **copy.deepcopy(given)}
                self._interfaces[(ipv4["name"], ipv4.get("vlan"))] = ipv4
            self._ha = self.fw.default_ha()
            self._monitoring = {
                name: self.fw.default_monitoring(name)
                for name, vlan in self._interfaces
                if vlan is None
            }
            self._ha_since = self._booted = time.monotonic()
            self._synced_epoch = None
            self._sessions = []
            self._digest = DigestChecker()
            self._cookie = f"sonicos_session_{self.serial}"
        self._addresses_changed()

    def expire_sessions(self) -> None:
        """Every session ends now, its pending changes discarded (e.g. idle timeout)."""
        with self._lock:
            self._sessions = []

    def abandon_api_session(self, admin: str | None = None, config_mode: bool = True) -> None:
        """An API client logged in and went away without logging out (a killed run):
        its session stays until the inactivity timer, holding config mode."""
        with self._lock:
            if config_mode:
                self._release_config_mode()
            self._sessions = [s for s in self._sessions if not s.via_api]
            session = _Session(new_token(), admin or self._username, True, config_mode=config_mode)
            self._sessions.append(session)

    def snapshot(self) -> dict[str, Any]:
        """What `ctl show` prints for this unit: identity, each port's zone and link, the
        committed HA settings and status, and who holds the session."""
        self._settle()
        status = self._status()
        with self._lock:
            held = [
                {
                    "admin": session.admin,
                    "via_api": session.via_api,
                    "config_mode": session.config_mode,
                    "from": f"{session.kind} {session.ip}",
                    "pending": session.has_pending(),
                }
                for session in self._sessions
            ]
            ports = [
                (name, _zone_of(ipv4))
                for (name, vlan), ipv4 in self._interfaces.items()
                if vlan is None  # the physical port; VLAN sub-interfaces share its name
            ]
            ha = copy.deepcopy(self._ha)
            monitoring = [
                copy.deepcopy(entry)
                for entry in self._monitoring.values()
                if entry != self.fw.default_monitoring(entry["name"])
            ]
        return {
            "unit": self.name,
            "host": self.host,
            "serial": self.serial,
            "model": self.model,
            "firmware": self.firmware,
            "interfaces": [
                {"name": name, "zone": zone, "link": self.link_status(name)} for name, zone in ports
            ],
            "ha_settings": ha,
            "ha_status": status,
            "monitoring": monitoring,
            "answers_at": [self.address(ip) for ip in self.answering_ips()],
            "sessions": held,
            "latency_ms": self.latency_s * 1000.0,
        }

    def control(self, action: str, body: dict[str, Any]) -> Any:
        """The `POST /_simulator/{action}` surface the CLI's `ctl` subcommand calls."""
        if action == "show":
            return self.snapshot()
        if action in ("cable", "uncable"):
            port = self._known(body["interface"])
            (self._cabling.cable if action == "cable" else self._cabling.uncable)(port)
            return {"interface": port, "link_status": self.link_status(port)}
        if action == "set-zone":
            self.set_zone(body["interface"], body["zone"])
            return {"interface": body["interface"], "zone": self.zone(body["interface"])}
        if action == "set-ha":
            self.set_ha_settings(body)
            return self.ha_settings()
        if action == "set-monitoring":
            fields = {k: v for k, v in body.items() if k != "interface" and v is not None}
            for flag in ("allow_management", "link_monitoring"):
                if isinstance(fields.get(flag), str):
                    fields[flag] = fields[flag].strip().lower() in ("true", "yes", "on", "1")
            return self.set_monitoring(body["interface"], **fields)
        if action == "hold-session":
            self.hold_session(body.get("admin", "other-admin"))
        elif action == "release-session":
            self.release_session()
        elif action == "expire-sessions":
            self.expire_sessions()
        elif action == "restart-required":
            self.restart_required = str(body.get("value", "NONE"))
        elif action == "api":
            self.api_enabled = bool(body.get("enabled", True))
        elif action == "fail":
            self.fail(
                body.get("method", "*"),
                body.get("path", ".*"),
                status=int(body.get("status", 500)),
                code=body.get("code"),
                message=body.get("message", "Internal error"),
                times=body.get("times", 1),
                drop_staged=bool(body.get("drop_staged", False)),
            )
        elif action == "latency":
            self.latency_s = float(body.get("ms", 0)) / 1000.0
        elif action == "clear-faults":
            self.clear_faults()
        else:
            raise ValueError(f"unknown action {action!r}")
        return None

    # -- envelope, access and sessions -------------------------------------------------------

    def _envelope(
        self,
        request: Request | None,
        success: bool,
        level: str,
        code: str,
        message: str,
        **info: Any,
    ) -> dict[str, Any]:
        path = request.path if request else ""
        command = " ".join(p for p in path.removeprefix(API).split("/") if p)
        session = self._session_of(request) if request is not None else None
        configuring = bool(session and session.config_mode)
        return {
            "status": {
                "success": success,
                "cli": {
                    "depth": 1,
                    "mode": "config_mode" if configuring else "non_config_mode",
                    "command": command,
                    "configuring": configuring,
                    "pending_config": bool(session and self._pending_doc(session)),
                    "restart_required": "NONE",
                },
                "info": [{"level": level, "code": code, **info, "message": message}],
            }
        }

    def error_body(self, code: str, message: str, request: Request | None) -> Any:
        return self._envelope(request, False, "error", code, message)

    def _ok(self, request: Request, message: str = "Success.", **info: Any) -> Response:
        return Response(200, self._envelope(request, True, "info", "E_OK", message, **info))

    def route(self, request: Request) -> Response:
        if not self.api_enabled:
            raise ApiError(403, "E_DISABLED", "Service disabled.")
        if self.auth == "digest":
            header = request.headers.get("Authorization", "")
            uri = request.path
            valid, stale = self._digest.verify(
                header, request.method, uri, self._username, self._password
            )
            if not valid:
                challenge = self._digest.challenge(stale=stale)
                return Response(401, None, {"WWW-Authenticate": challenge})
        self._settle()
        return super().route(request)

    def _api_session(self) -> _Session | None:
        return next((s for s in self._sessions if s.via_api), None)

    def _holder(self) -> _Session | None:
        return next((s for s in self._sessions if s.config_mode), None)

    def _release_config_mode(self) -> None:
        holder = self._holder()
        if holder is not None:
            holder.config_mode = False
            holder.drop_pending()

    def _session_of(self, request: Request) -> _Session | None:
        try:
            morsel = SimpleCookie(request.headers.get("Cookie", "")).get(self._cookie)
        except CookieError:
            morsel = None
        token = morsel.value if morsel else None
        if not token:
            return None
        with self._lock:
            for session in self._sessions:
                if session.via_api and hmac.compare_digest(session.token, token):
                    return session
        return None

    def _require_session(self, request: Request) -> _Session:
        session = self._session_of(request)
        if session is None:
            raise ApiError(401, "E_UNAUTHORIZED", "Not authenticated.")
        return session

    def _require_config_mode(self, request: Request) -> _Session:
        session = self._require_session(request)
        if not session.config_mode:
            raise ApiError(
                *NOT_CONFIG_MODE,
                "Not in configuration mode: take it with POST /config-mode first.",
            )
        return session

    def _refuse_on_paired_backup(self) -> None:
        """HA settings and monitoring written on a synchronized Backup: refused (the
        Primary's sync overwrites them). Interface writes there are still taken (a
        leniency: the simulator does not sync interfaces)."""
        primary = self._paired_primary()
        if primary is not None:
            raise ApiError(
                *PAIRED_BACKUP,
                f"This unit is the HA Secondary (Standby) of the Primary {primary}: its"
                " HA configuration comes from the Primary. Configure the Primary.",
            )

    def _paired_primary(self) -> str | None:
        """The Primary's serial while this unit is its synchronized Backup (the Primary
        has HA on naming this serial and the pair is steady), else None. A Standby takes
        no configuration: what it would accept, the Primary's next sync overwrites."""
        peer = self.peer
        if peer is None or peer is self:
            return None
        with peer._lock:
            mode = next(iter((peer._ha.get("mode") or {}).values()), {})
        if mode.get("secondary_serial") != self.serial:
            return None
        return peer.serial if peer._primary_view()[1] is not None else None

    def _basic_ok(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
            user, sep, password = decoded.partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return bool(sep) and hmac.compare_digest(
            f"{user}\0{password}".encode(), f"{self._username}\0{self._password}".encode()
        )

    def _login(self, request: Request) -> Response:
        if self.auth == "basic" and not self._basic_ok(request):
            raise ApiError(401, "E_UNAUTHORIZED", "Invalid administrator credentials.")
        body = self.json_body(request)
        body = {} if body is None else body
        if not isinstance(body, dict) or set(body) - {"override"}:
            raise _bad_call('The login body must be a JSON object such as {"override": true}.')
        override = body.get("override", False)
        if not isinstance(override, bool):
            raise _bad_value("override must be true or false.")
        with self._lock:
            current = self._api_session()
            wanted = 2 if current is not None else 1
            self.max_concurrent_sessions = max(self.max_concurrent_sessions, wanted)
            if current is not None and not override:
                raise ApiError(*TOO_MANY_SESSIONS, "Maximum number of sessions exceeded.")
            if current is not None:
                self._sessions.remove(current)
            holder = self._holder()
            config_mode = override or (holder is None and self.login_config_mode)
            if config_mode:
                self._release_config_mode()
            session = _Session(new_token(), self._username, True, config_mode=config_mode)
            self._sessions.append(session)
            self.sessions_opened += 1
            other = None if config_mode else holder
        info = {
            "auth_code": "API_AUTH_SUCCESS" if config_mode else "API_AUTH_CAN_PREEMPT",
            "config_mode": "Yes" if config_mode else "No",
            "read_only": "No",
            "privilege": "FULL_ADMIN",
            "curr_config_type": other.kind if other else "NONE",
            "curr_config_ip": other.ip if other else "0.0.0.0",
            "model": self.model,
            "inactivity_timer": INACTIVITY_TIMER_MIN,
        }
        if config_mode:
            message = "User login in configuration mode."
        elif other is not None:
            # Ours: LIVE shows this message with nobody configuring; the UI names the
            # administrator who configures, and so do we.
            message = (
                "User login in non-configuration mode. Administrator"
                f" '{other.admin}' ({other.kind} from {other.ip}) is in configuration mode."
            )
        else:
            message = "User login in non-configuration mode."
        response = self._ok(request, message, **info)
        response.headers["Set-Cookie"] = (
            f"{self._cookie}={session.token}; Path=/; Secure; HttpOnly; SameSite=Strict"
        )
        return response

    def _logout(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            if session in self._sessions:
                self._sessions.remove(session)
        response = self._ok(request)
        response.headers["Set-Cookie"] = f"{self._cookie}=; Path=/; Max-Age=0; Secure; HttpOnly"
        return response

    def _config_mode(self, request: Request) -> Response:
        session = self._require_session(request)
        self._empty_body(request)
        with self._lock:
            if not session.config_mode:
                self._release_config_mode()  # "preempt the other user, set self to config mode"
                session.config_mode = True
        return self._ok(request)

    def _non_config_mode(self, request: Request) -> Response:
        session = self._require_session(request)
        self._empty_body(request)
        with self._lock:
            session.config_mode = False
            session.drop_pending()
        return self._ok(request)

    def _empty_body(self, request: Request) -> None:
        body = self.json_body(request)
        if body not in (None, {}):
            raise _bad_call("This call takes an empty object {} as its body.")

    # -- version and staging -----------------------------------------------------------------

    def _get_version(self, request: Request) -> Response:
        self._require_session(request)
        uptime = int(time.monotonic() - self._booted + _BOOT_OFFSET_S)
        days, hours = uptime // 86400, uptime % 86400 // 3600
        return Response(
            200,
            {
                "firmware_version": self.firmware,
                "rom_version": "SonicROM 7.0.0.0-7",
                "model": self.model,
                "serial_number": self.serial_display,
                "system_time": time.strftime("%m/%d/%Y %H:%M:%S.000", time.gmtime()),
                "system_uptime": f"{days} Days, {hours} Hours",
                "last_modified_by": f"{self._username} 127.0.0.1 API",
            },
        )

    def _pending_doc(self, session: _Session) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if session.pending_ha is not None:
            doc["high_availability"] = copy.deepcopy(session.pending_ha)
        if session.pending_monitoring:
            entries = [{"ipv4": copy.deepcopy(v)} for v in session.pending_monitoring.values()]
            doc["ha_monitoring"] = {"interface": entries}
        if session.pending_interfaces:
            doc["interfaces"] = [
                {"ipv4": copy.deepcopy(v)} for v in session.pending_interfaces.values()
            ]
        return doc

    def _get_pending(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            return Response(200, self._pending_doc(session))

    def _commit(self, request: Request) -> Response:
        session = self._require_config_mode(request)
        with self._lock:
            ha = session.pending_ha
            interfaces = self._interface_view(session)
            self._check_ha_links(ha if ha is not None else self._ha, interfaces)
            if ha is not None:
                self._commit_ha(ha)
            self._interfaces = interfaces
            monitoring_changed = bool(session.pending_monitoring)
            self._monitoring.update(copy.deepcopy(session.pending_monitoring))
            session.drop_pending()
        if monitoring_changed:
            self._settle()  # a synchronized Backup gets the change at once
            self._addresses_changed()
        response = self._ok(request)
        response.body["status"]["cli"]["restart_required"] = self.restart_required
        return response

    def fault_effect(self, rule: FaultRule, request: Request) -> None:
        """A failing request that loses what the session staged (`fail --drop-staged`):
        e.g. a commit answered 500 after which the unit holds none of the pending changes
        (no public source says what a real unit keeps after a failed commit: tests cover
        both readings)."""
        if not rule.drop_staged:
            return
        session = self._session_of(request)
        if session is not None:
            with self._lock:
                session.drop_pending()

    def _discard(self, request: Request) -> Response:
        session = self._require_config_mode(request)
        with self._lock:
            session.drop_pending()
        return self._ok(request)

    def _commit_ha(self, settings: dict[str, Any]) -> None:
        """Store committed HA settings; a real change restarts the pair's progression."""
        if settings != self._ha:
            self._ha = copy.deepcopy(settings)
            self._ha_since = time.monotonic()

    # -- HA settings -------------------------------------------------------------------------

    def _get_ha(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            ha = session.pending_ha if session.pending_ha is not None else self._ha
            return Response(200, {"high_availability": copy.deepcopy(ha)})

    def _put_ha(self, request: Request) -> Response:
        session = self._require_config_mode(request)
        self._refuse_on_paired_backup()
        body = self.json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("high_availability"), dict):
            raise _bad_call('The body must be {"high_availability": {...}}.')
        if set(body) != {"high_availability"}:
            extra = sorted(set(body) - {"high_availability"})
            raise _bad_call(f"Unknown field(s) next to high_availability: {', '.join(extra)}.")
        with self._lock:
            new = self._parse_ha(body["high_availability"])
            self._check_ha_links(new, self._interface_view(session))
            session.pending_ha = new
        return self._ok(request)

    def _parse_ha(self, given: dict[str, Any]) -> dict[str, Any]:
        """Validate a PUT body: it REPLACES the object, so what it leaves out is reset."""
        new = self.fw.default_ha()
        unknown = set(given) - set(new)
        if unknown:
            raise _bad_call(
                f"Unknown High Availability field(s) for {self.firmware}:"
                f" {', '.join(sorted(unknown))}."
            )
        for key, (low, high) in _RANGES.items():
            if key in given:
                new[key] = _int_in_range(key, given[key], low, high)
        if "probe" in given:
            probe = given["probe"]
            if not isinstance(probe, dict):
                raise _bad_call("probe must be an object {interval, count}.")
            unknown = set(probe) - set(_PROBE_RANGES)
            if unknown:
                raise _bad_call(f"Unknown probe field(s): {', '.join(sorted(unknown))}.")
            for key, (low, high) in _PROBE_RANGES.items():
                if key in probe:
                    new["probe"][key] = _int_in_range(f"probe.{key}", probe[key], low, high)
        if "route_hold_down_time" in given:
            hold = given["route_hold_down_time"]
            if hold is not None and (not isinstance(hold, dict) or set(hold) - {"value"}):
                raise _bad_call('route_hold_down_time must be {"value": seconds} or null.')
            new["route_hold_down_time"] = (
                None if hold is None else {"value": _int_in_range("value", hold.get("value", 0))}
            )
        if "sdwan_hold_down_time" in given:
            new["sdwan_hold_down_time"] = _int_in_range(
                "sdwan_hold_down_time", given["sdwan_hold_down_time"]
            )
        for flag in ("failover_when_aggregate_down", "include_certificates_keys"):
            if flag in given:
                new[flag] = _bool(flag, given)
        if "l3_mode" in given:
            l3 = given["l3_mode"]
            if not isinstance(l3, dict) or set(l3) - set(_L3_FIELDS):
                raise _bad_call(f"l3_mode must be an object with {', '.join(_L3_FIELDS)}.")
            for key in _L3_FIELDS:
                if key in l3:
                    if key == "enable":
                        new["l3_mode"][key] = _bool(key, l3)
                    elif not isinstance(l3[key], str):
                        raise _bad_value(f"l3_mode.{key} must be a string.")
                    else:
                        new["l3_mode"][key] = l3[key]
        if "mode" in given:
            new["mode"] = self._parse_mode(given["mode"])
        return new

    def _parse_mode(self, mode: Any) -> dict[str, Any]:
        if not isinstance(mode, dict):
            raise _bad_call('mode must be an object: {} (HA off) or {"active_standby": {...}}.')
        if not mode:
            return {}
        if len(mode) > 1:
            raise _bad_value(f"Only one High Availability mode may be set, got {', '.join(mode)}.")
        ((kind, fields),) = mode.items()
        if kind not in HA_MODES:
            raise _bad_call(
                f"Unknown High Availability mode '{kind}' (expected {' or '.join(HA_MODES)})."
            )
        if not isinstance(fields, dict):
            raise _bad_call(f"mode.{kind} must be an object.")
        unknown = set(fields) - self.fw.mode_fields(kind)
        if unknown:
            raise _bad_call(
                f"Unknown field(s) in mode.{kind} for {self.firmware}:"
                f" {', '.join(sorted(unknown))}."
            )
        if "primary_serial" in fields and normalize_serial(fields["primary_serial"]) != self.serial:
            raise _bad_value(
                f"primary_serial {fields['primary_serial']!r} is not this unit's serial number."
            )
        if "secondary_serial" not in fields:
            raise _bad_value("secondary_serial (the Backup's serial number) is required.")
        serial = normalize_serial(fields["secondary_serial"])
        if serial is None:
            raise _bad_value(
                f"secondary_serial {fields['secondary_serial']!r} is not a serial number "
                "(12 hexadecimal digits)."
            )
        if serial == self.serial:
            raise _bad_value(
                f"secondary_serial {serial} is this unit's own serial number; "
                "name the Backup's serial."
            )
        control = self._mode_interface(fields, "control_interface", required=True)
        data = self._mode_interface(fields, "data_interface", required=False)
        flags = {
            flag: _bool(flag, fields) if flag in fields else False
            for flag in _MODE_FLAGS
            if flag in self.fw.mode_fields(kind)
        }
        if data is not None and data == control:
            raise _bad_value(
                f"The HA data interface must differ from the HA control interface (both {data})."
            )
        if data is None and flags.get("stateful_synchronization"):
            raise _bad_value("stateful_synchronization requires a data_interface (HA data link).")
        if data is None and kind == "active_active_dpi":
            raise _bad_value("Active/Active DPI mode requires a data_interface (HA data link).")
        parsed: dict[str, Any] = {"primary_serial": self.serial, "secondary_serial": serial}
        if "stateful_synchronization" in flags:
            parsed["stateful_synchronization"] = flags.pop("stateful_synchronization")
        parsed["control_interface"] = control
        if data is not None:
            parsed["data_interface"] = data
        parsed.update(flags)
        if kind == "active_active_dpi":
            dpi = fields.get("dpi_interface")
            parsed["dpi_interface"] = self._dpi_interface(dpi, control, data)
        return {kind: parsed}

    def _dpi_interface(self, value: Any, control: str, data: str | None) -> list[dict[str, Any]]:
        """O72: `dpi_interface: [{"id": 1, "interface": "X6"}]`, required in that mode."""
        if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
            raise _bad_value(
                'Active/Active DPI mode requires dpi_interface: [{"id": 1, "interface": ...}].'
            )
        item = value[0]
        if set(item) - {"id", "interface"} or item.get("id") != 1:
            raise _bad_call('dpi_interface items are {"id": 1, "interface": NAME}.')
        name = self._mode_interface(item, "interface", required=True)
        if name in (control, data):
            raise _bad_value(
                f"The Active/Active DPI interface {name} must differ from the HA control and"
                " data interfaces."
            )
        return [{"id": 1, "interface": name}]

    def _mode_interface(self, fields: dict[str, Any], key: str, *, required: bool) -> str | None:
        value = fields.get(key)
        if value is None or value == "":
            if required:
                raise _bad_value(f"{key} is required.")
            return None
        if not isinstance(value, str):
            raise _bad_value(f"{key} must be an interface name such as X4.")
        name = self._canonical(value)
        if name is None:
            raise _bad_value(f"{key}: interface '{value}' does not exist on this unit.")
        return name

    @staticmethod
    def _ha_links(ha: dict[str, Any]) -> list[tuple[str, str]]:
        """(role, interface) of every HA link the settings name."""
        links = []
        for fields in (ha.get("mode") or {}).values():
            for role in ("control", "data"):
                if fields.get(f"{role}_interface"):
                    links.append((role, fields[f"{role}_interface"]))
            for item in fields.get("dpi_interface") or []:
                links.append(("Active/Active DPI", item["interface"]))
        return links

    def _check_ha_links(self, ha: dict[str, Any], interfaces: dict[_Key, dict[str, Any]]) -> None:
        """An HA link interface must be in zone Unassigned."""
        for role, name in self._ha_links(ha):
            if (name, None) in interfaces:
                zone = _zone_of(interfaces[(name, None)])
                if zone != UNASSIGNED:
                    raise _bad_value(
                        f"Interface {name} is in zone {zone}; the HA {role} interface "
                        "must be in zone Unassigned."
                    )

    def _sync_settings(self, request: Request) -> Response:
        self._require_config_mode(request)
        self._empty_body(request)
        with self._lock:
            enabled = bool(self._ha.get("mode"))
        if not enabled:
            raise _bad_call("High Availability is not enabled on this unit.")
        self._settle(force=True)
        return self._ok(request)

    # -- HA status and the pair --------------------------------------------------------------

    def _get_ha_status(self, request: Request) -> Response:
        self._require_session(request)
        return Response(200, self._status())

    def _status(self) -> dict[str, Any]:
        with self._lock:
            mode = dict(self._ha.get("mode") or {})
        fields = next(iter(mode.values()), {})
        if fields.get("secondary_serial") == self.serial and self.peer is not None:
            doc = self.peer._primary_view()[0]  # we are the Backup: report the pair
            own = doc["secondary_state"]
            doc["status"] = f"Secondary {_steady(own)}"
            return doc
        return self._primary_view()[0]

    def _primary_view(self) -> tuple[dict[str, Any], float | None]:
        """The pair's status with this unit as Primary, and the sync epoch when steady."""
        now = time.monotonic()
        with self._lock:
            mode = copy.deepcopy(self._ha.get("mode") or {})
            ha_since = self._ha_since
        if not mode:
            return _state("NONE", "NONE", "High Availability Disabled", "Primary Disabled"), None
        fields = next(iter(mode.values()))
        control = fields.get("control_interface", "")
        secondary = fields.get("secondary_serial")
        peer = self.peer
        cabled = self._cabling.cabled_since(control)
        up_time = _duration(now - ha_since)
        if cabled is None or peer is None or secondary != peer.serial:
            # No heartbeats from a Backup: no cable on the control link, or the unit
            # there is not the configured secondary.
            return _state("ACTIVE", "NONE", up_time), None
        if peer.model != self.model:
            return _state("ACTIVE", "ERROR", up_time), None
        epoch = max(ha_since, cabled)
        elapsed = now - epoch
        third = self.sync_seconds / 3.0
        if elapsed < third:
            return _state("ELECTION", "ELECTION", _duration(0)), None
        if elapsed < 2 * third:
            return _state("ACTIVE", "SYNC", _duration(elapsed - third)), None
        return _state("ACTIVE", "STANDBY", _duration(elapsed - third)), epoch

    def _settle(self, force: bool = False) -> None:
        """Give the Backup the Primary's HA settings once the pair is steady.

        Evaluated lazily on every request and accessor of either unit, once per
        epoch (commit or recabling), or again when `force` (settings sync call).
        """
        for unit in (self, self.peer):
            if unit is not None and unit.peer is not None:
                unit._push_settings_to_peer(force)

    def _push_settings_to_peer(self, force: bool) -> None:
        _, epoch = self._primary_view()
        if epoch is None or self.peer is None:
            return
        with self._lock:
            monitoring = copy.deepcopy(self._monitoring)
        with self.peer._lock:
            # Monitoring changes made on the Primary reach a synchronized Backup at once
            # (as every setting changed on the Active unit does), not only per epoch.
            pushed = {
                name: _fit_monitoring(entry, self.peer.fw) for name, entry in monitoring.items()
            }
            changed = pushed != self.peer._monitoring
            self.peer._monitoring = pushed
        if changed:
            self._addresses_changed()
        with self._lock:
            if (self._synced_epoch == epoch and not force) or self._ha_since > epoch:
                return
            self._synced_epoch = epoch
            settings = copy.deepcopy(self._ha)
        with self.peer._lock:
            # The Backup keeps the fields its own firmware has (same model, same release
            # in a real pair; the simulator lets tests mix them).
            self.peer._ha = _fit(settings, self.peer.fw)
            self.peer._ha_since = time.monotonic()

    # -- HA monitoring (O70/O72) --------------------------------------------------------------

    def _monitoring_view(self, session: _Session | None) -> dict[str, dict[str, Any]]:
        view = copy.deepcopy(self._monitoring)
        if session is not None:
            view.update(copy.deepcopy(session.pending_monitoring))
        return view

    @staticmethod
    def _monitoring_doc(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
        items = [{"ipv4": copy.deepcopy(entry)} for entry in entries]
        return {"high_availability": {"monitoring": {"interface": items}}}

    def _list_monitoring(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            view = self._monitoring_view(session)
        return Response(200, self._monitoring_doc(view.values()))

    def _get_monitoring(self, request: Request, name: str) -> Response:
        """O70/O72: the per-interface path answers the collection shape, one entry."""
        session = self._require_session(request)
        known = self._canonical(name)
        with self._lock:
            view = self._monitoring_view(session)
        if known is None or known not in view:
            raise ApiError(404, "E_NOT_FOUND", f"Interface '{unquote(name)}' not found.")
        return Response(200, self._monitoring_doc([view[known]]))

    def _put_monitoring_list(self, request: Request) -> Response:
        return self._put_monitoring_items(request, path_name=None)

    def _put_monitoring(self, request: Request, name: str) -> Response:
        known = self._canonical(name)
        if known is None:
            raise ApiError(404, "E_NOT_FOUND", f"Interface '{unquote(name)}' not found.")
        return self._put_monitoring_items(request, path_name=known)

    def _put_monitoring_items(self, request: Request, path_name: str | None) -> Response:
        """Each `ipv4` entry REPLACES the monitoring of the interface it names: what it
        leaves out falls back to the defaults (GUIDE: a PUT replaces)."""
        session = self._require_config_mode(request)
        self._refuse_on_paired_backup()
        body = self.json_body(request)
        items = _monitoring_items(body)
        with self._lock:
            staged = {}
            for given in items:
                entry = self._parse_monitoring(given)
                if path_name is not None and entry["name"] != path_name:
                    raise _bad_call(
                        f"The body names interface {given.get('name')!r}, the path {path_name}."
                    )
                staged[entry["name"]] = entry
            session.pending_monitoring.update(staged)
        return self._ok(request)

    def _parse_monitoring(self, given: dict[str, Any]) -> dict[str, Any]:
        """Validate one entry (ours where the vendor only lists the fields: the checks a
        unit's UI makes, addresses IPv4, the two units' addresses different)."""
        new = self.fw.default_monitoring("")
        unknown = set(given) - set(new)
        if unknown:
            raise _bad_call(
                f"Unknown monitoring field(s) for {self.firmware}: {', '.join(sorted(unknown))}."
            )
        known = self._canonical(str(given.get("name", "")))
        if known is None or known not in self._monitoring:
            raise ApiError(404, "E_NOT_FOUND", f"Interface '{given.get('name')}' not found.")
        new["name"] = known
        for flag in ("link_monitoring", "allow_management"):
            if flag in given:
                new[flag] = _bool(flag, given)
        for key in ("primary", "secondary"):
            if key in given:
                new[key] = self._monitoring_address(key, given[key])
        if "logical_probe" in given:
            probe = given["logical_probe"]
            if not isinstance(probe, dict) or set(probe) - {"enable", "ip"}:
                raise _bad_call('logical_probe must be an object {"enable", "ip"}.')
            if "enable" in probe:
                new["logical_probe"]["enable"] = _bool("enable", probe)
            if "ip" in probe:
                ip = self._monitoring_address("logical_probe.ip", probe["ip"])
                new["logical_probe"]["ip"] = ip
        if "override_virtual_mac" in given:
            override = given["override_virtual_mac"]
            if not isinstance(override, dict) or set(override) - {"enable", "mac"}:
                raise _bad_call('override_virtual_mac must be an object {"enable", "mac"}.')
            if "enable" in override:
                new["override_virtual_mac"]["enable"] = _bool("enable", override)
            if "mac" in override:
                if override["mac"] is not None and not isinstance(override["mac"], str):
                    raise _bad_value("override_virtual_mac.mac must be a MAC address or null.")
                new["override_virtual_mac"]["mac"] = override["mac"]
        unset = self.fw.unset_address
        if new["primary"] != unset and new["primary"] == new["secondary"]:
            raise _bad_value(
                f"The primary and secondary monitoring IP addresses of {known} must differ"
                f" (both {new['primary']})."
            )
        if new["allow_management"] and unset in (new["primary"], new["secondary"]):
            raise _bad_value(
                f"Allow management on {known} needs both the primary and the secondary"
                " monitoring IP address."
            )
        if new["logical_probe"]["enable"] and new["logical_probe"]["ip"] == unset:
            raise _bad_value(f"The logical probe of {known} needs an IP address to probe.")
        return new

    def _monitoring_address(self, key: str, value: Any) -> str:
        """An IPv4 address, or unset ("" and "0.0.0.0" alike: stored as this firmware
        spells unset)."""
        if not isinstance(value, str):
            raise _bad_value(f"{key} must be an IPv4 address as a string, got {value!r}.")
        text = value.strip()
        if text in _UNSET_ADDRESSES:
            return self.fw.unset_address
        try:
            ipaddress.IPv4Address(text)
        except ValueError:
            raise _bad_value(f"{key} '{value}' is not an IPv4 address.") from None
        return text

    # -- interfaces --------------------------------------------------------------------------

    def _canonical(self, name: str) -> str | None:
        name = unquote(name)
        for known, vlan in self._interfaces:
            if vlan is None and known.lower() == name.lower():
                return known
        return None

    def _known(self, name: str) -> str:
        known = self._canonical(name)
        if known is None:
            raise ValueError(f"{self.name} has no interface {name!r}")
        return known

    def _interface_view(self, session: _Session) -> dict[_Key, dict[str, Any]]:
        view = copy.deepcopy(self._interfaces)
        view.update(copy.deepcopy(session.pending_interfaces))
        return view

    def _list_interfaces(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            view = self._interface_view(session)
        return Response(200, {"interfaces": [{"ipv4": v} for v in view.values()]})

    def _get_interface(self, request: Request, name: str) -> Response:
        """The vendor's tooling uses this path (not in O70/O72); 7.x answers the list shape."""
        session = self._require_session(request)
        known = self._canonical(name)
        if known is None:
            raise ApiError(404, "E_NOT_FOUND", f"Interface '{unquote(name)}' not found.")
        with self._lock:
            ipv4 = self._interface_view(session)[(known, None)]
        return Response(200, {"interfaces": [{"ipv4": ipv4}]})

    def _put_interfaces(self, request: Request) -> Response:
        return self._put_interface_items(request, path_name=None)

    def _put_interface(self, request: Request, name: str) -> Response:
        known = self._canonical(name)
        if known is None:
            raise ApiError(404, "E_NOT_FOUND", f"Interface '{unquote(name)}' not found.")
        return self._put_interface_items(request, path_name=known)

    def _put_interface_items(self, request: Request, path_name: str | None) -> Response:
        """`{"interfaces": [{"ipv4": {...}}, ...]}`: each object REPLACES the interface its
        `name` (and `vlan`) names; what it leaves out falls back to the defaults."""
        session = self._require_config_mode(request)
        body = self.json_body(request)
        items = body.get("interfaces") if isinstance(body, dict) else None
        if (
            not isinstance(items, list)
            or not items
            or set(body) != {"interfaces"}
            or not all(isinstance(i, dict) and isinstance(i.get("ipv4"), dict) for i in items)
            or not all(set(i) == {"ipv4"} for i in items)
        ):
            raise _bad_call('The body must be {"interfaces": [{"ipv4": {...}}, ...]}.')
        with self._lock:
            view = self._interface_view(session)
            staged: dict[_Key, dict[str, Any]] = {}
            for item in items:
                given = item["ipv4"]
                unknown = set(given) - IPV4_FIELDS
                if unknown:
                    raise _bad_call(f"Unknown interface field(s): {', '.join(sorted(unknown))}.")
                known = self._canonical(str(given.get("name", "")))
                if known is None:
                    raise ApiError(
                        404, "E_NOT_FOUND", f"Interface '{given.get('name')}' not found."
                    )
                if path_name is not None and known != path_name:
                    raise _bad_call(
                        f"The body names interface {given['name']!r}, the path {path_name}."
                    )
                key = (known, given.get("vlan"))
                if key not in view:
                    raise ApiError(
                        404, "E_NOT_FOUND", f"Interface {known} VLAN {key[1]} not found."
                    )
                staged[key] = self._replace_interface(known, given)
            ha = session.pending_ha if session.pending_ha is not None else self._ha
            for role, link in self._ha_links(ha):
                new = staged.get((link, None))
                if new is not None and _zone_of(new) != UNASSIGNED:
                    raise _bad_value(
                        f"Interface {link} is the HA {role} interface; its zone must stay "
                        f"Unassigned (requested {_zone_of(new)})."
                    )
            session.pending_interfaces.update(staged)
        return self._ok(request)

    @staticmethod
    def _replace_interface(name: str, given: dict[str, Any]) -> dict[str, Any]:
        new = interface_defaults(name)
        if given.get("vlan") is not None:
            new["vlan"] = given["vlan"]
        for key, value in given.items():
            if key in ("name", "vlan"):
                continue
            if key == "ip_assignment":
                new["ip_assignment"] = _ip_assignment(value)
            elif key == "comment" and not isinstance(value, str):
                raise _bad_value("comment must be a string.")
            else:
                new[key] = copy.deepcopy(value)
        return new

    def _get_link_status(self, request: Request) -> Response:
        """O70/O72: a list with every interface's operational status; `connected` is a
        boolean in O72 and a string "true"/"false" in O70."""
        session = self._require_session(request)
        with self._lock:
            view = self._interface_view(session)
        rows = []
        for (name, vlan), ipv4 in view.items():
            up = self.link_status(name) != LINK_DOWN
            row: dict[str, Any] = {
                "name": name,
                "zone": _zone_of(ipv4),
                "type": "Static" if (ipv4.get("ip_assignment") or {}).get("mode") else "N/A",
                "ip_mode": "Static" if (ipv4.get("ip_assignment") or {}).get("mode") else "N/A",
                "ip_address": _static_ip(ipv4),
                "connected": up if self.fw.status_booleans else str(up).lower(),
                "status": LINK_UP if up else LINK_DOWN,
                "link_setting": "Auto Negotiate",
                "enabled": True if self.fw.status_booleans else "true",
                "comment": ipv4.get("comment", ""),
            }
            if vlan is not None:
                row["vlan"] = vlan  # ours: O70/O72 leave VLAN rows' shape open
            rows.append(row)
        return Response(200, rows)


def _firmware_by_key(key: str) -> Firmware:
    from .firmware import firmware

    return firmware(key)


def _fit(ha: dict[str, Any], fw: Firmware) -> dict[str, Any]:
    """An HA object reduced/extended to the fields a firmware has."""
    fitted = fw.default_ha()
    for key in fitted:
        if key in ha and key != "mode":
            fitted[key] = ha[key]
    mode = {}
    for kind, fields in (ha.get("mode") or {}).items():
        allowed = fw.mode_fields(kind)
        mode[kind] = {k: v for k, v in fields.items() if k in allowed}
        if "virtual_mac" in allowed:
            mode[kind].setdefault("virtual_mac", False)
    fitted["mode"] = mode
    return fitted


def _monitoring_items(body: Any) -> list[dict[str, Any]]:
    """The `ipv4` entries of `{"high_availability": {"monitoring": {"interface": [...]}}}`."""
    ha = body.get("high_availability") if isinstance(body, dict) and len(body) == 1 else None
    monitoring = ha.get("monitoring") if isinstance(ha, dict) and len(ha) == 1 else None
    items = (
        monitoring.get("interface")
        if isinstance(monitoring, dict) and len(monitoring) == 1
        else None
    )
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, dict) and set(i) == {"ipv4"} for i in items)
        or not all(isinstance(i["ipv4"], dict) for i in items)
    ):
        raise _bad_call(
            'The body must be {"high_availability": {"monitoring": {"interface":'
            ' [{"ipv4": {...}}]}}}.'
        )
    return [item["ipv4"] for item in items]


def _fit_monitoring(entry: dict[str, Any], fw: Firmware) -> dict[str, Any]:
    """A monitoring entry with the fields (and unset-address spelling) of a firmware."""
    fitted = fw.default_monitoring(entry["name"])
    for key in fitted:
        if key in entry:
            fitted[key] = copy.deepcopy(entry[key])
    for key in ("primary", "secondary"):
        if fitted[key] in _UNSET_ADDRESSES:
            fitted[key] = fw.unset_address
    probe = fitted["logical_probe"]
    if probe.get("ip") in _UNSET_ADDRESSES:
        probe["ip"] = fw.unset_address
    return fitted


def _steady(own: str) -> str:
    """The `status` words for a unit in state `own`: "Active", "Standby" or "not in a
    steady state" (VEN, GUIDE)."""
    return own.capitalize() if own in ("ACTIVE", "STANDBY") else "not in a steady state"


def _static_ip(ipv4: dict[str, Any]) -> str:
    static = ((ipv4.get("ip_assignment") or {}).get("mode") or {}).get("static") or {}
    return str(static.get("ip", "0.0.0.0"))


def _ip_assignment(given: Any) -> dict[str, Any]:
    """`{}`, null or a missing/"Unassigned" zone unassigns (O72: nullable)."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        raise _bad_call("ip_assignment must be an object.")
    unknown = set(given) - {"zone", "mode"}
    if unknown:
        raise _bad_call(f"Unknown ip_assignment field(s): {', '.join(sorted(unknown))}.")
    zone = given.get("zone")
    if zone is None or zone == UNASSIGNED:
        return {}
    if not isinstance(zone, str) or not zone.strip():
        raise _bad_value("zone must be a zone name such as LAN, or omitted for Unassigned.")
    result: dict[str, Any] = {"zone": zone}
    mode = given.get("mode")
    if mode is not None:
        if not isinstance(mode, dict):
            raise _bad_value('ip_assignment.mode must be an object such as {"static": {...}}.')
        result["mode"] = copy.deepcopy(mode)
    return result


def _int_in_range(name: str, value: Any, low: int = 0, high: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad_value(f"{name} must be an integer, got {value!r}.")
    if not low <= value <= high:
        raise _bad_value(f"{name} {value} is out of range ({low}..{high}).")
    return value


def _bool(name: str, fields: dict[str, Any]) -> bool:
    value = fields[name]
    if not isinstance(value, bool):
        raise _bad_value(f"{name} must be true or false, got {value!r}.")
    return value


def _state(primary: str, secondary: str, up_time: str, status: str | None = None) -> dict[str, Any]:
    """A `/reporting/high-availability` answer seen from the Primary."""
    return {
        "status": status or f"Primary {_steady(primary)}",
        "primary_state": primary,
        "secondary_state": secondary,
        "active_up_time": up_time,
    }
