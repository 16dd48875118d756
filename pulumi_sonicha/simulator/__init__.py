"""A simulated SonicWall HA pair and MySonicWall portal, served over real HTTPS.

`Simulator` (in `pair.py`) starts the Primary, the Backup and the portal on loopback;
`python -m pulumi_sonicha.simulator` runs one from the shell. Each API is laid out
by role (`sonicos/`, `portal/`: routes, HTTP layer, backend, errors, controls), and
`controls.ACTIONS` is the one registry of the test controls `ctl` offers.
"""

from __future__ import annotations

from .firmware import DEFAULT_FIRMWARE, FIRMWARES
from .pair import (
    ASSOCIATED_PEER_SERIAL,
    ASSOCIATED_SERIAL,
    BACKUP_PRODUCT_NAME,
    BACKUP_SERIAL,
    BACKUP_SERIAL_DISPLAY,
    CABLED_PORTS,
    DEFAULT_BACKUP_IP,
    DEFAULT_BACKUP_PORT,
    DEFAULT_FAILOVER_SECONDS,
    DEFAULT_HOST,
    DEFAULT_PASSWORD,
    DEFAULT_PORTAL_PASSWORD,
    DEFAULT_PORTAL_PORT,
    DEFAULT_PORTAL_USERNAME,
    DEFAULT_PRIMARY_PORT,
    DEFAULT_REBOOT_SECONDS,
    DEFAULT_SYNC_SECONDS,
    DEFAULT_USERNAME,
    FIRMWARE,
    INTERFACES,
    MANAGEMENT_INTERFACE,
    MODEL,
    OTHER_MODEL,
    OTHER_MODEL_SERIAL,
    PRIMARY_LICENSES,
    PRIMARY_PRODUCT_NAME,
    PRIMARY_SERIAL,
    PRIMARY_SERIAL_DISPLAY,
    SEED_ASSOCIATION_ID,
    SEEDED_SERIALS,
    SWITCH_PORTS,
    Simulator,
    backup_serial_display,
    default_interfaces,
    primary_serial_display,
)
from .portal import PortalSim
from .server import RequestRecord, normalize_serial
from .sonicos import DEFAULT_HA, LINK_DOWN, LINK_UP, UNASSIGNED, ApplianceSim

__all__ = [
    "ASSOCIATED_PEER_SERIAL",
    "ASSOCIATED_SERIAL",
    "BACKUP_PRODUCT_NAME",
    "BACKUP_SERIAL",
    "BACKUP_SERIAL_DISPLAY",
    "CABLED_PORTS",
    "DEFAULT_BACKUP_IP",
    "DEFAULT_BACKUP_PORT",
    "DEFAULT_FIRMWARE",
    "DEFAULT_HA",
    "DEFAULT_HOST",
    "DEFAULT_PASSWORD",
    "DEFAULT_PORTAL_PASSWORD",
    "DEFAULT_PORTAL_PORT",
    "DEFAULT_PORTAL_USERNAME",
    "DEFAULT_PRIMARY_PORT",
    "DEFAULT_FAILOVER_SECONDS",
    "DEFAULT_REBOOT_SECONDS",
    "DEFAULT_SYNC_SECONDS",
    "DEFAULT_USERNAME",
    "FIRMWARE",
    "FIRMWARES",
    "INTERFACES",
    "LINK_DOWN",
    "LINK_UP",
    "MANAGEMENT_INTERFACE",
    "MODEL",
    "OTHER_MODEL",
    "OTHER_MODEL_SERIAL",
    "PRIMARY_LICENSES",
    "PRIMARY_PRODUCT_NAME",
    "PRIMARY_SERIAL",
    "PRIMARY_SERIAL_DISPLAY",
    "SEEDED_SERIALS",
    "SEED_ASSOCIATION_ID",
    "SWITCH_PORTS",
    "UNASSIGNED",
    "ApplianceSim",
    "PortalSim",
    "RequestRecord",
    "Simulator",
    "backup_serial_display",
    "default_interfaces",
    "normalize_serial",
    "primary_serial_display",
]
