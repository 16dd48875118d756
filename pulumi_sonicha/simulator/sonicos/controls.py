"""Test and `ctl` controls of a unit: what an administrator does by hand in the UI, on
the cables or to the sessions, apart from the API. Python tests call these methods;
the `ctl` actions that reach a unit (`simulator.controls.ACTIONS`) call them too."""

from __future__ import annotations

import copy
import time
from typing import Any

from ..digest import DigestChecker
from ..server import normalize_serial
from .backend.access import new_session
from .exceptions import SonicOSError
from .fields import UNASSIGNED, _zone_of, interface_defaults


class UnitControls:
    """The unit's state as tests set and inspect it."""

    def control(self, action: str, body: dict[str, Any]) -> Any:
        """The `POST /_simulator/{action}` surface `ctl` calls: the action's handler in
        the one registry, `simulator.controls.ACTIONS`."""
        from ..controls import run  # the registry imports the servers' modules

        return run("unit", self, action, body)

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
                except SonicOSError as exc:
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
            except SonicOSError as exc:
                raise ValueError(exc.message) from None
            self._monitoring[known] = new
        self._settle()
        self._addresses_changed()
        return self.monitoring(known)

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
            self._sessions.append(new_session(admin, False, kind=kind, ip=ip, config_mode=True))

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
            session = new_session(admin or self._username, True, config_mode=config_mode)
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
