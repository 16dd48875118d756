"""Interfaces (`GET|PUT /interfaces/ipv4[/name/{NAME}]`, O70/O72 and the vendor's
tooling) and their link status (`GET /reporting/interfaces/ipv4/status`).

Each PUT object REPLACES the interface its `name` (and `vlan`) names; what it leaves
out falls back to the defaults (GUIDE). An HA link interface must stay in zone
Unassigned.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import unquote

from ..exceptions import InvalidApiCall, InvalidValue, NotFound
from ..fields import (
    IPV4_FIELDS,
    LINK_DOWN,
    LINK_UP,
    UNASSIGNED,
    _ip_assignment,
    _static_ip,
    _zone_of,
    interface_defaults,
)
from .access import _Session

_Key = tuple[str, int | None]  # (name, vlan) of an interface


class InterfacesBackend:
    """The unit's interfaces: names, the session's view, staged replacements, links."""

    def stage_interfaces(
        self, session: _Session, items: list[dict[str, Any]], path_name: str | None
    ) -> None:
        """Stage the `ipv4` objects of a PUT (`items`: `[{"ipv4": {...}}, ...]`)."""
        with self._lock:
            view = self._interface_view(session)
            staged: dict[_Key, dict[str, Any]] = {}
            for item in items:
                given = item["ipv4"]
                unknown = set(given) - IPV4_FIELDS
                if unknown:
                    raise InvalidApiCall(
                        f"Unknown interface field(s): {', '.join(sorted(unknown))}."
                    )
                known = self._canonical(str(given.get("name", "")))
                if known is None:
                    raise NotFound(f"Interface '{given.get('name')}' not found.")
                if path_name is not None and known != path_name:
                    raise InvalidApiCall(
                        f"The body names interface {given['name']!r}, the path {path_name}."
                    )
                key = (known, given.get("vlan"))
                if key not in view:
                    raise NotFound(f"Interface {known} VLAN {key[1]} not found.")
                staged[key] = self._replace_interface(known, given)
            ha = session.pending_ha if session.pending_ha is not None else self._ha
            for role, link in self._ha_links(ha):
                new = staged.get((link, None))
                if new is not None and _zone_of(new) != UNASSIGNED:
                    raise InvalidValue(
                        f"Interface {link} is the HA {role} interface; its zone must stay "
                        f"Unassigned (requested {_zone_of(new)})."
                    )
            session.pending_interfaces.update(staged)

    def link_rows(self, session: _Session) -> list[dict[str, Any]]:
        """O70/O72: a list with every interface's operational status; `connected` is a
        boolean in O72 and a string "true"/"false" in O70."""
        with self._lock:
            view = self._interface_view(session)
        rows = []
        for (name, vlan), ipv4 in view.items():
            up = self.link_status(name) != LINK_DOWN
            static = "Static" if (ipv4.get("ip_assignment") or {}).get("mode") else "N/A"
            row: dict[str, Any] = {
                "name": name,
                "zone": _zone_of(ipv4),
                "type": static,
                "ip_mode": static,
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
        return rows

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
                raise InvalidValue("comment must be a string.")
            else:
                new[key] = copy.deepcopy(value)
        return new

    def link_status(self, name: str) -> str:
        return LINK_UP if self._cabling.link_up(self._known(name)) else LINK_DOWN
