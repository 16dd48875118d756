"""The SonicOS API as the provider uses it: every endpoint, its request and its answer.

Written from /work/shared/spec/appliance-api.md and the vendor sources it names
(O70: SonicOS 7.0.1 OpenAPI, O72: SonicOS 7.2 OpenAPI, VEN: the vendor's
scripts, LIVE: a recorded login), as JSON Schema (draft 2020-12, checked with
the `jsonschema` package). `conftest.py` validates every request that reaches a
simulated unit and every answer it gives, across the whole suite, against this
module: a new field or path cannot slip in unchecked.

To add an endpoint, append an `Endpoint` to `endpoints()`. Objects list their fields with
`additionalProperties: false` wherever the vendor lists them, so a field the
vendor does not define is a violation; numbers are integers (the units answer
400 to 5.0, and Pulumi hands numbers over as floats).

Where the sources are silent the schema says so in a comment ("ours").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

STRING = {"type": "string"}
BOOL = {"type": "boolean"}
INT = {"type": "integer"}
ANY: dict[str, Any] = {}
#: O72 answers booleans where O70 answers "true"/"false" strings.
BOOL_OR_TEXT = {"type": ["boolean", "string"]}

STATES = ["ACTIVE", "STANDBY", "ELECTION", "SYNC", "ERROR", "REBOOT", "NONE"]  # GUIDE


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A closed object: only the listed fields."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


EMPTY_OBJECT = obj({})

# -- envelope (GUIDE, O72, LIVE) ----------------------------------------------------------

CLI = obj(
    {
        "depth": INT,
        "mode": STRING,
        "command": STRING,
        "configuring": BOOL,
        "pending_config": BOOL,
        # "NONE" or what needs a restart (GUIDE); a boolean in O72's system status.
        "restart_required": {"type": ["string", "boolean"]},
    }
)

INFO = obj(
    {
        "level": STRING,
        "code": STRING,
        "message": STRING,
        # The login answer (LIVE).
        "auth_code": STRING,
        "config_mode": {"enum": ["Yes", "No"]},
        "read_only": {"enum": ["Yes", "No"]},
        "privilege": STRING,
        "curr_config_type": STRING,
        "curr_config_ip": STRING,
        "model": STRING,
        "is_fw_managed_by_gms_actively": BOOL,
        "auto_ffw_upgrading": BOOL,
        "auto_upgrade_vers": STRING,
        "inactivity_timer": INT,
    },
    required=("level", "code", "message"),
)

ENVELOPE = obj(
    {
        "status": obj(
            {"success": BOOL, "cli": CLI, "info": {"type": "array", "items": INFO}},
            required=("success", "info"),
        )
    },
    required=("status",),
)

# -- system (O70/O72) ---------------------------------------------------------------------

VERSION = obj(
    {
        key: STRING
        for key in (
            "firmware_version",
            "rom_version",
            "safemode_version",
            "serial_number",
            "model",
            "system_time",
            "system_uptime",
            "last_modified_by",
        )
    },
    required=("firmware_version", "serial_number", "model"),
)

#: `GET /reporting/status/system` (O70/O72 `show_status_system_detail`): every field a
#: string in O70; O72 makes `global_mode` and `restart_required` booleans.
SYSTEM_STATUS = obj(
    {
        **{
            key: STRING
            for key in (
                "model",
                "product_code",
                "firewall_name",
                "guid",
                "serial_number",
                "authentication_code",
                "firmware_version",
                "safemode_version",
                "rom_version",
                "system_time",
                "up_time",
                "primary_wan",
                "peak_connections",
                "current_connections",
                "max_allowed_connections",
                "max_connections",
                "connection_usage",
                "last_modified_by",
                "assign_token",
                "registration_code",
                "service_remaining_message",
            )
        },
        "global_mode": BOOL_OR_TEXT,
        "restart_required": BOOL_OR_TEXT,
    }
)

# -- High Availability settings (O70/O72) -------------------------------------------------


def _mode_body(kind: str, virtual_mac: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "primary_serial": STRING,
        "secondary_serial": STRING,
        "control_interface": STRING,
        "data_interface": STRING,
        "preempt": BOOL,
        "encryption": BOOL,
    }
    if kind == "active_standby":
        fields["stateful_synchronization"] = BOOL
    else:  # O72: no stateful_synchronization, plus the DPI link
        fields["dpi_interface"] = {
            "type": "array",
            "items": obj({"id": INT, "interface": STRING}, required=("id", "interface")),
        }
    if virtual_mac:
        fields["virtual_mac"] = BOOL
    return obj(fields)


def ha_object(firmware: str) -> dict[str, Any]:
    """`high_availability` as `firmware` ("7.0.1" or "7.2") defines it."""
    is_72 = firmware != "7.0.1"
    fields: dict[str, Any] = {
        "heartbeat_interval": INT,
        "failover_trigger_level": INT,
        "probe": obj({"interval": INT, "count": INT}),
        "election_delay_time": INT,
        "route_hold_down_time": {"oneOf": [{"type": "null"}, obj({"value": INT})]},
        "sdwan_hold_down_time": INT,
        "include_certificates_keys": BOOL,
        "mode": {
            "oneOf": [
                EMPTY_OBJECT,  # HA off
                obj({"active_standby": _mode_body("active_standby", is_72)}, ("active_standby",)),
                obj(
                    {"active_active_dpi": _mode_body("active_active_dpi", is_72)},
                    ("active_active_dpi",),
                ),
                # QA (vendor-style test code) shows these modes on real units, with rank,
                # node_num, active_active_cluster_link...; no OpenAPI file lists their
                # fields, so the body is open. The provider reads them, never writes them.
                *(
                    obj({key: {"type": "object"}}, (key,))
                    for key in ("active_active_clustering", "active_active_clustering_dpi")
                ),
            ]
        },
    }
    if is_72:
        fields["failover_when_aggregate_down"] = BOOL
    else:
        fields["l3_mode"] = obj(
            {
                "enable": BOOL,
                "primary_ip": STRING,
                "secondary_ip": STRING,
                "primary_gateway": STRING,
                "secondary_gateway": STRING,
            }
        )
    return obj(fields)


def ha_document(firmware: str) -> dict[str, Any]:
    return obj({"high_availability": ha_object(firmware)}, required=("high_availability",))


HA_STATUS = obj(
    {
        # VEN/GUIDE: "Primary Active" ... "Secondary Standby"; the schema in O70/O72 is empty.
        "status": {"type": "string", "pattern": "^(Primary|Secondary) "},
        "primary_state": {"enum": STATES},
        "secondary_state": {"enum": STATES},
        "active_up_time": STRING,
    },
    required=("status", "primary_state", "secondary_state"),
)

# -- HA monitoring (O70/O72: ha_monitoring_ipv4, ha_monitoring_ipv4_collection) -------------


def monitoring_entry(firmware: str) -> dict[str, Any]:
    """One `ipv4` monitoring entry: O70 and O72 list the same fields, and O72 adds
    `override_virtual_mac` (its `mac` nullable: unset). Only `name` is required."""
    fields: dict[str, Any] = {
        "name": STRING,
        "link_monitoring": BOOL,
        "primary": STRING,
        "secondary": STRING,
        "allow_management": BOOL,
        "logical_probe": obj({"enable": BOOL, "ip": STRING}),
    }
    if firmware != "7.0.1":
        fields["override_virtual_mac"] = obj({"enable": BOOL, "mac": {"type": ["string", "null"]}})
    return obj(fields, required=("name",))


def monitoring_document(firmware: str) -> dict[str, Any]:
    """`{"high_availability": {"monitoring": {"interface": [{"ipv4": ...}]}}}`: the
    collection, which both the list path and the per-interface path answer and take."""
    item = obj({"ipv4": monitoring_entry(firmware)}, required=("ipv4",))
    monitoring = obj({"interface": {"type": "array", "items": item}})
    return obj({"high_availability": obj({"monitoring": monitoring})}, ("high_availability",))


# -- interfaces (O70/O72, LIVE) -----------------------------------------------------------

IP_ASSIGNMENT = {
    "oneOf": [
        {"type": "null"},
        obj({"zone": STRING, "mode": {"type": "object"}}),
    ]
}

#: Every `ipv4` field O70, O72 or LIVE shows (LIVE has cos_8021p, auto_discovery and port,
#: which O70 does not list).
IPV4_FIELDS = (
    "name", "vlan", "tunnel", "ip_assignment", "comment", "mtu", "mac", "link_speed",
    "flow_control", "management", "user_login", "https_redirect", "send_icmp_fragmentation",
    "fragment_packets", "ignore_df_bit", "auto_discovery", "flow_reporting", "multicast",
    "cos_8021p", "exclude_route", "asymmetric_route", "management_traffic_only", "dns_proxy",
    "shutdown_port", "secondary", "sonicpoint", "bandwidth_management", "port", "routed_mode",
    "routed_interface_href", "native_bridge", "native_bridge_interface_href", "firewalling",
    "one_arm_mode", "one_arm_peer",
)  # fmt: skip

IPV4 = obj(
    {
        **{key: ANY for key in IPV4_FIELDS},
        "name": STRING,
        "vlan": INT,
        "ip_assignment": IP_ASSIGNMENT,
        "comment": STRING,
        "mtu": INT,
    },
    required=("name",),
)

INTERFACE_LIST = obj(
    {"interfaces": {"type": "array", "items": obj({"ipv4": IPV4}, ("ipv4",))}},
    required=("interfaces",),
)

#: 7.x answers the list; SonicOS 6.5 may answer one object `{"interface": {"ipv4": ...}}`.
INTERFACES_ANSWER = {
    "oneOf": [INTERFACE_LIST, obj({"interface": obj({"ipv4": IPV4}, ("ipv4",))}, ("interface",))]
}

LINK_ROW = obj(
    {
        "name": STRING,
        "zone": STRING,
        "type": STRING,
        "ip_mode": STRING,
        "ip_address": STRING,
        "subnet_mask": STRING,
        "connected": BOOL_OR_TEXT,
        "status": STRING,
        "link_setting": STRING,
        "link_isgigbit": {"type": ["integer", "string"]},
        "link_ability_bmp_low": {"type": ["integer", "string"]},
        "link_ability_bmp_high": {"type": ["integer", "string"]},
        "group": STRING,
        "enabled": BOOL_OR_TEXT,
        "configurable": BOOL_OR_TEXT,
        "deletable": BOOL_OR_TEXT,
        "comment": STRING,
        "vlan": INT,  # ours: O70/O72 leave VLAN rows' shape open
    },
    required=("name", "connected"),
)

LINK_STATUS = {"type": "array", "items": LINK_ROW}


# -- the endpoints -------------------------------------------------------------------------

NO_BODY = None  # a request without a body


@dataclass(frozen=True)
class Endpoint:
    """One method on one path: what the client may send and what the unit answers (2xx).

    `request` is a schema, or a tuple of acceptable schemas where None means "no
    body"; every error answer is an `ENVELOPE` (a Digest challenge: no body).
    """

    method: str
    path: str  # a regex over the path after /api/sonicos
    request: tuple[dict[str, Any] | None, ...]
    answer: dict[str, Any]
    source: str

    def matches(self, method: str, path: str) -> bool:
        return method == self.method and re.fullmatch(self.path + "/?", path) is not None


def endpoints(firmware: str) -> list[Endpoint]:
    """Every endpoint of a unit on `firmware`."""
    empty = (NO_BODY, EMPTY_OBJECT)
    monitoring = monitoring_document(firmware)
    return [
        Endpoint("POST", "/auth", (NO_BODY, obj({"override": BOOL})), ENVELOPE, "O72, LIVE"),
        Endpoint("DELETE", "/auth", (NO_BODY,), ENVELOPE, "O70/O72"),
        Endpoint("POST", "/config-mode", empty, ENVELOPE, "O70/O72"),
        Endpoint("POST", "/non-config-mode", empty, ENVELOPE, "O70/O72"),
        Endpoint("GET", "/version", (NO_BODY,), VERSION, "O70/O72, VEN"),
        Endpoint("GET", "/reporting/status/system", (NO_BODY,), SYSTEM_STATUS, "O70/O72"),
        # What is pending: the objects staged, as their GETs show them (O70/O72: open).
        Endpoint("GET", "/config/pending", (NO_BODY,), {"type": "object"}, "O70/O72"),
        Endpoint("POST", "/config/pending", empty, ENVELOPE, "O70/O72"),
        Endpoint("DELETE", "/config/pending", (NO_BODY,), ENVELOPE, "O70/O72"),
        Endpoint("GET", "/high-availability/base", (NO_BODY,), ha_document(firmware), "O70/O72"),
        Endpoint("PUT", "/high-availability/base", (ha_document(firmware),), ENVELOPE, "O70/O72"),
        # The HA actions: each body an empty object schema in O70/O72
        # (ha_*_action, restart, restart_sonicos), each answer `api_status`.
        Endpoint("POST", "/high-availability/synchronize/settings", empty, ENVELOPE, "O70/O72"),
        Endpoint("POST", "/high-availability/synchronize/firmware", empty, ENVELOPE, "O70/O72"),
        Endpoint("POST", "/high-availability/force-failover", empty, ENVELOPE, "O70/O72"),
        Endpoint("POST", "/restart", empty, ENVELOPE, "O70/O72"),
        *(
            [Endpoint("POST", "/restart-sonicos", empty, ENVELOPE, "O72")]
            if firmware.startswith("7.2")
            else []
        ),
        Endpoint("GET", "/reporting/high-availability", (NO_BODY,), HA_STATUS, "VEN, GUIDE"),
        Endpoint("GET", "/high-availability/monitoring/ipv4", (NO_BODY,), monitoring, "O70/O72"),
        Endpoint("PUT", "/high-availability/monitoring/ipv4", (monitoring,), ENVELOPE, "O70/O72"),
        Endpoint(
            "GET",
            "/high-availability/monitoring/ipv4/interface/[^/]+",
            (NO_BODY,),
            monitoring,
            "O70/O72",
        ),
        Endpoint(
            "PUT",
            "/high-availability/monitoring/ipv4/interface/[^/]+",
            (monitoring,),
            ENVELOPE,
            "O70/O72",
        ),
        Endpoint("GET", "/reporting/interfaces/ipv4/status", (NO_BODY,), LINK_STATUS, "O70/O72"),
        Endpoint("GET", "/interfaces/ipv4", (NO_BODY,), INTERFACES_ANSWER, "O70/O72, LIVE"),
        Endpoint("PUT", "/interfaces/ipv4", (INTERFACE_LIST,), ENVELOPE, "O70/O72"),
        # The vendor's tooling also uses the per-name path (not in O70/O72); the
        # provider does not, the simulator serves it.
        Endpoint("GET", "/interfaces/ipv4/name/[^/]+", (NO_BODY,), INTERFACES_ANSWER, "VEN"),
        Endpoint("PUT", "/interfaces/ipv4/name/[^/]+", (INTERFACE_LIST,), ENVELOPE, "VEN"),
    ]
