"""HaMonitoring: inputs <-> one interface's HA monitoring entry on the Primary.

The entry (`/high-availability/monitoring/ipv4/interface/{NAME}`, O70/O72) holds
each unit's own monitoring address on that interface: `primary` (the Primary's),
`secondary` (the Backup's), whether management is allowed on them, link
monitoring and the logical probe. It lives on the Primary and reaches the Backup
when the pair synchronizes. After pairing the Backup answers management only at
its `secondary` address on an interface with management allowed, so `backup_ip`
is the address to give as `backup_host` to HaPair and HaInterface.

An unset address reads "" or "0.0.0.0" (appliance-api.md): both are "not set",
which `read` reports as None for `logical_probe_ip` (probing off).
"""

from __future__ import annotations

import copy
import ipaddress
from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, InvalidValue, Schema
from .ha_interface import wire
from .setup import PRIMARY_SERIAL, SETUP_HOST, setup_host_rules

UNSET_ADDRESSES = ("", "0.0.0.0")
_IPV4_TEXT = "an IPv4 address such as 192.168.168.10 (not 0.0.0.0)"

# The keys of an entry this resource owns; `name` names it, the rest (7.2's
# override_virtual_mac...) goes back as read.
OWNED = ("link_monitoring", "primary", "secondary", "allow_management", "logical_probe")


@schema.accepting(_IPV4_TEXT)
def ipv4(value: str) -> str:
    """A unicast IPv4 address in its canonical dotted form (`010.0.0.1` is refused)."""
    text = value.strip()
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        raise InvalidValue(f"must be {_IPV4_TEXT}, got {value!r}") from None
    if address.is_unspecified or address.is_multicast or text == "255.255.255.255":
        raise InvalidValue(f"must be {_IPV4_TEXT}, got {value!r}")
    return str(address)


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    label = SCHEMA.label(inputs)
    yield from setup_host_rules(inputs, label)
    if inputs["primary_ip"] == inputs["backup_ip"]:
        yield Failure(
            "backup_ip",
            f"{label}: backup_ip is the same address as primary_ip ({inputs['backup_ip']});"
            " each unit needs its own monitoring address: set backup_ip to the Backup's",
        )
    probe = inputs.get("logical_probe_ip")
    if probe is not None and probe in (inputs["primary_ip"], inputs["backup_ip"]):
        yield Failure(
            "logical_probe_ip",
            f"{label}: logical_probe_ip {probe} is one of the pair's own monitoring addresses;"
            " set it to a host beyond the interface (e.g. the gateway), or leave it out",
        )


SCHEMA = Schema(
    resource="HaMonitoring",
    fields=(
        Field("primary_host", str, replace=True, normalize=schema.host, observed=False),
        PRIMARY_SERIAL,
        SETUP_HOST,
        Field("interface", str, replace=True, normalize=schema.interface),
        Field("primary_ip", str, normalize=ipv4),
        Field("backup_ip", str, normalize=ipv4),
        Field("allow_management", bool, default=True),
        Field("link_monitoring", bool, default=True),
        Field("logical_probe_ip", str, default=None, normalize=ipv4),
    ),
    rules=(_rules,),
)


def _address(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return None if text in UNSET_ADDRESSES else text


def inputs_from_api(entry: dict[str, Any]) -> dict[str, Any]:
    """What the unit holds, in check's form (the one normalization `read` shares)."""
    probe = entry.get("logical_probe") or {}
    return {
        "primary_ip": _address(entry.get("primary")),
        "backup_ip": _address(entry.get("secondary")),
        "allow_management": bool(entry.get("allow_management")),
        "link_monitoring": bool(entry.get("link_monitoring")),
        "logical_probe_ip": _address(probe.get("ip")) if probe.get("enable") else None,
    }


def backup_address(entry: dict[str, Any]) -> str | None:
    """The address where the Backup answers management by this entry (its own
    monitoring address with management allowed), or None."""
    observed = inputs_from_api(entry)
    return observed["backup_ip"] if observed["allow_management"] else None


def shown_unset(entry: dict[str, Any]) -> str | None:
    """How this entry spells "not set", when it shows an unset address (None if not)."""
    probe = entry.get("logical_probe") or {}
    for value in (entry.get("primary"), entry.get("secondary"), probe.get("ip")):
        if value in UNSET_ADDRESSES:
            return str(value)
    return None


def unset_spelling(entry: dict[str, Any], others: Iterable[dict[str, Any]] = ()) -> str:
    """How this unit spells "not set" ("" or "0.0.0.0": the vendor's material shows both
    and says which release uses which nowhere): the spelling its own answers used, this
    entry's or else another interface's, so a write sends nothing the unit did not show;
    "0.0.0.0" only when no entry shows one."""
    for candidate in (entry, *others):
        found = shown_unset(candidate)
        if found is not None:
            return found
    return "0.0.0.0"


def desired_entry(current: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """The whole entry as read, with the keys our inputs own set (a PUT replaces it)."""
    entry = wire(copy.deepcopy(current))
    unset = unset_spelling(current)
    probe = dict(entry.get("logical_probe") or {})
    if inputs.get("logical_probe_ip"):
        probe.update(enable=True, ip=inputs["logical_probe_ip"])
    else:
        probe.update(enable=False, ip=probe.get("ip", unset) or unset)
    entry.update(
        primary=inputs["primary_ip"],
        secondary=inputs["backup_ip"],
        allow_management=bool(inputs["allow_management"]),
        link_monitoring=bool(inputs["link_monitoring"]),
        logical_probe=probe,
    )
    return entry


def cleared_entry(current: dict[str, Any], unset: str | None = None) -> dict[str, Any]:
    """The entry with nothing monitored: addresses unset (as `unset`, by default as the
    entry spells it), management and link monitoring off, no probe (what delete leaves
    when nothing was there before)."""
    entry = wire(copy.deepcopy(current))
    unset = unset if unset is not None else unset_spelling(current)
    entry.update(
        primary=unset,
        secondary=unset,
        allow_management=False,
        link_monitoring=False,
        logical_probe={**(entry.get("logical_probe") or {}), "enable": False, "ip": unset},
    )
    return entry


def restored_entry(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """The entry as read now, with the owned keys as they were before this resource
    first wrote them."""
    entry = wire(copy.deepcopy(current))
    entry.update({key: wire(copy.deepcopy(previous[key])) for key in OWNED if key in previous})
    return entry


def owned_part(entry: dict[str, Any]) -> dict[str, Any]:
    """The keys this resource owns, as read (kept as `previous_entry` for delete)."""
    return {key: wire(copy.deepcopy(entry[key])) for key in OWNED if key in entry}


def is_configured(entry: dict[str, Any]) -> bool:
    """Whether someone set monitoring on this interface (anything but the cleared form)."""
    observed = inputs_from_api(entry)
    return bool(
        observed["primary_ip"]
        or observed["backup_ip"]
        or observed["allow_management"]
        or observed["link_monitoring"]
        or observed["logical_probe_ip"]
    )


def differs(current: dict[str, Any], inputs: dict[str, Any]) -> list[str]:
    """The inputs whose value the unit does not hold (empty: nothing to write)."""
    observed = inputs_from_api(current)
    return [key for key, value in observed.items() if inputs.get(key) != value]
