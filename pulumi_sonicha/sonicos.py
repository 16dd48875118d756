"""SonicOS REST API client (the subset in shared/spec/appliance-api.md).

Knows nothing of Pulumi. The unit of work is an *admin session*:

    with SonicOSClient(host, settings).session() as unit:
        before = unit.ha_settings()
        unit.put_ha_settings(new)     # staged on the appliance
        unit.commit()                 # one commit for the whole operation

Why this shape: a SonicOS appliance allows one API session at a time and
stages every write until commit. So each provider operation holds one session
(taken under a per-host lock, since the provider host runs four threads),
commits once, and on any failure discards what it staged before logging out:
the appliance never keeps a half-applied change.

Config mode (appliance-api.md): a login is 200 even while an administrator
configures the unit, in non-config mode. Reads never take config mode. The
first write takes it (`POST /config-mode`) only when nobody else holds it, or
when `sonicha:overrideSession=true` allows preempting; otherwise it fails
before anything is written, naming who holds it. `release_config_mode()` gives
it back (HaPair does, before waiting for HA sync); logout always does.

Authentication: Basic on the login, unless the unit answers 401 with a Digest
challenge (7.x session security, the default): then RFC 7616 Digest on every
request. The Digest state is kept per unit and thread for the life of the
process, so later operations skip the challenge round trip.
"""

from __future__ import annotations

import copy
import hmac
import logging
import re
import threading
import time
import types
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from requests.auth import HTTPDigestAuth

from . import readback, transport
from .errors import (
    ActionUncertainError,
    ApiDisabledError,
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    CommitUncertainError,
    ConfigModeHeldError,
    NotFoundError,
    SessionHeldError,
    TooManySessionsError,
    register_secret,
)
from .ha_state import HaView
from .serials import normalize_serial
from .settings import Settings

log = logging.getLogger("pulumi_sonicha")

API = "/api/sonicos"
_LOCKS = transport.KeyedLocks()
#: The HA actions (O70/O72): each acts at once, so none is ever sent twice.
ACTION_PATHS = ("/high-availability/force-failover", "/high-availability/synchronize/", "/restart")
SYNCHRONIZE = ("settings", "firmware")


ENABLE_API_HINT = (
    "enable it under Device > Settings > Administration > SonicOS API (with RFC-7616"
    " Digest or RFC-2617 Basic authentication allowed there)"
)


@dataclass(frozen=True)
class SystemInfo:
    serial: str
    model: str
    firmware_version: str


@dataclass(frozen=True)
class LoginInfo:
    """What a login answer says about config mode (LIVE: `status.info[0]`)."""

    config_mode: bool
    holder_type: str | None  # `curr_config_type` of whoever configures, None for nobody
    holder_ip: str | None  # `curr_config_ip`
    holder_admin: str | None  # the administrator's name, when the answer's message gives it
    inactivity_minutes: int | None  # `inactivity_timer`

    @classmethod
    def parse(cls, info: dict[str, Any]) -> LoginInfo:
        kind = str(info.get("curr_config_type") or "").strip()
        ip = str(info.get("curr_config_ip") or "").strip()
        someone = bool(kind) and kind.upper() != "NONE"
        match = _ADMIN_IN_MESSAGE.search(str(info.get("message", "")))
        try:
            timer = int(info["inactivity_timer"])
        except (KeyError, TypeError, ValueError):
            timer = None
        return cls(
            config_mode=str(info.get("config_mode", "")).strip().lower() in ("yes", "true"),
            holder_type=kind if someone else None,
            holder_ip=ip if someone and ip not in ("", "0.0.0.0") else None,
            holder_admin=match.group(1) if someone and match else None,
            inactivity_minutes=timer,
        )

    def holder(self) -> str:
        """Who configures, in words: "administrator 'alice' (WEB from 10.0.0.5)"."""
        where = " from ".join(p for p in (self.holder_type, self.holder_ip) if p)
        who = f"administrator {self.holder_admin!r}" if self.holder_admin else "another session"
        return f"{who} ({where})" if where else who


# The unit names the administrator in config mode in its login message (as the UI does).
_ADMIN_IN_MESSAGE = re.compile(r"[Aa]dministrator '([^']+)'")


@dataclass(frozen=True)
class LinkStatus:
    """One interface's row of `GET /reporting/interfaces/ipv4/status`."""

    connected: bool
    text: str


class _Digest(HTTPDigestAuth):
    """requests' RFC 7616 Digest, with two changes that save a round trip per login:
    primed with the challenge the Basic login got, and its nonce state shared by all
    threads instead of per thread (the provider host runs operations on four threads,
    and HaInterface reads both units on threads of their own). Sharing is safe: every
    session on a unit is taken under that unit's lock, so one thread at a time signs
    with a unit's Digest. (Both rely on `_thread_local`, requests' state holder since
    2.x.)"""

    def __init__(self, username: str, password: str) -> None:
        super().__init__(username, password)
        self._thread_local = types.SimpleNamespace()  # type: ignore[assignment]

    def prime(self, challenge: str, method: str, url: str) -> None:
        self.init_per_thread_state()
        body = re.sub(r"^\s*digest\s+", "", challenge, count=1, flags=re.IGNORECASE)
        self._thread_local.chal = requests.utils.parse_dict_header(body)
        self.build_digest_header(method, url)  # sets the nonce: __call__ signs from now on


_DIGEST: dict[tuple[str, str], _Digest] = {}
_DIGEST_LOCK = threading.Lock()


def forget_authentication() -> None:
    """Forget which units asked for Digest (tests start each case from a clean slate)."""
    with _DIGEST_LOCK:
        _DIGEST.clear()


class SonicOSClient:
    """One appliance's API; cheap to create, holds no connection between operations."""

    def __init__(self, host: str, settings: Settings, *, serial: str | None = None) -> None:
        self.origin = transport.normalize_origin(host)
        self.host = self.origin.removeprefix("https://")
        self.settings = settings
        self.serial = serial
        # Fixed for the client's life, so `hold_units` and `session` take the same locks.
        self.lock_keys = transport.unit_keys(self.host, serial)

    @contextmanager
    def session(self) -> Iterator[ApplianceSession]:
        """Log in (under the host lock), yield, discard staged writes on error, log out."""
        self.settings.require_password()
        transport.warn_if_insecure(self.settings, self.origin)
        auth_url = f"{self.origin}{API}/auth"
        commit_url = f"{self.origin}{API}/config/pending"
        actions = tuple(f"{self.origin}{API}{path}" for path in ACTION_PATHS)
        with (
            _LOCKS.hold_all(self.lock_keys),
            transport.new_session(
                self.settings,
                no_read_retry=(auth_url,),
                no_status_retry=(commit_url,),
                act_once=actions,
            ) as http,
        ):
            unit = ApplianceSession(self, http)
            unit.login()
            try:
                yield unit
            except BaseException:
                unit.discard_quietly()
                raise
            finally:
                unit.logout_quietly()


def hold_units(clients: list[SonicOSClient]) -> AbstractContextManager[transport.HeldLocks]:
    """The locks of several units, in the one global order; each client's `session()`
    then takes its own again without waiting (the locks are re-entrant). A unit no
    longer needed can be let go early (`HeldLocks.release(client.lock_keys)`)."""
    return _LOCKS.hold_all([key for client in clients for key in client.lock_keys])


class ApplianceSession:
    """An open admin session on one unit. Obtain it from `SonicOSClient.session()`."""

    def __init__(self, client: SonicOSClient, http: requests.Session) -> None:
        self._client = client
        self._http = http
        self._login_info: LoginInfo | None = None
        self._config_mode = False
        self._released = False
        #: What the last commit said in `status.cli.restart_required` (None: no restart).
        self.restart_required: str | None = None
        # Writes staged in this session, replayed if the session expires mid-operation.
        self._staged: list[tuple[str, str, Any]] = []
        # A write was sent (even one that failed or got no answer: it may have been
        # staged all the same), so a failure must discard before logging out.
        self._dirty = False
        # Whether this session committed anything: error texts say what stays applied.
        self._committed = False

    # -- identity -------------------------------------------------------------
    @property
    def host(self) -> str:
        return self._client.host

    @property
    def serial(self) -> str | None:
        return self._client.serial

    @property
    def label(self) -> str:
        """How messages name this unit: host, and serial once known."""
        return f"{self.host} (serial {self.serial})" if self.serial else self.host

    def error(
        self, message: str, cls: type[ApplianceError] = ApplianceError, **kw: Any
    ) -> ApplianceError:
        """An error that names this unit by host and serial."""
        return cls(message, host=self.host, serial=self.serial, **kw)

    # -- session --------------------------------------------------------------
    @property
    def config_mode(self) -> bool:
        """Whether this session holds config mode now."""
        return self._config_mode

    @property
    def login_info(self) -> LoginInfo | None:
        """What the login answer said about config mode (who holds it), no request."""
        return self._login_info

    def login(self, override: bool = False) -> None:
        """Log in (never preempting, unless `override`); Digest when the unit asks for it."""
        settings = self._client.settings
        username, password = settings.username, settings.require_password()
        key = (transport.host_key(self.host), username)
        body = {"override": override}
        with _DIGEST_LOCK:
            digest = _DIGEST.get(key)
        if digest is not None and not hmac.compare_digest(
            digest.password.encode(), password.encode()
        ):
            digest = None  # other credentials: never sign with a remembered password
        response = None
        if digest is not None:
            self._http.auth = digest
            response = self._send_login(body)
            challenge = response.headers.get("WWW-Authenticate", "")
            if response.status_code == 401 and not challenge.lower().startswith("digest"):
                # The unit no longer asks for Digest (its settings changed): start over.
                with _DIGEST_LOCK:
                    _DIGEST.pop(key, None)
                self._http.auth = None
                response = None
        if response is None:
            # HTTP Basic carries Latin-1 only: other credentials go without it, to get the
            # unit's Digest challenge (Digest hashes UTF-8).
            unfit = next(
                (key for key, text in (("username", username), ("password", password))
                 if not _latin1(text)),
                None,
            )  # fmt: skip
            basic = (username, password) if unfit is None else _NO_AUTH
            response = self._send_login(body, auth=basic)
            challenge = response.headers.get("WWW-Authenticate", "")
            asks_digest = response.status_code == 401 and challenge.lower().startswith("digest")
            if unfit and not asks_digest:
                raise self.error(
                    f"sonicha:{unfit} has characters outside Latin-1, which HTTP Basic"
                    " authentication cannot carry, and this unit does not offer RFC-7616"
                    " Digest; turn Digest on for the SonicOS API (Device > Settings >"
                    " Administration > SonicOS API), or use Latin-1 characters only",
                    AuthenticationError,
                    status=response.status_code,
                )
            if asks_digest:
                digest = _Digest(username, password)
                digest.prime(challenge, "POST", f"{self._client.origin}{API}/auth")
                with _DIGEST_LOCK:
                    _DIGEST[key] = digest
                self._http.auth = digest
                response = self._send_login(body)
        if response.status_code == 401:
            raise self.error(
                f"the appliance rejected the credentials of admin user {username!r};"
                " check sonicha:username and sonicha:password",
                AuthenticationError,
                code=_code(response),
                status=401,
            )
        if response.status_code == 503 and not override and settings.override_session:
            log.warning(
                "%s: no free API session; sonicha:overrideSession=true, so taking it over",
                self.host,
            )
            return self.login(override=True)
        self._raise_for(response, "log in")
        info = next(iter(_info(response)), {})
        self._login_info = LoginInfo.parse(info)
        self._config_mode = self._login_info.config_mode
        # Whoever holds the session cookie holds the admin session.
        for cookie in self._http.cookies:
            register_secret(cookie.value)

    def _send_login(self, body: dict[str, Any], **kwargs: Any) -> requests.Response:
        """`POST /auth`, sent once more on a fresh connection when the connection dropped
        without an answer: a unit closes idle kept-alive connections, and a login (never
        retried by the transport, as one that arrived would meet its own session) sent on
        such a connection is lost before the unit reads it."""
        try:
            return self._send("POST", "/auth", json=body, raw_errors=True, **kwargs)
        except requests.RequestException as exc:
            if not isinstance(exc, requests.ConnectionError) or not transport.may_have_arrived(
                exc
            ):  # never connected (refused, TLS refused, timed out): a retry cannot help
                raise self._unreachable("POST", "/auth", exc) from None
            log.info("%s: the login got no answer; sending it again on a new connection",
                     self.host)  # fmt: skip
            transport.POOLS.forget(self._client.origin)
            return self._send("POST", "/auth", json=body, **kwargs)

    def check_config_mode_free(self) -> None:
        """Fail (no request) when a write would have to preempt someone without
        sonicha:overrideSession=true: lets a two-unit operation check both units first."""
        info = self._login_info
        if self._config_mode or self._released or info is None or not info.holder_type:
            return
        if not self._client.settings.override_session:
            raise self.error(self._held_text(info), ConfigModeHeldError, status=403)

    def take_config_mode(self) -> None:
        """Config mode for writes: taken when nobody configures, preempting only with
        sonicha:overrideSession=true; otherwise fail naming who holds it."""
        if self._config_mode:
            return
        if self._released:
            # Someone may have started configuring since we gave config mode back: a
            # fresh login says who holds it now (and POST /config-mode would preempt).
            self._released = False
            self.logout_quietly()
            self.login()
            if self._config_mode:
                return
        info = self._login_info
        if info is not None and info.holder_type and not self._client.settings.override_session:
            raise self.error(self._held_text(info), ConfigModeHeldError, status=403)
        self._call("POST", "/config-mode", {})
        self._config_mode = True

    def release_config_mode(self) -> None:
        """Give config mode back, so nobody is locked out while we only wait or read."""
        if not self._config_mode:
            return
        self._call("POST", "/non-config-mode", {})
        self._config_mode = False
        self._released = True

    def _held_text(self, info: LoginInfo) -> str:
        username = self._client.settings.username
        outcome = (
            "so this write was not sent (what this operation committed before stays committed)"
            if self._committed
            else "so nothing was written"
        )
        text = (
            f"{info.holder()} is configuring this unit (it holds config mode), {outcome}."
            " Wait until they are done and run again, or set sonicha:overrideSession=true to"
            " preempt them (their unsaved changes are lost)"
        )
        if info.holder_admin and info.holder_admin == username:
            timer = f" ({info.inactivity_minutes} min)" if info.inactivity_minutes else ""
            text += (
                f". {username!r} is the username this provider logs in with: unless someone"
                " works on the unit with it, this is probably an interrupted earlier run of"
                f" ours. To clear it, wait for the unit's inactivity timer{timer}, log that"
                " session out on the unit (as an administrator, in its web UI or CLI), or"
                " set sonicha:overrideSession=true"
            )
        return text

    def logout_quietly(self) -> None:
        """Log out, best effort (the session times out on the unit). Unless the unit
        confirmed it, its kept-alive connections are closed: a unit that ties the
        session to the connection must not hand it to the next operation."""
        confirmed = False
        try:
            confirmed = self._send("DELETE", "/auth").ok
        except Exception as exc:  # noqa: BLE001 - logout is best effort; the session times out
            log.debug("logout from %s failed: %s", self.host, exc.__class__.__name__)
        if not confirmed:
            transport.POOLS.forget(self._client.origin)

    def discard_quietly(self) -> None:
        if not self._dirty or not self._config_mode:
            return
        self._staged.clear()
        self._dirty = False
        try:
            self._send("DELETE", "/config/pending")
        except Exception as exc:  # noqa: BLE001 - logout discards pending changes too
            log.debug("discard on %s failed: %s", self.host, exc.__class__.__name__)

    # -- reads ----------------------------------------------------------------
    def system(self) -> SystemInfo:
        body = self._call("GET", "/version")
        serial = normalize_serial(str(body.get("serial_number", "")))
        firmware = str(body.get("firmware_version", ""))
        self._client.serial = self._client.serial or serial
        transport.learn_serial(self.host, serial)
        return SystemInfo(
            serial=serial,
            model=str(body.get("model", "")),
            firmware_version=firmware.split()[-1] if firmware.split() else firmware,
        )

    def ha_settings(self) -> dict[str, Any]:
        return dict(self._call("GET", "/high-availability/base").get("high_availability") or {})

    def ha_status(self) -> dict[str, Any]:
        return self._call("GET", "/reporting/high-availability")

    def ha_monitoring(self, name: str) -> dict[str, Any]:
        """The whole `ipv4` HA monitoring entry of one interface (O70/O72: the
        per-interface path answers the collection shape); NotFoundError when the unit
        has no such interface."""
        body = self._call("GET", f"/high-availability/monitoring/ipv4/interface/{name}")
        for entry in parse_monitoring(body):
            if str(entry.get("name", "")).upper() == name.upper():
                return entry
        raise self.error(f"no HA monitoring entry for interface {name}", NotFoundError, status=404)

    def ha_monitoring_all(self) -> list[dict[str, Any]]:
        """Every interface's `ipv4` HA monitoring entry (one GET of the collection)."""
        return parse_monitoring(self._call("GET", "/high-availability/monitoring/ipv4"))

    def interfaces(self) -> list[dict[str, Any]]:
        """Every `ipv4` interface object (`GET /interfaces/ipv4`), VLANs included."""
        return parse_interfaces(self._call("GET", "/interfaces/ipv4"))

    def interface(self, name: str) -> dict[str, Any]:
        """The whole `ipv4` object of one physical interface (VLAN sub-interfaces repeat
        the name and add `vlan`); NotFoundError when the unit has no such port."""
        for ipv4 in self.interfaces():
            if str(ipv4.get("name", "")).upper() == name.upper() and not ipv4.get("vlan"):
                return ipv4
        raise self.error(f"interface {name} not found", NotFoundError, status=404)

    def link_status(self, name: str) -> LinkStatus:
        """The physical interface's row of `GET /reporting/interfaces/ipv4/status`."""
        found = self.link_statuses().get(name.upper())
        if found is None:
            raise self.error(f"interface {name} not found in the link status", NotFoundError)
        return found

    def link_statuses(self) -> dict[str, LinkStatus]:
        """Every physical interface's link (upper-case name -> status), one GET."""
        body = self._call("GET", "/reporting/interfaces/ipv4/status")
        rows = body.get("items") if "items" in body else body.get("interfaces", [])
        found: dict[str, LinkStatus] = {}
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("name") and not row.get("vlan"):
                connected = _truthy(row.get("connected"))
                # Down always reads "No link" (whatever the unit's wording), so the link
                # outputs alone tell up from down (models.ha_interface.link_up).
                text = str(row.get("status") or "Connected") if connected else "No link"
                found[str(row["name"]).upper()] = LinkStatus(connected=connected, text=text)
        return found

    def restart_pending(self) -> str | None:
        """`restart_required` of `GET /reporting/status/system` (a string in 7.0.1, a
        boolean in 7.2): the restart the unit still waits for, or None when it waits for
        none (NotFoundError when the unit does not serve that path)."""
        body = self._call("GET", "/reporting/status/system")
        value = body.get("restart_required")
        text = str(value).strip()
        if value in (None, "", False) or text.upper() in ("NONE", "FALSE", "NO"):
            return None
        return "yes" if value is True or text.lower() in ("true", "yes") else text

    def pending(self) -> dict[str, Any]:
        return self._call("GET", "/config/pending")

    def ha_view(self) -> HaView:
        """This unit's HA status, read into roles and states (`ha_state.HaView`)."""
        return HaView.parse(self.ha_status())

    # -- HA actions (act at once: nothing staged, nothing to commit) ---------------
    def force_failover(self) -> None:
        """`POST /high-availability/force-failover`: the Active unit hands Active to its
        peer (the pair's addresses move with it). Sent to the Active unit."""
        self._act("/high-availability/force-failover", "force a failover")

    def synchronize(self, what: str) -> None:
        """`POST /high-availability/synchronize/settings|firmware`: the idle unit (the
        Backup, normally) takes the Active unit's settings or firmware and reboots."""
        if what not in SYNCHRONIZE:
            raise ValueError(f"what must be one of {', '.join(SYNCHRONIZE)}, got {what!r}")
        self._act(f"/high-availability/synchronize/{what}", f"synchronize the {what}")

    def restart(self) -> None:
        """`POST /restart`: this unit restarts (only the unit called)."""
        self._act("/restart", "restart")

    def _act(self, path: str, action: str) -> None:
        """An action: config mode taken as for a write (the vendor does not say whether it
        is needed), sent once (never retried after it may have arrived: a failover sent
        twice fails back). Nothing is staged: there is nothing to commit or discard."""
        self.take_config_mode()
        try:
            self._call("POST", path, {})
        except ApplianceUnreachableError as exc:
            raise self.error(
                f"{action}: no answer ({exc.message.split(': ', 1)[-1]}), so the unit may"
                " have started it or not; it was not sent again. Look at the pair's HA"
                " status (on the unit, or `pulumi refresh`) before running again",
                ActionUncertainError,
            ) from None

    # -- staged writes --------------------------------------------------------
    def put_ha_settings(self, high_availability: dict[str, Any]) -> None:
        self._write("PUT", "/high-availability/base", {"high_availability": high_availability})

    def put_ha_monitoring(self, entry: dict[str, Any]) -> None:
        """Stage one whole monitoring entry (a PUT replaces the interface's entry)."""
        body = {"high_availability": {"monitoring": {"interface": [{"ipv4": entry}]}}}
        self._write("PUT", f"/high-availability/monitoring/ipv4/interface/{entry['name']}", body)

    def put_interface(self, ipv4: dict[str, Any]) -> None:
        """Stage one whole `ipv4` object (a PUT replaces the interface it names)."""
        self._write("PUT", "/interfaces/ipv4", {"interfaces": [{"ipv4": ipv4}]})

    def commit(self) -> None:
        """Commit what this session staged, then read back what was written (one GET per
        object) and fail, naming the object and field, when the unit does not hold it.
        Nothing staged means no request at all.

        A commit answered with an error is never sent again blindly: the unit may have
        lost what was staged, and a second commit would then commit nothing and answer
        200. Before each retry the client asks what is pending (`GET /config/pending`)
        and stages its writes again when they are gone."""
        if not self._staged:
            return
        body = self._commit_with_retries()
        written = list(self._staged)
        self._staged.clear()
        self._dirty = False
        self._committed = True
        cli = ((body.get("status") or {}).get("cli") or {}) if isinstance(body, dict) else {}
        restart = cli.get("restart_required")
        if restart not in (None, "", False) and str(restart).strip().upper() != "NONE":
            self.restart_required = str(restart)
            log.warning(
                "%s: the commit reports restart_required=%s: restart the unit for the change"
                " to take effect",
                self.label,
                restart,
            )
        readback.verify(self, written)

    def _commit_with_retries(self) -> dict[str, Any]:
        retries = self._client.settings.max_retries
        attempt = 0
        while True:
            try:
                return self._call("POST", "/config/pending", {})
            except ApplianceError as exc:
                if exc.status not in transport.RETRY_STATUSES or attempt >= retries:
                    raise
            time.sleep(transport.backoff_seconds(self._client.settings, attempt))
            attempt += 1
            if not _has_pending(self._call("GET", "/config/pending")):
                log.info(
                    "%s: the failed commit lost the staged changes; staging them again", self.label
                )
                for method, path, body in list(self._staged):
                    self._call(method, path, body)

    def _outcome(self) -> str:
        """What a failure at this point leaves on the unit, for error texts."""
        if self._committed:
            return "what this operation committed before stays committed"
        return "nothing was committed"

    # -- plumbing -------------------------------------------------------------
    def _write(self, method: str, path: str, body: Any) -> None:
        self.take_config_mode()
        self._dirty = True
        self._call(method, path, body)
        self._staged.append((method, path, copy.deepcopy(body)))

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self._send(method, path, json=body)
        if response.status_code == 401:
            # The session expired (timeout, or another admin took it over). Staged
            # writes died with it: log in again once and replay them.
            log.info("session on %s expired; logging in again", self.host)
            had_config_mode = self._config_mode
            self.login()
            if had_config_mode or self._staged:
                self.take_config_mode()
            for staged_method, staged_path, staged_body in list(self._staged):
                self._raise_for(self._send(staged_method, staged_path, json=staged_body), "replay")
            response = self._send(method, path, json=body)
            if response.status_code == 401:
                raise self.error(
                    "the session was lost twice in a row; check that no other administrator or"
                    f" script keeps taking over the session; {self._outcome()}",
                    AuthenticationError,
                    code=_code(response),
                    status=401,
                )
        self._raise_for(response, f"{method} {path}")
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError as exc:
            raise self.error(f"{method} {API}{path} answered with non-JSON content") from exc
        return data if isinstance(data, dict) else {"items": data}

    def _send(
        self, method: str, path: str, raw_errors: bool = False, **kwargs: Any
    ) -> requests.Response:
        """One request; a failure without an answer raises ApplianceUnreachableError (or
        requests' own exception, for `raw_errors`)."""
        headers = {"Accept": "application/json"}
        if kwargs.get("json") is None:
            kwargs.pop("json", None)
        if kwargs.get("auth") is _NO_AUTH:
            kwargs["auth"] = _NoAuth()
        try:
            return transport.send(
                self._http,
                self._client.settings,
                method,
                f"{self._client.origin}{API}{path}",
                headers=headers,
                **kwargs,
            )
        except requests.RequestException as exc:
            if raw_errors:
                raise
            raise self._unreachable(method, path, exc) from None

    def _unreachable(
        self, method: str, path: str, exc: requests.RequestException
    ) -> ApplianceError:
        """The error for a request that got no answer."""
        why = transport.describe_transport_error(exc, self._client.settings)
        what = f"{method} {API}{path}: {why}"
        if (method, path) == ("POST", "/config/pending") and transport.may_have_arrived(exc):
            # The request may have reached the unit: a commit is all or nothing, but
            # which of the two happened cannot be known from here.
            return self.error(
                f"{what}. The commit got no answer, so the unit may have applied all of"
                " this operation's changes or none of them; run `pulumi up` again: it"
                " compares with the unit and writes only what still differs",
                CommitUncertainError,
            )
        return self.error(f"{what}; {self._outcome()}", ApplianceUnreachableError)

    def _raise_for(self, response: requests.Response, action: str) -> None:
        if response.ok:
            status = _envelope_status(response)
            if status is None or status.get("success", True) is not False:
                return
        code = _code(response)
        message = _message(response) or f"HTTP {response.status_code}"
        status_code = response.status_code
        if status_code == 404:
            raise self.error(message, NotFoundError, code=code, status=404)
        if status_code == 403 and (code == "E_DISABLED" or "service disabled" in message.lower()):
            raise self.error(
                f"the SonicOS API is disabled on this unit; {ENABLE_API_HINT}",
                ApiDisabledError,
                code=code,
                status=403,
            )
        if status_code == 403 and action != "log in" and _is_standby_refusal(message):
            raise self.error(
                f"{action} refused ({message}): this unit is the Standby of an HA pair and"
                " takes its configuration from the Active unit, which overwrites anything"
                f" written here; {self._outcome()}. Declare the Primary's address as"
                " primary_host (a role swap is done in two runs: see the README); if this"
                " is the Primary, the pair has failed over and the Backup is Active: fail"
                ' back first (HaFailover with active="primary", or on the unit)',
                ApplianceError,
                code=code,
                status=403,
            )
        if status_code == 403 and action != "log in":
            self._config_mode = False
            raise self.error(
                f"{action} refused ({message}): config mode was taken from this session,"
                " probably by an administrator who logged in on the unit and preempted it;"
                f" the unit dropped what was staged, {self._outcome()}. Run again when they"
                " are done",
                SessionHeldError,
                code=code,
                status=403,
            )
        if status_code == 503 and action == "log in":
            raise self.error(
                "the unit refuses another API session (HTTP 503: too many sessions). Another"
                " API client is logged in; if nothing else uses the API on this unit with"
                f" username {self._client.settings.username!r}, it is probably an interrupted"
                " earlier run of ours. Wait for the unit's inactivity timer, log that session"
                " out on the unit, or set sonicha:overrideSession=true to take it over",
                TooManySessionsError,
                code=code,
                status=503,
            )
        if status_code >= 500 or status_code == 429:
            message = (
                f"{action} failed: {message} (HTTP {status_code}, after"
                f" {self._client.settings.max_retries} retries); {self._outcome()}, try again"
                " later"
            )
        else:
            message = f"{action} rejected: {message}"
        raise self.error(message, code=code, status=status_code)


def parse_interfaces(body: dict[str, Any]) -> list[dict[str, Any]]:
    """`{"interfaces": [{"ipv4": ...}]}` (7.x), or the single `{"interface": {"ipv4": ...}}`
    SonicOS 6.5 may answer: the `ipv4` objects."""
    items = body.get("interfaces")
    if isinstance(items, list):
        return [i["ipv4"] for i in items if isinstance(i, dict) and isinstance(i.get("ipv4"), dict)]
    single = body.get("interface")
    if isinstance(single, dict) and isinstance(single.get("ipv4"), dict):
        return [single["ipv4"]]
    return []


def parse_monitoring(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `ipv4` entries of `{"high_availability": {"monitoring": {"interface": [...]}}}`."""
    ha = body.get("high_availability")
    monitoring = ha.get("monitoring") if isinstance(ha, dict) else None
    items = monitoring.get("interface") if isinstance(monitoring, dict) else None
    if not isinstance(items, list):
        return []
    return [i["ipv4"] for i in items if isinstance(i, dict) and isinstance(i.get("ipv4"), dict)]


_NO_AUTH = object()  # a login with no credentials at all (to be challenged)


class _NoAuth(requests.auth.AuthBase):
    """No Authorization header (not even from ~/.netrc, which requests would consult)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _has_pending(body: dict[str, Any]) -> bool:
    """Whether a `GET /config/pending` answer shows staged changes: the changes listed
    (O70), or the status envelope O72 gives for this path saying `cli.pending_config`.
    Anything else reads as nothing pending: the writes are then staged again, which is
    harmless (each PUT replaces its whole object)."""
    status = body.get("status")
    cli = status.get("cli") if isinstance(status, dict) else None
    if isinstance(cli, dict) and _truthy(cli.get("pending_config")):
        return True
    return any(value for key, value in body.items() if key != "status")


def _truthy(value: Any) -> bool:
    """`connected` is a boolean in O72 and a string "true"/"false" in O70."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "up")
    return bool(value)


def _envelope_status(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, dict) else None


def _info(response: requests.Response) -> list[dict[str, Any]]:
    status = _envelope_status(response) or {}
    info = status.get("info") or []
    return [i for i in info if isinstance(i, dict)]


def _is_standby_refusal(message: str) -> bool:
    """Whether a 403 says the unit is a pair's Standby. No public source shows a real
    unit's text for this; the simulator's (`E_HA_STANDBY`) names the Standby, and a
    message that does not is taken as a preempted config mode, as before."""
    text = message.lower()
    return "standby" in text or "ha secondary" in text


def _code(response: requests.Response) -> str | None:
    for item in _info(response):
        if item.get("code"):
            return str(item["code"])
    return None


def _message(response: requests.Response) -> str:
    messages = [str(i["message"]) for i in _info(response) if i.get("message")]
    if messages:
        return "; ".join(messages)
    return response.text.strip()[:200]
