"""The pair: HA status computed from the committed settings, the cabling and the clock,
and the Backup given the Primary's settings once the pair is steady.

`GET /reporting/high-availability` (fields from VEN/GUIDE): ELECTION, then SYNC,
then ACTIVE/STANDBY over `sync_seconds`. With no HA peer on the control link, or a
peer of another serial, the Backup state stays NONE (no heartbeats); a peer of
another model reports ERROR. Once synchronized, the pair's `PairRoles` (roles.py)
say which unit is Active and which is away (failovers, reboots, a unit lost). Each
unit's `status` starts with its own role: "Primary Active", "Secondary Standby".
"""

from __future__ import annotations

import copy
import time
from typing import Any

from ..fields import _duration, _fit, _fit_monitoring, _state, _steady


class PairBackend:
    """The pair's state clock and its settings sync."""

    def _status(self) -> dict[str, Any]:
        with self._lock:
            mode = dict(self._ha.get("mode") or {})
        fields = next(iter(mode.values()), {})
        if fields.get("secondary_serial") == self.serial and self.peer is not None:
            doc = self.peer._primary_view()[0]  # we are the Backup: report the pair
            own = doc["secondary_state"]
            doc["status"] = f"Secondary {_steady(own)}"
            return doc
        return self._primary_view()[0]

    def _primary_view(self) -> tuple[dict[str, Any], float | None]:
        """The pair's status with this unit as Primary, and the sync epoch when steady."""
        now = time.monotonic()
        with self._lock:
            mode = copy.deepcopy(self._ha.get("mode") or {})
            ha_since = self._ha_since
        if not mode:
            return _state("NONE", "NONE", "High Availability Disabled", "Primary Disabled"), None
        fields = next(iter(mode.values()))
        control = fields.get("control_interface", "")
        secondary = fields.get("secondary_serial")
        peer = self.peer
        cabled = self._cabling.cabled_since(control)
        up_time = _duration(now - ha_since)
        if cabled is None or peer is None or secondary != peer.serial or peer.outage == "down":
            # No heartbeats from a Backup: no cable on the control link, the unit there
            # is not the configured secondary, or it is off (`ctl down backup`).
            return _state("ACTIVE", "NONE", up_time), None
        if peer.model != self.model or peer.firmware != self.firmware:
            # Two models, or two SonicOS releases, never pair up (assumed: the admin
            # guides require the same model and firmware; no source shows the state).
            return _state("ACTIVE", "ERROR", up_time), None
        epoch = max(ha_since, cabled, peer.up_since or 0.0)  # back on: elected again
        elapsed = now - epoch
        third = self.sync_seconds / 3.0
        if elapsed < third:
            return _state("ELECTION", "ELECTION", _duration(0)), None
        if elapsed < 2 * third:
            return _state("ACTIVE", "SYNC", _duration(elapsed - third)), None
        # Synchronized once: from now on the pair's roles (failovers, reboots) say.
        preempt = bool(fields.get("preempt"))
        primary, backup = self.roles.state("primary", preempt), self.roles.state("backup", preempt)
        since = max(self.roles.active_since(), epoch + 2 * third)
        return _state(primary, backup, _duration(now - since)), epoch

    def _settle(self, force: bool = False) -> None:
        """Give the Backup the Primary's HA settings once the pair is steady.

        Evaluated lazily on every request and accessor of either unit, once per
        epoch (commit or recabling), or again when `force` (settings sync call).
        """
        for unit in (self, self.peer):
            if unit is not None and unit.peer is not None:
                unit._push_settings_to_peer(force)

    def _push_settings_to_peer(self, force: bool) -> None:
        _, epoch = self._primary_view()
        if epoch is None or self.peer is None or self.peer.away():
            return
        with self._lock:
            monitoring = copy.deepcopy(self._monitoring)
        with self.peer._lock:
            # Monitoring changes made on the Primary reach a synchronized Backup at once
            # (as every setting changed on the Active unit does), not only per epoch.
            pushed = {
                name: _fit_monitoring(entry, self.peer.fw) for name, entry in monitoring.items()
            }
            changed = pushed != self.peer._monitoring
            self.peer._monitoring = pushed
        if changed:
            self._addresses_changed()
        with self._lock:
            if (self._synced_epoch == epoch and not force) or self._ha_since > epoch:
                return
            self._synced_epoch = epoch
            settings = copy.deepcopy(self._ha)
        with self.peer._lock:
            # The Backup keeps the fields its own firmware has (same model, same release
            # in a real pair; the simulator lets tests mix them).
            self.peer._ha = _fit(settings, self.peer.fw)
            self.peer._ha_since = time.monotonic()

    # -- the unit's role in the pair -----------------------------------------------------

    def ha_role(self) -> str:
        """ "backup" when HA settings (its own synchronized copy, or its peer's before the
        first sync) name this unit the secondary, else "primary"."""
        for unit in (self, self.peer):
            if unit is None:
                continue
            with unit._lock:
                fields = next(iter((unit._ha.get("mode") or {}).values()), {})
            if fields.get("secondary_serial") == self.serial:
                return "backup"
        return "primary"

    def ha_role_state(self) -> str:
        """This unit's own HA state (ACTIVE, STANDBY, ...) as its status reports it."""
        doc = self._status()
        return doc["secondary_state" if self.ha_role() == "backup" else "primary_state"]

    def _ha_primary(self):  # noqa: ANN202 - the unit that is the pair's HA Primary
        return self if self.ha_role() == "primary" else self.peer

    def _preempt(self) -> bool:
        primary = self._ha_primary()
        if primary is None:
            return False
        with primary._lock:
            fields = next(iter((primary._ha.get("mode") or {}).values()), {})
        return bool(fields.get("preempt"))

    def _steady_epoch(self) -> bool:
        """The pair has synchronized once (its roles apply), as its Primary computes it."""
        primary = self._ha_primary()
        return primary is not None and primary._primary_view()[1] is not None

    def active_role(self) -> str:
        """Which unit is Active: "primary" until the pair has synchronized once."""
        return self.roles.active(self._preempt()) if self._steady_epoch() else "primary"

    def away(self) -> bool:
        """Rebooting or switched off: the unit answers nothing."""
        return self.roles.away(self.ha_role())
