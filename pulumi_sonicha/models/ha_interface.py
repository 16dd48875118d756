"""HaInterface: inputs <-> the `ipv4` interface objects of the two units.

The HA link must be in zone Unassigned on both units. That requirement is
declared as two inputs, `primary_zone` and `backup_zone`, whose only allowed
value is "Unassigned": `read` reports the zones it observes there, so a zone
set back by hand shows as a diff on the one unit it touched (e.g.
`primary_zone: "DMZ" => "Unassigned"`) and the next update puts it right.
Link status is operational state, not configuration: it is an output only.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, InvalidValue, Schema
from .setup import PRIMARY_SERIAL, SETUP_HOST, setup_host_rules

UNASSIGNED = "Unassigned"
PURPOSES = ("data", "control")
LINK_DOWN = "No link"

# The two units, as keys in inputs/outputs ("primary_host") and as the administrator names them.
ROLES = ("primary", "backup")
ROLE_NAMES = {"primary": "Primary", "backup": "Backup"}


@schema.accepting(f'"{UNASSIGNED}" (an HA link carries no zone)')
def unassigned_zone(value: str) -> str:
    """The zone inputs accept one value, "Unassigned" (any case)."""
    if value.strip().lower() != UNASSIGNED.lower():
        raise InvalidValue(
            f'must be "{UNASSIGNED}" (an HA link carries no zone), got {value!r};'
            " leave it out, and set unassign_zone=true to have the zone removed"
        )
    return UNASSIGNED


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    label = SCHEMA.label(inputs)
    yield from schema.backup_host_is_another_unit(inputs, label)
    yield from setup_host_rules(inputs, label)


SCHEMA = Schema(
    resource="HaInterface",
    fields=(
        Field("primary_host", str, replace=True, normalize=schema.host, observed=False),
        PRIMARY_SERIAL,
        SETUP_HOST,
        Field("backup_host", str, replace=True, normalize=schema.host, observed=False),
        Field("interface", str, replace=True, normalize=schema.interface),
        Field("purpose", str, default="data", choices=PURPOSES, observed=False),
        Field("unassign_zone", bool, default=False, observed=False),
        Field("require_link", bool, default=True, observed=False),
        Field("primary_zone", str, default=UNASSIGNED, normalize=unassigned_zone),
        Field("backup_zone", str, default=UNASSIGNED, normalize=unassigned_zone),
    ),
    rules=(_rules,),
)


def by_unit(
    remembered: dict[str, Any] | None, olds: dict[str, Any], serials: dict[str, str]
) -> dict[str, Any]:
    """What was remembered per role (`previous_zones`, `previous_ip_assignments`), keyed
    by the roles the units have now: it belongs to a unit, found by its serial, so when
    primary and backup exchange roles each unit keeps its own original zone."""
    by_serial = {
        olds.get(f"{role}_serial") or role: value for role, value in (remembered or {}).items()
    }
    return {
        role: by_serial[serials[role]] if serials[role] in by_serial else by_serial[role]
        for role in ROLES
        if serials[role] in by_serial or role in by_serial
    }


# -- interface objects ---------------------------------------------------------


def zone_of(ipv4: dict[str, Any]) -> str:
    """The zone of an `ipv4` object; no zone key and "Unassigned" (any case) are alike."""
    zone = (ipv4.get("ip_assignment") or {}).get("zone")
    if not zone or str(zone).strip().lower() == UNASSIGNED.lower():
        return UNASSIGNED
    return str(zone)


def ip_assignment_of(ipv4: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(ipv4.get("ip_assignment") or {})


def link_up(status: str | None) -> bool:
    """Whether a `primary_link`/`backup_link` output says the link is up: the client
    reports "No link" whenever the unit's status list says not `connected`."""
    return bool(status) and str(status).strip().lower() != LINK_DOWN.lower()


def unassigned(ipv4: dict[str, Any]) -> dict[str, Any]:
    """The whole `ipv4` object as read, with its zone set to Unassigned (`ip_assignment`
    empty). Whole, because a PUT replaces the interface: every other setting
    (management, MTU, comment...) must go back as it was."""
    return {**wire(copy.deepcopy(ipv4)), "ip_assignment": {}}


def restored(ipv4: dict[str, Any], ip_assignment: dict[str, Any]) -> dict[str, Any]:
    """The whole `ipv4` object as read, with a previous zone and IP settings put back."""
    return {**wire(copy.deepcopy(ipv4)), "ip_assignment": wire(ip_assignment)}


def wire(value: Any) -> Any:
    """State hands numbers back as floats (24 -> 24.0); the API wants ints."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [wire(v) for v in value]
    return value
