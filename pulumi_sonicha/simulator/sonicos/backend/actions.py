"""HA actions (O70/O72: each a `POST` with body `{}`, acting at once, no commit)."""

from __future__ import annotations

from ..exceptions import InvalidApiCall


class ActionsBackend:
    """What the unit does when an HA action is called."""

    def synchronize_settings(self) -> None:
        """`POST /high-availability/synchronize/settings`: push the Primary's settings to
        the Backup now."""
        with self._lock:
            enabled = bool(self._ha.get("mode"))
        if not enabled:
            raise InvalidApiCall("High Availability is not enabled on this unit.")
        self._settle(force=True)
