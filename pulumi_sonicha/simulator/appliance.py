"""One simulated SonicOS unit: its state, its REST API subset, and the HA pairing model.

What the API does is in /work/shared/spec/appliance-api.md; what this module
decides where the spec leaves room:

* Sessions. One administrator session per unit, kept by a cookie named after
  the unit's serial (so two units on one host never overwrite each other's
  cookie in a shared jar) or by the `token` of the login answer sent as
  `Authorization: Bearer`. Logout without a valid session answers 401.
* Staging. PUTs change the session's pending copy; GETs in that session see it.
  Validation that spans objects (an HA link interface must be Unassigned) is
  checked on PUT against the session's pending view, from both sides: an HA PUT
  naming a zoned interface is refused, and so is giving a zone to an interface
  the pending HA settings use. Commit checks the whole pending view once more,
  refuses with the same error and keeps the pending changes.
* Codes. Malformed requests (bad JSON, wrong body shape, unknown field, wrong
  method) are 400 `E_INVALID_API_CALL`; well-formed but unacceptable values are
  400 `E_INVALID_VALUE`; unknown interface in a path is 404 `E_NOT_FOUND`.
* HA status. Computed on each request from the committed settings, the cabling
  and the clock: no background thread. A unit whose settings name the other
  unit's serial acts as Primary; a unit whose settings name its own serial (the
  Backup after a sync) reports the pair as its Primary sees it.
"""

from __future__ import annotations

import base64
import copy
import hmac
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import unquote

from .server import ApiError, Request, Response, SimServer, new_token, normalize_serial

LINK_UP = "1 Gbps Full Duplex"
LINK_DOWN = "No link"
UNASSIGNED = "Unassigned"
HA_MODES = ("active_standby", "active_active_dpi")

#: The `high_availability` object of a unit that never had HA configured.
DEFAULT_HA: dict[str, Any] = {
    "mode": {},
    "heartbeat_interval": 1000,
    "failover_trigger_level": 5,
    "probe": {"interval": 20, "count": 3},
    "election_delay_time": 3,
    "include_certificates_keys": True,
}

_RANGES = {
    "heartbeat_interval": (1000, 300000),
    "failover_trigger_level": (4, 99),
    "election_delay_time": (3, 255),
}
_PROBE_RANGES = {"interval": (5, 255), "count": (3, 10)}
_MODE_FLAGS = ("stateful_synchronization", "preempt", "virtual_mac", "encryption")
_MODE_FIELDS = {"secondary_serial", "control_interface", "data_interface", *_MODE_FLAGS}
_IPV4_FIELDS = {"name", "comment", "ip_assignment"}
_BOOT_OFFSET_S = 3 * 86400 + 2 * 3600  # the units "booted" 3 days 2 hours ago

_BAD_CALL = (400, "E_INVALID_API_CALL")
_BAD_VALUE = (400, "E_INVALID_VALUE")


def _bad_call(message: str) -> ApiError:
    return ApiError(*_BAD_CALL, message)


def _bad_value(message: str) -> ApiError:
    return ApiError(*_BAD_VALUE, message)


def _duration(seconds: float) -> str:
    """`D Days, HH:MM:SS`, the format of `active_up_time`."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days} Days, {hours:02d}:{minutes:02d}:{secs:02d}"


def _zone_of(ipv4: dict[str, Any]) -> str:
    return ipv4.get("ip_assignment", {}).get("zone") or UNASSIGNED


class Cabling:
    """The cables between the two units: port Xn on one unit to Xn on the other.

    Kept apart from either unit because a cable has two ends. `since` records
    when each cable was (re)plugged: recabling the HA control link restarts
    the pair's INIT -> SYNCHRONIZING -> ACTIVE progression. Ports in
    `switch_ports` are connected to a switch (link up, but no HA peer there).
    """

    def __init__(self, ports: Iterable[str], switch_ports: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        now = time.monotonic()
        self._since: dict[str, float] = {port: now for port in ports}
        self._switch: set[str] = set(switch_ports)

    def cable(self, port: str) -> None:
        with self._lock:
            self._since.setdefault(port, time.monotonic())

    def uncable(self, port: str) -> None:
        with self._lock:
            self._since.pop(port, None)
            self._switch.discard(port)

    def cabled_since(self, port: str) -> float | None:
        """When the unit-to-unit cable on `port` was plugged; None when there is none."""
        with self._lock:
            return self._since.get(port)

    def cabled_ports(self) -> list[str]:
        with self._lock:
            return sorted(self._since)

    def link_up(self, port: str) -> bool:
        with self._lock:
            return port in self._since or port in self._switch


@dataclass
class _Session:
    token: str
    admin: str
    via_api: bool  # False for a session `hold_session()` gave another administrator
    pending_ha: dict[str, Any] | None = None
    pending_interfaces: dict[str, dict[str, Any]] = field(default_factory=dict)


class ApplianceSim(SimServer):
    """A SonicOS unit answering the API subset over HTTPS, with test controls."""

    NOT_FOUND = (404, "E_NOT_FOUND")
    BAD_METHOD = _BAD_CALL
    BAD_REQUEST = _BAD_CALL
    INTERNAL = (500, "E_INTERNAL")
    AUTH_PATH = "/api/sonicos/auth"

    def __init__(
        self,
        name: str,
        *,
        serial: str,
        model: str,
        firmware: str,
        username: str,
        password: str,
        interfaces: list[dict[str, Any]],
        cabling: Cabling,
        serial_display: str | None = None,
        sync_seconds: float = 3.0,
        latency_s: float = 0.0,
    ) -> None:
        super().__init__(name, latency_s=latency_s)
        normalized = normalize_serial(serial)
        if normalized is None:
            raise ValueError(f"not a serial number: {serial!r}")
        self.serial = normalized
        self.serial_display = serial_display or normalized
        self.model = model
        self.firmware = firmware
        self.sync_seconds = sync_seconds
        #: The other unit of the pair (set by the Simulator once both exist).
        self.peer: ApplianceSim | None = None
        #: Successful logins so far.
        self.sessions_opened = 0
        #: Most API sessions wanted at once: a login (accepted or refused) while another
        #: API session is still open counts 2. A client that serializes its sessions per
        #: unit keeps this at 1; sessions given by `hold_session()` do not count.
        self.max_concurrent_sessions = 0
        self._username = username
        self._password = password
        self._cabling = cabling
        self._interfaces = {i["name"]: copy.deepcopy(i) for i in interfaces}
        self._ha: dict[str, Any] = copy.deepcopy(DEFAULT_HA)
        self._ha_since = time.monotonic()
        self._synced_epoch: float | None = None
        self._session: _Session | None = None
        self._booted = time.monotonic()
        self._cookie = f"sonicos_session_{self.serial}"

        r = self._router
        r.add("/api/sonicos/auth", post=self._login, delete=self._logout)
        r.add("/api/sonicos/version", get=self._get_version)
        r.add(
            "/api/sonicos/config/pending",
            get=self._get_pending,
            post=self._commit,
            delete=self._discard,
        )
        r.add("/api/sonicos/high-availability/base", get=self._get_ha, put=self._put_ha)
        r.add("/api/sonicos/high-availability/synchronize/settings", post=self._sync_settings)
        r.add("/api/sonicos/reporting/high-availability", get=self._get_ha_status)
        r.add("/api/sonicos/interfaces/ipv4", get=self._list_interfaces)
        r.add(
            "/api/sonicos/interfaces/ipv4/name/(?P<name>[^/]+)",
            get=self._get_interface,
            put=self._put_interface,
        )
        r.add(
            "/api/sonicos/reporting/interfaces/ipv4/name/(?P<name>[^/]+)",
            get=self._get_link,
        )

    # -- test and CLI controls ---------------------------------------------------------------

    def ha_settings(self) -> dict[str, Any]:
        """The committed `high_availability` object (a copy)."""
        self._settle()
        with self._lock:
            return copy.deepcopy(self._ha)

    def set_ha_settings(self, settings: dict[str, Any], *, validate: bool = True) -> None:
        """Change the committed HA settings as an administrator would in the UI.

        Accepts the inner object or `{"high_availability": {...}}`. With
        `validate` the API's rules apply (ValueError on a violation) and omitted
        advanced fields keep their values; without, the object is stored as is.
        """
        if set(settings) == {"high_availability"}:
            settings = settings["high_availability"]
        with self._lock:
            if validate:
                try:
                    new = self._merge_ha(self._ha, settings)
                    self._check_ha_links(new, self._interfaces)
                except ApiError as exc:
                    raise ValueError(exc.message) from None
            else:
                new = copy.deepcopy(settings)
            self._commit_ha(new)

    def pending(self) -> dict[str, Any]:
        """Staged, uncommitted changes of the API session (what `GET config/pending` shows)."""
        with self._lock:
            session = self._session
            return self._pending_doc(session) if session and session.via_api else {}

    def interface(self, name: str) -> dict[str, Any]:
        """The committed `ipv4` object of one interface (a copy)."""
        with self._lock:
            return copy.deepcopy(self._interfaces[self._known(name)])

    def zone(self, name: str) -> str:
        with self._lock:
            return _zone_of(self._interfaces[self._known(name)])

    def set_zone(self, name: str, zone: str) -> None:
        """Set a committed zone by hand; "Unassigned" removes the zone (no validation)."""
        with self._lock:
            ipv4 = self._interfaces[self._known(name)]
            if zone == UNASSIGNED:
                ipv4["ip_assignment"] = {}
            else:
                ipv4.setdefault("ip_assignment", {})["zone"] = zone

    def link_status(self, name: str) -> str:
        return LINK_UP if self._cabling.link_up(self._known(name)) else LINK_DOWN

    def ha_status(self) -> dict[str, Any]:
        """What `GET /api/sonicos/reporting/high-availability` answers now."""
        self._settle()
        return self._status()

    def hold_session(self, admin: str = "other-admin") -> None:
        """Another administrator takes the configuration session (ours, if any, ends)."""
        with self._lock:
            self._session = _Session(new_token(), admin, via_api=False)

    def release_session(self) -> None:
        """The other administrator logs out (an API session is left alone)."""
        with self._lock:
            if self._session is not None and not self._session.via_api:
                self._session = None

    def expire_sessions(self) -> None:
        """Every session ends now, its pending changes discarded (e.g. idle timeout)."""
        with self._lock:
            self._session = None

    def snapshot(self) -> dict[str, Any]:
        """What `ctl show` prints for this unit: identity, each port's zone and link, the
        committed HA settings and status, and who holds the session."""
        self._settle()
        status = self._status()
        with self._lock:
            session = self._session
            held = None
            if session is not None:
                pending = session.pending_ha is not None or bool(session.pending_interfaces)
                held = {"admin": session.admin, "via_api": session.via_api, "pending": pending}
            ports = [(name, _zone_of(ipv4)) for name, ipv4 in self._interfaces.items()]
            ha = copy.deepcopy(self._ha)
        return {
            "unit": self.name,
            "host": self.host,
            "serial": self.serial,
            "model": self.model,
            "firmware": self.firmware,
            "interfaces": [
                {"name": name, "zone": zone, "link": self.link_status(name)} for name, zone in ports
            ],
            "ha_settings": ha,
            "ha_status": status,
            "session": held,
            "latency_ms": self.latency_s * 1000.0,
        }

    def control(self, action: str, body: dict[str, Any]) -> Any:
        """The `POST /_simulator/{action}` surface the CLI's `ctl` subcommand calls."""
        if action == "show":
            return self.snapshot()
        if action in ("cable", "uncable"):
            port = self._known(body["interface"])
            (self._cabling.cable if action == "cable" else self._cabling.uncable)(port)
            return {"interface": port, "link_status": self.link_status(port)}
        if action == "set-zone":
            self.set_zone(body["interface"], body["zone"])
            return {"interface": body["interface"], "zone": self.zone(body["interface"])}
        if action == "set-ha":
            self.set_ha_settings(body)
            return self.ha_settings()
        if action == "hold-session":
            self.hold_session(body.get("admin", "other-admin"))
        elif action == "release-session":
            self.release_session()
        elif action == "expire-sessions":
            self.expire_sessions()
        elif action == "fail":
            self.fail(
                body.get("method", "*"),
                body.get("path", ".*"),
                status=int(body.get("status", 500)),
                code=body.get("code"),
                message=body.get("message", "Internal error"),
                times=body.get("times", 1),
            )
        elif action == "latency":
            self.latency_s = float(body.get("ms", 0)) / 1000.0
        elif action == "clear-faults":
            self.clear_faults()
        else:
            raise ValueError(f"unknown action {action!r}")
        return None

    # -- envelope and sessions ---------------------------------------------------------------

    def _envelope(
        self, request: Request | None, success: bool, level: str, code: str, message: str
    ) -> dict[str, Any]:
        path = request.path if request else ""
        command = " ".join(p for p in path.removeprefix("/api/sonicos").split("/") if p)
        configuring = request is not None and self._session_of(request) is not None
        return {
            "status": {
                "success": success,
                "cli": {"depth": 1, "command": command, "configuring": configuring},
                "info": [{"level": level, "code": code, "message": message}],
            }
        }

    def error_body(self, code: str, message: str, request: Request | None) -> Any:
        return self._envelope(request, False, "error", code, message)

    def _ok(self, request: Request, message: str = "Success.", **extra: Any) -> Response:
        body = self._envelope(request, True, "info", "E_OK", message)
        body.update(extra)
        return Response(200, body)

    def _session_of(self, request: Request) -> _Session | None:
        token = None
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            token = value.strip()
        else:
            try:
                morsel = SimpleCookie(request.headers.get("Cookie", "")).get(self._cookie)
            except CookieError:
                morsel = None
            token = morsel.value if morsel else None
        with self._lock:
            session = self._session
            if token and session is not None and hmac.compare_digest(session.token, token):
                return session
        return None

    def _require_session(self, request: Request) -> _Session:
        session = self._session_of(request)
        if session is None:
            raise ApiError(401, "E_UNAUTHORIZED", "Not authenticated.")
        return session

    def _credentials_ok(self, request: Request) -> bool:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
            user, sep, password = decoded.partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return bool(sep) and hmac.compare_digest(
            f"{user}\0{password}".encode(), f"{self._username}\0{self._password}".encode()
        )

    def _login(self, request: Request) -> Response:
        if not self._credentials_ok(request):
            raise ApiError(401, "E_UNAUTHORIZED", "Invalid administrator credentials.")
        body = self.json_body(request) or {}
        if not isinstance(body, dict):
            raise _bad_call('The login body must be a JSON object such as {"override": true}.')
        override = body.get("override", False)
        if not isinstance(override, bool):
            raise _bad_value("override must be true or false.")
        with self._lock:
            current = self._session
            wanted = 2 if current is not None and current.via_api else 1
            self.max_concurrent_sessions = max(self.max_concurrent_sessions, wanted)
            if current is not None and not override:
                raise ApiError(
                    403,
                    "E_NOT_ALLOWED",
                    f"Administrator '{current.admin}' is currently configuring this unit; "
                    'log in with {"override": true} to take over the session.',
                )
            session = _Session(new_token(), self._username, via_api=True)
            self._session = session
            self.sessions_opened += 1
        response = self._ok(request, "Logged in.", token=session.token)
        response.headers["Set-Cookie"] = (
            f"{self._cookie}={session.token}; Path=/; Secure; HttpOnly; SameSite=Strict"
        )
        return response

    def _logout(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            if self._session is session:
                self._session = None
        response = self._ok(request, "Logged out; uncommitted changes discarded.")
        response.headers["Set-Cookie"] = f"{self._cookie}=; Path=/; Max-Age=0; Secure; HttpOnly"
        return response

    # -- version and staging -----------------------------------------------------------------

    def _get_version(self, request: Request) -> Response:
        self._require_session(request)
        uptime = int(time.monotonic() - self._booted + _BOOT_OFFSET_S)
        days, hours = uptime // 86400, uptime % 86400 // 3600
        return Response(
            200,
            {
                "firmware_version": self.firmware,
                "model": self.model,
                "serial_number": self.serial_display,
                "system_uptime": f"{days} Days, {hours} Hours",
            },
        )

    def _pending_doc(self, session: _Session) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if session.pending_ha is not None:
            doc["high_availability"] = copy.deepcopy(session.pending_ha)
        if session.pending_interfaces:
            doc["interfaces"] = [
                {"ipv4": copy.deepcopy(v)} for v in session.pending_interfaces.values()
            ]
        return doc

    def _get_pending(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            return Response(200, self._pending_doc(session))

    def _commit(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            ha = session.pending_ha
            interfaces = self._interface_view(session)
            self._check_ha_links(ha if ha is not None else self._ha, interfaces)
            if ha is not None:
                self._commit_ha(ha)
            self._interfaces = interfaces
            session.pending_ha = None
            session.pending_interfaces = {}
        return self._ok(request, "Changes committed.")

    def _discard(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            session.pending_ha = None
            session.pending_interfaces = {}
        return self._ok(request, "Pending changes discarded.")

    def _commit_ha(self, settings: dict[str, Any]) -> None:
        """Store committed HA settings; a real change restarts the pair's progression."""
        if settings != self._ha:
            self._ha = copy.deepcopy(settings)
            self._ha_since = time.monotonic()

    # -- HA settings -------------------------------------------------------------------------

    def _get_ha(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            ha = session.pending_ha if session.pending_ha is not None else self._ha
            return Response(200, {"high_availability": copy.deepcopy(ha)})

    def _put_ha(self, request: Request) -> Response:
        session = self._require_session(request)
        body = self.json_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("high_availability"), dict):
            raise _bad_call('The body must be {"high_availability": {...}}.')
        if set(body) != {"high_availability"}:
            extra = sorted(set(body) - {"high_availability"})
            raise _bad_call(f"Unknown field(s) next to high_availability: {', '.join(extra)}.")
        with self._lock:
            current = session.pending_ha if session.pending_ha is not None else self._ha
            new = self._merge_ha(current, body["high_availability"])
            self._check_ha_links(new, self._interface_view(session))
            session.pending_ha = new
        return self._ok(request)

    def _merge_ha(self, current: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
        """Validate a PUT body and apply it: `mode` is replaced whole, omitted fields kept."""
        unknown = set(given) - set(DEFAULT_HA)
        if unknown:
            raise _bad_call(f"Unknown High Availability field(s): {', '.join(sorted(unknown))}.")
        new = copy.deepcopy(current)
        if "mode" in given:
            new["mode"] = self._parse_mode(given["mode"])
        for key, (low, high) in _RANGES.items():
            if key in given:
                new[key] = _int_in_range(key, given[key], low, high)
        if "probe" in given:
            probe = given["probe"]
            if not isinstance(probe, dict):
                raise _bad_call("probe must be an object {interval, count}.")
            unknown = set(probe) - set(_PROBE_RANGES)
            if unknown:
                raise _bad_call(f"Unknown probe field(s): {', '.join(sorted(unknown))}.")
            for key, (low, high) in _PROBE_RANGES.items():
                if key in probe:
                    new["probe"][key] = _int_in_range(f"probe.{key}", probe[key], low, high)
        if "include_certificates_keys" in given:
            new["include_certificates_keys"] = _bool("include_certificates_keys", given)
        return new

    def _parse_mode(self, mode: Any) -> dict[str, Any]:
        if not isinstance(mode, dict):
            raise _bad_call('mode must be an object: {} (HA off) or {"active_standby": {...}}.')
        if not mode:
            return {}
        if len(mode) > 1:
            raise _bad_value(f"Only one High Availability mode may be set, got {', '.join(mode)}.")
        ((kind, fields),) = mode.items()
        if kind not in HA_MODES:
            raise _bad_value(
                f"Unknown High Availability mode '{kind}' (expected {' or '.join(HA_MODES)})."
            )
        if not isinstance(fields, dict):
            raise _bad_call(f"mode.{kind} must be an object.")
        unknown = set(fields) - _MODE_FIELDS
        if unknown:
            raise _bad_call(f"Unknown field(s) in mode.{kind}: {', '.join(sorted(unknown))}.")
        if "secondary_serial" not in fields:
            raise _bad_value("secondary_serial (the Backup's serial number) is required.")
        serial = normalize_serial(fields["secondary_serial"])
        if serial is None:
            raise _bad_value(
                f"secondary_serial {fields['secondary_serial']!r} is not a serial number "
                "(12 hexadecimal digits)."
            )
        if serial == self.serial:
            raise _bad_value(
                f"secondary_serial {serial} is this unit's own serial number; "
                "name the Backup's serial."
            )
        control = self._mode_interface(fields, "control_interface", required=True)
        data = self._mode_interface(fields, "data_interface", required=False)
        flags = {flag: _bool(flag, fields) if flag in fields else False for flag in _MODE_FLAGS}
        if data is not None and data == control:
            raise _bad_value(
                f"The HA data interface must differ from the HA control interface (both {data})."
            )
        if data is None and flags["stateful_synchronization"]:
            raise _bad_value("stateful_synchronization requires a data_interface (HA data link).")
        if data is None and kind == "active_active_dpi":
            raise _bad_value("Active/Active DPI mode requires a data_interface (HA data link).")
        parsed: dict[str, Any] = {"secondary_serial": serial, "control_interface": control}
        if data is not None:
            parsed["data_interface"] = data
        parsed.update(flags)
        return {kind: parsed}

    def _mode_interface(self, fields: dict[str, Any], key: str, *, required: bool) -> str | None:
        value = fields.get(key)
        if value is None or value == "":
            if required:
                raise _bad_value(f"{key} is required.")
            return None
        if not isinstance(value, str):
            raise _bad_value(f"{key} must be an interface name such as X4.")
        name = self._canonical(value)
        if name is None:
            raise _bad_value(f"{key}: interface '{value}' does not exist on this unit.")
        return name

    def _check_ha_links(self, ha: dict[str, Any], interfaces: dict[str, dict[str, Any]]) -> None:
        """An HA control/data interface must be in zone Unassigned."""
        for fields in ha.get("mode", {}).values():
            for role in ("control", "data"):
                name = fields.get(f"{role}_interface")
                if name and name in interfaces:
                    zone = _zone_of(interfaces[name])
                    if zone != UNASSIGNED:
                        raise _bad_value(
                            f"Interface {name} is in zone {zone}; the HA {role} interface "
                            "must be in zone Unassigned."
                        )

    def _sync_settings(self, request: Request) -> Response:
        self._require_session(request)
        with self._lock:
            enabled = bool(self._ha.get("mode"))
        if not enabled:
            raise _bad_call("High Availability is not enabled on this unit.")
        self._settle(force=True)
        return self._ok(request, "Settings synchronization started.")

    # -- HA status and the pair --------------------------------------------------------------

    def _get_ha_status(self, request: Request) -> Response:
        self._require_session(request)
        return Response(200, self._status())

    def _status(self) -> dict[str, Any]:
        with self._lock:
            mode = dict(self._ha.get("mode") or {})
        fields = next(iter(mode.values()), {})
        if fields.get("secondary_serial") == self.serial and self.peer is not None:
            return self.peer._primary_view()[0]  # we are the Backup: report the pair
        return self._primary_view()[0]

    def _primary_view(self) -> tuple[dict[str, Any], float | None]:
        """The pair's status with this unit as Primary, and the sync epoch when ACTIVE."""
        now = time.monotonic()
        with self._lock:
            mode = copy.deepcopy(self._ha.get("mode") or {})
            ha_since = self._ha_since
        uptime = _duration(now - self._booted + _BOOT_OFFSET_S)
        if not mode:
            return _state("DISABLED", "DISABLED", "DISABLED", uptime), None
        fields = next(iter(mode.values()))
        control = fields.get("control_interface", "")
        secondary = fields.get("secondary_serial")
        peer = self.peer
        cabled = self._cabling.cabled_since(control)
        reason = None
        if cabled is None or peer is None:
            reason = (
                f"No HA peer answers on control interface {control}: it has no cable to the "
                "Backup's matching port."
            )
        elif secondary != peer.serial:
            reason = (
                f"The HA peer on {control} has serial {peer.serial}, not the configured "
                f"secondary_serial {secondary}."
            )
        elif peer.model != self.model:
            reason = f"Backup model {peer.model} differs from Primary model {self.model}."
        if reason is not None or cabled is None:
            return _state("NO_PEER", "ACTIVE", "NO_PEER", uptime, message=reason), None
        epoch = max(ha_since, cabled)
        elapsed = now - epoch
        third = self.sync_seconds / 3.0
        if elapsed < third:
            return _state("INIT", "INIT", "INIT", _duration(0)), None
        if elapsed < 2 * third:
            up_time = _duration(elapsed - third)
            return _state("SYNCHRONIZING", "ACTIVE", "SYNCHRONIZING", up_time), None
        return _state("ACTIVE", "ACTIVE", "STANDBY", _duration(elapsed - third), True), epoch

    def _settle(self, force: bool = False) -> None:
        """Give the Backup the Primary's HA settings once the pair reached ACTIVE.

        Evaluated lazily on every request and accessor of either unit, once per
        epoch (commit or recabling), or again when `force` (settings sync call).
        """
        for unit in (self, self.peer):
            if unit is not None and unit.peer is not None:
                unit._push_settings_to_peer(force)

    def _push_settings_to_peer(self, force: bool) -> None:
        _, epoch = self._primary_view()
        if epoch is None or self.peer is None:
            return
        with self._lock:
            if (self._synced_epoch == epoch and not force) or self._ha_since > epoch:
                return
            self._synced_epoch = epoch
            settings = copy.deepcopy(self._ha)
        with self.peer._lock:
            self.peer._ha = settings
            self.peer._ha_since = time.monotonic()

    def route(self, request: Request) -> Response:
        self._settle()
        return super().route(request)

    # -- interfaces --------------------------------------------------------------------------

    def _canonical(self, name: str) -> str | None:
        name = unquote(name)
        for known in self._interfaces:
            if known.lower() == name.lower():
                return known
        return None

    def _known(self, name: str) -> str:
        known = self._canonical(name)
        if known is None:
            raise ValueError(f"{self.name} has no interface {name!r}")
        return known

    def _interface_or_404(self, name: str) -> str:
        known = self._canonical(name)
        if known is None:
            raise ApiError(404, "E_NOT_FOUND", f"Interface '{unquote(name)}' not found.")
        return known

    def _interface_view(self, session: _Session) -> dict[str, dict[str, Any]]:
        view = copy.deepcopy(self._interfaces)
        view.update(copy.deepcopy(session.pending_interfaces))
        return view

    def _list_interfaces(self, request: Request) -> Response:
        session = self._require_session(request)
        with self._lock:
            view = self._interface_view(session)
        return Response(200, {"interfaces": [{"ipv4": v} for v in view.values()]})

    def _get_interface(self, request: Request, name: str) -> Response:
        session = self._require_session(request)
        known = self._interface_or_404(name)
        with self._lock:
            ipv4 = self._interface_view(session)[known]
        return Response(200, {"interfaces": [{"ipv4": ipv4}]})

    def _put_interface(self, request: Request, name: str) -> Response:
        session = self._require_session(request)
        known = self._interface_or_404(name)
        body = self.json_body(request)
        items = body.get("interfaces") if isinstance(body, dict) else None
        if (
            not isinstance(items, list)
            or len(items) != 1
            or not isinstance(items[0], dict)
            or not isinstance(items[0].get("ipv4"), dict)
        ):
            raise _bad_call('The body must be {"interfaces": [{"ipv4": {...}}]} (one interface).')
        given = items[0]["ipv4"]
        unknown = set(given) - _IPV4_FIELDS
        if unknown:
            raise _bad_call(f"Unknown interface field(s): {', '.join(sorted(unknown))}.")
        if "name" in given and self._canonical(str(given["name"])) != known:
            raise _bad_call(f"The body names interface {given['name']!r}, the path {known}.")
        with self._lock:
            new = self._interface_view(session)[known]
            if "comment" in given:
                if not isinstance(given["comment"], str):
                    raise _bad_value("comment must be a string.")
                new["comment"] = given["comment"]
            if "ip_assignment" in given:
                new["ip_assignment"] = _ip_assignment(given["ip_assignment"], new)
            zone = _zone_of(new)
            ha = session.pending_ha if session.pending_ha is not None else self._ha
            for fields in ha.get("mode", {}).values():
                for role in ("control", "data"):
                    if fields.get(f"{role}_interface") == known and zone != UNASSIGNED:
                        raise _bad_value(
                            f"Interface {known} is the HA {role} interface; its zone must stay "
                            f"Unassigned (requested {zone})."
                        )
            session.pending_interfaces[known] = new
        return self._ok(request)

    def _get_link(self, request: Request, name: str) -> Response:
        self._require_session(request)
        known = self._interface_or_404(name)
        return Response(200, {"name": known, "link_status": self.link_status(known)})


def _ip_assignment(given: Any, current: dict[str, Any]) -> dict[str, Any]:
    """`{}` or a missing/"Unassigned" zone unassigns; a zone keeps the old mode unless given."""
    if not isinstance(given, dict):
        raise _bad_call("ip_assignment must be an object.")
    unknown = set(given) - {"zone", "mode"}
    if unknown:
        raise _bad_call(f"Unknown ip_assignment field(s): {', '.join(sorted(unknown))}.")
    zone = given.get("zone")
    if zone is None or zone == UNASSIGNED:
        return {}
    if not isinstance(zone, str) or not zone.strip():
        raise _bad_value("zone must be a zone name such as LAN, or omitted for Unassigned.")
    result: dict[str, Any] = {"zone": zone}
    mode = given.get("mode", current.get("ip_assignment", {}).get("mode"))
    if mode is not None:
        if not isinstance(mode, dict):
            raise _bad_value('ip_assignment.mode must be an object such as {"static": {...}}.')
        result["mode"] = copy.deepcopy(mode)
    return result


def _int_in_range(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad_value(f"{name} must be an integer, got {value!r}.")
    if not low <= value <= high:
        raise _bad_value(f"{name} {value} is out of range ({low}..{high}).")
    return value


def _bool(name: str, fields: dict[str, Any]) -> bool:
    value = fields[name]
    if not isinstance(value, bool):
        raise _bad_value(f"{name} must be true or false, got {value!r}.")
    return value


def _state(
    status: str,
    primary: str,
    secondary: str,
    up_time: str,
    synchronized: bool = False,
    message: str | None = None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "status": status,
        "primary_state": primary,
        "secondary_state": secondary,
        "active_up_time": up_time,
        "synchronized": synchronized,
    }
    if message:
        doc["message"] = message
    return doc
