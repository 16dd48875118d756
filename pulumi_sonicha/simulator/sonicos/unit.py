"""One simulated SonicOS unit: its state, its API (`urls`, `responses`, `backend`) and
its test controls (`controls`), assembled in one server class.

What the API does is written from the vendor's OpenAPI for 7.0.1 (O70) and 7.2
(O72), its scripts (VEN) and a recorded login (LIVE); each backend module names its
sources and marks "(ours)" what it decides where they are silent.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from ..digest import DigestChecker
from ..firmware import DEFAULT_FIRMWARE, Firmware
from ..firmware import firmware as firmware_by_key
from ..server import SimServer, normalize_serial
from .backend import SonicOSBackend
from .backend.access import _Session
from .cabling import Cabling
from .controls import UnitControls
from .fields import API, interface_defaults
from .responses import SonicOSResponses
from .roles import PairRoles
from .urls import URLS

_Key = tuple[str, int | None]  # (name, vlan) of an interface


class ApplianceSim(UnitControls, SonicOSResponses, SonicOSBackend, SimServer):
    """A SonicOS unit answering the API subset over HTTPS, with test controls."""

    NOT_FOUND = (404, "E_NOT_FOUND")
    BAD_METHOD = (400, "E_INVALID_API_CALL")
    BAD_REQUEST = (400, "E_INVALID_API_CALL")
    INTERNAL = (500, "E_INTERNAL")
    AUTH_PATH = "/api/sonicos/auth"

    def __init__(
        self,
        name: str,
        *,
        serial: str,
        model: str,
        firmware: str | Firmware = DEFAULT_FIRMWARE,
        username: str,
        password: str,
        interfaces: list[dict[str, Any]],
        cabling: Cabling,
        serial_display: str | None = None,
        sync_seconds: float = 3.0,
        latency_s: float = 0.0,
        connect_round_trips: int = 0,
        auth: str = "digest",
        api_enabled: bool = True,
        login_config_mode: bool = False,
        roles: PairRoles | None = None,
    ) -> None:
        super().__init__(name, latency_s=latency_s, connect_round_trips=connect_round_trips)
        #: The pair's Active unit, reboots and failovers, shared with the peer (roles.py).
        self.roles = roles if roles is not None else PairRoles()
        normalized = normalize_serial(serial)
        if normalized is None:
            raise ValueError(f"not a serial number: {serial!r}")
        if auth not in ("digest", "basic"):
            raise ValueError(f"auth must be 'digest' or 'basic', got {auth!r}")
        self.fw = firmware if isinstance(firmware, Firmware) else firmware_by_key(firmware)
        self.serial = normalized
        self.serial_display = serial_display or normalized
        self.model = model
        self.sync_seconds = sync_seconds
        #: "digest": RFC 7616 Digest on every request (7.x session security, the
        #: default); "basic": RFC 2617 Basic on the login, then the session cookie.
        self.auth = auth
        #: False: every call answers 403 E_DISABLED (the SonicOS API is turned off).
        self.api_enabled = api_enabled
        #: True: a login without override gets config mode when nobody holds it.
        self.login_config_mode = login_config_mode
        #: What the next commits report in `status.cli.restart_required`.
        self.restart_required = "NONE"
        #: The restart the unit waits for (GET /reporting/status/system says so): set by
        #: a commit that reported one, None once restarted (tests clear it).
        self.restart_pending: str | None = None
        #: The other unit of the pair (set by the Simulator once both exist).
        self.peer: ApplianceSim | None = None
        #: Successful API logins so far.
        self.sessions_opened = 0
        #: Most API sessions wanted at once: a login (accepted or refused) while another
        #: API session is still open counts 2. A client that serializes its sessions per
        #: unit keeps this at 1; sessions given by `hold_session()` do not count.
        self.max_concurrent_sessions = 0
        self._username = username
        self._password = password
        self._cabling = cabling
        self._digest = DigestChecker()
        self._interfaces: dict[_Key, dict[str, Any]] = {}
        for given in interfaces:
            ipv4 = {**interface_defaults(given["name"]), **copy.deepcopy(given)}
            self._interfaces[(ipv4["name"], ipv4.get("vlan"))] = ipv4
        self._ha: dict[str, Any] = self.fw.default_ha()
        #: HA monitoring, one `ipv4` entry per physical interface (O70/O72). Set on the
        #: Primary; the Backup gets the Primary's entries when the pair synchronizes.
        self._monitoring: dict[str, dict[str, Any]] = {
            name: self.fw.default_monitoring(name)
            for name, vlan in self._interfaces
            if vlan is None
        }
        self._ha_since = time.monotonic()
        self._synced_epoch: float | None = None
        self._sessions: list[_Session] = []
        self._booted = time.monotonic()
        self._cookie = f"sonicos_session_{self.serial}"

        for pattern, methods in URLS:
            self._router.add(
                API + pattern, **{method: getattr(self, name) for method, name in methods.items()}
            )

    @property
    def firmware(self) -> str:
        """`firmware_version` as GET /version answers it."""
        return self.fw.version

    def start(self, host: str, port: int, context: Any, public_host: str | None = None) -> None:
        super().start(host, port, context, public_host)
        self._addresses_changed()
