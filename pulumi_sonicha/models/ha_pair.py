"""HaPair: inputs <-> the `high_availability` object of SonicOS.

`settings_from_api` is the inverse of `settings_to_api` for every observed
input, so a refresh of an unchanged pair returns exactly what `check` made of
the program's inputs, and a hand-made change on the appliance shows as a diff
on the one input it touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import schema
from ..schema import Failure, Field, Schema

MODES = ("active-standby", "active-active-dpi")
ON_DELETE = ("disable", "retain")

# Our input name -> API mode key.
MODE_KEYS = {"active-standby": "active_standby", "active-active-dpi": "active_active_dpi"}

# Inputs that live inside the API's `mode.<key>` object.
MODE_FLAGS = ("stateful_synchronization", "preempt", "virtual_mac", "encryption")


def _rules(inputs: dict[str, Any]) -> Iterable[Failure]:
    label = SCHEMA.label(inputs)
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


SCHEMA = Schema(
    resource="HaPair",
    fields=(
        Field("primary_host", str, replace=True, normalize=schema.host, observed=False),
        Field("primary_serial", str, default=None, normalize=schema.serial, expectation=True),
        Field("backup_host", str, default=None, normalize=schema.host, observed=False),
        Field("backup_serial", str, normalize=schema.serial),
        Field("mode", str, default="active-standby", choices=MODES),
        Field("control_interface", str, normalize=schema.interface),
        Field("data_interface", str, default=None, normalize=schema.interface),
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


def settings_to_api(inputs: dict[str, Any]) -> dict[str, Any]:
    """Checked inputs -> the full `high_availability` object."""
    mode_body: dict[str, Any] = {
        "secondary_serial": inputs["backup_serial"],
        "control_interface": inputs["control_interface"],
    }
    if inputs.get("data_interface"):
        mode_body["data_interface"] = inputs["data_interface"]
    for flag in MODE_FLAGS:
        mode_body[flag] = bool(inputs[flag])
    return {
        "mode": {MODE_KEYS[inputs["mode"]]: mode_body},
        "heartbeat_interval": int(inputs["heartbeat_interval_ms"]),
        "failover_trigger_level": int(inputs["failover_trigger_level"]),
        "probe": {
            "interval": int(inputs["probe_interval_s"]),
            "count": int(inputs["probe_count"]),
        },
        "election_delay_time": int(inputs["election_delay_s"]),
        "include_certificates_keys": bool(inputs["include_certificates_keys"]),
    }


def is_enabled(api: dict[str, Any]) -> bool:
    mode = api.get("mode") or {}
    return any(key in mode for key in MODE_KEYS.values())


def settings_from_api(api: dict[str, Any]) -> dict[str, Any]:
    """The `high_availability` object -> observed inputs, normalized as `check` does.

    With HA off (`mode: {}`) the mode inputs come back as None.
    """
    mode_obj = api.get("mode") or {}
    mode_name = next((name for name, key in MODE_KEYS.items() if key in mode_obj), None)
    body = (mode_obj.get(MODE_KEYS[mode_name]) if mode_name else None) or {}
    probe = api.get("probe") or {}
    data = body.get("data_interface") or None
    secondary = body.get("secondary_serial")
    control = body.get("control_interface")
    return {
        "backup_serial": schema.normalize_serial(str(secondary)) if secondary else None,
        "mode": mode_name,
        "control_interface": str(control).upper() if control else None,
        "data_interface": data.upper() if isinstance(data, str) else None,
        **{flag: bool(body.get(flag, False)) if mode_name else None for flag in MODE_FLAGS},
        "heartbeat_interval_ms": int(api.get("heartbeat_interval", 1000)),
        "failover_trigger_level": int(api.get("failover_trigger_level", 5)),
        "probe_interval_s": int(probe.get("interval", 20)),
        "probe_count": int(probe.get("count", 3)),
        "election_delay_s": int(api.get("election_delay_time", 3)),
        "include_certificates_keys": bool(api.get("include_certificates_keys", True)),
    }


# API top-level key -> the inputs it carries. A key is written when any of them differs.
_API_GROUPS: dict[str, tuple[str, ...]] = {
    "mode": ("backup_serial", "mode", "control_interface", "data_interface", *MODE_FLAGS),
    "heartbeat_interval": ("heartbeat_interval_ms",),
    "failover_trigger_level": ("failover_trigger_level",),
    "probe": ("probe_interval_s", "probe_count"),
    "election_delay_time": ("election_delay_s",),
    "include_certificates_keys": ("include_certificates_keys",),
}


def changed_settings(current_api: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """The part of the desired object to PUT: only the top-level keys whose inputs differ
    (PUT keeps omitted advanced fields), `mode` and `probe` whole. Empty: nothing to write."""
    observed = settings_from_api(current_api)
    desired = settings_to_api(inputs)
    return {
        key: desired[key]
        for key, names in _API_GROUPS.items()
        if any(not schema.same_value(observed[name], inputs[name]) for name in names)
    }


def status_outputs(status: dict[str, Any]) -> dict[str, Any]:
    """The HA status report -> our outputs (absent `synchronized`: STANDBY means synced)."""
    backup_state = str(status.get("secondary_state", "")).upper()
    synchronized = status.get("synchronized")
    if synchronized is None:
        synchronized = backup_state == "STANDBY"
    return {
        "ha_status": str(status.get("status", "")).upper(),
        "primary_state": str(status.get("primary_state", "")).upper(),
        "backup_state": backup_state,
        "synchronized": bool(synchronized),
    }
