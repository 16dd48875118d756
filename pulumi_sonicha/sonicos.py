"""SonicOS REST API client (the subset in shared/spec/appliance-api.md).

Knows nothing of Pulumi. The unit of work is an *admin session*:

    with SonicOSClient(host, settings).session() as unit:
        before = unit.ha_settings()
        unit.put_ha_settings(new)     # staged on the appliance
        unit.commit()                 # one commit for the whole operation

Why this shape: a SonicOS appliance allows one administrator session at a
time and stages every write until commit. So each provider operation holds
one session (taken under a per-host lock, since the provider host runs four
threads), commits once, and on any failure discards what it staged before
logging out: the appliance never keeps a half-applied change.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from . import transport
from .errors import (
    ApplianceError,
    ApplianceUnreachableError,
    AuthenticationError,
    CommitUncertainError,
    NotFoundError,
    SessionHeldError,
    register_secret,
)
from .serials import normalize_serial
from .settings import Settings

log = logging.getLogger("pulumi_sonicha")

API = "/api/sonicos"
_LOCKS = transport.KeyedLocks()


@dataclass(frozen=True)
class SystemInfo:
    serial: str
    model: str
    firmware_version: str


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
        with (
            _LOCKS.hold_all(self.lock_keys),
            transport.new_session(self.settings, no_read_retry=(auth_url,)) as http,
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


def hold_units(clients: list[SonicOSClient]) -> AbstractContextManager[None]:
    """The locks of several units, in the one global order; each client's `session()`
    then takes its own again without waiting (the locks are re-entrant)."""
    return _LOCKS.hold_all([key for client in clients for key in client.lock_keys])


class ApplianceSession:
    """An open admin session on one unit. Obtain it from `SonicOSClient.session()`."""

    def __init__(self, client: SonicOSClient, http: requests.Session) -> None:
        self._client = client
        self._http = http
        self._token: str | None = None
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

    def error(
        self, message: str, cls: type[ApplianceError] = ApplianceError, **kw: Any
    ) -> ApplianceError:
        """An error that names this unit by host and serial."""
        return cls(message, host=self.host, serial=self.serial, **kw)

    # -- session --------------------------------------------------------------
    def login(self) -> None:
        settings = self._client.settings
        body = {"override": True} if settings.override_session else None
        response = self._send(
            "POST", "/auth", json=body, auth=(settings.username, settings.require_password())
        )
        if response.status_code == 401:
            raise self.error(
                f"the appliance rejected the credentials of admin user {settings.username!r};"
                " check sonicha:username and sonicha:password",
                AuthenticationError,
                code=_code(response),
                status=401,
            )
        if response.status_code == 403:
            raise self.error(
                f"{_message(response) or 'another administrator holds the configuration session'};"
                " log that administrator out, or set sonicha:overrideSession=true to take the"
                " session over (their unsaved changes are lost)",
                SessionHeldError,
                code=_code(response),
                status=403,
            )
        self._raise_for(response, "log in")
        try:
            token = response.json().get("token") if response.content else None
        except ValueError:
            token = None
        self._token = token if isinstance(token, str) else None
        # Whoever holds the session token or cookie holds the admin session.
        register_secret(self._token)
        for cookie in self._http.cookies:
            register_secret(cookie.value)

    def logout_quietly(self) -> None:
        try:
            self._send("DELETE", "/auth")
        except Exception as exc:  # noqa: BLE001 - logout is best effort; the session times out
            log.debug("logout from %s failed: %s", self.host, exc.__class__.__name__)

    def discard_quietly(self) -> None:
        if not self._dirty:
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

    def interface(self, name: str) -> dict[str, Any]:
        """The `ipv4` object of one interface; NotFoundError when the unit has no such port."""
        body = self._call("GET", f"/interfaces/ipv4/name/{quote(name, safe='')}")
        items = body.get("interfaces") or []
        if not items or "ipv4" not in items[0]:
            raise self.error(f"interface {name} not found", NotFoundError, status=404)
        return items[0]["ipv4"]

    def link_status(self, name: str) -> str:
        body = self._call("GET", f"/reporting/interfaces/ipv4/name/{quote(name, safe='')}")
        return str(body.get("link_status", ""))

    def pending(self) -> dict[str, Any]:
        return self._call("GET", "/config/pending")

    # -- staged writes --------------------------------------------------------
    def put_ha_settings(self, high_availability: dict[str, Any]) -> None:
        self._write("PUT", "/high-availability/base", {"high_availability": high_availability})

    def put_interface(self, ipv4: dict[str, Any]) -> None:
        name = ipv4["name"]
        self._write(
            "PUT", f"/interfaces/ipv4/name/{quote(name, safe='')}", {"interfaces": [{"ipv4": ipv4}]}
        )

    def commit(self) -> None:
        """Commit what this session staged; nothing staged means no request at all."""
        if not self._staged:
            return
        self._call("POST", "/config/pending")
        self._staged.clear()
        self._dirty = False
        self._committed = True

    def _outcome(self) -> str:
        """What a failure at this point leaves on the unit, for error texts."""
        if self._committed:
            return "what this operation committed before stays committed"
        return "nothing was committed"

    # -- plumbing -------------------------------------------------------------
    def _write(self, method: str, path: str, body: Any) -> None:
        self._dirty = True
        self._call(method, path, body)
        self._staged.append((method, path, copy.deepcopy(body)))

    def _call(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = self._send(method, path, json=body)
        if response.status_code == 401:
            # The session expired (timeout, or another admin took it over). Staged
            # writes died with it: log in again once and replay them.
            log.info("session on %s expired; logging in again", self.host)
            self.login()
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

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if kwargs.get("json") is None:
            kwargs.pop("json", None)
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
            what = f"{method} {API}{path}: {transport.describe_transport_error(exc)}"
            if (method, path) == ("POST", "/config/pending") and transport.may_have_arrived(exc):
                # The request may have reached the unit: a commit is all or nothing,
                # but which of the two happened cannot be known from here.
                raise self.error(
                    f"{what}. The commit got no answer, so the unit may have applied all of"
                    " this operation's changes or none of them; run `pulumi up` again: it"
                    " compares with the unit and writes only what still differs",
                    CommitUncertainError,
                ) from None
            raise self.error(f"{what}; {self._outcome()}", ApplianceUnreachableError) from None

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
        if status_code == 403:
            raise self.error(message, SessionHeldError, code=code, status=403)
        if status_code >= 500 or status_code == 429:
            message = (
                f"{action} failed: {message} (HTTP {status_code}, after"
                f" {self._client.settings.max_retries} retries); {self._outcome()}, try again"
                " later"
            )
        else:
            message = f"{action} rejected: {message}"
        raise self.error(message, code=code, status=status_code)


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
