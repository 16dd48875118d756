"""Pulumi dynamic resources for SonicWall High Availability.

    from pulumi_sonicha import HaInterface, HaMonitoring, HaPair, LicenseAssociation

`HaInterface` prepares the link between the two units, `HaPair` turns HA on
at the Primary and waits for the Backup to synchronize, `LicenseAssociation`
associates the pair on MySonicWall, `HaMonitoring` sets each unit's own
monitoring address on an interface (after pairing, the Backup answers
management only there). Credentials are provider settings (stack
config `sonicha:*` or `SONICHA_*`), never resource inputs.
"""

from .components import FirewallFleet, FirewallPair, FirewallPairArgs
from .errors import (
    ApiDisabledError,
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    CommitUncertainError,
    ConfigModeHeldError,
    NoHeartbeatError,
    NotFoundError,
    PortalError,
    PortalUnreachableError,
    SessionHeldError,
    SettingsError,
    SonicHaError,
    SyncTimeoutError,
    TooManySessionsError,
)
from .resources import (
    HaFailover,
    HaFailoverArgs,
    HaInterface,
    HaInterfaceArgs,
    HaMonitoring,
    HaMonitoringArgs,
    HaPair,
    HaPairArgs,
    HaSynchronize,
    HaSynchronizeArgs,
    LicenseAssociation,
    LicenseAssociationArgs,
)

__version__ = "0.1.0"

__all__ = [
    "ApiDisabledError",
    "ApplianceError",
    "ApplianceUnreachableError",
    "AuthenticationError",
    "CommitUncertainError",
    "ConfigModeHeldError",
    "FirewallFleet",
    "FirewallPair",
    "FirewallPairArgs",
    "HaFailover",
    "HaFailoverArgs",
    "HaInterface",
    "HaInterfaceArgs",
    "HaMonitoring",
    "HaMonitoringArgs",
    "HaPair",
    "HaPairArgs",
    "HaSynchronize",
    "HaSynchronizeArgs",
    "LicenseAssociation",
    "LicenseAssociationArgs",
    "NoHeartbeatError",
    "NotFoundError",
    "PortalError",
    "PortalUnreachableError",
    "SessionHeldError",
    "SettingsError",
    "SonicHaError",
    "SyncTimeoutError",
    "TooManySessionsError",
]
