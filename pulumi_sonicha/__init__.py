"""Pulumi dynamic resources for SonicWall High Availability.

    from pulumi_sonicha import HaInterface, HaPair, LicenseAssociation

`HaInterface` prepares the link between the two units, `HaPair` turns HA on
at the Primary and waits for the Backup to synchronize, `LicenseAssociation`
associates the pair on MySonicWall. Credentials are provider settings (stack
config `sonicha:*` or `SONICHA_*`), never resource inputs.
"""

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
    HaInterface,
    HaInterfaceArgs,
    HaPair,
    HaPairArgs,
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
    "HaInterface",
    "HaInterfaceArgs",
    "HaPair",
    "HaPairArgs",
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
