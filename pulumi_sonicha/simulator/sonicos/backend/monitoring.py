"""HA monitoring (`/high-availability/monitoring/ipv4[/interface/{NAME}]`, O70/O72).

One entry per physical interface, the collection shape on both paths; a PUT replaces
the entries it names, staged and committed like the rest; 7.2 adds
`override_virtual_mac`. Ours: the defaults (nothing monitored), unset addresses read
"" on 7.2 and "0.0.0.0" on 7.0.1 (the vendor allows both), and the checks (IPv4
addresses, the two units' addresses different, management needing both, a probe
needing an address). The Primary's entries reach the Backup when the pair is steady,
and any later change at once.
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterable
from typing import Any

from ..exceptions import InvalidApiCall, InvalidValue, NotFound
from ..fields import _UNSET_ADDRESSES, _bool, _monitoring_items
from .access import _Session


class MonitoringBackend:
    """Each interface's monitoring entry: parsed, staged, read."""

    def stage_monitoring(self, session: _Session, body: Any, path_name: str | None) -> None:
        """Each `ipv4` entry REPLACES the monitoring of the interface it names: what it
        leaves out falls back to the defaults (GUIDE: a PUT replaces)."""
        items = _monitoring_items(body)
        with self._lock:
            staged = {}
            for given in items:
                entry = self._parse_monitoring(given)
                if path_name is not None and entry["name"] != path_name:
                    raise InvalidApiCall(
                        f"The body names interface {given.get('name')!r}, the path {path_name}."
                    )
                staged[entry["name"]] = entry
            session.pending_monitoring.update(staged)

    def _monitoring_view(self, session: _Session | None) -> dict[str, dict[str, Any]]:
        view = copy.deepcopy(self._monitoring)
        if session is not None:
            view.update(copy.deepcopy(session.pending_monitoring))
        return view

    @staticmethod
    def _monitoring_doc(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
        items = [{"ipv4": copy.deepcopy(entry)} for entry in entries]
        return {"high_availability": {"monitoring": {"interface": items}}}

    def _parse_monitoring(self, given: dict[str, Any]) -> dict[str, Any]:
        """Validate one entry (ours where the vendor only lists the fields: the checks a
        unit's UI makes, addresses IPv4, the two units' addresses different)."""
        new = self.fw.default_monitoring("")
        unknown = set(given) - set(new)
        if unknown:
            raise InvalidApiCall(
                f"Unknown monitoring field(s) for {self.firmware}: {', '.join(sorted(unknown))}."
            )
        known = self._canonical(str(given.get("name", "")))
        if known is None or known not in self._monitoring:
            raise NotFound(f"Interface '{given.get('name')}' not found.")
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
                raise InvalidApiCall('logical_probe must be an object {"enable", "ip"}.')
            if "enable" in probe:
                new["logical_probe"]["enable"] = _bool("enable", probe)
            if "ip" in probe:
                ip = self._monitoring_address("logical_probe.ip", probe["ip"])
                new["logical_probe"]["ip"] = ip
        if "override_virtual_mac" in given:
            override = given["override_virtual_mac"]
            if not isinstance(override, dict) or set(override) - {"enable", "mac"}:
                raise InvalidApiCall('override_virtual_mac must be an object {"enable", "mac"}.')
            if "enable" in override:
                new["override_virtual_mac"]["enable"] = _bool("enable", override)
            if "mac" in override:
                if override["mac"] is not None and not isinstance(override["mac"], str):
                    raise InvalidValue("override_virtual_mac.mac must be a MAC address or null.")
                new["override_virtual_mac"]["mac"] = override["mac"]
        unset = self.fw.unset_address
        if new["primary"] != unset and new["primary"] == new["secondary"]:
            raise InvalidValue(
                f"The primary and secondary monitoring IP addresses of {known} must differ"
                f" (both {new['primary']})."
            )
        if new["allow_management"] and unset in (new["primary"], new["secondary"]):
            raise InvalidValue(
                f"Allow management on {known} needs both the primary and the secondary"
                " monitoring IP address."
            )
        if new["logical_probe"]["enable"] and new["logical_probe"]["ip"] == unset:
            raise InvalidValue(f"The logical probe of {known} needs an IP address to probe.")
        return new

    def _monitoring_address(self, key: str, value: Any) -> str:
        """An IPv4 address, or unset ("" and "0.0.0.0" alike: stored as this firmware
        spells unset)."""
        if not isinstance(value, str):
            raise InvalidValue(f"{key} must be an IPv4 address as a string, got {value!r}.")
        text = value.strip()
        if text in _UNSET_ADDRESSES:
            return self.fw.unset_address
        try:
            ipaddress.IPv4Address(text)
        except ValueError:
            raise InvalidValue(f"{key} '{value}' is not an IPv4 address.") from None
        return text
