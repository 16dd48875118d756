"""One exception hierarchy for everything pulumi_sonicha raises.

Callers catch `SonicHaError` to handle any of our failures; the subclasses
carry the facts an administrator needs to act (which unit, which field, which
API code) so messages can say *what to do*, not just what broke.

No exception here ever holds a password or token: messages are built from
host names, serials and API texts only, and `redact()` scrubs anything that
reaches us from outside (e.g. an API message echoing a request).
"""

from __future__ import annotations

from collections.abc import Iterable

_SECRETS: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a credential so `redact()` removes it from any text we emit."""
    if value and len(value) >= 3:
        _SECRETS.add(value)


def redact(text: str, extra: Iterable[str] = (), mask: str = "****") -> str:
    """Replace every known secret (and each of `extra`) in `text` with `mask`, longest first."""
    for secret in sorted({*_SECRETS, *(s for s in extra if s)}, key=len, reverse=True):
        text = text.replace(secret, mask)
    return text


class SonicHaError(Exception):
    """Root of every error raised by pulumi_sonicha."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))

    @property
    def message(self) -> str:
        return str(self)


class SettingsError(SonicHaError):
    """A provider setting (stack config `sonicha:*` or `SONICHA_*`) is missing or invalid."""


class ApplianceError(SonicHaError):
    """The SonicOS API of one unit refused or failed a call."""

    def __init__(
        self,
        message: str,
        *,
        host: str,
        serial: str | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        unit = f"{host} (serial {serial})" if serial else host
        detail = f" [{code}]" if code else ""
        super().__init__(f"{unit}: {message}{detail}")
        self.host = host
        self.serial = serial
        self.code = code
        self.status = status


class ApplianceUnreachableError(ApplianceError):
    """No answer from the unit (connection refused, reset, timed out, TLS failure)."""


class CommitUncertainError(ApplianceUnreachableError):
    """A commit got no answer: the unit may have applied it (all of it) or not at all."""


class UnitReplacedError(ApplianceError):
    """The address now answers with another serial than the resource manages (a unit
    replaced under warranty at the same address): nothing is written to it."""


class CommitNotHeldError(ApplianceError):
    """A commit answered as a success, but reading back shows the unit does not hold
    what was written (it dropped or changed the staged change)."""


class AuthenticationError(ApplianceError):
    """The appliance rejected the admin credentials."""


class SessionHeldError(ApplianceError):
    """The unit cannot give us the session we need: another administrator holds config
    mode (or took it from us), or no API session is free (HTTP 503)."""


class ConfigModeHeldError(SessionHeldError):
    """A write needs config mode, and someone else holds it (named by type and address)."""


class TooManySessionsError(SessionHeldError):
    """The unit refused another API session (HTTP 503: too many sessions)."""


class ApiDisabledError(ApplianceError):
    """The SonicOS API is turned off on the unit (HTTP 403 `E_DISABLED`)."""


class NotFoundError(ApplianceError):
    """The object asked for does not exist on the unit (HTTP 404)."""


class SyncTimeoutError(ApplianceError):
    """The Backup did not reach a synchronized state within `sync_timeout_s`."""


class NoHeartbeatError(SyncTimeoutError):
    """No heartbeat from the Backup within the HA timers' own window: waiting longer
    cannot help (Backup off, HA link not cabled, wrong backup_serial...)."""


class RunInterruptedError(ApplianceError):
    """The provider host was stopped (Ctrl-C, CI timeout) in the middle of an operation."""


class ActionUncertainError(ApplianceUnreachableError):
    """An HA action (failover, synchronize, restart) got no answer: the unit may have
    started it or not; it is never sent again blindly (a failover sent twice fails back)."""


class FailedOverError(ApplianceError):
    """The address answers on the other unit of the pair: the pair has failed over (the
    Backup is Active and answers the pair's addresses), so nothing was written there."""


class HaWaitTimeoutError(ApplianceError):
    """A failover or synchronization did not reach the expected states in time; the
    pair was left as it is and the message says where each unit stands."""


class PairNotReadyError(ApplianceError):
    """A drill or synchronization was refused before anything was done: the pair is not
    synchronized, a link is down, or a unit is not where the drill starts from."""


class PortalError(SonicHaError):
    """The MySonicWall portal refused or failed a call."""

    def __init__(
        self,
        message: str,
        *,
        serial: str | None = None,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        unit = f"MySonicWall (serial {serial})" if serial else "MySonicWall"
        detail = f" [{code}]" if code else ""
        super().__init__(f"{unit}: {message}{detail}")
        self.serial = serial
        self.code = code
        self.status = status


class PortalUnreachableError(PortalError):
    """No answer from the portal (connection refused, reset, timed out, TLS failure)."""
