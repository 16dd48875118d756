"""Firmware personalities of a simulated unit: what its SonicOS API shows and accepts.

The two personalities follow the vendor's own OpenAPI documents (see
docs/reference/sonicos-api.md): O70 for SonicOS 7.0.1, O72 for SonicOS 7.2.
A unit rejects every field its firmware does not know, so a client that sends
a field the unit's own GET did not show fails here as it would on a real unit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Firmware:
    """What one SonicOS release shows in the objects the provider uses."""

    key: str  # "7.0.1" | "7.2": the `--firmware` value
    version: str  # `firmware_version` of GET /version
    # mode.<kind>.virtual_mac: O72 only.
    virtual_mac: bool
    # high_availability.l3_mode: O70 only.
    l3_mode: bool
    # high_availability.failover_when_aggregate_down: O72 only.
    failover_when_aggregate_down: bool
    # GET /reporting/interfaces/ipv4/status: `connected`/`enabled` are booleans in
    # O72 and strings "true"/"false" in O70.
    status_booleans: bool
    # HA monitoring entries: `override_virtual_mac` is O72 only. How an unset address
    # reads: the vendor allows "" and "0.0.0.0" (appliance-api.md); which release
    # answers which is ours, one each so that clients must accept both.
    monitoring_virtual_mac: bool = False
    unset_address: str = ""

    def default_ha(self) -> dict[str, Any]:
        """The `high_availability` object of a unit that never had HA configured."""
        ha: dict[str, Any] = {
            "heartbeat_interval": 1000,
            "failover_trigger_level": 5,
            "probe": {"interval": 20, "count": 3},
            "election_delay_time": 3,
            "route_hold_down_time": {"value": 0},
            "sdwan_hold_down_time": 0,
        }
        if self.failover_when_aggregate_down:
            ha["failover_when_aggregate_down"] = False
        ha["include_certificates_keys"] = True
        if self.l3_mode:
            ha["l3_mode"] = {
                "enable": False,
                "primary_ip": "",
                "secondary_ip": "",
                "primary_gateway": "",
                "secondary_gateway": "",
            }
        ha["mode"] = {}
        return copy.deepcopy(ha)

    def default_monitoring(self, name: str) -> dict[str, Any]:
        """The `ipv4` monitoring entry of an interface nobody set monitoring on (ours: the
        vendor documents the fields, not their defaults)."""
        entry: dict[str, Any] = {
            "name": name,
            "link_monitoring": False,
            "primary": self.unset_address,
            "secondary": self.unset_address,
            "allow_management": False,
            "logical_probe": {"enable": False, "ip": self.unset_address},
        }
        if self.monitoring_virtual_mac:
            entry["override_virtual_mac"] = {"enable": False, "mac": None}
        return entry

    def mode_fields(self, kind: str) -> set[str]:
        """The fields of `mode.<kind>` this firmware knows (O70/O72)."""
        fields = {
            "primary_serial",
            "secondary_serial",
            "control_interface",
            "data_interface",
            "preempt",
            "encryption",
        }
        if kind == "active_standby":
            fields.add("stateful_synchronization")
        else:
            fields.add("dpi_interface")
        if self.virtual_mac:
            fields.add("virtual_mac")
        return fields


FIRMWARES: dict[str, Firmware] = {
    "7.0.1": Firmware(
        key="7.0.1",
        version="SonicOS 7.0.1-5145",
        virtual_mac=False,
        l3_mode=True,
        failover_when_aggregate_down=False,
        status_booleans=False,
        monitoring_virtual_mac=False,
        unset_address="0.0.0.0",
    ),
    "7.2": Firmware(
        key="7.2",
        version="SonicOS 7.2.0-7015",
        virtual_mac=True,
        l3_mode=False,
        failover_when_aggregate_down=True,
        status_booleans=True,
        monitoring_virtual_mac=True,
        unset_address="",
    ),
}

#: What 7.x units ship today; the examples use virtual_mac, which only 7.2 has.
DEFAULT_FIRMWARE = "7.2"


def firmware(key: str) -> Firmware:
    """The personality for `--firmware` (ValueError naming the choices)."""
    try:
        return FIRMWARES[key]
    except KeyError:
        raise ValueError(
            f"unknown firmware {key!r}; choose one of {', '.join(sorted(FIRMWARES))}"
        ) from None
