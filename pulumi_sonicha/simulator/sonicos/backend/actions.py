"""HA actions (O70/O72: each a `POST` with body `{}`, acting at once, no commit), and
what happens to a unit outside the API (it restarts, it is lost, the pair fails over
by itself), all through the pair's shared `PairRoles` (roles.py: the timings).

- `force-failover`: the Active unit hands Active to its Standby peer; the pair's
  addresses move with it (addresses.py).
- `synchronize/settings|firmware`: the Active unit's settings (or firmware) to the idle
  unit, which reboots ("The Idle unit will reboot", 5.8.1 guide), then is STANDBY.
- `restart` (O72 also `restart-sonicos`): the unit called restarts; if it was Active,
  its peer takes over at once.

Ours (no public source shows the refusals): each needs HA on (400 otherwise), the unit
called ACTIVE and its peer heartbeating; a failover needs the peer STANDBY.
"""

from __future__ import annotations

import time

from ..exceptions import InvalidApiCall


class ActionsBackend:
    """What the unit does when an HA action is called, or when it restarts."""

    def synchronize(self, *, firmware: bool) -> None:
        """The idle unit takes this unit's settings (or firmware), then reboots."""
        peer = self._require_active_with_peer("synchronize")
        if firmware:
            peer.fw = self.fw
        self._settle(force=True)
        peer.reboot()

    def hand_over_active(self) -> None:
        """`force-failover`: Active moves to the Standby peer."""
        peer = self._require_active_with_peer("fail over")
        if peer.ha_role_state() != "STANDBY":
            raise InvalidApiCall(
                f"The peer unit is {peer.ha_role_state()}, not STANDBY: it cannot take over."
            )
        self.roles.fail_over()

    def _require_active_with_peer(self, action: str):  # noqa: ANN202 - the peer unit
        with self._lock:
            enabled = bool(self._ha.get("mode"))
        if not enabled:
            raise InvalidApiCall("High Availability is not enabled on this unit.")
        own = self.ha_role_state()
        if own != "ACTIVE":
            raise InvalidApiCall(f"This unit is {own}: only the Active unit can {action}.")
        peer = self.peer
        key = "primary_state" if self.ha_role() == "backup" else "secondary_state"
        if peer is None or self._status()[key] in ("NONE", "REBOOT", "ERROR"):
            raise InvalidApiCall(f"The peer unit does not answer heartbeats: cannot {action}.")
        return peer

    # -- outside the API: tests and `ctl` ------------------------------------------------

    def reboot(self, seconds: float | None = None) -> None:
        """The unit restarts: every session ends (staged changes lost), it answers
        nothing for `seconds` (the pair's reboot time by default); if it was Active, its
        peer takes over."""
        away = self.roles.reboot_seconds if seconds is None else seconds
        with self._lock:
            self._sessions = []
            self._booted = time.monotonic() + away
        self.roles.reboot(self.ha_role(), away)

    def switch_off(self) -> None:
        """The unit is lost (power, cable): it answers nothing until `switch_on`; its
        peer hears no heartbeat and takes Active."""
        with self._lock:
            self._sessions = []
        self.roles.switch_off(self.ha_role())

    def switch_on(self) -> None:
        with self._lock:
            self._booted = time.monotonic()
        self.roles.switch_on(self.ha_role())

    def fail_over(self) -> str:
        """The pair fails over by itself (the Active unit lost a link, say): Active moves
        to the Standby. Returns the role now Active."""
        self._settle()
        status = self._status()
        if {status["primary_state"], status["secondary_state"]} != {"ACTIVE", "STANDBY"}:
            raise ValueError(
                f"the pair is not synchronized ({status['status']}: Primary"
                f" {status['primary_state']}, Backup {status['secondary_state']}): no failover"
            )
        return self.roles.fail_over()
