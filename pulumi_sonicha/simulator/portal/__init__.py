"""The simulated MySonicWall licensing portal, laid out as the unit's API is: routes
(`urls`), the HTTP layer (`responses`), state and rules (`backend`), errors
(`exceptions`) and test controls (`controls`). The API is the portal's API reference
in the docs (no public REST reference exists, so it is ours)."""

from __future__ import annotations

from typing import Any

from ..server import SimServer
from .backend import PortalBackend
from .controls import PortalControls
from .responses import PortalResponses
from .urls import URLS


class PortalSim(PortalControls, PortalResponses, PortalBackend, SimServer):
    """MySonicWall as far as HA license association goes, with test controls."""

    AUTH_PATH = "/api/v1/auth/login"

    def __init__(
        self,
        *,
        username: str,
        password: str,
        products: list[dict[str, Any]],
        licenses: dict[str, list[dict[str, Any]]] | None = None,
        associations: list[dict[str, Any]] | None = None,
        token_ttl_s: float = 3600.0,
        latency_s: float = 0.0,
        connect_round_trips: int = 0,
    ) -> None:
        super().__init__("portal", latency_s=latency_s, connect_round_trips=connect_round_trips)
        self.token_ttl_s = token_ttl_s
        self._username = username
        self._password = password
        self._products: dict[str, dict[str, Any]] = {}
        self._licenses: dict[str, list[dict[str, Any]]] = {}
        self._associations: dict[str, dict[str, str]] = {}
        self._tokens: dict[str, float] = {}
        for product in products:
            self.register_product(product["serial"], product["name"], product["model"])
        for serial, items in (licenses or {}).items():
            for item in items:
                self.add_license(serial, **item)
        for assoc in associations or []:
            self._associations[assoc["id"]] = {
                "id": assoc["id"],
                "primary_serial": self._registered(assoc["primary_serial"]),
                "secondary_serial": self._registered(assoc["secondary_serial"]),
            }

        for pattern, methods in URLS:
            self._router.add(
                pattern, **{method: getattr(self, name) for method, name in methods.items()}
            )


__all__ = ["PortalSim"]
