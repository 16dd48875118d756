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
    ActionUncertainError,
    ApiDisabledError,
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    CommitNotHeldError,
    CommitUncertainError,
    ConfigModeHeldError,
    FailedOverError,
    HaWaitTimeoutError,
    NoHeartbeatError,
    NotFoundError,
    PairNotReadyError,
    PortalError,
    PortalUnreachableError,
    RunInterruptedError,
    SessionHeldError,
    SettingsError,
    SonicHaError,
    SyncTimeoutError,
    TooManySessionsError,
    UnitReplacedError,
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
    "ActionUncertainError",
    "ApiDisabledError",
    "ApplianceError",
    "ApplianceUnreachableError",
    "AuthenticationError",
    "CommitNotHeldError",
    "CommitUncertainError",
    "ConfigModeHeldError",
    "FailedOverError",
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
    "HaWaitTimeoutError",
    "LicenseAssociation",
    "LicenseAssociationArgs",
    "NoHeartbeatError",
    "NotFoundError",
    "PairNotReadyError",
    "PortalError",
    "PortalUnreachableError",
    "RunInterruptedError",
    "SessionHeldError",
    "SettingsError",
    "SonicHaError",
    "SyncTimeoutError",
    "TooManySessionsError",
    "UnitReplacedError",
]
