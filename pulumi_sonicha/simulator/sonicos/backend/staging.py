"""Staging: PUTs change the session's pending copy, GETs in that session see it,
`POST /config/pending` commits it and `DELETE /config/pending` discards it (O70/O72).

An HA link interface must be in zone Unassigned: checked on PUT (both ways) and on
commit against the pending view. A commit answers `status.cli.restart_required`
(`restart_required`, "NONE" by default; ours: no source says which changes need a
restart, so tests set it).
"""

from __future__ import annotations

import copy
import time
from typing import Any

from .access import _Session


class StagingBackend:
    """The session's pending configuration, committed or discarded whole."""

    def commit_pending(self, session: _Session) -> None:
        """Commit every staged change of `session` at once (refused whole when the
        result breaks a rule)."""
        with self._lock:
            ha = session.pending_ha
            interfaces = self._interface_view(session)
            self._check_ha_links(ha if ha is not None else self._ha, interfaces)
            if ha is not None:
                self._commit_ha(ha)
            self._interfaces = interfaces
            monitoring_changed = bool(session.pending_monitoring)
            self._monitoring.update(copy.deepcopy(session.pending_monitoring))
            session.drop_pending()
        if monitoring_changed:
            self._settle()  # a synchronized Backup gets the change at once
            self._addresses_changed()

    def discard_pending(self, session: _Session) -> None:
        with self._lock:
            session.drop_pending()

    def _pending_doc(self, session: _Session) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if session.pending_ha is not None:
            doc["high_availability"] = copy.deepcopy(session.pending_ha)
        if session.pending_monitoring:
            entries = [{"ipv4": copy.deepcopy(v)} for v in session.pending_monitoring.values()]
            doc["ha_monitoring"] = {"interface": entries}
        if session.pending_interfaces:
            doc["interfaces"] = [
                {"ipv4": copy.deepcopy(v)} for v in session.pending_interfaces.values()
            ]
        return doc

    def _commit_ha(self, settings: dict[str, Any]) -> None:
        """Store committed HA settings; a real change restarts the pair's progression."""
        if settings != self._ha:
            if bool(settings.get("mode")) != bool(self._ha.get("mode")):
                self.roles.reset()  # HA on (or off): the Primary starts Active
            self._ha = copy.deepcopy(settings)
            self._ha_since = time.monotonic()
