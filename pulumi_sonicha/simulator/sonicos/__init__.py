"""A simulated SonicOS unit, laid out by role as moto lays out a service:

- `urls.py`: the route table; `responses.py`: the HTTP layer (parse, call the backend,
  shape the vendor's envelope); `exceptions.py`: one class per API error code;
- `backend/`: state and rules, one module per API family (access, staging, ha, pair,
  monitoring, interfaces, addresses, actions), mixed into one backend class;
- `controls.py`: what tests and `ctl` do to a unit by hand;
- `unit.py`: `ApplianceSim`, the server that assembles them.
"""

from __future__ import annotations

from .cabling import Cabling
from .fields import API, DEFAULT_HA, LINK_DOWN, LINK_UP, UNASSIGNED, interface_defaults
from .unit import ApplianceSim

__all__ = [
    "API",
    "DEFAULT_HA",
    "LINK_DOWN",
    "LINK_UP",
    "UNASSIGNED",
    "ApplianceSim",
    "Cabling",
    "interface_defaults",
]
