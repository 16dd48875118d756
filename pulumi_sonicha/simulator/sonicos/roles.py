"""Which unit of a simulated pair is Active, and which unit is away (rebooting, off).

One `PairRoles` is shared by the two units of a `Simulator`, like their cabling: it
is the pair's clock for everything that happens after the units first synchronize.
Rules (the vendor's HA actions and status, and where no source speaks, ours):

* `force-failover` hands Active to the peer at once (the pair's addresses move with
  it); the unit that gave it up resynchronizes (SYNC) for `failover_seconds`, then is
  STANDBY. Ours: the vendor does not say how long a failover takes.
* With preempt on, a Primary that has been STANDBY for `failover_seconds` takes Active
  back (the vendor's preempt: "the Primary takes Active back"; the delay is ours).
* A unit that restarts (`POST /restart`, or the idle unit rebooting after
  `synchronize/settings|firmware`: "The Idle unit will reboot") answers nothing for
  `reboot_seconds`; its peer reports it REBOOT meanwhile, and takes Active at once if
  it was Active. Back, it resynchronizes (SYNC) for `failover_seconds`, then is STANDBY.
* A unit switched off (a `ctl` control: a unit lost) answers nothing until switched on;
  its peer hears no heartbeat (NONE) and takes Active. Switched on, it comes back like
  a rebooted unit.

Roles are "primary" and "backup"; times are `time.monotonic()` seconds. Thread-safe.
"""

from __future__ import annotations

import math
import threading
import time

ROLES = ("primary", "backup")
OTHER = {"primary": "backup", "backup": "primary"}


class PairRoles:
    """The Active unit of a pair, and each unit's reboots and resynchronizations."""

    def __init__(self, failover_seconds: float = 1.0, reboot_seconds: float = 3.0) -> None:
        self.failover_seconds = failover_seconds
        self.reboot_seconds = reboot_seconds
        self._lock = threading.RLock()
        self._active = "primary"
        self._active_since = time.monotonic()
        # Until when each unit is away (rebooting: announced; off: math.inf, unannounced).
        self._away_until: dict[str, float] = {}
        self._announced: dict[str, bool] = {}
        # Until when each unit resynchronizes after a handover or a reboot.
        self._sync_until: dict[str, float] = {}
        #: Failovers so far (forced, after a reboot, a unit lost, or preempt).
        self.failovers = 0

    # -- what the units ask ------------------------------------------------------------
    def active(self, preempt: bool = False) -> str:
        """The role Active now (transitions due by now applied first)."""
        with self._lock:
            self._settle(time.monotonic(), preempt)
            return self._active

    def active_since(self) -> float:
        with self._lock:
            return self._active_since

    def away(self, role: str) -> bool:
        """The unit answers nothing now (rebooting or switched off)."""
        with self._lock:
            return time.monotonic() < self._away_until.get(role, 0.0)

    def state(self, role: str, preempt: bool = False) -> str:
        """The role's HA state as its peer reports it (ACTIVE, STANDBY, SYNC, REBOOT,
        NONE), in a pair that has synchronized once."""
        now = time.monotonic()
        with self._lock:
            self._settle(now, preempt)
            if now < self._away_until.get(role, 0.0):
                return "REBOOT" if self._announced.get(role) else "NONE"
            if self._active == role:
                return "ACTIVE"
            if now < self._sync_until.get(role, 0.0):
                return "SYNC"
            return "STANDBY"

    # -- what happens to the pair --------------------------------------------------------
    def fail_over(self) -> str:
        """Active moves to the peer at once; the unit that gave it up resynchronizes.
        Returns the role now Active."""
        now = time.monotonic()
        with self._lock:
            self._settle(now, False)
            self._hand_over(now)
            return self._active

    def reboot(self, role: str, seconds: float | None = None) -> None:
        """The unit restarts (announced): away for `seconds` (default reboot_seconds)."""
        self._go_away(role, self.reboot_seconds if seconds is None else seconds, True)

    def switch_off(self, role: str) -> None:
        """The unit is lost (powered off, unplugged): away until `switch_on`."""
        self._go_away(role, math.inf, False)

    def switch_on(self, role: str) -> None:
        """The unit comes back; it resynchronizes before it is STANDBY."""
        now = time.monotonic()
        with self._lock:
            if self._away_until.get(role, 0.0) > now:
                self._away_until[role] = now
                self._sync_until[role] = now + self.failover_seconds

    def reset(self) -> None:
        """HA went off (or on again): the Primary is Active, nobody away."""
        with self._lock:
            self._active, self._active_since = "primary", time.monotonic()
            self._sync_until.clear()

    # -- inside --------------------------------------------------------------------------
    def _go_away(self, role: str, seconds: float, announced: bool) -> None:
        now = time.monotonic()
        with self._lock:
            self._settle(now, False)
            self._away_until[role] = now + seconds
            self._announced[role] = announced
            self._sync_until[role] = now + seconds + self.failover_seconds
            if self._active == role and now >= self._away_until.get(OTHER[role], 0.0):
                self._hand_over(now, resync=False)

    def _hand_over(self, now: float, resync: bool = True) -> None:
        old = self._active
        self._active, self._active_since = OTHER[old], now
        if resync:
            self._sync_until[old] = now + self.failover_seconds
        self.failovers += 1

    def _settle(self, now: float, preempt: bool) -> None:
        """Apply what is due: preempt (the Primary STANDBY long enough takes Active back).
        A unit back from a reboot needs nothing: its state follows from the times."""
        if not preempt or self._active != "backup":
            return
        if now < self._away_until.get("primary", 0.0):
            return
        standby_since = max(self._sync_until.get("primary", 0.0), self._active_since)
        if now - standby_since >= self.failover_seconds:
            self._active, self._active_since = "primary", standby_since + self.failover_seconds
            self._sync_until["backup"] = self._active_since + self.failover_seconds
            self.failovers += 1
