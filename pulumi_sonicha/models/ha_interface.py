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
from ..schema import About, Failure, Field, InvalidValue, Output, Schema
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


_ZONE_DOC = (
    'The zone the link must have on the {unit}. Leave it out: only "Unassigned" is'
    " accepted; read reports the zone the {unit} has, so a zone given by hand shows as"
    " drift here and the next update puts it right."
)

SCHEMA = Schema(
    resource="HaInterface",
    fields=(
        Field(
            "primary_host",
            str,
            replace=True,
            normalize=schema.host,
            observed=False,
            doc="The Primary's management address (HTTPS): its own HA monitoring address,"
            " which stays its own after pairing and after a failover.",
        ),
        PRIMARY_SERIAL,
        SETUP_HOST,
        Field(
            "backup_host",
            str,
            replace=True,
            normalize=schema.host,
            observed=False,
            doc="The Backup's management address (HTTPS).",
        ),
        Field(
            "interface",
            str,
            replace=True,
            normalize=schema.interface,
            doc='The HA link\'s port, the same name on both units (e.g. "X4").',
        ),
        Field(
            "purpose",
            str,
            default="data",
            choices=PURPOSES,
            observed=False,
            doc="What the link will carry: the HA data link or the HA control link.",
        ),
        Field(
            "unassign_zone",
            bool,
            default=False,
            observed=False,
            doc="False: fail when the port has a zone on either unit, naming the zone and the"
            " unit. True: set it to Unassigned on both units; delete puts the old zone back.",
        ),
        Field(
            "require_link",
            bool,
            default=True,
            observed=False,
            doc="Fail unless the link is up on both units (cable the two ports directly, unit"
            " to unit).",
        ),
        Field(
            "primary_zone",
            str,
            default=UNASSIGNED,
            normalize=unassigned_zone,
            doc=_ZONE_DOC.format(unit="Primary"),
        ),
        Field(
            "backup_zone",
            str,
            default=UNASSIGNED,
            normalize=unassigned_zone,
            doc=_ZONE_DOC.format(unit="Backup"),
        ),
    ),
    rules=(_rules,),
    outputs=(
        Output("primary_serial", "str", "The Primary's serial number (12 upper-case hex digits)."),
        Output("primary_serial_declared", "bool", "Whether the program declared primary_serial."),
        Output("backup_serial", "str", "The Backup's serial number."),
        Output(
            "primary_link",
            "str",
            'Link status of the port on the Primary (a speed, or "No link").',
        ),
        Output("backup_link", "str", "Link status of the port on the Backup."),
        Output(
            "previous_zones",
            "dict[str, str]",
            "The zone per unit before this resource unassigned it (empty if none).",
        ),
        Output(
            "previous_ip_assignments",
            "dict[str, dict[str, Any]]",
            "The IP settings per unit that delete puts back.",
        ),
    ),
    about=About(
        summary="The HA link: the same interface on both units (e.g. X4), zone Unassigned on"
        " both, the two ports cabled directly.",
        id="`<primary_serial>/<interface>`.",
        replacement="A new `primary_host`, `backup_host` or `interface` replaces the resource,"
        " deleting the old one first: a unit holds one zone per port.",
        delete="Puts back the zone and IP settings each unit had before this resource first"
        " unassigned the port (nothing, when it found the port Unassigned). It touches only a"
        " unit whose port is still as this resource left it (Unassigned, and not set by"
        " another resource in the same run). A unit that cannot be reached, or refuses its old"
        " zone back, is reported as a warning and the delete completes, leaving the port"
        " Unassigned.",
        details="Both units are checked before anything is written, and each unit commits"
        " once: when the second commit fails, the first unit is put back, so a failed apply"
        " changes neither unit. Link status is operational state, not configuration: it is"
        " an output only.",
    ),
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
