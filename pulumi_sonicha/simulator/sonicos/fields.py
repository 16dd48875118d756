"""Values and field checks the unit's API families share: constants, interface
defaults, integer/boolean/address checks, and the HA status document's helpers."""

from __future__ import annotations

import copy
from typing import Any

from ..firmware import DEFAULT_FIRMWARE, FIRMWARES, Firmware
from .exceptions import InvalidApiCall, InvalidValue

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
        raise InvalidApiCall(
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
        raise InvalidApiCall("ip_assignment must be an object.")
    unknown = set(given) - {"zone", "mode"}
    if unknown:
        raise InvalidApiCall(f"Unknown ip_assignment field(s): {', '.join(sorted(unknown))}.")
    zone = given.get("zone")
    if zone is None or zone == UNASSIGNED:
        return {}
    if not isinstance(zone, str) or not zone.strip():
        raise InvalidValue("zone must be a zone name such as LAN, or omitted for Unassigned.")
    result: dict[str, Any] = {"zone": zone}
    mode = given.get("mode")
    if mode is not None:
        if not isinstance(mode, dict):
            raise InvalidValue('ip_assignment.mode must be an object such as {"static": {...}}.')
        result["mode"] = copy.deepcopy(mode)
    return result


def _int_in_range(name: str, value: Any, low: int = 0, high: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(f"{name} must be an integer, got {value!r}.")
    if not low <= value <= high:
        raise InvalidValue(f"{name} {value} is out of range ({low}..{high}).")
    return value


def _bool(name: str, fields: dict[str, Any]) -> bool:
    value = fields[name]
    if not isinstance(value, bool):
        raise InvalidValue(f"{name} must be true or false, got {value!r}.")
    return value


def _state(primary: str, secondary: str, up_time: str, status: str | None = None) -> dict[str, Any]:
    """A `/reporting/high-availability` answer seen from the Primary."""
    return {
        "status": status or f"Primary {_steady(primary)}",
        "primary_state": primary,
        "secondary_state": secondary,
        "active_up_time": up_time,
    }
