"""The state and rules of one SonicOS unit, split by API family and mixed into one
backend class (as moto's EC2 backend is): each family's module holds its rules and
names its sources."""

from __future__ import annotations

from .access import AccessBackend
from .actions import ActionsBackend
from .addresses import AddressesBackend
from .ha import HaSettingsBackend
from .interfaces import InterfacesBackend
from .monitoring import MonitoringBackend
from .pair import PairBackend
from .staging import StagingBackend


class SonicOSBackend(
    AccessBackend,
    StagingBackend,
    HaSettingsBackend,
    PairBackend,
    MonitoringBackend,
    InterfacesBackend,
    AddressesBackend,
    ActionsBackend,
):
    """Every API family of a unit; the unit's state lives on the server object."""


__all__ = ["SonicOSBackend"]
