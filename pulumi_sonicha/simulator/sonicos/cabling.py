"""The cables between the two units of a simulated pair."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable


class Cabling:
    """The cables between the two units: port Xn on one unit to Xn on the other.

    Kept apart from either unit because a cable has two ends. `since` records
    when each cable was (re)plugged: recabling the HA control link restarts
    the pair's ELECTION -> SYNC -> ACTIVE/STANDBY progression. Ports in
    `switch_ports` are connected to a switch (link up, but no HA peer there).
    """

    def __init__(self, ports: Iterable[str], switch_ports: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        now = time.monotonic()
        self._since: dict[str, float] = {port: now for port in ports}
        self._switch: set[str] = set(switch_ports)

    def cable(self, port: str) -> None:
        with self._lock:
            self._since.setdefault(port, time.monotonic())

    def uncable(self, port: str) -> None:
        with self._lock:
            self._since.pop(port, None)
            self._switch.discard(port)

    def cabled_since(self, port: str) -> float | None:
        """When the unit-to-unit cable on `port` was plugged; None when there is none."""
        with self._lock:
            return self._since.get(port)

    def cabled_ports(self) -> list[str]:
        with self._lock:
            return sorted(self._since)

    def link_up(self, port: str) -> bool:
        with self._lock:
            return port in self._since or port in self._switch
