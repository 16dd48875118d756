"""Placeholder while the provider is being written (replaced in the same change)."""

from .base import SonicHaProvider


class LicenseAssociationProvider(SonicHaProvider):
    pass
