"""MySonicWall portal API client (the subset in shared/spec/portal-api.md).

Knows nothing of Pulumi. The unit of work is one provider operation:

    with PortalClient(settings, serial=primary).session() as portal:
        association = portal.create_association(primary, secondary)

Why this shape: the portal hands out a bearer token per login that stays
valid for an hour, and the provider host runs four worker threads over a
whole fleet. So the token is cached per (portal URL, account) in this module,
shared by every thread, and a login happens only when there is no token yet
or the portal says it expired (then exactly once). Retries for connection
errors, 5xx and 429 (honouring `Retry-After`) come from `transport`; any other
4xx is answered at once with an error that names the serial and what to do.
The token and the password never appear in an exception, log line or repr.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from . import transport
from .errors import PortalError, PortalUnreachableError, register_secret
from .serials import normalize_serial
from .settings import Settings

log = logging.getLogger("pulumi_sonicha")

API = "/api/v1"

# Log in again this long before the portal's own expiry (at most a tenth of the
# token's lifetime), rather than have a call fail with TOKEN_EXPIRED.
_EXPIRY_MARGIN_S = 60.0


# -- token cache ---------------------------------------------------------------


@dataclass
class _Token:
    value: str = field(repr=False)
    # Keyed HMAC of the password the token was obtained with: a changed password
    # must not keep using a token the old one got (the key never leaves the process).
    fingerprint: bytes = field(repr=False)
    expires_at: float | None = None

    def usable(self, fingerprint: bytes) -> bool:
        fresh = self.expires_at is None or time.monotonic() < self.expires_at
        return fresh and hmac.compare_digest(self.fingerprint, fingerprint)


_FINGERPRINT_KEY = secrets.token_bytes(32)
_TOKENS: dict[tuple[str, str], _Token] = {}
_TOKEN_LOCKS = transport.KeyedLocks()


def _fingerprint(password: str) -> bytes:
    return hmac.new(_FINGERPRINT_KEY, password.encode(), hashlib.sha256).digest()


def forget_tokens() -> None:
    """Drop every cached token (tests; or after changing portal credentials)."""
    _TOKENS.clear()


# -- client --------------------------------------------------------------------


class PortalClient:
    """The portal of one account; cheap to create, holds no connection between operations.

    `serial` names the unit an operation is about, so every error says which
    resource of a fleet failed.
    """

    def __init__(self, settings: Settings, *, serial: str | None = None) -> None:
        self.settings = settings
        self.origin = settings.portal_url.rstrip("/")
        self.base_url = self.origin + API
        self.serial = serial

    def __repr__(self) -> str:
        return f"PortalClient({self.origin!r}, serial={self.serial!r})"

    @contextmanager
    def session(self) -> Iterator[PortalSession]:
        """Check the credentials are set, then yield a session on the portal."""
        self.settings.require_portal_credentials()
        transport.warn_if_insecure(self.settings, self.origin)
        with transport.new_session(self.settings) as http:
            yield PortalSession(self, http)


class PortalSession:
    """Calls on the portal. Obtain it from `PortalClient.session()`."""

    def __init__(self, client: PortalClient, http: requests.Session) -> None:
        self._client = client
        self._http = http
        #: True when the last `create_association` found the association already there.
        self.adopted = False

    def __repr__(self) -> str:
        return f"PortalSession({self._client.origin!r}, serial={self._client.serial!r})"

    @property
    def _settings(self) -> Settings:
        return self._client.settings

    def error(self, message: str, cls: type[PortalError] = PortalError, **kw: Any) -> PortalError:
        """An error that names the unit this operation is about (unless told otherwise)."""
        kw.setdefault("serial", self._client.serial)
        return cls(message, **kw)

    # -- token ----------------------------------------------------------------
    @property
    def _cache_key(self) -> tuple[str, str]:
        return (self._client.origin, self._settings.portal_username or "")

    def _token(self, stale: str | None = None) -> str:
        """The cached token, logging in when there is none usable (or it is `stale`)."""
        username, password = self._settings.require_portal_credentials()
        fingerprint = _fingerprint(password)
        key = self._cache_key
        with _TOKEN_LOCKS.hold("\n".join(key)):
            cached = _TOKENS.get(key)
            if cached is not None and cached.usable(fingerprint) and cached.value != stale:
                return cached.value
            _TOKENS.pop(key, None)
            token = self._login(username, password)
            _TOKENS[key] = token
            return token.value

    def _login(self, username: str, password: str) -> _Token:
        response = self._send(
            "POST", "/auth/login", json={"username": username, "password": password}
        )
        if response.status_code == 401:
            raise self.error(
                f"the credentials of account {username!r} were rejected;"
                " check sonicha:portalUsername and sonicha:portalPassword"
                " (`pulumi config set --secret sonicha:portalPassword`)",
                code=_code(response) or "INVALID_CREDENTIALS",
                status=401,
            )
        self._raise_for(response, "log in")
        body = _json(response)
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise self.error("log in answered without a token; check sonicha:portalUrl")
        register_secret(token)
        expires_in = body.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            lifetime = max(0.0, float(expires_in))
            expires_at = time.monotonic() + lifetime - min(_EXPIRY_MARGIN_S, lifetime / 10)
        log.debug("logged in to MySonicWall as %s", username)
        return _Token(token, _fingerprint(password), expires_at)

    # -- products -------------------------------------------------------------
    def products(self) -> list[dict[str, Any]]:
        items = self._call("GET", "/products").get("products") or []
        return [p for p in items if isinstance(p, dict)]

    def licenses(self, serial: str) -> list[dict[str, Any]]:
        body = self._call("GET", f"/products/{quote(serial, safe='')}/licenses", serial=serial)
        return [item for item in body.get("licenses") or [] if isinstance(item, dict)]

    # -- HA associations ------------------------------------------------------
    def association(self, association_id: str) -> dict[str, Any] | None:
        """One association; None when it no longer exists."""
        response = self._authorized("GET", _association_path(association_id))
        if response.status_code == 404:
            return None
        self._raise_for(response, f"read association {association_id}")
        return _json(response)

    def associations(self, serial: str) -> list[dict[str, Any]]:
        """Every association that involves `serial` (as HA Primary or HA Secondary)."""
        body = self._call("GET", "/ha-associations", params={"serial": serial}, serial=serial)
        return [a for a in body.get("associations") or [] if isinstance(a, dict)]

    def create_association(self, primary: str, secondary: str) -> dict[str, Any]:
        """Associate `secondary` (the Backup) with `primary`; adopt the association when
        it already exists between exactly these two (a lost answer, or made by hand)."""
        response = self._authorized(
            "POST",
            "/ha-associations",
            json={"primary_serial": primary, "secondary_serial": secondary},
        )
        if response.ok:
            return _json(response)
        code = _code(response)
        if code == "ALREADY_ASSOCIATED" or response.status_code == 409:
            existing = self._find_pair(primary, secondary)
            if existing is not None:
                log.info(
                    "MySonicWall association %s of %s and %s already exists; adopting it",
                    existing.get("id"),
                    primary,
                    secondary,
                )
                self.adopted = True
                return existing
            raise self._already_associated(primary, secondary, response)
        if code == "PRODUCT_NOT_REGISTERED":
            missing = self._unregistered(primary, secondary, response)
            role = "primary_serial" if missing == primary else "secondary_serial"
            raise self.error(
                f"product {missing} ({role}) is not registered to MySonicWall account"
                f" {self._settings.portal_username!r}; register it in MySonicWall under this"
                f" account (or fix {role}), then run again",
                serial=missing,
                code=code,
                status=response.status_code,
            )
        if code == "MODEL_MISMATCH":
            models = self._models(primary, secondary)
            detail = (
                f" ({primary} is model {models[primary]}, {secondary} model {models[secondary]})"
                if models
                else f" ({_message(response)})"
            )
            raise self.error(
                f"cannot associate {secondary} with {primary}: the models differ{detail};"
                " an HA Primary and its HA Secondary must be the same model, so check"
                " secondary_serial names the Backup of this pair",
                serial=secondary,
                code=code,
                status=response.status_code,
            )
        if code == "SAME_PRODUCT":
            raise self.error(
                f"primary_serial and secondary_serial are both {primary}; secondary_serial"
                " must be the serial of the Backup unit",
                serial=primary,
                code=code,
                status=response.status_code,
            )
        self._raise_for(response, f"associate {secondary} with {primary}")
        return _json(response)  # not reached: _raise_for raised

    def delete_association(self, association_id: str) -> bool:
        """Dissociate; False when the association was already gone."""
        response = self._authorized("DELETE", _association_path(association_id))
        if response.status_code == 404:
            return False
        self._raise_for(response, f"dissociate association {association_id}")
        return True

    # -- create error details -------------------------------------------------
    def _find_pair(self, primary: str, secondary: str) -> dict[str, Any] | None:
        for association in self.associations(primary):
            if normalize_serial(association.get("primary_serial")) == primary and (
                normalize_serial(association.get("secondary_serial")) == secondary
            ):
                return association
        return None

    def _already_associated(
        self, primary: str, secondary: str, response: requests.Response
    ) -> PortalError:
        """Name the association that holds either unit, and say to dissociate it first."""
        # The portal's message names the unit it found associated: look that one up first.
        mentioned = normalize_serial(_message(response))
        for serial in sorted((primary, secondary), key=lambda s: s not in mentioned):
            for other in self.associations(serial):
                other_primary = normalize_serial(other.get("primary_serial"))
                other_secondary = normalize_serial(other.get("secondary_serial"))
                role = "HA Primary" if other_primary == serial else "HA Secondary"
                return self.error(
                    f"{serial} is already associated as {role} in association"
                    f" {other.get('id', '?')} (HA Primary {other_primary}, HA Secondary"
                    f" {other_secondary}); a unit belongs to one association: dissociate it"
                    " first (on MySonicWall, or remove the resource that manages it), then"
                    " run again",
                    serial=serial,
                    code="ALREADY_ASSOCIATED",
                    status=response.status_code,
                )
        return self.error(
            f"{primary} or {secondary} is already associated elsewhere ({_message(response)});"
            " dissociate it first, then run again",
            code="ALREADY_ASSOCIATED",
            status=response.status_code,
        )

    def _unregistered(self, primary: str, secondary: str, response: requests.Response) -> str:
        """Which of the two serials the portal does not know: its message says, else ask."""
        mentioned = normalize_serial(
            _message(response)
        )  # "... 2CB8-ED0A-0000 ..." -> "...2CB8ED0A0000..."
        for serial in (primary, secondary):
            if serial in mentioned:
                return serial
        try:
            registered = {
                normalize_serial(p.get("serial")) for p in self.products() if p.get("registered")
            }
        except PortalError:
            registered = set()
        return secondary if primary in registered else primary

    def _models(self, primary: str, secondary: str) -> dict[str, str] | None:
        try:
            models = {
                normalize_serial(p.get("serial")): str(p.get("model", "")) for p in self.products()
            }
        except PortalError:
            return None
        if models.get(primary) and models.get(secondary):
            return {primary: models[primary], secondary: models[secondary]}
        return None

    # -- plumbing -------------------------------------------------------------
    def _call(
        self, method: str, path: str, *, serial: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        response = self._authorized(method, path, **kwargs)
        if response.status_code == 404 and serial:
            raise self.error(
                f"{_message(response) or 'not found'}; check the serial is registered to"
                f" MySonicWall account {self._settings.portal_username!r}",
                serial=serial,
                code=_code(response),
                status=404,
            )
        self._raise_for(response, f"{method} {API}{path}")
        return _json(response)

    def _authorized(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send with the bearer token; on 401 log in again once and resend."""
        token = self._token()
        response = self._send(method, path, token=token, **kwargs)
        if response.status_code != 401:
            return response
        log.info("MySonicWall token expired (%s); logging in again", _code(response) or "401")
        token = self._token(stale=token)
        response = self._send(method, path, token=token, **kwargs)
        if response.status_code == 401:
            raise self.error(
                "MySonicWall refused a token it had just issued; check sonicha:portalUrl"
                " points at the portal and that the account is not locked",
                code=_code(response),
                status=401,
            )
        return response

    def _send(
        self, method: str, path: str, *, token: str | None = None, **kwargs: Any
    ) -> requests.Response:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return transport.send(
                self._http,
                self._settings,
                method,
                self._client.base_url + path,
                headers=headers,
                **kwargs,
            )
        except requests.RequestException as exc:
            what = f"{method} {API}{path}: {_describe(exc, self._client.origin, self._settings)}"
            if (method, path) == ("POST", "/ha-associations") and transport.may_have_arrived(exc):
                what += (
                    "; the association may have been made all the same: run `pulumi up`"
                    " again, it adopts an association of exactly these two units"
                )
            raise self.error(what, PortalUnreachableError) from None

    def _raise_for(self, response: requests.Response, action: str) -> None:
        if response.ok:
            return
        code = _code(response)
        message = _message(response) or f"HTTP {response.status_code}"
        status = response.status_code
        retries = self._settings.max_retries
        if status == 429:
            retry_after = response.headers.get("Retry-After")
            wait = f" (the portal asks to wait {retry_after} s)" if retry_after else ""
            message = (
                f"{action} failed: MySonicWall is rate limiting this account, still HTTP 429"
                f" after {retries} retries{wait}; wait a minute and run again, or raise"
                " sonicha:maxRetries"
            )
        elif status >= 500:
            message = (
                f"{action} failed: {message} (HTTP {status}, after {retries} retries);"
                " MySonicWall is having trouble, try again later"
            )
        else:
            message = f"{action} rejected: {message} (HTTP {status})"
        raise self.error(message, code=code, status=status)


def _association_path(association_id: str) -> str:
    return f"/ha-associations/{quote(str(association_id), safe='')}"


def _describe(exc: requests.RequestException, origin: str, settings: Settings) -> str:
    text = transport.describe_transport_error(exc, settings)
    if text.startswith("cannot connect"):
        return (
            f"cannot connect to {origin} (refused, reset or unreachable); check"
            " sonicha:portalUrl and that this machine can reach the portal"
        )
    return text


def _json(response: requests.Response) -> dict[str, Any]:
    if not response.content:
        return {}
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {"items": data}


def _error(response: requests.Response) -> dict[str, Any]:
    error = _json(response).get("error")
    return error if isinstance(error, dict) else {}


def _code(response: requests.Response) -> str | None:
    code = _error(response).get("code")
    return str(code) if code else None


def _message(response: requests.Response) -> str:
    message = _error(response).get("message")
    if message:
        return str(message)
    if "json" in response.headers.get("Content-Type", ""):
        return ""
    return response.text.strip()[:200]
