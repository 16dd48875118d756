"""Where a unit answers management, and listening there.

A Backup holding the HA settings it synchronized from its Primary answers only at
its own monitoring addresses (`secondary`) of interfaces with management allowed:
its own interface addresses are gone, the pair's answer on the Active unit. Any
other unit answers at its own address, and a Primary with HA on at its `primary`
monitoring addresses with management allowed too. Kept in this one module so that
failover (the pair's addresses moving to the Active unit) extends it here.
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
        if fields.get("secondary_serial") == self.serial:
            return sorted({e["secondary"] for e in entries} - set(_UNSET_ADDRESSES))
        ips = {self.own_address}
        if fields:
            ips |= {e["primary"] for e in entries} - set(_UNSET_ADDRESSES)
        return sorted(ips)

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
