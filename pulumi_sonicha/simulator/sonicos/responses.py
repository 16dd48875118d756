"""The unit's HTTP layer: parse each request, call the backend, shape the answer.

Every non-GET answer and every error is the vendor's envelope (GUIDE, O72):
`{"status": {"success", "cli": {...}, "info": [{"level", "code", "message"}]}}`.
Authentication: with the SonicOS API turned off every call answers 403 `E_DISABLED`
"Service disabled." (VEN). With session security on (the 7.x default,
`auth="digest"`) every request carries RFC 7616 Digest; an unauthenticated request
gets 401, an empty body and a `WWW-Authenticate: Digest` challenge, as VEN detects
it. With `auth="basic"` the login carries RFC 2617 Basic, then the session cookie
rides alone. The login answer holds no token. The routes are in `urls.py`.
"""

from __future__ import annotations

import copy
import time
from typing import Any
from urllib.parse import unquote

from ..server import Request, Response
from .exceptions import Disabled, InvalidApiCall, InvalidValue, NotFound, Unauthorized
from .fields import _BOOT_OFFSET_S, API, INACTIVITY_TIMER_MIN


class SonicOSResponses:
    """One handler per route of `urls.URLS`; each answers a `Response`."""

    # -- envelope ----------------------------------------------------------------------------

    def _envelope(
        self,
        request: Request | None,
        success: bool,
        level: str,
        code: str,
        message: str,
        **info: Any,
    ) -> dict[str, Any]:
        path = request.path if request else ""
        command = " ".join(p for p in path.removeprefix(API).split("/") if p)
        session = self._session_of(request) if request is not None else None
        configuring = bool(session and session.config_mode)
        return {
            "status": {
                "success": success,
                "cli": {
                    "depth": 1,
                    "mode": "config_mode" if configuring else "non_config_mode",
                    "command": command,
                    "configuring": configuring,
                    "pending_config": bool(session and self._pending_doc(session)),
                    "restart_required": "NONE",
                },
                "info": [{"level": level, "code": code, **info, "message": message}],
            }
        }

    def error_body(self, code: str, message: str, request: Request | None) -> Any:
        return self._envelope(request, False, "error", code, message)

    def _ok(self, request: Request, message: str = "Success.", **info: Any) -> Response:
        return Response(200, self._envelope(request, True, "info", "E_OK", message, **info))

    def route(self, request: Request) -> Response:
        if not self.api_enabled:
            raise Disabled()
        if self.auth == "digest":
            header = request.headers.get("Authorization", "")
            uri = request.path
            valid, stale = self._digest.verify(
                header, request.method, uri, self._username, self._password
            )
            if not valid:
                challenge = self._digest.challenge(stale=stale)
                return Response(401, None, {"WWW-Authenticate": challenge})
        self._settle()
        return super().route(request)

    def _empty_body(self, request: Request) -> None:
        body = self.json_body(request)
        if body not in (None, {}):
            raise InvalidApiCall("This call takes an empty object {} as its body.")

    # -- access ------------------------------------------------------------------------------

    def login(self, request: Request) -> Response:
        if self.auth == "basic" and not self._basic_ok(request):
            raise Unauthorized("Invalid administrator credentials.")
        body = self.json_body(request)
        body = {} if body is None else body
        if not isinstance(body, dict) or set(body) - {"override"}:
            raise InvalidApiCall('The login body must be a JSON object such as {"override": true}.')
        override = body.get("override", False)
        if not isinstance(override, bool):
            raise InvalidValue("override must be true or false.")
        session, other = self.open_session(override)
        info = {
            "auth_code": "API_AUTH_SUCCESS" if session.config_mode else "API_AUTH_CAN_PREEMPT",
            "config_mode": "Yes" if session.config_mode else "No",
            "read_only": "No",
            "privilege": "FULL_ADMIN",
            "curr_config_type": other.kind if other else "NONE",
            "curr_config_ip": other.ip if other else "0.0.0.0",
            "model": self.model,
            "inactivity_timer": INACTIVITY_TIMER_MIN,
        }
        if session.config_mode:
            message = "User login in configuration mode."
        elif other is not None:
            # Ours: LIVE shows this message with nobody configuring; the UI names the
            # administrator who configures, and so do we.
            message = (
                "User login in non-configuration mode. Administrator"
                f" '{other.admin}' ({other.kind} from {other.ip}) is in configuration mode."
            )
        else:
            message = "User login in non-configuration mode."
        response = self._ok(request, message, **info)
        response.headers["Set-Cookie"] = (
            f"{self._cookie}={session.token}; Path=/; Secure; HttpOnly; SameSite=Strict"
        )
        return response

    def logout(self, request: Request) -> Response:
        self.close_session(self._require_session(request))
        response = self._ok(request)
        response.headers["Set-Cookie"] = f"{self._cookie}=; Path=/; Max-Age=0; Secure; HttpOnly"
        return response

    def config_mode(self, request: Request) -> Response:
        session = self._require_session(request)
        self._empty_body(request)
        self.take_config_mode(session)
        return self._ok(request)

    def non_config_mode(self, request: Request) -> Response:
        session = self._require_session(request)
        self._empty_body(request)
        self.leave_config_mode(session)
        return self._ok(request)

    # -- system and staging ------------------------------------------------------------------

    def get_version(self, request: Request) -> Response:
        self._require_session(request)
        uptime = int(time.monotonic() - self._booted + _BOOT_OFFSET_S)
        days, hours = uptime // 86400, uptime % 86400 // 3600
        return Response(
            200,
            {
                "firmware_version": self.firmware,
                "rom_version": "SonicROM 7.0.0.0-7",
                "model": self.model,
                "serial_number": self.serial_display,
                "system_time": time.strftime("%m/%d/%Y %H:%M:%S.000", time.gmtime()),
                "system_uptime": f"{days} Days, {hours} Hours",
                "last_modified_by": f"{self._username} 127.0.0.1 API",
            },
        )

    def get_status_system(self, request: Request) -> Response:
        """`GET /reporting/status/system` (O70/O72 `show_status_system_detail`): identity
        and `restart_required`, a boolean in O72 and a string in O70 ("true"/"false",
        assumed as O70 writes its other booleans: no source shows the value)."""
        self._require_session(request)
        pending = self.restart_pending is not None
        return Response(
            200,
            {
                "model": self.model,
                "serial_number": self.serial_display,
                "firmware_version": self.firmware,
                "rom_version": "SonicROM 7.0.0.0-7",
                "restart_required": pending if self.fw.status_booleans else str(pending).lower(),
            },
        )

    def get_pending(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            return Response(200, self._pending_doc(session))

    def commit(self, request: Request) -> Response:
        self.commit_pending(self._require_config_mode(request))
        response = self._ok(request)
        response.body["status"]["cli"]["restart_required"] = self.restart_required
        if str(self.restart_required).upper() != "NONE":
            self.restart_pending = self.restart_required
        return response

    def discard(self, request: Request) -> Response:
        self.discard_pending(self._require_config_mode(request))
        return self._ok(request)

    # -- HA settings, actions and status -----------------------------------------------------

    def get_ha(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            ha = session.pending_ha if session.pending_ha is not None else self._ha
            return Response(200, {"high_availability": copy.deepcopy(ha)})

    def put_ha(self, request: Request) -> Response:
        session = self._require_config_mode(request)
        self._refuse_on_paired_backup()
        body = self.json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("high_availability"), dict):
            raise InvalidApiCall('The body must be {"high_availability": {...}}.')
        if set(body) != {"high_availability"}:
            extra = sorted(set(body) - {"high_availability"})
            raise InvalidApiCall(f"Unknown field(s) next to high_availability: {', '.join(extra)}.")
        self.stage_ha(session, body["high_availability"])
        return self._ok(request)

    def sync_settings(self, request: Request) -> Response:
        self._require_config_mode(request)
        self._empty_body(request)
        self.synchronize(firmware=False)
        return self._ok(request)

    def sync_firmware(self, request: Request) -> Response:
        self._require_config_mode(request)
        self._empty_body(request)
        self.synchronize(firmware=True)
        return self._ok(request)

    def force_failover(self, request: Request) -> Response:
        self._require_config_mode(request)
        self._empty_body(request)
        self.hand_over_active()
        return self._ok(request)

    def restart(self, request: Request) -> Response:
        """The answer is sent, then the unit answers nothing for its reboot time."""
        self._require_config_mode(request)
        self._empty_body(request)
        response = self._ok(request)
        self.reboot()
        return response

    def restart_sonicos(self, request: Request) -> Response:
        if not self.fw.version.split()[-1].startswith("7.2"):
            raise NotFound(f"{request.path}: no such API on SonicOS {self.fw.version}.")
        return self.restart(request)

    def get_ha_status(self, request: Request) -> Response:
        self._require_session(request)
        return Response(200, self._status())

    # -- HA monitoring -----------------------------------------------------------------------

    def list_monitoring(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            view = self._monitoring_view(session)
        return Response(200, self._monitoring_doc(view.values()))

    def get_monitoring(self, request: Request, name: str) -> Response:
        """O70/O72: the per-interface path answers the collection shape, one entry."""
        session = self._require_session(request)
        known = self._canonical(name)
        with self._lock:
            view = self._monitoring_view(session)
        if known is None or known not in view:
            raise NotFound(f"Interface '{unquote(name)}' not found.")
        return Response(200, self._monitoring_doc([view[known]]))

    def put_monitoring_list(self, request: Request) -> Response:
        return self._put_monitoring_items(request, path_name=None)

    def put_monitoring(self, request: Request, name: str) -> Response:
        return self._put_monitoring_items(request, path_name=self._path_interface(name))

    def _put_monitoring_items(self, request: Request, path_name: str | None) -> Response:
        session = self._require_config_mode(request)
        self._refuse_on_paired_backup()
        self.stage_monitoring(session, self.json_body(request), path_name)
        return self._ok(request)

    # -- interfaces --------------------------------------------------------------------------

    def _path_interface(self, name: str) -> str:
        known = self._canonical(name)
        if known is None:
            raise NotFound(f"Interface '{unquote(name)}' not found.")
        return known

    def list_interfaces(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            view = self._interface_view(session)
        return Response(200, {"interfaces": [{"ipv4": v} for v in view.values()]})

    def get_interface(self, request: Request, name: str) -> Response:
        """The vendor's tooling uses this path (not in O70/O72); 7.x answers the list shape."""
        session = self._require_session(request)
        known = self._path_interface(name)
        with self._lock:
            ipv4 = self._interface_view(session)[(known, None)]
        return Response(200, {"interfaces": [{"ipv4": ipv4}]})

    def put_interfaces(self, request: Request) -> Response:
        return self._put_interface_items(request, path_name=None)

    def put_interface(self, request: Request, name: str) -> Response:
        return self._put_interface_items(request, path_name=self._path_interface(name))

    def _put_interface_items(self, request: Request, path_name: str | None) -> Response:
        """`{"interfaces": [{"ipv4": {...}}, ...]}`: each object REPLACES the interface its
        `name` (and `vlan`) names; what it leaves out falls back to the defaults."""
        session = self._require_config_mode(request)
        body = self.json_body(request)
        items = body.get("interfaces") if isinstance(body, dict) else None
        if (
            not isinstance(items, list)
            or not items
            or set(body) != {"interfaces"}
            or not all(isinstance(i, dict) and isinstance(i.get("ipv4"), dict) for i in items)
            or not all(set(i) == {"ipv4"} for i in items)
        ):
            raise InvalidApiCall('The body must be {"interfaces": [{"ipv4": {...}}, ...]}.')
        self.stage_interfaces(session, items, path_name)
        return self._ok(request)

    def get_link_status(self, request: Request) -> Response:
        return Response(200, self.link_rows(self._require_session(request)))
