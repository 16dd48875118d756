"""HA settings (`GET|PUT /high-availability/base`, O70/O72): parse and validate.

A PUT body replaces the object (GUIDE): fields left out fall back to their defaults,
fields the firmware does not know are 400 `E_INVALID_API_CALL`, and what a GET
answered is accepted back as is. Ranges as appliance-api.md lists them.
"""

from __future__ import annotations

from typing import Any

from ...server import normalize_serial
from ..exceptions import InvalidApiCall, InvalidValue
from ..fields import (
    _L3_FIELDS,
    _MODE_FLAGS,
    _PROBE_RANGES,
    _RANGES,
    HA_MODES,
    UNASSIGNED,
    _bool,
    _int_in_range,
    _zone_of,
)

_Key = tuple[str, int | None]  # (name, vlan) of an interface


class HaSettingsBackend:
    """The rules of the `high_availability` object."""

    def stage_ha(self, session: Any, given: dict[str, Any]) -> None:
        """Stage a PUT's `high_availability` object in the session (validated whole)."""
        with self._lock:
            new = self._parse_ha(given)
            self._check_ha_links(new, self._interface_view(session))
            session.pending_ha = new

    def _parse_ha(self, given: dict[str, Any]) -> dict[str, Any]:
        """Validate a PUT body: it REPLACES the object, so what it leaves out is reset."""
        new = self.fw.default_ha()
        unknown = set(given) - set(new)
        if unknown:
            raise InvalidApiCall(
                f"Unknown High Availability field(s) for {self.firmware}:"
                f" {', '.join(sorted(unknown))}."
            )
        for key, (low, high) in _RANGES.items():
            if key in given:
                new[key] = _int_in_range(key, given[key], low, high)
        if "probe" in given:
            probe = given["probe"]
            if not isinstance(probe, dict):
                raise InvalidApiCall("probe must be an object {interval, count}.")
            unknown = set(probe) - set(_PROBE_RANGES)
            if unknown:
                raise InvalidApiCall(f"Unknown probe field(s): {', '.join(sorted(unknown))}.")
            for key, (low, high) in _PROBE_RANGES.items():
                if key in probe:
                    new["probe"][key] = _int_in_range(f"probe.{key}", probe[key], low, high)
        if "route_hold_down_time" in given:
            hold = given["route_hold_down_time"]
            if hold is not None and (not isinstance(hold, dict) or set(hold) - {"value"}):
                raise InvalidApiCall('route_hold_down_time must be {"value": seconds} or null.')
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
                raise InvalidApiCall(f"l3_mode must be an object with {', '.join(_L3_FIELDS)}.")
            for key in _L3_FIELDS:
                if key in l3:
                    if key == "enable":
                        new["l3_mode"][key] = _bool(key, l3)
                    elif not isinstance(l3[key], str):
                        raise InvalidValue(f"l3_mode.{key} must be a string.")
                    else:
                        new["l3_mode"][key] = l3[key]
        if "mode" in given:
            new["mode"] = self._parse_mode(given["mode"])
        return new

    def _parse_mode(self, mode: Any) -> dict[str, Any]:
        if not isinstance(mode, dict):
            raise InvalidApiCall(
                'mode must be an object: {} (HA off) or {"active_standby": {...}}.'
            )
        if not mode:
            return {}
        if len(mode) > 1:
            raise InvalidValue(
                f"Only one High Availability mode may be set, got {', '.join(mode)}."
            )
        ((kind, fields),) = mode.items()
        if kind not in HA_MODES:
            raise InvalidApiCall(
                f"Unknown High Availability mode '{kind}' (expected {' or '.join(HA_MODES)})."
            )
        if not isinstance(fields, dict):
            raise InvalidApiCall(f"mode.{kind} must be an object.")
        unknown = set(fields) - self.fw.mode_fields(kind)
        if unknown:
            raise InvalidApiCall(
                f"Unknown field(s) in mode.{kind} for {self.firmware}:"
                f" {', '.join(sorted(unknown))}."
            )
        if "primary_serial" in fields and normalize_serial(fields["primary_serial"]) != self.serial:
            raise InvalidValue(
                f"primary_serial {fields['primary_serial']!r} is not this unit's serial number."
            )
        if "secondary_serial" not in fields:
            raise InvalidValue("secondary_serial (the Backup's serial number) is required.")
        serial = normalize_serial(fields["secondary_serial"])
        if serial is None:
            raise InvalidValue(
                f"secondary_serial {fields['secondary_serial']!r} is not a serial number "
                "(12 hexadecimal digits)."
            )
        if serial == self.serial:
            raise InvalidValue(
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
            raise InvalidValue(
                f"The HA data interface must differ from the HA control interface (both {data})."
            )
        if data is None and flags.get("stateful_synchronization"):
            raise InvalidValue("stateful_synchronization requires a data_interface (HA data link).")
        if data is None and kind == "active_active_dpi":
            raise InvalidValue("Active/Active DPI mode requires a data_interface (HA data link).")
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
            raise InvalidValue(
                'Active/Active DPI mode requires dpi_interface: [{"id": 1, "interface": ...}].'
            )
        item = value[0]
        if set(item) - {"id", "interface"} or item.get("id") != 1:
            raise InvalidApiCall('dpi_interface items are {"id": 1, "interface": NAME}.')
        name = self._mode_interface(item, "interface", required=True)
        if name in (control, data):
            raise InvalidValue(
                f"The Active/Active DPI interface {name} must differ from the HA control and"
                " data interfaces."
            )
        return [{"id": 1, "interface": name}]

    def _mode_interface(self, fields: dict[str, Any], key: str, *, required: bool) -> str | None:
        value = fields.get(key)
        if value is None or value == "":
            if required:
                raise InvalidValue(f"{key} is required.")
            return None
        if not isinstance(value, str):
            raise InvalidValue(f"{key} must be an interface name such as X4.")
        name = self._canonical(value)
        if name is None:
            raise InvalidValue(f"{key}: interface '{value}' does not exist on this unit.")
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
                    raise InvalidValue(
                        f"Interface {name} is in zone {zone}; the HA {role} interface "
                        "must be in zone Unassigned."
                    )
