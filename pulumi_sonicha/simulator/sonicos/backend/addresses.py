"""Where a unit answers management, and listening there.

A Backup holding the HA settings it synchronized from its Primary answers at its
own monitoring addresses (`secondary`) of interfaces with management allowed: its
own interface addresses are gone. A Primary with HA on answers at its `primary`
monitoring addresses with management allowed. The pair's addresses (ours: the
Primary's own address, its X0 address that becomes the pair's) answer on whichever
unit is Active: a request reaching the Primary's listener there while the Backup is
Active is answered by the Backup (`serving`). A unit with HA off answers at its own
address; a unit rebooting or switched off answers nowhere.
"""

from __future__ import annotations

from ..fields import _UNSET_ADDRESSES


class AddressesBackend:
    """The unit's management addresses."""

    @property
    def own_address(self) -> str:
        """The address the unit was given (before pairing it answers there)."""
        return self._public_host

    def address(self, ip: str) -> str:
        """`ip:port` as a host input would name this unit at another of its addresses."""
        return f"{ip}:{self.port}"

    def answering_ips(self) -> list[str]:
        """Where the unit answers management now. A Backup holding the HA settings it
        synchronized from its Primary answers only at its own monitoring addresses
        (`secondary`) of interfaces with management allowed: its own interface
        addresses are gone, the pair's answer on the Active unit. Any other unit answers
        at its own address, and a Primary with HA on at its `primary` monitoring
        addresses with management allowed too."""
        self._settle()
        with self._lock:
            fields = next(iter((self._ha.get("mode") or {}).values()), {})
            entries = [e for e in self._monitoring.values() if e.get("allow_management")]
        if self.away():
            return []
        active = self.active_role()
        if fields.get("secondary_serial") == self.serial:
            ips = {e["secondary"] for e in entries} - set(_UNSET_ADDRESSES)
            return sorted(ips | (self._pair_addresses() if active == "backup" else set()))
        if not fields:
            return [self.own_address]
        ips = {e["primary"] for e in entries} - set(_UNSET_ADDRESSES)
        return sorted(ips | ({self.own_address} if active == "primary" else set()))

    def _pair_addresses(self) -> set[str]:
        """The pair's addresses while HA is on at its Primary: the Primary's own."""
        primary = self._ha_primary()
        if primary is None:
            return set()
        with primary._lock:
            on = bool(primary._ha.get("mode"))
        return {primary.own_address} if on else set()

    def serving(self, address: str):  # noqa: ANN201 - the server that answers, or None
        """Which unit answers a request that reached this server at `address`: the pair's
        addresses answer on the Active unit (handed to the peer when it is Active)."""
        peer = self.peer
        if (
            peer is not None
            and self.ha_role() == "primary"
            and address in self._pair_addresses()
            and self.active_role() == "backup"
        ):
            return peer if not peer.away() else None
        return self if self.answers(address) else None

    def answers(self, address: str) -> bool:
        return address in self.answering_ips()

    def _addresses_changed(self) -> None:
        """Listen at every monitoring address of either unit (same port), so that a unit
        can answer there once the rules above say so; `answers` gates each request."""
        for unit in (self, self.peer):
            if unit is None or unit._httpd is None:
                continue
            ips = unit._monitoring_ips()
            if unit.peer is not None:
                ips |= unit.peer._monitoring_ips()
            for ip in sorted(ips - set(_UNSET_ADDRESSES)):
                unit.listen_also(ip)

    def _monitoring_ips(self) -> set[str]:
        with self._lock:
            return {e[k] for e in self._monitoring.values() for k in ("primary", "secondary")}
