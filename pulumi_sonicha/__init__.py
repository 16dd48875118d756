"""Pulumi dynamic resources for SonicWall High Availability.

    from pulumi_sonicha import HaInterface, HaPair, LicenseAssociation

`HaInterface` prepares the link between the two units, `HaPair` turns HA on
at the Primary and waits for the Backup to synchronize, `LicenseAssociation`
associates the pair on MySonicWall. Credentials are provider settings (stack
config `sonicha:*` or `SONICHA_*`), never resource inputs.
"""

from .errors import (
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    CommitUncertainError,
    NotFoundError,
    PortalError,
    PortalUnreachableError,
    SessionHeldError,
    SettingsError,
    SonicHaError,
    SyncTimeoutError,
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
    "ApplianceError",
    "ApplianceUnreachableError",
    "AuthenticationError",
    "CommitUncertainError",
    "HaInterface",
    "HaInterfaceArgs",
    "HaPair",
    "HaPairArgs",
    "LicenseAssociation",
    "LicenseAssociationArgs",
    "NotFoundError",
    "PortalError",
    "PortalUnreachableError",
    "SessionHeldError",
    "SettingsError",
    "SonicHaError",
    "SyncTimeoutError",
]
