"""Access: authentication, API sessions and config mode.

One API session at a time: another API login is refused with 503 (GUIDE: too many
sessions) unless it says `override: true`, which ends the other API session (ours:
the limit of one). A login is 200 even while someone else configures; its
`status.info[0]` says `config_mode` Yes/No and who holds it (`curr_config_type`,
`curr_config_ip`), as LIVE shows. Every write without config mode is refused with
403 (ours: no public source names the code). A session that loses config mode
loses its pending changes. The session rides on a cookie named after the unit's
serial (ours: two units on one host never overwrite each other's cookie).
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any

from ... import server
from ...server import Request
from ..exceptions import HaStandby, MaxSessions, NotConfigMode, Unauthorized


@dataclass
class _Session:
    token: str
    admin: str
    via_api: bool  # False for a person's session (`hold_session()`)
    kind: str = "API"  # curr_config_type when it configures (ours: no source lists them)
    ip: str = "127.0.0.1"
    config_mode: bool = False
    pending_ha: dict[str, Any] | None = None
    pending_interfaces: dict[tuple[str, int | None], dict[str, Any]] = field(default_factory=dict)
    pending_monitoring: dict[str, dict[str, Any]] = field(default_factory=dict)

    def drop_pending(self) -> None:
        self.pending_ha = None
        self.pending_interfaces = {}
        self.pending_monitoring = {}

    def has_pending(self) -> bool:
        return (
            self.pending_ha is not None
            or bool(self.pending_interfaces)
            or bool(self.pending_monitoring)
        )


def new_session(admin: str, via_api: bool, **kw: Any) -> _Session:
    """A session with a fresh unguessable token (`server.new_token`, looked up at call
    time so that tests can record every token handed out)."""
    return _Session(server.new_token(), admin, via_api, **kw)


class AccessBackend:
    """Sessions, config mode and who may write."""

    def open_session(self, override: bool) -> tuple[_Session, _Session | None]:
        """An API login: (the new session, whoever else holds config mode, if the new
        session did not take it). MaxSessions while another API session is open and
        `override` is false."""
        with self._lock:
            current = self._api_session()
            wanted = 2 if current is not None else 1
            self.max_concurrent_sessions = max(self.max_concurrent_sessions, wanted)
            if current is not None and not override:
                raise MaxSessions("Maximum number of sessions exceeded.")
            if current is not None:
                self._sessions.remove(current)
            holder = self._holder()
            config_mode = override or (holder is None and self.login_config_mode)
            if config_mode:
                self._release_config_mode()
            session = new_session(self._username, True, config_mode=config_mode)
            self._sessions.append(session)
            self.sessions_opened += 1
            return session, (None if config_mode else holder)

    def close_session(self, session: _Session) -> None:
        with self._lock:
            if session in self._sessions:
                self._sessions.remove(session)

    def take_config_mode(self, session: _Session) -> None:
        """Take config mode, preempting whoever holds it (O70/O72: "preempt the other
        user, set self to config mode")."""
        with self._lock:
            if not session.config_mode:
                self._release_config_mode()
                session.config_mode = True

    def leave_config_mode(self, session: _Session) -> None:
        with self._lock:
            session.config_mode = False
            session.drop_pending()

    def _api_session(self) -> _Session | None:
        return next((s for s in self._sessions if s.via_api), None)

    def _holder(self) -> _Session | None:
        return next((s for s in self._sessions if s.config_mode), None)

    def _release_config_mode(self) -> None:
        holder = self._holder()
        if holder is not None:
            holder.config_mode = False
            holder.drop_pending()

    def _session_of(self, request: Request) -> _Session | None:
        try:
            morsel = SimpleCookie(request.headers.get("Cookie", "")).get(self._cookie)
        except CookieError:
            morsel = None
        token = morsel.value if morsel else None
        if not token:
            return None
        with self._lock:
            for session in self._sessions:
                if session.via_api and hmac.compare_digest(session.token, token):
                    return session
        return None

    def fault_effect(self, rule: server.FaultRule, request: Request) -> None:
        """A failing request that loses what the session staged (`fail --drop-staged`):
        e.g. a commit answered 500 after which the unit holds none of the pending changes
        (no public source says what a real unit keeps after a failed commit: tests cover
        both readings)."""
        if not rule.drop_staged:
            return
        session = self._session_of(request)
        if session is not None:
            with self._lock:
                session.drop_pending()

    def _require_session(self, request: Request) -> _Session:
        session = self._session_of(request)
        if session is None:
            raise Unauthorized("Not authenticated.")
        return session

    def _require_config_mode(self, request: Request) -> _Session:
        session = self._require_session(request)
        if not session.config_mode:
            raise NotConfigMode(
                "Not in configuration mode: take it with POST /config-mode first.",
            )
        if request.method != "DELETE" and self.ha_role() == "primary" and self._steady_epoch():
            if self.roles.state("primary", self._preempt()) != "ACTIVE":
                # Ours: the idle unit takes no configuration (the Active unit's next sync
                # would overwrite it); a discard is harmless and still taken.
                raise HaStandby(
                    f"This unit is the HA Primary in Standby: the Secondary {self.peer.serial}"
                    " is Active and holds the configuration. Fail back first.",
                )
        return session

    def _refuse_on_paired_backup(self) -> None:
        """HA settings and monitoring written on a synchronized Backup: refused (the
        Primary's sync overwrites them). Interface writes there are still taken (a
        leniency: the simulator does not sync interfaces)."""
        primary = self._paired_primary()
        if primary is not None:
            raise HaStandby(
                f"This unit is the HA Secondary (Standby) of the Primary {primary}: its"
                " HA configuration comes from the Primary. Configure the Primary.",
            )

    def _paired_primary(self) -> str | None:
        """The Primary's serial while this unit is its synchronized Backup (the Primary
        has HA on naming this serial and the pair is steady), else None. A Standby takes
        no configuration: what it would accept, the Primary's next sync overwrites."""
        peer = self.peer
        if peer is None or peer is self:
            return None
        with peer._lock:
            mode = next(iter((peer._ha.get("mode") or {}).values()), {})
        if mode.get("secondary_serial") != self.serial:
            return None
        return peer.serial if peer._primary_view()[1] is not None else None

    def _basic_ok(self, request: Request) -> bool:
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
