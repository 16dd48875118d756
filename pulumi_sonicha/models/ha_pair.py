"""HaPair: inputs <-> the `high_availability` object of SonicOS.

`settings_from_api` reads back every observed input from the object
`desired_settings` writes, so a refresh of an unchanged pair returns exactly
what `check` made of the program's inputs, and a hand-made change on the
appliance shows as a diff on the one input it touched.

A PUT replaces the whole object (GUIDE), so writes are read-modify-write:
`desired_settings` starts from the object the unit just answered and changes
only the keys our inputs own, keeping every other field (`route_hold_down_time`,
`l3_mode`, `primary_serial`...) exactly as read, and never adds a field the
unit's own GET did not show.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, Schema
from .setup import PRIMARY_SERIAL, SETUP_HOST, setup_host_rules

MODES = ("active-standby", "active-active-dpi")
ON_DELETE = ("disable", "retain")

# Our input name -> API mode key.
MODE_KEYS = {"active-standby": "active_standby", "active-active-dpi": "active_active_dpi"}

#: Modes seen on real units (QA: vendor-style test code) that this provider reads but never
#: writes: HA is on in them, and an apply refuses rather than overwrite them.
UNMANAGED_MODE_KEYS = ("active_active_clustering", "active_active_clustering_dpi")

# Inputs that live inside the API's `mode.<key>` object.
MODE_FLAGS = ("stateful_synchronization", "preempt", "virtual_mac", "encryption")


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    label = SCHEMA.label(inputs)
    yield from schema.backup_host_is_another_unit(inputs, label)
    yield from setup_host_rules(inputs, label)
    data = inputs.get("data_interface")
    if data is None and inputs["stateful_synchronization"]:
        yield Failure(
            "data_interface",
            f"{label}: data_interface is required when stateful_synchronization is true;"
            " name the HA data link (e.g. X4), different from control_interface",
        )
    if data is None and inputs["mode"] == "active-active-dpi":
        yield Failure(
            "data_interface",
            f'{label}: data_interface is required when mode is "active-active-dpi";'
            " name the HA data link (e.g. X4), different from control_interface",
        )
    if data is not None and data == inputs["control_interface"]:
        yield Failure(
            "data_interface",
            f"{label}: data_interface must differ from control_interface ({data});"
            " use two separate links between the units",
        )
    dpi = inputs.get("dpi_interface")
    if inputs["mode"] == "active-active-dpi":
        if dpi is None:
            yield Failure(
                "dpi_interface",
                f'{label}: dpi_interface is required when mode is "active-active-dpi";'
                " name the Active/Active DPI link (e.g. X6), different from the control and"
                " data links",
            )
        elif dpi in (inputs["control_interface"], data):
            yield Failure(
                "dpi_interface",
                f"{label}: dpi_interface must differ from control_interface and data_interface"
                f" ({dpi}); use a third link between the units",
            )
        if inputs["stateful_synchronization"]:
            yield Failure(
                "stateful_synchronization",
                f'{label}: mode "active-active-dpi" has no stateful_synchronization (the'
                " vendor's API defines none there); leave it out or use mode"
                ' "active-standby"',
            )
    elif dpi is not None:
        yield Failure(
            "dpi_interface",
            f'{label}: dpi_interface applies to mode "active-active-dpi" only; leave it out'
            ' or set mode="active-active-dpi"',
        )


SCHEMA = Schema(
    resource="HaPair",
    fields=(
        Field("primary_host", str, replace=True, normalize=schema.host, observed=False),
        PRIMARY_SERIAL,
        SETUP_HOST,
        Field("backup_host", str, default=None, normalize=schema.host, observed=False),
        Field("backup_serial", str, normalize=schema.serial),
        Field("mode", str, default="active-standby", choices=MODES),
        Field("control_interface", str, normalize=schema.interface),
        Field("data_interface", str, default=None, normalize=schema.interface),
        Field("dpi_interface", str, default=None, normalize=schema.interface),
        Field("stateful_synchronization", bool, default=False),
        Field("preempt", bool, default=False),
        Field("virtual_mac", bool, default=False),
        Field("encryption", bool, default=False),
        Field("heartbeat_interval_ms", int, default=1000, minimum=1000, maximum=300000, unit="ms"),
        Field(
            "failover_trigger_level",
            int,
            default=5,
            minimum=4,
            maximum=99,
            unit="missed heartbeats",
        ),
        Field("probe_interval_s", int, default=20, minimum=5, maximum=255, unit="seconds"),
        Field("probe_count", int, default=3, minimum=3, maximum=10),
        Field("election_delay_s", int, default=3, minimum=3, maximum=255, unit="seconds"),
        Field("include_certificates_keys", bool, default=True),
        Field("wait_for_sync", bool, default=True, observed=False),
        Field(
            "sync_timeout_s",
            int,
            default=600,
            minimum=1,
            maximum=86400,
            unit="seconds",
            observed=False,
        ),
        Field("on_delete", str, default="disable", choices=ON_DELETE, observed=False),
    ),
    rules=(_rules,),
)

OBSERVED = [f.name for f in SCHEMA.fields if f.observed]


def supports_virtual_mac(current_api: dict[str, Any], firmware_version: str) -> bool:
    """Whether the unit has `virtual_mac` (7.2 does, 7.0.1 does not): its own mode object
    says so when HA is on; with HA off, its firmware release decides."""
    for body in (current_api.get("mode") or {}).values():
        if isinstance(body, dict):
            return "virtual_mac" in body
    return _release(firmware_version) >= (7, 2)


def _release(firmware_version: str) -> tuple[int, ...]:
    """ "7.2.0-7015" -> (7, 2, 0); unparsable -> (0,)."""
    numbers = firmware_version.split("-")[0].split(".")
    try:
        return tuple(int(n) for n in numbers)
    except ValueError:
        return (0,)


def desired_settings(
    current_api: dict[str, Any], inputs: dict[str, Any], virtual_mac: bool
) -> dict[str, Any]:
    """The whole `high_availability` object to PUT: what the unit answered, with the keys
    our inputs own set to them. `virtual_mac`: whether the unit has that field."""
    desired = copy.deepcopy(current_api)
    kind = MODE_KEYS[inputs["mode"]]
    current_mode = current_api.get("mode") or {}
    old_body = next((b for b in current_mode.values() if isinstance(b, dict)), {})
    body: dict[str, Any] = {}
    # Fields we do not manage (primary_serial, ...) stay as read, in mode-switches too.
    for key, value in old_body.items():
        if key not in _MANAGED_MODE_KEYS:
            body[key] = copy.deepcopy(value)
    body["secondary_serial"] = inputs["backup_serial"]
    if kind == "active_standby":
        body["stateful_synchronization"] = bool(inputs["stateful_synchronization"])
    body["control_interface"] = inputs["control_interface"]
    if inputs.get("data_interface"):
        body["data_interface"] = inputs["data_interface"]
    body["preempt"] = bool(inputs["preempt"])
    if virtual_mac:
        body["virtual_mac"] = bool(inputs["virtual_mac"])
    body["encryption"] = bool(inputs["encryption"])
    if kind == "active_active_dpi":
        body["dpi_interface"] = [{"id": 1, "interface": inputs["dpi_interface"]}]
    desired["mode"] = {kind: body}
    desired["heartbeat_interval"] = int(inputs["heartbeat_interval_ms"])
    desired["failover_trigger_level"] = int(inputs["failover_trigger_level"])
    desired["probe"] = {
        **(current_api.get("probe") or {}),
        "interval": int(inputs["probe_interval_s"]),
        "count": int(inputs["probe_count"]),
    }
    desired["election_delay_time"] = int(inputs["election_delay_s"])
    desired["include_certificates_keys"] = bool(inputs["include_certificates_keys"])
    return desired


_MANAGED_MODE_KEYS = {
    "secondary_serial",
    "stateful_synchronization",
    "control_interface",
    "data_interface",
    "preempt",
    "virtual_mac",
    "encryption",
    "dpi_interface",
}


def disabled_settings(current_api: dict[str, Any]) -> dict[str, Any]:
    """The whole object with HA off (`mode: {}`), every other field as read."""
    return {**copy.deepcopy(current_api), "mode": {}}


def ha_link_role(api: dict[str, Any], interface: str) -> str | None:
    """Which HA link ("control", "data", "Active/Active DPI") `interface` is in these HA
    settings (any mode, managed by us or not), or None."""
    name = interface.upper()
    for body in (api.get("mode") or {}).values():
        if not isinstance(body, dict):
            continue
        for role in ("control", "data"):
            if str(body.get(f"{role}_interface") or "").upper() == name:
                return role
        for item in body.get("dpi_interface") or []:
            if isinstance(item, dict) and str(item.get("interface") or "").upper() == name:
                return "Active/Active DPI"
    return None


def is_enabled(api: dict[str, Any]) -> bool:
    """Any non-empty `mode` means HA is on, in a mode we manage or not."""
    return mode_key(api) is not None


def mode_key(api: dict[str, Any]) -> str | None:
    """The API key of the unit's HA mode (`active_standby`, `active_active_clustering`...),
    None when HA is off (`mode: {}`)."""
    mode = api.get("mode") or {}
    if not isinstance(mode, dict):
        return None
    return next((str(key) for key in mode), None)


def unmanaged_mode(api: dict[str, Any]) -> str | None:
    """The API key of an HA mode that is on but that this provider does not manage (e.g.
    `active_active_clustering`), or None."""
    key = mode_key(api)
    return key if key is not None and key not in MODE_KEYS.values() else None


def mode_name(key: str) -> str:
    """An API mode key in the words of our `mode` input: `active_active_clustering` ->
    "active-active-clustering" (read reports a mode we do not manage so, never "off")."""
    return key.replace("_", "-")


def settings_from_api(api: dict[str, Any]) -> dict[str, Any]:
    """The `high_availability` object -> observed inputs, normalized as `check` does.

    With HA off (`mode: {}`) the mode inputs come back as None. A flag the unit's
    firmware does not have (virtual_mac on 7.0.1, stateful_synchronization in
    Active/Active DPI) reads as False, its input's default.
    """
    mode_obj = api.get("mode") or {}
    key = mode_key(api)
    name = mode_name(key) if key else None
    body = (mode_obj.get(key) if key else None) or {}
    body = body if isinstance(body, dict) else {}
    probe = api.get("probe") or {}
    data = body.get("data_interface") or None
    secondary = body.get("secondary_serial")
    control = body.get("control_interface")
    dpi_items = body.get("dpi_interface") or []
    dpi = dpi_items[0].get("interface") if dpi_items and isinstance(dpi_items[0], dict) else None
    return {
        "backup_serial": schema.normalize_serial(str(secondary)) if secondary else None,
        "mode": name,
        "control_interface": str(control).upper() if control else None,
        "data_interface": data.upper() if isinstance(data, str) else None,
        "dpi_interface": dpi.upper() if isinstance(dpi, str) and dpi else None,
        **{flag: bool(body.get(flag, False)) if name else None for flag in MODE_FLAGS},
        "heartbeat_interval_ms": int(api.get("heartbeat_interval", 1000)),
        "failover_trigger_level": int(api.get("failover_trigger_level", 5)),
        "probe_interval_s": int(probe.get("interval", 20)),
        "probe_count": int(probe.get("count", 3)),
        "election_delay_s": int(api.get("election_delay_time", 3)),
        "include_certificates_keys": bool(api.get("include_certificates_keys", True)),
    }


def differs(current_api: dict[str, Any], inputs: dict[str, Any]) -> list[str]:
    """The observed inputs whose value on the unit differs from the declared one."""
    observed = settings_from_api(current_api)
    return [name for name in observed if not schema.same_value(observed[name], inputs.get(name))]


#: States a unit reports (GUIDE): NONE means HA off, or no heartbeats from the peer.
STATES = ("ACTIVE", "STANDBY", "ELECTION", "SYNC", "ERROR", "REBOOT", "NONE")


def status_outputs(status: dict[str, Any]) -> dict[str, Any]:
    """`GET /reporting/high-availability` -> our outputs. There is no `synchronized` key:
    the pair is synchronized when one unit is ACTIVE and the other STANDBY."""
    primary = str(status.get("primary_state", "")).strip().upper()
    backup = str(status.get("secondary_state", "")).strip().upper()
    return {
        "ha_status": str(status.get("status", "")).strip(),
        "primary_state": primary,
        "backup_state": backup,
        "synchronized": {primary, backup} == {"ACTIVE", "STANDBY"},
    }
